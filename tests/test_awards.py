"""Awards (DOMAIN.md §3): worked examples for every model and cited case, plus properties."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from competition_app.domain.enums import PersonStatus, SkillLevel
from competition_app.rules.awards import AwardsOutcome, assign_awards, award_order, half_field_limit, quota
from competition_app.rules.io import ComponentResult, EntryInput, PersonHistory, Standing, TieDecision
from competition_app.rules.model import AwardModel, AwardRules, AwardTier, CutoffTiePolicy, QuotaRounding

GROUP = "职工组"
ALL = CutoffTiePolicy.ALL_QUALIFY
DECIDE = CutoffTiePolicy.DECIDE

PERCENT_10_20_30 = AwardRules(
    model=AwardModel.PERCENTAGE,
    tiers=(
        AwardTier("一等奖", share=Decimal("0.10")),
        AwardTier("二等奖", share=Decimal("0.20")),
        AwardTier("三等奖", share=Decimal("0.30")),
    ),
    merit_award="优秀奖",
)


def fixed(*counts: int, **options: object) -> AwardRules:
    names = ("一等奖", "二等奖", "三等奖")
    tiers = tuple(AwardTier(name, count=count) for name, count in zip(names, counts, strict=False))
    return AwardRules(model=AwardModel.FIXED_COUNTS, tiers=tiers, **options)  # type: ignore[arg-type]


MEDALS = AwardRules(
    model=AwardModel.MEDALS,
    tiers=(AwardTier("金牌"), AwardTier("银牌"), AwardTier("铜牌")),
    half_field_award="优胜奖",
)

WORLDSKILLS = AwardRules(
    model=AwardModel.WORLDSKILLS,
    tiers=(AwardTier("金牌"), AwardTier("银牌"), AwardTier("铜牌")),
    medallion="优胜奖",
    medallion_threshold=Decimal(700),
    medal_tie_margin=Decimal(2),
)


# --- building standings by hand -------------------------------------------------------------


def entry(
    entry_id: int,
    *,
    name: str | None = None,
    group: str = GROUP,
    status: PersonStatus = PersonStatus.WORKER,
    birth_date: date | None = None,
    current_level: SkillLevel | None = None,
    history: PersonHistory | None = None,
    withdrawn: bool = False,
    disqualified: bool = False,
) -> EntryInput:
    return EntryInput(
        entry_id=entry_id,
        name=name or f"选手{entry_id}",
        group=group,
        status=status,
        birth_date=birth_date,
        current_level=current_level,
        history=history or PersonHistory(),
        withdrawn=withdrawn,
        disqualified=disqualified,
    )


def standing(
    entry_id: int,
    rank: int | None,
    total: str | Decimal | None = "80.00",
    *,
    shared: bool = False,
    components: Sequence[ComponentResult] = (),
    **person: object,
) -> Standing:
    """One hand-made standing; ``person`` goes to :func:`entry`."""
    value = Decimal(total) if total is not None else None
    return Standing(entry(entry_id, **person), tuple(components), value, rank, shared)  # type: ignore[arg-type]


def ranked_field(totals: Sequence[str | Decimal | int]) -> list[Standing]:
    """Standings ranked from ``totals`` with standard competition ranking (1-2-2-4), entry ids 1…n."""
    values = [Decimal(t) for t in totals]
    result = []
    for index, value in enumerate(values, start=1):
        rank = 1 + sum(other > value for other in values)
        shared = sum(other == value for other in values) > 1
        result.append(Standing(entry(index), (), value, rank, shared))
    return result


def descending(n: int, top: int = 100) -> list[Decimal]:
    """``n`` distinct totals, best first (entry id = rank)."""
    return [Decimal(top - i) for i in range(n)]


def awards_of(outcome: AwardsOutcome) -> dict[int, str | None]:
    return {entry_id: o.value for entry_id, o in outcome.by_entry.items()}


def run(standings: Sequence[Standing], rules: AwardRules, policy: CutoffTiePolicy = ALL, **kw: object) -> AwardsOutcome:
    return assign_awards(standings, rules, group=GROUP, policy=policy, **kw)  # type: ignore[arg-type]


# --- percentage model -----------------------------------------------------------------------


def test_ten_percent_of_23_floors_to_two() -> None:
    result = run(ranked_field(descending(23)), PERCENT_10_20_30)
    awards = awards_of(result)
    assert [awards[i] for i in (1, 2)] == ["一等奖", "一等奖"]
    assert {awards[i] for i in range(3, 7)} == {"二等奖"}  # 20% of 23 = 4.6 → 4
    assert {awards[i] for i in range(7, 13)} == {"三等奖"}  # 30% of 23 = 6.9 → 6
    assert {awards[i] for i in range(13, 24)} == {"优秀奖"}
    assert result.by_entry[2].explanation == ("第2名，属前10%（23人中取2人，向下取整）→ 一等奖",)
    assert result.by_entry[3].explanation == ("第3名，属一等奖之后的20%（23人中取4人，向下取整；即第3–6名）→ 二等奖",)
    assert result.by_entry[13].explanation == ("未进入获奖名次（前12名）→ 优秀奖",)
    assert result.unresolved == ()


@pytest.mark.parametrize(
    ("rounding", "counts"),
    [
        (QuotaRounding.FLOOR, (2, 4, 6)),
        (QuotaRounding.CEIL, (3, 5, 7)),
        (QuotaRounding.HALF_UP, (2, 5, 7)),
    ],
)
def test_quota_rounding_is_a_rule_setting(rounding: QuotaRounding, counts: tuple[int, int, int]) -> None:
    rules = AwardRules(model=AwardModel.PERCENTAGE, tiers=PERCENT_10_20_30.tiers, quota_rounding=rounding)
    awards = list(awards_of(run(ranked_field(descending(23)), rules)).values())
    assert (awards.count("一等奖"), awards.count("二等奖"), awards.count("三等奖")) == counts


def test_quota_helper() -> None:
    assert quota(23, Decimal("0.10")) == 2
    assert quota(23, Decimal("0.10"), QuotaRounding.CEIL) == 3
    assert quota(25, Decimal("0.10"), QuotaRounding.HALF_UP) == 3  # 2.5 → 3
    assert quota(0, Decimal("0.30")) == 0


def test_the_field_is_the_ranked_entries_only() -> None:
    field = ranked_field(descending(10))
    unranked = [
        standing(11, None, None, withdrawn=True),
        standing(12, None, None, disqualified=True),
        standing(13, None, None, components=(ComponentResult("技能操作", None, None, missing_marks=5),)),
    ]
    result = run([*unranked, *field], PERCENT_10_20_30)
    awards = awards_of(result)
    assert [awards[i] for i in range(1, 11)] == ["一等奖", "二等奖", "二等奖", *["三等奖"] * 3, *["优秀奖"] * 4]
    assert awards[11] is awards[12] is awards[13] is None
    assert result.by_entry[11].explanation == ("未参加排名（已退赛）→ 不授奖",)
    assert result.by_entry[12].explanation == ("未参加排名（已取消比赛资格）→ 不授奖",)
    assert result.by_entry[13].explanation == ("未参加排名（成绩不全，缺少技能操作）→ 不授奖",)


def test_a_tier_without_its_share_is_a_rule_error() -> None:
    rules = AwardRules(model=AwardModel.PERCENTAGE, tiers=(AwardTier("一等奖", count=1),))
    with pytest.raises(ValueError, match="一等奖未设比例"):
        run(ranked_field(descending(5)), rules)


# --- fixed counts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "counts",
    [(1, 2, 3), (2, 4, 6), (1, 2, 5)],  # common city events; 2/4/6; 四川工匠杯 2017
)
def test_fixed_counts(counts: tuple[int, int, int]) -> None:
    awards = awards_of(run(ranked_field(descending(20)), fixed(*counts)))
    expected = ["一等奖"] * counts[0] + ["二等奖"] * counts[1] + ["三等奖"] * counts[2]
    expected += [None] * (20 - len(expected))
    assert [awards[i] for i in range(1, 21)] == expected


def test_fixed_counts_explanation_and_a_small_field() -> None:
    result = run(ranked_field(descending(4)), fixed(1, 2, 3))
    assert awards_of(result) == {1: "一等奖", 2: "二等奖", 3: "二等奖", 4: "三等奖"}
    assert result.by_entry[3].explanation == ("第3名，属二等奖名额2名（第2–3名）→ 二等奖",)


def test_a_tier_without_its_count_is_a_rule_error() -> None:
    rules = AwardRules(model=AwardModel.FIXED_COUNTS, tiers=(AwardTier("一等奖", share=Decimal("0.1")),))
    with pytest.raises(ValueError, match="一等奖未设名额"):
        run(ranked_field(descending(5)), rules)


# --- ties at a cut-off ----------------------------------------------------------------------

# 1/2/3 prizes; places 1 2 3 4 5 6 6 8: the two 6th places straddle the 三等奖 cut-off (6th).
THIRD_PRIZE_TIE = ["99", "98", "97", "96", "95", "90", "90", "80"]


def test_tie_at_the_third_prize_cutoff_all_qualify() -> None:
    result = run(ranked_field(THIRD_PRIZE_TIE), fixed(1, 2, 3, merit_award="优秀奖"))
    awards = awards_of(result)
    assert awards[6] == awards[7] == "三等奖"
    assert list(awards.values()).count("三等奖") == 4  # the quota of 3 plus the one extra tied entry
    assert awards[8] == "优秀奖"
    assert result.unresolved == ()
    assert "与选手7并列，跨越三等奖名额线（前6名）；并列者均获该奖项" in result.by_entry[6].explanation[0]


def test_tie_at_the_third_prize_cutoff_decide_flags_it() -> None:
    result = run(ranked_field(THIRD_PRIZE_TIE), fixed(1, 2, 3, merit_award="优秀奖"), DECIDE)
    awards = awards_of(result)
    assert awards[6] is None and awards[7] is None
    assert awards[5] == "三等奖" and awards[8] == "优秀奖"  # nobody else moves
    (flag,) = result.unresolved
    assert (flag.group, flag.context, flag.entry_ids) == (GROUP, "cutoff:三等奖", (6, 7))
    assert "选手6、选手7并列第6名" in flag.message
    assert "待裁定" in result.by_entry[6].explanation[0]


def test_tie_at_the_third_prize_cutoff_decided() -> None:
    decision = TieDecision(GROUP, "cutoff:三等奖", (7, 6), decided_by="裁判长王某", reason="实操用时更短")
    result = run(ranked_field(THIRD_PRIZE_TIE), fixed(1, 2, 3, merit_award="优秀奖"), DECIDE, decisions=[decision])
    awards = awards_of(result)
    assert (awards[7], awards[6]) == ("三等奖", "优秀奖")
    assert result.unresolved == ()
    assert "经裁定（裁判长王某：实操用时更短）列第6位" in result.by_entry[7].explanation[0]
    assert "列第7位" in result.by_entry[6].explanation[0]


def test_a_decision_of_another_group_or_context_does_not_count() -> None:
    decisions = [
        TieDecision("学生组", "cutoff:三等奖", (7, 6), "甲", "x"),
        TieDecision(GROUP, "rank", (7, 6), "甲", "x"),
        TieDecision(GROUP, "cutoff:三等奖", (7,), "甲", "names only one of the tied"),
    ]
    result = run(ranked_field(THIRD_PRIZE_TIE), fixed(1, 2, 3), DECIDE, decisions=decisions)
    assert len(result.unresolved) == 1


def test_all_qualify_at_the_second_prize_cutoff_shrinks_the_third_prize() -> None:
    # places 1 2 3 3 5 6 7: 二等奖 cut-off is 3rd place; both 3rd places get 二等奖,
    # and 三等奖 keeps its cumulative cut-off (6th), so only places 5 and 6 get it.
    awards = awards_of(run(ranked_field(["99", "98", "97", "97", "95", "94", "93"]), fixed(1, 2, 3)))
    assert [awards[i] for i in range(1, 8)] == ["一等奖", "二等奖", "二等奖", "二等奖", "三等奖", "三等奖", None]


def test_a_tie_inside_a_tier_is_no_cutoff_tie() -> None:
    result = run(ranked_field(["99", "98", "98", "90"]), fixed(1, 2, 3), DECIDE)
    assert awards_of(result) == {1: "一等奖", 2: "二等奖", 3: "二等奖", 4: "三等奖"}
    assert result.unresolved == ()
    assert result.by_entry[2].explanation[0].startswith("第2名（与选手3并列），属二等奖名额")


def test_a_tie_across_two_cutoffs_is_one_decision() -> None:
    # three share 1st place with 1/1/3: the tie straddles the 一等奖 and 二等奖 cut-offs
    rules = fixed(1, 1, 3)
    result = run(ranked_field(["90", "90", "90", "80"]), rules, DECIDE)
    (flag,) = result.unresolved
    assert flag.context == "cutoff:一等奖" and flag.entry_ids == (1, 2, 3)
    decision = TieDecision(GROUP, "cutoff:一等奖", (3, 1, 2), "组委会", "抽签")
    decided = awards_of(run(ranked_field(["90", "90", "90", "80"]), rules, DECIDE, decisions=[decision]))
    assert decided == {3: "一等奖", 1: "二等奖", 2: "三等奖", 4: "三等奖"}
    assert awards_of(run(ranked_field(["90", "90", "90", "80"]), rules)) == dict.fromkeys((1, 2, 3), "一等奖") | {
        4: "三等奖"
    }


# --- pass mark and 优秀奖 --------------------------------------------------------------------


def test_pass_mark_gates_every_award_and_the_quota_is_not_handed_on() -> None:
    rules = fixed(1, 2, 3, pass_mark=Decimal(60), merit_award="优秀奖")
    result = run(ranked_field(["90", "70", "59.99", "58", "61.00"]), rules)
    awards = awards_of(result)
    assert awards == {1: "一等奖", 2: "二等奖", 5: "二等奖", 3: None, 4: None}
    assert result.by_entry[3].explanation == ("第4名，总分59.99低于合格线60分，不授奖",)


def test_merit_award_for_the_rest_who_pass() -> None:
    rules = fixed(1, 1, 1, pass_mark=Decimal(60), merit_award="优秀奖")
    result = run(ranked_field(["90", "80", "70", "65", "60.00", "40"]), rules)
    awards = awards_of(result)
    assert (awards[4], awards[5], awards[6]) == ("优秀奖", "优秀奖", None)
    assert result.by_entry[5].explanation == ("未进入获奖名次（前3名），成绩合格 → 优秀奖",)


def test_no_merit_award_means_nothing_outside_the_quotas() -> None:
    result = run(ranked_field(descending(5)), fixed(1, 1, 1))
    assert awards_of(result)[4] is None
    assert result.by_entry[4].explanation == ("未进入获奖名次（前3名）→ 无奖项",)


def test_no_award_model() -> None:
    result = run(ranked_field(descending(3)), AwardRules())
    assert set(awards_of(result).values()) == {None}
    assert result.by_entry[1].explanation == ("本组别不设奖项",)


# --- medals (全国技能大赛) -------------------------------------------------------------------


def test_medals_and_half_field_award_in_an_even_field() -> None:
    result = run(ranked_field(descending(8)), MEDALS)
    awards = awards_of(result)
    assert [awards[i] for i in range(1, 9)] == ["金牌", "银牌", "铜牌", "优胜奖", None, None, None, None]
    assert result.by_entry[4].explanation == ("第4名，排名在参赛人数8人的1/2以内（含，即前4名）→ 优胜奖",)
    assert result.by_entry[2].explanation == ("第2名，前3名依次授金牌、银牌、铜牌 → 银牌",)
    assert result.by_entry[5].explanation == ("不在参赛人数8人的1/2以内（前4名），不获优胜奖 → 无奖项",)


def test_medals_in_an_odd_field_floor_excludes_the_middle() -> None:
    # 7 people: half is 3.5; place 4 is not within it, so nobody outside the medals gets 优胜奖
    awards = awards_of(run(ranked_field(descending(7)), MEDALS))
    assert [awards[i] for i in range(1, 8)] == ["金牌", "银牌", "铜牌", None, None, None, None]
    awards = awards_of(run(ranked_field(descending(11)), MEDALS))  # 5.5 → places 4–5
    assert [awards[i] for i in range(4, 7)] == ["优胜奖", "优胜奖", None]


def test_half_field_limits() -> None:
    exclusive = AwardRules(model=AwardModel.MEDALS, half_field_inclusive=False)
    half_up = AwardRules(model=AwardModel.MEDALS, quota_rounding=QuotaRounding.HALF_UP)
    assert [half_field_limit(n, MEDALS) for n in (7, 8, 10, 11)] == [3, 4, 5, 5]
    assert [half_field_limit(n, exclusive) for n in (7, 8, 10, 11)] == [3, 3, 4, 5]
    assert [half_field_limit(n, half_up) for n in (7, 8, 10, 11)] == [4, 4, 5, 6]


def test_medals_exclusive_half_drops_the_middle_place_of_an_even_field() -> None:
    rules = AwardRules(
        model=AwardModel.MEDALS, tiers=MEDALS.tiers, half_field_award="优胜奖", half_field_inclusive=False
    )
    awards = awards_of(run(ranked_field(descending(10)), rules))
    assert [awards[i] for i in range(4, 6)] == ["优胜奖", None]


def test_medals_in_an_odd_field_half_up_includes_the_middle() -> None:
    rules = AwardRules(
        model=AwardModel.MEDALS, tiers=MEDALS.tiers, half_field_award="优胜奖", quota_rounding=QuotaRounding.HALF_UP
    )
    awards = awards_of(run(ranked_field(descending(7)), rules))
    assert awards[4] == "优胜奖" and awards[5] is None


def test_medals_when_places_are_shared_anyway() -> None:
    # 全国技能大赛 forbids shared places; if ranking still shares one, the cut-off rules apply
    awards = awards_of(run(ranked_field(["99", "99", "90", "80", "70", "60"]), MEDALS))
    assert awards == {1: "金牌", 2: "金牌", 3: "铜牌", 4: None, 5: None, 6: None}
    result = run(ranked_field(["99", "99", "90", "80", "70", "60"]), MEDALS, DECIDE)
    assert [f.context for f in result.unresolved] == ["cutoff:金牌"]


# --- WorldSkills ----------------------------------------------------------------------------


def test_worldskills_two_point_medal_tie_two_golds_no_silver() -> None:
    result = run(ranked_field(["725", "724", "716", "715", "712", "705", "699"]), WORLDSKILLS)
    awards = awards_of(result)
    assert [awards[i] for i in range(1, 8)] == ["金牌", "金牌", "铜牌", "铜牌", "优胜奖", "优胜奖", None]
    assert "银牌" not in awards.values()
    assert result.by_entry[2].explanation == ("第2名，得分724，与本组最高分725相差1，在2分以内，与之并列 → 金牌",)
    assert result.by_entry[3].explanation[0] == "前面已有2人获奖牌，银牌空缺"
    assert result.by_entry[7].explanation == ("第7名，得分699，未获奖牌；本人得分未达到优胜奖线700分 → 无奖项",)


def test_worldskills_no_vacancy_is_claimed_when_every_medal_was_given() -> None:
    result = run(ranked_field(["740", "730", "720", "710"]), WORLDSKILLS)
    assert [result.by_entry[i].value for i in (1, 2, 3)] == ["金牌", "银牌", "铜牌"]
    assert result.by_entry[3].explanation == ("第3名，得分720，列奖牌第3位 → 铜牌",)


def test_worldskills_a_silver_tie_leaves_only_bronze_vacant() -> None:
    result = run(ranked_field(["740", "730", "729", "720"]), WORLDSKILLS)
    assert [result.by_entry[i].value for i in (1, 2, 3, 4)] == ["金牌", "银牌", "银牌", "优胜奖"]
    assert not any("空缺" in s for i in (1, 2, 3) for s in result.by_entry[i].explanation)


def test_worldskills_three_way_gold_leaves_no_silver_and_no_bronze() -> None:
    awards = awards_of(run(ranked_field(["720", "719", "718", "710", "690"]), WORLDSKILLS))
    assert awards == {1: "金牌", 2: "金牌", 3: "金牌", 4: "优胜奖", 5: None}


def test_worldskills_margin_is_inclusive_and_anchored_at_the_best_mark() -> None:
    # 718 is exactly 2 below 720: gold. 716.5 is within 2 of 718 but not of 720: it is not
    # chained into the gold group and takes the 3rd medal position, bronze.
    awards = awards_of(run(ranked_field(["720", "718", "716.5", "716", "600"]), WORLDSKILLS))
    assert awards == {1: "金牌", 2: "金牌", 3: "铜牌", 4: "铜牌", 5: None}


def test_worldskills_without_a_margin_only_identical_marks_tie() -> None:
    rules = AwardRules(
        model=AwardModel.WORLDSKILLS, tiers=WORLDSKILLS.tiers, medallion="优胜奖", medal_tie_margin=Decimal(0)
    )
    awards = awards_of(run(ranked_field(["725", "724", "724", "701"]), rules))
    assert awards == {1: "金牌", 2: "银牌", 3: "银牌", 4: "优胜奖"}


def test_worldskills_medallion_goes_by_each_mark_not_by_a_shared_place() -> None:
    # places 4 and 4 are shared (a ranking on whole points), yet only the mark reaching 700 earns
    # the Medallion; a far lower place with 705 earns it too.
    standings = [
        *ranked_field(["760", "750", "740"]),
        standing(4, 4, "700.40", shared=True),
        standing(5, 4, "699.60", shared=True),
        standing(6, 6, "699.00"),
    ]
    awards = awards_of(run(standings, WORLDSKILLS))
    assert (awards[4], awards[5], awards[6]) == ("优胜奖", None, None)
    later = ranked_field(["760", "750", "740", "730", "720", "710", "705"])
    assert awards_of(run(later, WORLDSKILLS))[7] == "优胜奖"


def test_worldskills_unranked_and_pass_mark() -> None:
    rules = AwardRules(
        model=AwardModel.WORLDSKILLS,
        tiers=WORLDSKILLS.tiers,
        medallion="优胜奖",
        medal_tie_margin=Decimal(2),
        pass_mark=Decimal(500),
    )
    standings = [*ranked_field(["499"]), standing(2, None, None, withdrawn=True)]
    result = run(standings, rules)
    assert awards_of(result) == {1: None, 2: None}
    assert "低于合格线500分" in result.by_entry[1].explanation[-1]


def test_award_order() -> None:
    assert award_order(PERCENT_10_20_30) == ("一等奖", "二等奖", "三等奖", "优秀奖")
    assert award_order(MEDALS) == ("金牌", "银牌", "铜牌", "优胜奖")
    assert award_order(WORLDSKILLS) == ("金牌", "银牌", "铜牌", "优胜奖")


# --- properties -----------------------------------------------------------------------------


@st.composite
def groups(draw: st.DrawFn) -> list[Standing]:
    totals = draw(st.lists(st.integers(min_value=40, max_value=100), min_size=0, max_size=40))
    field = ranked_field(totals)
    unranked = draw(st.integers(min_value=0, max_value=3))
    return field + [standing(1000 + i, None, None, withdrawn=True) for i in range(unranked)]


@st.composite
def award_rules(draw: st.DrawFn) -> AwardRules:
    model = draw(st.sampled_from([AwardModel.PERCENTAGE, AwardModel.FIXED_COUNTS, AwardModel.MEDALS]))
    pass_mark = draw(st.one_of(st.none(), st.integers(min_value=40, max_value=100).map(Decimal)))
    merit = draw(st.sampled_from([None, "优秀奖"]))
    if model is AwardModel.PERCENTAGE:
        shares = draw(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=3))
        tiers = tuple(AwardTier(f"{i}等奖", share=Decimal(s) / 100) for i, s in enumerate(shares, start=1))
    elif model is AwardModel.FIXED_COUNTS:
        counts = draw(st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=3))
        tiers = tuple(AwardTier(f"{i}等奖", count=c) for i, c in enumerate(counts, start=1))
    else:
        tiers = MEDALS.tiers
    return AwardRules(
        model=model,
        tiers=tiers,
        quota_rounding=draw(st.sampled_from(list(QuotaRounding))),
        pass_mark=pass_mark,
        merit_award=merit,
        half_field_award="优胜奖" if model is AwardModel.MEDALS else None,
        half_field_inclusive=draw(st.booleans()),
    )


def cutoffs(rules: AwardRules, field_size: int) -> list[int]:
    """The cumulative cut-off of each tier, computed independently of the module."""
    result, total = [], 0
    for tier in rules.tiers:
        if rules.model is AwardModel.PERCENTAGE:
            assert tier.share is not None
            total += quota(field_size, tier.share, rules.quota_rounding)
        else:
            total += tier.count if tier.count is not None else 1
        result.append(total)
    return result


@given(groups(), award_rules())
def test_award_counts_never_exceed_the_quotas_except_all_qualify_ties(
    standings: list[Standing], rules: AwardRules
) -> None:
    ranked = sorted((s for s in standings if s.rank is not None), key=lambda s: s.rank or 0)
    awards = awards_of(run(standings, rules))
    for index, cutoff in enumerate(cutoffs(rules, len(ranked))):
        names = {t.name for t in rules.tiers[: index + 1]}
        awarded = sum(awards[s.entry.entry_id] in names for s in ranked)
        # the tie at the cut-off position may push the count over by its size minus one
        tied = [s for s in ranked if cutoff and s.rank == ranked[min(cutoff, len(ranked)) - 1].rank] if ranked else []
        assert awarded <= cutoff + max(len(tied) - 1, 0)
    decided = run(standings, rules, DECIDE)
    for index, cutoff in enumerate(cutoffs(rules, len(ranked))):
        names = {t.name for t in rules.tiers[: index + 1]}
        assert sum(o.value in names for o in decided.by_entry.values()) <= cutoff


def _worse_or_equal(rules: AwardRules, better: str | None, worse: str | None) -> bool:
    order = award_order(rules)
    position = {name: i for i, name in enumerate(order)}
    return position.get(better, len(order)) <= position.get(worse, len(order))  # type: ignore[arg-type]


@given(groups(), award_rules() | st.just(WORLDSKILLS), st.sampled_from(list(CutoffTiePolicy)))
def test_a_better_rank_never_gets_a_lower_award(
    standings: list[Standing], rules: AwardRules, policy: CutoffTiePolicy
) -> None:
    if rules.model is AwardModel.WORLDSKILLS:
        standings = ranked_field([(s.total or 0) * 8 for s in standings if s.rank is not None])
    result = run(standings, rules, policy)
    pending = {entry_id for flag in result.unresolved for entry_id in flag.entry_ids}
    ranked = [s for s in standings if s.rank is not None and s.entry.entry_id not in pending]
    for a in ranked:
        for b in ranked:
            if (a.rank or 0) < (b.rank or 0):
                better, worse = result.by_entry[a.entry.entry_id], result.by_entry[b.entry.entry_id]
                assert _worse_or_equal(rules, better.value, worse.value)


@given(groups(), award_rules() | st.just(WORLDSKILLS), st.sampled_from(list(CutoffTiePolicy)))
def test_unranked_entries_never_get_an_award(
    standings: list[Standing], rules: AwardRules, policy: CutoffTiePolicy
) -> None:
    result = run(standings, rules, policy)
    assert set(result.by_entry) == {s.entry.entry_id for s in standings}
    for s in standings:
        outcome = result.by_entry[s.entry.entry_id]
        assert outcome.explanation
        if s.rank is None:
            assert outcome.value is None
            assert outcome.explanation[0].startswith("未参加排名")
    for flag in result.unresolved:
        assert flag.context.startswith("cutoff:")
        assert len({result.by_entry[i].value for i in flag.entry_ids}) == 1
