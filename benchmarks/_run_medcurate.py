"""Speed-benchmark child: MedCurate's de-identifier (``curation.deid.scan_texts``, batch API).

Run with the project venv's interpreter, e.g.

    .venv/bin/python benchmarks/_run_medcurate.py --input in.json --output out.json
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench_child import Process, Spans, run_child


def load(args: argparse.Namespace) -> tuple[Process, dict[str, Any]]:
    """Import the de-identifier (loading its lexicons/patterns); return the process function."""
    from importlib.metadata import version

    from curation.deid import scan_texts

    workers = int(os.environ.get("MEDCURATE_WORKERS", "1"))  # 1 = one process, like Presidio

    def process(texts: Sequence[str], lang: str) -> list[Spans]:
        results = scan_texts(list(texts), [lang] * len(texts), workers=workers)
        return [[[s.start, s.end, s.label] for s in r.spans] for r in results]

    return process, {"medcurate": version("medcurate"), "workers": workers}


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    return run_child("medcurate", load, argv)


if __name__ == "__main__":
    raise SystemExit(main())
