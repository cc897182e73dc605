"""The Label Studio projects physicians grade model answers in: one per release, plus one where
a senior physician settles disputed grades.

Titles carry the release version (``<project> · grading · 1.0.0``), so grades of different
releases never mix. The screen is a contract (``annotation_configs/grading.xml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from curation.contracts import contract_path
from curation.review.configs import CONFIG_DIR, Role, instructions, with_panel

CONFIG = f"{CONFIG_DIR}/grading.xml"
INSTRUCTIONS = "grading_instructions.md"

# control names of the screen (read back by the pull)
VERDICT, SCORE, HARM, RATIONALE = "verdict", "score", "harm", "rationale"

ADJUDICATION_PANEL = (
    '<Header value="Grades 各医师评分 — your decision is final 以您的裁定为准" size="5"/>\n'
    '    <View className="mc-text"><Text name="grades" value="$grades"/></View>'
)


def render_grading_config(root: Path | None = None, role: Role = Role.REVIEW) -> str:
    """The grading screen (`role` adjudication: with both physicians' grades shown)."""
    template = contract_path(CONFIG, root).read_text(encoding="utf-8")
    panel = ADJUDICATION_PANEL if role == Role.ADJUDICATION else ""
    return with_panel(template, panel).rstrip()


@dataclass(frozen=True)
class GradingProjectSpec:
    """The grading project of one release (a ``ManagedProject``); `role` adjudication: its
    adjudication project (one grade per task, both graders' grades beside the screen)."""

    version: str
    role: Role = Role.REVIEW
    task_key: ClassVar[str] = "grade_id"

    def title(self, project_name: str) -> str:
        """≤ 50 characters (Label Studio's limit)."""
        what = "grading adj." if self.role == Role.ADJUDICATION else "grading"
        return f"{project_name[:24]} · {what} · {self.version}"

    @property
    def key(self) -> str:
        return f"grading/{self.role.value}/{self.version}"

    @property
    def description(self) -> str:
        what = "grading adjudication" if self.role == Role.ADJUDICATION else "grading"
        return (
            f"MedCurate {what} of model answers to release {self.version} — managed by "
            "`curate grade`; do not rename."
        )

    def label_config(self, root: Path | None) -> str:
        return render_grading_config(root, self.role)

    def instructions(self, root: Path | None) -> str:
        return instructions(root, INSTRUCTIONS)

    def maximum_annotations(self, overlap: int) -> int:
        """Physicians per answer: `overlap` for grading, one for adjudication."""
        return 1 if self.role == Role.ADJUDICATION else overlap
