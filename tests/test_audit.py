"""`curate audit`: where known identifiers (and their parts) are found, never what they are."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from curation.audit import Matcher, audit, audit_files, variants
from curation.cli import app

runner = CliRunner()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("欧阳霁川", {("given name", "霁川")}),  # a compound surname
        ("王小明", {("given name", "小明")}),
        ("张伟", set()),  # a one-character given name is too short to search alone
        ("望湖里", set()),  # no surname first: no name
        ("阿卜杜·热合曼", {("name part", "阿卜杜"), ("name part", "热合曼")}),
        ("Osric Vandermolen", {("name part", "osric"), ("name part", "vandermolen")}),
        ("Jan van der Berg", {("name part", "jan"), ("name part", "berg")}),
        (
            "Li Okonkwo-Brandt",
            {("name part", x) for x in ("li", "okonkwo-brandt", "okonkwo")}
            | {("name part", "brandt")},
        ),
        ("J.Smith@Example.org", {("email local part", "j.smith")}),
        ("139-5724-6813", {("digits", "13957246813")}),
        ("MRN: 88316402", {("digits", "mrn88316402"), ("digits", "88316402")}),
        ("4821 Quillback Lane", set()),  # digits, but fewer than 6: the string only
    ],
)
def test_variants_are_the_string_and_its_parts(text: str, expected: set) -> None:
    found = variants(text)
    assert found[0][0] == "string"
    assert set(found[1:]) == expected


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("电话 139 5724 6813 请回电", 3),  # separators between digits
        ("+86-139-5724-6813", 4),
        ("１３９５７２４６８１３", 0),  # full-width digits
        ("tel 139\u200b5724\u200b6813", 4),  # zero-width spaces
    ],
)
def test_digits_are_found_through_separators(text: str, at: int) -> None:
    hits = Matcher([(1, "13957246813")]).find(text)
    assert [(n.line, offset) for n, offset in hits] == [(1, at)]


def test_latin_parts_match_whole_words_case_insensitively() -> None:
    matcher = Matcher([(1, "Li Wen")])
    assert matcher.find("Liver biopsy; Wenckebach block") == []
    assert [(n.variant, o) for n, o in matcher.find("seen by LI today")] == [("name part", 8)]
    # a part inside a match of the whole string is not reported again
    assert [(n.variant, o) for n, o in matcher.find("li wen")] == [("string", 0)]


def build_project(root: Path) -> None:
    """A project holding planted strings in every kind of place the audit reads."""
    (root / "data" / "deid").mkdir(parents=True)
    pl.DataFrame(
        {
            "question": ["下列哪项正确？", "患者欧阳霁川复诊"],
            "turns": [[{"speaker": "医生", "text": "你好"}], [{"speaker": "患者", "text": "霁川"}]],
            "row": [1, 88316402],
        }
    ).write_parquet(root / "data" / "deid" / "demo.parquet")
    (root / "data" / "ingested").mkdir(parents=True)  # raw by design: never reported
    pl.DataFrame({"question": ["患者欧阳霁川"]}).write_parquet(root / "data/ingested/demo.parquet")
    (root / "reports").mkdir()
    (root / "reports" / "demo.json").write_text(
        json.dumps({"note": "contact j.smith@example.org", "患者欧阳霁川": 1})  # \u escapes
    )
    (root / ".dvc" / "tmp").mkdir(parents=True)
    (root / ".dvc" / "tmp" / "repro.log").write_text("ok\ncalled 139 5724 6813\n")
    db = root / ".labelstudio" / "data" / "label_studio.sqlite3"
    db.parent.mkdir(parents=True)
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE task (id INTEGER PRIMARY KEY, data TEXT)")
        connection.execute(
            "INSERT INTO task (data) VALUES (?)", [json.dumps({"text": "Seen by Osric today"})]
        )
    connection.close()
    (root / ".labelstudio" / ".env").write_text("SECRET=Osric\n")  # secrets are not read


def test_audit_names_every_place(tmp_path: Path) -> None:
    build_project(tmp_path)
    strings = [
        (1, "欧阳霁川"),
        (2, "Osric Vandermolen"),
        (3, "J.Smith@example.org"),
        (4, "139-5724-6813"),
        (5, "MRN 88316402"),
        (6, "Nobody Here"),
    ]
    found = {(f.line, f.place, f.where, f.variant) for f in audit(tmp_path, strings)}
    assert found == {
        (1, "data/deid/demo.parquet", "row 1, question, offset 2", "string"),
        (1, "data/deid/demo.parquet", "row 1, turns[0].text, offset 0", "given name"),
        (1, "reports/demo.json", "$ (key), offset 2", "string"),
        (
            2,
            ".labelstudio/data/label_studio.sqlite3",
            "table task, rowid 1, data (JSON).text, offset 8",
            "name part",
        ),
        (3, "reports/demo.json", "$.note, offset 8", "string"),
        (4, ".dvc/tmp/repro.log", "line 2, column 8", "digits"),
        (5, "data/deid/demo.parquet", "row 1, row, offset 0", "digits"),
    }
    assert tmp_path / "data/ingested/demo.parquet" not in audit_files(tmp_path)


def test_cli_prints_places_never_the_strings(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    build_project(root)
    strings = tmp_path / "index.txt"
    strings.write_text("欧阳霁川\n\nOsric Vandermolen\nj.smith@example.org\n", encoding="utf-8")
    result = runner.invoke(app, ["audit", str(strings), "--root", str(root)])
    assert result.exit_code == 1, result.output
    assert "input line 1: data/deid/demo.parquet row 1, question, offset 2" in result.output
    assert "input line 3 (name part): .labelstudio/data/label_studio.sqlite3 table task" in (
        result.output
    )
    assert "input line 4: reports/demo.json $.note, offset 8" in result.output
    assert "3 found" in result.output
    for secret in ("欧阳", "霁川", "osric", "vandermolen", "smith", "example.org"):
        assert secret not in result.output.lower()


def test_cli_exits_0_when_nothing_is_found(tmp_path: Path) -> None:
    build_project(tmp_path)
    strings = tmp_path / "data" / "index.txt"  # inside a searched folder: not searched itself
    strings.write_text("司马砚秋\n555-867-5309\n", encoding="utf-8")
    result = runner.invoke(app, ["audit", str(strings), "--root", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "none found" in result.output


def test_cli_refuses_an_empty_list(tmp_path: Path) -> None:
    strings = tmp_path / "index.txt"
    strings.write_text("\n  \n", encoding="utf-8")
    result = runner.invoke(app, ["audit", str(strings), "--root", str(tmp_path)])
    assert result.exit_code == 1
    assert "no strings in" in result.output
    help_text = runner.invoke(app, ["audit", "--help"]).output
    assert "Exit code 1 when anything is found" in " ".join(help_text.split())


def test_an_unreadable_file_fails_the_audit(tmp_path: Path) -> None:
    build_project(tmp_path)
    (tmp_path / "data" / "deid" / "broken.parquet").write_bytes(b"PAR1 not really")
    strings = tmp_path / "index.txt"
    strings.write_text("欧阳霁川\n", encoding="utf-8")
    result = runner.invoke(app, ["audit", str(strings), "--root", str(tmp_path)])
    assert result.exit_code == 1
    assert "cannot read data/deid/broken.parquet" in " ".join(result.output.split())
