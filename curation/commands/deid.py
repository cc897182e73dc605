"""`curate deid scan` (JSONL in, spans + text out). `curate deid run` is the declared stage
:data:`curation.stages.declared.DEID`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from curation.commands.scan import ScanRow, read_scan_input
from curation.deid import DetectionSettings, scan_texts
from curation.errors import InputFileError
from curation.stages.deid import dumps_line, spans_as_json


def scan_file(
    source: Path,
    target: Path,
    batch: int = 2000,
    progress: Callable[[int], object] | None = None,
    settings: DetectionSettings | None = None,
) -> int:
    """Scan a JSONL file in batches, writing spans and placeholder text. Returns lines done.

    A batch never splits a record (consecutive lines sharing a `record` value).
    """
    if not source.is_file():
        raise InputFileError(f"{source} does not exist")
    done = 0
    rows: list[ScanRow] = []
    with target.open("w", encoding="utf-8") as out:

        def flush() -> None:
            results = scan_texts(
                [r[1] for r in rows],
                [r[2] for r in rows],
                records=[r[3] for r in rows],
                settings=settings,
            )
            for (ident, *_), res in zip(rows, results, strict=True):
                out.write(
                    dumps_line({"id": ident, "spans": spans_as_json(res.spans), "text": res.text})
                )
            if progress:
                progress(len(rows))
            rows.clear()

        for row in read_scan_input(source):
            if len(rows) >= batch and (row[3] is None or row[3] != rows[-1][3]):
                flush()
            rows.append(row)
            done += 1
        if rows:
            flush()
    return done
