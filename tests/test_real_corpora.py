"""Real public corpora ingest with every row accounted for (skipped without ../shared)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from curation.cli import app
from tests.conftest import PROJECT_ROOT

EXAMPLE = PROJECT_ROOT / "examples" / "shared-corpora" / "sources.yaml"
SHARED = PROJECT_ROOT.parent / "shared"

pytestmark = pytest.mark.skipif(
    not (SHARED / "corpora").is_dir(), reason="../shared/corpora is not present"
)


def test_cmexam_and_toyhom_ingest_with_full_accounting(tmp_path: Path) -> None:
    # mirror a checkout beside shared/: <tmp>/checkout/examples/shared-corpora, <tmp>/shared
    root = tmp_path / "checkout" / "examples" / "shared-corpora"
    root.mkdir(parents=True)
    shutil.copy(EXAMPLE, root / "sources.yaml")
    (tmp_path / "shared").symlink_to(SHARED)
    result = CliRunner().invoke(app, ["ingest", "--root", str(root)])
    assert result.exit_code == 0, result.output
    cmexam = json.loads((root / "reports/ingest/cmexam_val.json").read_text())
    toyhom = json.loads((root / "reports/ingest/toyhom_im.json").read_text())
    assert cmexam["rows_in"] == 6811 == cmexam["kept"] + cmexam["quarantined"]
    assert cmexam["quarantined_by_reason"] == {"missing_answer": 1}
    assert toyhom["rows_in"] == 7644 == toyhom["kept"] + toyhom["quarantined"]
    assert cmexam["details"]["encoding"] == "utf-8"
    assert toyhom["details"]["encoding"] == "gb18030"
