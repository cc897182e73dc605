"""One detection path: `curate deid scan`, `scan_texts`, the deid stage and the review edit
screen find the same spans with the same settings (params.yaml, section deid)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml
from typer.testing import CliRunner

from curation.cli import app
from curation.deid import DetectionSettings, scan_texts
from curation.deid.engine import Detector
from curation.deid.policy import load_policy
from curation.deid.record import record_language
from curation.params import load_params
from curation.stages.deid import DeidConfig, RecordDeidentifier, record_texts
from curation.stages.review import screen_edit
from tests.conftest import MiniProject

ROOT = Path(__file__).resolve().parent.parent


def row(key: str, language: str, **fields: Any) -> dict[str, Any]:
    """A record of the item model, as the deid stage reads it."""
    base: dict[str, Any] = {
        "item_id": f"id-{key}",
        "source_record_key": key,
        "language": language,
        "kind": "qa",
        "question": None,
        "context": None,
        "answer_text": None,
        "explanation": None,
        "options": [],
        "turns": [],
    }
    return base | fields


ROWS = [
    row(
        "zh1",
        "zh",
        context="患者姓名：张三，男，45岁。2023年3月15日入院，联系电话13812345678。",
        question="张三出院时应如何随访？",  # the bare name: found only by propagation
        answer_text="张三应在2023年4月1日复诊。",
        kind="mcq",
        options=[{"label": "A", "text": "张三每周复查"}, {"label": "B", "text": "无需随访"}],
    ),
    row(
        "en1",
        "en",
        context="Patient: Mr. John Smith, MRN 00482913, seen 03/15/2023 at Boston Medical Center.",
        question="What should Smith do next?",  # the surname alone: propagated
        turns=[
            {"speaker": "Doctor", "text": "Call me at (617) 555-0100, Mr. Smith."},
            {"speaker": "Patient", "text": "My email is john.smith@example.com."},
        ],
    ),
    row("zh2", "zh-CN", context="医生：李医生，请问王芳的检查结果？", question="无隐私的问题。"),
    row("en2", "EN", question="Jane Doe, 52, lives in Springfield.", explanation="Doe agreed."),
]


def as_tuples(spans) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in spans]


def scan_cli(tmp_path: Path, rows: list[dict[str, Any]], params: Path | None) -> list[list]:
    """Spans per text of `curate deid scan`, a record's texts as consecutive lines."""
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    lines = [
        {"id": f"{r['source_record_key']}:{n}", "text": t, "lang": r["language"], "record": k}
        for k, r in enumerate(rows)
        for n, t in enumerate(record_texts(r))
    ]
    source.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), "utf-8")
    args = ["deid", "scan", str(source), "-o", str(target)]
    result = CliRunner().invoke(app, args + (["--params", str(params)] if params else []))
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    return [[(s["start"], s["end"], s["label"]) for s in o["spans"]] for o in out]


@pytest.mark.parametrize("min_score", [0.5, 0.95])
def test_scan_cli_scan_texts_stage_and_review_agree(tmp_path: Path, min_score: float) -> None:
    params = tmp_path / "params.yaml"
    params.write_text(yaml.safe_dump({"deid": {"min_score": min_score}}), encoding="utf-8")
    config = load_params(params).deid
    texts = [record_texts(r) for r in ROWS]
    flat = [t for ts in texts for t in ts]

    cli = scan_cli(tmp_path, ROWS, params)
    scanned = scan_texts(
        flat,
        [r["language"] for r, ts in zip(ROWS, texts, strict=True) for _ in ts],
        records=[k for k, ts in enumerate(texts) for _ in ts],
        settings=config.detection(),
    )
    worker = RecordDeidentifier(config, b"salt", load_policy())
    stage = [as_tuples(s) for spans, _key in worker.detect(ROWS) for s in spans]
    assert cli == [as_tuples(r.spans) for r in scanned] == stage
    assert sum(map(len, stage)) > 0

    # what the stage replaces is what it detected
    for r, (spans, _key) in zip(ROWS, worker.detect(ROWS), strict=True):
        out = worker(r)
        assert out["_reason"] in (None, "residual_phi")
        marks = [m["category"] for m in out["phi"]["marks"]]
        assert marks == [s.label for ss in spans for s in ss]

    # the review screen of an edit (a record of one text) sees what a scan of it sees
    policy = load_policy()
    for r in ROWS:
        blank = row("blank", r["language"], kind="qa", question="")
        for text in filter(None, record_texts(r)):
            screened, masked = screen_edit(blank, text, policy, config.detection())
            [alone] = scan_texts([text], [r["language"]], settings=config.detection())
            assert (screened, masked) == (alone.text, len(alone.spans))


def test_settings_change_what_is_found() -> None:
    """The settings are no decoration: a high min_score finds less on the same records."""
    texts = [t for r in ROWS for t in record_texts(r)]
    low = scan_texts(texts, settings=DetectionSettings(min_score=0.5))
    high = scan_texts(texts, settings=DetectionSettings(min_score=0.95))
    assert sum(len(r.spans) for r in high) < sum(len(r.spans) for r in low)


def test_scan_reads_params_yaml_of_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "params.yaml").write_text("deid:\n  min_score: 0.95\n", encoding="utf-8")
    implicit = scan_cli(tmp_path, ROWS, None)
    (tmp_path / "params.yaml").unlink()
    default = scan_cli(tmp_path, ROWS, None)
    assert implicit != default
    texts = [t for r in ROWS for t in record_texts(r)]
    keys = [k for k, r in enumerate(ROWS) for _ in record_texts(r)]
    langs = [r["language"] for r in ROWS for _ in record_texts(r)]
    high = scan_texts(texts, langs, records=keys, settings=DetectionSettings(min_score=0.95))
    assert implicit == [as_tuples(r.spans) for r in high]


def test_scan_names_a_missing_params_file(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "x"}\n', encoding="utf-8")
    args = ["deid", "scan", str(source), "-o", str(tmp_path / "o"), "--params", "nope.yaml"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1 and "nope.yaml does not exist" in result.output


def test_default_settings_are_the_projects_params() -> None:
    """Library defaults (benchmarks) and the shipped params.yaml must not drift apart."""
    assert load_params(ROOT / "params.yaml").deid.detection() == DetectionSettings()
    assert DeidConfig().detection() == DetectionSettings()


@pytest.mark.parametrize(
    ("language", "texts", "expected"),
    [
        ("zh-CN", ["x"], "zh"),
        ("EN_us", ["张三"], "en"),
        (None, ["患者张三", "Patient"], "zh"),
        ("fr", ["Patient seen."], "en"),
        ("", [], "en"),
    ],
)
def test_record_language(language: str | None, texts: list[str], expected: str) -> None:
    assert record_language(texts, language) == expected


def _deid_project(project: MiniProject, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("MEDCURATE_DEID_SALT", "report-salt")
    project.write(
        "raw/r.csv", "record_id,text\nr1,患者张三电话13812345678\nr2,普通记录，没有隐私。\n"
    )
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
    assert runner.invoke(app, ["ingest", "--root", str(project.root)]).exit_code == 0
    return runner


def test_deid_report_counts_deid_errors(
    project: MiniProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = _deid_project(project, monkeypatch)
    report_path = project.root / "reports/deid/recs.json"
    assert runner.invoke(app, ["deid", "run", "--root", str(project.root)]).exit_code == 0
    assert json.loads(report_path.read_text(encoding="utf-8"))["details"]["deid_errors"] == 0

    original = Detector._detect_with

    def flaky(self: Detector, text: str, *args: Any):
        if "普通记录" in text:
            raise IndexError("boom")
        return original(self, text, *args)

    monkeypatch.setattr(Detector, "_detect_with", flaky)
    result = runner.invoke(app, ["deid", "run", "--root", str(project.root)])
    assert result.exit_code == 0, result.output
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["details"]["deid_errors"] == 1
    assert report["quarantined_by_reason"]["deid_error"] == 1
    assert report["kept"] == 1
    quarantined = pl.read_parquet(project.root / "data/quarantine/deid/recs.parquet")
    assert quarantined["detail"].to_list() == ["IndexError"]


def test_propagation_finds_what_an_alternation_of_the_values_finds() -> None:
    """Propagation scans a record for its found values with str.find, not a regex compiled per
    record; it must give re.finditer's matches over their alternation (longest value first):
    leftmost, no overlap, the earlier value winning at a shared start."""
    import random
    import re

    from curation.deid.engine import _occurrences

    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice("张三ab ") for _ in range(rng.randint(0, 30)))
        values = {"".join(rng.choice("张三ab ") for _ in range(rng.randint(1, 4))) for _ in "123"}
        ordered = sorted(values, key=len, reverse=True)
        pattern = re.compile("|".join(re.escape(v) for v in ordered))
        assert _occurrences(text, ordered) == [m.span() for m in pattern.finditer(text)]
