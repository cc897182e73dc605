"""The canonical benchmark item: the one record contract of MedCurate.

Every stage reads and writes rows of this shape. `schemas/item.schema.json` is generated
from :class:`Item` (``curate schema``) and the polars schema is derived from it
(:func:`curation.schema.polars_schema`), so the contract is written exactly once.

Kind-specific rules live in :meth:`Item.check_kind_rules`; their error types are the
stable quarantine reason codes of :class:`curation.reasons.Reason`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from curation.reasons import Reason

SCHEMA_VERSION = "1.0.0"
HASH_PATTERN = r"^[0-9a-f]{16}$"


class Kind(StrEnum):
    """What task an item poses. Extend by adding a member (and its rules below)."""

    MCQ = "mcq"
    OPEN_QA = "open_qa"
    RECORD = "record"
    DIALOGUE = "dialogue"
    EXTRACTION = "extraction"
    SUMMARIZATION = "summarization"


class Dimension(StrEnum):
    """The MLB benchmark's five evaluation dimensions."""

    MED_KQA = "MedKQA"
    MED_SE = "MedSE"
    MED_RU = "MedRU"
    SMART_SERV = "SmartServ"
    SMART_CARE = "SmartCare"


class Language(StrEnum):
    """Item language (ISO 639-1)."""

    ZH = "zh"
    EN = "en"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Frozen):
    """One answer option of a multiple-choice question, in display order."""

    label: str = Field(min_length=1, max_length=4, description="Option label, e.g. 'A'.")
    text: str = Field(min_length=1, description="Option text.")


class Turn(_Frozen):
    """One turn of a dialogue."""

    speaker: str = Field(min_length=1, description="Speaker as written, e.g. '患者' or 'Doctor'.")
    text: str = Field(description="What the speaker said.")


class SourceLabel(_Frozen):
    """A label carried over from the source (e.g. its department column)."""

    name: str
    value: str


class Provenance(_Frozen):
    """Where an item came from. Not part of any hash."""

    file: str = Field(description="Raw file path, relative to the project root.")
    row: int = Field(ge=1, description="1-based record number in that file (header excluded).")
    ingested_at: datetime | None = Field(
        default=None,
        description="Set only from SOURCE_DATE_EPOCH, so that reruns stay byte-identical.",
    )


class PhiCount(_Frozen):
    """How many PHI spans of one category de-identification replaced (no values)."""

    category: str
    count: int = Field(ge=0)


class PhiMark(_Frozen):
    """Where a replacement sits in the de-identified text (offsets only, never the value)."""

    field: str = Field(
        description="'question', 'context', 'answer_text', 'explanation', "
        "'options.<i>' or 'turns.<i>'."
    )
    start: int = Field(ge=0, description="Code-point offset of the replacement in that field.")
    end: int = Field(ge=0, description="End offset (exclusive).")
    category: str


class PhiSummary(_Frozen):
    """Per-record de-identification summary, filled by the deid stage."""

    deid_version: str
    counts: list[PhiCount] = Field(default_factory=list)
    marks: list[PhiMark] = Field(
        default_factory=list, description="Replacements in the output, shown to reviewers."
    )


class TagAlternative(_Frozen):
    """A runner-up specialty suggestion shown to reviewers."""

    code: str
    score: float


class Tags(_Frozen):
    """Clinical placement, filled by the tag stage."""

    tagger: str = Field(description="Versioned tagger name, e.g. 'specialty_lexicon_v1'.")
    specialty_code: str | None = None
    department_code: str | None = None
    disease_group: str | None = None
    score: float = 0.0
    alternatives: list[TagAlternative] = Field(default_factory=list)
    needs_review: bool = False


class ReviewLabel(_Frozen):
    """What one physician said about an item (comments and edited text stay in the snapshot)."""

    annotator: str = Field(description="The physician's Label Studio account (email).")
    role: str = Field(description="reviewer | adjudicator")
    verdict: str | None = None
    specialty_code: str | None = None
    answer_labels: list[str] = Field(default_factory=list)
    difficulty: int | None = None
    discipline: str | None = Field(
        None, description="Medical discipline as given (CMExam; schemas/exam_annotations.yaml)."
    )
    competency: str | None = Field(
        None, description="Area of competency as given (CMExam; schemas/exam_annotations.yaml)."
    )
    reject_reasons: list[str] = Field(default_factory=list)
    phi_marks: int = Field(0, ge=0, description="Spans they marked as missed PHI.")
    edited: bool = False


class Review(_Frozen):
    """Physicians' review of an item, filled by the review merge stage."""

    status: str = Field(description="final | pending | needs_adjudication")
    decision: str | None = Field(None, description="accept | accept_with_edits | reject")
    resolution: str | None = Field(None, description="unanimous | majority | adjudicated")
    annotations: int = Field(ge=0, description="How many physician annotations were made.")
    specialty_code: str | None = None
    answer_labels: list[str] = Field(default_factory=list)
    difficulty: int | None = None
    discipline: str | None = Field(
        None, description="Medical discipline code of an MCQ (CMExam), e.g. clinical_medicine."
    )
    competency: str | None = Field(
        None, description="Area of competency code of an MCQ (CMExam), e.g. diagnosis."
    )
    reject_reasons: list[str] = Field(default_factory=list)
    disagreements: list[str] = Field(default_factory=list)
    labels: list[ReviewLabel] = Field(default_factory=list)


class Item(_Frozen):
    """One benchmark item, from ingest to release."""

    SCHEMA_VERSION: ClassVar[str] = SCHEMA_VERSION

    item_id: str = Field(
        pattern=HASH_PATTERN, description="Stable hash of (source, source_record_key)."
    )
    content_hash: str = Field(
        pattern=HASH_PATTERN, description="Hash of the normalized content, for exact dedup."
    )
    source: str = Field(min_length=1, description="Source name from sources.yaml.")
    source_record_key: str = Field(
        min_length=1, description="The record's key in its source (its id, else its row)."
    )
    kind: Kind
    dimension: Dimension | None = None
    language: Language
    question: str | None = None
    context: str | None = Field(
        default=None, description="Case, record or dialogue text the question is about."
    )
    options: list[Option] = Field(default_factory=list)
    answer_labels: list[str] = Field(
        default_factory=list, description="Correct option label(s) of an MCQ."
    )
    answer_text: str | None = Field(default=None, description="Free-text reference answer.")
    explanation: str | None = None
    turns: list[Turn] = Field(default_factory=list, description="Dialogue turns, if any.")
    source_labels: list[SourceLabel] = Field(default_factory=list)
    license: str = Field(min_length=1, description="SPDX identifier of the source's license.")
    provenance: Provenance
    phi: PhiSummary | None = None
    tags: Tags | None = None
    cluster_id: str | None = Field(default=None, description="Duplicate cluster (dedup stage).")
    review: Review | None = None

    @model_validator(mode="after")
    def check_kind_rules(self) -> Item:
        """Rules every item of its kind must satisfy; error types are quarantine reasons."""
        for rule in _KIND_RULES.get(self.kind, ()):
            rule(self)
        return self


def _fail(reason: Reason, message: str, **ctx: object) -> None:
    raise PydanticCustomError(reason.value, message, ctx or None)


def _needs_question(item: Item) -> None:
    if not item.question:
        _fail(Reason.MISSING_QUESTION, "the question text is empty")


def _needs_options(item: Item) -> None:
    labels = [o.label for o in item.options]
    if len(labels) < 2:
        _fail(
            Reason.UNPARSEABLE_OPTIONS, "an MCQ needs at least 2 options, found {n}", n=len(labels)
        )
    if len(set(labels)) != len(labels):
        _fail(Reason.UNPARSEABLE_OPTIONS, "option labels repeat: {labels}", labels=",".join(labels))


def _needs_answer_among_options(item: Item) -> None:
    if not item.answer_labels:
        _fail(Reason.MISSING_ANSWER, "the answer is empty")
    labels = {o.label for o in item.options}
    missing = [a for a in item.answer_labels if a not in labels]
    if missing:
        _fail(
            Reason.ANSWER_NOT_IN_OPTIONS,
            "answer label(s) {missing} not among options {labels}",
            missing=",".join(missing),
            labels=",".join(o.label for o in item.options),
        )


def _needs_answer_text(item: Item) -> None:
    if not item.answer_text:
        _fail(Reason.MISSING_ANSWER, "the reference answer is empty")


def _needs_context(item: Item) -> None:
    if not item.context:
        _fail(Reason.EMPTY_TEXT, "the text is empty")


def _needs_turns(item: Item) -> None:
    if not item.turns:
        _fail(Reason.UNPARSEABLE_DIALOGUE, "no speaker turns found")


_KIND_RULES = {
    Kind.MCQ: (_needs_question, _needs_options, _needs_answer_among_options),
    Kind.OPEN_QA: (_needs_question, _needs_answer_text),
    Kind.RECORD: (_needs_context,),
    Kind.DIALOGUE: (_needs_context, _needs_turns),
    Kind.EXTRACTION: (_needs_context,),
    Kind.SUMMARIZATION: (_needs_context,),
}
