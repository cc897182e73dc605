"""`curate ingest`: read one source's raw files and write items, quarantine and report."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from curation.errors import InputFileError
from curation.paths import ProjectPaths
from curation.sources.readers import open_source
from curation.sources.spec import SourceSpec
from curation.stages.base import StageReport, write_stage_report
from curation.stages.ingest import POSITION, STAGE, IngestConfig, ingest, repeated_keys
from curation.stages.sink import StageSink, read_batches


def ingest_config_from_env() -> IngestConfig:
    """Ingest time comes only from SOURCE_DATE_EPOCH, so that reruns are byte-identical."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    stamp = datetime.fromtimestamp(int(epoch), tz=UTC) if epoch and epoch.isdigit() else None
    return IngestConfig(ingested_at=stamp)


BATCH_ROWS = 10_000  # records mapped at a time: memory does not grow with the source


def run_ingest(paths: ProjectPaths, spec: SourceSpec, config: IngestConfig) -> StageReport:
    """Ingest one source end to end, in batches, and return its (checked) report."""
    kept_path = paths.stage_output(STAGE, spec.name)
    quarantine_path = paths.quarantine(STAGE, spec.name)
    with open_source(spec, paths.root) as raw, tempfile.TemporaryDirectory() as tmp:
        try:
            staged = Path(tmp) / "raw.parquet"  # the raw rows, numbered, streamed to disk
            # in row groups of a batch: each batch below decodes only its own rows
            raw.frame.with_row_index(POSITION).sink_parquet(staged, row_group_size=BATCH_ROWS)
            repeated = repeated_keys(pl.scan_parquet(staged), spec)
            with StageSink(STAGE, kept_path, quarantine_path) as sink:
                for batch in read_batches(staged, BATCH_ROWS):
                    result = ingest(batch.lazy(), spec, config, repeated)
                    sink.add_split(*pl.collect_all([result.kept, result.quarantined]))
        except pl.exceptions.PolarsError as exc:
            # polars messages can quote cell contents: report the type only
            raise InputFileError(
                f"source '{spec.name}': reading {', '.join(raw.files)} failed "
                f"({type(exc).__name__}); is the file a well-formed {spec.format}?"
            ) from None
        rows_in = pq.ParquetFile(staged).metadata.num_rows
    details = {"files": raw.files, "format": spec.format.value, "encoding": raw.encoding}
    return write_stage_report(
        paths.report(STAGE, spec.name),
        STAGE,
        spec.name,
        rows_in,
        sink.kept,
        dict(sink.by_reason),
        details,
    )
