"""`curate tasks …`: the evaluable tasks of tasks.yaml — list them, build their instances."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from curation.cli_common import RootOption, console, progress, user_errors
from curation.cli_review import WaitOption, _params, _upserted
from curation.paths import ProjectPaths
from curation.review.lock import DEFAULT_WAIT

tasks_app = typer.Typer(
    help=(
        "Evaluable tasks (tasks.yaml): triage, diagnosis, summarization, extraction… built from "
        "records and dialogues, one instance per item and task.\n\n"
        "`curate tasks` lists the declared tasks; `curate tasks build` builds their instances "
        "(DVC stage tasks@TASK). Physician review of instances: `curate tasks drafts import` "
        "(optional model drafts) → `curate tasks push` → physicians review → `curate review "
        "snapshot` → `dvc repro` (review_pull → task_merge → split). Disputed instances: "
        "`curate tasks adjudicate` → the senior physician decides → `curate review snapshot` → "
        "`dvc repro`."
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


@tasks_app.command("push")
@user_errors
def tasks_push(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Tasks to push (default: every task).", show_default=False),
    ] = None,
    root: RootOption = Path("."),
    limit: Annotated[
        int | None,
        typer.Option(help="Push only the first N instances of each task (by instance id)."),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            help="Pre-fill authored instances with this model's drafts (default: the first "
            "model by name that drafted the instance)."
        ),
    ] = None,
    show_model: Annotated[
        bool,
        typer.Option(
            "--show-model", help="Name the model that drafted an answer on the review screen."
        ),
    ] = False,
    wait: WaitOption = DEFAULT_WAIT,
) -> None:
    """Send task instances to physicians: one Label Studio project per output type.

    Upserts data/tasks/instances/<task>.parquet into the projects "<project> · tasks · free
    text | label | spans | fields", each instance to review.overlap physicians. The screen
    shows the instruction and the input, asks whether the instance is answerable from it, the
    answer (pre-filled: the derived reference, else a model draft from `curate tasks drafts
    import`, else the task's rule draft) and a verdict on it: correct, corrected, or reject
    with a reason. Idempotent, keyed on the instance (tasks carry its public id); one push at a
    time per project (shared with `curate review push`). Which model drafted an answer is kept
    out of the physicians' view unless --show-model.
    """
    from curation.commands.tasks import chosen_tasks, declared_tasks
    from curation.review.connection import Connection
    from curation.tasks.review import run_task_push

    paths = ProjectPaths(root)
    tasks = chosen_tasks(declared_tasks(paths), names)
    with progress() as bar:
        job = bar.add_task("pushing task instances", total=None)
        reports = run_task_push(
            paths,
            _params(root),
            tasks,
            limit,
            model,
            show_model,
            lambda n: bar.advance(job, n),
            lambda n: bar.update(job, total=n),
            wait,
            console.print,
        )
    for r in reports:
        console.print(_upserted(r))
    if reports:
        console.print(f"physicians review at {Connection.from_project(root).url}")
    else:
        console.print("no instances to push (build them with `dvc repro`)")


@tasks_app.command("adjudicate")
@user_errors
def tasks_adjudicate(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Tasks to adjudicate (default: every task).", show_default=False),
    ] = None,
    root: RootOption = Path("."),
    wait: WaitOption = DEFAULT_WAIT,
) -> None:
    """Send disputed task instances to a senior physician (every review shown beside them).

    Reads data/tasks/reviewed/<task>.parquet (status needs_adjudication) of the last `dvc
    repro` and upserts those instances into "<project> · task adjudication · free text | label
    | spans | fields", one annotation each: the review screen, pre-filled as the reviewers saw
    it, with each reviewer's verdict and answer. Idempotent, like `curate tasks push`. The
    senior physician's decision is final once a later snapshot is pulled and merged.
    """
    from curation.commands.tasks import chosen_tasks, declared_tasks
    from curation.review.connection import Connection
    from curation.tasks.adjudication import run_task_adjudicate

    paths = ProjectPaths(root)
    tasks = chosen_tasks(declared_tasks(paths), names)
    with progress() as bar:
        job = bar.add_task("task adjudication queue", total=None)
        reports = run_task_adjudicate(
            paths,
            _params(root),
            tasks,
            lambda n: bar.advance(job, n),
            lambda n: bar.update(job, total=n),
            wait,
            console.print,
        )
    for r in reports:
        console.print(_upserted(r))
    if reports:
        console.print(f"the senior physician adjudicates at {Connection.from_project(root).url}")
    else:
        console.print("no disputed task instances to adjudicate")


drafts_app = typer.Typer(
    help=(
        "Model drafts of task answers, made by any model run elsewhere: import them (screened "
        "by the de-identifier) and the next `curate tasks push` shows them pre-filled."
    ),
    invoke_without_command=True,
)
tasks_app.add_typer(drafts_app, name="drafts")


@drafts_app.callback()
@user_errors
def drafts_list(ctx: typer.Context, root: RootOption = Path(".")) -> None:
    """List the stored drafts per task and model (and drafts quarantined by screening)."""
    if ctx.invoked_subcommand is not None:
        return
    from curation.tasks.drafts import stored_drafts

    found = stored_drafts(ProjectPaths(root))
    if not found:
        console.print("no drafts: import some with `curate tasks drafts import FILE --model NAME`")
        return
    table = Table("task", "model", "drafts", "PHI masked", "quarantined", title="model drafts")
    for row in found:
        table.add_row(
            row["task"],
            row["model"],
            str(row["drafts"]),
            str(row.get("phi_masked", 0)),
            str(row["quarantined"]),
        )
    console.print(table)


@drafts_app.command("import")
@user_errors
def drafts_import(
    file: Annotated[
        Path,
        typer.Argument(
            help='JSONL, one {"instance_id": …, "output": …} per line.', show_default=False
        ),
    ],
    model: Annotated[
        str, typer.Option(help="The model that wrote the drafts (recorded with each draft).")
    ],
    root: RootOption = Path("."),
) -> None:
    """Import a model's drafts of task answers from a JSONL file.

    Each line is {"instance_id": ID, "output": ANSWER}: ID as in
    data/tasks/instances/<task>.parquet (or its public id); ANSWER a text, one of the task's
    labels, a JSON object for fields tasks, a list of {start, end, label} for spans tasks.
    Every line is checked first: an error names the file, line and field, unknown ids are
    listed, and nothing of a file with a problem is imported. Each output then passes the
    de-identifier as physicians' edits do (what it finds is masked); a draft it cannot clear
    is quarantined, never stored. Stored in data/tasks/drafts/<task>/<model>.parquet;
    importing the same file again adds nothing.
    """
    from curation.commands.tasks import declared_tasks
    from curation.review.ids import ReviewIds
    from curation.tasks.drafts import import_drafts, read_instances
    from curation.tasks.screen import Screener

    paths = ProjectPaths(root)
    params = _params(root)
    tasks = list(declared_tasks(paths))
    instances = read_instances(paths, tasks)
    public = ReviewIds.for_project(paths.root, list(instances)).internal
    with console.status("checking and screening drafts …"):
        report = import_drafts(
            paths, file, model, tasks, public, Screener(paths.root, params.deid.detection())
        )
    console.print(f"{report.file}: {report.lines} drafts by {report.model}")
    for task, counts in report.as_dict()["by_task"].items():
        console.print(f"  {task}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@tasks_app.command("merge")
@user_errors
def tasks_merge(root: RootOption = Path(".")) -> None:
    """Physicians' task reviews → data/tasks/reviewed/<task>.parquet (DVC stage task_merge).

    Reads the pinned snapshot (data/review/export.json, written by `curate review pull`).
    Per instance: final (its reference: what the physicians agreed on), pending (fewer than
    review.required_reviews reviews), needs_adjudication (they disagree, or a review is
    incomplete: e.g. fields that are not valid JSON for the task's schema) or rejected (a
    majority found it wrong or not answerable). A complete adjudication (`curate tasks
    adjudicate`) decides: final or rejected, resolution adjudicated; an incomplete one leaves
    the instance needs_adjudication. reports/tasks_review.json: counts, adjudication and
    agreement per task and family (kappa on labels and verdicts, span F1, share of pre-filled
    answers accepted unchanged, edit distance between physicians).
    """
    from curation.tasks.merge import run_task_merge

    report = run_task_merge(ProjectPaths(root), _params(root))
    for task, figures in report["tasks"].items():
        console.print(f"{task}: {figures['instances']} instances, {figures['by_status']}")
    adjudication = report["adjudication"]
    if adjudication["queued"] or adjudication["awaiting"]:
        console.print(f"adjudication: {adjudication}")
    console.print("report: reports/tasks_review.json")


@tasks_app.command("simulate")
@user_errors
def tasks_simulate(
    root: RootOption = Path("."),
    adjudication: Annotated[
        bool,
        typer.Option(
            "--adjudication",
            help="Act as the senior physician on the task adjudication projects instead.",
        ),
    ] = False,
    reviewers: Annotated[int, typer.Option(help="Demo reviewer accounts.")] = 3,
    reject: Annotated[float, typer.Option(help="Share of instances both reject.")] = 0.05,
    correct: Annotated[
        float, typer.Option(help="Share of instances both correct the same way.")
    ] = 0.15,
    disagreement: Annotated[
        float, typer.Option(help="Share of reviews that depart on their own.")
    ] = 0.1,
    seed: Annotated[int, typer.Option(help="Seed of every simulated choice.")] = 0,
) -> None:
    """DEMO AND TESTS ONLY: demo physicians review every open task instance through the API.

    Accounts are dr.demo.<n>@medcurate.invalid (as `curate review simulate`). Mostly they
    accept the pre-filled answer; some instances they correct, a few they reject, and now and
    then one departs from the other. With --adjudication, dr.demo.senior@… settles every open
    adjudication task, taking one reviewer's answer or the pre-fill. Refuses to run on a server
    holding anyone else's annotations; deterministic, and a rerun adds nothing.
    """
    from curation.tasks.review import server_for
    from curation.tasks.simulate import (
        TaskSimulation,
        simulate_task_adjudication,
        simulate_tasks,
    )

    params = _params(root)
    server = server_for(ProjectPaths(root), params)
    sim = TaskSimulation(reviewers, reject, correct, disagreement, seed)
    with progress() as bar:
        if adjudication:
            job = bar.add_task("simulating task adjudication", total=None)
            counts = simulate_task_adjudication(server, sim, lambda n: bar.advance(job, n))
        else:
            job = bar.add_task("simulating task review", total=None)
            counts = simulate_tasks(
                server, sim, params.review.overlap, lambda n: bar.advance(job, n)
            )
    console.print(f"{counts['annotations']} new annotations on {counts['tasks']} tasks")
