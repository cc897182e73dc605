"""OpenCompass datasets of a release."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from curation.release.exports import write_jsonl


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
        write_jsonl(out / "opencompass" / f"{config}_{split}.jsonl", rows)
        written.append(relative)
    return written
