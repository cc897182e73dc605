"""The review snapshot: physicians' annotations pulled from Label Studio into one JSON file.

``curate review pull`` writes ``data/review/export.json`` from an export snapshot of every
managed project. It is a DVC stage pinned by ``review.snapshot`` in params.yaml: physicians'
work enters ``dvc repro`` only when a maintainer bumps that number (0 means no review yet, and
needs no server). The file is normalized (sorted, no server timestamps) and holds, per task,
the item id, the hash of what was shown, and each annotation's annotator and parsed labels.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from curation.errors import InputFileError
from curation.review.configs import ALL_PROJECTS, ProjectSpec, Role
from curation.review.labels import ReviewLabels, parse_result
from curation.review.projects import ReviewServer
from curation.review.tasks import edit_fields

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
    return {"format": FORMAT, "snapshot": snapshot, "projects": projects}


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
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")


def read(path: Path) -> dict[str, Any]:
    """Read a snapshot file; a missing or foreign file is a clear error."""
    if not path.is_file():
        raise InputFileError(
            f"{path} does not exist", hint="Run `curate review pull` (or `dvc repro`) first."
        )
    document = json.loads(path.read_text(encoding="utf-8"))
    if document.get("format") != FORMAT:
        raise InputFileError(f"{path} is not a MedCurate review snapshot ({FORMAT})")
    return document


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
