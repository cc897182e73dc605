"""Items per second and peak memory of each pipeline stage at growing sizes.

Builds a project of N synthetic items in the bundled mix (the five sample sources, in their
formats: CSV in UTF-8 and GB18030, JSONL, XLSX, Parquet; each seed of the generator adds its
2,900 rows, keys suffixed with the seed), then runs the stages in pipeline order, each as its
own `curate` process (ingest one process per source, as `dvc repro` runs it), and prints one
row per stage and size: wall and CPU seconds, items per second and the peak resident memory
of the process tree (the command and its workers, sampled every 0.2 s). With `--engine ray`
the per-item stages also run on local Ray Data and their outputs are compared byte for byte
with the local engine's.

    python benchmarks/scale.py --sizes 10000 100000
    python benchmarks/scale.py --sizes 10000 --engine both --json benchmarks/out/scale.json
    python benchmarks/scale.py --sizes 1000000 --workdir /data/scale   # 0.4 GB raw, 1.2 GB in all
    python benchmarks/scale.py --sizes 100000 --stages validate        # one stage, again

Nothing is read from ../shared: the data is generated.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from curation.synth import COLUMNS, SOURCES, iter_source, write_source  # noqa: E402
from curation.synth.builder import SynthRecord  # noqa: E402

SEED0 = 20261122
# (label, curate arguments); per-item stages take --engine / --workers.
STAGES: tuple[tuple[str, list[str]], ...] = (
    ("ingest", ["ingest"]),
    ("deid", ["deid", "run"]),
    ("validate", ["validate"]),
    ("tag train", ["tag", "train"]),
    ("tag run", ["tag", "run"]),
    ("dedup", ["dedup"]),
)
PER_ITEM = {"deid", "validate", "tag run"}
PER_SOURCE = {"ingest"}  # dvc.yaml runs it per source (foreach)
OUTPUTS = {"deid": "data/deid", "validate": "data/validated", "tag run": "data/tagged"}


@dataclass
class Row:
    size: int
    stage: str
    engine: str
    items: int
    wall_s: float
    cpu_s: float
    items_per_s: float
    peak_rss_mb: float
    exit_code: int


def rekeyed(name: str, seed: int) -> Iterator[SynthRecord]:
    """One seed's records of a source, keys suffixed with the seed (unique across seeds)."""
    key = COLUMNS[name][0]
    for record in iter_source(name, seed):
        fields = dict(record.fields)
        if fields.get(key) is not None:
            fields[key] = f"{fields[key]}-s{seed}"
        yield SynthRecord(**{**record.__dict__, "fields": fields})


def build_project(workdir: Path, size: int) -> Path:
    """A project with about `size` raw rows in the bundled mix (reused when it exists)."""
    project = workdir / f"scale-{size}"
    marker = project / ".built"
    if marker.is_file():
        return project
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    for name in ("sources.yaml", "params.yaml"):
        shutil.copy(ROOT / name, project / name)
    per_seed = sum(1 for name in SOURCES for _ in iter_source(name, SEED0))
    seeds = [SEED0 + i for i in range(max(1, -(-size // per_seed)))]  # at least `size`
    for name in SOURCES:
        records = (r for seed in seeds for r in rekeyed(name, seed))
        write_source(name, records, project / "raw")
    (project / ".env").write_text("MEDCURATE_DEID_SALT=scale-benchmark-salt\n")
    marker.write_text(str(len(seeds) * per_seed))
    return project


def run_stage(project: Path, label: str, args: list[str], extra: list[str], size: int) -> Row:
    """Run one stage as its own process; sample the tree's memory while it runs."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}
    cmd = [str(Path(sys.executable).with_name("curate")), *args, "--root", str(project), *extra]
    start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = psutil.Popen(
        cmd, env=env, cwd=project.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak = 0
    while proc.poll() is None:
        rss = 0
        for p in [proc, *proc.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):  # a worker that just ended
                rss += p.memory_info().rss
        peak = max(peak, rss)
        time.sleep(0.2)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the tree: workers are waited for
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode:
        print(f"  {label} exited {proc.returncode}: {err.strip().splitlines()[-1:]}")
    items = int((project / ".built").read_text())
    return Row(
        size=size,
        stage=label,
        engine=extra[1] if extra else "local",
        items=items,
        wall_s=round(wall, 1),
        cpu_s=round(cpu, 1),
        items_per_s=round(items / wall, 1) if wall else 0.0,
        peak_rss_mb=round(peak / 2**20),
        exit_code=proc.returncode,
    )


def per_source(project: Path, label: str, args: list[str], size: int) -> Row:
    """A stage that `dvc repro` runs once per source (`curate ingest <source>`): one process
    per source, as there; times summed, peak memory the largest of them."""
    rows = [run_stage(project, label, [*args, name], [], size) for name in SOURCES]
    wall = sum(r.wall_s for r in rows)
    return Row(
        size=size,
        stage=label,
        engine="local",
        items=rows[0].items,
        wall_s=round(wall, 1),
        cpu_s=round(sum(r.cpu_s for r in rows), 1),
        items_per_s=round(rows[0].items / wall, 1) if wall else 0.0,
        peak_rss_mb=max(r.peak_rss_mb for r in rows),
        exit_code=max(r.exit_code for r in rows),
    )


def digest(folder: Path) -> str:
    """One sha256 over every file of a folder (names and bytes)."""
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*.parquet")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--engine", choices=["local", "ray", "both"], default="local")
    parser.add_argument("--workdir", type=Path, default=ROOT / "benchmarks" / "out" / "scale")
    parser.add_argument("--json", type=Path, help="Also write the rows as JSON here.")
    parser.add_argument(
        "--stages",
        nargs="+",
        choices=[label.replace(" ", "_") for label, _ in STAGES],
        help="Run only these stages (in pipeline order; earlier outputs must exist).",
    )
    opts = parser.parse_args()

    rows: list[Row] = []
    print(f"{os.cpu_count()} cores; {psutil.virtual_memory().total / 2**30:.0f} GiB")
    header = f"{'items':>9} {'stage':<10} {'engine':<6} {'wall s':>8} {'CPU s':>8} "
    header += f"{'items/s':>9} {'peak MB':>8}"
    for size in opts.sizes:
        start = time.perf_counter()
        project = build_project(opts.workdir, size)
        print(
            f"\n{size:,} items asked, {int((project / '.built').read_text()):,} raw rows "
            f"({time.perf_counter() - start:.0f} s to generate)"
        )
        print(header)
        ray_digests: dict[str, tuple[str, str]] = {}
        for label, args in STAGES:
            if opts.stages and label.replace(" ", "_") not in opts.stages:
                continue
            row = (
                per_source(project, label, args, size)
                if label in PER_SOURCE
                else run_stage(project, label, args, [], size)
            )
            rows.append(row)
            print(
                f"{row.items:>9,} {label:<10} {'local':<6} {row.wall_s:>8} {row.cpu_s:>8} "
                f"{row.items_per_s:>9} {row.peak_rss_mb:>8}",
                flush=True,
            )
            if opts.engine in ("ray", "both") and label in PER_ITEM:
                local = digest(project / OUTPUTS[label])
                ray_row = run_stage(project, label, args, ["--engine", "ray"], size)
                rows.append(ray_row)
                ray_digests[label] = (local, digest(project / OUTPUTS[label]))
                print(
                    f"{ray_row.items:>9,} {label:<10} {'ray':<6} {ray_row.wall_s:>8} "
                    f"{ray_row.cpu_s:>8} {ray_row.items_per_s:>9} {ray_row.peak_rss_mb:>8}",
                    flush=True,
                )
        total = sum(r.wall_s for r in rows if r.size == size and r.engine == "local")
        print(f"end to end (local): {total:.0f} s = {total / 60:.1f} min")
        for label, (a, b) in ray_digests.items():
            print(f"{label}: local and ray outputs {'identical' if a == b else 'DIFFER'}")
    if opts.json:
        opts.json.parent.mkdir(parents=True, exist_ok=True)
        opts.json.write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n")


if __name__ == "__main__":
    main()
