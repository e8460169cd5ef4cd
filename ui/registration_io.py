"""Registration in and out of the app: the workbook template and import, exports, the draw.

Each function here is an action handler (registered in ``ui.commands``); the work runs in the
background runner, files are chosen in dialogs that tests replace through ``FileDialogs``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from competition_app.domain.enums import DrawKind
from competition_app.tasks import Change, Progress
from ui.dialogs import ErrorDialog, InfoDialog
from ui.i18n import QT_TRANSLATE_NOOP, translate

if TYPE_CHECKING:
    from ui.main_window import MainWindow

CONTEXT = "RegistrationIO"
_ROOT = QModelIndex()


def _tr(text: str) -> str:
    return translate(CONTEXT, text)


class FileDialogs:
    """File choosers behind classmethods, so tests can answer them."""

    @classmethod
    def save_path(cls, parent: QWidget | None, title: str, suggested: str, filters: str) -> Path | None:
        path, _selected = QFileDialog.getSaveFileName(parent, title, suggested, filters)
        return Path(path) if path else None

    @classmethod
    def open_path(cls, parent: QWidget | None, title: str, filters: str) -> Path | None:
        path, _selected = QFileDialog.getOpenFileName(parent, title, "", filters)
        return Path(path) if path else None


class DrawDialogs:
    """The questions a draw asks: a seed (optional), a reason for a redraw, a confirmation to decrypt."""

    @classmethod
    def seed(cls, parent: QWidget | None, kind_label: str) -> str | None:
        """The seed typed, "" for a random one, None when cancelled."""
        text, ok = QInputDialog.getText(
            parent,
            _tr("抽签"),
            _tr("抽取{kind}。随机种子（留空则自动生成并记录；相同种子得到相同结果）：").format(kind=kind_label),
            QLineEdit.EchoMode.Normal,
        )
        return text.strip() if ok else None

    @classmethod
    def reason(cls, parent: QWidget | None, title: str, prompt: str) -> str | None:
        text, ok = QInputDialog.getText(parent, title, prompt, QLineEdit.EchoMode.Normal)
        return text.strip() if ok and text.strip() else None

    @classmethod
    def confirm(cls, parent: QWidget | None, title: str, text: str) -> bool:
        answer = QMessageBox.question(parent, title, text)
        return answer == QMessageBox.StandardButton.Yes


def selection(window: MainWindow) -> tuple[int | None, int | None]:
    from ui.commands import current_selection

    return current_selection(window)


def _failed(window: MainWindow, title: str) -> Callable[[Exception], None]:
    def show(error: Exception) -> None:
        ErrorDialog.show_error(window, title, str(error))

    return show


def _write_bytes(
    window: MainWindow,
    title: str,
    produce: Callable[[Any], bytes],
    path: Path,
) -> None:
    def work(session: Any, progress: Progress) -> Path:
        progress.report(0, 1, title)
        data = produce(session)
        path.write_bytes(data)
        return path

    def done(written: Path) -> None:
        window.show_status(_tr("已保存：{path}").format(path=written))

    window.runner.run_db(title, work, on_success=done, on_failure=_failed(window, title))


# --- exports --------------------------------------------------------------------------------


Producer = Callable[..., bytes]  # (session, competition_id, *, event_id) → the file's bytes


def _export(window: MainWindow, title: str, suggested: str, filters: str, producer: Callable[[Path], Producer]) -> None:
    """Ask where to save, then write what ``producer(path)`` makes for the selected competition,
    or for the selected event only."""
    competition_id, event_id = selection(window)
    if competition_id is None:
        window.show_status(_tr("请先在左侧选择一项赛事或赛项"))
        return
    path = FileDialogs.save_path(window, title, suggested, filters)
    if path is not None:
        produce = producer(path)
        _write_bytes(window, title, lambda session: produce(session, competition_id, event_id=event_id), path)


def export_roster(window: MainWindow) -> None:
    from competition_app.exports.registration import roster_xlsx

    _export(window, _tr("导出报名名单"), _tr("报名名单.xlsx"), _tr("Excel 工作簿 (*.xlsx)"), lambda _: roster_xlsx)


def export_signin(window: MainWindow) -> None:
    from competition_app.exports.registration import signin_sheet_pdf

    _export(window, _tr("打印签到表"), _tr("签到表.pdf"), _tr("PDF 文件 (*.pdf)"), lambda _: signin_sheet_pdf)


def export_bibs(window: MainWindow) -> None:
    from competition_app.exports.registration import bib_list_pdf, bib_list_xlsx

    def by_suffix(path: Path) -> Producer:
        return bib_list_pdf if path.suffix.lower() == ".pdf" else bib_list_xlsx

    filters = _tr("Excel 工作簿 (*.xlsx);;PDF 文件 (*.pdf)")
    _export(window, _tr("导出参赛编号/工位号对照表"), _tr("参赛编号对照表.xlsx"), filters, by_suffix)


# --- the draw -------------------------------------------------------------------------------


def run_draw(window: MainWindow, kind: DrawKind) -> None:
    from competition_app.services.draw import current_draw, draw, draw_sheet_pdf

    _competition_id, event_id = selection(window)
    if event_id is None:
        window.show_status(_tr("请先在左侧选择一个赛项"))
        return
    previous = window.runner.read(lambda session: current_draw(session, event_id, kind))
    reason: str | None = None
    if previous is not None:
        reason = DrawDialogs.reason(
            window,
            _tr("重新抽签"),
            _tr("本赛项已于{at}抽过{kind}（种子 {seed}）。重新抽签须填写原因，将记入审计日志：").format(
                at=previous.drawn_at.astimezone().strftime("%Y-%m-%d %H:%M"), kind=kind.label, seed=previous.seed
            ),
        )
        if reason is None:
            return
    seed = DrawDialogs.seed(window, kind.label)
    if seed is None:
        return

    def work(session: Any, progress: Progress) -> Any:
        progress.report(0, 1, _tr("抽签"))
        return draw(session, event_id, kind, seed=seed or None, reason=reason)

    def done(result: Any) -> None:
        InfoDialog.show_info(
            window,
            _tr("抽签完成"),
            _tr("已为{count}个参赛单位抽取{kind}，随机种子 {seed}。请打印抽签结果表。").format(
                count=len(result.values), kind=kind.label, seed=result.seed
            ),
        )
        path = FileDialogs.save_path(window, _tr("保存抽签结果表"), _tr("抽签结果表.pdf"), _tr("PDF 文件 (*.pdf)"))
        if path is not None:
            _write_bytes(window, _tr("生成抽签结果表"), lambda s: draw_sheet_pdf(s, event_id, kind), path)

    window.runner.run_db(
        _tr("抽签"), work, on_success=done, on_failure=_failed(window, _tr("抽签")), changes=frozenset({Change.ENTRIES})
    )


def draw_stations(window: MainWindow) -> None:
    run_draw(window, DrawKind.STATION)


def draw_codes(window: MainWindow) -> None:
    run_draw(window, DrawKind.ANON_CODE)


def reveal_codes(window: MainWindow) -> None:
    from competition_app.services.draw import reveal

    _competition_id, event_id = selection(window)
    if event_id is None:
        window.show_status(_tr("请先在左侧选择一个赛项"))
        return
    if not DrawDialogs.confirm(
        window,
        _tr("解密"),
        _tr("解密后检录号与选手的对应关系将对裁判可见，且不能再重新抽取检录号。确认评分已全部完成并解密？"),
    ):
        return

    def work(session: Any, progress: Progress) -> Any:
        return reveal(session, event_id, username=None)

    window.runner.run_db(
        _tr("解密"),
        work,
        on_success=lambda _at: window.show_status(_tr("已解密")),
        on_failure=_failed(window, _tr("解密")),
        changes=frozenset({Change.ENTRIES}),
    )


# --- the workbook ---------------------------------------------------------------------------


def write_template(window: MainWindow) -> None:
    from competition_app.excel.template import write_template as write

    path = FileDialogs.save_path(
        window, _tr("导出竞赛工作簿模板"), _tr("竞赛工作簿模板.xlsx"), _tr("Excel 工作簿 (*.xlsx)")
    )
    if path is None:
        return

    def work(progress: Progress) -> Path:
        progress.report(0, 1, _tr("生成模板"))
        write(path, with_scores=True)
        return path

    window.runner.run(
        _tr("导出模板"),
        work,
        on_success=lambda written: window.show_status(_tr("已保存模板：{path}").format(path=written)),
        on_failure=_failed(window, _tr("导出模板")),
    )


class ProblemsModel(QAbstractTableModel):
    """The problems (or warnings) of an import: sheet, row, column, message."""

    HEADERS = (
        QT_TRANSLATE_NOOP("ProblemsModel", "工作表"),
        QT_TRANSLATE_NOOP("ProblemsModel", "行"),
        QT_TRANSLATE_NOOP("ProblemsModel", "列"),
        QT_TRANSLATE_NOOP("ProblemsModel", "问题"),
    )

    def __init__(self, problems: Sequence[Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._problems = tuple(problems)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._problems)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        problem = self._problems[index.row()]
        values = (problem.sheet, str(problem.row) if problem.row else "", problem.column, problem.message)
        return values[index.column()]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return translate("ProblemsModel", self.HEADERS[section])
        return None


class ImportPreviewDialog(QDialog):
    """What an import would do, or why it cannot: the checked workbook before anything is written."""

    def __init__(self, outcome: Any, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("import_preview")
        self.setWindowTitle(_tr("导入工作簿：{name}").format(name=path.name))
        report = outcome.report
        layout = QVBoxLayout(self)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        if report.ok:
            text = _tr("检查通过，可以导入。{changes}").format(changes=outcome.counts.describe())
        else:
            text = _tr("发现 {count} 个问题，未导入任何数据。请在工作簿中改正后重新导入。").format(
                count=len(report.problems)
            )
            self.summary.setStyleSheet("color: #b00020;")
        self.summary.setText(text)
        layout.addWidget(self.summary)
        shown = report.problems if not report.ok else report.warnings
        if report.ok and report.warnings:
            layout.addWidget(QLabel(_tr("提醒（不影响导入）："), self))
        self.table = QTableView(self)
        self.table.setObjectName("import_problems")
        self.table.setModel(ProblemsModel(shown, self.table))
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setVisible(bool(shown))
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(self)
        if report.ok and outcome.counts.changes:
            self.import_button = buttons.addButton(_tr("导入"), QDialogButtonBox.ButtonRole.AcceptRole)
            buttons.addButton(_tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        else:
            buttons.addButton(_tr("关闭"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(860, 480 if shown else 160)

    @classmethod
    def ask(cls, parent: QWidget | None, outcome: Any, path: Path) -> bool:
        """Show the preview; True when the user chose to import."""
        return cls(outcome, path, parent).exec() == QDialog.DialogCode.Accepted


def import_workbook(window: MainWindow) -> None:
    from competition_app.excel.importer import import_workbook as run_import

    path = FileDialogs.open_path(window, _tr("导入竞赛工作簿"), _tr("Excel 工作簿 (*.xlsx)"))
    if path is None:
        return

    def check(session: Any, progress: Progress) -> Any:
        return run_import(session, path, dry_run=True, progress=progress)

    def write(session: Any, progress: Progress) -> Any:
        return run_import(session, path, progress=progress)

    def written(outcome: Any) -> None:
        if not outcome.written and not outcome.report.ok:  # the database changed since the preview
            ImportPreviewDialog.ask(window, outcome, path)
            return
        window.show_status(_tr("已导入：{changes}").format(changes=outcome.counts.describe()))

    def checked(outcome: Any) -> None:
        if ImportPreviewDialog.ask(window, outcome, path):
            window.runner.run_db(
                _tr("导入工作簿"),
                write,
                on_success=written,
                on_failure=_failed(window, _tr("导入工作簿")),
                changes=frozenset({Change.COMPETITIONS, Change.EVENTS, Change.PEOPLE, Change.ENTRIES}),
            )

    window.runner.run_db(_tr("检查工作簿"), check, on_success=checked, on_failure=_failed(window, _tr("导入工作簿")))
