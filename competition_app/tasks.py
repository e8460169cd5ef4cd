"""Progress, cancellation and change notices for long work — the Qt-free half of the runner.

Services that take a while accept a ``Progress``; they report how far they are and call
``check()`` between steps, which raises ``Cancelled`` once the user asked to stop. The UI's
background runner turns reports into a progress dialog and ``Change`` topics into refreshes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from enum import StrEnum


class Cancelled(Exception):
    """The user cancelled; the surrounding transaction is rolled back, nothing is half-written."""


class Change(StrEnum):
    """What a finished operation changed, so views know whether to refresh."""

    COMPETITIONS = "competitions"
    EVENTS = "events"
    PEOPLE = "people"
    ENTRIES = "entries"
    SCORES = "scores"
    RESULTS = "results"
    CERTIFICATES = "certificates"
    SETTINGS = "settings"


ProgressCallback = Callable[[int, int, str], None]


class Progress:
    """Thread-safe progress reporting and a cancel flag shared by a worker and the UI."""

    def __init__(self, on_report: ProgressCallback | None = None) -> None:
        self._on_report = on_report
        self._cancel = threading.Event()

    def report(self, done: int, total: int, text: str = "") -> None:
        """Say how far the work is (``total`` 0 means unknown) and stop if cancelled."""
        self.check()
        if self._on_report is not None:
            self._on_report(done, total, text)

    def check(self) -> None:
        """Raise ``Cancelled`` if cancellation was requested."""
        if self._cancel.is_set():
            raise Cancelled

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()


NO_PROGRESS = Progress()
