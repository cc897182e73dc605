"""Items → Label Studio tasks: the readable review text, its field map, and pre-annotations.

The review text is composed from an item's fields in a fixed layout (options on their own lines,
dialogue turns one per line). :class:`Layout` remembers where each field sits in it, so that PHI
marked by a physician maps back to the field, and de-identification marks map into it. The same
fields, one by one, pre-fill the edit boxes (``edit_*`` task data, see
:data:`curation.review.configs.EDIT_GROUPS`): a physician corrects an option or a dialogue turn
where it stands. Label Studio counts text offsets in UTF-16 code units; items count code points:
the conversion happens here and nowhere else.

Pre-annotations: the tagger's specialty, the de-identifier's PHI marks and, for MCQs, the
CMExam medical discipline and area of competency a source gives as labels (``discipline`` and
``competency`` in sources.yaml ``fields.labels``), read as codes of
``schemas/exam_annotations.yaml``; a value that is none is not pre-selected.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from curation.exam_annotations import EXAM_FIELDS, ExamAnnotations, load_exam_annotations
from curation.models import Kind
from curation.review.configs import (
    EDIT_GROUPS,
    PREFILL_VERSION,
    ReviewKind,
    reject_reason_choices,
    specialty_choice,
    specialty_path,
)
from curation.taxonomy import Taxonomy

HEADINGS = {
    "question": "【Question 问题】",
    "answer_text": "【Reference answer 参考答案】",
    "explanation": "【Explanation 解析】",
}


@dataclass
class Layout:
    """The composed review text and the (field, start, end) code-point ranges it holds."""

    text: str = ""
    fields: list[tuple[str, int, int]] = field(default_factory=list)

    def add(self, piece: str, name: str | None = None) -> None:
        if name is not None:
            self.fields.append((name, len(self.text), len(self.text) + len(piece)))
        self.text += piece

    def to_fields(self, start: int, end: int) -> list[tuple[str, int, int]]:
        """The parts of a composed-text range inside each field: (field, start, end)."""
        out = []
        for name, a, b in self.fields:
            lo, hi = max(start, a), min(end, b)
            if lo < hi:
                out.append((name, lo - a, hi - a))
        return out

    def from_field(self, name: str, start: int, end: int) -> tuple[int, int] | None:
        """A field range as a composed-text range (None if the field is not shown)."""
        for field_name, a, _ in self.fields:
            if field_name == name:
                return a + start, a + end
        return None


def compose(item: dict[str, Any]) -> Layout:
    """The review text of an item (a row dict of the item model)."""
    layout = Layout()

    def block(name: str, heading: str | None = None) -> None:
        value = item.get(name)
        if not value:
            return
        if layout.text:
            layout.add("\n\n")
        if heading:
            layout.add(heading + "\n")
        layout.add(value, name)

    if item.get("context"):
        block("context")
    elif item.get("turns"):
        for i, turn in enumerate(item["turns"]):
            layout.add(("\n" if i else "") + f"{turn['speaker']}：")
            layout.add(turn["text"], f"turns.{i}")
    if item["kind"] == Kind.MCQ:
        block("question")
        layout.add("\n")
        for i, option in enumerate(item.get("options") or []):
            layout.add(f"\n{option['label']}. ")
            layout.add(option["text"], f"options.{i}")
        block("explanation", HEADINGS["explanation"])
    else:
        block("question", HEADINGS["question"] if layout.text else None)
        block("answer_text", HEADINGS["answer_text"])
        block("explanation", HEADINGS["explanation"])
    return layout


def edit_data(item: dict[str, Any], layout: Layout | None = None) -> dict[str, list[Any]]:
    """The ``edit_*`` task data: each shown field's current text, in review-text order.

    Single fields are a list of one text (none when the item lacks it); options and dialogue
    turns one ``{"heading", "text"}`` each. Only fields shown in the review text are editable.
    """
    layout = layout or compose(item)
    shown = {name.split(".")[0] for name, _, _ in layout.fields}
    data: dict[str, list[Any]] = {}
    for group in EDIT_GROUPS[ReviewKind.of(item["kind"]).value]:
        if group.field not in shown:
            data[group.data] = []
        elif group.field == "options":
            data[group.data] = [
                {"heading": o["label"], "text": o["text"]} for o in item.get("options") or []
            ]
        elif group.field == "turns":
            data[group.data] = [
                {"heading": f"{i + 1} · {t['speaker']}", "text": t["text"]}
                for i, t in enumerate(item.get("turns") or [])
            ]
        else:
            data[group.data] = [item[group.field]]
    return data


def edit_fields(data: dict[str, Any]) -> dict[str, str]:
    """Field → the text its edit box was pre-filled with, from a task's data (the inverse of
    :func:`edit_data`); empty for tasks pushed before per-field edits."""
    out: dict[str, str] = {}
    for key, entries in data.items():
        if not key.startswith("edit_") or not isinstance(entries, list):
            continue
        group = key[len("edit_") :]
        for i, entry in enumerate(entries):
            if isinstance(entry, dict):
                out[f"{group}.{i}"] = str(entry.get("text", ""))
            else:
                out[group] = str(entry)
    return out


def field_text(item: dict[str, Any], name: str) -> str | None:
    """The current text of an item field ('question', 'options.1', 'turns.0'), else None."""
    group, _, index = name.partition(".")
    if index:
        entries = item.get(group) or []
        return entries[int(index)]["text"] if int(index) < len(entries) else None
    value = item.get(name)
    return value if isinstance(value, str) else None


def edit_target(item: dict[str, Any]) -> str:
    """The field a physician's whole-text edit replaces (the edit box of older configs)."""
    if item["kind"] in (Kind.MCQ, Kind.OPEN_QA) and item.get("question"):
        return "question"
    if item.get("context") or not item.get("turns"):
        return "context"
    return "turns"


def to_utf16(text: str, offset: int) -> int:
    """A code-point offset as a UTF-16 offset (what Label Studio's text regions count)."""
    return offset + sum(1 for ch in text[:offset] if ord(ch) > 0xFFFF)


def from_utf16(text: str, offset: int) -> int:
    """A UTF-16 offset as a code-point offset."""
    units = 0
    for index, ch in enumerate(text):
        if units >= offset:
            return index
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


def made_by(item: dict[str, Any]) -> str:
    """Who made the pre-annotations: tagger and de-identification versions (task data; the
    predictions themselves carry :data:`~curation.review.configs.PREFILL_VERSION`)."""
    tagger = (item.get("tags") or {}).get("tagger") or "untagged"
    deid = (item.get("phi") or {}).get("deid_version") or "no-deid"
    return f"{tagger}+{deid}"


def source_exam_labels(item: dict[str, Any], exams: ExamAnnotations) -> dict[str, str]:
    """The exam annotations an item's source gives (discipline, competency → code); a label
    whose value is no code, name or alias of the list is left out."""
    out: dict[str, str] = {}
    for label in item.get("source_labels") or []:
        name = label.get("name")
        if name in EXAM_FIELDS and name not in out:
            code = exams.code_of(name, label.get("value"))
            if code is not None:
                out[name] = code
    return out


def build_task(
    item: dict[str, Any],
    taxonomy: Taxonomy,
    shown_id: str,
    exams: ExamAnnotations | None = None,
) -> dict[str, Any]:
    """One Label Studio task (data + one prediction) for an item, with its content hash.

    The task names the item by `shown_id` (its public id: see :mod:`curation.review.ids`).
    An MCQ whose source gives a discipline or competency gets it pre-selected, and as
    ``discipline_code`` / ``competency_code`` in the data (`exams`: by default the active
    project's exam annotations).
    """
    layout = compose(item)
    tags = item.get("tags") or {}
    code = tags.get("specialty_code")
    codes = taxonomy.by_code()
    known = code in codes
    data: dict[str, Any] = {
        "item_id": shown_id,
        "source": item["source"],
        "kind": item["kind"],
        "language": item["language"],
        "specialty_code": code if known else None,
        "text": layout.text,
        "text_hash": text_hash(layout.text),
        "meta": f"{item['source']} · {item['kind']} · {item['language']} · {shown_id}",
        "suggestion": _suggestion(tags, taxonomy, codes),
        "reject_reasons": reject_reason_choices(item["kind"]),
        **edit_data(item, layout),
    }
    if ReviewKind.of(item["kind"]) == ReviewKind.MCQ:
        data["answer_key"] = ", ".join(item.get("answer_labels") or []) or "—"
        data["answer_options"] = [
            {"value": f"{o['label']}. {o['text']}", "alias": o["label"]}
            for o in item.get("options") or []
        ]
    result: list[dict[str, Any]] = []
    if known:
        result.append(
            {
                "id": "specialty",
                "from_name": "specialty",
                "to_name": "text",
                "type": "taxonomy",
                "value": {"taxonomy": [specialty_path(taxonomy, code)]},
            }
        )
    if ReviewKind.of(item["kind"]) == ReviewKind.MCQ:
        given = source_exam_labels(item, exams or load_exam_annotations())
        for name in EXAM_FIELDS:
            if (value := given.get(name)) is None:
                continue
            data[f"{name}_code"] = value
            result.append(
                {
                    "id": name,
                    "from_name": name,
                    "to_name": "text",
                    "type": "choices",
                    "value": {"choices": [value]},
                }
            )
    for i, mark in enumerate((item.get("phi") or {}).get("marks") or []):
        span = layout.from_field(mark["field"], mark["start"], mark["end"])
        if span is None:
            continue
        start, end = span
        result.append(
            {
                "id": f"phi{i}",
                "from_name": "phi",
                "to_name": "text",
                "type": "labels",
                "value": {
                    "start": to_utf16(layout.text, start),
                    "end": to_utf16(layout.text, end),
                    "text": layout.text[start:end],
                    "labels": [mark["category"]],
                },
            }
        )
    data["pre_annotated_by"] = made_by(item)
    prediction = {
        "model_version": PREFILL_VERSION,
        "score": round(float(tags.get("score") or 0.0), 6),
        "result": result,
    }
    data["task_hash"] = content_hash(data, prediction)
    return {"data": data, "predictions": [prediction]}


def text_hash(text: str) -> str:
    """Hash of a review text: PHI offsets marked on it are valid only for this text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def content_hash(data: dict[str, Any], prediction: dict[str, Any]) -> str:
    """Hash of what a task shows; a changed item (or rendering) gets a new hash."""
    payload = {k: v for k, v in data.items() if k != "task_hash"}
    blob = json.dumps([payload, prediction], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def _suggestion(tags: dict[str, Any], taxonomy: Taxonomy, codes: dict[str, Any]) -> str:
    code = tags.get("specialty_code")
    if not code or code not in codes:
        return "No suggestion 无建议 — please choose 请选择"
    alternatives = [
        f"{specialty_choice(taxonomy, a['code'])} ({a['score']:.2f})"
        for a in tags.get("alternatives") or []
        if a["code"] in codes
    ]
    head = f"{tags.get('tagger')}: {specialty_choice(taxonomy, code)} ({tags.get('score', 0):.2f})"
    if tags.get("needs_review"):
        head += " — low confidence 低置信度"
    return head + ("\nAlternatives 备选: " + "; ".join(alternatives) if alternatives else "")
