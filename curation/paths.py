"""Where every artifact lives, relative to the project root: one place for the layout."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProjectPaths:
    """The project layout under a root directory."""

    root: Path

    @property
    def sources_file(self) -> Path:
        return self.root / "sources.yaml"

    @property
    def params_file(self) -> Path:
        return self.root / "params.yaml"

    @property
    def raw_dir(self) -> Path:
        return self.root / "raw"

    def stage_output(self, stage: str, source: str) -> Path:
        """Kept rows of a per-source stage, e.g. data/ingested/<source>.parquet."""
        folder = {"ingest": "ingested", "validate": "validated", "tag": "tagged"}.get(stage, stage)
        return self.root / "data" / folder / f"{source}.parquet"

    def stage_input(self, stage: str, source: str, made_by: str) -> Path:
        """The output of stage `stage` for a source, which the calling stage reads; an
        InputFileError naming the file and the command `made_by` that makes it if it is missing
        (a stage never falls back to a less processed input)."""
        from curation.errors import InputFileError

        path = self.stage_output(stage, source)
        if not path.is_file():
            raise InputFileError(
                f"{path} does not exist",
                hint=f"It is made by `{made_by}` (DVC stage {stage}): run that, or `dvc repro`.",
            )
        return path

    @property
    def curated(self) -> Path:
        """The deduplicated item set: data/curated.parquet."""
        return self.root / "data" / "curated.parquet"

    @property
    def review_snapshot(self) -> Path:
        """Physicians' annotations pulled from Label Studio: data/review/export.json."""
        return self.root / "data" / "review" / "export.json"

    @property
    def reviewed(self) -> Path:
        """Curated items with physicians' decisions applied: data/reviewed.parquet."""
        return self.root / "data" / "reviewed.parquet"

    @property
    def split(self) -> Path:
        """Reviewed, accepted items with their split: data/split.parquet."""
        return self.root / "data" / "split.parquet"

    @property
    def split_tasks(self) -> Path:
        """Task instances of the split items, with a reference: data/split_tasks.parquet."""
        return self.root / "data" / "split_tasks.parquet"

    @property
    def releases(self) -> Path:
        """Published releases: releases/<version>/."""
        return self.root / "releases"

    def merged(self, stage: str) -> Path:
        """Rows a stage merged into others (e.g. duplicates): data/merged/<stage>.parquet."""
        return self.root / "data" / "merged" / f"{stage}.parquet"

    def quarantine(self, stage: str, source: str) -> Path:
        """Quarantined rows of a stage: data/quarantine/<stage>/<source>.parquet."""
        return self.root / "data" / "quarantine" / stage / f"{source}.parquet"

    def report(self, stage: str, source: str | None = None) -> Path:
        """A stage report (DVC metric): reports/<stage>/<source>.json or reports/<stage>.json."""
        if source is None:
            return self.root / "reports" / f"{stage}.json"
        return self.root / "reports" / stage / f"{source}.json"
