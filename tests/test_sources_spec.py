"""sources.yaml validation: every problem names its source, its key and what is wrong."""

from __future__ import annotations

import pytest

from curation.errors import ConfigError
from curation.sources.spec import load_sources
from tests.conftest import PROJECT_ROOT, MiniProject

MCQ = {
    "path": "raw/q.csv",
    "format": "csv",
    "kind": "mcq",
    "language": "zh",
    "license": "CC0-1.0",
    "fields": {"question": "q", "options": {"packed": "o"}, "answer": "a"},
}


def error_of(project: MiniProject, specs: dict) -> str:
    project.sources(specs)
    with pytest.raises(ConfigError) as info:
        load_sources(project.paths.sources_file)
    return str(info.value)


def test_bundled_sources_file_is_valid() -> None:
    specs = load_sources(PROJECT_ROOT / "sources.yaml")
    assert set(specs) == {"exam_zh", "exam_en", "records_zh", "dialogues_zh", "notes_en"}


def test_unknown_key_suggests_the_right_one(project: MiniProject) -> None:
    message = error_of(project, {"exam": {**MCQ, "licence": "MIT"}})
    assert "sources.exam.licence: unknown key 'licence' (did you mean 'license'?)" in message


def test_nested_unknown_key_is_located(project: MiniProject) -> None:
    fields = {**MCQ["fields"], "optons": {"packed": "o"}}
    message = error_of(project, {"exam": {**MCQ, "fields": fields}})
    assert "sources.exam.fields.optons: unknown key 'optons' (did you mean 'options'?)" in message


def test_missing_required_key(project: MiniProject) -> None:
    body = {k: v for k, v in MCQ.items() if k != "license"}
    assert "sources.exam.license: required key is missing" in error_of(project, {"exam": body})


def test_bad_enum_value_lists_choices(project: MiniProject) -> None:
    message = error_of(project, {"exam": {**MCQ, "encoding": "latin-1"}})
    assert "sources.exam.encoding" in message and "gb18030" in message


def test_kind_needs_its_fields(project: MiniProject) -> None:
    body = {**MCQ, "fields": {"question": "q"}}
    message = error_of(project, {"exam": body})
    assert "kind 'mcq' needs fields.options and fields.answer" in message


def test_options_need_exactly_one_layout(project: MiniProject) -> None:
    fields = {**MCQ["fields"], "options": {"packed": "o", "columns": ["A", "B"]}}
    assert "exactly one of 'packed'" in error_of(project, {"exam": {**MCQ, "fields": fields}})


def test_every_bad_source_is_reported_at_once(project: MiniProject) -> None:
    message = error_of(
        project, {"one": {**MCQ, "format": "docx"}, "two": {**MCQ, "language": "fr"}}
    )
    assert "sources.one.format" in message and "sources.two.language" in message


def test_bad_source_name(project: MiniProject) -> None:
    assert "sources.Bad-Name.name" in error_of(project, {"Bad-Name": MCQ})


def test_yaml_syntax_error_has_a_line(project: MiniProject) -> None:
    project.write("sources.yaml", "sources:\n  a: [unclosed\n")
    with pytest.raises(ConfigError, match=r"line \d+"):
        load_sources(project.paths.sources_file)


def test_missing_file(project: MiniProject) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_sources(project.paths.sources_file)
