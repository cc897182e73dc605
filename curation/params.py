"""params.yaml: one section per stage, each parsed into that stage's pydantic config."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from curation.config import read_yaml, validate_config
from curation.stages.deid import DeidConfig


class ProjectParams(BaseModel):
    """Project-wide settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "medcurate"


class Params(BaseModel):
    """The whole params.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    project: ProjectParams = Field(default_factory=ProjectParams)
    deid: DeidConfig = Field(default_factory=DeidConfig)


def load_params(path: Path) -> Params:
    """Parse params.yaml (a missing file means all defaults)."""
    if not path.is_file():
        return Params()
    return validate_config(Params, read_yaml(path) or {}, path)
