"""`curate split` (DVC stage) and `curate release …`: frozen splits, versioned releases.

A release is built in a hidden staging folder, verified against its own manifest, and only then
renamed to ``releases/<VERSION>/``; a published version is never overwritten.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import polars as pl

from curation.commands.tasks import declared_tasks, reviewed_instances
from curation.errors import CurationError, InputFileError
from curation.identity import PUBLIC_ID_SCHEME
from curation.params import Params
from curation.paths import ProjectPaths
from curation.release import croissant, gates
from curation.release.card import plot_specialties, render_card, write_code_lists
from curation.release.exports import (
    lm_eval,
    lm_eval_tasks,
    meds_bench,
    meds_bench_tasks,
    opencompass,
    opencompass_tasks,
)
from curation.release.licenses import hf_license, license_table
from curation.release.manifest import (
    build_manifest,
    built_from,
    changelog,
    git_commit,
    sha256,
    source_provenance,
    verify,
    write_json,
    write_manifest,
)
from curation.release.public import config_expr, public_frame
from curation.release.splits import (
    SPLITS,
    assign,
    eligible,
    internal_assignments,
    released_assignments,
    stratum_shares,
)
from curation.secrets import deid_salt, salt_id
from curation.stages.base import ITEM_SCHEMA
from curation.tasks.contract import TASK_CONFIG_PREFIX
from curation.tasks.release import (
    SPLIT_SCHEMA,
    public_task_frame,
    split_instances,
    task_gate_rows,
)
from curation.taxonomy import project_taxonomy

_NUMBER = r"(0|[1-9][0-9]*)"
_IDENTIFIER = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
# strict semver: MAJOR.MINOR.PATCH with an optional pre-release, nothing else (use fullmatch)
SEMVER = re.compile(rf"{_NUMBER}\.{_NUMBER}\.{_NUMBER}(?:-({_IDENTIFIER}(?:\.{_IDENTIFIER})*))?")


class ReleaseRefused(CurationError):
    """A release gate failed: nothing was written."""

    hint = "Fix the items named above (or their review), run `dvc repro`, and release again."


# ---------------------------------------------------------------------------------------- split
def run_split(paths: ProjectPaths, params: Params) -> dict[str, Any]:
    """data/split.parquet (accepted items + split), data/split_tasks.parquet (their task
    instances that have a reference) and reports/splits.json."""
    if not paths.reviewed.is_file():
        raise InputFileError(
            f"{paths.reviewed.relative_to(paths.root)} does not exist",
            hint="Run `dvc repro review_merge` first.",
        )
    reviewed = pl.read_parquet(paths.reviewed)
    mask = eligible(reviewed)
    accepted = reviewed.filter(mask)
    held = reviewed.filter(~mask)
    pinned, test_clusters = internal_assignments(
        *released_assignments(paths.releases), reviewed, deid_salt(paths.root)
    )
    split, rules = assign(accepted.sort("item_id"), params.split, pinned, test_clusters)
    paths.split.parent.mkdir(parents=True, exist_ok=True)
    split.write_parquet(paths.split, statistics=False)
    instances, by_task = split_instances(split, declared_tasks(paths), reviewed_instances(paths))
    instances.write_parquet(paths.split_tasks, statistics=False)
    status = Counter((r or {}).get("status", "unreviewed") for r in held["review"].to_list())
    counts = dict(split.group_by("split").len().sort("split").iter_rows())
    strata = stratum_shares(split, params.split)
    report = {
        "stage": "split",
        "items_in": reviewed.height,
        "eligible": split.height,
        "held_back": held.height,
        "held_back_by_status": dict(sorted(status.items())),
        "by_rule": dict(sorted(rules.items())),
        "splits": counts,
        "shares": {k: round(v / split.height, 4) for k, v in counts.items()}
        if split.height
        else {},
        "targets": params.split.ratios,
        "strata_off_target": [s for s in strata if s["off_target"]],
        "strata": strata,
        "tasks": by_task,
    }
    path = paths.report("splits")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(report, path)
    return report


# -------------------------------------------------------------------------------------- release
def check_version(version: str) -> str:
    """The version if it is strict semver (MAJOR.MINOR.PATCH[-PRE-RELEASE]), else a clear error."""
    if not SEMVER.fullmatch(version):
        raise CurationError(
            f"{version!r} is not a semantic version: MAJOR.MINOR.PATCH with an optional "
            "pre-release, nothing around it",
            hint="For example 1.0.0 or 1.1.0-rc.1.",
        )
    return version


def versions(releases: Path) -> list[str]:
    """Published versions, oldest first."""
    if not releases.is_dir():
        return []
    found = [p.name for p in releases.iterdir() if p.is_dir() and SEMVER.fullmatch(p.name)]
    return sorted(found, key=version_key)


def version_key(version: str) -> tuple[Any, ...]:
    """Semver precedence: 1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-beta < 1.0.0 < 1.0.1."""
    match = SEMVER.fullmatch(version)
    if match is None:
        raise ValueError(f"{version!r} is not a semantic version")
    major, minor, patch, pre = match.groups()
    if pre is None:
        return (int(major), int(minor), int(patch), 1, ())
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (int(major), int(minor), int(patch), 0, parts)


def release_frame(release_dir: Path, split: str | None = None) -> pl.DataFrame | None:
    """The items of a published release (its item configs; task configs are left out)."""
    pattern = f"data/*/{split or '*'}.parquet"
    files = sorted(
        f for f in release_dir.glob(pattern) if not f.parent.name.startswith(TASK_CONFIG_PREFIX)
    )
    if not files:
        return None
    return pl.concat([pl.read_parquet(f) for f in files], how="vertical_relaxed")


def run_release(
    paths: ProjectPaths, params: Params, version: str, output: Path | None = None
) -> dict[str, Any]:
    """Gate, build, verify and publish releases/<version>/ (or `output`, for rebuild checks)."""
    check_version(version)
    target = output or paths.releases / version
    if target.exists():
        raise CurationError(
            f"release {version} already exists at {target}: a published version is never "
            "overwritten",
            hint="Choose a new version number (e.g. bump the patch number).",
        )
    if not paths.split.is_file():
        raise InputFileError(
            f"{paths.split.relative_to(paths.root)} does not exist",
            hint="Run `dvc repro` (the split stage) first.",
        )
    items = pl.read_parquet(paths.split)
    tasks = pl.read_parquet(paths.split_tasks) if paths.split_tasks.is_file() else None
    earlier = [v for v in versions(paths.releases) if version_key(v) < version_key(version)]
    previous = earlier[-1] if earlier else None
    salt = deid_salt(paths.root)
    pinned, _ = internal_assignments(*released_assignments(paths.releases), items, salt)
    previous_train = [release_frame(paths.releases / v, "train") for v in earlier]
    previous_train = [f for f in previous_train if f is not None]

    report = gates.GateReport()
    gates.review_gate(items, report)
    gates.phi_gate(items, params.deid.gate_names(), report)  # none when `gate: off`
    if tasks is not None:  # instances hold item text, cut and joined: screened again
        gates.phi_gate(task_gate_rows(tasks), params.deid.gate_names(), report)
    gates.schema_gate(items, report)
    gates.stability_gate(items, pinned, report)
    gates.leak_gate(
        items,
        pl.concat(previous_train, how="vertical_relaxed")
        if previous_train
        else pl.DataFrame(schema={"item_id": pl.String}),
        params.release.ngram,
        params.release.ngram_overlap,
        report,
        params.dedup,
    )
    gates.license_gate(items, config_expr(), params.release.declare_non_commercial, report)
    if items.is_empty():
        report.add("review", "no item has a final accepting review yet")
    if not report.passed:
        raise ReleaseRefused(f"release {version} refused:\n{report.summary()}")

    staging = target.parent / f".{target.name}.staging"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        manifest = _build(paths, params, version, items, tasks, staging, previous)
        problems = verify(staging, version)
        if problems:
            raise CurationError(
                "the built release does not match its manifest: " + "; ".join(problems[:5])
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _build(
    paths: ProjectPaths,
    params: Params,
    version: str,
    items: pl.DataFrame,
    instances: pl.DataFrame | None,
    out: Path,
    previous: str | None,
) -> dict[str, Any]:
    salt = deid_salt(paths.root)
    frame = public_frame(items.select([*ITEM_SCHEMA.names(), "split"]), salt)
    tasks = public_task_frame(
        instances if instances is not None else pl.DataFrame(schema=SPLIT_SCHEMA), salt
    )
    data_files = []
    for table, key in ((frame, "item_id"), (tasks, "instance_id")):
        for (config, split), group in sorted(table.group_by("config", "split")):
            folder = out / "data" / config
            folder.mkdir(parents=True, exist_ok=True)
            rows = group.drop("config").sort(key)
            rows.write_parquet(folder / f"{split}.parquet", statistics=False)
            rows.write_ndjson(folder / f"{split}.jsonl")
            data_files.append((config, split, f"data/{config}/{split}.parquet"))

    slug = _slug(params.release.name)
    written = lm_eval.lm_eval(frame, out / "exports", slug)
    written += opencompass.opencompass(frame, out / "exports")
    written += meds_bench.meds_bench(
        frame, out / "exports", params.release.name, params.release.homepage
    )
    if tasks.height:
        written += lm_eval_tasks.lm_eval_tasks(tasks, out / "exports", slug)
        written += opencompass_tasks.opencompass_tasks(tasks, out / "exports")
        written += meds_bench_tasks.meds_bench_tasks(
            tasks, out / "exports", params.release.name, params.release.homepage
        )
    plot_specialties(frame, out / "specialty_distribution.png")

    licenses = sorted(frame["license"].unique().to_list())
    table = license_table()
    non_commercial = [x for x in licenses if x in table and not table[x].commercial]
    agreement_path = paths.report("agreement")
    agreement = (
        json.loads(agreement_path.read_text(encoding="utf-8")) if agreement_path.is_file() else {}
    )
    meta = {
        "name": params.release.name,
        "version": version,
        "description": params.release.description.strip(),
        "homepage": params.release.homepage,
        "citation": params.release.citation,
        "hf_license": hf_license(set(licenses)),
        "licenses": licenses,
        "languages": sorted(frame["language"].unique().to_list()),
        "non_commercial": non_commercial,
        "agreement": agreement,
    }
    taxonomy = project_taxonomy(paths.root)
    code_lists = write_code_lists(taxonomy, out)  # taxonomy/*.csv: code → zh, en
    graded = _graded_stats(paths, frame, tasks, out)
    card = render_card(frame, meta, taxonomy, tasks=tasks, item_stats=graded)
    (out / "README.md").write_text(card, encoding="utf-8")
    croissant.write(
        croissant.croissant(
            out, [(c, s, rel, sha256(out / rel)) for c, s, rel in data_files], meta, code_lists
        ),
        out / "croissant.json",
    )
    before = release_frame(paths.releases / previous) if previous else None
    text, summary = changelog(frame, before, version, previous)
    (out / "CHANGELOG.md").write_text(text, encoding="utf-8")

    sources = dict(frame.select("source", "license").unique().sort("source").iter_rows())
    manifest = build_manifest(
        out,
        version,
        {
            "sources": source_provenance(paths.root, sources),
            "params": {
                "split": params.split.model_dump(),
                "review": params.review.model_dump(
                    include={"overlap", "required_reviews", "majority", "decisive_fields"},
                    mode="json",
                ),
                "dedup": params.dedup.model_dump(mode="json"),
                "deid_gate": params.deid.gate_names() or "off",
            },
            "id_scheme": PUBLIC_ID_SCHEME,
            "salt_id": salt_id(paths.root),
            "git_commit": git_commit(paths.root),
            "built_from": built_from(paths.root, paths.split),
            "configs": sorted(frame["config"].unique().to_list()),
            "counts": {s: int((frame["split"] == s).sum()) for s in SPLITS},
            "task_configs": sorted(tasks["config"].unique().to_list()),
            "task_counts": {s: int((tasks["split"] == s).sum()) for s in SPLITS},
            "changes": {k: len(v) for k, v in summary.items() if isinstance(v, list)},
            "previous": previous,
        },
    )
    write_manifest(manifest, out)
    return manifest


def _graded_stats(
    paths: ProjectPaths, frame: pl.DataFrame, tasks: pl.DataFrame, out: Path
) -> list[str]:
    """The card's item statistics section, and item_stats.csv in the release, from the graded
    answers (data/grading/item_stats.parquet) to the released ids; none without them."""
    from curation.release import grading_card

    path = paths.root / grading_card.ITEM_STATS
    if not path.is_file():
        return []
    released = pl.concat(
        [
            frame.select(pl.col("item_id").alias("id"), "config", "split"),
            tasks.select(pl.col("instance_id").alias("id"), "config", "split"),
        ]
    )
    stats = grading_card.released_stats(grading_card.read_item_stats(path), released, version_key)
    if stats is None:
        return []
    grading_card.write_item_stats_csv(stats, out / grading_card.ITEM_STATS_CSV)
    return grading_card.item_stats_section(stats)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "medcurate"


# -------------------------------------------------------------------------------------- publish
def run(cmd: list[str], cwd: Path) -> str:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise CurationError(f"`{' '.join(cmd)}` failed: {done.stderr.strip()[-500:]}")
    return done.stdout


def publish(paths: ProjectPaths, params: Params, version: str) -> list[str]:
    """Track releases/<version> with DVC, push it to the remote, commit and tag it in git."""
    release = paths.releases / check_version(version)
    if not release.is_dir():
        raise CurationError(f"release {version} does not exist", hint="Run `curate release` first.")
    problems = verify(release, version)
    if problems:
        raise CurationError(
            f"release {version} differs from its manifest: " + "; ".join(problems[:5])
        )
    dvc = [sys.executable, "-m", "dvc"]
    done = []
    run([*dvc, "add", f"releases/{version}"], paths.root)
    done.append(f"dvc add releases/{version}")
    remotes = run([*dvc, "remote", "list"], paths.root).split()
    if remotes:
        run(
            [
                *dvc,
                "push",
                f"releases/{version}.dvc",
                *(["-r", params.release.remote] if params.release.remote else []),
            ],
            paths.root,
        )
        done.append("dvc push")
    run(["git", "add", f"releases/{version}.dvc", "releases/.gitignore"], paths.root)
    run(["git", "commit", "-q", "-m", f"Release {version}"], paths.root)
    run(["git", "tag", "-a", f"v{version}", "-m", f"MedCurate release {version}"], paths.root)
    done += ["git commit", f"git tag v{version}"]
    return done
