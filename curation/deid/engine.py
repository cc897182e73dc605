"""Detection: run a language's recognizers over texts and resolve their candidates."""

from __future__ import annotations

import bisect
import itertools
import re
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace

from curation.deid.casing import truecase
from curation.deid.invisible import restore, visible
from curation.deid.recognizers import names, names_zh
from curation.deid.registry import SAFE, Registry, default_registry
from curation.deid.spans import Span, merge_spans, subtract
from curation.deid.triggers import trigger_masks
from curation.deid.vocabulary import leading_honorific, word_class
from curation.deid.words import is_person_name
from curation.language import detect_language
from curation.script import to_simplified

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def for_detection(text: str) -> str:
    """The text the recognizers read, one character for one so that offsets hold: Traditional
    script as Simplified, full-width letters, digits, @ and . as ASCII (ｊｏｈｎ＠ｘ．ｃｏｍ),
    lines in capitals re-cased, and lone surrogates (invalid Unicode that a JSON escape such as
    \\ud800 can carry) as U+FFFD, which no encoder rejects. Invisible characters are removed
    before (``invisible.visible``), with their offsets kept aside."""
    if not text.isascii():
        text = _LONE_SURROGATE.sub("\ufffd", text)
        if _FULL_WIDTH_CHAR.search(text):
            text = text.translate(_FULL_WIDTH)
    return truecase(to_simplified(text))


# full-width forms of ASCII letters, digits, '@' and '.' (CJK punctuation stays as written)
_FULL_WIDTH = {
    code: code - 0xFEE0
    for code in (
        0xFF0E,
        0xFF20,
        *range(0xFF10, 0xFF1A),
        *range(0xFF21, 0xFF3B),
        *range(0xFF41, 0xFF5B),
    )
}
_FULL_WIDTH_CHAR = re.compile("[" + "".join(map(chr, sorted(_FULL_WIDTH))) + "]")


class DetectionTimeout(Exception):
    """A text took longer than the detector's time budget (the record is quarantined)."""


class Detector:
    """Finds PHI spans: candidates of every recognizer, minus safe regions, merged.

    ``time_budget`` bounds the seconds one text may take: checked after every recognizer, it
    raises :class:`DetectionTimeout` so that an adversarial text stalls nothing."""

    def __init__(
        self, registry: Registry | None = None, min_score: float = 0.5, time_budget: float = 20.0
    ) -> None:
        self.registry = registry or default_registry()
        self.min_score = min_score
        self.time_budget = time_budget
        self._by_language = {lang: self.registry.for_language(lang) for lang in ("zh", "en")}
        self._extenders = {lang: self.registry.extenders_for(lang) for lang in ("zh", "en")}

    def detect(self, text: str, language: str | None = None) -> list[Span]:
        """PHI spans of one text (code-point offsets, end exclusive), sorted, non-overlapping."""
        if not text:
            return []
        shown, kept = visible(text)
        shown = for_detection(shown)
        lang = language or detect_language(shown)
        found = self._detect_with(shown, self._by_language[lang], self._extenders[lang])
        return restore(self._with_foreign(shown, lang, found), kept)

    def _with_foreign(
        self,
        text: str,
        lang: str,
        found: list[Span],
        foreign: Foreign | None = None,
        active: Sequence | None = None,
    ) -> list[Span]:
        """Add what the other language's recognizers find in the runs of its script: an English
        name or address inside a Chinese record (患者John Smith，住在Boston, MA), a Chinese
        name or date inside an English one (Patient 张伟 seen 2023年3月5日), and a run that is a
        name by itself (A. 端木沐辰). The runs are read in one pass, kept apart by a rule.

        `foreign`: the text's :func:`foreign_runs`, if already found; `active`: the other
        language's recognizers whose triggers the joined runs hold (default: all of them)."""
        runs, joined = foreign or foreign_runs(text, lang)
        if not runs:
            return found
        other = _OTHER[lang]
        gap = len(_RUN_SEPARATOR)
        starts = list(itertools.accumulate((len(m.group()) + gap for m in runs[:-1]), initial=0))
        foreign = []
        recognizers = self._by_language[other] if active is None else active
        for span in self._detect_with(joined, recognizers, self._extenders[other]):
            k = bisect.bisect_right(starts, span.start) - 1
            while k < len(runs) and starts[k] < span.end:  # a span over two runs: a piece each
                run, offset = runs[k], starts[k]
                start, end = max(span.start, offset), min(span.end, offset + len(run.group()))
                if start < end:
                    shift = run.start() - offset
                    foreign.append(replace(span, start=start + shift, end=end + shift))
                k += 1
        isolated = _ISOLATED_NAME[lang]
        foreign += [
            Span(m.start(), m.start() + len(run), "NAME", 0.7, "isolated_name_v1")
            for m in runs
            if isolated(run := m.group().rstrip(_RUN_END))
        ]
        return merge_spans([*found, *foreign]) if foreign else found

    def _detect_with(
        self, text: str, recognizers: Sequence, extenders: Sequence = ()
    ) -> list[Span]:
        deadline = time.perf_counter() + self.time_budget
        candidates = []
        for r in recognizers:
            if r.category != SAFE:
                candidates += [s for s in r.find(text) if s.score >= self.min_score]
                if time.perf_counter() > deadline:
                    raise DetectionTimeout(f"over {self.time_budget:g} s at {r.name}")
        if not candidates:
            return []
        # Safe regions matter only where they could contain a candidate: look for them in a
        # window around each candidate (look-behinds and ^ still see the whole text).
        safe: list[tuple[int, int]] = []
        for start, end in _windows(candidates, len(text)):
            for r in recognizers:
                if r.category == SAFE:
                    safe.extend((s.start, s.end) for s in r.find(text, start, end))
        spans = subtract(candidates, safe)
        for extender in extenders:
            spans = extender.extend(text, spans)
        return _without_titles(text, merge_spans(spans))

    def detect_many(
        self, texts: Sequence[str | None], languages: Sequence[str | None] | None = None
    ) -> list[list[Span]]:
        """`detect` over a batch of texts, vectorized where it can be.

        A text's spans depend on the text and its language only, so a text that recurs in the
        batch (an option such as 'None of the above', a greeting in a dialogue) is read once.
        Each recognizer's trigger (a necessary condition) is tested over a chunk of texts at
        once with polars' Rust regex engine; the exact Python patterns then run only on the
        texts that hold the trigger. The triggers of the next chunk run in a background
        thread (polars releases the GIL) while Python matches the current one.
        """
        given = languages or [None] * len(texts)
        first: dict[tuple[str, str | None], int] = {}
        index = [
            first.setdefault((t or "", g), len(first)) for t, g in zip(texts, given, strict=True)
        ]
        if len(first) < len(texts):
            found = self._detect_distinct([t for t, _ in first], [g for _, g in first])
            return [list(found[i]) for i in index]
        return self._detect_distinct(texts, languages)

    def _detect_distinct(
        self, texts: Sequence[str | None], languages: Sequence[str | None] | None = None
    ) -> list[list[Span]]:
        views = [visible(t or "") for t in texts]
        texts = [for_detection(shown) for shown, _ in views]
        langs = [
            lang or detect_language(t)
            for t, lang in zip(texts, languages or [None] * len(texts), strict=True)
        ]
        results: list[list[Span]] = [[] for _ in texts]
        chunks = [  # (language, indices of its texts), a chunk at most TRIGGER_CHUNK long
            (lang, index[k : k + TRIGGER_CHUNK])
            for lang in sorted(set(langs))
            for index in [[i for i, t in enumerate(texts) if langs[i] == lang and t]]
            for k in range(0, len(index), TRIGGER_CHUNK)
        ]
        with ThreadPoolExecutor(max_workers=1) as pool:

            def plan(n: int) -> Future:
                lang, indices = chunks[n]
                return pool.submit(self._chunk_plan, [texts[i] for i in indices], lang)

            pending = plan(0) if chunks else None
            for n, (lang, chunk) in enumerate(chunks):
                masks, runs, foreign_masks = pending.result()
                if n + 1 < len(chunks):  # the next chunk's triggers, while Python reads this one
                    pending = plan(n + 1)
                recognizers = self._by_language[lang]
                others = self._by_language[_OTHER[lang]]
                joined_row = itertools.count()  # the next text with runs: its row
                for row, i in enumerate(chunk):
                    active = _active(recognizers, masks, row)
                    found = self._detect_with(texts[i], active, self._extenders[lang])
                    foreign = (
                        _active(others, foreign_masks, next(joined_row)) if runs[row][0] else ()
                    )
                    results[i] = self._with_foreign(texts[i], lang, found, runs[row], foreign)
        return [restore(spans, kept) for spans, (_, kept) in zip(results, views, strict=True)]

    def _chunk_plan(
        self, texts: list[str], lang: str
    ) -> tuple[list[list[bool] | None], list[Foreign], list[list[bool] | None]]:
        """For a chunk of texts in one language: the trigger masks of its recognizers, each
        text's foreign runs, and the masks of the other language's recognizers over the joined
        runs of the texts that have some (one row each, in order)."""
        masks = trigger_masks(texts, self._by_language[lang])
        runs = [foreign_runs(text, lang) for text in texts]
        joined = [text for found, text in runs if found]
        others = self._by_language[_OTHER[lang]]
        return masks, runs, trigger_masks(joined, others) if joined else []


def _active(recognizers: Sequence, masks: list[list[bool] | None], row: int) -> list:
    """The recognizers whose trigger row `row` holds (or that have none)."""
    return [r for r, m in zip(recognizers, masks, strict=True) if m is None or m[row]]


# runs of the other script: Latin words in a Chinese record, Han words in an English one;
# read one a paragraph between rules, so that no recognizer joins two runs into one span
_RUN_SEPARATOR = "\n\n---\n\n"
_OTHER = {"zh": "en", "en": "zh"}
Foreign = tuple[list[re.Match[str]], str]  # a text's foreign runs, and the runs joined


def foreign_runs(text: str, lang: str) -> Foreign:
    """The runs of the other language's script worth reading in a text, and their joined text
    (runs kept a paragraph apart by :data:`_RUN_SEPARATOR`)."""
    runs = [m for m in _FOREIGN_RUN[lang].finditer(text) if _enough(m, lang)]
    return runs, _RUN_SEPARATOR.join(m.group() for m in runs)


_FOREIGN_RUN = {
    "zh": re.compile(r"[A-Za-z][A-Za-z0-9 .,'’@&()/#:+-]*[A-Za-z0-9.)]"),
    "en": re.compile(r"[0-9]*[\u3400-\u9fff][\u3400-\u9fff0-9\u3000-\u303f\uff01-\uff5e]*"),
}


# a whole run that is a name by itself: Han in an English record, Latin in a Chinese one
_ISOLATED_NAME = {"en": names_zh.isolated_name, "zh": names.isolated_name}
_RUN_END = "，。；：！？、）》」』.,;:!?) "


def _enough(run: re.Match[str], lang: str) -> bool:
    """A run worth reading: a Latin word of three letters or more in a Chinese record (not
    IU/ml, AB), unless a Chinese term goes on from it (Murphy征, Crohn病: an eponym); two Han
    characters in an English one."""
    if lang == "zh":
        return bool(_LATIN_WORD.search(run.group())) and not _EPONYM_AFTER.match(
            run.string, run.end()
        )
    return sum("\u3400" <= c <= "\u9fff" for c in run.group()) >= 2


_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
_EPONYM_AFTER = re.compile(
    r"[\s'’]*(?:氏|征|病|症|综合|试验|手术|反射|评分|分级|量表|指数|定律|三联|现象|细胞|小体|"
    r"淋巴瘤|肉瘤|瘤|点|线|管|囊|窝|孔|膜|结节|骨折|疝|切口|位|法|公式|分类|分期|标准|准则)"
)


# texts whose triggers are tested in one polars pass: polars caches 32 compiled patterns per
# thread, fewer than a language has triggers, so each pass compiles them all again (~25 ms)
TRIGGER_CHUNK = 4000


def _without_titles(text: str, spans: list[Span]) -> list[Span]:
    """Name spans start after the title that introduces them: Dr., Mrs., DR (not identifiers)."""
    out = []
    for span in spans:
        cut = leading_honorific(text[span.start : span.end]) if span.label == "NAME" else 0
        out.append(span if not cut else replace(span, start=span.start + cut))
    return out


SAFE_MARGIN = 120  # characters around a candidate searched for the safe region containing it


def _windows(spans: list[Span], size: int) -> list[tuple[int, int]]:
    """Merged (start, end) windows of SAFE_MARGIN around each span."""
    out: list[tuple[int, int]] = []
    for span in sorted(spans, key=lambda s: s.start):
        start, end = max(0, span.start - SAFE_MARGIN), min(size, span.end + SAFE_MARGIN)
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


PROPAGATED = frozenset({"NAME", "ORGANIZATION", "ADDRESS", "ID", "PHONE", "CONTACT"})


def propagate(texts: Sequence[str], found: Sequence[list[Span]]) -> list[list[Span]]:
    """Mask every other occurrence, in any of a record's texts, of a value found once.

    A name detected after a label (姓名：张三) is masked again where it recurs bare (张三说);
    an English full name also propagates its surname (Mr. John Smith … Smith agreed).
    """
    values: dict[str, Span] = {}
    for text, spans in zip(texts, found, strict=True):
        for span in spans:
            if span.label not in PROPAGATED:
                continue
            value = text[span.start : span.end]
            value = value[leading_honorific(value) :].strip()
            for candidate in _variants(value, span.label):
                if candidate not in values or span.score > values[candidate].score:
                    values[candidate] = span
    if not values:
        return [list(s) for s in found]
    ordered = sorted(values, key=len, reverse=True)
    out = []
    for text, spans in zip(texts, found, strict=True):
        extra = []
        for start, end in _occurrences(text, ordered):
            if _inside_word(text, start, end):
                continue
            origin = values[text[start:end]]
            extra.append(Span(start, end, origin.label, origin.score, "propagated"))
        out.append(merge_spans([*spans, *extra]) if extra else list(spans))
    return out


def _occurrences(text: str, values: Sequence[str]) -> list[tuple[int, int]]:
    """Where `values` occur in text, left to right without overlap, the earlier value winning
    at a shared start: what ``re.finditer`` of their alternation finds, without compiling a
    pattern per record."""
    hits = []
    for rank, value in enumerate(values):
        at = text.find(value)
        while at >= 0:
            hits.append((at, rank))
            at = text.find(value, at + 1)
    out: list[tuple[int, int]] = []
    pos = 0
    for at, rank in sorted(hits):
        if at >= pos:
            pos = at + len(values[rank])
            out.append((at, pos))
    return out


def _variants(value: str, label: str) -> list[str]:
    """The strings to look for again: the value, and an English name's last part."""
    if re.search(r"[\u4e00-\u9fff]", value):
        return [value] if len(value) >= 2 else []
    if len(value) < 3:
        # a hospital's initials found in a place position (transferred to GH) recur bare
        acronym = len(value) == 2 and value.isascii() and value.isalpha() and value.isupper()
        return [value] if acronym and label != "NAME" and not _explained_word(value) else []
    parts = value.split()
    if label == "NAME" and len(parts) > 1 and len(parts[-1]) >= 3 and parts[-1][0].isupper():
        return [value, parts[-1]]
    if len(parts) == 1 and _explained_word(value):
        return []
    return [value]


def _explained_word(word: str) -> bool:
    """A single word the safe vocabulary explains, which a mistaken hit must not spread over a
    record: function words and clinical shorthand (cont, eval, PCA), and everyday words
    unless written or known as a name (Rose, JOHN; not 'continue' or 'CULTURED')."""
    if not word.isascii() or not word.replace("'", "").replace("-", "").isalpha():
        return False
    cls = word_class(word)
    if cls in ("stop", "clinical") or (len(word) == 2 and cls != "unknown"):
        return True
    return cls == "common" and not word.istitle() and not is_person_name(word.title())


def _inside_word(text: str, start: int, end: int) -> bool:
    """A Latin match glued to other letters (Smith in Smithfield) is not the same value."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    latin = text[start].isascii() and text[start].isalpha()
    return latin and (before.isalnum() or after.isalnum())
