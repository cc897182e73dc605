"""`curate judge …`: physicians' grades as an LLM judge's training data, and its score."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from curation.cli_common import RootOption, console, user_errors
from curation.paths import ProjectPaths

GRADES = Path("data/grading/grades.parquet")

judge_app = typer.Typer(
    help=(
        "An LLM judge trained on physicians' grades (data/grading/grades.parquet), as MLB "
        "trains its judge.\n\n"
        "`curate judge export` writes the training data (data/judge/: Prometheus-format SFT, "
        "raw and pairwise JSONL per split, a dataset card); train a judge on it anywhere, let it "
        "grade the test split and `curate judge score PREDICTIONS.jsonl` compares its verdicts "
        "with the physicians' (accuracy, macro-F1, Cohen's kappa). `curate judge simulate` "
        "makes demo predictions."
    ),
    no_args_is_help=True,
)

GradesOption = Annotated[
    Path,
    typer.Option(help="The merged grades (made by `curate grade merge`), relative to --root."),
]
VersionOption = Annotated[
    str | None,
    typer.Option(
        "--version",
        help="The graded release (default: the one the grades are for; checked if given).",
        show_default=False,
    ),
]
SplitOption = Annotated[
    str, typer.Option(help="The release split of the graded items: test, dev, train or all.")
]


@judge_app.command("export")
@user_errors
def judge_export(
    version: Annotated[
        str | None,
        typer.Argument(
            help="The graded release (default: the one the grades are for; checked if given).",
            show_default=False,
        ),
    ] = None,
    grades: GradesOption = GRADES,
    out: Annotated[Path, typer.Option(help="Folder of the export, relative to --root.")] = Path(
        "data/judge"
    ),
    agreement: Annotated[
        Path,
        typer.Option(help="The graders' agreement report, shown in the card if it exists."),
    ] = Path("reports/grading.json"),
    root: RootOption = Path("."),
) -> None:
    """Write the judge's training data from the physicians' final grades.

    Only final grades (agreeing graders, or an adjudication) become records; disputed and
    pending ones are counted and left out. Files under OUT, by the release's split of the item
    (a test item is never in a train file):

    - sft/<split>.jsonl: {instruction, output, system, grade_id, id, config, split}, the
    Prometheus absolute-grading prompt and `Feedback: Verdict: <v>. <rationale> [RESULT] <score>`.

    - raw/<split>.jsonl: the graded answers' fields.

    - pairwise/<split>.jsonl: two answers to one id in Prometheus's relative-grading prompt,
    `[RESULT] A` or B for the one the physicians graded higher (exact ties left out).

    - README.md (a dataset card: `datasets.load_dataset(OUT, "sft")`) and manifest.json.
    """
    from curation.judge.export import export_judge
    from curation.secrets import deid_salt

    paths = ProjectPaths(root)
    report = export_judge(
        paths.root / grades,
        paths.root / out,
        version,
        paths.root / agreement,
        salt=deid_salt(paths.root),
    )
    console.print(f"judge export of release {report.version or '(none)'} → {out}")
    status = ", ".join(f"{k} {v}" for k, v in report.status.items())
    console.print(f"  graded answers: {status}")
    for kind, why in report.excluded.items():
        console.print(f"  {kind} left out: {why}")
    table = Table("file", "train", "dev", "test", "total", title="records")
    for kind, counts in report.records.items():
        table.add_row(kind, *(str(n) for n in counts.values()), str(sum(counts.values())))
    ties = report.ties
    table.add_row(
        "pairwise ties (left out)", *(str(n) for n in ties.values()), str(sum(ties.values()))
    )
    console.print(table)


def _cell(value: Any, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _kappa(kappa: dict[str, Any]) -> str:
    text = _cell(kappa["value"])
    if kappa.get("ci95"):
        low, high = kappa["ci95"]
        text += f" [{low:.2f}, {high:.2f}]"
    return text


@judge_app.command("score")
@user_errors
def judge_score(
    files: Annotated[
        list[str],
        typer.Argument(
            help="[VERSION] PREDICTIONS: the judge's JSONL ({grade_id, verdict} or {grade_id, "
            "output} (+ score)), after the graded release's version if you name it.",
            show_default=False,
            metavar="[VERSION] PREDICTIONS",
        ),
    ],
    version: VersionOption = None,
    grades: GradesOption = GRADES,
    split: SplitOption = "test",
    out: Annotated[Path, typer.Option(help="The JSON report, relative to --root.")] = Path(
        "reports/judge_score.json"
    ),
    bootstrap: Annotated[
        int, typer.Option(min=0, help="Bootstrap resamples of the kappa's 95% interval.")
    ] = 1000,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    root: RootOption = Path("."),
) -> None:
    """Compare a judge's verdicts with the physicians' consensus (as MLB scores its judge).

    Each line: {"grade_id": ID, "verdict": "correct" | "partially_correct" | "incorrect"} or
    {"grade_id": ID, "output": "Feedback: Verdict: <verdict>. … [RESULT] <score>"} (a judge's
    text as the SFT records teach it), optionally "score": 1-5. A bad line (not JSON, unknown or
    repeated grade_id, unknown or missing verdict) is named file:line and nothing is scored.
    Predictions for grades that are not final or not in --split are ignored (and counted).

    Figures on the split's final grades with a prediction: coverage, accuracy, macro-F1,
    Cohen's kappa (bootstrap 95% CI), the confusion matrix, exact score share and mean absolute
    score error; overall, per MLB dimension and per task family.
    """
    from curation.errors import ConfigError
    from curation.judge.score import score_judge, write_report

    if len(files) not in (1, 2) or (len(files) == 2 and version not in (None, files[0])):
        raise ConfigError(
            "give PREDICTIONS, or VERSION PREDICTIONS",
            hint="e.g. `curate judge score 1.0.0 judge.jsonl` or `curate judge score judge.jsonl`",
        )
    version = files[0] if len(files) == 2 else version
    predictions = Path(files[-1])
    paths = ProjectPaths(root)
    path = predictions if predictions.is_absolute() else Path.cwd() / predictions
    if not path.is_file() and (paths.root / predictions).is_file():
        path = paths.root / predictions
    report = score_judge(paths.root / grades, path, split, version, bootstrap, seed)
    write_report(report, paths.root / out)
    data = report.data
    table = Table(
        "group",
        "final",
        "judged",
        "cover",
        "acc",
        "F1",
        "κ [95% CI]",
        "score=",
        "MAE",
        title=f"judge vs physicians: release {data['version']}, split {split} (F1: macro; "
        "score=: exact scores)",
    )
    sections = [("", {"overall": data["overall"]})]
    sections += [("dimension", data["by_dimension"]), ("family", data["by_family"])]
    for section, found in sections:
        if section:
            table.add_section()
            table.add_row(f"[bold]{section}[/]")
        for name, f in found.items():
            table.add_row(
                name,
                str(f["final"]),
                str(f["predicted"]),
                _cell(f["coverage"], 2),
                _cell(f["accuracy"]),
                _cell(f["macro_f1"]),
                _kappa(f["cohen_kappa"]),
                _cell(f["score_exact"], 2),
                _cell(f["score_mae"], 2),
            )
    console.print(table)
    matrix = Table("physicians \\ judge", *data["verdicts"], title="confusion (overall)")
    for verdict, row in zip(data["verdicts"], data["overall"]["confusion"], strict=True):
        matrix.add_row(verdict, *(str(n) for n in row))
    console.print(matrix)
    ignored = data["ignored"]
    console.print(
        f"{data['prediction_lines']} predictions; ignored: {ignored['not_final']} not final, "
        f"{ignored['other_split']} in another split → {out}"
    )


@judge_app.command("simulate")
@user_errors
def judge_simulate(
    out: Annotated[Path, typer.Option(help="The predictions JSONL to write.")],
    agreement: Annotated[
        float,
        typer.Option(min=0.0, max=1.0, help="Chance the simulated judge gives the consensus."),
    ] = 0.85,
    seed: Annotated[int, typer.Option(help="Seed of the simulated judge.")] = 0,
    split: SplitOption = "test",
    version: VersionOption = None,
    grades: GradesOption = GRADES,
    root: RootOption = Path("."),
) -> None:
    """DEMO ONLY: write a simulated judge's predictions (no model is run).

    The simulated judge agrees with the physicians' consensus with probability --agreement,
    deterministically per seed and grade_id, and writes `Feedback: Verdict: <v>. … [RESULT] n`
    lines as a trained judge would, to try `curate judge score` before a real judge exists. Its
    figures say nothing about any model.
    """
    from curation.judge.simulate import simulate_judge

    paths = ProjectPaths(root)
    target = out if out.is_absolute() else Path.cwd() / out
    lines = simulate_judge(paths.root / grades, target, agreement, seed, split, version)
    console.print(f"simulated judge (demo only): {lines} predictions for split {split} → {out}")
