"""The tagger's n-gram counter equals scikit-learn's char_wb vectorizer, text for text."""

from __future__ import annotations

import random

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from curation.tagging.char_ngrams import CharWbCounter
from curation.tagging.trained import TrainedTagger, fold_text
from tests.test_tagging import PINNED

# letters of both scripts, digits, punctuation, and every kind of space str.split() splits on
# (tab, newline, no-break, ideographic, the ASCII separators 0x1c–0x1f) besides the plain one
ALPHABET = [*"abcXYZ019.,;-'胸痛心肌梗死醫師臺北咳嗽", "😷", "e\u0301"]
SPACES = [" ", "  ", "\t", "\n", "\r\n", "\xa0", "\u3000", "\x1c", "\x1f", "\u2028"]


def random_text(rng: random.Random) -> str:
    """Words of 0–6 characters (a one-character word has no 4-gram) between runs of spaces."""
    parts = []
    for _ in range(rng.randint(0, 12)):
        parts.append("".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 6))))
        parts.append(rng.choice(SPACES))
    return "".join(parts) if rng.random() > 0.1 else rng.choice(["", " ", "\t\n"])


def test_counts_equal_scikit_learns_char_wb_counts() -> None:
    rng = random.Random(7)
    texts = [random_text(rng) for _ in range(600)]
    reference = CountVectorizer(
        analyzer="char_wb", ngram_range=(1, 4), preprocessor=fold_text, dtype=np.float64
    )
    reference.fit(texts[:400])  # the rest holds n-grams out of the vocabulary
    expected = reference.transform(texts)
    counter = CharWbCounter(reference.vocabulary_, (1, 4), fold_text)
    counted = counter.counts(texts)
    assert counted.shape == expected.shape and counted.dtype == expected.dtype
    assert counted.has_sorted_indices
    assert np.array_equal(counted.indptr, expected.indptr)
    assert np.array_equal(counted.indices, expected.indices)
    assert np.array_equal(counted.data, expected.data)
    assert counted.nnz > 5000  # the texts are not trivially empty


def test_trained_tagger_probabilities_are_the_pipelines() -> None:
    texts = [t for t, _, _ in PINNED] * 3
    codes = [c for _, _, c in PINNED] * 3
    model = TrainedTagger.fit(texts, codes)
    rng = random.Random(3)
    unseen = [random_text(rng) for _ in range(50)] + [t[::-1] for t, _, _ in PINNED]
    for batch in (texts, unseen, unseen[:1]):
        assert np.array_equal(model.probabilities(batch), model.pipeline.predict_proba(batch))


def test_counts_of_long_and_no_texts() -> None:
    """Texts longer than one counting pass, and a batch of none."""
    texts = ["胸痛 " * 40_000, "cough fever " * 20_000, "", "ab"]
    reference = CountVectorizer(
        analyzer="char_wb", ngram_range=(1, 4), preprocessor=fold_text, dtype=np.float64
    ).fit(texts)
    counter = CharWbCounter(reference.vocabulary_, (1, 4), fold_text)
    assert (counter.counts(texts) != reference.transform(texts)).nnz == 0
    assert counter.counts([]).shape == (0, len(reference.vocabulary_))
