"""The entries of one event as a table, with a proxy that sorts and searches it."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor

from competition_app.domain.enums import EntryStatus
from competition_app.services.entries import EntryRow
from ui.i18n import QT_TRANSLATE_NOOP, translate

Index = QModelIndex | QPersistentModelIndex

ENTRY_ID_ROLE = Qt.ItemDataRole.UserRole + 1
"""The entry's database id."""
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
"""A key that sorts numbers as numbers (bib 9 before bib 10)."""


class EntryColumn(IntEnum):
    BIB = 0
    STATION = 1
    ANON_CODE = 2
    NAME = 3
    GROUP = 4
    UNIT = 5
    STATUS = 6


_HEADERS = (
    QT_TRANSLATE_NOOP("EntriesModel", "参赛编号"),
    QT_TRANSLATE_NOOP("EntriesModel", "工位号"),
    QT_TRANSLATE_NOOP("EntriesModel", "检录号"),
    QT_TRANSLATE_NOOP("EntriesModel", "姓名"),
    QT_TRANSLATE_NOOP("EntriesModel", "组别"),
    QT_TRANSLATE_NOOP("EntriesModel", "单位"),
    QT_TRANSLATE_NOOP("EntriesModel", "状态"),
)

SEARCHED_COLUMNS = (EntryColumn.BIB, EntryColumn.NAME, EntryColumn.UNIT)
INACTIVE = frozenset({EntryStatus.WITHDRAWN, EntryStatus.DISQUALIFIED})
_STATUS_ORDER = {status: order for order, status in enumerate(EntryStatus)}
_PLAIN_FIELDS = {
    EntryColumn.BIB: "bib",
    EntryColumn.STATION: "station",
    EntryColumn.ANON_CODE: "anon_code",
    EntryColumn.NAME: "name",
    EntryColumn.GROUP: "group",
    EntryColumn.UNIT: "unit",
}


def _text(row: EntryRow, column: EntryColumn) -> str:
    if column is EntryColumn.STATUS:
        return row.status.label
    value: str | None = getattr(row, _PLAIN_FIELDS[column])
    return value or ""


def _natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Split digits from the rest so that "A-9" sorts before "A-10"."""
    parts: list[tuple[int, int | str]] = []
    digits = ""
    other = ""
    for char in text:
        if char.isdigit():
            if other:
                parts.append((1, other))
                other = ""
            digits += char
        else:
            if digits:
                parts.append((0, int(digits)))
                digits = ""
            other += char
    if digits:
        parts.append((0, int(digits)))
    if other:
        parts.append((1, other))
    return tuple(parts)


class EntriesModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: tuple[EntryRow, ...] = ()

    @property
    def rows(self) -> tuple[EntryRow, ...]:
        return self._rows

    def set_rows(self, rows: tuple[EntryRow, ...]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(EntryColumn) - 1)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, EntryColumn.STATUS), self.index(len(self._rows) - 1, EntryColumn.STATUS)
            )

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(EntryColumn)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = EntryColumn(index.column())
        value: Any = None
        if role == Qt.ItemDataRole.DisplayRole:
            value = _text(row, column)
        elif role == SORT_ROLE:
            value = _STATUS_ORDER[row.status] if column is EntryColumn.STATUS else _natural_key(_text(row, column))
        elif role == ENTRY_ID_ROLE:
            value = row.entry_id
        elif role == Qt.ItemDataRole.ForegroundRole and row.status in INACTIVE:
            value = QColor(Qt.GlobalColor.gray)
        return value

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(_HEADERS):
            return translate("EntriesModel", _HEADERS[section])
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._rows):
            return str(section + 1)
        return None


class EntriesFilterModel(QSortFilterProxyModel):
    """Sorts by any column; the search text matches the bib, the name or the unit."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_search(self, text: str) -> None:
        self.setFilterFixedString(text.strip())

    def lessThan(self, left: Index, right: Index) -> bool:
        left_key = left.data(SORT_ROLE)
        right_key = right.data(SORT_ROLE)
        if left_key == right_key:
            return left.row() < right.row()  # keep the service's order among equals
        return bool(left_key < right_key)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        pattern = self.filterRegularExpression()
        if not pattern.pattern():
            return True
        model = self.sourceModel()
        return any(
            pattern.match(str(model.index(source_row, column, source_parent).data() or "")).hasMatch()
            for column in SEARCHED_COLUMNS
        )
