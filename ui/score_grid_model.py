"""The score sheet as a table: one row per entry, one column per judge or marking aspect.

The model shows a ``rules.sheet.Sheet`` exactly as the services loaded it and never writes to the
database itself: the score entry window commits a cell and then hands the stored ``Cell`` back
with :meth:`ScoreGridModel.set_cell`, which updates that row's running total and recomputes the
plausibility flags (pattern flags depend on every row, and recomputing them is cheap).

Blind keying: a pass-2 sheet holds only pass-2 cells (``load_sheet`` sees to that), and the
model also drops what pass 1 recorded outside the cells (实操用时), so nothing of the first
keying is visible while the second is typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from competition_app.domain.marks import Flag, FlagKind, format_duration, plain
from competition_app.rules.sheet import Cell, Column, Row, Sheet, row_flags, row_total, sheet_flags
from ui.i18n import QT_TRANSLATE_NOOP, translate

CONTEXT = "ScoreGridModel"
Index = QModelIndex | QPersistentModelIndex

CELL_ROLE = Qt.ItemDataRole.UserRole + 1
"""The stored ``Cell`` of a mark column (None while empty)."""
SHEET_COLUMN_ROLE = Qt.ItemDataRole.UserRole + 2
"""The sheet's ``Column`` behind a mark column (None for the other columns)."""
FLAGGED_ROLE = Qt.ItemDataRole.UserRole + 3
"""True where a plausibility flag points at this cell."""

FLAG_BACKGROUND = QColor("#ffd59e")
FLAG_TEXT = QColor("#9a4a00")
WITHDRAWN_BACKGROUND = QColor("#ececec")
WITHDRAWN_TEXT = QColor("#9a9a9a")
CONFIRMED_BACKGROUND = QColor("#d7f0d4")
TOTAL_BACKGROUND = QColor("#f4f6f8")


class GridColumnKind(IntEnum):
    CODE = 0
    NAME = 1
    GROUP = 2
    MARK = 3
    TIME = 4
    TOTAL = 5
    FLAGS = 6


@dataclass(frozen=True, slots=True)
class GridColumn:
    """One column of the table; ``mark`` is the index into ``Sheet.columns`` for a mark column."""

    kind: GridColumnKind
    mark: int = -1


_HEADERS = {
    GridColumnKind.NAME: QT_TRANSLATE_NOOP("ScoreGridModel", "姓名"),
    GridColumnKind.GROUP: QT_TRANSLATE_NOOP("ScoreGridModel", "组别"),
    GridColumnKind.TIME: QT_TRANSLATE_NOOP("ScoreGridModel", "实操用时"),
    GridColumnKind.TOTAL: QT_TRANSLATE_NOOP("ScoreGridModel", "合计"),
    GridColumnKind.FLAGS: QT_TRANSLATE_NOOP("ScoreGridModel", "提示"),
}
_FLAG_WORDS = {
    FlagKind.PANEL_SPREAD: QT_TRANSLATE_NOOP("ScoreGridModel", "分差大"),
    FlagKind.JUDGEMENT_SPREAD: QT_TRANSLATE_NOOP("ScoreGridModel", "评价分差"),
    FlagKind.PATTERN: QT_TRANSLATE_NOOP("ScoreGridModel", "偏离"),
    FlagKind.TIME: QT_TRANSLATE_NOOP("ScoreGridModel", "用时"),
}
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_MARK_KINDS = (GridColumnKind.MARK, GridColumnKind.TIME)


def _tr(text: str) -> str:
    return translate(CONTEXT, text)


def total_places(sheet: Sheet) -> int:
    """Decimal places a running total is shown with: the component's own places + 2."""
    places = [column.decimals for column in sheet.columns if not column.judgement]
    return (max(places) if places else 0) + 2


def format_total(value: Decimal | None, places: int) -> str:
    if value is None:
        return ""
    return f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):f}"


def header_text(column: Column) -> str:
    """A mark column's header on two lines: "1号裁判" over the judge's name, "A1.1" over "J1"."""
    return column.label.replace(" ", "\n", 1)


class ScoreGridModel(QAbstractTableModel):
    """A ``Sheet`` in a table, with running totals and plausibility flags; edits come back via ``set_cell``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sheet: Sheet | None = None
        self._cells: dict[tuple[int, int], Cell] = {}
        self._rows: list[Row] = []
        self._required: frozenset[int] = frozenset()
        self._columns: tuple[GridColumn, ...] = ()
        self._criterion: str | None = None
        self._readback = False
        self._totals: list[Decimal | None] = []
        self._flags: dict[int, tuple[Flag, ...]] = {}
        self._flagged: set[tuple[int, int]] = set()
        self._places = 2

    # --- what is shown --------------------------------------------------------------------

    @property
    def sheet(self) -> Sheet | None:
        return self._sheet

    @property
    def readback(self) -> bool:
        """Read-back mode: nothing is typed; rows are confirmed against the paper."""
        return self._readback

    @property
    def criterion(self) -> str | None:
        return self._criterion

    @property
    def grid_columns(self) -> tuple[GridColumn, ...]:
        return self._columns

    def set_sheet(self, sheet: Sheet | None, *, readback: bool = False, criterion: str | None = None) -> None:
        """Show ``sheet`` (None: nothing), in read-back mode or not, filtered to one WorldSkills criterion."""
        self.beginResetModel()
        self._sheet = sheet
        self._readback = readback
        self._cells = dict(sheet.cells) if sheet is not None else {}
        rows = list(sheet.rows) if sheet is not None else []
        if sheet is not None and sheet.pass_no != 1:
            rows = [replace(row, practical_seconds=None) for row in rows]  # blind: pass 1 typed the times
        self._rows = rows
        self._required = frozenset(index for index, row in enumerate(rows) if row.required)
        self._criterion = criterion if sheet is not None and criterion in self.criteria() else None
        self._columns = self._layout()
        self._places = total_places(sheet) if sheet is not None else 2
        self._recompute()
        self.endResetModel()

    def set_criterion(self, criterion: str | None) -> None:
        if self._sheet is not None:
            self.set_sheet(self._current_sheet(), readback=self._readback, criterion=criterion)

    def criteria(self) -> tuple[str, ...]:
        """The WorldSkills criteria (A, B …) of the sheet's columns, in order; () for a panel sheet."""
        if self._sheet is None or not self._sheet.worldskills:
            return ()
        return tuple(dict.fromkeys(column.criterion for column in self._sheet.columns if column.criterion))

    def _layout(self) -> tuple[GridColumn, ...]:
        sheet = self._sheet
        if sheet is None:
            return ()
        columns = [GridColumn(GridColumnKind.CODE)]
        if not sheet.anonymous:
            columns.append(GridColumn(GridColumnKind.NAME))
        columns.append(GridColumn(GridColumnKind.GROUP))
        columns.extend(
            GridColumn(GridColumnKind.MARK, mark)
            for mark, column in enumerate(sheet.columns)
            if self._criterion is None or column.criterion == self._criterion
        )
        if self.has_time_column:
            columns.append(GridColumn(GridColumnKind.TIME))
        if len(sheet.columns) > 1:  # a single mark is its own total
            columns.append(GridColumn(GridColumnKind.TOTAL))
        columns.append(GridColumn(GridColumnKind.FLAGS))
        return tuple(columns)

    @property
    def has_time_column(self) -> bool:
        """实操用时 is typed once, with the first keying (it is not part of the blind second pass)."""
        sheet = self._sheet
        return sheet is not None and sheet.has_time and sheet.pass_no == 1

    def _current_sheet(self) -> Sheet:
        assert self._sheet is not None
        return replace(self._sheet, cells=dict(self._cells), rows=tuple(self._rows))

    # --- lookups the window uses ----------------------------------------------------------

    def grid_column(self, column: int) -> GridColumn:
        return self._columns[column]

    def column_of_kind(self, kind: GridColumnKind) -> int:
        """The table column of ``kind`` (the first, for MARK), or -1."""
        return next((number for number, column in enumerate(self._columns) if column.kind is kind), -1)

    def column_of_mark(self, mark: int) -> int:
        """The table column showing ``Sheet.columns[mark]``, or -1 (filtered out)."""
        return next((number for number, column in enumerate(self._columns) if column.mark == mark), -1)

    def entry_columns(self) -> list[int]:
        """Table columns a value is typed into (marks, then 实操用时), left to right."""
        return [number for number, column in enumerate(self._columns) if column.kind in _MARK_KINDS]

    def sheet_row(self, row: int) -> Row:
        return self._rows[row]

    def sheet_column(self, index: Index) -> Column | None:
        if not index.isValid() or self._sheet is None:
            return None
        column = self._columns[index.column()]
        return self._sheet.columns[column.mark] if column.kind is GridColumnKind.MARK else None

    def cell(self, row: int, mark: int) -> Cell | None:
        return self._cells.get((row, mark))

    def cell_at(self, index: Index) -> Cell | None:
        column = self._columns[index.column()] if index.isValid() else None
        if column is None or column.kind is not GridColumnKind.MARK:
            return None
        return self._cells.get((index.row(), column.mark))

    def row_cells(self, row: int) -> list[Cell]:
        """The keyed cells of one row, in sheet column order (all criteria)."""
        if self._sheet is None:
            return []
        return [cell for mark in range(len(self._sheet.columns)) if (cell := self._cells.get((row, mark))) is not None]

    def total(self, row: int) -> Decimal | None:
        return self._totals[row]

    def flags_of(self, row: int) -> tuple[Flag, ...]:
        return self._flags.get(row, ())

    def is_entry_column(self, column: int) -> bool:
        return 0 <= column < len(self._columns) and self._columns[column].kind in _MARK_KINDS

    def refusal(self, index: Index) -> str | None:  # noqa: PLR0911
        """Why this cell cannot be typed into now, or None if it can."""
        sheet = self._sheet
        if sheet is None or not index.isValid():
            return _tr("没有打开评分表")
        column = self._columns[index.column()]
        if column.kind not in _MARK_KINDS:
            return _tr("这一列不能录入：请用 Tab 移到评分列")
        row = self._rows[index.row()]
        if self._readback:
            return _tr("回读核对模式：按空格或回车确认本行与纸面一致；要修改请切换到录入模式")
        if not sheet.editable:
            return _tr("“{component}”评分表{state}，只读；如需更正，请裁判长解锁并说明原因").format(
                component=sheet.component_name, state=sheet.state.label
            )
        if not row.markable:
            return _tr("{code} {status}，不能录入").format(code=row.code, status=row.status.label)
        if column.kind is GridColumnKind.TIME and row.entry_id is None:
            return _tr("团队没有个人实操用时")
        return None

    def progress(self) -> tuple[int, int]:
        """(cells keyed, cells a complete sheet of this pass has), over every criterion."""
        sheet = self._sheet
        if sheet is None:
            return 0, 0
        required = self._required
        keyed = sum(1 for (row, _mark) in self._cells if row in required)
        return keyed, len(required) * len(sheet.columns)

    def unconfirmed(self) -> int:
        return sum(1 for cell in self._cells.values() if cell.verified_by_id is None)

    # --- changes that come back from the services -----------------------------------------

    def set_cell(self, row: int, mark: int, cell: Cell | None) -> None:
        """A stored cell (None: cleared); the row's total and the flags are brought up to date."""
        was_complete = self._complete(row)
        if cell is None:
            self._cells.pop((row, mark), None)
        else:
            self._cells[(row, mark)] = cell
        self._recompute_row(row)
        # Pattern flags compare complete rows only: they change when a row completes or stops
        # being complete, and then on any row. Otherwise only this row's own flags can change.
        if self._pattern_checked() and (was_complete or self._complete(row)):
            self._after_sheet_change(row)
        else:
            self._after_row_change(row)

    def set_seconds(self, row: int, seconds: Decimal | None) -> None:
        """实操用时 typed (None: cleared): only the row's time flag depends on it."""
        self._rows[row] = replace(self._rows[row], practical_seconds=seconds)
        self._after_row_change(row)

    def mark_confirmed(self, row: int, score_ids: Iterable[int], user_id: int | None, name: str) -> None:
        """Read-back: these cells of ``row`` were confirmed by ``name``."""
        wanted = set(score_ids)
        for key, cell in list(self._cells.items()):
            if key[0] == row and cell.score_id in wanted and cell.verified_by_id is None:
                self._cells[key] = replace(cell, verified_by_id=user_id, verified_by=name)
        if self._columns:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self._columns) - 1))

    def _complete(self, row: int) -> bool:
        return self._sheet is not None and all((row, mark) in self._cells for mark in range(len(self._sheet.columns)))

    def _pattern_checked(self) -> bool:
        """Whether ``sheet_flags`` looks for entries far from the panel's pattern on this sheet."""
        return self._sheet is not None and not self._sheet.worldskills and len(self._sheet.columns) >= 3

    def _after_sheet_change(self, row: int) -> None:
        previous = set(self._flags)
        self._recompute_flags()
        if not self._columns:
            return
        last = len(self._columns) - 1
        self.dataChanged.emit(self.index(row, 0), self.index(row, last))
        touched = sorted(previous | set(self._flags))
        if touched:
            self.dataChanged.emit(self.index(touched[0], 0), self.index(touched[-1], last))

    def _after_row_change(self, row: int) -> None:
        assert self._sheet is not None
        kept = tuple(flag for flag in self._flags.get(row, ()) if flag.kind is FlagKind.PATTERN)
        own: tuple[Flag, ...] = ()
        if self._rows[row].markable:
            sheet = replace(self._sheet, rows=tuple(self._rows), cells=self._cells)
            own = row_flags(sheet, self._row_values(row), self._rows[row].practical_seconds)
        self._flagged = {key for key in self._flagged if key[0] != row}
        self._flags.pop(row, None)
        self._note_flags(row, (*own, *kept))
        if self._columns:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self._columns) - 1))

    def _note_flags(self, row: int, flags: tuple[Flag, ...]) -> None:
        if not flags:
            return
        self._flags[row] = flags
        for flag in flags:
            if flag.kind is FlagKind.TIME:
                self._flagged.add((row, -1))  # -1: the 实操用时 cell
            self._flagged.update((row, mark) for mark in flag.columns)

    def _recompute(self) -> None:
        self._totals = [None] * len(self._rows)
        for row in range(len(self._rows)):
            self._recompute_row(row)
        self._recompute_flags()

    def _row_values(self, row: int) -> list[Decimal | None]:
        assert self._sheet is not None
        return [
            cell.value if (cell := self._cells.get((row, mark))) is not None else None
            for mark in range(len(self._sheet.columns))
        ]

    def _recompute_row(self, row: int) -> None:
        assert self._sheet is not None
        self._totals[row] = row_total(self._sheet, self._row_values(row))

    def _recompute_flags(self) -> None:
        self._flags, self._flagged = {}, set()
        if self._sheet is None or not self._rows:
            return
        sheet = replace(self._sheet, rows=tuple(self._rows), cells=self._cells)
        values = {row: self._row_values(row) for row in range(len(self._rows)) if self._rows[row].markable}
        for row, flags in sheet_flags(sheet, values).items():
            self._note_flags(row, flags)

    # --- Qt model -------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if self.refusal(index) is None:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: PLR0911
        if not index.isValid() or self._sheet is None or not 0 <= index.row() < len(self._rows):
            return None
        row_number = index.row()
        row = self._rows[row_number]
        column = self._columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(row_number, row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(_RIGHT if column.kind in (*_MARK_KINDS, GridColumnKind.TOTAL) else _LEFT)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._background(row_number, row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if not row.markable:
                return QBrush(WITHDRAWN_TEXT)
            if column.kind is GridColumnKind.FLAGS:
                return QBrush(FLAG_TEXT)
            return None
        if role == Qt.ItemDataRole.FontRole and column.kind in (GridColumnKind.CODE, GridColumnKind.TOTAL):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row_number, row, column)
        if role == CELL_ROLE:
            return self._cells.get((row_number, column.mark)) if column.kind is GridColumnKind.MARK else None
        if role == SHEET_COLUMN_ROLE:
            return self._sheet.columns[column.mark] if column.kind is GridColumnKind.MARK else None
        if role == FLAGGED_ROLE:
            return self._is_flagged(row_number, column)
        return None

    def _text(self, row_number: int, row: Row, column: GridColumn) -> str:  # noqa: PLR0911
        kind = column.kind
        if kind is GridColumnKind.CODE:
            return row.code
        if kind is GridColumnKind.NAME:
            return row.name or ""
        if kind is GridColumnKind.GROUP:
            return row.group
        if kind is GridColumnKind.MARK:
            cell = self._cells.get((row_number, column.mark))
            return "" if cell is None else plain(cell.value)
        if kind is GridColumnKind.TIME:
            return "" if row.practical_seconds is None else format_duration(row.practical_seconds)
        if kind is GridColumnKind.TOTAL:
            return format_total(self._totals[row_number], self._places)
        if not row.markable:
            return row.status.label
        return "、".join(dict.fromkeys(_tr(_FLAG_WORDS[flag.kind]) for flag in self._flags.get(row_number, ())))

    def _is_flagged(self, row_number: int, column: GridColumn) -> bool:
        if column.kind is GridColumnKind.MARK:
            return (row_number, column.mark) in self._flagged
        if column.kind is GridColumnKind.TIME:
            return (row_number, -1) in self._flagged
        return column.kind is GridColumnKind.FLAGS and row_number in self._flags

    def _background(self, row_number: int, row: Row, column: GridColumn) -> QBrush | None:
        if not row.markable:
            return QBrush(WITHDRAWN_BACKGROUND)
        if self._is_flagged(row_number, column):
            return QBrush(FLAG_BACKGROUND)
        if self._readback and column.kind is GridColumnKind.MARK:
            cell = self._cells.get((row_number, column.mark))
            if cell is not None and cell.verified_by_id is not None:
                return QBrush(CONFIRMED_BACKGROUND)
        if column.kind is GridColumnKind.TOTAL:
            return QBrush(TOTAL_BACKGROUND)
        return None

    def _tooltip(self, row_number: int, row: Row, column: GridColumn) -> str | None:
        assert self._sheet is not None
        flags = self._flags.get(row_number, ())
        lines: list[str] = []
        if column.kind is GridColumnKind.MARK:
            sheet_column = self._sheet.columns[column.mark]
            lines.append(_tr("{code} · {column}").format(code=row.code, column=sheet_column.label))
            lines.append(self._range_text(sheet_column))
            cell = self._cells.get((row_number, column.mark))
            if cell is not None:
                if cell.entered_by:
                    lines.append(_tr("录入：{who}").format(who=cell.entered_by))
                if cell.verified_by_id is not None:
                    lines.append(_tr("已回读核对：{who}").format(who=cell.verified_by or ""))
            lines.extend(flag.message for flag in flags if column.mark in flag.columns)
        elif column.kind is GridColumnKind.TIME:
            lines.append(_tr("实操用时：分:秒（如 85:30）或分钟数"))
            lines.extend(flag.message for flag in flags if flag.kind is FlagKind.TIME)
        elif column.kind is GridColumnKind.FLAGS:
            lines.extend(flag.message for flag in flags)
        elif column.kind is GridColumnKind.TOTAL:
            lines.append(_tr("计算方法：{method}").format(method=self._sheet.method.label))
            if self._totals[row_number] is None:
                lines.append(_tr("本行评分录齐后显示"))
        return "\n".join(lines) or None

    def _range_text(self, column: Column) -> str:
        if column.judgement:
            text = _tr("评价分 0–{scale} 的整数").format(scale=plain(column.maximum))
            if column.aspect_max is not None:
                text += _tr("（本细则满分 {maximum}）").format(maximum=plain(column.aspect_max))
            return text
        if column.decimals:
            return _tr("0–{maximum}，最多 {decimals} 位小数").format(
                maximum=plain(column.maximum), decimals=column.decimals
            )
        return _tr("0–{maximum} 的整数").format(maximum=plain(column.maximum))

    def headerData(  # noqa: PLR0911
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Vertical:
            return self._row_header(section, role)
        if self._sheet is None or not 0 <= section < len(self._columns):
            return None
        column = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            if column.kind is GridColumnKind.MARK:
                return header_text(self._sheet.columns[column.mark])
            if column.kind is GridColumnKind.CODE:
                return _tr("检录号") if self._sheet.anonymous else _tr("编号")
            return _tr(_HEADERS[column.kind])
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._column_tooltip(column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _row_header(self, section: int, role: int) -> Any:  # noqa: PLR0911
        """The code again, for views that keep it in sight while scrolling wide sheets sideways."""
        if not 0 <= section < len(self._rows):
            return None
        row = self._rows[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.code
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(part for part in (row.code, row.name, row.group, row.status.label) if part)
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and not row.markable:
            return QBrush(WITHDRAWN_TEXT)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(_LEFT)
        return None

    def _column_tooltip(self, column: GridColumn) -> str | None:
        assert self._sheet is not None
        if column.kind is GridColumnKind.MARK:
            sheet_column = self._sheet.columns[column.mark]
            lines = [sheet_column.label]
            if sheet_column.judge_name and sheet_column.judge_name not in sheet_column.label:
                lines.append(_tr("裁判：{name}").format(name=sheet_column.judge_name))
            lines.append(self._range_text(sheet_column))
            return "\n".join(lines)
        if column.kind is GridColumnKind.TOTAL:
            return _tr("本评分项的得分（{method}），随录入即时计算").format(method=self._sheet.method.label)
        if column.kind is GridColumnKind.CODE:
            return _tr("匿名评分：检录号") if self._sheet.anonymous else _tr("参赛编号")
        return None

    def retranslate(self) -> None:
        if self._columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._columns) - 1)
