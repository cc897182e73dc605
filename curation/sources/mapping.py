"""Vectorized mapping of raw columns onto canonical item fields (polars expressions).

Raw columns are referenced through :func:`raw`, a prefixed name, so that a raw column
called ``question`` never collides with the canonical ``question``. Every function returns
an expression; parse failures come back as reason codes, never as exceptions.
"""

from __future__ import annotations

import polars as pl

from curation.reasons import Reason
from curation.sources.readers import INVALID_BYTE
from curation.sources.spec import DialogueMap, FieldMap, OptionsMap

RAW_PREFIX = "__raw__"
ANSWER_LABELS = r"^(?:[A-J][\s,，、;；/]*)+$"
_OPTION = pl.Struct({"label": pl.String, "text": pl.String})


def raw(column: str) -> pl.Expr:
    """The raw column as carried through the mapping."""
    return pl.col(RAW_PREFIX + column)


def clean_text(expr: pl.Expr) -> pl.Expr:
    """Unify line endings, strip, and turn empty strings into nulls."""
    text = expr.str.replace_all("\r\n?", "\n").str.strip_chars()
    return pl.when(text.str.len_chars() > 0).then(text)


def text_field(columns: str | list[str] | None) -> pl.Expr:
    """One text field from one column, or several joined by newlines (empty ones skipped)."""
    if columns is None:
        return pl.lit(None, dtype=pl.String)
    cols = [columns] if isinstance(columns, str) else columns
    joined = pl.concat_str([clean_text(raw(c)) for c in cols], separator="\n", ignore_nulls=True)
    return clean_text(joined)


def options_field(spec: OptionsMap | None) -> tuple[pl.Expr, pl.Expr]:
    """(options as list of {label, text}, parse-failure flag)."""
    if spec is None:
        return pl.lit([], dtype=pl.List(_OPTION)), pl.lit(False)
    if spec.packed is None:
        parts = [
            pl.struct(label=pl.lit(label), text=clean_text(raw(col)))
            for label, col in spec.option_columns().items()
        ]
        options = pl.concat_list(parts).list.eval(
            pl.element().filter(pl.element().struct.field("text").is_not_null())
        )
        return options, pl.lit(False)
    packed = clean_text(raw(spec.packed))
    if spec.separator == "\n":
        packed = packed.str.replace_all("\\n", "\n", literal=True)
    options = (
        packed.str.split(spec.separator)
        .list.eval(
            pl.element()
            .str.strip_chars()
            .filter(pl.element().str.len_chars() > 0)
            .str.extract_groups(spec.label_pattern)
            .struct.rename_fields(["label", "text"])
        )
        .fill_null([])
    )
    unlabeled = options.list.eval(pl.element().struct.field("label").is_null()).list.any()
    failed = packed.is_not_null() & (unlabeled | (options.list.len() < 2))
    return pl.when(~failed).then(options).otherwise(pl.lit([], dtype=pl.List(_OPTION))), failed


def mcq_answer_field(column: str) -> tuple[pl.Expr, pl.Expr]:
    """(answer labels, parse-failure flag) from a column like 'C', 'ABD' or 'A, C'."""
    text = clean_text(raw(column)).str.to_uppercase()
    ok = text.str.contains(ANSWER_LABELS)
    labels = text.str.extract_all("[A-J]").list.unique(maintain_order=True)
    failed = text.is_not_null() & ~ok
    empty = pl.lit([], dtype=pl.List(pl.String))
    return pl.when(text.is_not_null() & ok).then(labels).otherwise(empty), failed


def dialogue_turns(spec: DialogueMap | None) -> pl.Expr:
    """Turns split at speaker markers; lines without a marker continue the previous turn."""
    if spec is None:
        return pl.lit([], dtype=pl.List(pl.Struct({"speaker": pl.String, "text": pl.String})))
    marked = clean_text(raw(spec.column)).str.replace_all(
        "(?m)" + spec.speaker_pattern, "\x1e${1}\x1f"
    )
    return (
        marked.str.split("\x1e")
        .list.slice(1)
        .list.eval(
            pl.element()
            .str.split_exact("\x1f", 1)
            .struct.rename_fields(["speaker", "text"])
            .struct.with_fields(pl.field("text").str.strip_chars())
        )
        .fill_null([])
    )


def source_labels(labels: dict[str, str]) -> pl.Expr:
    """Source labels as a list of {name, value}, nulls dropped."""
    if not labels:
        return pl.lit([], dtype=pl.List(pl.Struct({"name": pl.String, "value": pl.String})))
    parts = [pl.struct(name=pl.lit(n), value=clean_text(raw(c))) for n, c in labels.items()]
    return pl.concat_list(parts).list.eval(
        pl.element().filter(pl.element().struct.field("value").is_not_null())
    )


def invalid_encoding(fields: FieldMap) -> pl.Expr:
    """Comma-separated names of the mapped columns holding undecodable bytes (else null)."""
    hits = [
        pl.when(raw(c).str.contains(INVALID_BYTE, literal=True)).then(pl.lit(c))
        for c in fields.columns()
    ]
    joined = pl.concat_str(hits, separator=",", ignore_nulls=True)
    return pl.when(joined.str.len_chars() > 0).then(joined)


def parse_failure(fields: FieldMap, is_mcq: bool) -> tuple[pl.Expr, pl.Expr]:
    """(reason, detail) of the first structural parse failure of a row, else nulls."""
    _, options_failed = options_field(fields.options)
    answer_failed = (
        mcq_answer_field(fields.answer)[1] if is_mcq and fields.answer else pl.lit(False)
    )
    reason = (
        pl.when(options_failed)
        .then(pl.lit(Reason.UNPARSEABLE_OPTIONS.value))
        .when(answer_failed)
        .then(pl.lit(Reason.UNPARSEABLE_ANSWER.value))
    )
    detail = (
        pl.when(options_failed)
        .then(pl.lit("every option needs a label like 'A ' or 'A.', and at least 2 options"))
        .when(answer_failed)
        .then(pl.lit("answer must be option letters A-J, e.g. 'C' or 'ABD'"))
    )
    return reason, detail
