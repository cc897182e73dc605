"""Gold PHI loaders for the de-identification benchmarks, all mapped to one common format.

Every loader returns ``GoldDoc`` objects whose entities carry our PHI category in ``label`` (or
``None`` when our policy does not cover that gold entity: it is kept, because masking it is not
a false alarm, but it is excluded from recall and leak scoring) and the corpus's own label in
``source_label``. Offsets are Python ``str`` code-point offsets, ``end`` exclusive.

The mapping tables below are plain data; each row says why it maps the way it does.

One convention is applied to every set: a gold name starts after the title that introduces it
("Dr. Smith" → "Smith"). A title is not an identifier; physionet's, presidio-synth's and our
synthetic gold mark the name alone, asq-phi marks the title in 90 of its 814 names and not in
the others. ``LoadReport.titles_trimmed`` counts the entities this touched.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpora import CORPORA  # ../shared/corpora or $MEDCURATE_CORPORA

# fmt: off
#: Our PHI categories (the de-identifier's labels), in display order.
LABELS: tuple[str, ...] = (
    "NAME", "DATE", "AGE", "PHONE", "CONTACT", "ID", "ADDRESS", "ORGANIZATION",
)
# fmt: on

#: Names of the gold sets, in display order.
SETS: tuple[str, ...] = (
    "synthetic-zh",
    "synthetic-zh-traditional",
    "synthetic-en",
    "synthetic-en-unknown-names",
    "synthetic-en-word-surnames",
    "presidio-synth",
    "asq-phi",
    "hwamei",
    "physionet-dev",
)


@dataclass(frozen=True)
class GoldEntity:
    """One gold PHI mention; ``label`` is None when our policy does not score it."""

    start: int
    end: int
    label: str | None
    source_label: str


@dataclass
class GoldDoc:
    """One gold document: text, language, gold entities, and whether it is a hard negative."""

    id: str
    text: str
    lang: str
    entities: list[GoldEntity] = field(default_factory=list)
    hard_negative: bool = False


@dataclass
class LoadReport:
    """What a loader noticed while building gold: offset fix-ups, values not found, skips."""

    offset_mismatches: int = 0
    offsets_fixed: int = 0
    offsets_unfixable: int = 0
    values_not_found: int = 0
    values_found_quote_folded: int = 0
    not_found_examples: list[str] = field(default_factory=list)
    skipped_records: int = 0
    source_label_counts: Counter[str] = field(default_factory=Counter)
    excluded_counts: Counter[str] = field(default_factory=Counter)
    titles_trimmed: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Plain-dict view (for JSON output)."""
        return {
            "offset_mismatches": self.offset_mismatches,
            "offsets_fixed": self.offsets_fixed,
            "offsets_unfixable": self.offsets_unfixable,
            "values_not_found": self.values_not_found,
            "values_found_quote_folded": self.values_found_quote_folded,
            "not_found_examples": list(self.not_found_examples),
            "skipped_records": self.skipped_records,
            "source_label_counts": dict(self.source_label_counts),
            "excluded_counts": dict(self.excluded_counts),
            "titles_trimmed": self.titles_trimmed,
        }


# --------------------------------------------------------------------------------------------
# Mapping tables (plain data)
# --------------------------------------------------------------------------------------------

#: presidio-research synth_dataset_v2 entity_type -> our label. Types needing a value check
#: (DATE_TIME, AGE, GPE) are listed with their *candidate* label and refined in code.
PRESIDIO_SYNTH_MAP: dict[str, str | None] = {
    "PERSON": "NAME",  # a person's name is a HIPAA identifier
    "STREET_ADDRESS": "ADDRESS",  # street address = geographic subdivision below state
    "ZIP_CODE": "ADDRESS",  # ZIP codes are part of the address identifier in Safe Harbor
    "ORGANIZATION": "ORGANIZATION",  # employers/institutions can re-identify; we mask them
    "PHONE_NUMBER": "PHONE",  # telephone numbers
    "EMAIL_ADDRESS": "CONTACT",  # e-mail addresses
    "DOMAIN_NAME": "CONTACT",  # web URLs / domains are a Safe Harbor identifier
    "IP_ADDRESS": "CONTACT",  # IP addresses are a Safe Harbor identifier
    "US_SSN": "ID",  # social security number
    "US_DRIVER_LICENSE": "ID",  # certificate/license numbers
    "CREDIT_CARD": "ID",  # account numbers
    "IBAN_CODE": "ID",  # account numbers
    "DATE_TIME": "DATE",  # only if more specific than a year; bare years/weekdays are not PHI
    "AGE": "AGE",  # only ages over 89 are PHI under Safe Harbor
    "GPE": "ADDRESS",  # only places below state level (countries/states are not PHI)
    "TITLE": None,  # "Dr."/"Mrs." or a job title: not an identifier by itself
    "NRP": None,  # nationality/religion/politics: not a HIPAA identifier
}

#: ASQ-PHI identifier_type -> our label.
ASQ_PHI_MAP: dict[str, str | None] = {
    "NAME": "NAME",  # names of patients and clinicians
    "DATE": "DATE",  # dates; bare years are dropped in code (not PHI under Safe Harbor)
    "GEOGRAPHIC_LOCATION": "ADDRESS",  # cities + hospital names; ORGANIZATION also counts typed
    "MEDICAL_RECORD_NUMBER": "ID",  # MRN
    "HEALTH_PLAN_BENEFICIARY_NUMBER": "ID",  # health plan number
    "SOCIAL_SECURITY_NUMBER": "ID",  # SSN
    "UNIQUE_IDENTIFIER": "ID",  # any other unique identifying number/code
    "ACCOUNT_NUMBER": "ID",  # account numbers
    "CERTIFICATE_LICENSE_NUMBER": "ID",  # certificate/license numbers
    "PHONE_NUMBER": "PHONE",  # telephone numbers
    "FAX_NUMBER": "PHONE",  # fax numbers are phone numbers for masking purposes
    "EMAIL_ADDRESS": "CONTACT",  # e-mail addresses
    "IP_ADDRESS": "CONTACT",  # IP addresses
}

#: HwaMei-Privacy entity type -> our label.
HWAMEI_MAP: dict[str, str | None] = {
    "Priv_Name": "NAME",  # person names
    "Priv_Datetime": "DATE",  # dates/times; checked to be more specific than a year in code
}

#: PhysioNet deid gold type -> our label (SOURCE.md of physionet-deid-dev lists the types).
PHYSIONET_MAP: dict[str, str | None] = {
    "PTName": "NAME",  # patient names
    "PTNameInitial": "NAME",  # a patient's initials are part of the name identifier
    "HCPName": "NAME",  # clinicians' names: we mask every person's name
    "RelativeProxyName": "NAME",  # relatives and proxies
    "Date": "DATE",  # month/day and fuller dates
    "DateYear": None,  # a bare year: not PHI under Safe Harbor
    "Location": "ADDRESS",  # hospitals, towns, streets; ORGANIZATION also counts typed
    "Phone": "PHONE",  # telephone and pager numbers
    "Age": "AGE",  # ages over 89
    "Other": "ID",  # other identifying numbers or codes
}

#: Labels that also count as a *typed* catch for a gold source label (on top of its own label).
TYPED_ALTERNATIVES: dict[str, frozenset[str]] = {
    # ASQ-PHI's GEOGRAPHIC_LOCATION mixes cities and hospital names: ORGANIZATION is right too.
    "GEOGRAPHIC_LOCATION": frozenset({"ADDRESS", "ORGANIZATION"}),
    # PhysioNet's Location holds hospitals and wards as well as towns.
    "Location": frozenset({"ADDRESS", "ORGANIZATION"}),
}

# fmt: off
#: Places at country level or above (not PHI: Safe Harbor only removes units below state).
COUNTRIES: frozenset[str] = frozenset({
    "afghanistan", "albania", "algeria", "andorra", "angola", "argentina", "armenia",
    "australia", "austria", "azerbaijan", "bahamas", "bahrain", "bangladesh", "barbados",
    "belarus", "belgium", "belize", "benin", "bhutan", "bolivia", "bosnia and herzegovina",
    "botswana", "brazil", "brunei", "bulgaria", "burkina faso", "burundi", "cambodia",
    "cameroon", "canada", "cape verde", "chad", "chile", "china", "colombia", "comoros", "congo",
    "costa rica", "croatia", "cuba", "cyprus", "czech republic", "czechia", "denmark",
    "djibouti", "dominica", "dominican republic", "ecuador", "egypt", "el salvador", "eritrea",
    "estonia", "eswatini", "ethiopia", "fiji", "finland", "france", "gabon", "gambia", "georgia",
    "germany", "ghana", "greece", "greenland", "grenada", "guatemala", "guinea", "guyana",
    "haiti", "honduras", "hong kong", "hungary", "iceland", "india", "indonesia", "iran", "iraq",
    "ireland", "israel", "italy", "jamaica", "japan", "jordan", "kazakhstan", "kenya", "korea",
    "kosovo", "kuwait", "kyrgyzstan", "laos", "latvia", "lebanon", "lesotho", "liberia", "libya",
    "liechtenstein", "lithuania", "luxembourg", "macau", "madagascar", "malawi", "malaysia",
    "maldives", "mali", "malta", "mauritania", "mauritius", "mexico", "moldova", "monaco",
    "mongolia", "montenegro", "morocco", "mozambique", "myanmar", "namibia", "nepal",
    "netherlands", "new zealand", "nicaragua", "niger", "nigeria", "north korea",
    "north macedonia", "norway", "oman", "pakistan", "panama", "papua new guinea", "paraguay",
    "peru", "philippines", "poland", "portugal", "qatar", "romania", "russia", "rwanda",
    "saudi arabia", "senegal", "serbia", "sierra leone", "singapore", "slovakia", "slovenia",
    "somalia", "south africa", "south korea", "south sudan", "spain", "sri lanka", "sudan",
    "suriname", "sweden", "switzerland", "syria", "taiwan", "tajikistan", "tanzania",
    "thailand", "togo", "trinidad and tobago", "tunisia", "turkey", "turkmenistan", "uganda",
    "ukraine", "united arab emirates", "united kingdom", "uk", "great britain", "england",
    "scotland", "wales", "united states", "united states of america", "usa", "us", "america",
    "uruguay", "uzbekistan", "venezuela", "vietnam", "yemen", "zambia", "zimbabwe",
    "中国", "中华人民共和国", "美国", "日本", "韩国", "英国",
    # demonyms tagged as GPE in presidio-synth ("Greenlander"): country level, not a place
    "greenlander",
})

#: First-level subdivisions: US states, Canadian provinces, Australian states, Chinese
#: provinces/regions/municipalities (state level: not PHI under Safe Harbor).
STATES: frozenset[str] = frozenset({
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut",
    "delaware", "florida", "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa",
    "kansas", "kentucky", "louisiana", "maine", "maryland", "massachusetts", "michigan",
    "minnesota", "mississippi", "missouri", "montana", "nebraska", "nevada", "new hampshire",
    "new jersey", "new mexico", "new york state", "north carolina", "north dakota", "ohio",
    "oklahoma", "oregon", "pennsylvania", "rhode island", "south carolina", "south dakota",
    "tennessee", "texas", "utah", "vermont", "virginia", "washington state", "west virginia",
    "wisconsin", "wyoming", "district of columbia",
    "alberta", "british columbia", "manitoba", "new brunswick", "newfoundland and labrador",
    "nova scotia", "ontario", "prince edward island", "quebec", "saskatchewan", "yukon",
    "new south wales", "queensland", "south australia", "tasmania", "victoria",
    "western australia", "northern territory",
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江",
    "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州",
    "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港",
    "澳门",
})

#: Chinese province-level suffixes (省/市/自治区/特别行政区) stripped before the STATES lookup.
ZH_PROVINCE_SUFFIXES: tuple[str, ...] = ("特别行政区", "维吾尔自治区", "壮族自治区",
                                        "回族自治区", "自治区", "省", "市")
# fmt: on

#: A bare 2-3 letter upper-case code (state/province/country code such as "SK", "NS", "NO").
_REGION_CODE = re.compile(r"[A-Z]{2,3}")

#: Values that are data junk in presidio-synth (a pandas NaN rendered as text).
_JUNK_VALUES: frozenset[str] = frozenset({"nan", "none", "null"})


# --------------------------------------------------------------------------------------------
# Value checks (pure)
# --------------------------------------------------------------------------------------------

_YEAR_ONLY = re.compile(
    r"""^(?:(?:in|of|the|year|since|circa|ca\.?|around)\s+)*
        (?:(?:19|20)\d\d|'\d\d|(?:19|20)\d0'?s|'\d0s|\d0s)
        \s*(?:年|年代)?\.?$""",
    re.IGNORECASE | re.VERBOSE,
)
_RELATIVE_YEAR = re.compile(r"^(?:last|this|next|past|previous)\s+year$", re.IGNORECASE)
_ZH_YEAR_ONLY = re.compile(r"^(?:(?:19|20)\d\d|[〇零一二三四五六七八九]{4})年(?:代|初|底|末)?$")


def is_year_only(value: str) -> bool:
    """True when a date value is no more specific than a year or decade (not PHI)."""
    v = value.strip()
    return bool(_YEAR_ONLY.match(v) or _RELATIVE_YEAR.match(v) or _ZH_YEAR_ONLY.match(v))


_WEEKDAY = re.compile(r"^(?:on\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day$", re.IGNORECASE)


def is_bare_weekday(value: str) -> bool:
    """True for a weekday name alone ("Tuesday"): it pins no calendar date, so it is not PHI."""
    return bool(_WEEKDAY.match(value.strip()))


def is_phi_age(value: str) -> bool:
    """True when an age value states an age over 89 (Safe Harbor); False if no number is found."""
    nums = [int(n) for n in re.findall(r"\d+", value)]
    return bool(nums) and max(nums) > 89


def is_below_state_place(value: str) -> bool:
    """True for a place below state level; False for countries, states, region codes, junk."""
    v = re.sub(r"\s*\(.*?\)\s*", " ", value).strip()  # "Cyprus (Greek)" -> "Cyprus"
    if not v or v.lower() in _JUNK_VALUES:
        return False
    if _REGION_CODE.fullmatch(v):
        return False
    key = v.lower().removeprefix("the ").strip()
    if key in COUNTRIES or key in STATES:
        return False
    for suffix in ZH_PROVINCE_SUFFIXES:
        if key.endswith(suffix) and key[: -len(suffix)] in STATES | COUNTRIES:
            return False
    return True


_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def find_all(text: str, value: str) -> list[int]:
    """Start offsets of every (possibly overlapping) occurrence of ``value`` in ``text``."""
    if not value:
        return []
    starts, i = [], text.find(value)
    while i != -1:
        starts.append(i)
        i = text.find(value, i + 1)
    return starts


def locate_value(text: str, value: str) -> list[tuple[int, int]]:
    """All ``(start, end)`` occurrences of a gold value: exact, else stripped, else quote-folded."""
    for candidate in (value, value.strip()):
        hits = find_all(text, candidate)
        if hits:
            return [(s, s + len(candidate)) for s in hits]
    # curly vs straight quotes: a same-length substitution, so offsets stay valid
    folded, v = text.translate(_QUOTES), value.strip().translate(_QUOTES)
    return [(s, s + len(v)) for s in find_all(folded, v)]


def parse_asq_phi(raw: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Parse the ASQ-PHI text format into ``(query, [(identifier_type, value), ...])`` pairs."""
    out: list[tuple[str, list[tuple[str, str]]]] = []
    for block in raw.split("===QUERY===")[1:]:
        query, _, tags = block.partition("===PHI_TAGS===")
        pairs = []
        for line in tags.strip().splitlines():
            line = line.strip()
            if line:
                obj = json.loads(line)
                pairs.append((str(obj["identifier_type"]), str(obj["value"])))
        out.append((query.strip("\n").strip(), pairs))
    return out


def asq_phi_docs(raw: str, report: LoadReport | None = None) -> list[GoldDoc]:
    """Build gold docs from ASQ-PHI text, locating every occurrence of every tagged value."""
    report = report if report is not None else LoadReport()
    docs = []
    for i, (query, pairs) in enumerate(parse_asq_phi(raw)):
        seen: set[tuple[int, int, str]] = set()
        entities = []
        for source_label, value in pairs:
            report.source_label_counts[source_label] += 1
            label = ASQ_PHI_MAP.get(source_label)
            if label == "DATE" and is_year_only(value):
                label = None
            if label is None:
                report.excluded_counts[source_label] += 1
            spans = locate_value(query, value)
            if not spans:
                report.values_not_found += 1
                if len(report.not_found_examples) < 20:
                    report.not_found_examples.append(f"asq-phi:{i} {source_label}={value!r}")
                continue
            if query.find(value.strip()) == -1:
                report.values_found_quote_folded += 1
            for s, e in spans:
                if (s, e, source_label) not in seen:
                    seen.add((s, e, source_label))
                    entities.append(GoldEntity(s, e, label, source_label))
        entities.sort(key=lambda x: (x.start, x.end))
        docs.append(GoldDoc(f"asq-phi:{i}", query, "en", entities, hard_negative=not pairs))
    return docs


# --------------------------------------------------------------------------------------------
# Loaders (I/O)
# --------------------------------------------------------------------------------------------


def _fix_offset(text: str, value: str, start: int, window: int = 50) -> tuple[int, int] | None:
    """Find ``value`` nearest to ``start`` within ``window`` characters; None if absent."""
    lo = max(0, start - window)
    hits = find_all(text[lo : start + len(value) + window], value)
    if not hits:
        return None
    best = min(hits, key=lambda h: abs(lo + h - start))
    return lo + best, lo + best + len(value)


def _checked_offsets(
    text: str, value: str, start: int, end: int, report: LoadReport
) -> tuple[int, int] | None:
    """The gold offsets when they hold the value, else the value's nearest place (counted in
    the report), or None when it is not near."""
    if text[start:end] == value:
        return start, end
    report.offset_mismatches += 1
    fixed = _fix_offset(text, value, start)
    if fixed is None:
        report.offsets_unfixable += 1
    else:
        report.offsets_fixed += 1
    return fixed


def load_presidio_synth(
    path: Path = CORPORA / "presidio-synth" / "synth_dataset_v2.json",
    report: LoadReport | None = None,
) -> list[GoldDoc]:
    """Load presidio-research synth_dataset_v2.json (English, general-domain PII)."""
    report = report if report is not None else LoadReport()
    records = json.loads(path.read_text(encoding="utf-8"))
    docs = []
    for i, rec in enumerate(records):
        text = rec["full_text"]
        entities = []
        for sp in rec.get("spans") or []:
            etype, value = sp["entity_type"], sp["entity_value"]
            start, end = int(sp["start_position"]), int(sp["end_position"])
            report.source_label_counts[etype] += 1
            located = _checked_offsets(text, value, start, end, report)
            if located is None:
                continue
            start, end = located
            label = PRESIDIO_SYNTH_MAP.get(etype)
            if (
                (etype == "DATE_TIME" and (is_year_only(value) or is_bare_weekday(value)))
                or (etype == "AGE" and not is_phi_age(value))
                or (etype == "GPE" and not is_below_state_place(value))
            ):
                label = None
            if label is None:
                report.excluded_counts[etype] += 1
            entities.append(GoldEntity(start, end, label, etype))
        entities.sort(key=lambda x: (x.start, x.end))
        docs.append(GoldDoc(f"presidio-synth:{i}", text, "en", entities))
    return docs


def load_asq_phi(
    path: Path = CORPORA / "asq-phi" / "synthetic_clinical_queries.txt",
    report: LoadReport | None = None,
) -> list[GoldDoc]:
    """Load ASQ-PHI adversarial clinical queries (values located by string search)."""
    return asq_phi_docs(path.read_text(encoding="utf-8"), report)


def load_hwamei(
    directory: Path = CORPORA / "hwamei-privacy-sample", report: LoadReport | None = None
) -> list[GoldDoc]:
    """Load the 3 public HwaMei-Privacy sample records (Chinese, character offsets)."""
    report = report if report is not None else LoadReport()
    docs = []
    for path in sorted(directory.glob("privacy-*-deid.json")):
        obj = json.loads(path.read_text(encoding="utf-8"))
        tokens = obj["tokens"]
        if any(len(t) != 1 for t in tokens):
            raise ValueError(f"{path}: expected one character per token")
        text = "".join(tokens)
        entities = []
        for ent in obj.get("entities") or []:
            etype, start, end = ent["type"], int(ent["start"]), int(ent["end"])
            report.source_label_counts[etype] += 1
            label = HWAMEI_MAP.get(etype)
            if label == "DATE" and is_year_only(text[start:end]):
                label = None
            if label is None:
                report.excluded_counts[etype] += 1
            entities.append(GoldEntity(start, end, label, etype))
        entities.sort(key=lambda x: (x.start, x.end))
        split = path.name.removeprefix("privacy-").removesuffix("-deid.json")
        docs.append(GoldDoc(f"hwamei:{split}", text, "zh", entities))
    return docs


_EDGE_PUNCT = frozenset(".,:;()[]\"'")
_PHYSIONET_RECORD = re.compile(
    r"START_OF_RECORD=(\d+)\|\|\|\|(\d+)\|\|\|\|\n(.*?)\|\|\|\|END_OF_RECORD", re.DOTALL
)


def load_physionet(
    directory: Path = CORPORA / "physionet-deid-dev", report: LoadReport | None = None
) -> list[GoldDoc]:
    """Load the real PhysioNet nursing notes with their gold PHI (offsets into the note text,
    which starts after the START_OF_RECORD line; each offset is checked against the value)."""
    report = report if report is not None else LoadReport()
    raw = (directory / "id.text").read_text(encoding="utf-8")
    notes = {(m[1], m[2]): m[3] for m in _PHYSIONET_RECORD.finditer(raw)}
    gold: dict[tuple[str, str], list[GoldEntity]] = {key: [] for key in notes}
    for line in (directory / "id-phi.phrase").read_text(encoding="utf-8").splitlines():
        parts = line.split(" ", 5)
        if len(parts) < 6:
            continue
        patient, note, start, end, etype, value = parts
        text = notes.get((patient, note))
        if text is None:
            report.values_not_found += 1
            continue
        start, end = int(start), int(end)
        report.source_label_counts[etype] += 1
        located = _checked_offsets(text, value, start, end, report)
        if located is None:
            continue
        start, end = located
        # the gold phrases sometimes carry the punctuation around a value ("Lange,", "WELSH:",
        # "(201-223-4567)"); punctuation identifies no one, so it is not scored
        while start < end and text[start] in _EDGE_PUNCT:
            start += 1
        while end > start and text[end - 1] in _EDGE_PUNCT:
            end -= 1
        if start == end:
            continue
        label = PHYSIONET_MAP.get(etype)
        if label is None:
            report.excluded_counts[etype] += 1
        gold[(patient, note)].append(GoldEntity(start, end, label, etype))
    return [
        GoldDoc(f"physionet:{p}:{n}", text, "en", sorted(gold[(p, n)], key=lambda e: e.start))
        for (p, n), text in notes.items()
    ]


#: Synthetic sources -> (text column carrying spans, key column, language).
SYNTH_COLUMNS: dict[str, tuple[str, str, str]] = {
    "records_zh": ("text", "record_id", "zh"),  # inpatient record body
    "dialogues_zh": ("dialogue", "dialogue_id", "zh"),  # whole outpatient dialogue
    "notes_en": ("note", "note_id", "en"),  # English clinical note
}

SYNTH_SETS: dict[str, tuple[str, ...]] = {
    "synthetic-zh": ("records_zh", "dialogues_zh"),
    "synthetic-en": ("notes_en",),
}


def _iter_synth(source: str) -> Iterator[Any]:
    """Yield the SynthRecords of one project synthetic source (``curation.synth``)."""
    from curation.synth import SOURCES, iter_source

    if source not in SOURCES:
        raise KeyError(f"curation.synth.SOURCES has no {source!r}")
    # Use the generator's own defaults (seed etc.): the same rows that `curate synth` writes.
    yield from iter_source(source)


def synth_docs(
    source: str,
    records: Iterable[Any],
    report: LoadReport | None = None,
) -> list[GoldDoc]:
    """Turn SynthRecords of one source into gold docs (rows with ``broken`` set are skipped)."""
    report = report if report is not None else LoadReport()
    column, key, lang = SYNTH_COLUMNS[source]
    docs = []
    for i, rec in enumerate(records):
        if rec.broken:
            report.skipped_records += 1
            continue
        text = rec.fields.get(column)
        if not isinstance(text, str):
            report.skipped_records += 1
            continue
        entities = []
        for sp in rec.spans.get(column, []):
            report.source_label_counts[sp.label] += 1
            if not (0 <= sp.start < sp.end <= len(text)):
                report.offset_mismatches += 1
                report.offsets_unfixable += 1
                continue
            entities.append(GoldEntity(sp.start, sp.end, sp.label, sp.label))
        entities.sort(key=lambda x: (x.start, x.end))
        doc_key = rec.fields.get(key) or str(i)
        docs.append(GoldDoc(f"{source}:{doc_key}", text, lang, entities))
    return docs


def load_synthetic(name: str, report: LoadReport | None = None) -> list[GoldDoc]:
    """Load ``synthetic-zh`` or ``synthetic-en`` from the project's synthetic generator."""
    report = report if report is not None else LoadReport()
    docs: list[GoldDoc] = []
    for source in SYNTH_SETS[name]:
        docs.extend(synth_docs(source, _iter_synth(source), report))
    return docs


def to_traditional_docs(docs: list[GoldDoc], config: str = "s2tw") -> list[GoldDoc]:
    """The docs in Traditional script (OpenCC's phrase-level ``s2tw``): the text between
    entities and each entity are converted separately, so gold offsets stay exact."""
    import opencc

    converter = opencc.OpenCC(config)
    out = []
    for doc in docs:
        parts, entities, pos = [], [], 0
        for entity in sorted(doc.entities, key=lambda e: (e.start, e.end)):
            if entity.start < pos:
                continue
            parts.append(converter.convert(doc.text[pos : entity.start]))
            value = converter.convert(doc.text[entity.start : entity.end])
            start = sum(map(len, parts))
            parts.append(value)
            entities.append(
                GoldEntity(start, start + len(value), entity.label, entity.source_label)
            )
            pos = entity.end
        parts.append(converter.convert(doc.text[pos:]))
        out.append(GoldDoc(doc.id, "".join(parts), doc.lang, entities, doc.hard_negative))
    return out


# ---------------------------------------------------------------- other name lists
# The synthetic notes take their names from Faker, whose lists are also the de-identifier's
# gazetteer. These variants swap every NAME for names from other lists, consistently within a
# note ('Mr. White … White'), keeping each token's case: names that no list knows and that are
# no English word (made of syllables), and surnames that are English words (Baker, Stone).
_ONSETS = "b br ch d dr f g gr h j k kl l m n p pr r s sh st t tr v w y z".split()
_VOWELS = "a e i o u ai ei ou ia".split()
_CODAS = ["", "", "n", "r", "l", "s", "k", "m", "nd", "rt", "sk"]


def _made_up_names(rng: random.Random, count: int) -> list[str]:
    from curation.deid.words import english_names, is_inflected_english, is_medical_word

    first, last = english_names()
    out: set[str] = set()
    while len(out) < count:
        word = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
            for _ in range(rng.choice((2, 2, 3)))
        ).capitalize()
        if not (word in first or word in last or is_inflected_english(word)) and not (
            is_medical_word(word)  # no Latin or clinical ending (Klortdroum, Drialitis)
        ):
            out.add(word)
    return sorted(out)


def _word_surnames() -> list[str]:
    from curation.deid.words import common_english_words, is_medical_word

    return sorted(
        w.capitalize()
        for w in common_english_words()
        if 4 <= len(w) <= 8 and w.isalpha() and not is_medical_word(w)
    )


def swap_names(docs: list[GoldDoc], mode: str, seed: int = 7) -> list[GoldDoc]:
    """The docs with every NAME entity's words replaced (``mode``: unknown | words)."""
    rng = random.Random(seed)
    firsts = _made_up_names(rng, 3000)
    lasts = firsts if mode == "unknown" else _word_surnames()
    from curation.deid.words import english_names

    known_first = english_names()[0]
    swapped = []
    for doc in docs:
        mapping: dict[str, str] = {}

        def replace(match: re.Match[str], mapping: dict[str, str] = mapping) -> str:
            token = match.group()
            if token.capitalize() in ("Dr", "Mr", "Mrs", "Ms", "Miss", "Md"):
                return token
            key = token.lower()  # SMITH and Smith are one person
            if key not in mapping:
                mapping[key] = rng.choice(firsts if token.capitalize() in known_first else lasts)
            return mapping[key].upper() if token.isupper() else mapping[key]

        parts, entities, pos = [], [], 0
        for entity in sorted(doc.entities, key=lambda e: (e.start, e.end)):
            if entity.start < pos:
                continue
            parts.append(doc.text[pos : entity.start])
            value = doc.text[entity.start : entity.end]
            if entity.label == "NAME":
                value = re.sub(r"[A-Za-z][a-z]+|[A-Z]{2,}", replace, value)
            start = sum(map(len, parts))
            parts.append(value)
            entities.append(
                GoldEntity(start, start + len(value), entity.label, entity.source_label)
            )
            pos = entity.end
        parts.append(doc.text[pos:])
        swapped.append(GoldDoc(doc.id, "".join(parts), doc.lang, entities, doc.hard_negative))
    return swapped


LOADERS: dict[str, Callable[[LoadReport], list[GoldDoc]]] = {
    "synthetic-zh": lambda r: load_synthetic("synthetic-zh", r),
    "synthetic-zh-traditional": lambda r: to_traditional_docs(load_synthetic("synthetic-zh", r)),
    "synthetic-en": lambda r: load_synthetic("synthetic-en", r),
    "synthetic-en-unknown-names": lambda r: swap_names(
        load_synthetic("synthetic-en", r), "unknown"
    ),
    "synthetic-en-word-surnames": lambda r: swap_names(load_synthetic("synthetic-en", r), "words"),
    "presidio-synth": lambda r: load_presidio_synth(report=r),
    "asq-phi": lambda r: load_asq_phi(report=r),
    "hwamei": lambda r: load_hwamei(report=r),
    "physionet-dev": lambda r: load_physionet(report=r),
}


_GOLD_TITLE = re.compile(
    r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Drs|Prof|Doctor|Professor|Sister|Rev|Father|Nurse)(?:\.\s*|\s+)(?=\S)",
    re.IGNORECASE,
)


def _names_after_titles(docs: list[GoldDoc], report: LoadReport) -> list[GoldDoc]:
    """Gold names start after their title (see the module docstring)."""
    for doc in docs:
        entities = []
        for ent in doc.entities:
            match = _GOLD_TITLE.match(doc.text, ent.start, ent.end)
            if ent.label == "NAME" and match:
                report.titles_trimmed += 1
                ent = GoldEntity(match.end(), ent.end, ent.label, ent.source_label)
            entities.append(ent)
        doc.entities = entities
    return docs


def load_set(name: str, limit: int | None = None) -> tuple[list[GoldDoc], LoadReport]:
    """Load one gold set by name (first ``limit`` docs if given) with its load report."""
    if name not in LOADERS:
        raise KeyError(f"unknown gold set {name!r}; known: {', '.join(SETS)}")
    report = LoadReport()
    docs = _names_after_titles(LOADERS[name](report), report)
    return (docs[:limit] if limit is not None else docs), report
