"""De-identification benchmark harness: metrics, gold loaders and helpers on hand-made data.

Needs neither ../shared/corpora nor Presidio nor the de-identifier: spans come from hand
lists and a tiny stand-in regex scanner defined here.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import deid_gold
import deid_metrics
import deid_speed
from deid_gold import GoldDoc, GoldEntity

# "Pt John  Smith seen 2021-03-04 at Mercy Hospital."
#  0  3   7 9   14   20        30    34            48
TEXT = "Pt John  Smith seen 2021-03-04 at Mercy Hospital."


def ent(text: str, value: str, label: str | None, source: str | None = None) -> GoldEntity:
    """A gold entity located by its (unique) value."""
    start = text.index(value)
    return GoldEntity(start, start + len(value), label, source or (label or "OTHER"))


def main_doc() -> GoldDoc:
    """One doc with a NAME (double space inside), a DATE, a location, and an excluded title."""
    return GoldDoc(
        "d1",
        TEXT,
        "en",
        [
            ent(TEXT, "Pt", None, "TITLE"),
            ent(TEXT, "John  Smith", "NAME"),
            ent(TEXT, "2021-03-04", "DATE"),
            ent(TEXT, "Mercy Hospital", "ADDRESS", "GEOGRAPHIC_LOCATION"),
        ],
    )


MAIN_PREDS = [
    (0, 2, "NAME"),  # over the policy-excluded "Pt": a true positive, not a false alarm
    (3, 7, "NAME"),  # "John"
    (9, 14, "NAME"),  # "Smith": together with "John" covers the name (gap is whitespace)
    (20, 27, "DATE"),  # "2021-03": partial -> the DATE is missed; "-04" leaks
    (15, 19, "DATE"),  # "seen": overlaps no gold -> false positive
    (34, 48, "ORGANIZATION"),  # the location, under another label
]


def test_entity_recall_any_label_whitespace_and_partial() -> None:
    res = deid_metrics.evaluate([main_doc()], [MAIN_PREDS])
    cats = res["categories"]
    assert cats["NAME"]["gold_n"] == 1 and cats["NAME"]["caught"] == 1
    assert cats["DATE"]["caught"] == 0  # partial coverage is a miss
    assert cats["ADDRESS"]["caught"] == 1  # any label catches it
    overall = res["overall"]
    assert overall["gold_n"] == 3  # the excluded "Pt" is not scored
    assert overall["recall"] == pytest.approx(2 / 3)
    assert res["excluded_entities"] == 1
    assert res["n_missed"] == 1
    (miss,) = res["missed"]
    assert miss["value"] == "2021-03-04" and miss["covered_chars"] == 7
    assert miss["context"] == "Pt John  Smith seen [[2021-03-04]] at Mercy Hospital."


def test_typed_recall_and_alternatives() -> None:
    plain = deid_metrics.evaluate([main_doc()], [MAIN_PREDS])
    assert plain["overall"]["recall_typed"] == pytest.approx(1 / 3)  # only NAME
    assert plain["categories"]["ADDRESS"]["recall_typed"] == 0.0
    alt = deid_metrics.evaluate(
        [main_doc()], [MAIN_PREDS], typed_alternatives=deid_gold.TYPED_ALTERNATIVES
    )
    assert alt["categories"]["ADDRESS"]["recall_typed"] == 1.0
    assert alt["overall"]["recall_typed"] == pytest.approx(2 / 3)


def test_overlap_precision_and_f1() -> None:
    res = deid_metrics.evaluate([main_doc()], [MAIN_PREDS])
    cats = res["categories"]
    assert (res["overall"]["pred_n"], res["overall"]["pred_tp"]) == (6, 5)
    assert res["overall"]["precision"] == pytest.approx(5 / 6)
    assert cats["NAME"]["precision"] == 1.0  # 3/3, one over the excluded title
    assert cats["DATE"]["precision"] == 0.5  # partial overlap counts, "seen" does not
    assert cats["ORGANIZATION"]["precision"] == 1.0
    assert cats["ORGANIZATION"]["gold_n"] == 0 and cats["ORGANIZATION"]["recall"] is None
    assert res["overall"]["f1"] == pytest.approx(20 / 27)
    assert cats["NAME"]["f1"] == 1.0
    assert cats["DATE"]["f1"] == 0.0


def test_leak_rate_counts_non_whitespace_characters() -> None:
    res = deid_metrics.evaluate([main_doc()], [MAIN_PREDS])
    # PHI chars: "JohnSmith" 9 + "2021-03-04" 10 + "MercyHospital" 13 = 32; "-04" leaks.
    assert res["overall"]["phi_chars"] == 32
    assert res["overall"]["leaked_chars"] == 3
    assert res["overall"]["leak_rate"] == pytest.approx(3 / 32)
    assert res["categories"]["DATE"]["leak_rate"] == pytest.approx(0.3)
    assert res["categories"]["NAME"]["leak_rate"] == 0.0


def test_no_predictions_leak_everything() -> None:
    res = deid_metrics.evaluate([main_doc()], [[]])
    assert res["overall"]["recall"] == 0.0
    assert res["overall"]["leak_rate"] == 1.0
    assert res["overall"]["precision"] is None and res["overall"]["f1"] is None


def test_partial_name_is_a_miss_and_overlapping_gold_chars_count_once() -> None:
    text = "Dr Wang Xiaoming"
    doc = GoldDoc(
        "d", text, "en", [ent(text, "Wang Xiaoming", "NAME"), ent(text, "Xiaoming", "NAME")]
    )
    res = deid_metrics.evaluate([doc], [[(8, 16, "NAME")]])
    assert res["overall"]["gold_n"] == 2 and res["overall"]["caught"] == 1
    assert res["overall"]["phi_chars"] == 12  # 4 + 8, the nested entity's chars once
    assert res["overall"]["leak_rate"] == pytest.approx(4 / 12)


def test_full_width_space_is_whitespace() -> None:
    text = "姓名：张　三，电话"
    doc = GoldDoc("z", text, "zh", [ent(text, "张　三", "NAME")])
    start = text.index("张")
    preds = [(start, start + 1, "NAME"), (start + 2, start + 3, "NAME")]
    res = deid_metrics.evaluate([doc], [preds])
    assert res["overall"]["recall"] == 1.0 and res["overall"]["phi_chars"] == 2


def test_hard_negative_fp_rate() -> None:
    docs = [
        GoldDoc(f"h{i}", "Best treatment for CHF in a 70 year old?", "en", hard_negative=True)
        for i in range(4)
    ]
    preds: list[list[Any]] = [[], [(0, 4, "NAME"), (28, 30, "AGE")], [], []]
    res = deid_metrics.evaluate(docs, preds)
    hn = res["hard_negatives"]
    assert (hn["docs"], hn["docs_with_spans"], hn["spans"]) == (4, 1, 2)
    assert hn["fp_rate"] == 0.25 and hn["spans_per_doc"] == 0.5
    assert res["overall"]["precision"] == 0.0  # no gold anywhere: both spans are FPs
    assert deid_metrics.hard_negative_rate(docs, preds) == 0.25
    table = deid_metrics.render_table(res)
    assert "hard negatives: 1/4 docs flagged (FP rate 25.0%)" in table


def test_span_forms_are_equivalent_and_clipped() -> None:
    as_tuples = MAIN_PREDS
    as_dicts = [{"start": s, "end": e, "label": lab} for s, e, lab in MAIN_PREDS]
    as_objs = [SimpleNamespace(start=s, end=e, label=lab) for s, e, lab in MAIN_PREDS]
    results = [
        deid_metrics.evaluate([main_doc()], [p])["overall"] for p in (as_tuples, as_dicts, as_objs)
    ]
    assert results[0] == results[1] == results[2]
    clipped = deid_metrics.normalize_preds([(-5, 3, "X"), (40, 999, "Y"), (5, 5, "Z")], 49)
    assert clipped == [deid_metrics.Pred(0, 3, "X"), deid_metrics.Pred(40, 49, "Y")]
    with pytest.raises(ValueError):
        deid_metrics.evaluate([main_doc()], [])


# A stand-in scanner (the real one is curation.deid): the metrics must not care who made spans.
_STANDIN = [("DATE", re.compile(r"\d{4}-\d{2}-\d{2}")), ("NAME", re.compile(r"John\s+Smith"))]


def standin_scan(texts: list[str]) -> list[list[tuple[int, int, str]]]:
    """Regex stand-in for ``scan_texts``: spans per text."""
    return [
        [(m.start(), m.end(), lab) for lab, rx in _STANDIN for m in rx.finditer(t)] for t in texts
    ]


def test_standin_scanner_end_to_end_and_table() -> None:
    doc = main_doc()
    res = deid_metrics.evaluate(
        [doc], standin_scan([doc.text]), typed_alternatives=deid_gold.TYPED_ALTERNATIVES
    )
    assert res["categories"]["NAME"]["recall"] == 1.0
    assert res["categories"]["DATE"]["recall"] == 1.0
    assert res["categories"]["ADDRESS"]["recall"] == 0.0
    assert res["overall"]["precision"] == 1.0
    assert res["overall"]["leak_rate"] == pytest.approx(13 / 32)
    table = deid_metrics.render_table(res, "== demo")
    lines = table.splitlines()
    assert lines[0] == "== demo"
    assert lines[1].split() == [
        "category",
        "gold",
        "n",
        "recall",
        "typed",
        "pred",
        "n",
        "precision",
        "F1",
        "leak",
    ]
    all_row = next(line for line in lines if line.startswith("ALL"))
    assert all_row.split() == ["ALL", "3", "66.7%", "66.7%", "2", "100.0%", "80.0%", "40.6%"]
    assert len({len(line) for line in lines[1:4]}) == 1  # fixed width
    assert "ADDRESS" in deid_metrics.render_missed(res)


ASQ_SAMPLE = """===QUERY===
Dr. Emily R. saw Emily R. at St. Mary’s Hospital on April 12, 2023, MRN 123-45-678; seen 2021.
===PHI_TAGS===
{"identifier_type": "NAME", "value": "Emily R."}
{"identifier_type": "GEOGRAPHIC_LOCATION", "value": "St. Mary's Hospital"}
{"identifier_type": "DATE", "value": "April 12, 2023"}
{"identifier_type": "DATE", "value": "2021"}
{"identifier_type": "MEDICAL_RECORD_NUMBER", "value": "123-45-678"}
{"identifier_type": "NAME", "value": "Zed Q."}

===QUERY===
What is the first-line therapy for a 55-year-old with hypertension?
===PHI_TAGS===

"""


def test_asq_phi_locator() -> None:
    report = deid_gold.LoadReport()
    docs = deid_gold.asq_phi_docs(ASQ_SAMPLE, report)
    assert [d.hard_negative for d in docs] == [False, True]
    assert docs[1].entities == [] and docs[1].id == "asq-phi:1"
    q = docs[0]
    found = [(q.text[e.start : e.end], e.label, e.source_label) for e in q.entities]
    assert found.count(("Emily R.", "NAME", "NAME")) == 2  # every occurrence
    assert ("St. Mary’s Hospital", "ADDRESS", "GEOGRAPHIC_LOCATION") in found  # curly quote
    assert ("April 12, 2023", "DATE", "DATE") in found
    assert ("2021", None, "DATE") in found  # bare year: kept, not scored
    assert ("123-45-678", "ID", "MEDICAL_RECORD_NUMBER") in found
    assert len(q.entities) == 6
    assert report.values_not_found == 1 and "Zed Q." in report.not_found_examples[0]
    assert report.values_found_quote_folded == 1
    assert report.excluded_counts == {"DATE": 1}
    assert deid_gold.find_all("aaa", "aa") == [0, 1]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1977", True),
        ("the 1990s", True),
        ("'23", True),
        ("last year", True),
        ("2018年", True),
        ("March 2022", False),
        ("2/8/1935", False),
        ("2018年5月21日", False),
        ("last July", False),
    ],
)
def test_is_year_only(value: str, expected: bool) -> None:
    assert deid_gold.is_year_only(value) is expected


def test_value_checks() -> None:
    assert deid_gold.is_phi_age("92") and not deid_gold.is_phi_age("89")
    assert not deid_gold.is_phi_age("eighty")
    assert deid_gold.is_bare_weekday("Tuesday") and not deid_gold.is_bare_weekday("Tuesday 3rd")
    for place in ("Norway", "Cyprus (Greek)", "SK", "nan", "California", "广东省", "United States"):
        assert not deid_gold.is_below_state_place(place), place
    for place in ("Kenosha", "ESPOO", "Villafranca del Cid", "杭州市"):
        assert deid_gold.is_below_state_place(place), place


def test_presidio_synth_loader_maps_and_fixes_offsets(tmp_path: Path) -> None:
    text = "Jane Roe, 93, of Kenosha, Norway, born 1977, seen 2/8/2020"
    records = [
        {
            "full_text": text,
            "spans": [
                {
                    "entity_type": "PERSON",
                    "entity_value": "Jane Roe",
                    "start_position": 2,
                    "end_position": 10,
                },  # off by 2: fixed by nearby search
                {
                    "entity_type": "AGE",
                    "entity_value": "93",
                    "start_position": 10,
                    "end_position": 12,
                },
                {
                    "entity_type": "GPE",
                    "entity_value": "Kenosha",
                    "start_position": 17,
                    "end_position": 24,
                },
                {
                    "entity_type": "GPE",
                    "entity_value": "Norway",
                    "start_position": 26,
                    "end_position": 32,
                },
                {
                    "entity_type": "DATE_TIME",
                    "entity_value": "1977",
                    "start_position": 39,
                    "end_position": 43,
                },
                {
                    "entity_type": "DATE_TIME",
                    "entity_value": "2/8/2020",
                    "start_position": 50,
                    "end_position": 58,
                },
                {
                    "entity_type": "NRP",
                    "entity_value": "nowhere",
                    "start_position": 0,
                    "end_position": 7,
                },  # not in the text at all: dropped
            ],
        }
    ]
    path = tmp_path / "synth.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    report = deid_gold.LoadReport()
    (doc,) = deid_gold.load_presidio_synth(path, report)
    got = [(text[e.start : e.end], e.label) for e in doc.entities]
    assert got == [
        ("Jane Roe", "NAME"),
        ("93", "AGE"),
        ("Kenosha", "ADDRESS"),
        ("Norway", None),
        ("1977", None),
        ("2/8/2020", "DATE"),
    ]
    assert (report.offset_mismatches, report.offsets_fixed, report.offsets_unfixable) == (2, 1, 1)


def test_hwamei_loader(tmp_path: Path) -> None:
    text = "2018年5月21日 患者张三就诊，2019年"
    obj = {
        "tokens": list(text),
        "entities": [
            {"type": "Priv_Datetime", "start": 0, "end": 10},
            {"type": "Priv_Name", "start": 13, "end": 15},
            {"type": "Priv_Datetime", "start": 18, "end": 23},
        ],
    }
    (tmp_path / "privacy-dev-deid.json").write_text(json.dumps(obj), encoding="utf-8")
    (doc,) = deid_gold.load_hwamei(tmp_path)
    assert doc.id == "hwamei:dev" and doc.lang == "zh" and doc.text == text
    assert [(text[e.start : e.end], e.label) for e in doc.entities] == [
        ("2018年5月21日", "DATE"),
        ("张三", "NAME"),
        ("2019年", None),
    ]


def test_synth_docs_skip_broken_rows() -> None:
    span = SimpleNamespace(start=3, end=5, label="NAME")
    records = [
        SimpleNamespace(
            fields={"note": "Mr Li is here", "note_id": "N1"}, spans={"note": [span]}, broken=None
        ),
        SimpleNamespace(fields={"note": "", "note_id": "N2"}, spans={}, broken="empty_text"),
        SimpleNamespace(fields={"note": "no phi", "note_id": None}, spans={}, broken=None),
    ]
    report = deid_gold.LoadReport()
    docs = deid_gold.synth_docs("notes_en", records, report)
    assert [d.id for d in docs] == ["notes_en:N1", "notes_en:2"]
    assert docs[0].entities == [GoldEntity(3, 5, "NAME", "NAME")] and docs[0].lang == "en"
    assert report.skipped_records == 1


def test_speed_helpers(tmp_path: Path) -> None:
    csv_path = tmp_path / "mt.csv"
    csv_path.write_text(
        'note_id,transcription\n1,"a, b"\n2,""\n3,"  "\n4,ccc\n5,dd\n', encoding="utf-8"
    )
    assert deid_speed.load_mtsamples(csv_path) == ["a, b", "ccc", "dd"]
    assert deid_speed.load_mtsamples(csv_path, limit=2) == ["a, b", "ccc"]
    texts = ["x" * 500_000, "y" * 500_000]
    raw = {
        "ok": True,
        "seconds": [2.0, 0.5, 1.0],
        "repeats_requested": 3,
        "peak_rss_mib": 100.0,
        "load_seconds": 0.1,
        "spans": [[], []],
        "extra_spans": {"demo": [MAIN_PREDS]},
    }
    s = deid_speed.summarize(raw, texts, {"demo": [main_doc()]})
    assert s["median_seconds"] == 1.0 and s["mb_per_s"] == 1.0 and s["records_per_s"] == 2.0
    assert s["recall"]["demo"]["recall"] == pytest.approx(2 / 3)


FAKE_CURATE = """#!{python}
import json, re, sys
args = sys.argv[1:]
assert args[:2] == ["deid", "scan"] and args[3] == "-o", args
with open(args[2], encoding="utf-8") as src, open(args[4], "w", encoding="utf-8") as out:
    for line in src:
        rec = json.loads(line)
        spans = [{{"start": m.start(), "end": m.end(), "label": "DATE"}}
                 for m in re.finditer(r"\\d{{4}}-\\d{{2}}-\\d{{2}}", rec["text"])]
        out.write(json.dumps({{"id": rec["id"], "spans": spans, "text": ""}}) + "\\n")
"""


def test_cli_scanner_adapter_round_trips_jsonl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import deid_eval

    fake = tmp_path / "curate"
    fake.write_text(FAKE_CURATE.format(python=sys.executable), encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setattr(deid_eval, "curate_executable", lambda: fake)
    docs = [main_doc(), GoldDoc("h", "中文 no dates", "zh", hard_negative=True)]
    assert deid_eval.scan_with_cli(docs) == [[(20, 30, "DATE")], []]


@pytest.mark.parametrize("mode", ["unknown", "words"])
def test_swap_names_keeps_offsets_case_and_consistency(mode: str) -> None:
    text = "Patient: SMITH, JOHN\nMr. Smith seen 2021-03-04 by Dr. Mary Jones. Smith agreed."
    names = ["SMITH, JOHN", "Smith", "Mary Jones", "Smith"]
    entities, pos = [], 0
    for value in names:
        start = text.index(value, pos)
        entities.append(GoldEntity(start, start + len(value), "NAME", "NAME"))
        pos = start + len(value)
    date = text.index("2021-03-04")
    entities.append(GoldEntity(date, date + 10, "DATE", "DATE"))
    entities.sort(key=lambda e: e.start)
    [doc] = deid_gold.swap_names([GoldDoc("d", text, "en", entities)], mode)
    values = {e.label: [] for e in doc.entities}
    for e in doc.entities:
        values[e.label].append(doc.text[e.start : e.end])
    assert values["DATE"] == ["2021-03-04"]  # other PHI is untouched, offsets still hold
    last, first = values["NAME"][0].split(", ")
    assert last.isupper() and first.isupper() and last != "SMITH" and first != "JOHN"
    assert values["NAME"][1] == values["NAME"][3] == last.capitalize()  # one name, one swap
    assert "Mary" not in doc.text and "Jones" not in doc.text and "Dr. " in doc.text


def test_char_precision_counts_masked_non_space_characters() -> None:
    """Char precision: the share of masked non-space characters that lie inside gold PHI."""
    doc = SimpleNamespace(
        id="d",
        text="Smith went home",
        entities=[SimpleNamespace(start=0, end=5, label="NAME", source_label="NAME")],
        hard_negative=False,
    )
    result = deid_metrics.evaluate([doc], [[(0, 10, "NAME")]])
    assert result["masked_chars"] == 9  # 'Smith went' without its space
    assert result["char_precision"] == pytest.approx(5 / 9)


def test_gold_names_start_after_their_title() -> None:
    """One gold convention for every set: the name without the title that introduces it."""
    text = "Seen by Dr. Pell and Mrs Quade; Drake came too."
    docs = [
        deid_gold.GoldDoc(
            "d",
            text,
            "en",
            [
                deid_gold.GoldEntity(8, 16, "NAME", "PER"),  # Dr. Pell
                deid_gold.GoldEntity(21, 30, "NAME", "PER"),  # Mrs Quade
                deid_gold.GoldEntity(32, 37, "NAME", "PER"),  # Drake: no title
                deid_gold.GoldEntity(8, 11, "NAME", "PER"),  # a title alone stays as it is
            ],
        )
    ]
    report = deid_gold.LoadReport()
    (doc,) = deid_gold._names_after_titles(docs, report)
    assert [text[e.start : e.end] for e in doc.entities] == ["Pell", "Quade", "Drake", "Dr."]
    assert report.titles_trimmed == 2
