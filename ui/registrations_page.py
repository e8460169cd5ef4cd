"""选手与报名: every person and entry of every competition in one table, searched as you type.

The rows come from ``list_registrations`` through the runner, in the background; typing filters
after a short pause (``SEARCH_DELAY_MS``) so that a fast typist does not filter 100,000 rows per
letter. Ctrl+F puts the cursor in the search box, Enter moves on to the table, Esc clears.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from competition_app.domain.enums import EntryStatus
from competition_app.services.registrations import (
    NO_ENTRY,
    EventChoice,
    RegistrationSearch,
    RegistrationTable,
    StatusFilter,
    list_registrations,
)
from competition_app.tasks import Change, Progress
from ui.i18n import translate
from ui.registrations_model import RegistrationColumn, RegistrationsModel

if TYPE_CHECKING:
    from ui.main_window import MainWindow
    from ui.runner import TaskRunner

CONTEXT = "RegistrationsPage"
SEARCH_DELAY_MS = 150
MINIMUM_SIZE = (640, 360)
DEFAULT_SIZE = (1200, 720)
RELOAD_ON = frozenset({Change.COMPETITIONS, Change.EVENTS, Change.PEOPLE, Change.ENTRIES})

# Column widths as sample text, so they follow the font (ResizeToContents would read 100,000 rows).
_SAMPLES: dict[RegistrationColumn, str] = {
    RegistrationColumn.NAME: "阿依古丽·买",
    RegistrationColumn.GENDER: "性别",
    RegistrationColumn.ID_NUMBER: "37081219910130287X",
    RegistrationColumn.UNIT: "兖州泰鼎重工装备有限公司",
    RegistrationColumn.REGION: "山东省济宁市兖州区",
    RegistrationColumn.PERSON_STATUS: "身份",
    RegistrationColumn.COMPETITION: "四川工匠杯",
    RegistrationColumn.EVENT: "计算机程序设计员",
    RegistrationColumn.GROUP: "职工组",
    RegistrationColumn.BIB: "参赛编号",
    RegistrationColumn.STATION: "工位号",
    RegistrationColumn.STATUS: "取消资格",
}


def _tr(text: str) -> str:
    return translate(CONTEXT, text)


class RegistrationsPage(QWidget):
    """The contestants and entries table with its search box, filters and count."""

    loaded = Signal()
    """New rows are in the table (after ``reload``)."""

    def __init__(self, runner: TaskRunner | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("registrations_page")
        self.runner = runner
        self._events: tuple[EventChoice, ...] = ()
        self._loading = False
        self._reload_again = False

        self.search = QLineEdit(self)
        self.search.setObjectName("registrations_search")
        self.search.setClearButtonEnabled(True)
        self.event_filter = QComboBox(self)
        self.event_filter.setObjectName("registrations_event")
        self.event_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.group_filter = QComboBox(self)
        self.group_filter.setObjectName("registrations_group")
        self.status_filter = QComboBox(self)
        self.status_filter.setObjectName("registrations_status")
        self.count = QLabel(self)
        self.count.setObjectName("registrations_count")

        self.model = RegistrationsModel(self)
        self.table = self._make_table()

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.event_filter, 2)
        filters.addWidget(self.group_filter, 1)
        filters.addWidget(self.status_filter, 1)
        filters.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._connect()
        if runner is not None:
            runner.changed.connect(self._data_changed)

        self._fill_event_filter()
        self._fill_status_filter()
        # An explicit minimum keeps the layout from changing it whenever the count label changes
        # (and the window manager from being asked to re-read the size hints), as in MainWindow.
        self.setMinimumSize(*MINIMUM_SIZE)
        self._fit_columns()
        self.retranslate()

    def _make_table(self) -> QTableView:
        table = QTableView(self)
        table.setObjectName("registrations_table")
        table.setModel(self.model)
        table.setSortingEnabled(True)
        table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the service's order until a header is clicked
        table.setAlternatingRowColors(True)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = table.verticalHeader()
        rows.setVisible(False)
        # Every row the same fixed height: the view never measures rows, whatever their number.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        return table

    def _connect(self) -> None:
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._debounce.start)
        self.search.returnPressed.connect(self._focus_table)
        self.event_filter.currentIndexChanged.connect(self._event_changed)
        self.group_filter.currentIndexChanged.connect(self.apply_filter)
        self.status_filter.currentIndexChanged.connect(self.apply_filter)
        for signal in (self.model.modelReset, self.model.layoutChanged):
            signal.connect(self._update_count)
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.activated.connect(self.focus_search)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.clear_search)

    @classmethod
    def show_for(cls, window: MainWindow) -> RegistrationsPage:
        """Open the page as a window of its own beside ``window`` (the main window), or raise it."""
        page = window.findChild(cls, "registrations_page")
        if page is None:
            page = cls(window.runner, window)
            page.setWindowFlag(Qt.WindowType.Window)
            page.resize(*DEFAULT_SIZE)
            page.reload()
        page.show()
        page.raise_()
        page.activateWindow()
        page.focus_search()
        return page

    # --- data -----------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the rows again in the background; the table keeps its filters and order."""
        runner = self.runner
        if runner is None or runner.database is None:
            return
        if self._loading:
            self._reload_again = True
            return
        self._loading = True

        def work(session: Any, _progress: Progress) -> tuple[RegistrationTable, RegistrationSearch]:
            table = list_registrations(session)
            return table, RegistrationSearch(table.rows)  # the search index too, off the UI thread

        runner.run_db(
            _tr("读取选手与报名"), work, on_success=lambda loaded: self.set_table(*loaded), on_failure=self._load_failed
        )

    def set_table(self, table: RegistrationTable, search: RegistrationSearch | None = None) -> None:
        self._loading = False
        self._events = table.events
        self._fill_event_filter()
        self.model.set_table(table, search)
        self.apply_filter()
        self.loaded.emit()
        if self._reload_again:
            self._reload_again = False
            self.reload()

    def _load_failed(self, error: Exception) -> None:
        self._loading = self._reload_again = False
        self.count.setText(_tr("读取失败：{error}").format(error=error))

    def _data_changed(self, changes: frozenset[Change]) -> None:
        if changes & RELOAD_ON:
            self.reload()

    # --- filtering ------------------------------------------------------------------------

    def apply_filter(self) -> None:
        """Filter now with what the search box and the combo boxes say (typing waits for the debounce)."""
        self._debounce.stop()
        status: StatusFilter = self.status_filter.currentData()
        self.model.set_filter(
            self.search.text(),
            event_id=self.event_filter.currentData(),
            group=self.group_filter.currentData(),
            status=status,
        )

    def clear_search(self) -> None:
        """Esc: the first clears the search text, the next one the event, group and status filters too."""
        if self.search.text():
            self.search.clear()
        else:
            for combo in (self.event_filter, self.group_filter, self.status_filter):
                combo.setCurrentIndex(0)
        self.apply_filter()
        self.focus_search()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _focus_table(self) -> None:
        self.apply_filter()
        if self.model.rowCount() > 0:
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
            self.table.selectRow(0)

    def _event_changed(self) -> None:
        self._fill_group_filter()
        self.apply_filter()

    def _fill_event_filter(self) -> None:
        combo = self.event_filter
        current = combo.currentData()
        combo.blockSignals(True)
        try:
            combo.clear()
            combo.addItem(_tr("全部赛项"), None)
            for event in self._events:
                combo.addItem(
                    _tr("{competition} · {event}").format(competition=event.competition, event=event.name), event.id
                )
            combo.setCurrentIndex(max(0, combo.findData(current)) if current is not None else 0)
        finally:
            combo.blockSignals(False)
        self._fill_group_filter()

    def _fill_group_filter(self) -> None:
        """The chosen event's groups; with no event chosen, every group name of every event."""
        event_id = self.event_filter.currentData()
        names: dict[str, None] = {}
        for event in self._events:
            if event_id is None or event.id == event_id:
                names.update(dict.fromkeys(event.groups))
        combo = self.group_filter
        current = combo.currentData()
        combo.blockSignals(True)
        try:
            combo.clear()
            combo.addItem(_tr("全部组别"), None)
            for name in names:
                combo.addItem(name, name)
            combo.setCurrentIndex(max(0, combo.findData(current)) if current is not None else 0)
        finally:
            combo.blockSignals(False)

    def _fill_status_filter(self) -> None:
        combo = self.status_filter
        current = combo.currentIndex()
        combo.blockSignals(True)
        try:
            combo.clear()
            combo.addItem(_tr("全部状态"), None)
            for status in EntryStatus:
                combo.addItem(status.label, status.value)
            combo.addItem(_tr("未报名"), NO_ENTRY)
            combo.setCurrentIndex(max(0, current))
        finally:
            combo.blockSignals(False)

    def _update_count(self) -> None:
        self.count.setText(
            _tr("共 {total} 人次，显示 {shown}").format(total=self.model.total_count, shown=self.model.rowCount())
        )

    def _fit_columns(self) -> None:
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        for column, sample in _SAMPLES.items():
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 24)

    # --- language -------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(_tr("选手与报名"))
        self.search.setPlaceholderText(_tr("姓名、拼音首字母、证件号、参赛编号、单位或地区"))
        self.search.setToolTip(_tr("多个词用空格分开，须全部符合（Ctrl+F 查找，Esc 清除）"))
        self.event_filter.setItemText(0, _tr("全部赛项"))
        self.group_filter.setItemText(0, _tr("全部组别"))
        self._fill_status_filter()
        self.model.retranslate()
        self._update_count()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
