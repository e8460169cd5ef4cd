"""Command line: ``competition-app [--db URL] [COMMAND]``. With no command, the desktop app opens.

The CLI is part of the Qt-free core; the launcher in ``ui.entry`` passes in the function that
opens the window, so this module never imports Qt.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from competition_app import __version__
from competition_app.audit_cli import add_audit_commands
from competition_app.auth_cli import add_user_commands
from competition_app.certificates.cli import add_certificates_command, add_verify_command
from competition_app.excel.cli import add_excel_commands
from competition_app.exports.cli import add_export_commands
from competition_app.i18n import _
from competition_app.publish_cli import add_publish_command
from competition_app.results_cli import add_results_command
from competition_app.rules.cli import add_rules_command
from competition_app.scores_cli import add_scores_commands
from competition_app.sheet_cli import add_sheet_commands
from competition_app.worldskills.cli import add_marking_scheme_command

GuiLauncher = Callable[[str], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="competition-app",
        description=_("职业技能竞赛管理：报名、评分、排名、奖项与证书。不带命令运行时打开桌面程序。"),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--db",
        metavar="URL",
        help=_(
            "数据库：SQLAlchemy URL（如 postgresql+psycopg://用户:密码@主机/库名）或 SQLite 文件路径；"
            "默认读取环境变量 COMPETITION_APP_DB，否则使用用户数据目录中的 SQLite 文件"
        ),
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        help=_("以该用户登录（数据库设置了账户后必需；密码取自环境变量 COMPETITION_APP_PASSWORD 或在终端输入）"),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser("demo", help=_("创建演示数据（济宁“运河之星”、四川工匠杯、世赛选拔赛）"))
    demo.add_argument("--seed", type=int, default=2026, help=_("随机种子，相同种子生成相同数据"))
    commands.add_parser("where", help=_("显示将要打开的数据库"))
    # Commands that need no database register themselves and store their handler on the args.
    add_rules_command(commands)
    add_excel_commands(commands)
    add_export_commands(commands)
    add_marking_scheme_command(commands)
    add_scores_commands(commands)
    add_user_commands(commands)
    add_sheet_commands(commands)
    add_audit_commands(commands)
    add_verify_command(commands)
    add_certificates_command(commands)
    add_results_command(commands)
    add_publish_command(commands)
    return parser


def _print_progress(done: int, total: int, text: str) -> None:
    if total:
        print(f"\r[{done}/{total}] {text}".ljust(60), end="", file=sys.stderr, flush=True)


def _run_demo(args: argparse.Namespace) -> int:
    from competition_app.cli_login import CliLoginError, open_logged_in
    from competition_app.services.auth import AuthError
    from competition_app.services.demo import DemoAlreadyPresentError, create_demo
    from competition_app.tasks import Progress

    try:
        database = open_logged_in(args)
    except (CliLoginError, AuthError) as error:
        print(error, file=sys.stderr)
        return 1
    try:
        with database.transaction() as session:
            summary = create_demo(session, Progress(_print_progress), seed=args.seed)
    except (DemoAlreadyPresentError, AuthError) as error:
        print(f"\n{error}", file=sys.stderr)
        return 1
    finally:
        database.close()
    print(file=sys.stderr)
    print(_("已创建演示数据：{summary}").format(summary=summary.describe()))
    print(_("数据库：{where}").format(where=database.description))
    return 0


def main(argv: Sequence[str] | None = None, *, launch_gui: GuiLauncher | None = None) -> int:
    """Run the command line; returns the process exit code."""
    from db.session import describe_url, resolve_url

    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is not None:
        return handler(args)
    url = resolve_url(args.db)
    if args.command == "demo":
        return _run_demo(args)
    if args.command == "where":
        print(describe_url(url))
        return 0
    if launch_gui is None:
        print(_("图形界面请运行 competition-app（不带命令）。"), file=sys.stderr)
        return 2
    return launch_gui(url)
