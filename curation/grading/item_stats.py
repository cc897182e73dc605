"""Item statistics from physicians' grades of model answers: share correct, difficulty level,
discrimination, and the configs whose test split is saturated.

Only ``final`` grades count (disputed and pending ones are left out); an answer counts as correct
when its consensus verdict is ``correct`` (``partially_correct`` does not). Figures are computed
per graded release (``version``); an *examinee* is one model run, a ``(model, run)`` pair.

Difficulty level: CMExam (Liu et al., 2023, arXiv:2306.03030) bins each question's historical
correct rate of human examinees into five levels, easy … extremely difficult; its statistics
notebook (github.com/williamliujl/CMExam, ``src/preprocess/data stats.ipynb``) does so with
``pd.cut(correct_rate, bins=5)``: five equal-width bins over the *observed* range of the rate
(right-closed), not rank quintiles and not fixed bands. Here the correct rate is the share of
model runs graded correct, and the bins are fixed fifths of the whole range 0–1 (what CMExam's
bins are when the observed rates span 0–1), so that an item's level does not depend on the other
items: 1 (easiest) share ≥ 0.8, 2 ≥ 0.6, 3 ≥ 0.4, 4 ≥ 0.2, 5 (hardest) < 0.2. A share on a
boundary goes to the easier level (computed in integers, so 4/5 is exactly level 1), where
CMExam's right-closed bins would put it in the harder one.

Discrimination: the classical upper–lower index (Kelley's 27% groups). Each examinee's total is
its share correct over every id it has a final grade for; examinees are ordered by total, highest
first, ties broken by model then run name; the upper group is the first 27% (rounded half up, at
least 1), the lower group the last as many, never overlapping (two examinees: one each; one
examinee: no index). An id's index is the share correct of the upper group's members who answered
it minus that of the lower group's; null when either group has no final grade for it. It runs
from -1 to 1: high when the stronger models answer the item and the weaker ones miss it.
"""

from __future__ import annotations

import polars as pl

from curation.grading.contract import GRADES_SCHEMA, ITEM_STATS_SCHEMA, GradeStatus, Verdict

LEVELS = (1, 2, 3, 4, 5)
#: Lower bound of the share correct of levels 1-4 (level 5: below 0.2), as the card states them.
LEVEL_FLOORS = {1: 0.8, 2: 0.6, 3: 0.4, 4: 0.2, 5: 0.0}
GROUP_PERCENT = 27
_KEYS = ("version", "id", "kind", "config", "split")


def difficulty_level(correct: int, answers: int) -> int:
    """1 (share correct ≥ 0.8) … 5 (< 0.2): fixed fifths of the share, boundaries to the easier
    level, in integers."""
    if answers <= 0:
        raise ValueError("a difficulty level needs at least one answer")
    return 5 - min(5 * correct // answers, 4)


def group_size(examinees: int) -> int:
    """Members of the upper (and of the lower) group: 27% of the examinees rounded half up, at
    least 1 and at most half of them (0 with fewer than two examinees)."""
    if examinees < 2:
        return 0
    return min(max(1, (GROUP_PERCENT * examinees + 50) // 100), examinees // 2)


def _groups(final: pl.DataFrame) -> pl.DataFrame:
    """(version, model, run, group) of the examinees in the upper or lower group."""
    rows = []
    totals = (
        final.group_by("version", "model", "run")
        .agg(pl.col("is_correct").sum().alias("right"), pl.len().alias("graded"))
        .with_columns(total=pl.col("right") / pl.col("graded"))  # one division: ties stay equal
    )
    for (version,), examinees in sorted(totals.group_by("version"), key=lambda g: g[0]):
        ordered = examinees.sort(["total", "model", "run"], descending=[True, False, False]).select(
            "model", "run"
        )
        k = group_size(ordered.height)
        if not k:
            continue
        rows += [(version, m, r, "upper") for m, r in ordered.head(k).iter_rows()]
        rows += [(version, m, r, "lower") for m, r in ordered.tail(k).iter_rows()]
    return pl.DataFrame(
        rows,
        schema={"version": pl.String, "model": pl.String, "run": pl.String, "group": pl.String},
        orient="row",
    )


def item_statistics(grades: pl.DataFrame) -> pl.DataFrame:
    """Per graded id (and release) over the final grades: answers, correct, share correct,
    difficulty level and discrimination (ITEM_STATS_SCHEMA, sorted by config, id, version)."""
    final = (
        grades.select(pl.col(*_KEYS, "model", "run", "status", "verdict"))
        .cast({k: GRADES_SCHEMA[k] for k in (*_KEYS, "model", "run", "status", "verdict")})
        .filter(pl.col("status") == GradeStatus.FINAL.value)
        .with_columns(is_correct=(pl.col("verdict") == Verdict.CORRECT.value).fill_null(False))
    )
    if final.is_empty():
        return pl.DataFrame(schema=ITEM_STATS_SCHEMA)
    counts = final.group_by(_KEYS).agg(
        pl.len().alias("answers"), pl.col("is_correct").sum().cast(pl.Int64).alias("correct")
    )
    by_group = (
        final.join(_groups(final), on=["version", "model", "run"], how="inner")
        .group_by("version", "id", "group")
        .agg(pl.col("is_correct").mean().alias("share"))
        .pivot(on="group", index=["version", "id"], values="share")
    )
    for group in ("upper", "lower"):
        if group not in by_group.columns:
            by_group = by_group.with_columns(pl.lit(None, pl.Float64).alias(group))
    by_group = by_group.select("version", "id", discrimination=pl.col("upper") - pl.col("lower"))
    stats = (
        counts.join(by_group, on=["version", "id"], how="left")
        .with_columns(
            share_correct=pl.col("correct") / pl.col("answers"),
            difficulty=(5 - pl.min_horizontal(5 * pl.col("correct") // pl.col("answers"), 4)),
        )
        .select(list(ITEM_STATS_SCHEMA))
        .cast(dict(ITEM_STATS_SCHEMA))
    )
    return stats.sort("config", "id", "version")


def saturated_tests(stats: pl.DataFrame) -> list[str]:
    """Configs whose test split has at least one graded id and every graded test id was answered
    correctly by every examinee that answered it (share correct 1): saturated, sorted."""
    test = stats.filter(pl.col("split") == "test")
    if test.is_empty():
        return []
    full = test.group_by("config").agg((pl.col("correct") == pl.col("answers")).all().alias("all"))
    return sorted(full.filter(pl.col("all"))["config"].to_list())
