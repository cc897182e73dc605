"""The PHI policy (schemas/phi.yaml): categories, what they cover, and what to do with them."""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from curation.config import read_yaml, validate_config
from curation.contracts import PHI_POLICY, contract_path

POLICY_FILE = Path(PHI_POLICY)


class Action(StrEnum):
    """What de-identification does with a category's spans."""

    PLACEHOLDER = "placeholder"
    SURROGATE = "surrogate"
    SHIFT = "shift"
    GENERALIZE = "generalize"


class CategoryPolicy(BaseModel):
    """One PHI category."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    covers: str
    hipaa: list[int]
    pipl: str
    action: Action
    placeholder: dict[str, str]


class PhiPolicy(BaseModel):
    """The whole policy file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    categories: dict[str, CategoryPolicy]

    def placeholder(self, category: str, language: str) -> str:
        """The typed tag of a category in a language, e.g. [姓名] or [NAME]."""
        tags = self.categories[category].placeholder
        return tags.get(language) or tags["en"]


def load_policy(root: Path | None = None) -> PhiPolicy:
    """The policy of a project root (default: the active project), else the shipped one."""
    return _load(contract_path(PHI_POLICY, root))


@cache
def _load(path: Path) -> PhiPolicy:
    return validate_config(PhiPolicy, read_yaml(path), path)
