"""`curate dedup`: cluster duplicates across every source; write the curated set and report.

Reads each source's tagged items, ``data/tagged/<source>.parquet`` (tag stage; a missing one
is an error naming it, never a fallback to a less processed input). Writes
``data/curated.parquet`` (one representative per cluster), ``data/merged/dedup.parquet``
(the other members) and ``reports/dedup.json`` (counts only).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from curation.dedup.text import normalize_for_dedup
from curation.errors import CurationError
from curation.paths import ProjectPaths
from curation.stages.base import ITEM_SCHEMA, StageReport
from curation.stages.dedup import STAGE, DedupConfig, dedup, dedup_details

INPUT_STAGE = "tag"  # dedup reads the tagged items; there is no fallback


def curated_path(paths: ProjectPaths) -> Path:
    """The deduplicated item set: data/curated.parquet."""
    return paths.curated


def merged_path(paths: ProjectPaths) -> Path:
    """Rows merged into a cluster representative: data/merged/dedup.parquet."""
    return paths.merged(STAGE)


def input_path(paths: ProjectPaths, source: str) -> tuple[str, Path]:
    """(folder, path) of a source's dedup input, data/tagged/<source>.parquet; missing, an
    error naming it and `curate tag run`."""
    path = paths.stage_input(INPUT_STAGE, source, made_by=f"curate tag run {source}")
    return path.parent.name, path


def same_question_signal(kept: pl.DataFrame) -> dict[str, int]:
    """Kept items that share a question but differ in options or answer (not merged): a review
    signal, e.g. generic stems such as 下列错误的是 or a re-keyed copy of a question."""
    questions = kept.filter(pl.col("question").is_not_null()).select(
        pl.col("question").map_elements(normalize_for_dedup, return_dtype=pl.String).alias("q")
    )
    groups = questions.group_by("q").len().filter(pl.col("len") > 1)
    return {
        "same_question_groups": groups.height,
        "same_question_items": int(groups["len"].sum() or 0),
    }


def run_dedup(paths: ProjectPaths, config: DedupConfig, sources: list[str]) -> StageReport:
    """Deduplicate the given sources together and return the (checked) report."""
    chosen = list(dict.fromkeys(sources))
    if not chosen:
        raise CurationError("no sources to deduplicate")
    unknown = [s for s in config.source_priority if s not in chosen]
    inputs = {source: input_path(paths, source) for source in chosen}
    frames = [
        pl.scan_parquet(path).select([pl.col(n).cast(t) for n, t in ITEM_SCHEMA.items()])
        for _, path in inputs.values()
    ]
    items = pl.concat(frames, how="vertical")
    rows_in = items.select(pl.len()).collect().item()
    repeats = items.group_by("item_id").len().filter(pl.col("len") > 1).collect().height
    if repeats:
        raise CurationError(
            f"{repeats} item_id(s) occur more than once across the dedup inputs",
            hint="Each source must be listed once and item_ids must be unique.",
        )

    result = dedup(items, config)
    kept, merged = pl.collect_all([result.kept, result.merged])
    out, merged_out = curated_path(paths), merged_path(paths)
    for path in (out, merged_out):
        path.parent.mkdir(parents=True, exist_ok=True)
    kept.write_parquet(out, statistics=False)
    merged.write_parquet(merged_out, statistics=False)

    details = dedup_details(kept, merged, config)
    details.update(same_question_signal(kept))
    details["inputs"] = {source: folder for source, (folder, _) in inputs.items()}
    details["config"] = config.model_dump()
    if unknown:
        details["source_priority_not_in_input"] = unknown
    report = StageReport(
        stage=STAGE,
        rows_in=rows_in,
        kept=kept.height,
        quarantined=0,
        merged=merged.height,
        details=details,
    ).check_accounting()
    report.write(paths.report(STAGE))
    return report
