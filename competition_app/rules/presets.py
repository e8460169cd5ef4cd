"""The tier presets shipped in ``resources/rules`` (one JSON file per preset), and a readable
Chinese description of any rule set, each line with where its rule comes from.

A competition never runs on a preset directly: it gets its own copy
(:func:`competition_app.services.rule_sets.copy_preset_to_competition`) that organisers edit
to match the competition's notice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from competition_app.domain.enums import Level, PanelMethod, TierClass, tier_label
from competition_app.i18n import _
from competition_app.rules.model import (
    AwardModel,
    AwardRules,
    ComponentRule,
    CutoffTiePolicy,
    DesignationRule,
    PromotionBand,
    PromotionRules,
    RuleSet,
    ScoringRules,
    TitleRule,
)
from competition_app.rules.serialise import RuleFileError, RuleProblem, enum_label, rule_set_from_json

_KEY_PATTERN = re.compile(r"[a-z0-9_]+")


@dataclass(frozen=True, slots=True)
class PresetInfo:
    """One preset as a list shows it."""

    key: str
    name: str
    level: Level
    tier_class: TierClass
    summary: str  # one line: tier, awards, titles

    @property
    def tier(self) -> str:
        """The tier as people say it: 市级一类, 世界技能大赛, 企业."""
        return tier_label(self.level, self.tier_class)


class UnknownPresetError(LookupError):
    """No preset has this key; the message (Chinese) lists the keys there are."""

    def __init__(self, key: str, known: tuple[str, ...]) -> None:
        self.key = key
        self.known = known
        super().__init__(key)

    def __str__(self) -> str:
        return _("没有名为 “{key}” 的规则预设；可用的预设：{known}").format(key=self.key, known="、".join(self.known))


def _folder() -> Traversable:
    return files("resources") / "rules"


def _preset_keys() -> tuple[str, ...]:
    return tuple(
        sorted(
            entry.name.removesuffix(".json")
            for entry in _folder().iterdir()
            if entry.is_file() and entry.name.endswith(".json")
        )
    )


@cache
def _load(key: str) -> RuleSet:
    file_name = f"{key}.json"
    rule_set = rule_set_from_json(
        (_folder() / file_name).read_text(encoding="utf-8"), source_name=f"resources/rules/{file_name}"
    )
    if rule_set.key != key:
        problem = RuleProblem(
            "key",
            _("key（规则键）：应与文件名 {stem} 相同，实际为 “{key}”").format(stem=key, key=rule_set.key),
        )
        raise RuleFileError((problem,), f"resources/rules/{file_name}")
    return rule_set


def load_preset(key: str) -> RuleSet:
    """The preset ``key`` (a file stem of ``resources/rules``), validated.

    Raises :class:`UnknownPresetError` for an unknown key and
    :class:`~competition_app.rules.serialise.RuleFileError` for a broken preset file.
    """
    known = _preset_keys()
    if not _KEY_PATTERN.fullmatch(key) or key not in known:
        raise UnknownPresetError(key, _ordered_keys())
    return _load(key)


def _ordered_keys() -> tuple[str, ...]:
    return tuple(info.key for info in list_presets())


_LEVEL_ORDER = tuple(Level)
_CLASS_ORDER = tuple(TierClass)


def list_presets() -> tuple[PresetInfo, ...]:
    """Every preset, from the top of the tier system down (世界 → 国家 → 省 → 市 → 企业, 院校)."""
    rule_sets = [_load(key) for key in _preset_keys()]
    rule_sets.sort(key=lambda rule: (_LEVEL_ORDER.index(rule.level), _CLASS_ORDER.index(rule.tier_class), rule.key))
    return tuple(
        PresetInfo(rule.key, rule.name, rule.level, rule.tier_class, summarise_rule_set(rule)) for rule in rule_sets
    )


# --- describing a rule set ----------------------------------------------------------------------


def _number(value: Decimal) -> str:
    """A decimal as people write it: 60, 0.5, 2 (no exponent, no trailing zeros)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _percent(share: Decimal) -> str:
    return f"{_number(share * 100)}%"


def _joined(names: tuple[str, ...] | list[str]) -> str:
    return "、".join(names)


def _holders_of(awards: tuple[str, ...]) -> str:
    if len(awards) == 1:
        return _("获得{award}者").format(award=awards[0])
    return _("获得{awards}之一者").format(awards=_joined(awards))


_TEAM_SIZES = {2: "双人", 3: "三人"}


def _team_ranks(team_top: tuple[tuple[int, int], ...]) -> str:
    return "、".join(
        _("{team}赛项前 {top} 名").format(team=_(_TEAM_SIZES.get(size, f"{size}人")), top=top) for size, top in team_top
    )


def _ranks(top: int) -> str:
    return _("第 1 名") if top == 1 else _("前 {top} 名").format(top=top)


def _awards_short(awards: AwardRules) -> str:
    if awards.model is AwardModel.PERCENTAGE:
        return "/".join(f"{tier.name}{_percent(tier.share)}" for tier in awards.tiers if tier.share is not None)
    if awards.model is AwardModel.FIXED_COUNTS:
        return "/".join(_("{name}{count}名").format(name=tier.name, count=tier.count) for tier in awards.tiers)
    if awards.model is AwardModel.MEDALS:
        medals = "".join(tier.name.removesuffix("牌") for tier in awards.tiers)
        extra = _("+{award}（前一半）").format(award=awards.half_field_award) if awards.half_field_award else ""
        return _("{medals}牌{extra}").format(medals=medals, extra=extra)
    if awards.model is AwardModel.WORLDSKILLS:
        medals = "".join(tier.name.removesuffix("牌") for tier in awards.tiers)
        extra = (
            _("+{award}（≥{threshold}分）").format(
                award=awards.medallion, threshold=_number(awards.medallion_threshold)
            )
            if awards.medallion
            else ""
        )
        return _("{medals}牌{extra}").format(medals=medals, extra=extra)
    return _("不设奖项")


def _title_short(title: TitleRule) -> str:
    if title.top is not None:
        return _("{ranks}可申报{title}").format(ranks=_ranks(title.top).replace(" ", ""), title=title.title)
    return _("获奖者可申报{title}").format(title=title.title)


def summarise_rule_set(rule_set: RuleSet) -> str:
    """One line: tier, awards and titles.

    For example ``市级一类；一等奖1名/二等奖2名/三等奖3名；前3名可申报济宁市技术能手``.
    """
    parts = [tier_label(rule_set.level, rule_set.tier_class), _awards_short(rule_set.awards)]
    parts.append("，".join(_title_short(title) for title in rule_set.titles) if rule_set.titles else _("不设称号"))
    return "；".join(parts)


def _panel(component: ComponentRule, scoring: ScoringRules) -> str:
    size = component.panel_size
    if component.panel is PanelMethod.SINGLE:
        return _("单一评分")
    if component.panel is PanelMethod.TRIMMED_MEAN:
        return _("{size} 名裁判评分，去掉一个最高分和一个最低分后取平均").format(size=size)
    if component.panel is PanelMethod.MEAN:
        return _("{size} 名裁判评分取平均").format(size=size)
    if component.panel is PanelMethod.MEDIAN:
        return _("{size} 名裁判评分取中位数").format(size=size)
    return _(
        "世赛评分：测量分项与评价分项，评价分 0–{scale} 分，至少 {judges} 名裁判，分差超过 {spread} 须复议"
    ).format(
        scale=scoring.judgement_scale, judges=scoring.judgement_min_judges, spread=_number(scoring.judgement_max_spread)
    )


def _class_only(tier_class: TierClass | None) -> str:
    return _("（仅{label}赛项）").format(label=tier_class.label) if tier_class not in (None, TierClass.NONE) else ""


def _title_text(title: TitleRule) -> str:
    conditions: list[str] = []
    if title.top is not None:
        ranks = _ranks(title.top)
        conditions.append(f"{ranks}（{_team_ranks(title.team_top)}）" if title.team_top else ranks)
    elif title.team_top:
        conditions.append(_team_ranks(title.team_top))
    if title.requires_award:
        conditions.append(_holders_of(title.requires_award))
    text = _("或").join(conditions) + _("可申报“{title}”").format(title=title.title) + _class_only(title.tier_class)
    limits: list[str] = []
    if title.statuses:
        limits.append(_("限{statuses}身份").format(statuses=_joined(sorted(s.label for s in title.statuses))))
    if title.groups:
        limits.append(_("限{groups}").format(groups=_joined(sorted(title.groups))))
    if title.min_age is not None and title.max_age is not None:
        limits.append(_("年龄 {low}–{high} 岁").format(low=title.min_age, high=title.max_age))
    elif title.min_age is not None:
        limits.append(_("年龄不小于 {low} 岁").format(low=title.min_age))
    elif title.max_age is not None:
        limits.append(_("年龄不超过 {high} 岁").format(high=title.max_age))
    if title.pass_mark is not None:
        limits.append(_("总分不低于 {mark} 分").format(mark=_number(title.pass_mark)))
    if title.exclude_holders:
        limits.append(_("已获该称号者除外"))
    return text + (f"；{'；'.join(limits)}" if limits else "")


def _band_text(band: PromotionBand) -> str:
    if band.requires_award:
        who = _holders_of(band.requires_award)
    elif band.to_rank == band.from_rank:
        who = _("第 {rank} 名").format(rank=band.from_rank)
    else:
        who = _("第 {start}–{end} 名").format(start=band.from_rank, end=band.to_rank)
    if band.steps is not None:
        text = _("{who}在现等级上晋升{steps}级（现等级不详者晋升{target}）").format(
            who=who, steps=band.steps, target=band.target.label
        )
    else:
        text = _("{who}晋升{target}").format(who=who, target=band.target.label)
    parts = [text + _class_only(band.tier_class)]
    if band.holder_target is not None:
        parts.append(
            _("已是{target}及以上者晋升{holder}").format(target=band.target.label, holder=band.holder_target.label)
        )
    if band.student_target is not None:
        parts.append(_("学生晋升{level}").format(level=band.student_target.label))
    for size, last in band.team_to_rank:
        parts.append(_("{size}人团体赛项前 {last} 名").format(size=size, last=last))
    if band.statuses:
        parts.append(_("限{statuses}身份").format(statuses=_joined(sorted(s.label for s in band.statuses))))
    return "；".join(parts)


def _promotion_limits(promotion: PromotionRules) -> str:
    parts = [_("每人每年限晋升一次（跨竞赛）") if promotion.one_per_year else _("不限每年晋升次数")]
    if promotion.requires_component_pass:
        parts.append(_("须各评分部分均达合格线"))
    parts.append(_("最高晋升至{level}").format(level=promotion.ladder_top.label))
    return "；".join(parts)


def _designation_text(designation: DesignationRule) -> str:
    conditions: list[str] = []
    if designation.top is not None:
        conditions.append(_ranks(designation.top))
    if designation.awards:
        conditions.append(_holders_of(designation.awards))
    return (
        _("或").join(conditions)
        + _("认定为“{name}”").format(name=designation.name)
        + _class_only(designation.tier_class)
    )


def _award_lines(awards: AwardRules) -> list[tuple[str, str]]:
    head = [_("奖项：{model}").format(model=enum_label(awards.model))]
    if awards.model is AwardModel.PERCENTAGE:
        head.append(_("名额按本组人数计算后{rounding}").format(rounding=enum_label(awards.quota_rounding)))
    if awards.pass_mark is not None:
        head.append(_("总分低于 {mark} 分不获奖").format(mark=_number(awards.pass_mark)))
    if awards.merit_award:
        head.append(_("其余合格者获{award}").format(award=awards.merit_award))
    if awards.half_field_award:
        within = _("（含）") if awards.half_field_inclusive else _("（不含）")
        head.append(
            _("奖牌名次以外、排名在参赛人数一半以内{within}者获{award}").format(
                within=within, award=awards.half_field_award
            )
        )
    if awards.medallion:
        head.append(
            _("{threshold} 分及以上者获{award}").format(
                threshold=_number(awards.medallion_threshold), award=awards.medallion
            )
        )
    if awards.medal_tie_margin:
        head.append(_("奖牌分差在 {margin} 分以内视为同分").format(margin=_number(awards.medal_tie_margin)))
    lines = [("；".join(head), awards.source)]
    for tier in awards.tiers:
        if tier.share is not None:
            quota = _("本组人数的 {share}").format(share=_percent(tier.share))
        elif awards.model in (AwardModel.MEDALS, AwardModel.WORLDSKILLS):
            quota = _("{count} 个名次").format(count=tier.count)
        else:
            quota = _("{count} 名").format(count=tier.count)
        lines.append((f"  {tier.name}：{quota}", tier.source))
    return lines


def describe_rule_set(rule_set: RuleSet) -> str:
    """A rule set in readable Chinese, one rule per line, each followed by its source in 〔〕.

    Covers components and weights, panel methods, rounding, the tie-break chain, shared places,
    the award model and quotas, titles and their conditions, promotion bands, designations and
    the minimum field.
    """
    lines: list[tuple[str, str]] = []
    scoring, ranking = rule_set.scoring, rule_set.ranking
    lines.append(
        (
            _("规则：{name}（{key}，{tier}）").format(
                name=rule_set.name, key=rule_set.key, tier=tier_label(rule_set.level, rule_set.tier_class)
            ),
            rule_set.source,
        )
    )
    for component in scoring.components:
        kind = "" if component.name == component.kind.label else f"（{component.kind.label}）"
        text = _("评分部分：{name}{kind}占 {weight}，满分 {max}，{panel}").format(
            name=component.name,
            kind=kind,
            weight=_percent(component.weight),
            max=_number(component.max_score),
            panel=_panel(component, scoring),
        )
        if component.pass_mark is not None:
            text += _("，合格线 {mark} 分").format(mark=_number(component.pass_mark))
        if component.spread_threshold is not None:
            text += _("，裁判最高分与最低分相差超过 {spread} 分时提示复核").format(
                spread=_number(component.spread_threshold)
            )
        lines.append((text, component.source))
    lines.append(
        (
            _("总分：各部分按权重合计，四舍五入保留 {decimals} 位小数，按保留后的总分排名").format(
                decimals=scoring.decimals
            ),
            scoring.source,
        )
    )
    if scoring.standardisation is not None:
        standard = scoring.standardisation
        lines.append(
            (
                _("世赛标准化：中位数对应 {centre} 分，一个标准差对应 {spread} 分，限定在 {low}–{high} 分").format(
                    centre=_number(standard.centre),
                    spread=_number(standard.spread),
                    low=_number(standard.minimum),
                    high=_number(standard.maximum),
                ),
                standard.source,
            )
        )
    chain = " → ".join(enum_label(tie_break) for tie_break in ranking.tie_breaks)
    compare = _("总分相同时依次比较：{chain}").format(chain=chain) if chain else _("总分相同时不再比较其他成绩")
    shared = (
        _("仍相同则并列名次")
        if ranking.shared_places
        else _("名次不并列：仍相同须裁定并记录（谁、为何），不得默认决定")
    )
    lines.append((_("排名：{compare}；{shared}").format(compare=compare, shared=shared), ranking.source))
    lines.append((_("团体成绩：{how}").format(how=enum_label(ranking.team_scoring)), ranking.source))
    lines.extend(_award_lines(rule_set.awards))
    if rule_set.titles:
        lines.extend((_("称号：") + _title_text(title), title.source) for title in rule_set.titles)
    else:
        lines.append((_("称号：不设荣誉称号（按当届通知添加）"), rule_set.source))
    promotion = rule_set.promotion
    if promotion.bands:
        lines.extend((_("晋升：") + _band_text(band), band.source) for band in promotion.bands)
    else:
        lines.append((_("晋升：不设晋升档次"), promotion.source))
    lines.append((_("晋升条件：") + _promotion_limits(promotion), promotion.source))
    lines.extend((_("认定：") + _designation_text(item), item.source) for item in rule_set.designations)
    cutoff = (
        _("名次线上并列者均入选")
        if rule_set.cutoff_ties is CutoffTiePolicy.ALL_QUALIFY
        else _("名次线上并列须裁定并记录")
    )
    lines.append((_("名次线并列：{cutoff}").format(cutoff=cutoff), rule_set.source))
    minimum = (
        _("最低参赛人数：每组不少于 {count} 人（不足时提示，不阻止比赛）").format(count=rule_set.minimum_field)
        if rule_set.minimum_field is not None
        else _("最低参赛人数：不设")
    )
    lines.append((minimum, rule_set.source))
    return "\n".join(f"{text} 〔{source or _('未注明来源')}〕" for text, source in lines)
