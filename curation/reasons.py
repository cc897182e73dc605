"""Stable quarantine reason codes: one list for every stage.

A code, once released, never changes meaning; add a new code instead.
"""

from enum import StrEnum


class Reason(StrEnum):
    """Why a row was quarantined instead of kept."""

    # ingest: the raw row could not be read or mapped
    INVALID_ENCODING = "invalid_encoding"
    INVALID_JSON = "invalid_json"
    MALFORMED_ROW = "malformed_row"
    UNCLOSED_QUOTE = "unclosed_quote"
    INVALID_UNICODE = "invalid_unicode"
    DUPLICATE_KEY = "duplicate_key"
    UNPARSEABLE_OPTIONS = "unparseable_options"
    UNPARSEABLE_ANSWER = "unparseable_answer"
    UNPARSEABLE_DIALOGUE = "unparseable_dialogue"
    # item contract (curation.models): the mapped row is not a valid item
    MISSING_QUESTION = "missing_question"
    MISSING_ANSWER = "missing_answer"
    ANSWER_NOT_IN_OPTIONS = "answer_not_in_options"
    EMPTY_TEXT = "empty_text"
    INVALID_ITEM = "invalid_item"
    # deid: fail closed
    DEID_ERROR = "deid_error"
    DEID_TIMEOUT = "deid_timeout"
    RESIDUAL_PHI = "residual_phi"
    # validate: per-record rules beyond the item model
    TOO_MANY_OPTIONS = "too_many_options"
    TOO_FEW_OPTIONS = "too_few_options"
    TEXT_TOO_LONG = "text_too_long"
    TEXT_TOO_SHORT = "text_too_short"
    LANGUAGE_MISMATCH = "language_mismatch"
    # review: physicians' decisions
    REVIEW_REJECTED = "review_rejected"
    REVIEW_PHI_UNMAPPED = "review_phi_unmapped"  # PHI marked on a version of the text now gone
