"""ADDRESS in English (and in the languages of the streets English text names).

Street and ZIP patterns in many languages, postal blocks (a unit line, or a street line
confirmed by a postcode line), world cities (`place_words`), place cues (lives in, moved here
from), rooms, roads and counties; extenders then grow an address over its town, country and
postcode, and join "Hospital, City" into one place. Organizations are in `organizations`,
Chinese addresses and organizations in `places_zh`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from curation.deid.dates import MON_BARE
from curation.deid.recognizers.place_words import (
    CAPWORD,
    CLINICAL_WORDS,
    EPONYM_NOUN_AFTER,
    NOT_PLACES,
    STATE_NAMES,
    STATES,
    UPPER,
    US_STATES,
    city_names,
    inside_state,
    world_cities,
    world_city_words,
)
from curation.deid.registry import (
    BOTH,
    EN,
    PatternRecognizer,
)
from curation.deid.spans import Span, merge_spans
from curation.deid.tokens import (
    LOWERCASE_WRITER,
    capitalized_tokens,
    lowercase_text,
    lowercase_writer,
)
from curation.deid.vocabulary import word_class
from curation.deid.words import (
    country_names,
    is_common_english,
    is_rare_word,
)

STREET_TYPES = (
    r"Street|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Way|"
    r"Terrace|Ter|Parkway|Pkwy|Circle|Cir|Highway|Hwy|Square|Sq|Trail|Trl|Alley|Row|Crescent|"
    r"Close|Plaza|Loop|Pike|Run|Path|Walk|Point|Ridge|Heights|Hollow|Crossing|Gardens|Grove|"
    r"Manor|Village|Park|Expressway|Freeway|Turnpike|Causeway|Estate|Estates|Mews|Rue|Via|Gate|"
    r"Green|Hill|Hills|Meadow|Meadows|View|Vista|Junction|Landing|Harbor|Harbour|Creek|Station|"
    r"Street|Strasse|Straße|Gasse|Weg|Katu|Tie|Vej|Gade|Calle|Avenida|Rua|Viale|Piazza"
)
# street types that name a street without its number ('lives on Tremont St.')
_NAMED_STREET = r"Street|St\.|Avenue|Ave\.?|Road|Rd\.|Boulevard|Blvd\.?|Lane|Drive|Terrace|Parkway"
_UNIT_EN = r"(?:,?\s*(?:Apt|Apartment|Suite|Ste|Unit|Room|Rm|Bldg|Building|Floor|Fl|Box|#)\.?\s*#?\s*[A-Za-z0-9-]+)"
_CITY_STATE_ZIP = (
    rf"(?:,?\s*(?:{CAPWORD}\s+){{0,2}}{CAPWORD},?\s+(?:{US_STATES}|{STATE_NAMES})\.?"
    rf"(?:,?\s+\d{{5}}(?:-\d{{4}})?)?)"
)


@dataclass(frozen=True)
class EnglishCityRecognizer:
    """World cities by name (gazetteer), capitalized, not common words."""

    name: str = "en_city_v1"
    category: str = "ADDRESS"
    languages: frozenset[str] = EN

    def find(self, text: str) -> Iterator[Span]:
        cities = world_cities()
        for start, _, word in capitalized_tokens(text):
            for name in cities.get(word, ()):
                if text.startswith(name, start):
                    end = start + len(name)
                    if end < len(text) and text[end].isalnum():
                        continue
                    if text[end : end + 1] == "-" and text[end + 1 : end + 2].isupper():
                        break  # Jackson-Pratt: one half of a compound eponym
                    if name in STATES or name.casefold() in country_names():
                        break
                    if inside_state(text, start, end):
                        break  # Carolina (Puerto Rico) of North Carolina
                    if EPONYM_NOUN_AFTER.match(text, end):
                        break  # an Exeter stem, a Denver shunt, a Boston brace: devices
                    yield Span(start, end, "ADDRESS", 0.6, self.name)
                    break


_ADDRESS_CUE = re.compile(
    r"(?i)\b(?:(?:home|mailing|postal|street|current|new|his|her|my|their|our|the)\s+)?"
    r"(?:address(?:\s+(?:is|was))?|addr\.?|lives?\s+at|living\s+at|located\s+at|resides?\s+at|"
    r"(?:lives?|living|resides?)\s+on(?=\s+\d)|"
    r"residing\s+at|office\s+is\s+at|ship(?:ped)?\s+to|send\s+(?:it\s+)?to|"
    r"mail(?:ed)?\s+to|deliver(?:ed)?\s+to)\s*[:\-]?\s*(?=\S)"
)
# 'address' as a verb: after an infinitive's 'to', a modal or a subject
_ADDRESS_VERB = re.compile(
    r"(?i)\b(?:to|will|would|should|must|can|could|did|does|do|and|we|i|pt|team|md)\s+$"
)
# an address runs until a sentence end that is not an abbreviation, or a blank line
_ADDRESS_END = re.compile(
    r"(?<!\bApt)(?<!\bSt)(?<!\bAve)(?<!\bRd)(?<!\bDr)(?<!\bul)(?<!\bNo)(?<!\bBox)(?<!\bSte)"
    r"[.?!;](?=\s|$)|\n\s*\n|\s+(?:and|but|which|where|for|since|because|with)\s|[)(\"]"
)


@dataclass(frozen=True)
class EnglishAddressAfterCueRecognizer:
    """Everything after 'my address is', 'lives at' … up to the end of the sentence."""

    name: str = "en_address_after_cue_v1"
    category: str = "ADDRESS"
    languages: frozenset[str] = EN
    max_chars: int = 160
    trigger: str = (
        r"(?i)address|addr\.|lives? (?:at|on)|living (?:at|on)|located at|resides? (?:at|on)|"
        r"residing at|office is at|"
        r"ship(?:ped)? to|send (?:it )?to|mail(?:ed)? to|deliver(?:ed)? to"
    )

    def find(self, text: str) -> Iterator[Span]:
        for cue in _ADDRESS_CUE.finditer(text):
            start = cue.end()
            limit = min(len(text), start + self.max_chars)
            end_match = _ADDRESS_END.search(text, start, limit)
            end = end_match.start() if end_match else limit
            value = text[start:end].rstrip(" ,\n")
            if cue.group()[:1] in "aA" and _ADDRESS_VERB.search(
                text, cue.start() - 12, cue.start()
            ):
                continue  # 'to address goals set on 7/23': the verb, not an address
            if re.search(r"\d", value) and any(c.isupper() for c in value) and len(value) >= 4:
                yield Span(start, start + len(value), "ADDRESS", 0.75, self.name)


# capitals of Latin (incl. Latin-1), Greek and Cyrillic script: Růžena, ΛΕΥΚΩΣΙΑ, Москва
_PLACE_WORD = rf"[{UPPER}][^\W\d_]*(?:['’.-][^\W\d_]+)*"
_HOME_VERBS = (  # strong cues: what follows is a place even if it is an English word (Revere)
    r"(?:lives|living|live|resides|residing|reside|resident|born|moved|relocated|grew\s+up|"
    r"native|hometown|raised)(?:\s+(?:here|back|away|there))?\s+(?:in|to|from|of|at)"
    r"|(?:i\s*['’]?m|i\s+am|we\s*['’]?re|we\s+are)\s+(?:currently\s+)?in"
    r"|originally\s+from|arrived\s+(?:in|at)|based\s+in|home\s+(?:city|town)"
    # 'a 92 year old woman from Oak Bluffs': a person described by where they are from
    r"|(?:man|woman|gentleman|lady|boy|girl|male|female|resident|widow|widower|veteran|"
    r"retiree|couple|family)\s+from"
    r"|university\s+of"
)
_PLACE_VERBS = (
    _HOME_VERBS + r"|(?:is|are|was|were|comes?|came|emigrated|immigrated)\s+from"
    r"|(?:flew|flies|fly|flying|travell?ed|travell?ing|trip|drove|driving)\s+(?:back\s+)?to"
    r"|(?:currently|staying|stays|stayed)\s+in"
    r"|visiting|moved\s+(?:here|back|away)\s+from|returned\s+to"
    r"|(?:drove|driven|drives|called|calling|phoned|flew|travell?ed|commutes?)(?:\s+[a-z]+){0,2}\s+from"
    r"|\d+(?:st|nd|rd|th)\s+year\s+in"
)
_PLACE_CUE_BEFORE = re.compile(rf"(?i:\b(?:{_PLACE_VERBS}))\s+(?:the\s+)?$")
_PLACE_PARTICLE = r"(?:de|del|della|la|le|da|do|dos|di|van|von|sur|en|am|an|upon|O'|o')"
_PLACE_VALUE = re.compile(  # Villafranca del Cid, Store Merløse, PORT O' WARREN
    rf"(?P<v>{_PLACE_WORD}(?: (?:{_PLACE_PARTICLE} ?)?{_PLACE_WORD}){{0,2}})"
)
_CUE_LAST_WORDS = frozenset("in to from of at the visiting city town".split())
# the last word of a town's name that says it is one ('returned to Mill Village')
_PLACE_TYPES = frozenset(
    "Village Town City Heights Springs Falls Beach Harbor Harbour Bay Valley Creek Ridge "
    "Hills Lake Island Port Township Borough".split()
)


_NOT_TOWNS = frozenset(
    "Home House Apartment Assisted Nursing Group Section Foster Care Skilled Independent Senior "
    "Long Rehab Rehabilitation Hospice Shelter Jail Prison "
    # states and settings after 'I am in', 'arrived at' (I am in Pain, arrived at Work)
    "Pain Love Trouble Shock Bed Tears Labor Labour Debt Charge School College Class "
    "Treatment Therapy Hospital Recovery Remission Danger Distress Agony Denial Work Church "
    "Office Clinic Triage Surgery Good Bad Need Touch Contact Control Charge Remission".split()
)


@dataclass(frozen=True)
class EnglishPlaceAfterCueRecognizer:
    """A town after 'lives in', 'born in', 'moved to' … (cities too small for the gazetteer)."""

    name: str = "en_place_after_cue_v1"
    category: str = "ADDRESS"
    languages: frozenset[str] = EN
    trigger: str = rf"(?i)\b(?:{_PLACE_VERBS})\s"

    def find(self, text: str) -> Iterator[Span]:
        # each capitalized token looks back for a cue ending right before it: far cheaper than
        # scanning the note for the case-insensitive cue alternation
        for start, _, _ in capitalized_tokens(text):
            before = text[max(0, start - 48) : start]
            words_before = before.rsplit(None, 1) if before[-1:].isspace() else []
            last = words_before[-1].lower() if words_before else ""  # none: whitespace only
            if last not in _CUE_LAST_WORDS:
                continue
            cue = _PLACE_CUE_BEFORE.search(before)
            m = _PLACE_VALUE.match(text, start) if cue else None
            if m is None:
                continue
            value = m.group("v").rstrip(".")
            words = value.split()
            if words[0] in NOT_PLACES or words[0] in _NOT_TOWNS:
                continue  # a capitalized word after "lives in" is a place (Revere, Lynn)
            if value.casefold() in country_names() or value in NOT_PLACES:
                continue  # a country or a state does not identify anyone
            home = re.match(rf"(?i){_HOME_VERBS}", cue.group(0))
            if (
                not home
                and is_common_english(words[0].lower())
                and value not in city_names()
                and words[-1] not in _PLACE_TYPES
            ):
                continue  # "came from Work" … only strong cues trust a word that is no city
                # ('drove here from Providence')
            yield Span(m.start("v"), m.start("v") + len(value), "ADDRESS", 0.7, self.name)


_LINE_PREFIX = re.compile(r"[ \t]*(?:[>|?][ \t]*)*")  # e-mail quote marks, mangled bullets
_UNIT_TOKEN = re.compile(
    r"(?i)(?<![\w-])(?:suite|ste\.?|apt\.?|apartment|unit|flat|p\.?\s?o\.?\s?box|postbox|psc)"
    r"[ \t]*#?[ \t]*\d[\w-]{0,6}(?![\w-])"
)
_SENTENCE_CUT = re.compile(r"[?!;]|\.(?=\s+[A-Z])|:\s|\s{3,}\S")
_LABEL_LINE = re.compile(r"[^\W\d_][\w ]{0,20}[:：]")  # "Mobile: …", "医生：…" end a block


def _block_value(text: str, a: int, b: int, max_words: int = 6) -> tuple[int, int, bool] | None:
    """The address part of a block line (quote marks and a trailing sentence cut off), and
    whether the block may go on after it; None when the line is no address line."""
    start = _LINE_PREFIX.match(text, a, b).end()
    if start >= b or _LABEL_LINE.match(text, start, b):
        return None
    cut = _SENTENCE_CUT.search(text, start, b)
    end = cut.start() if cut else b
    value = text[start:end].rstrip(" \t,")
    if value.endswith(".") and not value[-2:-1].isdigit():
        value = value.rstrip(" \t,.")  # 'Erzsébet tér 19.' keeps the period of its number
    if len(value.split()) > max_words:  # "KNIVSTA, nan 18237 after the concert": to the postcode
        postcode = _UP_TO_POSTCODE.match(value)
        if postcode is None or len(postcode.group().split()) > max_words:
            return None
        value, cut = postcode.group(), True
    trailing = _LOWERCASE_AFTER_POSTCODE.match(value)
    if trailing:  # 'Netherlands 62971 in case': the sentence goes on after the postcode
        value, cut = trailing.group("v"), True
    letters = re.search(r"[^\W\d_]", value)
    if not value or (not letters and not re.fullmatch(r"\d{3,6}(?:[ -]\d{2,4})?", value)):
        return None  # a phone number or a bare count is no address line
    return start, start + len(value), cut is None


_LOWERCASE_AFTER_POSTCODE = re.compile(r"(?P<v>.*?\d{3,6}(?:[ -]\d{2,4})?)(?:\s+[a-z]+)+")


_HOUSE_NUMBER = re.compile(r"(?<![\w.,:/-])\d{1,6}(?:[ \t]+\d{1,6})?[ \t]+(?=[^\W\d_])")
# a line that ends with a postcode: 'Nijmegen 62971', ', GE', 'Netherlands 62971', '00617'
_POSTCODE_LINE = re.compile(r"[^\d\n]{0,40}?(?<![\d/.:])\d{3,6}(?:[ -]\d{2,4})?(?!\d)")
_UNITS = frozenset(
    "mg mcg μg ug g kg ml cc l mm cm in lb lbs tab tabs tablet tablets cap caps iu units "
    "qd bid tid qid prn hs po iv im sc".split()
)
_UP_TO_POSTCODE = re.compile(r"[^\n]{0,60}?(?<!\d)\d{3,6}(?:[ -]\d{2,4})?(?!\d)")


@dataclass(frozen=True)
class PostalBlockRecognizer:
    """The lines of a postal address block around a unit line ('Suite 501', 'Apt. 4',
    'P.O. Box 12', also inside the street line): the street line above it, from its first
    number on, and up to four short lines below it (town, region, country and postcode),
    across at most one blank line. E-mail quote marks ('> ') before the lines are skipped; a
    block ends at a labeled line ('Mobile: …') or where a sentence goes on after it."""

    name: str = "postal_block_v2"
    category: str = "ADDRESS"
    languages: frozenset[str] = BOTH
    trigger: str = (
        r"(?i)(?:suite|ste\.?|apt\.?|apartment|unit|flat|box|psc)[ \t]*#?[ \t]*\d"
        # a line that opens with a postcode after at most 60 other characters (the confirming
        # line of a street-anchored block); far cheaper than matching the block itself
        r"|\n[^\d\n]{0,60}\d{3}"
    )

    def find(self, text: str) -> Iterator[Span]:
        bounds = [(m.start(), m.end()) for m in re.finditer(r"(?m)^.*$", text)]
        done = -1
        for k, (a, b) in enumerate(bounds):
            if k <= done:
                continue
            anchor = self._unit_anchor(text, a, b) or self._street_anchor(text, a, b)
            if anchor is None:
                continue
            start, end, goes_on, needs_postcode = anchor
            below, j = self._lines_below(text, bounds, k + 1) if goes_on else ([], k + 1)
            if needs_postcode and not any(_POSTCODE_LINE.fullmatch(text, *line) for line in below):
                continue  # '2 tablets daily' above 'at bedtime' is no address
            picked = [(start, end), *below]
            if k > 0 and start == _LINE_PREFIX.match(text, a, b).end():
                above = None if needs_postcode else self._street_line(text, *bounds[k - 1])
                if above:
                    picked.insert(0, above)
                picked[:0] = self._heading_lines(text, bounds, k - 1 if above else k)
            done = j - 1
            for start, end in picked:  # a country line goes too: it belongs to the block
                yield Span(start, end, "ADDRESS", 0.8, self.name)

    @staticmethod
    def _unit_anchor(text: str, a: int, b: int) -> tuple[int, int, bool, bool] | None:
        """A line with a unit ('Suite 501'): the whole line, or inside a sentence from the
        house number before the unit to the unit."""
        unit = _UNIT_TOKEN.search(text, a, b)
        if unit is None:
            return None
        line = _block_value(text, a, b, max_words=8)
        if line and line[1] >= unit.end():
            return line[0], line[1], line[2], False
        window = max(a, unit.start() - 60)
        number = re.search(r"(?<![\w.])\d{1,6}\s+[^\W\d_]", text[window : unit.start()])
        if number is None:
            return None
        return window + number.start(), unit.end(), not text[unit.end() : b].strip(" \t,"), False

    @staticmethod
    def _street_anchor(text: str, a: int, b: int) -> tuple[int, int, bool, bool] | None:
        """A line ending in a street line ('… return to 72134 Coronilla 3599'): from the house
        number on. It anchors a block only when a postcode line follows (checked by the
        caller)."""
        number = _HOUSE_NUMBER.search(text, a, b)
        if number is None or len(text[number.start() : b].split()) > 8:
            return None
        value = text[number.start() : b].rstrip(" \t,.")
        if re.search(r"[\u4e00-\u9fff]", value):  # a Chinese address is places_zh's
            return None  # Chinese lines ('50 μg qd，没有过敏') have their own address rules
        words = re.findall(r"[^\W\d_]+", value)
        if not words or all(
            w.lower() in _UNITS or word_class(w) in ("stop", "clinical", "common") for w in words
        ):
            return None  # '2 tablets daily', '650 mg. given, continues with low grade temp
        return number.start(), number.start() + len(value), True, True

    @staticmethod
    def _lines_below(
        text: str, bounds: list[tuple[int, int]], j: int
    ) -> tuple[list[tuple[int, int]], int]:
        """Up to five short lines after a block's first line, across at most one blank line;
        the block ends at a labeled line or where a sentence goes on."""
        picked: list[tuple[int, int]] = []
        blanks = 0
        while j < len(bounds) and len(picked) < 5:
            a, b = bounds[j]
            if not text[a:b].strip(" \t>|?"):
                blanks += 1
                if blanks > 1:
                    break
                j += 1
                continue
            line = _block_value(text, a, b, max_words=5)
            if line is None or (
                blanks and not PostalBlockRecognizer._after_blank(text[line[0] : line[1]])
            ):
                break
            picked.append(line[:2])
            j += 1
            if not line[2]:
                break
        return picked, j

    @staticmethod
    def _heading_lines(text: str, bounds: list[tuple[int, int]], k: int) -> list[tuple[int, int]]:
        """Up to two short lines right above a block's first line: the addressee and the
        organization of a signature or letter head ('Zizi Kónya / Enigmaio / 5850 …')."""
        picked: list[tuple[int, int]] = []
        for j in (k - 1, k - 2):
            if j < 0 or not text[bounds[j][0] : bounds[j][1]].strip(" \t>|?"):
                break
            line = _block_value(text, *bounds[j], max_words=4)
            if line is None or not line[2]:
                break
            picked.insert(0, line[:2])
        return picked

    @staticmethod
    def _after_blank(value: str) -> bool:
        """Past a blank line only a postcode or country line still belongs to the block."""
        return bool(re.search(r"\d", value)) or value.strip().casefold() in country_names()

    @staticmethod
    def _street_line(text: str, a: int, b: int) -> tuple[int, int] | None:
        """The line above a unit line, from its first house number on (sentence text before
        it is not part of the address)."""
        number = re.search(r"(?<![\w.])\d{1,6}(?:\s+\d{1,6})?\s+[^\W\d_]", text[a:b])
        if number is None or len(text[a + number.start() : b].split()) > 8:
            return None
        return a + number.start(), a + len(text[a:b].rstrip(" \t,"))


# 'via IV sedation', 'RUE numbness' (right upper extremity), 'Street 2 days': no addresses
_CLINICAL_STREET_LOOKALIKE = re.compile(r"\bvia\b|\b(?:RUE|LUE|RLE|LLE)\b|\b(?:gate|GATE)\b(?! \d)")
STREET_SUFFIXES = (  # street-name endings in compounding languages: Kiannonkatu, Friedhofstrasse
    r"katu|tie|strasse|straße|gasse|vej|gade|gatan|vägen|braut|stræde|laan|straat|plein|utca|"
    r"kuja|polku|veien|vegen|gata|vegur|stræti|ulica|cesta|ulice|weg|steig|allee|damm|markt"
)
STREET_WORDS = (  # street words that stand alone: Rua Igreja 25, ul. Słowicza 10
    r"rue|avenue|avda\.?|avenida|calle|rua|rúa|via|viale|piazza|platz|road|street|lane|ul\.|"
    r"út|útja|str\.|(?-i:u\.)|tér|körút|rkp\.|trg|aleja|plac|náměstí|carrer|quai|vicolo|"
    r"largo|travessa|gate|C/"
)
_TAIL_TOKEN = re.compile(
    rf"[ \t]*,?[ \t]*(?P<t>\d{{1,6}}(?:-\d{{3,4}}|[ ]\d{{2,3}})?[A-Za-z]?(?![\w/:-]|\.\d)"
    rf"|[{UPPER}][^\W\d_]*(?:['’.-][^\W\d_]+)*(?![\w-])\.?|\([^\W\d_]+\))"
)
_REGION_WORDS = frozenset(
    "Upper Lower New North South East West Northern Southern Eastern Western Central Greater "
    "Great Little Old Saint St.".split()
)
_POSTCODE_BEFORE = re.compile(r"(?<![\w.,:/-])\d{3,6}[ \t]+$")


def _tail_word(token: str) -> bool:
    """Whether a token after an address still belongs to it: a postcode, a region in capitals
    (NUNGATTA, OV), a country or state, or a capitalized word that is no ordinary word."""
    word = token.rstrip(".")
    if word[0].isdigit() or word.startswith("("):
        return True
    if word.isupper() and len(word) >= 2:
        return word not in _NOT_TAIL_ABBREVIATIONS
    if word.casefold() in country_names() or word in STATES:
        return True
    return not (is_common_english(word) or word in CLINICAL_WORDS or word in NOT_PLACES)


_FLOOR = re.compile(r"\d{1,2}")
_HAS_DIGIT = re.compile(r"\d")
_NOT_TAIL_ABBREVIATIONS = frozenset(
    "MD DO RN NP PA MRN DOB SSN ID ER ED ICU OR CT MRI EKG ECG HPI ROS PMH PSH FH SH CC BP HR RR "
    "PO IV IM SQ PRN BID TID QID QD HS AM PM".split()
)


@dataclass(frozen=True)
class AddressTailExtender:
    """Grows an address over what completes it on the same line: the town, region, country
    and postcode after it ('… Suite 215 NUNGATTA Australia', '… Apt. 641, Grubbenvorst,
    Netherlands 04020') and a postcode written before the house number ('17151 2450 Crown
    St'). It stops at the first ordinary word or sentence mark."""

    name: str = "address_tail_v1"
    languages: frozenset[str] = EN
    max_tokens: int = 6

    def extend(self, text: str, spans: list[Span]) -> list[Span]:
        out = []
        for span in spans:
            if span.label != "ADDRESS":
                out.append(span)
                continue
            start, end = span.start, span.end
            before = _POSTCODE_BEFORE.search(text, max(0, start - 10), start)
            if before and text[start : start + 1].isdigit():
                start = before.start()
            grown = -1
            while grown != end:  # house number, then ', town, country', then 'NUNGATTA' …
                grown = end
                end = self._comma_chain(text, end)
                for _ in range(self.max_tokens):
                    token = _TAIL_TOKEN.match(text, end)
                    if token is None:
                        break
                    if _FLOOR.fullmatch(token.group("t")) and not _HAS_DIGIT.search(
                        text, start, end
                    ):
                        break  # 'Quartermain 2', 'Ellis 6': the floor or ward of a building
                    if not _tail_word(token.group("t")):
                        # 'Upper Austria', 'New Zealand': a region named with a plain word
                        region = _TAIL_TOKEN.match(text, token.end())
                        if not (
                            token.group("t") in _REGION_WORDS
                            and region is not None
                            and text[token.end() : region.start("t")] == " "
                            and region.group("t")[0].isalpha()
                            and _tail_word(region.group("t"))
                        ):
                            break
                        token = region
                    end = token.end()
            out.append(
                span
                if (start, end) == (span.start, span.end)
                else replace(span, start=start, end=end)
            )
        return out

    @staticmethod
    def _comma_chain(text: str, end: int) -> int:
        """', Cite Guedouala, Tunisia', ', mohács, hungary 24743': comma-separated parts of
        any case after an address, taken only when the chain ends in a country or postcode."""
        position = end
        for _ in range(3):
            part = _COMMA_PART.match(text, position)
            if part is None:
                return end
            value = part.group("p").strip()
            position = part.end()
            if re.fullmatch(r"\d{3,6}(?:[ -]\d{2,4})?", value):
                return position
            words = value.split()
            for n in (3, 2, 1):  # 'Tunisia last night': the country, not the words after it
                head = " ".join(words[:n])
                if len(words) >= n and head.casefold() in country_names():
                    postcode = _POSTCODE_AFTER.match(value, len(head))
                    return part.start("p") + (postcode.end() if postcode else len(head))
        return end


_POSTCODE_AFTER = re.compile(r"\s*\d{3,6}(?:[ -]\d{2,4})?(?!\d)")
_COMMA_PART = re.compile(r"[ \t]*,[ \t]*(?P<p>[^\W_][^,.;:!?\n]{0,40}?)(?=[ \t]*(?:[,.;:!?\n]|$))")
_STREET_AFTER_PREPOSITION = re.compile(  # "on Villacher Strasse 89", "north side of Joaquin Suarez 2906"
    rf"(?=[\d{UPPER}])(?<=\b(?:on|at|of|to|in|is)\s)(?P<v>(?:\d{{3,6}}\s+)?(?:{_PLACE_WORD}\s+){{0,3}}{_PLACE_WORD}\s+\d{{1,5}}[A-Za-z]?)"
    r"(?=\s+(?:St\.|[Ss]treet\b)|\s*[,;\n]|[.?!]?\s*$|\.\s)"
)
_PLACE_POSTCODE = re.compile(  # "support Factset in Bjert 6091", "in Quinta de São Tiago 3610-114"
    rf"(?=[{UPPER}])(?<=\bin\s)(?P<v>{_PLACE_WORD}(?:\s+(?:de|da|do|del|la|le|di|van|von|{_PLACE_WORD})){{0,3}}"
    r"\s+\d{4,5}(?:-\d{3,4})?)(?![\w-])"
)


@dataclass(frozen=True)
class StreetNameNumberRecognizer:
    """A street written as name then house number with no street word ('Pod Floriánem 1677',
    'Hoge Wei 32 St.') after a preposition, and a town before its postcode ('in Bjert 6091').
    At least one word must be no ordinary or clinical word (not 'on Day 2', 'in Room 12')."""

    name: str = "street_name_number_v1"
    category: str = "ADDRESS"
    languages: frozenset[str] = EN
    trigger: str = r"\b(?:on|at|of|to|in|is)\s+(?:\d{3,6}\s+)?\p{Lu}\S*(?:\s+\S+){0,3}\s+\d"

    def find(self, text: str) -> Iterator[Span]:
        for regex in (_STREET_AFTER_PREPOSITION, _PLACE_POSTCODE):
            for m in regex.finditer(text):
                words = re.findall(r"[^\W\d_]+(?:['’.-][^\W\d_]+)*", m.group("v"))
                if any(self._proper(w) for w in words):
                    yield Span(m.start("v"), m.end("v"), "ADDRESS", 0.7, self.name)

    @staticmethod
    def _proper(word: str) -> bool:
        if word.isupper() and len(word) <= 5:
            return False  # POD 2, CN 7, L 5: clinical abbreviations
        return not (
            is_common_english(word)
            or word in CLINICAL_WORDS
            or word in NOT_PLACES
            or _MONTH.fullmatch(word) is not None
            or len(word) < 3
        )


_MONTH = re.compile(MON_BARE)  # January … Dec, as the date forms spell them


_LOWER_STREET = re.compile(
    r"(?=\d)(?<![\w.])\d{1,6}(?:[ ]\d{1,6})?[ ](?:[^\W\d_]+[ ]){1,4}?"
    r"(?:street|st|avenue|ave|road|rd|drive|dr|lane|ln|boulevard|blvd|way|place|pl|court|ct|"
    r"terrace|rue|via|calle|rua|rúa|strasse|gasse|vej|katu|tie|utca|út|ulica)\.?"
    r"(?:[ ]\d{1,5}[a-z]?)?(?:,?[ ](?:apt|suite|unit)\.?[ ]?\d{1,6})?(?![\w])"
)
_LOWER_STOP = frozenset(
    "the a an down up to of in on at from by and or is are was were for with my our his her "
    "their your this that blocks block miles mile feet times days weeks i we you he she it".split()
)
_LOWER_FIRM = re.compile(
    r"(?=[a-z])(?<![\w'’-])(?:[a-z][\w&'’-]*[ ]){1,4}"
    r"(?:inc|llc|ltd|corp|co|college|university|hospital|clinic|school|academy)\b\.?"
)


_LOWER_TOWN = re.compile(
    r"(?:\b(?:lives?|living|lived|moved|returned|flew|went|drove|travell?ed|came|back|born|"
    r"raised|grew[ ]up|originally)[ ]+(?:here[ ]+)?(?:in|to|from)|\bfrom)[ ]+"
    r"(?P<v>[a-z][^\W\d_]{2,})\b"
)


def _lower_town(word: str) -> bool:
    """A lowercase word that names a town of the gazetteer and is no English word in use
    (kiel, harburg; not home, town or boston, a word of Webster's too)."""
    title = word.title()
    return (
        title in world_city_words()
        and title not in STATES
        and word not in country_names()
        and not (is_common_english(word) and not is_rare_word(word))
    )


@dataclass(frozen=True)
class LowercaseAddressRecognizer:
    """Streets and firms typed in lowercase ('3747 3911 fourth avenue suite 112', 'stillwater
    supercomputing inc.'), in texts whose writer starts lines in lowercase; towns after a
    place verb in texts written without capitals ('lives in harburg')."""

    name: str = "en_lowercase_place_v1"
    category: str = "ADDRESS"
    languages: frozenset[str] = EN
    trigger: str = LOWERCASE_WRITER

    def find(self, text: str) -> Iterator[Span]:
        if not lowercase_writer(text):
            return
        for m in _LOWER_STREET.finditer(text):
            words = m.group().split()
            if _LOWER_STOP.intersection(words):  # '2 blocks down the street'
                continue
            if any(word_class(w) == "clinical" for w in words[1:-1] if not w.isdigit()):
                continue  # '40 meq via ngt', '10 hrs via midline': a dose or a route
            yield Span(m.start(), m.end(), "ADDRESS", 0.7, self.name)
        for m in _LOWER_FIRM.finditer(text):
            words = m.group().split()
            stops = [k for k, w in enumerate(words) if w in _LOWER_STOP]
            words = words[stops[-1] + 1 :] if stops else words  # 'we go to tulsa … college'
            end = m.end()
            if words[-1].rstrip(".") not in ("inc", "llc", "ltd", "corp", "co"):
                end -= m.group().endswith(".")  # a sentence's period, not an abbreviation's
            # a firm's name holds a word nothing explains; 'pca inc', 'improved co' are
            # shorthand (increased, cardiac output)
            proper = [word_class(w) in ("name", "unknown") for w in words[:-1]]
            if words[-1] == "inc" and not all(proper):
                continue  # 'midline chest inc', 'upper thigh inc': an incision
            if len(words) > 1 and any(proper):
                start = m.end() - len(" ".join(words))
                yield Span(start, end, "ORGANIZATION", 0.7, self.name)
        if lowercase_text(text):  # 'my friend lives in harburg', 'we returned to kiel'
            for m in _LOWER_TOWN.finditer(text):
                if _lower_town(m.group("v")):
                    yield Span(m.start("v"), m.end("v"), "ADDRESS", 0.65, self.name)


RECOGNIZERS = [
    EnglishCityRecognizer(),
    PatternRecognizer(
        "en_street_address_v1", "ADDRESS", BOTH,
        rf"(?=\d)\b\d{{1,6}}[A-Za-z]?(?:-\d+)?\s+(?:(?:[NSEW]\.?|North|South|East|West|Old|New)\s+)?"
        rf"(?:{CAPWORD}\s+){{0,4}}(?:{STREET_TYPES})\b\.?{_UNIT_EN}?{_CITY_STATE_ZIP}?",
        0.85,
        trigger=rf"\b(?:{STREET_TYPES})\b",
    ),
    EnglishAddressAfterCueRecognizer(),
    EnglishPlaceAfterCueRecognizer(),
    PatternRecognizer(  # Kiannonkatu 98, Rua Igreja 25, ul. Słowicza 10, Friedhofstrasse 33
        "intl_street_v1", "ADDRESS", EN,
        rf"(?i)(?<![\w.])(?:\d{{1,6}}\s+)?(?:[^\W\d_][\w'.-]*\s+){{0,3}}?(?:[^\W\d_]+(?:{STREET_SUFFIXES})|(?:{STREET_WORDS}))(?:\s+[^\W\d_][\w'.-]*){{0,3}}?\s+(?!(?:19|20)\d\d\b)\d{{1,5}}[A-Za-z]?\b(?:\.(?=\s|$))?",
        0.7,
        validator=lambda v: not _CLINICAL_STREET_LOOKALIKE.search(v),
        trigger=rf"(?i)(?:{STREET_SUFFIXES}|{STREET_WORDS})\s+(?:\S+\s+){{0,3}}\d",
    ),
    PatternRecognizer(
        "unit_number_v1", "ADDRESS", BOTH,
        r"\b(?:Apt|Apartment|Suite|Ste|Unit|Flat|Room|Rm|Postbox|P\.?\s?O\.?\s*Box)\.?\s*#?\s*\d+[A-Za-z]?(?:-\d+[A-Za-z]?)?\b",
        0.7,
        trigger=r"(?i)\b(?:apt|apartment|suite|ste|unit|flat|room|rm|postbox|box)\.?\s*#?\s*\d",
    ),
    PatternRecognizer(  # a building number, a street named with a number, then 'St.':
        # 'drops you off at 87818 Dalmatinova 68 St.', 'at 74678 midtvollen 130 st.'
        "numbered_street_st_v1", "ADDRESS", EN,
        r"(?=\d)(?<![\w.,/-])\d{1,6}\s+(?:[^\W\d_][\w'’.-]*\s+){1,6}?\d{1,5}[A-Za-z]?\s+"
        r"(?i:st\.|street\b|ave\.|avenue\b|rd\.|road\b)",
        0.75,
        trigger=r"\d\s+(?:\S+\s+){1,6}\d{1,5}[A-Za-z]?\s+(?i:st\.|street|ave\.|avenue|rd\.|road)",
    ),
    PatternRecognizer(  # UK postcodes: outward code, a space, inward code (SW1A 1AA, NW1 6XE)
        "uk_postcode_v1", "ADDRESS", EN,
        r"(?=[A-Z])\b[A-Z]{1,2}\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2}\b",
        0.8,
        trigger=r"\b[A-Z]{1,2}\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2}\b",
    ),
    PatternRecognizer(  # counties, parishes, boroughs: smaller than a state (Orange County)
        "en_county_v1", "ADDRESS", EN,
        rf"(?=[A-Z])\b(?:{CAPWORD}\s+){{1,2}}(?:County|Parish|Borough|Township)\b(?!\s+(?:Road|Rd))",
        0.75,
        trigger=r"\S\s+(?:County|Parish|Borough|Township)\b",  # LA County, St. Mary's Parish
    ),
    PatternRecognizer(  # numbered roads: Route 9, Hwy 101, County Road 12
        "en_route_v1", "ADDRESS", EN,
        r"\b(?:Route|Rte\.?|Highway|Hwy\.?|Interstate|State\s+Road|County\s+Road)\s+\d{1,4}[A-Z]?\b",
        0.75,
        trigger=r"\b(?:Route|Rte|Highway|Hwy|Interstate|State\s+Road|County\s+Road)\.?\s+\d",
    ),
    PatternRecognizer(
        "military_address_v1", "ADDRESS", BOTH,
        r"(?i)\b(?:PSC|Unit|USNS|USNV|USS|USCGC)\s+[\w ]{1,30}?(?:,?\s*Box\s+\d+)?\s*\n?\s*(?:APO|FPO|DPO)\s+A[AEP]\s+\d{5}\b",
        0.9,
        trigger=r"(?i)[ADF]PO\s+A[AEP]",
    ),
    PatternRecognizer(
        "en_po_box_v1", "ADDRESS", BOTH,
        rf"\bP\.?\s?O\.?\s+Box\s+\d+{_CITY_STATE_ZIP}?",
        0.9,
        flags=re.IGNORECASE,
        trigger='(?i)box',
    ),
    PatternRecognizer(
        "en_city_state_v1", "ADDRESS", EN,
        rf"(?=[A-Z])\b(?:{CAPWORD}\s+){{0,2}}{CAPWORD},\s+(?:{US_STATES})\b(?:\.?,?\s+\d{{5}}(?:-\d{{4}})?)?",
        0.8,
        trigger=rf"[A-Za-z],\s+(?:{US_STATES})\b",
    ),
    PatternRecognizer(  # a labeled postcode may have 4-6 digits: ZIP: 3520, postal code 75419
        "labeled_postcode_v1", "ADDRESS", BOTH,
        r"(?i:\b(?:zip|postal|post)\s*(?:code)?\s*(?:[:#]|is|was)\s*)"
        r"(?P<v>\d{3,6}(?:-\d{3,4}|\s\d{2,3}(?!\d)|\s[A-Z]{2}\b)?)(?![\d-])",
        0.85,
        group="v",
        trigger=r"(?i)(?:zip|postal|post)\s*(?:code)?\s*(?:[:#]|is|was)\s*\d",
    ),
    PostalBlockRecognizer(),
    StreetNameNumberRecognizer(),
    LowercaseAddressRecognizer(),
    PatternRecognizer(  # a street named without its number: 'shows on Marina Fort Street'
        "street_name_v1", "ADDRESS", EN,
        rf"\b(?:on|at|off|near|along)\s+(?P<v>(?:{CAPWORD}\s+){{1,3}}(?:{_NAMED_STREET}))(?:\b|(?<=\.))",
        0.7,
        group="v",
        trigger=rf"\b(?:on|at|off|near|along)\s+[A-Z]\S*(?:\s+\S+){{0,3}}\s+(?:{_NAMED_STREET})",
    ),
    PatternRecognizer(  # the corner of Dalbraut 99 and Frederikke Coves
        "corner_of_v1", "ADDRESS", EN,
        r"(?i:\b(?:the\s+)?corner\s+of\s+)[^\W_][^?!;\n]{1,60}?\s+and\s+[^\W_][^.?!;,\n]{1,40}?(?=[.?!;,\n]|\s+(?:st\.|street)?\s*$|$)",
        0.8,
        trigger=r"(?i)corner\s+of",
    ),
    PatternRecognizer(  # the intersection of 5th Street and Market: streets are capitalized
        "intersection_of_v1", "ADDRESS", EN,
        r"(?i:\bintersection\s+of\s+)(?:the\s+)?[A-Z0-9][^?!;,\n]{0,40}?\s+(?:and|&)\s+[A-Z0-9][\w'’-]*(?:\s+[A-Z][\w'’-]*\.?){0,2}",
        0.8,
        trigger=r"(?i)intersection\s+of",
    ),
    PatternRecognizer(  # rural routes: RR 2 Box 118, HC 61 Box 20
        "rural_route_v1", "ADDRESS", EN,
        r"\b(?:RR|R\.R\.|HC|Rural\s+Route|Star\s+Route)\s*#?\s*\d{1,4},?\s+Box\s+\d{1,6}\b",
        0.85,
        trigger=r"(?:RR|R\.R\.|HC|Route)\s*#?\s*\d{1,4},?\s+Box",
    ),
    PatternRecognizer(
        "us_zip_v1", "ADDRESS", BOTH,
        rf"(?:\b(?:{US_STATES})\.?\s+|(?:zip|postal)\s*(?:code)?\s*[:#]?\s*)(?P<v>\d{{5}}(?:-\d{{4}})?)\b",
        0.85,
        group="v",
        trigger='\\d{5}',
    ),
]  # fmt: skip
_PLACE_GAP = re.compile(r",[ \t]*|[ \t]+in[ \t]+|[ \t]*-[ \t]*")
_PLACE_NOUN = re.compile(
    r"[ \t]+(?:downtown[ \t]+)?(?:clinic|hospital|hosp\.?|office|branch|center|centre|practice|"
    r"campus|location|site|facility|med[ \t]+ctr|medical[ \t]+center)\b"
)


@dataclass(frozen=True)
class PlaceJoinExtender:
    """One place, one span: 'Johns Hopkins Hospital, Baltimore' and 'St. Joseph's Health in
    Detroit, MI' are joined across the comma or 'in' between an organization and an address,
    and a place grows over the facility noun after it ('our Dallas clinic')."""

    name: str = "place_join_v1"
    languages: frozenset[str] = EN

    def extend(self, text: str, spans: list[Span]) -> list[Span]:
        places = ("ORGANIZATION", "ADDRESS")
        out: list[Span] = []
        for span in merge_spans(spans):  # joins look at what will be masked, not candidates
            if span.label in places:
                noun = _PLACE_NOUN.match(text, span.end)
                if noun:
                    span = replace(span, end=noun.end())
            last = out[-1] if out else None
            if (
                last is not None
                and last.label in places
                and span.label in places
                and last.end <= span.start
                and _PLACE_GAP.fullmatch(text, last.end, span.start)
            ):
                out[-1] = replace(last, end=max(last.end, span.end))
                continue
            out.append(span)
        return out
