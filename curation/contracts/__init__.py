"""Contract files, found by one resolver: the project's own file first, else the shipped default.

A contract is a file that decides what the pipeline does and that a project may adapt: the
clinical specialty taxonomy, the PHI policy, the source licenses, the label maps of the trained
tagger, the exam annotations of MCQs (CMExam's medical disciplines and areas of competency) and
the dataset-level expectation suite. MedCurate ships a default of each as package
data under ``curation/contracts/``, at the path a project would use (``schemas/phi.yaml`` ships
as ``curation/contracts/schemas/phi.yaml``), so an installed MedCurate runs without a source
tree. A project overrides one by putting its own file at that path under its root.

:func:`contract_path` is the only place that decides which file is read. Callers pass the
project root when they have one; deeper code that has none (the de-identifier's word lists read
the taxonomy) resolves against the *active project*, which every ``curate`` command sets from
``--root`` (:func:`use_project`); with no active project the shipped defaults are read.
"""

from __future__ import annotations

import sys
from pathlib import Path

SHIPPED = Path(__file__).resolve().parent
TAXONOMY = "schemas/specialties.yaml"
PHI_POLICY = "schemas/phi.yaml"
LICENSES = "schemas/licenses.yaml"
LABEL_MAPS = "schemas/label_maps.yaml"
EXPECTATIONS = "schemas/expectations/items.yaml"
EXAM_ANNOTATIONS = "schemas/exam_annotations.yaml"
GRADING_RUBRICS = "schemas/grading_rubrics.yaml"
ANNOTATION_CONFIGS = "annotation_configs"
CONTRACTS = {
    TAXONOMY: "the clinical specialty taxonomy",
    PHI_POLICY: "the PHI policy",
    LICENSES: "the source licenses a release may combine",
    LABEL_MAPS: "source labels mapped onto taxonomy codes (trained tagger)",
    EXPECTATIONS: "the dataset-level validation suite",
    EXAM_ANNOTATIONS: "the exam annotations of MCQs: medical disciplines, areas of competency",
    GRADING_RUBRICS: "the rubrics physicians grade model answers on (score 1-5)",
    f"{ANNOTATION_CONFIGS}/mcq.xml": "the review screen of multiple-choice questions",
    f"{ANNOTATION_CONFIGS}/text.xml": "the review screen of records, dialogues and open questions",
    f"{ANNOTATION_CONFIGS}/instructions.md": "the reviewers' instructions (zh/en)",
    f"{ANNOTATION_CONFIGS}/task_free_text.xml": "the review screen of free-text task instances",
    f"{ANNOTATION_CONFIGS}/task_label.xml": "the review screen of label task instances",
    f"{ANNOTATION_CONFIGS}/task_spans.xml": "the review screen of span task instances",
    f"{ANNOTATION_CONFIGS}/task_fields.xml": "the review screen of structured-field task instances",
    f"{ANNOTATION_CONFIGS}/task_instructions.md": "the task reviewers' instructions (zh/en)",
    f"{ANNOTATION_CONFIGS}/grading.xml": "the grading screen of model answers",
    f"{ANNOTATION_CONFIGS}/grading_instructions.md": "the graders' instructions (zh/en)",
}
# Modules whose cached values derive from contracts (word lists built from the taxonomy, taggers)
_DERIVED = ("curation.deid", "curation.tagging")

_active: Path | None = None


def contract_path(name: str, root: Path | None = None) -> Path:
    """The file of a contract: ``<root>/<name>`` if the project has it, else the shipped default.

    `root` defaults to the active project (:func:`use_project`); `name` is a key of CONTRACTS.
    """
    if name not in CONTRACTS:
        raise KeyError(f"unknown contract {name!r}; known: {', '.join(CONTRACTS)}")
    root = _active if root is None else Path(root)
    if root is not None:
        own = root / name
        if own.is_file():
            return own
    return SHIPPED / name


def shipped_path(name: str) -> Path:
    """The default of a contract shipped with MedCurate."""
    if name not in CONTRACTS:
        raise KeyError(f"unknown contract {name!r}; known: {', '.join(CONTRACTS)}")
    return SHIPPED / name


def active_project() -> Path | None:
    """The project root contracts resolve against when no root is given (None: defaults)."""
    return _active


def use_project(root: Path | None) -> None:
    """Make `root` the active project. If that changes which file a contract resolves to,
    drop every cached value derived from contracts (the de-identifier's word lists, taggers) so
    that they are built again from the new files."""
    global _active
    new = None if root is None else Path(root).resolve()
    if new == _active:
        return
    before = _resolved()
    _active = new
    if _resolved() != before:
        _clear_derived_caches()


def _resolved() -> dict[str, Path]:
    return {name: contract_path(name) for name in CONTRACTS}


def _clear_derived_caches() -> None:
    """cache_clear() every functools cache of the modules derived from contracts."""
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(_DERIVED):
            continue
        for value in vars(module).values():
            if callable(value) and hasattr(value, "cache_clear"):
                value.cache_clear()
