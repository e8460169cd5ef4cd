"""The background runner: one worker, one transaction per job, callbacks on the main thread."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from competition_app.tasks import Cancelled, Change, Progress
from db.models import Unit
from db.session import Database
from ui.dialogs import ErrorDialog
from ui.runner import TaskRunner

WAIT_MS = 10_000


@pytest.fixture
def runner(qtbot: QtBot, sqlite_database: Database) -> Iterator[TaskRunner]:
    task_runner = TaskRunner(sqlite_database)
    yield task_runner
    task_runner.shutdown()


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []

    def show_error(_cls: type[ErrorDialog], _parent: object, title: str, text: str) -> None:
        shown.append((title, text))

    monkeypatch.setattr(ErrorDialog, "show_error", classmethod(show_error))
    return shown


def unit_names(database: Database) -> list[str]:
    with database.session() as session:
        return list(session.scalars(select(Unit.name).order_by(Unit.name)))


def add_unit(session: Session, name: str) -> int:
    unit = Unit(name=name)
    session.add(unit)
    session.flush()
    return unit.id


def on_main_thread() -> bool:
    app = QApplication.instance()
    assert app is not None
    return threading.current_thread() is threading.main_thread() and QThread.currentThread() is app.thread()


def test_success_commits_and_calls_back_on_the_main_thread(
    qtbot: QtBot, runner: TaskRunner, sqlite_database: Database, errors: list[tuple[str, str]]
) -> None:
    seen: dict[str, Any] = {}

    def work(session: Session, progress: Progress) -> int:
        seen["worker_is_main"] = threading.current_thread() is threading.main_thread()
        progress.report(1, 1, "写入单位")
        return add_unit(session, "济宁市技师学院")

    def succeeded(unit_id: int) -> None:
        seen["unit_id"] = unit_id
        seen["callback_on_main"] = on_main_thread()

    with qtbot.waitSignal(runner.changed, timeout=WAIT_MS) as changed:
        runner.run_db("保存单位", work, on_success=succeeded, changes=frozenset({Change.PEOPLE}))

    assert changed.args == [frozenset({Change.PEOPLE})]
    assert seen["worker_is_main"] is False
    assert seen["callback_on_main"] is True
    assert isinstance(seen["unit_id"], int)
    assert unit_names(sqlite_database) == ["济宁市技师学院"]  # committed: another session sees it
    assert not runner.busy
    assert errors == []


def test_a_failure_rolls_back_and_goes_to_on_failure(
    qtbot: QtBot, runner: TaskRunner, sqlite_database: Database, errors: list[tuple[str, str]]
) -> None:
    failures: list[tuple[Exception, bool]] = []
    changes: list[object] = []
    runner.changed.connect(changes.append)

    def work(session: Session, _progress: Progress) -> None:
        add_unit(session, "写了一半的单位")
        raise ValueError("单位名称重复")

    with qtbot.waitSignal(runner.busy_changed, timeout=WAIT_MS, check_params_cb=lambda busy: not busy):
        runner.run_db(
            "保存单位",
            work,
            on_success=lambda _result: pytest.fail("no success after an error"),
            on_failure=lambda error: failures.append((error, on_main_thread())),
            changes=frozenset({Change.PEOPLE}),
        )

    assert len(failures) == 1
    error, callback_on_main = failures[0]
    assert isinstance(error, ValueError) and str(error) == "单位名称重复"
    assert callback_on_main
    assert unit_names(sqlite_database) == []
    assert changes == []
    assert errors == []  # on_failure took it: no second, generic dialog


def test_an_unhandled_failure_shows_a_chinese_error_message(
    qtbot: QtBot, runner: TaskRunner, sqlite_database: Database, errors: list[tuple[str, str]]
) -> None:
    def work(session: Session, _progress: Progress) -> None:
        add_unit(session, "写了一半的单位")
        raise RuntimeError("磁盘已满")

    with qtbot.waitSignal(runner.busy_changed, timeout=WAIT_MS, check_params_cb=lambda busy: not busy):
        runner.run_db("导入报名表", work)

    assert errors == [("操作失败", "导入报名表失败：\n磁盘已满")]
    assert unit_names(sqlite_database) == []


def test_cancelled_work_rolls_back_quietly(
    qtbot: QtBot, runner: TaskRunner, sqlite_database: Database, errors: list[tuple[str, str]]
) -> None:
    failures: list[Exception] = []
    cancelled: list[bool] = []

    def work(session: Session, progress: Progress) -> None:
        add_unit(session, "写了一半的单位")
        progress.cancel()
        progress.report(1, 2, "下一步")  # raises Cancelled

    with qtbot.waitSignal(runner.message, timeout=WAIT_MS) as message:
        runner.run_db("导入报名表", work, on_failure=failures.append, on_cancel=lambda: cancelled.append(True))

    assert message.args == ["已取消：导入报名表"]
    assert unit_names(sqlite_database) == []
    assert failures == [] and errors == [] and cancelled == [True]


def test_raising_cancelled_directly_also_rolls_back(
    qtbot: QtBot, runner: TaskRunner, sqlite_database: Database, errors: list[tuple[str, str]]
) -> None:
    def work(session: Session, _progress: Progress) -> None:
        add_unit(session, "写了一半的单位")
        raise Cancelled

    with qtbot.waitSignal(runner.message, timeout=WAIT_MS):
        runner.run_db("导入报名表", work)

    assert unit_names(sqlite_database) == []
    assert errors == []


def test_slow_work_shows_a_progress_dialog_whose_cancel_button_cancels(
    qtbot: QtBot, runner: TaskRunner, sqlite_database: Database, errors: list[tuple[str, str]]
) -> None:
    never = threading.Event()

    def work(session: Session, progress: Progress) -> None:
        add_unit(session, "写了一半的单位")
        for step in range(2000):  # bounded, so a broken cancel fails the test instead of hanging it
            progress.report(step, 2000, f"第 {step} 步")
            never.wait(0.005)
        pytest.fail("the work was never cancelled")

    runner.run_db("导入报名表", work)
    qtbot.waitUntil(lambda: runner.progress_dialog is not None and runner.progress_dialog.isVisible(), timeout=WAIT_MS)
    dialog = runner.progress_dialog
    assert dialog is not None
    assert dialog.windowTitle() == "导入报名表"
    qtbot.waitUntil(lambda: dialog.labelText().startswith("第 "), timeout=WAIT_MS)
    assert dialog.maximum() == 2000
    cancel = dialog.findChild(QPushButton)
    assert cancel is not None and cancel.text() == "取消"

    with qtbot.waitSignal(runner.message, timeout=WAIT_MS) as message:
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)

    assert message.args == ["已取消：导入报名表"]
    assert runner.progress_dialog is None
    assert unit_names(sqlite_database) == []
    assert errors == []


def test_quick_work_never_shows_a_progress_dialog(qtbot: QtBot, runner: TaskRunner) -> None:
    shown: list[object] = []
    runner.progress_delay_ms = 60_000
    runner._delay.timeout.connect(lambda: shown.append(runner.progress_dialog))

    with qtbot.waitSignal(runner.busy_changed, timeout=WAIT_MS, check_params_cb=lambda busy: not busy):
        runner.run_db("读取", lambda session, _progress: session.scalar(select(func.count(Unit.id))))

    assert shown == [] and runner.progress_dialog is None


def test_jobs_run_one_at_a_time_in_order_on_one_worker(qtbot: QtBot, runner: TaskRunner) -> None:
    ran: list[tuple[int, str]] = []
    done: list[int] = []

    def job(number: int) -> Any:
        def work(_progress: Progress) -> int:
            ran.append((number, threading.current_thread().name))
            return number

        return work

    with qtbot.waitSignal(runner.busy_changed, timeout=WAIT_MS, check_params_cb=lambda busy: not busy):
        for number in range(5):
            runner.run(f"任务 {number}", job(number), on_success=done.append)

    assert [number for number, _thread in ran] == [0, 1, 2, 3, 4]
    assert done == [0, 1, 2, 3, 4]
    assert len({thread for _number, thread in ran}) == 1
    assert ran[0][1] != threading.main_thread().name


def test_shutdown_waits_for_the_worker_and_refuses_new_work(runner: TaskRunner) -> None:
    started = threading.Event()

    def work(progress: Progress) -> None:
        started.set()
        while True:
            progress.check()
            started.wait(0.005)

    runner.run("长任务", work)
    assert started.wait(10)
    runner.shutdown()  # cancels the running job and joins the thread

    assert not any(thread.name.startswith("competition-app-worker") for thread in threading.enumerate())
    with pytest.raises(RuntimeError):
        runner.run("太晚了", lambda _progress: None)


def test_emit_keeps_every_reference_to_true() -> None:
    """Guards the PySide6 pin: 6.12.0's emit() drops a reference to True and Python 3.11 aborts."""
    probe = ProbeSignals()
    gc.collect()
    before = sys.getrefcount(True)
    for _ in range(1000):
        probe.ping.emit(1)
    assert abs(sys.getrefcount(True) - before) <= 2  # with the bug: 1000 fewer


def test_many_jobs_and_progress_reports_keep_the_references_to_true(qtbot: QtBot, runner: TaskRunner) -> None:
    finished: list[int] = []

    def work(progress: Progress) -> int:
        for step in range(200):
            progress.report(step, 200)
        return 1

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    before = sys.getrefcount(True)
    for number in range(200):
        runner.run(f"任务 {number}", work, on_success=finished.append, changes=frozenset({Change.SCORES}))
    qtbot.waitUntil(lambda: len(finished) == 200 and not runner.busy, timeout=WAIT_MS)

    # With the bug each job loses at least five (one per signal); objects of earlier tests that
    # happen to be freed meanwhile account for a few dozen at most.
    assert sys.getrefcount(True) > before - 300


class ProbeSignals(QObject):
    ping = Signal(int)


def test_garbage_holding_qt_objects_is_freed_on_the_main_thread(qtbot: QtBot) -> None:
    """A Qt object freed by the cyclic collector on the worker thread can deadlock the app (ui.gc_guard)."""
    runner = TaskRunner()
    freed_on: list[threading.Thread] = []

    def note_freed() -> None:
        freed_on.append(threading.current_thread())

    holder = QObject()  # a main-thread Qt object
    holder.destroyed.connect(note_freed)
    kept = [holder]
    del holder

    def allocate(_progress: Progress) -> int:
        # The Qt object ends up in cyclic garbage made on this thread, among plenty more: with
        # automatic collection this thread would run the collector and free it here.
        cycle: dict[str, object] = {"qt": kept.pop()}
        cycle["self"] = cycle
        del cycle
        for _number in range(200_000):
            loop: list[object] = []
            loop.append(loop)
        return 0

    with qtbot.waitSignal(runner.busy_changed, timeout=60_000, check_params_cb=lambda busy: not busy):
        runner.run("allocate", allocate)
    qtbot.waitUntil(lambda: bool(freed_on), timeout=10_000)
    assert freed_on == [threading.main_thread()]
    runner.shutdown()
