"""`curate deid` (one source) and `curate deid scan` (JSONL in, spans + text out)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from curation.commands.scan import ScanRow, read_scan_input
from curation.contracts import use_project
from curation.deid import DetectionSettings, scan_texts
from curation.deid.policy import load_policy
from curation.errors import InputFileError
from curation.paths import ProjectPaths
from curation.reasons import Reason
from curation.secrets import deid_salt, salt_id
from curation.stages.base import StageReport, write_outputs, write_stage_report
from curation.stages.deid import (
    STAGE,
    DeidConfig,
    deid_version,
    deidentify,
    dumps_line,
    phi_totals,
    spans_as_json,
)

INGEST = "ingest"  # the stage whose output deid reads


def run_deid(paths: ProjectPaths, source: str, config: DeidConfig) -> StageReport:
    """De-identify one ingested source and return its (checked) report."""
    use_project(paths.root)
    src = paths.stage_input(INGEST, source, made_by=f"curate ingest {source}")
    policy = load_policy(paths.root)
    items = pl.scan_parquet(src)
    rows_in = items.select(pl.len()).collect().item()
    result = deidentify(items, config, deid_salt(paths.root), policy)
    out = paths.stage_output(STAGE, source)
    kept, by_reason = write_outputs(result, out, paths.quarantine(STAGE, source))
    details = {
        "deid_errors": by_reason.get(Reason.DEID_ERROR.value, 0),  # fail closed: quarantined
        "deid_timeouts": by_reason.get(Reason.DEID_TIMEOUT.value, 0),
        "deid_version": deid_version(policy),
        "residual_gate": config.gate_names() or "off",
        "salt_id": salt_id(paths.root),
        "spans_by_category": phi_totals(pl.scan_parquet(out)),
    }
    return write_stage_report(
        paths.report(STAGE, source), STAGE, source, rows_in, kept, by_reason, details
    )


def scan_file(
    source: Path,
    target: Path,
    batch: int = 2000,
    progress: Callable[[int], object] | None = None,
    settings: DetectionSettings | None = None,
) -> int:
    """Scan a JSONL file in batches, writing spans and placeholder text. Returns lines done.

    A batch never splits a record (consecutive lines sharing a `record` value).
    """
    if not source.is_file():
        raise InputFileError(f"{source} does not exist")
    done = 0
    rows: list[ScanRow] = []
    with target.open("w", encoding="utf-8") as out:

        def flush() -> None:
            results = scan_texts(
                [r[1] for r in rows],
                [r[2] for r in rows],
                records=[r[3] for r in rows],
                settings=settings,
            )
            for (ident, *_), res in zip(rows, results, strict=True):
                out.write(
                    dumps_line({"id": ident, "spans": spans_as_json(res.spans), "text": res.text})
                )
            if progress:
                progress(len(rows))
            rows.clear()

        for row in read_scan_input(source):
            if len(rows) >= batch and (row[3] is None or row[3] != rows[-1][3]):
                flush()
            rows.append(row)
            done += 1
        if rows:
            flush()
    return done
