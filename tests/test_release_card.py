"""A release explains itself: croissant.json describes every column (nested ones included) and
reads back equal to the parquet files; the card has a field table, specialty names beside codes
and agreement figures with a reading; the code lists ship with the release and are verified."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import polars as pl
import pytest

from curation.exam_annotations import load_exam_annotations
from curation.release.card import (
    COLUMNS,
    UNDOCUMENTED,
    agreement_reading,
    alpha_band,
    kappa_band,
    read_code_list,
)
from curation.release.croissant import load_records
from curation.release.manifest import verify
from curation.taxonomy import load_taxonomy
from tests.review_fixtures import accepted, make_item
from tests.test_release import items, project, question, release

AGREEMENT = {  # reports/agreement.json as `curate review agreement` writes it (figures only)
    "fields": {
        "verdict": {
            "items": 40,
            "observed_agreement": 0.96,
            "krippendorff_alpha": {"value": 0.005, "ci95": [-0.02, 0.04]},
            "fleiss_kappa": {"value": 0.004, "ci95": None},
        },
        "specialty": {
            "items": 40,
            "observed_agreement": 0.8,
            "krippendorff_alpha": {"value": 0.72, "ci95": [0.61, 0.83]},
            "fleiss_kappa": {"value": 0.71, "ci95": None},
        },
        "answer": {
            "items": 1,
            "observed_agreement": 1.0,
            "krippendorff_alpha": {"value": None, "ci95": None},
            "fleiss_kappa": {"value": None, "ci95": None},
        },
        "difficulty": {
            "items": 40,
            "observed_agreement": 0.7,
            "krippendorff_alpha": {"value": 0.85, "ci95": [0.81, 0.9]},
            "fleiss_kappa": {"value": 0.84, "ci95": None},
        },
    }
}


def dialogue(k: int, rng: random.Random) -> dict:
    said = [question(rng) for _ in range(2 + k % 2)]
    turns = [("患者" if i % 2 == 0 else "医生", text) for i, text in enumerate(said)]
    row = make_item(
        f"d{k:03d}",
        kind="dialogue",
        context="\n".join(f"{s}：{t}" for s, t in turns),
        turns=turns,
        specialty=rng.choice(["03.02", "03.04"]),
    )
    return accepted(row | {"cluster_id": f"c-d{k:03d}"}, difficulty=1 + k % 5)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One release with MCQs (one and two answers, varied and missing difficulty), dialogues
    and an agreement report; the tests read it and tamper copies."""
    rng = random.Random(5)
    mcq = items(30)
    mcq += [
        accepted(
            make_item(f"m{k}", question=question(rng), answer=["A", "C"], specialty="04.03")
            | {"cluster_id": f"c-m{k}"},
            difficulty=k + 1,
        )
        for k in range(4)
    ]
    mcq.append(accepted(make_item("nodiff", question=question(rng)), difficulty=None))
    mcq += [  # CMExam's discipline and competency, as the review merge records them
        accepted(
            make_item(f"x{k}", question=question(rng)) | {"cluster_id": f"c-x{k}"},
            discipline=("tcm", "pharmacy")[k % 2],
            competency=("diagnosis", "treatment", "na")[k % 3],
        )
        for k in range(6)
    ]
    rows = mcq + [dialogue(k, rng) for k in range(24)]
    root = tmp_path_factory.mktemp("card")
    paths = project(root, rows)
    report = paths.report("agreement")
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(AGREEMENT), encoding="utf-8")
    release(paths, "1.0.0")
    return paths.releases / "1.0.0"


def croissant_doc(release_dir: Path) -> dict:
    return json.loads((release_dir / "croissant.json").read_text(encoding="utf-8"))


def card(release_dir: Path) -> str:
    return (release_dir / "README.md").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------- croissant
@pytest.mark.parametrize("config", ["mcq_zh", "dialogue_zh"])
def test_croissant_records_equal_the_parquet_rows(built: Path, config: str) -> None:
    """Every record of every split, read through mlcroissant, equals its parquet row: all
    columns, nested options / turns, answer lists and difficulty (nulls included)."""
    files = sorted((built / "data" / config).glob("*.parquet"))
    assert files
    for path in files:
        rows = pl.read_parquet(path).to_dicts()
        records = load_records(built / "croissant.json", f"{config}-{path.stem}")
        assert sorted(records, key=lambda r: r["item_id"]) == rows, path.name
    rows = pl.concat([pl.read_parquet(p) for p in files])
    if config == "mcq_zh":  # the cases worth reading back are there
        assert rows["difficulty"].null_count() == 1
        assert rows["discipline"].value_counts().height == 3  # tcm, pharmacy, null
        assert set(rows["competency"].drop_nulls()) == {"diagnosis", "treatment", "na"}
        assert rows["answer_labels"].list.len().max() == 2
        assert rows["options"].list.len().min() == 4
    else:
        assert set(rows["turns"].list.len().to_list()) == {2, 3}


def test_croissant_describes_every_column_with_nested_fields(built: Path) -> None:
    document = croissant_doc(built)
    assert document["conformsTo"] == "http://mlcommons.org/croissant/1.1"
    data_sets = [r for r in document["recordSet"] if "-" in r["@id"]]
    assert {r["@id"] for r in data_sets} == {
        f"{p.parent.name}-{p.stem}" for p in built.glob("data/*/*.parquet")
    }
    for record_set in data_sets:
        config, split = record_set["@id"].rsplit("-", 1)
        schema = pl.read_parquet_schema(built / "data" / config / f"{split}.parquet")
        fields = {f["name"]: f for f in record_set["field"]}
        assert list(fields) == list(schema)  # every column, in file order
        assert all(f["description"] != UNDOCUMENTED for f in fields.values())
        for column, members in (("options", ["label", "text"]), ("turns", ["speaker", "text"])):
            nested = fields[column]
            assert nested["isArray"] is True
            assert [s["name"] for s in nested["subField"]] == members
            assert all(s["source"]["transform"]["jsonPath"] in members for s in nested["subField"])
        assert fields["answer_labels"]["isArray"] is True
        assert fields["difficulty"]["dataType"] == "sc:Integer"
        for column, codes in (("discipline", "medical_disciplines"), ("competency", "competency")):
            assert fields[column]["dataType"] == "sc:Text"
            assert f"taxonomy/{codes}" in fields[column]["description"]


def test_code_lists_are_croissant_record_sets_with_text_codes(built: Path) -> None:
    taxonomy = load_taxonomy()
    records = load_records(built / "croissant.json", "specialties")
    assert records == read_code_list(built / "taxonomy/specialties.csv")
    assert {r["code"]: (r["zh"], r["en"]) for r in records}["01"] == (
        "预防保健科",
        "Preventive Care",
    )
    assert len(records) == len(taxonomy.specialties)
    chapters = load_records(built / "croissant.json", "icd11_chapters")
    assert [c["code"] for c in chapters] == [c.code for c in taxonomy.icd11_chapters]
    exams = load_exam_annotations()
    for record_set, name in (
        ("medical_disciplines", "discipline"),
        ("competency_areas", "competency"),
    ):
        rows = load_records(built / "croissant.json", record_set)
        assert [(r["code"], r["zh"], r["en"]) for r in rows] == [
            (e.code, e.zh, e.en) for e in exams.entries(name)
        ]


# ------------------------------------------------------------------------------------ card
def field_rows(text: str) -> dict[str, tuple[str, str]]:
    """`column` → (type, meaning) from the card's field table."""
    table = text.split("## Fields")[1].split("\n## ")[0]
    rows = {}
    for line in table.splitlines():
        if line.startswith("| `"):
            name, kind, meaning = (c.strip() for c in line.strip("|").split("|", 2))
            rows[name.strip("`")] = (kind, meaning.strip())
    return rows


def test_card_has_a_row_per_released_column(built: Path) -> None:
    rows = field_rows(card(built))
    schema = pl.read_parquet_schema(next(built.glob("data/mcq_zh/*.parquet")))
    nested = ["options[].label", "options[].text", "turns[].speaker", "turns[].text"]
    assert [r for r in rows if "[]" not in r] == list(schema)
    assert [r for r in rows if "[]" in r] == nested
    assert all(meaning and meaning != UNDOCUMENTED for _, meaning in rows.values())
    assert rows["options"][0] == "list<struct>" and rows["answer_labels"][0] == "list<string>"
    assert rows["difficulty"][0] == "int64" and "1 (easy) to 5 (hard)" in rows["difficulty"][1]
    assert set(COLUMNS) >= {c.replace("[]", "") for c in rows}  # nothing undocumented


def test_card_names_specialties_beside_codes(built: Path) -> None:
    text = card(built)
    assert "schemas/specialties.yaml" not in text  # a file the release does not contain
    table = text.split("By specialty")[1].split("![")[0]
    lines = [x for x in table.splitlines() if x.startswith("| 0")]
    released = pl.concat([pl.read_parquet(p) for p in built.glob("data/*/*.parquet")])
    assert len(lines) == released["specialty_code"].n_unique()
    names = load_taxonomy().by_code()
    for line in lines:
        code, zh, en = (c.strip() for c in line.strip("|").split("|")[:3])
        assert (zh, en) == (names[code].zh, names[code].en)
    assert "| 03.04 | 心血管内科专业 | Cardiology / Cardiovascular Medicine |" in table


def test_card_lists_the_five_cmexam_annotations_of_the_mcqs(built: Path) -> None:
    text = card(built)
    section = text.split("## Exam annotations (CMExam)")[1].split("\n## ")[0]
    headings = [line for line in section.splitlines() if line.startswith("### ")]
    assert [h.rsplit("(", 1)[1] for h in headings] == [
        "`disease_group`)",
        "`department_code`)",
        "`discipline`)",
        "`competency`)",
        "`difficulty`)",
    ]
    assert "`mcq_zh`" in section and "dialogue_zh" not in section  # MCQ configs only
    assert "| tcm | 中医学 | Traditional Chinese Medicine | 3 | 3 |" in section
    assert "| pharmacy | 药学 | Pharmacy | 3 | 3 |" in section
    assert "| na | 不适用 | Not applicable | 2 | 2 |" in section
    mcqs = pl.concat([pl.read_parquet(p) for p in built.glob("data/mcq_zh/*.parquet")])
    assert f"| — | 未标注 | not annotated | {mcqs['discipline'].null_count()} |" in section


def test_taxonomy_ships_in_the_manifest_and_verify_checks_it(built: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from curation.cli import app

    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    for name in (
        "specialties",
        "icd11_chapters",
        "mlb_dimensions",
        "medical_disciplines",
        "competency_areas",
    ):
        assert f"taxonomy/{name}.csv" in manifest["files"]
    listed = {d["contentUrl"] for d in croissant_doc(built)["distribution"]}
    assert "taxonomy/specialties.csv" in listed
    rows = read_code_list(built / "taxonomy/specialties.csv")
    assert rows[0] == {"code": "01", "parent": "", "zh": "预防保健科", "en": "Preventive Care"}

    root = tmp_path / "p"
    shutil.copytree(built, root / "releases" / "1.0.0")
    runner = CliRunner()
    ok = runner.invoke(app, ["release", "verify", "1.0.0", "--root", str(root)])
    assert ok.exit_code == 0, ok.output

    csv = root / "releases" / "1.0.0" / "taxonomy" / "specialties.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("Cardiology", "Kardiologie"), "utf-8")
    problems = verify(root / "releases" / "1.0.0", "1.0.0")
    assert any(p.startswith("taxonomy/specialties.csv: sha256 ") for p in problems)
    assert "croissant.json: sha256 of taxonomy/specialties.csv differs from the file" in problems
    bad = runner.invoke(app, ["release", "verify", "1.0.0", "--root", str(root)])
    assert bad.exit_code == 1


def test_card_reads_each_agreement_figure(built: Path) -> None:
    text = card(built)
    review = text.split("## Physician review")[1].split("\n## ")[0]
    assert (
        "| verdict | 40 | 96% | 0.005 | [-0.020, 0.040] | unreliable | 0.004 | slight |" in review
    )
    assert (
        "| specialty | 40 | 80% | 0.720 | [0.610, 0.830] | tentative | 0.710 | substantial |"
        in (review)
    )
    readings = {
        line.split("**")[1]: line.split("**: ")[1]
        for line in review.splitlines()
        if line.startswith("* **")
    }
    assert readings == {
        f: agreement_reading(f, AGREEMENT["fields"][f]) for f in AGREEMENT["fields"]
    }
    assert "indistinguishable from chance" in readings["verdict"]
    assert "treat the accept/reject decisions as provisional" in readings["verdict"]
    assert "tentative conclusions from the specialty labels" in readings["specialty"]
    assert "can be relied on" in readings["difficulty"]
    assert "cannot be computed" in readings["answer"]


# ------------------------------------------------------------------------------- readings
@pytest.mark.parametrize(
    ("alpha", "band"),
    [(1.0, "reliable"), (0.8, "reliable"), (0.799, "tentative"), (0.667, "tentative"),
     (0.666, "unreliable"), (0.3, "unreliable"), (0.0, "unreliable"), (-0.2, "unreliable")],
)  # fmt: skip
def test_alpha_bands_follow_krippendorff(alpha: float, band: str) -> None:
    assert alpha_band(alpha) == band


@pytest.mark.parametrize(
    ("kappa", "band"),
    [(-0.1, "poor"), (0.0, "slight"), (0.2, "slight"), (0.21, "fair"), (0.4, "fair"),
     (0.5, "moderate"), (0.61, "substantial"), (0.8, "substantial"), (0.81, "almost perfect"),
     (1.0, "almost perfect")],
)  # fmt: skip
def test_kappa_bands_follow_landis_and_koch(kappa: float, band: str) -> None:
    assert kappa_band(kappa) == band


def figures(alpha: float | None, ci: list[float] | None = None, observed: float = 0.5) -> dict:
    return {"observed_agreement": observed, "krippendorff_alpha": {"value": alpha, "ci95": ci}}


def test_agreement_reading_changes_with_the_figure() -> None:
    reliable = agreement_reading("specialty", figures(0.9, [0.85, 0.95]))
    tentative = agreement_reading("specialty", figures(0.7, [0.68, 0.75]))
    unreliable = agreement_reading("specialty", figures(0.3, [0.2, 0.4]))
    chance = agreement_reading("specialty", figures(0.005, [-0.03, 0.04]))
    none = agreement_reading("specialty", figures(None))
    assert len({reliable, tentative, unreliable, chance, none}) == 5
    assert reliable.startswith("α ≥ 0.800: reviewers agree reliably")
    assert "tentative conclusions from the specialty labels" in tentative
    assert unreliable == (
        "α below 0.667: reviewers disagree; treat the specialty labels (specialty_code) as "
        "provisional."
    )
    assert "indistinguishable from chance" in chance and "provisional" in chance
    assert "cannot be computed" in none
    # the same alpha, other context: high raw agreement (one dominant value), a wide interval
    skewed = agreement_reading("verdict", figures(0.3, [0.2, 0.4], observed=0.97))
    assert "97% raw agreement comes from one dominant value" in skewed
    assert "accept/reject decisions" in skewed
    wide = agreement_reading("difficulty", figures(0.75, [0.6, 0.85]))
    assert "spans more than one band" in wide and "difficulty ratings" in wide
    assert "spans" not in tentative and "dominant" not in unreliable
