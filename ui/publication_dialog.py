"""成绩与证书 → 公示文件: 成绩公示, 获奖名单, 技术能手申报名单 and 晋升名单 for the selected competition.

The dialog asks for the 公示期 (default: from today, five working days), the contact for
objections (default: the organiser), a note, which documents, PDF and/or xlsx, and the folder.
The results are computed and the files written in the background
(``competition_app.publish_cli.write_publication``, with progress and 取消); the paths written
are reported at the end. The dialog answers through ``PublicationDialog.ask``, which tests replace.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QStandardPaths
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from competition_app.publish_cli import (
    DOCUMENTS,
    CompetitionHeading,
    PublicationOptions,
    Published,
    competition_heading,
    default_period,
    document_label,
    write_publication,
)
from competition_app.tasks import Change, Progress
from ui.dialogs import ErrorDialog, InfoDialog
from ui.i18n import translate

if TYPE_CHECKING:
    from ui.main_window import MainWindow

CONTEXT = "PublicationDialog"


def _tr(text: str) -> str:
    return translate(CONTEXT, text)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


@dataclass(frozen=True, slots=True)
class PublicationRequest:
    options: PublicationOptions
    folder: Path


class PublicationDialog(QDialog):
    """The questions before the documents are written."""

    def __init__(self, heading: CompetitionHeading, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("publication_dialog")
        self.setWindowTitle(_tr("输出公示文件"))
        self.heading = heading
        layout = QVBoxLayout(self)
        title = QLabel(_tr("赛事：{name}").format(name=heading.name), self)
        title.setWordWrap(True)
        layout.addWidget(title)

        layout.addLayout(self._period_form(today))
        layout.addWidget(self._documents_box())
        layout.addWidget(self._formats_box())
        self.stored = QCheckBox(_tr("使用已保存的成绩，不重新计算(&S)"), self)
        self.stored.setObjectName("stored")
        layout.addWidget(self.stored)
        layout.addLayout(self._folder_row())

        self.problem = QLabel(self)
        self.problem.setObjectName("problem")
        self.problem.setStyleSheet("color: #b00020;")
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_tr("输出"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_tr("取消"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        for box in (*self.documents.values(), *self.formats.values()):
            box.toggled.connect(self._check)
        self.period_from.dateChanged.connect(self._check)
        self.period_to.dateChanged.connect(self._check)
        self.folder.textChanged.connect(self._check)
        self._check()
        self.resize(560, self.sizeHint().height())

    def _period_form(self, today: date) -> QFormLayout:
        start, end = default_period(today)
        self.period_from = self._date_edit("period_from", start)
        self.period_to = self._date_edit("period_to", end)
        period = QHBoxLayout()
        period.addWidget(self.period_from)
        period.addWidget(QLabel(_tr("至"), self))
        period.addWidget(self.period_to)
        period.addStretch(1)
        self.contact = QLineEdit(self)
        self.contact.setObjectName("contact")
        self.contact.setPlaceholderText(self.heading.organiser or _tr("赛事组委会"))
        self.note = QLineEdit(self)
        self.note.setObjectName("note")
        self.note.setPlaceholderText(_tr("可选，印在公示末尾"))
        form = QFormLayout()
        period_label = QLabel(_tr("公示期(&D)："), self)
        period_label.setBuddy(self.period_from)
        form.addRow(period_label, period)
        form.addRow(_tr("异议联系方式(&C)："), self.contact)
        form.addRow(_tr("补充说明(&N)："), self.note)
        hint = QLabel(_tr("默认自今天起 5 个工作日（不计周六、周日；遇法定节假日请调整结束日期）。"), self)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666;")
        form.addRow("", hint)
        return form

    def _documents_box(self) -> QGroupBox:
        documents = QGroupBox(_tr("文件"), self)
        grid = QGridLayout(documents)
        self.documents: dict[str, QCheckBox] = {}
        for number, key in enumerate(DOCUMENTS):
            box = QCheckBox(document_label(key), documents)
            box.setObjectName(f"document_{key}")
            box.setChecked(True)
            grid.addWidget(box, number // 2, number % 2)
            self.documents[key] = box
        return documents

    def _formats_box(self) -> QGroupBox:
        formats = QGroupBox(_tr("格式"), self)
        row = QHBoxLayout(formats)
        self.formats: dict[str, QCheckBox] = {}
        for kind, label in (("pdf", _tr("PDF（A4，可盖章打印）")), ("xlsx", _tr("Excel 工作簿 (xlsx)"))):
            box = QCheckBox(label, formats)
            box.setObjectName(f"format_{kind}")
            box.setChecked(True)
            row.addWidget(box)
            self.formats[kind] = box
        row.addStretch(1)
        return formats

    def _folder_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.folder = QLineEdit(self)
        self.folder.setObjectName("folder")
        documents_dir = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        suggested = _tr("{prefix}公示文件").format(prefix=self.heading.file_prefix)
        self.folder.setText(str(Path(documents_dir or Path.home()) / suggested))
        browse = QPushButton(_tr("浏览(&B)…"), self)
        browse.setObjectName("browse")
        browse.clicked.connect(self._browse)
        label = QLabel(_tr("保存到(&F)："), self)
        label.setBuddy(self.folder)
        row.addWidget(label)
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        return row

    def _date_edit(self, name: str, day: date) -> QDateEdit:
        edit = QDateEdit(_qdate(day), self)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, _tr("选择保存公示文件的文件夹"), self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def problem_text(self) -> str:
        """Why 输出 is disabled, or ""."""
        if self.period_to.date() < self.period_from.date():
            return _tr("公示期结束日期不能早于开始日期")
        if not any(box.isChecked() for box in self.documents.values()):
            return _tr("请至少选择一种文件")
        if not any(box.isChecked() for box in self.formats.values()):
            return _tr("请至少选择 PDF 或 xlsx")
        if not self.folder.text().strip():
            return _tr("请选择保存的文件夹")
        return ""

    def _check(self) -> None:
        problem = self.problem_text()
        self.problem.setText(problem)
        self.ok_button.setEnabled(not problem)

    def request(self) -> PublicationRequest:
        options = PublicationOptions(
            period_from=_date(self.period_from.date()),
            period_to=_date(self.period_to.date()),
            contact=self.contact.text().strip() or None,
            note=self.note.text().strip() or None,
            documents=tuple(key for key, box in self.documents.items() if box.isChecked()),
            formats=tuple(kind for kind, box in self.formats.items() if box.isChecked()),
            stored=self.stored.isChecked(),
        )
        return PublicationRequest(options, Path(self.folder.text().strip()))

    @classmethod
    def ask(cls, parent: QWidget | None, heading: CompetitionHeading) -> PublicationRequest | None:
        """The user's choices, or None when cancelled."""
        dialog = cls(heading, date.today(), parent)
        return dialog.request() if dialog.exec() == QDialog.DialogCode.Accepted else None


def _written_message(published: Published, folder: Path) -> str:
    names: Sequence[str] = [path.name for path in published.paths]
    return _tr("已输出 {count} 个文件到 {folder}：\n{names}").format(
        count=len(names), folder=folder, names="\n".join(names)
    )


def export_publication(window: MainWindow) -> None:
    """成绩与证书 → 公示文件 (wired in ``ui.commands``)."""
    from competition_app.services.auth import AuthError
    from ui.commands import current_selection

    title = _tr("输出公示文件")
    competition_id = current_selection(window)[0]
    if competition_id is None:
        window.show_status(_tr("请先在左侧选择一个赛事"))
        return
    try:
        heading = window.runner.read(lambda session: competition_heading(session, competition_id))
    except (AuthError, ValueError) as error:
        ErrorDialog.show_error(window, title, str(error))
        return
    request = PublicationDialog.ask(window, heading)
    if request is None:
        return

    def work(session: Any, progress: Progress) -> Published:
        return write_publication(session, competition_id, request.folder, request.options, progress)

    def done(published: Published) -> None:
        window.show_status(_tr("已输出公示文件 {count} 个").format(count=len(published.paths)))
        InfoDialog.show_info(window, title, _written_message(published, request.folder))

    def failed(error: Exception) -> None:
        if isinstance(error, OSError):
            message = _tr("无法写入文件：{error}").format(error=error.strerror or error)
        else:
            message = str(error)
        ErrorDialog.show_error(window, title, message)

    window.runner.run_db(title, work, on_success=done, on_failure=failed, changes=frozenset({Change.RESULTS}))
