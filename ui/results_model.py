"""The results table of one group: rank, bib, name, unit, each component, total, award and the rest.

A read-only model over a ``GroupView``; a row's tooltip is its explanation (one sentence a line),
``LINE_ROLE`` hands the ``ResultLine`` to the side panel.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from competition_app.results.view import GroupView, ResultLine
from ui.i18n import QT_TRANSLATE_NOOP, translate

CONTEXT = "ResultsModel"
LINE_ROLE = Qt.ItemDataRole.UserRole + 1

LEADING = (
    QT_TRANSLATE_NOOP(CONTEXT, "名次"),
    QT_TRANSLATE_NOOP(CONTEXT, "参赛编号"),
    QT_TRANSLATE_NOOP(CONTEXT, "姓名"),
    QT_TRANSLATE_NOOP(CONTEXT, "单位"),
)
TRAILING = (
    QT_TRANSLATE_NOOP(CONTEXT, "总分"),
    QT_TRANSLATE_NOOP(CONTEXT, "奖项"),
    QT_TRANSLATE_NOOP(CONTEXT, "称号"),
    QT_TRANSLATE_NOOP(CONTEXT, "晋升"),
    QT_TRANSLATE_NOOP(CONTEXT, "荣誉"),
    QT_TRANSLATE_NOOP(CONTEXT, "状态"),
)
_NUMERIC_TRAILING = 1
"""Of the trailing columns, the first (总分) is a number and aligns right."""


def rank_text(line: ResultLine) -> str:
    """``3`` or, for a shared place, ``3=``; empty when unranked."""
    if line.rank is None:
        return ""
    return f"{line.rank}=" if line.shared_rank else str(line.rank)


def mark_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value:f}"


def explanation_text(line: ResultLine) -> str:
    return "\n".join(line.explanation)


class ResultsModel(QAbstractTableModel):
    """The lines of one group; component columns follow the lines' component order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lines: tuple[ResultLine, ...] = ()
        self.components: tuple[str, ...] = ()

    def set_group(self, group: GroupView | None) -> None:
        self.beginResetModel()
        self.lines = group.lines if group else ()
        self.components = tuple(name for name, _value in self.lines[0].components) if self.lines else ()
        self.endResetModel()

    def line(self, row: int) -> ResultLine | None:
        return self.lines[row] if 0 <= row < len(self.lines) else None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(LEADING) + len(self.components) + len(TRAILING)

    def column_of(self, header: str) -> int:
        """The column headed ``header`` (untranslated), or -1."""
        headers = (*LEADING, *self.components, *TRAILING)
        return headers.index(header) if header in headers else -1

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is not Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section < len(LEADING):
            return translate(CONTEXT, LEADING[section])
        section -= len(LEADING)
        if section < len(self.components):
            return self.components[section]
        section -= len(self.components)
        return translate(CONTEXT, TRAILING[section]) if section < len(TRAILING) else None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        line = self.line(index.row()) if index.isValid() else None
        if line is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell_text(line, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return explanation_text(line) or None
        if role == LINE_ROLE:
            return line
        if role == Qt.ItemDataRole.TextAlignmentRole and self._numeric(index.column()):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _numeric(self, column: int) -> bool:
        first_trailing = len(LEADING) + len(self.components)
        return column == 0 or len(LEADING) <= column < first_trailing + _NUMERIC_TRAILING

    def cell_text(self, line: ResultLine, column: int) -> str:
        leading = (rank_text(line), line.bib or "", line.name, line.unit or "")
        if column < len(leading):
            return leading[column]
        column -= len(leading)
        if column < len(line.components):
            return mark_text(line.components[column][1])
        column -= len(line.components)
        trailing = (
            mark_text(line.total),
            line.award or "",
            "、".join(line.titles),
            line.promotion.label if line.promotion else "",
            "、".join(line.designations),
            line.status,
        )
        return trailing[column] if column < len(trailing) else ""
