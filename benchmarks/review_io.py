"""Review I/O benchmark: push and pull of 20,000 tasks, MedCurate vs bare SDK calls.

Starts a throwaway local Label Studio (SQLite, 127.0.0.1) and, in the same run, times:

* push   — `curate review push` (ensure project, read what the project holds, build pre-annotated
           tasks, import in `review.batch_size` batches) into an empty project, against a bare
           `projects.import_tasks` of the same tasks (with predictions) in 5,000-task batches;
* repush — the same push again (nothing to do: the idempotence check alone);
* pull   — `curate review pull` (export snapshot, parse every annotation) of a project holding
           the tasks with two annotations each, against a bare `exports.download_sync` (JSON).

Items are synthetic (built by code). Every figure is the median of --runs runs (fresh projects
each run); ratios are MedCurate / bare.

    python benchmarks/review_io.py                  # 20,000 tasks, 3 runs
    python benchmarks/review_io.py --tasks 2000 --runs 1
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from curation.commands.review import queue_tasks, run_pull, run_push, server_for  # noqa: E402
from curation.params import load_params  # noqa: E402
from curation.review.configs import ProjectSpec, ReviewKind, Role  # noqa: E402
from curation.review.labels import ReviewLabels, to_result  # noqa: E402
from curation.review.server import LocalServer, free_port  # noqa: E402
from tests.review_fixtures import items_frame, make_item, review_project  # noqa: E402

SYMPTOMS = ["胸痛", "咳嗽", "发热", "头痛", "腹痛", "呼吸困难", "心悸", "乏力", "水肿", "黄疸"]


def synthetic_items(n: int, seed: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for k in range(n):
        a, b = rng.sample(SYMPTOMS, 2)
        question = (
            f"患者{rng.randint(18, 89)}岁，{a}{rng.randint(1, 30)}天伴{b}，最可能的诊断是？（{k}）"
        )
        rows.append(make_item(f"b{k:06d}", question=question))
    return rows


def timed(fn, *args: Any) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def bare_import(client: Any, project: int, tasks: list[dict]) -> None:
    for i in range(0, len(tasks), 5000):
        client.projects.import_tasks(project, request=tasks[i : i + 5000])


def bare_export(client: Any, project: int) -> bytes:
    chunks = client.projects.exports.download_sync(
        project, export_type="JSON", download_all_tasks=True
    )
    return b"".join(chunks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    rows = synthetic_items(args.tasks)
    with tempfile.TemporaryDirectory() as tmp:
        server = LocalServer(Path(tmp) / "ls")
        server.folder.mkdir(parents=True)
        server.ensure_secrets(port=free_port(0))
        print(f"starting Label Studio in {server.folder} …", flush=True)
        server.up()
        try:
            figures = run(Path(tmp), server, rows, args.runs)
        finally:
            server.down()
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


def run(tmp: Path, server: LocalServer, rows: list[dict], runs: int) -> dict[str, Any]:
    times: dict[str, list[float]] = {
        k: [] for k in ("bare_import", "push", "repush", "bare_export", "pull")
    }
    for r in range(runs):
        # bare SDK: the same pre-annotated tasks, 5,000 per request, into an empty project
        paths = review_project(tmp / f"bare{r}", rows, server.env_values())
        params = load_params(paths.params_file)
        ls = server_for(paths, params)
        project = ls.ensure(ProjectSpec(Role.REVIEW, ReviewKind.MCQ), 2)
        tasks = queue_tasks(items_frame(rows), paths.root)[ReviewKind.MCQ]
        times["bare_import"].append(timed(bare_import, ls.client, project, tasks))

        paths = review_project(tmp / f"push{r}", rows, server.env_values())
        params = load_params(paths.params_file)
        times["push"].append(timed(run_push, paths, params))
        times["repush"].append(timed(run_push, paths, params))

        # pull: a project whose tasks carry two annotations each (imported with the tasks)
        paths = review_project(tmp / f"pull{r}", rows, server.env_values())
        params = load_params(paths.params_file)
        ls = server_for(paths, params)
        project = ls.ensure(ProjectSpec(Role.REVIEW, ReviewKind.MCQ), 2)
        annotated = []
        for task in tasks:
            text = task["data"]["text"]
            accept = ReviewLabels("x", "accept", specialty="03.04", answer_check="correct")
            task = dict(task, annotations=[{"result": to_result(accept, text)}] * 2)
            annotated.append(task)
        for i in range(0, len(annotated), 5000):
            ls.client.projects.import_tasks(project, request=annotated[i : i + 5000])
        times["bare_export"].append(timed(bare_export, ls.client, project))
        pinned = params.model_copy(
            update={"review": params.review.model_copy(update={"snapshot": 1})}
        )
        times["pull"].append(timed(run_pull, paths, pinned))
        print(
            f"run {r + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items()), flush=True
        )

    median = {k: statistics.median(v) for k, v in times.items()}
    n = len(rows)
    return {
        "tasks": n,
        "runs": runs,
        "median_seconds": {k: round(v, 2) for k, v in median.items()},
        "tasks_per_second": {k: round(n / v) for k, v in median.items()},
        "push_vs_bare_import": round(median["push"] / median["bare_import"], 2),
        "pull_vs_bare_export": round(median["pull"] / median["bare_export"], 2),
        "batch_size": load_params(ROOT / "params.yaml").review.batch_size,
        "note": f"run id {uuid.uuid4().hex[:6]}; medians of {runs} runs on one machine",
    }


if __name__ == "__main__":
    main()
