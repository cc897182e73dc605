"""Shared driver for the speed-benchmark child processes (standard library only).

A child is started by ``deid_speed.py`` with its tool's interpreter. It reads an input JSON
``{"lang": "en", "timed": [text, ...], "extra": {name: [text, ...]}}``, loads its engine (not
timed), warms it up on a few texts (not timed), times ``--repeat`` passes over ``timed`` with
``time.perf_counter`` (stopping early when another pass would take the timed work past
``--max-seconds``; at least one pass always runs), runs ``extra`` once, and writes
``{"tool", "load_seconds", "seconds": [...], "spans": [[[s, e, label], ...] per text],
"extra_spans": {name: [...]}, "info": {...}}``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

Spans = list[list[Any]]
#: ``process(texts, lang) -> spans per text`` (the de-identified text is produced and dropped).
Process = Callable[[Sequence[str], str], list[Spans]]


def run_child(
    tool: str,
    load: Callable[[argparse.Namespace], tuple[Process, dict[str, Any]]],
    argv: Sequence[str] | None = None,
    extra_args: Callable[[argparse.ArgumentParser], None] | None = None,
) -> int:
    """Parse the child CLI, load the engine, time the passes, and write the output JSON."""
    ap = argparse.ArgumentParser(description=f"{tool} speed-benchmark child")
    ap.add_argument("--input", type=Path, required=True)
    ap.add_argument("--output", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--max-seconds",
        type=float,
        default=float("inf"),
        help="skip further passes that would take timed work past this",
    )
    ap.add_argument("--warmup", type=int, default=3, help="texts processed untimed first")
    if extra_args:
        extra_args(ap)
    args = ap.parse_args(argv)
    data = json.loads(args.input.read_text(encoding="utf-8"))
    lang, texts = data.get("lang", "en"), data["timed"]

    t0 = time.perf_counter()
    process, info = load(args)
    load_seconds = time.perf_counter() - t0
    if args.warmup and texts:
        process(texts[: args.warmup], lang)

    seconds: list[float] = []
    spans: list[Spans] = []
    for _ in range(max(1, args.repeat)):
        t = time.perf_counter()
        spans = process(texts, lang)
        seconds.append(time.perf_counter() - t)
        if sum(seconds) + seconds[-1] > args.max_seconds:  # the next pass would overrun
            break

    extra_spans = {name: process(batch, lang) for name, batch in data.get("extra", {}).items()}
    out = {
        "tool": tool,
        "load_seconds": load_seconds,
        "repeats_requested": args.repeat,
        "seconds": seconds,
        "spans": spans,
        "extra_spans": extra_spans,
        "info": info,
    }
    args.output.write_text(json.dumps(out), encoding="utf-8")
    return 0
