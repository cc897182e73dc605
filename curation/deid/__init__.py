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


def scan_texts(texts: Sequence[str], langs: Sequence[str | None] | None = None) -> list[ScanResult]:
    """Detect PHI in a batch of texts and replace it with placeholders (for evaluation)."""
    detector = Detector()
    policy = load_policy()
    languages = [
        lang or detect_language(t)
        for t, lang in zip(texts, langs or [None] * len(texts), strict=True)
    ]
    replacer = RecordReplacer(policy, b"", "", placeholders_only=True)
    return [
        ScanResult(spans, replacer.apply(text, spans, lang), lang)
        for text, lang, spans in zip(
            texts,
            languages,
            [
                propagate([t], [s])[0]
                for t, s in zip(texts, detector.detect_many(texts, languages), strict=True)
            ],
            strict=True,
        )
    ]
