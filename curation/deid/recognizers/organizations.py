"""ORGANIZATION in English: hospitals, practices, employers, schools and companies.

Names ending in an organization suffix (Hospital, Clinic, Inc …, and in capitals: MERCY CARE
CENTER), practices named after a place (Milford Regional, Valley Pediatrics), capitalized names
after facility and employment cues ('admitted to', 'works at'), surname firms ('Smith & Jones'),
owners of an office or staff ('the Avalara office'), and the other members of a list of
companies. Descriptive words (Cardiology, Emergency, Department) name nothing on their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

from curation.deid.recognizers.place_words import (
    CAPWORD,
    CLINICAL_WORDS,
    EPONYM_NOUN_AFTER,
    NOT_PLACES,
    TITLES,
    UPPER,
    city_names,
    world_cities,
    world_city_words,
)
from curation.deid.registry import BOTH, EN, PatternRecognizer, lexicon
from curation.deid.spans import Span
from curation.deid.tokens import capitalized_tokens
from curation.deid.vocabulary import word_class
from curation.deid.words import (
    country_names,
    english_names,
    is_common_english,
    is_inflected_english,
    is_medical_word,
    is_person_name,
)

EN_ORG_SUFFIX = (
    r"Hospital|Hospitals|Medical Center|Medical Centre|Health Center|Health Centre|Health System|"
    r"Healthcare|Health Care|Clinic|Clinics|Infirmary|Hospice|Sanatorium|University|College|"
    r"School|Academy|Institute|Foundation|Inc\.?|LLC|L\.L\.C\.|Ltd\.?|Corp\.?|Corporation|"
    r"Company|Co\.|Group|Associates|Partners|Laboratories|Laboratory|Labs|Pharmacy|"
    r"Rehabilitation Center|Rehab Center|Nursing Home|Nursing Facility|Care Center|"
    r"Assisted Living|Senior Living|Memory Care|Rest Home|Retirement Home|Retirement Community|"
    r"Elementary|Middle School|High School|Montessori|Preschool|Daycare|Day Care|Kindergarten|"
    r"Surgery Center|Surgical Center|Cancer Center|Heart Institute|Medical Group|Physicians|"
    r"Urgent Care|Family Health|Family Medicine|Family Practice|Primary Care|Health Partners|"
    r"Bank|Church|Department Store|Industries|Enterprises|Holdings|Systems|Solutions|"
    r"Technologies|Services|Agency|Society|Association|Center|Centre|Department|Authority|"
    r"Sons|Brothers|Bros\.?|Construction|Transit|Police|Schools|District|Council|Bureau|"
    # business names: Tableau Software, Reed Elsevier Capital, Galorath Incorporated
    r"Software|Research|Consulting|Insights|Analytics|Capital|Global|Markets|Finance|"
    r"Financial|Movers|Lines|Media|Networks|Ventures|Investments|Insurance|Logistics|Motors|"
    r"Airlines|Energy|Foods|Communications|Telecom|Realty|Properties|Unlimited|Resources|"
    r"Incorporated|Limited|GmbH|AG|plc|PLC|LLP|Pty|Club|Orchestra|Choir|Ensemble"
)
# all-caps headers name institutions too (WEST HILLS HOSPITAL, MERCY CARE CENTER), but only
# with these suffixes: a heading such as LABORATORY DATA or PHYSICAL THERAPY is no institution
EN_ORG_SUFFIX_UPPER = (
    "HOSPITAL|MEDICAL CENTER|MEDICAL CENTRE|HEALTH CENTER|HEALTH CENTRE|CARE CENTER|CLINIC|"
    "UNIVERSITY|COLLEGE|INSTITUTE|INFIRMARY|MEDICAL GROUP|ASSOCIATES|HEALTH SYSTEM|HEALTHCARE|"
    "HEALTH CARE|NURSING HOME|REHABILITATION CENTER|CANCER CENTER|HOSPICE|MEDICAL ASSOCIATES|"
    "FAMILY MEDICINE|FAMILY PRACTICE|INTERNAL MEDICINE|PRIMARY CARE|URGENT CARE|PEDIATRICS"
)
_ORG_GENERIC = frozenset(
    # naming words such as General, Memorial, Community, Regional, County or City are not here:
    # 'General Hospital' and 'Memorial Clinic' name a place (gold PHI in real notes)
    "The A An Our This That His Her Their State "
    "Medical Teaching Private Public Local Outside Admitted Transferred Seen Discharged "
    "Followed At To From In On By With And Of For Emergency Main Primary Urgent Care Health "
    "Mental Children's Women's Cancer Heart Rehabilitation Nursing Surgical Surgery Family "
    "Internal Medicine Pediatric Dental Eye Outpatient Inpatient Walk-In Same-Day VA "
    "Anesthesia Pathology Pulmonary Cardiac Catheterization Urology Spine Radiology Cardiology "
    "Neurology Oncology Surgical Orthopedic Orthopaedic Physical Therapy Occupational "
    "Laboratory Sleep Wound Pain Dialysis Infusion Endoscopy Gastroenterology Dermatology "
    "Psychiatry Psychiatric Behavioral Obstetrics Gynecology Maternity Neonatal Intensive Care "
    "Critical Trauma Imaging Diagnostic Vascular Vein Breast Diabetes Kidney Transplant "
    "Respiratory Speech Hearing Vision Allergy Podiatry Hand Foot Ankle Joint Bone Human "
    "Department Division Section Service Services Program Unit".split()
)


def is_descriptive_org_word(word: str) -> bool:
    """A word that describes rather than names an organization (Cardiology, Emergency …)."""
    return word in _ORG_GENERIC or word in NOT_PLACES


def _describes(word: str) -> bool:
    """A word that describes a place of care or is clinical, and so names nothing alone."""
    return is_descriptive_org_word(word) or word in CLINICAL_WORDS


def is_org_suffix_word(word: str) -> bool:
    """The last word of an organization suffix (Clinic, Hospital, Center, Inc …)."""
    return word.rstrip(".") in _EN_ORG_LAST_WORDS or word.upper() in _EN_ORG_LAST_WORDS


# the last word of every suffix ("Center" of "Medical Center"), as capitalized tokens carry it
_EN_ORG_LAST_WORDS = frozenset(
    re.sub(r"\\\.\??|\\", "", suffix).split()[-1]
    for suffix in f"{EN_ORG_SUFFIX}|{EN_ORG_SUFFIX_UPPER}".split("|")
)
_EN_ORG_ENDING = re.compile(  # a name of 1-6 capitalized words ending where the suffix ends
    rf"(?:\b\d{{1,4}}\s+)?(?:(?:St\.|Saint|Mt\.|Mount)\s+)?(?:{CAPWORD}[ \t]+(?:(?:of|the|and|for|&|de|la)[ \t]+)?){{1,6}}"
    rf"(?:{EN_ORG_SUFFIX}|{EN_ORG_SUFFIX_UPPER})(?:(?<=\.)|\b)$"
)
_EN_ORG_TAIL = re.compile(  # 'Hospital of the University of X', 'HOSPITAL OF NORTH TEXAS'
    rf"[ \t]+(?:of|at|in|OF|AT|IN)[ \t]+(?:the[ \t]+|THE[ \t]+)?{CAPWORD}(?:[ \t]+{CAPWORD}){{0,3}}"
)
_PERSON_OF = re.compile(rf"(?P<first>{CAPWORD})[ \t]+(?P<last>{CAPWORD})[ \t]+of[ \t]+(?=\S)")
_EN_SAINT = re.compile(
    r"(?=[SM])\b(?:St\.|Saint|Mt\.|Mount)\s+[A-Z][a-z]+(?:'s|’s)?(?:\s+[A-Z][a-z]+)?"
)


@dataclass(frozen=True)
class EnglishOrganizationRecognizer:
    """'<Name …> Hospital/Clinic/University/Inc …' and saint-named institutions."""

    name: str = "en_organization_v1"
    category: str = "ORGANIZATION"
    languages: frozenset[str] = EN
    trigger: str = rf"(?:{EN_ORG_SUFFIX}|{EN_ORG_SUFFIX_UPPER})|St\.|Saint|Mt\.|Mount"

    def find(self, text: str) -> Iterator[Span]:
        # suffix first, then the name that ends at it: scanning every capital of a note for
        # a 1-6 word name followed by a suffix alternation costs far more
        for start, end, word in capitalized_tokens(text):
            if word.endswith(("'s", "’s")):  # Civis Analytics's
                word, end = word[:-2], end - 2
            if word not in _EN_ORG_LAST_WORDS:
                continue
            if text[end : end + 1] == ":":
                continue  # 'Agency:', 'Hospital:': a field's label, not a name's suffix
            for stop in (end + 1, end) if text[end : end + 1] == "." else (end,):
                match = _EN_ORG_ENDING.search(text, max(0, start - 160), stop)
                if match is not None:
                    tail = _EN_ORG_TAIL.match(text, stop)
                    yield from self._span(text, match.start(), tail.end() if tail else stop)
                    break
        for match in _EN_SAINT.finditer(text):
            yield Span(match.start(), match.end(), "ORGANIZATION", 0.6, self.name)

    def _span(self, text: str, start: int, end: int) -> Iterator[Span]:
        cut = list(re.finditer(r"[a-z]{3,}\.\s+", text[start:end]))
        if cut:  # "General.  Lines": a sentence ended inside the match
            start += cut[-1].end()
        words = re.findall(r"[A-Za-z'’.&-]+", text[start:end])
        # drop leading generic words ("The", "Admitted") from the span; a capital The inside a
        # sentence is the name's own ('During 1984, The Vanguard Group invested')
        own_the = (
            words[:1] == ["The"]
            and start > 0
            and re.search(r"[\w,][ \t]+$", text[max(0, start - 4) : start]) is not None
        )
        while (
            words
            and not own_the
            and words[0] in ("The", "the", "A", "An", "At", "To", "From", "In")
        ):
            start = text.index(words[0], start) + len(words[0])
            words.pop(0)
            while start < end and text[start] == " ":
                start += 1
        person = _PERSON_OF.match(text, start, end)
        if person and (
            person.group("first") in english_names()[0]
            or not any(is_inflected_english(w) for w in person.group("first", "last"))
        ):
            start, words = person.end(), words[2:]  # 'Vilma Holm of Fernandez Inc.': her employer
        if any(
            w not in _ORG_GENERIC and w.capitalize() not in _ORG_GENERIC and w[0].isupper()
            for w in words[:-1]
        ):
            yield Span(start, end, "ORGANIZATION", 0.85, self.name)


# last words of a practice named after a place or a person: 'Ridgeview Cardiology',
# 'Milford Regional', 'MetroWest Imaging', 'Pine Ridge Internal Medicine'
_PRACTICE_TAILS = frozenset(
    "Regional General Memorial Imaging Radiology Cardiology Neurology Oncology Orthopedics "
    "Orthopaedics Dermatology Pediatrics Urology Gastroenterology Pulmonology Ophthalmology "
    "Psychiatry Medicine Healthcare HealthCare Health Rehab Rehabilitation Dialysis Surgical "
    "Hematology Endocrinology Nephrology Rheumatology Podiatry Audiology Optometry Dental "
    "Dentistry Obstetrics Gynecology Women's Pediatric".split()
)
_PRACTICE_GAP = re.compile(r"[ ]|[ ]?-[ ]?|[ ]&[ ]|[ ]and[ ]")


@dataclass(frozen=True)
class NamedPracticeRecognizer:
    """A practice or hospital named by a proper word before its specialty or a naming word:
    'Ridgeview Cardiology', 'Milford Regional', 'Hopkins Medicine'. The first word must be no
    English, medical, descriptive or eponym word (Internal Medicine, Nuclear Medicine and
    Mohs Surgery stay)."""

    name: str = "en_named_practice_v1"
    category: str = "ORGANIZATION"
    languages: frozenset[str] = EN
    trigger: str = r"[A-Za-z]\s+(?:" + "|".join(sorted(_PRACTICE_TAILS)) + r")\b"
    max_words: int = 4

    def find(self, text: str) -> Iterator[Span]:
        tokens = capitalized_tokens(text)
        for k, (_, end, word) in enumerate(tokens):
            if word not in _PRACTICE_TAILS or k == 0:
                continue
            i = k
            while i > 0 and k - i < self.max_words - 1:
                gap = text[tokens[i - 1][1] : tokens[i][0]]
                if not _PRACTICE_GAP.fullmatch(gap):
                    break
                i -= 1
            while i < k and not _proper_practice_word(tokens[i][2]):
                i += 1  # 'Dr. Lee at Ridgeview Cardiology': the run starts at its proper word
            if i == k:
                continue
            start = tokens[i][0]
            noun = _FACILITY_NOUN.match(text, end)
            yield Span(start, noun.end() if noun else end, "ORGANIZATION", 0.7, self.name)


@cache
def _proper_practice_word(word: str) -> bool:
    """A word that names a practice: no English or medical word, no descriptive or clinical
    word, no title, month or state, no eponym, not an initial."""
    word = re.sub(r"['’]s$", "", word)
    return (
        len(word) > 2
        and not _describes(word)
        and word not in TITLES
        and word.capitalize() not in lexicon("en_eponym_names")
        and (not is_inflected_english(word) or word in city_names())  # Somerset, Reading
        and not is_medical_word(word)
        and not (word.isupper() and len(word) <= 3)
    )


_FACILITY_PREP = re.compile(  # ends right before the capitalized token it introduces
    r"(?:\b(at|to|in|from|by|for|with)|(@)|\b(?:visited|attended))\s+(?:our\s+|the\s+)?$"
)
_FACILITY_LAST_WORDS = frozenset("at to in from by for with @ visited attended our the".split())
# 'he is a machinist at', 'Dad is a service manager at': a person's occupation names the
# employer after it ('there was a mild ring at the LES' names no one)
_OCCUPATION = (  # written once for the Python cue and the batch trigger
    r"(?:he|she|i|patient|pt|mother|father|mom|dad|wife|husband|son|daughter|partner|sister|"
    r"brother|who)\s+(?:is|was)\s+an?(?:\s+[a-z]+){1,3}"
)
_EMPLOYMENT_VERB = re.compile(
    r"\b(?:works?|worked|working|employed|employee|volunteers?|volunteered)\b(?:\s+[a-z]+){0,5}?\s+$"
    rf"|\b{_OCCUPATION}\s+$",
    re.IGNORECASE,
)
_FACILITY_VERB = re.compile(
    r"\b(?:treated|seen|admitted|admit|admission|presented|presenting|presents|visited|"
    r"evaluated|transferred|transfer|referred|referral|discharged|discharge|followed|follows|"
    r"following|sees|saw|see|hospitalized|operated|examined|managed|diagnosed|assessed|"
    r"checked|delivered|born|works?|worked|working|employed|retired|volunteers?|volunteered|"
    r"attends?|attended|studies|studied|enrolled|resides?|resided|lives?|lived|stays?|stayed|"
    r"reviewed|observed|consulted|registered|surgery|replacement|check-up|checkup|follow-up|"
    r"spent|spends|spending|"
    r"appointment|visit|came|went|last\s+seen)"
    r"\b(?:\s+[a-z][\w.'’-]*){0,5}?\s+$",
    re.IGNORECASE,
)
_FACILITY_NOUN = re.compile(
    r"\s+(?:clinic|hospital|facility|office|center|centre|ER|ED|campus|practice|location|branch|"
    r"unit|site|practice)\b"
)
_CAP = re.compile(r"[A-Z][\w’'&.-]*")
_STUDY_WORDS = frozenset("Study Studies Trial Trials Cohort Registry".split())  # research, no place
_CONNECTOR = re.compile(r"(?:\s+(?:&|and|of|de|la|the|for)\s+|,\s+|\s+|-)")


@dataclass(frozen=True)
class EnglishFacilityRecognizer:
    """Capitalized names after 'treated at', 'admitted to', 'works at' … (+ 'clinic' etc.)."""

    name: str = "en_facility_v1"
    category: str = "ORGANIZATION"
    languages: frozenset[str] = EN
    trigger: str = (
        r"(?i:treat|seen|saw|see|admi|present|visit|evaluat|transfer|refer|discharg|follow|hospitali|"
        r"operat|examin|manag|diagnos|assess|check|deliver|born|work|employ|retire|volunteer|"
        r"attend|stud|enrol|resid|live|stay|review|observ|consult|regist|surger|replacement|"
        r"check|follow|appointment|visit|came|went|seen|spen)[a-z-]*(?:\s+[A-Za-z][\w.'’-]*){0,5}?\s+"
        r"(?:at|to|in|from|by|for|with)\s+(?:our\s+|the\s+)?[A-Z]"
        r"|@\s+[A-Z]|(?i:visited|attended)\s+(?:our\s+|the\s+)?[A-Z]"
        rf"|(?i:\b{_OCCUPATION})\s+at\s+(?:the\s+)?[A-Z]"
    )
    max_tokens: int = 7

    def find(self, text: str) -> Iterator[Span]:
        # each capitalized token looks back for a preposition or verb right before it: far
        # cheaper than scanning every position of the note for the cue alternation
        for start, _, _ in capitalized_tokens(text):
            before = text[max(0, start - 24) : start]
            if not before[-1:].isspace() or before.split()[-1:] == []:
                continue
            if before.split()[-1].lower() not in _FACILITY_LAST_WORDS:
                continue
            cue = _FACILITY_PREP.search(text, max(0, start - 24), start)
            if cue is None:
                continue
            verbs = (
                _EMPLOYMENT_VERB
                if (
                    cue.group(1) in ("by", "for", "with", "at")
                    and _EMPLOYMENT_VERB.search(text, max(0, cue.start() - 60), cue.start())
                )
                or cue.group(1) in ("by", "for", "with")
                else _FACILITY_VERB
            )
            direct = cue.group(1) is None  # '@ UCSF', 'visited our Dallas clinic'
            if not direct and not verbs.search(text, max(0, cue.start() - 60), cue.start()):
                continue  # "treated with Humira", "diagnosed with GERD" are not places
            pos, end, words = cue.end(), None, []
            while len(words) < self.max_tokens:
                token = _CAP.match(text, pos)
                if not token:
                    break
                words.append(token.group().rstrip(".,"))
                end = token.start() + len(token.group().rstrip(".,"))
                link = _CONNECTOR.match(text, end)
                if not link or not _CAP.match(text, link.end()):
                    break
                if (
                    link.group().startswith(",")
                    and len(words) > 1
                    and " and " not in text[cue.end() : end + 40]
                ):
                    break
                pos = link.end()
            if end is None:
                continue
            if words[0] in TITLES or re.match(r"[CTLS]\d|[A-Z]{1,2}$", words[0]):
                continue  # "referred from Dr. X", "removed at C5-C6"
            meaningful = [
                w
                for k, w in enumerate(words)
                if not _describes(w)
                and not is_org_suffix_word(w)  # 'a professor at College': no name
                and not (w == "General" and k < len(words) - 1)  # General Surgery
                and not re.fullmatch(r"[A-Z]\d+|D\.O|M\.D", w)
                and not (w.isupper() and word_class(w) == "clinical")  # admitted to CSRU, @ OSH
                and (not is_common_english(w) or w in world_cities() or is_person_name(w))
            ]
            if not meaningful and len(words) > 1 and words[-1] in _PRACTICE_TAILS:
                # 'seen at Valley Pediatrics': a practice named by any word that does not
                # describe it (Pain Clinic, Family Medicine and Main Campus stay)
                meaningful = [
                    w
                    for w in words[:-1]
                    if not _describes(w)
                    and w != "General"  # General Surgery
                    and not is_medical_word(w)  # Interventional Radiology
                ]
            if (
                not meaningful
                and len(words) > 1
                and cue.group(1) in ("at", "for")  # not 'working with the Nerve Integrity …'
                and _EMPLOYMENT_VERB.search(text, max(0, cue.start() - 60), cue.start())
            ):  # 'worked at General Electric', 'works for Home Depot': an employer's name
                meaningful = [w for w in words if not (_describes(w) or is_org_suffix_word(w))]
            if not meaningful or " ".join(words).casefold() in country_names():
                continue  # 'lived in the United States', 'born in Israel'

            if words[-1] in _STUDY_WORDS or EPONYM_NOUN_AFTER.match(text, end):
                continue  # 'enrolled in the ALLHAT trial', 'the Framingham Heart Study'
            noun = _FACILITY_NOUN.match(text, end)
            yield Span(cue.end(), noun.end() if noun else end, "ORGANIZATION", 0.7, self.name)


_FIRM = re.compile(
    r"(?=[A-Z])(?:\b(?P<a>[A-Z][a-z]+)(?:,\s+(?P<b>[A-Z][a-z]+))?\s+(?:and|&)\s+(?P<c>[A-Z][a-z]+)\b"
    r"|\b(?P<d>[A-Z][a-z]+)-(?P<e>[A-Z][a-z]+)\b)"
)


@dataclass(frozen=True)
class SurnameFirmRecognizer:
    """Firms named after people: 'Davis, Reynolds and Williamson', 'Mayo-Walters'."""

    name: str = "en_surname_firm_v1"
    category: str = "ORGANIZATION"
    languages: frozenset[str] = EN
    trigger: str = r"[A-Z][a-z]+(?:,\s+[A-Z][a-z]+)?\s+(?:and|&)\s+[A-Z]|[A-Z][a-z]+-[A-Z]"

    def find(self, text: str) -> Iterator[Span]:
        _, last = english_names()
        for m in _FIRM.finditer(text):
            parts = [p for p in m.group("a", "b", "c", "d", "e") if p]
            if m.group("a") and not m.group("b"):
                continue  # "Smith and Jones" alone is two people, not a firm name
            if all(p in last for p in parts):
                given = _GIVEN_BEFORE.search(text, max(0, m.start() - 30), m.start())
                if m.group("d") and given:  # Peregrine Okonkwo-Brandt: a double surname
                    yield Span(given.start(), m.end(), "NAME", 0.75, self.name)
                else:
                    yield Span(m.start(), m.end(), "ORGANIZATION", 0.7, self.name)


# a capitalized word right before a hyphenated pair of surnames, not opening a sentence
_GIVEN_BEFORE = re.compile(r"(?<=[a-z,;:][ \t])[A-Z][a-z]+[ \t]+$")
_ORG_BEFORE_NOUN = re.compile(
    rf"(?=[Tt])\b[Tt]he\s+(?P<v>[{UPPER}][\w&'’.-]*(?:\s+[{UPPER}][\w&'’.-]*){{0,3}}?)\s+"
    r"(?i:office|offices|headquarters|HQ|employees|staff|orchestra|band|choir|team|website|"
    r"web\s+site|app|foundation|campus|branch|store|shop)\b"
)


@dataclass(frozen=True)
class OrganizationBeforeNounRecognizer:
    """'The Avalara office', 'the Lending Club team': a capitalized name that is not an ordinary
    word, used as the owner of an office, staff or ensemble."""

    name: str = "en_org_before_noun_v1"
    category: str = "ORGANIZATION"
    languages: frozenset[str] = EN
    trigger: str = (
        r"(?i)\b(?:office|offices|headquarters|hq|employees|staff|orchestra|band|choir|team|"
        r"website|web\s+site|app|foundation|campus|branch|store|shop)\b"
    )

    def find(self, text: str) -> Iterator[Span]:
        for m in _ORG_BEFORE_NOUN.finditer(text):
            words = m.group("v").split()
            if all(
                is_common_english(w.lower().strip("'’."))
                or w in _ORG_GENERIC
                or (w.isupper() and len(w) <= 5)
                for w in words
            ):
                continue  # "the Cardiology office", "the Nursing staff", "the ICU team"
            yield Span(m.start("v"), m.end("v"), "ORGANIZATION", 0.7, self.name)


_LIST_SEP = r"(?:,[ \t]+(?:and[ \t]+|&[ \t]+)?|[ \t]+(?:and|&)[ \t]+)"
_ORG_MEMBER = r"[A-Z][\w&'’-]*(?:\.(?=\w))?[\w&'’-]*(?:[ \t]+[A-Z][\w&'’-]*){0,3}"
_MEMBER_AFTER = re.compile(rf"{_LIST_SEP}(?P<v>{_ORG_MEMBER})(?=['’]s\b|[^\w'’]|$)")
_MEMBER_BEFORE = re.compile(rf"(?:^|(?<=[\s:;(]))(?P<v>{_ORG_MEMBER}){_LIST_SEP}$")


@dataclass(frozen=True)
class OrganizationListExtender:
    """The other members of a list with an organization in it ('Bekins, Enervee Corporation
    and Civic Insight'), when they are no English or medical words, names or places."""

    name: str = "org_list_v1"
    languages: frozenset[str] = EN

    def extend(self, text: str, spans: list[Span]) -> list[Span]:
        taken = [(s.start, s.end) for s in spans]
        extra: list[Span] = []
        for span in spans:
            if span.label != "ORGANIZATION":
                continue
            pos = span.end
            while (m := _MEMBER_AFTER.match(text, pos)) and self._member(m.group("v")):
                if not any(a < m.end("v") and m.start("v") < b for a, b in taken):
                    extra.append(Span(m.start("v"), m.end("v"), "ORGANIZATION", 0.6, self.name))
                pos = m.end("v")
            end = span.start
            while (m := _MEMBER_BEFORE.search(text, max(0, end - 60), end)) and self._member(
                m.group("v")
            ):
                if not any(a < m.end("v") and m.start("v") < b for a, b in taken):
                    extra.append(Span(m.start("v"), m.end("v"), "ORGANIZATION", 0.6, self.name))
                end = m.start("v")
        return [*spans, *extra]

    @staticmethod
    def _member(value: str) -> bool:
        words = re.sub(r"['’]s$", "", value).split()
        if any(w.isupper() or any(c.isdigit() for c in w) for w in words):
            return False  # acronyms and codes in a list are clinical (NSVD, B12, MRN)
        return any(
            not is_inflected_english(w.lower().strip(".")) or is_org_suffix_word(w) for w in words
        ) and not any(
            w in NOT_PLACES
            or w in CLINICAL_WORDS
            or is_medical_word(w)
            or is_person_name(w)
            or w in world_city_words()
            for w in words
        )


_NO_ORGANIZATION = frozenset(  # field values that name no one's insurer or employer
    "None Unknown Self Pay Private Commercial Medicare Medicaid Retired Unemployed Disabled "
    "Student Homemaker Disability Uninsured Pending Same Other Yes No NA N/A".split()
)


def _names_an_organization(value: str) -> bool:
    """A labeled value that names an organization: a word no dictionary holds (Harvard
    Pilgrim), or two capitalized words (Home Depot); not 'Medicare', 'Self Pay', 'Retired'."""
    words = [w.rstrip(".,") for w in value.split() if w not in ("&", "and", "of", "the")]
    if words and words[-1] in ("and", "of", "the", "&"):
        return False
    named = [w for w in words if w not in _NO_ORGANIZATION and not _describes(w)]
    if not named:
        return False
    return len(named) >= 2 or not is_common_english(named[0])


# a labeled field whose value is an organization: the insurer, employer or school of a
# registration or face sheet ('Insurance: Harvard Pilgrim', 'Employer: Stop & Shop')
LABELED_ORGANIZATION = PatternRecognizer(
    "en_labeled_org_v1", "ORGANIZATION", EN,
    r"(?m)(?:^|\b)(?i:insurance(?:\s+(?:company|carrier|plan))?|insurer|payer|payor|carrier|"
    r"health\s+plan|employer|place\s+of\s+employment|school|university|college|facility|"
    r"discharge\s+facility|nursing\s+home|rehab|pharmacy|agency)[ \t]*:[ \t]*"
    r"(?P<v>[A-Z][\w&'’-]*(?:[ \t]+(?:&|and|of|the|[A-Z][\w&'’-]*)){0,5})",
    0.75,
    group="v",
    validator=lambda v: _names_an_organization(v),
    trigger=r"(?i)(?:insurance|insurer|payer|payor|carrier|health plan|employer|employment|school|university|college|facility|nursing home|rehab|pharmacy|agency)[ \t]*:[ \t]*[A-Z]",
)  # fmt: skip


_CJK = re.compile(r"[\u4e00-\u9fff]")


@cache
def _institutions_by_first_word() -> dict[str, tuple[str, ...]]:
    """English institution lexicon entries keyed by their first word, longest first."""
    found: dict[str, list[str]] = {}
    for entry in lexicon("en_institutions"):
        found.setdefault(re.split(r"[ .]", entry)[0], []).append(entry)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in found.items()}


@dataclass(frozen=True)
class KnownInstitutionRecognizer:
    """Hospitals and universities known by a short form with no suffix (UCSF, MD Anderson,
    北医三院): the institution lexicons, whole words, case-sensitive; never before the thing an
    eponym names ('Parkland formula')."""

    name: str = "known_institution_v1"
    category: str = "ORGANIZATION"
    languages: frozenset[str] = BOTH
    trigger: str = field(  # every entry, for the batch pass (Rust regex: a literal alternation)
        default_factory=lambda: "|".join(
            re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", entry)
            for entry in sorted(lexicon("en_institutions") | lexicon("zh_institutions"))
        )
    )

    def find(self, text: str) -> Iterator[Span]:
        entries = _institutions_by_first_word()
        for start, _, word in capitalized_tokens(text):
            for entry in entries.get(word, ()):
                end = start + len(entry)
                if text.startswith(entry, start) and not (
                    text[end : end + 1].isalnum() or text[end : end + 1] == "-"
                ):
                    if not EPONYM_NOUN_AFTER.match(text, end):
                        yield Span(start, end, "ORGANIZATION", 0.75, self.name)
                    break
        if not _CJK.search(text):
            return
        for entry in lexicon("zh_institutions"):
            at = text.find(entry)
            while at != -1:
                end = at + len(entry)
                if not text[end : end + 1].isdigit():
                    yield Span(at, end, "ORGANIZATION", 0.75, self.name)
                at = text.find(entry, end)


RECOGNIZERS = [
    EnglishOrganizationRecognizer(),
    KnownInstitutionRecognizer(),
    LABELED_ORGANIZATION,
    OrganizationBeforeNounRecognizer(),
    EnglishFacilityRecognizer(),
    NamedPracticeRecognizer(),
    SurnameFirmRecognizer(),
]
EXTENDERS = [OrganizationListExtender()]
