"""Engines that run a declared stage's ``process`` over batches, returning judged batches in
input order: in this process, in worker processes on this machine, or on Ray Data.

Whatever the engine, the runner receives the same rows in the same order, so the outputs
are byte-identical (:class:`~curation.stages.runner.RowGroupWriter`). Each worker runs the
stage's ``setup`` once (resources load once per worker, never per batch).
"""

from __future__ import annotations

import math
import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import BaseModel

from curation.stages.runner import EngineConfig, ItemStage
from curation.stages.sink import read_batches


@dataclass
class EngineRun:
    """Judged batches in input order, and how they are made (for the report)."""

    batches: Iterator[pl.DataFrame]
    engine: str
    workers: int


class StageEngine:
    """A declared stage ready to run on an engine: its resources loaded once (in this
    process, so that a configuration error stops the stage before any record) and, for the
    local engine, one pool of worker processes reused for every source it runs."""

    def __init__(
        self, stage: ItemStage, config: BaseModel, root: Path, engine: EngineConfig
    ) -> None:
        self.stage, self.config, self.root, self.engine = stage, config, root, engine
        self.resources = stage.setup(config, root)
        self._pool: ProcessPoolExecutor | None = None
        self._pool_size = 0

    def __enter__(self) -> StageEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def run(self, src: Path, rows: int) -> EngineRun:
        """Judged batches of the items of `src` (`rows` of them), in input order."""
        engine, stage = self.engine, self.stage
        batches = max(1, math.ceil(rows / engine.batch_size))
        workers = min(engine.worker_count(), batches)
        if engine.name == "ray":
            run = ray_batches(stage, self.config, self.root, src, engine, workers, batches)
            return EngineRun(run, "ray", workers)
        if not stage.parallel or workers == 1:
            judged = (
                stage.process(self.resources, b) for b in read_batches(src, engine.batch_size)
            )
            return EngineRun(judged, "local", 1)
        pool = self._worker_pool(workers)
        return EngineRun(pool_batches(pool, src, engine.batch_size, workers), "local", workers)

    def _worker_pool(self, workers: int) -> ProcessPoolExecutor:
        """The pool of worker processes (started once; grown if a larger source needs it)."""
        if self._pool is None or self._pool_size < workers:
            if self._pool is not None:
                self._pool.shutdown()
            self._pool = ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("spawn"),  # fork under polars' threads
                initializer=_start_worker,  # can deadlock
                initargs=(self.stage.module, self.config, self.root),
            )
            self._pool_size = workers
        return self._pool


# --- worker processes on this machine -------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _start_worker(module: str, config: BaseModel, root: Path) -> None:
    """Load the stage declared in `module` and its resources, once per worker."""
    from curation.contracts import use_project

    use_project(root)
    stage = import_module(module).DECLARED
    _WORKER.update(stage=stage, resources=stage.setup(config, root))


def _process_in_worker(batch: pl.DataFrame) -> pl.DataFrame:
    return _WORKER["stage"].process(_WORKER["resources"], batch)


def pool_batches(
    pool: ProcessPoolExecutor, src: Path, batch_size: int, workers: int
) -> Iterator[pl.DataFrame]:
    """Batches processed by the pool's worker processes, at most two per worker in flight
    (so memory stays bounded), yielded in input order."""
    pending: deque[Future[pl.DataFrame]] = deque()
    for batch in read_batches(src, batch_size):
        pending.append(pool.submit(_process_in_worker, batch))
        if len(pending) >= 2 * workers:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


# --- Ray Data --------------------------------------------------------------------------------


class RayStageWorker:
    """A Ray Data actor: the stage's setup runs once in ``__init__``, then every batch."""

    def __init__(self, module: str, config: BaseModel, root: str) -> None:
        _start_worker(module, config, Path(root))

    def __call__(self, batch: Any) -> Any:
        judged = _process_in_worker(pl.from_arrow(batch))  # type: ignore[arg-type]
        return judged.to_arrow()


def ray_batches(
    stage: ItemStage,
    config: BaseModel,
    root: Path,
    src: Path,
    engine: EngineConfig,
    workers: int,
    blocks: int,
) -> Iterator[pl.DataFrame]:
    """Batches processed by Ray Data ``map_batches`` over `workers` actors, in input order;
    the input is read as `blocks` blocks (one per batch), so that every actor gets work.

    Joins the cluster at ``engine.ray_address`` ('auto': the running one), else starts Ray
    on this machine."""
    import logging

    import ray

    logging.getLogger("ray.data").setLevel(logging.WARNING)  # no per-dataset chatter
    if not ray.is_initialized():
        ray.init(
            address=engine.ray_address or None,
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
        )
    # Reading needs a CPU beside the actors, or they hold every CPU and the read never starts.
    cpus = ray.cluster_resources().get("CPU", 1.0)
    actor_cpus = min(1.0, max(cpus - 1.0, 0.5) / workers)
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True  # the outputs keep the input's order
    context.enable_progress_bars = False
    dataset = ray.data.read_parquet(str(src), override_num_blocks=blocks).map_batches(
        RayStageWorker,
        fn_constructor_args=(stage.module, config, str(root)),
        batch_size=engine.batch_size,
        batch_format="pyarrow",
        zero_copy_batch=True,
        concurrency=workers,
        num_cpus=actor_cpus,
    )
    for table in dataset.iter_batches(batch_format="pyarrow", batch_size=None):
        yield pl.from_arrow(table)  # type: ignore[misc]
