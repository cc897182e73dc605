"""`curate tasks build TASK` (DVC stage ``tasks@TASK``): one task's instances from the curated set.

Streams ``data/curated.parquet`` and writes ``data/tasks/instances/<task>.parquet`` (the
instances, in the curated set's order), ``data/tasks/not_eligible/<task>.parquet`` (every item
that yields none, with its reason) and ``reports/tasks/<task>.json``; items in = items with an
instance + not eligible, checked before anything is kept.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from curation.errors import ConfigError, CurationError, InputFileError
from curation.paths import ProjectPaths
from curation.sources.spec import load_sources
from curation.stages.sink import RowGroupWriter, read_batches
from curation.tasks.build import INSTANCE_SCHEMA, NOT_ELIGIBLE_SCHEMA, build, task_version
from curation.tasks.declarations import TASKS_FILE, TaskSpec, load_tasks

BATCH_ROWS = 1000
ITEM_COLUMNS = (
    "item_id",
    "cluster_id",
    "source",
    "kind",
    "language",
    "license",
    "context",
    "question",
    "options",
    "answer_labels",
    "turns",
    "source_labels",
    "explanation",
    "answer_text",
    "tags",
)


def instances_path(paths: ProjectPaths, task: str) -> Path:
    """A task's instances: data/tasks/instances/<task>.parquet."""
    return paths.root / "data" / "tasks" / "instances" / f"{task}.parquet"


def not_eligible_path(paths: ProjectPaths, task: str) -> Path:
    """Items that yield no instance of a task, with the reason: data/tasks/not_eligible/…"""
    return paths.root / "data" / "tasks" / "not_eligible" / f"{task}.parquet"


def build_task(
    paths: ProjectPaths,
    task_id: str,
    spec: TaskSpec,
    progress: Callable[[int], Any] | None = None,
) -> dict[str, Any]:
    """Build one task's instances from data/curated.parquet; returns (and writes) its report."""
    if not paths.curated.is_file():
        raise InputFileError(
            f"{paths.curated.relative_to(paths.root)} does not exist",
            hint="It is made by `curate dedup` (DVC stage dedup): run that, or `dvc repro`.",
        )
    kept = RowGroupWriter(instances_path(paths, task_id), INSTANCE_SCHEMA)
    dropped = RowGroupWriter(not_eligible_path(paths, task_id), NOT_ELIGIBLE_SCHEMA)
    reasons: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    items_in = instances = drafts = 0
    try:
        for batch in read_batches(paths.curated, BATCH_ROWS, columns=list(ITEM_COLUMNS)):
            rows, outs = [], []
            for built in build(task_id, spec, batch.iter_rows(named=True)):
                if built.instance is not None:
                    rows.append(built.instance)
                    languages[built.instance["language"]] += 1
                    drafts += built.instance["draft"] is not None
                else:
                    assert built.reason is not None
                    outs.append(
                        {
                            "item_id": built.item_id,
                            "task": task_id,
                            "reason": built.reason.value,
                            "detail": built.detail,
                        }
                    )
                    reasons[built.reason.value] += 1
            kept.write(pl.DataFrame(rows, schema=INSTANCE_SCHEMA, orient="row"))
            dropped.write(pl.DataFrame(outs, schema=NOT_ELIGIBLE_SCHEMA, orient="row"))
            items_in += batch.height
            instances += len(rows)
            if progress is not None:
                progress(batch.height)
        not_eligible = sum(reasons.values())
        if items_in != instances + not_eligible:
            raise CurationError(
                f"task {task_id}: {items_in} items in but {instances} instances + "
                f"{not_eligible} not eligible"
            )
    except BaseException:
        kept.discard()
        dropped.discard()
        raise
    kept.close()
    dropped.close()
    report = {
        "stage": "tasks",
        "task": task_id,
        "task_version": task_version(task_id, spec),
        "family": spec.family.value,
        "output_type": spec.output.type.value,
        "reference_origin": spec.reference.origin,
        "items_in": items_in,
        "instances": instances,
        "not_eligible": not_eligible,
        "not_eligible_by_reason": dict(sorted(reasons.items())),
        "instances_by_language": dict(sorted(languages.items())),
        "with_draft": drafts,
    }
    path = paths.report("tasks", task_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return report


def declared_tasks(paths: ProjectPaths) -> dict[str, TaskSpec]:
    """tasks.yaml, validated, with the sources it draws from checked against sources.yaml
    (no tasks without a tasks.yaml)."""
    if not (paths.root / TASKS_FILE).is_file():
        return {}
    return load_tasks(paths.root, set(load_sources(paths.sources_file)))


def chosen_tasks(tasks: dict[str, TaskSpec], names: list[str] | None) -> dict[str, TaskSpec]:
    """The named tasks (all when none are named); an unknown name is a ConfigError."""
    if not names:
        return tasks
    unknown = [n for n in names if n not in tasks]
    if unknown:
        known = ", ".join(tasks) or "none"
        raise ConfigError(f"unknown task(s) {', '.join(unknown)}; tasks.yaml declares: {known}")
    return {n: tasks[n] for n in names}


def reviewed_instances(paths: ProjectPaths) -> pl.DataFrame | None:
    """Every task's reviewed instances (``curate tasks merge``), or None before any."""
    from curation.tasks.layout import reviewed_dir

    folder = reviewed_dir(paths)
    files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
    if not files:
        return None
    return pl.concat([pl.read_parquet(f) for f in files], how="vertical_relaxed")
