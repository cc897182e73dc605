"""`curate judge`: the judge's training export of physicians' grades, and a judge's score.

Grades are hand-made frames of :data:`curation.grading.contract.GRADES_SCHEMA`, written where
``curate grade merge`` writes them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sklearn.metrics import accuracy_score, cohen_kappa_score, f1_score
from typer.testing import CliRunner

from curation.cli import app
from curation.errors import ConfigError, InputFileError
from curation.grading.contract import GRADES_SCHEMA, grade_id
from curation.judge.export import (
    ABSOLUTE_PROMPT,
    SPLITS,
    a_first,
    check_no_leak,
    export_judge,
    feedback,
    pseudonym,
)
from curation.judge.score import parse_output, score_judge
from curation.judge.simulate import simulate_judge

VERSION = "1.0.0"
SALT = b"test-salt"
C, P, I = "correct", "partially_correct", "incorrect"  # noqa: E741
runner = CliRunner()


def grade(
    id_: str,
    split: str,
    model: str,
    run: str = "default",
    status: str = "final",
    verdict: str | None = C,
    score: int | None = 5,
    *,
    dimension: str | None = "MedKQA",
    family: str | None = "open_qa",
    rationale: str = "",
    reference: str | None = "参考答案",
    annotators: tuple[str, ...] = ("a@x.org", "b@x.org"),
    adjudicated: bool = False,
) -> dict[str, Any]:
    """One graded answer as `curate grade merge` writes it."""
    final = status == "final"
    return {
        "grade_id": grade_id(SALT, VERSION, id_, model, run),
        "version": VERSION,
        "id": id_,
        "kind": "item",
        "config": "open_qa_zh",
        "split": split,
        "dimension": dimension,
        "family": family,
        "language": "zh",
        "model": model,
        "run": run,
        "question": f"问题 {id_}",
        "reference": reference,
        "answer": f"{model}/{run} 的回答 {id_}",
        "rubric": "[Is the answer medically correct?]\nScore 1: wrong\nScore 5: right",
        "safety": False,
        "status": status,
        "verdict": verdict if final else None,
        "score": score if final else None,
        "harm": None,
        "rationale": rationale if final else None,
        "adjudicated": adjudicated,
        "annotators": list(annotators),
        "grades": [
            {
                "annotator": a,
                "role": "review",
                "verdict": verdict,
                "score": score,
                "harm": None,
                "rationale": rationale,
            }
            for a in annotators
        ],
    }


def frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=GRADES_SCHEMA)


def write_grades(root: Path, rows: list[dict[str, Any]]) -> Path:
    path = root / "data/grading/grades.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    (root / ".env").write_text("MEDCURATE_DEID_SALT=judge-test-salt\n", encoding="utf-8")
    frame(rows).write_parquet(path)
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# Item q1 (train) has three final answers, all scored 4: m1 correct, m2 partially_correct,
# m3 correct (a tie with m1), plus a disputed m4. Pairs: m1>m2 (verdict), m3>m2, m1=m3 (tie).
PAIR_ROWS = [
    grade("q1", "train", "m1", score=4, rationale="完整"),
    grade("q1", "train", "m2", verdict=P, score=4, rationale="遗漏剂量"),
    grade("q1", "train", "m3", score=4),
    grade("q1", "train", "m4", status="disputed"),
]


def export_rows() -> list[dict[str, Any]]:
    """Items in all three splits; two models, m1 with two runs; disputed and pending grades."""
    rows = list(PAIR_ROWS)
    for id_, split in (
        ("t1", "train"),
        ("t2", "train"),
        ("d1", "dev"),
        ("s1", "test"),
        ("s2", "test"),
    ):
        rows.append(grade(id_, split, "m1", score=5, rationale="正确", adjudicated=True))
        rows.append(grade(id_, split, "m1", "r2", verdict=I, score=1, rationale="错误 [RESULT] 3"))
        rows.append(grade(id_, split, "m2", verdict=P, score=3))
    rows.append(grade("s3", "test", "m1", status="pending"))
    rows.append(grade("d2", "dev", "m2", status="disputed"))
    return rows


@pytest.fixture
def exported(tmp_path: Path) -> tuple[Path, Any]:
    grades = write_grades(tmp_path, export_rows())
    out = tmp_path / "data/judge"
    return out, export_judge(grades, out, VERSION, tmp_path / "reports/grading.json")


# --------------------------------------------------------------------------- export
def test_export_keeps_splits_apart_and_counts_final_answers(exported: tuple[Path, Any]) -> None:
    out, report = exported
    records = {s: read_jsonl(out / "sft" / f"{s}.jsonl") for s in SPLITS}
    ids = {s: {r["id"] for r in records[s]} for s in SPLITS}
    assert ids == {"train": {"q1", "t1", "t2"}, "dev": {"d1"}, "test": {"s1", "s2"}}
    assert not ids["train"] & ids["test"] and not ids["train"] & ids["dev"]
    assert all(r["split"] == s for s in SPLITS for r in records[s])
    # 3 final of q1 + 3 per other item (5 items) = 18; 2 disputed and 1 pending left out
    assert report.status == {"final": 18, "disputed": 2, "pending": 1}
    assert sum(len(v) for v in records.values()) == report.final == 18
    assert report.records["sft"] == {"train": 9, "dev": 3, "test": 6}
    assert report.records["raw"] == report.records["sft"]
    assert set(report.excluded) == {"disputed", "pending"}
    one = next(r for r in records["test"] if r["output"].startswith("Feedback: Verdict: incorrect"))
    assert one["output"] == "Feedback: Verdict: incorrect. 错误 [result] 3 [RESULT] 1"
    assert set(one) == {"grade_id", "id", "config", "split", "system", "instruction", "output"}
    assert one["instruction"].startswith("###Task Description:\nAn instruction")
    assert (
        "###Reference Answer (Score 5):\n参考答案\n\n###Score Rubrics:\n[Is the"
        in one["instruction"]
    )
    assert one["instruction"].endswith("###Feedback: ")
    raw = read_jsonl(out / "raw/test.jsonl")
    assert [r["grade_id"] for r in raw] == sorted(r["grade_id"] for r in raw)
    # physicians are published as keyed pseudonyms, never their accounts
    assert raw[0]["annotators"] == [pseudonym(b"", "a@x.org"), pseudonym(b"", "b@x.org")]
    assert raw[0]["annotators"][0].startswith("physician-") and "adjudicated" in raw[0]
    assert "@x.org" not in (out / "raw" / "test.jsonl").read_text(encoding="utf-8")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["files"]["sft/train.jsonl"]["records"] == 9
    assert manifest["graded"] == {"final": 18, "disputed": 2, "pending": 1}


def test_a_test_item_never_reaches_train() -> None:
    with pytest.raises(InputFileError, match="1 id"):
        check_no_leak({"train": [{"id": "x"}], "dev": [], "test": [{"id": "x"}]})


def test_an_id_in_two_splits_stops_the_export(tmp_path: Path) -> None:
    rows = [grade("x", "train", "m1"), grade("x", "test", "m2")]
    with pytest.raises(InputFileError, match="id x is in splits test, train"):
        export_judge(write_grades(tmp_path, rows), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_pairwise_preference_and_ties(tmp_path: Path) -> None:
    out = tmp_path / "judge"
    report = export_judge(write_grades(tmp_path, PAIR_ROWS), out)
    pairs = read_jsonl(out / "pairwise/train.jsonl")
    assert report.ties == {"train": 1, "dev": 0, "test": 0}
    assert len(pairs) == 2
    models = {frozenset((p["model_a"], p["model_b"])): p for p in pairs}
    assert set(models) == {frozenset({"m1", "m2"}), frozenset({"m3", "m2"})}
    for pair in pairs:
        winner = pair["model_a"] if pair["preferred"] == "a" else pair["model_b"]
        assert winner in {"m1", "m3"}
        assert pair["output"].endswith(f"[RESULT] {pair['preferred'].upper()}")
        assert pair["output"].startswith("Feedback: Physicians graded Response A")
        assert pair["instruction"].startswith("###Task Description:")
        assert (
            "###Score Rubric:\n[Is the answer medically correct?]\n\n###Feedback: "
            in (pair["instruction"])
        )
        assert "Score 1:" not in pair["instruction"]
        a = a_first(pair["grade_id_a"], pair["grade_id_b"])
        assert a == pair["grade_id_a"]
        assert pair["pair_id"] == "_".join(sorted((pair["grade_id_a"], pair["grade_id_b"])))


def test_response_a_is_chosen_by_hash_not_by_name() -> None:
    firsts = [a_first(f"{i:016x}", f"{i + 1:016x}") == f"{i:016x}" for i in range(0, 400, 2)]
    assert 70 < sum(firsts) < 130
    assert a_first("b", "a") == a_first("a", "b")


def test_export_is_byte_identical_on_a_second_run(tmp_path: Path) -> None:
    grades = write_grades(tmp_path, export_rows())
    out = tmp_path / "judge"
    export_judge(grades, out, VERSION)
    first = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    export_judge(grades, out, VERSION)
    assert {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()} == first
    assert len(first) == 3 * 3 + 2  # 9 JSONL files, README.md, manifest.json


def test_datasets_loads_every_config_through_the_card(
    exported: tuple[Path, Any], tmp_path: Path
) -> None:
    datasets = pytest.importorskip("datasets")
    out, report = exported
    cache = str(tmp_path / "hf")
    sft = datasets.load_dataset(str(out), "sft", cache_dir=cache)
    assert {s: len(sft[s]) for s in sft} == {"train": 9, "dev": 3, "test": 6}
    assert sft["test"][0]["output"].startswith("Feedback: Verdict: ")
    raw = datasets.load_dataset(str(out), "raw", cache_dir=cache)
    assert raw["train"].features["annotators"].feature.dtype == "string"
    pairs = datasets.load_dataset(str(out), "pairwise", cache_dir=cache)
    assert {s: len(pairs[s]) for s in pairs} == {
        s: n for s, n in report.records["pairwise"].items() if n
    }


def test_card_says_how_the_set_was_made(exported: tuple[Path, Any], tmp_path: Path) -> None:
    out, _ = exported
    text = (out / "README.md").read_text(encoding="utf-8")
    assert "release 1.0.0" in text
    assert "| m1 | r2 | 5 |" in text and "| m2 | default | 6 |" in text
    assert "Adjudicated: 5 of 18 (27.8%)" in text
    assert "never holds a test item" in text
    assert ABSOLUTE_PROMPT in text
    assert "`annotators`" in text
    assert "Agreement" not in text  # no reports/grading.json
    report = tmp_path / "reports/grading.json"
    report.parent.mkdir(parents=True)
    report.write_text(
        json.dumps({"verdict": {"krippendorff_alpha": {"value": 0.71, "ci95": [0.6, 0.8]}}})
    )
    export_judge(tmp_path / "data/grading/grades.parquet", out, VERSION, report)
    text = (out / "README.md").read_text(encoding="utf-8")
    assert "Krippendorff's alpha: 0.710 (95% CI 0.600–0.800)" in text
    kappa = {"value": 0.65, "ci95": None, "items": 18}
    report.write_text(json.dumps({"agreement": {"overall": {"verdict": {"cohen_kappa": kappa}}}}))
    export_judge(tmp_path / "data/grading/grades.parquet", out, VERSION, report)
    text = (out / "README.md").read_text(encoding="utf-8")
    assert "Cohen's kappa: 0.650" in text and "Krippendorff" not in text


def test_nothing_graded_writes_an_empty_export(tmp_path: Path) -> None:
    out = tmp_path / "judge"
    report = export_judge(write_grades(tmp_path, []), out, VERSION)
    assert report.final == 0 and report.version == VERSION
    assert all((out / k / f"{s}.jsonl").read_bytes() == b"" for k in report.records for s in SPLITS)
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "Nothing was graded" in card and "configs:" not in card


def test_missing_grades_and_wrong_version(tmp_path: Path) -> None:
    with pytest.raises(InputFileError) as missing:
        export_judge(tmp_path / "nope.parquet", tmp_path / "out")
    assert "curate grade merge" in missing.value.hint and "dvc repro grade_merge" in (
        missing.value.hint
    )
    grades = write_grades(tmp_path, PAIR_ROWS)
    with pytest.raises(ConfigError, match=r"holds grades of release 1\.0\.0, not 2\.0\.0") as wrong:
        export_judge(grades, tmp_path / "out", "2.0.0")
    assert wrong.value.hint


# --------------------------------------------------------------------------- score
# Ten final test answers: the physicians' verdicts (GOLD) and a judge's (PRED); C correct,
# P partially_correct, I incorrect; rows 0-4 are dimension MedKQA, rows 5-9 MedSE.
# GOLD = C C C C P P P I I I ; PRED = C C C P P P I I I C
# confusion (rows gold C,P,I; columns judge C,P,I): C [3,1,0]  P [0,2,1]  I [1,0,2]
# accuracy = 7/10 = 0.7
# F1(C) = 2·3/(2·3+1+1) = 0.75; F1(P) = 2·2/(2·2+1+1) = 0.6667; F1(I) = 0.6667
# macro-F1 = (0.75 + 0.6667 + 0.6667) / 3 = 0.6944
# kappa: po = 0.7; marginals gold (4,3,3), judge (4,3,3): pe = (16+9+9)/100 = 0.34
#        kappa = (0.7 - 0.34) / (1 - 0.34) = 0.5455
# MedKQA (rows 0-4): gold C C C C P, judge C C C P P: accuracy 0.8;
#        pe = (4·3 + 1·2)/25 = 0.56, kappa = (0.8 - 0.56) / 0.44 = 0.5455
# MedSE (rows 5-9): gold P P I I I, judge P I I I C: accuracy 0.6
# Scores (rows 5-9 only, judge text): gold 3 2 1 1 2, judge 3 1 1 1 5: exact 3/5 = 0.6,
#        MAE (0+1+0+0+3)/5 = 0.8
GOLD = [C, C, C, C, P, P, P, I, I, I]
PRED = [C, C, C, P, P, P, I, I, I, C]
GOLD_SCORES = [5, 5, 4, 5, 3, 3, 2, 1, 1, 2]
PRED_SCORES = [None, None, None, None, None, 3, 1, 1, 1, 5]


def score_rows() -> list[dict[str, Any]]:
    rows = [
        grade(
            f"s{i}",
            "test",
            "m1",
            verdict=v,
            score=s,
            dimension="MedKQA" if i < 5 else "MedSE",
            family="mcq" if i % 2 else "open_qa",
        )
        for i, (v, s) in enumerate(zip(GOLD, GOLD_SCORES, strict=True))
    ]
    rows.append(grade("s10", "test", "m1"))  # final, no prediction: coverage 10/11
    rows.append(grade("s11", "test", "m1", status="disputed"))  # predicted: ignored (not final)
    rows.append(grade("t0", "train", "m1"))  # predicted: ignored (other split)
    return rows


def prediction_lines(rows: list[dict[str, Any]]) -> list[str]:
    out = []
    for i in range(10):
        gid = rows[i]["grade_id"]
        if PRED_SCORES[i] is None:
            out.append(json.dumps({"grade_id": gid, "verdict": PRED[i]}))
        else:
            text = f"Feedback: Verdict: {PRED[i]}. 理由 [RESULT] {PRED_SCORES[i]}"
            out.append(json.dumps({"grade_id": gid, "output": text}, ensure_ascii=False))
    out += [json.dumps({"grade_id": rows[j]["grade_id"], "verdict": C}) for j in (11, 12)]
    return out


def test_score_matches_hand_computed_figures_and_sklearn(tmp_path: Path) -> None:
    rows = score_rows()
    grades = write_grades(tmp_path, rows)
    preds = tmp_path / "preds.jsonl"
    preds.write_text("\n".join(prediction_lines(rows)) + "\n", encoding="utf-8")
    data = score_judge(grades, preds, "test", VERSION, resamples=200, seed=1).data
    overall = data["overall"]
    assert (overall["final"], overall["predicted"], overall["coverage"]) == (11, 10, 0.9091)
    assert overall["accuracy"] == 0.7
    assert overall["macro_f1"] == pytest.approx(0.6944, abs=1e-4)
    assert overall["cohen_kappa"]["value"] == pytest.approx(0.5455, abs=1e-4)
    assert accuracy_score(GOLD, PRED) == pytest.approx(overall["accuracy"])
    assert f1_score(GOLD, PRED, average="macro") == pytest.approx(overall["macro_f1"], abs=1e-4)
    assert cohen_kappa_score(GOLD, PRED) == pytest.approx(overall["cohen_kappa"]["value"], abs=1e-4)
    low, high = overall["cohen_kappa"]["ci95"]
    assert low < overall["cohen_kappa"]["value"] < high
    assert overall["confusion"] == [[3, 1, 0], [0, 2, 1], [1, 0, 2]]
    assert (overall["scored"], overall["score_exact"], overall["score_mae"]) == (5, 0.6, 0.8)
    kqa, se = data["by_dimension"]["MedKQA"], data["by_dimension"]["MedSE"]
    assert (kqa["accuracy"], se["accuracy"]) == (0.8, 0.6)
    assert kqa["cohen_kappa"]["value"] == pytest.approx(0.5455, abs=1e-4)
    assert kqa["cohen_kappa"]["value"] == pytest.approx(
        cohen_kappa_score(GOLD[:5], PRED[:5]), abs=1e-4
    )
    assert se["macro_f1"] == pytest.approx(f1_score(GOLD[5:], PRED[5:], average="macro"), abs=1e-4)
    assert kqa["confusion"] == [[3, 1, 0], [0, 1, 0], [0, 0, 0]]
    odd = [i for i in range(10) if i % 2]
    mcq = data["by_family"]["mcq"]
    assert mcq["accuracy"] == accuracy_score([GOLD[i] for i in odd], [PRED[i] for i in odd])
    assert data["ignored"] == {"not_final": 1, "other_split": 1}
    again = score_judge(grades, preds, "test", VERSION, resamples=200, seed=1).data
    assert again == data


def test_bad_prediction_lines_make_one_error_naming_each_line(tmp_path: Path) -> None:
    rows = score_rows()
    grades = write_grades(tmp_path, rows)
    good = json.dumps({"grade_id": rows[0]["grade_id"], "verdict": C})
    lines = [
        good,
        "{not json",
        json.dumps({"grade_id": "ffffffffffffffff", "verdict": C}),
        good,
        json.dumps({"grade_id": rows[1]["grade_id"], "verdict": "maybe"}),
        json.dumps({"grade_id": rows[2]["grade_id"], "output": "Looks fine. [RESULT] 4"}),
        json.dumps({"grade_id": rows[3]["grade_id"]}),
    ]
    preds = tmp_path / "preds.jsonl"
    preds.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        score_judge(grades, preds)
    message = str(err.value)
    assert "6 problem(s)" in message
    for number, why in (
        (2, "not JSON"),
        (3, "unknown grade_id ffffffffffffffff"),
        (4, f"grade_id {rows[0]['grade_id']} already on line 1"),
        (5, "unknown verdict 'maybe'"),
        (6, "no `Verdict: <verdict>` found"),
        (7, "no verdict"),
    ):
        assert f"preds.jsonl:{number}: {why}" in message


def test_parse_output_reads_verdict_and_prometheus_result() -> None:
    assert parse_output(feedback(P, 3, "缺少剂量")) == (P, 3)
    assert parse_output("Feedback: verdict: Partially correct. [RESULT] (2)") == (P, 2)
    assert parse_output("Verdict: incorrect") == (I, None)
    assert parse_output("no verdict [RESULT] 9") == (None, None)


def test_simulated_judge_is_scored_like_a_real_one(tmp_path: Path) -> None:
    rows = [grade(f"s{i}", "test", "m1", verdict=[C, P, I][i % 3]) for i in range(300)]
    grades = write_grades(tmp_path, rows)
    preds = tmp_path / "sim.jsonl"
    assert simulate_judge(grades, preds, agreement=0.8, seed=3) == 300
    first = preds.read_bytes()
    simulate_judge(grades, preds, agreement=0.8, seed=3)
    assert preds.read_bytes() == first
    assert all("output" in json.loads(line) for line in first.decode().splitlines())
    data = score_judge(grades, preds, resamples=0).data
    assert data["overall"]["coverage"] == 1.0
    assert 0.72 < data["overall"]["accuracy"] < 0.88


# --------------------------------------------------------------------------- CLI
def test_cli_export_simulate_score(tmp_path: Path) -> None:
    root = tmp_path / "p"
    write_grades(root, export_rows())
    result = runner.invoke(app, ["judge", "export", VERSION, "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert "final 18, disputed 2, pending 1" in result.output
    assert (root / "data/judge/sft/test.jsonl").is_file()
    preds = tmp_path / "preds.jsonl"
    result = runner.invoke(
        app, ["judge", "simulate", "--out", str(preds), "--root", str(root), "--seed", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "demo only" in result.output
    result = runner.invoke(
        app, ["judge", "score", str(preds), "--root", str(root), "--bootstrap", "50"]
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "judge vs physicians" in text and "confusion (overall)" in text and "MedKQA" in text
    report = json.loads((root / "reports/judge_score.json").read_text())
    assert report["overall"]["final"] == 6 and report["overall"]["coverage"] == 1.0
    assert report["bootstrap"] == {"resamples": 50, "seed": 0}
    # the form, `curate judge score VERSION PREDICTIONS`, checks the version
    args = ["judge", "score", VERSION, str(preds), "--root", str(root), "--bootstrap", "0"]
    assert runner.invoke(app, args).exit_code == 0
    args[2] = "9.9.9"
    wrong = runner.invoke(app, args)
    assert wrong.exit_code == 1 and "9.9.9" in " ".join(wrong.output.split())


def test_cli_errors_are_clear(tmp_path: Path) -> None:
    root = tmp_path / "p"
    root.mkdir()
    (root / ".env").write_text("MEDCURATE_DEID_SALT=judge-test-salt\n", encoding="utf-8")
    result = runner.invoke(app, ["judge", "export", "--root", str(root)])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "parquet does not exist" in text and "curate grade merge" in text
    write_grades(root, export_rows())
    result = runner.invoke(app, ["judge", "export", "9.9.9", "--root", str(root)])
    assert result.exit_code == 1 and "not 9.9.9" in " ".join(result.output.split())
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"grade_id": "nope", "verdict": "correct"}\n', encoding="utf-8")
    result = runner.invoke(app, ["judge", "score", str(bad), "--root", str(root)])
    assert result.exit_code == 1
    assert "bad.jsonl:1: unknown grade_id nope" in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert "DEMO ONLY" in runner.invoke(app, ["judge", "simulate", "--help"]).output
    assert "demo" in runner.invoke(app, ["judge", "--help"]).output
