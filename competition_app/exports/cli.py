"""``competition-app export …``, ``competition-app draw …`` and ``competition-app draw-sheet …``.

Registered by ``competition_app.cli`` with :func:`add_export_commands`; each handler opens the
database named by ``--db`` (or the default), logged in as the global ``--user`` (the audit log
names them), and runs in one transaction. Bad input gives a
Chinese message on stderr and a non-zero exit code, never a traceback.
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

EXPORT_KINDS = ("roster", "signin", "bibs")
DRAW_KINDS = {"station": "station", "anon": "anon_code"}


def add_export_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``export``, ``draw`` and ``draw-sheet`` to a command line's subparsers."""
    export = subparsers.add_parser(
        "export", help=_("导出报名名单（xlsx）、签到表（PDF）或参赛编号/工位号对照表（xlsx 或 PDF）")
    )
    export.add_argument(
        "what",
        choices=EXPORT_KINDS,
        metavar="{roster,signin,bibs}",
        help=_(
            "roster 报名名单（xlsx）；signin 签到表（PDF）；bibs 参赛编号/工位号对照表（按文件扩展名输出 xlsx 或 PDF）"
        ),
    )
    export.add_argument("competition", metavar="COMPETITION", help=_("赛事名称或编号"))
    export.add_argument("--event", metavar="NAME", help=_("只导出这个赛项（名称或编号）"))
    export.add_argument("--out", metavar="FILE", required=True, type=Path, help=_("输出文件"))
    export.set_defaults(handler=run_export_command)

    draw = subparsers.add_parser("draw", help=_("为一个赛项抽签：工位号或检录号；重新抽签须说明原因"))
    draw.add_argument("event_id", metavar="EVENT_ID", type=int, help=_("赛项编号"))
    draw.add_argument(
        "--kind", choices=tuple(DRAW_KINDS), required=True, help=_("station 工位号；anon 检录号（匿名评分）")
    )
    draw.add_argument("--seed", help=_("随机种子（不填则自动生成并记录）；相同种子得到相同结果"))
    draw.add_argument("--reason", help=_("重新抽签的原因（重新抽签时必填）"))
    draw.set_defaults(handler=run_draw_command)

    sheet = subparsers.add_parser("draw-sheet", help=_("打印一个赛项的抽签结果表（PDF）"))
    sheet.add_argument("event_id", metavar="EVENT_ID", type=int, help=_("赛项编号"))
    sheet.add_argument("--kind", choices=tuple(DRAW_KINDS), help=_("station 或 anon；默认为最近一次抽签"))
    sheet.add_argument("--out", metavar="FILE", required=True, type=Path, help=_("输出的 PDF 文件"))
    sheet.set_defaults(handler=run_draw_sheet_command)


def _in_transaction(args: argparse.Namespace, action: Callable[[Session], int], err: TextIO) -> int:
    """Open the database, run ``action`` in one transaction, turn known errors into messages."""
    from competition_app.exports.registration import ExportError
    from competition_app.services.draw import DrawError
    from competition_app.sheet_cli import run_cli_action

    return run_cli_action(args, action, err, write=True, errors=(ExportError, DrawError))


def _write(path: Path, data: bytes, out: TextIO) -> None:
    path.write_bytes(data)
    print(_("已写入 {path}").format(path=path), file=out)


def run_export_command(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``export roster|signin|bibs COMPETITION [--event NAME] --out FILE``."""
    out = out or sys.stdout
    err = err or sys.stderr
    suffix = args.out.suffix.lower()
    expected = {"roster": (".xlsx",), "signin": (".pdf",), "bibs": (".xlsx", ".pdf")}[args.what]
    if suffix not in expected:
        print(
            _("输出文件 {path} 的扩展名应为 {expected}").format(path=args.out, expected=" 或 ".join(expected)), file=err
        )
        return 2

    def action(session: Session) -> int:
        from competition_app.exports import registration

        competition_id = registration.find_competition(session, args.competition)
        event_id = None if args.event is None else registration.find_event(session, competition_id, args.event)
        if args.what == "roster":
            data = registration.roster_xlsx(session, competition_id, event_id=event_id)
        elif args.what == "signin":
            data = registration.signin_sheet_pdf(session, competition_id, event_id=event_id)
        elif suffix == ".xlsx":
            data = registration.bib_list_xlsx(session, competition_id, event_id=event_id)
        else:
            data = registration.bib_list_pdf(session, competition_id, event_id=event_id)
        _write(args.out, data, out)
        return 0

    return _in_transaction(args, action, err)


def run_draw_command(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``draw EVENT_ID --kind station|anon [--seed S] [--reason R]``; prints the result."""
    out = out or sys.stdout
    err = err or sys.stderr

    def action(session: Session) -> int:
        from competition_app.domain.enums import DrawKind
        from competition_app.services.draw import draw

        kind = DrawKind(DRAW_KINDS[args.kind])
        result = draw(session, args.event_id, kind, seed=args.seed, reason=args.reason)
        heading = _("重新抽签") if result.is_redraw else _("抽签")
        print(
            _("{heading}完成：赛项 {event}，{kind}，共 {count} 个，随机种子 {seed}，抽签记录第 {id} 号").format(
                heading=heading,
                event=args.event_id,
                kind=kind.label,
                count=len(result.values),
                seed=result.seed,
                id=result.draw_id,
            ),
            file=out,
        )
        if kind is DrawKind.STATION:
            # Codes are not printed: the terminal is no sealed envelope (use draw-sheet --kind anon).
            for drawn in result.values:
                who = (
                    _("报名记录 {id}").format(id=drawn.entry_id)
                    if drawn.entry_id
                    else _("团队 {id}").format(id=drawn.team_id)
                )
                print(f"{who}\t{drawn.value}", file=out)
        return 0

    return _in_transaction(args, action, err)


def run_draw_sheet_command(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``draw-sheet EVENT_ID [--kind station|anon] --out FILE.pdf``."""
    out = out or sys.stdout
    err = err or sys.stderr
    if args.out.suffix.lower() != ".pdf":
        print(_("输出文件 {path} 的扩展名应为 .pdf").format(path=args.out), file=err)
        return 2

    def action(session: Session) -> int:
        from competition_app.domain.enums import DrawKind
        from competition_app.services.draw import draw_sheet_pdf

        kind = None if args.kind is None else DrawKind(DRAW_KINDS[args.kind])
        _write(args.out, draw_sheet_pdf(session, args.event_id, kind), out)
        return 0

    return _in_transaction(args, action, err)
