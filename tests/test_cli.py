"""The CLI through typer's CliRunner: help that teaches, clear errors, no tracebacks."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from curation.cli import app
from tests.conftest import MiniProject

runner = CliRunner()


def test_help_lists_every_command_with_a_purpose() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("ingest", "sources", "synth", "schema", "status"):
        assert command in result.output


def test_bad_config_exits_1_with_message_and_no_traceback(project: MiniProject) -> None:
    project.write("sources.yaml", "sources:\n  demo:\n    path: raw/x.csv\n    formt: csv\n")
    result = runner.invoke(app, ["ingest", "--root", str(project.root)])
    assert result.exit_code == 1
    assert "sources.demo.formt: unknown key 'formt' (did you mean 'format'?)" in result.output
    assert "Traceback" not in result.output


def test_unknown_source_name(project: MiniProject) -> None:
    project.sources({"demo": _record_source()})
    result = runner.invoke(app, ["ingest", "nope", "--root", str(project.root)])
    assert result.exit_code == 1
    assert "unknown source(s): nope; declared: demo" in result.output


def test_missing_raw_file_is_explained(project: MiniProject) -> None:
    project.sources({"demo": _record_source()})
    result = runner.invoke(app, ["ingest", "--root", str(project.root)])
    assert result.exit_code == 1
    assert "path raw/notes.csv does not exist" in result.output
    assert "dvc pull" in result.output


def test_ingest_writes_items_quarantine_and_report(project: MiniProject) -> None:
    project.sources({"demo": _record_source()})
    project.write("raw/notes.csv", "id,text\n1,Patient seen today.\n2,\n")
    result = runner.invoke(app, ["ingest", "--root", str(project.root)])
    assert result.exit_code == 0, result.output
    assert "demo: 2 rows → 1 kept, 1 quarantined (empty_text 1)" in result.output
    report = json.loads((project.root / "reports/ingest/demo.json").read_text())
    assert (report["rows_in"], report["kept"], report["quarantined"]) == (2, 1, 1)
    assert (project.root / "data/ingested/demo.parquet").is_file()
    assert (project.root / "data/quarantine/ingest/demo.parquet").is_file()
    status = runner.invoke(app, ["status", "--root", str(project.root)])
    assert status.exit_code == 0 and "empty_text 1" in status.output


def _record_source() -> dict:
    return {
        "path": "raw/notes.csv",
        "format": "csv",
        "kind": "record",
        "language": "en",
        "license": "CC0-1.0",
        "fields": {"key": "id", "context": "text"},
    }


def test_unexpected_errors_never_print_their_message(project: MiniProject, monkeypatch) -> None:
    import curation.commands.ingest as ingest_command

    def broken(*args, **kwargs):
        raise ValueError("患者张三 13812345678")  # a bug whose message quotes record text

    project.sources({"demo": _record_source()})
    project.write("raw/notes.csv", "id,text\n1,note\n")
    monkeypatch.setattr(ingest_command, "run_ingest", broken)
    monkeypatch.delenv("MEDCURATE_DEBUG", raising=False)
    result = runner.invoke(app, ["ingest", "--root", str(project.root)])
    assert result.exit_code == 2
    assert "ValueError" in result.output and "张三" not in result.output
