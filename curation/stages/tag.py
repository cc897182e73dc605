"""Tag: place every item in the specialty map, with a score, runners-up and the tagger's name.

Pure: ``tag(items, config, tagger) -> StageResult``. Nothing is quarantined here: an item
the tagger cannot place (no evidence) or places with a low score is kept and flagged
``needs_review`` for the physicians.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from curation.stages.base import ITEM_SCHEMA, QUARANTINE_SCHEMA, StageResult
from curation.tagging import Tagger, item_text

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


def tags_struct(rows: list[dict[str, Any]], tagger: Tagger, review_below: float) -> list[dict]:
    """The `tags` column for a batch of item rows."""
    predictions = tagger.predict([item_text(r) for r in rows], [r["language"] for r in rows])
    return [
        {
            "tagger": tagger.name,
            "specialty_code": p.specialty_code,
            "department_code": p.department_code,
            "disease_group": p.disease_group,
            "score": p.score,
            "alternatives": [{"code": c, "score": s} for c, s in p.alternatives],
            "needs_review": p.specialty_code is None or p.score < review_below,
        }
        for p in predictions
    ]


def tag(items: pl.LazyFrame, config: TagConfig, tagger: Tagger) -> StageResult:
    """Fill the `tags` column of every item."""
    columns = ["language", "question", "context", "options", "answer_text", "explanation"]
    tags = pl.struct(columns).map_batches(
        lambda s: pl.Series(tags_struct(s.to_list(), tagger, config.review_below), dtype=_TAGS),
        return_dtype=_TAGS,
    )
    kept = items.with_columns(tags=tags).select(list(ITEM_SCHEMA.names()))
    quarantined = pl.LazyFrame(schema=QUARANTINE_SCHEMA)
    return StageResult(kept=kept, quarantined=quarantined)
