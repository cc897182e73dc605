"""Label Studio label configs, rendered from ``annotation_configs/`` and the project taxonomy.

One template per review kind (``mcq.xml`` for multiple-choice questions, ``text.xml`` for
records, dialogues and open questions). Marked comments in a template are filled here:
``@specialty-choices`` from ``schemas/specialties.yaml``, ``@phi-labels`` from
``schemas/phi.yaml``, ``@reject-reasons`` from :data:`REJECT_REASONS` and, for adjudication
projects only, ``@adjudication-panel`` (all reviews side by side).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from xml.sax.saxutils import quoteattr

from curation.deid.policy import load_policy
from curation.models import Kind
from curation.taxonomy import Taxonomy, project_taxonomy

CONFIG_DIR = "annotation_configs"

REJECT_REASONS: dict[str, str] = {
    "factually_wrong": "Factually wrong 内容错误",
    "answer_key_wrong": "Answer key wrong 答案错误",
    "ambiguous": "Ambiguous 表述含糊",
    "outdated_guideline": "Outdated guideline 指南已过时",
    "residual_phi": "Residual PHI 仍含隐私信息",
    "not_clinically_relevant": "Not clinically relevant 与临床无关",
}
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


@dataclass(frozen=True)
class ProjectSpec:
    """One Label Studio project MedCurate manages."""

    role: Role
    kind: ReviewKind

    def title(self, project_name: str) -> str:
        """The project title (Label Studio allows 50 characters)."""
        label = {ReviewKind.MCQ: "MCQ", ReviewKind.TEXT: "records"}[self.kind]
        return f"{project_name[:24]} · {self.role.value} · {label}"

    @property
    def key(self) -> str:
        return f"{self.role.value}/{self.kind.value}"


ALL_PROJECTS = tuple(ProjectSpec(role, kind) for role in Role for kind in ReviewKind)


def specialty_choice(taxonomy: Taxonomy, code: str) -> str:
    """The displayed value of a specialty choice: 'code 中文 · English'."""
    entry = taxonomy.get(code)
    return f"{entry.code} {entry.zh} · {entry.en}"


REPO = Path(__file__).resolve().parents[2]


def _config_file(root: Path | None, name: str) -> Path:
    """A project's own annotation_configs/<name>, else the one shipped with MedCurate."""
    if root is not None and (Path(root) / CONFIG_DIR / name).is_file():
        return Path(root) / CONFIG_DIR / name
    return REPO / CONFIG_DIR / name


def render_config(kind: ReviewKind, role: Role = Role.REVIEW, root: Path | None = None) -> str:
    """The label config XML of one project."""
    template = _config_file(root, f"{kind.value}.xml").read_text(encoding="utf-8")
    taxonomy = project_taxonomy(root)
    policy = load_policy(root)
    specialties = "\n".join(
        f"      <Choice value={quoteattr(specialty_choice(taxonomy, s.code))} "
        f"alias={quoteattr(s.code)}/>"
        for s in taxonomy.specialties
    )
    blocks = {
        "specialty-choices": (
            '<Choices name="specialty" toName="text" choice="single" layout="select">\n'
            f"{specialties}\n    </Choices>"
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
            '<Choices name="reject_reason" toName="text" choice="multiple">\n'
            + "\n".join(
                f"        <Choice value={quoteattr(text)} alias={quoteattr(code)}/>"
                for code, text in REJECT_REASONS.items()
            )
            + "\n      </Choices>"
        ),
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
    return template


def instructions(root: Path | None = None) -> str:
    """The bilingual reviewer instructions shown in every project (HTML)."""
    text = _config_file(root, "instructions.md").read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    return "\n".join(f"<p>{html.escape(p).replace(chr(10), '<br/>')}</p>" for p in paragraphs)
