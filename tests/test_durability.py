"""Every committed score survives the app being killed at any moment (SIGKILL, SQLite file)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from competition_app.domain.marks import plain
from competition_app.services import audit
from db.models import AuditRecord, Score
from db.session import Database
from tests.support.scoring import scored_event

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 3


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_scores_survive_sigkill_at_a_random_moment(sqlite_database: Database) -> None:
    with sqlite_database.transaction() as session:
        built = scored_event(session, double_entry=False)
        component_id, user_id = built.practical.id, built.clerk.user_id
    seed = random.SystemRandom().randrange(1 << 30)
    rng = random.Random(seed)
    reported: list[tuple[int, int, Decimal]] = []
    for _round in range(ROUNDS):
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.support.score_writer", sqlite_database.url, str(component_id), str(user_id)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert child.stdout is not None
        wanted = rng.randint(3, 40)
        try:
            for _line in range(wanted):
                line = child.stdout.readline()
                assert line, f"writer ended early (seed {seed}): {child.stderr.read() if child.stderr else ''}"
                score_id, version, value = line.split()
                reported.append((int(score_id), int(version), Decimal(value)))
        finally:
            child.send_signal(signal.SIGKILL)
            child.communicate()
        assert child.returncode == -signal.SIGKILL
    assert len(reported) >= ROUNDS * 3

    with sqlite_database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    with sqlite_database.session() as session:
        assert audit.first_broken_link(session) is None
        stored = {score.id: score for score in session.scalars(select(Score))}
        changes: dict[int, list[str]] = defaultdict(list)
        for record in session.scalars(select(AuditRecord).where(AuditRecord.entity_type == "score")):
            assert record.entity_id is not None and record.new_value is not None
            changes[record.entity_id].append(record.new_value["value"])
        for score_id, version, value in reported:
            assert score_id in stored, f"score {score_id} reported committed but lost (seed {seed})"
            score = stored[score_id]
            # The writer may have committed once more after its last line was read, never less.
            assert score.version >= version, (seed, score_id)
            if score.version == version:
                assert score.value == value, (seed, score_id)
            assert len(changes[score_id]) >= version, f"audit records missing for score {score_id} (seed {seed})"
            assert plain(value) in changes[score_id], (seed, score_id)
