"""A score sheet as the marker sees it: rows of entries, columns of judges or aspects, cells.

Pure data and pure functions (no database): ``services.scores`` fills a ``Sheet`` from the
database, the entry grid shows it, and the running totals and plausibility flags below are
computed the same way wherever a sheet is shown or printed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, localcontext

from competition_app.domain.enums import ComponentKind, EntryStatus, PanelMethod, SheetState
from competition_app.domain.marks import (
    JUDGEMENT_SCALE,
    Flag,
    judgement_spread,
    panel_spread,
    parse_judgement,
    parse_mark,
    pattern_outliers,
    time_flag,
)
from competition_app.rules.scoring import ARITHMETIC, combine_panel

JUDGEMENT_MIN_JUDGES = 3


@dataclass(frozen=True, slots=True)
class Column:
    """One column of marks: a panel seat, or a WorldSkills aspect (× seat for judgement)."""

    aspect_id: int | None
    seat: int
    label: str
    maximum: Decimal
    decimals: int
    judgement: bool = False
    judge_id: int | None = None
    judge_name: str | None = None
    criterion: str | None = None
    """WorldSkills criterion code (A, B …), to show one criterion at a time."""
    aspect_code: str | None = None
    aspect_max: Decimal | None = None
    """A judgement aspect's maximum mark (the column's own maximum is the 0–3 scale)."""

    @property
    def key(self) -> tuple[int | None, int]:
        return (self.aspect_id, self.seat)

    def parse(self, text: str) -> Decimal:
        """The value typed for this column, or ``MarkError`` saying why it cannot be."""
        if self.judgement:
            return parse_judgement(text, int(self.maximum))
        return parse_mark(text, self.maximum, self.decimals)


@dataclass(frozen=True, slots=True)
class Row:
    """One entry (or team, for a team-scored component) on the sheet."""

    entry_id: int | None
    team_id: int | None
    code: str
    """What the marker sees: the anonymous 检录号 when marking is anonymous, else the bib."""
    group: str
    status: EntryStatus = EntryStatus.REGISTERED
    name: str | None = None
    """Only when marking is not anonymous (or the codes have been revealed)."""
    person_id: int | None = None
    practical_seconds: Decimal | None = None
    paper_code: str | None = None
    """The code printed on the paper sheet (检录号 for anonymous marking, even after 解密; else
    the bib): what the fingerprint names the row by, so revealing codes does not change it."""

    @property
    def markable(self) -> bool:
        return self.status is not EntryStatus.WITHDRAWN

    @property
    def required(self) -> bool:
        """A sheet is complete when every required row is fully marked."""
        return self.status in (EntryStatus.REGISTERED, EntryStatus.CHECKED_IN)


@dataclass(frozen=True, slots=True)
class Cell:
    score_id: int
    value: Decimal
    version: int
    entered_by_id: int | None = None
    entered_by: str | None = None
    entered_at: datetime | None = None
    verified_by_id: int | None = None
    verified_by: str | None = None


@dataclass(frozen=True, slots=True)
class Sheet:
    event_id: int
    event_name: str
    competition_name: str
    component_id: int
    component_name: str
    kind: ComponentKind
    method: PanelMethod
    panel_size: int
    max_score: Decimal
    spread_threshold: Decimal | None
    time_limit_minutes: int | None
    anonymous: bool
    state: SheetState
    double_entry: bool
    pass_no: int
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    cells: Mapping[tuple[int, int], Cell] = field(default_factory=dict)
    """(row index, column index) → the cell of this sheet's pass."""
    fingerprint: str | None = None

    @property
    def worldskills(self) -> bool:
        return self.method is PanelMethod.WORLDSKILLS

    @property
    def has_time(self) -> bool:
        """Practical components with a time limit also take 实操用时 (a tie-breaker)."""
        return self.kind is ComponentKind.PRACTICAL and bool(self.time_limit_minutes)

    @property
    def editable(self) -> bool:
        return self.state is SheetState.ENTERING

    def value(self, row: int, column: int) -> Decimal | None:
        cell = self.cells.get((row, column))
        return None if cell is None else cell.value

    def row_values(self, row: int) -> list[Decimal | None]:
        return [self.value(row, column) for column in range(len(self.columns))]


def row_total(sheet: Sheet, values: Sequence[Decimal | None]) -> Decimal | None:
    """The component mark of one row so far (None until it can be computed).

    Panels combine by the component's method (mean, trimmed mean, median …) once every seat is
    marked; WorldSkills adds measurement marks and judgement marks (max × mean / 3, once three
    judges have scored) of the aspects marked so far.
    """
    if not sheet.worldskills:
        if any(value is None for value in values):
            return None
        marks = [value for value in values if value is not None]
        return combine_panel(marks, sheet.method, sheet.panel_size).value
    total = Decimal(0)
    seen = False
    judged: dict[int | None, list[Decimal]] = {}
    aspect_max: dict[int | None, Decimal] = {}
    with localcontext(ARITHMETIC):
        for column, value in zip(sheet.columns, values, strict=True):
            if value is None:
                continue
            if column.judgement:
                judged.setdefault(column.aspect_id, []).append(value)
                aspect_max[column.aspect_id] = column.aspect_max or Decimal(0)
            else:
                total += value
                seen = True
        for aspect_id, scores in judged.items():
            if len(scores) >= JUDGEMENT_MIN_JUDGES:
                total += aspect_max[aspect_id] * sum(scores, Decimal(0)) / (len(scores) * JUDGEMENT_SCALE)
                seen = True
    return total if seen else None


def row_flags(sheet: Sheet, values: Sequence[Decimal | None], seconds: Decimal | None = None) -> tuple[Flag, ...]:
    """What looks implausible in one row: panel spread, judgement spread, time."""
    flags: list[Flag] = []
    if sheet.worldskills:
        by_aspect: dict[int | None, list[int]] = {}
        for index, column in enumerate(sheet.columns):
            if column.judgement:
                by_aspect.setdefault(column.aspect_id, []).append(index)
        for indexes in by_aspect.values():
            flag = judgement_spread([values[index] for index in indexes])
            if flag is not None:
                flags.append(Flag(flag.kind, flag.message, tuple(indexes[i] for i in flag.columns)))
    elif len(sheet.columns) > 1:
        flag = panel_spread(values, sheet.spread_threshold)
        if flag is not None:
            flags.append(flag)
    if sheet.has_time:
        flag = time_flag(seconds, sheet.time_limit_minutes)
        if flag is not None:
            flags.append(flag)
    return tuple(flags)


def sheet_flags(
    sheet: Sheet, values: Mapping[int, Sequence[Decimal | None]] | None = None
) -> dict[int, tuple[Flag, ...]]:
    """Every flag on the sheet by row index, including entries far from the panel's pattern."""
    rows = values if values is not None else {index: sheet.row_values(index) for index in range(len(sheet.rows))}
    flags = {index: row_flags(sheet, marks, sheet.rows[index].practical_seconds) for index, marks in rows.items()}
    if not sheet.worldskills and len(sheet.columns) >= 3:
        gap = sheet.spread_threshold / 2 if sheet.spread_threshold is not None else sheet.max_score / 20
        for index, flag in pattern_outliers({index: marks for index, marks in rows.items()}, minimum_gap=gap).items():
            assert isinstance(index, int)
            flags[index] = (*flags.get(index, ()), flag)
    return {index: found for index, found in flags.items() if found}
