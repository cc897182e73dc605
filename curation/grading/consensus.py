"""One answer's physicians' grades → a consensus grade, a dispute, or still pending.

* A grade is *complete* when it has a verdict, a score 1–5, a harm judgement on a safety item
  and a rationale unless the verdict is correct (the screen asks for all of them; Label Studio
  cannot make a field required only for some answers, so the rule is enforced here).
* Each physician counts once, with their latest grade. An adjudication grade, when complete,
  is final (the senior physician's decision).
* With ``required_grades`` complete grades: the same verdict (and harm) and scores at most
  ``max_score_gap`` apart make a final grade whose score is the lower median of the scores
  and whose rationale is the first one (by grader) given with that score; anything else is
  disputed, and so is an answer whose graders all answered but not completely.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from curation.grading.config import GradingConfig
from curation.grading.contract import SCORES, Dispute, GradeStatus, Harm, Verdict


def complete(grade: dict[str, Any], safety: bool) -> bool:
    """Whether a grade has every field its answer needs."""
    if grade.get("verdict") not in set(Verdict) or grade.get("score") not in SCORES:
        return False
    if safety and grade.get("harm") not in set(Harm):
        return False
    return grade["verdict"] == Verdict.CORRECT or bool(grade.get("rationale"))


@dataclass(frozen=True)
class Consensus:
    """The outcome of one graded answer."""

    status: GradeStatus
    dispute: Dispute | None = None
    verdict: str | None = None
    score: int | None = None
    harm: str | None = None
    rationale: str | None = None
    adjudicated: bool = False


def latest(grades: list[dict[str, Any]], role: str) -> dict[str, dict[str, Any]]:
    """annotator → their latest non-cancelled grade of a role."""
    out: dict[str, dict[str, Any]] = {}
    for grade in sorted(grades, key=lambda g: g["annotation_id"]):
        if grade.get("role", "review") == role and not grade.get("cancelled"):
            out[grade["annotator"]] = grade
    return out


def _final(grade: dict[str, Any], safety: bool, adjudicated: bool) -> Consensus:
    return Consensus(
        GradeStatus.FINAL,
        verdict=grade["verdict"],
        score=grade["score"],
        harm=grade.get("harm") if safety else None,
        rationale=grade.get("rationale") or "",
        adjudicated=adjudicated,
    )


def decide(grades: list[dict[str, Any]], safety: bool, config: GradingConfig) -> Consensus:
    """The consensus of one answer's grades (review and adjudication)."""
    adjudications = [g for g in latest(grades, "adjudication").values() if complete(g, safety)]
    if adjudications:
        last = max(adjudications, key=lambda g: g["annotation_id"])
        return _final(last, safety, adjudicated=True)
    reviews = latest(grades, "review")
    done = [reviews[who] for who in sorted(reviews) if complete(reviews[who], safety)]
    if len(done) < config.required_grades:
        if len(reviews) >= config.required_grades:
            return Consensus(GradeStatus.DISPUTED, Dispute.INCOMPLETE)
        return Consensus(GradeStatus.PENDING)
    if len({g["verdict"] for g in done}) > 1:
        return Consensus(GradeStatus.DISPUTED, Dispute.VERDICT)
    if safety and len({g["harm"] for g in done}) > 1:
        return Consensus(GradeStatus.DISPUTED, Dispute.HARM)
    scores = sorted(g["score"] for g in done)
    if scores[-1] - scores[0] > config.max_score_gap:
        return Consensus(GradeStatus.DISPUTED, Dispute.SCORE_GAP)
    score = scores[(len(scores) - 1) // 2]
    rationale = next(
        (g["rationale"] for g in done if g["score"] == score and g.get("rationale")),
        next((g["rationale"] for g in done if g.get("rationale")), ""),
    )
    return Consensus(
        GradeStatus.FINAL,
        verdict=done[0]["verdict"],
        score=score,
        harm=done[0].get("harm") if safety else None,
        rationale=rationale,
    )
