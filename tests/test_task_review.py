"""Task review against a real Label Studio (session fixture `labelstudio`): push the instances
of four tasks (label, free text, fields, spans) with a model's drafts, two physicians review
through the API with their own tokens, the snapshot pulls both item and task projects, and the
merge settles statuses, references and agreement; simulated physicians review a demo queue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from label_studio_sdk import LabelStudio
from typer.testing import CliRunner

from curation.cli import app
from curation.commands.review import run_pull
from curation.commands.tasks import declared_tasks, reviewed_instances
from curation.params import Params, load_params
from curation.paths import ProjectPaths
from curation.review.configs import PREFILL_VERSION, Role
from curation.review.server import LocalServer
from curation.review.simulate import sign_in
from curation.tasks.adjudication import run_task_adjudicate
from curation.tasks.contract import OutputType
from curation.tasks.layout import reviewed_path
from curation.tasks.merge import run_task_merge
from curation.tasks.release import split_instances
from curation.tasks.review import run_task_push, server_for
from curation.tasks.review_configs import TaskProjectSpec, task_result
from tests.review_fixtures import accepted, public_ids
from tests.test_task_review_rules import (
    DEPARTMENTS,
    PHONE,
    RESIDENT_ID,
    TASKS,
    dialogue,
    do_import,
    instances,
    record,
    task_project,
    write_jsonl,
)

pytestmark = pytest.mark.e2e


def with_snapshot(paths: ProjectPaths, number: int) -> Params:
    params = load_params(paths.params_file)
    return params.model_copy(
        update={"review": params.review.model_copy(update={"snapshot": number})}
    )


def server_tasks(paths: ProjectPaths, output_type: OutputType) -> dict[str, dict[str, Any]]:
    """public instance id → the exported task of a task project."""
    server = server_for(paths, load_params(paths.params_file))
    project_id = server.find(TaskProjectSpec(output_type))
    assert project_id is not None
    return {t["data"]["instance_id"]: t for t in server.export(project_id)}


def test_task_review_loop_push_annotate_pull_merge(
    labelstudio: LocalServer, tmp_path: Path
) -> None:
    paths = task_project(tmp_path, labelstudio.env_values())
    params = load_params(paths.params_file)
    assert "task_projects" not in run_pull(paths, with_snapshot(paths, 1))  # item part as before
    triage, summary = instances(paths, "triage"), instances(paths, "summary")
    fields, entities = instances(paths, "fields"), instances(paths, "entities")
    planted = f"胸痛三天，联系电话{PHONE}，身份证号{RESIDENT_ID}。"
    drafts = [{"instance_id": summary[0]["instance_id"], "output": planted}] + [
        {"instance_id": e["instance_id"], "output": [{"start": 0, "end": 2, "label": "SYMPTOM"}]}
        for e in entities
    ]
    do_import(paths, write_jsonl(tmp_path / "qwen.jsonl", drafts))

    first = {r.project: r for r in run_task_push(paths, params, declared_tasks(paths))}
    assert {k: r.created for k, r in first.items()} == {
        f"tasks/{t}": 3 for t in ("free_text", "label", "spans", "fields")
    }
    again = run_task_push(paths, params, declared_tasks(paths))
    assert [(r.created, r.updated, r.unchanged) for r in again] == [(0, 0, 3)] * 4
    public = public_ids(
        [{"item_id": i["instance_id"]} for i in triage + summary + fields + entities]
    )

    server = server_for(paths, params)
    held = ""  # everything the server holds about the task projects
    for spec in (TaskProjectSpec(t) for t in OutputType):
        project_id = server.find(spec)
        assert len(server.export(project_id)) == 3  # no duplicates
        assert server.client.projects.get(project_id).model_version == PREFILL_VERSION
        for task in server.export(project_id):
            held += json.dumps([task["data"], task["meta"]], ensure_ascii=False)
        for p in server.client.predictions.list(project=project_id):
            held += json.dumps([p.model_version, p.result], ensure_ascii=False)
            assert p.model_version == PREFILL_VERSION  # no model name on the screen
    for value in (PHONE, RESIDENT_ID, *(i["instance_id"] for i in triage + summary)):
        assert value not in held
    texts = server_tasks(paths, OutputType.FREE_TEXT)
    drafted = texts[public[summary[0]["instance_id"]]]
    assert drafted["data"]["prefill"] == "胸痛三天，联系电话[电话]，身份证号[编号]。"
    assert drafted["meta"] == {"draft_origin": "model:qwen-test"}
    assert "qwen" not in json.dumps(drafted["data"])

    connection = server.connection
    anna, ben = "anna@clinic.test", "ben@clinic.test"
    tokens = {who: sign_in(connection, who) for who in (anna, ben)}

    task_id = {key: task["id"] for t in OutputType for key, task in server_tasks(paths, t).items()}
    clients = {who: LabelStudio(base_url=labelstudio.url, api_key=tokens[who]) for who in tokens}

    def annotate(who: str, output_type: OutputType, inst: dict[str, Any], **values: Any) -> None:
        result = task_result(output_type, inst["input"], **values)
        clients[who].annotations.create(task_id[public[inst["instance_id"]]], result=result)

    ok = {"answerable": "yes", "verdict": "correct"}
    fixed = {"answerable": "yes", "verdict": "corrected"}
    other = {i["instance_id"]: next(d for d in DEPARTMENTS if d != i["reference"]) for i in triage}
    label = OutputType.LABEL
    annotate(anna, label, triage[0], **ok, answer=triage[0]["reference"])
    annotate(ben, label, triage[0], **ok, answer=triage[0]["reference"])
    annotate(anna, label, triage[1], **ok, answer=triage[1]["reference"])
    annotate(ben, label, triage[1], **fixed, answer=other[triage[1]["instance_id"]])
    annotate(anna, label, triage[2], **fixed, answer=other[triage[2]["instance_id"]])
    annotate(ben, label, triage[2], **fixed, answer=other[triage[2]["instance_id"]])
    text = OutputType.FREE_TEXT
    masked = drafted["data"]["prefill"]
    annotate(anna, text, summary[0], **ok, answer=masked)
    annotate(ben, text, summary[0], **ok, answer=masked)
    annotate(anna, text, summary[1], **fixed, answer="胸痛 1天，好转出院。")
    annotate(ben, text, summary[1], **fixed, answer="胸痛  １天，好转出院。 ")
    rejected = {"answerable": "no", "verdict": "reject", "reasons": ["not_answerable"]}
    annotate(anna, text, summary[2], **rejected)
    annotate(ben, text, summary[2], **rejected)
    form = OutputType.FIELDS
    annotate(anna, form, fields[0], **ok, answer='{"chief_complaint": "胸痛", ')  # not JSON
    annotate(ben, form, fields[0], **ok, answer=fields[0]["draft"])
    annotate(anna, form, fields[1], **fixed, answer='{"chief_complaint": "膝痛"}')  # a field short
    annotate(ben, form, fields[1], **ok, answer=fields[1]["draft"])
    annotate(anna, form, fields[2], **ok, answer=fields[2]["draft"])
    annotate(ben, form, fields[2], **ok, answer=fields[2]["draft"])
    spans = OutputType.SPANS
    annotate(anna, spans, entities[0], **ok, answer=[(0, 2, "SYMPTOM")])
    annotate(ben, spans, entities[0], **ok, answer=[(0, 2, "SYMPTOM")])
    both = [(0, 2, "SYMPTOM"), (3, 5, "DIAGNOSIS")]
    annotate(anna, spans, entities[1], **fixed, answer=both)
    annotate(ben, spans, entities[1], **ok, answer=[(0, 2, "SYMPTOM")])
    annotate(anna, spans, entities[2], **ok, answer=[(0, 2, "SYMPTOM")])  # one review: pending

    snapshot = with_snapshot(paths, 1)
    document = run_pull(paths, snapshot)
    assert document["projects"] == []  # no item projects: the item part is untouched
    assert sorted(p["output_type"] for p in document["task_projects"]) == sorted(OutputType)
    report = run_task_merge(paths, snapshot)
    status = {t: report["tasks"][t]["by_status"] for t in TASKS}
    assert status == {
        "triage": {"final": 2, "needs_adjudication": 1},
        "summary": {"final": 2, "rejected": 1},
        "fields": {"final": 1, "needs_adjudication": 2},
        "entities": {"final": 1, "needs_adjudication": 1, "pending": 1},
    }
    assert report["tasks"]["fields"]["incomplete"] == {"answer_json": 1, "answer_schema": 1}
    rows = {
        r["instance_id"]: r
        for t in TASKS
        for r in pl.read_parquet(reviewed_path(paths, t)).to_dicts()
    }
    assert rows[fields[0]["instance_id"]]["disagreements"] == ["incomplete:answer_json"]
    assert rows[fields[1]["instance_id"]]["disagreements"] == ["incomplete:answer_schema"]
    assert rows[summary[0]["instance_id"]]["reference"] == masked
    assert rows[summary[0]["instance_id"]]["prefill_origin"] == "model:qwen-test"
    assert rows[summary[1]["instance_id"]]["reference"] == "胸痛 1天，好转出院。"
    assert rows[summary[2]["instance_id"]]["reject_reasons"] == ["not_answerable"]
    assert rows[triage[2]["instance_id"]]["reference"] == other[triage[2]["instance_id"]]
    assert rows[triage[2]["instance_id"]]["reference_changed"] is True
    # by hand: Cohen's kappa of the labels; summaries kept 2 of 4 answering reviews, the
    # physicians' texts equal after normalization; span F1 2·(1 + 1)/(2 + 3)
    a = [triage[0]["reference"], triage[1]["reference"], other[triage[2]["instance_id"]]]
    b = [triage[0]["reference"], other[triage[1]["instance_id"]], a[2]]
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / 3
    chance = sum(a.count(c) * b.count(c) for c in set(a) | set(b)) / 9
    agreement = report["tasks"]
    kappa = agreement["triage"]["agreement"]["label"]["cohen_kappa"]["value"]
    assert kappa == pytest.approx((observed - chance) / (1 - chance), abs=1e-4)
    kept = agreement["summary"]["agreement"]["accepted_unchanged"]
    assert (kept["reviews"], kept["unchanged"], kept["share"]) == (4, 2, 0.5)
    assert agreement["summary"]["agreement"]["edit_distance"] == {"pairs": 2, "mean": 0.0}
    assert agreement["entities"]["agreement"]["span_f1"]["f1"] == pytest.approx(0.8)
    assert set(report["families"]) == {
        "text_classification",
        "summarization",
        "information_extraction",
        "ner",
    }

    items = pl.DataFrame(
        [accepted(dialogue(i)) | {"split": "test"} for i in range(3)]
        + [accepted(record(i)) | {"split": "test"} for i in range(3)],
        infer_schema_length=None,
    )
    frame, by_task = split_instances(items, declared_tasks(paths), reviewed_instances(paths))
    released = {r["instance_id"]: r for r in frame.iter_rows(named=True)}
    assert released[summary[0]["instance_id"]]["reference"] == masked
    assert summary[2]["instance_id"] not in released
    assert released[triage[2]["instance_id"]]["reference_origin"] == "authored"
    assert by_task["summary"]["held_back"]["rejected_in_review"] == 1
    assert by_task["fields"]["held_back"]["awaiting_adjudication"] == 2


def test_simulated_physicians_review_the_task_queue(
    labelstudio: LocalServer, tmp_path: Path
) -> None:
    tasks = {k: TASKS[k] for k in ("triage", "summary")}
    paths = task_project(tmp_path, labelstudio.env_values(), tasks, n=4)
    runner = CliRunner()
    root = ["--root", str(tmp_path)]
    pushed = runner.invoke(app, ["tasks", "push", *root, "--limit", "3"])
    assert pushed.exit_code == 0, pushed.output
    assert "tasks/label" in pushed.output and "3 created" in pushed.output
    simulate = ["tasks", "simulate", *root, "--correct", "0.3", "--disagreement", "0.3"]
    first = runner.invoke(app, simulate)
    assert first.exit_code == 0, first.output
    assert "12 new annotations on 6 tasks" in first.output
    assert "0 new annotations" in runner.invoke(app, simulate).output

    server = server_for(paths, load_params(paths.params_file))
    users = server.users()
    for output_type in (OutputType.LABEL, OutputType.FREE_TEXT):
        for task in server_tasks(paths, output_type).values():
            who = {users[a["completed_by"]] for a in task["annotations"]}
            assert len(who) == 2 and all(w.startswith("dr.demo.") for w in who)
    run_pull(paths, with_snapshot(paths, 1))
    merged = runner.invoke(app, ["tasks", "merge", *root])
    assert merged.exit_code == 0, merged.output
    before = {t: reviewed_path(paths, t).read_bytes() for t in tasks}
    run_task_merge(paths, with_snapshot(paths, 1))
    assert {t: reviewed_path(paths, t).read_bytes() for t in tasks} == before  # deterministic
    report = json.loads(paths.report("tasks_review").read_text(encoding="utf-8"))
    assert sum(report["by_status"].values()) == 8
    assert report["by_status"].get("pending") == 2  # the instances beyond --limit
    assert report["tasks"]["summary"]["pushed"] == 3

    disputed = report["by_status"].get("needs_adjudication", 0)
    assert disputed > 0 and report["adjudication"]["awaiting"] == disputed
    sent = runner.invoke(app, ["tasks", "adjudicate", *root])
    assert sent.exit_code == 0, sent.output
    assert "tasks/adjudication/" in sent.output and "created" in sent.output
    senior = ["tasks", "simulate", *root, "--adjudication"]
    settled = runner.invoke(app, senior)
    assert settled.exit_code == 0, settled.output
    assert f"{disputed} new annotations on {disputed} tasks" in settled.output
    assert "0 new annotations" in runner.invoke(app, senior).output
    run_pull(paths, with_snapshot(paths, 2))
    merged = runner.invoke(app, ["tasks", "merge", *root])
    assert merged.exit_code == 0, merged.output
    report = json.loads(paths.report("tasks_review").read_text(encoding="utf-8"))
    assert "needs_adjudication" not in report["by_status"]
    assert report["adjudication"]["adjudicated"] == disputed
    assert report["adjudication"]["queued"] == disputed


def test_disputed_instances_go_to_adjudication_and_the_senior_decides(
    labelstudio: LocalServer, tmp_path: Path
) -> None:
    tasks = {k: TASKS[k] for k in ("triage", "summary")}
    paths = task_project(tmp_path, labelstudio.env_values(), tasks)
    params = load_params(paths.params_file)
    triage, summary = instances(paths, "triage"), instances(paths, "summary")
    public = public_ids([{"item_id": i["instance_id"]} for i in triage + summary])
    run_task_push(paths, params, declared_tasks(paths))
    server = server_for(paths, params)
    anna, ben, senior = "anna@clinic.test", "ben@clinic.test", "senior@clinic.test"
    tokens = {who: sign_in(server.connection, who) for who in (anna, ben, senior)}
    clients = {who: LabelStudio(base_url=labelstudio.url, api_key=tokens[who]) for who in tokens}

    def annotate(
        who: str, tasks_of: dict[str, dict[str, Any]], inst: dict[str, Any], **values: Any
    ) -> None:
        output_type = OutputType(inst["output_type"])
        result = task_result(output_type, inst["input"], **values)
        clients[who].annotations.create(tasks_of[public[inst["instance_id"]]]["id"], result=result)

    ok = {"answerable": "yes", "verdict": "correct"}
    fixed = {"answerable": "yes", "verdict": "corrected"}
    rejected = {"answerable": "no", "verdict": "reject", "reasons": ["not_answerable"]}
    other = next(d for d in DEPARTMENTS if d != triage[0]["reference"])
    labels, texts = server_tasks(paths, OutputType.LABEL), server_tasks(paths, OutputType.FREE_TEXT)
    annotate(anna, labels, triage[0], **ok, answer=triage[0]["reference"])
    annotate(ben, labels, triage[0], **fixed, answer=other)  # a disputed label
    annotate(anna, labels, triage[1], **ok, answer=triage[1]["reference"])
    annotate(ben, labels, triage[1], **ok, answer=triage[1]["reference"])
    annotate(anna, texts, summary[0], **ok, answer=summary[0]["draft"])
    annotate(ben, texts, summary[0], **rejected)  # a disputed verdict
    annotate(anna, texts, summary[1], **fixed, answer="胸痛。")
    annotate(ben, texts, summary[1], **fixed, answer=f"胸痛，电话{PHONE}。")  # disputed answer

    run_pull(paths, with_snapshot(paths, 1))
    report = run_task_merge(paths, with_snapshot(paths, 1))
    assert report["adjudication"]["awaiting"] == 3
    first = {r.project: r for r in run_task_adjudicate(paths, params, declared_tasks(paths))}
    assert {k: r.created for k, r in first.items()} == {
        "tasks/adjudication/label": 1,
        "tasks/adjudication/free_text": 2,
    }
    again = run_task_adjudicate(paths, params, declared_tasks(paths))
    assert {r.project: (r.created, r.updated, r.unchanged) for r in again} == {
        "tasks/adjudication/label": (0, 0, 1),
        "tasks/adjudication/free_text": (0, 0, 2),
    }

    held = ""
    adjudication = {}
    for output_type in (OutputType.LABEL, OutputType.FREE_TEXT):
        spec = TaskProjectSpec(output_type, Role.ADJUDICATION)
        project_id = server.find(spec)
        project = server.client.projects.get(project_id)
        assert project.maximum_annotations == 1 and 'name="reviews"' in project.label_config
        assert project.model_version == PREFILL_VERSION
        for task in server.export(project_id):
            adjudication[task["data"]["instance_id"]] = task
            held += json.dumps([task["data"], task["meta"]], ensure_ascii=False)
    for value in (PHONE, *(i["instance_id"] for i in triage + summary)):
        assert value not in held  # public ids only, reviewers' answers screened
    panel = adjudication[public[triage[0]["instance_id"]]]["data"]["reviews"]
    assert f"▶ {anna}" in panel and f"▶ {ben}" in panel and f"answer 答案: {other}" in panel
    assert (
        "胸痛，电话[电话]。" in adjudication[public[summary[1]["instance_id"]]]["data"]["reviews"]
    )

    annotate(senior, adjudication, triage[0], **fixed, answer=other)  # ben was right
    annotate(senior, adjudication, summary[0], **rejected)
    annotate(senior, adjudication, summary[1], answerable="yes", answer="胸痛。")  # no verdict
    document = run_pull(paths, with_snapshot(paths, 2))
    roles = sorted((p["output_type"], p["role"]) for p in document["task_projects"])
    assert roles == [
        ("free_text", "adjudication"),
        ("free_text", "review"),
        ("label", "adjudication"),
        ("label", "review"),
    ]
    report = run_task_merge(paths, with_snapshot(paths, 2))
    rows = {
        r["instance_id"]: r
        for t in tasks
        for r in pl.read_parquet(reviewed_path(paths, t)).to_dicts()
    }
    decided = rows[triage[0]["instance_id"]]
    assert (decided["status"], decided["resolution"], decided["reference"]) == (
        "final",
        "adjudicated",
        other,
    )
    assert decided["adjudication"]["annotator"] == senior
    assert (
        rows[summary[0]["instance_id"]]["status"],
        rows[summary[0]["instance_id"]]["resolution"],
    ) == ("rejected", "adjudicated")
    assert rows[summary[1]["instance_id"]]["status"] == "needs_adjudication"
    assert rows[summary[1]["instance_id"]]["disagreements"] == ["adjudication_incomplete:verdict"]
    assert report["adjudication"] == {
        "queued": 3,
        "adjudicated": 2,
        "final": 1,
        "rejected": 1,
        "incomplete": 1,
        "awaiting": 0,
    }
    items = pl.DataFrame(
        [accepted(dialogue(i)) | {"split": "test"} for i in range(3)]
        + [accepted(record(i)) | {"split": "test"} for i in range(3)],
        infer_schema_length=None,
    )
    frame, by_task = split_instances(items, declared_tasks(paths), reviewed_instances(paths))
    released = {r["instance_id"]: r["reference"] for r in frame.iter_rows(named=True)}
    assert released[triage[0]["instance_id"]] == other
    assert summary[0]["instance_id"] not in released
    assert by_task["summary"]["held_back"]["awaiting_adjudication"] == 1
