"""Results from the database for the demo competitions: read entries and marks, run the rules
engine, store the snapshot with its rows and audit record, commit — every event of every demo
competition. Median of 5 runs on one SQLite file (each run adds a new snapshot per event).

    python bench/results_db.py
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

from sqlalchemy import select  # noqa: E402

from competition_app.services.demo import create_demo  # noqa: E402
from competition_app.services.results import competition_results, load_results  # noqa: E402
from db.models import Competition, Event  # noqa: E402
from db.session import open_database, sqlite_url  # noqa: E402

RUNS = 5


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="results-bench-") as directory:
        database = open_database(sqlite_url(Path(directory) / "demo.sqlite3"))
        try:
            with database.transaction() as session:
                create_demo(session)
            with database.session() as session:
                competitions = list(session.execute(select(Competition.id, Competition.name)).all())
                events = len(session.scalars(select(Event.id)).all())
            timings: dict[str, list[float]] = {name: [] for _id, name in competitions}
            lines: dict[str, int] = {}
            for _run in range(RUNS):
                for competition_id, name in competitions:
                    started = time.perf_counter()
                    with database.transaction() as session:
                        view = competition_results(session, competition_id)
                    timings[name].append(time.perf_counter() - started)
                    lines[name] = sum(len(g.lines) for e in view.events for g in e.groups)
            totals = [sum(run) for run in zip(*timings.values(), strict=True)]
            for _id, name in competitions:
                print(f"{name}: median {statistics.median(timings[name]):.3f} s ({lines[name]} result lines)")
            print(f"all {len(competitions)} demo competitions ({events} events), compute + store + commit, "
                  f"median of {RUNS}: {statistics.median(totals):.3f} s "
                  f"(min {min(totals):.3f}, max {max(totals):.3f})")  # fmt: skip
            load_timings = []
            for _run in range(RUNS):
                started = time.perf_counter()
                with database.session() as session:
                    for event_id in session.scalars(select(Event.id)):
                        load_results(session, event_id)
                load_timings.append(time.perf_counter() - started)
            print(f"load_results for all {events} events (with the stale check), median of {RUNS}: "
                  f"{statistics.median(load_timings):.3f} s")  # fmt: skip
        finally:
            database.close()


if __name__ == "__main__":
    main()
