"""CONTACT: email addresses, URLs and domains, IP addresses, WeChat and QQ handles."""

from __future__ import annotations

import re

from curation.deid.edges import ASCII_WORD
from curation.deid.registry import BOTH, PatternRecognizer
from curation.deid.validators import domain_ok, ipv4_ok

TLDS = (
    "com|org|net|edu|gov|mil|int|info|biz|io|co|me|us|uk|de|fr|jp|cn|hk|tw|au|ca|in|ru|br|it|es|"
    "nl|se|no|fi|dk|pl|ch|at|be|ie|nz|sg|kr|za|mx|ar|cl|pt|gr|tr|il|hu|cz|ro|ua|vn|th|my|id|ph|"
    "health|hospital|clinic|med|online|site|tech|app|xyz|top|cc|tv|ai"
)
# a URL ends where Chinese text or full-width punctuation starts (网址www.x.com请访问)
_CJK = "\u3000-\u303f\u4e00-\u9fff\uff01-\uff0f\uff1a-\uff20"

RECOGNIZERS = [
    PatternRecognizer(
        "email_v1", "CONTACT", BOTH,
        r"(?<![A-Za-z0-9_.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}(?![A-Za-z0-9_-])",
        0.99,
        trigger='@',
    ),
    PatternRecognizer(
        "url_v1", "CONTACT", BOTH,
        rf"(?:https?://|ftp://|www\.)[^\s<>\"'){_CJK}]+[^\s<>\"'){_CJK}.,;:!?]",
        0.95,
        flags=re.IGNORECASE,
        trigger='(?i)https?://|ftp://|www\\.',
    ),
    PatternRecognizer(
        "domain_v1", "CONTACT", BOTH,
        rf"(?=[A-Za-z0-9])(?<![{ASCII_WORD}@.-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+(?:{TLDS})(?![{ASCII_WORD}.-]|\.[A-Za-z])",
        0.7,
        validator=domain_ok,
        trigger='[A-Za-z0-9]\\.[A-Za-z]{2}',
    ),
    PatternRecognizer(
        "ipv4_v1", "CONTACT", BOTH,
        r"(?=\d)(?<![\d.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?!\d|\.\d)",  # a period may end it
        0.85,
        validator=ipv4_ok,
        trigger='\\d\\.\\d+\\.\\d+\\.\\d',
    ),
    PatternRecognizer(
        "ipv6_v1", "CONTACT", BOTH,
        r"(?<![A-Za-z0-9_:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![A-Za-z0-9_:])|(?<![A-Za-z0-9_:])(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}:?){1,6}(?![A-Za-z0-9_:])",
        0.85,
        trigger='[0-9A-Fa-f]:[0-9A-Fa-f]*:',
    ),
    PatternRecognizer(
        "wechat_v1", "CONTACT", BOTH,
        r"(?:微信号?|微信ID|WeChat(?:\s*ID)?|wechat|VX|vx|WX)\s*(?:号码|号)?\s*[:：是为]?\s*(?P<v>[A-Za-z][-_A-Za-z0-9]{4,19})(?![-_A-Za-z0-9])",
        0.95,
        group="v",
        trigger='(?i)微信|wechat|vx|wx',
    ),
    PatternRecognizer(
        "qq_v1", "CONTACT", BOTH,
        r"(?:QQ|qq|扣扣)\s*(?:号码|号)?\s*[:：是为]?\s*(?P<v>[1-9]\d{4,11})(?!\d)",
        0.95,
        group="v",
        trigger='(?i)qq|扣扣',
    ),
]  # fmt: skip
