"""Ranking (DOMAIN §2): rounded total, the tie-break chain, shared places, recorded decisions, teams."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, localcontext
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from competition_app.domain.enums import ComponentKind, PanelMethod
from competition_app.rules.io import EntryInput, Standing, TieDecision
from competition_app.rules.model import ComponentRule, RankingRules, ScoringRules, TeamScoring, TieBreak
from competition_app.rules.ranking import (
    RankedGroup,
    RankingError,
    rank_group,
    rank_teams,
    team_standings,
)
from competition_app.rules.scoring import round_half_up, score_entry

D = Decimal
GROUP = "职工组"
THEORY = "理论知识"
PRACTICAL = "技能操作"
DEFENCE = "答辩"

SCORING_30_70 = ScoringRules(
    components=(
        ComponentRule(THEORY, ComponentKind.THEORY, D("0.3")),
        ComponentRule(PRACTICAL, ComponentKind.PRACTICAL, D("0.7")),
    )
)
SCORING_25_55_20 = ScoringRules(
    components=(
        ComponentRule(THEORY, ComponentKind.THEORY, D("0.25")),
        ComponentRule(PRACTICAL, ComponentKind.PRACTICAL, D("0.55")),
        ComponentRule(DEFENCE, ComponentKind.DEFENCE, D("0.20")),
    )
)
SHARED = RankingRules()  # practical → time → theory, then a shared place
NOT_SHARED = RankingRules(shared_places=False)  # 全国技能大赛: 选手排名不并列


def standing(
    entry_id: int,
    name: str,
    scoring: ScoringRules = SCORING_30_70,
    *,
    seconds: int | None = None,
    team_id: int | None = None,
    group: str = GROUP,
    withdrawn: bool = False,
    disqualified: bool = False,
    **component_marks: str | tuple[str, ...] | None,
) -> Standing:
    """A scored standing; marks by keyword: theory="80", practical=("85", …), defence="84"
    (None: no marks for that component)."""
    names = {"theory": THEORY, "practical": PRACTICAL, "defence": DEFENCE}
    marks = {
        names[key]: tuple(D(mark) for mark in ((value,) if isinstance(value, str) else value))
        for key, value in component_marks.items()
        if value is not None
    }
    entry = EntryInput(
        entry_id=entry_id,
        name=name,
        group=group,
        team_id=team_id,
        marks=marks,
        practical_seconds=None if seconds is None else D(seconds),
        withdrawn=withdrawn,
        disqualified=disqualified,
    )
    components, total = score_entry(entry, scoring)
    return Standing(entry=entry, components=components, total=total, rank=None)


def table(ranked: RankedGroup) -> list[tuple[str, int | None, bool]]:
    return [(s.entry.name, s.rank, s.shared_rank) for s in ranked.standings]


def rank(
    standings: list[Standing],
    rules: RankingRules = SHARED,
    decisions: tuple[TieDecision, ...] = (),
    scoring: ScoringRules = SCORING_30_70,
) -> RankedGroup:
    return rank_group(standings, rules, decisions, group=GROUP, scoring=scoring)


# --- the total ------------------------------------------------------------------------------


def test_higher_total_ranks_first() -> None:
    ranked = rank(
        [
            standing(1, "张三", theory="70", practical="80"),  # 77.00
            standing(2, "李四", theory="90", practical="90"),  # 90.00
            standing(3, "王五", theory="80", practical="85"),  # 83.50
        ]
    )
    assert table(ranked) == [("李四", 1, False), ("王五", 2, False), ("张三", 3, False)]
    assert ranked.unresolved == ()
    assert ranked.explanations == {}  # the total alone decided: nothing to explain


def test_ranking_uses_the_rounded_total() -> None:
    # 张三 84.3 × 0.3 + 85.43 × 0.7 = 25.29 + 59.801 = 85.091 → 85.09
    # 李四 85.01 × 0.3 + 85.13 × 0.7 = 25.503 + 59.591 = 85.094 → 85.09
    # Tied on 85.09 although 李四's raw total is higher: the practical puts 张三 first.
    zhang = standing(1, "张三", theory="84.3", practical="85.43")
    li = standing(2, "李四", theory="85.01", practical="85.13")
    assert zhang.total == li.total == D("85.09")
    ranked = rank([li, zhang])
    assert table(ranked) == [("张三", 1, False), ("李四", 2, False)]
    assert ranked.explanations == {
        1: ("总分与李四同为85.09，按技能操作成绩比较（高者在前）：本人85.43，李四85.13，排名在李四之前",),
        2: ("总分与张三同为85.09，按技能操作成绩比较（高者在前）：本人85.13，张三85.43，排名在张三之后",),
    }


# --- the tie-break chain, link by link -------------------------------------------------------


def test_equal_total_and_practical_then_shorter_time_first() -> None:
    ranked = rank(
        [
            standing(1, "张三", theory="80", practical="90", seconds=1234),
            standing(2, "李四", theory="80", practical="90", seconds=1200),
        ]
    )
    assert table(ranked) == [("李四", 1, False), ("张三", 2, False)]
    assert ranked.explanations[2] == (
        "总分与张三同为87.00，技能操作成绩同为90.00，按实操用时比较（用时短者在前）：本人20分0秒，张三20分34秒，排名在张三之前",
    )


def test_an_unknown_time_cannot_break_a_tie_so_theory_decides() -> None:
    # 25/55/20: 张三 80 × 0.25 + 90 × 0.55 + 85 × 0.2 = 20 + 49.5 + 17 = 86.5
    #           李四 84 × 0.25 + 90 × 0.55 + 80 × 0.2 = 21 + 49.5 + 16 = 86.5
    ranked = rank(
        [
            standing(1, "张三", SCORING_25_55_20, theory="80", practical="90", defence="85", seconds=1100),
            standing(2, "李四", SCORING_25_55_20, theory="84", practical="90", defence="80"),  # no time recorded
        ],
        scoring=SCORING_25_55_20,
    )
    assert table(ranked) == [("李四", 1, False), ("张三", 2, False)]
    assert ranked.explanations[2] == (
        "总分与张三同为86.50，技能操作成绩同为90.00，李四的实操用时未记录，不能据此区分，"
        "按理论知识成绩比较（高者在前）：本人84.00，张三80.00，排名在张三之前",
    )


@pytest.mark.parametrize(
    ("chain", "first"),
    [
        ((TieBreak.PRACTICAL, TieBreak.DEFENCE, TieBreak.THEORY), "张三"),  # defence 85 > 80
        ((TieBreak.THEORY, TieBreak.DEFENCE), "李四"),  # theory 84 > 80
        ((TieBreak.DEFENCE,), "张三"),
    ],
)
def test_the_chain_is_applied_in_the_rules_order(chain: tuple[TieBreak, ...], first: str) -> None:
    ranked = rank(
        [
            standing(1, "张三", SCORING_25_55_20, theory="80", practical="90", defence="85"),
            standing(2, "李四", SCORING_25_55_20, theory="84", practical="90", defence="80"),
        ],
        RankingRules(tie_breaks=chain),
        scoring=SCORING_25_55_20,
    )
    assert ranked.standings[0].entry.name == first
    assert [s.rank for s in ranked.standings] == [1, 2]


def test_tie_breaks_compare_the_practical_as_shown_rounded() -> None:
    # Practical by a mean of 3: 张三 (87 + 88 + 88) / 3 = 87.666… ; 李四 87.67. Both show 87.67.
    # Totals 24 + 61.3666… = 85.3666… and 24 + 61.369 = 85.369: both 85.37.
    scoring = ScoringRules(
        components=(
            SCORING_30_70.components[0],
            ComponentRule(PRACTICAL, ComponentKind.PRACTICAL, D("0.7"), panel=PanelMethod.MEAN, panel_size=3),
        )
    )
    ranked = rank(
        [
            standing(1, "张三", scoring, theory="80", practical=("87", "88", "88"), seconds=1300),
            standing(2, "李四", scoring, theory="80", practical=("87.67", "87.67", "87.67"), seconds=1250),
        ],
        scoring=scoring,
    )
    assert table(ranked) == [("李四", 1, False), ("张三", 2, False)]  # the time decided, not a 0.0033 gap
    assert "技能操作成绩同为87.67" in ranked.explanations[1][0]


def test_a_three_way_tie_split_over_two_links() -> None:
    # 张三 80 × 0.3 + 91 × 0.7 = 24 + 63.7 = 87.7; 李四 and 王五 87 × 0.3 + 88 × 0.7 = 26.1 + 61.6 = 87.7
    ranked = rank(
        [
            standing(1, "张三", theory="80", practical="91", seconds=1500),
            standing(2, "李四", theory="87", practical="88", seconds=1200),
            standing(3, "王五", theory="87", practical="88", seconds=1300),
        ]
    )
    assert table(ranked) == [("张三", 1, False), ("李四", 2, False), ("王五", 3, False)]
    assert ranked.explanations[2] == (
        "总分与张三、王五同为87.70，按技能操作成绩比较（高者在前）：本人88.00，张三91.00，王五88.00，"
        "排名在张三之后，与王五仍然相同",
        "总分与王五同为87.70，技能操作成绩同为88.00，按实操用时比较（用时短者在前）：本人20分0秒，王五21分40秒，"
        "排名在王五之前",
    )
    assert ranked.explanations[1] == (
        "总分与李四、王五同为87.70，按技能操作成绩比较（高者在前）：本人91.00，李四88.00，王五88.00，"
        "排名在李四、王五之前",
    )


# --- shared places --------------------------------------------------------------------------


def four_with_a_tie_for_second() -> list[Standing]:
    return [
        standing(1, "张三", theory="90", practical="90"),  # 90.00
        standing(2, "李四", theory="85", practical="85"),  # 85.00
        standing(3, "王五", theory="85", practical="85"),  # 85.00
        standing(4, "赵六", theory="80", practical="80"),  # 80.00
    ]


def test_shared_places_follow_standard_competition_ranking() -> None:
    ranked = rank(four_with_a_tie_for_second())
    assert table(ranked) == [("张三", 1, False), ("李四", 2, True), ("王五", 2, True), ("赵六", 4, False)]
    assert ranked.unresolved == ()
    assert ranked.explanations[2] == (
        "总分与王五同为85.00，技能操作成绩同为85.00，李四、王五的实操用时未记录，不能据此区分，"
        "理论知识成绩同为85.00，与王五并列第2名",
    )
    assert ranked.explanations[3][-1].endswith("与李四并列第2名")


def test_without_tie_breaks_equal_totals_share_at_once() -> None:
    ranked = rank(four_with_a_tie_for_second(), RankingRules(tie_breaks=()))
    assert [s.rank for s in ranked.standings] == [1, 2, 2, 4]
    assert ranked.explanations[2] == ("总分与王五同为85.00，与王五并列第2名",)


# --- no shared places: flags and decisions ---------------------------------------------------


def test_without_shared_places_an_unbreakable_tie_is_flagged_not_broken() -> None:
    ranked = rank(four_with_a_tie_for_second(), NOT_SHARED)
    # Provisionally shared, never ordered by id or name.
    assert table(ranked) == [("张三", 1, False), ("李四", 2, True), ("王五", 2, True), ("赵六", 4, False)]
    (flag,) = ranked.unresolved
    assert flag.group == GROUP
    assert flag.context == "rank"
    assert flag.entry_ids == (2, 3)
    assert flag.message == (
        "职工组：李四（85.00）、王五（85.00）总分相同，技能操作成绩同为85.00，李四、王五的实操用时未记录，不能据此区分，"
        "理论知识成绩同为85.00，按排名规则无法区分名次；本组不设并列名次，须记录裁定"
    )
    assert ranked.explanations[2][-1].endswith("排名规则无法区分，暂与王五并列第2名，须记录裁定")


def decision(*ordered: int, group: str = GROUP, context: str = "rank", by: str = "裁判长王某") -> TieDecision:
    return TieDecision(group=group, context=context, ordered_entry_ids=ordered, decided_by=by, reason="加赛一题")


def test_a_recorded_decision_orders_the_tie() -> None:
    ranked = rank(four_with_a_tie_for_second(), NOT_SHARED, (decision(3, 2),))
    assert table(ranked) == [("张三", 1, False), ("王五", 2, False), ("李四", 3, False), ("赵六", 4, False)]
    assert ranked.unresolved == ()
    assert ranked.explanations[3][-1].endswith("排名规则无法区分，经裁判长王某裁定排名第2名（理由：加赛一题）")
    assert ranked.explanations[2][-1].endswith("经裁判长王某裁定排名第3名（理由：加赛一题）")


@pytest.mark.parametrize(
    "unrelated",
    [
        decision(3, 2, 4),  # covers more than the tie (e.g. recorded before a score was corrected)
        decision(3),  # covers less
        decision(3, 2, group="学生组"),
        decision(3, 2, context="cutoff:市技术能手"),
        decision(3, 3),  # not a permutation of the tie
    ],
)
def test_a_decision_must_cover_exactly_the_tie(unrelated: TieDecision) -> None:
    ranked = rank(four_with_a_tie_for_second(), NOT_SHARED, (unrelated,))
    assert [flag.entry_ids for flag in ranked.unresolved] == [(2, 3)]
    assert [s.rank for s in ranked.standings] == [1, 2, 2, 4]


def test_a_later_decision_supersedes_an_earlier_one() -> None:
    ranked = rank(four_with_a_tie_for_second(), NOT_SHARED, (decision(3, 2), decision(2, 3, by="仲裁委员会")))
    assert [s.entry.name for s in ranked.standings] == ["张三", "李四", "王五", "赵六"]
    assert "仲裁委员会" in ranked.explanations[2][-1]


def test_decisions_do_not_override_shared_places() -> None:
    ranked = rank(four_with_a_tie_for_second(), SHARED, (decision(3, 2),))
    assert [s.rank for s in ranked.standings] == [1, 2, 2, 4]


# --- unranked entries and misuse -------------------------------------------------------------


def test_unranked_entries_come_last_with_their_reason() -> None:
    ranked = rank(
        [
            standing(1, "张三", theory="60", practical="60"),
            standing(2, "李四", theory="99"),  # no practical mark
            standing(3, "王五", theory="99", practical="99", withdrawn=True),
            standing(4, "赵六", theory="99", practical="99", disqualified=True),
            standing(5, "钱七", theory="70", practical="70"),
        ]
    )
    assert table(ranked) == [
        ("钱七", 1, False),
        ("张三", 2, False),
        ("李四", None, False),
        ("王五", None, False),
        ("赵六", None, False),
    ]
    assert ranked.explanations == {
        2: ("成绩不全（技能操作缺少1个评分），不参加排名",),
        3: ("已退赛，不参加排名",),
        4: ("已取消资格，不参加排名",),
    }


def test_standings_of_another_group_are_refused() -> None:
    with pytest.raises(ValueError, match="属于“学生组”，不能在“职工组”中排名"):
        rank([standing(1, "张三", theory="80", practical="80", group="学生组")])


def test_an_entry_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="编号1在本组中出现多次"):
        rank([standing(1, "张三", theory="80", practical="80")] * 2)


def test_many_entries_with_a_few_ties_rank_like_one_by_one() -> None:
    # 40 entries, totals 90.00 down in steps of 0.50 with every fifth entry repeating the one
    # before: the lone totals are placed straight from the sort, the pairs through the chain.
    standings = []
    for entry_id in range(1, 41):
        step = entry_id - 1 - (1 if entry_id % 5 == 0 else 0)
        mark = str(D(90) - D("0.5") * step)
        standings.append(standing(entry_id, f"选手{entry_id}", theory=mark, practical=mark, seconds=3600 - entry_id))
    ranked = rank(list(reversed(standings)))
    assert [s.entry.entry_id for s in ranked.standings] == [
        *(entry_id for pair in range(0, 40, 5) for entry_id in (pair + 1, pair + 2, pair + 3, pair + 5, pair + 4))
    ]
    assert [s.rank for s in ranked.standings] == list(range(1, 41))
    assert sorted(ranked.explanations) == sorted([*range(4, 41, 5), *range(5, 41, 5)])  # only the tied pairs


def test_ranking_ignores_the_callers_decimal_context() -> None:
    # 85.41 and 85.37 differ, and so do the practicals 85.43 and 85.41 of two entries on 85.42:
    # at a caller's 3 digits both pairs would look equal. Ranks compare exact values.
    standings = [
        standing(1, "张三", theory="85.37", practical="85.37"),
        standing(2, "李四", theory="85.41", practical="85.41"),
        standing(3, "王五", theory="85.39", practical="85.43"),  # 85.418 → 85.42
        standing(4, "赵六", theory="85.44", practical="85.41"),  # 85.419 → 85.42
    ]
    expected = rank(standings)
    assert table(expected) == [("王五", 1, False), ("赵六", 2, False), ("李四", 3, False), ("张三", 4, False)]
    with localcontext() as context:
        context.prec = 3
        assert rank(standings) == expected


# --- teams ----------------------------------------------------------------------------------


def member(
    entry_id: int, team_id: int, theory: str, practical: str, seconds: int | None = None, *, disqualified: bool = False
) -> Standing:
    return standing(
        entry_id,
        f"队员{entry_id}",
        theory=theory,
        practical=practical,
        seconds=seconds,
        team_id=team_id,
        disqualified=disqualified,
    )


def rank_the_teams(
    members: list[Standing],
    rules: RankingRules = SHARED,
    decisions: tuple[TieDecision, ...] = (),
    team_size: int = 3,
) -> RankedGroup:
    return rank_teams(members, rules, decisions, group=GROUP, scoring=SCORING_30_70, team_size=team_size)


def test_a_team_scores_the_sum_of_its_members() -> None:
    teams = team_standings(
        [
            member(1, 10, "80", "90"),  # 87.00
            member(2, 10, "90", "80"),  # 83.00
            member(3, 10, "85", "85"),  # 85.00
            member(4, 20, "90", "90"),  # 90.00
            member(5, 20, "90", "90"),
            member(6, 20, "60", "60"),  # 60.00
        ],
        SHARED,
        team_size=3,
        scoring=SCORING_30_70,
    )
    assert [(team.standing.entry.entry_id, str(team.standing.total)) for team in teams] == [
        (10, "255.00"),
        (20, "240.00"),
    ]
    first = teams[0].standing
    assert first.entry.name == "第10队（队员1、队员2、队员3）"
    assert first.entry.team_id == 10
    assert [(c.name, c.normalised) for c in first.components] == [(THEORY, D(255)), (PRACTICAL, D(255))]
    assert [m.entry.entry_id for m in teams[0].members] == [1, 2, 3]


def test_teams_tied_on_total_are_split_by_team_practical() -> None:
    # 甲队: 3 × (92, 82) → 3 × 85.00 = 255.00, practical 246; 乙队: 3 × (78, 88) → 255.00, practical 264
    ranked = rank_the_teams(
        [member(i, 1, "92", "82") for i in (1, 2, 3)] + [member(i, 2, "78", "88") for i in (4, 5, 6)]
    )
    assert [(s.entry.entry_id, s.total, s.rank) for s in ranked.standings] == [(2, D("255.00"), 1), (1, D("255.00"), 2)]
    assert "按技能操作成绩比较（高者在前）：本人264.00" in ranked.explanations[2][0]


def test_teams_tied_on_practical_are_split_by_mean_time() -> None:
    # Same marks; 甲队 times 1200 × 3 (mean 1200), 乙队 1100, 1150, 1200 (mean 1150)
    members = [member(i, 1, "85", "85", 1200) for i in (1, 2, 3)]
    members += [member(4, 2, "85", "85", 1100), member(5, 2, "85", "85", 1150), member(6, 2, "85", "85", 1200)]
    ranked = rank_the_teams(members)
    assert [(s.entry.entry_id, s.rank) for s in ranked.standings] == [(2, 1), (1, 2)]
    assert ranked.standings[0].entry.practical_seconds == D("1150.000")
    assert "本人19分10.000秒" in ranked.explanations[2][0]


def test_an_unbreakable_team_tie_needs_a_team_decision() -> None:
    members = [member(i, 1, "85", "85") for i in (1, 2, 3)] + [member(i, 2, "85", "85") for i in (4, 5, 6)]
    flagged = rank_the_teams(members, NOT_SHARED)
    (flag,) = flagged.unresolved
    assert (flag.context, flag.entry_ids) == ("team_rank", (1, 2))
    # An individual "rank" decision over the same ids does not decide a team tie.
    assert rank_the_teams(members, NOT_SHARED, (decision(2, 1),)).unresolved == (flag,)
    decided = rank_the_teams(members, NOT_SHARED, (decision(2, 1, context="team_rank"),))
    assert [(s.entry.entry_id, s.rank) for s in decided.standings] == [(2, 1), (1, 2)]
    assert decided.unresolved == ()


def test_a_team_scores_the_mean_of_its_members_rounded() -> None:
    # (85.00 + 86.00 + 86.00) / 3 = 85.666… → 85.67
    (team,) = team_standings(
        [member(1, 7, "85", "85"), member(2, 7, "86", "86"), member(3, 7, "86", "86")],
        RankingRules(team_scoring=TeamScoring.MEAN),
        team_size=3,
        scoring=SCORING_30_70,
    )
    assert team.standing.total == D("85.67")
    assert str(team.standing.total) == "85.67"


TEAM_PRACTICAL = ScoringRules(
    components=(
        ComponentRule(THEORY, ComponentKind.THEORY, D("0.3")),
        ComponentRule(PRACTICAL, ComponentKind.PRACTICAL, D("0.7"), team_scored=True),
    )
)
BY_COMPONENT = RankingRules(team_scoring=TeamScoring.TEAM_COMPONENT)


def team_member(entry_id: int, theory: str | None, practical: str | None) -> Standing:
    return standing(entry_id, f"队员{entry_id}", TEAM_PRACTICAL, team_id=7, theory=theory, practical=practical)


def test_team_component_scoring_counts_the_team_mark_once_and_averages_the_rest() -> None:
    # Theory is individual: (80 + 90) / 2 = 85 × 0.3 = 25.5; the practical is the team's, marked
    # once (keyed on one member only): 90 × 0.7 = 63; 88.50
    (team,) = team_standings(
        [team_member(1, "80", "90"), team_member(2, "90", None)],
        BY_COMPONENT,
        team_size=2,
        scoring=TEAM_PRACTICAL,
        team_names={7: "成都一队"},
    )
    assert team.standing.total == D("88.50")
    assert team.standing.entry.name == "成都一队"
    assert [(c.name, c.normalised) for c in team.standing.components] == [(THEORY, D(85)), (PRACTICAL, D(90))]
    assert team.notes == ()


def test_team_component_scoring_with_every_component_team_scored_is_the_team_mark() -> None:
    all_team = ScoringRules(components=tuple(replace(c, team_scored=True) for c in SCORING_30_70.components))
    members = [standing(i, f"队员{i}", all_team, team_id=7, theory="80", practical="90") for i in (1, 2)]
    (team,) = team_standings(members, BY_COMPONENT, team_size=2, scoring=all_team)
    assert team.standing.total == members[0].total == D("87.00")


def test_team_component_scoring_refuses_members_with_different_team_marks() -> None:
    with pytest.raises(ValueError, match=r"成都一队的团体评分项“技能操作”在队员间不一致：队员1（90）、队员2（80）"):
        team_standings(
            [team_member(1, "80", "90"), team_member(2, "80", "80")],
            BY_COMPONENT,
            team_size=2,
            scoring=TEAM_PRACTICAL,
            team_names={7: "成都一队"},
        )


def test_team_component_scoring_without_the_team_mark_is_unranked() -> None:
    (team,) = team_standings(
        [team_member(1, "80", None), team_member(2, "90", None)], BY_COMPONENT, team_size=2, scoring=TEAM_PRACTICAL
    )
    assert team.standing.total is None
    assert team.notes == ("“技能操作”成绩不全，本队不参加排名",)


def test_incomplete_or_unscored_teams_are_unranked_and_say_why() -> None:
    ranked = rank_the_teams(
        [
            member(1, 1, "80", "80"),
            member(2, 1, "80", "80"),  # 1: only two of three
            member(3, 2, "80", "80"),
            member(4, 2, "80", "80"),
            standing(5, "队员5", theory="80", team_id=2),  # 2: no practical for one member
            member(6, 3, "80", "80"),
            member(7, 3, "80", "80"),
            member(8, 3, "80", "80", disqualified=True),  # 3: a member disqualified
            member(9, 4, "70", "70"),
            member(10, 4, "70", "70"),
            member(11, 4, "70", "70"),  # 4: complete
        ]
    )
    assert [(s.entry.entry_id, s.total, s.rank) for s in ranked.standings] == [
        (4, D("210.00"), 1),
        (1, None, None),
        (2, None, None),
        (3, D("240.00"), None),
    ]
    assert ranked.explanations[1][0] == "队伍成员不足3人（实有2人），不参加排名"
    assert ranked.explanations[2][0] == "队员队员5成绩不全，本队不参加排名"
    assert ranked.explanations[3][0] == "队员队员8已取消资格，本队不参加排名"


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ([member(i, 1, "80", "80") for i in (1, 2, 3, 4)], "有4名成员，超过每队3人"),
        ([standing(1, "张三", theory="80", practical="80")], "张三（编号1）不属于任何队伍"),
        (
            [member(1, 1, "80", "80"), standing(2, "李四", theory="80", practical="80", team_id=1, group="学生组")],
            "的成员分属不同组别：学生组、职工组",
        ),
    ],
)
def test_impossible_teams_are_refused(members: list[Standing], message: str) -> None:
    with pytest.raises(RankingError, match=message):
        team_standings(members, SHARED, team_size=3, scoring=SCORING_30_70)


# --- properties -----------------------------------------------------------------------------

SCORING_TRIMMED = ScoringRules(
    components=(
        ComponentRule(THEORY, ComponentKind.THEORY, D("0.3")),
        ComponentRule(PRACTICAL, ComponentKind.PRACTICAL, D("0.7"), panel=PanelMethod.TRIMMED_MEAN, panel_size=3),
    )
)
# Few distinct marks, chosen so that ties at every link of the chain are common: 0.3 × 7 = 0.7 × 3,
# so theory 80 with practical 91 ties theory 87 with practical 88 on the total; 88.001 ties 88 on
# the rounded total and the rounded practical but not on the raw marks; 87.01 ties 87 on the
# rounded total but not on the theory.
THEORY_MARK = st.sampled_from([D(80), D(87), D("87.01"), D(94)])
PRACTICAL_MARK = st.sampled_from([D(85), D(88), D("88.001"), D(91)])
SECONDS = st.sampled_from([None, D(1000), D(1000), D(1100)])


@st.composite
def groups(draw: st.DrawFn, *, complete: bool = False) -> list[Standing]:
    """2–8 scored standings of one group; unless ``complete``, some lack marks or withdrew."""
    count = draw(st.integers(2, 8))
    group: list[Standing] = []
    for entry_id in range(1, count + 1):
        judges = 3 if complete or draw(st.integers(0, 7)) else 2  # now and then a judge's mark is missing
        practical = draw(st.lists(PRACTICAL_MARK, min_size=judges, max_size=judges))
        entry = EntryInput(
            entry_id=entry_id,
            name=f"选手{entry_id}",
            group=GROUP,
            marks={THEORY: (draw(THEORY_MARK),), PRACTICAL: tuple(practical)},
            practical_seconds=draw(SECONDS),
            withdrawn=not complete and draw(st.integers(0, 9)) == 0,
            disqualified=not complete and draw(st.integers(0, 9)) == 0,
        )
        components, total = score_entry(entry, SCORING_TRIMMED)
        group.append(Standing(entry=entry, components=components, total=total, rank=None))
    return group


POLICIES = st.sampled_from(
    [SHARED, NOT_SHARED, RankingRules(tie_breaks=()), RankingRules(tie_breaks=(), shared_places=False)]
)


def rank_trimmed(
    standings: list[Standing], rules: RankingRules, decisions: tuple[TieDecision, ...] = ()
) -> RankedGroup:
    return rank_group(standings, rules, decisions, group=GROUP, scoring=SCORING_TRIMMED)


def ranks_by_id(ranked: RankedGroup) -> dict[int, int | None]:
    return {s.entry.entry_id: s.rank for s in ranked.standings}


@settings(deadline=None)
@given(groups(), POLICIES, st.randoms(use_true_random=False))
def test_ranking_is_invariant_to_input_order(standings: list[Standing], rules: RankingRules, rng: Random) -> None:
    shuffled = list(standings)
    rng.shuffle(shuffled)
    assert rank_trimmed(shuffled, rules) == rank_trimmed(standings, rules)


@settings(deadline=None)
@given(groups(complete=True), POLICIES, st.data())
def test_raising_a_mark_never_lowers_the_rank(
    standings: list[Standing], rules: RankingRules, data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(standings) - 1))
    chosen = standings[index].entry
    component = data.draw(st.sampled_from([THEORY, PRACTICAL]))
    judge = data.draw(st.integers(0, len(chosen.marks[component]) - 1))
    raise_by = data.draw(st.sampled_from([D("0.01"), D("0.5"), D(3), D(10)]))
    old_marks = chosen.marks[component]
    new_marks = (*old_marks[:judge], min(D(100), old_marks[judge] + raise_by), *old_marks[judge + 1 :])
    raised_entry = replace(chosen, marks={**chosen.marks, component: new_marks})
    components, total = score_entry(raised_entry, SCORING_TRIMMED)
    raised = [*standings[:index], Standing(raised_entry, components, total, None), *standings[index + 1 :]]

    before = ranks_by_id(rank_trimmed(standings, rules))[chosen.entry_id]
    after = ranks_by_id(rank_trimmed(raised, rules))[chosen.entry_id]
    assert before is not None
    assert after is not None
    assert after <= before


@settings(deadline=None)
@given(groups(), POLICIES)
def test_shared_places_only_where_the_policy_allows(standings: list[Standing], rules: RankingRules) -> None:
    ranked = rank_trimmed(standings, rules)
    flagged = {entry_id for flag in ranked.unresolved for entry_id in flag.entry_ids}
    holders: dict[int, list[int]] = {}
    for s in ranked.standings:
        if s.rank is not None:
            holders.setdefault(s.rank, []).append(s.entry.entry_id)
    for place, entry_ids in holders.items():
        shared = len(entry_ids) > 1
        assert all(s.shared_rank == shared for s in ranked.standings if s.rank == place)
        if shared and not rules.shared_places:
            assert set(entry_ids) <= flagged  # a shared place without a decision is always flagged
            assert any(set(flag.entry_ids) == set(entry_ids) for flag in ranked.unresolved)
    if rules.shared_places:
        assert ranked.unresolved == ()


@settings(deadline=None)
@given(groups(), st.sampled_from([NOT_SHARED, RankingRules(tie_breaks=(), shared_places=False)]), st.data())
def test_decisions_for_every_flag_leave_no_shared_place(
    standings: list[Standing], rules: RankingRules, data: st.DataObject
) -> None:
    flags = rank_trimmed(standings, rules).unresolved
    decisions = tuple(
        TieDecision(GROUP, "rank", tuple(data.draw(st.permutations(flag.entry_ids))), "裁判长", "抽签")
        for flag in flags
    )
    ranked = rank_trimmed(standings, rules, decisions)
    assert ranked.unresolved == ()
    ranks = [s.rank for s in ranked.standings if s.rank is not None]
    assert len(ranks) == len(set(ranks))
    order = [s.entry.entry_id for s in ranked.standings]
    for chosen in decisions:
        positions = [order.index(entry_id) for entry_id in chosen.ordered_entry_ids]
        assert positions == sorted(positions)  # the decided order is kept


@settings(deadline=None)
@given(groups(), POLICIES)
def test_ranks_are_standard_competition_ranking(standings: list[Standing], rules: RankingRules) -> None:
    ranked = rank_trimmed(standings, rules)
    ranks = [s.rank for s in ranked.standings if s.rank is not None]
    for position, place in enumerate(ranks):
        assert place == 1 + sum(1 for other in ranks if other < place)
        assert place == ranks.index(place) + 1 <= position + 1
    unranked = ranked.standings[len(ranks) :]
    assert all(s.rank is None for s in unranked)  # unranked entries come last


@settings(deadline=None)
@given(groups(complete=True))
def test_rank_is_one_plus_the_entries_strictly_ahead(standings: list[Standing]) -> None:
    """With the chain practical → theory (always known), an independent oracle: compare the
    rounded total, then the rounded practical and theory, and count who is strictly ahead."""
    rules = RankingRules(tie_breaks=(TieBreak.PRACTICAL, TieBreak.THEORY))

    def key(s: Standing) -> tuple[Decimal, ...]:
        normalised = {c.name: c.normalised for c in s.components}
        practical, theory = normalised[PRACTICAL], normalised[THEORY]
        assert s.total is not None and practical is not None and theory is not None
        return s.total, round_half_up(practical, 2), round_half_up(theory, 2)

    ranked = rank_trimmed(standings, rules)
    for s in ranked.standings:
        assert s.rank == 1 + sum(1 for other in standings if key(other) > key(s))


def test_a_link_for_a_component_the_rules_lack_is_passed_over() -> None:
    only_practical = ScoringRules(components=(ComponentRule(PRACTICAL, ComponentKind.PRACTICAL, D(1)),))
    ranked = rank(
        [standing(1, "张三", only_practical, practical="90"), standing(2, "李四", only_practical, practical="90")],
        RankingRules(tie_breaks=(TieBreak.THEORY, TieBreak.DEFENCE)),
        scoring=only_practical,
    )
    assert ranked.explanations[1] == ("总分与李四同为90.00，与李四并列第1名",)


@settings(deadline=None)
@given(
    groups(),
    st.sampled_from([SHARED, NOT_SHARED]),
    st.sampled_from(list(TeamScoring)),
    st.randoms(use_true_random=False),
)
def test_team_ranking_is_invariant_to_member_order(
    standings: list[Standing], rules: RankingRules, team_scoring: TeamScoring, rng: Random
) -> None:
    # Pairs: entries 1 and 2 form team 1, 3 and 4 team 2 …; an odd last entry is an incomplete team.
    paired = [replace(s, entry=replace(s.entry, team_id=(s.entry.entry_id + 1) // 2)) for s in standings]
    rules = replace(rules, team_scoring=team_scoring)
    shuffled = list(paired)
    rng.shuffle(shuffled)
    ranked = rank_teams(paired, rules, group=GROUP, scoring=SCORING_TRIMMED, team_size=2)
    assert rank_teams(shuffled, rules, group=GROUP, scoring=SCORING_TRIMMED, team_size=2) == ranked
    assert {s.entry.entry_id for s in ranked.standings} == {(s.entry.entry_id + 1) // 2 for s in standings}
