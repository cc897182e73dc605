"""The physicians' review screen: label configs the real server accepts, task data that fills
them, the adjudicator's readable panel, and what annotations made outside the screen (API, older
configs) become in the merge. The browser walk-through is benchmarks/review_browser.py."""

from __future__ import annotations

import pytest
from label_studio_sdk import LabelStudio

from curation.commands.review import (
    reviews_panel,
    run_adjudicate,
    run_merge,
    run_pull,
    run_push,
    server_for,
)
from curation.params import load_params
from curation.review.configs import (
    ALL_PROJECTS,
    ProjectSpec,
    ReviewKind,
    Role,
    instructions,
    render_config,
)
from curation.review.labels import ReviewLabels, parse_result, to_result
from curation.review.server import LocalServer
from curation.review.simulate import sign_in
from curation.review.tasks import compose
from tests.review_fixtures import make_item, public_ids, review_project

RAW_CODES = ("residual_phi", "answer_key_wrong", "accept_with_edits", "incomplete:", "edit:")


def test_the_adjudication_panel_speaks_words_not_codes() -> None:
    review = {
        "disagreements": ["verdict", "incomplete:reject_reason", "edit:options.1"],
        "labels": [
            {
                "annotator": "anna@clinic.test",
                "role": "reviewer",
                "verdict": "reject",
                "specialty_code": "03.04",
                "answer_labels": [],
                "difficulty": 3,
                "reject_reasons": ["residual_phi", "answer_key_wrong"],
                "edited": False,
            },
            {
                "annotator": "ben@clinic.test",
                "role": "reviewer",
                "verdict": "accept_with_edits",
                "specialty_code": "03.01",
                "answer_labels": ["A"],
                "difficulty": None,
                "reject_reasons": [],
                "edited": True,
            },
            {
                "annotator": "cara@clinic.test",
                "role": "reviewer",
                "verdict": "reject",
                "specialty_code": None,
                "answer_labels": [],
                "difficulty": None,
                "reject_reasons": [],
                "edited": False,
            },
        ],
    }
    names = {"03.04": "03.04 心血管内科专业 · Cardiology"}
    panel = reviews_panel(review, names, {"ben@clinic.test": "选项B有误"})
    assert "Residual PHI 仍含隐私信息" in panel and "Answer key wrong 答案错误" in panel
    assert "Accept with edits 修改后接受" in panel and "Reject 拒绝" in panel
    assert "rejected without a reason 拒绝但未填写原因" in panel
    assert "option 2 第2个选项" in panel and "reasons 原因: none given 未填写" in panel
    assert "03.04 心血管内科专业 · Cardiology" in panel and "comment 备注: 选项B有误" in panel
    assert not any(code in panel for code in RAW_CODES)


# ---------------------------------------------------------------- against a real server

OLDER_CONFIG = """<View>
  <Text name="text" value="$text" granularity="symbol"/>
  <Labels name="phi" toName="text"><Label value="NAME"/></Labels>
  <Choices name="verdict" toName="text" choice="single-radio" required="true">
    <Choice value="Accept 接受" alias="accept"/>
    <Choice value="Accept with edits 修改后接受" alias="accept_with_edits"/>
    <Choice value="Reject 拒绝" alias="reject"/>
  </Choices>
  <Choices name="reject_reason" toName="text" choice="multiple">
    <Choice value="Answer key wrong 答案错误" alias="answer_key_wrong"/>
    <Choice value="Ambiguous 表述含糊" alias="ambiguous"/>
  </Choices>
  <Choices name="answer_check" toName="text" choice="single-radio">
    <Choice value="Key is correct 答案正确" alias="correct"/>
    <Choice value="Key is wrong 答案错误" alias="wrong"/>
  </Choices>
  <Choices name="corrected_answer" toName="text" choice="multiple">
    <Choice value="A"/><Choice value="B"/><Choice value="E"/><Choice value="J"/>
  </Choices>
  <Choices name="specialty" toName="text" choice="single" layout="select">
    <Choice value="03.04 心血管内科专业" alias="03.04"/>
  </Choices>
  <TextArea name="edited_text" toName="text" rows="4" maxSubmissions="1" editable="true"/>
</View>"""
"""The shape of the screen before per-field edits: what projects on servers still hold."""

e2e = pytest.mark.e2e  # these start (once per session) a real Label Studio server


def annotate(url: str, token: str, task_id: int, result: list[dict]) -> None:
    LabelStudio(base_url=url, api_key=token).annotations.create(task_id, result=result)


@e2e
def test_every_label_config_makes_a_project_and_takes_every_kind_of_task(
    labelstudio: LocalServer, tmp_path
) -> None:
    turns = [("患者", "头痛。"), ("医生", "多久了？")]
    open_qa = {"kind": "open_qa", "question": "高血压的一线用药有哪些？", "answer_text": "ACEI"}
    rows = [
        make_item("q1") | {"explanation": "急性心梗典型表现为胸痛。"},
        make_item("r1", kind="record", context="患者男，61岁，反复胸闷两年。"),
        make_item("d1", kind="dialogue", context="…", turns=turns) | {"context": None},
        make_item("o1", kind="record", context="患者女，52岁，血压160/100。") | open_qa,
    ]
    paths = review_project(tmp_path, rows, labelstudio.env_values())
    params = load_params(paths.params_file)
    server = server_for(paths, params)
    for spec in ALL_PROJECTS:
        project = server.client.projects.get(server.ensure(spec, overlap=2))
        assert project.label_config == render_config(spec.kind, spec.role)  # kept as sent
        assert project.expert_instruction == instructions()
        assert "<h1>" in project.expert_instruction and "**" not in project.expert_instruction
    reports = {r.project: r for r in run_push(paths, params)}  # the server checks task data
    assert (reports["review/mcq"].created, reports["review/text"].created) == (1, 3)
    project_id = server.find(ProjectSpec(Role.REVIEW, ReviewKind.TEXT))
    data = {t["data"]["kind"]: t["data"] for t in server.export(project_id)}
    assert [c["alias"] for c in data["dialogue"]["reject_reasons"]][:2] == [
        "clinically_implausible",
        "unsafe_advice",
    ]
    assert len(data["dialogue"]["edit_turns"]) == 2 and data["record"]["edit_turns"] == []


@e2e
def test_projects_with_the_older_screen_are_updated_and_their_reviews_still_count(
    labelstudio: LocalServer, tmp_path
) -> None:
    """A push brings an existing project to the new screen: Label Studio refuses a config that
    drops a tag annotations use, so the names stay (specialty, reject_reason, corrected_answer)
    and the older annotations — plain specialty choices, a whole-text edit — still merge."""
    row = make_item("k1")
    paths = review_project(tmp_path, [row], labelstudio.env_values(), overlap=1, required_reviews=1)
    params = load_params(paths.params_file)
    server = server_for(paths, params)
    spec = ProjectSpec(Role.REVIEW, ReviewKind.MCQ)
    project = server.client.projects.create(
        title=spec.title(params.project.name), label_config=OLDER_CONFIG
    )
    text = compose(row).text
    older_task = {"data": {"text": text, "item_id": public_ids([row])[row["item_id"]]}}
    server.client.projects.import_tasks(project.id, request=[older_task])
    task_id = server.export(project.id)[0]["id"]
    who = "eva@clinic.test"
    older = [
        {"from_name": "verdict", "to_name": "text", "type": "choices",
         "value": {"choices": ["accept_with_edits"]}},
        {"from_name": "specialty", "to_name": "text", "type": "choices",
         "value": {"choices": ["03.04"]}},
        {"from_name": "answer_check", "to_name": "text", "type": "choices",
         "value": {"choices": ["correct"]}},
        {"from_name": "edited_text", "to_name": "text", "type": "textarea",
         "value": {"text": ["下列哪项是急性心梗最常见的症状？"]}},
    ]  # fmt: skip
    annotate(labelstudio.url, sign_in(server.connection, who), task_id, older)

    assert server.ensure(spec, overlap=1) == project.id  # the new config is accepted
    assert 'name="edit_question"' in server.client.projects.get(project.id).label_config
    report = run_push(paths, params)[0]
    assert (report.created, report.updated) == (0, 1)  # the task gets the new data in place
    first = params.model_copy(update={"review": params.review.model_copy(update={"snapshot": 1})})
    run_pull(paths, first)
    merged = run_merge(paths, first.review)
    assert merged.details["changes"] == {"edited": 1}
    assert merged.details["by_status"] == {"final": 1}


@e2e
def test_annotations_without_the_required_fields_go_to_a_readable_adjudication(
    labelstudio: LocalServer, tmp_path
) -> None:
    """The screen requires a reason for a rejection and the correct answer for a wrong key;
    the API does not. Such reviews are incomplete: adjudication, not ['?'] nor a silent
    rejection; a per-field edit made through the API is applied to its field."""
    rows = [make_item("k1"), make_item("k2"), make_item("k3")]
    ids = [r["item_id"] for r in rows]
    paths = review_project(tmp_path, rows, labelstudio.env_values(), bootstrap=0)
    params = load_params(paths.params_file)
    run_push(paths, params)
    server = server_for(paths, params)
    project_id = server.find(ProjectSpec(Role.REVIEW, ReviewKind.MCQ))
    public = public_ids(rows)
    tasks = {t["data"]["item_id"]: t for t in server.export(project_id)}
    anna, ben = "anna@clinic.test", "ben@clinic.test"
    tokens = {who: sign_in(server.connection, who) for who in (anna, ben)}
    ok = {"verdict": "accept", "specialty": "03.04", "answer_check": "correct"}
    edit = ok | {"verdict": "accept_with_edits", "edits": (("options.1", "偏头痛"),)}
    plan = {
        ids[0]: [ReviewLabels(anna, **ok | {"answer_check": "wrong"}), ReviewLabels(ben, **ok)],
        ids[1]: [ReviewLabels(anna, "reject"), ReviewLabels(ben, "reject", ("ambiguous",))],
        ids[2]: [ReviewLabels(anna, **edit), ReviewLabels(ben, **edit)],
    }
    for item_id, labels in plan.items():
        task = tasks[public[item_id]]
        for label in labels:
            result = to_result(label, task["data"]["text"])
            annotate(labelstudio.url, tokens[label.annotator], task["id"], result)
            assert parse_result(label.annotator, result, task["data"]["text"]) == label

    first = params.model_copy(update={"review": params.review.model_copy(update={"snapshot": 1})})
    run_pull(paths, first)
    report = run_merge(paths, first.review)
    assert report.details["by_status"] == {"final": 1, "needs_adjudication": 2}
    assert report.quarantined == 0
    assert report.details["changes"] == {"edited": 1, "field_edited": 1}
    queue = run_adjudicate(paths, first)
    assert [(r.project, r.created) for r in queue] == [("adjudication/mcq", 2)]
    adjudication = server.find(ProjectSpec(Role.ADJUDICATION, ReviewKind.MCQ))
    panels = {t["data"]["item_id"]: t["data"]["reviews"] for t in server.export(adjudication)}
    assert "key marked wrong without the correct answer" in panels[public[ids[0]]]
    assert "rejected without a reason 拒绝但未填写原因" in panels[public[ids[1]]]
    assert "Ambiguous 表述含糊" in panels[public[ids[1]]]
    assert not any(code in p for p in panels.values() for code in RAW_CODES)
