"""Task-config exports for MedS-Bench and OpenCompass, read the way their own code reads them.

Neither tool is installed (both pull torch); their reading rules are re-implemented here from
their source:

* MAGIC-AI4Med/MedS-Ins ``Evaluation/EvalDataset.py`` — ``InsDataset.__init__``: ``os.listdir``
  of the folder, ``json.load`` of every file, task id = ``task_json.split('_')[0]``, one query per
  ``Instances`` entry (``input``, ``output``), ``Task_definition[id]['original_def'] =
  data["Definition"]``, ``Pos_Ins_task_dic[id] = Instances``; ``__getitem__`` with ``ORI_INS = 1``:
  instruction = ``original_def[0]``; 3-shot: ``"Input:\\n" + input + "\\n" + "\\n" + "Output:\\n" +
  output + "\\n"`` per example, joined by blank lines, then the instruction and ``'Please learn
  from the few-shot cases to see what content you have to output.'``; query ``"Input:\\n" + input
  + "\\n" + "Output:\\n"``; ``default_build_inputs``: instruction + ``'\\n'`` + query.
* open-compass/opencompass ``opencompass/datasets/custom.py`` — ``parse_example_dataset`` (first
  line, options = consecutive capitals from ``A``, ``qa`` unless more than one option, abbr =
  file name before the first dot, ``<path>.meta.json`` merged over, the config over both);
  ``make_qa_gen_config`` (``human_prompt`` default ``{question}``, evaluator default
  ``AccEvaluator``); ``stringfy_types`` (``f'{v.__module__}.{v.__name__}'`` for every ``type``);
  ``CustomDataset.load`` (``json.loads`` per line, ``utf-8-sig``, ``Dataset.from_list``).
"""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from datasets import Dataset

from curation.release.exports import task_key
from curation.release.exports.meds_bench_tasks import meds_bench_tasks, task_number
from curation.release.exports.opencompass_tasks import opencompass_tasks
from curation.tasks.contract import FAMILY_NAMES, RELEASE_COLUMNS

SCHEMA = json.dumps(
    {
        "type": "object",
        "properties": {"drugs": {"type": "array", "items": {"type": "string"}}},
        "required": ["drugs"],
        "additionalProperties": False,
    },
    sort_keys=True,
)
# task, family, output type, scoring, labels, schema, {language: instruction}
TASKS: list[tuple[str, str, str, str, list[str], str, dict[str, str]]] = [
    (
        "triage_zh",
        "text_classification",
        "label",
        "accuracy",
        ["急诊", "门诊", "住院"],
        "",
        {"zh": "阅读病历，判断患者应去急诊、门诊还是住院。只回答其中一项。"},
    ),
    (
        "discharge_summary_zh",
        "summarization",
        "free_text",
        "rouge_l",
        [],
        "",
        {"zh": "请用三句话总结这份出院记录。"},
    ),
    (
        "discharge_summary_en",
        "summarization",
        "free_text",
        "rouge_l",
        [],
        "",
        {"en": "Summarize this discharge note in three sentences."},
    ),
    (
        "medications",
        "information_extraction",
        "fields",
        "f1",
        [],
        SCHEMA,
        {
            "en": "List the discharge medications as JSON.",
            "zh": "以 JSON 列出出院带药。",
        },
    ),
]
SPLITS = {"train": 7, "dev": 2, "test": 3}
NO_REFERENCE = "discharge_summary_en"  # one of its test rows has an empty reference
MEDS_KEYS = {
    "Contributors",
    "Source",
    "URL",
    "Categories",
    "Reasoning",
    "Definition",
    "Input_language",
    "Output_language",
    "Instruction_language",
    "Domains",
    "Positive Examples",
    "Negative Examples",
    "Split Type",
    "Instances",
}


def text(rng: random.Random, language: str, n: int = 12) -> str:
    if language == "zh":
        return "".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(n * 2)) + "。"
    return " ".join("".join(rng.choice("abcdefghij") for _ in range(5)) for _ in range(n)) + "."


def reference(rng: random.Random, output_type: str, labels: list[str], language: str) -> str:
    if output_type == "label":
        return rng.choice(labels)
    if output_type == "fields":
        return json.dumps({"drugs": [text(rng, language, 2)]}, ensure_ascii=False)
    return text(rng, language, 6)


def task_frame() -> pl.DataFrame:
    """A task release frame: ``config`` + RELEASE_COLUMNS, every task in train, dev and test."""
    rng = random.Random(7)
    rows: list[dict[str, Any]] = []
    for task, family, output_type, scoring, labels, schema, instructions in TASKS:
        for language, instruction in instructions.items():
            for split, n in SPLITS.items():
                for k in range(n):
                    item = f"{task}-{language}-{split}-{k}"
                    rows.append(
                        {
                            "config": f"task_{task}",
                            "instance_id": f"i-{item}",
                            "item_id": f"it-{item}",
                            "cluster_id": f"c-{item}",
                            "split": split,
                            "task": task,
                            "family": family,
                            "dimension": None,
                            "language": language,
                            "instruction": instruction,
                            "input": text(rng, language, 20),
                            "reference": ""
                            if (task, split, k) == (NO_REFERENCE, "test", 0)
                            else reference(rng, output_type, labels, language),
                            "output_type": output_type,
                            "labels": labels,
                            "output_schema": schema,
                            "scoring": scoring,
                            "reference_origin": "authored",
                            "source": "demo_notes",
                            "license": "CC-BY-4.0",
                            "specialty_code": "03.04",
                        }
                    )
    frame = pl.DataFrame(rows, schema_overrides={"dimension": pl.String})
    assert frame.columns == ["config", *RELEASE_COLUMNS]
    return frame


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    return task_frame()


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory, frame: pl.DataFrame) -> Path:
    root = tmp_path_factory.mktemp("tasks") / "exports"
    meds_bench_tasks(frame, root, "Test bench", "https://example.org")
    opencompass_tasks(frame, root)
    return root


def scored(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows an export keeps: those with a reference (and an input)."""
    return frame.filter((pl.col("reference") != "") & (pl.col("input") != ""))


# ------------------------------------------------------------------- MedS-Ins, re-implemented
def ins_dataset(root: Path) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
    """EvalDataset.InsDataset.__init__: (Instances, Task_definition, Pos_Ins_task_dic)."""
    instances, definitions, pool = [], {}, {}
    for task_json in os.listdir(root):
        task_id = task_json.split("_")[0]
        with open(root / task_json, encoding="utf-8") as fh:
            data = json.load(fh)
        for case in data["Instances"]:
            instances.append({"task_id": task_id, "input": case["input"], "output": case["output"]})
        definitions[task_id] = {"original_def": data["Definition"]}
        pool[task_id] = data["Instances"]
    return instances, definitions, pool


def get_item(
    case: dict[str, Any], definitions: dict[str, Any], pool: dict[str, Any], shots: bool
) -> dict[str, str]:
    """EvalDataset.InsDataset.__getitem__ (ORI_INS = 1) with default_build_inputs, no BOS."""
    instruction = definitions[case["task_id"]]["original_def"][0]
    query = case["input"]
    if shots:
        examples = random.Random(0).sample(
            pool[case["task_id"]], min(len(pool[case["task_id"]]), 3)
        )
        few_shot = [
            "Input:\n" + e["input"] + "\n" + "\n" + "Output:\n" + e["output"] + "\n"
            for e in examples
        ]
        instruction = (
            "\n\n".join(few_shot)
            + "\n\n"
            + instruction
            + "Please learn from the few-shot cases to see what content you have to output."
        )
        query = "Input:\n" + case["input"] + "\n" + "Output:\n"
    output = case["output"][0] if isinstance(case["output"], list) else case["output"]
    return {"input": instruction + "\n" + query, "output": output}


def test_meds_bench_folders_load_with_its_reading_rules(out: Path, frame: pl.DataFrame) -> None:
    kept = scored(frame)
    for split in SPLITS:
        folder = out / "meds_bench" / split
        names = sorted(os.listdir(folder))
        assert all(re.fullmatch(r"task\d+_[a-z0-9_]+\.json", n) for n in names), names
        ids = [n.split("_")[0] for n in names]
        assert len(ids) == len(set(ids))  # no two files merge into one task
        assert all(20000 <= int(i[4:]) < 90000 for i in ids)  # clear of 9000–9999 and MedS's own
        instances, definitions, pool = ins_dataset(folder)
        found: dict[str, set[tuple[str, str]]] = {}
        for case in instances:
            found.setdefault(case["task_id"], set()).add((case["input"], case["output"]))
            prompt = get_item(case, definitions, pool, shots=True)
            assert prompt["output"] == case["output"] and case["input"] in prompt["input"]
        rows = kept.filter(split=split)
        expected: dict[str, set[tuple[str, str]]] = {}
        for r in rows.iter_rows(named=True):
            task_id = f"task{task_number(task_key(r['task'], r['language']))}"
            expected.setdefault(task_id, set()).add((r["input"], r["reference"]))
            assert definitions[task_id]["original_def"] == [r["instruction"]]
            zero_shot = get_item(
                {"task_id": task_id, "input": r["input"], "output": ""},
                definitions,
                pool,
                shots=False,
            )
            assert zero_shot["input"] == r["instruction"] + "\n" + r["input"]
        assert found == expected  # every instance of the split, and nothing else
        others = frame.filter(pl.col("split") != split)
        leaked = {(r["input"], r["reference"]) for r in others.iter_rows(named=True)}
        assert not leaked & set().union(*found.values())


def test_meds_bench_files_describe_their_task(out: Path, frame: pl.DataFrame) -> None:
    languages = {"zh": "Chinese", "en": "English"}
    train = scored(frame).filter(split="train")
    keyed = frame.with_columns(
        key=pl.struct("task", "language").map_elements(
            lambda s: task_key(s["task"], s["language"]), return_dtype=pl.String
        )
    )
    for path in sorted((out / "meds_bench").rglob("task*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        key = path.stem.split("_", 1)[1]
        rows = keyed.filter(key=key)
        first = rows.row(0, named=True)
        assert set(document) == MEDS_KEYS
        assert path.stem.split("_")[0] == f"task{task_number(key)}"
        assert document["Categories"] == [FAMILY_NAMES[first["family"]]]
        assert document["Definition"] == [first["instruction"]]
        name = languages[first["language"]]
        assert document["Input_language"] == document["Output_language"] == [name]
        assert document["Instruction_language"] == [name]  # our instruction: instance language
        assert document["Split Type"] == ("Train" if path.parent.name == "train" else "Test")
        assert document["Contributors"] == ["Test bench"]
        assert document["URL"] == ["https://example.org"] and document["Source"] == ["demo_notes"]
        assert all(isinstance(i["output"], str) for i in document["Instances"])
        ids = [i["id"] for i in document["Instances"]]
        assert ids == sorted(ids)
        examples = {(e["input"], e["output"]) for e in document["Positive Examples"]}
        same_train = {
            (r["input"], r["reference"])
            for r in train.join(rows.select("instance_id"), on="instance_id").iter_rows(named=True)
        }
        assert examples and examples <= same_train  # train instances of this task only
    # a two-language task is two MedS-Bench tasks, each with its own Definition
    assert len(list((out / "meds_bench/test").glob("task*_medications_*.json"))) == 2
    for name in ("task*_medications_en.json", "task*_medications_zh.json"):
        assert len(list((out / "meds_bench/test").glob(name))) == 1


def test_meds_bench_readme_counts_and_scoring(out: Path) -> None:
    assert not (out / "meds_bench/test/README_tasks.md").exists()  # the loader reads every file
    readme = (out / "meds_bench/README_tasks.md").read_text(encoding="utf-8")
    en = task_number("discharge_summary_en")
    line = next(x for x in readme.splitlines() if f"`test/task{en}_discharge_summary_en.json`" in x)
    assert "| 2 | 1 |" in line  # 2 instances, 1 left out without a reference
    assert f"TextSummarization.py --files <eval.py CSV> --primary_task_ids task{en}`" in readme
    zh = task_number("discharge_summary_zh")
    line = next(x for x in readme.splitlines() if f"`test/task{zh}_discharge_summary_zh" in x)
    assert "lang='zh'" in line
    assert "field F1" in next(x for x in readme.splitlines() if "medications_en.json`" in x)


# ---------------------------------------------------------------- OpenCompass, re-implemented
def parse_example_dataset(config: dict[str, Any]) -> dict[str, Any]:
    """opencompass/datasets/custom.py::parse_example_dataset (.jsonl)."""
    path = config["path"]
    with open(path, encoding="utf-8") as fh:
        data_item = json.loads(fh.readline())
    options = []
    for i in range(26):
        letter = chr(ord("A") + i)
        if letter not in data_item:
            break
        options.append(letter)
    parsed = {
        "path": path,
        "input_columns": [k for k in data_item if k != "answer"],
        "output_column": "answer" if "answer" in data_item else None,
        "options": options,
        "abbr": os.path.basename(path).split(".")[0],
        "data_type": "mcq" if len(options) > 1 else "qa",
        "infer_method": "gen",
    }
    meta_path = config.get("meta_path", path + ".meta.json")
    from_file = (
        json.loads(Path(meta_path).read_text(encoding="utf-8")) if os.path.exists(meta_path) else {}
    )
    return parsed | from_file | config


def load(path: str) -> Dataset:
    """opencompass/datasets/custom.py::CustomDataset.load (.jsonl)."""
    with open(path, encoding="utf-8-sig") as fh:
        return Dataset.from_list([json.loads(line) for line in fh])


def qa_prompt(meta: dict[str, Any], row: dict[str, Any]) -> str:
    """make_qa_gen_config's HUMAN prompt, filled like opencompass/utils/prompt.py::safe_format."""
    template = meta.get("human_prompt", "{question}")
    for k, v in row.items():
        template = template.replace(f"{{{k}}}", str(v))
    return template


def test_opencompass_files_are_qa_datasets(out: Path, frame: pl.DataFrame) -> None:
    folder = out / "opencompass"
    kept = scored(frame)
    expected = {
        f"task_{task_key(t, lang)}_{s}.jsonl"
        for t, lang, s in frame.select("task", "language", "split").unique().rows()
    }
    assert {p.name for p in folder.glob("*.jsonl")} == expected
    assert "task_triage_zh_test.jsonl" in expected  # = <config>_<split> for a one-language task
    for path in sorted(folder.glob("*.jsonl")):
        meta = parse_example_dataset({"path": str(path)})
        assert meta["data_type"] == "qa" and meta["infer_method"] == "gen"
        assert meta["abbr"] == path.name.split(".")[0] and meta["output_column"] == "answer"
        assert "question" in meta["input_columns"]
        # stringfy_types would call __module__ on a string evaluator: none may be in the meta
        assert "evaluator" not in json.loads(Path(f"{path}.meta.json").read_text("utf-8"))
        dataset = load(str(path))
        assert set(meta["input_columns"]) | {"answer"} <= set(dataset.column_names)
        by_id = {r["instance_id"]: r for r in kept.iter_rows(named=True)}
        ids = dataset["instance_id"]
        assert ids == sorted(ids)
        key, split = path.stem.rsplit("_", 1)
        assert {
            r["instance_id"]
            for r in kept.filter(split=split).iter_rows(named=True)
            if f"task_{task_key(r['task'], r['language'])}" == key
        } == set(ids)
        for record in dataset:
            row = by_id[record["instance_id"]]
            assert row["split"] == split
            assert record["answer"] == row["reference"]
            assert qa_prompt(meta, record) == row["instruction"] + "\n\n" + row["input"]
    readme = (folder / "README_tasks.md").read_text(encoding="utf-8")
    assert "| `task_discharge_summary_en_test.jsonl` | 2 | 1 |" in readme
    assert "JiebaRougeEvaluator" in next(
        x for x in readme.splitlines() if "`task_discharge_summary_zh_test.jsonl`" in x
    )
    assert "`AccEvaluator`" in next(x for x in readme.splitlines() if "`task_triage_zh_dev" in x)


# --------------------------------------------------------------------------- determinism, errors
def test_re_export_is_byte_identical(out: Path, frame: pl.DataFrame, tmp_path: Path) -> None:
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=3)
    paths = meds_bench_tasks(shuffled, tmp_path, "Test bench", "https://example.org")
    paths += opencompass_tasks(shuffled, tmp_path)
    mine = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    theirs = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert mine == theirs == sorted(p.removeprefix("exports/") for p in paths)
    for rel in mine:
        assert (tmp_path / rel).read_bytes() == (out / rel).read_bytes()


def test_colliding_task_numbers_fail(frame: pl.DataFrame, tmp_path: Path) -> None:
    assert task_number("task198_zh") == task_number("task301_zh")  # crc32 mod 70000
    one = frame.filter(task="triage_zh")
    colliding = pl.concat(
        [
            one.with_columns(task=pl.lit(name), config=pl.lit(f"task_{name}"))
            for name in ("task198_zh", "task301_zh")
        ]
    )
    with pytest.raises(ValueError, match=r"task77525 is shared by tasks 'task198_zh' and"):
        meds_bench_tasks(colliding, tmp_path, "Test bench")
    assert not (tmp_path / "meds_bench").exists()


def test_a_number_already_used_in_the_folder_fails(frame: pl.DataFrame, tmp_path: Path) -> None:
    number = task_number("triage_zh")
    (tmp_path / "meds_bench/test").mkdir(parents=True)
    (tmp_path / f"meds_bench/test/task{number}_other.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match=f"already uses MedS-Bench task number task{number}"):
        meds_bench_tasks(frame, tmp_path, "Test bench")
    assert [p.name for p in (tmp_path / "meds_bench").rglob("*")] == [
        "test",
        f"task{number}_other.json",
    ]  # checked before anything is written


def test_a_frame_without_the_release_columns_fails(frame: pl.DataFrame, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="lacks column"):
        meds_bench_tasks(frame.drop("instruction"), tmp_path, "x")
    with pytest.raises(ValueError, match="lacks column"):
        opencompass_tasks(frame.drop("reference"), tmp_path)
