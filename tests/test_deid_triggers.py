"""Batch triggers run with ASCII word boundaries: never narrower than the triggers as written."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curation.deid.registry import default_registry
from curation.deid.triggers import ASCII_BOUNDARY, fast_trigger, trigger_masks

TRIGGERS = sorted(
    {r.trigger for r in default_registry().recognizers if getattr(r, "trigger", None)}
)
UNICODE_BOUNDARY = re.compile(r"(?<!\(\?-u:)(?<!\\)(?:\\\\)*\\b")

# what sits next to a boundary: the words the triggers look for, and the characters on which
# a Unicode and an ASCII boundary disagree (Han, accented and Kelvin/long-s letters, Arabic-Indic
# digits) or agree (spaces, punctuation, ASCII digits)
NEIGHBOURS = [
    "者", "患者", "é", "ée", "\u0663", "\u212a", "\u017f", "_", "9", "95", "12", "1999", "#",
    " ", " ", ",", ".", "-", "'", "’", "\n", "：", "Mr.", "Dr", "MRN", "s.o.", "fiancée",
]  # fmt: skip


def _corpus(size: int, seed: int) -> list[str]:
    """Texts pieced together from trigger words and boundary-sensitive characters."""
    words = sorted({w for t in TRIGGERS for w in re.findall(r"[A-Za-z]{2,}", t)})
    rng = random.Random(seed)
    texts = []
    for _ in range(size):
        pieces = [
            rng.choice(words) if rng.random() < 0.5 else rng.choice(NEIGHBOURS)
            for _ in range(rng.randint(1, 14))
        ]
        glue = rng.choice(["", " ", ""])
        texts.append(glue.join(rng.choice([p, p.upper(), p.title()]) for p in pieces))
    return texts


def test_the_rewritten_triggers_match_wherever_the_written_ones_do() -> None:
    """On texts built to sit on boundaries (Han, é, ٣, K, ſ next to trigger words), every
    registry trigger as rewritten matches each text its written form matches."""
    frame = pl.DataFrame({"text": _corpus(4000, seed=7)})
    rewritten = 0
    for trigger in TRIGGERS:
        rewritten += fast_trigger(trigger) != trigger
        assert not _lost(trigger, frame), trigger
    assert rewritten >= len(TRIGGERS) // 5  # most boundaries are in the triggers that matter


def _lost(trigger: str, frame: pl.DataFrame) -> list[str]:
    """Texts the written trigger matches and its rewritten form does not."""
    masks = frame.select(
        written=pl.col("text").str.contains(trigger),
        fast=pl.col("text").str.contains(fast_trigger(trigger)),
    )
    return frame.filter(masks["written"] & ~masks["fast"])["text"].to_list()


def _generable(trigger: str) -> str | None:
    """The trigger in Python's syntax, to generate its matches from (None: it has none)."""
    python = trigger.replace(ASCII_BOUNDARY, r"\b").replace(r"\p{Lu}", "[A-ZÉ\u0130]")
    try:
        re.compile(python)
    except re.error:
        return None
    return python


GENERABLE = [t for t in TRIGGERS if _generable(t) and fast_trigger(t) != t]
# triggers with a boundary dropped: where a wrong judgement would lose a text; drawn more
DROPPED = [t for t in GENERABLE if t.count(r"\b") > fast_trigger(t).count(ASCII_BOUNDARY)]


def _generated_texts(trigger: str, data: st.DataObject) -> list[str]:
    """Strings the trigger's own pattern generates (hypothesis draws \\d as ٣ too, letters in
    any script), with a boundary-sensitive character on each side."""
    beside = st.sampled_from(NEIGHBOURS)
    match = st.from_regex(_generable(trigger), fullmatch=True)
    return data.draw(
        st.lists(st.tuples(beside, match, beside).map("".join), min_size=30, max_size=30)
    )


_GENERATED = dict(
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("trigger", GENERABLE, ids=range(len(GENERABLE)))
@settings(max_examples=4, **_GENERATED)
@given(data=st.data())
def test_matches_of_each_trigger_stay_matched_whatever_sits_beside_them(
    trigger: str, data: st.DataObject
) -> None:
    texts = _generated_texts(trigger, data)
    assert not _lost(trigger, pl.DataFrame({"text": texts}, schema={"text": pl.String}))


@pytest.mark.parametrize("trigger", DROPPED, ids=range(len(DROPPED)))
@settings(max_examples=20, **_GENERATED)
@given(data=st.data())
def test_triggers_that_drop_a_boundary_lose_no_match(trigger: str, data: st.DataObject) -> None:
    """Where a boundary was judged unsafe as ASCII (next to \\d, é, a full stop), texts drawn
    many times over keep their matches."""
    texts = _generated_texts(trigger, data)
    assert not _lost(trigger, pl.DataFrame({"text": texts}, schema={"text": pl.String}))


def test_no_rewritten_trigger_keeps_a_unicode_boundary() -> None:
    """A single Unicode boundary sends a whole pattern to the slow engine on non-ASCII text."""
    for trigger in TRIGGERS:
        assert not UNICODE_BOUNDARY.search(fast_trigger(trigger)), trigger


A = ASCII_BOUNDARY


@pytest.mark.parametrize(
    ("written", "fast"),
    [
        (r"(?i)\b(?:seen|saw)\b", rf"(?i){A}(?:seen|saw){A}"),  # ASCII letters on one side
        (r"\b[A-Z]{2,5}\b", rf"{A}[A-Z]{{2,5}}{A}"),
        (r"\b(?:a|)x", rf"{A}(?:a|)x"),  # an empty alternative: the next character decides
        (r"\b\d{5}\b", r"\d{5}"),  # \d is Unicode (٣): dropped
        (r"(?:son|fiancée?)\b", r"(?:son|fiancée?)"),  # é may come last: dropped
        (r"(?:s\.o\.)\b", r"(?:s\.o\.)"),  # a full stop before it, the match ends there
        (r"\b(?:\s+)?name", r"(?:\s+)?name"),  # whitespace may come first: dropped
        (r"(?:\bab)+", r"(?:ab)+"),  # inside a repeat: its neighbour may be itself
        (r"\b\p{Lu}\S*\s\d", r"\p{Lu}\S*\s\d"),  # a Unicode class: dropped
        (r"on\s+\p{Lu}\b", r"on\s+\p{Lu}"),
        (r"\bon\s+\p{Lu}", rf"{A}on\s+\p{{Lu}}"),  # read past \p{Lu} to the ASCII side
        (rf"{A}(?:9\d|1[01]\d){A}", rf"{A}(?:9\d|1[01]\d)"),  # an ASCII one re-judged
        (r"\\b", r"\\b"),  # an escaped backslash and a letter b: no boundary
        (r"[[:alpha:]]\bx", r"[[:alpha:]]x"),  # syntax Python reads otherwise: dropped
        (r"x\By\b", r"x\By"),
    ],
)
def test_each_boundary_is_made_ascii_only_where_provably_safe(written: str, fast: str) -> None:
    assert fast_trigger(written) == fast


@dataclass(frozen=True)
class _Triggered:
    trigger: str | None


def test_letters_that_fold_to_ascii_run_every_rewritten_recognizer() -> None:
    """(?i)k matches the Kelvin sign K, which is no ASCII word character: a text holding one
    runs each recognizer whose trigger was rewritten; an untouched trigger decides alone."""
    kelvin = "\u212aelvin scale"
    recognizers = [_Triggered(r"(?i)\bkelvin"), _Triggered(r"(?i)kelvin"), _Triggered(None)]
    assert pl.select(pl.lit(kelvin).str.contains(recognizers[0].trigger)).item()
    assert not pl.select(pl.lit(kelvin).str.contains(fast_trigger(r"(?i)\bkelvin"))).item()
    masks = trigger_masks([kelvin, "celsius", "者kelvin"], recognizers)
    assert masks == [[True, False, True], [True, False, True], None]
