"""The main window on a database, and picking a competition or event in its tree."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from db.session import Database
from ui.main_window import MainWindow
from ui.navigation_model import NavigationRole, NodeKind
from ui.runner import TaskRunner


def open_main_window(qtbot: QtBot, database: Database, tmp_path: Path) -> Iterator[MainWindow]:
    """A shown main window with its own settings file; the runner is shut down afterwards."""
    runner = TaskRunner(database)
    window = MainWindow(runner, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    runner.shutdown()


def select_node(window: MainWindow, competition: str | None, event: str | None = None) -> None:
    """Select the competition whose name contains ``competition`` (any, when None) or, with
    ``event``, its first event whose name starts with ``event``; AssertionError if none."""
    model = window.model
    for tier in range(model.rowCount()):
        for row in range(model.rowCount(model.index(tier, 0))):
            node = model.index(row, 0, model.index(tier, 0))
            if node.data(NavigationRole.KIND) != NodeKind.COMPETITION:
                continue
            if competition is not None and competition not in node.data():
                continue
            if event is None:
                window.tree.setCurrentIndex(node)
                return
            for child in range(model.rowCount(node)):
                index = model.index(child, 0, node)
                if index.data(NavigationRole.KIND) == NodeKind.EVENT and index.data().startswith(event):
                    window.tree.setCurrentIndex(index)
                    return
    raise AssertionError(f"no {competition} / {event} in the tree")
