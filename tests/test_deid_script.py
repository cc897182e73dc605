"""Traditional script: the Chinese rules find the same exact spans in 醫師 as in 医师."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curation.deid.engine import Detector
from curation.deid.policy import load_policy
from curation.deid.registry import default_registry
from curation.deid.surrogates import RecordReplacer
from curation.deid.validators import tw_national_id_ok
from curation.script import (
    han_count,
    is_traditional,
    simplified_table,
    taiwan_table,
    to_simplified,
    to_traditional,
)

detector = Detector()


def spans(text: str) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in detector.detect(text, "zh")]


# the same sentence in Simplified and in Traditional (Taiwan) script, with the same spans
BOTH_SCRIPTS = [
    # a clinician's title (醫師, 護理師), after 看了
    ("王医师说要回诊，林护理师也在。", "王醫師說要回診，林護理師也在。",
     [(0, 1, "NAME"), (8, 9, "NAME")]),
    ("民众：我先生叫黄建国，他去看了李医师。", "民眾：我先生叫黃建國，他去看了李醫師。",
     [(7, 10, "NAME"), (15, 16, "NAME")]),
    # a dialogue with Taiwan's speaker labels; 個案 as the patient
    ("医师：请问您贵姓？\n民众：我姓林，我叫林志明。",
     "醫師：請問您貴姓？\n民眾：我姓林，我叫林志明。",
     [(15, 16, "NAME"), (19, 22, "NAME")]),
    ("个案王小明，男，45岁，由太太陪同。", "個案王小明，男，45歲，由太太陪同。", [(2, 5, "NAME")]),
    ("民众：王小明 性别：男", "民眾：王小明 性別：男", [(3, 6, "NAME")]),
    # Taiwan addresses: 段, 巷, 弄, 號, 樓之1; a county (縣) with its city
    ("住在台北市大安区罗斯福路三段12巷5号3楼之1。", "住在臺北市大安區羅斯福路三段12巷5號3樓之1。",
     [(2, 23, "ADDRESS")]),
    ("地址：彰化县员林市中山路二段100号", "地址：彰化縣員林市中山路二段100號",
     [(3, 18, "ADDRESS")]),
    ("住址：台中市西屯区福安里12邻河南路三段120号", "住址：臺中市西屯區福安里12鄰河南路三段120號",
     [(3, 24, "ADDRESS")]),
    # a road's section with its direction (光明六路東一段) and the house number after it
    ("住在新竹县竹北市光明六路东一段88号。", "住在新竹縣竹北市光明六路東一段88號。",
     [(2, 18, "ADDRESS")]),
    # Taiwan mobiles and landlines
    ("手机：0912-345-678，家里电话(02)2345-6789。", "手機：0912-345-678，家裡電話(02)2345-6789。",
     [(3, 15, "PHONE"), (20, 33, "PHONE")]),
    ("请打04-2345-6789或0912345678找我", "請打04-2345-6789或0912345678找我",
     [(2, 14, "PHONE"), (15, 25, "PHONE")]),
    # the Taiwan ID (valid checksum, and a mistyped one that its label vouches for)
    ("身分证字号：A123456789", "身分證字號：A123456789", [(6, 16, "ID")]),
    ("身分证字号：A123456780", "身分證字號：A123456780", [(6, 16, "ID")]),
    # ID labels of Taiwan: 健保卡號, 病歷號碼
    ("健保卡号：000012345678，病历号码：A0012345", "健保卡號：000012345678，病歷號碼：A0012345",
     [(5, 17, "ID"), (23, 31, "ID")]),
]  # fmt: skip


@pytest.mark.parametrize(("simplified", "traditional", "expected"), BOTH_SCRIPTS)
def test_same_spans_in_both_scripts(simplified: str, traditional: str, expected: list) -> None:
    assert to_simplified(traditional) == simplified
    assert spans(simplified) == expected
    assert spans(traditional) == expected


def test_batch_detection_reads_traditional_script_too() -> None:
    """detect_many normalizes before the batch triggers: it finds what detect finds."""
    texts = [t for _, t, _ in BOTH_SCRIPTS]
    batch = detector.detect_many(texts, [None] * len(texts))
    assert [[(s.start, s.end, s.label) for s in found] for found in batch] == [
        e for _, _, e in BOTH_SCRIPTS
    ]


def test_taiwan_id_checksum() -> None:
    assert tw_national_id_ok("A123456789")
    assert tw_national_id_ok("a123456789")
    assert not tw_national_id_ok("A123456780")  # check digit
    assert not tw_national_id_ok("A323456789")  # the second digit is 1/2 (or 8/9)
    recognizer = next(r for r in default_registry().recognizers if r.name == "tw_national_id_v1")
    assert [(s.start, s.end) for s in recognizer.find("證號A123456789。")] == [(2, 12)]
    assert list(recognizer.find("證號A123456780。")) == []


def test_mapping_is_length_preserving() -> None:
    """One character for one: every entry of both tables, and so any text, keeps its length."""
    for table in (simplified_table(), taiwan_table()):
        assert len(table) > 4000
        for key, value in table.items():
            assert len(value) == 1 and value != chr(key), (chr(key), value)
    every = "".join(map(chr, taiwan_table()))
    assert len(to_simplified(every)) == len(every)


def test_simplified_text_is_left_as_it_is() -> None:
    """A Simplified text keeps characters that Taiwan writes as variants (著名, 什么)."""
    text = "患者著名教授，什么都吃，台北来的。"
    assert to_simplified(text) == text
    assert not is_traditional(text)
    assert is_traditional("醫師：請問您貴姓？")
    # in a Traditional text the Taiwan variants are folded too
    assert to_simplified("醫師說：陪著他，睡不著，手腳麻痺") == "医师说：陪着他，睡不着，手脚麻痹"


def test_replaced_traditional_record_stays_traditional() -> None:
    text = (
        "醫師：請問您怎麼稱呼？\n"
        "民眾：我叫陳志明，手機0912-345-678，住在新北市板橋區文化路一段188號。"
    )
    found = detector.detect(text)
    assert [text[s.start : s.end] for s in found] == [
        "陳志明", "0912-345-678", "新北市板橋區文化路一段188號",
    ]  # fmt: skip
    policy = load_policy()
    masked = RecordReplacer(policy, b"salt", "r1", placeholders_only=True).apply(text, found, "zh")
    assert masked == "醫師：請問您怎麼稱呼？\n民眾：我叫[姓名]，手機[電話]，住在[地址]。"
    replaced = RecordReplacer(policy, b"salt", "r1").apply(text, found, "zh")
    assert "[電話]" in replaced and "陳志明" not in replaced
    assert is_traditional(replaced)
    assert to_traditional(replaced) == replaced  # surrogates written in Traditional too
    # a Simplified record keeps Simplified replacements
    simple = RecordReplacer(policy, b"salt", "r1").apply(to_simplified(text), found, "zh")
    assert "[电话]" in simple and to_simplified(simple) == simple


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(alphabet="醫師著么什麼医师台臺北乾干的了 aZ9，", max_size=40))
def test_the_fast_path_equals_translating(text: str) -> None:
    """A text with no convertible character is returned unread; every text comes out as the
    character tables make it (Taiwan variants only in a Traditional text)."""
    simplified = text.translate(simplified_table())
    traditional = simplified != text and is_traditional(text)
    expected = text.translate(taiwan_table()) if traditional else simplified
    assert to_simplified(text) == expected
    assert is_traditional(text) == (
        simplified != text
        and sum(map(str.__ne__, text, simplified)) >= max(2, 0.08 * han_count(text))
    )
