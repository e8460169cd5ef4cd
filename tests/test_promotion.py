"""Skill-level promotion (DOMAIN.md §5): every cited band, the yearly limit, the ladder cap."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from competition_app.domain.enums import Level, PersonStatus, SkillLevel, TierClass
from competition_app.rules.awards import arrow
from competition_app.rules.io import ComponentResult, Outcome, PastPromotion, PersonHistory, Standing
from competition_app.rules.model import PromotionBand, PromotionRules
from competition_app.rules.promotion import _find_band, ladder_index, promotion_for
from competition_app.rules.titles import eligible_titles
from tests.test_awards import standing
from tests.test_titles import NATIONAL_CLASS_1 as NATIONAL_CLASS_1_TITLE
from tests.test_titles import event

L = SkillLevel
MEDALS_AND_MEDALLION = ("金牌", "银牌", "铜牌", "优胜奖")

NATIONAL_CLASS_1 = PromotionRules(
    bands=(
        PromotionBand(L.LEVEL_2, from_rank=1, to_rank=5, holder_target=L.LEVEL_1),
        PromotionBand(L.LEVEL_3, from_rank=6, to_rank=20, holder_target=L.LEVEL_2),
    )
)
SKILLS_CHINA = PromotionRules(
    bands=(PromotionBand(L.LEVEL_2, requires_award=MEDALS_AND_MEDALLION, holder_target=L.LEVEL_1),)
)
WORLDSKILLS = PromotionRules(bands=(PromotionBand(L.LEVEL_1, requires_award=("金牌",)),))
SICHUAN = PromotionRules(bands=(PromotionBand(L.LEVEL_2, from_rank=1, to_rank=3, holder_target=L.LEVEL_1),))
TIANJIN = PromotionRules(
    bands=(
        PromotionBand(L.LEVEL_2, to_rank=10, student_target=L.LEVEL_3, tier_class=TierClass.CLASS_1),
        PromotionBand(L.LEVEL_3, to_rank=6, student_target=L.LEVEL_4, tier_class=TierClass.CLASS_2),
    )
)

NATIONAL_EVENT = event(Level.NATIONAL, TierClass.CLASS_1)


def promote(
    s: Standing,
    rules: PromotionRules,
    *,
    award: str | None = None,
    tier_class: TierClass = TierClass.CLASS_1,
    **kw: object,
) -> Outcome:
    return promotion_for(s, rules, event=event(Level.NATIONAL, tier_class), award=award, **kw)  # type: ignore[arg-type]


# --- 国家一类: ranks 1–5 → 技师 (技师 → 高级技师); ranks 6–20 → 高级工 (高级工 → 技师) ---------------------


@pytest.mark.parametrize("rank", [1, 2, 3, 4, 5])
def test_national_class_1_top_five_become_technicians(rank: int) -> None:
    assert promote(standing(1, rank, current_level=L.LEVEL_3), NATIONAL_CLASS_1).value == L.LEVEL_2.value


def test_national_class_1_explanations() -> None:
    assert promote(standing(1, 3, current_level=L.LEVEL_3), NATIONAL_CLASS_1).explanation == (
        "第3名，属第1–5名晋升档 → 晋升技师（二级）",
    )
    senior = promote(standing(1, 3, current_level=L.LEVEL_2), NATIONAL_CLASS_1)
    assert senior.value == L.LEVEL_1.value
    assert senior.explanation == (
        "第3名，属第1–5名晋升档",
        "现为技师（二级），已具备本档目标等级技师（二级），按规定适用更高一档 → 晋升高级技师（一级）",
    )


def test_national_class_1_ranks_six_to_twenty() -> None:
    assert promote(standing(1, 6, current_level=L.LEVEL_4), NATIONAL_CLASS_1).value == L.LEVEL_3.value
    assert promote(standing(1, 20), NATIONAL_CLASS_1).value == L.LEVEL_3.value  # unknown level: straight to 高级工
    assert promote(standing(1, 10, current_level=L.LEVEL_3), NATIONAL_CLASS_1).value == L.LEVEL_2.value
    already = promote(standing(1, 10, current_level=L.LEVEL_2), NATIONAL_CLASS_1)
    assert already.value is None
    assert already.explanation[-1] == "现为技师（二级），已达到或高于本档可晋升的等级（高级工（三级））→ 不晋升"


def test_outside_every_band() -> None:
    outcome = promote(standing(1, 21), NATIONAL_CLASS_1)
    assert outcome == Outcome(None, ("不在晋升范围（第1–5名；第6–20名）→ 不晋升",))


def test_a_student_at_rank_two_gets_no_title_but_may_be_promoted() -> None:
    student = standing(1, 2, status=PersonStatus.STUDENT, current_level=L.LEVEL_4)
    titles = eligible_titles(student, (NATIONAL_CLASS_1_TITLE,), event=NATIONAL_EVENT, award=None, field_size=30)
    assert titles == ()
    assert promote(student, NATIONAL_CLASS_1).value == L.LEVEL_2.value


def test_a_senior_technician_is_not_promoted_again() -> None:
    outcome = promote(standing(1, 1, current_level=L.LEVEL_1), NATIONAL_CLASS_1)
    assert outcome.value is None
    assert "现为高级技师（一级），已达到或高于本档可晋升的等级" in outcome.explanation[-1]


# --- 全国技能大赛, 世界技能大赛, 四川工匠杯 -------------------------------------------------------------


@pytest.mark.parametrize("award", MEDALS_AND_MEDALLION)
def test_skills_china_medallion_and_above_become_technicians(award: str) -> None:
    assert promote(standing(1, 9), SKILLS_CHINA, award=award).value == L.LEVEL_2.value


def test_skills_china_by_award_only() -> None:
    assert promote(standing(1, 1, current_level=L.LEVEL_2), SKILLS_CHINA, award="金牌").value == L.LEVEL_1.value
    outcome = promote(standing(1, 12), SKILLS_CHINA)
    assert outcome == Outcome(None, ("不在晋升范围（金牌、银牌、铜牌、优胜奖）→ 不晋升",))
    assert promote(standing(1, 9), SKILLS_CHINA, award="优胜奖").explanation == (
        "获优胜奖，属金牌、银牌、铜牌、优胜奖晋升档 → 晋升技师（二级）",
    )


def test_worldskills_gold_becomes_senior_technician() -> None:
    assert promote(standing(1, 1, current_level=L.LEVEL_3), WORLDSKILLS, award="金牌").value == L.LEVEL_1.value
    assert promote(standing(1, 2), WORLDSKILLS, award="银牌").value is None


def test_sichuan_individual_top_three() -> None:
    assert promote(standing(1, 3), SICHUAN).value == L.LEVEL_2.value
    assert promote(standing(1, 3, current_level=L.LEVEL_2), SICHUAN).value == L.LEVEL_1.value
    assert promote(standing(1, 4), SICHUAN).value is None


# --- 天津: workers and students, 一类 and 二类 -------------------------------------------------------


@pytest.mark.parametrize(
    ("tier_class", "rank", "status", "expected"),
    [
        (TierClass.CLASS_1, 10, PersonStatus.WORKER, L.LEVEL_2),
        (TierClass.CLASS_1, 10, PersonStatus.STUDENT, L.LEVEL_3),
        (TierClass.CLASS_1, 11, PersonStatus.WORKER, None),
        (TierClass.CLASS_2, 6, PersonStatus.WORKER, L.LEVEL_3),
        (TierClass.CLASS_2, 6, PersonStatus.STUDENT, L.LEVEL_4),
        (TierClass.CLASS_2, 7, PersonStatus.STUDENT, None),
    ],
)
def test_tianjin(tier_class: TierClass, rank: int, status: PersonStatus, expected: SkillLevel | None) -> None:
    outcome = promote(standing(1, rank, status=status), TIANJIN, tier_class=tier_class)
    assert outcome.value == (expected.value if expected else None)


def test_tianjin_student_explanation() -> None:
    outcome = promote(standing(1, 2, status=PersonStatus.STUDENT), TIANJIN)
    assert outcome.explanation == ("第2名，属第1–10名晋升档", "学生选手按学生档晋升 → 晋升高级工（三级）")


def test_scope_wording_when_no_band_covers_the_entry() -> None:
    first_only = PromotionRules(bands=(PromotionBand(L.LEVEL_3, from_rank=1, to_rank=1),))
    assert promote(standing(1, 2), first_only, award="二等奖").explanation == ("不在晋升范围（第1名）→ 不晋升",)
    other_class = promote(standing(1, 1), TIANJIN, tier_class=TierClass.NONE)
    assert other_class == Outcome(None, ("本类别竞赛未设晋升档 → 不晋升",))


def test_a_band_limited_to_some_statuses() -> None:
    rules = PromotionRules(bands=(PromotionBand(L.LEVEL_2, to_rank=3, statuses=frozenset({PersonStatus.WORKER})),))
    outcome = promote(standing(1, 1, status=PersonStatus.TEACHER), rules)
    assert outcome == Outcome(None, ("第1名，属第1–3名晋升档，但身份为教师，不适用该档 → 不晋升",))


# --- one per year, ladder cap, component pass ------------------------------------------------


def test_one_promotion_per_person_per_year() -> None:
    this_year = PersonHistory(promotions=(PastPromotion(2026, L.LEVEL_3),))
    outcome = promote(standing(1, 1, current_level=L.LEVEL_3, history=this_year), NATIONAL_CLASS_1)
    assert outcome.value is None
    assert outcome.explanation[-1] == "2026年已晋升过一次（高级工（三级）），每人每年限晋升一次 → 不晋升"
    last_year = PersonHistory(promotions=(PastPromotion(2025, L.LEVEL_3),))
    assert promote(standing(1, 1, current_level=L.LEVEL_3, history=last_year), NATIONAL_CLASS_1).value == "level_2"
    unlimited = PromotionRules(bands=NATIONAL_CLASS_1.bands, one_per_year=False)
    assert promote(standing(1, 1, current_level=L.LEVEL_3, history=this_year), unlimited).value == "level_2"


def test_never_beyond_the_ladder_top() -> None:
    rules = PromotionRules(bands=(PromotionBand(L.SPECIAL, to_rank=1),), ladder_top=L.LEVEL_1)
    capped = promote(standing(1, 1, current_level=L.LEVEL_2), rules)
    assert capped.value == L.LEVEL_1.value
    assert capped.explanation[-1] == "竞赛晋升最高至高级技师（一级）→ 晋升高级技师（一级）"
    assert promote(standing(1, 1, current_level=L.LEVEL_1), rules).value is None
    holder = PromotionRules(bands=(PromotionBand(L.LEVEL_2, to_rank=1, holder_target=L.SPECIAL),))
    assert promote(standing(1, 1, current_level=L.LEVEL_2), holder).value == L.LEVEL_1.value


def _components(theory: str | None, practical: str | None) -> tuple[ComponentResult, ...]:
    def one(name: str, value: str | None) -> ComponentResult:
        mark = Decimal(value) if value is not None else None
        return ComponentResult(name, mark, mark, missing_marks=0 if mark is not None else 1)

    return (one("理论知识", theory), one("技能操作", practical))


PASS_MARKS = {"理论知识": Decimal(60), "技能操作": Decimal(60)}


def test_promotion_needs_a_pass_in_every_component() -> None:
    rules = PromotionRules(bands=NATIONAL_CLASS_1.bands, requires_component_pass=True)
    passed = standing(1, 1, components=_components("60.00", "88.00"))
    assert promote(passed, rules, component_pass_marks=PASS_MARKS).value == L.LEVEL_2.value
    failed = standing(1, 1, components=_components("55.50", "88.00"))
    outcome = promote(failed, rules, component_pass_marks=PASS_MARKS)
    assert outcome.value is None
    assert outcome.explanation[-1] == "晋升要求各项成绩合格：理论知识55.50分，低于60分 → 不晋升"
    # without the setting, the component marks are not read
    assert promote(failed, NATIONAL_CLASS_1, component_pass_marks=PASS_MARKS).value == L.LEVEL_2.value


def test_a_missing_component_fails_the_pass_requirement() -> None:
    rules = PromotionRules(bands=NATIONAL_CLASS_1.bands, requires_component_pass=True)
    outcome = promote(standing(1, 1, components=_components("70", None)), rules, component_pass_marks=PASS_MARKS)
    assert outcome.value is None
    assert "缺少技能操作成绩" in outcome.explanation[-1]


def test_unranked_entries_are_never_promoted_and_no_bands_means_none() -> None:
    outcome = promote(standing(1, None, None, disqualified=True), NATIONAL_CLASS_1)
    assert outcome == Outcome(None, ("未参加排名（已取消比赛资格）→ 不晋升",))
    assert promote(standing(1, 1), PromotionRules()) == Outcome(None, ("本赛项不设晋升",))


# --- properties -----------------------------------------------------------------------------

LEVELS = list(SkillLevel)


@st.composite
def promotion_rules(draw: st.DrawFn) -> PromotionRules:
    bands = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        first = draw(st.integers(min_value=1, max_value=10))
        bands.append(
            PromotionBand(
                draw(st.sampled_from(LEVELS)),
                from_rank=first,
                to_rank=draw(st.none() | st.integers(min_value=first, max_value=25)),
                requires_award=draw(st.sampled_from([(), ("金牌",), ("金牌", "优胜奖")])),
                holder_target=draw(st.none() | st.sampled_from(LEVELS)),
                student_target=draw(st.none() | st.sampled_from(LEVELS)),
                tier_class=draw(st.none() | st.sampled_from(list(TierClass))),
            )
        )
    return PromotionRules(bands=tuple(bands), ladder_top=draw(st.sampled_from(LEVELS)))


@st.composite
def entries(draw: st.DrawFn) -> Standing:
    rank = draw(st.none() | st.integers(min_value=1, max_value=30))
    return standing(
        1,
        rank,
        "80.00" if rank else None,
        current_level=draw(st.none() | st.sampled_from(LEVELS)),
        status=draw(st.sampled_from(list(PersonStatus))),
        withdrawn=rank is None,
    )


@given(promotion_rules(), entries(), st.sampled_from([None, "金牌", "优胜奖"]), st.sampled_from(list(TierClass)))
def test_never_a_demotion_never_past_the_top_never_unranked(
    rules: PromotionRules, s: Standing, award: str | None, tier_class: TierClass
) -> None:
    outcome = promote(s, rules, award=award, tier_class=tier_class)
    assert outcome.explanation
    if s.rank is None:
        assert outcome.value is None
    if outcome.value is not None:
        target = SkillLevel(outcome.value)
        assert ladder_index(target) <= ladder_index(rules.ladder_top)
        current = s.entry.current_level
        if current is not None:
            assert ladder_index(target) > ladder_index(current)


# --- relative bands (济宁 "晋升一级") and team-size overrides (四川工匠杯) ------------------------------

JINING_ONE_UP = PromotionRules(
    bands=(PromotionBand(L.LEVEL_3, from_rank=1, to_rank=3, steps=1, tier_class=TierClass.CLASS_1),)
)


@pytest.mark.parametrize(
    ("current", "promoted"),
    [(L.LEVEL_5, L.LEVEL_4), (L.LEVEL_4, L.LEVEL_3), (L.LEVEL_3, L.LEVEL_2), (L.LEVEL_2, L.LEVEL_1)],
)
def test_a_relative_band_promotes_one_level_above_the_current(current: SkillLevel, promoted: SkillLevel) -> None:
    outcome = promote(standing(1, 2, current_level=current), JINING_ONE_UP)
    assert outcome.value == promoted.value
    assert "晋升1级" in outcome.explanation[-1]


def test_a_relative_band_uses_the_target_when_the_level_is_unknown_and_stops_at_the_top() -> None:
    assert promote(standing(1, 1), JINING_ONE_UP).value == L.LEVEL_3.value
    capped = promote(standing(1, 1, current_level=L.LEVEL_1), JINING_ONE_UP)
    assert capped.value is None
    assert "不再晋升" in capped.explanation[-1]


SICHUAN_TEAMS = PromotionRules(
    bands=(PromotionBand(L.LEVEL_2, to_rank=3, team_to_rank=((2, 2), (3, 1)), holder_target=L.LEVEL_1),)
)


@pytest.mark.parametrize(("team_size", "rank", "promoted"), [(2, 2, True), (2, 3, False), (3, 1, True), (3, 2, False)])
def test_team_size_overrides_the_last_promoted_rank(team_size: int, rank: int, promoted: bool) -> None:
    team_event = event(Level.PROVINCIAL, TierClass.CLASS_1, team_size=team_size)
    outcome = promotion_for(standing(1, rank, current_level=L.LEVEL_3), SICHUAN_TEAMS, event=team_event, award=None)
    assert (outcome.value == L.LEVEL_2.value) is promoted
    individual = promotion_for(
        standing(1, 3, current_level=L.LEVEL_3), SICHUAN_TEAMS, event=event(Level.PROVINCIAL, TierClass.CLASS_1),
        award=None,
    )  # fmt: skip
    assert individual.value == L.LEVEL_2.value


_AWARDS = ("金牌", "银牌", "一等奖", "优胜奖")
_band = st.builds(
    lambda first, span, awards, students_only, class_1_only, size_override: PromotionBand(
        L.LEVEL_3,
        from_rank=first,
        to_rank=None if span is None else first + span,
        requires_award=tuple(awards),
        statuses=(PersonStatus.STUDENT,) if students_only else (),
        tier_class=TierClass.CLASS_1 if class_1_only else None,
        team_to_rank=((2, first),) if size_override else (),
    ),
    st.integers(1, 8),
    st.none() | st.integers(0, 6),
    st.lists(st.sampled_from(_AWARDS), max_size=2, unique=True),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)


@given(
    bands=st.lists(_band, min_size=1, max_size=3),
    rank=st.integers(1, 25),
    award=st.none() | st.sampled_from(_AWARDS),
    student=st.booleans(),
    tier_class=st.sampled_from([TierClass.CLASS_1, TierClass.CLASS_2]),
    team_size=st.sampled_from([1, 2]),
)
def test_the_shared_outcome_past_every_band_agrees_with_the_band_search(
    *, bands: list[PromotionBand], rank: int, award: str | None, student: bool, tier_class: TierClass, team_size: int
) -> None:
    """Entries placed past every band share one outcome; it must be what the band search says."""
    rules = PromotionRules(bands=tuple(bands), one_per_year=False)
    status = PersonStatus.STUDENT if student else PersonStatus.WORKER
    s = standing(1, rank, status=status)
    ev = event(Level.PROVINCIAL, tier_class, team_size=team_size)
    searched = _find_band(rules, s, event=ev, award=award)
    outcome = promotion_for(s, rules, event=ev, award=award)
    if isinstance(searched, str):
        assert outcome == Outcome(None, (arrow(searched, "不晋升"),))
    else:
        assert outcome.explanation[0].startswith(searched[1])
