"""What a judge may type into a score cell, and the plausibility flags (pure, no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from competition_app.domain.marks import (
    Flag,
    FlagKind,
    MarkError,
    format_duration,
    judgement_spread,
    panel_spread,
    parse_duration,
    parse_judgement,
    parse_mark,
    pattern_outliers,
    plain,
    time_flag,
)

D = Decimal

# --- parse_mark -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("85", D(85)),
        ("85.5", D("85.5")),
        (" 85.5 ", D("85.5")),
        ("８５．５", D("85.5")),  # full-width digits from a Chinese input method
        ("85。5", D("85.5")),  # 。 typed for the decimal point
        ("0", D(0)),
        ("100", D(100)),
        ("85.50", D("85.5")),  # a trailing zero is not an extra decimal place
        (".5", D("0.5")),
        ("85.", D(85)),
    ],
)
def test_parse_mark_accepts(text: str, expected: Decimal) -> None:
    assert parse_mark(text, D(100), 1) == expected


@pytest.mark.parametrize(
    ("text", "maximum", "decimals", "reason"),
    [
        ("", D(100), 1, "请输入分数"),
        ("   ", D(100), 1, "请输入分数"),
        ("abc", D(100), 1, "“abc”不是数字"),
        ("8 5", D(100), 1, "不是数字"),
        ("1e2", D(100), 1, "不是数字"),
        ("NaN", D(100), 1, "不是数字"),
        ("-5", D(100), 1, "分数不能为负数：-5"),
        ("－５", D(100), 1, "分数不能为负数"),
        ("-.5", D(100), 1, "分数不能为负数"),
        ("100.5", D(100), 1, "100.5 超出范围：本项满分 100"),
        ("31", D(30), 1, "本项满分 30"),
        ("85.25", D(100), 1, "85.25：本项最多 1 位小数"),
        ("85.5", D(100), 0, "85.5：本项只能输入整数"),
    ],
)
def test_parse_mark_refuses_with_the_reason(text: str, maximum: Decimal, decimals: int, reason: str) -> None:
    with pytest.raises(MarkError, match=reason):
        parse_mark(text, maximum, decimals)


@given(
    whole=st.integers(min_value=0, max_value=99),
    hundredths=st.integers(min_value=0, max_value=99),
    fullwidth=st.booleans(),
)
def test_parse_mark_round_trips_what_plain_prints(whole: int, hundredths: int, fullwidth: bool) -> None:
    value = D(whole) + D(hundredths) / 100
    text = plain(value)
    if fullwidth:
        text = text.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    assert parse_mark(text, D(100), 2) == value


@given(value=st.decimals(min_value=0, max_value=200, places=3, allow_nan=False, allow_infinity=False))
def test_parse_mark_accepts_exactly_the_values_in_range_and_precision(value: Decimal) -> None:
    maximum, decimals = D(100), 1
    in_range = value <= maximum
    precise = value == value.quantize(D("0.1"))
    try:
        parsed = parse_mark(f"{value:f}", maximum, decimals)
    except MarkError:
        assert not (in_range and precise)
    else:
        assert in_range and precise
        assert parsed == value


def test_plain_drops_trailing_zeros_and_exponents() -> None:
    assert plain(D("86.50")) == "86.5"
    assert plain(D("100.000")) == "100"
    assert plain(D("1E+2")) == "100"
    assert plain(D("0.00")) == "0"


# --- parse_judgement ------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [("0", 0), ("3", 3), ("２", 2), ("2.0", 2)])
def test_judgement_scores_are_whole_numbers_up_to_three(text: str, expected: int) -> None:
    assert parse_judgement(text) == D(expected)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("4", "评价分只能是 0–3 的整数：4"),
        ("2.5", "评价分只能是 0–3 的整数：2.5"),
        ("-1", "不能为负数"),
        ("", "请输入分数"),
    ],
)
def test_judgement_scores_outside_the_scale_are_refused(text: str, reason: str) -> None:
    with pytest.raises(MarkError, match=reason):
        parse_judgement(text)


# --- durations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("85:30", 5130),
        ("８５：３０", 5130),
        ("1:25:30", 5130),
        ("0:45", 45),
        ("90", 5400),  # plain minutes
        ("90.5", 5430),
        ("85:30.5", D("5130.5")),
    ],
)
def test_parse_duration(text: str, seconds: int | Decimal) -> None:
    assert parse_duration(text) == D(seconds)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "请输入用时"),
        ("85:60", "秒数应小于 60"),
        ("1:75:00", "分钟数应小于 60"),
        ("一小时", "应写作 分:秒"),
        ("-5", "应写作 分:秒"),
        ("85:3:0:1", "应写作 分:秒"),
    ],
)
def test_parse_duration_refuses(text: str, reason: str) -> None:
    with pytest.raises(MarkError, match=reason):
        parse_duration(text)


def test_format_duration() -> None:
    assert format_duration(D(2730)) == "45:30"
    assert format_duration(D(5130)) == "1:25:30"
    assert format_duration(D(45)) == "0:45"
    assert format_duration(D("65.5")) == "1:05.5"


@given(st.integers(min_value=1, max_value=10 * 3600))
def test_format_duration_parses_back(seconds: int) -> None:
    assert parse_duration(format_duration(D(seconds))) == seconds


# --- flags ----------------------------------------------------------------------------------


def test_panel_spread_flags_the_highest_and_lowest_judge() -> None:
    flag = panel_spread([D(80), D(92), None, D(79), D(85)], D(10))
    assert flag is not None
    assert flag.kind is FlagKind.PANEL_SPREAD
    assert flag.columns == (1, 3)  # positions in the row, gaps included
    assert "裁判分差 13 超过阈值 10" in flag.message
    assert "最高 92" in flag.message and "最低 79" in flag.message


def test_panel_spread_at_the_threshold_or_without_one_is_not_flagged() -> None:
    assert panel_spread([D(80), D(90)], D(10)) is None
    assert panel_spread([D(50), D(90)], None) is None
    assert panel_spread([D(50), None, None], D(1)) is None


def test_judgement_spread_over_one_must_be_re_marked() -> None:
    assert judgement_spread([D(2), D(3), D(2)]) is None
    flag = judgement_spread([D(1), D(3), None])
    assert flag is not None and flag.kind is FlagKind.JUDGEMENT_SPREAD
    assert flag.columns == (1, 0)
    assert "评价分相差 2（1、3）" in flag.message and "重评" in flag.message


@given(st.lists(st.one_of(st.none(), st.integers(0, 3).map(D)), min_size=1, max_size=5))
def test_judgement_spread_flags_exactly_when_scores_differ_by_more_than_one(scores: list[Decimal | None]) -> None:
    present = [score for score in scores if score is not None]
    flagged = judgement_spread(scores) is not None
    assert flagged == (len(present) >= 2 and max(present) - min(present) > 1)


def _panel(rows: int, offsets: tuple[int, ...], base: int = 70) -> dict[object, list[Decimal | None]]:
    """Rows of marks where each judge sits ``offsets[seat]`` from the entry's true mark."""
    return {row: [D(base + 3 * row + offset) for offset in offsets] for row in range(rows)}


def test_a_consistently_strict_judge_is_not_flagged() -> None:
    rows = _panel(8, (0, 1, -6, 0, 1))  # judge 3 is always six points stricter
    assert pattern_outliers(rows) == {}


def test_a_single_wild_mark_is_flagged_against_the_judges_own_habit() -> None:
    rows = _panel(8, (0, 1, -6, 0, 1))
    rows[4][0] = D(95)  # judge 1 gives 95 where the panel gives about 82
    flags = pattern_outliers(rows)
    assert list(flags) == [4]
    flag = flags[4]
    assert flag.kind is FlagKind.PATTERN
    assert flag.columns == (0,)
    assert "第 1 位裁判的评分 95" in flag.message and "偏高" in flag.message


def test_a_strict_judge_being_lenient_once_is_flagged() -> None:
    rows = _panel(8, (0, 1, -6, 0, 1))
    rows[2][2] = D(76)  # within the panel, but 6 above this judge's habit
    flags = pattern_outliers(rows)
    assert list(flags) == [2]
    assert flags[2].columns == (2,) and "偏高" in flags[2].message


def test_pattern_needs_enough_complete_rows_and_respects_the_minimum_gap() -> None:
    rows = _panel(8, (0, 1, -6, 0, 1))
    rows[4][0] = D(95)
    for row in (0, 1, 2, 3):
        rows[row][1] = None  # only four complete rows left
    assert pattern_outliers(rows) == {}
    rows = _panel(8, (0, 1, -6, 0, 1))
    rows[4][0] = D(95)
    assert pattern_outliers(rows, minimum_gap=D(20)) == {}


def test_noisy_panels_flag_only_the_outlier() -> None:
    noise = [0, 1, -1, 2, -2, 1, 0, -1, 2, 0]
    rows: dict[object, list[Decimal | None]] = {
        row: [D(60 + 2 * row + noise[(row + seat) % len(noise)]) for seat in range(5)] for row in range(10)
    }
    assert pattern_outliers(rows) == {}
    rows[7][3] = D(40)
    assert list(pattern_outliers(rows)) == [7]
    assert "偏低" in pattern_outliers(rows)[7].message


def test_time_flags() -> None:
    assert time_flag(None, 120) is None
    assert time_flag(D(3600), None) is None
    assert time_flag(D(7200), 120) is None
    over = time_flag(D(7201), 120)
    assert over == Flag(FlagKind.TIME, "用时 2:00:01 超过规定时长 120 分钟")
    short = time_flag(D(700), 120)
    assert short is not None and "不到规定时长 120 分钟的十分之一" in short.message
    assert time_flag(D(720), 120) is None
