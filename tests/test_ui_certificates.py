"""生成证书, the PDF preview and its printing, 打印机校准: on the demo database through the main window."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from competition_app.services.certificate_batch import Generated, calibration
from competition_app.services.certificates import print_count
from competition_app.services.demo import JINING_COMPETITION
from competition_app.tasks import Cancelled, Progress
from db.session import Database
from tests.support.windows import select_node
from ui import certificates_dialog
from ui.actions import ActionId
from ui.certificates_dialog import CalibrationDialog, CertificatesDialog
from ui.main_window import MainWindow
from ui.pdf_preview import PdfPreviewWindow, PrintDialogs, paint_pdf, print_pdf_file

WAIT_MS = 60_000
# offscreen has no window stack and no size hints
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")
SKIPPED = "赛项“焊工”的成绩尚未全部由裁判长签字锁定，不能发证"


def open_dialog(window: MainWindow, tmp_path: Path) -> CertificatesDialog:
    select_node(window, JINING_COMPETITION)
    window.action_collection[ActionId.CERTIFICATES].trigger()
    dialogs = window.findChildren(CertificatesDialog)
    assert len(dialogs) == 1
    dialog = dialogs[0]
    dialog.folder_edit.setText(str(tmp_path / "证书"))
    return dialog


def run(qtbot: QtBot, dialog: CertificatesDialog) -> Generated:
    with qtbot.waitSignal(dialog.generated, timeout=WAIT_MS) as blocker:
        dialog.generate_button.click()
    result = blocker.args[0]
    assert isinstance(result, Generated)
    return result


def close_previews(window: MainWindow) -> None:
    for preview in window.findChildren(PdfPreviewWindow):
        preview.close()


def test_award_certificates_are_generated_summarised_previewed_and_reused(
    qtbot: QtBot, main_window: MainWindow, tmp_path: Path
) -> None:
    dialog = open_dialog(main_window, tmp_path)
    assert dialog.kind_box.currentData() == "award"
    assert dialog.issuer_edit.text() == "济宁市人力资源和社会保障局、济宁市总工会"
    assert dialog.date_edit.date().toString("yyyy-MM-dd") == "2026-07-10"
    assert len(dialog.chosen_events()) == dialog.events_model.rowCount() == 6
    assert dialog.one_file_radio.isChecked()

    result = run(qtbot, dialog)
    assert len(result.paths) == 1 and result.paths[0].parent == tmp_path / "证书"
    reader = PdfReader(result.paths[0])
    assert len(reader.pages) == 12
    text = "".join(page.extract_text() for page in reader.pages)
    for item in result.prepared.items:
        assert item.name in text and item.number in text
    assert "许宁飞" in text and "JN2026-DG-0001" in text

    summary = dialog.summary.toPlainText()
    assert "共 12 张获奖证书：新发 12 张，沿用 0 张，作废重发 0 张" in summary
    assert "已发证赛项：电工" in summary
    assert SKIPPED in summary and "未发证的赛项（5 个）" in summary

    previews = main_window.findChildren(PdfPreviewWindow)
    assert len(previews) == 1
    preview = previews[0]
    assert preview.document.status() == QPdfDocument.Status.Ready
    assert preview.document.pageCount() == 12
    assert preview.numbers == tuple(item.number for item in result.prepared.items)
    assert preview.page_label.text() == "第 1 / 12 页"
    preview.go_to(11)
    assert preview.page_label.text() == "第 12 / 12 页" and not preview.next_button.isEnabled()
    close_previews(main_window)

    again = run(qtbot, dialog)
    assert (again.prepared.issued, again.prepared.reused, again.prepared.voided) == (0, 12, 0)
    assert [item.number for item in again.prepared.items] == [item.number for item in result.prepared.items]
    assert "新发 0 张，沿用 12 张" in dialog.summary.toPlainText()
    close_previews(main_window)


def test_only_the_chosen_events_and_one_file_each(qtbot: QtBot, main_window: MainWindow, tmp_path: Path) -> None:
    dialog = open_dialog(main_window, tmp_path)
    dialog.no_events_button.click()
    dialog.generate_button.click()
    assert dialog.message.text() == "请至少选择一个赛项"
    for row in range(dialog.events_model.rowCount()):
        item = dialog.events_model.item(row)
        if item.text() in ("电工", "焊工"):
            item.setCheckState(Qt.CheckState.Checked)
    dialog.each_file_radio.setChecked(True)
    result = run(qtbot, dialog)
    assert len(result.paths) == 12 and all(path.exists() for path in result.paths)
    assert all(len(PdfReader(path).pages) == 1 for path in result.paths)
    summary = dialog.summary.toPlainText()
    assert SKIPPED in summary and "未发证的赛项（1 个）" in summary
    assert main_window.findChildren(PdfPreviewWindow) == []  # one file each: nothing to preview


def test_a_font_that_cannot_be_used_is_reported_in_chinese(
    qtbot: QtBot, main_window: MainWindow, tmp_path: Path
) -> None:
    dialog = open_dialog(main_window, tmp_path)
    dialog.font_edit.setText(str(tmp_path / "缺少.ttf"))
    dialog.generate_button.click()
    assert dialog.message.text().startswith("找不到字体文件")
    broken = tmp_path / "坏字体.ttf"
    broken.write_bytes(b"not a font at all")
    dialog.font_edit.setText(str(broken))
    with qtbot.waitSignal(dialog.failed, timeout=WAIT_MS) as blocker:
        dialog.generate_button.click()
    assert blocker.args[0].startswith("生成证书失败：")
    assert any("\u4e00" <= char <= "\u9fff" for char in blocker.args[0][len("生成证书失败：") :])
    assert dialog.generate_button.isEnabled()


def test_a_cancelled_print_job_is_aborted(qtbot: QtBot, main_window: MainWindow, tmp_path: Path) -> None:
    dialog = open_dialog(main_window, tmp_path)
    (path,) = run(qtbot, dialog).paths
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "cancelled.pdf"))
    printer.setResolution(72)

    def cancel_after_the_second_page(done: int, _total: int, _text: str) -> None:
        if done >= 2:
            progress.cancel()

    progress = Progress(cancel_after_the_second_page)
    with pytest.raises(Cancelled):
        print_pdf_file(path, printer, progress)
    # A real printer's job is aborted; PDF output cannot abort, so it holds what was painted.
    output = tmp_path / "cancelled.pdf"
    assert not output.exists() or len(PdfReader(output).pages) < 12


def test_paint_pdf_prints_every_page_on_a_paged_device(qtbot: QtBot, main_window: MainWindow, tmp_path: Path) -> None:
    dialog = open_dialog(main_window, tmp_path)
    result = run(qtbot, dialog)
    close_previews(main_window)
    document = QPdfDocument()
    assert document.load(str(result.paths[0])) == QPdfDocument.Error.None_
    landscape = document.pagePointSize(0).width() > document.pagePointSize(0).height()

    writer_path = tmp_path / "writer.pdf"
    writer = QPdfWriter(str(writer_path))
    writer.setResolution(72)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    assert paint_pdf(document, writer, [0, 1, 2]) == 3
    del writer  # the file is finished when the writer goes
    assert len(PdfReader(writer_path).pages) == 3

    printer_path = tmp_path / "printer.pdf"
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(printer_path))
    painted: list[int] = []
    assert paint_pdf(document, printer, on_page=painted.append) == 12
    assert painted == list(range(12))
    pages = PdfReader(printer_path).pages
    assert len(pages) == 12
    box = pages[0].mediabox
    assert (float(box.width) > float(box.height)) == landscape
    assert printer.pageLayout().orientation() == (
        QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    )


def test_printing_from_the_preview_records_each_certificate_and_a_reprint_needs_a_reason(
    qtbot: QtBot, main_window: MainWindow, demo_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = open_dialog(main_window, tmp_path)
    result = run(qtbot, dialog)
    numbers = [item.number for item in result.prepared.items]
    preview = main_window.findChildren(PdfPreviewWindow)[0]
    output = tmp_path / "printed.pdf"

    def choose(cls: object, parent: object, printer: QPrinter) -> bool:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(output))
        printer.setResolution(72)
        return True

    reasons: list[int] = []

    def reason(cls: object, parent: object, count: int) -> str | None:
        reasons.append(count)
        return "卡纸重打" if len(reasons) > 1 else None

    monkeypatch.setattr(PrintDialogs, "choose_printer", classmethod(choose))
    monkeypatch.setattr(PrintDialogs, "reprint_reason", classmethod(reason))
    with qtbot.waitSignal(preview.printed, timeout=WAIT_MS) as blocker:
        preview.print_document()
    assert blocker.args == [12]
    assert len(PdfReader(output).pages) == 12
    assert "已登记 12 张证书的打印" in preview.message.text()
    with demo_database.session() as session:
        assert [print_count(session, number) for number in numbers] == [1] * 12

    output.unlink()
    preview.print_document()  # a reprint: the reason is refused (None), so nothing is printed
    assert reasons == [12] and not output.exists()
    assert "补打证书需要填写原因" in preview.message.text()
    with qtbot.waitSignal(preview.printed, timeout=WAIT_MS):
        preview.print_document()
    assert reasons == [12, 12]
    with demo_database.session() as session:
        assert [print_count(session, number) for number in numbers] == [2] * 12
    close_previews(main_window)


def test_the_dialog_is_driven_by_the_keyboard(qtbot: QtBot, main_window: MainWindow, tmp_path: Path) -> None:
    dialog = open_dialog(main_window, tmp_path)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    dialog.kind_box.setFocus()
    qtbot.keyClick(dialog.kind_box, Qt.Key.Key_Down)
    assert dialog.kind_box.currentData() == "rank" and dialog.top_spin.isVisibleTo(dialog)
    qtbot.keyClick(dialog.kind_box, Qt.Key.Key_Tab)
    assert dialog.top_spin.hasFocus()
    dialog.top_spin.selectAll()
    qtbot.keyClicks(dialog.top_spin, "2")
    assert dialog.top_spin.value() == 2
    qtbot.keyClick(dialog, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    assert dialog.events_view.hasFocus()
    dialog.events_view.setCurrentIndex(dialog.events_model.index(0, 0))
    qtbot.keyClick(dialog.events_view, Qt.Key.Key_Space)
    assert dialog.events_model.item(0).checkState() == Qt.CheckState.Unchecked
    qtbot.keyClick(dialog.events_view, Qt.Key.Key_Space)
    assert dialog.events_model.item(0).checkState() == Qt.CheckState.Checked
    qtbot.keyClick(dialog, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    assert dialog.issuer_edit.hasFocus()
    with qtbot.waitSignal(dialog.generated, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(dialog.issuer_edit, Qt.Key.Key_Return)
    result = blocker.args[0]
    assert result.prepared.kind == "rank"
    assert {item.award for item in result.prepared.items} <= {"第一名", "第二名"}
    assert result.prepared.items and all(item.issuer == "济宁市人力资源和社会保障局、济宁市总工会"
                                         for item in result.prepared.items)  # fmt: skip
    close_previews(main_window)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_calibration_saves_offsets_and_prints_a_test_page(
    qtbot: QtBot, main_window: MainWindow, demo_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(certificates_dialog, "available_printers", lambda: ["办公室激光打印机"])
    main_window.action_collection[ActionId.PRINTER_CALIBRATION].trigger()
    dialog = main_window.findChildren(CalibrationDialog)[0]
    assert dialog.printer() == "办公室激光打印机"
    assert (dialog.x_spin.value(), dialog.y_spin.value()) == (0.0, 0.0)
    assert dialog.x_spin.minimum() == -50.0 and dialog.x_spin.maximum() == 50.0
    assert dialog.x_spin.singleStep() == pytest.approx(0.1)

    dialog.printer_box.setEditText("证书打印机")
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(dialog, Qt.Key.Key_X, Qt.KeyboardModifier.AltModifier)
    assert dialog.x_spin.hasFocus()
    dialog.x_spin.lineEdit().selectAll()
    qtbot.keyClicks(dialog.x_spin, "1.5")
    qtbot.keyClick(dialog.x_spin, Qt.Key.Key_Tab)
    assert dialog.y_spin.hasFocus()
    dialog.y_spin.lineEdit().selectAll()
    qtbot.keyClicks(dialog.y_spin, "-2.3")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(dialog.y_spin, Qt.Key.Key_Return)
    assert blocker.args == ["证书打印机", 1.5, -2.3]
    with demo_database.session() as session:
        assert calibration(session, "证书打印机") == (1.5, -2.3)
        assert calibration(session, "办公室激光打印机") == (0.0, 0.0)

    dialog.x_spin.setValue(60)  # clamped to the range
    assert dialog.x_spin.value() == 50.0
    dialog.printer_box.setEditText("")
    dialog.save_button.click()
    assert dialog.message.text() == "请选择或输入打印机名称"

    dialog.printer_box.setEditText("证书打印机")
    assert (dialog.x_spin.value(), dialog.y_spin.value()) == (1.5, -2.3)  # read back from the database
    with qtbot.waitSignal(dialog.test_page_ready, timeout=WAIT_MS) as page:
        dialog.test_button.click()
    assert len(PdfReader(page.args[0]).pages) == 1
    assert "校准样张" in PdfReader(page.args[0]).pages[0].extract_text()
    preview = main_window.findChildren(PdfPreviewWindow)[0]
    assert preview.printer_name == "证书打印机" and preview.numbers == ()
    assert preview.document.pageCount() == 1
    preview.close()


def test_the_dialogs_need_a_competition(main_window: MainWindow) -> None:
    main_window.tree.setCurrentIndex(main_window.model.index(0, 0))  # a tier
    main_window.action_collection[ActionId.CERTIFICATES].trigger()
    assert main_window.findChildren(CertificatesDialog) == []
    assert "请先在左侧选择赛事" in main_window.statusBar().currentMessage()
