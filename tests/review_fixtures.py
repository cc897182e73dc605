"""Items and projects for the review tests, built by code (synthetic, no real data)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from curation.identity import content_hash, item_id
from curation.models import Item
from curation.paths import ProjectPaths
from curation.review.ids import ReviewIds
from curation.review.server import KEY_VAR, URL_VAR
from curation.secrets import SALT_VAR
from curation.stages.base import ITEM_SCHEMA

TEST_SALT = "review-test-salt"


def make_item(
    key: str,
    kind: str = "mcq",
    language: str = "zh",
    question: str | None = "下列哪项是急性心肌梗死最常见的症状？",
    options: list[tuple[str, str]] | None = None,
    answer: list[str] | None = None,
    context: str | None = None,
    turns: list[tuple[str, str]] | None = None,
    specialty: str | None = "03.04",
    marks: list[dict[str, Any]] | None = None,
    source: str = "demo",
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One valid item row (the item model, as the curated parquet holds it); `labels` are its
    source labels (name → value)."""
    if kind == "mcq":
        options = options or [("A", "胸痛"), ("B", "头痛"), ("C", "腹泻"), ("D", "皮疹")]
        answer = answer or ["A"]
    else:
        options, answer = [], []
        question = question if kind == "open_qa" else None
    row = {
        "item_id": item_id(source, key),
        "content_hash": "0" * 16,
        "source": source,
        "source_record_key": key,
        "kind": kind,
        "language": language,
        "question": question,
        "context": context,
        "options": [{"label": label, "text": text} for label, text in options],
        "answer_labels": answer,
        "turns": [{"speaker": s, "text": t} for s, t in turns or []],
        "source_labels": [{"name": n, "value": v} for n, v in (labels or {}).items()],
        "license": "CC0-1.0",
        "provenance": {"file": "raw/demo.csv", "row": 1},
        "phi": {"deid_version": "medcurate-deid-test", "counts": [], "marks": marks or []},
        "tags": {
            "tagger": "specialty_lexicon_v1",
            "specialty_code": specialty,
            "department_code": specialty.split(".")[0] if specialty else None,
            "score": 0.9,
            "alternatives": [{"code": "03.01", "score": 0.05}],
        },
    }
    row["content_hash"] = content_hash(row)
    return Item.model_validate(row).model_dump(mode="json")


def items_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=ITEM_SCHEMA)


def review_project(
    root: Path,
    rows: list[dict[str, Any]],
    server_env: dict[str, str] | None = None,
    **review: Any,
) -> ProjectPaths:
    """A project root with data/curated.parquet, params.yaml (a unique project name) and .env."""
    paths = ProjectPaths(root)
    paths.curated.parent.mkdir(parents=True, exist_ok=True)
    items_frame(rows).write_parquet(paths.curated)
    params = {
        "project": {"name": f"t-{uuid.uuid4().hex[:8]}"},
        "review": {"bootstrap": 200, **review},
    }
    paths.params_file.write_text(yaml.safe_dump(params), encoding="utf-8")
    env = f"{SALT_VAR}={TEST_SALT}\n"
    if server_env:
        env += f"{URL_VAR}={server_env[URL_VAR]}\n{KEY_VAR}={server_env[KEY_VAR]}\n"
    (root / ".env").write_text(env, encoding="utf-8")
    return paths


def public_ids(rows: list[dict[str, Any]]) -> dict[str, str]:
    """internal → public id of each row under the test salt (what review tasks carry)."""
    return ReviewIds.of(TEST_SALT.encode(), [r["item_id"] for r in rows]).public


def accepted(
    row: dict[str, Any],
    resolution: str = "unanimous",
    difficulty: int | None = 3,
    discipline: str | None = None,
    competency: str | None = None,
) -> dict:
    """The row with a final accepting physician review (CMExam codes: see exam_annotations)."""
    review = {
        "status": "final",
        "decision": "accept",
        "resolution": resolution,
        "annotations": 2,
        "specialty_code": row["tags"]["specialty_code"] if row.get("tags") else None,
        "answer_labels": row["answer_labels"],
        "difficulty": difficulty,
        "discipline": discipline,
        "competency": competency,
        "reject_reasons": [],
        "disagreements": [],
        "labels": [],
    }
    return Item.model_validate(row | {"review": review}).model_dump(mode="json")
