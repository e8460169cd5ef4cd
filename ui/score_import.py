"""Paper scores in and out of the app (评分 → 导出成绩录入表 / 导入纸质成绩表).

Export: choose the component (and, on a double-entry sheet, the pass) of the selected event,
then the file; the 成绩录入表 is written in the background. Import: choose the file and how to
read it (pass, replace), then the workbook is checked in the background and a preview lists
every problem (sheet, row, column) or every cell that would be keyed; only after 导入 is it
keyed, in one transaction, with progress and 取消. Dialogs answer through classmethods that
tests replace.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from competition_app.domain.marks import plain
from competition_app.tasks import Change, Progress
from ui.dialogs import ErrorDialog
from ui.i18n import QT_TRANSLATE_NOOP, translate
from ui.registration_io import FileDialogs, ProblemsModel

if TYPE_CHECKING:
    from competition_app.excel.scores_import import ScoresOutcome, ScoreWrite
    from competition_app.services.sheets import SheetStatus
    from ui.main_window import MainWindow

CONTEXT = "ScoreImport"
_ROOT = QModelIndex()


def _tr(text: str) -> str:
    return translate(CONTEXT, text)


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """How to read a scores workbook: all of it or one component, which pass, whether to replace."""

    event_id: int | None = None
    component_id: int | None = None
    pass_no: int | None = None
    """None: the pass the 成绩录入表 names (1 for the registration workbook's 成绩 sheet)."""
    replace: bool = False


# --- the two small questions ----------------------------------------------------------------


class TemplateOptionsDialog(QDialog):
    """Which component of the event, and which pass, to write a 成绩录入表 for."""

    def __init__(self, event_name: str, sheets: Sequence[SheetStatus], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scores_template_options")
        self.setWindowTitle(_tr("导出成绩录入表"))
        self._sheets = tuple(sheets)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_tr("赛项：{event}").format(event=event_name), self))
        form = QFormLayout()
        self.component = QComboBox(self)
        self.component.setObjectName("component")
        for status in self._sheets:
            self.component.addItem(f"{status.component_name}（{status.state.label}）", status.component_id)
        self.pass_no = QComboBox(self)
        self.pass_no.setObjectName("pass_no")
        self.pass_no.addItem(_tr("第1遍"), 1)
        self.pass_no.addItem(_tr("第2遍（双人录入的另一人）"), 2)
        form.addRow(_tr("评分项(&C)："), self.component)
        form.addRow(_tr("录入遍次(&P)："), self.pass_no)
        layout.addLayout(form)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_tr("导出"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_tr("取消"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.component.currentIndexChanged.connect(self._component_changed)
        self._component_changed()

    def _component_changed(self) -> None:
        status = self._sheets[self.component.currentIndex()] if self._sheets else None
        double = status is not None and status.double_entry
        if not double:
            self.pass_no.setCurrentIndex(0)
        self.pass_no.setEnabled(double)
        if status is None:
            self.note.setText("")
        elif double:
            self.note.setText(_tr("双人录入：两名录分员各自导出一遍，第2遍录入表不显示第1遍的成绩。"))
        else:
            self.note.setText(_tr("单人录入＋回读核对：只有第1遍。"))

    def choice(self) -> tuple[int, int]:
        return int(self.component.currentData()), int(self.pass_no.currentData())


class ImportOptionsDialog(QDialog):
    """How to read the chosen workbook: which component (default: as the workbook says), pass, replace."""

    def __init__(
        self, path: Path, event: tuple[int, str] | None, sheets: Sequence[SheetStatus], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("scores_import_options")
        self.setWindowTitle(_tr("导入纸质成绩表"))
        self._event_id = event[0] if event else None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_tr("工作簿：{name}").format(name=path.name), self))
        form = QFormLayout()
        self.component = QComboBox(self)
        self.component.setObjectName("component")
        self.component.addItem(_tr("按工作簿中注明的赛项和评分项"), None)
        for status in sheets:
            assert event is not None
            self.component.addItem(_tr("只导入 {event}：{component}").format(
                event=event[1], component=status.component_name), status.component_id)  # fmt: skip
        self.pass_no = QComboBox(self)
        self.pass_no.setObjectName("pass_no")
        self.pass_no.addItem(_tr("按成绩录入表中注明的（默认第1遍）"), None)
        self.pass_no.addItem(_tr("第1遍"), 1)
        self.pass_no.addItem(_tr("第2遍"), 2)
        self.replace = QCheckBox(_tr("替换数据库中不同的已有成绩(&R)（每处修改记入审计日志）"), self)
        self.replace.setObjectName("replace")
        form.addRow(_tr("范围(&S)："), self.component)
        form.addRow(_tr("录入遍次(&P)："), self.pass_no)
        layout.addLayout(form)
        layout.addWidget(self.replace)
        note = QLabel(_tr("先检查全部数据并预览，确认后才写入；有任何问题则不写入。"), self)
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_tr("检查"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_tr("取消"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def options(self) -> ImportOptions:
        component_id = self.component.currentData()
        pass_no = self.pass_no.currentData()
        return ImportOptions(
            self._event_id if component_id is not None else None,
            None if component_id is None else int(component_id),
            None if pass_no is None else int(pass_no),
            self.replace.isChecked(),
        )


class ScoreDialogs:
    """The questions export and import ask, behind classmethods that tests answer."""

    @classmethod
    def template_options(
        cls, parent: QWidget | None, event_name: str, sheets: Sequence[SheetStatus]
    ) -> tuple[int, int] | None:
        """(component id, pass) for a new 成绩录入表, or None when cancelled."""
        dialog = TemplateOptionsDialog(event_name, sheets, parent)
        return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None

    @classmethod
    def import_options(
        cls, parent: QWidget | None, path: Path, event: tuple[int, str] | None, sheets: Sequence[SheetStatus]
    ) -> ImportOptions | None:
        dialog = ImportOptionsDialog(path, event, sheets, parent)
        return dialog.options() if dialog.exec() == QDialog.DialogCode.Accepted else None


# --- the preview ----------------------------------------------------------------------------


class WritesModel(QAbstractTableModel):
    """The cells an import keys: component, pass, row code, column, old and new value, where in the file."""

    HEADERS = (
        QT_TRANSLATE_NOOP("WritesModel", "评分项"),
        QT_TRANSLATE_NOOP("WritesModel", "遍次"),
        QT_TRANSLATE_NOOP("WritesModel", "编号"),
        QT_TRANSLATE_NOOP("WritesModel", "列"),
        QT_TRANSLATE_NOOP("WritesModel", "原成绩"),
        QT_TRANSLATE_NOOP("WritesModel", "新成绩"),
        QT_TRANSLATE_NOOP("WritesModel", "工作簿位置"),
    )

    def __init__(self, writes: Sequence[ScoreWrite], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._writes = tuple(writes)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._writes)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        write = self._writes[index.row()]
        if role == Qt.ItemDataRole.ForegroundRole and write.is_change and index.column() in (4, 5):
            from PySide6.QtGui import QBrush, QColor

            return QBrush(QColor("#b00020"))
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        values = (
            write.component,
            str(write.ref.pass_no),
            write.code,
            write.column,
            "" if write.old is None else plain(write.old),
            plain(write.value),
            f"{write.sheet} {translate('WritesModel', '第{row}行').format(row=write.row)} {write.cell}",
        )
        return values[index.column()]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return translate("WritesModel", self.HEADERS[section])
        return None


def _table(parent: QWidget, name: str, model: QAbstractTableModel) -> QTableView:
    table = QTableView(parent)
    table.setObjectName(name)
    model.setParent(table)
    table.setModel(model)
    table.verticalHeader().hide()
    table.setWordWrap(True)
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    for column in range(model.columnCount() - 1):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(model.columnCount() - 1, QHeaderView.ResizeMode.Stretch)
    return table


class ScoresPreviewDialog(QDialog):
    """The checked workbook before anything is keyed: every problem, or every cell to key."""

    def __init__(self, outcome: ScoresOutcome, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scores_preview")
        self.setWindowTitle(_tr("导入纸质成绩表：{name}").format(name=path.name))
        report = outcome.report
        layout = QVBoxLayout(self)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        if report.ok:
            self.summary.setText(_tr("检查通过。{changes}").format(changes=outcome.counts.describe()))
        else:
            self.summary.setText(
                _tr("发现 {count} 个问题，未写入任何成绩。请改正工作簿后重新导入。").format(count=len(report.problems))
            )
            self.summary.setStyleSheet("color: #b00020;")
        layout.addWidget(self.summary)
        self.problems: QTableView | None = None
        self.writes: QTableView | None = None
        self.warnings: QTableView | None = None
        if not report.ok:
            self.problems = _table(self, "scores_problems", ProblemsModel(report.problems))
            layout.addWidget(self.problems, 1)
        else:
            if outcome.writes:
                self.writes = _table(self, "scores_writes", WritesModel(outcome.writes))
                layout.addWidget(self.writes, 3)
            if report.warnings:
                layout.addWidget(QLabel(_tr("提醒（不影响导入）："), self))
                self.warnings = _table(self, "scores_warnings", ProblemsModel(report.warnings))
                layout.addWidget(self.warnings, 1)
        buttons = QDialogButtonBox(self)
        self.import_button = None
        if report.ok and outcome.counts.changes:
            self.import_button = buttons.addButton(
                _tr("写入 {count} 个成绩").format(count=outcome.counts.changes), QDialogButtonBox.ButtonRole.AcceptRole
            )
            buttons.addButton(_tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
            self.import_button.setDefault(True)
        else:
            buttons.addButton(_tr("关闭"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(900, 520 if (self.problems or self.writes or self.warnings) else 160)

    @classmethod
    def ask(cls, parent: QWidget | None, outcome: ScoresOutcome, path: Path) -> bool:
        """Show the preview; True when the user chose to key the cells."""
        return cls(outcome, path, parent).exec() == QDialog.DialogCode.Accepted


# --- the actions ----------------------------------------------------------------------------


def _selected_event(window: MainWindow) -> int | None:
    from ui.commands import current_selection

    return current_selection(window)[1]


def _failed(window: MainWindow, title: str) -> Callable[[Exception], None]:
    def show(error: Exception) -> None:
        ErrorDialog.show_error(window, title, str(error))

    return show


def _event_sheets(window: MainWindow, event_id: int, title: str) -> tuple[str, tuple[SheetStatus, ...]] | None:
    """The event's name and its components' sheets, or None (the reason shown) when they cannot be read."""
    from competition_app.excel.scores_sheet import sheet_choices
    from competition_app.services.auth import AuthError

    try:
        return window.runner.read(lambda session: sheet_choices(session, event_id))
    except AuthError as error:
        ErrorDialog.show_error(window, title, str(error))
        return None


def export_scores_template(window: MainWindow) -> None:
    """评分 → 导出成绩录入表: the selected event's component as an Excel sheet for paper marks."""
    from competition_app.excel.scores_sheet import write_scores_sheet

    title = _tr("导出成绩录入表")
    event_id = _selected_event(window)
    if event_id is None:
        window.show_status(_tr("请先在左侧选择一个赛项"))
        return
    found = _event_sheets(window, event_id, title)
    if found is None:
        return
    event_name, sheets = found
    if not sheets:
        window.show_status(_tr("本赛项还没有评分项"))
        return
    choice = ScoreDialogs.template_options(window, event_name, sheets)
    if choice is None:
        return
    component_id, pass_no = choice
    component = next(status.component_name for status in sheets if status.component_id == component_id)
    suggested = _tr("{event}-{component}-第{n}遍成绩录入表.xlsx").format(
        event=event_name, component=component, n=pass_no
    )
    path = FileDialogs.save_path(window, title, suggested, _tr("Excel 工作簿 (*.xlsx)"))
    if path is None:
        return
    if path.suffix.lower() != ".xlsx":
        path = path.with_name(path.name + ".xlsx")

    def work(session: Any, progress: Progress) -> Path:
        progress.report(0, 1, title)
        return write_scores_sheet(session, event_id, component_id, path, pass_no=pass_no)

    window.runner.run_db(
        title,
        work,
        on_success=lambda written: window.show_status(_tr("已保存成绩录入表：{path}").format(path=written)),
        on_failure=_failed(window, title),
    )


def import_scores(window: MainWindow) -> None:
    """评分 → 导入纸质成绩表: check in the background, preview, then key everything or nothing."""
    from competition_app.excel.scores_import import import_scores as run_import

    title = _tr("导入纸质成绩表")
    path = FileDialogs.open_path(window, title, _tr("Excel 工作簿 (*.xlsx)"))
    if path is None:
        return
    event_id = _selected_event(window)
    event: tuple[int, str] | None = None
    sheets: tuple[SheetStatus, ...] = ()
    if event_id is not None:
        found = _event_sheets(window, event_id, title)
        if found is not None:
            event, sheets = (event_id, found[0]), found[1]
    options = ScoreDialogs.import_options(window, path, event, sheets)
    if options is None:
        return

    def run(session: Any, progress: Progress, *, dry_run: bool) -> ScoresOutcome:
        return run_import(session, path, event_id=options.event_id, component_id=options.component_id,
                          pass_no=options.pass_no, replace=options.replace, dry_run=dry_run,
                          progress=progress)  # fmt: skip

    def written(outcome: ScoresOutcome) -> None:
        if not outcome.report.ok:  # the database changed since the preview: show why now
            ScoresPreviewDialog.ask(window, outcome, path)
            return
        window.show_status(_tr("已导入成绩：{changes}").format(changes=outcome.counts.describe()))

    def checked(outcome: ScoresOutcome) -> None:
        if ScoresPreviewDialog.ask(window, outcome, path):
            window.runner.run_db(
                _tr("写入成绩"),
                lambda session, progress: run(session, progress, dry_run=False),
                on_success=written,
                on_failure=_failed(window, title),
                changes=frozenset({Change.SCORES}),
            )

    window.runner.run_db(
        _tr("检查成绩表"),
        lambda session, progress: run(session, progress, dry_run=True),
        on_success=checked,
        on_failure=_failed(window, title),
    )
