"""The clinical specialty taxonomy (schemas/specialties.yaml) behind the specialty tagger.

It follows China's 诊疗科目名录 (Directory of Medical Institution Diagnostic and Therapeutic
Categories, 卫医发〔1994〕第27号 and later additions): a department has a 2-digit code ("03"
内科), a specialty appends ".NN" ("03.04" 心血管内科专业). Entries the directory lacks carry an
extension segment ".xN" ("03.02.x1" 肝病专业), which can never collide with a real code.

Every leaf holds weighted keywords per language (3 = pathognomonic disease names, 2 = typical
exams, drugs and procedures, 1 = symptoms shared with other specialties). Integrity is checked
when the model is built, and every error names the offending code.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from curation.config import read_yaml, validate_config
from curation.contracts import TAXONOMY, contract_path

LANGUAGES = ("zh", "en")
MIN_LEAF_KEYWORDS = 12
MIN_WEIGHT, MAX_WEIGHT = 1, 3

_DEPARTMENT_CODE = re.compile(r"\d{2}")
_CODE = re.compile(r"\d{2}(?:\.(?:\d{2}|x\d+))*")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Keyword(_Frozen):
    """One tagging term and its weight (range checked by Specialty, so errors name the code)."""

    term: str
    weight: int = 1

    @model_validator(mode="before")
    @classmethod
    def _bare_term(cls, data: Any) -> Any:
        """A bare string is a term of weight 1."""
        return {"term": data} if isinstance(data, str) else data


class Specialty(_Frozen):
    """One department or specialty of the directory (or a marked extension)."""

    code: str
    zh: str
    en: str
    parent: str | None = None
    icd11: list[str] = []
    keywords: dict[str, list[Keyword]] = {}
    prior: float = Field(
        default=1.0,
        gt=0,
        le=1,
        description="How readily a tagger picks it; < 1 for cross-cutting services (imaging…).",
    )

    @field_validator("code", "parent", mode="before")
    @classmethod
    def _quoted_code(cls, value: Any) -> Any:
        """Codes must be quoted in YAML: an unquoted 03 would lose its leading zero."""
        if value is not None and not isinstance(value, str):
            raise ValueError(f"code {value!r} must be a quoted string such as '03' or '03.04'")
        return value

    @model_validator(mode="after")
    def _check_entry(self) -> Specialty:
        """Code shape and keyword rules that need nothing but this entry."""
        problems = self.problems()
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def problems(self) -> list[str]:
        """Everything wrong with this entry on its own, each message naming the code."""
        code = self.code
        found: list[str] = []
        if not _CODE.fullmatch(code):
            found.append(f"{code}: malformed code (want NN, NN.NN or an extension like NN.NN.x1)")
        if self.parent is None and not _DEPARTMENT_CODE.fullmatch(code):
            found.append(f"{code}: a first-level (department) code must be a 2-digit string")
        if self.parent is not None and _DEPARTMENT_CODE.fullmatch(code):
            found.append(f"{code}: a 2-digit code is a department and cannot have a parent")
        for lang, keywords in self.keywords.items():
            if lang not in LANGUAGES:
                found.append(f"{code}: unknown keyword language {lang!r} (use zh or en)")
            twice = [t for t, n in Counter(k.term for k in keywords).items() if n > 1]
            found += [f"{code}: {lang} keyword {t!r} listed twice" for t in twice]
            for k in keywords:
                if not k.term.strip() or k.term != k.term.strip():
                    found.append(f"{code}: {lang} keyword {k.term!r} is blank or padded")
                if not MIN_WEIGHT <= k.weight <= MAX_WEIGHT:
                    found.append(
                        f"{code}: {lang} keyword {k.term!r} has weight {k.weight}, "
                        f"want {MIN_WEIGHT}..{MAX_WEIGHT}"
                    )
                if lang == "en" and k.term != k.term.lower():
                    found.append(f"{code}: en keyword {k.term!r} must be lowercase")
        return found

    def terms(self, lang: str) -> list[Keyword]:
        """The keywords of one language (empty if none)."""
        return self.keywords.get(lang, [])


class Chapter(_Frozen):
    """One ICD-11 (MMS) chapter."""

    code: str
    zh: str
    en: str


class Dimension(_Frozen):
    """One of the MLB benchmark's five evaluation dimensions."""

    code: str
    zh: str
    en: str


class Taxonomy(_Frozen):
    """The whole taxonomy file, with tree helpers and integrity checks across entries."""

    version: str
    source: str
    specialties: list[Specialty]
    icd11_chapters: list[Chapter]
    mlb_dimensions: list[Dimension]

    _by_code: dict[str, Specialty] = PrivateAttr(default_factory=dict)
    _children: dict[str, list[Specialty]] = PrivateAttr(default_factory=dict)
    _digest: str = PrivateAttr(default="")

    def digest(self) -> str:
        """sha256 (8 hex) of the content (codes, names, keywords, weights, priors …), not of
        the file's layout or comments: it enters the version stamps of what the taxonomy
        shapes (de-identification's medical words, the taggers)."""
        if not self._digest:
            text = self.model_dump_json()
            self._digest = hashlib.sha256(text.encode()).hexdigest()[:8]
        return self._digest

    @model_validator(mode="after")
    def _check_tree(self) -> Taxonomy:
        """Unique codes, existing parents, prefixed child codes, no cycles, full leaves."""
        problems = self._integrity_problems()
        if problems:
            raise ValueError("specialty taxonomy is inconsistent:\n  " + "\n  ".join(problems))
        self._by_code = {s.code: s for s in self.specialties}
        self._children = {s.code: [] for s in self.specialties}
        for s in self.specialties:
            if s.parent is not None:
                self._children[s.parent].append(s)
        return self

    def _integrity_problems(self) -> list[str]:
        """Every cross-entry problem, one message per problem, each naming a code."""
        found: list[str] = []
        codes = Counter(s.code for s in self.specialties)
        found += [f"{code}: code used by {n} entries" for code, n in codes.items() if n > 1]
        parents = {s.code: s.parent for s in self.specialties}
        has_children = {s.parent for s in self.specialties if s.parent is not None}
        chapters = {c.code for c in self.icd11_chapters}
        for s in self.specialties:
            if s.parent is not None and s.parent not in parents:
                found.append(f"{s.code}: parent {s.parent!r} is not a code in the taxonomy")
            elif s.parent is not None and not s.code.startswith(s.parent + "."):
                found.append(f"{s.code}: a child code must start with its parent code {s.parent}.")
            unknown = [c for c in s.icd11 if c not in chapters]
            found += [f"{s.code}: unknown ICD-11 chapter {c!r}" for c in unknown]
            if s.code not in has_children:
                for lang in LANGUAGES:
                    n = len(s.terms(lang))
                    if n < MIN_LEAF_KEYWORDS:
                        found.append(
                            f"{s.code}: leaf has {n} {lang} keywords, want >= {MIN_LEAF_KEYWORDS}"
                        )
        found += [f"{code}: parent chain forms a cycle" for code in _cycles(parents)]
        listed = [("ICD-11 chapter", self.icd11_chapters), ("MLB dimension", self.mlb_dimensions)]
        for name, items in listed:
            seen = Counter(i.code for i in items)
            found += [f"{code}: {name} code listed twice" for code, n in seen.items() if n > 1]
        return found

    def by_code(self) -> dict[str, Specialty]:
        """Every entry keyed by its code."""
        return dict(self._by_code)

    def get(self, code: str) -> Specialty:
        """The entry with this code; KeyError names an unknown code."""
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"unknown specialty code {code!r}") from None

    def children(self, code: str) -> list[Specialty]:
        """The direct children of a code, in file order."""
        self.get(code)
        return list(self._children[code])

    def leaves(self) -> list[Specialty]:
        """Entries without children, in file order."""
        return [s for s in self.specialties if not self._children[s.code]]

    def ancestors(self, code: str) -> list[str]:
        """The codes above a code, nearest first, ending with its department."""
        chain: list[str] = []
        parent = self.get(code).parent
        while parent is not None:
            chain.append(parent)
            parent = self._by_code[parent].parent
        return chain

    def department_of(self, code: str) -> str:
        """The first-level (department) code of a code; a department is its own."""
        chain = self.ancestors(code)
        return chain[-1] if chain else code


def _cycles(parents: dict[str, str | None]) -> list[str]:
    """Codes whose parent chain loops back on itself (reported once per loop member)."""
    looped: set[str] = set()
    for start in parents:
        seen: list[str] = []
        code: str | None = start
        while code is not None and code in parents and code not in seen:
            seen.append(code)
            code = parents[code]
        if code is not None and code in seen:
            looped.update(seen[seen.index(code) :])
    return sorted(looped)


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """The taxonomy in a YAML file, by default the active project's (see
    :func:`curation.contracts.contract_path`: schemas/specialties.yaml, else the shipped one)."""
    return _load((path or contract_path(TAXONOMY)).resolve())


def project_taxonomy(root: Path | None) -> Taxonomy:
    """A project's schemas/specialties.yaml, else the one shipped with MedCurate."""
    return _load(contract_path(TAXONOMY, root).resolve())


@cache
def _load(path: Path) -> Taxonomy:
    return validate_config(Taxonomy, read_yaml(path), path)
