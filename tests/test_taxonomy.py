"""The clinical specialty taxonomy: the shipped file, its integrity rules and its coverage."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from curation.errors import ConfigError
from curation.models import Dimension as ItemDimension
from curation.taxonomy import MIN_LEAF_KEYWORDS, Taxonomy, load_taxonomy

# Leaf departments of a Chinese online-consultation site -> (covering code, word its zh name holds).
SITE_DEPARTMENTS: dict[str, tuple[str, str]] = {
    "肝病科": ("03.02.x1", "肝"),
    "消化科": ("03.02", "消化"),
    "神经科": ("03.03", "神经"),
    "心血管科": ("03.04", "心血管"),
    "内分泌科": ("03.07", "内分泌"),
    "呼吸科": ("03.01", "呼吸"),
    "肾内科": ("03.06", "肾"),
    "感染科": ("16", "传染"),
    "血液科": ("03.05", "血液"),
    "普通内科": ("03.11", "其他"),
    "风湿免疫科": ("03.08", "免疫"),
}

# English transcription specialties -> (covering codes, word the first code's en name holds).
TRANSCRIPTION_SPECIALTIES: dict[str, tuple[tuple[str, ...], str]] = {
    "Cardiovascular/Pulmonary": (("03.04", "03.01"), "cardio"),
    "Gastroenterology": (("03.02",), "gastroenterology"),
    "Neurology": (("03.03",), "neurology"),
    "Orthopedic": (("04.03",), "orthopedics"),
    "Urology": (("04.04",), "urology"),
    "Obstetrics/Gynecology": (("05", "05.01", "05.02"), "obstetrics"),
    "ENT": (("11",), "ent"),
    "Nephrology": (("03.06",), "nephrology"),
    "Hematology-Oncology": (("03.05", "19"), "hematology"),
    "Dermatology": (("13", "13.01"), "dermatology"),
    "Ophthalmology": (("10",), "ophthalmology"),
    "Psychiatry": (("15",), "psychiatry"),
    "Pediatrics": (("07",), "pediatrics"),
    "Endocrinology": (("03.07",), "endocrinology"),
    "Rheumatology": (("03.08",), "rheumatology"),
    "Allergy/Immunology": (("03.09", "03.08"), "allergy"),
    "Neurosurgery": (("04.02",), "neurosurgery"),
    "Cardiology": (("03.04",), "cardiology"),
    "Podiatry": (("04.03",), "podiatry"),
    "Dentistry": (("12",), "dentistry"),
    "Physical Medicine-Rehab": (("21",), "rehabilitation"),
    "Sleep Medicine": (("03.x1",), "sleep"),
    "Bariatrics": (("04.01.x5",), "bariatric"),
    "Plastic Surgery": (("04.08",), "plastic"),
    "General Surgery": (("04.01",), "general surgery"),
    "Radiology": (("32",), "radiology"),
}

# Real codes of the 诊疗科目名录 and their names, as the taxonomy must carry them.
DIRECTORY_CODES: dict[str, str] = {
    "01": "预防保健科", "02": "全科医疗科", "03": "内科", "03.01": "呼吸内科专业",
    "03.02": "消化内科专业", "03.03": "神经内科专业", "03.04": "心血管内科专业",
    "03.05": "血液内科专业", "03.06": "肾病学专业", "03.07": "内分泌专业", "03.08": "免疫学专业",
    "03.09": "变态反应专业", "03.10": "老年病专业", "03.11": "其他", "04": "外科",
    "04.01": "普通外科专业", "04.02": "神经外科专业", "04.03": "骨科专业", "04.04": "泌尿外科专业",
    "04.05": "胸外科专业", "04.06": "心脏大血管外科专业", "04.07": "烧伤科专业",
    "04.08": "整形外科专业", "04.09": "其他", "05": "妇产科", "05.01": "妇科专业",
    "05.02": "产科专业", "05.03": "计划生育专业", "05.04": "优生学专业",
    "05.05": "生殖健康与不孕症专业", "06": "妇女保健科", "07": "儿科", "07.01": "新生儿专业",
    "07.02": "小儿传染病专业", "07.03": "小儿消化专业", "07.04": "小儿呼吸专业",
    "07.05": "小儿心脏病专业", "07.06": "小儿肾病专业", "07.07": "小儿血液病专业",
    "07.08": "小儿神经病学专业", "07.09": "小儿内分泌专业", "07.10": "小儿遗传病专业",
    "07.11": "小儿免疫专业", "08": "小儿外科", "09": "儿童保健科", "10": "眼科",
    "11": "耳鼻咽喉科", "12": "口腔科", "13": "皮肤科", "13.01": "皮肤病专业",
    "13.02": "性传播疾病专业", "14": "医疗美容科", "15": "精神科", "15.01": "精神病专业",
    "15.02": "精神卫生专业", "15.03": "药物依赖专业", "15.04": "精神康复专业", "16": "传染科",
    "16.01": "肠道传染病专业", "16.02": "呼吸道传染病专业", "16.03": "肝炎专业",
    "16.04": "虫媒传染病专业", "16.05": "动物源性传染病专业", "16.06": "蠕虫病专业",
    "17": "结核病科", "18": "地方病科", "19": "肿瘤科", "20": "急诊医学科", "21": "康复医学科",
    "22": "运动医学科", "23": "职业病科", "26": "麻醉科", "27": "疼痛科", "28": "重症医学科",
    "30": "医学检验科", "31": "病理科", "32": "医学影像科", "50": "中医科", "50.01": "内科专业",
}  # fmt: skip


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


# --- the shipped file ---------------------------------------------------------------------------


def test_file_loads_and_is_cached(taxonomy: Taxonomy) -> None:
    assert taxonomy.version == "specialties_v1"
    assert "诊疗科目名录" in taxonomy.source
    assert load_taxonomy() is taxonomy


def test_has_enough_entries_in_code_order(taxonomy: Taxonomy) -> None:
    codes = [s.code for s in taxonomy.specialties]
    assert len(codes) >= 60
    assert codes == sorted(codes)


def test_directory_codes_carry_their_directory_names(taxonomy: Taxonomy) -> None:
    by_code = taxonomy.by_code()
    wrong = {c: by_code[c].zh if c in by_code else None for c in DIRECTORY_CODES}
    assert {c: z for c, z in wrong.items() if z != DIRECTORY_CODES[c]} == {}
    assert "33" not in by_code  # the directory has no 33: imaging is 32, pathology 31


def test_extension_codes_are_marked(taxonomy: Taxonomy) -> None:
    for s in taxonomy.specialties:
        if re.fullmatch(r"\d{2}(\.\d{2})*", s.code):
            continue
        assert ".x" in s.code and "extension" in s.en.lower(), s.code


def test_every_leaf_has_keywords_and_a_chapter(taxonomy: Taxonomy) -> None:
    leaves = taxonomy.leaves()
    assert len(leaves) >= 60
    for leaf in leaves:
        assert len(leaf.terms("zh")) >= MIN_LEAF_KEYWORDS, leaf.code
        assert len(leaf.terms("en")) >= MIN_LEAF_KEYWORDS, leaf.code
        assert leaf.icd11, leaf.code


def test_keywords_look_like_vocabulary_not_records(taxonomy: Taxonomy) -> None:
    for s in taxonomy.specialties:
        for lang in ("zh", "en"):
            for k in s.terms(lang):
                assert not re.search(r"\d{5,}|@|https?:|\n", k.term), (s.code, k.term)
                if lang == "en":
                    assert k.term == k.term.lower(), (s.code, k.term)
                    assert len(k.term.split()) <= 5, (s.code, k.term)  # a word or short phrase
                else:
                    assert len(k.term) <= 12, (s.code, k.term)


def test_tree_helpers(taxonomy: Taxonomy) -> None:
    assert taxonomy.department_of("03.04") == "03"
    assert taxonomy.department_of("03") == "03"
    assert taxonomy.department_of("04.01.x5") == "04"
    assert taxonomy.ancestors("04.01.x5") == ["04.01", "04"]
    assert taxonomy.ancestors("10") == []
    assert [c.code for c in taxonomy.children("03.02")] == ["03.02.x1", "03.02.x2"]
    assert "03.01" in [c.code for c in taxonomy.children("03")]
    leaf_codes = {s.code for s in taxonomy.leaves()}
    assert "03.04" in leaf_codes and "03" not in leaf_codes and "03.02" not in leaf_codes
    with pytest.raises(KeyError, match=re.escape("99.99")):
        taxonomy.department_of("99.99")


@pytest.mark.parametrize("site_name", sorted(SITE_DEPARTMENTS))
def test_site_departments_are_covered(taxonomy: Taxonomy, site_name: str) -> None:
    code, hint = SITE_DEPARTMENTS[site_name]
    entry = taxonomy.get(code)
    assert hint in entry.zh
    assert taxonomy.department_of(code) in {"03", "16"}


@pytest.mark.parametrize("specialty", sorted(TRANSCRIPTION_SPECIALTIES))
def test_transcription_specialties_are_covered(taxonomy: Taxonomy, specialty: str) -> None:
    codes, hint = TRANSCRIPTION_SPECIALTIES[specialty]
    entries = [taxonomy.get(code) for code in codes]
    assert hint in entries[0].en.lower()


def test_icd11_chapters_and_mlb_dimensions(taxonomy: Taxonomy) -> None:
    chapters = {c.code for c in taxonomy.icd11_chapters}
    assert {f"{n:02d}" for n in range(1, 27)} <= chapters
    dimensions = {d.code for d in taxonomy.mlb_dimensions}
    assert dimensions == {"MedKQA", "MedSE", "MedRU", "SmartServ", "SmartCare"}
    assert dimensions == {d.value for d in ItemDimension}
    assert all(d.zh and d.en for d in taxonomy.mlb_dimensions)


# --- integrity rules, each fed a small broken taxonomy --------------------------------------------


def _keywords(prefix: str, n: int = MIN_LEAF_KEYWORDS) -> list[dict[str, Any]]:
    return [{"term": f"{prefix}{i}", "weight": 1 + i % 3} for i in range(n)]


def _valid() -> dict[str, Any]:
    """A minimal valid taxonomy: one department with one leaf."""
    return {
        "version": "test",
        "source": "test",
        "specialties": [
            {"code": "03", "zh": "内科", "en": "Internal Medicine", "parent": None},
            {
                "code": "03.01",
                "zh": "呼吸内科专业",
                "en": "Pulmonology",
                "parent": "03",
                "icd11": ["12"],
                "keywords": {"zh": _keywords("词"), "en": _keywords("term")},
            },
        ],
        "icd11_chapters": [{"code": "12", "zh": "呼吸系统疾病", "en": "Respiratory"}],
        "mlb_dimensions": [{"code": "MedKQA", "zh": "医学知识问答", "en": "Knowledge QA"}],
    }


def _leaf(code: str, parent: str, **changes: Any) -> dict[str, Any]:
    leaf = copy.deepcopy(_valid()["specialties"][1])
    leaf.update(code=code, parent=parent, **changes)
    return leaf


def _duplicate_code(d: dict[str, Any]) -> None:
    d["specialties"].append(_leaf("03.01", "03"))


def _missing_parent(d: dict[str, Any]) -> None:
    d["specialties"].append(_leaf("05.01", "05"))


def _child_outside_parent(d: dict[str, Any]) -> None:
    d["specialties"].append(_leaf("04.01", "03"))


def _leaf_without_en(d: dict[str, Any]) -> None:
    d["specialties"].append(_leaf("03.02", "03", keywords={"zh": _keywords("词")}))


def _leaf_with_few_zh(d: dict[str, Any]) -> None:
    keywords = {"zh": _keywords("词", 3), "en": _keywords("term")}
    d["specialties"].append(_leaf("03.03", "03", keywords=keywords))


def _unknown_chapter(d: dict[str, Any]) -> None:
    d["specialties"].append(_leaf("03.04", "03", icd11=["99"]))


def _bad_weight(d: dict[str, Any]) -> None:
    d["specialties"][1]["keywords"]["en"][0]["weight"] = 5


def _uppercase_en(d: dict[str, Any]) -> None:
    d["specialties"][1]["keywords"]["en"][0]["term"] = "COPD"


def _three_digit_department(d: dict[str, Any]) -> None:
    d["specialties"].append({"code": "300", "zh": "某科", "en": "Some", "parent": None})


def _unquoted_department(d: dict[str, Any]) -> None:
    d["specialties"][0]["code"] = 3


def _cycle(d: dict[str, Any]) -> None:
    d["specialties"] += [_leaf("03.05", "03.05.x1"), _leaf("03.05.x1", "03.05")]


BROKEN: dict[str, tuple[Callable[[dict[str, Any]], None], list[str]]] = {
    "unique codes": (_duplicate_code, ["03.01", "code used by 2 entries"]),
    "missing parent": (_missing_parent, ["05.01", "parent '05'"]),
    "child code outside parent": (_child_outside_parent, ["04.01", "start with its parent"]),
    "leaf without en keywords": (_leaf_without_en, ["03.02", "0 en keywords"]),
    "leaf with too few zh keywords": (_leaf_with_few_zh, ["03.03", "3 zh keywords"]),
    "unknown ICD-11 chapter": (_unknown_chapter, ["03.04", "ICD-11 chapter '99'"]),
    "weight out of range": (_bad_weight, ["03.01", "weight 5"]),
    "uppercase English keyword": (_uppercase_en, ["03.01", "'COPD'", "lowercase"]),
    "department not 2 digits": (_three_digit_department, ["300", "2-digit"]),
    "department code not a string": (_unquoted_department, ["3", "quoted string"]),
    "parent cycle": (_cycle, ["03.05.x1", "cycle"]),
}


def test_minimal_taxonomy_is_valid() -> None:
    taxonomy = Taxonomy.model_validate(_valid())
    assert [s.code for s in taxonomy.leaves()] == ["03.01"]
    assert taxonomy.department_of("03.01") == "03"


@pytest.mark.parametrize("rule", sorted(BROKEN))
def test_integrity_rule_names_the_bad_code(rule: str) -> None:
    breaker, expected = BROKEN[rule]
    data = _valid()
    breaker(data)
    with pytest.raises(ValueError) as caught:
        Taxonomy.model_validate(data)
    for text in expected:
        assert text in str(caught.value), (rule, text, str(caught.value))


def test_broken_file_is_a_config_error_naming_the_code(tmp_path: Path) -> None:
    data = _valid()
    _unknown_chapter(data)
    path = tmp_path / "specialties.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape("03.04: unknown ICD-11 chapter '99'")):
        load_taxonomy(path)
