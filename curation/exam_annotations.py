"""CMExam's exam annotations of an MCQ: medical discipline and area of competency.

The code lists live in the contract ``schemas/exam_annotations.yaml`` (the shipped default, or
the project's own: :func:`curation.contracts.contract_path`), like the specialty taxonomy: a coded
vocabulary with Chinese and English names that physicians choose from, that source labels map
onto and that ships with a release. Together with the taxonomy's disease group and department and
the physicians' difficulty they make CMExam's five annotations.

:meth:`ExamAnnotations.code_of` reads a value as a source or a reviewer wrote it (a code, a
Chinese or English name, an alias, the review screen's ``"English 中文"``), ignoring width,
case, spaces and punctuation; a value it cannot read is None, never a guess.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from curation.config import read_yaml, validate_config
from curation.contracts import EXAM_ANNOTATIONS, contract_path

EXAM_FIELDS = ("discipline", "competency")
"""The annotations, each the name of a review field, an item field and a source label."""

_CODE = re.compile(r"[a-z][a-z0-9_]*")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExamCode(_Frozen):
    """One value of an annotation: its stable code, its names and how sources may spell it."""

    code: str
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)

    @property
    def choice(self) -> str:
        """As the review screen shows it: English, then Chinese."""
        return f"{self.en} {self.zh}"

    def spellings(self) -> list[str]:
        """Every way a source or a reviewer may write this value."""
        return [self.code, self.zh, self.en, self.choice, *self.aliases]


def normal_key(value: str) -> str:
    """A value as it is matched: NFKC (full-width → ASCII), case-folded, '&' read as 'and',
    without spaces, punctuation or symbols ('N / A' → 'na', '疾病诊断 和鉴别诊断' → its name)."""
    text = unicodedata.normalize("NFKC", value).casefold().replace("&", "and")
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZSC")


class ExamAnnotations(_Frozen):
    """The contract file: one code list per annotation, checked when loaded."""

    version: str
    source: str
    discipline: list[ExamCode] = Field(min_length=1)
    competency: list[ExamCode] = Field(min_length=1)

    _lookup: dict[str, dict[str, str]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> ExamAnnotations:
        """ASCII codes, each once; no spelling read as two codes (errors name both)."""
        problems: list[str] = []
        lookups: dict[str, dict[str, str]] = {}
        for name in EXAM_FIELDS:
            lookup: dict[str, str] = {}
            seen: dict[str, int] = defaultdict(int)
            for entry in self.entries(name):
                seen[entry.code] += 1
                if not _CODE.fullmatch(entry.code):
                    problems.append(f"{name}: code {entry.code!r} is not lowercase ASCII (a-z0-9_)")
                for spelling in entry.spellings():
                    key = normal_key(spelling)
                    if not key:
                        problems.append(f"{name}: {entry.code}: alias {spelling!r} is blank")
                    elif lookup.setdefault(key, entry.code) != entry.code:
                        problems.append(
                            f"{name}: {spelling!r} would read as both {lookup[key]} and "
                            f"{entry.code}"
                        )
            problems += [f"{name}: code {c} listed {n} times" for c, n in seen.items() if n > 1]
            lookups[name] = lookup
        if problems:
            raise ValueError("exam annotations are inconsistent:\n  " + "\n  ".join(problems))
        self._lookup = lookups
        return self

    def entries(self, name: str) -> list[ExamCode]:
        """The code list of one annotation (discipline, competency), in file order."""
        if name not in EXAM_FIELDS:
            raise KeyError(f"unknown exam annotation {name!r}; known: {', '.join(EXAM_FIELDS)}")
        return list(getattr(self, name))

    def codes(self, name: str) -> list[str]:
        """The codes of one annotation, in file order."""
        return [e.code for e in self.entries(name)]

    def get(self, name: str, code: str) -> ExamCode:
        """The entry of a code; KeyError names an unknown one."""
        for entry in self.entries(name):
            if entry.code == code:
                return entry
        raise KeyError(f"unknown {name} code {code!r}")

    def is_code(self, name: str, value: object) -> bool:
        """True when `value` is exactly one of the annotation's codes."""
        return isinstance(value, str) and value in self.codes(name)

    def code_of(self, name: str, value: str | None) -> str | None:
        """The code a written value stands for (a code, a name, an alias), else None."""
        if value is None:
            return None
        return self._lookup[name].get(normal_key(str(value)))


def load_exam_annotations(path: Path | None = None) -> ExamAnnotations:
    """The exam annotations in a YAML file, by default the active project's contract
    (schemas/exam_annotations.yaml, else the shipped one)."""
    return _load((path or contract_path(EXAM_ANNOTATIONS)).resolve())


def project_exam_annotations(root: Path | None) -> ExamAnnotations:
    """A project's schemas/exam_annotations.yaml, else the one shipped with MedCurate."""
    return _load(contract_path(EXAM_ANNOTATIONS, root).resolve())


@cache
def _load(path: Path) -> ExamAnnotations:
    return validate_config(ExamAnnotations, read_yaml(path), path)
