"""The read-only list tables the viewers share: whole rows selected, one at a time, no editing."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget


def list_table(parent: QWidget, name: str, model: QAbstractItemModel, *, compact: bool = True) -> QTableView:
    """A table of ``model`` for reading: row selection, alternating colours, no row numbers.

    ``compact`` keeps rows one line high (no word wrap), as long lists (results, the audit log,
    the certificate register) read best; columns can be resized and the last one stretches.
    """
    table = QTableView(parent)
    table.setObjectName(name)
    table.setModel(model)
    table.setAlternatingRowColors(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    rows = table.verticalHeader()
    rows.setVisible(False)
    if compact:
        table.setWordWrap(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.fontMetrics().height() + 10)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    return table
