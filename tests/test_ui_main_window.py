"""The main window on a real demo database: navigation, details, entries, settings, refreshes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QModelIndex, QSettings, Qt, QTranslator
from PySide6.QtWidgets import QApplication, QMenu, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from competition_app.domain.enums import Level
from competition_app.services.demo import DEMO_COMPETITION_NAMES
from competition_app.services.entries import list_entries
from competition_app.services.navigation import EventSummary, TierNode, load_navigation
from competition_app.tasks import Change, Progress
from db.models import Competition
from db.session import Database, sqlite_url
from ui import app as app_module
from ui.actions import ACTIONS, ActionId, MenuId, handlers
from ui.dialogs import DemoOfferDialog, ErrorDialog, InfoDialog
from ui.entries_model import EntryColumn
from ui.main_window import MainWindow
from ui.navigation_model import Column, NavigationModel, NavigationRole, NodeKind
from ui.runner import TaskRunner

WAIT_MS = 60_000
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def private_settings(tmp_path: Path) -> Iterator[None]:
    """Whatever asks for default QSettings writes under tmp_path, never the user's own settings."""
    for settings_format in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(settings_format, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    yield


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot: QtBot, demo_database: Database, settings: QSettings) -> Iterator[MainWindow]:
    runner = TaskRunner(demo_database)
    main_window = MainWindow(runner, settings)
    qtbot.addWidget(main_window)
    main_window.show()
    qtbot.waitExposed(main_window)
    yield main_window
    runner.shutdown()


def tiers_of(database: Database) -> tuple[TierNode, ...]:
    with database.session() as session:
        return load_navigation(session)


def names_under(model: NavigationModel, parent: QModelIndex) -> list[str]:
    return [model.index(row, Column.NAME, parent).data() for row in range(model.rowCount(parent))]


def competition_names(model: NavigationModel) -> list[str]:
    return [
        name for tier_row in range(model.rowCount()) for name in names_under(model, model.index(tier_row, Column.NAME))
    ]


def first_event_with_entries(model: NavigationModel) -> QModelIndex:
    for tier_row in range(model.rowCount()):
        tier = model.index(tier_row, 0)
        for competition_row in range(model.rowCount(tier)):
            competition = model.index(competition_row, 0, tier)
            for event_row in range(model.rowCount(competition)):
                event = model.index(event_row, 0, competition)
                summary = event.data(NavigationRole.SUMMARY)
                if isinstance(summary, EventSummary) and summary.entry_count > 0:
                    return event
    raise AssertionError("the demo has an event with entries")


# --- navigation -------------------------------------------------------------------------------


def test_the_tree_shows_the_demo_tiers_and_competitions(window: MainWindow, demo_database: Database) -> None:
    tiers = tiers_of(demo_database)
    model = window.model

    assert names_under(model, QModelIndex()) == [tier.label for tier in tiers]
    assert sorted(competition_names(model)) == sorted(DEMO_COMPETITION_NAMES)
    levels = {tier.level for tier in tiers}
    assert {Level.PROVINCIAL, Level.MUNICIPAL} <= levels
    # Counts in the second column are the service's entry counts.
    for tier_row, tier in enumerate(tiers):
        tier_index = model.index(tier_row, Column.ENTRIES)
        assert tier_index.data() == str(sum(c.entry_count for c in tier.competitions))
        for competition_row, competition in enumerate(tier.competitions):
            competition_index = model.index(competition_row, Column.NAME, model.index(tier_row, 0))
            assert competition_index.data(NavigationRole.KIND) == NodeKind.COMPETITION
            assert competition_index.data(NavigationRole.ID) == competition.id
            assert model.rowCount(competition_index) == len(competition.events)
            assert window.tree.isExpanded(competition_index)
    # The first tier is current, so the arrow keys work at once.
    assert window.tree.currentIndex() == model.index(0, 0)
    assert window.tree.selectionModel().isSelected(model.index(0, 0))
    assert window.details.currentWidget() is window.details.tier_page


def test_the_navigation_model_passes_the_model_tester(qtmodeltester: ModelTester, window: MainWindow) -> None:
    model = window.model
    tiers = model.tiers
    qtmodeltester.check(model)
    model.set_tiers(())
    qtmodeltester.check(model)
    model.set_tiers(tiers[:1])
    qtmodeltester.check(model)
    model.set_tiers(tiers)
    qtmodeltester.check(model)


def test_the_status_bar_names_the_database_file(window: MainWindow, demo_path: Path) -> None:
    text = window.database_label.text()
    assert text.startswith("SQLite · ")
    assert text.endswith(str(demo_path.resolve()))
    assert window.database_label in window.statusBar().findChildren(QWidget)
    assert window.windowTitle() == demo_path.name
    assert "3 项赛事" in window.totals_label.text()


# --- details and entries ----------------------------------------------------------------------


def test_selecting_an_event_fills_the_entries_table(
    qtbot: QtBot, qtmodeltester: ModelTester, window: MainWindow, demo_database: Database
) -> None:
    event_index = first_event_with_entries(window.model)
    event = event_index.data(NavigationRole.SUMMARY)
    assert isinstance(event, EventSummary)

    window.tree.setCurrentIndex(event_index)

    details = window.details
    assert details.currentWidget() is details.event_page
    assert details.event_page.title.text() == event.label
    with demo_database.session() as session:
        expected = list_entries(session, event.id)
    model = details.entries_model
    assert model.rows == expected
    assert model.rowCount() == event.entry_count > 0
    first = expected[0]
    assert model.index(0, EntryColumn.BIB).data() == first.bib
    assert model.index(0, EntryColumn.NAME).data() == first.name
    assert model.index(0, EntryColumn.GROUP).data() == first.group
    assert model.index(0, EntryColumn.STATUS).data() == first.status.label
    assert model.headerData(EntryColumn.BIB, Qt.Orientation.Horizontal) == "参赛编号"
    assert details.event_page.count.text() == f"共 {len(expected)} 人"
    qtmodeltester.check(model)
    qtmodeltester.check(details.entries_proxy)

    # Typing a bib (QTest can only type ASCII) keeps the matching rows; a name or a unit the same.
    proxy = details.entries_proxy
    assert first.bib is not None and first.bib.isascii()
    qtbot.keyClicks(details.search_field, first.bib)
    shown = [proxy.index(row, EntryColumn.BIB).data() for row in range(proxy.rowCount())]
    assert shown == [row.bib for row in expected if row.bib and first.bib.lower() in row.bib.lower()]
    assert details.event_page.count.text() == f"显示 {len(shown)} / {len(expected)} 人"
    details.search_field.setText(first.name)
    shown = [proxy.index(row, EntryColumn.NAME).data() for row in range(proxy.rowCount())]
    assert shown and all(first.name in name for name in shown)
    details.search_field.clear()
    assert proxy.rowCount() == len(expected)
    assert details.event_page.count.text() == f"共 {len(expected)} 人"
    unit = next(row.unit for row in expected if row.unit)
    details.search_field.setText(unit)
    assert proxy.rowCount() == sum(1 for row in expected if row.unit and unit in row.unit)
    details.search_field.setText("没有这样的人")
    assert proxy.rowCount() == 0
    details.search_field.clear()

    # Sorting by name through the proxy.
    details.entries_view.sortByColumn(EntryColumn.NAME, Qt.SortOrder.DescendingOrder)
    names = [proxy.index(row, EntryColumn.NAME).data() for row in range(proxy.rowCount())]
    assert names == sorted((row.name for row in expected), reverse=True)


def test_a_competition_shows_its_details(window: MainWindow) -> None:
    model = window.model
    competition_index = model.index(0, 0, model.index(0, 0))
    competition = competition_index.data(NavigationRole.SUMMARY)

    window.tree.setCurrentIndex(competition_index)

    page = window.details.competition_page
    assert window.details.currentWidget() is page
    assert page.title.text() == competition.name
    values = [label.text() for label in page.fields.values]
    assert competition.tier_label in values
    assert f"{competition.entry_count} 人次" in values


def test_arrow_keys_walk_the_tree_from_the_start(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.tree.hasFocus)
    details = window.details

    assert window.tree.currentIndex().data(NavigationRole.KIND) == NodeKind.TIER
    assert details.currentWidget() is details.tier_page
    qtbot.keyClick(window.tree, Qt.Key.Key_Down)
    assert window.tree.currentIndex().data(NavigationRole.KIND) == NodeKind.COMPETITION
    assert details.currentWidget() is details.competition_page
    qtbot.keyClick(window.tree, Qt.Key.Key_Down)
    assert window.tree.currentIndex().data(NavigationRole.KIND) == NodeKind.EVENT
    assert details.currentWidget() is details.event_page
    assert details.entries_model.rowCount() > 0

    # Ctrl+F jumps to the search field; Enter there moves on to the table.
    qtbot.keyClick(window.tree, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert details.search_field.hasFocus()
    qtbot.keyClick(details.search_field, Qt.Key.Key_Return)
    assert details.entries_view.hasFocus()


# --- refreshing -------------------------------------------------------------------------------


def test_f5_reloads_what_changed_behind_the_windows_back(
    qtbot: QtBot, window: MainWindow, demo_database: Database
) -> None:
    event_index = first_event_with_entries(window.model)
    event_id = event_index.data(NavigationRole.ID)
    window.tree.setCurrentIndex(event_index)
    window.activateWindow()
    qtbot.waitUntil(window.tree.hasFocus)
    with demo_database.transaction() as session:
        session.add(Competition(name="2026年济宁市第二届技能比武", year=2026, level=Level.MUNICIPAL))
    assert "2026年济宁市第二届技能比武" not in competition_names(window.model)

    qtbot.keyClick(window.tree, Qt.Key.Key_F5)

    assert "2026年济宁市第二届技能比武" in competition_names(window.model)
    # The selection survives the reload.
    assert window.tree.currentIndex().data(NavigationRole.ID) == event_id
    assert window.details.currentWidget() is window.details.event_page
    assert window.statusBar().currentMessage() == "已刷新"


def test_a_finished_job_refreshes_the_tree_through_changed(
    qtbot: QtBot, window: MainWindow, demo_database: Database
) -> None:
    def add_competition(session: Session, _progress: Progress) -> None:
        session.add(Competition(name="2026年企业岗位练兵", year=2026, level=Level.ENTERPRISE))

    with qtbot.waitSignal(window.runner.changed, timeout=WAIT_MS) as changed:
        window.runner.run_db("新建赛事", add_competition, changes=frozenset({Change.COMPETITIONS}))

    assert changed.args == [frozenset({Change.COMPETITIONS})]
    assert "2026年企业岗位练兵" in competition_names(window.model)


def test_creating_the_demo_twice_says_it_is_already_there(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    told: list[str] = []
    monkeypatch.setattr(InfoDialog, "show_info", classmethod(lambda _cls, _parent, _title, text: told.append(text)))

    window.action_collection[ActionId.CREATE_DEMO].trigger()
    qtbot.waitUntil(lambda: bool(told) and not window.runner.busy, timeout=WAIT_MS)

    assert told[0].startswith("演示数据已存在")


# --- start-up ---------------------------------------------------------------------------------


def test_an_empty_database_offers_demo_data_and_the_tree_fills_in(
    qtbot: QtBot, sqlite_database: Database, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[QWidget | None] = []

    def ask(_cls: type[DemoOfferDialog], parent: QWidget | None) -> bool:
        asked.append(parent)
        return True

    monkeypatch.setattr(DemoOfferDialog, "ask", classmethod(ask))

    window = app_module.start(sqlite_database.url, settings)

    assert window is not None
    qtbot.addWidget(window)
    try:
        assert window.isVisible()
        assert window.model.rowCount() == 0  # the offer comes once the window is up
        with qtbot.waitSignal(window.runner.changed, timeout=WAIT_MS):
            pass  # the offer, the background job and its "changed" all happen in here
        assert asked == [window]
        assert sorted(competition_names(window.model)) == sorted(DEMO_COMPETITION_NAMES)
        assert window.statusBar().currentMessage().startswith("已创建演示数据：3 项赛事")
    finally:
        close_started(window)


def test_declining_the_offer_leaves_the_database_empty(
    qtbot: QtBot, sqlite_database: Database, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[QWidget | None] = []

    def decline(_cls: type[DemoOfferDialog], parent: QWidget | None) -> bool:
        asked.append(parent)
        return False

    monkeypatch.setattr(DemoOfferDialog, "ask", classmethod(decline))

    window = app_module.start(sqlite_database.url, settings)

    assert window is not None
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: asked == [window])
        assert not window.runner.busy
        assert window.model.rowCount() == 0
        assert window.details.currentWidget() is window.details.placeholder
    finally:
        close_started(window)


def test_a_database_with_data_is_not_offered_the_demo(
    qtbot: QtBot, demo_path: Path, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(_cls: type[DemoOfferDialog], _parent: QWidget | None) -> bool:
        pytest.fail("the demo is offered only on an empty database")

    checked: list[MainWindow] = []
    original = app_module.offer_demo_if_empty

    def offer_demo_if_empty(window: MainWindow) -> None:
        original(window)
        checked.append(window)

    monkeypatch.setattr(DemoOfferDialog, "ask", classmethod(never))
    monkeypatch.setattr(app_module, "offer_demo_if_empty", offer_demo_if_empty)

    window = app_module.start(sqlite_url(demo_path), settings)

    assert window is not None
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: checked == [window])
        assert window.model.rowCount() > 0 and not window.runner.busy
    finally:
        close_started(window)


def test_a_database_that_cannot_be_opened_gets_a_chinese_message(
    tmp_path: Path, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        ErrorDialog, "show_error", classmethod(lambda _cls, _parent, title, text: shown.append((title, text)))
    )
    not_a_database = tmp_path / "笔记.sqlite3"
    not_a_database.write_bytes(b"this is not an SQLite file, just some text" * 100)

    assert app_module.start(sqlite_url(not_a_database), settings) is None

    assert len(shown) == 1
    title, text = shown[0]
    assert title == "无法打开数据库"
    assert text.startswith("无法打开或升级数据库：\nSQLite · ")
    assert "笔记.sqlite3" in text and "Traceback" not in text


def test_the_console_script_opens_the_window_and_reports_it_shown(demo_path: Path, tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "COMPETITION_APP_EXIT_WHEN_SHOWN": "1",
        "PYTHONPATH": str(ROOT),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    result = subprocess.run(
        [sys.executable, "-c", "from ui.entry import main; raise SystemExit(main())", "--db", str(demo_path)],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["shown"]
    assert "Traceback" not in result.stderr


def test_the_application_is_named_and_speaks_chinese() -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    locale = QLocale()
    try:
        assert app_module.application() is app
        assert app.applicationDisplayName() == "职业技能竞赛管理"
        assert app.organizationName() == app_module.ORGANIZATION
        # Qt's own strings (standard buttons, context menus) come from its zh_CN catalogue.
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    finally:
        for translator in app_module._translators:
            app.removeTranslator(translator)
        app_module._translators.clear()
        QLocale.setDefault(locale)


def close_started(window: MainWindow) -> None:
    window.runner.shutdown()
    if window.runner.database is not None:
        window.runner.database.close()


# --- window state, actions, translation -------------------------------------------------------


def test_window_geometry_and_splitter_sizes_round_trip_through_qsettings(
    qtbot: QtBot, window: MainWindow, settings: QSettings
) -> None:
    window.resize(720, 540)
    window.splitter.setSizes([260, 460])
    qtbot.waitUntil(lambda: window.size().width() == 720)
    sizes = window.splitter.sizes()
    window.close()
    assert settings.value("main_window/geometry") is not None

    reopened = MainWindow(window.runner, QSettings(settings.fileName(), QSettings.Format.IniFormat))
    qtbot.addWidget(reopened)
    reopened.show()
    qtbot.waitExposed(reopened)

    assert (reopened.width(), reopened.height()) == (720, 540)
    assert reopened.splitter.sizes() == sizes


def test_every_action_has_a_handler_a_menu_and_the_promised_shortcuts(window: MainWindow) -> None:
    registered = dict(handlers())
    assert {spec.id for spec in ACTIONS} == set(registered)
    titles = [action.text() for action in window.menuBar().actions()]
    assert titles == ["文件(&F)", "赛事(&C)", "报名(&R)", "评分(&S)", "成绩与证书(&J)", "视图(&V)", "帮助(&H)"]
    file_menu = window.findChild(QMenu, "menu_file")
    assert file_menu is not None
    assert [a.text() for a in file_menu.actions() if not a.isSeparator()] == [
        "新建赛事(&N)…",
        "导入竞赛工作簿(&I)…",
        "导出工作簿模板(&T)…",
        "创建演示数据(&D)…",
        "用户与权限(&U)…",
        "修改密码(&P)…",
        "切换用户(&L)…",
        "退出(&Q)",
    ]
    assert window.action_collection[ActionId.QUIT].shortcut().toString() == "Ctrl+Q"
    assert window.action_collection[ActionId.REFRESH].shortcut().toString() == "F5"
    assert {spec.menu for spec in ACTIONS} == set(MenuId)


def test_quit_closes_the_window(qtbot: QtBot, window: MainWindow, settings: QSettings) -> None:
    window.action_collection[ActionId.QUIT].trigger()
    assert not window.isVisible()
    assert settings.value("main_window/state") is not None


ENGLISH = {"文件(&F)": "&File", "刷新(&R)": "&Refresh", "参赛编号": "Bib", "赛事与赛项": "Competitions"}


class _English(QTranslator):
    def translate(self, _context: str, source: str, _disambiguation: str | None = None, _n: int = -1) -> str | None:
        return ENGLISH.get(source)  # None is Qt's null string: "not translated here"

    def isEmpty(self) -> bool:
        return False


def test_installing_a_translator_retranslates_the_window(qtbot: QtBot, window: MainWindow) -> None:
    app = QCoreApplication.instance()
    assert app is not None
    file_menu = window.menuBar().actions()[0]
    translator = _English()
    app.installTranslator(translator)
    try:
        # QApplication posts LanguageChange to each window: it arrives with the next events.
        qtbot.waitUntil(lambda: file_menu.text() == "&File")
        assert window.action_collection[ActionId.REFRESH].text() == "&Refresh"
        assert window.model.headerData(Column.NAME, Qt.Orientation.Horizontal) == "Competitions"
        assert window.details.entries_model.headerData(EntryColumn.BIB, Qt.Orientation.Horizontal) == "Bib"
    finally:
        app.removeTranslator(translator)
    qtbot.waitUntil(lambda: file_menu.text() == "文件(&F)")
