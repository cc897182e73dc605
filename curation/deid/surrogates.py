"""Replacement of PHI spans: placeholders, consistent salted surrogates, shifted dates.

Within one record the same value always gets the same surrogate and every date moves by
the same number of days (intervals survive). Both derive from an HMAC of the record key
under a secret salt, so a release cannot be reversed without the salt, and the mapping is
never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field

from curation.deid import dates
from curation.deid.policy import Action, PhiPolicy
from curation.deid.spans import Span
from curation.deid.vocabulary import leading_honorific
from curation.script import is_traditional, to_simplified, to_traditional

ZH_SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
ZH_GIVEN = "安宁明华建国文静丽军平志伟英秀敏杰涛强磊洋勇艳娟霞刚桂兰芳玉春云海波"
EN_FIRST = (
    "Alex Jordan Taylor Morgan Casey Riley Jamie Avery Quinn Parker Rowan Skyler Drew Reese "
    "Emerson Finley Harper Hayden Kendall Logan"
).split()
EN_LAST = (
    "Ashford Bellamy Calloway Dunmore Ellery Fairbanks Galloway Hartwell Ingram Jessup "
    "Kingsley Lockwood Merriman Northcott Oakley Pembroke Quimby Radcliffe Sherwood Thornbury"
).split()
ZH_ADDRESSES = (
    "江南市青山区枫林路88号", "临海市东湖区桂花街12号3栋", "云溪市南城区文华路6号",
    "北岭市西山区长青巷21号", "安平市河东区明月路135号2单元",
)  # fmt: skip
EN_ADDRESSES = (
    "100 Example Street, Springfield", "42 Sample Avenue, Riverton", "7 Placeholder Road, Fairview",
    "18 Demo Lane, Lakeside", "250 Test Boulevard, Greenville",
)  # fmt: skip
ZH_ORGS = (
    "青山市第一人民医院",
    "江南市中心医院",
    "云溪县人民医院",
    "临海市妇幼保健院",
    "北岭社区卫生服务中心",
)
EN_ORGS = (
    "Riverside General Hospital", "Lakeview Medical Center", "Fairview Clinic",
    "Greenville Community Hospital", "Hillcrest Health Center",
)  # fmt: skip
_AGE_ZH = re.compile(r"\d+\s*(?:周岁|岁半?)?")
_DIGITS = re.compile(r"\d+")


def _digest(salt: bytes, *parts: str) -> int:
    message = "\x1f".join(parts).encode("utf-8")
    return int.from_bytes(hmac.new(salt, message, hashlib.sha256).digest()[:8], "big")


def date_offset(salt: bytes, record_key: str) -> int:
    """Days every date of a record moves: ±30..±1095, never 0."""
    value = _digest(salt, "date-shift", record_key)
    days = 30 + value % 1066
    return days if (value >> 20) & 1 else -days


@dataclass
class RecordReplacer:
    """Replaces the spans of one record's texts, consistently across its fields."""

    policy: PhiPolicy
    salt: bytes
    record_key: str
    placeholders_only: bool = False
    actions: dict[str, Action] = field(default_factory=dict)
    _memory: dict[tuple[str, str], str] = field(default_factory=dict)

    def action(self, category: str) -> Action:
        if self.placeholders_only:
            return Action.PLACEHOLDER
        return self.actions.get(category) or self.policy.categories[category].action

    def apply(self, text: str, spans: list[Span], language: str) -> str:
        """The text with every span replaced (spans must not overlap)."""
        return self.apply_marked(text, spans, language)[0]

    def apply_marked(
        self, text: str, spans: list[Span], language: str
    ) -> tuple[str, list[tuple[int, int, str]]]:
        """The replaced text and where each replacement sits in it: (start, end, category).

        A Traditional-script text gets its replacements in Traditional script too: the value
        is read in Simplified (as the rules are written) and what replaces it is converted
        back ([電話], a surrogate 李建國), so that a Traditional record stays Traditional.
        """
        traditional = is_traditional(text)
        out, marks, cursor, length = [], [], 0, 0
        for span in sorted(spans, key=lambda s: s.start):
            out.append(text[cursor : span.start])
            length += span.start - cursor
            value = text[span.start : span.end]
            if traditional:
                new = to_traditional(self.replacement(to_simplified(value), span.label, language))
            else:
                new = self.replacement(value, span.label, language)
            out.append(new)
            marks.append((length, length + len(new), span.label))
            length += len(new)
            cursor = span.end
        out.append(text[cursor:])
        return "".join(out), marks

    def replacement(self, value: str, category: str, language: str) -> str:
        """What one PHI value becomes."""
        action = self.action(category)
        if action == Action.SHIFT:
            shifted = dates.shift_span(value, date_offset(self.salt, self.record_key))
            return shifted or self.policy.placeholder(category, language)
        if action == Action.GENERALIZE:
            if language == "zh":
                return _AGE_ZH.sub(self.policy.placeholder(category, "zh"), value, count=1)
            return _DIGITS.sub(self.policy.placeholder(category, "en"), value, count=1)
        if action == Action.SURROGATE:
            key = (category, re.sub(r"\s+", " ", value.strip()).casefold())
            if key not in self._memory:
                self._memory[key] = self._surrogate(value, category, language)
            return self._memory[key]
        return self.policy.placeholder(category, language)

    def _surrogate(self, value: str, category: str, language: str) -> str:
        pick = _digest(self.salt, self.record_key, category, value.casefold())
        if category == "NAME":
            return _name_surrogate(value, language, pick)
        pools = {
            ("ADDRESS", "zh"): ZH_ADDRESSES,
            ("ADDRESS", "en"): EN_ADDRESSES,
            ("ORGANIZATION", "zh"): ZH_ORGS,
            ("ORGANIZATION", "en"): EN_ORGS,
        }
        pool = pools.get((category, language))
        if pool is None:
            return self.policy.placeholder(category, language)
        return pool[pick % len(pool)]


def _name_surrogate(value: str, language: str, pick: int) -> str:
    title = leading_honorific(value)
    if title:  # keep the title, replace the name: "Dr. Smith" → "Dr. Ashford"
        return value[:title] + _name_surrogate(value[title:], language, pick)
    if language == "zh" or re.search(r"[\u4e00-\u9fff]", value):
        given = max(1, min(2, len(value) - 1))
        chars = [ZH_SURNAMES[pick % len(ZH_SURNAMES)]]
        for i in range(given):
            chars.append(ZH_GIVEN[(pick >> (8 * (i + 1))) % len(ZH_GIVEN)])
        return "".join(chars)
    tokens = value.split()
    if len(tokens) == 1:
        return EN_LAST[pick % len(EN_LAST)]
    first = EN_FIRST[pick % len(EN_FIRST)]
    last = EN_LAST[(pick >> 16) % len(EN_LAST)]
    middle = [f"{chr(65 + (pick >> 32) % 26)}." for _ in tokens[1:-1]]
    return " ".join([first, *middle, last])
