"""manifest.json (checksums, row counts, provenance), `release verify`, and the changelog."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from curation import __version__
from curation.models import SCHEMA_VERSION
from curation.release.splits import SPLITS
from curation.tasks.contract import TASK_CONFIG_PREFIX

MANIFEST = "manifest.json"
CHECKSUM = "manifest.sha256"  # the manifest's own checksum, a `sha256sum -c` line


def sha256(path: Path, algorithm: str = "sha256") -> str:
    digest = hashlib.new(algorithm)
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def rows_of(path: Path) -> int | None:
    """Row count of a data file (parquet rows, JSONL lines); None for other or unreadable files."""
    if path.suffix == ".parquet":
        try:
            return pl.scan_parquet(path).select(pl.len()).collect().item()
        except pl.exceptions.PolarsError:
            return None
    if path.suffix == ".jsonl":
        with path.open("rb") as fh:
            return sum(1 for _ in fh)
    return None


#: Folders a consumer's run may leave in a release (Python's bytecode cache, beside the lm-eval
#: loader): caches, not content; neither listed nor verified.
CACHE_DIRS = frozenset({"__pycache__"})


def file_entries(release_dir: Path) -> dict[str, dict[str, Any]]:
    """sha256 (and rows) of every file in a release but the manifest, its checksum and caches."""
    entries = {}
    for path in sorted(p for p in release_dir.rglob("*") if p.is_file()):
        relative = path.relative_to(release_dir).as_posix()
        if relative in (MANIFEST, CHECKSUM) or CACHE_DIRS.intersection(
            path.relative_to(release_dir).parts[:-1]
        ):
            continue
        entry: dict[str, Any] = {"sha256": sha256(path), "bytes": path.stat().st_size}
        rows = rows_of(path)
        if rows is not None:
            entry["rows"] = rows
        entries[relative] = entry
    return entries


def _locked_stages(root: Path) -> dict[str, Any] | None:
    """The stages of dvc.lock (None without one)."""
    path = root / "dvc.lock"
    if not path.is_file():
        return None
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("stages", {})


def source_provenance(root: Path, sources: dict[str, str]) -> list[dict[str, Any]]:
    """Each released source with its license and the DVC hashes of its raw files (dvc.lock)."""
    stages = _locked_stages(root) or {}
    out = []
    for source, license_ in sorted(sources.items()):
        deps = stages.get(f"ingest@{source}", {}).get("deps", [])
        raw = [
            {"path": d["path"], "md5": d.get("md5"), "size": d.get("size")}
            for d in deps
            if str(d.get("path", "")).startswith("raw")
        ]
        out.append({"source": source, "license": license_, "raw_files": raw})
    return out


def git_commit(root: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip()


def built_from(root: Path, split: Path) -> dict[str, Any]:
    """The data a release is built from: the split file and its md5 (DVC's hash of it), and
    whether dvc.lock records that md5 for it (None without a dvc.lock)."""
    relative, md5 = split.relative_to(root).as_posix(), sha256(split, "md5")
    stages = _locked_stages(root)
    locked = (
        None
        if stages is None
        else any(
            out.get("path") == relative and out.get("md5") == md5
            for stage in stages.values()
            for out in stage.get("outs", [])
        )
    )
    return {"path": relative, "md5": md5, "in_dvc_lock": locked}


def build_manifest(release_dir: Path, version: str, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": version,
        "schema_version": SCHEMA_VERSION,
        "code_version": f"medcurate {__version__}",
        **extra,
        "files": file_entries(release_dir),
    }


def write_json(document: dict[str, Any], path: Path) -> None:
    path.write_text(
        json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def write_manifest(manifest: dict[str, Any], release_dir: Path) -> None:
    """manifest.json and its detached checksum manifest.sha256 (`sha256sum -c` reads it)."""
    write_json(manifest, release_dir / MANIFEST)
    (release_dir / CHECKSUM).write_text(
        f"{sha256(release_dir / MANIFEST)}  {MANIFEST}\n", encoding="utf-8"
    )


def verify(release_dir: Path, version: str | None = None) -> list[str]:
    """Differences between a release and its manifest (empty: intact).

    Checks the manifest against manifest.sha256, every file's sha256, bytes and rows, and every
    manifest field the files determine (see `recomputed_fields`).
    """
    if not release_dir.is_dir():
        return [f"release folder {release_dir} does not exist"]
    manifest_path = release_dir / MANIFEST
    if not manifest_path.is_file():
        return [f"{manifest_path} is missing"]
    problems = _checksum_problems(release_dir)
    manifest = _read_json(manifest_path)
    recorded = manifest.get("files") if manifest is not None else None
    if not isinstance(recorded, dict):
        return [*problems, f"{MANIFEST}: not a manifest (no `files` table)"]
    found = file_entries(release_dir)
    for name in sorted(set(recorded) | set(found)):
        if name not in found:
            problems.append(f"{name}: missing")
        elif name not in recorded:
            problems.append(f"{name}: not in the manifest")
        else:
            entry = recorded[name] if isinstance(recorded[name], dict) else {}
            for key in ("sha256", "rows", "bytes"):
                if entry.get(key) != found[name].get(key):
                    problems.append(
                        f"{name}: {key} {found[name].get(key)} != recorded {entry.get(key)}"
                    )
    return problems + _field_problems(release_dir, manifest, version)


def _checksum_problems(release_dir: Path) -> list[str]:
    path = release_dir / CHECKSUM
    if not path.is_file():
        return [f"{CHECKSUM}: missing (the manifest's checksum)"]
    line = re.fullmatch(
        rf"([0-9a-f]{{64}})  {re.escape(MANIFEST)}\n", path.read_text("utf-8", "replace")
    )
    if line is None:
        return [f"{CHECKSUM}: not a `<sha256>  {MANIFEST}` line"]
    actual = sha256(release_dir / MANIFEST)
    if line.group(1) != actual:
        return [f"{MANIFEST}: sha256 {actual} != recorded {line.group(1)} in {CHECKSUM}"]
    return []


def recomputed_fields(release_dir: Path) -> tuple[list[tuple[str, Any, str]], list[str]]:
    """(field, value, file it comes from) for every manifest field the release's files determine
    (configs, sources, counts, croissant's version, previous and changes from CHANGELOG.md), and
    the files' own inconsistencies: each data parquet against its split, its JSONL twin,
    croissant.json's checksums (of every file it lists; every data parquet must be listed) and
    CHANGELOG.md's table."""
    problems = []
    frames, task_frames, digests = [], [], {}
    for path in sorted(release_dir.glob("data/*/*.parquet")):
        relative = path.relative_to(release_dir).as_posix()
        digests[relative] = sha256(path)
        try:
            frame = pl.read_parquet(path)
            stray = frame.filter(pl.col("split") != path.stem).height
            is_task = path.parent.name.startswith(TASK_CONFIG_PREFIX)
            (task_frames if is_task else frames).append(
                frame.select(pl.col("split", "source", "license").cast(pl.String))
            )
        except (OSError, pl.exceptions.PolarsError):
            problems.append(f"{relative}: not a release data file (unreadable or columns missing)")
            continue
        if stray:
            problems.append(f"{relative}: {stray} rows not of split {path.stem}")
        twin = path.with_suffix(".jsonl")
        try:
            same = frame.equals(pl.read_ndjson(twin, schema=frame.schema))
        except (OSError, pl.exceptions.PolarsError):
            same = False
        if not same:
            problems.append(f"{twin.relative_to(release_dir).as_posix()}: differs from {relative}")
    data = pl.concat(frames) if frames else None
    counts = dict.fromkeys(SPLITS, 0)
    task_counts = dict.fromkeys(SPLITS, 0)
    sources: list[tuple[Any, ...]] = []
    if data is not None:
        counts.update(data.group_by("split").len().iter_rows())
        sources = sorted(data.select("source", "license").unique().iter_rows(), key=str)
    if task_frames:
        task_counts.update(pl.concat(task_frames).group_by("split").len().iter_rows())
    configs = sorted({name.split("/")[1] for name in digests})
    fields = [
        ("configs", [c for c in configs if not c.startswith(TASK_CONFIG_PREFIX)], "data/"),
        ("counts", counts, "data/"),
        ("task_configs", [c for c in configs if c.startswith(TASK_CONFIG_PREFIX)], "data/"),
        ("task_counts", task_counts, "data/"),
        ("sources", sources, "data/"),
    ]
    croissant = _read_json(release_dir / "croissant.json")
    if croissant is not None:
        fields.append(("version", croissant.get("version"), "croissant.json"))
        listed = {
            d.get("contentUrl"): d.get("sha256")
            for d in croissant.get("distribution", [])
            if isinstance(d, dict)
        }
        for name in sorted(set(listed) | set(digests), key=str):
            actual = digests.get(name)
            if actual is None and isinstance(name, str):
                path = release_dir / name  # a listed file other than data (taxonomy/*.csv)
                inside = path.resolve().is_relative_to(release_dir.resolve())
                actual = sha256(path) if inside and path.is_file() else None
            if listed.get(name) != actual:
                problems.append(f"croissant.json: sha256 of {name} differs from the file")
    log = release_dir / "CHANGELOG.md"
    if log.is_file():
        text = log.read_text(encoding="utf-8")
        against = re.search(r"^Against (\S+)\.$", text, re.MULTILINE)
        sections = re.findall(r"^## (Added|Removed|Changed) \((\d+)\)$", text, re.MULTILINE)
        fields.append(("previous", against.group(1) if against else None, "CHANGELOG.md"))
        fields.append(("changes", {t.lower(): int(n) for t, n in sections}, "CHANGELOG.md"))
        table = re.findall(r"^\| (\w+) \| (\d+) \| [+-]\d+ \|$", text, re.MULTILINE)
        if {k: int(n) for k, n in table if int(n)} != {k: n for k, n in counts.items() if n}:
            problems.append("CHANGELOG.md: items per split differ from the data files")
    return fields, problems


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def _field_problems(release_dir: Path, manifest: dict[str, Any], version: str | None) -> list[str]:
    """Each manifest field that the files (or the requested version) contradict."""
    fields, problems = recomputed_fields(release_dir)
    if version is not None:
        fields.insert(0, ("version", version, "the requested version"))
    for field, value, origin in fields:
        stated = manifest.get(field)
        if (
            field.startswith("task_")
            and stated is None
            and not any(value.values() if isinstance(value, dict) else value)
        ):
            continue  # a release made before task configs existed, and without any
        if field == "sources" and isinstance(stated, list):
            stated = sorted(
                ((s.get("source"), s.get("license")) for s in stated if isinstance(s, dict)),
                key=str,
            )
        if isinstance(value, dict) and isinstance(stated, dict):
            pairs = [(f"{field}.{k}", stated.get(k), value.get(k)) for k in {**stated, **value}]
        else:
            pairs = [(field, stated, value)]
        problems += [
            f"{MANIFEST}: {name} is {was!r}, {origin} says {now!r}"
            for name, was, now in pairs
            if was != now
        ]
    return problems


def changelog(
    current: pl.DataFrame, previous: pl.DataFrame | None, version: str, previous_version: str | None
) -> tuple[str, dict[str, Any]]:
    """CHANGELOG.md against the previous release: items added, removed, changed; split counts."""
    now = dict(current.select("item_id", "content_hash").iter_rows())
    before = (
        dict(previous.select("item_id", "content_hash").iter_rows()) if previous is not None else {}
    )
    added = sorted(set(now) - set(before))
    removed = sorted(set(before) - set(now))
    changed = sorted(i for i in set(now) & set(before) if now[i] != before[i])
    counts = dict(current.group_by("split").len().sort("split").iter_rows())
    old_counts = (
        dict(previous.group_by("split").len().sort("split").iter_rows())
        if previous is not None
        else {}
    )
    summary = {
        "previous": previous_version,
        "added": added,
        "removed": removed,
        "changed": changed,
        "split_counts": counts,
    }
    lines = [f"# Changelog: {version}", ""]
    lines.append(f"Against {previous_version}." if previous_version else "First release.")
    lines += ["", "| split | items | change |", "|---|---:|---:|"]
    for split in sorted(set(counts) | set(old_counts)):
        n, m = counts.get(split, 0), old_counts.get(split, 0)
        lines.append(f"| {split} | {n} | {n - m:+d} |")
    for title, ids in (("Added", added), ("Removed", removed), ("Changed", changed)):
        lines += ["", f"## {title} ({len(ids)})", ""]
        lines += [f"- {i}" for i in ids] or ["none"]
    return "\n".join(lines) + "\n", summary
