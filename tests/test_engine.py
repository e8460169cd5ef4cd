"""The whole pipeline on worked examples computed by hand: marks → totals → ranks → awards,
titles, promotion — with the explanations a person reads."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from competition_app.domain.enums import EventKind, Level, PersonStatus, SkillLevel, TierClass
from competition_app.rules.engine import compute_event
from competition_app.rules.io import EntryInput, EventInput, EventResults, PastPromotion, PersonHistory, TieDecision
from competition_app.rules.presets import load_preset
from competition_app.worldskills.scheme import read_marking_scheme

D = Decimal
JINING_1 = load_preset("municipal_class_1_jining")
JINING_2 = load_preset("municipal_class_2_jining")
CIS = Path(__file__).parent / "fixtures" / "worldskills" / "wsuk_nationals_2024_web_development_cis.xlsx"


def entry(entry_id: int, name: str, theory: str, practical: tuple[str, ...], **kw: object) -> EntryInput:
    return EntryInput(
        entry_id=entry_id,
        name=name,
        group=str(kw.pop("group", "职工组")),
        marks={"理论知识": (D(theory),), "技能操作": tuple(D(m) for m in practical)},
        **kw,  # type: ignore[arg-type]
    )


def jining_event(*entries: EntryInput, tier_class: TierClass = TierClass.CLASS_1, **kw: object) -> EventInput:
    return EventInput(
        event_id=1, name="焊工", level=Level.MUNICIPAL, tier_class=tier_class, year=2026,
        competition_date=date(2026, 5, 20), entries=entries, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


# Hand computation (theory 30%, practical 70%, practical = mean of the middle three of five):
#   张伟 theory 90, practical 88 92 85 90 95 → middle 88 90 92 → 90    → 0.3×90 + 0.7×90    = 90.00
#   王芳 theory 80, practical 95 94 96 93 90 → middle 93 94 95 → 94    → 24 + 65.8           = 89.80
#   李娜 theory 95, practical 85 86 87 88 80 → middle 85 86 87 → 86    → 28.5 + 60.2         = 88.70
#   刘洋 theory 86, practical 88 87 89 86 90 → middle 87 88 89 → 88    → 25.8 + 61.6         = 87.40
#   陈静 theory 70, practical 80 80 81 79 82 → middle 80 80 81 → 80.333… → 21 + 56.2333…     = 77.23
#   杨磊 theory 50, practical 55 50 52 58 60 → middle 52 55 58 → 55    → 15 + 38.5           = 53.50 (< 60)
FIELD = (
    entry(1, "张伟", "90", ("88", "92", "85", "90", "95"), current_level=SkillLevel.LEVEL_4),
    entry(2, "王芳", "80", ("95", "94", "96", "93", "90"), current_level=SkillLevel.LEVEL_3),
    entry(3, "李娜", "95", ("85", "86", "87", "88", "80"), status=PersonStatus.STUDENT),
    entry(4, "刘洋", "86", ("88", "87", "89", "86", "90")),
    entry(5, "陈静", "70", ("80", "80", "81", "79", "82")),
    entry(6, "杨磊", "50", ("55", "50", "52", "58", "60")),
)


def by_name(results: EventResults) -> dict[str, object]:
    return {e.name: e for g in results.groups for e in g.entries}


def test_jining_class_1_worked_example() -> None:
    results = compute_event(jining_event(*FIELD), JINING_1)
    (group,) = results.groups
    assert [(e.name, e.total, e.rank) for e in group.entries] == [
        ("张伟", D("90.00"), 1), ("王芳", D("89.80"), 2), ("李娜", D("88.70"), 3),
        ("刘洋", D("87.40"), 4), ("陈静", D("77.23"), 5), ("杨磊", D("53.50"), 6),
    ]  # fmt: skip
    assert [e.award for e in group.entries] == ["一等奖", "二等奖", "二等奖", "三等奖", "三等奖", None]
    # 济宁 一类: the top three may apply for 济宁市技术能手 (seed 003 item 21) — the student too.
    assert [e.titles for e in group.entries] == [("济宁市技术能手",)] * 3 + [()] * 3
    # Promotion: one level above the current level; unknown level → 高级工.
    promotions = [e.promotion for e in group.entries[:4]]
    assert promotions == [SkillLevel.LEVEL_3, SkillLevel.LEVEL_2, SkillLevel.LEVEL_3, None]
    third = group.entries[2]
    assert third.explanation[0] == "总分88.70，本组第3名（共6人）"
    assert any("可申报济宁市技术能手" in sentence for sentence in third.explanation)
    last = group.entries[5]
    assert any("60" in sentence for sentence in last.explanation)  # below the pass mark: no award, and why
    assert results.unresolved_ties == ()


def test_jining_class_2_gives_the_title_to_first_place_only() -> None:
    results = compute_event(jining_event(*FIELD, tier_class=TierClass.CLASS_2), JINING_2)
    titled = [e.name for g in results.groups for e in g.entries if e.titles]
    assert titled == ["张伟"]


def test_a_tie_at_third_is_broken_by_practical_then_shared() -> None:
    # 李娜 and a newcomer both total 88.70: theory 95 + practical 86 vs theory 81 + practical 92.
    rival = entry(7, "赵敏", "85", ("92", "92", "92", "90", "95"))  # 25.5 + 0.7×92 = 89.90 → second, no tie
    same = entry(7, "赵敏", "95", ("86", "86", "86", "80", "90"))  # 28.5 + 60.2 = 88.70, practical 86
    results = compute_event(jining_event(*FIELD, same), JINING_1)
    people = by_name(results)
    assert people["李娜"].rank == people["赵敏"].rank == 3  # type: ignore[attr-defined]
    assert people["李娜"].shared_rank and people["赵敏"].titles == ("济宁市技术能手",)  # type: ignore[attr-defined]
    assert people["刘洋"].rank == 5  # type: ignore[attr-defined]  # 1-2-3-3-5: standard competition ranking
    untied = by_name(compute_event(jining_event(*FIELD, rival), JINING_1))
    assert untied["赵敏"].rank == 2  # type: ignore[attr-defined]


def test_groups_are_ranked_separately() -> None:
    students = [replace(e, entry_id=e.entry_id + 100, group="学生组") for e in FIELD[:3]]
    results = compute_event(jining_event(*FIELD, *students), JINING_1)
    assert [g.group for g in results.groups] == ["职工组", "学生组"]
    assert [e.rank for e in results.groups[1].entries] == [1, 2, 3]


def test_missing_marks_are_reported_and_not_ranked() -> None:
    incomplete = EntryInput(8, "孙丽", "职工组", marks={"理论知识": (D("99"),), "技能操作": (D("99"),) * 4})
    results = compute_event(jining_event(*FIELD, incomplete), JINING_1)
    sun = by_name(results)["孙丽"]
    assert sun.total is None and sun.rank is None and sun.award is None  # type: ignore[attr-defined]
    assert "缺失" in sun.explanation[0]  # type: ignore[attr-defined]
    assert [e.name for e in results.groups[0].entries][-1] == "孙丽"


def test_one_promotion_per_year_across_competitions() -> None:
    promoted_this_year = replace(FIELD[0], history=PersonHistory(promotions=(PastPromotion(2026, SkillLevel.LEVEL_4),)))
    results = compute_event(jining_event(promoted_this_year, *FIELD[1:]), JINING_1)
    zhang = by_name(results)["张伟"]
    assert zhang.promotion is None  # type: ignore[attr-defined]
    assert any("每人每年限晋升一次" in s for s in zhang.explanation)  # type: ignore[attr-defined]


def test_no_shared_places_flags_the_tie_until_a_decision_is_recorded() -> None:
    national = load_preset("national_comprehensive")
    twins = (
        entry(1, "甲", "90", ("90", "90", "90", "90", "90"), practical_seconds=D(3600)),
        entry(2, "乙", "90", ("90", "90", "90", "90", "90"), practical_seconds=D(3600)),
        entry(3, "丙", "80", ("80", "80", "80", "80", "80")),
    )
    event = EventInput(9, "数控车工", Level.NATIONAL, TierClass.COMPREHENSIVE, 2026, date(2026, 9, 1), entries=twins)
    flagged = compute_event(event, national)
    assert [flag.entry_ids for flag in flagged.unresolved_ties if flag.context == "rank"] == [(1, 2)]
    decided = compute_event(
        replace(event, decisions=(TieDecision("职工组", "rank", (2, 1), "裁判长 张三", "加赛结果"),)), national
    )
    ranks = {e.name: e.rank for g in decided.groups for e in g.entries}
    assert ranks == {"乙": 1, "甲": 2, "丙": 3}
    assert not [f for f in decided.unresolved_ties if f.context == "rank"]
    assert any("加赛结果" in s for g in decided.groups for e in g.entries if e.name == "乙" for s in e.explanation)


def test_a_small_group_is_warned_about_not_blocked() -> None:
    provincial = load_preset("provincial_class_1")
    event = EventInput(2, "电工", Level.PROVINCIAL, TierClass.CLASS_1, 2026, date(2026, 6, 1), entries=FIELD)
    results = compute_event(event, provincial)
    assert results.warnings and "30" in results.warnings[0]
    assert results.groups[0].entries[0].rank == 1


def test_team_event_members_share_their_team_place() -> None:
    pairs = tuple(
        replace(member, team_id=100 + index // 2) for index, member in enumerate(FIELD[:4])
    )  # teams: 100 = 张伟 + 王芳 (179.80), 101 = 李娜 + 刘洋 (176.10)
    event = jining_event(*pairs, kind=EventKind.TEAM, team_size=2)
    results = compute_event(event, JINING_1)
    ranks = {e.name: e.rank for g in results.groups for e in g.entries}
    assert ranks == {"张伟": 1, "王芳": 1, "李娜": 2, "刘洋": 2}
    awards = {e.name: e.award for g in results.groups for e in g.entries}
    assert awards["张伟"] == awards["王芳"] == "一等奖"


def test_worldskills_event_from_the_real_marking_scheme() -> None:
    scheme = read_marking_scheme(CIS)
    aspects = tuple(scheme.aspects())

    def marks(level: int) -> dict[str, tuple[Decimal, ...]]:
        # M aspects: full marks for the first `level` tenths of the scheme; J aspects: all judges give `level % 4`.
        out: dict[str, tuple[Decimal, ...]] = {}
        for index, aspect in enumerate(aspects):
            if aspect.type.value == "J":
                out[aspect.id] = (D(level % 4),) * 3
            else:
                out[aspect.id] = (aspect.max_mark if index % 10 < level else D(0),)
        return out

    rules = load_preset("worldskills")
    entries = tuple(EntryInput(entry_id=n, name=f"选手{n}", group="青年组", aspect_marks=marks(n)) for n in range(1, 8))
    event = EventInput(3, "网站技术", Level.WORLD, TierClass.NONE, 2026, date(2026, 9, 22), entries=entries)
    results = compute_event(event, rules, marking_scheme=scheme)
    ordered = results.groups[0].entries
    totals = [e.total for e in ordered]
    assert all(t is not None for t in totals)
    # Standardised: the median raw mark maps to 700 and the order is kept.
    assert sorted(totals, reverse=True) == totals  # type: ignore[type-var]
    assert D(700) in totals
    assert ordered[0].award == "金牌"
    medalists = {e.name for e in ordered if e.award in {"金牌", "银牌", "铜牌", "优胜奖"}}
    assert all(e.titles == ("全国技术能手",) for e in ordered if e.name in medalists)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100)), min_size=1, max_size=25), st.randoms())
def test_results_do_not_depend_on_input_order(marks: list[tuple[int, int]], rng: object) -> None:
    field = [
        EntryInput(i, f"选手{i}", "职工组", marks={"理论知识": (D(t),), "技能操作": (D(p),) * 5})
        for i, (t, p) in enumerate(marks)
    ]
    shuffled = list(field)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    first = compute_event(jining_event(*field), JINING_1)
    second = compute_event(jining_event(*shuffled), JINING_1)

    def outcome(results: EventResults) -> dict[int, tuple[object, ...]]:
        return {
            e.entry_id: (e.total, e.rank, e.award, e.titles, e.promotion) for g in results.groups for e in g.entries
        }

    assert outcome(first) == outcome(second)
    for result in (e for g in first.groups for e in g.entries):
        # Fixed counts 1/2/3 with a pass mark of 60: awards stay within the top six places
        # (ties at a cut-off all qualify), a winner who passes gets 一等奖, a fail gets nothing.
        if result.award:
            assert result.rank is not None and result.rank <= 6
            assert result.total is not None and result.total >= 60
        if result.rank == 1 and result.total is not None and result.total >= 60:
            assert result.award == "一等奖"


def test_a_panel_wider_than_the_threshold_is_explained_and_warned_about() -> None:
    components = JINING_1.scoring.components
    rules = replace(
        JINING_1,
        scoring=replace(
            JINING_1.scoring,
            components=tuple(replace(c, spread_threshold=Decimal(8)) if c.panel_size > 1 else c for c in components),
        ),
    )
    practical = next(c.name for c in components if c.panel_size > 1)
    results = compute_event(jining_event(*FIELD), rules)
    flagged = [e for g in results.groups for e in g.entries if any(c.flags for c in e.components)]
    # spreads: 张伟 95−85 = 10, 杨磊 60−50 = 10 (flagged); 李娜 88−80 = 8 is within; the rest less
    assert {e.name for e in flagged} == {"张伟", "杨磊"}
    for result in flagged:
        assert any(s.startswith(f"{practical}：裁判评分最高与最低相差") for s in result.explanation)
        assert any(w.startswith(f"{result.name}的{practical}：") for w in results.warnings)
    assert by_name(results)["张伟"].rank == 1  # flagged marks still count
