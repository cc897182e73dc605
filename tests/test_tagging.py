"""Specialty taggers on pinned examples in both languages, the tag stage and `curate tag scan`."""

from __future__ import annotations

import json
from pathlib import Path

import opencc
import pytest
from typer.testing import CliRunner

from curation.cli import app
from curation.stages.tag import TagConfig, tag
from curation.tagging.lexicon import LexiconTagger
from curation.tagging.trained import TrainedTagger
from curation.taxonomy import load_taxonomy
from tests.conftest import MiniProject, make_spec

lexicon = LexiconTagger()

PINNED = [
    ("患者反复胸痛3小时，心电图示ST段抬高，肌钙蛋白升高，考虑急性心肌梗死。", "zh", "03.04"),
    ("咳嗽、咳痰伴发热5天，胸片示右下肺渗出影，诊断社区获得性肺炎。", "zh", "03.01"),
    ("多饮多尿消瘦半年，空腹血糖12.1 mmol/L，糖化血红蛋白9%，诊断2型糖尿病。", "zh", "03.07"),
    ("右眼视力下降2年，晶状体混浊，拟行白内障超声乳化手术。", "zh", "10"),
    ("Crushing chest pain, ST elevation, elevated troponin: myocardial infarction.", "en", "03.04"),
    (
        "Productive cough and fever; chest x-ray shows lobar consolidation: pneumonia.",
        "en",
        "03.01",
    ),
    (
        "Blurry vision; slit lamp shows dense nuclear cataract; plan phacoemulsification.",
        "en",
        "10",
    ),
    (
        "Fall on outstretched hand; displaced distal radius fracture; closed reduction, cast.",
        "en",
        "04.03",
    ),
]


def within(predicted: str | None, expected: str) -> bool:
    return predicted is not None and (predicted == expected or predicted.startswith(expected + "."))


@pytest.mark.parametrize(("text", "lang", "expected"), PINNED)
def test_lexicon_tagger_pinned_examples(text: str, lang: str, expected: str) -> None:
    (prediction,) = lexicon.predict([text], [lang])
    assert within(prediction.specialty_code, expected), prediction
    taxonomy = load_taxonomy()
    assert prediction.department_code == taxonomy.department_of(prediction.specialty_code)
    assert 0 < prediction.score <= 1
    assert len(prediction.alternatives) <= 3


def test_lexicon_tagger_without_evidence_says_so() -> None:
    (prediction,) = lexicon.predict(["今天天气不错。"], ["zh"])
    assert prediction.specialty_code is None and prediction.score == 0.0


def test_trained_tagger_learns_saves_and_loads(tmp_path: Path) -> None:
    texts = [t for t, _, _ in PINNED] * 3
    codes = [c for _, _, c in PINNED] * 3
    model = TrainedTagger.fit(texts, codes)
    assert [p.specialty_code for p in model.predict(texts[:8])] == codes[:8]
    path = model.save(tmp_path / "model.joblib")
    again = TrainedTagger.load(path)
    assert again.meta["classes"] == sorted(set(codes))
    first = [p.score for p in model.predict(texts[:8])]
    assert [p.score for p in again.predict(texts[:8])] == first


ZH = [(t, c) for t, lang, c in PINNED if lang == "zh"]


def traditional(text: str, config: str = "s2tw") -> str:
    """The text in Traditional characters: `s2tw` changes characters only; `s2twp` also uses
    Taiwan's own words (心肌梗死 → 心肌梗塞), as a Taiwanese writer would."""
    return opencc.OpenCC(config).convert(text)


@pytest.mark.parametrize(("text", "expected"), ZH)
def test_lexicon_tagger_reads_traditional_script(text: str, expected: str) -> None:
    (simplified,) = lexicon.predict([text], ["zh"])
    written = traditional(text)
    assert written != text  # the keywords (Simplified) no longer match character for character
    assert lexicon.predict([written], ["zh"]) == [simplified]  # same evidence, same scores
    (taiwanese,) = lexicon.predict([traditional(text, "s2twp")], ["zh"])
    assert within(taiwanese.specialty_code, expected), taiwanese


def test_trained_tagger_reads_the_script_it_was_not_trained_on() -> None:
    texts = [t for t, _, _ in PINNED] * 3
    codes = [c for _, _, c in PINNED] * 3
    model = TrainedTagger.fit(texts, codes)
    for text, code in ZH:
        (same,) = model.predict([text])
        (other,) = model.predict([traditional(text)])
        assert other.specialty_code == code
        assert other.score == pytest.approx(same.score, abs=0.05)  # t2s is not s2t reversed
        assert model.predict([traditional(text, "s2twp")])[0].specialty_code == code


def test_tag_stage_fills_tags_and_flags_weak_items(project: MiniProject) -> None:
    project.write(
        "raw/r.csv",
        "id,text\n1,反复胸痛，心电图ST段抬高，急性心肌梗死\n2,今天来复查一下。\n",
    )
    spec = make_spec(path="raw/r.csv", kind="record", fields={"key": "id", "context": "text"})
    items, _, _ = project.run(spec)
    kept = tag(items.lazy(), TagConfig(review_below=0.5), lexicon).kept.collect()
    first, second = kept["tags"].to_list()
    assert first["tagger"] == lexicon.name and lexicon.name.startswith("specialty_lexicon_v1+")
    assert within(first["specialty_code"], "03.04")
    assert not first["needs_review"]
    assert second["specialty_code"] is None and second["needs_review"]
    assert kept.height == items.height


def test_tag_scan_command(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": str(i), "text": t}, ensure_ascii=False)
        for i, (t, _, _) in enumerate(PINNED)
    ]
    source.write_text("\n".join(lines), encoding="utf-8")
    target = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        app, ["tag", "scan", str(source), "-o", str(target), "--tagger", "lexicon"]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [str(i) for i in range(len(PINNED))]
    assert set(rows[0]) >= {"id", "specialty_code", "department_code", "score", "alternatives"}
    assert all(within(r["specialty_code"], c) for r, (_, _, c) in zip(rows, PINNED, strict=True))


def test_unknown_tagger_is_a_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "1", "text": "x"}\n', encoding="utf-8")
    result = CliRunner().invoke(
        app, ["tag", "scan", str(source), "-o", str(tmp_path / "o"), "--tagger", "bert"]
    )
    assert result.exit_code == 1 and "unknown tagger 'bert'" in result.output


@pytest.mark.parametrize("command", [["tag", "run"], ["tag", "train"]])
def test_tag_never_falls_back_to_de_identified_items(project: MiniProject, command) -> None:
    """Only data/validated/ is read: with de-identified items alone, the command stops naming
    the missing file and the command that makes it."""
    import polars as pl

    from curation.stages.base import ITEM_SCHEMA

    project.sources(
        {"demo": make_spec().model_dump(mode="json", exclude={"name"}, exclude_none=True)}
    )
    project.write("params.yaml", "tag: {tagger: lexicon}\n")
    deid = project.root / "data/deid/demo.parquet"
    deid.parent.mkdir(parents=True)
    pl.DataFrame(schema=ITEM_SCHEMA).write_parquet(deid)
    result = CliRunner().invoke(app, [*command, "--root", str(project.root)])
    assert result.exit_code == 1, result.output
    output = result.output.replace("\n", "")
    assert f"{project.root}/data/validated/demo.parquet does not exist" in output
    assert "`curate validate`" in output
    assert not (project.root / "data/tagged").exists()
