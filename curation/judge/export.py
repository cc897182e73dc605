"""Physicians' grades as training data for an LLM judge: SFT, raw and pairwise JSONL files.

Reads ``data/grading/grades.parquet`` (:data:`curation.grading.contract.GRADES_SCHEMA`). Only
``final`` grades (a consensus, or an adjudication) become records; ``disputed`` and ``pending``
ones are counted and left out. Every record keeps the release's split of its item, so a judge
trained on ``sft/train.jsonl`` never sees a test item (checked here, and an id in two splits
stops the export).

- ``sft/<split>.jsonl``: Prometheus absolute-grading prompts (``instruction``) and the
  physicians' consensus as the judge's answer (``output``: ``Feedback: Verdict: <verdict>.
  <rationale> [RESULT] <score>``).
- ``raw/<split>.jsonl``: the graded answers' fields, for other prompt layouts.
- ``pairwise/<split>.jsonl``: every pair of final answers to one id from different (model, run),
  in Prometheus's relative-grading layout; the answer with the higher consensus score (then the
  better verdict) is preferred, exact ties are left out and counted.

Output is byte-stable: records sorted by grade_id (pairs by id, then their grade_ids), JSON
with sorted keys, no timestamps. ``README.md`` is a Hugging Face dataset card
(:mod:`curation.judge.card`) and ``manifest.json`` counts the records of every file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import itertools
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from curation.errors import MAX_LISTED, ConfigError, InputFileError, listed
from curation.grading.contract import GRADES_SCHEMA, SCORES, GradeStatus, Verdict

SPLITS = ("train", "dev", "test")
KINDS = ("sft", "raw", "pairwise")
VERDICT_RANK: dict[str, int] = {
    Verdict.INCORRECT: 0,
    Verdict.PARTIALLY_CORRECT: 1,
    Verdict.CORRECT: 2,
}
EXCLUDED: dict[str, str] = {
    GradeStatus.DISPUTED: "graders disagree and no adjudication settled it yet "
    "(`curate grade adjudicate`)",
    GradeStatus.PENDING: "fewer complete grades than required",
}
GRADES_HINT = (
    "It is made by `curate grade merge` (DVC stage grade_merge): run that, or "
    "`dvc repro grade_merge`."
)

# The prompt layouts of Prometheus 2 (prometheus-eval, Apache-2.0:
# libs/prometheus-eval/prometheus_eval/prompts.py), kept verbatim: a Prometheus judge was trained
# on exactly these strings.
ABS_SYSTEM_PROMPT = (
    "You are a fair judge assistant tasked with providing clear, objective feedback based on "
    "specific criteria, ensuring each assessment reflects the absolute standards set for "
    "performance."
)
REL_SYSTEM_PROMPT = (
    "You are a fair judge assistant assigned to deliver insightful feedback that compares "
    "individual performances, highlighting how each stands relative to others within the same "
    "cohort."
)
ABSOLUTE_PROMPT = """###Task Description:
An instruction (might include an Input inside it), a response to evaluate, a reference answer that gets a score of 5, and a score rubric representing a evaluation criteria are given.
1. Write a detailed feedback that assess the quality of the response strictly based on the given score rubric, not evaluating in general.
2. After writing a feedback, write a score that is an integer between 1 and 5. You should refer to the score rubric.
3. The output format should look as follows: "(write a feedback for criteria) [RESULT] (an integer number between 1 and 5)"
4. Please do not generate any other opening, closing, and explanations.

###The instruction to evaluate:
{instruction}

###Response to evaluate:
{response}

###Reference Answer (Score 5):
{reference_answer}

###Score Rubrics:
{rubric}

###Feedback: """  # noqa: E501
ABSOLUTE_PROMPT_WO_REF = """###Task Description:
An instruction (might include an Input inside it), a response to evaluate, and a score rubric representing a evaluation criteria are given.
1. Write a detailed feedback that assess the quality of the response strictly based on the given score rubric, not evaluating in general.
2. After writing a feedback, write a score that is an integer between 1 and 5. You should refer to the score rubric.
3. The output format should look as follows: "(write a feedback for criteria) [RESULT] (an integer number between 1 and 5)"
4. Please do not generate any other opening, closing, and explanations.

###The instruction to evaluate:
{instruction}

###Response to evaluate:
{response}

###Score Rubrics:
{rubric}

###Feedback: """  # noqa: E501
RELATIVE_PROMPT = """###Task Description:
An instruction (might include an Input inside it), a response to evaluate, a reference answer, and a score rubric representing a evaluation criteria are given.
1. Write a detailed feedback that assess the quality of two responses strictly based on the given score rubric, not evaluating in general.
2. After writing a feedback, choose a better response between Response A and Response B. You should refer to the score rubric.
3. The output format should look as follows: "(write a feedback for criteria) [RESULT] (A or B)"
4. Please do not generate any other opening, closing, and explanations.

###Instruction:
{instruction}

###Response A:
{response_A}

###Response B:
{response_B}

###Reference Answer:
{reference_answer}

###Score Rubric:
{rubric}

###Feedback: """  # noqa: E501
RELATIVE_PROMPT_WO_REF = """###Task Description:
An instruction (might include an Input inside it), a response to evaluate, and a score rubric representing a evaluation criteria are given.
1. Write a detailed feedback that assess the quality of two responses strictly based on the given score rubric, not evaluating in general.
2. After writing a feedback, choose a better response between Response A and Response B. You should refer to the score rubric.
3. The output format should look as follows: "(write a feedback for criteria) [RESULT] (A or B)"
4. Please do not generate any other opening, closing, and explanations.

###Instruction:
{instruction}

###Response A:
{response_A}

###Response B:
{response_B}

###Score Rubric:
{rubric}

###Feedback: """  # noqa: E501
RESULT = "[RESULT]"
_SCORE_LINES = re.compile(r"\n\s*\[?Score 1\b")  # where a rubric's score descriptions begin


# --------------------------------------------------------------------------- reading grades
def load_grades(path: Path, version: str | None = None) -> tuple[pl.DataFrame, str | None]:
    """The checked grades of one release and its version (None when nothing was graded).

    A missing file, missing columns, an unknown status or split, a final grade without a
    verdict or score 1-5, or an id in two splits: InputFileError. Grades of another release
    than ``version`` (or of several, with no version named): ConfigError.
    """
    if not path.is_file():
        raise InputFileError(f"{path} does not exist", hint=GRADES_HINT)
    try:
        frame = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputFileError(
            f"{path} is not a readable parquet file ({exc})", hint=GRADES_HINT
        ) from None
    missing = [c for c in GRADES_SCHEMA if c not in frame.columns]
    if missing:
        raise InputFileError(f"{path} lacks column(s) {', '.join(missing)}", hint=GRADES_HINT)
    frame = frame.select(list(GRADES_SCHEMA))
    found = sorted(set(frame["version"].drop_nulls().to_list()))
    if version is not None and found and version not in found:
        raise ConfigError(
            f"{path} holds grades of release {', '.join(found)}, not {version}",
            hint=f"Name the graded release (or leave VERSION out), or grade release {version} "
            "and merge its grades (`curate grade merge`) first.",
        )
    if version is None and len(found) > 1:
        raise ConfigError(
            f"{path} holds grades of several releases ({', '.join(found)})",
            hint="Name the release to use as VERSION.",
        )
    version = version or (found[0] if found else None)
    if len(found) > 1:
        frame = frame.filter(pl.col("version") == version)
    _check(path, frame)
    return frame.sort("grade_id"), version


def _check(path: Path, frame: pl.DataFrame) -> None:
    """Every grade's status, split and (final ones) verdict and score are known codes."""
    problems: list[str] = []
    seen: set[str] = set()
    for row in frame.iter_rows(named=True):
        gid = row["grade_id"]
        if gid is None or gid in seen:
            problems.append(f"grade {gid}: missing or repeated grade_id")
        seen.add(gid)
        if row["status"] not in set(GradeStatus):
            problems.append(f"grade {gid}: unknown status {row['status']!r}")
        if row["split"] not in SPLITS:
            problems.append(f"grade {gid}: unknown split {row['split']!r}")
        if row["status"] == GradeStatus.FINAL:
            if row["verdict"] not in set(Verdict):
                problems.append(f"grade {gid}: final without a known verdict")
            if row["score"] not in SCORES:
                problems.append(f"grade {gid}: final without a score 1-5")
    ids: dict[str, set[str]] = {}
    for id_, split in frame.select("id", "split").iter_rows():
        ids.setdefault(id_, set()).add(split)
    problems += [
        f"id {i} is in splits {', '.join(sorted(s))}" for i, s in ids.items() if len(s) > 1
    ]
    if problems:
        raise InputFileError(
            f"{path}: {len(problems)} problem(s):{listed(problems)}",
            hint=f"The grades file does not follow its contract (curation/grading/contract.py). "
            f"{GRADES_HINT}",
        )


def check_no_leak(records: dict[str, list[dict[str, Any]]]) -> None:
    """Stop when an id has records in two splits (a test item in a train file above all)."""
    where: dict[str, set[str]] = {}
    for split, rows in records.items():
        for row in rows:
            where.setdefault(row["id"], set()).add(split)
    leaks = sorted(i for i, s in where.items() if len(s) > 1)
    if leaks:
        raise InputFileError(
            f"{len(leaks)} id(s) would be in two splits of the judge export: "
            + ", ".join(leaks[:MAX_LISTED]),
            hint="An item keeps its release split; merge the grades again from the release.",
        )


# --------------------------------------------------------------------------- records
def _text(value: str | None) -> str:
    return (value or "").strip()


def _clean(rationale: str | None) -> str:
    """A rationale on one feedback line: Prometheus's result marker only at its end."""
    return " ".join(_text(rationale).replace(RESULT, "[result]").split())


def feedback(verdict: str, score: int, rationale: str | None) -> str:
    """The judge's answer an SFT record teaches: the verdict, the rationale, the score."""
    body = " ".join(p for p in (f"Verdict: {verdict}.", _clean(rationale)) if p)
    return f"Feedback: {body} {RESULT} {score}"


def absolute_instruction(row: dict[str, Any]) -> str:
    """Prometheus's absolute-grading prompt for one graded answer."""
    filled = {
        "instruction": _text(row["question"]),
        "response": _text(row["answer"]),
        "rubric": _text(row["rubric"]),
    }
    if _text(row["reference"]):
        return ABSOLUTE_PROMPT.format(reference_answer=_text(row["reference"]), **filled)
    return ABSOLUTE_PROMPT_WO_REF.format(**filled)


def relative_rubric(rubric: str | None) -> str:
    """The criteria of a rubric without its score descriptions (as Prometheus's relative
    grading uses a rubric)."""
    return _SCORE_LINES.split(_text(rubric), maxsplit=1)[0].strip()


def relative_instruction(a: dict[str, Any], b: dict[str, Any]) -> str:
    """Prometheus's relative-grading prompt for two answers to one id."""
    filled = {
        "instruction": _text(a["question"]),
        "response_A": _text(a["answer"]),
        "response_B": _text(b["answer"]),
        "rubric": relative_rubric(a["rubric"]),
    }
    if _text(a["reference"]):
        return RELATIVE_PROMPT.format(reference_answer=_text(a["reference"]), **filled)
    return RELATIVE_PROMPT_WO_REF.format(**filled)


def sft_record(row: dict[str, Any]) -> dict[str, Any]:
    """One SFT record: prompt, the physicians' consensus as answer, and where it comes from."""
    return {
        "grade_id": row["grade_id"],
        "id": row["id"],
        "config": row["config"],
        "split": row["split"],
        "system": ABS_SYSTEM_PROMPT,
        "instruction": absolute_instruction(row),
        "output": feedback(row["verdict"], row["score"], row["rationale"]),
    }


RAW_FIELDS = (
    *("grade_id", "id", "kind", "config", "split", "dimension", "family", "language"),
    *("question", "reference", "answer", "model", "run", "verdict", "score", "harm"),
    *("rationale", "annotators", "adjudicated"),
)


def raw_record(row: dict[str, Any]) -> dict[str, Any]:
    """One graded answer's own fields."""
    return {k: row[k] for k in RAW_FIELDS}


def _key(row: dict[str, Any]) -> tuple[int, int]:
    return row["score"], VERDICT_RANK[row["verdict"]]


def a_first(gid_1: str, gid_2: str) -> str:
    """Which of two grade ids is Response A: a hash of both, so the preferred answer is A about
    half of the time whatever the models are called."""
    low, high = sorted((gid_1, gid_2))
    digest = hashlib.sha256(f"pair\x1f{low}\x1f{high}".encode()).digest()
    return low if digest[0] % 2 == 0 else high


def _pair_reason(a: dict[str, Any], b: dict[str, Any]) -> str:
    parts = [
        f"Physicians graded Response A {a['verdict']} with score {a['score']} and Response B "
        f"{b['verdict']} with score {b['score']}."
    ]
    for name, row in (("A", a), ("B", b)):
        if _clean(row["rationale"]):
            parts.append(f"Response {name}: {_clean(row['rationale'])}")
    return " ".join(parts)


def pair_record(one: dict[str, Any], two: dict[str, Any]) -> dict[str, Any] | None:
    """The pairwise record of two final answers to one id, or None for an exact tie."""
    if _key(one) == _key(two):
        return None
    a, b = (
        (one, two) if a_first(one["grade_id"], two["grade_id"]) == one["grade_id"] else (two, one)
    )
    preferred = "a" if _key(a) > _key(b) else "b"
    shared = ("id", "kind", "config", "split", "dimension", "family", "language")
    record = {k: a[k] for k in (*shared, "question", "reference")}
    for side, row in (("a", a), ("b", b)):
        for name in ("grade_id", "model", "run", "answer", "score", "verdict"):
            record[f"{name}_{side}"] = row[name]
    return record | {
        "pair_id": "_".join(sorted((a["grade_id"], b["grade_id"]))),
        "preferred": preferred,
        "system": REL_SYSTEM_PROMPT,
        "instruction": relative_instruction(a, b),
        "output": f"Feedback: {_pair_reason(a, b)} {RESULT} {preferred.upper()}",
    }


def pairwise(final: list[dict[str, Any]]) -> tuple[dict[str, list[dict[str, Any]]], Counter[str]]:
    """Per split, the pairwise records of every id's final answers, and the ties left out."""
    out: dict[str, list[dict[str, Any]]] = {s: [] for s in SPLITS}
    ties: Counter[str] = Counter()
    by_id: dict[str, list[dict[str, Any]]] = {}
    for row in final:
        by_id.setdefault(row["id"], []).append(row)
    for id_ in sorted(by_id):
        rows = sorted(by_id[id_], key=lambda r: r["grade_id"])
        for one, two in itertools.combinations(rows, 2):
            if (one["model"], one["run"]) == (two["model"], two["run"]):
                continue
            record = pair_record(one, two)
            if record is None:
                ties[one["split"]] += 1
            else:
                out[one["split"]].append(record)
    for rows in out.values():
        rows.sort(key=lambda r: (r["id"], r["pair_id"]))
    return out, ties


# --------------------------------------------------------------------------- writing
def jsonl(records: list[dict[str, Any]]) -> bytes:
    """Byte-stable JSON lines."""
    return "".join(
        json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records
    ).encode("utf-8")


def write_if_changed(path: Path, data: bytes) -> None:
    """Write a file only when its bytes change (so its mtime says when it last changed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_bytes() != data:
        path.write_bytes(data)


@dataclass
class ExportReport:
    """What one judge export wrote."""

    version: str | None
    out: str
    status: dict[str, int] = field(default_factory=dict)  # graded answers per status
    excluded: dict[str, str] = field(default_factory=dict)  # why a status is left out
    records: dict[str, dict[str, int]] = field(default_factory=dict)  # kind → split → records
    ties: dict[str, int] = field(default_factory=dict)  # pairwise ties left out, per split

    @property
    def final(self) -> int:
        return self.status.get(GradeStatus.FINAL, 0)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def pseudonym(salt: bytes, annotator: str) -> str:
    """A physician as the published set names them: a keyed hash of their account, stable
    across exports of one project, never the account itself."""
    return "physician-" + hmac.new(salt, annotator.encode("utf-8"), hashlib.sha256).hexdigest()[:8]


def export_judge(
    grades_path: Path,
    out: Path,
    version: str | None = None,
    agreement: Path | None = None,
    salt: bytes = b"",
) -> ExportReport:
    """Write the judge's training export of one release's grades under ``out`` (physicians
    named by :func:`pseudonym` under `salt`, the project's secret salt)."""
    from curation.judge.card import read_agreement, write_card

    frame, version = load_grades(grades_path, version)
    frame = frame.with_columns(
        pl.col("annotators").list.eval(
            pl.element().map_elements(lambda a: pseudonym(salt, a), return_dtype=pl.String)
        )
    )
    status = Counter(frame["status"].to_list())
    final = frame.filter(pl.col("status") == GradeStatus.FINAL).to_dicts()
    sft = {s: [sft_record(r) for r in final if r["split"] == s] for s in SPLITS}
    raw = {s: [raw_record(r) for r in final if r["split"] == s] for s in SPLITS}
    pairs, ties = pairwise(final)
    for records in (sft, raw, pairs):
        check_no_leak(records)
    written = sum(len(v) for v in sft.values())
    if written != len(final) or sum(len(v) for v in raw.values()) != len(final):
        raise AssertionError(f"{written} SFT records for {len(final)} final graded answers")
    report = ExportReport(
        version=version,
        out=str(out),
        status={s.value: status.get(s, 0) for s in GradeStatus},
        excluded={k.value: v for k, v in EXCLUDED.items() if status.get(k, 0)},
        records={
            kind: {s: len(found[s]) for s in SPLITS}
            for kind, found in (("sft", sft), ("raw", raw), ("pairwise", pairs))
        },
        ties={s: ties.get(s, 0) for s in SPLITS},
    )
    files: dict[str, dict[str, Any]] = {}
    for kind, found in (("sft", sft), ("raw", raw), ("pairwise", pairs)):
        for split in SPLITS:
            data = jsonl(found[split])
            write_if_changed(out / kind / f"{split}.jsonl", data)
            files[f"{kind}/{split}.jsonl"] = {
                "records": len(found[split]),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
    manifest = {
        "version": version,
        "graded": report.status,
        "excluded": report.excluded,
        "pairwise_ties": report.ties,
        "files": files,
    }
    write_if_changed(
        out / "manifest.json",
        (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode(),
    )
    figures = read_agreement(agreement) if agreement is not None else {}
    write_card(out / "README.md", frame, report, figures)
    return report
