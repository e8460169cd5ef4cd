"""The score entry window offscreen, driven from the keyboard only, on real SQLite files.

Most tests use a small event (five markable entries and one withdrawn, a three-judge panel with
a spread threshold and a time limit) with three accounts: two 录分员 and a 裁判长. The
WorldSkills sheet and the menu handlers use the demo database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QModelIndex, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session

from competition_app.domain import idcard
from competition_app.domain.enums import EntryStatus, Gender, PanelMethod, Role, SheetState
from competition_app.rules.sheet import Sheet
from competition_app.services import scores, sheets
from competition_app.services.auth import Actor, act_as
from competition_app.services.scores import CellRef
from competition_app.tasks import Change
from db.models import AuditRecord, Entry, Event, Person, Score, ScoreSheet
from db.session import Database
from tests.factories import minimal_event
from tests.support.accounts import make_user
from tests.support.windows import select_node
from ui import score_entry
from ui.actions import ActionId
from ui.dialogs import ErrorDialog
from ui.main_window import MainWindow
from ui.runner import TaskRunner
from ui.score_entry import DifferencesModel, ScoreEntryWindow, SheetDialogs
from ui.score_grid_model import CELL_ROLE, FLAGGED_ROLE, GridColumnKind, ScoreGridModel

WAIT_MS = 30_000
BIRTH = date(1990, 5, 18)
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen has no window stack


@dataclass(frozen=True)
class Prepared:
    event_id: int
    practical_id: int
    theory_id: int
    entry_ids: tuple[int, ...]
    """In bib order HG-001 … HG-006; HG-004 has withdrawn."""
    clerk_a: Actor
    clerk_b: Actor
    chief: Actor
    other_clerk: Actor
    """A 录分员 of another event."""


@pytest.fixture
def prepared(sqlite_database: Database) -> Prepared:
    with sqlite_database.transaction() as session:
        minimal = minimal_event(session)
        practical = minimal.practical
        practical.panel_method = PanelMethod.MEAN
        practical.panel_size = 3
        practical.spread_threshold = Decimal(10)
        practical.time_limit_minutes = 150
        entries = [minimal.entry]
        for number in range(2, 7):
            person = Person(
                id_number=idcard.compose("370811", BIRTH, number, Gender.MALE), name=f"选手{number}", birth_date=BIRTH
            )
            session.add(person)
            session.flush()
            status = EntryStatus.WITHDRAWN if number == 4 else EntryStatus.CHECKED_IN
            entry = Entry(
                event_id=minimal.event.id,
                group_id=minimal.group.id,
                person_id=person.id,
                bib=f"HG-{number:03d}",
                status=status,
            )
            session.add(entry)
            entries.append(entry)
        other = Event(competition=minimal.competition, name="电工", occupation="电工", code="DG")
        session.add(other)
        session.flush()
        event_id = minimal.event.id
        clerk_a = make_user(session, "clerk_a", Role.CLERK, event_id=event_id, display_name="录分员甲")
        clerk_b = make_user(session, "clerk_b", Role.CLERK, event_id=event_id, display_name="录分员乙")
        chief = make_user(session, "chief", Role.CHIEF_JUDGE, event_id=event_id, display_name="裁判长丙")
        other_clerk = make_user(session, "other", Role.CLERK, event_id=other.id, display_name="电工录分员")
        return Prepared(
            event_id,
            practical.id,
            minimal.theory.id,
            tuple(entry.id for entry in entries),
            clerk_a,
            clerk_b,
            chief,
            other_clerk,
        )


WindowFactory = Callable[..., ScoreEntryWindow]


@pytest.fixture
def open_window(qtbot: QtBot, sqlite_database: Database) -> Iterator[WindowFactory]:
    """Open the score entry window as ``actor`` (each call a fresh runner, as after a login)."""
    runners: list[TaskRunner] = []
    parents: list[QWidget] = []

    def opener(actor: Actor, event_id: int, component: str = "技能操作", mode: int = 0) -> ScoreEntryWindow:
        sqlite_database.info["actor"] = actor
        runner = TaskRunner(sqlite_database)
        runners.append(runner)
        parent = QWidget()
        parents.append(parent)
        qtbot.addWidget(parent)
        window = ScoreEntryWindow.show_for(parent, runner, event_id)
        assert window is not None
        qtbot.waitExposed(window)
        window.component_box.setCurrentIndex(window.component_box.findText(component))
        window.pass_box.setCurrentIndex(mode)
        window.view.setFocus()
        return window

    yield opener
    for runner in runners:
        runner.shutdown()


def in_session(database: Database, actor: Actor, work: Callable[[Session], object]) -> object:
    with database.transaction() as session:
        act_as(session, actor)
        return work(session)


def stored(database: Database, component_id: int, *, pass_no: int = 1) -> dict[tuple[int, int], Decimal]:
    """(entry id, seat) → value of every stored mark of the component's pass."""
    with database.session() as session:
        return {
            (score.entry_id, score.seat): score.value
            for score in session.scalars(
                select(Score).where(Score.component_id == component_id, Score.pass_no == pass_no)
            )
        }


def audit_actions(database: Database, action: str) -> list[AuditRecord]:
    with database.session() as session:
        return list(session.scalars(select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.id)))


def key(qtbot: QtBot, window: ScoreEntryWindow, *texts: str) -> None:
    """Type each text and press Enter after it."""
    for text in texts:
        qtbot.keyClicks(window.view, text)
        qtbot.keyClick(window.view, Qt.Key.Key_Return)


def where(window: ScoreEntryWindow) -> tuple[str, str]:
    """The current cell as (row code, column header)."""
    index = window.view.currentIndex()
    model = window.model
    header = str(model.headerData(index.column(), Qt.Orientation.Horizontal)).replace("\n", " ")
    return model.sheet_row(index.row()).code, header


def go_to(window: ScoreEntryWindow, code: str, kind: GridColumnKind, mark: int = 0) -> None:
    model = window.model
    row = next(number for number in range(model.rowCount()) if model.sheet_row(number).code == code)
    column = model.column_of_mark(mark) if kind is GridColumnKind.MARK else model.column_of_kind(kind)
    window.view.setCurrentIndex(model.index(row, column))


def enter(database: Database, actor: Actor, ref: CellRef, text: str) -> None:
    def work(session: Session) -> None:
        found = scores.find_score(session, ref)
        scores.enter_score(session, ref, text, expected_version=None if found is None else found.version)

    in_session(database, actor, work)


# --- keying -------------------------------------------------------------------------------------


def test_a_column_of_marks_is_keyed_with_digits_and_enter(
    qtbot: QtBot, sqlite_database: Database, prepared: Prepared, open_window: WindowFactory
) -> None:
    window = open_window(prepared.clerk_a, prepared.event_id)
    assert where(window) == ("HG-001", "1号裁判")

    key(qtbot, window, "85", "86.5", "78", "90", "70.5")

    entered = stored(sqlite_database, prepared.practical_id)
    markable = [entry for number, entry in enumerate(prepared.entry_ids) if number != 3]  # HG-004 withdrew
    assert entered == {
        (entry, 1): Decimal(value) for entry, value in zip(markable, ("85", "86.5", "78", "90", "70.5"), strict=True)
    }
    records = audit_actions(sqlite_database, "score.enter")
    assert len(records) == 5
    assert {record.username for record in records} == {"clerk_a"}
    assert records[0].new_value is not None and records[0].new_value["value"] == "85"
    assert "HG-001" in records[0].new_value["cell"]
    # From the last markable row Enter goes to the top of the next judge's column.
    assert where(window) == ("HG-001", "2号裁判")
    assert "HG-006" in window.message.text() and "70.5" in window.message.text()
    assert window.view.currentIndex().data() == ""

    # Completing a row shows its running total (mean of three) in the total column.
    key(qtbot, window, "87")
    go_to(window, "HG-001", GridColumnKind.MARK, 2)
    total = window.model.column_of_kind(GridColumnKind.TOTAL)
    assert window.model.index(0, total).data() == ""
    key(qtbot, window, "89")
    assert window.model.index(0, total).data() == "87.000"  # (85 + 87 + 89) / 3, component decimals 1 + 2
    assert "第一遍 7/15" in window.state_label.text()


def test_an_impossible_value_is_refused_with_the_reason_and_nothing_is_written(
    qtbot: QtBot, sqlite_database: Database, prepared: Prepared, open_window: WindowFactory
) -> None:
    window = open_window(prepared.clerk_a, prepared.event_id)

    qtbot.keyClicks(window.view, "101")
    # Checked while typing: the reason is in the status line before Enter.
    assert "超出范围" in window.message.text() and "HG-001" in window.message.text()
    qtbot.keyClick(window.view, Qt.Key.Key_Return)
    assert window.view.state() is QAbstractItemView.State.EditingState  # the editor stays open
    assert where(window) == ("HG-001", "1号裁判")
    assert "满分 100" in window.message.text()

    qtbot.keyClick(window.view, Qt.Key.Key_Escape)
    assert window.view.state() is not QAbstractItemView.State.EditingState
    assert window.message.text() == ""

    qtbot.keyClicks(window.view, "8.25")
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    assert "最多 1 位小数" in window.message.text()
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)
    qtbot.keyClicks(window.view, "8o")
    qtbot.keyClick(window.view, Qt.Key.Key_Return)
    assert "不是数字" in window.message.text()
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)

    assert stored(sqlite_database, prepared.practical_id) == {}
    assert audit_actions(sqlite_database, "score.enter") == []

    # Full-width digits from an input method are fine.
    for char in "８５":  # QTest knows no key for these: send the text as an input method would
        QApplication.sendEvent(
            window.view, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
        )
    qtbot.keyClick(window.view, Qt.Key.Key_Return)
    assert stored(sqlite_database, prepared.practical_id) == {(prepared.entry_ids[0], 1): Decimal(85)}


def test_enter_moves_down_tab_moves_across_and_skips_what_cannot_be_keyed(
    qtbot: QtBot, prepared: Prepared, open_window: WindowFactory
) -> None:
    window = open_window(prepared.clerk_a, prepared.event_id)
    view = window.view
    assert where(window) == ("HG-001", "1号裁判")
    for expected in ("HG-002", "HG-003", "HG-005"):  # HG-004 withdrew: not markable
        qtbot.keyClick(view, Qt.Key.Key_Return)
        assert where(window)[0] == expected

    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert where(window) == ("HG-005", "2号裁判")
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert where(window) == ("HG-005", "实操用时")
    qtbot.keyClick(view, Qt.Key.Key_Tab)  # past the last entry column: the next row's first
    assert where(window) == ("HG-006", "1号裁判")
    qtbot.keyClick(view, Qt.Key.Key_Backtab)
    assert where(window) == ("HG-005", "实操用时")

    # Tab from a typed value stores it and moves across.
    qtbot.keyClicks(view, "85:30")
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert where(window) == ("HG-006", "1号裁判")
    go_to(window, "HG-005", GridColumnKind.TIME)
    assert view.currentIndex().data() == "1:25:30"  # shown as 时:分:秒 once over an hour
    qtbot.keyClicks(view, "85:75")
    assert "秒数应小于 60" in window.message.text()
    qtbot.keyClick(view, Qt.Key.Key_Escape)

    # The withdrawn row is greyed and read-only, and says why when typed into.
    go_to(window, "HG-004", GridColumnKind.MARK)
    assert not window.model.flags(view.currentIndex()) & Qt.ItemFlag.ItemIsEditable
    qtbot.keyClicks(view, "7")
    assert view.state() is not QAbstractItemView.State.EditingState
    assert "已退赛" in window.message.text()
    assert where(window)[0] == "HG-004"  # typing never jumps rows


def test_the_practical_time_is_stored_on_the_entry(
    qtbot: QtBot, sqlite_database: Database, prepared: Prepared, open_window: WindowFactory
) -> None:
    window = open_window(prepared.clerk_a, prepared.event_id)
    go_to(window, "HG-002", GridColumnKind.TIME)
    key(qtbot, window, "160:00")
    with sqlite_database.session() as session:
        entry = session.get(Entry, prepared.entry_ids[1])
        assert entry is not None and entry.practical_seconds == Decimal(9600)
    assert audit_actions(sqlite_database, "entry.time")[-1].new_value == {"practical_seconds": "2:40:00"}
    # Over the 150-minute limit: a flag on the time cell, the full message in the tooltip.
    index = window.model.index(1, window.model.column_of_kind(GridColumnKind.TIME))
    assert index.data(FLAGGED_ROLE) is True
    flags = window.model.index(1, window.model.column_of_kind(GridColumnKind.FLAGS))
    assert flags.data() == "用时"
    assert "超过规定时长 150 分钟" in flags.data(Qt.ItemDataRole.ToolTipRole)


def test_delete_clears_the_cell_and_the_audit_log_keeps_the_old_value(
    qtbot: QtBot, sqlite_database: Database, prepared: Prepared, open_window: WindowFactory
) -> None:
    ref = CellRef(prepared.practical_id, prepared.entry_ids[1], None, None, 2, 1)
    enter(sqlite_database, prepared.clerk_a, ref, "77")
    window = open_window(prepared.clerk_a, prepared.event_id)
    go_to(window, "HG-002", GridColumnKind.MARK, 1)
    assert window.view.currentIndex().data() == "77"

    qtbot.keyClick(window.view, Qt.Key.Key_Delete)

    assert stored(sqlite_database, prepared.practical_id) == {}
    assert window.view.currentIndex().data() == ""
    cleared = audit_actions(sqlite_database, "score.clear")
    assert len(cleared) == 1 and cleared[0].old_value is not None and cleared[0].old_value["value"] == "77"
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert "没有成绩" in window.message.text()


def test_plausibility_flags_appear_as_the_marks_are_keyed(
    qtbot: QtBot, prepared: Prepared, open_window: WindowFactory
) -> None:
    window = open_window(prepared.clerk_a, prepared.event_id)
    qtbot.keyClicks(window.view, "90")
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    qtbot.keyClicks(window.view, "70")
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    model = window.model
    first, second, third = (model.index(0, model.column_of_mark(mark)) for mark in range(3))
    assert first.data(FLAGGED_ROLE) and second.data(FLAGGED_ROLE) and not third.data(FLAGGED_ROLE)
    assert first.data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "裁判分差 20 超过阈值 10" in first.data(Qt.ItemDataRole.ToolTipRole)
    flags = model.index(0, model.column_of_kind(GridColumnKind.FLAGS))
    assert flags.data() == "分差大"

    go_to(window, "HG-001", GridColumnKind.MARK, 1)
    key(qtbot, window, "88")  # corrected: the flag goes away without reloading
    assert not first.data(FLAGGED_ROLE)
    assert flags.data() == ""


def test_keying_tells_the_other_views_once_typing_pauses(
    qtbot: QtBot, prepared: Prepared, open_window: WindowFactory
) -> None:
    window = open_window(prepared.clerk_a, prepared.event_id)
    with qtbot.waitSignal(window.runner.changed, timeout=WAIT_MS) as blocker:
        key(qtbot, window, "85")
    assert blocker.args == [frozenset({Change.SCORES})]


# --- sheet states and permissions ---------------------------------------------------------------


def fill_first_pass(database: Database, prepared: Prepared, actor: Actor, values: dict[int, str]) -> None:
    """Key every markable entry × seat of the practical (values by seat)."""
    for number, entry_id in enumerate(prepared.entry_ids):
        if number == 3:
            continue
        for seat, value in values.items():
            enter(database, actor, CellRef(prepared.practical_id, entry_id, None, None, seat, 1), value)


def set_state(database: Database, prepared: Prepared, state: SheetState) -> None:
    with database.transaction() as session:
        record = session.scalar(select(ScoreSheet).where(ScoreSheet.component_id == prepared.practical_id))
        assert record is not None
        record.state = state


def test_a_locked_sheet_refuses_edits_and_only_the_chief_judge_unlocks_with_a_reason(
    qtbot: QtBot,
    sqlite_database: Database,
    prepared: Prepared,
    open_window: WindowFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    in_session(sqlite_database, prepared.chief, lambda session: sheets.set_double_entry(
        session, prepared.event_id, False))  # fmt: skip
    fill_first_pass(sqlite_database, prepared, prepared.clerk_a, {1: "80", 2: "81", 3: "82"})
    set_state(sqlite_database, prepared, SheetState.LOCKED)

    clerk = open_window(prepared.clerk_a, prepared.event_id)
    assert "裁判长签字锁定" in clerk.state_label.text()
    qtbot.keyClicks(clerk.view, "90")
    assert clerk.view.state() is not QAbstractItemView.State.EditingState
    assert "只读" in clerk.message.text()
    qtbot.keyClick(clerk.view, Qt.Key.Key_Delete)
    assert "只读" in clerk.message.text()
    assert set(stored(sqlite_database, prepared.practical_id).values()) == {Decimal(80), Decimal(81), Decimal(82)}
    assert not clerk.actions_by_name["unlock"].isEnabled()
    assert not clerk.actions_by_name["publish"].isEnabled()

    chief = open_window(prepared.chief, prepared.event_id)
    assert chief.actions_by_name["unlock"].isEnabled() and chief.actions_by_name["publish"].isEnabled()
    assert not chief.actions_by_name["lock"].isEnabled()
    monkeypatch.setattr(SheetDialogs, "reason", classmethod(lambda cls, parent, title, prompt: None))
    chief.actions_by_name["unlock"].trigger()
    assert "必须填写原因" in chief.message.text()
    monkeypatch.setattr(SheetDialogs, "reason", classmethod(lambda cls, parent, title, prompt: "3号裁判更正"))
    chief.actions_by_name["unlock"].trigger()
    qtbot.waitUntil(lambda: "录入中" in chief.state_label.text(), timeout=WAIT_MS)
    assert audit_actions(sqlite_database, "sheet.unlock")[-1].reason == "3号裁判更正"
    go_to(chief, "HG-001", GridColumnKind.MARK)
    qtbot.keyClicks(chief.view, "90")
    qtbot.keyClick(chief.view, Qt.Key.Key_Return)
    assert where(chief) == ("HG-002", "1号裁判"), chief.message.text()
    assert stored(sqlite_database, prepared.practical_id)[(prepared.entry_ids[0], 1)] == Decimal(90)


def test_a_clerks_window_offers_only_what_a_clerk_may_do_and_the_services_refuse_the_rest(
    qtbot: QtBot,
    sqlite_database: Database,
    prepared: Prepared,
    open_window: WindowFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = open_window(prepared.clerk_a, prepared.event_id)
    enabled = {name: action.isEnabled() for name, action in window.actions_by_name.items()}
    assert enabled == {
        "differences": True,  # double entry is the default
        "verify": True,
        "lock": False,
        "unlock": False,
        "publish": False,
        "print": True,
        "method": False,
        "reload": True,
    }
    # Bypassing the disabled button changes nothing: the service checks the permission itself.
    monkeypatch.setattr(SheetDialogs, "choose", classmethod(lambda cls, *args: 1))
    window.choose_method()
    qtbot.waitUntil(lambda: "没有" in window.message.text(), timeout=WAIT_MS)
    assert "签字锁定与解锁" in window.message.text()
    with sqlite_database.session() as session:
        assert session.scalar(select(ScoreSheet.double_entry)) in (None, True)


def test_a_clerk_of_another_event_cannot_open_its_sheets(
    qtbot: QtBot, sqlite_database: Database, prepared: Prepared, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(ErrorDialog, "show_error", classmethod(lambda cls, parent, title, text: shown.append(text)))
    sqlite_database.info["actor"] = prepared.other_clerk
    runner = TaskRunner(sqlite_database)
    parent = QWidget()
    qtbot.addWidget(parent)
    try:
        assert ScoreEntryWindow.show_for(parent, runner, prepared.event_id) is None
    finally:
        runner.shutdown()
    assert len(shown) == 1 and "没有" in shown[0] and "焊工" in shown[0]


def test_switching_to_a_user_without_the_event_empties_the_open_window(
    qtbot: QtBot, sqlite_database: Database, prepared: Prepared, open_window: WindowFactory
) -> None:
    enter(sqlite_database, prepared.clerk_a, CellRef(prepared.practical_id, prepared.entry_ids[0], None, None, 1, 1),
          "80")  # fmt: skip
    window = open_window(prepared.clerk_a, prepared.event_id)
    assert window.model.rowCount() == 6

    sqlite_database.info["actor"] = prepared.other_clerk  # what 切换用户 does, then every view refreshes
    window.runner.changed.emit(frozenset(Change))

    assert window.model.rowCount() == 0 and window.model.sheet is None
    assert "没有" in window.message.text()
    assert not any(action.isEnabled() for name, action in window.actions_by_name.items() if name != "reload")


def test_a_cell_changed_by_someone_else_meanwhile_is_reported_not_overwritten(
    qtbot: QtBot, sqlite_database: Database, prepared: Prepared, open_window: WindowFactory
) -> None:
    ref = CellRef(prepared.practical_id, prepared.entry_ids[0], None, None, 1, 1)
    enter(sqlite_database, prepared.clerk_a, ref, "80")
    window = open_window(prepared.clerk_a, prepared.event_id)
    go_to(window, "HG-001", GridColumnKind.MARK)
    assert window.view.currentIndex().data() == "80"

    enter(sqlite_database, prepared.chief, ref, "82")  # another client, after the grid was loaded
    qtbot.keyClicks(window.view, "85")
    qtbot.keyClick(window.view, Qt.Key.Key_Return)

    assert "裁判长丙刚刚录入了 82" in window.message.text()
    assert where(window) == ("HG-001", "1号裁判")  # the focus stays on the cell
    assert window.view.state() is not QAbstractItemView.State.EditingState
    assert window.view.currentIndex().data() == "82"
    assert stored(sqlite_database, prepared.practical_id)[(prepared.entry_ids[0], 1)] == Decimal(82)
    # Now that the grid shows what is there, keying again goes through.
    key(qtbot, window, "85")
    assert stored(sqlite_database, prepared.practical_id)[(prepared.entry_ids[0], 1)] == Decimal(85)

    # Two first entries of an empty cell: the second one is told, too.
    empty = CellRef(prepared.practical_id, prepared.entry_ids[1], None, None, 1, 1)
    enter(sqlite_database, prepared.chief, empty, "60")
    go_to(window, "HG-002", GridColumnKind.MARK)
    assert window.view.currentIndex().data() == ""
    key(qtbot, window, "66")
    assert "刚刚录入了 60" in window.message.text()
    assert window.view.currentIndex().data() == "60"
    assert stored(sqlite_database, prepared.practical_id)[(prepared.entry_ids[1], 1)] == Decimal(60)


# --- double entry and read-back ------------------------------------------------------------------


def test_pass_two_is_blind_and_its_differences_are_resolved_against_the_paper(
    qtbot: QtBot,
    sqlite_database: Database,
    prepared: Prepared,
    open_window: WindowFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fill_first_pass(sqlite_database, prepared, prepared.clerk_a, {1: "80", 2: "81", 3: "82"})
    in_session(sqlite_database, prepared.clerk_a, lambda session: scores.set_practical_time(
        session, prepared.practical_id, prepared.entry_ids[0], "85:30"))  # fmt: skip

    second = open_window(prepared.clerk_b, prepared.event_id, mode=1)
    assert second.model.sheet is not None and second.model.sheet.pass_no == 2
    # Blind: nothing of the first keying shows — no marks, no totals, no times.
    model = second.model
    assert model.column_of_kind(GridColumnKind.TIME) == -1
    assert all(
        model.index(row, column).data() in ("", "已退赛")
        for row in range(model.rowCount())
        for column in range(model.columnCount())
        if model.grid_column(column).kind not in (GridColumnKind.CODE, GridColumnKind.NAME, GridColumnKind.GROUP)
    )
    assert "第二遍 0/15" in second.state_label.text()

    # The second clerk keys the paper sheet, with one transposed digit (HG-003, judge 2: 18).
    for column_values in (("80",) * 5, ("81", "81", "18", "81", "81"), ("82",) * 5):
        key(qtbot, second, *column_values)
    assert len(stored(sqlite_database, prepared.practical_id, pass_no=2)) == 15
    # The first clerk may not key pass 2 of a cell they keyed in pass 1.
    own = open_window(prepared.clerk_a, prepared.event_id, mode=1)
    go_to(own, "HG-001", GridColumnKind.MARK)
    key(qtbot, own, "79")
    assert "第一遍是您录入的" in own.message.text()

    chief = open_window(prepared.chief, prepared.event_id)
    chief.actions_by_name["differences"].trigger()
    dialog = chief.differences_dialog
    assert dialog is not None and dialog.isVisible()
    shown = [
        [dialog.model.index(row, column).data() for column in range(dialog.model.columnCount())]
        for row in range(dialog.model.rowCount())
    ]
    assert shown == [["HG-003", "2号裁判", "81", "录分员甲", "18", "录分员乙", ""]]
    assert dialog.table.currentIndex().column() == DifferencesModel.PAPER

    qtbot.keyClicks(dialog.table, "181")
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    assert "超出范围" in dialog.message.text()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Escape)
    qtbot.keyClicks(dialog.table, "81")
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    assert dialog.model.index(0, DifferencesModel.PAPER).data() == "81"
    assert "全部 1 处差异已按纸面成绩解决" in dialog.summary.text()
    assert stored(sqlite_database, prepared.practical_id, pass_no=2)[(prepared.entry_ids[2], 2)] == Decimal(81)
    assert audit_actions(sqlite_database, "score.resolve")[-1].new_value is not None
    dialog.reject()
    qtbot.waitUntil(lambda: chief.differences_dialog is None, timeout=WAIT_MS)

    monkeypatch.setattr(SheetDialogs, "confirm", classmethod(lambda cls, parent, title, text: True))
    chief.actions_by_name["verify"].trigger()
    qtbot.waitUntil(lambda: "已复核" in chief.state_label.text(), timeout=WAIT_MS)
    assert chief.actions_by_name["lock"].isEnabled() and not chief.actions_by_name["verify"].isEnabled()
    chief.actions_by_name["lock"].trigger()
    qtbot.waitUntil(lambda: "指纹" in chief.state_label.text(), timeout=WAIT_MS)
    with sqlite_database.session() as session:
        record = session.scalar(select(ScoreSheet).where(ScoreSheet.component_id == prepared.practical_id))
        assert record is not None and record.state is SheetState.LOCKED and record.fingerprint
        assert record.fingerprint[:4] in chief.state_label.text()


def test_read_back_confirms_a_row_but_never_ones_own_keying(
    qtbot: QtBot, sqlite_database: Database, prepared: Prepared, open_window: WindowFactory
) -> None:
    in_session(sqlite_database, prepared.chief, lambda session: sheets.set_double_entry(
        session, prepared.event_id, False))  # fmt: skip
    fill_first_pass(sqlite_database, prepared, prepared.clerk_a, {1: "80", 2: "81", 3: "82"})

    own = open_window(prepared.clerk_a, prepared.event_id, mode=1)
    assert own.pass_box.currentText() == "回读核对" and own.model.readback
    qtbot.keyClick(own.view, Qt.Key.Key_Space)
    assert "不能复核自己录入的成绩" in own.message.text()
    qtbot.keyClicks(own.view, "9")  # nothing is typed in read-back mode
    assert own.view.state() is not QAbstractItemView.State.EditingState
    assert "回读核对模式" in own.message.text()

    reader = open_window(prepared.clerk_b, prepared.event_id, mode=1)
    assert where(reader)[0] == "HG-001"
    qtbot.keyClick(reader.view, Qt.Key.Key_Space)
    assert where(reader)[0] == "HG-002"
    qtbot.keyClick(reader.view, Qt.Key.Key_Return)
    assert where(reader)[0] == "HG-003"
    assert "已核对 3 个成绩" in reader.message.text()
    with sqlite_database.session() as session:
        verified = {
            score.entry_id
            for score in session.scalars(select(Score).where(Score.verified_by_id == prepared.clerk_b.user_id))
        }
    assert verified == {prepared.entry_ids[0], prepared.entry_ids[1]}
    first = reader.model.index(0, reader.model.column_of_mark(0))
    assert first.data(CELL_ROLE).verified_by == "录分员乙"
    assert "未回读核对 9" in reader.state_label.text()


# --- the model ----------------------------------------------------------------------------------


def test_the_grid_model_passes_the_model_tester(
    qtmodeltester: object, sqlite_database: Database, prepared: Prepared
) -> None:
    fill_first_pass(sqlite_database, prepared, prepared.clerk_a, {1: "80", 2: "95"})
    with sqlite_database.session() as session:
        act_as(session, prepared.clerk_a)
        sheet: Sheet = scores.load_sheet(session, prepared.event_id, prepared.practical_id)
    model = ScoreGridModel()
    model.set_sheet(sheet)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    kinds = [column.kind for column in model.grid_columns]
    assert kinds == [GridColumnKind.CODE, GridColumnKind.NAME, GridColumnKind.GROUP, *[GridColumnKind.MARK] * 3,
                     GridColumnKind.TIME, GridColumnKind.TOTAL, GridColumnKind.FLAGS]  # fmt: skip
    assert model.index(0, 3).data(Qt.ItemDataRole.TextAlignmentRole) & int(Qt.AlignmentFlag.AlignRight)
    assert model.headerData(3, Qt.Orientation.Horizontal) == "1号裁判"
    assert model.index(3, 8).data() == "已退赛"  # the withdrawn row says so
    assert not model.flags(model.index(3, 3)) & Qt.ItemFlag.ItemIsEditable
    # Anonymous marking hides the name column altogether.
    model.set_sheet(Sheet(**{**{field: getattr(sheet, field) for field in sheet.__slots__}, "anonymous": True}))
    assert GridColumnKind.NAME not in [column.kind for column in model.grid_columns]
    assert model.headerData(0, Qt.Orientation.Horizontal) == "检录号"
    # A single mark is its own total: no total column on a one-judge sheet.
    with sqlite_database.session() as session:
        act_as(session, prepared.clerk_a)
        theory = scores.load_sheet(session, prepared.event_id, prepared.theory_id)
    model.set_sheet(theory)
    kinds = [column.kind for column in model.grid_columns]
    assert kinds == [GridColumnKind.CODE, GridColumnKind.NAME, GridColumnKind.GROUP, GridColumnKind.MARK,
                     GridColumnKind.FLAGS]  # fmt: skip
    model.set_sheet(None)
    assert model.rowCount() == 0 and model.columnCount() == 0
    assert model.index(0, 0, QModelIndex()).isValid() is False


# --- the demo: WorldSkills sheet and the menu ----------------------------------------------------


def demo_event(database: Database, name: str) -> int:
    with database.session() as session:
        event_id = session.scalar(select(Event.id).where(Event.name == name))
        assert event_id is not None
        return event_id


def test_a_worldskills_sheet_is_keyed_one_criterion_at_a_time(qtbot: QtBot, demo_database: Database) -> None:
    runner = TaskRunner(demo_database)
    parent = QWidget()
    qtbot.addWidget(parent)
    try:
        window = ScoreEntryWindow.show_for(parent, runner, demo_event(demo_database, "网站技术"))
        assert window is not None
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)  # window shortcuts need an active window
        window.view.setFocus()
        model = window.model
        assert window.criterion_box.isVisible()
        assert [window.criterion_box.itemData(i) for i in range(window.criterion_box.count())] == [
            None, "A", "B", "C", "D"]  # fmt: skip
        assert model.criterion == "A"
        marks = [model.sheet_column(model.index(0, column)) for column in model.entry_columns()]
        marks = [column for column in marks if column is not None]  # not 实操用时
        assert marks and all(column is not None and column.criterion == "A" for column in marks)
        # The demo planted judgement scores 0, 1, 2 on the first aspect of the first entry.
        assert model.index(0, model.column_of_mark(0)).data(FLAGGED_ROLE)
        assert "裁判需讨论后重评" in model.index(0, model.column_of_kind(GridColumnKind.FLAGS)).data(
            Qt.ItemDataRole.ToolTipRole)  # fmt: skip

        qtbot.keyClick(window.view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
        assert model.criterion == "B"
        first_judgement = next(
            column for column in model.entry_columns() if (mark := model.sheet_column(model.index(0, column)))
            and mark.judgement)  # fmt: skip
        row = window.view.first_open_cell().row()
        window.view.setCurrentIndex(model.index(row, first_judgement))
        qtbot.keyClicks(window.view, "4")
        assert "评价分只能是 0–3 的整数" in window.message.text()
        qtbot.keyClick(window.view, Qt.Key.Key_Escape)
        key(qtbot, window, "2")
        assert window.message.text().startswith("已保存")
    finally:
        runner.shutdown()


def test_the_menu_opens_one_window_per_event_and_prints_its_sheet(
    qtbot: QtBot, main_window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    action = main_window.action_collection[ActionId.ENTER_SCORES]
    assert action.shortcut().toString() == "Ctrl+E"
    main_window.tree.setCurrentIndex(main_window.model.index(0, 0))  # a tier, not an event
    action.trigger()
    assert main_window.findChildren(ScoreEntryWindow) == []

    select_node(main_window, None, "数控车工")
    action.trigger()
    windows = main_window.findChildren(ScoreEntryWindow)
    assert len(windows) == 1 and windows[0].isVisible()
    assert windows[0].model.sheet is not None and windows[0].model.sheet.event_name == "数控车工"
    action.trigger()  # the same event again: the same window, raised
    assert main_window.findChildren(ScoreEntryWindow) == windows

    pytest.importorskip("competition_app.exports.score_sheet")
    from ui.registration_io import FileDialogs

    target = tmp_path / "评分表.pdf"
    monkeypatch.setattr(FileDialogs, "save_path", classmethod(lambda cls, *args: target))
    windows[0].close()
    select_node(main_window, None, "焊工")
    monkeypatch.setattr(SheetDialogs, "choose", classmethod(lambda cls, *args: 1))
    main_window.action_collection[ActionId.PRINT_SCORE_SHEET].trigger()
    qtbot.waitUntil(lambda: target.exists() and "已保存评分表" in main_window.statusBar().currentMessage(),
                    timeout=WAIT_MS)  # fmt: skip
    assert target.read_bytes().startswith(b"%PDF")


def test_helpers_for_the_state_bar() -> None:
    assert score_entry.group_hex("0123456789abcdef") == "0123 4567 89ab cdef"
