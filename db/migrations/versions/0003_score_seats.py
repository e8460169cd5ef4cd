"""scores.seat: the panel seat is the sheet's column; audit_log indexed for the viewer

A cell of the score sheet is (entry or team, component, aspect, seat, pass). Until now the
judge identified the column, which left no place for a seat whose judge is not yet named and
let a change of judge split one column in two. The judge who sat in the seat stays recorded.

Revision ID: 0003_score_seats
Revises: 0002_person_name_pinyin
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_score_seats"
down_revision: str | None = "0002_person_name_pinyin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("uq_scores_cell", table_name="scores")
    with op.batch_alter_table("scores") as batch:
        batch.add_column(
            sa.Column(
                "seat",
                sa.Integer(),
                nullable=False,
                server_default="1",
                comment="panel seat 1..n (the judge column of the sheet)",
            )
        )
        batch.create_check_constraint("seat_positive", "seat >= 1")
    _fill_seats()
    with op.batch_alter_table("scores") as batch:
        batch.alter_column("seat", server_default=None, existing_type=sa.Integer(), existing_nullable=False)
    op.create_index(
        "uq_scores_cell",
        "scores",
        [
            sa.text("coalesce(entry_id, 0)"),
            sa.text("coalesce(team_id, 0)"),
            "component_id",
            sa.text("coalesce(aspect_id, 0)"),
            "seat",
            "pass_no",
        ],
        unique=True,
    )
    with op.batch_alter_table("audit_log") as batch:
        batch.create_index(batch.f("ix_audit_log_at"), ["at"], unique=False)
        batch.create_index(batch.f("ix_audit_log_user_id"), ["user_id"], unique=False)


def _fill_seats() -> None:
    """Each judged mark takes its judge's seat on the component's panel (or, failing that, the
    judge's place among the cell's judges), so existing columns keep their order."""
    connection = op.get_bind()
    scores = sa.table(
        "scores",
        sa.column("id", sa.Integer),
        sa.column("entry_id", sa.Integer),
        sa.column("team_id", sa.Integer),
        sa.column("component_id", sa.Integer),
        sa.column("aspect_id", sa.Integer),
        sa.column("judge_id", sa.Integer),
        sa.column("pass_no", sa.Integer),
        sa.column("seat", sa.Integer),
    )
    assignments = sa.table(
        "judge_assignments",
        sa.column("judge_id", sa.Integer),
        sa.column("component_id", sa.Integer),
        sa.column("seat", sa.Integer),
    )
    seat_of = {
        (judge_id, component_id): seat
        for judge_id, component_id, seat in connection.execute(
            sa.select(assignments.c.judge_id, assignments.c.component_id, assignments.c.seat).where(
                assignments.c.seat.is_not(None), assignments.c.component_id.is_not(None)
            )
        )
    }
    rows = connection.execute(
        sa.select(
            scores.c.id,
            scores.c.entry_id,
            scores.c.team_id,
            scores.c.component_id,
            scores.c.aspect_id,
            scores.c.judge_id,
            scores.c.pass_no,
        )
        .where(scores.c.judge_id.is_not(None))
        .order_by(scores.c.judge_id, scores.c.id)
    ).all()
    cells: dict[tuple[object, ...], list[tuple[int, int, int]]] = {}
    for score_id, entry_id, team_id, component_id, aspect_id, judge_id, pass_no in rows:
        key = (entry_id, team_id, component_id, aspect_id, pass_no)
        cells.setdefault(key, []).append((score_id, judge_id, component_id))
    updates: list[dict[str, object]] = []
    for members in cells.values():
        wanted = [seat_of.get((judge_id, component_id)) for _id, judge_id, component_id in members]
        if None in wanted or len(set(wanted)) != len(wanted):
            wanted = list(range(1, len(members) + 1))
        updates.extend(
            {"score_id": score_id, "new_seat": seat}
            for (score_id, _judge, _component), seat in zip(members, wanted, strict=True)
            if seat != 1
        )
    if updates:
        connection.execute(
            scores.update().where(scores.c.id == sa.bindparam("score_id")).values(seat=sa.bindparam("new_seat")),
            updates,
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_index(batch.f("ix_audit_log_user_id"))
        batch.drop_index(batch.f("ix_audit_log_at"))
    op.drop_index("uq_scores_cell", table_name="scores")
    with op.batch_alter_table("scores") as batch:
        batch.drop_constraint("seat_positive", type_="check")
        batch.drop_column("seat")
    op.create_index(
        "uq_scores_cell",
        "scores",
        [
            sa.text("coalesce(entry_id, 0)"),
            sa.text("coalesce(team_id, 0)"),
            "component_id",
            sa.text("coalesce(judge_id, 0)"),
            sa.text("coalesce(aspect_id, 0)"),
            "pass_no",
        ],
        unique=True,
    )
