"""Edges of a Latin-script or digit value that may sit right next to Chinese text.

Python's ``\\w`` (and so ``\\b``) counts Han characters as word characters: ``\\bvalue`` and
``(?<!\\w)value`` never match a value written right after a Chinese character (邮箱abc@x.com,
电话ext. 4767), nor ``value\\b`` one right before it (zhang@x.com谢谢). Where a pattern means
"not glued to more letters or digits of the same value", it says so for ASCII only: with
these look-arounds, or with an ASCII class such as ``(?<![A-Za-z0-9_.+-])`` when the value's
own punctuation must not precede it either. A trigger (Rust regex, no look-arounds) says the
same with :data:`TRIGGER_EDGE`, or drops its ``\\b``: it must stay a necessary condition.
"""

from __future__ import annotations

ASCII_WORD = "A-Za-z0-9_"  # \w without its non-ASCII letters (Han, kana, Cyrillic …)
START = rf"(?<![{ASCII_WORD}])"  # where a Latin value starts (instead of \b or (?<!\w))
END = rf"(?![{ASCII_WORD}])"  # where it ends (instead of \b or (?!\w))
TRIGGER_EDGE = r"(?-u:\b)"  # the same edge in a trigger: Rust's ASCII word boundary
