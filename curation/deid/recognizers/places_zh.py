"""ADDRESS and ORGANIZATION in Chinese.

Addresses are chains of components (city, district, street, compound, numbers) grown
rightwards from an anchor: a known city, or an address label (家住, 地址：). Organizations are
found from their suffix (医院, 卫生院, 诊所, 公司 …) by walking left over the name until a stop
character; names made only of generic words (当地医院, 县人民医院) are not identifying and are
kept; a name must name something (a place, clan, rare noun, number, abbreviation: 仁济医院,
中石化…公司, not 肝病医院).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from curation.deid.registry import ZH, PatternRecognizer, alternation, word_lists
from curation.deid.spans import Span
from curation.deid.words import (
    chinese_medical_words,
    chinese_words,
    segment_chinese,
)

CJK = r"\u4e00-\u9fff"
_PLACES = word_lists("zh_places")
PROVINCES = _PLACES["province"]
CITIES = _PLACES["city"]
ADDRESS_VERBS = r"(?:住|在|于|至|往|到|去|自|回|赴|迁往|搬到|搬至)"
ADDRESS_LABELS = (
    r"(?:家庭住址|现住址|户籍地址|户籍地|户口所在地|联系地址|通讯地址|通信地址|工作地址|单位地址|"
    r"常住地址|居住地址|住址|地址|住所|家住|住在|居住在|居住于|居住|现住|现居|住于|位于|来自|家在|籍贯|出生地)"
    r"\s*[:：为是]?\s*"
)
_NUM = r"[\d一二三四五六七八九十百零〇]+"
_UNIT = r"(?:号楼|号院|号|栋|幢|座|单元|层|楼|室|户|组|排|弄|巷|邻)"  # 邻: Taiwan's 5鄰
_NOT_ADMIN = "(?![区县市镇乡])"  # street and compound names stop at an administrative unit
_COMPOUND = (
    "社区|小区|新村|家园|花园|公寓|大厦|广场|村|屯|庄|苑|园|城|府|湾|庭|居|阁|轩|坊|郡|墅|邸"
)
# a character of a place's own name: no particle or preposition (新竹的园区 is 新竹, then 的)
_NAME_CHAR = rf"(?:(?![的了在是与及或从到去])[{CJK}])"
COMPONENTS = (
    re.compile(alternation(PROVINCES)),
    re.compile(rf"(?:{alternation(CITIES)})(?:市|州|县|地区|盟)?"),  # 县: Taiwan's 彰化縣
    re.compile(rf"{_NAME_CHAR}{{1,7}}?(?:新区|开发区|高新区|自治州|自治县|区|县|旗|市|镇|乡|街道)"),
    re.compile(
        rf"(?:{_NOT_ADMIN}(?:{_NAME_CHAR}|[0-9])){{1,8}}?(?:大街|大道|路|街|巷|弄|胡同|里|道)(?:(?:[东西南北中][一二三四五六七八九十]{{0,3}}|[一二三四五六七八九十]{{1,3}})段)?"
    ),
    re.compile(rf"(?:{_NOT_ADMIN}{_NAME_CHAR}){{1,8}}?(?:{_COMPOUND})"),
    re.compile(r"(?:村|庄|屯|苑|园|城|湾|里)(?=[\d一二三四五六七八九十])"),  # 王庄|村|2组
    re.compile(rf"{_NAME_CHAR}{{2,8}}?(?={_NUM}(?:栋|幢|座|号楼|号院|单元|期))"),  # 锦绣江南12栋
    re.compile(rf"(?:{_NUM}{_UNIT}(?:之{_NUM})?)+"),  # Taiwan: 5號之2, 3樓之1
    re.compile(r"\d+(?:-\d+){1,3}(?:室|号)?"),
)


def component_at(text: str, pos: int) -> re.Match[str] | None:
    """The longest address component starting at pos (中山路 beats the city 中山)."""
    best = None
    for regex in COMPONENTS:
        match = regex.match(text, pos)
        if match and (best is None or match.end() > best.end()):
            best = match
    return best


_CITY_ONLY = re.compile(rf"(?:{alternation(CITIES)})")
_PROVINCE_ONLY = re.compile(alternation(PROVINCES))
CITY_SUFFIX = ("市", "州", "县", "地区", "盟")
LOCATION_CUES = (
    "在",
    "到",
    "去",
    "住",
    "自",
    "回",
    "从",
    "于",
    "赴",
    "至",
    "返",
    "往",
    "老家",
    "籍贯",
)


@dataclass(frozen=True)
class ChineseAddressRecognizer:
    """Chains of address components grown from a city or an address label."""

    name: str = "zh_address_v1"
    category: str = "ADDRESS"
    languages: frozenset[str] = ZH

    def find(self, text: str) -> Iterator[Span]:
        starts: list[tuple[int, bool | None]] = [
            (m.end(), True) for m in re.finditer(ADDRESS_LABELS, text)
        ]
        starts += [(m.end(), None) for m in re.finditer(ADDRESS_VERBS, text)]
        starts += [(m.start(), False) for m in _CITY_ONLY.finditer(text)]
        starts += [(m.start(), False) for m in _PROVINCE_ONLY.finditer(text)]
        for start, labeled in sorted(set(starts), key=lambda s: (s[0], str(s[1]))):
            span = self._chain(text, start, labeled)
            if span is not None:
                yield span

    def _chain(self, text: str, start: int, labeled: bool | None) -> Span | None:
        """Grow an address from start; labeled=None means after a verb (needs a real chain)."""
        if labeled is None and re.match(ADDRESS_VERBS, text[start : start + 2]):
            return None  # 住在台北: the chain starts after 在, not at it
        pos, parts = start, []
        while pos < len(text) and len(parts) < 10:
            match = component_at(text, pos)
            if not match and parts and re.search(rf"{_UNIT}$", parts[-1]):
                match = re.compile(r"\d{1,5}(?![\d.])").match(text, pos)  # 20号楼604
            if not match:
                break
            parts.append(match.group())
            pos = match.end()
            while pos < len(text) and text[pos] in " \u3000":
                pos += 1
        if not parts:
            return None
        end = len(text[:pos].rstrip(" \u3000"))
        if labeled is None:
            has_number = any(re.search(r"\d", p) for p in parts)
            if len(parts) < 3 and not (len(parts) >= 2 and has_number):
                return None
            labeled = True
        first = parts[0]
        only_province = len(parts) == 1 and first in PROVINCES
        if only_province and not labeled:
            return None
        if len(parts) == 1 and not labeled:
            # a lone city: with a city suffix, or after a location cue (在杭州, 来自温州)
            is_city = first in CITIES or first.rstrip("市州县盟").removesuffix("地区") in CITIES
            cue = any(text[max(0, start - len(c)) : start] == c for c in LOCATION_CUES)
            if not is_city or not (first.endswith(CITY_SUFFIX) or cue):
                return None
        score = 0.9 if labeled or len(parts) >= 2 else 0.75
        return Span(start, end, "ADDRESS", score, self.name)


ORG_SUFFIXES = (
    "社区卫生服务中心", "社区卫生服务站", "疾病预防控制中心", "妇幼保健院", "卫生服务中心",
    "卫生服务站", "中西医结合医院", "医院", "卫生院", "卫生所", "卫生室", "诊所", "门诊部",
    "保健院", "保健站", "疗养院", "康复中心", "体检中心", "医学中心", "急救中心", "疾控中心",
    "血站", "大药房", "药房", "药店", "医学院", "医科大学", "大学", "学院", "中学", "小学",
    "幼儿园", "职业技术学校", "学校", "有限责任公司", "有限公司", "股份公司", "公司", "集团",
    "研究院", "研究所", "事务所", "银行", "养老院", "福利院", "敬老院", "工厂", "制药厂", "酒店",
    "宾馆", "饭店", "超市", "商场", "合作社", "精神卫生中心", "卫生中心", "医疗中心", "健康中心",
    "诊疗中心", "护理院", "康复医院", "派出所", "律师事务所", "出版社", "报社", "电视台",
)  # fmt: skip
ORG_STOP = set(
    "的了在于到去从至经往赴入自及与、，。；：！？,.;:!?（）()【】[]“”\"' \n\t\u3000或就由被向对把将为因以"
    "而且但则即也还又再曾已年我你他她它们这那该此某"
)
_GENERIC_ORG_PARTS = re.compile(
    r"(?:"
    + alternation(word_lists("zh_generic_org")[""])
    + r"|人民|中心|附属|第[一二三四五六七八九十\d]+)"
)


# what a hospital's own name never ends with, but a generic mention does (哪家医院, 选一家正规医院)
_GENERIC_ORG_TAILS = (
    "哪家",
    "哪个",
    "一家",
    "这家",
    "那家",
    "一个",
    "这个",
    "那个",
    "正规",
    "专业",
    "权威",
    "三甲",
    "大型",
    "公立",
    "私立",
    "好的",
    "大的",
    "好点的",
    "复诊",
    "就诊",
    "治疗",
    "检查",
    "住院",
    "专科",
    "的",
    "许多",
    "几家",
    "各家",
    "多家",
    "甲等",
)


_PROPER_POS = ("ns", "nt", "nz", "nr", "j")  # places, organizations, names, abbreviations
_PLACE_UNITS = frozenset("街道 街道社区 镇 乡 村 区 县 市 路 街 屯 庄 社区 省 州 旗".split())


def _naming_start(core: str) -> int | None:
    """Where the naming part of an organization's name starts (北京协和 → 0; 您好协和 → 2),
    or None when no word names anything. Naming words: a place, organization or person name
    of jieba's dictionary (2+ characters), a number (解放军455), characters no dictionary
    word covers (小营, 济民), the words before a place unit (五里墩街道, 大营镇) or a clan
    name (雷氏), or a rare common noun that is no medical term (仁济, 同济, 天坛 — not 肝病,
    癫痫病, 公安, 电器)."""
    words = chinese_words()
    tokens = _merge_single_characters(segment_chinese(core))
    for i, token in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if nxt in _PLACE_UNITS or nxt == "氏":
            j = i
            while j > 0 and words.get(tokens[j - 1], (0, "x"))[1][:1] not in _NAME_BREAK_POS:
                j -= 1  # 五里 + 墩 + 街道: the whole place name
            if words.get(token, (0, "x"))[1][:1] not in _NAME_BREAK_POS:
                return sum(len(t) for t in tokens[:j])
        if _is_naming(token, words):
            return sum(len(t) for t in tokens[:i])
    return None


@cache
def _medical_terms() -> re.Pattern[str] | None:
    """Any taxonomy keyword of 2+ characters (肝病, 癫痫) inside a word; None when there is none."""
    terms = [term for term in chinese_medical_words() if len(term) > 1]
    return re.compile(alternation(terms)) if terms else None


_FUNCTION_POS = frozenset("dpcurvyeolf")  # adverbs, prepositions, pronouns, verbs …
_NAME_BREAK_POS = frozenset("dpcuryeo")  # what a place name never runs across (在, 的, 很 …)


def _merge_single_characters(tokens: list[str]) -> list[str]:
    """Runs of single characters that are no function words (小 + 营, 济 + 民) become one
    unknown word: no dictionary word covered them."""
    words = chinese_words()
    out: list[str] = []
    run = False
    for token in tokens:
        content = len(token) == 1 and words.get(token, (0, "x"))[1][:1] not in _FUNCTION_POS
        if content and run:
            out[-1] += token
        else:
            out.append(token)
        run = content
    return out


def _is_naming(token: str, words: dict[str, tuple[int, str]]) -> bool:
    medical = _medical_terms()
    if _GENERIC_ORG_PARTS.fullmatch(token) or (medical and medical.search(token)):
        return False
    freq, pos = words.get(token, (0, ""))
    return (
        len(token) > 1
        and (
            pos.startswith(_PROPER_POS)
            or token not in words
            or (pos == "n" and freq < 1000)
            or bool(re.fullmatch(r"[0-9A-Za-z]+", token))
        )
    ) or bool(re.fullmatch(r"[0-9]+", token))


@dataclass(frozen=True)
class ChineseOrganizationRecognizer:
    """Organization names ending in a known suffix, walked left to a stop character."""

    name: str = "zh_organization_v1"
    category: str = "ORGANIZATION"
    languages: frozenset[str] = ZH
    max_name: int = 16

    def find(self, text: str) -> Iterator[Span]:
        for match in _org_suffix_regex().finditer(text):
            start = match.start()
            while (
                start > 0
                and match.start() - start < self.max_name
                and text[start - 1] not in ORG_STOP
                and (re.match(rf"[{CJK}A-Za-z0-9]", text[start - 1]))
            ):
                start -= 1
            core = text[start : match.start()]
            if len(core) < 2 or _GENERIC_ORG_PARTS.fullmatch(core):
                continue  # 当地医院, 县人民医院, 本院: not identifying
            if core.endswith(_GENERIC_ORG_TAILS):
                continue  # 哪家医院, 一家正规医院, 建议复诊医院: no name ends so
            offset = _naming_start(core)
            if offset is None:
                continue  # 肝病医院, 前段时间公司, 您好癫痫病医院: nothing in it names a place
            yield Span(start + offset, match.end(), "ORGANIZATION", 0.85, self.name)


_ORG_LABEL = re.compile(  # a field label needs its colon (单位健康检查 is no employer)
    rf"(?:(?:工作单位|工作地点|所在单位|单位名称|单位|学校名称|雇主)\s*[:：]|"
    rf"(?P<verb>就职于|任职于|工作于|就读于))\s*(?P<v>[{CJK}A-Za-z0-9（）()]{{2,24}})"
)


@dataclass(frozen=True)
class ChineseEmployerRecognizer:
    """Employers and schools named after a label (工作单位：…)."""

    name: str = "zh_employer_v1"
    category: str = "ORGANIZATION"
    languages: frozenset[str] = ZH

    def find(self, text: str) -> Iterator[Span]:
        for m in _ORG_LABEL.finditer(text):
            value = m.group("v")
            if _GENERIC_ORG_PARTS.fullmatch(value) or value in ("无", "退休", "无业"):
                continue
            if re.fullmatch(r"[A-Za-z0-9]{1,3}", value):
                continue  # 单位：IU (a dose unit)
            if m.group("verb") and _naming_start(value) is None:
                continue  # 就职于一家公司: nothing in it names the employer
            yield Span(m.start("v"), m.end("v"), "ORGANIZATION", 0.85, self.name)


@cache
def _org_suffix_regex() -> re.Pattern[str]:
    return re.compile(rf"(?:{alternation(ORG_SUFFIXES)})(?:[（(][^）)]{{1,12}}[）)])?")


RECOGNIZERS = [
    ChineseAddressRecognizer(),
    ChineseOrganizationRecognizer(),
    ChineseEmployerRecognizer(),
    PatternRecognizer(
        "zh_postcode_v1", "ADDRESS", ZH,
        r"邮编\s*[:：]?\s*(?P<v>\d{6})(?!\d)",
        0.9,
        group="v",
        trigger='邮编',
    ),
]  # fmt: skip
