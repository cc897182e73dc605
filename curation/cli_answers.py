"""`curate answers …`: model answers to a published release, kept for physicians to grade."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from curation.cli_common import RootOption, console, user_errors
from curation.paths import ProjectPaths

answers_app = typer.Typer(
    help=(
        "Model answers to a published release (releases/<version>/), kept for physicians to "
        "grade.\n\n"
        "Run the release anywhere (its exports for lm-evaluation-harness or OpenCompass, or your "
        "own script), then `curate answers import RUN_FILE --model NAME`: every output is mapped "
        "to the item_id / instance_id it answers, screened by the de-identifier and stored in "
        "answers/<version>/<model>/<run>.parquet, never inside the release. `curate answers` "
        "lists what is stored."
    ),
    invoke_without_command=True,
)


@answers_app.callback()
@user_errors
def answers_list(ctx: typer.Context, root: RootOption = Path(".")) -> None:
    """List the stored answers per release, model and run (and those quarantined)."""
    if ctx.invoked_subcommand is not None:
        return
    from curation.answers.store import stored_answers

    found = stored_answers(ProjectPaths(root))
    if not found:
        console.print("no answers: import some with `curate answers import RUN_FILE --model NAME`")
        return
    table = Table("release", "model", "run", "answers", "quarantined", title="model answers")
    for row in found:
        table.add_row(
            row["version"], row["model"], row["run"], str(row["answers"]), str(row["quarantined"])
        )
    console.print(table)


@answers_app.command("import")
@user_errors
def answers_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="The run's output file: JSONL of {id, output}, an lm-eval samples_<task>_<date>"
            ".jsonl, or an OpenCompass predictions/<model>/<dataset>.json.",
            show_default=False,
        ),
    ],
    model: Annotated[
        str, typer.Option(help="The model that wrote the answers (recorded with each one).")
    ],
    run: Annotated[
        str,
        typer.Option(
            help="Name of this run of the model (keeps several runs apart; a run's new output "
            "for an id replaces its earlier one)."
        ),
    ] = "default",
    version: Annotated[
        str | None,
        typer.Option(help="The release answered (default: the newest under releases/)."),
    ] = None,
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="jsonl, lm_eval or opencompass (default: detected from the file).",
            show_default=False,
        ),
    ] = None,
    dataset_file: Annotated[
        Path | None,
        typer.Option(
            help="OpenCompass only: the dataset JSONL the predictions were made on (default: "
            "releases/<version>/exports/opencompass/<prediction file name>.jsonl).",
            show_default=False,
        ),
    ] = None,
    root: RootOption = Path("."),
) -> None:
    """Import one run's answers to a release's items and task instances.

    Formats (detected, or forced with --format):

    - jsonl: one {"id": ID, "output": TEXT} per line; ID an item_id or instance_id of the
    release.

    - lm_eval: lm-evaluation-harness --log_samples output (samples_<task>_<date>.jsonl) of the
    release's exports/lm_eval tasks; the id is the doc's instance_id or item_id, the answer its
    filtered_resps (multiple choice: the option letter with the highest loglikelihood).

    - opencompass: predictions/<model>/<dataset>.json of the release's exports/opencompass
    files; index N is line N+1 of the dataset file (found by name, or --dataset-file).

    Every line is checked first: a line that does not parse, a missing field or an unknown id
    makes one error naming file:line and why, and nothing is stored. Each output then passes
    the de-identifier as task drafts do (what it finds is masked); an output it cannot clear is
    quarantined (answers/<version>/quarantine/, its reason only), never stored. Importing the
    same file again changes nothing.
    """
    from curation.answers.store import import_answers
    from curation.cli_review import _params
    from curation.tasks.screen import Screener

    paths = ProjectPaths(root)
    screener = Screener(paths.root, _params(root).deid.detection())
    with console.status("checking and screening answers …"):
        report = import_answers(paths, file, model, screener, run, version, format, dataset_file)
    console.print(
        f"{report.file} ({report.format}): {report.answers} answers by {report.model}, run "
        f"{report.run}, release {report.version} → {report.stored}"
    )
    counts = report.as_dict()["counts"]
    console.print("  " + (", ".join(f"{k} {v}" for k, v in counts.items()) or "nothing"))


@answers_app.command("simulate")
@user_errors
def answers_simulate(
    out: Annotated[
        Path,
        typer.Option(help="The run file to write (JSONL of {id, output}).", show_default=False),
    ],
    model: Annotated[str, typer.Option(help="Name of the demo model (seeds its answers).")],
    accuracy: Annotated[
        float, typer.Option(help="Share of answers that repeat the reference.")
    ] = 1.0,
    per_config: Annotated[
        int, typer.Option(help="Items or instances answered per release config and split.")
    ] = 12,
    version: Annotated[
        str | None,
        typer.Option(help="The release answered (default: the newest under releases/)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of every simulated choice.")] = 0,
    root: RootOption = Path("."),
) -> None:
    """DEMO AND TESTS ONLY: write the answers a simulated model gives to a release.

    The model answers a fixed sample (every simulated model the same ids: up to --per-config
    per config and split, among rows with a reference) with the reference with probability
    --accuracy, else with a partly right or a wrong answer. Import the file as a real run:
    `curate answers import OUT --model NAME`.
    """
    import json

    from curation.answers.store import release_dir
    from curation.grading.simulate import simulated_answers

    version, release = release_dir(ProjectPaths(root), version)
    lines = simulated_answers(release, model, accuracy, per_config, seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8"
    )
    console.print(f"{out}: {len(lines)} answers of {model} to release {version}")
