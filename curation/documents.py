"""Snapshot documents: JSON files that pin physicians' work (review, grading), written stably
and read back with a check of their format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from curation.errors import InputFileError


def write_document(document: dict[str, Any], path: Path) -> None:
    """Write a document as stable JSON (sorted keys, one space indent, trailing newline)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")


def read_document(path: Path, fmt: str, what: str, made_by: str) -> dict[str, Any]:
    """Read a document of format `fmt`; a missing or foreign file is a clear error naming the
    command that makes it (`made_by`) and what it should be (`what`)."""
    if not path.is_file():
        raise InputFileError(
            f"{path} does not exist", hint=f"Run `{made_by}` (or `dvc repro`) first."
        )
    document = json.loads(path.read_text(encoding="utf-8"))
    if document.get("format") != fmt:
        raise InputFileError(f"{path} is not {what} ({fmt})")
    return document
