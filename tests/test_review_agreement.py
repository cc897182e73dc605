"""Agreement figures: hand-computed values, and the reference libraries on random data."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

from curation.review.agreement import (
    Rating,
    Ratings,
    agreement_report,
    cohen_kappa,
    field_agreement,
    krippendorff_alpha,
    observed_agreement,
)

# Two raters, six items: they disagree on item 3 only.
A = ["accept", "accept", "accept", "reject", "accept", "accept"]
B = ["accept", "accept", "reject", "reject", "accept", "accept"]


def two_raters() -> list[Rating]:
    return [Rating(f"i{k}", "a", v) for k, v in enumerate(A)] + [
        Rating(f"i{k}", "b", v) for k, v in enumerate(B)
    ]


def test_hand_computed_values() -> None:
    r = Ratings.build(two_raters(), "nominal")
    figures = field_agreement(r, resamples=0, seed=0, min_pair_items=2)
    # Cohen: p_o = 5/6; p_e = 5/6·4/6 + 1/6·2/6 = 22/36; kappa = (30-22)/(36-22) = 8/14
    assert figures["cohen_kappa_pairs"][0]["kappa"]["value"] == pytest.approx(8 / 14, abs=1e-4)
    # Krippendorff: coincidences acc-acc 8, acc-rej 1+1, rej-rej 2; n_acc 9, n_rej 3, n 12;
    # alpha = 1 - (n-1)·2 / (n² - 9² - 3²) = 1 - 22/54
    assert figures["krippendorff_alpha"]["value"] == pytest.approx(1 - 22 / 54, abs=1e-4)
    # Fleiss: P̄ = 5/6; p = (9/12, 3/12); P̄e = 0.625; kappa = (5/6 - 0.625) / 0.375 = 5/9
    assert figures["fleiss_kappa"]["value"] == pytest.approx(5 / 9, abs=1e-4)
    assert figures["observed_agreement"] == pytest.approx(5 / 6, abs=1e-4)


def random_ratings(seed: int, raters: int, items: int, categories: int, missing: float):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, categories, items)
    matrix = np.where(
        rng.random((raters, items)) < 0.7, truth, rng.integers(0, categories, (raters, items))
    ).astype(float)
    matrix[rng.random((raters, items)) < missing] = np.nan
    ratings = [
        Rating(f"i{j}", f"r{i}", int(matrix[i, j]) + 1)
        for i in range(raters)
        for j in range(items)
        if not np.isnan(matrix[i, j])
    ]
    return matrix, ratings


@pytest.mark.parametrize("level", ["nominal", "ordinal"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_alpha_equals_the_krippendorff_package(level: str, seed: int) -> None:
    matrix, ratings = random_ratings(seed, raters=4, items=60, categories=5, missing=0.3)
    r = Ratings.build(ratings, level)
    rated = (~np.isnan(matrix)).sum(axis=0) >= 2  # items agreement can speak about
    expected = krippendorff.alpha(reliability_data=matrix[:, rated] + 1, level_of_measurement=level)
    assert krippendorff_alpha(r)["value"] == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("seed", [4, 5])
def test_fleiss_and_cohen_equal_statsmodels_and_sklearn(seed: int) -> None:
    matrix, ratings = random_ratings(seed, raters=3, items=80, categories=4, missing=0.0)
    r = Ratings.build(ratings, "nominal")
    table, _ = aggregate_raters(matrix.T.astype(int))
    figures = field_agreement(r, resamples=0, seed=0, min_pair_items=2)
    assert figures["fleiss_kappa"]["value"] == pytest.approx(fleiss_kappa(table), abs=1e-4)
    first = figures["cohen_kappa_pairs"][0]
    assert first["raters"] == ["r0", "r1"]
    assert first["kappa"]["value"] == pytest.approx(
        cohen_kappa_score(matrix[0], matrix[1]), abs=1e-4
    )
    quadratic = cohen_kappa(matrix[0].astype(int), matrix[1].astype(int), "ordinal")
    assert quadratic["value"] == pytest.approx(
        cohen_kappa_score(matrix[0], matrix[1], weights="quadratic"), abs=1e-4
    )


def test_bootstrap_interval_is_seeded_and_brackets_the_estimate() -> None:
    _, ratings = random_ratings(7, raters=3, items=150, categories=3, missing=0.2)
    r = Ratings.build(ratings, "nominal")
    one = krippendorff_alpha(r, resamples=300, seed=11)
    two = krippendorff_alpha(r, resamples=300, seed=11)
    other = krippendorff_alpha(r, resamples=300, seed=12)
    assert one == two and one["ci95"] != other["ci95"]
    low, high = one["ci95"]
    assert low < one["value"] < high and high - low < 0.3


def test_undefined_figures_are_null_not_nan() -> None:
    same = [Rating(f"i{k}", rater, "accept") for k in range(5) for rater in ("a", "b")]
    r = Ratings.build(same, "nominal")
    figures = field_agreement(r, resamples=50, seed=0, min_pair_items=2)
    assert figures["krippendorff_alpha"]["value"] is None
    assert figures["cohen_kappa_pairs"][0]["kappa"]["value"] is None
    assert observed_agreement(r) == 1.0


def test_report_breaks_down_by_specialty_and_annotator() -> None:
    ratings = {"verdict": two_raters()}
    specialty_of = {f"i{k}": ("03.04" if k < 3 else "03.01") for k in range(6)}
    report = agreement_report(ratings, specialty_of, resamples=0, seed=0, min_pair_items=3)
    assert set(report["by_specialty"]) == {"03.01", "03.04"}
    assert report["by_specialty"]["03.01"]["verdict"]["observed_agreement"] == 1.0
    assert report["by_specialty"]["03.04"]["verdict"]["observed_agreement"] == pytest.approx(
        2 / 3, abs=1e-4
    )
    a = report["by_annotator"]["a"]["verdict"]
    assert a["pairs"] == 6 and a["agreement"] == pytest.approx(5 / 6, abs=1e-4)
    assert a["kappa"]["value"] == pytest.approx(8 / 14, abs=1e-4)
