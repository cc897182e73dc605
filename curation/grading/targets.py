"""What graders see of a released item or task instance: the question, its reference, a rubric.

Only rows with a reference can be graded: MCQs (the keyed options), open questions (their
answer text) and task instances (their reference). Records and dialogues released as items
carry no question to answer; an answer to one is counted and left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curation.grading.config import Rubrics
from curation.tasks.contract import OutputType


@dataclass(frozen=True)
class GradingTarget:
    """One released row as a grading task shows it."""

    id: str
    kind: str  # item | instance
    config: str
    split: str
    dimension: str | None
    family: str | None
    language: str
    question: str
    reference: str | None  # None: nothing to grade against
    rubric_kind: str  # a key of the rubrics contract
    choices: tuple[str, ...] = ()  # MCQ option lines ("A. …") or a label task's labels

    def rubric(self, rubrics: Rubrics) -> str:
        return rubrics.rubrics[self.rubric_kind].render(self.language)


def _options(row: dict[str, Any]) -> list[dict[str, str]]:
    return list(row.get("options") or [])


def item_target(row: dict[str, Any], config: str) -> GradingTarget:
    """An item: an MCQ shows its options and is graded against the keyed ones; an open question
    against its answer text."""
    options = _options(row)
    parts = [row.get("context"), row.get("question")]
    parts += [f"{o['label']}. {o['text']}" for o in options]
    question = "\n".join(p for p in parts if p)
    reference: str | None = None
    if row["kind"] == "mcq":
        keyed = set(row.get("answer_labels") or [])
        chosen = [f"{o['label']}. {o['text']}" for o in options if o["label"] in keyed]
        reference = "\n".join(chosen) or None
        if reference and row.get("explanation"):
            reference += f"\n\n{row['explanation']}"
    elif row.get("answer_text"):
        reference = row["answer_text"]
    return GradingTarget(
        id=row["item_id"],
        kind="item",
        config=config,
        split=row["split"],
        dimension=row.get("dimension"),
        family=row["kind"],
        language=row.get("language") or "zh",
        question=question,
        reference=reference,
        rubric_kind="mcq" if row["kind"] == "mcq" else "open_qa",
        choices=tuple(f"{o['label']}. {o['text']}" for o in options),
    )


def instance_target(row: dict[str, Any], config: str) -> GradingTarget:
    """A task instance: its instruction and input, graded against its reference."""
    output_type = OutputType(row["output_type"])
    reference = row.get("reference")
    return GradingTarget(
        id=row["instance_id"],
        kind="instance",
        config=config,
        split=row["split"],
        dimension=row.get("dimension"),
        family=row.get("family"),
        language=row.get("language") or "zh",
        question=f"{row['instruction']}\n\n{row['input']}",
        reference=reference or None,
        rubric_kind=output_type.value,
        choices=tuple(row.get("labels") or ()) if output_type == OutputType.LABEL else (),
    )


def release_targets(release: Path) -> dict[str, GradingTarget]:
    """Every released item and task instance of a release folder, by public id."""
    from curation.release.public import released_rows

    out: dict[str, GradingTarget] = {}
    for kind, config, row in released_rows(release):
        if kind == "instance":
            out[row["instance_id"]] = instance_target(row, config)
        else:
            out[row["item_id"]] = item_target(row, config)
    return out
