"""The recognizer registry: every PHI recognizer, per language and category, in one place.

A recognizer has a versioned name, a category from the PHI policy (or ``SAFE`` for known
non-PHI look-alikes such as eponyms, lab values and doses, which protect their region), the
languages it runs on, and a confidence. Pattern recognizers are a compiled regex plus an
optional validator (checksum, plausible date) and context words; other recognizers (names,
places, organizations) implement :class:`Recognizer` directly.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Protocol

from curation.deid.spans import Span

SAFE = "SAFE"
BOTH = frozenset({"zh", "en"})
ZH = frozenset({"zh"})
EN = frozenset({"en"})


class Recognizer(Protocol):
    """Anything that finds candidate spans in a text."""

    name: str
    category: str
    languages: frozenset[str]

    def find(self, text: str) -> Iterator[Span]:
        """Candidate spans in one text."""
        ...


class Extender(Protocol):
    """Grows found spans over what must go with them (an address's town and postcode)."""

    name: str
    languages: frozenset[str]

    def extend(self, text: str, spans: list[Span]) -> list[Span]:
        """The spans, some of them longer; never shorter, never fewer."""
        ...


def has_context(text: str, start: int, words: Iterable[str], window: int) -> bool:
    """True when one of the context words occurs in the `window` characters before `start`."""
    before = text[max(0, start - window) : start].lower()
    return any(word in before for word in words)


@dataclass(frozen=True)
class PatternRecognizer:
    """A regex recognizer. The span is `group` of each match (default: the whole match).

    * ``group`` may name several alternative groups: the first that matched is the span;
    * ``validator`` must accept the span text, or the hit is dropped;
    * ``trigger`` (Rust regex syntax, no look-arounds) must match somewhere in a text for the
      recognizer to possibly match it: the detector tests it over a whole batch at once
      (polars, vectorized) and skips texts without it;
    * ``context`` words seen shortly before the hit add ``context_boost`` to the score;
      with ``requires_context`` a hit without them is dropped.
    """

    name: str
    category: str
    languages: frozenset[str]
    pattern: str
    score: float
    group: int | str | tuple[str, ...] = 0
    validator: Callable[[str], bool] | None = None
    context: tuple[str, ...] = ()
    requires_context: bool = False
    context_window: int = 24
    context_boost: float = 0.1
    flags: int = 0
    trigger: str | None = None
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "regex", re.compile(self.pattern, self.flags))

    def find(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[Span]:
        """Spans in text[pos:endpos]; look-behinds and anchors still see the whole text."""
        matches = self.regex.finditer(text, pos, len(text) if endpos is None else endpos)
        alternatives = isinstance(self.group, tuple)
        for match in matches:
            if alternatives:  # the first group that matched
                start, end = next(
                    (match.span(g) for g in self.group if match.group(g) is not None), (-1, -1)
                )
            else:  # (-1, -1) when the group did not match
                start, end = match.span(self.group)
            if start < 0 or start == end:
                continue
            if self.validator is not None and not self.validator(text[start:end]):
                continue
            score = self.score
            if self.context:
                seen = has_context(text, match.start(), self.context, self.context_window)
                if self.requires_context and not seen:
                    continue
                if seen:
                    score = min(1.0, score + self.context_boost)
            yield Span(start, end, self.category, score, self.name)


def previous_word(text: str, start: int) -> str:
    """The word before a position, lowercased, without trailing punctuation (`MRN:` → mrn)."""
    for word in reversed(text[max(0, start - 32) : start].split()[-2:]):
        word = word.strip("([{.:-,#=)]}").lower()
        if word:  # 'Med Rec #: 123': a lone '#:' is no word
            # '患者MRN:' → mrn: a Latin label may follow Chinese text without a space
            latin = [p for p in _NON_ASCII.split(word) if p.strip("([{.:-,#=)]}")]
            return latin[-1].strip("([{.:-,#=)]}") if latin else word
    return ""


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


@dataclass(frozen=True)
class LabeledValueRecognizer:
    """A value that counts only right after a label (MRN: 00482913, Policy # A-1234).

    Values are found first (a cheap pattern); only those whose previous word can end a label
    are checked against the end-anchored label pattern — much faster than scanning the whole
    text for a large case-insensitive label alternation.
    """

    name: str
    category: str
    languages: frozenset[str]
    value: str
    label: str
    label_words: frozenset[str]
    score: float
    window: int = 48
    trigger: str | None = None
    value_regex: re.Pattern[str] = field(init=False, repr=False, compare=False)
    label_regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "value_regex", re.compile(self.value))
        object.__setattr__(self, "label_regex", re.compile(self.label + r"$", re.IGNORECASE))

    def find(self, text: str) -> Iterator[Span]:
        for match in self.value_regex.finditer(text):
            start = match.start()
            if previous_word(text, start) not in self.label_words:
                continue
            if self.label_regex.search(text, max(0, start - self.window), start):
                yield Span(start, match.end(), self.category, self.score, self.name)


@cache
def lexicon(name: str) -> frozenset[str]:
    """A word list shipped in curation/deid/lexicons/<name>.txt (one entry a line, # comments)."""
    text = resources.files("curation.deid.lexicons").joinpath(f"{name}.txt").read_text("utf-8")
    entries = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return frozenset(e for e in entries if e)


@cache
def word_lists(name: str) -> dict[str, frozenset[str]]:
    """Whitespace-separated words of lexicons/<name>.txt, grouped by a leading `@tag`."""
    text = resources.files("curation.deid.lexicons").joinpath(f"{name}.txt").read_text("utf-8")
    groups: dict[str, set[str]] = {}
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        tag = words.pop(0)[1:] if words and words[0].startswith("@") else ""
        groups.setdefault(tag, set()).update(words)
    return {tag: frozenset(words) for tag, words in groups.items()}


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first (so that the longest wins)."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


@dataclass(frozen=True)
class Registry:
    """All recognizers; `for_language` picks those that run on one language."""

    recognizers: tuple[Recognizer, ...]
    extenders: tuple[Extender, ...] = ()

    def for_language(self, language: str) -> tuple[Recognizer, ...]:
        """Recognizers for a language (each runs once per text)."""
        return tuple(r for r in self.recognizers if language in r.languages)

    def extenders_for(self, language: str) -> tuple[Extender, ...]:
        """Extenders for a language, in registry order."""
        return tuple(e for e in self.extenders if language in e.languages)

    def names(self) -> list[str]:
        """Versioned names of every recognizer."""
        return [r.name for r in self.recognizers]


@cache
def default_registry() -> Registry:
    """The registry MedCurate uses: safe regions first, then every PHI category."""
    from curation.deid.recognizers import ALL, EXTENDERS

    return Registry(tuple(ALL), tuple(EXTENDERS))


def load_resources() -> Registry:
    """Build the registry and load every resource its recognizers read lazily: each word list,
    table and pattern is a zero-argument cached function of a ``curation.deid`` module, and all
    of them are called here. Recognizers then never load anything while records are handled, so
    a broken resource (the taxonomy, a lexicon, a dependency's data) fails here, once."""
    registry = default_registry()
    for name, module in sorted(sys.modules.items()):
        if module is None or not (name == __package__ or name.startswith(f"{__package__}.")):
            continue
        for value in list(vars(module).values()):
            if _is_resource(value, name):
                value()
    return registry


def _is_resource(value: object, module: str) -> bool:
    """A zero-argument function of that module, cached (functools.cache / lru_cache)."""
    if not (callable(value) and hasattr(value, "cache_info")):
        return False
    if getattr(value, "__module__", None) != module:
        return False
    try:
        params = inspect.signature(value).parameters.values()
    except (TypeError, ValueError):
        return False
    return all(
        p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params
    )
