"""Every menu and toolbar action, declared once (after Picard's action registry).

An action is a row in ``ACTIONS``; what it does is a function registered with
``@handles(ActionId.X)`` (see ``ui.commands``). The main window only builds menus from the
table and connects the handlers, so adding a feature never adds a method to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QToolBar, QWidget

from ui.i18n import QT_TRANSLATE_NOOP, translate

if TYPE_CHECKING:
    from ui.main_window import MainWindow

CONTEXT = "Actions"


class MenuId(StrEnum):
    FILE = "file"
    VIEW = "view"
    HELP = "help"


MENUS: dict[MenuId, str] = {
    MenuId.FILE: QT_TRANSLATE_NOOP("Actions", "文件(&F)"),
    MenuId.VIEW: QT_TRANSLATE_NOOP("Actions", "视图(&V)"),
    MenuId.HELP: QT_TRANSLATE_NOOP("Actions", "帮助(&H)"),
}


class ActionId(StrEnum):
    CREATE_DEMO = "file.create_demo"
    QUIT = "file.quit"
    REFRESH = "view.refresh"
    FIND_ENTRY = "view.find_entry"
    ABOUT = "help.about"


@dataclass(frozen=True, slots=True)
class ActionSpec:
    id: ActionId
    text: str
    """Chinese source text, translated in the ``Actions`` context."""
    menu: MenuId
    shortcut: str | None = None
    status_tip: str = ""
    toolbar: bool = False
    separator_before: bool = False
    role: QAction.MenuRole = QAction.MenuRole.NoRole


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        ActionId.CREATE_DEMO,
        QT_TRANSLATE_NOOP("Actions", "创建演示数据(&D)…"),
        MenuId.FILE,
        status_tip=QT_TRANSLATE_NOOP("Actions", "在当前数据库中创建三项演示赛事，含选手、裁判和部分成绩"),
    ),
    ActionSpec(
        ActionId.QUIT,
        QT_TRANSLATE_NOOP("Actions", "退出(&Q)"),
        MenuId.FILE,
        shortcut="Ctrl+Q",
        status_tip=QT_TRANSLATE_NOOP("Actions", "关闭程序"),
        separator_before=True,
        role=QAction.MenuRole.QuitRole,
    ),
    ActionSpec(
        ActionId.REFRESH,
        QT_TRANSLATE_NOOP("Actions", "刷新(&R)"),
        MenuId.VIEW,
        shortcut="F5",
        status_tip=QT_TRANSLATE_NOOP("Actions", "从数据库重新读取赛事、赛项和报名"),
        toolbar=True,
    ),
    ActionSpec(
        ActionId.FIND_ENTRY,
        QT_TRANSLATE_NOOP("Actions", "查找报名(&F)"),
        MenuId.VIEW,
        shortcut="Ctrl+F",
        status_tip=QT_TRANSLATE_NOOP("Actions", "在当前赛项的报名中按姓名、参赛编号或单位查找"),
        toolbar=True,
    ),
    ActionSpec(
        ActionId.ABOUT,
        QT_TRANSLATE_NOOP("Actions", "关于(&A)"),
        MenuId.HELP,
        role=QAction.MenuRole.AboutRole,
    ),
)

Handler = Callable[["MainWindow"], None]
_HANDLERS: dict[ActionId, Handler] = {}


def handles(action_id: ActionId) -> Callable[[Handler], Handler]:
    """Register the decorated function as what ``action_id`` does; it receives the main window."""

    def register(function: Handler) -> Handler:
        if action_id in _HANDLERS:
            raise ValueError(f"{action_id} already has a handler: {_HANDLERS[action_id].__qualname__}")
        _HANDLERS[action_id] = function
        return function

    return register


def handlers() -> Iterator[tuple[ActionId, Handler]]:
    import ui.commands  # noqa: F401 - importing it registers the handlers

    yield from _HANDLERS.items()


def _tr(text: str) -> str:
    return translate(CONTEXT, text)


class ActionCollection(QObject):
    """The QActions of one main window, built from ``ACTIONS``."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._actions: dict[ActionId, QAction] = {}
        self._menus: dict[MenuId, QMenu] = {}
        for spec in ACTIONS:
            action = QAction(window)
            action.setObjectName(spec.id)
            action.setMenuRole(spec.role)
            if spec.shortcut:
                action.setShortcut(QKeySequence(spec.shortcut))
            window.addAction(action)  # shortcuts work even when the menu bar is hidden
            self._actions[spec.id] = action
        self.retranslate()

    def __getitem__(self, action_id: ActionId) -> QAction:
        return self._actions[action_id]

    def connect_handlers(self, window: MainWindow) -> None:
        for action_id, handler in handlers():
            self._actions[action_id].triggered.connect(partial(_call, handler, window))

    def build_menus(self, menu_bar: QMenuBar) -> None:
        for menu_id in MenuId:
            menu = menu_bar.addMenu("")
            menu.setObjectName(f"menu_{menu_id}")
            self._menus[menu_id] = menu
            for spec in ACTIONS:
                if spec.menu is menu_id:
                    if spec.separator_before:
                        menu.addSeparator()
                    menu.addAction(self._actions[spec.id])
        self.retranslate()

    def build_toolbar(self, toolbar: QToolBar) -> None:
        for spec in ACTIONS:
            if spec.toolbar:
                toolbar.addAction(self._actions[spec.id])

    def retranslate(self) -> None:
        for spec in ACTIONS:
            action = self._actions[spec.id]
            text = _tr(spec.text)
            plain = text.split("(&", 1)[0].replace("&", "").rstrip("…")
            action.setText(text)
            action.setIconText(plain)
            action.setStatusTip(_tr(spec.status_tip) if spec.status_tip else "")
            shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(
                translate("Actions", "{action}（{shortcut}）").format(action=plain, shortcut=shortcut)
                if shortcut
                else plain
            )
        for menu_id, menu in self._menus.items():
            menu.setTitle(_tr(MENUS[menu_id]))


def _call(handler: Handler, window: MainWindow, _checked: bool = False) -> None:
    handler(window)
