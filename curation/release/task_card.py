"""The dataset card's part about task configs (``task_<id>``): columns, YAML configs, section."""

from __future__ import annotations

from typing import Any

import polars as pl

from curation.tasks.contract import FAMILY_NAMES

TASK_COLUMNS: dict[str, str] = {
    "instance_id": "Public id of the task instance (a keyed hash of item and task): the same "
    "instance keeps its id, and its item's split, in every release.",
    "task": "Task id as declared in the producing project's tasks.yaml.",
    "family": "MedS-Bench task family: "
    + ", ".join(f"{k} ({v})" for k, v in FAMILY_NAMES.items())
    + ".",
    "instruction": "What the model is asked to do, in the instance's language, with the allowed "
    "labels, entity types or JSON template of the answer when the task has them.",
    "input": "The text the model reads: the de-identified record, the record without the "
    "sections that hold the reference, or the first turns of a dialogue.",
    "reference": "The reference answer: text (free_text), one of `labels` (label), a JSON list of "
    "{start, end, label, text} over the input (spans) or a JSON object valid against "
    "`output_schema` (fields).",
    "output_type": "free_text, label, spans or fields.",
    "labels": "The allowed labels (label tasks) or entity types (spans tasks); empty otherwise.",
    "labels.item": "One allowed label or entity type.",
    "output_schema": "JSON Schema of a fields answer; empty for other output types.",
    "scoring": "The metric this release advertises: exact_match, accuracy, f1, rouge_l or judge.",
    "reference_origin": "derived (the source held the answer, e.g. a department label or a "
    "discharge-diagnosis section, cut from the input) or authored (written by physicians).",
}
"""What each task column means (columns shared with items are documented in card.COLUMNS)."""

HF_TASKS = {
    "label": "text-classification",
    "free_text": "text-generation",
    "spans": "token-classification",
    "fields": "text-generation",
}


def task_configs(tasks: pl.DataFrame) -> list[dict[str, Any]]:
    """The card YAML's ``configs`` entries of the task configs."""
    return [
        {
            "config_name": config,
            "data_files": [
                {"split": s, "path": f"data/{config}/{s}.parquet"}
                for s in sorted(group["split"].unique().to_list())
            ],
        }
        for (config,), group in sorted(tasks.group_by("config"), key=lambda g: g[0])
    ]


def task_categories(tasks: pl.DataFrame) -> set[str]:
    """HF task categories of the task configs."""
    return {HF_TASKS.get(t, "other") for t in tasks["output_type"].unique().to_list()}


def task_section(tasks: pl.DataFrame, version: str) -> list[str]:
    """## Tasks: one row per task config, its instruction and how to load it ([] if none)."""
    if tasks.is_empty():
        return []
    lines = [
        "## Tasks",
        "",
        "Evaluable tasks built from the records and dialogues, one instance per item and task "
        "(columns: " + ", ".join(f"`{c}`" for c in TASK_COLUMNS) + ", and the item's split, "
        "source, license, specialty). An instance shares its item's split. Load one with "
        f'`load_dataset("releases/{version}", "<config>")`.',
        "",
        "| config | family | dimension | output | scoring | reference | train | dev | test |",
        "|---|---|---|---|---|---|---:|---:|---:|",
    ]
    for (config,), group in sorted(tasks.group_by("config"), key=lambda g: g[0]):
        first = group.row(0, named=True)
        counts = dict(group.group_by("split").len().iter_rows())
        lines.append(
            f"| `{config}` | {first['family']} ({FAMILY_NAMES.get(first['family'], '')}) | "
            f"{first['dimension'] or ''} | {first['output_type']} | {first['scoring']} | "
            f"{first['reference_origin']} | {counts.get('train', 0)} | {counts.get('dev', 0)} | "
            f"{counts.get('test', 0)} |"
        )
    lines += ["", "Instructions:", ""]
    for (config, language), group in sorted(
        tasks.group_by("config", "language"), key=lambda g: g[0]
    ):
        instruction = group["instruction"][0].replace("\n", " ")
        lines.append(f"* `{config}` ({language}): {instruction}")
    lines += [
        "",
        "Exports: lm-evaluation-harness `generate_until` tasks "
        "(`exports/lm_eval/README_tasks.md`), OpenCompass QA files "
        "(`exports/opencompass/README_tasks.md`) and MedS-Bench task files "
        "(`exports/meds_bench/README_tasks.md`).",
        "",
    ]
    return lines
