"""croissant.json: the release in MLCommons Croissant 1.1 (built and checked with mlcroissant).

One FileObject per data file (with its sha256) and one RecordSet per config × split with a field
for every column of its parquet file, read from the file's own schema: lists are array fields
(``isArray``), lists of structs (``options``: label, text; ``turns``: speaker, text) array fields
with one sub-field per struct member, read through a ``jsonPath`` transform of the column.
The code lists under ``taxonomy/`` are FileObjects too, each with an enumeration RecordSet that
holds its rows inline (codes such as "03" must stay text, which a CSV read would not keep). The
coded columns name their list in their description rather than through ``references``:
mlcroissant turns a reference into a join, which fails on a column that is null throughout.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polars as pl

from curation.release.card import COLUMNS, UNDOCUMENTED, read_code_list
from curation.release.manifest import sha256

VERSION = "http://mlcommons.org/croissant/1.1"
TYPES = {  # polars type → Croissant data type name (mlcroissant.DataType)
    pl.String: "TEXT",
    pl.Boolean: "BOOL",
    pl.Int8: "INTEGER",
    pl.Int16: "INTEGER",
    pl.Int32: "INTEGER",
    pl.Int64: "INTEGER",
    pl.UInt8: "INTEGER",
    pl.UInt16: "INTEGER",
    pl.UInt32: "INTEGER",
    pl.UInt64: "INTEGER",
    pl.Float32: "FLOAT",
    pl.Float64: "FLOAT",
    pl.Date: "DATE",
    pl.Datetime: "DATETIME",
}


def _context() -> Any:
    import mlcroissant as mlc
    from mlcroissant._src.core.rdf import make_context

    ctx = mlc.Context(conforms_to=VERSION)
    # a Context built in Python keeps the 1.0 @context (no isArray, arrayShape, ...) unless told
    ctx.rdf = mlc.Rdf(context=make_context(ctx))
    return ctx


def _data_type(dtype: pl.DataType) -> Any:
    import mlcroissant as mlc

    name = TYPES.get(dtype.base_type())
    if name is None:
        raise ValueError(f"no Croissant data type for the parquet column type {dtype}")
    return getattr(mlc.DataType, name)


def column_field(
    ctx: Any,
    record_id: str,
    column: str,
    dtype: pl.DataType,
    file_id: str,
) -> Any:
    """The Croissant field of one parquet column (nested and array columns included)."""
    import mlcroissant as mlc

    def source(json_path: str | None = None) -> Any:
        return mlc.Source(
            ctx=ctx,
            file_object=file_id,
            extract=mlc.Extract(ctx=ctx, column=column),
            transforms=[mlc.Transform(ctx=ctx, json_path=json_path)] if json_path else [],
        )

    field_id = f"{record_id}/{column}"
    array = isinstance(dtype, pl.List | pl.Array)
    inner = dtype.inner if array else dtype
    shape = {"is_array": True, "array_shape": "-1"} if array else {}
    description = COLUMNS.get(column, UNDOCUMENTED)
    if isinstance(inner, pl.Struct):
        sub_fields = []
        for member in inner.fields:
            if isinstance(member.dtype, pl.List | pl.Array | pl.Struct):
                raise ValueError(f"{column}.{member.name}: nesting deeper than one level")
            sub_fields.append(
                mlc.Field(
                    ctx=ctx,
                    id=f"{field_id}/{member.name}",
                    name=member.name,
                    description=COLUMNS.get(f"{column}.{member.name}", UNDOCUMENTED),
                    data_types=[_data_type(member.dtype)],
                    source=source(member.name),
                )
            )
        return mlc.Field(
            ctx=ctx,
            id=field_id,
            name=column,
            description=description,
            sub_fields=sub_fields,
            **shape,
        )
    if isinstance(inner, pl.List | pl.Array):
        raise ValueError(f"{column}: lists of lists are not described")
    return mlc.Field(
        ctx=ctx,
        id=field_id,
        name=column,
        description=description,
        data_types=[_data_type(inner)],
        source=source(),
        **shape,
    )


def code_list_record_set(ctx: Any, record_id: str, relative: str, rows: list[dict[str, str]]):
    """An enumeration RecordSet holding a code list's rows inline (every value text)."""
    import mlcroissant as mlc

    columns = list(rows[0]) if rows else ["code"]
    return mlc.RecordSet(
        ctx=ctx,
        id=record_id,
        name=record_id,
        description=f"The code list {relative}: each code with its Chinese (zh) and English "
        "(en) name.",
        key=[f"{record_id}/code"],
        fields=[
            mlc.Field(
                ctx=ctx,
                id=f"{record_id}/{c}",
                name=c,
                data_types=[mlc.DataType.TEXT],
            )
            for c in columns
        ],
        data=[{f"{record_id}/{c}": row[c] for c in columns} for row in rows],
    )


def croissant(
    release_dir: Path,
    files: list[tuple[str, str, str, str]],
    card: dict[str, Any],
    code_lists: Iterable[str] = (),
) -> dict[str, Any]:
    """The Croissant JSON-LD of a release. files: (config, split, relative path, sha256) of the
    parquet files; code_lists: relative paths of the taxonomy CSVs (taxonomy/<name>.csv)."""
    import mlcroissant as mlc

    ctx = _context()
    distribution, record_sets = [], []
    lists = {Path(relative).stem: relative for relative in code_lists}
    for name, relative in lists.items():
        sha = sha256(release_dir / relative)
        distribution.append(_file(mlc, ctx, f"taxonomy-{name}-csv", relative, "text/csv", sha))
        rows = read_code_list(release_dir / relative)
        record_sets.append(code_list_record_set(ctx, name, relative, rows))
    for config, split, relative, sha in files:
        file_id = f"{config}-{split}-parquet"
        distribution.append(_file(mlc, ctx, file_id, relative, "application/x-parquet", sha))
        record_id = f"{config}-{split}"
        schema = pl.read_parquet_schema(release_dir / relative)
        record_sets.append(
            mlc.RecordSet(
                ctx=ctx,
                id=record_id,
                name=record_id,
                description=f"{config}, {split} split: the rows of {relative}",
                key=[f"{record_id}/item_id"] if "item_id" in schema else None,
                fields=[
                    column_field(ctx, record_id, column, dtype, file_id)
                    for column, dtype in schema.items()
                ],
            )
        )
    metadata = mlc.Metadata(
        ctx=ctx,
        name=card["name"],
        description=card["description"],
        url=card.get("homepage") or "https://example.invalid/medcurate",
        license=card["licenses"],
        cite_as=card["citation"],
        version=card["version"],
        in_language=card["languages"],
        distribution=distribution,
        record_sets=record_sets,
    )
    return metadata.to_json()


def write(document: dict[str, Any], path: Path) -> None:
    path.write_text(
        json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def _plain(value: Any) -> Any:
    """A record value as plain Python: text decoded, numpy scalars unwrapped, nested records
    keyed by their field's name (the last segment of its id)."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, dict):
        return {key.rsplit("/", 1)[-1]: _plain(v) for key, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return value.item()
    return value


def load_records(path: Path, record_set: str) -> list[dict[str, Any]]:
    """Records of one record set, read back through mlcroissant (which validates the file):
    plain dicts keyed by column name, nested fields as lists of dicts."""
    import mlcroissant as mlc

    dataset = mlc.Dataset(jsonld=str(path))
    return [_plain(dict(record)) for record in dataset.records(record_set=record_set)]


def _file(mlc: Any, ctx: Any, file_id: str, relative: str, fmt: str, sha: str) -> Any:
    """One FileObject of the release's distribution."""
    return mlc.FileObject(
        ctx=ctx,
        id=file_id,
        name=file_id,
        content_url=relative,
        encoding_formats=[fmt],
        sha256=sha,
    )
