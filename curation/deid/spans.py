"""PHI spans and how overlapping candidates are merged."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """A PHI span: code-point offsets into the text (end exclusive), category and confidence."""

    start: int
    end: int
    label: str
    score: float = 1.0
    recognizer: str = ""

    def overlaps(self, other: Span) -> bool:
        """True when the two spans share at least one character."""
        return self.start < other.end and other.start < self.end


def merge_spans(spans: list[Span]) -> list[Span]:
    """Union overlapping spans; the merged span takes the label of its best member.

    Masking the union never exposes a character that any recognizer flagged (fail closed);
    "best" is the highest score, then the longest span.
    """
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            best = max((last, span), key=lambda s: (s.score, s.end - s.start))
            merged[-1] = Span(
                last.start, max(last.end, span.end), best.label, best.score, best.recognizer
            )
        else:
            merged.append(span)
    return merged


def subtract(spans: list[Span], protected: list[tuple[int, int]]) -> list[Span]:
    """Drop candidate spans that lie entirely inside a protected (known non-PHI) region."""
    if not protected:
        return spans
    return [s for s in spans if not any(a <= s.start and s.end <= b for a, b in protected)]
