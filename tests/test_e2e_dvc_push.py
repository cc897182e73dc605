"""End to end: `dvc push` to a directory remote never carries raw (pre-deid) records."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import pytest
import yaml

from tests.test_e2e_dvc import COPIED, copy_project, sh

pytestmark = pytest.mark.e2e

SOURCE = {
    "path": "raw/notes.csv",
    "format": "csv",
    "kind": "record",
    "language": "zh",
    "license": "CC0-1.0",
    "fields": {"key": "record_id", "context": "text"},
}
ROWS = [
    ("r1", "患者姓名：张三，2023年3月15日入院，2023年3月20日出院。张三电话13812345678。"),
    ("r2", "复查：13812345678mg"),  # a phone hidden in a dose: the residual gate quarantines it
    ("r3", ""),  # empty_text: quarantined at ingest
    ("r1", "患者李四，电话13912345678。"),  # duplicate_key: quarantined at ingest
    ("r4", "普通记录，没有隐私。"),
]
RAW = ["data/ingested/notes.parquet", "data/quarantine/ingest/notes.parquet"]
RAW += ["data/quarantine/deid/notes.parquet"]
DEIDENTIFIED = ["data/deid/notes.parquet"]


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def pushed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A one-source project run through ingest and deid, then pushed to a directory remote."""
    root = tmp_path_factory.mktemp("project")
    copy_project(root, [n for n in COPIED if n not in ("raw", "sources.yaml")])
    (root / "raw").mkdir()
    (root / "raw/notes.csv").write_text(
        "record_id,text\n" + "".join(f'{key},"{text}"\n' for key, text in ROWS), encoding="utf-8"
    )
    (root / "sources.yaml").write_text(
        yaml.safe_dump({"sources": {"notes": SOURCE}}, allow_unicode=True), encoding="utf-8"
    )
    remote = tmp_path_factory.mktemp("remote")
    sh(root, "git", "init", "-q")
    sh(root, "dvc", "repro", "deid")
    sh(root, "dvc", "remote", "add", "-d", "local", str(remote))
    sh(root, "dvc", "push")
    sh(root, "dvc", "push", "--run-cache")
    return root, remote


def test_dvc_push_carries_no_raw_records(pushed: tuple[Path, Path]) -> None:
    root, remote = pushed
    for name in RAW[1:]:  # the quarantines hold rows: the check is not vacuous
        assert pl.read_parquet(root / name).height > 0, name
    stored = {md5(p) for p in remote.rglob("*") if p.is_file()}
    assert not [name for name in RAW if md5(root / name) in stored]
    assert all(md5(root / name) in stored for name in DEIDENTIFIED)  # de-identified: pushed
    assert (remote / "files" / "md5" / md5(root / DEIDENTIFIED[0])[:2]).is_dir()
