"""Scores of MedCurate's lm-evaluation-harness task exports (ROUGE-L, fields F1, spans F1).

Copied verbatim beside each exported task as ``medcurate_scoring.py``; the task YAML names one of
the ``*_results`` functions as its ``process_results``. Standard library only, so the export
runs wherever ``pip install lm_eval`` does.

- ``rouge_l``: F-measure of the longest common subsequence: characters for Chinese, whitespace
  tokens for other languages; case folded (NFKC), punctuation dropped.
- ``fields_f1``: the first JSON object in the answer against the reference object, F1 over
  (field, normalized value) pairs (nested fields dotted, list items one pair each, nulls and
  empty strings skipped). An answer with no JSON object scores 0.
- ``spans_f1``: the first JSON list in the answer against the reference spans, F1 over
  (label, normalized text) pairs. An answer with no JSON list scores 0.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from typing import Any

_DECODER = json.JSONDecoder()


def _is_punct(char: str) -> bool:
    return unicodedata.category(char).startswith("P")


def tokens(text: str, language: str) -> list[str]:
    """ROUGE tokens: characters for ``zh``, whitespace tokens otherwise (no punctuation)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(" " if _is_punct(c) else c for c in text)
    if language.lower().startswith("zh"):
        return [c for c in text if not c.isspace()]
    return text.split()


def lcs_length(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence (dynamic programming, two rows)."""
    if len(a) < len(b):
        a, b = b, a
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge_l(prediction: str, reference: str, language: str) -> float:
    """ROUGE-L F-measure (beta 1) of a prediction against one reference."""
    pred, ref = tokens(prediction, language), tokens(reference, language)
    if not pred and not ref:
        return 1.0
    common = lcs_length(pred, ref)
    if not common:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def pair_f1(predicted: Counter, gold: Counter) -> float:
    """F1 of two multisets of pairs; two empty sets agree (1.0)."""
    if not predicted and not gold:
        return 1.0
    hits = sum((predicted & gold).values())
    if not hits:
        return 0.0
    precision, recall = hits / sum(predicted.values()), hits / sum(gold.values())
    return 2 * precision * recall / (precision + recall)


def first_json(text: str, kind: type) -> Any:
    """The first JSON value of type ``kind`` (dict or list) found in text, or None."""
    opener = "{" if kind is dict else "["
    start = text.find(opener)
    while start != -1:
        try:
            value, _ = _DECODER.raw_decode(text, start)
        except ValueError:
            value = None
        if isinstance(value, kind):
            return value
        start = text.find(opener, start + 1)
    return None


def normalize(value: Any) -> str | None:
    """A scalar as comparable text: numbers canonical, text folded and trimmed; None if empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = " ".join(unicodedata.normalize("NFKC", str(value)).casefold().split())
    trimmed = text.strip("".join(sorted({c for c in text if _is_punct(c)})) + " ")
    for candidate in (text, trimmed):  # "-5" keeps its sign, "37.5。" is 37.5
        for number in (int, float):
            try:
                return normalize(number(candidate))
            except (ValueError, OverflowError):
                pass
    return trimmed or None


def field_pairs(value: Any, path: str = "") -> Counter:
    """(field path, normalized value) pairs of a JSON value."""
    pairs: Counter = Counter()
    if isinstance(value, dict):
        for key, item in value.items():
            pairs += field_pairs(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for item in value:
            pairs += field_pairs(item, path)
    elif (text := normalize(value)) is not None:
        pairs[(path, text)] += 1
    return pairs


def fields_f1(prediction: str, reference: str) -> float:
    """F1 over (field, value) pairs of the answer's first JSON object vs the reference object."""
    answer = first_json(prediction or "", dict)
    if answer is None:
        return 0.0
    return pair_f1(field_pairs(answer), field_pairs(json.loads(reference)))


def span_pairs(spans: list) -> Counter:
    """(label, normalized text) pairs of a list of span objects; other items are ignored."""
    return Counter(
        (str(s.get("label", "")).strip(), normalize(s.get("text")) or "")
        for s in spans
        if isinstance(s, dict)
    )


def spans_f1(prediction: str, reference: str) -> float:
    """F1 over (label, text) pairs of the answer's first JSON list vs the reference spans."""
    answer = first_json(prediction or "", list)
    if answer is None:
        return 0.0
    return pair_f1(span_pairs(answer), span_pairs(json.loads(reference)))


def _answer(results: list) -> str:
    return results[0] if results and isinstance(results[0], str) else ""


def rouge_l_results(doc: dict, results: list) -> dict[str, float]:
    """lm-eval ``process_results``: ``rouge_l`` of the generated answer."""
    return {"rouge_l": rouge_l(_answer(results).strip(), doc["reference"], doc["language"])}


def fields_results(doc: dict, results: list) -> dict[str, float]:
    """lm-eval ``process_results``: ``f1`` over the answer's (field, value) pairs."""
    return {"f1": fields_f1(_answer(results), doc["reference"])}


def spans_results(doc: dict, results: list) -> dict[str, float]:
    """lm-eval ``process_results``: ``f1`` over the answer's (label, text) spans."""
    return {"f1": spans_f1(_answer(results), doc["reference"])}
