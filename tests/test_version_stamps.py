"""Version stamps carry a digest of everything that changes the output: the de-identifier's
`deid_version` and the taggers' names change with their code, word lists, taxonomy, policy or
model file, and only then."""

from __future__ import annotations

from pathlib import Path

import yaml

from curation.config import validate_config
from curation.contracts import PHI_POLICY, TAXONOMY, shipped_path, use_project
from curation.deid.policy import PhiPolicy, load_policy
from curation.provenance import module_closure
from curation.stages.deid import deid_version, rules_digest
from curation.tagging.lexicon import LexiconTagger
from curation.tagging.trained import TrainedTagger
from curation.taxonomy import Taxonomy, load_taxonomy

FIRST = "zh: [{term: 预防接种, weight: 3},"


def edited_taxonomy_text() -> str:
    """The shipped taxonomy with one keyword more."""
    text = shipped_path(TAXONOMY).read_text(encoding="utf-8")
    assert FIRST in text
    return text.replace(FIRST, FIRST + " {term: 门诊随访复查, weight: 2},", 1)


def taxonomy_of(text: str) -> Taxonomy:
    return validate_config(Taxonomy, yaml.safe_load(text), Path("edited.yaml"))


def test_taxonomy_digest_follows_content_not_comments() -> None:
    text = shipped_path(TAXONOMY).read_text(encoding="utf-8")
    shipped = load_taxonomy()
    assert taxonomy_of("# a new comment\n" + text).digest() == shipped.digest()
    assert taxonomy_of(edited_taxonomy_text()).digest() != shipped.digest()


def test_lexicon_tagger_name_changes_with_its_lexicon() -> None:
    shipped = LexiconTagger()
    assert shipped.name.startswith("specialty_lexicon_v1+")
    assert LexiconTagger().name == shipped.name  # stable
    assert LexiconTagger(taxonomy_of(edited_taxonomy_text())).name != shipped.name


def test_trained_tagger_name_is_that_of_its_model_file(tmp_path: Path) -> None:
    texts = ["胸痛 心电图 ST段抬高", "咳嗽 咳痰 肺炎", "心悸 房颤", "哮喘 喘息"] * 3
    codes = ["03.04", "03.01", "03.04", "03.01"] * 3
    model = TrainedTagger.fit(texts, codes)
    path = model.save(tmp_path / "a.joblib")
    assert model.name.startswith("specialty_tfidf_lr_v1+")
    assert TrainedTagger.load(path).name == model.name
    other = TrainedTagger.fit([*texts[:-1], "胸闷 气短"], codes)
    other.save(tmp_path / "b.joblib")
    assert other.name != model.name


def test_deid_version_changes_with_the_projects_taxonomy_and_policy(tmp_path: Path) -> None:
    policy = load_policy()
    shipped = deid_version(policy)
    assert shipped.startswith("medcurate-deid-") and f"+rules.{rules_digest(policy)}" in shipped
    override = tmp_path / TAXONOMY
    override.parent.mkdir(parents=True)
    override.write_text(edited_taxonomy_text(), encoding="utf-8")
    use_project(tmp_path)  # as `curate deid run --root tmp_path` does
    assert deid_version(policy) != shipped
    use_project(None)
    assert deid_version(policy) == shipped
    data = yaml.safe_load(shipped_path(PHI_POLICY).read_text(encoding="utf-8"))
    data["categories"]["PHONE"]["placeholder"]["en"] = "[TEL]"
    other = validate_config(PhiPolicy, data, Path("phi.yaml"))
    assert other.version == policy.version and deid_version(other) != shipped


def test_the_deid_digest_covers_the_code_the_stage_runs() -> None:
    files = {p.as_posix() for p in module_closure("curation.stages.deid")}
    for needed in ("deid/words.py", "deid/recognizers/names.py", "taxonomy.py", "language.py"):
        assert any(f.endswith(f"curation/{needed}") for f in files), needed
