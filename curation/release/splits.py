"""Frozen train/dev/test splits: `curate split` (DVC stage `split`).

An item's split is a pure function of its duplicate cluster and a fixed salt: the hash of
``salt␟cluster_id`` placed on [0, 1) against the cumulative ratios. Near-duplicates (one cluster)
therefore share a split, and adding or re-running data never moves an item. Two pins override the
hash: an item already in a published release keeps that release's split (so changing the ratios
later moves nothing), and a cluster that was in a prior release's test set stays in test. Sources
listed in ``test_only_sources`` (evaluation benchmarks such as CMExam's) go to test entirely.

Only items with a final accepting review are eligible. Stratification is checked, not forced
(forcing it would move items when data is added): the report gives the realized share of every
split per specialty × kind × language stratum and lists the strata off target: further from a
ratio than ``tolerance`` *and* than chance allows for a hash split of that size (99% binomial
band, 2.58·sqrt(r(1-r)/n)); small strata always wobble by more than a fixed tolerance.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, model_validator

from curation.identity import public_id
from curation.sources.spec import SourceNames

SPLITS = ("train", "dev", "test")
ACCEPTED = ("accept", "accept_with_edits")


class SplitConfig(BaseModel):
    """params.yaml `split`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ratios: dict[str, float] = Field(
        default_factory=lambda: {"train": 0.8, "dev": 0.1, "test": 0.1}
    )
    salt: str = Field("medcurate-split-v1", min_length=1, description="Never change it.")
    test_only_sources: SourceNames = Field(default_factory=list)
    tolerance: float = Field(0.05, gt=0, lt=1)
    min_stratum: int = Field(20, ge=1, description="Smaller strata are reported, not judged.")

    @model_validator(mode="after")
    def _ratios(self) -> SplitConfig:
        unknown = set(self.ratios) - set(SPLITS)
        if unknown:
            raise ValueError(f"unknown split(s) {sorted(unknown)}; use {', '.join(SPLITS)}")
        if abs(sum(self.ratios.values()) - 1.0) > 1e-9 or min(self.ratios.values()) < 0:
            raise ValueError("split ratios must be ≥ 0 and sum to 1")
        return self


def hash_unit(salt: str, key: str) -> float:
    """A stable number in [0, 1) for a key."""
    digest = hashlib.sha256(f"{salt}\x1f{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def hashed_split(config: SplitConfig, cluster: str) -> str:
    """The split the hash gives a cluster."""
    u, edge = hash_unit(config.salt, cluster), 0.0
    for name in SPLITS:
        edge += config.ratios.get(name, 0.0)
        if u < edge:
            return name
    return "train"


def eligible(reviewed: pl.DataFrame) -> pl.Series:
    """Items with a final, accepting physician decision."""
    review = pl.col("review")
    return (
        reviewed.select(
            (review.struct.field("status") == "final")
            & review.struct.field("decision").is_in(list(ACCEPTED))
        )
        .to_series()
        .fill_null(False)
    )


def cluster_key(row: dict[str, Any]) -> str:
    return row.get("cluster_id") or row["item_id"]


def assign(
    items: pl.DataFrame,
    config: SplitConfig,
    pinned_items: dict[str, str] | None = None,
    test_clusters: set[str] | None = None,
) -> tuple[pl.DataFrame, dict[str, int]]:
    """Items with a `split` column, and how many splits came from each rule."""
    pinned_items, test_clusters = pinned_items or {}, test_clusters or set()
    splits, why = [], defaultdict(int)
    for row in items.select("item_id", "cluster_id", "source").iter_rows(named=True):
        cluster = cluster_key(row)
        if row["item_id"] in pinned_items:
            splits.append(pinned_items[row["item_id"]])
            why["pinned_by_release"] += 1
        elif cluster in test_clusters:
            splits.append("test")
            why["cluster_in_released_test"] += 1
        elif row["source"] in config.test_only_sources:
            splits.append("test")
            why["test_only_source"] += 1
        else:
            splits.append(hashed_split(config, cluster))
            why["hash"] += 1
    return items.with_columns(split=pl.Series(splits, dtype=pl.String)), dict(why)


def stratum_shares(split: pl.DataFrame, config: SplitConfig) -> list[dict[str, Any]]:
    """Realized split shares per specialty × kind × language, flagged when off target."""
    frame = split.select(
        specialty=pl.col("tags").struct.field("specialty_code").fill_null("untagged"),
        kind=pl.col("kind"),
        language=pl.col("language"),
        split=pl.col("split"),
        test_only=pl.col("source").is_in(config.test_only_sources),
    ).filter(~pl.col("test_only"))
    counts = frame.group_by("specialty", "kind", "language", "split").len()
    strata = []
    for (spec, kind, lang), group in sorted(
        counts.group_by("specialty", "kind", "language"), key=lambda g: g[0]
    ):
        total = int(group["len"].sum())
        shares = {s: 0.0 for s in SPLITS if config.ratios.get(s)}
        for name, n in zip(group["split"], group["len"], strict=True):
            shares[name] = round(n / total, 4)
        off = {
            s: round(shares.get(s, 0.0) - r, 4)
            for s, r in config.ratios.items()
            if abs(shares.get(s, 0.0) - r) > max(config.tolerance, chance_band(r, total))
        }
        strata.append(
            {
                "specialty": spec,
                "kind": kind,
                "language": lang,
                "items": total,
                "shares": shares,
                "judged": total >= config.min_stratum,
                "off_target": off if total >= config.min_stratum else {},
            }
        )
    return strata


def chance_band(ratio: float, n: int) -> float:
    """How far a hash split of n items may stray from a ratio by chance (99% binomial band)."""
    return 2.58 * math.sqrt(ratio * (1 - ratio) / n) if n else 1.0


def internal_assignments(
    pinned: dict[str, str], test_clusters: set[str], items: pl.DataFrame, salt: bytes
) -> tuple[dict[str, str], set[str]]:
    """Released assignments keyed by the items' internal ids: a release names items by their
    public ids (``identity.public_id``); one made before public ids named them by the internal
    id itself, which passes through unchanged, so an existing project keeps its splits."""
    internal = {
        public_id(salt, value): value
        for column in ("item_id", "cluster_id")
        if column in items.columns
        for value in items[column].drop_nulls().unique().to_list()
    }
    return (
        {internal.get(k, k): split for k, split in pinned.items()},
        {internal.get(c, c) for c in test_clusters},
    )


def released_assignments(releases: Path) -> tuple[dict[str, str], set[str]]:
    """(released item id → split, released cluster ids in any test set) over every published
    release; :func:`internal_assignments` maps them onto the project's items."""
    pinned: dict[str, str] = {}
    test_clusters: set[str] = set()
    for path in sorted(releases.glob("*/data/*/*.parquet")):
        frame = pl.read_parquet(path, columns=["item_id", "cluster_id", "split"])
        for item, cluster, split in frame.iter_rows():
            pinned.setdefault(item, split)
            if split == "test":
                test_clusters.add(cluster or item)
    return pinned, test_clusters
