"""`curate audit`: look for known identifiers wherever patient data must never be.

The input is a list of strings, one per line (a hospital's own patient index: names, MRNs, phone
numbers…). Each string is searched with its parts: a Chinese name's given name (without the
surname), the parts of 2+ characters of a name in Latin letters, an email's local part, the
digits of a number without its separators. Texts are searched case-insensitively, with full-width
forms read as ASCII, invisible characters and separators between digits removed, and JSON
through its escapes. A finding names the place (file and row, column and offset; table and row
of the Label Studio database) and the string's line number in the input, never the string.

Places searched, under the project root: every file under ``data/`` except the raw records kept
by design (``data/ingested/`` and the ingest and deid quarantine), ``reports/``, ``models/``,
``releases/``, DVC's logs and state in ``.dvc/tmp/``, and the Label Studio folder
(``.labelstudio/``: its SQLite database, export snapshots and server log).
"""

from __future__ import annotations

import bisect
import html
import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import ahocorasick
import polars as pl

from curation.errors import InputFileError

# Folders under the root that hold raw records by design (never left the machine)
RAW_FOLDERS = ("data/ingested", "data/quarantine/ingest", "data/quarantine/deid")
SEARCHED = ("data", "reports", "models", "releases", ".dvc/tmp")
LABEL_STUDIO_DIR = ".labelstudio"
# Secrets and process files of the Label Studio folder: no data, not read
SKIPPED_NAMES = frozenset({".env", "server.pid", "push.lock"})
SQLITE_MAGIC = b"SQLite format 3\x00"
PARQUET_MAGIC = b"PAR1"

_SURNAMES = Path(__file__).parent / "deid" / "lexicons" / "zh_surnames.txt"
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_PARTICLES = frozenset("al bin da de del der di du la le van von".split())
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\ufeff"
_DIGIT_GAP = re.compile(r"(?<=\d)[\s\-./()\u3000]{1,3}(?=\d)|[" + _INVISIBLE + "]")
_FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


@dataclass(frozen=True)
class Needle:
    """One searched form of an input string."""

    line: int  # 1-based line of the input file
    variant: str  # "string" | "given name" | "name part" | "email local part" | "digits"
    form: str  # lowercased search form (never printed)


@dataclass(frozen=True, order=True)
class Finding:
    """One place where an input string (or a part of it) was found."""

    line: int
    place: str  # the file, relative to the root when under it
    where: str  # row, column and offset; table, row and column; line and column
    variant: str

    def __str__(self) -> str:
        variant = "" if self.variant == "string" else f" ({self.variant})"
        return f"input line {self.line}{variant}: {self.place} {self.where}"


def read_strings(path: Path) -> list[tuple[int, str]]:
    """The non-blank lines of an input file as (line number, stripped string)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(
            f"cannot read {path} as UTF-8 text ({type(exc).__name__})",
            hint="Give a UTF-8 text file with one string per line.",
        ) from None
    return [(n, s.strip()) for n, s in enumerate(text.splitlines(), 1) if s.strip()]


@cache
def zh_surnames() -> frozenset[str]:
    """The Chinese surnames of the de-identifier's list (王, 欧阳…)."""
    lines = _SURNAMES.read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines if not line.startswith("#") for w in line.split())


def variants(text: str) -> list[tuple[str, str]]:
    """(variant, form) pairs to search for one input string: the string and its parts."""
    found = [("string", text)]
    digits = re.sub(r"\D", "", text)
    if "@" in text:
        local = text.split("@", 1)[0]
        found.append(("email local part", local))
    elif len(digits) >= 6:
        found.append(("digits", re.sub(r"[\W_]", "", text)))
        found.append(("digits", digits))
    elif _HAN.fullmatch(text.replace("·", "").replace(" ", "")):
        names = re.split(r"[·\s]+", text)
        if len(names) > 1:  # 阿卜杜·热合曼: each name
            found += [("name part", name) for name in names]
        elif 2 <= len(text) <= 5:  # 欧阳明轩: the given name 明轩 (a surname names no one)
            surname = next((k for k in (2, 1) if text[:k] in zh_surnames()), 0)
            if surname:
                found.append(("given name", text[surname:]))
    else:
        words = _LATIN_WORD.findall(text)
        if 2 <= len(words) <= 4 and not re.search(r"[\d@]", text):
            for word in words:
                if word not in _PARTICLES:  # "van der Berg": Berg, not van
                    found.append(("name part", word))
                    found += [("name part", p) for p in re.split(r"['’\-]", word)]
    out: dict[str, str] = {}
    for variant, form in found:
        form = _normal(form.strip())
        if len(form) >= 2 and form not in out:
            out[form] = variant
    return [(variant, form) for form, variant in out.items()]


def _normal(text: str) -> str:
    """Lowercase, with full-width ASCII read as ASCII; one character for one."""
    lower = text.translate(_FULL_WIDTH).lower()
    if len(lower) == len(text):
        return lower
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text.translate(_FULL_WIDTH))


class Matcher:
    """Every needle of an input list in one Aho-Corasick automaton."""

    def __init__(self, strings: Iterable[tuple[int, str]]) -> None:
        self.needles: list[Needle] = []
        self.automaton = ahocorasick.Automaton()
        by_form: dict[str, list[int]] = {}
        for line, text in strings:
            for variant, form in variants(text):
                by_form.setdefault(form, []).append(len(self.needles))
                self.needles.append(Needle(line, variant, form))
        for form, indices in by_form.items():
            self.automaton.add_word(form, (form, tuple(indices)))
        if by_form:
            self.automaton.make_automaton()

    def find(self, text: str) -> list[tuple[Needle, int]]:
        """(needle, offset) of each match in the text; a part inside a longer match of the
        same input line is left out."""
        if not self.needles or not text:
            return []
        normal = _normal(text)
        hits = set(self._scan(normal, lambda i: i))
        removed = [m.span() for m in _DIGIT_GAP.finditer(normal)]
        if removed:
            hits |= set(self._scan(*_compact(normal, removed)))
        spans = [(n, start, start + len(self.needles[n].form)) for n, start in hits]
        kept = [
            (self.needles[n], start)
            for n, start, end in spans
            if not any(
                self.needles[m].line == self.needles[n].line
                and s <= start
                and end <= e
                and e - s > end - start
                for m, s, e in spans
            )
        ]
        return sorted(kept, key=lambda h: (h[0].line, h[1]))

    def _scan(self, text: str, back: Callable[[int], int]) -> Iterator[tuple[int, int]]:
        for end, (form, indices) in self.automaton.iter(text):
            start = end - len(form) + 1
            if _cut_word(text, start, end + 1, form):
                continue
            for n in indices:
                yield n, back(start)


def _cut_word(text: str, start: int, end: int, form: str) -> bool:
    """True when a match that begins or ends with a Latin letter is part of a longer word."""
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    return (form[0].isascii() and form[0].isalpha() and before.isascii() and before.isalpha()) or (
        form[-1].isascii() and form[-1].isalpha() and after.isascii() and after.isalpha()
    )


def _compact(text: str, removed: list[tuple[int, int]]) -> tuple[str, Callable[[int], int]]:
    """The text without the removed spans, and a map from its offsets back to the text's."""
    parts, starts, shifts, pos, shift = [], [], [], 0, 0
    for a, b in removed:
        parts.append(text[pos:a])
        shift += b - a
        starts.append(b - shift)  # the first offset after this gap, in the compact text
        shifts.append(shift)
        pos = b
    parts.append(text[pos:])

    def back(offset: int) -> int:
        i = bisect.bisect_right(starts, offset)
        return offset + (shifts[i - 1] if i else 0)

    return "".join(parts), back


def audit_files(root: Path, labelstudio: Path | None = None) -> list[Path]:
    """Every file the audit reads, sorted: past-ingest data, reports, models, releases, logs
    and the Label Studio folder (default ``<root>/.labelstudio``)."""
    raw = [root / folder for folder in RAW_FOLDERS]
    folders = [root / folder for folder in SEARCHED]
    folders.append(labelstudio if labelstudio is not None else root / LABEL_STUDIO_DIR)
    files: set[Path] = set()
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            if (
                path.is_file()
                and path.name not in SKIPPED_NAMES
                and not path.name.endswith(("-wal", "-shm", "-journal"))  # read with the db
                and not any(path.is_relative_to(r) for r in raw)
            ):
                files.add(path)
    return sorted(files)


def audit(
    root: Path,
    strings: list[tuple[int, str]],
    labelstudio: Path | None = None,
    exclude: Iterable[Path] = (),
) -> list[Finding]:
    """Where each (line number, string) or one of its parts is found (see the module doc)."""
    matcher = Matcher(strings)
    skip = {p.resolve() for p in exclude}
    findings: set[Finding] = set()
    for path in audit_files(root, labelstudio):
        if path.resolve() in skip:
            continue
        place = _display(path, root)
        try:
            for where, needle in _search_file(path, matcher):
                findings.add(Finding(needle.line, place, where, needle.variant))
        except (OSError, sqlite3.Error, pl.exceptions.PolarsError) as exc:
            raise InputFileError(
                f"cannot read {place} ({type(exc).__name__}): the audit is incomplete",
                hint="Check the file (a Label Studio database may be locked: retry), or move "
                "it out of the searched folders if it holds no data.",
            ) from None
    return sorted(findings)


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _search_file(path: Path, matcher: Matcher) -> Iterator[tuple[str, Needle]]:
    with path.open("rb") as f:
        head = f.read(16)
    if head.startswith(SQLITE_MAGIC):
        yield from _search_sqlite(path, matcher)
    elif head.startswith(PARQUET_MAGIC):
        yield from _search_parquet(path, matcher)
    else:
        yield from _search_text(path, matcher)


def _search_parquet(path: Path, matcher: Matcher) -> Iterator[tuple[str, Needle]]:
    frame = pl.read_parquet(path)
    for column in frame.columns:
        if not _searchable(frame.schema[column]):
            continue
        for row, value in enumerate(frame.get_column(column).to_list()):
            for field, text in _strings(value, column, keys=False):
                for needle, offset in matcher.find(text):
                    yield f"row {row}, {field}, offset {offset}", needle


def _searchable(dtype: pl.DataType) -> bool:
    """Whether a column holds strings or integers (an MRN may be a number), nested or not."""
    if dtype.is_integer() or dtype in (pl.String, pl.Categorical, pl.Enum):
        return True
    if isinstance(dtype, pl.List | pl.Array):
        return _searchable(dtype.inner)
    if isinstance(dtype, pl.Struct):
        return any(_searchable(f.dtype) for f in dtype.fields)
    return False


def _strings(value: Any, path: str, keys: bool = True) -> Iterator[tuple[str, str]]:
    """(path, text) of every string in a nested value: integers (an MRN may be a number), dict
    keys when `keys` (JSON, not a struct's field names), and a string holding JSON through its
    values (escapes decoded)."""
    if isinstance(value, str):
        parsed = _json(value)
        if parsed is None:
            yield path, value
        else:
            yield from _strings(parsed, f"{path} (JSON)")
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        yield path, str(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            if keys:
                yield f"{path} (key)", str(key)
            yield from _strings(item, f"{path}.{key}", keys)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}[{i}]", keys)


def _json(text: str) -> Any:
    """The value of a string that holds a JSON object or array, else None."""
    stripped = text.strip()
    if stripped[:1] not in ("{", "[") or len(stripped) < 2:
        return None
    try:
        return json.loads(stripped)
    except ValueError:
        return None


def _search_sqlite(path: Path, matcher: Matcher) -> Iterator[tuple[str, Needle]]:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    connection.text_factory = lambda b: b.decode("utf-8", errors="replace")
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:
            quoted = '"' + table.replace('"', '""') + '"'
            try:
                cursor = connection.execute(f"SELECT rowid, * FROM {quoted}")
                has_rowid = True
            except sqlite3.OperationalError:  # a WITHOUT ROWID table
                cursor = connection.execute(f"SELECT * FROM {quoted}")
                has_rowid = False
            columns = [d[0] for d in cursor.description]
            for n, row in enumerate(cursor):
                rowid = f"rowid {row[0]}" if has_rowid else f"row {n}"
                for column, value in zip(columns[has_rowid:], row[has_rowid:], strict=True):
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", errors="replace")
                    for field, text in _strings(value, column):
                        for needle, offset in matcher.find(text):
                            yield f"table {table}, {rowid}, {field}, offset {offset}", needle
    finally:
        connection.close()


def _search_text(path: Path, matcher: Matcher) -> Iterator[tuple[str, Needle]]:
    """Any other file as UTF-8 text: JSON and JSONL through their values (escapes decoded),
    other text also with \\u and HTML escapes decoded; binary files (a pickled model) as they
    are, so that the UTF-8 strings in them are found."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    if path.suffix == ".json" and (value := _json(text)) is not None:
        for field, found in _strings(value, "$"):
            for needle, offset in matcher.find(found):
                yield f"{field}, offset {offset}", needle
        return
    if "\x00" in text:  # binary (a pickled model…): offsets, not lines
        for needle, offset in matcher.find(text):
            yield f"offset {offset}", needle
        return
    lines = text.splitlines()
    if path.suffix == ".jsonl":
        for n, line in enumerate(lines, 1):
            if (value := _json(line)) is not None:
                for field, found in _strings(value, "$"):
                    for needle, offset in matcher.find(found):
                        yield f"line {n}, {field}, offset {offset}", needle
            else:
                for needle, offset in matcher.find(line):
                    yield f"line {n}, column {offset + 1}", needle
        return
    seen: set[tuple[int, int]] = set()
    for n, line in enumerate(lines, 1):
        for needle, offset in matcher.find(line):
            seen.add((needle.line, n))
            yield f"line {n}, column {offset + 1}", needle
        unescaped = _unescape(line)
        if unescaped != line:
            for needle, offset in matcher.find(unescaped):
                if (needle.line, n) not in seen:
                    yield f"line {n} (escaped), column {offset + 1}", needle


def _unescape(text: str) -> str:
    """Text with \\uXXXX escapes and HTML entities decoded."""
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    return html.unescape(text) if "&" in text else text
