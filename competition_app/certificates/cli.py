"""``competition-app verify TEXT``: is a certificate's QR text (or its number) genuine, and whose is it?

Checks against the certificate register, logged in as the global ``--user``; exit code 1 when
the certificate cannot be confirmed as genuine (unknown, altered, voided).
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from competition_app.i18n import _


def add_verify_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``verify TEXT`` to a command line's subparsers."""
    verify = subparsers.add_parser(
        "verify", help=_("核验证书：二维码内容（CERT|编号|姓名|校验码）或证书编号；不能确认为真时退出码为 1")
    )
    verify.add_argument("text", metavar="TEXT", help=_("扫描二维码得到的文字，或证书编号"))
    verify.set_defaults(handler=run_verify)


def run_verify(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Print the verdict and, when known, the holder; 0 genuine, 1 otherwise."""
    from sqlalchemy.orm import Session

    from competition_app.services.certificates import verify
    from competition_app.sheet_cli import run_cli_action

    out = out or sys.stdout
    err = err or sys.stderr

    def action(session: Session) -> int:
        outcome = verify(session, args.text)
        print(outcome.describe(), file=out)
        return 0 if outcome.genuine else 1

    return run_cli_action(args, action, err)
