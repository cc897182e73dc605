"""OpenCompass datasets of a release, in its documented custom MCQ format.

What OpenCompass reads (open-compass/opencompass, ``opencompass/datasets/custom.py`` and
``docs/en/advanced_guides/custom_dataset.md``):

* ``parse_example_dataset`` looks at the **first row** of a ``.jsonl`` file only: the options are
  the consecutive single capital letters ``A``, ``B``, … among its keys, the reference column is
  ``answer``, every other key is an input column, and the file is an ``mcq`` dataset when it finds
  more than one option (otherwise ``qa``). A ``<file>.meta.json`` beside the file is merged over
  what it parsed (``abbr``, ``data_type``, ``infer_method``, ``options``, ``input_columns``,
  ``output_column``, ``human_prompt``, ``bot_prompt``…).
* ``CustomDataset.load`` builds the rows with ``datasets.Dataset.from_list``, whose columns are the
  first row's keys: every row therefore carries every option letter of its file, ``null`` where
  an item has fewer options (option E of a four-option item).
* ``make_mcq_gen_config`` scores with ``OptionSimAccEvaluator(options)``: the prediction is reduced
  to **one** option letter (the bare letter, else ``first_option_postprocess``, else the option
  whose text it contains, else the nearest option) and compared with ``answer``. A key of several
  letters (``AC``) can never match, so multi-answer MCQs are left out (counted in the README).
  ``None`` option texts are skipped by the evaluator.
* Extra keys are read and kept but unused unless named in the meta: ``item_id`` stays, and so does
  ``prompt`` (the item as shown: context, stem, the item's own options), which the meta's
  ``human_prompt`` uses so that a four-option item is never shown an ``E. None`` line.

Output: ``exports/opencompass/<config>_<split>.jsonl`` + ``.jsonl.meta.json`` per MCQ config and
split, and a README with the counts left out. Keys and rows are sorted (byte-reproducible).
"""

from __future__ import annotations

import json
import string
from pathlib import Path
from typing import Any

import polars as pl

from curation.release.exports import write_jsonl

# OpenCompass's default MCQ prompt is 'Question: {question}\nA. {A}\n…' (make_mcq_gen_config);
# ``prompt`` renders the same lines for the item's own options only.
HUMAN_PROMPT = "Question: {prompt}"
BOT_PROMPT = "Answer: {answer}"


def _letters(row: dict[str, Any]) -> dict[str, str]:
    """Option label → the letter OpenCompass sees (A, B, … by display order)."""
    return {o["label"]: string.ascii_uppercase[i] for i, o in enumerate(row["options"])}


def _stem(row: dict[str, Any]) -> str:
    return "\n".join(p for p in (row.get("context"), row.get("question")) if p)


def _record(row: dict[str, Any], letters: list[str]) -> dict[str, Any]:
    mapping = _letters(row)
    texts = {mapping[o["label"]]: o["text"] for o in row["options"]}
    stem = _stem(row)
    lines = [stem] + [f"{letter}. {texts[letter]}" for letter in letters if letter in texts]
    return {
        "item_id": row["item_id"],
        "question": stem,
        "prompt": "\n".join(lines),
        "answer": mapping[row["answer_labels"][0]],
        **{letter: texts.get(letter) for letter in letters},
    }


def _meta(abbr: str, letters: list[str], keys: list[str]) -> dict[str, Any]:
    return {
        "abbr": abbr,
        "data_type": "mcq",
        "infer_method": "gen",
        "options": letters,
        "input_columns": [k for k in keys if k not in ("answer", "item_id")],
        "output_column": "answer",
        "human_prompt": HUMAN_PROMPT,
        "bot_prompt": BOT_PROMPT,
    }


def opencompass(frame: pl.DataFrame, out: Path) -> list[str]:
    """OpenCompass custom MCQ files (one per MCQ config × split) with their ``.meta.json``."""
    folder = out / "opencompass"
    written: list[str] = []
    summary: list[tuple[str, int, list[str], int]] = []
    for (config, split), group in sorted(
        frame.filter(pl.col("kind") == "mcq").group_by("config", "split")
    ):
        rows = sorted(group.iter_rows(named=True), key=lambda r: r["item_id"])
        single = [r for r in rows if len(r["answer_labels"]) == 1]
        left_out = len(rows) - len(single)
        if not single:
            summary.append((f"{config}_{split}.jsonl (not written)", 0, [], left_out))
            continue
        width = max(len(r["options"]) for r in single)
        letters = list(string.ascii_uppercase[:width])
        records = [_record(r, letters) for r in single]
        name = f"{config}_{split}.jsonl"
        write_jsonl(folder / name, records)
        meta = _meta(f"{config}_{split}", letters, sorted(records[0]))
        (folder / f"{name}.meta.json").write_text(
            json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        written += [f"exports/opencompass/{name}", f"exports/opencompass/{name}.meta.json"]
        summary.append((name, len(records), letters, left_out))
    if summary:
        (folder / "README.md").write_text(_readme(summary), encoding="utf-8")
        written.append("exports/opencompass/README.md")
    return written


def _readme(summary: list[tuple[str, int, list[str], int]]) -> str:
    table = "\n".join(
        f"| `{name}` | {n} | {''.join(letters) or '-'} | {left} |"
        for name, n, letters, left in summary
    )
    return (
        "# OpenCompass\n\n"
        "Custom MCQ datasets in OpenCompass's documented format (`question`, one key per option "
        "letter, `answer`), each with a `<file>.meta.json` that names its options (so a "
        "five-option file keeps `E`), `data_type: mcq`, `infer_method: gen` and the prompt. "
        "Scored by OpenCompass's `OptionSimAccEvaluator` (one letter per answer).\n\n"
        "```bash\npython run.py --models <model> "
        "--custom-dataset-path exports/opencompass/mcq_zh_test.jsonl\n```\n\n"
        "or in a config: `datasets = [{'path': '.../mcq_zh_test.jsonl'}]` (the meta file is "
        "found beside it).\n\n"
        "MCQs with several correct options are left out: OpenCompass's custom MCQ evaluator "
        "compares one predicted letter with the key, so they could never be scored.\n\n"
        "| file | items | options | multi-answer left out |\n|---|---|---|---|\n"
        f"{table}\n"
    )
