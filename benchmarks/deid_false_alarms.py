"""Count what the de-identifier masks in real clinical text that carries (almost) no PHI.

MTSamples (English transcriptions, names already removed by its authors) and Toyhom (Chinese
online consultations) have no gold PHI, so every masked span is a candidate false alarm: it
destroys benchmark content. The script prints spans per category and per recognizer, the
most frequent masked strings, and the most frequent strings of each recognizer (so an over-mask
is traceable to the rule that made it), so a new recognizer can be checked for over-masking
before it lands. Masked strings are public corpus text (not patient data).

Usage (from the project root, with the project venv):

    python benchmarks/deid_false_alarms.py                        # both corpora, top 25 strings
    python benchmarks/deid_false_alarms.py --corpora mtsamples --top 60 --recognizer en_name_v1
    python benchmarks/deid_false_alarms.py --corpora mtsamples --top-per-recognizer 20
    python benchmarks/deid_false_alarms.py --json benchmarks/results/false_alarms.json
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from deid_gold import CORPORA

from curation.deid import scan_texts


def load_corpus(name: str, limit: int | None = None) -> tuple[list[str], str]:
    """Texts of a corpus without gold PHI, and its language."""
    if name == "mtsamples":
        path, column, lang = CORPORA / "mtsamples" / "mtsamples.csv", "transcription", "en"
    elif name == "toyhom":
        path, column, lang = CORPORA / "toyhom-im-sample" / "toyhom_im_sample.utf8.csv", "", "zh"
    else:
        raise SystemExit(f"unknown corpus {name!r}: use mtsamples or toyhom")
    texts: list[str] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            text = row[column] if column else "\n".join((row["title"], row["ask"], row["answer"]))
            if text and text.strip():
                texts.append(text)
            if limit and len(texts) >= limit:
                break
    return texts, lang


def count(texts: list[str], lang: str, recognizer: str | None) -> dict:
    """Spans per category and recognizer, the most masked strings overall and per recognizer."""
    results = scan_texts(texts, [lang] * len(texts))
    by_category: Counter[str] = Counter()
    by_recognizer: Counter[str] = Counter()
    strings: Counter[str] = Counter()
    per_recognizer: dict[str, Counter[str]] = {}
    for text, result in zip(texts, results, strict=True):
        for span in result.spans:
            by_category[span.label] += 1
            by_recognizer[span.recognizer] += 1
            per_recognizer.setdefault(span.recognizer, Counter())[
                f"{span.label:<13} {text[span.start : span.end]!r}"
            ] += 1
            if recognizer is None or span.recognizer == recognizer:
                strings[
                    f"{span.label:<13} {span.recognizer:<26} {text[span.start : span.end]!r}"
                ] += 1
    return {
        "texts": len(texts),
        "spans": sum(by_category.values()),
        "by_category": dict(by_category.most_common()),
        "by_recognizer": dict(by_recognizer.most_common()),
        "top_strings": strings.most_common(),
        "top_by_recognizer": {
            name: per_recognizer[name].most_common() for name, _ in by_recognizer.most_common()
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", default="mtsamples,toyhom")
    parser.add_argument("--limit", type=int, default=None, help="first N texts of each corpus")
    parser.add_argument("--top", type=int, default=25, help="most masked strings shown")
    parser.add_argument("--recognizer", default=None, help="only list this recognizer's strings")
    parser.add_argument(
        "--top-per-recognizer", type=int, default=10, help="most masked strings per recognizer"
    )
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()
    report = {}
    for name in args.corpora.split(","):
        texts, lang = load_corpus(name, args.limit)
        figures = count(texts, lang, args.recognizer)
        per_rec = {
            rec: top[: args.top_per_recognizer] for rec, top in figures["top_by_recognizer"].items()
        }
        report[name] = {
            **figures,
            "top_strings": figures["top_strings"][: args.top],
            "top_by_recognizer": per_rec,
        }
        print(f"== {name}: {figures['texts']:,} texts, {figures['spans']:,} spans")
        print("   by category:  ", figures["by_category"])
        print("   by recognizer:", figures["by_recognizer"])
        for string, n in figures["top_strings"][: args.top]:
            print(f"   {n:>5}  {string}")
        if args.top_per_recognizer > 0:
            print(f"   top {args.top_per_recognizer} masked strings per recognizer:")
            for rec, top in per_rec.items():
                print(f"   -- {rec or '(unnamed)'}: {figures['by_recognizer'][rec]:,} spans")
                for string, n in top:
                    print(f"   {n:>7}  {string}")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
