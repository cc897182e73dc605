"""Configuration that could silently weaken privacy or lose data is refused, through the CLI:
exit 1, a message naming the file and the key, and never a record value or file content."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from curation.cli import app
from curation.contracts import PHI_POLICY, shipped_path
from curation.params import load_params
from tests.conftest import MiniProject

runner = CliRunner()
NOTES = "id,text\n1,Patient seen today for a routine check.\n"
MCQ: dict[str, Any] = {
    "path": "raw/exam.csv",
    "format": "csv",
    "kind": "mcq",
    "language": "zh",
    "license": "CC0-1.0",
    "fields": {"question": "q", "options": {"packed": "o"}, "answer": "a"},
}
DIALOGUE: dict[str, Any] = {
    "path": "raw/talk.csv",
    "format": "csv",
    "kind": "dialogue",
    "language": "zh",
    "license": "CC0-1.0",
    "fields": {"dialogue": {"column": "text"}},
}


def record_source(**overrides: Any) -> dict[str, Any]:
    return {
        "path": "raw/notes.csv",
        "format": "csv",
        "kind": "record",
        "language": "en",
        "license": "CC0-1.0",
        "fields": {"key": "id", "context": "text"},
        **overrides,
    }


def refused(project: MiniProject, *args: str) -> str:
    """Run `curate ARGS --root ROOT`: it must exit 1 with a user error, never a traceback."""
    result = runner.invoke(app, [*args, "--root", str(project.root)])
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    return " ".join(result.output.split())  # rich wraps long lines


def with_params(project: MiniProject, **sections: Any) -> None:
    project.sources({"notes": record_source(), "exam": MCQ})
    project.write("raw/notes.csv", NOTES)
    project.write("params.yaml", yaml.safe_dump(sections, allow_unicode=True))


# -- deid: the residual-PHI gate, actions, recognizers ----------------------------------------
def test_an_empty_gate_list_is_refused_without_an_explicit_gate_off(project: MiniProject) -> None:
    with_params(project, deid={"gate_recognizers": []})
    message = refused(project, "deid", "run", "notes")
    assert "params.yaml is invalid" in message
    assert "deid.gate_recognizers: an empty list would turn the residual-PHI gate off" in message
    assert "gate: off" in message


def test_gate_off_is_explicit_and_every_deid_run_says_so(
    project: MiniProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDCURATE_DEID_SALT", "x" * 64)
    project.sources({"notes": record_source()})
    project.write("raw/notes.csv", NOTES)
    project.write("params.yaml", "deid:\n  gate: off\n  gate_recognizers: []\n")
    assert runner.invoke(app, ["ingest", "--root", str(project.root)]).exit_code == 0
    result = runner.invoke(app, ["deid", "run", "--root", str(project.root)])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "warning: the residual-PHI gate is off (params.yaml deid.gate: off)" in output
    report = json.loads((project.root / "reports/deid/notes.json").read_text())
    assert report["details"]["residual_gate"] == "off"


def test_unknown_phi_category_in_actions_suggests_the_right_one(project: MiniProject) -> None:
    with_params(project, deid={"actions": {"NAMES": "placeholder"}})
    message = refused(project, "deid", "run", "notes")
    assert "params.yaml is invalid" in message
    assert "deid.actions: unknown PHI category 'NAMES' (did you mean 'NAME'?)" in message


def test_unknown_action_is_refused_with_the_allowed_ones(project: MiniProject) -> None:
    with_params(project, deid={"actions": {"NAME": "redact"}})
    message = refused(project, "deid", "run", "notes")
    assert "deid.actions.NAME" in message and "'placeholder'" in message


def test_an_action_that_does_not_fit_the_category_is_refused(project: MiniProject) -> None:
    # `generalize` only rewrites ages: on a phone number it would leave the number in place
    with_params(project, deid={"actions": {"PHONE": "generalize"}})
    message = refused(project, "deid", "run", "notes")
    assert "deid.actions: action 'generalize' is for AGE only, not PHONE" in message


def test_categories_come_from_the_project_policy(project: MiniProject) -> None:
    policy = yaml.safe_load(shipped_path(PHI_POLICY).read_text(encoding="utf-8"))
    policy["categories"]["BADGE"] = policy["categories"]["ID"]
    project.write("schemas/phi.yaml", yaml.safe_dump(policy, allow_unicode=True))
    with_params(project, deid={"actions": {"BADGE": "placeholder"}})
    assert load_params(project.paths.params_file).deid.actions == {"BADGE": "placeholder"}


def test_unknown_gate_recognizer_is_refused_at_load(project: MiniProject) -> None:
    with_params(project, deid={"gate_recognizers": ["email_v1", "emial_v1"]})
    message = refused(project, "deid", "run", "notes")
    assert "params.yaml is invalid" in message
    assert "deid.gate_recognizers: unknown recognizer 'emial_v1' (did you mean 'email_v1'?)" in (
        message
    )


# -- params naming sources ----------------------------------------------------------------
def test_unknown_test_only_source_is_refused(project: MiniProject) -> None:
    with_params(project, split={"test_only_sources": ["exam", "notse"]})
    message = refused(project, "split")
    assert "params.yaml is invalid" in message
    assert "split.test_only_sources: unknown source 'notse' (did you mean 'notes'?)" in message


def test_unknown_source_in_dedup_priority_is_refused(project: MiniProject) -> None:
    with_params(project, dedup={"source_priority": ["note"]})
    message = refused(project, "dedup")
    assert "dedup.source_priority: unknown source 'note' (did you mean 'notes'?)" in message


# -- sources.yaml ---------------------------------------------------------------------------
def test_a_source_declared_twice_is_refused(project: MiniProject) -> None:
    body = yaml.safe_dump({"notes": record_source()})
    indented = "".join(f"  {line}\n" for line in body.splitlines())
    project.write("sources.yaml", "sources:\n" + indented + indented)
    message = refused(project, "sources")
    assert "sources.yaml (line" in message
    assert "key 'sources.notes' is repeated" in message


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"packed": "o", "label_pattern": "([A-J]"}, "not a valid regular expression"),
        (
            {"packed": "o", "label_pattern": r"([A-J])(?=\.)(.*)"},
            "not a regular expression polars can run: look-around",
        ),
        ({"packed": "o", "separator": ""}, "must not be empty"),
    ],
)
def test_bad_option_patterns_and_separators_name_the_key(
    project: MiniProject, options: dict, expected: str
) -> None:
    key = "label_pattern" if "label_pattern" in options else "separator"
    project.sources({"exam": {**MCQ, "fields": {**MCQ["fields"], "options": options}}})
    message = refused(project, "sources")
    assert f"sources.yaml is invalid: sources.exam.fields.options.{key}: {expected}" in message


def test_bad_speaker_pattern_names_the_key(project: MiniProject) -> None:
    fields = {"dialogue": {"column": "text", "speaker_pattern": "^(患者|医生[:：]"}}
    project.sources({"talk": {**DIALOGUE, "fields": fields}})
    message = refused(project, "sources")
    assert "sources.talk.fields.dialogue.speaker_pattern: not a valid regular expression" in (
        message
    )


@pytest.mark.parametrize("path", ["../../../../etc/passwd", "/etc/passwd", "raw/../../x.csv"])
def test_a_path_outside_the_project_is_refused_at_load(project: MiniProject, path: str) -> None:
    project.sources({"notes": record_source(path=path)})
    for command in ("sources", "ingest"):
        message = refused(project, command)
        assert f"sources.notes: path {path} is outside the project directory" in message
        assert "allow_outside_project: true" in message
        assert "root:" not in message  # /etc/passwd is never opened, nor quoted


def test_a_symlink_out_of_the_project_is_refused_without_its_content(
    project: MiniProject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "secret.csv"
    outside.write_text("张三,13812345678\n", encoding="utf-8")
    (project.root / "raw").mkdir()
    (project.root / "raw/notes.csv").symlink_to(outside)
    project.sources({"notes": record_source()})
    message = refused(project, "ingest")
    assert "sources.yaml: sources.notes.path: raw/notes.csv resolves (through a symlink)" in message
    assert "张三" not in message and "13812345678" not in message
    # explicitly allowed, the source is read (and its missing header reported without values)
    project.sources({"notes": record_source(allow_outside_project=True)})
    message = refused(project, "ingest")
    assert "maps column(s) id, text that the file does not have" in message
    assert "张三" not in message and "13812345678" not in message


def test_allowed_outside_path_is_read(
    project: MiniProject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("corpora") / "notes.csv"
    outside.write_text(NOTES, encoding="utf-8")
    project.sources({"notes": record_source(path=str(outside), allow_outside_project=True)})
    result = runner.invoke(app, ["ingest", "--root", str(project.root)])
    assert result.exit_code == 0, result.output
    assert "notes: 1 rows → 1 kept" in result.output


# -- error messages never quote record values -----------------------------------------------
def test_headerless_csv_error_names_counts_not_values(project: MiniProject) -> None:
    project.sources({"notes": record_source()})
    project.write("raw/notes.csv", "王小明,男,13812345678,胸痛三天\n李四,女,13912345678,头痛\n")
    message = refused(project, "ingest")
    assert "raw/notes.csv: source 'notes' maps column(s) id, text" in message
    assert "its first row (the header) has 4 column(s), 0 of the 2 mapped" in message
    for value in ("王小明", "男", "13812345678", "胸痛"):
        assert value not in message


def test_jsonl_missing_key_error_names_counts_not_keys(project: MiniProject) -> None:
    project.sources({"notes": record_source(path="raw/notes.jsonl", format="jsonl")})
    project.write("raw/notes.jsonl", '{"id": "1", "王小明 13812345678": "胸痛"}\n')
    message = refused(project, "ingest")
    assert "raw/notes.jsonl: source 'notes' maps column(s) text" in message
    assert "its records have 2 distinct key(s), 1 of the 2 mapped" in message
    assert "王小明" not in message and "13812345678" not in message


# -- releases record the gate ---------------------------------------------------------------
@pytest.mark.parametrize("gate", [True, False])
def test_the_release_manifest_records_the_residual_gate(tmp_path: Path, gate: bool) -> None:
    from tests.review_fixtures import accepted, make_item
    from tests.test_release import items
    from tests.test_release import project as release_project

    leak = accepted(make_item("leak", question="患者电话13812345678，诊断是？"))
    paths = release_project(tmp_path, [*items(30), leak])
    params = yaml.safe_load(paths.params_file.read_text(encoding="utf-8"))
    params["deid"] = {"gate": gate}
    paths.params_file.write_text(yaml.safe_dump(params), encoding="utf-8")
    root = ["--root", str(tmp_path)]
    assert runner.invoke(app, ["split", *root]).exit_code == 0
    result = runner.invoke(app, ["release", "1.0.0", *root])
    if gate:  # the release gate is the deid gate: on, it refuses the planted phone number
        assert result.exit_code == 1 and "still hold identifiers (PHONE 1)" in result.output
        return
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "releases/1.0.0/manifest.json").read_text())
    assert manifest["params"]["deid_gate"] == "off"


def test_a_params_section_given_twice_is_refused(project: MiniProject) -> None:
    with_params(project)
    project.write("params.yaml", "split:\n  tolerance: 0.1\ndedup: {}\nsplit:\n  min_stratum: 5\n")
    message = refused(project, "split")
    assert "params.yaml (line 4): key 'split' is repeated (first on line 1)" in message
