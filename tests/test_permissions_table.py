"""The role ↔ permission matrix, pinned: changing who may do what must change this test too."""

from __future__ import annotations

import pytest

from competition_app.domain.enums import Role
from competition_app.domain.permissions import (
    EVERYWHERE,
    ROLE_PERMISSIONS,
    Permission,
    Place,
    RoleGrant,
    allows,
    holds_anywhere,
    permission_label,
    sees_everything,
    visible_scope,
)

P = Permission
EXPECTED: dict[Role, set[Permission]] = {
    Role.ADMIN: set(Permission),
    Role.ORGANISER: {P.MANAGE_COMPETITIONS, P.REGISTER, P.DRAW, P.VIEW_SCORES, P.PUBLISH, P.VIEW_AUDIT},
    Role.CHIEF_JUDGE: {
        P.REVEAL,
        P.VIEW_SCORES,
        P.ENTER_SCORES,
        P.VERIFY_SCORES,
        P.LOCK_SHEETS,
        P.PUBLISH,
        P.VIEW_AUDIT,
    },
    Role.JUDGE: {P.VIEW_SCORES, P.ENTER_SCORES, P.VERIFY_SCORES},
    Role.CLERK: {P.VIEW_SCORES, P.ENTER_SCORES, P.VERIFY_SCORES},
}


def test_the_matrix_is_exactly_this() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert {role: set(permissions) for role, permissions in ROLE_PERMISSIONS.items()} == EXPECTED


def test_the_administrator_may_do_everything_and_alone_manages_users() -> None:
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    assert [role for role in Role if P.MANAGE_USERS in ROLE_PERMISSIONS[role]] == [Role.ADMIN]


@pytest.mark.parametrize("role", [Role.JUDGE, Role.CLERK])
@pytest.mark.parametrize(
    "permission", [P.LOCK_SHEETS, P.REVEAL, P.REGISTER, P.DRAW, P.MANAGE_COMPETITIONS, P.PUBLISH, P.MANAGE_USERS]
)
def test_markers_neither_sign_nor_reveal_nor_register(role: Role, permission: Permission) -> None:
    assert permission not in ROLE_PERMISSIONS[role]


@pytest.mark.parametrize("permission", [P.ENTER_SCORES, P.VERIFY_SCORES, P.LOCK_SHEETS, P.REVEAL])
def test_the_organiser_neither_marks_nor_signs_nor_reveals(permission: Permission) -> None:
    assert permission not in ROLE_PERMISSIONS[Role.ORGANISER]


def test_only_the_chief_judge_and_the_administrator_sign_and_reveal() -> None:
    for permission in (P.LOCK_SHEETS, P.REVEAL):
        assert {role for role in Role if permission in ROLE_PERMISSIONS[role]} == {Role.ADMIN, Role.CHIEF_JUDGE}


def test_every_permission_has_a_chinese_label() -> None:
    labels = [permission_label(permission) for permission in Permission]
    assert len(set(labels)) == len(labels)
    assert all(any("\u4e00" <= char <= "\u9fff" for char in label) for label in labels)


def test_a_grant_reaches_its_own_place_only() -> None:
    event_grant = (RoleGrant(Role.CLERK, event_id=7),)
    assert allows(event_grant, P.ENTER_SCORES, Place(1, 7))
    assert not allows(event_grant, P.ENTER_SCORES, Place(1, 8))
    assert not allows(event_grant, P.ENTER_SCORES, Place(1, None))
    assert not allows(event_grant, P.ENTER_SCORES, EVERYWHERE)
    assert not allows(event_grant, P.LOCK_SHEETS, Place(1, 7))  # the place is right, the role is not

    competition_grant = (RoleGrant(Role.ORGANISER, competition_id=1),)
    assert allows(competition_grant, P.REGISTER, Place(1, 7)) and allows(competition_grant, P.REGISTER, Place(1))
    assert not allows(competition_grant, P.REGISTER, Place(2, 9))
    assert not allows(competition_grant, P.MANAGE_COMPETITIONS, EVERYWHERE)  # cannot create competitions

    everywhere = (RoleGrant(Role.ORGANISER),)
    assert allows(everywhere, P.MANAGE_COMPETITIONS, EVERYWHERE) and allows(everywhere, P.DRAW, Place(2, 9))


def test_what_a_user_sees() -> None:
    clerk = (RoleGrant(Role.CLERK, event_id=7), RoleGrant(Role.JUDGE, competition_id=2))
    assert visible_scope(clerk) == (frozenset({2}), frozenset({7}))
    assert holds_anywhere(clerk, P.ENTER_SCORES) and not holds_anywhere(clerk, P.REGISTER)
    assert not sees_everything(clerk)
    assert visible_scope((RoleGrant(Role.CHIEF_JUDGE),)) is None
    assert sees_everything((RoleGrant(Role.ORGANISER),)) and not sees_everything((RoleGrant(Role.CHIEF_JUDGE),))
