"""Deterministic writers: one function per source file format."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

import polars as pl
import xlsxwriter

from .builder import SynthRecord

FILES: dict[str, str] = {
    "exam_zh": "exam_zh/questions.csv",
    "records_zh": "records_zh/inpatient.csv",
    "dialogues_zh": "dialogues_zh/outpatient.jsonl",
    "notes_en": "notes_en/notes.xlsx",
    "exam_en": "exam_en/questions.parquet",
}
COLUMNS: dict[str, tuple[str, ...]] = {
    "exam_zh": ("qid", "question", "options", "answer", "explanation", "subject"),
    "records_zh": ("record_id", "department", "text"),
    "dialogues_zh": ("dialogue_id", "department", "dialogue"),
    "notes_en": ("note_id", "specialty", "note"),
    "exam_en": ("id", "stem", "A", "B", "C", "D", "E", "answer", "rationale"),
}
# Fixed workbook metadata so the XLSX bytes do not depend on the wall clock.
XLSX_CREATED = datetime(2026, 1, 1, 0, 0, 0)


def _csv_text(records: Iterable[SynthRecord], columns: tuple[str, ...]) -> str:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in records:
        w.writerow(["" if r.fields[c] is None else r.fields[c] for c in columns])
    return buf.getvalue()


def write_exam_zh(records: Iterable[SynthRecord], path: Path) -> None:
    """UTF-8 CSV; the packed options column keeps its embedded newlines (quoted)."""
    path.write_bytes(_csv_text(records, COLUMNS["exam_zh"]).encode("utf-8"))


def write_records_zh(records: Iterable[SynthRecord], path: Path) -> None:
    """GB18030 CSV; lone surrogates U+DC80-U+DCFF in a field become raw (invalid) bytes."""
    text = _csv_text(records, COLUMNS["records_zh"])
    path.write_bytes(text.encode("gb18030", errors="surrogateescape"))


def write_dialogues_zh(records: Iterable[SynthRecord], path: Path) -> None:
    """UTF-8 JSONL, keys in column order, non-ASCII kept literal."""
    cols = COLUMNS["dialogues_zh"]
    lines = [json.dumps({c: r.fields[c] for c in cols}, ensure_ascii=False) + "\n" for r in records]
    path.write_bytes("".join(lines).encode("utf-8"))


def write_notes_en(records: Iterable[SynthRecord], path: Path) -> None:
    """XLSX with one sheet ``notes``; None cells stay blank; fixed document properties."""
    cols = COLUMNS["notes_en"]
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    wb.set_properties(
        {
            "title": "MedCurate synthetic English clinical notes",
            "author": "MedCurate synth",
            "created": XLSX_CREATED,
        }
    )
    ws = wb.add_worksheet("notes")
    ws.set_column(0, 1, 22)
    ws.set_column(2, 2, 120)
    for j, c in enumerate(cols):
        ws.write_string(0, j, c)
    for i, r in enumerate(records, 1):
        for j, c in enumerate(cols):
            v = r.fields[c]
            if v:
                ws.write_string(i, j, v)
    wb.close()


def write_exam_en(records: Iterable[SynthRecord], path: Path) -> None:
    """Parquet, all columns Utf8 (E is null for 4-option questions)."""
    cols = COLUMNS["exam_en"]
    rows = list(records)
    df = pl.DataFrame(
        {c: [r.fields[c] for r in rows] for c in cols}, schema={c: pl.Utf8 for c in cols}
    )
    df.write_parquet(path, compression="zstd", statistics=True)


WRITERS: dict[str, Callable[[Iterable[SynthRecord], Path], None]] = {
    "exam_zh": write_exam_zh,
    "records_zh": write_records_zh,
    "dialogues_zh": write_dialogues_zh,
    "notes_en": write_notes_en,
    "exam_en": write_exam_en,
}


def write_source(name: str, records: Iterable[SynthRecord], out_dir: Path) -> Path:
    """Write one source under ``out_dir`` at its fixed relative path; return the path."""
    path = Path(out_dir) / FILES[name]
    path.parent.mkdir(parents=True, exist_ok=True)
    WRITERS[name](records, path)
    return path
