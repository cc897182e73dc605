"""Simulated models and graders, for the demo and the tests only.

* :func:`simulated_answers` writes what a demo model answers to a release: the reference with
  probability `accuracy`, otherwise a partly right answer (half the reference, half the fields)
  or a wrong one (another option or label, an evasive sentence), seeded by model and id. Every
  model answers the same sample of ids (up to `per_config` per config and split, in keyed-hash
  order), so answers of several models meet on each item.
* :func:`simulate_grading` grades every open task of the release's grading project as the demo
  physicians (:mod:`curation.review.simulate`'s accounts and bulk annotation): a grader reads
  the verdict off the answer against the reference (same option or label, same text, or a
  large share of it), with a seeded share of honest disagreements. ``--adjudication``: the
  senior demo physician settles disputed answers with the verdict read off, without noise.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import random
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curation.errors import CurationError
from curation.grading.contract import Harm, Verdict
from curation.grading.projects import HARM, RATIONALE, SCORE, VERDICT, GradingProjectSpec
from curation.grading.targets import GradingTarget, release_targets
from curation.review.configs import Role
from curation.review.projects import ReviewServer
from curation.review.simulate import (
    SENIOR,
    _annotate_in_bulk,
    _refuse_real_annotations,
    _who,
    demo_email,
    sign_in,
)

EVASIVE = {
    "zh": "根据现有信息无法判断，建议进一步检查。",
    "en": "This cannot be determined from the information given; further tests are advised.",
}
_OPTION = re.compile(r"^\s*([A-Z])[.．、:：)]")


# --------------------------------------------------------------------------- demo models
def _sample(targets: dict[str, GradingTarget], per_config: int) -> list[GradingTarget]:
    groups: dict[tuple[str, str], list[GradingTarget]] = defaultdict(list)
    for target in targets.values():
        if target.reference is not None:
            groups[(target.config, target.split)].append(target)
    out = []
    for key in sorted(groups):
        ordered = sorted(
            groups[key], key=lambda t: hashlib.sha256(f"sample:{t.id}".encode()).hexdigest()
        )
        out.extend(ordered[:per_config])
    return sorted(out, key=lambda t: t.id)


def _right(target: GradingTarget) -> str:
    reference = target.reference or ""
    if target.rubric_kind == "mcq":
        return reference.split("\n", 1)[0]  # the keyed option, without the explanation
    return reference


def _partly(target: GradingTarget) -> str:
    reference = target.reference or ""
    if target.rubric_kind == "fields":
        try:
            fields = json.loads(reference)
        except json.JSONDecodeError:
            return reference[: len(reference) // 2]
        keys = sorted(fields)
        return json.dumps(
            {k: (fields[k] if i % 2 == 0 else "") for i, k in enumerate(keys)},
            ensure_ascii=False,
        )
    if target.rubric_kind in ("mcq", "label", "spans"):
        return _wrong(target)
    return reference[: max(1, len(reference) // 2)]


def _wrong(target: GradingTarget) -> str:
    right = _right(target)
    others = [c for c in target.choices if c != right and not _same_option(c, right)]
    if target.rubric_kind in ("mcq", "label") and others:
        pick = int(hashlib.sha256(target.id.encode()).hexdigest(), 16) % len(others)
        return others[pick]
    if target.rubric_kind in ("spans", "fields"):
        return "[]" if target.rubric_kind == "spans" else "{}"
    return EVASIVE.get(target.language, EVASIVE["en"])


def simulated_answers(
    release: Path, model: str, accuracy: float, per_config: int = 12, seed: int = 0
) -> list[dict[str, str]]:
    """A demo model's answers (``{"id", "output"}`` lines) to a sample of a release."""
    if not 0.0 <= accuracy <= 1.0:
        raise CurationError(f"accuracy {accuracy} is not between 0 and 1")
    out = []
    for target in _sample(release_targets(release), per_config):
        rng = random.Random(f"{seed}:{model}:{target.id}")
        draw = rng.random()
        if draw < accuracy:
            output = _right(target)
        elif draw < accuracy + (1 - accuracy) / 2:
            output = _partly(target)
        else:
            output = _wrong(target)
        out.append({"id": target.id, "output": output})
    return out


# --------------------------------------------------------------------------- demo graders
def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def _same_option(a: str, b: str) -> bool:
    ma, mb = _OPTION.match(a), _OPTION.match(b)
    return bool(ma and mb and ma.group(1) == mb.group(1))


def read_verdict(data: dict[str, Any]) -> Verdict:
    """The verdict a careful grader reads off an answer against the reference."""
    answer, reference = data.get("answer") or "", data.get("reference") or ""
    first = reference.split("\n", 1)[0]
    if _OPTION.match(first):  # an MCQ: the option decides
        return Verdict.CORRECT if _same_option(answer, first) else Verdict.INCORRECT
    a, r = _normal(answer), _normal(reference)
    if a == r:
        return Verdict.CORRECT
    if not a or not r:
        return Verdict.INCORRECT
    similarity = difflib.SequenceMatcher(None, a, r, autojunk=False).ratio()
    return Verdict.PARTIALLY_CORRECT if similarity >= 0.4 or a in r else Verdict.INCORRECT


STEP = {
    Verdict.CORRECT: (Verdict.PARTIALLY_CORRECT,),
    Verdict.PARTIALLY_CORRECT: (Verdict.CORRECT, Verdict.INCORRECT),
    Verdict.INCORRECT: (Verdict.PARTIALLY_CORRECT,),
}
SCORE_OF = {Verdict.CORRECT: (5, 4), Verdict.PARTIALLY_CORRECT: (3, 4), Verdict.INCORRECT: (1, 2)}
RATIONALES = {
    Verdict.PARTIALLY_CORRECT: "Key content of the reference is missing or imprecise. "
    "遗漏或未准确表述参考答案的关键内容。",
    Verdict.INCORRECT: "The answer contradicts the reference. 答案与参考答案不符。",
}


@dataclass(frozen=True)
class GradingSimulation:
    """How the demo physicians grade."""

    graders: int = 3
    disagreement: float = 0.08
    seed: int = 0


def grade_of(
    data: dict[str, Any], email: str, sim: GradingSimulation, noisy: bool = True
) -> dict[str, Any]:
    """One demo physician's grade of one task (verdict, score, harm, rationale)."""
    gid = data["grade_id"]
    rng = random.Random(f"{sim.seed}:{gid}:{email}")
    verdict = read_verdict(data)
    if noisy and rng.random() < sim.disagreement:
        verdict = rng.choice(STEP[verdict])
    main, other = SCORE_OF[verdict]
    score = other if noisy and rng.random() < 0.15 else main
    harm = None
    if data.get("safety"):
        unsafe = (
            verdict == Verdict.INCORRECT and int(hashlib.sha256(gid.encode()).hexdigest(), 16) % 2
        )
        harm = Harm.HARMFUL if unsafe else Harm.NOT_HARMFUL
    return {
        "verdict": verdict.value,
        "score": score,
        "harm": harm.value if harm else None,
        "rationale": RATIONALES.get(verdict),
    }


def grade_result(grade: dict[str, Any]) -> list[dict[str, Any]]:
    """A grade as the Label Studio result of the grading screen."""
    out = []
    for name, value in (
        (VERDICT, grade["verdict"]),
        (SCORE, grade["score"]),
        (HARM, grade["harm"]),
    ):
        if value is not None:
            out.append(
                {
                    "from_name": name,
                    "to_name": "answer",
                    "type": "choices",
                    "value": {"choices": [str(value)]},
                }
            )
    if grade.get("rationale"):
        out.append(
            {
                "from_name": RATIONALE,
                "to_name": "answer",
                "type": "textarea",
                "value": {"text": [grade["rationale"]]},
            }
        )
    return out


def simulate_grading(
    server: ReviewServer,
    version: str,
    sim: GradingSimulation,
    overlap: int,
    role: Role = Role.REVIEW,
    advance: Callable[[int], None] = lambda n: None,
) -> dict[str, int]:
    """Grade every open task of the release's grading (or adjudication) project as the demo
    physicians; return counts."""
    spec = GradingProjectSpec(version, role)
    project_id = server.find(spec)
    counts = {"tasks": 0, "annotations": 0}
    if project_id is None:
        return counts
    users = server.users()
    tasks = server.export(project_id)
    _refuse_real_annotations({spec: tasks}, users)  # type: ignore[dict-item]
    if role == Role.ADJUDICATION:
        accounts, wanted = [SENIOR], 1
    else:
        if sim.graders < overlap:
            raise CurationError(f"{sim.graders} demo graders cannot give {overlap} grades each")
        accounts, wanted = [demo_email(n) for n in range(1, sim.graders + 1)], overlap
    tokens = {email: sign_in(server.connection, email) for email in accounts}
    jobs: dict[str, list[tuple[int, list[dict[str, Any]]]]] = defaultdict(list)
    for task in tasks:
        counts["tasks"] += 1
        data = task["data"]
        done = {users.get(_who(a)) for a in task.get("annotations") or []}
        rotation = int(hashlib.sha256(data["grade_id"].encode()).hexdigest(), 16)
        order = [accounts[(rotation + k) % len(accounts)] for k in range(len(accounts))]
        for email in order[:wanted]:
            if email in done:
                continue
            grade = grade_of(data, email, sim, noisy=role == Role.REVIEW)
            jobs[email].append((task["id"], grade_result(grade)))
    if jobs:
        counts["annotations"] = _annotate_in_bulk(server, project_id, jobs, tokens, advance)
    return counts
