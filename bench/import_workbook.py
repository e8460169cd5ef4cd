"""Import of a 10,000-contestant competition workbook (20 events) into a fresh SQLite file, with
full validation. Median of 3 runs, split into read (calamine + the zip checks), validate (against
the database) and write (bulk inserts + commit). Target: ≤ 2 s in total.

    python bench/import_workbook.py
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from competition_app.domain import idcard  # noqa: E402
from competition_app.domain.enums import Gender  # noqa: E402
from competition_app.excel import importer, reader  # noqa: E402
from competition_app.excel.columns import COMPETITION, ENTRIES, EVENTS, JUDGES  # noqa: E402
from db.session import open_database, sqlite_url  # noqa: E402

CONTESTANTS = 10_000
EVENTS_COUNT = 20
RUNS = 3
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰金凤春梅海燕文博宇浩然子轩梓涵一诺欣怡"
REGIONS = ("370811", "370812", "370826", "370827", "370828", "370829", "370830", "370881", "370883")


def write_workbook(path: Path, seed: int = 7) -> None:
    """A realistic workbook: one competition, 20 events with two groups, 10,000 contestants, 60 judges."""
    import xlsxwriter

    rng = random.Random(seed)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    text = workbook.add_format({"num_format": "@"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})

    def sheet(layout: object, rows: list[list[object]]) -> None:
        columns = layout.columns  # type: ignore[attr-defined]
        worksheet = workbook.add_worksheet(layout.name)  # type: ignore[attr-defined]
        worksheet.write_row(0, 0, [column.title for column in columns])
        for number, row in enumerate(rows, start=1):
            for index, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, date):
                    worksheet.write_datetime(number, index, value, day)
                elif isinstance(value, int):
                    worksheet.write_number(number, index, value)
                else:
                    worksheet.write_string(number, index, str(value), text)

    sheet(COMPETITION, [["2026年济宁市职业技能大赛（基准）", "基准", 2026, 1, "市级", "一类",
                         "济宁市“运河之星”职业技能大赛（市级一类）", "济宁市", "济宁市人社局", "济宁技师学院",
                         date(2026, 5, 20), date(2026, 5, 22), None]])  # fmt: skip
    events = [f"赛项{index:02d}" for index in range(EVENTS_COUNT)]
    sheet(EVENTS, [[name, f"职业{index:02d}", None, f"E{index:02d}", None, "个人赛", None, "职工组、学生组", 16, 60,
                    None, "否"] for index, name in enumerate(events)])  # fmt: skip
    units = [f"济宁第{index}机械有限公司" for index in range(300)]
    rows: list[list[object]] = []
    used: set[str] = set()
    for index in range(CONTESTANTS):
        gender = rng.choice((Gender.MALE, Gender.FEMALE))
        while True:
            birth = date(1970, 1, 1) + timedelta(days=rng.randrange(365 * 36))
            number = idcard.compose(rng.choice(REGIONS), birth, rng.randrange(100), gender)
            if number not in used:
                used.add(number)
                break
        event = events[index % EVENTS_COUNT]
        status, group = ("职工", "职工组") if index % 4 else ("学生", "学生组")
        rows.append([
            rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(("", *GIVEN)), "", number,
            "男" if gender is Gender.MALE else "女", None, f"13{rng.randrange(10**9):09d}", rng.choice(units),
            "任城区", status, rng.choice(("", "中级工（四级）", "高级工（三级）")), None, event, group, None,
            f"E{index % EVENTS_COUNT:02d}-{index // EVENTS_COUNT + 1:04d}", "已报名",
        ])  # fmt: skip
    sheet(ENTRIES, rows)
    sheet(JUDGES, [[f"裁判{index:02d}", None, rng.choice(units), None, "高级技师", events[index % EVENTS_COUNT],
                    "裁判长" if index < EVENTS_COUNT else "裁判员"] for index in range(60)])  # fmt: skip
    workbook.close()


def one_run(workbook: Path, database_path: Path) -> tuple[float, float, float, importer.ImportCounts]:
    database = open_database(sqlite_url(database_path))
    try:
        started = time.perf_counter()
        data = reader.read_workbook(workbook)
        read_done = time.perf_counter()
        with database.transaction() as session:
            checker = importer._Checker(session, data)
            plan = checker.run(importer.NO_PROGRESS)
            assert plan.ok, plan.report.format()
            validated = time.perf_counter()
            counts = importer.apply_plan(session, plan)
        written = time.perf_counter()
    finally:
        database.close()
    return read_done - started, validated - read_done, written - validated, counts


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="import-bench-") as directory:
        workbook = Path(directory) / "contestants.xlsx"
        started = time.perf_counter()
        write_workbook(workbook)
        print(f"workbook: {CONTESTANTS} contestants, {EVENTS_COUNT} events, "
              f"{workbook.stat().st_size / 1e6:.1f} MB, written in {time.perf_counter() - started:.2f} s")  # fmt: skip
        results = [one_run(workbook, Path(directory) / f"run-{run}.sqlite3") for run in range(RUNS)]
    reads, validations, writes = ([result[index] for result in results] for index in range(3))
    totals = [sum(result[:3]) for result in results]
    print(f"imported: {results[-1][3].describe()}")
    print(f"median of {RUNS}: read {statistics.median(reads):.3f} s, validate {statistics.median(validations):.3f} s, "
          f"write {statistics.median(writes):.3f} s, total {statistics.median(totals):.3f} s "
          f"(target ≤ 2 s; min {min(totals):.3f}, max {max(totals):.3f})")  # fmt: skip


if __name__ == "__main__":
    main()
