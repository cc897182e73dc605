"""Model drafts of task answers, made elsewhere: `curate tasks drafts import FILE.jsonl`.

A model run anywhere writes one JSON line per instance, ``{"instance_id": …, "output": …}``
(the instance id as in ``data/tasks/instances/<task>.parquet`` or its public id; the output a
text, a label of the task, a JSON object for fields tasks, a list of ``{start, end, label}`` for
spans tasks). Every line is checked before anything is stored: an error names the file, the
line and the field, an unknown instance id is reported, and nothing of a file with a problem is
imported. Each output then passes the de-identifier exactly as physicians' review edits do
(:func:`curation.stages.review.screen_edit`: anything it finds that the instance does not
already show is masked with its placeholder), and is checked again after masking; a draft
whose screening fails, or still holds PHI after it, is quarantined
(``data/tasks/drafts_quarantine``: its reason, never its text), never stored.

Drafts live in ``data/tasks/drafts/<task>/<model>.parquet`` (sorted by instance id, no
timestamps): importing the same file twice adds nothing; a new output for an instance replaces
the model's earlier one. ``curate tasks push`` shows them as pre-filled answers of authored
instances (a derived reference is shown instead where the source has one).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from curation.errors import ConfigError, InputFileError, listed
from curation.paths import ProjectPaths
from curation.tasks.answers import (
    COLUMNS,
    Instance,
    check_spans,
    fields_json,
    label_key,
    schema_errors,
    spans_json,
)
from curation.tasks.contract import OutputType
from curation.tasks.declarations import slug
from curation.tasks.layout import drafts_dir, instances_path, quarantine_dir
from curation.tasks.screen import Screener, ScreenFailed

DRAFT_SCHEMA = pl.Schema(
    {
        "instance_id": pl.String(),
        "task": pl.String(),
        "model": pl.String(),
        "output": pl.String(),
        "phi_masked": pl.Int64(),
    }
)
QUARANTINE_SCHEMA = pl.Schema(
    {
        "instance_id": pl.String(),
        "task": pl.String(),
        "model": pl.String(),
        "reason": pl.String(),
        "detail": pl.String(),
    }
)
FIELDS = ("instance_id", "output")
MODEL_NAME = re.compile(r"^[^\x00-\x1f\x7f]{1,100}$")


def model_file(model: str) -> str:
    """A model name as a file name (``gpt-4o`` → ``gpt_4o.parquet``)."""
    return f"{slug(model) or 'model'}.parquet"


def check_model(model: str) -> str:
    """The model name, stripped, if it is one line of at most 100 characters."""
    name = model.strip()
    if not MODEL_NAME.fullmatch(name):
        raise ConfigError(
            f"model name {model!r} must be 1-100 characters on one line",
            hint="Name the model that wrote the drafts, e.g. --model qwen2.5-7b-instruct.",
        )
    return name


@dataclass(frozen=True)
class DraftLine:
    """One valid line: the instance (internal id) and its output as stored text."""

    line: int
    instance: Instance
    output: str


def read_instances(paths: ProjectPaths, tasks: list[str]) -> dict[str, Instance]:
    """Every built instance of these tasks, by internal id."""
    out: dict[str, Instance] = {}
    for task in tasks:
        path = instances_path(paths, task)
        if not path.is_file():
            raise InputFileError(
                f"{path.relative_to(paths.root)} does not exist",
                hint=f"Build the task first: `dvc repro tasks@{task}` (or `curate tasks build "
                f"{task}`).",
            )
        for row in pl.read_parquet(path, columns=list(COLUMNS)).iter_rows(named=True):
            out[row["instance_id"]] = Instance.of(row)
    return out


def read_lines(
    path: Path, instances: dict[str, Instance], public: dict[str, str]
) -> list[DraftLine]:
    """The checked lines of a drafts file; every problem (file, line, field) and every unknown
    instance id in one InputFileError. `public` maps public instance ids to internal ones."""
    if not path.is_file():
        raise InputFileError(f"{path} does not exist", hint="Give the JSONL file a model wrote.")
    problems: list[str] = []
    unknown: list[str] = []
    seen: dict[str, int] = {}
    lines: list[DraftLine] = []
    with path.open(encoding="utf-8") as fh:
        for number, raw in enumerate(fh, 1):
            where = f"{path.name}:{number}"
            if not raw.strip():
                continue
            try:
                body = json.loads(raw)
            except json.JSONDecodeError as error:
                problems.append(f"{where}: not a JSON line ({error.msg})")
                continue
            if not isinstance(body, dict):
                problems.append(f"{where}: a line is a JSON object {{instance_id, output}}")
                continue
            extra = sorted(set(body) - set(FIELDS))
            if extra:
                problems.append(
                    f"{where}: field {extra[0]}: unexpected (a line has only "
                    "instance_id and output)"
                )
            given = body.get("instance_id")
            if not isinstance(given, str) or not given.strip():
                problems.append(f"{where}: field instance_id: missing or not a string")
                continue
            internal = public.get(given.strip(), given.strip())
            if internal not in instances:
                unknown.append(f"{where}: {given.strip()}")
                continue
            if internal in seen:
                problems.append(
                    f"{where}: field instance_id: {given.strip()} already on line {seen[internal]}"
                )
                continue
            seen[internal] = number
            if "output" not in body:
                problems.append(f"{where}: field output: missing")
                continue
            instance = instances[internal]
            try:
                output = normalize_output(instance, body["output"])
            except ValueError as error:
                problems.append(f"{where}: field output: {error}")
                continue
            lines.append(DraftLine(number, instance, output))
    if problems or unknown:
        shown = listed(problems)
        if unknown:
            shown += f"\n  {len(unknown)} unknown instance id(s): " + "; ".join(unknown[:10])
        raise InputFileError(
            f"{path}: nothing imported; {len(problems) + len(unknown)} problem(s):{shown}",
            hint="Fix the lines named above (ids are those of data/tasks/instances/<task>.parquet "
            "or their public ids) and import the file again.",
        )
    return lines


def normalize_output(instance: Instance, output: Any) -> str:
    """A draft output as stored text, checked against its instance's output type (ValueError
    says what is wrong, never quoting the text)."""
    kind = instance.output_type
    if kind == OutputType.FIELDS:
        value = _json_value(output, dict, "a JSON object (or its text)")
        errors = schema_errors(value, instance.output_schema)
        if errors:
            raise ValueError(f"does not fit the task's JSON Schema: {errors[0]}")
        return fields_json(value)
    if kind == OutputType.SPANS:
        spans = check_spans(_json_value(output, list, "a list of {start, end, label}"), instance)
        return spans_json(spans, instance.input)
    if not isinstance(output, str) or not output.strip():
        raise ValueError("must be a non-empty string")
    if kind == OutputType.LABEL:
        by_key = {label_key(label): label for label in instance.labels}
        if label_key(output) not in by_key:
            raise ValueError("is not one of the task's labels")
        return by_key[label_key(output)]
    return output.strip()


def _json_value(output: Any, kind: type, what: str) -> Any:
    if isinstance(output, str):
        try:
            output = json.loads(output)
        except json.JSONDecodeError:
            raise ValueError(f"must be {what}: not valid JSON") from None
    if not isinstance(output, kind):
        raise ValueError(f"must be {what}")
    return output


@dataclass
class ImportReport:
    """What one import did, per task."""

    file: str
    model: str
    lines: int = 0
    by_task: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "model": self.model,
            "lines": self.lines,
            "by_task": {t: dict(sorted(c.items())) for t, c in sorted(self.by_task.items())},
        }


def import_drafts(
    paths: ProjectPaths,
    file: Path,
    model: str,
    tasks: list[str],
    public: dict[str, str],
    screener: Screener,
) -> ImportReport:
    """Check, screen and store a model's drafts (all lines checked before anything is kept).

    `tasks`: the declared tasks (their instances must be built); `public`: public → internal
    instance id.
    """
    model = check_model(model)
    instances = read_instances(paths, tasks)
    lines = read_lines(file, instances, public)
    report = ImportReport(file.name, model, len(lines))
    kept: dict[str, list[dict[str, Any]]] = defaultdict(list)
    failed: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        task = line.instance.task
        try:
            output, masked = screener.screen(line.instance, line.output)
        except ScreenFailed as why:
            failed[task].append(
                {
                    "instance_id": line.instance.instance_id,
                    "task": task,
                    "model": model,
                    "reason": "draft_screen_failed",
                    "detail": f"line {line.line}: {why}",
                }
            )
            report.by_task[task]["quarantined"] += 1
            continue
        kept[task].append(
            {
                "instance_id": line.instance.instance_id,
                "task": task,
                "model": model,
                "output": output,
                "phi_masked": masked,
            }
        )
        report.by_task[task]["phi_masked"] += masked
    for task in sorted(set(kept) | set(failed)):
        counts = _store(paths, task, model, kept[task], failed[task])
        report.by_task[task].update(counts)
    return report


def _store(
    paths: ProjectPaths,
    task: str,
    model: str,
    rows: list[dict[str, Any]],
    failed: list[dict[str, Any]],
) -> Counter[str]:
    """Merge a task's new drafts into the model's file (and failures into its quarantine)."""
    path = drafts_dir(paths) / task / model_file(model)
    return merge_outputs(
        path,
        quarantine_dir(paths) / task / model_file(model),
        model,
        rows,
        failed,
        key="instance_id",
        schemas=(DRAFT_SCHEMA, QUARANTINE_SCHEMA),
        what=f"{path.relative_to(paths.root)} holds drafts",
    )


def merge_outputs(
    path: Path,
    jail: Path,
    model: str,
    rows: list[dict[str, Any]],
    failed: list[dict[str, Any]],
    key: str,
    schemas: tuple[pl.Schema, pl.Schema],
    what: str,
) -> Counter[str]:
    """Merge one model's screened outputs into its file, keyed by `key` (a new output replaces
    the old one), and the outputs screening failed into its quarantine file (an output screened
    now leaves it); counts added / updated / unchanged. A file whose rows would not change is
    not rewritten; both are sorted by `key` (byte-stable). `what` names the file in the error
    raised when it holds another model whose name shares the file name."""
    current: dict[str, dict[str, Any]] = {}
    if path.is_file():
        stored = pl.read_parquet(path)
        others = set(stored["model"]) - {model}
        if others:
            raise ConfigError(
                f"{what} of {sorted(others)[0]!r}, whose file name {model!r} shares",
                hint="Give the model a name that differs in more than punctuation or case.",
            )
        current = {r[key]: r for r in stored.iter_rows(named=True)}
    counts: Counter[str] = Counter()
    for row in rows:
        before = current.get(row[key])
        counts["unchanged" if before == row else "updated" if before else "added"] += 1
        current[row[key]] = row
    if current and (counts["added"] or counts["updated"] or not path.is_file()):
        _write_sorted(path, list(current.values()), schemas[0], key)
    held: dict[str, dict[str, Any]] = {}
    if jail.is_file():
        held = {r[key]: r for r in pl.read_parquet(jail).iter_rows(named=True)}
    before_held = dict(held)
    for row in rows:  # screened now: no longer held
        held.pop(row[key], None)
    held.update({r[key]: r for r in failed})
    if held != before_held or (held and not jail.is_file()):
        _write_sorted(jail, list(held.values()), schemas[1], key)
    return counts


def _write_sorted(path: Path, rows: list[dict[str, Any]], schema: pl.Schema, key: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    frame.sort(key).write_parquet(path, statistics=False)


def load_drafts(paths: ProjectPaths, task: str) -> dict[str, dict[str, str]]:
    """instance_id → {model: output} of a task's stored drafts."""
    folder = drafts_dir(paths) / task
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for path in sorted(folder.glob("*.parquet")) if folder.is_dir() else []:
        for row in pl.read_parquet(path).iter_rows(named=True):
            out[row["instance_id"]][row["model"]] = row["output"]
    return dict(out)


def stored_drafts(paths: ProjectPaths) -> list[dict[str, Any]]:
    """Per task and model: drafts stored and drafts quarantined (for `curate tasks drafts`)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, folder in (("drafts", drafts_dir(paths)), ("quarantined", quarantine_dir(paths))):
        for path in sorted(folder.glob("*/*.parquet")) if folder.is_dir() else []:
            frame = pl.read_parquet(path)
            for (model,), group in frame.group_by("model"):
                entry = found.setdefault(
                    (path.parent.name, str(model)),
                    {"task": path.parent.name, "model": model, "drafts": 0, "quarantined": 0},
                )
                entry[kind] += group.height
                if kind == "drafts":
                    masked = int(group["phi_masked"].sum())
                    entry["phi_masked"] = entry.get("phi_masked", 0) + masked
    return [found[k] for k in sorted(found)]
