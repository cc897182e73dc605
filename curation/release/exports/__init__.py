"""Exports for the people who run the benchmark: lm-evaluation-harness, OpenCompass, MedS-Bench.

Plain Hugging Face ``datasets`` loading needs no export: the card's YAML points at the parquet
files. Each exporter (one module per consumer) writes under ``exports/<tool>/`` and returns the
relative paths it wrote; this module holds what they share.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

LETTERS = "ABCDEFGHIJ"


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    """Rows as UTF-8 JSON lines with sorted keys (byte-reproducible)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")


def mcq_prompt(row: dict[str, Any]) -> str:
    """Context, stem and one line per option (``A. text``)."""
    parts = [row["context"]] if row.get("context") else []
    parts.append(row["question"] or "")
    parts += [f"{o['label']}. {o['text']}" for o in row["options"]]
    return "\n".join(parts)


def task_key(task: str, language: str) -> str:
    """The id of one task in one language across exports: the task id when it already ends
    with ``_<language>`` (``triage_zh``), else ``<task>_<language>``. It depends on nothing but
    the pair, so it is the same in every release."""
    return task if task.endswith(f"_{language}") else f"{task}_{language}"


def require_columns(frame: Any, columns: list[str], what: str) -> None:
    """Fail with the missing column names when ``frame`` lacks one of ``columns``."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: the frame lacks column(s) {', '.join(missing)}")
