"""Simulated physicians, for the demo and the tests only: `curate review simulate`.

Creates a few clearly named demo accounts (``dr.demo.<n>@medcurate.invalid``; the ``.invalid``
domain can never be a real address) and submits annotations through the real API, each with the
account's own token, in bulk (a few requests per physician and project, not one per
annotation). Label Studio Community's REST API creates users without a password or
token, so demo physicians join through the organization's invite link, as real physicians do.
Reviewers agree with the pre-annotations except for a configurable share of disagreements; the
senior demo physician settles adjudication tasks. On MCQs they also give CMExam's medical
discipline and area of competency: the source's when the task pre-selects one, else a plausible
one read from the question's words (:func:`plausible_exam_labels`). Refuses to touch a server
holding annotations by anyone else. Every choice is seeded by item and account: reruns give the
same annotations.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from curation.errors import CurationError
from curation.exam_annotations import EXAM_FIELDS, ExamAnnotations, load_exam_annotations
from curation.review.configs import ALL_PROJECTS, ProjectSpec, Role, reasons_for
from curation.review.connection import Connection, with_retries
from curation.review.labels import ReviewLabels, to_result
from curation.review.projects import ReviewServer

DEMO_DOMAIN = "medcurate.invalid"
SENIOR = f"dr.demo.senior@{DEMO_DOMAIN}"
DEMO_MODEL = "medcurate-demo-physician"  # model version of the predictions they annotate from
BULK = 500  # tasks per request


def demo_email(n: int) -> str:
    return f"dr.demo.{n}@{DEMO_DOMAIN}"


def is_demo(email: str) -> bool:
    return email.endswith("@" + DEMO_DOMAIN)


def demo_password(connection: Connection, email: str) -> str:
    """A per-account password derived from the admin key (nothing extra to store)."""
    digest = hmac.new(connection.api_key.encode(), email.encode(), hashlib.sha256)
    return "Demo-" + digest.hexdigest()[:24]


def sign_in(connection: Connection, email: str) -> str:
    """Log a demo physician in (signing up by invite link the first time); return their token."""
    password = demo_password(connection, email)
    with httpx.Client(base_url=connection.url, follow_redirects=True, timeout=60) as web:
        if not _form(web, "/user/login/", email, password):
            with connection.http() as api:
                invite = with_retries(lambda: api.get("/api/invite"), "reading the invite link")
                invite.raise_for_status()
            if not _form(web, invite.json()["invite_url"], email, password):
                raise CurationError(f"could not sign up the demo account {email}")
        token = web.get("/api/current-user/token")
        token.raise_for_status()
        return token.json()["token"]


def _form(web: httpx.Client, path: str, email: str, password: str) -> bool:
    """Submit Label Studio's login or signup form; True when the session is logged in."""
    page = web.get(path)
    page.raise_for_status()
    csrf = web.cookies.get("csrftoken", "")
    web.post(
        str(page.url),
        data={"email": email, "password": password, "csrfmiddlewaretoken": csrf},
        headers={"Referer": str(page.url)},
    )
    return web.get("/api/current-user/whoami").status_code == 200


# Words that make a demo physician place an MCQ (the first list that matches wins)
EXAM_WORDS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "discipline": (
        ("stomatology", ("牙", "口腔", "龋", "tooth", "dental", "periodont")),
        ("public_health", ("流行病", "疫苗", "筛查", "公共卫生", "epidemiolog", "vaccin")),
        ("pharmacy", ("药代", "药动学", "剂量", "pharmacokinetic", "dosage")),
        ("tcm", ("中医", "辨证", "舌苔", "脉象")),
    ),
    "competency": (
        ("public_health_law_ethics", ("伦理", "法律", "知情同意", "ethic", "consent")),
        ("diagnosis", ("诊断", "检查", "鉴别", "diagnos", "most likely", "finding")),
        ("treatment", ("治疗", "首选", "用药", "处理", "treat", "manage", "therapy")),
    ),
}
EXAM_DEFAULTS = {"discipline": "clinical_medicine", "competency": "basic_knowledge"}


def plausible_exam_labels(data: dict[str, Any], exams: ExamAnnotations) -> dict[str, str]:
    """Discipline and competency a demo physician gives an MCQ task: the pre-selected source
    label (``<name>_code``), else the first code whose words the task's text holds, else
    clinical medicine / basic knowledge (a code the project's list lacks is skipped)."""
    text = str(data.get("text") or "").lower()
    out = {}
    for name in EXAM_FIELDS:
        codes = exams.codes(name)
        found = [code for code, terms in EXAM_WORDS[name] if any(t in text for t in terms)]
        for code in (data.get(f"{name}_code"), *found, EXAM_DEFAULTS[name], codes[0]):
            if code in codes:
                out[name] = code
                break
    return out


@dataclass(frozen=True)
class Simulation:
    """How the demo physicians behave."""

    reviewers: int = 3
    disagreement: float = 0.15
    seed: int = 0


def reviewer_labels(
    task: dict[str, Any], email: str, sim: Simulation, specialties: list[str]
) -> ReviewLabels:
    """What a demo reviewer says about a task: the pre-annotation, or one disagreement."""
    data = task["data"]
    item_id = data["item_id"]
    rng = random.Random(f"{sim.seed}:{item_id}:{email}")
    shared = random.Random(f"{sim.seed}:{item_id}")  # what every reviewer sees alike
    mcq = data.get("kind") == "mcq"
    labels: dict[str, Any] = {
        "annotator": email,
        "verdict": "accept",
        "specialty": data.get("specialty_code") or specialties[0],
        "answer_check": "correct" if mcq else None,
        "difficulty": shared.randint(1, 5),
    }
    exams = load_exam_annotations()
    if mcq:
        labels.update(plausible_exam_labels(data, exams))
    if rng.random() < sim.disagreement:
        what = rng.choice(
            ["verdict", "specialty", "answer", "difficulty", *EXAM_FIELDS]
            if mcq
            else ["verdict", "specialty", "difficulty"]
        )
        if what == "verdict":
            labels["verdict"] = "reject"
            labels["reject_reasons"] = (rng.choice(sorted(reasons_for(data.get("kind", "")))),)
        elif what == "specialty":
            labels["specialty"] = rng.choice([c for c in specialties if c != labels["specialty"]])
        elif what in EXAM_FIELDS:
            others = [c for c in exams.codes(what) if c != labels.get(what)]
            labels[what] = rng.choice(others) if others else labels.get(what)
        elif what == "answer":
            key = [x.strip() for x in (data.get("answer_key") or "").split(",")]
            offered = [o["alias"] for o in data.get("answer_options") or []] or list("ABCD")
            others = [x for x in offered if x not in key]
            labels["answer_check"] = "wrong"
            labels["corrected_answer"] = (rng.choice(others),)
        else:
            labels["difficulty"] = max(1, min(5, labels["difficulty"] + rng.choice([-1, 1])))
    return ReviewLabels(**labels)


def adjudicator_labels(task: dict[str, Any], specialties: list[str]) -> ReviewLabels:
    """The senior demo physician: accepts with the suggested specialty and the answer key (and,
    on MCQs, the source's or a plausible discipline and competency)."""
    data = task["data"]
    mcq = data.get("kind") == "mcq"
    exam = plausible_exam_labels(data, load_exam_annotations()) if mcq else {}
    return ReviewLabels(
        annotator=SENIOR,
        verdict="accept",
        specialty=data.get("specialty_code") or specialties[0],
        answer_check="correct" if mcq else None,
        difficulty=3,
        **exam,
    )


def simulate(
    server: ReviewServer,
    role: Role,
    sim: Simulation,
    overlap: int,
    specialties: list[str],
    advance: Callable[[int], None] = lambda n: None,
) -> dict[str, int]:
    """Annotate every open task of the role's projects as the demo physicians; return counts."""
    users = server.users()
    projects = {
        spec: project_id for spec in ALL_PROJECTS if (project_id := server.find(spec)) is not None
    }
    exports = {spec: server.export(project_id) for spec, project_id in projects.items()}
    _refuse_real_annotations(exports, users)
    accounts = (
        [SENIOR]
        if role == Role.ADJUDICATION
        else [demo_email(n) for n in range(1, sim.reviewers + 1)]
    )
    if role == Role.REVIEW and sim.reviewers < overlap:
        raise CurationError(f"{sim.reviewers} demo reviewers cannot give {overlap} reviews each")
    tokens = {email: sign_in(server.connection, email) for email in accounts}
    counts = {"tasks": 0, "annotations": 0}
    for spec, tasks in exports.items():
        if spec.role != role:
            continue
        counts["tasks"] += len(tasks)
        jobs: dict[str, list[tuple[int, list[dict[str, Any]]]]] = defaultdict(list)
        for task in tasks:
            done = {users.get(_who(a)) for a in task.get("annotations") or []}
            wanted = 1 if role == Role.ADJUDICATION else overlap
            rotation = int(hashlib.sha256(task["data"]["item_id"].encode()).hexdigest(), 16)
            order = [accounts[(rotation + k) % len(accounts)] for k in range(len(accounts))]
            for email in order[:wanted]:
                if email in done:
                    continue
                labels = (
                    adjudicator_labels(task, specialties)
                    if role == Role.ADJUDICATION
                    else reviewer_labels(task, email, sim, specialties)
                )
                jobs[email].append((task["id"], to_result(labels, task["data"].get("text", ""))))
        if jobs:
            made = _annotate_in_bulk(server, projects[spec], jobs, tokens, advance)
            counts["annotations"] += made
    return counts


def _annotate_in_bulk(
    server: ReviewServer,
    project_id: int,
    jobs: dict[str, list[tuple[int, list[dict[str, Any]]]]],
    tokens: dict[str, str],
    advance: Callable[[int], None],
) -> int:
    """Each demo physician's annotations in a few requests, not one per annotation.

    Label Studio Community creates annotations in bulk only from predictions: each physician's
    results are imported as predictions under a model version of their own, which that physician
    turns into their annotations (the Data Manager action ``predictions_to_annotations``, which
    converts each prediction once, so a retry adds nothing). Then the project's predictions are
    put back as they were: the pre-annotations physicians see.
    """
    touched = sorted({task_id for work in jobs.values() for task_id, _ in work})
    wanted = set(touched)
    predictions = server.call(
        lambda: server.client.predictions.list(project=project_id), "reading predictions"
    )
    shown = [
        {"task": p.task, "result": p.result, "model_version": p.model_version, "score": p.score}
        for p in predictions
        if p.task in wanted and not _by_demo(p.model_version)
    ]
    if any(_by_demo(p.model_version) for p in predictions):  # left by an interrupted run
        _delete_predictions(server, project_id, touched)
    made = 0
    try:
        for email, work in sorted(jobs.items()):
            version = f"{DEMO_MODEL}:{email}"
            for start in range(0, len(work), BULK):
                batch = work[start : start + BULK]
                server.client.projects.import_predictions(
                    project_id,
                    request=[
                        {"task": task_id, "result": result, "model_version": version}
                        for task_id, result in batch
                    ],
                )
                with httpx.Client(
                    base_url=server.connection.url,
                    headers={"Authorization": f"Token {tokens[email]}"},
                    timeout=600,
                ) as api:
                    selected = {"all": False, "included": [task_id for task_id, _ in batch]}
                    response = server.call(
                        lambda api=api, selected=selected, version=version: api.post(
                            "/api/dm/actions",
                            params={"id": "predictions_to_annotations", "project": project_id},
                            json={"selectedItems": selected, "model_version": version},
                        ),
                        f"annotating {len(batch)} tasks as {email}",
                    )
                    response.raise_for_status()
                made += len(batch)
                advance(len(batch))
    finally:
        _delete_predictions(server, project_id, touched)
        restore = [{k: v for k, v in p.items() if v is not None} for p in shown]
        for start in range(0, len(restore), BULK):
            server.client.projects.import_predictions(
                project_id, request=restore[start : start + BULK]
            )
    return made


def _by_demo(model_version: str | None) -> bool:
    return str(model_version or "").startswith(DEMO_MODEL)


def _delete_predictions(server: ReviewServer, project_id: int, task_ids: list[int]) -> None:
    """Every prediction of the given tasks, in one Data Manager action."""
    server.call(
        lambda: server.client.actions.create(
            id="delete_tasks_predictions",
            project=project_id,
            selected_items={"all": False, "included": task_ids},
        ),
        "clearing predictions",
    )


def _who(annotation: dict[str, Any]) -> int | None:
    who = annotation.get("completed_by")
    return who.get("id") if isinstance(who, dict) else who


def _refuse_real_annotations(
    exports: dict[ProjectSpec, list[dict[str, Any]]], users: dict[int, str]
) -> None:
    real = {
        who
        for tasks in exports.values()
        for task in tasks
        for a in task.get("annotations") or []
        if not is_demo(who := users.get(_who(a), f"user-{_who(a)}"))
    }
    if real:
        raise CurationError(
            f"this server holds annotations by {len(real)} non-demo account(s); "
            "simulated reviewers only run on demo servers",
            hint="Use a fresh local server (`curate labelstudio up` in a new project).",
        )
