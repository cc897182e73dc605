"""Bilingual (zh + en) clinical de-identification.

>>> from curation.deid import scan_texts
>>> [r.text for r in scan_texts(["联系电话13812345678"], ["zh"])]
['联系电话[电话]']
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from curation.deid.engine import Detector
from curation.deid.policy import load_policy
from curation.deid.record import (
    DetectionSettings,
    RecordDetector,
    record_detector,
    record_language,
)
from curation.deid.spans import Span
from curation.deid.surrogates import RecordReplacer
from curation.language import detect_language

__all__ = [
    "DetectionSettings",
    "Detector",
    "RecordDetector",
    "ScanResult",
    "Span",
    "detect_language",
    "record_detector",
    "scan_texts",
]


@dataclass(frozen=True)
class ScanResult:
    """Spans found in one text and the text with every span replaced by its typed tag."""

    spans: list[Span]
    text: str
    language: str


def scan_texts(
    texts: Sequence[str],
    langs: Sequence[str | None] | None = None,
    workers: int = 1,
    records: Sequence[Hashable | None] | None = None,
    settings: DetectionSettings | None = None,
) -> list[ScanResult]:
    """Detect PHI in a batch of texts and replace it with placeholders (for evaluation).

    Texts that share a `records` key are one record (one language, values propagated across
    them), as the deid stage sees a record's fields; a text without a key is a record of its
    own. Detection is :class:`~curation.deid.record.RecordDetector`'s, the stage's path. With
    `workers` > 1 a large batch is split over that many worker processes (each loads the
    recognizers once, about 0.3 s).
    """
    groups = _record_groups(len(texts), records)
    langs = list(langs or [None] * len(texts))
    if workers > 1 and len(texts) >= 1000:
        return _scan_parallel(list(texts), langs, groups, workers, settings)
    batch = [[texts[i] for i in group] for group in groups]
    languages = [
        record_language(texts_of, next((langs[i] for i in group if langs[i]), None))
        for group, texts_of in zip(groups, batch, strict=True)
    ]
    found = record_detector(settings).detect_records(batch, languages)
    replacer = RecordReplacer(load_policy(), b"", "", placeholders_only=True)
    results: list[ScanResult | None] = [None] * len(texts)
    for group, lang, spans_of in zip(groups, languages, found, strict=True):
        for i, spans in zip(group, spans_of, strict=True):
            results[i] = ScanResult(spans, replacer.apply(texts[i], spans, lang), lang)
    return [r for r in results if r is not None]


def _record_groups(size: int, records: Sequence[Hashable | None] | None) -> list[list[int]]:
    """Indexes of the texts of each record, in order of first appearance."""
    if records is None:
        return [[i] for i in range(size)]
    if len(records) != size:
        raise ValueError(f"{len(records)} record keys for {size} texts")
    groups: dict[Hashable, list[int]] = {}
    for i, key in enumerate(records):
        groups.setdefault(("key", key) if key is not None else ("text", i), []).append(i)
    return list(groups.values())


_Chunk = tuple[list[str], list[str | None], list[int], DetectionSettings | None]


def _scan_chunk(args: _Chunk) -> list[ScanResult]:
    return scan_texts(args[0], args[1], records=args[2], settings=args[3])


def _scan_parallel(
    texts: list[str],
    langs: list[str | None],
    groups: list[list[int]],
    workers: int,
    settings: DetectionSettings | None,
) -> list[ScanResult]:
    import multiprocessing

    # whole records per chunk; spawn, not fork: polars' thread pool must not be forked
    size = -(-len(groups) // workers)
    chunks: list[_Chunk] = []
    order: list[int] = []
    for k in range(0, len(groups), size):
        members = [i for group in groups[k : k + size] for i in group]
        owner = [n for n, group in enumerate(groups[k : k + size]) for _ in group]
        chunks.append(([texts[i] for i in members], [langs[i] for i in members], owner, settings))
        order += members
    with multiprocessing.get_context("spawn").Pool(len(chunks)) as pool:
        parts = pool.map(_scan_chunk, chunks)
    results: list[ScanResult | None] = [None] * len(texts)
    for i, result in zip(order, (r for part in parts for r in part), strict=True):
        results[i] = result
    return [r for r in results if r is not None]
