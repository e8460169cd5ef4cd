"""Ranking one group (DOMAIN §2): the rounded total, then the tie-break chain, then a shared
place (并列) or, where shared places are not allowed, a recorded decision.

A tie the rules cannot break is never broken silently (not by id, not by name): with shared
places it is a shared place; without, the tied entries keep a provisional shared rank and are
reported in ``RankedGroup.unresolved`` until a ``TieDecision`` covering exactly them is recorded.

Teams are ranked with the same machinery: ``team_standings`` turns the members' standings into
one synthetic ``Standing`` per team, and ``rank_teams`` ranks them.

Speed: most entries of a group hold a total nobody else has; they are placed straight from one
sort, and only entries that share a total go through the tie-break machinery and get sentences.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, localcontext
from fractions import Fraction
from itertools import compress
from operator import attrgetter, eq
from typing import TypeVar

from competition_app.domain.enums import ComponentKind
from competition_app.i18n import _
from competition_app.rules.io import ComponentResult, EntryInput, Standing, TieDecision, TieFlag
from competition_app.rules.model import RankingRules, ScoringRules, TeamScoring, TieBreak
from competition_app.rules.scoring import ARITHMETIC, round_half_up

RANK_CONTEXT = "rank"
TEAM_RANK_CONTEXT = "team_rank"
# A team's practical time is the mean of its members' times, kept to the millisecond the
# database stores, so the time compared is the time shown.
TEAM_TIME_DECIMALS = 3

_COMPONENT_KIND = {
    TieBreak.PRACTICAL: ComponentKind.PRACTICAL,
    TieBreak.THEORY: ComponentKind.THEORY,
    TieBreak.DEFENCE: ComponentKind.DEFENCE,
}


_T = TypeVar("_T")

# Sort keys and checks, read in C rather than through a Python function per standing.
_TOTAL_OF = attrgetter("total")
_ENTRY_ID_OF = attrgetter("entry.entry_id")
_GROUP_OF = attrgetter("entry.group")


class RankingError(ValueError):
    """Standings that cannot be ranked as given; the message is Chinese."""


@dataclass(frozen=True, slots=True)
class RankedGroup:
    """A ranked group.

    ``standings`` are in final order with ``rank``/``shared_rank`` filled; unranked entries
    (no total, withdrawn, disqualified) come last with rank None. Entries sharing a place
    are listed by entry id, which orders the list only, never the ranks.
    ``unresolved`` lists ties that need a recorded decision (their entries hold a provisional
    shared rank). ``explanations`` maps an entry id to Chinese sentences on how its place was
    decided, for entries whose place needed more than the total (tie-breaks, shared places,
    decisions) or that are not ranked; other entries have no key.
    """

    group: str
    standings: tuple[Standing, ...]
    unresolved: tuple[TieFlag, ...] = ()
    explanations: dict[int, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TeamStanding:
    """A team as ``rank_group`` sees it, with the member standings it was built from.

    ``standing.entry`` is a synthetic ``EntryInput``: ``entry_id`` and ``team_id`` are the team
    id; ``name`` the team's name; ``group`` the members' group; ``practical_seconds`` the mean of
    the members' times (None when any is unknown); ``withdrawn``/``disqualified`` are set when
    any member is; ``marks`` is empty (marks live with the members). ``standing.components``
    aggregate the members' component results the same way as the total, so the team practical
    can break ties. ``standing.total`` is None when the team cannot be ranked; ``notes`` says why.
    """

    standing: Standing
    members: tuple[Standing, ...]
    notes: tuple[str, ...] = ()


def rank_group(
    standings: Sequence[Standing],
    rules: RankingRules,
    decisions: Sequence[TieDecision] = (),
    *,
    group: str,
    scoring: ScoringRules,
    context: str = RANK_CONTEXT,
) -> RankedGroup:
    """Rank one group's standings (their ``total`` and ``components`` set, ``rank`` None).

    Order: the total, higher first — it must be the rounded total ``score_entry`` gives, so
    entries that differ only beyond ``scoring.decimals`` tie. Then ``rules.tie_breaks`` in
    order: PRACTICAL / THEORY / DEFENCE compare the normalised component of that kind (the
    weighted mean if several), rounded like the total, higher first; PRACTICAL_TIME puts the
    shorter ``practical_seconds`` first. A link with a value missing for any of the tied entries
    cannot separate them and is passed over. Entries still tied share a place under
    ``rules.shared_places`` (standard competition ranking, 1-2-2-4); otherwise a ``TieDecision``
    for this group and ``context`` listing exactly those entries orders them (the last such
    decision wins), and without one they are flagged in ``unresolved`` with a provisional
    shared rank. ``scoring`` says which component is which kind, with its weight and decimals.
    """
    _check_standings(standings, group)
    rankable = [  # ``_is_rankable``, inline: it runs once per entry
        standing
        for standing in standings
        if standing.total is not None and not (standing.entry.withdrawn or standing.entry.disqualified)
    ]
    unranked = (
        sorted((standing for standing in standings if not _is_rankable(standing)), key=_entry_id)
        if len(rankable) < len(standings)
        else []
    )
    notes: defaultdict[int, list[str]] = defaultdict(list)
    unresolved: list[TieFlag] = []

    # Higher total first (a stable sort: equal totals keep their order here, by entry id below).
    ordered = sorted(rankable, key=_TOTAL_OF, reverse=True)
    # Place everyone by position (``_placed``, inline: it runs once per entry) …
    ranked = [
        Standing(standing.entry, standing.components, standing.total, place, False)
        for place, standing in enumerate(ordered, start=1)
    ]
    # … then re-place the entries that share a total, by entry id (which orders their list,
    # never their ranks), through the tie-break chain.
    chain = tuple(rules.tie_breaks)
    for start, stop in _equal_runs(list(map(_TOTAL_OF, ordered))):
        placed_run: list[Standing] = []
        for block in _break_ties(sorted(ordered[start:stop], key=_entry_id), chain, (), scoring, notes):
            placed, flag = _place(
                block,
                start + len(placed_run) + 1,
                rules=rules,
                decisions=decisions,
                group=group,
                context=context,
                notes=notes,
            )
            placed_run.extend(placed)
            if flag is not None:
                unresolved.append(flag)
        ranked[start:stop] = placed_run

    for standing in unranked:
        notes[_entry_id(standing)].append(_unranked_reason(standing))
        ranked.append(_placed(standing, None, shared=False))

    return RankedGroup(
        group=group,
        standings=tuple(ranked),
        unresolved=tuple(unresolved),
        explanations={entry_id: tuple(sentences) for entry_id, sentences in sorted(notes.items())},
    )


def team_standings(
    members: Sequence[Standing],
    rules: RankingRules,
    *,
    team_size: int,
    scoring: ScoringRules,
    team_names: Mapping[int, str] | None = None,
) -> tuple[TeamStanding, ...]:
    """One synthetic standing per ``team_id`` (see ``TeamStanding``), ordered by team id.

    The team score follows ``rules.team_scoring``:

    - SUM adds the members' (rounded) totals; MEAN averages them, rounded half-up at
      ``scoring.decimals``. Each member needs a total. Component results combine the same way.
    - TEAM_COMPONENT works per component: a component marked ``team_scored`` is marked once for
      the team, so its value is the one value the members carry (on every member or only some;
      members carrying different values are an error); any other component is the mean of the
      members' normalised scores. The team total is Σ weight × those, rounded half-up, exactly;
      so a team with every component team-scored scores its team marks, as one entry would.

    A team with fewer than ``team_size`` members or a missing score has no total (unranked);
    a withdrawn or disqualified member makes the team so. ``notes`` says why, in Chinese.
    Raises ``RankingError`` for a standing without a team, a team larger than ``team_size``,
    a team spread over several groups, or team-scored marks that differ between members.
    """
    if team_size < 1:
        raise RankingError(_("每队人数至少为1人，实际为{size}").format(size=team_size))
    by_team: defaultdict[int, list[Standing]] = defaultdict(list)
    for member in members:
        if member.entry.team_id is None:
            raise RankingError(
                _("{name}（编号{entry_id}）不属于任何队伍").format(
                    name=member.entry.name, entry_id=member.entry.entry_id
                )
            )
        by_team[member.entry.team_id].append(member)
    names = team_names or {}
    return tuple(
        _team_standing(
            team_id,
            sorted(by_team[team_id], key=_entry_id),
            rules=rules,
            team_size=team_size,
            scoring=scoring,
            name=names.get(team_id),
        )
        for team_id in sorted(by_team)
    )


def rank_teams(
    members: Sequence[Standing],
    rules: RankingRules,
    decisions: Sequence[TieDecision] = (),
    *,
    group: str,
    scoring: ScoringRules,
    team_size: int,
    team_names: Mapping[int, str] | None = None,
) -> RankedGroup:
    """Rank the teams of one group from their members' standings.

    ``team_standings`` builds the teams; ``rank_group`` ranks them (ties by team practical,
    then team time, as ``rules.tie_breaks`` says), with context ``"team_rank"`` so decisions
    for team ties (listing team ids) never meet decisions on individual entries. The result's
    standings, flags and explanations are keyed by team id; a team's ``notes`` lead its
    explanation.
    """
    teams = team_standings(members, rules, team_size=team_size, scoring=scoring, team_names=team_names)
    ranked = rank_group(
        [team.standing for team in teams], rules, decisions, group=group, scoring=scoring, context=TEAM_RANK_CONTEXT
    )
    explanations = dict(ranked.explanations)
    for team in teams:
        if team.notes:
            explanations[_entry_id(team.standing)] = team.notes + explanations.get(_entry_id(team.standing), ())
    return replace(ranked, explanations=dict(sorted(explanations.items())))


# --- ranking --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _TiedBlock:
    """Entries the rules cannot separate, by entry id, and the clauses saying what they share."""

    members: tuple[Standing, ...]
    agreed: tuple[str, ...]


def _break_ties(
    members: Sequence[Standing],
    chain: tuple[TieBreak, ...],
    agreed: tuple[str, ...],
    scoring: ScoringRules,
    notes: defaultdict[int, list[str]],
) -> list[_TiedBlock]:
    """Split entries tied so far by the next links of the chain, best first, noting why."""
    if len(members) == 1 or not chain:
        return [_TiedBlock(tuple(sorted(members, key=_entry_id)), agreed)]
    tie_break, rest = chain[0], chain[1:]
    if not _compared_in(tie_break, scoring):  # e.g. a theory link where the rules have no theory
        return _break_ties(members, rest, agreed, scoring, notes)
    values = {_entry_id(member): _tie_break_value(member, tie_break, scoring) for member in members}
    if any(value is None for value in values.values()):
        unknown = _names(member for member in members if values[_entry_id(member)] is None)
        clause = _("{names}的{label}未记录，不能据此区分").format(names=unknown, label=_label(tie_break))
        return _break_ties(members, rest, (*agreed, clause), scoring, notes)

    def key(member: Standing) -> Decimal:
        value = values[_entry_id(member)]
        assert value is not None  # checked just above
        return value if tie_break is TieBreak.PRACTICAL_TIME else ARITHMETIC.minus(value)  # not the caller's context

    ordered = sorted(members, key=lambda member: (key(member), _entry_id(member)))
    runs = _runs(ordered, key)
    if len(runs) == 1:
        clause = _("{label}同为{value}").format(label=_label(tie_break), value=_show(tie_break, values, ordered[0]))
        return _break_ties(members, rest, (*agreed, clause), scoring, notes)

    for index, run in enumerate(runs):
        ahead = [member for earlier in runs[:index] for member in earlier]
        behind = [member for later in runs[index + 1 :] for member in later]
        for member in run:
            notes[_entry_id(member)].append(
                _split_sentence(
                    member,
                    ordered,
                    agreed=agreed,
                    tie_break=tie_break,
                    values=values,
                    ahead=ahead,
                    behind=behind,
                    still_tied=_others(member, run),
                )
            )
    blocks: list[_TiedBlock] = []
    for run in runs:
        same = _("{label}同为{value}").format(label=_label(tie_break), value=_show(tie_break, values, run[0]))
        blocks.extend(_break_ties(run, rest, (*agreed, same), scoring, notes))
    return blocks


def _place(
    block: _TiedBlock,
    position: int,
    *,
    rules: RankingRules,
    decisions: Sequence[TieDecision],
    group: str,
    context: str,
    notes: defaultdict[int, list[str]],
) -> tuple[list[Standing], TieFlag | None]:
    """Give a block its place(s) from ``position`` on: alone, shared, decided, or flagged."""
    members = block.members
    if len(members) == 1:
        return [_placed(members[0], position, shared=False)], None
    if not rules.shared_places:
        decision = _matching_decision(block, decisions, group, context)
        if decision is not None:
            return _apply_decision(block, decision, position, notes), None
    flag = None if rules.shared_places else _flag(block, group, context)
    outcome = (
        _("{agreed}，与{others}并列第{rank}名")
        if flag is None
        else _("{agreed}，排名规则无法区分，暂与{others}并列第{rank}名，须记录裁定")
    )
    for member in members:
        notes[_entry_id(member)].append(
            outcome.format(
                agreed=_agreed(member, members, block.agreed), others=_names(_others(member, members)), rank=position
            )
        )
    return [_placed(member, position, shared=True) for member in members], flag


def _split_sentence(
    member: Standing,
    compared: Sequence[Standing],
    *,
    agreed: tuple[str, ...],
    tie_break: TieBreak,
    values: Mapping[int, Decimal | None],
    ahead: Sequence[Standing],
    behind: Sequence[Standing],
    still_tied: Sequence[Standing],
) -> str:
    others = "，".join(
        f"{other.entry.name}{_show(tie_break, values, other)}" for other in compared if other is not member
    )
    if ahead and behind:
        placement = _("排名在{ahead}之后、{behind}之前").format(ahead=_names(ahead), behind=_names(behind))
    elif ahead:
        placement = _("排名在{ahead}之后").format(ahead=_names(ahead))
    else:
        placement = _("排名在{behind}之前").format(behind=_names(behind))
    if still_tied:
        placement += _("，与{others}仍然相同").format(others=_names(still_tied))
    order = _("用时短者在前") if tie_break is TieBreak.PRACTICAL_TIME else _("高者在前")
    return _("{agreed}，按{label}比较（{order}）：本人{value}，{others}，{placement}").format(
        agreed=_agreed(member, compared, agreed),
        label=_label(tie_break),
        order=order,
        value=_show(tie_break, values, member),
        others=others,
        placement=placement,
    )


def _compared_in(tie_break: TieBreak, scoring: ScoringRules) -> bool:
    if tie_break is TieBreak.PRACTICAL_TIME:
        return True
    return any(rule.kind is _COMPONENT_KIND[tie_break] for rule in scoring.components)


def _tie_break_value(standing: Standing, tie_break: TieBreak, scoring: ScoringRules) -> Decimal | None:
    if tie_break is TieBreak.PRACTICAL_TIME:
        return standing.entry.practical_seconds
    kind = _COMPONENT_KIND[tie_break]
    results = {result.name: result for result in standing.components}
    weighted: list[tuple[Decimal, Decimal]] = []
    for rule in scoring.components:
        if rule.kind is not kind:
            continue
        result = results.get(rule.name)
        if result is None or result.normalised is None:
            return None
        weighted.append((rule.weight, result.normalised))
    if not weighted:
        return None
    if len(weighted) == 1:
        value = weighted[0][1]
    else:
        with localcontext(ARITHMETIC):
            weight_sum = sum((weight for weight, _value in weighted), Decimal(0))
            if weight_sum:
                value = sum((weight * score for weight, score in weighted), Decimal(0)) / weight_sum
            else:  # several components of this kind, all weighted zero: none outweighs another
                value = sum((score for _weight, score in weighted), Decimal(0)) / len(weighted)
    # Compared as shown on the results sheet, like the total.
    return round_half_up(value, scoring.decimals)


def _matching_decision(
    block: _TiedBlock, decisions: Sequence[TieDecision], group: str, context: str
) -> TieDecision | None:
    tied = {_entry_id(member) for member in block.members}
    matching = [
        decision
        for decision in decisions
        if decision.group == group
        and decision.context == context
        and len(decision.ordered_entry_ids) == len(tied)
        and set(decision.ordered_entry_ids) == tied
    ]
    # Decisions arrive in the order they were recorded: a later one supersedes an earlier one.
    return matching[-1] if matching else None


def _apply_decision(
    block: _TiedBlock, decision: TieDecision, position: int, notes: defaultdict[int, list[str]]
) -> list[Standing]:
    by_id = {_entry_id(member): member for member in block.members}
    decided: list[Standing] = []
    for offset, entry_id in enumerate(decision.ordered_entry_ids):
        member = by_id[entry_id]
        decided.append(_placed(member, position + offset, shared=False))
        notes[entry_id].append(
            _("{agreed}，排名规则无法区分，经{decided_by}裁定排名第{rank}名（理由：{reason}）").format(
                agreed=_agreed(member, block.members, block.agreed),
                decided_by=decision.decided_by,
                rank=position + offset,
                reason=decision.reason,
            )
        )
    return decided


def _flag(block: _TiedBlock, group: str, context: str) -> TieFlag:
    listed = "、".join(f"{member.entry.name}（{_plain(_total(member))}）" for member in block.members)
    agreed = "".join("，" + clause for clause in block.agreed)
    return TieFlag(
        group=group,
        context=context,
        entry_ids=tuple(_entry_id(member) for member in block.members),
        message=_("{group}：{listed}总分相同{agreed}，按排名规则无法区分名次；本组不设并列名次，须记录裁定").format(
            group=group, listed=listed, agreed=agreed
        ),
    )


def _agreed(member: Standing, tied: Sequence[Standing], clauses: tuple[str, ...]) -> str:
    opening = _("总分与{others}同为{total}").format(others=_names(_others(member, tied)), total=_plain(_total(member)))
    return "，".join((opening, *clauses))


def _unranked_reason(standing: Standing) -> str:
    if standing.entry.disqualified:
        return _("已取消资格，不参加排名")
    if standing.entry.withdrawn:
        return _("已退赛，不参加排名")
    missing = [
        _("{component}缺少{count}个评分").format(component=result.name, count=result.missing_marks)
        if result.missing_marks
        else _("{component}没有成绩").format(component=result.name)
        for result in standing.components
        if result.value is None
    ]
    if missing:
        return _("成绩不全（{missing}），不参加排名").format(missing="，".join(missing))
    return _("没有总分，不参加排名")


def _check_standings(standings: Sequence[Standing], group: str) -> None:
    if set(map(_GROUP_OF, standings)) <= {group} and len(set(map(_ENTRY_ID_OF, standings))) == len(standings):
        return  # the usual case, checked in bulk; otherwise find the first culprit
    seen: set[int] = set()
    for standing in standings:
        if standing.entry.group != group:
            raise RankingError(
                _("{name}（编号{entry_id}）属于“{actual}”，不能在“{group}”中排名").format(
                    name=standing.entry.name, entry_id=standing.entry.entry_id, actual=standing.entry.group, group=group
                )
            )
        if standing.entry.entry_id in seen:
            raise RankingError(_("编号{entry_id}在本组中出现多次").format(entry_id=standing.entry.entry_id))
        seen.add(standing.entry.entry_id)


def _placed(standing: Standing, rank: int | None, *, shared: bool) -> Standing:
    """``standing`` with its place: ``replace(standing, rank=…, shared_rank=…)``, built directly
    (``replace`` costs several times as much, once per entry)."""
    return Standing(standing.entry, standing.components, standing.total, rank, shared)


def _is_rankable(standing: Standing) -> bool:
    return standing.total is not None and not standing.entry.withdrawn and not standing.entry.disqualified


def _total(standing: Standing) -> Decimal:
    assert standing.total is not None  # only rankable standings are compared
    return standing.total


def _entry_id(standing: Standing) -> int:
    return standing.entry.entry_id


def _equal_runs(values: Sequence[object]) -> list[tuple[int, int]]:
    """(start, stop) of each stretch of two or more equal consecutive values, in order.

    The comparisons run in C (``map(eq, …)``); Python only visits the equal neighbours.
    """
    runs: list[tuple[int, int]] = []
    for index in compress(range(1, len(values)), map(eq, values, values[1:])):  # values[index - 1] == values[index]
        if runs and runs[-1][1] == index:
            runs[-1] = (runs[-1][0], index + 1)
        else:
            runs.append((index - 1, index + 1))
    return runs


def _runs(ordered: Sequence[_T], key: Callable[[_T], object]) -> list[list[_T]]:
    """Consecutive items with equal keys, in order."""
    runs: list[list[_T]] = []
    for item in ordered:
        if runs and key(runs[-1][0]) == key(item):
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def _others(member: Standing, tied: Iterable[Standing]) -> list[Standing]:
    return [other for other in tied if other is not member]


def _names(standings: Iterable[Standing]) -> str:
    return "、".join(standing.entry.name for standing in standings)


def _label(tie_break: TieBreak) -> str:
    match tie_break:
        case TieBreak.PRACTICAL:
            return _("技能操作成绩")
        case TieBreak.PRACTICAL_TIME:
            return _("实操用时")
        case TieBreak.THEORY:
            return _("理论知识成绩")
        case TieBreak.DEFENCE:
            return _("答辩成绩")


def _show(tie_break: TieBreak, values: Mapping[int, Decimal | None], standing: Standing) -> str:
    value = values[_entry_id(standing)]
    assert value is not None  # only known values are shown
    return _seconds(value) if tie_break is TieBreak.PRACTICAL_TIME else _plain(value)


def _seconds(seconds: Decimal) -> str:
    minutes, rest = divmod(seconds, 60)
    if minutes:
        return _("{minutes}分{seconds}秒").format(minutes=_plain(minutes), seconds=_plain(rest))
    return _("{seconds}秒").format(seconds=_plain(seconds))


def _plain(value: Decimal) -> str:
    return format(value, "f")


# --- teams ----------------------------------------------------------------------------------


def _team_standing(
    team_id: int,
    members: list[Standing],
    *,
    rules: RankingRules,
    team_size: int,
    scoring: ScoringRules,
    name: str | None,
) -> TeamStanding:
    entries = [member.entry for member in members]
    member_names = "、".join(entry.name for entry in entries)
    team_name = name or _("第{team_id}队（{members}）").format(team_id=team_id, members=member_names)
    groups = sorted({entry.group for entry in entries})
    if len(groups) > 1:
        raise RankingError(_("{team}的成员分属不同组别：{groups}").format(team=team_name, groups="、".join(groups)))
    if len(members) > team_size:
        raise RankingError(
            _("{team}有{count}名成员，超过每队{size}人").format(team=team_name, count=len(members), size=team_size)
        )

    notes: list[str] = []
    complete = len(members) == team_size
    if not complete:
        notes.append(_("队伍成员不足{size}人（实有{count}人），不参加排名").format(size=team_size, count=len(members)))
    disqualified = [entry.name for entry in entries if entry.disqualified]
    withdrawn = [entry.name for entry in entries if entry.withdrawn]
    if disqualified:
        notes.append(_("队员{names}已取消资格，本队不参加排名").format(names="、".join(disqualified)))
    if withdrawn:
        notes.append(_("队员{names}已退赛，本队不参加排名").format(names="、".join(withdrawn)))

    if rules.team_scoring is TeamScoring.TEAM_COMPONENT:
        components = _team_component_results(team_name, members, scoring)
        missing = [result.name for result in components if result.normalised is None]
        if missing:
            notes.append(_("“{components}”成绩不全，本队不参加排名").format(components="”“".join(missing)))
        total = _team_component_total(scoring, components) if complete and not missing else None
    else:
        components = _aggregate_components(members, scoring, mean=rules.team_scoring is TeamScoring.MEAN)
        without_total = [member.entry.name for member in members if member.total is None]
        if without_total:
            notes.append(_("队员{names}成绩不全，本队不参加排名").format(names="、".join(without_total)))
        totals = [Fraction(member.total) for member in members if member.total is not None]
        total = None
        if complete and not without_total:
            team_total = sum(totals, Fraction(0))
            if rules.team_scoring is TeamScoring.MEAN:
                team_total /= len(totals)
            total = _round_fraction_half_up(team_total, scoring.decimals)

    synthetic = EntryInput(
        entry_id=team_id,
        name=team_name,
        group=groups[0],
        status=entries[0].status,
        team_id=team_id,
        practical_seconds=_team_time(entries),
        disqualified=bool(disqualified),
        withdrawn=bool(withdrawn),
    )
    return TeamStanding(
        standing=Standing(entry=synthetic, components=components, total=total, rank=None),
        members=tuple(members),
        notes=tuple(notes),
    )


def _aggregate_components(
    members: Sequence[Standing], scoring: ScoringRules, *, mean: bool
) -> tuple[ComponentResult, ...]:
    """Each component summed (or averaged) over the members; missing if any member's is."""
    combined: list[ComponentResult] = []
    for rule in scoring.components:
        results = _member_results(members, rule.name)
        values = [result.value for result in results if result.value is not None]
        normalised = [result.normalised for result in results if result.normalised is not None]
        missing = sum(result.missing_marks for result in results)
        if len(values) < len(members) or len(normalised) < len(members):
            combined.append(ComponentResult(name=rule.name, value=None, normalised=None, missing_marks=missing))
        else:
            combined.append(
                ComponentResult(
                    name=rule.name, value=_sum_or_mean(values, mean), normalised=_sum_or_mean(normalised, mean)
                )
            )
    return tuple(combined)


def _team_component_results(
    team_name: str, members: Sequence[Standing], scoring: ScoringRules
) -> tuple[ComponentResult, ...]:
    """TEAM_COMPONENT: team-scored components give their one team value, others the members' mean."""
    combined: list[ComponentResult] = []
    for rule in scoring.components:
        results = _member_results(members, rule.name)
        present = [result for result in results if result.value is not None and result.normalised is not None]
        missing = min((result.missing_marks for result in results), default=0)
        if rule.team_scored:
            distinct = {result.normalised for result in present}
            if len(distinct) > 1:
                listed = "、".join(
                    f"{member.entry.name}（{_plain(result.value)}）"
                    for member in members
                    for result in member.components
                    if result.name == rule.name and result.value is not None
                )
                raise RankingError(
                    _("{team}的团体评分项“{component}”在队员间不一致：{listed}").format(
                        team=team_name, component=rule.name, listed=listed
                    )
                )
            combined.append(
                replace(present[0], missing_marks=0, flags=())
                if present
                else ComponentResult(name=rule.name, value=None, normalised=None, missing_marks=missing)
            )
        elif len(present) < len(members):
            combined.append(ComponentResult(name=rule.name, value=None, normalised=None, missing_marks=missing))
        else:
            values = [result.value for result in present if result.value is not None]
            normalised = [result.normalised for result in present if result.normalised is not None]
            combined.append(
                ComponentResult(
                    name=rule.name, value=_sum_or_mean(values, True), normalised=_sum_or_mean(normalised, True)
                )
            )
    return tuple(combined)


def _team_component_total(scoring: ScoringRules, components: Sequence[ComponentResult]) -> Decimal:
    by_name = {result.name: result.normalised for result in components}
    total = Fraction(0)
    for rule in scoring.components:
        normalised = by_name[rule.name]
        assert normalised is not None  # the caller checked nothing is missing
        total += Fraction(rule.weight) * Fraction(normalised)
    return _round_fraction_half_up(total, scoring.decimals)


def _member_results(members: Sequence[Standing], name: str) -> list[ComponentResult]:
    return [result for member in members for result in member.components if result.name == name]


def _sum_or_mean(values: Sequence[Decimal], mean: bool) -> Decimal:
    total = Decimal(0)
    for value in values:
        total = ARITHMETIC.add(total, value)
    return ARITHMETIC.divide(total, len(values)) if mean else total


def _round_fraction_half_up(value: Fraction, decimals: int) -> Decimal:
    """Half-up rounding of an exact, non-negative fraction (a team total)."""
    units = math.floor(value * 10**decimals + Fraction(1, 2))
    return Decimal(units).scaleb(-decimals, context=ARITHMETIC)


def _team_time(entries: Sequence[EntryInput]) -> Decimal | None:
    times = [entry.practical_seconds for entry in entries if entry.practical_seconds is not None]
    if not entries or len(times) < len(entries):
        return None
    # The mean, whatever the team scoring: it is the common time of a joint task and orders
    # complete teams (all of one size) exactly as the sum would.
    return round_half_up(_sum_or_mean(times, True), TEAM_TIME_DECIMALS)
