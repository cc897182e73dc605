"""ID: resident IDs, SSNs, record / insurance / account numbers, cards, IBANs, plates."""

from __future__ import annotations

import re

from curation.deid.edges import START, TRIGGER_EDGE
from curation.deid.registry import BOTH, EN, ZH, LabeledValueRecognizer, PatternRecognizer
from curation.deid.validators import cn_resident_id_ok, iban_ok, luhn_ok, tw_national_id_ok

ZH_ID_LABELS = (
    "住院号|门诊号|病案号|病历号|就诊号|就诊卡号|登记号|ID号|卡号|医保卡号|社保卡号|医保号|"
    "医疗保险号|保险号|档案号|检查号|影像号|标本号|流水号|病理号|放射号|CT号|MRI号|会员号|"
    "账号|帐号|银行卡号|护照号|护照号码|军官证号|驾驶证号|证件号|证件号码|身份证号码|身份证号|"
    "身份证|床位号|编号|条码号|体检号|采样号|申请单号|患者ID|病人ID|患者编号|病人编号|"
    # Taiwan (after Traditional → Simplified normalization): 健保卡號, 病歷號碼, 身分證字號
    "健保卡号|健保号|健保卡|病历号码|病历编号|身分证字号|身分证号|身分证|居留证号|统一证号"
)
EN_ID_LABELS = (
    r"MRN|M\.R\.N\.|MR\s*(?:#|No\.?|Number)|Medical\s+Record\s+(?:Number|No\.?|#)|Med\s+Rec(?:ord)?\s*(?:#|No\.?)|"
    r"Record\s+(?:#|No\.?|Number)|Unit\s+(?:#|No\.?|Number)|Patient\s+ID|Pt\s+ID|Patient\s+#|"
    r"Account\s*(?:#|No\.?|Number)?|Acct\.?\s*(?:#|No\.?|Number)?|Member\s*(?:ID|#|No\.?|Number)|"
    r"Subscriber\s*(?:ID|#|No\.?)|Policy\s*(?:#|No\.?|Number|ID)|Insurance\s*(?:ID|#|No\.?|Number)|"
    r"Health\s*Plan\s*(?:ID|#|No\.?|Number)|Beneficiary\s*(?:ID|#|No\.?|Number)|"
    r"Medicare\s*(?:ID|#|No\.?|Number)?|Medicaid\s*(?:ID|#|No\.?|Number)?|Claim\s*(?:#|No\.?|Number)|"
    r"License\s*(?:#|No\.?|Number)|Licence\s*(?:#|No\.?|Number)|DL\s*(?:#|No\.?)|"
    r"Driver'?s\s+License(?:\s*(?:#|No\.?|Number))?|Passport\s*(?:#|No\.?|Number)?|"
    r"DEA\s*(?:#|No\.?)?|NPI|Certificate\s*(?:#|No\.?|Number)|Serial\s*(?:#|No\.?|Number)|"
    r"Device\s*(?:ID|#)|Accession\s*(?:#|No\.?|Number)?|Encounter\s*(?:#|No\.?|ID)|"
    r"Visit\s*(?:#|No\.?|ID)|Case\s*(?:#|No\.?)|Ref(?:erence)?\s*(?:#|No\.?)|ID\s*(?:#|No\.?)?|"
    r"Vehicle\s*(?:#|Plate|Tag)|Plate\s*(?:#|No\.?)|VIN|SSN|Social\s+Security(?:\s+(?:Number|No\.?|#))?|"
    r"Ins\.?(?:\s+plan)?|Insurance(?:\s+plan)?|Plan|Ref\.?\s*code|(?<!zip\s)(?<!postal\s)Code|Medical\s+record|Chart\s*(?:#|No\.?)?|"
    r"PT\s+ID|Member|Group\s*(?:#|No\.?)|HBN|HMO\s*(?:ID|#)?|SS\s*#|Site\s*ID|Employee\s*(?:ID|#)|"
    r"NHS\s*(?:Number|No\.?|#)?|CHI\s*(?:Number|No\.?)?|OHIP|Health\s*Card\s*(?:Number|No\.?|#)?|"
    r"Hospital\s*(?:Number|No\.?|#)|Hosp\s*(?:No\.?|#)|FIN|CSN|EMPI|MPI|HAR|"
    r"Specimen\s*(?:#|No\.?|ID)?|S/?N|Serial|License\s+plate|Licence\s+plate"
)
_NOT_POSTCODE = r"(?<!zip\s)(?<!postal\s)"  # look-behinds: not in the polars trigger
EN_LABEL_WORDS = frozenset(
    w.lower() for w in re.findall(r"[A-Za-z]{2,}", EN_ID_LABELS.replace(r"\s", " "))
) | {"number", "no", "#", "is", "was", "sn", "s/n"}
PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"

RECOGNIZERS = [
    PatternRecognizer(  # 'plate 7XK-229': a plate number mixes capitals and digits
        "en_plate_v1", "ID", EN,
        r"(?=[LlPp])(?i:(?<![A-Za-z0-9_])(?:licen[cs]e\s+)?plates?(?:\s+(?:number|no\.?|#))?\s*(?:is|was|:|#)?\s+)"
        r"(?P<v>(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9]{1,4}[- ]?[A-Z0-9]{2,5})(?![A-Za-z0-9_-])",
        0.8,
        group="v",
        validator=lambda v: len(v.replace("-", "").replace(" ", "")) >= 5,  # not 'plate 12H'
        trigger=r"(?i)plate",
    ),
    PatternRecognizer(
        "zh_resident_id_v1", "ID", BOTH,
        r"(?=[1-9])(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])",
        0.99,
        validator=cn_resident_id_ok,
        trigger='\\d{17}',
    ),
    PatternRecognizer(  # a mistyped ID next to its label is still an ID: fail closed
        "zh_resident_id_labeled_v1", "ID", BOTH,
        r"(?:身份证(?:号码|号)?|公民身份号码|ID\s*card)\s*[:：]?\s*(?P<v>\d{15}(?:\d{2}[\dXx])?)(?![0-9A-Za-z])",
        0.95,
        group="v",
        trigger='(?i)身份证|公民身份|id\\s*card',
    ),
    PatternRecognizer(  # Taiwan national ID (or 2021 resident certificate): A123456789
        "tw_national_id_v1", "ID", BOTH,
        r"(?=[A-Z])(?<![0-9A-Za-z])[A-Z][1289]\d{8}(?![0-9A-Za-z])",
        0.99,
        validator=tw_national_id_ok,
        trigger='[A-Z][1289]\\d{8}',
    ),
    PatternRecognizer(  # a mistyped Taiwan ID next to its label is still an ID: fail closed
        "tw_national_id_labeled_v1", "ID", ZH,
        r"(?:身[分份]证(?:字号|号码|号)?|居留证(?:号码|号)?)\s*[:：]?\s*(?P<v>[A-Za-z][A-Da-d0-9]\d{8})(?![0-9A-Za-z])",
        0.95,
        group="v",
        trigger='身[分份]证|居留证',
    ),
    PatternRecognizer(
        "zh_labeled_number_v1", "ID", ZH,
        rf"(?:{ZH_ID_LABELS})\s*(?:为|是)?\s*[:：#]?\s*(?P<v>[A-Za-z0-9][A-Za-z0-9\-_/]{{2,31}})(?![A-Za-z0-9])",
        0.95,
        group="v",
        trigger='号|证|ID|健保卡',
    ),
    LabeledValueRecognizer(
        "en_labeled_number_v1", "ID", BOTH,
        # digit groups may be spaced after their label (NHS 943 476 5919, Medicare 2123 45670 1)
        value=r"(?<![A-Za-z0-9#-])(?:#\s?)?(?:\d{2,5}(?: \d{1,7}){1,3}(?![A-Za-z0-9_-])|(?=[A-Za-z0-9-]*\d)[A-Za-z0-9][A-Za-z0-9\-]{2,24}(?![A-Za-z0-9-]))",
        label=rf"{START}(?:{EN_ID_LABELS})\s*#?\s*(?:is|was|number|no\.?)?\s*[:=]?\s*",
        label_words=EN_LABEL_WORDS,
        score=0.95,
        # the label right before a value with a digit (polars runs it over the whole batch)
        trigger=rf"(?i){TRIGGER_EDGE}(?:{EN_ID_LABELS.replace(_NOT_POSTCODE, '')})\s*#?\s*(?:is|was|number|no\.?)?\s*[:=]?\s*(?:#\s?)?[A-Za-z0-9-]*\d",
    ),
    PatternRecognizer(
        "us_ssn_v1", "ID", BOTH,
        r"(?=\d)(?<![\d-])(?!000|666|9\d\d)\d{3}[- ](?!00)\d{2}[- ](?!0000)\d{4}(?![\d-])",
        0.9,
        context=("ssn", "social security", "ss#", "soc sec"),
        trigger='\\d{3}[- ]\\d{2}[- ]\\d{4}',
    ),
    PatternRecognizer(
        "payment_card_v1", "ID", BOTH,
        r"(?=\d)(?<![\d-])\d{4}(?:[ -]?\d{4}){2}[ -]?\d{1,7}(?![\d-])",
        0.9,
        validator=luhn_ok,
        trigger='\\d{4}[ -]?\\d{4}[ -]?\\d{4}',
    ),
    PatternRecognizer(
        "iban_v1", "ID", BOTH,
        r"(?=[A-Z])(?<![A-Za-z0-9_])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![A-Za-z0-9_])",
        0.95,
        validator=iban_ok,
        trigger='[A-Z]{2}\\d{2}',
    ),
    PatternRecognizer(
        "zh_plate_v1", "ID", BOTH,
        rf"[{PLATE_PROVINCES}][A-HJ-NP-Z][·•．.\s-]?[A-HJ-NP-Z0-9]{{4,5}}[A-HJ-NP-Z0-9挂学警港澳]?(?![A-Za-z0-9])",
        0.9,
        trigger='[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领][A-Z]',
    ),
    PatternRecognizer(  # long digit runs in clinical text are identifiers of some kind
        "long_number_v1", "ID", BOTH,
        r"(?=\d)(?<![\d.,:/\-])\d{7,}(?![\d.,]\d)",
        0.7,
        trigger='\\d{7}',
    ),
    PatternRecognizer(  # hash-prefixed codes: #CS123456, #SF-998877
        "hash_code_v1", "ID", BOTH,
        r"(?=#)(?<![A-Za-z0-9_#])#\s?(?=[A-Za-z0-9-]*\d)[A-Za-z0-9][A-Za-z0-9-]{3,24}(?![A-Za-z0-9_-])",
        0.75,
        trigger='#\\s?[A-Za-z0-9-]*\\d',
    ),
    PatternRecognizer(  # letter-dash-number codes: EM-2554, 12345-JH
        "dashed_code_v1", "ID", BOTH,
        r"(?=[A-Z\d])(?<![A-Za-z0-9_-])(?:[A-Z]{1,4}-\d{3,}(?:-\d+)*|\d{3,}-[A-Z]{1,4})(?![A-Za-z0-9_-])",
        0.6,
        trigger='[A-Z]-\\d{3}|\\d{3}-[A-Z]',
    ),
    PatternRecognizer(  # codes like ZY20230315001, MZ2023-004521, A1234567
        "alnum_code_v1", "ID", BOTH,
        r"(?=[A-Za-z])(?<![A-Za-z0-9])[A-Za-z]{1,4}[-_]?\d{5,}(?:[-_]\d+)*(?![A-Za-z0-9])",
        0.7,
        trigger='[A-Za-z][-_]?\\d{5}',
    ),
]  # fmt: skip
