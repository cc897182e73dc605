"""NAME in English.

Titles (Dr., Mrs.), credentials (", MD"), labels (Attending:, Re:, Performed by:, seen by …),
header fields (LAST, FIRST M), subjects of clinical verbs, typist initials, and a first/last-name
gazetteer over capitalized tokens, minus common English words and eponyms; names no list knows
by their shape and company (EnglishNameShapeRecognizer); names typed in lowercase
(LowercaseNameRecognizer); the organization a found person is of or from (AffiliationExtender).
Chinese names are in `names_zh`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache

from curation.deid.recognizers.organizations import (
    is_descriptive_org_word,
    is_org_suffix_word,
)
from curation.deid.recognizers.place_words import (
    EPONYM_NOUN_AFTER,
    STATES,
    inside_state,
    world_city_words,
)
from curation.deid.registry import (
    EN,
    PatternRecognizer,
    lexicon,
    previous_word,
)
from curation.deid.spans import Span
from curation.deid.tokens import (
    LOWERCASE_WRITER,
    capitalized_tokens,
    lowercase_text,
    lowercase_writer,
)
from curation.deid.vocabulary import clinical_abbreviations, word_class
from curation.deid.words import (
    country_names,
    english_names,
    is_english_compound,
    is_english_word,
    is_everyday_word,
    is_inflected_english,
    is_medical_word,
    is_rare_word,
)

_TITLE_AHEAD = re.compile(  # a title and the space after it, before the name it introduces
    r"(?=[DFLMNPRS])\b(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Drs|Prof|Doctor|Professor|Sister|Rev|Father|"
    r"Nurse|Mister|Madam|Sir|Dame|Lady|Lord|MRS|MISS|DR|DRS|PROF|DOCTOR)\b\.?\s+"
    # MR and MS in capitals are also mitral regurgitation and morphine sulfate (MS Contin):
    # titles only before a name in capitals (MR. JONES)
    r"|(?:MR|MS)\b\.?\s+(?=[A-Z][A-Z'’-]+\b))"
)
EN_CREDENTIALS = re.compile(
    r"(?:MD|M\.D\.|DO|D\.O\.|RN|R\.N\.|NP|N\.P\.|PA-C|PA|PhD|Ph\.D\.|DDS|DMD|MBBS|FACS|FACP|"
    r"CNM|LPN|MSW|LCSW|PharmD|CRNA|DPM|OD|MPH|FNP|ANP|APRN)\b"
)
_BEFORE_CREDENTIAL = re.compile(r",?\s+$")
_LABEL_BEFORE = re.compile(
    r"(?:(?:\b(?:Patient(?:'s)?\s+Name|Name|Patient|Pt|Attending(?:\s+Physician)?|Physician|Surgeon|"
    r"Assistant|Anesthesiologist|Anesthesia|PCP|Primary\s+Care(?:\s+(?:Physician|Provider))?|"
    r"Referring(?:\s+(?:Physician|Provider|Doctor))?|Dictated\s+by|Transcribed\s+by|Signed\s+by|"
    r"Electronically\s+signed\s+by|Reviewed\s+by|Approved\s+by|Authored\s+by|Author|cc|CC|"
    r"Provider|Resident|Fellow|Intern|Guardian|Mother|Father|Wife|Husband|Son|Daughter|Sister|"
    r"Brother|Spouse|Contact|Emergency\s+Contact|Next\s+of\s+Kin|NOK|Informant|Interpreter|"
    r"Witness|Consultant|Cardiologist|Oncologist|Radiologist|Pathologist|Therapist|Dentist|"
    r"Re|Regarding|Typist|Scribe|Nurse|RN|Dictating\s+Physician|[A-Za-z]+\s+by|HCP|"
    r"Health\s+Care\s+Proxy|Proxy|POA|Case\s+Manager|Social\s+Worker)"
    r"\s*[:\-]\s*)"
    r"|(?:\b(?:seen\s+by|spoke\s+(?:with|to)|discussed\s+with|referred\s+by|referred\s+to|"
    r"accompanied\s+by|visited\s+by|evaluated\s+by|examined\s+by|followed\s+by|care\s+of|"
    r"c/o|named|name\s+is|known\s+as|goes\s+by|called|wife|husband|son|daughter|mother|father|"
    r"sister|brother|friend|partner|fianc[eé]e?|girlfriend|boyfriend|caregiver|niece|nephew|"
    r"grandson|granddaughter|aunt|uncle|cousin|neighbor|roommate|patient|hcp|proxy|poa)\s+))$",
    re.IGNORECASE,
)


def _last_first_field(text: str, tokens: list, i: int) -> bool:
    """Whether tokens i and i+1 are a labeled field's 'LAST, FIRST' (SHADOW, ROSAURA): the
    first name is a known one or no word, and the field ends after it."""
    if i + 1 >= len(tokens) or text[tokens[i][1] : tokens[i + 1][0]] not in (", ", ","):
        return False
    first = tokens[i + 1][2]
    return (
        (_is_first(first) or not (is_inflected_english(first) or is_medical_word(first)))
        and _namelike(first)
        and _FIELD_END.match(text, tokens[i + 1][1]) is not None
    )


def _alone_on_line(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] fills its line (spaces and tabs aside)."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    return not text[line_start:start].strip() and not text[end:line_end].strip()


@cache
def _surname_word(token: str) -> bool:
    """A capitalized word that may be a surname although it is an English word (Calabrese,
    Capon): no clinical, medical, descriptive or place word, no title, month or demonym."""
    return (
        len(token) > 2
        and not token.isupper()
        and token.rstrip(".") not in _NOT_NAMES
        and token not in _DEMONYMS
        and token not in STATES
        and not is_medical_word(token)
        and not is_descriptive_org_word(token)
    )


_BY_LABEL = re.compile(
    r"\b[A-Za-z]+\s+by\s*:\s*$", re.IGNORECASE
)  # 'Performed by:', 'Directed By:'
_INITIAL = re.compile(r"[A-Z]\.?")
_FIELD_END = re.compile(r"[ \t]*(?:$|\n|[,;(]|\s{2})")  # a labeled value ends here
_CREDENTIAL_AFTER = re.compile(  # 'Kathrine Filemonsen DDS', 'Giovanna Rodrigues, MD'
    r",?[ ](?:MD|M\.D\.|DO|DDS|DMD|PhD|Ph\.D\.|RN|NP|PA-C|MBBS|FACS|FACP|DNP|PharmD)\b\.?"
)
EN_SUBJECT_BEFORE = re.compile(r"\b(?:pt|patient)\s+name\s*(?:is|:)?\s+$", re.IGNORECASE)
_SENTENCE_START = re.compile(r"(?:^|\n|\b[SO]:\s*|Subjective:\s*|[.;:]\s+)$")
_SUBJECT_VERB_STARTS = tuple(  # a cheap necessary condition of EN_SUBJECT_VERB
    " " + verb
    for verb in "reports states denies endorses complains notes presents returns comes agrees "
    "understands tolerated tolerates continues feels was is".split()
)
EN_SUBJECT_VERB = re.compile(
    r"\s+(?:reports|states|denies|endorses|complains|notes|presents|returns|comes|agrees|"
    r"understands|tolerated|tolerates|continues|feels|was\s+seen|is\s+an?\s+(?:\d|man|woman|"
    r"male|female|gentleman|lady|boy|girl|patient|pleasant|very|well|otherwise|previously))",
)


_ANY_TITLE = re.compile(
    r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Drs|Prof|Doctor|Professor|Sister|Rev|Father|Nurse|Mister|Madam|"
    r"Sir|Dame|Lady|Lord|MR|MRS|MS|MISS|DR|DRS|PROF|DOCTOR)\.?\s"
)
# the last word of every label or cue in _LABEL_BEFORE / EN_SUBJECT_BEFORE, lowercased
_CUE_WORDS = frozenset(
    "name patient pt attending physician surgeon assistant anesthesiologist anesthesia pcp "
    "provider doctor referring by cc author resident fellow intern guardian mother father wife "
    "husband son daughter sister brother spouse contact kin nok informant interpreter witness "
    "consultant cardiologist oncologist radiologist pathologist therapist dentist with to of "
    "named is as called friend partner fiance fiancee fiancé fiancée girlfriend boyfriend "
    "caregiver niece nephew grandson granddaughter aunt uncle cousin neighbor roommate care c/o "
    "re regarding typist scribe nurse rn hcp proxy poa manager worker".split()
)
# common last words that only end a cue after a specific word ("spoke with", "care of")
_CUE_PAIRS = {
    "with": frozenset({"spoke", "discussed"}),
    "to": frozenset({"spoke", "referred"}),
    "is": frozenset({"name"}),
    "as": frozenset({"known"}),
    "of": frozenset({"care", "next"}),
    "by": frozenset(
        "seen referred accompanied visited evaluated examined followed dictated transcribed "
        "signed reviewed approved authored goes typed".split()
    ),
}


def _second_word(text: str, start: int) -> str:
    """The word before the previous word, lowercased."""
    words = text[max(0, start - 40) : start].split()
    return words[-2].strip(".:-,").lower() if len(words) >= 2 else ""


def _title_case(token: str) -> str:
    return token.capitalize() if token.isupper() and len(token) > 1 else token


def _name_variants(token: str) -> tuple[str, ...]:
    """How a name list may spell a token: MCALLISTER → Mcallister, McAllister."""
    title = _title_case(token)
    for prefix in ("Mc", "Mac", "O'", "O’"):
        if (
            title.startswith(prefix)
            and len(title) > len(prefix) + 1
            and title[len(prefix)].islower()
        ):
            cut = len(prefix)
            return title, title[:cut] + title[cut].upper() + title[cut + 1 :]
    return (title,)


@cache
def _eponyms() -> frozenset[str]:
    return lexicon("en_eponym_names")


@cache
def _is_first(token: str) -> bool:
    return token not in _NOT_NAMES and any(v in english_names()[0] for v in _name_variants(token))


@cache
def _is_last(token: str) -> bool:
    return token not in _NOT_NAMES and any(v in english_names()[1] for v in _name_variants(token))


# nationalities and ethnicities are no names ("African American", "Caucasian")
_DEMONYMS = frozenset(
    "African American Caucasian Hispanic Latino Latina Latinx Asian Native Indian Pacific "
    "Islander European Arab Jewish Chinese Japanese Korean Vietnamese Filipino Mexican "
    "Cuban Puerto Rican Haitian Somali Russian Polish German French Italian Irish Danish "
    "Swedish Norwegian Finnish Dutch Greek Turkish Brazilian Canadian British Scottish Welsh "
    "English Spanish Portuguese Ukrainian Hungarian Czech Austrian Swiss Belgian Egyptian "
    "Nigerian Ethiopian Iranian Iraqi Afghan Pakistani Bangladeshi Thai Cambodian Laotian "
    "Hmong Samoan Hawaiian Alaskan Eskimo Inuit Doctor Nurse Patient".split()
)
_NOT_NAMES = frozenset(
    "Mr Mrs Ms Miss Mx Dr Drs Prof Sr Jr Rev MD DO RN NP PA PhD DDS DMD MBBS FACS CNM LPN MSW "
    "Pt Pts Patient "
    "MRN SSN DOB ID ER ED ICU OR CT MRI EKG ECG HPI ROS PMH PSH FH SH CC BP HR RR Tel Fax "
    "January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday "
    # relatives and languages are not names ("Mom denies …", "speaks English"), nor exam words
    "Mom Dad Mother Father Grandma Grandpa English Spanish Fair Lips The A An "
    # pronouns and determiners open no name ('Patient: My name is …')
    "My Our Your His Her Their Its We You They He She It This That These Those "
    # name-list entries that are anesthesia types in notes ('ANESTHESIA: General')
    "General Block "
    # units, holidays, weekdays in the plural
    "Fahrenheit Celsius Christmas Easter Thanksgiving Mondays Tuesdays Wednesdays "
    "Thursdays Fridays Saturdays Sundays".split()
) | lexicon("en_clinical_words")


_STREET_WORDS = frozenset("Street Avenue Road Boulevard Highway".split())  # surnames too, rarely


@cache
def _continues_name(token: str) -> bool:
    """A token after a name's first part: an initial, a known name (Graves too), or no word."""
    if re.fullmatch(r"[A-Z]\.?", token):
        return True
    if token.rstrip(".") in _NOT_NAMES or is_org_suffix_word(token) or token in _STREET_WORDS:
        return False  # Dr. Smith Clinic, Dale Street
    if _is_first(token) or _is_last(token):
        return True
    word = token.strip("'’")
    return not is_everyday_word(word) and not (
        is_inflected_english(word) or is_descriptive_org_word(word)
    )  # Dr. Mabel Reports, Dr. Jones Cardiology


_CLITIC = re.compile(r"['’](?:s|re|ll|ve|d|m|t)$")  # He's, They're, I'll, Don't


def _bare(token: str) -> str:
    """The token without a possessive or a contraction ('He's' → 'He', 'Smith's' → 'Smith')."""
    return _CLITIC.sub("", token)


@cache
def _given_name(token: str) -> bool:
    """A token that may open a name as its given name: a known first name, or no word and no
    known surname (after it, a surname may be an English word: Dr. Justin Beet)."""
    return _is_first(token) or not (is_everyday_word(token.strip("'’")) or _is_last(token))


@cache
def _plain_word(token: str) -> bool:
    """An everyday word that is no known name: it cannot start a person's name."""
    word = _bare(token)
    return is_everyday_word(word) and not (_is_first(word) or _is_last(word))


@cache
def _namelike(token: str) -> bool:
    """A capitalized token that could continue a name: an initial, a known name, or no word."""
    if re.fullmatch(r"[A-Z]\.?", token):
        return True
    if token.rstrip(".") in _NOT_NAMES:
        return False
    if _title_case(token) in _eponyms():
        return False
    word = _bare(token)
    return _is_first(word) or _is_last(word) or not is_everyday_word(word.strip("'’"))


@dataclass(frozen=True)
class EnglishNameRecognizer:
    """English person names (see module docstring)."""

    name: str = "en_name_v1"
    category: str = "NAME"
    languages: frozenset[str] = EN
    max_tokens: int = 4

    def find(self, text: str) -> Iterator[Span]:
        tokens = capitalized_tokens(text)
        yield from self._after_cues(text, tokens)
        yield from self._before_credentials(text, tokens)
        for span in self._gazetteer(text, tokens):
            if not inside_state(text, span.start, span.end):  # Carolina of North Carolina
                yield span

    def _run(self, text: str, tokens: list, i: int, first_free: bool) -> tuple[int, int] | None:
        """Extend a name from token i over following name-like tokens on the same line."""
        if i >= len(tokens):
            return None
        start, end, word = tokens[i]
        if not first_free and not _namelike(word) and not _last_first_field(text, tokens, i):
            return None
        if _title_case(word) in _eponyms() and not first_free:
            return None
        # a given name: a known first name, or no word and no known surname; not an initial
        given = len(word) > 2 and _given_name(word)  # not an initial
        j = i
        while j + 1 < len(tokens) and j - i + 1 < self.max_tokens:
            gap = text[tokens[j][1] : tokens[j + 1][0]]
            nxt = tokens[j + 1][2]
            if tokens[j][2].endswith(("'s", "’s")):
                break  # Dr. Smith's office: a possessive ends the name
            if j == i and not first_free and _last_first_field(text, tokens, i):
                j += 1  # 'Patient: CRISELDA, FRANCENE': a labeled field holds LAST, FIRST
                continue
            after_given = j == i or (j == i + 1 and _INITIAL.fullmatch(tokens[j][2]))
            surname_after_first = (
                after_given
                and given
                and nxt not in _NOT_NAMES
                and not is_medical_word(nxt)
                and not is_descriptive_org_word(nxt)
                and not is_org_suffix_word(nxt)
                and (first_free or _FIELD_END.match(text, tokens[j + 1][1]) is not None)
            )  # Dr. Justin Beet, Dr. Hoyt Q. Ache, 'Re: Winifred Castellano': after a title
            # or as a whole labeled field, a given name is followed by the surname even when
            # the surname is a word
            if gap not in (" ", ". ", " . ", "-") or not (
                surname_after_first or _continues_name(nxt)
            ):
                break
            j += 1
        end = tokens[j][1]
        if text[end - 2 : end] in ("'s", "’s"):
            end -= 2
        credential = _CREDENTIAL_AFTER.match(text, end)
        return start, credential.end() if credential else end

    def _after_cues(self, text: str, tokens: list) -> Iterator[Span]:
        """Names introduced by a title, a label or a verb. Each capitalized token looks back
        at a short window with end-anchored cue patterns: far cheaper than scanning the whole
        text for every cue."""
        # where each title ends (the next token starts there) → where it starts
        titled = (
            {m.end(): m.start() for m in _TITLE_AHEAD.finditer(text)}
            if _ANY_TITLE.search(text)
            else {}
        )
        # tokens followed by a clinical subject verb ('Smith| reports'): a cheap condition
        verb_after = [text.startswith(_SUBJECT_VERB_STARTS, end) for _, end, _ in tokens]
        for i, (start, end, word) in enumerate(tokens):
            title_start = titled.get(start)
            plain = _plain_word(word) and not (
                text.startswith(",", end) and _last_first_field(text, tokens, i)
            )
            if title_start is None and plain:
                continue  # "The", "Patient", "History": no name starts with them
            if title_start is not None and word not in _NOT_TITLED:
                run = self._run(text, tokens, i, first_free=True)
                if run:  # a title belongs to the name it introduces ("Dr. Smith")
                    yield Span(title_start, run[1], "NAME", 0.95, self.name)
                continue
            if plain:
                continue
            window = max(0, start - 48)
            previous = previous_word(text, start)
            common = is_everyday_word(word) and not (_is_first(word) or _is_last(word))
            if (
                (not common or _last_first_field(text, tokens, i))
                and previous in _CUE_WORDS
                and (
                    previous not in _CUE_PAIRS
                    or _second_word(text, start) in _CUE_PAIRS[previous]
                    or (previous == "by" and _BY_LABEL.search(text, window, start) is not None)
                )
                and (
                    _LABEL_BEFORE.search(text, window, start)
                    or EN_SUBJECT_BEFORE.search(text, window, start)
                )
            ):
                run = self._run(text, tokens, i, first_free=False)
                if run:
                    yield Span(run[0], run[1], "NAME", 0.9, self.name)
                continue
            subject = self._subject(text, tokens, i) if any(verb_after[i : i + 3]) else None
            if subject is not None and _SENTENCE_START.search(text, window, start):
                yield Span(start, subject, "NAME", 0.75, self.name)

    @staticmethod
    def _subject(text: str, tokens: list, i: int) -> int | None:
        """Where a sentence's subject name starting at token i ends, when up to three
        name-like tokens are followed by a clinical subject verb ('Darcel Seferovic is a
        woman', 'Smith reports'), else None."""
        verb_ends = [
            tokens[j][1]
            for j in range(i, min(i + 3, len(tokens)))
            if text.startswith(_SUBJECT_VERB_STARTS, tokens[j][1])
            and EN_SUBJECT_VERB.match(text, tokens[j][1])
        ]
        if not verb_ends:
            return None
        given = _given_name(tokens[i][2])
        for j in range(i, min(i + 3, len(tokens))):
            word = tokens[j][2]
            if _title_case(word) in _eponyms() or word.rstrip(".") in _NOT_NAMES:
                return None
            if not (_is_first(word) or _is_last(word) or not is_everyday_word(word)) and not (
                j > i and given and _surname_word(word) and not is_org_suffix_word(word)
            ):  # 'Iliana Keel is a 64 yo': after a given name, a surname may be a word
                return None
            end = tokens[j][1]
            if end in verb_ends:
                return end
            if j + 1 < len(tokens) and text[end : tokens[j + 1][0]] != " ":
                return None
        return None

    def _before_credentials(self, text: str, tokens: list) -> Iterator[Span]:
        ends = {end: i for i, (_, end, _) in enumerate(tokens)}
        for m in EN_CREDENTIALS.finditer(text):
            if text[m.end() : m.end() + 1] == ":":
                continue  # 'Accepting MD:', 'Referring MD:': a label, not a name's credential
            gap = _BEFORE_CREDENTIAL.search(text, max(0, m.start() - 4), m.start())
            j = ends.get(gap.start()) if gap else None
            if j is None or not _namelike(tokens[j][2]):
                continue
            i = j
            while i > 0 and j - i + 1 < self.max_tokens:
                between = text[tokens[i - 1][1] : tokens[i][0]]
                if between not in (" ", ". ") or not _namelike(tokens[i - 1][2]):
                    break
                i -= 1
            yield Span(tokens[i][0], tokens[j][1], "NAME", 0.9, self.name)

    @staticmethod
    def _initial_between_unknowns(text: str, tokens: list, i: int) -> bool:
        """'Word X. Word' where neither word is an ordinary word or an eponym: a person with a
        middle initial, even when neither name is in the name lists (Faina D. Yefremova)."""
        if i + 2 >= len(tokens) or len(tokens[i + 1][2]) > 2:
            return False
        (_, end, first), (istart, iend, initial), (lstart, _, last) = tokens[i : i + 3]
        if not re.fullmatch(r"[A-Z]\.?", initial):
            return False
        if text[end:istart] != " " or text[iend:lstart] != " ":
            return False
        return all(
            len(w) > 2
            and not w.isupper()
            and w.rstrip(".") not in _NOT_NAMES
            and not is_everyday_word(w)
            and _title_case(w) not in _eponyms()
            for w in (first, last)
        )

    @staticmethod
    def _last_comma_first(last: str, first: str) -> bool:
        """'Last, First' as headers and lists write patients: the first name is known; the
        last name is known, or no word, eponym, state or demonym (VANTERPOOL, INGRID)."""
        if not _is_first(first) or _title_case(first) in STATES:
            return False
        if first.isupper() and len(first) <= 3 and not (last.isupper() and _is_last(last)):
            return False  # lab lists: 'TSH, ANA', 'KCL, ASA'
        if last.isupper() != first.isupper():
            return False  # a header writes both in capitals or neither ('NSVD, Mayo')
        if _is_last(last):
            return True
        return (
            len(last) > 3
            and re.search(r"[AEIOUYaeiouy]", last) is not None
            and not is_medical_word(last)
            and not is_everyday_word(first)
            and not is_everyday_word(last)
            and last.rstrip(".") not in _NOT_NAMES
            and _title_case(last) not in _eponyms()
            and _title_case(last) not in _DEMONYMS
            and _title_case(last) not in STATES
        )

    def _gazetteer(self, text: str, tokens: list) -> Iterator[Span]:
        for i, (start, end, word) in enumerate(tokens):
            if len(word) < 2 or word.endswith(".") or _plain_word(word):
                continue  # an everyday word that is no name opens none of the forms below
            if word == "French" and re.search(r"\d[ \t-]*$", text[max(0, start - 4) : start]):
                continue  # '14 French Impella': a catheter size
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            gap = text[end : nxt[0]] if nxt else ""
            if nxt and len(nxt[2]) <= 2 and self._initial_between_unknowns(text, tokens, i):
                # Szabina J Gelencsér: a middle initial between two unknown words
                yield Span(start, tokens[i + 2][1], "NAME", 0.75, self.name)
                continue
            if (
                nxt
                and _is_first(word)
                and _PARTICLE_GAP.fullmatch(gap)
                and nxt[2] not in _NOT_NAMES
                and not is_medical_word(nxt[2])
            ):  # 'Willemine ten Pas', 'Joost van Dijk': after a particle, a surname
                yield Span(start, nxt[1], "NAME", 0.8, self.name)
                continue
            if _is_first(word) and nxt and gap in (" ", "  "):
                k = i + 1
                if re.fullmatch(r"[A-Z]\.?", tokens[k][2]):
                    after = text[tokens[k][1] : tokens[k + 1][0]] if k + 1 < len(tokens) else ""
                    if after != " ":  # "Anna S." — first name and an initial
                        if tokens[k][2].endswith("."):
                            yield Span(start, tokens[k][1], "NAME", 0.8, self.name)
                        continue
                    k += 1  # middle initial
                last = tokens[k][2]
                known = _is_last(last)  # Rita Smith, Will Smith: a known pair is a name
                plausible = not is_everyday_word(last) and not is_everyday_word(word)
                # a known first name with a middle initial, or alone with one more word on its
                # line, is followed by a surname even when it is a word: 'Daniela C Capon',
                # 'Fausto Calabrese' above an address
                shaped = (
                    k == i + 2
                    or (_alone_on_line(text, start, tokens[k][1]) and not is_everyday_word(word))
                ) and _surname_word(last)
                if (known or plausible or shaped) and _title_case(last) not in _eponyms():
                    yield Span(start, tokens[k][1], "NAME", 0.8, self.name)
                    continue
            if (
                nxt
                and gap in (", ", ",")
                and self._last_comma_first(word, nxt[2])
                and not inside_state(text, nxt[0], nxt[1])  # 'Randolph, North Carolina'
            ):
                end = nxt[1]  # 'Tremblay, Josephine', 'MCALLISTER, ROBERTA J'
                after = tokens[i + 2] if i + 2 < len(tokens) else None
                if after and text[end : after[0]] == " " and re.fullmatch(r"[A-Z]\.?", after[2]):
                    end = after[1]
                yield Span(start, end, "NAME", 0.8, self.name)
                continue
            possessive = word.endswith(("'s", "’s"))  # Berry's ligament: an eponym, not here
            if word.isupper() or is_everyday_word(word) or _title_case(word) in _eponyms():
                continue
            if word in _DEMONYMS:
                continue  # a Danish speaker; Dr. French is still found by the rules above
            if (_is_first(word) or _is_last(word)) and not EPONYM_NOUN_AFTER.match(text, end):
                yield Span(start, end - (2 if possessive else 0), "NAME", 0.6, self.name)


_NAMED_AS = re.compile(  # "her maiden name is Nyberg", "last name? Matthíasson"
    r"(?i:\b(?:maiden|last|first|family|given|middle|sur)\s*name\s*(?:is|was|[:?-])?\s*)"
    r"(?P<v>[^\W\d_][\w'’-]+)"
)
# after a title, an everyday word may still be a given name (Dr. April Kline), but not these
_NOT_TITLED = frozenset("The A An This That Office Visit Note Report Progress".split())

_RELATIVES = (
    r"daughter|son|wife|husband|mother|father|mom|dad|sister|brother|kids?|child|children|"
    r"parents|aunt|uncle|niece|nephew|grandson|granddaughter|girlfriend|boyfriend|partner|"
    r"fiancée?|friends?|family|"
    # what is a person's own: where they live, how to reach them, what they made
    r"address|phone|number|house|home|apartment|car|email|birthday|song|book|novel|album|poem"
)
_RELATIVE_WORD = re.compile(_RELATIVES)
# "I'm Amanda's daughter", "Franciska's kid", "Matej's address": found from the "'s" (rare)
# back to the word before it, far cheaper than trying a word at every position
_RELATIVE_OF = re.compile(rf"(?=['’])['’]s\s+(?:{_RELATIVES})\b")
_OWNER_BEFORE = re.compile(r"(?<![\w'’-])[^\W\d_][\w'’-]*$")


_OBJECT_VERBS = (
    r"gave|given|give|gives|giving|told|tell|tells|sent|send|sends|showed|shown|show|shows|"
    r"handed|offered|asked|ask|asks|thanked|paid|emailed|texted|called|introduced|brought|"
    r"bought|lent|owed|wished|reminded"
)
# 'Kevin had given Alma his address', 'she told Belle her news': a capitalized word before a
# possessive pronoun, then the verb before it
_OBJECT_OF = re.compile(
    r"(?=[A-Z])(?<![\w'’-])(?P<v>[A-Z][^\W\d_]+(?:['’-][^\W\d_]+)?)"
    r"[ \t]+(?:his|her|their|my|your|our)\b"
)
_OBJECT_VERB_BEFORE = re.compile(rf"\b(?:{_OBJECT_VERBS})[ \t]+$")


@dataclass(frozen=True)
class EnglishNameByRoleRecognizer:
    """Names given by their role: after 'maiden/last/first name (is)', before "'s wife",
    "'s daughter", "'s address" …, and as the person something is given or told to ('had
    given Alma his address'); the word must not be an ordinary word ('the patient's wife',
    'gave Tylenol his')."""

    name: str = "en_name_by_role_v1"
    category: str = "NAME"
    languages: frozenset[str] = EN
    trigger: str = (
        rf"(?i)\bname\b|['’]s\s+(?:{_RELATIVES})\b"
        rf"|\b(?:{_OBJECT_VERBS})[ \t]+[A-Z]\S*[ \t]+(?:his|her|their|my|your|our)\b"
    )

    def find(self, text: str) -> Iterator[Span]:
        for m in _OBJECT_OF.finditer(text):
            word = m.group("v")
            if not _OBJECT_VERB_BEFORE.search(text, max(0, m.start() - 14), m.start()):
                continue
            if (
                (_is_first(word) or _is_last(word) or not is_inflected_english(word))
                and word not in _NOT_NAMES
                and word not in _DEMONYMS
                and not is_medical_word(word)
                and _title_case(word) not in _eponyms()
            ):
                yield Span(m.start("v"), m.end("v"), "NAME", 0.7, self.name)
        lowercase = None
        found = [(m.start("v"), m.end("v"), True) for m in _NAMED_AS.finditer(text)]
        for m in _RELATIVE_OF.finditer(text):
            owner = _OWNER_BEFORE.search(text, max(0, m.start() - 40), m.start())
            if owner:
                found.append((owner.start(), owner.end(), False))
        for start, end, named in found:
            word = text[start:end]
            if not named and not word[0].isupper():
                if lowercase is None:
                    lowercase = lowercase_text(text)
                if not lowercase or _RELATIVE_WORD.fullmatch(word):
                    continue  # 'her boyfriend's home'; 'franciska's kid' in lowercase text
            if is_everyday_word(word.lower()) and not (_is_first(word) or _is_last(word)):
                continue
            if (
                word.rstrip(".").capitalize() in _NOT_NAMES
                or len(word) < 3
                or _title_case(word) in _eponyms()
            ):
                continue
            yield Span(start, end, "NAME", 0.8, self.name)


_NAME_PREFIXES = ("Mc", "Mac", "De", "Di", "Da", "La", "Le", "Van", "Von", "O'", "O’", "St")
_SPEECH_VERBS = (
    r"said|says|asked|asks|told|tells|replied|replies|explained|explains|shouted|shouts|wrote|"
    r"writes|answered|answers|whispered|added|recalled|recalls|insisted|admitted|argued"
)


@cache
def _unknown_part(token: str) -> bool:
    """A capitalized token that can only be a name: no English word (inflections included,
    so not Low or Post either, though both are surnames), no medical word (drugs, devices,
    taxonomy terms), eponym, demonym, country or abbreviation, and not shaped like a product
    (VerteFill, Betadine-soaked)."""
    word = re.sub(r"['’]s$", "", token)
    if len(word) < 3 or not word[0].isupper() or word.isupper() or word in _NOT_NAMES:
        return False
    if word in _DEMONYMS or _title_case(word) in _eponyms() or word.casefold() in country_names():
        return False
    if is_inflected_english(word) or is_medical_word(word) or word in STATES:
        return False
    inner = re.search(r"[a-z][A-Z]|^[A-Z]{2}[a-z]", word)
    if inner and not word.startswith(_NAME_PREFIXES):
        return False  # camel case is a brand: SoluTab, AcrySof, PermCath
    if is_english_compound(word):
        return False  # Birthweight, Guidewire
    parts = re.split(r"[-’']", word)
    # C-collar, Betadine-soaked, Heinecke-Mikulicz: compounds are devices, products or
    # eponyms, unless every part is a known name (Smith-Jones); O'Brien is one name
    if len(parts) > 1 and not word.startswith(_NAME_PREFIXES):
        return all(p[:1].isupper() and (_is_first(p) or _is_last(p)) for p in parts)
    return True


@cache
def _name_compound(token: str) -> bool:
    """A double-barrelled name whose every part is a name or no word (Adebayo-Clarke); taken
    only where a name is expected, since eponyms are built the same way (Heinecke-Mikulicz)."""
    parts = token.split("-")
    return len(parts) > 1 and all(
        p[:1].isupper() and (_is_first(p) or _is_last(p) or _unknown_part(p)) for p in parts
    )


def _known_name(token: str) -> bool:
    """A capitalized token of the name lists that is no eponym and no abbreviation."""
    word = re.sub(r"['’]s$", "", token)
    return (
        not word.isupper()
        and (_is_first(word) or _is_last(word))
        and _title_case(word) not in _eponyms()
        and word.casefold() not in country_names()
    )


_LOWER_WORD = re.compile(r"(?<![\w'’.-])[^\W\d_]+(?:['’][^\W\d_]+)?(?![\w-])")
_LOWER_LIST = re.compile(
    r"(?<![\w'’-])[^\W\d_A-Z]+(?:(?:,[ ](?:and[ ])?|[ ]and[ ])[^\W\d_A-Z]+){2,}(?![\w-])"
)
_LOWER_NAMED = re.compile(
    r"(?i:\b(?:my\s+name\s+is|name'?s|name\s*:|calls?\s+me|called\s+me|named|i\s+am|i'm|im|"
    r"mr\.?|mrs\.?|"
    r"ms\.?|dr\.?|miss))\s+"
    r"(?P<v>[^\W\d_]+)(?![\w-])(?:[ ](?:[a-z]\.?[ ])?(?P<last>[^\W\d_]+(?:-[^\W\d_]+)?)(?![\w-]))?"
)


@cache
def _lower_first(word: str) -> bool:
    """A lowercase word that is a first name and no everyday, medical or eponym word (eva,
    benjamin; not will, mark, grace)."""
    title = word.capitalize()
    return (
        word.islower()
        and word not in clinical_abbreviations()  # aline (arterial line), not Aline
        and _is_first(title)
        and not (is_everyday_word(title) and not is_rare_word(word))
        and not is_medical_word(title)
        and title not in _eponyms()
        and title not in _NOT_NAMES
    )


@cache
def _lower_lone(word: str) -> bool:
    """A lowercase first name that may stand alone in text written without capitals: a first
    name of the lists of four letters or more that is no word in any inflection (branch, ties)
    and no state."""
    title = word.capitalize()
    return (
        len(word) >= 4
        and _lower_first(word)
        and not (is_inflected_english(title) and not is_rare_word(word))
        and title not in STATES
        and word not in country_names()
    )


@cache
def _lower_last(word: str) -> bool:
    title = word.capitalize()
    return (_is_last(title) and not is_everyday_word(title)) or _unknown_part(title)


@dataclass(frozen=True)
class LowercaseNameRecognizer:
    """Names typed in lowercase (chat, transcribed speech): a first name of the lists that is
    no English or medical word, followed by a surname or another non-word ('patricia
    desrosiers', 'codey m ross'), and a lone first name after 'my name is', 'call me' …"""

    name: str = "en_name_lowercase_v1"
    category: str = "NAME"
    languages: frozenset[str] = EN

    trigger: str = LOWERCASE_WRITER

    def find(self, text: str) -> Iterator[Span]:
        if not lowercase_writer(text):
            return
        words = [m for m in _LOWER_WORD.finditer(text) if m.group().islower()]
        for first, second in itertools.pairwise(words):
            if not _lower_first(first.group()):
                continue
            gap = text[first.end() : second.start()]
            last = second
            if len(second.group()) == 1 and gap == " ":  # a middle initial: codey m ross
                nxt = next((w for w in words if w.start() > second.end()), None)
                if nxt is None or text[second.end() : nxt.start()] not in (" ", ". "):
                    continue
                last = nxt
            elif gap != " ":
                continue
            if _lower_last(last.group()):
                yield Span(first.start(), last.end(), "NAME", 0.6, self.name)
        for m in _LOWER_LIST.finditer(text):  # they had 6: silvana, adam, chad and caleb
            members = list(re.finditer(r"[^\W\d_]+", m.group()))
            names = [
                w for w in members if w.group() not in ("and", "or") and _lower_first(w.group())
            ]
            if len(names) >= 2 and len(names) * 2 >= len(members) - m.group().count(" and "):
                names = [w for w in members if _lower_first(w.group()) or _lower_last(w.group())]
                for w in names:
                    yield Span(m.start() + w.start(), m.start() + w.end(), "NAME", 0.6, self.name)
        for m in _LOWER_NAMED.finditer(text):
            word = m.group("v")
            titled = m.group().lower().startswith(("mr", "mrs", "ms", "dr", "miss"))
            if word.islower() and (
                _lower_first(word)
                or ((titled or m.group().startswith(("my", "call"))) and _lower_last(word))
            ):
                last = m.group("last")
                named = last is not None and last.islower() and _lower_last(last)
                yield Span(m.start("v"), m.end("last" if named else "v"), "NAME", 0.7, self.name)
        if lowercase_text(text):  # 'cormac had given cormac his address', 'leave me nina'
            for w in words:
                if _lower_lone(w.group()):
                    yield Span(w.start(), w.end(), "NAME", 0.55, self.name)


@dataclass(frozen=True)
class EnglishNameShapeRecognizer:
    """Names that no list knows, told by their shape and company:

    * two or three adjacent capitalized non-words, across particles and initials (Tomomi
      Nishiyama, Willemine ten Pas): no drug, brand, eponym, city or inflected English word;
    * the members of a list in which one member is a known name ('Kónya, Becker and Vasquez');
    * speakers and actors: 'says Hartvigsson', 'Maslin said', 'Asya spent a year' at a
      sentence start, dialogue labels ('Vinka: …' beside a known first name);
    * a lone non-word inside a sentence placed as a person is, not as an eponym;
    * whoever is greeted or named ('Hi Manlio,', 'call me Aantje').
    """

    name: str = "en_name_shape_v1"
    category: str = "NAME"
    languages: frozenset[str] = EN

    def find(self, text: str) -> Iterator[Span]:
        tokens = capitalized_tokens(text)
        unknown = [_shape_candidate(word) for _, _, word in tokens]
        if any(unknown):
            yield from self._adjacent(text, tokens, unknown)
            for span in self._lists(text, tokens, unknown):
                if not inside_state(text, span.start, span.end):  # 'Randolph, North Carolina'
                    yield span
            yield from self._speakers(text, tokens, unknown)
        yield from self._dialogue_labels(text)
        yield from self._vocatives(text, tokens, unknown)
        if not _NAMING_CUE.search(text):
            return  # no greeting or naming in the text: nothing to look up behind the tokens
        # only a token that is, or is followed by, a first name or a non-word can open a
        # name, and only then is the text behind it searched for the naming
        named = [
            u or (_is_first(w) and not w.isupper()) or _rare_word_name(w)
            for u, (_, _, w) in zip(unknown, tokens, strict=True)
        ]
        for k, (start, _, _) in enumerate(tokens):
            if not any(named[k : k + 3]) or not _NAMED_BEFORE.search(
                text, max(0, start - 24), start
            ):
                continue
            # the name named: this token and up to two more right after it ('I'm Quarto
            # Angelo'), as far as the last that is a known first name or no word
            run, last = k, None
            while run < len(tokens) and run - k < 3:
                word = tokens[run][2]
                word = word[:-2] if word.endswith(("'s", "’s")) else word  # 'Hi Manlio,' …
                known = _is_first(word) and not word.isupper() and word not in _NOT_NAMES
                if (
                    known or unknown[run] or _name_compound(word) or _rare_word_name(word)
                ) and not is_medical_word(word):
                    last = run
                if word != tokens[run][2] or run + 1 == len(tokens):
                    break
                if text[tokens[run][1] : tokens[run + 1][0]] != " ":
                    break
                run += 1
            if last is not None:
                tail = tokens[last]
                cut = 2 if tail[2].endswith(("'s", "’s")) else 0
                yield Span(start, tail[1] - cut, "NAME", 0.7, _SHAPE)

    @staticmethod
    def _dialogue_labels(text: str) -> Iterator[Span]:
        """Speaker labels of a dialogue ('Vinka: What a wife.' / 'Lisa: …'): when two or more
        lines open with a one-word label and one label is a known first name, every label
        that is a name or no word is a speaker (section headings are ordinary words)."""
        labels = [m for m in _LINE_LABEL.finditer(text) if m.group("v")[0].isupper()]
        if len({m.group("v") for m in labels}) < 2:
            return
        words = {m.group("v") for m in labels}
        if not any(_is_first(w) and not is_everyday_word(w) for w in words) and not (
            any(_unknown_part(w) for w in words)
            and all(_is_first(w) or _unknown_part(w) for w in words)
        ):  # 'Vsevolod: …' / 'Heather: …': every label a name, one of them no word
            return
        for m in labels:
            word = m.group("v")
            if _is_first(word) or _unknown_part(word):  # in a dialogue, Heather: is a speaker
                yield Span(m.start("v"), m.end("v"), "NAME", 0.65, _SHAPE)

    @staticmethod
    def _adjacent(text: str, tokens: tuple, unknown: list[bool]) -> Iterator[Span]:
        """Two or three adjacent unknown tokens, across name particles and initials: Tomomi
        Nishiyama, Šárka Ottová, Willemine ten Pas, Agatha Á Ottarsdóttir."""

        def part(k: int) -> bool:
            return unknown[k] or _known_name(tokens[k][2])

        def surname_after_particle(k: int) -> bool:  # 'ten Pas', 'de Boer': may be a word
            word = tokens[k][2]
            return word not in _NOT_NAMES and not word.isupper() and not is_medical_word(word)

        def initial(k: int) -> bool:
            return bool(re.fullmatch(r"[^\W\d_]\.?", tokens[k][2])) and tokens[k][2].isupper()

        i = 0
        while i < len(tokens) - 1:
            j = i
            while (
                j + 1 < len(tokens)
                and j - i < 3
                and not tokens[j][2].endswith(("'s", "’s"))  # Yefremova's Cautionary
                and (unknown[j] or (j > i and initial(j)))
                and (
                    unknown[j + 1]
                    or (
                        j > i and initial(j) and _known_name(tokens[j + 1][2])
                    )  # Landerico B Hidalgo
                    or (initial(j + 1) and j + 2 < len(tokens))
                    or (
                        _PARTICLE_GAP.fullmatch(text, tokens[j][1], tokens[j + 1][0])
                        and (part(j + 1) or surname_after_particle(j + 1))
                    )
                )
                and (
                    text[tokens[j][1] : tokens[j + 1][0]] == " "
                    or _PARTICLE_GAP.fullmatch(text, tokens[j][1], tokens[j + 1][0])
                )
            ):
                j += 1
            while j > i and initial(j):
                j -= 1  # a name does not end with an initial
            if j > i:
                end = tokens[j][1]
                if text[end - 2 : end] in ("'s", "’s"):
                    end -= 2
                yield Span(tokens[i][0], end, "NAME", 0.65, _SHAPE)
                i = j + 1
            else:
                i += 1

    @staticmethod
    def _lists(text: str, tokens: tuple, unknown: list[bool]) -> Iterator[Span]:
        """The members of a list with a known name among them: 'Kónya, Becker and Vasquez'."""
        done = -1
        for i, is_unknown in enumerate(unknown):
            if not is_unknown or i <= done:
                continue
            first = i
            while first > 0 and _LIST_GAP.fullmatch(text, tokens[first - 1][1], tokens[first][0]):
                first -= 1
            last = i
            while last + 1 < len(tokens) and _LIST_GAP.fullmatch(
                text, tokens[last][1], tokens[last + 1][0]
            ):
                last += 1
            done = last
            members = range(first, last + 1)
            known = [_known_name(tokens[k][2]) for k in members]
            if (
                len(members) > 1
                and any(known)
                and all(k or unknown[m] for m, k in zip(members, known, strict=True))
            ):
                for m in members:
                    start, end, word = tokens[m]
                    end -= 2 if word.endswith(("'s", "’s")) else 0
                    yield Span(start, end, "NAME", 0.6, _SHAPE)

    @staticmethod
    def _vocatives(text: str, tokens: tuple, unknown: list[bool]) -> Iterator[Span]:
        """Whoever is spoken to: 'Warrane, can I speak to …' at a sentence start, or '…,
        Mark!' at a sentence end. The word must be a first name or no word (a first name may
        be a word here: 'Don't go, Mark!'), never a title, role or medical word ('Doctor,
        can you …', 'Thanks, Nurse!')."""
        addressees = [
            (True, m)
            for comma in _VOCATIVE_ASKED.finditer(text)
            if (m := _ADDRESSEE_BEFORE.search(text, max(0, comma.start() - 40), comma.start()))
        ]
        for asked, m in itertools.chain(
            addressees, ((False, m) for m in _VOCATIVE_CLOSING.finditer(text))
        ):
            group = "v" if m.re is _VOCATIVE_CLOSING else 0
            start, end, word = m.start(group), m.end(group), m.group(group)
            is_unknown = _shape_candidate(word) or (
                _rare_word_name(word) and (asked or text[end : end + 1] in "!?")
            )  # a rare word closes a sentence as a vocative only with ! or ? (', Afebrile.')
            if asked:
                if not (is_unknown or (_is_first(word) and not is_everyday_word(word))):
                    continue
                if not _VOCATIVE_BEFORE.search(text, max(0, start - 4), start):
                    continue
            elif not (
                is_unknown
                or (_is_first(word) and (text[end : end + 1] in "!?" or not is_everyday_word(word)))
            ):
                continue
            if (
                word.isupper()
                or word in _NOT_NAMES
                or word in _DEMONYMS
                or word in world_city_words()
                or is_medical_word(word)
                or is_org_suffix_word(word)
            ):
                continue  # ', TIA.', ', Boston?', ', Inc.'
            yield Span(start, end, "NAME", 0.6, _SHAPE)

    @staticmethod
    def _speakers(text: str, tokens: tuple, unknown: list[bool]) -> Iterator[Span]:
        """Who speaks or acts: 'says Hartvigsson', 'Maslin said', 'Koppány: "Who are you?"',
        'Alvir spent a year …' (at a sentence start)."""
        for (start, end, word), is_unknown in zip(tokens, unknown, strict=True):
            if not is_unknown:
                # a rare dictionary word speaks only beside a speech verb ('said Maslin'), and
                # not as a role ('the Cinematographer, said')
                if (
                    _rare_word_name(word)
                    and (
                        _SPEAKER_AFTER.match(text, end)
                        or _SPEAKER_BEFORE.search(text, max(0, start - 16), start)
                    )
                    and not _DETERMINER_BEFORE.search(text, max(0, start - 6), start)
                ):
                    yield Span(start, end, "NAME", 0.65, _SHAPE)
                continue
            if is_everyday_word(word):
                continue
            opening = _SENTENCE_OPENING.search(text, max(0, start - 4), start)
            if (
                _SPEAKER_AFTER.match(text, end)
                or _SPEAKER_BEFORE.search(text, max(0, start - 16), start)
                or (opening and _ACTS.match(text, end))
                or (not opening and _mid_sentence_name(text, start, end, word))
            ):
                yield Span(
                    start, end - (2 if word.endswith(("'s", "’s")) else 0), "NAME", 0.65, _SHAPE
                )


@cache
def _rare_word_name(word: str) -> bool:
    """A capitalized word of the dictionary that English seldom uses (Maslin, Ley, Kuba): a
    name where a strong cue says a person is meant (a speech verb, a vocative), never a
    medical, eponym, city or title word."""
    bare = _bare(word)
    return (
        len(bare) >= 3
        and bare[0].isupper()
        and not bare.isupper()
        and bare.isalpha()
        and is_inflected_english(bare)
        and is_rare_word(bare.lower())
        and bare not in _NOT_NAMES
        and bare not in _DEMONYMS
        and not is_medical_word(bare)
        and _title_case(bare) not in _eponyms()
        and bare not in world_city_words()
    )


@cache
def _shape_candidate(word: str) -> bool:
    """A token the shape rules may call a name: no word of any kind, and no city."""
    return _unknown_part(word) and not _city_word(word)


@cache
def _city_word(word: str) -> bool:
    """A word of a gazetteer city that is no known person name (Miami, not Lara): left to the
    city recognizer, which labels it ADDRESS."""
    return word in world_city_words() and not (_is_first(word) or _is_last(word))


def _mid_sentence_name(text: str, start: int, end: int, word: str) -> bool:
    """A lone capitalized non-word inside a sentence, placed as a person or company is
    ('with Kaczmarek and', 'year at Numedii in'), not as an eponym or a product is ('ligament
    of Treitz', 'the Pfannenstiel incision', 'closed with Vicryl', 'Gerota's fascia'):
    a possessive, an abbreviation (Hgb, LFTs) or a word after of/the/with is left alone, and
    the next word must be punctuation, a conjunction, a preposition or a verb."""
    if word.endswith(("'s", "’s")) or len(word) < 5 or sum(c.isupper() for c in word) > 1:
        return False
    if word in world_city_words():
        return False  # Houston, Albuquerque: the city recognizer's (ADDRESS)
    if _AFTER_EPONYM_CUE.search(text, max(0, start - 8), start):
        return False
    return bool(_AFTER_NAME.match(text, end))


_VOCATIVE_BEFORE = re.compile(r"(?:^|\n|[.!?][\"”]?\s+|[\"“]\s*)$")
_ASKED_AFTER = re.compile(  # 'Warrane, can I …', 'Kuba, could you …', 'Ana, please …'
    r",\s+(?:can|could|would|will|please|what|how|where|when|why|thank|thanks|I'm|it's|"
    r"let's)\b"
)
_VOCATIVE_ASKED = re.compile(rf"{_ASKED_AFTER.pattern}")  # then the word before it
_ADDRESSEE_BEFORE = re.compile(r"(?<![\w'’-])[A-Z][\w'’-]*$")
_VOCATIVE_CLOSING = re.compile(  # '…, Mark!', '…, Quinzia.'
    r", (?<=\w, )(?P<v>[A-Z][\w'’-]*)(?=[!?]|\.(?:\s|$)|$)"
)
_AFTER_EPONYM_CUE = re.compile(r"(?i:\b(?:of|the|a|an|with|using|per|via))\s+$")
_AFTER_NAME = re.compile(
    r"[,.!?;:)\"”]|\s*$|\s+(?:and|or|is|was|has|had|have|will|would|can|could|did|does|said|"
    r"says|who|which|from|in|at|to|for|on|as|but|just|also|never|still|became|began|spent|"
    r"lives|lived|works|worked|went|came)\b"
)
_SHAPE = "en_name_shape_v1"
_LINE_LABEL = re.compile(r"(?m)^[ \t>]*(?P<v>[^\W\d_][^\W\d_'’-]{1,20}):[ \t]*[\"“]?\w")
_PARTICLE_GAP = re.compile(  # 'Willemine ten Pas', 'Dyan van Gijn', 'Maika van de Noort'
    r" (?:van|von|de|der|den|ten|ter|da|di|do|dos|das|del|della|du|le|la|bin|al|el|y)"
    r"(?: (?:de|der|den|la|le))? "
)
_LIST_GAP = re.compile(r",\s+(?:and\s+|&\s+)?|\s+(?:and|&|or)\s+")
_NAMING_CUE = re.compile(r"Hi|Hello|Hey|Dear|Thanks|Bye|Goodbye|call|named|my|name|I'm|I am")
_NAMED_BEFORE = re.compile(  # a greeting or a naming right before a person's name
    r"(?:\b(?:Hi|Hello|Hey|Dear|Thanks|Bye|Goodbye),?|\b(?:call|calls|called)\s+me|"
    r"\b(?:was|is|were|are|be)\s+called|"
    r"\bnamed(?:\s+(?:him|her|them|it))?|\bmy\s+(?:kid|son|daughter|child|baby)|\bname\s+is|"
    r"\bname\?|\bI'm|\bI\s+am)\s+$"
)
_DETERMINER_BEFORE = re.compile(r"(?i:\b(?:the|a|an|our|his|her|their|my|your))\s+$")
_SPEAKER_BEFORE = re.compile(rf"\b(?:{_SPEECH_VERBS})\s+$")  # 'says Hartvigsson'
_SPEAKER_AFTER = re.compile(rf"[,\"”]?\s+(?:{_SPEECH_VERBS})\b")  # 'Maslin said'
_SENTENCE_OPENING = re.compile(r"(?:^|\n|[.!?:;][\"”)]?\s+|[-*•]\s+|\d[.)]\s+)$")
_ACTS = re.compile(  # after a name at a sentence start: 'Asya spent a year', 'Koppány: "Who…'
    r"\s+(?:is|was|has|had|will|would|can|could|did|does|spent|began|begins|lives|lived|works|"
    r"worked|went|came|became|got|made|took|gave|joined|left|moved|grew|wants|wanted|just|"
    r"never|always|also|often|still)\b|:\s*[\"“]\S"
)


_AFFILIATION = re.compile(  # 'Abby Holloway of Opencounter', 'Zoe Young from Flightaware'
    r",?[ \t]+(?:of|from)[ \t]+(?:the[ \t]+)?(?P<v>[A-Z][\w&'’.-]*(?:[ \t]+[A-Z][\w&'’.-]*){0,3})"
)


@dataclass(frozen=True)
class AffiliationExtender:
    """The organization a found person is 'of' or 'from' (Abby Holloway of Opencounter):
    capitalized words right after a name, unless they are a department or specialty (Dr. Lee
    of Cardiology), a month or an ordinary word alone."""

    name: str = "en_affiliation_v1"
    languages: frozenset[str] = EN

    def extend(self, text: str, spans: list[Span]) -> list[Span]:
        extra = []
        for span in spans:
            if span.label != "NAME":
                continue
            m = _AFFILIATION.match(text, span.end)
            if m is None:
                continue
            value = re.split(r"\.\s", m.group("v"))[0]  # not across a sentence end
            value = re.sub(r"['’]s$", "", value.rstrip(".,"))
            words = value.split()
            if not any(
                not (is_inflected_english(w) or is_medical_word(w) or is_descriptive_org_word(w))
                and w not in _NOT_NAMES
                and not re.fullmatch(r"[A-Z0-9]{1,4}", w)
                for w in words
            ):
                continue  # Dr. Lee of Cardiology, from Radiation Oncology, of ENT, from Work
            extra.append(
                Span(m.start("v"), m.start("v") + len(value), "ORGANIZATION", 0.6, self.name)
            )
        return [*spans, *extra]


@cache
def _glue_part(token: str) -> bool:
    """A capitalized word that completes a found name beside it: no English word in use (a
    rare one may be a name: Maha, Tosh, Noyes), no medical, organization or street word."""
    return (
        len(token) >= 3
        and token[0].isupper()
        and not token.isupper()
        and (token.isalpha() or (_name_compound(token) and "'" not in token and "’" not in token))
        and token not in _NOT_NAMES
        and token not in _DEMONYMS
        and token not in STATES
        and token not in _STREET_WORDS
        and token.casefold() not in country_names()
        and _title_case(token) not in _eponyms()
        and not is_english_word(token)
        and not is_medical_word(token)
        and not is_org_suffix_word(token)
        and not is_descriptive_org_word(token)
    )


@dataclass(frozen=True)
class NameGlueExtender:
    """Grows a found name over an adjacent capitalized word that can only be part of it
    ('Maha Cazares', 'Tosh Olsen', 'Berkery Noyes Mandasoft'): a given name or surname that no
    list knows, on the same line, one space away."""

    name: str = "en_name_glue_v1"
    languages: frozenset[str] = EN
    max_words: int = 2

    def extend(self, text: str, spans: list[Span]) -> list[Span]:
        out = []
        for span in spans:
            start, end = span.start, span.end
            if span.label == "NAME":
                for _ in range(self.max_words):
                    before = _GLUE_BEFORE.search(text, max(0, start - 40), start)
                    if before is None or not _glue_part(before.group("w")):
                        break
                    start = before.start("w")
                for _ in range(self.max_words):
                    after = _GLUE_AFTER.match(text, end)
                    if (
                        after is None
                        or text[end - 2 : end] in ("'s", "’s")  # Yefremova's Cautionary
                        or inside_state(text, after.start("w"), after.end("w"))
                        or not _glue_part(after.group("w"))
                    ):
                        break
                    end = after.end("w")
            out.append(
                span
                if (start, end) == (span.start, span.end)
                else replace(span, start=start, end=end)
            )
        return out


_GLUE_WORD = r"(?P<w>[A-Z\u00c0-\u00de][^\W\d_]*(?:-[^\W\d_]+)*)"
_GLUE_BEFORE = re.compile(rf"(?<![\w'’.-]){_GLUE_WORD} $")  # a word one space before a name
_GLUE_AFTER = re.compile(rf" {_GLUE_WORD}(?![\w'’-])")  # a word one space after it


_AGE_BESIDE = re.compile(
    r",[ \t]*(?P<v>9\d|1[01]\d)(?:[ \t]*(?:yo|y/o|years?(?:[ \t]+old)?))?[ \t]*[,;)]"
)


@dataclass(frozen=True)
class AgeBesideNameExtender:
    """An age over 89 set beside a found name ('Ebenezer Quartey, 92, was found')."""

    name: str = "en_age_beside_name_v1"
    languages: frozenset[str] = EN

    def extend(self, text: str, spans: list[Span]) -> list[Span]:
        extra = []
        for span in spans:
            if span.label == "NAME" and (m := _AGE_BESIDE.match(text, span.end)):
                extra.append(Span(m.start("v"), m.end("v"), "AGE", 0.8, self.name))
        return spans + extra if extra else spans


EXTENDERS = [
    AffiliationExtender(),
    NameGlueExtender(),
    AgeBesideNameExtender(),
]

_LOWER_TITLED = re.compile(  # 'seen by dr. smith', 'called mrs o'neil' in any writer's text
    r"(?<![\w.])(?<!\d[ \t])(?:dr|drs|mr|mrs|ms|prof)\.?[ \t]+(?P<a>[A-Za-z][a-z'’-]+)"
    r"(?:[ \t]+(?P<b>[A-Za-z][a-z'’-]+))?"
)
_NOT_AFTER_TITLE = frozenset(
    "and or the a an to of in on at for by with was is will would has had said says who whom "
    "whose office note notes called calls saw sees here there today recommended recommends "
    "patients patient".split()
)


@dataclass(frozen=True)
class LowercaseTitledNameRecognizer:
    """A name after a title typed in lowercase ('dr. smith', 'mrs o'neil', 'ms. Quinzia'): a
    known name, or no English word; its second word joins when it is a known surname or no
    word."""

    name: str = "en_name_lowercase_title_v1"
    category: str = "NAME"
    languages: frozenset[str] = EN
    trigger: str = r"(?:^|[^\w.])(?:dr|drs|mr|mrs|ms|prof)\.?[ \t]+[A-Za-z]"

    def find(self, text: str) -> Iterator[Span]:
        for m in _LOWER_TITLED.finditer(text):
            first = m.group("a").lower()
            if first in _NOT_AFTER_TITLE or not _lower_name(first):
                continue
            if m.group("a")[0].isupper() and not _given_name(m.group("a")):
                continue  # '330 ms. One-to-one': a capitalized word must be a name
            end = m.end("a")
            second = (m.group("b") or "").lower()
            if (
                second
                and second not in _NOT_AFTER_TITLE
                and (_is_last(second.capitalize()) or not is_inflected_english(second))
                and not is_medical_word(second)
            ):
                end = m.end("b")
            yield Span(m.start(), end, "NAME", 0.85, self.name)


@cache
def _lower_name(word: str) -> bool:
    """A lowercase word that may be a name: a known one, or no English or medical word."""
    title = word.capitalize()
    if title in _NOT_NAMES or is_medical_word(word):
        return False
    return _is_first(title) or _is_last(title) or not is_inflected_english(word)


# a note signed with an initial and a surname at the end of a line: 'G. Fairweather',
# '… the entire case. A. Venkataraman', '-- K. Osterhout'
_SIGNED = re.compile(
    r"(?m)(?:^[ \t]*(?:-{1,2}[ \t]*)?|(?<=[.!?])[ \t]+)"
    r"(?P<v>[A-Z]\.[ \t]?(?:[A-Z]\.[ \t]?)?[A-Z][a-z]+(?:[-'’][A-Z][a-z]+)?)[ \t]*$"
)


@dataclass(frozen=True)
class SignatureRecognizer:
    """A signature: an initial and a surname alone at the end of a line. The surname must be
    a known one or no word in use (a line ending 'A. Fib' or 'B. Cereus' is no signature)."""

    name: str = "en_signature_v1"
    category: str = "NAME"
    languages: frozenset[str] = EN
    trigger: str = r"(?m)[A-Z]\.[ \t]?[A-Z][a-z]+[ \t]*$"

    def find(self, text: str) -> Iterator[Span]:
        for m in _SIGNED.finditer(text):
            surname = m.group("v").split(".")[-1].strip()
            if (
                (_is_last(surname) or _glue_part(surname))
                and not is_medical_word(surname)
                and _title_case(surname) not in _eponyms()
            ):
                yield Span(m.start("v"), m.end("v"), "NAME", 0.75, self.name)


# transcription footers name the physician and the typist by initials: 'IV/rt', 'JMS/kjt/dm',
# 'Transcribed by: kmj' (a whole line or field, so that 'BP/hr' inside a sentence is not hit)
TYPIST_INITIALS = PatternRecognizer(
    "en_typist_initials_v1", "NAME", EN,
    r"(?m)^[ \t]*(?P<a>[A-Z]{2,4}[ \t]*/[ \t]*[a-z]{2,4}(?:[ \t]*/[ \t]*[A-Za-z]{2,4})?)[ \t]*$"
    r"|(?i:transcribed|typed|keyed|transcriptionist|typist)(?i:[ \t]+by)?[ \t]*:[ \t]*"
    r"(?P<b>[A-Za-z]{2,4}(?:[ \t]*/[ \t]*[A-Za-z]{2,4})?)[ \t]*(?=$|\n|[,;])",
    0.8,
    group=("a", "b"),
    trigger=r"(?m)^[ \t]*[A-Z]{2,4}[ \t]*/[ \t]*[a-z]{2,4}|(?i)transcri|typ(?:ed|ist)|keyed",
)  # fmt: skip

RECOGNIZERS = [
    EnglishNameRecognizer(),
    SignatureRecognizer(),
    EnglishNameByRoleRecognizer(),
    EnglishNameShapeRecognizer(),
    TYPIST_INITIALS,
    LowercaseNameRecognizer(),
    LowercaseTitledNameRecognizer(),
]


_TITLE_CASE_RUN = re.compile(r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+){1,2}")


def isolated_name(run: str) -> bool:
    """Two or three capitalized words standing alone in text of another script (a Chinese
    record's '患者Crispin Quillfeather，'): a name when the vocabulary explains each word as a
    name or not at all (never a common, clinical or function word: Glasgow Coma Scale stays)."""
    return _TITLE_CASE_RUN.fullmatch(run) is not None and all(
        word_class(word) in ("name", "unknown") for word in re.split(r"[ -]", run)
    )
