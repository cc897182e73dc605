"""What a task is made of, in codes every part of MedCurate shares.

The families are MedS-Bench's eleven task families (its ``Categories`` names in
:data:`FAMILY_NAMES`); output types decide how physicians review an instance and how it is
scored; :data:`RELEASE_COLUMNS` are the columns of a released task config (``task_<id>``).
"""

from __future__ import annotations

from enum import StrEnum


class Family(StrEnum):
    """MedS-Bench's task families."""

    MCQ = "mcq"
    SUMMARIZATION = "summarization"
    INFORMATION_EXTRACTION = "information_extraction"
    EXPLANATION = "explanation"
    NER = "ner"
    DIAGNOSIS = "diagnosis"
    TREATMENT_PLANNING = "treatment_planning"
    OUTCOME_PREDICTION = "outcome_prediction"
    TEXT_CLASSIFICATION = "text_classification"
    FACT_VERIFICATION = "fact_verification"
    NLI = "nli"


FAMILY_NAMES: dict[str, str] = {
    Family.MCQ: "Multi-choice Question Answering",
    Family.SUMMARIZATION: "Text Summarization",
    Family.INFORMATION_EXTRACTION: "Information Extraction",
    Family.EXPLANATION: "Explanation and Rationale",
    Family.NER: "Named Entity Recognition",
    Family.DIAGNOSIS: "Diagnosis",
    Family.TREATMENT_PLANNING: "Treatment Planning",
    Family.OUTCOME_PREDICTION: "Clinical Outcome Prediction",
    Family.TEXT_CLASSIFICATION: "Text Classification",
    Family.FACT_VERIFICATION: "Fact Verification",
    Family.NLI: "Natural Language Inference",
}
"""Family code → the family's name as MedS-Bench writes it (its files' ``Categories``)."""


class OutputType(StrEnum):
    """What an answer is: how it is reviewed, stored and scored."""

    FREE_TEXT = "free_text"  # reference: the text
    LABEL = "label"  # reference: one of `labels`
    SPANS = "spans"  # reference: JSON list of {"start", "end", "label", "text"} over the input
    FIELDS = "fields"  # reference: JSON object valid against the task's JSON Schema


class Scoring(StrEnum):
    """The metric a release advertises for a task."""

    EXACT_MATCH = "exact_match"
    ACCURACY = "accuracy"
    F1 = "f1"  # spans: span-level F1; fields: F1 over (field, value) pairs
    ROUGE_L = "rouge_l"  # character-level for zh, word-level for en
    JUDGE = "judge"  # a judge model or physicians grade the answer


TASK_CONFIG_PREFIX = "task_"
"""A task's release config is ``task_<task id>`` (item configs are ``<kind>_<language>``)."""

RELEASE_COLUMNS: dict[str, str] = {
    "instance_id": "public id of the instance (a hash of item and task, salted)",
    "item_id": "public id of the item it was built from",
    "cluster_id": "public id of that item's duplicate cluster",
    "split": "train | dev | test (the item's split)",
    "task": "task id from tasks.yaml",
    "family": "one of Family",
    "dimension": "MLB dimension, or null",
    "language": "zh | en",
    "instruction": "what the model is asked to do, in the instance's language",
    "input": "the text the model reads",
    "reference": "the reference answer (text; label; JSON for spans and fields)",
    "output_type": "one of OutputType",
    "labels": "the label list (label tasks) or span types (span tasks); [] otherwise",
    "output_schema": "JSON Schema of the answer (fields tasks); '' otherwise",
    "scoring": "one of Scoring",
    "reference_origin": "derived (from the source) | authored (by physicians)",
    "source": "source name",
    "license": "SPDX id",
    "specialty_code": "the item's specialty code, or null",
}
"""Columns of a released task config, in order, with what they hold."""
