"""The grading snapshot: physicians' grades pulled from Label Studio into one JSON file.

``curate grade pull`` writes ``data/grading/export.json``. It is a DVC stage pinned by
``grading.snapshot`` (and ``grading.release``): grades enter ``dvc repro`` only when a
maintainer bumps the snapshot (``curate grade snapshot``); 0 means nothing graded yet and needs
no server. The pull is the one place where a task's ``grade_id`` is joined back to the answer it
names (model, run, released id) from ``answers/<version>/``: Label Studio never holds the model.
The document is self-contained (what graders saw, the release's split and labels of the row,
every grade), so the merge reads nothing else, and normalized (sorted, no server timestamps).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from curation.grading.contract import grade_id
from curation.grading.layout import GradingLayout, empty, write
from curation.grading.projects import HARM, RATIONALE, SCORE, VERDICT, GradingProjectSpec
from curation.grading.push import stored_answers_frame
from curation.grading.targets import release_targets
from curation.params import Params
from curation.paths import ProjectPaths
from curation.review.configs import Role
from curation.review.projects import ReviewServer
from curation.review.snapshot import task_values


def _first(values: dict[str, Any], name: str) -> Any:
    found = values.get(name)
    return found[0] if isinstance(found, list) and found else None


def grade_values(result: list[dict[str, Any]]) -> dict[str, Any]:
    """One annotation of the grading screen as plain values (absent fields: None)."""
    values = task_values(result, "")
    score = _first(values, SCORE)
    rationale = values.get(RATIONALE)
    return {
        "verdict": _first(values, VERDICT),
        "score": int(score) if isinstance(score, str) and score.isdigit() else None,
        "harm": _first(values, HARM),
        "rationale": rationale.strip()
        if isinstance(rationale, str) and rationale.strip()
        else None,
    }


def _grades(task: dict[str, Any], role: Role, users: dict[int, str]) -> list[dict[str, Any]]:
    out = []
    for ann in sorted(task.get("annotations") or [], key=lambda a: a["id"]):
        who = ann.get("completed_by")
        who_id = who.get("id") if isinstance(who, dict) else who
        entry = {
            "annotator": users.get(who_id, f"user-{who_id}"),
            "annotation_id": ann["id"],
            "role": role.value,
            **grade_values(ann.get("result") or []),
        }
        if ann.get("was_cancelled"):
            entry["cancelled"] = True
        out.append(entry)
    return out


def pull(
    server: ReviewServer, root: Path, salt: bytes, version: str, release: Path, snapshot: int
) -> dict[str, Any]:
    """The snapshot document of a release's grading projects on the server."""
    answers = stored_answers_frame(ProjectPaths(root), version)
    index: dict[str, dict[str, Any]] = {}
    for row in answers.iter_rows(named=True) if not answers.is_empty() else ():
        gid = grade_id(salt, version, row["id"], row["model"], row["run"])
        index[gid] = {"id": row["id"], "model": row["model"], "run": row["run"]}
    targets = release_targets(release)
    users = server.users()
    found: dict[str, dict[str, Any]] = {}
    unmatched = 0
    for role in (Role.REVIEW, Role.ADJUDICATION):
        project_id = server.find(GradingProjectSpec(version, role))
        if project_id is None:
            continue
        for task in sorted(server.export(project_id), key=lambda t: t["id"]):
            data = task.get("data") or {}
            gid = data.get("grade_id")
            answer = index.get(gid)
            if answer is None or answer["id"] not in targets:
                unmatched += role == Role.REVIEW
                continue
            entry = found.get(gid)
            if entry is None:
                target = targets[answer["id"]]
                entry = found[gid] = {
                    "grade_id": gid,
                    **answer,
                    "kind": target.kind,
                    "config": target.config,
                    "split": target.split,
                    "dimension": target.dimension,
                    "family": target.family,
                    "language": target.language,
                    "question": data.get("question"),
                    "reference": data.get("reference"),
                    "answer": data.get("answer"),
                    "rubric": data.get("rubric"),
                    "safety": bool(data.get("safety")),
                    "grades": [],
                }
            entry["grades"].extend(_grades(task, role, users))
    return empty(snapshot, version) | {
        "answers": [found[k] for k in sorted(found)],
        "unmatched_tasks": unmatched,
    }


def run_grade_pull(paths: ProjectPaths, params: Params) -> dict[str, Any]:
    """Write ``data/grading/export.json`` for params ``grading.snapshot`` and ``.release``."""
    from curation.answers.store import release_dir
    from curation.errors import ConfigError
    from curation.secrets import deid_salt
    from curation.tasks.review import server_for

    grading = params.grading
    layout = GradingLayout(paths.root)
    if grading.snapshot == 0:
        document = empty(0, grading.release)
    else:
        if not grading.release:
            raise ConfigError(
                "grading.snapshot is set but grading.release is empty",
                hint="Name the graded release in params.yaml (`curate grade snapshot` does).",
            )
        version, release = release_dir(paths, grading.release)
        server = server_for(paths, params)
        document = pull(
            server, paths.root, deid_salt(paths.root), version, release, grading.snapshot
        )
    write(document, layout.export)
    return document


def bump_snapshot(paths: ProjectPaths, params: Params) -> tuple[str, str]:
    """Bump ``grading.snapshot`` in params.yaml, pinning ``grading.release`` to the graded
    release when it is empty; return (version, new snapshot number)."""
    from curation.grading.push import graded_version
    from curation.params import edit_param

    version = params.grading.release
    if not version:
        version, _ = graded_version(paths, params.grading)
        edit_param(paths.params_file, "grading", "release", version)
    return version, edit_param(paths.params_file, "grading", "snapshot")
