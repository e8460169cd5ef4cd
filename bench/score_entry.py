"""One accepted score on an SQLite file: validation + permission + commit + audit record.

A score clerk (录分员 of the event) keys a 5-judge trimmed-mean practical sheet (double entry,
the default) one cell at a time, each in its own transaction as the entry grid does: first
every cell is new, then every cell is changed (with the version the grid saw). Prints the
median and p95 of each (wall clock), with the CPU time and the SQL statements per score, which
vary less on a busy machine; target ≤ 10 ms median. ``--profile`` prints the top of a cProfile
of the new-cell run instead.

    python bench/score_entry.py [--entries N] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import event

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from competition_app.domain.enums import ComponentKind, Level, PanelMethod, Role, TierClass  # noqa: E402
from competition_app.services import scores  # noqa: E402
from competition_app.services.auth import actor_for  # noqa: E402
from db.models import (  # noqa: E402
    Competition,
    Component,
    Entry,
    Event,
    EventGroup,
    Judge,
    JudgeAssignment,
    Person,
    User,
    UserRole,
)
from db.session import Database, open_database, sqlite_url  # noqa: E402

SEATS = 5
TARGET_MS = 10.0


def build(database: Database, entries: int) -> tuple[int, int, list[int]]:
    """An event with ``entries`` contestants and a 5-judge practical; a clerk logged in.

    Returns the event id, the practical's id and the entry ids. bench/score_grid.py uses it too.
    """
    with database.transaction() as session:
        competition = Competition(name="基准赛事", year=2026, level=Level.MUNICIPAL, tier_class=TierClass.CLASS_1)
        event = Event(competition=competition, name="数控车工", occupation="车工", code="CK")
        group = EventGroup(event=event, name="职工组")
        practical = Component(event=event, name="技能操作", kind=ComponentKind.PRACTICAL, weight=Decimal("0.7"),
                              panel_method=PanelMethod.TRIMMED_MEAN, panel_size=SEATS, decimals=1,
                              spread_threshold=Decimal(10), time_limit_minutes=120)  # fmt: skip
        session.add(competition)
        session.flush()
        for seat in range(1, SEATS + 1):
            judge = Judge(competition_id=competition.id, name=f"裁判{seat}")
            session.add(judge)
            session.flush()
            session.add(JudgeAssignment(judge_id=judge.id, event_id=event.id, component_id=practical.id, seat=seat))
        entry_ids = []
        for number in range(1, entries + 1):
            person = Person(id_number=f"P{number:08d}", name=f"选手{number}", birth_date=date(1990, 1, 1))
            session.add(person)
            session.flush()
            entry = Entry(event_id=event.id, group_id=group.id, person_id=person.id, bib=f"CK-{number:03d}")
            session.add(entry)
            session.flush()
            entry_ids.append(entry.id)
        clerk = User(username="clerk", display_name="录分员甲")
        clerk.roles = [UserRole(role=Role.CLERK, event_id=event.id)]
        session.add(clerk)
        session.flush()
        database.info["actor"] = actor_for(clerk)
        return event.id, practical.id, entry_ids


class Run:
    def __init__(self) -> None:
        self.timings: list[float] = []
        self.cpu = 0.0
        self.statements = 0


def key_cells(
    database: Database,
    component_id: int,
    entry_ids: list[int],
    value: Callable[[int], str],
    versions: dict[object, int],
) -> Run:
    """Key every cell once, one transaction each; the milliseconds per accepted cell."""
    run = Run()
    timings = run.timings

    def count(*_args: object) -> None:
        run.statements += 1

    event.listen(database.engine, "before_cursor_execute", count)
    cpu = time.process_time()
    number = 0
    for entry_id in entry_ids:
        for seat in range(1, SEATS + 1):
            number += 1
            ref = scores.CellRef(component_id, entry_id, None, None, seat)
            start = time.perf_counter()
            with database.transaction() as session:
                cell = scores.enter_score(session, ref, value(number), expected_version=versions.get(ref))
            timings.append((time.perf_counter() - start) * 1000)
            versions[ref] = cell.version
    run.cpu = time.process_time() - cpu
    event.remove(database.engine, "before_cursor_execute", count)
    return run


def report(label: str, run: Run) -> float:
    ordered = sorted(run.timings)
    count = len(ordered)
    median = statistics.median(ordered)
    p95 = ordered[int(0.95 * (count - 1))]
    print(
        f"{label}: {count} scores, median {median:.2f} ms, p95 {p95:.2f} ms, max {ordered[-1]:.2f} ms; "
        f"CPU {run.cpu / count * 1000:.2f} ms, {run.statements / count:.1f} SQL statements per score"
    )
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=80, help="contestants (× 5 seats = scores per run)")
    parser.add_argument("--profile", action="store_true", help="cProfile the new-cell run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database = open_database(sqlite_url(Path(tmp) / "bench.sqlite3"))
        try:
            _event_id, component_id, entry_ids = build(database, args.entries)
            versions: dict[object, int] = {}
            gc.collect()
            if args.profile:
                profiler = cProfile.Profile()
                profiler.enable()
                key_cells(database, component_id, entry_ids, lambda n: str(60 + n % 40), versions)
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
                return 0
            new = key_cells(database, component_id, entry_ids, lambda n: f"{60 + n % 40}.5", versions)
            changed = key_cells(database, component_id, entry_ids, lambda n: str(61 + n % 38), versions)
        finally:
            database.close()
    print(f"Score entry on SQLite (one transaction per cell, {SEATS}-judge panel, double entry, 录分员):")
    medians = [report("  new cells    ", new), report("  changed cells", changed)]
    verdict = "ok" if max(medians) <= TARGET_MS else "over target"
    print(f"  target ≤ {TARGET_MS:.0f} ms median: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
