"""What the menu actions do. Each function receives the main window and runs through its runner."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from competition_app.tasks import Change, Progress
from ui.actions import ActionId, handles
from ui.dialogs import AboutDialog, ErrorDialog, InfoDialog
from ui.i18n import translate

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


@handles(ActionId.ABOUT)
def about(window: MainWindow) -> None:
    AboutDialog.show(window, window.runner.database.description if window.runner.database else "")
