"""people.name_pinyin: the pinyin search key of each name (张三 → "zhangsan zs")

Revision ID: 0002_person_name_pinyin
Revises: 0001_initial
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_person_name_pinyin"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("name_pinyin", sa.String(length=400), server_default="", nullable=False))
    # Fill the key for people stored before this revision.
    from competition_app.domain.pinyin import name_search_key

    connection = op.get_bind()
    people = sa.table(
        "people", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("name_pinyin", sa.String)
    )
    rows = connection.execute(sa.select(people.c.id, people.c.name)).all()
    if rows:
        connection.execute(
            people.update().where(people.c.id == sa.bindparam("person_id")).values(name_pinyin=sa.bindparam("key")),
            [{"person_id": person_id, "key": name_search_key(name)} for person_id, name in rows],
        )


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("name_pinyin")
