"""The contestants table (选手与报名) with 100,000 rows: loading, showing, filtering, sorting.

Figures, each the median of several runs:

- rows from SQLite: ``list_registrations`` on a file with 95,000 people entered in 40 events and
  5,000 people without an entry (built with bulk inserts), and the same rows built as frozen
  dataclasses instead of NamedTuples, for comparison;
- from rows in memory to a painted ``RegistrationsPage`` (``set_table`` + show + paint);
- one filter keystroke ("zs", a unit, an ID fragment, two words, a status) including the repaint;
- sorting by name (pinyin) the first time (keys computed) and again (keys cached);
- for comparison, the same search in a ``QSortFilterProxyModel`` with a Python ``filterAcceptsRow``.

    QT_QPA_PLATFORM=offscreen python bench/contestant_table.py      # target: each keystroke ≤ 0.1 s
"""

from __future__ import annotations

import gc
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from competition_app.domain.enums import EntryStatus, Gender, IdType, Level, PersonStatus  # noqa: E402
from competition_app.domain.idcard import compose  # noqa: E402
from competition_app.domain.pinyin import name_search_key  # noqa: E402
from competition_app.services.registrations import (  # noqa: E402
    EventChoice,
    RegistrationRow,
    RegistrationSearch,
    RegistrationTable,
    list_registrations,
)
from db.models import Competition, Entry, Event, EventGroup, Person, Unit  # noqa: E402
from db.session import open_database, sqlite_url  # noqa: E402

ROWS = 100_000
WITHOUT_ENTRY = 5_000
COMPETITIONS = ("运河之星", "四川工匠杯", "齐鲁工匠", "巴蜀英才")
EVENTS_PER_COMPETITION = 10
OCCUPATIONS = ("焊工", "电工", "数控车工", "中式烹调师", "养老护理员", "钳工", "车工", "汽车维修工", "茶艺师", "美发师")
GROUPS = ("职工组", "学生组")
UNITS = 2_000
RUNS = 5
SQL_RUNS = 3

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
GIVEN = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁凯浩宇轩博文建国志海峰亮龙东林成俊晨阳帅振德庆芳娜敏静丽艳娟霞燕玲婷雪慧"
REGIONS = (
    ("370811", "山东省济宁市任城区"), ("370812", "山东省济宁市兖州区"), ("370883", "山东省济宁市邹城市"),
    ("370102", "山东省济南市历下区"), ("510104", "四川省成都市锦江区"), ("510703", "四川省绵阳市涪城区"),
)  # fmt: skip
UNIT_WORDS = ("华创", "泰鼎", "恒润", "宏远", "通达", "鲁南", "运河", "天府", "蜀道", "金桥")
UNIT_KINDS = ("机械制造有限公司", "重工装备有限公司", "技师学院", "职业技术学院", "建设集团有限公司")
STATUSES = (
    (EntryStatus.REGISTERED,) * 6 + (EntryStatus.CHECKED_IN,) * 3 + (EntryStatus.WITHDRAWN, EntryStatus.DISQUALIFIED)
)


@dataclass
class Data:
    units: list[dict[str, Any]]
    people: list[dict[str, Any]]
    entries: list[dict[str, Any]]
    """Entries as inserted, plus the group name under "_group"."""


def make_data(seed: int = 2026) -> Data:
    rng = random.Random(seed)
    units = [
        {"id": number + 1, "name": f"{rng.choice(UNIT_WORDS)}{number:04d}{rng.choice(UNIT_KINDS)}",
         "region": REGIONS[number % len(REGIONS)][1]}
        for number in range(UNITS)
    ]  # fmt: skip
    people = []
    for number in range(ROWS):
        code, region = REGIONS[number % len(REGIONS)]
        gender = Gender.MALE if number % 2 else Gender.FEMALE
        birth = date(1975, 1, 1) + timedelta(days=number // 100)
        people.append(
            {
                "id": number + 1,
                "id_type": IdType.RESIDENT_ID,
                "id_number": compose(code, birth, number % 100, gender),
                "name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2)))),
                "gender": gender,
                "birth_date": birth,
                "unit_id": rng.randrange(UNITS) + 1 if number % 10 else None,
                "region": region if number % 3 else None,
                "status": PersonStatus.STUDENT if number % 4 == 0 else PersonStatus.WORKER,
            }
        )
    entries = []
    event_count = len(COMPETITIONS) * EVENTS_PER_COMPETITION
    for number in range(ROWS - WITHOUT_ENTRY):
        event = number % event_count
        group = 1 if people[number]["status"] is PersonStatus.STUDENT else 0
        sequence = number // event_count + 1
        entries.append(
            {
                "event_id": event + 1,
                "group_id": event * len(GROUPS) + group + 1,
                "person_id": number + 1,
                "unit_id": rng.randrange(UNITS) + 1 if number % 7 == 0 else None,
                "status": rng.choice(STATUSES),
                "bib": f"E{event + 1:02d}-{sequence:04d}",
                "station": f"{sequence:04d}",
                "_group": GROUPS[group],
            }
        )
    return Data(units, people, entries)


def events() -> list[tuple[int, int, str, str]]:
    """(event id, competition id, competition, event name)."""
    return [
        (competition_index * EVENTS_PER_COMPETITION + event_index + 1, competition_index + 1, competition, occupation)
        for competition_index, competition in enumerate(COMPETITIONS)
        for event_index, occupation in enumerate(OCCUPATIONS[:EVENTS_PER_COMPETITION])
    ]


def rows_in_memory(data: Data) -> RegistrationTable:
    """The rows ``list_registrations`` would return, built directly (no database)."""
    units = {unit["id"]: unit for unit in data.units}
    event_by_id = {event_id: (competition_id, competition, name) for event_id, competition_id, competition, name
                   in events()}  # fmt: skip

    def row(person: dict[str, Any], entry: dict[str, Any] | None) -> RegistrationRow:
        unit = units.get((entry or {}).get("unit_id") or person["unit_id"])
        competition_id, competition, event = event_by_id[entry["event_id"]] if entry else (None, None, None)
        return RegistrationRow(
            entry["id"] if entry else None, person["id"], person["name"], name_search_key(person["name"]),
            person["id_type"], person["id_number"], person["gender"], person["birth_date"],
            unit["name"] if unit else None, person["region"] or (unit["region"] if unit else None),
            person["status"], None, competition_id, competition, entry["event_id"] if entry else None, event,
            entry["_group"] if entry else None, None, entry["bib"] if entry else None,
            entry["station"] if entry else None, entry["status"] if entry else None,
        )  # fmt: skip

    rows = [row(data.people[entry["person_id"] - 1], {**entry, "id": number + 1})
            for number, entry in enumerate(data.entries)]  # fmt: skip
    rows += [row(person, None) for person in data.people[len(data.entries) :]]
    choices = tuple(EventChoice(event_id, competition, name, GROUPS) for event_id, _c, competition, name in events())
    return RegistrationTable(rows=tuple(rows), events=choices)


def build_sqlite(path: Path, data: Data) -> float:
    """Write the data with bulk inserts (name_pinyin comes from the column default); seconds taken."""
    database = open_database(sqlite_url(path))
    started = time.perf_counter()
    try:
        with database.transaction() as session:
            session.execute(insert(Unit).execution_options(render_nulls=True), data.units)
            session.execute(
                insert(Competition).execution_options(render_nulls=True),
                [{"id": number + 1, "name": f"2026年{name}职业技能大赛", "short_name": name, "year": 2026,
                  "level": Level.MUNICIPAL, "start_date": date(2026, 5, 1 + number)}
                 for number, name in enumerate(COMPETITIONS)],
            )  # fmt: skip
            session.execute(
                insert(Event).execution_options(render_nulls=True),
                [{"id": event_id, "competition_id": competition_id, "name": name, "occupation": name,
                  "sort_order": event_id} for event_id, competition_id, _competition, name in events()],
            )  # fmt: skip
            session.execute(
                insert(EventGroup).execution_options(render_nulls=True),
                [{"id": (event_id - 1) * len(GROUPS) + index + 1, "event_id": event_id, "name": group,
                  "sort_order": index} for event_id, *_rest in events() for index, group in enumerate(GROUPS)],
            )  # fmt: skip
            session.execute(insert(Person).execution_options(render_nulls=True), data.people)
            session.execute(
                insert(Entry).execution_options(render_nulls=True),
                [{key: value for key, value in entry.items() if key != "_group"} for entry in data.entries],
            )
    finally:
        database.close()
    return time.perf_counter() - started


def timed(action: Callable[[], object], runs: int = RUNS, before: Callable[[], object] | None = None) -> list[float]:
    timings = []
    for _ in range(runs):
        if before is not None:
            before()
        gc.collect()  # cheap: the 100,000 rows are frozen out of the collector's sight (main)
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return timings


def report(label: str, timings: list[float]) -> None:
    median = statistics.median(timings)
    print(f"  {label:<52} {median * 1000:8.1f} ms  (min {min(timings) * 1000:.1f}, max {max(timings) * 1000:.1f}, "
          f"{len(timings)} runs)")  # fmt: skip


@dataclass(frozen=True, slots=True)
class _RowDataclass:
    """The same fields as ``RegistrationRow``, to compare construction cost."""

    entry_id: Any
    person_id: Any
    name: Any
    name_pinyin: Any
    id_type: Any
    id_number: Any
    gender: Any
    birth_date: Any
    unit: Any
    region: Any
    person_status: Any
    skill_level: Any
    competition_id: Any
    competition: Any
    event_id: Any
    event: Any
    group: Any
    team: Any
    bib: Any
    station: Any
    status: Any


def bench_database(data: Data, directory: Path) -> RegistrationTable:
    path = directory / "contestants.sqlite3"
    build = build_sqlite(path, data)
    print(f"SQLite file with {len(data.people):,} people and {len(data.entries):,} entries "
          f"(bulk inserts, name_pinyin by the column default): built in {build:.1f} s")  # fmt: skip
    database = open_database(sqlite_url(path))
    table: RegistrationTable | None = None
    try:

        def load() -> None:
            nonlocal table
            with database.session() as session:
                table = list_registrations(session)

        report("list_registrations (one SELECT → NamedTuples)", timed(load, SQL_RUNS))
        with database.session() as session:
            raw = [tuple(row) for row in list_registrations(session).rows]
        report("  of which: 100,000 NamedTuples from tuples", timed(lambda: list(map(RegistrationRow._make, raw)), 3))
        report("  vs. 100,000 frozen slotted dataclasses", timed(lambda: [_RowDataclass(*values) for values in raw], 3))
    finally:
        database.close()
    assert table is not None
    return table


def bench_qt(table: RegistrationTable) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from ui.registrations_model import RegistrationColumn
    from ui.registrations_page import RegistrationsPage

    app = QApplication.instance() or QApplication([])
    print(f"Qt ({app.platformName()}), {len(table.rows):,} rows:")
    searches: list[RegistrationSearch] = []
    report("RegistrationSearch(rows): haystacks (in the background)",
           timed(lambda: searches.append(RegistrationSearch(table.rows))))  # fmt: skip
    search = searches[-1]
    pages: list[RegistrationsPage] = []

    def show() -> None:
        page = RegistrationsPage()
        page.resize(1280, 800)
        page.set_table(table, search)
        page.show()
        page.repaint()  # paints the visible rows now, not at the next turn of the event loop
        app.processEvents()
        pages.append(page)

    def dispose() -> None:
        while pages:
            pages.pop().deleteLater()
        app.processEvents()

    report("rows + search → painted page (set_table + show)", timed(show, before=dispose))
    page = pages[-1]
    model = page.model

    def repaint() -> None:
        page.table.viewport().repaint()

    unit = next(row.unit for row in table.rows if row.unit)
    id_fragment = table.rows[len(table.rows) // 2].id_number[6:12]
    for label, text, status in (
        ('"zs" (pinyin initials)', "zs", None),
        ('"zhang" (full pinyin)', "zhang", None),
        (f'"{unit[:6]}" (unit)', unit[:6], None),
        (f'"{id_fragment}" (ID number fragment)', id_fragment, None),
        ('"z 济宁" (two words)', "z 济宁", None),
        ("status 已退赛 (combo box)", "", EntryStatus.WITHDRAWN),
    ):

        def keystroke(text: str = text, status: EntryStatus | None = status) -> None:
            model.set_filter(text, status=status)
            repaint()

        timings = timed(keystroke, before=lambda: model.set_filter(""))
        report(f"filter {label} → {model.rowCount():,} rows", timings)
    report("clear the filter (all rows back)", timed(lambda: (model.set_filter(""), repaint()),
                                                     before=lambda: model.set_filter("zs")))  # fmt: skip

    def sort_by_name(order: Qt.SortOrder) -> None:
        page.table.sortByColumn(RegistrationColumn.NAME, order)
        repaint()

    def unsorted() -> None:  # through the header, so that sorting by name again really sorts
        page.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)

    def fresh_model() -> None:  # a new table: sort keys not yet computed
        unsorted()  # first: set_table keeps the order, and would sort by name itself
        model.set_table(table, search)

    report("sort by name (pinyin), first after start (cold caches)",
           timed(lambda: sort_by_name(Qt.SortOrder.AscendingOrder), 1, before=fresh_model))  # fmt: skip
    report("sort by name (pinyin), keys computed for a new table",
           timed(lambda: sort_by_name(Qt.SortOrder.AscendingOrder), before=fresh_model))  # fmt: skip
    report("sort by name again, descending (keys cached)",
           timed(lambda: sort_by_name(Qt.SortOrder.DescendingOrder), before=unsorted))  # fmt: skip
    report('filter "zs" while sorted by name', timed(lambda: (model.set_filter("zs"), repaint()),
                                                     before=lambda: model.set_filter("")))  # fmt: skip
    dispose()
    bench_proxy(table, search)


def bench_proxy(table: RegistrationTable, search: RegistrationSearch) -> None:
    """The house's usual QSortFilterProxyModel over the same rows and the same precomputed
    haystacks: only the per-row Python call differs."""
    from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel
    from PySide6.QtWidgets import QTableView

    from ui.registrations_model import RegistrationsModel

    haystacks = [" ".join(filter(None, (row.name, row.name_pinyin, row.id_number, row.bib, row.unit, row.region)))
                 .lower() for row in table.rows]  # fmt: skip

    class PythonFilterProxy(QSortFilterProxyModel):
        needle = ""

        def filterAcceptsRow(self, source_row: int, _parent: QModelIndex | QPersistentModelIndex) -> bool:
            return self.needle in haystacks[source_row]

    source = RegistrationsModel()
    source.set_table(table, search)
    proxy = PythonFilterProxy()
    proxy.setSourceModel(source)
    view = QTableView()
    view.setModel(proxy)

    def proxy_filter(needle: str) -> None:
        proxy.beginFilterChange()  # Qt 6.9+; invalidateRowsFilter() before
        proxy.needle = needle
        proxy.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        proxy.rowCount()

    report('for comparison: QSortFilterProxyModel, filter "zs"',
           timed(lambda: proxy_filter("zs"), 3, before=lambda: proxy_filter("")))  # fmt: skip
    report("for comparison: QSortFilterProxyModel, clear the filter",
           timed(lambda: proxy_filter(""), 3, before=lambda: proxy_filter("zs")))  # fmt: skip

    # Sorting calls a Python lessThan for every comparison (~1.7 million here), even with the keys precomputed.
    names = [row.name_pinyin for row in table.rows]
    Index = QModelIndex | QPersistentModelIndex

    class PythonSortProxy(QSortFilterProxyModel):
        def lessThan(self, left: Index, right: Index) -> bool:
            return names[left.row()] < names[right.row()]

    # Over a fifth of the rows only, to keep the bench short (n log n: the whole table takes over 5× as long).
    part = RegistrationTable(rows=table.rows[: len(table.rows) // 5], events=table.events)
    part_source = RegistrationsModel()
    part_source.set_table(part)
    sorting = PythonSortProxy()
    sorting.setSourceModel(part_source)
    report(f"for comparison: QSortFilterProxyModel, sort {len(part.rows):,} rows by name",
           timed(lambda: sorting.sort(0), 1))  # fmt: skip
    view.deleteLater()


def main() -> None:
    started = time.perf_counter()
    data = make_data()
    table = rows_in_memory(data)
    gc.freeze()  # long-lived data: keep it out of every collection, as a long-running app would
    made = time.perf_counter() - started
    print(f"contestant table: {len(table.rows):,} rows ({len(data.entries):,} entries, {WITHOUT_ENTRY:,} people "
          f"without one), {len(table.events)} events; made in memory in {made:.1f} s")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="contestant-bench-") as directory:
        loaded = bench_database(data, Path(directory))
    del data
    gc.freeze()
    assert len(loaded.rows) == len(table.rows)
    bench_qt(table)
    print(f"total {time.perf_counter() - started:.0f} s — target: each keystroke ≤ 100 ms")


if __name__ == "__main__":
    main()
