"""Label Studio label configs, rendered from ``annotation_configs/`` and the project taxonomy.

One template per review kind (``mcq.xml`` for multiple-choice questions, ``text.xml`` for
records, dialogues and open questions). Marked comments in a template are filled here:
``@specialty-choices`` (a searchable department → specialty tree from
``schemas/specialties.yaml``), ``@phi-labels`` from ``schemas/phi.yaml``,
``@discipline-choices`` and ``@competency-choices`` (CMExam's medical disciplines and areas of
competency, one choice each, from ``schemas/exam_annotations.yaml``), ``@reject-reasons``
(the reasons of the item's kind, :data:`REASONS_BY_KIND`, sent with each task), ``@edit-fields``
(one box per field of the item, pre-filled with its current text, :data:`EDIT_GROUPS`) and, for
adjudication projects only, ``@adjudication-panel`` (all reviews side by side).

Everything a physician reads is bilingual (English, then Chinese); codes (``residual_phi``,
``accept_with_edits``) stay in the results and are shown through :func:`readable`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Protocol
from xml.sax.saxutils import quoteattr

from curation.contracts import contract_path
from curation.deid.policy import load_policy
from curation.exam_annotations import EXAM_FIELDS, ExamAnnotations, project_exam_annotations
from curation.models import Kind
from curation.taxonomy import Taxonomy, project_taxonomy

CONFIG_DIR = "annotation_configs"
PREFILL_VERSION = "draft 草稿"
"""The model version of every pre-annotation MedCurate sends (items and task instances): Label
Studio 1.23 pre-fills a task only with predictions of its project's model version and names a
prediction by it on the labeling screen. Who made a pre-annotation (tagger and de-identifier
versions, a task's rule or model) travels in the task's data or meta instead."""

REJECT_REASONS: dict[str, str] = {
    "factually_wrong": "Factually wrong 内容错误",
    "answer_key_wrong": "Answer key wrong 答案错误",
    "reference_answer_wrong": "Reference answer wrong 参考答案错误",
    "ambiguous": "Ambiguous 表述含糊",
    "outdated_guideline": "Outdated guideline 指南已过时",
    "clinically_implausible": "Clinically implausible 临床上不合理",
    "unsafe_advice": "Unsafe or wrong advice 医生建议错误或不安全",
    "incomplete": "Incomplete or truncated 内容不完整或被截断",
    "garbled": "Garbled or unreadable 文字错乱无法阅读",
    "residual_phi": "Residual PHI 仍含隐私信息",
    "not_clinically_relevant": "Not clinically relevant 与临床无关",
}
"""Every reject reason a physician can give (code → label); old codes stay readable."""

_ALWAYS = ("residual_phi", "not_clinically_relevant")
_WITH_REFERENCE = ("clinically_implausible", "reference_answer_wrong", "incomplete", "garbled")
REASONS_BY_KIND: dict[str, tuple[str, ...]] = {
    Kind.MCQ: ("factually_wrong", "answer_key_wrong", "ambiguous", "outdated_guideline", *_ALWAYS),
    Kind.OPEN_QA: (
        "factually_wrong",
        "reference_answer_wrong",
        "ambiguous",
        "outdated_guideline",
        *_ALWAYS,
    ),
    Kind.RECORD: ("clinically_implausible", "incomplete", "garbled", *_ALWAYS),
    Kind.DIALOGUE: ("clinically_implausible", "unsafe_advice", "incomplete", "garbled", *_ALWAYS),
    Kind.EXTRACTION: (*_WITH_REFERENCE, *_ALWAYS),
    Kind.SUMMARIZATION: (*_WITH_REFERENCE, *_ALWAYS),
}
"""The reasons offered for each item kind (records and dialogues have no answer key)."""

VERDICT_LABELS: dict[str, str] = {
    "accept": "Accept 接受",
    "accept_with_edits": "Accept with edits 修改后接受",
    "reject": "Reject 拒绝",
}
MISSING_LABELS: dict[str, str] = {
    "verdict": "no verdict 未选择结论",
    "reject_reason": "rejected without a reason 拒绝但未填写原因",
    "corrected_answer": "key marked wrong without the correct answer 标记答案错误但未选正确答案",
    "discipline": "a medical discipline that is not on the list 医学学科不在列表中",
    "competency": "an area of competency that is not on the list 能力领域不在列表中",
}
"""What an incomplete review lacks (an annotation made through the API or an older config)."""

FIELD_LABELS: dict[str, str] = {
    "verdict": "verdict 结论",
    "specialty": "specialty 专科",
    "answer": "answer key 答案",
    "difficulty": "difficulty 难度",
    "discipline": "medical discipline 医学学科",
    "competency": "area of competency 能力领域",
    "edited_text": "edited text 修改后的文本",
    "context": "case / record 病例",
    "question": "question 题干",
    "answer_text": "reference answer 参考答案",
    "explanation": "explanation 解析",
    "edits_on_changed_text": "edits made on an older version of the text 修改基于旧版本文本",
    "answer_not_an_option": "corrected answer is not an option 所选答案不在选项中",
}


def readable(code: str) -> str:
    """A review code as physicians read it: reasons, verdicts, fields, disagreements."""
    for table in (REJECT_REASONS, VERDICT_LABELS, FIELD_LABELS):
        if code in table:
            return table[code]
    kind, _, rest = code.partition(":")
    if kind == "incomplete" and rest in MISSING_LABELS:
        return f"incomplete review 审核不完整: {MISSING_LABELS[rest]}"
    if kind == "edit" and rest:
        return f"different edits of the {field_label(rest)} 修改内容不一致"
    return code


def field_label(name: str) -> str:
    """An item field (as in the review layout: 'question', 'options.1', 'turns.0') for people."""
    group, _, index = name.partition(".")
    if index.isdigit():
        n = int(index) + 1
        return {"options": f"option {n} 第{n}个选项", "turns": f"turn {n} 第{n}轮对话"}.get(
            group, name
        )
    return FIELD_LABELS.get(name, name)


@dataclass(frozen=True)
class EditGroup:
    """Edit boxes for one field (or one list of fields) of an item, pre-filled with its text.

    ``data`` is the task data key: a list of one text (or none when the item lacks the field)
    or, for options and dialogue turns, one ``{"heading", "text"}`` per entry. A Label Studio
    ``Repeater`` draws one box per entry, so absent fields draw nothing. ``control`` is the box's
    name, ``{{i}}`` standing for the entry's index.
    """

    field: str  # item field: question, context, options, turns…
    heading: str
    rows: int

    @property
    def listed(self) -> bool:
        return self.field in ("options", "turns")

    @property
    def data(self) -> str:
        return f"edit_{self.field}"

    @property
    def control(self) -> str:
        return f"{EDIT_PREFIX}{self.field[:-1]}_{{{{i}}}}" if self.listed else self.data


EDIT_PREFIX = "edit_"
EDIT_GROUPS: dict[str, tuple[EditGroup, ...]] = {
    "mcq": (
        EditGroup("context", "Case 病例", 6),
        EditGroup("question", "Question 题干", 4),
        EditGroup("options", "Option 选项 $edit_options[{{i}}].heading", 1),
        EditGroup("explanation", "Explanation 解析", 3),
    ),
    "text": (
        EditGroup("context", "Text 文本", 10),
        EditGroup("turns", "$edit_turns[{{i}}].heading", 2),
        EditGroup("question", "Question 问题", 4),
        EditGroup("answer_text", "Reference answer 参考答案", 4),
        EditGroup("explanation", "Explanation 解析", 3),
    ),
}
"""Edit boxes per review kind, in the order of the review text (see tasks.compose)."""


def edit_control(field: str) -> str:
    """The edit box of an item field: 'question' → edit_question, 'options.1' → edit_option_1."""
    group, _, index = field.partition(".")
    return f"{EDIT_PREFIX}{group[:-1]}_{index}" if index else f"{EDIT_PREFIX}{group}"


def edited_field(control: str) -> str | None:
    """The item field an edit box edits (the inverse of :func:`edit_control`), else None."""
    if not control.startswith(EDIT_PREFIX):
        return None
    name = control[len(EDIT_PREFIX) :]
    match = re.fullmatch(r"(option|turn)_(\d+)", name)
    if match:
        return f"{match[1]}s.{int(match[2])}"
    return name if name in ("context", "question", "answer_text", "explanation") else None


PHI_COLORS = (
    "#e57373",
    "#64b5f6",
    "#81c784",
    "#ffb74d",
    "#ba68c8",
    "#4db6ac",
    "#f06292",
    "#a1887f",
)


class ReviewKind(StrEnum):
    """Which label config an item is reviewed with."""

    MCQ = "mcq"
    TEXT = "text"

    @classmethod
    def of(cls, kind: str) -> ReviewKind:
        """The review kind of an item kind (MCQs have their own; everything else is text)."""
        return cls.MCQ if kind == Kind.MCQ else cls.TEXT


class Role(StrEnum):
    """A project's role: first-line review or adjudication of disagreements."""

    REVIEW = "review"
    ADJUDICATION = "adjudication"


class ManagedProject(Protocol):
    """What :class:`~curation.review.projects.ReviewServer` needs to know of a project it
    manages: its title, label config, instructions and overlap, and the task data key that
    names what a task shows (``item_id``; ``instance_id`` for task projects)."""

    @property
    def key(self) -> str: ...

    @property
    def task_key(self) -> str: ...

    @property
    def description(self) -> str: ...

    def title(self, project_name: str) -> str: ...

    def label_config(self, root: Path | None) -> str: ...

    def instructions(self, root: Path | None) -> str: ...

    def maximum_annotations(self, overlap: int) -> int: ...


@dataclass(frozen=True)
class ProjectSpec:
    """One item review project MedCurate manages (a :class:`ManagedProject`)."""

    role: Role
    kind: ReviewKind
    task_key: ClassVar[str] = "item_id"

    def title(self, project_name: str) -> str:
        """The project title (Label Studio allows 50 characters)."""
        label = {ReviewKind.MCQ: "MCQ", ReviewKind.TEXT: "records"}[self.kind]
        return f"{project_name[:24]} · {self.role.value} · {label}"

    @property
    def key(self) -> str:
        return f"{self.role.value}/{self.kind.value}"

    @property
    def description(self) -> str:
        return (
            f"MedCurate {self.role.value} ({self.kind.value}) — managed by `curate review`; "
            "do not rename."
        )

    def label_config(self, root: Path | None) -> str:
        return render_config(self.kind, self.role, root)

    def instructions(self, root: Path | None) -> str:
        return instructions(root)

    def maximum_annotations(self, overlap: int) -> int:
        """Physicians per task: `overlap` for review, one for adjudication."""
        return 1 if self.role == Role.ADJUDICATION else overlap


ALL_PROJECTS = tuple(ProjectSpec(role, kind) for role in Role for kind in ReviewKind)

TASKS_ROLE = "tasks"
TASK_PROJECT_LABELS: dict[str, str] = {
    "free_text": "free text",
    "label": "label",
    "spans": "spans",
    "fields": "fields",
}
"""Output type (:class:`curation.tasks.contract.OutputType`) → its task project's title word."""


def task_project_title(project_name: str, output_type: str) -> str:
    """The title of the project reviewing task instances of one output type (≤ 50 chars)."""
    return f"{project_name[:24]} · {TASKS_ROLE} · {TASK_PROJECT_LABELS[output_type]}"


TASK_ADJUDICATION_ROLE = "task adjudication"


def task_adjudication_title(project_name: str, output_type: str) -> str:
    """The title of the project adjudicating task instances of one output type (≤ 50 chars)."""
    label = TASK_PROJECT_LABELS[output_type]
    return f"{project_name[:18]} · {TASK_ADJUDICATION_ROLE} · {label}"


def with_panel(template: str, panel: str) -> str:
    """A screen template with an adjudication panel at its ``@adjudication-panel`` marker (a
    project's own screen without the marker: before its last ``</View>``); an empty panel
    removes the marker."""
    marker = "<!-- @adjudication-panel -->"
    if marker in template:
        return template.replace(marker, panel)
    if not panel:
        return template
    cut = template.rstrip().rfind("</View>")
    return template[:cut] + f"  {panel}\n" + template[cut:]


def specialty_choice(taxonomy: Taxonomy, code: str) -> str:
    """The displayed value of a specialty choice: 'code 中文 · English'."""
    entry = taxonomy.get(code)
    return f"{entry.code} {entry.zh} · {entry.en}"


def specialty_path(taxonomy: Taxonomy, code: str) -> list[str]:
    """A specialty as Label Studio's Taxonomy tag stores it: its codes from the department down."""
    return [*reversed(taxonomy.ancestors(code)), code]


def reasons_for(kind: str) -> tuple[str, ...]:
    """The reject reason codes offered for an item kind (a new kind: those of records)."""
    return REASONS_BY_KIND.get(kind, REASONS_BY_KIND[Kind.RECORD])


def reject_reason_choices(kind: str) -> list[dict[str, str]]:
    """The reject reasons of an item kind, as the task's dynamic choices."""
    return [{"value": REJECT_REASONS[code], "alias": code} for code in reasons_for(kind)]


def _config_file(root: Path | None, name: str) -> Path:
    """A project's own annotation_configs/<name>, else the one shipped with MedCurate."""
    return contract_path(f"{CONFIG_DIR}/{name}", root)


def _specialty_tree(taxonomy: Taxonomy) -> str:
    """Nested <Choice> tags, departments first: Label Studio's Taxonomy searches them."""

    def node(code: str, depth: int) -> str:
        pad = "  " * (depth + 3)
        attrs = f"value={quoteattr(specialty_choice(taxonomy, code))} alias={quoteattr(code)}"
        children = taxonomy.children(code)
        if not children:
            return f"{pad}<Choice {attrs}/>"
        inner = "\n".join(node(c.code, depth + 1) for c in children)
        return f"{pad}<Choice {attrs}>\n{inner}\n{pad}</Choice>"

    return "\n".join(node(s.code, 0) for s in taxonomy.specialties if s.parent is None)


def exam_choices(exams: ExamAnnotations, name: str) -> str:
    """One single choice among the codes of an exam annotation (discipline, competency), each
    shown in English and Chinese, stored as its code."""
    inner = "\n".join(
        f"      <Choice value={quoteattr(e.choice)} alias={quoteattr(e.code)}/>"
        for e in exams.entries(name)
    )
    return (
        f'<Choices name="{name}" toName="text" choice="single-radio" showInline="true">\n'
        f"{inner}\n    </Choices>"
    )


def _edit_fields(kind: ReviewKind) -> str:
    """One pre-filled box per field of the item (see :class:`EditGroup`)."""
    blocks = []
    for group in EDIT_GROUPS[kind.value]:
        value = f"${group.data}[{{{{i}}}}]" + (".text" if group.listed else "")
        blocks.append(
            f'      <Repeater on="${group.data}" indexFlag="{{{{i}}}}">\n'
            f'        <Header value={quoteattr(group.heading)} size="6"/>\n'
            f'        <TextArea name="{group.control}" toName="text" value="{value}" '
            f'rows="{group.rows}" maxSubmissions="1" editable="true" transcription="true" '
            'showSubmitButton="false"/>\n'
            "      </Repeater>"
        )
    return "\n".join(blocks)


def render_config(kind: ReviewKind, role: Role = Role.REVIEW, root: Path | None = None) -> str:
    """The label config XML of one project."""
    template = _config_file(root, f"{kind.value}.xml").read_text(encoding="utf-8")
    taxonomy = project_taxonomy(root)
    policy = load_policy(root)
    exams = project_exam_annotations(root)
    blocks = {
        **{f"{name}-choices": exam_choices(exams, name) for name in EXAM_FIELDS},
        "specialty-choices": (
            '<Taxonomy name="specialty" toName="text" maxUsages="1" '
            'placeholder="Search or choose 搜索或选择专科…" minWidth="100%">\n'
            f"{_specialty_tree(taxonomy)}\n    </Taxonomy>"
        ),
        "phi-labels": (
            '<Labels name="phi" toName="text" showInline="true">\n'
            + "\n".join(
                f"      <Label value={quoteattr(name)} "
                f"hint={quoteattr(cat.placeholder.get('zh', name))} "
                f'background="{PHI_COLORS[i % len(PHI_COLORS)]}"/>'
                for i, (name, cat) in enumerate(policy.categories.items())
            )
            + "\n    </Labels>"
        ),
        "reject-reasons": (
            '<Choices name="reject_reason" toName="text" choice="multiple" '
            'value="$reject_reasons" required="true" '
            'requiredMessage="Give at least one reason for rejecting 请至少选择一个拒绝原因"/>'
        ),
        "edit-fields": _edit_fields(kind),
        "adjudication-panel": (
            '<Header value="Reviews 各审核意见 — your decision is final 以您的裁定为准" '
            'size="5"/>\n    <View className="mc-text"><Text name="reviews" value="$reviews"/>'
            "</View>"
            if role == Role.ADJUDICATION
            else ""
        ),
    }
    for marker, block in blocks.items():
        template = template.replace(f"<!-- @{marker} -->", block)
    return template.rstrip()  # as the server stores it: an unchanged config is not re-sent


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def instructions(root: Path | None = None, name: str = "instructions.md") -> str:
    """The bilingual reviewer instructions shown in every project (`name`: the file under
    ``annotation_configs/``; task projects have their own), as HTML.

    ``instructions.md`` is Markdown (CommonMark, through markdown-it-py, which rich already
    brings); raw HTML in it is escaped. A line break inside a paragraph is a space — none between
    two Chinese characters — so wrapped source lines read as one sentence.
    """
    text = _config_file(root, name).read_text(encoding="utf-8")
    body = _markdown().render(text).rstrip()
    return f'<style>{INSTRUCTIONS_CSS}</style>\n<div class="mc-instructions">\n{body}\n</div>'


INSTRUCTIONS_CSS = (  # Label Studio's page resets list markers and margins; style attributes
    # are stripped from instructions, a <style> element is kept
    ".mc-instructions{font-size:14px;line-height:1.6}"
    ".mc-instructions h1{font-size:20px;font-weight:600;margin:0 0 .6em}"
    ".mc-instructions p{margin:.6em 0}"
    ".mc-instructions ol{list-style:decimal;padding-left:1.6em;margin:.4em 0}"
    ".mc-instructions ul{list-style:disc;padding-left:1.4em;margin:.2em 0}"
    ".mc-instructions li{margin:.2em 0}"
)


@cache
def _markdown() -> Any:
    from markdown_it import MarkdownIt  # rich's own Markdown parser

    md = MarkdownIt("commonmark", {"html": False, "typographer": False})

    def softbreak(renderer: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
        before = tokens[idx - 1].content[-1:] if idx else ""
        after = tokens[idx + 1].content[:1] if idx + 1 < len(tokens) else ""
        return "" if _CJK.match(before) and _CJK.match(after) else " "

    md.add_render_rule("softbreak", softbreak)
    return md
