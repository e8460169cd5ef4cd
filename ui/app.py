"""Start the desktop app: QApplication, translations, the database, the main window."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from functools import partial
from importlib.resources import files

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTimer, QTranslator
from PySide6.QtWidgets import QApplication

from competition_app import __version__
from competition_app.domain.permissions import Permission
from competition_app.services.navigation import is_empty
from db.session import describe_url, open_database
from ui import accounts, commands
from ui.dialogs import DemoOfferDialog, ErrorDialog
from ui.i18n import translate
from ui.main_window import MainWindow
from ui.runner import TaskRunner

log = logging.getLogger(__name__)

ORGANIZATION = "competition-app"
APPLICATION = "competition-app"
EXIT_WHEN_SHOWN = "COMPETITION_APP_EXIT_WHEN_SHOWN"
"""Set to 1 to print ``shown`` and exit as soon as the main window is painted (start-up benchmark)."""
SOURCE_LANGUAGE = "zh_CN"

_translators: list[QTranslator] = []
_translation_data: list[bytes] = []


def _load_own_translator(locale_name: str) -> QTranslator | None:
    """Our .qm for ``locale_name`` (or its language) from resources/translations, if there is one."""
    folder = files("resources") / "translations"
    for name in (locale_name, locale_name.split("_", 1)[0]):
        resource = folder / f"competition_app_{name}.qm"
        if not resource.is_file():
            continue
        data = resource.read_bytes()
        translator = QTranslator()
        if translator.load(data):
            _translation_data.append(data)  # Qt reads the catalogue in place: keep the bytes alive
            return translator
    return None


def install_translators(app: QCoreApplication) -> None:
    """Chinese is the source language; another language is used only where we ship a .qm for it."""
    if _translators:
        return
    system = QLocale.system().name()
    own = None if system.startswith("zh") else _load_own_translator(system)
    language = system if own is not None else SOURCE_LANGUAGE
    if own is not None:
        _translators.append(own)
    else:
        QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    qt_translator = QTranslator()
    if qt_translator.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        _translators.append(qt_translator)
    for translator in _translators:
        app.installTranslator(translator)


def application() -> QApplication:
    """The QApplication, created once, named, and translated."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationVersion(__version__)
    install_translators(app)
    app.setApplicationDisplayName(translate("App", "职业技能竞赛管理"))
    return app


SignIn = Callable[[TaskRunner], bool]
"""Logs somebody in (``database.info["actor"]``) before the window is built; False: nobody did."""


def start(
    url: str, settings: QSettings | None = None, *, offer_demo: bool = True, sign_in: SignIn | None = None
) -> MainWindow | None:
    """Open the database, sign in, and show the main window.

    None (after telling the user) if the database cannot open, or if ``sign_in`` says nobody
    logged in. ``run_app`` passes ``accounts.sign_in`` (first-run or login dialog); tests may
    pass None and act in set-up mode — the services refuse a session without a logged-in user
    once accounts exist, so skipping sign-in opens nothing up.
    """
    try:
        database = open_database(url)
    except Exception as error:
        log.exception("cannot open %s", url)
        try:
            where = describe_url(url)
        except Exception:
            where = url
        ErrorDialog.show_error(
            None,
            translate("App", "无法打开数据库"),
            translate("App", "无法打开或升级数据库：\n{where}\n\n{error}").format(where=where, error=error),
        )
        return None
    runner = TaskRunner(database)
    if sign_in is not None and not sign_in(runner):
        runner.shutdown()
        database.close()
        return None
    window = MainWindow(runner, settings)
    accounts.install_account_status(window)
    window.show()
    if offer_demo:
        QTimer.singleShot(0, partial(offer_demo_if_empty, window))
    return window


def offer_demo_if_empty(window: MainWindow) -> None:
    """On an empty database, offer to create the demo competitions (in the background)."""
    runner = window.runner
    if runner.database is None or not runner.read(is_empty):
        return
    actor = accounts.current_actor_of(runner)
    if actor is None or not actor.can(Permission.MANAGE_COMPETITIONS):
        return  # only somebody who may create competitions is offered the demo
    if DemoOfferDialog.ask(window):
        commands.create_demo_data(window)


def _report_shown(app: QApplication) -> None:
    print("shown", flush=True)
    app.exit(0)


def run_app(url: str) -> int:
    """Run the desktop app on the database at ``url``; returns the exit code."""
    app = application()
    exit_when_shown = os.environ.get(EXIT_WHEN_SHOWN) == "1"
    window = start(
        url, offer_demo=not exit_when_shown, sign_in=partial(accounts.sign_in, interactive=not exit_when_shown)
    )
    if window is None:
        return 1
    if exit_when_shown:
        # Queued after the show: it runs once the event loop has handled the expose and paint.
        QTimer.singleShot(0, partial(_report_shown, app))
    try:
        return app.exec()
    finally:
        window.runner.shutdown()
        if window.runner.database is not None:
            window.runner.database.close()
