"""The whole pipeline for one event: marks → totals → ranks → awards → titles, promotion and
designations, each outcome with the sentences that explain it.

Pure: the caller passes an ``EventInput`` (entries with their raw marks and history) and the
competition's ``RuleSet``; nothing is read from a database and nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

from competition_app.domain.enums import EventKind, PanelMethod, SkillLevel
from competition_app.i18n import _
from competition_app.rules.awards import assign_awards, format_number
from competition_app.rules.designations import designation_reach, designations_for
from competition_app.rules.io import (
    EntryInput,
    EntryResult,
    EventInput,
    EventResults,
    GroupResults,
    Outcome,
    Standing,
    TieDecision,
    TieFlag,
)
from competition_app.rules.model import RuleSet
from competition_app.rules.promotion import PromotionPlan
from competition_app.rules.ranking import RankedGroup, rank_group, rank_teams
from competition_app.rules.scoring import score_entry
from competition_app.rules.titles import cutoff_ties, eligible_titles, minimum_field_warning, title_reach
from competition_app.worldskills.marking import score_scheme
from competition_app.worldskills.scheme import MarkingScheme
from competition_app.worldskills.standardise import standardise


def compute_event(event: EventInput, rules: RuleSet, *, marking_scheme: MarkingScheme | None = None) -> EventResults:
    """Results of every group of ``event`` under ``rules``.

    A WorldSkills component (panel ``worldskills``) is marked from ``entry.aspect_marks``
    against ``marking_scheme``; with a standardisation rule the totals are then put on the
    WorldSkills scale across the event before ranking. Groups keep the order in which their
    first entry appears.
    """
    standings = _scored(event, rules, marking_scheme)
    groups: dict[str, list[Standing]] = {}
    for standing in standings:
        groups.setdefault(standing.entry.group, []).append(standing)

    results: list[GroupResults] = []
    unresolved: list[TieFlag] = []
    warnings: list[str] = [
        _("{name}的{component}：{flag}").format(name=standing.entry.name, component=component.name, flag=flag)
        for standing in standings
        for component in standing.components
        if component.value is not None  # a scored panel to check, not a missing one
        for flag in component.flags
    ]
    for group, members in groups.items():
        group_results, group_flags = _group_results(event, rules, group, members)
        results.append(group_results)
        unresolved.extend(group_flags)
        warning = minimum_field_warning(group_results.field_size, rules.minimum_field, group)
        if warning:
            warnings.append(warning)
    return EventResults(event.event_id, tuple(results), tuple(unresolved), tuple(warnings))


def _scored(event: EventInput, rules: RuleSet, scheme: MarkingScheme | None) -> list[Standing]:
    scoring = rules.scoring
    worldskills = [c.name for c in scoring.components if c.panel is PanelMethod.WORLDSKILLS]
    standings: list[Standing] = []
    for entry in event.entries:
        precomputed = _worldskills_marks(entry, worldskills, scheme, rules) if worldskills else None
        components, total = score_entry(entry, scoring, precomputed)
        standings.append(Standing(entry, components, total, None))
    if scoring.standardisation is None:
        return standings
    raw = {s.entry.entry_id: s.total for s in standings if s.total is not None and _takes_part(s.entry)}
    scaled = standardise(raw, scoring.standardisation, scoring.decimals)
    return [replace(s, total=scaled.get(s.entry.entry_id)) if s.total is not None else s for s in standings]


def _worldskills_marks(
    entry: EntryInput, components: Sequence[str], scheme: MarkingScheme | None, rules: RuleSet
) -> Mapping[str, Decimal]:
    if scheme is None or not entry.aspect_marks:
        return {}
    total = score_scheme(scheme, entry.aspect_marks, rules.scoring).total
    return {} if total is None else dict.fromkeys(components, total)


def _takes_part(entry: EntryInput) -> bool:
    return not (entry.withdrawn or entry.disqualified)


def _group_results(
    event: EventInput, rules: RuleSet, group: str, members: list[Standing]
) -> tuple[GroupResults, list[TieFlag]]:
    decisions = tuple(d for d in event.decisions if d.group == group)
    if event.kind is EventKind.TEAM:
        ranked = rank_teams(members, rules.ranking, decisions, group=group, scoring=rules.scoring,
                            team_size=event.team_size)  # fmt: skip
        rank_of = {s.entry.entry_id: s for s in ranked.standings}
        ordered = sorted(
            (_with_team_place(member, rank_of.get(member.entry.team_id or -1)) for member in members),
            key=_order_key,
        )
        awards = assign_awards(ranked.standings, rules.awards, decisions, group=group, policy=rules.cutoff_ties)
        award_of = {m.entry.entry_id: awards.by_entry.get(m.entry.team_id or -1) for m in members}
        explanations = {m.entry.entry_id: ranked.explanations.get(m.entry.team_id or -1, ()) for m in members}
        field_size = sum(1 for s in ranked.standings if s.rank is not None)
        ranked_members = RankedGroup(group, tuple(ordered), ranked.unresolved, explanations)
        flags = list(ranked.unresolved) + list(awards.unresolved)
        return _assemble(event, rules, group, ranked_members, decisions, awards=award_of, field_size=field_size,
                         flags=flags)  # fmt: skip
    ranked = rank_group(members, rules.ranking, decisions, group=group, scoring=rules.scoring)
    awards = assign_awards(ranked.standings, rules.awards, decisions, group=group, policy=rules.cutoff_ties)
    field_size = sum(1 for s in ranked.standings if s.rank is not None)
    flags = list(ranked.unresolved) + list(awards.unresolved)
    return _assemble(event, rules, group, ranked, decisions, awards=dict(awards.by_entry), field_size=field_size,
                     flags=flags)  # fmt: skip


def _with_team_place(member: Standing, team: Standing | None) -> Standing:
    if team is None or team.rank is None:
        return replace(member, rank=None, shared_rank=False)
    return replace(member, rank=team.rank, shared_rank=team.shared_rank)


def _order_key(standing: Standing) -> tuple[int, int]:
    return (standing.rank if standing.rank is not None else 1_000_000, standing.entry.entry_id)


def _assemble(
    event: EventInput,
    rules: RuleSet,
    group: str,
    ranked: RankedGroup,
    decisions: tuple[TieDecision, ...],
    *,
    awards: Mapping[int, Outcome | None],
    field_size: int,
    flags: list[TieFlag],
) -> tuple[GroupResults, list[TieFlag]]:
    cutoffs = cutoff_ties(ranked.standings, rules.titles, event=event, group=group, policy=rules.cutoff_ties,
                          decisions=decisions)  # fmt: skip
    flags.extend(cutoffs.unresolved)
    pass_marks = (
        {c.name: c.pass_mark for c in rules.scoring.components if c.pass_mark is not None}
        if rules.promotion.requires_component_pass
        else None
    )
    promotion_plan = PromotionPlan(rules.promotion, event, pass_marks)
    # Most of a field is out of reach of every title and designation rule: skip assessing it.
    titles_reach = title_reach(rules.titles, event)
    designations_reach = designation_reach(rules.designations, event)
    entries: list[EntryResult] = []
    for standing in ranked.standings:
        entry_id = standing.entry.entry_id
        award_outcome = awards.get(entry_id)
        award = award_outcome.value if award_outcome else None
        sentences = [_summary(standing, field_size), *ranked.explanations.get(entry_id, ())]
        for component in standing.components:
            if component.flags:  # e.g. judges differing by more than the threshold
                sentences.extend(f"{component.name}：{flag}" for flag in component.flags)
        if award_outcome:
            sentences.extend(award_outcome.explanation)
        rank = standing.rank
        if rank is None:
            entries.append(_result(standing, group, sentences))
            continue
        titles: tuple[Outcome, ...] = ()
        if titles_reach.covers(rank, award):
            titles = eligible_titles(standing, rules.titles, event=event, award=award, field_size=field_size,
                                     cutoffs=cutoffs)  # fmt: skip
        promotion = promotion_plan.outcome(standing, award)
        designations: tuple[Outcome, ...] = ()
        if designations_reach.covers(rank, award):
            designations = designations_for(standing, rules.designations, event=event, award=award)
        for outcome in titles:
            sentences.extend(outcome.explanation)
        sentences.extend(promotion.explanation)
        for outcome in designations:
            sentences.extend(outcome.explanation)
        entries.append(
            _result(
                standing,
                group,
                sentences,
                award=award,
                titles=tuple(t.value for t in titles if t.value) if titles else (),
                promotion=promotion.value,
                designations=tuple(d.value for d in designations if d.value) if designations else (),
            )
        )
    return GroupResults(group, tuple(entries), field_size), flags


def _summary(standing: Standing, field_size: int) -> str:
    if standing.total is None:
        return _("总分缺失：有评分未录入，不参加排名")
    if standing.rank is None:
        return _("总分{total}").format(total=format_number(standing.total))
    shared = _("（并列）") if standing.shared_rank else ""
    return _("总分{total}，本组第{rank}名{shared}（共{field}人）").format(
        total=format_number(standing.total), rank=standing.rank, shared=shared, field=field_size
    )


def _result(
    standing: Standing,
    group: str,
    sentences: list[str],
    *,
    award: str | None = None,
    titles: tuple[str, ...] = (),
    promotion: str | None = None,
    designations: tuple[str, ...] = (),
) -> EntryResult:
    entry = standing.entry
    # Positional, in EntryResult's field order: a frozen dataclass is built about twice as fast
    # without keywords, and this runs once per entry of a results batch.
    return EntryResult(
        entry.entry_id,
        group,
        entry.name,
        standing.components,
        standing.total,
        standing.rank,
        standing.shared_rank,
        award,
        titles,
        SkillLevel(promotion) if promotion else None,
        designations,
        tuple(dict.fromkeys(sentences)),  # the same sentence from two stages reads once
    )
