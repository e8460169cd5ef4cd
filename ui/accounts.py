"""Accounts in the desktop app: first run, login, switching user, passwords, users and roles.

Who is logged in lives in ``database.info["actor"]`` (see ``competition_app.services.auth``):
every session the database makes carries it, and the services check it. This module only asks
for credentials, shows who is logged in, and hides the menu actions the user holds no
permission for anywhere — a convenience, since the services refuse anyway.

Every dialog has an ``ask()`` classmethod that tests monkeypatch instead of clicking.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from competition_app.cli_login import PASSWORD_VAR, USER_VAR
from competition_app.domain.enums import Role
from competition_app.domain.permissions import Permission, RoleGrant, holds_anywhere
from competition_app.services.auth import (
    ACTOR_KEY,
    SETUP_ACTOR,
    AccountError,
    AccountInput,
    AccountRow,
    Actor,
    AuthError,
    LoginOutcome,
    NotLoggedIn,
    change_own_password,
    check_password_strength,
    create_first_admin,
    create_user,
    has_accounts,
    list_accounts,
    login,
    normalise_username,
    reload_actor,
    reset_password,
    set_active,
    set_grants,
)
from competition_app.services.navigation import TierNode, load_navigation
from competition_app.tasks import Change, Progress
from ui.actions import ActionId, MenuId
from ui.i18n import translate

if TYPE_CHECKING:
    from ui.main_window import MainWindow
    from ui.person_form import ErrorLabel
    from ui.runner import TaskRunner

CONTEXT = "Accounts"
EVERYTHING = frozenset(Change)
ACCOUNT_LABEL = "account_label"
"""Object name of the status-bar label that shows who is logged in."""


def _tr(text: str) -> str:
    return translate(CONTEXT, text)


# --- who may see which action -------------------------------------------------------------------

ACTION_PERMISSIONS: dict[ActionId, tuple[Permission, ...]] = {
    ActionId.NEW_COMPETITION: (Permission.MANAGE_COMPETITIONS,),
    ActionId.CREATE_DEMO: (Permission.MANAGE_COMPETITIONS,),
    ActionId.IMPORT_WORKBOOK: (Permission.REGISTER,),
    ActionId.USERS: (Permission.MANAGE_USERS,),
    ActionId.ADD_EVENT: (Permission.MANAGE_COMPETITIONS,),
    ActionId.EDIT_EVENT: (Permission.MANAGE_COMPETITIONS,),
    ActionId.JUDGES: (Permission.REGISTER,),
    ActionId.ADD_PERSON: (Permission.REGISTER,),
    ActionId.TEAMS: (Permission.REGISTER,),
    ActionId.EXPORT_ROSTER: (Permission.REGISTER,),
    ActionId.SIGN_IN_SHEET: (Permission.REGISTER,),
    ActionId.BIB_LIST: (Permission.REGISTER,),
    ActionId.DRAW_STATIONS: (Permission.DRAW,),
    ActionId.DRAW_CODES: (Permission.DRAW,),
    ActionId.REVEAL_CODES: (Permission.REVEAL,),
    ActionId.SHOW_REGISTRATIONS: (Permission.REGISTER,),
    ActionId.ENTER_SCORES: (Permission.ENTER_SCORES, Permission.VIEW_SCORES),
    ActionId.IMPORT_SCORES: (Permission.ENTER_SCORES,),
    ActionId.SCORES_TEMPLATE: (Permission.ENTER_SCORES,),
    ActionId.PRINT_SCORE_SHEET: (Permission.VIEW_SCORES,),
    ActionId.AUDIT_LOG: (Permission.VIEW_AUDIT,),
    ActionId.SHOW_RESULTS: (Permission.VIEW_SCORES,),
    ActionId.STATISTICS: (Permission.VIEW_SCORES,),
    ActionId.PUBLISH_DOCUMENTS: (Permission.PUBLISH,),
    ActionId.CERTIFICATES: (Permission.PUBLISH,),
    ActionId.CERTIFICATE_TEMPLATE: (Permission.MANAGE_COMPETITIONS,),
    ActionId.PRINTER_CALIBRATION: (Permission.PUBLISH,),
    ActionId.CERTIFICATE_REGISTER: (Permission.VIEW_SCORES,),
}
"""An action is shown only to someone holding one of its permissions somewhere; the rest always show."""


def current_actor_of(runner: TaskRunner) -> Actor | None:
    """Who is logged in: the database's actor, the set-up administrator while there are no
    accounts, or None (accounts exist but nobody is logged in)."""
    database = runner.database
    if database is None:
        return None
    actor = database.info.get(ACTOR_KEY)
    if isinstance(actor, Actor):
        return actor
    return None if runner.read(has_accounts) else SETUP_ACTOR


def install_account_status(window: MainWindow) -> None:
    """Add the "logged in as" label to the status bar and show only the permitted actions."""
    if window.findChild(QLabel, ACCOUNT_LABEL) is None:
        label = QLabel(window)
        label.setObjectName(ACCOUNT_LABEL)
        label.setContentsMargins(0, 0, 8, 0)
        label.setToolTip(_tr("当前登录的用户及其角色；文件 → 切换用户"))
        window.statusBar().insertPermanentWidget(0, label)
    show_actor(window, current_actor_of(window.runner))


def show_actor(window: MainWindow, actor: Actor | None) -> None:
    """Show ``actor`` in the status bar and hide the actions they hold no permission for anywhere."""
    label = window.findChild(QLabel, ACCOUNT_LABEL)
    if label is not None:
        if actor is None:
            label.setText(_tr("未登录"))
        elif actor.user_id is None:
            label.setText(_tr("尚未设置账户"))
        else:
            label.setText(_tr("当前用户：{who}").format(who=actor.describe))
    grants = actor.grants if actor is not None else ()
    actions = window.action_collection
    for action_id, permissions in ACTION_PERMISSIONS.items():
        actions[action_id].setVisible(any(holds_anywhere(grants, permission) for permission in permissions))
    actions[ActionId.CHANGE_PASSWORD].setVisible(actor is not None and actor.user_id is not None)
    for menu_id in MenuId:
        menu = window.findChild(QMenu, f"menu_{menu_id}")
        if menu is not None:  # a menu left with nothing in it goes too
            shown = any(action.isVisible() and not action.isSeparator() for action in menu.actions())
            menu.menuAction().setVisible(shown)


def apply_actor(window: MainWindow, actor: Actor) -> None:
    """Make ``actor`` the logged-in user and have every view reload what it shows for them."""
    database = window.runner.database
    if database is None:
        return
    database.info[ACTOR_KEY] = actor
    show_actor(window, actor)
    window.runner.changed.emit(EVERYTHING)


# --- signing in at start-up ---------------------------------------------------------------------


def sign_in(runner: TaskRunner, *, interactive: bool = True) -> bool:
    """Log somebody in before the main window is built; False if nobody did (the app then quits).

    With no account yet, the first-run dialog creates the administrator. Otherwise the user
    and password come from ``COMPETITION_APP_USER`` / ``COMPETITION_APP_PASSWORD`` when both
    are set (as for the command line), else from the login dialog. Not ``interactive`` (the
    start-up benchmark): a database without accounts opens in set-up mode, and one with
    accounts needs the environment variables.
    """
    database = runner.database
    if database is None:
        return False
    actor = database.info.get(ACTOR_KEY)
    if not isinstance(actor, Actor):
        if not runner.read(has_accounts):
            if not interactive:
                return True  # set-up mode: nobody to keep out and nobody to ask
            actor = FirstRunDialog.ask(None, runner)
        else:
            actor = _login_at_start(runner, interactive=interactive)
    if actor is None:
        return False
    database.info[ACTOR_KEY] = actor
    return True


def _login_at_start(runner: TaskRunner, *, interactive: bool) -> Actor | None:
    """The environment's credentials if both are set and right, else (interactive) the login dialog."""
    username, password = os.environ.get(USER_VAR, ""), os.environ.get(PASSWORD_VAR)
    message = ""
    if username and password is not None and runner.database is not None:
        with runner.database.transaction() as session:  # commits a failure count and its audit record too
            outcome = login(session, username, password)
        if outcome.actor is not None:
            return outcome.actor
        message = outcome.message
    if interactive:
        return LoginDialog.ask(None, runner, username=username, message=message, at_start=True)
    missing = _tr("本数据库已设置用户账户：请在环境变量 {user} 和 {password} 中提供用户名和密码")
    print(message or missing.format(user=USER_VAR, password=PASSWORD_VAR), file=sys.stderr)
    return None


# --- small pieces shared by the dialogs ---------------------------------------------------------


# ui.person_form is imported only when a dialog opens: at start-up it would cost ~0.1 s.
def _error_label(parent: QWidget) -> ErrorLabel:
    from ui.person_form import ErrorLabel

    return ErrorLabel(parent)


def _hint_label(parent: QWidget) -> QLabel:
    from ui.person_form import hint_label

    return hint_label(parent)


def _keep_minimum_size(dialog: QDialog) -> None:
    from ui.person_form import keep_minimum_size

    keep_minimum_size(dialog)


def _password_edit(parent: QWidget, name: str) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def _form(parent: QWidget) -> QFormLayout:
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    return form


class NewPassword(QObject):
    """A new password typed twice, checked as it is typed (length, not the username, the same twice)."""

    changed = Signal()

    def __init__(self, parent: QWidget, username: Callable[[], str]) -> None:
        super().__init__(parent)
        self._username = username
        self.first = _password_edit(parent, "new_password")
        self.second = _password_edit(parent, "repeat_password")
        self.first.setPlaceholderText(_tr("至少 8 个字符"))
        self.error = _error_label(parent)
        self.error.setObjectName("password_error")
        self.first.textChanged.connect(self._changed)
        self.second.textChanged.connect(self._changed)

    def add_rows(self, form: QFormLayout, first: str, second: str) -> None:
        form.addRow(first, self.first)
        form.addRow(second, self.second)
        form.addRow("", self.error)

    @property
    def text(self) -> str:
        return self.first.text()

    def problem(self) -> str | None:
        """Why the password cannot be used yet (None once it can)."""
        first, second = self.first.text(), self.second.text()
        if not first:
            return _tr("请输入密码")
        try:
            check_password_strength(first, normalise_username(self._username()))
        except AccountError as error:
            return str(error)
        if second != first:
            return _tr("请再次输入相同的密码") if not second else _tr("两次输入的密码不一致")
        return None

    def _changed(self) -> None:
        self.check()
        self.changed.emit()

    def check(self) -> bool:
        """Show the problem (once something is typed) and say whether the password is usable."""
        problem = self.problem()
        shown = problem if self.first.text() and problem != _tr("请再次输入相同的密码") else None
        self.error.show_message(shown)
        return problem is None


class _RunningDialog(QDialog):
    """A dialog whose OK runs one service call through the runner; errors show under the form."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.busy = False
        self.error = _error_label(self)
        self.error.setObjectName("dialog_error")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def ready(self) -> bool:
        return True

    def update_ok(self) -> None:
        self.ok_button.setEnabled(not self.busy and self.ready())

    def submit(self) -> None:
        if not self.busy and self.ready():
            self.busy = True
            self.update_ok()
            self.runner.run_db(self.windowTitle(), self.work, on_success=self._succeeded, on_failure=self._failed)

    def work(self, session: Any, progress: Progress) -> Any:
        raise NotImplementedError

    def succeeded(self, result: Any) -> None:
        self.accept()

    def _succeeded(self, result: Any) -> None:
        self.busy = False
        self.error.show_message(None)
        self.succeeded(result)
        self.update_ok()

    def _failed(self, error: Exception) -> None:
        self.busy = False
        self.error.show_message(
            str(error) if isinstance(error, AuthError) else _tr("失败：{error}").format(error=error)
        )
        self.update_ok()


# --- login --------------------------------------------------------------------------------------


class LoginDialog(QDialog):
    """用户名 and 密码; shows why a login failed and counts down a hold after repeated failures."""

    def __init__(
        self, runner: TaskRunner, parent: QWidget | None = None, *, username: str = "", message: str = "",
        at_start: bool = False,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("login_dialog")
        self.setWindowTitle(_tr("登录 · 职业技能竞赛管理"))
        self.runner = runner
        self.actor: Actor | None = None
        self.busy = False
        self.clock: Callable[[], float] = time.monotonic
        self._held_until = 0.0
        self._held_name = ""

        self.username = QLineEdit(username, self)
        self.username.setObjectName("username")
        self.password = _password_edit(self, "password")
        self.message = _error_label(self)
        self.message.setObjectName("login_message")
        self.wait = _hint_label(self)
        self.wait.setObjectName("login_wait")
        self.wait.hide()
        self.buttons = QDialogButtonBox(self)
        self.login_button = self.buttons.addButton(_tr("登录"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.login_button.setDefault(True)
        self.buttons.addButton(_tr("退出") if at_start else _tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.attempt)
        self.buttons.rejected.connect(self.reject)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)

        form = _form(self)
        form.addRow(_tr("用户名(&U)："), self.username)
        form.addRow(_tr("密码(&P)："), self.password)
        layout = QVBoxLayout(self)
        intro = _hint_label(self)
        intro.setText(_tr("请输入账户和密码。裁判员、录分员只能看到并录入分配给自己的赛项。"))
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.wait)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        _keep_minimum_size(self)
        self.username.textChanged.connect(self._update_button)
        self.password.textChanged.connect(self._update_button)
        (self.password if username else self.username).setFocus()
        self.message.show_message(message or None)
        self._update_button()

    @classmethod
    def ask(
        cls, parent: QWidget | None, runner: TaskRunner, *, username: str = "", message: str = "",
        at_start: bool = False,
    ) -> Actor | None:  # fmt: skip
        """Show the dialog until somebody logs in (their actor) or it is cancelled (None)."""
        dialog = cls(runner, parent, username=username, message=message, at_start=at_start)
        dialog.exec()
        return dialog.actor

    @property
    def held(self) -> bool:
        """Whether the name typed is the account being held after too many wrong passwords."""
        same = normalise_username(self.username.text()) == self._held_name
        return same and self.clock() < self._held_until

    def _update_button(self) -> None:
        self.login_button.setEnabled(
            not self.busy and not self.held and bool(self.username.text().strip()) and bool(self.password.text())
        )

    def attempt(self) -> None:
        if self.busy or self.held or not self.username.text().strip() or not self.password.text():
            return
        username, password = self.username.text(), self.password.text()
        self.busy = True
        self._update_button()
        self.message.show_message(None)

        def work(session: Any, _progress: Progress) -> LoginOutcome:
            return login(session, username, password)

        self.runner.run_db(
            _tr("登录"), work, on_success=lambda outcome: self._answered(username, outcome), on_failure=self._failed
        )

    def _answered(self, username: str, outcome: LoginOutcome) -> None:
        self.busy = False
        if outcome.actor is not None:
            self.actor = outcome.actor
            self.accept()
            return
        self.password.clear()
        self.password.setFocus()
        self.message.show_message(outcome.message)
        if outcome.retry_after > timedelta(0):
            self._held_name = normalise_username(username)
            self._held_until = self.clock() + outcome.retry_after.total_seconds()
            self.timer.start()
            self._tick()
        self._update_button()

    def _failed(self, error: Exception) -> None:
        self.busy = False
        self.message.show_message(_tr("无法登录：{error}").format(error=error))
        self._update_button()

    def _tick(self) -> None:
        """Count the hold down under the message; the 登录 button comes back when it is over."""
        left = self._held_until - self.clock()
        if left <= 0:
            self.timer.stop()
            self.wait.setText(_tr("现在可以再次登录"))
        else:
            self.wait.setText(_tr("还需等待 {seconds} 秒").format(seconds=math.ceil(left)))
        self.wait.show()
        self._update_button()


class FirstRunDialog(_RunningDialog):
    """The first start on a new database: create the administrator account (or quit)."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.setObjectName("first_run_dialog")
        self.setWindowTitle(_tr("首次使用：创建管理员账户"))
        self.actor: Actor | None = None
        self.username = QLineEdit("admin", self)
        self.username.setObjectName("username")
        self.display_name = QLineEdit(self)
        self.display_name.setObjectName("display_name")
        self.display_name.setPlaceholderText(_tr("如 王主任（可留空）"))
        self.password = NewPassword(self, self.username.text)
        self.ok_button.setText(_tr("创建并登录"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_tr("退出"))

        intro = _hint_label(self)
        intro.setText(
            _tr(
                "这个数据库还没有任何账户。请先创建管理员账户：管理员可新建账户，"
                "并按赛项分配赛务、裁判长、裁判员、录分员等角色。请牢记密码。"
            )
        )
        form = _form(self)
        form.addRow(_tr("用户名(&U)："), self.username)
        form.addRow(_tr("显示名(&N)："), self.display_name)
        self.password.add_rows(form, _tr("密码(&P)："), _tr("再次输入(&R)："))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        _keep_minimum_size(self)
        self.username.textChanged.connect(self.update_ok)
        self.username.textChanged.connect(self.password.check)
        self.password.changed.connect(self.update_ok)
        self.username.selectAll()
        self.username.setFocus()
        self.update_ok()

    @classmethod
    def ask(cls, parent: QWidget | None, runner: TaskRunner) -> Actor | None:
        """The administrator's actor once created, or None if the user quit."""
        dialog = cls(runner, parent)
        dialog.exec()
        return dialog.actor

    def ready(self) -> bool:
        return bool(self.username.text().strip()) and self.password.problem() is None

    def work(self, session: Any, _progress: Progress) -> Actor:
        return create_first_admin(session, self.username.text(), self.display_name.text(), self.password.text)

    def succeeded(self, result: Actor) -> None:
        self.actor = result
        self.accept()


class ChangePasswordDialog(_RunningDialog):
    """The logged-in user changes their own password (the old one first)."""

    def __init__(self, runner: TaskRunner, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.setObjectName("change_password_dialog")
        self.setWindowTitle(_tr("修改密码 · {name}").format(name=actor.username))
        self.old = _password_edit(self, "old_password")
        self.password = NewPassword(self, lambda: actor.username)
        form = _form(self)
        form.addRow(_tr("原密码(&O)："), self.old)
        self.password.add_rows(form, _tr("新密码(&N)："), _tr("再次输入(&R)："))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        _keep_minimum_size(self)
        self.old.textChanged.connect(self.update_ok)
        self.password.changed.connect(self.update_ok)
        self.update_ok()

    @classmethod
    def ask(cls, parent: QWidget | None, runner: TaskRunner, actor: Actor) -> bool:
        return cls(runner, actor, parent).exec() == QDialog.DialogCode.Accepted

    def ready(self) -> bool:
        return bool(self.old.text()) and self.password.problem() is None

    def work(self, session: Any, _progress: Progress) -> None:
        change_own_password(session, self.old.text(), self.password.text)


# --- users and roles (管理员) ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a role may be held: everywhere, one competition, or one event."""

    label: str
    competition_id: int | None = None
    event_id: int | None = None


def scopes_of(tiers: tuple[TierNode, ...]) -> tuple[Scope, ...]:
    """全部, then each competition followed by its events, in the navigation's order."""
    scopes = [Scope(_tr("全部赛事"))]
    for tier in tiers:
        for competition in tier.competitions:
            scopes.append(Scope(_tr("赛事：{name}").format(name=competition.name), competition.id))
            scopes.extend(
                Scope(
                    _tr("　赛项：{event}（{competition}）").format(event=event.label, competition=competition.name),
                    None,
                    event.id,
                )
                for event in competition.events
            )
    return tuple(scopes)


def grant_text(grant: RoleGrant, scopes: tuple[Scope, ...]) -> str:
    """``录分员 · 赛项：焊工（…）`` — the role and where it holds."""
    for scope in scopes:
        if (scope.competition_id, scope.event_id) == (grant.competition_id, grant.event_id):
            return f"{grant.role.label} · {scope.label.strip()}"
    where = (
        _tr("赛项 {id}").format(id=grant.event_id)
        if grant.event_id is not None
        else _tr("赛事 {id}").format(id=grant.competition_id)
    )
    return f"{grant.role.label} · {where}"


GRANT_ROLE = Qt.ItemDataRole.UserRole + 1


class GrantsEditor(QWidget):
    """The roles of one account: a list, and a role + scope to add (or the selected one to remove)."""

    changed = Signal()

    def __init__(self, scopes: tuple[Scope, ...], grants: tuple[RoleGrant, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scopes = scopes
        self.model = QStandardItemModel(self)
        self.view = QListView(self)
        self.view.setObjectName("grants")
        self.view.setModel(self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.role = QComboBox(self)
        self.role.setObjectName("grant_role")
        for role in Role:
            self.role.addItem(role.label, role)
        self.role.setCurrentIndex(self.role.findData(Role.CLERK))
        self.scope = QComboBox(self)
        self.scope.setObjectName("grant_scope")
        for index, scope in enumerate(scopes):
            self.scope.addItem(scope.label, index)
        self.add_button = QPushButton(_tr("添加角色(&A)"), self)
        self.remove_button = QPushButton(_tr("删除所选角色(&X)"), self)
        self.add_button.clicked.connect(self.add_current)
        self.remove_button.clicked.connect(self.remove_selected)

        row = QHBoxLayout()
        row.addWidget(self.role)
        row.addWidget(self.scope, 1)
        row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        layout.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignLeft)
        for grant in grants:
            self._append(grant)

    def _append(self, grant: RoleGrant) -> None:
        item = QStandardItem(grant_text(grant, self.scopes))
        item.setData(grant, GRANT_ROLE)
        self.model.appendRow(item)

    def grants(self) -> tuple[RoleGrant, ...]:
        return tuple(self.model.item(row).data(GRANT_ROLE) for row in range(self.model.rowCount()))

    def add(self, role: Role, scope: Scope) -> None:
        grant = RoleGrant(role, scope.competition_id, scope.event_id)
        if grant not in self.grants():
            self._append(grant)
            self.changed.emit()

    def add_current(self) -> None:
        self.add(Role(self.role.currentData()), self.scopes[self.scope.currentData()])

    def remove_selected(self) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            self.model.removeRow(index.row())
            self.changed.emit()


class NewAccountDialog(_RunningDialog):
    """A new account: username, display name, initial password and roles."""

    def __init__(self, runner: TaskRunner, scopes: tuple[Scope, ...], parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.setObjectName("new_account_dialog")
        self.setWindowTitle(_tr("新建账户"))
        self.result_id: int | None = None
        self.username = QLineEdit(self)
        self.username.setObjectName("username")
        self.username.setPlaceholderText(_tr("英文字母、数字或 _ . -，如 li.lf"))
        self.display_name = QLineEdit(self)
        self.display_name.setObjectName("display_name")
        self.display_name.setPlaceholderText(_tr("如 李录分"))
        self.password = NewPassword(self, self.username.text)
        self.grants = GrantsEditor(scopes, (), self)
        form = _form(self)
        form.addRow(_tr("用户名(&U)："), self.username)
        form.addRow(_tr("显示名(&N)："), self.display_name)
        self.password.add_rows(form, _tr("初始密码(&P)："), _tr("再次输入(&R)："))
        form.addRow(_tr("角色："), self.grants)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(640, 520)
        _keep_minimum_size(self)
        self.username.textChanged.connect(self.update_ok)
        self.username.textChanged.connect(self.password.check)
        self.password.changed.connect(self.update_ok)
        self.grants.changed.connect(self.update_ok)
        self.update_ok()

    @classmethod
    def ask(cls, parent: QWidget | None, runner: TaskRunner, scopes: tuple[Scope, ...]) -> int | None:
        dialog = cls(runner, scopes, parent)
        dialog.exec()
        return dialog.result_id

    def ready(self) -> bool:
        return bool(self.username.text().strip()) and self.password.problem() is None and bool(self.grants.grants())

    def work(self, session: Any, _progress: Progress) -> int:
        account = AccountInput(self.username.text(), self.display_name.text(), self.password.text, self.grants.grants())
        return create_user(session, account)

    def succeeded(self, result: int) -> None:
        self.result_id = result
        self.accept()


class GrantsDialog(_RunningDialog):
    """Change the roles of an existing account."""

    def __init__(self, runner: TaskRunner, account: AccountRow, scopes: tuple[Scope, ...],
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(runner, parent)
        self.setObjectName("grants_dialog")
        self.setWindowTitle(_tr("角色 · {name}").format(name=account.display_name))
        self.account = account
        self.grants = GrantsEditor(scopes, account.grants, self)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_tr("{name}（{username}）的角色：").format(
            name=account.display_name, username=account.username), self))  # fmt: skip
        layout.addWidget(self.grants, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(600, 400)
        _keep_minimum_size(self)

    @classmethod
    def ask(cls, parent: QWidget | None, runner: TaskRunner, account: AccountRow, scopes: tuple[Scope, ...]) -> bool:
        return cls(runner, account, scopes, parent).exec() == QDialog.DialogCode.Accepted

    def work(self, session: Any, _progress: Progress) -> None:
        set_grants(session, self.account.id, self.grants.grants())


class ResetPasswordDialog(_RunningDialog):
    """管理员 sets a new password for an account (this also lifts a login hold)."""

    def __init__(self, runner: TaskRunner, account: AccountRow, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.setObjectName("reset_password_dialog")
        self.setWindowTitle(_tr("重设密码 · {name}").format(name=account.display_name))
        self.account = account
        self.password = NewPassword(self, lambda: account.username)
        form = _form(self)
        self.password.add_rows(form, _tr("新密码(&N)："), _tr("再次输入(&R)："))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        _keep_minimum_size(self)
        self.password.changed.connect(self.update_ok)
        self.update_ok()

    @classmethod
    def ask(cls, parent: QWidget | None, runner: TaskRunner, account: AccountRow) -> bool:
        return cls(runner, account, parent).exec() == QDialog.DialogCode.Accepted

    def ready(self) -> bool:
        return self.password.problem() is None

    def work(self, session: Any, _progress: Progress) -> None:
        reset_password(session, self.account.id, self.password.text)


class DeactivateReason:
    @classmethod
    def ask(cls, parent: QWidget | None, account: AccountRow) -> str | None:
        """The reason for deactivating (may be empty), or None if the user changed their mind."""
        text, ok = QInputDialog.getText(
            parent,
            _tr("停用账户"),
            _tr("停用 {name}（{username}）后不能再登录，记录保留。原因（记入审计日志）：").format(
                name=account.display_name, username=account.username
            ),
        )
        return text if ok else None


class AccountColumn:
    USERNAME, NAME, STATE, LAST_LOGIN, ROLES = range(5)


ACCOUNT_ID_ROLE = Qt.ItemDataRole.UserRole + 2


class UsersDialog(QDialog):
    """管理员: every account with its roles and state; new account, roles, reset password, (de)activate."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("users_dialog")
        self.setWindowTitle(_tr("用户与权限"))
        self.runner = runner
        self.accounts: tuple[AccountRow, ...] = ()
        self.scopes: tuple[Scope, ...] = ()
        self.model = QStandardItemModel(self)
        self.view = QTreeView(self)
        self.view.setObjectName("accounts")
        self.view.setModel(self.model)
        self.view.setRootIsDecorated(False)
        self.view.setUniformRowHeights(True)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.new_button = QPushButton(_tr("新建账户(&N)…"), self)
        self.grants_button = QPushButton(_tr("修改角色(&G)…"), self)
        self.reset_button = QPushButton(_tr("重设密码(&P)…"), self)
        self.active_button = QPushButton(_tr("停用(&D)"), self)
        self.error = _error_label(self)
        self.error.setObjectName("users_error")
        self.new_button.clicked.connect(self.new_account)
        self.grants_button.clicked.connect(self.edit_grants)
        self.reset_button.clicked.connect(self.reset_password)
        self.active_button.clicked.connect(self.toggle_active)
        self.view.activated.connect(lambda _index: self.edit_grants())

        buttons = QVBoxLayout()
        for button in (self.new_button, self.grants_button, self.reset_button, self.active_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.view, 1)
        row.addLayout(buttons)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(self.error)
        layout.addWidget(close)
        self.resize(940, 480)
        _keep_minimum_size(self)
        self.reload()
        self.view.selectionModel().currentChanged.connect(lambda *_args: self._update_buttons())
        self._update_buttons()

    @classmethod
    def ask(cls, parent: QWidget | None, runner: TaskRunner) -> None:
        cls(runner, parent).exec()

    def reload(self, select_id: int | None = None) -> None:
        current = self.selected()
        keep = select_id if select_id is not None else (current.id if current else None)
        self.accounts = self.runner.read(list_accounts)
        self.scopes = scopes_of(self.runner.read(load_navigation))
        self.model.clear()
        self.model.setHorizontalHeaderLabels([_tr("用户名"), _tr("显示名"), _tr("状态"), _tr("最近登录"), _tr("角色")])
        now = datetime.now().astimezone()
        for account in self.accounts:
            roles = "\n".join(grant_text(g, self.scopes) for g in account.grants) or _tr("（无角色）")
            items = [
                QStandardItem(account.username),
                QStandardItem(account.display_name),
                QStandardItem(self._state(account, now)),
                QStandardItem(_when(account.last_login_at)),
                QStandardItem(roles.replace("\n", "；")),
            ]
            items[AccountColumn.ROLES].setToolTip(roles)
            items[0].setData(account.id, ACCOUNT_ID_ROLE)
            self.model.appendRow(items)
        for column in (AccountColumn.USERNAME, AccountColumn.NAME, AccountColumn.STATE, AccountColumn.LAST_LOGIN):
            self.view.resizeColumnToContents(column)
        row = next((r for r, a in enumerate(self.accounts) if a.id == keep), 0 if self.accounts else -1)
        if row >= 0:
            self.view.setCurrentIndex(self.model.index(row, 0))
        self._update_buttons()

    @staticmethod
    def _state(account: AccountRow, now: datetime) -> str:
        if not account.is_active:
            return _tr("已停用")
        if account.held_until is not None and account.held_until > now:
            return _tr("暂停登录至 {time}").format(time=account.held_until.astimezone().strftime("%H:%M:%S"))
        return _tr("可用")

    def selected(self) -> AccountRow | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        account_id = self.model.index(index.row(), 0).data(ACCOUNT_ID_ROLE)
        return next((account for account in self.accounts if account.id == account_id), None)

    def _update_buttons(self) -> None:
        account = self.selected()
        for button in (self.grants_button, self.reset_button, self.active_button):
            button.setEnabled(account is not None)
        self.active_button.setText(
            _tr("启用(&E)") if account is not None and not account.is_active else _tr("停用(&D)")
        )

    def new_account(self) -> None:
        created = NewAccountDialog.ask(self, self.runner, self.scopes)
        if created is not None:
            self.reload(created)

    def edit_grants(self) -> None:
        account = self.selected()
        if account is not None and GrantsDialog.ask(self, self.runner, account, self.scopes):
            self.reload()

    def reset_password(self) -> None:
        account = self.selected()
        if account is not None and ResetPasswordDialog.ask(self, self.runner, account):
            self.error.show_message(None)

    def toggle_active(self) -> None:
        account = self.selected()
        if account is None:
            return
        active = not account.is_active
        reason: str | None = None
        if not active:
            reason = DeactivateReason.ask(self, account)
            if reason is None:
                return
        account_id = account.id

        def work(session: Any, _progress: Progress) -> None:
            set_active(session, account_id, active, reason=reason or None)

        def failed(error: Exception) -> None:
            self.error.show_message(str(error))

        def succeeded(_result: object) -> None:
            self.error.show_message(None)
            self.reload()

        title = _tr("启用账户") if active else _tr("停用账户")
        self.runner.run_db(title, work, on_success=succeeded, on_failure=failed)


def _when(moment: datetime | None) -> str:
    return "—" if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M")


# --- the menu handlers (wired in ui.commands) ---------------------------------------------------


def manage_users(window: MainWindow) -> None:
    """文件 → 用户与权限 (管理员)."""
    runner = window.runner
    actor = current_actor_of(runner)
    if actor is None or not actor.can(Permission.MANAGE_USERS):
        window.show_status(_tr("只有管理员可以管理用户与权限"))
        return
    UsersDialog.ask(window, runner)
    _reload_own_account(window)


def _reload_own_account(window: MainWindow) -> None:
    """After accounts changed: the logged-in user's roles as stored now (they may have changed their own)."""
    actor = current_actor_of(window.runner)
    if actor is None or actor.user_id is None:
        return
    try:
        fresh = window.runner.read(lambda session: reload_actor(session, actor))
    except NotLoggedIn as error:
        window.show_status(str(error))
        switch_user(window, logged_out=True)
        return
    if fresh != actor:
        apply_actor(window, fresh)


def change_password(window: MainWindow) -> None:
    """文件 → 修改密码: the logged-in user's own password."""
    actor = current_actor_of(window.runner)
    if actor is None or actor.user_id is None:
        window.show_status(_tr("尚未设置账户，无需修改密码"))
        return
    if ChangePasswordDialog.ask(window, window.runner, actor):
        window.show_status(_tr("密码已修改"))


def switch_user(window: MainWindow, *, logged_out: bool = False) -> None:
    """文件 → 切换用户: somebody else logs in (e.g. the second clerk of a double entry).

    Cancelling keeps the current user — unless ``logged_out`` (their account was just
    deactivated), when the window closes.
    """
    runner = window.runner
    if runner.database is None:
        return
    actor = LoginDialog.ask(window, runner)
    if actor is None:
        if logged_out:
            window.close()
        return
    apply_actor(window, actor)
    window.show_status(_tr("已切换为 {who}").format(who=actor.describe))
