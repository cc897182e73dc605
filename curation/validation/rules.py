"""Per-record rules beyond the item model: option counts, text lengths, language script.

Each rule is a pair of polars expressions over item rows, ``reason`` and ``detail``, both null
where the row passes. :func:`verdict` folds rules, in priority order, into the first failure of
each row. The item model's own rules (kind rules such as ``missing_question``) come first, via
:func:`curation.stages.base.validate_items_expr` (pydantic, one call per row); everything else
is vectorized. A detail names the field and the rule with counts, never the record's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, model_validator

from curation.models import Language

MODEL_VERDICT = "_model_verdict"
"""Column holding the item model's {reason, detail} struct (see :func:`model_rule`)."""


class ValidateReason(StrEnum):  # mirrors the validate codes of curation.reasons.Reason
    """Quarantine reasons of the validate stage (mirrored in :class:`curation.reasons.Reason`)."""

    TOO_MANY_OPTIONS = "too_many_options"
    TOO_FEW_OPTIONS = "too_few_options"
    TEXT_TOO_LONG = "text_too_long"
    TEXT_TOO_SHORT = "text_too_short"
    LANGUAGE_MISMATCH = "language_mismatch"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MaxChars(_Frozen):
    """Longest text allowed per field, in characters (code points)."""

    question: int = Field(default=4000, ge=1)
    context: int = Field(default=60000, ge=1)
    option: int = Field(default=1000, ge=1, description="Each option's text.")
    answer_text: int = Field(default=20000, ge=1)
    explanation: int = Field(default=20000, ge=1)


class MinChars(_Frozen):
    """Shortest text allowed per field when present, in characters after trimming whitespace."""

    question: int = Field(default=4, ge=0)
    context: int = Field(default=10, ge=0)


class QuantileRanges(_Frozen):
    """Bounds for quantiles of a length column, in Great Expectations' `quantile_ranges` shape."""

    quantiles: list[float] = Field(min_length=1)
    value_ranges: list[tuple[float | None, float | None]] = Field(
        min_length=1, description="[min, max] per quantile; null means unbounded."
    )

    @model_validator(mode="after")
    def _check(self) -> QuantileRanges:
        if len(self.quantiles) != len(self.value_ranges):
            raise ValueError("quantiles and value_ranges must have the same length")
        if any(not 0 <= q <= 1 for q in self.quantiles):
            raise ValueError("quantiles must lie in [0, 1]")
        return self


def _question_quantiles() -> QuantileRanges:
    return QuantileRanges(
        quantiles=[0.05, 0.5, 0.95], value_ranges=[(4, None), (8, 2000), (None, 4000)]
    )


def _context_quantiles() -> QuantileRanges:
    return QuantileRanges(
        quantiles=[0.05, 0.5, 0.95], value_ranges=[(10, None), (20, 30000), (None, 60000)]
    )


class LengthQuantiles(_Frozen):
    """Dataset-level bounds on the length distribution of the main texts (kept rows)."""

    question_chars: QuantileRanges = Field(default_factory=_question_quantiles)
    context_chars: QuantileRanges = Field(default_factory=_context_quantiles)


class ValidateConfig(_Frozen):
    """Parameters of the validate stage (params.yaml, section `validate`)."""

    min_options: int = Field(default=2, ge=2, description="Fewest options an MCQ may have.")
    max_options: int = Field(default=10, ge=2, description="Most options an MCQ may have.")
    max_chars: MaxChars = Field(default_factory=MaxChars)
    min_chars: MinChars = Field(default_factory=MinChars)
    language_min_share: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="Least share of letters in the declared language's script (zh Han, en Latin).",
    )
    language_min_letters: int = Field(
        default=20, ge=1, description="Records with fewer letters are not judged on language."
    )
    max_answer_letter_share: float = Field(
        default=0.5, gt=0, le=1, description="Most MCQs of a source that one answer label may have."
    )
    answer_share_min_items: int = Field(
        default=20, ge=1, description="Sources with fewer MCQs are not judged on answer shares."
    )
    min_rows: int = Field(
        default=1, ge=0, description="Fewest rows the validated dataset may have."
    )
    length_quantiles: LengthQuantiles = Field(default_factory=LengthQuantiles)

    @model_validator(mode="after")
    def _check(self) -> ValidateConfig:
        if self.min_options > self.max_options:
            raise ValueError("min_options must not exceed max_options")
        return self


# The script each language's letters are written in (polars / Rust regex Unicode classes).
SCRIPTS: dict[str, tuple[str, str]] = {
    Language.ZH.value: ("Han", r"\p{Han}"),
    Language.EN.value: ("Latin", r"\p{Latin}"),
}
LONG_FIELDS = ("question", "context", "answer_text", "explanation")
SHORT_FIELDS = ("question", "context")


@dataclass(frozen=True)
class Rule:
    """One per-record rule: a reason code and a detail per row, both null where the row passes."""

    name: str
    reason: pl.Expr
    detail: pl.Expr

    @classmethod
    def when(cls, name: str, failed: pl.Expr, reason: str, detail: pl.Expr) -> Rule:
        """A rule with a fixed reason: fails where `failed` is true (null counts as a pass)."""
        return cls(
            name,
            pl.when(failed).then(pl.lit(reason)).otherwise(pl.lit(None, pl.String)),
            pl.when(failed).then(detail.fill_null(pl.lit(name))).otherwise(pl.lit(None, pl.String)),
        )


def model_rule() -> Rule:
    """The item model's verdict, computed beforehand into :data:`MODEL_VERDICT`."""
    verdict = pl.col(MODEL_VERDICT)
    return Rule("model", verdict.struct.field("reason"), verdict.struct.field("detail"))


def option_count_rules(config: ValidateConfig) -> list[Rule]:
    """MCQs with more than `max_options` or fewer than `min_options` options."""
    n = pl.col("options").list.len()
    mcq = pl.col("kind") == "mcq"
    return [
        Rule.when(
            "max_options",
            mcq & (n > config.max_options),
            ValidateReason.TOO_MANY_OPTIONS,
            pl.format(f"options: {{}} options > max_options {config.max_options}", n),
        ),
        Rule.when(
            "min_options",
            mcq & (n < config.min_options),
            ValidateReason.TOO_FEW_OPTIONS,
            pl.format(f"options: {{}} options < min_options {config.min_options}", n),
        ),
    ]


def _option_texts() -> pl.Expr:
    return pl.col("options").list.eval(pl.element().struct.field("text"))


def length_rules(config: ValidateConfig) -> list[Rule]:
    """Texts longer than `max_chars` (every field, each option), then shorter than `min_chars`."""
    rules = []
    for field in LONG_FIELDS:
        limit = getattr(config.max_chars, field)
        n = pl.col(field).str.len_chars()
        rules.append(
            Rule.when(
                f"max_chars.{field}",
                n > limit,
                ValidateReason.TEXT_TOO_LONG,
                pl.format(f"{field}: {{}} chars > max_chars.{field} {limit}", n),
            )
        )
    longest = _option_texts().list.eval(pl.element().str.len_chars()).list.max()
    limit = config.max_chars.option
    rules.insert(
        1 + LONG_FIELDS.index("context"),
        Rule.when(
            "max_chars.option",
            longest > limit,
            ValidateReason.TEXT_TOO_LONG,
            pl.format(f"options: longest option {{}} chars > max_chars.option {limit}", longest),
        ),
    )
    for field in SHORT_FIELDS:
        limit = getattr(config.min_chars, field)
        n = pl.col(field).str.strip_chars().str.len_chars()
        rules.append(
            Rule.when(
                f"min_chars.{field}",
                n < limit,
                ValidateReason.TEXT_TOO_SHORT,
                pl.format(f"{field}: {{}} chars < min_chars.{field} {limit}", n),
            )
        )
    return rules


def record_text() -> pl.Expr:
    """Every text of a record joined by newlines: fields, then option texts."""
    return pl.concat_str(
        [*(pl.col(f) for f in LONG_FIELDS), _option_texts().list.join("\n")],
        separator="\n",
        ignore_nulls=True,
    )


def script_share() -> tuple[pl.Expr, pl.Expr]:
    """(letters, share of them in the declared language's script) per record."""
    text = record_text()
    letters = text.str.count_matches(r"\p{L}")
    in_script = pl.lit(None, pl.UInt32)
    for language, (_, pattern) in reversed(SCRIPTS.items()):
        in_script = (
            pl.when(pl.col("language") == language)
            .then(text.str.count_matches(pattern))
            .otherwise(in_script)
        )
    return letters, in_script / letters


def language_rule(config: ValidateConfig) -> Rule:
    """Records whose letters are mostly not in the declared language's script."""
    letters, share = script_share()
    script = pl.col("language").replace_strict(
        {lang: name for lang, (name, _) in SCRIPTS.items()}, default=None, return_dtype=pl.String
    )
    percent = (share * 100).round(0).cast(pl.Int64)
    need = round(config.language_min_share * 100)
    return Rule.when(
        "language_min_share",
        (letters >= config.language_min_letters) & (share < config.language_min_share),
        ValidateReason.LANGUAGE_MISMATCH,
        pl.format(
            f"language: {{}}% of {{}} letters are {{}}, declared {{}} needs "
            f">= {need}% (language_min_share)",
            percent,
            letters,
            script,
            pl.col("language"),
        ),
    )


def record_rules(config: ValidateConfig) -> list[Rule]:
    """Every per-record rule in priority order: model, option counts, lengths, language."""
    return [model_rule(), *option_count_rules(config), *length_rules(config), language_rule(config)]


def verdict(rules: list[Rule]) -> tuple[pl.Expr, pl.Expr]:
    """(reason, detail) of the first rule each row fails; nulls where it passes them all."""
    return pl.coalesce([r.reason for r in rules]), pl.coalesce([r.detail for r in rules])
