"""``competition-app certificates COMPETITION --out DIR`` and ``competition-app verify TEXT``.

``certificates`` issues (or reuses) the numbered, signed certificates the official results call
for and writes them as PDF: one file per certificate, or all in one with ``--one-file``.
``verify`` checks a certificate's QR text (or its number) against the register; exit code 1
when the certificate cannot be confirmed as genuine (unknown, altered, voided).
Both log in as the global ``--user``.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TYPE_CHECKING, TextIO

from competition_app.certificates.selection import KINDS
from competition_app.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def add_verify_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``verify TEXT`` to a command line's subparsers."""
    verify = subparsers.add_parser(
        "verify", help=_("核验证书：二维码内容（CERT|编号|姓名|校验码）或证书编号；不能确认为真时退出码为 1")
    )
    verify.add_argument("text", metavar="TEXT", help=_("扫描二维码得到的文字，或证书编号"))
    verify.set_defaults(handler=run_verify)


def add_certificates_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``certificates COMPETITION --out DIR [--one-file] …`` to a command line."""
    parser = subparsers.add_parser(
        "certificates",
        help=_("为已签字锁定的成绩发放证书（编号、签名、登记）并生成 PDF；再次运行沿用已发编号"),
    )
    parser.add_argument("competition", metavar="COMPETITION", help=_("赛事名称、简称或编号"))
    parser.add_argument("--out", required=True, metavar="DIR", help=_("输出目录"))
    parser.add_argument("--one-file", action="store_true", help=_("全部证书合成一个多页 PDF（默认每张证书一个文件）"))
    parser.add_argument(
        "--kind",
        choices=tuple(KINDS),
        default="award",
        help=_("证书类型：award 获奖证书（按奖项）、rank 获奖证书（按名次）、honour 荣誉证书（优秀选手等）"),
    )
    parser.add_argument("--top", type=int, metavar="N", help=_("按名次发证时只发前 N 名"))
    parser.add_argument("--event", action="append", metavar="NAME", help=_("只为该赛项发证（可重复）；默认全部赛项"))
    parser.add_argument("--issuer", metavar="TEXT", help=_("发证单位（默认赛事主办单位）"))
    parser.add_argument("--date", metavar="YYYY-MM-DD", help=_("发证日期（默认赛事结束日期）"))
    parser.add_argument("--preprinted", action="store_true", help=_("套打：只打印可变内容，用于预印证书纸"))
    parser.add_argument("--printer", metavar="NAME", help=_("套打时使用该打印机保存的校准偏移"))
    parser.add_argument(
        "--font",
        metavar="FONT",
        help=_("改用的字体：TrueType 字体文件（.ttf/.ttc），或本机字体名称，如 楷体、宋体、仿宋"),
    )
    parser.set_defaults(handler=run_certificates)


def _parse_date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(_("--date 的值“{text}”不是有效日期，应为 YYYY-MM-DD").format(text=text)) from None


def run_certificates(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Issue and render; print what was written and which events were skipped and why."""
    from competition_app.sheet_cli import run_cli_action

    output = out or sys.stdout
    errors = err or sys.stderr
    try:
        issue_date = _parse_date(args.date)
    except ValueError as error:
        print(error, file=errors)
        return 1
    if args.top is not None and args.top < 1:
        print(_("--top 必须至少为 1"), file=errors)
        return 1

    def action(session: Session) -> int:
        from competition_app.certificates.render import TemplateError
        from competition_app.certificates.selection import SelectionError
        from competition_app.services.certificate_batch import BatchOptions, generate
        from competition_app.services.certificates import CertificateError
        from competition_app.services.competitions import find_competition
        from competition_app.services.results import ResultsError
        from competition_app.sheet_cli import find_event

        competition_id = find_competition(session, args.competition)
        event_ids = None
        if args.event:
            event_ids = tuple(find_event(session, name, args.competition) for name in args.event)
        options = BatchOptions(args.kind, event_ids, args.top, args.issuer, issue_date)
        try:
            generated = generate(
                session,
                competition_id,
                args.out,
                options,
                one_file=args.one_file,
                preprinted=args.preprinted,
                printer=args.printer,
                font=args.font,
            )
        except (CertificateError, SelectionError, ResultsError, TemplateError) as error:
            print(error, file=errors)
            return 1
        prepared = generated.prepared
        for reason in prepared.skipped:
            print(_("跳过：{reason}").format(reason=reason), file=errors)
        if not prepared.items:
            print(_("没有可发的证书：没有已签字锁定且有获奖者的赛项"), file=errors)
            return 1
        print(
            _("证书 {count} 张：新发 {issued} 张，沿用已发编号 {reused} 张，因成绩变更作废重发 {voided} 张").format(
                count=len(prepared.items), issued=prepared.issued, reused=prepared.reused, voided=prepared.voided
            ),
            file=output,
        )
        for path in generated.paths:
            print(path, file=output)
        return 0

    return run_cli_action(args, action, errors, write=True)


def run_verify(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Print the verdict and, when known, the holder; 0 genuine, 1 otherwise."""
    from competition_app.services.certificates import verify
    from competition_app.sheet_cli import run_cli_action

    out = out or sys.stdout
    err = err or sys.stderr

    def action(session: Session) -> int:
        outcome = verify(session, args.text)
        print(outcome.describe(), file=out)
        return 0 if outcome.genuine else 1

    return run_cli_action(args, action, err)
