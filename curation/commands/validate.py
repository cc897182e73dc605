"""`curate validate`: per-record rules per source, then the dataset-level suite over them all."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.progress import Progress

from curation.commands.run import run_sources
from curation.contracts import use_project
from curation.errors import CurationError
from curation.paths import ProjectPaths
from curation.stages.base import StageReport
from curation.stages.runner import EngineConfig
from curation.stages.validate import DECLARED as VALIDATE
from curation.stages.validate import STAGE
from curation.validation.rules import ValidateConfig
from curation.validation.suite import (
    EPOCH,
    failure_summary,
    load_suite,
    run_suite,
    suite_input,
)

REPORT = Path("reports") / "validation.json"
DATA_DOCS = Path("reports") / "data_docs"


def run_time_from_env() -> datetime:
    """The Data Docs run time: SOURCE_DATE_EPOCH if set, else a fixed epoch (reproducible)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(epoch), tz=UTC) if epoch and epoch.isdigit() else EPOCH


def _accounting(report: StageReport) -> dict[str, Any]:
    return report.model_dump(include={"rows_in", "kept", "quarantined", "quarantined_by_reason"})


def run_validate(
    paths: ProjectPaths,
    sources: list[str],
    config: ValidateConfig,
    engine: EngineConfig | None = None,
    progress: Callable[[], Progress] | None = None,
) -> dict[str, Any]:
    """Validate de-identified sources, run the suite on all kept rows, write the report.

    Writes data/validated/<source>.parquet, data/quarantine/validate/<source>.parquet,
    reports/validation.json and reports/data_docs/. If a dataset-level expectation fails, the
    outputs and the report are written all the same, then a CurationError names the failures.
    """
    chosen = list(dict.fromkeys(sources))
    if not chosen:
        raise CurationError("validate: no sources given")
    use_project(paths.root)
    suite = load_suite(config, paths.root)  # a broken suite stops the stage before any record
    engine = engine or EngineConfig()
    reports = run_sources(
        VALIDATE, paths, chosen, config, engine, write_report=False, progress=progress
    )
    accounting = {source: _accounting(report) for source, report in reports.items()}

    reasons: Counter[str] = Counter()
    for a in accounting.values():
        reasons.update(a["quarantined_by_reason"])
    totals = StageReport.from_counts(
        STAGE,
        rows_in=sum(a["rows_in"] for a in accounting.values()),
        kept=sum(a["kept"] for a in accounting.values()),
        by_reason=dict(reasons),
    )

    files = [paths.stage_output(STAGE, s) for s in chosen]
    docs_dir = paths.root / DATA_DOCS
    data = suite_input(files, suite, config)  # the texts are read in chunks, never all at once
    summary = run_suite(data, suite, docs_dir, run_time_from_env())
    out = {
        "stage": STAGE,
        "sources": accounting,
        "totals": _accounting(totals),
        "suite": summary["suite"],
        "expectations": summary["expectations"],
        "success": summary["success"],
        "data_docs": (DATA_DOCS / "index.html").as_posix(),
    }
    path = paths.root / REPORT
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(out, ensure_ascii=False, indent=2, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")

    if not summary["success"]:
        failed = [e for e in summary["expectations"] if not e["success"]]
        raise CurationError(
            f"validate: {len(failed)} of {len(summary['expectations'])} dataset expectations "
            f"failed over {totals.kept} kept items:\n{failure_summary(summary)}",
            hint=f"Outputs were written; see {REPORT.as_posix()} and {out['data_docs']}.",
        )
    return out
