"""MedCurate's projects on a Label Studio server: create or update, export snapshots, upsert."""

from __future__ import annotations

import contextlib
import json
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from curation.errors import CurationError
from curation.review.configs import PREFILL_VERSION, ManagedProject
from curation.review.connection import Connection, with_retries

T = TypeVar("T")

WORK = ("annotations", "drafts", "total_annotations", "cancelled_annotations")  # of a task


@dataclass
class UpsertReport:
    """What one push did to one project."""

    project: str
    project_id: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    on_server_only: int = 0  # tasks whose item is no longer queued (left untouched)
    retries: int = 0
    duplicates_removed: int = 0  # extra tasks of an item, nobody worked on them: deleted
    duplicates_kept: int = 0  # extra tasks of an item holding annotations or drafts: kept
    renamed: int = 0  # tasks found under an item's internal id (pushed before public ids)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class ReviewServer:
    """The Label Studio server holding one MedCurate project family (titles start with it)."""

    connection: Connection
    project_name: str
    root: Path | None = None
    attempts: int = 6
    _client: Any = field(default=None, repr=False)

    def call(self, fn: Callable[[], T], what: str) -> T:
        """Run one server call with this server's retry policy."""
        return with_retries(fn, what, attempts=self.attempts)

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = self.connection.client()
        return self._client

    # ----------------------------------------------------------------- projects
    def find(self, spec: ManagedProject) -> int | None:
        """The id of a managed project, if it exists."""
        title = spec.title(self.project_name)
        projects = self.call(lambda: list(self.client.projects.list()), "listing projects")
        return next((p.id for p in projects if p.title == title), None)

    def ensure(self, spec: ManagedProject, overlap: int) -> int:
        """Create the project, or bring its label config and overlap up to date."""
        settings = {
            "label_config": spec.label_config(self.root),
            "maximum_annotations": spec.maximum_annotations(overlap),
            "expert_instruction": spec.instructions(self.root),
            "show_instruction": True,
            "show_skip_button": False,
            "show_overlap_first": True,
            "description": spec.description,
        }
        project_id = self.find(spec)
        if project_id is None:
            created = self.call(
                lambda: self.client.projects.create(
                    title=spec.title(self.project_name), **settings
                ),
                "creating a project",
            )
            return created.id
        current = self.call(lambda: self.client.projects.get(project_id), "reading a project")
        changed = {k: v for k, v in settings.items() if getattr(current, k, None) != v}
        if changed:
            self.call(
                lambda: self.client.projects.update(project_id, **changed), "updating a project"
            )
        return project_id

    # ------------------------------------------------------------------ export
    def export(self, project_id: int, poll: float = 0.5, wait: float = 3600.0) -> list[dict]:
        """Every task of a project with its annotations, from an export snapshot."""

        def snapshot() -> list[dict]:
            exports = self.client.projects.exports
            made = exports.create(project_id, title="medcurate snapshot")
            deadline = time.monotonic() + wait
            while True:
                status = exports.get(project_id, made.id).status
                if status == "completed":
                    break
                if status == "failed":
                    raise CurationError(f"Label Studio failed to export project {project_id}")
                if time.monotonic() > deadline:
                    raise CurationError(f"export of project {project_id} timed out")
                time.sleep(poll)
            raw = b"".join(exports.download(project_id, made.id, export_type="JSON"))
            with contextlib.suppress(Exception):  # a leftover snapshot file is harmless
                exports.delete(project_id, made.id)
            return json.loads(raw)

        return self.call(snapshot, f"exporting project {project_id}")

    def copies(
        self, project_id: int, aliases: Mapping[str, str] | None = None, key: str = "item_id"
    ) -> dict[str, list[dict[str, Any]]]:
        """item_id → the exported tasks of that item in a project, oldest first.

        `aliases` maps an older id of an item (the internal id tasks carried before public ids)
        to the id its tasks carry now, so that both name one item. `key`: the task data field
        naming what a task shows (``instance_id`` in task projects).
        """
        aliases = aliases or {}
        found: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for task in sorted(self.export(project_id), key=lambda t: t["id"]):
            data = task.get("data") or {}
            if key in data:
                found[aliases.get(data[key], data[key])].append(task)
        return dict(found)

    def existing(
        self, project_id: int, aliases: Mapping[str, str] | None = None, key: str = "item_id"
    ) -> dict[str, tuple[int, str, str]]:
        """item_id → (task id, task hash, id it carries) of each item's oldest task."""
        copies = self.copies(project_id, aliases, key)
        return {item_id: _entry(tasks[0], key) for item_id, tasks in copies.items()}

    def repair(
        self,
        project_id: int,
        report: UpsertReport,
        aliases: Mapping[str, str] | None = None,
        key: str = "item_id",
    ) -> dict[str, tuple[int, str, str]]:
        """Delete the extra tasks of an item nobody worked on; return :meth:`existing`.

        The oldest task of an item stays, and so does every copy with an annotation or a draft
        (counted in ``duplicates_kept``; the snapshot merges their reviews by item_id).
        """
        kept: dict[str, tuple[int, str, str]] = {}
        for item_id, tasks in self.copies(project_id, aliases, key).items():
            kept[item_id] = _entry(tasks[0], key)
            for extra in tasks[1:]:
                if self._remove_unworked(extra["id"]):
                    report.duplicates_removed += 1
                else:
                    report.duplicates_kept += 1
        return kept

    def _remove_unworked(self, task_id: int) -> bool:
        """Delete a task unless it has annotations or drafts (read afresh); whether it is gone."""
        from label_studio_sdk.core.api_error import ApiError

        def attempt() -> bool:
            try:
                task = self.client.tasks.get(str(task_id))
                if any(getattr(task, name, None) for name in WORK):
                    return False
                self.client.tasks.delete(str(task_id))
            except ApiError as exc:
                if exc.status_code != 404:  # 404: already deleted (by a concurrent repair)
                    raise
            return True

        return self.call(attempt, f"removing duplicate task {task_id}")

    def show_prefills(self, project_id: int) -> None:
        """Make the project pre-fill its tasks with :data:`PREFILL_VERSION` predictions."""
        project = self.call(lambda: self.client.projects.get(project_id), "reading a project")
        if project.model_version != PREFILL_VERSION or not project.show_collab_predictions:
            self.call(
                lambda: self.client.projects.update(
                    project_id, model_version=PREFILL_VERSION, show_collab_predictions=True
                ),
                "setting the project's pre-fill version",
            )

    def users(self) -> dict[int, str]:
        """User id → email."""
        users = self.call(lambda: list(self.client.users.list()), "listing users")
        return {u.id: (u.email or u.username or f"user-{u.id}") for u in users}

    # ------------------------------------------------------------------ upsert
    def upsert(
        self,
        spec: ManagedProject,
        tasks: Sequence[dict[str, Any]],
        overlap: int,
        batch_size: int,
        advance: Callable[[int], None] = lambda n: None,
        aliases: Mapping[str, str] | None = None,
    ) -> UpsertReport:
        """Create missing tasks and update changed ones, keyed on data.item_id (the spec's
        ``task_key``: data.instance_id in task projects).

        Idempotent: Label Studio does not deduplicate imports, so what the project holds is read
        first (duplicates found are repaired), and read again before retrying a batch whose
        outcome is unknown. Callers hold :func:`~curation.review.lock.push_lock`; a push that
        created tasks checks the project again, so that one racing it from elsewhere (another
        machine) leaves no unworked duplicate either. A task found under an alias of its item
        (see :meth:`copies`) is that item's task: its data, id included, is updated in place,
        so its annotations stay with it.
        """
        key = spec.task_key
        project_id = self.ensure(spec, overlap)
        report = UpsertReport(spec.key, project_id)
        existing = self.repair(project_id, report, aliases, key)
        queued = {t["data"][key] for t in tasks}
        report.on_server_only = sum(1 for item_id in existing if item_id not in queued)
        new, changed = [], []
        for task in tasks:
            item = task["data"][key]
            if item not in existing:
                new.append(task)
                continue
            _, task_hash, carried = existing[item]
            if (task_hash, carried) != (task["data"]["task_hash"], item):
                changed.append(task)
                report.renamed += carried != item
        report.unchanged = len(tasks) - len(new) - len(changed)
        advance(report.unchanged)
        for start in range(0, len(new), batch_size):
            batch = new[start : start + batch_size]
            report.created += self._import(project_id, batch, report, aliases, key)
            advance(len(batch))
        for task in changed:
            task_id = existing[task["data"][key]][0]
            self._update(task_id, task)
            report.updated += 1
            advance(1)
        if new:
            self.repair(project_id, report, aliases, key)
        return report

    def _import(
        self,
        project_id: int,
        batch: list[dict],
        report: UpsertReport,
        aliases: Mapping[str, str] | None,
        key: str = "item_id",
    ) -> int:
        state = {"retry": False}

        def attempt() -> None:
            todo = batch
            if state["retry"]:  # the last attempt may have landed: import only what is missing
                report.retries += 1
                have = self.existing(project_id, aliases, key)
                todo = [t for t in batch if t["data"][key] not in have]
            state["retry"] = True
            if todo:
                self.client.projects.import_tasks(project_id, request=todo)

        self.call(attempt, f"importing tasks into project {project_id}")
        return len(batch)  # every task of the batch is on the server now

    def _update(self, task_id: int, task: dict[str, Any]) -> None:
        def attempt() -> None:
            meta = {"meta": task["meta"]} if "meta" in task else {}
            self.client.tasks.update(str(task_id), data=task["data"], **meta)
            for old in self.client.predictions.list(task=task_id):
                self.client.predictions.delete(old.id)
            for prediction in task.get("predictions", []):
                self.client.predictions.create(task=task_id, **prediction)

        self.call(attempt, f"updating task {task_id}")


def _entry(task: dict[str, Any], key: str = "item_id") -> tuple[int, str, str]:
    """(task id, task hash, the item id it carries) of an exported task."""
    return task["id"], task["data"].get("task_hash", ""), task["data"][key]
