"""What every tagger returns, and the text of an item that taggers read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class TagPrediction:
    """A tagger's placement of one text; `alternatives` are the runners-up, best first."""

    specialty_code: str | None
    department_code: str | None
    disease_group: str | None
    score: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)

    def as_json(self, ident: str) -> dict[str, Any]:
        """The `curate tag scan` output line for this prediction."""
        return {
            "id": ident,
            "specialty_code": self.specialty_code,
            "department_code": self.department_code,
            "disease_group": self.disease_group,
            "score": round(self.score, 4),
            "alternatives": [{"code": c, "score": round(s, 4)} for c, s in self.alternatives],
        }


class Tagger(Protocol):
    """Anything that places texts in the taxonomy."""

    name: str

    def predict(
        self, texts: Sequence[str], languages: Sequence[str | None] | None = None
    ) -> list[TagPrediction]:
        """One prediction per text."""
        ...


def versioned_name(base: str, module: str, *parts: str) -> str:
    """A tagger's name as written into items: `base` (e.g. specialty_lexicon_v1) + a digest of
    the code its module runs (import closure) and of `parts` (taxonomy, model file …)."""
    from curation.provenance import code_digest, digest_files

    return f"{base}+{digest_files([], parts=[code_digest(module), *parts])}"


def item_text(row: dict[str, Any]) -> str:
    """The text of an item that taggers read: question, options, context, answer, dialogue."""
    parts = [row.get("question"), row.get("context")]
    parts += [o["text"] for o in row.get("options") or []]
    parts += [row.get("answer_text"), row.get("explanation")]
    return "\n".join(p for p in parts if p)
