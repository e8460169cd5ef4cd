"""Who may do what: roles, their permissions, and the scope a role is held in.

Pure data and pure functions. The services ask :func:`allows` before they read or change
anything, so the CLI and any future client obey the same rules as the desktop app.

A role is held globally, for one competition, or for one event (``RoleGrant``). 裁判员 and
录分员 are normally granted per event: they see and edit only the events assigned to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from competition_app.domain.enums import Role
from competition_app.i18n import _


class Permission(StrEnum):
    MANAGE_USERS = "manage_users"
    """Create accounts, grant roles, reset passwords."""
    MANAGE_COMPETITIONS = "manage_competitions"
    """Competitions, events, groups, components, rule settings."""
    REGISTER = "register"
    """People, entries, teams, judges; the registration workbook."""
    DRAW = "draw"
    """Draw stations and anonymous codes."""
    REVEAL = "reveal"
    """解密: see who is behind an anonymous code before results are published."""
    VIEW_SCORES = "view_scores"
    ENTER_SCORES = "enter_scores"
    """Key marks (first or second pass), import a paper scores sheet."""
    VERIFY_SCORES = "verify_scores"
    """Read-back, resolve double-entry differences, mark a sheet 已复核."""
    LOCK_SHEETS = "lock_sheets"
    """裁判长签字锁定, and unlocking with a reason."""
    PUBLISH = "publish"
    """已公示: make a locked sheet public."""
    VIEW_AUDIT = "view_audit"


_PERMISSION_LABELS: dict[Permission, str] = {
    Permission.MANAGE_USERS: "管理用户",
    Permission.MANAGE_COMPETITIONS: "管理赛事与规则",
    Permission.REGISTER: "报名与裁判管理",
    Permission.DRAW: "抽签",
    Permission.REVEAL: "解密检录号",
    Permission.VIEW_SCORES: "查看成绩",
    Permission.ENTER_SCORES: "录入成绩",
    Permission.VERIFY_SCORES: "复核成绩",
    Permission.LOCK_SHEETS: "签字锁定与解锁",
    Permission.PUBLISH: "公示成绩",
    Permission.VIEW_AUDIT: "查看审计日志",
}


def permission_label(permission: Permission) -> str:
    return _(_PERMISSION_LABELS[permission])


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.ORGANISER: frozenset(
        {
            Permission.MANAGE_COMPETITIONS,
            Permission.REGISTER,
            Permission.DRAW,
            Permission.VIEW_SCORES,
            Permission.PUBLISH,
            Permission.VIEW_AUDIT,
        }
    ),
    Role.CHIEF_JUDGE: frozenset(
        {
            Permission.REVEAL,
            Permission.VIEW_SCORES,
            Permission.ENTER_SCORES,
            Permission.VERIFY_SCORES,
            Permission.LOCK_SHEETS,
            Permission.PUBLISH,
            Permission.VIEW_AUDIT,
        }
    ),
    Role.JUDGE: frozenset({Permission.VIEW_SCORES, Permission.ENTER_SCORES, Permission.VERIFY_SCORES}),
    Role.CLERK: frozenset({Permission.VIEW_SCORES, Permission.ENTER_SCORES, Permission.VERIFY_SCORES}),
}
"""What each role may do within its scope. Only 管理员 manages users."""


@dataclass(frozen=True, slots=True)
class RoleGrant:
    """One role held by a user: everywhere (both ids None), in a competition, or in one event."""

    role: Role
    competition_id: int | None = None
    event_id: int | None = None

    @property
    def is_global(self) -> bool:
        return self.competition_id is None and self.event_id is None

    def covers(self, competition_id: int | None, event_id: int | None) -> bool:
        """Whether this grant reaches the given place (None = "no particular one")."""
        if self.is_global:
            return True
        if self.event_id is not None:
            return event_id == self.event_id
        return competition_id == self.competition_id


@dataclass(frozen=True, slots=True)
class Place:
    """Where an action happens. The event's competition must be filled in with the event."""

    competition_id: int | None = None
    event_id: int | None = None


EVERYWHERE = Place()


def allows(grants: tuple[RoleGrant, ...], permission: Permission, place: Place = EVERYWHERE) -> bool:
    """Whether any grant gives ``permission`` at ``place``.

    A place with no competition and no event ("anywhere at all") is reached only by global grants,
    except that it is enough to hold the permission *somewhere* for listing purposes — see
    :func:`holds_anywhere`.
    """
    return any(
        permission in ROLE_PERMISSIONS[grant.role] and grant.covers(place.competition_id, place.event_id)
        for grant in grants
    )


def holds_anywhere(grants: tuple[RoleGrant, ...], permission: Permission) -> bool:
    """Whether ``permission`` is held in at least one place (to show a menu item at all)."""
    return any(permission in ROLE_PERMISSIONS[grant.role] for grant in grants)


def sees_everything(grants: tuple[RoleGrant, ...]) -> bool:
    """管理员 and global 赛务 see every competition; everybody else only where they hold a role."""
    return any(grant.is_global and grant.role in (Role.ADMIN, Role.ORGANISER) for grant in grants)


def visible_scope(grants: tuple[RoleGrant, ...]) -> tuple[frozenset[int], frozenset[int]] | None:
    """The competitions and events a user may see, or None for "all of them"."""
    if any(grant.is_global for grant in grants):
        return None
    competitions = frozenset(grant.competition_id for grant in grants if grant.competition_id is not None)
    events = frozenset(grant.event_id for grant in grants if grant.event_id is not None)
    return competitions, events
