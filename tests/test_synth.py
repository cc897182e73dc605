"""Tests for the synthetic sample generator (curation.synth)."""

from __future__ import annotations

import csv
import io
import json
import random
import re
from collections import Counter
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from curation.synth import (
    COLUMNS,
    FILES,
    SOURCES,
    Span,
    SynthRecord,
    TextBuilder,
    generate_all,
    iter_source,
    phi,
)
from curation.synth import medical as med

LABELS = {"NAME", "DATE", "AGE", "PHONE", "CONTACT", "ID", "ADDRESS", "ORGANIZATION"}
EXPECTED_ROWS = {
    "exam_zh": 1200,
    "records_zh": 400,
    "dialogues_zh": 600,
    "notes_en": 400,
    "exam_en": 300,
}
EXPECTED_BROKEN = {
    "exam_zh": {
        "missing_question": 3,
        "answer_not_in_options": 3,
        "unparseable_options": 3,
        "missing_answer": 3,
    },
    "records_zh": {"invalid_encoding": 2, "empty_text": 2},
    "dialogues_zh": {"empty_text": 3, "unparseable_dialogue": 2},
    "notes_en": {"empty_text": 2},
    "exam_en": {"answer_not_in_options": 2, "missing_question": 1},
}
ID18 = re.compile(r"^\d{17}[\dX]$")


@pytest.fixture(scope="module")
def records() -> dict[str, list[SynthRecord]]:
    return {name: list(iter_source(name)) for name in SOURCES}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate_all(tmp_path_factory.mktemp("synth"))


def _mod11_2_ok(value: str) -> bool:
    """Independent GB 11643-1999 check (ISO 7064 MOD 11-2)."""
    total = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(value[:17]))
    return "10X98765432"[total % 11] == value[17]


def _answer_texts(rec: SynthRecord) -> set[str]:
    """Option texts the answer letters point at."""
    o = rec.fields["options"] or ""
    parts = o.split("\\n" if "\\n" in o else "\n")
    return {parts["ABCDE".index(a)][2:] for a in rec.fields["answer"] or ""}


def test_text_builder_records_exact_spans() -> None:
    b = TextBuilder().add("患者").phi("张三", "NAME").add("，电话").phi("13812345678", "PHONE")
    text, spans = b.build()
    assert text == "患者张三，电话13812345678"
    assert spans == [Span(2, 4, "NAME"), Span(7, 18, "PHONE")]
    with pytest.raises(ValueError):
        TextBuilder().phi(" padded", "NAME")
    with pytest.raises(ValueError):
        TextBuilder().phi("x", "SECRET")


def test_generate_all_is_byte_deterministic(tmp_path: Path) -> None:
    first = generate_all(tmp_path / "a")
    second = generate_all(tmp_path / "b")
    assert tuple(first) == SOURCES
    for name in SOURCES:
        assert first[name] == tmp_path / "a" / FILES[name]
        assert first[name].read_bytes() == second[name].read_bytes(), name


def test_other_seed_gives_other_data(tmp_path: Path) -> None:
    a = next(iter(iter_source("notes_en", seed=1))).fields["note"]
    b = next(iter(iter_source("notes_en", seed=2))).fields["note"]
    assert a != b
    with pytest.raises(KeyError):
        iter_source("nope")


def test_row_and_broken_counts(records: dict[str, list[SynthRecord]]) -> None:
    for name in SOURCES:
        recs = records[name]
        assert len(recs) == EXPECTED_ROWS[name], name
        broken = Counter(r.broken for r in recs if r.broken)
        assert dict(broken) == EXPECTED_BROKEN[name], name
        for r in recs:
            assert tuple(r.fields) == COLUMNS[name]


def test_every_span_slices_to_a_clean_phi_value(records: dict[str, list[SynthRecord]]) -> None:
    n = 0
    for name in SOURCES:
        for r in records[name]:
            for col, spans in r.spans.items():
                text = r.fields[col]
                if not spans:
                    continue
                assert isinstance(text, str)
                prev_end = 0
                for s in spans:
                    value = text[s.start : s.end]
                    assert value, (name, s)
                    assert value == value.strip(), (name, value)
                    assert s.label in LABELS
                    assert s.start >= prev_end, "spans overlap or are out of order"
                    prev_end = s.end
                    n += 1
    assert n > 5000


def test_phi_sources_have_every_label(records: dict[str, list[SynthRecord]]) -> None:
    for name in ("records_zh", "dialogues_zh", "notes_en"):
        labels = {s.label for r in records[name] for sp in r.spans.values() for s in sp}
        assert labels == LABELS, name
    for name in ("exam_zh", "exam_en"):
        assert not any(sp for r in records[name] for sp in r.spans.values())


def test_age_spans_are_over_89(records: dict[str, list[SynthRecord]]) -> None:
    for name in ("records_zh", "dialogues_zh", "notes_en"):
        for r in records[name]:
            for col, spans in r.spans.items():
                text = r.fields[col] or ""
                for s in spans:
                    if s.label == "AGE":
                        assert int(re.match(r"\d+", text[s.start : s.end]).group()) > 89


def test_resident_ids_pass_mod11_2(records: dict[str, list[SynthRecord]]) -> None:
    ids = [
        (r.fields[col] or "")[s.start : s.end]
        for name in ("records_zh", "dialogues_zh")
        for r in records[name]
        for col, spans in r.spans.items()
        for s in spans
        if s.label == "ID"
    ]
    resident = [v for v in ids if ID18.match(v)]
    assert len(resident) > 100
    assert all(_mod11_2_ok(v) and phi.is_valid_resident_id(v) for v in resident)
    rng = random.Random(7)
    drawn = [phi.zh_resident_id(rng) for _ in range(2000)]
    assert all(_mod11_2_ok(v) for v in drawn)
    assert any(v.endswith("X") for v in drawn)
    assert not phi.is_valid_resident_id(drawn[0][:17] + ("0" if drawn[0][17] != "0" else "1"))


def test_phone_prefixes_and_formats(records: dict[str, list[SynthRecord]]) -> None:
    phones = [
        (r.fields[col] or "")[s.start : s.end]
        for name in ("records_zh", "dialogues_zh")
        for r in records[name]
        for col, spans in r.spans.items()
        for s in spans
        if s.label == "PHONE"
    ]
    mobiles = [re.sub(r"^\+86|[\s-]", "", p) for p in phones if not p.startswith(("0", "("))]
    prefixes = {m[:2] for m in mobiles if len(m) == 11}
    assert {"16", "17", "19"} <= prefixes
    rng = random.Random(3)
    drawn = [phi.zh_mobile(rng) for _ in range(3000)]
    digits = [re.sub(r"^\+86|[\s-]", "", p) for p in drawn]
    assert all(len(d) == 11 and d[0] == "1" for d in digits)
    assert {d[:2] for d in digits} == {"13", "14", "15", "16", "17", "18", "19"}
    assert any(re.fullmatch(r"1\d{10}", p) for p in drawn)
    assert any(re.fullmatch(r"1\d\d-\d{4}-\d{4}", p) for p in drawn)
    assert any(re.fullmatch(r"1\d\d \d{4} \d{4}", p) for p in drawn)
    assert any(re.fullmatch(r"\+86 1\d\d \d{4} \d{4}", p) for p in drawn)
    assert any(re.fullmatch(r"\+86-1\d{10}", p) for p in drawn)
    lands = [phi.zh_landline(rng) for _ in range(500)]
    assert any(re.fullmatch(r"0\d\d-\d{8}", x) for x in lands)
    assert any(re.fullmatch(r"\(0\d{3}\)\d{7,8}", x) for x in lands)
    assert any(re.fullmatch(r"0\d{3}-\d{7}", x) for x in lands)


def test_date_formats_are_varied() -> None:
    rng = random.Random(0)
    d = date(2023, 3, 15)
    zh = {phi.zh_date(rng, d, style) for style in phi.ZH_DATE_STYLES}
    assert {"2023年3月15日", "2023-03-15", "2023/3/15", "3月15日", "二〇二三年三月十五日"} <= zh
    assert {"二〇二三年三月", "2023.03.15"} <= zh
    en = {phi.en_date(rng, d, style) for style in phi.EN_DATE_STYLES}
    assert {"03/15/2023", "3/15/23", "March 15, 2023", "15 Mar 2023", "2023-03-15", "Mar 15"} <= en


def test_gb18030_errors_only_in_marked_rows(
    generated: dict[str, Path], records: dict[str, list[SynthRecord]]
) -> None:
    raw = generated["records_zh"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("gb18030")
    text = raw.decode("gb18030", errors="surrogateescape")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == list(COLUMNS["records_zh"])
    failing = set()
    for row in rows[1:]:
        row_bytes = ",".join(row).encode("gb18030", errors="surrogateescape")
        try:
            row_bytes.decode("gb18030")
        except UnicodeDecodeError:
            failing.add(row[0])
    marked = {
        r.fields["record_id"] for r in records["records_zh"] if r.broken == "invalid_encoding"
    }
    assert failing == marked and len(marked) == 2
    by_id = {r.fields["record_id"]: r for r in records["records_zh"]}
    assert len(rows) - 1 == 400
    for row in rows[1:]:
        assert row == [by_id[row[0]].fields[c] for c in COLUMNS["records_zh"]]


def test_files_round_trip_to_records(
    generated: dict[str, Path], records: dict[str, list[SynthRecord]]
) -> None:
    with generated["exam_zh"].open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [dict(r) for r in rows] == [r.fields for r in records["exam_zh"]]
    lines = generated["dialogues_zh"].read_text(encoding="utf-8").splitlines()
    assert [json.loads(x) for x in lines] == [r.fields for r in records["dialogues_zh"]]
    df = pl.read_parquet(generated["exam_en"])
    assert df.columns == list(COLUMNS["exam_en"])
    assert df.to_dicts() == [r.fields for r in records["exam_en"]]


def test_xlsx_readable_with_polars(
    generated: dict[str, Path], records: dict[str, list[SynthRecord]]
) -> None:
    df = pl.read_excel(generated["notes_en"], sheet_name="notes")
    assert df.columns == list(COLUMNS["notes_en"])
    assert df.height == 400
    assert df["note"].null_count() == 2
    assert df.to_dicts() == [r.fields for r in records["notes_en"]]


def test_exam_zh_shape_and_duplicates(records: dict[str, list[SynthRecord]]) -> None:
    recs = records["exam_zh"]
    by_qid = {r.fields["qid"]: r for r in recs}
    assert list(by_qid)[:2] == ["ZH-Q00001", "ZH-Q00002"]
    literal = 0
    multi = 0
    for r in recs:
        opts = r.fields["options"] or ""
        if r.broken == "unparseable_options":
            assert not re.match(r"^A ", opts)
            continue
        sep = "\\n" if "\\n" in opts else "\n"
        literal += sep == "\\n"
        parts = opts.split(sep)
        assert len(parts) in (4, 5)
        assert [p[:2] for p in parts] == [f"{c} " for c in "ABCDE"[: len(parts)]]
        ans = r.fields["answer"] or ""
        if r.broken == "answer_not_in_options":
            assert ans == "ABCDEF"[len(parts)]
        elif r.broken == "missing_answer":
            assert ans == ""
        else:
            assert ans and set(ans) <= set("ABCDE"[: len(parts)])
            multi += len(ans) > 1
        if r.broken == "missing_question":
            assert r.fields["question"] == ""
    assert 0.04 < literal / len(recs) < 0.13
    assert 0.02 < multi / len(recs) < 0.09
    dups = [r for r in recs if r.duplicate_of]
    assert len(dups) == 15
    exact = 0
    for r in dups:
        orig = by_qid[r.duplicate_of]
        assert orig.duplicate_of is None and orig.broken is None and r.broken is None
        assert int(orig.fields["qid"][4:]) < int(r.fields["qid"][4:])
        same = {k: v for k, v in r.fields.items() if k != "qid"} == {
            k: v for k, v in orig.fields.items() if k != "qid"
        }
        exact += same
        if not same:  # near duplicate: the answer still points at the same option texts
            assert _answer_texts(r) == _answer_texts(orig)
    assert exact == 5
    stems = Counter(r.fields["question"] for r in recs if not r.duplicate_of and not r.broken)
    assert stems.most_common(1)[0][1] == 1  # no accidental duplicates besides the planted ones


def test_exam_en_shape(records: dict[str, list[SynthRecord]]) -> None:
    recs = records["exam_en"]
    four = sum(r.fields["E"] is None for r in recs)
    assert 0 < four < len(recs)
    for r in recs:
        if r.broken is None:
            letters = "ABCDE" if r.fields["E"] is not None else "ABCD"
            assert r.fields["answer"] in letters
            assert r.fields["stem"]


def test_dialogues_have_turn_markers(records: dict[str, list[SynthRecord]]) -> None:
    with_phi = 0
    for r in records["dialogues_zh"]:
        text = r.fields["dialogue"] or ""
        with_phi += bool(r.spans["dialogue"])
        if r.broken == "empty_text":
            assert text == ""
            continue
        lines = text.split("\n")
        marked = [re.match(r"^(患者|医生|病人|家属)：", x) for x in lines]
        if r.broken == "unparseable_dialogue":
            assert text and not any(marked)
        else:
            assert all(marked) and 3 <= len(lines) <= 10
    assert 0.3 < with_phi / len(records["dialogues_zh"]) < 0.5


def test_eponyms_and_lab_values_are_present_but_not_phi(
    records: dict[str, list[SynthRecord]],
) -> None:
    for name, terms in (
        ("records_zh", [*med.EPONYMS_ZH[:6], "×10^9/L", "mmHg"]),
        ("notes_en", ["Parkinson's disease", "Graves' disease", "Bell's palsy", "x10^9/L"]),
    ):
        col = COLUMNS[name][-1]
        seen = Counter()
        for r in records[name]:
            text = r.fields[col] or ""
            for term in terms:
                for m in re.finditer(re.escape(term), text):
                    seen[term] += 1
                    for s in r.spans[col]:
                        assert s.end <= m.start() or s.start >= m.end(), (term, r.fields)
        assert set(seen) == set(terms), (name, seen)


def test_specialty_vocabulary() -> None:
    assert len(med.SPECIALTIES) >= 12
    for sp in med.SPECIALTIES:
        assert len(sp.diseases) >= 5
        for d in sp.diseases:
            assert re.fullmatch(r"[A-Z]\d\d(\.\d+)?", d.icd), d.icd
    names = {d.zh for d in med.ALL_DISEASES} | {d.en for d in med.ALL_DISEASES}
    for term in med.EPONYMS_ZH[:6]:
        assert term in names
    for term in ("Parkinson's disease", "Graves' disease", "Crohn's disease", "Bell's palsy"):
        assert term in names
