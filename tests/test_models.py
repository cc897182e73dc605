"""The item model: kind rules (each a quarantine reason), derived schemas, identity."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from pydantic import ValidationError

from curation.identity import content_hash, item_id
from curation.models import Item
from curation.reasons import Reason
from curation.schema import item_json_schema, polars_schema
from tests.conftest import PROJECT_ROOT


def base(**overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "item_id": "0123456789abcdef",
        "content_hash": "fedcba9876543210",
        "source": "demo",
        "source_record_key": "1",
        "kind": "mcq",
        "language": "zh",
        "question": "最可能的诊断是",
        "options": [{"label": "A", "text": "肺炎"}, {"label": "B", "text": "哮喘"}],
        "answer_labels": ["A"],
        "license": "CC0-1.0",
        "provenance": {"file": "raw/x.csv", "row": 1},
    }
    item.update(overrides)
    return item


def reason_of(**overrides: Any) -> str:
    with pytest.raises(ValidationError) as info:
        Item.model_validate(base(**overrides))
    return info.value.errors()[0]["type"]


def test_valid_mcq() -> None:
    assert Item.model_validate(base()).kind == "mcq"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"question": None}, Reason.MISSING_QUESTION),
        ({"question": ""}, Reason.MISSING_QUESTION),
        ({"answer_labels": []}, Reason.MISSING_ANSWER),
        ({"answer_labels": ["F"]}, Reason.ANSWER_NOT_IN_OPTIONS),
        ({"options": [{"label": "A", "text": "x"}]}, Reason.UNPARSEABLE_OPTIONS),
        (
            {"options": [{"label": "A", "text": "x"}, {"label": "A", "text": "y"}]},
            Reason.UNPARSEABLE_OPTIONS,
        ),
        ({"kind": "record", "context": None}, Reason.EMPTY_TEXT),
        ({"kind": "dialogue", "context": "患者：头痛", "turns": []}, Reason.UNPARSEABLE_DIALOGUE),
        ({"kind": "open_qa", "answer_text": None}, Reason.MISSING_ANSWER),
    ],
)
def test_kind_rules_name_their_reason(overrides: dict[str, Any], reason: Reason) -> None:
    assert reason_of(**overrides) == reason.value


def test_rule_messages_never_quote_values() -> None:
    with pytest.raises(ValidationError) as info:
        Item.model_validate(base(answer_labels=["F"], question="患者张三的诊断"))
    assert "张三" not in str(info.value.errors(include_input=False))


def test_polars_schema_is_derived_from_the_model() -> None:
    schema = polars_schema(Item)
    assert list(schema) == list(Item.model_fields)
    assert schema["options"] == pl.List(pl.Struct({"label": pl.String, "text": pl.String}))
    assert schema["answer_labels"] == pl.List(pl.String)
    assert schema["provenance"].to_schema()["row"] == pl.Int64
    assert schema["tags"].to_schema()["needs_review"] == pl.Boolean


def test_committed_item_json_schema_is_current() -> None:
    committed = (PROJECT_ROOT / "schemas" / "item.schema.json").read_text(encoding="utf-8")
    assert committed == item_json_schema(), "schemas/item.schema.json is stale: run `curate schema`"


def test_item_id_depends_only_on_source_and_key() -> None:
    assert item_id("a", "1") == item_id("a", "1")
    assert item_id("a", "1") != item_id("b", "1")
    assert item_id("a", "1") != item_id("a", "2")
    assert len(item_id("a", "1")) == 16


def test_content_hash_ignores_width_case_and_whitespace() -> None:
    one = {"kind": "mcq", "question": "Which  drug？", "options": [{"label": "A", "text": "ASA"}]}
    two = {"kind": "mcq", "question": "which drug?", "options": [{"label": "A", "text": "asa "}]}
    three = {"kind": "mcq", "question": "which drug?", "options": [{"label": "A", "text": "b"}]}
    assert content_hash(one) == content_hash(two)
    assert content_hash(one) != content_hash(three)
