"""CMExam's medical discipline and area of competency: the code lists, source labels as
pre-annotations, the review screen, label parsing, the merge's majority, agreement, the released
columns and the dataset card."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import polars as pl
import pytest

from curation.commands.review import ratings_from, run_merge
from curation.contracts import EXAM_ANNOTATIONS, shipped_path
from curation.errors import ConfigError
from curation.exam_annotations import (
    EXAM_FIELDS,
    load_exam_annotations,
    normal_key,
    project_exam_annotations,
)
from curation.params import load_params
from curation.release.card import (
    CODE_LISTS,
    COLUMNS,
    code_lists,
    exam_annotation_section,
    render_card,
)
from curation.release.public import PUBLIC_COLUMNS, public_frame
from curation.review.agreement import FIELDS, agreement_report
from curation.review.configs import ReviewKind, readable, render_config
from curation.review.labels import ReviewLabels, parse_result, to_result
from curation.review.rules import Decisive, Resolution, ReviewConfig, Status, decide
from curation.review.simulate import (
    SENIOR,
    Simulation,
    adjudicator_labels,
    plausible_exam_labels,
    reviewer_labels,
)
from curation.review.snapshot import labels_of
from curation.review.tasks import build_task
from curation.taxonomy import load_taxonomy
from tests.review_fixtures import accepted, items_frame, make_item, public_ids, review_project
from tests.test_review_tasks import snapshot_doc

EXAMS = load_exam_annotations()
TAXONOMY = load_taxonomy()
KEY = ["A"]

# CMExam's own values (columns "Medical Discipline" and "Area of Competency")
CMEXAM_DISCIPLINES = {
    "临床医学": "clinical_medicine",
    "中药学": "chinese_materia_medica",
    "药学": "pharmacy",
    "公卫预防": "public_health",
    "口腔医学": "stomatology",
    "中西医结合": "integrated_tcm_western",
    "中医学": "tcm",
}
CMEXAM_COMPETENCIES = {
    "医学基础知识": "basic_knowledge",
    "疾病诊断和鉴别诊断": "diagnosis",
    "疾病治疗": "treatment",
    "公卫法律伦理": "public_health_law_ethics",
    "N/A": "na",
}


# ------------------------------------------------------------------------------ code lists
def test_cmexam_values_map_onto_every_code() -> None:
    assert {v: EXAMS.code_of("discipline", v) for v in CMEXAM_DISCIPLINES} == CMEXAM_DISCIPLINES
    assert {v: EXAMS.code_of("competency", v) for v in CMEXAM_COMPETENCIES} == CMEXAM_COMPETENCIES
    assert EXAMS.codes("discipline") == list(CMEXAM_DISCIPLINES.values())
    assert EXAMS.codes("competency") == list(CMEXAM_COMPETENCIES.values())
    for name in EXAM_FIELDS:
        for entry in EXAMS.entries(name):
            assert entry.code.isascii() and entry.zh and entry.en
            assert EXAMS.code_of(name, entry.code) == entry.code  # a code reads as itself


@pytest.mark.parametrize(
    ("name", "written", "code"),
    [
        ("discipline", " 临床医学 ", "clinical_medicine"),
        ("discipline", "临床\u3000医学", "clinical_medicine"),  # ideographic space
        ("discipline", "中西医结合\n", "integrated_tcm_western"),
        ("discipline", "Clinical Medicine", "clinical_medicine"),
        ("discipline", "CLINICAL  medicine", "clinical_medicine"),
        ("discipline", "Traditional Chinese Medicine", "tcm"),
        ("discipline", "TCM", "tcm"),
        ("discipline", "Chinese Materia Medica", "chinese_materia_medica"),
        ("discipline", "Stomatology 口腔医学", "stomatology"),  # as the review screen shows it
        ("competency", "Ｎ／Ａ", "na"),  # full-width
        ("competency", "n/a", "na"),
        ("competency", "N / A", "na"),
        ("competency", "疾病诊断与鉴别诊断", "diagnosis"),
        ("competency", "疾病诊断 和 鉴别诊断", "diagnosis"),
        ("competency", "Public Health, Law & Ethics", "public_health_law_ethics"),
        ("competency", "public_health_law_ethics", "public_health_law_ethics"),
        ("competency", "Medical Fundamentals", "basic_knowledge"),
    ],
)
def test_variants_of_a_value_map_onto_its_code(name: str, written: str, code: str) -> None:
    assert EXAMS.code_of(name, written) == code


def test_unknown_values_map_onto_nothing() -> None:
    for name, value in [
        ("discipline", "护理学"),
        ("discipline", "diagnosis"),  # a competency is no discipline
        ("competency", "临床医学"),
        ("competency", ""),
        ("competency", None),
    ]:
        assert EXAMS.code_of(name, value) is None
    assert normal_key("Ｎ／Ａ") == normal_key("n/a") == "na"
    with pytest.raises(KeyError, match="unknown exam annotation"):
        EXAMS.codes("department")


def test_a_project_may_extend_the_aliases_and_errors_name_both_codes(tmp_path: Path) -> None:
    shipped = shipped_path(EXAM_ANNOTATIONS).read_text(encoding="utf-8")
    own = tmp_path / EXAM_ANNOTATIONS
    own.parent.mkdir(parents=True)
    own.write_text(shipped.replace("aliases: [口腔, ", "aliases: [口腔科学, 口腔, "), "utf-8")
    assert project_exam_annotations(tmp_path).code_of("discipline", "口腔科学") == "stomatology"
    assert project_exam_annotations(None).code_of("discipline", "口腔科学") is None

    clash = tmp_path / "clash.yaml"
    clash.write_text(shipped.replace("aliases: [中医, TCM]", "aliases: [中医, 药学]"), "utf-8")
    with pytest.raises(ConfigError, match="'药学' would read as both pharmacy and tcm"):
        load_exam_annotations(clash)
    bad = tmp_path / "bad.yaml"
    bad.write_text(shipped.replace("code: tcm", "code: TCM-2"), "utf-8")
    with pytest.raises(ConfigError, match="'TCM-2' is not lowercase ASCII"):
        load_exam_annotations(bad)


# ------------------------------------------------------------------- screen and pre-annotations
def test_the_mcq_screen_offers_one_choice_of_each_list() -> None:
    root = ET.fromstring(render_config(ReviewKind.MCQ))
    for name in EXAM_FIELDS:
        (choices,) = [c for c in root.iter("Choices") if c.get("name") == name]
        assert choices.get("choice") == "single-radio" and choices.get("toName") == "text"
        options = {c.get("alias"): c.get("value") for c in choices.iter("Choice")}
        assert list(options) == EXAMS.codes(name)
        for entry in EXAMS.entries(name):  # bilingual, like every other label
            assert options[entry.code] == f"{entry.en} {entry.zh}"
    text = ET.fromstring(render_config(ReviewKind.TEXT))
    assert not [c for c in text.iter("Choices") if c.get("name") in EXAM_FIELDS]


def test_source_labels_pre_fill_the_mcq_review() -> None:
    row = make_item("p1", labels={"discipline": "口腔医学", "competency": "疾病治疗"})
    task = build_task(row, TAXONOMY, "pub1")
    assert (task["data"]["discipline_code"], task["data"]["competency_code"]) == (
        "stomatology",
        "treatment",
    )
    chosen = {
        r["from_name"]: r["value"]["choices"]
        for r in task["predictions"][0]["result"]
        if r["type"] == "choices"
    }
    assert chosen == {"discipline": ["stomatology"], "competency": ["treatment"]}

    unknown = build_task(make_item("p2", labels={"discipline": "护理学"}), TAXONOMY, "pub2")
    assert "discipline_code" not in unknown["data"]
    assert all(r["from_name"] == "specialty" for r in unknown["predictions"][0]["result"])
    plain = build_task(make_item("p3"), TAXONOMY, "pub3")["data"]  # tasks without: as before
    assert not {"discipline_code", "competency_code"} & set(plain)
    record = make_item(
        "r1", kind="record", context="患者女，45岁，咳嗽三周。", labels={"discipline": "临床医学"}
    )
    assert "discipline_code" not in build_task(record, TAXONOMY, "pub4")["data"]


# ---------------------------------------------------------------------------- label parsing
def test_label_studio_results_with_both_choices_are_read_as_codes() -> None:
    result = [
        {"from_name": "verdict", "type": "choices", "value": {"choices": ["accept"]}},
        {"from_name": "discipline", "type": "choices", "value": {"choices": ["tcm"]}},
        {"from_name": "competency", "type": "choices", "value": {"choices": ["diagnosis"]}},
    ]
    labels = parse_result("a", result, "题干")
    assert (labels.discipline, labels.competency, labels.missing) == ("tcm", "diagnosis", ())
    # a config whose choices carry no alias stores the shown value: read back as its code
    shown = [
        {"from_name": "discipline", "value": {"choices": ["Pharmacy 药学"]}},
        {"from_name": "competency", "value": {"choices": ["N/A"]}},
    ]
    assert (parse_result("a", shown, "").discipline, parse_result("a", shown, "").competency) == (
        "pharmacy",
        "na",
    )
    labels = ReviewLabels("a", "accept", discipline="stomatology", competency="na", difficulty=2)
    assert parse_result("a", to_result(labels, "题干"), "题干") == labels


def test_an_unknown_value_is_an_incomplete_review_not_a_silent_gap() -> None:
    result = [
        {"from_name": "verdict", "value": {"choices": ["accept"]}},
        {"from_name": "discipline", "value": {"choices": ["nursing"]}},
    ]
    labels = parse_result("a", result, "")
    assert labels.discipline == "nursing" and labels.missing == ("discipline",)
    assert ReviewLabels("a", "accept", competency="surgery").missing == ("competency",)
    assert ReviewLabels("a", "accept").missing == ()  # leaving them out is no opinion
    assert "not on the list" in readable("incomplete:discipline")
    # read back from a snapshot entry as written
    entry = {"annotator": "a", "verdict": "accept", "discipline": "tcm", "annotation_id": 3}
    assert labels_of(entry).discipline == "tcm"


# ------------------------------------------------------------------------------------ merge
def r(who: str, discipline: str | None = None, competency: str | None = None, **more):
    fields = {"verdict": "accept", "specialty": "03.04", "answer_check": "correct"}
    return ReviewLabels(who, discipline=discipline, competency=competency, **(fields | more))


def test_the_majority_decides_discipline_and_competency() -> None:
    config = ReviewConfig(overlap=3, required_reviews=3)
    d = decide(
        [r("a", "tcm", "treatment"), r("b", "tcm", "diagnosis"), r("c", "pharmacy", "treatment")],
        [],
        KEY,
        config,
    )
    assert d.status == Status.FINAL and d.resolution == Resolution.UNANIMOUS  # not decisive
    assert (d.discipline, d.competency) == ("tcm", "treatment")
    same = decide([r("a", "tcm", "na"), r("b", "tcm", "na")], [], KEY, ReviewConfig())
    assert (same.discipline, same.competency) == ("tcm", "na")
    given = decide([r("a", "tcm"), r("b")], [], KEY, ReviewConfig())  # one opinion only
    assert (given.discipline, given.competency) == ("tcm", None)


def test_they_are_decisive_only_when_configured() -> None:
    split = [r("a", "tcm", "na"), r("b", "pharmacy", "na")]
    relaxed = decide(split, [], KEY, ReviewConfig())
    assert relaxed.status == Status.FINAL and relaxed.discipline == "tcm"  # first most common
    fields = [Decisive.VERDICT, Decisive.DISCIPLINE, Decisive.COMPETENCY]
    strict = ReviewConfig(decisive_fields=fields)
    d = decide(split, [], KEY, strict)
    assert d.status == Status.NEEDS_ADJUDICATION and d.disagreements == ("discipline",)
    three = ReviewConfig(overlap=3, required_reviews=3, decisive_fields=fields)
    majority = decide([*split, r("c", "tcm", "na")], [], KEY, three)
    assert majority.resolution == Resolution.MAJORITY and majority.discipline == "tcm"
    senior = ReviewLabels("s", "accept", discipline="pharmacy")
    settled = decide(split, [senior], KEY, strict)
    assert settled.resolution == Resolution.ADJUDICATED
    assert (settled.discipline, settled.competency) == ("pharmacy", "na")  # gap from reviews


def test_unknown_codes_never_reach_a_decision() -> None:
    d = decide([r("a", "nursing"), r("b", "nursing")], [], KEY, ReviewConfig())
    assert d.status == Status.NEEDS_ADJUDICATION
    assert d.disagreements == ("incomplete:discipline",) and d.discipline is None
    # the adjudicator leaves the discipline empty: the reviews' unknown code does not fill it
    senior = ReviewLabels("s", "accept", answer_check="correct")
    settled = decide([r("a", "nursing"), r("b", "nursing")], [senior], KEY, ReviewConfig())
    assert settled.status == Status.FINAL and settled.discipline is None
    wrong = ReviewLabels("s", "accept", competency="surgery")
    assert decide([r("a"), r("b")], [wrong], KEY, ReviewConfig()).status == (
        Status.NEEDS_ADJUDICATION
    )
    rejected = decide(
        [r("a", "tcm", verdict="reject", reject_reasons=("ambiguous",))] * 2,
        [],
        KEY,
        ReviewConfig(),
    )
    assert rejected.verdict == "reject" and rejected.discipline is None


def test_the_merge_records_them_in_the_review(tmp_path: Path) -> None:
    rows = [make_item(f"m{n}") for n in range(2)]
    by_id = {row["item_id"]: row for row in rows}
    reviews = {
        rows[0]["item_id"]: [r("a", "tcm", "diagnosis"), r("b", "tcm", "diagnosis")],
        rows[1]["item_id"]: [r("a", "nursing"), r("b", "tcm")],
    }
    paths = review_project(tmp_path, rows)
    paths.review_snapshot.parent.mkdir(parents=True)
    paths.review_snapshot.write_text(json.dumps(snapshot_doc(reviews, by_id)), encoding="utf-8")
    report = run_merge(paths, load_params(paths.params_file).review)
    assert report.details["by_status"] == {"final": 1, "needs_adjudication": 1}
    kept = {x["item_id"]: x["review"] for x in pl.read_parquet(paths.reviewed).to_dicts()}
    done = kept[rows[0]["item_id"]]
    assert (done["discipline"], done["competency"]) == ("tcm", "diagnosis")
    assert [x["discipline"] for x in done["labels"]] == ["tcm", "tcm"]
    open_item = kept[rows[1]["item_id"]]
    assert open_item["discipline"] is None
    assert open_item["disagreements"] == ["incomplete:discipline"]


# -------------------------------------------------------------------------------- agreement
def test_agreement_is_computed_for_both_fields() -> None:
    assert FIELDS["discipline"] == FIELDS["competency"] == "nominal"
    rows = [make_item(f"g{n}") for n in range(6)]
    ids = [row["item_id"] for row in rows]
    disciplines = ["tcm", "tcm", "pharmacy", "tcm", "pharmacy", "tcm"]
    reviews = {
        item_id: [r("a", d, "na"), r("b", "tcm" if n == 2 else d, "nursing_skill")]
        for n, (item_id, d) in enumerate(zip(ids, disciplines, strict=True))
    }
    document = snapshot_doc(reviews, {row["item_id"]: row for row in rows})
    internal = {shown: item_id for item_id, shown in public_ids(rows).items()}
    for task in document["projects"][0]["tasks"]:  # as run_agreement reads it: internal ids
        task["item_id"] = internal[task["item_id"]]
    ratings = ratings_from(document, items_frame(rows))
    assert {x.value for x in ratings["discipline"]} == {"tcm", "pharmacy"}
    assert {x.value for x in ratings["competency"]} == {"na"}  # unknown codes are not rated
    report = agreement_report(ratings, {}, resamples=0, seed=0, min_pair_items=2)
    assert {"discipline", "competency"} <= set(report["fields"])


# ------------------------------------------------------------------------------- simulation
def test_simulated_physicians_give_the_source_label_or_a_plausible_code() -> None:
    row = make_item("s1", labels={"discipline": "中医学", "competency": "医学基础知识"})
    task = build_task(row, TAXONOMY, "pub1")
    calm = Simulation(disagreement=0.0)
    labels = reviewer_labels(task, "dr.demo.1@medcurate.invalid", calm, ["03.04"])
    assert (labels.discipline, labels.competency) == ("tcm", "basic_knowledge")
    assert labels == reviewer_labels(task, "dr.demo.1@medcurate.invalid", calm, ["03.04"])
    guess = build_task(make_item("s2", question="急性心肌梗死的首选治疗是？"), TAXONOMY, "pub2")
    assert plausible_exam_labels(guess["data"], EXAMS) == {
        "discipline": "clinical_medicine",
        "competency": "treatment",
    }
    senior = adjudicator_labels(task, ["03.04"])
    assert senior.annotator == SENIOR and senior.discipline == "tcm"
    record = build_task(make_item("s3", kind="record", context="患者女，咳嗽三周。"), TAXONOMY, "x")
    assert (
        reviewer_labels(record, "dr.demo.1@medcurate.invalid", calm, ["03.04"]).discipline is None
    )
    every = Simulation(disagreement=1.0)  # each reviewer disagrees on one field
    picked = [
        reviewer_labels(task, f"dr.demo.{n}@medcurate.invalid", every, ["03.04", "03.01"])
        for n in range(1, 40)
    ]
    assert {x.discipline for x in picked} - {"tcm"} and all(x.missing == () for x in picked)


# ---------------------------------------------------------------------------------- release
def released(rows: list[dict]) -> pl.DataFrame:
    frame = items_frame(rows).with_columns(split=pl.lit("test"), cluster_id=pl.col("item_id"))
    return public_frame(frame, b"test-salt")


def exam_rows() -> list[dict]:
    rows = [
        accepted(make_item("e1"), discipline="tcm", competency="diagnosis", difficulty=2),
        accepted(make_item("e2"), discipline="tcm", competency="treatment", difficulty=2),
        accepted(make_item("e3", specialty="03.01"), discipline="pharmacy", competency="na"),
        accepted(make_item("e4", language="en", question="Which drug first?"), difficulty=None),
    ]
    context = "患者女，45岁，咳嗽三周。"
    rows.append(accepted(make_item("e5", kind="record", context=context)))
    return rows


def test_public_columns_carry_both_annotations_from_the_review() -> None:
    assert PUBLIC_COLUMNS.index("disease_group") < PUBLIC_COLUMNS.index("discipline")
    assert PUBLIC_COLUMNS.index("competency") < PUBLIC_COLUMNS.index("difficulty")
    frame = released(exam_rows())
    assert frame.columns == ["config", *PUBLIC_COLUMNS]
    assert frame.schema["discipline"] == frame.schema["competency"] == pl.String
    by_config = frame.group_by("config").agg(pl.col("discipline"), pl.col("competency"))
    values = {c: (sorted(d, key=str), sorted(k, key=str)) for c, d, k in by_config.iter_rows()}
    assert values["mcq_zh"] == (["pharmacy", "tcm", "tcm"], ["diagnosis", "na", "treatment"])
    assert values["mcq_en"] == ([None], [None]) and values["record_zh"] == ([None], [None])
    assert all(COLUMNS[c] for c in ("discipline", "competency"))


def test_the_card_lists_the_five_cmexam_annotations_with_counts() -> None:
    frame = released(exam_rows())
    section = "\n".join(exam_annotation_section(frame, TAXONOMY, EXAMS))
    assert section.startswith("## Exam annotations (CMExam)")
    for column in ("disease_group", "department_code", "discipline", "competency", "difficulty"):
        assert f"(`{column}`)" in section
    assert "`mcq_en`, `mcq_zh`" in section and "record_zh" not in section
    tables = {
        part.split("`)")[0]: part for part in section.split("### ")[1:]
    }  # heading → its table
    discipline = next(t for h, t in tables.items() if h.endswith("discipline"))
    assert "| discipline | 中文 | English | mcq_en | mcq_zh | total |" in discipline
    assert "| tcm | 中医学 | Traditional Chinese Medicine | 0 | 2 | 2 |" in discipline
    assert "| pharmacy | 药学 | Pharmacy | 0 | 1 | 1 |" in discipline
    assert "| — | 未标注 | not annotated | 1 | 0 | 1 |" in discipline
    assert discipline.index("| pharmacy") < discipline.index("| tcm")  # the list's order
    competency = next(t for h, t in tables.items() if h.endswith("competency"))
    assert "| na | 不适用 | Not applicable | 0 | 1 | 1 |" in competency
    difficulty = next(t for h, t in tables.items() if h.endswith("difficulty"))
    assert "| 2 | 较易 | fairly easy | 0 | 2 | 2 |" in difficulty
    department = next(t for h, t in tables.items() if h.endswith("department_code"))
    assert "| 03 | 内科 |" in department and "| 4 |" in department

    meta = {
        "name": "Demo",
        "version": "1.0.0",
        "description": "A demo.",
        "hf_license": "cc0-1.0",
        "non_commercial": [],
        "citation": "@misc{demo}",
        "agreement": {},
    }
    card = render_card(frame, meta, TAXONOMY, EXAMS)
    assert section in card and card.index(section) < card.index("## Physician review")
    assert "`taxonomy/medical_disciplines.csv`" in card
    no_mcq = render_card(frame.filter(pl.col("kind") != "mcq"), meta, TAXONOMY, EXAMS)
    assert "## Exam annotations" not in no_mcq


def test_both_code_lists_ship_with_the_release() -> None:
    lists = code_lists(TAXONOMY, EXAMS)
    for relative, name in (
        ("taxonomy/medical_disciplines.csv", "discipline"),
        ("taxonomy/competency_areas.csv", "competency"),
    ):
        assert CODE_LISTS[relative] == ("code", "zh", "en")
        assert [row["code"] for row in lists[relative]] == EXAMS.codes(name)
    assert lists["taxonomy/competency_areas.csv"][0] == {
        "code": "basic_knowledge",
        "zh": "医学基础知识",
        "en": "Basic Medical Knowledge",
    }
