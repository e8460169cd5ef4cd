"""Schema migrations, applied automatically when a database is opened.

Alembic is imported only when the schema is behind: opening an up-to-date database costs
one query, which keeps the app's start-up fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

# The newest revision in db/migrations/versions; a test checks it is Alembic's head.
HEAD_REVISION = "0003_score_seats"


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer version of the program."""


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "db:migrations")
    return config


def current_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()


def upgrade(engine: Engine) -> None:
    """Bring the schema at ``engine`` to the newest revision, in one transaction."""
    with engine.connect() as connection:
        if current_revision(connection) == HEAD_REVISION:
            return
    from alembic import command
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    config = alembic_config()
    with engine.begin() as connection:
        found = current_revision(connection)
        known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
        if found is not None and found not in known:
            raise SchemaTooNewError(f"数据库的结构版本 {found} 比本程序新，请升级程序后再打开此数据库。")
        config.attributes["connection"] = connection
        try:
            command.upgrade(config, "head")
        except CommandError as error:  # pragma: no cover - a broken install, not user data
            raise RuntimeError(f"数据库结构升级失败：{error}") from error
