"""Physician review against a real Label Studio server (session fixture `labelstudio`).

Each test works in its own project family (a unique project name), so tests share the server
without seeing each other's tasks.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import polars as pl
import pytest
from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError
from typer.testing import CliRunner

from curation.cli import app
from curation.commands.review import (
    review_ids,
    run_adjudicate,
    run_agreement,
    run_merge,
    run_pull,
    run_push,
    server_for,
)
from curation.errors import CurationError, RetryableServerError
from curation.exam_annotations import EXAM_FIELDS, load_exam_annotations
from curation.params import Params, load_params
from curation.paths import ProjectPaths
from curation.review.configs import ALL_PROJECTS, PREFILL_VERSION, ProjectSpec, ReviewKind, Role
from curation.review.labels import ReviewLabels, to_result
from curation.review.server import LocalServer
from curation.review.simulate import Simulation, sign_in, simulate
from curation.review.tasks import build_task, compose
from curation.taxonomy import project_taxonomy
from tests.review_fixtures import items_frame, make_item, public_ids, review_project

pytestmark = pytest.mark.e2e


def params_with(paths: ProjectPaths, snapshot: int) -> Params:
    params = load_params(paths.params_file)
    return params.model_copy(
        update={"review": params.review.model_copy(update={"snapshot": snapshot})}
    )


def task_ids(paths: ProjectPaths, spec: ProjectSpec) -> dict[str, int]:
    """internal item id → task id in a project (tasks carry public ids)."""
    server = server_for(paths, load_params(paths.params_file))
    project_id = server.find(spec)
    ids = review_ids(paths)
    return {ids.to_internal(t["data"]["item_id"]): t["id"] for t in server.export(project_id)}


def test_every_label_config_makes_a_project(labelstudio: LocalServer, tmp_path: Path) -> None:
    paths = review_project(tmp_path, [], labelstudio.env_values())
    server = server_for(paths, load_params(paths.params_file))
    for spec in ALL_PROJECTS:
        project = server.client.projects.get(server.ensure(spec, overlap=2))
        assert 'name="verdict"' in project.label_config
        assert project.maximum_annotations == (2 if spec.role == Role.REVIEW else 1)
        assert server.ensure(spec, overlap=2) == project.id  # found again, not duplicated
    with pytest.raises(ApiError):  # the server really validates label configs
        server.client.projects.create(
            title="broken", label_config='<View><Choices name="x" toName="nowhere"/></View>'
        )


def test_push_is_an_idempotent_upsert(labelstudio: LocalServer, tmp_path: Path) -> None:
    rows = [make_item(f"q{n}") for n in range(6)] + [
        make_item(f"r{n}", kind="record", context=f"患者女，{40 + n}岁，反复咳嗽三周。")
        for n in range(3)
    ]
    paths = review_project(tmp_path, rows, labelstudio.env_values(), batch_size=4)
    params = load_params(paths.params_file)
    first = {r.project: r for r in run_push(paths, params)}
    assert (first["review/mcq"].created, first["review/text"].created) == (6, 3)

    again = {r.project: r for r in run_push(paths, params)}
    assert (again["review/mcq"].created, again["review/mcq"].unchanged) == (0, 6)
    assert len(task_ids(paths, ProjectSpec(Role.REVIEW, ReviewKind.MCQ))) == 6

    rows[0] = make_item("q0", question="改写后的题干：急性心梗最常见的症状是？")
    rows[1] = make_item("q1", specialty="03.01")
    items_frame(rows).write_parquet(paths.curated)
    changed = {r.project: r for r in run_push(paths, params)}
    assert (changed["review/mcq"].updated, changed["review/mcq"].created) == (2, 0)
    ids = task_ids(paths, ProjectSpec(Role.REVIEW, ReviewKind.MCQ))
    assert len(ids) == 6
    client = server_for(paths, params).client
    task = client.tasks.get(ids[rows[0]["item_id"]])
    assert task.data["text"].startswith("改写后的题干")
    predictions = client.predictions.list(task=ids[rows[1]["item_id"]])
    assert len(predictions) == 1
    chosen = [
        r["value"]["taxonomy"] for r in predictions[0].result if r["from_name"] == "specialty"
    ]
    assert chosen == [[["03", "03.01"]]]


def test_push_resumes_after_the_server_stops(labelstudio: LocalServer, tmp_path: Path) -> None:
    rows = [make_item(f"q{n:02d}") for n in range(40)]
    paths = review_project(tmp_path, rows, labelstudio.env_values(), batch_size=10, retries=2)
    params = load_params(paths.params_file)
    done = {"n": 0}

    def stop_during_the_next_batch(n: int) -> None:
        done["n"] += n
        if done["n"] == 10:  # first batch in: stop the server while the next one is sent
            threading.Timer(0.05, labelstudio.down).start()

    try:
        with pytest.raises(RetryableServerError, match="did not answer"):
            run_push(paths, params, stop_during_the_next_batch)
    finally:
        labelstudio.up()
    reports = run_push(paths, params)
    ids = task_ids(paths, ProjectSpec(Role.REVIEW, ReviewKind.MCQ))
    assert sorted(ids) == sorted(r["item_id"] for r in rows)  # none missing
    server = server_for(paths, params)
    assert len(server.export(server.find(ProjectSpec(Role.REVIEW, ReviewKind.MCQ)))) == 40
    assert reports[0].created + reports[0].unchanged == 40


def annotate(url: str, token: str, task_id: int, labels: ReviewLabels, text: str) -> None:
    LabelStudio(base_url=url, api_key=token).annotations.create(
        task_id, result=to_result(labels, text)
    )


def test_review_loop_push_annotate_pull_agree_adjudicate_merge(
    labelstudio: LocalServer, tmp_path: Path
) -> None:
    rows = [make_item(f"k{n}") for n in range(6)]
    ids = [r["item_id"] for r in rows]
    paths = review_project(tmp_path, rows, labelstudio.env_values(), bootstrap=0)
    run_push(paths, load_params(paths.params_file))
    url = labelstudio.url
    connection = server_for(paths, load_params(paths.params_file)).connection
    anna, ben, cara = "anna@clinic.test", "ben@clinic.test", "cara@clinic.test"
    tokens = {who: sign_in(connection, who) for who in (anna, ben, cara)}
    assert len(set(tokens.values())) == 3  # each physician acts with their own token

    tasks = task_ids(paths, ProjectSpec(Role.REVIEW, ReviewKind.MCQ))
    text = {i: compose(r).text for i, r in zip(ids, rows, strict=True)}
    phi_at = text[ids[5]].index("胸痛")

    def ok(who: str, **more) -> ReviewLabels:
        fields = {"verdict": "accept", "specialty": "03.04", "answer_check": "correct"}
        return ReviewLabels(annotator=who, **(fields | more))

    plan = {
        ids[0]: (ok(anna), ok(ben)),
        ids[1]: (ok(anna), ok(ben, specialty="03.01")),
        ids[2]: (ok(anna), ReviewLabels(ben, "reject", ("ambiguous",))),
        ids[3]: (
            ReviewLabels(anna, "reject", ("factually_wrong",)),
            ReviewLabels(ben, "reject", ("factually_wrong",)),
        ),
        ids[4]: (
            ok(anna, answer_check="wrong", corrected_answer=("B",)),
            ok(ben, answer_check="wrong", corrected_answer=("B",)),
        ),
        ids[5]: (ok(anna, phi=((phi_at, phi_at + 2, "NAME"),)), ok(ben)),
    }
    for item, labels in plan.items():
        for label in labels:
            annotate(url, tokens[label.annotator], tasks[item], label, text[item])

    first = params_with(paths, 1)
    document = run_pull(paths, first)
    assert sum(len(t["annotations"]) for p in document["projects"] for t in p["tasks"]) == 12
    report = run_agreement(paths, first.review)
    verdict = report["fields"]["verdict"]  # hand-computed in test_review_agreement.py
    assert verdict["cohen_kappa_pairs"][0]["kappa"]["value"] == pytest.approx(8 / 14, abs=1e-4)
    assert verdict["krippendorff_alpha"]["value"] == pytest.approx(1 - 22 / 54, abs=1e-4)
    assert verdict["fleiss_kappa"]["value"] == pytest.approx(5 / 9, abs=1e-4)
    assert report["annotations_per_annotator"] == {anna: 6, ben: 6}

    merged = run_merge(paths, first.review)
    assert merged.details["by_status"] == {"final": 4, "needs_adjudication": 2}
    adjudication = run_adjudicate(paths, first)
    assert [(r.project, r.created) for r in adjudication] == [("adjudication/mcq", 2)]
    queue = task_ids(paths, ProjectSpec(Role.ADJUDICATION, ReviewKind.MCQ))
    assert sorted(queue) == sorted([ids[1], ids[2]])
    client = server_for(paths, first).client
    panel = client.tasks.get(queue[ids[2]]).data["reviews"]
    assert anna in panel and ben in panel and "Ambiguous 表述含糊" in panel

    annotate(
        url,
        tokens[cara],
        queue[ids[1]],
        ReviewLabels(cara, "accept", specialty="03.01", answer_check="correct"),
        text[ids[1]],
    )
    annotate(
        url, tokens[cara], queue[ids[2]], ReviewLabels(cara, "reject", ("ambiguous",)), text[ids[2]]
    )
    second = params_with(paths, 2)
    run_pull(paths, second)
    final = run_merge(paths, second.review)
    assert (final.rows_in, final.kept, final.quarantined) == (6, 4, 2)
    assert final.details["by_resolution"] == {"adjudicated": 2, "unanimous": 4}
    kept = {r["item_id"]: r for r in pl.read_parquet(paths.reviewed).iter_rows(named=True)}
    assert sorted(kept) == sorted([ids[0], ids[1], ids[4], ids[5]])
    assert kept[ids[1]]["tags"]["specialty_code"] == "03.01"
    assert kept[ids[1]]["tags"]["department_code"] == "03"
    assert kept[ids[1]]["review"]["resolution"] == "adjudicated"
    assert kept[ids[4]]["answer_labels"] == ["B"]
    assert kept[ids[5]]["options"][0]["text"] == "[姓名]"
    assert all(r["review"]["status"] == "final" for r in kept.values())
    rejected = pl.read_parquet(paths.quarantine("review", "curated"))
    assert sorted(rejected["item_id"]) == sorted([ids[2], ids[3]])
    assert set(rejected["reason"]) == {"review_rejected"}


def test_simulated_reviewers_only_run_on_demo_servers(
    labelstudio: LocalServer, tmp_path: Path
) -> None:
    cmexam = {"discipline": "中医学", "competency": "疾病诊断和鉴别诊断"}  # as CMExam writes them
    rows = [make_item(f"s{n}", labels=cmexam if n < 2 else None) for n in range(5)]
    rows[4]["tags"]["tagger"] = "specialty_tfidf_lr_v1"  # tagged by another tagger version
    paths = review_project(tmp_path, rows, labelstudio.env_values())
    params = load_params(paths.params_file)
    run_push(paths, params)
    server = server_for(paths, params)
    codes = ["03.01", "03.04"]
    project_id = server.find(ProjectSpec(Role.REVIEW, ReviewKind.MCQ))
    # Label Studio pre-fills only predictions of the project's model version: one for all
    assert server.client.projects.get(project_id).model_version == PREFILL_VERSION
    versions = {p.model_version for p in server.client.predictions.list(project=project_id)}
    assert versions == {PREFILL_VERSION}

    def shown() -> list[tuple]:
        """Every pre-annotation of the project, as physicians see them."""
        return sorted(
            (p.task, p.model_version, json.dumps(p.result, sort_keys=True))
            for p in server.client.predictions.list(project=project_id)
        )

    before = shown()
    counts = simulate(server, Role.REVIEW, Simulation(reviewers=3), 2, codes)
    assert counts == {"tasks": 5, "annotations": 10}
    exported = server.export(project_id)
    users = server.users()
    for task in exported:  # two demo physicians each, each with their own account
        who = [users[a["completed_by"]] for a in task["annotations"]]
        assert len(set(who)) == 2 and all(w.startswith("dr.demo.") for w in who)
    assert shown() == before  # the pre-annotations are back, and only they
    assert simulate(server, Role.REVIEW, Simulation(reviewers=3), 2, codes)["annotations"] == 0
    document = run_pull(paths, params_with(paths, 1))
    labels = [a for p in document["projects"] for t in p["tasks"] for a in t["annotations"]]
    assert len(labels) == 10 and all(a["verdict"] in ("accept", "reject") for a in labels)
    exams = load_exam_annotations()  # the screen's choices went through the server as codes
    assert all(exams.is_code(name, a[name]) for a in labels for name in EXAM_FIELDS)
    pre_filled = [json.loads(result) for _, _, result in before]
    chosen = [r["value"]["choices"] for res in pre_filled for r in res if r["type"] == "choices"]
    assert sorted(chosen) == [["diagnosis"], ["diagnosis"], ["tcm"], ["tcm"]]

    tasks = task_ids(paths, ProjectSpec(Role.REVIEW, ReviewKind.MCQ))
    real = "dora@clinic.test"
    annotate(
        labelstudio.url,
        sign_in(server.connection, real),
        tasks[rows[0]["item_id"]],
        ReviewLabels(real, "accept"),
        compose(rows[0]).text,
    )
    with pytest.raises(CurationError, match="non-demo"):
        simulate(server, Role.REVIEW, Simulation(reviewers=3), 2, codes)


def test_cli_reports_the_server_and_the_review_status(
    labelstudio: LocalServer, tmp_path: Path
) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["labelstudio", "status", "--root", str(labelstudio.root)])
    assert result.exit_code == 0 and "up" in result.output
    paths = review_project(tmp_path, [make_item("z1")], labelstudio.env_values())
    assert runner.invoke(app, ["review", "push", "--root", str(tmp_path)]).exit_code == 0
    status = runner.invoke(app, ["review", "status", "--root", str(tmp_path)])
    assert status.exit_code == 0 and "review/mcq" in status.output and "03.04" in status.output
    assert paths.curated.is_file()


def test_local_server_secrets_and_quiet_settings(labelstudio: LocalServer) -> None:
    env_file = labelstudio.root / ".env"
    assert env_file.stat().st_mode & 0o777 == 0o600
    values = labelstudio.env_values()
    assert values["LABEL_STUDIO_URL"].startswith("http://127.0.0.1:")
    assert values["LABEL_STUDIO_API_KEY"] == values["LABEL_STUDIO_USER_TOKEN"]
    assert len(values["LABEL_STUDIO_PASSWORD"]) >= 16
    process = labelstudio.process_env()
    assert process["LATEST_VERSION_CHECK"] == "false"
    assert process["COLLECT_ANALYTICS"] == "false"
    assert process["SENTRY_DSN"] == "" and process["FRONTEND_SENTRY_DSN"] == ""
    assert process["LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK"] == "true"
    cmdline = Path(f"/proc/{labelstudio.pid()}/cmdline").read_bytes().split(b"\0")
    assert cmdline[cmdline.index(b"--internal-host") + 1] == b"127.0.0.1"


def test_tasks_name_items_by_public_id_only(labelstudio: LocalServer, tmp_path: Path) -> None:
    rows = [make_item(f"MRN{n:06d}") for n in range(3)] + [
        make_item("住院号20240001", kind="record", context="患者男，61岁，反复胸闷两年。")
    ]
    paths = review_project(tmp_path, rows, labelstudio.env_values())
    run_push(paths, load_params(paths.params_file))
    server = server_for(paths, load_params(paths.params_file))
    shown = []
    for spec in ALL_PROJECTS:
        if (project_id := server.find(spec)) is not None:
            shown += [json.dumps(t["data"], ensure_ascii=False) for t in server.export(project_id)]
    assert len(shown) == 4
    public = public_ids(rows)
    for row in rows:  # neither the record key nor its unsalted hash reaches the server
        assert not any(row["item_id"] in data or row["source_record_key"] in data for data in shown)
        assert sum(f'"item_id": "{public[row["item_id"]]}"' in data for data in shown) == 1


def test_tasks_pushed_with_internal_ids_are_re_keyed_and_keep_their_reviews(
    labelstudio: LocalServer, tmp_path: Path
) -> None:
    rows = [make_item(f"m{n}") for n in range(4)]
    ids = [r["item_id"] for r in rows]
    paths = review_project(
        tmp_path, rows, labelstudio.env_values(), overlap=1, required_reviews=1, bootstrap=0
    )
    params = load_params(paths.params_file)
    server = server_for(paths, params)
    project_id = server.ensure(ProjectSpec(Role.REVIEW, ReviewKind.MCQ), overlap=1)
    taxonomy = project_taxonomy(paths.root)
    legacy = [build_task(r, taxonomy, r["item_id"]) for r in rows]  # as pushed before public ids
    server.client.projects.import_tasks(project_id, request=legacy)
    before = {t["data"]["item_id"]: t["id"] for t in server.export(project_id)}
    reviewer = "dana@clinic.test"
    token = sign_in(server.connection, reviewer)
    label = ReviewLabels(reviewer, "reject", ("factually_wrong",))
    annotate(labelstudio.url, token, before[ids[0]], label, compose(rows[0]).text)

    report = run_push(paths, params)[0]
    assert (report.created, report.updated, report.renamed) == (0, 4, 4)
    assert task_ids(paths, ProjectSpec(Role.REVIEW, ReviewKind.MCQ)) == before  # same tasks
    assert {t["data"]["item_id"] for t in server.export(project_id)} == set(
        public_ids(rows).values()
    )
    again = run_push(paths, params)[0]
    assert (again.created, again.updated, again.renamed, again.unchanged) == (0, 0, 0, 4)

    first = params_with(paths, 1)
    run_pull(paths, first)
    merged = run_merge(paths, first.review)
    assert (merged.kept, merged.quarantined) == (3, 1)
    rejected = pl.read_parquet(paths.quarantine("review", "curated"))
    assert rejected["item_id"].to_list() == [ids[0]]  # the review followed its item
