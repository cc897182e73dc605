"""Errors by kind: a configuration or resource error stops a stage with a clear message and
exit 1; only a failure of one record quarantines that record."""

from __future__ import annotations

import shutil

import polars as pl
import pytest
from typer.testing import CliRunner

from curation.cli import app
from curation.contracts import TAXONOMY, shipped_path
from curation.deid.engine import Detector
from curation.deid.policy import load_policy
from curation.errors import ConfigError, SetupError
from curation.paths import ProjectPaths
from curation.stages.deid import DECLARED as DEID
from curation.stages.deid import DeidConfig, RecordDeidentifier
from curation.stages.runner import run_item_stage
from tests.conftest import MiniProject

runner = CliRunner()
NOTES = "id,text\n1,患者张三，电话13812345678。\n2,普通记录，没有隐私。\n3,复查血常规。\n"


def flat(output: str) -> str:
    """Command output without the line breaks rich adds to fit the terminal."""
    return output.replace("\n", "")


def ingested(project: MiniProject, monkeypatch: pytest.MonkeyPatch) -> MiniProject:
    """A project with one ingested record source of three records (and a salt)."""
    monkeypatch.setenv("MEDCURATE_DEID_SALT", "errors-salt")
    project.sources(
        {
            "notes": {
                "path": "raw/notes.csv",
                "format": "csv",
                "kind": "record",
                "language": "zh",
                "license": "CC0-1.0",
                "fields": {"key": "id", "context": "text"},
            }
        }
    )
    project.write("raw/notes.csv", NOTES)
    result = runner.invoke(app, ["ingest", "--root", str(project.root)])
    assert result.exit_code == 0, result.output
    return project


def test_a_broken_taxonomy_stops_deid_before_any_record(
    project: MiniProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingested(project, monkeypatch)
    taxonomy = project.write(
        TAXONOMY,
        shipped_path(TAXONOMY).read_text(encoding="utf-8").replace("weight: 3", "weight: 7", 1),
    )
    result = runner.invoke(app, ["deid", "run", "--root", str(project.root)])
    assert result.exit_code == 1, result.output
    assert f"{taxonomy} is invalid" in flat(result.output) and "weight 7" in result.output
    assert "internal error" not in result.output
    for rel in ("data/deid", "data/quarantine/deid", "reports/deid"):
        assert not (project.root / rel).exists(), rel  # nothing written, nothing quarantined


def test_an_unreadable_taxonomy_names_the_file(
    project: MiniProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingested(project, monkeypatch)
    project.write(TAXONOMY, b"specialties:\n  - code: '03'\n    zh: \xff\xfe\n")
    result = runner.invoke(app, ["deid", "run", "--root", str(project.root)])
    assert result.exit_code == 1, result.output
    assert f"{project.root / TAXONOMY}: not valid UTF-8" in flat(result.output)
    assert not (project.root / "data/quarantine/deid").exists()


def test_the_projects_taxonomy_is_the_one_deid_reads(
    project: MiniProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An intact project copy of the taxonomy works like the shipped one."""
    ingested(project, monkeypatch)
    (project.root / "schemas").mkdir()
    shutil.copy(shipped_path(TAXONOMY), project.root / TAXONOMY)
    result = runner.invoke(app, ["deid", "run", "--root", str(project.root)])
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(project.root / "data/deid/notes.parquet").height == 3


@pytest.mark.parametrize(
    "error",
    [
        OSError(28, "No space left on device"),
        MemoryError(),
        ImportError("No module named 'jieba'"),
        ConfigError("schemas/x.yaml: broken", hint="a hint of its own"),
    ],
)
def test_a_fatal_error_during_records_stops_the_stage(
    project: MiniProject, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    ingested(project, monkeypatch)
    original = Detector._detect_with

    def failing(self: Detector, text: str, *args):
        if "普通记录" in text:
            raise error
        return original(self, text, *args)

    monkeypatch.setattr(Detector, "_detect_with", failing)
    with pytest.raises(type(error)) as raised:
        run_item_stage(DEID, ProjectPaths(project.root), "notes", DeidConfig())
    assert raised.value is error  # the original error, its hint intact
    for rel in ("data/deid", "data/quarantine/deid", "reports/deid"):
        assert not any((project.root / rel).glob("*")), rel  # a stopped stage leaves nothing


def test_a_failure_of_one_record_quarantines_only_that_record(
    project: MiniProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingested(project, monkeypatch)
    original = Detector._detect_with

    def failing(self: Detector, text: str, *args):
        if "普通记录" in text:
            raise KeyError("普通记录")  # a per-record failure; its message holds text
        return original(self, text, *args)

    monkeypatch.setattr(Detector, "_detect_with", failing)
    report = run_item_stage(DEID, ProjectPaths(project.root), "notes", DeidConfig())
    assert (report.kept, report.quarantined_by_reason) == (2, {"deid_error": 1})
    detail = pl.read_parquet(project.root / "data/quarantine/deid/notes.parquet")["detail"]
    assert detail.item() == "KeyError"


def test_setup_runs_the_whole_record_path_before_any_record(monkeypatch) -> None:
    """A failure that would hit every record (here: in detection) fails the setup instead."""

    def broken(self: Detector, text: str, *args):
        raise KeyError("a bug")

    monkeypatch.setattr(Detector, "_detect_with", broken)
    with pytest.raises(SetupError, match="could not start: KeyError"):
        RecordDeidentifier(DeidConfig(), b"salt", load_policy())


def test_a_machine_error_stops_curate_deid_run_with_exit_1(
    project: MiniProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk while records are handled: exit 1 naming the error, no output left behind,
    no record quarantined."""
    ingested(project, monkeypatch)
    original = Detector._detect_with

    def failing(self: Detector, text: str, *args):
        if "普通记录" in text:
            raise OSError(28, "No space left on device")
        return original(self, text, *args)

    monkeypatch.setattr(Detector, "_detect_with", failing)
    monkeypatch.delenv("MEDCURATE_DEBUG", raising=False)
    result = runner.invoke(app, ["deid", "run", "--root", str(project.root)])
    assert result.exit_code == 1, result.output
    assert "OSError: [Errno 28] No space left on device" in flat(result.output)
    assert not list((project.root / "data").glob("**/deid/*.parquet"))
    assert not (project.root / "reports/deid").exists()
