"""The Chinese recall safety net: exact spans per mechanism, and look-alikes it leaves alone."""

from __future__ import annotations

import re

import pytest

from curation.deid.engine import Detector
from curation.deid.recognizers.safety_zh import RECOGNIZERS

detector = Detector()


def net_spans(text: str) -> list[tuple[int, int, str]]:
    """What the net alone finds (duplicates of two mechanisms counted once)."""
    return sorted({(s.start, s.end, s.label) for r in RECOGNIZERS for s in r.find(text)})


CASES = [
    # self-introductions, also before a comma; a surname told alone, then the full name
    ("医生您好，我是禚晓蔓，今年怀孕五个月了。", [(7, 10, "NAME")]),
    ("我叫撒娅婷，最近总是头痛。", [(2, 5, "NAME")]),
    ("本人习志刚，今年45岁。", [(2, 5, "NAME")]),
    ("我姓招，招伟龙，孩子发烧三天了。", [(2, 3, "NAME"), (4, 7, "NAME")]),
    # kin words and labels
    ("我妈妈覃秀凤去年做了胆囊手术。", [(3, 6, "NAME")]),
    ("我女儿叫苗可馨，三岁。", [(4, 7, "NAME")]),
    ("患者隗春生，男，67岁。", [(2, 5, "NAME")]),
    # before a title or honorific; a dialogue's addressee
    ("娄思琪护士说要空腹抽血。", [(0, 3, "NAME")]),
    ("请问栾文轩大夫今天出诊吗？", [(2, 5, "NAME")]),
    ("卜一凡，你好，你的报告显示血糖偏高。", [(0, 3, "NAME")]),
    # jieba's tagger: a name before a title or a verb said of people
    ("我们医院用崔树旺教授研发的药", [(5, 8, "NAME")]),
    ("医生我们单位的王刚得了乙型肝炎，好治吗", [(7, 9, "NAME")]),
    # places after a place verb; the province is kept; a town's clinic
    ("在沙溪镇打工，手被机器压伤了。", [(1, 4, "ADDRESS")]),
    ("我是黎川人，在樟村乡种地。", [(2, 4, "ADDRESS"), (7, 10, "ADDRESS")]),
    ("我在高雄市凤山区上班，最近胃痛。", [(2, 8, "ADDRESS")]),
    ("上个月去了澄迈县老城镇看病。", [(5, 11, "ADDRESS")]),
    ("我在广东省河源市紫金县上班", [(5, 11, "ADDRESS")]),
    ("去乌石镇卫生院看过，说是肠胃炎。", [(1, 7, "ORGANIZATION")]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_net_spans(text: str, expected: list) -> None:
    assert net_spans(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # medical words and self-descriptions in a name position
        "我是糖尿病患者，想问一下饮食。",
        "我姓名不便透露，谢谢医生。",
        "患者平素体健，白天咳嗽加重。",
        "我是孕妇，可以吃阿莫西林吗？",
        "您好，我是宝妈，孩子湿疹怎么办？",
        "我是新手妈妈，宝宝吐奶。",
        "我是初产妇，想问问。",
        "我是刚做完手术的病人，",
        "病人：你好，医生，我头疼三天了。",
        # adverbs, words and drugs around cues (real Q&A)
        "患者应积极控制血糖，糖尿病人应慎用。",
        "我老公平时总是累。",
        "如何让孩子健健康康的",
        "祝健康医生寻问",
        "请中医师傅帮帮忙",
        "谢谢答覆\n你好，根据描述",
        "可以口服吗丁啉及奥美拉唑",
        "谷丙95，谷草45",
        # generic places, anatomy and provinces after place verbs
        "小三阳的人不是健康人",
        "我总是会走路的时候头晕",
        "最近朋友从深山里弄了许多",
        "可以到新疆自治区复诊",
        "常见的就是基底节区脑出血",
        "我在农村，离县城远。",
        "我是从外地来的。",
        "我在广东打工，最近咳嗽。",
    ],
)
def test_look_alikes_survive(text: str) -> None:
    assert net_spans(text) == []
    assert [s for s in detector.detect(text, "zh") if s.recognizer.startswith("zh_safety")] == []


def test_triggers_are_necessary() -> None:
    """Every text the net finds something in holds the trigger the batch detector tests."""
    for text, _ in CASES:
        for recognizer in RECOGNIZERS:
            if list(recognizer.find(text)):
                assert re.search(recognizer.trigger, text), (recognizer.name, text)


def test_batch_equals_one_by_one() -> None:
    texts = [text for text, _ in CASES]
    batch = detector.detect_many(texts, ["zh"] * len(texts))
    for text, found in zip(texts, batch, strict=True):
        assert found == detector.detect(text, "zh"), text
