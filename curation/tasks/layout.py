"""Where task review artifacts live, relative to the project root.

``data/tasks/instances/<task>.parquet`` is what ``curate tasks build`` writes
(:func:`curation.commands.tasks.instances_path`); the rest is task review's: model drafts,
drafts that failed screening, and the reviewed instances ``curate tasks merge`` writes.
"""

from __future__ import annotations

from pathlib import Path

from curation.paths import ProjectPaths


def instances_path(paths: ProjectPaths, task: str) -> Path:
    """A task's built instances: data/tasks/instances/<task>.parquet."""
    return paths.root / "data" / "tasks" / "instances" / f"{task}.parquet"


def reviewed_dir(paths: ProjectPaths) -> Path:
    """Reviewed instances, one file per task: data/tasks/reviewed/."""
    return paths.root / "data" / "tasks" / "reviewed"


def reviewed_path(paths: ProjectPaths, task: str) -> Path:
    """A task's reviewed instances: data/tasks/reviewed/<task>.parquet."""
    return reviewed_dir(paths) / f"{task}.parquet"


def drafts_dir(paths: ProjectPaths) -> Path:
    """Screened model drafts: data/tasks/drafts/<task>/<model>.parquet."""
    return paths.root / "data" / "tasks" / "drafts"


def quarantine_dir(paths: ProjectPaths) -> Path:
    """Drafts that failed screening (reasons only): data/tasks/drafts_quarantine/<task>/…"""
    return paths.root / "data" / "tasks" / "drafts_quarantine"
