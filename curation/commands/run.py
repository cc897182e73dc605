"""Running declared per-item stages over sources (`curate deid run`, `curate tag run`,
`curate validate`, `curate run STAGE`): one loop, one progress bar, one summary line."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow.parquet as pq
from pydantic import BaseModel
from rich.progress import Progress

from curation.contracts import use_project
from curation.paths import ProjectPaths
from curation.stages.base import StageReport
from curation.stages.engines import StageEngine
from curation.stages.runner import EngineConfig, ItemStage, run_item_stage


def input_rows(stage: ItemStage, paths: ProjectPaths, source: str) -> int:
    """Items in a source's input to `stage` (0 when it is missing: the runner says why)."""
    path = paths.stage_output(stage.upstream, source)
    return pq.ParquetFile(path).metadata.num_rows if path.is_file() else 0


def run_sources(
    stage: ItemStage,
    paths: ProjectPaths,
    sources: list[str],
    config: BaseModel,
    engine: EngineConfig,
    write_report: bool = True,
    on_report: Callable[[str, StageReport], None] | None = None,
    progress: Callable[[], Progress] | None = None,
) -> dict[str, StageReport]:
    """Run a declared stage over each source in turn, with a progress bar over their items;
    its resources load once and its workers serve every source. `progress` makes the bar
    (the CLI's; none by default)."""

    reports: dict[str, StageReport] = {}
    total = sum(input_rows(stage, paths, s) for s in sources)
    for source in sources:  # every input exists before the stage loads anything
        paths.stage_input(stage.upstream, source, made_by=stage.made_by.format(source=source))
    use_project(paths.root)
    bar_factory = progress or (lambda: Progress(disable=True))
    with bar_factory() as bar, StageEngine(stage, config, paths.root, engine) as session:
        task = bar.add_task(stage.name, total=total)
        for source in sources:
            bar.update(task, description=f"{stage.name} {source}")
            report = run_item_stage(
                stage,
                paths,
                source,
                config,
                engine,
                progress=lambda n: bar.advance(task, n),
                write_report=write_report,
                session=session,
            )
            reports[source] = report
            bar.console.print(summary_line(report), highlight=False)
            if on_report:
                on_report(source, report)
    return reports


def summary_line(report: StageReport) -> str:
    """`source: N in → K kept, Q quarantined (reasons); engine, workers`."""
    reasons = ", ".join(f"{k} {v}" for k, v in report.quarantined_by_reason.items())
    where = f"{report.details.get('engine', 'local')}, {report.details.get('workers', 1)} worker"
    where += "s" if report.details.get("workers", 1) != 1 else ""
    return (
        f"{report.source}: {report.rows_in} in → {report.kept} kept, {report.quarantined} "
        f"quarantined" + (f" ({reasons})" if reasons else "") + f"; {where}"
    )
