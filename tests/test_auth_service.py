"""Accounts and login (services.auth) on both engines: hashing, holds, set-up mode, grants, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from competition_app.domain.enums import Role
from competition_app.domain.permissions import Permission, RoleGrant
from competition_app.services import auth
from competition_app.services.auth import (
    SETUP_ACTOR,
    AccountError,
    AccountInput,
    Actor,
    NotLoggedIn,
    PermissionDenied,
    act_as,
    change_own_password,
    create_first_admin,
    create_user,
    current_actor,
    hold_after,
    list_accounts,
    login,
    reload_actor,
    require,
    reset_password,
    set_active,
    set_grants,
    visible_event_ids,
)
from db.models import AuditRecord, User
from db.types import utcnow
from tests.factories import minimal_event
from tests.support.accounts import CHEAP_HASHER

ADMIN_PASSWORD = "Kaoping-2026"
CLERK_PASSWORD = "luru-mima-7"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "_hasher", CHEAP_HASHER)


def records(session: Session, action: str) -> list[AuditRecord]:
    return list(session.scalars(select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.id)))


def user_row(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None
    session.refresh(user)
    return user


@pytest.fixture
def admin(session: Session) -> Actor:
    """The first administrator (created in set-up mode; tests act as them with ``act_as``)."""
    return create_first_admin(session, "admin", "王主任", ADMIN_PASSWORD)


@pytest.fixture
def clerk_id(session: Session, admin: Actor) -> int:
    act_as(session, admin)
    return create_user(session, AccountInput("li", "李录分", CLERK_PASSWORD, (RoleGrant(Role.CLERK),)))


# --- passwords ----------------------------------------------------------------------------------


def test_passwords_are_stored_as_argon2id_hashes(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    real = PasswordHasher()
    monkeypatch.setattr(auth, "_hasher", real)
    create_first_admin(session, "admin", "王主任", ADMIN_PASSWORD)

    stored = user_row(session, "admin").password_hash
    assert stored is not None and stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert ADMIN_PASSWORD not in stored
    assert login(session, "admin", ADMIN_PASSWORD).actor is not None
    assert user_row(session, "admin").password_hash == stored  # current parameters: not rehashed
    # The hash checked for unknown users costs what a real one costs: same parameters.
    assert not real.check_needs_rehash(auth._DUMMY_HASH)


def test_a_hash_with_old_parameters_is_upgraded_at_login(session: Session, clerk_id: int,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    assert login(session, "li", CLERK_PASSWORD).actor is not None
    stored = user_row(session, "li").password_hash
    assert stored is not None and stored.startswith("$argon2id$v=19$m=2048,t=2,p=1$")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "密码至少需要 8 个字符"),
        ("Zhangsan", "密码不能与用户名相同"),
        ("aaaaaaaaaaa", "密码过于简单"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(session: Session, admin: Actor, password: str,
                                                    message: str) -> None:  # fmt: skip
    act_as(session, admin)
    with pytest.raises(AccountError, match=message):
        create_user(session, AccountInput("zhangsan", "张三", password, (RoleGrant(Role.JUDGE),)))
    assert session.scalar(select(User).where(User.username == "zhangsan")) is None


def test_usernames_are_checked_and_unique_ignoring_case(session: Session, admin: Actor) -> None:
    act_as(session, admin)
    with pytest.raises(AccountError, match="用户名应为"):
        create_user(session, AccountInput("张三", "张三", CLERK_PASSWORD))
    with pytest.raises(AccountError, match="已被使用"):
        create_user(session, AccountInput(" ADMIN ", "另一个", CLERK_PASSWORD))


# --- login --------------------------------------------------------------------------------------


def test_login_returns_the_actor_and_records_it(session: Session, clerk_id: int) -> None:
    act_as(session, None)
    outcome = login(session, "  LI ", CLERK_PASSWORD)  # the name is folded and trimmed

    assert outcome.actor is not None and outcome.message == ""
    assert outcome.actor == Actor(clerk_id, "li", "李录分", (RoleGrant(Role.CLERK),))
    assert user_row(session, "li").last_login_at is not None
    [record] = records(session, "user.login")
    assert (record.user_id, record.username, record.entity_id) == (clerk_id, "li", clerk_id)


def test_unknown_user_and_wrong_password_get_the_same_answer(session: Session, clerk_id: int) -> None:
    act_as(session, None)
    unknown = login(session, "nobody", CLERK_PASSWORD)
    wrong = login(session, "li", "not-the-password")

    assert unknown.actor is None and wrong.actor is None
    assert unknown.message == wrong.message == "用户名或密码错误"
    assert unknown.retry_after == wrong.retry_after == timedelta(0)


def test_the_hold_starts_after_three_failures_doubles_and_is_capped() -> None:
    assert [hold_after(n).total_seconds() for n in range(1, 12)] == [0, 0, 0, 5, 10, 20, 40, 80, 160, 300, 300]
    assert hold_after(100) == hold_after(10**6) == auth.LONGEST_HOLD  # no overflow however long the siege


def test_failed_logins_hold_the_account_and_the_wait_doubles(session: Session, clerk_id: int) -> None:
    act_as(session, None)
    now = utcnow()
    for _ in range(3):
        assert login(session, "li", "wrong-guess", now=now).retry_after == timedelta(0)
    fourth = login(session, "li", "wrong-guess", now=now)
    assert fourth.retry_after == timedelta(seconds=5)
    assert fourth.message == "用户名或密码错误。连续输错密码次数过多，请在 5 秒后再试"

    later = now + timedelta(seconds=6)  # the hold is over: the next failure holds for twice as long
    fifth = login(session, "li", "wrong-guess", now=later)
    assert fifth.retry_after == timedelta(seconds=10)
    assert user_row(session, "li").failed_logins == 5
    assert len(records(session, "user.login_failed")) == 5


def test_while_held_the_password_is_not_even_checked(session: Session, clerk_id: int,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    act_as(session, None)
    now = utcnow()
    for _ in range(4):
        login(session, "li", "wrong-guess", now=now)
    checked: list[str] = []
    real_verify = auth._verify
    monkeypatch.setattr(
        auth, "_verify", lambda stored, password: checked.append(password) or real_verify(stored, password)
    )

    held = login(session, "li", CLERK_PASSWORD, now=now + timedelta(seconds=2))

    assert held.actor is None and checked == []
    assert held.retry_after == timedelta(seconds=3)
    assert held.message == "连续输错密码次数过多，请在 3 秒后再试"
    assert user_row(session, "li").failed_logins == 4  # guessing while held does not count either
    after = login(session, "li", CLERK_PASSWORD, now=now + timedelta(seconds=5))
    assert after.actor is not None and checked == [CLERK_PASSWORD]


def test_a_successful_login_resets_the_count(session: Session, clerk_id: int) -> None:
    act_as(session, None)
    now = utcnow()
    for _ in range(3):
        login(session, "li", "wrong-guess", now=now)
    assert login(session, "li", CLERK_PASSWORD, now=now).actor is not None
    user = user_row(session, "li")
    assert (user.failed_logins, user.locked_until) == (0, None)
    for _ in range(3):  # three fresh mistakes are free again
        assert login(session, "li", "wrong-guess", now=now).retry_after == timedelta(0)


def test_a_deactivated_account_cannot_log_in_until_reactivated(session: Session, admin: Actor, clerk_id: int) -> None:
    act_as(session, admin)
    set_active(session, clerk_id, False, reason="赛后离场")
    act_as(session, None)
    refused = login(session, "li", CLERK_PASSWORD)
    assert refused.actor is None and refused.message == "账户“li”已停用，请联系管理员"
    with pytest.raises(NotLoggedIn):
        reload_actor(session, Actor(clerk_id, "li", "李录分", (RoleGrant(Role.CLERK),)))

    act_as(session, admin)
    set_active(session, clerk_id, True)
    act_as(session, None)
    assert login(session, "li", CLERK_PASSWORD).actor is not None


def test_passwords_change_and_an_administrator_reset_lifts_a_hold(session: Session, admin: Actor,
                                                                  clerk_id: int) -> None:  # fmt: skip
    act_as(session, None)
    clerk = login(session, "li", CLERK_PASSWORD).actor
    assert clerk is not None
    act_as(session, clerk)
    with pytest.raises(AccountError, match="原密码不正确"):
        change_own_password(session, "not-it-at-all", "xin-mima-2026")
    change_own_password(session, CLERK_PASSWORD, "xin-mima-2026")
    act_as(session, None)
    assert login(session, "li", CLERK_PASSWORD).actor is None
    assert login(session, "li", "xin-mima-2026").actor is not None

    now = utcnow()
    for _ in range(6):
        login(session, "li", "wrong-guess", now=now)
    assert user_row(session, "li").locked_until is not None
    act_as(session, admin)
    reset_password(session, clerk_id, "chongzhi-2026")
    act_as(session, None)
    assert login(session, "li", "chongzhi-2026", now=now).actor is not None


# --- set-up mode and logging in -----------------------------------------------------------------


def test_set_up_mode_until_the_first_account(session: Session) -> None:
    act_as(session, None)
    assert current_actor(session) is SETUP_ACTOR
    assert require(session, Permission.MANAGE_USERS) is SETUP_ACTOR
    # The first account must be an administrator, or nobody could ever manage users.
    with pytest.raises(AccountError, match="第一个账户必须是管理员"):
        create_user(session, AccountInput("li", "李录分", CLERK_PASSWORD, (RoleGrant(Role.CLERK),)))

    admin = create_first_admin(session, "admin", "", ADMIN_PASSWORD)

    assert admin.display_name == "admin" and admin.grants == (RoleGrant(Role.ADMIN),)
    with pytest.raises(AccountError, match="已有用户账户"):
        create_first_admin(session, "second", "", ADMIN_PASSWORD)
    [created] = records(session, "user.create")
    assert created.username == "admin" and created.reason == "首次运行：创建管理员账户"


def test_once_an_account_exists_a_session_without_a_login_is_refused(session: Session, admin: Actor) -> None:
    act_as(session, None)
    with pytest.raises(NotLoggedIn, match="请先登录"):
        current_actor(session)
    with pytest.raises(NotLoggedIn):
        require(session, Permission.VIEW_SCORES)
    with pytest.raises(NotLoggedIn):
        list_accounts(session)


# --- administrators and grants ------------------------------------------------------------------


def test_the_last_administrator_cannot_be_removed(session: Session, admin: Actor, clerk_id: int) -> None:
    act_as(session, admin)
    assert admin.user_id is not None
    with pytest.raises(AccountError, match="至少要保留一名可用的管理员"):
        set_grants(session, admin.user_id, (RoleGrant(Role.CLERK),))
    with pytest.raises(AccountError, match="至少要保留一名可用的管理员"):
        set_active(session, admin.user_id, False)
    # A deactivated administrator does not count as the one kept.
    set_grants(session, clerk_id, (RoleGrant(Role.ADMIN),))
    set_active(session, clerk_id, False)
    with pytest.raises(AccountError):
        set_grants(session, admin.user_id, ())
    set_active(session, clerk_id, True)
    set_grants(session, admin.user_id, (RoleGrant(Role.ORGANISER),))
    assert {row.username: row.grants for row in list_accounts(session)}["admin"] == (RoleGrant(Role.ORGANISER),)


def test_only_an_administrator_manages_accounts(session: Session, admin: Actor, clerk_id: int) -> None:
    act_as(session, None)
    clerk = login(session, "li", CLERK_PASSWORD).actor
    assert clerk is not None
    act_as(session, clerk)
    assert admin.user_id is not None
    for attempt in (
        lambda: list_accounts(session),
        lambda: create_user(session, AccountInput("wang", "王", "wang-mima-1", (RoleGrant(Role.ADMIN),))),
        lambda: set_grants(session, clerk_id, (RoleGrant(Role.ADMIN),)),
        lambda: reset_password(session, admin.user_id or 0, "taken-over-1"),
        lambda: set_active(session, admin.user_id or 0, False),
    ):
        with pytest.raises(PermissionDenied, match="李录分（录分员）没有管理用户的权限"):
            attempt()
    assert user_row(session, "li").roles[0].role is Role.CLERK


def test_grants_reach_only_their_event_or_competition(session: Session, admin: Actor) -> None:
    first = minimal_event(session, name="甲赛事")
    second = minimal_event(session, name="乙赛事", id_number="110105194912310046")
    act_as(session, admin)
    clerk_id = create_user(
        session, AccountInput("li", "李录分", CLERK_PASSWORD, (RoleGrant(Role.CLERK, None, first.event.id),))
    )
    chief_id = create_user(
        session,
        AccountInput("zhao", "赵裁判长", CLERK_PASSWORD, (RoleGrant(Role.CHIEF_JUDGE, second.competition.id),)),
    )
    act_as(session, None)
    clerk, chief = login(session, "li", CLERK_PASSWORD).actor, login(session, "zhao", CLERK_PASSWORD).actor
    assert clerk is not None and chief is not None and (clerk.user_id, chief.user_id) == (clerk_id, chief_id)

    act_as(session, clerk)
    assert require(session, Permission.ENTER_SCORES, event_id=first.event.id) is clerk
    with pytest.raises(PermissionDenied, match="李录分（录分员）没有在“焊工”赛项录入成绩的权限"):
        require(session, Permission.ENTER_SCORES, event_id=second.event.id)
    with pytest.raises(PermissionDenied):
        require(session, Permission.LOCK_SHEETS, event_id=first.event.id)
    assert visible_event_ids(session) == frozenset({first.event.id})

    act_as(session, chief)  # a competition grant covers every event of that competition, and only those
    assert require(session, Permission.LOCK_SHEETS, event_id=second.event.id) is chief
    with pytest.raises(PermissionDenied):
        require(session, Permission.LOCK_SHEETS, event_id=first.event.id)
    assert visible_event_ids(session) == frozenset({second.event.id})

    act_as(session, admin)
    set_grants(session, clerk_id, (RoleGrant(Role.CLERK, None, second.event.id),))
    moved = reload_actor(session, clerk)
    assert moved.can(Permission.ENTER_SCORES, auth.event_place(session, second.event.id))
    assert not moved.can(Permission.ENTER_SCORES, auth.event_place(session, first.event.id))


# --- the audit log ------------------------------------------------------------------------------


def test_account_changes_and_logins_are_audited_without_secrets(session: Session, admin: Actor,
                                                                clerk_id: int) -> None:  # fmt: skip
    act_as(session, admin)
    set_grants(session, clerk_id, (RoleGrant(Role.JUDGE),))
    set_active(session, clerk_id, False, reason="临时停用")
    set_active(session, clerk_id, True)
    reset_password(session, clerk_id, "chongzhi-2026")
    act_as(session, None)
    login(session, "li", "wrong-guess")
    clerk = login(session, "li", "chongzhi-2026").actor
    assert clerk is not None
    act_as(session, clerk)
    change_own_password(session, "chongzhi-2026", "xin-mima-2026")

    def one(action: str) -> AuditRecord:
        [record] = records(session, action)
        assert record.entity_type == "user"
        return record

    created = next(r for r in records(session, "user.create") if r.entity_id == clerk_id)
    assert created.username == "admin" and created.new_value is not None
    assert created.new_value["grants"] == [{"role": "clerk", "competition_id": None, "event_id": None}]
    granted = one("user.grants")
    assert granted.username == "admin" and granted.entity_id == clerk_id
    assert granted.old_value == {"grants": [{"role": "clerk", "competition_id": None, "event_id": None}]}
    assert granted.new_value == {"grants": [{"role": "judge", "competition_id": None, "event_id": None}]}
    deactivated = one("user.deactivate")
    assert (deactivated.old_value, deactivated.new_value, deactivated.reason) == (
        {"is_active": True}, {"is_active": False}, "临时停用"
    )  # fmt: skip
    assert one("user.activate").new_value == {"is_active": True}
    assert one("user.reset_password").username == "admin"
    assert one("user.login_failed").username == "li"
    assert one("user.change_password").username == "li"
    assert [r.username for r in records(session, "user.login")] == ["li"]
    everything = " ".join(str((r.old_value, r.new_value, r.reason)) for r in session.scalars(select(AuditRecord)))
    for secret in ("chongzhi-2026", "xin-mima-2026", CLERK_PASSWORD, ADMIN_PASSWORD, "$argon2"):
        assert secret not in everything
