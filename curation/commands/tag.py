"""`curate tag run | train | scan`: specialty tagging of items and of loose texts."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import polars as pl

from curation.commands.scan import read_scan_input
from curation.config import read_yaml
from curation.contracts import LABEL_MAPS, contract_path, use_project
from curation.errors import ConfigError, InputFileError
from curation.paths import ProjectPaths
from curation.stages.base import StageReport, write_outputs, write_stage_report
from curation.stages.tag import STAGE, TagConfig, tag
from curation.tagging import get_tagger, item_text
from curation.tagging.trained import TrainedTagger

UPSTREAM = "validate"  # tag reads the validated items; there is no fallback


def upstream_items(paths: ProjectPaths, source: str) -> Path:
    """data/validated/<source>.parquet; missing, an error naming it and `curate validate`."""
    return paths.stage_input(UPSTREAM, source, made_by="curate validate")


def run_tag(paths: ProjectPaths, source: str, config: TagConfig) -> StageReport:
    """Tag one source's items and return the (checked) report."""
    use_project(paths.root)
    src = upstream_items(paths, source)
    tagger = get_tagger(config.tagger, paths.root / config.model)
    items = pl.scan_parquet(src)
    rows_in = items.select(pl.len()).collect().item()
    out = paths.stage_output(STAGE, source)
    kept, by_reason = write_outputs(
        tag(items, config, tagger), out, paths.quarantine(STAGE, source)
    )
    tags = pl.read_parquet(out, columns=["tags"]).unnest("tags")
    details = {
        "input": src.relative_to(paths.root).as_posix(),
        "tagger": tagger.name,
        "needs_review": int(tags["needs_review"].sum() or 0),
        "mean_score": round(float(tags["score"].mean() or 0.0), 4),
        "by_department": dict(
            sorted(Counter(str(c) for c in tags["department_code"].to_list()).items())
        ),
    }
    return write_stage_report(
        paths.report(STAGE, source), STAGE, source, rows_in, kept, by_reason, details
    )


def load_label_maps(root: Path) -> dict[str, dict[str, str]]:
    """schemas/label_maps.yaml (the project's, else the shipped one): {label name: {label
    value: taxonomy code}}."""
    path = contract_path(LABEL_MAPS, root)
    data = read_yaml(path) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of label names")
    return {
        name: {str(k): str(v) for k, v in (values or {}).items()} for name, values in data.items()
    }


def labeled_examples(
    frames: list[pl.DataFrame], maps: dict[str, dict[str, str]]
) -> tuple[list[str], list[str]]:
    """(texts, codes) of the items whose source labels map onto the taxonomy."""
    texts, codes = [], []
    for frame in frames:
        for row in frame.iter_rows(named=True):
            for label in row["source_labels"] or []:
                code = maps.get(label["name"], {}).get(label["value"])
                if code:
                    texts.append(item_text(row))
                    codes.append(code)
                    break
    return texts, codes


def train_tagger(paths: ProjectPaths, sources: list[str], output: Path) -> dict:
    """Train the TF-IDF tagger on every labeled item of the sources; returns its card."""
    use_project(paths.root)
    frames = [pl.read_parquet(upstream_items(paths, s)) for s in sources]
    texts, codes = labeled_examples(frames, load_label_maps(paths.root))
    if len(set(codes)) < 2:
        raise ConfigError(
            "fewer than two labeled specialties to learn from",
            hint="Map source labels to taxonomy codes in schemas/label_maps.yaml.",
        )
    model = TrainedTagger.fit(texts, codes)
    model.meta["per_class"] = dict(sorted(Counter(codes).items()))
    model.meta["sources"] = sources
    model.save(output)
    return model.meta


def scan_file(
    source: Path, target: Path, tagger_name: str, model: Path | None, progress: Callable | None
) -> int:
    """Tag every text of a JSONL file ({"id","text","lang"?}) into target; returns the count."""
    if not source.is_file():
        raise InputFileError(f"{source} does not exist")
    tagger = get_tagger(tagger_name, model)
    rows = list(read_scan_input(source))
    with target.open("w", encoding="utf-8") as out:
        for start in range(0, len(rows), 2000):
            batch = rows[start : start + 2000]
            predictions = tagger.predict([r[1] for r in batch], [r[2] for r in batch])
            for (ident, *_), p in zip(batch, predictions, strict=True):
                out.write(json.dumps(p.as_json(ident), ensure_ascii=False) + "\n")
            if progress:
                progress(len(batch))
    return len(rows)
