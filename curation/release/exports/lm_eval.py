"""lm-evaluation-harness tasks of a release."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import yaml

from curation.release.exports import mcq_prompt, write_jsonl


def lm_eval(frame: pl.DataFrame, out: Path, name: str) -> list[str]:
    """lm-evaluation-harness multiple-choice tasks: one task YAML + JSONL splits per MCQ config.

    Its multiple_choice output type scores one target, so MCQs with several correct options are
    left out (their count is in the task's README). Run from the task folder:
    ``lm_eval --include_path . --tasks <task> …``.
    """
    written = []
    for (config,), group in sorted(frame.filter(pl.col("kind") == "mcq").group_by("config")):
        folder = out / "lm_eval" / config
        task = f"{name}_{config}"
        splits = {}
        skipped = 0
        for (split,), rows in sorted(group.group_by("split")):
            docs = []
            for row in rows.iter_rows(named=True):
                if len(row["answer_labels"]) != 1:
                    skipped += 1
                    continue
                letters = [o["label"] for o in row["options"]]
                docs.append(
                    {
                        "item_id": row["item_id"],
                        "question": mcq_prompt(row),
                        "choices": letters,
                        "answer": letters.index(row["answer_labels"][0]),
                    }
                )
            write_jsonl(folder / f"{split}.jsonl", docs)
            splits[split] = f"{split}.jsonl"
            written.append(f"exports/lm_eval/{config}/{split}.jsonl")
        spec = {
            "task": task,
            "dataset_path": "json",
            "dataset_kwargs": {"data_files": splits},
            "output_type": "multiple_choice",
            "test_split": "test" if "test" in splits else sorted(splits)[0],
            "doc_to_text": "{{question}}\nAnswer:",
            "doc_to_choice": "{{choices}}",
            "doc_to_target": "{{answer}}",
            "metric_list": [{"metric": "acc", "aggregation": "mean", "higher_is_better": True}],
            "metadata": {"version": 1.0},
        }
        if "dev" in splits:
            spec["validation_split"] = "dev"
        if "train" in splits:
            spec["fewshot_split"] = "train"
        (folder / f"{task}.yaml").write_text(
            yaml.safe_dump(spec, allow_unicode=True, sort_keys=True), encoding="utf-8"
        )
        (folder / "README.md").write_text(
            f"# {task}\n\nlm-evaluation-harness task over the `{config}` config. "
            f"{skipped} MCQ(s) with several correct options are left out (multiple_choice "
            "scores one target).\n\n```bash\ncd "
            f"exports/lm_eval/{config}\n"
            f"lm_eval --include_path . --tasks {task} --model hf --model_args pretrained=…\n```\n",
            encoding="utf-8",
        )
        written += [f"exports/lm_eval/{config}/{task}.yaml", f"exports/lm_eval/{config}/README.md"]
    return written
