"""Frozen splits and versioned releases: stability, reproducibility, gates, card, exports."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import yaml

from curation.commands.release import (
    ReleaseRefused,
    publish,
    run_release,
    run_split,
    version_key,
)
from curation.errors import CurationError
from curation.identity import item_id, public_id
from curation.params import load_params
from curation.paths import ProjectPaths
from curation.release.croissant import load_records
from curation.release.manifest import verify, write_json, write_manifest
from curation.release.splits import SplitConfig, assign, hashed_split
from curation.stages.base import ITEM_SCHEMA
from tests.review_fixtures import accepted, make_item

# random CJK characters: synthetic questions that share no 13-grams by accident
POOL = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]


def question(rng: random.Random) -> str:
    return "".join(rng.choice(POOL) for _ in range(40)) + "？"


def items(n: int, seed: int = 0, prefix: str = "q", **more) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for k in range(n):
        row = make_item(
            f"{prefix}{k:04d}",
            question=question(rng),
            specialty=rng.choice(["03.01", "03.04", "04.03"]),
            **more,
        )
        rows.append(accepted(row | {"cluster_id": f"c-{prefix}{k:04d}"}))
    return rows


SALT = "release-test-salt"


def project(root: Path, rows: list[dict], **release) -> ProjectPaths:
    paths = ProjectPaths(root)
    params = {"project": {"name": "t"}, "release": {"name": "Test bench", **release}}
    root.mkdir(parents=True, exist_ok=True)
    paths.params_file.write_text(yaml.safe_dump(params), encoding="utf-8")
    (root / ".env").write_text(f"MEDCURATE_DEID_SALT={SALT}\n", encoding="utf-8")
    write_reviewed(paths, rows)
    return paths


def write_reviewed(paths: ProjectPaths, rows: list[dict]) -> None:
    paths.reviewed.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(rows, schema=ITEM_SCHEMA).write_parquet(paths.reviewed)


def release(paths: ProjectPaths, version: str, output: Path | None = None) -> dict:
    params = load_params(paths.params_file)
    run_split(paths, params)
    return run_release(paths, params, version, output)


def splits_of(release_dir: Path) -> dict[str, str]:
    frame = pl.concat([pl.read_parquet(p) for p in release_dir.glob("data/*/*.parquet")])
    return dict(frame.select("item_id", "split").iter_rows())


def test_split_is_a_stable_hash_of_the_cluster() -> None:
    config = SplitConfig()
    shares = [hashed_split(config, f"c{k}") for k in range(5000)]
    assert abs(shares.count("test") / 5000 - 0.1) < 0.02
    frame = pl.DataFrame(
        [
            accepted(make_item("a")) | {"cluster_id": "same"},
            accepted(make_item("b", question="另一题？")) | {"cluster_id": "same"},
        ],
        schema=ITEM_SCHEMA,
    )
    out, _ = assign(frame, config)
    assert out["split"].n_unique() == 1  # one cluster, one split
    moved, why = assign(
        frame,
        SplitConfig(ratios={"train": 0.0, "dev": 0.0, "test": 1.0}),
        pinned_items={frame["item_id"][0]: "train"},
    )
    assert moved["split"].to_list() == ["train", "test"]
    assert why == {"pinned_by_release": 1, "hash": 1}


def test_adding_and_editing_items_never_moves_one(tmp_path: Path) -> None:
    rows = items(200)
    paths = project(tmp_path, rows)
    first = release(paths, "1.0.0")
    assert first["counts"]["train"] > first["counts"]["test"] > 0

    rng = random.Random(1)
    edited = {k: rows[k]["item_id"] for k in (3, 50, 120)}
    for k in edited:
        rows[k] = accepted(
            make_item(f"q{k:04d}", question=question(rng)) | {"cluster_id": rows[k]["cluster_id"]}
        )
    new = items(20, seed=2, prefix="n")
    write_reviewed(paths, rows + new)
    second = release(paths, "1.1.0")

    before = splits_of(paths.releases / "1.0.0")
    after = splits_of(paths.releases / "1.1.0")
    assert all(after[i] == s for i, s in before.items())  # no item changed split
    log = (paths.releases / "1.1.0" / "CHANGELOG.md").read_text()
    salt = SALT.encode()
    added = sorted(public_id(salt, r["item_id"]) for r in new)  # released under public ids
    assert log.split("## Added (20)")[1].split("##")[0].split() == [
        x for i in added for x in ("-", i)
    ]
    assert sorted(log.split("## Changed (3)")[1].split()[1::2]) == sorted(
        public_id(salt, i) for i in edited.values()
    )
    assert "## Removed (0)" in log
    assert second["changes"] == {"added": 20, "changed": 3, "removed": 0}
    assert second["previous"] == "1.0.0"


def test_rebuild_is_byte_identical_and_verify_catches_tampering(tmp_path: Path) -> None:
    paths = project(tmp_path / "p", items(60))
    release(paths, "1.0.0")
    published = paths.releases / "1.0.0"
    assert verify(published) == []
    shutil.rmtree(paths.root / "data" / "split.parquet", ignore_errors=True)
    rebuilt = tmp_path / "rebuilt"
    release(paths, "1.0.0", rebuilt)
    files = sorted(p.relative_to(published) for p in published.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(rebuilt) for p in rebuilt.rglob("*") if p.is_file())
    for name in files:
        assert (published / name).read_bytes() == (rebuilt / name).read_bytes(), name

    target = next(published.glob("data/*/test.jsonl"))
    target.write_text(target.read_text() + "\n", encoding="utf-8")
    problems = verify(published)
    assert any(str(target.relative_to(published)) in p and "sha256" in p for p in problems)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project (with a dvc.lock) and its release 1.0.0, built once; tests tamper copies."""
    root = tmp_path_factory.mktemp("built")
    paths = project(root, items(40))
    params = load_params(paths.params_file)
    run_split(paths, params)
    out = {"path": "data/split.parquet", "hash": "md5", "md5": md5(paths.split)}
    lock = {"schema": "2.0", "stages": {"split": {"cmd": "curate split", "outs": [out]}}}
    (root / "dvc.lock").write_text(yaml.safe_dump(lock), encoding="utf-8")
    run_release(paths, params, "1.0.0")
    return root


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def copy_release(built: Path, tmp_path: Path) -> Path:
    target = tmp_path / "1.0.0"
    shutil.copytree(built / "releases" / "1.0.0", target)
    return target


def edit_manifest(release_dir: Path, edit, checksum: bool = True) -> None:
    """Edit manifest.json in place; with checksum, also rewrite manifest.sha256 to match."""
    manifest = json.loads((release_dir / "manifest.json").read_text(encoding="utf-8"))
    edit(manifest)
    if checksum:
        write_manifest(manifest, release_dir)
    else:
        write_json(manifest, release_dir / "manifest.json")


def test_manifest_is_checksummed_and_names_what_it_was_built_from(built: Path) -> None:
    published = built / "releases" / "1.0.0"
    line = (published / "manifest.sha256").read_text(encoding="utf-8")
    digest = hashlib.sha256((published / "manifest.json").read_bytes()).hexdigest()
    assert line == f"{digest}  manifest.json\n"  # what `sha256sum -c manifest.sha256` reads
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "-c", "--quiet", "manifest.sha256"], cwd=published, check=True)
    manifest = json.loads((published / "manifest.json").read_text(encoding="utf-8"))
    split = md5(built / "data" / "split.parquet")  # DVC's hash of the file
    assert manifest["built_from"] == {
        "path": "data/split.parquet",
        "md5": split,
        "in_dvc_lock": True,
    }
    assert manifest["git_commit"] is None  # not a git repository
    assert "manifest.sha256" not in manifest["files"]
    assert verify(published, "1.0.0") == []


@pytest.mark.parametrize(
    ("field", "edit"),
    [
        ("counts.test", lambda m: m["counts"].update(test=m["counts"]["test"] + 1)),
        ("counts.dev", lambda m: m["counts"].update(dev=0)),
        ("version", lambda m: m.update(version="1.0.1")),
        ("configs", lambda m: m["configs"].append("qa_en")),
        ("sources", lambda m: m["sources"][0].update(license="CC-BY-4.0")),
        ("previous", lambda m: m.update(previous="0.9.0")),
        ("changes.removed", lambda m: m["changes"].update(removed=3)),
    ],
)
def test_verify_catches_manifest_fields_edited_with_a_new_checksum(
    built: Path, tmp_path: Path, field: str, edit
) -> None:
    release_dir = copy_release(built, tmp_path)
    edit_manifest(release_dir, edit)
    problems = verify(release_dir, "1.0.0")
    assert any(p.startswith(f"manifest.json: {field} is ") for p in problems), problems


def test_verify_catches_metadata_edited_without_the_checksum(built: Path, tmp_path: Path) -> None:
    release_dir = copy_release(built, tmp_path)
    edit_manifest(release_dir, lambda m: m.update(git_commit="0" * 40), checksum=False)
    problems = verify(release_dir, "1.0.0")
    assert len(problems) == 1 and "manifest.json: sha256" in problems[0], problems
    assert "manifest.sha256" in problems[0]
    (release_dir / "manifest.sha256").unlink()
    assert verify(release_dir, "1.0.0") == ["manifest.sha256: missing (the manifest's checksum)"]


def test_verify_catches_a_data_file_tampered_with_its_manifest_entry(
    built: Path, tmp_path: Path
) -> None:
    """Edited question: parquet and JSONL rewritten alike, their manifest entries and checksum
    updated; the checksum croissant.json records gives it away. Dropped row: the counts."""
    from typer.testing import CliRunner

    from curation.cli import app
    from curation.release.manifest import file_entries

    release_dir = copy_release(built, tmp_path)
    data = release_dir / "data" / "mcq_zh"
    test = pl.read_parquet(data / "test.parquet")
    tampered = test.with_columns(question=pl.col("question") + "（改）")

    def rewrite(frame: pl.DataFrame) -> None:
        frame.write_parquet(data / "test.parquet", statistics=False)
        frame.write_ndjson(data / "test.jsonl")
        entries = file_entries(release_dir)
        edit_manifest(release_dir, lambda m: m["files"].update(entries))

    rewrite(tampered)
    problems = verify(release_dir, "1.0.0")
    assert problems == ["croissant.json: sha256 of data/mcq_zh/test.parquet differs from the file"]

    rewrite(tampered.slice(1))
    problems = verify(release_dir, "1.0.0")
    assert f"manifest.json: counts.test is {test.height}, data/ says {test.height - 1}" in problems
    assert "CHANGELOG.md: items per split differ from the data files" in problems

    shutil.copytree(release_dir, tmp_path / "p" / "releases" / "1.0.0")
    result = CliRunner().invoke(
        app, ["release", "verify", "1.0.0", "--root", str(tmp_path / "p")], terminal_width=200
    )
    assert result.exit_code == 1
    assert "data/mcq_zh/test.parquet differs" in result.output
    assert "counts.test" in result.output


def test_verify_catches_a_jsonl_file_that_disagrees_with_its_parquet(
    built: Path, tmp_path: Path
) -> None:
    from curation.release.manifest import file_entries

    release_dir = copy_release(built, tmp_path)
    jsonl = release_dir / "data" / "mcq_zh" / "dev.jsonl"
    jsonl.write_text(jsonl.read_text(encoding="utf-8").replace("？", "?", 1), encoding="utf-8")
    entries = file_entries(release_dir)
    edit_manifest(release_dir, lambda m: m["files"].update(entries))
    assert verify(release_dir) == ["data/mcq_zh/dev.jsonl: differs from data/mcq_zh/dev.parquet"]


def test_verify_reports_unreadable_files_without_crashing(built: Path, tmp_path: Path) -> None:
    release_dir = copy_release(built, tmp_path)
    (release_dir / "data" / "mcq_zh" / "dev.parquet").write_bytes(b"not parquet")
    problems = verify(release_dir, "1.0.0")
    assert any(p.startswith("data/mcq_zh/dev.parquet: sha256 ") for p in problems)
    assert "data/mcq_zh/dev.parquet: not a release data file" in "\n".join(problems)
    (release_dir / "manifest.json").write_text("{", encoding="utf-8")
    problems = verify(release_dir, "1.0.0")
    assert problems[0].startswith("manifest.json: sha256 ")
    assert problems[1] == "manifest.json: not a manifest (no `files` table)"


@pytest.mark.parametrize(
    "bad",
    [
        "1.0.0\n",
        "1.0.0 ",
        " 1.0.0",
        "v1.0.0",
        "1.0",
        "1.0.0.0",
        "01.0.0",
        "1.0.0+build.5",
        "1.0.0-",
        "1.0.0-rc..1",
        "1.0.0-01",
        "\uff11.0.0",
        "1.0.0/../2.0.0",
    ],
)
def test_versions_are_strict_semver(tmp_path: Path, bad: str) -> None:
    from typer.testing import CliRunner

    from curation.cli import app

    paths = project(tmp_path, items(5))
    run_split(paths, load_params(paths.params_file))
    runner = CliRunner()
    for args in (["release", bad], ["release", "verify", bad], ["release", "publish", bad]):
        result = runner.invoke(app, [*args, "--root", str(paths.root)], terminal_width=200)
        assert result.exit_code == 1, (args, result.output)
        assert "is not a semantic version" in result.output
    assert not paths.releases.exists()


def test_pre_release_versions_sort_before_their_release(tmp_path: Path) -> None:
    ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2"]
    ordered += ["1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.10.0", "2.0.0"]
    assert sorted(reversed(ordered), key=version_key) == ordered
    paths = project(tmp_path, items(30))
    assert release(paths, "1.0.0-rc.1")["built_from"]["in_dvc_lock"] is None  # no dvc.lock
    assert release(paths, "1.0.0")["previous"] == "1.0.0-rc.1"
    assert verify(paths.releases / "1.0.0-rc.1", "1.0.0-rc.1") == []


def refused(paths: ProjectPaths, version: str = "1.0.0") -> str:
    with pytest.raises(ReleaseRefused) as caught:
        release(paths, version)
    assert not (paths.releases / version).exists()  # nothing written
    return str(caught.value)


def test_gate_refuses_unreviewed_items(tmp_path: Path) -> None:
    rows = items(30)
    paths = project(tmp_path, rows)
    run_split(paths, load_params(paths.params_file))
    split = pl.read_parquet(paths.split)
    pending = split["item_id"][4]
    split = split.with_columns(
        review=pl.when(pl.col("item_id") == pending)
        .then(pl.col("review").struct.with_fields(pl.lit("pending").alias("status")))
        .otherwise(pl.col("review"))
    )
    split.write_parquet(paths.split)
    with pytest.raises(ReleaseRefused, match=f"review pending.*{pending}"):
        run_release(paths, load_params(paths.params_file), "1.0.0")


def test_gate_refuses_planted_phi(tmp_path: Path) -> None:
    rows = items(30)
    leak = accepted(make_item("leak", question="患者电话13812345678，诊断是？"))
    message = refused(project(tmp_path, [*rows, leak]))
    assert "[phi]" in message and leak["item_id"] in message and "13812345678" not in message


def test_gate_refuses_a_train_test_near_duplicate(tmp_path: Path) -> None:
    rows = items(80)
    paths = project(tmp_path, rows)
    run_split(paths, load_params(paths.params_file))
    split = pl.read_parquet(paths.split)
    test_row = split.filter(pl.col("split") == "test").row(0, named=True)
    twin = accepted(make_item("twin", question=test_row["question"] + "（重复）")) | {
        "cluster_id": "c-twin-elsewhere"
    }
    twin_split, _ = assign(
        pl.DataFrame([twin], schema=ITEM_SCHEMA),
        SplitConfig(ratios={"train": 1.0, "dev": 0.0, "test": 0.0}),
    )
    pl.concat([split, twin_split]).write_parquet(paths.split)
    with pytest.raises(ReleaseRefused, match="contamination") as caught:
        run_release(paths, load_params(paths.params_file), "1.0.0")
    assert test_row["item_id"] in str(caught.value) and twin["item_id"] in str(caught.value)


def test_gate_refuses_test_items_seen_in_a_previous_release_train(tmp_path: Path) -> None:
    rows = items(60)
    paths = project(tmp_path, rows)
    release(paths, "1.0.0")
    train = next(
        iter(
            pl.read_parquet(
                next((paths.releases / "1.0.0").glob("data/*/train.parquet"))
            ).iter_rows(named=True)
        )
    )
    copy = accepted(make_item("copy", question=train["question"], source="eval")) | {
        "cluster_id": "c-copy"
    }
    write_reviewed(paths, [*rows, copy])
    params = load_params(paths.params_file)
    params = params.model_copy(update={"split": SplitConfig(test_only_sources=["eval"])})
    run_split(paths, params)
    with pytest.raises(ReleaseRefused, match="previous release's train") as caught:
        run_release(paths, params, "1.1.0")
    assert copy["item_id"] in str(caught.value)


def test_license_gate_needs_a_non_commercial_notice(tmp_path: Path) -> None:
    rows = items(30) + [
        accepted(r | {"license": "CC-BY-NC-4.0"}) for r in items(10, seed=5, source="nc")
    ]
    message = refused(project(tmp_path / "a", rows))
    assert "[license]" in message and "nc" in message and "declare_non_commercial" in message
    paths = project(tmp_path / "b", rows, declare_non_commercial=True)
    release(paths, "1.0.0")
    assert "Non-commercial use only" in (paths.releases / "1.0.0" / "README.md").read_text()


def test_license_gate_refuses_incompatible_share_alike(tmp_path: Path) -> None:
    rows = [accepted(r | {"license": "CC-BY-SA-4.0"}) for r in items(10)] + [
        accepted(r | {"license": "CC-BY-NC-4.0"}) for r in items(10, seed=5, source="nc")
    ]
    message = refused(project(tmp_path, rows, declare_non_commercial=True))
    assert "share-alike" in message


def test_published_versions_are_never_overwritten(tmp_path: Path) -> None:
    paths = project(tmp_path, items(30))
    release(paths, "1.0.0")
    with pytest.raises(CurationError, match="never overwritten"):
        release(paths, "1.0.0")
    with pytest.raises(CurationError, match="semantic version"):
        release(paths, "v2")


def test_card_plot_croissant_and_exports_load_back(tmp_path: Path, monkeypatch) -> None:
    rows = (
        items(50)
        + [
            accepted(
                make_item(f"m{k}", question=question(random.Random(k + 99)), answer=["A", "C"])
            )
            for k in range(3)
        ]
        + [
            accepted(
                make_item(
                    f"r{k}",
                    kind="record",
                    language="en",
                    context=f"Patient {k} presents with chest pain " + "x" * k * 7,
                )
            )
            for k in range(5)
        ]
    )
    paths = project(tmp_path, rows)
    release(paths, "1.0.0")
    out = paths.releases / "1.0.0"

    card = (out / "README.md").read_text(encoding="utf-8")
    header = yaml.safe_load(card.split("---")[1])
    assert {c["config_name"] for c in header["configs"]} == {"mcq_zh", "record_en"}
    assert header["license"] == "cc0-1.0" and header["language"] == ["en", "zh"]
    assert "| mcq_zh |" in card and "## Citation" in card
    assert (out / "specialty_distribution.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    test = pl.read_parquet(out / "data/mcq_zh/test.parquet")
    records = load_records(out / "croissant.json", "mcq_zh-test")
    assert sorted(records, key=lambda r: r["item_id"]) == test.sort("item_id").to_dicts()
    assert "## Fields" in card and "| `options[].label` | string |" in card

    mcq = pl.concat([pl.read_parquet(p) for p in out.glob("data/mcq_zh/*.parquet")])
    single = mcq.filter(pl.col("answer_labels").list.len() == 1)
    task = yaml.safe_load(
        next((out / "exports/lm_eval/mcq_zh").glob("*.yaml")).read_text(encoding="utf-8")
    )
    assert task["output_type"] == "multiple_choice" and task["test_split"] == "test"
    docs = [
        json.loads(line)
        for split in task["dataset_kwargs"]["data_files"].values()
        for line in (out / "exports/lm_eval/mcq_zh" / split).read_text().splitlines()
    ]
    assert len(docs) == single.height
    assert all(d["choices"][d["answer"]] in "ABCD" for d in docs)
    opencompass = [
        json.loads(line)
        for path in out.glob("exports/opencompass/mcq_zh_*.jsonl")
        for line in path.read_text().splitlines()
    ]
    assert len(opencompass) == single.height  # multi-answer keys: OpenCompass cannot score them
    assert {r["answer"] for r in opencompass} == {"A"}
    meds = json.loads((out / "exports/meds_bench/test/task9011_mcq_zh.json").read_text())
    single_test = test.filter(pl.col("answer_labels").list.len() == 1)
    assert len(meds["Instances"]) == single_test.height and meds["Definition"]

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")  # local files only, never the Hub
    from datasets import load_dataset

    files = {
        c["split"]: str(out / c["path"])
        for c in next(x for x in header["configs"] if x["config_name"] == "mcq_zh")["data_files"]
    }
    loaded = load_dataset("parquet", data_files=files, cache_dir=str(tmp_path / "hf"))
    assert sum(len(loaded[s]) for s in loaded) == mcq.height


def test_publish_tracks_with_dvc_pushes_and_tags(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "repo"
    paths = project(root, items(30))

    def sh(*cmd: str) -> str:
        env = dict(
            os.environ,
            DVC_NO_ANALYTICS="1",
            GIT_AUTHOR_NAME="t",
            GIT_AUTHOR_EMAIL="t@t",
            GIT_COMMITTER_NAME="t",
            GIT_COMMITTER_EMAIL="t@t",
        )
        done = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    sh("git", "init", "-q")
    sh(sys.executable, "-m", "dvc", "init", "-q")
    sh(sys.executable, "-m", "dvc", "remote", "add", "-d", "local", str(tmp_path / "remote"))
    sh("git", "add", "-A")
    sh("git", "commit", "-qm", "init")
    release(paths, "1.0.0")
    for key in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.setenv(key, "t")
    for key in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(key, "t@t")
    steps = publish(paths, load_params(paths.params_file), "1.0.0")
    assert steps[:2] == ["dvc add releases/1.0.0", "dvc push"]
    assert "v1.0.0" in sh("git", "tag")
    assert "releases/1.0.0.dvc" in sh("git", "show", "--name-only", "--format=", "HEAD")
    assert any((tmp_path / "remote").rglob("*"))  # the files are in the DVC remote
    shutil.rmtree(paths.releases / "1.0.0")
    sh(sys.executable, "-m", "dvc", "pull", "-q", "releases/1.0.0.dvc")
    assert verify(paths.releases / "1.0.0") == []  # restored from the remote, intact


def test_strata_off_target_are_those_beyond_chance() -> None:
    from curation.release.splits import stratum_shares

    def rows(n: int, specialty: str, test_share: float) -> list[dict]:
        out = []
        for k in range(n):
            row = accepted(make_item(f"{specialty}-{k}", specialty=specialty))
            split = (
                "test" if k < n * test_share else "dev" if k < n * (test_share + 0.1) else "train"
            )
            out.append(row | {"split": split})
        return out

    frame = pl.DataFrame(
        rows(400, "03.01", 0.30) + rows(25, "03.04", 0.24) + rows(400, "04.03", 0.11),
        schema={**ITEM_SCHEMA, "split": pl.String},
    )
    strata = {s["specialty"]: s for s in stratum_shares(frame, SplitConfig())}
    assert strata["03.01"]["off_target"] == {"test": 0.2, "train": -0.2}  # far beyond chance
    assert strata["03.04"]["off_target"] == {}  # 25 items: 0.24 is within chance
    assert strata["04.03"]["off_target"] == {}
    assert strata["03.01"]["shares"]["test"] == 0.3


def test_cli_release_errors_are_clear(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from curation.cli import app

    paths = project(tmp_path, items(5))
    runner = CliRunner()
    missing = runner.invoke(app, ["release", "verify", "--root", str(paths.root)])
    assert missing.exit_code == 1 and "needs a VERSION" in missing.output
    absent = runner.invoke(app, ["release", "verify", "9.9.9", "--root", str(paths.root)])
    # the message wraps at the terminal's width, wherever the temporary path ends
    assert absent.exit_code == 1 and "does not exist" in " ".join(absent.output.split())
    unsplit = runner.invoke(app, ["release", "1.0.0", "--root", str(paths.root)])
    assert unsplit.exit_code == 1 and "split" in unsplit.output


def test_released_ids_are_keyed_with_the_project_secret(tmp_path: Path) -> None:
    """A record key (an MRN, a 住院号) cannot be walked back from a released id: releases
    carry an HMAC of the internal id under the salt, never sha256(source, key)."""
    rows = items(40)
    paths = project(tmp_path, rows)
    manifest = release(paths, "1.0.0")
    released = set(splits_of(paths.releases / "1.0.0"))
    internal = {r["item_id"] for r in rows} | {
        item_id(r["source"], r["source_record_key"]) for r in rows
    }
    assert released and not released & internal
    assert released == {public_id(SALT.encode(), r["item_id"]) for r in rows}
    clusters = pl.concat(
        [pl.read_parquet(p) for p in (paths.releases / "1.0.0").glob("data/*/*.parquet")]
    )["cluster_id"]
    assert not set(clusters) & {r["cluster_id"] for r in rows}
    assert "hmac" in manifest["id_scheme"] and manifest["salt_id"]
    exported = (paths.releases / "1.0.0" / "exports").rglob("*.jsonl")
    text = "".join(p.read_text(encoding="utf-8") for p in exported)
    assert not any(i in text for i in internal)


@pytest.mark.parametrize("legacy", [False, True])
def test_released_splits_pin_items_under_either_id(tmp_path: Path, legacy: bool) -> None:
    """A release pins its items' splits by their public ids; one made before public ids (that
    named items by their internal id) still pins them: an existing project keeps its splits."""
    rows = items(120)
    paths = project(tmp_path, rows)
    release(paths, "1.0.0")
    public = {public_id(SALT.encode(), r["item_id"]): r["item_id"] for r in rows}
    public |= {public_id(SALT.encode(), r["cluster_id"]): r["cluster_id"] for r in rows}
    for path in (paths.releases / "1.0.0").glob("data/*/*.parquet"):
        frame = pl.read_parquet(path).with_columns(
            pl.col("item_id").replace_strict(public), pl.col("cluster_id").replace_strict(public)
        )
        if legacy:  # as a release written before public ids
            frame.write_parquet(path)
    legacy_or_public = splits_of(paths.releases / "1.0.0")
    released = {public.get(k, k): split for k, split in legacy_or_public.items()}
    params = paths.params_file.read_text(encoding="utf-8")
    paths.params_file.write_text(
        params + "split:\n  ratios: {train: 0.0, dev: 0.0, test: 1.0}\n", encoding="utf-8"
    )
    run_split(paths, load_params(paths.params_file))
    now = dict(pl.read_parquet(paths.split).select("item_id", "split").iter_rows())
    assert now == released  # every item kept its split, though the ratios now say all test
    assert set(released.values()) != {"test"}
