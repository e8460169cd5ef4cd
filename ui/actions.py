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
    COMPETITION = "competition"
    REGISTRATION = "registration"
    SCORES = "scores"
    RESULTS = "results"
    VIEW = "view"
    HELP = "help"


MENUS: dict[MenuId, str] = {
    MenuId.FILE: QT_TRANSLATE_NOOP("Actions", "文件(&F)"),
    MenuId.COMPETITION: QT_TRANSLATE_NOOP("Actions", "赛事(&C)"),
    MenuId.REGISTRATION: QT_TRANSLATE_NOOP("Actions", "报名(&R)"),
    MenuId.SCORES: QT_TRANSLATE_NOOP("Actions", "评分(&S)"),
    MenuId.RESULTS: QT_TRANSLATE_NOOP("Actions", "成绩与证书(&J)"),
    MenuId.VIEW: QT_TRANSLATE_NOOP("Actions", "视图(&V)"),
    MenuId.HELP: QT_TRANSLATE_NOOP("Actions", "帮助(&H)"),
}


class ActionId(StrEnum):
    NEW_COMPETITION = "file.new_competition"
    IMPORT_WORKBOOK = "file.import_workbook"
    WRITE_TEMPLATE = "file.write_template"
    CREATE_DEMO = "file.create_demo"
    QUIT = "file.quit"
    REFRESH = "view.refresh"
    FIND_ENTRY = "view.find_entry"
    SHOW_REGISTRATIONS = "view.registrations"
    ABOUT = "help.about"
    ADD_EVENT = "competition.add_event"
    EDIT_EVENT = "competition.edit_event"
    JUDGES = "competition.judges"
    ADD_PERSON = "registration.add_person"
    TEAMS = "registration.teams"
    EXPORT_ROSTER = "registration.export_roster"
    SIGN_IN_SHEET = "registration.sign_in_sheet"
    BIB_LIST = "registration.bib_list"
    DRAW_STATIONS = "registration.draw_stations"
    DRAW_CODES = "registration.draw_codes"
    REVEAL_CODES = "registration.reveal_codes"
    ENTER_SCORES = "scores.enter"
    IMPORT_SCORES = "scores.import"
    SCORES_TEMPLATE = "scores.template"
    PRINT_SCORE_SHEET = "scores.print_sheet"
    AUDIT_LOG = "scores.audit_log"
    USERS = "file.users"
    SWITCH_USER = "file.switch_user"
    CHANGE_PASSWORD = "file.change_password"
    SHOW_RESULTS = "results.show"
    STATISTICS = "results.statistics"
    PUBLISH_DOCUMENTS = "results.publish"
    CERTIFICATES = "results.certificates"
    CERTIFICATE_TEMPLATE = "results.certificate_template"
    PRINTER_CALIBRATION = "results.printer_calibration"
    CERTIFICATE_REGISTER = "results.certificate_register"


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
        ActionId.NEW_COMPETITION,
        QT_TRANSLATE_NOOP("Actions", "新建赛事(&N)…"),
        MenuId.FILE,
        status_tip=QT_TRANSLATE_NOOP("Actions", "按层级预设新建一项赛事，并复制其规则"),
    ),
    ActionSpec(
        ActionId.IMPORT_WORKBOOK,
        QT_TRANSLATE_NOOP("Actions", "导入竞赛工作簿(&I)…"),
        MenuId.FILE,
        shortcut="Ctrl+I",
        status_tip=QT_TRANSLATE_NOOP(
            "Actions", "从 Excel 工作簿导入赛事、赛项、选手报名和裁判；先检查、预览，全部无误才写入"
        ),
        toolbar=True,
    ),
    ActionSpec(
        ActionId.WRITE_TEMPLATE,
        QT_TRANSLATE_NOOP("Actions", "导出工作簿模板(&T)…"),
        MenuId.FILE,
        status_tip=QT_TRANSLATE_NOOP("Actions", "生成带填写说明、示例行和下拉选项的 Excel 报名模板"),
    ),
    ActionSpec(
        ActionId.CREATE_DEMO,
        QT_TRANSLATE_NOOP("Actions", "创建演示数据(&D)…"),
        MenuId.FILE,
        status_tip=QT_TRANSLATE_NOOP("Actions", "在当前数据库中创建三项演示赛事，含选手、裁判和部分成绩"),
    ),
    ActionSpec(
        ActionId.USERS,
        QT_TRANSLATE_NOOP("Actions", "用户与权限(&U)…"),
        MenuId.FILE,
        separator_before=True,
        status_tip=QT_TRANSLATE_NOOP("Actions", "管理员新建账户，按赛项分配裁判长、裁判员、录分员等角色"),
    ),
    ActionSpec(
        ActionId.CHANGE_PASSWORD,
        QT_TRANSLATE_NOOP("Actions", "修改密码(&P)…"),
        MenuId.FILE,
        status_tip=QT_TRANSLATE_NOOP("Actions", "修改当前登录用户的密码"),
    ),
    ActionSpec(
        ActionId.SWITCH_USER,
        QT_TRANSLATE_NOOP("Actions", "切换用户(&L)…"),
        MenuId.FILE,
        status_tip=QT_TRANSLATE_NOOP("Actions", "退出当前用户，换另一人登录（如第二遍录入）"),
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
        ActionId.SHOW_REGISTRATIONS,
        QT_TRANSLATE_NOOP("Actions", "选手与报名(&P)"),
        MenuId.VIEW,
        shortcut="Ctrl+Shift+F",
        status_tip=QT_TRANSLATE_NOOP(
            "Actions", "所有赛事的选手与报名：按姓名、拼音首字母、证件号、参赛编号、单位或地区查找和筛选"
        ),
        toolbar=True,
    ),
    ActionSpec(
        ActionId.ADD_EVENT,
        QT_TRANSLATE_NOOP("Actions", "新增赛项(&E)…"),
        MenuId.COMPETITION,
        status_tip=QT_TRANSLATE_NOOP("Actions", "在当前赛事中新增赛项：职业、组别、评分项与权重"),
    ),
    ActionSpec(
        ActionId.EDIT_EVENT,
        QT_TRANSLATE_NOOP("Actions", "编辑赛项(&D)…"),
        MenuId.COMPETITION,
        status_tip=QT_TRANSLATE_NOOP("Actions", "修改当前赛项（报名截止前）"),
    ),
    ActionSpec(
        ActionId.JUDGES,
        QT_TRANSLATE_NOOP("Actions", "裁判(&J)…"),
        MenuId.COMPETITION,
        status_tip=QT_TRANSLATE_NOOP("Actions", "当前赛事的裁判、分工与回避提示"),
        separator_before=True,
    ),
    ActionSpec(
        ActionId.ADD_PERSON,
        QT_TRANSLATE_NOOP("Actions", "新增选手(&A)…"),
        MenuId.REGISTRATION,
        shortcut="Ctrl+Shift+N",
        status_tip=QT_TRANSLATE_NOOP("Actions", "为当前赛事的赛项报名一名选手"),
        toolbar=True,
    ),
    ActionSpec(
        ActionId.TEAMS,
        QT_TRANSLATE_NOOP("Actions", "团队(&T)…"),
        MenuId.REGISTRATION,
        status_tip=QT_TRANSLATE_NOOP("Actions", "当前团体赛项的团队与成员"),
    ),
    ActionSpec(
        ActionId.EXPORT_ROSTER,
        QT_TRANSLATE_NOOP("Actions", "导出报名名单(&L)…"),
        MenuId.REGISTRATION,
        separator_before=True,
        status_tip=QT_TRANSLATE_NOOP("Actions", "当前赛事（或所选赛项）的报名名单，Excel"),
    ),
    ActionSpec(
        ActionId.SIGN_IN_SHEET,
        QT_TRANSLATE_NOOP("Actions", "打印签到表(&S)…"),
        MenuId.REGISTRATION,
        status_tip=QT_TRANSLATE_NOOP("Actions", "按赛项和组别生成签到表 PDF"),
    ),
    ActionSpec(
        ActionId.BIB_LIST,
        QT_TRANSLATE_NOOP("Actions", "参赛编号/工位号对照表(&B)…"),
        MenuId.REGISTRATION,
        status_tip=QT_TRANSLATE_NOOP("Actions", "参赛编号与工位号对照表，Excel 或 PDF"),
    ),
    ActionSpec(
        ActionId.DRAW_STATIONS,
        QT_TRANSLATE_NOOP("Actions", "抽取工位号(&W)…"),
        MenuId.REGISTRATION,
        separator_before=True,
        status_tip=QT_TRANSLATE_NOOP("Actions", "为当前赛项抽取工位号；记录随机种子，重新抽签须填写原因"),
    ),
    ActionSpec(
        ActionId.DRAW_CODES,
        QT_TRANSLATE_NOOP("Actions", "抽取检录号(&C)…"),
        MenuId.REGISTRATION,
        status_tip=QT_TRANSLATE_NOOP("Actions", "为匿名评分的赛项抽取检录号；解密前裁判看不到检录号对应的选手"),
    ),
    ActionSpec(
        ActionId.REVEAL_CODES,
        QT_TRANSLATE_NOOP("Actions", "解密检录号(&R)…"),
        MenuId.REGISTRATION,
        status_tip=QT_TRANSLATE_NOOP("Actions", "评分结束后由裁判长解密，公开检录号与选手的对应关系"),
    ),
    ActionSpec(
        ActionId.ENTER_SCORES,
        QT_TRANSLATE_NOOP("Actions", "录入成绩(&E)…"),
        MenuId.SCORES,
        shortcut="Ctrl+E",
        status_tip=QT_TRANSLATE_NOOP("Actions", "打开当前赛项的评分表：键盘录入，每个成绩即时保存并记入审计日志"),
        toolbar=True,
    ),
    ActionSpec(
        ActionId.IMPORT_SCORES,
        QT_TRANSLATE_NOOP("Actions", "导入纸质成绩表(&I)…"),
        MenuId.SCORES,
        status_tip=QT_TRANSLATE_NOOP("Actions", "从 Excel 成绩表导入一遍成绩；先检查全部数据，有任何问题则不写入"),
    ),
    ActionSpec(
        ActionId.SCORES_TEMPLATE,
        QT_TRANSLATE_NOOP("Actions", "导出成绩录入表(&T)…"),
        MenuId.SCORES,
        status_tip=QT_TRANSLATE_NOOP("Actions", "为当前赛项生成已列好选手编号的 Excel 成绩表，供纸质评分后录入"),
    ),
    ActionSpec(
        ActionId.PRINT_SCORE_SHEET,
        QT_TRANSLATE_NOOP("Actions", "打印裁判评分表(&P)…"),
        MenuId.SCORES,
        separator_before=True,
        status_tip=QT_TRANSLATE_NOOP("Actions", "生成带签字栏和数据指纹的裁判评分表 PDF"),
    ),
    ActionSpec(
        ActionId.AUDIT_LOG,
        QT_TRANSLATE_NOOP("Actions", "审计日志(&A)…"),
        MenuId.SCORES,
        separator_before=True,
        status_tip=QT_TRANSLATE_NOOP("Actions", "按赛项、人员、用户和时间查看所有改动，并校验审计链是否完整"),
    ),
    ActionSpec(
        ActionId.SHOW_RESULTS,
        QT_TRANSLATE_NOOP("Actions", "查看成绩与名次(&R)…"),
        MenuId.RESULTS,
        shortcut="Ctrl+R",
        status_tip=QT_TRANSLATE_NOOP("Actions", "按赛项和组别查看名次、奖项、称号、晋升及每项结果的依据；决定并列"),
        toolbar=True,
    ),
    ActionSpec(
        ActionId.STATISTICS,
        QT_TRANSLATE_NOOP("Actions", "统计(&S)…"),
        MenuId.RESULTS,
        status_tip=QT_TRANSLATE_NOOP("Actions", "按地区、单位、组别和层级统计参赛人数；各赛项成绩分布图"),
    ),
    ActionSpec(
        ActionId.PUBLISH_DOCUMENTS,
        QT_TRANSLATE_NOOP("Actions", "生成公示与名单(&P)…"),
        MenuId.RESULTS,
        separator_before=True,
        status_tip=QT_TRANSLATE_NOOP("Actions", "成绩公示、获奖名单、技术能手申报名单和晋升名单（PDF 与 Excel）"),
    ),
    ActionSpec(
        ActionId.CERTIFICATES,
        QT_TRANSLATE_NOOP("Actions", "生成证书(&C)…"),
        MenuId.RESULTS,
        separator_before=True,
        status_tip=QT_TRANSLATE_NOOP("Actions", "为已签字锁定的成绩编号、签名并生成证书 PDF，可预览和打印"),
    ),
    ActionSpec(
        ActionId.CERTIFICATE_TEMPLATE,
        QT_TRANSLATE_NOOP("Actions", "证书模板(&T)…"),
        MenuId.RESULTS,
        status_tip=QT_TRANSLATE_NOOP("Actions", "编辑证书的文字、位置和背景图片"),
    ),
    ActionSpec(
        ActionId.PRINTER_CALIBRATION,
        QT_TRANSLATE_NOOP("Actions", "套打校准(&A)…"),
        MenuId.RESULTS,
        status_tip=QT_TRANSLATE_NOOP("Actions", "为每台打印机保存在预印证书上套打时的偏移量"),
    ),
    ActionSpec(
        ActionId.CERTIFICATE_REGISTER,
        QT_TRANSLATE_NOOP("Actions", "证书登记簿与核验(&V)…"),
        MenuId.RESULTS,
        status_tip=QT_TRANSLATE_NOOP("Actions", "查看已发证书、作废和补打记录；扫码或输入编号核验证书真伪"),
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
