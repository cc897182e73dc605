"""Simulated physicians reviewing task instances: `curate tasks simulate` (demo and tests only).

The demo accounts of ``curate review simulate`` (``dr.demo.<n>@medcurate.invalid``, signed up
through the invite link, each acting with their own token, in bulk) review every open task of
the task projects. What happens to an instance is drawn once, seeded by the instance, so both
physicians mostly agree: they accept the pre-filled answer as shown, or correct it the same way
(``correct`` share: a few characters added to a text, another label, one field of a JSON
answer), or reject it as not answerable (``reject`` share). Then each physician departs from
that on their own with probability ``disagreement`` (another label, their own wording, or a
rejection). An instance with nothing pre-filled gets a short reference both physicians write
alike (the input's first sentence; fields left empty). Refuses to run on a server holding
annotations by anyone else; reruns add nothing.

With ``--adjudication`` the senior demo physician (``dr.demo.senior@…``) settles every open task
of the task adjudication projects: drawn once, seeded by the instance, they take one reviewer's
complete annotation (read from the review project) or accept the pre-filled answer.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from curation.errors import CurationError
from curation.review.configs import ALL_PROJECTS, Role
from curation.review.projects import ReviewServer
from curation.review.simulate import (
    SENIOR,
    _annotate_in_bulk,
    _refuse_real_annotations,
    _who,
    demo_email,
    sign_in,
)
from curation.review.snapshot import task_values
from curation.tasks.answers import schema_errors, spans_from_json
from curation.tasks.contract import OutputType
from curation.tasks.review_configs import (
    ANSWER_CONTROL,
    ANSWERABLE,
    REJECT_REASON,
    TASK_ADJUDICATION_PROJECTS,
    TASK_PROJECTS,
    VERDICT,
    TaskProjectSpec,
    task_result,
)
from curation.tasks.text import sentences

CORRECTION = {"zh": "（经医师核对）", "en": " (checked by a physician)"}
OWN_WORDS = {"zh": "（另见备注）", "en": " (see my note)"}


@dataclass(frozen=True)
class TaskSimulation:
    """How the demo physicians review task instances."""

    reviewers: int = 3
    reject: float = 0.05
    correct: float = 0.15
    disagreement: float = 0.1
    seed: int = 0


def _edited(data: dict[str, Any], answer: str, words: dict[str, str]) -> str:
    """A text answer with a few words added (fields: to the first text field)."""
    language = data.get("language") if data.get("language") in words else "en"
    if data["output_type"] == OutputType.FIELDS:
        try:
            value = json.loads(answer)
        except json.JSONDecodeError:
            return answer + words[language]
        for name in sorted(value):
            if isinstance(value[name], str):
                value[name] += words[language]
                break
        return json.dumps(value, ensure_ascii=False, indent=2)
    return answer + words[language]


def _written(data: dict[str, Any]) -> str:
    """What a demo physician writes when nothing was pre-filled (fields: every field empty)."""
    if data["output_type"] == OutputType.FIELDS:
        schema = json.loads(data.get("output_schema") or "{}")
        empty = {
            name: [] if spec.get("type") == "array" else ""
            for name, spec in (schema.get("properties") or {}).items()
        }
        return json.dumps(empty, ensure_ascii=False, indent=2)
    found = sentences(data.get("input") or "")
    return found[0] if found else "—"


def review_values(task: dict[str, Any], email: str, sim: TaskSimulation) -> dict[str, Any]:
    """What one demo physician answers on one task (keyword arguments of :func:`task_result`)."""
    data = task["data"]
    kind = OutputType(data["output_type"])
    shared = random.Random(f"{sim.seed}:{data['instance_id']}")
    own = random.Random(f"{sim.seed}:{data['instance_id']}:{email}")
    labels = [c["value"] for c in data.get("label_choices") or []]
    prefill = data.get("prefill") or None
    fate = shared.random()
    if fate < sim.reject:
        return _rejection()
    if kind == OutputType.SPANS:
        answer: Any = list(spans_from_json(prefill)) if prefill else []
    elif kind == OutputType.LABEL:
        answer = prefill or (labels[0] if labels else None)
    else:
        answer = _shown(kind, prefill) if prefill else _written(data)
    verdict = "correct"
    if fate < sim.reject + sim.correct:
        answer, verdict = _corrected(kind, data, answer, labels, shared), "corrected"
    if own.random() < sim.disagreement:
        if own.random() < 0.3:
            return _rejection()
        answer, verdict = _corrected(kind, data, answer, labels, own, OWN_WORDS), "corrected"
    return {"answerable": "yes", "verdict": verdict, "answer": answer}


def _rejection() -> dict[str, Any]:
    return {"answerable": "no", "verdict": "reject", "reasons": ("not_answerable",)}


def _shown(kind: OutputType, prefill: str) -> str:
    if kind == OutputType.FIELDS:
        try:
            return json.dumps(json.loads(prefill), ensure_ascii=False, indent=2)
        except json.JSONDecodeError:
            return prefill
    return prefill


def _corrected(
    kind: OutputType,
    data: dict[str, Any],
    answer: Any,
    labels: list[str],
    rng: random.Random,
    words: dict[str, str] = CORRECTION,
) -> Any:
    if kind == OutputType.LABEL:
        others = [label for label in labels if label != answer]
        return rng.choice(others) if others else answer
    if kind == OutputType.SPANS:
        return answer[:-1] if answer else answer
    return _edited(data, str(answer), words)


def simulate_tasks(
    server: ReviewServer,
    sim: TaskSimulation,
    overlap: int,
    advance: Callable[[int], None] = lambda n: None,
) -> dict[str, int]:
    """Review every open task of the task projects as the demo physicians; return counts."""
    users, projects, exports = _exports(server)
    if sim.reviewers < overlap:
        raise CurationError(f"{sim.reviewers} demo reviewers cannot give {overlap} reviews each")
    accounts = [demo_email(n) for n in range(1, sim.reviewers + 1)]
    tokens = {email: sign_in(server.connection, email) for email in accounts}
    counts = {"tasks": 0, "annotations": 0}
    for spec in TASK_PROJECTS:
        if spec not in exports:
            continue
        tasks = exports[spec]
        counts["tasks"] += len(tasks)
        jobs: dict[str, list[tuple[int, list[dict[str, Any]]]]] = defaultdict(list)
        for task in tasks:
            done = {users.get(_who(a)) for a in task.get("annotations") or []}
            rotation = int(hashlib.sha256(task["data"]["instance_id"].encode()).hexdigest(), 16)
            order = [accounts[(rotation + k) % len(accounts)] for k in range(len(accounts))]
            for email in order[:overlap]:
                if email in done:
                    continue
                values = review_values(task, email, sim)
                result = task_result(spec.output_type, task["data"].get("input", ""), **values)
                jobs[email].append((task["id"], result))
        if jobs:
            counts["annotations"] += _annotate_in_bulk(
                server, projects[spec], jobs, tokens, advance
            )
    return counts


def _exports(
    server: ReviewServer,
) -> tuple[dict[int, str], dict[Any, int], dict[Any, list[dict[str, Any]]]]:
    """(users, managed project ids, their exported tasks), refusing a server where anyone but
    the demo physicians annotated."""
    users = server.users()
    projects = {
        spec: project_id
        for spec in (*ALL_PROJECTS, *TASK_PROJECTS, *TASK_ADJUDICATION_PROJECTS)
        if (project_id := server.find(spec)) is not None
    }
    exports = {spec: server.export(project_id) for spec, project_id in projects.items()}
    _refuse_real_annotations(exports, users)
    return users, projects, exports


def _reviews_by_instance(
    tasks: list[dict[str, Any]], users: dict[int, str]
) -> dict[str, dict[str, dict[str, Any]]]:
    """public instance id → reviewer → the values of their latest annotation (over copies)."""
    latest: dict[str, dict[str, tuple[int, dict[str, Any]]]] = defaultdict(dict)
    for task in tasks:
        data = task.get("data") or {}
        for ann in task.get("annotations") or []:
            if ann.get("was_cancelled"):
                continue
            who = users.get(_who(ann), f"user-{_who(ann)}")
            mine = latest[data.get("instance_id")]
            if who not in mine or ann["id"] > mine[who][0]:
                values = task_values(ann.get("result") or [], data.get("input") or "")
                mine[who] = (ann["id"], values)
    return {k: {who: v for who, (_, v) in found.items()} for k, found in latest.items()}


def _first_value(values: dict[str, Any], name: str) -> Any:
    found = values.get(name)
    return found[0] if isinstance(found, list) and found else None


def _as_decision(data: dict[str, Any], values: dict[str, Any]) -> dict[str, Any] | None:
    """A reviewer's annotation as the senior physician would give it, if it is complete."""
    kind = OutputType(data["output_type"])
    answerable, verdict = _first_value(values, ANSWERABLE), _first_value(values, VERDICT)
    reasons = tuple(values.get(REJECT_REASON) or ())
    if answerable not in ("yes", "no") or verdict not in ("correct", "corrected", "reject"):
        return None
    if verdict == "reject" or answerable == "no":
        if not reasons:
            return None
        return {"answerable": answerable, "verdict": verdict, "reasons": reasons}
    raw = values.get(ANSWER_CONTROL[kind])
    if kind == OutputType.LABEL:
        answer: Any = _first_value(values, ANSWER_CONTROL[kind])
        if answer not in [c["value"] for c in data.get("label_choices") or []]:
            return None
    elif kind == OutputType.SPANS:
        answer = [tuple(s) for s in raw or []]
    else:
        answer = raw.strip() if isinstance(raw, str) else ""
        if not answer:
            return None
        if kind == OutputType.FIELDS:
            try:
                parsed = json.loads(answer)
            except json.JSONDecodeError:
                return None
            if not isinstance(parsed, dict) or schema_errors(
                parsed, data.get("output_schema") or ""
            ):
                return None
    return {"answerable": answerable, "verdict": verdict, "answer": answer}


def adjudication_values(
    task: dict[str, Any], reviews: dict[str, dict[str, Any]], sim: TaskSimulation
) -> dict[str, Any]:
    """What the senior demo physician decides on one adjudication task (keyword arguments of
    :func:`task_result`): one reviewer's complete annotation or the pre-fill, drawn once,
    seeded by the instance."""
    data = task["data"]
    kind = OutputType(data["output_type"])
    options = [
        decision
        for who in sorted(reviews)
        if (decision := _as_decision(data, reviews[who])) is not None
    ]
    prefill = data.get("prefill") or None
    if kind == OutputType.SPANS:
        shown: Any = list(spans_from_json(prefill)) if prefill else []
    elif kind == OutputType.LABEL:
        labels = [c["value"] for c in data.get("label_choices") or []]
        shown = prefill or (labels[0] if labels else None)
    else:
        shown = _shown(kind, prefill) if prefill else _written(data)
    options.append({"answerable": "yes", "verdict": "correct", "answer": shown})
    rng = random.Random(f"{sim.seed}:{data['instance_id']}:adjudication")
    return rng.choice(options)


def simulate_task_adjudication(
    server: ReviewServer,
    sim: TaskSimulation,
    advance: Callable[[int], None] = lambda n: None,
) -> dict[str, int]:
    """Settle every open task of the task adjudication projects as the senior demo physician;
    return counts."""
    users, projects, exports = _exports(server)
    token = {SENIOR: sign_in(server.connection, SENIOR)}
    counts = {"tasks": 0, "annotations": 0}
    for spec in TASK_ADJUDICATION_PROJECTS:
        if spec not in exports:
            continue
        tasks = exports[spec]
        counts["tasks"] += len(tasks)
        review = TaskProjectSpec(spec.output_type, Role.REVIEW)
        reviews = _reviews_by_instance(exports.get(review, []), users)
        jobs: dict[str, list[tuple[int, list[dict[str, Any]]]]] = defaultdict(list)
        for task in tasks:
            if task.get("annotations"):
                continue
            values = adjudication_values(task, reviews.get(task["data"]["instance_id"], {}), sim)
            result = task_result(spec.output_type, task["data"].get("input", ""), **values)
            jobs[SENIOR].append((task["id"], result))
        if jobs:
            counts["annotations"] += _annotate_in_bulk(server, projects[spec], jobs, token, advance)
    return counts
