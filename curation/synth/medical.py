"""Compact bilingual medical vocabulary for the synthetic sample sources.

Nothing in this module is PHI.  It deliberately contains medical eponyms (帕金森病,
Parkinson's disease, Murphy's sign, ...), lab values, blood pressures, doses and ICD-10
codes, which a de-identifier must leave alone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Disease:
    """One disease with bilingual symptoms, key test, first-line treatment and ICD-10 code."""

    zh: str
    en: str
    icd: str
    symptoms_zh: tuple[str, ...]
    symptoms_en: tuple[str, ...]
    test_zh: str
    finding_zh: str
    test_en: str
    finding_en: str
    drug_zh: str
    dose_zh: str
    drug_en: str
    dose_en: str
    specialty: str

    @property
    def treatment_zh(self) -> str:
        """Treatment with dose, e.g. ``阿莫西林 0.5 g tid``."""
        return f"{self.drug_zh} {self.dose_zh}".strip()

    @property
    def procedure(self) -> bool:
        """True when the first-line treatment is a procedure rather than a drug."""
        keys = ("术", "复位", "减压", "取石", "放化疗", "支持治疗", "手法")
        return any(k in self.drug_zh for k in keys)

    @property
    def treatment_en(self) -> str:
        """Treatment with dose, e.g. ``amoxicillin 1 g three times daily``."""
        return f"{self.drug_en} {self.dose_en}".strip()


@dataclass(frozen=True)
class Specialty:
    """A clinical specialty (Chinese department name, English name) and its diseases."""

    key: str
    zh: str
    en: str
    diseases: tuple[Disease, ...]


# Compact rows: zh, en, icd, symptoms zh, symptoms en, "test|finding" zh, "test|finding" en,
# "drug|dose" zh, "drug|dose" en.
# fmt: off
_RAW: dict[str, tuple[str, str, list[tuple[str, ...]]]] = {
    "pulmonology": ("呼吸内科", "Pulmonology", [
        ("社区获得性肺炎", "community-acquired pneumonia", "J18.9",
         "发热;咳嗽;咳黄脓痰;胸痛", "fever;productive cough;purulent sputum;pleuritic chest pain",
         "胸部CT|右下肺大片实变影", "chest X-ray|right lower lobe consolidation",
         "阿莫西林|0.5 g tid", "amoxicillin|1 g three times daily"),
        ("支气管哮喘", "asthma", "J45.9",
         "反复发作性喘息;呼气性呼吸困难;夜间咳嗽;胸闷",
         "episodic wheezing;expiratory dyspnea;nocturnal cough;chest tightness",
         "支气管舒张试验|FEV1改善15%", "spirometry with bronchodilator|FEV1 improvement of 15%",
         "布地奈德福莫特罗|160/4.5 μg 2吸 bid",
         "budesonide-formoterol|160/4.5 mcg 2 puffs twice daily"),
        ("慢性阻塞性肺疾病急性加重", "COPD with acute exacerbation", "J44.1",
         "咳嗽;咳痰加重;活动后气短;喘息",
         "chronic cough;increased sputum;exertional dyspnea;wheezing",
         "肺功能|FEV1/FVC 0.58", "spirometry|FEV1/FVC ratio of 0.58",
         "噻托溴铵|18 μg qd", "tiotropium|18 mcg inhaled daily"),
        ("肺血栓栓塞症", "pulmonary embolism", "I26.9",
         "突发呼吸困难;胸痛;咯血;晕厥", "sudden dyspnea;pleuritic chest pain;hemoptysis;syncope",
         "CT肺动脉造影|右下肺动脉充盈缺损",
         "CT pulmonary angiography|filling defect in the right lower lobe pulmonary artery",
         "低分子肝素|4000 IU 皮下注射 q12h", "enoxaparin|1 mg/kg subcutaneously every 12 hours"),
        ("肺结核", "pulmonary tuberculosis", "A15.0",
         "低热;盗汗;慢性咳嗽;消瘦",
         "low-grade fever;night sweats;chronic productive cough;weight loss",
         "痰抗酸杆菌涂片|阳性", "sputum acid-fast bacilli smear|positive",
         "异烟肼|0.3 g qd", "isoniazid|300 mg daily"),
    ]),
    "gastroenterology": ("消化内科", "Gastroenterology", [
        ("克罗恩病", "Crohn's disease", "K50.9",
         "腹痛;慢性腹泻;体重下降;肛周脓肿",
         "crampy abdominal pain;chronic diarrhea;weight loss;perianal abscess",
         "结肠镜|节段性病变及铺路石样改变", "colonoscopy|skip lesions with cobblestone mucosa",
         "英夫利西单抗|5 mg/kg 静滴", "infliximab|5 mg/kg IV"),
        ("十二指肠溃疡", "duodenal ulcer", "K26.9",
         "上腹痛;反酸;夜间痛;黑便", "epigastric pain;acid reflux;nocturnal pain;melena",
         "胃镜|十二指肠球部溃疡", "upper endoscopy|duodenal bulb ulcer",
         "奥美拉唑|20 mg bid", "omeprazole|20 mg twice daily"),
        ("溃疡性结肠炎", "ulcerative colitis", "K51.9",
         "黏液脓血便;左下腹痛;里急后重;便次增多",
         "bloody diarrhea with mucus;left lower quadrant pain;tenesmus;urgency",
         "结肠镜|自直肠起连续性黏膜充血糜烂",
         "colonoscopy|continuous mucosal erythema and erosions starting from the rectum",
         "美沙拉嗪|1 g qid", "mesalamine|1 g four times daily"),
        ("肝硬化失代偿期", "decompensated liver cirrhosis", "K74.6",
         "腹胀;乏力;黄疸;下肢水肿", "abdominal distension;fatigue;jaundice;leg edema",
         "腹部超声|肝脏缩小、大量腹水", "abdominal ultrasound|shrunken nodular liver with ascites",
         "螺内酯|100 mg qd", "spironolactone|100 mg daily"),
        ("急性胰腺炎", "acute pancreatitis", "K85.9",
         "持续性上腹痛;腰背部放射痛;恶心;呕吐",
         "severe epigastric pain;pain radiating to the back;nausea;vomiting",
         "血清脂肪酶|升高至正常上限3倍以上",
         "serum lipase|more than three times the upper limit of normal",
         "乌司他丁|10万U 静滴 bid", "lactated Ringer's solution|250 mL/h IV"),
    ]),
    "cardiology": ("心血管内科", "Cardiology", [
        ("急性下壁心肌梗死", "acute inferior ST-elevation myocardial infarction", "I21.1",
         "胸痛;大汗;恶心;胸闷", "crushing chest pain;diaphoresis;nausea;chest tightness",
         "心电图|II、III、aVF导联ST段抬高", "ECG|ST elevation in leads II, III, and aVF",
         "阿司匹林|300 mg 嚼服", "aspirin|325 mg chewed"),
        ("急性非ST段抬高型心肌梗死", "non-ST-elevation myocardial infarction", "I21.4",
         "静息胸痛;心悸;出汗;气促", "chest pain at rest;palpitations;sweating;shortness of breath",
         "心肌肌钙蛋白I|0.85 ng/mL", "troponin I|0.85 ng/mL",
         "替格瑞洛|90 mg bid", "ticagrelor|90 mg twice daily"),
        ("心房颤动", "atrial fibrillation", "I48.9",
         "心悸;乏力;头晕;活动耐量下降",
         "palpitations;fatigue;lightheadedness;reduced exercise tolerance",
         "心电图|P波消失，RR间期绝对不齐", "ECG|irregularly irregular rhythm without P waves",
         "利伐沙班|20 mg qd", "rivaroxaban|20 mg daily"),
        ("慢性心力衰竭", "chronic heart failure", "I50.9",
         "活动后气短;夜间阵发性呼吸困难;双下肢水肿;端坐呼吸",
         "exertional dyspnea;paroxysmal nocturnal dyspnea;bilateral leg edema;orthopnea",
         "心脏超声|LVEF 32%", "echocardiography|LVEF of 32%",
         "沙库巴曲缬沙坦|50 mg bid", "sacubitril-valsartan|49/51 mg twice daily"),
        ("原发性高血压", "essential hypertension", "I10",
         "头痛;头晕;颈部僵硬;视物模糊", "headache;dizziness;neck stiffness;blurred vision",
         "动态血压监测|平均血压150/95 mmHg",
         "ambulatory blood pressure monitoring|mean 150/95 mmHg",
         "氨氯地平|5 mg qd", "amlodipine|5 mg daily"),
    ]),
    "neurology": ("神经内科", "Neurology", [
        ("帕金森病", "Parkinson's disease", "G20",
         "静止性震颤;动作迟缓;肌强直;慌张步态",
         "resting tremor;bradykinesia;cogwheel rigidity;shuffling gait",
         "多巴胺转运体PET|纹状体摄取减低", "DaT scan|reduced striatal uptake",
         "多巴丝肼|125 mg tid", "carbidopa-levodopa|25/100 mg three times daily"),
        ("阿尔茨海默病", "Alzheimer's disease", "G30.9",
         "近记忆力减退;定向力障碍;性格改变;找词困难",
         "short-term memory loss;disorientation;personality change;word-finding difficulty",
         "头颅MRI|双侧海马萎缩", "brain MRI|bilateral hippocampal atrophy",
         "多奈哌齐|5 mg qn", "donepezil|5 mg at bedtime"),
        ("格林-巴利综合征", "Guillain-Barré syndrome", "G61.0",
         "四肢对称性无力;腱反射消失;肢体麻木;呼吸困难",
         "ascending symmetric weakness;areflexia;distal paresthesia;respiratory difficulty",
         "脑脊液检查|蛋白-细胞分离", "lumbar puncture|albuminocytologic dissociation",
         "静脉注射免疫球蛋白|0.4 g/kg/d×5d",
         "intravenous immunoglobulin|0.4 g/kg daily for 5 days"),
        ("急性脑梗死", "acute ischemic stroke", "I63.9",
         "一侧肢体无力;言语不清;口角歪斜;饮水呛咳",
         "unilateral weakness;slurred speech;facial droop;dysphagia",
         "头颅MRI|DWI左侧基底节区高信号",
         "brain MRI|restricted diffusion in the left basal ganglia",
         "阿替普酶|0.9 mg/kg 静脉溶栓", "alteplase|0.9 mg/kg IV"),
        ("癫痫", "epilepsy", "G40.9",
         "发作性意识丧失;四肢抽搐;口吐白沫;舌咬伤",
         "episodic loss of consciousness;generalized tonic-clonic movements;frothing at the mouth;"
         "tongue biting",
         "脑电图|痫样放电", "EEG|epileptiform discharges",
         "左乙拉西坦|500 mg bid", "levetiracetam|500 mg twice daily"),
        ("贝尔麻痹", "Bell's palsy", "G51.0",
         "一侧面部表情肌瘫痪;额纹消失;闭眼不全;耳后疼痛",
         "unilateral facial weakness;inability to wrinkle the forehead;incomplete eye closure;"
         "postauricular pain",
         "面神经电图|患侧面神经传导减慢", "electroneurography|reduced facial nerve conduction",
         "泼尼松|60 mg qd", "prednisone|60 mg daily"),
    ]),
    "endocrinology": ("内分泌科", "Endocrinology", [
        ("2型糖尿病", "type 2 diabetes mellitus", "E11.9",
         "多饮;多尿;多食;体重下降", "polydipsia;polyuria;polyphagia;unintentional weight loss",
         "糖化血红蛋白|HbA1c 8.6%", "hemoglobin A1c|8.6%",
         "二甲双胍|0.5 g tid", "metformin|500 mg twice daily"),
        ("桥本甲状腺炎", "Hashimoto's thyroiditis", "E06.3",
         "乏力;怕冷;体重增加;颈部增粗", "fatigue;cold intolerance;weight gain;painless goiter",
         "甲状腺过氧化物酶抗体|TPOAb显著升高",
         "anti-thyroid peroxidase antibodies|markedly elevated",
         "左甲状腺素钠|50 μg qd", "levothyroxine|50 mcg daily"),
        ("Graves病", "Graves' disease", "E05.0",
         "心悸;怕热多汗;突眼;手抖", "palpitations;heat intolerance;exophthalmos;fine tremor",
         "促甲状腺激素受体抗体|TRAb阳性", "TSH receptor antibodies|positive",
         "甲巯咪唑|10 mg tid", "methimazole|10 mg three times daily"),
        ("糖尿病酮症酸中毒", "diabetic ketoacidosis", "E10.1",
         "恶心呕吐;腹痛;深大呼吸;意识模糊",
         "nausea and vomiting;diffuse abdominal pain;Kussmaul respirations;confusion",
         "血气分析|pH 7.12，血酮体阳性", "arterial blood gas|pH 7.12 with positive serum ketones",
         "胰岛素|0.1 U/kg/h 静脉泵入", "regular insulin|0.1 U/kg/h IV infusion"),
        ("库欣综合征", "Cushing's syndrome", "E24.9",
         "向心性肥胖;满月脸;皮肤紫纹;高血压",
         "central obesity;moon facies;purple striae;hypertension",
         "小剂量地塞米松抑制试验|皮质醇不被抑制",
         "low-dose dexamethasone suppression test|failure to suppress cortisol",
         "美替拉酮|250 mg qid", "metyrapone|250 mg four times daily"),
    ]),
    "nephrology": ("肾内科", "Nephrology", [
        ("IgA肾病", "IgA nephropathy", "N02.8",
         "肉眼血尿;泡沫尿;腰酸;眼睑水肿",
         "gross hematuria;foamy urine;flank discomfort;eyelid edema",
         "肾活检|系膜区IgA沉积", "kidney biopsy|mesangial IgA deposits",
         "缬沙坦|80 mg qd", "valsartan|80 mg daily"),
        ("肾病综合征", "nephrotic syndrome", "N04.9",
         "眼睑水肿;双下肢凹陷性水肿;大量泡沫尿;乏力",
         "periorbital edema;pitting leg edema;frothy urine;fatigue",
         "24小时尿蛋白定量|4.8 g", "24-hour urine protein|4.8 g",
         "泼尼松|1 mg/kg qd", "prednisone|1 mg/kg daily"),
        ("慢性肾脏病5期", "chronic kidney disease stage 5", "N18.5",
         "乏力;食欲减退;恶心;少尿", "fatigue;anorexia;nausea;oliguria",
         "血肌酐|856 μmol/L", "serum creatinine|9.7 mg/dL",
         "重组人促红细胞生成素|3000 IU 皮下注射 每周3次",
         "epoetin alfa|50 units/kg three times weekly"),
        ("急性肾损伤", "acute kidney injury", "N17.9",
         "尿量减少;全身水肿;纳差;嗜睡",
         "decreased urine output;generalized edema;poor appetite;lethargy",
         "血肌酐|48小时内升高至265 μmol/L", "serum creatinine|rise to 3.0 mg/dL within 48 hours",
         "呋塞米|20 mg iv", "furosemide|40 mg IV"),
        ("急性肾盂肾炎", "acute pyelonephritis", "N10",
         "发热;腰痛;尿频尿急;寒战", "fever;flank pain;dysuria;chills",
         "尿培养|大肠埃希菌>10^5 CFU/mL", "urine culture|E. coli >10^5 CFU/mL",
         "头孢曲松|2 g qd 静滴", "ceftriaxone|1 g IV daily"),
    ]),
    "hematology": ("血液科", "Hematology", [
        ("缺铁性贫血", "iron deficiency anemia", "D50.9",
         "乏力;面色苍白;活动后心悸;异食癖", "fatigue;pallor;exertional palpitations;pica",
         "血清铁蛋白|8 μg/L", "serum ferritin|8 ng/mL",
         "琥珀酸亚铁|0.1 g tid", "ferrous sulfate|325 mg daily"),
        ("急性髓系白血病", "acute myeloid leukemia", "C92.0",
         "发热;牙龈出血;乏力;皮肤瘀斑", "fever;gum bleeding;fatigue;easy bruising",
         "骨髓穿刺|原始细胞占45%", "bone marrow aspiration|45% myeloblasts",
         "阿糖胞苷|100 mg/m² 持续静滴", "cytarabine|100 mg/m2 continuous infusion"),
        ("免疫性血小板减少症", "immune thrombocytopenia", "D69.3",
         "皮肤瘀点;鼻出血;月经增多;口腔血疱",
         "petechiae;epistaxis;menorrhagia;oral blood blisters",
         "血常规|血小板18×10^9/L", "complete blood count|platelets 18 x10^9/L",
         "地塞米松|40 mg qd×4d", "dexamethasone|40 mg daily for 4 days"),
        ("霍奇金淋巴瘤", "Hodgkin lymphoma", "C81.9",
         "无痛性颈部淋巴结肿大;发热;盗汗;体重下降",
         "painless cervical lymphadenopathy;recurrent fevers;drenching night sweats;weight loss",
         "淋巴结活检|见R-S细胞", "excisional lymph node biopsy|Reed-Sternberg cells",
         "ABVD方案|每2周1次", "ABVD chemotherapy|every 2 weeks"),
        ("多发性骨髓瘤", "multiple myeloma", "C90.0",
         "骨痛;贫血;反复感染;高钙血症", "bone pain;anemia;recurrent infections;hypercalcemia",
         "血清蛋白电泳|M蛋白", "serum protein electrophoresis|monoclonal M spike",
         "硼替佐米|1.3 mg/m² 皮下注射", "bortezomib|1.3 mg/m2 subcutaneously"),
    ]),
    "infectious_disease": ("感染科", "Infectious Disease", [
        ("慢性乙型病毒性肝炎", "chronic hepatitis B", "B18.1",
         "乏力;食欲减退;肝区不适;尿色加深",
         "fatigue;anorexia;right upper quadrant discomfort;dark urine",
         "HBV DNA|2.3×10^6 IU/mL", "HBV DNA|2.3 x10^6 IU/mL",
         "恩替卡韦|0.5 mg qd", "entecavir|0.5 mg daily"),
        ("流行性感冒", "influenza", "J11.1",
         "高热;肌肉酸痛;咽痛;全身乏力", "high fever;myalgia;sore throat;malaise",
         "流感病毒抗原检测|甲型阳性", "rapid influenza antigen test|positive for influenza A",
         "奥司他韦|75 mg bid", "oseltamivir|75 mg twice daily"),
        ("伤寒", "typhoid fever", "A01.0",
         "持续高热;相对缓脉;玫瑰疹;腹胀",
         "sustained fever;relative bradycardia;rose spots;abdominal distension",
         "血培养|伤寒沙门菌", "blood culture|Salmonella Typhi",
         "环丙沙星|0.5 g bid", "ciprofloxacin|500 mg twice daily"),
        ("艾滋病", "HIV disease", "B20",
         "长期低热;体重明显下降;口腔念珠菌感染;慢性腹泻",
         "prolonged fever;marked weight loss;oral thrush;chronic diarrhea",
         "HIV抗体确证试验|阳性，CD4 120/μL",
         "HIV-1/2 antibody differentiation assay|positive with CD4 count 120/uL",
         "比克恩丙诺片|1片 qd", "bictegravir-emtricitabine-tenofovir alafenamide|one tablet daily"),
        ("布鲁氏菌病", "brucellosis", "A23.9",
         "波状热;多汗;关节痛;睾丸肿痛", "undulant fever;profuse sweating;arthralgia;orchitis",
         "虎红平板凝集试验|阳性", "Rose Bengal test|positive",
         "多西环素|100 mg bid", "doxycycline|100 mg twice daily"),
    ]),
    "rheumatology": ("风湿免疫科", "Rheumatology", [
        ("系统性红斑狼疮", "systemic lupus erythematosus", "M32.9",
         "面部蝶形红斑;关节痛;口腔溃疡;光过敏",
         "malar rash;arthralgia;oral ulcers;photosensitivity",
         "抗双链DNA抗体|阳性", "anti-dsDNA antibodies|positive",
         "羟氯喹|0.2 g bid", "hydroxychloroquine|200 mg twice daily"),
        ("类风湿关节炎", "rheumatoid arthritis", "M06.9",
         "对称性小关节肿痛;晨僵超过1小时;关节畸形;低热",
         "symmetric small-joint swelling;morning stiffness over 1 hour;ulnar deviation;"
         "low-grade fever",
         "抗环瓜氨酸肽抗体|阳性", "anti-CCP antibodies|positive",
         "甲氨蝶呤|10 mg 每周1次", "methotrexate|15 mg once weekly"),
        ("强直性脊柱炎", "ankylosing spondylitis", "M45",
         "炎性腰背痛;夜间翻身困难;晨起腰背僵硬;足跟痛",
         "inflammatory low back pain;night pain;morning back stiffness;heel pain",
         "骶髂关节MRI|双侧骶髂关节炎", "sacroiliac joint MRI|bilateral sacroiliitis",
         "塞来昔布|200 mg qd", "celecoxib|200 mg daily"),
        ("痛风", "gout", "M10.9",
         "第一跖趾关节红肿热痛;夜间突发关节痛;关节活动受限;痛风石",
         "acute first metatarsophalangeal joint pain;sudden nocturnal joint pain;"
         "limited joint motion;tophi",
         "关节液偏振光显微镜|负性双折射针状尿酸盐结晶",
         "joint aspiration|negatively birefringent needle-shaped crystals",
         "秋水仙碱|0.5 mg tid", "colchicine|0.6 mg twice daily"),
        ("干燥综合征", "Sjögren's syndrome", "M35.0",
         "口干;眼干;腮腺肿大;猖獗龋",
         "dry mouth;dry eyes;parotid enlargement;rampant dental caries",
         "抗SSA抗体|阳性", "anti-SSA/Ro antibodies|positive",
         "毛果芸香碱|5 mg tid", "pilocarpine|5 mg three times daily"),
    ]),
    "general_surgery": ("普通外科", "General Surgery", [
        ("急性阑尾炎", "acute appendicitis", "K35.8",
         "转移性右下腹痛;恶心;低热;食欲减退",
         "periumbilical pain migrating to the right lower quadrant;nausea;low-grade fever;anorexia",
         "腹部CT|阑尾增粗伴周围渗出",
         "CT abdomen|dilated appendix with periappendiceal fat stranding",
         "腹腔镜阑尾切除术|急诊", "laparoscopic appendectomy|urgent"),
        ("急性胆囊炎", "acute cholecystitis", "K81.0",
         "右上腹痛;右肩背部放射痛;发热;恶心呕吐",
         "right upper quadrant pain;radiation to the right shoulder;fever;nausea and vomiting",
         "腹部超声|胆囊壁增厚、胆囊结石",
         "right upper quadrant ultrasound|gallbladder wall thickening with gallstones",
         "头孢哌酮舒巴坦|2 g q12h", "piperacillin-tazobactam|4.5 g IV every 6 hours"),
        ("腹股沟斜疝", "indirect inguinal hernia", "K40.9",
         "腹股沟区可复性肿块;久站后肿块增大;腹股沟坠胀感;咳嗽时肿块膨出",
         "reducible groin bulge;bulge enlarging after standing;groin heaviness;bulge on coughing",
         "腹股沟区超声|疝囊经内环突出",
         "groin ultrasound|hernia sac through the deep inguinal ring",
         "无张力疝修补术|择期", "tension-free mesh repair|elective"),
        ("急性小肠梗阻", "acute small bowel obstruction", "K56.6",
         "阵发性腹痛;呕吐;腹胀;停止排气排便",
         "colicky abdominal pain;bilious vomiting;abdominal distension;obstipation",
         "腹部立位平片|多个气液平面", "upright abdominal X-ray|multiple air-fluid levels",
         "胃肠减压|持续", "nasogastric decompression|continuous"),
        ("胆总管结石", "choledocholithiasis", "K80.5",
         "上腹绞痛;寒战高热;黄疸;陶土色大便",
         "biliary colic;fever with chills;jaundice;clay-colored stools",
         "MRCP|胆总管下段结石", "MRCP|stone in the distal common bile duct",
         "ERCP取石|急诊", "ERCP with stone extraction|urgent"),
    ]),
    "orthopedics": ("骨科", "Orthopedics", [
        ("腰椎间盘突出症", "lumbar disc herniation", "M51.2",
         "腰痛;下肢放射痛;下肢麻木;行走受限",
         "low back pain;radiating leg pain;leg numbness;limited walking",
         "腰椎MRI|L4/5椎间盘向左后突出", "lumbar MRI|L4-L5 left posterolateral disc herniation",
         "洛索洛芬钠|60 mg tid", "naproxen|500 mg twice daily"),
        ("股骨颈骨折", "femoral neck fracture", "S72.0",
         "髋部疼痛;不能站立;患肢短缩;外旋畸形",
         "hip pain;inability to bear weight;limb shortening;external rotation",
         "髋关节X线|股骨颈骨折线", "hip X-ray|displaced femoral neck fracture",
         "人工髋关节置换术|限期", "hip arthroplasty|within 48 hours"),
        ("膝骨关节炎", "knee osteoarthritis", "M17.9",
         "膝关节疼痛;上下楼时膝痛加重;关节弹响;短暂晨僵",
         "knee pain;pain worse on stairs;crepitus;brief morning stiffness",
         "膝关节X线|关节间隙变窄、骨赘形成", "knee X-ray|joint space narrowing with osteophytes",
         "双氯芬酸钠|75 mg qd", "diclofenac|75 mg twice daily"),
        ("骨质疏松症", "osteoporosis", "M81.0",
         "腰背痛;身高变矮;驼背;轻微外伤后骨折",
         "chronic back pain;height loss;kyphosis;fragility fracture",
         "双能X线骨密度|T值 -3.1", "DXA scan|T-score of -3.1",
         "阿仑膦酸钠|70 mg 每周1次", "alendronate|70 mg once weekly"),
        ("Colles骨折", "Colles' fracture", "S52.5",
         "腕部疼痛;餐叉样畸形;腕部肿胀;腕关节活动受限",
         "wrist pain;dinner-fork deformity;wrist swelling;limited wrist motion",
         "腕关节X线|桡骨远端骨折，远折端向背侧移位",
         "wrist X-ray|distal radius fracture with dorsal displacement",
         "手法复位石膏固定|急诊", "closed reduction and casting|urgent"),
    ]),
    "obstetrics_gynecology": ("妇产科", "Obstetrics and Gynecology", [
        ("异位妊娠", "ectopic pregnancy", "O00.9",
         "停经;阴道流血;下腹痛;晕厥", "amenorrhea;vaginal bleeding;lower abdominal pain;syncope",
         "经阴道超声|附件区包块，宫内未见孕囊",
         "transvaginal ultrasound|adnexal mass with empty uterus",
         "甲氨蝶呤|50 mg/m² 肌注", "methotrexate|50 mg/m2 IM"),
        ("子痫前期", "preeclampsia", "O14.9",
         "头痛;视物模糊;水肿;上腹痛", "severe headache;visual disturbances;edema;epigastric pain",
         "尿蛋白|24小时尿蛋白0.6 g", "urine protein|0.6 g in 24 hours",
         "硫酸镁|4 g 静推负荷", "magnesium sulfate|4 g IV loading dose"),
        ("多囊卵巢综合征", "polycystic ovary syndrome", "E28.2",
         "月经稀发;多毛;痤疮;肥胖", "oligomenorrhea;hirsutism;acne;obesity",
         "经阴道超声|双侧卵巢多囊样改变", "pelvic ultrasound|polycystic ovaries",
         "炔雌醇环丙孕酮|1片 qd", "combined oral contraceptive|one tablet daily"),
        ("子宫肌瘤", "uterine leiomyoma", "D25.9",
         "月经量增多;经期延长;下腹坠胀;贫血",
         "heavy menstrual bleeding;prolonged menses;pelvic pressure;anemia",
         "盆腔超声|子宫肌壁间低回声结节", "pelvic ultrasound|intramural hypoechoic mass",
         "米非司酮|10 mg qd", "leuprolide|3.75 mg IM monthly"),
        ("妊娠期糖尿病", "gestational diabetes mellitus", "O24.4",
         "口渴;尿频;乏力;外阴瘙痒",
         "thirst;urinary frequency;fatigue;vulvar itching",
         "75 g口服葡萄糖耐量试验|1小时血糖10.8 mmol/L",
         "75-g oral glucose tolerance test|1-hour glucose of 195 mg/dL",
         "门冬胰岛素|4 U 三餐前皮下注射", "insulin aspart|4 units before meals"),
    ]),
    "pediatrics": ("儿科", "Pediatrics", [
        ("川崎病", "Kawasaki disease", "M30.3",
         "持续发热5天以上;双眼结膜充血;草莓舌;手足硬肿",
         "fever for more than 5 days;bilateral conjunctival injection;strawberry tongue;"
         "swelling of the hands and feet",
         "心脏超声|冠状动脉扩张", "echocardiography|coronary artery dilation",
         "静脉注射免疫球蛋白|2 g/kg 单次", "intravenous immunoglobulin|2 g/kg single infusion"),
        ("手足口病", "hand, foot and mouth disease", "B08.4",
         "发热;口腔疱疹;手足皮疹;流涎", "fever;oral vesicles;rash on hands and feet;drooling",
         "肠道病毒核酸|EV71阳性", "enterovirus PCR|positive for EV71",
         "对症支持治疗|退热补液", "supportive care|antipyretics and fluids"),
        ("急性喉气管支气管炎", "croup", "J05.0",
         "犬吠样咳嗽;声音嘶哑;吸气性喉鸣;低热",
         "barking cough;hoarseness;inspiratory stridor;low-grade fever",
         "颈部正位X线|声门下狭窄（尖塔征）", "anteroposterior neck X-ray|steeple sign",
         "地塞米松|0.15 mg/kg 口服", "dexamethasone|0.6 mg/kg orally once"),
        ("肺炎支原体肺炎", "Mycoplasma pneumoniae pneumonia", "J15.7",
         "刺激性干咳;发热;咽痛;头痛", "persistent dry cough;fever;sore throat;headache",
         "肺炎支原体IgM|阳性", "Mycoplasma IgM|positive",
         "阿奇霉素|10 mg/kg qd", "azithromycin|10 mg/kg daily"),
        ("热性惊厥", "febrile seizure", "R56.0",
         "发热;全身抽搐;双眼上翻;短暂意识丧失",
         "fever;generalized convulsion;upward eye deviation;brief loss of consciousness",
         "脑电图|发作间期正常", "EEG|normal interictal record",
         "布洛芬|10 mg/kg q6h", "ibuprofen|10 mg/kg every 6 hours"),
    ]),
    "ophthalmology": ("眼科", "Ophthalmology", [
        ("急性闭角型青光眼", "acute angle-closure glaucoma", "H40.2",
         "眼痛;头痛;视力骤降;虹视",
         "severe eye pain;headache;sudden vision loss;halos around lights",
         "眼压测量|右眼眼压52 mmHg", "tonometry|intraocular pressure of 52 mmHg",
         "毛果芸香碱滴眼液|1% q15min", "timolol eye drops|0.5% one drop"),
        ("年龄相关性白内障", "age-related cataract", "H25.9",
         "无痛性渐进性视力下降;视物模糊;眩光;单眼复视",
         "painless progressive vision loss;blurred vision;glare;monocular diplopia",
         "裂隙灯检查|晶状体混浊", "slit-lamp examination|lens opacity",
         "超声乳化白内障吸除联合人工晶状体植入术|择期",
         "phacoemulsification with intraocular lens implantation|elective"),
        ("孔源性视网膜脱离", "rhegmatogenous retinal detachment", "H33.0",
         "闪光感;眼前黑影飘动;幕状视野缺损;视力下降",
         "photopsia;floaters;curtain-like visual field loss;decreased vision",
         "散瞳眼底检查|视网膜隆起伴裂孔", "dilated fundus examination|elevated retina with a tear",
         "玻璃体切割术|急诊", "pars plana vitrectomy|urgent"),
        ("糖尿病视网膜病变", "diabetic retinopathy", "E11.3",
         "视力下降;视物变形;眼前黑影;夜间视力差",
         "gradual vision loss;metamorphopsia;floaters;poor night vision",
         "眼底荧光血管造影|微血管瘤及新生血管",
         "fluorescein angiography|microaneurysms and neovascularization",
         "雷珠单抗|0.5 mg 玻璃体腔注射", "ranibizumab|0.5 mg intravitreal injection"),
        ("细菌性结膜炎", "bacterial conjunctivitis", "H10.0",
         "眼红;脓性分泌物;晨起睑缘粘连;异物感",
         "red eye;purulent discharge;eyelids stuck together in the morning;foreign body sensation",
         "结膜分泌物涂片|革兰阳性球菌", "conjunctival swab|Gram-positive cocci",
         "左氧氟沙星滴眼液|1滴 qid", "moxifloxacin eye drops|1 drop three times daily"),
    ]),
    "ent": ("耳鼻咽喉科", "Otolaryngology", [
        ("梅尼埃病", "Ménière's disease", "H81.0",
         "发作性眩晕;波动性听力下降;耳鸣;耳闷胀感",
         "episodic vertigo;fluctuating hearing loss;tinnitus;aural fullness",
         "纯音测听|低频感音神经性听力下降", "pure-tone audiometry|low-frequency sensorineural loss",
         "倍他司汀|12 mg tid", "betahistine|16 mg three times daily"),
        ("急性化脓性中耳炎", "acute otitis media", "H66.0",
         "耳痛;发热;听力下降;耳流脓", "ear pain;fever;hearing loss;otorrhea",
         "耳镜检查|鼓膜充血膨隆", "otoscopy|bulging erythematous tympanic membrane",
         "阿莫西林克拉维酸钾|457 mg bid", "amoxicillin-clavulanate|875 mg twice daily"),
        ("慢性鼻窦炎", "chronic rhinosinusitis", "J32.9",
         "鼻塞;脓涕;嗅觉减退;头面部胀痛",
         "nasal obstruction;purulent rhinorrhea;hyposmia;facial pressure",
         "鼻窦CT|双侧上颌窦黏膜增厚", "sinus CT|bilateral maxillary mucosal thickening",
         "糠酸莫米松鼻喷雾剂|每侧2喷 qd", "mometasone nasal spray|2 sprays each nostril daily"),
        ("良性阵发性位置性眩晕", "benign paroxysmal positional vertigo", "H81.1",
         "体位性眩晕;恶心;眼震;头晕",
         "positional vertigo;nausea;nystagmus;lightheadedness",
         "Dix-Hallpike试验|阳性", "Dix-Hallpike maneuver|positive",
         "Epley手法复位|1次", "Epley maneuver|single session"),
        ("鼻咽癌", "nasopharyngeal carcinoma", "C11.9",
         "回吸性涕中带血;颈部肿块;单侧耳鸣;鼻塞",
         "blood-streaked nasal discharge;neck mass;unilateral tinnitus;nasal obstruction",
         "鼻咽镜活检|非角化性癌", "nasopharyngoscopy with biopsy|nonkeratinizing carcinoma",
         "同步放化疗|顺铂 100 mg/m²", "concurrent chemoradiotherapy|cisplatin 100 mg/m2"),
    ]),
    "dermatology": ("皮肤科", "Dermatology", [
        ("带状疱疹", "herpes zoster", "B02.9",
         "单侧带状分布水疱;神经痛;皮肤灼热感;低热",
         "unilateral dermatomal vesicles;neuralgic pain;burning sensation;low-grade fever",
         "疱液病毒PCR|水痘-带状疱疹病毒阳性",
         "vesicle fluid PCR|positive for varicella-zoster virus",
         "伐昔洛韦|1 g tid", "valacyclovir|1 g three times daily"),
        ("寻常型银屑病", "plaque psoriasis", "L40.0",
         "红斑上覆银白色鳞屑;瘙痒;甲凹点;皮损反复发作",
         "erythematous plaques with silvery scale;pruritus;nail pitting;relapsing lesions",
         "皮肤活检|角化不全伴Munro微脓肿", "skin biopsy|parakeratosis with Munro microabscesses",
         "卡泊三醇软膏|bid 外用", "calcipotriene ointment|twice daily"),
        ("特应性皮炎", "atopic dermatitis", "L20.9",
         "剧烈瘙痒;皮肤干燥;屈侧湿疹样皮损;反复发作",
         "intense pruritus;xerosis;flexural eczematous lesions;relapsing course",
         "血清总IgE|升高", "serum total IgE|elevated",
         "他克莫司软膏|0.1% bid", "tacrolimus ointment|0.1% twice daily"),
        ("慢性荨麻疹", "chronic urticaria", "L50.9",
         "风团;皮肤瘙痒;皮疹反复出现;血管性水肿",
         "wheals;itching;recurrent hives;angioedema",
         "血常规|嗜酸性粒细胞轻度升高", "complete blood count|mild eosinophilia",
         "氯雷他定|10 mg qd", "loratadine|10 mg daily"),
        ("寻常痤疮", "acne vulgaris", "L70.0",
         "粉刺;炎性丘疹;脓疱;结节", "comedones;inflammatory papules;pustules;nodules",
         "皮肤镜|毛囊口角栓", "dermoscopy|follicular plugging",
         "阿达帕林凝胶|0.1% qn", "adapalene gel|0.1% at bedtime"),
    ]),
    "urology": ("泌尿外科", "Urology", [
        ("输尿管结石", "ureteral calculus", "N20.1",
         "腰部绞痛;血尿;恶心呕吐;尿频",
         "colicky flank pain;hematuria;nausea and vomiting;frequency",
         "泌尿系CT平扫|左输尿管上段结石6 mm", "non-contrast CT|6-mm left proximal ureteral stone",
         "坦索罗辛|0.2 mg qn", "tamsulosin|0.4 mg daily"),
        ("良性前列腺增生", "benign prostatic hyperplasia", "N40",
         "尿频;夜尿增多;排尿困难;尿线变细", "urinary frequency;nocturia;hesitancy;weak stream",
         "经直肠前列腺超声|前列腺体积65 mL", "transrectal ultrasound|prostate volume of 65 mL",
         "非那雄胺|5 mg qd", "finasteride|5 mg daily"),
        ("膀胱癌", "bladder cancer", "C67.9",
         "无痛性肉眼血尿;尿急;尿痛;血块", "painless gross hematuria;urgency;dysuria;clots in urine",
         "膀胱镜活检|尿路上皮癌", "cystoscopy with biopsy|urothelial carcinoma",
         "经尿道膀胱肿瘤电切术|择期", "transurethral resection of bladder tumor|elective"),
        ("睾丸扭转", "testicular torsion", "N44.0",
         "突发阴囊剧痛;恶心呕吐;阴囊肿胀;下腹痛",
         "sudden severe scrotal pain;vomiting;scrotal swelling;lower abdominal pain",
         "阴囊彩色多普勒超声|患侧睾丸血流消失", "scrotal Doppler ultrasound|absent testicular flow",
         "急诊手术复位固定|6小时内", "emergency surgical detorsion|within 6 hours"),
        ("肾细胞癌", "renal cell carcinoma", "C64.9",
         "间歇性血尿;腰痛;腹部肿块;消瘦",
         "intermittent hematuria;flank pain;palpable mass;weight loss",
         "腹部增强CT|左肾强化肿块", "contrast-enhanced CT|enhancing left renal mass",
         "根治性肾切除术|择期", "radical nephrectomy|elective"),
    ]),
    "oncology": ("肿瘤科", "Oncology", [
        ("肺腺癌", "lung adenocarcinoma", "C34.9",
         "刺激性咳嗽;痰中带血;胸痛;消瘦",
         "persistent cough;blood-tinged sputum;chest pain;weight loss",
         "基因检测|EGFR 19号外显子缺失", "molecular testing|EGFR exon 19 deletion",
         "奥希替尼|80 mg qd", "osimertinib|80 mg daily"),
        ("乳腺癌", "breast cancer", "C50.9",
         "无痛性乳房肿块;乳头溢液;橘皮样改变;腋窝淋巴结肿大",
         "painless breast lump;nipple discharge;peau d'orange;axillary lymphadenopathy",
         "空芯针穿刺活检|浸润性导管癌，HER2阳性",
         "core needle biopsy|invasive ductal carcinoma, HER2-positive",
         "曲妥珠单抗|首剂8 mg/kg", "trastuzumab|8 mg/kg loading dose"),
        ("结肠癌", "colon cancer", "C18.9",
         "便血;排便习惯改变;贫血;腹部隐痛",
         "rectal bleeding;change in bowel habits;iron deficiency anemia;vague abdominal pain",
         "结肠镜活检|中分化腺癌",
         "colonoscopy with biopsy|moderately differentiated adenocarcinoma",
         "奥沙利铂|130 mg/m² 每3周", "oxaliplatin|130 mg/m2 every 3 weeks"),
        ("原发性肝癌", "hepatocellular carcinoma", "C22.0",
         "右上腹隐痛;消瘦;乏力;腹部包块",
         "right upper quadrant pain;weight loss;fatigue;abdominal mass",
         "甲胎蛋白|AFP 860 ng/mL", "alpha-fetoprotein|860 ng/mL",
         "仑伐替尼|8 mg qd", "lenvatinib|8 mg daily"),
        ("胃癌", "gastric cancer", "C16.9",
         "上腹不适;早饱;黑便;体重下降", "epigastric discomfort;early satiety;melena;weight loss",
         "胃镜活检|印戒细胞癌", "upper endoscopy with biopsy|signet ring cell carcinoma",
         "替吉奥|40 mg bid", "tegafur-gimeracil-oteracil|40 mg twice daily"),
    ]),
    "psychiatry": ("精神科", "Psychiatry", [
        ("抑郁症", "major depressive disorder", "F32.9",
         "情绪低落;兴趣减退;早醒;自责自罪",
         "depressed mood;anhedonia;early morning awakening;guilt",
         "汉密尔顿抑郁量表|HAMD评分24分", "Hamilton Depression Rating Scale|score of 24",
         "舍曲林|50 mg qd", "sertraline|50 mg daily"),
        ("精神分裂症", "schizophrenia", "F20.9",
         "幻听;被害妄想;思维紊乱;社会退缩",
         "auditory hallucinations;persecutory delusions;disorganized thinking;social withdrawal",
         "精神检查|言语性幻听及被害妄想", "mental status examination|auditory hallucinations",
         "利培酮|2 mg bid", "risperidone|2 mg twice daily"),
        ("双相情感障碍", "bipolar I disorder", "F31.9",
         "情绪高涨;睡眠需求减少;言语增多;冲动消费",
         "elevated mood;decreased need for sleep;pressured speech;impulsive spending",
         "杨氏躁狂量表|YMRS评分28分", "Young Mania Rating Scale|score of 28",
         "碳酸锂|0.25 g tid", "lithium carbonate|300 mg three times daily"),
        ("广泛性焦虑障碍", "generalized anxiety disorder", "F41.1",
         "过度担忧;坐立不安;肌肉紧张;入睡困难",
         "excessive worry;restlessness;muscle tension;difficulty falling asleep",
         "汉密尔顿焦虑量表|HAMA评分22分", "GAD-7 questionnaire|score of 16",
         "艾司西酞普兰|10 mg qd", "escitalopram|10 mg daily"),
        ("酒精戒断综合征", "alcohol withdrawal syndrome", "F10.3",
         "双手震颤;大汗;焦虑;幻视", "hand tremor;diaphoresis;anxiety;visual hallucinations",
         "临床戒断评估量表|CIWA-Ar评分18分", "CIWA-Ar assessment|score of 18",
         "地西泮|10 mg q6h", "chlordiazepoxide|50 mg every 6 hours"),
    ]),
}
# fmt: on


def _build() -> tuple[Specialty, ...]:
    out = []
    for key, (zh, en, rows) in _RAW.items():
        diseases = []
        for row in rows:
            d_zh, d_en, icd, s_zh, s_en, t_zh, t_en, r_zh, r_en = row
            tz, fz = t_zh.split("|")
            te, fe = t_en.split("|")
            dz, doz = r_zh.split("|")
            de, doe = r_en.split("|")
            sz, se = tuple(s_zh.split(";")), tuple(s_en.split(";"))
            assert len(sz) == len(se) == 4, d_zh
            diseases.append(Disease(d_zh, d_en, icd, sz, se, tz, fz, te, fe, dz, doz, de, doe, key))
        out.append(Specialty(key, zh, en, tuple(diseases)))
    return tuple(out)


SPECIALTIES: tuple[Specialty, ...] = _build()
SPECIALTY_BY_KEY: dict[str, Specialty] = {s.key: s for s in SPECIALTIES}
ALL_DISEASES: tuple[Disease, ...] = tuple(d for s in SPECIALTIES for d in s.diseases)

# Eponyms and look-alikes a de-identifier must NOT mask.
EPONYMS_ZH: tuple[str, ...] = (
    "帕金森病",
    "桥本甲状腺炎",
    "克罗恩病",
    "川崎病",
    "阿尔茨海默病",
    "格林-巴利综合征",
    "Graves病",
    "库欣综合征",
    "梅尼埃病",
    "霍奇金淋巴瘤",
    "贝尔麻痹",
    "Colles骨折",
)
EPONYMS_EN: tuple[str, ...] = (
    "Parkinson's disease",
    "Graves' disease",
    "Crohn's disease",
    "Hashimoto's thyroiditis",
    "Alzheimer's disease",
    "Bell's palsy",
    "Guillain-Barré syndrome",
    "Cushing's syndrome",
    "Kawasaki disease",
    "Ménière's disease",
    "Hodgkin lymphoma",
    "Sjögren's syndrome",
    "Colles' fracture",
)
# Disease-specific eponymous signs (positive findings) and generic negative ones.
SIGNS_ZH: dict[str, str] = {
    "急性胆囊炎": "Murphy征阳性",
    "急性阑尾炎": "麦氏点压痛及反跳痛",
    "急性脑梗死": "右侧巴宾斯基征阳性",
    "胆总管结石": "Charcot三联征",
    "胃癌": "左锁骨上Virchow淋巴结肿大",
    "糖尿病酮症酸中毒": "Kussmaul呼吸",
    "腰椎间盘突出症": "Lasègue征阳性",
    "Graves病": "Stellwag征阳性",
    "寻常型银屑病": "Auspitz征阳性",
    "肺血栓栓塞症": "Homans征阳性",
}
SIGNS_EN: dict[str, str] = {
    "acute cholecystitis": "positive Murphy's sign",
    "acute appendicitis": "tenderness at McBurney's point",
    "acute ischemic stroke": "positive Babinski sign on the right",
    "choledocholithiasis": "Charcot's triad",
    "gastric cancer": "palpable Virchow's node",
    "diabetic ketoacidosis": "Kussmaul respirations",
    "lumbar disc herniation": "positive Lasègue's sign",
    "pulmonary embolism": "positive Homans' sign",
    "plaque psoriasis": "positive Auspitz sign",
    "Graves' disease": "positive von Graefe's sign",
}
NEG_SIGNS_ZH: tuple[str, ...] = (
    "Murphy征阴性",
    "巴宾斯基征未引出",
    "克尼格征阴性",
    "麦氏点无压痛",
    "Homans征阴性",
    "布鲁津斯基征阴性",
    "Trousseau征阴性",
)
NEG_SIGNS_EN: tuple[str, ...] = (
    "negative Murphy's sign",
    "Babinski sign absent bilaterally",
    "negative Kernig's and Brudzinski's signs",
    "no McBurney's point tenderness",
    "negative Homans' sign",
    "Chvostek's sign absent",
)
PMH_ZH: tuple[str, ...] = (
    "高血压",
    "2型糖尿病",
    "冠心病",
    "帕金森病",
    "桥本甲状腺炎",
    "克罗恩病",
    "阿尔茨海默病",
    "慢性乙型病毒性肝炎",
    "痛风",
    "Graves病",
    "格林-巴利综合征",
    "慢性阻塞性肺疾病",
    "心房颤动",
    "脑梗死",
    "类风湿关节炎",
    "梅尼埃病",
    "贝尔麻痹",
)
PMH_EN: tuple[str, ...] = (
    "hypertension",
    "type 2 diabetes mellitus",
    "coronary artery disease",
    "Parkinson's disease",
    "Hashimoto's thyroiditis",
    "Crohn's disease",
    "Alzheimer's disease",
    "Graves' disease",
    "gout",
    "atrial fibrillation",
    "COPD",
    "Bell's palsy",
    "hyperlipidemia",
    "chronic kidney disease stage 3",
    "Guillain-Barré syndrome (remote)",
    "Ménière's disease",
)

# Lab specs: name, unit, low, high, decimals.
_LABS_ZH: tuple[tuple[str, str, float, float, int], ...] = (
    ("白细胞", "×10^9/L", 2.1, 18.9, 1),
    ("中性粒细胞百分比", "%", 40, 93, 1),
    ("血红蛋白", "g/L", 68, 165, 0),
    ("血小板", "×10^9/L", 22, 460, 0),
    ("C反应蛋白", "mg/L", 1, 185, 1),
    ("降钙素原", "ng/mL", 0.02, 12, 2),
    ("血肌酐", "μmol/L", 45, 880, 0),
    ("尿素氮", "mmol/L", 2.5, 35, 1),
    ("血钾", "mmol/L", 2.8, 6.4, 1),
    ("血钠", "mmol/L", 124, 149, 0),
    ("空腹血糖", "mmol/L", 3.9, 21.5, 1),
    ("糖化血红蛋白", "%", 5.1, 12.8, 1),
    ("谷丙转氨酶", "U/L", 8, 640, 0),
    ("总胆红素", "μmol/L", 5, 210, 1),
    ("肌钙蛋白I", "ng/mL", 0.01, 25, 2),
    ("NT-proBNP", "pg/mL", 40, 9800, 0),
    ("D-二聚体", "mg/L", 0.1, 8.5, 2),
    ("TSH", "mIU/L", 0.01, 45, 2),
    ("血沉", "mm/h", 3, 110, 0),
    ("INR", "", 0.9, 3.8, 2),
)
_LABS_EN: tuple[tuple[str, str, float, float, int], ...] = (
    ("WBC", "x10^9/L", 2.1, 18.9, 1),
    ("Hgb", "g/dL", 6.8, 16.5, 1),
    ("platelets", "x10^9/L", 22, 460, 0),
    ("CRP", "mg/L", 1, 185, 1),
    ("creatinine", "mg/dL", 0.5, 9.8, 1),
    ("BUN", "mg/dL", 6, 98, 0),
    ("potassium", "mEq/L", 2.8, 6.4, 1),
    ("sodium", "mEq/L", 124, 149, 0),
    ("glucose", "mg/dL", 62, 520, 0),
    ("HbA1c", "%", 5.1, 12.8, 1),
    ("ALT", "U/L", 8, 640, 0),
    ("total bilirubin", "mg/dL", 0.3, 12.5, 1),
    ("troponin I", "ng/mL", 0.01, 25, 2),
    ("BNP", "pg/mL", 20, 4500, 0),
    ("D-dimer", "mg/L FEU", 0.1, 8.5, 2),
    ("TSH", "mIU/L", 0.01, 45, 2),
    ("lipase", "U/L", 12, 2400, 0),
    ("lactate", "mmol/L", 0.5, 8.9, 1),
    ("INR", "", 0.9, 3.8, 1),
)


def _num(rng: random.Random, lo: float, hi: float, dec: int) -> str:
    v = rng.uniform(lo, hi)
    return f"{v:.{dec}f}"


def lab_zh(rng: random.Random) -> str:
    """One Chinese lab result, e.g. ``白细胞12.3×10^9/L``."""
    name, unit, lo, hi, dec = rng.choice(_LABS_ZH)
    sep = rng.choice(["", "", " ", "："])
    return f"{name}{sep}{_num(rng, lo, hi, dec)}{unit}"


def lab_en(rng: random.Random) -> str:
    """One English lab result, e.g. ``WBC 12.3 x10^9/L``."""
    name, unit, lo, hi, dec = rng.choice(_LABS_EN)
    return f"{name} {_num(rng, lo, hi, dec)} {unit}".rstrip()


def labs_zh(rng: random.Random, n: int) -> str:
    """Several distinct Chinese lab results joined with ``，``."""
    seen: dict[str, str] = {}
    while len(seen) < n:
        s = lab_zh(rng)
        seen.setdefault(s[:3], s)
    return "，".join(seen.values())


def labs_en(rng: random.Random, n: int) -> str:
    """Several distinct English lab results joined with ``, ``."""
    seen: dict[str, str] = {}
    while len(seen) < n:
        s = lab_en(rng)
        seen.setdefault(s.split(" ")[0], s)
    return ", ".join(seen.values())


def blood_pressure(rng: random.Random) -> str:
    """Systolic/diastolic pair such as ``135/85``."""
    sbp = rng.randint(92, 188)
    dbp = rng.randint(55, min(118, sbp - 25))
    return f"{sbp}/{dbp}"


def vitals_zh(rng: random.Random) -> str:
    """Chinese vital signs line including ``BP 135/85 mmHg``."""
    t = f"{rng.uniform(36.2, 39.6):.1f}"
    p, r, bp = rng.randint(58, 128), rng.randint(14, 28), blood_pressure(rng)
    if rng.random() < 0.5:
        return f"T {t}℃，P {p}次/分，R {r}次/分，BP {bp} mmHg"
    return f"体温{t}℃，脉搏{p}次/分，呼吸{r}次/分，血压{bp}mmHg"


def vitals_en(rng: random.Random, usmle: bool = False, pronoun: str = "His") -> str:
    """English vital signs line including ``BP 135/85 mmHg``."""
    c = rng.uniform(36.2, 39.6)
    p, r, bp = rng.randint(58, 128), rng.randint(12, 28), blood_pressure(rng)
    if usmle:
        return (
            f"{pronoun} temperature is {c:.1f}°C ({c * 9 / 5 + 32:.1f}°F), pulse is {p}/min, "
            f"respirations are {r}/min, and blood pressure is {bp} mm Hg"
        )
    spo2 = rng.randint(88, 100)
    return f"BP {bp} mmHg, HR {p}, RR {r}, T {c:.1f} C, SpO2 {spo2}% on room air"


def duration_zh(rng: random.Random) -> str:
    """A symptom duration such as ``3天`` or ``半年`` (mostly days to weeks)."""
    r = rng.random()
    if r < 0.4:
        return f"{rng.randint(1, 10)}天"
    if r < 0.5:
        return f"{rng.randint(2, 20)}小时"
    if r < 0.72:
        return f"{rng.randint(1, 4)}周"
    if r < 0.88:
        return f"{rng.randint(1, 6)}个月"
    if r < 0.93:
        return "半年"
    if r < 0.97:
        return f"{rng.randint(1, 5)}年"
    return "1天余"


def duration_en(rng: random.Random) -> str:
    """A symptom duration such as ``3 days`` (mostly days to weeks)."""
    r = rng.random()
    if r < 0.45:
        return f"{rng.randint(2, 10)} days"
    if r < 0.55:
        return f"{rng.randint(2, 20)} hours"
    if r < 0.78:
        return f"{rng.randint(1, 4)} weeks".replace("1 weeks", "1 week")
    if r < 0.95:
        return f"{rng.randint(2, 6)} months"
    return "1 day"


def lab_name_zh(rng: random.Random) -> str:
    """The name of a lab test, e.g. ``血肌酐``."""
    return rng.choice(_LABS_ZH)[0]


CHRONIC_MEDS_ZH: tuple[str, ...] = (
    "氨氯地平 5 mg qd",
    "二甲双胍 0.5 g tid",
    "阿托伐他汀 20 mg qn",
    "左甲状腺素钠 50 μg qd",
    "多巴丝肼 125 mg tid",
    "阿司匹林 100 mg qd",
    "美托洛尔缓释片 47.5 mg qd",
    "别嘌醇 0.1 g bid",
)
CHRONIC_MEDS_EN: tuple[str, ...] = (
    "amlodipine 5 mg daily",
    "metformin 500 mg twice daily",
    "atorvastatin 40 mg nightly",
    "levothyroxine 75 mcg daily",
    "aspirin 81 mg daily",
    "metoprolol succinate 50 mg daily",
    "lisinopril 10 mg daily",
    "carbidopa-levodopa 25/100 mg TID",
    "allopurinol 100 mg daily",
)
