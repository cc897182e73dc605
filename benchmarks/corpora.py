"""Where the benchmarks find the public corpora written by others (never copied into the repo).

``MEDCURATE_CORPORA`` names the folder; by default it is ``../shared/corpora`` beside the
project root. Each corpus folder's SOURCE.md says what it is and its license.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("MEDCURATE_CORPORA") or ROOT.parent / "shared" / "corpora")
