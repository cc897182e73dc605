"""`curate tasks …`: the evaluable tasks of tasks.yaml — list them, build their instances."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from curation.cli_common import RootOption, console, progress, user_errors
from curation.paths import ProjectPaths

tasks_app = typer.Typer(
    help=(
        "Evaluable tasks (tasks.yaml): triage, diagnosis, summarization, extraction… built from "
        "records and dialogues, one instance per item and task.\n\n"
        "`curate tasks` lists the declared tasks; `curate tasks build` builds their instances "
        "(DVC stage tasks@TASK)."
    ),
    invoke_without_command=True,
)


@tasks_app.callback()
@user_errors
def tasks_list(ctx: typer.Context, root: RootOption = Path(".")) -> None:
    """Validate tasks.yaml and list the declared tasks."""
    if ctx.invoked_subcommand is not None:
        return
    from curation.commands.tasks import declared_tasks
    from curation.tasks.declarations import TASKS_FILE, describe

    paths = ProjectPaths(root)
    tasks = declared_tasks(paths)
    if not tasks:
        console.print(f"no tasks: {TASKS_FILE} is missing or declares none")
        return
    table = Table(title=f"{len(tasks)} tasks in {TASKS_FILE}")
    columns = ("id", "family", "dimension", "languages", "draws_from", "input", "output")
    for col in (*columns, "scoring", "reference"):
        table.add_column(col)
    for task_id, spec in tasks.items():
        row = describe(spec)
        table.add_row(task_id, *(row[c] for c in (*columns[1:], "scoring", "reference")))
    console.print(table)


@tasks_app.command("build")
@user_errors
def tasks_build(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Tasks to build (default: every task).", show_default=False),
    ] = None,
    root: RootOption = Path("."),
) -> None:
    """Build task instances from the curated items (DVC stage tasks@TASK).

    Streams data/curated.parquet; writes data/tasks/instances/<task>.parquet (instruction,
    input, derived reference or rule draft), data/tasks/not_eligible/<task>.parquet (every item
    that yields no instance, with its reason) and reports/tasks/<task>.json (items in =
    instances + not eligible).
    """
    import pyarrow.parquet as pq

    from curation.commands.tasks import build_task, chosen_tasks, declared_tasks

    paths = ProjectPaths(root)
    chosen = chosen_tasks(declared_tasks(paths), names)
    total = pq.ParquetFile(paths.curated).metadata.num_rows if paths.curated.is_file() else 0
    for task_id, spec in chosen.items():
        with progress() as bar:
            job = bar.add_task(f"tasks {task_id}", total=total)
            report = build_task(paths, task_id, spec, lambda n, job=job: bar.advance(job, n))
        reasons = ", ".join(f"{k} {v}" for k, v in report["not_eligible_by_reason"].items())
        console.print(
            f"{task_id}: {report['items_in']} items → {report['instances']} instances, "
            f"{report['not_eligible']} not eligible ({reasons or 'none'})"
        )
