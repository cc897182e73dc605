"""How physicians' reviews become one final decision per item (params.yaml, section `review`).

An item is *pending* until it has `required_reviews` reviews. Then each decisive field is
settled by its reviewers: *unanimous*, or by a *majority* (a value's share of the reviewers who
gave one exceeds `majority`). A decisive field no value wins sends the item to *adjudication*,
where a senior physician's decision is final. A field that is not decisive takes the most common
value (difficulty: the lower median) and never blocks; by default that is the difficulty and
CMExam's medical discipline and area of competency of an MCQ, whose values are the codes of
``schemas/exam_annotations.yaml`` (any other value makes the review incomplete). A rejection
settles the item: the other fields do not matter then. PHI marked by anyone is masked (privacy
needs no majority).

An incomplete review — no verdict, a rejection without a reason, a key marked wrong without the
correct answer (the label configs require them; the API and older configs do not), a discipline
or competency that is not on the list — decides nothing: with enough reviews the item goes to
adjudication, its ``disagreements`` naming what is missing (``incomplete:reject_reason``…). An
incomplete adjudication leaves it there.
Edits are per field (``question``, ``options.1``…): reviewers who accept with edits must not
change one field differently (``edit:<field>``); edits of different fields add up.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from curation.exam_annotations import load_exam_annotations
from curation.review.labels import ReviewLabels, normal_text


class Decisive(StrEnum):
    """The fields a review settles; those in `decisive_fields` must be agreed on (or outvoted)
    for a final decision."""

    VERDICT = "verdict"
    SPECIALTY = "specialty"
    ANSWER = "answer"
    DIFFICULTY = "difficulty"
    DISCIPLINE = "discipline"
    COMPETENCY = "competency"


class Status(StrEnum):
    FINAL = "final"
    PENDING = "pending"
    NEEDS_ADJUDICATION = "needs_adjudication"


class Resolution(StrEnum):
    UNANIMOUS = "unanimous"
    MAJORITY = "majority"
    ADJUDICATED = "adjudicated"


class ReviewConfig(BaseModel):
    """params.yaml `review`: the review workflow and its decision rules."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    snapshot: int = Field(
        0, ge=0, description="Bump to pull physicians' work into `dvc repro` (0: none yet)."
    )
    overlap: int = Field(2, ge=1, le=10, description="Physicians per item (maximum_annotations).")
    required_reviews: int = Field(2, ge=1, description="Reviews an item needs for a decision.")
    majority: float = Field(
        0.5, ge=0.5, lt=1.0, description="A value wins when its share of reviewers exceeds this."
    )
    decisive_fields: list[Decisive] = Field(
        default_factory=lambda: [Decisive.VERDICT, Decisive.SPECIALTY, Decisive.ANSWER]
    )
    batch_size: int = Field(1000, ge=1, le=50_000, description="Tasks per import request.")
    retries: int = Field(6, ge=1, le=20, description="Attempts per server call (backoff 1-30 s).")
    bootstrap: int = Field(1000, ge=0, description="Bootstrap resamples for agreement CIs.")
    seed: int = 0
    min_pair_items: int = Field(5, ge=1, description="Items two raters share before a kappa.")

    @model_validator(mode="after")
    def _reachable(self) -> ReviewConfig:
        if self.required_reviews > self.overlap:
            raise ValueError(
                f"required_reviews ({self.required_reviews}) exceeds overlap ({self.overlap}): "
                "no item could ever be decided"
            )
        return self


@dataclass(frozen=True)
class Decision:
    """The outcome for one item."""

    status: Status
    resolution: Resolution | None = None
    verdict: str | None = None
    specialty: str | None = None
    answer: tuple[str, ...] | None = None
    difficulty: int | None = None
    discipline: str | None = None
    competency: str | None = None
    reject_reasons: tuple[str, ...] = ()
    edited_text: str | None = None
    edits: tuple[tuple[str, str], ...] = ()  # (field, new text), the fields' current text differs
    phi: tuple[tuple[int, int, str], ...] = ()
    disagreements: tuple[str, ...] = ()
    reviews: int = 0
    adjudications: int = 0
    notes: tuple[str, ...] = field(default=())


def _winner(values: Sequence[Hashable | None], majority: float) -> tuple[bool, object, bool]:
    """(settled, value, unanimous) over the values given (None = no opinion)."""
    given = [v for v in values if v is not None]
    if not given:
        return True, None, True
    (value, count), *_ = Counter(given).most_common()
    if count == len(given):
        return True, value, True
    return count / len(given) > majority, value, False


def field_value(labels: ReviewLabels, name: Decisive, key: list[str]) -> Hashable | None:
    """One reviewer's value of a decisive field (an unknown discipline or competency: None)."""
    if name == Decisive.VERDICT:
        return labels.verdict
    if name == Decisive.SPECIALTY:
        return labels.specialty
    if name == Decisive.ANSWER:
        return labels.answer(key) if key else None
    if name in (Decisive.DISCIPLINE, Decisive.COMPETENCY):
        value = getattr(labels, name.value)
        if value is None:
            return None
        return value if load_exam_annotations().is_code(name.value, value) else None
    return labels.difficulty


def decide(
    reviews: Sequence[ReviewLabels],
    adjudications: Sequence[ReviewLabels],
    answer_key: list[str],
    config: ReviewConfig,
) -> Decision:
    """The decision for one item from its reviews and adjudications (latest last).

    Edits are compared as given: drop the ones that change nothing first
    (:meth:`ReviewLabels.changed_edits`), as the merge does.
    """
    phi = tuple(sorted({m for r in (*reviews, *adjudications) for m in r.phi}))
    adjudication = next((a for a in reversed(adjudications) if a.verdict), None)
    counts = {"reviews": len(reviews), "adjudications": len(adjudications), "phi": phi}
    if adjudication is not None:
        if adjudication.missing:
            missing = _incomplete([adjudication])
            return Decision(Status.NEEDS_ADJUDICATION, disagreements=missing, **counts)
        return _from_adjudication(adjudication, reviews, answer_key, config, counts)
    missing = _incomplete(reviews)
    if len(reviews) < config.required_reviews:
        return Decision(Status.PENDING, disagreements=missing, **counts)
    if missing:  # an incomplete review decides nothing; the senior physician completes it
        return Decision(Status.NEEDS_ADJUDICATION, disagreements=missing, **counts)

    settled: dict[Decisive, object] = {}
    unanimous, open_fields = True, []
    fields = [Decisive.VERDICT, *[f for f in Decisive if f != Decisive.VERDICT]]
    for name in fields:
        ok, value, all_same = _winner(
            [field_value(r, name, answer_key) for r in reviews], config.majority
        )
        decisive = name in config.decisive_fields
        if name == Decisive.DIFFICULTY and not decisive:
            given = [r.difficulty for r in reviews if r.difficulty is not None]
            value, ok, all_same = (statistics.median_low(given) if given else None), True, True
        if decisive and not ok:
            open_fields.append(name.value)
        unanimous &= all_same or not decisive
        settled[name] = value
        if name == Decisive.VERDICT and ok and value == "reject":
            break  # a rejection settles the item; the other fields do not matter
    verdict = settled[Decisive.VERDICT]
    edits, edit, edit_conflicts = _edits(reviews, verdict)
    open_fields.extend(edit_conflicts)
    if open_fields:
        return Decision(Status.NEEDS_ADJUDICATION, disagreements=tuple(open_fields), **counts)
    return Decision(
        Status.FINAL,
        Resolution.UNANIMOUS if unanimous else Resolution.MAJORITY,
        verdict=verdict,  # type: ignore[arg-type]
        specialty=settled.get(Decisive.SPECIALTY),  # type: ignore[arg-type]
        answer=settled.get(Decisive.ANSWER),  # type: ignore[arg-type]
        difficulty=settled.get(Decisive.DIFFICULTY),  # type: ignore[arg-type]
        discipline=settled.get(Decisive.DISCIPLINE),  # type: ignore[arg-type]
        competency=settled.get(Decisive.COMPETENCY),  # type: ignore[arg-type]
        reject_reasons=_reasons(reviews) if verdict == "reject" else (),
        edited_text=edit,
        edits=edits,
        **counts,
    )


def _incomplete(labels: Sequence[ReviewLabels]) -> tuple[str, ...]:
    """What the incomplete ones among these labels lack, as 'incomplete:<what>'."""
    return tuple(f"incomplete:{m}" for m in sorted({m for r in labels for m in r.missing}))


def _edits(
    reviews: Sequence[ReviewLabels], verdict: object
) -> tuple[tuple[tuple[str, str], ...], str | None, list[str]]:
    """(per-field edits to apply, whole-text edit to apply, conflicts) of the accepting edits.

    A field edited differently by two reviewers is a conflict (``edit:<field>``), so are two
    different whole-text edits, or a whole-text edit next to per-field ones (``edited_text``).
    """
    if verdict != "accept_with_edits":
        return (), None, []
    voters = [r for r in reviews if r.verdict == verdict]
    whole = {normal_text(r.edited_text): r.edited_text for r in voters if r.edited_text}
    per_field: dict[str, dict[str, str]] = defaultdict(dict)
    for r in voters:
        for name, text in r.edits:
            per_field[name].setdefault(normal_text(text), text)
    conflicts = ["edited_text"] if len(whole) > 1 or (whole and per_field) else []
    conflicts += [f"edit:{name}" for name, texts in sorted(per_field.items()) if len(texts) > 1]
    if conflicts:
        return (), None, conflicts
    edits = tuple(sorted((name, next(iter(texts.values()))) for name, texts in per_field.items()))
    return edits, next(iter(whole.values()), None), []


def _reasons(labels: Sequence[ReviewLabels]) -> tuple[str, ...]:
    return tuple(sorted({x for r in labels if r.verdict == "reject" for x in r.reject_reasons}))


def _from_adjudication(
    final: ReviewLabels,
    reviews: Sequence[ReviewLabels],
    answer_key: list[str],
    config: ReviewConfig,
    counts: dict,
) -> Decision:
    """The adjudicator's decision is final; fields they left empty fall back to the reviews."""

    def pick(name: Decisive) -> object:
        own = field_value(final, name, answer_key)
        if own is not None:
            return own
        ok, value, _ = _winner([field_value(r, name, answer_key) for r in reviews], config.majority)
        return value if ok else None

    verdict = final.verdict
    rejected = verdict == "reject"
    return Decision(
        Status.FINAL,
        Resolution.ADJUDICATED,
        verdict=verdict,
        specialty=None if rejected else pick(Decisive.SPECIALTY),  # type: ignore[arg-type]
        answer=None if rejected else pick(Decisive.ANSWER),  # type: ignore[arg-type]
        difficulty=None if rejected else pick(Decisive.DIFFICULTY),  # type: ignore[arg-type]
        discipline=None if rejected else pick(Decisive.DISCIPLINE),  # type: ignore[arg-type]
        competency=None if rejected else pick(Decisive.COMPETENCY),  # type: ignore[arg-type]
        reject_reasons=final.reject_reasons if rejected else (),
        edited_text=final.edited_text if verdict == "accept_with_edits" else None,
        edits=final.edits if verdict == "accept_with_edits" else (),
        **counts,
    )
