"""What clustering keeps of each item, read in one streaming pass; texts re-read on demand.

Clustering (:func:`curation.dedup.minhash.cluster_facts`) never holds every item's text or
shingle set. One pass over the items, a slice of ``BATCH_ROWS`` rows at a time
(:class:`ItemReader`), keeps per item only its item_id, source, exact key, copy key, answer
key, CJK flag, text length, shingle count and MinHash signature (:class:`ItemFacts`: numpy
arrays and polars string columns, about 4 * num_perm + 100 bytes an item). The texts of the
items LSH pairs up are read again later, a bounded set at a time, from the slices that hold
them (:data:`TextLookup`).
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import polars as pl

from curation.dedup.signatures import minhash_matrix, shingle_hashes
from curation.dedup.text import (
    TEXT_COLUMNS,
    DedupRecord,
    dedup_text,
    exact_key,
    is_cjk_text,
    item_record,
    shingles,
)

BATCH_ROWS = 8192  # items per slice read

TextLookup = Callable[[np.ndarray], dict[int, str]]
"""Dedup texts of items given by their sorted positions in the input (position → text)."""


class ShingleSizes(Protocol):
    """The part of DedupSettings that facts need: shingle sizes and signature length."""

    shingle_size: int
    cjk_shingle_size: int
    num_perm: int


@dataclass
class ItemFacts:
    """Per item, in input order, what clustering needs, without its text."""

    item_id: pl.Series
    source: pl.Series
    key: np.ndarray  # uint64: exact_key of the dedup text, as a number (0: no text)
    has_text: np.ndarray  # bool: a non-empty dedup text (an empty one is a cluster of its own)
    shingles: np.ndarray  # int64: distinct shingles of the dedup text (0: not in LSH)
    copy_key: pl.Series
    answer: pl.Series  # answer key, "" for none
    cjk: np.ndarray  # bool: the dedup text is mostly CJK
    size: np.ndarray  # int64: characters of the dedup text
    signature: np.ndarray | None  # uint32 (items x num_perm); None once LSH is done

    def __len__(self) -> int:
        return len(self.key)


_STRINGS = pl.Schema(dict.fromkeys(("item_id", "source", "copy_key", "answer"), pl.String))
_NUMBERS = {"key": np.uint64, "has_text": bool, "shingles": np.int64, "cjk": bool, "size": np.int64}


def _strings_of(record: DedupRecord) -> tuple[str, str, str, str]:
    return record.item_id, record.source, record.copy_key, record.answer


def _numbers_of(texts: Sequence[str], hashes: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
    return {
        "key": np.array([int(exact_key(t), 16) if t else 0 for t in texts], dtype=np.uint64),
        "has_text": np.array([bool(t) for t in texts], dtype=bool),
        "shingles": np.array([len(h) for h in hashes], dtype=np.int64),
        "cjk": np.array([is_cjk_text(t) for t in texts], dtype=bool),
        "size": np.array([len(t) for t in texts], dtype=np.int64),
    }


@dataclass
class BatchFacts:
    """The facts of one batch of records (what :meth:`FactsBuilder.add` collects)."""

    strings: pl.DataFrame
    numbers: dict[str, np.ndarray]
    signatures: np.ndarray


def batch_facts(records: Sequence[DedupRecord], settings: ShingleSizes) -> BatchFacts:
    """Facts of some records: shingles, MinHash signatures, keys (their texts are not kept)."""
    texts = [r.text for r in records]
    sizes = settings.shingle_size, settings.cjk_shingle_size
    hashes = shingle_hashes(shingles(t, *sizes) for t in texts)
    return BatchFacts(
        strings=pl.DataFrame([_strings_of(r) for r in records], _STRINGS, orient="row"),
        numbers=_numbers_of(texts, hashes),
        signatures=minhash_matrix(hashes, settings.num_perm),
    )


class FactsBuilder:
    """Collects ItemFacts batch by batch (signatures fill one preallocated array)."""

    def __init__(self, settings: ShingleSizes, expected: int = 0) -> None:
        self.settings = settings
        self._signature = np.empty((max(expected, 1), settings.num_perm), dtype=np.uint32)
        self._count = 0
        self._strings = [pl.DataFrame(schema=_STRINGS)]
        self._numbers = [{name: np.empty(0, dtype=dtype) for name, dtype in _NUMBERS.items()}]

    def add(self, records: Sequence[DedupRecord]) -> None:
        """Add the facts of some records (their texts are not kept)."""
        self.add_facts(batch_facts(records, self.settings))

    def add_facts(self, facts: BatchFacts) -> None:
        """Add the facts of a batch computed elsewhere (by a worker)."""
        self._append(facts.signatures)
        self._strings.append(facts.strings)
        self._numbers.append(facts.numbers)

    def _append(self, signatures: np.ndarray) -> None:
        end = self._count + len(signatures)
        if end > len(self._signature):  # more items than expected: grow
            rows = max(2 * len(self._signature), end)
            grown = np.empty((rows, self.settings.num_perm), dtype=np.uint32)
            grown[: self._count] = self._signature[: self._count]
            self._signature = grown
        self._signature[self._count : end] = signatures
        self._count = end

    def build(self) -> ItemFacts:
        """The collected facts (the builder should not be used afterwards)."""
        strings = pl.concat(self._strings)
        numbers = {name: np.concatenate([p[name] for p in self._numbers]) for name in _NUMBERS}
        return ItemFacts(
            item_id=strings["item_id"],
            source=strings["source"],
            copy_key=strings["copy_key"],
            answer=strings["answer"],
            signature=self._signature[: self._count],
            **numbers,
        )


Frames = pl.LazyFrame | pl.DataFrame | Sequence[pl.LazyFrame | pl.DataFrame]
"""Items in one frame or several (read one after another, in order)."""


@dataclass(frozen=True)
class Slice:
    """Rows [start, start + length) of the items (all frames together), as a lazy frame."""

    frame: pl.LazyFrame
    start: int
    length: int


def frame_slices(frames: Frames, rows: int) -> list[Slice]:
    """Consecutive slices of at most `rows` rows of each frame (an empty frame: one empty
    slice, which keeps its schema).

    Give one parquet scan per file (projections and casts are fine): the reader skips to a
    slice of a scan, while a slice of a concatenation is computed from its beginning.
    """
    many = [frames] if isinstance(frames, pl.LazyFrame | pl.DataFrame) else frames
    out, start = [], 0
    for frame in many:
        lazy = frame.lazy()
        total = lazy.select(pl.len()).collect().item()
        for offset in range(0, max(total, 1), rows):
            length = min(rows, total - offset)
            out.append(Slice(lazy.slice(offset, length), start + offset, length))
        start += total
    return out


def _text_columns(frame: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    lazy = frame.lazy()
    names = lazy.collect_schema().names()
    if "item_id" not in names:
        raise ValueError("an item frame needs an item_id column")
    return lazy.select([c for c in TEXT_COLUMNS if c in names])


class ItemReader:
    """The item_id, source and text columns of items, read a slice at a time, as often as
    needed (absent text columns count as empty)."""

    def __init__(self, frames: Frames, rows: int = BATCH_ROWS) -> None:
        many = [frames] if isinstance(frames, pl.LazyFrame | pl.DataFrame) else frames
        self.slices = frame_slices([_text_columns(f) for f in many], rows)

    def __len__(self) -> int:
        return self.slices[-1].start + self.slices[-1].length if self.slices else 0

    def batches(self) -> Iterator[pl.DataFrame]:
        """Every row, a slice at a time, in input order."""
        for piece in self.slices:
            yield piece.frame.collect()

    def rows_at(self, positions: np.ndarray) -> Iterator[tuple[int, dict]]:
        """(position, row) of the rows at sorted positions; reads only the slices holding one."""
        for piece in self.slices:
            lo, hi = np.searchsorted(positions, (piece.start, piece.start + piece.length))
            if hi > lo:
                picked = positions[lo:hi]
                rows = piece.frame.collect()[(picked - piece.start).tolist()]
                yield from zip(picked.tolist(), rows.iter_rows(named=True), strict=True)


def _facts_of_batch(batch: pl.DataFrame, settings: ShingleSizes) -> BatchFacts:
    return batch_facts([item_record(row) for row in batch.iter_rows(named=True)], settings)


def facts_from_reader(reader: ItemReader, settings: ShingleSizes, workers: int = 1) -> ItemFacts:
    """ItemFacts of every item, in one pass over the reader; with `workers` > 1 the batches
    are shingled and signed in that many processes (at most two batches each in flight), and
    collected in input order, so the facts do not depend on the worker count."""
    builder = FactsBuilder(settings, len(reader))
    if workers <= 1 or len(reader.slices) < 2:
        for batch in reader.batches():
            builder.add_facts(_facts_of_batch(batch, settings))
        return builder.build()
    context = multiprocessing.get_context("spawn")  # polars' threads do not survive a fork
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        pending: deque[Future[BatchFacts]] = deque()
        for batch in reader.batches():
            pending.append(pool.submit(_facts_of_batch, batch, settings))
            if len(pending) >= 2 * workers:
                builder.add_facts(pending.popleft().result())
        while pending:
            builder.add_facts(pending.popleft().result())
    return builder.build()


def facts_from_records(
    records: Sequence[DedupRecord], settings: ShingleSizes, rows: int = BATCH_ROWS
) -> ItemFacts:
    """ItemFacts of records already in memory."""
    builder = FactsBuilder(settings, len(records))
    for start in range(0, len(records), rows):
        builder.add(records[start : start + rows])
    return builder.build()


def reader_texts(reader: ItemReader) -> TextLookup:
    """A TextLookup that re-reads the items, computing dedup texts of the wanted rows only."""
    return lambda positions: {i: dedup_text(row) for i, row in reader.rows_at(positions)}


def record_texts(records: Sequence[DedupRecord]) -> TextLookup:
    """A TextLookup over records already in memory."""
    return lambda positions: {i: records[i].text for i in positions.tolist()}
