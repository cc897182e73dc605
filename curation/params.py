"""params.yaml: one section per stage, each parsed into that stage's pydantic config."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from curation.config import read_yaml, validate_config
from curation.grading.config import GradingConfig
from curation.paths import ProjectPaths
from curation.release.config import ReleaseConfig
from curation.release.splits import SplitConfig
from curation.review.rules import ReviewConfig
from curation.sources.spec import declared_sources
from curation.stages.dedup import DedupConfig
from curation.stages.deid import DeidConfig
from curation.stages.runner import EngineConfig
from curation.stages.tag import TagConfig
from curation.validation.rules import ValidateConfig


class ProjectParams(BaseModel):
    """Project-wide settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "medcurate"


class Params(BaseModel):
    """The whole params.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    project: ProjectParams = Field(default_factory=ProjectParams)
    engine: EngineConfig = Field(default_factory=EngineConfig)
    deid: DeidConfig = Field(default_factory=DeidConfig)
    # `validate` would shadow BaseModel.validate: the section is read through an alias
    validation: ValidateConfig = Field(default_factory=ValidateConfig, alias="validate")
    tag: TagConfig = Field(default_factory=TagConfig)
    dedup: DedupConfig = Field(default_factory=DedupConfig)
    review: ReviewConfig = Field(default_factory=ReviewConfig)
    split: SplitConfig = Field(default_factory=SplitConfig)
    release: ReleaseConfig = Field(default_factory=ReleaseConfig)
    grading: GradingConfig = Field(default_factory=GradingConfig)

    def section(self, name: str) -> BaseModel:
        """The parsed section of params.yaml named `name` (e.g. `validate`)."""
        for field, info in type(self).model_fields.items():
            if name in (field, info.alias):
                return getattr(self, field)
        raise KeyError(name)


def load_params(path: Path) -> Params:
    """Parse params.yaml (a missing file means all defaults).

    Validators see the project root (for its PHI policy) and the sources that sources.yaml
    beside it declares, so that a source named in params must exist."""
    if not path.is_file():
        return Params()
    root = path.parent
    context = {"root": root, "sources": declared_sources(ProjectPaths(root).sources_file)}
    return validate_config(Params, read_yaml(path) or {}, path, context=context)


def edit_param(path: Path, section: str, key: str, value: str | None = None) -> str:
    """Set ``section.key`` in params.yaml in place, keeping every comment; with no `value`,
    add one to its integer. Returns the new value. The key must already be in the section."""
    import re

    from curation.errors import ConfigError

    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    pattern = re.compile(
        rf"^({re.escape(section)}:[^\n]*\n(?:[ \t]+[^\n]*\n|\n)*?[ \t]+{re.escape(key)}:[ \t]*)"
        r"(\"[^\"\n]*\"|'[^'\n]*'|[^\s#]*)",
        re.M,
    )
    match = pattern.search(text)
    if not match:
        raise ConfigError(
            f"{path} has no {section}.{key} entry",
            hint=f"Add `{key}:` under `{section}:` (see params.yaml of the demo project).",
        )
    if value is None:
        new = str(int(match.group(2)) + 1)
        shown = new
    else:
        new, shown = f'"{value}"', value
    path.write_text(text[: match.start(2)] + new + text[match.end(2) :], encoding="utf-8")
    return shown
