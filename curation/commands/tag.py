"""`curate tag train | scan`: training the specialty tagger, tagging loose texts. `curate tag
run` is the declared stage :data:`curation.stages.declared.TAG`."""

from __future__ import annotations

import heapq
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from curation.commands.scan import read_scan_input
from curation.config import read_yaml
from curation.contracts import LABEL_MAPS, contract_path, use_project
from curation.errors import ConfigError, InputFileError
from curation.identity import short_hash
from curation.paths import ProjectPaths
from curation.tagging import get_tagger, item_text
from curation.tagging.trained import TrainedTagger

UPSTREAM = "validate"  # tag reads the validated items; there is no fallback


def upstream_items(paths: ProjectPaths, source: str) -> Path:
    """data/validated/<source>.parquet; missing, an error naming it and `curate validate`."""
    return paths.stage_input(UPSTREAM, source, made_by="curate validate")


def load_label_maps(root: Path) -> dict[str, dict[str, str]]:
    """schemas/label_maps.yaml (the project's, else the shipped one): {label name: {label
    value: taxonomy code}}."""
    path = contract_path(LABEL_MAPS, root)
    data = read_yaml(path) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of label names")
    return {
        name: {str(k): str(v) for k, v in (values or {}).items()} for name, values in data.items()
    }


TEXT_COLUMNS = ("question", "context", "options", "answer_text", "explanation")


def label_code(labels: list[dict] | None, maps: dict[str, dict[str, str]]) -> str | None:
    """The taxonomy code of an item's first source label that maps onto the taxonomy."""
    for label in labels or []:
        code = maps.get(label["name"], {}).get(label["value"])
        if code:
            return code
    return None


def chosen_examples(
    files: list[Path], maps: dict[str, dict[str, str]], max_per_class: int
) -> dict[tuple[int, int], str]:
    """{(file index, row): code} of the labeled items to learn from: per class at most
    `max_per_class`, those whose item_id hashes lowest (the same ones in any input order).
    Reads only two small columns."""
    by_class: dict[str, list[tuple[str, int, int]]] = {}
    for index, path in enumerate(files):
        frame = pl.read_parquet(path, columns=["item_id", "source_labels"])
        for row, (item_id, labels) in enumerate(frame.iter_rows()):
            code = label_code(labels, maps)
            if code:
                by_class.setdefault(code, []).append((short_hash(item_id), index, row))
    chosen: dict[tuple[int, int], str] = {}
    for code, members in by_class.items():
        for _, index, row in heapq.nsmallest(max_per_class, members):
            chosen[(index, row)] = code
    return chosen


def labeled_examples(
    files: list[Path], maps: dict[str, dict[str, str]], max_per_class: int, batch: int = 5000
) -> tuple[list[str], list[str]]:
    """(texts, codes) of the chosen labeled items (:func:`chosen_examples`), in input order;
    the texts are streamed in batches, so only the chosen ones are held."""
    chosen = chosen_examples(files, maps, max_per_class)
    texts, codes = [], []
    for index, path in enumerate(files):
        row = 0
        for part in pq.ParquetFile(path).iter_batches(batch_size=batch, columns=TEXT_COLUMNS):
            for record in part.to_pylist():
                code = chosen.get((index, row))
                if code:
                    texts.append(item_text(record))
                    codes.append(code)
                row += 1
    return texts, codes


def train_tagger(paths: ProjectPaths, sources: list[str], output: Path, max_per_class: int) -> dict:
    """Train the TF-IDF tagger on the labeled items of the sources (at most `max_per_class`
    per specialty, so memory stays bounded); returns its card."""
    use_project(paths.root)
    files = [upstream_items(paths, s) for s in sources]
    texts, codes = labeled_examples(files, load_label_maps(paths.root), max_per_class)
    if len(set(codes)) < 2:
        raise ConfigError(
            "fewer than two labeled specialties to learn from",
            hint="Map source labels to taxonomy codes in schemas/label_maps.yaml.",
        )
    model = TrainedTagger.fit(texts, codes)
    model.meta["per_class"] = dict(sorted(Counter(codes).items()))
    model.meta["max_per_class"] = max_per_class
    model.meta["sources"] = sources
    model.save(output)
    return model.meta


def scan_file(
    source: Path, target: Path, tagger_name: str, model: Path | None, progress: Callable | None
) -> int:
    """Tag every text of a JSONL file ({"id","text","lang"?}) into target; returns the count."""
    if not source.is_file():
        raise InputFileError(f"{source} does not exist")
    tagger = get_tagger(tagger_name, model)
    rows = list(read_scan_input(source))
    with target.open("w", encoding="utf-8") as out:
        for start in range(0, len(rows), 2000):
            batch = rows[start : start + 2000]
            predictions = tagger.predict([r[1] for r in batch], [r[2] for r in batch])
            for (ident, *_), p in zip(batch, predictions, strict=True):
                out.write(json.dumps(p.as_json(ident), ensure_ascii=False) + "\n")
            if progress:
                progress(len(batch))
    return len(rows)
