"""DEMO ONLY: a simulated judge's predictions, to try `curate judge score` before a real judge.

For every final grade of a split the simulated judge gives the physicians' verdict with
probability ``agreement``, else one of the two others; each grade's draw is seeded by the seed
and its grade_id, so a file is the same on every run. Lines are written as a judge writes them
(``output``: ``Feedback: Verdict: <v>. … [RESULT] n``, the SFT layout), so scoring them goes
through the same parsing as a real judge's output. The figures it yields say nothing about any
model.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import polars as pl

from curation.errors import ConfigError
from curation.grading.contract import GradeStatus, Verdict
from curation.judge.export import RESULT, SPLITS, jsonl, load_grades

SCORE_OF = {Verdict.CORRECT: 5, Verdict.PARTIALLY_CORRECT: 3, Verdict.INCORRECT: 1}


def simulated_line(grade_id: str, verdict: str, score: int, agreement: float, seed: int) -> dict:
    """One simulated judge output for one graded answer."""
    digest = hashlib.sha256(f"simulate\x1f{seed}\x1f{grade_id}".encode()).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    if rng.random() >= agreement:
        verdict = rng.choice([v.value for v in Verdict if v != verdict])
        score = SCORE_OF[verdict]
    text = f"Feedback: Verdict: {verdict}. Simulated judge (demo only). {RESULT} {score}"
    return {"grade_id": grade_id, "output": text}


def simulate_judge(
    grades_path: Path,
    out: Path,
    agreement: float = 0.85,
    seed: int = 0,
    split: str = "test",
    version: str | None = None,
) -> int:
    """Write a simulated judge's predictions for a split's final grades; the number of lines."""
    if not 0.0 <= agreement <= 1.0:
        raise ConfigError(f"agreement {agreement} is not in [0, 1]", hint="e.g. --agreement 0.85")
    if split not in (*SPLITS, "all"):
        raise ConfigError(f"unknown split {split!r}", hint="Use test, dev, train or all.")
    frame, _ = load_grades(grades_path, version)
    final = frame.filter(pl.col("status") == GradeStatus.FINAL)
    if split != "all":
        final = final.filter(pl.col("split") == split)
    lines = [
        simulated_line(gid, verdict, score, agreement, seed)
        for gid, verdict, score in final.sort("grade_id")
        .select("grade_id", "verdict", "score")
        .iter_rows()
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(jsonl(lines))
    return len(lines)
