"""审计日志 window: filters, paging through the runner, the chain check, the keyboard."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from competition_app.services import audit
from db.session import Database
from tests.factories import minimal_event
from ui import audit_viewer
from ui.audit_viewer import AuditLogWindow
from ui.runner import TaskRunner

WAIT_MS = 30_000


@pytest.fixture
def logged(sqlite_database: Database) -> Database:
    """Seven score changes by two clerks in one event, and one login."""
    with sqlite_database.transaction() as session:
        built = minimal_event(session)
        for number in range(7):
            audit.append(session, action="score.change", entity_type="score", event_id=built.event.id,
                         competition_id=built.competition.id, person_id=built.person.id,
                         old_value={"value": str(80 + number)}, new_value={"value": str(81 + number), "cell": "HG-001"},
                         username="clerk_a" if number % 2 else "clerk_b")  # fmt: skip
        audit.append(session, action="user.login", entity_type="user", username="admin")
    return sqlite_database


@pytest.fixture
def runner(logged: Database) -> Iterator[TaskRunner]:
    task_runner = TaskRunner(logged)
    yield task_runner
    task_runner.shutdown()


@pytest.fixture
def viewer(qtbot: QtBot, runner: TaskRunner, monkeypatch: pytest.MonkeyPatch) -> AuditLogWindow:
    monkeypatch.setattr(audit_viewer, "PAGE_SIZE", 3)
    window = AuditLogWindow(runner)
    qtbot.addWidget(window)
    window.resize(1100, 500)
    window.load_choices()
    with qtbot.waitSignal(window.loaded, timeout=WAIT_MS):
        window.reload()
    window.show()
    qtbot.waitExposed(window)
    return window


def _reload(qtbot: QtBot, window: AuditLogWindow) -> None:
    with qtbot.waitSignal(window.loaded, timeout=WAIT_MS):
        window.reload()


def test_the_first_page_is_newest_first_and_more_pages_append(qtbot: QtBot, viewer: AuditLogWindow) -> None:
    ModelTester(None).check(viewer.model)  # type: ignore[arg-type]
    model = viewer.model
    assert model.total == 8 and len(model.rows) == 3
    assert model.rows[0].action_label == "登录"
    assert "共 8 条，已显示 3 条" in viewer.count.text()
    for shown in (6, 8):
        with qtbot.waitSignal(viewer.loaded, timeout=WAIT_MS):
            viewer.load_more()
        assert len(model.rows) == shown
    ids = [row.id for row in model.rows]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 8
    assert not viewer.more_button.isEnabled()
    change = model.index(1, 6).data()
    assert change == "86 → 87"


def test_filters_apply_as_they_change(qtbot: QtBot, viewer: AuditLogWindow) -> None:
    combo = viewer.user_filter
    assert [combo.itemText(i) for i in range(combo.count())] == ["全部用户", "admin", "clerk_a", "clerk_b"]
    with qtbot.waitSignal(viewer.loaded, timeout=WAIT_MS):
        combo.setCurrentIndex(combo.findData("clerk_a"))
    assert viewer.model.total == 3
    assert {row.username for row in viewer.model.rows} == {"clerk_a"}
    with qtbot.waitSignal(viewer.loaded, timeout=WAIT_MS):
        combo.setCurrentIndex(0)
    actions = viewer.action_filter
    with qtbot.waitSignal(viewer.loaded, timeout=WAIT_MS):
        actions.setCurrentIndex(actions.findData("user."))
    assert viewer.model.total == 1
    with qtbot.waitSignal(viewer.loaded, timeout=WAIT_MS):
        actions.setCurrentIndex(0)
    with qtbot.waitSignal(viewer.loaded, timeout=WAIT_MS):
        qtbot.keyClicks(viewer.person, "zs")  # pinyin initials of 张三
    assert viewer.model.total == 7


def test_the_chain_check_reports_ok_then_the_first_broken_link(
    qtbot: QtBot, viewer: AuditLogWindow, logged: Database
) -> None:
    with qtbot.waitSignal(viewer.verified, timeout=WAIT_MS) as checked:
        qtbot.mouseClick(viewer.verify_button, Qt.MouseButton.LeftButton)
    assert isinstance(checked.args[0], audit.ChainReport) and checked.args[0].ok
    assert "审计链完整：共 8 条记录" in viewer.chain.text()
    with logged.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER audit_log_no_update")
        connection.execute(text("UPDATE audit_log SET reason = '改过' WHERE id = 3"))
    viewer.verify_chain()
    with qtbot.waitSignal(viewer.verified, timeout=WAIT_MS) as checked:
        viewer.verify_chain()  # queued behind the first: one background writer
    assert checked.args[0].broken.record_id == 3
    assert "第 3 号记录" in viewer.chain.text() and "哈希与其内容不符" in viewer.chain.text()


def test_the_keyboard_reaches_search_table_and_paging(qtbot: QtBot, viewer: AuditLogWindow) -> None:
    viewer.table.setFocus()
    qtbot.keyClick(viewer.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert viewer.person.hasFocus()
    with qtbot.waitSignal(viewer.loaded, timeout=WAIT_MS):
        qtbot.keyClick(viewer.person, Qt.Key.Key_Return)
    assert viewer.table.hasFocus()
    with qtbot.waitSignal(viewer.loaded, timeout=WAIT_MS):
        qtbot.keyClick(viewer.table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert len(viewer.model.rows) == 6
