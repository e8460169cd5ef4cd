"""生成证书 and 打印机校准: issue and render certificates for the selected competition.

The certificate dialog chooses the kind (获奖证书, by place with 前 N 名, 荣誉证书), the events
(all by default), 发证单位 and 发证日期 (the competition's organiser and last day), one PDF or
one file per certificate, the folder, pre-printed stock with the printer whose calibration
shifts the fields, and optionally a TrueType font. 生成 issues and renders in the background
(``services.certificate_batch.generate`` through the runner: progress and cancel; a cancelled
run rolls back, so no number is spent). The summary says how many certificates were newly
issued, reused or voided and replaced, and why events were skipped; a single PDF opens in the
preview, whose 打印… records each certificate printed.

The calibration dialog edits a printer's X/Y offsets, prints a pre-printed-mode test page and
saves the offsets (``save_calibration``).

Keyboard: every field is reachable with Tab; Enter generates (or saves); Esc closes.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QStandardPaths, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from competition_app.certificates.numbering import chinese_date
from competition_app.certificates.render import CertificateItem, render_certificates
from competition_app.certificates.selection import KINDS
from competition_app.pdf.fonts import FontError
from competition_app.pdf.system_fonts import resolve_font, system_cjk_fonts
from competition_app.services.certificate_batch import (
    MAX_OFFSET_MM,
    BatchOptions,
    Generated,
    builtin_template,
    calibration,
    calibrations,
    generate,
    save_calibration,
    template_for,
)
from competition_app.services.navigation import competition_summary
from competition_app.tasks import Change, Progress
from ui.i18n import translate
from ui.pdf_preview import PdfPreviewWindow, show_pdf

if TYPE_CHECKING:
    from ui.main_window import MainWindow
    from ui.runner import TaskRunner

CONTEXT = "Certificates"


def _tr(text: str) -> str:
    return translate(CONTEXT, text)


@dataclass(frozen=True, slots=True)
class CompetitionInfo:
    """What the dialog needs to know of the competition: its defaults and its events."""

    id: int
    name: str
    organiser: str
    end_date: date | None
    events: tuple[tuple[int, str], ...]


def competition_info(session: Any, competition_id: int) -> CompetitionInfo | None:
    """The competition as the navigation service shows it to the user (None if not visible)."""
    competition = competition_summary(session, competition_id)
    if competition is None:
        return None
    return CompetitionInfo(
        competition.id,
        competition.name,
        competition.organiser or "",
        competition.end_date or competition.start_date,
        tuple((event.id, event.name) for event in competition.events),
    )


def available_printers() -> list[str]:
    return list(QPrinterInfo.availablePrinterNames())


class Choosers:
    """Folder and file choosers behind classmethods, so tests can answer them."""

    @classmethod
    def folder(cls, parent: QWidget | None, start: str) -> str | None:
        path = QFileDialog.getExistingDirectory(parent, _tr("选择输出文件夹"), start)
        return path or None

    @classmethod
    def font(cls, parent: QWidget | None) -> str | None:
        path, _selected = QFileDialog.getOpenFileName(
            parent, _tr("选择字体文件"), "", _tr("TrueType 字体 (*.ttf *.ttc);;所有文件 (*)")
        )
        return path or None


def _default_folder() -> str:
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return str(Path(documents or Path.home()) / _tr("证书"))


def _to_qdate(value: date | None) -> QDate:
    if value is None:
        today = date.today()
        return QDate(today.year, today.month, today.day)
    return QDate(value.year, value.month, value.day)


def summary_text(result: Generated, event_names: dict[int, str] | None = None) -> str:
    """The Chinese summary shown after generating: counts, then each skipped event and why."""
    prepared = result.prepared
    lines = [
        _tr("共 {count} 张{kind}：新发 {issued} 张，沿用 {reused} 张，作废重发 {voided} 张。").format(
            count=len(prepared.items),
            kind=_tr(KINDS[prepared.kind]),
            issued=prepared.issued,
            reused=prepared.reused,
            voided=prepared.voided,
        )
    ]
    certified = sorted({item.event for item in prepared.items})
    if certified:
        lines.append(_tr("已发证赛项：{events}").format(events="、".join(certified)))
    if result.paths:
        if len(result.paths) == 1:
            lines.append(_tr("文件：{path}").format(path=result.paths[0]))
        else:
            lines.append(
                _tr("已写入 {count} 个文件到 {folder}").format(count=len(result.paths), folder=result.paths[0].parent)
            )
    if prepared.skipped:
        lines.append(_tr("未发证的赛项（{count} 个）：").format(count=len(prepared.skipped)))
        lines.extend(f"· {reason}" for reason in prepared.skipped)
    return "\n".join(lines)


class CertificatesDialog(QDialog):
    """Choose what to issue and how to print it, then 生成."""

    generated = Signal(object)
    """The ``Generated`` result, after the summary is shown."""
    failed = Signal(str)

    def __init__(self, runner: TaskRunner, info: CompetitionInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.runner = runner
        self.info = info
        self.result_value: Generated | None = None
        self.preview: PdfPreviewWindow | None = None
        self.setWindowTitle(_tr("生成证书 — {name}").format(name=info.name))
        self._offsets: dict[str, tuple[float, float]] = runner.read(calibrations)
        self._make_widgets()
        self._lay_out()
        self._connect()
        self._kind_changed()
        self._stock_changed()

    # --- building -----------------------------------------------------------------------------

    def _make_widgets(self) -> None:
        self.kind_box = QComboBox(self)
        for kind, label in KINDS.items():
            self.kind_box.addItem(_tr(label), kind)
        self.top_spin = QSpinBox(self)
        self.top_spin.setRange(1, 999)
        self.top_spin.setValue(3)
        self.top_spin.setPrefix(_tr("前 "))
        self.top_spin.setSuffix(_tr(" 名"))
        self.events_model = QStandardItemModel(self)
        for event_id, name in self.info.events:
            item = QStandardItem(name)
            item.setData(event_id, Qt.ItemDataRole.UserRole)
            item.setCheckable(True)
            item.setEditable(False)
            item.setCheckState(Qt.CheckState.Checked)
            self.events_model.appendRow(item)
        self.events_view = QListView(self)
        self.events_view.setModel(self.events_model)
        self.events_view.setMaximumHeight(150)
        self.all_events_button = QPushButton(_tr("全选"), self)
        self.no_events_button = QPushButton(_tr("全不选"), self)
        self.issuer_edit = QLineEdit(self.info.organiser, self)
        self.date_edit = QDateEdit(_to_qdate(self.info.end_date), self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.one_file_radio = QRadioButton(_tr("合成一个 PDF（可预览、打印）"), self)
        self.each_file_radio = QRadioButton(_tr("每张证书一个文件"), self)
        self.one_file_radio.setChecked(True)
        self.output_group = QButtonGroup(self)
        self.output_group.addButton(self.one_file_radio)
        self.output_group.addButton(self.each_file_radio)
        self.folder_edit = QLineEdit(_default_folder(), self)
        self.folder_button = QPushButton(_tr("浏览…"), self)
        self.preprinted_box = QCheckBox(_tr("套打（证书纸已印好底版，只打印变量文字）"), self)
        self.printer_box = QComboBox(self)
        names = available_printers()
        for name in sorted(set(names) | set(self._offsets)):
            self.printer_box.addItem(name)
        self.offset_label = QLabel(self)
        self.font_edit = QLineEdit(self)
        self.font_edit.setPlaceholderText(_tr("留空使用内置字体（霞鹜文楷）；也可填本机字体名称，如 楷体、宋体"))
        self.font_edit.setCompleter(QCompleter([font.name for font in system_cjk_fonts()], self.font_edit))
        self.font_button = QPushButton(_tr("浏览…"), self)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.summary = QPlainTextEdit(self)
        self.summary.setReadOnly(True)
        self.summary.setPlaceholderText(_tr("生成后在此显示结果"))
        self.summary.setMaximumHeight(150)
        self.buttons = QDialogButtonBox(self)
        self.generate_button = self.buttons.addButton(_tr("生成"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = self.buttons.addButton(_tr("关闭"), QDialogButtonBox.ButtonRole.RejectRole)
        self.generate_button.setDefault(True)

    def _lay_out(self) -> None:
        form = QFormLayout()
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.kind_box, 1)
        kind_row.addWidget(self.top_spin)
        form.addRow(_tr("证书类型(&K)"), kind_row)
        events = QVBoxLayout()
        events.addWidget(self.events_view)
        event_buttons = QHBoxLayout()
        event_buttons.addWidget(self.all_events_button)
        event_buttons.addWidget(self.no_events_button)
        event_buttons.addStretch(1)
        events.addLayout(event_buttons)
        form.addRow(_tr("赛项(&E)"), events)
        form.addRow(_tr("发证单位(&U)"), self.issuer_edit)
        form.addRow(_tr("发证日期(&D)"), self.date_edit)
        output = QVBoxLayout()
        output.addWidget(self.one_file_radio)
        output.addWidget(self.each_file_radio)
        form.addRow(_tr("输出"), output)
        folder = QHBoxLayout()
        folder.addWidget(self.folder_edit, 1)
        folder.addWidget(self.folder_button)
        form.addRow(_tr("保存到(&F)"), folder)
        form.addRow("", self.preprinted_box)
        printer = QHBoxLayout()
        printer.addWidget(self.printer_box, 1)
        printer.addWidget(self.offset_label)
        form.addRow(_tr("打印机(&P)"), printer)
        font = QHBoxLayout()
        font.addWidget(self.font_edit, 1)
        font.addWidget(self.font_button)
        form.addRow(_tr("字体文件(&T)"), font)
        for label, buddy in (
            (form.labelForField(kind_row), self.kind_box),
            (form.labelForField(events), self.events_view),
            (form.labelForField(folder), self.folder_edit),
            (form.labelForField(printer), self.printer_box),
            (form.labelForField(font), self.font_edit),
        ):
            if isinstance(label, QLabel):
                label.setBuddy(buddy)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(620)

    def _connect(self) -> None:
        self.kind_box.currentIndexChanged.connect(self._kind_changed)
        self.preprinted_box.toggled.connect(self._stock_changed)
        self.printer_box.currentTextChanged.connect(self._stock_changed)
        self.all_events_button.clicked.connect(lambda: self._check_all(Qt.CheckState.Checked))
        self.no_events_button.clicked.connect(lambda: self._check_all(Qt.CheckState.Unchecked))
        self.folder_button.clicked.connect(self._choose_folder)
        self.font_button.clicked.connect(self._choose_font)
        self.generate_button.clicked.connect(self.start)
        self.close_button.clicked.connect(self.reject)

    # --- reactions ----------------------------------------------------------------------------

    def _kind_changed(self) -> None:
        self.top_spin.setVisible(self.kind_box.currentData() == "rank")

    def _stock_changed(self) -> None:
        preprinted = self.preprinted_box.isChecked()
        self.printer_box.setEnabled(preprinted)
        name = self.printer_box.currentText()
        if not name:
            self.offset_label.setText(_tr("没有可用的打印机"))
            return
        x, y = self._offsets.get(name, (0.0, 0.0))
        self.offset_label.setText(_tr("校准偏移：X {x:+.1f} 毫米，Y {y:+.1f} 毫米").format(x=x, y=y))
        self.offset_label.setEnabled(preprinted)

    def _check_all(self, state: Qt.CheckState) -> None:
        for row in range(self.events_model.rowCount()):
            item = self.events_model.item(row)
            if item is not None:
                item.setCheckState(state)

    def _choose_folder(self) -> None:
        folder = Choosers.folder(self, self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)

    def _choose_font(self) -> None:
        font = Choosers.font(self)
        if font:
            self.font_edit.setText(font)

    # --- generating ---------------------------------------------------------------------------

    def chosen_events(self) -> tuple[int, ...]:
        chosen = []
        for row in range(self.events_model.rowCount()):
            item = self.events_model.item(row)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                chosen.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return tuple(chosen)

    def options(self) -> BatchOptions:
        kind = str(self.kind_box.currentData())
        day = self.date_edit.date()
        return BatchOptions(
            kind=kind,
            event_ids=self.chosen_events(),
            top=self.top_spin.value() if kind == "rank" else None,
            issuer=self.issuer_edit.text().strip() or None,
            issue_date=date(day.year(), day.month(), day.day()),
        )

    def start(self) -> None:
        """Check the form, then issue and render in the background."""
        options = self.options()
        folder = self.folder_edit.text().strip()
        if not options.event_ids:
            self.message.setText(_tr("请至少选择一个赛项"))
            return
        if not folder:
            self.message.setText(_tr("请选择保存证书的文件夹"))
            self.folder_edit.setFocus()
            return
        try:  # a file, or a system font's name (楷体, 宋体 …); checked before anything runs
            font = resolve_font(self.font_edit.text().strip() or None)
        except FontError as error:
            self.message.setText(str(error))
            self.font_edit.setFocus()
            return
        one_file = self.one_file_radio.isChecked()
        preprinted = self.preprinted_box.isChecked()
        printer = self.printer_box.currentText() or None
        competition_id = self.info.id

        def work(session: Any, progress: Progress) -> Generated:
            return generate(
                session,
                competition_id,
                folder,
                options,
                one_file=one_file,
                preprinted=preprinted,
                printer=printer if preprinted else None,
                font=font,
                progress=progress,
            )

        self.generate_button.setEnabled(False)
        self.message.setText(_tr("正在生成证书…"))
        self.runner.run_db(
            _tr("生成证书"),
            work,
            on_success=self._finished,
            on_failure=self._failed,
            changes=frozenset({Change.CERTIFICATES}),
            on_cancel=self._cancelled,
        )

    def _cancelled(self) -> None:
        self.generate_button.setEnabled(True)
        self.message.setText(_tr("已取消，没有发出任何证书编号"))

    def _finished(self, result: Generated) -> None:
        self.generate_button.setEnabled(True)
        self.result_value = result
        self.summary.setPlainText(summary_text(result))
        if not result.prepared.items:
            self.message.setText(_tr("没有生成证书"))
        else:
            self.message.setText(_tr("已生成 {count} 张证书").format(count=len(result.prepared.items)))
        if len(result.paths) == 1 and len(result.prepared.items) > 0 and self.one_file_radio.isChecked():
            printer = self.printer_box.currentText() if self.preprinted_box.isChecked() else None
            self.preview = show_pdf(
                self.parentWidget() or self,
                result.paths[0],
                self.runner,
                [item.number for item in result.prepared.items],
                printer_name=printer or None,
            )
        self.generated.emit(result)

    def _failed(self, error: Exception) -> None:
        self.generate_button.setEnabled(True)
        text = _tr("生成证书失败：{error}").format(error=str(error) or type(error).__name__)
        self.message.setText(text)
        self.failed.emit(text)


def generate_certificates(window: MainWindow) -> CertificatesDialog | None:
    """生成证书 for the competition selected in the tree."""
    from ui.commands import current_selection

    competition_id, _event_id = current_selection(window)
    if competition_id is None:
        window.show_status(_tr("请先在左侧选择赛事"))
        return None
    info = window.runner.read(lambda session: competition_info(session, competition_id))
    if info is None:
        window.show_status(_tr("找不到所选赛事"))
        return None
    dialog = CertificatesDialog(window.runner, info, window)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


# --- printer calibration ----------------------------------------------------------------------


def sample_item() -> CertificateItem:
    """A made-up certificate for the calibration page: long enough texts to see every field."""
    return CertificateItem(
        number="JZ0000-00-0000",
        name=_tr("校准样张"),
        unit=_tr("校准用单位名称（示例）"),
        competition=_tr("打印机校准页"),
        event=_tr("示例赛项"),
        group=_tr("示例组别"),
        award=_tr("一等奖"),
        issuer=_tr("发证单位（示例）"),
        date=chinese_date(date.today()),
        payload="CALIBRATION",
    )


class CalibrationDialog(QDialog):
    """A printer's offsets for pre-printed stock: edit, print a test page, save."""

    saved = Signal(str, float, float)
    test_page_ready = Signal(str)

    def __init__(self, runner: TaskRunner, competition_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.runner = runner
        self.competition_id = competition_id
        self.preview: PdfPreviewWindow | None = None
        self.setWindowTitle(_tr("打印机校准"))
        self.printer_box = QComboBox(self)
        self.printer_box.setEditable(True)
        self.printer_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        known = runner.read(calibrations)
        for name in sorted(set(available_printers()) | set(known)):
            self.printer_box.addItem(name)
        self.x_spin = self._offset_spin()
        self.y_spin = self._offset_spin()
        self.hint = QLabel(
            _tr(
                "在证书纸上打印校准页，量出文字相对底版方框的偏差：文字偏左则 X 填正数，"
                "文字偏下则 Y 填正数（单位毫米，±{limit}）。"
            ).format(limit=int(MAX_OFFSET_MM)),
            self,
        )
        self.hint.setWordWrap(True)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.test_button = self.buttons.addButton(_tr("打印校准页"), QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button = self.buttons.addButton(_tr("保存"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = self.buttons.addButton(_tr("关闭"), QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        form = QFormLayout()
        form.addRow(_tr("打印机(&P)"), self.printer_box)
        form.addRow(_tr("水平偏移 X(&X)"), self.x_spin)
        form.addRow(_tr("垂直偏移 Y(&Y)"), self.y_spin)
        for field in (self.printer_box, self.x_spin, self.y_spin):
            label = form.labelForField(field)
            if isinstance(label, QLabel):
                label.setBuddy(field)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self.printer_box.currentTextChanged.connect(self.load_offsets)
        self.test_button.clicked.connect(self.print_test_page)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.reject)
        if self.printer_box.count() == 0:
            self.message.setText(_tr("系统中没有找到打印机；可以直接输入打印机名称"))
        self.load_offsets()

    def _offset_spin(self) -> QDoubleSpinBox:
        spin = QDoubleSpinBox(self)
        spin.setRange(-MAX_OFFSET_MM, MAX_OFFSET_MM)
        spin.setSingleStep(0.1)
        spin.setDecimals(1)
        spin.setSuffix(_tr(" 毫米"))
        return spin

    def printer(self) -> str:
        return self.printer_box.currentText().strip()

    def load_offsets(self) -> None:
        name = self.printer()
        x, y = self.runner.read(lambda session: calibration(session, name)) if name else (0.0, 0.0)
        self.x_spin.setValue(x)
        self.y_spin.setValue(y)

    def offsets(self) -> tuple[float, float]:
        return (round(self.x_spin.value(), 1), round(self.y_spin.value(), 1))

    def save(self) -> None:
        name = self.printer()
        if not name:
            self.message.setText(_tr("请选择或输入打印机名称"))
            self.printer_box.setFocus()
            return
        x, y = self.offsets()

        def work(session: Any, _progress: Progress) -> None:
            save_calibration(session, name, x, y)

        def done(_result: None) -> None:
            self.message.setText(_tr("已保存“{printer}”的偏移：X {x:+.1f} 毫米，Y {y:+.1f} 毫米").format(
                printer=name, x=x, y=y))  # fmt: skip
            self.saved.emit(name, x, y)

        def failed(error: Exception) -> None:
            self.message.setText(_tr("保存失败：{error}").format(error=error))

        self.runner.run_db(
            _tr("保存打印机校准"), work, on_success=done, on_failure=failed, changes=frozenset({Change.SETTINGS})
        )

    def print_test_page(self) -> None:
        """Render the pre-printed-mode test page with the offsets as typed and open it to print."""
        offset = self.offsets()
        competition_id = self.competition_id
        target = Path(tempfile.mkdtemp(prefix="calibration-")) / (_tr("校准页") + ".pdf")

        def work(session: Any, progress: Progress) -> str:
            template = template_for(session, competition_id, "award") if competition_id else builtin_template("award")
            render_certificates(
                [sample_item()], target, template=template, preprinted=True, offset_mm=offset, progress=progress
            )
            return str(target)

        def ready(path: str) -> None:
            name = self.printer()
            self.preview = show_pdf(
                self.parentWidget() or self, path, printer_name=name or None, title=_tr("打印机校准页")
            )
            self.message.setText(_tr("校准页已生成，请在预览窗口中打印"))
            self.test_page_ready.emit(path)

        def failed(error: Exception) -> None:
            self.message.setText(_tr("无法生成校准页：{error}").format(error=error))

        self.runner.run_db(_tr("生成校准页"), work, on_success=ready, on_failure=failed)


def calibrate_printer(window: MainWindow) -> CalibrationDialog:
    """打印机校准 (the selected competition's template, when one is selected, gives the layout)."""
    from ui.commands import current_selection

    competition_id, _event_id = current_selection(window)
    dialog = CalibrationDialog(window.runner, competition_id, window)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
