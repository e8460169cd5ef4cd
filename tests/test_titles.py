"""Titles (可申报荣誉称号) and designations (优秀选手), DOMAIN.md §4 and seed 003 items 7 and 21."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from competition_app.domain.enums import EventKind, Level, PersonStatus, TierClass
from competition_app.rules.designations import designation_reach, designations_for
from competition_app.rules.io import EventInput, Outcome, PersonHistory, Standing, TieDecision
from competition_app.rules.model import CutoffTiePolicy, DesignationRule, TitleRule
from competition_app.rules.titles import (
    TitleCutoffs,
    age_on,
    cutoff_ties,
    effective_top,
    eligible_titles,
    minimum_field_warning,
    title_assessments,
    title_reach,
)
from tests.test_awards import GROUP, ranked_field, standing

COMPETITION_DAY = date(2026, 5, 20)

JINING = (
    TitleRule("济宁市技术能手", top=3, tier_class=TierClass.CLASS_1, source="seed 003 item 21"),
    TitleRule("济宁市技术能手", top=1, tier_class=TierClass.CLASS_2, source="seed 003 item 21"),
)
NATIONAL_CLASS_1 = TitleRule(
    "全国技术能手", top=5, statuses=frozenset({PersonStatus.WORKER}), tier_class=TierClass.CLASS_1
)
SKILLS_CHINA = TitleRule("全国技术能手", top=5, team_top=((2, 3), (3, 2)))
WORLDSKILLS = TitleRule("全国技术能手", requires_award=("金牌", "银牌", "铜牌", "优胜奖"), exclude_holders=True)
YOUTH = TitleRule("青年岗位能手", top=10, max_age=35)
YANTAI = TitleRule("烟台市技术能手", top=2, min_age=18, max_age=50)


def event(
    level: Level = Level.MUNICIPAL,
    tier_class: TierClass = TierClass.CLASS_1,
    *,
    team_size: int = 1,
) -> EventInput:
    kind = EventKind.TEAM if team_size > 1 else EventKind.INDIVIDUAL
    return EventInput(
        event_id=1,
        name="焊工",
        level=level,
        tier_class=tier_class,
        year=2026,
        competition_date=COMPETITION_DAY,
        kind=kind,
        team_size=team_size,
    )


def titles(
    s: Standing,
    rules: tuple[TitleRule, ...] | TitleRule,
    ev: EventInput,
    award: str | None = None,
    cutoffs: TitleCutoffs | None = None,
) -> list[str | None]:
    rule_list = rules if isinstance(rules, tuple) else (rules,)
    return [o.value for o in eligible_titles(s, rule_list, event=ev, award=award, field_size=10, cutoffs=cutoffs)]


def why_not(s: Standing, rule: TitleRule, ev: EventInput, award: str | None = None) -> str:
    (outcome,) = title_assessments(s, (rule,), event=ev, award=award, field_size=10)
    assert outcome.value is None
    return outcome.explanation[0]


# --- 济宁 运河之星: 一类 top 3, 二类 first -------------------------------------------------------

TIE_AT_THIRD = ["95", "90", "85", "85", "80"]  # places 1-2-3-3-5


def test_jining_class_1_top_three_with_a_tie_at_third_gives_four() -> None:
    ev = event(tier_class=TierClass.CLASS_1)
    field = ranked_field(TIE_AT_THIRD)
    eligible = {s.entry.entry_id: titles(s, JINING, ev) for s in field}
    assert eligible == {
        1: ["济宁市技术能手"],
        2: ["济宁市技术能手"],
        3: ["济宁市技术能手"],
        4: ["济宁市技术能手"],
        5: [],
    }
    (outcome,) = eligible_titles(field[2], JINING, event=ev, award=None, field_size=5)
    assert outcome == Outcome("济宁市技术能手", ("第3名（市级一类竞赛前3名）→ 可申报济宁市技术能手",))


def test_jining_class_2_first_place_only() -> None:
    ev = event(tier_class=TierClass.CLASS_2)
    field = ranked_field(TIE_AT_THIRD)
    assert titles(field[0], JINING, ev) == ["济宁市技术能手"]
    assert eligible_titles(field[0], JINING, event=ev, award=None, field_size=5)[0].explanation == (
        "第1名（市级二类竞赛第一名）→ 可申报济宁市技术能手",
    )
    assert titles(field[1], JINING, ev) == []
    # only the 二类 rule concerns a 二类 event: one assessment, saying why not
    (assessment,) = title_assessments(field[1], JINING, event=ev, award=None, field_size=5)
    assert assessment == Outcome(None, ("第2名（共5人），未进入前1名 → 不可申报济宁市技术能手",))


def test_title_cutoff_tie_decide_flags_and_holds_back() -> None:
    ev = event(tier_class=TierClass.CLASS_1)
    field = ranked_field(TIE_AT_THIRD)
    assert cutoff_ties(field, JINING, event=ev, group=GROUP, policy=CutoffTiePolicy.ALL_QUALIFY) == TitleCutoffs()
    pending = cutoff_ties(field, JINING, event=ev, group=GROUP, policy=CutoffTiePolicy.DECIDE)
    (flag,) = pending.unresolved
    assert (flag.context, flag.entry_ids) == ("cutoff:济宁市技术能手", (3, 4))
    assert "选手3、选手4并列第3名" in flag.message
    assert titles(field[2], JINING, ev, cutoffs=pending) == titles(field[3], JINING, ev, cutoffs=pending) == []
    assert titles(field[1], JINING, ev, cutoffs=pending) == ["济宁市技术能手"]
    (held,) = title_assessments(field[2], JINING, event=ev, award=None, field_size=5, cutoffs=pending)
    assert "待裁定" in held.explanation[0]

    decision = TieDecision(GROUP, "cutoff:济宁市技术能手", (4, 3), decided_by="组委会", reason="实操成绩更高")
    decided = cutoff_ties(field, JINING, event=ev, group=GROUP, policy=CutoffTiePolicy.DECIDE, decisions=[decision])
    assert decided.unresolved == ()
    assert titles(field[3], JINING, ev, cutoffs=decided) == ["济宁市技术能手"]
    assert titles(field[2], JINING, ev, cutoffs=decided) == []
    (lost,) = title_assessments(field[2], JINING, event=ev, award=None, field_size=5, cutoffs=decided)
    assert "经裁定（组委会：实操成绩更高）列第4位，未进入前3名" in lost.explanation[0]


# --- 国家一类: top 5 with 职工 status ---------------------------------------------------------------


def test_national_class_1_top_five_workers_only() -> None:
    ev = event(Level.NATIONAL, TierClass.CLASS_1)
    student = standing(2, 2, status=PersonStatus.STUDENT)
    assert titles(student, NATIONAL_CLASS_1, ev) == []
    assert why_not(student, NATIONAL_CLASS_1, ev) == (
        "第2名（国家级一类竞赛前5名），身份为学生，不符合（限职工）→ 不可申报全国技术能手"
    )
    assert titles(standing(5, 5), NATIONAL_CLASS_1, ev) == ["全国技术能手"]
    assert titles(standing(6, 6), NATIONAL_CLASS_1, ev) == []
    # the rule is for 一类 events: a 二类 event is not concerned
    assert title_assessments(standing(1, 1), (NATIONAL_CLASS_1,), event=event(Level.NATIONAL, TierClass.CLASS_2),
                             award=None, field_size=10) == ()  # fmt: skip


# --- 全国技能大赛: individual top 5, 双人 top 3, 三人 top 2 -------------------------------------------


@pytest.mark.parametrize(("team_size", "top"), [(1, 5), (2, 3), (3, 2)])
def test_skills_china_top_by_team_size(team_size: int, top: int) -> None:
    ev = event(Level.NATIONAL, TierClass.COMPREHENSIVE, team_size=team_size)
    assert effective_top(SKILLS_CHINA, ev) == top
    assert titles(standing(1, top), SKILLS_CHINA, ev) == ["全国技术能手"]
    assert titles(standing(2, top + 1), SKILLS_CHINA, ev) == []


def test_skills_china_team_explanation() -> None:
    ev = event(Level.NATIONAL, TierClass.COMPREHENSIVE, team_size=2)
    (outcome,) = eligible_titles(standing(1, 3), (SKILLS_CHINA,), event=ev, award=None, field_size=10)
    assert outcome.explanation == ("第3名（国家级综合竞赛双人团体赛前3名）→ 可申报全国技术能手",)


def test_an_unlisted_team_size_falls_back_to_top() -> None:
    assert effective_top(SKILLS_CHINA, event(Level.NATIONAL, TierClass.COMPREHENSIVE, team_size=4)) == 5


# --- 世界技能大赛: any medal or Medallion, unless already a holder ---------------------------------


def test_worldskills_medal_or_medallion_unless_already_a_holder() -> None:
    ev = event(Level.WORLD, TierClass.NONE)
    assert titles(standing(1, 1), WORLDSKILLS, ev, award="金牌") == ["全国技术能手"]
    assert titles(standing(2, 9), WORLDSKILLS, ev, award="优胜奖") == ["全国技术能手"]
    (outcome,) = eligible_titles(standing(2, 9), (WORLDSKILLS,), event=ev, award="优胜奖", field_size=30)
    assert outcome.explanation == ("第9名，获优胜奖 → 可申报全国技术能手",)
    holder = standing(3, 2, history=PersonHistory(titles=("全国技术能手",)))
    assert titles(holder, WORLDSKILLS, ev, award="银牌") == []
    assert "已获全国技术能手称号，不再重复申报" in why_not(holder, WORLDSKILLS, ev, award="银牌")
    assert "未获奖，不在金牌、银牌、铜牌、优胜奖之列" in why_not(standing(4, 20), WORLDSKILLS, ev)


# --- conditions: age, pass mark, groups ----------------------------------------------------


@pytest.mark.parametrize(
    ("birth_date", "eligible"),
    [
        (date(1990, 5, 21), True),  # turns 36 the day after the competition: still 35
        (date(1990, 5, 20), False),  # 36 on the day
        (date(2000, 1, 1), True),
    ],
)
def test_age_limit_at_the_competition_date(birth_date: date, eligible: bool) -> None:
    s = standing(1, 3, birth_date=birth_date)
    assert titles(s, YOUTH, event()) == (["青年岗位能手"] if eligible else [])


def test_age_window_and_unknown_birth_date() -> None:
    ev = event()
    assert titles(standing(1, 1, birth_date=date(2008, 5, 21)), YANTAI, ev) == []  # 17
    assert "比赛日年龄17岁，不符合年龄条件（18–50岁）" in why_not(
        standing(1, 1, birth_date=date(2008, 5, 21)), YANTAI, ev
    )
    assert titles(standing(1, 1, birth_date=date(2008, 5, 20)), YANTAI, ev) == ["烟台市技术能手"]  # 18 today
    unknown = standing(1, 1, birth_date=None)
    assert titles(unknown, YANTAI, ev) == []
    assert "出生日期不详，无法核对年龄条件（18–50岁）" in why_not(unknown, YANTAI, ev)
    assert "出生日期不详，无法核对年龄条件（不超过35岁）" in why_not(unknown, YOUTH, ev)


def test_age_on() -> None:
    assert age_on(date(2000, 2, 29), date(2026, 2, 28)) == 25
    assert age_on(date(2000, 2, 29), date(2026, 3, 1)) == 26


def test_pass_mark_and_groups() -> None:
    rule = TitleRule("山东省技术能手", top=3, pass_mark=Decimal(60), groups=frozenset({"职工组"}))
    ev = event(Level.PROVINCIAL)
    assert titles(standing(1, 1, "60.00"), rule, ev) == ["山东省技术能手"]
    assert "总分59.50低于合格线60分" in why_not(standing(1, 1, "59.50"), rule, ev)
    assert "组别“学生组”不在适用范围（限职工组）" in why_not(standing(1, 1, group="学生组"), rule, ev)


def test_a_rule_without_a_place_condition() -> None:
    rule = TitleRule("参赛纪念", statuses=frozenset({PersonStatus.TEACHER}))
    assert titles(standing(1, 40, status=PersonStatus.TEACHER), rule, event()) == ["参赛纪念"]


def test_unranked_entries_get_no_title_and_say_why() -> None:
    withdrawn = standing(9, None, None, withdrawn=True)
    assert titles(withdrawn, JINING, event()) == []
    (assessment,) = title_assessments(withdrawn, JINING, event=event(), award=None, field_size=10)
    assert assessment.explanation == ("未参加排名（已退赛）→ 不可申报济宁市技术能手",)


def test_minimum_field_warning() -> None:
    assert minimum_field_warning(30, 30, "职工组") is None
    assert minimum_field_warning(12, None, "职工组") is None
    assert minimum_field_warning(12, 15, "学生组") == (
        "学生组参赛人数为12人，少于规定的最低15人，此类赛项通常应取消；结果照常计算，请核实"
    )


# --- 优秀选手 (seed 003 item 7) ----------------------------------------------------------------

OUTSTANDING = "优秀选手"
NATIONAL_DESIGNATIONS = (
    DesignationRule(OUTSTANDING, top=20, tier_class=TierClass.CLASS_1, source="seed 003 item 7"),
    DesignationRule(OUTSTANDING, top=15, tier_class=TierClass.CLASS_2, source="seed 003 item 7"),
)
PROVINCIAL_DESIGNATIONS = (
    DesignationRule(OUTSTANDING, top=5, tier_class=TierClass.CLASS_1),
    DesignationRule(OUTSTANDING, top=3, tier_class=TierClass.CLASS_2),
)
NATIONAL_VOCATIONAL = (DesignationRule(OUTSTANDING, awards=("一等奖", "二等奖")),)
PROVINCIAL_VOCATIONAL = (DesignationRule(OUTSTANDING, awards=("一等奖",)),)


@pytest.mark.parametrize(
    ("rules", "level", "tier_class", "last"),
    [
        (NATIONAL_DESIGNATIONS, Level.NATIONAL, TierClass.CLASS_1, 20),
        (NATIONAL_DESIGNATIONS, Level.NATIONAL, TierClass.CLASS_2, 15),
        (PROVINCIAL_DESIGNATIONS, Level.PROVINCIAL, TierClass.CLASS_1, 5),
        (PROVINCIAL_DESIGNATIONS, Level.PROVINCIAL, TierClass.CLASS_2, 3),
    ],
)
def test_outstanding_contestant_thresholds(
    rules: tuple[DesignationRule, ...], level: Level, tier_class: TierClass, last: int
) -> None:
    ev = event(level, tier_class)
    assert [o.value for o in designations_for(standing(1, last), rules, event=ev, award=None)] == [OUTSTANDING]
    assert designations_for(standing(2, last + 1), rules, event=ev, award=None) == ()


def test_outstanding_contestant_explanation() -> None:
    ev = event(Level.NATIONAL, TierClass.CLASS_1)
    (outcome,) = designations_for(standing(1, 12), NATIONAL_DESIGNATIONS, event=ev, award=None)
    assert outcome == Outcome(OUTSTANDING, ("第12名（国家级一类前20名）→ 优秀选手",))


@pytest.mark.parametrize(
    ("rules", "award", "designated"),
    [
        (NATIONAL_VOCATIONAL, "一等奖", True),
        (NATIONAL_VOCATIONAL, "二等奖", True),
        (NATIONAL_VOCATIONAL, "三等奖", False),
        (PROVINCIAL_VOCATIONAL, "一等奖", True),
        (PROVINCIAL_VOCATIONAL, "二等奖", False),
    ],
)
def test_vocational_college_prizes(rules: tuple[DesignationRule, ...], award: str, designated: bool) -> None:
    ev = event(Level.SCHOOL, TierClass.NONE)
    found = designations_for(standing(1, 30), rules, event=ev, award=award)
    assert [o.value for o in found] == ([OUTSTANDING] if designated else [])
    if designated:
        assert found[0].explanation == (f"获{award} → 优秀选手",)


def test_a_designation_is_reported_once_and_never_for_unranked_entries() -> None:
    rules = (*NATIONAL_DESIGNATIONS, *NATIONAL_VOCATIONAL)
    ev = event(Level.NATIONAL, TierClass.CLASS_1)
    assert len(designations_for(standing(1, 1), rules, event=ev, award="一等奖")) == 1
    assert designations_for(standing(2, None, None, withdrawn=True), rules, event=ev, award="一等奖") == ()


# --- properties -----------------------------------------------------------------------------

TITLE_RULES = (*JINING, NATIONAL_CLASS_1, SKILLS_CHINA, WORLDSKILLS, YOUTH)


@given(
    st.integers(min_value=1, max_value=40) | st.none(),
    st.sampled_from(list(TierClass)),
    st.sampled_from([None, "金牌", "一等奖", "优胜奖"]),
)
def test_no_title_or_designation_without_a_rank(rank: int | None, tier_class: TierClass, award: str | None) -> None:
    ev = event(Level.NATIONAL, tier_class)
    s = standing(1, rank, "80.00" if rank else None, birth_date=date(1995, 1, 1), withdrawn=rank is None)
    got = eligible_titles(s, TITLE_RULES, event=ev, award=award, field_size=40)
    designated = designations_for(s, (*NATIONAL_DESIGNATIONS, *NATIONAL_VOCATIONAL), event=ev, award=award)
    if rank is None:
        assert got == () and designated == ()
    for outcome in title_assessments(s, TITLE_RULES, event=ev, award=award, field_size=40):
        assert outcome.explanation


@given(st.lists(st.integers(min_value=50, max_value=100), min_size=1, max_size=30), st.sampled_from(list(TierClass)))
def test_a_better_place_is_never_less_eligible(totals: list[int], tier_class: TierClass) -> None:
    ev = event(Level.MUNICIPAL, tier_class)
    field = ranked_field(totals)
    eligible = {s.entry.entry_id: set(titles(s, JINING, ev)) for s in field}
    for a in field:
        for b in field:
            if (a.rank or 0) < (b.rank or 0):
                assert eligible[b.entry.entry_id] <= eligible[a.entry.entry_id]


_AWARD_NAMES = ("金牌", "一等奖", "优胜奖")
_title_rule = st.builds(
    TitleRule,
    st.sampled_from(["市技术能手", "全国技术能手"]),
    top=st.none() | st.integers(1, 10),
    team_top=st.sampled_from([(), ((2, 2),)]),
    requires_award=st.lists(st.sampled_from(_AWARD_NAMES), max_size=2, unique=True).map(tuple),
    tier_class=st.none() | st.sampled_from([TierClass.CLASS_1, TierClass.CLASS_2]),
)
_designation_rule = st.builds(
    DesignationRule,
    st.just("优秀选手"),
    top=st.none() | st.integers(1, 10),
    awards=st.lists(st.sampled_from(_AWARD_NAMES), max_size=2, unique=True).map(tuple),
    tier_class=st.none() | st.sampled_from([TierClass.CLASS_1, TierClass.CLASS_2]),
)


@given(
    titles=st.lists(_title_rule, max_size=3),
    designations=st.lists(_designation_rule, max_size=3),
    rank=st.integers(1, 15),
    award=st.none() | st.sampled_from(_AWARD_NAMES),
    team_size=st.sampled_from([1, 2]),
)
def test_entries_out_of_reach_earn_no_title_or_designation(
    *, titles: list[TitleRule], designations: list[DesignationRule], rank: int, award: str | None, team_size: int
) -> None:
    """The engine skips entries outside ``title_reach``/``designation_reach``: they must earn nothing."""
    ev = event(Level.PROVINCIAL, TierClass.CLASS_1, team_size=team_size)
    s = standing(1, rank)
    if not title_reach(titles, ev).covers(rank, award):
        assert eligible_titles(s, titles, event=ev, award=award, field_size=20) == ()
    if not designation_reach(designations, ev).covers(rank, award):
        assert designations_for(s, designations, event=ev, award=award) == ()
