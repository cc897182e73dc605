"""croissant.json: the release in MLCommons Croissant (built and checked with mlcroissant).

One FileObject per data file (with its sha256) and one RecordSet per config × split whose fields
read the flat columns of the parquet file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIELDS = {  # column → Croissant data type name
    "item_id": "TEXT",
    "split": "TEXT",
    "source": "TEXT",
    "kind": "TEXT",
    "language": "TEXT",
    "question": "TEXT",
    "context": "TEXT",
    "answer": "TEXT",
    "specialty_code": "TEXT",
    "license": "TEXT",
}


def croissant(
    release_dir: Path, files: list[tuple[str, str, str, str]], card: dict[str, Any]
) -> dict[str, Any]:
    """The Croissant JSON-LD of a release. files: (config, split, relative path, sha256)."""
    import mlcroissant as mlc

    distribution, record_sets = [], []
    for config, split, relative, sha in files:
        file_id = f"{config}-{split}-parquet"
        distribution.append(
            mlc.FileObject(
                id=file_id,
                name=file_id,
                content_url=relative,
                encoding_formats=["application/x-parquet"],
                sha256=sha,
            )
        )
        record_id = f"{config}-{split}"
        record_sets.append(
            mlc.RecordSet(
                id=record_id,
                name=record_id,
                description=f"{config}, {split} split",
                fields=[
                    mlc.Field(
                        id=f"{record_id}/{column}",
                        name=column,
                        data_types=[getattr(mlc.DataType, kind)],
                        source=mlc.Source(file_object=file_id, extract=mlc.Extract(column=column)),
                    )
                    for column, kind in FIELDS.items()
                ],
            )
        )
    metadata = mlc.Metadata(
        name=card["name"],
        description=card["description"],
        url=card.get("homepage") or "https://example.invalid/medcurate",
        license=card["licenses"],
        cite_as=card["citation"],
        version=card["version"],
        in_language=card["languages"],
        distribution=distribution,
        record_sets=record_sets,
    )
    return metadata.to_json()


def write(document: dict[str, Any], path: Path) -> None:
    path.write_text(
        json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def load_records(path: Path, record_set: str) -> list[dict[str, Any]]:
    """Records of one record set, read back through mlcroissant (validates the file)."""
    import mlcroissant as mlc

    dataset = mlc.Dataset(jsonld=str(path))
    out = []
    for record in dataset.records(record_set=record_set):
        out.append(
            {
                key.rsplit("/", 1)[-1]: (
                    value.decode("utf-8") if isinstance(value, bytes) else value
                )
                for key, value in record.items()
            }
        )
    return out
