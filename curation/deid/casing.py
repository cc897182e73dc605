"""Case normalization for detection: lines written all in capitals get a readable case.

Nursing notes are often typed in capitals ("E. WELSH AWARE. K, CA, MAG REPLETED"). The precise
English recognizers read capitalization, and in such a line every word looks like a proper
name: "K, CA" becomes a town in California. ``truecase`` rewrites each such line one character
for one (so offsets stay valid): known names and cities that are no dictionary word get a
capital initial (Barbara, Rome), a word after an initial keeps one (E. Welsh), and every other
word goes to lowercase: function, everyday and clinical words (HO, PT, CA), and words nothing
explains (QUARTERMAIN, SUCTIONIGN), which the safety net judges by their position. The
detector runs on the result; the text itself is never changed.
"""

from __future__ import annotations

import re

from curation.deid.vocabulary import proper_word, word_class

# a necessary condition of a line in capitals, tested in C: a capital and ten more characters
# without a small letter (a line in capitals has several such runs)
_CAPS_RUN = re.compile(r"[A-Z][^a-z\n]{10}")
_LINE = re.compile(r"[^\n]*[A-Z][^a-z\n]{10}[^\n]*")
# ASCII letters, counted in UTF-8 bytes: no byte of a multi-byte character is ASCII
_UPPER = bytes(range(ord("A"), ord("Z") + 1))
_LOWER = bytes(range(ord("a"), ord("z") + 1))
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
_INITIAL_BEFORE = re.compile(r"(?<![A-Za-z])[A-Z]\.[ \t]?$")
MIN_WORDS = 6  # shorter lines (headings, 'Patient: DOE, JANE  MRN 123') keep their case
UPPER_SHARE = 0.8  # a line is 'in capitals' when this share of its letters is upper case
MIN_NOTE_WORDS = 30  # a shorter text in capitals ('ZIP: 7412 SL') is a header, not a note


def truecase(text: str) -> str:
    """The text with every line written in capitals re-cased for detection (same length).

    A short line in capitals is re-cased only when the whole text is written in capitals (a
    nursing note typed with caps lock); in a text written in mixed case it is a heading or a
    labeled header ('Patient: DOE, JANE  MRN 123') whose capitals the label rules read.
    """
    if not _CAPS_RUN.search(text):
        return text
    all_caps = _upper_share(text) >= UPPER_SHARE and len(_WORD.findall(text)) >= MIN_NOTE_WORDS
    return _LINE.sub(lambda m: _recase_line(m.group(), all_caps), text)


def _upper_share(text: str) -> float:
    raw = text.encode("utf-8", "surrogatepass")
    upper = len(raw) - len(raw.translate(None, _UPPER))
    lower = len(raw) - len(raw.translate(None, _LOWER))
    return upper / max(1, upper + lower)


def _recase_line(line: str, all_caps: bool) -> str:
    if _upper_share(line) < UPPER_SHARE:
        return line
    if not all_caps and len(_WORD.findall(line)) < MIN_WORDS:
        return line
    recased = _WORD.sub(_recase_word, line)
    first = _WORD.search(recased)  # sentence case: a line still starts with a capital
    if first is None:
        return recased
    return recased[: first.start()] + recased[first.start()].upper() + recased[first.start() + 1 :]


def _recase_word(match: re.Match[str]) -> str:
    word = match.group()
    if len(word) == 1:  # an initial (E. WELSH) keeps its capital; K in 'K, CA' does not
        return word if match.string[match.end() : match.end() + 1] == "." else word.lower()
    cls = word_class(word)
    if _INITIAL_BEFORE.search(
        match.string, max(0, match.start() - 3), match.start()
    ) and cls not in (
        "stop",
        "clinical",
    ):
        return word[0] + word[1:].lower()  # E. WELSH: a surname after an initial stays one
    if proper_word(word):
        return word[0].upper() + word[1:].lower()
    return word.lower()
