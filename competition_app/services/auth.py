"""Accounts, login and the permission check every service makes.

Who is acting travels with the SQLAlchemy session: ``session.info["actor"]`` (see
:func:`act_as`). A database opened by the app carries the logged-in user into every session
it makes (``Database.info``), so a service never takes a "who" argument it could be handed
wrongly. Services call :func:`require` before they read or change anything guarded.

Until the first account exists the database is in **set-up mode**: there is nobody to keep
out, so a missing actor acts as the set-up administrator. The desktop app leaves set-up mode
at once by asking for an administrator account on first run; the CLI can do the same with
``competition-app user create-admin``. Once any account exists, a session without a logged-in
actor is refused.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's low-memory profile).
After :data:`FREE_FAILURES` wrong passwords in a row an account is held for a time that
doubles with each further failure (:func:`hold_after`), so guessing is slowed down to a crawl
while a judge who mistypes three times waits seconds, not hours.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload

from competition_app.domain.enums import Role
from competition_app.domain.permissions import (
    EVERYWHERE,
    ROLE_PERMISSIONS,
    Permission,
    Place,
    RoleGrant,
    allows,
    permission_label,
    sees_everything,
    visible_scope,
)
from competition_app.i18n import _
from competition_app.services import audit
from db.models import Event, User, UserRole
from db.types import utcnow

ACTOR_KEY = "actor"
FREE_FAILURES = 3
"""Wrong passwords allowed in a row before the account is held."""
FIRST_HOLD = timedelta(seconds=5)
LONGEST_HOLD = timedelta(minutes=5)
MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()
_USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{2,40}$")


class AuthError(Exception):
    """Base of the errors below; the message is Chinese and says what to do."""


class PermissionDenied(AuthError):
    pass


class NotLoggedIn(AuthError):
    pass


class LoginFailed(AuthError):
    pass


class AccountError(AuthError):
    """An account cannot be created or changed as asked (bad name, weak password, …)."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a logged-in user with their role grants (as read at login)."""

    user_id: int | None
    username: str
    display_name: str
    grants: tuple[RoleGrant, ...] = field(default=())

    @property
    def describe(self) -> str:
        roles = "、".join(dict.fromkeys(grant.role.label for grant in self.grants)) or _("无角色")
        return _("{name}（{roles}）").format(name=self.display_name, roles=roles)

    def can(self, permission: Permission, place: Place = EVERYWHERE) -> bool:
        return allows(self.grants, permission, place)

    @property
    def sees_everything(self) -> bool:
        return sees_everything(self.grants)


SETUP_ACTOR = Actor(None, "setup", _("（尚未设置账户）"), (RoleGrant(Role.ADMIN),))
"""Acts while the database has no accounts at all (set-up mode)."""


# --- who is acting --------------------------------------------------------------------------


def act_as(session: Session, actor: Actor | None) -> Session:
    """Make ``actor`` the one acting in ``session`` (None: nobody); returns the session."""
    if actor is None:
        session.info.pop(ACTOR_KEY, None)
    else:
        session.info[ACTOR_KEY] = actor
    return session


def has_accounts(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(User.id.is_not(None)))))


def current_actor(session: Session) -> Actor:
    """The actor of ``session``; the set-up administrator while no account exists."""
    actor = session.info.get(ACTOR_KEY)
    if isinstance(actor, Actor):
        return actor
    if not has_accounts(session):
        return SETUP_ACTOR
    raise NotLoggedIn(_("请先登录：本数据库已设置用户账户"))


def event_place(session: Session, event_id: int) -> Place:
    """The place of one event (with its competition, so competition-wide grants reach it)."""
    competition_id = session.scalar(select(Event.competition_id).where(Event.id == event_id))
    if competition_id is None:
        raise PermissionDenied(_("赛项不存在：{id}").format(id=event_id))
    return Place(competition_id, event_id)


def require(
    session: Session,
    permission: Permission,
    *,
    event_id: int | None = None,
    competition_id: int | None = None,
) -> Actor:
    """The acting user if they hold ``permission`` for the event (or competition); else raise.

    Raises ``PermissionDenied`` with a message naming the user, the permission and the place.
    """
    actor = current_actor(session)
    if event_id is not None:
        place = event_place(session, event_id)
    elif competition_id is not None:
        place = Place(competition_id, None)
    else:
        place = EVERYWHERE
    if actor.can(permission, place):
        return actor
    raise PermissionDenied(_denied(session, actor, permission, place))


def _denied(session: Session, actor: Actor, permission: Permission | tuple[Permission, ...], place: Place) -> str:
    permissions = (permission,) if isinstance(permission, Permission) else permission
    where = ""
    if place.event_id is not None:
        name = session.scalar(select(Event.name).where(Event.id == place.event_id))
        where = _("在“{event}”赛项").format(event=name)
    elif place.competition_id is not None:
        where = _("在本赛事")
    return _("{who}没有{where}{permission}的权限").format(
        who=actor.describe, where=where, permission=_("或").join(permission_label(p) for p in permissions)
    )


def visible_event_ids(session: Session, actor: Actor | None = None) -> frozenset[int] | None:
    """The events the actor may see, or None for every event."""
    actor = actor or current_actor(session)
    scope = visible_scope(actor.grants)
    if scope is None:
        return None
    competitions, events = scope
    if competitions:
        events = events | frozenset(
            session.scalars(select(Event.id).where(Event.competition_id.in_(competitions))).all()
        )
    return events


def require_any(
    session: Session,
    *permissions: Permission,
    event_id: int | None = None,
    competition_id: int | None = None,
) -> Actor:
    """Like :func:`require`, for an action that any one of ``permissions`` allows."""
    actor = current_actor(session)
    place = event_place(session, event_id) if event_id is not None else Place(competition_id, None)
    if any(actor.can(permission, place) for permission in permissions):
        return actor
    raise PermissionDenied(_denied(session, actor, permissions, place))


def permitted_event_ids(
    session: Session, *permissions: Permission, competition_id: int | None = None
) -> frozenset[int] | None:
    """The events where the actor holds any of ``permissions`` (of ``competition_id`` only, if given).

    None means no restriction: a global grant, or a grant for the whole of ``competition_id``.
    Lists use it to show a scoped user only their own events.
    """
    actor = current_actor(session)
    relevant = tuple(g for g in actor.grants if any(p in ROLE_PERMISSIONS[g.role] for p in permissions))
    scope = visible_scope(relevant)
    if scope is None:
        return None
    competitions, events = scope
    if competition_id is not None and competition_id in competitions:
        return None
    if competitions:
        events = events | frozenset(
            session.scalars(select(Event.id).where(Event.competition_id.in_(competitions))).all()
        )
    if competition_id is not None and events:
        events = frozenset(
            session.scalars(select(Event.id).where(Event.competition_id == competition_id, Event.id.in_(events)))
        )
    return events


def visible_competition_ids(session: Session) -> frozenset[int] | None:
    """The competitions the actor may see (those of their events too), or None for every one."""
    scope = visible_scope(current_actor(session).grants)
    if scope is None:
        return None
    competitions, events = scope
    if events:
        competitions = competitions | frozenset(
            session.scalars(select(Event.competition_id).where(Event.id.in_(events))).all()
        )
    return competitions


def audit_who(session: Session, username: str | None = None) -> dict[str, Any]:
    """Who an audit record names: the logged-in actor; without one (set-up mode, scripts) ``username``."""
    actor = session.info.get(ACTOR_KEY)
    if isinstance(actor, Actor):
        return {"user_id": actor.user_id, "username": actor.username}
    return {"user_id": None, "username": username}


# --- passwords and login --------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str, username: str = "") -> None:
    """Raise ``AccountError`` for a password that is too short or just the username."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("密码至少需要 {count} 个字符").format(count=MIN_PASSWORD_LENGTH))
    if username and password.casefold() == username.casefold():
        raise AccountError(_("密码不能与用户名相同"))
    if len(set(password)) < 3:
        raise AccountError(_("密码过于简单：请不要只用一两个重复的字符"))


def hold_after(failures: int) -> timedelta:
    """How long an account is held after ``failures`` wrong passwords in a row."""
    if failures <= FREE_FAILURES:
        return timedelta(0)
    # Past the cap the power only grows, and from about 2**31 timedelta overflows: stop doubling early.
    doublings = min(failures - FREE_FAILURES - 1, 20)
    hold: timedelta = FIRST_HOLD * 2**doublings
    return min(hold, LONGEST_HOLD)


# Checked against when the username is unknown, so the answer takes as long as for a real one.
# A fixed hash with argon2-cffi's default parameters: hashing at import would add ~0.1 s to every start.
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$W3CTsI5xBxE/9O9spBHRtA$+YluOLEzelkVBHX54yQaEADByfX2AiiEPnBsrJTPisE"


@dataclass(frozen=True, slots=True)
class LoginOutcome:
    """A login attempt: the actor on success, else the reason (Chinese) and any wait."""

    actor: Actor | None
    message: str = ""
    retry_after: timedelta = timedelta(0)


def login(session: Session, username: str, password: str, *, now: datetime | None = None) -> LoginOutcome:
    """Check a password and return the actor, recording failures (the caller commits either way).

    A wrong password and an unknown username get the same answer. While an account is held
    the password is not even checked, so guessing gains nothing by hammering.
    """
    now = now or utcnow()
    name = normalise_username(username)
    user = session.scalar(select(User).where(User.username == name).options(selectinload(User.roles)))
    if user is None or user.password_hash is None:
        _verify(_DUMMY_HASH, password)
        return LoginOutcome(None, _("用户名或密码错误"))
    if user.locked_until is not None and user.locked_until > now:
        wait = user.locked_until - now
        return LoginOutcome(None, _held_message(wait), wait)
    if not _verify(user.password_hash, password):
        user.failed_logins += 1
        hold = hold_after(user.failed_logins)
        user.locked_until = now + hold if hold else None
        audit.append(
            session,
            action="user.login_failed",
            entity_type="user",
            entity_id=user.id,
            new_value={"failed_logins": user.failed_logins},
            user_id=user.id,
            username=user.username,
        )
        if hold:
            return LoginOutcome(None, _("用户名或密码错误。") + _held_message(hold), hold)
        return LoginOutcome(None, _("用户名或密码错误"))
    if not user.is_active:
        return LoginOutcome(None, _("账户“{name}”已停用，请联系管理员").format(name=user.username))
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    actor = actor_for(user)
    audit.append(session, action="user.login", entity_type="user", entity_id=user.id,
                 user_id=user.id, username=user.username)  # fmt: skip
    return LoginOutcome(actor)


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _held_message(wait: timedelta) -> str:
    seconds = max(1, int(wait.total_seconds() + 0.999))
    return _("连续输错密码次数过多，请在 {seconds} 秒后再试").format(seconds=seconds)


def actor_for(user: User) -> Actor:
    grants = tuple(RoleGrant(role.role, role.competition_id, role.event_id) for role in user.roles)
    return Actor(user.id, user.username, user.display_name, grants)


def reload_actor(session: Session, actor: Actor) -> Actor:
    """The actor with the grants the database holds now (after an administrator changed them)."""
    if actor.user_id is None:
        return actor
    user = session.get(User, actor.user_id, options=[selectinload(User.roles)])
    if user is None or not user.is_active:
        raise NotLoggedIn(_("账户已删除或停用，请重新登录"))
    return actor_for(user)


# --- accounts -------------------------------------------------------------------------------


def normalise_username(username: str) -> str:
    return unicodedata.normalize("NFKC", username).strip().lower()


@dataclass(frozen=True, slots=True)
class AccountInput:
    username: str
    display_name: str
    password: str
    grants: tuple[RoleGrant, ...] = ()


@dataclass(frozen=True, slots=True)
class AccountRow:
    id: int
    username: str
    display_name: str
    is_active: bool
    grants: tuple[RoleGrant, ...]
    last_login_at: datetime | None
    held_until: datetime | None


def _check_username(session: Session, username: str, *, except_id: int | None = None) -> str:
    name = normalise_username(username)
    if not _USERNAME.match(name):
        raise AccountError(_("用户名应为 2–40 个英文字母、数字或 _ . -：“{name}”").format(name=username))
    taken = session.scalar(select(User.id).where(User.username == name))
    if taken is not None and taken != except_id:
        raise AccountError(_("用户名“{name}”已被使用").format(name=name))
    return name


def _new_user(session: Session, account: AccountInput) -> User:
    name = _check_username(session, account.username)
    display = account.display_name.strip() or name
    check_password_strength(account.password, name)
    user = User(username=name, display_name=display, password_hash=hash_password(account.password))
    user.roles = [UserRole(role=g.role, competition_id=g.competition_id, event_id=g.event_id) for g in account.grants]
    session.add(user)
    session.flush()
    return user


def _grants_value(grants: tuple[RoleGrant, ...]) -> list[dict[str, Any]]:
    return [{"role": g.role.value, "competition_id": g.competition_id, "event_id": g.event_id} for g in grants]


def create_first_admin(session: Session, username: str, display_name: str, password: str) -> Actor:
    """The first account, an administrator; refused once any account exists."""
    if has_accounts(session):
        raise AccountError(_("已有用户账户：请由管理员登录后新建账户"))
    user = _new_user(session, AccountInput(username, display_name, password, (RoleGrant(Role.ADMIN),)))
    actor = actor_for(user)
    audit.append(session, action="user.create", entity_type="user", entity_id=user.id,
                 new_value={"username": user.username, "display_name": user.display_name,
                            "grants": _grants_value(actor.grants)},
                 reason=_("首次运行：创建管理员账户"), user_id=user.id, username=user.username)  # fmt: skip
    return actor


def create_user(session: Session, account: AccountInput) -> int:
    """A new account (管理员 only)."""
    require(session, Permission.MANAGE_USERS)
    if not has_accounts(session) and not any(g.role is Role.ADMIN and g.is_global for g in account.grants):
        # Set-up mode: a first account without 管理员 would leave nobody able to manage users.
        raise AccountError(_("第一个账户必须是管理员：请先创建管理员账户"))
    user = _new_user(session, account)
    audit.append(session, action="user.create", entity_type="user", entity_id=user.id,
                 new_value={"username": user.username, "display_name": user.display_name,
                            "grants": _grants_value(account.grants)}, **_who(session))  # fmt: skip
    return user.id


def _who(session: Session) -> dict[str, Any]:
    actor = current_actor(session)
    return {"user_id": actor.user_id, "username": actor.username}


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id, options=[selectinload(User.roles)])
    if user is None:
        raise AccountError(_("用户不存在：{id}").format(id=user_id))
    return user


def set_grants(session: Session, user_id: int, grants: tuple[RoleGrant, ...]) -> None:
    """Replace an account's roles (管理员 only). The last active administrator keeps theirs."""
    require(session, Permission.MANAGE_USERS)
    user = _user(session, user_id)
    old = actor_for(user).grants
    if any(g.role is Role.ADMIN and g.is_global for g in old) and not any(
        g.role is Role.ADMIN and g.is_global for g in grants
    ):
        _keep_an_admin(session, user_id)
    user.roles = [UserRole(role=g.role, competition_id=g.competition_id, event_id=g.event_id) for g in grants]
    session.flush()
    audit.append(session, action="user.grants", entity_type="user", entity_id=user.id,
                 old_value={"grants": _grants_value(old)}, new_value={"grants": _grants_value(grants)},
                 **_who(session))  # fmt: skip


def _keep_an_admin(session: Session, leaving_id: int) -> None:
    others = session.scalar(
        select(func.count(func.distinct(UserRole.user_id)))
        .join(User, User.id == UserRole.user_id)
        .where(
            UserRole.role == Role.ADMIN,
            UserRole.competition_id.is_(None),
            UserRole.event_id.is_(None),
            User.is_active.is_(True),
            User.id != leaving_id,
        )
    )
    if not others:
        raise AccountError(_("至少要保留一名可用的管理员"))


def set_active(session: Session, user_id: int, active: bool, *, reason: str | None = None) -> None:
    require(session, Permission.MANAGE_USERS)
    user = _user(session, user_id)
    if not active:
        _keep_an_admin(session, user_id)
    old = user.is_active
    user.is_active = active
    audit.append(session, action="user.activate" if active else "user.deactivate", entity_type="user",
                 entity_id=user.id, old_value={"is_active": old}, new_value={"is_active": active},
                 reason=reason, **_who(session))  # fmt: skip


def reset_password(session: Session, user_id: int, new_password: str) -> None:
    """An administrator sets a new password (and lifts any hold)."""
    require(session, Permission.MANAGE_USERS)
    user = _user(session, user_id)
    check_password_strength(new_password, user.username)
    user.password_hash = hash_password(new_password)
    user.failed_logins = 0
    user.locked_until = None
    audit.append(session, action="user.reset_password", entity_type="user", entity_id=user.id, **_who(session))


def change_own_password(session: Session, old_password: str, new_password: str) -> None:
    actor = current_actor(session)
    if actor.user_id is None:
        raise AccountError(_("请先登录"))
    user = _user(session, actor.user_id)
    if user.password_hash is None or not _verify(user.password_hash, old_password):
        raise AccountError(_("原密码不正确"))
    check_password_strength(new_password, user.username)
    user.password_hash = hash_password(new_password)
    audit.append(session, action="user.change_password", entity_type="user", entity_id=user.id, **_who(session))


def list_accounts(session: Session) -> tuple[AccountRow, ...]:
    require(session, Permission.MANAGE_USERS)
    users = session.scalars(select(User).options(selectinload(User.roles)).order_by(User.username))
    return tuple(
        AccountRow(
            user.id,
            user.username,
            user.display_name,
            user.is_active,
            actor_for(user).grants,
            user.last_login_at,
            user.locked_until,
        )
        for user in users
    )
