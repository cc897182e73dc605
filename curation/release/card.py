"""The dataset card (Hugging Face README.md with YAML), the code lists shipped beside it, and
the specialty distribution plot.

The card explains itself: a table of every released column (from the data's own schema, so it
cannot drift from the files), specialty names in Chinese and English beside their codes, the
five CMExam annotations of the MCQ configs with their counts per value, the code lists as CSV
files under ``taxonomy/``, and each agreement figure with a reading derived from conventional
bands (Krippendorff for alpha, Landis & Koch for kappa).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from curation.exam_annotations import ExamAnnotations, load_exam_annotations
from curation.release.task_card import TASK_COLUMNS, task_categories, task_configs, task_section
from curation.taxonomy import Taxonomy, load_taxonomy

TASKS = {
    "mcq": "multiple-choice",
    "open_qa": "question-answering",
    "record": "text-generation",
    "dialogue": "text-generation",
    "extraction": "token-classification",
    "summarization": "summarization",
}

# What each released column (and nested field, as `parent.child`) means. The card's field table
# and croissant.json's field descriptions both read this; a column missing here shows as
# UNDOCUMENTED (and fails tests/test_release_card.py).
COLUMNS: dict[str, str] = {
    "item_id": "Public id of the item (16 hex digits, a keyed hash of the internal id). The same "
    "item keeps its id, and its split, in every release.",
    "cluster_id": "Public id of the item's near-duplicate cluster (MinHash LSH). Items of one "
    "cluster always share a split.",
    "content_hash": "Hash of the normalized content (question, context, options, answer). It "
    "changes when an item is edited; CHANGELOG.md lists such items as changed.",
    "split": "train, dev or test (a salted hash of the cluster; frozen across releases).",
    "source": "Name of the source dataset the item comes from.",
    "license": "SPDX identifier of the source's license (see the Sources and licenses table).",
    "kind": "Task type: mcq, open_qa, record, dialogue, extraction or summarization.",
    "dimension": "MLB evaluation dimension (MedKQA, MedSE, MedRU, SmartServ, SmartCare); names in "
    "taxonomy/mlb_dimensions.csv. Null when the source does not assign one.",
    "language": "Language of the item, ISO 639-1 (zh or en).",
    "question": "The question or instruction, de-identified. Null when the item has none.",
    "context": "Case, record or dialogue text the item is about, de-identified. Null if none.",
    "options": "Answer options of a multiple-choice question, in display order; empty for "
    "other kinds.",
    "options.label": "Option label as shown, e.g. A.",
    "options.text": "Option text.",
    "answer_labels": "Correct option label(s) of an MCQ; more than one for multiple-answer "
    "questions. Empty for other kinds.",
    "answer": "The reference answer as one string: the MCQ labels joined by commas (e.g. A,C), "
    "else answer_text.",
    "answer_text": "Free-text reference answer (open questions, summaries, ...). Null for MCQs.",
    "explanation": "Explanation of the answer given by the source. Null if none.",
    "turns": "Dialogue turns in order (de-identified); empty for other kinds.",
    "turns.speaker": "Speaker as written in the source, e.g. 患者 or Doctor.",
    "turns.text": "What the speaker said.",
    "specialty_code": "Clinical specialty, a code of the MedCurate taxonomy (e.g. 03.04 心血管内科"
    "专业 Cardiology); names in taxonomy/specialties.csv. Tagged automatically, then confirmed or "
    "corrected by physicians. Null if untagged.",
    "department_code": "First-level department of specialty_code (e.g. 03 内科 Internal "
    "Medicine); names in taxonomy/specialties.csv.",
    "disease_group": "ICD-11 chapter of the specialty (e.g. 11, diseases of the circulatory "
    "system); names in taxonomy/icd11_chapters.csv. Null if none.",
    "discipline": "Medical discipline of a multiple-choice question, as CMExam annotates it: "
    "clinical_medicine, chinese_materia_medica, pharmacy, public_health, stomatology, "
    "integrated_tcm_western or tcm; names in taxonomy/medical_disciplines.csv. Pre-filled from the "
    "source when it has one, confirmed or corrected by physicians. Null for other kinds or when "
    "not annotated.",
    "competency": "Area of competency a multiple-choice question tests, as CMExam annotates it: "
    "basic_knowledge, diagnosis, treatment, public_health_law_ethics or na (not applicable); "
    "names in taxonomy/competency_areas.csv. Pre-filled from the source when it has one, "
    "confirmed or corrected by physicians. Null for other kinds or when not annotated.",
    "difficulty": "Physicians' difficulty rating, 1 (easy) to 5 (hard): the reviewers' agreed or "
    "median value, or the adjudicator's. Null if not rated.",
    "review_resolution": "How the physician review was settled: unanimous (all reviewers agreed), "
    "majority, or adjudicated (a senior physician decided a disagreement).",
}
COLUMNS |= {k: v for k, v in TASK_COLUMNS.items() if k not in COLUMNS}
UNDOCUMENTED = "UNDOCUMENTED"

# Code lists shipped under taxonomy/ (relative path → columns); every value is text.
CODE_LISTS: dict[str, tuple[str, ...]] = {
    "taxonomy/specialties.csv": ("code", "parent", "zh", "en"),
    "taxonomy/icd11_chapters.csv": ("code", "zh", "en"),
    "taxonomy/mlb_dimensions.csv": ("code", "zh", "en"),
    "taxonomy/medical_disciplines.csv": ("code", "zh", "en"),
    "taxonomy/competency_areas.csv": ("code", "zh", "en"),
}
SPECIALTIES = "taxonomy/specialties.csv"
EXAM_CODE_LISTS = {  # exam annotation → its code list in a release
    "discipline": "taxonomy/medical_disciplines.csv",
    "competency": "taxonomy/competency_areas.csv",
}


def size_category(n: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K")):
        if n < limit:
            return label
    return "100K<n<1M"


def card_header(
    frame: pl.DataFrame, meta: dict[str, Any], tasks: pl.DataFrame | None = None
) -> dict[str, Any]:
    """The card's YAML: configs/data_files (items', then tasks'), license, languages, task
    categories, size."""
    tasks = tasks if tasks is not None else pl.DataFrame(schema={"config": pl.String})
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
        "task_categories": sorted(
            {TASKS.get(k, "other") for k in frame["kind"].unique()}
            | (task_categories(tasks) if tasks.height else set())
        ),
        "size_categories": [size_category(frame.height + tasks.height)],
        "tags": ["medical", "clinical", "benchmark", "medcurate"],
        "configs": configs + (task_configs(tasks) if tasks.height else []),
    }


# ------------------------------------------------------------------------------------ fields
def type_name(dtype: pl.DataType) -> str:
    """A column's type as the card shows it: string, int64, list<string>, list<struct>."""
    if isinstance(dtype, pl.List | pl.Array):
        return f"list<{type_name(dtype.inner)}>"
    if isinstance(dtype, pl.Struct):
        return "struct"
    if dtype == pl.String:
        return "string"
    if dtype == pl.Boolean:
        return "bool"
    return str(dtype).lower()


def nested_fields(dtype: pl.DataType) -> list[tuple[str, pl.DataType]]:
    """(name, type) of the fields inside a struct or list-of-struct column (else none)."""
    while isinstance(dtype, pl.List | pl.Array):
        dtype = dtype.inner
    return [(f.name, f.dtype) for f in dtype.fields] if isinstance(dtype, pl.Struct) else []


def released_schema(frame: pl.DataFrame) -> pl.Schema:
    """The schema of the released parquet files (the frame without its `config` column)."""
    return pl.Schema({k: v for k, v in frame.schema.items() if k != "config"})


def field_table(schema: pl.Schema) -> list[str]:
    """Markdown table: every released column (nested fields as `parent[].child`), its type and
    what it means."""
    lines = ["| column | type | meaning |", "|---|---|---|"]
    for column, dtype in schema.items():
        lines.append(f"| `{column}` | {type_name(dtype)} | {COLUMNS.get(column, UNDOCUMENTED)} |")
        many = "[]" if isinstance(dtype, pl.List | pl.Array) else ""
        for name, inner in nested_fields(dtype):
            meaning = COLUMNS.get(f"{column}.{name}", UNDOCUMENTED)
            lines.append(f"| `{column}{many}.{name}` | {type_name(inner)} | {meaning} |")
    return lines


# -------------------------------------------------------------------------------- code lists
def code_lists(
    taxonomy: Taxonomy, exams: ExamAnnotations | None = None
) -> dict[str, list[dict[str, str]]]:
    """The code lists as rows: the taxonomy's (specialties, ICD-11 chapters, MLB dimensions) and
    the exam annotations' (medical disciplines, areas of competency; by default the active
    project's)."""
    exams = exams or load_exam_annotations()
    return {
        SPECIALTIES: [
            {"code": s.code, "parent": s.parent or "", "zh": s.zh, "en": s.en}
            for s in taxonomy.specialties
        ],
        "taxonomy/icd11_chapters.csv": [
            {"code": c.code, "zh": c.zh, "en": c.en} for c in taxonomy.icd11_chapters
        ],
        "taxonomy/mlb_dimensions.csv": [
            {"code": d.code, "zh": d.zh, "en": d.en} for d in taxonomy.mlb_dimensions
        ],
        **{
            relative: [{"code": e.code, "zh": e.zh, "en": e.en} for e in exams.entries(name)]
            for name, relative in EXAM_CODE_LISTS.items()
        },
    }


def write_code_lists(
    taxonomy: Taxonomy, out: Path, exams: ExamAnnotations | None = None
) -> list[str]:
    """taxonomy/*.csv in a release (UTF-8, `\\n` line ends: byte-reproducible); their paths."""
    written = []
    for relative, rows in code_lists(taxonomy, exams).items():
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CODE_LISTS[relative], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
        written.append(relative)
    return written


def read_code_list(path: Path) -> list[dict[str, str]]:
    """Rows of a code list CSV, every value a string (codes keep their leading zeros)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# ----------------------------------------------------------------------------------- tables
def _counts(frame: pl.DataFrame, by: str) -> tuple[list[str], list[dict[str, Any]]]:
    counts = frame.group_by(by, "split").len().pivot(on="split", index=by, values="len")
    splits = [s for s in ("train", "dev", "test") if s in counts.columns]
    return splits, counts.fill_null(0).sort(by).rows(named=True)


def _table(frame: pl.DataFrame, by: str) -> list[str]:
    splits, rows = _counts(frame, by)
    lines = [
        f"| {by} | " + " | ".join(splits) + " | total |",
        "|---|" + "---:|" * (len(splits) + 1),
    ]
    for row in rows:
        values = [row[s] for s in splits]
        lines.append(
            f"| {row[by] or '—'} | " + " | ".join(map(str, values)) + f" | {sum(values)} |"
        )
    return lines


def specialty_table(frame: pl.DataFrame, taxonomy: Taxonomy) -> list[str]:
    """Items per specialty and split, each code with its Chinese and English name."""
    names = taxonomy.by_code()
    splits, rows = _counts(frame, "specialty_code")
    lines = [
        "| specialty_code | 专业 | specialty | " + " | ".join(splits) + " | total |",
        "|---|---|---|" + "---:|" * (len(splits) + 1),
    ]
    for row in rows:
        code = row["specialty_code"]
        entry = names.get(code) if code else None
        zh, en = (entry.zh, entry.en) if entry else ("—", "untagged" if not code else "unknown")
        values = [row[s] for s in splits]
        lines.append(
            f"| {code or '—'} | {zh} | {en} | "
            + " | ".join(map(str, values))
            + f" | {sum(values)} |"
        )
    return lines


# ------------------------------------------------------------------------- exam annotations
DIFFICULTY_NAMES = {
    1: ("易", "easy"),
    2: ("较易", "fairly easy"),
    3: ("中等", "medium"),
    4: ("较难", "fairly hard"),
    5: ("难", "hard"),
}


def exam_annotations(
    taxonomy: Taxonomy, exams: ExamAnnotations
) -> list[tuple[str, str, str, dict[Any, tuple[str, str]]]]:
    """CMExam's five annotations of an MCQ: (column, title, where it comes from, value → zh and
    en name), in CMExam's order; values are listed in the order of these names."""
    departments = {s.code: (s.zh, s.en) for s in taxonomy.specialties if s.parent is None}

    def names(name: str) -> dict[Any, tuple[str, str]]:
        return {e.code: (e.zh, e.en) for e in exams.entries(name)}

    return [
        (
            "disease_group",
            "Disease group 疾病分组",
            "the ICD-11 chapter of the item's specialty (`taxonomy/icd11_chapters.csv`)",
            {c.code: (c.zh, c.en) for c in taxonomy.icd11_chapters},
        ),
        (
            "department_code",
            "Clinical department 临床科室",
            "the first-level department of the specialty, tagged and confirmed or corrected by "
            f"physicians (`{SPECIALTIES}`)",
            departments,
        ),
        (
            "discipline",
            "Medical discipline 医学学科",
            "from the source when it has one, confirmed or corrected by physicians "
            f"(`{EXAM_CODE_LISTS['discipline']}`)",
            names("discipline"),
        ),
        (
            "competency",
            "Area of competency 能力领域",
            "from the source when it has one, confirmed or corrected by physicians "
            f"(`{EXAM_CODE_LISTS['competency']}`)",
            names("competency"),
        ),
        (
            "difficulty",
            "Difficulty 难度",
            "the physicians' rating, 1 (easy) to 5 (hard)",
            dict(DIFFICULTY_NAMES),
        ),
    ]


def value_table(frame: pl.DataFrame, column: str, names: dict[Any, tuple[str, str]]) -> list[str]:
    """Items per value of a column and config: known values in the order of `names`, then
    unknown ones, then the items without a value."""
    configs = sorted(frame["config"].unique().to_list())
    counts = {(v, c): n for v, c, n in frame.group_by(column, "config").len().iter_rows()}
    present = {v for v, _ in counts}
    values = [v for v in names if v in present]
    values += sorted((v for v in present if v is not None and v not in names), key=str)
    values += [None] if None in present else []
    lines = [
        f"| {column} | 中文 | English | " + " | ".join(configs) + " | total |",
        "|---|---|---|" + "---:|" * (len(configs) + 1),
    ]
    for value in values:
        if value is None:
            zh, en = "未标注", "not annotated"
        else:
            zh, en = names.get(value, ("—", "unknown"))
        row = [counts.get((value, c), 0) for c in configs]
        shown = "—" if value is None else value
        lines.append(f"| {shown} | {zh} | {en} | " + " | ".join(map(str, row)) + f" | {sum(row)} |")
    return lines


def exam_annotation_section(
    frame: pl.DataFrame, taxonomy: Taxonomy, exams: ExamAnnotations
) -> list[str]:
    """The five CMExam annotations of the MCQ configs, each with its items per value and config
    (nothing when the release has no MCQs)."""
    mcq = frame.filter(pl.col("kind") == "mcq")
    if mcq.is_empty():
        return []
    annotations = exam_annotations(taxonomy, exams)
    configs = ", ".join(f"`{c}`" for c in sorted(mcq["config"].unique().to_list()))
    lines = [
        "## Exam annotations (CMExam)",
        "",
        f"The multiple-choice questions ({configs}) carry the five annotations of CMExam "
        "(Liu et al., 2023), as columns:",
        "",
        *[f"* {title} (`{column}`): {origin}." for column, title, origin, _ in annotations],
        "",
        "Items per value, over all splits:",
        "",
    ]
    for column, title, _, names in annotations:
        lines += [f"### {title} (`{column}`)", "", *value_table(mcq, column, names), ""]
    return lines


# -------------------------------------------------------------------------------- agreement
# Krippendorff (2004, Content Analysis, 2nd ed., p. 241): rely on variables with alpha >= .800,
# draw tentative conclusions from .667 <= alpha < .800, discard the rest.
ALPHA_RELIABLE, ALPHA_TENTATIVE = 0.800, 0.667
# Landis & Koch (1977): upper bounds of the kappa bands.
KAPPA_BANDS = (
    (0.20, "slight"),
    (0.40, "fair"),
    (0.60, "moderate"),
    (0.80, "substantial"),
    (1.0, "almost perfect"),
)
# what the review fields of reports/agreement.json label, as the reading names them
LABELLED = {
    "verdict": "accept/reject decisions",
    "specialty": "specialty labels (specialty_code)",
    "answer": "answer keys",
    "difficulty": "difficulty ratings",
    "discipline": "medical disciplines (discipline)",
    "competency": "areas of competency (competency)",
}
HIGH_RAW_AGREEMENT = 0.9


def alpha_band(alpha: float) -> str:
    """reliable (>= 0.800), tentative (0.667-0.800) or unreliable (< 0.667)."""
    if alpha >= ALPHA_RELIABLE:
        return "reliable"
    if alpha >= ALPHA_TENTATIVE:
        return "tentative"
    return "unreliable"


def kappa_band(kappa: float) -> str:
    """Landis & Koch's name for a kappa: poor (< 0), slight, fair, moderate, substantial, almost
    perfect (> 0.80)."""
    if kappa < 0:
        return "poor"
    for upper, name in KAPPA_BANDS:
        if kappa <= upper:
            return name
    return "almost perfect"


def agreement_reading(field: str, figures: dict[str, Any]) -> str:
    """One line saying what a field's agreement means for a benchmark user, derived from alpha,
    its 95% interval and the raw agreement (never written per release)."""
    what = LABELLED.get(field, f"{field} labels")
    alpha = (figures.get("krippendorff_alpha") or {}).get("value")
    ci = (figures.get("krippendorff_alpha") or {}).get("ci95")
    if alpha is None:
        return (
            f"α cannot be computed (too few items reviewed twice, or a single value given): "
            f"no evidence either way on the {what}."
        )
    band = alpha_band(alpha)
    if band == "reliable":
        text = f"α ≥ {ALPHA_RELIABLE:.3f}: reviewers agree reliably; the {what} can be relied on."
    elif band == "tentative":
        text = (
            f"α between {ALPHA_TENTATIVE:.3f} and {ALPHA_RELIABLE:.3f}: moderate agreement; draw "
            f"only tentative conclusions from the {what}."
        )
    elif ci and ci[0] <= 0:
        text = (
            "α is indistinguishable from chance (its 95% interval includes 0): reviewers agree "
            f"no more than chance would; treat the {what} as provisional."
        )
    else:
        text = (
            f"α below {ALPHA_TENTATIVE:.3f}: reviewers disagree; treat the {what} as provisional."
        )
    observed = figures.get("observed_agreement")
    if band != "reliable" and observed is not None and observed >= HIGH_RAW_AGREEMENT:
        text += (
            f" The {observed:.0%} raw agreement comes from one dominant value (chance alone "
            "gives most of it): the rare values are the ones in doubt."
        )
    if ci and alpha_band(ci[0]) != alpha_band(ci[1]):
        text += f" The 95% interval [{ci[0]:.3f}, {ci[1]:.3f}] spans more than one band."
    return text


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def agreement_section(agreement: dict[str, Any]) -> list[str]:
    """The agreement table and one reading per field (or a line saying there is none)."""
    fields = agreement.get("fields") or {}
    if not fields:
        return ["No agreement report was available for this release.", ""]
    lines = [
        "Agreement between the reviewers before adjudication, over every item reviewed "
        "(released or not): Krippendorff's alpha (95% "
        "bootstrap interval), Fleiss' kappa and the share of items on which all reviewers gave "
        f"the same value. Bands: alpha ≥ {ALPHA_RELIABLE:.3f} reliable, {ALPHA_TENTATIVE:.3f}–"
        f"{ALPHA_RELIABLE:.3f} tentative, below unreliable (Krippendorff 2004); kappa read "
        "with Landis & Koch (1977).",
        "",
        "| field | items | raw agreement | alpha | 95% CI | alpha band | Fleiss' kappa | "
        "kappa band |",
        "|---|---:|---:|---:|---|---|---:|---|",
    ]
    for name, f in fields.items():
        alpha = f.get("krippendorff_alpha") or {}
        kappa = (f.get("fleiss_kappa") or {}).get("value")
        ci = alpha.get("ci95")
        observed = f.get("observed_agreement")
        lines.append(
            f"| {name} | {f.get('items', 0)} | "
            f"{'n/a' if observed is None else f'{observed:.0%}'} | {_figure(alpha.get('value'))} | "
            f"{f'[{ci[0]:.3f}, {ci[1]:.3f}]' if ci else '—'} | "
            f"{'—' if alpha.get('value') is None else alpha_band(alpha['value'])} | "
            f"{_figure(kappa)} | {'—' if kappa is None else kappa_band(kappa)} |"
        )
    lines.append("")
    lines += [f"* **{name}**: {agreement_reading(name, f)}" for name, f in fields.items()]
    return [*lines, ""]


# ------------------------------------------------------------------------------------- card
def render_card(
    frame: pl.DataFrame,
    meta: dict[str, Any],
    taxonomy: Taxonomy | None = None,
    exams: ExamAnnotations | None = None,
    tasks: pl.DataFrame | None = None,
    item_stats: list[str] | None = None,
) -> str:
    """README.md of a release (`frame`: the released rows with their `config` column; `tasks`:
    the released task instances, with theirs; `item_stats`: the section of statistics from
    graded answers, see `curation.release.grading_card`; the taxonomy and exam annotations
    default to the active project's)."""
    taxonomy = taxonomy or load_taxonomy()
    exams = exams or load_exam_annotations()
    header = yaml.safe_dump(card_header(frame, meta, tasks), allow_unicode=True, sort_keys=False)
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
        "Each config (`<kind>_<language>`) has a parquet file and an identical JSON Lines file "
        "per split under `data/`. Exports for lm-evaluation-harness, OpenCompass and MedS-Bench "
        "are under `exports/`; `croissant.json` describes every data file and column (MLCommons "
        "Croissant); `manifest.json` holds the checksum of every file.",
        "",
        "## Fields",
        "",
        "Every data file has these columns:",
        "",
        *field_table(released_schema(frame)),
        "",
        "The code lists behind the coded columns ship with the release, with Chinese and English "
        "names: " + ", ".join(f"`{p}`" for p in CODE_LISTS) + f" (taxonomy {taxonomy.version}, "
        f"built on the {taxonomy.source}; exam annotations {exams.version}: {exams.source}).",
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
        f"By specialty (names from `{SPECIALTIES}`):",
        "",
        *specialty_table(frame, taxonomy),
        "",
        "![specialty distribution per split](specialty_distribution.png)",
        "",
        *exam_annotation_section(frame, taxonomy, exams),
        *(task_section(tasks, meta["version"]) if tasks is not None else []),
        "## Physician review",
        "",
        "Every item was reviewed by physicians in Label Studio; disagreements were adjudicated "
        "by a senior physician.",
        "",
        *agreement_section(meta.get("agreement") or {}),
    ]
    resolution = frame.group_by("review_resolution").len().sort("review_resolution")
    lines += [
        "Decisions: " + ", ".join(f"{r or 'n/a'} {n}" for r, n in resolution.iter_rows()) + ".",
        "",
        *(item_stats or []),
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
