"""`curate labelstudio …` and `curate review …`: physician review in Label Studio."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from curation.cli_common import RootOption, console, progress, user_errors
from curation.paths import ProjectPaths
from curation.review.lock import DEFAULT_WAIT

if TYPE_CHECKING:
    from curation.review.projects import UpsertReport

labelstudio_app = typer.Typer(
    help=(
        "Run the embedded Label Studio server (SQLite under .labelstudio/, bound to 127.0.0.1, "
        "telemetry off). Its admin login and API token live in the git-ignored .env. To use "
        "another server instead, export LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY."
    ),
    no_args_is_help=True,
)
review_app = typer.Typer(
    help=(
        "Physician review: push the curated queue to Label Studio (pre-annotated, each item to "
        "`review.overlap` physicians), pull a snapshot, measure agreement, adjudicate "
        "disagreements, merge decisions. Typical loop: push → physicians review → bump "
        "review.snapshot (`curate review snapshot`) → `dvc repro` → `curate review adjudicate` "
        "→ senior physician decides → bump again → `dvc repro`."
    ),
    no_args_is_help=True,
)


def _params(root: Path):
    from curation.params import load_params

    return load_params(ProjectPaths(root).params_file)


def _upserted(r: UpsertReport) -> str:
    """One line per project of a push: what it created, updated and repaired."""
    line = (
        f"{r.project} (project {r.project_id}): {r.created} created, {r.updated} updated, "
        f"{r.unchanged} unchanged"
    )
    if r.on_server_only:
        line += f", {r.on_server_only} no longer queued (kept)"
    if r.renamed:
        line += f", {r.renamed} re-keyed from internal to public item ids"
    if r.duplicates_removed:
        line += f", {r.duplicates_removed} duplicate tasks removed"
    if r.duplicates_kept:
        line += f", {r.duplicates_kept} duplicate tasks kept (physicians worked on them)"
    return line


WaitOption = Annotated[
    float,
    typer.Option(help="Seconds to wait for another push of this project before giving up."),
]


@labelstudio_app.command("up")
@user_errors
def labelstudio_up(
    root: RootOption = Path("."),
    wait: Annotated[float, typer.Option(help="Seconds to wait for /health.")] = 300.0,
) -> None:
    """Start the local Label Studio (first start migrates its database: ~1 min)."""
    from curation.review.server import LocalServer

    server = LocalServer(root)
    with console.status("starting Label Studio …"):
        started = server.up(wait=wait)
    values = server.env_values()
    console.print(f"Label Studio {'started' if started else 'already running'} at {server.url}")
    console.print(
        f"log in as {values['LABEL_STUDIO_USERNAME']} (password: LABEL_STUDIO_PASSWORD in "
        f"{root / '.env'})"
    )


@labelstudio_app.command("down")
@user_errors
def labelstudio_down(root: RootOption = Path(".")) -> None:
    """Stop the local Label Studio started by `up`."""
    from curation.review.server import LocalServer

    stopped = LocalServer(root).down()
    console.print("Label Studio stopped" if stopped else "no local Label Studio was running")


@labelstudio_app.command("status")
@user_errors
def labelstudio_status(root: RootOption = Path(".")) -> None:
    """Whether the server answers, where, and which process runs it."""
    from curation.review.server import LocalServer

    server = LocalServer(root)
    healthy = server.healthy()
    pid = server.pid()
    console.print(
        f"{server.url}: {'up' if healthy else 'down'}"
        + (f" (local server, pid {pid}, data in {server.folder})" if pid else "")
    )
    if not healthy:
        raise typer.Exit(1)


@review_app.command("push")
@user_errors
def review_push(
    root: RootOption = Path("."),
    limit: Annotated[
        int | None, typer.Option(help="Push only the first N items (by item_id).")
    ] = None,
    wait: WaitOption = DEFAULT_WAIT,
) -> None:
    """Create or update the review projects and upsert data/curated.parquet as tasks.

    Idempotent, keyed on the item: re-running after a crash, or with the same queue, creates no
    duplicate; a changed item updates its task (physicians' annotations stay). Tasks name items
    by their public id (an HMAC under the project salt, as releases do); tasks pushed earlier
    under internal ids are re-keyed in place. Each task carries pre-annotations: the tagger's
    specialty and the de-identified spans. One push at a time per project (a second one waits);
    duplicate tasks found on the server are repaired (copies nobody worked on are deleted, the
    oldest stays).
    """
    from curation.commands.review import run_push

    paths = ProjectPaths(root)
    params = _params(root)
    with progress() as bar:
        task = bar.add_task("pushing", total=None)
        reports = run_push(
            paths,
            params,
            lambda n: bar.advance(task, n),
            limit,
            lambda n: bar.update(task, total=n),
            wait,
            console.print,
        )
    for r in reports:
        console.print(_upserted(r))
    if reports:
        from curation.review.connection import Connection

        console.print(f"physicians review at {Connection.from_project(root).url}")
    else:
        console.print("the queue is empty")


@review_app.command("pull")
@user_errors
def review_pull(root: RootOption = Path(".")) -> None:
    """Write data/review/export.json: an export snapshot of every review project.

    A DVC stage pinned by review.snapshot in params.yaml: `dvc repro` pulls only when a
    maintainer bumps that number. At 0 it writes an empty snapshot and needs no server.
    """
    from curation.commands.review import run_pull

    document = run_pull(ProjectPaths(root), _params(root))
    tasks = sum(len(p["tasks"]) for p in document["projects"])
    annotations = sum(len(t["annotations"]) for p in document["projects"] for t in p["tasks"])
    console.print(
        f"snapshot {document['snapshot']}: {len(document['projects'])} projects, {tasks} tasks, "
        f"{annotations} annotations"
    )


@review_app.command("snapshot")
@user_errors
def review_snapshot(root: RootOption = Path(".")) -> None:
    """Bump review.snapshot in params.yaml, so that the next `dvc repro` pulls reviews."""
    from curation.params import edit_param

    number = edit_param(ProjectPaths(root).params_file, "review", "snapshot")
    console.print(f"review.snapshot = {number}; run `dvc repro` to pull and merge the reviews")


@review_app.command("agreement")
@user_errors
def review_agreement(root: RootOption = Path(".")) -> None:
    """Inter-rater agreement per field → reports/agreement.json (DVC metric) and .md.

    Krippendorff's alpha, Fleiss' kappa, Cohen's kappa per rater pair and per annotator,
    overall and per specialty, with bootstrap 95% intervals (review.bootstrap resamples).
    """
    from curation.commands.review import run_agreement

    report = run_agreement(ProjectPaths(root), _params(root).review)
    for name, f in report["fields"].items():
        alpha = f["krippendorff_alpha"]["value"]
        console.print(
            f"{name}: {f['items']} items, alpha " + ("n/a" if alpha is None else f"{alpha:.3f}")
        )
    console.print("summary: reports/agreement.md")


@review_app.command("merge")
@user_errors
def review_merge(root: RootOption = Path(".")) -> None:
    """Apply final decisions: data/reviewed.parquet, quarantine of rejected items, report.

    Rejected → data/quarantine/review/curated.parquet (review_rejected, with reasons); edits,
    corrected answers and specialties applied; physician-marked PHI masked. Items without a
    final decision stay as pending / needs_adjudication (not eligible for a release).
    """
    from curation.commands.review import run_merge

    report = run_merge(ProjectPaths(root), _params(root).review)
    d = report.details
    console.print(
        f"{report.rows_in} items → {report.kept} kept, {report.quarantined} rejected; "
        f"status {d['by_status']}, resolution {d['by_resolution']}, changes {d['changes']}"
    )


@review_app.command("adjudicate")
@user_errors
def review_adjudicate(root: RootOption = Path("."), wait: WaitOption = DEFAULT_WAIT) -> None:
    """Send items whose reviewers disagree to the adjudication projects (reviews side by side).

    Reads data/reviewed.parquet (status needs_adjudication) of the last `dvc repro`. The senior
    physician's decision is final once a later snapshot is pulled and merged.
    """
    from curation.commands.review import run_adjudicate

    with progress() as bar:
        task = bar.add_task("adjudication queue", total=None)
        reports = run_adjudicate(
            ProjectPaths(root), _params(root), lambda n: bar.advance(task, n), wait, console.print
        )
    if not reports:
        console.print("no disagreements to adjudicate")
    for r in reports:
        console.print(_upserted(r))


@review_app.command("simulate")
@user_errors
def review_simulate(
    root: RootOption = Path("."),
    adjudication: Annotated[
        bool, typer.Option("--adjudication", help="Act as the senior physician instead.")
    ] = False,
    reviewers: Annotated[int, typer.Option(help="Demo reviewer accounts.")] = 3,
    disagreement: Annotated[
        float, typer.Option(help="Share of reviews that depart from the pre-annotation.")
    ] = 0.15,
    seed: Annotated[int, typer.Option(help="Seed of every simulated choice.")] = 0,
) -> None:
    """DEMO AND TESTS ONLY: demo physicians annotate every open task through the real API.

    Accounts are dr.demo.<n>@medcurate.invalid (and dr.demo.senior@… for --adjudication).
    Refuses to run on a server holding annotations by anyone else.
    """
    from curation.commands.review import server_for
    from curation.review.configs import Role
    from curation.review.simulate import Simulation, simulate
    from curation.taxonomy import project_taxonomy

    params = _params(root)
    server = server_for(ProjectPaths(root), params)
    codes = [s.code for s in project_taxonomy(root).leaves()]
    role = Role.ADJUDICATION if adjudication else Role.REVIEW
    with progress() as bar:
        task = bar.add_task(f"simulating {role.value}", total=None)
        counts = simulate(
            server,
            role,
            Simulation(reviewers, disagreement, seed),
            params.review.overlap,
            codes,
            lambda n: bar.advance(task, n),
        )
    console.print(f"{counts['annotations']} new annotations on {counts['tasks']} tasks")


@review_app.command("status")
@user_errors
def review_status(root: RootOption = Path(".")) -> None:
    """Live review progress: per project, per annotator and per specialty."""
    from curation.commands.review import review_status as status

    found = status(ProjectPaths(root), _params(root))
    table = Table("project", "tasks", "complete", "annotations", title="projects")
    for p in found["projects"]:
        table.add_row(p["project"], str(p["tasks"]), str(p["complete"]), str(p["annotations"]))
    console.print(table)
    table = Table("annotator", "annotations", title="annotators")
    for who, n in found["annotators"].items():
        table.add_row(who, str(n))
    console.print(table)
    table = Table("specialty", "tasks", "complete", title="review progress by specialty")
    for code, s in found["specialties"].items():
        table.add_row(code, str(s["tasks"]), str(s["complete"]))
    console.print(table)


@review_app.command("invite")
@user_errors
def review_invite(root: RootOption = Path(".")) -> None:
    """Print the sign-up link to send to physicians (signup is otherwise closed)."""
    from curation.review.connection import Connection

    connection = Connection.from_project(root)
    with connection.http() as http:
        response = http.get("/api/invite")
        response.raise_for_status()
    console.print(f"{connection.url}{response.json()['invite_url']}")
