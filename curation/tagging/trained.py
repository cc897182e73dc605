"""The trained tagger: character n-gram TF-IDF + logistic regression (scikit-learn).

Learns from labeled items (a source's department labels mapped onto taxonomy codes, and
later physician-confirmed labels from review). Saved as one joblib artifact plus a JSON card
(version, classes, training size, library versions) so that DVC can track it.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from curation.script import to_mainland
from curation.tagging.base import TagPrediction, versioned_name
from curation.tagging.char_ngrams import CharWbCounter
from curation.taxonomy import Taxonomy, load_taxonomy

NAME = "specialty_tfidf_lr_v1"


def fold_text(text: str) -> str:
    """What the features see: lower case, a Traditional text in mainland Simplified words, so a
    model trained on one script reads the other (醫師 and 医师 give the same n-grams)."""
    return to_mainland(text).lower()


def build_pipeline(seed: int = 0) -> Pipeline:
    """Char 1-4-grams within word boundaries (works for Chinese and English) + multinomial LR."""
    return Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(1, 4),
                    sublinear_tf=True,
                    min_df=2,
                    max_features=300_000,
                    preprocessor=fold_text,
                ),
            ),
            ("clf", LogisticRegression(C=10.0, max_iter=3000, random_state=seed)),
        ]
    )


class TrainedTagger:
    """A fitted pipeline placing texts among the codes it was trained on.

    Its `name`, written into every item it tags, is ``specialty_tfidf_lr_v1+<digest>``: the
    digest of its code, of the model (the file it was loaded from or saved to) and of the
    taxonomy (departments and disease groups of its codes)."""

    def __init__(
        self,
        pipeline: Pipeline,
        taxonomy: Taxonomy | None = None,
        top_k: int = 3,
        meta=None,
        model_digest: str | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.taxonomy = taxonomy or load_taxonomy()
        self.top_k = top_k
        self.meta: dict[str, Any] = meta or {}
        self.model_digest = model_digest
        self._counter: CharWbCounter | None = None

    @property
    def name(self) -> str:
        if self.model_digest is None:  # fitted, not saved: the model as pickled
            self.model_digest = hashlib.sha256(pickle.dumps(self.pipeline)).hexdigest()
        return versioned_name(
            NAME, __name__, self.model_digest, self.taxonomy.digest(), f"top_k={self.top_k}"
        )

    @classmethod
    def fit(cls, texts: Sequence[str], codes: Sequence[str], seed: int = 0) -> TrainedTagger:
        """Train on texts labeled with taxonomy codes."""
        pipeline = build_pipeline(seed).fit(list(texts), list(codes))
        meta = {
            "tagger": NAME,
            "classes": [str(c) for c in pipeline.classes_],
            "n_train": len(texts),
            "sklearn": sklearn.__version__,
        }
        return cls(pipeline, meta=meta)

    def predict(
        self, texts: Sequence[str], languages: Sequence[str | None] | None = None
    ) -> list[TagPrediction]:
        """Top specialty with its probability, and the runners-up."""
        if not texts:
            return []
        probs = self.probabilities(texts)
        classes = self.pipeline.classes_
        out = []
        for row in probs:
            order = np.argsort(-row, kind="stable")[: self.top_k + 1]
            best = str(classes[order[0]])
            spec = self.taxonomy.by_code().get(best)
            out.append(
                TagPrediction(
                    specialty_code=best,
                    department_code=self.taxonomy.department_of(best) if spec else None,
                    disease_group=spec.icd11[0] if spec and spec.icd11 else None,
                    score=float(row[order[0]]),
                    alternatives=[(str(classes[i]), float(row[i])) for i in order[1:]],
                )
            )
        return out

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities (texts × classes), equal to the pipeline's ``predict_proba``;
        the n-grams are counted by :class:`CharWbCounter` when the vectorizer is char_wb."""
        vectorizer, classifier = self.pipeline.named_steps.values()
        if self._counter is None:
            if vectorizer.analyzer != "char_wb" or vectorizer.binary:
                return self.pipeline.predict_proba(list(texts))
            self._counter = CharWbCounter(
                vectorizer.vocabulary_, vectorizer.ngram_range, vectorizer.build_preprocessor()
            )
        counts = self._counter.counts(texts)
        # what TfidfVectorizer.transform does after counting: sublinear tf, idf, l2 norm
        return classifier.predict_proba(vectorizer._tfidf.transform(counts, copy=False))

    def save(self, path: Path) -> Path:
        """Write the model (joblib) and its card (<path>.json)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self.pipeline, path)
        self.model_digest = _file_digest(path)
        card = path.with_suffix(path.suffix + ".json")
        card.write_text(json.dumps(self.meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path) -> TrainedTagger:
        """Read a model written by :meth:`save`."""
        card = path.with_suffix(path.suffix + ".json")
        meta = json.loads(card.read_text(encoding="utf-8")) if card.is_file() else {}
        return cls(joblib.load(path), meta=meta, model_digest=_file_digest(path))


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
