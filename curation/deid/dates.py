"""Date forms in Chinese and English: recognize them, parse them, and shift them in place.

Each :class:`DateForm` is a regex with named groups ``y``/``m``/``d`` (Arabic digits),
``yc``/``mc``/``dc`` (Chinese numerals) and ``mon`` (English month names). Shifting
rewrites only those groups, in the style they were written (padding, two-digit years,
numerals, month-name spelling), so "2023年3月15日" stays "YYYY年M月D日".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from curation.deid.edges import ASCII_WORD, END, START
from curation.deid.validators import plausible_date

REFERENCE_YEAR = 2000  # leap year: lets 2月29日 without a year parse
_MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
MON = (
    r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?"
    r"|JAN(?:UARY)?|FEB(?:RUARY)?|MAR(?:CH)?|APR(?:IL)?|MAY|JUNE?|JULY?|AUG(?:UST)?"
    r"|SEPT?(?:EMBER)?|OCT(?:OBER)?|NOV(?:EMBER)?|DEC(?:EMBER)?)\.?"
)
MON_BARE = MON.removesuffix(r"\.?")  # without the abbreviation's period (17-Feb-2023)
Y4 = r"(?P<y>(?:1[89]|2[01])\d{2})"  # 1800-2199: de-identified corpora shift years far
M = r"(?P<m>0?[1-9]|1[0-2])"
D = r"(?P<d>0?[1-9]|[12]\d|3[01])"
# a written year: four digits, or two after an apostrophe (Jan 20th '23)
Y_WRITTEN = rf"(?:['’](?P<y>\d{{2}}){END}|(?P<y4>(?:1[89]|2[01])\d{{2}}){END})"
SFX = r"(?P<sfx>st|nd|rd|th)?"
_CN_DIGITS = "〇一二三四五六七八九"
CN_Y = r"(?P<yc>[〇零○一二三四五六七八九]{4})"
CN_M = r"(?P<mc>十[一二]?|[一二三四五六七八九])"
CN_D = (
    r"(?P<dc>三十一?|三十|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])"
)
DATE_CONTEXT_EN = (
    "on ", "since ", "from ", "until ", "till ", "dated", "date", "admit", "discharg", "seen ",
    "visit", "dob", "born", "through", "thru", "by ", "as of", "surgery", "s/p", "last ",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon ",
    "tue ", "tues ", "wed ", "thu ", "thur ", "thurs ", "fri ", "sun ",
)  # fmt: skip
# what must stand right before a month/two-digit-year date ('since 3/93', 's/p CABG in 5/88');
# written once for the Python cue and the batch trigger
_MY_CUES = (
    r"\b(?:since|in|from|until|till|dated?|s/p|by|of|through|thru|circa|approx\.?|about|"
    r"around|before|after|early|late|mid|onset|diagnosed|dx|prior\s+to|"
    r"last(?:[ \t]+[a-z]+){0,2})[ \t]+"
)
DATE_CUE_MY = re.compile(rf"(?i:{_MY_CUES})$")
# what stands right before a month named alone ('admitted in February', 'since mid-March')
_MONTH_CUES = (
    r"\b(?:in|since|until|till|by|during|through|thru|early|late|mid|last|next|this|past|from|"
    r"before|after|around|end\s+of|beginning\s+of|month\s+of)[ \t-]+"
    r"(?:early[ \t]+|late[ \t]+|mid-?)?"
)
_YEAR_WORDS = "去年|今年|前年|明年"  # before a month alone: 去年10月


TIME_OF_DAY = re.compile(
    r"(?:[T ]|\s*)(?:[01]?\d|2[0-3])(?::[0-5]\d(?::[0-5]\d(?:\.\d+)?)?|时(?:[0-5]?\d分)?)"
    r"(?:\s?(?:[AaPp]\.?[Mm]\.?))?(?![\d:])"
)


@dataclass(frozen=True)
class DateForm:
    """One written form of a date. Each pattern opens with a lookahead on its possible first
    characters (``(?=[0-9])``): the regex engine then skips to candidates, 3× faster."""

    name: str
    languages: frozenset[str]
    pattern: str
    requires_context: bool = False
    trigger: str | None = None  # necessary condition, Rust regex syntax (see registry)
    cue: re.Pattern[str] | None = None  # must match, end-anchored, right before the date

    @property
    def regex(self) -> re.Pattern[str]:
        return _compiled(self.pattern)


_CACHE: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    if pattern not in _CACHE:
        _CACHE[pattern] = re.compile(pattern)
    return _CACHE[pattern]


ZH, EN, BOTH = frozenset({"zh"}), frozenset({"en"}), frozenset({"zh", "en"})
_MON_3 = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_MON_T = f"(?:{_MON_3}|{_MON_3.upper()})"
MONTH_TRIGGER = (
    rf"{_MON_T}[A-Za-z]*\.?,?\s+(?:of\s+)?['’]?\d|\d(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON_T}"
)
# forms written once for the pattern and its batch trigger
_MD_CUE_WORDS = r"(?:on|On|since|Since|from|until|till|by|after|before|dated?)"
_MON_LOWER = (
    r"january|february|march|april|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec"
)  # 'may' stays out: the verb
_MD_RANGE_T = r"\(\d{1,2}/\d{1,2}[ \t]*[-–][ \t]*\d{1,2}/\d{1,2}\)"
_STRENGTH_RANGE = r"\d{1,2}/5[ \t]*[-–][ \t]*\d{1,2}/5\)"  # muscle strength 4/5-5/5
FORMS: tuple[DateForm, ...] = (
    DateForm(
        "zh_ymd",
        ZH,
        rf"(?=[12])(?<!\d){Y4}\s*年\s*{M}\s*月(?:\s*{D}\s*[日号])?",
        trigger=r"\d\s*年",
    ),
    DateForm("zh_md", ZH, rf"(?=\d)(?<![\d年]){M}\s*月\s*{D}\s*[日号]", trigger=r"\d\s*月"),
    DateForm(  # a month alone: 10月份
        "zh_month",
        ZH,
        rf"(?=\d)(?<![\d.-]){M}\s*月份",
        trigger=r"\d\s*月份",
    ),
    DateForm(  # a month after a year word: 去年10月, 今年3月
        "zh_month_after_year",
        ZH,
        rf"(?=\d)(?<!\d){M}\s*月份?(?![\d日号])",
        trigger=rf"(?:{_YEAR_WORDS})\s*\d{{1,2}}\s*月",
        cue=re.compile(rf"(?:{_YEAR_WORDS})\s*$"),
    ),
    DateForm(
        "zh_cn_ymd",
        ZH,
        rf"(?=[〇零○一二三四五六七八九]){CN_Y}\s*年\s*{CN_M}\s*月(?:\s*{CN_D}\s*[日号])?",
        trigger=r"[〇零○一二三四五六七八九]\s*年",
    ),
    DateForm(
        "zh_cn_md",
        ZH,
        rf"(?=[一二三四五六七八九十])(?<![〇零○一二三四五六七八九十年]){CN_M}月{CN_D}[日号]",
        trigger=r"[一二三四五六七八九十]月",
    ),
    DateForm(
        "iso_ymd",
        BOTH,
        rf"(?=[12])(?<![\d.]){Y4}(?P<sep>[-/.]){M}(?P=sep){D}(?![\d])",
        trigger=r"\d{4}[-/.]\d{1,2}[-/.]\d",
    ),
    DateForm(
        "iso_ym",
        BOTH,
        rf"(?=[12])(?<![\d./-]){Y4}[-/]{M}(?![\d/.-])",
        trigger=r"(?:19|20)\d\d[-/]\d",
    ),
    DateForm(
        "us_mdy",
        BOTH,
        rf"(?=\d)(?<![\d/.-]){M}(?P<sep>[/-]){D}(?P=sep)(?P<y>(?:19|20)?\d{{2}})(?![\d/])",
        trigger=r"\d[/-]\d{1,2}[/-]\d\d",
    ),
    DateForm(
        "eu_dmy",
        EN,
        r"(?=[123])(?<![\d/.])(?P<d>1[3-9]|2\d|3[01])([/.])" + M + r"\2" + Y4 + r"(?!\d)",
        trigger=r"\d[/.]\d{1,2}[/.]\d{4}",
    ),
    DateForm(  # dots are European: 03.04.1956 is the 3rd of April
        "dmy_dots",
        EN,
        rf"(?=\d)(?<![\d/.-]){D}\.{M}\.{Y4}(?![\d.])",
        trigger=r"\d\.\d{1,2}\.\d{4}",
    ),
    DateForm(
        "en_mdy",
        BOTH,  # also in Chinese text: 入院日期March 15, 2023
        rf"(?=[JFMASOND]){START}{MON}\s+{D}{SFX}{END}(?:,?\s+{Y_WRITTEN})?",
        trigger=MONTH_TRIGGER,
    ),
    DateForm(
        "en_dmy",
        BOTH,
        rf"(?=\d){START}{D}{SFX}\s+(?:of\s+)?{MON}(?![A-Za-z])(?:,?\s+{Y_WRITTEN})?",
        trigger=MONTH_TRIGGER,
    ),
    DateForm(  # 17-Feb-2023, 03 MAR 2021
        "dd_mon_yyyy",
        BOTH,
        rf"(?=\d)(?<![{ASCII_WORD}-]){D}(?P<sep>[- ]){MON_BARE}(?P=sep){Y4}(?![{ASCII_WORD}-])",
        trigger=rf"\d[- ]{_MON_T}[A-Za-z]*[- ]\d{{4}}",
    ),
    DateForm(  # 'March 2021', "Apr '87"
        "en_my", EN, rf"(?=[JFMASOND]){START}{MON},?\s+(?:of\s+)?{Y_WRITTEN}", trigger=MONTH_TRIGGER
    ),
    DateForm(  # a month alone is a date element too: 'admitted in February', 'since mid-March'
        "en_month",
        EN,
        rf"(?=[JFMASOND]){START}(?:(?<=mid-)|(?<!-)){MON}(?![{ASCII_WORD}-])(?!\s*,?\s+(?:of\s+)?\d)",
        trigger=rf"(?i){_MONTH_CUES}(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
        cue=re.compile(rf"(?i:{_MONTH_CUES})$"),
    ),
    DateForm(  # 3/1993, 03/2093
        "us_my", EN, rf"(?=\d)(?<![\d/.-]){M}/{Y4}(?![\d/]|\s*dilution)", trigger=r"\d/\d{4}"
    ),
    DateForm(  # 'since 3/93': a two-digit year only after a cue, never a score out of 10
        "us_my_short",
        EN,
        rf"(?=\d)(?<![\d/.-]){M}/(?P<y>(?!10)\d{{2}})(?![\d/%]|\s*(?:pain|scale|strength))",
        trigger=rf"(?i){_MY_CUES}\d{{1,2}}/\d{{2}}(?:[^\d/]|$)",
        cue=DATE_CUE_MY,
    ),
    DateForm(  # 'seen on 4-15.': a hyphen joins month and day only right after a date word
        "us_md_hyphen",
        EN,
        rf"(?=\d)(?<![\d/.-]){M}-{D}(?=[ \t]*(?:[.,;)]|$)|[ \t]+(?:at|and|by|for|with|when|to)\b)",
        trigger=rf"(?i){_MD_CUE_WORDS} \d{{1,2}}-\d{{1,2}}(?:[^\d-]|$)",
        cue=re.compile(rf"\b{_MD_CUE_WORDS}[ \t]+$"),
    ),
    DateForm(  # a month typed in lowercase with its day: 'a baby on march 14' (not 'march 5 miles')
        "en_md_lower",
        EN,
        rf"(?=[adfjmnos])(?<![\w-])(?P<mon>{_MON_LOWER})\.?[ \t]+{D}{SFX}"
        r"(?!\w|\.\d|\s*(?:%|mg|mcg|ml|kg|cm|mm|units?|times|x)\b)"
        rf"(?:,?[ \t]+{Y4})?",
        trigger=rf"(?:{_MON_LOWER})\.?[ \t]+\d",
        cue=re.compile(
            r"(?m)(?:\b(?:on|since|by|from|until|till|before|after|of|in|dated?|and)[ \t]+"
            r"|^|[,;:(][ \t]*)$"
        ),
    ),
    DateForm(  # a stay in brackets, 'Newton-Wellesley (3/2-3/6)': its first date …
        "us_md_range_from",
        EN,
        rf"(?=\d)(?<=\()(?!{_STRENGTH_RANGE}){M}/{D}(?=[ \t]*[-–][ \t]*\d{{1,2}}/\d{{1,2}}\))",
        trigger=_MD_RANGE_T,
    ),
    DateForm(  # … and its last
        "us_md_range_to",
        EN,
        # strength 4/5-5/5: not both parts out of five (a cue cannot look past the date)
        rf"(?=\d)(?<=[-–\s])(?:(?<!/5-)(?<!/5 - )(?<!/5–)|(?!\d{{1,2}}/5\))){M}/{D}(?=\))",
        trigger=_MD_RANGE_T,
        cue=re.compile(r"\(\d{1,2}/\d{1,2}[ \t]*[-–][ \t]*$"),
    ),
    DateForm(
        "us_md",
        EN,
        rf"(?=\d)(?<![\d/.-]){M}/{D}(?![\d/])",
        requires_context=True,
        # a context word anywhere in the 16 characters before the date ('ADMITTED TO OSH 8/2')
        trigger=rf"(?i)(?:{'|'.join(DATE_CONTEXT_EN)})(?s:.){{0,16}}\d{{1,2}}/\d{{1,2}}",
    ),
)


@dataclass(frozen=True)
class ParsedDate:
    """The date a match denotes; missing parts are None."""

    year: int | None
    month: int
    day: int | None


def _cn_number(text: str) -> int:
    if len(text) == 4 and all(c in _CN_DIGITS + "零○" for c in text):  # a year, digit by digit
        return int("".join(str(_CN_DIGITS.index(c) if c in _CN_DIGITS else 0) for c in text))
    if text.startswith("十"):
        return 10 + (_CN_DIGITS.index(text[1]) if len(text) > 1 else 0)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _CN_DIGITS.index(tens) * 10 + (_CN_DIGITS.index(ones) if ones else 0)
    return _CN_DIGITS.index(text)


def _group(match: re.Match[str], name: str) -> str | None:
    return match.groupdict().get(name)


def parse(match: re.Match[str]) -> ParsedDate | None:
    """The date of a match of one of the FORMS, or None when it is not a real date."""
    year: int | None = None
    if y4 := _group(match, "y4"):
        year = int(y4)
    elif y := _group(match, "y"):
        year = int(y) if len(y) == 4 else 2000 + int(y) if int(y) < 50 else 1900 + int(y)
    elif yc := _group(match, "yc"):
        year = _cn_number(yc)
    if m := _group(match, "m"):
        month = int(m)
    elif mc := _group(match, "mc"):
        month = _cn_number(mc)
    elif mon := _group(match, "mon"):
        month = next(i for i, name in enumerate(_MONTHS, 1) if name.startswith(mon.lower()[:3]))
    else:
        return None
    day: int | None = None
    if d := _group(match, "d"):
        day = int(d)
    elif dc := _group(match, "dc"):
        day = _cn_number(dc)
    if not plausible_date(year, month, day):
        return None
    return ParsedDate(year, month, day)


def _render_cn(value: int, original: str) -> str:
    if len(original) == 4:  # year digit by digit
        zero = "零" if "零" in original else "〇"
        return "".join(_CN_DIGITS[int(c)] if c != "0" else zero for c in f"{value:04d}")
    tens, ones = divmod(value, 10)
    if tens == 0:
        return _CN_DIGITS[ones]
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def _render_month_name(month: int, original: str) -> str:
    full = _MONTHS[month - 1]
    core = original.rstrip(".")
    if core.lower() in _MONTHS:  # written out (May, June): write the new month out
        text = full
    else:  # an abbreviation: Sept stays four letters only for September
        text = full[:4] if core.lower() == "sept" and month == 9 else full[:3]
    text = text.upper() if core.isupper() and len(core) > 1 else text.capitalize()
    return text + ("." if original.endswith(".") else "")


def _ordinal(day: int) -> str:
    if 11 <= day % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def shift(match: re.Match[str], days: int) -> str | None:
    """The matched text with its date moved by `days`, written in the same style."""
    parsed = parse(match)
    if parsed is None:
        return None
    base = dt.date(parsed.year or REFERENCE_YEAR, parsed.month, parsed.day or 15)
    moved = base + dt.timedelta(days=days)
    values = {"y": moved.year, "y4": moved.year, "m": moved.month, "d": moved.day}
    pieces: list[tuple[int, int, str]] = []
    for name, original in match.groupdict().items():
        if original is None or name == "sep":
            continue
        start, end = match.span(name)
        if name in ("y", "y4", "m", "d"):
            value = values[name]
            if name == "y" and len(original) == 2:
                text = f"{value % 100:02d}"
            else:
                text = f"{value:0{len(original)}d}" if original.startswith("0") else str(value)
        elif name in ("yc", "mc", "dc"):
            text = _render_cn(values[name[0]], original)
        elif name == "mon":
            text = _render_month_name(moved.month, original)
        elif name == "sfx":
            text = _ordinal(moved.day)
        else:
            continue
        pieces.append((start, end, text))
    out, cursor = [], match.start()
    for start, end, text in sorted(pieces):
        out.append(match.string[cursor:start])
        out.append(text)
        cursor = end
    out.append(match.string[cursor : match.end()])
    return "".join(out)


def find_form(text: str, languages: frozenset[str] = BOTH) -> re.Match[str] | None:
    """Re-read a date span: the form matching all of it (one that names the day first: 6/30 is
    the 30th of June before it is June 2030), or its start before a time."""
    whole = [
        match
        for form in FORMS
        if form.languages & languages
        and (match := form.regex.fullmatch(text)) is not None
        and parse(match)
    ]
    if whole:
        return next((m for m in whole if parse(m).day is not None), whole[0])
    for form in FORMS:
        if form.languages & languages:
            match = form.regex.match(text)
            if match and parse(match) and TIME_OF_DAY.fullmatch(text, match.end()):
                return match
    return None


def shift_span(text: str, days: int, languages: frozenset[str] = BOTH) -> str | None:
    """A whole date span (with any time of day), or a range of two ('6/30-7/2'), moved by
    `days`; None if not a date."""
    match = find_form(text, languages)
    if match is None:
        for dash in _RANGE_DASH.finditer(text):  # each side of a range is a date of its own
            left = shift_span(text[: dash.start()], days, languages)
            right = shift_span(text[dash.end() :], days, languages)
            if left is not None and right is not None:
                return left + dash.group() + right
        return None
    moved = shift(match, days)
    return None if moved is None else moved + text[match.end() :]


_RANGE_DASH = re.compile(r"[ \t]*[-–—~][ \t]*")
