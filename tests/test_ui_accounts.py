"""Accounts in the desktop app: first run, login and its hold, start-up, switching user, the users dialog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMenu, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from competition_app import cli_login
from competition_app.domain.enums import Role
from competition_app.domain.permissions import RoleGrant
from competition_app.services import auth
from competition_app.services.auth import (
    ACTOR_KEY,
    AccountInput,
    AccountRow,
    Actor,
    act_as,
    create_first_admin,
    create_user,
    list_accounts,
    login,
)
from competition_app.tasks import Change
from db.models import AuditRecord, User
from db.session import Database
from tests.factories import minimal_event
from tests.support.accounts import CHEAP_HASHER
from ui import accounts
from ui import app as app_module
from ui.accounts import (
    ACCOUNT_LABEL,
    ChangePasswordDialog,
    DeactivateReason,
    FirstRunDialog,
    LoginDialog,
    NewAccountDialog,
    UsersDialog,
)
from ui.actions import ActionId
from ui.dialogs import DemoOfferDialog
from ui.main_window import MainWindow
from ui.runner import TaskRunner

WAIT_MS = 30_000
ADMIN_PASSWORD = "Kaoping-2026"
CLERK_PASSWORD = "luru-mima-7"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Still argon2id, with parameters that take a millisecond."""
    monkeypatch.setattr(auth, "_hasher", CHEAP_HASHER)


@pytest.fixture(autouse=True)
def no_credentials_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cli_login.USER_VAR, raising=False)
    monkeypatch.delenv(cli_login.PASSWORD_VAR, raising=False)


@pytest.fixture
def runner(sqlite_database: Database) -> Iterator[TaskRunner]:
    task_runner = TaskRunner(sqlite_database)
    yield task_runner
    task_runner.shutdown()


@pytest.fixture
def event_id(sqlite_database: Database) -> int:
    with sqlite_database.transaction() as session:
        return minimal_event(session).event.id


@pytest.fixture
def admin(sqlite_database: Database) -> Actor:
    with sqlite_database.transaction() as session:
        return create_first_admin(session, "admin", "王主任", ADMIN_PASSWORD)


@pytest.fixture
def clerk(sqlite_database: Database, admin: Actor, event_id: int) -> Actor:
    """李录分, 录分员 of the one event; logged in once to get their actor."""
    with sqlite_database.transaction() as session:
        act_as(session, admin)
        create_user(session, AccountInput("li", "李录分", CLERK_PASSWORD, (RoleGrant(Role.CLERK, None, event_id),)))
    with sqlite_database.transaction() as session:
        actor = login(session, "li", CLERK_PASSWORD).actor
    assert actor is not None
    return actor


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot: QtBot, runner: TaskRunner, settings: QSettings) -> MainWindow:
    main_window = MainWindow(runner, settings)
    qtbot.addWidget(main_window)
    accounts.install_account_status(main_window)
    return main_window


def shown(qtbot: QtBot, dialog: QDialog) -> QDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def type_into(qtbot: QtBot, widget: QWidget, text: str) -> None:
    qtbot.keyClicks(widget, text)


def account_label(window: MainWindow) -> str:
    label = window.findChild(QLabel, ACCOUNT_LABEL)
    assert label is not None
    return label.text()


def visible_menus(window: MainWindow) -> list[str]:
    return [action.text() for action in window.menuBar().actions() if action.isVisible()]


# --- first run ----------------------------------------------------------------------------------


def test_first_run_checks_the_password_as_typed_and_creates_the_admin(
    qtbot: QtBot, runner: TaskRunner, sqlite_database: Database
) -> None:
    dialog = shown(qtbot, FirstRunDialog(runner))
    assert isinstance(dialog, FirstRunDialog)
    assert dialog.username.text() == "admin" and dialog.focusWidget() is dialog.username
    assert not dialog.ok_button.isEnabled()

    dialog.display_name.setText("王主任")  # QTest types Latin-1 only
    type_into(qtbot, dialog.password.first, "abc")
    assert dialog.password.error.text() == "密码至少需要 8 个字符" and dialog.password.error.isVisible()
    type_into(qtbot, dialog.password.first, "-kaoping")
    type_into(qtbot, dialog.password.second, "abc-kaopin")
    assert dialog.password.error.text() == "两次输入的密码不一致"
    assert not dialog.ok_button.isEnabled()
    type_into(qtbot, dialog.password.second, "g")
    assert not dialog.password.error.isVisible()
    assert dialog.ok_button.isEnabled()

    qtbot.keyClick(dialog.password.second, Qt.Key.Key_Return)  # Enter creates: no mouse needed
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=WAIT_MS)

    assert dialog.actor is not None
    assert (dialog.actor.username, dialog.actor.display_name) == ("admin", "王主任")
    assert dialog.actor.grants == (RoleGrant(Role.ADMIN),)
    with sqlite_database.session() as session:
        stored = session.scalars(select(User.password_hash)).one()
    assert stored is not None and stored.startswith("$argon2id$")


def test_first_run_shows_the_services_refusal(qtbot: QtBot, runner: TaskRunner) -> None:
    dialog = shown(qtbot, FirstRunDialog(runner))
    assert isinstance(dialog, FirstRunDialog)
    dialog.username.setText("王 主任")  # the service, not the dialog, knows what a username may be
    dialog.password.first.setText("kaoping-2026")
    dialog.password.second.setText("kaoping-2026")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.busy and dialog.error.isVisible(), timeout=WAIT_MS)
    assert dialog.error.text().startswith("用户名应为 2–40 个英文字母、数字或 _ . -")
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.actor is None


# --- login --------------------------------------------------------------------------------------


def test_login_with_the_keyboard_only(qtbot: QtBot, runner: TaskRunner, clerk: Actor) -> None:
    dialog = shown(qtbot, LoginDialog(runner, at_start=True))
    assert isinstance(dialog, LoginDialog)
    assert dialog.focusWidget() is dialog.username
    qtbot.keyClicks(dialog.username, "LI")
    qtbot.keyClick(dialog.username, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.password
    qtbot.keyClicks(dialog.password, CLERK_PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=WAIT_MS)
    assert dialog.actor == clerk


def test_a_failed_login_says_why_and_a_hold_is_counted_down(qtbot: QtBot, runner: TaskRunner, clerk: Actor) -> None:
    dialog = shown(qtbot, LoginDialog(runner, username="li"))
    assert isinstance(dialog, LoginDialog)
    assert dialog.focusWidget() is dialog.password  # the name is filled in: straight to the password
    now = [1000.0]
    dialog.clock = lambda: now[0]

    def fail_once() -> None:
        dialog.password.setText("wrong-guess")
        dialog.login_button.click()
        qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)

    for _ in range(3):
        fail_once()
        assert dialog.message.text() == "用户名或密码错误"
        assert dialog.password.text() == "" and not dialog.wait.isVisible()
    fail_once()

    assert dialog.message.text() == "用户名或密码错误。连续输错密码次数过多，请在 5 秒后再试"
    assert dialog.wait.text() == "还需等待 5 秒" and dialog.wait.isVisible()
    dialog.password.setText(CLERK_PASSWORD)
    assert not dialog.login_button.isEnabled()  # held: 登录 waits for the hold
    dialog.login_button.click()
    assert not dialog.busy
    now[0] += 2.5
    dialog.timer.timeout.emit()
    assert dialog.wait.text() == "还需等待 3 秒"
    dialog.username.setText("admin")  # another account is not held
    assert dialog.login_button.isEnabled()
    dialog.username.setText("li")
    assert not dialog.login_button.isEnabled()
    now[0] += 3
    dialog.timer.timeout.emit()
    assert dialog.wait.text() == "现在可以再次登录" and not dialog.timer.isActive()
    assert dialog.login_button.isEnabled()
    assert dialog.actor is None


# --- start-up -----------------------------------------------------------------------------------


def test_sign_in_on_a_new_database_asks_for_the_administrator(
    runner: TaskRunner, sqlite_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[QWidget | None] = []

    def create(_cls: type[FirstRunDialog], parent: QWidget | None, task_runner: TaskRunner) -> Actor | None:
        asked.append(parent)
        assert task_runner is runner
        return None  # the user quit

    monkeypatch.setattr(FirstRunDialog, "ask", classmethod(create))
    assert accounts.sign_in(runner) is False
    assert asked == [None] and ACTOR_KEY not in sqlite_database.info
    # The start-up benchmark has nobody to ask: the new database opens in set-up mode.
    assert accounts.sign_in(runner, interactive=False) is True
    assert ACTOR_KEY not in sqlite_database.info and len(asked) == 1


def test_sign_in_uses_the_environment_then_the_login_dialog(
    runner: TaskRunner, sqlite_database: Database, clerk: Actor, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    asked: list[tuple[str, str]] = []

    def ask(_cls: type[LoginDialog], _parent: QWidget | None, _runner: TaskRunner, *, username: str = "",
            message: str = "", at_start: bool = False) -> Actor | None:  # fmt: skip
        asked.append((username, message))
        assert at_start
        return None

    monkeypatch.setattr(LoginDialog, "ask", classmethod(ask))
    assert accounts.sign_in(runner, interactive=False) is False
    assert "请在环境变量 COMPETITION_APP_USER 和 COMPETITION_APP_PASSWORD 中提供用户名和密码" in capsys.readouterr().err

    monkeypatch.setenv(cli_login.USER_VAR, "li")
    monkeypatch.setenv(cli_login.PASSWORD_VAR, "wrong-guess")
    assert accounts.sign_in(runner) is False
    assert asked == [("li", "用户名或密码错误")]  # the dialog opens with the name filled in and the reason

    monkeypatch.setenv(cli_login.PASSWORD_VAR, CLERK_PASSWORD)
    assert accounts.sign_in(runner, interactive=False) is True
    assert sqlite_database.info[ACTOR_KEY] == clerk and len(asked) == 1


def test_start_signs_in_before_the_window_and_still_offers_the_demo(
    qtbot: QtBot, sqlite_database: Database, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def first_run(_cls: type[FirstRunDialog], _parent: QWidget | None, task_runner: TaskRunner) -> Actor:
        assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        assert task_runner.database is not None
        with task_runner.database.transaction() as session:
            return create_first_admin(session, "admin", "王主任", ADMIN_PASSWORD)

    offered: list[QWidget | None] = []
    monkeypatch.setattr(FirstRunDialog, "ask", classmethod(first_run))
    monkeypatch.setattr(DemoOfferDialog, "ask", classmethod(lambda _cls, parent: offered.append(parent) or False))

    window = app_module.start(sqlite_database.url, settings, sign_in=accounts.sign_in)

    assert window is not None
    qtbot.addWidget(window)
    try:
        assert account_label(window) == "当前用户：王主任（管理员）"
        assert window.action_collection[ActionId.USERS].isVisible()
        qtbot.waitUntil(lambda: offered == [window], timeout=WAIT_MS)
    finally:
        window.runner.shutdown()


def test_start_quits_when_nobody_logs_in(sqlite_database: Database, admin: Actor, settings: QSettings,
                                         monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr(LoginDialog, "ask", classmethod(lambda _cls, *_args, **_kwargs: None))
    assert app_module.start(sqlite_database.url, settings, sign_in=accounts.sign_in) is None


# --- the window follows who is logged in ----------------------------------------------------------


def test_actions_follow_the_permissions_held_anywhere(window: MainWindow, sqlite_database: Database,
                                                      admin: Actor, clerk: Actor) -> None:  # fmt: skip
    actions = window.action_collection
    accounts.show_actor(window, clerk)
    assert account_label(window) == "当前用户：李录分（录分员）"
    assert not actions[ActionId.USERS].isVisible()
    assert not actions[ActionId.NEW_COMPETITION].isVisible() and not actions[ActionId.DRAW_STATIONS].isVisible()
    assert actions[ActionId.ENTER_SCORES].isVisible() and actions[ActionId.CHANGE_PASSWORD].isVisible()
    assert actions[ActionId.SWITCH_USER].isVisible() and actions[ActionId.QUIT].isVisible()
    # 赛事 and 报名 hold nothing for a clerk: the menus go too.
    assert visible_menus(window) == ["文件(&F)", "评分(&S)", "成绩与证书(&J)", "视图(&V)", "帮助(&H)"]
    file_menu = window.findChild(QMenu, "menu_file")
    assert file_menu is not None
    assert [a.text() for a in file_menu.actions() if a.isVisible() and not a.isSeparator()] == [
        "导出工作簿模板(&T)…", "修改密码(&P)…", "切换用户(&L)…", "退出(&Q)",
    ]  # fmt: skip

    accounts.show_actor(window, admin)
    assert account_label(window) == "当前用户：王主任（管理员）"
    assert all(action.isVisible() for action in (actions[spec] for spec in ActionId))
    assert "赛事(&C)" in visible_menus(window)

    accounts.show_actor(window, None)
    assert account_label(window) == "未登录"
    assert not actions[ActionId.ENTER_SCORES].isVisible() and not actions[ActionId.CHANGE_PASSWORD].isVisible()


def test_set_up_mode_shows_everything_but_change_password(window: MainWindow) -> None:
    assert account_label(window) == "尚未设置账户"
    actions = window.action_collection
    assert actions[ActionId.USERS].isVisible() and not actions[ActionId.CHANGE_PASSWORD].isVisible()


def test_switch_user_replaces_the_actor_and_refreshes(qtbot: QtBot, window: MainWindow, admin: Actor, clerk: Actor,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    sqlite_database = window.runner.database
    assert sqlite_database is not None
    sqlite_database.info[ACTOR_KEY] = admin
    accounts.show_actor(window, admin)
    answers: list[Actor | None] = [None, clerk]
    monkeypatch.setattr(LoginDialog, "ask", classmethod(lambda _cls, *_args, **_kwargs: answers.pop(0)))

    window.action_collection[ActionId.SWITCH_USER].trigger()  # cancelled: nothing changes
    assert sqlite_database.info[ACTOR_KEY] == admin and account_label(window) == "当前用户：王主任（管理员）"

    with qtbot.waitSignal(window.runner.changed, timeout=WAIT_MS) as changed:
        window.action_collection[ActionId.SWITCH_USER].trigger()
    assert changed.args == [frozenset(Change)]
    assert sqlite_database.info[ACTOR_KEY] == clerk
    assert account_label(window) == "当前用户：李录分（录分员）"
    assert not window.action_collection[ActionId.USERS].isVisible()
    assert window.statusBar().currentMessage() == "已切换为 李录分（录分员）"
    with sqlite_database.session() as session:  # new sessions act as the clerk now
        assert auth.current_actor(session) == clerk


def test_only_an_administrator_gets_the_users_dialog(window: MainWindow, sqlite_database: Database, clerk: Actor,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr(UsersDialog, "ask", classmethod(lambda *_args: pytest.fail("not for a clerk")))
    sqlite_database.info[ACTOR_KEY] = clerk
    accounts.manage_users(window)
    assert window.statusBar().currentMessage() == "只有管理员可以管理用户与权限"


def test_change_password(qtbot: QtBot, runner: TaskRunner, sqlite_database: Database, clerk: Actor) -> None:
    sqlite_database.info[ACTOR_KEY] = clerk
    dialog = shown(qtbot, ChangePasswordDialog(runner, clerk))
    assert isinstance(dialog, ChangePasswordDialog)
    dialog.old.setText("not-my-password")
    dialog.password.first.setText("xin-mima-2026")
    assert not dialog.ok_button.isEnabled()
    dialog.password.second.setText("xin-mima-2026")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.busy and dialog.error.isVisible(), timeout=WAIT_MS)
    assert dialog.error.text() == "原密码不正确"
    dialog.old.setText(CLERK_PASSWORD)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=WAIT_MS)
    with sqlite_database.transaction() as session:
        assert login(session, "li", "xin-mima-2026").actor is not None


# --- users and roles ----------------------------------------------------------------------------


def accounts_in(database: Database, actor: Actor) -> dict[str, AccountRow]:
    with database.session() as session:
        act_as(session, actor)
        return {row.username: row for row in list_accounts(session)}


def test_the_users_dialog_creates_an_account_with_a_scoped_role(
    qtbot: QtBot, runner: TaskRunner, admin: Actor, event_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqlite_database = runner.database
    assert sqlite_database is not None
    sqlite_database.info[ACTOR_KEY] = admin
    users = shown(qtbot, UsersDialog(runner))
    assert isinstance(users, UsersDialog)
    assert users.model.rowCount() == 1 and users.model.index(0, 0).data() == "admin"
    assert [scope.label.strip() for scope in users.scopes] == [
        "全部赛事",
        "赛事：测试赛事",
        "赛项：焊工（一类）（测试赛事）",
    ]

    def new_account(_cls: type[NewAccountDialog], parent: QWidget | None, task_runner: TaskRunner,
                    scopes: tuple[accounts.Scope, ...]) -> int | None:  # fmt: skip
        dialog = shown(qtbot, NewAccountDialog(task_runner, scopes, parent))
        assert isinstance(dialog, NewAccountDialog)
        dialog.username.setText("li")
        dialog.display_name.setText("李录分")
        dialog.password.first.setText(CLERK_PASSWORD)
        dialog.password.second.setText(CLERK_PASSWORD)
        assert not dialog.ok_button.isEnabled()  # an account needs a role
        dialog.grants.role.setCurrentIndex(dialog.grants.role.findText("录分员"))
        dialog.grants.scope.setCurrentIndex(2)
        dialog.grants.add_button.click()
        dialog.grants.add_button.click()  # the same role twice is kept once
        assert dialog.grants.grants() == (RoleGrant(Role.CLERK, None, event_id),)
        assert dialog.grants.model.item(0).text() == "录分员 · 赛项：焊工（一类）（测试赛事）"
        dialog.ok_button.click()
        qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=WAIT_MS)
        return dialog.result_id

    monkeypatch.setattr(NewAccountDialog, "ask", classmethod(new_account))
    users.new_button.click()

    stored = accounts_in(sqlite_database, admin)["li"]
    assert stored.grants == (RoleGrant(Role.CLERK, None, event_id),) and stored.display_name == "李录分"
    assert users.model.rowCount() == 2
    assert users.selected() == stored  # the new account is selected
    assert users.model.index(1, accounts.AccountColumn.ROLES).data() == "录分员 · 赛项：焊工（一类）（测试赛事）"


def test_the_users_dialog_deactivates_but_keeps_the_last_admin(
    qtbot: QtBot, runner: TaskRunner, admin: Actor, clerk: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqlite_database = runner.database
    assert sqlite_database is not None and clerk.username == "li"
    sqlite_database.info[ACTOR_KEY] = admin
    users = shown(qtbot, UsersDialog(runner))
    assert isinstance(users, UsersDialog)
    reasons: list[str | None] = [None, "赛后离场"]
    monkeypatch.setattr(DeactivateReason, "ask", classmethod(lambda _cls, _parent, _account: reasons.pop(0)))

    users.view.setCurrentIndex(users.model.index(1, 0))
    assert users.selected() is not None and users.selected().username == "li"  # type: ignore[union-attr]
    assert users.active_button.text() == "停用(&D)"
    users.active_button.click()  # the reason prompt was cancelled
    assert accounts_in(sqlite_database, admin)["li"].is_active
    users.active_button.click()
    qtbot.waitUntil(lambda: users.model.index(1, accounts.AccountColumn.STATE).data() == "已停用", timeout=WAIT_MS)
    assert users.active_button.text() == "启用(&E)"
    with sqlite_database.session() as session:
        record = session.scalars(select(AuditRecord).where(AuditRecord.action == "user.deactivate")).one()
    assert (record.username, record.reason) == ("admin", "赛后离场")

    users.view.setCurrentIndex(users.model.index(0, 0))
    reasons.append("")
    users.active_button.click()
    qtbot.waitUntil(users.error.isVisible, timeout=WAIT_MS)
    assert users.error.text() == "至少要保留一名可用的管理员"
    assert accounts_in(sqlite_database, admin)["admin"].is_active


def test_after_the_users_dialog_the_own_roles_are_reread(
    qtbot: QtBot, window: MainWindow, admin: Actor, event_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = window.runner.database
    assert database is not None and admin.user_id is not None
    database.info[ACTOR_KEY] = admin
    extra = RoleGrant(Role.CHIEF_JUDGE, None, event_id)

    def edit_own_roles(_cls: type[UsersDialog], _parent: QWidget | None, task_runner: TaskRunner) -> None:
        with database.transaction() as session:
            auth.set_grants(session, admin.user_id or 0, (*admin.grants, extra))

    monkeypatch.setattr(UsersDialog, "ask", classmethod(edit_own_roles))
    with qtbot.waitSignal(window.runner.changed, timeout=WAIT_MS):
        window.action_collection[ActionId.USERS].trigger()
    assert database.info[ACTOR_KEY].grants == (*admin.grants, extra)
    assert account_label(window) == "当前用户：王主任（管理员、裁判长）"


def test_a_user_deactivated_meanwhile_must_log_in_again_or_the_window_closes(
    qtbot: QtBot, window: MainWindow, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = window.runner.database
    assert database is not None
    with database.transaction() as session:
        act_as(session, admin)
        create_user(session, AccountInput("chief", "总管理员", ADMIN_PASSWORD, (RoleGrant(Role.ADMIN),)))
    database.info[ACTOR_KEY] = admin
    window.show()

    def deactivate_self(_cls: type[UsersDialog], _parent: QWidget | None, task_runner: TaskRunner) -> None:
        with database.transaction() as session:
            auth.set_active(session, admin.user_id or 0, False)

    asked: list[QWidget | None] = []

    def nobody(_cls: type[LoginDialog], parent: QWidget | None, *_args: object, **_kwargs: object) -> None:
        asked.append(parent)

    monkeypatch.setattr(UsersDialog, "ask", classmethod(deactivate_self))
    monkeypatch.setattr(LoginDialog, "ask", classmethod(nobody))
    accounts.manage_users(window)
    assert asked == [window]
    assert not window.isVisible()
