"""The per-item stages by name: each is declared once, in its own module, as ``DECLARED``
(an :class:`~curation.stages.runner.ItemStage`).

A module is imported only when its stage is asked for, so that a stage's code (what DVC
tracks for it) is its own module's import closure, not every stage's.
"""

from __future__ import annotations

from importlib import import_module

from curation.errors import ConfigError
from curation.stages.runner import ItemStage

ITEM_STAGES: dict[str, str] = {
    "deid": "curation.stages.deid",
    "validate": "curation.stages.validate",
    "tag": "curation.stages.tag",
}


def declared_stage(name: str) -> ItemStage:
    """The declared per-item stage of this name; a ConfigError lists the known ones."""
    if name not in ITEM_STAGES:
        raise ConfigError(
            f"unknown stage '{name}'", hint=f"Per-item stages: {', '.join(ITEM_STAGES)}."
        )
    return import_module(ITEM_STAGES[name]).DECLARED
