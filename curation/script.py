"""Chinese script: a length-preserving Traditional → Simplified character mapping.

Every Chinese rule is written in Simplified characters. The detector runs them on
``to_simplified(text)``, which changes characters one for one (醫師 → 医师, 臺北 → 台北), so a
span found on the normalized text has the same offsets in the original. The table comes from
OpenCC's character dictionaries (``t2s``; with ``tw2s``'s Taiwan variants for a Traditional
text): each character is converted on its own, and kept only when it becomes exactly one other
character. Replacements written into a Traditional text are converted back (``s2tw``).
Specialty tagging, which needs no offsets, reads a Traditional text in mainland words
(:func:`to_mainland`).
"""

from __future__ import annotations

import re
from functools import cache

import opencc

# Han ranges converted: CJK Unified Ideographs (+ Extension A), compatibility ideographs,
# and the supplementary ideographic plane
_HAN_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2FA20))
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
# a text is Traditional when this share of its Han characters change under the mapping
# (Traditional prose: 20–40 %; Simplified text with a stray Traditional name: a few %)
TRADITIONAL_SHARE = 0.08


def _character_table(config: str) -> dict[int, str]:
    """Every Han character that OpenCC's `config` turns into exactly one other character."""
    chars = [chr(c) for start, end in _HAN_RANGES for c in range(start, end)]
    # one character per line: no phrase can match across the newlines
    converted = opencc.OpenCC(config).convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # a converted line that swallowed a newline
        raise RuntimeError(f"OpenCC {config}: the character table is misaligned")
    return {
        ord(c): new for c, new in zip(chars, converted, strict=True) if len(new) == 1 and new != c
    }


@cache
def simplified_table() -> dict[int, str]:
    """Traditional → Simplified, one character for one (OpenCC ``t2s``: 醫 → 医, 臺 → 台)."""
    return _character_table("t2s")


@cache
def taiwan_table() -> dict[int, str]:
    """:func:`simplified_table` plus the Taiwan variants of ``tw2s`` (痺 → 痹, 著 → 着).

    Used only on Traditional texts: some of those variants are ordinary Simplified characters
    too (著 in 著名, 么 in 什么) and must stay in a Simplified text.
    """
    return {**simplified_table(), **_character_table("tw2s")}


def han_count(text: str) -> int:
    """How many Han characters a text holds."""
    return len(_HAN.findall(text))


def _mostly_changed(text: str, simplified: str) -> bool:
    """Whether enough Han characters of `text` differ in `simplified` to call it Traditional."""
    changed = sum(map(str.__ne__, text, simplified))
    return changed >= 2 and changed >= TRADITIONAL_SHARE * han_count(text)


@cache
def _convertible() -> frozenset[str]:
    """The characters :func:`simplified_table` changes: a text holding none of them is left as
    it is, found without translating it (``isdisjoint`` is several times faster)."""
    return frozenset(map(chr, simplified_table()))


def is_traditional(text: str) -> bool:
    """Whether a text is written in Traditional characters (a real share of its Han
    characters change under the Traditional → Simplified mapping)."""
    if text.isascii() or _convertible().isdisjoint(text):
        return False
    simplified = text.translate(simplified_table())
    return simplified != text and _mostly_changed(text, simplified)


def to_simplified(text: str) -> str:
    """The text with Traditional characters mapped to Simplified ones, one for one (same
    length, same offsets). Taiwan variants are folded too when the text is Traditional."""
    if text.isascii() or _convertible().isdisjoint(text):
        return text
    simplified = text.translate(simplified_table())
    if simplified == text:
        return text
    return text.translate(taiwan_table()) if _mostly_changed(text, simplified) else simplified


@cache
def _tw2sp() -> opencc.OpenCC:
    return opencc.OpenCC("tw2sp")


def to_mainland(text: str) -> str:
    """The text as mainland Simplified Chinese, words included: a Traditional text goes through
    OpenCC's phrase-aware ``tw2sp`` (心肌梗塞 → 心肌梗死, 軟體 → 软件), any other through
    :func:`to_simplified`. Not length-preserving: for reading (specialty tagging), not for
    offsets."""
    if text.isascii():
        return text
    return _tw2sp().convert(text) if is_traditional(text) else to_simplified(text)


@cache
def _s2tw() -> opencc.OpenCC:
    return opencc.OpenCC("s2tw")


def to_traditional(text: str) -> str:
    """Simplified → Traditional (Taiwan standard), phrase-aware: for replacement text written
    into a Traditional record ([电话] → [電話], a surrogate name or address). Not
    length-preserving."""
    return text if text.isascii() else _s2tw().convert(text)
