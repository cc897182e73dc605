"""Schema validation: per-record rules quarantine rows; a dataset-level suite gates the release.

Pure: ``validate(items, config) -> StageResult`` runs the item model (its kind rules) and the
per-record rules of :mod:`curation.validation.rules` (option counts, text lengths, language
script) and quarantines each failing row with the first reason it fails (``stage="validate"``).
``dataset_checks(kept, config, docs_dir)`` then runs the Great Expectations suite of
``schemas/expectations/items.yaml`` over all kept rows together (uniqueness, allowed values,
residual PHI, length quantiles, answer balance) and returns a plain summary.

Quarantine details and summaries carry field names, rules and counts, never record text.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from curation.stages.base import ITEM_SCHEMA, StageResult, quarantine_items, validate_items_expr
from curation.validation.rules import MODEL_VERDICT, ValidateConfig, record_rules, verdict
from curation.validation.suite import EPOCH, Suite, load_suite, run_suite, suite_frame

STAGE = "validate"
__all__ = ["STAGE", "ValidateConfig", "dataset_checks", "validate"]


def validate(items: pl.LazyFrame, config: ValidateConfig) -> StageResult:
    """Apply the item model and the per-record rules; failing rows go to quarantine."""
    names = list(ITEM_SCHEMA.names())
    reason, detail = verdict(record_rules(config))
    judged = items.with_columns(validate_items_expr(names).alias(MODEL_VERDICT)).with_columns(
        _reason=reason, _detail=detail
    )
    kept = judged.filter(pl.col("_reason").is_null()).select(names)
    quarantined = quarantine_items(judged, STAGE)
    return StageResult(kept=kept, quarantined=quarantined)


def dataset_checks(
    kept: pl.DataFrame,
    config: ValidateConfig,
    docs_dir: Path | None,
    root: Path | None = None,
    run_time: datetime = EPOCH,
    suite: Suite | None = None,
) -> dict[str, Any]:
    """Run the dataset-level suite (`suite`, else the project's at `root`) over all kept rows
    (GX); build Data Docs into `docs_dir`."""
    suite = suite or load_suite(config, root)
    return run_suite(suite_frame(kept, config), suite, docs_dir, run_time)
