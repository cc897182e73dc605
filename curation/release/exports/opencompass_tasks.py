"""OpenCompass datasets for a release's task configs, in its documented custom *QA* format.

What OpenCompass reads (open-compass/opencompass), checked in its source:

* ``opencompass/datasets/custom.py`` — ``parse_example_dataset`` reads the **first line** of a
  ``.jsonl``: ``input_columns`` = its keys but ``answer``, ``output_column`` = ``answer``,
  ``options`` = the consecutive single capitals from ``A`` among its keys, ``data_type`` =
  ``mcq`` when there is more than one option, else ``qa``; ``abbr`` = the file name before its
  first dot; then ``<path>.meta.json`` (or ``meta_path``) is merged over that, and the dataset
  config's own keys over both. ``make_qa_gen_config`` (``('qa', 'gen')``) prompts with
  ``human_prompt`` (default ``{question}``) and ``bot_prompt`` (default ``{answer}``), and scores
  with ``meta.get('evaluator', AccEvaluator)``. ``make_custom_dataset_config`` then runs
  ``stringfy_types``, which reads ``__module__`` of every ``type``: an evaluator named in the
  JSON meta (a string) would crash it, so the evaluator is given in the run config instead
  (``datasets = [dict(path=..., evaluator=JiebaRougeEvaluator)]``, merged last; the config
  entries without ``type`` go through ``make_custom_dataset_config`` in
  ``opencompass/utils/run.py::try_fill_in_custom_cfgs``). ``CustomDataset.load``: ``json.loads``
  per line (``utf-8-sig``) → ``datasets.Dataset.from_list``.
* ``docs/en/advanced_guides/custom_dataset.md`` — QA fields ``question`` and ``answer``; other
  fields are read but unused unless the meta names them; the meta file sits beside the data as
  ``<file>.meta.json``.
* ``opencompass/openicl/icl_evaluator``: ``AccEvaluator`` (exact string equality of prediction
  and reference), ``RougeEvaluator`` (HF ``rouge``; its docstring: "not suitable for chinese
  datasets"), ``JiebaRougeEvaluator`` (jieba words, ``rouge_chinese``; ``rougeL``),
  ``LMEvaluator`` (a judge model). None scores a JSON span list or field object by F1.

Output, next to the MCQ files: ``exports/opencompass/task_<key>_<split>.jsonl`` (``key`` =
:func:`~curation.release.exports.task_key`, so a one-language task ``triage_zh`` gives
``task_triage_zh_test.jsonl`` = ``<config>_<split>``) + ``.jsonl.meta.json``, for every split
present, as the MCQ export does. Rows: ``question`` = instruction + blank line + input,
``answer`` = the reference text (label; JSON for spans and fields), ``instance_id``; no single
capital key, so OpenCompass detects ``qa`` even without the meta. ``opencompass/README_tasks.md``
(its own file: the MCQ exporter owns ``README.md``) names each file's evaluator.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from curation.release.exports import require_columns, task_key, write_jsonl
from curation.tasks.contract import RELEASE_COLUMNS

README = "README_tasks.md"
SEPARATOR = "\n\n"  # between the instruction and the input in ``question``


def evaluator(output_type: str, scoring: str, language: str) -> str:
    """The OpenCompass evaluator for a task file, or what to do when none fits."""
    if scoring == "judge":
        return "`LMEvaluator` with your judge model config"
    if output_type in ("spans", "fields"):
        return (
            "none built in for JSON F1: `AccEvaluator` is exact JSON equality (a strict lower "
            "bound); rescore predictions with the release's F1"
        )
    if scoring == "rouge_l":
        return "`JiebaRougeEvaluator` (rougeL)" if language == "zh" else "`RougeEvaluator` (rougeL)"
    return "`AccEvaluator` (the QA default: the answer must equal the reference)"


def _record(row: dict[str, Any]) -> dict[str, str]:
    """One QA line: ``question`` (instruction, blank line, input), ``answer``, ``instance_id``."""
    return {
        "instance_id": row["instance_id"],
        "question": f"{row['instruction']}{SEPARATOR}{row['input']}",
        "answer": row["reference"],
    }


def _meta(abbr: str) -> dict[str, Any]:
    """The ``.meta.json``: what OpenCompass would parse, stated (no evaluator: see above)."""
    return {
        "abbr": abbr,
        "data_type": "qa",
        "infer_method": "gen",
        "input_columns": ["question"],
        "output_column": "answer",
        "human_prompt": "{question}",
        "bot_prompt": "{answer}",
    }


def opencompass_tasks(frame: pl.DataFrame, out: Path) -> list[str]:
    """Write ``opencompass/task_<key>_<split>.jsonl`` + ``.meta.json`` per task config, language
    and split of a task release frame, and ``opencompass/README_tasks.md``; return the paths
    written, relative to the release."""
    require_columns(frame, ["config", *RELEASE_COLUMNS], "opencompass_tasks")
    folder = out / "opencompass"
    written: list[str] = []
    summary: list[tuple[str, int, int, str]] = []
    parts = frame.partition_by("task", "language", "split", as_dict=True)
    names = {(task_key(t, lang), s): (t, lang, s) for t, lang, s in parts}
    for key, split in sorted(names):
        rows = sorted(
            parts[names[key, split]].iter_rows(named=True), key=lambda r: r["instance_id"]
        )
        kept = [r for r in rows if r["reference"] and r["input"]]
        name = f"task_{key}_{split}.jsonl"
        first = rows[0]
        how = evaluator(first["output_type"], first["scoring"], first["language"])
        summary.append((name, len(kept), len(rows) - len(kept), how))
        if not kept:
            continue
        write_jsonl(folder / name, [_record(r) for r in kept])
        (folder / f"{name}.meta.json").write_text(
            json.dumps(_meta(name.split(".")[0]), ensure_ascii=False, indent=2, sort_keys=True)
            + "\n",
            encoding="utf-8",
        )
        written += [f"exports/opencompass/{name}", f"exports/opencompass/{name}.meta.json"]
    if summary:
        (folder / README).write_text(readme(summary), encoding="utf-8")
        written.append(f"exports/opencompass/{README}")
    return written


def readme(summary: list[tuple[str, int, int, str]]) -> str:
    """``README_tasks.md``: how to run the files and which evaluator scores each."""
    table = "\n".join(
        f"| `{name}`{'' if n else ' (not written)'} | {n} | {left} | {how} |"
        for name, n, left, how in summary
    )
    return (
        "# OpenCompass: task configs\n\n"
        "Custom QA datasets in OpenCompass's documented format (`question`, `answer`), each with "
        "a `<file>.meta.json` (`data_type: qa`, `infer_method: gen`, prompt `{question}`). "
        "`question` is the task's instruction, a blank line and the input; `answer` is the "
        "reference: the label for label tasks, a JSON object for fields tasks, a JSON list for "
        "spans tasks. Files are per task, language and split (`task_<task key>_<split>`).\n\n"
        "OpenCompass scores QA files with `AccEvaluator` unless told otherwise, and the "
        "evaluator cannot be set in `.meta.json` (`make_custom_dataset_config` needs a class, "
        "not a name): set it in the run config, per file, as the table says:\n\n"
        "```python\n"
        "from opencompass.openicl.icl_evaluator import JiebaRougeEvaluator, RougeEvaluator\n\n"
        "datasets = [\n"
        "    dict(path='exports/opencompass/task_<key>_test.jsonl', "
        "evaluator=JiebaRougeEvaluator),\n"
        "]\n"
        "```\n\n"
        "or, for an `AccEvaluator` file, `python run.py --models <model> "
        "--custom-dataset-path exports/opencompass/task_<key>_test.jsonl`.\n\n"
        "`AccEvaluator` compares the whole generated text with the reference, so label tasks "
        "score only answers that are the bare label. OpenCompass's `JiebaRougeEvaluator` "
        "counts jieba words; the release's zh ROUGE-L is character-level, so numbers differ.\n\n"
        "| file | instances | no reference left out | evaluator |\n|---|---|---|---|\n"
        f"{table}\n"
    )
