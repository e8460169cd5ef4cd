"""A score clerk who never stops: keys every cell of one sheet, round after round, one
transaction per cell, and prints ``score_id version value`` after each commit (flushed).

Run by tests/test_durability.py, which kills it with SIGKILL at a random moment:

    python -m tests.support.score_writer DATABASE_URL COMPONENT_ID USER_ID
"""

from __future__ import annotations

import sys

from sqlalchemy.orm import selectinload

from competition_app.domain.marks import plain
from competition_app.services.auth import actor_for
from competition_app.services.scores import CellRef, enter_score, load_sheet
from db.models import Component, User
from db.session import open_database


def main(argv: list[str]) -> int:
    url, component_id, user_id = argv[1], int(argv[2]), int(argv[3])
    database = open_database(url)
    with database.session() as session:
        user = session.get_one(User, user_id, options=[selectinload(User.roles)])
        database.info["actor"] = actor_for(user)
    with database.session() as session:
        event_id = session.get_one(Component, component_id).event_id
        sheet = load_sheet(session, event_id, component_id)
    cells = [
        (CellRef(component_id, row.entry_id, row.team_id, column.aspect_id, column.seat), (r, c))
        for r, row in enumerate(sheet.rows)
        if row.markable
        for c, column in enumerate(sheet.columns)
    ]
    versions = {key: sheet.cells[key].version for _ref, key in cells if key in sheet.cells}
    number = 0
    while True:
        for ref, key in cells:
            number += 1
            with database.transaction() as session:
                cell = enter_score(session, ref, str(50 + number % 50), expected_version=versions.get(key))
            versions[key] = cell.version
            print(f"{cell.score_id} {cell.version} {plain(cell.value)}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
