"""Release gates: checks that must all pass before a single release file is written.

Each gate returns the problems it found, naming the items (ids only, never text): unreviewed or
rejected items, residual PHI, items that changed split since a published release, train/test
near-duplicates (MinHash, and 13-gram overlap), test items that duplicate a previous release's
train items (contamination), schema violations, and license conflicts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from pydantic import ValidationError

from curation.dedup.index import DedupIndex, ngrams
from curation.models import Item
from curation.release.licenses import license_problems
from curation.release.splits import ACCEPTED
from curation.stages.deid import gate_recognizers, record_texts, residual_phi_many

SHOWN = 10  # item ids named per problem; the count says how many more
GATE_BATCH = 1000  # items whose texts the residual-PHI gate reads at once


@dataclass
class GateReport:
    """What every gate found."""

    problems: dict[str, list[str]] = field(default_factory=dict)

    def add(self, gate: str, message: str) -> None:
        self.problems.setdefault(gate, []).append(message)

    @property
    def passed(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        return "\n".join(f"[{gate}] {m}" for gate, ms in self.problems.items() for m in ms)


def _ids(ids: list[str]) -> str:
    shown = ", ".join(sorted(ids)[:SHOWN])
    return shown + (f" … and {len(ids) - SHOWN} more" if len(ids) > SHOWN else "")


def review_gate(items: pl.DataFrame, report: GateReport) -> None:
    """Every item reviewed, with a final accepting decision."""
    review = pl.col("review")
    status, decision = review.struct.field("status"), review.struct.field("decision")
    why = (
        pl.when(review.is_null())
        .then(pl.lit("never reviewed"))
        .when(status != "final")
        .then(pl.lit("review ") + status)
        .when(~decision.is_in(list(ACCEPTED)) | decision.is_null())
        .then(pl.lit("decision ") + decision.fill_null("none"))
    )
    bad = items.select("item_id", why=why).drop_nulls("why")
    for (reason,), group in sorted(bad.group_by("why"), key=lambda g: g[0]):
        ids = group["item_id"].to_list()
        report.add("review", f"{len(ids)} item(s) not accepted ({reason}): {_ids(ids)}")


def phi_gate(items: pl.DataFrame, recognizers: list[str], report: GateReport) -> None:
    """The residual-PHI recognizers (checksummed IDs, phones, emails …) find nothing."""
    gate = gate_recognizers(recognizers)
    hits = {}
    for batch in items.iter_slices(GATE_BATCH):  # the gate's triggers run over a batch at once
        rows = batch.to_dicts()
        found = residual_phi_many([record_texts(row) for row in rows], gate)
        hits |= {row["item_id"]: f for row, f in zip(rows, found, strict=True) if f}
    if hits:
        categories = sum(hits.values(), Counter())
        report.add(
            "phi",
            f"{len(hits)} item(s) still hold identifiers ("
            + ", ".join(f"{c} {n}" for c, n in sorted(categories.items()))
            + f"): {_ids(list(hits))}",
        )


def schema_gate(items: pl.DataFrame, report: GateReport) -> None:
    """Every row is a valid item."""
    bad = []
    names = [c for c in items.columns if c != "split"]
    for row in items.select(names).iter_rows(named=True):
        try:
            Item.model_validate(row)
        except ValidationError:
            bad.append(row["item_id"])
    if bad:
        report.add("schema", f"{len(bad)} item(s) fail the item model: {_ids(bad)}")


def stability_gate(items: pl.DataFrame, pinned: dict[str, str], report: GateReport) -> None:
    """No item changed split since a published release."""
    moved = [
        item
        for item, split in items.select("item_id", "split").iter_rows()
        if item in pinned and pinned[item] != split
    ]
    if moved:
        report.add(
            "stability",
            f"{len(moved)} item(s) changed split since a published release: {_ids(moved)}",
        )


def text_of(row: dict[str, Any]) -> str:
    return "\n".join(filter(None, record_texts(row)))


def overlap_pairs(
    queries: list[dict[str, Any]], indexed: list[dict[str, Any]], n: int, threshold: float
) -> list[tuple[str, str, float]]:
    """(query id, indexed id, share of the query's n-grams in the indexed item) ≥ threshold."""
    owners: dict[tuple[str, ...], set[int]] = defaultdict(set)
    for k, row in enumerate(indexed):
        for gram in ngrams(text_of(row), n):
            owners[gram].add(k)
    found = []
    for row in queries:
        grams = ngrams(text_of(row), n)
        if not grams:
            continue
        shared: Counter[int] = Counter()
        for gram in grams:
            shared.update(owners.get(gram, ()))
        for k, count in shared.items():
            share = count / len(grams)
            if share >= threshold:
                found.append((row["item_id"], indexed[k]["item_id"], round(share, 4)))
    return sorted(found)


def contamination(
    queries: pl.DataFrame, indexed: pl.DataFrame, n: int, threshold: float, settings: Any = None
) -> list[tuple[str, str, str]]:
    """(query id, indexed id, how) for near-duplicates between two item sets."""
    if queries.is_empty() or indexed.is_empty():
        return []
    minhash = DedupIndex.build(indexed, settings).near_duplicates(queries)
    grams = overlap_pairs(
        list(queries.iter_rows(named=True)), list(indexed.iter_rows(named=True)), n, threshold
    )
    pairs = {(a, b): f"minhash jaccard {j}" for a, b, j in minhash}
    for a, b, share in grams:
        pairs.setdefault((a, b), f"{n}-gram overlap {share}")
    return sorted((a, b, how) for (a, b), how in pairs.items())


def leak_gate(
    items: pl.DataFrame,
    previous_train: pl.DataFrame,
    n: int,
    threshold: float,
    report: GateReport,
    settings: Any = None,
) -> None:
    """No near-duplicate between train and test, nor between test and a prior release's train."""
    test = items.filter(pl.col("split") == "test")
    train = items.filter(pl.col("split") == "train")
    for label, other in (("train", train), ("a previous release's train", previous_train)):
        pairs = contamination(test, other, n, threshold, settings)
        if pairs:
            shown = "; ".join(f"{a} ~ {b} ({how})" for a, b, how in pairs[:SHOWN])
            more = f" … and {len(pairs) - SHOWN} more" if len(pairs) > SHOWN else ""
            report.add(
                "contamination",
                f"{len(pairs)} test item(s) near-duplicate {label} items: {shown}{more}",
            )


def license_gate(
    items: pl.DataFrame, config_of: pl.Expr, declare_non_commercial: bool, report: GateReport
) -> None:
    """Each release config combines only compatible licenses (and says non-commercial)."""
    rows = items.select(config=config_of, source="source", license="license").unique()
    for config, group in sorted(rows.group_by("config"), key=lambda g: g[0]):
        by_source = dict(group.select("source", "license").iter_rows())
        for problem in license_problems(config[0], by_source, declare_non_commercial):
            report.add("license", problem)
