"""Ingest: raw rows of one source → canonical items, or quarantine with a reason.

Pure: ``ingest(raw_frame, spec, config) -> StageResult``; reading files and writing
outputs are the CLI's job (``curate ingest``).

Order of checks (the first that fails names the reason): the record could not be read
(invalid JSON, an unclosed CSV quote, a lone surrogate) → undecodable bytes → key repeats an
earlier record → options or answer cannot be parsed → the mapped row breaks the item contract
(:mod:`curation.models`).
"""

from __future__ import annotations

from datetime import datetime

import polars as pl
from pydantic import BaseModel, ConfigDict

from curation.identity import content_hash_expr, item_id_expr
from curation.models import Kind
from curation.reasons import Reason
from curation.sources import mapping as m
from curation.sources.readers import BOOKKEEPING
from curation.sources.spec import FieldMap, SourceSpec
from curation.stages.base import ITEM_SCHEMA, QUARANTINE_SCHEMA, StageResult, validate_items_expr

STAGE = "ingest"
READ_ERROR_DETAILS = {
    Reason.INVALID_JSON.value: "the line is not a JSON object",
    Reason.INVALID_ENCODING.value: "the record holds bytes invalid in the declared encoding",
    Reason.MALFORMED_ROW.value: "the row has a different number of fields than the header",
    Reason.UNCLOSED_QUOTE.value: "a quote opened in this row is never properly closed; "
    "the lines after it were read as rows of their own",
    Reason.INVALID_UNICODE.value: "a value holds a lone surrogate (e.g. the JSON escape \\ud800 "
    "without its pair), which is not a Unicode character",
}


class IngestConfig(BaseModel):
    """Parameters of the ingest stage (params.yaml, section `ingest`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ingested_at: datetime | None = None


def ingest(raw_frame: pl.LazyFrame, spec: SourceSpec, config: IngestConfig) -> StageResult:
    """Map a source's raw rows (see :mod:`curation.sources.readers`) onto items."""
    fields = spec.fields
    is_mcq = spec.kind == Kind.MCQ
    frame = raw_frame.select(
        *[pl.col(c).alias(m.RAW_PREFIX + c) for c in fields.columns()], *BOOKKEEPING
    )

    key = _record_key(spec)
    options, _ = m.options_field(fields.options)
    answer_labels = (
        m.mcq_answer_field(fields.answer)[0]
        if is_mcq and fields.answer
        else pl.lit([], dtype=pl.List(pl.String))
    )
    turns = m.dialogue_turns(fields.dialogue)
    context = m.text_field(fields.dialogue.column if fields.dialogue else fields.context)

    items = frame.with_columns(
        source=pl.lit(spec.name),
        source_record_key=key,
        kind=pl.lit(spec.kind.value),
        dimension=pl.lit(spec.dimension.value if spec.dimension else None, dtype=pl.String),
        language=pl.lit(spec.language.value),
        question=m.text_field(fields.question),
        context=context,
        options=options,
        answer_labels=answer_labels,
        answer_text=m.text_field(None if is_mcq else fields.answer),
        explanation=m.text_field(fields.explanation),
        turns=turns,
        source_labels=m.source_labels(fields.labels),
        license=pl.lit(spec.license),
        provenance=pl.struct(
            file=pl.col("_file"),
            row=pl.col("_row"),
            ingested_at=pl.lit(config.ingested_at, dtype=pl.Datetime("us", "UTC")),
        ),
    ).with_columns(
        item_id=item_id_expr(spec.name, pl.col("source_record_key")),
        content_hash=content_hash_expr(),
    )
    for name, dtype in ITEM_SCHEMA.items():  # later stages' columns start empty
        if name not in items.collect_schema().names():
            items = items.with_columns(pl.lit(None, dtype=dtype).alias(name))

    reason, detail = _reasons(fields, is_mcq)
    judged = items.with_columns(_reason=reason, _detail=detail)
    kept = judged.filter(pl.col("_reason").is_null()).select(
        [pl.col(n).cast(t) for n, t in ITEM_SCHEMA.items()]
    )
    quarantined = (
        judged.filter(pl.col("_reason").is_not_null())
        .select(
            stage=pl.lit(STAGE),
            source=pl.lit(spec.name),
            file=pl.col("_file"),
            row=pl.col("_row"),
            item_id=pl.col("item_id"),
            reason=pl.col("_reason"),
            detail=pl.col("_detail"),
            record=pl.coalesce(
                pl.col("_unparsed"),
                pl.struct([m.raw(c).alias(c) for c in fields.columns()]).struct.json_encode(),
            ),
        )
        .cast(dict(QUARANTINE_SCHEMA))
    )
    return StageResult(kept=kept, quarantined=quarantined)


def _record_key(spec: SourceSpec) -> pl.Expr:
    """The declared key column; else the row number (qualified by file for directories)."""
    if spec.fields.key:
        return m.clean_text(m.raw(spec.fields.key))
    row = pl.col("_row").cast(pl.String)
    if spec.include is None:
        return row
    in_dir = pl.col("_file").str.strip_prefix(spec.path.rstrip("/") + "/")
    return pl.concat_str([in_dir, row], separator=":")


def _reasons(fields: FieldMap, is_mcq: bool) -> tuple[pl.Expr, pl.Expr]:
    """(reason, detail) expressions in the documented order of checks."""
    bad_columns = m.invalid_encoding(fields)
    key = pl.col("source_record_key")
    first_row = pl.col("_row").first().over(key)
    duplicate = key.is_not_null() & ~key.is_first_distinct()
    parse_reason, parse_detail = m.parse_failure(fields, is_mcq)
    verdict = validate_items_expr(list(ITEM_SCHEMA.names()))
    reason = (
        pl.when(pl.col("_read_error").is_not_null())
        .then(pl.col("_read_error"))
        .when(bad_columns.is_not_null())
        .then(pl.lit(Reason.INVALID_ENCODING.value))
        .when(duplicate)
        .then(pl.lit(Reason.DUPLICATE_KEY.value))
        .when(parse_reason.is_not_null())
        .then(parse_reason)
        .otherwise(verdict.struct.field("reason"))
    )
    detail = (
        pl.when(pl.col("_read_error").is_not_null())
        .then(pl.col("_read_error").replace_strict(READ_ERROR_DETAILS, default=None))
        .when(bad_columns.is_not_null())
        .then(pl.concat_str(pl.lit("undecodable bytes in column(s) "), bad_columns))
        .when(duplicate)
        .then(pl.format("record key already used by row {}", first_row))
        .when(parse_reason.is_not_null())
        .then(parse_detail)
        .otherwise(verdict.struct.field("detail"))
    )
    return reason, detail
