"""审计日志: the append-only log, filtered and paged, with a button that checks the hash chain.

Rows come a page at a time (``services.audit.search``, newest first) through the runner; the
table fetches the next page when it is scrolled to the end (or with 加载更多, Ctrl+L). Every
filter applies as soon as it changes (the person box after a short pause). 校验审计链 walks the
whole chain in the background and shows OK with the count, or the first broken link.

Keyboard: Ctrl+F goes to the person box, Enter from there to the table, F5 reloads, Ctrl+L
loads more, Ctrl+Shift+V checks the chain; everything else is reachable with Tab.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from competition_app.services.audit import (
    AuditChoices,
    AuditPage,
    AuditQuery,
    AuditRow,
    ChainReport,
    audit_choices,
    check_chain,
    search,
)
from competition_app.services.auth import AuthError
from competition_app.tasks import Progress
from ui.i18n import translate
from ui.tables import list_table

if TYPE_CHECKING:
    from ui.main_window import MainWindow
    from ui.runner import TaskRunner

CONTEXT = "AuditViewer"
PAGE_SIZE = 200
SEARCH_DELAY_MS = 300
DEFAULT_SIZE = (1200, 720)
NO_DATE = QDate(2000, 1, 1)
"""The date edits' minimum, shown as 不限."""


def _tr(text: str) -> str:
    return translate(CONTEXT, text)


COLUMNS = ("时间", "用户", "操作", "赛项", "对象", "人员", "旧值 → 新值", "原因")
_SAMPLES = (
    "2026-11-21 12:50:44",
    "管理员账户",
    "核定两遍不一致的成绩",
    "计算机程序设计员",
    "1125 · 技能操作 · 1号裁判",
    "欧阳娜娜",
)


class AuditModel(QAbstractTableModel):
    """The rows loaded so far; asks for the next page when the view reaches the end."""

    def __init__(self, fetch_more: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[AuditRow] = []
        self.total = 0
        self._fetch_more = fetch_more

    def set_page(self, page: AuditPage, *, append: bool) -> None:
        if append:
            first = len(self.rows)
            new = [row for row in page.rows if row.id < (self.rows[-1].id if self.rows else 1 << 62)]
            if new:
                self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
                self.rows += new
                self.endInsertRows()
        else:
            self.beginResetModel()
            self.rows = list(page.rows)
            self.endResetModel()
        self.total = page.total

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            orientation is Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return _tr(COLUMNS[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = self.cell_text(row, index.column())
            if role == Qt.ItemDataRole.ToolTipRole:
                return text if index.column() >= 4 and text else None
            return text
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None

    @staticmethod
    def cell_text(row: AuditRow, column: int) -> str:
        values = (
            row.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
            row.user_display,
            row.action_label,
            row.event_name or "",
            row.object,
            row.person_name or "",
            row.change,
            row.reason or "",
        )
        return values[column]

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:
        return not parent.isValid() and len(self.rows) < self.total

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:
        if self._fetch_more is not None and not parent.isValid():
            self._fetch_more()


class AuditLogWindow(QWidget):
    """Filters, the table, paging and the chain check."""

    loaded = Signal()
    """A page arrived (after ``reload`` or ``load_more``)."""
    verified = Signal(object)
    """The chain check finished: a ``ChainReport``, or the exception that stopped it."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("audit_log_window")
        self.runner = runner
        self._loading = False
        self._again = False

        self.event_filter = QComboBox(self)
        self.event_filter.setObjectName("audit_event")
        self.event_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.person = QLineEdit(self)
        self.person.setObjectName("audit_person")
        self.person.setClearButtonEnabled(True)
        self.user_filter = QComboBox(self)
        self.user_filter.setObjectName("audit_user")
        self.action_filter = QComboBox(self)
        self.action_filter.setObjectName("audit_action")
        self.since = self._date_edit("audit_since")
        self.until = self._date_edit("audit_until")
        self.since_label = QLabel(self)
        self.since_label.setBuddy(self.since)
        self.until_label = QLabel(self)
        self.until_label.setBuddy(self.until)

        self.model = AuditModel(self.load_more, self)
        self.table = self._make_table()
        self.count = QLabel(self)
        self.count.setObjectName("audit_count")
        self.more_button = QPushButton(self)
        self.more_button.setObjectName("audit_more")
        self.verify_button = QPushButton(self)
        self.verify_button.setObjectName("audit_verify")
        self.chain = QLabel(self)
        self.chain.setObjectName("audit_chain")
        self.chain.setWordWrap(True)
        self.chain.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self._lay_out()
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._connect()
        self.setMinimumSize(720, 400)
        self.retranslate()

    def _lay_out(self) -> None:
        filters = QHBoxLayout()
        filters.addWidget(self.event_filter, 3)
        filters.addWidget(self.person, 2)
        filters.addWidget(self.user_filter, 1)
        filters.addWidget(self.action_filter, 2)
        filters.addWidget(self.since_label)
        filters.addWidget(self.since)
        filters.addWidget(self.until_label)
        filters.addWidget(self.until)
        footer = QHBoxLayout()
        footer.addWidget(self.count, 1)
        footer.addWidget(self.more_button)
        footer.addWidget(self.verify_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.chain)
        layout.addLayout(footer)

    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit(self)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMinimumDate(NO_DATE)
        edit.setDate(NO_DATE)
        return edit

    def _make_table(self) -> QTableView:
        table = list_table(self, "audit_table", self.model)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = table.horizontalHeader()
        metrics = table.fontMetrics()
        for column, sample in enumerate(_SAMPLES):
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 24)
        header.resizeSection(6, metrics.horizontalAdvance("状态 已复核 → 裁判长签字锁定；指纹 — → fa285fd5…") + 24)
        return table

    def _connect(self) -> None:
        for combo in (self.event_filter, self.user_filter, self.action_filter):
            combo.currentIndexChanged.connect(self.reload)
        for edit in (self.since, self.until):
            edit.dateChanged.connect(self.reload)
        self.person.textChanged.connect(self._debounce.start)
        self.person.returnPressed.connect(self._focus_table)
        self._debounce.timeout.connect(self.reload)
        self.more_button.clicked.connect(self.load_more)
        self.verify_button.clicked.connect(self.verify_chain)
        shortcuts = (
            (QKeySequence(QKeySequence.StandardKey.Find), self.focus_person),
            (QKeySequence(Qt.Key.Key_F5), self.reload),
            (QKeySequence("Ctrl+L"), self.load_more),
            (QKeySequence("Ctrl+Shift+V"), self.verify_chain),
        )
        for keys, slot in shortcuts:
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    @classmethod
    def show_for(cls, window: MainWindow) -> AuditLogWindow:
        """Open the viewer as a window of its own beside the main window, or raise it."""
        viewer = window.findChild(cls, "audit_log_window")
        if viewer is None:
            viewer = cls(window.runner, window)
            viewer.setWindowFlag(Qt.WindowType.Window)
            viewer.resize(*DEFAULT_SIZE)
            viewer.load_choices()
            viewer.reload()
        viewer.show()
        viewer.raise_()
        viewer.activateWindow()
        viewer.focus_person()
        return viewer

    # --- data -----------------------------------------------------------------------------

    def load_choices(self) -> None:
        """Fill the event, user and action combos with what this reader may see (a quick read)."""
        try:
            choices: AuditChoices = self.runner.read(audit_choices)
        except AuthError as error:  # e.g. 没有查看审计日志的权限: said in the window
            self.count.setText(_tr("读取失败：{error}").format(error=error))
            return
        self._fill(self.event_filter, _tr("全部赛项"), [(choice.id, choice.label) for choice in choices.events])
        self._fill(self.user_filter, _tr("全部用户"), [(choice.id, choice.label) for choice in choices.users])
        self._fill(self.action_filter, _tr("全部操作"), [(choice.id, choice.label) for choice in choices.actions])

    @staticmethod
    def _fill(combo: QComboBox, everything: str, items: list[tuple[int | str, str]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        try:
            combo.clear()
            combo.addItem(everything, None)
            for value, label in items:
                combo.addItem(label, value)
            combo.setCurrentIndex(max(0, combo.findData(current)) if current is not None else 0)
        finally:
            combo.blockSignals(False)

    def query(self, offset: int = 0) -> AuditQuery:
        """The filters as a query (dates are local days; 截止 includes its day)."""
        since = self.since.date()
        until = self.until.date()
        return AuditQuery(
            event_id=self.event_filter.currentData(),
            person=self.person.text().strip() or None,
            username=self.user_filter.currentData(),
            action=self.action_filter.currentData(),
            since=None if since == NO_DATE else _local_start(since),
            until=None if until == NO_DATE else _local_start(until.addDays(1)),
            limit=PAGE_SIZE,
            offset=offset,
        )

    def reload(self) -> None:
        """The first page for the filters as they are now."""
        self._debounce.stop()
        self._fetch(self.query(), append=False)

    def load_more(self) -> None:
        """The next page, appended (when there is one and nothing is loading)."""
        if self._loading or len(self.model.rows) >= self.model.total:
            return
        self._fetch(self.query(len(self.model.rows)), append=True)

    def _fetch(self, query: AuditQuery, *, append: bool) -> None:
        if self._loading:
            self._again = not append  # a newer query replaces whatever comes back
            return
        self._loading = True

        def work(session: Any, _progress: Progress) -> AuditPage:
            return search(session, query)

        self.runner.run_db(
            _tr("读取审计日志"),
            work,
            on_success=lambda page: self._loaded(page, append=append),
            on_failure=self._failed,
        )

    def _loaded(self, page: AuditPage, *, append: bool) -> None:
        self._loading = False
        if self._again:
            self._again = False
            self.reload()
            return
        self.model.set_page(page, append=append)
        self._update_count()
        self.loaded.emit()

    def _failed(self, error: Exception) -> None:
        self._loading = self._again = False
        self.count.setText(_tr("读取失败：{error}").format(error=error))
        self.loaded.emit()

    def verify_chain(self) -> None:
        """Check the whole hash chain in the background; the result shows under the table."""
        self.verify_button.setEnabled(False)
        self.chain.setText(_tr("正在校验审计链……"))
        self.runner.run_db(
            _tr("校验审计链"), check_chain, on_success=self._chain_checked, on_failure=self._chain_failed
        )

    def _chain_checked(self, report: ChainReport) -> None:
        self.verify_button.setEnabled(True)
        colour = "#1B5E20" if report.ok else "#B00020"
        mark = "✓" if report.ok else "✗"
        self.chain.setStyleSheet(f"color: {colour};")
        self.chain.setText(f"{mark} {report.describe()}")
        self.verified.emit(report)

    def _chain_failed(self, error: Exception) -> None:
        self.verify_button.setEnabled(True)
        self.chain.setStyleSheet("color: #B00020;")
        self.chain.setText(_tr("无法校验审计链：{error}").format(error=error))
        self.verified.emit(error)

    # --- keyboard and text ----------------------------------------------------------------

    def focus_person(self) -> None:
        self.person.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.person.selectAll()

    def _focus_table(self) -> None:
        self.reload()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.model.rowCount() > 0:
            self.table.selectRow(0)

    def _update_count(self) -> None:
        self.count.setText(
            _tr("共 {total} 条，已显示 {shown} 条").format(total=self.model.total, shown=len(self.model.rows))
        )
        self.more_button.setEnabled(len(self.model.rows) < self.model.total)

    def retranslate(self) -> None:
        self.setWindowTitle(_tr("审计日志"))
        self.person.setPlaceholderText(_tr("人员：姓名、拼音或编号（Ctrl+F）"))
        self.since_label.setText(_tr("起(&S)"))
        self.until_label.setText(_tr("止(&E)"))
        for edit in (self.since, self.until):
            edit.setSpecialValueText(_tr("不限"))
        self.more_button.setText(_tr("加载更多(&L)"))
        self.more_button.setToolTip(_tr("Ctrl+L；表格滚动到底也会自动加载"))
        self.verify_button.setText(_tr("校验审计链(&V)"))
        self.verify_button.setToolTip(_tr("逐条核对哈希链，报告是否有记录在程序之外被改动或删除（Ctrl+Shift+V）"))
        for combo, text in (
            (self.event_filter, "全部赛项"),
            (self.user_filter, "全部用户"),
            (self.action_filter, "全部操作"),
        ):
            if combo.count():
                combo.setItemText(0, _tr(text))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        self._update_count()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def _local_start(day: QDate) -> datetime:
    """Midnight of ``day`` in local time, as an aware ``datetime``."""
    return datetime(day.year(), day.month(), day.day()).astimezone()


def show_audit_log(window: MainWindow) -> None:
    """评分 → 审计日志 (wired in ``ui.commands``)."""
    AuditLogWindow.show_for(window)
