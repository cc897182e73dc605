"""Latin and digit values right next to Chinese characters (Han is \\w to Python's regex):
spans pinned, and every batch trigger still a necessary condition of its pattern."""

from __future__ import annotations

import polars as pl
import pytest

from curation.deid.engine import Detector
from curation.deid.recognizers import contact, dates, ids, organizations, phones, places
from curation.deid.registry import SAFE

# the modules whose value edges and triggers were audited (contact, phones, ids, dates) and
# those whose triggers the corpora showed too narrow (places, organizations)
AUDITED = [
    *contact.RECOGNIZERS,
    *phones.RECOGNIZERS,
    *ids.RECOGNIZERS,
    *dates.RECOGNIZERS,
    *places.RECOGNIZERS,
    *organizations.RECOGNIZERS,
]

detector = Detector()

CASES = [
    # emails, URLs, domains glued to Chinese text
    ("邮箱abc@x.com", "zh", [(2, 11, "CONTACT")]),
    ("邮箱zhang.wei@example.com", "zh", [(2, 23, "CONTACT")]),
    ("请发邮件至zhang.wei@example.com谢谢", "zh", [(5, 26, "CONTACT")]),
    ("邮箱：abc@x.com。", "zh", [(3, 12, "CONTACT")]),
    ("网址www.example.com请访问", "zh", [(2, 17, "CONTACT")]),
    ("访问example.com了解", "zh", [(2, 13, "CONTACT")]),
    # phones and their extensions
    ("电话13812345678转4767", "zh", [(2, 18, "PHONE")]),
    ("电话13812345678分机4767", "zh", [(2, 19, "PHONE")]),
    ("电话010-62345678转4767", "zh", [(2, 19, "PHONE")]),
    ("电话+86 138 1234 5678转123", "zh", [(2, 23, "PHONE")]),
    ("分机号：4767", "zh", [(4, 8, "PHONE")]),
    ("电话ext. 4767", "zh", [(7, 11, "PHONE")]),
    ("联系617-555-0100", "zh", [(2, 14, "PHONE")]),
    ("Phone: 617-555-0100 ext. 4767", "en", [(7, 29, "PHONE")]),
    ("Phone ext. 4767", "en", [(11, 15, "PHONE")]),
    ("Pager 37102.", "en", [(6, 11, "PHONE")]),  # a sentence's period ends the number
    ("pager number 37102", "en", [(13, 18, "PHONE")]),
    # identifiers after a label glued to Chinese text
    ("患者MRN: 12345678", "zh", [(7, 15, "ID")]),
    ("账户GB82WEST12345698765432转账", "zh", [(2, 24, "ID")]),
    # dates written the English way inside Chinese text
    ("入院日期March 15, 2023", "zh", [(4, 18, "DATE")]),
    ("随访17-Feb-2023复查", "zh", [(2, 13, "DATE")]),
    # what must stay unmasked
    ("高度每升高100m气温下降", "zh", []),  # meters, not a 100-year-old man
    ("ext. 4767.5 mg", "en", []),
]


@pytest.mark.parametrize(("text", "lang", "expected"), CASES)
def test_spans_next_to_chinese(text: str, lang: str, expected: list) -> None:
    found = detector.detect(text, lang)
    assert [(s.start, s.end, s.label) for s in found] == expected
    assert detector.detect_many([text], [lang]) == [found]  # the batch path: same spans


def test_triggers_are_necessary() -> None:
    """A recognizer that finds a value in a text must have its trigger match that text."""
    texts = [text for text, _, _ in CASES] + [
        "PT ADMITTED TO OSH 8/2 WITH C/O CHEST PAIN",  # a date cue words away from the date
        "admitted to LA County Hospital",
        "The bus drops you off at 07576 Magasinsgatan 7 St.",
        "recent admission to St. John's Hospital on October 1",
        "beeper #4-1234, extension 12-345",
        "Christmas前后, New  Year's Day",
    ]
    frame = pl.DataFrame({"text": texts})
    for recognizer in AUDITED:
        trigger = getattr(recognizer, "trigger", None)
        if recognizer.category == SAFE or not trigger:
            continue
        matched = frame.select(pl.col("text").str.contains(trigger))["text"].to_list()
        for text, ok in zip(texts, matched, strict=True):
            if not ok:
                assert not list(recognizer.find(text)), (recognizer.name, text)
