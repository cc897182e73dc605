"""Philter peer helpers: asterisk output to spans, tagger conversion (Philter not needed)."""

from __future__ import annotations

import pickle
import sys
from collections import OrderedDict
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import _run_philter
import deid_eval
import deid_metrics
from deid_gold import GoldDoc, GoldEntity

TEXT = "Pt John Smith, tel (415) 555-1234, seen 03/12/2010 at UCSF."


def mask(text: str, *words: str) -> str:
    """Philter-style asterisk output: letters and digits of each word hidden, punctuation kept."""
    out = list(text)
    for word in words:
        start = text.index(word)
        for i in range(start, start + len(word)):
            if text[i].isalnum():
                out[i] = "*"
    return "".join(out)


def test_masked_spans_tokens_punctuation_and_labels() -> None:
    masked = mask(TEXT, "John", "Smith", "(415)", "555-1234", "03/12/2010", "UCSF")
    phi = [(TEXT.index("03"), TEXT.index("03") + 10, "DATE")]
    spans = _run_philter.masked_spans(TEXT, masked, phi)
    assert [(TEXT[s:e], label) for s, e, label in spans] == [
        ("John", "PHI"),
        ("Smith", "PHI"),  # the clause comma stays outside
        ("(415)", "PHI"),  # brackets around a masked value are covered
        ("555-1234", "PHI"),  # bridged over the hyphen, not over the comma
        ("03/12/2010", "DATE"),
        ("UCSF.", "PHI"),  # a full stop may belong to the value (St., Jr.)
    ]


def test_masked_spans_catch_gold_under_the_all_characters_rule() -> None:
    masked = mask(TEXT, "John", "Smith", "(415)", "555-1234")
    spans = _run_philter.masked_spans(TEXT, masked)
    name, phone = "John Smith", "(415) 555-1234"
    doc = GoldDoc(
        "d",
        TEXT,
        "en",
        [
            GoldEntity(TEXT.index(name), TEXT.index(name) + len(name), "NAME", "NAME"),
            GoldEntity(TEXT.index(phone), TEXT.index(phone) + len(phone), "PHONE", "PHONE"),
        ],
    )
    overall = deid_metrics.evaluate([doc], [spans])["overall"]
    assert (overall["recall"], overall["precision"]) == (1.0, 1.0)


def test_masked_spans_edge_cases() -> None:
    assert _run_philter.masked_spans("", "") == []
    assert _run_philter.masked_spans("a *b", "a *b") == []  # an original '*' is no mask
    assert _run_philter.masked_spans("ab cd", "a* **") == [(1, 2, "PHI"), (3, 5, "PHI")]
    with pytest.raises(ValueError):
        _run_philter.masked_spans("abc", "ab")


def test_tagger_json_reads_a_python2_style_pickle_and_refuses_code() -> None:
    model = ({"bias": {"NN": 1.5}}, {"the": "DT"}, {"NN", "DT"})
    weights, tagdict, classes = _run_philter.tagger_json(pickle.dumps(model, protocol=2))
    assert (weights, tagdict, classes) == ({"bias": {"NN": 1.5}}, {"the": "DT"}, ["DT", "NN"])
    with pytest.raises(pickle.UnpicklingError):
        _run_philter.tagger_json(pickle.dumps((OrderedDict(), {}, set()), protocol=2))


def test_peers_are_scanners_and_comparison_renders() -> None:
    assert {"philter", "presidio"} <= set(deid_eval.SCANNERS)
    doc = GoldDoc("d", TEXT, "en", [GoldEntity(3, 13, "NAME", "NAME")])
    metrics = deid_metrics.evaluate([doc], [[(3, 13, "NAME"), (40, 50, "DATE")]])
    out = {
        "scanner": "python",
        "sets": {"s": {"metrics": metrics, "peers": {"philter": {"metrics": metrics}}}},
    }
    table = deid_eval.render_comparison(out)
    assert "python" in table and "philter" in table and "50.0%" in table
