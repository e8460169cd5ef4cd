"""The layout of the competition workbook as data: sheets, their columns, and what each column
holds. The template (``template.py``), the reader's header matching and the README's column
tables all come from this one table, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from competition_app.domain.enums import (
    EntryStatus,
    EventKind,
    Gender,
    IdType,
    Level,
    PersonStatus,
    Role,
    SkillLevel,
    TierClass,
)
from competition_app.i18n import _
from competition_app.rules.presets import list_presets

__all__ = [
    "EXAMPLE_PREFIX",
    "LIST_SEPARATOR",
    "SHEETS",
    "Column",
    "Kind",
    "SheetLayout",
    "choices",
    "sheet_layout",
]

EXAMPLE_PREFIX = "示例"
"""The first data row of a sheet whose first column starts with this is the template's example: skipped."""

LIST_SEPARATOR = "、"
"""Separates several values in one cell (组别, 执裁赛项); ，,;； are accepted too."""


class Kind(StrEnum):
    """What a column holds, which decides how a cell is read and formatted."""

    TEXT = "text"  # any text; a number typed in it is taken as its digits
    ID = "id"  # 证件号码: text only; a number has lost digits
    PHONE = "phone"  # text; a whole number is accepted (a landline's leading 0 is lost)
    CODE = "code"  # 参赛编号: text; a whole number is accepted
    DATE = "date"  # an Excel date, or text like 2026-05-20, 2026/5/20, 2026年5月20日
    INT = "int"  # a whole number
    CHOICE = "choice"  # one of ``Column.choices`` (a dropdown in the template)
    LIST = "list"  # several values separated by 、

    @property
    def is_text(self) -> bool:
        """Formatted as text ("@") in the template, so Excel keeps what people type."""
        return self not in (Kind.DATE, Kind.INT)


@dataclass(frozen=True, slots=True)
class Column:
    header: str  # the Chinese header in row 1 (without the * the template adds to required ones)
    key: str
    required: bool
    kind: Kind
    width: int
    description: str
    example: str
    choices: str | None = None  # the name of a dropdown list in ``choices()``

    @property
    def title(self) -> str:
        """The header as the template writes it: required columns end with *."""
        return f"{self.header}*" if self.required else self.header


@dataclass(frozen=True, slots=True)
class SheetLayout:
    name: str
    key: str
    required: bool  # the workbook must contain this sheet
    description: str
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)


def choices() -> dict[str, tuple[str, ...]]:
    """The dropdown lists by name: what the template offers (the importer accepts aliases too)."""
    return {
        "yes_no": (_("是"), _("否")),
        "gender": tuple(member.label for member in Gender),
        "id_type": tuple(member.label for member in IdType),
        "status": tuple(member.label for member in PersonStatus),
        "skill_level": tuple(member.label for member in SkillLevel),
        "entry_status": tuple(member.label for member in EntryStatus),
        "event_kind": tuple(member.label for member in EventKind),
        "level": tuple(member.label for member in Level),
        "tier_class": (_("无"), *(member.label for member in TierClass if member is not TierClass.NONE)),
        "preset": tuple(info.name for info in list_presets()),
        "role": (Role.CHIEF_JUDGE.label, Role.JUDGE.label),
    }


def _c(
    header: str,
    key: str,
    kind: Kind,
    description: str,
    example: str,
    *,
    required: bool = False,
    width: int = 14,
    choices: str | None = None,
) -> Column:
    return Column(header, key, required, kind, width, description, example, choices)


T, ID, PH, CD, DT, IN, CH, LS = Kind.TEXT, Kind.ID, Kind.PHONE, Kind.CODE, Kind.DATE, Kind.INT, Kind.CHOICE, Kind.LIST

INSTRUCTIONS = SheetLayout(
    "说明", "instructions", False, "填写说明（导入时忽略）", (),
)  # fmt: skip

COMPETITION = SheetLayout(
    "赛事",
    "competition",
    True,
    "一行：本工作簿所属的赛事。已有同名赛事时沿用该赛事（不修改其设置），否则按此行新建。",
    (
        _c("赛事名称", "name", T, "赛事全称，按名称匹配已有赛事", "2026年济宁市“运河之星”职业技能大赛",
           required=True, width=36),
        _c("简称", "short_name", T, "界面与证书中使用的简称", "运河之星"),
        _c("年份", "year", IN, "举办年份，2000–2100", "2026", required=True, width=8),
        _c("届次", "edition", IN, "第几届（整数）", "3", width=8),
        _c("竞赛层级", "level", CH, "世界技能大赛、国家级、省级、市级、行业、企业、院校", "市级",
           required=True, choices="level"),
        _c("竞赛类别", "tier_class", CH, "综合、一类、二类；没有类别的层级填“无”", "一类",
           required=True, choices="tier_class"),
        _c("规则预设", "preset", T, "规则预设的名称或键（见 competition-app rules list）；"
           "一类、二类赛项并存时用“、”分隔列出多个", "济宁市“运河之星”职业技能大赛（市级一类）",
           required=True, width=40, choices="preset"),
        _c("举办地区", "region", T, "如 济宁市", "济宁市"),
        _c("主办单位", "organiser", T, "主办单位全称", "济宁市人力资源和社会保障局", width=28),
        _c("承办单位", "host", T, "承办单位全称", "济宁技师学院", width=20),
        _c("开始日期", "start_date", DT, "比赛开始日期；赛项未填比赛日期时按此日计算年龄", "2026-05-20", width=12),
        _c("结束日期", "end_date", DT, "比赛结束日期，不早于开始日期", "2026-05-22", width=12),
        _c("证书编号格式", "certificate_number_format", T, "如 JN{year}-{event_code}-{seq:04d}",
           "JN{year}-{event_code}-{seq:04d}", width=30),
    ),
)  # fmt: skip

EVENTS = SheetLayout(
    "赛项",
    "events",
    True,
    "每行一个赛项，按名称匹配本赛事已有赛项（有改动时更新，报名截止的赛项不能修改）；评分项取自规则预设。",
    (
        _c("赛项名称", "name", T, "本赛事内唯一", "焊工", required=True, width=16),
        _c("职业（工种）", "occupation", T, "国家职业分类中的职业或工种", "焊工", required=True, width=16),
        _c("职业编码", "occupation_code", T, "如 6-18-02-04（设为文本，避免被识别为日期）", "6-18-02-04"),
        _c("赛项代码", "code", T, "用于参赛编号等的短代码", "HG", width=10),
        _c("竞赛类别（覆盖）", "tier_class", CH, "与赛事类别不同时填写（如一类赛事中的二类赛项）", "",
           choices="tier_class", width=16),
        _c("个人/团体", "kind", CH, "个人赛或团体赛", "个人赛", required=True, choices="event_kind", width=10),
        _c("团队人数", "team_size", IN, "团体赛每队人数（至少2）；个人赛留空或填1", "", width=10),
        _c("组别", "groups", LS, "用“、”分隔，如 职工组、学生组", "职工组、学生组", required=True, width=18),
        _c("最低年龄", "min_age", IN, "比赛日周岁，含本数", "18", width=10),
        _c("最高年龄", "max_age", IN, "比赛日周岁，含本数", "60", width=10),
        _c("比赛日期", "start_date", DT, "本赛项比赛日期，用于计算年龄", "2026-05-20", width=12),
        _c("匿名评分", "anonymous_marking", CH, "是/否：是否以检录号加密评分", "否", choices="yes_no", width=10),
    ),
)  # fmt: skip

ENTRIES = SheetLayout(
    "选手报名",
    "entries",
    True,
    "每行一名选手报名一个赛项；同一人报名多个赛项时写多行（个人信息须一致）。按证件类型和号码匹配已有人员，"
    "按赛项和人员匹配已有报名；空白单元格不会清除已有信息。",
    (
        _c("姓名", "name", T, "与证件一致；已有人员的姓名不同时报错", "示例：张三", required=True, width=10),
        _c("证件类型", "id_type", CH, "居民身份证（默认）、港澳台居民居住证、护照", "居民身份证",
           choices="id_type", width=16),
        _c("证件号码", "id_number", ID, "18位身份证号（校验位按 GB 11643 检查）；必须是文本格式", "370802199001011234",
           required=True, width=22),
        _c("性别", "gender", CH, "男/女；身份证号可推出时可不填，填写则须与号码一致", "男", choices="gender", width=6),
        _c("出生日期", "birth_date", DT, "身份证号可推出时可不填，填写则须与号码一致", "1990-01-01", width=12),
        _c("手机", "phone", PH, "11位手机号或座机（0537-1234567）", "13800000000", width=14),
        _c("单位", "unit", T, "工作单位或学校；不存在时新建", "济宁示例机械有限公司", width=24),
        _c("地区", "region", T, "如 任城区", "任城区", width=10),
        _c("身份", "status", CH, "职工、教师、学生、其他：决定荣誉称号资格", "职工", required=True,
           choices="status", width=8),
        _c("职业技能等级", "skill_level", CH, "现有等级，如 高级工（三级）；没有填“无”或留空", "高级工（三级）",
           choices="skill_level", width=16),
        _c("职业资格证书编号", "skill_certificate_no", T, "现有等级的证书编号", "", width=22),
        _c("赛项", "event", T, "赛项名称：本工作簿“赛项”表中的或本赛事已有的", "焊工", required=True, width=14),
        _c("组别", "group", T, "该赛项的组别之一", "职工组", required=True, width=10),
        _c("团队名称", "team", T, "团体赛必填：同队选手填写相同名称", "", width=16),
        _c("参赛编号", "bib", CD, "同一赛项内唯一；可留空以后编排", "HG-001", width=10),
        _c("状态", "status_entry", CH, "已报名（默认）、已检录、已退赛、取消资格", "已报名",
           choices="entry_status", width=10),
    ),
)  # fmt: skip

JUDGES = SheetLayout(
    "裁判",
    "judges",
    False,
    "每行一名裁判；按证件号码（没有时按姓名）匹配本赛事已有裁判。与所执裁赛项的选手同单位时给出回避提醒。",
    (
        _c("姓名", "name", T, "裁判姓名", "示例：李四", required=True, width=10),
        _c("证件号码", "id_number", ID, "身份证号或护照号；必须是文本格式", "370802198001011230", width=22),
        _c("单位", "unit", T, "工作单位；用于回避检查", "济宁技师学院", width=24),
        _c("手机", "phone", PH, "11位手机号或座机", "13900000000", width=14),
        _c("职称/资格", "title", T, "如 高级技师、一级裁判", "高级技师", width=14),
        _c("执裁赛项", "events", LS, "赛项名称，用“、”分隔", "焊工", width=20),
        _c("角色", "role", CH, "裁判长或裁判员（默认）", "裁判员", choices="role", width=10),
    ),
)  # fmt: skip

SCORES = SheetLayout(
    "成绩",
    "scores",
    False,
    "可选：报名导入不写入成绩；本表由“评分 → 导入纸质成绩表”或 competition-app scores import 导入"
    "（先全部检查，无误才写入）。",
    (
        _c("赛项", "event", T, "赛项名称", "焊工", required=True),
        _c("参赛编号", "bib", CD, "选手的参赛编号", "HG-001", width=10),
        _c("证件号码", "id_number", ID, "没有参赛编号时用证件号码识别选手", "", width=22),
        _c("评分项", "component", T, "如 理论知识、技能操作", "技能操作", required=True),
        _c("裁判席位", "seat", IN, "评分裁判的席位号 1…n；单一评分留空", "1", width=10),
        _c("分数", "score", T, "精确小数，如 86.5（以文本保存以免浮点误差）", "86.5", required=True, width=10),
    ),
)  # fmt: skip

SHEETS: tuple[SheetLayout, ...] = (INSTRUCTIONS, COMPETITION, EVENTS, ENTRIES, JUDGES, SCORES)


def sheet_layout(key: str) -> SheetLayout:
    return next(sheet for sheet in SHEETS if sheet.key == key)
