"""Opening the database for a command-line command, logged in as ``--user``.

While the database has no accounts (set-up mode) nobody needs to log in. Once it has, every
command that reads or writes guarded data logs in first: the user comes from ``--user`` (or
the environment variable ``COMPETITION_APP_USER``), the password from
``COMPETITION_APP_PASSWORD`` or, at a terminal, a prompt that does not echo.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from competition_app.i18n import _
from db.session import Database, open_database, resolve_url

USER_VAR = "COMPETITION_APP_USER"
PASSWORD_VAR = "COMPETITION_APP_PASSWORD"


class CliLoginError(Exception):
    """Logging in failed; the message (Chinese) says why and what to do."""


def open_logged_in(args: argparse.Namespace) -> Database:
    """The database ``--db`` names, with the ``--user`` logged in (raises ``CliLoginError``)."""
    from competition_app.services.auth import has_accounts, login

    database = open_database(resolve_url(getattr(args, "db", None)))
    try:
        with database.session() as session:
            if not has_accounts(session):
                return database
        username = getattr(args, "user", None) or os.environ.get(USER_VAR)
        if not username:
            raise CliLoginError(
                _("本数据库已设置用户账户：请用 --user 用户名 登录（密码取自环境变量 {var}，或在终端输入）").format(
                    var=PASSWORD_VAR
                )
            )
        password = os.environ.get(PASSWORD_VAR)
        if password is None:
            if not sys.stdin.isatty():
                raise CliLoginError(_("请在环境变量 {var} 中提供密码").format(var=PASSWORD_VAR))
            password = getpass.getpass(_("{user} 的密码：").format(user=username))
        with database.transaction() as session:
            outcome = login(session, username, password)
        if outcome.actor is None:
            raise CliLoginError(outcome.message)
        database.info["actor"] = outcome.actor
        return database
    except BaseException:
        database.close()
        raise
