"""`curate grade adjudicate`: disputed grades → the release's grading adjudication project.

Every answer the merge left ``disputed`` (different verdicts or harm judgements, scores too far
apart, or incomplete grades) becomes one task of ``<project> · grading adj. · <version>``,
graded once by a senior physician who sees the graders' grades beside the usual screen
(graders named by number, not by account). Their complete grade is final at the next merge.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import polars as pl

from curation.errors import InputFileError
from curation.grading.contract import HARM_LABELS, VERDICT_LABELS, GradeStatus
from curation.grading.layout import GradingLayout
from curation.grading.projects import GradingProjectSpec
from curation.grading.push import SAFETY_NOTES
from curation.params import Params
from curation.paths import ProjectPaths
from curation.review.configs import Role
from curation.review.lock import DEFAULT_WAIT, push_lock
from curation.review.projects import UpsertReport

DISPUTES = {
    "verdict": "verdicts differ 判定不一致",
    "harm": "harm judgements differ 安全性判断不一致",
    "score_gap": "scores too far apart 评分差距过大",
    "incomplete": "a grade is incomplete 有评分不完整",
}


def grades_panel(row: dict[str, Any]) -> str:
    """The graders' grades as the senior physician reads them."""
    lines = [f"Dispute 争议: {DISPUTES.get(row['dispute'] or '', row['dispute'] or '—')}"]
    reviews = [g for g in row["grades"] if g["role"] == "review"]
    for n, grade in enumerate(reviews, 1):
        verdict = VERDICT_LABELS.get(grade["verdict"] or "", "—")
        harm = HARM_LABELS.get(grade["harm"] or "", "—")
        lines.append(
            f"Grader {n} 评分医师{n}: {verdict} · score 评分 {grade['score'] or '—'} · "
            f"harm 安全性 {harm}\n  {grade['rationale'] or '(no rationale 无理由)'}"
        )
    return "\n".join(lines)


def adjudication_tasks(grades: pl.DataFrame) -> list[dict[str, Any]]:
    """One adjudication task per disputed answer, in grade_id order."""
    tasks = []
    disputed = grades.filter(pl.col("status") == GradeStatus.DISPUTED).sort("grade_id")
    for row in disputed.iter_rows(named=True):
        data: dict[str, Any] = {
            "grade_id": row["grade_id"],
            "meta": f"{row['config']} · {row['language']} · {row['grade_id']}",
            "question": row["question"],
            "reference": row["reference"],
            "answer": row["answer"],
            "rubric": row["rubric"],
            "safety": row["safety"],
            "safety_note": SAFETY_NOTES[bool(row["safety"])],
            "grades": grades_panel(row),
        }
        blob = json.dumps(data, ensure_ascii=False, sort_keys=True)
        data["task_hash"] = hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]
        tasks.append({"data": data})
    return tasks


def run_grade_adjudicate(
    paths: ProjectPaths,
    params: Params,
    advance: Callable[[int], None] = lambda n: None,
    wait: float = DEFAULT_WAIT,
) -> tuple[str, int, UpsertReport | None]:
    """(version, disputed answers, upsert report) after pushing the disputed answers."""
    from curation.tasks.review import server_for

    layout = GradingLayout(paths.root)
    if not layout.grades.is_file():
        raise InputFileError(
            f"{layout.grades.relative_to(paths.root)} does not exist",
            hint="Merge the grades first: `dvc repro grade_merge` (or `curate grade merge`).",
        )
    grades = pl.read_parquet(layout.grades)
    tasks = adjudication_tasks(grades)
    version = grades["version"][0] if grades.height else ""
    if not tasks:
        return version, 0, None
    server = server_for(paths, params)
    with push_lock(paths.root, wait):
        report = server.upsert(
            GradingProjectSpec(version, Role.ADJUDICATION),
            tasks,
            1,
            params.review.batch_size,
            advance,
        )
    return version, len(tasks), report
