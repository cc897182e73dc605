"""`curate tasks merge` (DVC stage ``task_merge``): physicians' task reviews → references.

Reads the pinned review snapshot (``data/review/export.json``, its ``task_projects``) and every
declared task's instances; writes ``data/tasks/reviewed/<task>.parquet`` — one row per instance:
its status (final | pending | needs_adjudication | rejected, see
:mod:`curation.tasks.review_rules`), the final reference, how it was reached, whether it differs
from what was pre-filled, every physician's review and the senior physician's adjudication
(``curate tasks adjudicate``: task projects of role ``adjudication``; it decides when complete)
— and ``reports/tasks_review.json``: counts by status per task and family, adjudication counts,
and agreement (:mod:`curation.tasks.review_agreement`, over the independent reviews only).

A reference physicians wrote (one that differs from the pre-filled answer; an adjudicator's
too) passes the de-identifier first (:mod:`curation.tasks.screen`): anything it finds that the
instance does not already show is masked and counted (``reference_phi_masked``); if screening
fails, the instance needs adjudication (``reference_screen_failed``) and its text is not kept.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import replace
from typing import Any

import polars as pl

from curation.errors import InputFileError
from curation.params import Params
from curation.paths import ProjectPaths
from curation.review import snapshot
from curation.review.configs import Role
from curation.review.ids import ReviewIds
from curation.review.rules import ReviewConfig
from curation.tasks.answers import Instance, answer_key
from curation.tasks.contract import OutputType
from curation.tasks.declarations import TaskSpec, load_tasks
from curation.tasks.layout import instances_path, reviewed_path
from curation.tasks.review_agreement import ReviewedInstance, task_agreement
from curation.tasks.review_rules import TaskDecision, TaskReview, TaskStatus, decide, read_review
from curation.tasks.screen import Screener, ScreenFailed

STAGE = "task_merge"
REVIEW_STRUCT = pl.Struct(
    {
        "annotator": pl.String(),
        "answerable": pl.String(),
        "verdict": pl.String(),
        "reject_reasons": pl.List(pl.String()),
        "answer": pl.String(),
        "missing": pl.List(pl.String()),
        "comment": pl.String(),
    }
)
REVIEWED_SCHEMA = pl.Schema(
    {
        "instance_id": pl.String(),
        "task": pl.String(),
        "status": pl.String(),
        "resolution": pl.String(),
        "reference": pl.String(),
        "reference_changed": pl.Boolean(),
        "reference_phi_masked": pl.Int64(),
        "prefill_origin": pl.String(),
        "reject_reasons": pl.List(pl.String()),
        "disagreements": pl.List(pl.String()),
        "annotations": pl.List(REVIEW_STRUCT),
        "adjudication": REVIEW_STRUCT,
    }
)
"""A reviewed instance (``data/tasks/reviewed/<task>.parquet``; internal instance ids)."""

ADJUDICATION_COUNTS = ("queued", "adjudicated", "final", "rejected", "incomplete", "awaiting")
"""Adjudication figures of the report: instances in an adjudication project (``queued``),
decided by a complete adjudication (``adjudicated`` = ``final`` + ``rejected``), with an
incomplete one (``incomplete``), and needing adjudication with none yet (``awaiting``)."""


def _instances(paths: ProjectPaths, task: str) -> pl.DataFrame:
    path = instances_path(paths, task)
    if not path.is_file():
        raise InputFileError(
            f"{path.relative_to(paths.root)} does not exist",
            hint=f"Build the task first: `dvc repro tasks@{task}`.",
        )
    return pl.read_parquet(path)


def gather(
    document: dict[str, Any], ids: ReviewIds, role: Role = Role.REVIEW
) -> dict[str, list[dict[str, Any]]]:
    """internal instance id → its exported tasks (oldest first) in the task projects of a role
    (review, or adjudication) of a snapshot."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for project in document.get("task_projects", []):
        if project.get("role", Role.REVIEW.value) != role.value:
            continue
        for task in project["tasks"]:
            internal = ids.to_internal(task.get("instance_id"))
            if internal is not None:
                found[internal].append(task)
    for tasks in found.values():
        tasks.sort(key=lambda t: t["task_id"])
    return dict(found)


def reviews_of(tasks: list[dict[str, Any]], instance: Instance) -> list[TaskReview]:
    """One review per physician (their latest annotation, over copies of the task)."""
    latest: dict[str, tuple[int, TaskReview]] = {}
    for task in tasks:
        for entry in task["annotations"]:
            if entry.get("cancelled"):
                continue
            review = read_review(entry["annotator"], entry.get("values") or {}, instance)
            if (
                entry["annotator"] not in latest
                or entry["annotation_id"] > latest[review.annotator][0]
            ):
                latest[review.annotator] = (entry["annotation_id"], review)
    return [latest[who][1] for who in sorted(latest)]


def latest_review(tasks: list[dict[str, Any]], instance: Instance) -> TaskReview | None:
    """The latest annotation over copies of a task (the adjudicator's decision), if any."""
    entries = [e for task in tasks for e in task["annotations"] if not e.get("cancelled")]
    if not entries:
        return None
    entry = max(entries, key=lambda e: e["annotation_id"])
    return read_review(entry["annotator"], entry.get("values") or {}, instance)


def _review_row(review: TaskReview) -> dict[str, Any]:
    return {
        "annotator": review.annotator,
        "answerable": review.answerable,
        "verdict": review.verdict,
        "reject_reasons": list(review.reject_reasons),
        "answer": review.answer,
        "missing": list(review.missing),
        "comment": review.comment,
    }


def run_task_merge(paths: ProjectPaths, params: Params) -> dict[str, Any]:
    """Write data/tasks/reviewed/<task>.parquet and reports/tasks_review.json."""
    config = params.review
    tasks = load_tasks(paths.root)
    document = snapshot.read(paths.review_snapshot)
    frames = {task_id: _instances(paths, task_id) for task_id in tasks}
    every = [i for frame in frames.values() for i in frame["instance_id"].to_list()]
    ids = ReviewIds.for_project(paths.root, every)
    found = gather(document, ids)
    adjudicated = gather(document, ids, Role.ADJUDICATION)
    screener = Screener(paths.root, params.deid.detection())
    report: dict[str, Any] = {
        "stage": STAGE,
        "snapshot": document["snapshot"],
        "decision_rule": {
            "required_reviews": config.required_reviews,
            "majority": config.majority,
        },
        "adjudication": {},
        "reviews_of_unknown_instances": len(set(found) - set(every)),
        "tasks": {},
        "families": {},
    }
    by_family: dict[str, list[ReviewedInstance]] = defaultdict(list)
    family_status: dict[str, Counter[str]] = defaultdict(Counter)
    family_tasks: dict[str, list[str]] = defaultdict(list)
    for task_id, spec in tasks.items():
        rows, reviewed, figures = _merge_task(frames[task_id], found, adjudicated, config, screener)
        path = reviewed_path(paths, task_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        pl.DataFrame(rows, schema=REVIEWED_SCHEMA, orient="row").write_parquet(
            path, statistics=False
        )
        figures["agreement"] = task_agreement(
            reviewed, config.bootstrap, config.seed, config.min_pair_items
        )
        report["tasks"][task_id] = _task_header(spec) | figures
        by_family[spec.family.value].extend(reviewed)
        family_status[spec.family.value].update(figures["by_status"])
        family_tasks[spec.family.value].append(task_id)
    for family, reviewed in sorted(by_family.items()):
        report["families"][family] = {
            "tasks": family_tasks[family],
            "instances": len(reviewed),
            "by_status": dict(sorted(family_status[family].items())),
            "agreement": task_agreement(
                reviewed, config.bootstrap, config.seed, config.min_pair_items
            ),
        }
    report["by_status"] = dict(sorted(sum(family_status.values(), Counter()).items()))
    report["adjudication"] = {
        name: sum(t["adjudication"][name] for t in report["tasks"].values())
        for name in ADJUDICATION_COUNTS
    }
    out = paths.report("tasks_review")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return report


def _task_header(spec: TaskSpec) -> dict[str, Any]:
    return {
        "family": spec.family.value,
        "output_type": spec.output.type.value,
        "reference_origin": spec.reference.origin,
    }


def _merge_task(
    frame: pl.DataFrame,
    found: dict[str, list[dict[str, Any]]],
    adjudicated: dict[str, list[dict[str, Any]]],
    config: ReviewConfig,
    screener: Screener,
) -> tuple[list[dict[str, Any]], list[ReviewedInstance], dict[str, Any]]:
    """(reviewed rows, instances with their reviews, counts) of one task."""
    rows, reviewed = [], []
    status: Counter[str] = Counter()
    adjudication: Counter[str] = Counter({name: 0 for name in ADJUDICATION_COUNTS})
    resolution: Counter[str] = Counter()
    incomplete: Counter[str] = Counter()
    changed = masked_total = pushed = annotations = 0
    for row in frame.sort("instance_id").iter_rows(named=True):
        instance = Instance.of(row)
        tasks = found.get(instance.instance_id, [])
        pushed += bool(tasks)
        prefill = (tasks[0].get("prefill") or None) if tasks else None
        origin = tasks[0].get("prefill_origin") if tasks else None
        reviews = reviews_of(tasks, instance)
        annotations += len(reviews)
        incomplete.update(m for r in reviews for m in r.missing)
        queued = adjudicated.get(instance.instance_id, [])
        senior = latest_review(queued, instance)
        decision = decide(
            reviews,
            instance.output_type,
            prefill,
            config.required_reviews,
            config.majority,
            senior,
        )
        decision, masked = _screened(decision, instance, prefill, screener)
        adjudication["queued"] += bool(queued)
        if decision.adjudicated and decision.status != TaskStatus.NEEDS_ADJUDICATION:
            adjudication["adjudicated"] += 1
            adjudication[decision.status.value] += 1
        elif senior is not None and senior.missing:
            adjudication["incomplete"] += 1
        elif decision.status == TaskStatus.NEEDS_ADJUDICATION and senior is None:
            adjudication["awaiting"] += 1
        different = decision.reference is not None and answer_key(
            instance.output_type, decision.reference
        ) != answer_key(instance.output_type, prefill)
        rows.append(
            {
                "instance_id": instance.instance_id,
                "task": instance.task,
                "status": decision.status.value,
                "resolution": decision.resolution,
                "reference": decision.reference,
                "reference_changed": different if decision.reference is not None else None,
                "reference_phi_masked": masked,
                "prefill_origin": origin,
                "reject_reasons": list(decision.reject_reasons),
                "disagreements": list(decision.disagreements),
                "annotations": [_review_row(r) for r in reviews],
                "adjudication": None if senior is None else _review_row(senior),
            }
        )
        reviewed.append(
            ReviewedInstance(instance.instance_id, instance.output_type, prefill, origin, reviews)
        )
        status[decision.status.value] += 1
        if decision.resolution:
            resolution[decision.resolution] += 1
        changed += different
        masked_total += masked
    figures = {
        "instances": frame.height,
        "pushed": pushed,
        "annotations": annotations,
        "by_status": dict(sorted(status.items())),
        "by_resolution": dict(sorted(resolution.items())),
        "incomplete": dict(sorted(incomplete.items())),
        "reference_changed": changed,
        "reference_phi_masked": masked_total,
        "adjudication": dict(adjudication),
    }
    return rows, reviewed, figures


def _screened(
    decision: TaskDecision, instance: Instance, prefill: str | None, screener: Screener
) -> tuple[TaskDecision, int]:
    """The decision with a reference physicians wrote screened (labels and spans hold no new
    text; an unchanged pre-fill was screened or de-identified before it was shown)."""
    if decision.reference is None or instance.output_type in (OutputType.LABEL, OutputType.SPANS):
        return decision, 0
    if answer_key(instance.output_type, decision.reference) == answer_key(
        instance.output_type, prefill
    ):
        return decision, 0
    try:
        text, masked = screener.screen(instance, decision.reference)
    except ScreenFailed:
        return (
            TaskDecision(
                TaskStatus.NEEDS_ADJUDICATION,
                disagreements=("reference_screen_failed",),
                reviews=decision.reviews,
                adjudicated=decision.adjudicated,
            ),
            0,
        )
    return replace(decision, reference=text, disagreements=()), masked
