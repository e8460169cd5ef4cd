"""1,000 scores keyed through the entry grid with key events, on a fresh SQLite file.

A score clerk (录分员 of the event) opens the score entry window on a 5-judge trimmed-mean
practical sheet of 200 entries and keys the paper sheet column by column, as a clerk does:
digits, Enter (down; from the last row to the top of the next judge's column). Every key goes
through Qt (``QTest``, offscreen) and every accepted cell is validated, committed in its own
transaction with its audit record, and its row total and the sheet's flags are recomputed.
Prints the total, the mean, median and p95 per score, and the share spent storing the cell (the
check, ``scores.enter_score`` and the commit, and the model's row total and flags) rather than
in Qt's key handling and the editor.

    python bench/score_grid.py [--entries 200]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QModelIndex, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from db.models import (  # noqa: E402
    AuditRecord,
    Score,
)
from db.session import open_database, sqlite_url  # noqa: E402
from ui.runner import TaskRunner  # noqa: E402
from ui.score_entry import Outcome, ScoreEntryWindow  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from score_entry import SEATS, build  # noqa: E402  (the same event as bench/score_entry.py)


def marks(entries: int, seed: int = 5) -> list[str]:
    """Plausible marks column by column: each entry's level plus a little per judge, one decimal."""
    rng = random.Random(seed)
    levels = [rng.uniform(55, 90) for _entry in range(entries)]
    return [
        f"{min(max(level + rng.gauss(0, 2.5), 0), 100):.1f}".removesuffix(".0")
        for _seat in range(SEATS)
        for level in levels
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=200)
    arguments = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="grid-bench-") as directory:
        database = open_database(sqlite_url(Path(directory) / "bench.sqlite3"))
        runner = TaskRunner(database)
        try:
            event_id, _component_id, _entry_ids = build(database, arguments.entries)
            parent = QWidget()
            window = ScoreEntryWindow.show_for(parent, runner, event_id)
            assert window is not None
            view = window.view
            view.setFocus()
            committing: list[float] = []
            commit = window.delegate._commit

            def timed_commit(index: QModelIndex, text: str) -> Outcome:
                started = time.perf_counter()
                try:
                    return commit(index, text)
                finally:
                    committing.append(time.perf_counter() - started)

            window.delegate._commit = timed_commit
            typed = marks(arguments.entries)
            per_score: list[float] = []
            started = time.perf_counter()
            for text in typed:
                before = time.perf_counter()
                QTest.keyClicks(view, text)
                QTest.keyClick(view, Qt.Key.Key_Return)
                per_score.append(time.perf_counter() - before)
            total = time.perf_counter() - started
            app.processEvents()
            with database.session() as session:
                count = session.scalar(select(func.count()).select_from(Score))
                audited = session.scalar(
                    select(func.count()).select_from(AuditRecord).where(AuditRecord.action == "score.enter")
                )
            assert count == len(typed) == audited, (count, audited, window.message.text())
            window.close()
        finally:
            runner.shutdown()
            database.close()
    per_ms = sorted(value * 1000 for value in per_score)
    commit_ms = [value * 1000 for value in committing]
    print(f"{len(typed)} scores keyed through the grid ({arguments.entries} entries × {SEATS} judges, "
          f"{sum(len(text) for text in typed) + len(typed)} key events) in {total:.2f} s")  # fmt: skip
    print(f"per score: mean {statistics.fmean(per_ms):.2f} ms, median {statistics.median(per_ms):.2f} ms, "
          f"p95 {per_ms[int(len(per_ms) * 0.95)]:.2f} ms; storing the cell (check, transaction with audit "
          f"record, row total and flags) median {statistics.median(commit_ms):.2f} ms "
          f"({sum(commit_ms) / sum(per_ms):.0%} of the time)")  # fmt: skip


if __name__ == "__main__":
    main()
