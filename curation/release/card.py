"""The dataset card (Hugging Face README.md with YAML) and the specialty distribution plot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import yaml

TASKS = {
    "mcq": "multiple-choice",
    "open_qa": "question-answering",
    "record": "text-generation",
    "dialogue": "text-generation",
    "extraction": "token-classification",
    "summarization": "summarization",
}


def size_category(n: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K")):
        if n < limit:
            return label
    return "100K<n<1M"


def card_header(frame: pl.DataFrame, meta: dict[str, Any]) -> dict[str, Any]:
    """The card's YAML: configs/data_files, license, languages, task categories, size."""
    configs = []
    for config in sorted(frame["config"].unique().to_list()):
        splits = sorted(frame.filter(pl.col("config") == config)["split"].unique().to_list())
        configs.append(
            {
                "config_name": config,
                "data_files": [{"split": s, "path": f"data/{config}/{s}.parquet"} for s in splits],
            }
        )
    return {
        "pretty_name": meta["name"],
        "license": meta["hf_license"],
        "language": sorted(frame["language"].unique().to_list()),
        "task_categories": sorted({TASKS.get(k, "other") for k in frame["kind"].unique()}),
        "size_categories": [size_category(frame.height)],
        "tags": ["medical", "clinical", "benchmark", "medcurate"],
        "configs": configs,
    }


def _table(frame: pl.DataFrame, by: str) -> list[str]:
    counts = frame.group_by(by, "split").len().pivot(on="split", index=by, values="len")
    splits = [s for s in ("train", "dev", "test") if s in counts.columns]
    counts = counts.fill_null(0).sort(by)
    lines = [
        f"| {by} | " + " | ".join(splits) + " | total |",
        "|---|" + "---:|" * (len(splits) + 1),
    ]
    for row in counts.iter_rows(named=True):
        values = [row[s] for s in splits]
        lines.append(
            f"| {row[by] or '—'} | " + " | ".join(map(str, values)) + f" | {sum(values)} |"
        )
    return lines


def render_card(frame: pl.DataFrame, meta: dict[str, Any]) -> str:
    """README.md of a release."""
    header = yaml.safe_dump(card_header(frame, meta), allow_unicode=True, sort_keys=False)
    agreement = meta.get("agreement") or {}
    lines = [
        "---",
        header.rstrip(),
        "---",
        "",
        f"# {meta['name']} {meta['version']}",
        "",
        meta["description"],
        "",
    ]
    if meta["non_commercial"]:
        lines += [
            "> **Non-commercial use only.** This release contains items from sources "
            f"licensed {', '.join(meta['non_commercial'])}.",
            "",
        ]
    lines += [
        "## Loading",
        "",
        "```python",
        "from datasets import load_dataset",
        f'ds = load_dataset("parquet", data_files={{"test": '
        f'"releases/{meta["version"]}/data/<config>/test.parquet"}})',
        "```",
        "",
        "Exports for lm-evaluation-harness, OpenCompass and MedS-Bench are under "
        "`exports/`; `croissant.json` describes every file (MLCommons Croissant).",
        "",
        "## Statistics",
        "",
        "By split and config:",
        "",
        *_table(frame, "config"),
        "",
        "By language:",
        "",
        *_table(frame, "language"),
        "",
        "By specialty (taxonomy code, see `schemas/specialties.yaml`):",
        "",
        *_table(frame, "specialty_code"),
        "",
        "![specialty distribution per split](specialty_distribution.png)",
        "",
        "## Physician review",
        "",
    ]
    if agreement:
        lines += [
            "Every item was reviewed by physicians in Label Studio; disagreements were "
            "adjudicated by a senior physician. Agreement (Krippendorff's alpha, 95% "
            "bootstrap interval):",
            "",
            "| field | items | alpha | 95% CI |",
            "|---|---:|---:|---|",
        ]
        for name, f in agreement.get("fields", {}).items():
            alpha = f["krippendorff_alpha"]
            value = "n/a" if alpha["value"] is None else f"{alpha['value']:.3f}"
            ci = alpha.get("ci95")
            lines.append(
                f"| {name} | {f['items']} | {value} | "
                f"{f'[{ci[0]:.3f}, {ci[1]:.3f}]' if ci else '—'} |"
            )
        lines.append("")
    resolution = frame.group_by("review_resolution").len().sort("review_resolution")
    lines += [
        "Decisions: " + ", ".join(f"{r or 'n/a'} {n}" for r, n in resolution.iter_rows()) + ".",
        "",
        "## Curation process",
        "",
        "Built with MedCurate: raw sources are ingested into one item model, de-identified "
        "(names, dates, identifiers, addresses, organizations replaced; dates shifted per "
        "record; a residual-PHI gate), validated (pydantic rules and a Great Expectations "
        "suite), tagged with a specialty, deduplicated (MinHash LSH), reviewed by physicians, "
        "and split by a salted hash of the duplicate cluster, so near-duplicates share a split "
        "and no item ever moves between versions.",
        "",
        "## Sources and licenses",
        "",
        "| source | license | items |",
        "|---|---|---:|",
    ]
    for source, lic, n in frame.group_by("source", "license").len().sort("source").iter_rows():
        lines.append(f"| {source} | {lic} | {n} |")
    lines += [
        "",
        "## Known limitations",
        "",
        "* Automatic de-identification misses some identifiers; physicians checked every "
        "item, but report anything you find.",
        "* Specialty tags come from a tagger confirmed or corrected by physicians; "
        "rare specialties have few items.",
        "* Split shares per specialty × kind × language are within tolerance only for "
        "strata large enough (see reports/splits.json of the producing project).",
        "",
        "## Citation",
        "",
        "```",
        meta["citation"],
        "```",
        "",
    ]
    return "\n".join(lines)


def plot_specialties(frame: pl.DataFrame, path: Path) -> None:
    """Bar chart of items per specialty code and split (deterministic PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    counts = frame.group_by("specialty_code", "split").len()
    codes = sorted(counts["specialty_code"].fill_null("—").unique().to_list())
    splits = [s for s in ("train", "dev", "test") if s in counts["split"].to_list()]
    fig, ax = plt.subplots(figsize=(max(6, len(codes) * 0.35), 4), dpi=100)
    bottom = [0] * len(codes)
    for split in splits:
        sub = dict(
            counts.filter(pl.col("split") == split)
            .select(pl.col("specialty_code").fill_null("—"), "len")
            .iter_rows()
        )
        heights = [sub.get(c, 0) for c in codes]
        ax.bar(codes, heights, bottom=bottom, label=split)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.set_xlabel("specialty code")
    ax.set_ylabel("items")
    ax.set_title("Items per specialty and split")
    ax.legend()
    ax.tick_params(axis="x", labelrotation=90, labelsize=7)
    fig.tight_layout()
    fig.savefig(path, format="png", metadata={"Software": None})
    plt.close(fig)
