"""Python's cyclic garbage collector runs on the main (GUI) thread only.

Left to itself, the collector runs in whichever thread happens to allocate when a generation
fills up — often the runner's worker thread, busy building thousands of ORM objects. If the
garbage then holds a Qt object (a dialog or model kept alive by a reference cycle), its C++
destructor runs on the worker thread: it takes Qt's signal/slot lock and then waits for the
GIL, while the main thread holds the GIL and waits for that lock in ``QObject::connect``. Both
threads wait forever. We saw exactly this: the main thread constructing a ``QProgressDialog``,
the worker in ``gc_collect_main → QObject::~QObject → GilState``.

So automatic collection is switched off once the first runner exists, and a timer on the
main thread collects instead, generation by generation, when the allocation counts pass the
collector's own thresholds (the recipe Anki and other PyQt applications use).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

INTERVAL_MS = 500

_installed: list[MainThreadCollector] = []


class MainThreadCollector(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(INTERVAL_MS)

    def check(self) -> None:
        """Collect the generations whose counts are over their thresholds, as gc itself would."""
        counts = gc.get_count()
        if counts[0] > self.thresholds[0]:
            generation = 0
            if counts[1] > self.thresholds[1]:
                generation = 2 if counts[2] > self.thresholds[2] else 1
            gc.collect(generation)


def collect_garbage_on_main_thread() -> None:
    """Install the collector once per application (a no-op without a QCoreApplication)."""
    app = QCoreApplication.instance()
    if app is None or _installed:
        return
    collector = MainThreadCollector(app)
    _installed.append(collector)
    collector.destroyed.connect(_forget)


def _forget() -> None:
    _installed.clear()
    gc.enable()
