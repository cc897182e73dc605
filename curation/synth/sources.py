"""One generator per bundled sample source, each yielding ``SynthRecord`` rows.

Every PHI value is appended through ``TextBuilder.phi`` so its gold span is exact.
Ages are labelled ``AGE`` only when over 89; the span covers the number with an attached unit
(``92岁``, ``92-year-old``) or the number alone when the unit is a separate word (``aged 95``,
``93 y/o``).  Titles (``Dr.``, ``Mr.``) and field labels (``MRN:``, ``微信号：``) stay
outside spans.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta

from faker import Faker

from . import medical as med
from . import phi
from .builder import Span, SynthRecord, TextBuilder
from .medical import Disease, Specialty

DEFAULT_SEED = 20261122

N_EXAM_ZH = 1200
N_RECORDS_ZH = 400
N_DIALOGUES_ZH = 600
N_NOTES_EN = 400
N_EXAM_EN = 300

Seg = tuple[str, str | None]  # (text, PHI label or None)


def source_rng(seed: int, name: str) -> random.Random:
    """The RNG for one source; string seeding is stable across runs and hash seeds."""
    return random.Random(f"{seed}:{name}")


def _faker(rng: random.Random, locale: str) -> Faker:
    return phi.make_faker(locale, rng.randrange(2**32))


def _emit(b: TextBuilder, segs: list[Seg]) -> None:
    for text, label in segs:
        if label is None:
            b.add(text)
        else:
            b.phi(text, label)


def _weighted(rng: random.Random, options: list[tuple[str, float]]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _pick_distinct(
    rng: random.Random, exclude: set[str], pools: list[list[str]], k: int
) -> list[str]:
    """Pick ``k`` distinct items, trying pools in order (e.g. same specialty first)."""
    out: list[str] = []
    for pool in pools:
        cand = [x for x in dict.fromkeys(pool) if x not in exclude and x not in out]
        rng.shuffle(cand)
        out.extend(cand[: k - len(out)])
        if len(out) >= k:
            break
    return out


def _cap(text: str) -> str:
    """Upper-case the first character only (keeps ``HIV``, ``Murphy's``)."""
    return text[:1].upper() + text[1:]


def _tx_zh(d: Disease) -> str:
    """``予<drug dose>治疗`` or ``行<procedure>`` for the disease's first-line treatment."""
    return f"行{d.drug_zh}" if d.procedure else f"予{d.treatment_zh}治疗"


def _other_diseases(d: Disease) -> tuple[list[Disease], list[Disease]]:
    same = [x for x in med.SPECIALTY_BY_KEY[d.specialty].diseases if x is not d]
    return same, [x for x in med.ALL_DISEASES if x is not d]


_MALE_ONLY = {"良性前列腺增生", "睾丸扭转"}
_OLD = {
    "阿尔茨海默病",
    "帕金森病",
    "年龄相关性白内障",
    "良性前列腺增生",
    "骨质疏松症",
    "股骨颈骨折",
}


def _sex_age(rng: random.Random, sp: Specialty, d: Disease) -> tuple[bool, int]:
    """(male, age) plausible for the disease; ages stay below 90."""
    male = rng.random() < 0.5
    if sp.key == "obstetrics_gynecology" or d.zh == "乳腺癌":
        male = False
    if d.zh in _MALE_ONLY:
        male = True
    if sp.key == "pediatrics":
        return male, rng.randint(1, 12)
    if sp.key == "obstetrics_gynecology":
        return male, rng.randint(19, 44)
    if d.zh == "睾丸扭转":
        return male, rng.randint(12, 25)
    if d.zh in _OLD:
        return male, rng.randint(58, 88)
    return male, rng.randint(18, 84)


# ====================================================================== exam_zh
_FW2HW = str.maketrans("，。：？（）；！、", ",.:?();!,")
_PREFIX_RE = re.compile(r"^(第\d+题\s*|\d+[．.、]\s*|（\d+）\s*)")


def _norm_stem(stem: str) -> str:
    return re.sub(r"\s+", "", _PREFIX_RE.sub("", stem).translate(_FW2HW).replace("(　　)", ""))


def _zh_vignette_intro(rng: random.Random, sp: Specialty, d: Disease) -> str:
    male, age = _sex_age(rng, sp, d)
    sex = "男" if male else "女"
    s = list(d.symptoms_zh)
    rng.shuffle(s)
    dur = med.duration_zh(rng)
    if sp.key == "pediatrics":
        a = f"{rng.randint(6, 11)}个月" if rng.random() < 0.2 else f"{age}岁"
        return f"患儿，{sex}，{a}，{s[0]}{dur}，伴{s[1]}。"
    forms = [
        f"患者，{sex}，{age}岁，因{s[0]}{dur}入院。",
        f"{sex}性，{age}岁。{s[0]}{dur}，伴{s[1]}。",
        f"{age}岁{sex}性患者，{s[0]}、{s[1]}{dur}就诊。",
        f"患者{sex}性，{age}岁，{dur}前出现{s[0]}，逐渐加重，伴{s[1]}、{s[2]}。",
        f"患者，{sex}，{age}岁，{s[0]}{dur}，加重伴{s[1]}1天。",
    ]
    intro = rng.choice(forms)
    if rng.random() < 0.4:
        sign = med.SIGNS_ZH.get(d.zh) or rng.choice(med.NEG_SIGNS_ZH)
        intro += f"查体：{med.vitals_zh(rng)}，{sign}。"
    if rng.random() < 0.3:
        intro += f"实验室检查：{med.labs_zh(rng, rng.randint(1, 3))}。"
    return intro


def _zh_question(rng: random.Random) -> tuple[str, list[str], list[str], str, str]:
    """(stem, correct options, distractors, explanation, subject) for one exam item."""
    sp = rng.choice(med.SPECIALTIES)
    d = rng.choice(sp.diseases)
    same, others = _other_diseases(d)
    n_opt = 5 if rng.random() < 0.6 else 4
    kind = _weighted(
        rng,
        [
            ("vdx", 30),
            ("vtest", 8),
            ("vtx", 8),
            ("tx", 12),
            ("test", 10),
            ("sym", 8),
            ("neg", 8),
            ("fdx", 8),
            ("icd", 3),
            ("multi", 5),
        ],
    )
    finding = f"{d.test_zh}示{d.finding_zh}"
    expl = rng.choice(
        [
            f"{d.zh}典型表现为{d.symptoms_zh[0]}、{d.symptoms_zh[1]}，{finding}，首选{d.treatment_zh}。",
            f"本题考查{d.zh}（ICD-10：{d.icd}）。{finding}有助于确诊。",
            f"{d.zh}的诊断依赖{d.test_zh}；治疗首选{d.drug_zh}。",
            "",
        ]
    )
    dis_pools = [[x.zh for x in same], [x.zh for x in others]]
    if kind in ("vdx", "vtest", "vtx"):
        stem = _zh_vignette_intro(rng, sp, d)
        if kind == "vdx":
            if rng.random() < 0.6:
                stem += f"{finding}。"
            stem += rng.choice(
                [
                    "最可能的诊断是",
                    "该患者最可能的诊断是（　　）",
                    "首先考虑的诊断为",
                    "应诊断为：",
                    "诊断首先考虑",
                ]
            )
            return stem, [d.zh], _pick_distinct(rng, {d.zh}, dis_pools, n_opt - 1), expl, sp.zh
        if kind == "vtest":
            stem += rng.choice(
                [
                    "为明确诊断，首选的检查是",
                    "确诊应首选下列哪项检查？",
                    "下一步最有价值的检查是（　　）",
                ]
            )
            pools = [[x.test_zh for x in same], [x.test_zh for x in others]]
            return (
                stem,
                [d.test_zh],
                _pick_distinct(rng, {d.test_zh}, pools, n_opt - 1),
                expl,
                sp.zh,
            )
        stem += f"{finding}。" + rng.choice(
            ["首选的治疗是", "该患者的首选治疗为（　　）", "下列治疗中最恰当的是"]
        )
        pools = [[x.drug_zh for x in same], [x.drug_zh for x in others]]
        return stem, [d.drug_zh], _pick_distinct(rng, {d.drug_zh}, pools, n_opt - 1), expl, sp.zh
    if kind == "tx":
        stem = rng.choice(
            [
                f"治疗{d.zh}的首选方案是",
                f"{d.zh}的一线治疗是（　　）",
                f"下列哪项是{d.zh}的首选治疗？",
                f"{d.zh}患者首选的治疗为",
            ]
        )
        pools = [[x.drug_zh for x in same], [x.drug_zh for x in others]]
        return stem, [d.drug_zh], _pick_distinct(rng, {d.drug_zh}, pools, n_opt - 1), expl, sp.zh
    if kind == "test":
        stem = rng.choice(
            [
                f"确诊{d.zh}最有价值的检查是",
                f"诊断{d.zh}首选的检查是（　　）",
                f"对{d.zh}诊断意义最大的检查是",
            ]
        )
        pools = [[x.test_zh for x in same], [x.test_zh for x in others]]
        return stem, [d.test_zh], _pick_distinct(rng, {d.test_zh}, pools, n_opt - 1), expl, sp.zh
    own = set(d.symptoms_zh)
    foreign = [[s for x in same for s in x.symptoms_zh], [s for x in others for s in x.symptoms_zh]]
    if kind == "sym":
        stem = rng.choice(
            [
                f"{d.zh}最典型的临床表现是",
                f"下列哪项是{d.zh}的典型症状？",
                f"{d.zh}常见的临床表现为（　　）",
            ]
        )
        ans = rng.choice(d.symptoms_zh)
        return stem, [ans], _pick_distinct(rng, own, foreign, n_opt - 1), expl, sp.zh
    if kind == "neg":
        other = rng.choice(same)
        ans = next((s for s in other.symptoms_zh if s not in own), other.symptoms_zh[0])
        stem = rng.choice(
            [
                f"下列哪项不是{d.zh}的临床表现",
                f"关于{d.zh}的临床表现，下列哪项不符合？",
                f"{d.zh}一般不出现（　　）",
            ]
        )
        expl = "" if not expl else f"{ans}多见于{other.zh}，不是{d.zh}的典型表现。"
        owns = list(d.symptoms_zh)
        rng.shuffle(owns)
        return stem, [ans], owns[: n_opt - 1], expl, sp.zh
    if kind == "fdx":
        stem = rng.choice(
            [
                f"{d.test_zh}示{d.finding_zh}，最支持下列哪种疾病？",
                f"某患者{d.test_zh}提示{d.finding_zh}，伴{d.symptoms_zh[0]}，最可能的诊断是",
            ]
        )
        return stem, [d.zh], _pick_distinct(rng, {d.zh}, dis_pools, n_opt - 1), expl, sp.zh
    if kind == "icd":
        stem = rng.choice([f"{d.zh}的ICD-10编码是", f"按照ICD-10，{d.zh}应编码为（　　）"])
        pools = [[x.icd for x in same], [x.icd for x in others]]
        return stem, [d.icd], _pick_distinct(rng, {d.icd}, pools, n_opt - 1), expl, sp.zh
    k = rng.randint(2, 3)
    correct = rng.sample(list(d.symptoms_zh), k)
    stem = rng.choice(
        [
            f"下列属于{d.zh}典型表现的有（多选）",
            f"{d.zh}的临床表现包括（　　）（多选题）",
            f"关于{d.zh}，下列哪些症状常见？",
        ]
    )
    return stem, correct, _pick_distinct(rng, own, foreign, n_opt - k), expl, sp.zh


def _zh_number_prefix(rng: random.Random) -> str:
    n = rng.randint(1, 150)
    r = rng.random()
    if r < 0.12:
        return f"{n}．"
    if r < 0.17:
        return f"第{n}题 "
    if r < 0.21:
        return f"{n}. "
    if r < 0.23:
        return f"（{n}）"
    return ""


def _options_text(opts: list[str], sep: str) -> str:
    return sep.join(f"{'ABCDE'[i]} {t}" for i, t in enumerate(opts))


def _exam_zh_base(rng: random.Random, seen: set[str]) -> dict[str, object]:
    while True:
        stem, correct, distract, expl, subject = _zh_question(rng)
        key = _norm_stem(stem)
        if key in seen:
            continue
        seen.add(key)
        opts = correct + distract
        rng.shuffle(opts)
        answer = "".join(sorted("ABCDE"[opts.index(c)] for c in correct))
        sep = "\\n" if rng.random() < 0.08 else "\n"
        return {
            "question": _zh_number_prefix(rng) + stem,
            "opts": opts,
            "sep": sep,
            "answer": answer,
            "explanation": expl,
            "subject": subject,
        }


def _punct_variant(rng: random.Random, q: str) -> str:
    """Same question with full-width/half-width punctuation and whitespace changes."""
    v = q.translate(str.maketrans("，。：？（）；", ",.:?();"))
    if rng.random() < 0.5:
        v = v.replace(",", ", ")
    if v == q:  # no punctuation to change: vary whitespace and the trailing mark
        cut = rng.randint(1, max(1, len(q) - 2))
        v = " " + q[:cut] + " " + q[cut:] + ("?" if not q.endswith("？") else "")
    return v


def gen_exam_zh(seed: int = DEFAULT_SEED) -> Iterator[SynthRecord]:
    """Chinese licensing-exam MCQs with planted duplicates and broken rows."""
    rng = source_rng(seed, "exam_zh")
    seen: set[str] = set()
    n_dup, n_near = 5, 10
    base = [_exam_zh_base(rng, seen) for _ in range(N_EXAM_ZH - n_dup - n_near)]
    idx = list(range(len(base)))
    rng.shuffle(idx)
    originals, broken_idx = idx[: n_dup + n_near], idx[n_dup + n_near : n_dup + n_near + 12]
    reasons = [
        "missing_question",
        "answer_not_in_options",
        "unparseable_options",
        "missing_answer",
    ] * 3
    for i, reason in zip(broken_idx, reasons, strict=True):
        base[i]["broken"] = reason
    rows: list[dict[str, object]] = list(base)
    for j, oi in enumerate(originals):
        orig = base[oi]
        copy = dict(orig)
        copy["orig"] = orig
        if j >= n_dup:  # near-duplicate
            if j % 2 == 0 and isinstance(orig["opts"], list):
                opts = list(orig["opts"])
                perm = list(range(len(opts)))
                while perm == sorted(perm):
                    rng.shuffle(perm)
                copy["opts"] = [opts[p] for p in perm]
                copy["answer"] = "".join(
                    sorted("ABCDE"[perm.index("ABCDE".index(a))] for a in str(orig["answer"]))
                )
            else:
                copy["question"] = _punct_variant(rng, str(orig["question"]))
        pos = rows.index(orig)
        rows.insert(rng.randint(pos + 1, len(rows)), copy)
    qid_of: dict[int, str] = {}
    for n, row in enumerate(rows, 1):
        qid_of[id(row)] = f"ZH-Q{n:05d}"
    for row in rows:
        opts = list(row["opts"])  # type: ignore[call-overload]
        options = _options_text(opts, str(row["sep"]))
        question, answer = str(row["question"]), str(row["answer"])
        reason = row.get("broken")
        if reason == "missing_question":
            question = ""
        elif reason == "answer_not_in_options":
            answer = "F" if len(opts) == 5 else "E"
        elif reason == "unparseable_options":
            options = rng.choice(["；", "\n", " / "]).join(opts)
        elif reason == "missing_answer":
            answer = ""
        orig = row.get("orig")
        yield SynthRecord(
            fields={
                "qid": qid_of[id(row)],
                "question": question,
                "options": options,
                "answer": answer,
                "explanation": str(row["explanation"]),
                "subject": str(row["subject"]),
            },
            spans={},
            broken=reason if isinstance(reason, str) else None,
            duplicate_of=qid_of[id(orig)] if orig is not None else None,
        )


# ====================================================================== records_zh
_JOBS_ZH = (
    "教师",
    "工人",
    "农民",
    "个体经营者",
    "退休",
    "公司职员",
    "司机",
    "学生",
    "公务员",
    "无业",
    "会计",
    "厨师",
    "护士",
    "销售",
)
_RELATIONS = ("配偶", "儿子", "女儿", "父亲", "母亲", "妻子", "丈夫", "兄弟", "姐姐")


class _ZhPatient:
    """All PHI of one synthetic Chinese patient, drawn once so repeats are consistent."""

    def __init__(self, rng: random.Random, fk: Faker, sp: Specialty, d: Disease) -> None:
        self.male, self.age = _sex_age(rng, sp, d)
        if sp.key != "pediatrics" and sp.key != "obstetrics_gynecology" and rng.random() < 0.07:
            self.age = rng.randint(90, 103)
        self.adm = phi.random_date(rng, date(2018, 1, 1), date(2024, 12, 20))
        self.los = rng.randint(2, 28)
        self.dis = self.adm + timedelta(days=self.los)
        self.birth = phi.birth_date_for_age(rng, self.age, self.adm)
        self.name = phi.zh_name(rng, self.male)
        self.id = phi.zh_resident_id(rng, self.birth, self.male)
        self.mrn = phi.zh_record_number(
            rng, rng.choice(["inpatient", "inpatient", "record"]), self.adm.year
        )
        self.phone = phi.zh_phone(rng)
        self.phone2 = phi.zh_phone(rng)
        self.address = phi.zh_address(rng)
        self.hospital = phi.zh_hospital(rng)
        self.other_hospital = phi.zh_hospital(rng)
        self.doctors = [phi.zh_name(rng) for _ in range(3)]
        self.relative = phi.zh_name(rng)
        self.relation = rng.choice(_RELATIONS)
        self.employer = phi.zh_employer(rng, fk)
        self.job = rng.choice(_JOBS_ZH)
        self.sex = "男" if self.male else "女"

    def age_segs(self) -> list[Seg]:
        """``67岁``; labelled AGE (number + 岁) only when over 89."""
        return [(f"{self.age}岁", "AGE" if self.age > 89 else None)]


_FULL_ZH_DATES = ("ymd_cn", "ymd_cn", "iso", "slash", "dot", "cn_full")
_FULL_EN_DATES = ("mdy", "mdy", "mdy_short", "long", "dmy", "iso", "mdy_pad")


def _sep(rng: random.Random) -> str:
    return rng.choice(["：", "：", "：", ":", "： "])


def _time(rng: random.Random) -> str:
    return f"{rng.randint(7, 22):02d}:{rng.choice(['00', '10', '15', '30', '40', '45'])}"


def _contact_extra(rng: random.Random, fk: Faker) -> list[Seg]:
    kind = rng.choice(["wx", "qq", "email", "email"])
    if kind == "wx":
        return [
            (rng.choice(["微信号", "微信", "微信号码"]) + _sep(rng), None),
            (phi.zh_wechat(rng), "CONTACT"),
        ]
    if kind == "qq":
        return [(rng.choice(["QQ", "QQ号"]) + _sep(rng), None), (phi.zh_qq(rng), "CONTACT")]
    return [
        (rng.choice(["邮箱", "电子邮箱", "E-mail"]) + _sep(rng), None),
        (phi.zh_email(rng), "CONTACT"),
    ]


def _zh_history_segs(rng: random.Random, p: _ZhPatient, d: Disease) -> list[Seg]:
    s = list(d.symptoms_zh)
    rng.shuffle(s)
    segs: list[Seg] = [
        (f"患者于{med.duration_zh(rng)}前无明显诱因出现{s[0]}，伴{s[1]}、{s[2]}。", None)
    ]
    if rng.random() < 0.6:
        vd = p.adm - timedelta(days=rng.randint(1, 40))
        segs += [
            (rng.choice(["", "曾于"]), None),
            (phi.zh_date(rng, vd), "DATE"),
            (rng.choice(["于", "在"]), None),
            (p.other_hospital, "ORGANIZATION"),
            (
                f"就诊，查{med.lab_zh(rng)}，予{rng.choice(med.ALL_DISEASES).drug_zh}等治疗，"
                "症状无明显好转。",
                None,
            ),
        ]
    segs += [
        ("为进一步诊治，", None),
        (phi.zh_date(rng, p.adm), "DATE"),
        (f"来我院就诊，门诊以“{d.zh}”收入院。", None),
    ]
    return segs


def _pmh_text(rng: random.Random, d: Disease) -> str:
    if rng.random() < 0.35:
        return "既往体健，否认高血压、糖尿病病史，否认药物过敏史。"
    items = rng.sample([x for x in med.PMH_ZH if x != d.zh], rng.randint(1, 2))
    tail = rng.choice(
        ["，规律服药", "，未规律诊治", f"，长期口服{rng.choice(med.CHRONIC_MEDS_ZH)}"]
    )
    return f"既往{'、'.join(items)}病史{rng.randint(1, 20)}年{tail}。否认药物过敏史。"


def _family_text(rng: random.Random) -> str:
    return rng.choice(
        [
            "否认家族遗传病史。",
            "父亲患帕金森病。",
            "母亲有阿尔茨海默病史。",
            "姐姐患桥本甲状腺炎。",
            "父母均有高血压病史。",
            "弟弟幼时曾患川崎病。",
        ]
    )


def _exam_text(rng: random.Random, d: Disease) -> str:
    sign = med.SIGNS_ZH.get(d.zh) if rng.random() < 0.7 else None
    sign = sign or rng.choice(med.NEG_SIGNS_ZH)
    return f"{med.vitals_zh(rng)}。神志清，精神可，心肺听诊未见明显异常，{sign}。"


def _aux_text(rng: random.Random, d: Disease) -> str:
    return f"{med.labs_zh(rng, rng.randint(2, 4))}。{d.test_zh}示{d.finding_zh}。"


def _dx_text(rng: random.Random, d: Disease, n: int = 1) -> str:
    extra = rng.choice(med.PMH_ZH)
    if rng.random() < 0.5:
        return f"{n}. {d.zh}（{d.icd}）\n{n + 1}. {extra}"
    return f"{d.zh}（ICD-10: {d.icd}）；{extra}"


def _inpatient_admission(
    rng: random.Random, fk: Faker, b: TextBuilder, p: _ZhPatient, sp: Specialty, d: Disease
) -> None:
    if rng.random() < 0.5:
        b.phi(p.hospital, "ORGANIZATION").add("\n")
    b.add(rng.choice(["入院记录", "入 院 记 录", "住院病历"]) + "\n")
    name_label = rng.choice(["姓名", "患者姓名", "病人", "患者"])
    if rng.random() < 0.6:  # form-style header
        sep = _sep(rng)
        gap = rng.choice(["　", "  ", "\t", " "])
        _emit(
            b,
            [
                (f"{name_label}{sep}", None),
                (p.name, "NAME"),
                (f"{gap}性别{sep}{p.sex}{gap}年龄{sep}", None),
                *p.age_segs(),
            ],
        )
        b.add("\n")
        lines: list[list[Seg]] = []
        if rng.random() < 0.3:
            lines.append(
                [
                    (f"出生日期{sep}", None),
                    (phi.zh_date(rng, p.birth, rng.choice(_FULL_ZH_DATES)), "DATE"),
                ]
            )
        lines.append([(f"职业{sep}{p.job}", None)])
        if rng.random() < 0.4:
            lines.append(
                [(f"{rng.choice(['工作单位', '单位'])}{sep}", None), (p.employer, "ORGANIZATION")]
            )
        if rng.random() < 0.7:
            lines.append(
                [
                    (
                        f"{rng.choice(['身份证号', '身份证', '证件号码', '公民身份号码'])}{sep}",
                        None,
                    ),
                    (p.id, "ID"),
                ]
            )
        lines.append([(f"{rng.choice(['住院号', '病案号', 'ID号'])}{sep}", None), (p.mrn, "ID")])
        lines.append(
            [
                (f"{rng.choice(['入院日期', '入院时间'])}{sep}", None),
                (phi.zh_date(rng, p.adm), "DATE"),
            ]
        )
        ph: list[Seg] = [
            (f"{rng.choice(['联系电话', '电话', '手机', '联系方式'])}{sep}", None),
            (p.phone, "PHONE"),
        ]
        if rng.random() < 0.25:
            ph += [("；备用电话：", None), (p.phone2, "PHONE")]
        lines.append(ph)
        lines.append(
            [
                (f"{rng.choice(['现住址', '住址', '家庭住址', '地址'])}{sep}", None),
                (p.address, "ADDRESS"),
            ]
        )
        if rng.random() < 0.4:
            lines.append(
                [
                    (f"{rng.choice(['联系人', '紧急联系人'])}{sep}", None),
                    (p.relative, "NAME"),
                    (f"（{p.relation}）{gap}电话{sep}", None),
                    (phi.zh_phone(rng), "PHONE"),
                ]
            )
        if rng.random() < 0.2:
            lines.append(_contact_extra(rng, fk))
        head, rest = lines[:1], lines[1:]
        rng.shuffle(rest)
        for line in head + rest:
            _emit(b, line)
            b.add("\n")
    else:  # narrative header
        s0 = rng.choice(d.symptoms_zh)
        _emit(
            b,
            [
                (rng.choice(["患者", "病人", ""]), None),
                (p.name, "NAME"),
                (f"，{p.sex}，", None),
                *p.age_segs(),
                (f"，{p.job}，住", None),
                (p.address, "ADDRESS"),
                ("，电话", None),
                (p.phone, "PHONE"),
                (f"。因“{s0}{med.duration_zh(rng)}”于", None),
                (phi.zh_date(rng, p.adm), "DATE"),
                ("入院。", None),
            ],
        )
        if rng.random() < 0.5:
            _emit(b, [("住院号：", None), (p.mrn, "ID"), ("。", None)])
        b.add("\n")
    b.add(f"主诉：{d.symptoms_zh[0]}{med.duration_zh(rng)}。\n现病史：")
    _emit(b, _zh_history_segs(rng, p, d))
    b.add(f"\n既往史：{_pmh_text(rng, d)}\n")
    if rng.random() < 0.6:
        b.add("个人史：")
        if rng.random() < 0.15:
            _emit(b, [("从事网约车工作，车牌号", None), (phi.zh_plate(rng), "ID"), ("。", None)])
        b.add(rng.choice(["吸烟20年，每日10支。", "无烟酒嗜好。", "饮酒10余年。"]) + "\n")
    b.add(f"家族史：{_family_text(rng)}\n体格检查：{_exam_text(rng, d)}\n")
    b.add(f"辅助检查：{_aux_text(rng, d)}\n初步诊断：{_dx_text(rng, d)}\n")
    b.add(f"诊疗计划：{_tx_zh(d)}，完善相关检查，监测生命体征。\n")
    _emit(
        b,
        [
            (rng.choice(["医师签名：", "记录医师：", "住院医师："]), None),
            (p.doctors[0], "NAME"),
            (" ", None),
            (phi.zh_date(rng, p.adm), "DATE"),
        ],
    )


def _inpatient_discharge(
    rng: random.Random, fk: Faker, b: TextBuilder, p: _ZhPatient, sp: Specialty, d: Disease
) -> None:
    b.add(rng.choice(["出院小结", "出院记录", "出 院 小 结"]) + "\n")
    if rng.random() < 0.5:
        b.add("医院：").phi(p.hospital, "ORGANIZATION").add(f"　科室：{sp.zh}\n")
    sep = _sep(rng)
    _emit(
        b,
        [
            (f"{rng.choice(['姓名', '患者'])}{sep}", None),
            (p.name, "NAME"),
            (f"  性别{sep}{p.sex}  年龄{sep}", None),
            *p.age_segs(),
            (f"  {rng.choice(['住院号', '病案号'])}{sep}", None),
            (p.mrn, "ID"),
            ("\n", None),
        ],
    )
    style = rng.choice((*phi.ZH_DATE_STYLES[:3], "dot"))
    _emit(
        b,
        [
            (f"入院日期{sep}", None),
            (phi.zh_date(rng, p.adm, style), "DATE"),
            (f"  出院日期{sep}", None),
            (phi.zh_date(rng, p.dis, style), "DATE"),
            (f"  住院天数{sep}{p.los}天\n", None),
        ],
    )
    if rng.random() < 0.3:
        _emit(b, [("身份证号：", None), (p.id, "ID"), ("\n", None)])
    s = d.symptoms_zh
    b.add(f"入院情况：患者因“{s[0]}{med.duration_zh(rng)}”入院。查体：{_exam_text(rng, d)}\n")
    b.add(f"入院诊断：{d.zh}\n诊疗经过：入院后完善相关检查，{_aux_text(rng, d)}")
    b.add(f"{_tx_zh(d)}，")
    if rng.random() < 0.4:
        _emit(b, [(p.doctors[2], "NAME"), ("主任医师查房后指示继续目前治疗，", None)])
    b.add(f"患者{s[1]}较前缓解。\n出院诊断：{_dx_text(rng, d)}\n")
    b.add(f"出院情况：一般情况可，{med.vitals_zh(rng)}。\n出院医嘱：1. {d.treatment_zh}；")
    b.add(f"2. 定期复查{med.lab_name_zh(rng)}等；3. ")
    fu = p.dis + timedelta(days=rng.choice([7, 14, 30]))
    _emit(
        b,
        [
            (phi.zh_date(rng, fu), "DATE"),
            ("于", None),
            (p.hospital, "ORGANIZATION"),
            (f"{sp.zh}门诊复诊", None),
        ],
    )
    if rng.random() < 0.5:
        _emit(b, [("，咨询电话", None), (phi.zh_landline(rng), "PHONE")])
    b.add("。\n")
    if rng.random() < 0.3:
        _emit(
            b,
            [
                ("患者联系电话：", None),
                (p.phone, "PHONE"),
                ("；", None),
                *_contact_extra(rng, fk),
                ("\n", None),
            ],
        )
    _emit(
        b,
        [
            (rng.choice(["主治医师：", "经治医师：", "医师签名："]), None),
            (p.doctors[0], "NAME"),
            ("　住院医师：", None),
            (p.doctors[1], "NAME"),
        ],
    )


def _inpatient_progress(
    rng: random.Random, fk: Faker, b: TextBuilder, p: _ZhPatient, sp: Specialty, d: Disease
) -> None:
    _emit(
        b,
        [
            (phi.zh_date(rng, p.adm, rng.choice(["iso", "ymd_cn", "dot"])), "DATE"),
            (f" {_time(rng)} 首次病程记录\n", None),
            (rng.choice(["患者", "病人"]), None),
            (p.name, "NAME"),
            (f"，{p.sex}，", None),
            *p.age_segs(),
            (f"，因“{d.symptoms_zh[0]}{med.duration_zh(rng)}”于", None),
            (phi.zh_date(rng, p.adm), "DATE"),
            ("入院。", None),
        ],
    )
    if rng.random() < 0.4:
        _emit(b, [("病案号", None), (p.mrn, "ID"), ("。", None)])
    b.add(f"\n病例特点：1. 主要表现为{'、'.join(d.symptoms_zh[:3])}。2. 查体：{_exam_text(rng, d)}")
    b.add(f"3. 辅助检查：{_aux_text(rng, d)}\n初步诊断：{_dx_text(rng, d)}\n")
    alt = rng.choice([x for x in sp.diseases if x is not d])
    b.add(f"鉴别诊断：需与{alt.zh}相鉴别，后者多表现为{alt.symptoms_zh[0]}。\n")
    b.add(f"诊疗计划：{_tx_zh(d)}，完善{d.test_zh}。\n")
    _emit(b, [(p.doctors[1], "NAME"), ("\n", None)])
    nd = p.adm + timedelta(days=rng.randint(1, min(3, p.los)))
    _emit(
        b,
        [
            (phi.zh_date(rng, nd, rng.choice(["iso", "ymd_cn", "md_cn"])), "DATE"),
            (f" {_time(rng)} {rng.choice(['主任医师查房记录', '上级医师查房记录'])}\n今日", None),
            (p.doctors[2], "NAME"),
            (rng.choice(["主任医师", "副主任医师"]) + "查房：患者诉", None),
            (f"{d.symptoms_zh[1]}较前减轻，查体：{med.vitals_zh(rng)}。", None),
        ],
    )
    if rng.random() < 0.3:
        _emit(
            b,
            [
                ("家属", None),
                (p.relative, "NAME"),
                (f"（{p.relation}，电话", None),
                (phi.zh_phone(rng), "PHONE"),
                ("）要求了解病情，已详细告知。", None),
            ],
        )
    b.add(f"指示：继续目前治疗，复查{med.lab_name_zh(rng)}。\n")
    _emit(b, [("记录者：", None), (p.doctors[1], "NAME")])


def gen_records_zh(seed: int = DEFAULT_SEED) -> Iterator[SynthRecord]:
    """Chinese inpatient records (GB18030 file) with planted PHI and broken rows."""
    rng = source_rng(seed, "records_zh")
    fk = _faker(rng, "zh_CN")
    picks = rng.sample(range(N_RECORDS_ZH), 4)
    bad_enc, empty = set(picks[:2]), set(picks[2:])
    for i in range(N_RECORDS_ZH):
        sp = rng.choice(med.SPECIALTIES)
        d = rng.choice(sp.diseases)
        p = _ZhPatient(rng, fk, sp, d)
        b = TextBuilder()
        kind = _weighted(rng, [("adm", 45), ("dis", 35), ("prog", 20)])
        {"adm": _inpatient_admission, "dis": _inpatient_discharge, "prog": _inpatient_progress}[
            kind
        ](rng, fk, b, p, sp, d)
        text, spans = b.build()
        broken = None
        if i in bad_enc:
            # Lone surrogates U+DC80..U+DCFF are written as raw bytes (surrogateescape): 0xFF
            # and 0x80 can never start a GB18030 sequence, so only this row fails to decode.
            cut = text.index("\n") + 1
            junk = "\udcff\udc80" if i == min(bad_enc) else "\udc80\udc80\udcff"
            text = text[:cut] + junk + text[cut:]
            spans = [
                Span(s.start + len(junk), s.end + len(junk), s.label) if s.start >= cut else s
                for s in spans
            ]
            broken = "invalid_encoding"
        elif i in empty:
            text, spans, broken = "", [], "empty_text"
        yield SynthRecord(
            fields={"record_id": f"ZH-R{i + 1:05d}", "department": sp.zh, "text": text},
            spans={"text": spans},
            broken=broken,
        )


# ====================================================================== dialogues_zh
def _dialogue_turns(
    rng: random.Random, sp: Specialty, d: Disease, has_phi: bool, fk: Faker
) -> list[tuple[str, list[Seg]]]:
    """Turns as (speaker, segments): opening, k question/answer pairs, advice, maybe closing."""
    n = rng.randint(3, 10)
    k, closing = ((n - 2) // 2, False) if (n - 2) % 2 == 0 else ((n - 3) // 2, True)
    peds = sp.key == "pediatrics"
    pat = "家属" if peds and rng.random() < 0.7 else rng.choice(["患者"] * 5 + ["病人"])
    subj = rng.choice(["孩子", "宝宝", "我家孩子"]) if pat == "家属" else "我"
    s = list(d.symptoms_zh)
    rng.shuffle(s)
    dur = med.duration_zh(rng)
    opening: list[Seg] = [
        (
            rng.choice(
                [
                    f"医生您好，{subj}{s[0]}{dur}了，还有点{s[1]}。",
                    f"大夫，{subj}最近老是{s[0]}，已经{dur}了。",
                    f"你好，{subj}{dur}前开始{s[0]}，今天来看看。",
                    f"医生，{subj}{s[0]}，{s[1]}，挺难受的。",
                ]
            ),
            None,
        )
    ]
    age = (
        rng.randint(90, 101)
        if has_phi and not peds and rng.random() < 0.25
        else (_sex_age(rng, sp, d)[1])
    )
    age_ans: list[Seg] = [(f"{age}岁", "AGE" if age > 89 else None), ("了。", None)]
    pairs: list[tuple[str, list[Seg]]] = [
        (f"有没有{s[2]}？", [(rng.choice([f"有一点{s[2]}。", f"没有{s[2]}。"]), None)]),
        (
            "以前有过类似情况吗？有没有高血压、糖尿病？",
            [
                (
                    rng.choice(
                        ["没有，这是第一次。", f"以前有{rng.choice(med.PMH_ZH)}，一直在吃药。"]
                    ),
                    None,
                )
            ],
        ),
        (
            "平时吃什么药吗？有没有药物过敏？",
            [
                (
                    rng.choice(
                        ["没有过敏的。", f"在吃{rng.choice(med.CHRONIC_MEDS_ZH)}，没有过敏。"]
                    ),
                    None,
                )
            ],
        ),
        (f"{s[0]}是持续的还是一阵一阵的？", [("一阵一阵的，晚上厉害一些。", None)]),
        ("最近饮食和睡眠怎么样？", [("吃饭还行，就是睡不好。", None)]),
        ("之前做过什么检查吗？", [(f"上周查过，{med.lab_zh(rng)}。", None)]),
        ("多大年纪了？" if pat != "家属" else "孩子多大了？", age_ans),
    ]
    rng.shuffle(pairs)
    # PHI facts as (doctor question, patient answer, inline form used when no pair is left)
    phi_facts: list[tuple[str, list[Seg], list[Seg]]] = []
    if has_phi:
        vd = phi.random_date(rng, date(2019, 1, 1), date(2024, 12, 31))
        who = "我叫" if pat != "家属" else "孩子叫"
        name, phone = phi.zh_name(rng), phi.zh_phone(rng)
        hosp, when = phi.zh_hospital(rng), phi.zh_date(rng, vd)
        addr = phi.zh_address(rng) if rng.random() < 0.4 else phi.zh_city_district(rng)
        rid, wx = phi.zh_resident_id(rng), phi.zh_wechat(rng)
        facts: list[tuple[str, list[Seg], list[Seg]]] = [
            (
                rng.choice(["请问怎么称呼？", "患者叫什么名字？"]),
                [(who, None), (name, "NAME"), ("。", None)],
                [(who, None), (name, "NAME"), ("。", None)],
            ),
            (
                rng.choice(["留个联系电话吧。", "方便留个电话吗？有结果通知您。"]),
                [(rng.choice(["好的，", "我手机号是"]), None), (phone, "PHONE"), ("。", None)],
                [("我电话是", None), (phone, "PHONE"), ("。", None)],
            ),
            (
                "之前在别的医院看过吗？",
                [
                    ("看过，", None),
                    (when, "DATE"),
                    ("在", None),
                    (hosp, "ORGANIZATION"),
                    ("看的，没看好。", None),
                ],
                [(when, "DATE"), ("在", None), (hosp, "ORGANIZATION"), ("看过，没看好。", None)],
            ),
            (
                "您住哪儿？离医院远吗？",
                [("我住在", None), (addr, "ADDRESS"), ("，不算远。", None)],
                [("我住在", None), (addr, "ADDRESS"), ("。", None)],
            ),
            (
                "带身份证了吗？建档需要身份证号。",
                [("带了，", None), (rid, "ID"), ("。", None)],
                [("身份证号是", None), (rid, "ID"), ("。", None)],
            ),
            (
                "有问题可以线上复诊。",
                [("能加您微信吗？我的微信号是", None), (wx, "CONTACT"), ("。", None)],
                [("我微信号是", None), (wx, "CONTACT"), ("。", None)],
            ),
        ]
        weights = [1.0, 1.0, 1.0, 0.8, 0.3, 0.4]
        target = rng.randint(1, 3)
        while len(phi_facts) < target:
            f = rng.choices(facts, weights=weights)[0]
            if f not in phi_facts:
                phi_facts.append(f)
    chosen = [(q, a) for q, a, _ in phi_facts[:k]] + pairs[: max(0, k - len(phi_facts))]
    rng.shuffle(chosen)
    for _, _, inline in phi_facts[k:]:
        opening = opening + inline
    advice = rng.choice(
        [
            f"考虑是{d.zh}，建议做个{d.test_zh}明确一下。",
            (
                f"从症状看像{d.zh}，建议{d.drug_zh}。"
                if d.procedure
                else f"从症状看像{d.zh}，先用{d.treatment_zh}，一周后复诊。"
            ),
            f"血压{med.blood_pressure(rng)} mmHg，{d.zh}可能性大，先查{d.test_zh}，"
            "结果出来再调整方案。",
            f"初步诊断{d.zh}（{d.icd}），需要住院进一步治疗，先去办住院手续。",
        ]
    )
    turns: list[tuple[str, list[Seg]]] = [(pat, opening)]
    for q, a in chosen:
        turns += [("医生", [(q, None)]), (pat, a)]
    turns.append(("医生", [(advice, None)]))
    if closing:
        turns.append(
            (
                pat,
                [
                    (
                        rng.choice(
                            [
                                "好的，谢谢医生。",
                                "明白了，谢谢大夫！",
                                "那我需要注意什么？",
                                "好的，我这就去。",
                            ]
                        ),
                        None,
                    )
                ],
            )
        )
    return turns


def gen_dialogues_zh(seed: int = DEFAULT_SEED) -> Iterator[SynthRecord]:
    """Chinese outpatient doctor-patient dialogues (JSONL) with PHI in about 40% of rows."""
    rng = source_rng(seed, "dialogues_zh")
    fk = _faker(rng, "zh_CN")
    picks = rng.sample(range(N_DIALOGUES_ZH), 5)
    empty, unparseable = set(picks[:3]), set(picks[3:])
    for i in range(N_DIALOGUES_ZH):
        sp = rng.choice(med.SPECIALTIES)
        d = rng.choice(sp.diseases)
        turns = _dialogue_turns(rng, sp, d, rng.random() < 0.4, fk)
        b = TextBuilder()
        broken = None
        if i in empty:
            broken = "empty_text"
        elif i in unparseable:
            broken = "unparseable_dialogue"
            for _, segs in turns:
                _emit(b, segs)
        else:
            for k, (spk, segs) in enumerate(turns):
                b.add(("\n" if k else "") + spk + "：")
                _emit(b, segs)
        text, spans = b.build()
        yield SynthRecord(
            fields={"dialogue_id": f"ZH-D{i + 1:05d}", "department": sp.zh, "dialogue": text},
            spans={"dialogue": spans},
            broken=broken,
        )


# ====================================================================== notes_en
_JOBS_EN = (
    "teacher",
    "accountant",
    "electrician",
    "nurse",
    "truck driver",
    "software engineer",
    "retired machinist",
    "cashier",
    "firefighter",
    "librarian",
    "carpenter",
    "chef",
)


class _EnPatient:
    """All PHI of one synthetic English-language patient."""

    def __init__(self, rng: random.Random, fk: Faker, sp: Specialty, d: Disease) -> None:
        self.male, self.age = _sex_age(rng, sp, d)
        if sp.key not in ("pediatrics", "obstetrics_gynecology") and rng.random() < 0.08:
            self.age = rng.randint(90, 101)
        self.full, self.first, self.last = phi.en_name(rng, fk, self.male)
        self.adm = phi.random_date(rng, date(2018, 1, 1), date(2024, 12, 20))
        self.los = rng.randint(1, 21)
        self.dis = self.adm + timedelta(days=self.los)
        self.dob = phi.birth_date_for_age(rng, self.age, self.adm)
        self.mrn = phi.en_mrn(rng)
        self.hospital = phi.en_hospital(rng, fk)
        self.attending = phi.en_name(rng, fk, middle=0.3)[0]
        self.pcp = phi.en_name(rng, fk, middle=0.1)[0]
        self.phone = phi.en_phone(rng)
        self.address = phi.en_address(rng)
        self.email = phi.en_email(rng, self.first, self.last)
        self.employer = phi.en_employer(rng, fk)
        self.ssn = phi.en_ssn(rng)
        c_male = rng.random() < 0.5
        self.contact = phi.en_name(rng, fk, c_male, middle=0.0)[0]
        self.contact_rel = rng.choice(
            ["spouse", "son", "brother"] if c_male else ["spouse", "daughter", "sister"]
        )
        self.title = "Mr." if self.male else rng.choice(["Ms.", "Mrs."])
        self.he, self.his = ("he", "his") if self.male else ("she", "her")
        self.noun = (
            ("boy" if self.male else "girl") if self.age < 13 else ("man" if self.male else "woman")
        )

    def age_phrase(self, rng: random.Random) -> list[Seg]:
        """``a 92-year-old man`` / ``aged 95`` phrase; AGE span (number + attached unit) if > 89."""
        lab = "AGE" if self.age > 89 else None
        form = rng.randint(0, 3)
        if form == 0 or self.age < 13:
            return [("a ", None), (f"{self.age}-year-old", lab), (f" {self.noun}", None)]
        if form == 1:
            return [(f"a {self.noun} aged ", None), (str(self.age), lab)]
        if form == 2:
            return [("a ", None), (str(self.age), lab), (f" yo {'M' if self.male else 'F'}", None)]
        return [("a ", None), (str(self.age), lab), (f" y/o {self.noun}", None)]


def _en_header(
    rng: random.Random, b: TextBuilder, p: _EnPatient, title: str, discharge: bool
) -> None:
    b.add(title + "\n")
    if rng.random() < 0.6:
        b.phi(p.hospital, "ORGANIZATION").add("\n")
    lines: list[list[Seg]] = []
    if rng.random() < 0.5:
        lines.append([("Patient Name: ", None), (p.full, "NAME")])
    else:
        lines.append([("Patient: ", None), (f"{p.last.upper()}, {p.first.upper()}", "NAME")])
    lines.append(
        [(rng.choice(["MRN: ", "MRN ", "Medical Record Number: ", "MR#: "]), None), (p.mrn, "ID")]
    )
    lines.append(
        [
            (rng.choice(["DOB: ", "Date of Birth: "]), None),
            (phi.en_date(rng, p.dob, rng.choice(_FULL_EN_DATES)), "DATE"),
        ]
    )
    if discharge:
        style = rng.choice(["mdy", "long", "iso", "mdy_short"])
        lines.append([("Admission Date: ", None), (phi.en_date(rng, p.adm, style), "DATE")])
        lines.append([("Discharge Date: ", None), (phi.en_date(rng, p.dis, style), "DATE")])
    else:
        lines.append(
            [
                (rng.choice(["Date of Service: ", "Admission Date: ", "Date: "]), None),
                (phi.en_date(rng, p.adm), "DATE"),
            ]
        )
    if rng.random() < 0.5:
        lines.append([("Attending: Dr. ", None), (p.attending, "NAME")])
    else:
        lines.append([("Attending Physician: ", None), (p.attending, "NAME"), (", MD", None)])
    if rng.random() < 0.1:
        lines.append([("SSN: ", None), (p.ssn, "ID")])
    if rng.random() < 0.3:
        lines.append([("Phone: ", None), (p.phone, "PHONE")])
    for line in lines:
        _emit(b, line)
        b.add(rng.choice(["\n", "\n", "    "]) if line is not lines[-1] else "\n")
    b.add("\n")


def _en_hpi(rng: random.Random, fk: Faker, b: TextBuilder, p: _EnPatient, d: Disease) -> None:
    s = list(d.symptoms_en)
    rng.shuffle(s)
    pmh = rng.sample([x for x in med.PMH_EN if x != d.en], 2)
    name: Seg = (p.last, "NAME") if rng.random() < 0.7 else (p.full, "NAME")
    _emit(
        b,
        [
            (
                f"HISTORY OF PRESENT ILLNESS: {p.title} "
                if name[0] == p.last
                else "HISTORY OF PRESENT ILLNESS: ",
                None,
            ),
            name,
            (" is ", None),
            *p.age_phrase(rng),
            (
                f" with a history of {pmh[0]} and {pmh[1]} who presents with {s[0]} and {s[1]} for "
                f"{med.duration_en(rng)}. ",
                None,
            ),
        ],
    )
    if rng.random() < 0.5:
        seen = p.adm - timedelta(days=rng.randint(1, 30))
        where: list[Seg] = [(phi.en_hospital(rng, fk), "ORGANIZATION")]
        if rng.random() < 0.4:
            where = [("an urgent care clinic in ", None), (phi.en_city_state(rng), "ADDRESS")]
        _emit(
            b,
            [
                (f"{p.he.capitalize()} was seen at ", None),
                *where,
                (" on ", None),
                (phi.en_date(rng, seen), "DATE"),
                (
                    f" and started on {rng.choice(med.ALL_DISEASES).drug_en} without improvement. ",
                    None,
                ),
            ],
        )
    b.add(f"{p.he.capitalize()} also reports {s[2]}.\n\n")


def _en_body(rng: random.Random, fk: Faker, b: TextBuilder, p: _EnPatient, d: Disease) -> None:
    meds = "; ".join(rng.sample(med.CHRONIC_MEDS_EN, rng.randint(1, 3)))
    b.add(f"PAST MEDICAL HISTORY: {', '.join(rng.sample(med.PMH_EN, 3))}.\nMEDICATIONS: {meds}.\n")
    b.add("SOCIAL HISTORY: ")
    if rng.random() < 0.7:
        _emit(
            b,
            [
                ("Lives at ", None),
                (p.address, "ADDRESS"),
                (
                    f" with {p.his} {rng.choice(['wife', 'husband', 'daughter', 'partner'])}. ",
                    None,
                ),
            ],
        )
    if rng.random() < 0.5:
        _emit(
            b,
            [
                (f"Works as a {rng.choice(_JOBS_EN)} at ", None),
                (p.employer, "ORGANIZATION"),
                (". ", None),
            ],
        )
    b.add(
        rng.choice(
            ["Denies tobacco use.", "Former smoker, 20 pack-years.", "Drinks 2-3 beers per week."]
        )
        + "\n"
    )
    sign = (med.SIGNS_EN.get(d.en) if rng.random() < 0.7 else None) or rng.choice(med.NEG_SIGNS_EN)
    b.add(f"PHYSICAL EXAM: {med.vitals_en(rng)}. {_cap(sign)}.\n")
    b.add(
        f"LABS: {med.labs_en(rng, rng.randint(2, 4))}. {_cap(d.test_en)} showed {d.finding_en}.\n\n"
    )


def _en_plan(
    rng: random.Random, fk: Faker, b: TextBuilder, p: _EnPatient, d: Disease, discharge: bool
) -> None:
    b.add(
        f"ASSESSMENT AND PLAN:\n1. {_cap(d.en)} (ICD-10 {d.icd}): "
        f"start {d.treatment_en}.\n2. {rng.choice(med.PMH_EN)}: continue home regimen.\n"
    )
    if discharge:
        fu = p.dis + timedelta(days=rng.choice([7, 10, 14, 28]))
        _emit(
            b,
            [
                ("Follow up with Dr. ", None),
                (p.pcp, "NAME"),
                (" on ", None),
                (phi.en_date(rng, fu), "DATE"),
                (". ", None),
            ],
        )
    if rng.random() < 0.6:
        _emit(b, [(f"{p.he.capitalize()} can be reached at ", None), (p.phone, "PHONE")])
        if rng.random() < 0.4:
            _emit(b, [(" or ", None), (p.email, "CONTACT")])
        b.add(". ")
    if rng.random() < 0.25:
        _emit(
            b,
            [
                ("Emergency contact: ", None),
                (p.contact, "NAME"),
                (f" ({p.contact_rel}), ", None),
                (phi.en_phone(rng), "PHONE"),
                (". ", None),
            ],
        )
    sd = p.dis if discharge else p.adm
    _emit(
        b,
        [
            ("\nElectronically signed by Dr. ", None),
            (p.attending, "NAME"),
            (" on ", None),
            (phi.en_date(rng, sd), "DATE"),
        ],
    )


def _note_hp(rng: random.Random, fk: Faker, b: TextBuilder, p: _EnPatient, d: Disease) -> None:
    _en_header(rng, b, p, rng.choice(["HISTORY AND PHYSICAL", "ADMISSION H&P", "H&P"]), False)
    b.add(f"CHIEF COMPLAINT: {d.symptoms_en[0]}.\n")
    _en_hpi(rng, fk, b, p, d)
    _en_body(rng, fk, b, p, d)
    _en_plan(rng, fk, b, p, d, False)


def _note_discharge(
    rng: random.Random, fk: Faker, b: TextBuilder, p: _EnPatient, d: Disease
) -> None:
    _en_header(rng, b, p, "DISCHARGE SUMMARY", True)
    b.add(f"DISCHARGE DIAGNOSIS: {d.en} ({d.icd})\n\nHOSPITAL COURSE: ")
    name: Seg = (p.last, "NAME")
    _emit(
        b,
        [
            (f"{p.title} ", None),
            name,
            (" is ", None),
            *p.age_phrase(rng),
            (" who was admitted to ", None),
            (p.hospital, "ORGANIZATION"),
            (" on ", None),
            (phi.en_date(rng, p.adm), "DATE"),
            (
                f" with {d.symptoms_en[0]} and {d.symptoms_en[1]}. {_cap(d.test_en)} showed "
                f"{d.finding_en}. {p.he.capitalize()} was treated with {d.treatment_en} "
                "and improved. "
                f"Vitals at discharge: {med.vitals_en(rng)}. Labs: {med.labs_en(rng, 2)}. "
                f"Discharged home on ",
                None,
            ),
            (phi.en_date(rng, p.dis), "DATE"),
            (".\n\n", None),
        ],
    )
    _en_body(rng, fk, b, p, d)
    _en_plan(rng, fk, b, p, d, True)


def _note_consult(rng: random.Random, fk: Faker, b: TextBuilder, p: _EnPatient, d: Disease) -> None:
    _en_header(rng, b, p, f"{med.SPECIALTY_BY_KEY[d.specialty].en.upper()} CONSULTATION", False)
    _emit(
        b,
        [
            ("Requesting physician: Dr. ", None),
            (p.pcp, "NAME"),
            (f"\nReason for consultation: {d.symptoms_en[0]}, rule out {d.en}.\n\n", None),
        ],
    )
    _en_hpi(rng, fk, b, p, d)
    _en_body(rng, fk, b, p, d)
    b.add(
        f"IMPRESSION: Findings are most consistent with {d.en} (ICD-10 {d.icd}). "
        f"Recommend {d.treatment_en}.\n"
    )
    _emit(
        b,
        [
            ("Thank you for this consult. Dr. ", None),
            (p.attending, "NAME"),
            (", pager ", None),
            (phi.en_phone(rng), "PHONE"),
        ],
    )


def _note_progress(
    rng: random.Random, fk: Faker, b: TextBuilder, p: _EnPatient, d: Disease
) -> None:
    day = p.adm + timedelta(days=rng.randint(1, max(1, p.los)))
    b.add(f"PROGRESS NOTE - Hospital Day {(day - p.adm).days + 1}\n")
    _emit(
        b,
        [
            ("Date: ", None),
            (phi.en_date(rng, day), "DATE"),
            ("    Patient: ", None),
            (p.full, "NAME"),
            ("    MRN ", None),
            (p.mrn, "ID"),
            ("\n\n", None),
        ],
    )
    _emit(
        b,
        [
            ("S: ", None),
            (p.first if rng.random() < 0.3 else p.last, "NAME"),
            (
                f" reports {rng.choice(['less', 'persistent', 'worsening'])} {d.symptoms_en[0]}. ",
                None,
            ),
        ],
    )
    if p.age > 89:
        _emit(b, [("Pt is ", None), (str(p.age), "AGE"), (" and lives alone. ", None)])
    b.add(f"\nO: {med.vitals_en(rng)}. {med.labs_en(rng, 3)}.\n")
    b.add(f"A/P: {d.en} ({d.icd}) - continue {d.treatment_en}. Recheck labs in AM.\n")
    _emit(b, [("Dr. ", None), (p.attending, "NAME")])


def gen_notes_en(seed: int = DEFAULT_SEED) -> Iterator[SynthRecord]:
    """English clinical notes (XLSX) with planted PHI and two empty notes."""
    rng = source_rng(seed, "notes_en")
    fk = _faker(rng, "en_US")
    empty = set(rng.sample(range(N_NOTES_EN), 2))
    makers: dict[str, Callable[..., None]] = {
        "hp": _note_hp,
        "dc": _note_discharge,
        "cons": _note_consult,
        "prog": _note_progress,
    }
    for i in range(N_NOTES_EN):
        sp = rng.choice(med.SPECIALTIES)
        d = rng.choice(sp.diseases)
        p = _EnPatient(rng, fk, sp, d)
        b = TextBuilder()
        makers[_weighted(rng, [("hp", 30), ("dc", 35), ("cons", 15), ("prog", 20)])](
            rng, fk, b, p, d
        )
        text, spans = b.build()
        note: str | None = text
        broken = None
        if i in empty:
            note, spans, broken = None, [], "empty_text"
        yield SynthRecord(
            fields={"note_id": f"EN-N{i + 1:05d}", "specialty": sp.en, "note": note},
            spans={"note": spans},
            broken=broken,
        )


# ====================================================================== exam_en
def _en_question(rng: random.Random) -> tuple[str, str, list[str], str]:
    sp = rng.choice(med.SPECIALTIES)
    d = rng.choice(sp.diseases)
    same, others = _other_diseases(d)
    male, age = _sex_age(rng, sp, d)
    noun = ("boy" if male else "girl") if age < 13 else ("man" if male else "woman")
    he, his = ("He", "His") if male else ("She", "Her")
    s = list(d.symptoms_en)
    rng.shuffle(s)
    dur = med.duration_en(rng)
    if age < 13:
        where = rng.choice(["emergency department", "physician"])
        stem = (
            f"A {age}-year-old {noun} is brought to the {where} "
            f"by {his.lower()} parents because of {s[0]} and {s[1]} for {dur}. "
        )
    else:
        setting = rng.choice(["emergency department", "physician", "clinic"])
        stem = f"A {age}-year-old {noun} comes to the {setting} because of {s[0]} for {dur}. "
        stem += f"{he} also reports {s[1]}. "
        if rng.random() < 0.6:
            stem += f"{he} has a history of {rng.choice(med.PMH_EN)}. "
    stem += med.vitals_en(rng, usmle=True, pronoun=his) + ". "
    sign = med.SIGNS_EN.get(d.en) or rng.choice(med.NEG_SIGNS_EN)
    stem += f"Physical examination shows {sign}. "
    if rng.random() < 0.6:
        stem += f"Laboratory studies show {med.labs_en(rng, rng.randint(2, 4))}. "
    kind = _weighted(rng, [("dx", 45), ("test", 20), ("tx", 25), ("fdx", 10)])
    if kind in ("dx", "fdx", "tx"):
        stem += f"{_cap(d.test_en)} shows {d.finding_en}. "
    if kind in ("dx", "fdx"):
        stem += rng.choice(
            [
                "Which of the following is the most likely diagnosis?",
                "Which of the following best explains these findings?",
            ]
        )
        ans, pools = d.en, [[x.en for x in same], [x.en for x in others]]
    elif kind == "test":
        stem += rng.choice(
            [
                "Which of the following is the most appropriate next step in diagnosis?",
                "Which of the following is most likely to confirm the diagnosis?",
            ]
        )
        ans, pools = d.test_en, [[x.test_en for x in same], [x.test_en for x in others]]
    else:
        stem += rng.choice(
            [
                "Which of the following is the most appropriate pharmacotherapy?",
                "Which of the following is the most appropriate next step in management?",
            ]
        )
        ans, pools = d.drug_en, [[x.drug_en for x in same], [x.drug_en for x in others]]
    n_opt = 5 if rng.random() < 0.7 else 4
    opts = [ans, *_pick_distinct(rng, {ans}, pools, n_opt - 1)]
    rng.shuffle(opts)
    rationale = (
        f"{_cap(d.en)} (ICD-10 {d.icd}) classically presents with {s[0]} "
        f"and {s[1]}; {d.test_en} showing {d.finding_en} supports the diagnosis. "
        f"First-line treatment is {d.treatment_en}."
    )
    return stem, "ABCDE"[opts.index(ans)], opts, rationale


def gen_exam_en(seed: int = DEFAULT_SEED) -> Iterator[SynthRecord]:
    """USMLE-style English MCQs (Parquet) with three broken rows."""
    rng = source_rng(seed, "exam_en")
    picks = rng.sample(range(N_EXAM_EN), 3)
    seen: set[str] = set()
    for i in range(N_EXAM_EN):
        while True:
            stem, answer, opts, rationale = _en_question(rng)
            key = re.sub(r"\W+", "", stem.lower())
            if key not in seen:
                seen.add(key)
                break
        broken = None
        if i in picks[:2]:
            answer, broken = "F", "answer_not_in_options"
        elif i == picks[2]:
            stem, broken = "", "missing_question"
        fields: dict[str, str | None] = {"id": f"EN-Q{i + 1:05d}", "stem": stem}
        for k, letter in enumerate("ABCDE"):
            fields[letter] = opts[k] if k < len(opts) else None
        fields["answer"] = answer
        fields["rationale"] = rationale
        yield SynthRecord(fields=fields, spans={}, broken=broken)


GENERATORS: dict[str, Callable[[int], Iterator[SynthRecord]]] = {
    "exam_zh": gen_exam_zh,
    "records_zh": gen_records_zh,
    "dialogues_zh": gen_dialogues_zh,
    "notes_en": gen_notes_en,
    "exam_en": gen_exam_en,
}
