"""Capitalized words of a text, shared by the name and city recognizers (tokenized once)."""

from __future__ import annotations

import re
from functools import lru_cache

# a letter that is not ASCII lowercase, then letters, with inner apostrophes/hyphens (O'Brien)
_TOKEN = re.compile(r"\b[^\W\d_a-z][^\W\d_]*(?:['’-][^\W\d_]+)*\.?")

Token = tuple[int, int, str]

# a writer who starts a line in lowercase may not capitalize names either: the trigger of the
# lowercase name and address rules (2 of 4,966 MTSamples notes hold such a line)
LOWERCASE_WRITER = r"(?m)^[^A-Za-z\n]{0,4}[a-z]"


@lru_cache(maxsize=4)
def capitalized_tokens(text: str) -> tuple[Token, ...]:
    """(start, end, word) of every capitalized word or initial; a sentence-final period is cut
    from words ("Smith." → "Smith") but kept on initials ("J.")."""
    tokens = []
    for m in _TOKEN.finditer(text):
        word = m.group()
        if not word[0].isupper():
            continue
        if word.endswith(".") and len(word) > 2:
            tokens.append((m.start(), m.end() - 1, word[:-1]))
        else:
            tokens.append((m.start(), m.end(), word))
    return tuple(tokens)
