"""The card's item statistics from physicians' grades of model answers, and ``item_stats.csv``.

``curate grade merge`` writes ``data/grading/item_stats.parquet`` (one row per graded id, see
:mod:`curation.grading.item_stats`); a release keeps the rows of its own items and task instances
(public ids are stable across releases), summarizes them per config and split in its card, warns
of saturated test splits and ships the per-item figures as ``item_stats.csv``.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from curation.errors import CurationError
from curation.grading.contract import ITEM_STATS_SCHEMA
from curation.grading.item_stats import (
    GROUP_PERCENT,
    LEVEL_FLOORS,
    LEVELS,
    saturated_tests,
)

ITEM_STATS = Path("data") / "grading" / "item_stats.parquet"  # relative to the project root
ITEM_STATS_CSV = "item_stats.csv"  # at the release root
CSV_COLUMNS = (
    "config",
    "split",
    "id",
    "answers",
    "correct",
    "share_correct",
    "difficulty",
    "discrimination",
)
SPLIT_ORDER = ("train", "dev", "test")
DIGITS = 4  # of the figures in item_stats.csv; the card shows 3


def read_item_stats(path: Path) -> pl.DataFrame:
    """data/grading/item_stats.parquet with the columns of ITEM_STATS_SCHEMA."""
    try:
        return pl.read_parquet(path, columns=list(ITEM_STATS_SCHEMA)).cast(dict(ITEM_STATS_SCHEMA))
    except (OSError, pl.exceptions.PolarsError) as error:
        raise CurationError(
            f"{path} is not an item statistics file: {error}",
            hint="Run `curate grade merge` again (it writes the file), or remove it.",
        ) from error


def released_stats(
    stats: pl.DataFrame, released: pl.DataFrame, version_key: Callable[[str], Any]
) -> pl.DataFrame | None:
    """The statistics of the released ids (`released`: id, config, split of this release's
    items and instances), of the newest graded release among them; config and split are this
    release's. None when no released id was graded."""
    rows = stats.drop("config", "split").join(
        released.select("id", "config", "split"), on="id", how="inner"
    )
    if rows.is_empty():
        return None
    newest = max(rows["version"].unique().to_list(), key=version_key)
    return (
        rows.filter(pl.col("version") == newest)
        .select(list(ITEM_STATS_SCHEMA))
        .sort("config", "split", "id")
    )


def _fixed(value: float | None, digits: int) -> str:
    """A figure with fixed decimals ('' for none; never '-0.000')."""
    if value is None:
        return ""
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def item_stats_csv(stats: pl.DataFrame) -> str:
    """item_stats.csv: one row per graded id, sorted by config, split, id; fixed decimals."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in stats.sort("config", "split", "id").iter_rows(named=True):
        writer.writerow(
            [
                row["config"],
                row["split"],
                row["id"],
                row["answers"],
                row["correct"],
                _fixed(row["share_correct"], DIGITS),
                row["difficulty"],
                _fixed(row["discrimination"], DIGITS),
            ]
        )
    return buffer.getvalue()


def write_item_stats_csv(stats: pl.DataFrame, path: Path) -> None:
    path.write_text(item_stats_csv(stats), encoding="utf-8", newline="")


def _mean(values: list[float]) -> float | None:
    return math.fsum(sorted(values)) / len(values) if values else None


def summary_rows(stats: pl.DataFrame) -> list[dict[str, Any]]:
    """Per config and split (splits in train, dev, test order): items graded, mean share correct,
    items per difficulty level, items with a discrimination index and its mean."""
    out = []
    groups = {key: group for key, group in stats.group_by("config", "split")}
    order = {s: k for k, s in enumerate(SPLIT_ORDER)}
    for config, split in sorted(groups, key=lambda k: (k[0], order.get(k[1], len(order)), k[1])):
        group = groups[(config, split)]
        levels = group["difficulty"].to_list()
        indices = group["discrimination"].drop_nulls().to_list()
        out.append(
            {
                "config": config,
                "split": split,
                "items": group.height,
                "share_correct": _mean(group["share_correct"].to_list()),
                "levels": {level: levels.count(level) for level in LEVELS},
                "indexed": len(indices),
                "discrimination": _mean(indices),
            }
        )
    return out


def item_stats_section(stats: pl.DataFrame | None) -> list[str]:
    """The card's section "Item statistics (graded answers)" (nothing without statistics)."""
    if stats is None or stats.is_empty():
        return []
    versions = sorted(stats["version"].unique().to_list())
    answers = stats["answers"]
    runs = (
        f"{answers.max()} model run{'s' if answers.max() != 1 else ''}"
        if answers.min() == answers.max()
        else f"between {answers.min()} and {answers.max()} model runs"
    )
    lines = [
        "## Item statistics (graded answers)",
        "",
        f"Physicians graded model answers to release {', '.join(versions)}: {stats.height} "
        f"items and task instances of this release were graded, each answered by {runs} "
        "(final grades only: consensus or adjudicated; disputed and pending grades are left "
        "out). Ids are stable across releases; an item edited since then (see CHANGELOG.md) "
        "keeps the figures of the text that was graded. The figures of each graded id are in "
        f"`{ITEM_STATS_CSV}` ({', '.join(CSV_COLUMNS)}).",
        "",
        "| config | split | items graded | mean share correct | "
        + " | ".join(f"level {level}" for level in LEVELS)
        + " | items with D | mean D |",
        "|---|---|" + "---:|" * (4 + len(LEVELS)),
    ]
    for row in summary_rows(stats):
        lines.append(
            f"| {row['config']} | {row['split']} | {row['items']} | "
            f"{_fixed(row['share_correct'], 3)} | "
            + " | ".join(str(row["levels"][level]) for level in LEVELS)
            + f" | {row['indexed']} | {_fixed(row['discrimination'], 3) or 'n/a'} |"
        )
    lines.append("")
    for config in saturated_tests(stats):
        n = stats.filter((pl.col("config") == config) & (pl.col("split") == "test")).height
        lines += [
            f"> **Warning: the test split of `{config}` is saturated.** Every graded model run "
            f"answered each of its {n} graded test items correctly: it no longer tells these "
            "models apart.",
            "",
        ]
    bands = "; ".join(
        [f"{level}: ≥ {LEVEL_FLOORS[level]:.1f}" for level in LEVELS[:-1]]
        + [f"{LEVELS[-1]}: below {LEVEL_FLOORS[LEVELS[-2]]:.1f}"]
    )
    lines += [
        "How the figures are computed:",
        "",
        "* **Share correct**: the share of an item's graded answers whose verdict is correct "
        "(partially correct counts as not correct).",
        "* **Difficulty level** (1 easiest … 5 hardest): the share correct in fixed fifths "
        f"({bands}), a share on a boundary going to the easier level. CMExam (Liu et al., 2023) "
        "bins the human correct rate of its questions into five equal-width levels; fixed "
        "fifths of 0–1 keep an item's level independent of the other items. Measured on "
        "models, it is not the physicians' `difficulty` rating of the data files.",
        "* **Discrimination D** (upper–lower index, −1 … 1): each model run's total is its share "
        "correct over all the items it was graded on; the runs are ordered by total (ties by "
        f"model, then run name), the top {GROUP_PERCENT}% form the upper group and the bottom "
        f"{GROUP_PERCENT}% the lower group (at least one run each, never overlapping). D is the "
        "upper group's share correct on the item minus the lower group's, over the runs that "
        "answered it; none when a group has no answer to the item or fewer than two runs were "
        "graded. D near 0 means the item does not separate stronger from weaker models; "
        "a negative D, that the weaker ones answer it more often.",
        "",
    ]
    return lines
