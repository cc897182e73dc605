"""Specialty tagging accuracy on real labeled corpora written by others.

* Toyhom internal-medicine dialogues (Chinese, 11 routing departments), also as a Taiwanese
  writer would write them (OpenCC ``s2twp``: Traditional characters and Taiwan's words), tagged
  by a model trained on the Simplified originals;
* MTSamples transcriptions with exactly one clinical specialty (English).

Gold labels map onto taxonomy codes through `tag_label_map.yaml` (data, beside this file).
Reports top-1 accuracy and macro-F1 for the cold-start lexicon tagger (no training) and for
the trained tagger under grouped 5-fold cross-validation (duplicate texts share a group, so
no duplicate straddles train and test).

    python benchmarks/tag_eval.py [--corpora toyhom,toyhom-traditional,mtsamples] [--json out.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import opencc
import yaml
from corpora import CORPORA
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedGroupKFold

from curation.identity import normalize_text
from curation.tagging.lexicon import LexiconTagger
from curation.tagging.trained import TrainedTagger
from curation.taxonomy import load_taxonomy

HERE = Path(__file__).resolve().parent
LABELS = yaml.safe_load((HERE / "tag_label_map.yaml").read_text(encoding="utf-8"))


def load_toyhom(with_answer: bool) -> tuple[list[str], list[str], list[str]]:
    """(texts, gold labels, groups): patient title + question (+ the doctor's answer)."""
    path = CORPORA / "toyhom-im-sample" / "toyhom_im_sample.utf8.csv"
    texts, labels, groups = [], [], []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            text = f"{row['title']}\n{row['ask']}" + (f"\n{row['answer']}" if with_answer else "")
            texts.append(text)
            labels.append(row["department"])
            groups.append(normalize_text(row["title"] + row["ask"]))
    return texts, labels, groups


def load_mtsamples() -> tuple[list[str], list[str], list[str]]:
    """(texts, gold labels, groups) of the unique transcriptions with one clinical specialty."""
    base = CORPORA / "mtsamples"
    csv.field_size_limit(10**9)
    notes = {
        r["note_id"]: r["transcription"]
        for r in csv.DictReader((base / "mtsamples.csv").open(encoding="utf-8", newline=""))
    }
    texts, labels, groups = [], [], []
    for row in csv.DictReader((base / "mtsamples_dedup_labels.csv").open(encoding="utf-8")):
        label = row["specialties_excl_doctype"]
        if label and "|" not in label and label in LABELS["mtsamples"]:
            text = notes.get(row["first_note_id"], "")
            if text.strip():
                texts.append(text)
                labels.append(label)
                groups.append(row["first_note_id"])
    return texts, labels, groups


def correct(predicted: str | None, accepted: list[str]) -> bool:
    """A prediction is right when it is, or lies under, an accepted code."""
    return predicted is not None and any(
        predicted == code or predicted.startswith(code + ".") for code in accepted
    )


def score(predicted: list[str | None], labels: list[str], table: dict) -> dict:
    """Top-1 accuracy and macro-F1 over the gold labels."""
    hits = [correct(p, table[g]) for p, g in zip(predicted, labels, strict=True)]
    as_label = [g if h else f"wrong:{p}" for p, g, h in zip(predicted, labels, hits, strict=True)]
    return {
        "n": len(labels),
        "accuracy": round(float(np.mean(hits)), 4),
        "macro_f1": round(
            float(
                f1_score(
                    labels, as_label, labels=sorted(set(labels)), average="macro", zero_division=0
                )
            ),
            4,
        ),
    }


def evaluate(
    name: str,
    texts: list[str],
    labels: list[str],
    groups: list[str],
    lang: str,
    shown: list[str] | None = None,
) -> dict:
    """Lexicon and trained tagger figures for one corpus. `shown`: the texts as tagged, when
    they differ from the ones the trained tagger learns from (another script)."""
    shown = shown or texts
    table = LABELS["toyhom" if name.startswith("toyhom") else "mtsamples"]
    start = time.perf_counter()
    lexicon = LexiconTagger().predict(shown, [lang] * len(texts))
    lex_seconds = time.perf_counter() - start
    out = {"lexicon": score([p.specialty_code for p in lexicon], labels, table)}
    out["lexicon"]["texts_per_s"] = round(len(texts) / lex_seconds)
    out["lexicon"]["no_evidence"] = sum(p.specialty_code is None for p in lexicon)
    classes = [table[g][0] for g in labels]
    predicted: list[str | None] = [None] * len(texts)
    folds = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=0)
    for train, test in folds.split(texts, classes, groups):
        model = TrainedTagger.fit([texts[i] for i in train], [classes[i] for i in train])
        for i, p in zip(test, model.predict([shown[i] for i in test]), strict=True):
            predicted[i] = p.specialty_code
    out["trained_cv5"] = score(predicted, labels, table)
    out["labels"] = dict(Counter(labels).most_common())
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", default="toyhom,toyhom-traditional,toyhom-qa,mtsamples")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if not CORPORA.is_dir():
        print(f"{CORPORA} not found: the public corpora are needed", file=sys.stderr)
        return 2
    load_taxonomy()
    results = {}
    for name in args.corpora.split(","):
        if name == "toyhom":
            results[name] = evaluate(name, *load_toyhom(with_answer=False), "zh")
        elif name == "toyhom-traditional":  # trained on Simplified, tags Traditional text
            texts, labels, groups = load_toyhom(with_answer=False)
            taiwanese = opencc.OpenCC("s2twp")  # Taiwan's characters and words
            shown = [taiwanese.convert(t) for t in texts]
            results[name] = evaluate(name, texts, labels, groups, "zh", shown)
        elif name == "toyhom-qa":
            results[name] = evaluate(name, *load_toyhom(with_answer=True), "zh")
        elif name == "mtsamples":
            results[name] = evaluate(name, *load_mtsamples(), "en")
    head = ("corpus", "n", "lexicon acc", "macro-F1", "trained acc", "macro-F1")
    print(f"{head[0]:<19} {head[1]:>6} {head[2]:>12} {head[3]:>9} {head[4]:>12} {head[5]:>9}")
    for name, r in results.items():
        lex, tr = r["lexicon"], r["trained_cv5"]
        print(
            f"{name:<19} {lex['n']:>6} {lex['accuracy']:>12.3f} {lex['macro_f1']:>9.3f} "
            f"{tr['accuracy']:>12.3f} {tr['macro_f1']:>9.3f}"
        )
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
