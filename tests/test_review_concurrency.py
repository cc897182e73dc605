"""Concurrent pushes and duplicate tasks, against a real Label Studio (session fixture).

Label Studio does not deduplicate imports: two pushes that both read a project before either
imports create every task twice. A push holds a per-project lock, and repairs the duplicates it
finds on the server.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from curation.cli import app
from curation.commands.review import queue_tasks, review_ids, run_push, server_for
from curation.params import load_params
from curation.paths import ProjectPaths
from curation.review.configs import ProjectSpec, ReviewKind, Role
from curation.review.labels import ReviewLabels, to_result
from curation.review.lock import push_lock
from curation.review.server import LocalServer
from curation.review.tasks import compose
from tests.review_fixtures import items_frame, make_item, public_ids, review_project

pytestmark = pytest.mark.e2e

MCQ = ProjectSpec(Role.REVIEW, ReviewKind.MCQ)


def copies(paths: ProjectPaths, project_id: int) -> dict[str, list[int]]:
    """item_id → ids of its tasks in a project, oldest first."""
    server = server_for(paths, load_params(paths.params_file))
    ids = review_ids(paths)
    found: dict[str, list[int]] = {}
    for task in sorted(server.export(project_id), key=lambda t: t["id"]):
        found.setdefault(ids.to_internal(task["data"]["item_id"]), []).append(task["id"])
    return found


def said(result: Result) -> str:
    """The command's output with the console's line wrapping undone."""
    return " ".join(result.output.split())


@pytest.mark.parametrize("project_exists", [False, True], ids=["new-project", "existing-project"])
def test_two_concurrent_pushes_leave_one_task_per_item(
    labelstudio: LocalServer, tmp_path: Path, project_exists: bool
) -> None:
    rows = [make_item(f"c{n:02d}") for n in range(12)]
    paths = review_project(tmp_path, rows, labelstudio.env_values(), batch_size=5)
    params = load_params(paths.params_file)
    if project_exists:
        server_for(paths, params).ensure(MCQ, params.review.overlap)
    # Each push waits here once it has read the project and before it imports: without a lock
    # both read an empty project; with one, the second is still waiting for the lock (timeout).
    both_read = threading.Barrier(2)
    reports, errors = [], []

    def push() -> None:
        waited = []

        def advance(n: int) -> None:
            if not waited:
                waited.append(n)
                with contextlib.suppress(threading.BrokenBarrierError):
                    both_read.wait(timeout=3)

        try:
            reports.extend(run_push(paths, params, advance))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=push) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    server = server_for(paths, params)
    title = MCQ.title(params.project.name)
    projects = [p.id for p in server.client.projects.list() if p.title == title]
    assert len(projects) == 1
    per_item = Counter(t["data"]["item_id"] for t in server.export(projects[0]))
    assert per_item == Counter(public_ids(rows).values())  # every item exactly once
    assert sorted((r.created, r.unchanged) for r in reports) == [(0, 12), (12, 0)]


def test_push_repairs_duplicate_tasks_and_keeps_annotated_ones(
    labelstudio: LocalServer, tmp_path: Path
) -> None:
    rows = [make_item(f"d{n}") for n in range(5)]
    ids = [r["item_id"] for r in rows]
    paths = review_project(tmp_path, rows, labelstudio.env_values())
    params = load_params(paths.params_file)
    project_id = run_push(paths, params)[0].project_id
    server = server_for(paths, params)
    originals = {item_id: tasks[0] for item_id, tasks in copies(paths, project_id).items()}
    # What two racing pushes leave: a second copy of every task, a third of two of them.
    tasks = queue_tasks(items_frame(rows), paths.root)[ReviewKind.MCQ]
    server.client.projects.import_tasks(project_id, request=tasks)
    server.client.projects.import_tasks(project_id, request=tasks[:2])
    before = copies(paths, project_id)
    assert sum(len(c) for c in before.values()) == 12
    annotated = before[ids[0]][1]  # a physician already reviewed a newer copy
    server.client.annotations.create(
        annotated, result=to_result(ReviewLabels("x", "accept"), compose(rows[0]).text)
    )

    result = CliRunner().invoke(app, ["review", "push", "--root", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "5 unchanged, 6 duplicate tasks removed, 1 duplicate tasks kept" in said(result)

    left = {i: [originals[i]] for i in ids} | {ids[0]: [originals[ids[0]], annotated]}
    assert copies(paths, project_id) == left
    again = run_push(paths, params)[0]  # repaired: nothing more to do
    assert (again.duplicates_removed, again.duplicates_kept, again.unchanged) == (0, 1, 5)


def test_a_second_push_waits_for_the_first_or_gives_up(
    labelstudio: LocalServer, tmp_path: Path
) -> None:
    paths = review_project(tmp_path, [make_item("w1")], labelstudio.env_values())
    push = ["review", "push", "--root", str(tmp_path)]
    runner = CliRunner()
    with push_lock(paths.root):  # another push is running
        result = runner.invoke(app, [*push, "--wait", "0.5"])
    assert result.exit_code == 1
    assert "waiting for another push of this project to finish (pid " in said(result)
    assert "another push of this project is still running" in said(result)
    assert "gave up after waiting 0.5 s" in said(result)
    assert "created" not in said(result)

    held = threading.Event()

    def hold_for_a_while() -> None:
        with push_lock(paths.root):
            held.set()
            time.sleep(2)

    holder = threading.Thread(target=hold_for_a_while)
    holder.start()
    held.wait(10)
    result = runner.invoke(app, push)
    holder.join()
    assert result.exit_code == 0, result.output
    assert "waiting for another push" in said(result) and "1 created" in said(result)
