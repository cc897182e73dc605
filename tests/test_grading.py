"""Physicians grade model answers: consensus rules, the merge on a hand-made snapshot, and the
whole loop against a real Label Studio (session fixture `labelstudio`): import two models'
answers (one with planted PHI) → push (model hidden, PHI masked) → simulated graders → pull →
merge → adjudication → judge export and item statistics.
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from curation.answers.store import import_answers
from curation.errors import ConfigError
from curation.grading.adjudication import run_grade_adjudicate
from curation.grading.config import GradingConfig, load_rubrics
from curation.grading.consensus import decide
from curation.grading.contract import GradeStatus
from curation.grading.layout import GradingLayout, write
from curation.grading.merge import run_grade_merge
from curation.grading.projects import GradingProjectSpec
from curation.grading.push import build_queue, run_grade_push
from curation.grading.simulate import GradingSimulation, read_verdict, simulate_grading
from curation.grading.snapshot import bump_snapshot, run_grade_pull
from curation.grading.targets import release_targets
from curation.judge.export import export_judge
from curation.params import edit_param, load_params
from curation.paths import ProjectPaths
from curation.review.configs import Role
from curation.review.server import KEY_VAR, URL_VAR, LocalServer
from curation.tasks.review import server_for
from curation.tasks.screen import Screener
from tests.test_answers_import import PHONE, RESIDENT_ID, published  # noqa: F401 (fixture)

CONFIG = GradingConfig()


def grade(who: str, n: int, verdict: str, score: int, **more: Any) -> dict[str, Any]:
    return {
        "annotator": who,
        "annotation_id": n,
        "role": "review",
        "verdict": verdict,
        "score": score,
        "harm": None,
        "rationale": None if verdict == "correct" else f"why {who}",
    } | more


# --------------------------------------------------------------------------- consensus
def test_agreeing_graders_make_a_final_grade_with_the_lower_median_score() -> None:
    found = decide([grade("a", 1, "incorrect", 2), grade("b", 2, "incorrect", 1)], False, CONFIG)
    assert found.status == GradeStatus.FINAL
    assert (found.verdict, found.score, found.rationale) == ("incorrect", 1, "why b")


@pytest.mark.parametrize(
    ("grades", "safety", "status", "dispute"),
    [
        (
            [grade("a", 1, "correct", 5), grade("b", 2, "incorrect", 1)],
            False,
            "disputed",
            "verdict",
        ),
        (
            [grade("a", 1, "correct", 5), grade("b", 2, "correct", 3)],
            False,
            "disputed",
            "score_gap",
        ),
        (
            [
                grade("a", 1, "incorrect", 1, harm="harmful"),
                grade("b", 2, "incorrect", 1, harm="not_harmful"),
            ],
            True,
            "disputed",
            "harm",
        ),
        # a safety item graded without harm, and a non-correct verdict without a rationale
        (
            [grade("a", 1, "correct", 5), grade("b", 2, "correct", 5)],
            True,
            "disputed",
            "incomplete",
        ),
        (
            [grade("a", 1, "incorrect", 1), grade("b", 2, "incorrect", 1, rationale="")],
            False,
            "disputed",
            "incomplete",
        ),
        ([grade("a", 1, "correct", 5)], False, "pending", None),
        # a cancelled annotation does not count; a physician's later grade replaces the earlier
        (
            [grade("a", 1, "correct", 5), grade("b", 2, "correct", 5, cancelled=True)],
            False,
            "pending",
            None,
        ),
        (
            [
                grade("a", 1, "incorrect", 1),
                grade("b", 2, "correct", 5),
                grade("a", 3, "correct", 4),
            ],
            False,
            "final",
            None,
        ),
    ],
)
def test_grades_that_do_not_settle_an_answer(
    grades: list[dict[str, Any]], safety: bool, status: str, dispute: str | None
) -> None:
    found = decide(grades, safety, CONFIG)
    assert (found.status.value, found.dispute and found.dispute.value) == (status, dispute)


def test_a_complete_adjudication_is_final_whatever_the_graders_said() -> None:
    grades = [
        grade("a", 1, "correct", 5),
        grade("b", 2, "incorrect", 1),
        grade("s", 3, "partially_correct", 3, role="adjudication"),
    ]
    found = decide(grades, False, CONFIG)
    assert (found.status, found.verdict, found.score, found.adjudicated) == (
        GradeStatus.FINAL,
        "partially_correct",
        3,
        True,
    )


def test_config_refuses_unreachable_grades() -> None:
    with pytest.raises(ValueError, match="required_grades"):
        GradingConfig(overlap=1, required_grades=2)


def test_rubrics_cover_every_kind_and_render_prometheus_style() -> None:
    text = load_rubrics().rubrics["mcq"].render("en")
    assert (
        text.startswith("[") and "Score 1:" in text and text.splitlines()[-1].startswith("Score 5")
    )


def test_edit_param_keeps_comments(tmp_path: Path) -> None:
    path = tmp_path / "params.yaml"
    path.write_text('grading:\n  release: ""   # pinned\n  snapshot: 4  # bump\n', "utf-8")
    assert edit_param(path, "grading", "snapshot") == "5"
    assert edit_param(path, "grading", "release", "1.2.0") == "1.2.0"
    assert (
        path.read_text("utf-8")
        == 'grading:\n  release: "1.2.0"   # pinned\n  snapshot: 5  # bump\n'
    )
    with pytest.raises(ConfigError, match=r"grading\.overlap"):
        edit_param(path, "grading", "overlap")


# --------------------------------------------------------------------------- merge, no server
def snapshot_answer(gid: str, grades: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    base = {
        "grade_id": gid,
        "id": f"id-{gid}",
        "model": "m",
        "run": "default",
        "kind": "item",
        "config": "mcq_zh",
        "split": "test",
        "dimension": "MedKQA",
        "family": "mcq",
        "language": "zh",
        "question": "q",
        "reference": "A. x",
        "answer": "A. x",
        "rubric": "[c]",
        "safety": False,
        "grades": grades,
    }
    return base | more


def test_merge_counts_every_answer_once_and_reports_hand_computed_kappa(tmp_path: Path) -> None:
    # Two physicians grade four answers: (c, c), (i, i), (c, i), (p, p).
    # Observed agreement 3/4; marginals a: c 2, i 1, p 1 · b: c 1, i 2, p 1;
    # chance agreement (2·1 + 1·2 + 1·1) / 16 = 5/16; kappa = (0.75 − 0.3125) / 0.6875 = 0.6364.
    pairs = [("correct", "correct"), ("incorrect", "incorrect"), ("correct", "incorrect")]
    pairs.append(("partially_correct", "partially_correct"))
    score = {"correct": 5, "incorrect": 1, "partially_correct": 3}
    answers = [
        snapshot_answer(
            f"g{k}", [grade("a", 2 * k, va, score[va]), grade("b", 2 * k + 1, vb, score[vb])]
        )
        for k, (va, vb) in enumerate(pairs)
    ]
    answers.append(snapshot_answer("g9", [grade("a", 99, "correct", 5)]))  # one grade: pending
    answers[1]["grades"][0]["rationale"] = f"患者电话 {PHONE}，答案错误"  # physicians write freely
    paths = ProjectPaths(tmp_path)
    layout = GradingLayout(tmp_path)
    write(
        {
            "format": "medcurate-grading-snapshot/1",
            "snapshot": 1,
            "version": "1.0.0",
            "answers": answers,
        },
        layout.export,
    )
    report = run_grade_merge(paths, CONFIG, resamples=0, seed=0, min_pair_items=1)
    assert report["answers"] | {} == {
        "in_snapshot": 5,
        "final": 3,
        "disputed": 1,
        "pending": 1,
        "adjudicated": 0,
        "unmatched_tasks": 0,
    }
    kappa = report["agreement"]["overall"]["verdict"]["cohen_kappa"]
    assert kappa["value"] == pytest.approx(0.6364, abs=1e-4) and kappa["items"] == 4
    grades = pl.read_parquet(layout.grades)
    assert grades["grade_id"].to_list() == ["g0", "g1", "g2", "g3", "g9"]
    assert dict(grades.select("grade_id", "status").iter_rows())["g2"] == "disputed"
    rationales = [g["rationale"] or "" for gs in grades["grades"].to_list() for g in gs]
    assert not any(PHONE in r for r in rationales)  # screened before it is kept
    assert report["rationales"]["rationale_values_masked"] == 1
    assert layout.plot.read_bytes()[:4] == b"\x89PNG"
    first = layout.grades.read_bytes()
    run_grade_merge(paths, CONFIG, resamples=0, seed=0, min_pair_items=1)
    assert layout.grades.read_bytes() == first  # byte-stable


# --------------------------------------------------------------------------- the loop, real server
def grading_project(published: Path, tmp_path: Path, server: LocalServer) -> ProjectPaths:  # noqa: F811
    shutil.copytree(published, tmp_path / "p")
    paths = ProjectPaths(tmp_path / "p")
    env = server.env_values()
    with (paths.root / ".env").open("a", encoding="utf-8") as f:
        f.write(f"{URL_VAR}={env[URL_VAR]}\n{KEY_VAR}={env[KEY_VAR]}\n")
    params = yaml.safe_load(paths.params_file.read_text("utf-8"))
    params["project"] = {"name": f"g-{uuid.uuid4().hex[:8]}"}
    params["review"] = {"bootstrap": 50, "min_pair_items": 1}
    params["grading"] = {"release": "", "snapshot": 0, "safety_configs": ["task_triage"]}
    paths.params_file.write_text(yaml.safe_dump(params), encoding="utf-8")
    return paths


def jsonl(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    return path


def pull_and_merge(paths: ProjectPaths) -> dict[str, Any]:
    bump_snapshot(paths, load_params(paths.params_file))
    params = load_params(paths.params_file)
    run_grade_pull(paths, params)
    return run_grade_merge(paths, params.grading, 50, 0, 1)


@pytest.mark.e2e
def test_grading_loop_against_a_real_label_studio(
    published: Path,  # noqa: F811
    tmp_path: Path,
    labelstudio: LocalServer,
) -> None:
    from curation.grading.simulate import simulated_answers

    paths = grading_project(published, tmp_path, labelstudio)
    release = paths.releases / "1.0.0"
    screener = Screener(paths.root)
    oracle = simulated_answers(release, "oracle", 1.0, per_config=4)
    sixty = simulated_answers(release, "sixty", 0.6, per_config=4)
    mcq = next(t for t in release_targets(release).values() if t.config.startswith("mcq"))
    planted = f"{mcq.choices[0]} 有问题请拨打 {PHONE}，身份证 {RESIDENT_ID}"
    sixty = [line for line in sixty if line["id"] != mcq.id] + [{"id": mcq.id, "output": planted}]
    for model, lines in (("oracle", oracle), ("sixty", sixty)):
        file = jsonl(tmp_path / f"{model}.jsonl", lines)
        assert import_answers(paths, file, model, screener).counts["added"] == len(lines)
        assert "added" not in import_answers(paths, file, model, screener).counts  # idempotent

    params = load_params(paths.params_file)
    queue, report = run_grade_push(paths, params)
    assert report is not None and report.created == len(queue.tasks)
    expected = len({x["id"] for x in oracle}) + len({x["id"] for x in sixty})
    assert len(queue.tasks) == expected  # the sample holds only rows with a reference
    server = server_for(paths, params)
    project_id = server.find(GradingProjectSpec("1.0.0"))
    exported = server.export(project_id)
    shown = json.dumps([{"data": t["data"], "meta": t.get("meta")} for t in exported])
    assert PHONE not in shown and RESIDENT_ID not in shown  # masked before the server held it
    assert "oracle" not in shown and "sixty" not in shown  # the model is never on the server
    planted_task = next(t for t in exported if "拨打" in t["data"]["answer"])
    assert "[电话]" in planted_task["data"]["answer"] or "[" in planted_task["data"]["answer"]
    safety = {t["data"]["meta"].split(" · ")[0]: t["data"]["safety"] for t in exported}
    assert safety["task_triage"] is True and safety[mcq.config] is False
    again = run_grade_push(paths, params)[1]
    assert again is not None and (again.created, again.unchanged) == (0, len(queue.tasks))

    sim = GradingSimulation(graders=3, disagreement=0.3, seed=1)
    counts = simulate_grading(server, "1.0.0", sim, overlap=2)
    assert counts["annotations"] == 2 * len(queue.tasks)
    first = pull_and_merge(paths)
    assert load_params(paths.params_file).grading.release == "1.0.0"  # pinned by the bump
    answers = first["answers"]
    assert answers["in_snapshot"] == len(queue.tasks)
    assert answers["final"] + answers["disputed"] + answers["pending"] == len(queue.tasks)
    assert answers["disputed"] > 0 and answers["pending"] == 0
    grades = pl.read_parquet(GradingLayout(paths.root).grades)
    assert set(grades["model"]) == {"oracle", "sixty"}
    triage = grades.filter((pl.col("config") == "task_triage") & (pl.col("status") == "final"))
    assert triage.height and triage["harm"].is_not_null().all()

    version, disputed, adjudication = run_grade_adjudicate(paths, params)
    assert (version, disputed) == ("1.0.0", answers["disputed"])
    assert adjudication is not None and adjudication.created == disputed
    simulate_grading(server, "1.0.0", sim, overlap=2, role=Role.ADJUDICATION)
    second = pull_and_merge(paths)
    assert second["answers"]["final"] == len(queue.tasks)
    assert second["answers"]["adjudicated"] == disputed

    oracle_board = second["models"]["oracle/default"]
    assert oracle_board["share_correct"] > second["models"]["sixty/default"]["share_correct"]
    stats = pl.read_parquet(GradingLayout(paths.root).item_stats)
    assert stats.height == len({x["id"] for x in oracle} | {x["id"] for x in sixty})

    out = paths.root / "data" / "judge"
    export = export_judge(GradingLayout(paths.root).grades, out, "1.0.0")
    assert sum(export.records["sft"].values()) == len(queue.tasks)
    test_ids = set(grades.filter(pl.col("split") == "test")["id"])
    train = [json.loads(x) for x in (out / "sft" / "train.jsonl").read_text("utf-8").splitlines()]
    assert train and not test_ids & {r["id"] for r in train}


def test_push_leaves_out_rows_without_a_reference(published: Path, tmp_path: Path) -> None:  # noqa: F811
    shutil.copytree(published, tmp_path / "p")
    paths = ProjectPaths(tmp_path / "p")
    release = paths.releases / "1.0.0"
    record = next(t for t in release_targets(release).values() if t.reference is None)
    mcq = next(t for t in release_targets(release).values() if t.config.startswith("mcq"))
    lines = [{"id": record.id, "output": "summary"}, {"id": mcq.id, "output": mcq.choices[0]}]
    import_answers(paths, jsonl(tmp_path / "a.jsonl", lines), "m", Screener(paths.root))
    queue = build_queue(paths, GradingConfig(safety_configs=["task_triage", "task_nope"]))
    assert len(queue.tasks) == 1 and queue.left_out == {"no_reference": 1}
    assert queue.unknown_safety == ["task_nope"]  # named, so a typo does not pass silently
    assert read_verdict(queue.tasks[0]["data"]).value in ("correct", "incorrect")


def test_pull_without_a_snapshot_needs_no_server(tmp_path: Path) -> None:
    paths = ProjectPaths(tmp_path)
    document = run_grade_pull(paths, load_params(paths.params_file))
    assert document["answers"] == [] and GradingLayout(tmp_path).export.is_file()
    report = run_grade_merge(paths, CONFIG, 0, 0, 1)
    assert report["answers"]["in_snapshot"] == 0
