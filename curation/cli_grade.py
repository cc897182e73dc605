"""`curate grade …`: physicians grade model answers to a release in Label Studio."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from curation.cli_common import RootOption, console, progress, user_errors
from curation.cli_review import WaitOption, _params, _upserted
from curation.paths import ProjectPaths
from curation.review.lock import DEFAULT_WAIT

grade_app = typer.Typer(
    help=(
        "Physicians grade model answers to a published release: verdict (correct / partially "
        "correct / incorrect), a score 1-5 on the item's rubric, harm on safety items, and a "
        "rationale. Grades train and test an LLM judge (`curate judge`) and give each item an "
        "empirical difficulty.\n\n"
        "The loop: `curate answers import` (each model's run) → `curate grade push` → "
        "physicians grade (two per answer, model hidden, answers of all models mixed) → "
        "`curate grade snapshot` → `dvc repro` (grade_pull → grade_merge → judge_export) → "
        "`curate grade adjudicate` for disputed answers → the senior physician decides → "
        "`curate grade snapshot` → `dvc repro`. `curate grade` shows where grading stands."
    ),
    invoke_without_command=True,
)


@grade_app.callback()
@user_errors
def grade_status(ctx: typer.Context, root: RootOption = Path(".")) -> None:
    """Show the last merge: graded answers by status, agreement, each model's share correct."""
    if ctx.invoked_subcommand is not None:
        return
    from curation.grading.layout import GradingLayout

    layout = GradingLayout(ProjectPaths(root).root)
    if not layout.report.is_file():
        console.print(
            "nothing merged yet: `curate grade push`, grade, `curate grade snapshot`, `dvc repro`"
        )
        return
    report = json.loads(layout.report.read_text(encoding="utf-8"))
    answers = report["answers"]
    console.print(
        f"release {report['version'] or '—'}, snapshot {report['snapshot']}: "
        + ", ".join(f"{k} {answers[k]}" for k in ("final", "disputed", "pending", "adjudicated"))
    )
    verdict = report["agreement"]["overall"].get("verdict") or {}
    alpha = (verdict.get("krippendorff_alpha") or {}).get("value")
    kappa = (verdict.get("cohen_kappa") or {}).get("value")
    if alpha is not None:
        console.print(
            f"verdict agreement: Krippendorff's alpha {alpha:.3f}"
            + (f", Cohen's kappa {kappa:.3f}" if kappa is not None else "")
        )
    if report["models"]:
        table = Table(
            "model/run", "final", "share correct", "mean score", "harmful", title="models"
        )
        for name, figures in report["models"].items():
            table.add_row(
                name,
                str(figures["final"]),
                f"{figures['share_correct']:.3f}",
                f"{figures['mean_score']:.2f}",
                str(figures["harmful"]),
            )
        console.print(table)
    if report["items"]["saturated_tests"]:
        console.print(
            "[yellow]saturated test sets (every model answers every item correctly): "
            + ", ".join(report["items"]["saturated_tests"])
        )


@grade_app.command("push")
@user_errors
def grade_push(
    root: RootOption = Path("."),
    model: Annotated[
        list[str] | None,
        typer.Option(help="Push only this model's answers (repeatable; default: every model)."),
    ] = None,
    config: Annotated[
        list[str] | None,
        typer.Option(help="Push only answers to this release config (repeatable)."),
    ] = None,
    wait: WaitOption = DEFAULT_WAIT,
) -> None:
    """Send stored model answers to physicians: one grading project per release.

    Every answer stored for the graded release (params grading.release, else the newest; see
    `curate answers`) to an item or task instance with a reference becomes one task of
    "<project> · grading · <version>", graded by grading.overlap physicians. The screen shows
    the question, the reference, the answer and the rubric (schemas/grading_rubrics.yaml); the
    model is not shown, not even in the task's data, and answers of all models come mixed.
    Configs listed in grading.safety_configs also ask whether the answer could harm a patient.
    Idempotent, keyed on the answer; one push at a time per project.
    """
    from curation.grading.push import run_grade_push
    from curation.review.connection import Connection

    paths = ProjectPaths(root)
    with progress() as bar:
        job = bar.add_task("pushing answers to grade", total=None)
        queue, report = run_grade_push(
            paths,
            _params(root),
            model,
            config,
            lambda n: bar.advance(job, n),
            lambda n: bar.update(job, total=n),
            wait,
            console.print,
        )
    left_out = ", ".join(f"{k} {v}" for k, v in sorted(queue.left_out.items()))
    console.print(
        f"release {queue.version}: {len(queue.tasks)} answers to grade from "
        f"{len(queue.models)} model runs" + (f" (left out: {left_out})" if left_out else "")
    )
    if queue.unknown_safety:
        console.print(
            "[yellow]grading.safety_configs names configs release "
            f"{queue.version} does not have: {', '.join(queue.unknown_safety)}"
        )
    if report is None:
        console.print("nothing to push: import answers with `curate answers import`")
        return
    console.print(_upserted(report))
    console.print(f"physicians grade at {Connection.from_project(root).url}")


@grade_app.command("pull")
@user_errors
def grade_pull(root: RootOption = Path(".")) -> None:
    """Write data/grading/export.json: the graded release's grades (DVC stage grade_pull).

    Pinned by grading.snapshot in params.yaml: `dvc repro` pulls only when a maintainer bumps
    it (`curate grade snapshot`). At 0 it writes an empty snapshot and needs no server. Each
    grading task is joined back to the answer it shows (model, run, released id) here.
    """
    from curation.grading.snapshot import run_grade_pull

    document = run_grade_pull(ProjectPaths(root), _params(root))
    grades = sum(len(a["grades"]) for a in document["answers"])
    console.print(
        f"grading snapshot {document['snapshot']} of release {document['version'] or '—'}: "
        f"{len(document['answers'])} answers, {grades} grades"
    )


@grade_app.command("snapshot")
@user_errors
def grade_snapshot(root: RootOption = Path(".")) -> None:
    """Bump grading.snapshot (and pin grading.release to the graded release if it is empty),
    so that the next `dvc repro` pulls and merges the grades."""
    from curation.grading.snapshot import bump_snapshot

    version, number = bump_snapshot(ProjectPaths(root), _params(root))
    console.print(
        f"grading.snapshot = {number} (release {version}); run `dvc repro` to pull and merge "
        "the grades"
    )


@grade_app.command("merge")
@user_errors
def grade_merge(root: RootOption = Path(".")) -> None:
    """Consensus grades, agreement and item statistics (DVC stage grade_merge).

    Reads data/grading/export.json; writes data/grading/grades.parquet (one row per answer:
    final, disputed or pending), data/grading/item_stats.parquet (share correct, difficulty
    1-5, discrimination per item), reports/grading.json and reports/grading_agreement.png.
    An answer is final when its graders agree on the verdict (and harm) with scores at most
    grading.max_score_gap apart, or when the senior physician adjudicated it.
    """
    from curation.grading.merge import run_grade_merge
    from curation.tasks.screen import Screener

    params = _params(root)
    review = params.review
    paths = ProjectPaths(root)
    screener = Screener(paths.root, params.deid.detection())
    report = run_grade_merge(
        paths, params.grading, review.bootstrap, review.seed, review.min_pair_items, screener
    )
    answers = report["answers"]
    console.print(
        f"{answers['in_snapshot']} answers: "
        + ", ".join(f"{k} {answers[k]}" for k in ("final", "disputed", "pending", "adjudicated"))
        + " → data/grading/grades.parquet, reports/grading.json"
    )


@grade_app.command("adjudicate")
@user_errors
def grade_adjudicate(root: RootOption = Path("."), wait: WaitOption = DEFAULT_WAIT) -> None:
    """Send disputed answers to a senior physician (both grades shown beside the screen).

    Reads data/grading/grades.parquet (status disputed) of the last `dvc repro` and upserts
    those answers into "<project> · grading adj. · <version>", one grade each; it is final
    once a later snapshot is pulled and merged.
    """
    from curation.grading.adjudication import run_grade_adjudicate
    from curation.review.connection import Connection

    with progress() as bar:
        job = bar.add_task("grading adjudication queue", total=None)
        version, disputed, report = run_grade_adjudicate(
            ProjectPaths(root), _params(root), lambda n: bar.advance(job, n), wait
        )
    if report is None:
        console.print("no disputed answers to adjudicate")
        return
    console.print(f"release {version}: {disputed} disputed answers")
    console.print(_upserted(report))
    console.print(f"the senior physician adjudicates at {Connection.from_project(root).url}")


@grade_app.command("simulate")
@user_errors
def grade_simulate(
    root: RootOption = Path("."),
    adjudication: Annotated[
        bool,
        typer.Option("--adjudication", help="Act as the senior physician on disputed answers."),
    ] = False,
    graders: Annotated[int, typer.Option(help="Demo grader accounts.")] = 3,
    disagreement: Annotated[
        float, typer.Option(help="Share of grades that depart from the verdict read off.")
    ] = 0.08,
    seed: Annotated[int, typer.Option(help="Seed of every simulated choice.")] = 0,
) -> None:
    """DEMO AND TESTS ONLY: demo physicians grade every open answer through the API.

    Accounts are dr.demo.<n>@medcurate.invalid (as `curate review simulate`). A grader reads
    the verdict off the answer against the reference (same option or label, same text, or a
    large share of it) and now and then departs from it; with --adjudication,
    dr.demo.senior@… settles every disputed answer. Refuses a server holding anyone else's
    annotations; deterministic, and a rerun adds nothing.
    """
    from curation.grading.push import graded_version
    from curation.grading.simulate import GradingSimulation, simulate_grading
    from curation.review.configs import Role
    from curation.tasks.review import server_for

    paths = ProjectPaths(root)
    params = _params(root)
    version, _ = graded_version(paths, params.grading)
    role = Role.ADJUDICATION if adjudication else Role.REVIEW
    with progress() as bar:
        job = bar.add_task("simulating graders", total=None)
        counts = simulate_grading(
            server_for(paths, params),
            version,
            GradingSimulation(graders, disagreement, seed),
            params.grading.overlap,
            role,
            lambda n: bar.advance(job, n),
        )
    console.print(
        f"release {version}: {counts['annotations']} grades given on {counts['tasks']} tasks"
    )
