"""lm-evaluation-harness tasks of a release: one group, one multiple-choice task per MCQ config.

Layout under ``exports/lm_eval/`` (``NAME`` is the release name's slug)::

    README.md                     the command, the tasks and what was left out
    NAME.yaml                     the group: every task of the release, acc averaged over items
    <config>/NAME_<config>.yaml   the task (plain YAML; ``include: _custom_dataset_yaml``)
    <config>/_custom_dataset_yaml ``custom_dataset: !function medcurate_loader.load``
    <config>/medcurate_loader.py  reads ``dataset_kwargs.data_files`` beside itself
    <config>/<config>_<split>.jsonl
    <config>/README.md

Why a loader: lm-eval passes ``dataset_kwargs`` to ``datasets.load_dataset("json", ...)``, which
resolves bare ``data_files`` against the working directory, not the task YAML. What lm-eval does
resolve next to a YAML is ``include:`` (``load_yaml``: ``path.parent / inc``) and a
``!function module.fn`` (``_import_func_in_yml``: ``base_dir / "module.py"``); and a callable
``custom_dataset`` replaces ``load_dataset``, called with the task's ``metadata`` and
``dataset_kwargs`` (``ConfigurableTask.download``). So the loader opens the files relative to its
own ``__file__``: no absolute path is written, the folder can be moved or copied, and
``lm_eval --include_path <exports/lm_eval>`` works from any working directory. File names carry
the config (``mcq_zh_test.jsonl``) so no two tasks share one.

Multiple-choice output scores one target, so MCQs with several correct options are left out
(counted in the READMEs). Options are scored by their letters, so E, F, … work like A–D.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import yaml

from curation.release.exports import mcq_prompt, write_jsonl

LOADER = "medcurate_loader"
# lm-eval's !function tag lives in an included template (no .yaml suffix, so lm-eval does not
# index it as a task): the task YAML itself stays plain YAML that yaml.safe_load reads.
TEMPLATE = "_custom_dataset_yaml"
TEMPLATE_SOURCE = f"custom_dataset: !function {LOADER}.load\n"
SPLIT_ORDER = ("train", "dev", "test")

# Written verbatim into every task folder: byte-identical, no path of the machine that built it.
LOADER_SOURCE = '''\
"""Loads this task's JSONL splits from the folder this file is in.

lm-evaluation-harness calls ``load`` through the task YAML's
``custom_dataset: !function medcurate_loader.load`` with the task's ``metadata`` and
``dataset_kwargs`` as keyword arguments. ``data_files`` names files beside this one, so the
task runs from any working directory (``lm_eval --include_path <folder>``).
Written by MedCurate's release exporter.
"""

import json
from pathlib import Path

import datasets

HERE = Path(__file__).resolve().parent


def load(data_files, **_):
    splits = {}
    for split, name in sorted(data_files.items()):
        with (HERE / name).open(encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        splits[split] = datasets.Dataset.from_list(rows)
    return datasets.DatasetDict(splits)
'''


def _doc(row: dict[str, Any]) -> dict[str, Any]:
    letters = [o["label"] for o in row["options"]]
    return {
        "item_id": row["item_id"],
        "question": mcq_prompt(row),
        "choices": letters,
        "answer": letters.index(row["answer_labels"][0]),
    }


def _dump(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=True, width=1000), encoding="utf-8"
    )


def lm_eval(frame: pl.DataFrame, out: Path, name: str) -> list[str]:
    """Write the lm-eval group of a release under ``out/lm_eval``; the relative paths written."""
    root = out / "lm_eval"
    written: list[str] = []
    tasks: list[str] = []
    table: list[str] = []
    mcq = frame.filter(pl.col("kind") == "mcq")
    for config in sorted(mcq["config"].unique().to_list()):
        rows = mcq.filter(pl.col("config") == config).sort("item_id")
        task = f"{name}_{config}"
        docs: dict[str, list[dict[str, Any]]] = {}
        skipped: dict[str, int] = {}
        for split in sorted(rows["split"].unique().to_list(), key=_split_key):
            part = rows.filter(pl.col("split") == split)
            single = part.filter(pl.col("answer_labels").list.len() == 1)
            skipped[split] = part.height - single.height
            if single.height:
                docs[split] = [_doc(r) for r in single.iter_rows(named=True)]
        counts = ", ".join(f"{s} {len(docs.get(s, []))}" for s in skipped)
        left_out = sum(skipped.values())
        if not docs:
            table.append(f"| — | `{config}` | none ({left_out} multi-answer, left out) |")
            continue
        folder = root / config
        data_files = {}
        for split, split_docs in docs.items():
            data_files[split] = f"{config}_{split}.jsonl"
            write_jsonl(folder / data_files[split], split_docs)
        eval_split = (
            "test" if "test" in docs else next(s for s in reversed(SPLIT_ORDER) if s in docs)
        )
        spec: dict[str, Any] = {
            "task": task,
            "include": TEMPLATE,
            "dataset_kwargs": {"data_files": data_files},
            "output_type": "multiple_choice",
            "test_split": eval_split,
            "doc_to_text": "{{question}}\nAnswer:",
            "doc_to_choice": "choices",
            "doc_to_target": "answer",
            "metric_list": [{"metric": "acc", "aggregation": "mean", "higher_is_better": True}],
            "metadata": {"version": 1.0},
        }
        if "dev" in docs and eval_split != "dev":
            spec["validation_split"] = "dev"
        if "train" in docs and eval_split != "train":
            spec["fewshot_split"] = "train"
        (folder / f"{LOADER}.py").write_text(LOADER_SOURCE, encoding="utf-8")
        (folder / TEMPLATE).write_text(TEMPLATE_SOURCE, encoding="utf-8")
        _dump(folder / f"{task}.yaml", spec)
        (folder / "README.md").write_text(
            f"# {task}\n\n"
            f"lm-evaluation-harness multiple-choice task over the `{config}` config, scored "
            f"on its `{eval_split}` split. Items per split: {counts}. "
            f"{left_out} MCQ(s) with several correct options are left out (multiple_choice "
            "scores one target).\n\n"
            f"Run it from anywhere, pointing `--include_path` at the parent folder "
            f"(see `../README.md`):\n\n```bash\n"
            f"{_command('path/to/exports/lm_eval', task)}\n```\n",
            encoding="utf-8",
        )
        tasks.append(task)
        table.append(f"| `{task}` | `{config}` | {counts}; {left_out} multi-answer left out |")
        written += [f"exports/lm_eval/{config}/{f}" for f in data_files.values()]
        written += [
            f"exports/lm_eval/{config}/{f}"
            for f in (f"{LOADER}.py", TEMPLATE, f"{task}.yaml", "README.md")
        ]
    if not tasks:
        return written
    _dump(
        root / f"{name}.yaml",
        {
            "group": name,
            "task": tasks,
            "aggregate_metric_list": [
                {"metric": "acc", "aggregation": "mean", "weight_by_size": True}
            ],
            "metadata": {"version": 1.0},
        },
    )
    (root / "README.md").write_text(
        f"# lm-evaluation-harness tasks\n\n"
        f"The group `{name}` runs every task below; its `acc` is the mean over all their "
        "items. Run from any working directory (the path is this folder):\n\n```bash\n"
        f"{_command('path/to/exports/lm_eval', name)}\n```\n\n"
        "Name a single task instead of the group with `--tasks <task>`. Each task loads its "
        f"JSONL files (`dataset_kwargs.data_files`) through `{LOADER}.py` beside its YAML "
        f"(lm-eval's `custom_dataset` hook, set in `{TEMPLATE}`), relative to that file, not "
        "to the working directory, so the folder can be copied or moved.\n\n"
        "| task | config | items (split counts) |\n| --- | --- | --- |\n"
        + "\n".join(table)
        + "\n\nMCQs with several correct options are left out: lm-eval's multiple_choice "
        "output type scores exactly one target.\n",
        encoding="utf-8",
    )
    written += [f"exports/lm_eval/{name}.yaml", "exports/lm_eval/README.md"]
    return written


def _command(folder: str, tasks: str) -> str:
    return (
        f"lm_eval --include_path {folder} --tasks {tasks} \\\n"
        "  --model hf --model_args pretrained=<model> --output_path results/ --log_samples"
    )


def _split_key(split: str) -> tuple[int, str]:
    return (SPLIT_ORDER.index(split) if split in SPLIT_ORDER else len(SPLIT_ORDER), split)
