"""All people and entries as one table model that filters and sorts 100,000 rows itself.

A ``QSortFilterProxyModel`` calls a Python ``filterAcceptsRow`` per row and ``lessThan`` per
comparison: over 100,000 rows that is seconds per keystroke (``bench/contestant_table.py``
measures it). This model keeps a list of the row numbers it shows instead: filtering asks the
core's ``RegistrationSearch`` (C-level substring tests), sorting sorts that list by a key
computed once per column.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from competition_app.domain.enums import EntryStatus, PersonStatus
from competition_app.domain.pinyin import name_search_key
from competition_app.services.registrations import (
    RegistrationRow,
    RegistrationSearch,
    RegistrationTable,
    StatusFilter,
)
from ui.i18n import QT_TRANSLATE_NOOP, translate

Index = QModelIndex | QPersistentModelIndex

CONTEXT = "RegistrationsModel"
PERSON_ID_ROLE = Qt.ItemDataRole.UserRole + 1
ENTRY_ID_ROLE = Qt.ItemDataRole.UserRole + 2


class RegistrationColumn(IntEnum):
    NAME = 0
    GENDER = 1
    ID_NUMBER = 2
    UNIT = 3
    REGION = 4
    PERSON_STATUS = 5
    COMPETITION = 6
    EVENT = 7
    GROUP = 8
    BIB = 9
    STATION = 10
    STATUS = 11


_HEADERS = (
    QT_TRANSLATE_NOOP("RegistrationsModel", "姓名"),
    QT_TRANSLATE_NOOP("RegistrationsModel", "性别"),
    QT_TRANSLATE_NOOP("RegistrationsModel", "证件号码"),
    QT_TRANSLATE_NOOP("RegistrationsModel", "单位"),
    QT_TRANSLATE_NOOP("RegistrationsModel", "地区"),
    QT_TRANSLATE_NOOP("RegistrationsModel", "身份"),
    QT_TRANSLATE_NOOP("RegistrationsModel", "赛事"),
    QT_TRANSLATE_NOOP("RegistrationsModel", "赛项"),
    QT_TRANSLATE_NOOP("RegistrationsModel", "组别"),
    QT_TRANSLATE_NOOP("RegistrationsModel", "参赛编号"),
    QT_TRANSLATE_NOOP("RegistrationsModel", "工位号"),
    QT_TRANSLATE_NOOP("RegistrationsModel", "状态"),
)
NO_ENTRY_TEXT = QT_TRANSLATE_NOOP("RegistrationsModel", "未报名")

INACTIVE = frozenset({EntryStatus.WITHDRAWN, EntryStatus.DISQUALIFIED})
_LAST = "\U0010ffff"
"""Sorts after any text: empty cells go last."""
_DIGITS = re.compile(r"\d+")
_STATUS_ORDER = {status: order for order, status in enumerate(EntryStatus)}
_PERSON_STATUS_ORDER = {status: order for order, status in enumerate(PersonStatus)}


def _natural(text: str | None) -> str:
    """ "A-9" before "A-10": digit runs padded to a fixed width, so one string comparison does it."""
    return _DIGITS.sub(lambda digits: digits.group().zfill(12), text.casefold()) if text else _LAST


def _plain(text: str | None) -> str:
    return text or _LAST


_SURNAME_READINGS: dict[str, str] = {}
_READINGS: dict[str, str] = {}


def _reading(char: str, surname: bool) -> str:
    # name_search_key("单") is "dan d shan s": a surname's own reading comes second.
    parts = name_search_key(char).split()
    reading = (parts[2] if surname and len(parts) > 2 else parts[0]) if parts else " "
    (_SURNAME_READINGS if surname else _READINGS)[char] = reading
    return reading


def _name_key(name: str) -> str:
    """Chinese names by pinyin, syllable by syllable: 陈 chen before 程 cheng (the stored
    "chenhaiyu" would come after "chengshuai"), the name itself breaking ties."""
    if not name:
        return ""
    get = _READINGS.get
    readings = [_SURNAME_READINGS.get(name[0]) or _reading(name[0], True)]
    readings += [get(char) or _reading(char, False) for char in name[1:]]
    return " ".join(readings) + "\0" + name  # one string compares quicker than a tuple


_SORT_KEYS: dict[RegistrationColumn, Callable[[RegistrationRow], Any]] = {
    RegistrationColumn.NAME: lambda row: _name_key(row.name),
    RegistrationColumn.GENDER: lambda row: row.gender.label if row.gender else _LAST,
    RegistrationColumn.ID_NUMBER: lambda row: row.id_number,
    RegistrationColumn.UNIT: lambda row: _plain(row.unit),
    RegistrationColumn.REGION: lambda row: _plain(row.region),
    RegistrationColumn.PERSON_STATUS: lambda row: _PERSON_STATUS_ORDER[row.person_status],
    RegistrationColumn.COMPETITION: lambda row: _plain(row.competition),
    RegistrationColumn.EVENT: lambda row: _plain(row.event),
    RegistrationColumn.GROUP: lambda row: _plain(row.group),
    RegistrationColumn.BIB: lambda row: _natural(row.bib),
    RegistrationColumn.STATION: lambda row: _natural(row.station),
    RegistrationColumn.STATUS: lambda row: _STATUS_ORDER[row.status] if row.status else len(_STATUS_ORDER),
}


class RegistrationsModel(QAbstractTableModel):
    """Shows the rows of a ``RegistrationTable`` that match the filter, in the chosen order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: tuple[RegistrationRow, ...] = ()
        self._search = RegistrationSearch(())
        self._visible: list[int] = []
        self._filter: tuple[str, int | None, str | None, StatusFilter] = ("", None, None, None)
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)
        self._sort_ranks: dict[int, list[int]] = {}
        self._orders: dict[tuple[int, bool], list[int]] = {}
        self._matches: list[int] = []
        """The rows that match the filter, ascending; ``_visible`` is them in the sort order."""
        self._labels: dict[object, str] = {}

    # --- contents -------------------------------------------------------------------------

    @property
    def rows(self) -> tuple[RegistrationRow, ...]:
        return self._rows

    @property
    def total_count(self) -> int:
        return len(self._rows)

    def set_table(self, table: RegistrationTable, search: RegistrationSearch | None = None) -> None:
        """Show new rows, keeping the filter and the sort order.

        ``search`` is ``RegistrationSearch(table.rows)``, best made in the background: at 100,000 rows
        it takes a few tenths of a second.
        """
        self.beginResetModel()
        self._rows = table.rows
        self._search = search if search is not None else RegistrationSearch(table.rows)
        self._sort_ranks.clear()
        self._orders.clear()
        self._visible = self._matching()
        self.endResetModel()

    def set_filter(
        self, text: str = "", *, event_id: int | None = None, group: str | None = None, status: StatusFilter = None
    ) -> None:
        """Show only the rows matching every word of ``text`` (see ``RegistrationSearch``) and each filter."""
        wanted = (text, event_id, group, status)
        if wanted == self._filter:
            return
        self._filter = wanted
        # A reset is the cheapest way to tell the view that most rows changed: removing and
        # inserting rows makes QTableView walk them. Column widths survive (same column count).
        self.beginResetModel()
        self._visible = self._matching()
        self.endResetModel()

    def row_at(self, row: int) -> RegistrationRow:
        return self._rows[self._visible[row]]

    def _matching(self) -> list[int]:
        text, event_id, group, status = self._filter
        self._matches = self._search.filter(text, event_id=event_id, group=group, status=status)
        return self._ordered(self._matches)

    def _ordered(self, indices: list[int]) -> list[int]:
        """``indices`` (ascending) in the current sort order; equal keys keep the service's order."""
        column, order = self._sort
        if column < 0:
            return list(indices)
        descending = order == Qt.SortOrder.DescendingOrder
        ranks = self._ranks(column)
        if len(indices) < len(self._rows):
            return sorted(indices, key=ranks.__getitem__, reverse=descending)
        # Every row: the same order every time, so sort once per column and direction.
        everything = self._orders.get((column, descending))
        if everything is None:
            everything = self._orders[column, descending] = sorted(indices, key=ranks.__getitem__, reverse=descending)
        return list(everything)

    def _ranks(self, column: int) -> list[int]:
        """Each row's place in ``column``'s order, equal keys sharing one: sorting by these small
        ints is several times quicker than comparing the keys (tuples, strings) again."""
        ranks = self._sort_ranks.get(column)
        if ranks is None:
            keys = list(map(_SORT_KEYS[RegistrationColumn(column)], self._rows))
            order = sorted(range(len(keys)), key=keys.__getitem__)
            ranks = [0] * len(keys)
            rank, previous = -1, object()
            for index in order:
                key = keys[index]
                if key != previous:
                    rank, previous = rank + 1, key
                ranks[index] = rank
            self._sort_ranks[column] = ranks
            self._orders[column, False] = order
        return ranks

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column`` (-1: the service's order); rows with equal keys keep the service's order."""
        column = column if 0 <= column < len(RegistrationColumn) else -1
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        persistent = self.persistentIndexList()
        kept = [self._visible[index.row()] for index in persistent]
        self._visible = self._ordered(self._matches)
        if persistent:  # the selected rows, usually one: list.index finds each at C speed
            position = {row: self._visible.index(row) for row in set(kept)}
            self.changePersistentIndexList(
                persistent,
                [self.index(position[row], index.column()) for row, index in zip(kept, persistent, strict=True)],
            )
        self.layoutChanged.emit()

    def retranslate(self) -> None:
        self._labels.clear()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(RegistrationColumn) - 1)
        if self._visible:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._visible) - 1, len(RegistrationColumn) - 1))

    # --- the model interface --------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(RegistrationColumn)

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _CELL_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # A repaint asks for about ten roles of every visible cell: unwanted roles leave first.
        if role not in _ROLES or not index.isValid():
            return None
        place = index.row()
        if not 0 <= place < len(self._visible):
            return None
        row = self._rows[self._visible[place]]
        if role == _DISPLAY:
            return self._text(row, index.column())
        if role == _FOREGROUND:
            return _INACTIVE_COLOUR if row.status in INACTIVE else None
        if role == _TOOLTIP:
            return (self._text(row, index.column()) or None) if index.column() in _LONG_COLUMNS else None
        return row.person_id if role == PERSON_ID_ROLE else row.entry_id

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(_HEADERS):
            return translate(CONTEXT, _HEADERS[section])
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._visible):
            return str(section + 1)
        return None

    def _text(self, row: RegistrationRow, column: int) -> str:
        if column == RegistrationColumn.GENDER:
            return self._label(row.gender)
        if column == RegistrationColumn.PERSON_STATUS:
            return self._label(row.person_status)
        if column == RegistrationColumn.STATUS:
            return self._label(row.status) if row.entry_id is not None else translate(CONTEXT, NO_ENTRY_TEXT)
        value: Any = row[_FIELDS[column]]  # one of the text fields
        return value or ""

    def _label(self, value: Any) -> str:
        """An enum's label, looked up once per language (a table repaint asks for hundreds)."""
        if value is None:
            return ""
        label = self._labels.get(value)
        if label is None:
            label = self._labels[value] = value.label
        return label


_DISPLAY = Qt.ItemDataRole.DisplayRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ROLES = frozenset({_DISPLAY, _FOREGROUND, _TOOLTIP, PERSON_ID_ROLE, ENTRY_ID_ROLE})
_CELL_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_INACTIVE_COLOUR = QColor(Qt.GlobalColor.gray)
_FIELDS: dict[int, int] = {
    RegistrationColumn.NAME: RegistrationRow._fields.index("name"),
    RegistrationColumn.ID_NUMBER: RegistrationRow._fields.index("id_number"),
    RegistrationColumn.UNIT: RegistrationRow._fields.index("unit"),
    RegistrationColumn.REGION: RegistrationRow._fields.index("region"),
    RegistrationColumn.COMPETITION: RegistrationRow._fields.index("competition"),
    RegistrationColumn.EVENT: RegistrationRow._fields.index("event"),
    RegistrationColumn.GROUP: RegistrationRow._fields.index("group"),
    RegistrationColumn.BIB: RegistrationRow._fields.index("bib"),
    RegistrationColumn.STATION: RegistrationRow._fields.index("station"),
}
_LONG_COLUMNS = frozenset({RegistrationColumn.UNIT, RegistrationColumn.REGION, RegistrationColumn.COMPETITION})
