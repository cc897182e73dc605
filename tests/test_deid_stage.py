"""The deid stage: consistent surrogates, kept intervals, fail-closed quarantine, residual gate,
and no PHI value in any report, log line or quarantine detail."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from curation.cli import app
from curation.deid import dates
from curation.deid.engine import DetectionTimeout, Detector
from curation.deid.policy import load_policy
from curation.stages.deid import DeidConfig, deidentify
from tests.conftest import MiniProject, make_spec

SALT = b"test-salt"
RECORDS = [
    # (record_id, text)
    ("r1", "患者姓名：张三，2023年3月15日入院，2023年3月20日出院。张三电话13812345678。"),
    (
        "r2",
        "Patient Mr. John Smith admitted 03/15/2023, discharged 03/20/2023. Mr. John Smith agreed.",
    ),
    ("r3", "复查：13812345678mg"),  # a phone hidden inside a dose-like token
    ("r4", "普通记录，没有隐私。"),
]


def ingest_records(project: MiniProject) -> pl.LazyFrame:
    lines = "record_id,text\n" + "".join(f'{rid},"{text}"\n' for rid, text in RECORDS)
    project.write("raw/r.csv", lines)
    spec = make_spec(
        path="raw/r.csv", kind="record", fields={"key": "record_id", "context": "text"}
    )
    kept, _, _ = project.run(spec)
    return kept.lazy().with_columns(
        language=pl.when(pl.col("source_record_key") == "r2")
        .then(pl.lit("en"))
        .otherwise(pl.lit("zh"))
    )


def run(items: pl.LazyFrame, salt: bytes = SALT) -> tuple[pl.DataFrame, pl.DataFrame]:
    result = deidentify(items, DeidConfig(), salt, load_policy())
    return result.kept.collect(), result.quarantined.collect()


def context_of(kept: pl.DataFrame, key: str) -> str:
    return kept.filter(pl.col("source_record_key") == key)["context"].item()


def test_surrogates_are_consistent_within_a_record(project: MiniProject) -> None:
    kept, _ = run(ingest_records(project))
    zh = context_of(kept, "r1")
    assert "张三" not in zh and "13812345678" not in zh
    name = re.search(r"患者姓名：(\w+)，", zh).group(1)
    assert zh.count(name) == 2  # both mentions map to the same surrogate
    en = context_of(kept, "r2")
    assert "John Smith" not in en
    assert en.count(re.search(r"Mr\. ([A-Z]\w+ [A-Z]\w+)", en).group(1)) == 2


def test_date_shift_keeps_intervals(project: MiniProject) -> None:
    kept, _ = run(ingest_records(project))
    for key, forms in (("r1", ("zh_ymd",)), ("r2", ("us_mdy",))):
        text = context_of(kept, key)
        found = []
        for form in dates.FORMS:
            if form.name in forms:
                found += [dates.parse(m) for m in form.regex.finditer(text)]
        a, b = (dt.date(d.year, d.month, d.day) for d in found)
        assert (b - a).days == 5
        assert a != dt.date(2023, 3, 15)  # actually shifted


def test_same_salt_same_output_other_salt_other_surrogates(project: MiniProject) -> None:
    items = ingest_records(project)
    one, two, other = run(items), run(items), run(items, b"another-salt")
    assert one[0].equals(two[0])
    assert context_of(one[0], "r1") != context_of(other[0], "r1")


def test_residual_gate_quarantines_a_leak(project: MiniProject) -> None:
    kept, quarantined = run(ingest_records(project))
    row = quarantined.filter(pl.col("item_id").is_not_null()).to_dicts()
    assert [(r["reason"], r["detail"]) for r in row] == [
        ("residual_phi", "residual PHI after de-identification: PHONE 1")
    ]
    assert "r3" not in kept["source_record_key"].to_list()
    assert kept.height + quarantined.height == len(RECORDS)


def test_the_gate_reads_a_batch_as_it_reads_each_record() -> None:
    """Over a batch, the gate finds in each record what it finds in that record alone (its
    triggers run over all texts at once); a full-width number is read as the detector does."""
    from curation.stages.deid import gate_recognizers, residual_phi, residual_phi_many

    gate = gate_recognizers(DeidConfig().gate_names())
    records = [
        ["普通记录", "", "电话13812345678"],
        [],
        ["", ""],
        ["mail a.b@example.org or 110101199003074514", "none"],
        ["手机：１３８１２３４５６７８", "13812345678"],
        ["nothing here"],
    ]
    batch = residual_phi_many(records, gate)
    assert batch == [residual_phi(texts, gate) for texts in records]
    assert [dict(found) for found in batch] == [
        {"PHONE": 1},
        {},
        {},
        {"CONTACT": 1, "ID": 1},
        {"PHONE": 2},
        {},
    ]
    assert residual_phi_many(records, []) == [Counter()] * len(records)


def test_any_error_quarantines_the_record(project: MiniProject, monkeypatch) -> None:
    original = Detector._detect_with

    def flaky(self: Detector, text: str, *args):
        if "普通记录" in text:
            raise RuntimeError("boom: 普通记录")  # the message holds text: it must not leak
        return original(self, text, *args)

    monkeypatch.setattr(Detector, "_detect_with", flaky)
    kept, quarantined = run(ingest_records(project))
    failed = quarantined.filter(pl.col("reason") == "deid_error")
    assert failed["detail"].to_list() == ["RuntimeError"]
    assert "r4" not in kept["source_record_key"].to_list()


def test_phi_summary_counts_categories_without_values(project: MiniProject) -> None:
    kept, _ = run(ingest_records(project))
    phi = kept.filter(pl.col("source_record_key") == "r1")["phi"].item()
    counts = {c["category"]: c["count"] for c in phi["counts"]}
    assert counts == {"DATE": 2, "NAME": 2, "PHONE": 1}
    assert phi["deid_version"].startswith("medcurate-deid-")


def test_phi_marks_locate_each_replacement_in_the_output(project: MiniProject) -> None:
    kept, _ = run(ingest_records(project))
    row = kept.filter(pl.col("source_record_key") == "r1").row(0, named=True)
    marks = row["phi"]["marks"]
    assert [m["category"] for m in marks] == ["NAME", "DATE", "DATE", "NAME", "PHONE"]
    assert {m["field"] for m in marks} == {"context"}
    pieces = [row["context"][m["start"] : m["end"]] for m in marks]
    name = re.search(r"患者姓名：(\w+)，", row["context"]).group(1)
    assert pieces[0] == pieces[3] == name  # the surrogate, where it now sits
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", pieces[1])
    assert "13812345678" not in pieces[4] and len(pieces[4]) > 0


def test_key_that_is_an_identifier_is_pseudonymized(project: MiniProject) -> None:
    project.write("raw/r.csv", "mrn,text\n00482913,普通记录。\n")
    spec = make_spec(path="raw/r.csv", kind="record", fields={"key": "mrn", "context": "text"})
    items, _, _ = project.run(spec)
    kept, _ = run(items.lazy())
    key = kept["source_record_key"].item()
    assert key.startswith("pseudo-") and "00482913" not in key
    assert kept["item_id"].item() == items["item_id"].item()  # identity survives


def test_cli_never_prints_or_reports_phi(project: MiniProject, monkeypatch) -> None:
    monkeypatch.setenv("MEDCURATE_DEID_SALT", "cli-salt")
    lines = "record_id,text\n" + "".join(f'{rid},"{text}"\n' for rid, text in RECORDS)
    project.write("raw/r.csv", lines)
    project.sources(
        {
            "recs": {
                "path": "raw/r.csv",
                "format": "csv",
                "kind": "record",
                "language": "zh",
                "license": "CC0-1.0",
                "fields": {"key": "record_id", "context": "text"},
            }
        }
    )
    runner = CliRunner()
    outputs = [runner.invoke(app, ["ingest", "--root", str(project.root)])]
    outputs.append(runner.invoke(app, ["deid", "run", "--root", str(project.root)]))
    assert all(o.exit_code == 0 for o in outputs), outputs[-1].output
    report = (project.root / "reports/deid/recs.json").read_text(encoding="utf-8")
    details = pl.read_parquet(project.root / "data/quarantine/deid/recs.parquet")["detail"]
    visible = "\n".join([*(o.output for o in outputs), report, *details.to_list()])
    for value in ("张三", "13812345678", "John Smith", "2023年3月15日", "03/15/2023"):
        assert value not in visible
    data = json.loads(report)
    assert data["rows_in"] == data["kept"] + data["quarantined"] == len(RECORDS)
    assert data["details"]["spans_by_category"]["PHONE"] >= 1


def test_cli_requires_a_salt(project: MiniProject, monkeypatch) -> None:
    monkeypatch.delenv("MEDCURATE_DEID_SALT", raising=False)
    project.sources(
        {
            "recs": {
                "path": "raw/r.csv",
                "format": "csv",
                "kind": "record",
                "language": "zh",
                "license": "CC0-1.0",
                "fields": {"context": "t"},
            }
        }
    )
    (project.root / "data/ingested").mkdir(parents=True)
    pl.DataFrame().write_parquet(project.root / "data/ingested/recs.parquet")
    result = CliRunner().invoke(app, ["deid", "run", "--root", str(project.root)])
    assert result.exit_code == 1 and "MEDCURATE_DEID_SALT is not set" in result.output


def test_scan_command_offsets_and_language(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    rows = [
        {"id": "a", "text": "联系电话：13812345678"},
        {"id": "b", "text": "Call (617) 555-0123 today", "lang": "en"},
        {"id": "c", "text": "No PHI here."},
    ]
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    target = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["deid", "scan", str(source), "-o", str(target)])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert out[0] == {
        "id": "a",
        "spans": [{"start": 5, "end": 16, "label": "PHONE", "recognizer": "cn_mobile_v1"}],
        "text": "联系电话：[电话]",
    }
    assert out[1]["spans"] == [
        {"start": 5, "end": 19, "label": "PHONE", "recognizer": "us_phone_v1"}
    ]
    assert out[1]["text"] == "Call [PHONE] today"
    assert out[2] == {"id": "c", "spans": [], "text": "No PHI here."}


def test_scan_command_names_the_bad_line(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "ok"}\n{broken\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["deid", "scan", str(source), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1 and "line 2" in result.output


@pytest.mark.parametrize(
    ("text", "days", "expected"),
    [
        ("2023年3月15日", 5, "2023年3月20日"),
        ("二〇二三年三月十五日", 17, "二〇二三年四月一日"),
        ("03/15/2023", -15, "02/28/2023"),
        ("March 30th, 2023", 2, "April 1st, 2023"),
        ("2023-03-15 14:30", 1, "2023-03-16 14:30"),
        ("3月15日", 1, "3月16日"),
        ("Sept. 20", 20, "Oct. 10"),  # an abbreviation stays one; Sept only for September
        ("03.04.1956", 30, "03.05.1956"),  # dots: day first
        ("June", 30, "July"),  # a month alone, written out, moves from its middle
        ("3/93", 40, "4/93"),
        ("03/2093", 40, "04/2093"),
    ],
)
def test_date_shift_keeps_the_written_style(text: str, days: int, expected: str) -> None:
    assert dates.shift_span(text, days) == expected


def test_source_labels_and_hidden_characters_are_de_identified(project: MiniProject) -> None:
    """A label column is free text too (a department may name a doctor), and zero-width or
    bidi characters inside an identifier hide it from no rule."""
    project.write(
        "raw/l.csv",
        "record_id,text,dept\n"
        'l1,"Seen by Dr. Jo\u200bhn Smith, email jo\u200bhn.smith@example.com, '
        '617-555-\u20600134.","Dr. Wexford clinic"\n',
    )
    spec = make_spec(
        path="raw/l.csv",
        kind="record",
        language="en",
        fields={"key": "record_id", "context": "text", "labels": {"department": "dept"}},
    )
    kept, _, _ = project.run(spec)
    out, quarantined = run(kept.lazy())
    assert quarantined.height == 0
    row = out.row(0, named=True)
    assert "Smith" not in row["context"] and "example.com" not in row["context"]
    assert "617-555" not in row["context"] and "\u200b" not in row["context"]
    (label,) = row["source_labels"]
    assert label["name"] == "department" and "Wexford" not in label["value"]
    fields = {m["field"] for m in row["phi"]["marks"]}
    assert "source_labels.0" in fields


def test_a_record_over_the_time_budget_is_quarantined_not_passed(project: MiniProject) -> None:
    """The budget is checked after every recognizer: a text that takes too long stalls nothing
    and reaches no later stage."""
    items = ingest_records(project)
    result = deidentify(items, DeidConfig(time_budget=1e-9), SALT, load_policy())
    kept, quarantined = result.kept.collect(), result.quarantined.collect()
    assert kept.height == 0
    assert quarantined.height == len(RECORDS)
    assert set(quarantined["reason"]) == {"deid_timeout"}
    with pytest.raises(DetectionTimeout):
        Detector(time_budget=1e-9).detect("1" * 50_000 + " Dr. Smith", "en")
