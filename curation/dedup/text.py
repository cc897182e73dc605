"""The text two items are compared on, its character shingles and its exact key.

:func:`dedup_text` builds one string per item from the fields that make two items "the same
question": the question, the option texts **sorted** (so a shuffled option order still
matches; labels and the answer key are left out), the context (or the dialogue turns when
there is no context) and the free-text answer. The explanation is left out: two copies of a
question often carry different explanations. Each field is normalized with
:func:`curation.identity.normalize_text` (NFKC, so full-width forms become half-width;
casefold; whitespace collapsed), then punctuation (every Unicode ``P*`` category: ASCII,
CJK and full-width alike) becomes a space, and whitespace next to a CJK character is
removed. Spaces between two Latin words stay, as one space. The normalized fields are
joined by newlines (no newline is left inside a field).

Shingles are character n-grams of each field (never spanning two fields, so an edit at the end
of the question costs as few shingles as one in the middle of it, and option order does not
matter); they work for Chinese (no word boundaries) and English alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from curation.identity import normalize_text, short_hash

TEXT_COLUMNS = (
    "item_id",
    "source",
    "question",
    "context",
    "options",
    "answer_labels",
    "answer_text",
    "turns",
)
_ANSWER_SEP = "\x1f"
SEGMENT_SEP = "\n"  # between the fields of a dedup text; shingles never span it
_CJK = (
    "\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
)
_CJK_CHAR = re.compile(f"[{_CJK}]")
_CJK_SPACE = re.compile(rf"\s+(?=[{_CJK}])|(?<=[{_CJK}])\s+")
_SPACES = re.compile(r"\s+")


class _PunctuationTable(dict[int, int | str]):
    """``str.translate`` table mapping every Unicode punctuation code point to a space."""

    def __missing__(self, code: int) -> int | str:
        value: int | str = " " if unicodedata.category(chr(code)).startswith("P") else code
        self[code] = value
        return value


_PUNCTUATION = _PunctuationTable()


@dataclass(frozen=True)
class DedupRecord:
    """One item as dedup sees it: its identity, its source and its comparison text."""

    item_id: str
    source: str
    text: str
    answer: str = ""  # an MCQ's correct option texts (see answer_key); "" = no answer key
    copy_key: str = ""  # exact key of the text with options in display order (see copy_key)


def normalize_for_dedup(text: str | None) -> str:
    """normalize_text, then punctuation → space, whitespace next to CJK removed."""
    norm = normalize_text(text).translate(_PUNCTUATION)
    return _CJK_SPACE.sub("", _SPACES.sub(" ", norm)).strip()


def _options(item_row: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [o for o in (item_row.get("options") or []) if o]


def _context(item_row: Mapping[str, Any]) -> str | None:
    context = item_row.get("context")
    if not context and item_row.get("turns"):
        context = "\n".join(t.get("text") or "" for t in item_row["turns"] if t)
    return context


def _fields(item_row: Mapping[str, Any]) -> tuple[str, list[str], tuple[str, str]]:
    """Normalized question, option texts (display order) and (context, free-text answer)."""
    options = [normalize_for_dedup(o.get("text")) for o in _options(item_row)]
    tail = (
        normalize_for_dedup(_context(item_row)),
        normalize_for_dedup(item_row.get("answer_text")),
    )
    return normalize_for_dedup(item_row.get("question")), options, tail


def _joined(question: str, options: Iterable[str], tail: Iterable[str]) -> str:
    return SEGMENT_SEP.join(p for p in (question, *options, *tail) if p)


def dedup_text(item_row: Mapping[str, Any], sort_options: bool = True) -> str:
    """The normalized text an item is compared on: question, sorted options, context, answer."""
    question, options, tail = _fields(item_row)
    return _joined(question, sorted(options) if sort_options else options, tail)


def copy_key(item_row: Mapping[str, Any]) -> str:
    """Exact key of the dedup text with options in display order: equal for verbatim copies.

    Grouping uses :func:`exact_key` of :func:`dedup_text` (options sorted), so a copy with
    shuffled options joins its original without LSH; this key tells such a copy ("near",
    Jaccard 1.0) from a verbatim one ("exact").
    """
    return exact_key(dedup_text(item_row, sort_options=False))


def _answer(item_row: Mapping[str, Any], texts: Sequence[str]) -> str:
    labels = set(item_row.get("answer_labels") or [])
    options = _options(item_row)
    chosen = {t for o, t in zip(options, texts, strict=True) if o.get("label") in labels}
    return _ANSWER_SEP.join(sorted(chosen))


def answer_key(item_row: Mapping[str, Any]) -> str:
    """An MCQ's correct option texts, normalized and sorted ("" when it has no answer key).

    Label-free, so it survives option shuffling; near-duplicate MCQs must agree on it (two
    items sharing one option list but keyed to different options are different questions).
    """
    return _answer(item_row, [normalize_for_dedup(o.get("text")) for o in _options(item_row)])


def item_record(item_row: Mapping[str, Any]) -> DedupRecord:
    """An item row's DedupRecord: its dedup_text, answer_key and copy_key, computed with each
    field normalized once."""
    question, options, tail = _fields(item_row)
    return DedupRecord(
        item_id=item_row["item_id"],
        source=item_row.get("source") or "",
        text=_joined(question, sorted(options), tail),
        answer=_answer(item_row, options),
        copy_key=exact_key(_joined(question, options, tail)),
    )


def is_cjk_text(segment: str) -> bool:
    """Whether at least a third of a text's non-space characters are CJK."""
    size = len(segment) - segment.count(" ") - segment.count(SEGMENT_SEP)
    return len(_CJK_CHAR.findall(segment)) * 3 >= size > 0


def shingles(text: str, n: int = 5, cjk_n: int | None = None) -> set[str]:
    """Character n-grams of each segment (line) of a text; CJK segments use cjk_n if given.

    A segment no longer than its n is one shingle. A CJK character carries about as much as a
    Latin word, so CJK text is best shingled shorter (see DedupConfig.cjk_shingle_size).
    """
    if n < 1 or (cjk_n is not None and cjk_n < 1):
        raise ValueError("shingle size must be at least 1")
    out: set[str] = set()
    for segment in text.split(SEGMENT_SEP):
        size = cjk_n if cjk_n is not None and is_cjk_text(segment) else n
        if len(segment) <= size:
            if segment:
                out.add(segment)
        else:
            out.update(segment[i : i + size] for i in range(len(segment) - size + 1))
    return out


def exact_key(text: str) -> str:
    """Exact-duplicate key of a normalized text: first 16 hex digits of its SHA-256."""
    return short_hash(text)


def jaccard(a: set[str], b: set[str]) -> float:
    """Exact Jaccard similarity of two shingle sets (0.0 when either is empty)."""
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def records_from_rows(rows: Iterable[Mapping[str, Any]]) -> list[DedupRecord]:
    """DedupRecords of item rows (dicts holding item_id, source and the text fields)."""
    return [item_record(row) for row in rows]


def records_from_frame(frame: pl.LazyFrame | pl.DataFrame) -> list[DedupRecord]:
    """DedupRecords of a frame of items (absent text columns count as empty)."""
    lazy = frame.lazy()
    names = lazy.collect_schema().names()
    if "item_id" not in names:
        raise ValueError("an item frame needs an item_id column")
    present = [c for c in TEXT_COLUMNS if c in names]
    return records_from_rows(lazy.select(present).collect().iter_rows(named=True))
