"""MinHash/LSH near-duplicate detection, confirmed by exact Jaccard, and union-find clusters.

Pipeline (:func:`cluster_facts`; :func:`cluster_records` for records in memory):

1. records with the same :func:`~curation.dedup.text.exact_key` form exact groups;
2. one text per exact group is shingled (``shingle_size`` characters, ``cjk_shingle_size``
   for CJK fields) and MinHashed (``datasketch``'s fixed seed, ``affine32`` scheme and SHA-1
   hash, computed in numpy by :mod:`curation.dedup.signatures`: the same text always gives
   the same signature, equal to datasketch's);
3. LSH bands at ``lsh_threshold`` (datasketch's MinHashLSH parameters) propose candidate
   pairs; each is **confirmed** by the exact Jaccard of the two shingle sets
   (:func:`confirmed`), so LSH only decides what gets compared, never what gets merged. Two
   MCQs must agree on their correct option texts (label-free, so shuffled options still
   agree): exam banks reuse one option list for several stems ("X的功效是" / "Y的功效是"),
   and those are different questions although their texts are 90% the same. Agreeing CJK
   MCQs need ``cjk_mcq_jaccard_threshold``; every other pair needs ``jaccard_threshold``;
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

Memory: clustering holds no item text and no shingle set beyond a bounded working set. It
works on :class:`~curation.dedup.facts.ItemFacts` (ids, keys, a uint32 signature row per
item, freed once LSH is done) and on integer arrays (groups, candidate pairs, union-find);
candidate pairs are confirmed one connected component of the candidate graph at a time, the
texts of a wave of components (``Budget.wave_chars``) re-read from the input and their
shingle sets cached up to ``Budget.cached_shingles``.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
import polars as pl
from datasketch import MinHash, MinHashLSH
from datasketch.hashfunc import sha1_hash32
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from curation.batching import bounded_runs
from curation.dedup.facts import (
    ItemFacts,
    TextLookup,
    facts_from_records,
    record_texts,
)
from curation.dedup.signatures import MINHASH_SCHEME, MINHASH_SEED, candidate_pairs, lsh_shape
from curation.dedup.text import DedupRecord, jaccard, shingles
from curation.identity import short_hash

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
    signature_margin: float


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
    signature_margin: float = 0.2


@dataclass(frozen=True)
class Budget:
    """Working-set bounds of confirmation (results never depend on them, only time does)."""

    wave_chars: int = 16_000_000  # dedup-text characters of candidate items read at once
    cached_shingles: int = 1_000_000  # shingles cached while confirming one component (~100 MB)


@dataclass(frozen=True)
class Assignment:
    """Where one record ended up: its cluster, the representative, and how it matched."""

    item_id: str
    cluster_id: str
    representative: str
    match: Match
    jaccard: float


def signatures(shingle_sets: Iterable[set[str]], num_perm: int) -> list[MinHash]:
    """Deterministic datasketch MinHash objects of shingle sets (fixed seed, scheme, hash)."""
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


def answers_agree(a: frozenset[Hashable], b: frozenset[Hashable]) -> bool:
    """Whether two sets of answer keys share one (an empty set, e.g. a non-MCQ, agrees with all).

    Equality, not similarity: exam options often differ by one meaningful character
    (嗜酸性 / 嗜碱性粒细胞增多), so a "close" answer is a different answer.
    """
    return not a or not b or bool(a & b)


def item_shingles(text: str, settings: DedupSettings) -> set[str]:
    """Shingles of a dedup text with the configured sizes (Latin and CJK segments)."""
    return shingles(text, settings.shingle_size, settings.cjk_shingle_size)


def required(
    a: frozenset[Hashable], b: frozenset[Hashable], settings: DedupSettings, cjk: bool = False
) -> float | None:
    """The exact Jaccard a candidate pair with these answer keys needs to be a duplicate
    (None: it never is).

    Two MCQs (both with an answer key, ``answer_must_agree`` on) must share a correct option
    text. Two such CJK MCQs (``cjk``: both texts mostly CJK) then need only
    ``cjk_mcq_jaccard_threshold``: the answer confirms the match, and a typo or a reworded
    word costs a short Chinese stem far more of its shingles than it costs Latin text. Every
    other pair needs ``jaccard_threshold``.
    """
    if not settings.answer_must_agree or not a or not b:
        return settings.jaccard_threshold
    if not a & b:
        return None
    return settings.cjk_mcq_jaccard_threshold if cjk else settings.jaccard_threshold


def confirmed(
    score: float,
    a: frozenset[Hashable],
    b: frozenset[Hashable],
    settings: DedupSettings,
    cjk: bool = False,
) -> bool:
    """Whether a candidate pair with this exact Jaccard and these answer keys is a duplicate
    (see :func:`required`)."""
    needed = required(a, b, settings, cjk)
    return needed is not None and score >= needed


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


# ------------------------------------------------------------------ exact groups


@dataclass
class Groups:
    """Exact groups (one exact key; an empty text is a group of its own), as integer arrays."""

    of_item: np.ndarray  # group of each item
    first: np.ndarray  # first item of each group (input order): whose text stands for it
    best: np.ndarray  # each group's preferred item (see preference_order)
    best_rank: np.ndarray  # that item's place in the preference order (lower wins)
    answer_ptr: np.ndarray  # answer codes of group g: answer_codes[answer_ptr[g]:answer_ptr[g+1]]
    answer_codes: np.ndarray

    def __len__(self) -> int:
        return len(self.first)

    def answers(self, group: int) -> frozenset[Hashable]:
        """The distinct non-empty answer keys of a group's items (as codes)."""
        codes = self.answer_codes[self.answer_ptr[group] : self.answer_ptr[group + 1]]
        return frozenset(codes.tolist())


def preference_order(facts: ItemFacts, source_priority: Sequence[str]) -> np.ndarray:
    """Each item's place when sorted by source priority (unlisted sources last), then item_id."""
    rank = {name: i for i, name in enumerate(source_priority)}
    order = (
        pl.DataFrame({"rank": facts.source, "item_id": facts.item_id})
        .with_row_index("row")
        .with_columns(pl.col("rank").replace_strict(rank, default=len(rank), return_dtype=pl.Int64))
        .sort("rank", "item_id")["row"]
        .to_numpy()
    )
    place = np.empty(len(order), dtype=np.int64)
    place[order] = np.arange(len(order))
    return place


def _answer_index(
    facts: ItemFacts, of_item: np.ndarray, groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """CSR (pointers, codes) of the distinct non-empty answer keys of each group."""
    codes = facts.answer.rank("dense").to_numpy().astype(np.int64)
    keyed = (facts.answer != "").to_numpy()
    width = int(codes.max(initial=0)) + 1
    pairs = np.unique(of_item[keyed] * width + codes[keyed])
    group, code = np.divmod(pairs, width)
    return np.searchsorted(group, np.arange(groups + 1)), code


def exact_groups(facts: ItemFacts, source_priority: Sequence[str] = ()) -> Groups:
    """The exact groups of the items, with each group's preferred item and answer keys."""
    texted = np.flatnonzero(facts.has_text)
    keys, first_of_key, key_of = np.unique(
        facts.key[texted], return_index=True, return_inverse=True
    )
    empty = np.flatnonzero(~facts.has_text)
    of_item = np.empty(len(facts), dtype=np.int64)
    of_item[texted] = key_of
    of_item[empty] = len(keys) + np.arange(len(empty))
    count = len(keys) + len(empty)
    place = preference_order(facts, source_priority)
    best_rank = np.full(count, len(facts), dtype=np.int64)
    np.minimum.at(best_rank, of_item, place)
    by_place = np.empty(len(facts), dtype=np.int64)
    by_place[place] = np.arange(len(facts))
    answer_ptr, answer_codes = _answer_index(facts, of_item, count)
    return Groups(
        of_item=of_item,
        first=np.concatenate((texted[first_of_key], empty)),
        best=by_place[best_rank],
        best_rank=best_rank,
        answer_ptr=answer_ptr,
        answer_codes=answer_codes,
    )


def lsh_candidates(facts: ItemFacts, groups: Groups, settings: DedupSettings) -> np.ndarray:
    """LSH candidate pairs of groups (sorted (i, j), i < j) from their first item's signature."""
    if facts.signature is None:
        raise ValueError("the signatures were already dropped")
    live = np.flatnonzero(facts.shingles[groups.first])
    bands, rows = lsh_shape(settings.lsh_threshold, settings.num_perm)
    select = groups.first[live]
    keep = _plausible(
        facts.signature, select, facts.cjk[select], _answer_code(groups)[live], settings
    )
    pairs = candidate_pairs(facts.signature, bands, rows, select=select, keep=keep)
    return live[pairs]


NO_ANSWER, SEVERAL_ANSWERS = -1, -2
PLAUSIBLE_CHUNK = 65_536  # pairs judged at once (2 x 8 MB of sketch rows at 128 permutations)


def _answer_code(groups: Groups) -> np.ndarray:
    """Each group's one answer code, NO_ANSWER or SEVERAL_ANSWERS (int64)."""
    count = np.diff(groups.answer_ptr)
    code = np.full(len(groups), NO_ANSWER, dtype=np.int64)
    one = count == 1
    code[one] = groups.answer_codes[groups.answer_ptr[:-1][one]]
    code[count > 1] = SEVERAL_ANSWERS
    return code


def thresholds(
    a: np.ndarray, b: np.ndarray, cjk_a: np.ndarray, cjk_b: np.ndarray, settings: DedupSettings
) -> np.ndarray:
    """:func:`required` over many pairs from their answer codes (:func:`_answer_code`) and CJK
    flags: the exact Jaccard each needs, NaN where their answers never agree. A side with
    SEVERAL_ANSWERS is taken to agree (only :func:`required` on its answer set can tell)."""
    answered = (a != NO_ANSWER) & (b != NO_ANSWER) & settings.answer_must_agree
    needed = np.where(
        answered & cjk_a & cjk_b, settings.cjk_mcq_jaccard_threshold, settings.jaccard_threshold
    )
    needed[answered & (a >= 0) & (b >= 0) & (a != b)] = np.nan
    return needed


def _plausible(
    signature: np.ndarray,
    select: np.ndarray,
    cjk: np.ndarray,
    answer: np.ndarray,
    settings: DedupSettings,
) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Which LSH pairs (i, j index `select`, the rows of `signature` in LSH) are worth
    confirming, judged without their texts.

    Dropped: two MCQs keyed to different answers (:func:`required` would reject them: exact),
    and pairs whose MinHash estimate of their Jaccard (the share of equal signature values) is
    more than ``signature_margin`` below the least Jaccard they need. The estimate of a pair at
    its threshold t falls that far below t with probability about the binomial tail
    P(Bin(num_perm, t) < num_perm * (t - margin)): 3e-6 at t = 0.6, 1e-7 at t = 0.8 with 128
    permutations and margin 0.2, far below what LSH itself misses (a pair at 0.6 shares no band
    with probability 0.13). Pairs made by near-identical templates grow with the square of
    the data; this keeps them from piling up in memory and in the confirmation loop.

    The estimate is first bounded from above on a sketch of one byte per value (its first byte
    in memory: equal values have equal bytes, so the share of equal bytes is never below the
    share of equal values); only pairs the bound cannot reject gather their full signature rows. The
    result is that of the full estimate; the sketch only saves reading 3/4 of the rows of the
    many template pairs that share one band and nothing else."""
    # one byte of each value (any byte bounds the estimate), gathered without a full copy
    sketch = np.ascontiguousarray(signature).view(np.uint8)[select, ::4]
    width = signature.shape[1]

    def share(rows: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.count_nonzero(rows[a] == rows[b], axis=1) / width

    def keep(i: np.ndarray, j: np.ndarray) -> np.ndarray:
        out = np.zeros(len(i), dtype=bool)
        for start in range(0, len(i), PLAUSIBLE_CHUNK):
            a, b = i[start : start + PLAUSIBLE_CHUNK], j[start : start + PLAUSIBLE_CHUNK]
            floor = thresholds(answer[a], answer[b], cjk[a], cjk[b], settings)
            floor -= settings.signature_margin
            at = np.flatnonzero(~np.isnan(floor))  # NaN: answers that never agree
            at = at[share(sketch, a[at], b[at]) >= floor[at]]
            at = at[share(signature, select[a[at]], select[b[at]]) >= floor[at]]
            out[start + at] = True
        return out

    return keep


# ------------------------------------------------------------------ confirmation


class _ShingleCache:
    """Shingle sets of groups, computed on demand, the least recently used dropped first."""

    def __init__(self, make: Callable[[int], set[str]], limit: int) -> None:
        self._make, self._limit = make, limit
        self._sets: OrderedDict[int, set[str]] = OrderedDict()
        self._size = 0

    def __call__(self, group: int) -> set[str]:
        found = self._sets.get(group)
        if found is not None:
            self._sets.move_to_end(group)
            return found
        made = self._make(group)
        self._sets[group] = made
        self._size += len(made)
        while self._size > self._limit and len(self._sets) > 1:
            _, dropped = self._sets.popitem(last=False)
            self._size -= len(dropped)
        return made


@dataclass
class _Components:
    """Candidate pairs split by connected component of the candidate graph."""

    pairs: np.ndarray  # sorted by component, then (i, j)
    pair_bounds: np.ndarray  # pairs of component k: pairs[pair_bounds[k]:pair_bounds[k+1]]
    nodes: np.ndarray  # groups, sorted by component
    node_bounds: np.ndarray

    def __len__(self) -> int:
        return len(self.pair_bounds) - 1


def candidate_components(pairs: np.ndarray, groups: int) -> _Components:
    """The candidate pairs and their groups, one connected component after another."""
    ones = np.ones(len(pairs), dtype=np.int8)
    graph = coo_matrix((ones, (pairs[:, 0], pairs[:, 1])), shape=(groups, groups))
    _, label = connected_components(graph, directed=False)
    order = np.argsort(label[pairs[:, 0]], kind="stable")
    pairs, pair_label = pairs[order], label[pairs[order, 0]]
    nodes = np.unique(pairs)
    nodes = nodes[np.argsort(label[nodes], kind="stable")]
    comps = np.unique(pair_label)
    edges = np.append(comps, comps[-1] + 1)
    return _Components(
        pairs=pairs,
        pair_bounds=np.searchsorted(pair_label, edges),
        nodes=nodes,
        node_bounds=np.searchsorted(label[nodes], edges),
    )


def blocked(pairs: np.ndarray, nodes: np.ndarray, sizes: np.ndarray, block: int) -> np.ndarray:
    """The order in which to visit the pairs of a component (indices into `pairs`): its nodes
    cut into consecutive blocks of about `block` characters (a shingle per character,
    roughly), the pairs sorted by (block of the one end, block of the other). Confirming them
    in that order, the shingle sets of two blocks are what a pass needs at a time, so an LRU
    cache of twice a block computes each set about once per block pair instead of once per
    pair. Clusters do not depend on the order (they are the transitive closure of the
    confirmed pairs); only the time does."""
    if len(pairs) < 2:
        return np.arange(len(pairs))
    cut = np.cumsum(np.maximum(sizes, 1)) // max(block, 1)  # block of each node
    of = cut[np.searchsorted(nodes, pairs)]  # a component's nodes are sorted
    low, high = np.minimum(of[:, 0], of[:, 1]), np.maximum(of[:, 0], of[:, 1])
    return np.lexsort((pairs[:, 1], pairs[:, 0], high, low))


class _Confirmer:
    """Confirms candidate pairs and picks each cluster's representative, a component at a time.

    Results per group: ``rep`` (the cluster's representative item) and ``score`` (rounded
    exact Jaccard with the representative's group; 1.0 within it).
    """

    def __init__(
        self, facts: ItemFacts, groups: Groups, settings: DedupSettings, budget: Budget
    ) -> None:
        self.groups, self.settings, self.budget = groups, settings, budget
        self.sizes = settings.shingle_size, settings.cjk_shingle_size
        self.cjk = facts.cjk[groups.first]
        self.count = facts.shingles[groups.first]
        self.answer = _answer_code(groups)
        self.rep = groups.best.copy()
        self.score = np.ones(len(groups), dtype=np.float64)

    def settle(
        self,
        nodes: np.ndarray,
        pairs: np.ndarray,
        texts: dict[int, str],
        sizes: np.ndarray | None = None,
    ) -> None:
        """Cluster one component: its groups, its candidate pairs, the texts of its items
        (`sizes`: characters of each node's text, to visit the pairs block by block)."""
        first = self.groups.first
        shingle = _ShingleCache(
            lambda g: shingles(texts[first[g]], *self.sizes), self.budget.cached_shingles
        )
        pairs, needed = self.worth_reading(pairs)
        if sizes is not None:
            order = blocked(pairs, nodes, sizes, self.budget.cached_shingles // 2)
            pairs, needed = pairs[order], needed[order]
        uf = UnionFind()
        for (i, j), need in zip(pairs.tolist(), needed.tolist(), strict=True):
            if uf.find(i) != uf.find(j) and jaccard(shingle(i), shingle(j)) >= need:
                uf.union(i, j)
        clusters: dict[Hashable, list[int]] = defaultdict(list)
        for g in nodes.tolist():
            clusters[uf.find(g)].append(g)
        for members in clusters.values():
            if len(members) > 1:
                self._represent(members, shingle)

    def worth_reading(self, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The pairs that may be duplicates, with the exact Jaccard each needs (:func:`required`),
        judged without their shingles: the answers first, then the sizes (Jaccard is at most
        the smaller set's size over the larger's). Those dropped would fail the exact Jaccard."""
        i, j = pairs[:, 0], pairs[:, 1]
        a, b = self.answer[i], self.answer[j]
        needed = thresholds(a, b, self.cjk[i], self.cjk[j], self.settings)
        for k in np.flatnonzero((a == SEVERAL_ANSWERS) | (b == SEVERAL_ANSWERS)).tolist():
            need = required(
                self.groups.answers(int(i[k])),
                self.groups.answers(int(j[k])),
                self.settings,
                bool(self.cjk[i[k]] and self.cjk[j[k]]),
            )
            needed[k] = np.nan if need is None else need
        small = np.minimum(self.count[i], self.count[j])
        large = np.maximum(self.count[i], self.count[j])
        # float division keeps order, so score <= small / large holds after rounding too
        bound = np.divide(small, large, out=np.ones(len(pairs)), where=large > 0)
        worth = bound >= needed  # False where needed is NaN: never a duplicate
        return pairs[worth], needed[worth]

    def _represent(self, members: list[int], shingle: _ShingleCache) -> None:
        top = min(members, key=lambda g: self.groups.best_rank[g])
        for g in members:
            self.rep[g] = self.groups.best[top]
            if g != top:
                self.score[g] = round(jaccard(shingle(g), shingle(top)), 6)


def settle_clusters(
    facts: ItemFacts,
    groups: Groups,
    pairs: np.ndarray,
    texts: TextLookup,
    settings: DedupSettings,
    budget: Budget,
) -> tuple[np.ndarray, np.ndarray]:
    """(representative item, Jaccard with it) of each group, confirming the candidate pairs."""
    confirmer = _Confirmer(facts, groups, settings, budget)
    if not len(pairs):
        return confirmer.rep, confirmer.score
    comps = candidate_components(pairs, len(groups))
    sizes = np.add.reduceat(facts.size[groups.first[comps.nodes]], comps.node_bounds[:-1])
    for wave in bounded_runs(sizes.tolist(), budget.wave_chars):
        lo, hi = comps.node_bounds[wave.start], comps.node_bounds[wave.stop]
        wave_texts = texts(np.sort(groups.first[comps.nodes[lo:hi]]))
        for k in wave:
            nodes = comps.nodes[comps.node_bounds[k] : comps.node_bounds[k + 1]]
            confirmer.settle(
                nodes,
                comps.pairs[comps.pair_bounds[k] : comps.pair_bounds[k + 1]],
                wave_texts,
                facts.size[groups.first[nodes]],
            )
    return confirmer.rep, confirmer.score


# ------------------------------------------------------------------ assignment


def assignment_frame(
    facts: ItemFacts, groups: Groups, rep: np.ndarray, score: np.ndarray
) -> pl.DataFrame:
    """One row per item (input order): item_id, source, cluster_id, representative, match,
    jaccard."""
    group = groups.of_item
    top = rep[group]
    is_rep = top == np.arange(len(facts))
    same = (facts.copy_key.gather(top) == facts.copy_key).to_numpy()
    exact = ~is_rep & (group[top] == group) & same
    reps = facts.item_id.filter(pl.Series(is_rep))
    cluster = pl.Series([cluster_id_of(r) for r in reps.to_list()], dtype=pl.String)
    return pl.DataFrame(
        {
            "item_id": facts.item_id,
            "source": facts.source,
            "cluster_id": cluster.gather(np.cumsum(is_rep)[top] - 1),
            "representative": facts.item_id.gather(top),
            "match": np.where(is_rep, "representative", np.where(exact, "exact", "near")),
            "jaccard": np.where(is_rep | exact, 1.0, score[group]),
        }
    )


def _check_unique(item_ids: pl.Series) -> None:
    if item_ids.is_duplicated().any():
        raise ValueError("item_id repeats in the dedup input; each item must appear once")


def cluster_facts(
    facts: ItemFacts,
    texts: TextLookup,
    settings: DedupSettings,
    source_priority: Sequence[str] = (),
    budget: Budget | None = None,
) -> pl.DataFrame:
    """Cluster items into exact and near duplicates: :func:`assignment_frame`, input order.

    Frees ``facts.signature`` once LSH is done; ``texts`` gives the dedup texts of the items
    whose groups are LSH candidates.
    """
    _check_unique(facts.item_id)
    groups = exact_groups(facts, source_priority)
    pairs = lsh_candidates(facts, groups, settings)
    facts.signature = None
    rep, score = settle_clusters(facts, groups, pairs, texts, settings, budget or Budget())
    return assignment_frame(facts, groups, rep, score)


def cluster_records(
    records: Sequence[DedupRecord],
    settings: DedupSettings,
    source_priority: Sequence[str] = (),
) -> list[Assignment]:
    """Cluster records into exact and near duplicates; one Assignment per record, input order."""
    facts = facts_from_records(records, settings)
    frame = cluster_facts(facts, record_texts(records), settings, source_priority)
    columns = ("item_id", "cluster_id", "representative", "match", "jaccard")
    return [Assignment(*row) for row in frame.select(columns).iter_rows()]
