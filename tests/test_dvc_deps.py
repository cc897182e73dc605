"""dvc.yaml lists the code each stage runs: the import closure of the modules its command calls.

A stage's `cmd` is a `curate` command; the CLI function behind it imports the modules that do
the work (e.g. `curate deid run` → `curation.commands.deid`). Their import closure within
`curation/` (module-level and lazy imports, package `__init__` files included; see
:func:`curation.provenance.module_closure`) must be covered by the stage's deps, a folder dep
covering every file in it. Two things around that work are not stage code: the CLI shell
(`curation/cli*.py`: arguments, progress, messages) and `curation.params`, which holds every
stage's config model to validate params.yaml as a whole; the parameters a stage reads are
declared in dvc.yaml (`params:`), and its config model lives in its own modules.

The files a stage opens (contracts, word lists, models) are checked by running the pipeline:
tests/test_e2e_dvc_deps.py.
"""

from __future__ import annotations

import ast
import inspect
import shlex
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from curation.provenance import module_closure
from tests.conftest import PROJECT_ROOT

BOUNDARY = ("curation.params",)
# Stages whose output is pinned by a parameter rather than derived from code and files
EXEMPT = {
    "review_pull": "reads the Label Studio server, pinned by review.snapshot: a re-run on a code "
    "change would let new physicians' work in without a snapshot bump",
    "grade_pull": "reads the Label Studio server, pinned by grading.snapshot (as review_pull)",
}


def dvc_stages(root: Path = PROJECT_ROOT) -> dict[str, dict[str, Any]]:
    """Every stage of dvc.yaml; a `foreach` stage once per source (or task of tasks.yaml), as
    `name@key`."""
    pipeline = yaml.safe_load((root / "dvc.yaml").read_text(encoding="utf-8"))

    def declared(name: str) -> dict[str, Any]:
        return yaml.safe_load((root / f"{name}.yaml").read_text(encoding="utf-8"))[name]

    loops = {"${sources}": declared("sources"), "${tasks}": declared("tasks")}
    stages: dict[str, dict[str, Any]] = {}
    for name, body in pipeline["stages"].items():
        if "foreach" not in body:
            stages[name] = body
            continue
        for key, item in loops[body["foreach"]].items():
            text = yaml.safe_dump(body["do"]).replace("${key}", key)
            text = text.replace("${item.path}", str(item.get("path")))
            stages[f"{name}@{key}"] = yaml.safe_load(text)
    return stages


def paths_of(entries: list[Any] | None) -> list[str]:
    """Paths of a deps/outs/metrics list (entries are a path or {path: options})."""
    return [e if isinstance(e, str) else next(iter(e)) for e in entries or []]


def covered(path: str, deps: list[str]) -> bool:
    """True when a dep is the path or a folder that holds it."""
    return any(path == d or path.startswith(d.rstrip("/") + "/") for d in deps)


def _commands(group: Any, words: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if hasattr(group, "commands"):
        for name, sub in group.commands.items():
            yield from _commands(sub, (*words, name))
    else:
        yield words, group


def command_modules(cmd: str) -> list[str]:
    """The `curation` modules that the CLI function behind a `curate ...` command imports."""
    from curation.cli import app

    words = shlex.split(cmd)
    assert words[0] == "curate", cmd
    commands = dict(_commands(typer.main.get_command(app)))
    found = [c for w, c in commands.items() if tuple(words[1 : 1 + len(w)]) == w]
    assert len(found) == 1, f"no single command for {cmd!r}"
    fn = found[0].callback
    while hasattr(fn, "__wrapped__"):
        fn = fn.__wrapped__
    modules = set()
    for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(fn)))):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return sorted(m for m in modules if m.startswith("curation") and m not in BOUNDARY)


def stage_code(cmd: str) -> list[str]:
    """Files (relative to the project root) of the code a stage's command runs."""
    closure = module_closure(*command_modules(cmd), boundary=BOUNDARY)
    return [p.relative_to(PROJECT_ROOT).as_posix() for p in closure]


STAGES = dvc_stages()


def test_the_derivation_finds_the_stage_modules() -> None:
    assert command_modules("curate deid run exam_zh") == [
        "curation.commands.run",
        "curation.stages.deid",
    ]
    code = stage_code("curate deid run exam_zh")
    assert "curation/deid/recognizers/names.py" in code and "curation/taxonomy.py" in code
    assert not [p for p in code if p.startswith(("curation/review", "curation/release"))]
    assert covered("curation/deid/words.py", ["curation/deid"])
    assert not covered("curation/deidx.py", ["curation/deid"])


@pytest.mark.parametrize("stage", sorted(set(STAGES) - set(EXEMPT)))
def test_dvc_yaml_lists_the_code_each_stage_runs(stage: str) -> None:
    body = STAGES[stage]
    deps = paths_of(body.get("deps"))
    missing = [path for path in stage_code(body["cmd"]) if not covered(path, deps)]
    assert not missing, f"dvc.yaml stage {stage} misses code it runs: {missing}"
