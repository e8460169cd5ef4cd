"""``competition-app scores template …`` and ``competition-app scores import …``: the paper workflow.

Registered by ``competition_app.cli`` with :func:`add_scores_commands`. Both commands open the
database logged in as ``--user`` (``cli_login.open_logged_in``), so the services check the same
permissions as in the app. ``import`` is all or nothing in one transaction: with any problem
the report goes to stderr, nothing is written and the exit code is 1.
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

__all__ = ["add_scores_commands", "run_scores_import", "run_scores_template"]


def add_scores_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``scores template`` and ``scores import`` to a command line's subparsers."""
    scores = subparsers.add_parser("scores", help=_("纸质评分：导出成绩录入表（Excel），导入填好的成绩表"))
    actions = scores.add_subparsers(dest="scores_action", metavar="ACTION", required=True)

    template = actions.add_parser(
        "template", help=_("导出一个评分项的成绩录入表：每行一名选手（检录号或参赛编号），每列一位裁判或一个评分细则")
    )
    template.add_argument("event", metavar="EVENT", help=_("赛项编号或名称（重名时写“赛事/赛项”）"))
    template.add_argument("component", metavar="COMPONENT", help=_("评分项名称或编号，如 技能操作"))
    template.add_argument("output", metavar="OUT.xlsx", help=_("要写入的 Excel 文件"))
    template.add_argument(
        "--pass", dest="pass_no", type=int, choices=(1, 2), default=1, help=_("录入遍次：双人录入的第二遍填 2")
    )
    template.set_defaults(handler=run_scores_template)

    workbook = actions.add_parser(
        "import", help=_("导入填好的成绩录入表或报名工作簿的“成绩”表：先检查全部数据，有任何问题则不写入并列出问题")
    )
    workbook.add_argument("workbook", metavar="FILE.xlsx", help=_("要导入的工作簿"))
    workbook.add_argument("--event", metavar="E", help=_("只导入这个赛项（编号或名称）"))
    workbook.add_argument("--component", metavar="C", help=_("只导入这个评分项（名称或编号；需同时指定 --event）"))
    workbook.add_argument(
        "--pass", dest="pass_no", type=int, choices=(1, 2), help=_("录入遍次（默认按成绩录入表中注明的，否则为第1遍）")
    )
    workbook.add_argument("--dry-run", action="store_true", help=_("只检查并显示将写入的成绩，不写入"))
    workbook.add_argument(
        "--replace", action="store_true", help=_("替换数据库中不同的已有成绩（每处修改记入审计日志）；默认拒绝")
    )
    workbook.set_defaults(handler=run_scores_import)


def _print_progress(done: int, total: int, text: str) -> None:
    if total and sys.stderr.isatty():
        print(f"\r[{done}/{total}] {text}".ljust(40), end="", file=sys.stderr, flush=True)


def _logged_in(args: argparse.Namespace, action: Callable[[Session], int], err: TextIO) -> int:
    """Open the database as ``--user`` and run ``action`` in one transaction; known errors become messages."""
    from competition_app.excel.scores_sheet import ScoresSheetError
    from competition_app.sheet_cli import run_cli_action

    return run_cli_action(args, action, err, write=True, errors=(ScoresSheetError,))


def run_scores_template(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Write the 成绩录入表 of one component (and pass); 1 with a Chinese message when it cannot."""
    from competition_app.excel.scores_sheet import find_component, find_event, write_scores_sheet

    out = out or sys.stdout
    err = err or sys.stderr
    path = Path(args.output)
    if path.suffix.lower() != ".xlsx":
        print(_("成绩录入表的文件名应以 .xlsx 结尾：{path}").format(path=path), file=err)
        return 2

    def action(session: Session) -> int:
        event_id = find_event(session, args.event)
        component_id = find_component(session, event_id, args.component)
        write_scores_sheet(session, event_id, component_id, path, pass_no=args.pass_no)
        print(_("已生成成绩录入表：{path}").format(path=path), file=out)
        return 0

    return _logged_in(args, action, err)


def run_scores_import(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Check and import (or with ``--dry-run`` only check) a scores workbook; 1 when it has problems."""
    from competition_app.excel.scores_import import import_scores
    from competition_app.excel.scores_sheet import find_component, find_event
    from competition_app.tasks import Progress

    out = out or sys.stdout
    err = err or sys.stderr
    if args.component and not args.event:
        print(_("--component 需要同时指定 --event"), file=err)
        return 2

    def action(session: Session) -> int:
        event_id = find_event(session, args.event) if args.event else None
        component_id = find_component(session, event_id, args.component) if event_id and args.component else None
        outcome = import_scores(
            session,
            args.workbook,
            event_id=event_id,
            component_id=component_id,
            pass_no=args.pass_no,
            replace=args.replace,
            dry_run=args.dry_run,
            progress=Progress(_print_progress),
        )
        if sys.stderr.isatty():
            print(file=sys.stderr)
        if not outcome.report.ok:
            print(outcome.report.format(), file=err)
            return 1
        if outcome.report.warnings:
            print(outcome.report.format(), file=err)
        if args.dry_run:
            print(_("检查通过（未写入）。将{what}").format(what=outcome.counts.describe()), file=out)
        elif outcome.written:
            print(_("导入完成：{what}").format(what=outcome.counts.describe()), file=out)
        else:
            print(_("未写入：{what}").format(what=outcome.counts.describe()), file=out)
        return 0

    return _logged_in(args, action, err)
