"""Known non-PHI look-alikes: regions that no PHI candidate may fall inside.

Medical eponyms (帕金森病, Parkinson's disease), lab values (12.3×10^9/L), doses (100mg),
blood pressure (135/85 mmHg), ICD codes (I21.4), exam question numbers and the headings of a
note's sections (Review of Systems, Hospital Course).
"""

from __future__ import annotations

import re

from curation.deid.registry import BOTH, EN, SAFE, ZH, PatternRecognizer, alternation, lexicon

_UNITS = (
    r"(?:mmol/L|μmol/L|umol/L|mg/dL|mg/dl|g/dL|g/dl|g/L|mg/L|ng/mL|ng/ml|pg/mL|pg/ml|mIU/L|"
    r"mEq/L|meq/L|U/L|IU/L|IU|mmHg|mm\s?Hg|cmH2O|mg/kg|μg|ug|mcg|mg|kg|ml|mL|L|cm|mm|"
    r"bpm|kcal|units?|mol|%|℃|°C|°F|次/分|次/min|毫升|毫克|克|千克|公斤|厘米|毫米|片|粒|支|袋)"
)
EPONYM_NOUNS = (
    "disease|syndrome|sign|signs|palsy|phenomenon|test|reflex|maneuver|manoeuvre|ulcer|triad|law|"
    "node|nodes|fracture|operation|procedure|classification|criteria|score|scale|lymphoma|"
    "sarcoma|tumou?r|thyroiditis|cyst|hernia|space|duct|gland|body|bodies|cells?|loop|point|"
    "position|incision|block|solution|stain|formula|equation|method|encephalopathy|"
    "ophthalmopathy|contracture|deformity|dystrophy|anomaly|neuralgia|neuroma|aneurysm|murmur|"
    "catheter|tube|repair|approach|technique|protocol|regimen|rule|index|classification|stage|"
    "staging|scale|esophagus|oesophagus|diverticulum|membrane|artery|vein|lines?|pouch|nerve|"
    "clamps?|retractors?|scissors|forceps|drains?|catheters?|stitch|sutures?|needles?|stand|"
    "elevators?|dissectors?|rongeurs?|curettes?|blades?|tubes?|stockings?|traction|splint|"
    "dressings?|knots?|incisions?|maneuvers?|position|sign|hooks?|rasps?|osteotomes?|trocars?|"
    "shunts?|wires?|pins?|gene|chorea|plates?|screws?|nails?|valves?|stents?|anastomosis"
)
EPONYM_MIDDLE = (
    "(?i:risk|coma|pain|depression|anxiety|rating|severity|outcome|stroke|bleeding|activity|"
    "mental|state|global|functional|heart|liver|kidney|renal|cardiac|modified|revised|"
    "criteria|prognostic|clinical|physical|questionnaire|performance)"
)
ZH_EPONYMS = (
    "帕金森病", "帕金森综合征", "帕金森", "桥本甲状腺炎", "桥本病", "克罗恩病", "川崎病",
    "阿尔茨海默病", "格林-巴利综合征", "格林巴利综合征", "吉兰-巴雷综合征", "吉兰巴雷综合征",
    "唐氏综合征", "马凡综合征", "白塞病", "库欣综合征", "艾迪生病", "霍奇金淋巴瘤",
    "非霍奇金淋巴瘤", "梅尼埃病", "贝尔麻痹", "亨廷顿病", "威尔逊病", "伯基特淋巴瘤",
    "尤文肉瘤", "雷诺综合征", "雷诺现象", "巴雷特食管", "格雷夫斯病", "特纳综合征",
    "长春新碱", "长春瑞滨", "长春地辛", "长春花碱", "高血压", "高血脂", "高血糖", "白细胞",
    "白蛋白", "黄疸", "马尿酸", "华法林", "肖像", "海绵状", "史蒂文斯-约翰逊综合征",
)  # fmt: skip


def _with_curly_quotes(terms: frozenset[str]) -> set[str]:
    return set(terms) | {t.replace("'", "’") for t in terms}


RECOGNIZERS = [
    PatternRecognizer(
        "safe_en_eponym_v1", SAFE, EN,
        rf"(?=[A-Z])\b[A-Z][a-zA-Z]+(?:[-–][A-Z][a-zA-Z]+)*(?:'s|s'|'|’s|’)?\s+(?:{EPONYM_MIDDLE}\s+){{0,2}}(?i:{EPONYM_NOUNS})\b",
        1.0,
    ),
    PatternRecognizer("safe_en_eponym_terms_v1", SAFE, EN, alternation(_with_curly_quotes(lexicon("en_eponym_terms"))), 1.0),
    PatternRecognizer("safe_zh_eponym_v1", SAFE, ZH, alternation(ZH_EPONYMS), 1.0),
    PatternRecognizer(  # 'Review of Systems', 'HOSPITAL COURSE': a note's section heading
        "safe_en_section_heading_v1", SAFE, EN,
        rf"\b(?i:{alternation(lexicon('en_section_headings'))})\b", 1.0,
    ),
    PatternRecognizer(
        "safe_lab_value_v1", SAFE, BOTH,
        # a number starts after no digit: each digit run is tried once, not from every digit
        r"(?=\d)(?<![\d.])\d+(?:\.\d+)?\s*(?:×|x|X|\*)\s*10\s*\^?\s*[-−]?\d+\s*/\s*(?:L|l|μL|uL|mL|ml)",
        1.0,
        trigger='[×xX*]\\s*10',
    ),
    PatternRecognizer(
        "safe_measurement_v1", SAFE, BOTH,
        rf"(?=\d)(?<![\w.])\d+(?:[.,]\d+)?(?:\s*[-~～/]\s*\d+(?:[.,]\d+)?)?\s*{_UNITS}(?![A-Za-z])",
        1.0,
    ),
    PatternRecognizer(
        "safe_blood_pressure_v1", SAFE, BOTH,
        r"(?:(?:BP|B/P|blood pressure|血压)\s*[:：]?\s*)\d{2,3}\s*/\s*\d{2,3}(?:\s*mm\s?Hg)?",
        1.0,
        flags=re.IGNORECASE,
        trigger='(?i)bp|b/p|blood pressure|血压',
    ),
    PatternRecognizer(  # #10-blade, #18-gauge, 6-French, #0-Vicryl, 3-0 silk: instrument sizes
        "safe_instrument_size_v1", SAFE, EN,
        r"(?i)#?\s?\d{1,2}(?:-0)?[- ](?:(?:french|fr)\b(?:\s+[A-Z]{1,4}-?\d(?:\.\d)?\b)?|(?:blade|gauge|ga|vicryl|silk|prolene|chromic|nylon|monocryl|pds|ethibond|dexon|maxon|mersilene|catgut|wire|fogarty|foley|tube|ett|mac|miller)\b)",
        1.0,
        trigger=r"(?i)\d[- ](?:blade|gauge|ga|french|fr|vicryl|silk|prolene|chromic|nylon|monocryl|pds|ethibond|dexon|maxon|mersilene|catgut|wire|fogarty|foley|tube|ett|mac|miller)\b",
    ),
    PatternRecognizer(  # radioisotopes: I-131, Tc-99m, F-18
        "safe_isotope_v1", SAFE, BOTH,
        r"\b(?:I|Tc|Ga|F|In|Tl|Y|Sr|Sm|Ra|Lu|Co|Cs|Ir|Xe|Rb)-\d{2,3}m?\b",
        1.0,
        trigger=r"\b(?:I|Tc|Ga|F|In|Tl|Y|Sr|Sm|Ra|Lu|Co|Cs|Ir|Xe|Rb)-\d{2,3}",
    ),
    PatternRecognizer("safe_icd_code_v1", SAFE, BOTH, r"(?=[A-TV-Z])(?<![A-Za-z0-9])[A-TV-Z]\d{2}(?:\.\d{1,4})?(?![\d])", 1.0, trigger=r"[A-TV-Z]\d{2}"),
    PatternRecognizer(
        "safe_question_number_v1", SAFE, BOTH,
        r"^\s*(?:第\s*\d{1,4}\s*题|\d{1,4}\s*[.．、)）](?!\d))",
        1.0,
        flags=re.MULTILINE,
        trigger='(?m)^\\s*(?:第|\\d)',
    ),
]  # fmt: skip
