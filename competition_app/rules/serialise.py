"""Rule sets as JSON-ready dicts and back, validated field by field.

The format is the one people edit (``resources/rules/*.json``) and the one stored per
competition (``db.models.RuleSet.settings``): decimals as strings (``"0.30"``), enums by
their code, sets as sorted lists, tuples as lists. Every field of the model is written out,
so a stored copy never changes meaning when a default in the code changes later.

Reading is table driven: each model class has a table of fields (key, Chinese label, kind),
each kind (text, integer, decimal, enum code, list, object …) knows how to read and write
one value, and a few cross-field checks per class catch what a single field cannot (weights
that do not sum to 1, shares over 100 %, rank bands in the wrong order). Every problem is
collected, so one pass reports all of them, each with its path and a Chinese message.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Generic, TypeVar

from competition_app.domain.enums import (
    ComponentKind,
    LabelledEnum,
    Level,
    PanelMethod,
    PersonStatus,
    SkillLevel,
    TierClass,
)
from competition_app.i18n import _
from competition_app.rules.model import (
    AwardModel,
    AwardRules,
    AwardTier,
    ComponentRule,
    CutoffTiePolicy,
    DesignationRule,
    PromotionBand,
    PromotionRules,
    QuotaRounding,
    RankingRules,
    RuleSet,
    ScoringRules,
    Standardisation,
    TeamScoring,
    TieBreak,
    TitleRule,
)

T = TypeVar("T")

# --- errors ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleProblem:
    """One problem of a rule file: where (``awards.tiers[1].share``) and what, in Chinese.

    ``message`` is complete on its own: it repeats the path and names the field in Chinese.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return self.message


class RuleFileError(ValueError):
    """A rule file or stored rule set that does not validate; ``problems`` holds every problem."""

    def __init__(self, problems: tuple[RuleProblem, ...], source_name: str | None = None) -> None:
        self.problems = problems
        self.source_name = source_name
        super().__init__(str(self))

    def __str__(self) -> str:
        prefix = f"{self.source_name}: " if self.source_name else ""
        return "\n".join(f"{prefix}{problem.message}" for problem in self.problems)

    def named(self, source_name: str) -> RuleFileError:
        """The same problems, attributed to ``source_name`` (a file name or a stored rule set)."""
        return RuleFileError(self.problems, source_name)


# --- labels of the model's own enums (the domain enums carry theirs) -------------------------

_MODEL_ENUM_LABELS: dict[StrEnum, str] = {
    TieBreak.PRACTICAL: "技能操作成绩高者在前",
    TieBreak.PRACTICAL_TIME: "技能操作用时短者在前",
    TieBreak.THEORY: "理论知识成绩高者在前",
    TieBreak.DEFENCE: "答辩成绩高者在前",
    TeamScoring.SUM: "成员成绩之和",
    TeamScoring.MEAN: "成员成绩平均",
    TeamScoring.TEAM_COMPONENT: "按团体评分部分",
    AwardModel.NONE: "不设奖项",
    AwardModel.PERCENTAGE: "按参赛人数比例设奖",
    AwardModel.FIXED_COUNTS: "按固定名额设奖",
    AwardModel.MEDALS: "奖牌制（金、银、铜牌与前一半名次奖）",
    AwardModel.WORLDSKILLS: "世赛奖牌制（奖牌同分差值与优胜奖分数线）",
    QuotaRounding.FLOOR: "向下取整",
    QuotaRounding.CEIL: "向上取整",
    QuotaRounding.HALF_UP: "四舍五入",
    CutoffTiePolicy.ALL_QUALIFY: "并列者均入选",
    CutoffTiePolicy.DECIDE: "须裁定并记录",
}


def enum_label(value: StrEnum) -> str:
    """The Chinese label of any enum a rule set uses (domain enums and the model's own)."""
    if isinstance(value, LabelledEnum):
        return value.label
    return _(_MODEL_ENUM_LABELS[value])


# --- where a value is, and how a problem is reported ----------------------------------------


class _Invalid:
    """Marks a value that failed to read (its problem is already reported)."""


_INVALID = _Invalid()


def _shown(value: object) -> str:
    """A value as the user wrote it, JSON style: "1.5" for a string, 1.5 for a number."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


_JSON_TYPE_NAMES: dict[type, str] = {
    str: "文本",
    bool: "布尔值",
    int: "整数",
    float: "浮点小数",
    list: "列表",
    tuple: "列表",
    dict: "对象",
    type(None): "null",
}


def _type_name(value: object) -> str:
    return _(_JSON_TYPE_NAMES.get(type(value), type(value).__name__))


@dataclass(frozen=True, slots=True)
class _At:
    """The place being read: its path, the Chinese label of its field, and the problem list."""

    path: str
    label: str
    problems: list[RuleProblem]
    spec: _Spec[Any] | None = None

    def field(self, key: str) -> _At:
        label = self.spec.label_of(key) if self.spec is not None else key
        return _At(f"{self.path}.{key}" if self.path else key, label, self.problems)

    def item(self, index: int) -> _At:
        return _At(f"{self.path}[{index}]", self.label, self.problems)

    def within(self, spec: _Spec[Any]) -> _At:
        return replace(self, spec=spec)

    def fail(self, detail: str) -> _Invalid:
        where = f"{self.path}（{self.label}）" if self.path else self.label
        self.problems.append(RuleProblem(self.path, f"{where}：{detail}"))
        return _INVALID

    def wrong_type(self, expected: str, value: object) -> _Invalid:
        return self.fail(
            _("应为{expected}，实际为{actual} {value}").format(
                expected=expected, actual=_type_name(value), value=_shown(value)
            )
        )


def _require(value: object, expected: type[T] | tuple[type, ...]) -> Any:
    """For writing: a model built in code with a value of the wrong type is a programming error."""
    if not isinstance(value, expected):
        raise TypeError(f"rule value {value!r} is not {expected}")
    return value


# --- one kind per field type ------------------------------------------------------------------


class _Kind:
    """How one value is read (with problems reported at ``at``) and written back."""

    def read(self, value: object, at: _At) -> object:
        raise NotImplementedError

    def write(self, value: object) -> object:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class _Text(_Kind):
    allow_empty: bool = False
    pattern: str | None = None
    pattern_hint: str = ""

    def read(self, value: object, at: _At) -> object:
        if not isinstance(value, str):
            return at.wrong_type(_("文本"), value)
        if not self.allow_empty and not value.strip():
            return at.fail(_("不能为空"))
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            return at.fail(_("{hint}，实际为 {value}").format(hint=_(self.pattern_hint), value=_shown(value)))
        return value

    def write(self, value: object) -> object:
        return _require(value, str)


def _should_be(minimum: object, maximum: object, noun: str, *, exclusive_min: bool = False) -> str:
    """The expected range as a phrase: 应为 0 到 1 之间的小数, 应为不小于 1 的整数 …"""
    if minimum is not None and maximum is not None:
        if exclusive_min:
            return _("应为大于 {low} 且不大于 {high} 的{noun}").format(low=minimum, high=maximum, noun=noun)
        return _("应为 {low} 到 {high} 之间的{noun}").format(low=minimum, high=maximum, noun=noun)
    if minimum is not None:
        template = _("应为大于 {low} 的{noun}") if exclusive_min else _("应为不小于 {low} 的{noun}")
        return template.format(low=minimum, noun=noun)
    return _("应为{noun}").format(noun=noun)


@dataclass(frozen=True, slots=True)
class _Integer(_Kind):
    minimum: int | None = None
    maximum: int | None = None

    def read(self, value: object, at: _At) -> object:
        if isinstance(value, bool) or not isinstance(value, int):
            return at.wrong_type(_("整数"), value)
        if (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum):
            return at.fail(
                _("{should}，实际为 {value}").format(
                    should=_should_be(self.minimum, self.maximum, _("整数")), value=_shown(value)
                )
            )
        return value

    def write(self, value: object) -> object:
        if isinstance(value, bool):
            raise TypeError(f"rule value {value!r} is not an integer")
        return _require(value, int)


_FLOAT_REFUSED = _(
    '应为写成字符串的小数（如 "0.30"）或整数，实际为 JSON 浮点数 {value}：'
    "浮点数是二进制近似值（0.1 + 0.2 ≠ 0.3），会让合计与四舍五入在不同数据库和程序中得出不同结果，因此不接受"
)


@dataclass(frozen=True, slots=True)
class _Dec(_Kind):
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    exclusive_min: bool = False

    def read(self, value: object, at: _At) -> object:
        if isinstance(value, float):
            return at.fail(_FLOAT_REFUSED.format(value=_shown(value)))
        if isinstance(value, bool) or not isinstance(value, str | int):
            return at.wrong_type(_('写成字符串的小数（如 "0.30"）'), value)
        try:
            number = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
        except InvalidOperation:
            return at.fail(_("不是有效的小数：{value}").format(value=_shown(value)))
        if not number.is_finite():
            return at.fail(_("应为有限的小数，实际为 {value}").format(value=_shown(value)))
        too_low = self.minimum is not None and (number <= self.minimum if self.exclusive_min else number < self.minimum)
        too_high = self.maximum is not None and number > self.maximum
        if too_low or too_high:
            return at.fail(
                _("{should}，实际为 {value}").format(
                    should=_should_be(self.minimum, self.maximum, _("小数"), exclusive_min=self.exclusive_min),
                    value=_shown(value),
                )
            )
        return number

    def write(self, value: object) -> object:
        return str(_require(value, Decimal))


@dataclass(frozen=True, slots=True)
class _Flag(_Kind):
    def read(self, value: object, at: _At) -> object:
        if not isinstance(value, bool):
            return at.wrong_type(_("布尔值（true 或 false）"), value)
        return value

    def write(self, value: object) -> object:
        return _require(value, bool)


@dataclass(frozen=True, slots=True)
class _Choice(_Kind):
    enum: type[StrEnum]

    def read(self, value: object, at: _At) -> object:
        codes = {member.value: member for member in self.enum}
        if isinstance(value, str) and value in codes:
            return codes[value]
        allowed = "、".join(f"{code}（{enum_label(member) or _('无')}）" for code, member in codes.items())
        if not isinstance(value, str):
            return at.fail(
                _("应为代码文本，实际为{actual} {value}；可选：{allowed}").format(
                    actual=_type_name(value), value=_shown(value), allowed=allowed
                )
            )
        return at.fail(_("无效代码 {value}；可选：{allowed}").format(value=_shown(value), allowed=allowed))

    def write(self, value: object) -> object:
        return _require(value, self.enum).value


@dataclass(frozen=True, slots=True)
class _Maybe(_Kind):
    """``null`` or one value of ``inner``."""

    inner: _Kind

    def read(self, value: object, at: _At) -> object:
        return None if value is None else self.inner.read(value, at)

    def write(self, value: object) -> object:
        return None if value is None else self.inner.write(value)


@dataclass(frozen=True, slots=True)
class _List(_Kind):
    """A JSON list read into a tuple, or into a frozenset (written back sorted)."""

    inner: _Kind
    unique: bool = False
    as_set: bool = False
    min_items: int = 0

    def read(self, value: object, at: _At) -> object:
        if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
            return at.wrong_type(_("列表"), value)
        items = [self.inner.read(item, at.item(index)) for index, item in enumerate(value)]
        ok = all(item is not _INVALID for item in items)
        if self.unique or self.as_set:
            first_seen: dict[object, int] = {}
            for index, item in enumerate(items):
                if item is _INVALID:
                    continue
                if item in first_seen:
                    at.item(index).fail(
                        _("{value} 重复出现（与 {path}[{first}] 相同）").format(
                            value=_shown(value[index]), path=at.path, first=first_seen[item]
                        )
                    )
                    ok = False
                else:
                    first_seen[item] = index
        if len(value) < self.min_items:
            at.fail(_("至少需要 {count} 项").format(count=self.min_items))
            ok = False
        if not ok:
            return _INVALID
        return frozenset(items) if self.as_set else tuple(items)

    def write(self, value: object) -> object:
        if self.as_set:
            return sorted((self.inner.write(item) for item in _require(value, frozenset)), key=str)
        return [self.inner.write(item) for item in _require(value, tuple)]


@dataclass(frozen=True, slots=True)
class _Fixed(_Kind):
    """A short JSON list of a fixed shape, read into a tuple: ``[2, 3]`` = (team size, top)."""

    items: tuple[tuple[str, _Kind], ...]

    def read(self, value: object, at: _At) -> object:
        names = "、".join(name for name, _kind in self.items)
        if isinstance(value, str | bytes) or not isinstance(value, list | tuple) or len(value) != len(self.items):
            return at.fail(
                _("应为 {count} 个数的列表 [{names}]，实际为 {value}").format(
                    count=len(self.items), names=names, value=_shown(value)
                )
            )
        result = [
            kind.read(item, _At(f"{at.path}[{index}]", name, at.problems))
            for index, ((name, kind), item) in enumerate(zip(self.items, value, strict=True))
        ]
        return _INVALID if any(item is _INVALID for item in result) else tuple(result)

    def write(self, value: object) -> object:
        return [kind.write(item) for (_name, kind), item in zip(self.items, _require(value, tuple), strict=True)]


@dataclass(frozen=True, slots=True)
class _Field:
    key: str  # the dataclass field name, and the JSON key
    label: str  # Chinese name used in messages and descriptions
    kind: _Kind
    required: bool = False


Check = Callable[[T, _At], None]


@dataclass(frozen=True, slots=True)
class _Spec(Generic[T]):
    """The table for one model class: its fields and its cross-field checks."""

    cls: type[T]
    label: str
    fields: tuple[_Field, ...]
    checks: tuple[Check[T], ...] = ()

    def label_of(self, key: str) -> str:
        return next((_(field.label) for field in self.fields if field.key == key), key)


@dataclass(frozen=True, slots=True)
class _Object(_Kind):
    spec: _Spec[Any]

    def read(self, value: object, at: _At) -> object:
        spec = self.spec
        if not isinstance(value, Mapping):
            return at.wrong_type(_("对象（{label}）").format(label=_(spec.label)), value)
        here = at.within(spec)
        keys = [field.key for field in spec.fields]
        ok = True
        for key in value:
            if key not in keys:
                ok = False
                hint = difflib.get_close_matches(str(key), keys, n=1)
                guess = _('，是否应为 "{key}"').format(key=hint[0]) if hint else ""
                _At(f"{here.path}.{key}" if here.path else str(key), _("未知字段"), at.problems).fail(
                    _("{label}没有这个字段（可能是拼写错误{guess}）；允许的字段：{keys}").format(
                        label=_(spec.label), guess=guess, keys="、".join(keys)
                    )
                )
        values: dict[str, object] = {}
        for field in spec.fields:
            field_at = here.field(field.key)
            if field.key not in value:
                if field.required:
                    field_at.fail(_("缺少必填字段"))
                    ok = False
                continue
            result = field.kind.read(value[field.key], field_at)
            if result is _INVALID:
                ok = False
            else:
                values[field.key] = result
        if not ok:
            return _INVALID
        built = spec.cls(**values)
        reported = len(at.problems)
        for check in spec.checks:
            check(built, here)
        return built if len(at.problems) == reported else _INVALID

    def write(self, value: object) -> object:
        built = _require(value, self.spec.cls)
        return {field.key: field.kind.write(getattr(built, field.key)) for field in self.spec.fields}


# --- shared kinds -----------------------------------------------------------------------------

_ZERO = Decimal(0)
_ONE = Decimal(1)
_HUNDRED = Decimal(100)

_NAME = _Text()
_SOURCE = _Text(allow_empty=True)
_OPTIONAL_NAME = _Maybe(_Text())
_PASS_MARK = _Maybe(_Dec(_ZERO, _HUNDRED))
_RANK = _Integer(minimum=1)
_AGE = _Maybe(_Integer(minimum=10, maximum=100))
_AWARD_NAMES = _List(_NAME, unique=True)
_STATUSES = _List(_Choice(PersonStatus), as_set=True)
_TIER_FILTER = _Maybe(_Choice(TierClass))
_SOURCE_FIELD = _Field("source", "来源", _SOURCE)
_TEAM_TOP = _List(_Fixed((("团队人数", _Integer(minimum=2, maximum=99)), ("可申报名次", _RANK))))
_KEY = _Text(pattern=r"[a-z0-9_]+", pattern_hint="只能包含小写字母、数字和下划线")


# --- cross-field checks -----------------------------------------------------------------------


def _check_component(component: ComponentRule, at: _At) -> None:
    if component.panel is PanelMethod.TRIMMED_MEAN and component.panel_size < 3:
        at.field("panel_size").fail(
            _("去掉最高分和最低分后平均至少需要 3 名裁判，实际为 {size}").format(size=component.panel_size)
        )
    if component.panel is PanelMethod.SINGLE and component.panel_size != 1:
        at.field("panel_size").fail(_("单一评分时裁判人数应为 1，实际为 {size}").format(size=component.panel_size))
    if component.spread_threshold is not None:
        if component.panel_size < 2 or component.panel is PanelMethod.WORLDSKILLS:
            at.field("spread_threshold").fail(_("只有多名裁判评分时才能检查分差"))
        elif component.spread_threshold > component.max_score:
            at.field("spread_threshold").fail(
                _("不应超过满分 {max}，实际为 {value}").format(
                    max=component.max_score, value=component.spread_threshold
                )
            )


def _check_standardisation(rule: Standardisation, at: _At) -> None:
    if rule.minimum >= rule.maximum:
        at.field("maximum").fail(_("应大于最低分 {low}，实际为 {high}").format(low=rule.minimum, high=rule.maximum))
    elif not rule.minimum <= rule.centre <= rule.maximum:
        at.field("centre").fail(
            _("应在最低分 {low} 与最高分 {high} 之间，实际为 {value}").format(
                low=rule.minimum, high=rule.maximum, value=rule.centre
            )
        )


def _check_scoring(scoring: ScoringRules, at: _At) -> None:
    components_at = at.field("components")
    seen: set[str] = set()
    for index, component in enumerate(scoring.components):
        if component.name in seen:
            components_at.item(index).within(_COMPONENT).field("name").fail(
                _("部分名称 {name} 重复：每个评分部分的名称必须不同").format(name=_shown(component.name))
            )
        seen.add(component.name)
    total = sum((component.weight for component in scoring.components), _ZERO)
    if total != _ONE:
        parts = " + ".join(f"{component.name} {component.weight}" for component in scoring.components)
        components_at.fail(_("各部分权重之和应为 1，实际为 {total}（{parts}）").format(total=total, parts=parts))


def _check_tier(tier: AwardTier, at: _At) -> None:
    if tier.share is not None and tier.count is not None:
        at.field("count").fail(_("奖项比例（share）与奖项名额（count）只能填写一个"))


_MODEL_NEEDS: dict[AwardModel, str | None] = {
    AwardModel.NONE: None,
    AwardModel.PERCENTAGE: "share",
    AwardModel.FIXED_COUNTS: "count",
    AwardModel.MEDALS: "places",  # a count of places, 1 when unset
    AwardModel.WORLDSKILLS: "places",
}


def _check_awards(awards: AwardRules, at: _At) -> None:
    tiers_at = at.field("tiers")
    needed = _MODEL_NEEDS[awards.model]
    if needed is None and awards.tiers:
        tiers_at.fail(_("奖项模式为 none（不设奖项）时不应填写奖项等级"))
    cumulative = _ZERO
    names: set[str] = set()
    for index, tier in enumerate(awards.tiers):
        tier_at = tiers_at.item(index).within(_AWARD_TIER)
        if tier.name in names:
            tier_at.field("name").fail(_("奖项名称 {name} 重复").format(name=_shown(tier.name)))
        names.add(tier.name)
        if needed == "share" and tier.share is None:
            tier_at.field("share").fail(_("按比例设奖（percentage）时每个奖项都须填写比例"))
        if needed == "count" and tier.count is None:
            tier_at.field("count").fail(_("按固定名额设奖（fixed_counts）时每个奖项都须填写名额"))
        if needed != "share" and tier.share is not None:
            tier_at.field("share").fail(
                _("奖项模式 {model} 不按比例设奖，不应填写比例").format(model=awards.model.value)
            )
        if tier.share is not None:
            cumulative += tier.share
            if cumulative > _ONE:
                tier_at.field("share").fail(_("累计比例为 {total}，超过 1（100%）").format(total=cumulative))
    if awards.half_field_award is not None and awards.model is not AwardModel.MEDALS:
        at.field("half_field_award").fail(_("前半名次奖只用于奖牌制（medals）"))
    if awards.medallion is not None and awards.model is not AwardModel.WORLDSKILLS:
        at.field("medallion").fail(_("优胜奖分数线只用于世赛奖牌制（worldskills）"))


def _check_title(title: TitleRule, at: _At) -> None:
    if title.top is None and not title.team_top and not title.requires_award:
        at.field("top").fail(_("须填写可申报名次（top/team_top）或须获奖项（requires_award），否则人人都可申报"))
    sizes = [size for size, _top in title.team_top]
    for index, size in enumerate(sizes):
        if size in sizes[:index]:
            at.field("team_top").item(index).fail(_("团队人数 {size} 重复").format(size=size))
    if title.min_age is not None and title.max_age is not None and title.min_age > title.max_age:
        at.field("max_age").fail(_("最高年龄 {high} 小于最低年龄 {low}").format(high=title.max_age, low=title.min_age))


_LADDER = tuple(SkillLevel)


def _check_band(band: PromotionBand, at: _At) -> None:
    if band.to_rank is not None and band.from_rank > band.to_rank:
        at.field("from_rank").fail(
            _("起始名次 {start} 大于截止名次 {end}").format(start=band.from_rank, end=band.to_rank)
        )
    if band.holder_target is not None and _LADDER.index(band.holder_target) <= _LADDER.index(band.target):
        at.field("holder_target").fail(
            _("应高于晋升等级 {target}，实际为 {holder}").format(
                target=band.target.label, holder=band.holder_target.label
            )
        )


def _check_promotion(promotion: PromotionRules, at: _At) -> None:
    top = _LADDER.index(promotion.ladder_top)
    for index, band in enumerate(promotion.bands):
        band_at = at.field("bands").item(index).within(_BAND)
        for key in ("target", "holder_target", "student_target"):
            level = getattr(band, key)
            if level is not None and _LADDER.index(level) > top:
                band_at.field(key).fail(
                    _("{level} 高于最高可晋升等级 {top}").format(level=level.label, top=promotion.ladder_top.label)
                )


def _check_designation(designation: DesignationRule, at: _At) -> None:
    if designation.top is None and not designation.awards:
        at.field("top").fail(_("须填写入选名次（top）或须获奖项（awards）"))


_TIE_BREAK_NEEDS: dict[TieBreak, ComponentKind] = {
    TieBreak.PRACTICAL: ComponentKind.PRACTICAL,
    TieBreak.PRACTICAL_TIME: ComponentKind.PRACTICAL,
    TieBreak.THEORY: ComponentKind.THEORY,
    TieBreak.DEFENCE: ComponentKind.DEFENCE,
}


def award_names(awards: AwardRules) -> tuple[str, ...]:
    """Every award a rule set can give: its tiers, then the merit, half-field and medallion awards."""
    extra = (awards.merit_award, awards.half_field_award, awards.medallion)
    return tuple(tier.name for tier in awards.tiers) + tuple(name for name in extra if name is not None)


def _check_rule_set(rule_set: RuleSet, at: _At) -> None:
    kinds = {component.kind for component in rule_set.scoring.components}
    tie_breaks_at = at.field("ranking").within(_RANKING).field("tie_breaks")
    for index, tie_break in enumerate(rule_set.ranking.tie_breaks):
        needed = _TIE_BREAK_NEEDS[tie_break]
        if needed not in kinds:
            tie_breaks_at.item(index).fail(
                _("同分比较 {code} 需要一个“{kind}”类型的评分部分，但评分规则中没有；请删去此项或添加该部分").format(
                    code=_shown(tie_break.value), kind=needed.label
                )
            )
    known = award_names(rule_set.awards)
    shown_known = "、".join(known) if known else _("（本规则不设奖项）")

    def check_awards(awards: tuple[str, ...], where: _At) -> None:
        for index, name in enumerate(awards):
            if name not in known:
                where.item(index).fail(
                    _("奖项 {name} 不在本规则的奖项中；可用：{known}").format(name=_shown(name), known=shown_known)
                )

    for index, title in enumerate(rule_set.titles):
        check_awards(title.requires_award, at.field("titles").item(index).within(_TITLE).field("requires_award"))
    for index, band in enumerate(rule_set.promotion.bands):
        band_at = at.field("promotion").within(_PROMOTION).field("bands").item(index).within(_BAND)
        check_awards(band.requires_award, band_at.field("requires_award"))
    for index, designation in enumerate(rule_set.designations):
        check_awards(designation.awards, at.field("designations").item(index).within(_DESIGNATION).field("awards"))


# --- the tables -------------------------------------------------------------------------------

_COMPONENT: _Spec[ComponentRule] = _Spec(
    ComponentRule,
    "评分部分",
    (
        _Field("name", "部分名称", _NAME, required=True),
        _Field("kind", "部分类型", _Choice(ComponentKind), required=True),
        _Field("weight", "权重", _Dec(_ZERO, _ONE, exclusive_min=True), required=True),
        _Field("max_score", "满分", _Dec(_ZERO, exclusive_min=True)),
        _Field("panel", "裁判评分方法", _Choice(PanelMethod)),
        _Field("panel_size", "裁判人数", _Integer(minimum=1, maximum=99)),
        _Field("pass_mark", "合格分", _PASS_MARK),
        _Field("spread_threshold", "裁判分差阈值", _Maybe(_Dec(_ZERO, exclusive_min=True))),
        _Field("team_scored", "按团队评分", _Flag()),
        _SOURCE_FIELD,
    ),
    (_check_component,),
)

_STANDARDISATION: _Spec[Standardisation] = _Spec(
    Standardisation,
    "世赛标准化",
    (
        _Field("centre", "中位数对应分", _Dec()),
        _Field("spread", "一个标准差对应分", _Dec(_ZERO, exclusive_min=True)),
        _Field("minimum", "最低分", _Dec()),
        _Field("maximum", "最高分", _Dec()),
        _SOURCE_FIELD,
    ),
    (_check_standardisation,),
)

_SCORING: _Spec[ScoringRules] = _Spec(
    ScoringRules,
    "评分规则",
    (
        _Field("components", "评分部分", _List(_Object(_COMPONENT), min_items=1), required=True),
        _Field("decimals", "总分保留小数位数", _Integer(minimum=0, maximum=6)),
        _Field("judgement_scale", "世赛评价分制（0 到几分）", _Integer(minimum=1, maximum=10)),
        _Field("judgement_max_spread", "评价分允许的最大分差", _Dec(_ZERO)),
        _Field("judgement_min_judges", "评价分最少裁判人数", _Integer(minimum=1, maximum=99)),
        _Field("standardisation", "世赛标准化", _Maybe(_Object(_STANDARDISATION))),
        _SOURCE_FIELD,
    ),
    (_check_scoring,),
)

_RANKING: _Spec[RankingRules] = _Spec(
    RankingRules,
    "排名规则",
    (
        _Field("tie_breaks", "同分比较顺序", _List(_Choice(TieBreak), unique=True)),
        _Field("shared_places", "允许并列名次", _Flag()),
        _Field("team_scoring", "团体成绩计算方法", _Choice(TeamScoring)),
        _SOURCE_FIELD,
    ),
)

_AWARD_TIER: _Spec[AwardTier] = _Spec(
    AwardTier,
    "奖项等级",
    (
        _Field("name", "奖项名称", _NAME, required=True),
        _Field("share", "奖项比例", _Maybe(_Dec(_ZERO, _ONE, exclusive_min=True))),
        _Field("count", "奖项名额", _Maybe(_Integer(minimum=0))),
        _SOURCE_FIELD,
    ),
    (_check_tier,),
)

_AWARDS: _Spec[AwardRules] = _Spec(
    AwardRules,
    "奖项规则",
    (
        _Field("model", "奖项模式", _Choice(AwardModel)),
        _Field("tiers", "奖项等级", _List(_Object(_AWARD_TIER))),
        _Field("quota_rounding", "名额取整方式", _Choice(QuotaRounding)),
        _Field("pass_mark", "获奖合格分", _PASS_MARK),
        _Field("merit_award", "优秀奖名称", _OPTIONAL_NAME),
        _Field("half_field_award", "前一半名次奖名称", _OPTIONAL_NAME),
        _Field("half_field_inclusive", "前一半是否含本数", _Flag()),
        _Field("medallion", "世赛优胜奖名称", _OPTIONAL_NAME),
        _Field("medallion_threshold", "世赛优胜奖分数线", _Dec(_ZERO)),
        _Field("medal_tie_margin", "奖牌同分差值", _Dec(_ZERO)),
        _SOURCE_FIELD,
    ),
    (_check_awards,),
)

_TITLE: _Spec[TitleRule] = _Spec(
    TitleRule,
    "荣誉称号规则",
    (
        _Field("title", "称号名称", _NAME, required=True),
        _Field("top", "可申报名次", _Maybe(_RANK)),
        _Field("team_top", "团体赛可申报名次", _TEAM_TOP),
        _Field("requires_award", "须获奖项", _AWARD_NAMES),
        _Field("tier_class", "适用竞赛类别", _TIER_FILTER),
        _Field("statuses", "适用身份", _STATUSES),
        _Field("groups", "适用组别", _List(_NAME, as_set=True)),
        _Field("min_age", "最低年龄", _AGE),
        _Field("max_age", "最高年龄", _AGE),
        _Field("pass_mark", "合格分", _PASS_MARK),
        _Field("exclude_holders", "已获该称号者除外", _Flag()),
        _SOURCE_FIELD,
    ),
    (_check_title,),
)

_BAND: _Spec[PromotionBand] = _Spec(
    PromotionBand,
    "晋升档次",
    (
        _Field("target", "晋升等级", _Choice(SkillLevel), required=True),
        _Field("from_rank", "起始名次", _RANK),
        _Field("to_rank", "截止名次", _Maybe(_RANK)),
        _Field("team_to_rank", "团体赛截止名次", _TEAM_TOP),
        _Field("steps", "晋升级数", _Maybe(_Integer(minimum=1, maximum=3))),
        _Field("requires_award", "须获奖项", _AWARD_NAMES),
        _Field("holder_target", "已达晋升等级者晋升至", _Maybe(_Choice(SkillLevel))),
        _Field("student_target", "学生晋升等级", _Maybe(_Choice(SkillLevel))),
        _Field("tier_class", "适用竞赛类别", _TIER_FILTER),
        _Field("statuses", "适用身份", _STATUSES),
        _SOURCE_FIELD,
    ),
    (_check_band,),
)

_PROMOTION: _Spec[PromotionRules] = _Spec(
    PromotionRules,
    "晋升规则",
    (
        _Field("bands", "晋升档次", _List(_Object(_BAND))),
        _Field("one_per_year", "每人每年限晋升一次", _Flag()),
        _Field("requires_component_pass", "须各部分均合格", _Flag()),
        _Field("ladder_top", "最高可晋升等级", _Choice(SkillLevel)),
        _SOURCE_FIELD,
    ),
    (_check_promotion,),
)

_DESIGNATION: _Spec[DesignationRule] = _Spec(
    DesignationRule,
    "认定规则",
    (
        _Field("name", "认定名称", _NAME, required=True),
        _Field("top", "入选名次", _Maybe(_RANK)),
        _Field("awards", "须获奖项", _AWARD_NAMES),
        _Field("tier_class", "适用竞赛类别", _TIER_FILTER),
        _SOURCE_FIELD,
    ),
    (_check_designation,),
)

_RULE_SET: _Spec[RuleSet] = _Spec(
    RuleSet,
    "规则集",
    (
        _Field("key", "规则键", _KEY, required=True),
        _Field("name", "规则名称", _NAME, required=True),
        _Field("level", "竞赛层级", _Choice(Level), required=True),
        _Field("tier_class", "竞赛类别", _Choice(TierClass), required=True),
        _Field("scoring", "评分规则", _Object(_SCORING), required=True),
        _Field("ranking", "排名规则", _Object(_RANKING)),
        _Field("awards", "奖项规则", _Object(_AWARDS)),
        _Field("titles", "荣誉称号规则", _List(_Object(_TITLE))),
        _Field("promotion", "晋升规则", _Object(_PROMOTION)),
        _Field("designations", "认定规则", _List(_Object(_DESIGNATION))),
        _Field("cutoff_ties", "名次线并列处理", _Choice(CutoffTiePolicy)),
        _Field("minimum_field", "最低参赛人数", _Maybe(_Integer(minimum=1))),
        _SOURCE_FIELD,
    ),
    (_check_rule_set,),
)

_SPECS: tuple[_Spec[Any], ...] = (
    _COMPONENT,
    _STANDARDISATION,
    _SCORING,
    _RANKING,
    _AWARD_TIER,
    _AWARDS,
    _TITLE,
    _BAND,
    _PROMOTION,
    _DESIGNATION,
    _RULE_SET,
)


def field_label(cls: type, key: str) -> str:
    """The Chinese name of field ``key`` of model class ``cls`` (as used in messages)."""
    spec = next(spec for spec in _SPECS if spec.cls is cls)
    return spec.label_of(key)


# --- public API -------------------------------------------------------------------------------


def rule_set_from_dict(data: Mapping[str, object], *, source_name: str | None = None) -> RuleSet:
    """Read and validate a rule set from its dict form (a parsed rule file or stored settings).

    Missing optional keys take the model's defaults. Raises :class:`RuleFileError` with every
    problem found (``source_name``, e.g. the file name, prefixes each line of its message).
    """
    problems: list[RuleProblem] = []
    result = _Object(_RULE_SET).read(data, _At("", _("规则集"), problems))
    if problems or not isinstance(result, RuleSet):
        raise RuleFileError(tuple(problems), source_name)
    return result


def rule_set_to_dict(rule_set: RuleSet) -> dict[str, object]:
    """The dict form of ``rule_set``: every field written out, JSON-ready, and read back identically.

    Decimals become strings that keep their written precision (``"0.30"``), enums their codes,
    frozensets sorted lists and tuples lists.
    """
    written = _Object(_RULE_SET).write(rule_set)
    if not isinstance(written, dict):
        raise TypeError("a rule set is written as a dict")
    return written


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    counts = Counter(key for key, _value in pairs)
    duplicated = [key for key, count in counts.items() if count > 1]
    if duplicated:
        # json.loads would silently keep the last value; in a hand-edited file that hides a mistake.
        raise _DuplicateKeyError(duplicated)
    return dict(pairs)


class _DuplicateKeyError(ValueError):
    def __init__(self, keys: list[str]) -> None:
        super().__init__(keys)
        self.keys = keys


def rule_set_from_json(text: str, *, source_name: str | None = None) -> RuleSet:
    """Parse a rule file's JSON text and validate it (see :func:`rule_set_from_dict`)."""
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except _DuplicateKeyError as error:
        keys = "、".join(f'"{key}"' for key in error.keys)
        problem = RuleProblem("", _("规则文件：字段 {keys} 在同一对象中出现了多次").format(keys=keys))
        raise RuleFileError((problem,), source_name) from None
    except json.JSONDecodeError as error:
        problem = RuleProblem(
            "",
            _("规则文件：不是有效的 JSON（第 {line} 行第 {column} 列：{reason}）").format(
                line=error.lineno, column=error.colno, reason=error.msg
            ),
        )
        raise RuleFileError((problem,), source_name) from None
    if not isinstance(data, dict):
        problem = RuleProblem("", _("规则文件：顶层应为对象 {{…}}，实际为{actual}").format(actual=_type_name(data)))
        raise RuleFileError((problem,), source_name)
    return rule_set_from_dict(data, source_name=source_name)


def rule_set_to_json(rule_set: RuleSet) -> str:
    """The rule file text for ``rule_set``: UTF-8 JSON, indented, Chinese kept readable."""
    return json.dumps(rule_set_to_dict(rule_set), ensure_ascii=False, indent=2) + "\n"
