"""Statistics of a competition's results: who took part (by region, unit, group, tier) and score spreads.

Pure functions of a :class:`~competition_app.results.view.CompetitionView`: no database, no Qt.
What is counted is the *entry line*: every line of every group of every event in the view, once,
whatever its status (a withdrawn entry still counts as registered). A person entered in two events
counts once in each; a team event counts each member's line. Events missing from the view (never
computed, when the view was read with ``compute=False``) are not counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from itertools import pairwise

from competition_app.i18n import _
from competition_app.results.view import CompetitionView, EventView, ResultLine

BIN_WIDTH = Decimal(10)
"""Default histogram bins are 10 points wide, from 0 to at least 100."""
DEFAULT_TOP = Decimal(100)


@dataclass(frozen=True, slots=True)
class Count:
    """One row of a breakdown: a label (region, unit, group or tier) and how many entry lines have it."""

    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Bin:
    """Totals ``low <= total < high`` (the last bin also takes ``total == high``)."""

    low: Decimal
    high: Decimal
    count: int

    @property
    def label(self) -> str:
        return f"{self.low:f}–{self.high:f}"


@dataclass(frozen=True, slots=True)
class Histogram:
    bins: tuple[Bin, ...]
    outside: int = 0
    """Totals below the first edge or above the last one (only with edges given by the caller)."""

    @property
    def total(self) -> int:
        return sum(b.count for b in self.bins) + self.outside


@dataclass(frozen=True, slots=True)
class Statistics:
    """The four breakdowns of a competition, each largest first (ties by label)."""

    entries: int
    by_region: tuple[Count, ...]
    by_unit: tuple[Count, ...]
    by_group: tuple[Count, ...]
    by_tier: tuple[Count, ...]


def _lines(view: CompetitionView) -> Iterable[tuple[EventView, ResultLine]]:
    for event in view.events:
        for group in event.groups:
            for line in group.lines:
                yield event, line


def _unknown() -> str:
    return _("未填写")


def _count(view: CompetitionView, key: Callable[[EventView, ResultLine], str | None]) -> tuple[Count, ...]:
    counter = Counter((key(event, line) or _unknown()) for event, line in _lines(view))
    return tuple(Count(label, count) for label, count in sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def by_region(view: CompetitionView) -> tuple[Count, ...]:
    """Entry lines per region as registered (the person's region, else the unit's); 未填写 when none."""
    return _count(view, lambda _event, line: line.region)


def by_unit(view: CompetitionView) -> tuple[Count, ...]:
    """Entry lines per unit (单位); 未填写 when the entry names none."""
    return _count(view, lambda _event, line: line.unit)


def by_group(view: CompetitionView) -> tuple[Count, ...]:
    """Entry lines per group name (职工组, 学生组 …), the same name in different events counted together."""
    return _count(view, lambda _event, line: line.group)


def by_tier(view: CompetitionView) -> tuple[Count, ...]:
    """Entry lines per competition class of their event (一类/二类 …; 未分类 where the level has none)."""
    return _count(view, lambda event, _line: event.tier_class.label or _("未分类"))


def statistics(view: CompetitionView) -> Statistics:
    """All four breakdowns and the number of entry lines counted."""
    return Statistics(
        entries=sum(1 for _line in _lines(view)),
        by_region=by_region(view),
        by_unit=by_unit(view),
        by_group=by_group(view),
        by_tier=by_tier(view),
    )


def event_totals(event: EventView) -> tuple[Decimal, ...]:
    """The event's totals across its groups, lines without a total (not scored, withdrawn) left out."""
    return tuple(line.total for group in event.groups for line in group.lines if line.total is not None)


def bin_edges(totals: Iterable[Decimal], width: Decimal = BIN_WIDTH) -> tuple[Decimal, ...]:
    """Edges 0, width, 2·width … up to 100, or further to cover the largest total (rounded up to a bin)."""
    if width <= 0:
        raise ValueError(_("分组宽度必须大于0"))
    top = max([DEFAULT_TOP, *totals])
    steps = int((top / width).to_integral_value(rounding=ROUND_CEILING))
    return tuple(width * step for step in range(steps + 1))


def histogram(totals: Iterable[Decimal], bins: Sequence[Decimal] | None = None) -> Histogram:
    """Count ``totals`` into bins between consecutive ``bins`` edges (default :func:`bin_edges`).

    Each bin is half-open ``[low, high)``, so a total on an inner edge (80.00) goes to the bin it
    starts (80–90); the last bin is closed, so the maximum (100.00) is in 90–100. Totals outside
    the edges are counted in ``outside``. No totals gives bins that are all zero.
    """
    values = list(totals)
    edges = tuple(Decimal(edge) for edge in (bins if bins is not None else bin_edges(values)))
    if len(edges) < 2 or any(b <= a for a, b in pairwise(edges)):
        raise ValueError(_("分组边界须至少两个且严格递增"))
    counts = [0] * (len(edges) - 1)
    outside = 0
    for value in values:
        if value < edges[0] or value > edges[-1]:
            outside += 1
            continue
        index = next((i for i in range(len(counts)) if value < edges[i + 1]), len(counts) - 1)
        counts[index] += 1
    return Histogram(
        tuple(Bin(edges[i], edges[i + 1], counts[i]) for i in range(len(counts))),
        outside,
    )
