"""`curate tasks adjudicate`: disputed task instances → a senior physician, one project per
output type.

Every instance whose status is ``needs_adjudication`` in ``data/tasks/reviewed/<task>.parquet``
(the last `dvc repro`) becomes one task of the adjudication project of its output type
(``<project> · task adjudication · free text`` …), for one physician. The screen is the review
screen, pre-filled as the reviewers saw it (the pre-fill of the pinned review snapshot), with a
read-only panel beside the input showing each reviewer's verdict and answer
(:func:`task_reviews_panel`). Tasks carry the instance's public id only; a reviewer's written
answer or comment is screened by the de-identifier before it is shown (withheld when screening
fails), so no text beyond the de-identified input reaches the server.

The adjudicator's decision, pulled with the next snapshot, decides the instance in
``curate tasks merge`` (:mod:`curation.tasks.review_rules`). The push is the review push's:
idempotent, keyed on the instance, under the project's push lock.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import polars as pl

from curation.errors import InputFileError
from curation.params import Params
from curation.paths import ProjectPaths
from curation.review import snapshot
from curation.review.configs import Role
from curation.review.ids import ReviewIds
from curation.review.lock import DEFAULT_WAIT, push_lock
from curation.review.projects import UpsertReport
from curation.tasks.answers import Instance
from curation.tasks.contract import OutputType
from curation.tasks.declarations import TaskSpec
from curation.tasks.drafts import load_drafts
from curation.tasks.layout import reviewed_path
from curation.tasks.merge import gather
from curation.tasks.review import (
    build_instance_task,
    load_instances,
    prefill,
    server_for,
)
from curation.tasks.review_configs import TASK_REJECT_REASONS, TaskProjectSpec
from curation.tasks.review_rules import TaskStatus
from curation.tasks.screen import Screener, ScreenFailed

Advance = Callable[[int], None]
Say = Callable[[str], None]

WITHHELD = "withheld: could not be de-identified 无法脱敏，不予显示"
ANSWERABLE = {"yes": "yes 能", "no": "no 不能"}
VERDICTS = {
    "correct": "correct as shown 所示答案正确",
    "corrected": "corrected 已修改",
    "reject": "reject 拒绝",
}
DISPUTES = {
    "verdict": "verdict: accept or reject 判定不一致（接受或拒绝）",
    "answer": "different answers 答案不一致",
    "label": "different labels 标签不一致",
    "reference_screen_failed": "the written reference could not be de-identified 参考答案无法脱敏",
}
MISSING = {
    "answerable": "not said whether answerable 未判断能否作答",
    "verdict": "no verdict 未选择判定",
    "reject_reason": "rejected without a reason 拒绝但未填写原因",
    "answer": "no answer 未作答",
    "answer_json": "fields answer is not JSON 字段答案不是合法 JSON",
    "answer_schema": "fields answer does not fit the task 字段答案不符合任务要求",
    "answer_spans": "spans outside the input 标注超出输入范围",
    "label_not_in_list": "a label not on the list 标签不在列表中",
}


def adjudication_queue(paths: ProjectPaths, task: str) -> pl.DataFrame:
    """A task's reviewed instances that need adjudication (a clear error before any merge)."""
    path = reviewed_path(paths, task)
    if not path.is_file():
        raise InputFileError(
            f"{path.relative_to(paths.root)} does not exist",
            hint="Bump review.snapshot in params.yaml and run `dvc repro` (or `curate tasks "
            "merge`) first.",
        )
    reviewed = pl.read_parquet(path)
    return reviewed.filter(pl.col("status") == TaskStatus.NEEDS_ADJUDICATION.value)


def _dispute(code: str) -> str:
    kind, _, rest = code.partition(":")
    if kind == "incomplete" and rest:
        return f"incomplete review 审核不完整: {MISSING.get(rest, rest)}"
    if kind == "adjudication_incomplete" and rest:
        return f"incomplete adjudication 裁定不完整: {MISSING.get(rest, rest)}"
    return DISPUTES.get(code, code)


def _screened(instance: Instance, text: str, screener: Screener) -> str:
    """A physician's text as it may be shown (PHI masked), or a notice when it cannot be."""
    try:
        return screener.screen(instance, text)[0]
    except ScreenFailed:
        return WITHHELD


def shown_answer(instance: Instance, answer: str, screener: Screener) -> str:
    """A reviewer's answer (as a reference stores it) for the panel: a label, the marked spans
    (texts of the input), or a written answer screened by the de-identifier."""
    if instance.output_type == OutputType.LABEL:
        return answer
    if instance.output_type == OutputType.SPANS:
        spans = json.loads(answer)
        return "; ".join(f"{s['text']} [{s['label']}]" for s in spans) or "no span 无标注"
    return _screened(instance, answer, screener)


def task_reviews_panel(review: dict[str, Any], instance: Instance, screener: Screener) -> str:
    """Every review of a disputed instance side by side, as the adjudicator reads it (`review`:
    its row of ``data/tasks/reviewed/<task>.parquet``)."""
    to_settle = "; ".join(_dispute(d) for d in review["disagreements"] or ()) or "—"
    lines = [f"To settle 待裁定: {to_settle}", ""]
    as_text = replace(instance, output_type=OutputType.FREE_TEXT)
    for label in review["annotations"] or ():
        parts = [
            "answerable 能否作答: " + (ANSWERABLE.get(label["answerable"] or "") or "none 未选择"),
            "verdict 判定: " + (VERDICTS.get(label["verdict"] or "") or "none 未选择"),
        ]
        if label["answer"] is not None:
            parts.append(f"answer 答案: {shown_answer(instance, label['answer'], screener)}")
        if label["reject_reasons"]:
            reasons = "; ".join(TASK_REJECT_REASONS.get(r, r) for r in label["reject_reasons"])
            parts.append(f"reasons 原因: {reasons}")
        if label["missing"]:
            missing = "; ".join(MISSING.get(m, m) for m in label["missing"])
            parts.append(f"incomplete 不完整: {missing}")
        lines.append(f"▶ {label['annotator']}\n  " + "\n  ".join(parts))
        if label["comment"]:
            lines.append(f"  comment 备注: {_screened(as_text, label['comment'], screener)}")
    return "\n".join(lines)


def adjudication_tasks(
    paths: ProjectPaths, params: Params, tasks: dict[str, TaskSpec]
) -> dict[OutputType, list[dict[str, Any]]]:
    """Label Studio tasks per output type: each disputed instance of these tasks, pre-filled as
    its reviewers saw it, with the reviews panel (``$reviews``), named by public id."""
    queues = {task_id: adjudication_queue(paths, task_id) for task_id in tasks}
    frames = {task_id: load_instances(paths, task_id) for task_id in tasks}
    every = [i for frame in frames.values() for i in frame["instance_id"].to_list()]
    ids = ReviewIds.for_project(paths.root, every)
    shown = gather(snapshot.read(paths.review_snapshot), ids)
    screener = Screener(paths.root, params.deid.detection())
    out: dict[OutputType, list[dict[str, Any]]] = {t: [] for t in OutputType}
    for task_id, spec in tasks.items():
        queue = queues[task_id]
        if queue.is_empty():
            continue
        review_of = {r["instance_id"]: r for r in queue.iter_rows(named=True)}
        wanted = frames[task_id].filter(pl.col("instance_id").is_in(list(review_of)))
        drafts = load_drafts(paths, task_id)
        for row in wanted.sort("instance_id").iter_rows(named=True):
            seen = shown.get(row["instance_id"])
            if seen:  # what the reviewers saw
                answer, origin = seen[0].get("prefill") or None, seen[0].get("prefill_origin")
            else:
                answer, origin = prefill(row, drafts.get(row["instance_id"], {}))
            panel = task_reviews_panel(review_of[row["instance_id"]], Instance.of(row), screener)
            task = build_instance_task(
                row, spec, ids.public[row["instance_id"]], answer, origin, extra={"reviews": panel}
            )
            out[OutputType(row["output_type"])].append(task)
    return out


def run_task_adjudicate(
    paths: ProjectPaths,
    params: Params,
    tasks: dict[str, TaskSpec],
    advance: Advance = lambda n: None,
    total: Advance = lambda n: None,
    wait: float = DEFAULT_WAIT,
    waiting: Say = lambda message: None,
) -> list[UpsertReport]:
    """Upsert the disputed instances of these tasks into the task adjudication projects (one
    per output type, one annotation per task). Holds the project's push lock."""
    queued = adjudication_tasks(paths, params, tasks)
    total(sum(len(found) for found in queued.values()))
    if not any(queued.values()):
        return []
    server = server_for(paths, params)
    reports = []
    with push_lock(paths.root, wait, waiting):
        for output_type, found in queued.items():
            if not found:
                continue
            spec = TaskProjectSpec(output_type, Role.ADJUDICATION)
            reports.append(server.upsert(spec, found, 1, params.review.batch_size, advance))
    return reports
