"""Review tasks (layout, pre-annotations, hashes) and the merge stage, without a server."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import polars as pl

from curation.commands.review import run_merge
from curation.params import load_params
from curation.review.configs import ALL_PROJECTS, ReviewKind, Role, render_config
from curation.review.labels import ReviewLabels
from curation.review.snapshot import FORMAT
from curation.review.tasks import build_task, compose, from_utf16, to_utf16
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
    assert specialty["value"]["choices"] == ["03.04"]  # pre-selected for the physician
    assert task["predictions"][0]["model_version"] == "specialty_lexicon_v1+medcurate-deid-test"
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
