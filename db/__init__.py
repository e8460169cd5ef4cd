"""The data layer: SQLAlchemy models, engines and sessions, Alembic migrations. No Qt."""
