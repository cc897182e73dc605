"""The lm-eval export of task configs, run by lm-evaluation-harness itself.

A small task frame (a zh label task, zh ROUGE-L and en judge free-text tasks, a zh fields task
and a zh spans task, each with train and test rows) is exported once; lm-eval then runs its
group with the ``dummy`` model through the CLI from an unrelated directory, and through its own
evaluator with models that answer the reference (plain or dressed in prose) or a fixed wrong
answer. The exported scoring functions are checked on hand-computed cases.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from curation.release.exports.lm_eval_scoring import fields_f1, rouge_l, spans_f1
from curation.release.exports.lm_eval_tasks import lm_eval_tasks, scorer
from curation.tasks.contract import RELEASE_COLUMNS

pytest.importorskip("lm_eval")

NAME = "test_bench"
GROUP = f"{NAME}_tasks"
SCHEMA = {c: pl.Utf8 for c in ("config", *RELEASE_COLUMNS)} | {"labels": pl.List(pl.Utf8)}
VITALS_SCHEMA = json.dumps(
    {
        "type": "object",
        "properties": {
            "主诉": {"type": "string"},
            "体温": {"type": "number"},
            "心率": {"type": "integer"},
        },
        "required": ["主诉", "体温", "心率"],
    },
    ensure_ascii=False,
)
# The key each task's metric has in lm-eval's results.
METRICS = {
    "task_triage_zh": "exact_match,first_line",
    "task_diagnosis_zh": "rouge_l,none",
    "task_summary_en": "rouge_l,none",
    "task_vitals_zh": "f1,none",
    "task_ner_zh": "f1,none",
}
WRONG = "心肌梗死"
# WRONG against the diagnosis test references: only 急性心肌梗死 shares characters (LCS 4,
# P 4/4, R 4/6, F 0.8); the other four share none, so the mean is 0.8 / 5.
DIAGNOSES = ["急性心肌梗死", "慢性胃炎", "高血压病", "支气管哮喘", "2型糖尿病"]


def row(task: str, split: str, k: int, output_type: str, scoring: str, **more: Any) -> dict:
    """A released task row with every column (ids hashed, so their order is not insertion's)."""
    key = f"{task}/{split}/{k}"
    language = task.rsplit("_", 1)[1]
    return {
        "config": f"task_{task}",
        "instance_id": hashlib.sha256(key.encode()).hexdigest()[:16],
        "item_id": hashlib.sha256(f"item/{key}".encode()).hexdigest()[:12],
        "cluster_id": hashlib.sha256(f"cluster/{key}".encode()).hexdigest()[:12],
        "split": split,
        "task": task,
        "family": "diagnosis",
        "dimension": None,
        "language": language,
        "output_type": output_type,
        "labels": [],
        "output_schema": "",
        "scoring": scoring,
        "reference_origin": "derived",
        "source": "fixture",
        "license": "CC-BY-4.0",
        "specialty_code": None,
    } | more


def spans(text: str, found: list[tuple[str, str]]) -> str:
    """The spans reference of ``found`` (label, text) in text."""
    out = []
    for label, part in found:
        start = text.index(part)
        out.append({"start": start, "end": start + len(part), "label": label, "text": part})
    return json.dumps(out, ensure_ascii=False)


def task_frame() -> pl.DataFrame:
    rows = []
    levels = ["急诊", "紧急", "非紧急"]
    complaints = ["突发胸痛2小时", "发热3天", "轻微擦伤", "呼吸困难1小时", "咳嗽1周"]
    for split, n in (("train", 3), ("dev", 2), ("test", 6)):
        for k in range(n):
            rows.append(
                row(
                    "triage_zh", split, k, "label", "accuracy",
                    family="text_classification",
                    instruction="请判断该患者的分诊级别（急诊、紧急或非紧急），只回答级别。",
                    input=f"患者{30 + k}岁，{complaints[k % 5]}。",
                    reference=levels[k % 3],
                    labels=levels,
                )
            )  # fmt: skip
    for split, refs in (("train", ["肺炎", "胆囊炎"]), ("test", DIAGNOSES)):
        for k, ref in enumerate(refs):
            rows.append(
                row(
                    "diagnosis_zh", split, k, "free_text", "rouge_l",
                    instruction="根据病历给出最可能的诊断。",
                    input=f"病历{k}：患者主诉不适，查体及检查见相关异常。",
                    reference=ref,
                )
            )  # fmt: skip
    summaries = [
        "The patient has chest pain.",
        "Fever resolved after antibiotics.",
        "Discharged home in stable condition.",
        "Follow up with cardiology in two weeks.",
        "No acute distress on examination.",
        "Blood pressure controlled with amlodipine.",
        "Wound healing well without infection.",
    ]
    for split, refs in (("train", summaries[:2]), ("test", summaries[2:])):
        for k, ref in enumerate(refs):
            rows.append(
                row(
                    "summary_en", split, k, "free_text", "judge",
                    family="summarization",
                    instruction="Summarize the note in one sentence.",
                    input=f"Note {k}: {ref} Further details were recorded.",
                    reference=ref,
                    reference_origin="authored",
                )
            )  # fmt: skip
    for split, n in (("train", 2), ("test", 5)):
        for k in range(n):
            vitals = {"主诉": complaints[k], "体温": 36.5 + k / 2, "心率": 70 + 5 * k}
            rows.append(
                row(
                    "vitals_zh", split, k, "fields", "f1",
                    family="information_extraction",
                    instruction="从病历中提取主诉、体温和心率，输出JSON。",
                    input=f"主诉：{vitals['主诉']}。体温{vitals['体温']}℃，心率{vitals['心率']}次/分。",
                    reference=json.dumps(vitals, ensure_ascii=False),
                    output_schema=VITALS_SCHEMA,
                )
            )  # fmt: skip
    texts = [
        ("患者有高血压病史，今日头痛。", [("疾病", "高血压"), ("症状", "头痛")]),
        ("糖尿病患者，近期多饮多尿。", [("疾病", "糖尿病"), ("症状", "多饮"), ("症状", "多尿")]),
        ("咳嗽伴发热三天。", [("症状", "咳嗽"), ("症状", "发热")]),
        ("既往哮喘，无其他不适。", [("疾病", "哮喘")]),
        ("恶心呕吐，考虑胃炎。", [("症状", "恶心"), ("症状", "呕吐"), ("疾病", "胃炎")]),
        ("无明显不适。", []),
        ("胸闷气短，冠心病待排。", [("症状", "胸闷"), ("症状", "气短"), ("疾病", "冠心病")]),
    ]
    for split, part in (("train", texts[:2]), ("test", texts[2:])):
        for k, (text, found) in enumerate(part):
            rows.append(
                row(
                    "ner_zh", split, k, "spans", "f1",
                    family="ner",
                    instruction="标出文中的症状和疾病，输出JSON列表。",
                    input=text,
                    reference=spans(text, found),
                    labels=["症状", "疾病"],
                )
            )  # fmt: skip
    return pl.DataFrame(rows, schema=SCHEMA)


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    return task_frame()


@pytest.fixture(scope="module")
def exported(frame: pl.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("lm_eval_tasks") / "exports"
    lm_eval_tasks(frame, out, NAME)
    return out / "lm_eval"


def hf_env(tmp: Path) -> dict[str, str]:
    """Offline, with every Hugging Face cache under tmp."""
    return {
        "HF_DATASETS_OFFLINE": "1",
        "HF_HUB_OFFLINE": "1",
        "HF_HOME": str(tmp / "hf"),
        "HF_DATASETS_CACHE": str(tmp / "hf" / "datasets"),
    }


def test_rouge_l_on_hand_computed_cases() -> None:
    assert rouge_l("心肌梗死", "急性心肌梗死", "zh") == pytest.approx(0.8)  # LCS 4: P 1, R 4/6
    assert rouge_l("急性 心肌梗死。", "急性心肌梗死", "zh") == 1.0  # spaces, punctuation
    assert rouge_l("慢性胃炎", "急性心肌梗死", "zh") == pytest.approx(0.2)  # 性: P 1/4, R 1/6
    assert rouge_l("高血压病", "急性心肌梗死", "zh") == 0.0
    # en: [patient reports chest pain] vs [the patient has chest pain]: LCS 3, P 3/4, R 3/5
    assert rouge_l("Patient reports chest pain", "The patient has chest pain.", "en") == (
        pytest.approx(2 / 3)
    )
    assert rouge_l("", "The patient has chest pain.", "en") == 0.0
    assert rouge_l("", "", "en") == 1.0


def test_fields_and_spans_f1_on_hand_computed_cases() -> None:
    ref = '{"主诉": "胸痛", "体温": 37.5, "心率": 88}'
    assert fields_f1(ref, ref) == 1.0
    # in prose and a code fence, keys reordered, numbers as text, full-width stop: all equal
    assert (
        fields_f1('结果：\n```json\n{"心率": "88", "体温": 37.5, "主诉": "胸痛。"}\n```', ref) == 1
    )
    # 2 of 3 pairs right (心率 wrong): P 2/3, R 2/3
    assert fields_f1('{"主诉": "胸痛", "体温": "37.5", "心率": 90}', ref) == pytest.approx(2 / 3)
    # one extra pair: P 3/4, R 1 -> 6/7
    assert fields_f1('{"主诉":"胸痛","体温":37.5,"心率":88,"血压":"120/80"}', ref) == (
        pytest.approx(6 / 7)
    )
    assert fields_f1("体温37.5，心率88", ref) == 0.0  # no JSON object
    assert fields_f1('{"主诉": "胸痛", "体温": 37.5', ref) == 0.0  # truncated JSON
    assert fields_f1('[{"主诉": "胸痛"}]', ref) == pytest.approx(0.5)  # the object in the list
    assert fields_f1('{"a": {"b": [1, 2]}}', '{"a": {"b": [2, 1]}}') == 1.0  # dotted, multiset
    assert fields_f1('{"x": -5}', '{"x": "5"}') == 0.0  # a sign is no punctuation

    gold = spans("咳嗽伴发热三天。", [("症状", "咳嗽"), ("症状", "发热")])
    assert spans_f1(gold, gold) == 1.0
    assert spans_f1('实体：[{"label": "症状", "text": "咳嗽"}]', gold) == pytest.approx(2 / 3)
    assert spans_f1('[{"label": "疾病", "text": "咳嗽"}]', gold) == 0.0  # wrong label
    assert spans_f1("咳嗽、发热", gold) == 0.0  # no JSON list
    assert spans_f1("[]", "[]") == 1.0


def test_export_is_byte_reproducible_and_holds_no_machine_path(
    frame: pl.DataFrame, exported: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again" / "exports"
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=7)
    written = lm_eval_tasks(shuffled, again, NAME)
    files = sorted(p.relative_to(exported).as_posix() for p in exported.rglob("*") if p.is_file())
    assert sorted(written) == [f"exports/lm_eval/{f}" for f in files]
    for name in files:
        assert (again / "lm_eval" / name).read_bytes() == (exported / name).read_bytes(), name
        text = (exported / name).read_text(encoding="utf-8")
        assert str(exported.parent) not in text and os.sep + "tmp" not in text, name
    assert f"{GROUP}.yaml" in files and "README_tasks.md" in files
    assert f"{NAME}.yaml" not in files and "README.md" not in files  # the MCQ export's
    test = (exported / "task_ner_zh" / "task_ner_zh_test.jsonl").read_text(encoding="utf-8")
    ids = [json.loads(line)["instance_id"] for line in test.splitlines()]
    assert ids == sorted(ids) and len(ids) == 5
    readme = (exported / "README_tasks.md").read_text(encoding="utf-8")
    assert f"--include_path path/to/exports/lm_eval --tasks {GROUP}" in readme
    assert (
        "| `test_bench_task_triage_zh` | label | `accuracy` | `exact_match,first_line` |" in readme
    )
    assert "train 3, dev 2, test 6" in readme and "(judge: auxiliary)" in readme


def test_cli_runs_every_task_from_any_directory(
    frame: pl.DataFrame, exported: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "task_triage_zh_test.jsonl").write_text("", encoding="utf-8")  # not lent
    done = subprocess.run(
        [
            *(sys.executable, "-m", "lm_eval", "--model", "dummy", "--tasks", GROUP),
            *("--include_path", os.path.relpath(exported, elsewhere), "--limit", "3"),
            *("--num_fewshot", "1", "--output_path", "results", "--log_samples"),
        ],
        cwd=elsewhere,
        env=os.environ | hf_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(next((elsewhere / "results").rglob("results_*.json")).read_text())
    tasks = {f"{NAME}_{config}": key for config, key in METRICS.items()}
    assert {t: result["results"][t][key] for t, key in tasks.items()} == dict.fromkeys(tasks, 0)
    assert {t: result["n-samples"][t]["effective"] for t in tasks} == dict.fromkeys(tasks, 3)
    assert {"exact_match,first_line", "f1,none", "rouge_l,none"} <= set(result["results"][GROUP])

    prompts = {r["instance_id"]: r for r in frame.iter_rows(named=True)}
    seen = []
    for path in (elsewhere / "results").rglob("samples_*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            sample = json.loads(line)
            doc, context = sample["doc"], sample["arguments"]["gen_args_0"]["arg_0"]
            mine = prompts[doc["instance_id"]]
            seen.append(mine["config"])
            assert mine["split"] == "test" and doc["reference"] == mine["reference"]
            assert context.endswith(f"{mine['instruction']}\n\n{mine['input']}\n" + (
                "Answer:" if mine["language"] == "en" else "答案："
            ))  # fmt: skip
            shot = context.split(mine["instruction"])[1]  # one train example, then the doc
            train = frame.filter(
                (pl.col("config") == mine["config"]) & (pl.col("split") == "train")
            )
            assert any(r in shot for r in train["reference"]), context
    assert sorted(seen) == sorted(list(METRICS) * 3)  # --limit 3 samples of every task


@pytest.mark.parametrize("answer", ["reference", "dressed", "wrong"])
def test_lm_evals_own_evaluator_scores_every_metric(
    answer: str,
    frame: pl.DataFrame,
    exported: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lm_eval import simple_evaluate
    from lm_eval.api.model import LM
    from lm_eval.tasks import TaskManager

    rows = {r["instance_id"]: r for r in frame.iter_rows(named=True)}

    def reply(doc: dict) -> str:
        mine = rows[doc["instance_id"]]  # the release's own row, not the exported doc
        ref = mine["reference"]
        if answer == "wrong":
            return WRONG
        if answer == "reference" or mine["output_type"] == "free_text":
            return ref
        if mine["output_type"] == "label":
            return f" {ref}。\n理由：见病史。"
        if mine["output_type"] == "fields":
            shuffled = dict(reversed(json.loads(ref).items()))
            return f"结果如下：\n```json\n{json.dumps(shuffled, ensure_ascii=False, indent=2)}\n```"
        return f"实体：{ref}"

    class Answers(LM):
        def loglikelihood(self, requests, disable_tqdm: bool = False):
            raise NotImplementedError

        def loglikelihood_rolling(self, requests, disable_tqdm: bool = False):
            raise NotImplementedError

        def generate_until(self, requests, disable_tqdm: bool = False):
            return [reply(r.doc) for r in requests]

    for key, value in hf_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    monkeypatch.chdir(tmp_path)
    manager = TaskManager(include_path=str(exported))
    out = simple_evaluate(model=Answers(), tasks=[GROUP], task_manager=manager, bootstrap_iters=0)
    scores = {c: out["results"][f"{NAME}_{c}"][key] for c, key in METRICS.items()}
    if answer == "wrong":
        expected = dict.fromkeys(METRICS, 0.0) | {"task_diagnosis_zh": 0.8 / 5}
    else:
        expected = dict.fromkeys(METRICS, 1.0)
    assert scores == pytest.approx(expected)
    assert {t: out["n-samples"][f"{NAME}_{t}"]["effective"] for t in METRICS} == {
        c: frame.filter((pl.col("config") == c) & (pl.col("split") == "test")).height
        for c in METRICS
    }


def test_task_yamls_name_their_splits_stop_and_scorer(
    frame: pl.DataFrame, exported: Path, tmp_path: Path
) -> None:
    triage = yaml.safe_load(
        (exported / "task_triage_zh" / f"{NAME}_task_triage_zh.yaml").read_text(encoding="utf-8")
    )
    assert (triage["test_split"], triage["validation_split"], triage["fewshot_split"]) == (
        "test",
        "dev",
        "train",
    )
    assert triage["include"] == "_custom_dataset_yaml" and "process_results" not in triage
    assert triage["generation_kwargs"]["until"] == ["\n\n"] == [triage["fewshot_delimiter"]]
    ner = (exported / "task_ner_zh" / "_process_results_yaml").read_text(encoding="utf-8")
    assert ner == "process_results: !function medcurate_scoring.spans_results\n"

    # a reference with a blank line must not stop generation (nor split few-shot examples)
    long = frame.filter(pl.col("config") == "task_summary_en").with_columns(
        reference=pl.col("reference") + "\n\nPlan: review."
    )
    lm_eval_tasks(long, tmp_path, NAME)
    spec = (tmp_path / "lm_eval" / "task_summary_en" / f"{NAME}_task_summary_en.yaml").read_text()
    assert yaml.safe_load(spec)["generation_kwargs"]["until"] == ["\n\n\n"]
    with pytest.raises(ValueError, match="free_text tasks scored by f1"):
        scorer("free_text", "f1")
