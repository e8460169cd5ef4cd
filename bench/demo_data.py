"""How long the demo database takes: from nothing (migrate a new SQLite file, write the demo,
commit), and the demo part alone (create_demo + commit). Median of 5 runs each.

    python bench/demo_data.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from competition_app.services.demo import DemoSummary, create_demo  # noqa: E402
from db.session import open_database, sqlite_url  # noqa: E402

RUNS = 5


def one_run(path: Path) -> tuple[float, float, DemoSummary]:
    """Seconds from nothing to a committed demo database, seconds for the demo part, and what it wrote."""
    started = time.perf_counter()
    database = open_database(sqlite_url(path))
    try:
        demo_started = time.perf_counter()
        with database.transaction() as session:
            summary = create_demo(session)
        finished = time.perf_counter()
    finally:
        database.close()
    return finished - started, finished - demo_started, summary


def main() -> None:
    totals: list[float] = []
    demo_parts: list[float] = []
    summary: DemoSummary | None = None
    with tempfile.TemporaryDirectory(prefix="demo-bench-") as directory:
        for run in range(RUNS):
            total, demo_part, summary = one_run(Path(directory) / f"demo-{run}.sqlite3")
            totals.append(total)
            demo_parts.append(demo_part)
    assert summary is not None
    print(f"demo data: {summary.describe()}")
    print(f"demo database from nothing (migrate + create_demo + commit), median of {RUNS}: "
          f"{statistics.median(totals):.3f} s  (min {min(totals):.3f}, max {max(totals):.3f})")  # fmt: skip
    print(f"create_demo + commit only, median of {RUNS}: "
          f"{statistics.median(demo_parts):.3f} s  (min {min(demo_parts):.3f}, max {max(demo_parts):.3f})")  # fmt: skip


if __name__ == "__main__":
    main()
