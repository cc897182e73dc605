"""Cutting a sequence into consecutive runs of bounded total size."""

from __future__ import annotations

from collections.abc import Iterator, Sequence


def bounded_runs(sizes: Sequence[int], limit: int) -> Iterator[range]:
    """Consecutive runs of indices whose sizes total at most `limit` (a larger one alone)."""
    start, total = 0, 0
    for k, size in enumerate(sizes):
        if k > start and total + size > limit:
            yield range(start, k)
            start, total = k, 0
        total += size
    if len(sizes) > start:
        yield range(start, len(sizes))
