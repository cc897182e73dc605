"""One physician's annotation, read from Label Studio's result JSON into plain fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from curation.exam_annotations import EXAM_FIELDS, ExamAnnotations, load_exam_annotations
from curation.review.configs import edit_control, edited_field
from curation.review.tasks import from_utf16
from curation.taxonomy import Taxonomy

VERDICTS = ("accept", "accept_with_edits", "reject")


@dataclass(frozen=True)
class ReviewLabels:
    """What one reviewer (or the adjudicator) decided about one item."""

    annotator: str
    verdict: str | None = None
    reject_reasons: tuple[str, ...] = ()
    specialty: str | None = None
    answer_check: str | None = None  # correct | wrong (MCQs)
    corrected_answer: tuple[str, ...] = ()
    difficulty: int | None = None
    discipline: str | None = None  # MCQs: a code of schemas/exam_annotations.yaml (CMExam)
    competency: str | None = None  # MCQs: a code of schemas/exam_annotations.yaml (CMExam)
    edited_text: str | None = None  # whole-text edit (the single edit box of older configs)
    comment: str | None = None
    phi: tuple[tuple[int, int, str], ...] = field(default=())  # code points in the review text
    edits: tuple[tuple[str, str], ...] = ()  # (field, text): 'question', 'options.1', 'turns.0'…

    def __post_init__(self) -> None:
        # read back from JSON (the snapshot), pairs arrive as lists
        if not isinstance(self.edits, tuple) or any(not isinstance(e, tuple) for e in self.edits):
            object.__setattr__(self, "edits", tuple(sorted(tuple(e) for e in self.edits)))

    def answer(self, key: list[str]) -> tuple[str, ...] | None:
        """The answer this reviewer stands behind: the key, their correction, or None when
        they did not check it — or marked it wrong without a correction (see :attr:`missing`)."""
        if self.answer_check == "correct":
            return tuple(sorted(key))
        if self.answer_check == "wrong" and self.corrected_answer:
            return tuple(sorted(self.corrected_answer))
        return None

    @property
    def missing(self) -> tuple[str, ...]:
        """What a complete review needs and this one lacks (empty when complete).

        The label configs require a verdict, a reason for a rejection and the correct answer
        for a key marked wrong; annotations made through the API or with an older config may
        still lack them: 'verdict', 'reject_reason', 'corrected_answer' (not for a rejection,
        which settles the item whatever the answer). A discipline or competency that is not a
        code of the exam annotations (another config, the API) is no valid value either:
        'discipline', 'competency'. Leaving them out is allowed (no opinion).
        """
        out = []
        if self.verdict is None:
            out.append("verdict")
        if self.verdict == "reject" and not self.reject_reasons:
            out.append("reject_reason")
        if self.answer_check == "wrong" and not self.corrected_answer and self.verdict != "reject":
            out.append("corrected_answer")
        if self.discipline is not None or self.competency is not None:
            exams = load_exam_annotations()
            out += [
                name
                for name in EXAM_FIELDS
                if getattr(self, name) is not None and not exams.is_code(name, getattr(self, name))
            ]
        return tuple(out)

    def changed_edits(self, current: Mapping[str, str | None]) -> tuple[tuple[str, str], ...]:
        """The edits that change a field: the edit boxes come pre-filled with the field's text,
        so an untouched box returns it unchanged. `current` maps a field to its text (None: the
        item has no such field; such edits are dropped)."""
        out = []
        for name, text in self.edits:
            before = current.get(name)
            if before is not None and normal_text(text) != normal_text(before):
                out.append((name, text))
        return tuple(out)


def normal_text(text: str) -> str:
    """A text as edits are compared: line endings and trailing spaces do not count."""
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip().split("\n"))


def parse_result(
    annotator: str,
    result: list[dict[str, Any]],
    text: str,
    fields: Mapping[str, str | None] | None = None,
    exams: ExamAnnotations | None = None,
) -> ReviewLabels:
    """Read one annotation's result list (text: the task's review text, for PHI offsets).

    Edit boxes count only with the verdict *accept with edits* (every box is submitted, edited
    or not). `fields` (field → the text its box was pre-filled with, :func:`tasks.edit_fields`
    of the task data), when given, drops boxes left as they were; the merge drops them anyway.
    Discipline and competency are read as codes of `exams` (by default the active project's
    exam annotations), whatever spelling the config used; a value that is none is kept as
    given, so that the review is incomplete (:attr:`ReviewLabels.missing`), not silently empty.
    """
    values: dict[str, Any] = {}
    phi = []
    edits = []
    for region in result:
        name, value = region.get("from_name"), region.get("value") or {}
        if name == "phi":
            labels = value.get("labels") or []
            if labels and "start" in value and "end" in value:
                start = from_utf16(text, int(value["start"]))
                end = from_utf16(text, int(value["end"]))
                phi.append((start, end, str(labels[0])))
        elif "choices" in value:
            values[name] = tuple(str(c) for c in value["choices"])
        elif "taxonomy" in value:  # a path from the department down: the chosen code is last
            values[name] = tuple(str(path[-1]) for path in value["taxonomy"] or [] if path)
        elif "rating" in value:
            values[name] = int(value["rating"])
        elif "text" in value:
            lines = value["text"] if isinstance(value["text"], list) else [value["text"]]
            joined = "\n".join(str(x) for x in lines).strip()
            target = edited_field(str(name))
            if target is not None:
                if joined:
                    edits.append((target, joined))
            else:
                values[name] = joined or None
    verdict = _first(values.get("verdict"))
    if verdict != "accept_with_edits":
        edits = []
    elif fields is not None:
        edits = [
            (name, text)
            for name, text in edits
            if fields.get(name) is None or normal_text(text) != normal_text(fields[name])
        ]
    exam: dict[str, str | None] = {}
    for name in EXAM_FIELDS:
        given = _first(values.get(name))
        if given is not None:
            exams = exams or load_exam_annotations()
            exam[name] = exams.code_of(name, given) or given
    return ReviewLabels(
        annotator=annotator,
        verdict=verdict if verdict in VERDICTS else None,
        reject_reasons=tuple(sorted(values.get("reject_reason", ()))),
        specialty=_first(values.get("specialty")),
        answer_check=_first(values.get("answer_check")),
        corrected_answer=tuple(sorted(values.get("corrected_answer", ()))),
        difficulty=values.get("difficulty"),
        discipline=exam.get("discipline"),
        competency=exam.get("competency"),
        edited_text=values.get("edited_text"),
        comment=values.get("comment"),
        phi=tuple(sorted(phi)),
        edits=tuple(sorted(edits)),
    )


def _first(values: tuple[str, ...] | None) -> str | None:
    return values[0] if values else None


def to_result(
    labels: ReviewLabels, text: str, taxonomy: Taxonomy | None = None
) -> list[dict[str, Any]]:
    """The Label Studio result list for these labels (simulated reviewers, tests).

    The specialty is a Taxonomy path (department down to the code) in `taxonomy`, by default
    the one shipped with MedCurate.
    """
    from curation.review.configs import specialty_path
    from curation.review.tasks import to_utf16
    from curation.taxonomy import load_taxonomy

    def choices(name: str, chosen: tuple[str, ...] | list[str]) -> dict[str, Any]:
        return {
            "from_name": name,
            "to_name": "text",
            "type": "choices",
            "value": {"choices": list(chosen)},
        }

    def textarea(name: str, value: str) -> dict[str, Any]:
        return {
            "from_name": name,
            "to_name": "text",
            "type": "textarea",
            "value": {"text": [value]},
        }

    out: list[dict[str, Any]] = []
    if labels.verdict:
        out.append(choices("verdict", [labels.verdict]))
    if labels.reject_reasons:
        out.append(choices("reject_reason", labels.reject_reasons))
    if labels.specialty:
        taxonomy = taxonomy or load_taxonomy()
        known = labels.specialty in taxonomy.by_code()
        path = specialty_path(taxonomy, labels.specialty) if known else [labels.specialty]
        out.append(
            {
                "from_name": "specialty",
                "to_name": "text",
                "type": "taxonomy",
                "value": {"taxonomy": [path]},
            }
        )
    if labels.answer_check:
        out.append(choices("answer_check", [labels.answer_check]))
    if labels.corrected_answer:
        out.append(choices("corrected_answer", labels.corrected_answer))
    for name in EXAM_FIELDS:
        value = getattr(labels, name)
        if value:
            out.append(choices(name, [value]))
    if labels.difficulty is not None:
        out.append(
            {
                "from_name": "difficulty",
                "to_name": "text",
                "type": "rating",
                "value": {"rating": labels.difficulty},
            }
        )
    for name in ("edited_text", "comment"):
        value = getattr(labels, name)
        if value:
            out.append(textarea(name, value))
    out.extend(textarea(edit_control(name), value) for name, value in labels.edits)
    for i, (start, end, label) in enumerate(labels.phi):
        out.append(
            {
                "id": f"m{i}",
                "from_name": "phi",
                "to_name": "text",
                "type": "labels",
                "value": {
                    "start": to_utf16(text, start),
                    "end": to_utf16(text, end),
                    "text": text[start:end],
                    "labels": [label],
                },
            }
        )
    return out
