"""Answers of task instances as references store them, checked and compared.

A reference is text: the text itself (free text), one of the task's labels, a JSON list of
``{start, end, label, text}`` over the input (spans), a JSON object valid against the task's
JSON Schema (fields). Two answers are the same when their :func:`answer_key` is: texts after
NFKC and with runs of whitespace as one space, spans as sets, fields as parsed JSON with their
strings normalized the same way.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from curation.tasks.contract import OutputType

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Instance:
    """What checking, screening and reviewing an answer needs to know of its instance."""

    instance_id: str
    task: str
    output_type: OutputType
    language: str
    instruction: str
    input: str
    labels: tuple[str, ...]
    output_schema: str

    @classmethod
    def of(cls, row: dict[str, Any]) -> Instance:
        """From an instance row (``data/tasks/instances/<task>.parquet``)."""
        return cls(
            instance_id=row["instance_id"],
            task=row["task"],
            output_type=OutputType(row["output_type"]),
            language=row["language"],
            instruction=row["instruction"],
            input=row["input"],
            labels=tuple(row["labels"] or ()),
            output_schema=row["output_schema"] or "",
        )


COLUMNS = tuple(Instance.__dataclass_fields__)
"""The instance columns :meth:`Instance.of` reads."""


def normalize_text(text: str) -> str:
    """A text as answers are compared: NFKC, whitespace runs as one space, stripped."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def label_key(value: str) -> str:
    """A label as matched against the declared ones: NFKC, stripped, case-folded."""
    return unicodedata.normalize("NFKC", value).strip().casefold()


def schema_errors(value: Any, schema: str) -> list[str]:
    """Where a fields answer breaks the task's JSON Schema (empty: it fits), without values."""
    if not schema:
        return []
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(json.loads(schema))
    out = []
    for error in sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in error.absolute_path) or "the object"
        out.append(f"{where}: {error.validator} {error.validator_value!r}"[:200])
    return out


def check_spans(entries: list[Any], instance: Instance) -> list[tuple[int, int, str]]:
    """Checked ``(start, end, label)`` code-point spans of an instance's input, sorted; a
    ValueError says which one is wrong and why (never quoting text)."""
    out = []
    for i, entry in enumerate(entries):
        if isinstance(entry, list | tuple) and len(entry) == 3:
            entry = {"start": entry[0], "end": entry[1], "label": entry[2]}
        if not isinstance(entry, dict):
            raise ValueError(f"span {i} is not an object {{start, end, label}}")
        start, end, label = entry.get("start"), entry.get("end"), entry.get("label")
        if not (isinstance(start, int) and isinstance(end, int)):
            raise ValueError(f"span {i}: start and end must be integers")
        if not 0 <= start < end <= len(instance.input):
            raise ValueError(f"span {i}: {start}-{end} is not inside the input")
        if label not in instance.labels:
            raise ValueError(f"span {i}: its label is not one of the task's span types")
        if "text" in entry and entry["text"] != instance.input[start:end]:
            raise ValueError(f"span {i}: its text is not the input's text at {start}-{end}")
        out.append((start, end, str(label)))
    return sorted(set(out))


Span = tuple[int, int, str]


def spans_json(spans: list[Span] | tuple[Span, ...], text: str) -> str:
    """Spans as a reference stores them: a JSON list of {start, end, label, text}."""
    return json.dumps(
        [{"start": a, "end": b, "label": label, "text": text[a:b]} for a, b, label in spans],
        ensure_ascii=False,
        sort_keys=True,
    )


def spans_from_json(answer: str) -> tuple[tuple[int, int, str], ...]:
    """The ``(start, end, label)`` triples of a stored spans answer."""
    return tuple(sorted((s["start"], s["end"], s["label"]) for s in json.loads(answer)))


def fields_json(value: Any) -> str:
    """A fields answer as a reference stores it: compact JSON with sorted keys."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _normalized(value: Any) -> Any:
    if isinstance(value, str):
        return normalize_text(value)
    if isinstance(value, list):
        return [_normalized(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalized(v) for k, v in value.items()}
    return value


def answer_key(output_type: OutputType | str, answer: str | None) -> Any:
    """What two answers must share to be the same answer (None for no answer)."""
    if answer is None:
        return None
    output_type = OutputType(output_type)
    if output_type == OutputType.LABEL:
        return answer
    if output_type == OutputType.SPANS:
        return spans_from_json(answer)
    if output_type == OutputType.FIELDS:
        try:
            return fields_json(_normalized(json.loads(answer)))
        except json.JSONDecodeError:
            return normalize_text(answer)
    return normalize_text(answer)


def comparable_text(output_type: OutputType | str, answer: str) -> str:
    """An answer as edit distances compare it: free text normalized, fields as normalized
    compact JSON (labels and spans: their key as text)."""
    key = answer_key(output_type, answer)
    return key if isinstance(key, str) else json.dumps(key, ensure_ascii=False)
