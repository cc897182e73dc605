"""NAME in Chinese: a surname (百家姓, compound included) and one or two given-name characters.

Found after a label (姓名：, 主治医师：, 患者, 家属, 丈夫 …), as a labeled field's whole value,
before a title (先生, 医生, 主任 …), as a placeholder (张某某), as a transliterated name
(阿不都热合曼·买买提) or nickname (小明) after a cue, or alone on a signature line. Ordinary
words that begin with a surname character (平素, 白天, 高热) are rejected with jieba's
dictionary.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from curation.deid.registry import (
    ZH,
    alternation,
    word_lists,
)
from curation.deid.spans import Span
from curation.deid.words import (
    chinese_medical_words,
    chinese_words,
    is_ordinary_chinese_word,
)

CJK = r"\u4e00-\u9fff"
SURNAMES = word_lists("zh_surnames")[""]
NAME_CHARS = word_lists("zh_name_chars")[""]
_SUR = f"(?:{alternation(SURNAMES)})"
_GIVEN = "[" + "".join(sorted(NAME_CHARS)) + "]"
NAME_FIELDS = "患者姓名|病人姓名|家属姓名|联系人姓名|姓名|医师签名|医生签名|护士签名|签名|签字"
STRONG_LABELS = (
    "紧急联系人|联系人|监护人|陪同人|委托人|代理人|记录者|记录人|记录医师|记录医生|主治医师|"
    "主治医生|住院医师|主任医师|副主任医师|经治医师|主诊医师|主管医师|管床医师|上级医师|责任护士|"
    "报告医师|审核医师|检查医师|申请医生|申请医师|送检医生|操作者|手术者|术者|主刀|一助|二助|"
    "麻醉师|麻醉医师|书写医师|审核者|报告者|检验者|核对者|接诊医生|接诊医师|首诊医生|患者|病人|"
    "患儿|家属|参加人员|民众|个案"  # 民眾, 個案: Taiwan's speakers (members of the public, cases)
)
# any clinician role before a colon (主管医生：, 值班医师：, 会诊护士：) introduces a name too,
# but only a name with a known surname: a dialogue's '医生：嗯嗯，' is no name
_ROLE_LABEL = rf"[{CJK}]{{1,3}}(?:医生|医师|护士|护理师|药师|技师|大夫)|医师|护士|护理师|药师|技师"
# a bare role before a colon may open a line of dialogue (护士：请躺下): only a field value
# that is no word at all counts as a name after it
_BARE_ROLES = frozenset(("医师", "护士", "护理师", "药师", "技师"))
_FIXED_STRONG = frozenset(STRONG_LABELS.split("|"))
# kin words: a name after them may have a given part that is a word (丈夫冯建国, 母亲李红梅)
KIN_WORDS = frozenset(
    "丈夫 妻子 儿子 女儿 父亲 母亲 爱人 配偶 老伴 之子 之女 其子 其女 其夫 其妻 哥哥 姐姐 弟弟 "
    "妹妹 孙子 孙女 老公 老婆 媳妇 女婿 儿媳 外孙 外孙女 爸爸 妈妈 我爸 我妈 外公 外婆 爷爷 奶奶 "
    "其父 其母 之父 之母 其兄 其姐 其弟 其妹 "
    # the same with 其 before a kin word of two characters, so that the longest wins
    # (其女儿王丽华, not 其女 + 儿王丽华)
    "其女儿 其儿子 其母亲 其父亲 其丈夫 其妻子 其爱人 其配偶 其哥哥 其姐姐 其弟弟 其妹妹 "
    "孩子 宝宝 小孩 太太".split()
)
_CHILD_WORDS = frozenset(("孩子", "宝宝", "小孩"))  # cue a nickname only (孩子小宇)
WEAK_LABELS = (
    "患者|病人|病员|患儿|个案|产妇|孕妇|家属|陪同|"
    # a clinician's role before the name, without a colon: 通知值班医生孔令辉
    "值班医生|值班医师|主治医生|主管医生|经治医生|管床医生|责任护士|主刀医生|接诊医生|会诊医生|"
    + alternation(KIN_WORDS)
)
# a relative named by 叫: 我先生叫黃建國 (先生: a husband in Taiwan), 我妈叫…
NAMING = rf"我叫|名叫|叫做|姓名是|名字是|我姓|本人|(?:{alternation(KIN_WORDS | {'先生'})})叫"
TITLES = (
    "副主任医师|主任医师|主治医师|住院医师|老先生|老太太|护士长|护理师|个管师|营养师|心理师|"
    "治疗师|先生|女士|小姐|医生|大夫|医师|"
    "主任|教授|护士|老师|同志|院长|阿姨|叔叔|大爷|奶奶|爷爷|师傅|博士|大姐|大哥"
)
# surnames that are also everyday function characters: never a name on their own + title
FUNCTION_SURNAMES = frozenset(
    "和向于从都但由那来时成这给跟对与同让叫问请找看也还就才又再先只能会要想及把被全"
)
# characters that never end or fill a given name: particles, pronouns, function words
NEVER_GIVEN = frozenset(
    "的了是在说和与及或把被让给对向从到于也都就还又很太最更不没已曾将会要能可着过吗呢吧啊呀哦嗯们这那哪什么怎今昨"
    # pronouns, verbs and kin words that end phrases before 医生 (想问下医生, 严格按医生的,
    # 和主治医生商量, 向你叔叔)
    "你您我他她它问按上下主叔爷奶姨舅床"
)
_ADDRESSING = frozenset("找问请是给跟和让叫对向被的了看")  # may stand before 张医生 (看了李醫師)
# words said to a doctor that look like surname + given name (谢谢医生, 麻烦大夫)
COURTESY = frozenset("谢谢 多谢 感谢 麻烦 辛苦 拜托 请问 好的 您好 你好".split())
# what may follow a name: a field label, a title, gender/age, or any non-CJK character
AFTER_NAME = re.compile(
    rf"(?:[^{CJK}]|$|性别|年龄|民族|职业|婚姻|住址|地址|电话|手机|身份|科室|床号|住院|门诊|日期|"
    rf"时间|出生|籍贯|工作|联系|关系|记录|签名|审核|男|女|{TITLES}|说|称|诉|因|于|在|是|的|来|今|自|主诉|"
    rf"陪同|陪|带|一起|一同|同意|签字|代诉|表示|要求|拒绝|告知|和|及|、|"
    # when and how: 我爸张国栋去年确诊, 患者王丽华已经出院
    rf"去年|前年|上个|上周|上月|最近|近来|近日|已经|已|现在|一直|经常|平时|突然|昨天|前天|曾|也|都|还|"
    rf"确诊|查出|去世|出现|感到|觉得|为)"
)
_ZH_FIELD = re.compile(rf"(?:{NAME_FIELDS})\s*[:：]\s*(?P<v>[{CJK}·]{{2,16}})")
_ZH_STRONG = re.compile(rf"({STRONG_LABELS}|{_ROLE_LABEL})\s*[:：]\s*")
_SPEAKERS = frozenset(("患者", "病人", "患儿", "家属", "参加人员", "民众", "个案"))
_ZH_WEAK = re.compile(rf"({WEAK_LABELS})\s*")
_ZH_NAMING = re.compile(rf"(?:{NAMING})\s*")
_ZH_SUR = re.compile(_SUR)
_ZH_TITLED = re.compile(rf"(?P<v>{_SUR}[{CJK}]{{0,2}}?)(?:{TITLES})")
# 我是陈淑华的家属: a speaker names the patient whose relative they are
_ZH_RELATIVE_OF = re.compile(
    rf"我是(?P<v>{_SUR}[{CJK}]{{1,2}}?)的(?:家属|家人|女儿|儿子|妻子|丈夫|老伴|爱人|母亲|父亲|"
    r"孙子|孙女|外孙|外孙女|亲戚|朋友|邻居|同事|哥哥|姐姐|弟弟|妹妹)"
)
_ZH_SURNAME_GIVEN = re.compile(rf"(?:我|他|她|患者|病人)?姓\s*(?P<v>{_SUR})(?=[，,。、；;\s]|$)")
_ZH_PLACEHOLDER = re.compile(rf"{_SUR}(?:某某|某|XX|××|\*\*|\*)")
# a name alone on a line of a longer record (a signature); given characters from the list
_ZH_SIGNATURE = re.compile(rf"^[ \t\u3000]*(?P<v>{_SUR}{_GIVEN}{{1,2}})[ \t\u3000]*$", re.MULTILINE)
_ZH_PATIENT = re.compile(
    rf"(?:(?:患者|病人|患儿|病员|个案)\s*[:：]?\s*|^[ \t\u3000]*|[。；;]\s*)(?P<v>[{CJK}]{{2,4}})\s*[，,、 ]\s*(?:男|女|性别)",
    re.MULTILINE,
)
_UNKNOWN_SURNAME = re.compile(rf"(?P<v>[{CJK}]{{2,3}})(?=[^{CJK}]|$)")
_FIELD_WORDS = re.compile(
    r"性别|年龄|民族|职业|婚姻|住址|地址|电话|身份|科室|床号|住院|门诊|日期|出生|籍贯|工作|联系|关系|男|女"
)


def name_at(text: str, pos: int, any_given: bool = True) -> str | None:
    """The Chinese name starting at pos: a surname and 1-2 given characters ending at a boundary.

    With `any_given`, given characters may be any CJK character (labels vouch for a name);
    otherwise they must be common given-name characters.
    """
    sur = _ZH_SUR.match(text, pos)
    if not sur:
        return None
    end = sur.end()
    for size in (2, 1):
        given = text[end : end + size]
        if len(given) != size or not re.fullmatch(rf"[{CJK}]+", given):
            continue
        if not any_given and not all(c in NAME_CHARS for c in given):
            continue
        if any(c in NEVER_GIVEN for c in given):
            continue
        if AFTER_NAME.match(text, end + size):
            return text[pos : end + size]
    return None


_TRANSLITERATED = re.compile(rf"[{CJK}]{{2,7}}[·•][{CJK}]{{2,7}}")  # 阿不都热合曼·买买提
_NICKNAME = re.compile(rf"[小老阿][{CJK}]")  # 小明, 老李, 阿强


# a labeled field's whole value: a surname and one or two characters up to the field's end
_FIELD_VALUE = re.compile(
    rf"(?P<v>{_SUR}[{CJK}]{{1,2}})(?=[ \t\u3000]|[^{CJK}]|$|性别|年龄|科室|床号|日期|时间|电话)"
)
_NEXT_FIELD = re.compile(r"[ \t\u3000]*(?:性别|年龄|[，,]\s*[男女])")
_KIN_AFTER = re.compile(rf"[（(](?:配偶|{'|'.join(sorted(KIN_WORDS))}|朋友|同事|本人)")


def _field_value_is_name(value: str) -> bool:
    """A labeled field's value is a name unless it is a kin or role word, or an ordinary word
    under a rare surname (a frequent surname vouches for 高山, 江河)."""
    if value in KIN_WORDS or value in _SPEAKERS or value in COURTESY:
        return False
    sur = _ZH_SUR.match(value)
    if sur is None or (len(sur.group()) == 1 and value[0] in FUNCTION_SURNAMES):
        return False
    return not is_ordinary_chinese_word(value) or value[0] in COMMON_SURNAMES


def cued_name_at(text: str, pos: int) -> str | None:
    """After a cue (患者, 母亲 …), a name that no surname opens: a transliterated name with
    its middle dot (minority and foreign names) or a nickname such as 小明 — never a word
    (小腿, 老伴)."""
    m = _TRANSLITERATED.match(text, pos)
    if m is not None:  # the last syllables may run into the words after: 吐尔逊为乌鲁木齐
        dot = max(m.group().find("·"), m.group().find("•"))
        for end in range(m.end(), pos + dot + 2, -1):
            if AFTER_NAME.match(text, end):
                return text[pos:end]
        return None
    m = _NICKNAME.match(text, pos)
    if m is None or not AFTER_NAME.match(text, m.end()):
        return None
    value = m.group()
    if "·" not in value and "•" not in value:
        if value[1] in NEVER_GIVEN or is_ordinary_chinese_word(value):
            return None
        if is_ordinary_chinese_word(text[pos : pos + 3]):
            return None  # 小时候, 老年人
    return value


def _word(text: str) -> bool:
    """An ordinary word: a dictionary word, or one the dictionary tags as a name although its
    given part holds no given-name character (康复, 麻醉 are tagged nr)."""
    if is_ordinary_chinese_word(text):
        return True
    entry = chinese_words().get(text)
    return (
        entry is not None
        and entry[1].startswith("nr")
        and entry[0] >= 100
        and not all(c in NAME_CHARS for c in text[1:])
    )


# the hundred most frequent surnames (about 85% of the population)
COMMON_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃"
    "武戴莫孔向汤"
)


def _inside_words(text: str, start: int, value: str) -> bool:
    """Whether a candidate before a title is really the tail of ordinary words: its rare
    surname closes a word (检查|后医生, 互相|配合医生), or it opens or ends with a very common
    word (问一下医生, 由专科医生). Frequent surnames are trusted."""
    sur = _ZH_SUR.match(value)
    if sur is None or len(sur.group()) > 1 or sur.group() in COMMON_SURNAMES:
        return False  # 方雨雪主任, 东方国主任, 程云悦主任: a frequent surname is trusted
    if start > 0 and is_ordinary_chinese_word(text[start - 1 : start + 1]):
        return True
    common = 1000
    head, tail = chinese_words().get(value[:2]), chinese_words().get(value[1:])
    return (
        any(e is not None and e[0] >= common and not e[1].startswith("nr") for e in (head, tail))
        if len(value) == 3
        else False
    )


def _thanks_before(text: str, start: int, value: str) -> bool:
    """Whether a candidate before a title opens with the end of an ordinary word: a surname
    character that closes a word with the one before it (感|谢李主任), or a word at the start
    of a longer candidate (谢谢|王医生). The name is what follows that word."""
    if len(value) < 2:
        return False
    closing = text[max(0, start - 1) : start + 1]
    if start > 0 and (closing in COURTESY or is_ordinary_chinese_word(closing)):
        return _ZH_SUR.match(value[1:]) is not None
    opening = value[:2]
    return (
        len(value) == 3
        and (opening in COURTESY or is_ordinary_chinese_word(opening))
        and _ZH_SUR.match(value[2:]) is not None
    )


def isolated_name(run: str) -> bool:
    """A run of 2-4 Han characters standing alone in text of another script (an English
    note's 'seen by 欧阳霁川', an option '端木沐辰'): a name when a surname opens it and it is
    no ordinary or medical word. Inside Chinese text no run stands alone like this."""
    return (
        re.fullmatch(rf"[{CJK}]{{2,4}}", run) is not None
        and (sur := _ZH_SUR.match(run)) is not None
        and len(run) > len(sur.group())
        and not is_ordinary_chinese_word(run)
        and run not in chinese_medical_words()
    )


def _field_name(run: str) -> str:
    """The name at the start of a name field's value (姓名：张三性别：男 → 张三): the whole
    value up to the next field when it is short (公孙群和), else the name at its start."""
    cut = _FIELD_WORDS.search(run, 2)
    value = run[: cut.start()] if cut else run
    if "·" in value or (2 <= len(value) <= 4 and _ZH_SUR.match(value)):
        return value
    return name_at(run, 0) or value[:4]


def _ordinary(text: str, strict: bool | str = True) -> bool:
    """Whether a candidate name is really an ordinary word.

    Lenient (after a strong label or before a title): only when the whole candidate is a
    dictionary word. Strict (weak cues such as 患者): also when it starts or ends with one
    (患者平素…, 患者白天…). A compound surname (欧阳, 长孙) never counts as such a word.
    """
    if _word(text):
        return True
    if not strict:
        return False
    if strict == "kin":  # after a kin word a given part may be a word of name characters
        # (丈夫冯建国) but the name does not open a word (老公平时总…, 老婆生二胎)
        compound = len(_ZH_SUR.match(text).group()) == 2
        given = text[2:] if compound else text[1:]
        return (
            (_word(text[:2]) and not compound)  # 诸葛丽: a compound surname is no word here
            or not any(c in NAME_CHARS for c in given)
            or (_word(given) and not all(c in NAME_CHARS for c in given))
        )
    sur = _ZH_SUR.match(text)
    if sur and len(sur.group()) == 2:
        rest = text[2:]
        return len(rest) > 1 and _word(rest)
    return _word(text[:2]) or (len(text) == 3 and _word(text[1:]))


@dataclass(frozen=True)
class ChineseNameRecognizer:
    """Chinese person names (see module docstring for the tiers)."""

    name: str = "zh_name_v1"
    category: str = "NAME"
    languages: frozenset[str] = ZH

    @staticmethod
    def _lone_surname(text: str, start: int, titled: str) -> bool:
        """A surname alone before a title (张医生, 刘主任) is one when it opens the phrase:
        at the start, after punctuation or a verb of addressing (找, 问, 请 …), and neither
        closes a word (主任医师, 多谢医生) nor opens one with the title (班主任)."""
        before = text[start - 1] if start else ""
        thanked = text[max(0, start - 2) : start] in COURTESY  # 谢谢王医生, 麻烦李护士
        if before and re.match(rf"[{CJK}]", before) and before not in _ADDRESSING and not thanked:
            return False
        pair = text[max(0, start - 1) : start + 1]
        return not (
            (len(pair) == 2 and (is_ordinary_chinese_word(pair) or pair in COURTESY))
            or is_ordinary_chinese_word(titled)
        )

    def find(self, text: str) -> Iterator[Span]:
        for m in _ZH_FIELD.finditer(text):
            value = _field_name(m.group("v"))
            yield Span(m.start("v"), m.start("v") + len(value), "NAME", 0.95, self.name)
        for m in _ZH_PATIENT.finditer(text):
            if not _word(m.group("v")):
                yield Span(m.start("v"), m.end("v"), "NAME", 0.9, self.name)
        cues = ((_ZH_STRONG, 0.9, False), (_ZH_NAMING, 0.9, False), (_ZH_WEAK, 0.85, True))
        for cue, score, strict in cues:
            for m in cue.finditer(text):
                if cue is _ZH_STRONG:
                    field = _FIELD_VALUE.match(text, m.end())  # 经治医师：卢光和　住院医师
                    if m.group(1) in _SPEAKERS and field:  # 病人：罗和　性别 — not a dialogue
                        field = field if _NEXT_FIELD.match(text, field.end("v")) else None
                    bare = m.group(1) in _BARE_ROLES
                    if field and bare and is_ordinary_chinese_word(field.group("v")):
                        field = None
                    if field and _field_value_is_name(field.group("v")):
                        yield Span(m.end(), field.end("v"), "NAME", score, self.name)
                        continue
                    if bare:
                        continue
                if _TRANSLITERATED.match(text, m.end()) and (
                    other := cued_name_at(text, m.end())
                ):  # 其父买买提·吐尔逊: a transliterated name, whatever its first syllable
                    yield Span(m.end(), m.end() + len(other), "NAME", 0.85, self.name)
                    continue
                if cue is _ZH_WEAK and m.group(1) in _CHILD_WORDS:
                    # 孩子小宇: only a nickname or transliterated name (给孩子查明原因 is none)
                    if other := cued_name_at(text, m.end()):
                        yield Span(m.end(), m.end() + len(other), "NAME", 0.8, self.name)
                    continue
                value = name_at(text, m.end())
                if value and cue is _ZH_WEAK and value[0] in FUNCTION_SURNAMES:
                    continue  # 母亲和婴儿, 患者都有: a conjunction or adverb, no surname
                lenient = (cue is _ZH_WEAK and m.group(1) in KIN_WORDS) or (
                    value is not None and _KIN_AFTER.match(text, m.end() + len(value))
                )  # 家属邹清华（配偶）: the relation in brackets vouches for the name
                mode = ("kin" if lenient else True) if strict else False
                if value and not _ordinary(value, mode):
                    yield Span(m.end(), m.end() + len(value), "NAME", score, self.name)
                elif value is None and (other := cued_name_at(text, m.end())):
                    yield Span(m.end(), m.end() + len(other), "NAME", 0.8, self.name)
                elif (
                    value is None
                    and cue is _ZH_STRONG
                    and m.group(1) in _FIXED_STRONG
                    and m.group(1) not in _SPEAKERS
                ):
                    # a rare surname after a strong label: a short run up to a boundary
                    run = _UNKNOWN_SURNAME.match(text, m.end())
                    if run and not is_ordinary_chinese_word(run.group("v")):
                        yield Span(run.start("v"), run.end("v"), "NAME", 0.8, self.name)
        pos = 0
        while m := _ZH_TITLED.search(text, pos):
            pos = m.start() + 1  # a rejected candidate (问问李) may hide one after it (李教授)
            value = m.group("v")
            if _thanks_before(text, m.start("v"), value):
                continue  # 谢谢王医生, 感谢李主任: the search moves on to the surname after it
            if value[0] in FUNCTION_SURNAMES and (
                len(value) == 1
                or (
                    value[0] not in COMMON_SURNAMES  # 今日向建飞主任医师: 向 is a surname
                    and m.start()
                    and re.match(rf"[{CJK}]", text[m.start() - 1])
                )
            ):
                continue  # 检查和救医生: a conjunction inside a phrase, no surname
            if value in COURTESY or any(c in NEVER_GIVEN for c in value[1:]):
                continue
            if len(value) > 1 and _ordinary(value, strict=False):
                continue  # a lone surname (张医生) is no word of its own here …
            start = m.start("v")
            if len(value) == 1 and not self._lone_surname(text, start, m.group()):
                continue
            if _inside_words(text, m.start("v"), value):
                continue
            pos = m.end()
            yield Span(m.start("v"), m.end("v"), "NAME", 0.85, self.name)
        for m in _ZH_RELATIVE_OF.finditer(text):
            if not _ordinary(m.group("v"), strict=False):
                yield Span(m.start("v"), m.end("v"), "NAME", 0.85, self.name)
        for m in _ZH_SURNAME_GIVEN.finditer(text):  # 我姓龚，龚秀英: the surname told alone
            yield Span(m.start("v"), m.end("v"), "NAME", 0.85, self.name)
            after = re.match(r"[，,]\s*", text[m.end() :])
            full = name_at(text, m.end() + after.end()) if after else None
            if full and full.startswith(m.group("v")):  # … and the full name after it
                start = m.end() + after.end()
                yield Span(start, start + len(full), "NAME", 0.85, self.name)
        for m in _ZH_PLACEHOLDER.finditer(text):
            yield Span(m.start(), m.end(), "NAME", 0.9, self.name)
        for m in _ZH_SIGNATURE.finditer(text) if text.count("\n") >= 2 else ():
            if not _ordinary(m.group("v"), strict=False):
                yield Span(m.start("v"), m.end("v"), "NAME", 0.8, self.name)


RECOGNIZERS = [ChineseNameRecognizer()]
