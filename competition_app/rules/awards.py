"""Awards (奖项) for the standings of one group: percentage, fixed counts, medals, WorldSkills.

Every award is explained in Chinese sentences a person can check against the notice, e.g.
"第2名，属前10%（23人中取2人，向下取整）→ 一等奖".

Decisions on points the regulations leave open (see DOMAIN.md §3):

* **Quotas are cumulative cut-offs.** Tier *i* goes to the places ``C(i-1)+1 .. C(i)`` where
  ``C(i)`` is the sum of the quotas of tiers 1..i. A percentage quota is
  ``round(field × share)`` per tier with the rule's :class:`QuotaRounding` (floor by default),
  the field being the *ranked* entries of the group.
* **A tie across a cut-off, ALL_QUALIFY:** everyone sharing the place gets the higher award and
  the cumulative cut-offs stay where they are, so the *next* tier's quota shrinks by the extra
  winners (1/2/3 with places 1-2-3-3-5-6: 二等奖 goes to three people, 三等奖 to two). Awards
  of tiers 1..i therefore never exceed ``C(i)`` by more than the tie's size minus one.
* **A tie across a cut-off, DECIDE:** a :class:`TieFlag` with context ``cutoff:<higher award>``
  is raised unless a :class:`TieDecision` of this group and context orders every tied entry;
  then the decided order fills the places one by one. Until decided, the tied entries get no
  award (their outcome says it is pending); nobody below them moves up.
* **Pass mark:** an entry below ``pass_mark`` gets no award, and its place is not handed on to
  anyone else (everyone below it scored no more anyway).
* **Medals (全国技能大赛):** each medal tier is a fixed count (``count`` or 1 when unset) so the
  same cut-off logic applies; 优胜奖 goes to the other entries placed within half the field. With
  ``half_field_inclusive`` (含) the limit is ``field / 2`` rounded with the rule's quota rounding,
  so with the default floor 8 people → places 1–4 and 7 people → places 1–3 (3.5 is not
  reached by place 4); without 含 the limit is strictly above the middle (8 → 1–3, 7 → 1–3).
* **WorldSkills:** medals go by position within ``medal_tie_margin`` of the best mark of the
  medal group (anchored at that best mark, not chained from neighbour to neighbour, inclusive:
  a difference equal to the margin still ties). A group of *n* tied medallists uses up *n*
  medal positions: two golds → no silver, three golds → no silver and no bronze. The Medallion
  for Excellence goes to every other entry whose own mark reaches the threshold, regardless of
  a shared place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import NamedTuple

from competition_app.i18n import _
from competition_app.rules.io import Outcome, Standing, TieDecision, TieFlag
from competition_app.rules.model import AwardModel, AwardRules, CutoffTiePolicy, QuotaRounding

__all__ = [
    "AwardsOutcome",
    "arrow",
    "assign_awards",
    "award_order",
    "find_decision",
    "format_number",
    "half_field_limit",
    "not_ranked_reason",
    "ordered_ranked",
    "quota",
    "tie_groups",
]

_ROUNDING = {
    QuotaRounding.FLOOR: ROUND_FLOOR,
    QuotaRounding.CEIL: ROUND_CEILING,
    QuotaRounding.HALF_UP: ROUND_HALF_UP,
}


def _rounding_words(rounding: QuotaRounding) -> str:
    return {
        QuotaRounding.FLOOR: _("向下取整"),
        QuotaRounding.CEIL: _("向上取整"),
        QuotaRounding.HALF_UP: _("四舍五入"),
    }[rounding]


@dataclass(frozen=True, slots=True)
class AwardsOutcome:
    """The award of every entry of one group (``Outcome.value`` = award name or None), and the
    cut-off ties that still need a recorded decision."""

    by_entry: dict[int, Outcome] = field(default_factory=dict)
    unresolved: tuple[TieFlag, ...] = ()


# --- helpers shared by the title, promotion and designation rules ---------------------------


class Reach(NamedTuple):
    """How far down a field a set of rules can reach: places up to ``last_place`` (None: no
    limit) and anyone holding one of ``awards``. An entry out of reach earns nothing from those
    rules, so a caller may skip assessing it."""

    last_place: int | None
    awards: frozenset[str]

    def covers(self, rank: int, award: str | None) -> bool:
        return self.last_place is None or rank <= self.last_place or (award is not None and award in self.awards)


def format_number(value: Decimal) -> str:
    """A decimal as written, never in exponent form: ``Decimal("85.50")`` → "85.50",
    ``Decimal(60)`` → "60", ``Decimal("7E+2")`` → "700"."""
    return f"{value:f}"


def arrow(text: str, result: str) -> str:
    """``text → result``, without a space after full-width punctuation: "…取整）→ 一等奖"."""
    separator = "→ " if text.endswith(("）", "，", "。", "；")) else " → "
    return f"{text}{separator}{result}"


def _percent(share: Decimal) -> str:
    return f"{(share * 100).normalize():f}%"


def quota(field_size: int, share: Decimal, rounding: QuotaRounding = QuotaRounding.FLOOR) -> int:
    """How many people a share of the field is: ``quota(23, Decimal("0.10"))`` → 2 (floor)."""
    return int((Decimal(field_size) * share).quantize(Decimal(1), rounding=_ROUNDING[rounding]))


def not_ranked_reason(standing: Standing) -> str:
    """Why an entry has no rank, as a Chinese phrase: 已退赛, 取消资格, 成绩不全（缺少技能操作）."""
    entry = standing.entry
    if entry.disqualified:
        why = _("已取消比赛资格")
    elif entry.withdrawn:
        why = _("已退赛")
    else:
        missing = [c.name for c in standing.components if c.value is None or c.missing_marks]
        if missing:
            why = _("成绩不全，缺少{names}").format(names="、".join(missing))
        elif standing.total is None:
            why = _("成绩不全")
        else:
            why = _("未列入排名")
    return _("未参加排名（{why}）").format(why=why)


def ordered_ranked(standings: Sequence[Standing]) -> list[Standing]:
    """The ranked entries, best first (ties in entry id order, which decides nothing)."""
    ranked = [s for s in standings if s.rank is not None]
    ranked.sort(key=lambda s: (s.rank, s.entry.entry_id))
    return ranked


def tie_groups(ranked: Sequence[Standing]) -> list[tuple[int, list[Standing]]]:
    """``ranked`` (from :func:`ordered_ranked`) cut into groups sharing a place, each with the
    1-based position of its first member (equal to the rank under 1-2-2-4 ranking)."""
    groups: list[tuple[int, list[Standing]]] = []
    for position, standing in enumerate(ranked, start=1):
        if groups and groups[-1][1][0].rank == standing.rank:
            groups[-1][1].append(standing)
        else:
            groups.append((position, [standing]))
    return groups


def award_order(rules: AwardRules) -> tuple[str, ...]:
    """The award names of ``rules``, best first (tiers, then 优胜奖/Medallion, then 优秀奖)."""
    names = [tier.name for tier in rules.tiers]
    if rules.model is AwardModel.WORLDSKILLS:
        names = names[:3]
    for extra in (
        rules.half_field_award if rules.model is AwardModel.MEDALS else None,
        rules.medallion if rules.model is AwardModel.WORLDSKILLS else None,
        rules.merit_award,
    ):
        if extra and extra not in names:
            names.append(extra)
    return tuple(names)


def _names(standings: Sequence[Standing]) -> str:
    return "、".join(s.entry.name for s in standings)


def _places(first: int, last: int) -> str:
    if first == last:
        return _("第{n}名").format(n=first)
    return _("第{first}–{last}名").format(first=first, last=last)


# --- cut-off models: percentage, fixed counts, medals ----------------------------------------


@dataclass(frozen=True, slots=True)
class _Band:
    """An award and the positions it covers (``last`` is the cumulative cut-off)."""

    award: str
    first: int
    last: int
    basis: str  # why these positions, e.g. "属前10%（23人中取2人，向下取整）"


def _percentage_bands(rules: AwardRules, field_size: int) -> list[_Band]:
    bands: list[_Band] = []
    cutoff = 0
    for tier in rules.tiers:
        if tier.share is None:
            raise ValueError(_("奖项规则有误：按比例设奖，但{award}未设比例").format(award=tier.name))
        count = quota(field_size, tier.share, rules.quota_rounding)
        detail = _("{field}人中取{count}人，{rounding}").format(
            field=field_size, count=count, rounding=_rounding_words(rules.quota_rounding)
        )
        if not bands:
            basis = _("属前{percent}（{detail}）").format(percent=_percent(tier.share), detail=detail)
        else:
            basis = _("属{previous}之后的{percent}（{detail}；即{places}）").format(
                previous=bands[-1].award,
                percent=_percent(tier.share),
                detail=detail,
                places=_places(cutoff + 1, cutoff + count) if count else _("无名额"),
            )
        bands.append(_Band(tier.name, cutoff + 1, cutoff + count, basis))
        cutoff += count
    return bands


def _count_bands(rules: AwardRules, *, default_count: int | None) -> list[_Band]:
    bands: list[_Band] = []
    cutoff = 0
    for tier in rules.tiers:
        count = tier.count if tier.count is not None else default_count
        if count is None:
            raise ValueError(_("奖项规则有误：按名额设奖，但{award}未设名额").format(award=tier.name))
        places = _places(cutoff + 1, cutoff + count) if count else _("无名额")
        basis = _("属{award}名额{count}名（{places}）").format(award=tier.name, count=count, places=places)
        bands.append(_Band(tier.name, cutoff + 1, cutoff + count, basis))
        cutoff += count
    return bands


def half_field_limit(field_size: int, rules: AwardRules) -> int:
    """The last place within half the field for 优胜奖 (medals model).

    With 含 (``half_field_inclusive``) the limit is ``field / 2`` rounded with the rule's quota
    rounding: floor by default, so 8 → 4 and 7 → 3 (place 4 of 7 is below the middle, 3.5).
    Without 含 it is the last place strictly above the middle: 8 → 3, 7 → 3.
    """
    half = Decimal(field_size) / 2
    if rules.half_field_inclusive:
        return int(half.quantize(Decimal(1), rounding=_ROUNDING[rules.quota_rounding]))
    return int(half.to_integral_value(rounding=ROUND_CEILING)) - 1


def _medal_bands(rules: AwardRules, field_size: int) -> list[_Band]:
    counted = _count_bands(rules, default_count=1)
    medals = "、".join(tier.name for tier in rules.tiers)
    cutoff = counted[-1].last if counted else 0
    bands = [
        _Band(b.award, b.first, b.last, _("前{n}名依次授{medals}").format(n=cutoff, medals=medals)) for b in counted
    ]
    if rules.half_field_award:
        limit = half_field_limit(field_size, rules)
        if limit > cutoff:
            inclusive = _("含") if rules.half_field_inclusive else _("不含")
            basis = _("排名在参赛人数{field}人的1/2以内（{inclusive}，即前{limit}名）").format(
                field=field_size, inclusive=inclusive, limit=limit
            )
            bands.append(_Band(rules.half_field_award, cutoff + 1, limit, basis))
    return bands


def _band_at(bands: Sequence[_Band], position: int) -> _Band | None:
    for band in bands:
        if band.first <= position <= band.last:
            return band
    return None


def find_decision(
    decisions: Sequence[TieDecision], *, group: str, context: str, tied: Sequence[Standing]
) -> TieDecision | None:
    """The latest recorded decision of ``group`` and ``context`` that orders every entry of ``tied``."""
    ids = {s.entry.entry_id for s in tied}
    for decision in reversed(decisions):
        if decision.group == group and decision.context == context and ids <= set(decision.ordered_entry_ids):
            return decision
    return None


def _beyond_sentence(rules: AwardRules, bands: Sequence[_Band], field_size: int) -> str:
    if rules.model is AwardModel.MEDALS and rules.half_field_award:
        return _("不在参赛人数{field}人的1/2以内（前{limit}名），不获{award}").format(
            field=field_size, limit=max(half_field_limit(field_size, rules), 0), award=rules.half_field_award
        )
    last = max((b.last for b in bands), default=0)
    return _("未进入获奖名次（前{n}名）").format(n=last)


def _others(tied: Sequence[Standing], standing: Standing) -> str:
    return _names([o for o in tied if o is not standing])


@dataclass(frozen=True, slots=True)
class _Cutoffs:
    """The bands of one group and how a position turns into an outcome."""

    bands: tuple[_Band, ...]
    rules: AwardRules
    field_size: int
    beyond: str  # why places past the last band get no award; the same for the whole group

    def settle(self, standing: Standing, position: int, notes: tuple[str, ...]) -> Outcome:
        """The award at ``position``, gated by the pass mark, else 优秀奖 or nothing."""
        failed = _below_pass_mark(standing, self.rules)
        if failed:
            return Outcome(None, (*notes[:-1], f"{notes[-1]}，{failed}"))
        band = _band_at(self.bands, position)
        if band is not None:
            return Outcome(band.award, (*notes[:-1], arrow(f"{notes[-1]}，{band.basis}", band.award)))
        return _merit_or_nothing((*notes[:-1], f"{notes[-1]}，{self.beyond}"), self.rules)


def _bands(rules: AwardRules, field_size: int) -> list[_Band]:
    if rules.model is AwardModel.PERCENTAGE:
        return _percentage_bands(rules, field_size)
    if rules.model is AwardModel.FIXED_COUNTS:
        return _count_bands(rules, default_count=None)
    return _medal_bands(rules, field_size)


def _cutoff_awards(
    ranked: Sequence[Standing],
    rules: AwardRules,
    decisions: Sequence[TieDecision],
    *,
    group: str,
    policy: CutoffTiePolicy,
) -> AwardsOutcome:
    field_size = len(ranked)
    bands = _bands(rules, field_size)
    beyond = _beyond_sentence(rules, bands, field_size)
    cutoffs = _Cutoffs(tuple(bands), rules, field_size, beyond)
    # Past the last band a place says nothing the summary does not: one outcome for them all.
    last_place = max((b.last for b in bands), default=0)
    past_every_band = _merit_or_nothing((beyond,), rules)

    by_entry: dict[int, Outcome] = {}
    flags: list[TieFlag] = []
    for start, tied in tie_groups(ranked):
        rank = tied[0].rank
        if start > last_place and len(tied) == 1 and not _below_pass_mark(tied[0], rules):
            by_entry[tied[0].entry.entry_id] = past_every_band
            continue
        straddled = next((b for b in bands if start <= b.last < start + len(tied) - 1), None)
        if straddled is None:
            for standing in tied:
                if len(tied) > 1:
                    note = _("第{rank}名（与{others}并列）").format(rank=rank, others=_others(tied, standing))
                else:
                    note = _("第{rank}名").format(rank=rank)
                by_entry[standing.entry.entry_id] = cutoffs.settle(standing, start, (note,))
        elif policy is CutoffTiePolicy.ALL_QUALIFY:
            line = _line(straddled) + (
                _("；并列者均获较高奖项，其后奖项名额相应减少")
                if straddled is not bands[-1]
                else _("；并列者均获该奖项")
            )
            for standing in tied:
                note = _("第{rank}名，与{others}并列，{line}").format(
                    rank=rank, others=_others(tied, standing), line=line
                )
                by_entry[standing.entry.entry_id] = cutoffs.settle(standing, start, (note, _("按并列名次")))
        else:
            flag = _decide(cutoffs, start, tied, straddled, decisions, group=group, into=by_entry)
            if flag is not None:
                flags.append(flag)
    return AwardsOutcome(by_entry, tuple(flags))


def _line(band: _Band) -> str:
    return _("跨越{award}名额线（前{cutoff}名）").format(award=band.award, cutoff=band.last)


def _decide(
    cutoffs: _Cutoffs,
    start: int,
    tied: Sequence[Standing],
    straddled: _Band,
    decisions: Sequence[TieDecision],
    *,
    group: str,
    into: dict[int, Outcome],
) -> TieFlag | None:
    """A tie across a cut-off under DECIDE: apply the recorded decision, or flag it."""
    rank = tied[0].rank
    line = _line(straddled)
    context = f"cutoff:{straddled.award}"
    decision = find_decision(decisions, group=group, context=context, tied=tied)
    if decision is None:
        for standing in tied:
            note = _("第{rank}名，与{others}并列，{line}，待裁定后确定奖项").format(
                rank=rank, others=_others(tied, standing), line=line
            )
            into[standing.entry.entry_id] = Outcome(None, (note,))
        return TieFlag(
            group=group,
            context=context,
            entry_ids=tuple(s.entry.entry_id for s in tied),
            message=_("{group}：{names}并列第{rank}名，{line}，需裁定先后并记录裁定人与理由").format(
                group=group, names=_names(tied), rank=rank, line=line
            ),
        )
    order = {entry_id: i for i, entry_id in enumerate(decision.ordered_entry_ids)}
    for offset, standing in enumerate(sorted(tied, key=lambda s: order[s.entry.entry_id])):
        note = _("第{rank}名，与{others}并列，{line}；经裁定（{who}：{reason}）列第{position}位").format(
            rank=rank,
            others=_others(tied, standing),
            line=line,
            who=decision.decided_by,
            reason=decision.reason,
            position=start + offset,
        )
        into[standing.entry.entry_id] = cutoffs.settle(standing, start + offset, (note, _("按裁定位次")))
    return None


def _below_pass_mark(standing: Standing, rules: AwardRules) -> str | None:
    if rules.pass_mark is not None and standing.total is not None and standing.total < rules.pass_mark:
        return _("总分{total}低于合格线{mark}分，不授奖").format(
            total=format_number(standing.total), mark=format_number(rules.pass_mark)
        )
    return None


def _merit_or_nothing(sentences: tuple[str, ...], rules: AwardRules) -> Outcome:
    last = sentences[-1]
    if rules.merit_award:
        if rules.pass_mark is not None:
            last += _("，成绩合格")
        return Outcome(rules.merit_award, (*sentences[:-1], arrow(last, rules.merit_award)))
    return Outcome(None, (*sentences[:-1], arrow(last, _("无奖项"))))


# --- WorldSkills -----------------------------------------------------------------------------


def _worldskills_awards(ranked: Sequence[Standing], rules: AwardRules) -> AwardsOutcome:
    medals = [tier.name for tier in rules.tiers[:3]]
    scored = sorted(
        (s for s in ranked if s.total is not None),
        key=lambda s: (-(s.total or Decimal(0)), s.rank, s.entry.entry_id),
    )
    by_entry: dict[int, Outcome] = {}
    position, i, previous = 1, 0, 1
    while i < len(scored) and position <= len(medals):
        best = scored[i].total or Decimal(0)
        group = [s for s in scored[i:] if (s.total or Decimal(0)) >= best - rules.medal_tie_margin]
        # The medals between the previous tied group's and this one's go to nobody.
        skipped = tuple(medals[previous : position - 1])
        for standing in group:
            by_entry[standing.entry.entry_id] = _worldskills_medal(
                standing, medals, best=best, position=position, group=group, skipped=skipped, rules=rules
            )
        previous = position
        position += len(group)
        i += len(group)
    for standing in ranked:
        if standing.entry.entry_id in by_entry:
            continue
        mark = format_number(standing.total) if standing.total is not None else "—"
        note = _("第{rank}名，得分{mark}，未获奖牌").format(rank=standing.rank, mark=mark)
        failed = _below_pass_mark(standing, rules)
        threshold = format_number(rules.medallion_threshold)
        if failed:
            outcome = Outcome(None, (f"{note}；{failed}",))
        elif rules.medallion and standing.total is not None and standing.total >= rules.medallion_threshold:
            text = _("{note}；本人得分达到{threshold}分").format(note=note, threshold=threshold)
            outcome = Outcome(rules.medallion, (arrow(text, rules.medallion),))
        elif rules.medallion:
            text = _("{note}；本人得分未达到{award}线{threshold}分").format(
                note=note, award=rules.medallion, threshold=threshold
            )
            outcome = _merit_or_nothing((text,), rules)
        else:
            outcome = _merit_or_nothing((note,), rules)
        by_entry[standing.entry.entry_id] = outcome
    return AwardsOutcome(by_entry, ())


def _worldskills_medal(
    standing: Standing,
    medals: Sequence[str],
    *,
    best: Decimal,
    position: int,
    group: Sequence[Standing],
    skipped: Sequence[str],
    rules: AwardRules,
) -> Outcome:
    medal = medals[position - 1]
    mark = format_number(standing.total or Decimal(0))
    margin = format_number(rules.medal_tie_margin)
    sentences: list[str] = []
    if skipped:
        sentences.append(_("前面已有{n}人获奖牌，{skipped}空缺").format(n=position - 1, skipped="、".join(skipped)))
    if len(group) > 1 and standing.total != best:
        gap = format_number(best - (standing.total or Decimal(0)))
        sentences.append(
            _("第{rank}名，得分{mark}，与本组最高分{best}相差{gap}，在{margin}分以内，与之并列").format(
                rank=standing.rank, mark=mark, best=format_number(best), gap=gap, margin=margin
            )
        )
    elif len(group) > 1:
        sentences.append(
            _("第{rank}名，得分{mark}，本组{n}人得分相差在{margin}分以内，奖牌并列").format(
                rank=standing.rank, mark=mark, n=len(group), margin=margin
            )
        )
    else:
        sentences.append(
            _("第{rank}名，得分{mark}，列奖牌第{position}位").format(rank=standing.rank, mark=mark, position=position)
        )
    failed = _below_pass_mark(standing, rules)
    if failed:
        return Outcome(None, (*sentences[:-1], f"{sentences[-1]}；{failed}"))
    return Outcome(medal, (*sentences[:-1], arrow(sentences[-1], medal)))


# --- entry point -----------------------------------------------------------------------------


def assign_awards(
    standings: Sequence[Standing],
    rules: AwardRules,
    decisions: Sequence[TieDecision] = (),
    *,
    group: str,
    policy: CutoffTiePolicy,
) -> AwardsOutcome:
    """Award every entry of one group's ranked ``standings`` under ``rules``.

    ``standings`` are one group's entries with ranks already filled (1-2-2-4; ``rank`` None =
    not ranked). The field, the base of every quota, is the number of ranked entries. Unranked
    entries get no award and their outcome says why. A tie across a quota cut-off follows
    ``policy`` (see the module notes); under DECIDE the ``decisions`` recorded for this
    ``group`` with context ``cutoff:<award>`` settle it, otherwise it is returned in
    ``unresolved``. Raises ValueError when a tier lacks the share or count its model needs.
    """
    ranked = ordered_ranked(standings)
    if rules.model is AwardModel.NONE:
        result = AwardsOutcome({s.entry.entry_id: Outcome(None, (_("本组别不设奖项"),)) for s in ranked})
    elif rules.model is AwardModel.WORLDSKILLS:
        result = _worldskills_awards(ranked, rules)
    else:
        result = _cutoff_awards(ranked, rules, decisions, group=group, policy=policy)
    by_entry = dict(result.by_entry)
    for standing in standings:
        if standing.rank is None:
            by_entry[standing.entry.entry_id] = Outcome(None, (arrow(not_ranked_reason(standing), _("不授奖")),))
    return AwardsOutcome(by_entry, result.unresolved)
