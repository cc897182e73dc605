"""One physician's annotation, read from Label Studio's result JSON into plain fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from curation.review.tasks import from_utf16

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
    edited_text: str | None = None
    comment: str | None = None
    phi: tuple[tuple[int, int, str], ...] = field(default=())  # code points in the review text

    def answer(self, key: list[str]) -> tuple[str, ...] | None:
        """The answer this reviewer stands behind: the key, their correction, or None when
        they did not check it. A key marked wrong without a correction is ('?',)."""
        if self.answer_check == "correct":
            return tuple(sorted(key))
        if self.answer_check == "wrong":
            return tuple(sorted(self.corrected_answer)) or ("?",)
        return None


def parse_result(annotator: str, result: list[dict[str, Any]], text: str) -> ReviewLabels:
    """Read one annotation's result list (text: the task's review text, for PHI offsets)."""
    values: dict[str, Any] = {}
    phi = []
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
        elif "rating" in value:
            values[name] = int(value["rating"])
        elif "text" in value:
            lines = value["text"] if isinstance(value["text"], list) else [value["text"]]
            joined = "\n".join(str(x) for x in lines).strip()
            values[name] = joined or None
    verdict = _first(values.get("verdict"))
    return ReviewLabels(
        annotator=annotator,
        verdict=verdict if verdict in VERDICTS else None,
        reject_reasons=tuple(sorted(values.get("reject_reason", ()))),
        specialty=_first(values.get("specialty")),
        answer_check=_first(values.get("answer_check")),
        corrected_answer=tuple(sorted(values.get("corrected_answer", ()))),
        difficulty=values.get("difficulty"),
        edited_text=values.get("edited_text"),
        comment=values.get("comment"),
        phi=tuple(sorted(phi)),
    )


def _first(values: tuple[str, ...] | None) -> str | None:
    return values[0] if values else None


def to_result(labels: ReviewLabels, text: str) -> list[dict[str, Any]]:
    """The Label Studio result list for these labels (simulated reviewers, tests)."""
    from curation.review.tasks import to_utf16

    def choices(name: str, chosen: tuple[str, ...] | list[str]) -> dict[str, Any]:
        return {
            "from_name": name,
            "to_name": "text",
            "type": "choices",
            "value": {"choices": list(chosen)},
        }

    out: list[dict[str, Any]] = []
    if labels.verdict:
        out.append(choices("verdict", [labels.verdict]))
    if labels.reject_reasons:
        out.append(choices("reject_reason", labels.reject_reasons))
    if labels.specialty:
        out.append(choices("specialty", [labels.specialty]))
    if labels.answer_check:
        out.append(choices("answer_check", [labels.answer_check]))
    if labels.corrected_answer:
        out.append(choices("corrected_answer", labels.corrected_answer))
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
            out.append(
                {
                    "from_name": name,
                    "to_name": "text",
                    "type": "textarea",
                    "value": {"text": [value]},
                }
            )
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
