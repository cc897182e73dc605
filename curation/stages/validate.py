"""Schema validation: per-record rules quarantine rows; a dataset-level suite gates the release.

Pure: ``validate(items, config) -> StageResult`` runs the item model (its kind rules) and the
per-record rules of :mod:`curation.validation.rules` (option counts, text lengths, language
script) and quarantines each failing row with the first reason it fails (``stage="validate"``).
``curate validate`` then runs the Great Expectations suite of ``schemas/expectations/items.yaml``
over all kept rows together (uniqueness, allowed values, residual PHI, length quantiles, answer
balance; :mod:`curation.validation.suite`, which reads the texts in chunks) and returns a plain
summary.

Quarantine details and summaries carry field names, rules and counts, never record text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from curation.stages.base import ITEM_SCHEMA, StageResult, result_from_judged, validate_items_expr
from curation.stages.runner import ItemStage
from curation.validation.rules import MODEL_VERDICT, ValidateConfig, record_rules, verdict

STAGE = "validate"
READS = tuple(ITEM_SCHEMA.names())  # the item model reads every column
__all__ = ["STAGE", "ValidateConfig", "validate"]


def validate_setup(config: ValidateConfig, root: Path) -> ValidateConfig:
    """Per-record validation needs nothing but its parameters."""
    return config


def validate_batch(config: ValidateConfig, batch: pl.DataFrame) -> pl.DataFrame:
    """A batch judged by the item model and the per-record rules (first failing reason)."""
    names = list(ITEM_SCHEMA.names())
    reason, detail = verdict(record_rules(config))
    return (
        batch.with_columns(validate_items_expr(names).alias(MODEL_VERDICT))
        .with_columns(_reason=reason, _detail=detail)
        .drop(MODEL_VERDICT)
    )


def validate_details(
    config: ValidateConfig, kept: Path, quarantined: dict[str, int]
) -> dict[str, Any]:
    """Per-source details: none beyond the accounting (the suite reports on all sources)."""
    return {}


def validate(items: pl.LazyFrame, config: ValidateConfig) -> StageResult:
    """Apply the item model and the per-record rules; failing rows go to quarantine."""
    return result_from_judged(validate_batch(config, items.collect()), STAGE)


DECLARED = ItemStage(
    name=STAGE,
    upstream="deid",
    made_by="curate deid run {source}",
    params="validate",
    reads=READS,
    writes=(),
    setup=validate_setup,
    process=validate_batch,
    details=validate_details,
    parallel=True,  # the item model runs per row in Python
)
