"""What every stage shares: its result, the quarantine layout, and the accounting report."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import BaseModel, Field, ValidationError

from curation.errors import CurationError
from curation.models import Item
from curation.reasons import Reason
from curation.schema import polars_schema

ITEM_SCHEMA = polars_schema(Item)
QUARANTINE_SCHEMA = pl.Schema(
    {
        "stage": pl.String,
        "source": pl.String,
        "file": pl.String,
        "row": pl.Int64,
        "item_id": pl.String,
        "reason": pl.String,
        "detail": pl.String,
        "record": pl.String,
    }
)
_VERDICT = pl.Struct({"reason": pl.String, "detail": pl.String})
_REASON_CODES = frozenset(r.value for r in Reason)


@dataclass
class StageResult:
    """Lazy outputs of a pure stage function: rows kept, rows quarantined (with reasons)."""

    kept: pl.LazyFrame
    quarantined: pl.LazyFrame


def result_from_judged(judged: pl.DataFrame, stage: str) -> StageResult:
    """Split a judged frame (item columns plus `_reason`, `_detail`) into a StageResult."""
    kept = judged.lazy().filter(pl.col("_reason").is_null())
    return StageResult(
        kept=kept.select([pl.col(n).cast(t) for n, t in ITEM_SCHEMA.items()]),
        quarantined=quarantine_items(judged.lazy(), stage),
    )


class StageReport(BaseModel):
    """Per-stage accounting, written as a DVC metric. Holds counts only, never values."""

    stage: str
    source: str | None = None
    rows_in: int
    kept: int
    quarantined: int
    merged: int = 0
    quarantined_by_reason: dict[str, int] = Field(default_factory=dict)
    details: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def from_counts(
        cls,
        stage: str,
        rows_in: int,
        kept: int,
        by_reason: dict[str, int],
        source: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> StageReport:
        """A checked report whose quarantined count is derived from its reasons."""
        return cls(
            stage=stage,
            source=source,
            rows_in=rows_in,
            kept=kept,
            quarantined=sum(by_reason.values()),
            quarantined_by_reason=dict(sorted(by_reason.items())),
            details=details or {},
        ).check_accounting()

    def check_accounting(self) -> StageReport:
        """Nothing is lost: rows in = kept + quarantined + merged, and reasons add up."""
        if self.rows_in != self.kept + self.quarantined + self.merged:
            raise CurationError(
                f"{self.stage}: accounting broken: {self.rows_in} in != {self.kept} kept + "
                f"{self.quarantined} quarantined + {self.merged} merged"
            )
        if sum(self.quarantined_by_reason.values()) != self.quarantined:
            raise CurationError(f"{self.stage}: quarantine reasons do not add up")
        return self

    def write(self, path: Path) -> None:
        """Write the report as stable, sorted JSON."""
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.model_dump(), ensure_ascii=False, indent=2, sort_keys=True)
        path.write_text(text + "\n", encoding="utf-8")


def quarantine_items(judged: pl.LazyFrame, stage: str) -> pl.LazyFrame:
    """Quarantine rows for items judged by a stage (columns `_reason`, `_detail` set)."""
    names = list(ITEM_SCHEMA.names())
    return (
        judged.filter(pl.col("_reason").is_not_null())
        .select(
            stage=pl.lit(stage),
            source=pl.col("source"),
            file=pl.col("provenance").struct.field("file"),
            row=pl.col("provenance").struct.field("row"),
            item_id=pl.col("item_id"),
            reason=pl.col("_reason"),
            detail=pl.col("_detail"),
            record=pl.struct(names).struct.json_encode(),
        )
        .cast(dict(QUARANTINE_SCHEMA))
    )


def write_stage_report(
    path: Path,
    stage: str,
    source: str,
    rows_in: int,
    kept: int,
    by_reason: dict[str, int],
    details: dict[str, Any] | None = None,
) -> StageReport:
    """Build, check (rows in = kept + quarantined) and write one source's stage report."""
    report = StageReport.from_counts(stage, rows_in, kept, by_reason, source, details)
    report.write(path)
    return report


def validation_verdict(row: dict[str, Any]) -> dict[str, str | None]:
    """Validate one row against the item model: {reason, detail} (nulls when valid).

    The detail names the field and the rule, never the value (values may be PHI).
    """
    try:
        Item.model_validate(row)
    except ValidationError as exc:
        err = exc.errors(include_url=False, include_input=False, include_context=False)[0]
        code = err["type"] if err["type"] in _REASON_CODES else Reason.INVALID_ITEM.value
        where = ".".join(str(p) for p in err["loc"])
        return {"reason": code, "detail": f"{where}: {err['msg']}" if where else err["msg"]}
    return {"reason": None, "detail": None}


def validate_items_expr(columns: list[str]) -> pl.Expr:
    """Polars expression applying :func:`validation_verdict` to every row (struct result)."""
    return _row_map(columns, validation_verdict)


def _row_map(columns: list[str], fn: Callable[[dict[str, Any]], dict]) -> pl.Expr:
    return pl.struct(columns).map_batches(
        lambda s: pl.Series([fn(row) for row in s.to_list()], dtype=_VERDICT),
        return_dtype=_VERDICT,
        is_elementwise=True,
    )
