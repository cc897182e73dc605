"""Robustness of the de-identifier on every public corpus: no text may make it raise.

Every text of every corpus in ``../shared/corpora`` (or ``$MEDCURATE_CORPORA``) goes through
``curation.deid.scan_texts`` — the path `curate deid scan`, the benchmarks and the deid stage
share — one corpus row as one record (its cells are the record's texts), in the corpus's
language and, with ``--languages both`` (the default), in the other one too (a mislabeled
record must not crash either). A batch that raises is rescanned record by record, so each
failing record is counted. Spans are checked: sorted, non-overlapping, within the text.

Printed per corpus and language: records, texts, characters, exceptions (must be 0), bad
spans (must be 0), spans found, seconds, and the slowest batch's seconds. The ``adversarial``
set needs no corpus: 200,000-character runs shaped to stall a regex, one record a batch, so
its slowest figure is the worst text (the deid stage gives up a text after
``deid.time_budget`` seconds, 20 by default, and quarantines the record).
Exceptions are reported by type and code location only, never with the text.

Usage (from the project root, with the project venv):

    python benchmarks/deid_robustness.py
    python benchmarks/deid_robustness.py --corpora mtsamples,physionet --languages own
    python benchmarks/deid_robustness.py --json benchmarks/results/robustness.json
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import CORPORA  # ../shared/corpora or $MEDCURATE_CORPORA

from curation.deid import ScanResult, scan_texts

Record = list[str]
BATCH = 256  # records per scan_texts call


def _csv_rows(path: Path, columns: tuple[str, ...], encoding: str = "utf-8") -> Iterator[Record]:
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding=encoding, newline="") as fh:
        for row in csv.DictReader(fh):
            yield [row.get(c) or "" for c in columns]


def mtsamples() -> Iterator[Record]:
    columns = ("description", "medical_specialty", "sample_name", "transcription", "keywords")
    yield from _csv_rows(CORPORA / "mtsamples" / "mtsamples.csv", columns)


def toyhom() -> Iterator[Record]:
    folder, columns = CORPORA / "toyhom-im-sample", ("department", "title", "ask", "answer")
    yield from _csv_rows(folder / "toyhom_im_sample.utf8.csv", columns)
    yield from _csv_rows(folder / "样例_内科5000-6000.gb18030.csv", columns, "gb18030")


def cmexam() -> Iterator[Record]:
    columns = ("Question", "Options", "Answer", "Explanation")
    yield from _csv_rows(CORPORA / "cmexam-val" / "val.csv", columns)


def cmmlu() -> Iterator[Record]:
    for path in sorted((CORPORA / "cmmlu-medical").glob("*/*.csv")):
        yield from _csv_rows(path, ("Question", "A", "B", "C", "D", "Answer"))


def asq_phi() -> Iterator[Record]:
    from deid_gold import parse_asq_phi

    raw = (CORPORA / "asq-phi" / "synthetic_clinical_queries.txt").read_text(encoding="utf-8")
    for query, _ in parse_asq_phi(raw):
        yield [query]


def presidio_synth() -> Iterator[Record]:
    path = CORPORA / "presidio-synth" / "synth_dataset_v2.json"
    for record in json.loads(path.read_text(encoding="utf-8")):
        yield [record["full_text"]]


def hwamei() -> Iterator[Record]:
    for path in sorted((CORPORA / "hwamei-privacy-sample").glob("*.json")):
        yield ["".join(json.loads(path.read_text(encoding="utf-8"))["tokens"])]


def physionet() -> Iterator[Record]:
    from deid_gold import _PHYSIONET_RECORD

    raw = (CORPORA / "physionet-deid-dev" / "id.text").read_text(encoding="utf-8")
    for match in _PHYSIONET_RECORD.finditer(raw):
        yield [match[3]]


def adversarial() -> Iterator[Record]:
    """Texts shaped to stall a regex (no corpus needed): 200,000-character runs of digits, of
    digits and separators, of capitals, of Han characters, of cues, of invisible characters."""
    n = 200_000
    for unit in (
        "1", "1 ", "1/", "1-", "1.", "1,", "a1", "A ", "Dr. A", "张", "第1", "a@", "\u200b",
        "ABCDEFG ", "Mr. Smith ", "住在", "电话1", "(1)", "1:1", "x10^", "'1",
    ):  # fmt: skip
        yield [unit * (n // len(unit))]


CORPUS_READERS: dict[str, tuple[Callable[[], Iterator[Record]], str]] = {
    "adversarial": (adversarial, "en"),
    "mtsamples": (mtsamples, "en"),
    "toyhom": (toyhom, "zh"),
    "cmexam-val": (cmexam, "zh"),
    "cmmlu-medical": (cmmlu, "zh"),
    "asq-phi": (asq_phi, "en"),
    "presidio-synth": (presidio_synth, "en"),
    "hwamei": (hwamei, "zh"),
    "physionet": (physionet, "en"),
}


@dataclass
class Figures:
    """What one corpus in one language gave."""

    corpus: str
    language: str
    records: int = 0
    texts: int = 0
    chars: int = 0
    exceptions: int = 0
    bad_spans: int = 0
    spans: int = 0
    seconds: float = 0.0
    slowest: float = 0.0  # seconds of the slowest batch (one record each for adversarial)
    errors: Counter[str] = field(default_factory=Counter)  # "Type at file:line" → records


def bad_spans(text: str, spans: list) -> int:
    """Spans that are empty, out of bounds, unsorted or overlapping."""
    bad, end = 0, 0
    for span in spans:
        if not (0 <= span.start < span.end <= len(text)) or span.start < end:
            bad += 1
        end = max(end, span.end)
    return bad


def where(exc: BaseException) -> str:
    """Exception type and the innermost frame inside the package (no message: it may hold text)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/curation/" in f.filename]
    frame = frames[-1] if frames else traceback.extract_tb(exc.__traceback__)[-1]
    return f"{type(exc).__name__} at {frame.filename.split('/curation/')[-1]}:{frame.lineno}"


def _scan(records: list[Record], language: str) -> list[ScanResult]:
    texts = [t for r in records for t in r]
    keys = [k for k, r in enumerate(records) for _ in r]
    return scan_texts(texts, [language] * len(texts), records=keys)


def run(corpus: str, language: str, records: list[Record]) -> Figures:
    """Scan a corpus batch by batch; a batch that raises is rescanned record by record."""
    figures = Figures(corpus, language, len(records))
    started = time.perf_counter()
    size = 1 if corpus == "adversarial" else BATCH
    for k in range(0, len(records), size):
        batch = records[k : k + size]
        batch_started = time.perf_counter()
        try:
            results = _scan(batch, language)
        except Exception:
            results = []
            for record in batch:
                try:
                    results += _scan([record], language)
                except Exception as exc:
                    figures.exceptions += 1
                    figures.errors[where(exc)] += 1
        figures.slowest = max(figures.slowest, time.perf_counter() - batch_started)
        texts = [t for r in batch for t in r]
        if len(results) == len(texts):
            for text, result in zip(texts, results, strict=True):
                figures.bad_spans += bad_spans(text, result.spans)
                figures.spans += len(result.spans)
    figures.seconds = time.perf_counter() - started
    figures.texts = sum(len(r) for r in records)
    figures.chars = sum(len(t) for r in records for t in r)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", default=",".join(CORPUS_READERS))
    parser.add_argument(
        "--languages", choices=("own", "both"), default="both",
        help="own: each corpus in its language; both: in zh and in en",
    )  # fmt: skip
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()
    rows: list[Figures] = []
    header = f"{'corpus':<15} {'lang':<4} {'records':>8} {'texts':>8} {'chars':>11} "
    header += f"{'exceptions':>10} {'bad spans':>9} {'spans':>7} {'seconds':>8} {'slowest':>8}"
    print(header)
    print("-" * len(header))
    for name in args.corpora.split(","):
        if name not in CORPUS_READERS:
            raise SystemExit(f"unknown corpus {name!r}: one of {', '.join(CORPUS_READERS)}")
        reader, own = CORPUS_READERS[name]
        records = list(reader())
        languages = [own] if args.languages == "own" else [own, "en" if own == "zh" else "zh"]
        for language in languages:
            f = run(name, language, records)
            rows.append(f)
            print(
                f"{f.corpus:<15} {f.language:<4} {f.records:>8,} {f.texts:>8,} {f.chars:>11,} "
                f"{f.exceptions:>10} {f.bad_spans:>9} {f.spans:>7,} {f.seconds:>8.1f} "
                f"{f.slowest:>8.2f}",
                flush=True,
            )
            for error, n in f.errors.most_common():
                print(f"    {n:>5} x {error}")
    failures = sum(f.exceptions + f.bad_spans for f in rows)
    print("-" * len(header))
    print(f"total: {sum(f.texts for f in rows):,} texts, {failures} failures")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        data = [asdict(f) | {"errors": dict(f.errors)} for f in rows]
        args.json.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
