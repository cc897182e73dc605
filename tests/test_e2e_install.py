"""A non-editable install runs the pipeline outside the source tree: the contracts (taxonomy,
PHI policy, expectation suite, label maps, licenses) and word lists come with the package."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from curation.contracts import CONTRACTS
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.e2e


def run(cwd: Path, *args: str | Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MEDCURATE_DEID_SALT")}
    env["DVC_NO_ANALYTICS"] = "1"
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding a wheel of this source (no editable link to the source tree); its
    dependencies are this environment's, reached through a path entry (offline, fast)."""
    base = tmp_path_factory.mktemp("install")
    src = base / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(PROJECT_ROOT / name, src / name)
    shutil.copytree(
        PROJECT_ROOT / "curation", src / "curation", ignore=shutil.ignore_patterns("__pycache__")
    )
    py = sys.executable
    run(
        base, py, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", "dist", src
    )
    (wheel,) = (base / "dist").glob("medcurate-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"curation/contracts/{name}" for name in CONTRACTS} <= names
    venv = base / "venv"
    run(base, py, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    site = Path(
        run(base, python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip()
    )
    (site / "parent_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(
        base, py, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", wheel
    )
    return venv


def test_the_installed_package_runs_the_first_stages_outside_the_source_tree(
    installed: Path, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    shutil.copytree(PROJECT_ROOT / "raw", project / "raw")
    for name in ("sources.yaml", "params.yaml"):
        shutil.copy2(PROJECT_ROOT / name, project / name)
    where = run(
        project, installed / "bin" / "python", "-c", "import curation; print(curation.__file__)"
    )
    assert Path(where.strip()).is_relative_to(installed)  # not the source tree
    curate = installed / "bin" / "curate"
    run(project, curate, "init")
    assert "kept" in run(project, curate, "ingest")
    # each reads contracts: PHI policy + taxonomy (deid), the suite, the taxonomy (lexicon tagger)
    run(project, curate, "deid", "run", "exam_en")
    run(project, curate, "validate", "exam_en")
    run(project, curate, "tag", "run", "exam_en")
    run(project, curate, "dedup", "exam_en")
    report = json.loads((project / "reports/dedup.json").read_text(encoding="utf-8"))
    assert report["rows_in"] == report["kept"] + report["merged"] > 0
    assert not (project / "schemas").exists()  # nothing came from a project override
