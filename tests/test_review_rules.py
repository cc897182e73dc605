"""Decision rules: pending, unanimous, majority, adjudication, rejection, edits, PHI."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from curation.review.labels import ReviewLabels, parse_result, to_result
from curation.review.rules import Decisive, Resolution, ReviewConfig, Status, decide

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
