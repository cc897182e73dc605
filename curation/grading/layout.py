"""Where grading reads and writes, and the grading snapshot file (format, read, write).

``data/grading/export.json`` is the snapshot ``curate grade pull`` writes
(:mod:`curation.grading.snapshot`) and ``curate grade merge`` reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curation.errors import InputFileError

FORMAT = "medcurate-grading-snapshot/1"


@dataclass(frozen=True)
class GradingLayout:
    """Where the grading stages read and write."""

    root: Path

    @property
    def export(self) -> Path:
        return self.root / "data" / "grading" / "export.json"

    @property
    def grades(self) -> Path:
        return self.root / "data" / "grading" / "grades.parquet"

    @property
    def item_stats(self) -> Path:
        return self.root / "data" / "grading" / "item_stats.parquet"

    @property
    def report(self) -> Path:
        return self.root / "reports" / "grading.json"

    @property
    def plot(self) -> Path:
        return self.root / "reports" / "grading_agreement.png"


def empty(snapshot: int = 0, version: str = "") -> dict[str, Any]:
    """The snapshot before any grading (needs no server)."""
    return {"format": FORMAT, "snapshot": snapshot, "version": version, "answers": []}


def write(document: dict[str, Any], path: Path) -> None:
    """Write the snapshot as stable JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")


def read(path: Path) -> dict[str, Any]:
    """Read a grading snapshot; a missing or foreign file is a clear error."""
    if not path.is_file():
        raise InputFileError(
            f"{path} does not exist", hint="Run `curate grade pull` (or `dvc repro`) first."
        )
    document = json.loads(path.read_text(encoding="utf-8"))
    if document.get("format") != FORMAT:
        raise InputFileError(f"{path} is not a MedCurate grading snapshot ({FORMAT})")
    return document
