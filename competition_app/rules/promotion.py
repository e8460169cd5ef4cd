"""Skill-level promotion (晋升职业技能等级) earned at a competition (DOMAIN.md §5).

The first :class:`PromotionBand` that matches the entry decides its target level. A band
matches when its ``tier_class`` (if set) is the event's, the entry's status is among its
``statuses`` (if set), and the entry is placed ``from_rank``..``to_rank`` *or* holds one of
``requires_award`` (全国技能大赛: 优胜奖 and above → 技师). A band with an award list and no
``to_rank`` goes by award only; a band with neither is open-ended from ``from_rank``.

Then, in this order:

* ``one_per_year``: a promotion already recorded for the competition year (from any
  competition) means none now;
* ``requires_component_pass``: every component with a pass mark (given by the caller from
  ``ScoringRules``, on the component's 100-point scale) must be passed; a missing mark fails;
* the target is ``student_target`` for a student when the band sets one (天津), else ``target``;
  someone already at or above it goes to ``holder_target`` (技师 → 高级技师) when that is
  higher than their level, else gets nothing; the target is capped at ``ladder_top``, and a
  promotion is never to the same or a lower level. An unknown current level counts as below
  every level of the ladder.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal

from competition_app.domain.enums import PersonStatus, SkillLevel, TierClass
from competition_app.i18n import _
from competition_app.rules.awards import arrow, format_number, not_ranked_reason
from competition_app.rules.io import EventInput, Outcome, Standing
from competition_app.rules.model import PromotionBand, PromotionRules

__all__ = ["PromotionPlan", "effective_to_rank", "ladder_index", "promotion_for"]

_LADDER = tuple(SkillLevel)


def ladder_index(level: SkillLevel) -> int:
    """A level's step on the ladder (学徒工 = 0 … 首席技师 = 7)."""
    return _LADDER.index(level)


def effective_to_rank(band: PromotionBand, event: EventInput) -> int | None:
    """The band's last rank for this event: a ``team_to_rank`` override for a team of this size."""
    return event.for_team_size(band.team_to_rank, band.to_rank)


def _band_phrase(band: PromotionBand, standing: Standing, award: str | None, event: EventInput) -> str | None:
    """Why ``band`` covers this entry by place or award, or None when it does not."""
    rank = standing.rank
    assert rank is not None
    if award is not None and award in band.requires_award:
        return _("获{award}，属{awards}晋升档").format(award=award, awards="、".join(band.requires_award))
    to_rank = effective_to_rank(band, event)
    by_rank = to_rank is not None or not band.requires_award
    if by_rank and band.from_rank <= rank and (to_rank is None or rank <= to_rank):
        if to_rank is None:
            places = _("第{first}名及以后").format(first=band.from_rank)
        elif band.from_rank == to_rank:
            places = _("第{first}名").format(first=band.from_rank)
        else:
            places = _("第{first}–{last}名").format(first=band.from_rank, last=to_rank)
        return _("第{rank}名，属{places}晋升档").format(rank=rank, places=places)
    return None


def _band_scope(band: PromotionBand) -> str:
    parts: list[str] = []
    if band.to_rank is None and not band.requires_award:
        parts.append(_("第{first}名及以后").format(first=band.from_rank))
    elif band.to_rank == band.from_rank:
        parts.append(_("第{first}名").format(first=band.from_rank))
    elif band.to_rank is not None:
        parts.append(_("第{first}–{last}名").format(first=band.from_rank, last=band.to_rank))
    if band.requires_award:
        parts.append("、".join(band.requires_award))
    return _("或").join(parts)


def _component_failures(standing: Standing, pass_marks: Mapping[str, Decimal]) -> list[str]:
    results = {c.name: c for c in standing.components}
    failures: list[str] = []
    for name, mark in pass_marks.items():
        result = results.get(name)
        if result is None or result.normalised is None:
            failures.append(_("缺少{name}成绩").format(name=name))
        elif result.normalised < mark:
            failures.append(
                _("{name}{value}分，低于{mark}分").format(
                    name=name, value=format_number(result.normalised), mark=format_number(mark)
                )
            )
    return failures


@functools.lru_cache(maxsize=64)
def _bands_for_class(rules: PromotionRules, tier_class: TierClass) -> tuple[tuple[PromotionBand, ...], str]:
    """The bands that apply to events of ``tier_class`` and their scopes as one phrase (cached:
    every entry of every event asks)."""
    applicable = tuple(b for b in rules.bands if b.tier_class is None or b.tier_class is tier_class)
    return applicable, "；".join(_band_scope(b) for b in applicable)


def _find_band(
    rules: PromotionRules, standing: Standing, *, event: EventInput, award: str | None
) -> tuple[PromotionBand, str] | str:
    """The first band covering this entry with the phrase saying why, or why none does."""
    applicable, _scopes = _bands_for_class(rules, event.tier_class)
    status_miss: str | None = None
    for band in applicable:
        phrase = _band_phrase(band, standing, award, event)
        if phrase is None:
            continue
        if band.statuses and standing.entry.status not in band.statuses:
            status_miss = status_miss or _("{phrase}，但身份为{status}，不适用该档").format(
                phrase=phrase, status=standing.entry.status.label
            )
            continue
        return band, phrase
    if status_miss:
        return status_miss
    return _beyond_bands(rules, event, award)


def _beyond_bands(rules: PromotionRules, event: EventInput, award: str | None) -> str:
    """Why no band covers a place past them all, holding ``award``."""
    applicable, scopes = _bands_for_class(rules, event.tier_class)
    if not applicable:
        return _("本类别竞赛未设晋升档")
    got = _("获{award}，").format(award=award) if award and any(b.requires_award for b in applicable) else ""
    return _("{got}不在晋升范围（{scopes}）").format(got=got, scopes=scopes)


def _no(*sentences: str) -> Outcome:
    return Outcome(None, (*sentences[:-1], arrow(sentences[-1], _("不晋升"))))


def promotion_for(
    standing: Standing,
    rules: PromotionRules,
    *,
    event: EventInput,
    award: str | None,
    component_pass_marks: Mapping[str, Decimal] | None = None,
) -> Outcome:
    """The skill level this entry is promoted to, as an Outcome whose ``value`` is the target
    :class:`SkillLevel` code (``"level_2"`` for 技师) or None, with the reasons in Chinese.

    ``award`` is the entry's award (for award bands); ``component_pass_marks`` maps component
    names to their pass marks (``ComponentRule.pass_mark`` from the scoring rules) and is read
    only when ``rules.requires_component_pass`` is set. See the module notes for the order of
    the checks. Unranked entries are never promoted.
    """
    return PromotionPlan(rules, event, component_pass_marks).outcome(standing, award)


class PromotionPlan:
    """``promotion_for`` for every entry of one event under one rules object.

    Most of a field is placed past every band. Whether a place is past them all is worked out
    once (``_last_place``: the last place any band covers, None when a band is open-ended), and
    such entries share one outcome per award; it names the bands' scope rather than the place,
    which the summary sentence gives. Outcomes are immutable.
    """

    __slots__ = ("_band_awards", "_beyond", "_event", "_last_place", "_pass_marks", "_rules")

    def __init__(
        self, rules: PromotionRules, event: EventInput, component_pass_marks: Mapping[str, Decimal] | None = None
    ) -> None:
        self._rules = rules
        self._event = event
        self._pass_marks = component_pass_marks or {}
        applicable, _scopes = _bands_for_class(rules, event.tier_class)
        self._last_place: int | None = 0
        for band in applicable:  # what _band_phrase covers by place
            to_rank = effective_to_rank(band, event)
            if to_rank is None and not band.requires_award:
                self._last_place = None  # open-ended
                break
            self._last_place = max(self._last_place, to_rank or 0)
        self._band_awards = frozenset(a for b in applicable for a in b.requires_award)
        self._beyond: dict[str | None, Outcome] = {}

    def outcome(self, standing: Standing, award: str | None) -> Outcome:
        """The promotion outcome of ``standing`` holding ``award`` (see ``promotion_for``)."""
        rules = self._rules
        if standing.rank is None:
            return _no(not_ranked_reason(standing))
        if not rules.bands:
            return Outcome(None, (_("本赛项不设晋升"),))
        if self._last_place is not None and standing.rank > self._last_place and award not in self._band_awards:
            beyond = self._beyond.get(award)
            if beyond is None:
                beyond = self._beyond[award] = _no(_beyond_bands(rules, self._event, award))
            return beyond
        matched = _find_band(rules, standing, event=self._event, award=award)
        if isinstance(matched, str):
            return _no(matched)
        return self._in_band(standing, *matched)

    def _in_band(self, standing: Standing, band: PromotionBand, phrase: str) -> Outcome:
        """The outcome of an entry ``band`` covers: the yearly limit, component passes, the ladder."""
        rules, entry = self._rules, standing.entry
        if rules.one_per_year:
            year = self._event.year
            earlier = [p for p in entry.history.promotions if p.year == year]
            if earlier:
                return _no(
                    phrase,
                    _("{year}年已晋升过一次（{level}），每人每年限晋升一次").format(
                        year=year, level=earlier[0].level.label
                    ),
                )
        if rules.requires_component_pass:
            failures = _component_failures(standing, self._pass_marks)
            if failures:
                return _no(phrase, _("晋升要求各项成绩合格：{failures}").format(failures="；".join(failures)))
        return _level(standing, band, phrase, rules)


def _level(standing: Standing, band: PromotionBand, phrase: str, rules: PromotionRules) -> Outcome:
    entry = standing.entry
    sentences = [phrase]
    target = band.target
    if entry.status is PersonStatus.STUDENT and band.student_target is not None:
        target = band.student_target
        sentences.append(_("学生选手按学生档晋升"))
    current = entry.current_level
    if band.steps is not None and current is not None:
        # A relative band ("晋升一级"): one rung above what the person holds now.
        target = _LADDER[min(ladder_index(current) + band.steps, len(_LADDER) - 1)]
        sentences.append(_("现为{current}，按规定晋升{steps}级").format(current=current.label, steps=band.steps))
    elif current is not None and ladder_index(current) >= ladder_index(target):
        holder = band.holder_target
        if holder is None or ladder_index(holder) <= ladder_index(current):
            return _no(
                *sentences,
                _("现为{current}，已达到或高于本档可晋升的等级（{target}）").format(
                    current=current.label, target=target.label
                ),
            )
        sentences.append(
            _("现为{current}，已具备本档目标等级{target}，按规定适用更高一档").format(
                current=current.label, target=target.label
            )
        )
        target = holder
    if ladder_index(target) > ladder_index(rules.ladder_top):
        sentences.append(_("竞赛晋升最高至{top}").format(top=rules.ladder_top.label))
        target = rules.ladder_top
        if current is not None and ladder_index(current) >= ladder_index(target):
            return _no(*sentences, _("现为{current}，不再晋升").format(current=current.label))
    return Outcome(target.value, (*sentences[:-1], arrow(sentences[-1], _("晋升{level}").format(level=target.label))))
