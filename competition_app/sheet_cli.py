"""``competition-app sheet …``: a component's score sheet from the command line.

``status EVENT`` lists every component's sheet (state, progress, differences); ``pdf`` prints
the 裁判评分表; ``fingerprint`` compares the fingerprint recorded at locking with the data
now (exit 1 when they differ); ``verify``, ``lock``, ``publish`` and ``unlock --reason``
move a sheet through 录入中 → 已复核 → 裁判长签字锁定 → 已公示 and back.

EVENT is an event name (or id), made unique with ``--competition`` when several competitions
have an event of that name; COMPONENT is a component name (or id). Every command logs in as
the global ``--user`` (``competition_app.cli_login``); the services check the permissions.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from competition_app.i18n import _

if TYPE_CHECKING:  # the parser is built on every start-up: keep SQLAlchemy out of it
    from sqlalchemy.orm import Session


def add_sheet_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``sheet status|pdf|fingerprint|verify|lock|publish|unlock`` to a command line."""
    sheet = subparsers.add_parser("sheet", help=_("评分表：状态、打印裁判评分表、指纹核验、复核、锁定、公示、解锁"))
    commands = sheet.add_subparsers(dest="sheet_command", metavar="ACTION", required=True)
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--competition", metavar="NAME", help=_("赛事名称、简称或编号（赛项名称不唯一时必填）"))

    def with_event(name: str, help_text: str, *, component: bool = True) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, help=help_text, parents=[where])
        parser.add_argument("event", metavar="EVENT", help=_("赛项名称或编号"))
        if component:
            parser.add_argument("component", metavar="COMPONENT", help=_("评分项名称或编号，如 技能操作"))
        parser.set_defaults(handler=run_sheet_command)
        return parser

    with_event("status", _("列出赛项各评分项评分表的状态、录入进度与不一致之处"), component=False)
    pdf = with_event("pdf", _("打印裁判评分表（PDF），带数据指纹"))
    pdf.add_argument("out", metavar="OUT.pdf", type=Path, help=_("输出的 PDF 文件"))
    pdf.add_argument(
        "--pass", dest="pass_no", type=int, choices=(1, 2), default=1, help=_("2：打印第二遍录入（核对用）")
    )
    with_event("fingerprint", _("核对锁定时记录的指纹与当前数据的指纹；不一致时退出码为 1"))
    with_event("verify", _("复核：录入中 → 已复核（须录入完整、两遍一致或已回读核对）"))
    with_event("lock", _("裁判长签字锁定：已复核 → 锁定，记录数据指纹"))
    with_event("publish", _("公示：锁定 → 已公示"))
    unlock = with_event("unlock", _("解锁回到录入中（裁判长或管理员，须说明原因）"))
    unlock.add_argument("--reason", required=True, help=_("解锁原因，记入审计日志"))


# --- finding events and components by name -------------------------------------------------


def find_event(session: Session, name: str, competition: str | None = None) -> int:
    """The id of the event named (or numbered) ``name``, within ``competition`` when given.

    Raises ``LookupError`` with a Chinese message listing what there is, or asking for
    ``--competition`` when the name is not unique.
    """
    from sqlalchemy import select

    from competition_app.services.competitions import find_competition
    from db.models import Competition, Event

    key = name.strip()
    statement = select(Event.id, Competition.name).join(Competition, Competition.id == Event.competition_id)
    listing = select(Event.name).order_by(Event.competition_id, Event.sort_order, Event.id)
    if competition is not None:
        competition_id = find_competition(session, competition)
        statement = statement.where(Event.competition_id == competition_id)
        listing = listing.where(Event.competition_id == competition_id)
    found = session.execute(statement.where(Event.name == key).order_by(Event.id)).all()
    if not found and key.isdigit():
        found = session.execute(statement.where(Event.id == int(key))).all()
    if len(found) == 1:
        return found[0][0]
    if found:
        raise LookupError(
            _("多个赛事都有名为 “{key}” 的赛项（{competitions}）：请用 --competition 指定赛事").format(
                key=key, competitions="、".join(competition_name for _id, competition_name in found)
            )
        )
    known = "、".join(dict.fromkeys(session.scalars(listing))) or _("（没有赛项）")
    raise LookupError(_("没有名为 “{key}” 的赛项；现有赛项：{known}").format(key=key, known=known))


def find_component(session: Session, event_id: int, name: str) -> int:
    """The id of the event's component named (or numbered) ``name``; ``LookupError`` if none."""
    from sqlalchemy import select

    from db.models import Component

    key = name.strip()
    in_event = Component.event_id == event_id
    found = session.scalar(select(Component.id).where(in_event, Component.name == key))
    if found is None and key.isdigit():
        found = session.scalar(select(Component.id).where(in_event, Component.id == int(key)))
    if found is None:
        names = session.scalars(select(Component.name).where(in_event).order_by(Component.sort_order)).all()
        raise LookupError(
            _("本赛项没有名为 “{key}” 的评分项；现有评分项：{known}").format(key=key, known="、".join(names))
        )
    return found


# --- running ------------------------------------------------------------------------------


def run_cli_action(
    args: argparse.Namespace,
    action: Callable[[Session], int],
    err: TextIO,
    *,
    write: bool = False,
    errors: tuple[type[Exception], ...] = (),
) -> int:
    """Log in, run ``action`` in one transaction (read-only ones roll back), report known errors.

    ``errors``: the command's own error types, whose (Chinese) messages are printed like the
    common ones (permissions, unknown names, scores, marks, fonts): on stderr, exit code 1.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from competition_app.cli_login import CliLoginError, open_logged_in
    from competition_app.domain.marks import MarkError
    from competition_app.pdf.fonts import FontError
    from competition_app.services.auth import AuthError
    from competition_app.services.scores import ScoreError

    try:
        database = open_logged_in(args)
    except (CliLoginError, AuthError) as error:
        print(error, file=err)
        return 1
    except (SQLAlchemyError, OSError, RuntimeError) as error:
        print(_("无法打开数据库：{error}").format(error=error), file=err)
        return 1
    known: tuple[type[Exception], ...] = (AuthError, LookupError, ScoreError, MarkError, FontError, *errors)
    try:
        if write:
            with database.transaction() as session:
                return action(session)
        with database.session() as session:
            return action(session)
    except known as error:
        print(error, file=err)
        return 1
    except OSError as error:
        print(_("无法写入文件：{error}").format(error=error), file=err)
        return 1
    finally:
        database.close()


def run_sheet_command(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run one ``sheet`` action; 0 on success, 1 with a Chinese message on stderr otherwise."""
    out = out or sys.stdout
    err = err or sys.stderr
    command: str = args.sheet_command
    if command == "pdf" and args.out.suffix.lower() != ".pdf":
        print(_("输出文件 {path} 的扩展名应为 .pdf").format(path=args.out), file=err)
        return 2

    def action(session: Session) -> int:
        event_id = find_event(session, args.event, args.competition)
        if command == "status":
            return _print_status(session, event_id, out)
        component_id = find_component(session, event_id, args.component)
        return _ACTIONS[command](session, event_id, component_id, args, out)

    return run_cli_action(args, action, err, write=command in ("verify", "lock", "publish", "unlock"))


def _print_status(session: Session, event_id: int, out: TextIO) -> int:
    from competition_app.services.sheets import event_sheets

    for status in event_sheets(session, event_id):
        progress = _("第一遍 {done}/{expected}").format(done=status.first_pass, expected=status.expected)
        if status.double_entry:
            progress += _("，第二遍 {done}/{expected}，不一致 {differences} 处").format(
                done=status.second_pass, expected=status.expected, differences=status.differences
            )
        else:
            progress += _("，未回读核对 {count} 个").format(count=status.unconfirmed)
        line = f"{status.component_name}\t{status.state.label}\t{progress}"
        if status.fingerprint:
            line += "\t" + _("指纹 {short}…").format(short=status.fingerprint[:16])
        print(line, file=out)
    return 0


def _pdf(session: Session, event_id: int, component_id: int, args: argparse.Namespace, out: TextIO) -> int:
    from competition_app.exports.score_sheet import score_sheet_pdf

    path = score_sheet_pdf(session, event_id, component_id, args.out, pass_no=args.pass_no)
    print(_("已写入 {path}").format(path=path), file=out)
    return 0


def _fingerprint(session: Session, event_id: int, component_id: int, args: argparse.Namespace, out: TextIO) -> int:
    from competition_app.domain.permissions import Permission
    from competition_app.exports.score_sheet import group_hex
    from competition_app.services.auth import require
    from competition_app.services.sheets import check_fingerprint

    require(session, Permission.VIEW_SCORES, event_id=event_id)
    recorded, now = check_fingerprint(session, event_id, component_id)
    print(
        _("锁定时记录：{value}").format(value=group_hex(recorded) if recorded else _("（未记录：评分表尚未锁定）")),
        file=out,
    )
    print(_("当前数据：  {value}").format(value=group_hex(now)), file=out)
    if recorded is None:
        print(_("评分表尚未锁定，没有可比对的指纹"), file=out)
        return 1
    if recorded != now:
        print(_("不一致：锁定后的成绩与签字时不同，数据可能被改动，请裁判长核查"), file=out)
        return 1
    print(_("一致：数据库中的成绩与签字锁定时相同"), file=out)
    return 0


def _verify(session: Session, event_id: int, component_id: int, args: argparse.Namespace, out: TextIO) -> int:
    from competition_app.services.sheets import verify_sheet

    status = verify_sheet(session, event_id, component_id)
    print(_("“{name}”已复核").format(name=status.component_name), file=out)
    return 0


def _lock(session: Session, event_id: int, component_id: int, args: argparse.Namespace, out: TextIO) -> int:
    from competition_app.exports.score_sheet import group_hex
    from competition_app.services.sheets import lock_sheet

    fingerprint = lock_sheet(session, event_id, component_id)
    print(_("已签字锁定；数据指纹：{hex}").format(hex=group_hex(fingerprint)), file=out)
    return 0


def _publish(session: Session, event_id: int, component_id: int, args: argparse.Namespace, out: TextIO) -> int:
    from competition_app.services.sheets import publish_sheet

    publish_sheet(session, event_id, component_id)
    print(_("已公示"), file=out)
    return 0


def _unlock(session: Session, event_id: int, component_id: int, args: argparse.Namespace, out: TextIO) -> int:
    from competition_app.services.sheets import unlock_sheet

    unlock_sheet(session, event_id, component_id, args.reason)
    print(_("已解锁，评分表回到录入中"), file=out)
    return 0


_ACTIONS: dict[str, Callable[[Session, int, int, argparse.Namespace, TextIO], int]] = {
    "pdf": _pdf,
    "fingerprint": _fingerprint,
    "verify": _verify,
    "lock": _lock,
    "publish": _publish,
    "unlock": _unlock,
}
