"""成绩与证书 → 证书登记簿: every certificate of the selected competition, voids and verification.

The list (``services.certificates.register``) shows number, holder, unit, event, award, status
(有效/已作废), when it was issued and how often it was printed; the search box filters it. 作废…
asks for a reason and voids the selected certificate through the runner (audited). The 核验
box takes a QR payload or a bare number and shows ``verify(...).describe()`` in green (genuine)
or red. The window reloads itself when certificates change anywhere in the app.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from competition_app.services.auth import AuthError
from competition_app.services.certificates import CertificateError, RegisterRow, register, verify, void
from competition_app.tasks import Change, Progress
from ui.dialogs import ErrorDialog
from ui.i18n import QT_TRANSLATE_NOOP, translate
from ui.tables import list_table

if TYPE_CHECKING:
    from ui.main_window import MainWindow
    from ui.runner import TaskRunner

CONTEXT = "CertificateRegister"
_ROOT = QModelIndex()
GENUINE_STYLE = "color: #1b5e20; background: #e8f5e9; padding: 6px;"
NOT_GENUINE_STYLE = "color: #b00020; background: #fdecea; padding: 6px;"
DEFAULT_SIZE = (1000, 600)


def _tr(text: str) -> str:
    return translate(CONTEXT, text)


class RegisterModel(QAbstractTableModel):
    """The register's rows; a voided certificate is grey, its reason in the tooltip."""

    HEADERS = (
        QT_TRANSLATE_NOOP("RegisterModel", "证书编号"),
        QT_TRANSLATE_NOOP("RegisterModel", "持证人"),
        QT_TRANSLATE_NOOP("RegisterModel", "单位"),
        QT_TRANSLATE_NOOP("RegisterModel", "赛项"),
        QT_TRANSLATE_NOOP("RegisterModel", "奖项"),
        QT_TRANSLATE_NOOP("RegisterModel", "状态"),
        QT_TRANSLATE_NOOP("RegisterModel", "发证时间"),
        QT_TRANSLATE_NOOP("RegisterModel", "打印次数"),
    )
    STATUS_COLUMN = 5

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: tuple[RegisterRow, ...] = ()

    def set_rows(self, rows: Sequence[RegisterRow]) -> None:
        self.beginResetModel()
        self.rows = tuple(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.ForegroundRole and row.voided:
            return QBrush(QColor("#b00020") if index.column() == self.STATUS_COLUMN else QColor("#888888"))
        if role == Qt.ItemDataRole.ToolTipRole and row.voided:
            return translate("RegisterModel", "已作废：{reason}").format(reason=row.void_reason or "")
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == len(self.HEADERS) - 1:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        values = (
            row.number,
            row.holder_name,
            row.unit_name or "",
            row.event or "",
            row.award_text,
            row.status_label,
            row.issued_at.astimezone().strftime("%Y-%m-%d %H:%M"),
            str(row.print_count),
        )
        return values[index.column()]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return translate("RegisterModel", self.HEADERS[section])
        return None


class VoidDialogs:
    """The reason for a void, behind a classmethod that tests answer."""

    @classmethod
    def reason(cls, parent: QWidget | None, number: str, holder: str) -> str | None:
        """The reason typed, or None when cancelled."""
        text, ok = QInputDialog.getText(
            parent,
            _tr("作废证书"),
            _tr("作废证书 {number}（{holder}）。编号作废后不再使用。\n作废原因：").format(number=number, holder=holder),
        )
        return text.strip() if ok else None


class CertificateRegisterWindow(QWidget):
    """The register of one competition, with 作废… and the 核验 box."""

    loaded = Signal()
    """The rows were (re)loaded."""
    voided = Signal(str)
    """A certificate was voided (its number)."""

    def __init__(self, runner: TaskRunner, competition_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("certificate_register")
        self.setWindowTitle(_tr("证书登记簿"))
        self.runner = runner
        self.competition_id = competition_id

        self.search = QLineEdit(self)
        self.search.setObjectName("register_search")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(_tr("按编号、姓名、单位、赛项筛选"))
        self.count = QLabel(self)
        self.count.setObjectName("register_count")
        self.model = RegisterModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = self._make_table()
        self.void_button = QPushButton(_tr("作废(&V)…"), self)
        self.void_button.setObjectName("register_void")
        self.void_button.clicked.connect(self.void_selected)
        self.reload_button = QPushButton(_tr("刷新(&R)"), self)
        self.reload_button.clicked.connect(self.reload)

        self.verify_input = QLineEdit(self)
        self.verify_input.setObjectName("register_verify_input")
        self.verify_input.setPlaceholderText(_tr("粘贴二维码内容或输入证书编号"))
        self.verify_input.returnPressed.connect(self.check)
        self.verify_button = QPushButton(_tr("核验(&C)"), self)
        self.verify_button.setObjectName("register_verify")
        self.verify_button.clicked.connect(self.check)
        self.verdict = QLabel(self)
        self.verdict.setObjectName("register_verdict")
        self.verdict.setWordWrap(True)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._layout()
        self.table.selectionModel().currentRowChanged.connect(self._update_buttons)
        runner.changed.connect(self._changed)
        self._update_buttons()

    def _make_table(self) -> QTableView:
        table = list_table(self, "register_table", self.proxy)
        table.setSortingEnabled(True)
        table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        return table

    def _layout(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        search_label = QLabel(_tr("筛选(&F)："), self)
        search_label.setBuddy(self.search)
        top.addWidget(search_label)
        top.addWidget(self.search, 1)
        top.addWidget(self.count)
        top.addWidget(self.reload_button)
        top.addWidget(self.void_button)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        check = QHBoxLayout()
        check_label = QLabel(_tr("核验(&Y)："), self)
        check_label.setBuddy(self.verify_input)
        check.addWidget(check_label)
        check.addWidget(self.verify_input, 1)
        check.addWidget(self.verify_button)
        layout.addLayout(check)
        layout.addWidget(self.verdict)

    @classmethod
    def show_for(cls, window: MainWindow, competition_id: int) -> CertificateRegisterWindow:
        """Open the register of the competition as a window of its own, or raise the open one."""
        name = f"certificate_register_{competition_id}"
        viewer = window.findChild(cls, name)
        if viewer is None:
            viewer = cls(window.runner, competition_id, window)
            viewer.setObjectName(name)
            viewer.setWindowFlag(Qt.WindowType.Window)
            viewer.resize(*DEFAULT_SIZE)
            viewer.reload()
        viewer.show()
        viewer.raise_()
        viewer.activateWindow()
        return viewer

    # --- data -----------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the register again (a quick read on this thread)."""
        try:
            rows = self.runner.read(lambda session: register(session, self.competition_id))
        except AuthError as error:
            self.model.set_rows(())
            self.count.setText(_tr("读取失败：{error}").format(error=error))
        else:
            self.model.set_rows(rows)
            voided = sum(row.voided for row in rows)
            self.count.setText(_tr("共 {count} 张，其中作废 {voided} 张").format(count=len(rows), voided=voided))
        self._update_buttons()
        self.loaded.emit()

    def _changed(self, changes: frozenset[object]) -> None:
        if Change.CERTIFICATES in changes or Change.RESULTS in changes:
            self.reload()

    def selected_row(self) -> RegisterRow | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.rows[self.proxy.mapToSource(index).row()]

    def _update_buttons(self, *_args: object) -> None:
        row = self.selected_row()
        self.void_button.setEnabled(row is not None and not row.voided)

    # --- actions --------------------------------------------------------------------------

    def void_selected(self) -> None:
        """作废…: ask for a reason, then void the selected certificate in the background."""
        row = self.selected_row()
        if row is None or row.voided:
            return
        reason = VoidDialogs.reason(self, row.number, row.holder_name)
        if reason is None:
            return
        title = _tr("作废证书")
        if not reason:
            ErrorDialog.show_error(self, title, _tr("作废证书 {number} 需要填写原因").format(number=row.number))
            return
        number = row.number

        def work(session: Any, progress: Progress) -> str:
            progress.report(0, 1, number)
            void(session, number, reason)
            return number

        self.runner.run_db(
            title,
            work,
            on_success=self.voided.emit,
            on_failure=lambda error: ErrorDialog.show_error(self, title, str(error)),
            changes=frozenset({Change.CERTIFICATES}),
        )

    def check(self) -> None:
        """核验: the verdict on what is in the box, green when genuine, red otherwise."""
        text = self.verify_input.text().strip()
        if not text:
            self.verdict.clear()
            self.verdict.setStyleSheet("")
            return
        try:
            verification = self.runner.read(lambda session: verify(session, text))
        except (AuthError, CertificateError) as error:
            self.verdict.setText(str(error))
            self.verdict.setStyleSheet(NOT_GENUINE_STYLE)
            self.verdict.setProperty("genuine", False)
            return
        self.verdict.setText(verification.describe())
        self.verdict.setStyleSheet(GENUINE_STYLE if verification.genuine else NOT_GENUINE_STYLE)
        self.verdict.setProperty("genuine", verification.genuine)


def show_register(window: MainWindow) -> None:
    """成绩与证书 → 证书登记簿 (wired in ``ui.commands``)."""
    from ui.commands import current_selection

    competition_id = current_selection(window)[0]
    if competition_id is None:
        window.show_status(_tr("请先在左侧选择一个赛事"))
        return
    CertificateRegisterWindow.show_for(window, competition_id)
