"""Inter-rater agreement of physician reviews, per field, overall / per specialty / per annotator.

Per field (verdict, specialty, answer key and, for MCQs, CMExam's medical discipline and area of
competency: nominal; difficulty: ordinal): Krippendorff's alpha (any number of raters, missing
ratings allowed), Fleiss' kappa (over the items rated by the most common number of raters),
Cohen's kappa for every rater pair sharing enough items (quadratic weights for the ordinal
field), and the observed share of items on which all raters agree.

Confidence intervals are percentile bootstraps over items, seeded (the report is reproducible).
A bootstrap resample is a vector of item weights, so every statistic is computed from weighted
sufficient statistics (coincidence matrix, category table, confusion matrix) for all resamples at
once. A call of the `krippendorff` package takes ~0.3 s with 90 specialty codes, so 1,000
resamples of it would take minutes; the overall figures are checked against `krippendorff`,
statsmodels and scikit-learn on every run (:func:`cross_check`).
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

FIELDS: dict[str, str] = {
    "verdict": "nominal",
    "specialty": "nominal",
    "answer": "nominal",
    "difficulty": "ordinal",
    "discipline": "nominal",
    "competency": "nominal",
}
CHUNK = 100  # resamples computed together (memory: CHUNK × items)


@dataclass(frozen=True)
class Rating:
    """One rater's value of one field for one item."""

    item_id: str
    rater: str
    value: Hashable


@dataclass
class Ratings:
    """One field's ratings as a raters × items matrix of category codes (-1: not rated)."""

    level: str
    raters: list[str]
    items: list[str]
    categories: list[Hashable]
    codes: np.ndarray

    @classmethod
    def build(cls, ratings: Sequence[Rating], level: str) -> Ratings:
        """Items rated by at least two raters (the only ones agreement can speak about)."""
        per_item: dict[str, dict[str, Hashable]] = defaultdict(dict)
        for r in ratings:
            per_item[r.item_id][r.rater] = r.value
        items = sorted(i for i, by in per_item.items() if len(by) >= 2)
        raters = sorted({rater for i in items for rater in per_item[i]})
        categories = sorted({v for i in items for v in per_item[i].values()}, key=_order)
        index = {v: k for k, v in enumerate(categories)}
        row = {r: k for k, r in enumerate(raters)}
        codes = np.full((len(raters), len(items)), -1, dtype=np.int64)
        for col, item in enumerate(items):
            for rater, value in per_item[item].items():
                codes[row[rater], col] = index[value]
        return cls(level, raters, items, categories, codes)

    def subset(self, columns: np.ndarray) -> Ratings:
        return Ratings(
            self.level,
            self.raters,
            [self.items[i] for i in columns],
            self.categories,
            self.codes[:, columns],
        )

    @property
    def n_items(self) -> int:
        return len(self.items)


def _order(value: Hashable) -> tuple:
    return (0, value, "") if isinstance(value, int | float) else (1, 0, str(value))


def _clean(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), 4)


# --------------------------------------------------------------------------- Krippendorff
def _coincidences(r: Ratings) -> sparse.csr_matrix:
    """items × V² matrix: each item's contribution to the coincidence matrix."""
    v = len(r.categories)
    rows, cols, vals = [], [], []
    for col in range(r.n_items):
        present = r.codes[:, col][r.codes[:, col] >= 0]
        m = len(present)
        counts = Counter(present.tolist())
        for c, nc in counts.items():
            for k, nk in counts.items():
                pairs = nc * (nc - 1) if c == k else nc * nk
                if pairs:
                    rows.append(col)
                    cols.append(c * v + k)
                    vals.append(pairs / (m - 1))
    return sparse.csr_matrix((vals, (rows, cols)), shape=(r.n_items, v * v))


def _alpha(o: np.ndarray, v: int, level: str) -> np.ndarray:
    """Krippendorff's alpha of B coincidence matrices (B × V²)."""
    o = o.reshape(-1, v, v)
    n_c = o.sum(axis=2)
    n = n_c.sum(axis=1)
    if level == "nominal":
        delta = 1.0 - np.eye(v)[None, :, :]
    else:  # ordinal: (sum of n_g from c to k, minus half of n_c + n_k) squared
        cum = np.cumsum(n_c, axis=1)
        lo = np.minimum.outer(np.arange(v), np.arange(v))
        hi = np.maximum.outer(np.arange(v), np.arange(v))
        between = cum[:, hi] - cum[:, lo] + n_c[:, lo]
        delta = (between - (n_c[:, :, None] + n_c[:, None, :]) / 2.0) ** 2
    observed = (o * delta).sum(axis=(1, 2))
    expected = (n_c[:, :, None] * n_c[:, None, :] * delta).sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1.0 - (n - 1.0) * observed / expected


# --------------------------------------------------------------------------- Fleiss
def _fleiss_table(r: Ratings) -> tuple[np.ndarray, int]:
    """items × V category counts over the items with the most common number of raters."""
    rated = (r.codes >= 0).sum(axis=0)
    if rated.size == 0:
        return np.zeros((0, len(r.categories))), 0
    m = Counter(rated.tolist()).most_common(1)[0][0]
    columns = np.flatnonzero(rated == m)
    table = np.zeros((len(columns), len(r.categories)))
    for row, col in enumerate(columns):
        for code in r.codes[:, col][r.codes[:, col] >= 0]:
            table[row, code] += 1
    return table, int(m)


def _fleiss(weights: np.ndarray, table: np.ndarray, m: int) -> np.ndarray:
    """Fleiss' kappa for B item-weight vectors (B × items)."""
    agree = ((table**2).sum(axis=1) - m) / (m * (m - 1))
    total = weights.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_bar = weights @ agree / total
        p_j = weights @ table / (total[:, None] * m)
        p_e = (p_j**2).sum(axis=1)
        return (p_bar - p_e) / (1.0 - p_e)


# --------------------------------------------------------------------------- Cohen
def _cohen(weights: np.ndarray, a: np.ndarray, b: np.ndarray, v: int, level: str) -> np.ndarray:
    """Cohen's kappa (quadratic weights when ordinal) for B pair-weight vectors."""
    onehot = sparse.csr_matrix(
        (np.ones(len(a)), (np.arange(len(a)), a * v + b)), shape=(len(a), v * v)
    )
    confusion = np.asarray((sparse.csr_matrix(weights) @ onehot).todense()).reshape(-1, v, v)
    grid = np.arange(v)
    delta = (
        (grid[:, None] - grid[None, :]) ** 2 if level == "ordinal" else 1.0 - np.eye(v)
    ).astype(float)
    total = confusion.sum(axis=(1, 2))
    expected = confusion.sum(axis=2)[:, :, None] * confusion.sum(axis=1)[:, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = expected / total[:, None, None]
        return 1.0 - (confusion * delta).sum(axis=(1, 2)) / (expected * delta).sum(axis=(1, 2))


def _pair_codes(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Re-code a pair's values over the categories they use (as scikit-learn does)."""
    used = np.unique(np.concatenate([a, b]))
    return np.searchsorted(used, a), np.searchsorted(used, b), len(used)


# --------------------------------------------------------------------------- bootstrap
def _resamples(n: int, resamples: int, seed: int) -> list[np.ndarray]:
    """Item-weight matrices (chunks of ≤ CHUNK resamples) of a seeded bootstrap."""
    rng = np.random.default_rng(seed)
    out, left = [], resamples
    while left > 0:
        size = min(CHUNK, left)
        out.append(rng.multinomial(n, np.full(n, 1.0 / n), size=size).astype(float))
        left -= size
    return out


def _interval(values: list[np.ndarray], resamples: int) -> list[float] | None:
    finite = np.concatenate(values) if values else np.array([])
    finite = finite[np.isfinite(finite)]
    if resamples == 0 or len(finite) < resamples // 2:
        return None
    low, high = np.percentile(finite, [2.5, 97.5])
    return [round(float(low), 4), round(float(high), 4)]


def _with_ci(point: float, statistic, n: int, resamples: int, seed: int) -> dict[str, Any]:
    value = _clean(point)
    ci = None
    if value is not None and n >= 2 and resamples > 0:
        ci = _interval([statistic(w) for w in _resamples(n, resamples, seed)], resamples)
    return {"value": value, "ci95": ci}


# --------------------------------------------------------------------------- figures
def krippendorff_alpha(r: Ratings, resamples: int = 0, seed: int = 0) -> dict[str, Any]:
    """Krippendorff's alpha with its bootstrap interval."""
    v = len(r.categories)
    if r.n_items == 0 or v < 2:
        return {"value": None, "ci95": None}
    s = _coincidences(r)
    point = _alpha(np.asarray(s.sum(axis=0)), v, r.level)[0]
    return _with_ci(
        point,
        lambda w: _alpha(np.asarray((sparse.csr_matrix(w) @ s).todense()), v, r.level),
        r.n_items,
        resamples,
        seed,
    )


def fleiss_kappa(r: Ratings, resamples: int = 0, seed: int = 0) -> dict[str, Any]:
    """Fleiss' kappa with its bootstrap interval, raters per item and items used."""
    table, m = _fleiss_table(r)
    out = {"raters_per_item": m, "items": int(table.shape[0])}
    if table.shape[0] < 2 or m < 2 or (table.sum(axis=0) > 0).sum() < 2:
        return {"value": None, "ci95": None, **out}
    point = _fleiss(np.ones((1, table.shape[0])), table, m)[0]
    return {
        **_with_ci(point, lambda w: _fleiss(w, table, m), table.shape[0], resamples, seed),
        **out,
    }


def cohen_kappa(
    a: np.ndarray, b: np.ndarray, level: str, resamples: int = 0, seed: int = 0
) -> dict[str, Any]:
    """Cohen's kappa of paired codes with its bootstrap interval."""
    a, b, v = _pair_codes(np.asarray(a), np.asarray(b))
    if len(a) < 2 or v < 2:
        return {"value": None, "ci95": None}
    point = _cohen(np.ones((1, len(a))), a, b, v, level)[0]
    return _with_ci(point, lambda w: _cohen(w, a, b, v, level), len(a), resamples, seed)


def observed_agreement(r: Ratings) -> float | None:
    """Share of items on which every rater gave the same value."""
    if r.n_items == 0:
        return None
    same = [len(set(col[col >= 0].tolist())) == 1 for col in r.codes.T]
    return _clean(sum(same) / len(same))


def field_agreement(
    r: Ratings, resamples: int, seed: int, min_pair_items: int, pairs: bool = True
) -> dict[str, Any]:
    """Every agreement figure of one field."""
    out: dict[str, Any] = {
        "level": r.level,
        "items": r.n_items,
        "raters": len(r.raters),
        "observed_agreement": observed_agreement(r),
        "krippendorff_alpha": krippendorff_alpha(r, resamples, seed),
        "fleiss_kappa": fleiss_kappa(r, resamples, seed),
    }
    if pairs:
        found = []
        for i, j in itertools.combinations(range(len(r.raters)), 2):
            both = (r.codes[i] >= 0) & (r.codes[j] >= 0)
            if both.sum() < min_pair_items:
                continue
            kappa = cohen_kappa(r.codes[i, both], r.codes[j, both], r.level, resamples, seed)
            found.append(
                {"raters": [r.raters[i], r.raters[j]], "items": int(both.sum()), "kappa": kappa}
            )
        out["cohen_kappa_pairs"] = found
    return out


def per_annotator(r: Ratings, resamples: int, seed: int) -> dict[str, dict[str, Any]]:
    """Each rater against everyone else on shared items: pooled Cohen's kappa, raw agreement."""
    out = {}
    for i, rater in enumerate(r.raters):
        mine, theirs = [], []
        for j in range(len(r.raters)):
            if j == i:
                continue
            both = (r.codes[i] >= 0) & (r.codes[j] >= 0)
            mine.append(r.codes[i, both])
            theirs.append(r.codes[j, both])
        a = np.concatenate(mine) if mine else np.array([], dtype=np.int64)
        b = np.concatenate(theirs) if theirs else np.array([], dtype=np.int64)
        out[rater] = {
            "pairs": len(a),
            "agreement": _clean(float(np.mean(a == b))) if len(a) else None,
            "kappa": cohen_kappa(a, b, r.level, resamples, seed),
        }
    return out


def cross_check(r: Ratings) -> None:
    """Check the fast estimates against krippendorff, statsmodels and scikit-learn."""
    import krippendorff
    from sklearn.metrics import cohen_kappa_score
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

    if r.n_items < 2 or len(r.categories) < 2:
        return
    matrix = np.where(r.codes >= 0, r.codes, np.nan).astype(float)
    ours = krippendorff_alpha(r)["value"]
    theirs = _clean(krippendorff.alpha(reliability_data=matrix, level_of_measurement=r.level))
    _same("Krippendorff's alpha", ours, theirs)
    table, m = _fleiss_table(r)
    if table.shape[0] >= 2 and m >= 2 and (table.sum(axis=0) > 0).sum() >= 2:
        _same("Fleiss' kappa", fleiss_kappa(r)["value"], _clean(sm_fleiss(table)))
    both = (r.codes[0] >= 0) & (r.codes[1] >= 0) if len(r.raters) > 1 else None
    if both is not None and both.sum() >= 2:
        a, b = r.codes[0, both], r.codes[1, both]
        if len(set(a.tolist()) | set(b.tolist())) >= 2:
            weights = "quadratic" if r.level == "ordinal" else None
            _same(
                "Cohen's kappa",
                cohen_kappa(a, b, r.level)["value"],
                _clean(cohen_kappa_score(a, b, weights=weights)),
            )


def _same(name: str, ours: float | None, theirs: float | None) -> None:
    if ours is None or theirs is None:
        return
    if abs(ours - theirs) > 2e-4:
        raise AssertionError(f"{name}: fast estimate {ours} != reference {theirs}")


def agreement_report(
    ratings: dict[str, list[Rating]],
    specialty_of: dict[str, str | None],
    resamples: int,
    seed: int,
    min_pair_items: int,
) -> dict[str, Any]:
    """The whole agreement report: overall, per specialty, per annotator."""
    report: dict[str, Any] = {"fields": {}, "by_specialty": {}, "by_annotator": {}}
    for name, level in FIELDS.items():
        r = Ratings.build(ratings.get(name, []), level)
        cross_check(r)
        report["fields"][name] = field_agreement(r, resamples, seed, min_pair_items)
        for rater, figures in per_annotator(r, resamples, seed).items():
            report["by_annotator"].setdefault(rater, {})[name] = figures
        groups: dict[str, list[int]] = defaultdict(list)
        for col, item in enumerate(r.items):
            groups[specialty_of.get(item) or "untagged"].append(col)
        for code, columns in sorted(groups.items()):
            if len(columns) < min_pair_items:
                continue
            sub = r.subset(np.array(columns))
            report["by_specialty"].setdefault(code, {})[name] = {
                "items": sub.n_items,
                "observed_agreement": observed_agreement(sub),
                "krippendorff_alpha": krippendorff_alpha(sub, resamples, seed),
            }
    return report
