"""The sources registry: `sources.yaml` declares every raw source and how it maps onto an item."""

from __future__ import annotations

import os
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import polars as pl
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from curation.config import check_known, read_yaml, validate_config
from curation.errors import ConfigError
from curation.models import Dimension, Kind, Language
from curation.paths import ProjectPaths

SOURCE_NAME = r"^[a-z][a-z0-9_]*$"
DEFAULT_SPEAKERS = r"^\s*(患者|病人|家属|医生|大夫|Patient|Doctor|Dr\.?|Nurse|护士)\s*[:：]\s*"
DEFAULT_OPTION_LABEL = r"^\s*([A-J])\s*(?:[.．、:：)）]\s*|\s+)(.*\S)\s*$"

Columns = Annotated[
    str | list[str],
    Field(description="A column name, or several joined with a newline (empty ones skipped)."),
]


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """A regex that both Python and polars (Rust regex: no look-around, no backreferences)
    accept; else a ValueError saying why, for a pydantic validator."""
    try:
        compiled = re.compile(pattern)
        pl.Series([""], dtype=pl.String).str.contains(pattern)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    except pl.exceptions.ComputeError as exc:
        lines = str(exc).splitlines()
        why = next((ln.removeprefix("error: ") for ln in lines if ln.startswith("error: ")), "")
        raise ValueError(f"not a regular expression polars can run: {why}") from None
    return compiled


def _declared(names: list[str], info: ValidationInfo) -> list[str]:
    declared = (info.context or {}).get("sources")
    if declared is not None:
        check_known(names, declared, "source")
    return names


SourceNames = Annotated[
    list[str],
    AfterValidator(_declared),
    Field(description="Names of sources declared in sources.yaml (checked when loading params)."),
]


class Format(StrEnum):
    """Raw file formats the readers understand."""

    CSV = "csv"
    TSV = "tsv"
    JSONL = "jsonl"
    JSON = "json"
    PARQUET = "parquet"
    XLSX = "xlsx"


TEXT_FORMATS = {Format.CSV, Format.TSV, Format.JSONL, Format.JSON}


class Encoding(StrEnum):
    """Text encodings of raw files; `auto` detects utf-8 / utf-8-sig / gb18030."""

    UTF8 = "utf-8"
    UTF8_SIG = "utf-8-sig"
    GB18030 = "gb18030"
    AUTO = "auto"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OptionsMap(_Strict):
    """Where MCQ options are: packed in one column (`A xxx\\nB yyy`) or one column per option."""

    packed: str | None = Field(default=None, description="Column holding all options.")
    separator: str = Field(
        default="\n",
        description="Separator between packed options; a literal backslash-n also counts.",
    )
    label_pattern: str = Field(
        default=DEFAULT_OPTION_LABEL,
        description="Regex with two groups (label, text) matching one packed option.",
    )
    columns: list[str] | dict[str, str] | None = Field(
        default=None,
        description="Option columns: [A, B, C] (column name is the label) or {label: column}.",
    )

    @model_validator(mode="after")
    def _one_layout(self) -> OptionsMap:
        if (self.packed is None) == (self.columns is None):
            raise ValueError(
                "set exactly one of 'packed' (one column) or 'columns' (one per option)"
            )
        return self

    @field_validator("separator")
    @classmethod
    def _not_empty(cls, value: str) -> str:
        if not value:
            raise ValueError("must not be empty: it splits the packed column into options")
        return value

    @field_validator("label_pattern")
    @classmethod
    def _two_groups(cls, value: str) -> str:
        if compile_pattern(value).groups != 2:
            raise ValueError("label_pattern needs exactly two groups: (label) and (text)")
        return value

    def option_columns(self) -> dict[str, str]:
        """Label → column for the one-column-per-option layout."""
        if isinstance(self.columns, dict):
            return dict(self.columns)
        return {c: c for c in self.columns or []}


class DialogueMap(_Strict):
    """Dialogue turns written in one text column, one turn per line after a speaker marker."""

    column: str
    speaker_pattern: str = Field(
        default=DEFAULT_SPEAKERS,
        description="Regex matching a turn's speaker marker at a line start; group 1 = speaker.",
    )

    @field_validator("speaker_pattern")
    @classmethod
    def _one_group(cls, value: str) -> str:
        if compile_pattern("(?m)" + value).groups < 1:  # as the dialogue mapping applies it
            raise ValueError("speaker_pattern needs a group capturing the speaker")
        return value


class FieldMap(_Strict):
    """How raw columns become canonical item fields."""

    key: str | None = Field(
        default=None,
        description="Column with a stable record id; without it the row number is the key.",
    )
    question: Columns | None = None
    context: Columns | None = None
    options: OptionsMap | None = None
    answer: str | None = Field(
        default=None, description="MCQ: answer letter(s) like 'C' or 'ABD'; else the answer text."
    )
    explanation: Columns | None = None
    dialogue: DialogueMap | None = None
    labels: dict[str, str] = Field(
        default_factory=dict, description="Source labels to keep: {label name: column}."
    )

    def columns(self) -> list[str]:
        """Every raw column this mapping reads, in a stable order."""
        cols: list[str] = []
        for value in (self.key, self.question, self.context, self.answer, self.explanation):
            cols.extend([value] if isinstance(value, str) else value or [])
        if self.options is not None:
            cols.extend([self.options.packed] if self.options.packed else [])
            cols.extend(self.options.option_columns().values())
        if self.dialogue is not None:
            cols.append(self.dialogue.column)
        cols.extend(self.labels.values())
        return list(dict.fromkeys(cols))


class SourceSpec(_Strict):
    """One raw source: where it is, how to read it, and what its rows mean."""

    name: str = Field(pattern=SOURCE_NAME)
    path: str = Field(description="A file, or a directory read with `include`.")
    allow_outside_project: bool = Field(
        default=False,
        description="Read a `path` outside the project directory (absolute, `..`, symlink).",
    )
    include: str | None = Field(
        default=None, description="Glob of files to read when `path` is a directory."
    )
    format: Format
    encoding: Encoding = Encoding.UTF8
    sheet: str | None = Field(default=None, description="XLSX sheet name (default: the first).")
    kind: Kind
    dimension: Dimension | None = None
    language: Language
    license: str = Field(min_length=1, description="SPDX identifier, e.g. CC-BY-4.0.")
    description: str = ""
    fields: FieldMap

    @model_validator(mode="after")
    def _mapping_fits_kind(self) -> SourceSpec:
        f = self.fields
        needs = {
            Kind.MCQ: {"question": f.question, "options": f.options, "answer": f.answer},
            Kind.OPEN_QA: {"question": f.question, "answer": f.answer},
            Kind.DIALOGUE: {"dialogue": f.dialogue},
        }.get(self.kind, {"context": f.context})
        missing = [name for name, value in needs.items() if value is None]
        if missing:
            raise ValueError(f"kind '{self.kind}' needs fields.{' and fields.'.join(missing)}")
        if f.options is not None and self.kind != Kind.MCQ:
            raise ValueError("fields.options is only for kind 'mcq'")
        if self.sheet is not None and self.format != Format.XLSX:
            raise ValueError("'sheet' is only for format 'xlsx'")
        if self.encoding != Encoding.UTF8 and self.format not in TEXT_FORMATS:
            raise ValueError(f"'encoding' does not apply to format '{self.format}'")
        return self

    @model_validator(mode="after")
    def _inside_project(self) -> SourceSpec:
        escapes = os.path.normpath(self.path).split(os.sep)[0] == ".."
        if (Path(self.path).is_absolute() or escapes) and not self.allow_outside_project:
            raise ValueError(
                f"path {self.path} is outside the project directory; move the data under it "
                "(e.g. raw/) or set allow_outside_project: true"
            )
        return self

    def files(self, root: Path) -> list[Path]:
        """The raw files of this source, sorted; raises if there are none, or if one resolves
        (through a symlink) outside the project without `allow_outside_project`."""
        base = root / self.path
        if base.is_file():
            return [self._inside(root, base)]
        if base.is_dir():
            if self.include is None:
                raise ConfigError(
                    f"source '{self.name}': {self.path} is a directory; "
                    f"say which files to read, e.g. include: '*.{self.format}'"
                )
            found = sorted(p for p in base.glob(self.include) if p.is_file())
            if found:
                return [self._inside(root, p) for p in found]
            raise ConfigError(
                f"source '{self.name}': no files match '{self.include}' in {self.path}"
            )
        raise ConfigError(
            f"source '{self.name}': path {self.path} does not exist",
            hint="Check the path (relative to the project root) or run `dvc pull` for data "
            "tracked by DVC.",
        )

    def _inside(self, root: Path, path: Path) -> Path:
        if self.allow_outside_project or path.resolve().is_relative_to(root.resolve()):
            return path
        shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else self.path
        raise ConfigError(
            f"{ProjectPaths(root).sources_file}: sources.{self.name}.path: {shown} resolves "
            "(through a symlink) outside the project directory",
            hint="Move the data under the project (e.g. raw/), or set "
            "`allow_outside_project: true` on the source to read it in place.",
        )


class SourcesFile(_Strict):
    """The whole sources.yaml."""

    sources: dict[str, dict] = Field(min_length=1)


def load_sources(path: Path) -> dict[str, SourceSpec]:
    """Read and validate sources.yaml; every problem is reported with its source and key."""
    data = validate_config(SourcesFile, read_yaml(path), path)
    specs: dict[str, SourceSpec] = {}
    problems: list[str] = []
    for name, body in data.sources.items():
        try:
            specs[name] = validate_config(
                SourceSpec, {"name": name, **(body or {})}, path, prefix=f"sources.{name}"
            )
        except ConfigError as exc:
            problems.append(str(exc).split("\n", 1)[1])
    if problems:
        raise ConfigError(f"{path} is invalid:\n" + "\n".join(problems))
    return specs


def declared_sources(path: Path) -> list[str] | None:
    """The source names a sources.yaml declares; None without the file (nothing to check)."""
    if not path.is_file():
        return None
    data = read_yaml(path)
    sources = data.get("sources") if isinstance(data, dict) else None
    return [str(name) for name in sources] if isinstance(sources, dict) else None


def get_source(path: Path, name: str) -> SourceSpec:
    """One source by name, with the known names listed when it is not declared."""
    specs = load_sources(path)
    if name not in specs:
        raise ConfigError(f"{path}: no source named '{name}'; declared: {', '.join(specs)}")
    return specs[name]
