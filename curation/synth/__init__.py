"""Deterministic generator of MedCurate's bundled synthetic sample sources.

All content is invented by this package (seeded RNG + seeded Faker); gold PHI spans are
recorded while the text is assembled, so they are exact code-point offsets.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .builder import LABELS, Span, SynthRecord, TextBuilder
from .sources import DEFAULT_SEED, GENERATORS
from .writers import COLUMNS, FILES, write_source

SOURCES: tuple[str, ...] = ("exam_zh", "records_zh", "dialogues_zh", "notes_en", "exam_en")

__all__ = [
    "COLUMNS",
    "DEFAULT_SEED",
    "FILES",
    "LABELS",
    "SOURCES",
    "Span",
    "SynthRecord",
    "TextBuilder",
    "generate_all",
    "iter_source",
]


def iter_source(name: str, seed: int = DEFAULT_SEED) -> Iterator[SynthRecord]:
    """Yield the records of one source; identical to what ``generate_all`` writes."""
    if name not in GENERATORS:
        raise KeyError(f"unknown synthetic source {name!r}; expected one of {SOURCES}")
    return GENERATORS[name](seed)


def generate_all(out_dir: Path, seed: int = DEFAULT_SEED) -> dict[str, Path]:
    """Write all five sources under ``out_dir``; return source name -> file path."""
    return {name: write_source(name, iter_source(name, seed), Path(out_dir)) for name in SOURCES}
