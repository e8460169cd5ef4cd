"""The main window: lays out the navigation tree and the details panel and wires them up.

Features live in ``ui.actions`` / ``ui.commands``; this class stays small on purpose.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QItemSelectionModel, QModelIndex, QSettings, Qt
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QMainWindow, QSplitter, QToolBar, QTreeView

from competition_app.services.entries import EntryRow, list_entries
from competition_app.services.navigation import TierNode, load_navigation
from ui.actions import ActionCollection
from ui.details import DetailsPanel
from ui.navigation_model import Column, NavigationModel, NavigationRole
from ui.runner import TaskRunner

SETTINGS_GROUP = "main_window"
DEFAULT_SIZE = (1280, 800)
MINIMUM_SIZE = (720, 480)
DEFAULT_SPLIT = (380, 900)


class MainWindow(QMainWindow):
    def __init__(self, runner: TaskRunner, settings: QSettings | None = None) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.runner = runner
        runner.window = self
        self._settings = settings if settings is not None else QSettings()
        database = runner.database
        self.database_description = database.description if database is not None else ""
        if database is not None:
            self.setWindowTitle(Path(database.engine.url.database or "").name)

        self.model = NavigationModel(self)
        self.tree = QTreeView(self)
        self.tree.setObjectName("navigation")
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(Column.ENTRIES, QHeaderView.ResizeMode.ResizeToContents)
        self.details = DetailsPanel(self._load_entries, self)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("main_splitter")
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes(list(DEFAULT_SPLIT))
        self.setCentralWidget(self.splitter)

        self.action_collection = ActionCollection(self)
        self.action_collection.build_menus(self.menuBar())
        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("main_toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.action_collection.build_toolbar(self.toolbar)
        self.addToolBar(self.toolbar)
        self.action_collection.connect_handlers(self)

        self.totals_label = QLabel(self)
        self.database_label = QLabel(self.database_description, self)
        self.statusBar().addPermanentWidget(self.totals_label)
        self.statusBar().addPermanentWidget(self.database_label)

        self.tree.selectionModel().currentChanged.connect(self._current_changed)
        runner.changed.connect(self._data_changed)
        runner.message.connect(self.show_status)
        self.retranslate_ui()
        # An explicit minimum keeps the layout from changing it whenever the details page
        # changes (and the window manager from being asked to re-read the size hints).
        self.setMinimumSize(*MINIMUM_SIZE)
        self.resize(*DEFAULT_SIZE)
        self._restore_state()
        self.refresh()

    # --- data -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the tree from the database, keeping the current node selected if it still exists."""
        current = self.tree.currentIndex()
        kept = (current.data(NavigationRole.KIND), current.data(NavigationRole.ID)) if current.isValid() else None
        tiers: tuple[TierNode, ...] = self.runner.read(load_navigation) if self.runner.database else ()
        self.model.set_tiers(tiers)
        self.tree.expandAll()
        found = self.model.find(*kept) if kept else self.model.index(0, 0)
        if found.isValid():
            self.tree.selectionModel().setCurrentIndex(found, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self.tree.scrollTo(found)
        else:
            self.details.show_index(QModelIndex())
        self._update_totals()

    def _load_entries(self, event_id: int) -> tuple[EntryRow, ...]:
        return self.runner.read(lambda session: list_entries(session, event_id))

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.details.show_index(current.siblingAtColumn(Column.NAME))

    def _data_changed(self, _changes: frozenset[object]) -> None:
        self.refresh()

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _update_totals(self) -> None:
        competitions = [competition for tier in self.model.tiers for competition in tier.competitions]
        self.totals_label.setText(
            self.tr("{competitions} 项赛事 · {events} 个赛项 · 报名 {entries} 人次").format(
                competitions=len(competitions),
                events=sum(len(competition.events) for competition in competitions),
                entries=sum(competition.entry_count for competition in competitions),
            )
        )

    # --- window ---------------------------------------------------------------------------

    def retranslate_ui(self) -> None:
        self.action_collection.retranslate()
        self.toolbar.setWindowTitle(self.tr("工具栏"))
        self.model.retranslate()
        self.database_label.setToolTip(self.tr("当前打开的数据库"))
        self._update_totals()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not event.spontaneous():  # not when the window manager restores a minimised window
            self.tree.setFocus(Qt.FocusReason.OtherFocusReason)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._save_state()
        super().closeEvent(event)

    def _restore_state(self) -> None:
        settings = self._settings
        settings.beginGroup(SETTINGS_GROUP)
        try:
            for key, restore in (
                ("geometry", self.restoreGeometry),
                ("state", self.restoreState),
                ("splitter", self.splitter.restoreState),
            ):
                value = settings.value(key)
                if isinstance(value, QByteArray | bytes):
                    restore(QByteArray(value))
        finally:
            settings.endGroup()

    def _save_state(self) -> None:
        settings = self._settings
        settings.beginGroup(SETTINGS_GROUP)
        settings.setValue("geometry", self.saveGeometry())
        settings.setValue("state", self.saveState())
        settings.setValue("splitter", self.splitter.saveState())
        settings.endGroup()
        settings.sync()
