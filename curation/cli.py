"""`curate`: the MedCurate command line. Each pipeline stage is one command (one DVC stage)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from curation.cli_answers import answers_app
from curation.cli_common import (
    EngineOption,
    RootOption,
    WorkersOption,
    console,
    engine_from,
    progress,
    user_errors,
)
from curation.cli_grade import grade_app
from curation.cli_judge import judge_app
from curation.cli_release import release, split
from curation.cli_review import labelstudio_app, review_app
from curation.cli_tasks import tasks_app
from curation.errors import CurationError
from curation.paths import ProjectPaths

if TYPE_CHECKING:
    from curation.stages.base import StageReport

app = typer.Typer(
    name="curate",
    help=(
        "MedCurate: turn raw clinical text into versioned medical LLM benchmarks.\n\n"
        "The pipeline is a DVC DAG (see dvc.yaml); run it all with `dvc repro`. Each stage is "
        "also a command here. Start with `curate sources` to see what will be ingested."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(labelstudio_app, name="labelstudio")
app.add_typer(review_app, name="review")
app.add_typer(tasks_app, name="tasks")
app.add_typer(answers_app, name="answers")
app.add_typer(grade_app, name="grade")
app.add_typer(judge_app, name="judge")
app.command()(split)
app.command()(release)


@app.command()
@user_errors
def sources(root: RootOption = Path(".")) -> None:
    """Validate sources.yaml and list the declared sources."""
    from curation.sources.spec import load_sources

    paths = ProjectPaths(root)
    specs = load_sources(paths.sources_file)
    table = Table(title=f"{len(specs)} sources in {paths.sources_file.name}")
    for col in ("name", "kind", "lang", "format", "encoding", "path", "license"):
        table.add_column(col)
    for s in specs.values():
        table.add_row(
            s.name,
            s.kind,
            s.language,
            s.format,
            s.encoding,
            s.path + (f"/{s.include}" if s.include else ""),
            s.license,
        )
    Console().print(table)


@app.command()
@user_errors
def ingest(
    names: Annotated[
        list[str] | None,
        typer.Argument(
            help="Source names from sources.yaml (default: every source).", show_default=False
        ),
    ] = None,
    root: RootOption = Path("."),
) -> None:
    """Map raw source rows onto canonical items; unusable rows go to quarantine with a reason.

    Writes data/ingested/<source>.parquet, data/quarantine/ingest/<source>.parquet and the
    accounting report reports/ingest/<source>.json (rows in = kept + quarantined).
    """
    from curation.commands.ingest import ingest_config_from_env, run_ingest
    from curation.sources.spec import load_sources

    paths = ProjectPaths(root)
    specs = load_sources(paths.sources_file)
    chosen = _chosen_sources(paths, names)
    config = ingest_config_from_env()
    with progress() as bar:
        task = bar.add_task("ingest", total=len(chosen))
        for name in chosen:
            bar.update(task, description=f"ingest {name}")
            report = run_ingest(paths, specs[name], config)
            reasons = ", ".join(f"{k} {v}" for k, v in report.quarantined_by_reason.items())
            bar.console.print(
                f"{name}: {report.rows_in} rows → {report.kept} kept, "
                f"{report.quarantined} quarantined" + (f" ({reasons})" if reasons else "")
            )
            bar.advance(task)


@app.command()
@user_errors
def synth(
    out: Annotated[Path, typer.Option(help="Where to write the sample sources.")] = Path("raw"),
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same bytes.")
    ] = 20261122,
) -> None:
    """Generate the bundled synthetic sample sources (with planted PHI and broken rows)."""
    from curation.synth import generate_all

    written = generate_all(out, seed=seed)
    for name, path in written.items():
        console.print(f"{name}: {path}")


@app.command()
@user_errors
def schema(
    check: Annotated[
        bool, typer.Option("--check", help="Only check that the committed schema is current.")
    ] = False,
    root: RootOption = Path("."),
) -> None:
    """Regenerate schemas/item.schema.json from the item model (or check it is current)."""
    from curation.schema import ITEM_SCHEMA_PATH, item_json_schema, write_item_json_schema

    path = root / ITEM_SCHEMA_PATH
    if check:
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if current != item_json_schema():
            raise CurationError(f"{path} is stale", hint="Run `curate schema` and commit it.")
        console.print(f"{path} is current")
        return
    console.print(f"wrote {write_item_json_schema(root)}")


@app.command()
@user_errors
def status(root: RootOption = Path(".")) -> None:
    """Show what every stage kept, quarantined and merged (from reports/)."""
    from curation.commands.status import accounting_table, load_reports, tasks_table

    paths = ProjectPaths(root)
    reports = load_reports(paths)
    if not reports:
        raise CurationError("no stage reports yet", hint="Run `dvc repro` first.")
    Console().print(accounting_table(reports))
    tasks = tasks_table(paths)
    if tasks is not None:
        Console().print(tasks)
    splits = paths.report("splits")
    if splits.is_file():
        import json

        s = json.loads(splits.read_text(encoding="utf-8"))
        Console().print(
            f"split: {s['splits']} of {s['eligible']} accepted items; {s['held_back']} held back "
            f"until reviewed {s['held_back_by_status']}"
        )


@app.command()
@user_errors
def init(root: RootOption = Path(".")) -> None:
    """Create the git-ignored .env with fresh secrets (the de-identification salt)."""
    from curation.secrets import SALT_VAR, ensure_env, new_salt

    added = ensure_env(root, {SALT_VAR: new_salt()})
    console.print(
        f"{'added ' + ', '.join(added) if added else 'nothing to add'} in {root / '.env'}"
    )


deid_app = typer.Typer(
    help="De-identify clinical text (zh + en): PHI → placeholders, surrogates, shifted dates.",
    no_args_is_help=True,
)
app.add_typer(deid_app, name="deid")


@deid_app.command("run")
@user_errors
def deid_run(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Sources to de-identify (default: every source).", show_default=False),
    ] = None,
    engine_name: EngineOption = None,
    workers: WorkersOption = None,
    root: RootOption = Path("."),
) -> None:
    """De-identify ingested sources: data/ingested → data/deid, failures to quarantine.

    Needs MEDCURATE_DEID_SALT (environment or .env; `curate init` makes one). Records whose
    de-identification fails, or whose output still holds a high-confidence identifier, are
    quarantined (deid_error, residual_phi). Reports hold counts only, never values. Runs
    on every core by default (params.yaml engine; --engine ray for Ray Data).
    """
    from curation.commands.run import run_sources
    from curation.params import load_params
    from curation.stages.deid import DECLARED as DEID

    paths = ProjectPaths(root)
    chosen = _chosen_sources(paths, names)
    params = load_params(paths.params_file)
    if not params.deid.gate:
        console.print(
            "[bold yellow]warning:[/] the residual-PHI gate is off (params.yaml deid.gate: off): "
            "de-identified records are not re-checked for identifiers",
            highlight=False,
        )

    def spans(source: str, report: StageReport) -> None:
        count = sum(report.details["spans_by_category"].values())
        console.print(f"{source}: {count} PHI spans replaced")

    engine = engine_from(params.engine, engine_name, workers)
    run_sources(DEID, paths, chosen, params.deid, engine, on_report=spans, progress=progress)


@deid_app.command("scan")
@user_errors
def deid_scan(
    source: Annotated[Path, typer.Argument(help='JSONL input: {"id", "text", "lang"?} per line.')],
    output: Annotated[Path, typer.Option("-o", "--output", help="JSONL output path.")],
    params: Annotated[
        Path | None,
        typer.Option(
            "--params",
            help="params.yaml whose `deid` section sets detection (default: ./params.yaml if "
            "present, else the defaults) — the settings `curate deid run` uses.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Find PHI in a JSONL file: writes {"id", "spans": [{start, end, label}], "text"} per line.

    Offsets are Python code points into the input text, end exclusive; the text has every span
    replaced by its typed placeholder. `lang` (zh/en) is detected when absent. Consecutive
    lines with the same `record` value are one record's texts, detected as `curate deid run`
    detects a record's fields (one language; a value found in one is masked in all).
    """
    from curation.commands.deid import scan_file
    from curation.errors import InputFileError
    from curation.params import load_params

    # the deid section of --params (must exist), else of ./params.yaml when there is one, else
    # the defaults (which params.yaml repeats)
    if params is not None and not params.is_file():
        raise InputFileError(f"{params} does not exist")
    settings = load_params(params or Path("params.yaml")).deid.detection()

    total = (
        sum(1 for line in source.open(encoding="utf-8") if line.strip()) if source.is_file() else 0
    )
    with progress() as bar:
        task = bar.add_task("scan", total=total)
        done = scan_file(source, output, progress=lambda n: bar.advance(task, n), settings=settings)
    console.print(f"scanned {done} texts → {output}")


@app.command()
@user_errors
def validate(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Sources to validate (default: every source).", show_default=False),
    ] = None,
    engine_name: EngineOption = None,
    workers: WorkersOption = None,
    root: RootOption = Path("."),
) -> None:
    """Validate de-identified items: per-record rules, then the dataset-level suite (GX).

    Writes data/validated/<source>.parquet, data/quarantine/validate/<source>.parquet,
    reports/validation.json and the Data Docs site reports/data_docs/index.html. A failed
    dataset-level expectation exits non-zero after everything is written.
    """
    from curation.commands.validate import run_validate
    from curation.params import load_params

    paths = ProjectPaths(root)
    chosen = _chosen_sources(paths, names)
    params = load_params(paths.params_file)
    engine = engine_from(params.engine, engine_name, workers)
    report = run_validate(paths, chosen, params.validation, engine, progress=progress)
    passed = sum(e["success"] for e in report["expectations"])
    console.print(
        f"dataset suite: {passed}/{len(report['expectations'])} expectations passed "
        f"(Data Docs: {report['data_docs']})"
    )


@app.command("run")
@user_errors
def run_stage(
    stage: Annotated[str, typer.Argument(help="A per-item stage: deid, validate or tag.")],
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Sources to run it on (default: every source).", show_default=False),
    ] = None,
    engine_name: EngineOption = None,
    workers: WorkersOption = None,
    batch_size: Annotated[
        int | None,
        typer.Option(
            "--batch-size",
            min=1,
            help="Items per batch (default: params.yaml engine).",
            show_default=False,
        ),
    ] = None,
    root: RootOption = Path("."),
) -> None:
    """Run a per-item stage on the engine of your choice; the same as `curate deid run`,
    `curate validate` and `curate tag run`.

    Each stage reads its input in batches (memory does not grow with the data) and writes the
    same bytes whatever the engine: `local` runs worker processes on this machine (every core
    by default), `ray` runs Ray Data map_batches, on a local Ray or the cluster named by
    params.yaml engine.ray_address ('auto': the one `ray start` joined). Example:
    `curate run deid --engine ray --workers 4`.
    """
    from curation.commands.run import run_sources
    from curation.commands.validate import run_validate
    from curation.params import load_params
    from curation.stages.declared import declared_stage

    declared = declared_stage(stage)
    paths = ProjectPaths(root)
    chosen = _chosen_sources(paths, names)
    params = load_params(paths.params_file)
    engine = engine_from(params.engine, engine_name, workers)
    if batch_size:
        engine = engine.model_copy(update={"batch_size": batch_size})
    if declared.name == "validate":  # the per-record rules, then the dataset-level suite
        run_validate(paths, chosen, params.validation, engine, progress=progress)
        return
    config = params.section(declared.params)
    run_sources(declared, paths, chosen, config, engine, progress=progress)


@app.command()
@user_errors
def dedup(
    names: Annotated[
        list[str] | None,
        typer.Argument(
            help="Sources to deduplicate together (default: every source).", show_default=False
        ),
    ] = None,
    root: RootOption = Path("."),
    workers: WorkersOption = None,
) -> None:
    """Cluster exact and near duplicates within and across sources; keep one item per cluster.

    Streams data/tagged/<source>.parquet of every chosen source (a missing one is an error
    naming `curate tag run`), keeping only keys and MinHash signatures in memory (shingled
    and signed by worker processes: params.yaml engine.workers, 0 = every core), and writes
    data/curated.parquet (one representative per cluster, cluster_id set),
    data/merged/dedup.parquet (the other members: duplicate_of, match, jaccard) and
    reports/dedup.json (rows in = kept + merged). Parameters: params.yaml, section `dedup`.
    """
    from curation.commands.dedup import run_dedup
    from curation.params import load_params

    paths = ProjectPaths(root)
    params = load_params(paths.params_file)
    engine = engine_from(params.engine, None, workers)
    report = run_dedup(paths, params.dedup, _chosen_sources(paths, names), engine.worker_count())
    d = report.details
    console.print(
        f"{report.rows_in} items → {report.kept} kept in {d['clusters']} clusters, "
        f"{report.merged} merged ({d['exact_pairs']} exact, {d['near_pairs']} near, "
        f"{d['cross_source_merged']} across sources)"
    )


tag_app = typer.Typer(
    help="Place items in the clinical specialty map (schemas/specialties.yaml).",
    no_args_is_help=True,
)
app.add_typer(tag_app, name="tag")
TaggerOption = Annotated[
    str,
    typer.Option(
        "--tagger",
        help=(
            "lexicon (cold start, no training data) | trained (--model) | auto (the trained model "
            "if it exists, else lexicon). The demo's model is trained on synthetic items only."
        ),
    ),
]


@tag_app.command("run")
@user_errors
def tag_run(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Sources to tag (default: every source).", show_default=False),
    ] = None,
    engine_name: EngineOption = None,
    workers: WorkersOption = None,
    root: RootOption = Path("."),
) -> None:
    """Tag validated items: specialty, department, disease group, score, runners-up.

    Reads data/validated/<source>.parquet, writes data/tagged/<source>.parquet and
    reports/tag/<source>.json. The tagger and review threshold come from params.yaml (tag).
    """
    from curation.commands.run import run_sources
    from curation.params import load_params
    from curation.stages.tag import DECLARED as TAG

    paths = ProjectPaths(root)
    params = load_params(paths.params_file)
    chosen = _chosen_sources(paths, names)

    def flagged(source: str, report: StageReport) -> None:
        console.print(
            f"{source}: tagged by {report.details['tagger']}, "
            f"{report.details['needs_review']} flagged for review"
        )

    engine = engine_from(params.engine, engine_name, workers)
    run_sources(TAG, paths, chosen, params.tag, engine, on_report=flagged, progress=progress)


@tag_app.command("train")
@user_errors
def tag_train(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Sources to learn from (default: every source).", show_default=False),
    ] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Model artifact to write.")] = Path(
        "models/specialty_tfidf_lr_v1.joblib"
    ),
    root: RootOption = Path("."),
) -> None:
    """Train the TF-IDF tagger on items whose source labels map onto the taxonomy.

    The mapping from source labels (e.g. a department column) to taxonomy codes lives in
    schemas/label_maps.yaml. Writes the model and a JSON card beside it.
    """
    from curation.commands.tag import train_tagger
    from curation.params import load_params

    paths = ProjectPaths(root)
    most = load_params(paths.params_file).tag.train_max_per_class
    card = train_tagger(paths, _chosen_sources(paths, names), root / output, most)
    classes = len(card["classes"])
    console.print(f"trained {card['tagger']} on {card['n_train']} items, {classes} specialties")
    console.print(f"model: {output}")


@tag_app.command("scan")
@user_errors
def tag_scan(
    source: Annotated[Path, typer.Argument(help='JSONL input: {"id", "text", "lang"?} per line.')],
    output: Annotated[Path, typer.Option("-o", "--output", help="JSONL output path.")],
    tagger: TaggerOption = "lexicon",
    model: Annotated[
        Path | None,
        typer.Option(help="Trained model (default models/specialty_tfidf_lr_v1.joblib)."),
    ] = None,
) -> None:
    """Tag loose texts (JSONL): one {"id", "specialty_code", "department_code", "score",
    "alternatives"} line per input line."""
    from curation.commands.tag import scan_file

    total = (
        sum(1 for line in source.open(encoding="utf-8") if line.strip()) if source.is_file() else 0
    )
    with progress() as bar:
        task = bar.add_task("tag scan", total=total)
        done = scan_file(source, output, tagger, model, lambda n: bar.advance(task, n))
    console.print(f"tagged {done} texts → {output}")


@app.command()
@user_errors
def audit(
    strings: Annotated[
        Path,
        typer.Argument(
            help="UTF-8 text file, one string per line (e.g. the hospital's patient index: "
            "names, MRNs, phone numbers); blank lines are skipped.",
            metavar="STRINGS",
            show_default=False,
        ),
    ],
    root: RootOption = Path("."),
    labelstudio: Annotated[
        Path | None,
        typer.Option(
            "--labelstudio",
            help="Label Studio folder (SQLite database, export snapshots, server log).",
            show_default="<root>/.labelstudio",
        ),
    ] = None,
) -> None:
    """Find identifiers where patient data must never be; print where, never what.

    Searches every string of STRINGS, and its parts (a Chinese name's given name, a Latin-script
    name's parts of 2+ characters, an email's local part, a number's digits without separators),
    case-insensitively over:
    every file under data/ except the raw records kept by design (data/ingested/,
    data/quarantine/ingest/, data/quarantine/deid/), reports/, models/, releases/, DVC's
    .dvc/tmp/ and the Label Studio folder (its SQLite database table by table, export
    snapshots, server log). Parquet files are read column by column (nested ones too), JSON
    through its values; in texts, separators between digits and invisible characters are
    ignored. Each finding names the file (row, column, offset; or table and row) and the
    string's line number in STRINGS. Exit code 1 when anything is found, 0 otherwise.
    """
    from curation.audit import audit as run_audit
    from curation.audit import audit_files, read_strings

    entries = read_strings(strings)
    if not entries:
        raise CurationError(f"no strings in {strings}", hint="Give one string per line.")
    files = audit_files(root, labelstudio)
    findings = run_audit(root, entries, labelstudio, exclude=[strings])
    for finding in findings:
        typer.echo(str(finding))
    found = sorted({f.line for f in findings})
    console.print(
        f"searched {len(files)} files for {len(entries)} strings: "
        + (
            f"{len(found)} found in {len(findings)} places (input lines "
            f"{', '.join(map(str, found))})"
            if found
            else "none found"
        ),
        highlight=False,
    )
    if findings:
        raise typer.Exit(1)


def _chosen_sources(paths: ProjectPaths, names: list[str] | None) -> list[str]:
    from curation.sources.spec import load_sources

    specs = load_sources(paths.sources_file)
    chosen = names or list(specs)
    unknown = [n for n in chosen if n not in specs]
    if unknown:
        raise CurationError(
            f"unknown source(s): {', '.join(unknown)}; declared: {', '.join(specs)}"
        )
    return chosen


def main() -> None:  # pragma: no cover - console-script entry
    """Entry point for `python -m curation`."""
    app()
