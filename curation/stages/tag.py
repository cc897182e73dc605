"""Tag: place every item in the specialty map, with a score, runners-up and the tagger's name.

Pure: ``tag(items, config, tagger) -> StageResult``. Nothing is quarantined here: an item
the tagger cannot place (no evidence) or places with a low score is kept and flagged
``needs_review`` for the physicians.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from curation.stages.base import ITEM_SCHEMA, StageResult, result_from_judged
from curation.stages.runner import ItemStage, judge_nothing
from curation.tagging import Tagger, get_tagger, item_text

STAGE = "tag"
_TAGS = ITEM_SCHEMA["tags"]


class TagConfig(BaseModel):
    """Parameters of the tag stage (params.yaml, section `tag`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tagger: str = Field(
        default="auto", description="auto (trained model if present) | lexicon | trained"
    )
    model: str = Field(
        default="models/specialty_tfidf_lr_v1.joblib", description="Trained tagger artifact."
    )
    review_below: float = Field(
        default=0.5, ge=0, le=1, description="Flag items whose top score is below this."
    )
    train_max_per_class: int = Field(
        default=2000,
        ge=10,
        description="`curate tag train` learns from at most this many items per specialty.",
    )


def tags_struct(rows: list[dict[str, Any]], tagger: Tagger, review_below: float) -> list[dict]:
    """The `tags` column for a batch of item rows."""
    predictions = tagger.predict([item_text(r) for r in rows], [r["language"] for r in rows])
    name = tagger.name  # a digest of the tagger's code and files: computed once per batch
    return [
        {
            "tagger": name,
            "specialty_code": p.specialty_code,
            "department_code": p.department_code,
            "disease_group": p.disease_group,
            "score": p.score,
            "alternatives": [{"code": c, "score": s} for c, s in p.alternatives],
            "needs_review": p.specialty_code is None or p.score < review_below,
        }
        for p in predictions
    ]


READS = ("language", "question", "context", "options", "answer_text", "explanation")


@dataclass(frozen=True)
class TagResources:
    """What tagging needs, loaded once per worker: the tagger and the review threshold."""

    tagger: Tagger
    review_below: float


def tag_setup(config: TagConfig, root: Path) -> TagResources:
    """The configured tagger (the trained model if `auto` finds it, else the lexicon)."""
    return TagResources(get_tagger(config.tagger, root / config.model), config.review_below)


def tag_batch(resources: TagResources, batch: pl.DataFrame) -> pl.DataFrame:
    """A batch with its `tags` column filled; nothing is quarantined."""
    rows = batch.select(READS).to_dicts()
    tags = pl.Series(tags_struct(rows, resources.tagger, resources.review_below), dtype=_TAGS)
    return judge_nothing(batch.with_columns(tags=tags))


def tag_details(resources: TagResources, kept: Path, quarantined: dict[str, int]) -> dict[str, Any]:
    """Report details: the tagger's name, items flagged, mean score, items per department."""
    tags = pl.read_parquet(kept, columns=["tags"]).unnest("tags")
    return {
        "tagger": resources.tagger.name,
        "needs_review": int(tags["needs_review"].sum() or 0),
        "mean_score": round(float(tags["score"].mean() or 0.0), 4),
        "by_department": dict(
            sorted(Counter(str(c) for c in tags["department_code"].to_list()).items())
        ),
    }


def tag(items: pl.LazyFrame, config: TagConfig, tagger: Tagger) -> StageResult:
    """Fill the `tags` column of every item (one batch)."""
    judged = tag_batch(TagResources(tagger, config.review_below), items.collect())
    return result_from_judged(judged, STAGE)


DECLARED = ItemStage(
    name=STAGE,
    upstream="validate",
    made_by="curate validate",
    params="tag",
    reads=READS,
    writes=("tags",),
    setup=tag_setup,
    process=tag_batch,
    details=tag_details,
    parallel=True,
)
