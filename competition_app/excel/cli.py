"""``competition-app template OUT.xlsx`` and ``competition-app import WORKBOOK.xlsx [--dry-run]``.

Registered by ``competition_app.cli`` with :func:`add_excel_commands`. ``template`` needs no
database; ``import`` opens the one ``--db`` names (or the default), logged in as the global
``--user`` (the audit log names them), and imports in one transaction: with any problem the
report goes to stderr, nothing is written and the exit code is 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from competition_app.i18n import _

__all__ = ["add_excel_commands", "run_import_command", "run_template_command"]


def add_excel_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``template`` and ``import`` to a command line's subparsers."""
    template = subparsers.add_parser("template", help=_("生成竞赛工作簿 Excel 模板（赛事、赛项、选手报名、裁判）"))
    template.add_argument("output", metavar="OUT.xlsx", help=_("要写入的模板文件"))
    template.add_argument("--with-scores", action="store_true", help=_("包含可选的“成绩”工作表"))
    template.add_argument("--no-example", action="store_true", help=_("不写示例行"))
    template.set_defaults(handler=run_template_command)
    workbook = subparsers.add_parser("import", help=_("导入竞赛工作簿：先检查全部数据，有任何问题则不写入并列出问题"))
    workbook.add_argument("workbook", metavar="WORKBOOK.xlsx", help=_("要导入的工作簿"))
    workbook.add_argument("--dry-run", action="store_true", help=_("只检查并显示将新增和更新的数据，不写入"))
    workbook.set_defaults(handler=run_import_command)


def run_template_command(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    from competition_app.excel.template import write_template

    out = out or sys.stdout
    err = err or sys.stderr
    path = Path(args.output)
    if path.suffix.lower() != ".xlsx":
        print(_("模板文件名应以 .xlsx 结尾：{path}").format(path=path), file=err)
        return 2
    try:
        write_template(path, with_scores=args.with_scores, example=not args.no_example)
    except OSError as error:
        print(_("无法写入 {path}：{error}").format(path=path, error=error.strerror or error), file=err)
        return 1
    print(_("已生成模板：{path}").format(path=path), file=out)
    return 0


def _print_progress(done: int, total: int, text: str) -> None:
    if total:
        print(f"\r[{done}/{total}] {text}".ljust(40), end="", file=sys.stderr, flush=True)


def run_import_command(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Check and import (or with ``--dry-run`` only check) a workbook; 1 when it has problems."""
    from competition_app.cli_login import CliLoginError, open_logged_in
    from competition_app.excel.importer import import_workbook
    from competition_app.services.auth import AuthError

    out = out or sys.stdout
    err = err or sys.stderr
    try:
        database = open_logged_in(args)
        try:
            with database.transaction() as session:
                outcome = import_workbook(session, args.workbook, dry_run=args.dry_run)
        finally:
            database.close()
    except (CliLoginError, AuthError) as error:
        print(error, file=err)
        return 1
    if not outcome.report.ok:
        print(outcome.report.format(), file=err)
        return 1
    if outcome.report.warnings:
        print(outcome.report.format(), file=err)
    if args.dry_run:
        print(_("检查通过（未写入）。将{what}").format(what=outcome.counts.describe()), file=out)
    elif outcome.written:
        print(_("导入完成：{what}").format(what=outcome.counts.describe()), file=out)
        print(_("数据库：{where}").format(where=database.description), file=out)
    else:
        print(_("导入完成：{what}").format(what=outcome.counts.describe()), file=out)
    return 0
