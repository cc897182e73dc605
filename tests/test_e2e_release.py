"""End to end: the whole loop on a copy of the project, with a real Label Studio.

`dvc repro` → `curate review push` (a slice of the queue) → simulated physicians → bump the
snapshot → `dvc repro` (pull, agreement, merge, split) → `curate release 1.0.0`; then the
pipeline is re-run from scratch on the same inputs and params, and the rebuilt release must equal
the published one byte for byte.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from curation.review.server import KEY_VAR, URL_VAR, LocalServer
from tests.conftest import PROJECT_ROOT
from tests.test_e2e_dvc import COPIED, sh

pytestmark = pytest.mark.e2e


def test_whole_pipeline_rebuilds_the_release_byte_for_byte(
    labelstudio: LocalServer, tmp_path: Path
) -> None:
    root = tmp_path / "project"
    for name in COPIED:
        src = PROJECT_ROOT / name
        if src.is_dir():
            shutil.copytree(src, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, root / name)
    env = labelstudio.env_values()
    (root / ".env").write_text(f"{URL_VAR}={env[URL_VAR]}\n{KEY_VAR}={env[KEY_VAR]}\n")
    params = root / "params.yaml"
    params.write_text(params.read_text().replace("name: medcurate-demo", "name: e2e-release"))
    sh(root, "git", "init", "-q")
    sh(root, "dvc", "repro")
    sh(root, "curate", "review", "push", "--limit", "60")
    sh(root, "curate", "review", "simulate", "--disagreement", "0.1")
    sh(root, "curate", "review", "snapshot")
    sh(root, "dvc", "repro")
    out = sh(root, "curate", "release", "1.0.0")
    assert "release 1.0.0 written" in out
    published = root / "releases" / "1.0.0"
    sh(root, "curate", "release", "verify", "1.0.0")

    shutil.rmtree(root / "data")
    shutil.rmtree(root / "reports")
    sh(root, "dvc", "repro", "--force")
    rebuilt = tmp_path / "rebuilt"
    sh(root, "curate", "release", "1.0.0", "--output", str(rebuilt))
    files = sorted(p.relative_to(published) for p in published.rglob("*") if p.is_file())
    assert files and files == sorted(
        p.relative_to(rebuilt) for p in rebuilt.rglob("*") if p.is_file()
    )
    for name in files:
        assert (published / name).read_bytes() == (rebuilt / name).read_bytes(), name
    sh(root, "curate", "release", "verify", "1.0.0", "--output", str(rebuilt))
