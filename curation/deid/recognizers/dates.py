"""DATE and AGE: every date element more specific than the year; ages over 89."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from curation.deid import dates as forms
from curation.deid.edges import END, START
from curation.deid.recognizers.safety_en import clinical_ratio, ventilator_setting
from curation.deid.registry import BOTH, EN, ZH, PatternRecognizer, has_context
from curation.deid.spans import Span


@dataclass(frozen=True)
class DateRecognizer:
    """One written form of a date; each hit must parse to a real calendar date."""

    form: forms.DateForm
    category: str = "DATE"

    @property
    def name(self) -> str:
        return f"date_{self.form.name}_v1"

    @property
    def languages(self) -> frozenset[str]:
        return self.form.languages

    @property
    def trigger(self) -> str | None:
        return self.form.trigger

    def find(self, text: str) -> Iterator[Span]:
        form = self.form
        for match in form.regex.finditer(text):
            if form.requires_context and not has_context(
                text, match.start(), forms.DATE_CONTEXT_EN, 16
            ):
                continue
            if form.cue is not None and not form.cue.search(
                text, max(0, match.start() - 24), match.start()
            ):
                continue
            if form.name in _YEARLESS and clinical_ratio(text, match.start(), match.end()):
                continue  # PS 5/5, 2/6 murmur: a ratio, not a day
            if "/" in match.group() and ventilator_setting(text, match.start(), match.end()):
                continue  # CPAP 5/10/35%: pressures and oxygen, not a day
            if forms.parse(match) is not None:
                clock = forms.TIME_OF_DAY.match(text, match.end())
                end = clock.end() if clock else match.end()  # a time travels with its date
                yield Span(match.start(), end, "DATE", 0.9, self.name)


@dataclass(frozen=True)
class DateRangeExtender:
    """Two dates joined by a dash are one range (intubated 6/30-7/2): the dash goes with them,
    and the range is shifted as a whole (``dates.shift_span``)."""

    name: str = "date_range_v1"
    languages: frozenset[str] = BOTH

    def extend(self, text: str, spans: list[Span]) -> list[Span]:
        found = sorted((s for s in spans if s.label == "DATE"), key=lambda s: s.start)
        extra = [
            Span(a.start, b.end, "DATE", min(a.score, b.score), a.recognizer)
            for a, b in pairwise(found)
            if a.end < b.start and _RANGE_DASH.fullmatch(text, a.end, b.start)
        ]
        return spans + extra if extra else spans


_RANGE_DASH = re.compile(r"[ \t]*[-–—~][ \t]*")
EXTENDERS = [DateRangeExtender()]
_YEARLESS = frozenset({"us_md", "us_md_hyphen"})  # month/day with no year: a ratio look-alike
OLD = r"(?:9\d|1[01]\d)"
RECOGNIZERS = [
    *(DateRecognizer(form) for form in forms.FORMS),
    PatternRecognizer(
        "zh_age_over_89_v1", "AGE", ZH,
        rf"(?:(?<!\d)(?P<a>{OLD}\s*(?:周岁|岁半?))|(?:年龄|年纪|享年|终年)\s*[:：]?\s*(?P<b>{OLD}(?:\s*岁)?)"
        rf"|今年(?:已经|已)?\s*(?P<c>{OLD})(?=\s*(?:了|多|[，,。！!？?；;\s]|$)))(?!\d)",
        0.95,
        group=("a", "b", "c"),
        trigger='(?:9\\d|1[01]\\d)',
    ),
    PatternRecognizer(  # 医生：她多大年纪了？ / 患者：92了 — an age answered in a dialogue
        "zh_age_answer_v1", "AGE", ZH,
        rf"(?:年纪|多大|几岁|高寿|岁数|年龄)[^\n]{{0,12}}\n[^\n：:]{{0,6}}[：:]\s*(?P<v>{OLD})(?=\s*(?:了|岁|周岁))",
        0.9,
        group="v",
        trigger=r"(?:年纪|多大|几岁|高寿|岁数|年龄)",
    ),
    PatternRecognizer(  # "Pt is 91", "the patient was 95"
        "en_age_over_89_subject_v1", "AGE", BOTH,
        rf"\b(?:pt|patient|he|she|who|man|woman|male|female|gentleman|lady|dad|mom|mum|father|"
        rf"mother|grandmother|grandfather|grandma|grandpa|granny|husband|wife|aunt|uncle)"
        rf"\s+(?:is|was|now)\s+(?P<v>{OLD}){END}(?!\s*(?:%|percent|mg|mcg|kg|lbs?|bpm|/|mm|cm|beats|breaths|\.\d))",
        0.85,
        group="v",
        flags=re.IGNORECASE,
        trigger=r"(?i)\b(?:pt|patient|he|she|who|man|woman|male|female|gentleman|lady|dad|mom|mum|"
        r"father|mother|grandmother|grandfather|grandma|grandpa|granny|husband|wife|aunt|uncle)"
        r"\s+(?:is|was|now)\s+(?:9\d|1[01]\d)(?-u:\b)",
    ),
    PatternRecognizer(  # a sex marker keeps its \b: '100m气温' is a height in meters
        "en_age_over_89_v1", "AGE", BOTH,
        rf"(?<![\d.])(?:{OLD}[-\s]?(?:years?|yrs?|y)[-\s]?(?:old|of age|o{END})|{OLD}\s*(?:y/o|yo|y\.o\.|yrs?{END})|(?:aged?|age:)\s*{OLD}{END}|{OLD}(?=\s*(?:M|F|m|f)\b))(?!\d|\.\d)",
        0.9,
        flags=re.IGNORECASE,
        trigger=r"(?i)(?:9\d|1[01]\d)[\s-]*(?:y|yo|yr|year|m\b|f\b)|age[ds:]*\s*(?:9\d|1[01]\d)",
    ),
    PatternRecognizer(  # a day of the month after its weekday: 'since Tuesday the 4th'
        "en_weekday_day_v1", "DATE", EN,
        rf"(?=[MTWFS]){START}(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+(?:the\s+)?"
        rf"(?P<v>(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)){END}",
        0.8,
        group="v",
        trigger=r"day,?\s+(?:the\s+)?\d{1,2}(?:st|nd|rd|th)",
    ),
    PatternRecognizer(  # a day of the month alone: 'seen on the 12th.' (not 'the 3rd floor')
        "en_day_of_month_v1", "DATE", EN,
        r"(?=[OoSsBbUuTtFfAa])\b(?i:on|since|by|until|till|from|after|before)\s+the\s+"
        r"(?P<v>(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th))"
        r"(?=\s*(?:[.,;!?)]|$)|\s+(?:at|and|or|when|we|I|he|she|they|you)\b)",
        0.7,
        group="v",
        trigger=r"\s+the\s+\d{1,2}(?:st|nd|rd|th)",
    ),
    PatternRecognizer(  # 'At 96, a fall …': an age opening a sentence
        "en_age_at_v1", "AGE", EN,
        rf"(?:^|(?<=[.!?:]\s)|(?<=\n))(?:At|at)\s+(?:age\s+)?(?P<v>{OLD})(?=,)",
        0.8,
        group="v",
        trigger=r"(?i)\bat\s+(?:age\s+)?(?:9\d|1[01]\d),",
    ),
    PatternRecognizer(  # holidays name a day of the year
        "en_holiday_v1", "DATE", BOTH,
        rf"{START}(?:Christmas(?:\s+(?:Day|Eve))?|Thanksgiving(?:\s+Day)?|Easter(?:\s+Sunday)?|"
        r"New\s+Year['’]?s(?:\s+(?:Day|Eve))?|Halloween|Independence\s+Day|Memorial\s+Day|"
        r"Labor\s+Day|Veterans\s+Day|Valentine['’]?s\s+Day|Fourth\s+of\s+July|Mother['’]?s\s+Day|"
        rf"Father['’]?s\s+Day){END}",
        0.7,
        trigger=r"Christmas|Thanksgiving|Easter|New\s+Year|Halloween|Independence\s+Day|"
        r"Memorial\s+Day|Labor\s+Day|Veterans\s+Day|Valentine|Fourth\s+of\s+July|Mother|Father",
    ),
    PatternRecognizer(  # 'a ninety-four-year-old woman', 'one hundred and one years of age'
        "en_age_words_over_89_v1", "AGE", BOTH,
        rf"{START}(?:ninety(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|(?:one[- ]|a[- ])?"
        r"hundred(?:[- ](?:and[- ])?(?:one|two|three|four|five|six|seven|eight|nine|ten))?)"
        rf"[- ](?:years?[- ](?:old|of[- ]age)|y/?o{END})",
        0.9,
        flags=re.IGNORECASE,
        trigger=r"(?i)(?:ninety|hundred)\S*[- ](?:(?:and[- ])?[a-z]+[- ])?(?:year|y/?o)",
    ),
]  # fmt: skip
