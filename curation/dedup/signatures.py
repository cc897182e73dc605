"""MinHash signatures and LSH candidate pairs as numpy arrays, identical to datasketch's.

A signature row is what ``datasketch.MinHash(num_perm, seed=MINHASH_SEED,
scheme=MINHASH_SCHEME, hashfunc=sha1_hash32)`` holds in ``hashvalues`` after ``update`` with
each shingle's UTF-8 bytes: SHA-1 → its first 4 bytes as a little-endian uint32 → the
MurmurHash3 32-bit finalizer → ``a_k * h + b_k mod 2^32`` with datasketch's permutations for
that seed → the minimum per permutation (``2^32 - 1`` everywhere for an empty set). Here many
sets are computed at once, one ``uint32`` row each (4 bytes per permutation, no objects).

:func:`candidate_pairs` gives the pairs ``datasketch.MinHashLSH(threshold, num_perm)`` would
return: its ``b`` bands of ``r`` values (:func:`lsh_shape`), and two rows are candidates when
every value of one band is equal. Each band is sorted (``np.lexsort``), so rows with an equal
band sit next to each other: no hash tables, no hashing of band values, exact equality.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from functools import cache

import numpy as np
from datasketch import MinHash, MinHashLSH

MINHASH_SEED = 1
MINHASH_SCHEME = "affine32"
EMPTY_VALUE = np.uint32(0xFFFFFFFF)  # datasketch's value for an empty set
CHUNK_SHINGLES = 1 << 16  # shingles per permutation block (x num_perm uint32: 32 MB at 128)
MERGE_PAIRS = 1 << 20  # pair codes of later bands held (at least) before merging (8 MB)
PairFilter = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""(rows i, rows j) of candidate pairs, i < j → a bool mask of the pairs worth keeping."""
_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35))


@cache
def permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutation parameters (a, b) for MINHASH_SEED, as uint32."""
    a, b = MinHash(num_perm=num_perm, seed=MINHASH_SEED, scheme=MINHASH_SCHEME).permutations
    return a.astype(np.uint32), b.astype(np.uint32)


@cache
def lsh_shape(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band) that MinHashLSH picks for a threshold (equal FP/FN weights)."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


def shingle_hashes(sets: Iterable[Collection[str]]) -> list[np.ndarray]:
    """datasketch's sha1_hash32 of each shingle's UTF-8 bytes, one uint32 array per set (in
    its iteration order), for sets taken one at a time (a generator holds one set at once).

    A shingle found in several sets is hashed once: texts of a batch share most of theirs
    (2-6% of a batch's shingles are distinct in the synthetic mix, 3% in MTSamples notes, 57%
    in CMExam questions). What is kept is one 4-byte digest per distinct shingle."""
    sha1 = hashlib.sha1
    digest: dict[str, bytes] = {}
    out = []
    for shingles in sets:
        for shingle in set(shingles).difference(digest):  # looks each one up in the dict
            digest[shingle] = sha1(shingle.encode("utf-8")).digest()[:4]
        flat = b"".join(map(digest.__getitem__, shingles))
        out.append(np.frombuffer(flat, dtype="<u4"))
    return out


def fmix32(hv: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (datasketch's pre-mix), element-wise, wrapping."""
    s1, m1, s2, m2 = _FMIX
    hv = hv ^ (hv >> s1)
    hv = hv * m1
    hv = hv ^ (hv >> s2)
    hv = hv * m2
    return hv ^ (hv >> s1)


def _blocks(lengths: np.ndarray, limit: int) -> Iterator[tuple[int, int]]:
    """Consecutive [start, end) row ranges holding at most `limit` shingles (or one row)."""
    ends = np.cumsum(lengths)
    start, done = 0, 0
    while start < len(lengths):
        end = max(int(np.searchsorted(ends, done + limit, side="right")), start + 1)
        yield start, end
        start, done = end, int(ends[end - 1])


def minhash_matrix(hashes: Sequence[np.ndarray], num_perm: int) -> np.ndarray:
    """Signatures (len(hashes) x num_perm, uint32) of sets given by their shingle hashes."""
    a, b = permutations(num_perm)
    out = np.full((len(hashes), num_perm), EMPTY_VALUE, dtype=np.uint32)
    lengths = np.fromiter((len(h) for h in hashes), dtype=np.int64, count=len(hashes))
    for start, end in _blocks(lengths, CHUNK_SHINGLES):
        rows = start + np.flatnonzero(lengths[start:end])
        if not len(rows):
            continue
        hv = fmix32(np.concatenate([hashes[i] for i in rows]))
        offsets = np.concatenate(([0], np.cumsum(lengths[rows])[:-1]))
        permuted = np.multiply.outer(a, hv)  # one row per permutation: reduceat runs along
        permuted += b[:, None]  # rows (5x faster); uint32 wraps around, as affine32 does
        out[rows] = np.minimum.reduceat(permuted, offsets, axis=1).T
    return out


def _pairs_within_runs(
    members: np.ndarray, run: np.ndarray, n: int, keep: PairFilter | None = None
) -> np.ndarray:
    """Codes i * n + j (i < j) of all pairs of members sharing a run (runs contiguous), less
    those `keep` rejects (applied as the pairs are made, so that rejected ones never pile up)."""
    size = np.bincount(run)[run]
    live = size > 1
    members, run, size = members[live], run[live], size[live]
    found = []
    step = 1
    while len(members) > step:
        same = run[step:] == run[:-step]
        lo, hi = members[:-step][same], members[step:][same]
        i, j = np.minimum(lo, hi), np.maximum(lo, hi)
        if keep is not None and len(i):
            wanted = keep(i, j)
            i, j = i[wanted], j[wanted]
        found.append(i * n + j)
        step += 1
        longer = size > step
        if not longer.all():  # runs with no pair this far apart: drop them
            members, run, size = members[longer], run[longer], size[longer]
    return np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)


def band_pairs(band: np.ndarray, keep: PairFilter | None = None) -> np.ndarray:
    """Codes i * n + j (i < j) of the rows of an (n x r) band whose values are all equal (and
    that `keep` keeps)."""
    n = len(band)
    if n < 2:
        return np.empty(0, dtype=np.int64)
    order = np.lexsort(band.T[::-1])
    ranked = band[order]
    starts = np.ones(n, dtype=bool)
    starts[1:] = (ranked[1:] != ranked[:-1]).any(axis=1)
    return _pairs_within_runs(order.astype(np.int64), np.cumsum(starts) - 1, n, keep)


def candidate_pairs(
    signatures: np.ndarray,
    bands: int,
    rows: int,
    select: np.ndarray | None = None,
    keep: PairFilter | None = None,
) -> np.ndarray:
    """LSH candidate pairs: sorted unique (i, j), i < j, equal in at least one band (P x 2).

    ``select`` picks the signature rows taken part (default: all); i and j index ``select``.
    ``keep`` drops pairs as they are found (default: none dropped).
    Memory: one band of the selected rows at a time, plus the pairs kept (a pair found by
    several bands is held at most twice before the copies are merged).
    """
    n = len(signatures) if select is None else len(select)
    found = np.empty(0, dtype=np.int64)
    pending: list[np.ndarray] = []
    for k in range(bands):
        cols = slice(k * rows, (k + 1) * rows)
        band = signatures[:, cols] if select is None else signatures[select, cols]
        pending.append(band_pairs(band, keep))
        if sum(map(len, pending)) > max(len(found), MERGE_PAIRS) or k == bands - 1:
            found = np.unique(np.concatenate([found, *pending]))
            pending = []
    return np.stack(np.divmod(found, max(n, 1)), axis=1)
