"""The dataset-level suite: expectations as data, run by Great Expectations Core 1.x.

``schemas/expectations/items.yaml`` lists the expectations (types and kwargs, with ``{param:
NAME}`` thresholds filled from :class:`~curation.validation.rules.ValidateConfig`);
:func:`suite_frame` derives the columns they need (lengths, joined option and turn texts,
answer-label shares) in polars; :func:`run_suite` runs them in an ephemeral, offline GX context
over a pandas copy of only those columns, and builds the static Data Docs site. Memory does not
grow with the data beyond a few numbers per row: :func:`suite_input` reads columns in chunks of
rows, the per-value checks (not null, patterns such as the residual-PHI ones, allowed values,
answer balance) run chunk by chunk and their counts are summed (:func:`chunked`), and only the
whole-dataset checks (uniqueness, quantiles, row count) see every row at once, over ids and
lengths.

GX is imported inside :func:`run_suite` only (it takes seconds to import). Summaries and Data
Docs carry counts and numeric observations only: result formats keep no unexpected values.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from curation.config import read_yaml, validate_config
from curation.contracts import EXPECTATIONS, contract_path
from curation.errors import ConfigError
from curation.models import Dimension, Kind, Language
from curation.validation.rules import ValidateConfig

SUITE_FILE = Path(EXPECTATIONS)
SITE = "local_site"
RUN_NAME = "validate"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# No unexpected values, anywhere: they could be record text.
RESULT_FORMAT = {
    "result_format": "SUMMARY",
    "partial_unexpected_count": 0,
    "include_unexpected_rows": False,
    "return_unexpected_index_query": False,
}
_BEACON = re.compile(r"https://great-expectations-web-assets\.[^\"')\s]*")
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SuiteEntry(_Frozen):
    """One entry of the suite file (see the file's header for the keys)."""

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.]+$")
    expectation: str = Field(pattern=r"^expect_[a-z0-9_]+$")
    kwargs: dict[str, Any] = Field(default_factory=dict)
    columns: list[str] | None = Field(default=None, min_length=1)
    if_any_values: bool = False


class SuiteFile(_Frozen):
    """The suite file: a name and its expectations."""

    name: str = Field(min_length=1)
    expectations: list[SuiteEntry] = Field(min_length=1)


@dataclass(frozen=True)
class Check:
    """One expectation, expanded and with its parameters filled in."""

    id: str
    type: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    if_any_values: bool = False

    @property
    def column(self) -> str | None:
        """The column it is about (None for table-level expectations)."""
        return self.kwargs.get("column")


@dataclass(frozen=True)
class Suite:
    """A loaded suite: its name, its checks and the file it came from."""

    name: str
    checks: list[Check]
    path: Path

    def columns(self) -> list[str]:
        """Every column the checks read, in first-use order."""
        seen: dict[str, None] = {}
        for check in self.checks:
            for key in ("column", "column_A", "column_B"):
                if isinstance(check.kwargs.get(key), str):
                    seen[check.kwargs[key]] = None
            for name in check.kwargs.get("column_list") or ():
                seen[name] = None
        return list(seen)


def suite_params(config: ValidateConfig) -> dict[str, Any]:
    """What `{param: NAME}` may name: the config (dotted paths) and the item model's enums."""
    params: dict[str, Any] = {
        "kinds": [k.value for k in Kind],
        "languages": [lang.value for lang in Language],
        "dimensions": [d.value for d in Dimension],
    }

    def flatten(prefix: str, value: Any) -> None:
        params[prefix] = value
        if isinstance(value, dict):
            for key, sub in value.items():
                flatten(f"{prefix}.{key}", sub)

    for key, value in config.model_dump(mode="json").items():
        flatten(key, value)
    return params


def _fill(value: Any, params: dict[str, Any], where: str) -> Any:
    if isinstance(value, dict):
        if set(value) == {"param"}:
            name = value["param"]
            if name not in params:
                known = ", ".join(sorted(params))
                raise ConfigError(f"{where}: unknown param {name!r}; known: {known}")
            return params[name]
        return {k: _fill(v, params, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, params, where) for v in value]
    return value


def load_suite(config: ValidateConfig, root: Path | None = None) -> Suite:
    """The suite of a project root (else the shipped one), parameters filled in."""
    path = contract_path(EXPECTATIONS, root)
    spec = validate_config(SuiteFile, read_yaml(path), path)
    params = suite_params(config)
    checks: list[Check] = []
    for entry in spec.expectations:
        kwargs = _fill(entry.kwargs, params, f"{path}: {entry.id}")
        for column in entry.columns or [None]:
            checks.append(
                Check(
                    id=f"{entry.id}.{column}" if column else entry.id,
                    type=entry.expectation,
                    kwargs={**kwargs, "column": column} if column else kwargs,
                    if_any_values=entry.if_any_values,
                )
            )
    ids = [c.id for c in checks]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"{path}: expectation ids repeat")
    return Suite(name=spec.name, checks=checks, path=path)


def _texts(column: str) -> pl.Expr:
    texts = pl.col(column).list.eval(pl.element().struct.field("text"))
    return pl.when(texts.list.len() > 0).then(texts.list.join("\n"))


def answer_letter_share(frame: pl.DataFrame, min_items: int) -> pl.Series:
    """Per MCQ: the largest share, among its source's MCQs, of those sharing one of its labels."""
    rows = frame.select(
        "source", "kind", label=pl.col("answer_labels").list.unique()
    ).with_row_index("_row")
    mcq = (
        rows.filter((pl.col("kind") == Kind.MCQ.value) & (pl.col("label").list.len() > 0))
        .with_columns(_n=pl.len().over("source"))
        .filter(pl.col("_n") >= min_items)
    )
    best = (
        mcq.explode("label")
        .with_columns(share=pl.len().over("source", "label") / pl.col("_n"))
        .group_by("_row")
        .agg(pl.col("share").max())
    )
    joined = rows.join(best, on="_row", how="left", maintain_order="left")
    return joined["share"].alias("answer_letter_share")


# The item columns suite_frame derives its columns from.
DERIVED_FROM = ("source", "kind", "question", "context", "options", "turns", "answer_labels")

CHUNK_ROWS = 50_000  # rows per GX batch of the per-value checks, at most
CHUNK_BYTES = 16 * 2**20  # ... and about this many uncompressed bytes of the columns read


def input_columns(suite: Suite, item_columns: list[str]) -> list[str]:
    """The item columns the suite needs read: those it checks and those derived ones come
    from (the rest of the items never needs loading)."""
    wanted = set(suite.columns()) | set(DERIVED_FROM)
    return [c for c in item_columns if c in wanted]


def _row_columns() -> dict[str, pl.Expr]:
    """Derived columns computed from one row alone."""
    return {
        "question_chars": pl.col("question").str.len_chars().cast(pl.Float64),
        "context_chars": pl.col("context").str.len_chars().cast(pl.Float64),
        "option_texts": _texts("options"),
        "turn_texts": _texts("turns"),
    }


def suite_frame(kept: pl.DataFrame, config: ValidateConfig) -> pl.DataFrame:
    """The kept items plus the derived columns the suite reads (see the suite file's header)."""
    return kept.with_columns(
        **_row_columns(),
        answer_letter_share=answer_letter_share(kept, config.answer_share_min_items),
    )


def chunked(check: Check) -> bool:
    """Whether a check runs over chunks of rows: a per-value (column map) expectation, whose
    result is the sum of its chunks' results. Uniqueness is not one: it compares rows across
    chunks; nor are table-level and aggregate ones (row count, quantiles)."""
    if check.column is None or check.type == "expect_column_values_to_be_unique":
        return False
    from great_expectations.expectations.expectation import ColumnMapExpectation
    from great_expectations.expectations.registry import get_expectation_impl

    try:
        return issubclass(get_expectation_impl(check.type), ColumnMapExpectation)
    except Exception:  # an unknown type: run_suite names it as a configuration error
        return False


def _check_columns(checks: list[Check]) -> set[str]:
    return set(Suite("", checks, Path()).columns())


@dataclass(frozen=True)
class SuiteInput:
    """What the suite reads, without holding every row's values at once: a frame of the
    columns the whole-dataset checks read (uniqueness, quantiles: ids and lengths) and, on
    demand, chunks of the columns the per-value checks read."""

    frame: pl.DataFrame
    chunks: Callable[[], Iterator[pl.DataFrame]]


def suite_input(files: list[Path], suite: Suite, config: ValidateConfig) -> SuiteInput:
    """The suite's input from item parquet files, read so that memory does not grow with the
    data beyond a few numbers per row: per-value checks read their columns in chunks of at most
    :data:`CHUNK_ROWS` rows and about :data:`CHUNK_BYTES` (:func:`rows_per_chunk`); the frame
    holds only what whole-dataset checks compare across rows.
    The answer-label share, derived across rows, is computed once over source, kind and labels
    and handed to the chunks slice by slice."""
    whole = _check_columns([c for c in suite.checks if not chunked(c)])
    parts = _check_columns([c for c in suite.checks if chunked(c)])
    derived = _row_columns()
    scan = pl.concat([pl.scan_parquet(f) for f in files], how="vertical_relaxed")
    names = scan.collect_schema().names()
    share_needed = "answer_letter_share" in whole | parts
    helpers = ["source", "kind", "answer_labels"] if share_needed else []
    keep = [c for c in names if c in whole or c in helpers]
    lengths = {k: v for k, v in derived.items() if k in whole}
    # slice by slice: a whole-scan collect decodes far more text at once than it keeps
    measured = [c for expr in lengths.values() for c in expr.meta.root_names()]
    pieces = [
        part.select(*keep, **lengths).collect() for _, part in _slices(files, [*keep, *measured])
    ]
    frame = (
        pl.concat(pieces, how="vertical_relaxed")
        if pieces
        else scan.select(*keep, **lengths).head(0).collect()
    )
    share = answer_letter_share(frame, config.answer_share_min_items) if share_needed else None
    if share is not None and "answer_letter_share" in whole:
        frame = frame.with_columns(share)
    frame = frame.select([c for c in frame.columns if c in whole])
    reads = [c for c in names if c in parts or (c in DERIVED_FROM and c not in helpers)]
    made = {k: v for k, v in derived.items() if k in parts}

    def chunks() -> Iterator[pl.DataFrame]:
        for offset, lazy in _slices(files, reads):
            part = lazy.select(reads).collect().with_columns(**made)
            if share is not None and "answer_letter_share" in parts:
                part = part.with_columns(share.slice(offset, part.height))
            yield part.select(sorted(parts))

    return SuiteInput(frame, chunks)


def _slices(files: list[Path], columns: list[str]) -> Iterator[tuple[int, pl.LazyFrame]]:
    """(offset of its first row among all files, scan) of consecutive slices of each file, of
    :func:`rows_per_chunk` rows for the columns read."""
    offset = 0
    for f in files:
        rows, size = rows_per_chunk(f, columns)
        for start in range(0, rows, size):
            yield offset + start, pl.scan_parquet(f).slice(start, size)
        offset += rows


def rows_per_chunk(path: Path, columns: list[str]) -> tuple[int, int]:
    """(rows of a parquet file, rows per chunk): CHUNK_ROWS, or fewer where the columns read
    are long (about CHUNK_BYTES of them, uncompressed, by the file's own average per row:
    parquet metadata, nothing decoded), so that a chunk of long notes weighs what a chunk of
    short questions does."""
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    wanted = set(columns)
    size = 0
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        for i in range(group.num_columns):
            column = group.column(i)
            if column.path_in_schema.split(".")[0] in wanted:
                size += column.total_uncompressed_size
    per_row = size / meta.num_rows if meta.num_rows else 0
    fit = int(CHUNK_BYTES / per_row) if per_row else CHUNK_ROWS
    return meta.num_rows, max(1, min(CHUNK_ROWS, fit))


def to_pandas(frame: pl.DataFrame, columns: list[str]) -> Any:
    """A pandas copy of some columns (column by column via NumPy: pyarrow is not needed)."""
    import pandas as pd

    return pd.DataFrame({name: frame[name].to_numpy() for name in columns})


def _numeric(value: Any) -> Any:
    """A number, or a dict / list of numbers, as plain JSON values; anything else is None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float) or type(value).__module__ == "numpy":
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
        if number != number or number in (float("inf"), float("-inf")):
            return None
        return int(number) if number.is_integer() and not isinstance(value, float) else number
    if isinstance(value, dict):
        out = {k: _numeric(v) for k, v in value.items()}
        return out if all(v is not None for v in out.values()) else None
    if isinstance(value, list | tuple):
        items = [_numeric(v) for v in value]
        return items if all(v is not None for v in items) else None
    return None


def _raised(info: dict | None) -> bool:
    if not info:
        return False
    if info.get("raised_exception"):
        return True
    return any(isinstance(v, dict) and v.get("raised_exception") for v in info.values())


def _summarize(check: Check, result: Any) -> dict[str, Any]:
    details = result.result or {}
    entry: dict[str, Any] = {
        "id": check.id,
        "type": check.type,
        "column": check.column,
        "success": bool(result.success),
    }
    if isinstance(details.get("unexpected_count"), int):
        entry["unexpected_count"] = details["unexpected_count"]
    observed = _numeric(details.get("observed_value"))
    if observed is not None:
        entry["observed_value"] = observed
    if _raised(result.exception_info):
        entry["error"] = True  # its message may quote data: kept out of the summary
    return entry


class _Counter:
    """A regex replacement that numbers each distinct match in order of first appearance."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def __call__(self, match: re.Match[str]) -> str:
        return self.seen.setdefault(match[0], f"id{len(self.seen) + 1:04d}")


def _localize(docs_dir: Path) -> None:
    """Make the built site self-contained where GX allows it, and identical between rebuilds.

    The GX logo is fetched from GX's web-asset bucket with a timestamp query (a web beacon):
    point it at the site's own copy. Random element ids (uuid4) become per-page counters.
    The pages still load Bootstrap, jQuery and Vega from public CDNs when viewed.
    """
    logo = docs_dir / "static" / "images" / "logo-long.png"
    for page in sorted([*docs_dir.rglob("*.html"), *docs_dir.rglob("*.css")]):
        text = page.read_text(encoding="utf-8")
        fixed = _BEACON.sub(Path(os.path.relpath(logo, page.parent)).as_posix(), text)
        fixed = _UUID.sub(_Counter(), fixed)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


def _context(docs_dir: Path | None) -> Any:
    """An ephemeral (in-memory) GX context: no analytics, no progress bars, one local site."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    sites = {}
    if docs_dir is not None:
        sites[SITE] = {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir.resolve()),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        data_docs_sites=sites,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _expectation(check: Check, suite: Suite) -> Any:
    from great_expectations.expectations.registry import get_expectation_impl

    try:
        impl = get_expectation_impl(check.type)
        return impl(**check.kwargs, meta={"id": check.id})
    except Exception as exc:  # GX raises several types for unknown names and bad kwargs
        raise ConfigError(
            f"{suite.path}: expectation {check.id!r} ({check.type}) is invalid: "
            f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        ) from None


def _merged(parts: list[Any], check: Check) -> Any:
    """One per-value expectation's result over all chunks: counts summed, shares recomputed,
    success as GX decides it (no unexpected value, or at least `mostly` of the non-missing)."""
    merged = copy.deepcopy(parts[0])
    total = sum((p.result or {}).get("element_count", 0) for p in parts)
    missing = sum((p.result or {}).get("missing_count", 0) for p in parts)
    unexpected = sum((p.result or {}).get("unexpected_count", 0) for p in parts)
    present = total - missing
    merged.result = dict(parts[0].result or {}) | {
        "element_count": total,
        "missing_count": missing,
        "missing_percent": missing / total * 100 if total else None,
        "unexpected_count": unexpected,
        "unexpected_percent": unexpected / present * 100 if present else None,
        "unexpected_percent_total": unexpected / total * 100 if total else None,
        "unexpected_percent_nonmissing": unexpected / present * 100 if present else None,
        "partial_unexpected_list": [],
    }
    mostly = check.kwargs.get("mostly", 1.0)
    merged.success = present == 0 or (present - unexpected) / present >= mostly
    raised = next((p for p in parts if _raised(p.exception_info)), None)
    if raised is not None:
        merged.exception_info = raised.exception_info
        merged.success = False
    return merged


def _in_chunks(data: pl.DataFrame) -> SuiteInput:
    """An in-memory frame as suite input (its per-value checks still run chunk by chunk)."""

    def chunks() -> Iterator[pl.DataFrame]:
        for start in range(0, data.height, CHUNK_ROWS):
            yield data.slice(start, CHUNK_ROWS)

    return SuiteInput(data, chunks)


def run_suite(
    data: pl.DataFrame | SuiteInput,
    suite: Suite,
    docs_dir: Path | None = None,
    run_time: datetime = EPOCH,
) -> dict[str, Any]:
    """Run the suite with GX; build Data Docs into `docs_dir` if given.

    `data`: a suite frame (:func:`suite_frame`) or a :class:`SuiteInput` (:func:`suite_input`,
    which never holds every text at once). Whole-dataset checks run over the frame in one GX
    batch; per-value checks of text columns (:func:`chunked`) run over chunks of rows
    (:func:`rows_per_chunk`) and their results are summed, so that GX holds one chunk of texts
    at a time. Returns {suite, success, expectations: [{id, type, column, success,
    unexpected_count?, observed_value? (numbers only), skipped?, error?}], data_docs (index
    path or None)}. `run_time` stamps the Data Docs run (fixed by default, so that rebuilds are
    identical).
    """
    data = _in_chunks(data) if isinstance(data, pl.DataFrame) else data
    frame = data.frame
    whole = [c for c in suite.checks if not chunked(c)]
    parts = [c for c in suite.checks if chunked(c)]
    whole_columns = sorted(_check_columns(whole))
    part_columns = sorted(_check_columns(parts))
    missing = [c for c in whole_columns if c not in frame.columns]
    if missing:
        raise ConfigError(f"{suite.path}: unknown column(s): {', '.join(missing)}")
    empty = {c for c in whole_columns if frame[c].null_count() == frame.height}

    os.environ["GX_ANALYTICS_ENABLED"] = "False"  # before the import: GX reads it there
    import great_expectations as gx
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
    )
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    context = _context(docs_dir)
    source = context.data_sources.add_pandas("medcurate")
    found: dict[str, list[Any]] = defaultdict(list)
    meta: dict[str, Any] = {}
    if parts:
        expectations = [_expectation(c, suite) for c in parts]
        part_suite = gx.ExpectationSuite(name=f"{suite.name}.chunk", expectations=expectations)
        chunks = source.add_dataframe_asset("chunks").add_batch_definition_whole_dataframe("one")
        rows, nulls = 0, dict.fromkeys(part_columns, 0)
        for chunk in data.chunks():
            lacking = [c for c in part_columns if c not in chunk.columns]
            if lacking:
                raise ConfigError(f"{suite.path}: unknown column(s): {', '.join(lacking)}")
            if chunk.height == 0:
                continue
            rows += chunk.height
            for c in part_columns:
                nulls[c] += chunk[c].null_count()
            batch = chunks.get_batch(batch_parameters={"dataframe": to_pandas(chunk, part_columns)})
            result = batch.validate(part_suite, result_format=RESULT_FORMAT)
            meta = dict(result.meta)
            for r in result.results:
                found[r.expectation_config.meta["id"]].append(r)
        empty |= {c for c in part_columns if nulls[c] == rows}
        if rows == 0:  # no rows at all: one empty batch gives GX's own results on nothing
            nothing = pl.DataFrame({c: pl.Series([], dtype=pl.String) for c in part_columns})
            batch = chunks.get_batch(
                batch_parameters={"dataframe": to_pandas(nothing, part_columns)}
            )
            for r in batch.validate(part_suite, result_format=RESULT_FORMAT).results:
                found[r.expectation_config.meta["id"]].append(r)
    skipped = {c.id for c in suite.checks if c.if_any_values and c.column in empty}
    active = [c for c in suite.checks if c.id not in skipped]
    context.suites.add(  # the whole suite, as Data Docs show it
        gx.ExpectationSuite(name=suite.name, expectations=[_expectation(c, suite) for c in active])
    )
    whole_active = [c for c in whole if c.id not in skipped]
    batch = (
        source.add_dataframe_asset("items")
        .add_batch_definition_whole_dataframe("all")
        .get_batch(batch_parameters={"dataframe": to_pandas(frame, whole_columns)})
    )
    if whole_active:
        whole_suite = gx.ExpectationSuite(
            name=suite.name, expectations=[_expectation(c, suite) for c in whole_active]
        )
        # batch.validate rather than ValidationDefinition.run: run() stores the result as it
        # is, and GX 1.24's quantile expectation returns a numpy bool its JSON store cannot write
        result = batch.validate(whole_suite, result_format=RESULT_FORMAT)
        meta = dict(result.meta)
        for r in result.results:
            found[r.expectation_config.meta["id"]].append(r)
    by_id = {c.id: found[c.id][0] if not chunked(c) else _merged(found[c.id], c) for c in active}
    for r in by_id.values():
        r.success = bool(r.success)
    ordered = [by_id[c.id] for c in active]
    passed = sum(r.success for r in ordered)
    results = ExpectationSuiteValidationResult(
        success=passed == len(ordered),
        results=ordered,
        suite_name=suite.name,
        statistics={
            "evaluated_expectations": len(ordered),
            "successful_expectations": passed,
            "unsuccessful_expectations": len(ordered) - passed,
            "success_percent": passed / len(ordered) * 100 if ordered else None,
        },
        meta=meta,
    )

    expectations = []
    for check in suite.checks:
        if check.id in skipped:
            expectations.append(
                {"id": check.id, "type": check.type, "column": check.column}
                | {"success": True, "skipped": True}
            )
        else:
            expectations.append(_summarize(check, by_id[check.id]))

    index = None
    if docs_dir is not None:
        run_id = RunIdentifier(run_name=RUN_NAME, run_time=run_time)
        results.meta["run_id"] = run_id
        results.meta["validation_time"] = run_time
        if "batch_markers" in results.meta:
            results.meta["batch_markers"]["ge_load_time"] = run_time.strftime("%Y%m%dT%H%M%S.%fZ")
        suite_key = ExpectationSuiteIdentifier(name=suite.name)
        context.validation_results_store.store_validation_results(
            results,
            ValidationResultIdentifier(
                expectation_suite_identifier=suite_key, run_id=run_id, batch_identifier=batch.id
            ),
            suite_key,
        )
        if docs_dir.exists():
            shutil.rmtree(docs_dir)  # the site is rebuilt whole: no pages of earlier runs
        context.build_data_docs(site_names=[SITE])
        _localize(docs_dir)
        index = docs_dir / "index.html"

    return {
        "suite": suite.name,
        "success": all(e["success"] for e in expectations),
        "expectations": expectations,
        "data_docs": str(index) if index else None,
    }


def failure_summary(summary: dict[str, Any]) -> str:
    """One line per failed expectation: id, type, column and counts (never values)."""
    lines = []
    for e in summary["expectations"]:
        if e["success"]:
            continue
        parts = [e["type"]]
        if e.get("column"):
            parts.append(f"column {e['column']}")
        if "unexpected_count" in e:
            parts.append(f"{e['unexpected_count']} unexpected")
        if "observed_value" in e:
            parts.append(f"observed {e['observed_value']}")
        if e.get("error"):
            parts.append("raised an error")
        lines.append(f"{e['id']}: " + ", ".join(parts))
    return "\n".join(lines)
