"""Bilingual (zh + en) clinical de-identification.

>>> from curation.deid import scan_texts
>>> [r.text for r in scan_texts(["联系电话13812345678"], ["zh"])]
['联系电话[电话]']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from curation.deid.engine import Detector, propagate
from curation.deid.language import detect_language
from curation.deid.policy import load_policy
from curation.deid.spans import Span
from curation.deid.surrogates import RecordReplacer

__all__ = ["Detector", "ScanResult", "Span", "detect_language", "scan_texts"]


@dataclass(frozen=True)
class ScanResult:
    """Spans found in one text and the text with every span replaced by its typed tag."""

    spans: list[Span]
    text: str
    language: str


def scan_texts(
    texts: Sequence[str], langs: Sequence[str | None] | None = None, workers: int = 1
) -> list[ScanResult]:
    """Detect PHI in a batch of texts and replace it with placeholders (for evaluation).

    With `workers` > 1 a large batch is split over that many worker processes (each loads
    the recognizers once, about 0.3 s).
    """
    if workers > 1 and len(texts) >= 1000:
        return _scan_parallel(list(texts), list(langs or [None] * len(texts)), workers)
    detector = Detector()
    policy = load_policy()
    languages = [
        lang or detect_language(t)
        for t, lang in zip(texts, langs or [None] * len(texts), strict=True)
    ]
    replacer = RecordReplacer(policy, b"", "", placeholders_only=True)
    found = detector.detect_many(texts, languages)
    return [
        ScanResult(spans, replacer.apply(text, spans, lang), lang)
        for text, lang, spans in zip(
            texts,
            languages,
            [propagate([t], [s])[0] for t, s in zip(texts, found, strict=True)],
            strict=True,
        )
    ]


def _scan_chunk(args: tuple[list[str], list[str | None]]) -> list[ScanResult]:
    return scan_texts(args[0], args[1])


def _scan_parallel(texts: list[str], langs: list[str | None], workers: int) -> list[ScanResult]:
    import multiprocessing

    # spawn, not fork: polars' thread pool must not be forked
    size = -(-len(texts) // workers)
    chunks = [(texts[i : i + size], langs[i : i + size]) for i in range(0, len(texts), size)]
    with multiprocessing.get_context("spawn").Pool(len(chunks)) as pool:
        parts = pool.map(_scan_chunk, chunks)
    return [result for part in parts for result in part]
