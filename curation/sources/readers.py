"""Readers: every raw format becomes one lazy frame of string columns plus bookkeeping columns.

Bookkeeping columns (all readers):

* ``_file``  — raw file path as declared (relative to the project root where possible);
* ``_row``   — 1-based record number in that file, header excluded (JSONL: line number);
* ``_read_error`` — a reason code when the record itself could not be read (else null);
* ``_unparsed`` — for such records, the raw text of the record, kept for repair.

Text formats are decoded incrementally; undecodable bytes become :data:`INVALID_BYTE`, a
private-use code point, so that ingest quarantines exactly the records holding them.
CSV/TSV (stdlib ``csv``: tolerant of stray quotes, exact about multi-line fields; a quote that
is never closed sets aside its own row only, see :func:`_csv_rows`) and JSONL are parsed in
batches into temporary Parquet parts, so memory stays bounded; Parquet is scanned in place;
JSON and XLSX are read whole (an XLSX sheet goes to a temporary Parquet part at once, and is
then freed). A JSON string holding a lone surrogate (``"\\ud800"``: no Unicode character, so
no Parquet string either) sets aside its record only. Decoded text, Parquet and XLSX cannot
hold one: decoders mark such bytes as invalid, and polars/calamine refuse the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import re
import sys
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import polars as pl
from charset_normalizer import from_bytes

from curation.errors import InputFileError
from curation.reasons import Reason
from curation.sources.spec import Encoding, Format, SourceSpec

INVALID_BYTE = "\U0010fffd"
BOOKKEEPING = ("_file", "_row", "_read_error", "_unparsed")
BATCH_ROWS = 50_000
BATCH_CHARS = 8_000_000  # text characters parsed into one part at most (long records)
_SAMPLE_BYTES = 1 << 20
_ERROR_HANDLER = "medcurate-mark-invalid"
_SURROGATE = re.compile("[\ud800-\udfff]")


def _mark_invalid(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return INVALID_BYTE, exc.end


codecs.register_error(_ERROR_HANDLER, _mark_invalid)
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # clinical notes can be long


@dataclass
class RawSource:
    """A source opened for reading: its rows and what the reader found out."""

    frame: pl.LazyFrame
    encoding: str | None = None
    files: list[str] = field(default_factory=list)


def detect_encoding(path: Path) -> str:
    """utf-8-sig (BOM), utf-8 (decodes cleanly) or the best guess of charset-normalizer."""
    with path.open("rb") as fh:
        sample = fh.read(_SAMPLE_BYTES)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(sample, cp_isolation=["gb18030", "big5", "utf_16"]).best()
    if best is None:
        raise InputFileError(f"{path}: cannot detect the text encoding; declare `encoding`")
    return codecs.lookup(best.encoding).name


@contextmanager
def open_source(spec: SourceSpec, root: Path) -> Iterator[RawSource]:
    """Open every file of a source as one lazy frame (temporary parts live inside the block)."""
    with tempfile.TemporaryDirectory(prefix="medcurate-") as tmp:
        reader = _Reader(spec, Path(tmp))
        frames, encodings, names = [], set(), []
        for path in spec.files(root):
            rel = _display_path(spec, root, path)
            encoding = None
            if spec.format in (Format.CSV, Format.TSV, Format.JSONL, Format.JSON):
                encoding = (
                    detect_encoding(path) if spec.encoding == Encoding.AUTO else spec.encoding.value
                )
                encodings.add(encoding)
            frames.append(reader.read(path, rel, encoding).with_columns(_file=pl.lit(rel)))
            names.append(rel)
        yield RawSource(
            frame=pl.concat(frames).select(*[pl.col(c) for c in reader.wanted], *BOOKKEEPING),
            encoding=",".join(sorted(encodings)) or None,
            files=names,
        )


def _display_path(spec: SourceSpec, root: Path, path: Path) -> str:
    """The file as the user declared it: the source path, plus the name inside a directory."""
    base = root / spec.path
    if base.is_file():
        return spec.path
    return f"{spec.path.rstrip('/')}/{path.relative_to(base).as_posix()}"


class _Reader:
    """Per-format reading into frames with the columns a source maps, all strings."""

    def __init__(self, spec: SourceSpec, tmpdir: Path) -> None:
        self.spec = spec
        self.tmpdir = tmpdir  # this reader's own directory
        self._parts = itertools.count()
        self.wanted = spec.fields.columns()
        self.keys_seen: set[str] = set()
        self.schema = {c: pl.String for c in self.wanted} | {
            "_row": pl.Int64,
            "_read_error": pl.String,
            "_unparsed": pl.String,
        }

    def read(self, path: Path, rel: str, encoding: str | None) -> pl.LazyFrame:
        fmt = self.spec.format
        if fmt == Format.PARQUET:
            return self._parquet(path, rel)
        if fmt == Format.XLSX:
            return self._xlsx(path, rel)
        with (
            path.open("rb") as raw,
            io.TextIOWrapper(raw, encoding=encoding, errors=_ERROR_HANDLER, newline="") as text,
        ):
            if fmt == Format.JSON:
                return self._frame(self._json_records(text, rel), rel)
            records = (
                self._jsonl_records(text, rel)
                if fmt == Format.JSONL
                else self._delimited_records(text, rel, "\t" if fmt == Format.TSV else ",")
            )
            return self._frame(records, rel)

    # -- building frames -------------------------------------------------------------------
    def _new_part(self) -> Path:
        """A fresh path for a temporary Parquet part."""
        return self.tmpdir / f"part-{next(self._parts):06d}.parquet"

    def _frame(self, records: Iterable[dict], rel: str) -> pl.LazyFrame:
        """Write records in batches to Parquet parts and scan them lazily."""
        parts: list[Path] = []
        batch: list[dict] = []
        chars = 0
        self.keys_seen: set[str] = set()

        def flush() -> None:
            part = self._new_part()
            pl.DataFrame(batch, schema=self.schema).write_parquet(part)
            parts.append(part)
            batch.clear()

        for record in records:
            batch.append(record)
            chars += sum(len(v) for v in record.values() if isinstance(v, str))
            if len(batch) >= BATCH_ROWS or chars >= BATCH_CHARS:  # long records: fewer rows
                flush()
                chars = 0
        if batch or not parts:
            flush()
        # JSON has no header: a mapped key that no record has is a config mistake.
        missing = [c for c in self.wanted if c not in self.keys_seen]
        if self.keys_seen and missing:
            self._missing(missing, sorted(self.keys_seen), rel)
        return pl.scan_parquet(parts)

    def _missing(self, missing: list[str], present: list[str], rel: str) -> None:
        """A mapped column is absent. The file's own names are never shown: in a file without
        a header row they are the first record's values (a name, a phone number …)."""
        if self.spec.format in (Format.JSON, Format.JSONL):
            has = f"its records have {len(present)} distinct key(s)"
        elif self.spec.format == Format.PARQUET:
            has = f"it has {len(present)} column(s)"
        else:
            has = f"its first row (the header) has {len(present)} column(s)"
        found = len(self.wanted) - len(missing)
        raise InputFileError(
            f"{rel}: source '{self.spec.name}' maps column(s) {', '.join(missing)} "
            f"that the file does not have; {has}, {found} of the {len(self.wanted)} mapped",
            hint="Compare `fields` of the source in sources.yaml with the file's header row "
            "(CSV/TSV/XLSX need one as their first row); the file's own names are not printed "
            "since without a header they would be record text.",
        )

    def _record(self, values: dict[str, object], number: int, raw: str | None = None) -> dict:
        """The mapped values as text; a record with a lone surrogate (JSON ``\\ud800``, which
        no Parquet string can hold) is unreadable, kept as ``raw`` (default: escaped JSON)."""
        if self.spec.format in (Format.JSON, Format.JSONL):
            self.keys_seen.update(values)
        out = {c: _as_text(values.get(c)) for c in self.wanted}
        if any(v is not None and _SURROGATE.search(v) for v in out.values()):
            return self._unreadable(Reason.INVALID_UNICODE, number, raw or _json_text(values))
        out["_row"] = number
        return out

    @staticmethod
    def _unreadable(reason: Reason, number: int, raw: str) -> dict:
        return {"_row": number, "_read_error": reason.value, "_unparsed": raw}

    # -- formats ---------------------------------------------------------------------------
    def _delimited_records(self, text: IO[str], rel: str, delimiter: str) -> Iterator[dict]:
        rows = _csv_rows(text, delimiter)
        header = next(rows, None)
        if not header:
            raise InputFileError(f"{rel}: the file is empty (no header row)")
        if isinstance(header, str):
            raise InputFileError(f"{rel}: a quote opened in the header row is never closed")
        header = [h.strip() for h in header]
        missing = [c for c in self.wanted if c not in header]
        if missing:
            self._missing(missing, header, rel)
        index = {c: header.index(c) for c in self.wanted}
        number = 0
        for row in rows:
            if isinstance(row, str):  # its quote is never closed
                number += 1
                yield self._unreadable(Reason.UNCLOSED_QUOTE, number, row.rstrip("\r\n"))
                continue
            if not any(cell.strip() for cell in row):
                continue  # blank lines are not records
            number += 1
            if len(row) != len(header):
                yield self._unreadable(Reason.MALFORMED_ROW, number, delimiter.join(row))
                continue
            yield self._record({c: row[i] for c, i in index.items()}, number)

    def _jsonl_records(self, text: IO[str], rel: str) -> Iterator[dict]:
        for number, line in enumerate(text, start=1):
            if line.strip():
                yield self._json_record(line.rstrip("\r\n"), number)

    def _json_records(self, text: IO[str], rel: str) -> Iterator[dict]:
        try:
            data = json.load(text)
        except json.JSONDecodeError as exc:
            raise InputFileError(
                f"{rel}: not valid JSON (line {exc.lineno}, column {exc.colno}); "
                "a file of one JSON object per line is format 'jsonl'"
            ) from None
        if not isinstance(data, list):
            raise InputFileError(f"{rel}: format 'json' expects a top-level array of objects")
        for number, obj in enumerate(data, start=1):
            raw = _json_text(obj)
            if isinstance(obj, dict):
                yield self._record(obj, number, raw)
            else:
                yield self._unreadable(Reason.INVALID_JSON, number, raw)

    def _json_record(self, line: str, number: int) -> dict:
        if INVALID_BYTE in line:
            return self._unreadable(Reason.INVALID_ENCODING, number, line)
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            obj = None
        if not isinstance(obj, dict):
            return self._unreadable(Reason.INVALID_JSON, number, line)
        return self._record(obj, number, line)

    def _parquet(self, path: Path, rel: str) -> pl.LazyFrame:
        frame = pl.scan_parquet(path)
        try:
            present = frame.collect_schema().names()
        except pl.exceptions.PolarsError:
            raise InputFileError(f"{rel}: not a readable Parquet file") from None
        missing = [c for c in self.wanted if c not in present]
        if missing:
            self._missing(missing, present, rel)
        return frame.with_row_index("_row", offset=1).select(
            *[pl.col(c).cast(pl.String) for c in self.wanted],
            pl.col("_row").cast(pl.Int64),
            _read_error=pl.lit(None, dtype=pl.String),
            _unparsed=pl.lit(None, dtype=pl.String),
        )

    def _xlsx(self, path: Path, rel: str) -> pl.LazyFrame:
        try:
            frame = pl.read_excel(
                path, sheet_name=self.spec.sheet, infer_schema_length=0, drop_empty_rows=False
            )
        except Exception as exc:  # fastexcel raises its own types; never echo cell contents
            raise InputFileError(
                f"{rel}: cannot read as xlsx ({type(exc).__name__}); check the file and `sheet`"
            ) from None
        missing = [c for c in self.wanted if c not in frame.columns]
        if missing:
            self._missing(missing, frame.columns, rel)
        data = frame.columns
        part = self._new_part()
        # the sheet goes to disk in row groups and is read back lazily: the frame read whole
        # is freed when this returns, and later batches read one row group at a time
        frame.with_row_index("_row", offset=1).filter(
            ~pl.all_horizontal(pl.col(data).is_null())  # blank rows are not records
        ).select(
            *[pl.col(c).cast(pl.String) for c in self.wanted],
            pl.col("_row").cast(pl.Int64),
            _read_error=pl.lit(None, dtype=pl.String),
            _unparsed=pl.lit(None, dtype=pl.String),
        ).write_parquet(part, row_group_size=BATCH_ROWS)
        return pl.scan_parquet(part)


class _Lines:
    """The lines of a text file for ``csv.reader``: remembers those the current record took,
    and reads lines given back (``again``) before the file's next ones."""

    def __init__(self, text: IO[str]) -> None:
        self._text = iter(text)
        self.again: deque[str] = deque()
        self.taken: list[str] = []
        self.ended = False  # the input ran out during the current record

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.again:
            line = self.again.popleft()
        else:
            line = next(self._text, None)
            if line is None:
                self.ended = True
                raise StopIteration
        self.taken.append(line)
        return line

    def start_record(self) -> None:
        self.taken, self.ended = [], False


def _csv_rows(text: IO[str], delimiter: str) -> Iterator[list[str] | str]:
    """The rows of a CSV/TSV file as lists of fields; for a row whose quote is never closed,
    its raw first line (a ``str``) instead, and the lines after it read again as rows.

    Detection: the file is parsed with ``strict=True``, under which a quoted field must end in
    a quote followed by the delimiter or the line end. A quote left open runs over the lines
    after it until the input ends, or until the next quote, which is then almost always the
    opening quote of a later field or a quote inside text: followed by more text. Either way
    the strict parse of that record fails, while a file that follows RFC 4180 never fails it
    (no false alarms). The record started on the line holding the open quote: that line is the
    broken row; the lines after it are given back and parsed again (a later open quote is
    found the same way). A failure within one line (``"a"b``: text after a closing quote) is
    no unclosed quote: that line is read leniently (``ab``), as the ``csv`` default does.

    Limit: a later stray quote that happens to end a field (``5'11"`` then a delimiter or the
    line end) closes the run exactly as a multi-line field closes; syntax cannot tell them
    apart, so such a run stays one row (``malformed_row`` unless its field count fits).
    """
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    while True:
        lines.start_record()
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:  # the reader starts afresh at its next record
            first, *rest = lines.taken
            if rest or lines.ended:
                lines.again.extendleft(reversed(rest))
                yield first
            else:
                yield next(csv.reader([first], delimiter=delimiter))
            continue
        yield row


def _json_text(value: object) -> str:
    """JSON of a raw value as written, but with ASCII escapes if it holds a lone surrogate."""
    text = json.dumps(value, ensure_ascii=False)
    return json.dumps(value) if _SURROGATE.search(text) else text


def _as_text(value: object) -> str | None:
    """Cell values as text: strings unchanged, empty → null, anything else as JSON."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
