"""Items → task instances: pure, and every item accounted for.

For one task, each item ends as exactly one of: an instance, or *not eligible* with a stable
reason (:class:`NotEligible`): the task does not draw from its kind, source or language; the
reference or input it needs is missing; a derived reference is not one of the task's labels or
can be read in the input (``reference_in_input``: a diagnosis task whose input still states the
diagnosis measures nothing). An instance's id hashes (item_id, task id): re-running a task, or
changing its declaration, never changes an instance's identity or split (its item's cluster
decides the split).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import polars as pl

from curation.identity import short_hash
from curation.provenance import code_digest
from curation.tasks.contract import OutputType
from curation.tasks.declarations import TaskSpec
from curation.tasks.text import (
    drop_sections,
    find_sections,
    keep_sections,
    leaked,
    render_turns,
    section_body,
    sentences,
    speaker_role,
)

INSTANCE_SCHEMA = pl.Schema(
    {
        "instance_id": pl.String(),
        "item_id": pl.String(),
        "cluster_id": pl.String(),
        "task": pl.String(),
        "task_version": pl.String(),
        "family": pl.String(),
        "dimension": pl.String(),
        "language": pl.String(),
        "instruction": pl.String(),
        "input": pl.String(),
        "reference": pl.String(),
        "draft": pl.String(),
        "draft_origin": pl.String(),
        "output_type": pl.String(),
        "labels": pl.List(pl.String()),
        "output_schema": pl.String(),
        "scoring": pl.String(),
        "reference_origin": pl.String(),
        "source": pl.String(),
        "license": pl.String(),
        "specialty_code": pl.String(),
    }
)
"""A built instance (``data/tasks/instances/<task>.parquet``): ``reference`` is set when
derived, ``draft`` when a rule drafted it; physicians' review fills authored references."""

NOT_ELIGIBLE_SCHEMA = pl.Schema(
    {"item_id": pl.String(), "task": pl.String(), "reason": pl.String(), "detail": pl.String()}
)


class NotEligible(StrEnum):
    """Why an item yields no instance of a task (stable codes, counted in the report)."""

    KIND_NOT_DRAWN = "kind_not_drawn"
    SOURCE_NOT_DRAWN = "source_not_drawn"
    LANGUAGE_NOT_DECLARED = "language_not_declared"
    REFERENCE_MISSING = "reference_missing"
    LABEL_NOT_IN_LIST = "label_not_in_list"
    INPUT_MISSING = "input_missing"
    INPUT_TOO_LONG = "input_too_long"
    REFERENCE_IN_INPUT = "reference_in_input"


class Ineligible(Exception):
    """An item cannot yield an instance of a task (reason and a detail without item text)."""

    def __init__(self, reason: NotEligible, detail: str = "") -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.detail = detail


def instance_id(item_id: str, task_id: str) -> str:
    """The stable id of the instance of a task built from an item."""
    return short_hash(f"{item_id}\x1f{task_id}")


def task_version(task_id: str, spec: TaskSpec) -> str:
    """``<task>@<declaration digest>.<builder code digest>``: changes when either does."""
    return f"{task_id}@{spec.digest()}.{code_digest('curation.tasks.build')}"


@dataclass(frozen=True)
class Built:
    """One item's outcome for one task: an instance row, or a reason."""

    item_id: str
    instance: dict[str, Any] | None = None
    reason: NotEligible | None = None
    detail: str = ""


def build(task_id: str, spec: TaskSpec, items: Iterable[dict[str, Any]]) -> Iterator[Built]:
    """The outcome of every item (row dicts of the item model) for one task, in input order."""
    version = task_version(task_id, spec)
    for item in items:
        try:
            yield Built(item["item_id"], instance=_instance(task_id, spec, version, item))
        except Ineligible as why:
            yield Built(item["item_id"], reason=why.reason, detail=why.detail)


def _instance(task_id: str, spec: TaskSpec, version: str, item: dict[str, Any]) -> dict[str, Any]:
    _check_drawn(spec, item)
    reference = _derived_reference(spec, item)
    text = _input(spec, item)
    if not text:
        raise Ineligible(NotEligible.INPUT_MISSING, f"input from {spec.input.source} is empty")
    if len(text) > spec.input.max_chars:
        raise Ineligible(
            NotEligible.INPUT_TOO_LONG, f"{len(text)} characters > {spec.input.max_chars}"
        )
    if (
        reference is not None
        and spec.output.type == OutputType.FREE_TEXT
        and leaked(reference, text)
    ):
        raise Ineligible(NotEligible.REFERENCE_IN_INPUT, "a reference statement is in the input")
    draft, draft_origin = _draft(spec, item)
    tags = item.get("tags") or {}
    return {
        "instance_id": instance_id(item["item_id"], task_id),
        "item_id": item["item_id"],
        "cluster_id": item.get("cluster_id") or item["item_id"],
        "task": task_id,
        "task_version": version,
        "family": spec.family.value,
        "dimension": spec.dimension.value if spec.dimension else None,
        "language": item["language"],
        "instruction": full_instruction(spec, item["language"]),
        "input": text,
        "reference": reference,
        "draft": draft,
        "draft_origin": draft_origin,
        "output_type": spec.output.type.value,
        "labels": list(spec.output.labels or spec.output.span_types),
        "output_schema": spec.output.json_schema(),
        "scoring": spec.scoring.value,
        "reference_origin": spec.reference.origin,
        "source": item["source"],
        "license": item["license"],
        "specialty_code": tags.get("specialty_code"),
    }


CHOICES_LINE = {"zh": "可选答案：", "en": "Answer with one of: "}
TYPES_LINE = {"zh": "实体类型：", "en": "Entity types: "}
FIELDS_LINE = {"zh": "输出 JSON：", "en": "Answer as JSON: "}


def full_instruction(spec: TaskSpec, language: str) -> str:
    """The declared instruction, plus what a model must know to answer in the right shape: the
    labels of a label task, the entity types of a spans task, the JSON template of a fields
    task (each field with its description)."""
    text = spec.instruction[language]
    output = spec.output
    comma = "、" if language == "zh" else ", "
    if output.type == OutputType.LABEL:
        return (
            f"{text}\n{CHOICES_LINE.get(language, CHOICES_LINE['en'])}{comma.join(output.labels)}"
        )
    if output.type == OutputType.SPANS:
        types = comma.join(output.span_types)
        return f"{text}\n{TYPES_LINE.get(language, TYPES_LINE['en'])}{types}"
    if output.type == OutputType.FIELDS:
        template = {
            f.name: [f.description] if f.type == "string_list" else f.description
            for f in output.fields
        }
        shape = json.dumps(template, ensure_ascii=False)
        return f"{text}\n{FIELDS_LINE.get(language, FIELDS_LINE['en'])}{shape}"
    return text


def _check_drawn(spec: TaskSpec, item: dict[str, Any]) -> None:
    drawn = spec.draws_from
    if drawn.kinds and item["kind"] not in drawn.kinds:
        raise Ineligible(NotEligible.KIND_NOT_DRAWN, f"kind {item['kind']}")
    if drawn.sources and item["source"] not in drawn.sources:
        raise Ineligible(NotEligible.SOURCE_NOT_DRAWN, f"source {item['source']}")
    if item["language"] not in spec.languages:
        raise Ineligible(NotEligible.LANGUAGE_NOT_DECLARED, f"language {item['language']}")


ANSWER_LINE = {"zh": "答案：", "en": "Answer: "}


def _whole_text(item: dict[str, Any], with_answer: bool = False) -> str:
    """A record's text, a dialogue's turns, or an MCQ's case, stem and options (and key)."""
    if item.get("turns"):
        return render_turns(item["turns"])
    if item["kind"] != "mcq":
        return item.get("context") or ""
    parts = [p for p in (item.get("context"), item.get("question")) if p]
    parts += [f"{o['label']}. {o['text']}" for o in item.get("options") or []]
    if with_answer and item.get("answer_labels"):
        line = ANSWER_LINE.get(item["language"], ANSWER_LINE["en"])
        parts.append(line + ",".join(item["answer_labels"]))
    return "\n".join(parts)


def _derived_reference(spec: TaskSpec, item: dict[str, Any]) -> str | None:
    derived = spec.reference.derived
    if derived is None:
        return None
    if derived.source_label:
        values = [
            label["value"]
            for label in item.get("source_labels") or []
            if label["name"] == derived.source_label and label["value"]
        ]
        if not values:
            raise Ineligible(NotEligible.REFERENCE_MISSING, f"no {derived.source_label} label")
        by_key = {_label_key(label): label for label in spec.output.labels}
        match = by_key.get(_label_key(values[0]))
        if match is None:
            raise Ineligible(
                NotEligible.LABEL_NOT_IN_LIST, f"{derived.source_label} is not a declared label"
            )
        return match
    if derived.section:
        body = section_body(item.get("context") or "", derived.section)
        if body is None:
            raise Ineligible(
                NotEligible.REFERENCE_MISSING, f"no section {' / '.join(derived.section)}"
            )
        return body
    value = item.get(derived.item_field or "")
    if not value:
        raise Ineligible(NotEligible.REFERENCE_MISSING, f"no {derived.item_field}")
    return value


def _input(spec: TaskSpec, item: dict[str, Any]) -> str:
    how = spec.input
    if how.source == "dialogue":
        turns = [t for t in item.get("turns") or [] if speaker_role(t["speaker"]) in how.speakers]
        return render_turns(turns[: how.max_turns]).strip()
    text = item.get("context") or ""
    if how.source == "sections":
        return keep_sections(text, how.sections)
    removed = [*how.remove_sections]
    if spec.reference.derived and spec.reference.derived.section:
        removed += spec.reference.derived.section
    whole = _whole_text(item, how.with_answer)
    return drop_sections(whole, removed) if removed else whole.strip()


def _draft(spec: TaskSpec, item: dict[str, Any]) -> tuple[str | None, str | None]:
    authored = spec.reference.authored
    if authored is None or authored.draft in ("none", "model"):
        return None, None
    text = item.get("context") or _whole_text(item)
    if authored.draft == "lead":
        bodies = (
            [s.body(text) for s in find_sections(text, authored.lead_sections)]
            if authored.lead_sections
            else [text]
        )
        picked = _lead(bodies, authored.lead_sentences)
        return (picked or None), "rule:lead"
    answer: dict[str, Any] = {}
    for spec_field in spec.output.fields:
        body = section_body(text, spec_field.sections) if spec_field.sections else None
        if spec_field.type == "string_list":
            answer[spec_field.name] = _list_entries(body) if body else []
        else:
            answer[spec_field.name] = body or ""
    return json.dumps(answer, ensure_ascii=False, sort_keys=True), "rule:sections"


def _lead(bodies: list[str], count: int) -> str:
    """The first `count` sentences of these texts, joined as the language writes them."""
    picked: list[str] = []
    for body in bodies:
        for sentence in sentences(body):
            picked.append(sentence)
            if len(picked) == count:
                return " ".join(picked) if _latin(picked) else "".join(picked)
    return " ".join(picked) if _latin(picked) else "".join(picked)


def _latin(pieces: list[str]) -> bool:
    text = "".join(pieces)
    return sum(c.isascii() and c.isalpha() for c in text) > len(text) / 2


def _list_entries(body: str) -> list[str]:
    """A section body as list entries: one per line, ；/; or inline number, numbering removed."""
    entries = []
    for line in re.split(r"[\n；;]", body):
        for part in re.split(r"\s\d+[.、)]\s*", line):
            part = re.sub(r"^\s*\d+[.、)]\s*", "", part).strip(" \t\u3000。")
            if part:
                entries.append(part)
    return entries


def _label_key(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().casefold()
