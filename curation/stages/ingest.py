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


POSITION = "_pos"  # a record's position in the whole source (all its files, in order)
VERDICT = "_verdict"  # the item model's verdict of a row (reason, detail)
REPEATED_SCHEMA = pl.Schema(
    {"source_record_key": pl.String, "_first_pos": pl.UInt32, "_first_row": pl.Int64}
)


def _mapped(raw_frame: pl.LazyFrame, spec: SourceSpec) -> pl.LazyFrame:
    """The mapped raw columns (prefixed), the bookkeeping columns and the position."""
    if POSITION not in raw_frame.collect_schema().names():
        raw_frame = raw_frame.with_row_index(POSITION)
    return raw_frame.select(
        *[pl.col(c).alias(m.RAW_PREFIX + c) for c in spec.fields.columns()],
        *BOOKKEEPING,
        pl.col(POSITION).cast(pl.UInt32),
    )


def repeated_keys(raw_frame: pl.LazyFrame, spec: SourceSpec) -> pl.DataFrame:
    """Record keys used more than once in a source, with the position and row of their first
    use: all that ingesting the source in batches needs to know of the other batches."""
    keys = _mapped(raw_frame, spec).select(
        source_record_key=_record_key(spec), _pos=pl.col(POSITION), _row=pl.col("_row")
    )
    return (
        keys.filter(pl.col("source_record_key").is_not_null())
        .group_by("source_record_key")
        .agg(
            _first_pos=pl.col(POSITION).min(),
            _first_row=pl.col("_row").sort_by(POSITION).first(),
            _n=pl.len(),
        )
        .filter(pl.col("_n") > 1)
        .drop("_n")
        .collect()
        .cast(dict(REPEATED_SCHEMA))
    )


def ingest(
    raw_frame: pl.LazyFrame,
    spec: SourceSpec,
    config: IngestConfig,
    repeated: pl.DataFrame | None = None,
) -> StageResult:
    """Map a source's raw rows (see :mod:`curation.sources.readers`) onto items.

    `raw_frame` may be one batch of the source (with its `_pos` column) when `repeated`
    (:func:`repeated_keys` of the whole source) is given."""
    fields = spec.fields
    is_mcq = spec.kind == Kind.MCQ
    if repeated is None:
        repeated = repeated_keys(raw_frame, spec)
    frame = _mapped(raw_frame, spec)

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
    items = items.join(repeated.lazy(), on="source_record_key", how="left", maintain_order="left")
    for name, dtype in ITEM_SCHEMA.items():  # later stages' columns start empty
        if name not in items.collect_schema().names():
            items = items.with_columns(pl.lit(None, dtype=dtype).alias(name))

    reason, detail = _reasons(fields, is_mcq)
    # judged once: the item model runs per row in Python, and both outputs read its verdict
    judged = (
        items.with_columns(validate_items_expr(list(ITEM_SCHEMA.names())).alias(VERDICT))
        .with_columns(_reason=reason, _detail=detail)
        .collect()
        .lazy()
    )
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
    first_row = pl.col("_first_row")
    duplicate = pl.col("_first_pos").is_not_null() & (pl.col(POSITION) != pl.col("_first_pos"))
    parse_reason, parse_detail = m.parse_failure(fields, is_mcq)
    verdict = pl.col(VERDICT)  # the item model's verdict (see ingest)
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
