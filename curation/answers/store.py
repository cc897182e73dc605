"""Import model answers to a release: check every line, screen every output, store them.

A file is read whole first (:mod:`curation.answers.formats`); a line that does not parse, a
missing field or an id the release does not have makes one error naming each ``file:line`` and
why, and nothing of the file is stored. Each output then passes the de-identifier exactly as
model drafts of task answers do (:class:`curation.tasks.screen.Screener`, the screen of
physicians' review edits, against the row's own text): a masked output is stored masked; one
that fails screening is quarantined (its reason, never its text).

Stored: ``answers/<version>/<model>/<run>.parquet``, keyed by (id, model, run), sorted by id,
no timestamps, so importing the same file twice leaves the file byte-identical; a new output
for an id replaces the run's earlier one. Quarantine:
``answers/<version>/quarantine/<model>/<run>.parquet``.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from curation.answers import formats
from curation.errors import ConfigError, InputFileError, listed
from curation.paths import ProjectPaths
from curation.tasks.answers import Instance
from curation.tasks.contract import OutputType
from curation.tasks.declarations import slug
from curation.tasks.drafts import check_model, merge_outputs
from curation.tasks.screen import Screener, ScreenFailed

ANSWER_SCHEMA = pl.Schema(
    {
        "id": pl.String(),
        "kind": pl.String(),  # item | instance
        "config": pl.String(),
        "model": pl.String(),
        "run": pl.String(),
        "output": pl.String(),
        "source_format": pl.String(),
        "line": pl.Int64(),
    }
)
QUARANTINE_SCHEMA = pl.Schema(
    {
        "id": pl.String(),
        "kind": pl.String(),
        "config": pl.String(),
        "model": pl.String(),
        "run": pl.String(),
        "source_format": pl.String(),
        "line": pl.Int64(),
        "reason": pl.String(),
        "detail": pl.String(),
    }
)
RUN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
DEFAULT_RUN = "default"
_LINE = re.compile(r"^[^:]*:(\d+)")  # the line a problem names (file:line: why)


@dataclass(frozen=True)
class Target:
    """A released row an answer can be for, and what screening its answer needs."""

    id: str
    kind: str  # item | instance
    config: str
    instance: Instance


def answers_root(paths: ProjectPaths) -> Path:
    """``answers/`` beside ``releases/``: answers never go inside a release."""
    return paths.root / "answers"


def release_dir(paths: ProjectPaths, version: str | None) -> tuple[str, Path]:
    """(version, its folder): the given published version, else the newest."""
    from curation.commands.release import check_version, versions

    published = versions(paths.releases)
    if not published:
        raise ConfigError(
            "no published release under releases/", hint="Publish one with `curate release`."
        )
    if version is None:
        version = published[-1]
    elif check_version(version) not in published:
        raise ConfigError(
            f"release {version} is not published (published: {', '.join(published)})",
            hint="Name a version under releases/, or leave --version out for the newest.",
        )
    return version, paths.releases / version


def check_run(run: str) -> str:
    """The run name if it is a short file-name-safe word (``2025-06-01``, ``t0.7``)."""
    if not RUN_NAME.fullmatch(run):
        raise ConfigError(
            f"run name {run!r} must be 1-64 letters, digits, '.', '_' or '-'",
            hint="Name the run, e.g. --run greedy or --run 2025-06-01.",
        )
    return run


def read_targets(release: Path) -> dict[str, Target]:
    """Every released item (``item_id``) and task instance (``instance_id``) by public id."""
    from curation.release.public import released_rows

    out: dict[str, Target] = {}
    for kind, config, row in released_rows(release):
        if kind == "instance":
            instance = dataclasses.replace(Instance.of(row), output_type=OutputType.FREE_TEXT)
            out[row["instance_id"]] = Target(row["instance_id"], kind, config, instance)
        else:
            out[row["item_id"]] = Target(row["item_id"], kind, config, _item(row, config))
    return out


def _item(row: dict[str, Any], config: str) -> Instance:
    """An item as the screener sees it: its own text is what an answer may repeat."""
    texts = [row.get("context"), row.get("question"), row.get("answer_text")]
    texts += [o["text"] for o in row.get("options") or []]
    texts += [t["text"] for t in row.get("turns") or []]
    return Instance(
        instance_id=row["item_id"],
        task=config,
        output_type=OutputType.FREE_TEXT,
        language=row.get("language") or "zh",
        instruction="",
        input="\n".join(t for t in texts if t),
        labels=tuple(o["label"] for o in row.get("options") or []),
        output_schema="",
    )


def parse(file: Path, fmt: str | None, release: Path, dataset_file: Path | None) -> formats.Parsed:
    """The answers of a run file in its (detected or given) format."""
    if not file.is_file():
        raise InputFileError(f"{file} does not exist", hint="Give the file the model run wrote.")
    fmt = fmt or formats.detect(file)
    if fmt == "jsonl":
        return formats.read_jsonl(file)
    if fmt == "lm_eval":
        return formats.read_lm_eval(file)
    if fmt == "opencompass":
        found = release / "exports" / "opencompass" / f"{file.stem}.jsonl"
        return formats.read_opencompass(file, dataset_file or found)
    raise ConfigError(f"unknown format {fmt!r}", hint=f"Use one of {', '.join(formats.FORMATS)}.")


@dataclass
class ImportReport:
    """What one import did."""

    file: str
    format: str
    version: str
    model: str
    run: str
    answers: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    stored: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self) | {"counts": dict(sorted((+self.counts).items()))}


def import_answers(
    paths: ProjectPaths,
    file: Path,
    model: str,
    screener: Screener,
    run: str = DEFAULT_RUN,
    version: str | None = None,
    fmt: str | None = None,
    dataset_file: Path | None = None,
) -> ImportReport:
    """Check, screen and store one run's answers to a release (all or nothing)."""
    model, run = check_model(model), check_run(run)
    version, release = release_dir(paths, version)
    parsed = parse(file, fmt, release, dataset_file)
    targets = read_targets(release)
    problems = list(parsed.problems)
    seen: dict[str, int] = {}
    for answer in parsed.answers:
        where = f"{file.name}:{answer.line}"
        if answer.id not in targets:
            problems.append(f"{where}: unknown id {answer.id} (not in release {version})")
        elif answer.id in seen:
            problems.append(f"{where}: id {answer.id} already on line {seen[answer.id]}")
        else:
            seen[answer.id] = answer.line
    if problems:
        problems.sort(key=lambda p: int(m.group(1)) if (m := _LINE.search(p)) else 0)
        raise InputFileError(
            f"{file}: nothing imported; {len(problems)} problem(s):{listed(problems)}",
            hint=f"Fix the lines named above (ids are the item_id / instance_id of release "
            f"{version}) and import the file again.",
        )
    report = ImportReport(file.name, parsed.format, version, model, run, len(parsed.answers))
    kept: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for answer in parsed.answers:
        target = targets[answer.id]
        row = {
            "id": target.id,
            "kind": target.kind,
            "config": target.config,
            "model": model,
            "run": run,
            "source_format": parsed.format,
            "line": answer.line,
        }
        try:
            output, masked = screener.screen(target.instance, answer.output)
        except ScreenFailed as why:
            failed.append(row | {"reason": "answer_screen_failed", "detail": str(why)})
            report.counts["quarantined"] += 1
            continue
        kept.append(row | {"output": output})
        report.counts["phi_masked"] += masked
    folder = answers_root(paths) / version
    name = f"{slug(model) or 'model'}/{run}.parquet"
    report.counts.update(_store(folder / name, folder / "quarantine" / name, model, kept, failed))
    report.stored = str((folder / name).relative_to(paths.root))
    return report


def _store(
    path: Path, jail: Path, model: str, rows: list[dict[str, Any]], failed: list[dict[str, Any]]
) -> Counter[str]:
    """Merge a run's answers into its file and failures into its quarantine."""
    schemas = (ANSWER_SCHEMA, QUARANTINE_SCHEMA)
    return merge_outputs(
        path, jail, model, rows, failed, key="id", schemas=schemas, what=f"{path} holds answers"
    )


def stored_answers(paths: ProjectPaths) -> list[dict[str, Any]]:
    """Per version, model and run: answers stored and answers quarantined."""
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    root = answers_root(paths)
    for kind, pattern in (("answers", "*/*/*.parquet"), ("quarantined", "*/quarantine/*/*")):
        for path in sorted(root.glob(pattern)) if root.is_dir() else []:
            if kind == "answers" and path.parent.name == "quarantine":
                continue
            frame = pl.read_parquet(path, columns=["model", "run"])
            version = path.parents[2 if kind == "quarantined" else 1].name
            for (model, run), group in frame.group_by("model", "run"):
                entry = found.setdefault(
                    (version, str(model), str(run)),
                    {"version": version, "model": model, "run": run, "answers": 0},
                )
                entry.setdefault("quarantined", 0)
                entry[kind] += group.height
    return [found[k] for k in sorted(found)]
