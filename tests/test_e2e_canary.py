"""Canaries: unique identifiers of every PHI category, planted in every text field of every kind
of a fixture project, followed through every stage, a real Label Studio push, simulated review and
a release. The audit (`curate audit`'s search) must find none of them, nor their parts (given
name, email local part, digits without separators), anywhere past ingest: data/, reports/,
models/, releases/, DVC's logs and the Label Studio database, export snapshots and log.

Every field of every source gets canaries of its own (a slot), so a finding names the category,
the field and the kind that leaked.
"""

from __future__ import annotations

import json
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
import yaml

from curation.audit import Finding, audit
from curation.deid.validators import cn_resident_id_ok
from curation.review.server import KEY_VAR, URL_VAR, LocalServer
from tests.test_e2e_dvc import COPIED, copy_project, sh

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Slot:
    """One text field of one fixture source: it carries canaries of its own."""

    source: str  # <kind>_<language>
    field: str

    @property
    def language(self) -> str:
        return self.source.split("_")[1]


SLOTS = [
    Slot("mcq_zh", "question"),
    Slot("mcq_zh", "options"),
    Slot("mcq_zh", "explanation"),
    Slot("mcq_en", "question"),
    Slot("mcq_en", "options"),
    Slot("mcq_en", "explanation"),
    Slot("record_zh", "context"),
    Slot("record_zh", "labels"),
    Slot("record_en", "context"),
    Slot("record_en", "labels"),
    Slot("dialogue_zh", "turns"),
    Slot("dialogue_en", "turns"),
    Slot("openqa_zh", "question"),
    Slot("openqa_zh", "answer"),
]
# Canary parts must be unique: never a surrogate (curation/deid/surrogates.py), never each other,
# never in the bundled synthetic data (other tests push it to the same Label Studio).
COMPOUND = "欧阳 司马 上官 诸葛 端木 皇甫 尉迟 公孙 慕容 钟离 宇文 司徒 夏侯 令狐".split()
GIVEN_ZH = "霁川 砚秋 梓萱 澜清 沐辰 语桐 知遥 若曦 锦程 嘉懿 昊天 逸飞 书瑶 晨熙".split()
FIRST_EN = (
    "Osric Thaddeus Lysander Peregrine Evander Alaric Crispin Leopold Cosimo Fitzroy "
    "Hesketh Ignatius Barnaby Tobias"
).split()
LAST_EN = (
    "Vandermolen Pemberwick Thistlecombe Okonkwo-Brandt Featherby Marchbanks Quillfeather "
    "Dunmorrow Ravensworth Ashcombe-Lyle Westerhuis Kettleborough Fairweather Lindqvist"
).split()
STREET_ZH = (
    "蕙兰雅路 栖梧路 望湖里 青枫街 澄江路 桂芳巷 柳浪路 "
    "云栖街 梅影路 竹溪巷 松涛路 荷塘街 杏林巷 枫桥路"
).split()
STREET_EN = (
    "Quillback Lane|Wexcombe Drive|Marrowfield Road|Pennistone Way|Larkspur Hollow|"
    "Brackenridge Court|Cindermoor Avenue|Halyard Close|Oxlip Terrace|Gorsebrook Street|"
    "Tamarind Row|Willowmere Place|Foxglove Crescent|Saltmarsh Walk"
).split("|")


def resident_id(day: int) -> str:
    """A resident ID with a valid GB 11643 checksum (born 1987-07-<day>)."""
    body = f"330106198707{day:02d}837"
    return next(body + c for c in "0123456789X" if cn_resident_id_ok(body + c))


def canaries(n: int) -> dict[str, str]:
    """The canaries of slot n, by category (the planted forms)."""
    return {
        "resident ID": resident_id(10 + n),
        "mobile": f"139572468{n:02d}",
        "email": f"jichuan.{7731 + n}@163.com",
        "SSN": f"537-48-{2916 + n}",
        "Chinese name": COMPOUND[n] + GIVEN_ZH[n],
        "English name": f"{FIRST_EN[n]} {LAST_EN[n]}",
        "Chinese address": f"{STREET_ZH[n]}{178 + n}号",
        "English address": f"{4821 + n} {STREET_EN[n]}",
        "MRN": str(88316402 + n),
        "inpatient number": f"ZY2019{7734 + n}",
    }


def searched(n: int) -> dict[str, list[str]]:
    """What the audit looks for, by category: each canary, and its street's name (a partly
    replaced address); "Quillback", not "Quillback Lane", whose parts would match "Demo Lane"."""
    c = canaries(n)
    extra = {"Chinese address": [STREET_ZH[n]], "English address": [STREET_EN[n].split()[0]]}
    return {category: [value, *extra.get(category, [])] for category, value in c.items()}


def phi(n: int, language: str) -> str:
    """A sentence holding every canary of slot n, written as a clinician would."""
    c = canaries(n)
    mobile = c["mobile"]
    if language == "zh":
        return (
            f"患者{c['Chinese name']}，男，身份证号{c['resident ID']}，手机{mobile}，"
            f"邮箱{c['email']}，住址浙江省杭州市西湖区{c['Chinese address']}3幢1702室，"
            f"住院号：{c['inpatient number']}。其美籍同事{c['English name']}（SSN {c['SSN']}，"
            f"MRN: {c['MRN']}，住{c['English address']}, Apt 7C, Dorchester, MA 02124）陪同就诊。"
        )
    return (
        f"Patient {c['English name']}, MRN: {c['MRN']}, SSN {c['SSN']}, lives at "
        f"{c['English address']}, Apt 7C, Dorchester, MA 02124; phone +86 {mobile[:3]}-"
        f"{mobile[3:7]}-{mobile[7:]}, email {c['email']}. Accompanied by his colleague "
        f"{c['Chinese name']} (resident ID {c['resident ID']}, 住址浙江省杭州市西湖区"
        f"{c['Chinese address']}3幢1702室，住院号：{c['inpatient number']})."
    )


def slot(source: str, field: str) -> str:
    """The PHI sentence of a slot."""
    n = SLOTS.index(Slot(source, field))
    return phi(n, SLOTS[n].language)


def name(source: str, category: str) -> str:
    """The name planted in a dialogue's turns, for the doctor to say it again."""
    return canaries(SLOTS.index(Slot(source, "turns")))[category]


def fixture_rows() -> dict[str, list[dict[str, str]]]:
    """One record per source; every text field holds its slot's canaries."""
    q, o, e = (slot("mcq_zh", f) for f in ("question", "options", "explanation"))
    qe, oe, ee = (slot("mcq_en", f) for f in ("question", "options", "explanation"))
    return {
        "mcq_zh": [
            {
                "qid": "c1",
                "question": f"{q}因胸痛3小时入院，心电图示V1至V4导联ST段抬高。"
                "最可能的诊断是（　　）",
                "A": f"急性前壁心肌梗死。{o}",
                "B": f"主动脉夹层。{o}",
                "C": f"急性肺栓塞。{o}",
                "D": f"急性心包炎。{o}",
                "answer": "A",
                "explanation": f"{e}胸痛伴前壁导联ST段抬高，首先考虑急性前壁心肌梗死，"
                "应尽快再灌注治疗。",
            }
        ],
        "mcq_en": [
            {
                "id": "c1",
                "stem": f"{qe} He presents with fever, productive cough and right lower lobe "
                "consolidation on chest radiograph. What is the most likely pathogen?",
                "A": f"Streptococcus pneumoniae. {oe}",
                "B": f"Mycoplasma pneumoniae. {oe}",
                "C": f"Legionella pneumophila. {oe}",
                "D": f"Haemophilus influenzae. {oe}",
                "answer": "A",
                "rationale": f"{ee} Lobar consolidation in community-acquired pneumonia is most "
                "often caused by Streptococcus pneumoniae; amoxicillin is first-line therapy.",
            }
        ],
        "record_zh": [
            {
                "record_id": "c1",
                "department": "心内科",
                "referral": slot("record_zh", "labels"),
                "text": f"入院记录\n{slot('record_zh', 'context')}\n主诉：反复胸闷气短2年，"
                "加重伴双下肢水肿1周。查体：血压150/90mmHg，双肺底湿啰音。心脏超声示左室射血"
                "分数35%。诊断：慢性心力衰竭急性加重。予利尿、扩血管治疗后症状缓解。",
            }
        ],
        "record_en": [
            {
                "note_id": "c1",
                "referral": slot("record_en", "labels"),
                "note": f"DISCHARGE SUMMARY\n{slot('record_en', 'context')}\nAdmitted with "
                "polyuria, polydipsia and a blood glucose of 32 mmol/L; diagnosed with diabetic "
                "ketoacidosis, treated with intravenous insulin and fluids, discharged on basal "
                "bolus insulin with endocrinology follow-up.",
            }
        ],
        "dialogue_zh": [
            {
                "dialogue_id": "c1",
                "department": "呼吸内科",
                "dialogue": "患者：医生您好，我咳嗽咳痰两周了，晚上还发热。"
                f"{slot('dialogue_zh', 'turns')}\n医生：好的，{name('dialogue_zh', 'Chinese name')}"
                "，先拍个胸片，查血常规，考虑社区获得性肺炎。\n患者：好的，谢谢医生。",
            }
        ],
        "dialogue_en": [
            {
                "dialogue_id": "c1",
                "dialogue": "Patient: Doctor, I have had a throbbing headache on one side with "
                f"nausea for two days. {slot('dialogue_en', 'turns')}\nDoctor: Thank you, "
                f"{name('dialogue_en', 'English name')}. This "
                "sounds like migraine; try ibuprofen and keep a headache diary.\nPatient: Thanks.",
            }
        ],
        "openqa_zh": [
            {
                "id": "c1",
                "question": f"{slot('openqa_zh', 'question')}患者服用华法林后INR升高至5.2，"
                "无出血表现，应如何处理？",
                "answer": f"{slot('openqa_zh', 'answer')}暂停华法林，监测INR，无出血时一般无需"
                "使用维生素K，INR恢复至目标范围后减量重新开始。",
            }
        ],
    }


SOURCES = {
    "mcq_zh": {
        "kind": "mcq",
        "fields": {
            "key": "qid",
            "question": "question",
            "options": {"columns": ["A", "B", "C", "D"]},
            "answer": "answer",
            "explanation": "explanation",
        },
    },
    "mcq_en": {
        "kind": "mcq",
        "fields": {
            "key": "id",
            "question": "stem",
            "options": {"columns": ["A", "B", "C", "D"]},
            "answer": "answer",
            "explanation": "rationale",
        },
    },
    "record_zh": {
        "kind": "record",
        "fields": {
            "key": "record_id",
            "context": "text",
            "labels": {"department": "department", "referral": "referral"},
        },
    },
    "record_en": {
        "kind": "record",
        "fields": {"key": "note_id", "context": "note", "labels": {"referral": "referral"}},
    },
    "dialogue_zh": {
        "kind": "dialogue",
        "fields": {
            "key": "dialogue_id",
            "dialogue": {"column": "dialogue"},
            "labels": {"department": "department"},
        },
    },
    "dialogue_en": {
        "kind": "dialogue",
        "fields": {"key": "dialogue_id", "dialogue": {"column": "dialogue"}},
    },
    "openqa_zh": {
        "kind": "open_qa",
        "fields": {"key": "id", "question": "question", "answer": "answer"},
    },
}


def write_fixture(root: Path) -> None:
    """raw/canary/<source>.jsonl and a sources.yaml that declares them."""
    sources = {}
    for name, rows in fixture_rows().items():
        path = root / "raw" / "canary" / f"{name}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
        )
        sources[name] = {
            "path": str(path.relative_to(root)),
            "format": "jsonl",
            "language": name.split("_")[1],
            "license": "CC0-1.0",
            **SOURCES[name],
        }
    (root / "sources.yaml").write_text(
        yaml.safe_dump({"sources": sources}, allow_unicode=True), encoding="utf-8"
    )


def strings_file(path: Path) -> dict[int, tuple[Slot, str]]:
    """Write every searched canary, one per line; line number → (slot, category)."""
    lines, where = [], {}
    for n, s in enumerate(SLOTS):
        for category, values in searched(n).items():
            for value in values:
                lines.append(value)
                where[len(lines)] = (s, category)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return where


# The commands of dvc.yaml's stages, run directly: one process per stage instead of one per
# stage and source keeps the test short (the DVC DAG itself is tested in test_e2e_dvc.py).
PIPELINE = [["ingest"], ["deid", "run"], ["validate"], ["tag", "train"], ["tag", "run"], ["dedup"]]
REVIEWED = [["review", "pull"], ["review", "agreement"], ["review", "merge"], ["split"]]


@dataclass(frozen=True)
class CanaryRun:
    root: Path
    labelstudio: Path
    strings: Path
    lines: dict[int, tuple[Slot, str]]
    findings: list[Finding]


@pytest.fixture(scope="module")
def canary_run(labelstudio: LocalServer, tmp_path_factory: pytest.TempPathFactory) -> CanaryRun:
    root = tmp_path_factory.mktemp("canary") / "project"
    own = ("curation", "raw", "sources.yaml")  # the installed package runs; its own data
    copy_project(root, [n for n in COPIED if n not in own])
    write_fixture(root)
    env = labelstudio.env_values()
    (root / ".env").write_text(f"{URL_VAR}={env[URL_VAR]}\n{KEY_VAR}={env[KEY_VAR]}\n")
    params = yaml.safe_load((root / "params.yaml").read_text(encoding="utf-8"))
    params["project"]["name"] = f"canary-{uuid.uuid4().hex[:8]}"
    params["review"]["bootstrap"] = 50
    (root / "params.yaml").write_text(yaml.safe_dump(params, allow_unicode=True))
    sh(root, "git", "init", "-q")
    for stage in PIPELINE:
        sh(root, "curate", *stage)
    sh(root, "curate", "review", "push")
    sh(root, "curate", "review", "simulate", "--disagreement", "0")
    sh(root, "curate", "review", "snapshot")
    for stage in REVIEWED:
        sh(root, "curate", *stage)
    sh(root, "curate", "release", "1.0.0")
    strings = root.parent / "canaries.txt"
    lines = strings_file(strings)
    entries = list(enumerate(strings.read_text(encoding="utf-8").splitlines(), 1))
    findings = audit(root, entries, labelstudio.folder)
    return CanaryRun(root, labelstudio.folder, strings, lines, findings)


def test_every_fixture_record_reaches_the_release(canary_run: CanaryRun) -> None:
    """Otherwise the audit below would prove nothing: nothing quarantined, every item shipped
    (and task instances built from them, which the audit reads too)."""
    files = sorted((canary_run.root / "releases/1.0.0/data").rglob("*.parquet"))
    items = [p for p in files if not p.parent.name.startswith("task_")]
    released = pl.concat([pl.read_parquet(p).select("source") for p in items])
    assert sorted(released["source"].to_list()) == sorted(SOURCES)
    assert len(items) < len(files)  # the project's tasks.yaml made task configs of them


def test_the_audit_finds_every_canary_in_the_raw_records(
    canary_run: CanaryRun, tmp_path: Path
) -> None:
    """Positive control: the ingested records (raw by design, not audited) hold every canary,
    and the audit finds each one once they sit where it looks."""
    control = tmp_path / "data" / "tagged"
    shutil.copytree(canary_run.root / "data" / "ingested", control)
    entries = list(enumerate(canary_run.strings.read_text(encoding="utf-8").splitlines(), 1))
    found = {f.line for f in audit(tmp_path, entries) if f.variant == "string"}
    assert found == set(canary_run.lines)


def test_the_audit_reads_the_label_studio_database(canary_run: CanaryRun) -> None:
    """Positive control: pushed (de-identified) text is found in Label Studio's tables, where
    its JSON escapes Chinese characters."""
    curated = pl.read_parquet(canary_run.root / "data" / "curated.parquet")
    zh = curated.filter(pl.col("source") == "record_zh")["context"][0]
    snippet = zh[zh.index("主诉") :][:12]
    findings = audit(canary_run.root, [(1, snippet)], canary_run.labelstudio)
    assert any(
        f.place.endswith("label_studio.sqlite3") and "table task" in f.where for f in findings
    )


def test_internal_item_ids_stay_inside_the_project(canary_run: CanaryRun) -> None:
    """Label Studio and the release name items by public id: the unsalted hash of a record key
    (an MRN, a 住院号) is in neither, while the project's own data still uses it."""
    curated = pl.read_parquet(canary_run.root / "data" / "curated.parquet")
    internal = list(enumerate(curated["item_id"].to_list(), 1))
    findings = [f for f in audit(canary_run.root, internal, canary_run.labelstudio)]
    assert any(f.place.startswith("data/") for f in findings)  # positive control
    outside = [
        str(f)
        for f in findings
        if f.variant == "string"
        and (f.place.startswith("releases/") or "label_studio" in f.place or "export" in f.place)
    ]
    assert not outside, "\n".join(outside)


@pytest.mark.parametrize(
    ("source", "field", "category"),
    [
        pytest.param(s.source, s.field, category, id=f"{s.source}.{s.field}-{category}")
        for s in SLOTS
        for category in canaries(0)
    ],
)
def test_no_canary_past_ingest(
    canary_run: CanaryRun, source: str, field: str, category: str
) -> None:
    lines = {
        n
        for n, (s, c) in canary_run.lines.items()
        if (s.source, s.field, c) == (source, field, category)
    }
    leaks = [str(f) for f in canary_run.findings if f.line in lines]
    assert not leaks, f"{category} planted in {source}.{field} found:\n" + "\n".join(leaks)
