"""How well physicians agree when they grade model answers, in a report and a plot.

Per field (verdict: nominal; score: ordinal; harm: nominal, safety items only), over every
answer two or more physicians graded (their latest complete grade each, adjudications left
out): Krippendorff's alpha, Fleiss' kappa and every rater pair's Cohen's kappa
(:func:`curation.review.agreement.field_agreement`), plus a pooled Cohen's kappa of the first
two graders of each answer (by annotation order) — graders rotate, so each pair shares few
answers, and the pooled figure is the one physician–physician kappa MLB reports. Confidence
intervals are seeded percentile bootstraps over answers. The same figures per MLB dimension
and per task family.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from curation.grading.consensus import complete, latest
from curation.review.agreement import (
    Rating,
    Ratings,
    cohen_kappa,
    cross_check,
    field_agreement,
    krippendorff_alpha,
    observed_agreement,
)

FIELDS = {"verdict": "nominal", "score": "ordinal", "harm": "nominal"}


def _ratings(answers: list[dict[str, Any]]) -> dict[str, list[Rating]]:
    out: dict[str, list[Rating]] = defaultdict(list)
    for answer in answers:
        for who, grade in latest(answer["grades"], "review").items():
            if not complete(grade, answer["safety"]):
                continue
            for name in FIELDS:
                if grade.get(name) is not None and (name != "harm" or answer["safety"]):
                    out[name].append(Rating(answer["grade_id"], who, grade[name]))
    return out


def _first_pair(r: Ratings) -> tuple[np.ndarray, np.ndarray]:
    """Per answer, the codes of its first two graders (rows in rater order)."""
    a, b = [], []
    for col in r.codes.T:
        rated = col[col >= 0]
        if len(rated) >= 2:
            a.append(rated[0])
            b.append(rated[1])
    return np.array(a, dtype=np.int64), np.array(b, dtype=np.int64)


def _figures(
    ratings: list[Rating], level: str, resamples: int, seed: int, min_pair_items: int, full: bool
) -> dict[str, Any]:
    r = Ratings.build(ratings, level)
    if full:
        cross_check(r)
        out = field_agreement(r, resamples, seed, min_pair_items)
    else:
        out = {
            "level": level,
            "items": r.n_items,
            "observed_agreement": observed_agreement(r),
            "krippendorff_alpha": krippendorff_alpha(r, resamples, seed),
        }
    a, b = _first_pair(r)
    out["cohen_kappa"] = cohen_kappa(a, b, level, resamples, seed) | {"items": len(a)}
    return out


def grading_agreement(
    answers: list[dict[str, Any]], resamples: int, seed: int, min_pair_items: int
) -> dict[str, Any]:
    """Agreement overall, per MLB dimension and per task family (answers of the snapshot)."""
    report: dict[str, Any] = {"overall": {}, "by_dimension": {}, "by_family": {}}
    ratings = _ratings(answers)
    for name, level in FIELDS.items():
        report["overall"][name] = _figures(
            ratings[name], level, resamples, seed, min_pair_items, full=True
        )
    for key, group in (("by_dimension", "dimension"), ("by_family", "family")):
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for answer in answers:
            groups[answer.get(group) or "none"].append(answer)
        for value, members in sorted(groups.items()):
            found = _ratings(members)
            figures = _figures(found["verdict"], "nominal", resamples, seed, min_pair_items, False)
            if figures["items"] >= min_pair_items:
                report[key][value] = {"verdict": figures}
    return report


def plot_agreement(report: dict[str, Any], path: Path) -> None:
    """Verdict agreement (Krippendorff's alpha and pooled Cohen's kappa, 95% CIs) overall,
    per dimension and per family, as a deterministic PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [("overall", report["overall"].get("verdict", {}))]
    rows += [(f"dimension {k}", v["verdict"]) for k, v in report["by_dimension"].items()]
    rows += [(f"family {k}", v["verdict"]) for k, v in report["by_family"].items()]
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(rows) + 1.4), dpi=100)
    y = np.arange(len(rows))
    for offset, name, label in (
        (-0.18, "krippendorff_alpha", "Krippendorff's alpha"),
        (0.18, "cohen_kappa", "Cohen's kappa (first two graders)"),
    ):
        values, low, high = [], [], []
        for _, figures in rows:
            found = figures.get(name) or {}
            value = found.get("value")
            ci = found.get("ci95") or [value, value]
            values.append(np.nan if value is None else value)
            low.append(0 if value is None or ci[0] is None else value - ci[0])
            high.append(0 if value is None or ci[1] is None else ci[1] - value)
        ax.barh(y + offset, values, height=0.36, xerr=[low, high], label=label, capsize=2)
    ax.set_yticks(y, [name for name, _ in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(-0.2, 1.0)
    ax.axvline(0.8, color="#888", linewidth=0.8, linestyle="--")
    ax.set_xlabel("agreement on the verdict (95% bootstrap CI)")
    ax.set_title("Physician–physician agreement when grading model answers")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", metadata={"Software": None})
    plt.close(fig)
