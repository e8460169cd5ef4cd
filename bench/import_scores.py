"""Import of a filled paper scores sheet: 500 entries × 5 judges (2,500 marks) into SQLite.

The 成绩录入表 is written by the app, filled in (every cell, as text), then checked (read with
calamine, every value validated against the database) and imported: each mark keyed through
``enter_score`` with its own audit record, plus one summary record, in one transaction.
Median of 3 runs on fresh copies of the same database.

    python bench/import_scores.py
"""

from __future__ import annotations

import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from competition_app.domain import idcard  # noqa: E402
from competition_app.domain.enums import ComponentKind, Gender, Level, PanelMethod, TierClass  # noqa: E402
from competition_app.excel.scores_import import apply_scores_plan, check_scores_workbook  # noqa: E402
from competition_app.excel.scores_sheet import GRID_SHEET, HEADER_ROW, write_scores_sheet  # noqa: E402
from db.models import Competition, Component, Entry, Event, EventGroup, Person  # noqa: E402
from db.session import open_database, sqlite_url  # noqa: E402

ENTRIES = 500
JUDGES = 5
RUNS = 3


def populate(path: Path) -> tuple[int, int]:
    """A competition with one event of ``ENTRIES`` contestants and a 5-judge practical component."""
    database = open_database(sqlite_url(path))
    try:
        with database.transaction() as session:
            competition = Competition(name="基准赛事", year=2026, level=Level.MUNICIPAL, tier_class=TierClass.CLASS_1)
            event = Event(competition=competition, name="数控车工", occupation="数控车工", code="SC")
            group = EventGroup(event=event, name="职工组")
            component = Component(event=event, name="技能操作", kind=ComponentKind.PRACTICAL, weight=Decimal("0.7"),
                                  panel_method=PanelMethod.TRIMMED_MEAN, panel_size=JUDGES)  # fmt: skip
            session.add(competition)
            session.flush()
            for index in range(ENTRIES):
                number = idcard.compose("370811", date(1980 + index % 30, 1 + index % 12, 1 + index % 28),
                                        index % 100, Gender.MALE)  # fmt: skip
                person = Person(id_number=number, name=f"选手{index}", birth_date=date(1980, 1, 1))
                session.add(person)
                session.flush()
                session.add(Entry(event_id=event.id, group_id=group.id, person_id=person.id, bib=f"SC-{index + 1:03d}"))
            return event.id, component.id
    finally:
        database.close()


def filled_sheet(database_path: Path, event_id: int, component_id: int, out: Path) -> Path:
    """The app's 成绩录入表 with every cell typed in as text, like a clerk's finished sheet."""
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    database = open_database(sqlite_url(database_path))
    try:
        with database.transaction() as session:
            template = write_scores_sheet(session, event_id, component_id, out.with_name("template.xlsx"))
    finally:
        database.close()
    with CalamineWorkbook.from_path(str(template)) as workbook:
        grid = workbook.get_sheet_by_name(GRID_SHEET).to_python(skip_empty_area=False)
    rng = random.Random(5)
    workbook = xlsxwriter.Workbook(str(out))
    text = workbook.add_format({"num_format": "@"})
    sheet = workbook.add_worksheet(GRID_SHEET)
    for row_index, row in enumerate(grid):
        for column_index, cell in enumerate(row):
            value = f"{rng.randrange(600, 1000) / 10:.1f}" if row_index > HEADER_ROW and column_index >= 3 else cell
            if value != "":
                sheet.write_string(row_index, column_index, str(value), text)
    workbook.close()
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder) / "base.sqlite3"
        event_id, component_id = populate(base)
        sheet = filled_sheet(base, event_id, component_id, Path(folder) / "filled.xlsx")
        checks: list[float] = []
        writes: list[float] = []
        totals: list[float] = []
        for run in range(RUNS):
            copy = Path(folder) / f"run{run}.sqlite3"
            shutil.copyfile(base, copy)
            database = open_database(sqlite_url(copy))
            try:
                started = time.perf_counter()
                with database.transaction() as session:
                    plan = check_scores_workbook(session, sheet)
                    checked = time.perf_counter()
                    assert plan.ok, plan.report.format()
                    counts = apply_scores_plan(session, plan)
                    assert counts.created == ENTRIES * JUDGES
                finished = time.perf_counter()  # after the commit
            finally:
                database.close()
            checks.append(checked - started)
            writes.append(finished - checked)
            totals.append(finished - started)
    marks = ENTRIES * JUDGES
    print(f"scores sheet import, {ENTRIES} entries × {JUDGES} judges = {marks} marks (SQLite, median of {RUNS}):")
    print(f"  check (read + validate): {statistics.median(checks):.2f} s")
    print(f"  import (enter_score × {marks} + audit + commit): {statistics.median(writes):.2f} s "
          f"({statistics.median(writes) / marks * 1000:.1f} ms per mark)")  # fmt: skip
    print(f"  total: {statistics.median(totals):.2f} s")


if __name__ == "__main__":
    main()
