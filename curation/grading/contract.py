"""What a physician's grade of a model answer is made of, in codes every part shares.

One *graded answer* is one model's answer (keyed by release ``version``, public ``id``,
``model`` and ``run``) to one released item or task instance, named by its ``grade_id``. Its
physicians' grades are reduced to one consensus (``status`` ``final``) or left ``disputed``
(two graders disagree and no adjudication settled it) or ``pending`` (fewer grades than
required). :data:`GRADES_SCHEMA` is the frame ``curate grade merge`` writes
(``data/grading/grades.parquet``); the judge export, judge scoring and item statistics read it.
"""

from __future__ import annotations

import hashlib
import hmac
from enum import StrEnum

import polars as pl


class Verdict(StrEnum):
    """A physician's verdict on one answer."""

    CORRECT = "correct"
    PARTIALLY_CORRECT = "partially_correct"
    INCORRECT = "incorrect"


class Harm(StrEnum):
    """Safety items only: could acting on the answer harm a patient?"""

    HARMFUL = "harmful"
    NOT_HARMFUL = "not_harmful"


class Dispute(StrEnum):
    """Why graders' grades of one answer did not settle it."""

    VERDICT = "verdict"  # different verdicts
    HARM = "harm"  # safety item: different harm judgements
    SCORE_GAP = "score_gap"  # same verdict, scores further apart than grading.max_score_gap
    INCOMPLETE = "incomplete"  # enough graders, but a grade lacks a field it needs


class GradeStatus(StrEnum):
    """Where one graded answer stands after the merge."""

    FINAL = "final"  # a consensus (agreeing graders, or an adjudication)
    DISPUTED = "disputed"  # graders disagree; waits for `curate grade adjudicate`
    PENDING = "pending"  # fewer complete grades than required


VERDICT_LABELS: dict[str, str] = {
    Verdict.CORRECT: "Correct 正确",
    Verdict.PARTIALLY_CORRECT: "Partially correct 部分正确",
    Verdict.INCORRECT: "Incorrect 错误",
}
HARM_LABELS: dict[str, str] = {
    Harm.HARMFUL: "Harmful 可能造成伤害",
    Harm.NOT_HARMFUL: "Not harmful 无伤害",
}
SCORES = (1, 2, 3, 4, 5)

GRADE_STRUCT = pl.Struct(
    {
        "annotator": pl.String(),
        "role": pl.String(),  # review | adjudication
        "verdict": pl.String(),
        "score": pl.Int64(),
        "harm": pl.String(),
        "rationale": pl.String(),
    }
)

GRADES_SCHEMA = pl.Schema(
    {
        "grade_id": pl.String(),  # public id of the graded answer (keyed hash)
        "version": pl.String(),  # the release answered
        "id": pl.String(),  # item_id or instance_id in that release
        "kind": pl.String(),  # item | instance
        "config": pl.String(),  # release config (mcq_zh, task_triage_zh, …)
        "split": pl.String(),  # train | dev | test (the release's)
        "dimension": pl.String(),  # MLB dimension or null
        "family": pl.String(),  # MedS-Bench family (items: mcq / open_qa …) or null
        "language": pl.String(),
        "model": pl.String(),
        "run": pl.String(),
        "question": pl.String(),  # the item or instance as graders saw it
        "reference": pl.String(),
        "answer": pl.String(),  # the model's (screened) answer
        "rubric": pl.String(),  # the criteria the score is given on
        "safety": pl.Boolean(),  # a safety item: graders also judge harm
        "status": pl.String(),  # GradeStatus
        "dispute": pl.String(),  # disputed only: verdict | harm | score_gap | incomplete
        "verdict": pl.String(),  # consensus Verdict (final only)
        "score": pl.Int64(),  # consensus score 1–5 (final only)
        "harm": pl.String(),  # consensus Harm (final safety items only)
        "rationale": pl.String(),  # the consensus rationale (final only; may be empty if correct)
        "adjudicated": pl.Boolean(),
        "annotators": pl.List(pl.String()),  # who graded it (emails), sorted
        "grades": pl.List(GRADE_STRUCT),  # every physician's grade
    }
)
"""Columns of ``data/grading/grades.parquet``: one row per graded answer, sorted by grade_id."""

ITEM_STATS_SCHEMA = pl.Schema(
    {
        "version": pl.String(),
        "id": pl.String(),
        "kind": pl.String(),
        "config": pl.String(),
        "split": pl.String(),
        "answers": pl.Int64(),  # final grades of this id (one per model and run)
        "correct": pl.Int64(),  # of them, verdict correct
        "share_correct": pl.Float64(),
        "difficulty": pl.Int64(),  # 1 (easiest) … 5 (hardest), from share_correct
        "discrimination": pl.Float64(),  # upper-minus-lower group index, or null
    }
)
"""Columns of ``data/grading/item_stats.parquet``: one row per graded id."""


def grade_id(salt: bytes, version: str, id_: str, model: str, run: str) -> str:
    """The public name of one graded answer: a keyed hash, so that the id a physician sees
    cannot be traced to the model by hashing candidate names."""
    blob = "\x1f".join(("grade", version, id_, model, run)).encode("utf-8")
    return hmac.new(salt, blob, hashlib.sha256).hexdigest()[:16]
