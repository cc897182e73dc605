"""Reading structure out of item text: record sections, sentences, dialogue speakers' roles.

A *section* starts at a heading: a line that begins with a short label (a letter first, no
digits or sentence punctuation, at most five words) followed by a colon, half- or full-width
(``出院诊断：…``, ``ASSESSMENT AND PLAN:``, ``A/P:``). It runs to the next heading. Headings are
compared after NFKC, case folding and removing whitespace, so ``出 院 诊 断`` and ``出院诊断``,
``Assessment and plan`` and ``ASSESSMENT AND PLAN`` are the same name. A task names the
headings it wants with their aliases; nothing here knows any particular heading.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

_SPACE = r"[ \t\u3000]*"
HEADING = re.compile(
    rf"^{_SPACE}(?P<name>[^\W\d_][^\n:：。，,;；.!?！？()（）\d]{{0,39}}?){_SPACE}[:：]{_SPACE}",
    re.MULTILINE,
)
MAX_HEADING_WORDS = 5
SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|(?<=\.)(?=\s)|\n+")

PATIENT_SIDE = ("患者", "病人", "病患", "家属", "患儿", "母亲", "父亲", "patient", "pt", "family")
DOCTOR_SIDE = ("医生", "大夫", "医师", "主任", "doctor", "dr", "physician", "clinician")


def heading_key(name: str) -> str:
    """A heading as compared: NFKC, case-folded, without whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).casefold()


@dataclass(frozen=True)
class Section:
    """One section of a text: its heading as written and code-point offsets."""

    name: str
    start: int  # where the heading starts
    body_start: int  # after the colon
    end: int  # where the next heading starts (or the text ends)

    def body(self, text: str) -> str:
        return text[self.body_start : self.end].strip()


def sections(text: str) -> list[Section]:
    """The sections of a text, in order (none when it has no heading)."""
    found = []
    for match in HEADING.finditer(text):
        name = match.group("name").strip()
        if len(name.split()) > MAX_HEADING_WORDS:
            continue
        found.append((name, match.start(), match.end()))
    return [
        Section(name, start, body, found[i + 1][1] if i + 1 < len(found) else len(text))
        for i, (name, start, body) in enumerate(found)
    ]


def find_sections(text: str, names: list[str]) -> list[Section]:
    """The sections whose heading is one of `names` (any alias), in text order."""
    wanted = {heading_key(n) for n in names}
    return [s for s in sections(text) if heading_key(s.name) in wanted]


def section_body(text: str, names: list[str]) -> str | None:
    """The body of the first section named by one of `names` (None if absent or empty)."""
    for section in find_sections(text, names):
        body = section.body(text)
        if body:
            return body
    return None


def keep_sections(text: str, names: list[str]) -> str:
    """Only the named sections (heading and body), in text order, one per line block."""
    return "\n".join(text[s.start : s.end].strip() for s in find_sections(text, names))


def drop_sections(text: str, names: list[str]) -> str:
    """The text without the named sections (heading and body)."""
    out, at = [], 0
    for section in find_sections(text, names):
        out.append(text[at : section.start])
        at = section.end
    out.append(text[at:])
    return re.sub(r"\n{3,}", "\n\n", "".join(out)).strip()


def sentences(text: str) -> list[str]:
    """Sentences of a zh or en text (split after 。！？；!?; or a period before a space, and at
    line breaks); empty pieces dropped."""
    return [s.strip() for s in SENTENCE_END.split(text) if s and s.strip()]


def speaker_role(speaker: str) -> str:
    """patient | doctor | other, from how a speaker is written (患者, 家属, Doctor, Dr. …)."""
    key = heading_key(speaker).strip(".")
    if any(key.startswith(w) for w in PATIENT_SIDE):
        return "patient"
    if any(key.startswith(w) for w in DOCTOR_SIDE):
        return "doctor"
    return "other"


def render_turns(turns: list[dict[str, Any]]) -> str:
    """Dialogue turns as ``speaker：text`` lines (the layout reviewers see)."""
    return "\n".join(f"{t['speaker']}：{t['text']}" for t in turns)


def reference_lines(reference: str) -> list[str]:
    """The statements of a reference, for the leak check: one per line or list entry, without
    list numbers and bracketed codes (``1. 异位妊娠（O00.9）`` → ``异位妊娠``)."""
    pieces = re.split(r"[\n；;]|(?:^|\s)\d+[.、)]\s*", reference)
    out = []
    for piece in pieces:
        piece = re.sub(r"[（(][^）)]*[）)]", "", piece or "")
        piece = re.sub(r"^\s*\d+[.、)]\s*", "", piece).strip(" \t\u3000。.,，:：-")
        if _letters(piece) >= 2:
            out.append(piece)
    return out


def _letters(text: str) -> int:
    """Letters that carry meaning: each CJK character counts 2, a Latin letter counts 1/2."""
    cjk = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return 2 * cjk + latin // 2


def leaked(reference: str, text: str) -> str | None:
    """The first reference statement that occurs in the text (compared after NFKC, case
    folding and whitespace removal), or None."""
    haystack = heading_key(text)
    for line in reference_lines(reference):
        if heading_key(line) in haystack:
            return line
    return None
