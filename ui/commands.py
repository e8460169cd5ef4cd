"""What the menu actions do. Each function receives the main window and runs through its runner."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from competition_app.tasks import Change, Progress
from ui.actions import ActionId, handles
from ui.dialogs import AboutDialog, ErrorDialog, InfoDialog
from ui.i18n import translate
from ui.navigation_model import NavigationRole, NodeKind

if TYPE_CHECKING:
    from ui.main_window import MainWindow

EVERYTHING = frozenset(Change)


@handles(ActionId.CREATE_DEMO)
def create_demo_data(window: MainWindow) -> None:
    """Create the demo competitions in the background; the views refresh when it is done."""
    from competition_app.services.demo import DemoAlreadyPresentError, create_demo

    def work(session: Any, progress: Progress) -> str:
        return create_demo(session, progress).describe()

    def succeeded(description: str) -> None:
        window.show_status(translate("Commands", "已创建演示数据：{summary}").format(summary=description))

    def failed(error: Exception) -> None:
        if isinstance(error, DemoAlreadyPresentError):
            InfoDialog.show_info(window, translate("Commands", "创建演示数据"), str(error))
        else:
            ErrorDialog.show_error(
                window,
                translate("Commands", "创建演示数据"),
                translate("Commands", "创建演示数据失败：\n{error}").format(error=error),
            )

    window.runner.run_db(
        translate("Commands", "创建演示数据"), work, on_success=succeeded, on_failure=failed, changes=EVERYTHING
    )


@handles(ActionId.QUIT)
def quit_app(window: MainWindow) -> None:
    window.close()


@handles(ActionId.REFRESH)
def refresh(window: MainWindow) -> None:
    window.refresh()
    window.show_status(translate("Commands", "已刷新"))


@handles(ActionId.FIND_ENTRY)
def find_entry(window: MainWindow) -> None:
    if not window.details.focus_search():
        window.show_status(translate("Commands", "请先在左侧选择一个赛项"))


@handles(ActionId.SHOW_REGISTRATIONS)
def show_registrations(window: MainWindow) -> None:
    from ui.registrations_page import RegistrationsPage

    if window.runner.database is not None:
        RegistrationsPage.show_for(window)


@handles(ActionId.ABOUT)
def about(window: MainWindow) -> None:
    AboutDialog.show(window, window.runner.database.description if window.runner.database else "")


# --- registration by hand ------------------------------------------------------------------


def current_selection(window: MainWindow) -> tuple[int | None, int | None]:
    """The competition and event selected in the tree (an event implies its competition)."""
    index = window.tree.currentIndex()
    if not index.isValid() or window.runner.database is None:
        return None, None
    kind, node_id = index.data(NavigationRole.KIND), index.data(NavigationRole.ID)
    if kind == NodeKind.EVENT:
        return int(index.parent().data(NavigationRole.ID)), int(node_id)
    if kind == NodeKind.COMPETITION:
        return int(node_id), None
    return None, None


def _need(window: MainWindow, selected: int | None, what: str) -> bool:
    if selected is None:
        window.show_status(translate("Commands", "请先在左侧选择{what}").format(what=what))
        return False
    return True


@handles(ActionId.NEW_COMPETITION)
def new_competition(window: MainWindow) -> None:
    from ui.competition_dialogs import CompetitionDialog

    if window.runner.database is not None and CompetitionDialog.ask(window, window.runner) is not None:
        window.show_status(translate("Commands", "已新建赛事"))


@handles(ActionId.ADD_EVENT)
def add_event(window: MainWindow) -> None:
    from ui.competition_dialogs import EventDialog

    competition_id, _event_id = current_selection(window)
    if _need(window, competition_id, translate("Commands", "一项赛事")) and competition_id is not None:
        if EventDialog.ask(window, window.runner, competition_id) is not None:
            window.show_status(translate("Commands", "已新增赛项"))


@handles(ActionId.EDIT_EVENT)
def edit_event(window: MainWindow) -> None:
    from ui.competition_dialogs import EventDialog

    competition_id, event_id = current_selection(window)
    if _need(window, event_id, translate("Commands", "一个赛项")) and competition_id and event_id:
        if EventDialog.ask(window, window.runner, competition_id, event_id) is not None:
            window.show_status(translate("Commands", "已保存赛项"))


@handles(ActionId.JUDGES)
def judges(window: MainWindow) -> None:
    from ui.judges_dialog import JudgesDialog

    competition_id, _event_id = current_selection(window)
    if _need(window, competition_id, translate("Commands", "一项赛事")) and competition_id is not None:
        JudgesDialog.ask(window, window.runner, competition_id)


@handles(ActionId.ADD_PERSON)
def add_person(window: MainWindow) -> None:
    from ui.person_form import PersonForm

    competition_id, event_id = current_selection(window)
    if _need(window, competition_id, translate("Commands", "一项赛事或赛项")) and competition_id is not None:
        if PersonForm.ask(window, window.runner, competition_id, event_id) is not None:
            window.show_status(translate("Commands", "已报名"))


@handles(ActionId.TEAMS)
def teams(window: MainWindow) -> None:
    from ui.teams_dialog import TeamsDialog

    _competition_id, event_id = current_selection(window)
    if _need(window, event_id, translate("Commands", "一个赛项")) and event_id is not None:
        TeamsDialog.ask(window, window.runner, event_id)


# --- registration in and out: the workbook, exports, the draw (ui.registration_io) ----------


def _io(name: str) -> Callable[[MainWindow], None]:
    def handler(window: MainWindow) -> None:
        from ui import registration_io

        getattr(registration_io, name)(window)

    return handler


for _action, _name in (
    (ActionId.IMPORT_WORKBOOK, "import_workbook"),
    (ActionId.WRITE_TEMPLATE, "write_template"),
    (ActionId.EXPORT_ROSTER, "export_roster"),
    (ActionId.SIGN_IN_SHEET, "export_signin"),
    (ActionId.BIB_LIST, "export_bibs"),
    (ActionId.DRAW_STATIONS, "draw_stations"),
    (ActionId.DRAW_CODES, "draw_codes"),
    (ActionId.REVEAL_CODES, "reveal_codes"),
):
    handles(_action)(_io(_name))


# --- accounts, score entry, paper scores, audit: each feature module owns its handlers -------


def _lazy(module: str, name: str) -> Callable[[MainWindow], None]:
    """A handler that imports ``ui.<module>`` on first use and calls its ``name(window)``."""

    def handler(window: MainWindow) -> None:
        import importlib

        getattr(importlib.import_module(f"ui.{module}"), name)(window)

    return handler


for _action, _module, _name in (
    (ActionId.USERS, "accounts", "manage_users"),
    (ActionId.CHANGE_PASSWORD, "accounts", "change_password"),
    (ActionId.SWITCH_USER, "accounts", "switch_user"),
    (ActionId.ENTER_SCORES, "score_entry", "open_score_entry"),
    (ActionId.PRINT_SCORE_SHEET, "score_entry", "print_score_sheet"),
    (ActionId.IMPORT_SCORES, "score_import", "import_scores"),
    (ActionId.SCORES_TEMPLATE, "score_import", "export_scores_template"),
    (ActionId.AUDIT_LOG, "audit_viewer", "show_audit_log"),
    (ActionId.SHOW_RESULTS, "results_window", "show_results"),
    (ActionId.STATISTICS, "statistics_view", "show_statistics"),
    (ActionId.PUBLISH_DOCUMENTS, "publication_dialog", "export_publication"),
    (ActionId.CERTIFICATES, "certificates_dialog", "generate_certificates"),
    (ActionId.CERTIFICATE_TEMPLATE, "template_editor", "edit_template"),
    (ActionId.PRINTER_CALIBRATION, "certificates_dialog", "calibrate_printer"),
    (ActionId.CERTIFICATE_REGISTER, "certificate_register", "show_register"),
):
    handles(_action)(_lazy(_module, _name))
