"""Where grading reads and writes, and the grading snapshot file (format, read, write).

``data/grading/export.json`` is the snapshot ``curate grade pull`` writes
(:mod:`curation.grading.snapshot`) and ``curate grade merge`` reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curation.documents import read_document, write_document

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
    write_document(document, path)


def read(path: Path) -> dict[str, Any]:
    """Read a snapshot file; a missing or foreign file is a clear error."""
    return read_document(path, FORMAT, "a MedCurate grading snapshot", "curate grade pull")
