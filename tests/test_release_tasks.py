"""Task configs in a release: built from the reviewed items at split time, loaded by their users.

A project with accepted records and dialogues and a tasks.yaml of three tasks (triage with a
derived label, diagnosis with a derived section, a summary physicians still have to write) is
split and released; HF ``datasets`` loads each task config through the card, mlcroissant reads
its record sets, and every instance sits in its item's split.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from curation.paths import ProjectPaths
from curation.release.croissant import load_records
from curation.tasks.contract import RELEASE_COLUMNS
from tests.conftest import PROJECT_ROOT
from tests.review_fixtures import accepted, make_item
from tests.test_release import project, release

DEPARTMENTS = ["心血管内科", "骨科", "眼科"]
TASKS = {
    "triage": {
        "name": "Triage",
        "family": "text_classification",
        "dimension": "SmartServ",
        "languages": ["zh"],
        "instruction": {"zh": "判断患者应就诊的科室。"},
        "draws_from": {"kinds": ["dialogue"]},
        "input": {"from": "dialogue", "speakers": ["patient"]},
        "output": {"type": "label", "labels": DEPARTMENTS},
        "scoring": "accuracy",
        "reference": {"derived": {"source_label": "department"}},
    },
    "diagnosis": {
        "name": "Diagnosis",
        "family": "diagnosis",
        "dimension": "SmartCare",
        "languages": ["zh"],
        "instruction": {"zh": "写出诊断。"},
        "draws_from": {"kinds": ["record"]},
        "output": {"type": "free_text"},
        "scoring": "rouge_l",
        "reference": {"derived": {"section": ["出院诊断"]}},
    },
    "summary": {
        "name": "Summary",
        "family": "summarization",
        "languages": ["zh"],
        "instruction": {"zh": "概括病历。"},
        "draws_from": {"kinds": ["record"]},
        "output": {"type": "free_text"},
        "scoring": "rouge_l",
        "reference": {"authored": {"draft": "lead"}},
    },
}
SYMPTOMS = ["胸痛", "膝痛", "视物模糊", "心悸", "腰痛", "眼红", "气短", "肩痛", "眼痒", "晕厥"]
DIAGNOSES = ["急性心肌梗死", "膝骨关节炎", "白内障", "房颤", "腰椎间盘突出", "结膜炎"]


def dialogue(i: int) -> dict[str, Any]:
    symptom = SYMPTOMS[i % len(SYMPTOMS)]
    turns = [("患者", f"医生，我{symptom}{i + 2}天了。"), ("医生", "先做个检查。")]
    row = make_item(f"d{i}", kind="dialogue", context=f"{symptom}{i}", turns=turns)
    row["source_labels"] = [{"name": "department", "value": DEPARTMENTS[i % 3]}]
    return accepted(row | {"cluster_id": f"cd{i}"})


def record(i: int) -> dict[str, Any]:
    text = (
        f"主诉：{SYMPTOMS[i % len(SYMPTOMS)]}{i + 1}天。\n"
        f"诊疗经过：入院后完善检查，第{i}次复查好转。\n"
        f"出院诊断：{DIAGNOSES[i % len(DIAGNOSES)]}"
    )
    return accepted(make_item(f"r{i}", kind="record", context=text) | {"cluster_id": f"cr{i}"})


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> tuple[ProjectPaths, Path]:
    rows = [dialogue(i) for i in range(40)] + [record(i) for i in range(40)]
    rows.append(make_item("r-pending", kind="record", context="出院诊断：痛风"))  # not reviewed
    paths = project(tmp_path_factory.mktemp("tasks_release"), rows)
    (paths.root / "sources.yaml").write_bytes((PROJECT_ROOT / "sources.yaml").read_bytes())
    (paths.root / "tasks.yaml").write_text(
        yaml.safe_dump({"tasks": TASKS}, allow_unicode=True), encoding="utf-8"
    )
    release(paths, "1.0.0")
    return paths, paths.releases / "1.0.0"


def test_split_accounts_for_every_task_and_holds_back_unwritten_references(
    released: tuple[ProjectPaths, Path],
) -> None:
    paths, _ = released
    report = json.loads(paths.report("splits").read_text(encoding="utf-8"))["tasks"]
    assert report["triage"]["released"] == 40 and report["diagnosis"]["released"] == 40
    assert report["triage"]["held_back"] == {"kind_not_drawn": 40}
    assert report["summary"]["released"] == 0
    assert report["summary"]["held_back"] == {"awaiting_reference": 40, "kind_not_drawn": 40}
    for figures in report.values():
        assert figures["items_in"] == 80 == figures["released"] + sum(figures["held_back"].values())


def test_every_instance_sits_in_its_items_split(released: tuple[ProjectPaths, Path]) -> None:
    _, out = released
    items = pl.concat(
        [pl.read_parquet(p) for p in out.glob("data/*/*.parquet") if "task_" not in p.parent.name],
        how="vertical_relaxed",
    )
    split_of = dict(items.select("item_id", "split").iter_rows())
    tasks = pl.concat([pl.read_parquet(p) for p in out.glob("data/task_*/*.parquet")])
    assert tasks.columns == list(RELEASE_COLUMNS)
    assert set(tasks["task"]) == {"triage", "diagnosis"}
    for item, split in tasks.select("item_id", "split").iter_rows():
        assert split_of[item] == split
    triage = tasks.filter(pl.col("task") == "triage")
    assert set(triage["reference"]) <= set(DEPARTMENTS)
    assert all("先做个检查" not in text for text in triage["input"])  # patient turns only
    diagnosis = tasks.filter(pl.col("task") == "diagnosis")
    assert all("出院诊断" not in text for text in diagnosis["input"])


def test_hf_datasets_loads_each_task_config_through_the_card(
    released: tuple[ProjectPaths, Path],
) -> None:
    datasets = pytest.importorskip("datasets")
    _, out = released
    for config in ("task_triage", "task_diagnosis"):
        loaded = datasets.load_dataset(str(out), config)
        frame = pl.concat([pl.read_parquet(p) for p in (out / "data" / config).glob("*.parquet")])
        assert sum(len(loaded[s]) for s in loaded) == frame.height > 0
        some = loaded[next(iter(loaded))][0]
        assert set(RELEASE_COLUMNS) <= set(some)


def test_croissant_describes_the_task_record_sets(released: tuple[ProjectPaths, Path]) -> None:
    _, out = released
    split = pl.read_parquet(out / "data/task_triage/test.parquet")
    records = load_records(out / "croissant.json", "task_triage-test")
    assert len(records) == split.height
    references = {r["reference"] for r in records}
    assert references <= {d.encode() for d in DEPARTMENTS} | set(DEPARTMENTS)


def test_the_card_and_manifest_list_the_tasks(released: tuple[ProjectPaths, Path]) -> None:
    _, out = released
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "## Tasks" in card and "`task_triage`" in card and "text_classification" in card
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["task_configs"] == ["task_diagnosis", "task_triage"]
    assert sum(manifest["task_counts"].values()) == 80


def test_items_of_an_earlier_release_exclude_task_configs(
    released: tuple[ProjectPaths, Path],
) -> None:
    from curation.commands.release import release_frame

    _, out = released
    frame = release_frame(out)
    assert frame is not None and "instance_id" not in frame.columns and frame.height == 80
