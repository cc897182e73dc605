"""Writing a stage's outputs as batches come: kept rows and quarantine rows, in parquet row
groups of a fixed size (so the bytes depend only on the rows and their order), and reading a
stage's input in batches."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from curation.stages.base import ITEM_SCHEMA, QUARANTINE_SCHEMA, quarantine_items

ROW_GROUP_ROWS = 10_000  # rows per parquet row group of every stage output (fixed: same bytes)


class StageSink:
    """Splits judged batches into kept and quarantine rows and writes both files.

    If the stage stops (any exception), neither file is left behind."""

    def __init__(self, stage: str, kept_path: Path, quarantine_path: Path) -> None:
        self.stage = stage
        self.kept = 0
        self.by_reason: Counter[str] = Counter()
        self._kept = RowGroupWriter(kept_path, ITEM_SCHEMA)
        self._quarantined = RowGroupWriter(quarantine_path, QUARANTINE_SCHEMA)

    def __enter__(self) -> StageSink:
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        if exc is None:
            self._kept.close()
            self._quarantined.close()
        else:
            self._kept.discard()
            self._quarantined.discard()

    def add(self, judged: pl.DataFrame) -> None:
        """Take one judged batch (item columns plus `_reason`, `_detail`)."""
        is_kept = pl.col("_reason").is_null()
        kept = judged.filter(is_kept).select([pl.col(n).cast(t) for n, t in ITEM_SCHEMA.items()])
        self.add_split(kept, quarantine_items(judged.lazy(), self.stage).collect())

    def add_split(self, kept: pl.DataFrame, quarantined: pl.DataFrame) -> None:
        """Take one batch already split into item rows and quarantine rows."""
        self._kept.write(kept)
        self._quarantined.write(quarantined)
        self.kept += kept.height
        self.by_reason.update(quarantined["reason"].to_list())


class RowGroupWriter:
    """Writes a parquet file in row groups of exactly :data:`ROW_GROUP_ROWS` rows (the last
    one shorter), whatever the sizes of the frames it is given: the bytes depend only on the
    rows and their order."""

    def __init__(self, path: Path, schema: pl.Schema) -> None:
        self.path = path
        self.schema = schema
        self._arrow = pl.DataFrame(schema=schema).to_arrow().schema
        path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = pq.ParquetWriter(
            path, self._arrow, compression="zstd", write_statistics=False
        )
        self._pending: list[pa.Table] = []
        self._rows = 0

    def write(self, frame: pl.DataFrame) -> None:
        """Buffer rows; flush every full row group."""
        if not frame.height:
            return
        self._pending.append(frame.to_arrow().cast(self._arrow))
        self._rows += frame.height
        while self._rows >= ROW_GROUP_ROWS:
            table = pa.concat_tables(self._pending)
            self._writer.write_table(table.slice(0, ROW_GROUP_ROWS), ROW_GROUP_ROWS)
            rest = table.slice(ROW_GROUP_ROWS)
            self._pending, self._rows = ([rest] if rest.num_rows else []), rest.num_rows

    def close(self) -> None:
        """Flush the last row group and close the file."""
        if self._rows:
            self._writer.write_table(pa.concat_tables(self._pending), ROW_GROUP_ROWS)
        self._pending, self._rows = [], 0
        self._writer.close()

    def discard(self) -> None:
        """Close and delete a file that must not be left half written."""
        self._writer.close()
        self.path.unlink(missing_ok=True)


def read_batches(
    src: Path, batch_size: int, columns: list[str] | None = None
) -> Iterator[pl.DataFrame]:
    """The items of a parquet file in batches of `batch_size` rows (streamed from disk), with
    only `columns` when given."""
    for batch in pq.ParquetFile(src).iter_batches(batch_size=batch_size, columns=columns):
        yield pl.from_arrow(pa.Table.from_batches([batch]))  # type: ignore[misc]
