"""The review snapshot: physicians' annotations pulled from Label Studio into one JSON file.

``curate review pull`` writes ``data/review/export.json`` from an export snapshot of every
managed project. It is a DVC stage pinned by ``review.snapshot`` in params.yaml: physicians'
work enters ``dvc repro`` only when a maintainer bumps that number (0 means no review yet, and
needs no server). The file is normalized (sorted, no server timestamps) and holds, per task,
the item id, the hash of what was shown, and each annotation's annotator and parsed labels.

Task projects (``<project> · tasks · <output type>``, see :mod:`curation.tasks.review`) are
exported into the same file, under ``task_projects``: per task the (public) instance id, what
was pre-filled and where it came from, and each annotation's values by control name
(:func:`task_values`), read by ``curate tasks merge``. Each has a ``role``: ``review``, or
``adjudication`` for the projects of ``curate tasks adjudicate`` (an entry without one, from an
older snapshot, is a review project). The key is left out when the server has
no task project, so a snapshot of item review alone is what it was before tasks existed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from curation.documents import read_document, write_document
from curation.review.configs import (
    ALL_PROJECTS,
    TASK_PROJECT_LABELS,
    ProjectSpec,
    Role,
    task_adjudication_title,
    task_project_title,
)
from curation.review.labels import ReviewLabels, parse_result
from curation.review.projects import ReviewServer
from curation.review.tasks import edit_fields, from_utf16

FORMAT = "medcurate-review-snapshot/1"


def pull(server: ReviewServer, snapshot: int) -> dict[str, Any]:
    """The snapshot document of every managed project on the server."""
    users = server.users()
    projects = []
    for spec in ALL_PROJECTS:
        project_id = server.find(spec)
        if project_id is None:
            continue
        tasks = [_task(t, users) for t in server.export(project_id)]
        projects.append(
            {
                "role": spec.role.value,
                "kind": spec.kind.value,
                "project_id": project_id,
                "tasks": sorted(tasks, key=lambda t: t["item_id"]),
            }
        )
    document = {"format": FORMAT, "snapshot": snapshot, "projects": projects}
    if found := task_projects(server, users):
        document["task_projects"] = found
    return document


def task_projects(server: ReviewServer, users: dict[int, str]) -> list[dict[str, Any]]:
    """Every task project of the server's project family, normalized (none: []): review
    projects (role ``review``) and adjudication projects (role ``adjudication``)."""
    titles = {
        title(server.project_name, t): (t, role)
        for t in TASK_PROJECT_LABELS
        for title, role in (
            (task_project_title, Role.REVIEW),
            (task_adjudication_title, Role.ADJUDICATION),
        )
    }
    listed = server.call(lambda: list(server.client.projects.list()), "listing projects")
    out = []
    for project in sorted(listed, key=lambda p: (p.title, p.id)):
        found = titles.get(project.title)
        if found is None:
            continue
        output_type, role = found
        tasks = [_instance_task(t, users) for t in server.export(project.id)]
        out.append(
            {
                "output_type": output_type,
                "role": role.value,
                "project_id": project.id,
                "tasks": sorted(tasks, key=lambda t: (t["instance_id"] or "", t["task_id"])),
            }
        )
    return out


def _instance_task(task: dict[str, Any], users: dict[int, str]) -> dict[str, Any]:
    data = task.get("data") or {}
    meta = task.get("meta") or {}
    text = data.get("input") or ""
    annotations = []
    for ann in sorted(task.get("annotations") or [], key=lambda a: a["id"]):
        who = ann.get("completed_by")
        who_id = who.get("id") if isinstance(who, dict) else who
        entry: dict[str, Any] = {
            "annotator": users.get(who_id, f"user-{who_id}"),
            "annotation_id": ann["id"],
            "values": task_values(ann.get("result") or [], text),
        }
        if ann.get("was_cancelled"):
            entry["cancelled"] = True
        annotations.append(entry)
    return {
        "instance_id": data.get("instance_id"),
        "task_id": task["id"],
        "task": data.get("task"),
        "output_type": data.get("output_type"),
        "task_hash": data.get("task_hash"),
        "input_hash": data.get("input_hash"),
        "prefill": data.get("prefill"),
        "prefill_origin": meta.get("draft_origin") or data.get("prefill_origin"),
        "annotations": annotations,
    }


def task_values(result: list[dict[str, Any]], text: str) -> dict[str, Any]:
    """One annotation of a task project as plain values by control name: choices → their
    values (aliases where the config gives them), text boxes → their text, labelled regions of
    the input → sorted ``[start, end, label]`` in code points of `text`."""
    values: dict[str, Any] = {}
    spans: dict[str, list[list[Any]]] = {}
    for region in result:
        name, value = str(region.get("from_name")), region.get("value") or {}
        if "start" in value and "end" in value:
            labels = next((v for k, v in value.items() if k.endswith("labels") and v), None)
            if labels:
                start = from_utf16(text, int(value["start"]))
                end = from_utf16(text, int(value["end"]))
                spans.setdefault(name, []).append([start, end, str(labels[0])])
        elif "choices" in value:
            values[name] = [str(c) for c in value["choices"]]
        elif "text" in value:
            lines = value["text"] if isinstance(value["text"], list) else [value["text"]]
            values[name] = "\n".join(str(x) for x in lines)
    values.update({name: sorted(found) for name, found in spans.items()})
    return values


def empty(snapshot: int = 0) -> dict[str, Any]:
    """The snapshot before any review (needs no server)."""
    return {"format": FORMAT, "snapshot": snapshot, "projects": []}


def _task(task: dict[str, Any], users: dict[int, str]) -> dict[str, Any]:
    data = task.get("data") or {}
    text = data.get("text") or ""
    annotations = []
    for ann in sorted(task.get("annotations") or [], key=lambda a: a["id"]):
        who = ann.get("completed_by")
        who_id = who.get("id") if isinstance(who, dict) else who
        who_email = users.get(who_id, f"user-{who_id}")
        labels = parse_result(who_email, ann.get("result") or [], text, edit_fields(data))
        entry = {k: v for k, v in asdict(labels).items() if v not in (None, (), [])}
        entry["annotation_id"] = ann["id"]
        if ann.get("was_cancelled"):
            entry["cancelled"] = True
        annotations.append(entry)
    return {
        "item_id": data.get("item_id"),
        "task_id": task["id"],
        "task_hash": data.get("task_hash"),
        "text_hash": data.get("text_hash"),
        "annotations": annotations,
    }


def write(document: dict[str, Any], path: Path) -> None:
    """Write the snapshot as stable JSON."""
    write_document(document, path)


def read(path: Path) -> dict[str, Any]:
    """Read a snapshot file; a missing or foreign file is a clear error."""
    return read_document(path, FORMAT, "a MedCurate review snapshot", "curate review pull")


def labels_of(entry: dict[str, Any]) -> ReviewLabels:
    """A snapshot annotation entry back as labels."""
    fields = {k: v for k, v in entry.items() if k not in ("annotation_id", "cancelled")}
    for name in ("reject_reasons", "corrected_answer"):
        fields[name] = tuple(fields.get(name, ()))
    fields["phi"] = tuple(tuple(m) for m in fields.get("phi", ()))
    return ReviewLabels(**fields)


def annotations(
    document: dict[str, Any], role: Role
) -> Iterator[tuple[str, str | None, ProjectSpec, list[ReviewLabels]]]:
    """(item id, text hash, project, labels of non-cancelled annotations) per task of a role."""
    for project in document["projects"]:
        if project["role"] != role.value:
            continue
        spec = next(
            s
            for s in ALL_PROJECTS
            if s.role.value == project["role"] and s.kind.value == project["kind"]
        )
        for task in project["tasks"]:
            labels = [labels_of(a) for a in task["annotations"] if not a.get("cancelled")]
            yield task["item_id"], task.get("text_hash"), spec, labels
