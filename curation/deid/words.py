"""Word resources for the name and place recognizers, loaded once per process.

* English common words: Webster's 2nd (english-words), lowercase entries only, so that
  "continue" is common while "john" is not;
* English person names: first and last names of every Latin-script Faker locale;
* Chinese words: jieba's dictionary (word → frequency, part of speech), used to reject
  name candidates that are ordinary words (平素, 白天).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import cache
from pathlib import Path

_LATIN_NAME = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ'’-]+")


@cache
def _common_english() -> frozenset[str]:
    from english_words import get_english_words_set

    return frozenset(
        w for w in get_english_words_set(["web2"], lower=False, alpha=True) if w.islower()
    )


@cache
def is_common_english(word: str) -> bool:
    """True when the word, lowercased, is an ordinary English word."""
    return word.lower() in _common_english()


@cache
def english_names() -> tuple[frozenset[str], frozenset[str]]:
    """(first names, last names) from Faker's person providers, Latin script only."""
    first, last, _ = _faker_names()
    return first, last


@cache
def english_locale_names() -> frozenset[str]:
    """First and last names of Faker's Anglophone locales (en_US, en_GB, en_CA …)."""
    return _faker_names()[2]


@cache
def _faker_names() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    import faker.providers.person as person

    first: set[str] = set()
    last: set[str] = set()
    english: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        try:
            provider = importlib.import_module(f"faker.providers.person.{module.name}").Provider
        except (ImportError, AttributeError):
            continue
        for attr, target in (
            ("first_names", first),
            ("first_names_male", first),
            ("first_names_female", first),
            ("last_names", last),
        ):
            value = next((c.__dict__[attr] for c in provider.__mro__ if attr in c.__dict__), None)
            if value is None or isinstance(value, property):
                continue
            for name in value.keys() if isinstance(value, dict) else value:
                for part in str(name).split():
                    if _LATIN_NAME.fullmatch(part) and len(part) > 1 and part[0].isupper():
                        target.add(part)
                        if module.name in ("en_US", "en_GB", "en_CA", "en_AU", "en_NZ", "en_IE"):
                            english.add(part)
    return frozenset(first), frozenset(last), frozenset(english)


@cache
def chinese_words() -> dict[str, tuple[int, str]]:
    """jieba's dictionary: word → (frequency, part of speech)."""
    import jieba

    words: dict[str, tuple[int, str]] = {}
    path = Path(jieba.__file__).parent / "dict.txt"
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3:
                words[parts[0]] = (int(parts[1]), parts[2])
    return words


def is_ordinary_chinese_word(text: str, min_freq: int = 20) -> bool:
    """True when text is a dictionary word that is not a person name (nr)."""
    entry = chinese_words().get(text)
    return entry is not None and entry[0] >= min_freq and not entry[1].startswith("nr")


@cache
def is_person_name(word: str) -> bool:
    """A first or last name of the gazetteer."""
    first, last = english_names()
    return word in first or word in last


@cache
def is_everyday_word(token: str) -> bool:
    """For name detection: is this capitalized token an everyday English word?

    A name of an English-speaking locale is everyday only when it is listed as ambiguous
    (Will, Grace, Brown); any other token — names of other locales included (Date, Reason) —
    is everyday when it is an English word.
    """
    from curation.deid.registry import lexicon

    if token.lower() in lexicon("en_name_ambiguous"):
        return True
    if token in english_locale_names() or token.capitalize() in english_locale_names():
        return False
    return is_common_english(token)
