"""The committed sample sources in raw/ are exactly what the generator makes."""

from __future__ import annotations

from pathlib import Path

from curation.synth import generate_all
from tests.conftest import PROJECT_ROOT


def test_committed_raw_files_match_the_generator(tmp_path: Path) -> None:
    for name, path in generate_all(tmp_path).items():
        committed = PROJECT_ROOT / "raw" / path.relative_to(tmp_path)
        assert committed.read_bytes() == path.read_bytes(), (
            f"raw/ for {name} is stale: run `curate synth` and commit raw/"
        )
