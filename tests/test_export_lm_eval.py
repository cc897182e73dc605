"""The lm-eval export run by lm-evaluation-harness itself, from a directory unrelated to it.

A real release (zh and en MCQs, a five-option item, a multi-answer item) is built once; lm-eval
then runs its group with the ``dummy`` model through the CLI, as the export's README says, and
with a model that always picks the gold answer through lm-eval's own evaluator and ``acc``.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from curation.release.manifest import file_entries, verify
from curation.release.splits import SplitConfig, hashed_split
from tests.review_fixtures import accepted, make_item
from tests.test_release import items, project, question, release

pytest.importorskip("lm_eval")

NAME = "test_bench"  # the slug of project()'s release name "Test bench"


def in_test(prefix: str) -> str:
    """A cluster id the default split hashes to test (so the item is scored)."""
    return next(
        c for k in range(1000) if hashed_split(SplitConfig(), c := f"c-{prefix}{k}") == "test"
    )


def special(key: str, language: str, seed: int, **more: Any) -> dict:
    row = make_item(key, language=language, question=question(random.Random(seed)), **more)
    return accepted(row | {"cluster_id": in_test(key)})


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lm_eval_export")
    five = [("A", "胸痛"), ("B", "头痛"), ("C", "腹泻"), ("D", "皮疹"), ("E", "发热")]
    rows = [
        *items(30, seed=0, prefix="z"),
        *items(30, seed=1, prefix="e", language="en"),
        special("five_zh", "zh", 101, options=five, answer=["E"]),
        special("five_en", "en", 102, options=five, answer=["D"]),
        special("multi_zh", "zh", 103, answer=["A", "C"]),
    ]
    paths = project(root / "project", rows)
    release(paths, "1.0.0")
    return paths.releases / "1.0.0"


def scored_items(bench: Path) -> pl.DataFrame:
    """Every released MCQ test item with its config (the items each task must score)."""
    return pl.concat(
        pl.read_parquet(p).with_columns(config=pl.lit(p.parent.name))
        for p in sorted(bench.glob("data/mcq_*/test.parquet"))
    )


def hf_env(tmp: Path) -> dict[str, str]:
    """Offline, with every Hugging Face cache under tmp; Python may write bytecode beside the
    loader, as it does for users (the manifest does not count caches)."""
    return {
        "HF_DATASETS_OFFLINE": "1",
        "HF_HUB_OFFLINE": "1",
        "HF_HOME": str(tmp / "hf"),
        "HF_DATASETS_CACHE": str(tmp / "hf" / "datasets"),
        "PYTHONDONTWRITEBYTECODE": "",
    }


def test_fixture_has_what_the_export_must_handle(bench: Path) -> None:
    test = scored_items(bench)
    assert set(test["config"]) == {"mcq_en", "mcq_zh"}
    assert test.filter(pl.col("options").list.len() == 5)["config"].sort().to_list() == [
        "mcq_en",
        "mcq_zh",
    ]
    assert test.filter(pl.col("answer_labels").list.len() > 1)["config"].to_list() == ["mcq_zh"]


def test_every_task_scores_exactly_its_own_items_from_any_directory(
    bench: Path, tmp_path: Path
) -> None:
    exports = bench / "exports" / "lm_eval"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for other in ("test.jsonl", "mcq_zh_test.jsonl"):  # a stray file the cwd must not lend
        (elsewhere / other).write_text("", encoding="utf-8")
    done = subprocess.run(
        [
            *(sys.executable, "-m", "lm_eval", "run", "--model", "dummy"),
            *("--include_path", os.path.relpath(exports, elsewhere)),
            *("--tasks", NAME, "--output_path", "results", "--log_samples"),
        ],
        cwd=elsewhere,
        env=os.environ | hf_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]

    test = scored_items(bench)
    single = test.filter(pl.col("answer_labels").list.len() == 1)
    samples = {
        path.name.split("samples_")[1].rsplit("_", 1)[0]: [
            json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
        ]
        for path in (elsewhere / "results").rglob("samples_*.jsonl")
    }
    assert sorted(samples) == [f"{NAME}_mcq_en", f"{NAME}_mcq_zh"]
    for config in ("mcq_en", "mcq_zh"):
        logged = samples[f"{NAME}_{config}"]
        scored = sorted(s["doc"]["item_id"] for s in logged)
        mine = single.filter(pl.col("config") == config)
        assert scored == sorted(mine["item_id"]), config  # its own single-answer test items
        assert sorted(s["doc_id"] for s in logged) == list(range(mine.height))
        five = {s["doc"]["item_id"]: len(s["arguments"]) for s in logged}
        wide = mine.filter(pl.col("options").list.len() == 5)["item_id"]
        assert [five[i] for i in wide] == [5]  # option E is a choice, scored like A–D
    zh_scored = {s["doc"]["item_id"] for s in samples[f"{NAME}_mcq_zh"]}
    assert not zh_scored & set(test.filter(pl.col("config") == "mcq_en")["item_id"])

    result = json.loads(next((elsewhere / "results").rglob("results_*.json")).read_text())
    assert result["results"][NAME]["alias"] == NAME
    assert {t: result["n-samples"][t]["effective"] for t in samples} == {
        f"{NAME}_{c}": single.filter(pl.col("config") == c).height for c in ("mcq_en", "mcq_zh")
    }
    readme = (exports / "README.md").read_text(encoding="utf-8")
    assert f"--include_path path/to/exports/lm_eval --tasks {NAME}" in readme
    assert "1 multi-answer left out" in readme
    assert verify(bench, "1.0.0") == []  # what running lm-eval leaves (bytecode) is no content


def test_export_holds_no_path_of_the_machine_that_built_it(bench: Path) -> None:
    released = file_entries(bench)  # what the release holds (not the caches a run leaves)
    files = sorted(bench / name for name in released if name.startswith("exports/lm_eval/"))
    assert {p.name for p in files} >= {"mcq_zh_test.jsonl", "mcq_en_test.jsonl", f"{NAME}.yaml"}
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert str(bench.parent.parent) not in text and os.sep + "tmp" not in text, path


def test_always_gold_model_scores_one_under_lm_evals_own_acc(
    bench: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lm_eval import simple_evaluate
    from lm_eval.api.model import LM
    from lm_eval.tasks import TaskManager

    test = scored_items(bench)
    gold = {  # the answer file: the release's own answer labels, not the exported indices
        i: labels[0]
        for i, labels in test.select("item_id", "answer_labels").iter_rows()
        if len(labels) == 1
    }

    class Oracle(LM):
        """Log-likelihood 0 for the gold letter, -1 for the others (or reversed)."""

        def __init__(self, right: bool) -> None:
            super().__init__()
            self.right = right

        def loglikelihood(self, requests, disable_tqdm: bool = False):
            picks = [r.arguments[1].strip() == gold[r.doc["item_id"]] for r in requests]
            return [(0.0 if p == self.right else -1.0, p == self.right) for p in picks]

        def loglikelihood_rolling(self, requests, disable_tqdm: bool = False):
            raise NotImplementedError

        def generate_until(self, requests, disable_tqdm: bool = False):
            raise NotImplementedError

    for key, value in hf_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    monkeypatch.chdir(tmp_path)
    manager = TaskManager(include_path=str(bench / "exports" / "lm_eval"))
    tasks = [NAME, f"{NAME}_mcq_en", f"{NAME}_mcq_zh"]
    for right, score in ((True, 1.0), (False, 0.0)):
        out = simple_evaluate(
            model=Oracle(right), tasks=[NAME], task_manager=manager, bootstrap_iters=0
        )
        assert {t: out["results"][t]["acc,none"] for t in tasks} == dict.fromkeys(tasks, score)
    assert verify(bench, "1.0.0") == []
