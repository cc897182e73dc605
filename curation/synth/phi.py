"""Synthetic PHI value generators (Chinese and English), all driven by a passed-in RNG.

Every function takes a ``random.Random`` (and, for some English values, a seeded Faker) so
that output is fully determined by the seed.  Values are invented; the only real-world
facts used are public formats (ID checksum, phone prefixes, region codes, ZIP prefixes).
"""

from __future__ import annotations

import random
import string
from datetime import date, timedelta

from faker import Faker

# ---------------------------------------------------------------- Chinese word lists
_SURNAMES_COMMON = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺"
    "顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_SURNAMES_RARE = "岳鄢阙仇佘靳麻甘冉敖郦帅禤笪亓逄晏戚房裴蔺隋滕谯栾粟昝"
_SURNAMES_COMPOUND = (
    "欧阳",
    "司马",
    "诸葛",
    "上官",
    "皇甫",
    "慕容",
    "司徒",
    "东方",
    "夏侯",
    "尉迟",
    "公孙",
    "令狐",
    "长孙",
    "宇文",
    "端木",
)
_GIVEN_MALE = (
    "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆旭宁龙彬峰建国志博晨阳昊睿轩泽宏亮成振"
)
_GIVEN_FEMALE = "芳娜敏静丽艳娟霞燕玲婷雪慧颖琳晶倩洁佳欣怡雯梅丹萍红月琴蕾璐薇瑶涵悦婧淑秀兰桂凤"
_GIVEN_NEUTRAL = "文晓嘉思雨春海云天子一梓安家永立新清书"

# Real 6-digit administrative division codes (used as ID prefixes).
_REGION_CODES = (
    "110105",
    "110108",
    "310104",
    "310115",
    "330106",
    "330105",
    "440305",
    "440304",
    "440106",
    "320102",
    "320506",
    "510107",
    "420106",
    "370102",
    "610113",
    "500103",
    "120101",
    "430104",
    "350203",
    "410105",
    "340104",
    "530102",
    "210102",
    "370202",
)
_MOBILE_PREFIXES = tuple(
    [str(130 + i) for i in range(10)]
    + ["145", "146", "147", "148", "149"]
    + ["150", "151", "152", "153", "155", "156", "157", "158", "159"]
    + ["162", "165", "166", "167"]
    + ["170", "171", "172", "173", "175", "176", "177", "178"]
    + [str(180 + i) for i in range(10)]
    + ["190", "191", "192", "193", "195", "196", "197", "198", "199"]
)
_AREA_CODES_3 = ("010", "020", "021", "022", "023", "024", "025", "027", "028", "029")
_AREA_CODES_4 = (
    "0571",
    "0755",
    "0512",
    "0731",
    "0532",
    "0591",
    "0371",
    "0551",
    "0871",
    "0898",
    "0931",
    "0451",
    "0574",
    "0769",
)
# (province or "" for municipalities, city, districts)
_REGIONS = (
    ("浙江省", "杭州市", ("西湖区", "拱墅区", "上城区", "滨江区", "余杭区")),
    ("", "北京市", ("朝阳区", "海淀区", "东城区", "西城区", "丰台区")),
    ("", "上海市", ("徐汇区", "浦东新区", "静安区", "闵行区", "杨浦区")),
    ("广东省", "深圳市", ("南山区", "福田区", "罗湖区", "宝安区", "龙岗区")),
    ("广东省", "广州市", ("天河区", "越秀区", "海珠区", "白云区", "番禺区")),
    ("江苏省", "南京市", ("玄武区", "鼓楼区", "秦淮区", "建邺区", "江宁区")),
    ("江苏省", "苏州市", ("姑苏区", "吴中区", "相城区")),
    ("四川省", "成都市", ("武侯区", "锦江区", "青羊区", "金牛区", "成华区")),
    ("湖北省", "武汉市", ("武昌区", "洪山区", "江汉区", "汉阳区", "江岸区")),
    ("山东省", "济南市", ("历下区", "市中区", "槐荫区", "天桥区")),
    ("山东省", "青岛市", ("市南区", "市北区", "崂山区", "黄岛区")),
    ("陕西省", "西安市", ("雁塔区", "碑林区", "莲湖区", "未央区")),
    ("", "重庆市", ("渝中区", "江北区", "沙坪坝区", "九龙坡区")),
    ("", "天津市", ("和平区", "南开区", "河西区", "河东区")),
    ("湖南省", "长沙市", ("岳麓区", "芙蓉区", "天心区", "开福区")),
    ("福建省", "厦门市", ("思明区", "湖里区", "集美区")),
    ("河南省", "郑州市", ("金水区", "二七区", "中原区")),
    ("安徽省", "合肥市", ("蜀山区", "包河区", "庐阳区")),
    ("云南省", "昆明市", ("五华区", "盘龙区", "官渡区")),
    ("辽宁省", "沈阳市", ("和平区", "沈河区", "皇姑区")),
)
_COUNTIES = (
    ("浙江省", "温州市", "永嘉县"),
    ("河南省", "周口市", "太康县"),
    ("四川省", "南充市", "蓬安县"),
    ("山东省", "临沂市", "沂水县"),
    ("湖南省", "邵阳市", "隆回县"),
    ("安徽省", "阜阳市", "临泉县"),
    ("江西省", "赣州市", "于都县"),
    ("河北省", "保定市", "徐水区"),
)
_TOWNS = ("桥头", "城关", "新集", "李庄", "石桥", "白马", "大营", "龙泉", "柳河", "三合", "青山")
_VILLAGES = ("张家", "王庄", "前进", "红星", "李家湾", "沙河", "东岗", "柏树", "杨柳")
_STREETS = (
    "文三路",
    "文一西路",
    "中山路",
    "人民路",
    "解放路",
    "建国路",
    "长江路",
    "黄河路",
    "学院路",
    "科技路",
    "南京东路",
    "延安西路",
    "体育东路",
    "天府大道",
    "幸福路",
    "光明街",
    "新华路",
    "胜利街",
    "复兴路",
    "东风路",
    "滨江大道",
    "红旗路",
    "迎宾大道",
    "朝阳北路",
    "和平里大街",
    "青年路",
    "民主路",
    "工农路",
    "凤凰路",
    "金沙路",
)
_COMPLEXES = (
    "阳光花园",
    "金色家园",
    "翠苑一区",
    "碧水湾",
    "万家城",
    "桂花园",
    "紫金苑",
    "锦绣江南",
    "世纪新城",
    "东方名苑",
    "和谐家园",
    "幸福里",
    "春晓小区",
    "梅园新村",
    "滨江花园",
    "丽景湾",
    "望江小区",
    "康乐小区",
    "红梅新村",
    "枫林晚小区",
)
_SUBDISTRICTS = (
    "翠苑",
    "湖滨",
    "北新泾",
    "石牌",
    "朝阳门",
    "望京",
    "小营",
    "南湖",
    "五里墩",
    "香蜜湖",
)
_CN_DIGITS = "〇一二三四五六七八九"
_UNIVERSITIES = (
    "浙江大学医学院",
    "苏州大学",
    "郑州大学",
    "南昌大学",
    "青岛大学",
    "安徽医科大学",
    "重庆医科大学",
    "温州医科大学",
    "哈尔滨医科大学",
    "南京医科大学",
    "中山大学",
    "四川大学",
)
_CLINIC_NAMES = ("仁和", "康宁", "济民", "惠民", "同德", "博爱", "益康", "安泰", "百草堂", "春晖")
_BIZ_WORDS = (
    "云帆",
    "华信",
    "恒达",
    "瑞丰",
    "鼎盛",
    "博远",
    "天诚",
    "汇通",
    "中科",
    "盛世",
    "宏图",
    "星辰",
    "金桥",
    "联创",
    "新锐",
    "启明",
    "宇航",
    "万通",
)
_INDUSTRIES = (
    "科技",
    "信息技术",
    "贸易",
    "建筑工程",
    "物流",
    "食品",
    "纺织",
    "机械制造",
    "电子",
    "医药",
    "房地产开发",
    "文化传媒",
    "环保科技",
    "餐饮管理",
)
_PINYIN = (
    "zhang",
    "wang",
    "li",
    "liu",
    "chen",
    "yang",
    "zhao",
    "huang",
    "zhou",
    "wu",
    "xu",
    "sun",
    "wei",
    "na",
    "xiao",
    "ming",
    "hao",
    "yu",
    "jing",
    "lin",
    "hui",
    "fang",
    "jun",
    "tao",
    "lei",
    "ting",
    "qiang",
    "min",
    "yan",
    "bo",
    "jie",
    "xin",
    "yue",
    "chao",
)
_CN_MAIL = (
    "qq.com",
    "163.com",
    "126.com",
    "sina.com",
    "foxmail.com",
    "gmail.com",
    "outlook.com",
    "hotmail.com",
    "sohu.com",
    "139.com",
    "yeah.net",
)
_PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def make_faker(locale: str, seed: int) -> Faker:
    """Build a Faker instance with its own deterministic seed."""
    fk = Faker(locale)
    fk.seed_instance(seed)
    return fk


def _weighted(rng: random.Random, options: list[tuple[str, float]]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def random_date(rng: random.Random, start: date, end: date) -> date:
    """A uniformly random date in ``[start, end]``."""
    return start + timedelta(days=rng.randint(0, (end - start).days))


def birth_date_for_age(rng: random.Random, age: int, on: date) -> date:
    """A birth date such that the person is exactly ``age`` years old on ``on``."""
    b = date(on.year - age, rng.randint(1, 12), rng.randint(1, 28))
    if (b.month, b.day) > (on.month, on.day):
        b = b.replace(year=b.year - 1)
    return b


# ---------------------------------------------------------------- Chinese PHI
def zh_surname(rng: random.Random) -> str:
    """A Chinese surname: mostly common, some rare single-character, some compound (欧阳...)."""
    r = rng.random()
    if r < 0.07:
        return rng.choice(_SURNAMES_COMPOUND)
    if r < 0.15:
        return rng.choice(_SURNAMES_RARE)
    return rng.choice(_SURNAMES_COMMON)


def zh_name(rng: random.Random, male: bool | None = None) -> str:
    """A full Chinese name (surname + one- or two-character given name)."""
    if male is None:
        male = rng.random() < 0.5
    pool = (_GIVEN_MALE if male else _GIVEN_FEMALE) + _GIVEN_NEUTRAL
    given = rng.choice(pool)
    if rng.random() < 0.7:
        given += rng.choice(_GIVEN_MALE if male else _GIVEN_FEMALE)
    return zh_surname(rng) + given


def resident_id_check_char(first17: str) -> str:
    """GB 11643-1999 (ISO 7064 MOD 11-2) check character for the first 17 digits."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(first17, weights, strict=True))
    return "10X98765432"[total % 11]


def is_valid_resident_id(value: str) -> bool:
    """True if ``value`` is an 18-character ID with a valid date and MOD 11-2 checksum."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return resident_id_check_char(value[:17]) == value[17].upper()


def zh_resident_id(rng: random.Random, birth: date | None = None, male: bool | None = None) -> str:
    """An 18-digit resident ID number with a real region prefix and valid checksum."""
    if birth is None:
        birth = random_date(rng, date(1930, 1, 1), date(2015, 12, 31))
    if male is None:
        male = rng.random() < 0.5
    seq = rng.randint(0, 99) * 10 + rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
    first17 = f"{rng.choice(_REGION_CODES)}{birth:%Y%m%d}{seq:03d}"
    return first17 + resident_id_check_char(first17)


def zh_mobile(rng: random.Random) -> str:
    """A mainland mobile number (any real 13x-19x prefix) in one of several layouts."""
    p = rng.choice(_MOBILE_PREFIXES)
    a, b = f"{rng.randint(0, 9999):04d}", f"{rng.randint(0, 9999):04d}"
    fmt = _weighted(rng, [("plain", 50), ("dash", 15), ("space", 15), ("+86sp", 10), ("+86d", 10)])
    return {
        "plain": f"{p}{a}{b}",
        "dash": f"{p}-{a}-{b}",
        "space": f"{p} {a} {b}",
        "+86sp": f"+86 {p} {a} {b}",
        "+86d": f"+86-{p}{a}{b}",
    }[fmt]


def zh_landline(rng: random.Random) -> str:
    """A landline such as ``010-12345678``, ``(0571)87654321`` or ``0755-8765432``."""
    if rng.random() < 0.4:
        code, local = rng.choice(_AREA_CODES_3), str(rng.randint(20000000, 89999999))
    else:
        code = rng.choice(_AREA_CODES_4)
        local = str(
            rng.randint(2000000, 8999999) if rng.random() < 0.4 else rng.randint(20000000, 89999999)
        )
    return f"({code}){local}" if rng.random() < 0.3 else f"{code}-{local}"


def zh_phone(rng: random.Random) -> str:
    """A phone number: mostly mobile, sometimes landline."""
    return zh_mobile(rng) if rng.random() < 0.8 else zh_landline(rng)


def zh_record_number(rng: random.Random, kind: str = "inpatient", year: int | None = None) -> str:
    """A 住院号/门诊号/病案号 such as ``ZY20230315001``, ``0012345678`` or ``MZ2023-004521``."""
    y = year or rng.randint(2018, 2024)
    if kind == "outpatient":
        return rng.choice(
            [
                f"MZ{y}-{rng.randint(1, 999999):06d}",
                f"MZ{y}{rng.randint(1, 99999999):08d}",
                f"{rng.randint(1, 99999999):010d}",
            ]
        )
    if kind == "record":
        return rng.choice(
            [
                f"{rng.randint(1, 99999999):010d}",
                f"BA{rng.randint(100000, 9999999)}",
                f"{y}{rng.randint(1, 999999):06d}",
            ]
        )
    return rng.choice(
        [
            f"ZY{y}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(1, 999):03d}",
            f"{rng.randint(1, 99999999):010d}",
            f"{rng.randint(100000, 999999)}",
            f"ZY{y}-{rng.randint(1, 99999):05d}",
            f"H{rng.randint(10000000, 99999999)}",
        ]
    )


def _cn_number(n: int) -> str:
    if n <= 10:
        return "〇一二三四五六七八九十"[n]
    if n < 20:
        return "十" + _CN_DIGITS[n - 10]
    tens, ones = divmod(n, 10)
    return _CN_DIGITS[tens] + "十" + (_CN_DIGITS[ones] if ones else "")


ZH_DATE_STYLES = ("ymd_cn", "iso", "slash", "md_cn", "cn_full", "cn_ym", "dot")


def zh_date(rng: random.Random, d: date, style: str | None = None) -> str:
    """A date in one of many Chinese forms (2023年3月15日, 二〇二三年三月十五日, 2023.03.15...)."""
    if style is None:
        style = _weighted(
            rng,
            [
                ("ymd_cn", 35),
                ("iso", 25),
                ("slash", 10),
                ("md_cn", 8),
                ("cn_full", 6),
                ("cn_ym", 4),
                ("dot", 12),
            ],
        )
    y_cn = "".join(_CN_DIGITS[int(c)] for c in str(d.year))
    return {
        "ymd_cn": f"{d.year}年{d.month}月{d.day}日",
        "iso": d.isoformat(),
        "slash": f"{d.year}/{d.month}/{d.day}",
        "md_cn": f"{d.month}月{d.day}日",
        "cn_full": f"{y_cn}年{_cn_number(d.month)}月{_cn_number(d.day)}日",
        "cn_ym": f"{y_cn}年{_cn_number(d.month)}月",
        "dot": f"{d.year}.{d.month:02d}.{d.day:02d}",
    }[style]


def zh_city_district(rng: random.Random) -> str:
    """A city + district such as ``杭州市西湖区`` (sub-province geography is PHI)."""
    _, city, districts = rng.choice(_REGIONS)
    c = city if rng.random() < 0.7 else city.removesuffix("市")
    return c + rng.choice(districts)


def zh_address(rng: random.Random) -> str:
    """A street-level Chinese address (province/city/district/street/number or unit/room)."""
    prov, city, districts = rng.choice(_REGIONS)
    dist = rng.choice(districts)
    head = (prov if rng.random() < 0.6 else "") + city + dist
    street, no = rng.choice(_STREETS), rng.randint(1, 388)
    unit = (
        f"{rng.choice(_COMPLEXES)}{rng.randint(1, 28)}栋{rng.randint(1, 4)}单元"
        f"{rng.randint(1, 32)}{rng.randint(1, 4):02d}室"
    )
    fmt = rng.randint(0, 5)
    if fmt == 0:
        return f"{head}{street}{no}号"
    if fmt == 1:
        return f"{head}{street}{no}号{unit}"
    if fmt == 2:
        return f"{city}{dist}{unit}"
    if fmt == 3:
        return (
            f"{city}{dist}{rng.choice(_SUBDISTRICTS)}街道{street}{no}弄{rng.randint(1, 60)}号"
            f"{rng.randint(1, 6)}0{rng.randint(1, 4)}室"
        )
    if fmt == 4:
        bld, room = rng.randint(1, 20), f"{rng.randint(1, 24)}0{rng.randint(1, 6)}"
        return f"{dist}{street}{no}号院{bld}号楼{room}"
    p, c, county = rng.choice(_COUNTIES)
    return (
        f"{p}{c}{county}{rng.choice(_TOWNS)}镇{rng.choice(_VILLAGES)}村{rng.randint(1, 12)}组"
        f"{rng.randint(1, 99)}号"
    )


def _city_short(rng: random.Random) -> str:
    return rng.choice(_REGIONS)[1].removesuffix("市")


def zh_hospital(rng: random.Random) -> str:
    """A hospital/clinic/health centre name (人民医院, 大学附属医院, 镇卫生院, 诊所, 社区中心)."""
    city, n = _city_short(rng), rng.choice("一二三四五六七")
    fmt = _weighted(
        rng,
        [
            ("people", 30),
            ("univ", 20),
            ("tcm", 8),
            ("district", 10),
            ("town", 8),
            ("clinic", 8),
            ("community", 10),
            ("special", 6),
        ],
    )
    if fmt == "people":
        return f"{city}{'市' if rng.random() < 0.6 else ''}第{n}人民医院"
    if fmt == "univ":
        return f"{rng.choice(_UNIVERSITIES)}附属第{rng.choice('一二三四')}医院"
    if fmt == "tcm":
        return f"{city}市中医院"
    if fmt == "district":
        return f"{rng.choice(rng.choice(_REGIONS)[2])}人民医院"
    if fmt == "town":
        return f"{rng.choice(_TOWNS)}镇卫生院"
    if fmt == "clinic":
        return rng.choice(
            [
                f"{rng.choice(_CLINIC_NAMES)}诊所",
                f"{zh_surname(rng)}氏中医诊所",
                f"{rng.choice(_CLINIC_NAMES)}口腔诊所",
            ]
        )
    if fmt == "community":
        return f"{rng.choice(_SUBDISTRICTS)}街道社区卫生服务中心"
    return (
        f"{city}市{rng.choice(['妇幼保健院', '儿童医院', '肿瘤医院', '精神卫生中心', '眼科医院'])}"
    )


def zh_employer(rng: random.Random, fk: Faker | None = None) -> str:
    """An employer or school (``XX科技有限公司``, ``XX第十四中学``...)."""
    city = _city_short(rng)
    r = rng.random()
    if r < 0.45:
        return f"{city}{rng.choice(_BIZ_WORDS)}{rng.choice(_INDUSTRIES)}有限公司"
    if r < 0.55 and fk is not None:
        return str(fk.company())
    if r < 0.75:
        return rng.choice(
            [
                f"{city}市第{_cn_number(rng.randint(1, 20))}中学",
                f"{city}实验小学",
                f"{city}外国语学校",
                f"{city}职业技术学院",
            ]
        )
    if r < 0.88:
        return rng.choice(
            [
                f"中国银行{city}分行",
                f"国网{city}供电公司",
                f"{city}市税务局",
                f"{city}地铁集团有限公司",
            ]
        )
    return f"{city}{rng.choice(_BIZ_WORDS)}{rng.choice(['超市', '酒店', '汽修厂', '幼儿园'])}"


def zh_email(rng: random.Random) -> str:
    """An e-mail address typical of Chinese users (pinyin or QQ-number local part)."""
    if rng.random() < 0.25:
        return f"{zh_qq(rng)}@qq.com"
    local = rng.choice(_PINYIN) + rng.choice(["", "_", "."]) + rng.choice(_PINYIN)
    if rng.random() < 0.6:
        local += str(rng.randint(1, 9999))
    return f"{local}@{rng.choice(_CN_MAIL)}"


def zh_wechat(rng: random.Random) -> str:
    """A WeChat ID such as ``wx_abc123`` or ``wxid_k3j8m2p9q1``."""
    alnum = string.ascii_lowercase + string.digits
    r = rng.random()
    if r < 0.35:
        return "wx_" + "".join(rng.choices(alnum, k=rng.randint(5, 9)))
    if r < 0.6:
        return "wxid_" + "".join(rng.choices(alnum, k=rng.randint(10, 14)))
    return rng.choice(_PINYIN) + rng.choice(["", "_", "-"]) + str(rng.randint(10, 99999))


def zh_qq(rng: random.Random) -> str:
    """A QQ number (5-11 digits, no leading zero)."""
    return str(rng.randint(1, 9)) + "".join(rng.choices(string.digits, k=rng.randint(4, 10)))


def zh_plate(rng: random.Random) -> str:
    """A licence plate such as ``京A·12345``, ``粤B12345`` or ``浙AD12345``."""
    head = rng.choice(_PLATE_PROVINCES) + rng.choice(_PLATE_LETTERS[:12])
    if rng.random() < 0.2:
        return head + rng.choice("DF") + f"{rng.randint(0, 99999):05d}"
    tail = list(f"{rng.randint(0, 99999):05d}")
    if rng.random() < 0.3:
        tail[rng.randint(0, 4)] = rng.choice(_PLATE_LETTERS)
    return head + ("·" if rng.random() < 0.4 else "") + "".join(tail)


# ---------------------------------------------------------------- English PHI
_US_PLACES = (
    ("Boston", "MA", "021"),
    ("Springfield", "IL", "627"),
    ("Houston", "TX", "770"),
    ("Phoenix", "AZ", "850"),
    ("Seattle", "WA", "981"),
    ("Denver", "CO", "802"),
    ("Columbus", "OH", "432"),
    ("Atlanta", "GA", "303"),
    ("Portland", "OR", "972"),
    ("Madison", "WI", "537"),
    ("Nashville", "TN", "372"),
    ("Albany", "NY", "122"),
    ("Sacramento", "CA", "958"),
    ("Raleigh", "NC", "276"),
    ("Omaha", "NE", "681"),
    ("Worcester", "MA", "016"),
    ("Ann Arbor", "MI", "481"),
    ("Burlington", "VT", "054"),
)
_US_AREA = (
    "617",
    "212",
    "312",
    "415",
    "213",
    "713",
    "206",
    "303",
    "404",
    "503",
    "614",
    "615",
    "919",
    "402",
    "608",
    "916",
    "518",
    "602",
    "508",
    "734",
    "802",
)
_STREET_NAMES = (
    "Oak",
    "Maple",
    "Elm",
    "Washington",
    "Lincoln",
    "Park",
    "Cedar",
    "Pine",
    "Lake",
    "Hill",
    "Main",
    "Church",
    "Highland",
    "Sunset",
    "Ridge",
    "Walnut",
    "Chestnut",
    "Jefferson",
    "Prospect",
    "Spring",
    "Franklin",
    "Willow",
    "Harbor",
    "Mill",
)
_STREET_SUFFIX = (
    "St",
    "Street",
    "Ave",
    "Avenue",
    "Rd",
    "Road",
    "Dr",
    "Drive",
    "Ln",
    "Blvd",
    "Ct",
    "Way",
    "Terrace",
    "Place",
)
_SAINTS = (
    "St. Mary's",
    "St. Luke's",
    "St. Joseph's",
    "St. Vincent's",
    "St. Elizabeth's",
    "St. Francis",
    "Good Samaritan",
    "Sacred Heart",
    "Mercy",
)
_HOSP_PLACES = (
    "Lakeside",
    "Riverside",
    "Northshore",
    "Valley View",
    "Cedar Ridge",
    "Bayview",
    "Hillcrest",
    "Fairview",
    "Brookside",
    "Pine Grove",
    "Westfield",
    "Maplewood",
)
_EN_MAIL = (
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "icloud.com",
    "hotmail.com",
    "aol.com",
    "comcast.net",
    "proton.me",
)
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def en_name(
    rng: random.Random, fk: Faker, male: bool | None = None, middle: float = 0.2
) -> tuple[str, str, str]:
    """An English person name; returns ``(full, first, last)``, full may have a middle initial."""
    if male is None:
        male = rng.random() < 0.5
    first = str(fk.first_name_male() if male else fk.first_name_female())
    last = str(fk.last_name())
    full = (
        f"{first} {rng.choice(string.ascii_uppercase)}. {last}"
        if rng.random() < middle
        else f"{first} {last}"
    )
    return full, first, last


def en_mrn(rng: random.Random) -> str:
    """A medical record number, usually 7-8 digits (``00482913``, ``7741023``)."""
    r = rng.random()
    if r < 0.45:
        return f"{rng.randint(0, 99999999):08d}"
    if r < 0.85:
        return str(rng.randint(1000000, 9999999))
    return f"{rng.choice('ABEHM')}{rng.randint(1000000, 9999999)}"


def en_ssn(rng: random.Random) -> str:
    """A US social security number ``123-45-6789`` (area never 000/666/9xx)."""
    area = rng.randint(1, 898)
    area = 667 if area == 666 else area
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def en_phone(rng: random.Random) -> str:
    """A US phone number in one of several layouts."""
    a, ex, ln = rng.choice(_US_AREA), rng.randint(200, 999), rng.randint(0, 9999)
    if rng.random() < 0.3:
        ex = 555
    fmt = _weighted(
        rng, [("paren", 35), ("dash", 30), ("dot", 12), ("intl", 10), ("one", 8), ("space", 5)]
    )
    return {
        "paren": f"({a}) {ex}-{ln:04d}",
        "dash": f"{a}-{ex}-{ln:04d}",
        "dot": f"{a}.{ex}.{ln:04d}",
        "intl": f"+1 {a} {ex} {ln:04d}",
        "one": f"1-{a}-{ex}-{ln:04d}",
        "space": f"{a} {ex} {ln:04d}",
    }[fmt]


EN_DATE_STYLES = ("mdy", "mdy_short", "long", "dmy", "iso", "md", "mdy_pad")


def en_date(rng: random.Random, d: date, style: str | None = None) -> str:
    """A date in US clinical styles (03/15/2023, 3/15/23, March 15, 2023, 15 Mar 2023...)."""
    if style is None:
        style = _weighted(
            rng,
            [
                ("mdy", 35),
                ("mdy_short", 12),
                ("long", 18),
                ("dmy", 10),
                ("iso", 12),
                ("md", 5),
                ("mdy_pad", 8),
            ],
        )
    mon = _MONTHS[d.month - 1]
    return {
        "mdy": f"{d.month:02d}/{d.day:02d}/{d.year}",
        "mdy_short": f"{d.month}/{d.day}/{d.year % 100:02d}",
        "long": f"{mon} {d.day}, {d.year}",
        "dmy": f"{d.day} {mon[:3]} {d.year}",
        "iso": d.isoformat(),
        "md": f"{mon[:3]} {d.day}",
        "mdy_pad": f"{d.month}/{d.day}/{d.year}",
    }[style]


def en_address(rng: random.Random) -> str:
    """A street address with city, state and ZIP or ZIP+4."""
    city, state, z3 = rng.choice(_US_PLACES)
    street = f"{rng.randint(2, 9899)} {rng.choice(_STREET_NAMES)} {rng.choice(_STREET_SUFFIX)}"
    if rng.random() < 0.2:
        street += rng.choice(
            [f" Apt {rng.randint(1, 40)}{rng.choice('ABCD')}", f", Unit {rng.randint(1, 300)}"]
        )
    z = f"{z3}{rng.randint(1, 99):02d}"
    if rng.random() < 0.3:
        z += f"-{rng.randint(1, 9999):04d}"
    sep = ", " if rng.random() < 0.8 else " "
    return f"{street}, {city}{sep}{state} {z}"


def en_city_state(rng: random.Random) -> str:
    """A city and state such as ``Madison, WI``."""
    city, state, _ = rng.choice(_US_PLACES)
    return f"{city}, {state}"


def en_hospital(rng: random.Random, fk: Faker) -> str:
    """A hospital name (``St. Mary's Medical Center``, ``Lakeside General Hospital``...)."""
    r = rng.random()
    if r < 0.3:
        return f"{rng.choice(_SAINTS)} {rng.choice(['Medical Center', 'Hospital'])}"
    if r < 0.55:
        kind = rng.choice(["General Hospital", "Medical Center", "Community Hospital"])
        return f"{rng.choice(_HOSP_PLACES)} {kind}"
    if r < 0.75:
        return f"{rng.choice(_US_PLACES)[0]} Memorial Hospital"
    if r < 0.9:
        return f"{fk.last_name()} Regional Medical Center"
    return f"{rng.choice(_HOSP_PLACES)} Family Health Clinic"


def en_email(rng: random.Random, first: str, last: str) -> str:
    """An e-mail address derived from a person's name."""
    f, la = first.lower(), last.lower().replace("'", "")
    local = rng.choice([f"{f}.{la}", f"{f[0]}{la}", f"{f}{la[0]}", f"{f}_{la}"])
    if rng.random() < 0.5:
        local += str(rng.randint(1, 99))
    return f"{local}@{rng.choice(_EN_MAIL)}"


def en_employer(rng: random.Random, fk: Faker) -> str:
    """An employer name (Faker company or a public institution)."""
    r = rng.random()
    if r < 0.6:
        return str(fk.company())
    city = rng.choice(_US_PLACES)[0]
    return rng.choice(
        [
            f"{city} Public Schools",
            f"{city} Fire Department",
            f"{fk.last_name()} & Sons Construction",
            f"{city} Transit Authority",
        ]
    )
