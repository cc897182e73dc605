"""The id an item carries on the review server: its public id, never the internal one.

A Label Studio task is readable by every physician and sits in the server's database, so it
names its item the way a release does (:func:`curation.identity.public_id`, keyed by the
project's salt). Everything read back from the server is translated to internal ids here, and
tasks pushed before public ids (which carry the internal id itself) pass through unchanged, so
an existing project keeps its reviews; the next push re-keys those tasks in place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curation.identity import public_id
from curation.secrets import deid_salt


@dataclass(frozen=True)
class ReviewIds:
    """Internal ↔ public ids of the items a project reviews."""

    public: dict[str, str]  # internal → public
    internal: dict[str, str]  # public → internal

    @classmethod
    def of(cls, salt: bytes, internal_ids: Iterable[str]) -> ReviewIds:
        public = {i: public_id(salt, i) for i in internal_ids}
        return cls(public, {p: i for i, p in public.items()})

    @classmethod
    def for_project(cls, root: Path, internal_ids: Iterable[str]) -> ReviewIds:
        """The ids under the project's salt (``MEDCURATE_DEID_SALT``)."""
        return cls.of(deid_salt(root), internal_ids)

    def to_internal(self, shown: str | None) -> str | None:
        """The internal id of an id read from the server (a legacy internal id stays as is)."""
        return None if shown is None else self.internal.get(shown, shown)

    def snapshot(self, document: dict[str, Any]) -> dict[str, Any]:
        """A review snapshot with every task's item id translated to the internal id."""
        projects = [
            project
            | {
                "tasks": [
                    task | {"item_id": self.to_internal(task.get("item_id"))}
                    for task in project["tasks"]
                ]
            }
            for project in document["projects"]
        ]
        return document | {"projects": projects}
