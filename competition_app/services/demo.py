"""演示数据: three competitions across the tier system, caught in the middle of marking.

``create_demo`` writes a 济宁"运河之星" city competition (一类 and 二类 events under one roof), a
四川工匠杯 provincial event with a 答辩 component, and a WorldSkills-style selection marked on
a CIS-shaped marking scheme — with units, contestants, judges and partly entered marks, so every
screen has something real to show. Everything is synthetic (names, companies, ID numbers) except
public schools and region codes; the same seed always yields the same data.

Planted on purpose, for the features that must notice them:

* a judge who shares a unit with a contestant of the event they judge (回避);
* a 5-judge practical panel whose spread exceeds the component's threshold, a second keying that
  disagrees with the first (transposed digits), and a WorldSkills judgement scored 2 points apart;
* a 学生组 of a provincial event below the 30-contestant minimum;
* past 济宁市技术能手 holders and a 2025 promotion in people's history;
* people entered in two events of one competition, and in two competitions.

Judgement (J) aspect marks are stored as the judge's 0–3 score; measurement (M) aspect marks as
the awarded mark (0 … the aspect's maximum), with ``judge_id`` left empty because the judges of a
measurement agree one mark together.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from competition_app.domain import idcard
from competition_app.domain.enums import (
    AchievementKind,
    AspectType,
    CompetitionStatus,
    ComponentKind,
    EntryStatus,
    Gender,
    Level,
    PanelMethod,
    PersonStatus,
    Role,
    ScoreState,
    SheetState,
    SkillLevel,
    TierClass,
)
from competition_app.domain.permissions import Permission
from competition_app.domain.person_fields import age_on
from competition_app.i18n import _
from competition_app.rules.model import ComponentRule
from competition_app.rules.presets import load_preset
from competition_app.rules.serialise import rule_set_to_dict
from competition_app.services import audit
from competition_app.services.auth import require
from competition_app.services.sheets import fingerprint
from competition_app.tasks import NO_PROGRESS, Progress
from db.models import (
    Competition,
    Component,
    Entry,
    Event,
    EventGroup,
    Judge,
    JudgeAssignment,
    MarkingAspect,
    Person,
    PersonAchievement,
    RuleSet,
    Score,
    ScoreSheet,
    Unit,
)

JINING_COMPETITION = '2026年济宁市"运河之星"职业技能大赛'
SICHUAN_COMPETITION = '2026年"四川工匠杯"职业技能大赛'
WORLDSKILLS_COMPETITION = "第49届世界技能大赛山东省选拔赛"
DEMO_COMPETITION_NAMES = (JINING_COMPETITION, SICHUAN_COMPETITION, WORLDSKILLS_COMPETITION)


class DemoAlreadyPresentError(Exception):
    """The demo competitions are already in the database; the message is Chinese."""


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """How much ``create_demo`` wrote."""

    competitions: int
    events: int
    people: int
    entries: int
    judges: int
    scores: int

    def describe(self) -> str:
        """One Chinese line for a status bar or the command line."""
        return _(
            "{competitions} 项赛事，{events} 个赛项，{people} 名选手，{entries} 人次报名，"
            "{judges} 名裁判，{scores} 条评分"
        ).format(
            competitions=self.competitions,
            events=self.events,
            people=self.people,
            entries=self.entries,
            judges=self.judges,
            scores=self.scores,
        )


# --- where people come from -----------------------------------------------------------------

# Real administrative division codes (GB/T 2260), grouped by city: an ID number's first six digits.
_CITIES: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "济宁市": (
        "山东省",
        (
            ("370811", "任城区"), ("370812", "兖州区"), ("370826", "微山县"), ("370827", "鱼台县"),
            ("370828", "金乡县"), ("370829", "嘉祥县"), ("370830", "汶上县"), ("370831", "泗水县"),
            ("370832", "梁山县"), ("370881", "曲阜市"), ("370883", "邹城市"),
        ),
    ),
    "济南市": ("山东省", (("370102", "历下区"), ("370103", "市中区"), ("370112", "历城区"))),
    "青岛市": ("山东省", (("370202", "市南区"), ("370203", "市北区"), ("370211", "黄岛区"))),
    "淄博市": ("山东省", (("370302", "淄川区"), ("370303", "张店区"))),
    "烟台市": ("山东省", (("370602", "芝罘区"), ("370613", "莱山区"))),
    "潍坊市": ("山东省", (("370702", "潍城区"), ("370705", "奎文区"))),
    "成都市": (
        "四川省",
        (
            ("510104", "锦江区"), ("510105", "青羊区"), ("510106", "金牛区"), ("510107", "武侯区"),
            ("510108", "成华区"), ("510112", "龙泉驿区"), ("510116", "双流区"),
        ),
    ),
    "自贡市": ("四川省", (("510302", "自流井区"), ("510303", "贡井区"))),
    "德阳市": ("四川省", (("510603", "旌阳区"), ("510604", "罗江区"))),
    "绵阳市": ("四川省", (("510703", "涪城区"), ("510704", "游仙区"), ("510705", "安州区"))),
    "宜宾市": ("四川省", (("511502", "翠屏区"), ("511503", "南溪区"), ("511504", "叙州区"))),
}  # fmt: skip

_REGION_NAMES = {
    code: f"{province}{city}{district}"
    for city, (province, districts) in _CITIES.items()
    for code, district in districts
}


@dataclass(frozen=True, slots=True)
class _UnitSpec:
    name: str
    kind: str
    city: str
    # The district an enterprise sits in; None where only the city is certain (real schools).
    district_code: str | None = None

    @property
    def region(self) -> str:
        if self.district_code is not None:
            return _REGION_NAMES[self.district_code]
        return _CITIES[self.city][0] + self.city

    @property
    def city_codes(self) -> tuple[str, ...]:
        return tuple(code for code, _district in _CITIES[self.city][1])


_ENTERPRISE = "企业"
_SCHOOL = "院校"
_AGENCY = "机关事业单位"
_SOCIETY = "社会组织"
_CARE = "社会服务机构"

# Enterprises and care homes are invented; schools and public bodies are real public institutions.
_UNITS = (
    # 济宁: manufacturing, power, catering, elderly care, software
    _UnitSpec("济宁华创机械制造有限公司", _ENTERPRISE, "济宁市", "370811"),
    _UnitSpec("兖州泰鼎重工装备有限公司", _ENTERPRISE, "济宁市", "370812"),
    _UnitSpec("邹城恒润矿山机械有限公司", _ENTERPRISE, "济宁市", "370883"),
    _UnitSpec("嘉祥宏远钢结构工程有限公司", _ENTERPRISE, "济宁市", "370829"),
    _UnitSpec("梁山通达专用车制造有限公司", _ENTERPRISE, "济宁市", "370832"),
    _UnitSpec("济宁精工液压件有限公司", _ENTERPRISE, "济宁市", "370811"),
    _UnitSpec("汶上银河精密机械有限公司", _ENTERPRISE, "济宁市", "370830"),
    _UnitSpec("兖州晟达电力安装工程有限公司", _ENTERPRISE, "济宁市", "370812"),
    _UnitSpec("曲阜圣源电气设备有限公司", _ENTERPRISE, "济宁市", "370881"),
    _UnitSpec("微山湖西电力工程有限公司", _ENTERPRISE, "济宁市", "370826"),
    _UnitSpec("曲阜杏坛餐饮管理有限公司", _ENTERPRISE, "济宁市", "370881"),
    _UnitSpec("济宁运河人家酒店有限公司", _ENTERPRISE, "济宁市", "370811"),
    _UnitSpec("微山湖渔家宴餐饮有限公司", _ENTERPRISE, "济宁市", "370826"),
    _UnitSpec("邹城峄山餐饮管理有限公司", _ENTERPRISE, "济宁市", "370883"),
    _UnitSpec("济宁任城颐康养老服务中心", _CARE, "济宁市", "370811"),
    _UnitSpec("邹城福康老年公寓", _CARE, "济宁市", "370883"),
    _UnitSpec("兖州安宁护理院", _CARE, "济宁市", "370812"),
    _UnitSpec("金乡康乐养老服务中心", _CARE, "济宁市", "370828"),
    _UnitSpec("济宁运河数字科技有限公司", _ENTERPRISE, "济宁市", "370811"),
    _UnitSpec("济宁云帆软件有限公司", _ENTERPRISE, "济宁市", "370811"),
    _UnitSpec("曲阜儒源信息技术有限公司", _ENTERPRISE, "济宁市", "370881"),
    _UnitSpec("济宁市技师学院", _SCHOOL, "济宁市"),
    _UnitSpec("济宁职业技术学院", _SCHOOL, "济宁市"),
    _UnitSpec("山东理工职业学院", _SCHOOL, "济宁市"),
    _UnitSpec("济宁市高级职业学校", _SCHOOL, "济宁市"),
    _UnitSpec("济宁市职业技能评价指导中心", _AGENCY, "济宁市"),
    _UnitSpec("济宁市机械工程学会", _SOCIETY, "济宁市"),
    _UnitSpec("济宁市电力行业协会", _SOCIETY, "济宁市"),
    _UnitSpec("济宁市烹饪协会", _SOCIETY, "济宁市"),
    _UnitSpec("济宁市养老服务协会", _SOCIETY, "济宁市"),
    _UnitSpec("济宁市软件行业协会", _SOCIETY, "济宁市"),
    # 四川
    _UnitSpec("四川天府智造机器人有限公司", _ENTERPRISE, "成都市", "510112"),
    _UnitSpec("绵阳科瑞精密装备有限公司", _ENTERPRISE, "绵阳市", "510703"),
    _UnitSpec("德阳川西重型装备有限公司", _ENTERPRISE, "德阳市", "510603"),
    _UnitSpec("宜宾江源智能制造有限公司", _ENTERPRISE, "宜宾市", "511502"),
    _UnitSpec("成都蜀电电力工程有限公司", _ENTERPRISE, "成都市", "510107"),
    _UnitSpec("自贡盐都电气安装有限公司", _ENTERPRISE, "自贡市", "510302"),
    _UnitSpec("成都市技师学院", _SCHOOL, "成都市"),
    _UnitSpec("四川工程职业技术大学", _SCHOOL, "德阳市"),
    _UnitSpec("绵阳职业技术学院", _SCHOOL, "绵阳市"),
    _UnitSpec("四川省职业技能评价指导中心", _AGENCY, "成都市"),
    _UnitSpec("西南交通大学", _SCHOOL, "成都市"),
    _UnitSpec("成都航空职业技术学院", _SCHOOL, "成都市"),
    _UnitSpec("四川省电力行业协会", _SOCIETY, "成都市"),
    # 山东 (the WorldSkills selection)
    _UnitSpec("山东劳动职业技术学院", _SCHOOL, "济南市"),
    _UnitSpec("青岛市技师学院", _SCHOOL, "青岛市"),
    _UnitSpec("淄博职业学院", _SCHOOL, "淄博市"),
    _UnitSpec("潍坊职业学院", _SCHOOL, "潍坊市"),
    _UnitSpec("烟台职业学院", _SCHOOL, "烟台市"),
    _UnitSpec("青岛海岸线网络科技有限公司", _ENTERPRISE, "青岛市", "370202"),
    _UnitSpec("山东省职业技能评价指导中心", _AGENCY, "济南市"),
    _UnitSpec("山东电子职业技术学院", _SCHOOL, "济南市"),
    _UnitSpec("山东科技职业学院", _SCHOOL, "潍坊市"),
    _UnitSpec("山东省软件行业协会", _SOCIETY, "济南市"),
)
_UNITS_BY_NAME = {unit.name: unit for unit in _UNITS}

# Common surnames, roughly by frequency; 孔, 颜 and 孟 are frequent around 曲阜 and 邹城.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔颜"
)
_SURNAME_WEIGHTS = tuple(max(1, 40 - index // 2) for index in range(len(_SURNAMES)))
_MALE_GIVEN = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁凯浩宇轩博文建国志海峰亮龙东林成俊晨阳帅振德庆"
_FEMALE_GIVEN = "芳娜敏静丽艳娟霞燕玲婷雪慧红梅琳颖欣倩萍洁璐悦佳琪雯月丹蕾晶岚秀"
_PHONE_PREFIXES = ("135", "138", "139", "150", "152", "158", "159", "182", "187", "130", "155", "186", "133", "153",
                   "177", "189")  # fmt: skip
_JUDGE_TITLES = ("高级技师", "高级工程师", "正高级讲师", "高级讲师", "技师")

# Ages by status at the event's first day: students 17–21, workers 22–55 (most in their thirties).
_AGE_RANGES = {
    PersonStatus.STUDENT: (17, 21, 19),
    PersonStatus.WORKER: (22, 55, 32),
    PersonStatus.TEACHER: (26, 50, 36),
}


# --- what the competitions hold -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ComponentSpec:
    name: str
    kind: ComponentKind
    weight: str
    panel_method: PanelMethod = PanelMethod.SINGLE
    panel_size: int = 1
    decimals: int = 1
    spread_threshold: str | None = None
    time_limit_minutes: int | None = None


_THEORY_30 = _ComponentSpec("理论知识", ComponentKind.THEORY, "0.3000", time_limit_minutes=90)
_PRACTICAL_70 = _ComponentSpec(
    "技能操作", ComponentKind.PRACTICAL, "0.7000", PanelMethod.TRIMMED_MEAN, 5, 1, "15", time_limit_minutes=150
)
_SICHUAN_ROBOTICS = (
    _ComponentSpec("理论知识", ComponentKind.THEORY, "0.2500", time_limit_minutes=90),
    _ComponentSpec(
        "技能操作", ComponentKind.PRACTICAL, "0.5500", PanelMethod.TRIMMED_MEAN, 5, 1, "15", time_limit_minutes=180
    ),
    _ComponentSpec("答辩", ComponentKind.DEFENCE, "0.2000", PanelMethod.MEAN, 3, 1, "10", time_limit_minutes=15),
)
_WORLDSKILLS_PRACTICAL = _ComponentSpec(
    "技能操作", ComponentKind.PRACTICAL, "1.0000", PanelMethod.WORLDSKILLS, 3, 2, time_limit_minutes=900
)


@dataclass(frozen=True, slots=True)
class _ScoringPlan:
    """How far marking has got in an event when the demo is taken."""

    theory: SheetState | None = None  # None: no theory marks yet
    practical_share: float = 0.0  # share of the field marked, in bib order
    practical_state: SheetState = SheetState.ENTERING
    second_pass_share: float = 0.0  # share of the marked practical sheets keyed a second time
    defence_share: float = 0.0
    plant_outlier: bool = False  # one panel whose spread exceeds the threshold
    plant_typo: bool = False  # one second keying with transposed digits


W, T, S = PersonStatus.WORKER, PersonStatus.TEACHER, PersonStatus.STUDENT
_WORKERS_AND_TEACHERS = (W, T)


@dataclass(frozen=True, slots=True)
class _GroupSpec:
    name: str
    allowed: tuple[PersonStatus, ...]  # () = anyone
    size: int
    sources: tuple[tuple[str, PersonStatus, int], ...]  # (unit, status, weight)


def _workers(size: int, *sources: tuple[str, PersonStatus, int]) -> _GroupSpec:
    return _GroupSpec("职工组", _WORKERS_AND_TEACHERS, size, sources)


def _students(size: int, *sources: tuple[str, PersonStatus, int]) -> _GroupSpec:
    return _GroupSpec("学生组", (S,), size, sources)


@dataclass(frozen=True, slots=True)
class _EventSpec:
    name: str
    code: str
    occupation_code: str | None
    tier_class: TierClass | None
    rule_set: str  # the _RuleSetSpec.key of the competition rule set it follows
    start: date
    male_share: float
    groups: tuple[_GroupSpec, ...]
    components: tuple[_ComponentSpec, ...]
    judge_units: tuple[str, ...]
    plan: _ScoringPlan
    anonymous: bool = False
    max_age: int | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class _RuleSetSpec:
    """A competition's copy of a preset; ``key`` is how the demo's events refer to it."""

    key: str
    preset_key: str
    name: str
    components: tuple[ComponentRule, ...] | None = None  # replaces the preset's component split


@dataclass(frozen=True, slots=True)
class _CompetitionSpec:
    name: str
    short_name: str
    level: Level
    tier_class: TierClass
    region: str
    organiser: str
    host: str
    start: date
    end: date
    certificate_number_format: str
    rule_sets: tuple[_RuleSetSpec, ...]
    events: tuple[_EventSpec, ...]
    year: int = 2026


_JINING_WORKERS_JUDGES = ("济宁市职业技能评价指导中心", "济宁市机械工程学会", "山东劳动职业技术学院")

_JINING = _CompetitionSpec(
    name=JINING_COMPETITION,
    short_name="运河之星",
    level=Level.MUNICIPAL,
    # The city runs 一类 and 二类 events under one name, so the class lives on each event.
    tier_class=TierClass.NONE,
    region="济宁市",
    organiser="济宁市人力资源和社会保障局、济宁市总工会",
    host="济宁市技师学院",
    start=date(2026, 4, 20),
    end=date(2026, 7, 10),
    certificate_number_format="JN{year}-{event_code}-{seq:04d}",
    rule_sets=(
        _RuleSetSpec("municipal_class_1_jining", "municipal_class_1_jining", '市级一类（济宁"运河之星"）'),
        _RuleSetSpec("municipal_class_2_jining", "municipal_class_2_jining", '市级二类（济宁"运河之星"）'),
    ),
    events=(
        _EventSpec(
            "焊工", "HG", "6-18-02-04", TierClass.CLASS_1, "municipal_class_1_jining", date(2026, 5, 12), 0.92,
            (
                _workers(32, ("济宁华创机械制造有限公司", W, 3), ("兖州泰鼎重工装备有限公司", W, 3),
                         ("邹城恒润矿山机械有限公司", W, 2), ("嘉祥宏远钢结构工程有限公司", W, 2),
                         ("梁山通达专用车制造有限公司", W, 2), ("济宁市技师学院", T, 1)),
                _students(22, ("济宁市技师学院", S, 3), ("山东理工职业学院", S, 2), ("济宁市高级职业学校", S, 1)),
            ),
            (_THEORY_30, _PRACTICAL_70),
            _JINING_WORKERS_JUDGES,
            _ScoringPlan(SheetState.LOCKED, 1.0, SheetState.ENTERING, 0.4, plant_outlier=True, plant_typo=True),
            anonymous=True,
            notes="焊接试件以加密号送检，评分结束后由裁判长解密。",
        ),
        _EventSpec(
            "电工", "DG", "6-31-01-03", TierClass.CLASS_1, "municipal_class_1_jining", date(2026, 5, 14), 0.9,
            (
                _workers(30, ("兖州晟达电力安装工程有限公司", W, 3), ("曲阜圣源电气设备有限公司", W, 2),
                         ("微山湖西电力工程有限公司", W, 2), ("济宁华创机械制造有限公司", W, 1),
                         ("济宁职业技术学院", T, 1)),
                _students(24, ("济宁市技师学院", S, 3), ("济宁职业技术学院", S, 2), ("山东理工职业学院", S, 2)),
            ),
            (_THEORY_30, _PRACTICAL_70),
            ("济宁市职业技能评价指导中心", "济宁市电力行业协会", "山东劳动职业技术学院"),
            _ScoringPlan(SheetState.LOCKED, 1.0, SheetState.LOCKED, 1.0),
        ),
        _EventSpec(
            "数控车工", "SCCG", None, TierClass.CLASS_2, "municipal_class_2_jining", date(2026, 5, 20), 0.85,
            (
                _workers(20, ("济宁华创机械制造有限公司", W, 2), ("兖州泰鼎重工装备有限公司", W, 2),
                         ("济宁精工液压件有限公司", W, 3), ("汶上银河精密机械有限公司", W, 2),
                         ("山东理工职业学院", T, 1)),
                _students(16, ("济宁市技师学院", S, 2), ("山东理工职业学院", S, 2)),
            ),
            (_THEORY_30, _PRACTICAL_70),
            _JINING_WORKERS_JUDGES,
            _ScoringPlan(SheetState.ENTERING, 0.5),
        ),
        _EventSpec(
            "中式烹调师", "ZSPT", "4-03-02-01", TierClass.CLASS_2, "municipal_class_2_jining", date(2026, 5, 26), 0.7,
            (
                _workers(22, ("曲阜杏坛餐饮管理有限公司", W, 3), ("济宁运河人家酒店有限公司", W, 3),
                         ("微山湖渔家宴餐饮有限公司", W, 2), ("邹城峄山餐饮管理有限公司", W, 2),
                         ("济宁市技师学院", T, 1)),
                _students(14, ("济宁市技师学院", S, 2), ("济宁市高级职业学校", S, 2)),
            ),
            (_THEORY_30, _PRACTICAL_70),
            ("济宁市职业技能评价指导中心", "济宁市烹饪协会"),
            _ScoringPlan(SheetState.ENTERING),
            anonymous=True,
            notes="菜品以加密号呈送评判。",
        ),
        _EventSpec(
            "养老护理员", "YLHL", "4-10-01-05", TierClass.CLASS_2, "municipal_class_2_jining", date(2026, 6, 3), 0.15,
            (
                _workers(18, ("济宁任城颐康养老服务中心", W, 3), ("邹城福康老年公寓", W, 2),
                         ("兖州安宁护理院", W, 2), ("金乡康乐养老服务中心", W, 2)),
                _students(12, ("济宁职业技术学院", S, 2), ("济宁市高级职业学校", S, 1)),
            ),
            (_THEORY_30, _PRACTICAL_70),
            ("济宁市职业技能评价指导中心", "济宁市养老服务协会"),
            _ScoringPlan(SheetState.ENTERING),
        ),
        _EventSpec(
            "计算机程序设计员", "JSJCX", None, TierClass.CLASS_2, "municipal_class_2_jining", date(2026, 7, 7), 0.65,
            (
                _workers(14, ("济宁运河数字科技有限公司", W, 3), ("济宁云帆软件有限公司", W, 3),
                         ("曲阜儒源信息技术有限公司", W, 2), ("济宁职业技术学院", T, 1)),
                _students(18, ("济宁职业技术学院", S, 3), ("山东理工职业学院", S, 2), ("济宁市技师学院", S, 1)),
            ),
            (_THEORY_30, _PRACTICAL_70),
            ("济宁市职业技能评价指导中心", "济宁市软件行业协会"),
            _ScoringPlan(),
        ),
    ),
)  # fmt: skip

_SICHUAN = _CompetitionSpec(
    name=SICHUAN_COMPETITION,
    short_name="四川工匠杯",
    level=Level.PROVINCIAL,
    tier_class=TierClass.CLASS_1,
    region="四川省",
    organiser="四川省人力资源和社会保障厅",
    host="成都市技师学院",
    start=date(2026, 6, 8),
    end=date(2026, 6, 12),
    certificate_number_format="SCGJB{year}-{event_code}-{seq:04d}",
    rule_sets=(
        _RuleSetSpec("provincial_class_1_sichuan", "provincial_class_1_sichuan", "省级一类（四川工匠杯）"),
        _RuleSetSpec(
            "sichuan_defence",
            "provincial_class_1_sichuan",
            "省级一类（四川工匠杯，理论25% + 实操55% + 答辩20%）",
            (
                ComponentRule("理论知识", ComponentKind.THEORY, Decimal("0.25"), pass_mark=Decimal(60),
                              source="四川工匠杯含答辩赛项：理论25% [cited]"),
                ComponentRule("技能操作", ComponentKind.PRACTICAL, Decimal("0.55"), panel=PanelMethod.TRIMMED_MEAN,
                              panel_size=5, pass_mark=Decimal(60), spread_threshold=Decimal(15),
                              source="实操55%，5名裁判去掉最高最低分 [cited]"),
                ComponentRule("答辩", ComponentKind.DEFENCE, Decimal("0.20"), panel=PanelMethod.MEAN, panel_size=3,
                              spread_threshold=Decimal(10), source="答辩20%，3名裁判取平均 [cited]"),
            ),
        ),
    ),
    events=(
        _EventSpec(
            "工业机器人系统操作员", "GYJQR", "6-30-99-00", None, "sichuan_defence", date(2026, 6, 9), 0.85,
            (
                _workers(34, ("四川天府智造机器人有限公司", W, 3), ("绵阳科瑞精密装备有限公司", W, 2),
                         ("德阳川西重型装备有限公司", W, 2), ("宜宾江源智能制造有限公司", W, 2),
                         ("成都市技师学院", T, 1)),
                # 28 < 30: below the provincial minimum, to be warned about (not refused).
                _students(28, ("成都市技师学院", S, 3), ("四川工程职业技术大学", S, 3), ("绵阳职业技术学院", S, 2)),
            ),
            _SICHUAN_ROBOTICS,
            ("四川省职业技能评价指导中心", "西南交通大学", "成都航空职业技术学院"),
            _ScoringPlan(SheetState.VERIFIED, 1.0, defence_share=0.6),
        ),
        _EventSpec(
            "电工", "DG", "6-31-01-03", None, "provincial_class_1_sichuan", date(2026, 6, 10), 0.9,
            (
                _workers(32, ("成都蜀电电力工程有限公司", W, 3), ("自贡盐都电气安装有限公司", W, 2),
                         ("四川天府智造机器人有限公司", W, 1), ("德阳川西重型装备有限公司", W, 1),
                         ("四川工程职业技术大学", T, 1)),
            ),
            (_THEORY_30, _PRACTICAL_70),
            ("四川省职业技能评价指导中心", "四川省电力行业协会", "西南交通大学"),
            _ScoringPlan(SheetState.ENTERING),
        ),
    ),
)  # fmt: skip

_WORLDSKILLS = _CompetitionSpec(
    name=WORLDSKILLS_COMPETITION,
    short_name="世赛山东选拔赛",
    level=Level.PROVINCIAL,
    tier_class=TierClass.CLASS_1,
    region="山东省",
    organiser="山东省人力资源和社会保障厅",
    host="山东劳动职业技术学院",
    start=date(2026, 6, 22),
    end=date(2026, 6, 25),
    certificate_number_format="SDWS{year}-{event_code}-{seq:04d}",
    rule_sets=(
        _RuleSetSpec("worldskills_selection", "worldskills", "世赛选拔赛（山东省，世赛评分）"),
    ),
    events=(
        _EventSpec(
            "网站技术", "WZJS", None, None, "worldskills_selection", date(2026, 6, 23), 0.6,
            (
                _GroupSpec(
                    "青年组", (), 20,
                    (("山东劳动职业技术学院", S, 2), ("青岛市技师学院", S, 2), ("淄博职业学院", S, 2),
                     ("潍坊职业学院", S, 1), ("烟台职业学院", S, 1), ("济宁职业技术学院", S, 1),
                     ("青岛海岸线网络科技有限公司", W, 1)),
                ),
            ),
            (_WORLDSKILLS_PRACTICAL,),
            ("山东省职业技能评价指导中心", "山东电子职业技术学院", "山东科技职业学院", "山东省软件行业协会"),
            _ScoringPlan(practical_share=0.5),
            max_age=22,
            notes="对应世界技能大赛 Web Technologies 项目；参照世赛年龄要求，选手不超过22周岁。",
        ),
    ),
)  # fmt: skip

_COMPETITIONS = (_JINING, _SICHUAN, _WORLDSKILLS)


@dataclass(frozen=True, slots=True)
class _SharedPeople:
    """People entered in more than one (competition, event, group), one unit each."""

    slots: tuple[tuple[str, str, str], ...]
    sources: tuple[tuple[str, PersonStatus], ...]


_SHARED = (
    # Machinists who weld as well: two events of one competition.
    _SharedPeople(
        ((JINING_COMPETITION, "焊工", "职工组"), (JINING_COMPETITION, "数控车工", "职工组")),
        (("济宁华创机械制造有限公司", W), ("兖州泰鼎重工装备有限公司", W), ("邹城恒润矿山机械有限公司", W)),
    ),
    # Students who also try for the WorldSkills team: two competitions.
    _SharedPeople(
        ((JINING_COMPETITION, "计算机程序设计员", "学生组"), (WORLDSKILLS_COMPETITION, "网站技术", "青年组")),
        (("济宁职业技术学院", S), ("济宁职业技术学院", S)),
    ),
)

# The 回避 case: this judge's unit also sends contestants to the event they judge.
_CONFLICT = (JINING_COMPETITION, "焊工", "济宁华创机械制造有限公司")
_WITHDRAWAL = (JINING_COMPETITION, "数控车工", "职工组")


# --- the WorldSkills-style marking scheme (CIS shape) -----------------------------------------


@dataclass(frozen=True, slots=True)
class _AspectSpec:
    aspect_type: AspectType
    description: str
    max_mark: str
    wsos_section: int
    requirement: str | None = None
    deduction: bool = False  # M aspects that lose 0.5 per error instead of all or nothing


def _m(description: str, max_mark: str, wsos: int, requirement: str | None = None) -> _AspectSpec:
    return _AspectSpec(AspectType.MEASUREMENT, description, max_mark, wsos, requirement, requirement is not None)


def _j(description: str, max_mark: str, wsos: int) -> _AspectSpec:
    return _AspectSpec(AspectType.JUDGEMENT, description, max_mark, wsos)


_DEDUCTION = "REGULAR_DIFFERENCE_DEDUCTION"
_DEDUCTION_STEP = Decimal("0.5")

# WSOS sections: 1 工作组织与管理, 2 沟通与人际交往, 3 设计实现, 4 前端开发, 5 后端开发. Total 100 marks.
_WEB_SCHEME: tuple[tuple[str, str, tuple[tuple[str, str, tuple[_AspectSpec, ...]], ...]], ...] = (
    ("A", "设计实现", (
        ("A1", "页面布局与配色", (
            _j("页面布局与设计稿的一致性", "3.00", 3),
            _j("留白、间距与视觉层次", "2.00", 3),
            _m("页头、首屏、简介、报名、页脚五个区块齐全", "2.00", 3, "每缺少一个区块扣0.5分"),
            _m("使用任务书规定的配色与字体", "1.50", 3),
            _m("网站图标（favicon）在标签页正确显示", "0.50", 3),
        )),
        ("A2", "动效与交互", (
            _j("动画与过渡效果的完成质量", "3.00", 3),
            _m("导航菜单悬停下划线效果符合设计稿", "1.00", 3),
            _m("首屏图片每5秒淡入淡出切换", "1.50", 3, "切换生硬或间隔不对扣0.5分"),
            _m("“立即报名”按钮自左向右的颜色过渡", "1.00", 3),
        )),
        ("A3", "响应式设计", (
            _j("桌面、平板、手机三种视口下的整体表现", "4.00", 3),
            _m("视口宽度小于650px时导航折叠为菜单按钮", "1.50", 3),
            _m("图片与媒体等比缩放，无拉伸或像素化", "1.00", 3, "每处变形扣0.5分"),
            _m("横竖屏切换时布局无错位", "1.00", 3),
        )),
        ("A4", "工作组织与文档", (
            _m("按任务书规定的目录结构和文件命名提交", "2.00", 1, "每处不符扣0.5分"),
            _m("提交说明文档，写明运行方法", "1.00", 2),
            _j("代码结构清晰、缩进与注释规范", "2.00", 1),
            _m("无障碍检查无严重错误", "2.00", 3, "每个严重错误扣0.5分"),
        )),
    )),
    ("B", "前端开发", (
        ("B1", "页面交互", (
            _m("倒计时组件每秒更新剩余天、时、分、秒", "2.00", 4, "每缺一项扣0.5分"),
            _m("报名弹窗可以打开和关闭", "1.50", 4),
            _m("报名表单包含姓名、出生日期、场次选择", "1.50", 4, "每缺一项扣0.5分"),
            _m("表单必填项校验并给出中文提示", "2.00", 4),
            _j("交互体验的流畅性与一致性", "3.00", 4),
        )),
        ("B2", "数据展示", (
            _m("从接口加载赛程数据并渲染列表", "3.00", 4),
            _m("列表支持按日期筛选", "2.00", 4),
            _m("加载失败时显示错误提示", "1.50", 4),
            _m("页脚年份由脚本自动生成", "1.00", 4),
            _j("数据展示的可读性", "2.50", 4),
        )),
        ("B3", "代码质量", (
            _m("浏览器控制台无报错", "2.00", 4, "每个报错扣0.5分"),
            _m("未使用任务书禁止的第三方框架", "2.00", 4),
            _j("脚本结构与可维护性", "3.00", 4),
            _m("页面通过 HTML 校验无错误", "3.00", 4, "每个错误扣0.5分"),
        )),
    )),
    ("C", "后端开发", (
        ("C1", "接口实现", (
            _m("赛程查询接口返回正确的 JSON", "3.00", 5),
            _m("报名接口将数据写入数据库", "3.00", 5),
            _m("重复报名返回409并给出提示", "2.00", 5),
            _m("非法参数返回422", "2.00", 5),
        )),
        ("C2", "数据与安全", (
            _m("数据库结构符合任务书", "2.00", 5, "每处不符扣0.5分"),
            _m("密码以加盐哈希形式存储", "2.00", 5),
            _m("查询使用参数绑定，防止 SQL 注入", "2.00", 5),
            _j("后端代码结构与分层", "4.00", 5),
        )),
    )),
    ("D", "限时任务与沟通", (
        ("D1", "限时任务", (
            _m("在30分钟内完成指定组件", "5.00", 1),
            _m("组件功能全部正确", "5.00", 5, "每处功能错误扣0.5分"),
        )),
        ("D2", "需求沟通", (
            _j("向客户讲解实现方案的清晰程度", "4.00", 2),
            _j("对需求变更的理解与响应", "3.00", 2),
            _m("按时提交工作日志", "3.00", 1),
        )),
    )),
)  # fmt: skip


def _descriptors(description: str) -> list[str]:
    """The WorldSkills meaning of judgement scores 0–3, spelled out for one aspect."""
    return [
        f"0分：低于行业标准，{description}存在明显缺陷",
        f"1分：达到行业标准，{description}基本符合要求",
        f"2分：达到并在某些方面超出行业标准，{description}良好",
        f"3分：远超行业标准，{description}出色",
    ]


# --- building ---------------------------------------------------------------------------------

_BEIJING = timezone(timedelta(hours=8))
_STEP_COUNT = 8

ScoreRow = dict[str, Any]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Beijing wall-clock moment as the aware UTC datetime the database stores."""
    return datetime.combine(day, time(hour, minute), _BEIJING).astimezone(UTC)


def _mark(raw: float, step: Decimal, maximum: Decimal) -> Decimal:
    """``raw`` clamped to [0, maximum] and rounded to a multiple of ``step``, exactly."""
    steps = round(min(max(raw, 0.0), float(maximum)) / float(step))
    return min(Decimal(steps) * step, maximum)


def _birth_date(rng: random.Random, age: int, on: date) -> date:
    """A birth date that makes the person exactly ``age`` on ``on``."""
    latest = on.replace(year=on.year - age)
    earliest = on.replace(year=on.year - age - 1) + timedelta(days=1)
    return earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))


@dataclass(slots=True)
class _BuiltEvent:
    spec: _EventSpec
    competition: _CompetitionSpec
    event: Event
    groups: dict[str, EventGroup]
    components: list[Component]
    entries: list[Entry] = field(default_factory=list)
    abilities: list[float] = field(default_factory=list)  # the level marks are drawn around
    practical_marked: list[bool] = field(default_factory=list)
    panel: list[Judge] = field(default_factory=list)  # judges by seat, seat 1 first


class _DemoBuilder:
    """Writes the demo in steps; every random choice comes from one seeded generator, in order."""

    def __init__(self, session: Session, progress: Progress, seed: int) -> None:
        self.session = session
        self.progress = progress
        self.seed = seed
        self.rng = random.Random(seed)
        self.units: dict[str, Unit] = {}
        self.competitions: dict[str, Competition] = {}
        self.events: list[_BuiltEvent] = []
        self.people: list[Person] = []
        self.judges: list[Judge] = []
        self.score_count = 0
        self.taken_ids: set[str] = set()
        # (competition, event, group) → people entered there, in registration order
        self.fields: dict[tuple[str, str, str], list[Person]] = {}

    def step(self, done: int, text: str) -> None:
        self.progress.report(done, _STEP_COUNT, text)

    # -- existing data -------------------------------------------------------------------------

    def refuse_if_present(self) -> None:
        present = self.session.scalars(
            select(Competition.name).where(Competition.name.in_(DEMO_COMPETITION_NAMES)).order_by(Competition.name)
        ).all()
        if present:
            raise DemoAlreadyPresentError(_("演示数据已存在：{names}").format(names="、".join(present)))
        # Real people may share the database; a synthetic number must never collide with theirs.
        self.taken_ids = set(self.session.scalars(select(Person.id_number)))

    # -- units ---------------------------------------------------------------------------------

    def create_units(self) -> None:
        names = [spec.name for spec in _UNITS]
        existing = {unit.name: unit for unit in self.session.scalars(select(Unit).where(Unit.name.in_(names)))}
        for spec in _UNITS:
            unit = existing.get(spec.name)
            if unit is None:
                unit = Unit(name=spec.name, region=spec.region, kind=spec.kind)
                self.session.add(unit)
            self.units[spec.name] = unit
        self.session.flush()

    # -- competitions, events, rules -----------------------------------------------------------

    def create_competitions(self) -> None:
        for spec in _COMPETITIONS:
            competition = Competition(
                name=spec.name,
                short_name=spec.short_name,
                year=spec.year,
                level=spec.level,
                tier_class=spec.tier_class,
                region=spec.region,
                organiser=spec.organiser,
                host=spec.host,
                start_date=spec.start,
                end_date=spec.end,
                status=CompetitionStatus.RUNNING,
                certificate_number_format=spec.certificate_number_format,
                notes=_("演示数据（随机种子 {seed}）：人员、企业与身份证号均为虚构。").format(seed=self.seed),
            )
            rule_sets = {rules.key: _rule_set_row(rules) for rules in spec.rule_sets}
            competition.rule_sets = list(rule_sets.values())
            for order, event_spec in enumerate(spec.events):
                competition.events.append(self._event(spec, event_spec, rule_sets[event_spec.rule_set], order))
            self.session.add(competition)
            self.competitions[spec.name] = competition
        self.session.flush()

    def _event(self, competition: _CompetitionSpec, spec: _EventSpec, rules: RuleSet, order: int) -> Event:
        started = spec.plan.theory is not None or spec.plan.practical_share > 0
        event = Event(
            rule_set=rules,
            name=spec.name,
            occupation=spec.name,
            occupation_code=spec.occupation_code,
            code=spec.code,
            tier_class=spec.tier_class,
            anonymous_marking=spec.anonymous,
            max_age=spec.max_age,
            start_date=spec.start,
            registration_open=not started,
            sort_order=order,
            notes=spec.notes,
        )
        groups = {
            group.name: EventGroup(
                name=group.name, allowed_statuses=[status.value for status in group.allowed], sort_order=index
            )
            for index, group in enumerate(spec.groups)
        }
        event.groups = list(groups.values())
        event.components = [
            Component(
                name=component.name,
                kind=component.kind,
                weight=Decimal(component.weight),
                max_score=Decimal(100),
                panel_method=component.panel_method,
                panel_size=component.panel_size,
                decimals=component.decimals,
                spread_threshold=None if component.spread_threshold is None else Decimal(component.spread_threshold),
                time_limit_minutes=component.time_limit_minutes,
                sort_order=index,
            )
            for index, component in enumerate(spec.components)
        ]
        for component in event.components:
            if component.panel_method is PanelMethod.WORLDSKILLS:
                component.aspects = _web_aspects()
        self.events.append(_BuiltEvent(spec, competition, event, groups, event.components))
        return event

    # -- people --------------------------------------------------------------------------------

    def create_people(self) -> None:
        specs = {(c.name, e.name): (c, e) for c in _COMPETITIONS for e in c.events}
        for shared in _SHARED:
            events = [specs[slot[:2]][1] for slot in shared.slots]
            on = min(event.start for event in events)
            for unit_name, status in shared.sources:
                # A year younger than the limits allow, so that they hold on the later event's day too.
                limits = [event.max_age for event in events if event.max_age] + [_AGE_RANGES[status][1]]
                person = self._person(_UNITS_BY_NAME[unit_name], status, on, events[0].male_share, min(limits) - 1)
                for slot in shared.slots:
                    self.fields.setdefault(slot, []).append(person)
        for competition in _COMPETITIONS:
            for event in competition.events:
                for group in event.groups:
                    self._fill_group(competition, event, group)
        self._add_history()
        self.session.add_all(self.people)

    def _fill_group(self, competition: _CompetitionSpec, event: _EventSpec, group: _GroupSpec) -> None:
        members = self.fields.setdefault((competition.name, event.name, group.name), [])
        sources = [(unit, status) for unit, status, _weight in group.sources]
        weights = [weight for _unit, _status, weight in group.sources]
        while len(members) < group.size:
            unit_name, status = self.rng.choices(sources, weights)[0]
            members.append(
                self._person(_UNITS_BY_NAME[unit_name], status, event.start, event.male_share, event.max_age)
            )
        # Registration order mixes units, as sign-up sheets arrive.
        self.rng.shuffle(members)

    def _person(
        self, unit: _UnitSpec, status: PersonStatus, on: date, male_share: float, max_age: int | None
    ) -> Person:
        rng = self.rng
        gender = Gender.MALE if rng.random() < male_share else Gender.FEMALE
        low, high, mode = _AGE_RANGES[status]
        high = min(high, max_age or high)
        low = min(low, high)
        age = min(max(round(rng.triangular(low, high, min(max(mode, low), high))), low), high)
        birth = _birth_date(rng, age, on)
        region_code = (
            unit.district_code if unit.district_code is not None and rng.random() < 0.6 else rng.choice(unit.city_codes)
        )
        person = Person(
            id_number=self._unique_id(region_code, birth, gender),
            name=self._name(gender),
            gender=gender,
            birth_date=birth,
            phone=f"{rng.choice(_PHONE_PREFIXES)}{rng.randrange(10**8):08d}",
            unit=self.units[unit.name],
            region=_REGION_NAMES[region_code],
            status=status,
            skill_level=_skill_level(rng, status, age),
        )
        self.people.append(person)
        return person

    def _unique_id(self, region_code: str, birth: date, gender: Gender) -> str:
        for _attempt in range(200):
            number = idcard.compose(region_code, birth, self.rng.randrange(100), gender)
            if number not in self.taken_ids:
                self.taken_ids.add(number)
                return number
        raise RuntimeError(f"no free ID number for {region_code} {birth}")  # pragma: no cover - 500 per day

    def _name(self, gender: Gender) -> str:
        surname = self.rng.choices(_SURNAMES, _SURNAME_WEIGHTS)[0]
        given = _MALE_GIVEN if gender is Gender.MALE else _FEMALE_GIVEN
        length = 1 if self.rng.random() < 0.25 else 2
        return surname + "".join(self.rng.choice(given) for _index in range(length))

    def _add_history(self) -> None:
        """Past titles and promotions the title and promotion rules must read."""
        jining_workers = [
            person
            for key in ((JINING_COMPETITION, "焊工", "职工组"), (JINING_COMPETITION, "电工", "职工组"))
            for person in self.fields[key]
            if person.status is PersonStatus.WORKER
            and person.birth_date is not None
            and age_on(person.birth_date, _JINING.start) >= 30
        ]
        for person in jining_workers[:2]:
            person.skill_level = SkillLevel.LEVEL_2
            person.achievements.append(
                PersonAchievement(
                    kind=AchievementKind.TITLE,
                    title="济宁市技术能手",
                    year=2024,
                    achieved_on=date(2024, 12, 18),
                    issuer="济宁市人力资源和社会保障局",
                    note='2024年济宁市"运河之星"职业技能大赛（一类）前三名，申报获评。',
                )
            )
        for person in jining_workers[2:4]:
            person.skill_level = SkillLevel.LEVEL_2
            person.achievements.append(
                PersonAchievement(
                    kind=AchievementKind.PROMOTION,
                    title="晋升技师（二级）",
                    skill_level=SkillLevel.LEVEL_2,
                    year=2025,
                    achieved_on=date(2025, 11, 6),
                    issuer="济宁市人力资源和社会保障局",
                    note='2025年济宁市"运河之星"职业技能大赛（二类）第一名，按规定晋升一级。',
                )
            )
        sichuan_worker = next(
            person for person in self.fields[(SICHUAN_COMPETITION, "电工", "职工组")] if person.status is W
        )
        sichuan_worker.achievements.append(
            PersonAchievement(
                kind=AchievementKind.TITLE,
                title="四川省技术能手",
                year=2024,
                achieved_on=date(2024, 10, 30),
                issuer="四川省人力资源和社会保障厅",
            )
        )
        web_student = self.fields[(WORLDSKILLS_COMPETITION, "网站技术", "青年组")][0]
        web_student.achievements.append(
            PersonAchievement(
                kind=AchievementKind.AWARD,
                title="2025年山东省职业院校技能大赛 网站开发赛项 一等奖",
                year=2025,
                achieved_on=date(2025, 4, 27),
                issuer="山东省教育厅",
            )
        )

    # -- entries -------------------------------------------------------------------------------

    def create_entries(self) -> None:
        for built in self.events:
            self._enter(built)
        self.session.flush()

    def _enter(self, built: _BuiltEvent) -> None:
        spec, rng = built.spec, self.rng
        key = (built.competition.name, spec.name)
        people = [(group_spec, person) for group_spec in spec.groups for person in self.fields[(*key, group_spec.name)]]
        anon_codes = rng.sample(range(1000, 10000), len(people)) if spec.anonymous else None
        plan = spec.plan
        started = plan.theory is not None or plan.practical_share > 0
        practical = next(c for c in spec.components if c.kind is ComponentKind.PRACTICAL)
        # Timed practicals record the time used, a tie-breaker; WorldSkills modules do not.
        timed = practical.time_limit_minutes is not None and practical.panel_method is not PanelMethod.WORLDSKILLS
        marked_count = round(plan.practical_share * len(people))
        bib = 0
        for group_index, group_spec in enumerate(spec.groups):
            members = [person for g, person in people if g is group_spec]
            stations = rng.sample(range(1, len(members) + 1), len(members))
            for person, station in zip(members, stations, strict=True):
                bib += 1
                withdrawn = (*key, group_spec.name) == _WITHDRAWAL and person is members[-1]
                marked = bib <= marked_count and not withdrawn
                if withdrawn:
                    status = EntryStatus.WITHDRAWN
                else:
                    status = EntryStatus.CHECKED_IN if started else EntryStatus.REGISTERED
                entry = Entry(
                    event=built.event,
                    group_id=built.groups[group_spec.name].id,
                    person=person,
                    unit=person.unit,
                    status=status,
                    bib=f"{spec.code}-{bib:03d}",
                    station=f"{'ABCD'[group_index]}{station:02d}",
                    anon_code=None if anon_codes is None else str(anon_codes[bib - 1]),
                    skill_level_at_entry=person.skill_level,
                    registered_at=_at(
                        built.competition.start - timedelta(days=rng.randint(12, 40)),
                        rng.randint(8, 20),
                        rng.randrange(60),
                    ),
                    checked_in_at=_at(spec.start, 7, rng.randrange(20, 60)) if started and not withdrawn else None,
                    notes=_("因工作安排退赛") if withdrawn else None,
                )
                if timed and marked and practical.time_limit_minutes is not None:
                    limit = practical.time_limit_minutes * 60
                    entry.practical_seconds = Decimal(rng.randint(limit * 7 // 10, limit))
                built.entries.append(entry)
                built.abilities.append(min(max(rng.gauss(72, 9), 38.0), 96.0))
                built.practical_marked.append(marked)
        self.session.add_all(built.entries)

    # -- judges --------------------------------------------------------------------------------

    def create_judges(self) -> None:
        for built in self.events:
            self._judge(built)
        self.session.flush()

    def _judge(self, built: _BuiltEvent) -> None:
        spec, rng = built.spec, self.rng
        competition_id = self.competitions[built.competition.name].id
        practical = next(c for c in built.components if c.kind is ComponentKind.PRACTICAL)
        assignments: list[JudgeAssignment] = []

        def new_judge(unit_name: str, title: str) -> Judge:
            unit = _UNITS_BY_NAME[unit_name]
            gender = Gender.MALE if rng.random() < 0.7 else Gender.FEMALE
            birth = _birth_date(rng, rng.randint(35, 60), spec.start)
            judge = Judge(
                competition_id=competition_id,
                name=self._name(gender),
                unit=self.units[unit_name],
                id_number=self._unique_id(rng.choice(unit.city_codes), birth, gender),
                phone=f"{rng.choice(_PHONE_PREFIXES)}{rng.randrange(10**8):08d}",
                title=title,
            )
            self.judges.append(judge)
            return judge

        chief = new_judge(spec.judge_units[0], "高级技师")
        assignments.append(JudgeAssignment(judge=chief, event_id=built.event.id, role=Role.CHIEF_JUDGE))
        for seat in range(1, practical.panel_size + 1):
            unit_name = rng.choice(spec.judge_units)
            if (built.competition.name, spec.name) == _CONFLICT[:2] and seat == 3:
                unit_name = _CONFLICT[2]
            judge = new_judge(unit_name, rng.choice(_JUDGE_TITLES))
            built.panel.append(judge)
            assignments.append(
                JudgeAssignment(judge=judge, event_id=built.event.id, component_id=practical.id, seat=seat)
            )
        for component in built.components:
            if component.kind is ComponentKind.DEFENCE:
                assignments.extend(
                    JudgeAssignment(judge=judge, event_id=built.event.id, component_id=component.id, seat=seat)
                    for seat, judge in enumerate(built.panel[: component.panel_size], start=1)
                )
        clerk = new_judge(spec.judge_units[0], "录分员")
        assignments.append(JudgeAssignment(judge=clerk, event_id=built.event.id, role=Role.CLERK))
        self.session.add_all(assignments)

    # -- scores --------------------------------------------------------------------------------

    def create_scores(self) -> None:
        rows: list[ScoreRow] = []
        sheets: list[ScoreSheet] = []
        for built in self.events:
            marker = _EventMarker(built, self.rng)
            rows.extend(marker.rows())
            sheets.extend(marker.sheets)
        if rows:
            # One executemany: the ORM sets Score.version itself.
            self.session.execute(insert(Score), rows)
        self.session.add_all(sheets)
        self.session.flush()
        # A locked sheet carries the fingerprint of its marks, as if the chief judge had signed it.
        for sheet in sheets:
            if sheet.state in (SheetState.LOCKED, SheetState.PUBLISHED):
                sheet.fingerprint = fingerprint(self.session, sheet.event_id, sheet.component_id)
        self.session.flush()
        self.score_count = len(rows)

    # -- audit ---------------------------------------------------------------------------------

    def summary(self) -> DemoSummary:
        return DemoSummary(
            competitions=len(self.competitions),
            events=len(self.events),
            people=len(self.people),
            entries=sum(len(built.entries) for built in self.events),
            judges=len(self.judges),
            scores=self.score_count,
        )

    def record(self, summary: DemoSummary) -> None:
        counts = {
            "competitions": summary.competitions,
            "events": summary.events,
            "people": summary.people,
            "entries": summary.entries,
            "judges": summary.judges,
            "scores": summary.scores,
        }
        audit.append(
            self.session,
            action="demo.create",
            entity_type="database",
            new_value={**counts, "seed": self.seed},
            reason=_("创建演示数据"),
        )


def _skill_level(rng: random.Random, status: PersonStatus, age: int) -> SkillLevel | None:
    if rng.random() < 0.05:
        return None  # never certified: happens, and rules must cope
    if status is PersonStatus.STUDENT:
        return rng.choices((SkillLevel.LEVEL_5, SkillLevel.LEVEL_4, SkillLevel.LEVEL_3), (3, 6, 1))[0]
    if status is PersonStatus.TEACHER:
        return rng.choices((SkillLevel.LEVEL_3, SkillLevel.LEVEL_2, SkillLevel.LEVEL_1), (3, 5, 2))[0]
    if age < 28:
        return rng.choices((SkillLevel.LEVEL_4, SkillLevel.LEVEL_3), (6, 4))[0]
    if age < 40:
        return rng.choices((SkillLevel.LEVEL_4, SkillLevel.LEVEL_3, SkillLevel.LEVEL_2), (2, 5, 3))[0]
    return rng.choices((SkillLevel.LEVEL_3, SkillLevel.LEVEL_2, SkillLevel.LEVEL_1), (4, 4, 2))[0]


def _web_aspects() -> list[MarkingAspect]:
    aspects: list[MarkingAspect] = []
    for criterion_code, criterion_name, sub_criteria in _WEB_SCHEME:
        for sub_code, sub_name, aspect_specs in sub_criteria:
            for spec in aspect_specs:
                judgement = spec.aspect_type is AspectType.JUDGEMENT
                aspects.append(
                    MarkingAspect(
                        criterion_code=criterion_code,
                        criterion_name=criterion_name,
                        sub_criterion_code=sub_code,
                        sub_criterion_name=sub_name,
                        aspect_type=spec.aspect_type,
                        description=spec.description,
                        requirement=spec.requirement,
                        max_mark=Decimal(spec.max_mark),
                        wsos_section=spec.wsos_section,
                        calculation=_DEDUCTION if spec.deduction else None,
                        descriptors=_descriptors(spec.description) if judgement else [],
                        sort_order=len(aspects),
                    )
                )
    return aspects


_SCORE_STATE = {
    SheetState.ENTERING: ScoreState.ENTERED,
    SheetState.VERIFIED: ScoreState.VERIFIED,
    SheetState.LOCKED: ScoreState.LOCKED,
    SheetState.PUBLISHED: ScoreState.LOCKED,
}


class _EventMarker:
    """Invents the marks of one event as far as its plan says marking has got."""

    def __init__(self, built: _BuiltEvent, rng: random.Random) -> None:
        self.built = built
        self.rng = rng
        self.plan = built.spec.plan
        self.sheets: list[ScoreSheet] = []
        # Withdrawn contestants sat nothing.
        self.field = [
            (entry, ability)
            for entry, ability in zip(built.entries, built.abilities, strict=True)
            if entry.status is not EntryStatus.WITHDRAWN
        ]
        self.marked = [
            (entry, ability)
            for entry, ability, marked in zip(built.entries, built.abilities, built.practical_marked, strict=True)
            if marked
        ]

    def rows(self) -> list[ScoreRow]:
        rows: list[ScoreRow] = []
        for component in self.built.components:
            if component.kind is ComponentKind.THEORY and self.plan.theory is not None:
                rows.extend(self._theory(component, self.plan.theory))
            elif component.panel_method is PanelMethod.WORLDSKILLS and self.marked:
                rows.extend(self._worldskills(component))
            elif component.kind is ComponentKind.PRACTICAL and self.marked:
                first_pass = self._panel(component, self.marked, self.plan.practical_state)
                rows.extend(first_pass)
                rows.extend(self._second_pass(first_pass))
            elif component.kind is ComponentKind.DEFENCE and self.plan.defence_share > 0:
                share = self.field[: round(self.plan.defence_share * len(self.field))]
                rows.extend(self._panel(component, share, SheetState.ENTERING))
        return rows

    def _row(
        self,
        entry: Entry,
        component: Component,
        value: Decimal,
        state: SheetState,
        *,
        judge: Judge | None = None,
        aspect: MarkingAspect | None = None,
        seat: int = 1,
    ) -> ScoreRow:
        start = self.built.spec.start
        entered = _at(start, 14 + self.rng.randrange(4), self.rng.randrange(60))
        return {
            "entry_id": entry.id,
            "team_id": None,
            "component_id": component.id,
            "judge_id": None if judge is None else judge.id,
            "aspect_id": None if aspect is None else aspect.id,
            "seat": seat,
            "pass_no": 1,
            "value": value,
            "state": _SCORE_STATE[state],
            "entered_at": entered,
            "verified_at": None if state is SheetState.ENTERING else _at(start + timedelta(days=1), 17),
            "note": None,
        }

    def _sheet(self, component: Component, state: SheetState, *, double_entry: bool) -> None:
        start = self.built.spec.start
        done = state is not SheetState.ENTERING
        self.sheets.append(
            ScoreSheet(
                event_id=self.built.event.id,
                component_id=component.id,
                state=state,
                double_entry=double_entry,
                verified_at=_at(start + timedelta(days=1), 17) if done else None,
                locked_at=_at(start + timedelta(days=2), 10) if state is SheetState.LOCKED else None,
            )
        )

    def _theory(self, component: Component, state: SheetState) -> list[ScoreRow]:
        # Machine-marked papers are imported, not keyed twice; half marks come from 0.5-point items.
        self._sheet(component, state, double_entry=False)
        return [
            self._row(
                entry, component, _mark(ability + self.rng.gauss(0, 6), Decimal("0.5"), component.max_score), state
            )
            for entry, ability in self.field
        ]

    def _panel(self, component: Component, marked: Sequence[tuple[Entry, float]], state: SheetState) -> list[ScoreRow]:
        self._sheet(component, state, double_entry=True)
        step = Decimal(1).scaleb(-component.decimals)
        judges = self.built.panel[: component.panel_size]
        leniency = [self.rng.gauss(0, 1.5) for _judge in judges]
        rows: list[ScoreRow] = []
        outlier_planted = not self.plan.plant_outlier or component.kind is not ComponentKind.PRACTICAL
        for entry, ability in marked:
            values = [_mark(ability + bias + self.rng.gauss(0, 2.5), step, component.max_score) for bias in leniency]
            if not outlier_planted and ability >= 55:
                # One judge far below the rest: the spread check must flag this panel.
                values[-1] = max(min(values[:-1]) - 16, Decimal(0))
                outlier_planted = True
            rows.extend(
                self._row(entry, component, value, state, judge=judge, seat=seat)
                for seat, (judge, value) in enumerate(zip(judges, values, strict=True), start=1)
            )
        return rows

    def _second_pass(self, first_pass: list[ScoreRow]) -> list[ScoreRow]:
        """The paper sheets keyed again (double entry), by bib order; optionally with one typo."""
        count = round(self.plan.second_pass_share * len(first_pass))
        second = [
            {**row, "pass_no": 2, "entered_at": row["entered_at"] + timedelta(hours=2)} for row in first_pass[:count]
        ]
        if self.plan.plant_typo:
            for row in second:
                whole = str(int(row["value"]))
                if len(whole) == 2 and whole[0] != whole[1]:
                    row["value"] = row["value"] + (int(whole[::-1]) - int(whole))
                    break
        return second

    def _worldskills(self, component: Component) -> list[ScoreRow]:
        self._sheet(component, SheetState.ENTERING, double_entry=False)
        judges = self.built.panel[:3]
        rows: list[ScoreRow] = []
        spread_planted = False
        for entry, ability in self.marked:
            success = min(max((ability - 30) / 70, 0.05), 0.98)
            for aspect in component.aspects:
                if aspect.aspect_type is AspectType.MEASUREMENT:
                    rows.append(
                        self._row(
                            entry, component, self._measurement(aspect, success), SheetState.ENTERING, aspect=aspect
                        )
                    )
                    continue
                scores = self._judgement(ability)
                if not spread_planted:
                    # Two points apart: the judges must discuss and mark again.
                    scores, spread_planted = [0, 1, 2], True
                rows.extend(
                    self._row(
                        entry, component, Decimal(score), SheetState.ENTERING, judge=judge, aspect=aspect, seat=seat
                    )
                    for seat, (judge, score) in enumerate(zip(judges, scores, strict=True), start=1)
                )
        return rows

    def _measurement(self, aspect: MarkingAspect, success: float) -> Decimal:
        if aspect.calculation != _DEDUCTION:
            return aspect.max_mark if self.rng.random() < success else Decimal(0)
        errors = 0
        while errors * _DEDUCTION_STEP < aspect.max_mark and self.rng.random() > success:
            errors += 1
        return aspect.max_mark - errors * _DEDUCTION_STEP

    def _judgement(self, ability: float) -> list[int]:
        """Three judges within one point of each other, around the contestant's level."""
        level = min(max(round((ability - 40) / 20 + self.rng.gauss(0, 0.5)), 0), 2)
        return [level + (1 if self.rng.random() < 0.4 else 0) for _judge in range(3)]


def create_demo(session: Session, progress: Progress = NO_PROGRESS, *, seed: int = 2026) -> DemoSummary:
    """Write the demo competitions into the caller's transaction (flushed, never committed).

    The same ``seed`` always gives the same people, numbers and marks. Raises
    ``DemoAlreadyPresentError`` if a demo competition already exists, and ``Cancelled`` between
    steps once ``progress`` is cancelled (the caller then rolls back). Creating competitions
    needs 管理赛事与规则 everywhere (``PermissionDenied`` otherwise).
    """
    require(session, Permission.MANAGE_COMPETITIONS)
    builder = _DemoBuilder(session, progress, seed)
    builder.step(0, _("检查是否已有演示数据"))
    builder.refuse_if_present()
    builder.step(1, _("创建单位"))
    builder.create_units()
    builder.step(2, _("创建赛事、赛项与评分规则"))
    builder.create_competitions()
    builder.step(3, _("生成选手"))
    builder.create_people()
    builder.step(4, _("报名与抽签"))
    builder.create_entries()
    builder.step(5, _("安排裁判"))
    builder.create_judges()
    builder.step(6, _("录入成绩"))
    builder.create_scores()
    builder.step(7, _("写入审计记录"))
    summary = builder.summary()
    builder.record(summary)
    builder.step(_STEP_COUNT, _("演示数据已创建"))
    return summary


def _rule_set_row(spec: _RuleSetSpec) -> RuleSet:
    """A competition's own copy of a preset, stored in the validated rule-file format."""
    preset = load_preset(spec.preset_key)
    rules = replace(preset, name=spec.name)
    if spec.components is not None:
        rules = replace(rules, scoring=replace(rules.scoring, components=spec.components))
    return RuleSet(
        preset_key=spec.preset_key, name=spec.name, settings=rule_set_to_dict(rules), provenance=preset.source
    )
