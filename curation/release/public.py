"""The released form of an item: flat public columns, grouped into configs (kind × language).

Internal fields stay out of a release: provenance (raw file paths, record keys), physicians'
identities and raw labels, tagger runners-up. Ids are released as :func:`identity.public_id`
(``item_id`` and ``cluster_id`` alike): the internal id hashes the record key without a
secret. What a benchmark user needs stays: the text, the answer, the specialty placement, CMExam's
five exam annotations of an MCQ (disease group, department, medical discipline, area of
competency, difficulty), how the review decided, the license.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from curation.identity import public_id

PUBLIC_COLUMNS = [
    "item_id",
    "cluster_id",
    "content_hash",
    "split",
    "source",
    "license",
    "kind",
    "dimension",
    "language",
    "question",
    "context",
    "options",
    "answer_labels",
    "answer",
    "answer_text",
    "explanation",
    "turns",
    "specialty_code",
    "department_code",
    "disease_group",
    "discipline",
    "competency",
    "difficulty",
    "review_resolution",
]


def released_rows(release: Path) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(kind, config, row) of every row of a release folder's data: ``instance`` rows (task
    configs, named by ``instance_id``) and ``item`` rows (named by ``item_id``)."""
    for path in sorted(release.glob("data/*/*.parquet")):
        frame = pl.read_parquet(path)
        kind = "instance" if "instance_id" in frame.columns else "item"
        if kind == "item" and "item_id" not in frame.columns:
            continue
        for row in frame.iter_rows(named=True):
            yield kind, path.parent.name, row


def config_expr() -> pl.Expr:
    """The release config of an item: '<kind>_<language>', e.g. mcq_zh."""
    return pl.concat_str([pl.col("kind"), pl.col("language")], separator="_")


def public_frame(items: pl.DataFrame, salt: bytes) -> pl.DataFrame:
    """Items (item schema + split) → released rows with public ids, sorted by config, split,
    item_id."""
    tags, review = pl.col("tags"), pl.col("review")

    def public(column: str) -> pl.Expr:
        return pl.col(column).map_elements(lambda v: public_id(salt, v), return_dtype=pl.String)

    answer = (
        pl.when(pl.col("kind") == "mcq")
        .then(pl.col("answer_labels").list.join(","))
        .otherwise(pl.col("answer_text"))
    )
    return (
        items.with_columns(
            config=config_expr(),
            answer=answer,
            specialty_code=tags.struct.field("specialty_code"),
            department_code=tags.struct.field("department_code"),
            disease_group=tags.struct.field("disease_group"),
            discipline=review.struct.field("discipline"),
            competency=review.struct.field("competency"),
            difficulty=review.struct.field("difficulty"),
            review_resolution=review.struct.field("resolution"),
            item_id=public("item_id"),
            cluster_id=public("cluster_id"),
        )
        .select(["config", *PUBLIC_COLUMNS])
        .sort("config", "split", "item_id")
    )
