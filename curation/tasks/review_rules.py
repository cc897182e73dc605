"""How physicians' reviews of one task instance become its status and reference.

Each review says whether the instance is answerable from its input, gives the answer and a
verdict on the pre-filled one (correct, corrected, reject with a reason). A review *rejects*
when its verdict is reject or it finds the instance not answerable. It is *incomplete* when it
lacks one of those answers, rejects without a reason, accepts without an answer, or gives an
answer that is not one (a label off the task's list; fields that are not JSON or do not fit the
task's JSON Schema: ``incomplete:answer_json`` / ``incomplete:answer_schema``).

The rule (params.yaml ``review``): an instance is *pending* until it has ``required_reviews``
reviews; with any incomplete one it *needs adjudication*. It is *rejected* when the share of
rejecting reviews exceeds ``majority``; otherwise the accepting reviews must exceed it too (else
``verdict`` is disputed) and agree on the answer: a label by majority among them (its share
exceeds ``majority``), free text, fields and spans only when all of them give the same answer
(texts compared after NFKC and whitespace normalization, fields as parsed JSON, spans as sets).
Then it is *final*, with that answer as its reference: *unanimous* when every review accepted
the same answer, else *majority*.

A disputed instance goes to a senior physician (``curate tasks adjudicate``): their latest
annotation in the task adjudication project, when complete (the same answers a review needs),
decides — *rejected* or *final* with their answer as the reference, resolution *adjudicated* —
whatever the reviews say. An incomplete adjudication decides nothing: the instance stays
*needs_adjudication* (``adjudication_incomplete:<what is missing>``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from curation.tasks.answers import (
    Instance,
    answer_key,
    check_spans,
    fields_json,
    label_key,
    schema_errors,
    spans_json,
)
from curation.tasks.contract import OutputType
from curation.tasks.review_configs import (
    ANSWER_CONTROL,
    ANSWERABLE,
    COMMENT,
    REJECT_REASON,
    VERDICT,
    VERDICTS,
)


class TaskStatus(StrEnum):
    FINAL = "final"
    PENDING = "pending"
    NEEDS_ADJUDICATION = "needs_adjudication"
    REJECTED = "rejected"


@dataclass(frozen=True)
class TaskReview:
    """What one physician said about one task instance."""

    annotator: str
    answerable: str | None = None  # yes | no
    verdict: str | None = None  # correct | corrected | reject
    reject_reasons: tuple[str, ...] = ()
    answer: str | None = None  # as a reference stores it (see curation.tasks.answers)
    missing: tuple[str, ...] = ()  # why the review is incomplete (empty: complete)
    comment: str | None = None

    @property
    def rejects(self) -> bool:
        """The review says the instance cannot be a test item."""
        return self.verdict == "reject" or self.answerable == "no"

    @property
    def answered(self) -> bool:
        """A complete review that accepts an answer."""
        return not self.missing and not self.rejects and self.answer is not None


def read_review(annotator: str, values: dict[str, Any], instance: Instance) -> TaskReview:
    """One annotation's values (by control name, as the snapshot holds them) as a review."""
    answerable = _first(values.get(ANSWERABLE))
    answerable = answerable if answerable in ("yes", "no") else None
    verdict = _first(values.get(VERDICT))
    verdict = verdict if verdict in VERDICTS else None
    reasons = tuple(sorted(values.get(REJECT_REASON) or ()))
    missing = []
    if answerable is None:
        missing.append("answerable")
    if verdict is None:
        missing.append("verdict")
    if verdict == "reject" and not reasons:
        missing.append("reject_reason")
    answer, problem = _answer(values.get(ANSWER_CONTROL[instance.output_type]), instance)
    if not (verdict == "reject" or answerable == "no"):  # a rejection needs no answer
        if problem:
            missing.append(problem)
        elif answer is None:
            missing.append("answer")
    comment = values.get(COMMENT)
    return TaskReview(
        annotator=annotator,
        answerable=answerable,
        verdict=verdict,
        reject_reasons=reasons,
        answer=answer,
        missing=tuple(missing),
        comment=comment.strip() or None if isinstance(comment, str) else None,
    )


def _answer(raw: Any, instance: Instance) -> tuple[str | None, str | None]:
    """(the answer as a reference stores it, what makes it no answer)."""
    kind = instance.output_type
    if kind == OutputType.LABEL:
        chosen = _first(raw)
        if chosen is None:
            return None, None
        by_key = {label_key(label): label for label in instance.labels}
        match = by_key.get(label_key(chosen))
        return (match, None) if match else (None, "label_not_in_list")
    if kind == OutputType.SPANS:  # no span marked is an answer too: the input has none
        try:
            return spans_json(check_spans(list(raw or []), instance), instance.input), None
        except ValueError:
            return None, "answer_spans"
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        return None, None
    if kind == OutputType.FIELDS:
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            return None, "answer_json"
        if not isinstance(value, dict):
            return None, "answer_json"
        if schema_errors(value, instance.output_schema):
            return None, "answer_schema"
        return fields_json(value), None
    return text, None


def _first(values: Any) -> str | None:
    if isinstance(values, list):
        return str(values[0]) if values else None
    return values if isinstance(values, str) else None


@dataclass(frozen=True)
class TaskDecision:
    """The outcome for one instance."""

    status: TaskStatus
    resolution: str | None = None  # unanimous | majority | adjudicated
    reference: str | None = None
    reject_reasons: tuple[str, ...] = ()
    disagreements: tuple[str, ...] = ()
    reviews: int = 0
    adjudicated: bool = False  # a complete adjudication decided it


def decide(
    reviews: Sequence[TaskReview],
    output_type: OutputType | str,
    prefill: str | None,
    required_reviews: int,
    majority: float,
    adjudication: TaskReview | None = None,
) -> TaskDecision:
    """The decision about one instance from its reviews (`prefill`: the answer it showed) and
    the senior physician's latest annotation in the adjudication project (`adjudication`)."""
    output_type = OutputType(output_type)
    n = len(reviews)
    if adjudication is not None:
        return _adjudicated(adjudication, output_type, prefill, n)
    missing = tuple(f"incomplete:{m}" for m in sorted({m for r in reviews for m in r.missing}))
    if n < required_reviews:
        return TaskDecision(TaskStatus.PENDING, disagreements=missing, reviews=n)
    if missing:
        return TaskDecision(TaskStatus.NEEDS_ADJUDICATION, disagreements=missing, reviews=n)
    rejecting = [r for r in reviews if r.rejects]
    if len(rejecting) / n > majority:
        reasons = {x for r in rejecting for x in r.reject_reasons}
        reasons |= {"not_answerable" for r in rejecting if r.answerable == "no"}
        return TaskDecision(
            TaskStatus.REJECTED,
            "unanimous" if len(rejecting) == n else "majority",
            reject_reasons=tuple(sorted(reasons)),
            reviews=n,
        )
    accepting = sorted((r for r in reviews if not r.rejects), key=lambda r: r.annotator)
    if len(accepting) / n <= majority:
        return TaskDecision(TaskStatus.NEEDS_ADJUDICATION, disagreements=("verdict",), reviews=n)
    keys = [answer_key(output_type, r.answer) for r in accepting]
    key, count = Counter(keys).most_common(1)[0]
    agreed = count == len(accepting) or (
        output_type == OutputType.LABEL and count / len(accepting) > majority
    )
    if not agreed:
        what = "label" if output_type == OutputType.LABEL else "answer"
        return TaskDecision(TaskStatus.NEEDS_ADJUDICATION, disagreements=(what,), reviews=n)
    if prefill is not None and answer_key(output_type, prefill) == key:
        reference = prefill  # accepted as shown: kept byte for byte
    else:
        reference = next(r.answer for r, k in zip(accepting, keys, strict=True) if k == key)
    unanimous = not rejecting and count == len(accepting)
    return TaskDecision(
        TaskStatus.FINAL, "unanimous" if unanimous else "majority", reference=reference, reviews=n
    )


def _adjudicated(
    adjudication: TaskReview, output_type: OutputType, prefill: str | None, n: int
) -> TaskDecision:
    """The senior physician's decision: final when complete, else the instance stays open."""
    if adjudication.missing:
        missing = tuple(f"adjudication_incomplete:{m}" for m in sorted(set(adjudication.missing)))
        return TaskDecision(TaskStatus.NEEDS_ADJUDICATION, disagreements=missing, reviews=n)
    if adjudication.rejects:
        reasons = set(adjudication.reject_reasons)
        reasons |= {"not_answerable"} if adjudication.answerable == "no" else set()
        return TaskDecision(
            TaskStatus.REJECTED,
            "adjudicated",
            reject_reasons=tuple(sorted(reasons)),
            reviews=n,
            adjudicated=True,
        )
    reference = adjudication.answer
    if prefill is not None and answer_key(output_type, prefill) == answer_key(
        output_type, reference
    ):
        reference = prefill  # the pre-fill, as shown: kept byte for byte
    return TaskDecision(
        TaskStatus.FINAL, "adjudicated", reference=reference, reviews=n, adjudicated=True
    )
