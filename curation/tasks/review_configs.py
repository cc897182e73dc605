"""Physician review of task instances: one Label Studio project per output type.

Every screen (``annotation_configs/task_<output type>.xml``, a contract a project may override)
shows the instruction and the input, and asks whether the instance is answerable from the input,
the answer (free text and fields: a text box pre-filled with the reference or a draft; label:
the task's declared labels as dynamic choices, the derived reference pre-selected; spans: the
declared span types as dynamic labels over the input) and a verdict on the reference: correct
as shown, corrected, or wrong / not answerable (reject, with at least one reason). The labels
and span types come with each task's data (``$label_choices``, ``$span_types``), so one project
serves every task of its output type.

Pre-filled answers are Label Studio predictions, all under one model version
(:data:`PREFILL_VERSION`): Label Studio pre-fills a task only with the predictions of its
project's model version, and its labeling screen names a prediction by that version. Which rule
or model drafted an answer is kept in the task's ``meta``, which neither the labeling screen nor
the Data Manager shows (see :mod:`curation.tasks.review`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar
from xml.sax.saxutils import quoteattr

from curation.contracts import contract_path
from curation.review.configs import (
    CONFIG_DIR,
    TASKS_ROLE,
    Role,
    instructions,
    task_adjudication_title,
    task_project_title,
    with_panel,
)
from curation.review.tasks import to_utf16
from curation.tasks.contract import OutputType

INSTRUCTIONS = "task_instructions.md"

# control names of the screens (read back by the merge)
ANSWERABLE = "answerable"
VERDICT = "verdict"
REJECT_REASON = "reject_reason"
COMMENT = "comment"
ANSWER_CONTROL: dict[OutputType, str] = {
    OutputType.FREE_TEXT: "answer",
    OutputType.LABEL: "label",
    OutputType.SPANS: "spans",
    OutputType.FIELDS: "answer",
}
INPUT = "input"

VERDICTS = ("correct", "corrected", "reject")
TASK_REJECT_REASONS: dict[str, str] = {
    "not_answerable": "Not answerable from the input 无法根据输入作答",
    "reference_wrong": "Reference wrong 参考答案错误",
    "instruction_unclear": "Instruction unclear or ambiguous 指令不清或有歧义",
    "input_incomplete": "Input incomplete or garbled 输入不完整或错乱",
    "residual_phi": "Residual PHI 仍含隐私信息",
    "not_clinically_relevant": "Not clinically relevant 与临床无关",
}
"""Reject reasons of task instances (code → label)."""

SPAN_COLORS = ("#64b5f6", "#81c784", "#ffb74d", "#ba68c8", "#4db6ac", "#f06292", "#a1887f")


def config_name(output_type: OutputType | str) -> str:
    """The contract file of an output type's screen: ``annotation_configs/task_<type>.xml``."""
    return f"{CONFIG_DIR}/task_{OutputType(output_type).value}.xml"


ADJUDICATION_PANEL = (
    '<Header value="Reviews 各审核意见 — your decision is final 以您的裁定为准" size="5"/>\n'
    '    <View className="mc-text"><Text name="reviews" value="$reviews"/></View>'
)
"""The read-only panel of task adjudication projects: every review side by side (``$reviews``,
see :func:`curation.tasks.adjudication.task_reviews_panel`)."""


def render_task_config(
    output_type: OutputType | str, root: Path | None = None, role: Role = Role.REVIEW
) -> str:
    """The label config XML of the task project of an output type (`role` adjudication: with
    the reviews panel at ``@adjudication-panel``, else before the screen's last ``</View>``)."""
    template = contract_path(config_name(output_type), root).read_text(encoding="utf-8")
    template = with_panel(template, ADJUDICATION_PANEL if role == Role.ADJUDICATION else "")
    reasons = "\n".join(
        f"        <Choice value={quoteattr(label)} alias={quoteattr(code)}/>"
        for code, label in TASK_REJECT_REASONS.items()
    )
    block = (
        f'<Choices name="{REJECT_REASON}" toName="{INPUT}" choice="multiple" required="true" '
        'requiredMessage="Give at least one reason for rejecting 请至少选择一个拒绝原因">\n'
        f"{reasons}\n      </Choices>"
    )
    return template.replace("<!-- @task-reject-reasons -->", block).rstrip()


@dataclass(frozen=True)
class TaskProjectSpec:
    """The project reviewing the instances of one output type (a ``ManagedProject``); `role`
    adjudication: the project where a senior physician settles disputed instances (one
    annotation per task, the reviews shown beside the screen)."""

    output_type: OutputType
    role: Role = Role.REVIEW
    task_key: ClassVar[str] = "instance_id"

    def title(self, project_name: str) -> str:
        if self.role == Role.ADJUDICATION:
            return task_adjudication_title(project_name, self.output_type.value)
        return task_project_title(project_name, self.output_type.value)

    @property
    def key(self) -> str:
        if self.role == Role.ADJUDICATION:
            return f"{TASKS_ROLE}/{self.role.value}/{self.output_type.value}"
        return f"{TASKS_ROLE}/{self.output_type.value}"

    @property
    def description(self) -> str:
        what = "task adjudication" if self.role == Role.ADJUDICATION else "task review"
        return (
            f"MedCurate {what} ({self.output_type.value}) — managed by `curate tasks`; "
            "do not rename."
        )

    def label_config(self, root: Path | None) -> str:
        return render_task_config(self.output_type, root, self.role)

    def instructions(self, root: Path | None) -> str:
        return instructions(root, INSTRUCTIONS)

    def maximum_annotations(self, overlap: int) -> int:
        """Physicians per task: `overlap` for review, one for adjudication."""
        return 1 if self.role == Role.ADJUDICATION else overlap


TASK_PROJECTS = tuple(TaskProjectSpec(t) for t in OutputType)
TASK_ADJUDICATION_PROJECTS = tuple(TaskProjectSpec(t, Role.ADJUDICATION) for t in OutputType)


def answer_region(output_type: OutputType | str, answer: Any, text: str) -> list[dict[str, Any]]:
    """The result regions of an answer on a task's screen: a text box (free text, fields: the
    text), a chosen label, or labelled spans of the input (`answer`: ``(start, end, label)``
    code-point triples; `text`: the input)."""
    output_type = OutputType(output_type)
    name = ANSWER_CONTROL[output_type]
    if output_type == OutputType.LABEL:
        return [] if not answer else [_choices(name, [answer])]
    if output_type == OutputType.SPANS:
        return [
            {
                "id": f"s{i}",
                "from_name": name,
                "to_name": INPUT,
                "type": "labels",
                "value": {
                    "start": to_utf16(text, start),
                    "end": to_utf16(text, end),
                    "text": text[start:end],
                    "labels": [label],
                },
            }
            for i, (start, end, label) in enumerate(answer or ())
        ]
    if answer is None:
        return []
    return [_textarea(name, str(answer))]


def task_result(
    output_type: OutputType | str,
    text: str,
    *,
    answerable: str | None = None,
    verdict: str | None = None,
    reasons: tuple[str, ...] | list[str] = (),
    answer: Any = None,
    comment: str | None = None,
) -> list[dict[str, Any]]:
    """The Label Studio result of one review of a task instance (simulated physicians, tests);
    `text`: the instance's input."""
    out: list[dict[str, Any]] = []
    if answerable:
        out.append(_choices(ANSWERABLE, [answerable]))
    if verdict:
        out.append(_choices(VERDICT, [verdict]))
    if reasons:
        out.append(_choices(REJECT_REASON, list(reasons)))
    out.extend(answer_region(output_type, answer, text))
    if comment:
        out.append(_textarea(COMMENT, comment))
    return out


def _choices(name: str, chosen: list[str]) -> dict[str, Any]:
    return {"from_name": name, "to_name": INPUT, "type": "choices", "value": {"choices": chosen}}


def _textarea(name: str, value: str) -> dict[str, Any]:
    return {"from_name": name, "to_name": INPUT, "type": "textarea", "value": {"text": [value]}}
