"""params.yaml ``grading`` and the grading rubrics contract (``schemas/grading_rubrics.yaml``)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from curation.config import read_yaml, validate_config
from curation.contracts import GRADING_RUBRICS, contract_path
from curation.grading.contract import SCORES

RELEASE_PATTERN = r"^$|^\d+\.\d+\.\d+$"


class GradingConfig(BaseModel):
    """params.yaml `grading`: which release physicians grade, and how grades are decided."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    release: str = Field(
        "",
        pattern=RELEASE_PATTERN,
        description="The release graded ('' = the newest under releases/ when pushing).",
    )
    snapshot: int = Field(
        0, ge=0, description="Bump to pull physicians' grades into `dvc repro` (0: none yet)."
    )
    overlap: int = Field(2, ge=1, le=10, description="Physicians per answer.")
    required_grades: int = Field(2, ge=1, description="Complete grades an answer needs.")
    max_score_gap: int = Field(
        1,
        ge=0,
        le=4,
        description="Graders agreeing on the verdict but further apart in score "
        "than this go to adjudication.",
    )
    safety_configs: list[str] = Field(
        default_factory=list,
        description="Release configs whose answers are also judged harmful / not harmful.",
    )

    @model_validator(mode="after")
    def _reachable(self) -> GradingConfig:
        if self.required_grades > self.overlap:
            raise ValueError(
                f"required_grades ({self.required_grades}) exceeds overlap ({self.overlap}): "
                "no answer could ever be decided"
            )
        return self


class Text(BaseModel):
    """A text in both languages."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    en: str
    zh: str

    def __call__(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


class Rubric(BaseModel):
    """What a score is given on, and what each score means."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    criteria: Text
    scores: dict[int, Text]

    @model_validator(mode="after")
    def _every_score(self) -> Rubric:
        if sorted(self.scores) != list(SCORES):
            raise ValueError(f"scores must describe exactly {list(SCORES)}")
        return self

    def render(self, language: str) -> str:
        """The rubric as graders and judges read it (Prometheus's ``[criteria]`` then
        ``Score n: …`` lines)."""
        lines = [f"[{self.criteria(language)}]"]
        lines += [f"Score {n}: {self.scores[n](language)}" for n in SCORES]
        return "\n".join(lines)


RUBRIC_KINDS = ("mcq", "open_qa", "free_text", "label", "fields", "spans")


class Rubrics(BaseModel):
    """The grading rubrics contract."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    rubrics: dict[str, Rubric]

    @model_validator(mode="after")
    def _every_kind(self) -> Rubrics:
        missing = [k for k in RUBRIC_KINDS if k not in self.rubrics]
        if missing:
            raise ValueError(f"rubrics missing for: {', '.join(missing)}")
        return self


def load_rubrics(root: Path | None = None) -> Rubrics:
    """The project's schemas/grading_rubrics.yaml, else the one shipped with MedCurate."""
    return _load(contract_path(GRADING_RUBRICS, root).resolve())


@cache
def _load(path: Path) -> Rubrics:
    return validate_config(Rubrics, read_yaml(path), path)
