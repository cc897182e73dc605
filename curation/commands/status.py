"""`curate status`: the accounting of every stage, read back from its reports."""

from __future__ import annotations

import json

from rich.table import Table

from curation.paths import ProjectPaths
from curation.stages.base import StageReport

PIPELINE_ORDER = ("ingest", "deid", "validate", "tag", "dedup", "review", "split")


def load_reports(paths: ProjectPaths) -> list[StageReport]:
    """Every stage report under reports/, in a stable order."""
    found = []
    for path in sorted((paths.root / "reports").rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if {"stage", "rows_in", "kept", "quarantined"} <= data.keys():
            found.append(StageReport.model_validate(data))
        elif "stage" in data and isinstance(data.get("sources"), dict):  # one report, many sources
            for source, acc in data["sources"].items():
                found.append(
                    StageReport.model_validate({**acc, "stage": data["stage"], "source": source})
                )
    order = {stage: i for i, stage in enumerate(PIPELINE_ORDER)}
    return sorted(found, key=lambda r: (order.get(r.stage, len(order)), r.stage, r.source or ""))


def accounting_table(reports: list[StageReport]) -> Table:
    """A table of rows in / kept / quarantined / merged per stage and source."""
    table = Table(title="Accounting (rows in = kept + quarantined + merged)")
    for col in ("stage", "source", "in", "kept", "quarantined", "merged", "reasons"):
        table.add_column(
            col, justify="right" if col in ("in", "kept", "quarantined", "merged") else "left"
        )
    for r in reports:
        reasons = "\n".join(f"{k} {v}" for k, v in r.quarantined_by_reason.items())
        table.add_row(
            r.stage,
            r.source or "-",
            str(r.rows_in),
            str(r.kept),
            str(r.quarantined),
            str(r.merged),
            reasons,
        )
    return table


def tasks_table(paths: ProjectPaths) -> Table | None:
    """Per task: items in = instances + not eligible (by reason), and what the split released
    (None before any task was built)."""
    reports = sorted((paths.root / "reports" / "tasks").glob("*.json"))
    if not reports:
        return None
    splits = paths.report("splits")
    released = (
        json.loads(splits.read_text(encoding="utf-8")).get("tasks", {}) if splits.is_file() else {}
    )
    table = Table(title="Tasks (items in = instances + not eligible)")
    for col in ("task", "in", "instances", "not eligible", "reasons", "released"):
        table.add_column(col, justify="right" if col in ("in", "instances") else "left")
    for path in reports:
        r = json.loads(path.read_text(encoding="utf-8"))
        reasons = "\n".join(f"{k} {v}" for k, v in r["not_eligible_by_reason"].items())
        out = released.get(r["task"], {})
        table.add_row(
            r["task"],
            str(r["items_in"]),
            str(r["instances"]),
            str(r["not_eligible"]),
            reasons,
            ", ".join(f"{k} {v}" for k, v in out.get("by_split", {}).items()) or "-",
        )
    return table
