"""The JSONL input of `curate deid scan` and `curate tag scan`: {"id", "text", "lang"?,
"record"?} per line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from curation.errors import InputFileError

ScanRow = tuple[str, str, str | None, str | None]


def read_scan_input(path: Path) -> Iterator[ScanRow]:
    """(id, text, lang, record) per line of a scan input; a bad line is an error naming its
    number. Consecutive lines with the same `record` are the texts of one record."""
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                text, lang = obj["text"], obj.get("lang")
                if not isinstance(text, str) or not isinstance(lang, str | None):
                    raise TypeError
            except (json.JSONDecodeError, KeyError, TypeError):
                raise InputFileError(
                    f"{path}, line {number}: expected a JSON object with a string 'text' "
                    "(and 'lang', if any, a string)"
                ) from None
            yield str(obj.get("id", number)), text, lang, _record_key(obj.get("record"))


def _record_key(value: object) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True)
