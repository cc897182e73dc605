"""Characters no reader sees: zero-width spaces and joiners, bidi controls, soft hyphens,
variation selectors, the byte-order mark. Written inside an identifier (``Jo\u200bhn``,
``0912\u2060345678``, an email with a right-to-left override) they would hide it from every
pattern, so detection reads the text without them and maps its spans back; a span then covers
the invisible characters inside it, and the replacement removes them with the value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from curation.deid.spans import Span

INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)


def visible(text: str) -> tuple[str, list[int] | None]:
    """The text without invisible characters and, when any was removed, the offset in the
    original of each character kept (None: nothing removed, offsets are the same)."""
    if not INVISIBLE.search(text):
        return text, None
    kept = [i for i, char in enumerate(text) if not INVISIBLE.match(char)]
    return "".join(text[i] for i in kept), kept


def restore(spans: Sequence[Span], kept: list[int] | None) -> list[Span]:
    """Spans over the visible text, moved back onto the original (see :func:`visible`)."""
    if kept is None:
        return list(spans)
    return [replace(s, start=kept[s.start], end=kept[s.end - 1] + 1) for s in spans]
