"""`curate ingest`: read one source's raw files and write items, quarantine and report."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import polars as pl

from curation.errors import InputFileError
from curation.paths import ProjectPaths
from curation.sources.readers import open_source
from curation.sources.spec import SourceSpec
from curation.stages.base import StageReport, write_outputs, write_stage_report
from curation.stages.ingest import STAGE, IngestConfig, ingest


def ingest_config_from_env() -> IngestConfig:
    """Ingest time comes only from SOURCE_DATE_EPOCH, so that reruns are byte-identical."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    stamp = datetime.fromtimestamp(int(epoch), tz=UTC) if epoch and epoch.isdigit() else None
    return IngestConfig(ingested_at=stamp)


def run_ingest(paths: ProjectPaths, spec: SourceSpec, config: IngestConfig) -> StageReport:
    """Ingest one source end to end and return its (checked) report."""
    kept_path = paths.stage_output(STAGE, spec.name)
    quarantine_path = paths.quarantine(STAGE, spec.name)
    with open_source(spec, paths.root) as raw:
        rows_in = raw.frame.select(pl.len()).collect().item()
        result = ingest(raw.frame, spec, config)
        try:
            kept, by_reason = write_outputs(result, kept_path, quarantine_path)
        except pl.exceptions.PolarsError as exc:
            # polars messages can quote cell contents: report the type only
            raise InputFileError(
                f"source '{spec.name}': reading {', '.join(raw.files)} failed "
                f"({type(exc).__name__}); is the file a well-formed {spec.format}?"
            ) from None
    details = {"files": raw.files, "format": spec.format.value, "encoding": raw.encoding}
    return write_stage_report(
        paths.report(STAGE, spec.name), STAGE, spec.name, rows_in, kept, by_reason, details
    )
