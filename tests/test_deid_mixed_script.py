"""A record in one language holds identifiers written in the other: the other language's
recognizers read the runs of its script (Latin in Chinese records, Han in English ones)."""

from __future__ import annotations

import pytest

from curation.deid import scan_texts


def _found(text: str, language: str) -> list[tuple[str, str]]:
    (result,) = scan_texts([text], [language])
    return [(s.label, text[s.start : s.end]) for s in result.spans]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "患者John Smith，男，45岁，住在Boston, MA 02115，邮箱john@x.com。",
            "zh",
            [("NAME", "John Smith"), ("ADDRESS", "Boston, MA 02115"), ("CONTACT", "john@x.com")],
        ),
        (
            "Patient 张伟 was seen at 北京协和医院 on 2023年3月5日.",
            "en",
            [("NAME", "张伟"), ("ORGANIZATION", "北京协和医院"), ("DATE", "2023年3月5日")],
        ),
        (
            "Family from Brookline; 家属王芳陪同。",
            "en",
            [("ADDRESS", "Brookline"), ("NAME", "王芳")],
        ),
        # eponyms and units written in Latin inside Chinese medical text stay
        ("查体：Murphy征阳性，Babinski征阴性，Crohn病史。", "zh", []),
        ("CEA 5.2 ng/ml，HbA1c 7.5%，服用Aspirin 100mg，IU/ml。", "zh", []),
    ],
)
def test_identifiers_in_the_other_script(text: str, language: str, expected: list) -> None:
    assert _found(text, language) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # a name standing alone in the other script: no cue needed
        ("A. 端木沐辰", "en", [("NAME", "端木沐辰")]),
        ("欧阳霁川 was seen today", "en", [("NAME", "欧阳霁川")]),
        ("患者Crispin Quillfeather，男，52岁。", "zh", [("NAME", "Crispin Quillfeather")]),
        ("Barnaby Fairweather医生建议做CT。", "zh", [("NAME", "Barnaby Fairweather")]),
        # words, terms and scales stay
        ("the term 高血压 means hypertension", "en", []),
        ("GCS评分采用Glasgow Coma Scale。", "zh", []),
        # a double surname after a given name is a person, not a firm
        (
            "Patient Peregrine Okonkwo-Brandt was admitted.",
            "en",
            [("NAME", "Peregrine Okonkwo-Brandt")],
        ),
    ],
)
def test_a_name_standing_alone_in_the_other_script(
    text: str, language: str, expected: list
) -> None:
    assert _found(text, language) == expected
