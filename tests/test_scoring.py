"""Scoring (DOMAIN §2): judge panels, normalisation, weights and the half-up rounded total.

Every expected value below is worked out by hand in the comment beside it.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from competition_app.domain.enums import ComponentKind, PanelMethod
from competition_app.rules.io import ComponentResult, EntryInput
from competition_app.rules.model import ComponentRule, ScoringRules
from competition_app.rules.scoring import (
    PanelResult,
    _score_carefully,
    combine_panel,
    round_half_up,
    score_entry,
    validate_scoring_rules,
)

D = Decimal
THEORY = "理论知识"
PRACTICAL = "技能操作"
DEFENCE = "答辩"


def marks(*values: str) -> tuple[Decimal, ...]:
    return tuple(D(value) for value in values)


def entry(entry_marks: dict[str, tuple[Decimal, ...]], *, name: str = "张三", entry_id: int = 1) -> EntryInput:
    return EntryInput(entry_id=entry_id, name=name, group="职工组", marks=entry_marks)


def rules_30_70(*, practical_panel: PanelMethod = PanelMethod.SINGLE, panel_size: int = 1) -> ScoringRules:
    return ScoringRules(
        components=(
            ComponentRule(THEORY, ComponentKind.THEORY, D("0.3")),
            ComponentRule(PRACTICAL, ComponentKind.PRACTICAL, D("0.7"), panel=practical_panel, panel_size=panel_size),
        )
    )


def rules_25_55_20() -> ScoringRules:
    return ScoringRules(
        components=(
            ComponentRule(THEORY, ComponentKind.THEORY, D("0.25")),
            ComponentRule(PRACTICAL, ComponentKind.PRACTICAL, D("0.55"), panel=PanelMethod.TRIMMED_MEAN, panel_size=5),
            ComponentRule(DEFENCE, ComponentKind.DEFENCE, D("0.20"), panel=PanelMethod.MEAN, panel_size=3),
        )
    )


FIVE_JUDGES = marks("85", "90", "88", "70", "95")


# --- round_half_up --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        ("85.125", 2, "85.13"),  # a half goes up (banker's rounding would give 85.12)
        ("85.124", 2, "85.12"),
        ("85.135", 2, "85.14"),
        ("2.675", 2, "2.68"),  # as a float 2.675 is 2.67499…: exact Decimal is why this works
        ("85.1", 2, "85.10"),  # always exactly `decimals` places
        ("85.5", 0, "86"),
        ("84.5", 0, "85"),  # half-even would keep 84
        ("0", 2, "0.00"),
    ],
)
def test_round_half_up(value: str, decimals: int, expected: str) -> None:
    rounded = round_half_up(D(value), decimals)
    assert rounded == D(expected)
    assert str(rounded) == expected


def test_round_half_up_ignores_the_callers_decimal_context() -> None:
    with localcontext() as context:
        context.prec = 3  # would make 85.125 → 85.1 inside a careless quantize
        assert round_half_up(D("85.125"), 2) == D("85.13")


def test_round_half_up_refuses_negative_places() -> None:
    with pytest.raises(ValueError, match="小数位数不能为负数"):
        round_half_up(D("1.5"), -1)


# --- combine_panel --------------------------------------------------------------------------


def test_trimmed_mean_of_five_judges_drops_one_highest_and_one_lowest() -> None:
    # 85, 90, 88, 70, 95: drop 95 and 70; (85 + 88 + 90) / 3 = 263 / 3 = 87.666…
    panel = combine_panel(FIVE_JUDGES, PanelMethod.TRIMMED_MEAN, 5)
    assert panel.value is not None
    assert round_half_up(panel.value, 3) == D("87.667")
    assert abs(Fraction(panel.value) - Fraction(263, 3)) < Fraction(1, 10**40)  # kept at full precision
    assert panel.missing == 0
    assert panel.spread == D(25)  # 95 − 70


def test_trimmed_mean_drops_exactly_one_of_equal_extremes() -> None:
    # 90, 90, 80, 80, 85: drop one 90 and one 80; (90 + 85 + 80) / 3 = 85
    panel = combine_panel(marks("90", "90", "80", "80", "85"), PanelMethod.TRIMMED_MEAN, 5)
    assert panel == PanelResult(value=D(85), missing=0, spread=D(10))


def test_trimmed_mean_of_three_is_the_middle_mark() -> None:
    assert combine_panel(marks("60", "99", "75"), PanelMethod.TRIMMED_MEAN, 3).value == D(75)


def test_median_of_an_odd_panel_is_the_middle_mark() -> None:
    assert combine_panel(FIVE_JUDGES, PanelMethod.MEDIAN, 5).value == D(88)  # 70 85 [88] 90 95


def test_median_of_an_even_panel_averages_the_two_middle_marks() -> None:
    assert combine_panel(marks("80", "84", "90", "70"), PanelMethod.MEDIAN, 4).value == D(82)  # (80 + 84) / 2


def test_mean_panel() -> None:
    assert combine_panel(marks("80", "85", "91.5"), PanelMethod.MEAN, 3).value == D("85.5")  # 256.5 / 3


def test_single_mark() -> None:
    assert combine_panel(marks("77.5"), PanelMethod.SINGLE, 1) == PanelResult(value=D("77.5"), missing=0, spread=D(0))


def test_missing_marks_are_counted_not_zeroed() -> None:
    panel = combine_panel(marks("85", "90", "88"), PanelMethod.TRIMMED_MEAN, 5)
    assert panel == PanelResult(value=None, missing=2, spread=D(5))


def test_no_marks_at_all() -> None:
    assert combine_panel((), PanelMethod.MEAN, 3) == PanelResult(value=None, missing=3, spread=None)


def test_more_marks_than_judges_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"评分数量（6个）超过裁判人数（5人）"):
        combine_panel((*FIVE_JUDGES, D(80)), PanelMethod.TRIMMED_MEAN, 5)


@pytest.mark.parametrize(
    ("method", "size", "message"),
    [
        (PanelMethod.TRIMMED_MEAN, 2, "至少需要3名裁判"),
        (PanelMethod.SINGLE, 3, "单一评分只能有1名裁判"),
        (PanelMethod.MEAN, 0, "裁判人数至少为1人"),
        (PanelMethod.WORLDSKILLS, 3, "世赛评分模块"),
    ],
)
def test_unworkable_panels(method: PanelMethod, size: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        combine_panel((), method, size)


def test_a_float_mark_is_refused() -> None:
    with pytest.raises(ValueError, match="精确小数"):
        combine_panel((85.5,), PanelMethod.SINGLE, 1)  # type: ignore[arg-type]


# --- score_entry: worked totals -------------------------------------------------------------


def test_total_30_70_with_a_trimmed_practical() -> None:
    # theory 80 × 0.3 = 24; practical (85 + 88 + 90) / 3 = 87.666… × 0.7 = 61.3666…; 85.3666… → 85.37
    components, total = score_entry(
        entry({THEORY: marks("80"), PRACTICAL: FIVE_JUDGES}),
        rules_30_70(practical_panel=PanelMethod.TRIMMED_MEAN, panel_size=5),
    )
    assert total == D("85.37")
    assert str(total) == "85.37"
    assert [result.name for result in components] == [THEORY, PRACTICAL]
    assert components[0] == ComponentResult(name=THEORY, value=D(80), normalised=D(80))
    assert components[1].value is not None
    assert round_half_up(components[1].value, 3) == D("87.667")


def test_total_30_70_single_marks() -> None:
    # 78.5 × 0.3 = 23.55; 91 × 0.7 = 63.7; 87.25
    _, total = score_entry(entry({THEORY: marks("78.5"), PRACTICAL: marks("91")}), rules_30_70())
    assert total == D("87.25")


def test_total_25_55_20_with_trimmed_practical_and_mean_defence() -> None:
    # theory 78 × 0.25 = 19.5
    # practical 86 92 90 75 88: drop 92 and 75; (86 + 88 + 90) / 3 = 88 × 0.55 = 48.4
    # defence (80 + 85 + 87) / 3 = 84 × 0.20 = 16.8
    # 19.5 + 48.4 + 16.8 = 84.7 → 84.70
    components, total = score_entry(
        entry({THEORY: marks("78"), PRACTICAL: marks("86", "92", "90", "75", "88"), DEFENCE: marks("80", "85", "87")}),
        rules_25_55_20(),
    )
    assert total == D("84.70")
    assert str(total) == "84.70"
    assert [result.value for result in components] == [D(78), D(88), D(84)]


def test_a_total_of_exactly_85_125_rounds_up() -> None:
    # 85 × 0.25 = 21.25; 85.5 (all five judges) × 0.55 = 47.025; 84.25 × 0.20 = 16.85; 85.125 → 85.13
    _, total = score_entry(
        entry({THEORY: marks("85"), PRACTICAL: marks(*["85.5"] * 5), DEFENCE: marks(*["84.25"] * 3)}),
        rules_25_55_20(),
    )
    assert total == D("85.13")


def test_a_total_of_85_124_rounds_down() -> None:
    # 84.96 × 0.25 = 21.24; 85.5 × 0.55 = 47.025; 84.295 × 0.20 = 16.859; 85.124 → 85.12
    _, total = score_entry(
        entry({THEORY: marks("84.96"), PRACTICAL: marks(*["85.5"] * 5), DEFENCE: marks(*["84.295"] * 3)}),
        rules_25_55_20(),
    )
    assert total == D("85.12")


def test_a_third_that_lands_on_a_rounding_boundary_is_not_rounded_twice() -> None:
    # practical out of 30, mean of 3: (20.5 + 27.83 + 19.48) / 3 = 22.6033… → × 100 / 30 = 75.3444…
    # 75.3444… × 0.45 = 33.905 exactly; theory 70.6 × 0.55 = 38.83; 72.735 → 72.74.
    # Decimal division at 50 digits first gives 72.734999…9 and so 72.73: the total is exact instead.
    rules = ScoringRules(
        components=(
            ComponentRule(THEORY, ComponentKind.THEORY, D("0.55")),
            ComponentRule(
                PRACTICAL, ComponentKind.PRACTICAL, D("0.45"), max_score=D(30), panel=PanelMethod.MEAN, panel_size=3
            ),
        )
    )
    _, total = score_entry(entry({THEORY: marks("70.6"), PRACTICAL: marks("20.5", "27.83", "19.48")}), rules)
    assert total == D("72.74")


def test_components_are_normalised_to_100_points_before_weighting() -> None:
    # theory 40 of 50 → 80 × 0.3 = 24; practical 27 of 30 → 90 × 0.7 = 63; 87.00
    rules = ScoringRules(
        components=(
            ComponentRule(THEORY, ComponentKind.THEORY, D("0.3"), max_score=D(50)),
            ComponentRule(PRACTICAL, ComponentKind.PRACTICAL, D("0.7"), max_score=D(30)),
        )
    )
    components, total = score_entry(entry({THEORY: marks("40"), PRACTICAL: marks("27")}), rules)
    assert [(result.value, result.normalised) for result in components] == [(D(40), D(80)), (D(27), D(90))]
    assert total == D("87.00")


def test_total_decimals_come_from_the_rules() -> None:
    # 78.5 × 0.3 + 91 × 0.7 = 87.25 → 87.3 at one place
    rules = ScoringRules(components=rules_30_70().components, decimals=1)
    _, total = score_entry(entry({THEORY: marks("78.5"), PRACTICAL: marks("91")}), rules)
    assert str(total) == "87.3"


def test_scoring_ignores_the_callers_decimal_context() -> None:
    scored = score_entry(
        entry({THEORY: marks("80"), PRACTICAL: FIVE_JUDGES}),
        rules_30_70(practical_panel=PanelMethod.TRIMMED_MEAN, panel_size=5),
    )
    with localcontext() as context:
        context.prec = 4
        assert (
            score_entry(
                entry({THEORY: marks("80"), PRACTICAL: FIVE_JUDGES}),
                rules_30_70(practical_panel=PanelMethod.TRIMMED_MEAN, panel_size=5),
            )
            == scored
        )


# --- score_entry: missing marks -------------------------------------------------------------


def test_a_missing_judge_leaves_the_total_empty_and_says_how_many() -> None:
    components, total = score_entry(
        entry({THEORY: marks("80"), PRACTICAL: marks("85", "90", "88", "70")}),
        rules_30_70(practical_panel=PanelMethod.TRIMMED_MEAN, panel_size=5),
    )
    assert total is None
    assert components[0].normalised == D(80)  # the theory is still reported
    assert components[1] == ComponentResult(name=PRACTICAL, value=None, normalised=None, missing_marks=1)


def test_an_absent_component_misses_its_whole_panel() -> None:
    components, total = score_entry(
        entry({THEORY: marks("100")}), rules_30_70(practical_panel=PanelMethod.TRIMMED_MEAN, panel_size=5)
    )
    assert total is None  # not 30.00, which a zero practical would give
    assert components[1].missing_marks == 5


# --- score_entry: refusals ------------------------------------------------------------------


@pytest.mark.parametrize("mark", ["100.5", "-1", "NaN"])
def test_a_mark_outside_the_range_names_the_entry_and_component(mark: str) -> None:
    with pytest.raises(ValueError, match=r"李四（编号7）的“技能操作”评分.*超出范围（0～100）"):
        score_entry(entry({THEORY: marks("80"), PRACTICAL: marks(mark)}, name="李四", entry_id=7), rules_30_70())


def test_the_range_is_the_components_own_maximum() -> None:
    rules = ScoringRules(
        components=(
            ComponentRule(THEORY, ComponentKind.THEORY, D("0.3"), max_score=D(50)),
            ComponentRule(PRACTICAL, ComponentKind.PRACTICAL, D("0.7")),
        )
    )
    with pytest.raises(ValueError, match=r"“理论知识”评分51超出范围（0～50）"):
        score_entry(entry({THEORY: marks("51"), PRACTICAL: marks("80")}), rules)


def test_too_many_marks_names_the_entry_and_component() -> None:
    with pytest.raises(ValueError, match=r"张三（编号1）的“技能操作”：评分数量（6个）超过裁判人数（5人）"):
        score_entry(
            entry({THEORY: marks("80"), PRACTICAL: (*FIVE_JUDGES, D(80))}),
            rules_30_70(practical_panel=PanelMethod.TRIMMED_MEAN, panel_size=5),
        )


def test_marks_for_an_unknown_component_are_refused() -> None:
    with pytest.raises(ValueError, match="评分规则中没有评分项“实操”"):
        score_entry(entry({THEORY: marks("80"), "实操": marks("80")}), rules_30_70())


def test_a_float_mark_is_refused_by_score_entry() -> None:
    with pytest.raises(ValueError, match="张三（编号1）的“理论知识”：评分必须是精确小数"):
        score_entry(entry({THEORY: (80.0,), PRACTICAL: marks("80")}), rules_30_70())  # type: ignore[dict-item]


def test_a_non_decimal_judge_mark_in_a_panel_is_refused() -> None:
    with pytest.raises(ValueError, match="张三（编号1）的“技能操作”：评分必须是精确小数（Decimal），收到int"):
        score_entry(
            entry({THEORY: marks("80"), PRACTICAL: (D(85), D(90), 88, D(70), D(95))}),  # type: ignore[dict-item]
            rules_30_70(practical_panel=PanelMethod.TRIMMED_MEAN, panel_size=5),
        )


def test_a_nan_mark_is_refused_even_where_the_caller_does_not_trap_it() -> None:
    with localcontext() as context:
        context.traps[InvalidOperation] = False
        for panel_marks in (marks("NaN"), marks("85", "NaN", "88", "70", "95")):
            with pytest.raises(ValueError, match="超出范围"):
                score_entry(
                    entry({THEORY: marks("80"), PRACTICAL: panel_marks}),
                    rules_30_70(practical_panel=PanelMethod.TRIMMED_MEAN, panel_size=len(panel_marks))
                    if len(panel_marks) > 1
                    else rules_30_70(),
                )


# --- many entries under one rules value -------------------------------------------------------


def test_marks_written_differently_keep_their_own_form() -> None:
    # 80 and 80.0 are equal, but each result shows the mark as it was written, however many
    # entries the same rules have already scored.
    rules = rules_30_70(practical_panel=PanelMethod.TRIMMED_MEAN, panel_size=5)
    forms = []
    for theory, practical in [("80", "88"), ("80.0", "88.0"), ("80", "88"), ("80.0", "88.0")]:
        components, total = score_entry(entry({THEORY: marks(theory), PRACTICAL: marks(*[practical] * 5)}), rules)
        forms.append((str(components[0].value), str(components[1].value), str(total)))
    assert forms == [("80", "88", "85.60"), ("80.0", "88.0", "85.60")] * 2


def test_equal_rules_written_differently_keep_their_own_maxima() -> None:
    # Maxima of 100 and of 1E+2 make equal rules, but normalise 87 to 87 and to 87.00
    # (87 × 100 / 1E+2: the quotient keeps the places the exponents give it).
    def out_of(maximum: str) -> ScoringRules:
        return ScoringRules(components=(ComponentRule(THEORY, ComponentKind.THEORY, D(1), max_score=D(maximum)),))

    plain, two_places = out_of("100"), out_of("1E+2")
    assert plain == two_places
    for rules, shown in [(plain, "87"), (two_places, "87.00"), (plain, "87")]:
        components, _ = score_entry(entry({THEORY: marks("87")}), rules)
        assert str(components[0].normalised) == shown


def test_a_batch_of_entries_scores_each_as_alone() -> None:
    # The same marks in every order and with one entry short of a judge in between: each entry's
    # results equal those of a fresh copy of the rules that has scored nothing else.
    rules = rules_25_55_20()
    batch = [
        {THEORY: marks("78"), PRACTICAL: marks("86", "92", "90", "75", "88"), DEFENCE: marks("80", "85", "87")},
        {THEORY: marks("78"), PRACTICAL: marks("88", "90", "86", "92", "75"), DEFENCE: marks("87", "85", "80")},
        {THEORY: marks("78"), PRACTICAL: marks("86", "92", "90", "75"), DEFENCE: marks("80", "85", "87")},
        {THEORY: marks("85"), PRACTICAL: marks(*["85.5"] * 5), DEFENCE: marks(*["84.25"] * 3)},
        {THEORY: marks("78.00"), PRACTICAL: marks("86.0", "92", "90", "75", "88"), DEFENCE: marks("80", "85", "87")},
    ]
    scored = [score_entry(entry(entry_marks), rules) for entry_marks in batch]
    alone = [score_entry(entry(entry_marks), rules_25_55_20()) for entry_marks in batch]
    assert [[(str(c.value), str(c.normalised), c.missing_marks) for c in components] for components, _ in scored] == [
        [(str(c.value), str(c.normalised), c.missing_marks) for c in components] for components, _ in alone
    ]
    assert [str(total) for _, total in scored] == ["84.70", "84.70", "None", "85.13", "84.70"]


# --- weights and rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "weights",
    [("0.3", "0.7"), ("0.4", "0.6"), ("0.25", "0.55", "0.20"), ("0.1", "0.2", "0.7")],
)
def test_weights_summing_to_one_are_accepted(weights: tuple[str, ...]) -> None:
    validate_scoring_rules(
        ScoringRules(
            components=tuple(ComponentRule(f"项{i}", ComponentKind.OTHER, D(w)) for i, w in enumerate(weights))
        )
    )


@pytest.mark.parametrize(
    ("weights", "shown"),
    [(("0.3", "0.6"), "0.9"), (("0.25", "0.55", "0.25"), "1.05"), ((), "0")],
)
def test_weights_not_summing_to_one_are_refused(weights: tuple[str, ...], shown: str) -> None:
    rules = ScoringRules(
        components=tuple(ComponentRule(f"项{i}", ComponentKind.OTHER, D(w)) for i, w in enumerate(weights))
    )
    with pytest.raises(ValueError, match=f"各评分项权重之和应为1，实际为{shown}"):
        validate_scoring_rules(rules)
    with pytest.raises(ValueError, match="权重之和应为1"):
        score_entry(entry({}), rules)


@pytest.mark.parametrize(
    ("components", "message"),
    [
        (
            (
                ComponentRule(THEORY, ComponentKind.THEORY, D("0.5")),
                ComponentRule(THEORY, ComponentKind.PRACTICAL, D("0.5")),
            ),
            "评分项名称重复：理论知识",
        ),
        (
            (
                ComponentRule(THEORY, ComponentKind.THEORY, D("-0.5")),
                ComponentRule(PRACTICAL, ComponentKind.PRACTICAL, D("1.5")),
            ),
            "权重应在0到1之间",
        ),
        ((ComponentRule(THEORY, ComponentKind.THEORY, D(1), max_score=D(0)),), "满分应大于0"),
        (
            (ComponentRule(PRACTICAL, ComponentKind.PRACTICAL, D(1), panel=PanelMethod.TRIMMED_MEAN, panel_size=2),),
            "评分项“技能操作”：去掉最高分和最低分后平均至少需要3名裁判",
        ),
    ],
)
def test_unworkable_rules_are_refused(components: tuple[ComponentRule, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_scoring_rules(ScoringRules(components=components))


# --- WorldSkills components and precomputed values ------------------------------------------


def worldskills_rules() -> ScoringRules:
    return ScoringRules(
        components=(
            ComponentRule(THEORY, ComponentKind.THEORY, D("0.2")),
            ComponentRule("世赛模块", ComponentKind.PRACTICAL, D("0.8"), panel=PanelMethod.WORLDSKILLS),
        )
    )


def test_a_worldskills_component_without_a_supplied_value_is_missing() -> None:
    components, total = score_entry(entry({THEORY: marks("90")}), worldskills_rules())
    assert total is None
    assert components[1].value is None
    assert components[1].missing_marks == 1
    assert components[1].flags == ("世赛评分项，成绩尚未由世赛评分模块提供",)


def test_a_worldskills_component_takes_the_supplied_value() -> None:
    # 90 × 0.2 = 18; 72.5 × 0.8 = 58; 76.00
    components, total = score_entry(entry({THEORY: marks("90")}), worldskills_rules(), {"世赛模块": D("72.5")})
    assert total == D("76.00")
    assert components[1] == ComponentResult(name="世赛模块", value=D("72.5"), normalised=D("72.5"))


def test_judges_marks_cannot_be_keyed_for_a_worldskills_component() -> None:
    with pytest.raises(ValueError, match="世赛评分项“世赛模块”的成绩由世赛评分模块计算后提供"):
        score_entry(entry({THEORY: marks("90"), "世赛模块": marks("70")}), worldskills_rules())


def test_a_supplied_value_replaces_the_marks_of_any_component() -> None:
    # theory supplied 60 (marks 80 ignored) × 0.3 = 18; 90 × 0.7 = 63; 81.00
    _, total = score_entry(entry({THEORY: marks("80"), PRACTICAL: marks("90")}), rules_30_70(), {THEORY: D(60)})
    assert total == D("81.00")


def test_a_supplied_value_is_range_checked() -> None:
    with pytest.raises(ValueError, match=r"“世赛模块”评分100.5超出范围"):
        score_entry(entry({THEORY: marks("90")}), worldskills_rules(), {"世赛模块": D("100.5")})


def test_a_supplied_value_for_an_unknown_component_is_refused() -> None:
    with pytest.raises(ValueError, match="评分规则中没有评分项“世赛”"):
        score_entry(entry({THEORY: marks("90")}), worldskills_rules(), {"世赛": D(70)})


# --- properties -----------------------------------------------------------------------------

PANELS = st.sampled_from(
    [
        (PanelMethod.SINGLE, 1),
        (PanelMethod.MEAN, 2),
        (PanelMethod.MEAN, 3),
        (PanelMethod.MEAN, 7),
        (PanelMethod.TRIMMED_MEAN, 3),
        (PanelMethod.TRIMMED_MEAN, 5),
        (PanelMethod.TRIMMED_MEAN, 7),
        (PanelMethod.MEDIAN, 4),
        (PanelMethod.MEDIAN, 5),
    ]
)
MAXIMA = st.sampled_from([D(10), D(20), D(30), D(50), D(60), D(100), D(150)])


@st.composite
def weights_summing_to_one(draw: st.DrawFn) -> tuple[Decimal, ...]:
    """1–4 weights in hundredths that add up to exactly 1."""
    count = draw(st.integers(1, 4))
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=count - 1, max_size=count - 1)))
    hundredths = [upper - lower for lower, upper in zip([0, *cuts], [*cuts, 100], strict=True)]
    return tuple(D(part).scaleb(-2) for part in hundredths)


@st.composite
def scored_cases(draw: st.DrawFn) -> tuple[ScoringRules, EntryInput]:
    weights = draw(weights_summing_to_one())
    components = []
    entry_marks: dict[str, tuple[Decimal, ...]] = {}
    for index, weight in enumerate(weights):
        panel, size = draw(PANELS)
        maximum = draw(MAXIMA)
        name = f"项{index}"
        components.append(
            ComponentRule(name, ComponentKind.OTHER, weight, max_score=maximum, panel=panel, panel_size=size)
        )
        hundredths = st.integers(0, int(maximum) * 100).map(lambda n: D(n).scaleb(-2))
        entry_marks[name] = tuple(draw(st.lists(hundredths, min_size=size, max_size=size)))
    rules = ScoringRules(components=tuple(components), decimals=draw(st.integers(0, 3)))
    return rules, entry(entry_marks)


def hand_total(rules: ScoringRules, scored: EntryInput) -> Decimal:
    """Σ weight × panel × 100 / max in exact fractions, rounded half-up with integers."""
    total = Fraction(0)
    for component in rules.components:
        ordered = sorted(Fraction(mark) for mark in scored.marks[component.name])
        if component.panel is PanelMethod.TRIMMED_MEAN:
            ordered = ordered[1:-1]
        if component.panel is PanelMethod.MEDIAN:
            n = len(ordered)
            ordered = [ordered[n // 2]] if n % 2 else [ordered[n // 2 - 1], ordered[n // 2]]
        panel = sum(ordered, Fraction(0)) / len(ordered)
        total += Fraction(component.weight) * panel * 100 / Fraction(component.max_score)
    units = total * 10**rules.decimals
    whole = units.numerator // units.denominator
    if units - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole).scaleb(-rules.decimals)


@settings(deadline=None)
@given(scored_cases())
def test_totals_are_exact_decimals_equal_to_the_hand_formula(case: tuple[ScoringRules, EntryInput]) -> None:
    rules, scored = case
    _, total = score_entry(scored, rules)
    assert isinstance(total, Decimal)
    assert total == hand_total(rules, scored)
    exponent = total.as_tuple().exponent
    assert isinstance(exponent, int)
    assert exponent == -rules.decimals  # exactly `decimals` places, as printed on the sheet


@settings(deadline=None)
@given(scored_cases(), st.data())
def test_a_missing_mark_always_empties_the_total(case: tuple[ScoringRules, EntryInput], data: st.DataObject) -> None:
    rules, scored = case
    component = data.draw(st.sampled_from(rules.components))
    fewer = data.draw(st.integers(0, component.panel_size - 1))
    short = dict(scored.marks)
    short[component.name] = short[component.name][:fewer]
    components, total = score_entry(entry(short), rules)
    assert total is None
    missing = next(result for result in components if result.name == component.name)
    assert missing.value is None
    assert missing.missing_marks == component.panel_size - fewer


@given(st.lists(st.integers(0, 10_000).map(lambda n: D(n).scaleb(-2)), min_size=3, max_size=9))
def test_panel_values_lie_between_the_lowest_and_highest_mark(panel_marks: list[Decimal]) -> None:
    for method in (PanelMethod.MEAN, PanelMethod.TRIMMED_MEAN, PanelMethod.MEDIAN):
        panel = combine_panel(panel_marks, method, len(panel_marks))
        assert panel.value is not None
        assert min(panel_marks) <= panel.value <= max(panel_marks)
        assert panel.spread == max(panel_marks) - min(panel_marks)


@settings(deadline=None)
@given(scored_cases(), st.sampled_from([None, 1, 2]), st.data())
def test_the_fast_path_gives_what_the_careful_path_gives(
    case: tuple[ScoringRules, EntryInput], rewrite: int | None, data: st.DataObject
) -> None:
    # Scoring takes a short cut for complete, in-range marks (see the module's notes); the
    # step-by-step path must agree to the last digit and the way each value is written.
    rules, scored = case
    if rewrite is not None:  # the same values written another way: 80 → 80.000 / 8E+1 …
        scored = entry(
            {
                name: tuple(
                    mark.quantize(D(1).scaleb(-2 - rewrite)) if data.draw(st.booleans()) else mark.normalize()
                    for mark in given
                )
                for name, given in scored.marks.items()
            }
        )
    fast = score_entry(scored, rules)
    assert fast == _score_carefully(scored, rules, {})
    assert [(str(c.value), str(c.normalised)) for c in fast[0]] == [
        (str(c.value), str(c.normalised)) for c in _score_carefully(scored, rules, {})[0]
    ]


SPREAD_RULES = ScoringRules(
    components=(
        ComponentRule("理论知识", ComponentKind.THEORY, D("0.3")),
        ComponentRule(
            "技能操作", ComponentKind.PRACTICAL, D("0.7"), panel=PanelMethod.TRIMMED_MEAN, panel_size=5,
            spread_threshold=D(10),
        ),
    )
)  # fmt: skip


def test_a_panel_wider_than_the_threshold_is_flagged_and_still_counts() -> None:
    wide = entry({"理论知识": (D(80),), "技能操作": (D(70), D(80), D("80.5"), D(81), D(90))})
    components, total = score_entry(wide, SPREAD_RULES)
    practical = components[1]
    assert practical.flags == ("裁判评分最高与最低相差20分，超过10分，需复核",)
    assert practical.value == D("80.5")  # trimmed mean of 80, 80.5, 81
    assert total == D("80.35")  # 0.3 × 80 + 0.7 × 80.5


@pytest.mark.parametrize("highest", ["80", "90"])
def test_a_panel_within_the_threshold_is_not_flagged(highest: str) -> None:
    within = entry({"理论知识": (D(80),), "技能操作": (D(80), D(80), D(80), D(80), D(highest))})
    components, _ = score_entry(within, SPREAD_RULES)
    assert components[1].flags == ()  # a spread of exactly 10 is within


@settings(deadline=None)
@given(st.lists(st.integers(0, 100).map(D), min_size=5, max_size=5), st.integers(1, 40).map(D))
def test_the_fast_path_flags_what_the_careful_path_flags(practical: list[Decimal], threshold: Decimal) -> None:
    rules = ScoringRules(
        components=(
            ComponentRule("理论知识", ComponentKind.THEORY, D("0.3")),
            replace(SPREAD_RULES.components[1], spread_threshold=threshold),
        )
    )
    scored = entry({"理论知识": (D(75),), "技能操作": tuple(practical)})
    fast = score_entry(scored, rules)
    assert fast == _score_carefully(scored, rules, {})
    assert bool(fast[0][1].flags) == (max(practical) - min(practical) > threshold)
