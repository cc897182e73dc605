"""Specialty tagging: place each item in the clinical specialty map (schemas/specialties.yaml).

Two taggers behind one interface (:class:`curation.tagging.base.Tagger`), registered under
versioned names: a cold-start lexicon tagger that needs no training data, and a trained
TF-IDF + linear model that learns from labeled items.
"""

from curation.tagging.base import Tagger, TagPrediction, item_text
from curation.tagging.registry import get_tagger

__all__ = ["TagPrediction", "Tagger", "get_tagger", "item_text"]
