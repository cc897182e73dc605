"""De-identification metrics: pure functions over gold docs and predicted spans (no I/O).

Definitions (all offsets are code-point offsets into the original text, ``end`` exclusive):

- An entity is CAUGHT when every non-whitespace character of it is covered by some predicted
  span of any label (privacy is what matters) -> ``recall``. ``recall_typed`` only counts
  coverage by spans whose label equals the entity's category (or an allowed alternative, e.g.
  ORGANIZATION for ASQ-PHI's GEOGRAPHIC_LOCATION). Partial coverage is a miss.
- A predicted span is a true positive when it overlaps any gold entity, including entities our
  policy does not score (label None): masking those is not a false alarm -> ``precision``,
  per predicted label and overall. Per-category F1 pairs a category's recall (any label) with
  the precision of predicted spans carrying that label.
- Leak rate: the fraction of gold-PHI non-whitespace characters (scored entities, each
  character counted once per document) not covered by any predicted span.
- Hard negatives (documents with no PHI): fraction with at least one predicted span, and
  predicted spans per hard-negative document.

Only entities with a category (``label`` not None) and at least one non-whitespace character
are scored. Gold docs and spans are duck-typed: anything with the attributes used here works.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

# fmt: off
#: Display order of categories; others (e.g. a foreign tool's labels) follow alphabetically.
CATEGORY_ORDER: tuple[str, ...] = (
    "NAME", "DATE", "AGE", "PHONE", "CONTACT", "ID", "ADDRESS", "ORGANIZATION",
)
# fmt: on
OVERALL = "ALL"


class EntityLike(Protocol):
    """A gold entity: offsets, our category (None = not scored), the corpus's label."""

    start: int
    end: int
    label: str | None
    source_label: str


class DocLike(Protocol):
    """A gold document."""

    id: str
    text: str
    entities: Sequence[Any]
    hard_negative: bool


@dataclass(frozen=True)
class Pred:
    """A predicted span (normalised form)."""

    start: int
    end: int
    label: str


def to_pred(span: Any) -> Pred:
    """Normalise a span given as an object (``.start/.end/.label``), a dict, or a 3-sequence."""
    if isinstance(span, Pred):
        return span
    if isinstance(span, Mapping):
        return Pred(int(span["start"]), int(span["end"]), str(span["label"]))
    if hasattr(span, "start") and hasattr(span, "end"):
        return Pred(int(span.start), int(span.end), str(getattr(span, "label", "")))
    s, e, lab = span
    return Pred(int(s), int(e), str(lab))


def normalize_preds(spans: Iterable[Any], text_len: int) -> list[Pred]:
    """Normalise spans, clip them to the text, and drop empty ones."""
    out = []
    for sp in spans:
        p = to_pred(sp)
        s, e = max(0, p.start), min(text_len, p.end)
        if s < e:
            out.append(Pred(s, e, p.label))
    return out


def phi_positions(text: str, start: int, end: int) -> list[int]:
    """Positions of the non-whitespace characters of ``text[start:end]``."""
    return [i for i in range(max(0, start), min(len(text), end)) if not text[i].isspace()]


def _covered(spans: Iterable[Pred], text_len: int) -> bytearray:
    """A 0/1 mask over the text: 1 where some span covers the character."""
    mask = bytearray(text_len)
    for p in spans:
        mask[p.start : p.end] = b"\x01" * (p.end - p.start)
    return mask


def _ratio(num: float, den: float) -> float | None:
    """``num / den``, or None when the denominator is zero."""
    return num / den if den else None


def _f1(p: float | None, r: float | None) -> float | None:
    """Harmonic mean of precision and recall (None if either is undefined)."""
    if p is None or r is None:
        return None
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def _order(keys: Iterable[str]) -> list[str]:
    """Sort category names: CATEGORY_ORDER first, then the rest alphabetically."""
    known = [c for c in CATEGORY_ORDER if c in keys]
    return known + sorted(k for k in set(keys) if k not in CATEGORY_ORDER)


def evaluate(
    docs: Sequence[DocLike],
    predictions: Sequence[Iterable[Any]],
    typed_alternatives: Mapping[str, Iterable[str]] | None = None,
    missed_limit: int = 15,
    window: int = 20,
) -> dict[str, Any]:
    """Score predicted spans (one list per doc, same order as ``docs``) against gold docs."""
    if len(docs) != len(predictions):
        raise ValueError(f"{len(docs)} docs but {len(predictions)} prediction lists")
    alternatives = {k: frozenset(v) for k, v in (typed_alternatives or {}).items()}

    gold_n: dict[str, int] = {}
    caught: dict[str, int] = {}
    caught_typed: dict[str, int] = {}
    phi_chars: dict[str, int] = {}
    leaked_chars: dict[str, int] = {}
    pred_n: dict[str, int] = {}
    pred_tp: dict[str, int] = {}
    excluded = 0
    masked_chars = masked_gold_chars = 0
    hn_docs = hn_docs_flagged = hn_spans = 0
    missed: list[dict[str, Any]] = []
    n_missed = 0

    def bump(d: dict[str, int], key: str, by: int = 1) -> None:
        d[key] = d.get(key, 0) + by
        d[OVERALL] = d.get(OVERALL, 0) + by

    for doc, raw_spans in zip(docs, predictions, strict=True):
        text = doc.text
        preds = normalize_preds(raw_spans, len(text))
        any_mask = _covered(preds, len(text))
        typed_masks: dict[frozenset[str], bytearray] = {}
        doc_phi_pos: dict[str, set[int]] = {}
        for ent in doc.entities:
            if ent.label is None:
                excluded += 1
                continue
            pos = phi_positions(text, ent.start, ent.end)
            if not pos:
                continue
            bump(gold_n, ent.label)
            doc_phi_pos.setdefault(ent.label, set()).update(pos)
            doc_phi_pos.setdefault(OVERALL, set()).update(pos)
            if all(any_mask[i] for i in pos):
                bump(caught, ent.label)
            else:
                n_missed += 1
                if len(missed) < missed_limit:
                    missed.append(_missed_record(doc, ent, any_mask, window))
            accepted = frozenset({ent.label}) | alternatives.get(ent.source_label, frozenset())
            if accepted not in typed_masks:
                typed_masks[accepted] = _covered(
                    (p for p in preds if p.label in accepted), len(text)
                )
            tmask = typed_masks[accepted]
            if all(tmask[i] for i in pos):
                bump(caught_typed, ent.label)
        for cat, positions in doc_phi_pos.items():
            leaked = sum(1 for i in positions if not any_mask[i])
            phi_chars[cat] = phi_chars.get(cat, 0) + len(positions)
            leaked_chars[cat] = leaked_chars.get(cat, 0) + leaked

        gold_ranges = [(e.start, e.end) for e in doc.entities if e.start < e.end]
        gold_mask = bytearray(len(text))
        for gs, ge in gold_ranges:
            gold_mask[gs:ge] = b"\x01" * (ge - gs)
        for i, flag in enumerate(any_mask):
            if flag and not text[i].isspace():
                masked_chars += 1
                masked_gold_chars += gold_mask[i]
        for p in preds:
            bump(pred_n, p.label)
            if any(p.start < ge and gs < p.end for gs, ge in gold_ranges):
                bump(pred_tp, p.label)

        if doc.hard_negative:
            hn_docs += 1
            hn_spans += len(preds)
            hn_docs_flagged += bool(preds)

    categories = [*_order((set(gold_n) | set(pred_n)) - {OVERALL}), OVERALL]
    per_category: dict[str, dict[str, Any]] = {}
    for cat in categories:
        n, c, ct = gold_n.get(cat, 0), caught.get(cat, 0), caught_typed.get(cat, 0)
        pn, tp = pred_n.get(cat, 0), pred_tp.get(cat, 0)
        recall = _ratio(c, n)
        precision = _ratio(tp, pn)
        per_category[cat] = {
            "gold_n": n,
            "caught": c,
            "recall": recall,
            "caught_typed": ct,
            "recall_typed": _ratio(ct, n),
            "pred_n": pn,
            "pred_tp": tp,
            "precision": precision,
            "f1": _f1(precision, recall),
            "phi_chars": phi_chars.get(cat, 0),
            "leaked_chars": leaked_chars.get(cat, 0),
            "leak_rate": _ratio(leaked_chars.get(cat, 0), phi_chars.get(cat, 0)),
        }
    return {
        "n_docs": len(docs),
        "excluded_entities": excluded,
        "char_precision": _ratio(masked_gold_chars, masked_chars),
        "masked_chars": masked_chars,
        "categories": per_category,
        "overall": per_category[OVERALL],
        "hard_negatives": {
            "docs": hn_docs,
            "docs_with_spans": hn_docs_flagged,
            "fp_rate": _ratio(hn_docs_flagged, hn_docs),
            "spans": hn_spans,
            "spans_per_doc": _ratio(hn_spans, hn_docs),
        },
        "n_missed": n_missed,
        "missed": missed,
    }


def _missed_record(doc: DocLike, ent: EntityLike, mask: bytearray, window: int) -> dict[str, Any]:
    """Describe one missed entity with a ±``window``-character context."""
    text = doc.text
    lo, hi = max(0, ent.start - window), min(len(text), ent.end + window)
    covered = sum(1 for i in phi_positions(text, ent.start, ent.end) if mask[i])
    return {
        "doc_id": doc.id,
        "start": ent.start,
        "end": ent.end,
        "label": ent.label,
        "source_label": ent.source_label,
        "value": text[ent.start : ent.end],
        "covered_chars": covered,
        "context": text[lo : ent.start]
        + "[["
        + text[ent.start : ent.end]
        + "]]"
        + text[ent.end : hi],
    }


def hard_negative_rate(docs: Sequence[DocLike], predictions: Sequence[Iterable[Any]]) -> float:
    """Fraction of hard-negative docs with at least one predicted span (0.0 if there are none)."""
    rate = evaluate(docs, predictions, missed_limit=0)["hard_negatives"]["fp_rate"]
    return 0.0 if rate is None else rate


def _fmt(x: float | None, pct: bool = True) -> str:
    """Format a ratio as a percentage (or '-' when undefined)."""
    if x is None:
        return "-"
    return f"{100 * x:.1f}%" if pct else f"{x:.3f}"


def render_table(result: Mapping[str, Any], title: str = "") -> str:
    """Render ``evaluate`` output as a fixed-width text table (one row per category + ALL)."""
    head = ("category", "gold n", "recall", "typed", "pred n", "precision", "F1", "leak")
    widths = (13, 7, 8, 8, 7, 10, 8, 8)
    lines = []
    if title:
        lines.append(title)
    fmt_row = "  ".join(
        f"{{:<{widths[0]}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths)
    )
    lines.append(fmt_row.format(*head))
    lines.append("  ".join("-" * w for w in widths))
    for cat, row in result["categories"].items():
        if cat == OVERALL:
            lines.append("  ".join("-" * w for w in widths))
        lines.append(
            fmt_row.format(
                cat[: widths[0]],
                row["gold_n"],
                _fmt(row["recall"]),
                _fmt(row["recall_typed"]),
                row["pred_n"],
                _fmt(row["precision"]),
                _fmt(row["f1"]),
                _fmt(row["leak_rate"]),
            )
        )
    hn = result["hard_negatives"]
    if hn["docs"]:
        lines.append(
            f"hard negatives: {hn['docs_with_spans']}/{hn['docs']} docs flagged "
            f"(FP rate {_fmt(hn['fp_rate'])}), {_fmt(hn['spans_per_doc'], pct=False)} spans/doc"
        )
    if result.get("masked_chars"):
        lines.append(
            f"char precision: {_fmt(result['char_precision'])} of "
            f"{result['masked_chars']:,} masked non-space characters are gold PHI"
        )
    if result.get("excluded_entities"):
        lines.append(f"policy-excluded gold entities (not scored): {result['excluded_entities']}")
    return "\n".join(lines)


def render_missed(result: Mapping[str, Any], limit: int = 15) -> str:
    """Render the first ``limit`` missed entities, one per line, with their context window."""
    rows = result["missed"][:limit]
    if not rows:
        return "missed entities: none"
    lines = [f"first {len(rows)} of {result['n_missed']} missed entities:"]
    for m in rows:
        ctx = m["context"].replace("\n", "⏎").replace("\t", " ")
        lines.append(f"  {m['label']:<12} {m['doc_id']:<22} {ctx}")
    return "\n".join(lines)
