"""A recall safety net for Chinese names, places and organizations that needs no list of names.

The rules of names_zh and places_zh are precise but fire only on forms they know. Like Philter
and NLM Scrubber, this net masks what nothing explains in a position where a person or place
is likely:

* NAME positions: after a self-introduction (我是X，我叫X，我姓X，本人X), a kin word (我妈妈X,
  其女儿X), a label (患者X, 姓名：X, 联系人X) or an addressing verb before a title (找X老师);
  before a title (X医生, X女士, X阿姨); a dialogue's addressee (X，你好). The candidate is a run
  of 2-4 Han characters ending at a boundary (punctuation, a title, 说, 去年 …); it must look
  like a name (a surname first, jieba's HMM tags it nr, or given-name characters) and nothing
  may explain it: no jieba dictionary word, no medical term of the taxonomy, no phrase of
  dictionary words (糖尿病患者, 平素体健), no function character.
* Places: a chain of address components (places_zh) after a place verb (住在, 来自, 在X工作,
  去X看病, 我是X人) whose name part is unknown or tagged ns by jieba; provinces and countries
  are kept (not PHI under schemas/phi.yaml). A clinic or hospital after such a place
  (乌石镇卫生院) is an organization.

jieba.posseg is slow (~30k chars/s), so it runs only on short windows at a cue, and every
recognizer has a trigger that the batch detector tests first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from curation.deid.recognizers.names_zh import (
    AFTER_NAME,
    COMMON_SURNAMES,
    COURTESY,
    KIN_WORDS,
    NAME_CHARS,
    NEVER_GIVEN,
    SURNAMES,
    TITLES,
)
from curation.deid.recognizers.places_zh import CITIES, PROVINCES, component_at
from curation.deid.registry import ZH, alternation, lexicon
from curation.deid.spans import Span
from curation.deid.words import chinese_medical_words, chinese_words, segment_chinese

CJK = r"\u4e00-\u9fff"
_HAN = re.compile(rf"[{CJK}]")
# characters no name holds: function words and the commonest clinical characters
STOP_CHARS = frozenset(
    (NEVER_GIVEN - set("可"))  # 可馨, 可欣
    | set("个位些种次岁月年天周号病症痛炎癌药医院科疼痒咳喘血尿便查治疗诊术吃喝打针得患做有没")
    | set("男女人家里外前后左右多少几每其某该本此哪谁啥怎样么")
    | set("腹胃肝肺肾脑肠脾胆孕胎瘤癫痫糖脂毒菌伤肿咽嗽烧晕吐泻疮疹痰脓")
)
# characters no place name holds
PLACE_STOP = frozenset(
    "的了是在说和与及或把被让给对向从到于也都就还又很不没我你他她它们这那哪什么怎今昨"
    "个些种次岁病症痛炎癌药医院科家"
    "腹胃肝肺肾脑肠脾胆孕胎瘤癫痫糖脂毒菌伤肿咽嗽烧晕吐泻疮疹痰脓"
)
# colloquial self-descriptions jieba does not list (我是宝妈，我是学生党)
SELF_WORDS = frozenset(
    "宝妈 宝爸 孕妈 准妈妈 新手 学生党 上班族 二胎 单亲 独生 患者 病人 家属 本人 楼主 网友 "
    "女生 男生 女孩 男孩 小孩 孩子 老人 大学生 高中生 初中生 小学生 孕妇 产妇 新妈妈".split()
)
INTRO = "我是|我叫|叫我|我姓|本人|名叫|叫做|名字叫|名字是|姓名是|我的名字是|孩子叫|儿子叫|女儿叫"
LABELS = "患者|病人|患儿|病员|姓名|患者姓名|联系人|紧急联系人|家属|监护人"
_KIN = "|".join(
    sorted(KIN_WORDS | {"我妈妈", "我爸爸", "我老公", "我老婆", "我丈夫", "我妻子", "我爱人",
                        "我女儿", "我儿子", "我哥", "我姐", "我弟", "我妹", "我奶奶", "我爷爷"},
           key=len, reverse=True)
)  # fmt: skip
ADDRESSING = "找|问|请|是|给|跟|和|让|叫|对|向|被|谢谢|感谢|多谢|请问|转告|麻烦|联系|那位|这位|位"
_TITLE_RE = TITLES + "|医生|护士长|老师|阿姨"


def _first_chars(*alternations: str) -> str:
    """A look-ahead on the first characters of the alternatives: Python's regex engine would
    otherwise try every alternative at every position."""
    chars = {alt[0] for alternation_ in alternations for alt in alternation_.split("|") if alt}
    return "(?=[" + "".join(sorted(chars)) + "])"


_CUE = re.compile(
    _first_chars(INTRO, LABELS, _KIN)
    + rf"(?:(?P<intro>{INTRO})|(?P<label>{LABELS})\s*[:：]?|(?P<kin>{_KIN}))"
)
_BEFORE_TITLE = re.compile(_first_chars(_TITLE_RE) + rf"(?:{_TITLE_RE})")
_NR_NEXT_WORDS = "说|告诉|讲|得了|患了|确诊|去世"
_NR_NEXT = re.compile(
    _first_chars(_TITLE_RE, _NR_NEXT_WORDS) + rf"(?:{_TITLE_RE}|{_NR_NEXT_WORDS})"
)
_ADDRESSEE = re.compile(r"[，,]?[ \t]*(?:你好|您好)")
_BOUNDARY = re.compile(
    rf"{AFTER_NAME.pattern}|[^{CJK}]|$|(?:{_TITLE_RE})|有|得|患|做|从|被|这|那|今年|前几天|一直|现在|最近|他|她|就|吧|"
    rf"你好|您好|[一二两三四五六七八九十几]+[岁个了]|的(?:家属|家人|妈妈|爸爸|女儿|儿子|妻子|丈夫|老伴|爱人|母亲|父亲)"
)
_INTRO_BOUNDARY = re.compile(
    r"[^\u4e00-\u9fff]|$|的(?:家属|家人|妈妈|爸爸|女儿|儿子|妻子|丈夫|老伴|爱人|母亲|父亲)"
)
WINDOW = 6  # characters before a cue that jieba's tagger reads
TRIGGER_NAME = rf"{INTRO}|{LABELS}|{_KIN}|{_TITLE_RE}|你好|您好"
# places
PLACE_VERBS = (
    "住在|居住在|来自|家在|家住|老家|老家在|出生在|生活在|在|到|去|从|回|是|位于|转到|搬到"
)
_PLACE_VERB = re.compile(_first_chars(PLACE_VERBS) + rf"(?:{PLACE_VERBS})(?:了|过)?")
PLACE_UNITS = "市|县|区|镇|乡|村|屯|街道|路|街|巷|弄|旗|州|小区|社区"
TRIGGER_PLACE = rf"(?:{PLACE_VERBS})[{CJK}]{{1,8}}?(?:{PLACE_UNITS}|人)"
# generic place words: a unit after a word that names no place (县城, 农村, 我们县, 市区)
GENERIC_PLACES = frozenset(
    "县城 农村 城市 市区 城区 郊区 山区 社区 小区 景区 病区 院区 辖区 地区 老区 新区 县里 "
    "乡下 乡镇 村里 镇上 城里 本市 本县 本地 外地 当地 我们县 我们村 我们镇 我们市 我们这 "
    "老家 家乡 街道 马路 公路 铁路 道路 一路 一区 二区 三区 大区 分区 区域 市场".split()
)
_TOWN_ORG = re.compile(r"(?:中心)?(?:卫生院|卫生所|卫生室|医院|诊所|中心小学|小学|中学)")


@cache
def _safe_words() -> frozenset[str]:
    """Words that never name anyone or anywhere: the taxonomy's Chinese terms, the generic
    organization words and the colloquial self-descriptions."""
    return frozenset(chinese_medical_words() | lexicon("zh_generic_org") | SELF_WORDS)


def is_word(text: str) -> bool:
    """A dictionary word used as such: jieba lists it (not as a rare person name), or it is
    medical vocabulary. A person name of jieba's (nr) counts as a word only when it is frequent
    and its given part holds no given-name character (谢谢, 康复)."""
    if text in _safe_words():
        return True
    entry = chinese_words().get(text)
    if entry is None:
        return False
    freq, pos = entry
    if not pos.startswith("nr"):
        return freq >= 20
    return freq >= 100 and not all(c in NAME_CHARS for c in text[1:])


_FUNCTION_POS = ("d", "p", "c", "u", "r", "y", "e", "o", "m", "q", "f")


def function_char(char: str) -> bool:
    """A character used mostly as a word of its own (应, 常, 均, 时, 由): frequent in jieba's
    dictionary as a function word or a verb, and no frequent surname."""
    entry = chinese_words().get(char)
    if entry is None or char in COMMON_SURNAMES or entry[1].startswith("nr"):
        return False
    return entry[1].startswith(_FUNCTION_POS) or entry[0] >= 5000


def _is_name_entry(word: str) -> bool:
    entry = chinese_words().get(word)
    return entry is not None and entry[1].startswith("nr")


def surname_start(char: str) -> bool:
    """A character that may open a name: a frequent surname, or one jieba lists rarely or as
    a name."""
    entry = chinese_words().get(char)
    return (
        char in COMMON_SURNAMES
        or entry is None
        or entry[1].startswith(("nr", "zg"))
        or entry[0] < 1000
    )


def explained(candidate: str, told: bool = False) -> bool:
    """True when known vocabulary explains the candidate: it is a word, it holds a function or
    clinical character, a medical term, it splits into dictionary words only (平素体健), or
    it opens with a word (平时总, 谢谢答覆) or a function character (应积极, 超正常); with
    `told`, the surname has been told (我姓招，招伟龙) and vouches for the first character."""
    if is_word(candidate) or any(c in STOP_CHARS for c in candidate[1:]):
        return True
    if len(candidate) == 4 and candidate[0] == candidate[1] and candidate[2] == candidate[3]:
        return True  # 健健康康, 高高兴兴
    compound = candidate[:2] in SURNAMES
    head = candidate[:2]
    if not compound and (head in COURTESY or (is_word(head) and not _is_name_entry(head))):
        return True
    if not told and function_char(candidate[0]):
        return True
    if (
        not told
        and not surname_start(candidate[0])
        and len(candidate) > 2
        and is_word(candidate[1:])
    ):
        return True  # 祝健康, 抗衡大 (in two characters, the second is always some word: 淑芬)
    if any(term in candidate for term in _medical_terms_in(candidate)):
        return True
    tokens = segment_chinese(candidate)
    return len(tokens) > 1 and all(
        len(t) > 1 and is_word(t) and not _is_name_entry(t) for t in tokens
    )


def _medical_terms_in(candidate: str) -> list[str]:
    medical = chinese_medical_words()
    return [
        candidate[i:j]
        for i in range(len(candidate))
        for j in range(i + 2, len(candidate) + 1)
        if candidate[i:j] in medical
    ]


@lru_cache(maxsize=4096)
def _pos_tags(window: str) -> tuple[tuple[str, str], ...]:
    """jieba.posseg over a short window (HMM on: it tags unknown names nr)."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    return tuple((p.word, p.flag) for p in jieba.posseg.lcut(window))


def tagged_as_name(text: str, start: int, candidate: str) -> bool:
    """Whether jieba's tagger reads the candidate (or its start) as a person name."""
    tags = _pos_tags(text[start : start + len(candidate) + 4])
    covered = ""
    for word, flag in tags:
        if not flag.startswith("nr"):
            break
        covered += word
        if len(covered) >= len(candidate) - 1:
            return True
    return False


def name_like(text: str, start: int, candidate: str) -> bool:
    """A surname opens it, jieba tags it a name, or its given part is of given-name characters."""
    if candidate[0] in STOP_CHARS:
        return False
    if candidate[0] in SURNAMES or candidate[:2] in SURNAMES:
        return True
    if all(c in NAME_CHARS for c in candidate[1:]):
        return True
    return tagged_as_name(text, start, candidate)


def unknown(candidate: str) -> bool:
    """No dictionary word of two or more characters occurs in the candidate (禚晓蔓)."""
    return all(len(t) == 1 for t in segment_chinese(candidate))


def _plausible(text: str, start: int, end: int, strong: bool = False, told: bool = False) -> bool:
    """A name candidate that nothing explains and that looks like a name; after a strong cue
    (我是, 我叫) a run of characters no word covers is enough."""
    candidate = text[start:end]
    return (
        bool(re.fullmatch(rf"[{CJK}]{{2,4}}", candidate))
        and candidate not in COURTESY
        and not explained(candidate, told)
        and (name_like(text, start, candidate) or (strong and unknown(candidate)))
    )


def name_after(
    text: str,
    pos: int,
    boundary: re.Pattern[str] = _BOUNDARY,
    strong: bool = False,
    told: bool = False,
) -> int | None:
    """The end of a name of 2-4 Han characters starting at pos and ending at a boundary."""
    for size in (3, 2, 4):
        end = pos + size
        if end > len(text) or not boundary.match(text, end):
            continue
        if _plausible(text, pos, end, strong or told, told):
            return end
    return None


def _opens_phrase(text: str, start: int) -> bool:
    """A name before a title opens its phrase: at the start, after a non-Han character or an
    addressing verb (找, 请问, 谢谢 …)."""
    if start == 0 or not _HAN.match(text[start - 1]):
        return True
    return bool(re.search(rf"(?:{ADDRESSING})$", text[max(0, start - 2) : start]))


@dataclass(frozen=True)
class ChineseNameSafetyNet:
    """Unknown Han sequences in name positions (see module docstring)."""

    name: str = "zh_safety_net_name_v1"
    category: str = "NAME"
    languages: frozenset[str] = ZH
    trigger: str = TRIGGER_NAME

    def find(self, text: str) -> Iterator[Span]:
        if not _trigger_name().search(text):
            return
        for m in _CUE.finditer(text):
            pos = m.end()
            if m.group("intro") == "我姓":
                yield from self._surname_told(text, m.start(), pos)
                continue
            if m.group("intro") == "本人" and pos < len(text) and text[pos] in "男女":
                continue
            if m.group("kin") and (call := re.compile(r"(?:名字)?叫|名叫").match(text, pos)):
                pos = call.end()  # 我女儿叫苗可馨
            boundary = _INTRO_BOUNDARY if m.group("intro") == "我是" else _BOUNDARY
            end = name_after(text, pos, boundary, strong=bool(m.group("intro")))
            if end is not None:
                yield Span(pos, end, "NAME", 0.7, self.name)
        for m in _BEFORE_TITLE.finditer(text):
            yield from self._before(text, m.start(), title=True)
        for m in _ADDRESSEE.finditer(text):
            yield from self._before(text, m.start(), title=False)
        yield from self._tagged(text)

    def _tagged(self, text: str) -> Iterator[Span]:
        """Names jieba's tagger finds (nr, nrfg, nrt) right before a title or a verb said of
        people (崔树旺教授, 单位的王刚得了): unknown to the dictionary, opened by a listed
        surname, unexplained. The tagger reads only WINDOW characters before the cue."""
        for m in _NR_NEXT.finditer(text):
            end = m.start()
            start = max(0, end - WINDOW)
            if not any(
                end - size >= 0 and text[end - size] in SURNAMES and surname_start(text[end - size])
                for size in (2, 3)
            ):
                continue  # no listed surname where a name would start: the tagger is not run
            tokens = _pos_tags(text[start : m.end()])
            offsets, pos = [], start
            for word, flag in tokens:
                offsets.append((pos, word, flag))
                pos += len(word)
            for i, (pos, word, flag) in enumerate(offsets):
                if pos + len(word) == end and flag.startswith("nr"):
                    if len(word) < 3 and i and offsets[i - 1][2].startswith("nr"):
                        pos, word = offsets[i - 1][0], offsets[i - 1][1] + word  # 谌/nr 玉兰/nr
                    if self._tagged_name(text, pos, word):
                        yield Span(pos, end, "NAME", 0.65, self.name)

    @staticmethod
    def _tagged_name(text: str, pos: int, word: str) -> bool:
        if not 2 <= len(word) <= 4 or word in chinese_words() or word in COURTESY:
            return False
        if not (word[0] in SURNAMES or word[:2] in SURNAMES) or not surname_start(word[0]):
            return False
        given = word[2:] if word[:2] in SURNAMES else word[1:]
        if not any(c in NAME_CHARS for c in given):
            return False
        return not explained(word) and bool(_BOUNDARY.match(text, pos + len(word)))

    def _before(self, text: str, end: int, title: bool) -> Iterator[Span]:
        for size in (3, 2, 4):
            start = end - size
            if start < 0 or not _opens_phrase(text, start):
                continue
            if not title and start and _HAN.match(text[start - 1]):
                continue  # an addressee stands alone: 卜一凡，你好
            if _plausible(text, start, end):
                yield Span(start, end, "NAME", 0.7, self.name)
                return

    def _surname_told(self, text: str, cue: int, pos: int) -> Iterator[Span]:
        """我姓招，招伟龙: a surname no list knows, then the full name that starts with it."""
        if pos >= len(text) or not _HAN.match(text[pos]) or text[pos] in STOP_CHARS:
            return
        if text[cue + 1 : pos + 1] == "姓名" or not _INTRO_BOUNDARY.match(text, pos + 1):
            return
        yield Span(pos, pos + 1, "NAME", 0.7, self.name)
        after = re.compile(r"[，,]\s*").match(text, pos + 1)
        if after and text.startswith(text[pos], after.end()):
            end = name_after(text, after.end(), told=True)
            if end is not None:
                yield Span(after.end(), end, "NAME", 0.7, self.name)


_PROPER = ("ns", "nr", "nz", "nt", "j")


def _place_name_unknown(name: str, text: str, start: int) -> bool:
    """The name part of a place (沙溪 of 沙溪镇) is a known city, a proper name of jieba's
    (dictionary or tagger: 临安/ns, 乌石镇/nr), or characters no word covers that are no
    function words (岩口, 樟村 — not 会走, 有大)."""
    if len(name) < 2 or name in GENERIC_PLACES or any(c in PLACE_STOP for c in name):
        return False
    if name in CITIES or name in PROVINCES:
        return True
    if name in _safe_words() or _medical_terms_in(name):
        return False
    entry = chinese_words().get(name)
    if entry is not None and (entry[1].startswith(_PROPER) or entry[0] >= 20):
        return entry[1].startswith(_PROPER)  # 临安/ns; 健康, 深山 are words
    tags = _pos_tags(text[start : start + len(name) + 3])
    if tags and tags[0][1].startswith(_PROPER) and len(tags[0][0]) >= 2:
        return True  # 横栏镇/ns
    verbs = ("d", "p", "c", "u", "r", "y", "e", "v")
    if any(function_char(c) and chinese_words()[c][1].startswith(verbs) for c in name):
        return False  # 会走路, 有大区域
    return unknown(name)


_PROVINCE = re.compile(rf"(?:{alternation(PROVINCES)})(?:省|市|自治区)?")


@dataclass(frozen=True)
class ChinesePlaceSafetyNet:
    """Places below the province after a place verb, whose name nothing explains."""

    name: str = "zh_safety_net_place_v1"
    category: str = "ADDRESS"
    languages: frozenset[str] = ZH
    trigger: str = TRIGGER_PLACE

    def find(self, text: str) -> Iterator[Span]:
        if not _trigger_place().search(text):
            return
        for m in _PLACE_VERB.finditer(text):
            yield from self._chain(text, m.end())

    def _chain(self, text: str, start: int) -> Iterator[Span]:
        if province := _PROVINCE.match(text, start):
            start = province.end()  # the province is kept (广东省|河源市紫金县)
        pos, parts = start, []
        while len(parts) < 8:
            match = component_at(text, pos)
            if match is None:
                break
            parts.append(match.group())
            pos = match.end()
        if not parts:
            me = re.compile(rf"[{CJK}]{{2,4}}?(?=人[，,。；\s]|人$)").match(text, start)
            if me and me.group() not in PROVINCES and _place_name_unknown(me.group(), text, start):
                yield Span(start, me.end(), "ADDRESS", 0.65, self.name)  # 我是黎川人
            return
        while parts and parts[0] in PROVINCES:  # the province is kept
            start += len(parts.pop(0))
        if not parts:
            return
        first = parts[0]
        unit = re.search(rf"(?:{PLACE_UNITS})$", first)
        name = first[: unit.start()] if unit else first
        if first in GENERIC_PLACES or first.endswith("地区") or not unit:
            return
        if any(first.startswith(p) and first.endswith("自治区") for p in PROVINCES):
            return  # 新疆自治区: a province
        if not _place_name_unknown(name, text, start):
            return
        end = pos
        org = _TOWN_ORG.match(text, end)
        if org:
            yield Span(start, org.end(), "ORGANIZATION", 0.65, self.name)
            return
        yield Span(start, end, "ADDRESS", 0.65, self.name)


@cache
def _trigger_name() -> re.Pattern[str]:
    return re.compile(TRIGGER_NAME)


@cache
def _trigger_place() -> re.Pattern[str]:
    return re.compile(TRIGGER_PLACE)


RECOGNIZERS = [ChineseNameSafetyNet(), ChinesePlaceSafetyNet()]
