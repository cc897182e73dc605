"""Task instances of the accepted items, with their item's split; their released form.

The split stage rebuilds every task's instances from the *reviewed, accepted* items
(:func:`split_instances`), with the same pure builder as ``curate tasks build``: a text that
physicians corrected in review (PHI they marked, an edited record) reaches a task's input as
corrected, never as it was before review. An instance takes its item's split, so it never moves
between versions either. Only instances with a reference are released: a derived reference is
ready; an authored one waits for physicians to write it (``awaiting_reference``).

Task review (``curate tasks merge``, ``data/tasks/reviewed/``) is joined by instance id; only
the reference comes from it. A final review gives an authored instance its reference, and
replaces a derived reference that physicians corrected (``reference_origin`` becomes
``authored``; a derived reference they accepted as shown stays the one rebuilt from the
reviewed item). An instance physicians rejected is held back (``rejected_in_review``), so is
one they dispute (``awaiting_adjudication``). A derived instance not reviewed yet is released
with its derived reference, as before task review.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import polars as pl

from curation.identity import public_id
from curation.tasks.build import INSTANCE_SCHEMA, build
from curation.tasks.contract import RELEASE_COLUMNS, TASK_CONFIG_PREFIX
from curation.tasks.declarations import TaskSpec

SPLIT_SCHEMA = pl.Schema({**INSTANCE_SCHEMA, "split": pl.String()})
AWAITING_REFERENCE = "awaiting_reference"
AWAITING_ADJUDICATION = "awaiting_adjudication"
REJECTED_IN_REVIEW = "rejected_in_review"


def split_instances(
    items: pl.DataFrame,
    tasks: dict[str, TaskSpec],
    reviewed: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, dict[str, dict[str, Any]]]:
    """(instances with a reference and their item's split, per-task counts) from the split
    items (item rows with a ``split`` column) and the task reviews (`reviewed`: rows of
    ``data/tasks/reviewed/<task>.parquet`` — instance_id, status, reference,
    reference_changed — or None before any)."""
    split_of = dict(zip(items["item_id"], items["split"], strict=True))
    review_of: dict[str, dict[str, Any]] = {}
    if reviewed is not None:
        columns = ["instance_id", "status", "reference", "reference_changed"]
        review_of = {r["instance_id"]: r for r in reviewed.select(columns).iter_rows(named=True)}
    rows: list[dict[str, Any]] = []
    report: dict[str, dict[str, Any]] = {}
    for task_id, spec in tasks.items():
        held: Counter[str] = Counter()
        released: Counter[str] = Counter()
        from_review = corrected = 0
        for built in build(task_id, spec, items.iter_rows(named=True)):
            instance = built.instance
            if instance is None:
                held[str(built.reason)] += 1
                continue
            review = review_of.get(instance["instance_id"]) or {}
            status = review.get("status")
            if status == "rejected":
                held[REJECTED_IN_REVIEW] += 1
                continue
            if status == "needs_adjudication":
                held[AWAITING_ADJUDICATION] += 1
                continue
            if status == "final" and (instance["reference"] is None or review["reference_changed"]):
                instance = instance | {"reference": review["reference"]}
                if instance["reference_origin"] == "derived":
                    instance["reference_origin"] = "authored"  # physicians corrected it
                    corrected += 1
                from_review += 1
            if instance["reference"] is None:
                held[AWAITING_REFERENCE] += 1
            else:
                split = split_of[built.item_id]
                rows.append(instance | {"split": split})
                released[split] += 1
        report[task_id] = {
            "items_in": items.height,
            "released": sum(released.values()),
            "by_split": dict(sorted(released.items())),
            "held_back": dict(sorted(held.items())),
            "reference_from_review": from_review,
            "derived_corrected_in_review": corrected,
        }
    frame = pl.DataFrame(rows, schema=SPLIT_SCHEMA, orient="row")
    return frame.sort("task", "instance_id"), report


def config_name(task_id: str) -> str:
    """The release config of a task: ``task_<id>``."""
    return f"{TASK_CONFIG_PREFIX}{task_id}"


def task_gate_rows(instances: pl.DataFrame) -> pl.DataFrame:
    """Instances as item-shaped rows for the residual-PHI gate: every text a release shows
    (instruction, input, reference, labels) in the fields the gate reads."""
    return instances.select(
        item_id=pl.col("instance_id"),
        question=pl.col("instruction"),
        context=pl.col("input"),
        answer_text=pl.col("reference"),
        explanation=pl.col("labels").list.join("\n"),
        options=pl.lit([], dtype=pl.List(pl.Struct({"label": pl.String, "text": pl.String}))),
        turns=pl.lit([], dtype=pl.List(pl.Struct({"speaker": pl.String, "text": pl.String}))),
    )


def public_task_frame(instances: pl.DataFrame, salt: bytes) -> pl.DataFrame:
    """Split instances → released rows: a ``config`` column, then :data:`RELEASE_COLUMNS`, with
    public ids; sorted by config, split, instance_id."""

    def public(column: str) -> pl.Expr:
        return pl.col(column).map_elements(lambda v: public_id(salt, v), return_dtype=pl.String)

    return (
        instances.with_columns(
            config=pl.lit(TASK_CONFIG_PREFIX) + pl.col("task"),
            instance_id=public("instance_id"),
            item_id=public("item_id"),
            cluster_id=public("cluster_id"),
        )
        .select(["config", *RELEASE_COLUMNS])
        .sort("config", "split", "instance_id")
    )
