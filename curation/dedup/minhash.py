"""MinHash/LSH near-duplicate detection, confirmed by exact Jaccard, and union-find clusters.

Pipeline (:func:`cluster_records`):

1. records with the same :func:`~curation.dedup.text.exact_key` form exact groups;
2. one text per exact group is shingled (``shingle_size`` characters, ``cjk_shingle_size``
   for CJK fields) and MinHashed (``datasketch``, fixed seed, ``affine32`` scheme and SHA-1
   hash: the same text always gives the same signature);
3. an LSH index at ``lsh_threshold`` proposes candidate pairs; each is **confirmed** by the
   exact Jaccard of the two shingle sets (:func:`confirmed`), so LSH only decides what gets
   compared, never what gets merged. Two MCQs must agree on their correct option texts
   (label-free, so shuffled options still agree): exam banks reuse one option list for
   several stems ("X的功效是" / "Y的功效是"), and those are different questions although
   their texts are 90% the same. Agreeing CJK MCQs need ``cjk_mcq_jaccard_threshold``;
   every other pair needs ``jaccard_threshold``;
4. union-find over exact groups and confirmed pairs gives the clusters (transitively: A~B
   and B~C put A, B, C in one cluster even when A and C are further apart).

A member is an ``exact`` match when it is a verbatim copy of its representative after
normalization, options in the same order (:func:`~curation.dedup.text.copy_key`); anything
else, a copy with shuffled options included, is ``near``, with its exact shingle Jaccard to
the representative (1.0 for shuffled options).

Each cluster has one representative: the member from the earliest source in
``source_priority`` (sources not listed rank after all listed ones, equally), then the lowest
``item_id``. The cluster id is ``"c"`` + the first 16 hex digits of the SHA-256 of the
**representative's item_id**: it stays the same when members join or leave as long as the
representative does, and a singleton gets its own. Results do not depend on input order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from datasketch import MinHash, MinHashLSH
from datasketch.hashfunc import sha1_hash32

from curation.dedup.text import DedupRecord, exact_key, is_cjk_text, jaccard, shingles
from curation.identity import short_hash

MINHASH_SEED = 1
MINHASH_SCHEME = "affine32"
Match = Literal["representative", "exact", "near"]


class DedupSettings(Protocol):
    """What the dedup machinery needs to know (satisfied by the stage's DedupConfig)."""

    shingle_size: int
    cjk_shingle_size: int
    num_perm: int
    lsh_threshold: float
    jaccard_threshold: float
    cjk_mcq_jaccard_threshold: float
    answer_must_agree: bool


@dataclass(frozen=True)
class DedupParams:
    """Plain DedupSettings with the stage's defaults, for callers without a DedupConfig."""

    shingle_size: int = 5
    cjk_shingle_size: int = 3
    num_perm: int = 128
    lsh_threshold: float = 0.5
    jaccard_threshold: float = 0.8
    cjk_mcq_jaccard_threshold: float = 0.6
    answer_must_agree: bool = True


@dataclass(frozen=True)
class Assignment:
    """Where one record ended up: its cluster, the representative, and how it matched."""

    item_id: str
    cluster_id: str
    representative: str
    match: Match
    jaccard: float


def signatures(shingle_sets: Iterable[set[str]], num_perm: int) -> list[MinHash]:
    """Deterministic MinHash signatures of shingle sets (fixed seed, scheme and hash)."""
    return MinHash.bulk(
        ([s.encode("utf-8") for s in sh] for sh in shingle_sets),
        num_perm=num_perm,
        seed=MINHASH_SEED,
        scheme=MINHASH_SCHEME,
        hashfunc=sha1_hash32,
    )


def new_lsh(threshold: float, num_perm: int) -> MinHashLSH:
    """An empty in-memory LSH index tuned for a Jaccard threshold."""
    return MinHashLSH(threshold=threshold, num_perm=num_perm)


def cluster_id_of(representative: str) -> str:
    """Cluster id: 'c' + first 16 hex digits of the SHA-256 of the representative's item_id."""
    return "c" + short_hash(representative)


def answers_agree(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two sets of answer keys share one (an empty set, e.g. a non-MCQ, agrees with all).

    Equality, not similarity: exam options often differ by one meaningful character
    (嗜酸性 / 嗜碱性粒细胞增多), so a "close" answer is a different answer.
    """
    return not a or not b or bool(a & b)


def item_shingles(text: str, settings: DedupSettings) -> set[str]:
    """Shingles of a dedup text with the configured sizes (Latin and CJK segments)."""
    return shingles(text, settings.shingle_size, settings.cjk_shingle_size)


def confirmed(
    score: float,
    a: frozenset[str],
    b: frozenset[str],
    settings: DedupSettings,
    cjk: bool = False,
) -> bool:
    """Whether a candidate pair with this exact Jaccard and these answer keys is a duplicate.

    Two MCQs (both with an answer key, ``answer_must_agree`` on) must share a correct option
    text. Two such CJK MCQs (``cjk``: both texts mostly CJK) then need only
    ``cjk_mcq_jaccard_threshold``: the answer confirms the match, and a typo or a reworded
    word costs a short Chinese stem far more of its shingles than it costs Latin text. Every
    other pair needs ``jaccard_threshold``.
    """
    if not settings.answer_must_agree or not a or not b:
        return score >= settings.jaccard_threshold
    if not a & b:
        return False
    return score >= (settings.cjk_mcq_jaccard_threshold if cjk else settings.jaccard_threshold)


def near_pairs(
    shingle_sets: Sequence[set[str]],
    settings: DedupSettings,
    answers: Sequence[frozenset[str]] | None = None,
    cjk: Sequence[bool] | None = None,
) -> list[tuple[int, int, float]]:
    """Confirmed near-duplicate pairs (i < j, jaccard) among shingle sets, sorted.

    ``answers[i]`` holds the answer keys of set i and ``cjk[i]`` whether its text is mostly
    CJK (see :func:`confirmed`); None: no answer keys, no CJK.
    """
    none: frozenset[str] = frozenset()
    live = [i for i, sh in enumerate(shingle_sets) if sh]
    lsh = new_lsh(settings.lsh_threshold, settings.num_perm)
    sigs = signatures((shingle_sets[i] for i in live), settings.num_perm)
    with lsh.insertion_session() as session:
        for i, sig in zip(live, sigs, strict=True):
            session.insert(i, sig, check_duplication=False)
    pairs = []
    for i, sig in zip(live, sigs, strict=True):
        for j in lsh.query(sig):
            if j > i:
                score = jaccard(shingle_sets[i], shingle_sets[j])
                a, b = (answers[i], answers[j]) if answers is not None else (none, none)
                both_cjk = cjk is not None and cjk[i] and cjk[j]
                if confirmed(score, a, b, settings, both_cjk):
                    pairs.append((i, j, score))
    return sorted(pairs)


class UnionFind:
    """Disjoint sets over hashable keys (path halving; the smaller key becomes the root)."""

    def __init__(self) -> None:
        self.parent: dict[Hashable, Hashable] = {}

    def find(self, key: Hashable) -> Hashable:
        """The root of a key's set (a new key is its own set)."""
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, a: Hashable, b: Hashable) -> None:
        """Merge the sets of two keys."""
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = sorted((ra, rb))  # type: ignore[type-var]
            self.parent[hi] = lo


def representative_key(
    source_priority: Sequence[str],
) -> Callable[[DedupRecord], tuple[int, str]]:
    """Sort key choosing a representative: earliest source in the priority list, then item_id."""
    rank = {name: i for i, name in enumerate(source_priority)}
    last = len(rank)
    return lambda rec: (rank.get(rec.source, last), rec.item_id)


def cluster_records(
    records: Sequence[DedupRecord],
    settings: DedupSettings,
    source_priority: Sequence[str] = (),
) -> list[Assignment]:
    """Cluster records into exact and near duplicates; one Assignment per record, input order."""
    ids = [r.item_id for r in records]
    if len(set(ids)) != len(ids):
        raise ValueError("item_id repeats in the dedup input; each item must appear once")
    keys = [exact_key(r.text) if r.text else f"empty:{r.item_id}" for r in records]
    groups: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        groups[key].append(i)
    unique_keys = sorted(groups)
    unique_shingles = [item_shingles(records[groups[k][0]].text, settings) for k in unique_keys]
    shingles_by_key = dict(zip(unique_keys, unique_shingles, strict=True))
    answers = [frozenset(records[i].answer for i in groups[k]) - {""} for k in unique_keys]
    cjk = [is_cjk_text(records[groups[k][0]].text) for k in unique_keys]

    uf = UnionFind()
    for key in unique_keys:
        uf.find(key)
    for i, j, _ in near_pairs(unique_shingles, settings, answers, cjk):
        uf.union(unique_keys[i], unique_keys[j])

    members: dict[Hashable, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        members[uf.find(key)].append(i)

    pick = representative_key(source_priority)
    out: list[Assignment | None] = [None] * len(records)
    for idx in members.values():
        rep = min(idx, key=lambda i: pick(records[i]))
        rep_id, rep_key = records[rep].item_id, keys[rep]
        cid = cluster_id_of(rep_id)
        for i in idx:
            if i == rep:
                match: Match = "representative"
                score = 1.0
            elif keys[i] == rep_key and records[i].copy_key == records[rep].copy_key:
                match, score = "exact", 1.0
            else:
                match = "near"
                score = jaccard(shingles_by_key[keys[i]], shingles_by_key[rep_key])
            out[i] = Assignment(records[i].item_id, cid, rep_id, match, round(score, 6))
    return [a for a in out if a is not None]
