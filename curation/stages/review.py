"""Review merge: apply physicians' final decisions to the curated items.

Rejected items go to quarantine (``review_rejected``, with the reasons); accepted edits, corrected
answer keys and specialties are applied; the difficulty and, for MCQs, CMExam's medical
discipline and area of competency (codes of ``schemas/exam_annotations.yaml``) are recorded in
the review; PHI that a physician marked is masked with the policy's placeholder, and every
edited field passes the full de-identifier first (``screen_edit``), and loses any value a
physician marked as PHI. Edits are per field (the question, each option, the
explanation, each dialogue turn…): the edit boxes come pre-filled with the field's text, so only
a box whose text differs from the item's is an edit; older annotations hold one whole-text edit
(``edited_text``). Edits made on another version of the text than the item's send the item to
adjudication (``edits_on_changed_text``) rather than overwrite it with an old text. Every item
records its raw labels, the final label and how it was reached (unanimous, majority,
adjudicated). Items without a final decision stay, marked ``pending`` or ``needs_adjudication``
(incomplete reviews too, see :mod:`curation.review.rules`): they are not eligible for a release.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from curation.deid.policy import PhiPolicy
from curation.deid.record import DetectionSettings, record_detector, record_language
from curation.deid.surrogates import RecordReplacer
from curation.models import Kind
from curation.reasons import Reason
from curation.review.configs import Role
from curation.review.labels import ReviewLabels
from curation.review.rules import Decision, Resolution, ReviewConfig, Status, decide
from curation.review.snapshot import annotations
from curation.review.tasks import Layout, compose, edit_target, field_text, text_hash
from curation.taxonomy import Taxonomy

STAGE = "review"


@dataclass
class ItemReviews:
    """Everything the snapshot holds about one item."""

    reviews: list[ReviewLabels] = field(default_factory=list)
    adjudications: list[ReviewLabels] = field(default_factory=list)
    phi_texts: set[str] = field(default_factory=set)  # hashes of texts PHI was marked on
    edit_texts: dict[str, set[str]] = field(default_factory=dict)  # role → texts edits were on


def gather(document: dict[str, Any]) -> dict[str, ItemReviews]:
    """item_id → its reviews and adjudications in a snapshot."""
    found: dict[str, ItemReviews] = defaultdict(ItemReviews)
    for role, target in ((Role.REVIEW, "reviews"), (Role.ADJUDICATION, "adjudications")):
        for item_id, shown, _, labels in annotations(document, role):
            entry = found[item_id]
            getattr(entry, target).extend(labels)
            if shown and any(label.phi for label in labels):
                entry.phi_texts.add(shown)
            if shown and any(label.edits or label.edited_text for label in labels):
                entry.edit_texts.setdefault(role.value, set()).add(shown)
    return dict(found)


def _current_edits(
    labels: list[ReviewLabels], row: dict[str, Any], stale: bool
) -> list[ReviewLabels]:
    """Labels keeping only edits that change the item: untouched pre-filled boxes are no edit.
    Edits made on another version of the text (`stale`) cannot be compared: all are dropped."""
    out = []
    for label in labels:
        if stale:
            label = replace(label, edits=(), edited_text=None)
        elif label.edits:
            shown = {name: field_text(row, name) for name, _ in label.edits}
            label = replace(label, edits=label.changed_edits(shown))
        out.append(label)
    return out


@dataclass
class MergeOutcome:
    """One item after the merge: the updated row, or the quarantine reason."""

    row: dict[str, Any]
    decision: Decision
    reason: str | None = None
    detail: str | None = None
    changes: tuple[str, ...] = ()


def merge_item(
    row: dict[str, Any],
    found: ItemReviews | None,
    config: ReviewConfig,
    policy: PhiPolicy,
    taxonomy: Taxonomy,
    detection: DetectionSettings | None = None,
) -> MergeOutcome:
    """Apply the decision about one item (a row dict of the item model); an edited text is
    screened with the deid stage's `detection` settings."""
    found = found or ItemReviews()
    key = list(row.get("answer_labels") or []) if row["kind"] == Kind.MCQ else []
    layout = compose(row)
    current = text_hash(layout.text)
    stale = {role: bool(hashes - {current}) for role, hashes in found.edit_texts.items() if hashes}
    reviews = _current_edits(found.reviews, row, stale.get(Role.REVIEW.value, False))
    adjudications = _current_edits(
        found.adjudications, row, stale.get(Role.ADJUDICATION.value, False)
    )
    found = replace(found, reviews=reviews, adjudications=adjudications)
    decision = decide(found.reviews, found.adjudications, key, config)
    row = dict(row)
    changes: list[str] = []
    unsettled = None
    if decision.status == Status.FINAL and decision.verdict == "accept_with_edits":
        by = Role.ADJUDICATION if decision.resolution == Resolution.ADJUDICATED else Role.REVIEW
        if stale.get(by.value):  # the edits were made on a text the item no longer has
            unsettled = "edits_on_changed_text"
    if decision.status == Status.FINAL and decision.answer and row["kind"] == Kind.MCQ:
        labels = {o["label"] for o in row.get("options") or []}
        if not set(decision.answer) <= labels:  # e.g. 'E' from an older config on 4 options
            unsettled = "answer_not_an_option"
    if unsettled:
        decision = Decision(
            Status.NEEDS_ADJUDICATION,
            disagreements=(unsettled,),
            reviews=decision.reviews,
            adjudications=decision.adjudications,
            phi=decision.phi,
        )
    row["review"] = _review_record(decision, found, key)
    marked: list[tuple[str, str]] = []  # (value, category) of each PHI mark
    if decision.phi:
        marked = [(layout.text[a:b], category) for a, b, category in decision.phi]
        if found.phi_texts and found.phi_texts != {current}:
            return MergeOutcome(
                row,
                decision,
                Reason.REVIEW_PHI_UNMAPPED.value,
                f"{len(decision.phi)} PHI mark(s) on a version of the text that has changed",
            )
        _mask(row, layout, decision.phi, policy)
        changes.append("phi_masked")
    if decision.status != Status.FINAL:
        return MergeOutcome(row, decision, changes=tuple(changes))
    if decision.verdict == "reject":
        reasons = ", ".join(decision.reject_reasons) or "no reason given"
        return MergeOutcome(
            row,
            decision,
            Reason.REVIEW_REJECTED.value,
            f"rejected ({decision.resolution}): {reasons}",
            tuple(changes),
        )
    if decision.edited_text:
        edited, masked = screen_edit(row, decision.edited_text, policy, detection, marked)
        _apply_edit(row, edited)
        changes.extend(["edit_phi_masked"] * masked)
    for name, text in decision.edits:  # each field is screened, then replaced
        edited, masked = screen_edit(row, text, policy, detection, marked)
        _set(row, name, edited)
        changes.append("field_edited")
        changes.extend(["edit_phi_masked"] * masked)
    if decision.edited_text or decision.edits:
        changes.append("edited")
    if decision.answer and row["kind"] == Kind.MCQ and list(decision.answer) != sorted(key):
        row["answer_labels"] = list(decision.answer)
        changes.append("answer_corrected")
    tags = dict(row.get("tags") or {})
    if decision.specialty and decision.specialty != tags.get("specialty_code"):
        tags["specialty_code"] = decision.specialty
        tags["department_code"] = taxonomy.department_of(decision.specialty)
        row["tags"] = tags
        changes.append("specialty_changed")
    return MergeOutcome(row, decision, changes=tuple(changes))


def _review_record(decision: Decision, found: ItemReviews, key: list[str]) -> dict[str, Any]:
    def label(labels: ReviewLabels, role: str) -> dict[str, Any]:
        return {
            "annotator": labels.annotator,
            "role": role,
            "verdict": labels.verdict,
            "specialty_code": labels.specialty,
            "answer_labels": list(labels.answer(key) or []) if key else [],
            "difficulty": labels.difficulty,
            "discipline": labels.discipline,
            "competency": labels.competency,
            "reject_reasons": list(labels.reject_reasons),
            "phi_marks": len(labels.phi),
            "edited": bool(labels.edited_text or labels.edits),
        }

    return {
        "status": decision.status.value,
        "decision": decision.verdict,
        "resolution": decision.resolution.value if decision.resolution else None,
        "annotations": decision.reviews + decision.adjudications,
        "specialty_code": decision.specialty,
        "answer_labels": list(decision.answer or []),
        "difficulty": decision.difficulty,
        "discipline": decision.discipline,
        "competency": decision.competency,
        "reject_reasons": list(decision.reject_reasons),
        "disagreements": list(decision.disagreements),
        "labels": [label(r, "reviewer") for r in found.reviews]
        + [label(a, "adjudicator") for a in found.adjudications],
    }


def _mask(
    row: dict[str, Any],
    layout: Layout,
    marks: tuple[tuple[int, int, str], ...],
    policy: PhiPolicy,
) -> None:
    """Replace marked review-text ranges with the category placeholder, field by field."""
    per_field: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for start, end, category in marks:
        for name, a, b in layout.to_fields(start, end):
            per_field[name].append((a, b, category))
    language = row["language"]
    for name, spans in per_field.items():
        text = _get(row, name)
        merged: list[list[Any]] = []
        for a, b, category in sorted(spans):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b, category])
        for a, b, category in reversed(merged):
            text = text[:a] + _placeholder(policy, category, language) + text[b:]
        _set(row, name, text)


def _get(row: dict[str, Any], name: str) -> str:
    if "." in name:
        group, index = name.split(".")
        return row[group][int(index)]["text"]
    return row[name]


def _set(row: dict[str, Any], name: str, text: str) -> None:
    if "." in name:
        group, index = name.split(".")
        items = [dict(x) for x in row[group]]
        items[int(index)]["text"] = text
        row[group] = items
    else:
        row[name] = text


def screen_edit(
    row: dict[str, Any],
    text: str,
    policy: PhiPolicy,
    settings: DetectionSettings | None = None,
    marked: list[tuple[str, str]] | None = None,
) -> tuple[str, int]:
    """A physician's edited text (of one field, or the whole text), through the full
    de-identifier before it joins the item.

    Reviewers see de-identified text, so any identifier their edit holds that the item did
    not already hold was typed in: it is masked with the policy's placeholder (fail closed).
    Values already in the item (surrogates, placeholders, false alarms the stage let through)
    are left as they are — except values a physician marked as PHI (`marked`: value, category),
    which an edit box pre-filled before the marking still holds: they are masked too. Returns the
    screened text and how many values were masked. Detection is the deid stage's (`settings`:
    params.yaml, section deid).
    """
    language = row["language"]
    masked = 0
    for value, category in sorted(marked or (), key=lambda m: -len(m[0])):
        if value.strip() and value in text:
            masked += text.count(value)
            text = text.replace(value, _placeholder(policy, category, language))
    before = compose(row).text
    language = record_language([text], row["language"])
    spans = [
        span
        for span in record_detector(settings).detect_record([text], language)[0]
        if text[span.start : span.end] not in before
    ]
    if not spans:
        return text, masked
    replacer = RecordReplacer(policy, b"", "", placeholders_only=True)
    return replacer.apply(text, spans, language), masked + len(spans)


def _placeholder(policy: PhiPolicy, category: str, language: str) -> str:
    if category in policy.categories:
        return policy.placeholder(category, language)
    return f"[{category}]"


def _apply_edit(row: dict[str, Any], text: str) -> None:
    target = edit_target(row)
    if target != "turns":
        row[target] = text
        return
    turns = []
    for line in text.splitlines():
        speaker, sep, said = line.partition("：")
        if not sep:
            speaker, sep, said = line.partition(": ")
        if sep and speaker.strip() and len(speaker) <= 20:
            turns.append({"speaker": speaker.strip(), "text": said.strip()})
        elif turns:
            turns[-1]["text"] += "\n" + line
        else:
            turns.append({"speaker": "?", "text": line})
    row["turns"] = turns


def merge_counts(outcomes: list[MergeOutcome]) -> dict[str, Any]:
    """Report details: decisions by status and resolution, and what was changed."""
    status = Counter(o.decision.status.value for o in outcomes)
    resolution = Counter(
        o.decision.resolution.value for o in outcomes if o.decision.resolution is not None
    )
    changes = Counter(c for o in outcomes for c in o.changes)
    return {
        "by_status": dict(sorted(status.items())),
        "by_resolution": dict(sorted(resolution.items())),
        "changes": dict(sorted(changes.items())),
        "annotations": sum(o.decision.reviews + o.decision.adjudications for o in outcomes),
    }
