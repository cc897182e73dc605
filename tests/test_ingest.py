"""Ingest: adapters per format and layout, every quarantine reason, and accounting."""

from __future__ import annotations

import json

import polars as pl
import pytest

from curation.commands.ingest import run_ingest
from curation.errors import InputFileError
from curation.models import Item
from curation.sources.spec import SourceSpec
from curation.stages.ingest import IngestConfig
from tests.conftest import MiniProject, make_spec

MCQ_CSV = (
    "qid,q,opts,ans\n"
    '1,最可能的诊断是,"A 肺炎\nB 哮喘\nC 支气管扩张",A\n'
    "2,首选药物是,A. 阿司匹林\\nB. 氯吡格雷\\nC. 肝素,BC\n"
    '3,,"A 甲\nB 乙",A\n'
    '4,下列正确的是,"A 甲\nB 乙",F\n'
    "5,下列正确的是,没有标号的选项,A\n"
    '6,下列正确的是,"A 甲\nB 乙",\n'
    '7,下列正确的是,"A 甲\nB 乙",答案A\n'
    '1,重复的键,"A 甲\nB 乙",A\n'
)


def mcq_spec(**fields: object) -> SourceSpec:
    return make_spec(
        fields={"key": "qid", "question": "q", "options": {"packed": "opts"}, "answer": "ans"}
        | fields
    )


def reasons(quarantined: pl.DataFrame) -> dict[int, str]:
    return dict(zip(quarantined["row"], quarantined["reason"], strict=True))


def test_mcq_csv_maps_and_quarantines_each_reason(project: MiniProject) -> None:
    project.write("raw/demo.csv", MCQ_CSV)
    kept, quarantined, rows_in = project.run(mcq_spec())
    assert rows_in == 8 == kept.height + quarantined.height
    assert reasons(quarantined) == {
        3: "missing_question",
        4: "answer_not_in_options",
        5: "unparseable_options",
        6: "missing_answer",
        7: "unparseable_answer",
        8: "duplicate_key",
    }
    first, second = kept.to_dicts()
    assert first["options"] == [
        {"label": "A", "text": "肺炎"},
        {"label": "B", "text": "哮喘"},
        {"label": "C", "text": "支气管扩张"},
    ]
    assert first["answer_labels"] == ["A"]
    assert [o["label"] for o in second["options"]] == ["A", "B", "C"]  # literal \n separators
    assert second["options"][0]["text"] == "阿司匹林"
    assert second["answer_labels"] == ["B", "C"]
    assert first["provenance"] == {"file": "raw/demo.csv", "row": 1, "ingested_at": None}


def test_kept_rows_satisfy_the_item_model(project: MiniProject) -> None:
    project.write("raw/demo.csv", MCQ_CSV)
    kept, _, _ = project.run(mcq_spec())
    for row in kept.to_dicts():
        Item.model_validate(row)


def test_the_item_model_judges_each_row_once(
    project: MiniProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The item model (pydantic, a Python call per row) is the costly check of ingest; its
    verdict is computed once per row and read by the reason, the detail and both outputs."""
    from curation.stages import base

    calls = []
    judge = base.validation_verdict
    monkeypatch.setattr(base, "validation_verdict", lambda row: calls.append(1) or judge(row))
    project.write("raw/demo.csv", MCQ_CSV)
    kept, quarantined, rows_in = project.run(mcq_spec())
    assert len(calls) == rows_in == kept.height + quarantined.height


def test_quarantine_details_never_quote_record_text(project: MiniProject) -> None:
    project.write("raw/demo.csv", MCQ_CSV)
    _, quarantined, _ = project.run(mcq_spec())
    for detail in quarantined["detail"]:
        assert detail and not any(word in detail for word in ("诊断", "甲", "乙", "重复"))
    assert quarantined.filter(pl.col("row") == 8)["detail"].item() == (
        "record key already used by row 1"
    )
    # the raw record is kept (locally) for repair
    assert json.loads(quarantined.filter(pl.col("row") == 5)["record"].item())["opts"]


def test_options_in_columns(project: MiniProject) -> None:
    project.write(
        "raw/demo.csv",
        "stem,A,B,C,D,key\nWhich drug?,aspirin,heparin,,warfarin,D\nWhich?,x,y,,,C\n",
    )
    spec = make_spec(
        language="en",
        fields={"question": "stem", "options": {"columns": ["A", "B", "C", "D"]}, "answer": "key"},
    )
    kept, quarantined, _ = project.run(spec)
    assert [o["label"] for o in kept["options"][0]] == ["A", "B", "D"]
    assert reasons(quarantined) == {2: "answer_not_in_options"}


def test_options_with_custom_separator_and_label_map(project: MiniProject) -> None:
    project.write("raw/demo.csv", "q,opts,ans\n选择,A、甲|B、乙|C、丙,c\n")
    spec = make_spec(
        fields={"question": "q", "options": {"packed": "opts", "separator": "|"}, "answer": "ans"}
    )
    kept, _, _ = project.run(spec)
    assert kept["options"].to_list()[0][2] == {"label": "C", "text": "丙"}
    assert kept["answer_labels"].to_list() == [["C"]]


def test_dialogue_turns_in_one_column(project: MiniProject) -> None:
    rows = [
        {
            "id": "d1",
            "dept": "心内科",
            "text": "患者：胸口痛\n已经两天了\n医生：疼痛放射吗？\n患者：不放射",
        },
        {"id": "d2", "dept": "心内科", "text": "这段话没有说话人标记"},
        {"id": "d3", "dept": "心内科", "text": ""},
    ]
    project.write("raw/d.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    spec = make_spec(
        path="raw/d.jsonl",
        format="jsonl",
        kind="dialogue",
        fields={"key": "id", "dialogue": {"column": "text"}, "labels": {"department": "dept"}},
    )
    kept, quarantined, _ = project.run(spec)
    (item,) = kept.to_dicts()
    assert item["turns"] == [
        {"speaker": "患者", "text": "胸口痛\n已经两天了"},
        {"speaker": "医生", "text": "疼痛放射吗？"},
        {"speaker": "患者", "text": "不放射"},
    ]
    assert item["context"].startswith("患者：胸口痛")
    assert item["source_labels"] == [{"name": "department", "value": "心内科"}]
    assert reasons(quarantined) == {2: "unparseable_dialogue", 3: "empty_text"}


def test_jsonl_bad_lines_are_quarantined_not_fatal(project: MiniProject) -> None:
    project.write("raw/r.jsonl", '{"t": "入院记录"}\n{not json\n\n[1, 2]\n{"t": "出院小结"}\n')
    spec = make_spec(path="raw/r.jsonl", format="jsonl", kind="record", fields={"context": "t"})
    kept, quarantined, rows_in = project.run(spec)
    assert rows_in == 4 and kept.height == 2  # the blank line is not a record
    assert reasons(quarantined) == {2: "invalid_json", 4: "invalid_json"}
    assert kept["source_record_key"].to_list() == ["1", "5"]  # JSONL rows are line numbers


def test_gb18030_with_invalid_bytes_quarantines_only_those_rows(project: MiniProject) -> None:
    good = "record_id,text\nr1,患者男性，咳嗽三天。\nr2,".encode("gb18030")
    bad = "发热".encode("gb18030") + b"\xff\x80" + "两天".encode("gb18030")
    tail = "\nr3,出院诊断：肺炎。\n".encode("gb18030")
    project.write("raw/r.csv", good + bad + tail)
    spec = make_spec(
        path="raw/r.csv",
        encoding="gb18030",
        kind="record",
        fields={"key": "record_id", "context": "text"},
    )
    kept, quarantined, _ = project.run(spec)
    assert kept["context"].to_list() == ["患者男性，咳嗽三天。", "出院诊断：肺炎。"]
    assert reasons(quarantined) == {2: "invalid_encoding"}
    assert quarantined["detail"].item() == "undecodable bytes in column(s) text"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_auto_detects_encoding(project: MiniProject, encoding: str) -> None:
    text = "record_id,text\n" + "".join(
        f"r{i},患者主诉反复胸闷{i}天，伴气短。\n" for i in range(50)
    )
    project.write("raw/r.csv", text, encoding=encoding)
    spec = make_spec(path="raw/r.csv", encoding="auto", kind="record", fields={"context": "text"})
    kept, quarantined, _ = project.run(spec)
    assert kept.height == 50 and quarantined.height == 0
    assert kept["context"][0] == "患者主诉反复胸闷0天，伴气短。"


def test_stray_quotes_and_ragged_rows(project: MiniProject) -> None:
    project.write("raw/r.csv", 'id,text\n1,他说"好的"然后离开\n2,a,b\n3,"多行\n文本"\n')
    spec = make_spec(path="raw/r.csv", kind="record", fields={"key": "id", "context": "text"})
    kept, quarantined, _ = project.run(spec)
    assert kept["context"].to_list() == ['他说"好的"然后离开', "多行\n文本"]
    assert reasons(quarantined) == {2: "malformed_row"}


def test_tsv_json_parquet_and_xlsx(project: MiniProject) -> None:
    frame = pl.DataFrame({"id": [1, 2], "text": ["first note", None]})
    project.write("raw/n.tsv", "id\ttext\n1\tfirst note\n2\t\n")
    project.write("raw/n.json", frame.write_json())
    frame.write_parquet(project.root / "raw/n.parquet")
    frame.write_excel(project.root / "raw/n.xlsx", worksheet="notes")
    for fmt, extra in [("tsv", {}), ("json", {}), ("parquet", {}), ("xlsx", {"sheet": "notes"})]:
        spec = make_spec(
            path=f"raw/n.{fmt}",
            format=fmt,
            kind="record",
            language="en",
            fields={"key": "id", "context": "text"},
            **extra,
        )
        kept, quarantined, rows_in = project.run(spec)
        assert (rows_in, kept.height) == (2, 1), fmt
        assert kept["source_record_key"].to_list() == ["1"], fmt
        assert reasons(quarantined) == {2: "empty_text"}, fmt


def test_directory_source_keys_rows_by_file(project: MiniProject) -> None:
    project.write("raw/notes/a.csv", "text\nnote a1\nnote a2\n")
    project.write("raw/notes/b.csv", "text\nnote b1\n")
    spec = make_spec(path="raw/notes", include="*.csv", kind="record", fields={"context": "text"})
    kept, _, _ = project.run(spec)
    assert kept["source_record_key"].to_list() == ["a.csv:1", "a.csv:2", "b.csv:1"]
    assert kept["provenance"].struct.field("file").to_list()[-1] == "raw/notes/b.csv"


def test_missing_column_is_a_clear_input_error(project: MiniProject) -> None:
    project.write("raw/demo.csv", "question,options,answer\nq,A x\nB y,A\n")
    with pytest.raises(InputFileError, match=r"raw/demo.csv: source 'demo' maps column\(s\) q"):
        project.run(mcq_spec(key=None))


def test_item_id_survives_text_edits(project: MiniProject) -> None:
    project.write("raw/demo.csv", MCQ_CSV)
    before, _, _ = project.run(mcq_spec())
    project.write("raw/demo.csv", MCQ_CSV.replace("最可能的诊断是", "最可能的诊断为"))
    after, _, _ = project.run(mcq_spec())
    assert before["item_id"].to_list() == after["item_id"].to_list()
    assert before["content_hash"][0] != after["content_hash"][0]
    assert before["content_hash"][1] == after["content_hash"][1]


def test_outputs_are_byte_identical_across_runs(project: MiniProject) -> None:
    project.write("raw/demo.csv", MCQ_CSV)
    spec = mcq_spec()
    digests = []
    for _ in range(2):
        report = run_ingest(project.paths, spec, IngestConfig())
        files = [
            project.paths.stage_output("ingest", "demo"),
            project.paths.quarantine("ingest", "demo"),
            project.paths.report("ingest", "demo"),
        ]
        digests.append([f.read_bytes() for f in files])
    assert digests[0] == digests[1]
    assert (report.rows_in, report.kept, report.quarantined) == (8, 2, 6)
    assert report.quarantined_by_reason["duplicate_key"] == 1


def test_missing_header_never_echoes_a_record(project: MiniProject) -> None:
    project.write("raw/demo.csv", "张三,13812345678,胸痛\n李四,13912345678,头痛\n")
    with pytest.raises(InputFileError) as info:
        project.run(mcq_spec(key=None))
    assert "13812345678" not in str(info.value) and "header" in str(info.value)


def record_spec(path: str, fmt: str = "csv") -> SourceSpec:
    return make_spec(path=path, format=fmt, kind="record", fields={"key": "id", "context": "text"})


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_unclosed_quote_quarantines_its_row_and_keeps_the_rest(
    project: MiniProject, fmt: str
) -> None:
    sep = "," if fmt == "csv" else "\t"
    lines = [f'5{sep}"张三 胸痛' if i == 5 else f"{i}{sep}note {i}" for i in range(1, 21)]
    project.write(f"raw/r.{fmt}", f"id{sep}text\n" + "\n".join(lines) + "\n")
    spec = record_spec(f"raw/r.{fmt}", fmt)
    kept, quarantined, rows_in = project.run(spec)
    assert (rows_in, kept.height) == (20, 19)
    assert reasons(quarantined) == {5: "unclosed_quote"}
    assert kept["source_record_key"].to_list() == [str(i) for i in range(1, 21) if i != 5]
    assert "张三" not in quarantined["detail"].item()
    assert quarantined["record"].item() == f'5{sep}"张三 胸痛'  # kept locally for repair
    report = run_ingest(project.paths, spec, IngestConfig())
    assert (report.rows_in, report.kept, report.quarantined) == (20, 19, 1)
    assert report.quarantined_by_reason == {"unclosed_quote": 1}
    assert "张三" not in project.paths.report("ingest", "demo").read_text(encoding="utf-8")


def test_unclosed_quote_closed_by_a_later_quote_loses_no_row(project: MiniProject) -> None:
    project.write(
        "raw/r.csv",
        'id,text\n1,note 1\n2,"never closed\n3,note 3\n4,"a, b"\n5,他说"好的"然后离开\n'
        '6,"多行\n文本"\n7,"x"y\n8,note 8\n',
    )
    kept, quarantined, rows_in = project.run(record_spec("raw/r.csv"))
    assert rows_in == 8 == kept.height + quarantined.height
    assert reasons(quarantined) == {2: "unclosed_quote"}
    assert kept["context"].to_list() == [
        "note 1",
        "note 3",
        "a, b",
        '他说"好的"然后离开',
        "多行\n文本",
        "xy",  # a quote closed mid-field on one line is read leniently, as before
        "note 8",
    ]


def test_unclosed_quote_in_the_header_is_a_clear_error(project: MiniProject) -> None:
    project.write("raw/r.csv", 'id,"text\n1,张三\n2,李四\n')
    with pytest.raises(InputFileError, match="quote") as info:
        project.run(record_spec("raw/r.csv"))
    assert "张三" not in str(info.value)


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_lone_surrogate_quarantines_only_its_record(project: MiniProject, fmt: str) -> None:
    records = [
        '{"id": "1", "text": "入院记录"}',
        '{"id": "2", "text": "张三\\ud800胸痛"}',
        '{"id": "3", "text": "emoji \\ud83d\\ude00 ok"}',
        '{"id": "4", "text": {"nested": "\\udfff"}}',
        '["\\ud800"]',
        '{"id": "6", "text": "出院小结"}',
    ]
    body = "\n".join(records) if fmt == "jsonl" else "[" + ",\n".join(records) + "]"
    project.write(f"raw/r.{fmt}", body)
    spec = record_spec(f"raw/r.{fmt}", fmt)
    kept, quarantined, rows_in = project.run(spec)
    assert rows_in == 6 and kept["source_record_key"].to_list() == ["1", "3", "6"]
    assert kept["context"][1] == "emoji \U0001f600 ok"  # a valid surrogate pair is one character
    assert reasons(quarantined) == {2: "invalid_unicode", 4: "invalid_unicode", 5: "invalid_json"}
    for detail in quarantined["detail"]:
        assert "张三" not in detail
    assert "\\ud800" in quarantined.filter(pl.col("row") == 2)["record"].item()  # raw, escaped
    report = run_ingest(project.paths, spec, IngestConfig())
    assert (report.rows_in, report.kept, report.quarantined) == (6, 3, 3)
