"""MedS-Bench task files for a release's task configs (free text, labels, spans, fields).

What MedS-Bench reads and scores (MAGIC-AI4Med/MedS-Ins), checked in its source:

* ``Evaluation/EvalDataset.py`` (``InsDataset``, built by ``Evaluation/eval.py`` on the folder
  ``BENCHMARK_ROOT + BENCHMARK_TASK``): ``__init__`` ``json.load``\\ s **every file** of the
  folder; the task id is ``task_json.split('_')[0]``; every ``Instances`` entry becomes a query
  (``input``, ``output``); ``Task_definition[id]['original_def'] = data["Definition"]``, new ids
  being added beside ``RewriteDefinitions.json``'s (MedS-Bench's own ids, ``task1``…``task131``
  in the ``Metrics/`` defaults); ``Pos_Ins_task_dic[id] = Instances`` (the last file with that
  id). ``__getitem__`` (``ORI_INS = 1.0``): the instruction is ``original_def[0]``, i.e. the
  Definition; zero-shot the query is the bare input, 3-shot (eval.py's default,
  ``NO_CONTEXT_P = 0.0``) the instruction becomes ``'Input:\\n' + input + '\\n\\nOutput:\\n' +
  output`` × 3 drawn from ``Pos_Ins_task_dic`` (``output`` must then be a string), followed by the
  Definition and ``'Please learn from the few-shot cases …'``; the query is
  ``'Input:\\n' + input + '\\nOutput:\\n'``. The reference (``GT``) is ``output`` (``output[0]``
  for a list).
* ``README.md`` "Data Format" and ``DATA_Contributor/Data_Uploading_Guideline.md``: the keys
  (Contributors, Source, URL, Categories, Reasoning, Definition, Input_language,
  Output_language, Instruction_language, Domains, Positive Examples, Negative Examples, Split
  Type, Instances ``{id, input, output}``). ``data_preparing/*.py`` (e.g. ``igakuqa_mcqa.py``,
  ``meqsum_text_summarization.py``) write English Definitions with ``Instruction_language:
  ["English"]`` even for Japanese input; ours is the task's instruction in the instance's
  language, so ``Instruction_language`` names that language.
* ``Metrics/*.py`` score the ``eval.py`` CSV (``task_id, input, GT, output``) per family, each
  with its own default MedS-Bench ids (``--task_ids`` and variants), see :data:`MEDS_METRICS`;
  the ROUGE/BLEU scripts call ``utils.cal_similarity(..., lang='en')``, which segments Chinese
  with jieba only for ``lang='zh'`` (as ``Rationale.py``'s ``TASKID2LANG`` does).

Layout: ``exports/meds_bench/<split>/task<N>_<key>.json`` per task, language and split, beside
the MCQ export's files; ``key`` is :func:`~curation.release.exports.task_key` (the task id,
suffixed with the language unless it already ends with it) and ``N = 20000 + crc32(key) mod
70000`` (:func:`task_number`): stable across releases, clear of the MCQ export (9000–9999) and of
MedS-Bench's own ids. Two keys of one release sharing N, or a different file already holding
``task<N>_`` in a split folder, is an error (the loader would merge them into one task).
Instances without a reference or an input are left out and counted. ``Positive Examples`` hold
up to :data:`POSITIVE_EXAMPLES` train instances of the same task and language.

The summary is ``meds_bench/README_tasks.md``, written by this exporter alone: the MCQ exporter
owns ``README.md`` (one README each, no ordering between the two exporters, and both stay out of
the split folders the loader reads).
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

import polars as pl

from curation.release.exports import require_columns, task_key
from curation.tasks.contract import FAMILY_NAMES, RELEASE_COLUMNS

FIRST_NUMBER, NUMBERS = 20000, 70000  # task20000 … task89999
POSITIVE_EXAMPLES = 5
LANGUAGE_NAMES = {"zh": "Chinese", "en": "English"}
DOMAINS = ["Clinical medicine"]
README = "README_tasks.md"

CONTAINED = "accuracy: the reference is contained in the answer"
ROUGE = "BLEU-1 / ROUGE-L F, `lang='en'`"
# (family, output type) → (Metrics/ script and its task-id option, how it scores), from
# Metrics/*.py; label rows also need labels the script understands (see _metric).
MEDS_METRICS: dict[tuple[str, str], tuple[str, str]] = {
    ("mcq", "label"): ("MCQA.py --task_ids", "first character of answer and reference, a-d"),
    ("diagnosis", "label"): ("Diagnosis.py", CONTAINED),
    ("diagnosis", "free_text"): ("Diagnosis.py", CONTAINED),
    ("treatment_planning", "label"): ("TreatmentPlanning.py --task_ids", CONTAINED),
    ("treatment_planning", "free_text"): ("TreatmentPlanning.py --task_ids", CONTAINED),
    ("information_extraction", "label"): ("InformationExtraction.py --task_ids", CONTAINED),
    ("information_extraction", "free_text"): ("InformationExtraction.py --task_ids", CONTAINED),
    ("outcome_prediction", "label"): (
        "ClinicalOutcomePrediction.py --task_ids",
        "accuracy for references 'true' / 'false'",
    ),
    ("nli", "label"): (
        "NatureLanguageInference.py --type classification --classification_task_ids",
        CONTAINED,
    ),
    ("nli", "free_text"): (
        "NatureLanguageInference.py --type generation --generation_task_ids",
        ROUGE,
    ),
    ("fact_verification", "label"): (
        "FactVerification.py --acc_task_ids",
        "accuracy: the reference is contained in the answer's first line",
    ),
    ("fact_verification", "free_text"): ("FactVerification.py --bleu_task_ids", ROUGE),
    ("summarization", "free_text"): ("TextSummarization.py --primary_task_ids", ROUGE),
    ("explanation", "free_text"): ("ConceptExplanation.py --task_ids", ROUGE),
}


def task_number(key: str) -> int:
    """The N of ``task<N>`` for a task key: 20000 + crc32(key) mod 70000."""
    return FIRST_NUMBER + zlib.crc32(key.encode("utf-8")) % NUMBERS


def _one(group: pl.DataFrame, column: str, key: str) -> Any:
    """The single value of ``column`` in one task's rows (a file holds one Definition)."""
    values = group[column].unique().to_list()
    if len(values) != 1:
        raise ValueError(f"task {key}: one {column} expected per task and language, got {values}")
    return values[0]


def _instances(group: pl.DataFrame) -> tuple[list[dict[str, str]], int]:
    """(instances sorted by id, how many were left out for a missing reference or input)."""
    kept = [
        {"id": r["instance_id"], "input": r["input"], "output": r["reference"]}
        for r in group.sort("instance_id").iter_rows(named=True)
        if r["reference"] and r["input"]
    ]
    return kept, group.height - len(kept)


def _numbers(keys: list[str]) -> dict[str, int]:
    """Task key → N, failing when two keys of the release share an N."""
    seen: dict[int, str] = {}
    for key in sorted(keys):
        number = task_number(key)
        if number in seen:
            raise ValueError(
                f"MedS-Bench task number task{number} is shared by tasks {seen[number]!r} and "
                f"{key!r}: MedS-Bench's loader would merge them into one task; rename one task"
            )
        seen[number] = key
    return {key: number for number, key in seen.items()}


def _check_free(target: Path, number: int) -> None:
    """No other file of the split folder may carry this task number."""
    if not target.parent.is_dir():
        return
    for other in target.parent.glob(f"task{number}_*"):
        if other.name != target.name:
            raise ValueError(
                f"{other} already uses MedS-Bench task number task{number}: the loader would "
                f"merge it with {target.name}"
            )


def meds_bench_tasks(frame: pl.DataFrame, out: Path, name: str, homepage: str = "") -> list[str]:
    """Write ``meds_bench/<split>/task<N>_<key>.json`` per task config, language and split of a
    task release frame (``config`` + RELEASE_COLUMNS) and ``meds_bench/README_tasks.md``;
    return the paths written, relative to the release."""
    require_columns(frame, ["config", *RELEASE_COLUMNS], "meds_bench_tasks")
    folder = out / "meds_bench"
    units = frame.partition_by("task", "language", as_dict=True)
    keys = {task_key(task, language): (task, language) for task, language in units}
    numbers = _numbers(list(keys))
    written: list[str] = []
    summary: list[dict[str, Any]] = []
    files: list[tuple[str, int, dict[str, Any]]] = []
    for key in sorted(keys):
        group = units[keys[key]]
        task, language = keys[key]
        number = numbers[key]
        instruction = _one(group, "instruction", key)
        family = _one(group, "family", key)
        language_name = LANGUAGE_NAMES.get(language, language)
        by_split = {
            s: _instances(g) for (s,), g in group.partition_by("split", as_dict=True).items()
        }
        train = by_split.get("train", ([], 0))[0]
        positive = [
            {"input": i["input"], "output": i["output"], "explanation": ""}
            for i in train[:POSITIVE_EXAMPLES]
        ]
        for split in sorted(by_split):
            instances, left_out = by_split[split]
            path = f"{split}/task{number}_{key}.json"
            summary.append(
                {
                    "path": path,
                    "task": task,
                    "family": family,
                    "language": language,
                    "output_type": _one(group, "output_type", key),
                    "scoring": _one(group, "scoring", key),
                    "labels": sorted({x for ls in group["labels"].to_list() for x in ls or []}),
                    "instances": len(instances),
                    "left_out": left_out,
                    "longest": max((len(i["input"]) for i in instances), default=0),
                    "number": number,
                }
            )
            if not instances:
                continue
            document = {
                "Contributors": [name],
                "Source": sorted(group["source"].unique().to_list()),
                "URL": [homepage] if homepage else [],
                "Categories": [FAMILY_NAMES.get(family, family)],
                "Reasoning": [],
                "Definition": [instruction],
                "Input_language": [language_name],
                "Output_language": [language_name],
                "Instruction_language": [language_name],
                "Domains": DOMAINS,
                "Positive Examples": positive,
                "Negative Examples": [],
                "Split Type": "Train" if split == "train" else "Test",
                "Instances": instances,
            }
            files.append((path, number, document))
    for path, number, _ in files:  # check them all before writing any
        _check_free(folder / path, number)
    for path, _, document in files:
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        written.append(f"exports/meds_bench/{path}")
    if summary:
        (folder / README).write_text(readme(summary), encoding="utf-8")
        written.append(f"exports/meds_bench/{README}")
    return written


def _metric(row: dict[str, Any]) -> tuple[str, str]:
    """(the ``Metrics/`` command that scores this file, or '' if none does; how to score it)."""
    family, output, labels = row["family"], row["output_type"], row["labels"]
    if output == "spans":
        return "", "span F1 (`scoring`): NamedEntityRecognition.py reads 'a, b, c.' lists"
    if output == "fields":
        return "", "field F1 (`scoring`): InformationExtraction.py would need the whole JSON"
    script, how = MEDS_METRICS.get((family, output), ("", ""))
    if output == "free_text" and how == ROUGE and row["language"] != "en":
        return "", "ROUGE-L: `utils.cal_similarity(answer, GT, lang='zh', metric='Rouge')`"
    if family == "mcq" and not set(labels) <= set("ABCD"):
        script = ""
    if family == "outcome_prediction" and not {x.lower() for x in labels} <= {"true", "false"}:
        script = ""
    if not script:
        return "", f"`{row['scoring']}` as the release advertises it (no MedS-Ins metric fits)"
    return script, how


def _command(script: str, how: str, ids: set[str]) -> str:
    """One README line: the Metrics/ command line for these task ids."""
    name, _, option = script.partition(" --")
    if not option:  # Diagnosis.py scores every row of its CSV
        return (
            f"- `python Metrics/{name} --files <eval.py CSV>` on a CSV of the rows of "
            f"{', '.join(sorted(ids))} only — {how}"
        )
    listed = " ".join(sorted(ids))
    return f"- `python Metrics/{name} --files <eval.py CSV> --{option} {listed}` — {how}"


def readme(summary: list[dict[str, Any]]) -> str:
    """``README_tasks.md`` from the summary rows (one per file, written or not)."""
    rows, commands = [], {}
    for r in sorted(summary, key=lambda r: r["path"]):
        script, how = _metric(r)
        if script and r["instances"]:
            commands.setdefault((script, how), set()).add(f"task{r['number']}")
        rows.append(
            f"| `{r['path']}`{'' if r['instances'] else ' (not written)'} | {r['task']} | "
            f"{r['family']} | {r['language']} | {r['output_type']} | {r['scoring']} | "
            f"{r['instances']} | {r['left_out']} | {r['longest']} | "
            f"{f'`{script}`: ' if script else ''}{how} |"
        )
    scripts = "\n".join(_command(s, how, ids) for (s, how), ids in sorted(commands.items()))
    table = "\n".join(rows)
    return (
        "# MedS-Bench: task configs\n\n"
        "Task files for MedS-Ins's evaluation code, in the same split folders as the MCQ files "
        "(see `README.md`): point `BENCHMARK_ROOT` at this folder and run `Evaluation/eval.py "
        "--benchmark_task test`. One file per task, language and split, named "
        "`task<N>_<task key>.json` with N = 20000 + crc32(task key) mod 70000: the same in every "
        "release, clear of the MCQ ids (9000–9999) and of MedS-Bench's own.\n\n"
        "`Definition` is the task's instruction in the instance's language (MedS-Bench's own "
        "definitions are English); `EvalDataset.py` uses it as the system prompt, after 3 "
        "examples drawn from the same file's `Instances` (other items of the same split, possibly "
        "the item itself) and followed by its English 'Please learn from the few-shot cases…'. "
        "`Positive Examples` hold up to "
        f"{POSITIVE_EXAMPLES} train instances of the same task for a harness that takes its "
        "examples from there; run with `NO_CONTEXT_P = 1.0` for zero-shot. References are text: "
        "the label for label tasks, a JSON object for fields tasks, a JSON list for spans "
        "tasks.\n\n"
        "`eval.py` truncates the prompt to the tokenizer's 2048 tokens (from the right, cutting "
        "the question's end) and generates 200 new tokens (1000 with `--eos_id`): check "
        "'longest input' below for long records and long references.\n\n"
        "## Scoring\n\n"
        "`Metrics/` scripts read `eval.py`'s CSV; pass the ids below (their defaults are "
        "MedS-Bench's own ids). Their ROUGE/BLEU calls use `lang='en'`: for Chinese free text "
        "score with `utils.cal_similarity(answer, GT, lang='zh', metric='Rouge')` (jieba words; "
        "MedCurate's advertised ROUGE-L is character-level for zh, so numbers differ). Spans and "
        "fields answers are JSON: score them with the F1 the release advertises (`scoring` "
        "column).\n\n"
        f"{scripts or '- (no file of this release has a MedS-Ins metric)'}\n\n"
        "Containment accuracy counts a label whose text holds another label (`unstable` holds "
        "`stable`) as an answer of both.\n\n"
        "| file | task | family | language | output | scoring | instances | "
        "no reference left out | longest input (chars) | score with |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
        f"{table}\n"
    )
