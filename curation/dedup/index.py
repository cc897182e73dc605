"""A queryable near-duplicate index (contamination checks) and an n-gram overlap helper.

:class:`DedupIndex` holds the items of one dataset (say, every earlier release); querying it
with another frame lists the pairs (other item, indexed item, Jaccard) that the dedup stage
would call duplicates: same exact key, or an LSH candidate confirmed by its exact shingle
Jaccard and answer keys exactly as in the stage (:func:`curation.dedup.minhash.confirmed`).

:func:`ngram_overlap` is the classic 13-gram test: the share of one text's n-grams (words
for Latin text, characters where CJK appears) found in another.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Literal

import polars as pl

from curation.dedup.minhash import (
    DedupParams,
    DedupSettings,
    confirmed,
    item_shingles,
    new_lsh,
    signatures,
)
from curation.dedup.text import (
    DedupRecord,
    exact_key,
    is_cjk_text,
    jaccard,
    normalize_for_dedup,
    records_from_frame,
)

Unit = Literal["auto", "word", "char"]
_HAS_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


class DedupIndex:
    """Near-duplicate index over items, built from one frame and queried with another."""

    def __init__(self, settings: DedupSettings | None = None) -> None:
        self.settings: DedupSettings = settings or DedupParams()
        self._lsh = new_lsh(self.settings.lsh_threshold, self.settings.num_perm)
        self._ids: list[str] = []
        self._shingles: list[set[str]] = []
        self._answers: list[frozenset[str]] = []
        self._cjk: list[bool] = []
        self._exact: dict[str, list[int]] = defaultdict(list)

    @classmethod
    def build(
        cls, frame: pl.LazyFrame | pl.DataFrame, settings: DedupSettings | None = None
    ) -> DedupIndex:
        """An index over the items of a frame (item_id plus the item text columns)."""
        index = cls(settings)
        index.add_records(records_from_frame(frame))
        return index

    def __len__(self) -> int:
        return len(self._ids)

    def add_records(self, records: Sequence[DedupRecord]) -> None:
        """Add records to the index (records with an empty text are kept but never match)."""
        sets = [item_shingles(r.text, self.settings) for r in records]
        live = [k for k, sh in enumerate(sets) if sh]
        sigs = signatures((sets[k] for k in live), self.settings.num_perm)
        start = len(self._ids)
        self._ids.extend(r.item_id for r in records)
        self._shingles.extend(sets)
        self._answers.extend(frozenset({r.answer} - {""}) for r in records)
        self._cjk.extend(is_cjk_text(r.text) for r in records)
        for k in live:
            self._exact[exact_key(records[k].text)].append(start + k)
        with self._lsh.insertion_session() as session:
            for k, sig in zip(live, sigs, strict=True):
                session.insert(start + k, sig, check_duplication=False)

    def query_records(self, records: Sequence[DedupRecord]) -> list[tuple[str, str, float]]:
        """(query item_id, indexed item_id, jaccard) for every confirmed duplicate, sorted."""
        sets = [item_shingles(r.text, self.settings) for r in records]
        live = [k for k, sh in enumerate(sets) if sh]
        sigs = signatures((sets[k] for k in live), self.settings.num_perm)
        found: set[tuple[str, str, float]] = set()
        for k, sig in zip(live, sigs, strict=True):
            exact = self._exact.get(exact_key(records[k].text), [])
            for pos in exact:
                found.add((records[k].item_id, self._ids[pos], 1.0))
            for pos in set(self._lsh.query(sig)).difference(exact):
                score = jaccard(sets[k], self._shingles[pos])
                answer = frozenset({records[k].answer} - {""})
                cjk = self._cjk[pos] and is_cjk_text(records[k].text)
                if not confirmed(score, answer, self._answers[pos], self.settings, cjk):
                    continue
                found.add((records[k].item_id, self._ids[pos], round(score, 6)))
        return sorted(found)

    def near_duplicates(
        self, other_frame: pl.LazyFrame | pl.DataFrame
    ) -> list[tuple[str, str, float]]:
        """(other item_id, indexed item_id, jaccard) for the other frame's duplicates, sorted."""
        return self.query_records(records_from_frame(other_frame))


def ngrams(text: str, n: int = 13, unit: Unit = "auto") -> set[tuple[str, ...]]:
    """Word or character n-grams of a dedup-normalized text (a shorter text is one n-gram)."""
    norm = normalize_for_dedup(text)
    if unit == "auto":
        unit = "char" if _HAS_CJK.search(norm) else "word"
    seq: list[str] = list(norm.replace(" ", "")) if unit == "char" else norm.split()
    if len(seq) < n:
        return {tuple(seq)} if seq else set()
    return {tuple(seq[i : i + n]) for i in range(len(seq) - n + 1)}


def ngram_overlap(a: str, b: str, n: int = 13, unit: Unit = "auto") -> float:
    """Share of a's n-grams that also occur in b (0.0 when a has none).

    ``unit="auto"`` uses characters when either text holds CJK, else words; both texts are
    normalized as for dedup (width, case, punctuation, spacing do not count).
    """
    if unit == "auto":
        unit = "char" if _HAS_CJK.search(a) or _HAS_CJK.search(b) else "word"
    grams_a = ngrams(a, n, unit)
    if not grams_a:
        return 0.0
    return len(grams_a & ngrams(b, n, unit)) / len(grams_a)
