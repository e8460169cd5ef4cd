"""``competition-app publish COMPETITION --out DIR``: the publication documents of a competition.

Writes 成绩公示, 获奖名单, 技术能手申报名单 and 晋升名单 as PDF and xlsx (files named with the
competition's short name in front, e.g. ``运河之星-成绩公示.pdf``) from the competition's results:
computed and stored now, or with ``--stored`` the stored snapshots. Needs 公示成绩
(Permission.PUBLISH) for the competition.

:func:`write_publication` does the work for the command and for the app's dialog alike.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from competition_app.i18n import _

if TYPE_CHECKING:  # the parser is built on every start-up: keep SQLAlchemy out of it
    from sqlalchemy.orm import Session

    from competition_app.results.view import CompetitionView
    from competition_app.tasks import Progress

WORKING_DAYS = 5
"""Default length of the 公示期: five working days (Monday to Friday) counted from its first day."""

DOCUMENTS: dict[str, str] = {
    "announcement": "成绩公示",
    "awards": "获奖名单",
    "titles": "技术能手申报名单",
    "promotions": "晋升名单",
}
"""The documents by key, with the Chinese name their files carry (translated when written)."""

FORMATS = ("pdf", "xlsx")


def document_label(key: str) -> str:
    """The Chinese name of a document (``announcement`` → 成绩公示)."""
    return _(DOCUMENTS[key])


def default_period(start: date, working_days: int = WORKING_DAYS) -> tuple[date, date]:
    """(start, the last day of ``working_days`` working days from ``start``; Saturdays and Sundays skipped).

    Public holidays are not known to the app: organisers lengthen the period by hand then.
    """
    day, counted = start, 0
    while True:
        if day.weekday() < 5:
            counted += 1
            if counted == working_days:
                return start, day
        day += timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PublicationOptions:
    """What to publish and how: 公示期, contact, note, which documents, which formats, from what."""

    period_from: date
    period_to: date
    contact: str | None = None
    """None: the competition's organiser."""
    note: str | None = None
    documents: tuple[str, ...] = tuple(DOCUMENTS)
    formats: tuple[str, ...] = FORMATS
    stored: bool = False
    """Use the stored result snapshots instead of computing the results now."""
    issued_on: date | None = None


@dataclass(frozen=True, slots=True)
class Published:
    competition: str
    paths: tuple[Path, ...] = field(default_factory=tuple)


class PublicationError(ValueError):
    """The documents cannot be written; the message is Chinese."""


def _safe(text: str) -> str:
    return "".join("_" if char in '\\/:*?"<>|' else char for char in text).strip() or _("赛事")


def file_stem(view: CompetitionView, key: str) -> str:
    """``运河之星-成绩公示``: the competition's short name (else its name), then the document."""
    return f"{_safe(view.short_name or view.name)}-{document_label(key)}"


@dataclass(frozen=True, slots=True)
class CompetitionHeading:
    """What the publication dialog shows and suggests for a competition."""

    competition_id: int
    name: str
    short_name: str | None
    organiser: str | None

    @property
    def file_prefix(self) -> str:
        return _safe(self.short_name or self.name)


def competition_heading(session: Session, competition_id: int) -> CompetitionHeading:
    """The competition's name, short name and organiser; needs 公示成绩 there (asked before the dialog)."""
    from competition_app.domain.permissions import Permission
    from competition_app.services.auth import require
    from db.models import Competition

    competition = session.get(Competition, competition_id)
    if competition is None:
        raise PublicationError(_("赛事不存在：{id}").format(id=competition_id))
    require(session, Permission.PUBLISH, competition_id=competition_id)
    return CompetitionHeading(competition.id, competition.name, competition.short_name, competition.organiser)


def _writers(
    view: CompetitionView, options: PublicationOptions, contact: str
) -> dict[tuple[str, str], Callable[[Path], Path]]:
    from competition_app.exports import publication as docs

    return {
        ("announcement", "pdf"): lambda path: docs.announcement_pdf(
            view,
            path,
            period_from=options.period_from,
            period_to=options.period_to,
            contact=contact,
            objection_note=options.note or None,
            issued_on=options.issued_on,
        ),
        ("announcement", "xlsx"): lambda path: docs.announcement_xlsx(view, path),
        ("awards", "pdf"): lambda path: docs.award_list_pdf(view, path),
        ("awards", "xlsx"): lambda path: docs.award_list_xlsx(view, path),
        ("titles", "pdf"): lambda path: docs.title_list_pdf(view, path),
        ("titles", "xlsx"): lambda path: docs.title_list_xlsx(view, path),
        ("promotions", "pdf"): lambda path: docs.promotion_list_pdf(view, path),
        ("promotions", "xlsx"): lambda path: docs.promotion_list_xlsx(view, path),
    }


def write_publication(
    session: Session,
    competition_id: int,
    target: Path,
    options: PublicationOptions,
    progress: Progress | None = None,
) -> Published:
    """Write the chosen documents of the competition into the folder ``target``; needs 公示成绩.

    Raises ``PermissionDenied``, ``ResultsError`` or ``PublicationError`` (bad period, nothing
    chosen, nothing to publish); the caller commits the result snapshots computed on the way.
    """
    from competition_app.domain.permissions import Permission
    from competition_app.services.auth import require
    from competition_app.services.results import competition_results
    from competition_app.tasks import Progress

    require(session, Permission.PUBLISH, competition_id=competition_id)
    if options.period_to < options.period_from:
        raise PublicationError(_("公示期结束日期不能早于开始日期"))
    documents = [key for key in DOCUMENTS if key in options.documents]
    formats = [kind for kind in FORMATS if kind in options.formats]
    if not documents or not formats:
        raise PublicationError(_("请至少选择一种文件和一种格式"))
    progress = progress or Progress()
    view = competition_results(session, competition_id, compute=not options.stored, progress=progress)
    contact = (options.contact or "").strip() or view.organiser or _("赛事组委会")
    target.mkdir(parents=True, exist_ok=True)
    writers = _writers(view, options, contact)
    jobs = [(key, kind) for key in documents for kind in formats]
    paths: list[Path] = []
    for number, (key, kind) in enumerate(jobs):
        progress.check()
        stem = file_stem(view, key)
        progress.report(number, len(jobs), f"{stem}.{kind}")
        try:
            paths.append(writers[key, kind](target / f"{stem}.{kind}"))
        except ValueError as error:  # the period, or nothing to publish
            raise PublicationError(str(error)) from error
    progress.report(len(jobs), len(jobs), "")
    return Published(view.name, tuple(paths))


# --- the command line -----------------------------------------------------------------------


def add_publish_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``publish COMPETITION --out DIR [--from --to] [--contact] [--note] [--stored]``."""
    parser = subparsers.add_parser(
        "publish", help=_("输出公示文件：成绩公示、获奖名单、技术能手申报名单、晋升名单（PDF 与 xlsx）")
    )
    parser.add_argument("competition", metavar="COMPETITION", help=_("赛事名称、简称或编号"))
    parser.add_argument("--out", metavar="DIR", required=True, help=_("输出文件夹（不存在时自动创建）"))
    parser.add_argument("--from", dest="period_from", metavar="YYYY-MM-DD", help=_("公示期开始日期；默认今天"))
    parser.add_argument(
        "--to",
        dest="period_to",
        metavar="YYYY-MM-DD",
        help=_("公示期结束日期；默认自开始日期起 5 个工作日（不计周六、周日；遇法定节假日请自行指定）"),
    )
    parser.add_argument("--contact", metavar="TEXT", help=_("异议受理联系方式；默认为赛事主办单位"))
    parser.add_argument("--note", metavar="TEXT", help=_("公示中的补充说明"))
    parser.add_argument("--stored", action="store_true", help=_("不重新计算，使用已保存的成绩快照"))
    parser.set_defaults(handler=run_publish_command)


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PublicationError(
            _("{option} 的日期“{text}”无效，请写成 YYYY-MM-DD（如 2026-05-20）").format(option=option, text=text)
        ) from None


def period_from_args(period_from: str | None, period_to: str | None, today: date) -> tuple[date, date]:
    """The 公示期 the options give (defaults: from today, five working days); Chinese errors name the option."""
    start = _date(period_from, "--from") or today
    end = _date(period_to, "--to") or default_period(start)[1]
    if end < start:
        raise PublicationError(
            _("--to（{end}）早于 --from（{start}）：公示期结束日期不能早于开始日期").format(
                end=end.isoformat(), start=start.isoformat()
            )
        )
    return start, end


def run_publish_command(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Write the documents and print their paths; 0 on success, 1 with a Chinese message otherwise."""
    from competition_app.sheet_cli import run_cli_action

    output = out or sys.stdout
    errors = err or sys.stderr
    try:
        start, end = period_from_args(args.period_from, args.period_to, date.today())
    except PublicationError as error:
        print(error, file=errors)
        return 1

    def action(session: Session) -> int:
        from competition_app.services.competitions import find_competition
        from competition_app.services.results import ResultsError

        competition_id = find_competition(session, args.competition)
        options = PublicationOptions(start, end, contact=args.contact, note=args.note, stored=args.stored)
        try:
            published = write_publication(session, competition_id, Path(args.out), options)
        except (ResultsError, PublicationError) as error:
            print(error, file=errors)
            return 1
        for path in published.paths:
            print(path, file=output)
        return 0

    return run_cli_action(args, action, errors, write=not args.stored)
