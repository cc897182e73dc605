"""Review tasks (layout, pre-annotations, hashes) and the merge stage, without a server."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import asdict
from pathlib import Path

import polars as pl

from curation.commands.review import run_merge
from curation.params import load_params
from curation.review.configs import (
    ALL_PROJECTS,
    PREFILL_VERSION,
    ReviewKind,
    Role,
    instructions,
    render_config,
)
from curation.review.labels import ReviewLabels
from curation.review.snapshot import FORMAT
from curation.review.tasks import build_task, compose, field_text, from_utf16, to_utf16
from curation.taxonomy import load_taxonomy
from tests.review_fixtures import make_item, public_ids, review_project

TAXONOMY = load_taxonomy()


def test_mcq_layout_puts_each_option_on_its_own_line() -> None:
    item = make_item("k1")
    layout = compose(item)
    assert layout.text.splitlines()[-4:] == ["A. 胸痛", "B. 头痛", "C. 腹泻", "D. 皮疹"]
    name, start, end = layout.fields[2]
    assert name == "options.1" and layout.text[start:end] == "头痛"


def test_dialogue_turns_are_one_per_line_and_map_back() -> None:
    item = make_item(
        "d1",
        kind="dialogue",
        context="患者：我头痛三天。",
        turns=[("患者", "我头痛三天。"), ("医生", "发烧吗？")],
    )
    layout = compose(item | {"context": None})  # turns only
    assert layout.text == "患者：我头痛三天。\n医生：发烧吗？"
    start = layout.text.index("头痛")
    assert layout.to_fields(start, start + 2) == [("turns.0", 1, 3)]


def test_deid_marks_become_editable_phi_predictions() -> None:
    context = "患者王某某，男，58岁，2023年3月1日入院。"
    marks = [
        {"field": "context", "start": 2, "end": 5, "category": "NAME"},
        {"field": "context", "start": 12, "end": 21, "category": "DATE"},
    ]
    task = task_of(make_item("r1", kind="record", context=context, marks=marks))
    result = task["predictions"][0]["result"]
    phi = [x for x in result if x["from_name"] == "phi"]
    assert [x["value"]["text"] for x in phi] == ["王某某", "2023年3月1日"]
    specialty = next(x for x in result if x["from_name"] == "specialty")
    assert specialty["type"] == "taxonomy"  # pre-selected in the searchable specialty tree
    assert specialty["value"]["taxonomy"] == [["03", "03.04"]]
    assert task["predictions"][0]["model_version"] == PREFILL_VERSION  # what Label Studio shows
    assert task["data"]["pre_annotated_by"] == "specialty_lexicon_v1+medcurate-deid-test"
    assert "answer_key" not in task["data"]


def test_task_hash_follows_what_the_physician_sees() -> None:
    one = task_of(make_item("k1"))["data"]["task_hash"]
    assert task_of(make_item("k1"))["data"]["task_hash"] == one
    assert task_of(make_item("k1", question="另一题干？"))["data"]["task_hash"] != one
    assert task_of(make_item("k1", specialty="03.01"))["data"]["task_hash"] != one


def test_utf16_offsets_round_trip() -> None:
    text = "a𠀀b𠀁c"
    for i in range(len(text) + 1):
        assert from_utf16(text, to_utf16(text, i)) == i
    assert to_utf16(text, 2) == 3


def test_rendered_configs_hold_every_specialty_and_phi_label() -> None:
    for spec in ALL_PROJECTS:
        xml = render_config(spec.kind, spec.role)
        assert "<!-- @" not in xml
        assert xml.count('<Choice value="03.04 ') == 1
        assert ('name="reviews"' in xml) == (spec.role == Role.ADJUDICATION)
        assert ('name="corrected_answer"' in xml) == (spec.kind == ReviewKind.MCQ)
        for category in ("NAME", "DATE", "ID", "ADDRESS", "ORGANIZATION"):
            assert f'<Label value="{category}"' in xml


def test_the_specialty_is_a_searchable_tree_of_departments() -> None:
    xml = render_config(ReviewKind.TEXT)
    tree = ET.fromstring(xml).find(".//Taxonomy[@name='specialty']")
    assert tree is not None and tree.get("maxUsages") == "1"  # one specialty per item
    internal = tree.find("Choice[@alias='03']")
    assert internal is not None and internal.find("Choice[@alias='03.04']") is not None
    assert internal.find(".//Choice[@alias='03.02.x1']") is not None  # nested under 03.02
    assert len(tree.findall(".//Choice")) == len(TAXONOMY.specialties)  # each once


def test_required_fields_are_required_only_when_shown() -> None:
    """Reject needs a reason, a wrong key the correct answer: required tags inside a View that
    only shows when that choice is made (Label Studio skips hidden required tags)."""
    root = ET.fromstring(render_config(ReviewKind.MCQ))
    for name, when_tag, when_value in (
        ("reject_reason", "verdict", "reject"),
        ("corrected_answer", "answer_check", "wrong"),
    ):
        view = root.find(f".//View[@whenTagName='{when_tag}'][@whenChoiceValue='{when_value}']")
        assert view is not None and view.get("visibleWhen") == "choice-selected"
        choices = view.find(f"Choices[@name='{name}']")
        assert choices is not None and choices.get("required") == "true"
    text = ET.fromstring(render_config(ReviewKind.TEXT))
    assert text.find(".//Choices[@name='reject_reason']").get("required") == "true"


def test_edit_boxes_are_per_field_and_pre_filled_from_the_task() -> None:
    xml = render_config(ReviewKind.MCQ)
    root = ET.fromstring(xml)
    view = root.find(".//View[@whenChoiceValue='accept_with_edits']")
    boxes = {t.get("name"): t.get("value") for t in view.iter("TextArea")}
    assert boxes == {
        "edit_context": "$edit_context[{{i}}]",
        "edit_question": "$edit_question[{{i}}]",
        "edit_option_{{i}}": "$edit_options[{{i}}].text",
        "edit_explanation": "$edit_explanation[{{i}}]",
    }
    assert 'name="edited_text"' not in xml  # the old whole-text box is gone
    text_boxes = {
        t.get("name") for t in ET.fromstring(render_config(ReviewKind.TEXT)).iter("TextArea")
    }
    assert {"edit_context", "edit_turn_{{i}}", "edit_answer_text"} <= text_boxes

    row = make_item("k1") | {"explanation": "心梗典型表现为胸痛。"}
    data = task_of(row)["data"]
    assert data["edit_question"] == [row["question"]]
    assert data["edit_options"][1] == {"heading": "B", "text": "头痛"}
    assert data["edit_explanation"] == ["心梗典型表现为胸痛。"]
    assert data["edit_context"] == []  # the item has none: no box is drawn
    assert data["answer_options"][0] == {"value": "A. 胸痛", "alias": "A"}
    turns = [("患者", "头痛三天。"), ("医生", "发烧吗？")]
    dialogue = make_item("d1", kind="dialogue", context="…", turns=turns) | {"context": None}
    turns = task_of(dialogue)["data"]["edit_turns"]
    assert turns == [
        {"heading": "1 · 患者", "text": "头痛三天。"},
        {"heading": "2 · 医生", "text": "发烧吗？"},
    ]
    assert task_of(dialogue)["data"]["edit_context"] == []


def test_reject_reasons_follow_the_kind_of_item() -> None:
    def offered(row: dict) -> list[str]:
        return [c["alias"] for c in task_of(row)["data"]["reject_reasons"]]

    record = make_item("r1", kind="record", context="患者男，61岁，反复胸闷两年。")
    dialogue = make_item("d1", kind="dialogue", context="患者：头痛。", turns=[("患者", "头痛。")])
    assert "answer_key_wrong" in offered(make_item("k1"))
    for row in (record, dialogue):
        assert "answer_key_wrong" not in offered(row)
        assert {"residual_phi", "incomplete"} <= set(offered(row))
    assert "unsafe_advice" in offered(dialogue)
    labels = {c["alias"]: c["value"] for c in task_of(record)["data"]["reject_reasons"]}
    assert labels["residual_phi"] == "Residual PHI 仍含隐私信息"


def test_instructions_are_html_not_markdown() -> None:
    html = instructions()
    assert "<h1>" in html and "<ol>" in html and "<strong>" in html
    assert html.startswith("<style>")  # Label Studio keeps a <style> element, not style=""
    assert "**" not in html and "\n1. " not in html
    first = html.split("<li>")[1].split("</li>")[0]
    assert "\n" not in first  # a wrapped source line is one sentence, not a line break
    assert "请选中并标注类别" in html


def test_instructions_escape_raw_html(tmp_path: Path) -> None:
    (tmp_path / "annotation_configs").mkdir()
    (tmp_path / "annotation_configs" / "instructions.md").write_text(
        "Read *this*.\n<script>alert(1)</script>\n", encoding="utf-8"
    )
    html = instructions(tmp_path)
    assert "<em>this</em>" in html and "<script>" not in html


def task_of(row: dict) -> dict:
    """The review task of a row, named by its public id under the test salt."""
    return build_task(row, TAXONOMY, public_ids([row])[row["item_id"]])


def snapshot_doc(
    tasks: dict[str, list[ReviewLabels]], rows: dict[str, dict], role: str = "review"
) -> dict:
    out = []
    for item_id, labels in tasks.items():
        data = task_of(rows[item_id])["data"]
        entries = []
        for n, label in enumerate(labels):
            entry = {k: v for k, v in asdict(label).items() if v not in (None, (), [])}
            entries.append(entry | {"annotation_id": n + 1})
        out.append(
            {
                "item_id": data["item_id"],  # the public id, as the server holds it
                "task_id": 1,
                "task_hash": data["task_hash"],
                "text_hash": data["text_hash"],
                "annotations": entries,
            }
        )
    project = {"role": role, "kind": "mcq", "project_id": 1, "tasks": out}
    return {"format": FORMAT, "snapshot": 1, "projects": [project]}


def test_merge_applies_decisions_and_accounts_for_every_item(tmp_path: Path) -> None:
    rows = [make_item(f"k{n}") for n in range(5)]
    by_id = {r["item_id"]: r for r in rows}
    ids = [r["item_id"] for r in rows]
    text = compose(rows[3]).text
    start = text.index("胸痛")

    def ok(who: str, **more) -> ReviewLabels:
        fields = {"verdict": "accept", "specialty": "03.04", "answer_check": "correct"}
        return ReviewLabels(annotator=who, **(fields | more))

    reviews = {
        ids[0]: [ok("a"), ok("b")],  # unanimous accept
        ids[1]: [
            ReviewLabels("a", "reject", ("ambiguous",)),
            ReviewLabels("b", "reject", ("factually_wrong",)),
        ],  # rejected
        ids[2]: [
            ok("a", answer_check="wrong", corrected_answer=("B",)),
            ok("b", answer_check="wrong", corrected_answer=("B",)),
        ],  # key corrected
        ids[3]: [ok("a", phi=((start, start + 2, "NAME"),)), ok("b")],  # PHI marked
        # ids[4]: never reviewed → pending
    }
    paths = review_project(tmp_path, rows)
    paths.review_snapshot.parent.mkdir(parents=True)
    paths.review_snapshot.write_text(json.dumps(snapshot_doc(reviews, by_id)), encoding="utf-8")
    report = run_merge(paths, load_params(paths.params_file).review)

    assert (report.rows_in, report.kept, report.quarantined) == (5, 4, 1)
    assert report.quarantined_by_reason == {"review_rejected": 1}
    assert report.details["by_status"] == {"final": 4, "pending": 1}
    kept = {r["item_id"]: r for r in pl.read_parquet(paths.reviewed).iter_rows(named=True)}
    assert kept[ids[0]]["review"]["resolution"] == "unanimous"
    assert [x["annotator"] for x in kept[ids[0]]["review"]["labels"]] == ["a", "b"]
    assert kept[ids[2]]["answer_labels"] == ["B"]
    assert kept[ids[3]]["options"][0]["text"] == "[姓名]"
    assert kept[ids[4]]["review"]["status"] == "pending"
    quarantine = pl.read_parquet(paths.quarantine("review", "curated"))
    assert quarantine["item_id"].to_list() == [ids[1]]
    assert "ambiguous, factually_wrong" in quarantine["detail"][0]


def test_phi_marked_on_an_older_text_quarantines_the_item(tmp_path: Path) -> None:
    old = make_item("k1")
    new = make_item("k1", question="另一个题干？")
    mark = ReviewLabels(
        "a", "accept", specialty="03.04", answer_check="correct", phi=((0, 2, "NAME"),)
    )
    paths = review_project(tmp_path, [new])
    paths.review_snapshot.parent.mkdir(parents=True)
    doc = snapshot_doc({old["item_id"]: [mark, mark]}, {old["item_id"]: old})
    paths.review_snapshot.write_text(json.dumps(doc), encoding="utf-8")
    report = run_merge(paths, load_params(paths.params_file).review)
    assert report.quarantined_by_reason == {"review_phi_unmapped": 1}


def test_an_edit_passes_the_de_identifier_before_it_joins_the_item(tmp_path: Path) -> None:
    """A physician who types a patient's phone or name into an edit does not leak it: what
    the item did not already hold is masked; what it held (a surrogate, a look-alike) stays."""
    row = make_item("k1", question="患者陈志强，男，62岁。下列哪项是急性心肌梗死最常见的症状？")
    edit = "患者陈志强，联系电话13812345678，由其女儿王丽华陪同。下列哪项是最常见的症状？"
    fields = {"verdict": "accept_with_edits", "specialty": "03.04", "answer_check": "correct"}
    reviews = {row["item_id"]: [ReviewLabels(who, edited_text=edit, **fields) for who in "ab"]}
    paths = review_project(tmp_path, [row])
    paths.review_snapshot.parent.mkdir(parents=True)
    doc = snapshot_doc(reviews, {row["item_id"]: row})
    paths.review_snapshot.write_text(json.dumps(doc), encoding="utf-8")
    report = run_merge(paths, load_params(paths.params_file).review)

    assert report.details["changes"] == {"edit_phi_masked": 2, "edited": 1}
    kept = pl.read_parquet(paths.reviewed).row(0, named=True)
    screened = "患者陈志强，联系电话[电话]，由其女儿[姓名]陪同。下列哪项是最常见的症状？"
    assert kept["question"] == screened
    assert "13812345678" not in json.dumps(report.details, ensure_ascii=False)


def merged(tmp_path: Path, rows: list[dict], reviews: dict, kind: str = "mcq", shown=None):
    """Merge a snapshot of `reviews` (item_id → labels) into `rows`; (report, kept by id).
    `shown`: item_id → the row as the physicians saw it (default: the row itself)."""
    by_id = {r["item_id"]: r for r in rows} | (shown or {})
    paths = review_project(tmp_path, rows)
    paths.review_snapshot.parent.mkdir(parents=True, exist_ok=True)
    doc = snapshot_doc(reviews, by_id)
    doc["projects"][0]["kind"] = kind
    paths.review_snapshot.write_text(json.dumps(doc), encoding="utf-8")
    report = run_merge(paths, load_params(paths.params_file).review)
    kept = {r["item_id"]: r for r in pl.read_parquet(paths.reviewed).iter_rows(named=True)}
    return report, kept


def prefilled(row: dict, **changed: str) -> tuple[tuple[str, str], ...]:
    """Every edit box of a row as submitted: its pre-filled text, or the changed one."""
    layout = compose(row)
    return tuple(
        sorted((name, changed.get(name, field_text(row, name))) for name, *_ in layout.fields)
    )


def test_per_field_edits_change_only_their_field_and_pass_the_de_identifier(
    tmp_path: Path,
) -> None:
    row = make_item("k1") | {"explanation": "急性心梗典型表现为胸痛。"}
    fields = {"verdict": "accept_with_edits", "specialty": "03.04", "answer_check": "correct"}
    option = prefilled(row, **{"options.1": "偏头痛"})  # a wrong option text corrected
    explanation = prefilled(
        row, explanation="急性心梗典型表现为胸痛，可致电13812345678咨询。"
    )  # a phone typed in
    reviews = {
        row["item_id"]: [
            ReviewLabels("a", edits=option, **fields),
            ReviewLabels("b", edits=explanation, **fields),
        ]
    }
    report, kept = merged(tmp_path, [row], reviews)
    item = kept[row["item_id"]]
    assert item["question"] == row["question"]  # untouched boxes change nothing
    assert [o["text"] for o in item["options"]] == ["胸痛", "偏头痛", "腹泻", "皮疹"]
    assert item["explanation"] == "急性心梗典型表现为胸痛，可致电[电话]咨询。"
    assert report.details["changes"] == {"edit_phi_masked": 1, "edited": 1, "field_edited": 2}
    assert item["review"]["status"] == "final"
    assert [x["edited"] for x in item["review"]["labels"]] == [True, True]


def test_different_edits_of_one_field_go_to_adjudication(tmp_path: Path) -> None:
    row = make_item("k1")
    fields = {"verdict": "accept_with_edits", "specialty": "03.04", "answer_check": "correct"}
    reviews = {
        row["item_id"]: [
            ReviewLabels("a", edits=prefilled(row, **{"options.1": "偏头痛"}), **fields),
            ReviewLabels("b", edits=prefilled(row, **{"options.1": "紧张性头痛"}), **fields),
        ]
    }
    _, kept = merged(tmp_path, [row], reviews)
    review = kept[row["item_id"]]["review"]
    assert review["status"] == "needs_adjudication"
    assert review["disagreements"] == ["edit:options.1"]
    assert kept[row["item_id"]]["options"][1]["text"] == "头痛"  # nothing applied yet


def test_a_dialogue_turn_is_edited_where_it_stands(tmp_path: Path) -> None:
    turns = [("患者", "我头痛三天。"), ("医生", "发烧吗？")]
    row = make_item("d1", kind="dialogue", context="…", turns=turns)
    row = row | {"context": None}
    fields = {"verdict": "accept_with_edits", "specialty": "03.04"}
    edits = prefilled(row, **{"turns.1": "发烧吗？体温多少？"})
    reviews = {row["item_id"]: [ReviewLabels(who, edits=edits, **fields) for who in "ab"]}
    _, kept = merged(tmp_path, [row], reviews, kind="text")
    assert [t["text"] for t in kept[row["item_id"]]["turns"]] == [
        "我头痛三天。",
        "发烧吗？体温多少？",
    ]
    assert [t["speaker"] for t in kept[row["item_id"]]["turns"]] == ["患者", "医生"]


def test_a_value_marked_as_phi_does_not_come_back_through_an_edit(tmp_path: Path) -> None:
    """The edit box was pre-filled before the physician marked an identifier the detector
    misses (a bed number): the edit still holds it, and the merge masks it there too."""
    row = make_item("k1", question="患者住12床，男，62岁。下列哪项是最常见的症状？")
    start = compose(row).text.index("12床")
    fields = {"verdict": "accept_with_edits", "specialty": "03.04", "answer_check": "correct"}
    edits = prefilled(row, question="患者住12床，男，62岁，胸闷2小时。下列哪项是最常见的症状？")
    reviews = {
        row["item_id"]: [
            ReviewLabels("a", edits=edits, phi=((start, start + 3, "ID"),), **fields),
            ReviewLabels("b", edits=edits, **fields),
        ]
    }
    report, kept = merged(tmp_path, [row], reviews)
    question = kept[row["item_id"]]["question"]
    assert question == "患者住[编号]，男，62岁，胸闷2小时。下列哪项是最常见的症状？"
    assert "12床" not in json.dumps(kept[row["item_id"]], ensure_ascii=False)
    changes = {"edit_phi_masked": 1, "edited": 1, "field_edited": 1, "phi_masked": 1}
    assert report.details["changes"] == changes


def test_edits_made_on_an_older_text_are_not_applied(tmp_path: Path) -> None:
    old = make_item("k1")
    new = make_item("k1", options=[("A", "胸痛"), ("B", "心悸"), ("C", "腹泻"), ("D", "皮疹")])
    fields = {"verdict": "accept_with_edits", "specialty": "03.04", "answer_check": "correct"}
    edits = prefilled(old, question="急性心肌梗死最常见的症状是？")
    reviews = {old["item_id"]: [ReviewLabels(who, edits=edits, **fields) for who in "ab"]}
    _, kept = merged(tmp_path, [new], reviews, shown={old["item_id"]: old})
    item = kept[new["item_id"]]
    assert item["review"]["status"] == "needs_adjudication"
    assert item["review"]["disagreements"] == ["edits_on_changed_text"]
    assert item["options"][1]["text"] == "心悸" and item["question"] == new["question"]


def test_incomplete_annotations_never_become_an_answer_or_a_rejection(tmp_path: Path) -> None:
    """Made through the API or an older config: a key marked wrong without the correct answer,
    a rejection without a reason. They decide nothing: adjudication, saying what is missing."""
    rows = [make_item("k1"), make_item("k2"), make_item("k3")]
    ids = [r["item_id"] for r in rows]
    ok = {"verdict": "accept", "specialty": "03.04", "answer_check": "correct"}
    reviews = {
        ids[0]: [ReviewLabels("a", **ok | {"answer_check": "wrong"}), ReviewLabels("b", **ok)],
        ids[1]: [ReviewLabels("a", "reject"), ReviewLabels("b", "reject")],
        ids[2]: [ReviewLabels("a", specialty="03.04"), ReviewLabels("b", **ok)],  # no verdict
    }
    report, kept = merged(tmp_path, rows, reviews)
    assert report.quarantined == 0  # a rejection without a reason is not a rejection yet
    assert report.details["by_status"] == {"needs_adjudication": 3}
    review = [kept[i]["review"] for i in ids]
    assert review[0]["disagreements"] == ["incomplete:corrected_answer"]
    assert review[1]["disagreements"] == ["incomplete:reject_reason"]
    assert review[2]["disagreements"] == ["incomplete:verdict"]
    assert review[0]["answer_labels"] == [] and kept[ids[0]]["answer_labels"] == ["A"]
    assert all("?" not in x["answer_labels"] for x in review[0]["labels"])


def test_a_corrected_answer_that_is_no_option_is_not_applied(tmp_path: Path) -> None:
    row = make_item("k1")  # options A-D; an older config offered A-J
    wrong = {"verdict": "accept", "specialty": "03.04", "answer_check": "wrong"}
    reviews = {row["item_id"]: [ReviewLabels(w, corrected_answer=("E",), **wrong) for w in "ab"]}
    _, kept = merged(tmp_path, [row], reviews)
    review = kept[row["item_id"]]["review"]
    assert review["status"] == "needs_adjudication"
    assert review["disagreements"] == ["answer_not_an_option"]
    assert kept[row["item_id"]]["answer_labels"] == ["A"]
