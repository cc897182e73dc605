"""One runner for the declared per-item stages: streamed batches, any engine, same bytes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from curation.cli import app
from curation.paths import ProjectPaths
from curation.stages.base import ITEM_SCHEMA
from curation.stages.declared import ITEM_STAGES, declared_stage
from curation.stages.deid import DECLARED as DEID
from curation.stages.deid import DeidConfig
from curation.stages.runner import EngineConfig, run_item_stage
from curation.stages.sink import ROW_GROUP_ROWS, RowGroupWriter, read_batches
from curation.stages.tag import DECLARED as TAG
from curation.stages.tag import TagConfig
from curation.stages.validate import DECLARED as VALIDATE
from curation.validation.rules import ValidateConfig
from tests.conftest import MiniProject

runner = CliRunner()
RECORDS = 40
SURNAMES = "张王李赵刘陈杨黄周吴"
NOTES_SOURCE = {
    "path": "raw/notes.csv",
    "format": "csv",
    "kind": "record",
    "language": "zh",
    "license": "CC0-1.0",
    "fields": {"key": "id", "context": "text"},
}


def notes_csv() -> str:
    """Records with identifiers (names, phones, record numbers), one too short to validate."""
    lines = ["id,text"]
    for i in range(RECORDS):
        name = SURNAMES[i % 10] + "伟芳娜敏静丽强磊"[i % 8]
        lines.append(
            f"{i},患者{name}，男，{30 + i}岁，电话138{i:08d}，住院号ZY{i:06d}，"
            f"因胸痛入院，诊断为急性心肌梗死，给予阿司匹林治疗。"
        )
    lines.append(f"{RECORDS},短")  # too short for validate's min_chars
    return "\n".join(lines) + "\n"


@pytest.fixture
def ingested(project: MiniProject, monkeypatch: pytest.MonkeyPatch) -> MiniProject:
    monkeypatch.setenv("MEDCURATE_DEID_SALT", "runner-salt")
    project.sources({"notes": NOTES_SOURCE})
    project.write("raw/notes.csv", notes_csv())
    result = runner.invoke(app, ["ingest", "--root", str(project.root)])
    assert result.exit_code == 0, result.output
    return project


def digests(root: Path, stage: str) -> dict[str, str]:
    """sha256 of a stage's output files (kept and quarantine)."""
    paths = ProjectPaths(root)
    files = [paths.stage_output(stage, "notes"), paths.quarantine(stage, "notes")]
    return {
        f.relative_to(root).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest() for f in files
    }


def test_row_groups_do_not_depend_on_how_rows_arrive(tmp_path: Path) -> None:
    rows = ROW_GROUP_ROWS + 7
    frame = (
        pl.DataFrame({"item_id": [f"i{i}" for i in range(rows)]})
        .with_columns(
            [pl.lit(None, dtype=t).alias(n) for n, t in ITEM_SCHEMA.items() if n != "item_id"]
        )
        .select(ITEM_SCHEMA.names())
    )
    outputs = []
    for size in (1000, 3, rows):
        writer = RowGroupWriter(tmp_path / f"{size}.parquet", ITEM_SCHEMA)
        for start in range(0, rows, size):
            writer.write(frame.slice(start, size))
        writer.close()
        outputs.append((tmp_path / f"{size}.parquet").read_bytes())
        meta = pq.ParquetFile(tmp_path / f"{size}.parquet").metadata
        assert [meta.row_group(g).num_rows for g in range(meta.num_row_groups)] == [
            ROW_GROUP_ROWS,
            7,
        ]
    assert outputs[0] == outputs[1] == outputs[2]
    assert (
        pl.read_parquet(tmp_path / "3.parquet")["item_id"].to_list() == frame["item_id"].to_list()
    )


def test_batches_stream_in_order(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    pl.DataFrame({"n": list(range(25))}).write_parquet(path)
    sizes = [b.height for b in read_batches(path, 10)]
    assert sizes == [10, 10, 5]
    assert pl.concat(read_batches(path, 7))["n"].to_list() == list(range(25))


def test_worker_processes_write_the_same_bytes_as_one_process(ingested: MiniProject) -> None:
    paths = ProjectPaths(ingested.root)
    one = run_item_stage(DEID, paths, "notes", DeidConfig(), EngineConfig(workers=1, batch_size=7))
    single = digests(ingested.root, "deid")
    two = run_item_stage(DEID, paths, "notes", DeidConfig(), EngineConfig(workers=2, batch_size=4))
    assert digests(ingested.root, "deid") == single
    assert (one.details["workers"], two.details["workers"]) == (1, 2)
    assert two.rows_in == two.kept + two.quarantined == RECORDS + 1
    kept = pl.read_parquet(paths.stage_output("deid", "notes"))
    text = "\n".join(kept["context"].to_list())
    assert "13800000007" not in text and "ZY000007" not in text  # de-identified in workers
    assert (
        kept["item_id"].to_list()
        == pl.read_parquet(paths.stage_output("ingest", "notes"))["item_id"].to_list()[
            : kept.height
        ]
    )  # input order kept


def test_every_declared_stage_accounts_for_every_row(ingested: MiniProject) -> None:
    paths = ProjectPaths(ingested.root)
    configs = {DEID: DeidConfig(), VALIDATE: ValidateConfig(), TAG: TagConfig(tagger="lexicon")}
    assert {declared_stage(name) for name in ITEM_STAGES} == set(configs)
    for stage, config in configs.items():  # in pipeline order: each reads the one before
        report = run_item_stage(stage, paths, "notes", config, EngineConfig(batch_size=8))
        assert report.rows_in == report.kept + report.quarantined
        assert (
            pq.ParquetFile(paths.stage_output(stage.name, "notes")).metadata.num_rows == report.kept
        )
        quarantined = pl.read_parquet(paths.quarantine(stage.name, "notes"))
        assert quarantined.height == report.quarantined
        assert set(stage.writes) <= set(ITEM_SCHEMA.names())
    assert run_item_stage(VALIDATE, paths, "notes", ValidateConfig()).quarantined_by_reason


def test_a_stage_never_falls_back_to_a_less_processed_input(ingested: MiniProject) -> None:
    result = runner.invoke(app, ["run", "tag", "--root", str(ingested.root)])
    assert result.exit_code == 1, result.output
    assert "data/validated/notes.parquet does not exist" in result.output.replace("\n", "")
    assert "curate validate" in result.output


def test_run_names_the_known_stages(ingested: MiniProject) -> None:
    result = runner.invoke(app, ["run", "dedupe", "--root", str(ingested.root)])
    assert result.exit_code == 1, result.output
    assert "unknown stage 'dedupe'" in result.output and "deid, validate, tag" in result.output


def test_the_ray_engine_writes_the_same_bytes_as_the_local_one(
    ingested: MiniProject, monkeypatch: pytest.MonkeyPatch, tmp_path_factory
) -> None:
    """Local Ray (started on this machine) runs the same declared stage through Ray Data."""
    pytest.importorskip("ray")
    monkeypatch.chdir(tmp_path_factory.mktemp("ray-cwd"))  # Ray puts the cwd on workers' path
    root = str(ingested.root)
    local = runner.invoke(app, ["deid", "run", "--root", root, "--workers", "1"])
    assert local.exit_code == 0, local.output
    expected = digests(ingested.root, "deid")
    args = ["run", "deid", "--root", root, "--engine", "ray", "--workers", "2"]
    result = runner.invoke(app, [*args, "--batch-size", "6"])
    assert result.exit_code == 0, result.output
    assert "ray, 2 workers" in result.output
    assert digests(ingested.root, "deid") == expected


def test_ingest_in_batches_finds_a_key_repeated_in_another_batch(
    project: MiniProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    import curation.commands.ingest as ingest_command

    project.sources({"notes": NOTES_SOURCE})
    rows = [f"k{i},第{i}条记录：患者胸痛三天，心电图提示心肌缺血。" for i in range(7)]
    rows.insert(5, "k1,重复的记录键：患者胸痛三天，心电图提示心肌缺血。")  # k1 again, batch 3
    project.write("raw/notes.csv", "id,text\n" + "\n".join(rows) + "\n")
    monkeypatch.setattr(ingest_command, "BATCH_ROWS", 2)
    result = runner.invoke(app, ["ingest", "--root", str(project.root)])
    assert result.exit_code == 0, result.output
    quarantined = pl.read_parquet(project.root / "data/quarantine/ingest/notes.parquet")
    assert quarantined.select("row", "reason", "detail").rows() == [
        (6, "duplicate_key", "record key already used by row 2")
    ]
    kept = pl.read_parquet(project.root / "data/ingested/notes.parquet")
    assert kept["source_record_key"].to_list() == [f"k{i}" for i in range(7)]


def test_long_records_are_parsed_in_smaller_parts_with_the_same_result(
    project: MiniProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parsed part holds at most BATCH_CHARS characters of text (long notes: fewer rows);
    how the records are cut into parts changes nothing in the ingested items."""
    import curation.sources.readers as readers

    project.sources({"notes": NOTES_SOURCE})
    rows = [
        f"k{i},第{i}条记录：" + "患者胸痛三天，心电图提示心肌缺血。" * (1 + i % 4) for i in range(9)
    ]
    project.write("raw/notes.csv", "id,text\n" + "\n".join(rows) + "\n")
    root = ["--root", str(project.root)]
    assert runner.invoke(app, ["ingest", *root]).exit_code == 0
    whole = (project.root / "data/ingested/notes.parquet").read_bytes()
    parts: list[int] = []
    write = pl.DataFrame.write_parquet
    monkeypatch.setattr(readers, "BATCH_CHARS", 60)
    monkeypatch.setattr(
        pl.DataFrame,
        "write_parquet",
        lambda frame, *a, **k: parts.append(frame.height) or write(frame, *a, **k),
    )
    assert runner.invoke(app, ["ingest", *root]).exit_code == 0
    assert len(parts) > 3 and max(parts) < len(rows)  # several parts, none holding every row
    assert (project.root / "data/ingested/notes.parquet").read_bytes() == whole
