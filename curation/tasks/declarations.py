"""``tasks.yaml``: the evaluable tasks a project builds from its items, validated by pydantic.

Each task says which items it draws from (kinds, sources, languages), how its input is cut from
an item (the whole text, some sections, the dialogue's first turns of some speakers), what an
answer is (:class:`~curation.tasks.contract.OutputType`), the metric the release advertises,
and where the reference comes from: *derived* from the source (a label column, a record
section, the explanation) or *authored* by physicians in review, optionally from a rule draft.
Combinations that cannot work (a label task without labels, ROUGE on a label, a derived
reference on a spans task) are refused with the task's name in the message.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from curation.errors import ConfigError
from curation.models import Dimension, Kind, Language
from curation.tasks.contract import Family, OutputType, Scoring

TASKS_FILE = "tasks.yaml"
TASK_ID = r"^[a-z][a-z0-9_]{1,47}$"

SCORINGS: dict[OutputType, tuple[Scoring, ...]] = {
    OutputType.FREE_TEXT: (Scoring.ROUGE_L, Scoring.JUDGE, Scoring.EXACT_MATCH),
    OutputType.LABEL: (Scoring.ACCURACY, Scoring.EXACT_MATCH),
    OutputType.SPANS: (Scoring.F1,),
    OutputType.FIELDS: (Scoring.F1, Scoring.JUDGE),
}
"""The metrics that can score each output type."""

Speaker = Literal["patient", "doctor", "other"]
Names = Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class DrawsFrom(_Strict):
    """Which items a task is built from ([] = any)."""

    kinds: list[Kind] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)


class InputSpec(_Strict):
    """How the model's input is cut from an item.

    * ``text``: the record text (``context``), or the dialogue as ``speaker：text`` lines;
    * ``sections``: only the named sections of a record (heading and body), in text order;
    * ``dialogue``: the first ``max_turns`` turns whose speaker is one of ``speakers``.

    ``remove_sections`` are cut from a ``text`` input; a reference section is always cut. The
    text of a multiple-choice question is its case, stem and options; ``with_answer`` adds its
    key (an explanation task explains a given answer).
    """

    source: Literal["text", "sections", "dialogue"] = Field("text", alias="from")
    sections: list[str] = Field(default_factory=list)
    remove_sections: list[str] = Field(default_factory=list)
    speakers: list[Speaker] = Field(default_factory=lambda: ["patient", "doctor", "other"])
    max_turns: int | None = Field(None, ge=1)
    max_chars: int = Field(20000, ge=1, description="Longer inputs are not eligible.")
    with_answer: bool = Field(False, description="text of an MCQ: add its answer key")

    @model_validator(mode="after")
    def _shape(self) -> InputSpec:
        if self.source == "sections" and not self.sections:
            raise ValueError("input from: sections needs `sections: [heading, …]`")
        if self.source != "sections" and self.sections:
            raise ValueError("`sections` applies to input from: sections only")
        return self


class FieldSpec(_Strict):
    """One field of a structured answer; ``sections`` are where a rule draft looks for it."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str = Field(min_length=1)
    type: Literal["string", "string_list"] = "string"
    sections: list[str] = Field(default_factory=list)


class OutputSpec(_Strict):
    """What an answer is."""

    type: OutputType
    labels: list[str] = Field(default_factory=list, description="label: the allowed labels")
    span_types: list[str] = Field(default_factory=list, description="spans: the entity types")
    fields: list[FieldSpec] = Field(default_factory=list, description="fields: the answer's")

    @model_validator(mode="after")
    def _shape(self) -> OutputSpec:
        needs = {
            OutputType.LABEL: ("labels", self.labels),
            OutputType.SPANS: ("span_types", self.span_types),
            OutputType.FIELDS: ("fields", self.fields),
        }
        for output_type, (name, value) in needs.items():
            if (self.type == output_type) != bool(value):
                raise ValueError(
                    f"`{name}` is required for output type {output_type.value} and only there"
                )
        for name, values in (("labels", self.labels), ("span_types", self.span_types)):
            if len(set(values)) != len(values):
                raise ValueError(f"`{name}` repeat a value")
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError("two fields share a name")
        return self

    def json_schema(self) -> str:
        """The JSON Schema of a ``fields`` answer ('' for other types), as stable text."""
        if self.type != OutputType.FIELDS:
            return ""
        properties = {
            f.name: {"type": "string", "description": f.description}
            if f.type == "string"
            else {"type": "array", "items": {"type": "string"}, "description": f.description}
            for f in self.fields
        }
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": properties,
            "required": [f.name for f in self.fields],
            "additionalProperties": False,
        }
        return json.dumps(schema, ensure_ascii=False, sort_keys=True)


class DerivedSpec(_Strict):
    """A reference the source already holds: exactly one of these."""

    source_label: str | None = Field(None, description="a label column of the source")
    section: list[str] | None = Field(None, description="a record section (its aliases)")
    item_field: Literal["explanation", "answer_text"] | None = Field(None, alias="field")

    @model_validator(mode="after")
    def _one(self) -> DerivedSpec:
        given = [v for v in (self.source_label, self.section, self.item_field) if v]
        if len(given) != 1:
            raise ValueError(
                "a derived reference names exactly one of source_label, section, field"
            )
        return self


class AuthoredSpec(_Strict):
    """A reference physicians write in review, starting from a draft.

    * ``none``: an empty box;
    * ``lead``: the first ``lead_sentences`` sentences of ``lead_sections`` (all text if none);
    * ``sections``: a fields answer whose fields are read from their declared sections;
    * ``model``: only drafts imported with ``curate tasks drafts import``.
    """

    draft: Literal["none", "lead", "sections", "model"] = "none"
    lead_sentences: int = Field(3, ge=1)
    lead_sections: list[str] = Field(default_factory=list)


class ReferenceSpec(_Strict):
    """Where the reference answer comes from: derived or authored (exactly one)."""

    derived: DerivedSpec | None = None
    authored: AuthoredSpec | None = None

    @model_validator(mode="after")
    def _one(self) -> ReferenceSpec:
        if (self.derived is None) == (self.authored is None):
            raise ValueError("a reference is either `derived` or `authored`")
        return self

    @property
    def origin(self) -> str:
        return "derived" if self.derived is not None else "authored"


class TaskSpec(_Strict):
    """One task of ``tasks.yaml``."""

    name: str = Field(min_length=1)
    family: Family
    dimension: Dimension | None = None
    languages: Annotated[list[Language], Field(min_length=1)]
    instruction: dict[Language, Annotated[str, Field(min_length=1)]]
    draws_from: DrawsFrom = Field(default_factory=DrawsFrom)
    input: InputSpec = Field(default_factory=InputSpec)
    output: OutputSpec
    scoring: Scoring
    reference: ReferenceSpec

    @model_validator(mode="after")
    def _coherent(self) -> TaskSpec:
        missing = [lang.value for lang in self.languages if lang not in self.instruction]
        if missing:
            raise ValueError(f"no instruction for language(s) {', '.join(missing)}")
        if self.scoring not in SCORINGS[self.output.type]:
            allowed = ", ".join(s.value for s in SCORINGS[self.output.type])
            raise ValueError(
                f"scoring {self.scoring.value} cannot score a {self.output.type.value} answer "
                f"(use {allowed})"
            )
        derived, authored = self.reference.derived, self.reference.authored
        if derived is not None:
            if self.output.type in (OutputType.SPANS, OutputType.FIELDS):
                raise ValueError(f"a {self.output.type.value} reference is authored, not derived")
            if derived.source_label and self.output.type != OutputType.LABEL:
                raise ValueError("a reference from a source label needs output type label")
        if authored is not None:
            if authored.draft == "sections" and self.output.type != OutputType.FIELDS:
                raise ValueError("draft: sections drafts a fields answer only")
            if authored.draft == "lead" and self.output.type != OutputType.FREE_TEXT:
                raise ValueError("draft: lead drafts a free_text answer only")
        return self

    def digest(self) -> str:
        """8 hex of the declaration: part of every instance's ``task_version``."""
        text = json.dumps(self.model_dump(mode="json", by_alias=True), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:8]


class TasksFile(_Strict):
    """The whole ``tasks.yaml``: task id → declaration."""

    tasks: dict[Annotated[str, Field(pattern=TASK_ID)], TaskSpec] = Field(default_factory=dict)


def load_tasks(root: Path, sources: set[str] | None = None) -> dict[str, TaskSpec]:
    """The tasks of a project (none without ``tasks.yaml``); a ConfigError names the task and
    field of every problem, and sources a task draws from that ``sources.yaml`` lacks."""
    path = root / TASKS_FILE
    if not path.is_file():
        return {}
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{TASKS_FILE} is not valid YAML: {error}") from None
    try:
        tasks = TasksFile.model_validate(document).tasks
    except ValidationError as error:
        raise ConfigError(f"{TASKS_FILE} is invalid:\n{_problems(error)}") from None
    if sources is not None:
        unknown = [
            f"{task_id}: {name}"
            for task_id, spec in tasks.items()
            for name in spec.draws_from.sources
            if name not in sources
        ]
        if unknown:
            raise ConfigError(
                f"{TASKS_FILE} draws from sources that sources.yaml does not declare: "
                + "; ".join(unknown)
            )
    return dict(sorted(tasks.items()))


def _problems(error: ValidationError) -> str:
    lines = []
    for problem in error.errors():
        where = ".".join(str(p) for p in problem["loc"])
        lines.append(f"  {where}: {problem['msg']}")
    return "\n".join(lines)


def describe(spec: TaskSpec) -> dict[str, Any]:
    """One row of ``curate tasks``: what a task is, in a few words."""
    derived, authored = spec.reference.derived, spec.reference.authored
    if derived is not None:
        what = (
            f"label {derived.source_label}"
            if derived.source_label
            else f"section {derived.section[0]}"
            if derived.section
            else str(derived.item_field)
        )
        reference = f"derived: {what}"
    else:
        assert authored is not None
        reference = f"authored (draft: {authored.draft})"
    return {
        "family": spec.family.value,
        "dimension": spec.dimension.value if spec.dimension else "",
        "languages": ",".join(lang.value for lang in spec.languages),
        "draws_from": ",".join([k.value for k in spec.draws_from.kinds] + spec.draws_from.sources)
        or "any",
        "input": spec.input.source,
        "output": spec.output.type.value,
        "scoring": spec.scoring.value,
        "reference": reference,
    }


def slug(text: str) -> str:
    """A lowercase ASCII slug (for file names)."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
