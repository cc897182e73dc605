"""Text assembly with exact gold PHI spans."""

from __future__ import annotations

from dataclasses import dataclass, field

LABELS: frozenset[str] = frozenset(
    {"NAME", "DATE", "AGE", "PHONE", "CONTACT", "ID", "ADDRESS", "ORGANIZATION"}
)


@dataclass(frozen=True)
class Span:
    """A gold PHI span: Python ``str`` code-point offsets, ``end`` exclusive."""

    start: int
    end: int
    label: str


class TextBuilder:
    """Append literal text and PHI values; PHI values get their exact span recorded."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._pos = 0
        self._spans: list[Span] = []

    def add(self, text: str) -> TextBuilder:
        """Append literal (non-PHI) text."""
        self._parts.append(text)
        self._pos += len(text)
        return self

    def phi(self, text: str, label: str) -> TextBuilder:
        """Append a PHI value and record its span with ``label``."""
        if label not in LABELS:
            raise ValueError(f"unknown PHI label {label!r}")
        if not text or text != text.strip():
            raise ValueError(f"PHI value must be non-empty and stripped: {text!r}")
        self._spans.append(Span(self._pos, self._pos + len(text), label))
        return self.add(text)

    def __len__(self) -> int:
        return self._pos

    def build(self) -> tuple[str, list[Span]]:
        """Return the assembled text and its spans (in text order)."""
        return "".join(self._parts), list(self._spans)


@dataclass
class SynthRecord:
    """One synthetic row: written fields, gold PHI spans per column, intended breakage."""

    fields: dict[str, str | None]
    spans: dict[str, list[Span]] = field(default_factory=dict)
    broken: str | None = None
    duplicate_of: str | None = None
