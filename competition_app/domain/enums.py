"""The vocabulary of the domain (see shared DOMAIN.md), as stable codes with Chinese labels.

Codes are what the database stores; labels are what people read. Never store a label.
"""

from __future__ import annotations

from enum import StrEnum

from competition_app.i18n import _


class LabelledEnum(StrEnum):
    """A string enum whose members carry a Chinese label."""

    @property
    def label(self) -> str:
        return _(_LABELS[self])


class Level(LabelledEnum):
    """竞赛层级 — the level of the tier system."""

    WORLD = "world"
    NATIONAL = "national"
    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"
    INDUSTRY = "industry"
    ENTERPRISE = "enterprise"
    SCHOOL = "school"


class TierClass(LabelledEnum):
    """竞赛类别 — 一类/二类, or 综合 for 全国技能大赛; NONE where a level has no classes."""

    NONE = "none"
    COMPREHENSIVE = "comprehensive"
    CLASS_1 = "class_1"
    CLASS_2 = "class_2"


class EventKind(LabelledEnum):
    INDIVIDUAL = "individual"
    TEAM = "team"


class ComponentKind(LabelledEnum):
    THEORY = "theory"
    PRACTICAL = "practical"
    DEFENCE = "defence"
    OTHER = "other"


class PanelMethod(LabelledEnum):
    """How one component's judge panel is combined into one mark."""

    SINGLE = "single"
    MEAN = "mean"
    TRIMMED_MEAN = "trimmed_mean"
    MEDIAN = "median"
    WORLDSKILLS = "worldskills"


class AspectType(LabelledEnum):
    MEASUREMENT = "M"
    JUDGEMENT = "J"


class Gender(LabelledEnum):
    MALE = "male"
    FEMALE = "female"


class IdType(LabelledEnum):
    RESIDENT_ID = "resident_id"
    HMT_RESIDENCE = "hmt_residence"
    PASSPORT = "passport"


class PersonStatus(LabelledEnum):
    """身份 — decides title eligibility (students get promotion, not titles)."""

    WORKER = "worker"
    TEACHER = "teacher"
    STUDENT = "student"
    OTHER = "other"


class SkillLevel(LabelledEnum):
    """职业技能等级 ladder (新八级工), lowest first."""

    APPRENTICE = "apprentice"
    LEVEL_5 = "level_5"
    LEVEL_4 = "level_4"
    LEVEL_3 = "level_3"
    LEVEL_2 = "level_2"
    LEVEL_1 = "level_1"
    SPECIAL = "special"
    CHIEF = "chief"


class EntryStatus(LabelledEnum):
    REGISTERED = "registered"
    CHECKED_IN = "checked_in"
    WITHDRAWN = "withdrawn"
    DISQUALIFIED = "disqualified"


class CompetitionStatus(LabelledEnum):
    PLANNING = "planning"
    REGISTRATION = "registration"
    RUNNING = "running"
    FINISHED = "finished"


class ScoreState(LabelledEnum):
    ENTERED = "entered"
    VERIFIED = "verified"
    LOCKED = "locked"


class SheetState(LabelledEnum):
    """State of one event component's score sheet: 录入中 → 已复核 → 裁判长签字锁定 → 已公示."""

    ENTERING = "entering"
    VERIFIED = "verified"
    LOCKED = "locked"
    PUBLISHED = "published"


class Role(LabelledEnum):
    ADMIN = "admin"
    ORGANISER = "organiser"
    CHIEF_JUDGE = "chief_judge"
    JUDGE = "judge"
    CLERK = "clerk"


class DrawKind(LabelledEnum):
    STATION = "station"
    ANON_CODE = "anon_code"


class CertificateStatus(LabelledEnum):
    ISSUED = "issued"
    VOIDED = "voided"


class AchievementKind(LabelledEnum):
    """A line of a person's history that rules read: a title held, a promotion, an award."""

    TITLE = "title"
    PROMOTION = "promotion"
    AWARD = "award"


_LABELS: dict[StrEnum, str] = {
    Level.WORLD: "世界技能大赛",
    Level.NATIONAL: "国家级",
    Level.PROVINCIAL: "省级",
    Level.MUNICIPAL: "市级",
    Level.INDUSTRY: "行业",
    Level.ENTERPRISE: "企业",
    Level.SCHOOL: "院校",
    TierClass.NONE: "",
    TierClass.COMPREHENSIVE: "综合",
    TierClass.CLASS_1: "一类",
    TierClass.CLASS_2: "二类",
    EventKind.INDIVIDUAL: "个人赛",
    EventKind.TEAM: "团体赛",
    ComponentKind.THEORY: "理论知识",
    ComponentKind.PRACTICAL: "技能操作",
    ComponentKind.DEFENCE: "答辩",
    ComponentKind.OTHER: "其他",
    PanelMethod.SINGLE: "单一评分",
    PanelMethod.MEAN: "平均分",
    PanelMethod.TRIMMED_MEAN: "去掉最高分和最低分后平均",
    PanelMethod.MEDIAN: "中位数",
    PanelMethod.WORLDSKILLS: "世赛评分（测量 + 评价）",
    AspectType.MEASUREMENT: "测量",
    AspectType.JUDGEMENT: "评价",
    Gender.MALE: "男",
    Gender.FEMALE: "女",
    IdType.RESIDENT_ID: "居民身份证",
    IdType.HMT_RESIDENCE: "港澳台居民居住证",
    IdType.PASSPORT: "护照",
    PersonStatus.WORKER: "职工",
    PersonStatus.TEACHER: "教师",
    PersonStatus.STUDENT: "学生",
    PersonStatus.OTHER: "其他",
    SkillLevel.APPRENTICE: "学徒工",
    SkillLevel.LEVEL_5: "初级工（五级）",
    SkillLevel.LEVEL_4: "中级工（四级）",
    SkillLevel.LEVEL_3: "高级工（三级）",
    SkillLevel.LEVEL_2: "技师（二级）",
    SkillLevel.LEVEL_1: "高级技师（一级）",
    SkillLevel.SPECIAL: "特级技师",
    SkillLevel.CHIEF: "首席技师",
    EntryStatus.REGISTERED: "已报名",
    EntryStatus.CHECKED_IN: "已检录",
    EntryStatus.WITHDRAWN: "已退赛",
    EntryStatus.DISQUALIFIED: "取消资格",
    CompetitionStatus.PLANNING: "筹备中",
    CompetitionStatus.REGISTRATION: "报名中",
    CompetitionStatus.RUNNING: "比赛中",
    CompetitionStatus.FINISHED: "已结束",
    ScoreState.ENTERED: "已录入",
    ScoreState.VERIFIED: "已复核",
    ScoreState.LOCKED: "已锁定",
    SheetState.ENTERING: "录入中",
    SheetState.VERIFIED: "已复核",
    SheetState.LOCKED: "裁判长签字锁定",
    SheetState.PUBLISHED: "已公示",
    Role.ADMIN: "管理员",
    Role.ORGANISER: "赛务",
    Role.CHIEF_JUDGE: "裁判长",
    Role.JUDGE: "裁判员",
    Role.CLERK: "录分员",
    DrawKind.STATION: "工位号",
    DrawKind.ANON_CODE: "检录号",
    CertificateStatus.ISSUED: "已发放",
    CertificateStatus.VOIDED: "已作废",
    AchievementKind.TITLE: "荣誉称号",
    AchievementKind.PROMOTION: "晋升等级",
    AchievementKind.AWARD: "获奖",
}


def tier_label(level: Level, tier_class: TierClass) -> str:
    """The tier as people say it: 市级一类, 国家级综合, 世界技能大赛, 企业."""
    return level.label + tier_class.label
