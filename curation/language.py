"""Language of a text (zh or en): Chinese when CJK characters make up a real share of its
letters. Shared by de-identification and tagging."""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_language(text: str, threshold: float = 0.1) -> str:
    """'zh' when at least `threshold` of the letters are CJK characters, else 'en'."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    if cjk == 0:
        return "en"
    return "zh" if cjk / max(1, cjk + latin / 4) >= threshold else "en"
