"""The real `dvc repro` on a small copy of the project: every stage's deps cover the files it
opens, and editing the taxonomy re-runs de-identification and tagging with new version stamps.

The copy runs its own `curation/` (PYTHONPATH), so editing a file of the copy is editing the
code that runs. A `sitecustomize` records, for every `curate` process, the files it opens
(Python's `open` audit event; polars reads parquet natively, unseen, but those inputs are
outputs of earlier stages, checked by DVC itself), except while params.yaml is loaded: its
loader validates every stage's section (the PHI policy for `deid.actions` …), and a stage's
params are declared as `params:`, as in tests/test_dvc_deps.py.
"""

from __future__ import annotations

import itertools
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import yaml

from curation.contracts import SHIPPED, TAXONOMY
from curation.synth import iter_source
from curation.synth.writers import write_source
from tests.conftest import PROJECT_ROOT
from tests.test_dvc_deps import EXEMPT, covered, dvc_stages, paths_of
from tests.test_e2e_dvc import copy_project

pytestmark = pytest.mark.e2e
SMALL = {"exam_zh": 60, "records_zh": 16, "notes_en": 12}  # records per source
HOOK = """\
import atexit, json, os, sys

_opened = set()


def _audit(event, args):
    if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
        frame = sys._getframe(0)
        while frame is not None:  # read to load params.yaml: the stage's params, not its deps
            if frame.f_code.co_filename.endswith(os.path.join("curation", "params.py")):
                return
            frame = frame.f_back
        _opened.add(os.path.abspath(os.fsdecode(args[0])))


def _write():
    if os.path.basename(sys.argv[0] if sys.argv else "") != "curate":
        return
    log = os.path.join(os.environ["MEDCURATE_OPEN_LOG"], f"{os.getpid()}.json")
    with open(log, "w") as fh:
        json.dump({"argv": sys.argv[1:], "opened": sorted(_opened)}, fh)


sys.addaudithook(_audit)
atexit.register(_write)
"""
# Read by a stage, yet not its dependency: params (declared as `params:`, like tasks.yaml;
# sources.yaml also shapes dvc.yaml itself), the secret salt (deliberately not a dependency,
# see README) and DVC's and git's own files.
NOT_DEPS = ("params.yaml", "sources.yaml", "tasks.yaml", ".env", ".dvc/", ".git/")


class Project:
    def __init__(self, root: Path, hooks: Path, log: Path) -> None:
        self.root, self.hooks, self.log = root, hooks, log

    def sh(self, *args: str) -> str:
        env = dict(os.environ)
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
        env["PYTHONPATH"] = f"{self.hooks}{os.pathsep}{self.root}"  # the copy's code runs
        env["MEDCURATE_OPEN_LOG"] = str(self.log)
        env["MEDCURATE_DEID_SALT"] = "e2e-deps-salt"
        env["DVC_NO_ANALYTICS"] = "1"
        done = subprocess.run(args, cwd=self.root, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout + done.stderr

    def opened(self) -> dict[tuple[str, ...], set[str]]:
        """Files under the project each `curate` command opened (relative paths)."""
        found: dict[tuple[str, ...], set[str]] = {}
        for log in self.log.glob("*.json"):
            entry = json.loads(log.read_text(encoding="utf-8"))
            paths = {Path(p) for p in entry["opened"]}
            rel = {
                p.relative_to(self.root).as_posix()
                for p in paths
                if p.is_relative_to(self.root) and p.is_file()
            }
            found.setdefault(tuple(entry["argv"]), set()).update(rel)
        return found

    def stamps(self) -> dict[str, set[str]]:
        """deid_version and tagger names written into the data."""
        deid = pl.concat(
            [
                pl.read_parquet(p, columns=["phi"])
                for p in (self.root / "data/deid").glob("*.parquet")
            ]
        )
        tagged = pl.concat(
            [
                pl.read_parquet(p, columns=["tags"])
                for p in (self.root / "data/tagged").glob("*.parquet")
            ]
        )
        return {
            "deid": set(deid["phi"].struct.field("deid_version").to_list()),
            "tag": set(tagged["tags"].struct.field("tagger").to_list()),
        }


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("small")
    names = ["curation", "schemas", ".dvc/config", ".dvc/.gitignore"]
    copy_project(root, [*names, ".dvcignore", "dvc.yaml", "params.yaml", "tasks.yaml"])
    declared = yaml.safe_load((PROJECT_ROOT / "sources.yaml").read_text(encoding="utf-8"))
    sources = {name: declared["sources"][name] for name in SMALL}
    (root / "sources.yaml").write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True))
    for name, count in SMALL.items():
        write_source(name, itertools.islice(iter_source(name), count), root / "raw")
    hooks, log = tmp_path_factory.mktemp("hooks"), tmp_path_factory.mktemp("opened")
    (hooks / "sitecustomize.py").write_text(HOOK)
    project = Project(root, hooks, log)
    project.sh("git", "init", "-q")
    project.sh("dvc", "repro")
    return project


def test_every_stage_depends_on_the_files_it_opens(small: Project) -> None:
    """Contracts, word lists and models a stage opens are its deps; a shipped contract is
    covered at its override path too (`schemas/…`), where a project may put its own."""
    opened = small.opened()
    stages = dvc_stages(small.root)
    problems = []
    for name, body in sorted(stages.items()):
        argv = tuple(shlex.split(body["cmd"])[1:])
        assert argv in opened, f"{name}: no `curate` run recorded for {argv}"
        if name in EXEMPT:
            continue
        deps = paths_of(body.get("deps"))
        made = [p for kind in ("outs", "metrics", "plots") for p in paths_of(body.get(kind))]
        for path in sorted(opened[argv]):
            if path.startswith(NOT_DEPS) or path.endswith((".py", ".pyc")) or covered(path, made):
                continue
            if not covered(path, deps):
                problems.append(f"{name} opens {path}")
            shipped = (small.root / path).resolve()
            contracts = small.root / SHIPPED.relative_to(PROJECT_ROOT)
            if shipped.is_relative_to(contracts):
                override = shipped.relative_to(contracts).as_posix()
                if not covered(override, deps):
                    problems.append(f"{name} reads {path}, overridable at {override}")
    assert not problems, "dvc.yaml misses files stages read:\n" + "\n".join(problems)


def test_editing_the_taxonomy_reruns_deid_and_tag_with_new_stamps(small: Project) -> None:
    before = small.stamps()
    assert all(len(v) == 1 for v in before.values()), before
    taxonomy = small.root / SHIPPED.relative_to(PROJECT_ROOT) / TAXONOMY
    text = taxonomy.read_text(encoding="utf-8")
    first = "zh: [{term: 预防接种, weight: 3},"
    edited = text.replace(first, first + " {term: 门诊随访复查, weight: 2},", 1)
    assert edited != text
    taxonomy.write_text(edited, encoding="utf-8")
    out = small.sh("dvc", "repro")
    for stage in ("deid@exam_zh", "deid@notes_en", "train_tagger", "tag@records_zh"):
        assert f"Running stage '{stage}'" in out, stage
    assert "Running stage 'ingest@" not in out
    after = small.stamps()
    for kind in ("deid", "tag"):
        assert after[kind].isdisjoint(before[kind]), (kind, before[kind], after[kind])
    report = json.loads((small.root / "reports/deid/exam_zh.json").read_text(encoding="utf-8"))
    assert report["details"]["deid_version"] in after["deid"]
