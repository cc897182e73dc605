"""`curate tasks push`: task instances → Label Studio, one project per output type.

Each instance of ``data/tasks/instances/<task>.parquet`` becomes one task of the project of its
output type (``<project> · tasks · free text`` …), reviewed by ``review.overlap`` physicians.
A task names its instance by the instance's public id (an HMAC under the project salt, as the
release does), never by the internal id; the merge maps it back. Instances are built from
de-identified items, and model drafts were screened when imported: no raw text is pushed.

What is pre-filled, first found: the derived reference (the source's: physicians judge it), a
model draft (``--model``, else the first model by name that drafted the instance), the rule
draft of the task (``draft: lead | sections``), else nothing. All pre-fills share one Label
Studio model version, :data:`~curation.review.configs.PREFILL_VERSION`; which rule or
model drafted an answer is kept in the task's ``meta`` (``draft_origin``), which neither the
labeling screen nor the Data Manager shows. Label Studio Community has no roles, so a physician
who reads tasks through the API can see ``meta``: the model name is out of view, not secret.
``--show-model`` names the model on the screen instead.

The push is the item review's (:class:`~curation.review.projects.ReviewServer`): idempotent,
keyed on the instance, retried, under the project's push lock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import polars as pl

from curation.errors import InputFileError
from curation.params import Params
from curation.paths import ProjectPaths
from curation.review.configs import PREFILL_VERSION
from curation.review.ids import ReviewIds
from curation.review.lock import DEFAULT_WAIT, push_lock
from curation.review.projects import ReviewServer, UpsertReport
from curation.review.tasks import text_hash
from curation.tasks.contract import OutputType
from curation.tasks.declarations import TaskSpec
from curation.tasks.drafts import load_drafts
from curation.tasks.layout import instances_path
from curation.tasks.review_configs import (
    SPAN_COLORS,
    TaskProjectSpec,
    answer_region,
)

Advance = Callable[[int], None]
Say = Callable[[str], None]

NOTES = {
    "derived": "Reference from the source — check it 来自数据源的参考答案——请核对",
    "draft": "Draft — correct it where it is wrong 草稿——请修改错误之处",
    "none": "No draft — write the reference 无草稿——请撰写参考答案",
}


def load_instances(paths: ProjectPaths, task: str) -> pl.DataFrame:
    """A task's built instances (a clear error naming the command when they are missing)."""
    path = instances_path(paths, task)
    if not path.is_file():
        raise InputFileError(
            f"{path.relative_to(paths.root)} does not exist",
            hint=f"Build the task first: `dvc repro tasks@{task}` (or `curate tasks build "
            f"{task}`).",
        )
    return pl.read_parquet(path)


def prefill(
    instance: dict[str, Any], drafts: dict[str, str], model: str | None = None
) -> tuple[str | None, str | None]:
    """(the answer a task shows pre-filled, where it comes from): the derived reference
    (``derived``), a model draft (``model:<name>``), the rule draft (``rule:<rule>``), or
    (None, None). `drafts`: model → output for this instance; `model`: prefer that model."""
    if instance["reference"] is not None:
        return instance["reference"], "derived"
    chosen = model if model in drafts else min(drafts, default=None)
    if chosen is not None:
        return drafts[chosen], f"model:{chosen}"
    if instance["draft"] is not None:
        return instance["draft"], instance["draft_origin"] or "rule"
    return None, None


def shown_answer(output_type: OutputType, answer: str) -> Any:
    """A stored answer as the screen shows it: fields pretty-printed, spans as triples."""
    if output_type == OutputType.FIELDS:
        try:
            return json.dumps(json.loads(answer), ensure_ascii=False, indent=2)
        except json.JSONDecodeError:
            return answer
    if output_type == OutputType.SPANS:
        return [(s["start"], s["end"], s["label"]) for s in json.loads(answer)]
    return answer


def build_instance_task(
    instance: dict[str, Any],
    spec: TaskSpec,
    shown_id: str,
    answer: str | None,
    origin: str | None,
    show_model: bool = False,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One Label Studio task (data, the pre-filled answer as a prediction, meta) of an instance,
    named by `shown_id` (its public id), with the hash of everything it shows (`extra`: more
    task data, such as the reviews an adjudication task shows)."""
    output_type = OutputType(instance["output_type"])
    text = instance["input"]
    kind = "none" if origin is None else "derived" if origin == "derived" else "draft"
    note = NOTES[kind]
    if show_model and origin and origin.startswith("model:"):
        note = f"Draft by {origin[6:]} 模型草稿（{origin[6:]}）— correct it 请修改"
    shown = None if answer is None else shown_answer(output_type, answer)
    data: dict[str, Any] = {
        "instance_id": shown_id,
        "task": instance["task"],
        "output_type": output_type.value,
        "language": instance["language"],
        "meta": f"{spec.name} · {instance['task']} · {instance['language']} · {shown_id}",
        "instruction": instance["instruction"],
        "input": text,
        "input_hash": text_hash(text),
        "prefill": "" if answer is None else answer,
        "prefill_origin": kind,
        "prefill_note": note,
    }
    if output_type == OutputType.LABEL:
        data["label_choices"] = [{"value": label} for label in instance["labels"]]
    if output_type == OutputType.FIELDS:
        data["output_schema"] = instance["output_schema"]
    if output_type == OutputType.SPANS:
        data["span_types"] = [
            {"value": label, "background": SPAN_COLORS[i % len(SPAN_COLORS)]}
            for i, label in enumerate(instance["labels"])
        ]
    data.update(extra or {})
    predictions = []
    if shown is not None:
        result = answer_region(output_type, shown, text)
        predictions.append({"model_version": PREFILL_VERSION, "score": 1.0, "result": result})
    meta = {"draft_origin": origin}
    blob = json.dumps([data, predictions, meta], ensure_ascii=False, sort_keys=True)
    data["task_hash"] = hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]
    return {"data": data, "predictions": predictions, "meta": meta}


def queue(
    paths: ProjectPaths,
    tasks: dict[str, TaskSpec],
    limit: int | None = None,
    model: str | None = None,
    show_model: bool = False,
) -> dict[OutputType, list[dict[str, Any]]]:
    """Label Studio tasks per output type: each task's instances (the first `limit` by
    instance id), named by public id."""
    out: dict[OutputType, list[dict[str, Any]]] = {t: [] for t in OutputType}
    for task_id, spec in tasks.items():
        frame = load_instances(paths, task_id).sort("instance_id")
        if limit is not None:
            frame = frame.head(limit)
        ids = ReviewIds.for_project(paths.root, frame["instance_id"].to_list())
        drafts = load_drafts(paths, task_id)
        for row in frame.iter_rows(named=True):
            answer, origin = prefill(row, drafts.get(row["instance_id"], {}), model)
            task = build_instance_task(
                row, spec, ids.public[row["instance_id"]], answer, origin, show_model
            )
            out[OutputType(row["output_type"])].append(task)
    return out


def server_for(paths: ProjectPaths, params: Params) -> ReviewServer:
    """The review server of this project (LABEL_STUDIO_URL / LABEL_STUDIO_API_KEY)."""
    from curation.review.connection import Connection

    return ReviewServer(
        Connection.from_project(paths.root),
        params.project.name,
        paths.root,
        attempts=params.review.retries,
    )


def run_task_push(
    paths: ProjectPaths,
    params: Params,
    tasks: dict[str, TaskSpec],
    limit: int | None = None,
    model: str | None = None,
    show_model: bool = False,
    advance: Advance = lambda n: None,
    total: Advance = lambda n: None,
    wait: float = DEFAULT_WAIT,
    waiting: Say = lambda message: None,
) -> list[UpsertReport]:
    """Upsert the instances of these tasks into the task projects (one per output type).

    Holds the project's push lock (shared with `curate review push`), waiting up to `wait`
    seconds for another push.
    """
    queued = queue(paths, tasks, limit, model, show_model)
    total(sum(len(found) for found in queued.values()))
    server = server_for(paths, params)
    review = params.review
    reports = []
    with push_lock(paths.root, wait, waiting):
        for output_type, found in queued.items():
            if not found:
                continue
            spec = TaskProjectSpec(output_type)
            reports.append(server.upsert(spec, found, review.overlap, review.batch_size, advance))
    return reports
