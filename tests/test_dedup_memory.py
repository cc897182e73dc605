"""Bounded-memory dedup: numpy signatures and LSH equal datasketch's, the streaming engine
gives the clusters of the in-memory reference algorithm, and the curated set is written sorted
a part at a time with the same bytes."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Hashable, Sequence
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from datasketch import MinHash, MinHashLSH
from datasketch.hashfunc import sha1_hash32

from curation.batching import bounded_runs
from curation.commands import dedup as command
from curation.commands.dedup import (
    curated_path,
    merged_path,
    run_dedup,
    same_question_signal,
    write_sorted,
)
from curation.dedup import signatures as sig
from curation.dedup.facts import (
    ItemReader,
    facts_from_reader,
    facts_from_records,
    frame_slices,
    reader_texts,
)
from curation.dedup.minhash import (
    Assignment,
    Budget,
    DedupParams,
    DedupSettings,
    UnionFind,
    _Confirmer,
    cluster_facts,
    cluster_id_of,
    cluster_records,
    confirmed,
    exact_groups,
    item_shingles,
    required,
)
from curation.dedup.text import (
    DedupRecord,
    answer_key,
    copy_key,
    dedup_text,
    exact_key,
    is_cjk_text,
    item_record,
    jaccard,
)
from curation.paths import ProjectPaths
from curation.stages.base import ITEM_SCHEMA
from curation.stages.dedup import DedupConfig, dedup
from tests.test_dedup import OPTIONS, STEM, corpus, frame, make_item, shuffled

CJK = "心力衰竭最常见的诱因是感染律失常过度劳累情绪激动妊娠和分娩肝硬化并发症"
WORDS = "the patient with chest pain fever cough drug first line therapy dose renal".split()


def random_sets(rng: random.Random, count: int) -> list[set[str]]:
    """Shingle sets of random mixed CJK/Latin texts, some empty, many overlapping."""
    texts = ["".join(rng.choice(CJK + "abcde ") for _ in range(120))]
    for _ in range(count - 1):
        base = rng.choice(texts)
        edits = [rng.choice(CJK) if rng.random() < 0.1 else c for c in base]
        texts.append("".join(edits) if rng.random() < 0.7 else base[: rng.randint(0, len(base))])
    return [item_shingles(t, DedupParams()) for t in texts]


def datasketch_minhashes(sets: Sequence[set[str]], num_perm: int) -> list[MinHash]:
    return MinHash.bulk(
        ([s.encode("utf-8") for s in sh] for sh in sets),
        num_perm=num_perm,
        seed=sig.MINHASH_SEED,
        scheme=sig.MINHASH_SCHEME,
        hashfunc=sha1_hash32,
    )


# ------------------------------------------------------------------ signatures and LSH


@pytest.mark.parametrize("num_perm", [16, 128])
def test_numpy_signatures_equal_datasketch(monkeypatch: pytest.MonkeyPatch, num_perm: int) -> None:
    monkeypatch.setattr(sig, "CHUNK_SHINGLES", 50)  # many blocks, some rows larger than one
    sets = random_sets(random.Random(1), 300)
    assert any(not s for s in sets) and any(len(s) > 50 for s in sets)
    matrix = sig.minhash_matrix(sig.shingle_hashes(iter(sets)), num_perm)
    expected = np.array([m.hashvalues for m in datasketch_minhashes(sets, num_perm)])
    assert matrix.dtype == np.uint32 and np.array_equal(matrix, expected)


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.7])
@pytest.mark.parametrize("merge_pairs", [1 << 20, 1])
def test_band_candidates_equal_datasketch_lsh(
    threshold: float, merge_pairs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Also when the pairs of the bands are merged after every band (merge_pairs=1)."""
    monkeypatch.setattr(sig, "MERGE_PAIRS", merge_pairs)
    sets = random_sets(random.Random(2), 400)
    hashes = datasketch_minhashes(sets, 128)
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    live = [i for i, s in enumerate(sets) if s]
    for i in live:
        lsh.insert(i, hashes[i])
    expected = sorted({(i, j) for i in live for j in lsh.query(hashes[i]) if j > i})
    matrix = sig.minhash_matrix(sig.shingle_hashes(sets), 128)
    select = np.array(live)
    bands, rows = sig.lsh_shape(threshold, 128)
    found = select[sig.candidate_pairs(matrix, bands, rows, select=select)]
    assert len(expected) > 100
    assert [tuple(p) for p in found.tolist()] == expected


def test_band_pairs_lists_every_pair_of_equal_rows_once() -> None:
    rng = np.random.default_rng(3)
    band = rng.integers(0, 4, size=(300, 2)).astype(np.uint32)  # runs of many sizes
    codes = sig.band_pairs(band)
    brute = [
        i * 300 + j for i in range(300) for j in range(i + 1, 300) if (band[i] == band[j]).all()
    ]
    assert codes.tolist() == brute
    assert sig.band_pairs(band[:1]).size == 0


# ------------------------------------------------------------------ engine vs reference


def reference_clusters(
    records: Sequence[DedupRecord], settings: DedupSettings, priority: Sequence[str]
) -> list[Assignment]:
    """The in-memory algorithm this package used before it was bounded (datasketch objects,
    every shingle set held at once): the oracle for the streaming engine."""
    keys = [exact_key(r.text) if r.text else f"empty:{r.item_id}" for r in records]
    groups: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        groups[key].append(i)
    unique = sorted(groups)
    sets = {k: item_shingles(records[groups[k][0]].text, settings) for k in unique}
    answers = {k: frozenset(records[i].answer for i in groups[k]) - {""} for k in unique}
    cjk = {k: is_cjk_text(records[groups[k][0]].text) for k in unique}
    live = [k for k in unique if sets[k]]
    hashes = dict(
        zip(live, datasketch_minhashes([sets[k] for k in live], settings.num_perm), strict=True)
    )
    lsh = MinHashLSH(threshold=settings.lsh_threshold, num_perm=settings.num_perm)
    for k in live:
        lsh.insert(k, hashes[k])
    uf = UnionFind()
    for k in unique:
        uf.find(k)
    for a in live:
        for b in lsh.query(hashes[a]):
            score = jaccard(sets[a], sets[b])
            if a < b and confirmed(score, answers[a], answers[b], settings, cjk[a] and cjk[b]):
                uf.union(a, b)
    members: dict[Hashable, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        members[uf.find(key)].append(i)
    rank = {name: i for i, name in enumerate(priority)}
    out: dict[int, Assignment] = {}
    for idx in members.values():
        rep = min(idx, key=lambda i: (rank.get(records[i].source, len(rank)), records[i].item_id))
        for i in idx:
            same = keys[i] == keys[rep] and records[i].copy_key == records[rep].copy_key
            match = "representative" if i == rep else "exact" if same else "near"
            score = 1.0 if i == rep or same else jaccard(sets[keys[i]], sets[keys[rep]])
            rep_id = records[rep].item_id
            out[i] = Assignment(records[i].item_id, cluster_id_of(rep_id), rep_id, match, score)
    return [
        Assignment(a.item_id, a.cluster_id, a.representative, a.match, round(a.jaccard, 6))
        for _, a in sorted(out.items())
    ]


def random_records(seed: int, count: int) -> list[DedupRecord]:
    """Records with exact copies, shuffled copies (other copy_key), edits, answers, empties."""
    rng = random.Random(seed)
    records: list[DedupRecord] = []
    for n in range(count):
        if records and rng.random() < 0.6:
            base = rng.choice(records)
            text, answer, copy = base.text, base.answer, base.copy_key
            if rng.random() < 0.6:
                chars = list(text)
                for _ in range(rng.randint(1, 4)):
                    if chars:
                        chars[rng.randrange(len(chars))] = rng.choice(CJK)
                text = "".join(chars)
                copy = exact_key(text)
            elif rng.random() < 0.5:
                copy = f"shuffled-{n}"
            if rng.random() < 0.2:
                answer = rng.choice(["感染", "肝性脑病", ""])
        elif rng.random() < 0.05:
            text, answer, copy = "", "", ""
        else:
            stem = "".join(rng.choice(CJK) for _ in range(rng.randint(8, 20)))
            tail = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 6)))
            text = "\n".join(p for p in (stem, tail) if p)
            answer, copy = rng.choice(["感染", "肝性脑病", ""]), exact_key(text)
        source = rng.choice("abc")
        records.append(DedupRecord(f"{source}{n:05d}", source, text, answer, copy))
    return records


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_engine_gives_the_reference_clusters(seed: int) -> None:
    records = random_records(seed, 600)
    settings = DedupParams()
    got = cluster_records(records, settings, ["b"])
    assert got == reference_clusters(records, settings, ["b"])
    assert {a.match for a in got} == {"representative", "exact", "near"}


def test_small_budgets_and_batches_change_nothing() -> None:
    """Many waves, an evicting shingle cache and tiny batches give the same clusters."""
    settings = DedupParams()
    rows = [
        {"item_id": r.item_id, "source": r.source, "question": r.text.replace("\n", " ")}
        for r in random_records(4, 500)
    ]
    items = pl.DataFrame(rows)
    reader = ItemReader([items.head(100), items.slice(100).lazy()], rows=7)  # two frames
    facts = facts_from_reader(reader, settings)
    lookup, waves = reader_texts(reader), []

    def texts(positions: np.ndarray) -> dict[int, str]:
        waves.append(len(positions))
        return lookup(positions)

    tiny = Budget(wave_chars=50, cached_shingles=10)
    got = cluster_facts(facts, texts, settings, budget=tiny)
    assert len(waves) > 10 and max(waves) < 20  # re-read a few texts at a time
    full = cluster_records([item_record(row) for row in rows], settings)
    assert [Assignment(*row) for row in got.drop("source").iter_rows()] == full
    assert {a.match for a in full} == {"representative", "exact", "near"}


def test_item_record_equals_the_three_text_functions() -> None:
    opts, ans = shuffled(OPTIONS, "A", [2, 0, 4, 1, 3])
    for row in [*corpus(), make_item("x", "9", STEM, opts, ans), {"item_id": "e"}]:
        record = item_record(row)
        assert record.text == dedup_text(row)
        assert record.answer == answer_key(row)
        assert record.copy_key == copy_key(row)


def test_streaming_stage_on_a_hand_made_case() -> None:
    """corpus(): a/1, a/2 (edited) and b/1 (shuffled) are one cluster; c/1 = c/2; b/2, b/3
    share a stem but not options: apart."""
    rows = corpus()
    result = dedup(frame(*rows), DedupConfig(source_priority=["b"]))
    kept, merged = result.kept.collect(), result.merged.collect()
    ids = {(r["source"], r["source_record_key"]): r["item_id"] for r in rows}
    b1 = ids["b", "1"]
    assert set(kept["item_id"]) == {
        b1,
        ids["b", "2"],
        ids["b", "3"],
        min(ids["c", "1"], ids["c", "2"]),
    }
    by_id = {r["item_id"]: r for r in merged.to_dicts()}
    assert by_id[ids["a", "1"]]["duplicate_of"] == by_id[ids["a", "2"]]["duplicate_of"] == b1
    assert by_id[ids["a", "1"]]["match"] == "near" and by_id[ids["a", "1"]]["jaccard"] == 1.0
    assert by_id[max(ids["c", "1"], ids["c", "2"])]["match"] == "exact"


def test_repeated_item_id_is_refused_by_the_engine() -> None:
    record = DedupRecord("x", "s", "text")
    with pytest.raises(ValueError, match="item_id repeats"):
        cluster_records([record, record], DedupParams())


# ------------------------------------------------------------------ sorted writer


def test_write_sorted_in_parts_gives_the_bytes_of_one_sort(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(5)
    rows = [make_item(rng.choice("abc"), str(n), f"{STEM}{n}", OPTIONS) for n in range(300)]
    items = frame(*reversed(rows))
    whole = tmp_path / "whole.parquet"
    items.sort("source", "item_id").collect().write_parquet(whole, statistics=False)
    parts = tmp_path / "parts.parquet"
    monkeypatch.setattr(command, "UNIT_ROWS", 16)
    chunks = [s.frame for s in frame_slices(items, 50)]
    one = tmp_path / "one.parquet"
    assert write_sorted(chunks, one) == 300  # one part: written at once
    assert one.read_bytes() == whole.read_bytes()
    made: list[range] = []
    split = command.bounded_runs
    monkeypatch.setattr(command, "bounded_runs", lambda *a: made.extend(split(*a)) or made)
    assert write_sorted(chunks, parts, part_bytes=20_000) == 300
    assert len(made) > 3 and sum(len(r) for r in made) == 19  # parts of whole units
    assert parts.read_bytes() == whole.read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dedup-")]
    empty = tmp_path / "empty.parquet"
    assert write_sorted([items.head(0)], empty) == 0
    assert pl.read_parquet(empty).schema == items.collect_schema()


def test_run_dedup_on_empty_inputs(tmp_path: Path) -> None:
    tagged = tmp_path / "data" / "tagged" / "a.parquet"
    tagged.parent.mkdir(parents=True)
    pl.DataFrame(schema=ITEM_SCHEMA).write_parquet(tagged)
    paths = ProjectPaths(tmp_path)
    report = run_dedup(paths, DedupConfig(), ["a"])
    assert (report.rows_in, report.kept, report.merged) == (0, 0, 0)
    assert pl.read_parquet(curated_path(paths)).schema == ITEM_SCHEMA
    assert pl.read_parquet(merged_path(paths)).height == 0


def test_bounded_runs_group_consecutive_sizes_under_a_limit() -> None:
    runs = list(bounded_runs([3, 3, 3, 10, 1], 6))
    assert runs == [range(0, 2), range(2, 3), range(3, 4), range(4, 5)]
    assert list(bounded_runs([], 6)) == []


def test_same_question_signal_ignores_missing_questions() -> None:
    questions = [
        "下列错误的是",
        None,
        "下列错误的是？",
        None,
        None,
        "Which is wrong",
        "WHICH is wrong",
    ]
    kept = pl.DataFrame({"question": questions, "other": range(7)})
    assert same_question_signal(kept) == {"same_question_groups": 2, "same_question_items": 4}
    assert same_question_signal(kept.head(0).lazy()) == {
        "same_question_groups": 0,
        "same_question_items": 0,
    }


def test_pairs_are_confirmed_block_by_block() -> None:
    """A component's nodes are cut into blocks of about `block` characters and its pairs are
    visited block pair by block pair, so that the shingle cache holds two blocks at a time."""
    from curation.dedup.minhash import blocked

    nodes = np.array([2, 5, 7, 9, 11])
    sizes = np.full(5, 10)  # blocks of 20 characters: [2] [5 7] [9 11]
    pairs = np.array([[2, 11], [5, 7], [2, 5], [9, 11], [7, 9], [5, 11]])
    got = pairs[blocked(pairs, nodes, sizes, 20)].tolist()
    assert got == [[2, 5], [2, 11], [5, 7], [5, 11], [7, 9], [9, 11]]
    assert sorted(got) == sorted(pairs.tolist())  # a reordering, nothing lost
    assert blocked(pairs[:1], nodes, sizes, 20).tolist() == [0]


# ------------------------------------------------------------------ pairs worth confirming


def test_implausible_pairs_are_dropped_before_confirmation() -> None:
    """Two MCQs keyed to different answers never reach confirmation; nor does a pair whose
    MinHash estimate is more than signature_margin below the Jaccard it needs (0.6 for two
    CJK MCQs sharing an answer, 0.8 otherwise); everything else does."""
    from curation.dedup.minhash import NO_ANSWER, _plausible

    settings = DedupParams()  # thresholds 0.8 / CJK MCQ 0.6, margin 0.2
    base = np.arange(128, dtype=np.uint32)

    def sharing(share: float) -> np.ndarray:  # a signature agreeing with `base` on a share
        other = base.copy()
        other[round(share * 128) :] += 1000
        return other

    signature = np.stack([base, sharing(0.62), sharing(0.58), sharing(0.42), sharing(0.38), base])
    cjk = np.array([True, True, True, True, True, True])
    answer = np.array([7, NO_ANSWER, NO_ANSWER, 7, 7, 8])
    rows = np.arange(len(signature))
    keep = _plausible(signature, rows, cjk, answer, settings)
    i, j = np.zeros(5, dtype=np.int64), np.arange(1, 6)
    assert keep(i, j).tolist() == [
        True,  # no answer: needs 0.8, estimate 0.62 >= 0.6
        False,  # 0.58 < 0.6
        True,  # two CJK MCQs with one answer: need 0.6, estimate 0.42 >= 0.4
        False,  # 0.38 < 0.4
        False,  # identical signatures, different answers: never a duplicate
    ]
    no_margin = _plausible(signature, rows, cjk, answer, DedupParams(signature_margin=1.0))
    assert no_margin(i, j).tolist() == [True, True, True, True, False]


def test_the_byte_sketch_only_bounds_the_estimate() -> None:
    """Values that differ only above their low byte look equal on the one-byte sketch; the
    full signature rows still decide, so a pair is kept exactly when its full estimate
    reaches the floor, whichever rows of the signature matrix LSH selected."""
    from curation.dedup.minhash import NO_ANSWER, _plausible

    rng = np.random.default_rng(11)
    base = rng.integers(0, 2**32, size=128, dtype=np.uint32)
    rows = []
    for equal in range(40, 129, 4):  # share of values equal to base: 40/128 ... 128/128
        other = base.copy()
        other[equal:] += np.uint32(256)  # same low byte, different value
        rows.append(other)
    signature = np.stack([rng.integers(0, 2**32, size=128, dtype=np.uint32), base, *rows])
    select = np.arange(1, len(signature))  # row 0 takes no part in LSH
    count = len(select)
    cjk, answer = np.zeros(count, dtype=bool), np.full(count, NO_ANSWER)
    keep = _plausible(signature, select, cjk, answer, DedupParams())  # floor 0.8 - 0.2
    kept = keep(np.zeros(count - 1, dtype=np.int64), np.arange(1, count))
    estimates = [np.count_nonzero(r == base) / 128 for r in rows]
    assert kept.tolist() == [e >= 0.6 for e in estimates]
    assert 0 < kept.sum() < len(kept)


def test_dropping_implausible_pairs_keeps_the_clusters() -> None:
    """On templated texts (any two share a third or two thirds of their text) the pre-check
    removes most LSH pairs, and the clusters are those of confirming every pair."""
    from curation.dedup.minhash import lsh_candidates

    rng = random.Random(5)
    parts = ["".join(rng.choice(CJK) for _ in range(12)) for _ in range(40)]
    records = []
    for n in range(400):
        text = parts[0] + parts[n % 7 + 1] + parts[rng.randrange(8, 40)]
        if n and n % 5 == 0:  # a near copy of an earlier text
            text = records[n - 5].text[:-1] + rng.choice(CJK)
        records.append(DedupRecord(f"i{n:04d}", "a", text, "", exact_key(text)))
    every = DedupParams(signature_margin=1.0)
    facts = facts_from_records(records, every)
    groups = exact_groups(facts)
    all_pairs = lsh_candidates(facts, groups, every)
    kept = lsh_candidates(facts, groups, DedupParams())
    assert len(kept) < len(all_pairs) / 2
    assert set(map(tuple, kept.tolist())) <= set(map(tuple, all_pairs.tolist()))
    assert cluster_records(records, DedupParams()) == cluster_records(records, every)
    assert any(a.match == "near" for a in cluster_records(records, DedupParams()))


def test_worker_processes_give_the_same_facts() -> None:
    """Signatures computed by two worker processes equal those of one process, in order."""
    rows = [
        {"item_id": r.item_id, "source": r.source, "question": r.text.replace("\n", " ")}
        for r in random_records(6, 300)
    ]
    reader = ItemReader(pl.DataFrame(rows), rows=40)
    one = facts_from_reader(reader, DedupParams())
    two = facts_from_reader(reader, DedupParams(), workers=2)
    assert one.signature is not None and two.signature is not None
    assert np.array_equal(one.signature, two.signature)
    for name in ("key", "has_text", "shingles", "cjk", "size"):
        assert np.array_equal(getattr(one, name), getattr(two, name))
    for name in ("item_id", "source", "copy_key", "answer"):
        assert getattr(one, name).equals(getattr(two, name))


def test_pairs_worth_reading_are_those_the_exact_check_could_accept() -> None:
    """Before any shingle set is built, the confirmer drops the pairs whose answers rule them
    out or whose shingle counts bound their Jaccard below what they need, and gives each
    remaining pair the threshold :func:`required` gives: checked against that function and the
    size bound on every pair of groups with no, one and several answer keys (exact copies
    keyed to different options), Latin and CJK texts of many lengths."""
    rng = random.Random(17)
    texts = ["".join(rng.choice(CJK) for _ in range(rng.randrange(1, 30))) for _ in range(25)] + [
        " ".join(rng.choice(["fever", "cough", "rash", "pain"]) for _ in range(9))
    ] * 2
    records = []
    for n in range(160):
        text = rng.choice(texts)
        answer = rng.choice(["", "", "A", "B", "C"])
        records.append(DedupRecord(f"i{n:03d}", "s", text, answer, exact_key(text)))
    for settings in (DedupParams(), DedupParams(answer_must_agree=False)):
        facts = facts_from_records(records, settings)
        groups = exact_groups(facts)
        first = groups.first
        counts = [len(item_shingles(records[k].text, settings)) for k in range(len(records))]
        assert facts.shingles.tolist() == counts
        assert any(len(groups.answers(g)) > 1 for g in range(len(groups)))
        every = np.array([(i, j) for i in range(len(groups)) for j in range(i + 1, len(groups))])
        confirmer = _Confirmer(facts, groups, settings, Budget())
        kept, needed = confirmer.worth_reading(every)
        expected = {}
        for i, j in every.tolist():
            cjk = bool(facts.cjk[first[i]] and facts.cjk[first[j]])
            need = required(groups.answers(i), groups.answers(j), settings, cjk)
            small, large = sorted((counts[first[i]], counts[first[j]]))
            if need is not None and (not large or small / large >= need):
                expected[(i, j)] = need
        assert dict(zip(map(tuple, kept.tolist()), needed.tolist(), strict=True)) == expected
        assert 0 < len(expected) < len(every)
