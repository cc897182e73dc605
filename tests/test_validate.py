"""The validate stage: one test per per-record rule, the dataset-level GX suite (clean and dirty
datasets, one GX run each, shared), the report (counts, never text) and Data Docs."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import polars as pl
import pytest

from curation.deid.registry import default_registry
from curation.errors import ConfigError, CurationError
from curation.models import Item
from curation.paths import ProjectPaths
from curation.reasons import Reason
from curation.stages.base import ITEM_SCHEMA
from curation.stages.validate import validate
from curation.validation.rules import ValidateConfig, ValidateReason
from curation.validation.suite import SUITE_FILE, load_suite

LABELS = "ABCDEFGHIJKL"
PLANTED_PHONE = "13812345678"


def item(n: int = 1, **overrides: Any) -> dict[str, Any]:
    """A valid MCQ row (every item column) with fields overridden; `n` makes ids distinct."""
    body: dict[str, Any] = {
        "item_id": f"{n:016x}",
        "content_hash": f"{n + 10_000:016x}",
        "source": "exam",
        "source_record_key": str(n),
        "kind": "mcq",
        "language": "zh",
        "question": f"第{n}题：患者发热咳嗽三天，胸片示右下肺片状影，最可能的诊断是",
        "options": [
            {"label": "A", "text": "社区获得性肺炎"},
            {"label": "B", "text": "支气管哮喘"},
            {"label": "C", "text": "肺结核"},
            {"label": "D", "text": "肺栓塞"},
        ],
        "answer_labels": ["A"],
        "license": "CC0-1.0",
        "provenance": {"file": "raw/exam.csv", "row": n},
    }
    row = Item.model_validate(body).model_dump()
    row.update(overrides)
    return row


def record(n: int, **overrides: Any) -> dict[str, Any]:
    """A valid clinical record row (kind record, context only)."""
    fields: dict[str, Any] = {
        "source": "notes",
        "kind": "record",
        "question": None,
        "context": f"出院小结{n}：患者因腕部疼痛7小时入院，X线示桡骨远端骨折，复位后出院。",
        "options": [],
        "answer_labels": [],
    }
    return item(n, **(fields | overrides))


def frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=ITEM_SCHEMA)


def run(
    rows: list[dict[str, Any]], config: ValidateConfig | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    result = validate(frame(rows).lazy(), config or ValidateConfig())
    return result.kept.collect(), result.quarantined.collect()


def options(n: int, text: str = "选项") -> list[dict[str, str]]:
    return [{"label": LABELS[i], "text": f"{text}{i}"} for i in range(n)]


# --- per-record rules --------------------------------------------------------------------------


def test_a_good_row_passes_unchanged() -> None:
    rows = [item(1), record(2)]
    kept, quarantined = run(rows)
    assert quarantined.height == 0
    assert kept.equals(frame(rows))


LONG_EN = "Which of the following is the most likely diagnosis for this patient with fever?"


@pytest.mark.parametrize(
    ("overrides", "config", "reason", "field"),
    [
        ({"question": None}, {}, Reason.MISSING_QUESTION, "question"),
        ({"answer_labels": ["F"]}, {}, Reason.ANSWER_NOT_IN_OPTIONS, ""),
        ({"options": options(11)}, {}, ValidateReason.TOO_MANY_OPTIONS, "max_options"),
        ({"options": options(2)}, {"min_options": 3}, ValidateReason.TOO_FEW_OPTIONS, "min_opt"),
        ({"question": "诊" * 4001}, {}, ValidateReason.TEXT_TOO_LONG, "max_chars.question"),
        ({"context": "病" * 60_001}, {}, ValidateReason.TEXT_TOO_LONG, "max_chars.context"),
        (
            {"options": options(4, "药" * 1001)},
            {},
            ValidateReason.TEXT_TOO_LONG,
            "max_chars.option",
        ),
        ({"answer_text": "答" * 20_001}, {}, ValidateReason.TEXT_TOO_LONG, "max_chars.answer_text"),
        ({"explanation": "解" * 20_001}, {}, ValidateReason.TEXT_TOO_LONG, "max_chars.explanation"),
        ({"question": " 诊断？ "}, {}, ValidateReason.TEXT_TOO_SHORT, "min_chars.question"),
        ({"context": "头痛"}, {}, ValidateReason.TEXT_TOO_SHORT, "min_chars.context"),
        (
            {"question": LONG_EN, "options": options(4, "Option")},
            {},
            ValidateReason.LANGUAGE_MISMATCH,
            "language_min_share",
        ),
    ],
)
def test_each_rule_quarantines_with_its_reason(
    overrides: dict[str, Any], config: dict[str, Any], reason: str, field: str
) -> None:
    bad = item(2, **overrides)
    kept, quarantined = run([item(1), bad], ValidateConfig(**config))
    assert kept["item_id"].to_list() == [item(1)["item_id"]]
    (row,) = quarantined.iter_rows(named=True)
    assert row["reason"] == reason
    assert row["stage"] == "validate"
    assert row["item_id"] == bad["item_id"]
    assert field in row["detail"]
    for value in (bad["question"], bad["context"]):  # details never quote text
        if value:
            assert value[:4] not in row["detail"]


def test_english_item_in_latin_passes_and_a_latin_zh_item_fails() -> None:
    en = item(1, language="en", question=LONG_EN, options=options(4, "Option"))
    zh = item(2, question=LONG_EN, options=options(4, "Option"))
    kept, quarantined = run([en, zh])
    assert kept["item_id"].to_list() == [en["item_id"]]
    detail = quarantined["detail"].item()
    assert detail.startswith("language: 0% of ") and "are Han, declared zh" in detail


def test_language_is_not_judged_on_few_letters() -> None:
    kept, quarantined = run([item(1, question="CT示什么？", options=options(4, "X"))])
    assert (kept.height, quarantined.height) == (1, 0)


def test_the_first_failing_rule_wins() -> None:
    row = item(1, question=None, options=options(11))  # model rule before option count
    _, quarantined = run([row])
    assert quarantined["reason"].item() == Reason.MISSING_QUESTION


def test_options_rules_apply_to_mcqs_only() -> None:
    kept, _ = run([record(1, options=options(11))])
    assert kept.height == 1


def test_config_forbids_unknown_keys_and_inverted_bounds() -> None:
    with pytest.raises(ValueError):
        ValidateConfig(max_option=3)  # type: ignore[call-arg]
    with pytest.raises(ValueError):
        ValidateConfig(min_options=5, max_options=4)


def test_stage_reasons_are_registered() -> None:
    assert {r.value for r in ValidateReason} <= {r.value for r in Reason}


# --- the suite file (no GX) --------------------------------------------------------------------


def test_suite_params_are_filled_from_the_config() -> None:
    suite = load_suite(ValidateConfig(max_answer_letter_share=0.4, min_rows=7))
    checks = {c.id: c for c in suite.checks}
    assert checks["answer_letter_share"].kwargs["max_value"] == 0.4
    assert checks["row_count"].kwargs["min_value"] == 7
    assert checks["kind_in_set"].kwargs["value_set"] == [
        "mcq",
        "open_qa",
        "record",
        "dialogue",
        "extraction",
        "summarization",
    ]
    quantiles = checks["question_length"].kwargs["quantile_ranges"]
    assert len(quantiles["quantiles"]) == len(quantiles["value_ranges"])
    assert "residual_phi.cn_mobile.question" in checks
    assert "question_chars" in suite.columns() and "answer_letter_share" in suite.columns()


def test_unknown_suite_param_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / SUITE_FILE
    path.parent.mkdir(parents=True)
    path.write_text(
        "name: x\nexpectations:\n  - id: a\n    expectation: expect_column_max_to_be_between\n"
        "    kwargs: {column: q, max_value: {param: nope}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="unknown param 'nope'"):
        load_suite(ValidateConfig(), tmp_path)


GATE_SAMPLES = [
    ("电话13812345678请联系", True),
    ("手机 +86 138 1234 5678", True),
    ("身份证11010519491231002X", True),
    ("mail: zhang.san@example.com", True),
    ("SSN 123-45-6789", True),
    ("剂量500mg，每日2次，2023-04-14复查", False),
    ("白细胞 13.2×10^9/L，血钾3.5 mmol/L", False),
    ("编号138123456789012345678", False),
]


@pytest.mark.parametrize(("text", "phi"), GATE_SAMPLES)
def test_residual_phi_regexes_agree_with_the_deid_gate_in_pandas(text: str, phi: bool) -> None:
    """The suite's regexes run in pandas' str.contains (the GX pandas dialect): Python `re`."""
    import pandas as pd

    patterns = [
        c.kwargs["regex"] for c in load_suite(ValidateConfig()).checks if c.id.endswith(".context")
    ]
    series = pd.Series([text], dtype="str")
    suite_hit = any(series.astype(str).str.contains(p).item() for p in patterns)
    gate = [
        r
        for r in default_registry().recognizers
        if r.name in ("zh_resident_id_v1", "cn_mobile_v1", "email_v1", "us_ssn_v1")
    ]
    assert suite_hit == phi
    assert any(list(r.find(text)) for r in gate) == phi


@pytest.mark.gx
def test_an_invalid_expectation_is_a_config_error(tmp_path: Path) -> None:
    from curation.validation.suite import run_suite, suite_frame

    path = tmp_path / SUITE_FILE
    path.parent.mkdir(parents=True)
    path.write_text(
        "name: x\nexpectations:\n  - id: a\n    expectation: expect_column_max_to_be_between\n"
        "    kwargs: {column: question_chars, max_value: 10, no_such_kwarg: 1}\n",
        encoding="utf-8",
    )
    config = ValidateConfig()
    suite = load_suite(config, tmp_path)
    with pytest.raises(ConfigError, match="expectation 'a'"):
        run_suite(suite_frame(frame([item(1)]), config), suite)


# --- the command and the GX suite: one clean and one dirty project, one GX run each -------------


def write_deid(root: Path, rows: list[dict[str, Any]]) -> list[str]:
    """Write rows as data/deid/<source>.parquet per source; return the sources."""
    data = frame(rows)
    sources = sorted(set(data["source"]))
    for source in sources:
        path = ProjectPaths(root).stage_output("deid", source)
        path.parent.mkdir(parents=True, exist_ok=True)
        data.filter(pl.col("source") == source).write_parquet(path)
    return sources


def exam(n: int, answer: str, **overrides: Any) -> dict[str, Any]:
    return item(n, answer_labels=[answer], **overrides)


@pytest.fixture(scope="module")
def connects() -> Iterator[list[Any]]:
    """Record (and refuse) every outbound connection attempted while GX runs."""
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError("network disabled in tests")

    with mock.patch.object(socket.socket, "connect", refuse):
        yield attempts


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory, connects: list[Any]) -> dict[str, Any]:
    from curation.commands.validate import run_validate

    root = tmp_path_factory.mktemp("clean")
    rows = [exam(n, "ABCD"[n % 4]) for n in range(1, 25)]
    rows += [record(n) for n in range(100, 106)]
    rows.append(item(200, question="诊" * 4001))  # quarantined: text_too_long
    sources = write_deid(root, rows)
    report = run_validate(ProjectPaths(root), sources, ValidateConfig())
    return {"root": root, "rows": rows, "report": report}


@pytest.fixture(scope="module")
def dirty(tmp_path_factory: pytest.TempPathFactory, connects: list[Any]) -> dict[str, Any]:
    from curation.commands.validate import run_validate

    root = tmp_path_factory.mktemp("dirty")
    rows = [exam(n, "A" if n <= 16 else "B") for n in range(1, 21)]  # 80% "A"
    rows[2] = exam(3, "A", question=f"患者联系电话{PLANTED_PHONE}，最可能的诊断是什么")
    rows.append(record(100, item_id=rows[0]["item_id"]))  # a duplicate item_id
    rows.append(record(101))
    sources = write_deid(root, rows)
    with pytest.raises(CurationError) as info:
        run_validate(ProjectPaths(root), sources, ValidateConfig())
    report = json.loads((root / "reports" / "validation.json").read_text(encoding="utf-8"))
    return {"root": root, "error": info.value, "report": report}


def by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in report["expectations"]}


@pytest.mark.gx
def test_suite_passes_on_a_clean_dataset(clean: dict[str, Any]) -> None:
    report = clean["report"]
    assert report["success"] is True
    failed = [e["id"] for e in report["expectations"] if not e["success"]]
    assert failed == []
    checks = by_id(report)
    assert checks["answer_letter_share"]["observed_value"] == 0.25
    assert checks["row_count"]["observed_value"] == 30
    assert checks["question_length"]["observed_value"]["quantiles"] == [0.05, 0.5, 0.95]
    assert checks["unique_item_id"]["unexpected_count"] == 0


@pytest.mark.gx
def test_report_accounts_for_every_row_per_source(clean: dict[str, Any]) -> None:
    root: Path = clean["root"]
    report = json.loads((root / "reports" / "validation.json").read_text(encoding="utf-8"))
    assert report == clean["report"]
    assert report["stage"] == "validate"
    assert report["data_docs"] == "reports/data_docs/index.html"
    assert report["sources"]["exam"] == {
        "rows_in": 25,
        "kept": 24,
        "quarantined": 1,
        "quarantined_by_reason": {"text_too_long": 1},
    }
    assert report["sources"]["notes"]["kept"] == report["sources"]["notes"]["rows_in"] == 6
    for acc in [*report["sources"].values(), report["totals"]]:
        assert acc["rows_in"] == acc["kept"] + acc["quarantined"]
    assert report["totals"]["rows_in"] == 31
    assert pl.read_parquet(root / "data" / "validated" / "exam.parquet").height == 24
    quarantine = pl.read_parquet(root / "data" / "quarantine" / "validate" / "exam.parquet")
    assert quarantine["reason"].to_list() == ["text_too_long"]


@pytest.mark.gx
def test_report_and_data_docs_hold_no_record_text(clean: dict[str, Any]) -> None:
    root: Path = clean["root"]
    texts = [r["question"] or r["context"] for r in clean["rows"]]
    report = (root / "reports" / "validation.json").read_text(encoding="utf-8")
    pages = [
        p.read_text(encoding="utf-8") for p in (root / "reports" / "data_docs").rglob("*.html")
    ]
    for text in texts:
        assert text[:12] not in report
        assert all(text[:12] not in page for page in pages)


@pytest.mark.gx
def test_data_docs_are_built_locally(clean: dict[str, Any]) -> None:
    docs = clean["root"] / "reports" / "data_docs"
    index = (docs / "index.html").read_text(encoding="utf-8")
    assert "items" in index
    assert list((docs / "validations").rglob("*.html"))
    pages = "".join(p.read_text(encoding="utf-8") for p in docs.rglob("*.html"))
    assert "great-expectations-web-assets" not in pages  # the logo beacon was made local
    assert not re.search(r"20\d{6}T\d{6}", pages.replace("19700101T000000", ""))


@pytest.mark.gx
def test_gx_made_no_network_connection(
    clean: dict[str, Any], dirty: dict[str, Any], connects: list[Any]
) -> None:
    assert connects == []  # both GX runs (import, validation, Data Docs) were offline


@pytest.mark.gx
def test_suite_fails_on_a_duplicate_item_id(dirty: dict[str, Any]) -> None:
    check = by_id(dirty["report"])["unique_item_id"]
    assert check["success"] is False
    assert check["type"] == "expect_column_values_to_be_unique"
    assert check["unexpected_count"] == 2
    assert "unique_item_id: expect_column_values_to_be_unique, column item_id, 2 unexpected" in str(
        dirty["error"]
    )


@pytest.mark.gx
def test_suite_fails_on_a_planted_chinese_mobile(dirty: dict[str, Any]) -> None:
    checks = by_id(dirty["report"])
    assert checks["residual_phi.cn_mobile.question"]["success"] is False
    assert checks["residual_phi.cn_mobile.question"]["unexpected_count"] == 1
    assert checks["residual_phi.cn_mobile.context"]["success"] is True
    assert "residual_phi.cn_mobile.question" in str(dirty["error"])
    root: Path = dirty["root"]
    assert PLANTED_PHONE not in str(dirty["error"])
    assert PLANTED_PHONE not in (root / "reports" / "validation.json").read_text(encoding="utf-8")
    for page in (root / "reports" / "data_docs").rglob("*.html"):
        assert PLANTED_PHONE not in page.read_text(encoding="utf-8")


@pytest.mark.gx
def test_suite_fails_on_an_unbalanced_answer_distribution(dirty: dict[str, Any]) -> None:
    check = by_id(dirty["report"])["answer_letter_share"]
    assert check["success"] is False
    assert check["observed_value"] == pytest.approx(0.8)
    assert "answer_letter_share" in str(dirty["error"])


@pytest.mark.gx
def test_a_failed_suite_still_writes_outputs_and_names_only_the_failures(
    dirty: dict[str, Any],
) -> None:
    report = dirty["report"]
    assert report["success"] is False
    failed = sorted(e["id"] for e in report["expectations"] if not e["success"])
    assert failed == [
        "answer_letter_share",
        "residual_phi.cn_mobile.question",
        "unique_item_id",
    ]
    root: Path = dirty["root"]
    assert (root / "data" / "validated" / "exam.parquet").is_file()
    assert (root / "reports" / "data_docs" / "index.html").is_file()
    assert "3 of" in str(dirty["error"])


@pytest.mark.gx
def test_text_checks_run_in_chunks_and_sum_to_the_whole_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The suite reads its texts in chunks (memory bounded by the chunk, not the data): the
    per-value checks summed over chunks give what one run over every row gives, and a phone
    planted in each of two chunks counts twice."""
    from curation.validation import suite as suite_module
    from curation.validation.suite import chunked, load_suite, run_suite, suite_frame, suite_input

    rows = [exam(n, "ABCD"[n % 4]) for n in range(1, 23)]
    rows[1] = exam(2, "B", question=f"患者电话{PLANTED_PHONE}，诊断是什么")
    rows[17] = exam(18, "B", question=f"联系电话 {PLANTED_PHONE}，最可能的诊断")
    rows += [record(n) for n in range(100, 105)]
    sources = write_deid(tmp_path, rows)
    files = [ProjectPaths(tmp_path).stage_output("deid", s) for s in sources]
    config = ValidateConfig()
    suite = load_suite(config)
    assert any(chunked(c) for c in suite.checks) and not chunked(
        next(c for c in suite.checks if c.id == "unique_item_id")
    )
    whole = pl.concat([pl.read_parquet(f) for f in files])
    monkeypatch.setattr(suite_module, "CHUNK_ROWS", 10_000)
    once = run_suite(suite_frame(whole, config), suite)
    monkeypatch.setattr(suite_module, "CHUNK_ROWS", 4)
    data = suite_input(files, suite, config)
    assert not set(data.frame.columns) & {"question", "context", "option_texts"}
    assert max(chunk.height for chunk in data.chunks()) == 4
    chunks = run_suite(data, suite, tmp_path / "docs")
    assert chunks["expectations"] == once["expectations"]
    assert by_id(chunks)["residual_phi.cn_mobile.question"]["unexpected_count"] == 2
    assert (tmp_path / "docs" / "index.html").is_file()


@pytest.mark.gx
def test_chunks_of_long_texts_hold_fewer_rows_and_the_results_do_not_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunk holds about CHUNK_BYTES of the columns read (parquet metadata: the file's
    average row): long notes come in smaller chunks than short questions, and the summed
    results are those of one run over every row."""
    from curation.validation import suite as suite_module
    from curation.validation.suite import load_suite, rows_per_chunk, run_suite, suite_input

    long_note = "出院小结：患者因腕部疼痛入院，X线示桡骨远端骨折，复位后出院。" * 40
    rows = [exam(n, "ABCD"[n % 4]) for n in range(1, 31)]
    rows += [record(n, context=f"{n}{long_note}") for n in range(100, 130)]
    sources = write_deid(tmp_path, rows)
    files = {s: ProjectPaths(tmp_path).stage_output("deid", s) for s in sources}
    config = ValidateConfig()
    suite = load_suite(config)
    once = run_suite(suite_input(list(files.values()), suite, config), suite)
    monkeypatch.setattr(suite_module, "CHUNK_BYTES", 8_000)
    _, exam_rows = rows_per_chunk(files["exam"], ["question", "context"])
    _, note_rows = rows_per_chunk(files["notes"], ["question", "context"])
    assert note_rows < 8 < exam_rows  # a note is over 1 KB; a question a few dozen bytes
    data = suite_input(list(files.values()), suite, config)
    heights = [chunk.height for chunk in data.chunks()]
    assert heights[0] == 30 and max(heights[1:]) == note_rows and sum(heights) == 60
    assert run_suite(data, suite)["expectations"] == once["expectations"]


@pytest.mark.gx
def test_no_kept_rows_fails_the_row_count_not_the_run(tmp_path: Path) -> None:
    from curation.validation.suite import load_suite, run_suite, suite_input

    path = tmp_path / "none.parquet"
    frame([item(1)]).clear().write_parquet(path)
    config = ValidateConfig()
    summary = run_suite(suite_input([path], load_suite(config), config), load_suite(config))
    failed = [e["id"] for e in summary["expectations"] if not e["success"]]
    assert failed == ["row_count"]
