"""Task declarations, record sections, and building task instances with full accounting."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import polars as pl
import pytest
import yaml
from typer.testing import CliRunner

from curation.cli import app
from curation.commands.tasks import build_task, instances_path, not_eligible_path
from curation.errors import ConfigError
from curation.paths import ProjectPaths
from curation.tasks.build import NotEligible, build, instance_id
from curation.tasks.declarations import TaskSpec, load_tasks
from curation.tasks.text import (
    drop_sections,
    keep_sections,
    leaked,
    reference_lines,
    section_body,
    sections,
    sentences,
    speaker_role,
)
from tests.conftest import PROJECT_ROOT
from tests.review_fixtures import items_frame, make_item

RECORD_ZH = (
    "出 院 小 结\n"
    "姓名：***  性别：女  年龄：43岁\n"
    "主诉：停经6个月。\n"
    "入院情况：患者因停经6个月入院。查体：体温38.5℃。神志清，精神可。心肺未见异常。\n"
    "入院诊断：异位妊娠\n"
    "诊疗经过：经阴道超声示附件区包块。予甲氨蝶呤肌注治疗。\n"
    "出院诊断：1. 输卵管妊娠（O00.1）\n2. Graves病\n"
    "出院医嘱：1. 定期复查；2. 门诊随访。"
)
NOTE_EN = (
    "DISCHARGE SUMMARY\n"
    "Chief Complaint: chest pain.\n"
    "History of present illness: A 61 y/o man with chest pain for 2 hours. He is diaphoretic.\n"
    "Hospital course: ECG showed ST elevation in II, III and aVF. Treated with PCI.\n"
    "Discharge diagnosis: Acute inferior myocardial infarction\n"
    "Plan: aspirin 81 mg daily."
)


def task(**over: Any) -> TaskSpec:
    """A valid declaration (a record diagnosis task) with fields replaced."""
    base: dict[str, Any] = {
        "name": "Diagnosis",
        "family": "diagnosis",
        "dimension": "SmartCare",
        "languages": ["zh", "en"],
        "instruction": {"zh": "写出诊断。", "en": "State the diagnoses."},
        "draws_from": {"kinds": ["record"]},
        "input": {"from": "text", "remove_sections": ["入院诊断", "Plan"]},
        "output": {"type": "free_text"},
        "scoring": "rouge_l",
        "reference": {"derived": {"section": ["出院诊断", "Discharge Diagnosis"]}},
    }
    return TaskSpec.model_validate(base | over)


def triage(**over: Any) -> TaskSpec:
    return task(
        name="Triage",
        family="text_classification",
        dimension="SmartServ",
        languages=["zh"],
        instruction={"zh": "判断科室。"},
        draws_from={"kinds": ["dialogue"]},
        input={"from": "dialogue", "speakers": ["patient"], "max_turns": 2},
        output={"type": "label", "labels": ["心血管内科", "骨科"]},
        scoring="accuracy",
        reference={"derived": {"source_label": "department"}},
        **over,
    )


def dialogue(key: str, department: str | None, turns: list[tuple[str, str]]) -> dict[str, Any]:
    row = make_item(key, kind="dialogue", context="\n".join(t for _, t in turns), turns=turns)
    if department is not None:
        row["source_labels"] = [{"name": "department", "value": department}]
    return row


def record(key: str, text: str, language: str = "zh") -> dict[str, Any]:
    return make_item(key, kind="record", language=language, context=text)


# ------------------------------------------------------------------------------- declarations
@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"output": {"type": "label"}}, "`labels` is required for output type label"),
        ({"output": {"type": "free_text", "labels": ["a"]}}, "`labels` is required"),
        ({"scoring": "accuracy"}, "scoring accuracy cannot score a free_text answer"),
        ({"instruction": {"zh": "写出诊断。"}}, "no instruction for language(s) en"),
        (
            {"output": {"type": "spans", "span_types": ["DRUG"]}, "scoring": "f1"},
            "a spans reference is authored, not derived",
        ),
        (
            {"reference": {"authored": {"draft": "sections"}}},
            "draft: sections drafts a fields answer only",
        ),
        ({"reference": {}}, "a reference is either `derived` or `authored`"),
        ({"reference": {"derived": {}}}, "exactly one of source_label, section, field"),
        ({"input": {"from": "sections"}}, "needs `sections: [heading, …]`"),
        ({"family": "triage"}, "Input should be 'mcq'"),
    ],
)
def test_a_declaration_that_cannot_work_is_refused(over: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        task(**over)


def test_load_tasks_names_the_task_and_field_and_checks_sources(tmp_path: Path) -> None:
    assert load_tasks(tmp_path) == {}  # no tasks.yaml: no tasks
    good = task().model_dump(mode="json", by_alias=True, exclude_none=True)
    bad = good | {"scoring": "accuracy"}
    (tmp_path / "tasks.yaml").write_text(yaml.safe_dump({"tasks": {"dx": good, "bad_one": bad}}))
    with pytest.raises(ConfigError, match=r"tasks\.bad_one: .*cannot score a free_text"):
        load_tasks(tmp_path)
    elsewhere = good | {"draws_from": {"sources": ["nowhere"]}}
    (tmp_path / "tasks.yaml").write_text(yaml.safe_dump({"tasks": {"dx": elsewhere}}))
    with pytest.raises(ConfigError, match="dx: nowhere"):
        load_tasks(tmp_path, sources={"records_zh"})
    (tmp_path / "tasks.yaml").write_text(yaml.safe_dump({"tasks": {"Bad-Id": good}}))
    with pytest.raises(ConfigError, match="Bad-Id"):
        load_tasks(tmp_path)


def test_the_project_tasks_file_is_valid_and_listed() -> None:
    tasks = load_tasks(
        PROJECT_ROOT,
        sources=set(
            yaml.safe_load((PROJECT_ROOT / "sources.yaml").read_text(encoding="utf-8"))["sources"]
        ),
    )
    assert {"triage_zh", "diagnosis", "record_summary", "record_fields"} <= set(tasks)
    result = CliRunner().invoke(app, ["tasks", "--root", str(PROJECT_ROOT)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for task_id in tasks:
        assert task_id in result.output


def test_the_digest_changes_with_the_declaration() -> None:
    assert task().digest() == task().digest()
    assert task().digest() != task(instruction={"zh": "写出诊断！", "en": "x"}).digest()


# ----------------------------------------------------------------------------------- sections
def test_sections_are_found_by_heading_in_both_languages_and_any_spacing() -> None:
    names = [s.name for s in sections(RECORD_ZH)]
    assert names[:3] == ["姓名", "主诉", "入院情况"] and "出院诊断" in names
    assert section_body(RECORD_ZH, ["出 院 诊 断"]) == "1. 输卵管妊娠（O00.1）\n2. Graves病"
    assert section_body(NOTE_EN, ["DISCHARGE DIAGNOSIS"]) == "Acute inferior myocardial infarction"
    assert section_body(NOTE_EN, ["Assessment"]) is None
    # a list entry or a sentence with a colon later in the line is no heading
    assert (
        section_body("诊断：\n1. 高血压：3级\n2. 糖尿病", ["诊断"]) == "1. 高血压：3级\n2. 糖尿病"
    )
    text = "A/P: sepsis - start ceftriaxone. Recheck labs in AM.\nDr. Reese"
    assert (
        section_body(text, ["a/p"]) == "sepsis - start ceftriaxone. Recheck labs in AM.\nDr. Reese"
    )


def test_sections_are_dropped_or_kept_whole() -> None:
    dropped = drop_sections(RECORD_ZH, ["出院诊断", "入院诊断"])
    assert "输卵管妊娠" not in dropped and "异位妊娠" not in dropped
    assert "出院医嘱：1. 定期复查" in dropped and "诊疗经过" in dropped
    kept = keep_sections(NOTE_EN, ["chief complaint", "hospital course"])
    assert (
        kept == "Chief Complaint: chest pain.\nHospital course: ECG showed ST elevation in II, "
        "III and aVF. Treated with PCI."
    )


def test_sentences_speakers_and_reference_statements() -> None:
    assert sentences("患者胸痛。伴大汗！无发热") == ["患者胸痛。", "伴大汗！", "无发热"]
    assert sentences("He is 61 y/o. He had PCI.\nStable") == [
        "He is 61 y/o.",
        "He had PCI.",
        "Stable",
    ]
    roles = [
        speaker_role(s) for s in ("患者", "病人家属", "家属", "医生", "Dr.", "Patient", "护士")
    ]
    assert roles == ["patient", "patient", "patient", "doctor", "doctor", "patient", "other"]
    assert reference_lines("1. 输卵管妊娠（O00.1）\n2. Graves病") == ["输卵管妊娠", "Graves病"]
    assert reference_lines("急性心梗（ICD-10: I21.1）；痛风") == ["急性心梗", "痛风"]
    assert leaked("1. 输卵管妊娠（O00.1）", "门诊以“输卵管 妊娠”收入院") == "输卵管妊娠"
    assert leaked("Acute MI", "no mention here") is None


# -------------------------------------------------------------------------------------- build
def outcomes(spec: TaskSpec, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        b.item_id: (b.instance if b.instance is not None else b.reason)
        for b in build("t", spec, rows)
    }


def test_every_item_ends_as_an_instance_or_a_reason() -> None:
    rows = [
        record("r1", RECORD_ZH),
        record("r2", NOTE_EN, language="en"),
        record(
            "r3", "主诉：胸痛2小时。\n现病史：门诊以“急性心肌梗死”收入院。\n初步诊断：急性心肌梗死"
        ),
        record("r4", "主诉：胸痛2小时。"),
        make_item("q1"),
        dialogue("d1", "骨科", [("患者", "膝盖疼。")]),
    ]
    spec = task(reference={"derived": {"section": ["出院诊断", "初步诊断", "Discharge Diagnosis"]}})
    got = outcomes(spec, rows)
    ids = [r["item_id"] for r in rows]
    assert list(got) == ids
    zh, en = got[ids[0]], got[ids[1]]
    assert zh["reference"] == "1. 输卵管妊娠（O00.1）\n2. Graves病"
    assert "输卵管妊娠" not in zh["input"] and "异位妊娠" not in zh["input"]  # both cut
    assert zh["instruction"] == "写出诊断。" and en["instruction"] == "State the diagnoses."
    assert en["reference"] == "Acute inferior myocardial infarction"
    assert "Plan:" not in en["input"] and "Hospital course" in en["input"]
    assert got[ids[2]] == NotEligible.REFERENCE_IN_INPUT  # the input still states it
    assert got[ids[3]] == NotEligible.REFERENCE_MISSING
    assert got[ids[4]] == got[ids[5]] == NotEligible.KIND_NOT_DRAWN
    assert zh["instance_id"] == instance_id(ids[0], "t")


def test_instance_ids_survive_a_changed_declaration() -> None:
    row = record("r1", RECORD_ZH)
    first = outcomes(task(), [row])[row["item_id"]]
    second = outcomes(task(instruction={"zh": "请写出诊断。", "en": "x"}), [row])[row["item_id"]]
    assert first["instance_id"] == second["instance_id"]
    assert first["task_version"] != second["task_version"]


def test_triage_reads_the_patients_first_turns_and_maps_the_label() -> None:
    turns = [
        ("患者", "胸口闷痛。"),
        ("医生", "考虑冠心病，挂心血管内科。"),
        ("家属", "他还出汗。"),
        ("患者", "第三句。"),
    ]
    rows = [
        dialogue("d1", "心血管内科", turns),
        dialogue("d2", " 骨科 ", [("病人", "膝盖疼。")]),  # variants of a label map onto it
        dialogue("d3", "眼科", [("患者", "看不清。")]),
        dialogue("d4", None, [("患者", "头疼。")]),
        dialogue("d5", "骨科", [("医生", "哪里不舒服？")]),
    ]
    got = list(outcomes(triage(), rows).values())
    assert got[0]["input"] == "患者：胸口闷痛。\n家属：他还出汗。"  # doctor left out, 2 turns
    assert got[0]["reference"] == "心血管内科" and got[0]["labels"] == ["心血管内科", "骨科"]
    assert got[1]["reference"] == "骨科"
    assert got[2:] == [
        NotEligible.LABEL_NOT_IN_LIST,
        NotEligible.REFERENCE_MISSING,
        NotEligible.INPUT_MISSING,
    ]


def test_too_long_inputs_and_undeclared_languages_are_not_eligible() -> None:
    spec = task(input={"from": "text", "max_chars": 50})
    assert outcomes(spec, [record("r1", RECORD_ZH)]).popitem()[1] == NotEligible.INPUT_TOO_LONG
    zh_only = task(languages=["zh"], instruction={"zh": "写出诊断。"})
    got = outcomes(zh_only, [record("r2", NOTE_EN, language="en")]).popitem()[1]
    assert got == NotEligible.LANGUAGE_NOT_DECLARED


def test_rule_drafts_fill_declared_fields_and_lead_sentences() -> None:
    fields = task(
        family="information_extraction",
        languages=["zh"],
        instruction={"zh": "抽取。"},
        output={
            "type": "fields",
            "fields": [
                {"name": "chief_complaint", "description": "主诉", "sections": ["主诉"]},
                {
                    "name": "diagnoses",
                    "description": "诊断",
                    "type": "string_list",
                    "sections": ["出院诊断"],
                },
                {"name": "allergy", "description": "过敏史", "sections": ["过敏史"]},
            ],
        },
        scoring="f1",
        reference={"authored": {"draft": "sections"}},
    )
    got = outcomes(fields, [record("r1", RECORD_ZH)]).popitem()[1]
    draft = json.loads(got["draft"])
    assert draft == {
        "chief_complaint": "停经6个月。",
        "diagnoses": ["输卵管妊娠（O00.1）", "Graves病"],
        "allergy": "",
    }
    jsonschema.validate(draft, json.loads(got["output_schema"]))
    assert got["reference"] is None and got["reference_origin"] == "authored"
    assert got["draft_origin"] == "rule:sections"

    lead = task(
        family="summarization",
        reference={
            "authored": {
                "draft": "lead",
                "lead_sentences": 2,
                "lead_sections": ["入院情况", "History of present illness"],
            }
        },
    )
    zh, en = outcomes(lead, [record("r1", RECORD_ZH), record("r2", NOTE_EN, "en")]).values()
    assert zh["draft"] == "患者因停经6个月入院。查体：体温38.5℃。"
    assert en["draft"] == "A 61 y/o man with chest pain for 2 hours. He is diaphoretic."
    # an authored task's input is the whole text, less the sections the task removes
    assert zh["input"] == drop_sections(RECORD_ZH, ["入院诊断"])


# ------------------------------------------------------------------------------ the stage
def test_the_stage_writes_instances_and_reasons_and_is_byte_stable(tmp_path: Path) -> None:
    rows = [
        record(f"r{i}", RECORD_ZH if i % 2 else NOTE_EN, "zh" if i % 2 else "en") for i in range(9)
    ]
    rows += [dialogue(f"d{i}", "骨科", [("患者", f"膝盖疼{i}天。")]) for i in range(4)]
    rows += [make_item(f"q{i}") for i in range(3)]
    paths = ProjectPaths(tmp_path)
    paths.curated.parent.mkdir(parents=True)
    items_frame(rows).write_parquet(paths.curated)
    (tmp_path / "sources.yaml").write_text("sources: {}\n")
    report = build_task(paths, "dx", task())
    assert report["items_in"] == 16 == report["instances"] + report["not_eligible"]
    assert report["instances"] == 9
    assert report["not_eligible_by_reason"] == {"kind_not_drawn": 7}
    assert report["instances_by_language"] == {"en": 5, "zh": 4}
    built = pl.read_parquet(instances_path(paths, "dx"))
    left = pl.read_parquet(not_eligible_path(paths, "dx"))
    assert set(built["item_id"]) | set(left["item_id"]) == {r["item_id"] for r in rows}
    assert built["instance_id"].n_unique() == 9
    first = (instances_path(paths, "dx").read_bytes(), not_eligible_path(paths, "dx").read_bytes())
    build_task(paths, "dx", task())
    again = (instances_path(paths, "dx").read_bytes(), not_eligible_path(paths, "dx").read_bytes())
    assert first == again


def test_the_stage_without_curated_items_names_the_command(tmp_path: Path) -> None:
    (tmp_path / "sources.yaml").write_bytes((PROJECT_ROOT / "sources.yaml").read_bytes())
    spec = task().model_dump(mode="json", by_alias=True, exclude_none=True)
    (tmp_path / "tasks.yaml").write_text(yaml.safe_dump({"tasks": {"dx": spec}}))
    result = CliRunner().invoke(app, ["tasks", "build", "--root", str(tmp_path)])
    assert result.exit_code == 1 and "curate dedup" in result.output
    result = CliRunner().invoke(app, ["tasks", "build", "nope", "--root", str(tmp_path)])
    assert result.exit_code == 1 and "unknown task(s) nope" in result.output


def test_an_explanation_task_reads_the_question_options_and_key() -> None:
    spec = task(
        family="explanation",
        draws_from={"kinds": ["mcq"]},
        input={"from": "text", "with_answer": True},
        reference={"derived": {"field": "explanation"}},
    )
    row = make_item("q1", answer=["B"]) | {"explanation": "头痛见于偏头痛。"}
    got = outcomes(spec, [row, make_item("q2")])
    first, second = got.values()
    assert first["input"] == (
        "下列哪项是急性心肌梗死最常见的症状？\nA. 胸痛\nB. 头痛\nC. 腹泻\nD. 皮疹\n答案：B"
    )
    assert first["reference"] == "头痛见于偏头痛。"
    assert second == NotEligible.REFERENCE_MISSING  # no explanation
