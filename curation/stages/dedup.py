"""Dedup: exact and near-duplicate items, within and across sources, clustered.

Pure: ``dedup(items, config) -> DedupResult``; reading and writing is ``curate dedup``'s job.
The input is every source's items concatenated. Each item is compared on
:func:`curation.dedup.text.dedup_text` (question, options sorted, context, answer;
normalized). Items with the same normalized text are exact duplicates; other pairs are LSH
candidates confirmed by the exact Jaccard of their character shingles: ``jaccard_threshold``
in general; two MCQs must share their correct option text, and two such Chinese (CJK) MCQs
need only ``cjk_mcq_jaccard_threshold``. Clusters are the transitive closure of both
(:func:`curation.dedup.minhash.cluster_facts`).

Outputs: ``kept`` holds one representative per cluster with ``cluster_id`` set (item schema,
sorted by source then item_id); ``merged`` holds every other member with its cluster, the
representative it duplicates, how it matched (``exact`` | ``near``) and its Jaccard with
the representative (1.0 for exact; for a member joined through a chain it may be lower than
the threshold). Nothing is lost: kept + merged = rows in.

Memory: :func:`assignments` streams the items in batches and keeps per item only what
clustering needs (no text); :func:`representatives` and :func:`duplicates` are lazy joins of
the items with that assignment, unsorted, so that a caller can sort and write them a part at a
time (``curate dedup`` does); :func:`dedup` sorts them, for frames that fit in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, model_validator

from curation.dedup.facts import Frames, ItemReader, facts_from_reader, reader_texts
from curation.dedup.minhash import cluster_facts
from curation.sources.spec import SourceNames
from curation.stages.base import ITEM_SCHEMA

STAGE = "dedup"
OUTPUT_ORDER = ("source", "item_id")  # the order of both outputs
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
    signature_margin: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description=(
            "LSH pairs whose MinHash estimate of Jaccard is more than this below the Jaccard "
            "they need are dropped before their texts are read (1 keeps every pair; with 128 "
            "permutations a pair at its threshold falls 0.2 below it with probability "
            "3e-6 or less)."
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


def assignments(items: Frames, config: DedupConfig, workers: int = 1) -> pl.DataFrame:
    """Cluster assignment of every item: item_id, _cluster_id, duplicate_of, match, jaccard.

    Reads ``items`` (one frame, or better one scan per file) a slice at a time: all of them
    once (shingled and signed by `workers` processes), then the texts of LSH candidates; what
    it holds is bounded as :mod:`curation.dedup.minhash` describes, not by the items' texts.
    The result does not depend on `workers`.
    """
    reader = ItemReader(items)
    facts = facts_from_reader(reader, config, workers)
    assigned = cluster_facts(facts, reader_texts(reader), config, config.source_priority)
    return assigned.select(
        "item_id",
        pl.col("cluster_id").alias("_cluster_id"),
        pl.col("representative").alias("duplicate_of"),
        "match",
        "jaccard",
    ).cast(dict(_ASSIGNMENT_SCHEMA))


def representatives(items: pl.LazyFrame, assigned: pl.DataFrame) -> pl.LazyFrame:
    """The kept items (item schema, cluster_id set), unsorted."""
    reps = assigned.lazy().filter(pl.col("match") == "representative")
    return (
        items.join(reps.select("item_id", "_cluster_id"), on="item_id", how="inner")
        .with_columns(cluster_id=pl.col("_cluster_id"))
        .select([pl.col(n).cast(t) for n, t in ITEM_SCHEMA.items()])
    )


def duplicates(items: pl.LazyFrame, assigned: pl.DataFrame) -> pl.LazyFrame:
    """The merged items (merged schema), unsorted: only item_id and source are read."""
    others = assigned.lazy().filter(pl.col("match") != "representative")
    return (
        items.select("item_id", "source")
        .join(others, on="item_id", how="inner")
        .select(
            "item_id",
            "source",
            pl.col("_cluster_id").alias("cluster_id"),
            "duplicate_of",
            "match",
            "jaccard",
        )
        .cast(dict(MERGED_SCHEMA))
    )


def dedup(items: pl.LazyFrame, config: DedupConfig) -> DedupResult:
    """Cluster items (all sources together) and split them into representatives and the rest."""
    assigned = assignments(items, config)
    return DedupResult(
        kept=representatives(items, assigned).sort(*OUTPUT_ORDER),
        merged=duplicates(items, assigned).sort(*OUTPUT_ORDER),
    )


def dedup_details(
    kept: pl.LazyFrame | pl.DataFrame, merged: pl.LazyFrame | pl.DataFrame, config: DedupConfig
) -> dict[str, Any]:
    """Report details (counts only): clusters, pairs by match, per source, cross-source.

    Reads only item_id and source of the kept items."""
    lowest = min(config.jaccard_threshold, config.cjk_mcq_jaccard_threshold)
    kept = kept.lazy().select("item_id", "source").collect()
    merged = merged.lazy().select(MERGED_SCHEMA.names()).collect()
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
