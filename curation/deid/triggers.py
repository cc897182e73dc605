"""Batch triggers: which texts a recognizer can possibly match, tested over many texts at once.

A recognizer's ``trigger`` (Rust regex syntax) is a necessary condition of its pattern; the
detector runs the pattern only on texts the trigger matches. :func:`trigger_masks` tests every
trigger over a chunk of texts in one polars pass (Rust's regex engine, vectorized).

Word boundaries. A Unicode ``\\b`` stops Rust's fast DFA on any non-ASCII text (all Chinese
text), which then runs a much slower engine: it was most of the triggers' cost. An ASCII
boundary ``(?-u:\\b)`` runs in the DFA. :func:`fast_trigger` rewrites each boundary of a
trigger so that the trigger stays a necessary condition:

- where the pattern always puts an ASCII word character on one side of it
  (``\\b(?:seen|saw)``, ``[A-Z]{2}\\b``), the boundary becomes ASCII. The two kinds differ
  only next to a non-ASCII word character (者, é, ٣); with an ASCII word character on one side,
  a Unicode boundary means the other side is no word character in Unicode, so none in ASCII
  either: the rewritten trigger matches wherever the original does (and in a few more texts);
- anywhere else (next to ``\\d``, ``.``, a non-ASCII letter) it is dropped: without an
  assertion a pattern matches wherever it matched with it.

A case-insensitive ASCII letter also matches two non-ASCII letters (K, the Kelvin sign, for
k; ſ for s): texts holding one of :data:`FOLDS_TO_ASCII` run every rewritten recognizer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from re import _constants as sre  # the standard library's regex parser: the syntax tree
from re import _parser as sre_parse

import polars as pl

ASCII_BOUNDARY = r"(?-u:\b)"
# letters that a case-insensitive ASCII letter matches (Rust: K→k, ſ→s; Python also İ, ı)
FOLDS_TO_ASCII = "[\u0130\u0131\u017f\u212a]"
# what fast_trigger reads as one token: a boundary (Unicode or ASCII), a Unicode class
# (Python's parser cannot read \p{Lu}: read as any character), any other escape
_TOKEN = re.compile(r"\(\?-u:\\b\)|\\b|\\[pP](?:\{[^}]*\}|.)|\\.", re.S)
# Rust syntax Python would read as something else: POSIX and nested classes, set operations
_UNREADABLE = re.compile(r"\[:|\[\[|&&|~~|--|\\B")
_MARK = r"\B"  # stands for the boundary under study while the pattern is parsed
_ASCII_WORD = frozenset(map(ord, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"))
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
# a mark inside these is not followed: a repeat's neighbour can be the repeat itself, and a
# look-around's text is matched again by what follows it
_OPAQUE = (*_REPEATS, sre.ASSERT, sre.ASSERT_NOT)


@cache
def fast_trigger(pattern: str) -> str:
    """The trigger with each word boundary made ASCII where that is provably safe and dropped
    elsewhere (see the module's docstring): a necessary condition still, and fast."""
    rust: list[str | None] = []  # the pattern in pieces, None for each boundary
    python: list[str | None] = []  # the same pieces as Python's parser reads them
    pos = 0
    for token in _TOKEN.finditer(pattern):
        rust.append(pattern[pos : token.start()])
        python.append(pattern[pos : token.start()])
        text = token.group()
        boundary = text in (r"\b", ASCII_BOUNDARY)
        rust.append(None if boundary else text)
        python.append(None if boundary else "." if text[1] in "pP" else text)
        pos = token.end()
    rust.append(pattern[pos:])
    python.append(pattern[pos:])
    readable = not _UNREADABLE.search(pattern)
    out = []
    for k, piece in enumerate(rust):
        if piece is not None:
            out.append(piece)
        elif readable and _ascii_side(_marked(python, k)):
            out.append(ASCII_BOUNDARY)
    return "".join(out)


def _marked(pieces: list[str | None], k: int) -> str:
    """The pattern with its boundary at piece k written as the mark, the others as ``\\b``."""
    return "".join(
        piece if piece is not None else _MARK if j == k else r"\b" for j, piece in enumerate(pieces)
    )


def _ascii_side(marked: str) -> bool:
    """Whether the pattern puts an ASCII word character on one side of the mark, always."""
    try:
        tree = sre_parse.parse(marked)
    except (re.error, ValueError, OverflowError):
        return False  # syntax Python cannot read
    path = _path_to_mark(tree.data)
    if path is None:
        return False
    return _side(path, forward=True) or _side(path, forward=False)


Items = list  # a sequence of (opcode, argument) nodes of the parsed pattern


def _path_to_mark(items: Items) -> list[tuple[Items, int]] | None:
    """The sequences from the root down to the mark, each with the index taken in it; None when
    the mark sits where this cannot follow it (:data:`_OPAQUE`)."""
    for i, (op, av) in enumerate(items):
        if op is sre.AT and av is sre.AT_NON_BOUNDARY:
            return [(items, i)]
        for inner in _children(op, av):
            found = _path_to_mark(inner)
            if found is not None:
                return None if op in _OPAQUE else [(items, i), *found]
    return None


def _children(op: object, av: object) -> list[Items]:
    if op is sre.BRANCH:
        return [alt.data for alt in av[1]]
    if op is sre.SUBPATTERN:
        return [av[3].data]
    if op in _REPEATS:
        return [av[2].data]
    if op is sre.ATOMIC_GROUP:
        return [av.data]
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return [av[1].data]
    return []


def _side(path: list[tuple[Items, int]], forward: bool) -> bool:
    """Whether the character next to the mark on that side is always an ASCII word one: the
    first character matched after it (forward) or the last before it, looking outward through
    the enclosing groups and alternatives while what lies between may match nothing."""
    for items, i in reversed(path):
        rest = items[i + 1 :] if forward else items[:i][::-1]
        chars, empty = _edge(rest, forward)
        if chars is None or not chars <= _ASCII_WORD:
            return False
        if not empty:
            return bool(chars)
    return False  # the match may end at the mark: the neighbour is outside the pattern


def _edge(items: Items, forward: bool) -> tuple[frozenset[int] | None, bool]:
    """The characters a sequence (read in `forward` order) can start with, and whether it can
    match nothing; None: any character, or a construct this does not follow."""
    chars: set[int] = set()
    for op, av in items:
        if op is sre.AT:
            continue  # an assertion matches no character
        one, empty = _node(op, av, forward)
        if one is None:
            return None, False
        chars |= one
        if not empty:
            return frozenset(chars), False
    return frozenset(chars), True


def _node(op: object, av: object, forward: bool) -> tuple[frozenset[int] | None, bool]:
    if op is sre.LITERAL:
        return _cased(av), False
    if op is sre.IN:
        return _class(av), False
    if op is sre.BRANCH:
        edges = [_edge(_ordered(alt.data, forward), forward) for alt in av[1]]
        if any(chars is None for chars, _ in edges):
            return None, False
        return frozenset().union(*(c for c, _ in edges)), any(e for _, e in edges)
    if op is sre.SUBPATTERN:
        return _edge(_ordered(av[3].data, forward), forward)
    if op in _REPEATS:
        low, _, body = av
        chars, empty = _edge(_ordered(body.data, forward), forward)
        return chars, empty or low == 0
    return None, False  # any character, a negation, a back-reference, a look-around


def _ordered(items: Items, forward: bool) -> Items:
    return list(items) if forward else list(items)[::-1]


def _cased(code: int) -> frozenset[int]:
    """A literal and its other case (an ASCII letter's is ASCII, but for FOLDS_TO_ASCII)."""
    char = chr(code)
    return frozenset({code, *map(ord, char.swapcase()[:1])})


def _class(items: list) -> frozenset[int] | None:
    chars: set[int] = set()
    for op, av in items:
        if op is sre.LITERAL:
            chars |= _cased(av)
        elif op is sre.RANGE and av[1] - av[0] < 256:
            for code in range(av[0], av[1] + 1):
                chars |= _cased(code)
        else:  # a negation, a category such as \d or \w (Unicode), a wide range
            return None
    return frozenset(chars)


def trigger_masks(texts: list[str], recognizers: Sequence) -> list[list[bool] | None]:
    """Per recognizer, whether each text holds its trigger (None: no trigger, always run)."""
    frame = pl.DataFrame({"text": texts}, schema={"text": pl.String})
    folds = pl.col("text").str.contains(FOLDS_TO_ASCII)
    columns = []
    for n, recognizer in enumerate(recognizers):
        trigger = getattr(recognizer, "trigger", None)
        if not trigger:
            continue
        fast = fast_trigger(trigger)
        test = pl.col("text").str.contains(fast)
        columns.append((test | folds if fast != trigger else test).alias(str(n)))
    triggered = frame.select(columns)  # one parallel pass of every trigger over the chunk
    return [
        triggered[str(n)].to_list() if str(n) in triggered.columns else None
        for n in range(len(recognizers))
    ]
