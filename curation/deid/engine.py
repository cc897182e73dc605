"""Detection: run a language's recognizers over texts and resolve their candidates."""

from __future__ import annotations

import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import polars as pl

from curation.deid.casing import truecase
from curation.deid.language import detect_language
from curation.deid.registry import SAFE, Registry, default_registry
from curation.deid.script import to_simplified
from curation.deid.spans import Span, merge_spans, subtract
from curation.deid.vocabulary import leading_honorific, word_class
from curation.deid.words import is_person_name

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def for_detection(text: str) -> str:
    """The text the recognizers read, one character for one so that offsets hold: Traditional
    script as Simplified, lines in capitals re-cased, and lone surrogates (invalid Unicode that a
    JSON escape such as \\ud800 can carry) as U+FFFD, which no encoder rejects."""
    return truecase(to_simplified(_LONE_SURROGATE.sub("\ufffd", text)))


class Detector:
    """Finds PHI spans: candidates of every recognizer, minus safe regions, merged."""

    def __init__(self, registry: Registry | None = None, min_score: float = 0.5) -> None:
        self.registry = registry or default_registry()
        self.min_score = min_score
        self._by_language = {lang: self.registry.for_language(lang) for lang in ("zh", "en")}
        self._extenders = {lang: self.registry.extenders_for(lang) for lang in ("zh", "en")}

    def detect(self, text: str, language: str | None = None) -> list[Span]:
        """PHI spans of one text (code-point offsets, end exclusive), sorted, non-overlapping."""
        if not text:
            return []
        text = for_detection(text)
        lang = language or detect_language(text)
        return self._detect_with(text, self._by_language[lang], self._extenders[lang])

    def _detect_with(
        self, text: str, recognizers: Sequence, extenders: Sequence = ()
    ) -> list[Span]:
        candidates = [
            span
            for r in recognizers
            if r.category != SAFE
            for span in r.find(text)
            if span.score >= self.min_score
        ]
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

        Each recognizer's trigger (a necessary condition) is tested over a chunk of texts at
        once with polars' Rust regex engine; the exact Python patterns then run only on the
        texts that hold the trigger. The triggers of the next chunk run in a background
        thread (polars releases the GIL) while Python matches the current one.
        """
        texts = [for_detection(t or "") for t in texts]
        langs = [
            lang or detect_language(t)
            for t, lang in zip(texts, languages or [None] * len(texts), strict=True)
        ]
        results: list[list[Span]] = [[] for _ in texts]
        with ThreadPoolExecutor(max_workers=1) as pool:
            for lang in sorted(set(langs)):
                index = [
                    i for i, (t, g) in enumerate(zip(texts, langs, strict=True)) if g == lang and t
                ]
                recognizers = self._by_language[lang]
                chunks = [index[k : k + TRIGGER_CHUNK] for k in range(0, len(index), TRIGGER_CHUNK)]
                pending = (
                    pool.submit(_trigger_masks, [texts[i] for i in chunks[0]], recognizers)
                    if chunks
                    else None
                )
                for n, chunk in enumerate(chunks):
                    masks = pending.result()
                    if n + 1 < len(chunks):
                        pending = pool.submit(
                            _trigger_masks, [texts[i] for i in chunks[n + 1]], recognizers
                        )
                    for row, i in enumerate(chunk):
                        active = [
                            r
                            for r, m in zip(recognizers, masks, strict=True)
                            if m is None or m[row]
                        ]
                        results[i] = self._detect_with(texts[i], active, self._extenders[lang])
        return results


TRIGGER_CHUNK = 400  # texts whose triggers are tested in one polars pass


def _trigger_masks(texts: list[str], recognizers: Sequence) -> list[list[bool] | None]:
    """Per recognizer, whether each text holds its trigger (None: no trigger, always run)."""
    frame = pl.DataFrame({"text": texts}, schema={"text": pl.String})
    triggered = frame.select(  # one parallel pass of every trigger over the chunk
        pl.col("text").str.contains(r.trigger).alias(str(n))
        for n, r in enumerate(recognizers)
        if getattr(r, "trigger", None)
    )
    return [
        triggered[str(n)].to_list() if str(n) in triggered.columns else None
        for n in range(len(recognizers))
    ]


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
    pattern = re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))
    out = []
    for text, spans in zip(texts, found, strict=True):
        extra = []
        for match in pattern.finditer(text):
            if _inside_word(text, match.start(), match.end()):
                continue
            origin = values[match.group()]
            extra.append(Span(match.start(), match.end(), origin.label, origin.score, "propagated"))
        out.append(merge_spans([*spans, *extra]) if extra else list(spans))
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
