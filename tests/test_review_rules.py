"""Decision rules: pending, unanimous, majority, adjudication, rejection, edits, PHI."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from curation.review.labels import ReviewLabels, parse_result, to_result
from curation.review.rules import Decisive, Resolution, ReviewConfig, Status, decide
from curation.review.tasks import build_task, compose, edit_fields
from curation.taxonomy import load_taxonomy
from tests.review_fixtures import make_item

KEY = ["A"]


def r(
    who: str, verdict: str = "accept", specialty: str = "03.04", check: str = "correct", **more
) -> ReviewLabels:
    return ReviewLabels(
        annotator=who, verdict=verdict, specialty=specialty, answer_check=check, **more
    )


def test_too_few_reviews_is_pending() -> None:
    d = decide([r("a")], [], KEY, ReviewConfig())
    assert d.status == Status.PENDING and d.verdict is None


def test_two_agreeing_reviews_are_final_and_unanimous() -> None:
    d = decide([r("a", difficulty=2), r("b", difficulty=4)], [], KEY, ReviewConfig())
    assert d.status == Status.FINAL and d.resolution == Resolution.UNANIMOUS
    assert (d.verdict, d.specialty, d.answer) == ("accept", "03.04", ("A",))
    assert d.difficulty == 2  # not decisive: the lower median


def test_two_disagreeing_reviews_need_adjudication() -> None:
    d = decide([r("a"), r("b", specialty="03.01")], [], KEY, ReviewConfig())
    assert d.status == Status.NEEDS_ADJUDICATION and d.disagreements == ("specialty",)


def test_majority_of_three_decides() -> None:
    config = ReviewConfig(overlap=3, required_reviews=3)
    d = decide([r("a"), r("b"), r("c", specialty="03.01")], [], KEY, config)
    assert d.status == Status.FINAL and d.resolution == Resolution.MAJORITY
    assert d.specialty == "03.04"


def test_a_stricter_majority_sends_two_of_three_to_adjudication() -> None:
    config = ReviewConfig(overlap=3, required_reviews=3, majority=0.7)
    d = decide([r("a"), r("b"), r("c", specialty="03.01")], [], KEY, config)
    assert d.status == Status.NEEDS_ADJUDICATION


def test_fields_that_are_not_decisive_do_not_block() -> None:
    config = ReviewConfig(decisive_fields=[Decisive.VERDICT])
    d = decide([r("a"), r("b", specialty="03.01")], [], KEY, config)
    assert d.status == Status.FINAL and d.specialty == "03.04"  # the first most common value


def test_unanimous_rejection_settles_and_collects_reasons() -> None:
    d = decide(
        [
            r("a", "reject", specialty="03.01", reject_reasons=("ambiguous",)),
            r("b", "reject", reject_reasons=("answer_key_wrong", "ambiguous")),
        ],
        [],
        KEY,
        ReviewConfig(),
    )
    assert d.status == Status.FINAL and d.verdict == "reject"
    assert d.reject_reasons == ("ambiguous", "answer_key_wrong")


def test_corrected_answer_needs_agreement() -> None:
    same = decide(
        [
            r("a", check="wrong", corrected_answer=("B",)),
            r("b", check="wrong", corrected_answer=("B",)),
        ],
        [],
        KEY,
        ReviewConfig(),
    )
    assert same.status == Status.FINAL and same.answer == ("B",)
    split = decide(
        [r("a"), r("b", check="wrong", corrected_answer=("B",))], [], KEY, ReviewConfig()
    )
    assert split.status == Status.NEEDS_ADJUDICATION and split.disagreements == ("answer",)


def test_the_adjudicator_is_final_and_fills_gaps_from_the_reviews() -> None:
    reviews = [r("a"), r("b", "reject", reject_reasons=("ambiguous",))]
    senior = ReviewLabels(annotator="s", verdict="accept", specialty="03.01")
    d = decide(reviews, [senior], KEY, ReviewConfig())
    assert d.status == Status.FINAL and d.resolution == Resolution.ADJUDICATED
    assert (d.verdict, d.specialty, d.answer) == ("accept", "03.01", ("A",))


def test_conflicting_edits_need_adjudication() -> None:
    d = decide(
        [
            r("a", "accept_with_edits", edited_text="x"),
            r("b", "accept_with_edits", edited_text="y"),
        ],
        [],
        KEY,
        ReviewConfig(),
    )
    assert d.status == Status.NEEDS_ADJUDICATION and "edited_text" in d.disagreements
    same = decide(
        [r("a", "accept_with_edits", edited_text="x"), r("b", "accept_with_edits")],
        [],
        KEY,
        ReviewConfig(),
    )
    assert same.status == Status.FINAL and same.edited_text == "x"


def test_phi_marked_by_anyone_is_kept_even_when_pending() -> None:
    d = decide([r("a", phi=((3, 5, "NAME"),))], [], KEY, ReviewConfig())
    assert d.status == Status.PENDING and d.phi == ((3, 5, "NAME"),)


def test_unreachable_rules_are_refused() -> None:
    with pytest.raises(ValidationError, match="required_reviews"):
        ReviewConfig(overlap=2, required_reviews=3)


def test_labels_round_trip_through_label_studio_results() -> None:
    text = "患者𠀀张三，男。"  # an astral character before the span: UTF-16 offsets differ
    labels = ReviewLabels(
        annotator="a",
        verdict="reject",
        reject_reasons=("ambiguous", "residual_phi"),
        specialty="03.04",
        answer_check="wrong",
        corrected_answer=("B", "C"),
        difficulty=4,
        edited_text="新题干",
        comment="见备注",
        phi=((3, 5, "NAME"),),
    )
    result = to_result(labels, text)
    phi = next(x for x in result if x["from_name"] == "phi")
    assert (phi["value"]["start"], phi["value"]["end"]) == (4, 6)  # UTF-16 code units
    assert phi["value"]["text"] == "张三"
    assert parse_result("a", result, text) == labels


def test_a_key_marked_wrong_without_a_correction_is_no_answer() -> None:
    assert r("a", check="wrong").answer(KEY) is None  # never ('?',)
    assert r("a", check="wrong").missing == ("corrected_answer",)
    assert r("a", "reject").missing == ("reject_reason",)
    assert ReviewLabels("a").missing == ("verdict",)
    assert r("a", "reject", reject_reasons=("ambiguous",)).missing == ()
    rejected = r("a", "reject", check="wrong", reject_reasons=("answer_key_wrong",))
    assert rejected.missing == ()  # a rejection needs no corrected answer


def test_incomplete_reviews_go_to_adjudication_saying_what_is_missing() -> None:
    d = decide([r("a"), r("b", check="wrong")], [], KEY, ReviewConfig())
    assert d.status == Status.NEEDS_ADJUDICATION and d.answer is None
    assert d.disagreements == ("incomplete:corrected_answer",)
    both = decide([r("a", "reject"), r("b", "reject")], [], KEY, ReviewConfig())
    assert both.status == Status.NEEDS_ADJUDICATION and both.verdict is None
    assert both.disagreements == ("incomplete:reject_reason",)
    waiting = decide([r("a", "reject")], [], KEY, ReviewConfig())
    assert waiting.status == Status.PENDING
    assert waiting.disagreements == ("incomplete:reject_reason",)


def test_an_incomplete_adjudication_decides_nothing() -> None:
    reviews = [r("a"), r("b", specialty="03.01")]
    senior = ReviewLabels(annotator="s", verdict="accept", answer_check="wrong")
    d = decide(reviews, [senior], KEY, ReviewConfig())
    assert d.status == Status.NEEDS_ADJUDICATION
    assert d.disagreements == ("incomplete:corrected_answer",)
    done = ReviewLabels("s", "accept", answer_check="wrong", corrected_answer=("C",))
    assert decide(reviews, [senior, done], KEY, ReviewConfig()).answer == ("C",)


def test_per_field_edits_add_up_unless_they_differ() -> None:
    edit = "accept_with_edits"
    d = decide(
        [
            r("a", edit, edits=(("options.1", "偏头痛"),)),
            r("b", edit, edits=(("explanation", "新解析"), ("options.1", "偏头痛 "))),
        ],
        [],
        KEY,
        ReviewConfig(),
    )
    assert d.status == Status.FINAL
    assert d.edits == (("explanation", "新解析"), ("options.1", "偏头痛"))
    split_reviews = [
        r("a", edit, edits=(("question", "x"),)),
        r("b", edit, edits=(("question", "y"),)),
    ]
    split = decide(split_reviews, [], KEY, ReviewConfig())
    assert split.status == Status.NEEDS_ADJUDICATION and split.disagreements == ("edit:question",)
    mixed = decide(
        [r("a", edit, edited_text="整段"), r("b", edit, edits=(("question", "y"),))],
        [],
        KEY,
        ReviewConfig(),
    )
    assert mixed.disagreements == ("edited_text",)
    senior = ReviewLabels("s", edit, specialty="03.04", edits=(("question", "z"),))
    settled = decide(split_reviews, [senior], KEY, ReviewConfig())  # the senior's edits count
    assert settled.resolution == Resolution.ADJUDICATED and settled.edits == (("question", "z"),)


def test_edit_boxes_and_the_specialty_tree_are_read_back() -> None:
    text = "下列哪项？\n\nA. 胸痛\nB. 头痛"
    result = [
        {"from_name": "verdict", "type": "choices", "value": {"choices": ["accept_with_edits"]}},
        {"from_name": "specialty", "type": "taxonomy", "value": {"taxonomy": [["03", "03.04"]]}},
        {"from_name": "edit_question", "type": "textarea", "value": {"text": ["下列哪项？"]}},
        {"from_name": "edit_option_0", "type": "textarea", "value": {"text": ["胸痛"]}},
        {"from_name": "edit_option_1", "type": "textarea", "value": {"text": ["偏头痛\n"]}},
        {"from_name": "comment", "type": "textarea", "value": {"text": ["见备注"]}},
    ]
    labels = parse_result("a", result, text)
    assert labels.specialty == "03.04" and labels.comment == "见备注"
    assert labels.edits == (
        ("options.0", "胸痛"),
        ("options.1", "偏头痛"),
        ("question", "下列哪项？"),
    )
    shown = {"question": "下列哪项？", "options.0": "胸痛", "options.1": "头痛"}
    assert labels.changed_edits(shown) == (("options.1", "偏头痛"),)
    assert parse_result("a", result, text, fields=shown).edits == (("options.1", "偏头痛"),)
    old = [{"from_name": "specialty", "type": "choices", "value": {"choices": ["03.01"]}}]
    assert parse_result("a", old, text).specialty == "03.01"  # older configs' plain choices
    again = ReviewLabels("a", edits=[["question", "x"]])  # as read back from JSON
    assert again.edits == (("question", "x"),)
    accepted = [{**result[0], "value": {"choices": ["accept"]}}, *result[1:]]
    assert parse_result("a", accepted, text).edits == ()  # boxes count only with edits


def test_the_pre_filled_texts_are_read_from_the_task() -> None:
    row = make_item("k1") | {"explanation": "解析"}
    data = build_task(row, load_taxonomy(), "pub1")["data"]
    fields = edit_fields(data)
    assert fields == {
        "question": row["question"],
        "options.0": "胸痛",
        "options.1": "头痛",
        "options.2": "腹泻",
        "options.3": "皮疹",
        "explanation": "解析",
    }
    assert {name for name, *_ in compose(row).fields} == set(fields)


def test_edits_round_trip_through_label_studio_results() -> None:
    labels = ReviewLabels(
        annotator="a",
        verdict="accept_with_edits",
        specialty="03.02.x1",
        edits=(("options.2", "腹泻"), ("question", "新题干"), ("turns.3", "发烧吗？")),
    )
    result = to_result(labels, "")
    names = {x["from_name"] for x in result}
    assert {"edit_option_2", "edit_question", "edit_turn_3"} <= names
    tree = next(x for x in result if x["from_name"] == "specialty")
    assert tree["value"]["taxonomy"] == [["03", "03.02", "03.02.x1"]]
    assert parse_result("a", result, "") == labels
