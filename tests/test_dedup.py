"""The dedup stage: exact and near duplicates, representatives, determinism, accounting,
the contamination index, and the `run_dedup` command. Fixtures are built in code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from curation.commands.dedup import curated_path, merged_path, run_dedup
from curation.dedup import DedupIndex, dedup_text, exact_key, ngram_overlap, shingles
from curation.dedup.minhash import cluster_id_of
from curation.dedup.text import answer_key, jaccard
from curation.identity import content_hash, item_id
from curation.models import Item
from curation.paths import ProjectPaths
from curation.stages.base import ITEM_SCHEMA
from curation.stages.dedup import MERGED_SCHEMA, DedupConfig, dedup

STEM = "下列哪项是心力衰竭最常见的诱因？"
OPTIONS = ["感染", "心律失常", "过度劳累", "情绪激动", "妊娠和分娩"]


def make_item(
    source: str,
    key: str,
    question: str | None,
    options: list[str] | None = None,
    answer: str = "A",
    *,
    kind: str = "mcq",
    language: str = "zh",
    context: str | None = None,
    answer_text: str | None = None,
) -> dict[str, Any]:
    """One valid item row (checked against the Item model)."""
    opts = [{"label": label, "text": t} for label, t in zip("ABCDE", options or [], strict=False)]
    content = {
        "kind": kind,
        "question": question,
        "context": context,
        "options": opts,
        "answer_labels": list(answer) if options else [],
        "answer_text": answer_text,
    }
    row = {name: None for name in ITEM_SCHEMA.names()} | content
    row |= {
        "item_id": item_id(source, key),
        "content_hash": content_hash(content),
        "source": source,
        "source_record_key": key,
        "language": language,
        "turns": [],
        "source_labels": [],
        "license": "CC0-1.0",
        "provenance": {"file": f"raw/{source}.csv", "row": 1, "ingested_at": None},
    }
    Item.model_validate(row)
    return row


def frame(*rows: dict[str, Any]) -> pl.LazyFrame:
    return pl.DataFrame(list(rows), schema=ITEM_SCHEMA).lazy()


def run(items: pl.LazyFrame, **config: Any) -> tuple[pl.DataFrame, pl.DataFrame]:
    result = dedup(items, DedupConfig(**config))
    return result.kept.collect(), result.merged.collect()


def merged_row(merged: pl.DataFrame, row: dict[str, Any]) -> dict[str, Any]:
    return merged.filter(pl.col("item_id") == row["item_id"]).to_dicts()[0]


def shuffled(options: list[str], answer: str, order: list[int]) -> tuple[list[str], str]:
    """Options in a new order and the answer label remapped."""
    right = {options["ABCDE".index(a)] for a in answer}
    new = [options[i] for i in order]
    return new, "".join("ABCDE"[i] for i, t in enumerate(new) if t in right)


# ------------------------------------------------------------------ text


def test_dedup_text_normalizes_width_case_punctuation_and_cjk_spaces() -> None:
    a = make_item("s", "1", "下列哪项是 DNA 的组成成分？（  ）", ["脱氧核糖", "核糖"])
    b = make_item("s", "2", "下列哪项是ＤＮＡ的组成成分?", ["核糖", "脱氧核糖"])
    assert dedup_text(a) == dedup_text(b) == "下列哪项是dna的组成成分\n核糖\n脱氧核糖"
    assert exact_key(dedup_text(a)) == exact_key(dedup_text(b))
    assert dedup_text({"question": "Which drug, if any, is first-line?"}) == (
        "which drug if any is first line"
    )


def test_shingles_stay_inside_fields_and_cjk_uses_its_own_size() -> None:
    assert shingles("abcdef", 5) == {"abcde", "bcdef"}
    assert shingles("ab\nabcdef", 5) == {"ab", "abcde", "bcdef"}  # nothing spans the newline
    assert shingles("心力衰竭诱因", 5, cjk_n=3) == {"心力衰", "力衰竭", "衰竭诱", "竭诱因"}
    assert shingles("", 5) == set()


def test_answer_key_is_label_free() -> None:
    a = make_item("s", "1", STEM, OPTIONS, "A")
    opts, ans = shuffled(OPTIONS, "A", [4, 3, 2, 1, 0])
    b = make_item("s", "2", STEM, opts, ans)
    assert ans == "E" and answer_key(a) == answer_key(b) == "感染"


# ------------------------------------------------------------------ pinned pairs


def test_exact_duplicate_merged_as_exact() -> None:
    a = make_item("s", "1", "患者，男，45岁。最可能的诊断是", ["肺炎", "肺癌", "COPD"])
    b = make_item("s", "2", "患者, 男, 45 岁.  最可能的诊断是", ["肺炎", "肺癌", "ｃｏｐｄ"])
    kept, merged = run(frame(a, b))
    assert kept.height == 1 and merged.height == 1
    row = merged.row(0, named=True)
    assert row["match"] == "exact" and row["jaccard"] == 1.0
    assert row["duplicate_of"] == kept["item_id"][0] == min(a["item_id"], b["item_id"])
    assert row["cluster_id"] == kept["cluster_id"][0] == cluster_id_of(row["duplicate_of"])


def test_shuffled_options_merged_as_near_with_the_priority_representative() -> None:
    original = make_item("exam", "1", STEM, OPTIONS, "A")
    opts, ans = shuffled(OPTIONS, "A", [2, 0, 4, 1, 3])
    copy = make_item("scraped", "1", STEM, opts, ans)
    for first, other in ((original, copy), (copy, original)):
        kept, merged = run(frame(original, copy), source_priority=[first["source"]])
        assert kept["item_id"].to_list() == [first["item_id"]]
        row = merged_row(merged, other)
        assert row["match"] == "near" and row["jaccard"] == 1.0
        assert row["duplicate_of"] == first["item_id"]


def test_paraphrase_above_threshold_merged() -> None:
    a = make_item("s", "1", STEM, OPTIONS, "A")
    b = make_item("s", "2", "以下哪一项是心力衰竭最常见的诱因", OPTIONS, "A")
    kept, merged = run(frame(a, b))
    row = merged.row(0, named=True)
    assert kept.height == 1 and row["match"] == "near"
    assert 0.6 <= row["jaccard"] < 0.8  # merged through the MCQ threshold (answers agree)
    assert row["jaccard"] == pytest.approx(0.740741)  # pinned


def test_same_stem_different_options_not_merged() -> None:
    stem = "关于阿司匹林的叙述，正确的是"
    a = make_item("s", "1", stem, ["小剂量抑制血小板聚集", "可引起瑞夷综合征", "无胃肠道反应"], "A")
    b = make_item("s", "2", stem, ["属于抗凝血药", "过量可致水杨酸反应", "不影响凝血时间"], "B")
    kept, merged = run(frame(a, b))
    assert kept.height == 2 and merged.height == 0
    sets = [shingles(dedup_text(r), 5, cjk_n=3) for r in (a, b)]
    assert jaccard(*sets) == pytest.approx(0.244444, abs=1e-6)  # pinned: far below 0.6
    kept, merged = run(
        frame(a, b), answer_must_agree=False, jaccard_threshold=0.5, lsh_threshold=0.4
    )
    assert merged.height == 0


def test_shared_option_list_with_different_answers_not_merged() -> None:
    """Exam banks reuse one option list for several stems: different questions."""
    options = ["凝滞主痛", "善行数变", "易发肿疡", "耗气伤津", "黏滞重浊"]
    a = make_item("s", "1", "湿邪的性质与致病特点是", options, "E")
    b = make_item("s", "2", "寒邪的性质与致病特点是", options, "A")
    sets = [shingles(dedup_text(r), 5, cjk_n=3) for r in (a, b)]
    assert jaccard(*sets) == pytest.approx(0.9)  # pinned: textually near
    _, merged = run(frame(a, b))
    assert merged.height == 0
    _, merged = run(frame(a, b), answer_must_agree=False)
    assert merged.height == 1  # what the answer check prevents


def test_english_vignettes_sharing_options_and_answer_need_the_general_threshold() -> None:
    """The relaxed MCQ threshold is for CJK stems only: templated English vignettes stay."""
    options = ["Hypothyroidism", "Diabetes mellitus", "Iron deficiency anemia", "Depression"]
    tail = "He also reports weight loss. Which of the following is the most likely diagnosis?"
    head = "A {} comes to the physician because of {}. " + tail
    q1 = head.format("45-year-old man", "fatigue for 3 weeks")
    q2 = head.format("67-year-old man", "polyuria for 2 months")
    a = make_item("en", "1", q1, options, "B", language="en")
    b = make_item("en", "2", q2, options, "B", language="en")
    sets = [shingles(dedup_text(r), 5, cjk_n=3) for r in (a, b)]
    assert jaccard(*sets) == pytest.approx(0.762557, abs=1e-6)  # pinned: above the CJK MCQ 0.6
    _, merged = run(frame(a, b))
    assert merged.height == 0
    _, merged = run(frame(a, b), jaccard_threshold=0.75)
    assert merged.height == 1


def test_same_question_keyed_differently_is_still_one_cluster() -> None:
    """Same stem and option set: one question, whichever key a copy carries (exact group)."""
    a = make_item("s", "1", STEM, OPTIONS, "A")
    b = make_item("s", "2", STEM, OPTIONS, "B")
    kept, merged = run(frame(a, b))
    assert kept.height == 1 and merged.row(0, named=True)["match"] == "exact"


def test_cross_source_duplicate_takes_representative_from_priority_source() -> None:
    rows = [
        make_item("cmexam", "17", STEM, OPTIONS, "A"),
        make_item("web", "3", STEM.replace("下列", "以下"), OPTIONS, "A"),
        make_item("forum", "9", STEM + "（ ）", OPTIONS, "A"),
    ]
    for priority in (["web", "cmexam"], ["forum"], ["cmexam"]):
        kept, merged = run(frame(*rows), source_priority=priority)
        assert kept["source"].to_list() == [priority[0]]
        assert set(merged["duplicate_of"]) == {kept["item_id"][0]}
        assert merged.height == 2
    kept, _ = run(frame(*rows))  # no priority: lowest item_id
    assert kept["item_id"][0] == min(r["item_id"] for r in rows)


def test_english_open_qa_near_duplicate_and_unrelated_records() -> None:
    a = make_item(
        "en",
        "1",
        "What is the first-line treatment for uncomplicated hypertension in adults?",
        kind="open_qa",
        language="en",
        answer_text="A thiazide diuretic, ACE inhibitor, ARB or calcium channel blocker.",
    )
    b = make_item(
        "en",
        "2",
        "What is the first line treatment for uncomplicated hypertension in an adult?",
        kind="open_qa",
        language="en",
        answer_text="A thiazide diuretic, ACE inhibitor, ARB or calcium channel blocker.",
    )
    note = "Patient is a 54-year-old man with chest pain radiating to the left arm for 2 hours."
    c = make_item("en", "3", None, kind="record", language="en", context=note)
    d = make_item("en", "4", None, kind="record", language="en", context=note.replace("54", "61"))
    e = make_item(
        "en",
        "5",
        None,
        kind="record",
        language="en",
        context="Follow-up visit for type 2 diabetes; HbA1c improved to 6.9% on metformin.",
    )
    kept, merged = run(frame(a, b, c, d, e))
    pairs = {(r["item_id"], r["duplicate_of"]) for r in merged.to_dicts()}
    assert {frozenset(p) for p in pairs} == {
        frozenset((a["item_id"], b["item_id"])),
        frozenset((c["item_id"], d["item_id"])),
    }
    assert kept.height == 3


# ------------------------------------------------------------------ stage contract


def corpus() -> list[dict[str, Any]]:
    opts, ans = shuffled(OPTIONS, "A", [1, 2, 3, 4, 0])
    return [
        make_item("a", "1", STEM, OPTIONS, "A"),
        make_item("a", "2", "下列哪项是心力衰竭最常见的诱因", OPTIONS, "A"),
        make_item("b", "1", STEM, opts, ans),
        make_item("b", "2", "肝硬化最常见的并发症是", ["上消化道出血", "肝性脑病", "感染"], "A"),
        make_item(
            "b", "3", "肝硬化最常见的并发症是", ["自发性腹膜炎", "肝肾综合征", "原发性肝癌"], "B"
        ),
        make_item(
            "c", "1", "伤寒最具特征性的病变部位在", ["回肠下段淋巴结", "结肠", "乙状结肠"], "A"
        ),
        make_item(
            "c", "2", "伤寒最具特征性的病变部位在", ["回肠下段淋巴结", "结肠", "乙状结肠"], "A"
        ),
    ]


def test_accounting_and_output_shapes() -> None:
    rows = corpus()
    kept, merged = run(frame(*rows), source_priority=["b"])
    assert kept.height + merged.height == len(rows)
    assert set(kept["item_id"]) | set(merged["item_id"]) == {r["item_id"] for r in rows}
    assert not set(kept["item_id"]) & set(merged["item_id"])
    assert kept.schema == ITEM_SCHEMA and kept.columns == ITEM_SCHEMA.names()
    assert merged.schema == MERGED_SCHEMA and merged.columns == MERGED_SCHEMA.names()
    assert kept["cluster_id"].null_count() == 0
    assert set(merged["cluster_id"]) <= set(kept["cluster_id"])
    assert set(merged["duplicate_of"]) <= set(kept["item_id"])
    assert kept.select("source", "item_id").equals(kept.select("source", "item_id").sort("*"))
    singles = kept.filter(~pl.col("cluster_id").is_in(merged["cluster_id"].implode()))
    assert all(cluster_id_of(i) == c for i, c in singles.select("item_id", "cluster_id").rows())
    assert merged.height == 3  # a/1 + a/2 + b/1 (cluster of 3) and c/1 + c/2
    assert sorted(merged["match"]) == ["exact", "near", "near"]


def test_deterministic_across_runs_and_input_order() -> None:
    rows = corpus()
    first = run(frame(*rows))
    second = run(frame(*rows))
    reordered = run(frame(*reversed(rows)))
    for a, b, c in zip(first, second, reordered, strict=True):
        assert a.equals(b) and a.equals(c)


def test_repeated_item_id_is_refused() -> None:
    row = make_item("a", "1", STEM, OPTIONS, "A")
    with pytest.raises(ValueError, match="item_id repeats"):
        run(frame(row, row))


def test_config_rejects_lsh_threshold_above_merge_threshold() -> None:
    with pytest.raises(ValueError, match="lsh_threshold"):
        DedupConfig(lsh_threshold=0.7, cjk_mcq_jaccard_threshold=0.6)
    with pytest.raises(ValueError, match="cjk_mcq_jaccard_threshold"):
        DedupConfig(jaccard_threshold=0.7, cjk_mcq_jaccard_threshold=0.8)
    with pytest.raises(ValueError, match="extra"):
        DedupConfig.model_validate({"shingle": 3})


# ------------------------------------------------------------------ contamination


def test_index_finds_a_planted_item() -> None:
    release = frame(*corpus()).collect()
    index = DedupIndex.build(release, DedupConfig())
    assert len(index) == release.height
    opts, ans = shuffled(OPTIONS, "A", [4, 3, 2, 1, 0])
    planted = make_item("new", "7", "以下哪一项是心力衰竭最常见的诱因？", opts, ans)
    fresh = make_item("new", "8", "急性胰腺炎最常见的病因是", ["胆道疾病", "酗酒", "高脂血症"], "A")
    hits = index.near_duplicates(frame(planted, fresh))
    assert {h[0] for h in hits} == {planted["item_id"]}
    assert {h[1] for h in hits} == {item_id("a", "1"), item_id("a", "2"), item_id("b", "1")}
    assert all(0.6 <= h[2] <= 1.0 for h in hits)
    exact = index.near_duplicates(frame(make_item("new", "9", STEM, OPTIONS, "A")))
    assert (item_id("new", "9"), item_id("a", "1"), 1.0) in exact


def test_ngram_overlap() -> None:
    passage = (
        "The patient was started on intravenous ceftriaxone and azithromycin for "
        "community acquired pneumonia and improved over three days."
    )
    question = (
        "Started on intravenous ceftriaxone and azithromycin for community acquired pneumonia"
    )
    assert ngram_overlap(question, passage, n=8) == 1.0
    assert ngram_overlap(question.upper(), passage, n=8) == 1.0  # normalized
    assert ngram_overlap("An unrelated sentence about renal function tests", passage) == 0.0
    zh = "患者男性45岁因发热咳嗽三天入院查体右下肺可闻及湿啰音"
    assert ngram_overlap("发热咳嗽三天入院查体右下肺可闻及", zh) == 1.0  # CJK: characters
    assert 0.0 < ngram_overlap("发热咳嗽三天入院查体右下肺可闻及哮鸣音和干啰音", zh) < 1.0
    assert ngram_overlap("", zh) == 0.0


# ------------------------------------------------------------------ command


def test_run_dedup_reads_tagged_items_and_writes_a_checked_report(tmp_path: Path) -> None:
    paths = ProjectPaths(tmp_path)
    rows = corpus()
    for source in ("a", "b", "c"):
        out = tmp_path / "data" / "tagged" / f"{source}.parquet"
        out.parent.mkdir(parents=True, exist_ok=True)
        pl.DataFrame([r for r in rows if r["source"] == source], schema=ITEM_SCHEMA).write_parquet(
            out
        )
    config = DedupConfig(source_priority=["b"])
    report = run_dedup(paths, config, ["a", "b", "c"])
    assert (report.rows_in, report.kept, report.merged, report.quarantined) == (7, 4, 3, 0)
    d = report.details
    assert d["inputs"] == {"a": "tagged", "b": "tagged", "c": "tagged"}
    assert d["clusters"] == 4 and d["exact_pairs"] == 1 and d["near_pairs"] == 2
    assert d["cross_source_merged"] == 2
    assert d["by_source"]["a"] == {"in": 2, "kept": 0, "merged": 2}
    assert d["by_source"]["b"] == {"in": 3, "kept": 3, "merged": 0}
    saved = json.loads(paths.report("dedup").read_text(encoding="utf-8"))
    assert saved["merged"] == 3
    text = paths.report("dedup").read_text(encoding="utf-8")
    assert not any(r["question"][:6] in text for r in rows)  # counts only, no record text
    curated = pl.read_parquet(curated_path(paths))
    assert curated.height == 4 and curated.schema == ITEM_SCHEMA
    assert pl.read_parquet(merged_path(paths)).height == 3
    first = curated_path(paths).read_bytes()
    run_dedup(paths, config, ["a", "b", "c"])
    assert curated_path(paths).read_bytes() == first  # byte-stable


def test_run_dedup_names_a_missing_input_and_never_falls_back(tmp_path: Path) -> None:
    """A source that is de-identified but not tagged is an error naming the tagged file and
    the command that makes it, not a silent read of a less processed input."""
    from curation.errors import InputFileError

    deid = tmp_path / "data" / "deid" / "x.parquet"
    deid.parent.mkdir(parents=True)
    pl.DataFrame([corpus()[0]], schema=ITEM_SCHEMA).write_parquet(deid)
    with pytest.raises(InputFileError, match=r"data/tagged/x\.parquet does not exist") as raised:
        run_dedup(ProjectPaths(tmp_path), DedupConfig(), ["x"])
    assert "curate tag run x" in raised.value.hint
    assert not (tmp_path / "data" / "curated.parquet").exists()


def test_same_question_signal_flags_kept_items_sharing_a_question() -> None:
    """Questions that stay apart (different options or key) are still reported for review."""
    import polars as pl

    from curation.commands.dedup import same_question_signal

    kept = pl.DataFrame(
        {"question": ["下列错误的是", "下列错误的是？", "下列正确的是", None, "Which is wrong"]}
    )
    assert same_question_signal(kept) == {"same_question_groups": 1, "same_question_items": 2}
