"""Dedup benchmark on CMExam validation: planted near-duplicates, natural duplicates, speed.

(a) From a deterministic sample of real MCQs, code plants one variant each (options shuffled
    with the answer remapped, spacing/punctuation changes, full-width <-> half-width,
    small paraphrases, character substitutions) in a second source, next to unrelated real
    questions as negatives; reports near-duplicate pair recall and precision at the
    configured thresholds, recall per transformation, and a threshold sweep.
(b) The corpus' own duplicated Question strings: how many end up in one cluster, by how
    their options relate; clusters and merged items on the whole file.
(c) Speed of the dedup stage (rows/s) on the whole file, and on the file plus a variant of
    every row.
(d) Long English notes (MTSamples, no answer key): merges at jaccard_threshold and at 0.6,
    the guard against relaxing the general threshold.

Items are built by the real ingest stage (a temporary CSV source per set), in memory.
The corpus is read from ../shared/corpora (or $MEDCURATE_CORPORA); nothing is copied into the repo.

    python benchmarks/dedup_eval.py                      # defaults: 1000 planted, 2000 negatives
    python benchmarks/dedup_eval.py --sample 300 --negatives 500 --json /tmp/dedup.json
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import CORPORA

from curation.dedup.minhash import cluster_records
from curation.dedup.text import (
    DedupRecord,
    normalize_for_dedup,
    records_from_frame,
    records_from_rows,
)
from curation.sources.readers import open_source
from curation.sources.spec import SourceSpec
from curation.stages.dedup import DedupConfig, dedup
from curation.stages.ingest import IngestConfig, ingest

CORPUS = CORPORA / "cmexam-val" / "val.csv"
MTSAMPLES = CORPORA / "mtsamples" / "mtsamples.csv"
ORIGINAL, PLANTED = "cmexam", "planted"
TRANSFORMS = ("shuffle", "spacing_punct", "width", "paraphrase", "char_sub")
PROBABILITY = {
    "shuffle": 0.5,
    "spacing_punct": 0.5,
    "width": 0.4,
    "paraphrase": 0.6,
    "char_sub": 0.35,
}
PARAPHRASES = (
    ("下列", "以下"),
    ("最可能", "最有可能"),
    ("哪一项", "哪项"),
    ("不正确", "错误"),
    ("首选", "首先选用"),
    ("患者", "病人"),
    ("应考虑", "应该考虑"),
)
_OPTION = re.compile(r"^\s*([A-Z])[\s.．、:：]*(.*)$", re.S)
_OPTION_SPLIT = re.compile(r"\\n|\n")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Mcq:
    """One raw MCQ as in the corpus CSV."""

    key: str
    question: str
    options: list[tuple[str, str]]
    answer: str
    explanation: str
    transforms: list[str] = field(default_factory=list)


def parse_options(packed: str) -> list[tuple[str, str]]:
    """'A xxx\\nB yyy' (real or literal backslash-n) → [(label, text)]."""
    out = []
    for part in _OPTION_SPLIT.split(packed or ""):
        match = _OPTION.match(part)
        if match and match.group(2).strip():
            out.append((match.group(1), match.group(2).strip()))
    return out


def load_corpus(path: Path) -> list[Mcq]:
    """Every usable row of the corpus (question, ≥2 options, answer among them)."""
    frame = pl.read_csv(path, infer_schema=False).fill_null("")
    rows = []
    for i, row in enumerate(frame.iter_rows(named=True), start=1):
        options = parse_options(row["Options"])
        labels = {label for label, _ in options}
        answer = (row["Answer"] or "").strip()
        if row["Question"].strip() and len(options) >= 2 and answer and set(answer) <= labels:
            rows.append(Mcq(f"r{i}", row["Question"], options, answer, row["Explanation"]))
    return rows


# ---------------------------------------------------------------- planted variants


def _shuffle(q: Mcq, rng: random.Random) -> None:
    texts = [t for _, t in q.options]
    right = {t for label, t in q.options if label in q.answer}
    order = list(range(len(texts)))
    while len(texts) > 1 and order == list(range(len(texts))):
        rng.shuffle(order)
    labels = [label for label, _ in q.options]
    q.options = [(labels[k], texts[j]) for k, j in enumerate(order)]
    q.answer = "".join(sorted(label for label, t in q.options if t in right))


def _spacing_punct(q: Mcq, rng: random.Random) -> None:
    text = q.question
    swaps = [("，", ","), (",", "，"), ("。", "."), ("？", "?"), ("、", "，"), ("：", ":")]
    for a, b in rng.sample(swaps, 3):
        text = text.replace(a, b)
    chars = list(text)
    for _ in range(rng.randint(1, 3)):
        chars.insert(rng.randint(0, len(chars)), rng.choice([" ", "  ", "\u3000"]))
    text = "".join(chars)
    text = text.rstrip("。？?. ") if rng.random() < 0.5 else text + rng.choice(["。", "？", "："])
    q.question = text
    q.options = [(label, f" {t} " if rng.random() < 0.3 else t) for label, t in q.options]


def _to_full(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _to_half(text: str) -> str:
    return "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in text)


def _width(q: Mcq, rng: random.Random) -> None:
    convert = _to_half if re.search("[！-～]", q.question) and rng.random() < 0.5 else _to_full
    q.question = convert(q.question)
    q.options = [(label, convert(t)) for label, t in q.options]


def _paraphrase(q: Mcq, rng: random.Random) -> None:
    text = q.question
    done = 0
    for a, b in rng.sample(PARAPHRASES, len(PARAPHRASES)):
        if done == 2:
            break
        if a in text:
            text, done = text.replace(a, b, 1), done + 1
        elif b in text:
            text, done = text.replace(b, a, 1), done + 1
    if done == 0 or rng.random() < 0.3:
        stripped = text.rstrip("。？?：: （）()")
        if stripped.endswith("是"):
            text = stripped[:-1]
        else:
            text = stripped + rng.choice(["是", "是（ ）", "（ ）"])
    q.question = text


def _char_sub(q: Mcq, rng: random.Random, pool: str) -> None:
    chars = list(q.question)
    spots = [i for i, c in enumerate(chars) if _CJK.match(c)]
    for i in rng.sample(spots, min(len(spots), 1 if len(spots) < 30 else 2)):
        chars[i] = rng.choice(pool)
    q.question = "".join(chars)


def make_variant(q: Mcq, rng: random.Random, pool: str) -> Mcq:
    """A planted near-duplicate of q: a random non-empty set of transformations."""
    chosen = [t for t in TRANSFORMS if rng.random() < PROBABILITY[t]] or [rng.choice(TRANSFORMS)]
    v = Mcq("v" + q.key[1:], q.question, list(q.options), q.answer, q.explanation, chosen)
    for name in chosen:
        if name == "char_sub":
            _char_sub(v, rng, pool)
        else:
            {
                "shuffle": _shuffle,
                "spacing_punct": _spacing_punct,
                "width": _width,
                "paraphrase": _paraphrase,
            }[name](v, rng)
    return v


# ---------------------------------------------------------------- items via ingest


def ingest_rows(rows: list[Mcq], source: str) -> pl.DataFrame:
    """Items of MCQ rows, through a temporary CSV source and the real ingest stage."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with (root / "q.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["key", "question", "options", "answer", "explanation"])
            for q in rows:
                packed = "\n".join(f"{label} {text}" for label, text in q.options)
                writer.writerow([q.key, q.question, packed, q.answer, q.explanation])
        spec = SourceSpec.model_validate(
            {
                "name": source,
                "path": "q.csv",
                "format": "csv",
                "kind": "mcq",
                "language": "zh",
                "license": "Apache-2.0",
                "fields": {
                    "key": "key",
                    "question": "question",
                    "options": {"packed": "options"},
                    "answer": "answer",
                    "explanation": "explanation",
                },
            }
        )
        with open_source(spec, root) as raw:
            result = ingest(raw.frame, spec, IngestConfig())
            kept, quarantined = pl.collect_all([result.kept, result.quarantined])
    if quarantined.height:
        print(f"  note: ingest quarantined {quarantined.height} {source} rows", file=sys.stderr)
    return kept


# ---------------------------------------------------------------- metrics


def clusters_of(records: list[DedupRecord], config: DedupConfig) -> dict[str, list[str]]:
    """cluster_id → member item_ids."""
    out: dict[str, list[str]] = defaultdict(list)
    for a in cluster_records(records, config, config.source_priority):
        out[a.cluster_id].append(a.item_id)
    return out


def pair_metrics(
    clusters: dict[str, list[str]], gold: set[frozenset[str]], planted: set[str]
) -> dict[str, float]:
    """Pair recall/precision: predicted pairs are all pairs within a cluster."""
    predicted = {
        frozenset(p) for members in clusters.values() for p in itertools.combinations(members, 2)
    }
    hit = len(predicted & gold)
    involving = {p for p in predicted if p & planted}
    return {
        "gold_pairs": len(gold),
        "predicted_pairs": len(predicted),
        "recall": hit / len(gold) if gold else 1.0,
        "precision": hit / len(predicted) if predicted else 1.0,
        "planted_precision": (len(involving & gold) / len(involving)) if involving else 1.0,
        "unplanted_pairs": len(predicted - involving),
    }


def planted_eval(
    corpus: list[Mcq], config: DedupConfig, sample: int, negatives: int, seed: int
) -> dict[str, Any]:
    """(a) planted near-duplicates among real negatives."""
    rng = random.Random(seed)
    counts = Counter(q.question for q in corpus)
    eligible = [q for q in corpus if counts[q.question] == 1]
    chosen = rng.sample(eligible, sample + negatives)
    originals, others = chosen[:sample], chosen[sample:]
    pool = "".join(sorted({c for q in corpus for c in q.question if _CJK.match(c)}))
    variants = [make_variant(q, random.Random(f"{seed}:{q.key}"), pool) for q in originals]

    base = ingest_rows(originals + others, ORIGINAL)
    plant = ingest_rows(variants, PLANTED)
    items = pl.concat([base, plant])
    key_to_id = {
        (s, k): i for s, k, i in items.select("source", "source_record_key", "item_id").iter_rows()
    }
    gold = set()
    by_transform: dict[str, set[frozenset[str]]] = defaultdict(set)
    for q, v in zip(originals, variants, strict=True):
        a, b = key_to_id.get((ORIGINAL, q.key)), key_to_id.get((PLANTED, v.key))
        if a and b:
            pair = frozenset((a, b))
            gold.add(pair)
            for t in v.transforms:
                by_transform[t].add(pair)
            if len(v.transforms) == 1:
                by_transform[f"only {v.transforms[0]}"].add(pair)
    planted = set(plant["item_id"])
    records = records_from_frame(items)

    def _metrics(cfg: DedupConfig) -> dict[str, float]:
        return pair_metrics(clusters_of(records, cfg), gold, planted)

    t0 = time.perf_counter()
    assigned = cluster_records(records, config, config.source_priority)
    seconds = time.perf_counter() - t0
    clusters: dict[str, list[str]] = defaultdict(list)
    for x in assigned:
        clusters[x.cluster_id].append(x.item_id)
    main = pair_metrics(clusters, gold, planted)
    main["seconds"] = round(seconds, 3)
    rep_of = {x.item_id: x.representative for x in assigned}
    found = [p for p in gold if len({rep_of[x] for x in p}) == 1]
    originals_ids = set(base["item_id"])
    main["representative_is_original"] = (
        sum(1 for p in found if rep_of[next(iter(p))] in originals_ids) / len(found)
        if found
        else 1.0
    )
    member_of = {m: cid for cid, ms in clusters.items() for m in ms}
    transform_recall = {
        t: {
            "pairs": len(pairs),
            "recall": sum(1 for p in pairs if len({member_of[x] for x in p}) == 1) / len(pairs),
        }
        for t, pairs in sorted(by_transform.items())
    }
    missed = [p for p in gold if len({member_of[x] for x in p}) > 1]
    texts = {r.item_id: r.text.replace("\n", " | ") for r in records}
    extra = [
        frozenset(p)
        for ms in clusters.values()
        for p in itertools.combinations(ms, 2)
        if frozenset(p) not in gold
    ]
    examples = {
        "missed": [sorted(texts[x] for x in p) for p in sorted(missed, key=sorted)],
        "not_planted": [sorted(texts[x] for x in p) for p in sorted(extra, key=sorted)],
    }

    sweep = []
    briefed = config.model_copy(
        update={
            "cjk_shingle_size": 5,
            "cjk_mcq_jaccard_threshold": 0.8,
            "jaccard_threshold": 0.8,
            "lsh_threshold": 0.7,
        }
    )
    sweep.append({"setting": "as briefed: n=5 everywhere, J 0.8, LSH 0.7", **_metrics(briefed)})
    for size in (2, 3, 4, 5):
        for jac in (0.5, 0.6, 0.7, 0.8):
            cfg = config.model_copy(
                update={
                    "cjk_shingle_size": size,
                    "cjk_mcq_jaccard_threshold": jac,
                    "lsh_threshold": round(min(jac, config.lsh_threshold), 2),
                }
            )
            sweep.append(
                {"cjk_shingle_size": size, "cjk_mcq_jaccard_threshold": jac, **_metrics(cfg)}
            )
    # the answer check's share: same text threshold, no answer check
    no_answer = config.model_copy(
        update={"answer_must_agree": False, "jaccard_threshold": config.cjk_mcq_jaccard_threshold}
    )
    ablation = _metrics(no_answer)
    return {
        "items": items.height,
        "originals": base.height - len(others),
        "variants": plant.height,
        "negatives": len(others),
        "metrics": main,
        "by_transform": transform_recall,
        "examples": examples,
        "sweep": sweep,
        "without_answer_check": ablation,
    }


def option_relation(group: list[Mcq]) -> str:
    """How the options of same-question rows relate (normalized, order-free)."""
    sets = [Counter(normalize_for_dedup(t) for _, t in q.options) for q in group]
    if all(s == sets[0] for s in sets):
        return "identical options"
    shared = min(sum((s & sets[0]).values()) / max(sum(s.values()), 1) for s in sets[1:])
    return "most options shared (>=60%)" if shared >= 0.6 else "different options"


def natural_eval(corpus: list[Mcq], config: DedupConfig) -> dict[str, Any]:
    """(b) the corpus' duplicated Question strings, and dedup on the whole file."""
    items = ingest_rows(corpus, ORIGINAL)
    result = dedup(items.lazy(), config)
    kept, merged = pl.collect_all([result.kept, result.merged])
    cluster = dict(kept.select("item_id", "cluster_id").iter_rows())
    cluster |= dict(merged.select("item_id", "cluster_id").iter_rows())
    id_of = dict(items.select("source_record_key", "item_id").iter_rows())
    groups: dict[str, list[Mcq]] = defaultdict(list)
    for q in corpus:
        groups[q.question].append(q)
    dup_groups = [g for g in groups.values() if len(g) > 1]
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for g in dup_groups:
        relation = option_relation(g)
        same = len({cluster[id_of[q.key]] for q in g}) == 1
        table[relation]["groups"] += 1
        table[relation]["rows"] += len(g)
        table[relation]["same_cluster"] += same
    return {
        "rows": len(corpus),
        "items": items.height,
        "duplicated_question_strings": len(dup_groups),
        "rows_in_those": sum(len(g) for g in dup_groups),
        "surplus_rows": sum(len(g) - 1 for g in dup_groups),
        "groups_in_one_cluster": sum(c["same_cluster"] for c in table.values()),
        "by_option_relation": {k: dict(v) for k, v in sorted(table.items())},
        "clusters": kept.height,
        "merged": merged.height,
        "merged_exact": merged.filter(pl.col("match") == "exact").height,
        "merged_near": merged.filter(pl.col("match") == "near").height,
    }


def timing(corpus: list[Mcq], config: DedupConfig, repeat: int, seed: int) -> dict[str, Any]:
    """(c) rows/s of the dedup stage (records, signatures, LSH, clusters, frames)."""
    base = ingest_rows(corpus, ORIGINAL)
    pool = "".join(sorted({c for q in corpus for c in q.question if _CJK.match(c)}))
    doubled = pl.concat(
        [
            base,
            ingest_rows(
                [make_variant(q, random.Random(f"{seed}:{q.key}"), pool) for q in corpus],
                PLANTED,
            ),
        ]
    )
    out = {}
    for name, frame in (("whole_file", base), ("file_plus_variants", doubled)):
        runs = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            result = dedup(frame.lazy(), config)
            pl.collect_all([result.kept, result.merged])
            runs.append(time.perf_counter() - t0)
        out[name] = {
            "rows": frame.height,
            "best_s": round(min(runs), 3),
            "median_s": round(statistics.median(runs), 3),
            "rows_per_s": round(frame.height / min(runs)),
        }
    return out


def long_text_guard(path: Path, config: DedupConfig) -> dict[str, Any]:
    """(d) long English notes (no answer key): merges at jaccard_threshold vs a lower one."""
    frame = pl.read_csv(path, infer_schema=False).filter(
        pl.col("transcription").str.strip_chars().str.len_chars() > 0
    )
    rows = [
        {
            "item_id": f"{int(r['note_id']):016x}",
            "source": "mtsamples",
            "context": r["transcription"],
        }
        for r in frame.iter_rows(named=True)
    ]
    records = records_from_rows(rows)
    distinct = frame["transcription"].n_unique()
    out: dict[str, Any] = {"notes": len(rows), "distinct_raw_texts": distinct}
    for name, jac in (("configured", config.jaccard_threshold), ("lowered", 0.6)):
        cfg = config.model_copy(
            update={
                "jaccard_threshold": jac,
                "cjk_mcq_jaccard_threshold": min(jac, config.cjk_mcq_jaccard_threshold),
                "lsh_threshold": min(config.lsh_threshold, jac),
            }
        )
        t0 = time.perf_counter()
        assigned = cluster_records(records, cfg, cfg.source_priority)
        seconds = time.perf_counter() - t0
        kinds = Counter(a.match for a in assigned)
        out[name] = {
            "jaccard_threshold": jac,
            "clusters": kinds["representative"],
            "merged_exact": kinds["exact"],
            "merged_near": kinds["near"],
            "seconds": round(seconds, 2),
        }
    return out


def _print_report(res: dict[str, Any], config: DedupConfig) -> None:
    a, b, c = res["planted"], res["natural"], res["timing"]
    m = a["metrics"]
    print("config: " + " ".join(f"{k}={v}" for k, v in config.model_dump().items()))
    print(
        f"\n(a) planted near-duplicates: {a['originals']} originals + {a['variants']} variants "
        f"+ {a['negatives']} negatives = {a['items']} items"
    )
    print(
        f"  recall {m['recall']:.4f}   precision {m['precision']:.4f}   "
        f"planted-pair precision {m['planted_precision']:.4f}   "
        f"({m['predicted_pairs']} predicted / {m['gold_pairs']} gold pairs; "
        f"{m['unplanted_pairs']} pairs between unplanted real rows)"
    )
    print(
        f"  representative is the original (priority source): {m['representative_is_original']:.4f}"
    )
    print("  recall by transformation (variants having it / having only it):")
    for t, v in a["by_transform"].items():
        print(f"    {t:<22} {v['recall']:.4f}  ({v['pairs']} pairs)")
    for kind, title in (("missed", "missed planted pairs"), ("not_planted", "non-gold pairs")):
        pairs = a["examples"][kind]
        print(f"  {title}: {len(pairs)}; first {min(3, len(pairs))}:")
        for x, y in pairs[:3]:
            print(f"    {x[:50]}\n    {y[:50]}\n")
    ab = a["without_answer_check"]
    print(
        f"  same thresholds without the answer check (all pairs at "
        f"{config.cjk_mcq_jaccard_threshold}): recall {ab['recall']:.4f} "
        f"precision {ab['precision']:.4f} unplanted pairs {ab['unplanted_pairs']}"
    )
    print("\n  sweep (other settings as configured; lsh_threshold = min(configured, MCQ J)):")
    print("    cjk_n  cjk_mcq_J  recall  precision  planted_prec  unplanted_pairs")
    for s in a["sweep"]:
        head = (
            f"    {s['cjk_shingle_size']}      {s['cjk_mcq_jaccard_threshold']:.1f}    "
            if "setting" not in s
            else f"    [{s['setting']}]\n{'':13}"
        )
        print(
            f"{head}    {s['recall']:.4f}  {s['precision']:.4f}     "
            f"{s['planted_precision']:.4f}        {s['unplanted_pairs']}"
        )
    print(
        f"\n(b) whole file: {b['rows']} rows, {b['items']} items → {b['clusters']} clusters, "
        f"{b['merged']} merged ({b['merged_exact']} exact, {b['merged_near']} near)"
    )
    print(
        f"  duplicated Question strings: {b['duplicated_question_strings']} strings in "
        f"{b['rows_in_those']} rows ({b['surplus_rows']} surplus rows); "
        f"{b['groups_in_one_cluster']} groups end up in one cluster"
    )
    for rel, v in b["by_option_relation"].items():
        print(f"    {rel:<28} {v['groups']:>2} groups, {v['same_cluster']:>2} in one cluster")
    print("\n(c) speed of dedup():")
    for name, v in c.items():
        print(
            f"  {name:<20} {v['rows']:>6} rows  best {v['best_s']:.3f}s  "
            f"median {v['median_s']:.3f}s  → {v['rows_per_s']} rows/s"
        )
    d = res.get("long_texts")
    if d:
        print(
            f"\n(d) long English notes (MTSamples, no answer key): {d['notes']} notes, "
            f"{d['distinct_raw_texts']} distinct raw texts"
        )
        for name in ("configured", "lowered"):
            v = d[name]
            print(
                f"  jaccard_threshold {v['jaccard_threshold']:.1f} ({name}): {v['clusters']} "
                f"clusters, merged {v['merged_exact']} exact + {v['merged_near']} near "
                f"({v['seconds']}s)"
            )


def main(argv: list[str] | None = None) -> int:
    """Run the three evaluations and print their figures."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--sample", type=int, default=1000, help="questions given a planted variant")
    ap.add_argument("--negatives", type=int, default=2000, help="unrelated real questions")
    ap.add_argument("--seed", type=int, default=20240613)
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per speed figure")
    ap.add_argument("--shingle-size", type=int, default=None)
    ap.add_argument("--cjk-shingle-size", type=int, default=None)
    ap.add_argument("--jaccard-threshold", type=float, default=None)
    ap.add_argument("--cjk-mcq-jaccard-threshold", type=float, default=None)
    ap.add_argument("--lsh-threshold", type=float, default=None)
    ap.add_argument(
        "--signature-margin", type=float, default=None, help="1 confirms every LSH pair"
    )
    ap.add_argument(
        "--long-texts", type=Path, default=MTSAMPLES, help="(d) English notes (MTSamples CSV)"
    )
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args(argv)
    if not args.corpus.is_file():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    overrides = {
        k: v
        for k, v in (
            ("shingle_size", args.shingle_size),
            ("cjk_shingle_size", args.cjk_shingle_size),
            ("jaccard_threshold", args.jaccard_threshold),
            ("cjk_mcq_jaccard_threshold", args.cjk_mcq_jaccard_threshold),
            ("lsh_threshold", args.lsh_threshold),
            ("signature_margin", args.signature_margin),
        )
        if v is not None
    }
    config = DedupConfig(source_priority=[ORIGINAL], **overrides)
    corpus = load_corpus(args.corpus)
    res = {
        "config": config.model_dump(),
        "planted": planted_eval(corpus, config, args.sample, args.negatives, args.seed),
        "natural": natural_eval(corpus, config),
        "timing": timing(corpus, config, args.repeat, args.seed),
    }
    if args.long_texts.is_file():
        res["long_texts"] = long_text_guard(args.long_texts, config)
    _print_report(res, config)
    if args.json:
        args.json.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
