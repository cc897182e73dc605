"""`curate dedup`: cluster duplicates across every source; write the curated set and report.

Reads each source's tagged items, ``data/tagged/<source>.parquet`` (tag stage; a missing one
is an error naming it, never a fallback to a less processed input). Writes
``data/curated.parquet`` (one representative per cluster), ``data/merged/dedup.parquet``
(the other members) and ``reports/dedup.json`` (counts only).

Memory is bounded, not proportional to the items' texts: the inputs are streamed to cluster
them (:func:`curation.stages.dedup.assignments`), the curated set is written a slice of the
inputs at a time and sorted a part of at most ``PART_BYTES`` at a time, in a temporary folder
next to it (:func:`write_sorted`), and the report reads only the columns it counts.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from curation.batching import bounded_runs
from curation.dedup.facts import frame_slices
from curation.dedup.text import normalize_for_dedup
from curation.errors import CurationError
from curation.paths import ProjectPaths
from curation.stages.base import ITEM_SCHEMA, StageReport
from curation.stages.dedup import (
    OUTPUT_ORDER,
    STAGE,
    DedupConfig,
    assignments,
    dedup_details,
    duplicates,
    representatives,
)

INPUT_STAGE = "tag"  # dedup reads the tagged items; there is no fallback
PART_BYTES = 128 * 2**20  # item rows sorted in memory at once when writing the curated set
UNIT_ROWS = 32_768  # rows in sorted order that are spread to the same temporary files
CHUNK_ROWS = 8_192  # input rows joined and spread at once
SLICE_ROWS = 8_192  # kept questions normalized at once
PART_ROW_GROUP = 8_192  # rows per row group of a sorted part (what the final pass reads ahead)
OUTPUT_ROW_GROUP = 16_384  # rows per row group of the curated set (what its writer buffers)


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


_QUESTION = pl.col("question")
_NORMALIZED_QUESTION = _QUESTION.map_elements(normalize_for_dedup, return_dtype=pl.String)


def same_question_signal(kept: pl.LazyFrame | pl.DataFrame) -> dict[str, int]:
    """Kept items that share a question but differ in options or answer (not merged): a review
    signal, e.g. generic stems such as 下列错误的是 or a re-keyed copy of a question.

    Reads only the question column, a slice at a time, keeping a hash per question; the
    questions whose hash repeats are read again and compared as text.
    """
    column = kept.lazy().select("question")
    hashed = pl.concat(
        [
            piece.frame.select(
                _hash=pl.when(_QUESTION.is_not_null()).then(_NORMALIZED_QUESTION.hash())
            ).collect()
            for piece in frame_slices(column, SLICE_ROWS)
        ]
    ).with_row_index("_row")
    again = hashed.filter(pl.col("_hash").is_not_null() & pl.col("_hash").is_duplicated())
    questions = (
        column.with_row_index("_row")
        .filter(pl.col("_row").is_in(again["_row"].implode()) & _QUESTION.is_not_null())
        .select(_NORMALIZED_QUESTION)
        .collect()
    )
    counts = questions.group_by("question").len().filter(pl.col("len") > 1)
    return {
        "same_question_groups": counts.height,
        "same_question_items": int(counts["len"].sum() or 0),
    }


def _spread(chunks: Sequence[pl.LazyFrame], units: pl.DataFrame, folder: Path) -> list[int]:
    """Write each chunk's rows of unit k (column _unit of units, by item_id) to
    folder/<k>-<chunk>.parquet; return the bytes in memory of each unit."""
    size = [0] * (int(units["_unit"].max() or 0) + 1)
    for b, chunk in enumerate(chunks):
        rows = chunk.join(units.lazy(), on="item_id", how="inner").collect()
        for (k,), piece in rows.partition_by("_unit", as_dict=True, include_key=False).items():
            piece.write_parquet(folder / f"{k:06d}-{b:06d}.parquet", compression="lz4")
            size[k] += piece.estimated_size()
    return size


def _sort_files(files: list[Path]) -> pl.LazyFrame:
    return pl.scan_parquet(files).sort(*OUTPUT_ORDER)


def write_sorted(chunks: Sequence[pl.LazyFrame], path: Path, part_bytes: int = PART_BYTES) -> int:
    """Write the rows of some lazy frames (at least one; each small enough to collect; item_ids
    unique) to path, sorted by source then item_id; return the row count.

    Only about part_bytes of rows are sorted in memory at once: the rows are spread over units
    of UNIT_ROWS consecutive rows in that order (temporary files next to path), consecutive
    units are sorted together up to part_bytes, and the sorted parts are streamed into one file
    (row groups of OUTPUT_ROW_GROUP rows). Rows that fit in one part are written at once, as
    earlier versions wrote them all (same bytes).
    """
    order = pl.concat([c.select(*OUTPUT_ORDER).collect() for c in chunks]).sort(*OUTPUT_ORDER)
    if not order.height:
        pl.concat(chunks).collect().write_parquet(path, statistics=False)
        return 0
    units = order.with_row_index("_unit").select("item_id", pl.col("_unit") // UNIT_ROWS)
    with tempfile.TemporaryDirectory(prefix=".dedup-", dir=path.parent) as tmp:
        folder = Path(tmp)
        parts = list(bounded_runs(_spread(chunks, units, folder), part_bytes))
        files = [[f for u in part for f in sorted(folder.glob(f"{u:06d}-*"))] for part in parts]
        if len(parts) == 1:
            _sort_files(files[0]).collect().write_parquet(path, statistics=False)
            return order.height
        sorted_parts = [folder / f"sorted-{k:06d}.parquet" for k in range(len(parts))]
        for part_files, sorted_part in zip(files, sorted_parts, strict=True):
            _sort_files(part_files).sink_parquet(sorted_part, row_group_size=PART_ROW_GROUP)
            for f in part_files:
                f.unlink()
        pl.scan_parquet(sorted_parts).sink_parquet(
            path, statistics=False, row_group_size=OUTPUT_ROW_GROUP
        )
    return order.height


def run_dedup(
    paths: ProjectPaths, config: DedupConfig, sources: list[str], workers: int = 1
) -> StageReport:
    """Deduplicate the given sources together and return the (checked) report (signatures
    are computed by `workers` processes; the outputs do not depend on how many)."""
    chosen = list(dict.fromkeys(sources))
    if not chosen:
        raise CurationError("no sources to deduplicate")
    unknown = [s for s in config.source_priority if s not in chosen]
    inputs = {source: input_path(paths, source) for source in chosen}
    frames = [
        pl.scan_parquet(path).select([pl.col(n).cast(t) for n, t in ITEM_SCHEMA.items()])
        for _, path in inputs.values()
    ]
    items = pl.concat(frames, how="vertical")  # one scan per file: frames are read by slices
    rows_in = items.select(pl.len()).collect().item()
    repeats = items.group_by("item_id").len().filter(pl.col("len") > 1).collect().height
    if repeats:
        raise CurationError(
            f"{repeats} item_id(s) occur more than once across the dedup inputs",
            hint="Each source must be listed once and item_ids must be unique.",
        )

    assigned = assignments(frames, config, workers)
    out, merged_out = curated_path(paths), merged_path(paths)
    for path in (out, merged_out):
        path.parent.mkdir(parents=True, exist_ok=True)
    chunks = [representatives(s.frame, assigned) for s in frame_slices(frames, CHUNK_ROWS)]
    kept = write_sorted(chunks, out)
    merged = duplicates(items, assigned).sort(*OUTPUT_ORDER).collect()
    merged.write_parquet(merged_out, statistics=False)

    details = dedup_details(pl.scan_parquet(out), merged, config)
    details.update(same_question_signal(pl.scan_parquet(out)))
    details["inputs"] = {source: folder for source, (folder, _) in inputs.items()}
    details["config"] = config.model_dump()
    details["workers"] = workers
    if unknown:
        details["source_priority_not_in_input"] = unknown
    report = StageReport(
        stage=STAGE,
        rows_in=rows_in,
        kept=kept,
        quarantined=0,
        merged=merged.height,
        details=details,
    ).check_accounting()
    report.write(paths.report(STAGE))
    return report
