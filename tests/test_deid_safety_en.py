"""The English recall safety net and case normalization: exact spans per mechanism, in any case.

Presidio style: (text, [(start, end, label)]). Each mechanism is pinned with its look-alikes,
in mixed case, in capitals and in lowercase; none of the values below is in any gold set.
"""

from __future__ import annotations

import pytest

from curation.deid.casing import truecase
from curation.deid.engine import Detector
from curation.deid.recognizers import safety_en
from curation.deid.registry import Recognizer
from curation.deid.vocabulary import shorthand_or_typo, word_class

detector = Detector()


def _spans(text: str) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in detector.detect(text, "en")]


def _by(recognizer: Recognizer, text: str) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in recognizer.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a relative's name, in lowercase or capitals, with its surname
        ("soc: son torvik staying overnight.", [(9, 15, "NAME")]),
        ("DISCUSSED WITH DTR OSWINA BRELL AND HUSBAND.", [(19, 31, "NAME")]),
        ("wife, mirela, left phone number", [(6, 12, "NAME")]),
        ("daughter aware and at bedside.", []),
    ],
)
def test_relative_names(text: str, expected: list) -> None:
    assert _by(safety_en.RELATIVE_NAMES, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LYTES REPLETED PER R. QUENBY. WILL RECHECK", [(19, 28, "NAME")]),
        ("lines placed by t. arvandi this am", [(16, 26, "NAME")]),
        # SOAP labels at a line start, a genus and its species, shorthand after a period
        ("S. CONT IV NTG\nO. PLEASANT", []),
        ("culture grew S. aureus and E. coli", []),
        ("maps in 60's. integrellin at 2", []),
    ],
)
def test_initial_names(text: str, expected: list) -> None:
    assert _by(safety_en.InitialNameRecognizer(), text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HO DRAVEK NOTIFIED OF K 3.1", [(3, 9, "NAME")]),
        ("per flowsheet and per carevue", []),  # charting words are shorthand, not names
        ("md aware, team aware", []),
    ],
)
def test_role_names(text: str, expected: list) -> None:
    assert _by(safety_en.ROLE_NAMES, text) == expected


def test_reported_and_signature_names() -> None:
    assert _by(safety_en.ReportedNameRecognizer(), "bp low. ilsa quorne aware.") == [
        (8, 19, "NAME")
    ]
    assert _by(safety_en.SignatureNameRecognizer(), "will follow.\nmaren olsk, rn\n") == [
        (13, 23, "NAME")
    ]
    assert _by(safety_en.SignatureNameRecognizer(), "will follow.\ncontinue plan, rn\n") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PLAN: TRANSFER TO VELLANDER 2 WHEN BED AVAILABLE.", [(18, 27, "ADDRESS")]),
        ("pt transferred to floor then to the micu", []),
    ],
)
def test_moved_places(text: str, expected: list) -> None:
    assert _by(safety_en.MovedPlaceRecognizer(), text) == expected


def test_places_by_city_ward_facility_and_care_unit() -> None:
    assert _by(safety_en.PrepositionPlaceRecognizer(), "DAUGHTER FLYING IN FROM ROME") == [
        (24, 28, "ADDRESS")
    ]
    # a city before the thing it names is no place
    assert _by(safety_en.PrepositionPlaceRecognizer(), "per the Framingham Heart Study") == []
    assert _by(safety_en.WardRecognizer(), "code called on brantmoor 6 at 0455") == [
        (15, 24, "ADDRESS")
    ]
    assert _by(safety_en.WardRecognizer(), "a recent HgbA1c 7 and BRCA1 mutation") == []
    assert _by(safety_en.FacilityNameRecognizer(), "WAS AT ELKSTONE MEMORIAL FOR 3 DAYS") == [
        (7, 24, "ORGANIZATION")
    ]
    assert _by(safety_en.FacilityNameRecognizer(), "seen in an outpatient clinic") == []
    assert _by(safety_en.CareUnitHospitalRecognizer(), "taken to QVMC cath lab") == [
        (9, 13, "ORGANIZATION")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PMH: NQWMI 5/13, CABG 4/97.", [(11, 15, "DATE"), (22, 26, "DATE")]),
        ("strength 5/5, 2/6 murmur, 1/2 tab, pain 3/10, BP 120/80, in 3/10 cases", []),
        ("HIV-1/2 antibody assay", []),
    ],
)
def test_bare_dates(text: str, expected: list) -> None:
    assert _by(safety_en.BareDateRecognizer(), text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("birthday is tomorrow, may 16, 2015.", [(22, 34, "DATE")]),
        ("in march of 2022 pt was", [(3, 16, "DATE")]),
        ("the patient will march 5 miles and may take it", []),
    ],
)
def test_month_dates(text: str, expected: list) -> None:
    assert _by(safety_en.MonthDateRecognizer(), text) == expected


def test_loose_phones_and_pagers() -> None:
    text = "call dtr at 212- 476- 8356 or (617/555/0100) x45. PG 23456"
    assert _by(safety_en.LoosePhoneRecognizer(), text) == [
        (12, 26, "PHONE"),
        (30, 43, "PHONE"),
        (53, 58, "PHONE"),
    ]


def test_word_classes_and_shorthand() -> None:
    assert word_class("the") == "stop"
    assert word_class("CCU") == "clinical"
    assert word_class("flowsheet") == "clinical"
    assert word_class("gargleblaster") == "unknown"
    assert shorthand_or_typo("cont")  # continue, truncated
    assert shorthand_or_typo("nsr")  # no vowel
    assert shorthand_or_typo("recieved")  # one edit from a word
    assert not shorthand_or_typo("vellander")


def test_truecase_keeps_length_and_only_recases_capital_lines() -> None:
    text = "NOT NEEDED K, OR CA REPLACEMENT. BARBARA AWARE OF PLAN.\nDr. Smith saw K, CA 90210."
    cased = truecase(text)
    assert len(cased) == len(text)
    first, second = cased.split("\n")
    assert first.startswith("Not needed k, or ca replacement")  # shorthand goes lowercase too
    assert "Barbara aware" in first  # a known name that is no dictionary word (not MILLER)
    assert second == text.split("\n")[1]  # mixed-case lines are left alone
    # a short all-caps header keeps its case: 'Patient: DOE, JANE' is read by label rules
    assert truecase("Patient: DOE, JANE") == "Patient: DOE, JANE"
    # in a note typed all in capitals, short lines are re-cased too
    note = "PT RESTING. WIFE AT BEDSIDE ALL DAY AND UPDATED BY TEAM. " * 5 + "\nDAUGHTER CALLED."
    assert truecase(note).endswith("\nDaughter called.")


def test_capital_lines_no_longer_make_towns_of_abbreviations() -> None:
    """'K, CA' in a line of capitals was a town in California before case normalization."""
    text = "ELECTROLYTES REPLACED, K, CA, MAG. PT CONVERTED BACK TO SR."
    assert _spans(text) == []


def test_the_net_in_the_detector_in_capitals() -> None:
    text = "72 YO MAN. DTR VESNA KORRIGAN AWARE. TRANSFER TO BRANTMOOR 2 TODAY. F/U 7/24."
    found = _spans(text)
    masked = " | ".join(text[a:b] for a, b, _ in found)
    assert all(value in masked for value in ("VESNA KORRIGAN", "BRANTMOOR", "7/24"))
    assert not any(word in masked for word in ("TRANSFER", "TODAY", "AWARE"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("liquid.no", False),  # 'liquid. No stool': a full stop without its space
        ("secretions.pt", False),
        ("20mcgkgmin.pt", False),
        ("example.de", True),
        ("bbc.co.uk", True),
        ("clinic.org", True),
        ("startup.io", True),
    ],
)
def test_domains_without_the_space_after_a_full_stop(value: str, expected: bool) -> None:
    from curation.deid.validators import domain_ok

    assert domain_ok(value) is expected


def test_institutions_of_wards_after_sentences_and_hospital_initials() -> None:
    moved = safety_en.MovedPlaceRecognizer()
    text = "PT ADMITTED FROM UNIVERSITY OF BRANTMOOR MEDICAL YESTERDAY"
    assert _by(moved, text) == [(17, 40, "ORGANIZATION")]
    assert _by(moved, "transferred to 209 brantmoor. ") == [(19, 28, "ADDRESS")]
    ward = safety_en.WardRecognizer()
    assert _by(ward, "ASYSTOLIC ON BRANTMOOR 6. CODE") == [(13, 22, "ADDRESS")]
    assert _by(ward, "placed on fio2 60% and BRCA1") == []
    # two capitals found in a place position are masked wherever they recur in the note
    from curation.deid import scan_texts

    text = "Pt transferred to QH for cath.\nBlood cx at QH pending."
    assert [text[s.start : s.end] for s in scan_texts([text], ["en"])[0].spans] == ["QH", "QH"]
    text = "Pt transferred to floor.\nBlood cx at PT pending."  # clinical shorthand stays
    assert scan_texts([text], ["en"])[0].spans == []
