"""The OpenCompass export, read and scored the way OpenCompass reads and scores a custom dataset.

OpenCompass itself is not installed (``pip install opencompass`` pulls torch and CUDA), so the
rules below are re-implemented from its source, open-compass/opencompass:

* ``opencompass/datasets/custom.py`` — ``parse_example_dataset``: the first line of the
  ``.jsonl`` only; ``input_columns`` = its keys but ``answer``; ``output_column`` = ``answer`` if
  present; ``options`` = consecutive single capitals from ``A`` among its keys; ``abbr`` = file
  name before the first dot; ``data_type`` = ``mcq`` if more than one option else ``qa``;
  ``infer_method`` = ``gen``; then ``<path>.meta.json`` is merged over that.
  ``CustomDataset.load``: ``json.loads`` per line (``utf-8-sig``) → ``datasets.Dataset.from_list``
  (real library here: its columns are the first row's keys).
  ``make_mcq_gen_config`` → ``OptionSimAccEvaluator(options)``; ``match_any_label``: a
  prediction equal to an option letter is taken as is (the answer files below are bare letters,
  so the later fallbacks — ``first_option_postprocess``, option-text match, Levenshtein — never
  run); ``score``: ``parsed == reference`` → ``accuracy`` = correct / total × 100.
* ``opencompass/utils/prompt.py`` — ``safe_format``: ``template.replace('{key}', str(value))``
  for every column of the row (how ``human_prompt`` is filled).
* ``docs/en/advanced_guides/custom_dataset.md`` — the format: ``question``, ``A``, ``B``, …,
  ``answer``; non-default fields are read but unused.
"""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

import polars as pl
import pytest
from datasets import Dataset

from curation.identity import content_hash
from curation.release.exports.opencompass import opencompass
from tests.review_fixtures import accepted, make_item
from tests.test_release import items, project, release


def english(rng: random.Random) -> str:
    words = ["".join(rng.choice(string.ascii_lowercase) for _ in range(6)) for _ in range(30)]
    return " ".join(words).capitalize() + "?"


def cjk(rng: random.Random) -> str:
    return "".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(40)) + "？"


def mcq(key: str, rng: random.Random, language: str, n: int, answer: list[str]) -> dict:
    text = cjk if language == "zh" else english
    options = [(string.ascii_uppercase[i], text(rng)[:12]) for i in range(n)]
    row = make_item(key, language=language, question=text(rng), options=options, answer=answer)
    return accepted(row | {"cluster_id": f"c-{key}"})


def open_qa(key: str, rng: random.Random, language: str) -> dict:
    text = cjk if language == "zh" else english
    row = make_item(key, language=language, question=text(rng))  # an MCQ, made open below
    row |= {"kind": "open_qa", "options": [], "answer_labels": [], "answer_text": text(rng)}
    row["content_hash"] = content_hash(row)
    return accepted(row | {"cluster_id": f"c-{key}"})


def release_rows() -> list[dict]:
    """zh + en MCQs (four and five options, keyed A–E), multi-answer MCQs, open QA with a
    reference answer and a record without one."""
    rng = random.Random(11)
    rows = items(24)  # zh, four options, keyed A
    rows += [mcq(f"zb{k}", rng, "zh", 5, ["B"]) for k in range(4)]
    rows += [mcq(f"ze{k}", rng, "zh", 5, ["E"]) for k in range(3)]
    rows += [mcq(f"zm{k}", rng, "zh", 4, ["A", "C"]) for k in range(3)]
    rows += [mcq(f"en{k}", rng, "en", 4, ["ABCD"[k % 4]]) for k in range(16)]
    rows += [mcq(f"ee{k}", rng, "en", 5, ["E"]) for k in range(2)]
    rows += [open_qa(f"oz{k}", rng, "zh") for k in range(6)]
    rows += [open_qa(f"oe{k}", rng, "en") for k in range(6)]
    rows += [
        accepted(make_item(f"r{k}", kind="record", language="en", context=english(rng)))
        for k in range(2)
    ]
    return rows


def build(root: Path) -> Path:
    paths = project(root, release_rows())
    release(paths, "1.0.0")
    return paths.releases / "1.0.0"


def released(out: Path) -> pl.DataFrame:
    """The release's rows, with their config (the data folder)."""
    return pl.concat(
        [
            pl.read_parquet(p).with_columns(config=pl.lit(p.parent.name))
            for p in sorted(out.glob("data/*/*.parquet"))
        ],
        how="diagonal_relaxed",
    )


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("oc"))


# ------------------------------------------------------------------ OpenCompass, re-implemented
def parse_example_dataset(path: Path) -> dict:
    """opencompass/datasets/custom.py::parse_example_dataset (for a .jsonl path)."""
    with path.open(encoding="utf-8") as fh:
        data_item = json.loads(fh.readline())
    options = []
    for i in range(26):
        letter = chr(ord("A") + i)
        if letter not in data_item:
            break
        options.append(letter)
    parsed = {
        "path": str(path),
        "input_columns": [k for k in data_item if k != "answer"],
        "output_column": "answer" if "answer" in data_item else None,
        "options": options,
        "abbr": path.name.split(".")[0],
        "data_type": "mcq" if len(options) > 1 else "qa",
        "infer_method": "gen",
    }
    meta_path = Path(str(path) + ".meta.json")
    from_file = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    return parsed | from_file


def load(path: Path) -> Dataset:
    """opencompass/datasets/custom.py::CustomDataset.load (.jsonl)."""
    with path.open(encoding="utf-8-sig") as fh:
        return Dataset.from_list([json.loads(line) for line in fh])


def safe_format(template: str, **row) -> str:
    """opencompass/utils/prompt.py::safe_format."""
    for k, v in row.items():
        template = template.replace(f"{{{k}}}", str(v))
    return template


def option_sim_acc(options: list[str], predictions: list[str], test_set: Dataset) -> float:
    """OptionSimAccEvaluator.score with match_any_label's first branch (bare-letter answers)."""
    assert all(isinstance(o, str) and o.isupper() and len(o) == 1 for o in options)
    references = test_set["answer"]
    correct = 0
    for pred, refr in zip(predictions, references, strict=True):
        pred = pred.strip()
        parsed = pred if any(pred == o for o in options) else ""
        assert parsed, "answer files here are bare letters"
        correct += parsed == refr
    return correct / len(predictions) * 100


# ------------------------------------------------------------------------------------- tests
def files(out: Path) -> list[Path]:
    return sorted(out.glob("exports/opencompass/*.jsonl"))


def test_every_file_is_an_mcq_dataset_with_all_its_options(out: Path) -> None:
    rows = released(out)
    assert [p.name for p in files(out)] == sorted(
        f"{c}_{s}.jsonl"
        for c, s in rows.filter(kind="mcq").select("config", "split").unique().rows()
    )
    seen_e = False
    for path in files(out):
        config, split = path.stem.rsplit("_", 1)
        group = rows.filter(config=config, split=split)
        single = group.filter(pl.col("answer_labels").list.len() == 1)
        meta = parse_example_dataset(path)
        width = single["options"].list.len().max()
        assert meta["data_type"] == "mcq" and meta["infer_method"] == "gen"
        assert meta["output_column"] == "answer" and meta["abbr"] == path.stem
        assert meta["options"] == list(string.ascii_uppercase[:width])
        dataset = load(path)
        # Dataset.from_list keeps the first row's keys: every option letter must be a column
        assert set(meta["options"]) <= set(dataset.column_names)
        assert set(meta["input_columns"]) <= set(dataset.column_names)
        by_id = {r["item_id"]: r for r in single.iter_rows(named=True)}
        assert sorted(dataset["item_id"]) == sorted(by_id) == dataset["item_id"]
        for record in dataset:
            item = by_id[record["item_id"]]
            texts = {string.ascii_uppercase[i]: o["text"] for i, o in enumerate(item["options"])}
            assert {k: record[k] for k in meta["options"]} == {
                k: texts.get(k) for k in meta["options"]
            }
            assert record["answer"] in texts  # a key OpenCompass can score
            shown = safe_format(meta["human_prompt"], **record)
            assert "None" not in shown and all(f"{k}. {t}" in shown for k, t in texts.items())
            seen_e |= "E" in texts
    assert seen_e  # five-option items kept their E


def test_perfect_answers_score_100_and_wrong_ones_less(out: Path) -> None:
    rows = released(out)
    keys = {
        r["item_id"]: string.ascii_uppercase[[o["label"] for o in r["options"]].index(k[0])]
        for r in rows.filter(kind="mcq").iter_rows(named=True)
        if len(k := r["answer_labels"]) == 1
    }
    for path in files(out):
        meta, test_set = parse_example_dataset(path), load(path)
        perfect = [keys[i] for i in test_set["item_id"]]
        assert option_sim_acc(meta["options"], perfect, test_set) == 100
        wrong = [next(o for o in meta["options"] if o != k) for k in perfect]
        assert option_sim_acc(meta["options"], wrong, test_set) < 100


def test_multi_answer_mcqs_are_counted_in_the_readme(out: Path) -> None:
    rows = released(out).filter(kind="mcq")
    readme = (out / "exports/opencompass/README.md").read_text(encoding="utf-8")
    multi = rows.filter(pl.col("answer_labels").list.len() > 1)
    assert multi.height == 3
    for (config, split), group in rows.group_by("config", "split"):
        left = group.filter(pl.col("answer_labels").list.len() > 1).height
        kept = group.height - left
        assert f"| `{config}_{split}.jsonl` | {kept} |" in readme
        assert readme.split(f"`{config}_{split}.jsonl` |")[1].split("\n")[0].endswith(f" {left} |")


def test_export_is_byte_reproducible(out: Path, tmp_path: Path) -> None:
    frame = released(out).sample(fraction=1.0, shuffle=True, seed=3)
    opencompass(frame, tmp_path)
    mine = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    theirs = sorted(
        p.relative_to(out / "exports") for p in (out / "exports/opencompass").rglob("*")
    )
    assert mine == theirs
    for rel in mine:
        assert (tmp_path / rel).read_bytes() == (out / "exports" / rel).read_bytes()
