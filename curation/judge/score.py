"""Score an LLM judge's verdicts against the physicians' consensus, as MLB compares its judge.

Predictions are JSON lines ``{"grade_id": …, "verdict": …}`` or ``{"grade_id": …, "output":
"Feedback: Verdict: … [RESULT] n"}`` (a judge's own text, as the SFT records teach it), with an
optional ``score``. The file is checked whole first: every bad line is named ``file:line: why``
in one error and nothing is scored. Predictions for grades that are not final, or not in the
chosen split, are counted as ignored.

Figures, on the final grades of the split that have a prediction: accuracy, macro-F1 (over the
verdicts present in gold or prediction), Cohen's kappa with a seeded bootstrap 95% interval
(:func:`curation.review.agreement.cohen_kappa`), the confusion matrix (rows: physicians,
columns: judge), and with scores the share of exact scores and the mean absolute score error;
overall, per MLB dimension and per task family. Coverage is the share of the split's final
grades that have a prediction.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from curation.errors import ConfigError, InputFileError, listed
from curation.grading.contract import SCORES, GradeStatus, Verdict
from curation.judge.export import SPLITS, load_grades
from curation.review.agreement import cohen_kappa

VERDICTS: tuple[str, ...] = tuple(v.value for v in Verdict)
NONE = "(none)"  # the group of rows without a dimension or family
_VERDICT = re.compile(r"Verdict\s*[:：]\s*\**\s*(partially[ _-]correct|correct|incorrect)\b", re.I)
_RESULT = re.compile(r"\[RESULT\]\s*[(\[]?\s*(\d+)\b")


@dataclass(frozen=True)
class Prediction:
    """One judge verdict (and score) for one graded answer."""

    grade_id: str
    verdict: str
    score: int | None
    line: int


def parse_output(text: str) -> tuple[str | None, int | None]:
    """The verdict and score of a judge's text (``Verdict: <v>`` … ``[RESULT] n``)."""
    found = _VERDICT.search(text)
    verdict = None
    if found:
        verdict = re.sub(r"[ -]", "_", found.group(1).lower())
    result = _RESULT.search(text)
    score = int(result.group(1)) if result and int(result.group(1)) in SCORES else None
    return verdict, score


def read_predictions(path: Path, known: set[str]) -> list[Prediction]:
    """Every line of a predictions file, checked (one InputFileError lists every problem)."""
    if not path.is_file():
        raise InputFileError(
            f"{path} does not exist",
            hint="Give the JSONL your judge wrote ({grade_id, verdict} or {grade_id, output}).",
        )
    problems: list[str] = []
    out: list[Prediction] = []
    seen: dict[str, int] = {}
    text = path.read_text(encoding="utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        where = f"{path.name}:{number}"
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            problems.append(f"{where}: not JSON ({exc.args[0].split(':')[0]})")
            continue
        if not isinstance(obj, dict):
            problems.append(f"{where}: not a JSON object")
            continue
        gid = obj.get("grade_id")
        if not isinstance(gid, str) or not gid:
            problems.append(f"{where}: no grade_id")
            continue
        if gid not in known:
            problems.append(f"{where}: unknown grade_id {gid}")
            continue
        if gid in seen:
            problems.append(f"{where}: grade_id {gid} already on line {seen[gid]}")
            continue
        seen[gid] = number
        verdict, score = _verdict_and_score(obj, where, problems)
        if verdict is not None:
            out.append(Prediction(gid, verdict, score, number))
    if problems:
        raise InputFileError(
            f"{path}: nothing scored; {len(problems)} problem(s):{listed(problems)}",
            hint="Fix the lines named above: each needs a grade_id of the grades file and a "
            f"verdict ({', '.join(VERDICTS)}) or an output with `Verdict: <verdict>`.",
        )
    return out


def _verdict_and_score(
    obj: dict[str, Any], where: str, problems: list[str]
) -> tuple[str | None, int | None]:
    verdict, score = None, None
    if "verdict" in obj:
        verdict = obj["verdict"]
        if verdict not in VERDICTS:
            problems.append(f"{where}: unknown verdict {verdict!r} (one of {', '.join(VERDICTS)})")
            return None, None
    elif isinstance(obj.get("output"), str):
        verdict, score = parse_output(obj["output"])
        if verdict is None:
            problems.append(f"{where}: no `Verdict: <verdict>` found in output")
            return None, None
    else:
        problems.append(f"{where}: no verdict (give `verdict` or a judge's `output` text)")
        return None, None
    if obj.get("score") is not None:
        score = obj["score"]
        if isinstance(score, bool) or score not in SCORES:
            problems.append(f"{where}: score {score!r} is not an integer 1-5")
            return None, None
    return verdict, score


# --------------------------------------------------------------------------- figures
def _r(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def confusion(gold: list[str], judge: list[str]) -> list[list[int]]:
    """3×3 counts: rows the physicians' verdict, columns the judge's, in Verdict order."""
    index = {v: i for i, v in enumerate(VERDICTS)}
    matrix = np.zeros((len(VERDICTS), len(VERDICTS)), dtype=int)
    for g, j in zip(gold, judge, strict=True):
        matrix[index[g], index[j]] += 1
    return matrix.tolist()


def macro_f1(gold: list[str], judge: list[str]) -> float | None:
    """Mean F1 over the verdicts present in gold or prediction (0 where undefined)."""
    classes = sorted(set(gold) | set(judge))
    if not classes:
        return None
    scores = []
    for c in classes:
        tp = sum(g == c and j == c for g, j in zip(gold, judge, strict=True))
        fp = sum(g != c and j == c for g, j in zip(gold, judge, strict=True))
        fn = sum(g == c and j != c for g, j in zip(gold, judge, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def figures(
    gold: list[dict[str, Any]], predicted: dict[str, Prediction], resamples: int, seed: int
) -> dict[str, Any]:
    """Every figure of one group of final grades."""
    both = [(g, predicted[g["grade_id"]]) for g in gold if g["grade_id"] in predicted]
    truth = [g["verdict"] for g, _ in both]
    judge = [p.verdict for _, p in both]
    codes = {v: i for i, v in enumerate(VERDICTS)}
    kappa = cohen_kappa(
        np.array([codes[v] for v in truth], dtype=int),
        np.array([codes[v] for v in judge], dtype=int),
        "nominal",
        resamples,
        seed,
    )
    scored = [(g["score"], p.score) for g, p in both if p.score is not None]
    out: dict[str, Any] = {
        "final": len(gold),
        "predicted": len(both),
        "coverage": _r(len(both) / len(gold)) if gold else None,
        "accuracy": _r(sum(t == j for t, j in zip(truth, judge, strict=True)) / len(both))
        if both
        else None,
        "macro_f1": _r(macro_f1(truth, judge)),
        "cohen_kappa": {"value": _r(kappa["value"]), "ci95": kappa["ci95"]},
        "confusion": confusion(truth, judge),
        "scored": len(scored),
        "score_exact": _r(sum(a == b for a, b in scored) / len(scored)) if scored else None,
        "score_mae": _r(sum(abs(a - b) for a, b in scored) / len(scored)) if scored else None,
    }
    return out


@dataclass
class ScoreReport:
    """A judge's figures against the physicians, as written to the JSON report."""

    data: dict[str, Any]

    @property
    def overall(self) -> dict[str, Any]:
        return self.data["overall"]


def score_judge(
    grades_path: Path,
    predictions: Path,
    split: str = "test",
    version: str | None = None,
    resamples: int = 1000,
    seed: int = 0,
) -> ScoreReport:
    """Compare a judge's predictions with the physicians' consensus on one split's grades."""
    if split not in (*SPLITS, "all"):
        raise ConfigError(f"unknown split {split!r}", hint="Use test, dev, train or all.")
    frame, version = load_grades(grades_path, version)
    preds = read_predictions(predictions, set(frame["grade_id"].to_list()))
    final = frame.filter(pl.col("status") == GradeStatus.FINAL)
    if split != "all":
        final = final.filter(pl.col("split") == split)
    gold = final.sort("grade_id").to_dicts()
    in_split = {g["grade_id"] for g in gold}
    status = dict(frame.select("grade_id", "status").iter_rows())
    ignored = {"not_final": 0, "other_split": 0}
    for p in preds:
        if status[p.grade_id] != GradeStatus.FINAL:
            ignored["not_final"] += 1
        elif p.grade_id not in in_split:
            ignored["other_split"] += 1
    predicted = {p.grade_id: p for p in preds if p.grade_id in in_split}

    def groups(column: str) -> dict[str, Any]:
        keys = sorted({g[column] or NONE for g in gold})
        return {
            k: figures([g for g in gold if (g[column] or NONE) == k], predicted, resamples, seed)
            for k in keys
        }

    data = {
        "version": version,
        "split": split,
        "predictions": predictions.name,
        "prediction_lines": len(preds),
        "ignored": ignored,
        "verdicts": list(VERDICTS),
        "bootstrap": {"resamples": resamples, "seed": seed},
        "overall": figures(gold, predicted, resamples, seed),
        "by_dimension": groups("dimension"),
        "by_family": groups("family"),
    }
    return ScoreReport(data)


def write_report(report: ScoreReport, path: Path) -> None:
    """The JSON report: sorted keys, no timestamps."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(report.data, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        encoding="utf-8",
    )
