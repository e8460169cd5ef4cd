"""``competition-app user …``: accounts and role grants from the command line.

    competition-app user create-admin USERNAME [--name 显示名]     # only while there is no account
    competition-app --user admin user add USERNAME --role clerk --event 焊工 [--competition 运河之星] [--name 显示名]
    competition-app --user admin user list
    competition-app --user admin user grant USERNAME --role judge --event 焊工 [--revoke]
    competition-app --user NAME  user passwd [USERNAME]             # own password, or (管理员) reset another's
    competition-app --user admin user deactivate USERNAME [--reason …] | user activate USERNAME

Every command but ``create-admin`` logs in with the global ``--user`` (see ``cli_login``) and
the services check that the user may do it. New passwords come from the environment variable
``COMPETITION_APP_NEW_PASSWORD`` or, at a terminal, a prompt typed twice.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, TextIO

from competition_app.domain.enums import Role
from competition_app.domain.permissions import RoleGrant
from competition_app.i18n import _
from competition_app.text import display_width

if TYPE_CHECKING:  # the parser is built on every start-up: keep SQLAlchemy out of it
    from sqlalchemy.orm import Session

    from competition_app.services.auth import AccountRow
    from db.session import Database

__all__ = ["NEW_PASSWORD_VAR", "add_user_commands", "parse_role", "run_user_command"]

NEW_PASSWORD_VAR = "COMPETITION_APP_NEW_PASSWORD"
PASSWORD_VAR = "COMPETITION_APP_PASSWORD"
"""The login password, as ``cli_login.PASSWORD_VAR`` (not imported: it would load SQLAlchemy on every start)."""

_ROLE_ALIASES: dict[str, Role] = {
    "organizer": Role.ORGANISER,
    "chief": Role.CHIEF_JUDGE,
    "chief-judge": Role.CHIEF_JUDGE,
}


def parse_role(text: str) -> Role:
    """A role from its key (``clerk``), a common spelling (``chief-judge``) or its label (``录分员``)."""
    key = text.strip()
    for role in Role:
        if key.lower() == role.value or key == role.label:
            return role
    if key.lower() in _ROLE_ALIASES:
        return _ROLE_ALIASES[key.lower()]
    known = "、".join(f"{role.value}（{role.label}）" for role in Role)
    raise argparse.ArgumentTypeError(_("未知的角色“{role}”；可用：{known}").format(role=text, known=known))


def add_user_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``user create-admin|add|list|grant|passwd|deactivate|activate`` to a command line."""
    user = subparsers.add_parser(
        "user",
        help=_("用户账户与角色：创建管理员、新建账户、授权、修改密码、停用"),
        description=_(
            "除 create-admin 外，均须以 --user 登录（密码取自环境变量 {login}）；"
            "新密码取自环境变量 {new}，或在终端输入两次。"
        ).format(login=PASSWORD_VAR, new=NEW_PASSWORD_VAR),
    )
    commands = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)

    admin = commands.add_parser("create-admin", help=_("首次使用：创建管理员账户（仅在还没有任何账户时）"))
    admin.add_argument("username", metavar="USERNAME", help=_("用户名（英文字母、数字或 _ . -）"))
    admin.add_argument("--name", help=_("显示名，如 王主任"))

    add = commands.add_parser("add", help=_("新建账户并授予一个角色（管理员）"))
    add.add_argument("username", metavar="USERNAME", help=_("用户名（英文字母、数字或 _ . -）"))
    add.add_argument("--name", help=_("显示名，如 李录分"))
    _add_grant_options(add)

    commands.add_parser("list", help=_("列出账户、角色与状态（管理员）"))

    grant = commands.add_parser("grant", help=_("给账户增加（或用 --revoke 收回）一个角色（管理员）"))
    grant.add_argument("username", metavar="USERNAME")
    _add_grant_options(grant)
    grant.add_argument("--revoke", action="store_true", help=_("收回这个角色，而不是授予"))

    passwd = commands.add_parser(
        "passwd", help=_("修改自己的密码；管理员写上 USERNAME 时为该账户重设密码（并解除暂停登录）")
    )
    passwd.add_argument("username", metavar="USERNAME", nargs="?", help=_("要重设密码的账户（管理员）"))

    deactivate = commands.add_parser("deactivate", help=_("停用账户：不能再登录，记录保留（管理员）"))
    deactivate.add_argument("username", metavar="USERNAME")
    deactivate.add_argument("--reason", help=_("原因，记入审计日志"))

    activate = commands.add_parser("activate", help=_("重新启用已停用的账户（管理员）"))
    activate.add_argument("username", metavar="USERNAME")
    activate.add_argument("--reason", help=_("原因，记入审计日志"))

    user.set_defaults(handler=run_user_command)


def _add_grant_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--role",
        required=True,
        type=parse_role,
        metavar="ROLE",
        help=_("admin 管理员、organiser 赛务、chief_judge 裁判长、judge 裁判员、clerk 录分员（也可写中文）"),
    )
    parser.add_argument("--event", metavar="NAME", help=_("只在这个赛项（名称或编号）"))
    parser.add_argument(
        "--competition", metavar="NAME", help=_("赛事名称、简称或编号；不写 --event 时，角色覆盖整个赛事")
    )


# --- running ----------------------------------------------------------------------------------


def run_user_command(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run one ``user …`` command; 1 with a Chinese message on stderr when it cannot be done."""
    from competition_app.cli_login import CliLoginError
    from competition_app.services.auth import AuthError

    out = out or sys.stdout
    err = err or sys.stderr
    try:
        if args.user_command == "create-admin":
            return _create_admin(args, out)
        return _logged_in(args, _ACTIONS[args.user_command], out)
    except (CliLoginError, AuthError, LookupError) as error:
        print(error, file=err)
        return 1


def _logged_in(args: argparse.Namespace, action: Callable[[Session, argparse.Namespace, TextIO], None],
               out: TextIO) -> int:  # fmt: skip
    from competition_app.cli_login import open_logged_in

    database = open_logged_in(args)
    try:
        _ask_passwords(args, database)
        with database.transaction() as session:
            action(session, args, out)
    finally:
        database.close()
    return 0


def _ask_passwords(args: argparse.Namespace, database: Database) -> None:
    """Prompt for the passwords a command needs before its transaction opens (a prompt may wait long)."""
    from competition_app.cli_login import CliLoginError
    from competition_app.domain.permissions import Permission
    from competition_app.services.auth import ACTOR_KEY, Actor, require

    args.new_password = args.old_password = None
    if args.user_command not in ("add", "passwd"):
        return
    if args.user_command == "passwd" and args.username is None:
        actor = database.info.get(ACTOR_KEY)
        if not isinstance(actor, Actor):
            raise CliLoginError(_("还没有任何账户：请先用 user create-admin 创建管理员账户"))
        args.old_password = _current_password(actor.username)
        args.new_password = new_password(actor.username)
        return
    with database.session() as session:  # refused before any prompt, not after
        require(session, Permission.MANAGE_USERS)
    args.new_password = new_password(args.username)


def _create_admin(args: argparse.Namespace, out: TextIO) -> int:
    from competition_app.services.auth import AccountError, create_first_admin, has_accounts
    from db.session import open_database, resolve_url

    database = open_database(resolve_url(args.db))
    try:
        with database.session() as session:
            if has_accounts(session):
                raise AccountError(_("已有用户账户：请由管理员登录后用 user add 新建账户"))
        password = new_password(args.username)
        with database.transaction() as session:
            actor = create_first_admin(session, args.username, args.name or "", password)
    finally:
        database.close()
    print(_("已创建管理员账户：{who}（用户名 {name}）").format(who=actor.describe, name=actor.username), file=out)
    return 0


def new_password(username: str) -> str:
    """The new password: ``COMPETITION_APP_NEW_PASSWORD``, or typed twice at a terminal."""
    from competition_app.cli_login import CliLoginError
    from competition_app.services.auth import AccountError, check_password_strength

    password = os.environ.get(NEW_PASSWORD_VAR)
    if password is not None:
        return password
    if not sys.stdin.isatty():
        raise CliLoginError(_("请在环境变量 {var} 中提供新密码").format(var=NEW_PASSWORD_VAR))
    password = getpass.getpass(_("{user} 的新密码：").format(user=username))
    check_password_strength(password, username)  # before asking again
    if getpass.getpass(_("再次输入新密码：")) != password:
        raise AccountError(_("两次输入的密码不一致"))
    return password


def _current_password(username: str) -> str:
    from competition_app.cli_login import CliLoginError

    password = os.environ.get(PASSWORD_VAR)
    if password is not None:
        return password
    if not sys.stdin.isatty():
        raise CliLoginError(_("请在环境变量 {var} 中提供原密码").format(var=PASSWORD_VAR))
    return getpass.getpass(_("{user} 的原密码：").format(user=username))


def _account(session: Session, username: str) -> AccountRow:
    from competition_app.services.auth import AccountError, list_accounts, normalise_username

    name = normalise_username(username)
    for row in list_accounts(session):
        if row.username == name:
            return row
    raise AccountError(_("没有用户名为“{name}”的账户").format(name=username))


def _grant_from(session: Session, args: argparse.Namespace) -> RoleGrant:
    from competition_app.services.competitions import find_competition

    competition_id = None if args.competition is None else find_competition(session, args.competition)
    if args.event is None:
        return RoleGrant(args.role, competition_id, None)
    return RoleGrant(args.role, None, _find_event(session, args.event, competition_id))


def _find_event(session: Session, key: str, competition_id: int | None) -> int:
    """The event named (or numbered) ``key``, in ``competition_id`` if given; it must be unambiguous."""
    from sqlalchemy import select

    from db.models import Competition, Event

    key = key.strip()
    statement = select(Event.id, Competition.name).join(Competition, Competition.id == Event.competition_id)
    if competition_id is not None:
        statement = statement.where(Event.competition_id == competition_id)
    found = session.execute(statement.where(Event.name == key).order_by(Event.id)).all()
    if not found and key.isdigit():
        found = session.execute(statement.where(Event.id == int(key))).all()
    if len(found) == 1:
        return int(found[0][0])
    if found:
        where = "、".join(row[1] for row in found)
        raise LookupError(
            _("赛项“{event}”在多项赛事中都有（{where}）：请用 --competition 指明赛事").format(event=key, where=where)
        )
    raise LookupError(_("没有名为“{event}”的赛项").format(event=key))


def _add(session: Session, args: argparse.Namespace, out: TextIO) -> None:
    from competition_app.services.auth import AccountError, AccountInput, create_user, has_accounts

    if not has_accounts(session):
        raise AccountError(_("还没有任何账户：请先用 user create-admin 创建管理员账户"))
    grant = _grant_from(session, args)
    create_user(session, AccountInput(args.username, args.name or "", args.new_password, (grant,)))
    print(_("已新建账户 {name}：{grant}").format(name=args.username, grant=describe_grant(session, grant)), file=out)


def _grant(session: Session, args: argparse.Namespace, out: TextIO) -> None:
    from competition_app.services.auth import AccountError, set_grants

    account = _account(session, args.username)
    grant = _grant_from(session, args)
    described = describe_grant(session, grant)
    if args.revoke:
        if grant not in account.grants:
            raise AccountError(_("{name} 没有这个角色：{grant}").format(name=account.username, grant=described))
        set_grants(session, account.id, tuple(g for g in account.grants if g != grant))
        print(_("已收回 {name} 的角色：{grant}").format(name=account.username, grant=described), file=out)
        return
    if grant in account.grants:
        print(_("{name} 已有这个角色：{grant}").format(name=account.username, grant=described), file=out)
        return
    set_grants(session, account.id, (*account.grants, grant))
    print(_("已授予 {name}：{grant}").format(name=account.username, grant=described), file=out)


def _passwd(session: Session, args: argparse.Namespace, out: TextIO) -> None:
    from competition_app.services.auth import change_own_password, current_actor, reset_password

    if args.username is None:
        change_own_password(session, args.old_password, args.new_password)
        print(_("已修改 {name} 的密码").format(name=current_actor(session).username), file=out)
        return
    account = _account(session, args.username)
    reset_password(session, account.id, args.new_password)
    print(_("已重设 {name} 的密码").format(name=account.username), file=out)


def _set_active(active: bool) -> Callable[[Session, argparse.Namespace, TextIO], None]:
    def action(session: Session, args: argparse.Namespace, out: TextIO) -> None:
        from competition_app.services.auth import set_active

        account = _account(session, args.username)
        set_active(session, account.id, active, reason=args.reason)
        done = _("已启用账户 {name}") if active else _("已停用账户 {name}")
        print(done.format(name=account.username), file=out)

    return action


def _list(session: Session, _args: argparse.Namespace, out: TextIO) -> None:
    from competition_app.services.auth import list_accounts
    from db.types import utcnow

    now = utcnow()
    rows = [(_("用户名"), _("显示名"), _("状态"), _("最近登录"), _("角色"))]
    for account in list_accounts(session):
        grants = "；".join(describe_grant(session, grant) for grant in account.grants) or _("（无角色）")
        rows.append(
            (
                account.username,
                account.display_name,
                account_state(account, now),
                _when(account.last_login_at),
                grants,
            )
        )
    widths = [max(display_width(row[index]) for row in rows) for index in range(4)]
    for row in rows:
        cells = [cell + " " * (widths[index] - display_width(cell)) for index, cell in enumerate(row[:4])]
        print("  ".join([*cells, row[4]]), file=out)


def account_state(account: AccountRow, now: datetime | None = None) -> str:
    """可用 / 已停用 / 暂停登录（连续输错密码） for a listing."""
    if not account.is_active:
        return _("已停用")
    if account.held_until is not None and now is not None and account.held_until > now:
        return _("暂停登录")
    return _("可用")


def _when(moment: datetime | None) -> str:
    return "—" if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M")


def describe_grant(session: Session, grant: RoleGrant) -> str:
    """``录分员 · 赛项“焊工”（运河之星）``, ``裁判长 · 赛事“运河之星”`` or ``管理员 · 全部``."""
    from sqlalchemy import select

    from db.models import Competition, Event

    if grant.event_id is not None:
        found = session.execute(
            select(Event.name, Competition.short_name, Competition.name)
            .join(Competition, Competition.id == Event.competition_id)
            .where(Event.id == grant.event_id)
        ).first()
        place = (
            _("赛项“{event}”（{competition}）").format(event=found[0], competition=found[1] or found[2])
            if found
            else _("赛项 {id}").format(id=grant.event_id)
        )
    elif grant.competition_id is not None:
        name = session.scalar(select(Competition.name).where(Competition.id == grant.competition_id))
        place = _("赛事“{competition}”").format(competition=name or grant.competition_id)
    else:
        place = _("全部")
    return f"{grant.role.label} · {place}"


_ACTIONS: dict[str, Callable[[Session, argparse.Namespace, TextIO], None]] = {
    "add": _add,
    "list": _list,
    "grant": _grant,
    "passwd": _passwd,
    "deactivate": _set_active(False),
    "activate": _set_active(True),
}
