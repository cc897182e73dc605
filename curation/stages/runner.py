"""One runner for every per-item stage: declared once, streamed in batches, on any engine.

A per-item stage (deid, validate, tag) is an :class:`ItemStage`: its name, the stage whose
per-source output it reads (no fallback), its params section, the columns it reads and writes,
a ``setup(config, root)`` that loads its heavy resources once per worker (recognizers, tagger
model, salt) and a pure ``process(resources, batch)`` that returns the batch *judged*: every
item column, plus ``_reason`` / ``_detail`` (null for a kept row).

:func:`run_item_stage` does the rest, the same way for every stage: it reads the input in
fixed-size batches (peak memory does not grow with the input), hands them to the engine
(in-process, worker processes, or Ray Data: :mod:`curation.stages.engines`), splits each judged
batch into kept rows and quarantine rows (:func:`~curation.stages.base.quarantine_items`),
writes both files with fixed-size row groups (so the bytes do not depend on the batch size,
the engine or the worker count), checks ``rows in = kept + quarantined`` and writes the
report, which names the engine and its worker count.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import polars as pl
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field

from curation.contracts import use_project
from curation.paths import ProjectPaths
from curation.stages.base import StageReport
from curation.stages.sink import StageSink

if TYPE_CHECKING:
    from curation.stages.engines import StageEngine

JUDGED_COLUMNS = ("_reason", "_detail")


class EngineConfig(BaseModel):
    """How per-item stages run (params.yaml, section `engine`). Outputs are byte-identical
    whatever is chosen here, so DVC does not re-run a stage when it changes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Literal["local", "ray"] = Field(
        default="local",
        description="local: this machine, worker processes; ray: Ray Data map_batches.",
    )
    workers: int = Field(
        default=0, ge=0, description="Worker processes / Ray actors; 0 = every core."
    )
    batch_size: int = Field(default=1000, ge=1, description="Items per batch.")
    ray_address: str = Field(
        default="",
        description="Ray cluster to join ('' = start a local Ray; 'auto' = the running one).",
    )

    def worker_count(self) -> int:
        """The number of workers asked for (0 means every core of this machine)."""
        return self.workers or os.cpu_count() or 1


@dataclass(frozen=True)
class ItemStage:
    """A per-item stage, declared once; :func:`run_item_stage` runs any of them."""

    name: str
    upstream: str  # the stage whose per-source output this one reads
    made_by: str  # the command that makes the upstream output ("{source}" filled in)
    params: str  # its params.yaml section
    reads: tuple[str, ...]  # item columns its process reads
    writes: tuple[str, ...]  # item columns its process writes
    setup: Callable[[Any, Path], Any]  # (config, project root) -> resources, once per worker
    process: Callable[[Any, pl.DataFrame], pl.DataFrame]  # (resources, batch) -> judged batch
    # (resources, kept file, quarantined per reason) -> report details
    details: Callable[[Any, Path, dict[str, int]], dict[str, Any]]
    parallel: bool = False  # worth worker processes (CPU-bound per item)

    @property
    def module(self) -> str:
        """The module that declares the stage (as ``DECLARED``): how workers find it."""
        return self.process.__module__


def judge_nothing(batch: pl.DataFrame) -> pl.DataFrame:
    """A batch judged with every row kept (for stages that never quarantine)."""
    return batch.with_columns(
        _reason=pl.lit(None, dtype=pl.String), _detail=pl.lit(None, dtype=pl.String)
    )


def run_item_stage(
    stage: ItemStage,
    paths: ProjectPaths,
    source: str,
    config: BaseModel,
    engine: EngineConfig | None = None,
    progress: Callable[[int], object] | None = None,
    write_report: bool = True,
    session: StageEngine | None = None,
) -> StageReport:
    """Run a declared stage over one source's items; write its outputs and (unless
    `write_report` is off) its checked report, reports/<stage>/<source>.json.

    `session` is an open :class:`~curation.stages.engines.StageEngine` to reuse (its resources
    and workers) across sources; without one, a session is opened for this source alone."""
    from curation.stages.engines import StageEngine  # engines import this module

    use_project(paths.root)
    src = paths.stage_input(stage.upstream, source, made_by=stage.made_by.format(source=source))
    if session is None:
        with StageEngine(stage, config, paths.root, engine or EngineConfig()) as own:
            return run_item_stage(
                stage,
                paths,
                source,
                config,
                progress=progress,
                write_report=write_report,
                session=own,
            )
    rows_in = pq.ParquetFile(src).metadata.num_rows
    kept_path = paths.stage_output(stage.name, source)
    quarantine_path = paths.quarantine(stage.name, source)
    with StageSink(stage.name, kept_path, quarantine_path) as sink:
        run = session.run(src, rows_in)
        for judged in run.batches:
            sink.add(judged)
            if progress:
                progress(judged.height)
    details = stage.details(session.resources, kept_path, dict(sink.by_reason)) | {
        "input": src.relative_to(paths.root).as_posix(),
        "engine": run.engine,
        "workers": run.workers,
    }
    report = StageReport.from_counts(
        stage.name, rows_in, sink.kept, dict(sink.by_reason), source, details
    )
    if write_report:
        report.write(paths.report(stage.name, source))
    return report
