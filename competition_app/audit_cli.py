"""``competition-app audit verify`` and ``competition-app audit list``.

``verify`` walks the hash chain of the audit log and prints OK with the record count, or the
first broken link (its id, time, user, action and what is wrong), exiting 1 when broken.
``list`` prints the newest records first, filtered like the audit viewer in the app. Both log
in as the global ``--user`` and need 查看审计日志.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, TextIO

from competition_app.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def add_audit_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``audit verify`` and ``audit list`` to a command line's subparsers."""
    audit = subparsers.add_parser("audit", help=_("审计日志：校验哈希链、列出记录"))
    commands = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = commands.add_parser("verify", help=_("校验审计链：报告完整，或第一处断开的记录；断开时退出码为 1"))
    verify.set_defaults(handler=run_audit_command)
    listing = commands.add_parser("list", help=_("按时间倒序列出审计记录"))
    listing.add_argument("--event", metavar="NAME", help=_("赛项名称或编号"))
    listing.add_argument("--competition", metavar="NAME", help=_("赛事名称、简称或编号"))
    listing.add_argument("--user", dest="audit_user", metavar="USERNAME", help=_("操作人的用户名"))
    listing.add_argument("--person", metavar="TEXT", help=_("人员编号，或姓名（汉字或拼音）的一部分"))
    listing.add_argument("--action", metavar="ACTION", help=_("操作，如 score.change；以“.”结尾（如 score.）表示一类"))
    listing.add_argument(
        "--since", metavar="DATE", type=_moment, help=_("起始时间（本地），如 2026-11-01 或 2026-11-01T08:00")
    )
    listing.add_argument("--until", metavar="DATE", type=_moment_end, help=_("截止时间（本地，含当天），如 2026-11-30"))
    listing.add_argument("--limit", type=int, default=50, help=_("最多列出多少条（默认 50）"))
    listing.set_defaults(handler=run_audit_command)


def _parse_moment(text: str) -> tuple[datetime, bool]:
    try:
        if "T" in text or " " in text.strip():
            return datetime.fromisoformat(text.strip()), False
        return datetime.combine(date.fromisoformat(text.strip()), time()), True
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("“{text}”不是日期（应写作 2026-11-01 或 2026-11-01T08:00）").format(text=text)
        ) from None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.astimezone()  # naive = local time


def _moment(text: str) -> datetime:
    return _aware(_parse_moment(text)[0])


def _moment_end(text: str) -> datetime:
    moment, whole_day = _parse_moment(text)
    return _aware(moment + timedelta(days=1) if whole_day else moment)


def run_audit_command(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``audit verify`` or ``audit list``; the exit code says whether the chain is intact."""
    from competition_app.sheet_cli import run_cli_action

    out = out or sys.stdout
    err = err or sys.stderr
    if args.audit_command == "verify":
        return run_cli_action(args, lambda session: _verify(session, out), err)
    return run_cli_action(args, lambda session: _list(session, args, out), err)


def _verify(session: Session, out: TextIO) -> int:
    from competition_app.services.audit import check_chain

    report = check_chain(session)
    print(report.describe(), file=out)
    if report.broken is not None:
        print(_("此前的 {count} 条记录核对无误。").format(count=report.count), file=out)
        return 1
    return 0


def _list(session: Session, args: argparse.Namespace, out: TextIO) -> int:
    from competition_app.services.audit import AuditQuery, search
    from competition_app.services.competitions import find_competition
    from competition_app.sheet_cli import find_event

    event_id = None if args.event is None else find_event(session, args.event, args.competition)
    competition_id = None
    if args.competition is not None and event_id is None:
        competition_id = find_competition(session, args.competition)
    query = AuditQuery(
        event_id=event_id,
        competition_id=competition_id,
        person=args.person,
        username=args.audit_user,
        action=args.action,
        since=args.since,
        until=args.until,
        limit=max(1, args.limit),
    )
    page = search(session, query)
    for row in page.rows:
        fields = [
            str(row.id),
            row.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
            row.user_display,
            row.action_label,
            " · ".join(part for part in (row.event_name, row.object, row.person_name) if part),
            row.change,
            row.reason or "",
        ]
        print("\t".join(fields).rstrip(), file=out)
    print(_("共 {total} 条，显示 {shown} 条").format(total=page.total, shown=len(page.rows)), file=out)
    return 0
