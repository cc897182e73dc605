"""Near-duplicate machinery: text normalization, MinHash/LSH clustering, a queryable index.

Used by the dedup stage (:mod:`curation.stages.dedup`) within one dataset, and meant for the
release stage to check a new dataset against earlier releases (contamination):

* :mod:`curation.dedup.text` — the text two items are compared on, its shingles, exact keys;
* :mod:`curation.dedup.signatures` — MinHash signatures and LSH candidate pairs as numpy
  arrays, equal to datasketch's;
* :mod:`curation.dedup.facts` — what clustering keeps of each item (no text), read a slice at
  a time, and the texts of candidates re-read on demand;
* :mod:`curation.dedup.minhash` — exact groups, LSH candidates confirmed by exact Jaccard,
  union-find clusters with a deterministic representative and cluster id, in bounded memory;
* :mod:`curation.dedup.index` — :class:`DedupIndex` (build from one frame, query with another)
  and :func:`ngram_overlap` (13-gram overlap for a contamination gate).
"""

from curation.dedup.index import DedupIndex, ngram_overlap
from curation.dedup.minhash import Assignment, DedupRecord, cluster_records
from curation.dedup.text import dedup_text, exact_key, shingles

__all__ = [
    "Assignment",
    "DedupIndex",
    "DedupRecord",
    "cluster_records",
    "dedup_text",
    "exact_key",
    "ngram_overlap",
    "shingles",
]
