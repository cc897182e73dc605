"""No input text makes the de-identifier raise (property-based, deterministic).

Random Unicode, control characters, whitespace-only text, long digit runs, mixed CJK and
Latin, emoji, combining marks, bidi marks and zero-width spaces go through ``detect``,
``detect_many`` and ``scan_texts`` in both languages; the spans must be sorted,
non-overlapping, within the text, non-empty, and replacing them must leave the text outside
them unchanged.
"""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curation.deid import Detector, Span, scan_texts
from curation.deid.policy import load_policy
from curation.deid.surrogates import RecordReplacer

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LANGUAGES = ("zh", "en")

# fragments that wake the recognizers up (labels, cues, formats) between the random noise
FRAGMENTS = (
    "姓名：", "张三", "电话", "13812345678", "转", "邮箱", "zhang.wei@example.com", "住址：",
    "北京市朝阳区", "路", "号", "医院", "身份证号", "11010519491231002X", "年", "月", "日",
    "2023年4月5日", "岁", "患者", "主任医师", "Dr.", "Mr. John Smith", "Smith", "Phone:",
    "617-555-0100", "ext.", "x", "4767", "MRN", "#", ":", "lives in ", "Boston", "St.",
    "Street", "Apt", "12", "on 3/4/2023", "born", "at", "Hospital", ", MA 02115", "SSN",
    "123-45-6789", "@", ".", ",", "-", "/", "(", ")", "\n", "\n\n", " ", "\t", "\u3000",
    "\u00a0", "\u200b", "\u200e", "\u200f", "\u202e", "\u0301", "\u0308", "\ufeff", "😀",
    "👩\u200d⚕️", "🇨🇳", "\x00", "\x1f", "\x7f", "\u2028", "é", "ß", "İ", "ﬁ", "Ⅻ", "٣",
    "١٢٣", "᠐", "𝟘𝟙", "〇", "一二三", "電話", "醫院", "ｱｲ", "ＡＢＣ１２３", "Ωμέγα", "Москва",
    "\ud800", "\udfff",  # lone surrogates: a JSON escape can carry them
)  # fmt: skip

ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)
CONTROL = st.text(st.characters(categories=("Cc", "Cf", "Zs", "Zl", "Zp")), max_size=60)
WHITESPACE = st.text(st.sampled_from(" \t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u3000\u00a0\u2028\u2029"))
DIGIT_RUN = st.builds(
    lambda before, digit, n, after: before + digit * n + after,
    st.sampled_from(("", "电话", "Phone: ", "ID ", "MRN#", "邮箱", "x")),
    st.sampled_from(("0", "1", "9", "١", "１")),
    st.integers(1, 3000),
    st.sampled_from(("", "转4767", " ext. 12", "@x.com", "年", ".")),
)
MIXED = st.lists(st.one_of(st.sampled_from(FRAGMENTS), ANY_TEXT.map(lambda t: t[:8])), max_size=40)
TEXTS = st.one_of(ANY_TEXT, CONTROL, WHITESPACE, DIGIT_RUN, MIXED.map("".join))


@cache
def _detector() -> Detector:
    return Detector()


@cache
def _replacers() -> tuple[RecordReplacer, ...]:
    """Placeholders (scan) and the policy's surrogates and date shifts (the deid stage)."""
    policy = load_policy()
    return (
        RecordReplacer(policy, b"", "", placeholders_only=True),
        RecordReplacer(policy, b"robustness-salt", "record-1"),
    )


def check_spans(text: str, spans: list[Span], language: str) -> None:
    """Sorted, non-overlapping, non-empty, in bounds; replacement keeps the rest as is."""
    end = 0
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
        assert span.start >= end
        end = span.end
    for replacer in _replacers():
        new, marks = replacer.apply_marked(text, spans, language)
        assert len(marks) == len(spans)
        cursor = kept = 0
        for span, (a, b, _) in zip(spans, marks, strict=True):
            assert new[kept:a] == text[cursor : span.start]
            cursor, kept = span.end, b
        assert new[kept:] == text[cursor:]


@pytest.mark.parametrize("language", LANGUAGES)
@SETTINGS
@given(text=TEXTS)
def test_detect_never_raises(language: str, text: str) -> None:
    check_spans(text, _detector().detect(text, language), language)


@SETTINGS
@given(texts=st.lists(TEXTS, max_size=6), languages=st.lists(st.sampled_from(LANGUAGES)))
def test_detect_many_never_raises(texts: list[str], languages: list[str]) -> None:
    langs = [languages[i % len(languages)] if languages else None for i in range(len(texts))]
    found = _detector().detect_many(texts, langs)
    assert len(found) == len(texts)
    for text, lang, spans in zip(texts, langs, found, strict=True):
        check_spans(text, spans, lang or "en")


@SETTINGS
@given(texts=st.lists(TEXTS, min_size=1, max_size=4), language=st.sampled_from((*LANGUAGES, None)))
def test_scan_texts_never_raises(texts: list[str], language: str | None) -> None:
    results = scan_texts(texts, [language] * len(texts))
    for text, result in zip(texts, results, strict=True):
        check_spans(text, result.spans, result.language)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "text",
    [
        " ",
        "\u3000\n\t",
        "lives in \n Boston",  # a cue whose look-back window is whitespace only
        " " * 60 + "Boston",
        "\n" * 50 + "Smith",
        "9" * 3000,
        "电话" + "1" * 2000 + "转4767",
        "邮箱\u200bzhang@x.com\u200f",
        "e\u0301" * 50 + "@x.com",
        "👩\u200d⚕️Dr. Smith 😀 13812345678",
    ],
)
def test_known_edge_cases(language: str, text: str) -> None:
    spans = _detector().detect(text, language)
    check_spans(text, spans, language)
    assert _detector().detect_many([text], [language]) == [spans]
