"""Agreement between physicians reviewing task instances, per task and per family.

Over complete reviews (incomplete ones are counted by the merge, not here):

* ``verdict`` (correct / corrected / reject) and ``answerable`` (yes / no), and for label tasks
  the ``label`` of the reviews that accept one: Cohen's kappa pooled over every pair of
  physicians who reviewed the same instance (with two physicians: their kappa; 95% bootstrap
  interval over the pairs), Cohen's kappa per pair sharing ``min_pair_items`` instances,
  Krippendorff's alpha, Fleiss' kappa and the observed agreement
  (:mod:`curation.review.agreement`);
* spans: span F1 between physicians, micro-averaged over every pair of physicians answering
  the same instance: 2 × spans both marked (same start, end and type) / spans each marked;
* free text and fields: the share of answering reviews that kept the pre-filled answer
  unchanged (derived reference or draft; compared as :func:`~curation.tasks.answers.answer_key`
  does), per origin of the pre-fill too, and character-level edit distance — Levenshtein
  distance divided by the longer text's length (0 = same, 1 = nothing shared), on the texts as
  compared (NFKC, whitespace runs as one space; fields as compact JSON) — averaged over pairs of
  physicians answering the same instance, and from each answer to its pre-fill.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from curation.review.agreement import Rating, Ratings, cohen_kappa, cross_check, field_agreement
from curation.tasks.answers import answer_key, comparable_text, spans_from_json
from curation.tasks.contract import OutputType
from curation.tasks.review_rules import TaskReview


@dataclass
class ReviewedInstance:
    """One instance with its reviews, as agreement needs it."""

    instance_id: str
    output_type: OutputType
    prefill: str | None = None
    prefill_origin: str | None = None  # derived | rule:<rule> | model:<name>
    reviews: list[TaskReview] = field(default_factory=list)


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insertions, deletions, substitutions of one character each).

    Myers' bit-parallel algorithm (Hyyrö's formulation for the global distance): one pass over
    the longer text, the shorter one's column of the DP table held as bits of an integer.
    """
    if len(a) < len(b):
        a, b = b, a
    m = len(b)
    if m == 0:
        return len(a)
    peq: dict[str, int] = defaultdict(int)
    for i, ch in enumerate(b):
        peq[ch] |= 1 << i
    mask = (1 << m) - 1
    last = 1 << (m - 1)
    pv, mv, score = mask, 0, m
    for ch in a:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & last:
            score += 1
        elif mh & last:
            score -= 1
        ph = ((ph << 1) | 1) & mask
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
    return score


def edit_distance(a: str, b: str) -> float:
    """Levenshtein distance over the longer text's length (two empty texts: 0)."""
    longest = max(len(a), len(b))
    return levenshtein(a, b) / longest if longest else 0.0


def _round(x: float | None) -> float | None:
    return None if x is None else round(float(x), 4)


def categorical(
    ratings: Sequence[Rating], resamples: int, seed: int, min_pair_items: int
) -> dict[str, Any]:
    """Agreement on a nominal value: the figures of item review plus pooled Cohen's kappa."""
    r = Ratings.build(ratings, "nominal")
    cross_check(r)
    figures = field_agreement(r, resamples, seed, min_pair_items)
    a, b = [], []
    for col in range(r.n_items):
        rated = [row for row in range(len(r.raters)) if r.codes[row, col] >= 0]
        for i, j in itertools.combinations(rated, 2):
            a.append(r.codes[i, col])
            b.append(r.codes[j, col])
    figures["cohen_kappa"] = cohen_kappa(
        np.array(a, dtype=np.int64), np.array(b, dtype=np.int64), "nominal", resamples, seed
    )
    figures["pairs"] = len(a)
    return figures


def _pairs(instance: ReviewedInstance) -> list[tuple[TaskReview, TaskReview]]:
    answering = sorted((r for r in instance.reviews if r.answered), key=lambda r: r.annotator)
    return list(itertools.combinations(answering, 2))


def span_f1(instances: Sequence[ReviewedInstance]) -> dict[str, Any]:
    """Micro span F1 between physicians, overall and per pair of physicians."""
    totals = [0, 0]
    by_pair: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    used = 0
    for instance in instances:
        pairs = _pairs(instance)
        used += bool(pairs)
        for x, y in pairs:
            a, b = set(spans_from_json(x.answer or "[]")), set(spans_from_json(y.answer or "[]"))
            both, size = len(a & b), len(a) + len(b)
            totals[0] += both
            totals[1] += size
            entry = by_pair[(x.annotator, y.annotator)]
            entry[0] += both
            entry[1] += size
            entry[2] += 1
    return {
        "instances": used,
        "pairs": sum(e[2] for e in by_pair.values()),
        "f1": _round(2 * totals[0] / totals[1]) if totals[1] else None,
        "by_pair": [
            {"raters": list(k), "instances": e[2], "f1": _round(2 * e[0] / e[1]) if e[1] else None}
            for k, e in sorted(by_pair.items())
        ],
    }


def _origin_kind(origin: str | None) -> str:
    return origin or "none"


def text_agreement(instances: Sequence[ReviewedInstance]) -> dict[str, Any]:
    """Accepted-unchanged share and edit distances of free-text or fields answers."""
    kept: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    to_prefill: list[float] = []
    between: list[float] = []
    for instance in instances:
        kind = instance.output_type
        if instance.prefill is not None:
            shown_key = answer_key(kind, instance.prefill)
            shown_text = comparable_text(kind, instance.prefill)
            for review in instance.reviews:
                if not review.answered:
                    continue
                entry = kept[_origin_kind(instance.prefill_origin)]
                entry[0] += 1
                entry[1] += answer_key(kind, review.answer) == shown_key
                to_prefill.append(
                    edit_distance(comparable_text(kind, review.answer or ""), shown_text)
                )
        for x, y in _pairs(instance):
            between.append(
                edit_distance(
                    comparable_text(kind, x.answer or ""), comparable_text(kind, y.answer or "")
                )
            )
    reviews = sum(e[0] for e in kept.values())
    unchanged = sum(e[1] for e in kept.values())
    return {
        "accepted_unchanged": {
            "reviews": reviews,
            "unchanged": unchanged,
            "share": _round(unchanged / reviews) if reviews else None,
            "by_prefill": {
                origin: {"reviews": e[0], "unchanged": e[1], "share": _round(e[1] / e[0])}
                for origin, e in sorted(kept.items())
            },
        },
        "edit_distance": {
            "pairs": len(between),
            "mean": _round(float(np.mean(between))) if between else None,
        },
        "edit_distance_to_prefill": {
            "reviews": len(to_prefill),
            "mean": _round(float(np.mean(to_prefill))) if to_prefill else None,
        },
    }


def task_agreement(
    instances: Sequence[ReviewedInstance], resamples: int, seed: int, min_pair_items: int
) -> dict[str, Any]:
    """Every agreement figure of a set of instances (one task, or one family's tasks)."""
    values: dict[str, list[Rating]] = defaultdict(list)
    for instance in instances:
        for review in instance.reviews:
            if review.missing:
                continue
            given: dict[str, Hashable | None] = {
                "verdict": review.verdict,
                "answerable": review.answerable,
            }
            if instance.output_type == OutputType.LABEL and not review.rejects:
                given["label"] = review.answer
            for name, value in given.items():
                if value is not None:
                    values[name].append(Rating(instance.instance_id, review.annotator, value))
    names = ["verdict", "answerable"]
    if any(i.output_type == OutputType.LABEL for i in instances):
        names.append("label")
    out: dict[str, Any] = {
        name: categorical(values[name], resamples, seed, min_pair_items) for name in names
    }
    spans = [i for i in instances if i.output_type == OutputType.SPANS]
    if spans:
        out["span_f1"] = span_f1(spans)
    texts = [i for i in instances if i.output_type in (OutputType.FREE_TEXT, OutputType.FIELDS)]
    if texts:
        out.update(text_agreement(texts))
    return out
