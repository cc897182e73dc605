"""Task review without a server: screens as contracts, model drafts (checked, screened, stored
once), the decision rule, agreement figures against a hand computation, and the split taking
references from task review. The loop through a real Label Studio is test_task_review.py."""

from __future__ import annotations

import json
import random
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from curation.commands.tasks import build_task, declared_tasks
from curation.contracts import CONTRACTS
from curation.errors import InputFileError
from curation.params import load_params
from curation.paths import ProjectPaths
from curation.review.agreement import Rating
from curation.review.configs import TASK_PROJECT_LABELS, Role
from curation.review.ids import ReviewIds
from curation.tasks.answers import Instance, spans_json
from curation.tasks.contract import OutputType
from curation.tasks.drafts import import_drafts, read_instances
from curation.tasks.layout import drafts_dir, instances_path, quarantine_dir, reviewed_path
from curation.tasks.release import split_instances
from curation.tasks.review_agreement import (
    ReviewedInstance,
    categorical,
    levenshtein,
    task_agreement,
)
from curation.tasks.review_configs import (
    ANSWER_CONTROL,
    TASK_PROJECTS,
    TASK_REJECT_REASONS,
    config_name,
    render_task_config,
)
from curation.tasks.review_rules import TaskReview, TaskStatus, decide, read_review
from curation.tasks.screen import Screener
from tests.conftest import PROJECT_ROOT
from tests.review_fixtures import TEST_SALT, accepted, make_item, public_ids, review_project

DEPARTMENTS = ["心血管内科", "骨科", "眼科"]
SYMPTOMS = ["胸痛", "膝痛", "视物模糊", "心悸"]
DIAGNOSES = ["急性心肌梗死", "膝骨关节炎", "白内障", "房颤"]
TASKS: dict[str, dict[str, Any]] = {
    "triage": {
        "name": "Triage",
        "family": "text_classification",
        "languages": ["zh"],
        "instruction": {"zh": "判断患者应就诊的科室。"},
        "draws_from": {"kinds": ["dialogue"]},
        "input": {"from": "dialogue", "speakers": ["patient"]},
        "output": {"type": "label", "labels": DEPARTMENTS},
        "scoring": "accuracy",
        "reference": {"derived": {"source_label": "department"}},
    },
    "summary": {
        "name": "Summary",
        "family": "summarization",
        "languages": ["zh"],
        "instruction": {"zh": "概括病历。"},
        "draws_from": {"kinds": ["record"]},
        "output": {"type": "free_text"},
        "scoring": "rouge_l",
        "reference": {"authored": {"draft": "lead", "lead_sentences": 2}},
    },
    "fields": {
        "name": "Fields",
        "family": "information_extraction",
        "languages": ["zh"],
        "instruction": {"zh": "抽取信息。"},
        "draws_from": {"kinds": ["record"]},
        "output": {
            "type": "fields",
            "fields": [
                {"name": "chief_complaint", "description": "主诉", "sections": ["主诉"]},
                {
                    "name": "diagnoses",
                    "description": "诊断",
                    "type": "string_list",
                    "sections": ["出院诊断"],
                },
            ],
        },
        "scoring": "f1",
        "reference": {"authored": {"draft": "sections"}},
    },
    "entities": {
        "name": "Entities",
        "family": "ner",
        "languages": ["zh"],
        "instruction": {"zh": "标出症状与诊断。"},
        "draws_from": {"kinds": ["record"]},
        "output": {"type": "spans", "span_types": ["SYMPTOM", "DIAGNOSIS"]},
        "scoring": "f1",
        "reference": {"authored": {"draft": "model"}},
    },
}
PHONE, RESIDENT_ID = "13912345678", "110101199003074514"


def dialogue(i: int) -> dict[str, Any]:
    symptom = SYMPTOMS[i % len(SYMPTOMS)]
    turns = [("患者", f"医生，我{symptom}{i + 2}天了。"), ("医生", "先做个检查。")]
    row = make_item(f"d{i}", kind="dialogue", context=symptom, turns=turns)
    row["source_labels"] = [{"name": "department", "value": DEPARTMENTS[i % 3]}]
    return row


def record(i: int) -> dict[str, Any]:
    text = (
        f"主诉：{SYMPTOMS[i % len(SYMPTOMS)]}{i + 1}天。\n"
        "诊疗经过：入院后完善检查，复查好转。\n"
        f"出院诊断：{DIAGNOSES[i % len(DIAGNOSES)]}"
    )
    return make_item(f"r{i}", kind="record", context=text)


def task_project(
    root: Path,
    server_env: dict[str, str] | None = None,
    tasks: dict[str, dict[str, Any]] | None = None,
    n: int = 3,
    **review: Any,
) -> ProjectPaths:
    """A project with n dialogues and n records, a tasks.yaml and its built instances."""
    rows = [dialogue(i) for i in range(n)] + [record(i) for i in range(n)]
    review = {"bootstrap": 0, "min_pair_items": 1, **review}
    paths = review_project(root, rows, server_env, **review)
    (root / "sources.yaml").write_bytes((PROJECT_ROOT / "sources.yaml").read_bytes())
    document = {"tasks": tasks or TASKS}
    (root / "tasks.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), "utf-8")
    for task_id, spec in declared_tasks(paths).items():
        build_task(paths, task_id, spec)
    return paths


def instances(paths: ProjectPaths, task: str) -> list[dict[str, Any]]:
    """A task's built instances, by instance id."""
    return pl.read_parquet(instances_path(paths, task)).sort("instance_id").to_dicts()


def write_jsonl(path: Path, lines: list[Any]) -> Path:
    body = [
        line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines
    ]
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    return path


def do_import(paths: ProjectPaths, file: Path, model: str = "qwen-test", screener=None):
    tasks = list(declared_tasks(paths))
    every = read_instances(paths, tasks)
    public = ReviewIds.of(TEST_SALT.encode(), list(every)).internal
    return import_drafts(paths, file, model, tasks, public, screener or Screener(paths.root))


# ----------------------------------------------------------------------------------- screens
def test_every_output_type_has_a_screen_shipped_as_a_contract(tmp_path: Path) -> None:
    assert set(TASK_PROJECT_LABELS) == {t.value for t in OutputType}
    for spec in TASK_PROJECTS:
        assert config_name(spec.output_type) in CONTRACTS
        assert len(spec.title("x" * 40)) <= 50
        root = ET.fromstring(render_task_config(spec.output_type))
        names = {e.get("name") for e in root.iter() if e.get("name")}
        assert {"instruction", "input", "answerable", "verdict", "reject_reason"} <= names
        assert ANSWER_CONTROL[spec.output_type] in names
        reasons = [
            c.get("alias") for c in root.iter("Choice") if c.get("alias") in TASK_REJECT_REASONS
        ]
        assert reasons == list(TASK_REJECT_REASONS)
    label = ET.fromstring(render_task_config(OutputType.LABEL))
    assert next(label.iter("Choices")).get("name") == "answerable"
    assert [c.get("value") for c in label.iter("Choices") if c.get("name") == "label"] == [
        "$label_choices"
    ]
    spans = ET.fromstring(render_task_config(OutputType.SPANS))
    assert next(spans.iter("Labels")).get("value") == "$span_types"
    own = tmp_path / config_name(OutputType.LABEL)  # a project's own screen overrides
    own.parent.mkdir(parents=True)
    own.write_text('<View><Text name="input" value="$input"/></View>', encoding="utf-8")
    assert render_task_config(OutputType.LABEL, tmp_path) == own.read_text().rstrip()


# ------------------------------------------------------------------------------------ drafts
def test_a_drafts_file_with_any_problem_imports_nothing(tmp_path: Path) -> None:
    paths = task_project(tmp_path)
    summary, triage = instances(paths, "summary"), instances(paths, "triage")
    file = write_jsonl(
        tmp_path / "drafts.jsonl",
        [
            {"instance_id": summary[0]["instance_id"], "output": "摘要。"},
            "{not json",
            {"instance_id": summary[1]["instance_id"]},
            {"instance_id": triage[0]["instance_id"], "output": "皮肤科"},
            {"instance_id": "0000000000000000", "output": "x"},
            {"instance_id": summary[0]["instance_id"], "output": "again"},
            {"instance_id": summary[2]["instance_id"], "output": "x", "model": "gpt"},
        ],
    )
    with pytest.raises(InputFileError) as error:
        do_import(paths, file)
    message = str(error.value)
    assert "nothing imported" in message
    for expected in (
        "drafts.jsonl:2: not a JSON line",
        "drafts.jsonl:3: field output: missing",
        "drafts.jsonl:4: field output: is not one of the task's labels",
        "drafts.jsonl:6: field instance_id",
        "drafts.jsonl:7: field model: unexpected",
        "1 unknown instance id(s): drafts.jsonl:5: 0000000000000000",
    ):
        assert expected in message
    assert not drafts_dir(paths).exists()


def test_drafts_are_screened_stored_once_and_quarantined_when_screening_fails(
    tmp_path: Path,
) -> None:
    paths = task_project(tmp_path)
    summary = instances(paths, "summary")
    fields, entities = instances(paths, "fields"), instances(paths, "entities")
    public = ReviewIds.of(TEST_SALT.encode(), [summary[1]["instance_id"]]).public
    planted = f"患者胸痛，请联系{PHONE}，身份证{RESIDENT_ID}。"
    lines = [
        {"instance_id": summary[0]["instance_id"], "output": planted},
        {"instance_id": public[summary[1]["instance_id"]], "output": "胸痛好转出院。"},
        {
            "instance_id": fields[0]["instance_id"],
            "output": {"chief_complaint": f"胸痛，电话{PHONE}", "diagnoses": ["急性心肌梗死"]},
        },
        {
            "instance_id": entities[0]["instance_id"],
            "output": [{"start": 3, "end": 5, "label": "SYMPTOM"}],
        },
    ]
    file = write_jsonl(tmp_path / "drafts.jsonl", lines)
    report = do_import(paths, file).as_dict()
    assert report["by_task"]["summary"] == {"added": 2, "phi_masked": 2}
    assert report["by_task"]["fields"] == {"added": 1, "phi_masked": 1}
    stored = pl.read_parquet(drafts_dir(paths) / "summary" / "qwen_test.parquet")
    assert stored["model"].to_list() == ["qwen-test"] * 2
    text = dict(zip(stored["instance_id"], stored["output"], strict=True))
    assert text[summary[0]["instance_id"]] == "患者胸痛，请联系[电话]，身份证[编号]。"
    assert text[summary[1]["instance_id"]] == "胸痛好转出院。"  # public id mapped back
    answer = json.loads(
        pl.read_parquet(drafts_dir(paths) / "fields/qwen_test.parquet")["output"][0]
    )
    assert answer == {"chief_complaint": "胸痛，电话[电话]", "diagnoses": ["急性心肌梗死"]}
    spans = pl.read_parquet(drafts_dir(paths) / "entities/qwen_test.parquet")["output"][0]
    shown = entities[0]["input"][3:5]
    assert json.loads(spans) == [{"start": 3, "end": 5, "label": "SYMPTOM", "text": shown}]

    before = {p: p.read_bytes() for p in drafts_dir(paths).rglob("*.parquet")}
    again = do_import(paths, file).as_dict()
    assert all(set(c) <= {"unchanged", "phi_masked"} for c in again["by_task"].values())
    assert {p: p.read_bytes() for p in drafts_dir(paths).rglob("*.parquet")} == before

    class Broken(Screener):
        def _screen_text(self, instance, shown, text):  # the detector fails on this text
            if "失败" in text:
                raise RuntimeError("detector crashed")
            return super()._screen_text(instance, shown, text)

    failing = write_jsonl(
        tmp_path / "more.jsonl",
        [{"instance_id": summary[2]["instance_id"], "output": f"失败 {PHONE}"}],
    )
    result = do_import(paths, failing, screener=Broken(paths.root)).as_dict()
    assert result["by_task"]["summary"] == {"quarantined": 1}
    stored = pl.read_parquet(drafts_dir(paths) / "summary" / "qwen_test.parquet")
    assert summary[2]["instance_id"] not in stored["instance_id"].to_list()
    jail = pl.read_parquet(quarantine_dir(paths) / "summary" / "qwen_test.parquet")
    assert jail["reason"].to_list() == ["draft_screen_failed"]
    assert "RuntimeError" in jail["detail"][0] and PHONE not in json.dumps(jail.to_dicts())


# ----------------------------------------------------------------------------- decision rule
def instance(kind: OutputType, labels: tuple[str, ...] = (), schema: str = "") -> Instance:
    return Instance("i1", "t", kind, "zh", "写。", "患者胸痛三天。", labels, schema)


FIELDS_SCHEMA = json.dumps(
    {
        "type": "object",
        "properties": {
            "cc": {"type": "string"},
            "dx": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["cc", "dx"],
        "additionalProperties": False,
    }
)


def review(who: str, verdict: str = "correct", answer: Any = None, **more: Any) -> dict:
    values: dict[str, Any] = {"answerable": ["yes"], "verdict": [verdict], **more}
    if answer is not None:
        values["answer"] = answer
    return values


def test_a_review_needs_every_answer_and_fields_that_fit_the_schema() -> None:
    fields = instance(OutputType.FIELDS, schema=FIELDS_SCHEMA)
    good = read_review("a", review("a", answer='{"cc": " 胸痛 ", "dx": []}'), fields)
    assert good.missing == () and json.loads(good.answer) == {"cc": " 胸痛 ", "dx": []}
    assert read_review("a", review("a", answer="{cc: 胸痛"), fields).missing == ("answer_json",)
    assert read_review("a", review("a", answer='{"cc": "胸痛"}'), fields).missing == (
        "answer_schema",
    )
    assert read_review("a", review("a", answer="[1]"), fields).missing == ("answer_json",)
    rejection = read_review(
        "a", {"answerable": ["no"], "verdict": ["reject"], "answer": "{bad"}, fields
    )
    assert rejection.missing == ("reject_reason",) and rejection.rejects
    label = instance(OutputType.LABEL, ("骨科", "眼科"))
    assert read_review("a", {"verdict": ["correct"], "label": ["骨科"]}, label).missing == (
        "answerable",
    )
    assert read_review("a", review("a", label=["皮肤科"]), label).missing == ("label_not_in_list",)
    assert read_review("a", review("a"), label).missing == ("answer",)
    spans = instance(OutputType.SPANS, ("SYMPTOM",))
    marked = read_review("a", review("a", spans=[[2, 4, "SYMPTOM"]]), spans)
    assert json.loads(marked.answer) == [{"start": 2, "end": 4, "label": "SYMPTOM", "text": "胸痛"}]
    assert read_review("a", review("a"), spans).answer == "[]"  # no span is an answer too


def reviews(kind: OutputType, *given: tuple[str, Any], labels=("骨科", "眼科", "内科")):
    inst = instance(kind, labels, FIELDS_SCHEMA if kind == OutputType.FIELDS else "")
    out = []
    for who, (verdict, answer) in zip("abc", given, strict=False):
        control = ANSWER_CONTROL[kind]
        values = review(who, verdict)
        if verdict == "reject":
            values = {"answerable": ["yes"], "verdict": ["reject"], "reject_reason": ["x"]}
        elif answer is not None:
            values[control] = [answer] if kind == OutputType.LABEL else answer
        out.append(read_review(who, values, inst))
    return out


def test_the_decision_rule() -> None:
    text, label = OutputType.FREE_TEXT, OutputType.LABEL

    def decided(kind, *given, prefill=None, required=2):
        return decide(reviews(kind, *given), kind, prefill, required, 0.5)

    assert decided(text, ("correct", "a")).status == TaskStatus.PENDING
    same = decided(
        text, ("correct", "BP 120/80"), ("corrected", "ＢＰ  120/80 "), prefill="BP 120/80"
    )
    assert (same.status, same.resolution, same.reference) == ("final", "unanimous", "BP 120/80")
    written = decided(text, ("corrected", "新摘要"), ("corrected", "新摘要 "), prefill="旧")
    assert (written.status, written.reference) == ("final", "新摘要")
    assert decided(text, ("correct", "a"), ("corrected", "b")).disagreements == ("answer",)
    split = decided(text, ("correct", "a"), ("reject", None))
    assert (split.status, split.disagreements) == ("needs_adjudication", ("verdict",))
    both = decided(text, ("reject", None), ("reject", None))
    assert (both.status, both.resolution, both.reject_reasons) == ("rejected", "unanimous", ("x",))
    most = decided(text, ("reject", None), ("reject", None), ("correct", "a"), required=3)
    assert (most.status, most.resolution) == ("rejected", "majority")
    vote = decided(
        label, ("correct", "骨科"), ("correct", "骨科"), ("corrected", "眼科"), required=3
    )
    assert (vote.status, vote.resolution, vote.reference) == ("final", "majority", "骨科")
    tie = decided(label, ("correct", "骨科"), ("corrected", "眼科"))
    assert tie.disagreements == ("label",)
    broken = decided(OutputType.FIELDS, ("correct", "{cc"), ("correct", '{"cc": "", "dx": []}'))
    assert (broken.status, broken.disagreements) == (
        "needs_adjudication",
        ("incomplete:answer_json",),
    )
    fields = decided(
        OutputType.FIELDS,
        ("correct", '{"dx": ["房颤"], "cc": "心悸"}'),
        ("correct", '{"cc": "心悸 ", "dx": ["房颤"]}'),
    )
    assert (fields.status, json.loads(fields.reference)) == (
        "final",
        {"cc": "心悸", "dx": ["房颤"]},
    )


# --------------------------------------------------------------------------------- agreement
def test_levenshtein_matches_the_dynamic_programme() -> None:
    def table(a: str, b: str) -> int:
        row = list(range(len(b) + 1))
        for i, x in enumerate(a, 1):
            cur = [i]
            for j, y in enumerate(b, 1):
                cur.append(min(row[j] + 1, cur[j - 1] + 1, row[j - 1] + (x != y)))
            row = cur
        return row[-1]

    rng = random.Random(7)
    for _ in range(500):
        a = "".join(rng.choice("ab胸痛 ") for _ in range(rng.randint(0, 90)))
        b = "".join(rng.choice("ab胸痛 ") for _ in range(rng.randint(0, 90)))
        assert levenshtein(a, b) == table(a, b)
    assert levenshtein("kitten", "sitting") == 3


def answered(who: str, answer: str, verdict: str = "correct") -> TaskReview:
    return TaskReview(who, "yes", verdict, answer=answer)


def test_agreement_figures_equal_a_hand_computation() -> None:
    # labels: A x x y y x y / B x y y y x x → p_o 4/6, p_e 1/2: kappa 1/3
    # verdicts: A c C c c c C / B c C c C c c → p_o 4/6, p_e 5/9: kappa 1/4
    a_labels, b_labels = "xxyyxy", "xyyyxx"
    a_verdicts, b_verdicts = (
        ["correct", "corrected", "correct", "correct", "correct", "corrected"],
        [
            "correct",
            "corrected",
            "correct",
            "corrected",
            "correct",
            "correct",
        ],
    )
    labelled = [
        ReviewedInstance(
            f"l{i}",
            OutputType.LABEL,
            "x",
            "derived",
            [
                answered("A", a_labels[i], a_verdicts[i]),
                answered("B", b_labels[i], b_verdicts[i]),
            ],
        )
        for i in range(6)
    ]
    figures = task_agreement(labelled, resamples=0, seed=0, min_pair_items=1)
    assert figures["label"]["cohen_kappa"]["value"] == pytest.approx(1 / 3, abs=1e-4)
    assert figures["verdict"]["cohen_kappa"]["value"] == pytest.approx(1 / 4, abs=1e-4)
    assert figures["label"]["cohen_kappa_pairs"][0]["kappa"]["value"] == pytest.approx(
        1 / 3, abs=1e-4
    )
    assert figures["label"]["observed_agreement"] == pytest.approx(4 / 6, abs=1e-4)
    with_ci = categorical(
        [
            Rating(f"l{i}", w, v)
            for i in range(6)
            for w, v in (("A", a_labels[i]), ("B", b_labels[i]))
        ],
        200,
        0,
        1,
    )
    low, high = with_ci["cohen_kappa"]["ci95"]
    assert low <= 1 / 3 <= high

    text = "患者胸痛三天。"

    def spans(*marked: tuple[int, int, str]) -> str:
        return spans_json(list(marked), text)

    # span F1: {S02, D35} vs {S02}: 1 shared of 3; {S13} vs {S13, S46}: 1 of 3 → 2·2/6
    spanned = [
        ReviewedInstance(
            "s1",
            OutputType.SPANS,
            reviews=[
                answered("A", spans((0, 2, "S"), (3, 5, "D"))),
                answered("B", spans((0, 2, "S"))),
            ],
        ),
        ReviewedInstance(
            "s2",
            OutputType.SPANS,
            reviews=[
                answered("A", spans((1, 3, "S"))),
                answered("B", spans((1, 3, "S"), (4, 6, "S"))),
            ],
        ),
    ]
    assert task_agreement(spanned, 0, 0, 1)["span_f1"]["f1"] == pytest.approx(2 / 3, abs=1e-4)

    # free text: unchanged 2 + 1 + 0 of 6 reviews; between physicians 0, 1/4, 7/11;
    # to the pre-fill 0, 0, 0, 1/4, 1/5, 6/11
    texts = [
        ReviewedInstance(
            "t1",
            OutputType.FREE_TEXT,
            "BP 120/80",
            "rule:lead",
            [answered("A", "BP 120/80"), answered("B", "ＢＰ  120/80 ", "corrected")],
        ),
        ReviewedInstance(
            "t2",
            OutputType.FREE_TEXT,
            "abcd",
            "model:m",
            [answered("A", "abcd"), answered("B", "abce", "corrected")],
        ),
        ReviewedInstance(
            "t3",
            OutputType.FREE_TEXT,
            "hello",
            "model:m",
            [answered("A", "hallo", "corrected"), answered("B", "hello world", "corrected")],
        ),
        ReviewedInstance(  # a rejection counts for no text figure
            "t4",
            OutputType.FREE_TEXT,
            "x",
            "rule:lead",
            [TaskReview("A", "no", "reject", ("not_answerable",)), answered("B", "x")],
        ),
    ]
    figures = task_agreement(texts, 0, 0, 1)
    unchanged = figures["accepted_unchanged"]
    assert (unchanged["reviews"], unchanged["unchanged"]) == (7, 4)
    three = task_agreement(texts[:3], 0, 0, 1)
    assert three["accepted_unchanged"]["share"] == pytest.approx(0.5, abs=1e-4)
    assert three["accepted_unchanged"]["by_prefill"]["model:m"] == {
        "reviews": 4,
        "unchanged": 1,
        "share": 0.25,
    }
    assert three["edit_distance"]["mean"] == pytest.approx((0 + 1 / 4 + 7 / 11) / 3, abs=1e-4)
    to_prefill = (0 + 0 + 0 + 1 / 4 + 1 / 5 + 6 / 11) / 6
    assert three["edit_distance_to_prefill"]["mean"] == pytest.approx(to_prefill, abs=1e-4)


# ------------------------------------------------------------------------------------- split
def test_the_split_takes_references_from_task_review(tmp_path: Path) -> None:
    paths = task_project(tmp_path, n=4)
    rows = [accepted(dialogue(i)) for i in range(4)] + [accepted(record(i)) for i in range(4)]
    items = pl.DataFrame([r | {"split": "test"} for r in rows], infer_schema_length=None)
    tasks = {k: v for k, v in declared_tasks(paths).items() if k in ("triage", "summary")}
    summary, triage = instances(paths, "summary"), instances(paths, "triage")

    def row(inst: dict, status: str, reference: str | None = None, changed: bool = False) -> dict:
        return {
            "instance_id": inst["instance_id"],
            "status": status,
            "reference": reference,
            "reference_changed": changed if reference is not None else None,
        }

    other = next(d for d in DEPARTMENTS if d != triage[0]["reference"])
    reviewed = pl.DataFrame(
        [
            row(summary[0], "final", "医师写的摘要。", changed=True),
            row(summary[1], "rejected"),
            row(summary[2], "needs_adjudication"),
            row(triage[0], "final", other, changed=True),
            row(triage[1], "final", "stale label accepted as shown", changed=False),
            row(triage[2], "rejected"),
        ]
    )
    frame, report = split_instances(items, tasks, reviewed)
    got = {r["instance_id"]: r for r in frame.iter_rows(named=True)}
    assert got[summary[0]["instance_id"]]["reference"] == "医师写的摘要。"
    assert got[summary[0]["instance_id"]]["reference_origin"] == "authored"
    assert summary[1]["instance_id"] not in got and summary[3]["instance_id"] not in got
    assert got[triage[0]["instance_id"]]["reference"] == other
    assert got[triage[0]["instance_id"]]["reference_origin"] == "authored"  # corrected
    assert got[triage[1]["instance_id"]]["reference"] == triage[1]["reference"]  # rebuilt
    assert got[triage[3]["instance_id"]]["reference_origin"] == "derived"  # not reviewed yet
    assert report["summary"]["held_back"] == {
        "awaiting_adjudication": 1,
        "awaiting_reference": 1,
        "kind_not_drawn": 4,
        "rejected_in_review": 1,
    }
    assert report["triage"]["held_back"] == {"kind_not_drawn": 4, "rejected_in_review": 1}
    assert (report["triage"]["reference_from_review"], report["triage"]["released"]) == (1, 3)
    assert report["triage"]["derived_corrected_in_review"] == 1
    before, _ = split_instances(items, tasks)  # without task review: as before
    assert before.filter(pl.col("task") == "summary").height == 0


# ------------------------------------------------------------------------------ adjudication
def test_a_complete_adjudication_decides_an_incomplete_one_does_not() -> None:
    text, label = OutputType.FREE_TEXT, OutputType.LABEL
    inst = instance(text)
    disputed = reviews(text, ("correct", "a"), ("reject", None))
    assert decide(disputed, text, "a", 2, 0.5).status == TaskStatus.NEEDS_ADJUDICATION

    def settled(given: dict, kind=text, prefill="a", under=disputed):
        senior = read_review("senior", given, instance(kind, ("骨科", "眼科")))
        return decide(under, kind, prefill, 2, 0.5, senior)

    written = settled(review("s", "corrected", answer=" 医师裁定的答案 "))
    assert (written.status, written.resolution, written.reference) == (
        "final",
        "adjudicated",
        "医师裁定的答案",
    )
    assert written.adjudicated and written.reviews == 2
    shown = settled(review("s", "correct", answer="ａ"), prefill="a")  # the pre-fill, as shown
    assert (shown.status, shown.reference) == ("final", "a")
    no = settled({"answerable": ["no"], "verdict": ["reject"], "reject_reason": ["input_garbled"]})
    assert (no.status, no.resolution, no.reject_reasons) == (
        "rejected",
        "adjudicated",
        ("input_garbled", "not_answerable"),
    )
    # it decides even where the reviews agree, and a label the reviews split on
    agreed = reviews(text, ("correct", "a"), ("correct", "a"))
    assert settled(review("s", answer="b"), under=agreed).reference == "b"
    tie = reviews(label, ("correct", "骨科"), ("corrected", "眼科"), labels=("骨科", "眼科"))
    assert settled(review("s", label=["眼科"]), label, "骨科", tie).reference == "眼科"
    # incomplete: no verdict, a rejection without a reason, no answer, a label off the list
    for given, missing in (
        ({"answerable": ["yes"], "answer": "b"}, "verdict"),
        ({"answerable": ["yes"], "verdict": ["reject"]}, "reject_reason"),
        (review("s", "corrected"), "answer"),
    ):
        open_ = settled(given, under=agreed)
        assert (open_.status, open_.resolution, open_.reference) == (
            "needs_adjudication",
            None,
            None,
        )
        assert open_.disagreements == (f"adjudication_incomplete:{missing}",)
        assert not open_.adjudicated
    off = settled(review("s", label=["皮肤科"]), label, "骨科", tie)
    assert off.disagreements == ("adjudication_incomplete:label_not_in_list",)
    assert read_review("s", review("s"), inst).missing == ("answer",)


def _snapshot_task(public: str, prefill: str | None, n: int, *given: tuple[str, dict]) -> dict:
    return {
        "instance_id": public,
        "task_id": n,
        "task": None,
        "output_type": None,
        "task_hash": None,
        "input_hash": None,
        "prefill": prefill or "",
        "prefill_origin": "rule:lead" if prefill else None,
        "annotations": [
            {"annotator": who, "annotation_id": n * 10 + k, "values": values}
            for k, (who, values) in enumerate(given)
        ],
    }


def test_task_merge_lets_the_adjudicator_decide_and_the_panel_shows_the_reviews(
    tmp_path: Path,
) -> None:
    from curation.review import snapshot
    from curation.tasks.adjudication import WITHHELD, adjudication_tasks
    from curation.tasks.merge import run_task_merge
    from curation.tasks.review_configs import TaskProjectSpec

    tasks = {k: TASKS[k] for k in ("triage", "summary")}
    paths = task_project(tmp_path, tasks=tasks, n=4)
    params = load_params(paths.params_file)
    triage, summary = instances(paths, "triage"), instances(paths, "summary")
    public = public_ids([{"item_id": i["instance_id"]} for i in triage + summary])
    ok, fixed = review("x"), review("x", "corrected")
    other = {i["instance_id"]: next(d for d in DEPARTMENTS if d != i["reference"]) for i in triage}
    phoned = f"胸痛，电话{PHONE}。"

    def labelled(inst: dict, values: dict, answer: str) -> dict:
        return values | {"label": [answer]}

    def texted(values: dict, answer: str) -> dict:
        return values | {"answer": answer}

    t, s = triage, summary
    reviewed = [
        # triage 0, 1, 2: the reviewers disagree on the label
        *(
            _snapshot_task(
                public[i["instance_id"]],
                i["reference"],
                n,
                ("anna@clinic.test", labelled(i, ok, i["reference"])),
                ("ben@clinic.test", labelled(i, fixed, other[i["instance_id"]])),
            )
            for n, i in enumerate(t[:3], start=1)
        ),
        # summary 0: accept vs reject; summary 1: two different texts (one with a phone number)
        _snapshot_task(
            public[s[0]["instance_id"]],
            s[0]["draft"],
            11,
            ("anna@clinic.test", texted(ok, s[0]["draft"])),
            (
                "ben@clinic.test",
                {"answerable": ["no"], "verdict": ["reject"], "reject_reason": ["not_answerable"]},
            ),
        ),
        _snapshot_task(
            public[s[1]["instance_id"]],
            s[1]["draft"],
            12,
            ("anna@clinic.test", texted(fixed, "胸痛两天。") | {"comment": f"家属电话{PHONE}"}),
            ("ben@clinic.test", texted(fixed, phoned)),
        ),
    ]
    document = {
        "format": snapshot.FORMAT,
        "snapshot": 1,
        "projects": [],
        "task_projects": [
            {"output_type": "label", "role": "review", "project_id": 1, "tasks": reviewed[:3]},
            {"output_type": "free_text", "project_id": 2, "tasks": reviewed[3:]},  # no role: old
        ],
    }
    snapshot.write(document, paths.review_snapshot)
    before = run_task_merge(paths, params)
    assert before["adjudication"] == {
        "queued": 0,
        "adjudicated": 0,
        "final": 0,
        "rejected": 0,
        "incomplete": 0,
        "awaiting": 5,
    }

    queued = adjudication_tasks(paths, params, declared_tasks(paths))
    assert {k: len(v) for k, v in queued.items() if v} == {"label": 3, "free_text": 2}
    held = json.dumps(queued, ensure_ascii=False)
    for value in (PHONE, *(i["instance_id"] for i in triage + summary)):
        assert value not in held  # public ids only; reviewers' texts screened
    by_id = {task["data"]["instance_id"]: task for found in queued.values() for task in found}
    panel = by_id[public[s[1]["instance_id"]]]["data"]["reviews"]
    assert "▶ anna@clinic.test" in panel and "▶ ben@clinic.test" in panel
    assert "answer 答案: 胸痛两天。" in panel and "胸痛，电话[电话]。" in panel
    assert "comment 备注: 家属电话[电话]" in panel and WITHHELD not in panel
    assert "different answers" in panel
    first = by_id[public[t[0]["instance_id"]]]
    assert f"answer 答案: {other[t[0]['instance_id']]}" in first["data"]["reviews"]
    assert first["predictions"][0]["result"][0]["value"]["choices"] == [t[0]["reference"]]
    spec = TaskProjectSpec(OutputType.LABEL, Role.ADJUDICATION)
    assert spec.maximum_annotations(3) == 1 and len(spec.title("x" * 40)) <= 50
    assert spec.title("p") != TaskProjectSpec(OutputType.LABEL).title("p")
    screen = ET.fromstring(spec.label_config(None))
    assert "reviews" in {e.get("name") for e in screen.iter()}
    assert "reviews" not in {
        e.get("name")
        for e in ET.fromstring(TaskProjectSpec(OutputType.LABEL).label_config(None)).iter()
    }

    senior = "dr.senior@clinic.test"
    decisions = [
        # triage 0: the senior picks ben's label; triage 1: incomplete (no verdict); triage 2:
        # none yet; summary 0: rejected; summary 1: a written answer with a phone number
        _snapshot_task(
            public[t[0]["instance_id"]],
            t[0]["reference"],
            21,
            (senior, {"answerable": ["yes"], "label": [t[0]["reference"]]}),  # superseded
            (senior, labelled(t[0], fixed, other[t[0]["instance_id"]])),
        ),
        _snapshot_task(
            public[t[1]["instance_id"]],
            t[1]["reference"],
            22,
            (senior, {"answerable": ["yes"], "label": [t[1]["reference"]]}),
        ),
        _snapshot_task(
            public[s[0]["instance_id"]],
            s[0]["draft"],
            23,
            (
                senior,
                {
                    "answerable": ["no"],
                    "verdict": ["reject"],
                    "reject_reason": ["input_incomplete"],
                },
            ),
        ),
        _snapshot_task(
            public[s[1]["instance_id"]], s[1]["draft"], 24, (senior, texted(fixed, phoned))
        ),
    ]
    document["task_projects"] += [
        {"output_type": "label", "role": "adjudication", "project_id": 3, "tasks": decisions[:2]},
        {
            "output_type": "free_text",
            "role": "adjudication",
            "project_id": 4,
            "tasks": decisions[2:],
        },
    ]
    snapshot.write(document, paths.review_snapshot)
    report = run_task_merge(paths, params)
    rows = {
        r["instance_id"]: r
        for task in tasks
        for r in pl.read_parquet(reviewed_path(paths, task)).to_dicts()
    }
    settled = rows[t[0]["instance_id"]]
    assert (settled["status"], settled["resolution"], settled["reference"]) == (
        "final",
        "adjudicated",
        other[t[0]["instance_id"]],
    )
    assert settled["adjudication"]["annotator"] == senior
    assert [a["annotator"] for a in settled["annotations"]] == [
        "anna@clinic.test",
        "ben@clinic.test",
    ]
    still = rows[t[1]["instance_id"]]
    assert (still["status"], still["disagreements"]) == (
        "needs_adjudication",
        ["adjudication_incomplete:verdict"],
    )
    assert rows[t[2]["instance_id"]]["status"] == "needs_adjudication"
    assert rows[t[2]["instance_id"]]["adjudication"] is None
    gone = rows[s[0]["instance_id"]]
    assert (gone["status"], gone["resolution"], gone["reject_reasons"]) == (
        "rejected",
        "adjudicated",
        ["input_incomplete", "not_answerable"],
    )
    written = rows[s[1]["instance_id"]]
    assert (written["status"], written["reference"]) == ("final", "胸痛，电话[电话]。")
    assert written["reference_phi_masked"] == 1
    assert report["adjudication"] == {
        "queued": 4,
        "adjudicated": 3,
        "final": 2,
        "rejected": 1,
        "incomplete": 1,
        "awaiting": 1,
    }
    assert report["tasks"]["triage"]["by_resolution"]["adjudicated"] == 1
    assert report["tasks"]["summary"]["by_status"] == {"final": 1, "pending": 2, "rejected": 1}
    # agreement is measured over the independent reviews only
    assert report["tasks"]["triage"]["annotations"] == 6
