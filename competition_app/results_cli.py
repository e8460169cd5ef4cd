"""``competition-app results COMPETITION [--json]``: compute a competition's results and print them.

Every event the logged-in user may see scores of is computed from the marks in the database
and stored as a snapshot (``services.results``), then printed per event and group: a readable
table, or with ``--json`` one document whose decimals are strings ("85.50", never floats).
``--stored`` prints the stored snapshots instead of computing (and says which are stale).
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TextIO

from competition_app.i18n import _

if TYPE_CHECKING:  # the parser is built on every start-up: keep SQLAlchemy out of it
    from sqlalchemy.orm import Session

    from competition_app.results.view import CompetitionView, EventView, ResultLine


def add_results_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``results COMPETITION [--json] [--stored]`` to a command line."""
    parser = subparsers.add_parser("results", help=_("计算并输出赛事成绩：名次、奖项、称号、晋升与说明"))
    parser.add_argument("competition", metavar="COMPETITION", help=_("赛事名称、简称或编号"))
    parser.add_argument("--json", action="store_true", help=_("输出 JSON（小数以字符串表示）"))
    parser.add_argument("--stored", action="store_true", help=_("不重新计算，输出已保存的成绩快照"))
    parser.set_defaults(handler=run_results_command)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def line_document(line: ResultLine) -> dict[str, Any]:
    """One entry as the JSON output writes it."""
    return {
        "entry_id": line.entry_id,
        "team_id": line.team_id,
        "bib": line.bib,
        "name": line.name,
        "id_number": line.id_number,
        "gender": line.gender,
        "unit": line.unit,
        "region": line.region,
        "group": line.group,
        "status": line.status or None,
        "components": {name: _text(value) for name, value in line.components},
        "total": _text(line.total),
        "rank": line.rank,
        "shared_rank": line.shared_rank,
        "award": line.award,
        "titles": list(line.titles),
        "promotion": line.promotion.value if line.promotion else None,
        "promotion_label": line.promotion.label if line.promotion else None,
        "designations": list(line.designations),
        "explanation": list(line.explanation),
    }


def event_document(event: EventView) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "name": event.name,
        "occupation": event.occupation,
        "code": event.code,
        "official": event.official,
        "stale": event.stale,
        "computed_at": event.computed_at.isoformat() if event.computed_at else None,
        "warnings": list(event.warnings),
        "unresolved_ties": [
            {"group": t.group, "context": t.context, "entry_ids": list(t.entry_ids), "message": t.message}
            for t in event.unresolved_ties
        ],
        "groups": [
            {"name": g.name, "field_size": g.field_size, "entries": [line_document(line) for line in g.lines]}
            for g in event.groups
        ],
    }


def competition_document(view: CompetitionView) -> dict[str, Any]:
    """The whole ``--json`` document."""
    return {
        "competition_id": view.competition_id,
        "name": view.name,
        "short_name": view.short_name,
        "year": view.year,
        "level": view.level.value,
        "tier_class": view.tier_class.value,
        "events": [event_document(event) for event in view.events],
    }


def _print_table(view: CompetitionView, out: TextIO) -> None:
    print(view.name, file=out)
    for event in view.events:
        state = _("已锁定") if event.official else _("未锁定（非正式）")
        if event.stale:
            state += _("，已过期：成绩已改动，请重新计算")
        print(f"\n== {event.name}（{state}）", file=out)
        for warning in event.warnings:
            print(_("  注意：{warning}").format(warning=warning), file=out)
        for tie in event.unresolved_ties:
            print(_("  待决定的并列：{message}").format(message=tie.message), file=out)
        for group in event.groups:
            print(_("  -- {group}（排名 {size} 人）").format(group=group.name, size=group.field_size), file=out)
            for line in group.lines:
                rank = "" if line.rank is None else f"{line.rank}{'=' if line.shared_rank else ''}"
                parts = " ".join(f"{name}{_text(value) or '—'}" for name, value in line.components)
                extras = [line.award or "", *line.titles, line.promotion.label if line.promotion else "",
                          *line.designations, line.status]  # fmt: skip
                print(
                    f"  {rank:>4} {line.bib or '':<10} {line.name:<6} {parts}  "
                    f"{_('总分')}{_text(line.total) or '—'}  {' '.join(e for e in extras if e)}".rstrip(),
                    file=out,
                )


def run_results_command(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Compute (or load) and print the results of ``args.competition``; 0 on success, 1 on a known error."""
    from competition_app.sheet_cli import run_cli_action

    output = out or sys.stdout
    errors = err or sys.stderr

    def action(session: Session) -> int:
        from competition_app.services.competitions import find_competition
        from competition_app.services.results import ResultsError, competition_results

        competition_id = find_competition(session, args.competition)
        try:
            view = competition_results(session, competition_id, compute=not args.stored)
        except ResultsError as error:
            print(error, file=errors)
            return 1
        if args.json:
            json.dump(competition_document(view), output, ensure_ascii=False, indent=2)
            print(file=output)
        else:
            _print_table(view, output)
        return 0

    return run_cli_action(args, action, errors, write=not args.stored)
