"""Mechanisms measured on real nursing notes: exact spans, with the look-alikes each must spare.

Presidio style: (text, [(start, end, label)]) through the whole detector. None of the names,
places or dates below is in any gold set; each case stands for a mechanism, not a string.
"""

from __future__ import annotations

import pytest

from curation.deid.dates import shift_span
from curation.deid.engine import Detector
from curation.deid.recognizers.safety_en import clinical_ratio, ventilator_setting
from curation.deid.validators import domain_ok
from curation.deid.vocabulary import leading_honorific, medical_acronyms, word_class

detector = Detector()


def _spans(text: str) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in detector.detect(text, "en")]


def _masked(text: str) -> list[str]:
    return [text[s.start : s.end] for s in detector.detect(text, "en")]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Seen by Dr. Okonkwo-Baptiste today.", "Okonkwo-Baptiste"),
        ("PLAN DISCUSSED WITH DR VELLACOTT AND FAMILY", "VELLACOTT"),
        ("called mrs. pennimore about the plan", "pennimore"),
        ("Reviewed with Prof. Ilse Marquardt.", "Ilse Marquardt"),
    ],
)
def test_a_name_span_starts_after_its_title(text: str, name: str) -> None:
    """A title is no identifier: the span holds the name, and the title stays readable."""
    masked = _masked(text)
    assert name in masked
    assert not any(m.lower().startswith(("dr", "mrs", "prof")) for m in masked)


def test_leading_honorific_needs_a_name_after_it() -> None:
    assert leading_honorific("Dr. Smith") == 4
    assert leading_honorific("DR SMITH") == 3
    assert leading_honorific("Dr. ") == 0  # a title alone is not trimmed to nothing
    assert leading_honorific("Drake") == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("also intubated 6/30-7/2 for CHF, extubated 7/2.", ["6/30-7/2", "7/2"]),
        ("cultures from 10/15 - 10/16 pending", ["10/15 - 10/16"]),
    ],
)
def test_a_date_range_is_one_span(text: str, expected: list[str]) -> None:
    assert _masked(text) == expected


def test_a_range_is_shifted_on_both_sides() -> None:
    assert shift_span("6/30-7/2", 10) == "7/10-7/12"
    assert shift_span("6/30-banana", 10) is None  # not a date: the caller writes a placeholder


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PMH: CABGx4 '79, GERD, HTN", ["'79"]),
        ("s/p PTCA ’09 and stent", ["’09"]),
        ("music of the '80s", []),
        ("a 'quoted' '10' value", []),
    ],
)
def test_a_year_with_an_apostrophe(text: str, expected: list[str]) -> None:
    assert _masked(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Blasts on diff at QMH, concern for malignancy.", ["QMH"]),
        ("She knows she is in WRH and it is October.", ["WRH"]),
        # a medical acronym, a rhythm, a roman numeral, or a note in capitals: silent
        ("Remains in NSR with rare PVCs.", []),
        ("Infarct in MCA territory on CT.", []),
        ("Weakness of cranial nerve in XII noted.", []),
        ("PT REMAINS IN NSR WITH RARE PVCS AND THE FAMILY IS AWARE OF THE PLAN", []),
    ],
)
def test_an_unexplained_acronym_where_a_place_stands(text: str, expected: list[str]) -> None:
    assert [m for m in _masked(text) if m.isupper()] == expected


def test_medical_acronyms_come_from_a_shipped_list_and_spare_names() -> None:
    acronyms = medical_acronyms()
    assert {"CSF", "UPJ", "BKA"} <= acronyms
    assert "SARA" not in acronyms and "TED" not in acronyms  # names stay names
    assert word_class("CSF") == "clinical" and word_class("csf") != "clinical"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT WENT TO GOOD SAMARITAN WITH FEVER OF 103", ["GOOD SAMARITAN"]),
        ("plan: transfer back to holy family for rehab", ["holy family"]),
        ("FAMILY REPORTS THAT AT FENWICK MEMORIAL, HER SKIN BECAME RED", ["FENWICK MEMORIAL"]),
        ("confused and taken to memorial hospital. there he was seen", ["memorial"]),
        ("a memorial service was held on memorial day", []),
    ],
)
def test_hospitals_named_with_everyday_words(text: str, expected: list[str]) -> None:
    masked = _masked(text)
    assert all(any(e in m for m in masked) for e in expected), masked
    assert expected or masked == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plan: transfer to Brackenridge 3 when bed available", ["Brackenridge"]),
        ("c/o to brackenridge if stable", ["brackenridge"]),
        ("PT NEEDS C/O PAIN MEDS", []),
    ],
)
def test_a_ward_is_masked_without_its_floor(text: str, expected: list[str]) -> None:
    assert _masked(text) == expected


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("pain rated 5/10 with movement", "5/10"),
        ("6/10 cp after riding a bike", "6/10"),
        ("give 1/2 amp D50", "1/2"),
        ("d5 1/2ns at 125", "1/2"),
        ("crackles 1/4 up bilaterally", "1/4"),
        ("SIMV/PS, 500X10, 40%, & 5/8. ABG pending", "5/8"),
        ("pos blood cx 2/4, recx today", "2/4"),
        ("perrla 3/3 brisk", "3/3"),
    ],
)
def test_clinical_ratios_are_no_dates(text: str, start: str) -> None:
    at = text.index(start)
    assert clinical_ratio(text, at, at + len(start))
    assert start not in _masked(text)


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("pt. c/o SSCP 3/2 ~ 2430, EKG done", "3/2"),
        ("placed on BIPAP since 10/8, tolerating", "10/8"),
        ("vent and extubate 3/11 if stable", "3/11"),
        ("She had G- BM 4/10. She has poor appetite", "4/10"),
        ("admitted on 1/2 with sob", "1/2"),
    ],
)
def test_dates_beside_clinical_words_stay_dates(text: str, date: str) -> None:
    assert date in _masked(text)


def test_ventilator_settings_are_no_dates() -> None:
    for text in (
        "on CPAP 5/10/35% overnight",
        "Pt on BIPAP 10/5/12 bpm",
        "presnt settings 12/5/40%",
    ):
        value = next(w for w in text.split() if w.count("/") == 2).rstrip("%")
        at = text.index(value)
        assert ventilator_setting(text, at, at + len(value)), text
        assert _masked(text) == [], text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Review of Systems: negative", []),
        ("HOSPITAL COURSE: uneventful", []),
        ("O: Pt seen to address goals set at re-evaluation on 7/23\nLabs: 15.6>29.1", ["7/23"]),
        ("GU: foley. pca inc to 2mg; midline chest inc - drsg intact", []),
    ],
)
def test_headings_verbs_and_incisions_are_no_places(text: str, expected: list[str]) -> None:
    assert _masked(text) == expected


def test_the_address_cue_still_reads_an_address() -> None:
    text = "Her address is 4482 Quillan Road, Tarrow."
    assert any("4482 Quillan Road" in m for m in _masked(text))


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("liquid.no", False),  # a word, then 'no' after a missing space
        ("infarct.med", False),
        ("78.3.no", False),
        ("quillanhealth.no", True),
        ("example.org", True),
    ],
)
def test_two_words_without_a_space_are_no_domain(value: str, ok: bool) -> None:
    assert domain_ok(value) is ok


@pytest.mark.parametrize(
    "text",
    ["Admitted to CSRU after CABG x 4 today.", "ST elevations on EKG @ OSH. Transferred."],
)
def test_units_of_care_in_capitals_are_no_facility(text: str) -> None:
    assert _masked(text) == []


def _zh(text: str) -> list[str]:
    return [text[s.start : s.end] for s in detector.detect(text, "zh")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # thanks before a titled name: the name is what follows the courtesy word
        ("民眾：好的，謝謝林醫師。", ["林"]),
        ("谢谢王医生的帮助", ["王"]),
        ("感谢李主任", ["李"]),
        ("多謝張護士", ["張"]),
        ("谢谢医生", []),
        ("患者谢晓峰主任会诊", ["谢晓峰"]),  # 谢 as a surname still opens a name
    ],
)
def test_zh_courtesy_before_a_title_is_no_name(text: str, expected: list[str]) -> None:
    assert _zh(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("民眾：對，然後我之前在新竹的科學園區工作。", ["新竹"]),
        ("我在新竹的园区上班", ["新竹"]),
        ("住在北京市朝阳区和平里街道3号楼", ["北京市朝阳区和平里街道3号楼"]),
        ("他住在向陽路12號", ["向陽路12號"]),
    ],
)
def test_zh_a_place_name_never_runs_across_a_particle(text: str, expected: list[str]) -> None:
    assert _zh(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("家屬：我是她姐姐，叫我淑芬就好。", ["淑芬"]),
        ("我叫淑芬", ["淑芬"]),
        ("医生叫我去做检查", []),
        ("他叫我明天再来", []),
    ],
)
def test_zh_a_given_name_after_a_naming_cue(text: str, expected: list[str]) -> None:
    assert _zh(text) == expected
