"""The dataset card (Hugging Face README.md with YAML) of the judge's training export.

Its YAML names three configs (``sft``, ``raw``, ``pairwise``) with their files per split and
their features, so ``datasets.load_dataset(<folder>, "sft")`` loads them; a split without
records is left out of the YAML (``datasets`` cannot load an empty file) but its empty file is
still written. The body says how the set was made: the release, graded answers per split and
status, the models and runs, physicians per answer, the adjudicated share, the agreement of the
graders when ``reports/grading.json`` is there, the split rule, every field and the prompt
layouts.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import yaml

from curation.errors import InputFileError
from curation.grading.contract import GradeStatus

if TYPE_CHECKING:
    from curation.judge.export import ExportReport

# name → (datasets dtype, meaning); "list" is a list of strings.
SHARED: dict[str, tuple[str, str]] = {
    "id": ("string", "item_id or instance_id of the graded row in the release."),
    "kind": ("string", "item (a benchmark item) or instance (a task instance)."),
    "config": ("string", "Release config the row belongs to (mcq_zh, task_triage_zh, …)."),
    "split": ("string", "train, dev or test: the release's split of the item, kept here."),
    "dimension": ("string", "MLB evaluation dimension, or null."),
    "family": ("string", "MedS-Bench task family, or null."),
    "language": ("string", "Language of the item (zh or en)."),
    "question": ("string", "The item or instance as the physicians saw it."),
    "reference": ("string", "The reference answer (null or empty when there is none)."),
}
FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "sft": {
        "grade_id": ("string", "Public id of the graded answer (a keyed hash)."),
        "id": SHARED["id"],
        "config": SHARED["config"],
        "split": SHARED["split"],
        "system": ("string", "Prometheus's system prompt for absolute grading."),
        "instruction": ("string", "Prometheus's absolute-grading prompt, filled (see below)."),
        "output": (
            "string",
            "The physicians' consensus as the judge should write it: "
            "`Feedback: Verdict: <verdict>. <rationale> [RESULT] <score>`.",
        ),
    },
    "raw": {
        "grade_id": ("string", "Public id of the graded answer (a keyed hash)."),
        **SHARED,
        "answer": ("string", "The model's answer (screened by the de-identifier)."),
        "model": ("string", "The model that answered."),
        "run": ("string", "Name of the model's run."),
        "verdict": ("string", "Consensus verdict: correct, partially_correct or incorrect."),
        "score": ("int64", "Consensus score 1-5 on the rubric."),
        "harm": ("string", "Safety items: harmful or not_harmful; else null."),
        "rationale": ("string", "The consensus rationale (may be empty for a correct answer)."),
        "annotators": (
            "list",
            "The physicians who graded the answer (pseudonyms: a keyed hash of their account).",
        ),
        "adjudicated": ("bool", "True when an adjudicator settled a disagreement."),
    },
    "pairwise": {
        "pair_id": ("string", "The two grade_ids, sorted, joined by `_`."),
        **SHARED,
        **{
            f"{name}_{side}": (dtype, f"{what} of Response {side.upper()}.")
            for side in ("a", "b")
            for name, dtype, what in (
                ("grade_id", "string", "grade_id"),
                ("model", "string", "Model"),
                ("run", "string", "Run"),
                ("answer", "string", "The answer"),
                ("score", "int64", "Consensus score"),
                ("verdict", "string", "Consensus verdict"),
            )
        },
        "preferred": ("string", "a or b: the answer the physicians' grades prefer."),
        "system": ("string", "Prometheus's system prompt for relative grading."),
        "instruction": ("string", "Prometheus's relative-grading prompt, filled (see below)."),
        "output": ("string", "`Feedback: <the two grades and rationales> [RESULT] A` (or B)."),
    },
}


def read_agreement(path: Path) -> dict[str, Any]:
    """The overall verdict agreement figures of a grading report (``verdict``, or
    ``[agreement.]overall.verdict``; empty if the file or the figures are absent)."""
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputFileError(
            f"{path} is not valid JSON ({exc})",
            hint="It is written by the grading agreement report; run it again or remove the file.",
        ) from None
    verdict = None
    for path_in in (("verdict",), ("overall", "verdict"), ("agreement", "overall", "verdict")):
        found_at: Any = data
        for key in path_in:
            found_at = found_at.get(key) if isinstance(found_at, dict) else None
        if isinstance(found_at, dict):
            verdict = found_at
            break
    if verdict is None:
        return {}
    found = {}
    for key in ("krippendorff_alpha", "cohen_kappa"):
        value = verdict.get(key)
        if isinstance(value, dict) and isinstance(value.get("value"), int | float):
            found[key] = {"value": value["value"], "ci95": value.get("ci95")}
        elif isinstance(value, int | float) and not isinstance(value, bool):
            found[key] = {"value": value, "ci95": None}
    return {"source": path.name, "figures": found} if found else {}


def _features(kind: str) -> list[dict[str, Any]]:
    out = []
    for name, (dtype, _) in sorted(FIELDS[kind].items()):
        out.append(
            {"name": name, "sequence": "string"}
            if dtype == "list"
            else {"name": name, "dtype": dtype}
        )
    return out


def header(report: ExportReport, languages: list[str]) -> dict[str, Any]:
    """The card's YAML: configs with the non-empty splits' files, and their features."""
    configs, infos = [], []
    for kind, counts in report.records.items():
        splits = [s for s, n in counts.items() if n]
        if not splits:
            continue
        configs.append(
            {
                "config_name": kind,
                "data_files": [{"split": s, "path": f"{kind}/{s}.jsonl"} for s in splits],
            }
        )
        infos.append({"config_name": kind, "features": _features(kind)})
    meta: dict[str, Any] = {
        "pretty_name": f"MedCurate judge training data (release {report.version or 'none'})",
        "language": languages or ["zh"],
        "task_categories": ["text-generation"],
        "tags": ["medical", "llm-as-a-judge", "prometheus", "physician-grades"],
    }
    if configs:
        meta |= {"configs": configs, "dataset_info": infos}
    return meta


def _table(head: list[str], rows: list[list[Any]], right: int = 1) -> list[str]:
    align = ["---"] * (len(head) - right) + ["---:"] * right
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def _figure(value: dict[str, Any]) -> str:
    text = f"{value['value']:.3f}"
    ci = value.get("ci95")
    if isinstance(ci, list) and len(ci) == 2 and all(isinstance(c, int | float) for c in ci):
        text += f" (95% CI {ci[0]:.3f}–{ci[1]:.3f})"
    return text


def _made(frame: pl.DataFrame, report: ExportReport, agreement: dict[str, Any]) -> list[str]:
    """How the set was made: statuses per split, models and runs, physicians, agreement."""
    from curation.judge.export import SPLITS

    final = frame.filter(pl.col("status") == GradeStatus.FINAL)
    lines = ["## How it was made", ""]
    lines.append(
        f"Physicians graded model answers to MedCurate release {report.version}; each graded "
        "answer's grades were merged into one consensus (`curate grade merge`). Only **final** "
        "grades (graders agreed, or an adjudicator decided) are records here."
    )
    lines += ["", "Graded answers per split and status:", ""]
    counts = Counter(zip(frame["split"].to_list(), frame["status"].to_list(), strict=True))
    rows = []
    for split in SPLITS:
        row = [counts[(split, s.value)] for s in GradeStatus]
        rows.append([split, *row, report.records["sft"][split], report.records["pairwise"][split]])
    totals = [sum(r[i] for r in rows) for i in range(1, 6)]
    rows.append(["**all**", *totals])
    head = ["split", *[s.value for s in GradeStatus], "sft records", "pairs"]
    lines += _table(head, rows, right=5)
    if report.excluded:
        lines.append("")
    lines += [f"- {status} answers are left out: {why}." for status, why in report.excluded.items()]
    ties = sum(report.ties.values())
    lines.append(
        f"\nPairs: every two final answers to one id from different models or runs; the answer "
        f"with the higher consensus score (then the better verdict) is preferred. {ties} exact "
        "tie(s) are left out. Which answer is Response A is decided by a hash of the two "
        "grade_ids, never by the model."
    )
    lines += ["", "### Models and runs", ""]
    models = Counter(zip(final["model"].to_list(), final["run"].to_list(), strict=True))
    lines += _table(
        ["model", "run", "final graded answers"],
        [[m, r, n] for (m, r), n in sorted(models.items())],
    )
    per_answer = Counter(len(a or []) for a in final["annotators"].to_list())
    adjudicated = int(final["adjudicated"].fill_null(False).sum())
    physicians = sorted({p for a in final["annotators"].to_list() for p in a or []})
    lines += ["", "### Physicians", ""]
    lines.append(
        f"{len(physicians)} physician(s) graded the final answers; physicians per answer: "
        + ", ".join(f"{k}: {v} answer(s)" for k, v in sorted(per_answer.items()))
        + f". Adjudicated: {adjudicated} of {final.height} "
        f"({adjudicated / final.height:.1%})."
    )
    if agreement:
        names = {"krippendorff_alpha": "Krippendorff's alpha", "cohen_kappa": "Cohen's kappa"}
        lines += ["", f"Agreement of the graders' verdicts (from `{agreement['source']}`):", ""]
        lines += [f"- {names[k]}: {_figure(v)}" for k, v in agreement["figures"].items()]
    return lines


def _fields(report: ExportReport) -> list[str]:
    lines = ["## Configs and fields", ""]
    what = {
        "sft": "Supervised fine-tuning: one record per final graded answer (absolute grading).",
        "raw": "The graded answers' fields, for any other prompt layout.",
        "pairwise": "Preference pairs of two answers to one id (relative grading).",
    }
    for kind, fields in FIELDS.items():
        counts = ", ".join(f"{s} {n}" for s, n in report.records[kind].items())
        lines += [f"### {kind}", "", f"{what[kind]} Records: {counts}.", ""]
        rows = [
            [f"`{n}`", d if d != "list" else "list of string", m] for n, (d, m) in fields.items()
        ]
        lines += _table(["field", "type", "meaning"], rows, right=0)
        lines.append("")
    return lines


def _prompts() -> list[str]:
    from curation.judge.export import ABSOLUTE_PROMPT, RELATIVE_PROMPT

    return [
        "## Prompt layouts",
        "",
        "The prompts are Prometheus 2's (prometheus-eval, `prometheus_eval/prompts.py`), so a "
        "Prometheus judge can be fine-tuned on them as it was trained. `{instruction}` is the "
        "item as graders saw it, `{response}` the model's answer, `{reference_answer}` the "
        "reference answer and `{rubric}` the rubric graders scored on (its criteria and score "
        "descriptions; pairwise: its criteria only). Without a reference answer the "
        "prompt's reference section is left out (Prometheus's `_WO_REF` layouts).",
        "",
        "Absolute grading (`sft`), answered by "
        "`Feedback: Verdict: <verdict>. <rationale> [RESULT] <score>`:",
        "",
        "```text",
        ABSOLUTE_PROMPT,
        "```",
        "",
        "Relative grading (`pairwise`), answered by `Feedback: <reason> [RESULT] A` (or B):",
        "",
        "```text",
        RELATIVE_PROMPT,
        "```",
        "",
    ]


def card(frame: pl.DataFrame, report: ExportReport, agreement: dict[str, Any]) -> str:
    """The whole card."""
    languages = sorted({x for x in frame["language"].drop_nulls().to_list()})
    meta = yaml.safe_dump(header(report, languages), allow_unicode=True, sort_keys=False)
    lines = [f"# MedCurate judge training data: release {report.version or '(none)'}", ""]
    lines.append(
        "Physicians' grades of model answers to a MedCurate benchmark release, as training "
        "data for an LLM judge (as MLB trains its judge on physicians' grades) and as the gold "
        "standard a judge is scored against (`curate judge score`)."
    )
    lines.append("")
    if report.final == 0:
        graded = sum(report.status.values())
        lines.append(
            "**Nothing was graded to a final consensus yet**"
            + (f" ({graded} graded answer(s) are disputed or pending)" if graded else "")
            + ": every file is empty."
        )
        lines.append("")
    else:
        lines += [*_made(frame, report, agreement), ""]
    lines += [
        "## Splits",
        "",
        "Each record keeps the release's split of its item: an item is in one split only, so the "
        "judge's train file never holds a test item (the export checks it and stops otherwise). "
        "Train the judge on `train` (tune on `dev`) and score it on `test`.",
        "",
    ]
    lines += _fields(report)
    lines += _prompts()
    lines += [
        "## Loading",
        "",
        "```python",
        "from datasets import load_dataset",
        "",
        'sft = load_dataset("path/to/this/folder", "sft")',
        "```",
        "",
        "`manifest.json` counts the records of every file.",
    ]
    return f"---\n{meta}---\n\n" + "\n".join(lines) + "\n"


def write_card(
    path: Path, frame: pl.DataFrame, report: ExportReport, agreement: dict[str, Any]
) -> None:
    """Write README.md (only if its text changes)."""
    from curation.judge.export import write_if_changed

    write_if_changed(path, card(frame, report, agreement).encode("utf-8"))
