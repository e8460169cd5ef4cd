"""PDF preview and printing: a QtPdf viewer with page navigation, fit-to-page zoom and 打印….

Printing renders each page with ``QPdfDocument.render`` at the printer's resolution (capped,
see :data:`MAX_RENDER_DPI`) and paints it on the whole sheet, landscape pages on landscape
paper (:func:`paint_pdf`, which works on any ``QPagedPaintDevice``, so tests print to a PDF).
When the pages are certificates, the caller passes their numbers in page order; after a
successful print each one is recorded in the register (``services.certificates.record_print``)
through the runner. A certificate printed before needs a reason, asked for before printing.

Keyboard: PgUp/PgDn turn pages, Home/End go to the first/last, Ctrl+P prints, Esc closes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QPagedPaintDevice, QPageLayout, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from competition_app.services.certificates import print_count, record_print
from competition_app.tasks import Change, Progress
from ui.i18n import translate

if TYPE_CHECKING:
    from ui.runner import TaskRunner

CONTEXT = "PdfPreview"
MAX_RENDER_DPI = 300
"""Pages are rasterised at the printer's resolution but never finer than this: an A4 page at a
high-resolution printer's 1200 dpi would be a 560 MB image and a slow spool; 300 dpi keeps a
certificate's text sharp on paper at a quarter of 600 dpi's time and size."""
DEFAULT_SIZE = (900, 760)


def _tr(text: str) -> str:
    return translate(CONTEXT, text)


# --- printing, testable without a printer -------------------------------------------------------


def _orientation(document: QPdfDocument, page: int) -> QPageLayout.Orientation:
    size = document.pagePointSize(page)
    if size.width() > size.height():
        return QPageLayout.Orientation.Landscape
    return QPageLayout.Orientation.Portrait


def paint_pdf(
    document: QPdfDocument,
    device: QPagedPaintDevice,
    pages: Sequence[int] | None = None,
    *,
    on_page: Callable[[int], None] | None = None,
) -> int:
    """Paint ``pages`` (all by default) of ``document`` on ``device``, one page per sheet.

    Each page is rendered at the device's resolution (at most :data:`MAX_RENDER_DPI`) and
    fitted, centred and unrotated, into the whole sheet, whose orientation follows the page's.
    The margins are set to zero: a certificate carries its own, and pre-printed stock needs the
    page at its true size. Returns the number of pages painted (0 when painting could not start).
    """
    chosen = list(range(document.pageCount())) if pages is None else list(pages)
    if not chosen:
        return 0
    if isinstance(device, QPrinter):
        device.setFullPage(True)
    device.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
    device.setPageOrientation(_orientation(document, chosen[0]))
    painter = QPainter()
    if not painter.begin(device):
        return 0
    painted = 0
    try:
        for number, page in enumerate(chosen):
            if number:
                device.setPageOrientation(_orientation(document, page))
                device.newPage()
            _paint_page(painter, document, page, device)
            painted += 1
            if on_page is not None:
                on_page(page)
    except BaseException:
        if isinstance(device, QPrinter):
            device.abort()  # a cancelled job is withdrawn, not sent half-printed
        raise
    finally:
        painter.end()
    return painted


def print_pdf_file(path: Path, printer: QPrinter, progress: Progress) -> int:
    """Print a PDF file on ``printer`` with progress and cancel: for a worker thread.

    QPainter may paint on a QPrinter outside the GUI thread; the document is opened here, in
    the worker's own QPdfDocument, so the preview's document is never touched from two threads.
    """
    document = QPdfDocument()
    document.load(str(path))
    total = document.pageCount()
    progress.report(0, total, _tr("正在打印"))

    def on_page(page: int) -> None:
        progress.report(page + 1, total, _tr("正在打印 {page}/{total}").format(page=page + 1, total=total))

    try:
        return paint_pdf(document, printer, on_page=on_page)
    finally:
        document.close()


def _paint_page(painter: QPainter, document: QPdfDocument, page: int, device: QPagedPaintDevice) -> None:
    resolution = device.logicalDpiX()
    sheet = device.pageLayout().fullRectPixels(resolution)
    dpi = min(resolution, MAX_RENDER_DPI)
    points = document.pagePointSize(page)
    pixels = QSize(max(1, round(points.width() / 72 * dpi)), max(1, round(points.height() / 72 * dpi)))
    image = document.render(page, pixels)
    scale = min(sheet.width() / pixels.width(), sheet.height() / pixels.height())
    width, height = pixels.width() * scale, pixels.height() * scale
    target = QRectF((sheet.width() - width) / 2, (sheet.height() - height) / 2, width, height)
    painter.drawImage(target, image, QRectF(image.rect()))


class PrintDialogs:
    """The questions printing asks, behind classmethods that tests answer."""

    @classmethod
    def choose_printer(cls, parent: QWidget | None, printer: QPrinter) -> bool:
        """The system print dialog; True when the user chose to print."""
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle(_tr("打印"))
        return dialog.exec() == QPrintDialog.DialogCode.Accepted

    @classmethod
    def reprint_reason(cls, parent: QWidget | None, count: int) -> str | None:
        """Why certificates already printed are printed again; None when cancelled or empty."""
        text, ok = QInputDialog.getText(
            parent,
            _tr("补打证书"),
            _tr("其中 {count} 张证书已经打印过，补打需要填写原因（记入审计日志）：").format(count=count),
            QLineEdit.EchoMode.Normal,
        )
        return text.strip() if ok and text.strip() else None


def make_printer(name: str | None = None) -> QPrinter:
    """A high-resolution printer, the named one when given."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if name:
        printer.setPrinterName(name)
    return printer


# --- the window -------------------------------------------------------------------------------


class PdfPreviewWindow(QWidget):
    """One PDF, page by page, with 打印…; certificate numbers given are recorded when printed."""

    printed = Signal(int)
    """Pages sent to the printer, after the prints were recorded (when there were numbers)."""

    def __init__(
        self,
        path: str | Path,
        runner: TaskRunner | None = None,
        numbers: Sequence[str] = (),
        *,
        printer_name: str | None = None,
        title: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.path = Path(path)
        self.runner = runner
        self.numbers = tuple(numbers)
        self.printer_name = printer_name
        self.setWindowTitle(title or _tr("预览：{name}").format(name=self.path.name))
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.SinglePage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        self.previous_button = QPushButton(_tr("上一页"), self)
        self.next_button = QPushButton(_tr("下一页"), self)
        self.page_label = QLabel(self)
        self.fit_button = QPushButton(_tr("适合页面"), self)
        self.width_button = QPushButton(_tr("适合宽度"), self)
        self.print_button = QPushButton(_tr("打印…"), self)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self._lay_out()
        self._connect()
        self.document.load(str(self.path))
        self.resize(*DEFAULT_SIZE)
        self._update_page()

    def _lay_out(self) -> None:
        bar = QHBoxLayout()
        for widget in (self.previous_button, self.next_button, self.page_label):
            bar.addWidget(widget)
        bar.addStretch(1)
        for widget in (self.fit_button, self.width_button, self.print_button):
            bar.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)
        self.print_button.setToolTip(_tr("打印全部页面（Ctrl+P）"))
        self.previous_button.setToolTip(_tr("上一页（PgUp）"))
        self.next_button.setToolTip(_tr("下一页（PgDn）"))

    def _connect(self) -> None:
        self.previous_button.clicked.connect(lambda: self.go_to(self.current_page - 1))
        self.next_button.clicked.connect(lambda: self.go_to(self.current_page + 1))
        self.fit_button.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitInView))
        self.width_button.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth))
        self.print_button.clicked.connect(self.print_document)
        self.view.pageNavigator().currentPageChanged.connect(lambda _page: self._update_page())
        self.document.statusChanged.connect(lambda _status: self._update_page())
        for keys, slot in (
            (QKeySequence.StandardKey.MoveToPreviousPage, lambda: self.go_to(self.current_page - 1)),
            (QKeySequence.StandardKey.MoveToNextPage, lambda: self.go_to(self.current_page + 1)),
            (QKeySequence(Qt.Key.Key_Home), lambda: self.go_to(0)),
            (QKeySequence(Qt.Key.Key_End), lambda: self.go_to(self.document.pageCount() - 1)),
            (QKeySequence.StandardKey.Print, self.print_document),
            (QKeySequence(Qt.Key.Key_Escape), self.close),
        ):
            QShortcut(QKeySequence(keys), self, slot)

    @property
    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def go_to(self, page: int) -> None:
        count = self.document.pageCount()
        if count and 0 <= page < count:
            self.view.pageNavigator().jump(page, QPointF(), self.view.zoomFactor())
        self._update_page()

    def _update_page(self) -> None:
        if not (isValid(self.document) and isValid(self.page_label)):
            return  # the document says it unloads while the window is being destroyed
        count = self.document.pageCount()
        page = self.current_page
        self.page_label.setText(_tr("第 {page} / {count} 页").format(page=page + 1 if count else 0, count=count))
        self.previous_button.setEnabled(page > 0)
        self.next_button.setEnabled(page < count - 1)
        self.print_button.setEnabled(count > 0)

    # --- printing -----------------------------------------------------------------------------

    def print_document(self) -> None:
        """Ask for a printer, a reason if any certificate is a reprint, print, then record."""
        if self.document.pageCount() == 0:
            return
        reason: str | None = None
        if self.numbers and self.runner is not None and self.runner.database is not None:
            numbers = self.numbers

            def count_printed(session: Any) -> int:
                return sum(1 for number in numbers if print_count(session, number) > 0)

            printed_before = self.runner.read(count_printed)
            if printed_before:
                reason = PrintDialogs.reprint_reason(self, printed_before)
                if reason is None:
                    self.message.setText(_tr("未打印：补打证书需要填写原因"))
                    return
        printer = make_printer(self.printer_name)
        if not PrintDialogs.choose_printer(self, printer):
            return
        path = self.path
        if self.runner is None:  # no runner (a plain preview): print here
            self._printed(paint_pdf(self.document, printer), printer, reason)
            return
        self.print_button.setEnabled(False)
        self.runner.run(
            _tr("打印证书"),
            lambda progress: print_pdf_file(path, printer, progress),
            on_success=lambda pages: self._printed(pages, printer, reason),
            on_failure=self._print_failed,
            on_cancel=self._print_cancelled,
        )

    def _printed(self, pages: int, printer: QPrinter, reason: str | None) -> None:
        self.print_button.setEnabled(True)
        if pages == 0:
            self.message.setText(_tr("无法开始打印，请检查打印机“{printer}”").format(printer=printer.printerName()))
            return
        self._record(pages, printer.printerName() or printer.outputFileName() or None, reason)

    def _print_failed(self, error: Exception) -> None:
        self.print_button.setEnabled(True)
        self.message.setText(_tr("打印失败：{error}").format(error=error))

    def _print_cancelled(self) -> None:
        self.print_button.setEnabled(True)
        self.message.setText(_tr("已取消打印，未登记"))

    def _record(self, pages: int, printer: str | None, reason: str | None) -> None:
        if not self.numbers or self.runner is None or self.runner.database is None:
            self.message.setText(_tr("已送打印 {pages} 页").format(pages=pages))
            self.printed.emit(pages)
            return
        numbers = self.numbers

        def work(session: Any, progress: Progress) -> int:
            for done, number in enumerate(numbers):
                progress.report(done, len(numbers), _tr("记录打印"))
                earlier = print_count(session, number)
                record_print(session, number, printer, reason if earlier else None)
            return len(numbers)

        def recorded(count: int) -> None:
            self.message.setText(
                _tr("已送打印 {pages} 页，已登记 {count} 张证书的打印").format(pages=pages, count=count)
            )
            self.printed.emit(pages)

        def failed(error: Exception) -> None:
            self.message.setText(_tr("已打印，但登记打印失败：{error}").format(error=error))

        self.runner.run_db(
            _tr("登记证书打印"), work, on_success=recorded, on_failure=failed, changes=frozenset({Change.CERTIFICATES})
        )


def show_pdf(
    parent: QWidget | None,
    path: str | Path,
    runner: TaskRunner | None = None,
    numbers: Sequence[str] = (),
    *,
    printer_name: str | None = None,
    title: str | None = None,
) -> PdfPreviewWindow:
    """Open a preview window for ``path`` and show it."""
    window = PdfPreviewWindow(path, runner, numbers, printer_name=printer_name, title=title, parent=parent)
    window.show()
    window.raise_()
    window.activateWindow()
    return window
