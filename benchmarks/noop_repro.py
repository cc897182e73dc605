"""Seconds a `dvc repro` with nothing to do takes (the scale target asks for 2 at most).

Builds the demo project (a git clone of this repository, `curate init`, then one full
`dvc repro` on the bundled sample data: a few minutes) in a work directory, unless
`--project` names one already reproduced, then times `dvc repro` again `--repeat` times and
prints each run, the median, and whether DVC ran anything.

    python benchmarks/noop_repro.py                          # build in benchmarks/out/noop
    python benchmarks/noop_repro.py --project /tmp/demo --repeat 5

Nothing is read from ../shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(cmd, cwd=cwd, env=env, text=True, capture_output=True, check=True)


def build(project: Path) -> None:
    """The demo project, reproduced once (a clone: the pipeline is the repository's)."""
    if not project.is_dir():
        project.parent.mkdir(parents=True, exist_ok=True)
        run(["git", "clone", "--quiet", str(ROOT), str(project)], ROOT)
        run([str(BIN / "curate"), "init"], project)
        run([str(BIN / "dvc"), "repro"], project)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, default=ROOT / "benchmarks" / "out" / "noop")
    parser.add_argument("--repeat", type=int, default=3)
    opts = parser.parse_args()
    build(opts.project)
    times = []
    for n in range(opts.repeat):
        start = time.perf_counter()
        out = run([str(BIN / "dvc"), "repro"], opts.project).stdout
        times.append(time.perf_counter() - start)
        ran = "Running stage" in out
        print(f"run {n + 1}: {times[-1]:.2f} s{'  (DVC ran a stage!)' if ran else ''}")
    print(f"median {statistics.median(times):.2f} s over {len(times)} no-op `dvc repro`")


if __name__ == "__main__":
    main()
