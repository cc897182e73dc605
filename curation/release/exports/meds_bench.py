"""MedS-Bench task files of a release, laid out for MedS-Ins's evaluation loader.

What MedS-Bench reads (MAGIC-AI4Med/MedS-Ins):

* ``Evaluation/EvalDataset.py`` (``InsDataset``, run by ``Evaluation/eval.py`` on one folder,
  ``BENCHMARK_ROOT + BENCHMARK_TASK``) loads **every file** of the folder with ``json.load``; the
  task id is the file name before its first underscore (``task9011_mcq_zh.json`` → ``task9011``);
  files with the same id merge into one task. Its few-shot cases (3-shot by default) are drawn at
  random from ``Pos_Ins_task_dic[task_id]``, the ``Instances`` of the (last) file with that id.
* ``Metrics/MCQA.py`` (``mcqa_accuracy``) lowercases prediction and reference, strips
  ``the right answer is`` and compares their **first character**, counting it only when both are
  one of ``a``–``d`` (``task123`` is its yes/no special case).
* ``DATA_Contributor/Data_Uploading_Guideline.md`` and the README list a task file's keys:
  Contributors, Source, URL, Categories, Reasoning, Definition, Input_language, Output_language,
  Instruction_language, Domains, Positive Examples, Negative Examples, Split Type, Instances.

So the export writes one folder per split (``exports/meds_bench/<split>/``: run ``eval.py`` on
``test``; train items never enter a test run) holding one file per config, named
``task<N>_<config>.json`` with N from a fixed registry (:func:`task_number`, stable across
releases, never 123). An MCQ's reference output is ``<letter>. <text>`` and the Definition asks
for the letter first. MCQs its metric cannot score are left out and counted in the README: those
keyed beyond D (an ``E`` reference scores 0 even for a perfect answer) and those with several
correct options (only the first letter would be compared). Items without a reference output
(records, dialogues with no answer) stay out. ``Positive Examples`` holds up to
:data:`POSITIVE_EXAMPLES` items of the same config's train split (never dev/test items).
"""

from __future__ import annotations

import json
import string
import zlib
from pathlib import Path
from typing import Any

import polars as pl

# Fixed, append-only registries: task<N> = 9000 + 10 × kind + language. Never renumber an entry
# (N is how results are matched across releases); 9000+ stays clear of MedS-Bench's own ids.
KIND_NUMBERS = {
    "mcq": 1,
    "open_qa": 2,
    "record": 3,
    "dialogue": 4,
    "extraction": 5,
    "summarization": 6,
}
LANGUAGE_NUMBERS = {"zh": 1, "en": 2}
LANGUAGE_NAMES = {"zh": "Chinese", "en": "English"}
SCORED_LETTERS = "ABCD"  # Metrics/MCQA.py: `pred[0] in 'abcd' and gt[0] in 'abcd'`
POSITIVE_EXAMPLES = 5

DEFINITIONS = {
    "mcq": "Given a medical multiple-choice question and its options, select the single correct "
    "option. Start your answer with its letter, then give its text (for example 'B. ...').",
    "open_qa": "Answer the medical question.",
    "record": "Read the clinical record and answer as instructed.",
    "dialogue": "Continue the patient-doctor dialogue as the doctor.",
    "extraction": "Extract the requested information from the medical text.",
    "summarization": "Summarize the medical text.",
}
CATEGORIES = {
    "mcq": "Question Answering",
    "open_qa": "Question Answering",
    "record": "Clinical Record Understanding",
    "dialogue": "Dialogue",
    "extraction": "Information Extraction",
    "summarization": "Text Summarization",
}
DOMAINS = {
    "mcq": "Medical exam",
    "open_qa": "Medical knowledge",
    "record": "Clinical records",
    "dialogue": "Daily conversation",
    "extraction": "Clinical records",
    "summarization": "Clinical records",
}
KEYS = (
    "Contributors",
    "Source",
    "URL",
    "Categories",
    "Reasoning",
    "Definition",
    "Input_language",
    "Output_language",
    "Instruction_language",
    "Domains",
    "Positive Examples",
    "Negative Examples",
    "Split Type",
    "Instances",
)


def task_number(kind: str, language: str) -> int:
    """The stable N of ``task<N>``: 9000 + 10 × kind + language from the registries; a kind or
    language missing from them gets 10000 + crc32(config) mod 90000 (stable too)."""
    if kind in KIND_NUMBERS and language in LANGUAGE_NUMBERS:
        return 9000 + 10 * KIND_NUMBERS[kind] + LANGUAGE_NUMBERS[language]
    return 10000 + zlib.crc32(f"{kind}_{language}".encode()) % 90000


def _instance(row: dict[str, Any]) -> tuple[dict[str, str] | None, str]:
    """(instance, '') or (None, why it is left out)."""
    if row["kind"] == "mcq":
        if len(row["answer_labels"]) != 1:
            return None, "multi"
        letters = {o["label"]: string.ascii_uppercase[i] for i, o in enumerate(row["options"])}
        key = letters[row["answer_labels"][0]]
        if key not in SCORED_LETTERS:
            return None, "beyond_d"
        parts = [row["context"]] if row.get("context") else []
        parts.append(row["question"] or "")
        parts += [f"{letters[o['label']]}. {o['text']}" for o in row["options"]]
        text = next(o["text"] for o in row["options"] if o["label"] == row["answer_labels"][0])
        return {"id": row["item_id"], "input": "\n".join(parts), "output": f"{key}. {text}"}, ""
    output = row.get("answer_text")
    source = "\n".join(p for p in (row.get("context"), row.get("question")) if p)
    if not (output and source):
        return None, "no_reference"
    return {"id": row["item_id"], "input": source, "output": output}, ""


def _instances(group: pl.DataFrame) -> tuple[list[dict[str, Any]], dict[str, int]]:
    kept, dropped = [], {"multi": 0, "beyond_d": 0, "no_reference": 0}
    for row in sorted(group.iter_rows(named=True), key=lambda r: r["item_id"]):
        instance, why = _instance(row)
        if instance is None:
            dropped[why] += 1
        else:
            kept.append(instance | {"explanation": row.get("explanation") or ""})
    return kept, dropped


def meds_bench(
    frame: pl.DataFrame, out: Path, name: str = "MedCurate", homepage: str = ""
) -> list[str]:
    """MedS-Bench task files: ``meds_bench/<split>/task<N>_<config>.json`` and a README."""
    folder = out / "meds_bench"
    written: list[str] = []
    summary = []
    configs = sorted(frame.group_by("config", "kind", "language"), key=lambda g: g[0])
    for (config, kind, language), group in configs:
        by_split = {s: _instances(g) for (s,), g in sorted(group.group_by("split"))}
        train = by_split.get("train", ([], {}))[0]
        positive = [
            {"input": i["input"], "output": i["output"], "explanation": i["explanation"]}
            for i in train[:POSITIVE_EXAMPLES]
        ]
        number = task_number(kind, language)
        for split, (instances, dropped) in by_split.items():
            path = f"{split}/task{number}_{config}.json"
            summary.append((path, len(instances), dropped))
            if not instances:
                continue
            document = {
                "Contributors": [name],
                "Source": sorted(group["source"].unique().to_list()),
                "URL": [homepage] if homepage else [],
                "Categories": [CATEGORIES.get(kind, kind)],
                "Reasoning": [],
                "Definition": [DEFINITIONS.get(kind, "Solve the medical task.")],
                "Input_language": [LANGUAGE_NAMES.get(language, language)],
                "Output_language": [LANGUAGE_NAMES.get(language, language)],
                "Instruction_language": ["English"],
                "Domains": [DOMAINS.get(kind, "Medicine")],
                "Positive Examples": positive,
                "Negative Examples": [],
                "Split Type": "Train" if split == "train" else "Test",
                "Instances": [
                    {"id": i["id"], "input": i["input"], "output": i["output"]} for i in instances
                ],
            }
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(
                json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                encoding="utf-8",
            )
            written.append(f"exports/meds_bench/{path}")
    if summary:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "README.md").write_text(_readme(summary), encoding="utf-8")
        written.append("exports/meds_bench/README.md")
    return written


def _readme(summary: list[tuple[str, int, dict[str, int]]]) -> str:
    rows = "\n".join(
        f"| `{path}`{'' if n else ' (not written)'} | {n} | {d['multi']} | {d['beyond_d']} | "
        f"{d['no_reference']} |"
        for path, n, d in sorted(summary)
    )
    return (
        "# MedS-Bench\n\n"
        "Task files for MedS-Ins's evaluation code (`Evaluation/eval.py`, `Evaluation/"
        "EvalDataset.py`). Each folder is one run: point `BENCHMARK_ROOT` at this folder and "
        "pass `--benchmark_task test` (or `dev`). The loader reads every file of the folder and "
        "takes the task id from the file name before its first underscore, so each config has "
        "its own id:\n\n"
        "`task<N>` with N = 9000 + 10 × kind + language (kinds: "
        + ", ".join(f"{k}={v}" for k, v in KIND_NUMBERS.items())
        + "; languages: "
        + ", ".join(f"{k}={v}" for k, v in LANGUAGE_NUMBERS.items())
        + "), the same in every release.\n\n"
        "Score MCQ tasks with `Metrics/MCQA.py --task_ids task9011 task9012 …` (its defaults are "
        "MedS-Bench's own ids). That metric compares the first letter of answer and reference "
        "and knows only A–D, so MCQs keyed E or later, and MCQs with several correct options, "
        "are left out (five-option MCQs keyed A–D stay: answering E scores 0, as it should).\n\n"
        "Few-shot: `EvalDataset.py` draws its 3 examples at random from the task file's own "
        "`Instances` (for a test file: other test items of the same config and language, "
        "possibly the item itself). `Positive Examples` lists up to "
        f"{POSITIVE_EXAMPLES} items of the same config's train split for a harness that takes "
        "its examples from there; run with `NO_CONTEXT_P = 1.0` for zero-shot.\n\n"
        "| file | instances | multi-answer left out | keyed beyond D left out | "
        "no reference left out |\n|---|---|---|---|---|\n"
        f"{rows}\n"
    )
