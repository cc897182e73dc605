"""Evaluate MedCurate's de-identifier against the gold PHI sets and print per-set tables.

Usage (from the project root, with the project venv):

    python benchmarks/deid_eval.py                       # all sets, via `curate deid scan`
    python benchmarks/deid_eval.py --sets asq-phi,hwamei --scanner python --limit 200
    python benchmarks/deid_eval.py --json benchmarks/results/deid_eval.json
    python benchmarks/deid_eval.py --scanner python --sets physionet-dev,asq-phi --peers philter

``--scanner curate`` (default) writes the gold texts to a temp JSONL and runs the real CLI
(``curate`` next to ``sys.executable``); ``--scanner python`` calls
``curation.deid.scan_texts`` in-process; ``--scanner regex`` is a tiny built-in regex baseline
that only exists to check the harness itself (it is not the de-identifier); ``--scanner philter``
/ ``presidio`` run a peer tool in its own venv (``deid_speed.peer_spans``). ``--peers
philter,presidio`` scores the peers on the same gold with the same metrics and prints their
tables beside the scanner's, then a recall / precision / char-precision comparison.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import deid_gold
import deid_metrics
import deid_speed

Spans = list[tuple[int, int, str]]


def curate_executable() -> Path:
    """The ``curate`` console script installed next to the running interpreter."""
    exe = Path(sys.executable).parent / "curate"
    if not exe.exists():
        raise FileNotFoundError(f"{exe} not found: install the project (pip install -e .)")
    return exe


def scan_with_cli(docs: Sequence[deid_gold.GoldDoc]) -> list[Spans]:
    """Run ``curate deid scan`` on the docs via a temp JSONL; spans per doc, in doc order."""
    with tempfile.TemporaryDirectory(prefix="deid_eval_") as tmp:
        src, out = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        with src.open("w", encoding="utf-8") as fh:
            for d in docs:
                fh.write(
                    json.dumps({"id": d.id, "text": d.text, "lang": d.lang}, ensure_ascii=False)
                    + "\n"
                )
        cmd = [str(curate_executable()), "deid", "scan", str(src), "-o", str(out)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
        by_id: dict[str, Spans] = {}
        with out.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    rec = json.loads(line)
                    by_id[str(rec["id"])] = [
                        (int(s["start"]), int(s["end"]), str(s["label"]))
                        for s in rec.get("spans") or []
                    ]
    missing = [d.id for d in docs if d.id not in by_id]
    if missing:
        raise RuntimeError(f"scanner output lacks {len(missing)} ids, e.g. {missing[:3]}")
    return [by_id[d.id] for d in docs]


def scan_with_python(docs: Sequence[deid_gold.GoldDoc]) -> list[Spans]:
    """Call ``curation.deid.scan_texts`` in-process on all texts at once."""
    from curation.deid import scan_texts

    results = scan_texts([d.text for d in docs], [d.lang for d in docs])
    return [[(s.start, s.end, s.label) for s in r.spans] for r in results]


_BASELINE = [
    ("DATE", re.compile(r"\b\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b|\d{4}年\d{1,2}月\d{1,2}日")),
    (
        "DATE",
        re.compile(
            r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? "
            r"\d{1,2}(?:st|nd|rd|th)?,? \d{4}\b"
        ),
    ),
    ("PHONE", re.compile(r"\(?\b\d{3}\)?[-. ]\d{3}[-. ]\d{4}\b|\b1[3-9]\d{9}\b")),
    ("CONTACT", re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")),
    ("ID", re.compile(r"\b\d{3}-\d{2}-\d{4}\b|\b[A-Z]{1,4}-?\d{5,}\b")),
]


def scan_with_regex(docs: Sequence[deid_gold.GoldDoc]) -> list[Spans]:
    """A tiny regex baseline (dates, phones, e-mails, ids) used only to check the harness."""
    return [
        [(m.start(), m.end(), label) for label, rx in _BASELINE for m in rx.finditer(d.text)]
        for d in docs
    ]


def scan_with_peer(tool: str, docs: Sequence[deid_gold.GoldDoc]) -> list[Spans]:
    """Run a peer tool (``deid_speed.PEERS``) on English docs in its own venv and child."""
    langs = {d.lang for d in docs} - {"en"}
    if langs:
        raise RuntimeError(f"{tool} is English-only; set has languages {sorted(langs)}")
    spans = deid_speed.peer_spans(tool, [d.text for d in docs], "en")
    return [[(int(s), int(e), str(lab)) for s, e, lab in doc] for doc in spans]


SCANNERS = {
    "curate": scan_with_cli,
    "python": scan_with_python,
    "regex": scan_with_regex,
    **{peer: partial(scan_with_peer, peer) for peer in deid_speed.PEERS},
}


def run(
    sets: Sequence[str],
    scanner: str,
    limit: int | None,
    missed: int,
    peers: Sequence[str] = (),
) -> dict[str, Any]:
    """Load, scan and score each gold set (and each peer on it); print tables; return figures."""
    out: dict[str, Any] = {"scanner": scanner, "limit": limit, "peers": list(peers), "sets": {}}
    for name in sets:
        try:
            docs, report = deid_gold.load_set(name, limit)
        except (ImportError, KeyError, FileNotFoundError, AttributeError) as exc:
            print(f"\n== {name}: SKIPPED (gold not loadable: {type(exc).__name__}: {exc})")
            out["sets"][name] = {"skipped": f"{type(exc).__name__}: {exc}"}
            continue
        t0 = time.perf_counter()
        preds = SCANNERS[scanner](docs)
        seconds = time.perf_counter() - t0
        result = deid_metrics.evaluate(
            docs, preds, typed_alternatives=deid_gold.TYPED_ALTERNATIVES, missed_limit=missed
        )
        n_chars = sum(len(d.text) for d in docs)
        title = (
            f"\n== {name}: {len(docs)} docs, {n_chars:,} chars, scanned in {seconds:.2f} s "
            f"({scanner})"
        )
        print(deid_metrics.render_table(result, title))
        notes = _load_notes(report)
        if notes:
            print("gold notes: " + "; ".join(notes))
        print(deid_metrics.render_missed(result, missed))
        out["sets"][name] = {
            "docs": len(docs),
            "chars": n_chars,
            "scan_seconds": seconds,
            "load_report": report.as_dict(),
            "metrics": result,
        }
        if peers:
            out["sets"][name]["peers"] = {p: _run_peer(p, name, docs, missed) for p in peers}
    if peers:
        print(render_comparison(out))
    return out


def _run_peer(
    peer: str, name: str, docs: Sequence[deid_gold.GoldDoc], missed: int
) -> dict[str, Any]:
    """Scan a set with a peer tool and print its table (same gold, same metrics)."""
    t0 = time.perf_counter()
    try:
        preds = SCANNERS[peer](docs)
    except RuntimeError as exc:
        print(f"-- {name}: peer {peer} SKIPPED ({exc})")
        return {"skipped": str(exc)}
    seconds = time.perf_counter() - t0
    result = deid_metrics.evaluate(
        docs, preds, typed_alternatives=deid_gold.TYPED_ALTERNATIVES, missed_limit=missed
    )
    title = f"-- {name}: peer {peer}, scanned in {seconds:.2f} s (incl. engine load)"
    print(deid_metrics.render_table(result, title))
    print(deid_metrics.render_missed(result, min(missed, 5)))
    return {"scan_seconds": seconds, "metrics": result}


def render_comparison(out: dict[str, Any]) -> str:
    """One row per set and tool: any-label recall, span precision, char precision, leak."""

    def fmt(x: float | None) -> str:
        return "-" if x is None else f"{100 * x:.1f}%"

    lines = [
        "",
        "== side by side (same gold, same metrics)",
        f"{'set':<28} {'tool':<10} {'gold n':>7} {'recall':>8} {'precision':>10} "
        f"{'char prec':>10} {'leak':>7}",
    ]
    for name, figures in out["sets"].items():
        if "metrics" not in figures:
            continue
        rows = [(out["scanner"], figures["metrics"])]
        rows += [(p, f["metrics"]) for p, f in figures.get("peers", {}).items() if "metrics" in f]
        for tool, m in rows:
            o = m["overall"]
            lines.append(
                f"{name:<28} {tool:<10} {o['gold_n']:>7} {fmt(o['recall']):>8} "
                f"{fmt(o['precision']):>10} {fmt(m.get('char_precision')):>10} "
                f"{fmt(o['leak_rate']):>7}"
            )
    return "\n".join(lines)


def _load_notes(report: deid_gold.LoadReport) -> list[str]:
    """Human-readable notes on what the gold loader fixed, skipped or could not find."""
    notes = []
    if report.offset_mismatches:
        notes.append(
            f"{report.offset_mismatches} offset mismatches ({report.offsets_fixed} "
            f"fixed, {report.offsets_unfixable} dropped)"
        )
    if report.values_not_found:
        notes.append(f"{report.values_not_found} tagged values not found in text")
    if report.values_found_quote_folded:
        notes.append(f"{report.values_found_quote_folded} values found only after quote folding")
    if report.skipped_records:
        notes.append(f"{report.skipped_records} records skipped (broken)")
    return notes


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--sets",
        default=",".join(deid_gold.SETS),
        help=f"comma-separated gold sets (default: {','.join(deid_gold.SETS)})",
    )
    ap.add_argument(
        "--scanner",
        choices=sorted(SCANNERS),
        default="curate",
        help="curate: the CLI via subprocess; python: scan_texts in-process; "
        "regex: harness self-check baseline",
    )
    ap.add_argument("--limit", type=int, default=None, help="only the first N docs of each set")
    ap.add_argument("--missed", type=int, default=15, help="missed entities listed per set")
    ap.add_argument(
        "--peers",
        default="",
        help=f"comma-separated peer tools scored beside the scanner ({','.join(deid_speed.PEERS)})",
    )
    ap.add_argument("--json", type=Path, default=None, help="write all figures to this file")
    args = ap.parse_args(argv)
    sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = [s for s in sets if s not in deid_gold.SETS]
    if unknown:
        ap.error(f"unknown sets {unknown}; known: {', '.join(deid_gold.SETS)}")
    peers = [p.strip() for p in args.peers.split(",") if p.strip()]
    if not set(peers) <= set(deid_speed.PEERS):
        ap.error(f"--peers must be a subset of {','.join(deid_speed.PEERS)}")
    try:
        out = run(sets, args.scanner, args.limit, args.missed, peers)
    except (ImportError, FileNotFoundError, RuntimeError) as exc:
        print(f"error: scanner {args.scanner!r} failed: {exc}", file=sys.stderr)
        return 2
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
