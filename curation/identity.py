"""Item identity: a stable `item_id` and a content hash for exact duplicates.

* ``item_id`` hashes (source, source record key): it survives edits of the text.
* ``content_hash`` hashes the normalized content: equal for texts that differ only in
  Unicode width forms, case or whitespace.

Both are the first 16 hex digits of a SHA-256 (64 bits). ``item_id`` stays inside the project:
a source's record key is often an MRN or a 住院号, whose space a dictionary attack on an
unsalted hash walks through. What leaves it (releases and their exports) carries
:func:`public_id`, an HMAC of the internal id under the project's secret salt.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

_SEP = "\x1f"  # unit separator: cannot occur in a source name
_WHITESPACE = re.compile(r"\s+")
CONTENT_FIELDS = ("kind", "question", "context", "options", "answer_labels", "answer_text")


def short_hash(text: str) -> str:
    """First 16 hex digits of the SHA-256 of a UTF-8 string."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def item_id(source: str, record_key: str) -> str:
    """Stable identifier of a source record."""
    return short_hash(f"{source}{_SEP}{record_key}")


#: How a released id is made (written into every release manifest).
PUBLIC_ID_SCHEME = "hmac-sha256(project salt MEDCURATE_DEID_SALT, 'public-id' + item_id)[:16]"


def public_id(salt: bytes, internal: str) -> str:
    """The id an item is released under: no one without the salt can link it to its record
    key, and the same salt gives the same id in every release."""
    return hmac.new(
        salt, b"public-id" + _SEP.encode() + internal.encode(), hashlib.sha256
    ).hexdigest()[:16]


def normalize_text(text: str | None) -> str:
    """NFKC, casefold and collapse whitespace: the form exact-duplicate checks compare."""
    if not text:
        return ""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def content_hash(content: Mapping[str, Any]) -> str:
    """Hash of an item's normalized content fields (see CONTENT_FIELDS)."""
    options = content.get("options") or []
    canonical = {
        "kind": content.get("kind"),
        "question": normalize_text(content.get("question")),
        "context": normalize_text(content.get("context")),
        "options": [[o["label"], normalize_text(o["text"])] for o in options],
        "answer_labels": sorted(content.get("answer_labels") or []),
        "answer_text": normalize_text(content.get("answer_text")),
    }
    return short_hash(json.dumps(canonical, ensure_ascii=False, sort_keys=True))


def _hash_rows(rows: Iterable[dict[str, Any] | None], fn: Any) -> list[str | None]:
    return [None if row is None else fn(row) for row in rows]


def item_id_expr(source: str, key: pl.Expr) -> pl.Expr:
    """Polars expression computing :func:`item_id` over a key column."""
    return key.map_batches(
        lambda s: pl.Series(
            [None if k is None else item_id(source, k) for k in s], dtype=pl.String
        ),
        return_dtype=pl.String,
        is_elementwise=True,
    )


def content_hash_expr() -> pl.Expr:
    """Polars expression computing :func:`content_hash` from the item's content columns."""
    return pl.struct(list(CONTENT_FIELDS)).map_batches(
        lambda s: pl.Series(_hash_rows(s.to_list(), content_hash), dtype=pl.String),
        return_dtype=pl.String,
        is_elementwise=True,
    )
