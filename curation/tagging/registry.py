"""Taggers by versioned name; `auto` takes the trained model when one exists."""

from __future__ import annotations

from pathlib import Path

from curation.errors import ConfigError
from curation.tagging.base import Tagger

DEFAULT_MODEL = Path("models") / "specialty_tfidf_lr_v1.joblib"
NAMES = ("auto", "lexicon", "trained", "specialty_lexicon_v1", "specialty_tfidf_lr_v1")


def get_tagger(name: str = "auto", model: Path | None = None) -> Tagger:
    """A tagger: `lexicon`, `trained` (needs the model file) or `auto`."""
    from curation.tagging.lexicon import LexiconTagger
    from curation.tagging.trained import TrainedTagger

    path = model or DEFAULT_MODEL
    if name in ("lexicon", "specialty_lexicon_v1"):
        return LexiconTagger()
    if name in ("trained", "specialty_tfidf_lr_v1"):
        if not path.is_file():
            raise ConfigError(
                f"no trained tagger at {path}", hint="Run `curate tag train` (or dvc repro) first."
            )
        return TrainedTagger.load(path)
    if name == "auto":
        return TrainedTagger.load(path) if path.is_file() else LexiconTagger()
    raise ConfigError(f"unknown tagger '{name}'; choose one of: {', '.join(NAMES)}")
