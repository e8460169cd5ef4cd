"""Cold start: from spawning a fresh Python process to a painted main window on a demo database.

Builds a demo SQLite database once, then starts the app RUNS times in new processes with
COMPETITION_APP_EXIT_WHEN_SHOWN=1 (the app prints ``shown`` once its window is painted, then
exits) and QT_QPA_PLATFORM=offscreen, timing spawn → ``shown``. For comparison it also times a
process that only imports PySide6.QtWidgets, the floor no Qt app can go below.

    python bench/startup.py            # target: median ≤ 1.0 s on a 2-core machine
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from competition_app.services.demo import create_demo  # noqa: E402
from db.session import open_database, sqlite_url  # noqa: E402

RUNS = 7
TARGET_S = 1.0
TIMEOUT_S = 60


def _environment() -> dict[str, str]:
    environment = dict(os.environ)
    environment["QT_QPA_PLATFORM"] = "offscreen"
    environment["COMPETITION_APP_EXIT_WHEN_SHOWN"] = "1"
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environment.get("PYTHONPATH")]))
    # Keep the user's window settings out of it (and the run from reading them).
    environment["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="startup-bench-config-")
    return environment


def make_demo_database(directory: Path) -> Path:
    path = directory / "demo.sqlite3"
    database = open_database(sqlite_url(path))
    try:
        with database.transaction() as session:
            create_demo(session)
    finally:
        database.close()
    return path


def time_until_shown(database: Path, environment: dict[str, str]) -> float:
    """Seconds from spawning the app to the ``shown`` line on its stdout."""
    command = [sys.executable, "-c", "from ui.entry import main; raise SystemExit(main())", "--db", str(database)]
    started = time.perf_counter()
    with subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if line.strip() == "shown":
                elapsed = time.perf_counter() - started
                break
        else:
            _stdout, stderr = process.communicate(timeout=TIMEOUT_S)
            raise RuntimeError(f"the app exited with {process.returncode} without showing its window:\n{stderr}")
        _stdout, stderr = process.communicate(timeout=TIMEOUT_S)
    if process.returncode != 0:
        raise RuntimeError(f"the app exited with {process.returncode}:\n{stderr}")
    return elapsed


def time_qt_import(environment: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import PySide6.QtWidgets"], env=environment, check=True, timeout=TIMEOUT_S)
    return time.perf_counter() - started


def main() -> None:
    environment = _environment()
    with tempfile.TemporaryDirectory(prefix="startup-bench-") as directory:
        database = make_demo_database(Path(directory))
        time_until_shown(database, environment)  # warm the OS file cache, as a second start would be
        runs = []
        for run in range(1, RUNS + 1):
            seconds = time_until_shown(database, environment)
            runs.append(seconds)
            print(f"run {run}: {seconds:.3f} s to a shown main window", flush=True)
    qt_only = [time_qt_import(environment) for _ in range(3)]
    median = statistics.median(runs)
    verdict = "within" if median <= TARGET_S else "OVER"
    print(
        f"start-up to shown main window, median of {RUNS}: {median:.3f} s "
        f"(min {min(runs):.3f}, max {max(runs):.3f}) — {verdict} the {TARGET_S:.1f} s target"
    )
    print(f"python -c 'import PySide6.QtWidgets' alone, median of 3: {statistics.median(qt_only):.3f} s")


if __name__ == "__main__":
    main()
