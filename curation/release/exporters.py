"""Exports for the people who run the benchmark: lm-evaluation-harness, OpenCompass, MedS-Bench.

Plain Hugging Face ``datasets`` loading needs no export: the card's YAML points at the parquet
files. Each exporter writes under ``exports/<tool>/`` and returns the relative paths it wrote.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import yaml

LETTERS = "ABCDEFGHIJ"


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")


def _mcq_prompt(row: dict[str, Any]) -> str:
    parts = [row["context"]] if row.get("context") else []
    parts.append(row["question"] or "")
    parts += [f"{o['label']}. {o['text']}" for o in row["options"]]
    return "\n".join(parts)


def lm_eval(frame: pl.DataFrame, out: Path, name: str) -> list[str]:
    """lm-evaluation-harness multiple-choice tasks: one task YAML + JSONL splits per MCQ config.

    Its multiple_choice output type scores one target, so MCQs with several correct options are
    left out (their count is in the task's README). Run from the task folder:
    ``lm_eval --include_path . --tasks <task> …``.
    """
    written = []
    for (config,), group in sorted(frame.filter(pl.col("kind") == "mcq").group_by("config")):
        folder = out / "lm_eval" / config
        task = f"{name}_{config}"
        splits = {}
        skipped = 0
        for (split,), rows in sorted(group.group_by("split")):
            docs = []
            for row in rows.iter_rows(named=True):
                if len(row["answer_labels"]) != 1:
                    skipped += 1
                    continue
                letters = [o["label"] for o in row["options"]]
                docs.append(
                    {
                        "item_id": row["item_id"],
                        "question": _mcq_prompt(row),
                        "choices": letters,
                        "answer": letters.index(row["answer_labels"][0]),
                    }
                )
            _jsonl(folder / f"{split}.jsonl", docs)
            splits[split] = f"{split}.jsonl"
            written.append(f"exports/lm_eval/{config}/{split}.jsonl")
        spec = {
            "task": task,
            "dataset_path": "json",
            "dataset_kwargs": {"data_files": splits},
            "output_type": "multiple_choice",
            "test_split": "test" if "test" in splits else sorted(splits)[0],
            "doc_to_text": "{{question}}\nAnswer:",
            "doc_to_choice": "{{choices}}",
            "doc_to_target": "{{answer}}",
            "metric_list": [{"metric": "acc", "aggregation": "mean", "higher_is_better": True}],
            "metadata": {"version": 1.0},
        }
        if "dev" in splits:
            spec["validation_split"] = "dev"
        if "train" in splits:
            spec["fewshot_split"] = "train"
        (folder / f"{task}.yaml").write_text(
            yaml.safe_dump(spec, allow_unicode=True, sort_keys=True), encoding="utf-8"
        )
        (folder / "README.md").write_text(
            f"# {task}\n\nlm-evaluation-harness task over the `{config}` config. "
            f"{skipped} MCQ(s) with several correct options are left out (multiple_choice "
            "scores one target).\n\n```bash\ncd "
            f"exports/lm_eval/{config}\n"
            f"lm_eval --include_path . --tasks {task} --model hf --model_args pretrained=…\n```\n",
            encoding="utf-8",
        )
        written += [f"exports/lm_eval/{config}/{task}.yaml", f"exports/lm_eval/{config}/README.md"]
    return written


def opencompass(frame: pl.DataFrame, out: Path) -> list[str]:
    """OpenCompass style MCQ records: question, choices (option texts), label (letters)."""
    written = []
    for (config, split), group in sorted(
        frame.filter(pl.col("kind") == "mcq").group_by("config", "split")
    ):
        rows = [
            {
                "item_id": row["item_id"],
                "question": ((row["context"] + "\n") if row.get("context") else "")
                + (row["question"] or ""),
                "choices": [o["text"] for o in row["options"]],
                "label": "".join(row["answer_labels"]),
            }
            for row in group.iter_rows(named=True)
        ]
        relative = f"exports/opencompass/{config}_{split}.jsonl"
        _jsonl(out / "opencompass" / f"{config}_{split}.jsonl", rows)
        written.append(relative)
    return written


DEFINITIONS = {
    "mcq": "Answer the multiple-choice medical question. Reply with the letter(s) of the correct "
    "option(s) and the option text.",
    "open_qa": "Answer the medical question.",
    "record": "Read the clinical record and answer as instructed.",
    "dialogue": "Continue the patient-doctor dialogue as the doctor.",
}


def meds_bench(frame: pl.DataFrame, out: Path) -> list[str]:
    """MedS-Bench instance files: Definition + Instances (input/output); items without a
    reference output (e.g. records with no answer) are left out."""
    written = []
    for (config, split), group in sorted(frame.group_by("config", "split")):
        kind, language = config.split("_", 1)
        instances = []
        for row in group.iter_rows(named=True):
            if kind == "mcq":
                labels = set(row["answer_labels"])
                output = "; ".join(
                    f"{o['label']}. {o['text']}" for o in row["options"] if o["label"] in labels
                )
                source = _mcq_prompt(row)
            else:
                output = row.get("answer_text")
                source = "\n".join(p for p in (row.get("context"), row.get("question")) if p)
            if output and source:
                instances.append({"id": row["item_id"], "input": source, "output": output})
        if not instances:
            continue
        document = {
            "Definition": [DEFINITIONS.get(kind, "Solve the medical task.")],
            "Input_language": ["Chinese" if language == "zh" else "English"],
            "Output_language": ["Chinese" if language == "zh" else "English"],
            "Instruction_language": ["English"],
            "Categories": ["Question Answering" if kind in ("mcq", "open_qa") else kind],
            "Source": ["MedCurate"],
            "Instances": instances,
        }
        relative = f"exports/meds_bench/{config}_{split}.json"
        path = out / "meds_bench" / f"{config}_{split}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        written.append(relative)
    return written
