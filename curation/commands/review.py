"""`curate review …`: push the queue, pull a snapshot, agreement, adjudication, merge, status.

Push, pull, adjudicate and status talk to Label Studio; agreement and merge are pure DVC stages
over the pinned snapshot (``data/review/export.json``) and ``data/curated.parquet``.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from curation.deid.policy import load_policy
from curation.errors import InputFileError
from curation.models import Kind
from curation.params import Params, load_params
from curation.paths import ProjectPaths
from curation.review import snapshot
from curation.review.agreement import Rating, agreement_report
from curation.review.configs import ProjectSpec, ReviewKind, Role, readable, specialty_choice
from curation.review.connection import Connection
from curation.review.ids import ReviewIds
from curation.review.lock import DEFAULT_WAIT, push_lock
from curation.review.projects import ReviewServer, UpsertReport
from curation.review.rules import Decisive, ReviewConfig, Status, field_value
from curation.review.tasks import build_task, content_hash
from curation.stages.base import ITEM_SCHEMA, QUARANTINE_SCHEMA, StageReport
from curation.stages.review import STAGE, gather, merge_counts, merge_item
from curation.taxonomy import project_taxonomy

Advance = Callable[[int], None]
Say = Callable[[str], None]


def server_for(paths: ProjectPaths, params: Params) -> ReviewServer:
    """The review server of this project (from LABEL_STUDIO_URL / LABEL_STUDIO_API_KEY)."""
    return ReviewServer(
        Connection.from_project(paths.root),
        params.project.name,
        paths.root,
        attempts=params.review.retries,
    )


def curated_items(paths: ProjectPaths) -> pl.DataFrame:
    """The review queue: every curated item."""
    if not paths.curated.is_file():
        raise InputFileError(
            f"{paths.curated.relative_to(paths.root)} does not exist",
            hint="Run `dvc repro dedup` (or `curate dedup`) first.",
        )
    return pl.read_parquet(paths.curated)


def review_ids(paths: ProjectPaths, items: pl.DataFrame | None = None) -> ReviewIds:
    """Public ↔ internal ids of the review queue (the curated items unless `items` is given)."""
    frame = items if items is not None else curated_items(paths)
    return ReviewIds.for_project(paths.root, frame["item_id"].to_list())


def queue_tasks(items: pl.DataFrame, root: Path) -> dict[ReviewKind, list[dict[str, Any]]]:
    """Label Studio tasks per review kind, in item_id order, naming items by public id."""
    taxonomy = project_taxonomy(root)
    ids = ReviewIds.for_project(root, items["item_id"].to_list())
    tasks: dict[ReviewKind, list[dict[str, Any]]] = {kind: [] for kind in ReviewKind}
    for row in items.sort("item_id").iter_rows(named=True):
        task = build_task(row, taxonomy, ids.public[row["item_id"]])
        tasks[ReviewKind.of(row["kind"])].append(task)
    return tasks


def run_push(
    paths: ProjectPaths,
    params: Params,
    advance: Advance = lambda n: None,
    limit: int | None = None,
    total: Advance = lambda n: None,
    wait: float = DEFAULT_WAIT,
    waiting: Say = lambda message: None,
) -> list[UpsertReport]:
    """Create/update the review projects and upsert every curated item as a task.

    Holds the project's push lock (waiting up to `wait` seconds for another push, told through
    `waiting`), so that concurrent pushes cannot both import the same items.
    """
    items = curated_items(paths)
    if limit is not None:
        items = items.sort("item_id").head(limit)
    total(items.height)
    server = server_for(paths, params)
    queued = queue_tasks(items, paths.root)
    aliases = review_ids(paths, items).public  # tasks pushed before public ids: re-keyed
    reports = []
    with push_lock(paths.root, wait, waiting):
        for kind, tasks in queued.items():
            if not tasks:
                continue
            spec = ProjectSpec(Role.REVIEW, kind)
            review = params.review
            reports.append(
                server.upsert(spec, tasks, review.overlap, review.batch_size, advance, aliases)
            )
    return reports


def run_pull(paths: ProjectPaths, params: Params) -> dict[str, Any]:
    """Write data/review/export.json: the pinned snapshot (no server needed at snapshot 0)."""
    number = params.review.snapshot
    if number == 0:
        document = snapshot.empty(0)
    else:
        document = snapshot.pull(server_for(paths, params), number)
    snapshot.write(document, paths.review_snapshot)
    return document


def ratings_from(document: dict[str, Any], items: pl.DataFrame) -> dict[str, list[Rating]]:
    """Reviewers' values per field (adjudications excluded: they are not independent)."""
    keys = {
        r["item_id"]: list(r["answer_labels"] or [])
        for r in items.select("item_id", "kind", "answer_labels").iter_rows(named=True)
        if r["kind"] == Kind.MCQ
    }
    out: dict[str, list[Rating]] = defaultdict(list)
    for item_id, _, _, labels in snapshot.annotations(document, Role.REVIEW):
        for name in Decisive:
            for label in labels:
                if name == Decisive.ANSWER and item_id not in keys:
                    continue
                value = field_value(label, name, keys.get(item_id, []))
                if value is not None:
                    out[name.value].append(Rating(item_id, label.annotator, value))
    return out


def run_agreement(paths: ProjectPaths, config: ReviewConfig) -> dict[str, Any]:
    """reports/agreement.json (DVC metric) and reports/agreement.md from the snapshot."""
    items = curated_items(paths)
    document = review_ids(paths, items).snapshot(snapshot.read(paths.review_snapshot))
    specialty_of = {
        r["item_id"]: (r["tags"] or {}).get("specialty_code")
        for r in items.select("item_id", "tags").iter_rows(named=True)
    }
    ratings = ratings_from(document, items)
    report = agreement_report(
        ratings, specialty_of, config.bootstrap, config.seed, config.min_pair_items
    )
    per_rater = Counter()
    reviewed = set()
    for item_id, _, _, labels in snapshot.annotations(document, Role.REVIEW):
        per_rater.update(label.annotator for label in labels)
        if labels:
            reviewed.add(item_id)
    report = {
        "snapshot": document["snapshot"],
        "items_reviewed": len(reviewed),
        "annotations": sum(per_rater.values()),
        "annotations_per_annotator": dict(sorted(per_rater.items())),
        "bootstrap": config.bootstrap,
        **report,
    }
    path = paths.report("agreement")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    path.with_suffix(".md").write_text(agreement_summary(report), encoding="utf-8")
    return report


def agreement_summary(report: dict[str, Any]) -> str:
    """The agreement report as a short Markdown page for people."""

    def fmt(figure: dict[str, Any] | None) -> str:
        if not figure or figure.get("value") is None:
            return "n/a"
        ci = figure.get("ci95")
        return f"{figure['value']:.3f}" + (f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "")

    lines = [
        f"# Reviewer agreement (snapshot {report['snapshot']})",
        "",
        f"{report['items_reviewed']} items reviewed, {report['annotations']} annotations by "
        f"{len(report['annotations_per_annotator'])} physicians. 95% bootstrap intervals over "
        f"items ({report['bootstrap']} resamples).",
        "",
        "| field | items | observed agreement | Krippendorff's α | Fleiss' κ |",
        "|---|---:|---:|---|---|",
    ]
    for name, f in report["fields"].items():
        observed = "n/a" if f["observed_agreement"] is None else f"{f['observed_agreement']:.3f}"
        lines.append(
            f"| {name} ({f['level']}) | {f['items']} | {observed} | "
            f"{fmt(f['krippendorff_alpha'])} | {fmt(f['fleiss_kappa'])} |"
        )
    lines += [
        "",
        "| annotator | field | pairs | agreement | Cohen's κ vs others |",
        "|---|---|---:|---:|---|",
    ]
    for rater, fields in sorted(report["by_annotator"].items()):
        for name, f in fields.items():
            agree = "n/a" if f["agreement"] is None else f"{f['agreement']:.3f}"
            kappa = fmt(f["kappa"])
            lines.append(f"| {rater} | {name} | {f['pairs']} | {agree} | {kappa} |")
    return "\n".join(lines) + "\n"


def run_merge(paths: ProjectPaths, config: ReviewConfig) -> StageReport:
    """data/reviewed.parquet, data/quarantine/review/curated.parquet and reports/review.json."""
    items = curated_items(paths)
    document = review_ids(paths, items).snapshot(snapshot.read(paths.review_snapshot))
    found = gather(document)
    unknown = sorted(set(found) - set(items["item_id"].to_list()))
    policy = load_policy(paths.root)
    taxonomy = project_taxonomy(paths.root)
    detection = load_params(paths.params_file).deid.detection()  # as `curate deid run`
    outcomes = [
        merge_item(row, found.get(row["item_id"]), config, policy, taxonomy, detection)
        for row in items.sort("item_id").iter_rows(named=True)
    ]
    kept = [o.row for o in outcomes if o.reason is None]
    quarantined = [
        {
            "stage": STAGE,
            "source": o.row["source"],
            "file": o.row["provenance"]["file"],
            "row": o.row["provenance"]["row"],
            "item_id": o.row["item_id"],
            "reason": o.reason,
            "detail": o.detail,
            "record": json.dumps(o.row, ensure_ascii=False, sort_keys=True, default=str),
        }
        for o in outcomes
        if o.reason is not None
    ]
    paths.reviewed.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(kept, schema=ITEM_SCHEMA).write_parquet(paths.reviewed, statistics=False)
    quarantine = paths.quarantine(STAGE, "curated")
    quarantine.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(quarantined, schema=QUARANTINE_SCHEMA).write_parquet(quarantine, statistics=False)
    details = merge_counts(outcomes)
    details |= {"snapshot": document["snapshot"], "reviews_of_unknown_items": len(unknown)}
    report = StageReport.from_counts(
        STAGE,
        rows_in=items.height,
        kept=len(kept),
        by_reason=Counter(q["reason"] for q in quarantined),
        details=details,
    )
    report.write(paths.report(STAGE))
    return report


def adjudication_queue(paths: ProjectPaths) -> pl.DataFrame:
    """Reviewed items whose reviewers disagree on a decisive field."""
    if not paths.reviewed.is_file():
        raise InputFileError(
            f"{paths.reviewed.relative_to(paths.root)} does not exist",
            hint="Bump review.snapshot in params.yaml and run `dvc repro` first.",
        )
    reviewed = pl.read_parquet(paths.reviewed)
    return reviewed.filter(
        pl.col("review").struct.field("status") == Status.NEEDS_ADJUDICATION.value
    )


def reviews_panel(
    review: dict[str, Any], taxonomy_names: dict[str, str], comments: dict[str, str]
) -> str:
    """All reviews of an item side by side, as the adjudicator reads them (codes in words)."""
    to_settle = "; ".join(readable(d) for d in review["disagreements"]) or "—"
    lines = [f"To settle 待裁定: {to_settle}", ""]
    for label in review["labels"]:
        if label["role"] != "reviewer":
            continue
        specialty = taxonomy_names.get(label["specialty_code"] or "", label["specialty_code"])
        verdict = readable(label["verdict"]) if label["verdict"] else "none 未选择"
        parts = [f"verdict 结论: {verdict}", f"specialty 专科: {specialty or '—'}"]
        if label["answer_labels"]:
            parts.append(f"answer 答案: {', '.join(label['answer_labels'])}")
        if label["difficulty"] is not None:
            parts.append(f"difficulty 难度: {label['difficulty']}")
        if label["reject_reasons"]:
            reasons = "; ".join(readable(r) for r in label["reject_reasons"])
            parts.append(f"reasons 原因: {reasons}")
        elif label["verdict"] == "reject":
            parts.append("reasons 原因: none given 未填写")
        if label["edited"]:
            parts.append("edited the text 修改了文本")
        lines.append(f"▶ {label['annotator']}\n  " + "\n  ".join(parts))
        if comments.get(label["annotator"]):
            lines.append(f"  comment 备注: {comments[label['annotator']]}")
    return "\n".join(lines)


def run_adjudicate(
    paths: ProjectPaths,
    params: Params,
    advance: Advance = lambda n: None,
    wait: float = DEFAULT_WAIT,
    waiting: Say = lambda message: None,
) -> list[UpsertReport]:
    """Push items needing adjudication, with every review shown, to the adjudication projects.

    Holds the project's push lock like :func:`run_push`.
    """
    queue = adjudication_queue(paths)
    taxonomy = project_taxonomy(paths.root)
    names = {s.code: specialty_choice(taxonomy, s.code) for s in taxonomy.specialties}
    ids = review_ids(paths)
    document = ids.snapshot(snapshot.read(paths.review_snapshot))
    comments: dict[str, dict[str, str]] = defaultdict(dict)
    for item_id, _, _, labels in snapshot.annotations(document, Role.REVIEW):
        for label in labels:
            if label.comment:
                comments[item_id][label.annotator] = label.comment
    curated = curated_items(paths).filter(pl.col("item_id").is_in(queue["item_id"].implode()))
    review_of = {r["item_id"]: r["review"] for r in queue.iter_rows(named=True)}
    tasks: dict[ReviewKind, list[dict[str, Any]]] = {kind: [] for kind in ReviewKind}
    for row in curated.sort("item_id").iter_rows(named=True):
        task = build_task(row, taxonomy, ids.public[row["item_id"]])  # the pre-merge item
        panel = reviews_panel(review_of[row["item_id"]], names, comments[row["item_id"]])
        task["data"]["reviews"] = panel
        task["data"]["task_hash"] = content_hash(task["data"], task["predictions"][0])
        tasks[ReviewKind.of(row["kind"])].append(task)
    server = server_for(paths, params)
    with push_lock(paths.root, wait, waiting):
        return [
            server.upsert(
                ProjectSpec(Role.ADJUDICATION, kind),
                found,
                1,
                params.review.batch_size,
                advance,
                ids.public,
            )
            for kind, found in tasks.items()
            if found
        ]


def review_status(paths: ProjectPaths, params: Params) -> dict[str, Any]:
    """Live progress on the server: per project, per annotator, per specialty."""
    server = server_for(paths, params)
    document = snapshot.pull(server, params.review.snapshot)
    specialty_of: dict[str, str] = {}
    if paths.curated.is_file():
        curated = pl.read_parquet(paths.curated, columns=["item_id", "tags"])
        document = review_ids(paths, curated).snapshot(document)
        for r in curated.iter_rows(named=True):
            specialty_of[r["item_id"]] = (r["tags"] or {}).get("specialty_code") or "untagged"
    projects, annotators, specialties = [], Counter(), defaultdict(lambda: [0, 0])
    for project in document["projects"]:
        tasks = project["tasks"]
        done = sum(
            1
            for t in tasks
            if sum(not a.get("cancelled") for a in t["annotations"])
            >= (params.review.overlap if project["role"] == "review" else 1)
        )
        projects.append(
            {
                "project": f"{project['role']}/{project['kind']}",
                "tasks": len(tasks),
                "complete": done,
                "annotations": sum(len(t["annotations"]) for t in tasks),
            }
        )
        for t in tasks:
            annotators.update(a["annotator"] for a in t["annotations"])
            if project["role"] == "review":
                entry = specialties[specialty_of.get(t["item_id"], "untagged")]
                entry[0] += 1
                entry[1] += bool(len(t["annotations"]) >= params.review.overlap)
    return {
        "projects": projects,
        "annotators": dict(annotators.most_common()),
        "specialties": {
            k: {"tasks": v[0], "complete": v[1]} for k, v in sorted(specialties.items())
        },
    }
