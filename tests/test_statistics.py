"""Statistics of results: hand-made views, hand-counted breakdowns and bins."""

from __future__ import annotations

from decimal import Decimal

import pytest

from competition_app.domain.enums import Level, TierClass
from competition_app.results.statistics import (
    Count,
    bin_edges,
    by_group,
    by_region,
    by_tier,
    by_unit,
    event_totals,
    histogram,
    statistics,
)
from competition_app.results.view import CompetitionView, EventView, GroupView, ResultLine

D = Decimal


def line(name: str, group: str, total: str | None, unit: str | None, region: str | None) -> ResultLine:
    return ResultLine(
        entry_id=hash(name) % 10_000, team_id=None, bib=None, name=name, id_number=None, gender=None, unit=unit,
        region=region, group=group, components=(), total=None if total is None else D(total), rank=None,
    )  # fmt: skip


def event(event_id: int, tier: TierClass, *groups: tuple[str, tuple[ResultLine, ...]]) -> EventView:
    return EventView(
        event_id, f"赛项{event_id}", f"赛项{event_id}", None, tier,
        tuple(GroupView(name, len(lines), lines) for name, lines in groups),
    )  # fmt: skip


def competition(*events: EventView) -> CompetitionView:
    return CompetitionView(
        1, "测试赛", None, Level.MUNICIPAL, TierClass.CLASS_1, 2026, None, None, None, None, None, events
    )


WELDING = event(
    1,
    TierClass.CLASS_1,
    ("职工组", (line("甲", "职工组", "100", "甲公司", "济宁市"), line("乙", "职工组", "80", "甲公司", "济宁市"),
               line("丙", "职工组", None, "乙公司", None))),
    ("学生组", (line("丁", "学生组", "79.99", "技师学院", "济宁市"),)),
)  # fmt: skip
COOKING = event(
    2,
    TierClass.CLASS_2,
    ("职工组", (line("甲", "职工组", "0", "甲公司", "泰安市"), line("戊", "职工组", "55.5", None, "泰安市"))),
)
EMPTY = event(3, TierClass.CLASS_2, ("职工组", ()), ("学生组", ()))


def test_each_entry_line_is_counted_once_per_breakdown() -> None:
    view = competition(WELDING, COOKING, EMPTY)
    # 甲 is entered in two events: two entry lines, counted twice.
    assert by_region(view) == (Count("济宁市", 3), Count("泰安市", 2), Count("未填写", 1))
    assert by_unit(view) == (Count("甲公司", 3), Count("乙公司", 1), Count("技师学院", 1), Count("未填写", 1))
    assert by_group(view) == (Count("职工组", 5), Count("学生组", 1))
    assert by_tier(view) == (Count("一类", 4), Count("二类", 2))
    summary = statistics(view)
    assert summary.entries == 6
    assert sum(c.count for c in summary.by_region) == sum(c.count for c in summary.by_tier) == 6


def test_an_empty_competition_has_empty_breakdowns() -> None:
    summary = statistics(competition(EMPTY))
    assert summary.entries == 0
    assert summary.by_region == summary.by_unit == summary.by_group == summary.by_tier == ()


def test_totals_leave_out_lines_without_a_total() -> None:
    assert event_totals(WELDING) == (D("100"), D("80"), D("79.99"))
    assert event_totals(EMPTY) == ()


def test_default_bins_are_ten_points_from_zero_to_one_hundred() -> None:
    result = histogram(event_totals(WELDING) + event_totals(COOKING))
    assert [b.label for b in result.bins] == [f"{n}–{n + 10}" for n in range(0, 100, 10)]
    # 0 → 0–10; 55.5 → 50–60; 79.99 → 70–80; 80 on an edge → 80–90; the maximum 100 → 90–100.
    assert [b.count for b in result.bins] == [1, 0, 0, 0, 0, 1, 0, 1, 1, 1]
    assert result.outside == 0 and result.total == 5


def test_an_empty_event_gives_empty_bins() -> None:
    result = histogram(event_totals(EMPTY))
    assert len(result.bins) == 10 and result.total == 0


def test_bins_grow_to_cover_a_maximum_above_one_hundred() -> None:
    assert bin_edges([D("120")]) == tuple(D(n) for n in range(0, 130, 10))
    assert bin_edges([D("120.5")])[-1] == D(130)
    assert histogram([D("120.5")]).bins[-1].count == 1


def test_given_edges_count_what_falls_outside() -> None:
    result = histogram([D("59.9"), D("60"), D("75"), D("90"), D("90.01")], [D(60), D(75), D(90)])
    assert [(b.label, b.count) for b in result.bins] == [("60–75", 1), ("75–90", 2)]
    assert result.outside == 2


@pytest.mark.parametrize("edges", [[D(0)], [D(10), D(10)], [D(20), D(10)]])
def test_edges_must_be_two_or_more_and_increasing(edges: list[Decimal]) -> None:
    with pytest.raises(ValueError, match="严格递增"):
        histogram([D(1)], edges)
