"""Titles (荣誉称号) an entry may apply for (可申报), and the minimum-field warning.

A title rule is eligibility to *apply*; the authority approves later. An entry qualifies for a
:class:`TitleRule` when every condition the rule sets holds (DOMAIN.md §4):

* the event's class matches ``tier_class`` when set (运河之星 一类 → top 3, 二类 → first); a rule
  for another class does not concern the entry at all and is skipped silently;
* its place is within ``top`` — or, in a team event of a size listed in ``team_top``, within
  that override (全国技能大赛: 双人 top 3, 三人 top 2) — *or* it holds one of
  ``requires_award`` (WorldSkills: any medal or Medallion). A rule with neither has no place
  condition;
* its status is one of ``statuses`` (职工 for 全国技术能手: a student is not eligible, though
  the promotion rules may still promote them), its group one of ``groups``;
* its age at the competition date lies within ``min_age``..``max_age`` (full years, both
  inclusive); an unknown birth date under an age rule means not eligible, and says so;
* its total reaches ``pass_mark``; with ``exclude_holders`` it does not hold the title already.

Ties at a ``top`` cut-off: with ``CutoffTiePolicy.ALL_QUALIFY`` everyone sharing the last place
qualifies (places 1-2-3-3 → four may apply for a top-3 title). With DECIDE, :func:`cutoff_ties`
flags the tie (context ``cutoff:<title>``) or applies the recorded decision; pass its result to
:func:`eligible_titles`. The tie is judged on places alone, whatever the tied people's other
conditions (a tied student still shares the place).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from competition_app.domain.enums import EventKind, PersonStatus, tier_label
from competition_app.domain.person_fields import age_on
from competition_app.i18n import _
from competition_app.rules.awards import (
    Reach,
    arrow,
    find_decision,
    format_number,
    not_ranked_reason,
    ordered_ranked,
    tie_groups,
)
from competition_app.rules.io import EventInput, Outcome, Standing, TieDecision, TieFlag
from competition_app.rules.model import CutoffTiePolicy, TitleRule

__all__ = [
    "TitleCutoffs",
    "age_on",
    "cutoff_ties",
    "effective_top",
    "eligible_titles",
    "minimum_field_warning",
    "title_assessments",
    "title_reach",
]


@dataclass(frozen=True, slots=True)
class TitleCutoffs:
    """Ties across the ``top`` cut-off of title rules, under CutoffTiePolicy.DECIDE.

    ``held_back`` maps an entry id to the titles it may not (yet) apply for *by its place*,
    each with the Chinese reason: a pending decision, or a decision that placed it below the
    cut-off. ``unresolved`` lists the ties still waiting for a decision.
    """

    unresolved: tuple[TieFlag, ...] = ()
    held_back: dict[int, dict[str, str]] = field(default_factory=dict)


def effective_top(rule: TitleRule, event: EventInput) -> int | None:
    """The rule's ``top`` for this event: a ``team_top`` override for a team of this size, else ``top``."""
    return event.for_team_size(rule.team_top, rule.top)


def _applies(rule: TitleRule, event: EventInput) -> bool:
    return rule.tier_class is None or rule.tier_class is event.tier_class


def _competition_words(event: EventInput) -> str:
    label = tier_label(event.level, event.tier_class)
    if not label.endswith(("大赛", "竞赛")):
        label += _("竞赛")
    if event.kind is EventKind.TEAM:
        team = {2: _("双人"), 3: _("三人")}.get(event.team_size, _("{n}人").format(n=event.team_size))
        label += _("{team}团体赛").format(team=team)
    return label


def _place_phrase(rank: int, top: int, event: EventInput) -> str:
    if top == 1:
        return _("第{rank}名（{competition}第一名）").format(rank=rank, competition=_competition_words(event))
    return _("第{rank}名（{competition}前{top}名）").format(rank=rank, competition=_competition_words(event), top=top)


def _status_order(status: PersonStatus) -> int:
    return list(PersonStatus).index(status)


def _age_reason(rule: TitleRule, standing: Standing, event: EventInput) -> str | None:
    if rule.min_age is None and rule.max_age is None:
        return None
    if rule.min_age is not None and rule.max_age is not None:
        limits = _("{low}–{high}岁").format(low=rule.min_age, high=rule.max_age)
    elif rule.max_age is not None:
        limits = _("不超过{high}岁").format(high=rule.max_age)
    else:
        limits = _("年满{low}岁").format(low=rule.min_age)
    birth = standing.entry.birth_date
    if birth is None:
        return _("出生日期不详，无法核对年龄条件（{limits}）").format(limits=limits)
    age = age_on(birth, event.competition_date)
    if (rule.min_age is not None and age < rule.min_age) or (rule.max_age is not None and age > rule.max_age):
        return _("比赛日年龄{age}岁，不符合年龄条件（{limits}）").format(age=age, limits=limits)
    return None


def _condition_reasons(rule: TitleRule, standing: Standing, event: EventInput) -> list[str]:
    """Every condition other than place or award that the entry fails, as Chinese phrases."""
    entry = standing.entry
    reasons: list[str] = []
    if rule.groups and entry.group not in rule.groups:
        reasons.append(
            _("组别“{group}”不在适用范围（限{groups}）").format(
                group=entry.group, groups="、".join(sorted(rule.groups))
            )
        )
    if rule.statuses and entry.status not in rule.statuses:
        allowed = "、".join(s.label for s in sorted(rule.statuses, key=_status_order))
        reasons.append(_("身份为{status}，不符合（限{allowed}）").format(status=entry.status.label, allowed=allowed))
    age = _age_reason(rule, standing, event)
    if age:
        reasons.append(age)
    if rule.pass_mark is not None and standing.total is not None and standing.total < rule.pass_mark:
        reasons.append(
            _("总分{total}低于合格线{mark}分").format(
                total=format_number(standing.total), mark=format_number(rule.pass_mark)
            )
        )
    if rule.exclude_holders and rule.title in entry.history.titles:
        reasons.append(_("已获{title}称号，不再重复申报").format(title=rule.title))
    return reasons


def _assess(
    standing: Standing,
    rule: TitleRule,
    *,
    event: EventInput,
    award: str | None,
    field_size: int,
    held_back: dict[str, str],
) -> Outcome:
    rank = standing.rank
    if rank is None:
        return Outcome(None, (arrow(not_ranked_reason(standing), _("不可申报{title}").format(title=rule.title)),))
    top = effective_top(rule, event)
    by_award = award is not None and award in rule.requires_award
    reasons: list[str] = []
    if top is not None and rank <= top and rule.title in held_back and not by_award:
        place, qualifies = _("第{rank}名").format(rank=rank), False
        reasons.append(held_back[rule.title])
    elif top is not None and rank <= top:
        place, qualifies = _place_phrase(rank, top, event), True
    elif by_award:
        place, qualifies = _("第{rank}名，获{award}").format(rank=rank, award=award), True
    elif top is None and not rule.requires_award:
        place, qualifies = _("第{rank}名（共{field}人）").format(rank=rank, field=field_size), True
    else:
        place, qualifies = _("第{rank}名（共{field}人）").format(rank=rank, field=field_size), False
        if top is not None:
            reasons.append(_("未进入前{top}名").format(top=top))
        if rule.requires_award:
            got = _("获{award}").format(award=award) if award else _("未获奖")
            reasons.append(_("{got}，不在{awards}之列").format(got=got, awards="、".join(rule.requires_award)))
    reasons += _condition_reasons(rule, standing, event)
    if qualifies and not reasons:
        return Outcome(rule.title, (arrow(place, _("可申报{title}").format(title=rule.title)),))
    text = _("{place}，{reasons}").format(place=place, reasons="；".join(reasons))
    return Outcome(None, (arrow(text, _("不可申报{title}").format(title=rule.title)),))


def title_assessments(
    standing: Standing,
    rules: Sequence[TitleRule],
    *,
    event: EventInput,
    award: str | None,
    field_size: int,
    cutoffs: TitleCutoffs | None = None,
) -> tuple[Outcome, ...]:
    """One Outcome per title rule that concerns this event, eligible or not, in rule order.

    ``value`` is the title when the entry may apply for it, None otherwise, and the explanation
    says why not in one short sentence ("第4名（共23人），未进入前3名 → 不可申报济宁市技术能手").
    Rules for another tier class are skipped. ``award`` is the entry's award (for
    ``requires_award``); ``field_size`` is the number of ranked entries in the group.
    """
    held = cutoffs.held_back.get(standing.entry.entry_id, {}) if cutoffs else {}
    return tuple(
        _assess(standing, rule, event=event, award=award, field_size=field_size, held_back=held)
        for rule in rules
        if _applies(rule, event)
    )


def eligible_titles(
    standing: Standing,
    rules: Sequence[TitleRule],
    *,
    event: EventInput,
    award: str | None,
    field_size: int,
    cutoffs: TitleCutoffs | None = None,
) -> tuple[Outcome, ...]:
    """The titles this entry may apply for: one Outcome per title, ``value`` = the title, e.g.
    "第3名（市级一类竞赛前3名）→ 可申报济宁市技术能手". Unranked entries get none.

    Under CutoffTiePolicy.DECIDE pass the group's :func:`cutoff_ties` result as ``cutoffs``;
    without it every entry within ``top`` qualifies (ALL_QUALIFY). See
    :func:`title_assessments` for the reasons an entry does *not* qualify.
    """
    # Only rules the entry's place or award can satisfy are assessed in full: the "why not"
    # sentences for the rest of the field are what title_assessments is for.
    reachable = [rule for rule in rules if _place_or_award_can_qualify(standing, rule, event, award)]
    if not reachable:
        return ()
    assessed = title_assessments(standing, reachable, event=event, award=award, field_size=field_size, cutoffs=cutoffs)
    return tuple(outcome for outcome in assessed if outcome.value is not None)


def _place_or_award_can_qualify(standing: Standing, rule: TitleRule, event: EventInput, award: str | None) -> bool:
    if standing.rank is None:
        return False
    if award is not None and award in rule.requires_award:
        return True
    top = effective_top(rule, event)
    return standing.rank <= top if top is not None else not rule.requires_award


def title_reach(rules: Sequence[TitleRule], event: EventInput) -> Reach:
    """The places and awards through which any of ``rules`` can make an entry of ``event``
    eligible (what ``_place_or_award_can_qualify`` accepts)."""
    last_place: int | None = 0
    awards: set[str] = set()
    for rule in rules:
        if not _applies(rule, event):
            continue
        awards.update(rule.requires_award)
        top = effective_top(rule, event)
        if top is None and not rule.requires_award:
            last_place = None
        elif top is not None and last_place is not None:
            last_place = max(last_place, top)
    return Reach(last_place, frozenset(awards))


def cutoff_ties(
    standings: Sequence[Standing],
    rules: Sequence[TitleRule],
    *,
    event: EventInput,
    group: str,
    policy: CutoffTiePolicy,
    decisions: Sequence[TieDecision] = (),
) -> TitleCutoffs:
    """Ties across the ``top`` cut-off of each title rule in one group's ``standings``.

    With ALL_QUALIFY there is nothing to decide: an empty result. With DECIDE, for each tie
    that straddles a rule's (effective) ``top`` a TieDecision of this ``group`` with context
    ``cutoff:<title>`` that orders every tied entry lets the first ones fill the remaining
    places; without one, a TieFlag is raised and every tied entry is held back for now.
    """
    if policy is CutoffTiePolicy.ALL_QUALIFY:
        return TitleCutoffs()
    groups = tie_groups(ordered_ranked(standings))
    flags: list[TieFlag] = []
    held: dict[int, dict[str, str]] = {}
    for rule in rules:
        top = effective_top(rule, event)
        if top is None or not _applies(rule, event) or (rule.groups and group not in rule.groups):
            continue
        for start, tied in groups:
            if not start <= top < start + len(tied) - 1:
                continue
            context = f"cutoff:{rule.title}"
            names = "、".join(s.entry.name for s in tied)
            decision = find_decision(decisions, group=group, context=context, tied=tied)
            if decision is None:
                flags.append(
                    TieFlag(
                        group=group,
                        context=context,
                        entry_ids=tuple(s.entry.entry_id for s in tied),
                        message=_(
                            "{group}：{names}并列第{rank}名，跨越{title}前{top}名线，需裁定并记录裁定人与理由"
                        ).format(group=group, names=names, rank=tied[0].rank, title=rule.title, top=top),
                    )
                )
                for standing in tied:
                    held.setdefault(standing.entry.entry_id, {})[rule.title] = _(
                        "与他人并列第{rank}名，跨越前{top}名线，待裁定"
                    ).format(rank=tied[0].rank, top=top)
                continue
            order = {entry_id: i for i, entry_id in enumerate(decision.ordered_entry_ids)}
            for offset, standing in enumerate(sorted(tied, key=lambda s: order[s.entry.entry_id])):
                if start + offset > top:
                    held.setdefault(standing.entry.entry_id, {})[rule.title] = _(
                        "并列第{rank}名，经裁定（{who}：{reason}）列第{position}位，未进入前{top}名"
                    ).format(
                        rank=tied[0].rank,
                        who=decision.decided_by,
                        reason=decision.reason,
                        position=start + offset,
                        top=top,
                    )
    return TitleCutoffs(tuple(flags), held)


def minimum_field_warning(field_size: int, minimum: int | None, group: str) -> str | None:
    """A Chinese warning when a group has fewer ranked entries than the rules' minimum field
    (provincial events ≥30, WorldSkills selection ≥15). It never blocks anything."""
    if minimum is None or field_size >= minimum:
        return None
    return _("{group}参赛人数为{field}人，少于规定的最低{minimum}人，此类赛项通常应取消；结果照常计算，请核实").format(
        group=group, field=field_size, minimum=minimum
    )
