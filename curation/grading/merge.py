"""`curate grade merge`: the grading snapshot → consensus grades, agreement, item statistics.

Reads ``data/grading/export.json`` only (the snapshot is self-contained) and writes
``data/grading/grades.parquet`` (:data:`~curation.grading.contract.GRADES_SCHEMA`, one row per
graded answer), ``data/grading/item_stats.parquet`` (share correct, difficulty and
discrimination per graded id), ``reports/grading.json`` (counts, agreement, each model's share
correct) and ``reports/grading_agreement.png``. Every answer the snapshot holds ends in exactly
one status (final, disputed, pending), and the report's counts prove it.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import polars as pl

from curation.grading.agreement import grading_agreement, plot_agreement
from curation.grading.config import GradingConfig
from curation.grading.consensus import decide
from curation.grading.contract import GRADES_SCHEMA, ITEM_STATS_SCHEMA, GradeStatus
from curation.grading.item_stats import item_statistics, saturated_tests
from curation.grading.layout import GradingLayout, read
from curation.paths import ProjectPaths
from curation.tasks.answers import Instance
from curation.tasks.contract import OutputType
from curation.tasks.screen import Screener, ScreenFailed

RATIONALE_COUNTS = ("rationale_values_masked", "rationales_dropped_unscreenable")


def screened_rationales(
    answer: dict[str, Any], screener: Screener, counts: Counter[str]
) -> list[dict[str, Any]]:
    """An answer's grades with every rationale through the de-identifier: physicians write
    them freely (and may quote what they saw), and rationales leave the project in the judge
    export. Masked values are counted; a rationale that cannot be screened is dropped (the
    grade is then incomplete if it needed one), never kept unscreened."""
    seen = Instance(
        instance_id=answer["grade_id"],
        task=answer.get("config") or "",
        output_type=OutputType.FREE_TEXT,
        language=answer.get("language") or "zh",
        instruction="",
        input="\n".join(answer.get(k) or "" for k in ("question", "reference", "answer")),
        labels=(),
        output_schema="",
    )
    out = []
    for grade in answer["grades"]:
        text = grade.get("rationale")
        if text:
            try:
                text, masked = screener.screen(seen, text)
                counts["rationale_values_masked"] += masked
            except ScreenFailed:
                text = None
                counts["rationales_dropped_unscreenable"] += 1
        out.append(grade | {"rationale": text})
    return out


def grade_rows(
    document: dict[str, Any],
    config: GradingConfig,
    screener: Screener,
    counts: Counter[str] | None = None,
) -> list[dict[str, Any]]:
    """One GRADES_SCHEMA row per answer of a snapshot (rationales screened)."""
    counts = Counter() if counts is None else counts
    rows = []
    for answer in document["answers"]:
        grades = screened_rationales(answer, screener, counts)
        outcome = decide(grades, answer["safety"], config)
        shown = [
            g for g in sorted(grades, key=lambda g: g["annotation_id"]) if not g.get("cancelled")
        ]
        rows.append(
            {
                "grade_id": answer["grade_id"],
                "version": document["version"],
                **{k: answer.get(k) for k in ("id", "kind", "config", "split", "dimension")},
                **{k: answer.get(k) for k in ("family", "language", "model", "run")},
                **{k: answer.get(k) for k in ("question", "reference", "answer", "rubric")},
                "safety": bool(answer["safety"]),
                "status": outcome.status.value,
                "dispute": outcome.dispute.value if outcome.dispute else None,
                "verdict": outcome.verdict,
                "score": outcome.score,
                "harm": outcome.harm,
                "rationale": outcome.rationale,
                "adjudicated": outcome.adjudicated,
                "annotators": sorted({g["annotator"] for g in shown}),
                "grades": [
                    {k: g.get(k) for k in ("annotator", "role", "verdict", "score", "harm")}
                    | {"rationale": g.get("rationale")}
                    for g in shown
                ],
            }
        )
    return sorted(rows, key=lambda r: r["grade_id"])


def model_figures(grades: pl.DataFrame) -> dict[str, Any]:
    """Per model and run: final grades, share correct, mean score (the physicians' board)."""
    final = grades.filter(pl.col("status") == GradeStatus.FINAL)
    out: dict[str, Any] = {}
    for (model, run), group in sorted(final.group_by("model", "run"), key=lambda g: g[0]):
        correct = group.filter(pl.col("verdict") == "correct").height
        out[f"{model}/{run}"] = {
            "final": group.height,
            "share_correct": round(correct / group.height, 4),
            "mean_score": round(float(group["score"].mean()), 4),
            "harmful": group.filter(pl.col("harm") == "harmful").height,
        }
    return out


def run_grade_merge(
    paths: ProjectPaths,
    config: GradingConfig,
    resamples: int,
    seed: int,
    min_pair_items: int,
    screener: Screener | None = None,
) -> dict[str, Any]:
    """Merge the snapshot; write grades, item statistics, the report and the plot
    (`screener`: the de-identifier rationales pass, by default the project's)."""
    layout = GradingLayout(paths.root)
    document = read(layout.export)
    screened: Counter[str] = Counter()
    rows = grade_rows(document, config, screener or Screener(paths.root), screened)
    grades = (
        pl.DataFrame(rows, schema=GRADES_SCHEMA, orient="row")
        if rows
        else (pl.DataFrame(schema=GRADES_SCHEMA))
    )
    layout.grades.parent.mkdir(parents=True, exist_ok=True)
    grades.write_parquet(layout.grades)
    stats = item_statistics(grades) if rows else pl.DataFrame(schema=ITEM_STATS_SCHEMA)
    stats.write_parquet(layout.item_stats)
    status = Counter(r["status"] for r in rows)
    report = {
        "version": document["version"],
        "snapshot": document["snapshot"],
        "answers": {
            "in_snapshot": len(document["answers"]),
            **{s.value: status.get(s.value, 0) for s in GradeStatus},
            "adjudicated": sum(r["adjudicated"] for r in rows),
            "unmatched_tasks": document.get("unmatched_tasks", 0),
        },
        "rationales": {k: screened.get(k, 0) for k in RATIONALE_COUNTS},
        "disputes": dict(sorted(Counter(r["dispute"] for r in rows if r["dispute"]).items())),
        "by_config": {
            config_name: dict(sorted(Counter(r["status"] for r in members).items()))
            for config_name, members in _by(rows, "config").items()
        },
        "models": model_figures(grades),
        "agreement": grading_agreement(document["answers"], resamples, seed, min_pair_items),
        "items": {
            "graded": stats.height,
            "saturated_tests": saturated_tests(stats) if stats.height else [],
        },
    }
    counted = sum(report["answers"][s.value] for s in GradeStatus)
    if counted != len(document["answers"]):  # every answer ends in exactly one status
        raise AssertionError(f"{counted} statuses for {len(document['answers'])} answers")
    layout.report.parent.mkdir(parents=True, exist_ok=True)
    layout.report.write_text(
        json.dumps(report, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    plot_agreement(report["agreement"], layout.plot)
    return report


def _by(rows: list[dict[str, Any]], key: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row[key], []).append(row)
    return dict(sorted(out.items()))
