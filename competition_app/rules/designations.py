"""Designations reported beside titles, e.g. 优秀选手 (seed 003 item 7, DOMAIN.md §4).

优秀选手 is not a title quota: it records that a contestant placed within a tier's top N
(国家级一类 top 20, 国家级二类 top 15, 省级一类 top 5, 省级二类 top 3) or won one of the
listed awards (全国职业院校技能大赛 一等奖/二等奖, 全省职业院校技能大赛 一等奖), which relaxes
teacher hiring. The numbers come from each competition's :class:`DesignationRule`s. Everyone
sharing a place within the top N is designated (no cut-off decision: it is a report, not a
quota).
"""

from __future__ import annotations

from collections.abc import Sequence

from competition_app.domain.enums import tier_label
from competition_app.i18n import _
from competition_app.rules.awards import Reach, arrow
from competition_app.rules.io import EventInput, Outcome, Standing
from competition_app.rules.model import DesignationRule

__all__ = ["designation_reach", "designations_for"]


def designations_for(
    standing: Standing,
    rules: Sequence[DesignationRule],
    *,
    event: EventInput,
    award: str | None,
) -> tuple[Outcome, ...]:
    """The designations this entry earns: one Outcome per designation name (``value`` = name),
    e.g. "第12名（国家级一类前20名）→ 优秀选手". A rule applies when its ``tier_class`` is unset
    or the event's; it is met by place (``rank ≤ top``) or by holding one of ``awards``.
    Unranked entries earn none.
    """
    if standing.rank is None:
        return ()
    found: dict[str, Outcome] = {}
    for rule in rules:
        if rule.name in found or (rule.tier_class is not None and rule.tier_class is not event.tier_class):
            continue
        if rule.top is not None and standing.rank <= rule.top:
            tier = tier_label(event.level, event.tier_class)
            why = _("第{rank}名（{tier}前{top}名）").format(rank=standing.rank, tier=tier, top=rule.top)
        elif award is not None and award in rule.awards:
            why = _("获{award}").format(award=award)
        else:
            continue
        found[rule.name] = Outcome(rule.name, (arrow(why, rule.name),))
    return tuple(found.values())


def designation_reach(rules: Sequence[DesignationRule], event: EventInput) -> Reach:
    """The places and awards through which any of ``rules`` designates an entry of ``event``."""
    applicable = [r for r in rules if r.tier_class is None or r.tier_class is event.tier_class]
    return Reach(
        max((r.top for r in applicable if r.top is not None), default=0),
        frozenset(a for r in applicable for a in r.awards),
    )
