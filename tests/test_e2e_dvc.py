"""End to end: the real `dvc repro` on a temporary copy of the project and its bundled data."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.e2e
# .dvc/config only: a developer's local DVC cache (and its run cache) must not leak in
COPIED = [
    "curation",
    "raw",
    "schemas",
    ".dvc/config",
    ".dvc/.gitignore",
    "dvc.yaml",
    "params.yaml",
    "sources.yaml",
    "tasks.yaml",
]


def copy_project(root: Path, names: list[str]) -> None:
    """Copy these files and folders of the project into a throwaway project root."""
    for name in names:
        src = PROJECT_ROOT / name
        if src.is_dir():
            shutil.copytree(src, root / name, ignore=shutil.ignore_patterns("__pycache__", "tmp"))
        else:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, root / name)


def sh(cwd: Path, *args: str) -> str:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    env["DVC_NO_ANALYTICS"] = "1"
    env["MEDCURATE_DEID_SALT"] = "e2e-test-salt"
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def digests(root: Path) -> dict[str, str]:
    files = sorted((root / "data").rglob("*.parquet")) + sorted((root / "reports").rglob("*.json"))
    return {str(f.relative_to(root)): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    copy_project(root, COPIED)
    sh(root, "git", "init", "-q")
    sh(root, "dvc", "repro")
    return root


def test_repro_ingests_every_source_with_full_accounting(pipeline: Path) -> None:
    sources = yaml.safe_load((pipeline / "sources.yaml").read_text())["sources"]
    for name in sources:
        report = json.loads((pipeline / f"reports/ingest/{name}.json").read_text())
        assert report["rows_in"] == report["kept"] + report["quarantined"] > 0, name
        assert report["kept"] > 0 and report["quarantined"] > 0, name  # samples plant bad rows


def test_deid_accounts_for_every_item_and_removes_planted_identifiers(pipeline: Path) -> None:
    import polars as pl

    from curation.synth import SOURCES, iter_source

    sources = yaml.safe_load((pipeline / "sources.yaml").read_text())["sources"]
    for name in sources:
        ingest = json.loads((pipeline / f"reports/ingest/{name}.json").read_text())
        deid = json.loads((pipeline / f"reports/deid/{name}.json").read_text())
        assert deid["rows_in"] == ingest["kept"] == deid["kept"] + deid["quarantined"], name
    text = "\n".join(
        line or ""
        for name in sources
        for line in pl.read_parquet(pipeline / f"data/deid/{name}.parquet")
        .select(pl.concat_str(["question", "context", "answer_text"], ignore_nulls=True))
        .to_series()
        .to_list()
    )
    planted = {
        rec.fields[column][s.start : s.end]
        for source in SOURCES
        for rec in iter_source(source)
        if not rec.broken
        for column, spans in rec.spans.items()
        for s in spans
        if s.label in ("ID", "PHONE", "CONTACT") and s.end - s.start >= 6
    }
    assert planted and not [v for v in planted if v in text]


def test_accounting_holds_across_every_stage(pipeline: Path) -> None:
    """Each stage takes exactly what the one before kept; nothing is lost along the way."""

    def report(*parts: str) -> dict:
        return json.loads((pipeline / "reports" / Path(*parts)).read_text())

    sources = yaml.safe_load((pipeline / "sources.yaml").read_text())["sources"]
    validation = report("validation.json")
    tagged = 0
    for name in sources:
        ingest, deid, tag = (
            report("ingest", f"{name}.json"),
            report("deid", f"{name}.json"),
            report("tag", f"{name}.json"),
        )
        valid = validation["sources"][name]
        assert ingest["rows_in"] == ingest["kept"] + ingest["quarantined"]
        assert deid["rows_in"] == ingest["kept"] == deid["kept"] + deid["quarantined"]
        assert valid["rows_in"] == deid["kept"] == valid["kept"] + valid["quarantined"]
        assert tag["rows_in"] == valid["kept"] == tag["kept"] + tag["quarantined"]
        tagged += tag["kept"]
    dedup = report("dedup.json")
    assert dedup["rows_in"] == tagged == dedup["kept"] + dedup["merged"]
    tasks = yaml.safe_load((pipeline / "tasks.yaml").read_text())["tasks"]
    for task in tasks:
        built = report("tasks", f"{task}.json")
        assert built["items_in"] == dedup["kept"] == built["instances"] + built["not_eligible"]
        assert built["instances"] > 0, task
    review = report("review.json")  # snapshot 0: nothing reviewed yet, every item pending
    assert review["rows_in"] == dedup["kept"] == review["kept"] + review["quarantined"]
    assert review["details"]["by_status"] == {"pending": dedup["kept"]}
    assert report("agreement.json")["items_reviewed"] == 0
    splits = report("splits.json")  # no final decision yet: nothing eligible for a release
    assert (splits["items_in"], splits["eligible"]) == (review["kept"], 0)
    assert validation["success"] is True
    assert (pipeline / "reports" / "data_docs" / "index.html").is_file()


def test_second_repro_has_nothing_to_do(pipeline: Path) -> None:
    out = sh(pipeline, "dvc", "repro")
    assert "Data and pipelines are up to date" in out


def test_rerun_is_byte_identical(pipeline: Path) -> None:
    before = digests(pipeline)
    shutil.rmtree(pipeline / "data")
    shutil.rmtree(pipeline / "reports")
    sh(pipeline, "dvc", "repro", "--force")
    assert digests(pipeline) == before


def test_editing_one_source_reruns_only_its_branch(pipeline: Path) -> None:
    path = pipeline / "sources.yaml"
    original = path.read_text()
    data = yaml.safe_load(original)
    data["sources"]["exam_en"]["description"] = "edited"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    try:
        status = sh(pipeline, "dvc", "status")
        assert "ingest@exam_en" in status
        assert "ingest@exam_zh" not in status and "ingest@notes_en" not in status
    finally:
        path.write_text(original)


def test_editing_one_task_rebuilds_only_that_task(pipeline: Path) -> None:
    path = pipeline / "tasks.yaml"
    original = path.read_text(encoding="utf-8")
    data = yaml.safe_load(original)
    data["tasks"]["diagnosis"]["instruction"]["en"] = "State the diagnoses."
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        status = sh(pipeline, "dvc", "status")
        assert "tasks@diagnosis" in status
        others = [t for t in data["tasks"] if t != "diagnosis"]
        assert others and not [t for t in others if f"tasks@{t}" in status]
        assert "dedup" not in status and "ingest@" not in status
    finally:
        path.write_text(original, encoding="utf-8")
