"""Dedup: exact and near-duplicate items, within and across sources, clustered.

Pure: ``dedup(items, config) -> DedupResult``; reading and writing is ``curate dedup``'s job.
The input is every source's items concatenated. Each item is compared on
:func:`curation.dedup.text.dedup_text` (question, options sorted, context, answer;
normalized). Items with the same normalized text are exact duplicates; other pairs are LSH
candidates confirmed by the exact Jaccard of their character shingles: ``jaccard_threshold``
in general; two MCQs must share their correct option text, and two such Chinese (CJK) MCQs
need only ``cjk_mcq_jaccard_threshold``. Clusters are the transitive closure of both
(:func:`curation.dedup.minhash.cluster_records`).

Outputs: ``kept`` holds one representative per cluster with ``cluster_id`` set (item schema,
sorted by source then item_id); ``merged`` holds every other member with its cluster, the
representative it duplicates, how it matched (``exact`` | ``near``) and its Jaccard with
the representative (1.0 for exact; for a member joined through a chain it may be lower than
the threshold). Nothing is lost: kept + merged = rows in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, model_validator

from curation.dedup.minhash import cluster_records
from curation.dedup.text import records_from_frame
from curation.sources.spec import SourceNames
from curation.stages.base import ITEM_SCHEMA

STAGE = "dedup"
MERGED_SCHEMA = pl.Schema(
    {
        "item_id": pl.String,
        "source": pl.String,
        "cluster_id": pl.String,
        "duplicate_of": pl.String,
        "match": pl.String,
        "jaccard": pl.Float64,
    }
)
_ASSIGNMENT_SCHEMA = pl.Schema(
    {
        "item_id": pl.String,
        "_cluster_id": pl.String,
        "duplicate_of": pl.String,
        "match": pl.String,
        "jaccard": pl.Float64,
    }
)


class DedupConfig(BaseModel):
    """Parameters of the dedup stage (params.yaml, section `dedup`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    shingle_size: int = Field(
        default=5, ge=1, le=32, description="Characters per shingle in Latin-script fields."
    )
    cjk_shingle_size: int = Field(
        default=3,
        ge=1,
        le=32,
        description=(
            "Characters per shingle in CJK fields (a third or more CJK): a CJK character "
            "carries about a word, and short exam stems need short shingles to survive a typo."
        ),
    )
    num_perm: int = Field(
        default=128, ge=16, le=1024, description="MinHash permutations (signature length)."
    )
    lsh_threshold: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Estimated Jaccard at which LSH proposes a candidate pair (recall knob).",
    )
    jaccard_threshold: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description="Exact shingle Jaccard a candidate pair needs to be merged (precision knob).",
    )
    cjk_mcq_jaccard_threshold: float = Field(
        default=0.6,
        gt=0,
        le=1,
        description=(
            "Exact Jaccard two CJK MCQs need when their correct option texts agree (the "
            "answer confirms the match; only with answer_must_agree)."
        ),
    )
    answer_must_agree: bool = Field(
        default=True,
        description=(
            "Near-duplicate MCQs must agree on their correct option texts: items sharing an "
            "option list but keyed to different options are different questions."
        ),
    )
    source_priority: SourceNames = Field(
        default_factory=list,
        description=(
            "Sources in order of preference for a cluster's representative; unlisted sources "
            "rank last. Ties: lowest item_id."
        ),
    )

    @model_validator(mode="after")
    def _consistent(self) -> DedupConfig:
        if self.answer_must_agree and self.cjk_mcq_jaccard_threshold > self.jaccard_threshold:
            raise ValueError("cjk_mcq_jaccard_threshold must not exceed jaccard_threshold")
        lowest = (
            self.cjk_mcq_jaccard_threshold if self.answer_must_agree else self.jaccard_threshold
        )
        if self.lsh_threshold > lowest:
            raise ValueError(
                "lsh_threshold must not exceed the lowest merge threshold: LSH would miss "
                "pairs the Jaccard check would accept"
            )
        if len(set(self.source_priority)) != len(self.source_priority):
            raise ValueError("source_priority lists a source twice")
        return self


@dataclass
class DedupResult:
    """Lazy outputs of the dedup stage: representatives kept, duplicates merged."""

    kept: pl.LazyFrame
    merged: pl.LazyFrame


def assignments(items: pl.LazyFrame, config: DedupConfig) -> pl.DataFrame:
    """Cluster assignment of every item: item_id, _cluster_id, duplicate_of, match, jaccard."""
    records = records_from_frame(items)
    rows: list[dict[str, Any]] = [
        {
            "item_id": a.item_id,
            "_cluster_id": a.cluster_id,
            "duplicate_of": a.representative,
            "match": a.match,
            "jaccard": a.jaccard,
        }
        for a in cluster_records(records, config, config.source_priority)
    ]
    return pl.DataFrame(rows, schema=_ASSIGNMENT_SCHEMA)


def dedup(items: pl.LazyFrame, config: DedupConfig) -> DedupResult:
    """Cluster items (all sources together) and split them into representatives and the rest."""
    assigned = items.join(assignments(items, config).lazy(), on="item_id", how="left")
    is_rep = pl.col("match") == "representative"
    kept = (
        assigned.filter(is_rep)
        .with_columns(cluster_id=pl.col("_cluster_id"))
        .select([pl.col(n).cast(t) for n, t in ITEM_SCHEMA.items()])
        .sort("source", "item_id")
    )
    merged = (
        assigned.filter(~is_rep)
        .select(
            "item_id",
            "source",
            pl.col("_cluster_id").alias("cluster_id"),
            "duplicate_of",
            "match",
            "jaccard",
        )
        .cast(dict(MERGED_SCHEMA))
        .sort("source", "item_id")
    )
    return DedupResult(kept=kept, merged=merged)


def dedup_details(kept: pl.DataFrame, merged: pl.DataFrame, config: DedupConfig) -> dict[str, Any]:
    """Report details (counts only): clusters, pairs by match, per source, cross-source."""
    lowest = min(config.jaccard_threshold, config.cjk_mcq_jaccard_threshold)
    rep_source = kept.select(duplicate_of="item_id", _rep_source="source")
    joined = merged.join(rep_source, on="duplicate_of", how="left")
    sizes = merged.group_by("cluster_id").len()
    kept_by = dict(kept.group_by("source").len().rows())
    merged_by = dict(merged.group_by("source").len().rows())
    return {
        "clusters": kept.height,
        "clusters_with_duplicates": sizes.height,
        "largest_cluster": int(sizes["len"].max() or 0) + 1
        if sizes.height
        else min(kept.height, 1),
        "exact_pairs": merged.filter(pl.col("match") == "exact").height,
        "near_pairs": merged.filter(pl.col("match") == "near").height,
        "near_via_chain": merged.filter(
            (pl.col("match") == "near") & (pl.col("jaccard") < lowest)
        ).height,
        "cross_source_merged": joined.filter(pl.col("source") != pl.col("_rep_source")).height,
        "by_source": {
            src: {
                "in": kept_by.get(src, 0) + merged_by.get(src, 0),
                "kept": kept_by.get(src, 0),
                "merged": merged_by.get(src, 0),
            }
            for src in sorted(set(kept_by) | set(merged_by))
        },
    }
