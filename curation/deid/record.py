"""PHI detection in a record's texts: the one path every user of the detector goes through.

`curate deid scan`, :func:`curation.deid.scan_texts` (and so the benchmarks), the deid stage
(:class:`curation.stages.deid.RecordDeidentifier`) and the review edit screen
(:func:`curation.stages.review.screen_edit`) all call :class:`RecordDetector`, so the figures
published are the figures shipped. What it fixes, once:

- settings: :class:`DetectionSettings` (params.yaml, section ``deid``; defaults equal it);
- registry: the default registry of every recognizer;
- language: one per record, as given (``zh``, ``en``, ``zh-CN``, ``EN`` …), else detected
  from all of the record's texts;
- detection: ``Detector.detect_many`` (triggers vectorized) over all texts of a batch;
- propagation: a value found in one text of a record is masked wherever it recurs in the
  record's texts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from curation.deid.engine import Detector, propagate
from curation.deid.invisible import restore, visible
from curation.deid.spans import Span
from curation.language import detect_language

LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class DetectionSettings:
    """What decides which spans are found (the deid section of params.yaml)."""

    min_score: float = 0.5  # lowest recognizer confidence that is masked
    time_budget: float = 20.0  # seconds one text may take before it is given up (DetectionTimeout)


def record_language(texts: Sequence[str], language: str | None = None) -> str:
    """The language a record is detected in: the given one if it names zh or en (any case,
    any region suffix), else the language of all its texts together."""
    given = (language or "").strip().lower().replace("_", "-").split("-")[0]
    if given in LANGUAGES:
        return given
    return detect_language("\n".join(texts))


class RecordDetector:
    """Finds PHI in records (each a list of texts), with one set of settings."""

    def __init__(self, settings: DetectionSettings | None = None) -> None:
        self.settings = settings or DetectionSettings()
        self.detector = Detector(
            min_score=self.settings.min_score, time_budget=self.settings.time_budget
        )

    def detect_records(
        self, records: Sequence[Sequence[str]], languages: Sequence[str | None] | None = None
    ) -> list[list[list[Span]]]:
        """Spans per text per record (offsets into each text, sorted, non-overlapping)."""
        views = [[visible(t or "") for t in texts] for texts in records]
        records = [[shown for shown, _ in texts] for texts in views]
        langs = [
            record_language(texts, lang)
            for texts, lang in zip(records, languages or [None] * len(records), strict=True)
        ]
        flat = self.detector.detect_many(
            [t for texts in records for t in texts],
            [lang for texts, lang in zip(records, langs, strict=True) for _ in texts],
        )
        out, cursor = [], 0
        for texts, view in zip(records, views, strict=True):
            found = propagate(texts, flat[cursor : cursor + len(texts)])
            out.append([restore(s, kept) for s, (_, kept) in zip(found, view, strict=True)])
            cursor += len(texts)
        return out

    def detect_record(self, texts: Sequence[str], language: str | None = None) -> list[list[Span]]:
        """Spans per text of one record."""
        return self.detect_records([texts], [language])[0]


def record_detector(settings: DetectionSettings | None = None) -> RecordDetector:
    """The shared detector of these settings (its recognizers load once per process)."""
    return _record_detector(settings or DetectionSettings())


@cache
def _record_detector(settings: DetectionSettings) -> RecordDetector:
    return RecordDetector(settings)
