"""The one way to run slow or mutating work (after Anki's ``CollectionOp`` / ``QueryOp``).

Work runs on a single background thread — one writer, which is what SQLite wants — inside
one transaction per user action. A progress dialog with 取消 appears only if the work takes
longer than a moment. Callbacks come back on the main thread, and ``changed`` then tells
every view which kinds of data to reload.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from competition_app.tasks import Cancelled, Change, Progress
from db.session import Database
from ui.dialogs import ErrorDialog
from ui.gc_guard import collect_garbage_on_main_thread

log = logging.getLogger(__name__)

T = TypeVar("T")

PROGRESS_DELAY_MS = 400
"""Work quicker than this never flashes a dialog."""
REPORT_INTERVAL_S = 0.05
"""A loop may report thousands of steps; the dialog needs at most twenty updates a second."""


@dataclass(eq=False)
class _Job:
    title: str
    work: Callable[[Progress], Any]
    on_success: Callable[[Any], None] | None
    on_failure: Callable[[Exception], None] | None
    changes: frozenset[Change]
    on_cancel: Callable[[], None] | None = None
    progress: Progress = field(default_factory=Progress)
    latest: tuple[int, int, str] = (0, 0, "")
    reported_at: float = 0.0


class TaskRunner(QObject):
    """Runs work in the background, one job at a time, and reports back on the main thread."""

    changed = Signal(frozenset)
    """The ``Change`` topics of a job that succeeded: views reload what they show of them."""
    message = Signal(str)
    """A short note for the status bar (e.g. that a job was cancelled)."""
    busy_changed = Signal(bool)

    # Emitted from the worker thread; queued to the runner's (main) thread by Qt.
    _started = Signal(object)
    _reported = Signal(object)
    _finished = Signal(object, object, object)

    def __init__(self, database: Database | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Work runs on another thread: Qt objects must never be freed there (see ui.gc_guard).
        collect_garbage_on_main_thread()
        self.database = database
        self.window: QWidget | None = None
        self.progress_delay_ms = PROGRESS_DELAY_MS
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="competition-app-worker")
        self._pending: list[_Job] = []
        self._dialog: QProgressDialog | None = None
        self._dialog_job: _Job | None = None
        self._delay = QTimer(self)
        self._delay.setSingleShot(True)
        self._delay.timeout.connect(self._show_progress_dialog)
        self._running: _Job | None = None
        self._closed = False
        self._started.connect(self._on_started)
        self._reported.connect(self._on_reported)
        self._finished.connect(self._on_finished)

    # --- public API -----------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    @property
    def progress_dialog(self) -> QProgressDialog | None:
        """The visible progress dialog, if the running job has taken long enough to show one."""
        return self._dialog

    def run_db(
        self,
        title: str,
        fn: Callable[[Any, Progress], T],
        *,
        on_success: Callable[[T], None] | None = None,
        on_failure: Callable[[Exception], None] | None = None,
        changes: frozenset[Change] = frozenset(),
        on_cancel: Callable[[], None] | None = None,
    ) -> None:
        """Run ``fn(session, progress)`` in the background in one transaction.

        The transaction commits when ``fn`` returns and rolls back when it raises, including
        when the user cancels (then ``on_cancel`` is called). ``changes`` is emitted on
        ``changed`` after a success.
        """
        database = self.database
        if database is None:
            raise RuntimeError("TaskRunner.run_db needs a database")

        def work(progress: Progress) -> T:
            with database.transaction() as session:
                return fn(session, progress)

        self._submit(_Job(title, work, on_success, on_failure, frozenset(changes), on_cancel))

    def run(
        self,
        title: str,
        fn: Callable[[Progress], T],
        *,
        on_success: Callable[[T], None] | None = None,
        on_failure: Callable[[Exception], None] | None = None,
        changes: frozenset[Change] = frozenset(),
        on_cancel: Callable[[], None] | None = None,
    ) -> None:
        """Run ``fn(progress)`` in the background, for work that needs no database."""
        self._submit(_Job(title, fn, on_success, on_failure, frozenset(changes), on_cancel))

    def read(self, fn: Callable[[Any], T]) -> T:
        """Run a quick read-only query on the calling thread, in a session of its own.

        For the small lookups a view makes when it is shown; anything slow or anything that
        writes goes through ``run_db``.
        """
        if self.database is None:
            raise RuntimeError("TaskRunner.read needs a database")
        with self.database.session() as session:
            return fn(session)

    def cancel_all(self) -> None:
        for job in self._pending:
            job.progress.cancel()

    def shutdown(self) -> None:
        """Cancel what is running and wait for the worker thread to end (on application exit)."""
        if self._closed:
            return
        self._closed = True
        self.cancel_all()
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._delay.stop()
        self._close_dialog()

    # --- worker side ----------------------------------------------------------------------

    def _submit(self, job: _Job) -> None:
        if self._closed:
            raise RuntimeError("TaskRunner has been shut down")
        job.progress = Progress(lambda done, total, text: self._report(job, done, total, text))
        self._pending.append(job)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        self._executor.submit(self._execute, job)

    def _report(self, job: _Job, done: int, total: int, text: str) -> None:
        job.latest = (done, total, text)  # the dialog reads the latest state when it appears
        now = time.monotonic()
        if now - job.reported_at >= REPORT_INTERVAL_S or (total and done >= total):
            job.reported_at = now
            self._reported.emit(job)

    def _execute(self, job: _Job) -> None:
        self._started.emit(job)
        try:
            job.progress.check()
            result = job.work(job.progress)
        except Exception as error:  # handed to the main thread, which decides how to tell the user
            self._finished.emit(job, None, error)
        else:
            self._finished.emit(job, result, None)

    # --- main-thread side -----------------------------------------------------------------

    def _on_started(self, job: _Job) -> None:
        self._running = job
        self._delay.start(self.progress_delay_ms)

    def _on_reported(self, job: _Job) -> None:
        if self._dialog is not None and self._dialog_job is job:
            self._apply_progress(self._dialog, job)

    def _on_finished(self, job: _Job, result: object, error: Exception | None) -> None:
        if job is self._running:
            self._running = None
            self._delay.stop()
        if self._dialog_job is job:
            self._close_dialog()
        if job in self._pending:
            self._pending.remove(job)
        try:
            if error is None:
                if job.on_success is not None:
                    job.on_success(result)
                if job.changes:
                    self.changed.emit(job.changes)
            elif isinstance(error, Cancelled):
                self.message.emit(self.tr("已取消：{title}").format(title=job.title))
                if job.on_cancel is not None:
                    job.on_cancel()
            elif job.on_failure is not None:
                job.on_failure(error)
            else:
                self._report_error(job, error)
        finally:
            if not self._pending:
                self.busy_changed.emit(False)

    def _report_error(self, job: _Job, error: Exception) -> None:
        log.error("%s failed", job.title, exc_info=error)
        detail = str(error) or type(error).__name__
        ErrorDialog.show_error(
            self.window,
            self.tr("操作失败"),
            self.tr("{title}失败：\n{detail}").format(title=job.title, detail=detail),
        )

    def _show_progress_dialog(self) -> None:
        job = self._running
        if job is None or self._dialog is not None:
            return
        dialog = QProgressDialog(self.window)
        dialog.setWindowTitle(job.title)
        dialog.setCancelButtonText(self.tr("取消"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumDuration(0)
        dialog.setMinimumWidth(360)
        dialog.canceled.connect(job.progress.cancel)
        self._dialog, self._dialog_job = dialog, job
        # A modal QProgressDialog processes events inside setValue(), so the job may finish
        # (and close the dialog) right here: show it only if it is still the current one.
        self._apply_progress(dialog, job)
        if self._dialog is dialog:
            dialog.show()

    def _apply_progress(self, dialog: QProgressDialog, job: _Job) -> None:
        done, total, text = job.latest
        dialog.setLabelText(text or job.title)
        if total > 0:
            dialog.setRange(0, total)
            dialog.setValue(min(done, total))
        else:
            dialog.setRange(0, 0)  # a busy indicator when the amount of work is unknown

    def _close_dialog(self) -> None:
        dialog, self._dialog, self._dialog_job = self._dialog, None, None
        if dialog is not None:
            dialog.hide()
            dialog.deleteLater()
