"""Contracts derived from the pydantic item model: the polars schema and the JSON Schema."""

from __future__ import annotations

import json
import types
import typing
from datetime import datetime
from enum import Enum
from pathlib import Path

import polars as pl
from pydantic import BaseModel

from curation.models import SCHEMA_VERSION, Item

ITEM_SCHEMA_PATH = Path("schemas") / "item.schema.json"

# bool before int: bool is a subclass of int.
_SCALARS: dict[type, pl.DataType] = {
    bool: pl.Boolean(),
    str: pl.String(),
    int: pl.Int64(),
    float: pl.Float64(),
    datetime: pl.Datetime("us", "UTC"),
}


def polars_dtype(annotation: object) -> pl.DataType:
    """Map one pydantic field annotation onto a polars dtype (Optional[X] → X, nullable)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"unsupported union {annotation!r}")
        return polars_dtype(args[0])
    if origin is list:
        (inner,) = typing.get_args(annotation)
        return pl.List(polars_dtype(inner))
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return pl.Struct(polars_schema(annotation))
        if issubclass(annotation, Enum):
            return pl.String()
        for py_type, dtype in _SCALARS.items():
            if issubclass(annotation, py_type):
                return dtype
    raise TypeError(f"no polars dtype for {annotation!r}")


def polars_schema(model: type[BaseModel] = Item) -> pl.Schema:
    """The polars schema of a pydantic model, fields in declaration order."""
    return pl.Schema(
        {name: polars_dtype(field.annotation) for name, field in model.model_fields.items()}
    )


def item_json_schema() -> str:
    """The item JSON Schema as committed in schemas/item.schema.json (stable text)."""
    schema = Item.model_json_schema()
    schema["$id"] = f"https://medcurate.dev/schemas/item/{SCHEMA_VERSION}"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_item_json_schema(root: Path) -> Path:
    """Regenerate schemas/item.schema.json under a project root."""
    path = root / ITEM_SCHEMA_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(item_json_schema(), encoding="utf-8")
    return path
