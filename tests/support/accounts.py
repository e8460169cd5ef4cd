"""Accounts for tests: users with roles, without paying argon2 for each one."""

from __future__ import annotations

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from competition_app.domain.enums import Role
from competition_app.domain.permissions import RoleGrant
from competition_app.services.auth import Actor, act_as, actor_for
from db.models import User, UserRole

CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
"""Still argon2id, with parameters that take a millisecond: the logic under test is the same.

Tests that log in through ``services.auth`` patch it in: ``monkeypatch.setattr(auth, "_hasher", CHEAP_HASHER)``.
"""


def make_user(
    session: Session,
    username: str,
    role: Role,
    *,
    event_id: int | None = None,
    competition_id: int | None = None,
    display_name: str | None = None,
    password_hash: str | None = None,
) -> Actor:
    """A user with one role (global, or scoped to a competition or event); returns their actor.

    The password hash is empty unless given: such a user cannot log in, which service tests
    do not need (they act through :func:`act_as`).
    """
    user = User(username=username, display_name=display_name or username, password_hash=password_hash)
    user.roles = [UserRole(role=role, competition_id=competition_id, event_id=event_id)]
    session.add(user)
    session.flush()
    return actor_for(user)


def grant(actor: Actor, role: Role, *, event_id: int | None = None, competition_id: int | None = None) -> Actor:
    """The same actor with one more grant (the database is not changed)."""
    return Actor(
        actor.user_id, actor.username, actor.display_name, (*actor.grants, RoleGrant(role, competition_id, event_id))
    )


def acting(session: Session, actor: Actor) -> Actor:
    act_as(session, actor)
    return actor
