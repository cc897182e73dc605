"""Item statistics from graded answers: share correct, difficulty level, discrimination and
saturated test splits, computed by hand on a small fixture; the card's section and item_stats.csv
of a release built with them (verified, byte-reproducible)."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from curation.commands.release import version_key
from curation.grading.contract import GRADES_SCHEMA, ITEM_STATS_SCHEMA
from curation.grading.item_stats import (
    difficulty_level,
    group_size,
    item_statistics,
    saturated_tests,
)
from curation.release.grading_card import (
    ITEM_STATS,
    item_stats_csv,
    item_stats_section,
    released_stats,
)
from curation.release.manifest import verify
from tests.test_release import items, project, release

# Four examinees (model runs), in the order of the tie-break: (alpha, r1), (alpha, r2),
# (beta, r1), (gamma, r1). C correct, P partially correct, I incorrect; d a disputed grade whose
# verdict says correct, p a pending one whose verdict says incorrect: both must be ignored.
EXAMINEES = [("alpha", "r1"), ("alpha", "r2"), ("beta", "r1"), ("gamma", "r1")]
VERDICTS = {"C": "correct", "P": "partially_correct", "I": "incorrect"}
GRADED = {  # id: (kind, config, split, a1 a2 b1 g1)
    "q1": ("item", "mcq_zh", "test", "CCCI"),
    "q2": ("item", "mcq_zh", "test", "CPII"),
    "q3": ("item", "mcq_zh", "dev", "CCId"),
    "t1": ("instance", "task_triage_zh", "test", "CCCC"),
    "t2": ("instance", "task_triage_zh", "test", "CCCp"),
    "o1": ("item", "open_qa_zh", "train", "ICIC"),
}
# Totals over the final grades: a1 5/6, a2 5/6, b1 3/6, g1 2/4 (q1 I, q2 I, t1 C, o1 C).
# Ordered by total, ties by model then run: a1, a2, b1, g1. Four examinees: groups of
# max(1, round(0.27 * 4)) = 1: upper {a1}, lower {g1} (b1 ties g1 at 0.5; beta < gamma).
EXPECTED = {  # id: (answers, correct, share_correct, difficulty, discrimination)
    "q1": (4, 3, 0.75, 2, 1.0),  # 0.75 in [0.6, 0.8): 2; a1 C − g1 I = 1 − 0
    "q2": (4, 1, 0.25, 4, 1.0),  # 0.25 in [0.2, 0.4): 4; a1 C − g1 I
    "q3": (3, 2, 2 / 3, 2, None),  # g1's grade is disputed: the lower group has no answer
    "t1": (4, 4, 1.0, 1, 0.0),  # a1 C − g1 C
    "t2": (3, 3, 1.0, 1, None),  # g1's grade is pending
    "o1": (4, 2, 0.5, 3, -1.0),  # 0.5 in [0.4, 0.6): 3; a1 I − g1 C = 0 − 1
}


def grades(graded: dict = GRADED, version: str = "1.0.0") -> pl.DataFrame:
    rows = []
    for id_, (kind, config, split, marks) in graded.items():
        for (model, run), mark in zip(EXAMINEES, marks, strict=True):
            status = {"d": "disputed", "p": "pending"}.get(mark, "final")
            verdict = {"d": "correct", "p": "incorrect"}.get(mark) or VERDICTS[mark]
            rows.append(
                {
                    "grade_id": f"{id_}-{model}-{run}",
                    "version": version,
                    "id": id_,
                    "kind": kind,
                    "config": config,
                    "split": split,
                    "model": model,
                    "run": run,
                    "status": status,
                    "verdict": verdict,
                }
            )
    return pl.DataFrame(rows, schema=GRADES_SCHEMA)


def by_id(stats: pl.DataFrame) -> dict[str, tuple]:
    columns = ["answers", "correct", "share_correct", "difficulty", "discrimination"]
    return {r["id"]: tuple(r[c] for c in columns) for r in stats.iter_rows(named=True)}


# ------------------------------------------------------------------------------ statistics
def test_statistics_equal_the_hand_computed_figures() -> None:
    stats = item_statistics(grades())
    assert stats.schema == ITEM_STATS_SCHEMA
    assert stats.select("config", "id").rows() == [
        ("mcq_zh", "q1"),
        ("mcq_zh", "q2"),
        ("mcq_zh", "q3"),
        ("open_qa_zh", "o1"),
        ("task_triage_zh", "t1"),
        ("task_triage_zh", "t2"),
    ]
    got = by_id(stats)
    assert got.keys() == EXPECTED.keys()
    for id_, (answers, correct, share, level, index) in EXPECTED.items():
        assert got[id_][:2] == (answers, correct), id_
        assert got[id_][2] == pytest.approx(share), id_
        assert got[id_][3] == level, id_
        assert got[id_][4] == (None if index is None else pytest.approx(index)), id_
    assert set(stats["kind"]) == {"item", "instance"} and set(stats["version"]) == {"1.0.0"}


def test_disputed_and_pending_grades_change_nothing() -> None:
    final = grades().filter(pl.col("status") == "final")
    assert item_statistics(final).equals(item_statistics(grades()))
    # counted, g1's disputed `correct` on q3 and pending `incorrect` on t2 would give q3 an
    # index (a1 C − g1 C = 0), t2 a share of 3/4 and unsaturate task_triage_zh
    counted = item_statistics(grades().with_columns(status=pl.lit("final")))
    assert by_id(counted)["q3"][4] == pytest.approx(0.0)
    assert by_id(counted)["t2"][:3] == (4, 3, 0.75)
    assert saturated_tests(counted) == []


def test_the_result_does_not_depend_on_row_order() -> None:
    frame = grades()
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=3)
    assert item_statistics(shuffled).equals(item_statistics(frame))


@pytest.mark.parametrize(
    ("correct", "answers", "level"),
    [(5, 5, 1), (4, 5, 1), (3, 5, 2), (2, 5, 3), (1, 5, 4), (0, 5, 5), (7, 9, 2), (1, 6, 5)],
)
def test_difficulty_is_fixed_fifths_with_boundaries_to_the_easier_level(
    correct: int, answers: int, level: int
) -> None:
    # 4/5 = 0.8 → 1, 3/5 = 0.6 → 2, 7/9 = 0.78 → 2, 1/6 = 0.17 → 5
    assert difficulty_level(correct, answers) == level


@pytest.mark.parametrize(
    ("examinees", "size"), [(0, 0), (1, 0), (2, 1), (3, 1), (4, 1), (10, 3), (50, 14), (100, 27)]
)
def test_groups_are_27_percent_at_least_one_and_disjoint(examinees: int, size: int) -> None:
    assert group_size(examinees) == size  # 27% of 10 = 2.7 → 3; of 50 = 13.5 → 14


def test_one_examinee_has_no_discrimination_and_two_are_one_each() -> None:
    one = grades().filter((pl.col("model") == "alpha") & (pl.col("run") == "r1"))
    assert item_statistics(one)["discrimination"].null_count() == 6
    # beta 3/6 and gamma 2/4 tie at 0.5: beta first by name → upper beta, lower gamma
    two = grades().filter(pl.col("model").is_in(["beta", "gamma"]))
    got = by_id(item_statistics(two))
    assert got["q1"][4] == pytest.approx(1.0)  # beta C − gamma I
    assert got["o1"][4] == pytest.approx(-1.0)  # beta I − gamma C
    assert got["q3"][4] is None  # gamma's grade is disputed


def test_no_final_grade_gives_an_empty_frame() -> None:
    pending = grades().filter(pl.col("status") != "final")
    assert item_statistics(pending).is_empty()
    assert item_statistics(pending).schema == ITEM_STATS_SCHEMA


def test_saturated_tests_are_configs_whose_test_items_all_are_answered_correctly() -> None:
    stats = item_statistics(grades())
    # task_triage_zh's test items t1, t2 are all correct (t2's pending `incorrect` is ignored);
    # mcq_zh's are not (q1 0.75); open_qa_zh has no test item
    assert saturated_tests(stats) == ["task_triage_zh"]
    assert saturated_tests(stats.filter(pl.col("split") != "test")) == []


# ------------------------------------------------------------------------------------ card
def test_section_shows_the_hand_computed_figures_and_warns_of_saturation() -> None:
    text = "\n".join(item_stats_section(item_statistics(grades())))
    assert "## Item statistics (graded answers)" in text
    assert "release 1.0.0" in text and "between 3 and 4 model runs" in text
    header = "| config | split | items graded | mean share correct | level 1 | level 2 | level 3"
    assert header in text
    # mcq_zh test: q1 0.75 (level 2, D 1), q2 0.25 (level 4, D 1): mean 0.5, mean D 1
    assert "| mcq_zh | test | 2 | 0.500 | 0 | 1 | 0 | 1 | 0 | 2 | 1.000 |" in text
    # mcq_zh dev: q3 2/3 (level 2), no D
    assert "| mcq_zh | dev | 1 | 0.667 | 0 | 1 | 0 | 0 | 0 | 0 | n/a |" in text
    assert "| open_qa_zh | train | 1 | 0.500 | 0 | 0 | 1 | 0 | 0 | 1 | -1.000 |" in text
    # t1 1.0 (D 0), t2 1.0 (no D)
    assert "| task_triage_zh | test | 2 | 1.000 | 2 | 0 | 0 | 0 | 0 | 1 | 0.000 |" in text
    assert text.index("| mcq_zh | dev |") < text.index("| mcq_zh | test |")  # split order
    assert "test split of `task_triage_zh` is saturated" in text
    assert "`mcq_zh` is saturated" not in text
    assert "CMExam" in text and "27%" in text and "item_stats.csv" in text
    assert item_stats_section(None) == []


def test_released_stats_keep_the_released_ids_of_the_newest_graded_release() -> None:
    old = item_statistics(grades(version="1.0.0"))
    new = item_statistics(grades({"q1": GRADED["q1"]}, version="1.10.0"))
    released = pl.DataFrame(
        {"id": ["q1", "q2", "zz"], "config": ["mcq_zh"] * 3, "split": ["test", "dev", "test"]}
    )
    kept = released_stats(pl.concat([old, new]), released, version_key)
    assert kept is not None
    assert kept.select("version", "id", "split").rows() == [("1.10.0", "q1", "test")]
    only_old = released_stats(old, released, version_key)
    assert only_old is not None and only_old["id"].to_list() == ["q2", "q1"]  # dev, test
    assert only_old["split"].to_list() == ["dev", "test"]  # the release's split, not the grades'
    assert released_stats(old, released.filter(pl.col("id") == "zz"), version_key) is None


def test_csv_has_fixed_decimals_and_empty_cells_for_no_index() -> None:
    text = item_stats_csv(item_statistics(grades()))
    lines = text.splitlines()
    assert lines[0] == "config,split,id,answers,correct,share_correct,difficulty,discrimination"
    assert "mcq_zh,dev,q3,3,2,0.6667,2," in lines
    assert "open_qa_zh,train,o1,4,2,0.5000,3,-1.0000" in lines
    assert "task_triage_zh,test,t1,4,4,1.0000,1,0.0000" in lines
    assert text.endswith("\n") and "\r" not in text


# --------------------------------------------------------------------------------- release
def test_release_card_and_item_stats_csv_verify_and_rebuild_identically(tmp_path: Path) -> None:
    paths = project(tmp_path / "p", items(30))
    first = paths.releases / "1.0.0"
    release(paths, "1.0.0")
    assert "Item statistics" not in (first / "README.md").read_text(encoding="utf-8")
    assert not (first / "item_stats.csv").exists()

    # grades of release 1.0.0 under its real ids: every test item answered correctly by all four
    # examinees (CCCC), four train items with the marks of q1, q2, q3 and o1
    released = {
        p.stem: pl.read_parquet(p)["item_id"].sort().to_list()
        for p in sorted(first.glob("data/mcq_zh/*.parquet"))
    }
    tests, train = released["test"], released["train"][:4]
    assert tests and len(train) == 4
    graded = {i: ("item", "mcq_zh", "test", "CCCC") for i in tests}
    marks = [GRADED[k][3] for k in ("q1", "q2", "q3", "o1")]
    graded |= {i: ("item", "mcq_zh", "train", m) for i, m in zip(train, marks, strict=True)}
    stats = item_statistics(grades(graded, version="1.0.0"))
    extra = stats.head(1).with_columns(id=pl.lit("not-in-this-release"))
    (paths.root / ITEM_STATS).parent.mkdir(parents=True)
    pl.concat([stats, extra]).write_parquet(paths.root / ITEM_STATS)

    manifest = release(paths, "1.1.0")
    second = paths.releases / "1.1.0"
    assert verify(second, "1.1.0") == []
    assert "item_stats.csv" in manifest["files"]
    shipped = (second / "item_stats.csv").read_text(encoding="utf-8")
    assert shipped == item_stats_csv(stats)  # the foreign id is left out
    card = (second / "README.md").read_text(encoding="utf-8")
    section = card.split("## Item statistics (graded answers)")[1].split("\n## ")[0]
    assert f"release 1.0.0: {len(tests) + 4} items" in section
    # n = len(tests) test items, all correct: totals a1 (3+n)/(4+n), a2 (3+n)/(4+n),
    # b1 (1+n)/(4+n), g1 (1+n)/(3+n) (q3 disputed): upper a1, lower b1 (now below g1).
    # train: q1 0.75 (level 2, D a1 C − b1 C = 0), q2 0.25 (level 4, D 1 − 0 = 1),
    # q3 2/3 (level 2, D 1 − 0 = 1), o1 0.5 (level 3, D 0 − 0 = 0): mean share 0.542, mean D 0.5
    assert "| mcq_zh | train | 4 | 0.542 | 0 | 2 | 1 | 1 | 0 | 4 | 0.500 |" in section
    n = len(tests)
    assert f"| mcq_zh | test | {n} | 1.000 | {n} | 0 | 0 | 0 | 0 | {n} | 0.000 |" in section
    assert "test split of `mcq_zh` is saturated" in section
    by_csv_id = {line.split(",")[2]: line for line in shipped.splitlines()[1:]}
    assert [by_csv_id[i] for i in train] == [
        f"mcq_zh,train,{train[0]},4,3,0.7500,2,0.0000",
        f"mcq_zh,train,{train[1]},4,1,0.2500,4,1.0000",
        f"mcq_zh,train,{train[2]},3,2,0.6667,2,1.0000",
        f"mcq_zh,train,{train[3]},4,2,0.5000,3,0.0000",
    ]

    rebuilt = tmp_path / "rebuilt"
    release(paths, "1.1.0", rebuilt)
    for name in ("README.md", "item_stats.csv", "manifest.json"):
        assert (second / name).read_bytes() == (rebuilt / name).read_bytes(), name

    tampered = tmp_path / "tampered"
    shutil.copytree(second, tampered)
    (tampered / "item_stats.csv").write_text(shipped.replace("1.0000", "0.9000"), "utf-8")
    assert any(p.startswith("item_stats.csv: sha256") for p in verify(tampered))
