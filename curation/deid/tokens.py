"""Capitalized words of a text, shared by the name and city recognizers (tokenized once)."""

from __future__ import annotations

import re
from functools import lru_cache

# a capital of the Latin, Greek, Cyrillic or Armenian script (the class also holds some small
# letters, dropped below), then letters, with inner apostrophes/hyphens (O'Brien). Starting the
# pattern with a character class lets the regex engine skip ahead to candidates: twice as fast
# on clinical notes as a leading \b.
_TOKEN = re.compile(
    r"[A-Z\u00c0-\u00d6\u00d8-\u00de\u0100-\u024f\u0370-\u03ff\u0400-\u042f\u0531-\u0556"
    # … at a word start: the look-behind, placed after the first character so the class
    # still leads, sees that the character before it is no letter, digit or underscore (x2A)
    r"\u1e00-\u1eff](?<!\w.)[^\W\d_]*(?:['’-][^\W\d_]+)*\.?"
)

Token = tuple[int, int, str]

# a writer who starts a line in lowercase may not capitalize names either: the condition (and
# batch trigger) of the lowercase name and address rules (2 of 4,966 MTSamples notes)
LOWERCASE_WRITER = r"(?m)^[^A-Za-z\n]{0,4}[a-z]"
_LOWERCASE_WRITER = re.compile(LOWERCASE_WRITER)


def lowercase_writer(text: str) -> bool:
    """Whether a line of the text starts in lowercase."""
    return _LOWERCASE_WRITER.search(text) is not None


_WORD_START = re.compile(r"(?<![^\W\d_])[^\W\d_]")


def lowercase_text(text: str) -> bool:
    """Whether the writer does not capitalize at all: a lowercase line start and under one word
    in twenty capitalized ('cormac had given cormac his address'). A lone lowercase first name
    is taken for a name only in such text."""
    if not lowercase_writer(text):
        return False
    starts = _WORD_START.findall(text)
    return sum(c.isupper() for c in starts) * 20 < len(starts)


@lru_cache(maxsize=4)
def capitalized_tokens(text: str) -> tuple[Token, ...]:
    """(start, end, word) of every capitalized word or initial; a sentence-final period is cut
    from words ("Smith." → "Smith") but kept on initials ("J.")."""
    return tuple(_tokens(text, 0, len(text)))


def _tokens(text: str, pos: int, endpos: int) -> list[Token]:
    tokens: list[Token] = []
    for m in _TOKEN.finditer(text, pos, endpos):
        start, end, word = m.start(), m.end(), m.group()
        if not word[0].isupper():
            continue
        if word.endswith(".") and len(word) > 2:
            tokens.append((start, end - 1, word[:-1]))
        else:
            tokens.append((start, end, word))
    return tokens
