"""manifest.json (checksums, row counts, provenance), `release verify`, and the changelog."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from curation import __version__
from curation.models import SCHEMA_VERSION

MANIFEST = "manifest.json"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def rows_of(path: Path) -> int | None:
    """Row count of a data file (parquet rows, JSONL lines); None for other files."""
    if path.suffix == ".parquet":
        return pl.scan_parquet(path).select(pl.len()).collect().item()
    if path.suffix == ".jsonl":
        with path.open("rb") as fh:
            return sum(1 for _ in fh)
    return None


def file_entries(release_dir: Path) -> dict[str, dict[str, Any]]:
    """sha256 (and rows) of every file in a release but the manifest itself."""
    entries = {}
    for path in sorted(p for p in release_dir.rglob("*") if p.is_file()):
        relative = path.relative_to(release_dir).as_posix()
        if relative == MANIFEST:
            continue
        entry: dict[str, Any] = {"sha256": sha256(path), "bytes": path.stat().st_size}
        rows = rows_of(path)
        if rows is not None:
            entry["rows"] = rows
        entries[relative] = entry
    return entries


def source_provenance(root: Path, sources: dict[str, str]) -> list[dict[str, Any]]:
    """Each released source with its license and the DVC hashes of its raw files (dvc.lock)."""
    lock_path = root / "dvc.lock"
    lock = yaml.safe_load(lock_path.read_text(encoding="utf-8")) if lock_path.is_file() else {}
    stages = (lock or {}).get("stages", {})
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


def verify(release_dir: Path) -> list[str]:
    """Differences between a release's files and its manifest (empty: intact)."""
    if not release_dir.is_dir():
        return [f"release folder {release_dir} does not exist"]
    manifest_path = release_dir / MANIFEST
    if not manifest_path.is_file():
        return [f"{manifest_path} is missing"]
    recorded = json.loads(manifest_path.read_text(encoding="utf-8"))["files"]
    found = file_entries(release_dir)
    problems = []
    for name in sorted(set(recorded) | set(found)):
        if name not in found:
            problems.append(f"{name}: missing")
        elif name not in recorded:
            problems.append(f"{name}: not in the manifest")
        else:
            for key in ("sha256", "rows", "bytes"):
                if recorded[name].get(key) != found[name].get(key):
                    problems.append(
                        f"{name}: {key} {found[name].get(key)} != recorded "
                        f"{recorded[name].get(key)}"
                    )
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
