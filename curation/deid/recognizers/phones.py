"""PHONE: Chinese mobiles and landlines, US and international numbers, fax."""

from __future__ import annotations

import re

from curation.deid.registry import BOTH, EN, PatternRecognizer

PHONE_CONTEXT = (
    "电话", "手机", "联系", "tel", "phone", "fax", "传真", "cell", "mobile", "pager", "call",
    "contact", "ph:", "ph.", "beeper", "号码",
)  # fmt: skip

# cues right before a number written in any national format ("not answering at 78 651 450")
CONTEXT_PHONE_CUES = (
    "call", "phone", "tel", "fax", "messages to", "reach", "contact", "mobile", "cell", "number",
    "电话", "手机", "text me", "whatsapp", "sms", "answering at", "registered", "desk", "landline",
    "dial", "ring me", "pager", "beeper", "mob:", "mob ", "mob.", "tel:", "tel ", "tel.",
)  # fmt: skip


def plausible_phone_digits(value: str) -> bool:
    """A subscriber number has 7 to 15 digits (ITU E.164), extension excluded."""
    number = re.split(r"(?i)\s?(?:x|ext\.?)\s?(?=\d+$)", value)[0]
    return 7 <= sum(c.isdigit() for c in number) <= 15


RECOGNIZERS = [
    PatternRecognizer(
        "cn_mobile_v1", "PHONE", BOTH,
        r"(?=[+0(1])(?<![\d+])(?:(?:\+|00)\s?86[\s-]?|\(\+?86\)\s?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?:\s*(?:转|分机|ext\.?|x)\s*\d{1,5})?(?!\d)",
        0.95,
        trigger='1[3-9]\\d[\\s-]?\\d{4}[\\s-]?\\d{4}',
    ),
    PatternRecognizer(
        "cn_landline_v1", "PHONE", BOTH,
        r"(?=[+0(（])(?<![\d+])(?:(?:\+|00)\s?86[\s-]?)?(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3})[\s-]?[2-9]\d{6,7}(?:\s*(?:转|分机|ext\.?|x)\s*\d{1,5})?(?!\d)",
        0.9,
        trigger='0\\d{2,3}\\D{0,2}[2-9]\\d{5}',
    ),
    PatternRecognizer(  # Taiwan mobiles: 0912-345-678, 0912345678, +886 912 345 678
        "tw_mobile_v1", "PHONE", BOTH,
        r"(?=[+0(])(?<![\d+])(?:(?:(?:\+|00)\s?886[\s-]?|\(\+?886\)\s?)0?|0)9\d{2}[\s-]?\d{3}[\s-]?\d{3}(?!\d)",
        0.95,
        trigger='9\\d{2}[\\s-]?\\d{3}[\\s-]?\\d{3}',
    ),
    PatternRecognizer(  # Taiwan landlines: (02)2345-6789, 04-2345-6789, (07)345-6789 #123
        "tw_landline_v1", "PHONE", BOTH,
        r"(?=[+0(（])(?<![\d+])(?:(?:\+|00)\s?886[\s-]?|[(（]0|0)(?:37|49|89|82|826|836|[2-8])(?:[)）]\s?|[\s-])\d{3,4}[\s-]?\d{4}(?:\s*(?:#|转|分机|ext\.?|x)\s*\d{1,5})?(?!\d)",
        0.9,
        trigger='\\d\\D{1,2}\\d{3,4}\\D?\\d{4}',
    ),
    PatternRecognizer(
        "us_phone_v1", "PHONE", BOTH,
        r"(?=[+(\d])(?<![A-Za-z0-9_+])(?:\+?1[\s.-]?)?(?:\([2-9]\d{2}\)|[2-9]\d{2})[\s.-]?[2-9]\d{2}[\s.-]?\d{4}(?:\s*(?:ext\.?|x)\s*\d{1,5})?(?!\d)",
        0.85,
        context=PHONE_CONTEXT,
        trigger='\\d{3}\\D{0,3}\\d{3}\\D?\\d{4}',
    ),
    PatternRecognizer(  # separated 3-3-4 groups in any digits (fake 555/123 exchanges too)
        "nanp_like_phone_v1", "PHONE", BOTH,
        r"(?=[+(\d])(?<![A-Za-z0-9_+-])(?:\+?1[\s.-])?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\d-])",
        0.8,
        context=PHONE_CONTEXT,
        trigger='\\d{3}\\D{1,3}\\d{3}\\D\\d{4}',
    ),
    PatternRecognizer(
        "intl_phone_v1", "PHONE", BOTH,
        r"(?=\+)(?<![A-Za-z0-9_])\+\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]?\d{2,4}){1,4}(?:\s?(?:x|ext\.?)\s?\d{1,5})?(?!\d)",
        0.85,
        validator=plausible_phone_digits,
        trigger='\\+\\d',
    ),
    PatternRecognizer(  # digit groups right after "call me at", "messages to", "fax" …
        "context_phone_v1", "PHONE", BOTH,
        r"(?=[+(\d])(?<![A-Za-z0-9_+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,5}(?:[\s.-]\d{2,8}){1,4}(?:\s?(?:x|ext\.?)\s?\d{1,5})?(?![A-Za-z0-9_-])",
        0.75,
        validator=plausible_phone_digits,
        context=CONTEXT_PHONE_CUES,
        requires_context=True,
        trigger=rf"(?i)(?:{'|'.join(CONTEXT_PHONE_CUES)})(?s:.){{0,40}}\d{{2,5}}[\s.-]\d{{2,8}}",
    ),
    PatternRecognizer(  # digit groups right before "office", "fax", "mobile" …
        "phone_before_label_v1", "PHONE", BOTH,
        r"(?=[+(\d])(?<![A-Za-z0-9_+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,5}(?:[\s.-]\d{2,4}){1,4}(?=\s*[-,]?\s*(?i:office|fax|mobile|cell|home|work|tel)(?![A-Za-z]))",
        0.75,
        trigger=r"\d[\s.-]?\d*\s*[-,]?\s*(?i:office|fax|mobile|cell|home|work|tel)",
    ),
    PatternRecognizer(
        "labeled_phone_v1", "PHONE", BOTH,
        r"(?:电话|手机|联系电话|联系方式|座机|传真|Tel|TEL|Phone|PHONE|Fax|FAX|Cell|Mobile|Pager)\s*(?:号码|号|number|#|No\.?)?\s*[:：]?\s*(?P<v>\+?[\d(（][\d\s().（）-]{5,20}\d)",
        0.9,
        group="v",
        trigger='(?i)电话|手机|联系|座机|传真|tel|phone|fax|cell|mobile|pager',
    ),
    PatternRecognizer(  # a local number in brackets after a name: 'his wife, Edna (555-1212)'
        "local_phone_after_name_v1", "PHONE", EN,
        r"(?<=[a-z] \()(?P<v>\d{3}-\d{4})(?=\))",
        0.75,
        group="v",
        trigger=r"[a-z] \(\d{3}-\d{4}\)",
    ),
    PatternRecognizer(  # hospital pagers and extensions: 'Pager 37102', 'beeper #4-1234', 'x4-5678'
        "pager_v1", "PHONE", BOTH,
        r"(?:(?i:(?<![A-Za-z])(?:pager|beeper|pgr|bleep|ext|extension)(?![A-Za-z])\.?)|分机号?)"
        r"[ \t]*(?i:#|no\.?|number)?[ \t]*[:#：]?[ \t]*"
        r"(?P<v>\d{1,2}-\d{3,5}|\d{3,7})(?![A-Za-z0-9_/-]|\.\d)"
        r"|(?<![A-Za-z0-9_.-])(?P<x>[xX]\d{1,2}-\d{4})(?![A-Za-z0-9_-])",
        0.85,
        group=("v", "x"),
        trigger=r"(?i)(?:pager|beeper|pgr|bleep|ext|extension|分机号?)\W*(?:(?:no|number)\W*)?\d(?:\d{2}|\d?-\d{3})|x\d{1,2}-\d{4}",
    ),
]  # fmt: skip
