"""`curate answers import`: model outputs for a release's items and task instances.

A tiny release (MCQs, a triage and a diagnosis task) is published once; each test works on a
copy. Run files are modelled on the real formats: lm-evaluation-harness ``--log_samples``
lines are built as ``evaluator.py`` builds them and serialized with lm-eval's own
``sanitize_list`` / ``handle_non_serializable`` (as ``EvaluationTracker.save_results_samples``
does); OpenCompass predictions as ``GenInferencerOutputHandler`` writes them (``str(index)`` →
``{origin_prompt, prediction, gold}``, ``json.dump(indent=4, ensure_ascii=False)``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml
from lm_eval.utils import handle_non_serializable, sanitize_list
from typer.testing import CliRunner

from curation.answers.store import import_answers, stored_answers
from curation.cli import app
from curation.errors import InputFileError
from curation.paths import ProjectPaths
from curation.tasks.answers import Instance
from curation.tasks.screen import Screener
from tests.conftest import PROJECT_ROOT
from tests.test_release import items, project, release
from tests.test_release_tasks import TASKS, dialogue, record

PHONE, RESIDENT_ID = "13912345678", "110101199003074514"
ANSWERS = Path("answers/1.0.0")


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = [dialogue(i) for i in range(12)] + [record(i) for i in range(12)] + items(30)
    paths = project(tmp_path_factory.mktemp("answers_release"), rows)
    (paths.root / "sources.yaml").write_bytes((PROJECT_ROOT / "sources.yaml").read_bytes())
    tasks = {k: v for k, v in TASKS.items() if k != "summary"}
    (paths.root / "tasks.yaml").write_text(
        yaml.safe_dump({"tasks": tasks}, allow_unicode=True), encoding="utf-8"
    )
    release(paths, "1.0.0")
    return paths.root


@pytest.fixture
def paths(published: Path, tmp_path: Path) -> ProjectPaths:
    shutil.copytree(published, tmp_path / "p")
    return ProjectPaths(tmp_path / "p")


def rows(paths: ProjectPaths, config: str) -> list[dict[str, Any]]:
    folder = paths.releases / "1.0.0" / "data" / config
    return pl.concat([pl.read_parquet(p) for p in sorted(folder.glob("*.parquet"))]).to_dicts()


def exported(paths: ProjectPaths, *parts: str) -> list[dict[str, Any]]:
    path = paths.releases.joinpath("1.0.0", "exports", *parts)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_jsonl(path: Path, lines: list[Any]) -> Path:
    path.write_text(
        "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8"
    )
    return path


def run(paths: ProjectPaths, file: Path, **kwargs: Any) -> dict[str, Any]:
    return import_answers(paths, file, "qwen-test", Screener(paths.root), **kwargs).as_dict()


def stored(paths: ProjectPaths, run_name: str = "default") -> pl.DataFrame:
    return pl.read_parquet(paths.root / ANSWERS / "qwen_test" / f"{run_name}.parquet")


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def lm_eval_line(
    doc: dict[str, Any],
    doc_id: int,
    requests: list[tuple],
    resps: list[Any],
    target: Any,
    filter_key: str,
    metrics: dict[str, float],
) -> str:
    """One --log_samples line, built and serialized as lm-eval 0.4 does."""
    sample = {
        "doc_id": doc_id,
        "doc": doc,
        "target": target,
        "arguments": [args for args in requests],
        "resps": [[r] for r in resps],
        "filtered_resps": list(resps),  # the take_first filter: each request's first response
        "filter": filter_key,
        "metrics": list(metrics),
        "doc_hash": _hash(json.dumps(doc, indent=2, ensure_ascii=False)),
        "prompt_hash": _hash(requests[0][0]),
        "target_hash": _hash(str(target)),
    } | metrics
    arguments: dict[str, Any] = {}
    for i, arg in enumerate(sample["arguments"]):
        arguments[f"gen_args_{i}"] = {f"arg_{j}": tmp for j, tmp in enumerate(arg)}
    sample["resps"] = sanitize_list(sample["resps"])
    sample["filtered_resps"] = sanitize_list(sample["filtered_resps"])
    sample["arguments"] = arguments
    sample["target"] = str(sample["target"])
    return json.dumps(sample, default=handle_non_serializable, ensure_ascii=False) + "\n"


def test_plain_jsonl_is_stored_screened_and_idempotent(paths: ProjectPaths, tmp_path: Path) -> None:
    mcq, diagnosis = rows(paths, "mcq_zh"), rows(paths, "task_diagnosis")
    planted = f"急性心肌梗死。请联系{PHONE}，身份证{RESIDENT_ID}。"
    file = write_jsonl(
        tmp_path / "run.jsonl",
        [
            {"id": mcq[0]["item_id"], "output": "A"},
            {"id": diagnosis[0]["instance_id"], "output": planted},
            {"id": diagnosis[1]["instance_id"], "output": "膝骨关节炎"},
        ],
    )
    report = run(paths, file, run="greedy")
    assert report["format"] == "jsonl" and report["answers"] == 3
    assert report["counts"] == {"added": 3, "phi_masked": 2}
    frame = stored(paths, "greedy")
    assert frame.columns == [
        "id",
        "kind",
        "config",
        "model",
        "run",
        "output",
        "source_format",
        "line",
    ]
    got = {r["id"]: r for r in frame.to_dicts()}
    assert got[mcq[0]["item_id"]] | {"id": None} == {
        "id": None,
        "kind": "item",
        "config": "mcq_zh",
        "model": "qwen-test",
        "run": "greedy",
        "output": "A",
        "source_format": "jsonl",
        "line": 1,
    }
    masked = got[diagnosis[0]["instance_id"]]
    assert masked["kind"] == "instance" and masked["config"] == "task_diagnosis"
    assert masked["output"] == "急性心肌梗死。请联系[电话]，身份证[编号]。"
    assert PHONE not in frame.write_csv() and RESIDENT_ID not in frame.write_csv()

    before = {p: p.read_bytes() for p in (paths.root / "answers").rglob("*.parquet")}
    again = run(paths, file, run="greedy")
    assert again["counts"] == {"unchanged": 3, "phi_masked": 2}
    assert {p: p.read_bytes() for p in (paths.root / "answers").rglob("*.parquet")} == before
    assert not list((paths.releases / "1.0.0").rglob("*answers*"))


def test_an_output_that_fails_screening_is_quarantined_without_its_text(
    paths: ProjectPaths, tmp_path: Path
) -> None:
    class Broken(Screener):
        def _screen_text(self, instance: Instance, shown: str, text: str) -> tuple[str, int]:
            if "失败" in text:  # the detector crashes on this text
                raise RuntimeError("detector crashed")
            return super()._screen_text(instance, shown, text)

    diagnosis = rows(paths, "task_diagnosis")
    file = write_jsonl(
        tmp_path / "run.jsonl",
        [
            {"id": diagnosis[0]["instance_id"], "output": f"失败 {PHONE}"},
            {"id": diagnosis[1]["instance_id"], "output": "房颤"},
        ],
    )
    report = import_answers(paths, file, "qwen-test", Broken(paths.root)).as_dict()
    assert report["counts"] == {"added": 1, "quarantined": 1}
    assert stored(paths)["id"].to_list() == [diagnosis[1]["instance_id"]]
    jail = pl.read_parquet(paths.root / ANSWERS / "quarantine/qwen_test/default.parquet")
    assert jail["reason"].to_list() == ["answer_screen_failed"]
    assert "RuntimeError" in jail["detail"][0] and PHONE not in json.dumps(jail.to_dicts())
    assert stored_answers(paths) == [
        {"version": "1.0.0", "model": "qwen-test", "run": "default", "answers": 1, "quarantined": 1}
    ]


def test_an_unknown_id_or_a_bad_line_imports_nothing(paths: ProjectPaths, tmp_path: Path) -> None:
    mcq = rows(paths, "mcq_zh")
    file = tmp_path / "bad.jsonl"
    file.write_text(
        json.dumps({"id": mcq[0]["item_id"], "output": "A"})
        + "\n"
        + json.dumps({"id": "ffffffffffffffff", "output": "B"})
        + "\n"
        + "{not json\n"
        + json.dumps({"id": mcq[1]["item_id"]})
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError) as caught:
        run(paths, file)
    message = str(caught.value)
    assert "nothing imported; 3 problem(s)" in message
    assert "bad.jsonl:2: unknown id ffffffffffffffff" in message
    assert "bad.jsonl:3: not a JSON line" in message
    assert "bad.jsonl:4: field output: missing" in message
    assert not (paths.root / "answers").exists()


def test_lm_eval_samples_map_back_to_items_and_instances(
    paths: ProjectPaths, tmp_path: Path
) -> None:
    docs = exported(paths, "lm_eval", "mcq_zh", "mcq_zh_train.jsonl")
    mc = tmp_path / "results" / "qwen"
    mc.mkdir(parents=True)
    with (mc / "samples_test_bench_mcq_zh_2025-06-01T10-00-00.000001.jsonl").open("w") as fh:
        for doc_id, doc in enumerate(docs):
            chosen = doc_id % len(doc["choices"])  # the option with the highest loglikelihood
            lls = [(-5.0 - i if i != chosen else -0.25, i == chosen) for i in range(4)]
            prompt = f"{doc['question']}\nAnswer:"
            fh.write(
                lm_eval_line(
                    doc,
                    doc_id,
                    [(prompt, f" {c}") for c in doc["choices"]],
                    lls,
                    doc["answer"],
                    "none",
                    {"acc": float(chosen == doc["answer"])},
                )
            )
    report = run(paths, next(mc.iterdir()))
    assert report["format"] == "lm_eval" and report["counts"] == {"added": len(docs)}
    frame = stored(paths)
    expected = {d["item_id"]: d["choices"][i % 4] for i, d in enumerate(docs)}
    assert dict(zip(frame["id"], frame["output"], strict=True)) == expected
    assert set(frame["kind"]) == {"item"} and set(frame["config"]) == {"mcq_zh"}

    tasks = exported(paths, "lm_eval", "task_diagnosis", "task_diagnosis_train.jsonl")
    gen = tmp_path / "samples_test_bench_task_diagnosis_2025-06-01T10-00-00.000001.jsonl"
    kwargs = {"until": ["\n\n"], "do_sample": False, "temperature": 0.0, "max_gen_toks": 1024}
    gen.write_text(
        "".join(
            lm_eval_line(
                doc,
                doc_id,
                [(doc["prompt"], kwargs)],
                [f"诊断{doc_id}"],
                doc["reference"],
                "none",
                {"rouge_l": 0.5},
            )
            for doc_id, doc in enumerate(tasks)
        ),
        encoding="utf-8",
    )
    assert run(paths, gen)["counts"] == {"added": len(tasks)}
    frame = stored(paths).filter(pl.col("kind") == "instance")
    assert dict(zip(frame["id"], frame["output"], strict=True)) == {
        d["instance_id"]: f"诊断{i}" for i, d in enumerate(tasks)
    }
    assert set(frame["source_format"]) == {"lm_eval"}


def test_opencompass_predictions_map_by_dataset_line(paths: ProjectPaths, tmp_path: Path) -> None:
    dataset = exported(paths, "opencompass", "mcq_zh_train.jsonl")
    folder = tmp_path / "outputs" / "20250601_100000" / "predictions" / "qwen"
    folder.mkdir(parents=True)
    results = {
        str(i): {
            "origin_prompt": f"Question: {row['prompt']}\nAnswer: ",
            "prediction": f"{'ABCD'[i % 4]}. 答案",
            "gold": row["answer"],
        }
        for i, row in enumerate(dataset)
    }
    file = folder / "mcq_zh_train.json"  # found in exports/opencompass by its name
    with file.open("w", encoding="utf-8") as fh:
        json.dump(results, fh, indent=4, ensure_ascii=False)
    report = run(paths, file)
    assert report["format"] == "opencompass" and report["counts"] == {"added": len(dataset)}
    frame = stored(paths)
    assert dict(zip(frame["id"], frame["output"], strict=True)) == {
        row["item_id"]: f"{'ABCD'[i % 4]}. 答案" for i, row in enumerate(dataset)
    }
    lines = file.read_text(encoding="utf-8").splitlines()
    first = frame.filter(pl.col("id") == dataset[0]["item_id"])["line"][0]
    assert lines[first - 1] == '    "0": {'

    triage = paths.releases / "1.0.0/exports/opencompass/task_triage_zh_train.jsonl"
    tasks = exported(paths, "opencompass", triage.name)
    other = tmp_path / "renamed.json"
    other.write_text(
        json.dumps(
            {
                str(i): {"origin_prompt": r["question"], "prediction": "骨科", "gold": r["answer"]}
                for i, r in enumerate(tasks)
            },
            indent=4,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    with pytest.raises(InputFileError, match="pass --dataset-file"):
        run(paths, other, run="r2")
    assert run(paths, other, run="r2", dataset_file=triage)["counts"] == {"added": len(tasks)}
    assert set(stored(paths, "r2")["id"]) == {r["instance_id"] for r in tasks}

    wrong = tmp_path / "wrong.json"  # predictions of another dataset: golds differ
    wrong.write_text(json.dumps({"0": {"origin_prompt": "x", "prediction": "A", "gold": "?"}}))
    with pytest.raises(InputFileError, match=r"wrong.json:1 \(index 0\): field gold"):
        run(paths, wrong, run="r3", fmt="opencompass", dataset_file=triage)


def test_the_cli_imports_and_lists(paths: ProjectPaths, tmp_path: Path) -> None:
    mcq = rows(paths, "mcq_zh")
    file = write_jsonl(tmp_path / "run.jsonl", [{"id": mcq[0]["item_id"], "output": "B"}])
    runner = CliRunner()
    root = ["--root", str(paths.root)]
    result = runner.invoke(app, ["answers", "import", str(file), "--model", "m1", *root])
    assert result.exit_code == 0, result.output
    assert (paths.root / ANSWERS / "m1" / "default.parquet").is_file()
    listed = runner.invoke(app, ["answers", *root])
    assert listed.exit_code == 0 and "m1" in listed.output
