"""选手与报名 on the demo database: loading through the runner, search as you type, filters, sorting, keys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QItemSelectionModel, QPoint, QSettings, Qt, QTranslator
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from competition_app.domain.enums import EntryStatus
from competition_app.services.registrations import NO_ENTRY, RegistrationRow, RegistrationTable, list_registrations
from competition_app.tasks import Change, Progress
from db.models import Person
from db.session import Database
from ui.actions import ActionId
from ui.main_window import MainWindow
from ui.registrations_model import ENTRY_ID_ROLE, PERSON_ID_ROLE, RegistrationColumn, RegistrationsModel
from ui.registrations_page import SEARCH_DELAY_MS, RegistrationsPage
from ui.runner import TaskRunner

WAIT_MS = 60_000


@pytest.fixture
def runner(demo_database: Database) -> Iterator[TaskRunner]:
    task_runner = TaskRunner(demo_database)
    yield task_runner
    task_runner.shutdown()


@pytest.fixture
def expected(demo_database: Database) -> RegistrationTable:
    with demo_database.session() as session:
        return list_registrations(session)


@pytest.fixture
def page(qtbot: QtBot, runner: TaskRunner) -> RegistrationsPage:
    registrations = RegistrationsPage(runner)
    qtbot.addWidget(registrations)
    registrations.resize(1200, 700)
    with qtbot.waitSignal(registrations.loaded, timeout=WAIT_MS):
        registrations.reload()
    registrations.show()
    qtbot.waitExposed(registrations)
    return registrations


def shown(model: RegistrationsModel) -> list[RegistrationRow]:
    return [model.row_at(row) for row in range(model.rowCount())]


def initials(row: RegistrationRow) -> str:
    return row.name_pinyin.split()[1]


def test_the_page_shows_every_person_and_entry(
    qtmodeltester: ModelTester, page: RegistrationsPage, expected: RegistrationTable
) -> None:
    model = page.model
    assert model.rows == expected.rows
    assert shown(model) == list(expected.rows)  # the service's order until a header is clicked
    assert model.rowCount() == len(expected.rows) > 300
    first = expected.rows[0]
    assert model.index(0, RegistrationColumn.NAME).data() == first.name
    assert model.index(0, RegistrationColumn.ID_NUMBER).data() == first.id_number
    assert model.index(0, RegistrationColumn.BIB).data() == first.bib
    assert model.index(0, RegistrationColumn.EVENT).data() == first.event
    assert model.index(0, RegistrationColumn.STATUS).data() == (first.status.label if first.status else "未报名")
    assert model.index(0, RegistrationColumn.NAME).data(PERSON_ID_ROLE) == first.person_id
    assert model.index(0, RegistrationColumn.NAME).data(ENTRY_ID_ROLE) == first.entry_id
    assert model.headerData(RegistrationColumn.ID_NUMBER, Qt.Orientation.Horizontal) == "证件号码"
    assert page.count.text() == f"共 {len(expected.rows)} 人次，显示 {len(expected.rows)}"
    assert page.windowTitle() == "选手与报名"
    assert page.search.placeholderText() == "姓名、拼音首字母、证件号、参赛编号、单位或地区"
    assert page.event_filter.count() == len(expected.events) + 1
    # Fixed row heights: nothing is measured per row.
    assert page.table.verticalHeader().sectionResizeMode(0) == page.table.verticalHeader().ResizeMode.Fixed
    qtmodeltester.check(model)
    model.set_filter("没有这样的人")
    qtmodeltester.check(model)
    model.set_filter("z")
    model.sort(RegistrationColumn.NAME, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)


def test_typing_filters_after_a_pause(qtbot: QtBot, page: RegistrationsPage, expected: RegistrationTable) -> None:
    target = next(row for row in expected.rows if row.entry_id is not None)
    needle = initials(target)

    qtbot.keyClicks(page.search, needle)

    # Nothing happens while the user is still typing…
    assert page.model.rowCount() == len(expected.rows)
    # …then, after the debounce, only the rows whose name, pinyin, ID, bib, unit or region match.
    qtbot.waitUntil(lambda: page.model.rowCount() < len(expected.rows), timeout=SEARCH_DELAY_MS * 20)
    rows = shown(page.model)
    assert target in rows
    assert rows == [
        row
        for row in expected.rows
        if any(needle in (field or "").lower() for field in (row.name_pinyin, row.id_number, row.bib, row.unit))
    ]
    assert page.count.text() == f"共 {len(expected.rows)} 人次，显示 {len(rows)}"


def test_searching_by_id_number_bib_and_several_words(
    qtbot: QtBot, page: RegistrationsPage, expected: RegistrationTable
) -> None:
    target = next(row for row in expected.rows if row.bib and row.unit)
    model = page.model

    page.search.setText(target.id_number[-8:])
    page.apply_filter()  # what the debounce timer does
    assert target in shown(model) and all(target.id_number[-8:] in row.id_number for row in shown(model))

    page.search.setText(target.bib or "")
    page.apply_filter()
    assert shown(model) == [row for row in expected.rows if row.bib and (target.bib or "") in row.bib]

    assert target.unit is not None
    page.search.setText(f"{initials(target)} {target.unit}")
    page.apply_filter()
    rows = shown(model)
    assert target in rows and all(target.unit in f"{row.unit} {row.region}" for row in rows)

    page.search.setText("没有这样的人")
    page.apply_filter()
    assert model.rowCount() == 0
    assert page.count.text() == f"共 {len(expected.rows)} 人次，显示 0"


def test_the_combo_boxes_filter_by_event_group_and_status(page: RegistrationsPage, expected: RegistrationTable) -> None:
    model = page.model
    event = next(event for event in expected.events if len(event.groups) > 1)

    page.event_filter.setCurrentIndex(page.event_filter.findData(event.id))

    assert shown(model) == [row for row in expected.rows if row.event_id == event.id]
    # The group box lists only that event's groups.
    assert [page.group_filter.itemText(i) for i in range(page.group_filter.count())] == ["全部组别", *event.groups]
    page.group_filter.setCurrentIndex(2)
    assert shown(model) == [row for row in expected.rows if row.event_id == event.id and row.group == event.groups[1]]
    assert model.rowCount() > 0

    page.event_filter.setCurrentIndex(0)
    # No event chosen: every group name of every event, and the chosen one stays chosen.
    assert page.group_filter.currentText() == event.groups[1]
    assert shown(model) == [row for row in expected.rows if row.group == event.groups[1]]

    page.group_filter.setCurrentIndex(0)
    statuses = [page.status_filter.itemText(i) for i in range(page.status_filter.count())]
    assert statuses == ["全部状态", "已报名", "已检录", "已退赛", "取消资格", "未报名"]
    for status in (EntryStatus.REGISTERED, EntryStatus.WITHDRAWN):
        page.status_filter.setCurrentIndex(page.status_filter.findText(status.label))
        assert shown(model) == [row for row in expected.rows if row.status is status]
    page.status_filter.setCurrentIndex(page.status_filter.findData(NO_ENTRY))
    assert shown(model) == [row for row in expected.rows if row.entry_id is None]


def test_sorting_by_a_header_sorts_names_by_pinyin(qtbot: QtBot, page: RegistrationsPage) -> None:
    model = page.model
    header = page.table.horizontalHeader()

    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(header.sectionViewportPosition(0) + 5, 5))

    assert header.sortIndicatorSection() == RegistrationColumn.NAME
    names = [row.name for row in shown(model)]
    # By pinyin: the initials' first letters never go back, and 陈 (chen) comes before 程 (cheng),
    # which a plain comparison of "chenhaiyu" and "chengshuai" would get the other way round.
    # (The last initials are the surname's own reading where it has one: 单 shan, 曾 zeng.)
    first_letters = [row.name_pinyin.split()[-1][0] for row in shown(model)]
    assert first_letters == sorted(first_letters)
    chen = [place for place, name in enumerate(names) if name.startswith("陈")]
    cheng = [place for place, name in enumerate(names) if name.startswith("程")]
    assert chen and cheng and max(chen) < min(cheng)
    page.table.sortByColumn(RegistrationColumn.NAME, Qt.SortOrder.DescendingOrder)
    assert [row.name_pinyin.split()[-1][0] for row in shown(model)] == sorted(first_letters, reverse=True)

    # Bibs sort as people read them (E-9 before E-10); empty cells go last.
    page.table.sortByColumn(RegistrationColumn.BIB, Qt.SortOrder.AscendingOrder)
    bibs = [row.bib for row in shown(model)]
    numbered = [bib for bib in bibs if bib]
    assert bibs == numbered + [None] * (len(bibs) - len(numbered))

    # Filtering keeps the order; sorting keeps the selected row selected.
    by_bib = shown(model)
    page.search.setText("z")
    page.apply_filter()
    matching = set(shown(model))
    assert 0 < len(matching) < len(by_bib)
    assert shown(model) == [row for row in by_bib if row in matching]
    page.table.selectionModel().setCurrentIndex(
        model.index(3, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    )
    selected = model.row_at(3)
    page.table.sortByColumn(RegistrationColumn.NAME, Qt.SortOrder.AscendingOrder)
    assert model.row_at(page.table.currentIndex().row()) == selected

    page.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # back to the service's order
    assert shown(model) == [row for row in model.rows if row in matching]


def test_keyboard_ctrl_f_enter_and_escape(qtbot: QtBot, page: RegistrationsPage, expected: RegistrationTable) -> None:
    page.activateWindow()
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus)

    qtbot.keyClick(page.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search.hasFocus()

    qtbot.keyClicks(page.search, "zs")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)  # filters at once, then moves to the table
    assert page.model.rowCount() < len(expected.rows)
    assert page.table.hasFocus() and page.table.selectionModel().isRowSelected(0)

    page.status_filter.setCurrentIndex(1)
    qtbot.keyClick(page.table, Qt.Key.Key_Escape)  # the first Esc clears the text
    assert page.search.text() == "" and page.search.hasFocus()
    assert page.status_filter.currentIndex() == 1
    assert page.model.rowCount() == sum(1 for row in expected.rows if row.status is EntryStatus.REGISTERED)
    qtbot.keyClick(page.search, Qt.Key.Key_Escape)  # the next one the filters too
    assert page.status_filter.currentIndex() == 0
    assert page.model.rowCount() == len(expected.rows)
    assert page.count.text() == f"共 {len(expected.rows)} 人次，显示 {len(expected.rows)}"


def test_a_finished_job_reloads_the_page_and_keeps_the_filter(
    qtbot: QtBot, page: RegistrationsPage, runner: TaskRunner
) -> None:
    page.search.setText("zhangsanfeng")
    page.apply_filter()
    assert page.model.rowCount() == 0

    def add_person(session: Session, _progress: Progress) -> None:
        session.add(Person(id_number="11010519491231002X", name="张三丰"))

    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        runner.run_db("新增选手", add_person, changes=frozenset({Change.PEOPLE}))

    assert [(row.name, row.entry_id) for row in shown(page.model)] == [("张三丰", None)]
    assert page.search.text() == "zhangsanfeng"


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen has no window stack
def test_the_view_menu_opens_the_page_as_a_window(qtbot: QtBot, runner: TaskRunner, tmp_path: Path) -> None:
    window = MainWindow(runner, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    action = window.action_collection[ActionId.SHOW_REGISTRATIONS]
    assert action.shortcut().toString() == "Ctrl+Shift+F"
    view_menu = window.findChild(QMenu, "menu_view")
    assert view_menu is not None and action in view_menu.actions()

    action.trigger()

    page = window.findChild(RegistrationsPage)
    assert page is not None
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=WAIT_MS)
    assert page.isWindow() and page.isVisible()
    action.trigger()  # a second time raises the same window
    assert window.findChildren(RegistrationsPage) == [page]


class _English(QTranslator):
    def translate(self, context: str, source: str, _disambiguation: str | None = None, _n: int = -1) -> str | None:
        return {"姓名": "Name", "选手与报名": "Contestants"}.get(source)

    def isEmpty(self) -> bool:
        return False


def test_installing_a_translator_retranslates_the_page(qtbot: QtBot, page: RegistrationsPage) -> None:
    app = QApplication.instance()
    assert app is not None
    translator = _English()
    QCoreApplication.installTranslator(translator)
    try:
        qtbot.waitUntil(lambda: page.windowTitle() == "Contestants")
        assert page.model.headerData(RegistrationColumn.NAME, Qt.Orientation.Horizontal) == "Name"
    finally:
        QCoreApplication.removeTranslator(translator)
    qtbot.waitUntil(lambda: page.windowTitle() == "选手与报名")
