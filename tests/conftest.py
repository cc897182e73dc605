"""Shared fixtures: tiny projects built in a temporary directory by code (no real data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from curation.contracts import use_project
from curation.paths import ProjectPaths
from curation.sources.readers import open_source
from curation.sources.spec import SourceSpec
from curation.stages.base import StageResult
from curation.stages.ingest import IngestConfig, ingest

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def make_spec(**overrides: Any) -> SourceSpec:
    """A valid SourceSpec (an MCQ CSV source) with fields overridden."""
    body: dict[str, Any] = {
        "name": "demo",
        "path": "raw/demo.csv",
        "format": "csv",
        "kind": "mcq",
        "language": "zh",
        "license": "CC0-1.0",
        "fields": {"question": "q", "options": {"packed": "opts"}, "answer": "ans"},
    }
    body.update(overrides)
    return SourceSpec.model_validate(body)


class MiniProject:
    """A throwaway project root with raw files and a sources.yaml."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.paths = ProjectPaths(root)

    def write(self, rel: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content if isinstance(content, bytes) else content.encode(encoding)
        path.write_bytes(data)
        return path

    def sources(self, specs: dict[str, dict]) -> Path:
        return self.write("sources.yaml", yaml.safe_dump({"sources": specs}, allow_unicode=True))

    def run(self, spec: SourceSpec) -> tuple[pl.DataFrame, pl.DataFrame, int]:
        """Ingest in memory: (kept, quarantined, rows in)."""
        with open_source(spec, self.root) as raw:
            rows_in = raw.frame.select(pl.len()).collect().item()
            result: StageResult = ingest(raw.frame, spec, IngestConfig())
            return result.kept.collect(), result.quarantined.collect(), rows_in


@pytest.fixture
def project(tmp_path: Path) -> MiniProject:
    return MiniProject(tmp_path)


@pytest.fixture(autouse=True)
def _no_active_project():
    """A `curate --root` command run in-process makes its project the one whose contracts
    (taxonomy, PHI policy …) are read; the next test starts from the shipped ones again."""
    yield
    use_project(None)


@pytest.fixture(scope="session")
def labelstudio(tmp_path_factory: pytest.TempPathFactory):
    """A real Label Studio server for the whole test session (SQLite in a temp folder, bound to
    127.0.0.1 on a free port, telemetry off), started with `curate labelstudio up` machinery."""
    from curation.review.server import LocalServer, free_port

    server = LocalServer(tmp_path_factory.mktemp("labelstudio"))
    server.ensure_secrets(port=free_port(0))
    server.up()
    yield server
    server.down()
