"""lm-evaluation-harness tasks of a release's task configs: one generate_until task per config.

Beside the MCQ export (``lm_eval.py``) under ``exports/lm_eval/`` (``NAME`` is the release
name's slug, ``<config>`` is ``task_<task id>``)::

    README_tasks.md                 the command, the tasks, their metrics and split counts
    NAME_tasks.yaml                 the group: every task config of the release
    <config>/NAME_<config>.yaml     the task (plain YAML; ``include:`` the templates below)
    <config>/_custom_dataset_yaml   ``custom_dataset: !function medcurate_loader.load``
    <config>/medcurate_loader.py    the MCQ export's loader: JSONL files beside itself
    <config>/_process_results_yaml  ``process_results: !function medcurate_scoring.<fn>``
    <config>/medcurate_scoring.py   ``lm_eval_scoring.py`` verbatim (ROUGE-L, fields/spans F1)
    <config>/<config>_<split>.jsonl
    <config>/README.md

The last two templates are written only for tasks scored by ``process_results``. Each doc holds
``prompt`` (instruction, input and an answer cue) and ``reference``; ``doc_to_target`` names the
``reference`` field rather than a Jinja template, because lm-eval ``literal_eval``s a rendered
target that looks like a list (a spans reference) into several targets.

Metrics follow the rows' ``scoring``: ``exact_match``/``accuracy`` use lm-eval's ``exact_match``
(case, punctuation and whitespace ignored) on the answer's first line (``label``) or the trimmed
answer; ``rouge_l`` and ``f1`` come from ``medcurate_scoring``; ``judge`` cannot run inside
lm-eval, so those tasks carry ``rouge_l`` as an auxiliary overlap score.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import yaml

from curation.release.exports import lm_eval_scoring, write_jsonl
from curation.release.exports.lm_eval import (
    LOADER,
    LOADER_SOURCE,
    SPLIT_ORDER,
    TEMPLATE,
    TEMPLATE_SOURCE,
    _command,
    _split_key,
)
from curation.tasks.contract import RELEASE_COLUMNS, OutputType, Scoring

SCORING = "medcurate_scoring"
RESULTS_TEMPLATE = "_process_results_yaml"
CUES = {"zh": "答案：", "en": "Answer:"}
# Generation stops at the first of these that no reference of the task contains; it also
# separates few-shot examples.
STOPS = ("\n\n", "\n\n\n", "\n\n###\n\n")
# Full-width and CJK punctuation, and whitespace: lm-eval's ignore_punctuation drops ASCII only.
IGNORED = [r"\s+", "[，。、；：？！“”‘’（）《》〈〉【】「」『』…—～·]"]
FIRST_LINE = {
    "name": "first_line",
    "filter": [
        {"function": "regex", "regex_pattern": r"^\s*(.*)", "group_select": 0, "fallback": ""},
        {"function": "take_first"},
    ],
}
TRIMMED = {
    "name": "trimmed",
    "filter": [{"function": "remove_whitespace"}, {"function": "take_first"}],
}


class _Dumper(yaml.SafeDumper):
    """Strings with line breaks double-quoted (``"\\n\\n"``), not as blank lines."""


_Dumper.add_representer(
    str,
    lambda dumper, text: dumper.represent_scalar(
        "tag:yaml.org,2002:str", text, style='"' if "\n" in text else None
    ),
)


def _dump(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=True, width=1000)
    path.write_text(text, encoding="utf-8")


def scorer(output_type: str, scoring: str) -> tuple[str, str | None]:
    """The lm-eval metric of a task and its ``process_results`` function (None: builtin)."""
    if scoring in (Scoring.EXACT_MATCH, Scoring.ACCURACY):
        return "exact_match", None
    if scoring in (Scoring.ROUGE_L, Scoring.JUDGE):
        return "rouge_l", "rouge_l_results"
    if scoring == Scoring.F1 and output_type == OutputType.FIELDS:
        return "f1", "fields_results"
    if scoring == Scoring.F1 and output_type == OutputType.SPANS:
        return "f1", "spans_results"
    raise ValueError(f"no lm-eval metric for {output_type} tasks scored by {scoring}")


def _doc(row: dict[str, Any]) -> dict[str, Any]:
    prompt = "\n\n".join(p for p in (row["instruction"], row["input"]) if p)
    return {
        "instance_id": row["instance_id"],
        "item_id": row["item_id"],
        "language": row["language"],
        "prompt": f"{prompt}\n{CUES.get(row['language'], CUES['en'])}",
        "reference": row["reference"],
    }


def _one(rows: pl.DataFrame, column: str) -> str:
    values = rows[column].unique().to_list()
    if len(values) != 1:
        raise ValueError(f"{rows['config'][0]}: one {column} expected, got {sorted(values)}")
    return values[0]


def _spec(
    task: str, rows: pl.DataFrame, splits: list[str]
) -> tuple[dict[str, Any], str, str | None]:
    """The task YAML (without data files), the lm-eval key of its metric and the
    ``process_results`` function (None: lm-eval's exact_match)."""
    output_type, scoring = _one(rows, "output_type"), _one(rows, "scoring")
    metric, results = scorer(output_type, scoring)
    refs = rows["reference"]
    stop = next((s for s in STOPS if not refs.str.contains(s, literal=True).any()), STOPS[-1])
    eval_split = (
        "test" if "test" in splits else next(s for s in reversed(SPLIT_ORDER) if s in splits)
    )
    entry: dict[str, Any] = {"metric": metric, "aggregation": "mean", "higher_is_better": True}
    spec: dict[str, Any] = {
        "task": task,
        "include": TEMPLATE if results is None else [TEMPLATE, RESULTS_TEMPLATE],
        "output_type": "generate_until",
        "test_split": eval_split,
        "doc_to_text": "prompt",
        "doc_to_target": "reference",
        "target_delimiter": "" if set(rows["language"]) == {"zh"} else " ",
        "fewshot_delimiter": stop,
        "generation_kwargs": {
            "until": [stop],
            "do_sample": False,
            "temperature": 0.0,
            "max_gen_toks": 64 if output_type == OutputType.LABEL else 1024,
        },
        "metric_list": [entry],
        "metadata": {"version": 1.0},
    }
    key = f"{metric},none"
    if results is None:
        entry |= {"ignore_case": True, "ignore_punctuation": True, "regexes_to_ignore": IGNORED}
        filters = FIRST_LINE if output_type == OutputType.LABEL else TRIMMED
        spec["filter_list"] = [filters]
        key = f"{metric},{filters['name']}"
    if "dev" in splits and eval_split != "dev":
        spec["validation_split"] = "dev"
    if "train" in splits and eval_split != "train":
        spec["fewshot_split"] = "train"
    return spec, key, results


def lm_eval_tasks(frame: pl.DataFrame, out: Path, name: str) -> list[str]:
    """Write the lm-eval group of a release's task configs under ``out/lm_eval``; the relative
    paths written (none for an empty frame)."""
    missing = [c for c in ("config", *RELEASE_COLUMNS) if c not in frame.columns]
    if missing:
        raise ValueError(f"task frame lacks columns {missing}")
    root = out / "lm_eval"
    written: list[str] = []
    tasks: list[str] = []
    metrics: set[str] = set()
    table: list[str] = []
    for config in sorted(frame["config"].unique().to_list()):
        rows = frame.filter(pl.col("config") == config).sort("instance_id")
        task = f"{name}_{config}"
        splits = sorted(rows["split"].unique().to_list(), key=_split_key)
        spec, key, function = _spec(task, rows, splits)
        folder = root / config
        data_files = {}
        for split in splits:
            data_files[split] = f"{config}_{split}.jsonl"
            part = rows.filter(pl.col("split") == split)
            write_jsonl(folder / data_files[split], [_doc(r) for r in part.iter_rows(named=True)])
        spec["dataset_kwargs"] = {"data_files": data_files}
        files = [*data_files.values(), f"{LOADER}.py", TEMPLATE]
        (folder / f"{LOADER}.py").write_text(LOADER_SOURCE, encoding="utf-8")
        (folder / TEMPLATE).write_text(TEMPLATE_SOURCE, encoding="utf-8")
        if function is not None:
            source = Path(lm_eval_scoring.__file__).read_bytes()
            (folder / f"{SCORING}.py").write_bytes(source)
            (folder / RESULTS_TEMPLATE).write_text(
                f"process_results: !function {SCORING}.{function}\n", encoding="utf-8"
            )
            files += [f"{SCORING}.py", RESULTS_TEMPLATE]
        _dump(folder / f"{task}.yaml", spec)
        output_type, scoring = _one(rows, "output_type"), _one(rows, "scoring")
        counts = ", ".join(f"{s} {rows.filter(pl.col('split') == s).height}" for s in splits)
        note = (
            " Its rows are scored by a judge (a model or physicians), which lm-eval cannot run: "
            "`rouge_l` here is an auxiliary overlap score, not the release's metric."
            if scoring == Scoring.JUDGE
            else ""
        )
        (folder / "README.md").write_text(
            f"# {task}\n\n"
            f"lm-evaluation-harness generation task over the `{config}` config "
            f"({output_type} answers, scored by `{scoring}`; lm-eval reports `{key}`), on its "
            f"`{spec['test_split']}` split. Instances per split: {counts}.{note}\n\n"
            "Run it from anywhere, pointing `--include_path` at the parent folder "
            f"(see `../README_tasks.md`):\n\n```bash\n"
            f"{_command('path/to/exports/lm_eval', task)}\n```\n",
            encoding="utf-8",
        )
        files += [f"{task}.yaml", "README.md"]
        written += [f"exports/lm_eval/{config}/{f}" for f in files]
        tasks.append(task)
        metrics.add(key.split(",")[0])
        judge = " (judge: auxiliary)" if scoring == Scoring.JUDGE else ""
        table.append(f"| `{task}` | {output_type} | `{scoring}` | `{key}`{judge} | {counts} |")
    if not tasks:
        return written
    group = f"{name}_tasks"
    _dump(
        root / f"{group}.yaml",
        {
            "group": group,
            "task": tasks,
            "aggregate_metric_list": [
                {"metric": m, "aggregation": "mean", "weight_by_size": True}
                for m in sorted(metrics)
            ],
            "metadata": {"version": 1.0},
        },
    )
    (root / "README_tasks.md").write_text(_readme(group, table), encoding="utf-8")
    return [*written, f"exports/lm_eval/{group}.yaml", "exports/lm_eval/README_tasks.md"]


def _readme(group: str, table: list[str]) -> str:
    return (
        "# lm-evaluation-harness tasks: task configs\n\n"
        f"The group `{group}` runs one generation task (`generate_until`) per task config of "
        "the release. Run from any working directory (the path is this folder):\n\n```bash\n"
        f"{_command('path/to/exports/lm_eval', group)}\n```\n\n"
        "Name a single task instead of the group with `--tasks <task>`; add `--num_fewshot k` "
        "to prefix k examples of the task's `train` split; override decoding with "
        "`--gen_kwargs`. The group reports each metric averaged over the items of the tasks "
        "that have it (lm-eval warns that the others lack it).\n\n"
        "| task | output | scoring | lm-eval metric | instances per split |\n"
        "| --- | --- | --- | --- | --- |\n" + "\n".join(table) + "\n\n"
        "Metrics, all means over items, higher is better:\n\n"
        "- `exact_match`: lm-eval's own, ignoring case, punctuation (also full-width) and "
        "whitespace; label answers are cut to their first non-empty line (filter "
        "`first_line`), other answers trimmed (`trimmed`). `accuracy` tasks are scored so.\n"
        "- `rouge_l`: LCS F-measure over characters (zh) or whitespace tokens (en), "
        f"punctuation dropped (`{SCORING}.py` beside the task).\n"
        "- `f1` (fields): the first JSON object in the answer against the reference object, "
        "F1 over (field, normalized value) pairs; no parsable object scores 0.\n"
        "- `f1` (spans): the first JSON list in the answer against the reference spans, "
        "F1 over (label, text) pairs; no parsable list scores 0.\n"
        "- `judge` tasks are graded by a judge model or physicians, which lm-eval cannot do: "
        "their `rouge_l` is an auxiliary overlap score only.\n"
    )
