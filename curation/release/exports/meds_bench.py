"""MedS-Bench instance files of a release."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from curation.release.exports import mcq_prompt

DEFINITIONS = {
    "mcq": "Answer the multiple-choice medical question. Reply with the letter(s) of the correct "
    "option(s) and the option text.",
    "open_qa": "Answer the medical question.",
    "record": "Read the clinical record and answer as instructed.",
    "dialogue": "Continue the patient-doctor dialogue as the doctor.",
}


def meds_bench(frame: pl.DataFrame, out: Path) -> list[str]:
    """MedS-Bench instance files: Definition + Instances (input/output); items without a
    reference output (e.g. records with no answer) are left out."""
    written = []
    for (config, split), group in sorted(frame.group_by("config", "split")):
        kind, language = config.split("_", 1)
        instances = []
        for row in group.iter_rows(named=True):
            if kind == "mcq":
                labels = set(row["answer_labels"])
                output = "; ".join(
                    f"{o['label']}. {o['text']}" for o in row["options"] if o["label"] in labels
                )
                source = mcq_prompt(row)
            else:
                output = row.get("answer_text")
                source = "\n".join(p for p in (row.get("context"), row.get("question")) if p)
            if output and source:
                instances.append({"id": row["item_id"], "input": source, "output": output})
        if not instances:
            continue
        document = {
            "Definition": [DEFINITIONS.get(kind, "Solve the medical task.")],
            "Input_language": ["Chinese" if language == "zh" else "English"],
            "Output_language": ["Chinese" if language == "zh" else "English"],
            "Instruction_language": ["English"],
            "Categories": ["Question Answering" if kind in ("mcq", "open_qa") else kind],
            "Source": ["MedCurate"],
            "Instances": instances,
        }
        relative = f"exports/meds_bench/{config}_{split}.json"
        path = out / "meds_bench" / f"{config}_{split}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        written.append(relative)
    return written
