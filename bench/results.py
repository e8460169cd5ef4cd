"""Results for 100 events × 100 entries (theory + practical with 5 judges) as plain data.

Issue 3's figure: totals, ranks, awards, titles and promotion for the whole batch; target ≤ 0.2 s.
Run: python bench/results.py  (from the repo root, or via `python3 dev.py bench`)
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from competition_app.domain.enums import Level, PersonStatus, SkillLevel, TierClass
from competition_app.rules.engine import compute_event
from competition_app.rules.io import EntryInput, EventInput
from competition_app.rules.presets import load_preset

EVENTS, ENTRIES, JUDGES, RUNS = 100, 100, 5, 15


def make_events(seed: int = 2026) -> list[EventInput]:
    rng = random.Random(seed)

    def mark() -> Decimal:
        return Decimal(rng.randint(400, 1000)) / 10

    events = []
    for event_id in range(EVENTS):
        entries = tuple(
            EntryInput(
                entry_id=event_id * ENTRIES + number,
                name=f"选手{number:03d}",
                group="职工组" if number % 3 else "学生组",
                status=PersonStatus.WORKER if number % 3 else PersonStatus.STUDENT,
                birth_date=date(1990 + number % 15, 1 + number % 12, 1 + number % 28),
                marks={"理论知识": (mark(),), "技能操作": tuple(mark() for _ in range(JUDGES))},
                practical_seconds=Decimal(rng.randint(3000, 7200)),
                current_level=rng.choice([None, SkillLevel.LEVEL_4, SkillLevel.LEVEL_3, SkillLevel.LEVEL_2]),
            )
            for number in range(ENTRIES)
        )
        events.append(
            EventInput(
                event_id=event_id,
                name=f"赛项{event_id}",
                level=Level.MUNICIPAL,
                tier_class=TierClass.CLASS_1 if event_id % 5 == 0 else TierClass.CLASS_2,
                year=2026,
                competition_date=date(2026, 5, 20),
                entries=entries,
            )
        )
    return events


def main() -> None:
    events = make_events()
    rules = {TierClass.CLASS_1: load_preset("municipal_class_1_jining"),
             TierClass.CLASS_2: load_preset("municipal_class_2_jining")}  # fmt: skip
    timings = []
    for _ in range(RUNS):
        gc.collect()  # each run starts from the same heap, not the last run's garbage
        started = time.perf_counter()
        results = [compute_event(event, rules[event.tier_class]) for event in events]
        timings.append(time.perf_counter() - started)
    ranked = sum(1 for r in results for g in r.groups for e in g.entries if e.rank is not None)
    titled = sum(1 for r in results for g in r.groups for e in g.entries if e.titles)
    print(f"results for {EVENTS} events × {ENTRIES} entries (theory + practical, {JUDGES} judges): "
          f"{ranked} ranked, {titled} eligible for a title")  # fmt: skip
    print(f"median of {RUNS}: {statistics.median(timings):.3f} s (min {min(timings):.3f}, max {max(timings):.3f})"
          " — target ≤ 0.2 s")  # fmt: skip


if __name__ == "__main__":
    main()
