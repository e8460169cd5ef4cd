"""``competition-app user …`` and the global ``--user`` on the commands that open the database."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from competition_app import auth_cli, cli_login
from competition_app.cli import main
from competition_app.domain.enums import Role
from competition_app.services import auth
from db.models import AuditRecord, Draw, User
from db.session import Database, open_database, sqlite_url
from tests.factories import minimal_event
from tests.support.accounts import CHEAP_HASHER
from tests.test_cli import run_cli

ADMIN_PASSWORD = "Kaoping-2026"
CLERK_PASSWORD = "luru-mima-7"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Still argon2id, with parameters that take a millisecond."""
    monkeypatch.setattr(auth, "_hasher", CHEAP_HASHER)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in (cli_login.USER_VAR, cli_login.PASSWORD_VAR, auth_cli.NEW_PASSWORD_VAR):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)


@pytest.fixture
def url(sqlite_database: Database) -> str:
    return sqlite_database.url


class Cli:
    """Runs the command line in-process with the given passwords in the environment."""

    def __init__(self, url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.url, self.capsys, self.monkeypatch = url, capsys, monkeypatch

    def __call__(self, *args: str, user: str | None = None, password: str | None = None,
                 new_password: str | None = None) -> tuple[int, str, str]:  # fmt: skip
        for variable, value in ((cli_login.PASSWORD_VAR, password), (auth_cli.NEW_PASSWORD_VAR, new_password)):
            if value is None:
                self.monkeypatch.delenv(variable, raising=False)
            else:
                self.monkeypatch.setenv(variable, value)
        login = ("--user", user) if user else ()
        code = main(["--db", self.url, *login, *args])
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def as_admin(self, *args: str, new_password: str | None = None) -> tuple[int, str, str]:
        return self(*args, user="admin", password=ADMIN_PASSWORD, new_password=new_password)


@pytest.fixture
def cli(url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(url, capsys, monkeypatch)


@pytest.fixture
def with_admin(cli: Cli) -> Cli:
    code, out, err = cli("user", "create-admin", "admin", "--name", "王主任", new_password=ADMIN_PASSWORD)
    assert code == 0, err
    assert out.strip() == "已创建管理员账户：王主任（管理员）（用户名 admin）"
    return cli


@pytest.fixture
def two_competitions(sqlite_database: Database) -> Iterator[tuple[int, int]]:
    """Two competitions, each with an event called 焊工; yields the two event ids."""
    with sqlite_database.transaction() as session:
        first = minimal_event(session, name="甲赛事")
        second = minimal_event(session, name="乙赛事", id_number="110105194912310046")
        ids = first.event.id, second.event.id
    yield ids


def users(database: Database) -> dict[str, User]:
    with database.session() as session:
        return {user.username: user for user in session.scalars(select(User))}


# --- create-admin -------------------------------------------------------------------------------


def test_create_admin_only_while_there_is_no_account(with_admin: Cli, sqlite_database: Database) -> None:
    code, _out, err = with_admin("user", "create-admin", "second", new_password=ADMIN_PASSWORD)
    assert code == 1
    assert err.strip() == "已有用户账户：请由管理员登录后用 user add 新建账户"
    assert list(users(sqlite_database)) == ["admin"]


def test_create_admin_refuses_a_weak_or_missing_password(cli: Cli, sqlite_database: Database) -> None:
    code, _out, err = cli("user", "create-admin", "admin", new_password="short")
    assert (code, err.strip()) == (1, "密码至少需要 8 个字符")
    code, _out, err = cli("user", "create-admin", "admin")  # no variable, and stdin is no terminal
    assert (code, err.strip()) == (1, "请在环境变量 COMPETITION_APP_NEW_PASSWORD 中提供新密码")
    assert users(sqlite_database) == {}


def test_at_a_terminal_the_new_password_is_typed_twice(cli: Cli, monkeypatch: pytest.MonkeyPatch,
                                                       sqlite_database: Database) -> None:  # fmt: skip
    typed: list[str] = []
    answers = iter(["Kaoping-2026", "Kaoping-2O26", "Kaoping-2026", "Kaoping-2026"])

    def prompt(text: str) -> str:
        typed.append(text)
        return next(answers)

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(getpass, "getpass", prompt)
    code, _out, err = cli("user", "create-admin", "admin")
    assert (code, err.strip()) == (1, "两次输入的密码不一致")
    assert users(sqlite_database) == {}
    code, _out, err = cli("user", "create-admin", "admin")
    assert code == 0, err
    assert typed == ["admin 的新密码：", "再次输入新密码："] * 2


def test_user_add_in_set_up_mode_asks_for_the_administrator_first(cli: Cli) -> None:
    code, _out, err = cli("user", "add", "li", "--role", "clerk", new_password=CLERK_PASSWORD)
    assert (code, err.strip()) == (1, "还没有任何账户：请先用 user create-admin 创建管理员账户")


# --- logging in ---------------------------------------------------------------------------------


def test_once_accounts_exist_commands_need_a_login(with_admin: Cli) -> None:
    code, _out, err = with_admin("user", "list")
    assert code == 1 and "请用 --user 用户名 登录" in err
    code, _out, err = with_admin("user", "list", user="admin")
    assert (code, err.strip()) == (1, "请在环境变量 COMPETITION_APP_PASSWORD 中提供密码")
    code, _out, err = with_admin("user", "list", user="admin", password="not-the-password")
    assert (code, err.strip()) == (1, "用户名或密码错误")
    code, out, err = with_admin.as_admin("user", "list")
    assert code == 0, err
    assert "admin" in out and "王主任" in out and "管理员 · 全部" in out


# --- accounts and grants ------------------------------------------------------------------------


def test_add_grant_list_and_revoke(with_admin: Cli, two_competitions: tuple[int, int],
                                   sqlite_database: Database) -> None:  # fmt: skip
    cli = with_admin
    code, _out, err = cli.as_admin(
        "user", "add", "li", "--role", "录分员", "--event", "焊工", new_password=CLERK_PASSWORD
    )
    assert code == 1
    assert err.strip() == "赛项“焊工”在多项赛事中都有（甲赛事、乙赛事）：请用 --competition 指明赛事"
    code, _out, err = cli.as_admin(
        "user", "add", "li", "--role", "clerk", "--event", "钳工", new_password=CLERK_PASSWORD
    )
    assert (code, err.strip()) == (1, "没有名为“钳工”的赛项")
    assert "li" not in users(sqlite_database)

    code, out, err = cli.as_admin(
        "user", "add", "li", "--role", "录分员", "--event", "焊工", "--competition", "乙赛事", "--name", "李录分",
        new_password=CLERK_PASSWORD,
    )  # fmt: skip
    assert code == 0, err
    assert out.strip() == "已新建账户 li：录分员 · 赛项“焊工”（乙赛事）"
    code, out, err = cli.as_admin("user", "grant", "li", "--role", "chief-judge", "--competition", "甲赛事")
    assert (code, out.strip()) == (0, "已授予 li：裁判长 · 赛事“甲赛事”"), err
    code, out, _err = cli.as_admin("user", "grant", "li", "--role", "chief_judge", "--competition", "甲赛事")
    assert out.strip() == "li 已有这个角色：裁判长 · 赛事“甲赛事”"

    code, out, _err = cli.as_admin("user", "list")
    lines = out.splitlines()
    assert lines[0].split() == ["用户名", "显示名", "状态", "最近登录", "角色"]
    li = next(line for line in lines if line.startswith("li "))
    assert li.split()[:4] == ["li", "李录分", "可用", "—"]
    assert li.endswith("录分员 · 赛项“焊工”（乙赛事）；裁判长 · 赛事“甲赛事”")

    code, out, _err = cli.as_admin("user", "grant", "li", "--role", "judge", "--revoke")
    assert code == 1
    code, out, err = cli.as_admin("user", "grant", "li", "--role", "clerk", "--event", "焊工", "--competition",
                                  "乙赛事", "--revoke")  # fmt: skip
    assert (code, out.strip()) == (0, "已收回 li 的角色：录分员 · 赛项“焊工”（乙赛事）"), err
    with sqlite_database.session() as session:
        grants = session.scalars(select(User).where(User.username == "li")).one().roles
        assert [(g.role, g.event_id) for g in grants] == [(Role.CHIEF_JUDGE, None)]


def test_only_an_administrator_manages_users_and_is_refused_before_any_prompt(
    with_admin: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = with_admin
    assert cli.as_admin("user", "add", "li", "--role", "clerk", "--name", "李录分", new_password=CLERK_PASSWORD)[0] == 0
    monkeypatch.setattr(getpass, "getpass", lambda _text: pytest.fail("a refused command asks for no password"))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    for command in (("user", "list"), ("user", "add", "wang", "--role", "admin"), ("user", "deactivate", "admin"),
                    ("user", "grant", "li", "--role", "admin"), ("user", "passwd", "admin")):  # fmt: skip
        code, _out, err = cli(*command, user="li", password=CLERK_PASSWORD)
        assert (code, err.strip()) == (1, "李录分（录分员）没有管理用户的权限"), command


def test_passwords_own_and_reset(with_admin: Cli, sqlite_database: Database) -> None:
    cli = with_admin
    cli.as_admin("user", "add", "li", "--role", "clerk", new_password=CLERK_PASSWORD)
    code, out, err = cli("user", "passwd", user="li", password=CLERK_PASSWORD, new_password="xin-mima-2026")
    assert (code, out.strip()) == (0, "已修改 li 的密码"), err
    assert cli("user", "passwd", user="li", password=CLERK_PASSWORD)[0] == 1  # the old one no longer logs in
    code, out, err = cli.as_admin("user", "passwd", "LI", new_password="chongzhi-2026")
    assert (code, out.strip()) == (0, "已重设 li 的密码"), err
    code, _out, err = cli("user", "passwd", user="li", password="chongzhi-2026", new_password="li")
    assert (code, err.strip()) == (1, "密码至少需要 8 个字符")
    with sqlite_database.session() as session:
        actions = session.scalars(select(AuditRecord.action).where(AuditRecord.action.like("user.%"))).all()
    assert "user.change_password" in actions and "user.reset_password" in actions


def test_deactivate_and_activate(with_admin: Cli, sqlite_database: Database) -> None:
    cli = with_admin
    cli.as_admin("user", "add", "li", "--role", "clerk", new_password=CLERK_PASSWORD)
    code, out, err = cli.as_admin("user", "deactivate", "li", "--reason", "赛后离场")
    assert (code, out.strip()) == (0, "已停用账户 li"), err
    code, _out, err = cli("user", "list", user="li", password=CLERK_PASSWORD)
    assert (code, err.strip()) == (1, "账户“li”已停用，请联系管理员")
    code, out, _err = cli.as_admin("user", "list")
    assert next(line for line in out.splitlines() if line.startswith("li ")).split()[2] == "已停用"
    code, _out, err = cli.as_admin("user", "deactivate", "admin")
    assert (code, err.strip()) == (1, "至少要保留一名可用的管理员")
    assert cli.as_admin("user", "activate", "li")[0] == 0
    assert users(sqlite_database)["li"].is_active
    with sqlite_database.session() as session:
        record = session.scalars(select(AuditRecord).where(AuditRecord.action == "user.deactivate")).one()
    assert (record.username, record.reason) == ("admin", "赛后离场")


def test_roles_are_read_from_keys_aliases_or_labels(cli: Cli) -> None:
    assert [auth_cli.parse_role(text) for text in ("clerk", "录分员", "Chief-Judge", "裁判长", "organizer")] == [
        Role.CLERK, Role.CLERK, Role.CHIEF_JUDGE, Role.CHIEF_JUDGE, Role.ORGANISER,
    ]  # fmt: skip
    with pytest.raises(SystemExit) as exit_info:
        cli("user", "add", "li", "--role", "boss")
    assert exit_info.value.code == 2
    assert "未知的角色“boss”" in cli.capsys.readouterr().err


def test_the_password_variable_is_the_login_ones() -> None:
    assert auth_cli.PASSWORD_VAR == cli_login.PASSWORD_VAR


# --- the other commands log in too --------------------------------------------------------------


def test_demo_export_and_draw_need_a_login_and_are_attributed(
    with_admin: Cli, two_competitions: tuple[int, int], sqlite_database: Database, tmp_path: Path
) -> None:
    cli = with_admin
    event_id = str(two_competitions[0])
    roster = str(tmp_path / "名单.xlsx")
    for command in (
        ("demo",),
        ("export", "roster", "甲赛事", "--out", roster),
        ("draw", event_id, "--kind", "station"),
    ):
        code, _out, err = cli(*command)
        assert code == 1 and "请用 --user 用户名 登录" in err, command
        code, _out, err = cli(*command, user="admin", password="wrong-password")
        assert (code, err.strip()) == (1, "用户名或密码错误"), command

    code, _out, err = cli.as_admin("draw", event_id, "--kind", "station", "--seed", "s1")
    assert code == 0, err
    code, _out, err = cli.as_admin("export", "roster", "甲赛事", "--out", roster)
    assert code == 0, err
    assert Path(roster).stat().st_size > 0
    with sqlite_database.session() as session:
        drawn = session.scalars(select(Draw)).one()
        admin_id = session.scalar(select(User.id).where(User.username == "admin"))
        record = session.scalars(select(AuditRecord).where(AuditRecord.action.like("draw%"))).one()
    assert drawn.drawn_by_id == admin_id
    assert (record.user_id, record.username) == (admin_id, "admin")


def test_import_logs_in_and_the_audit_names_the_user(with_admin: Cli, sqlite_database: Database,
                                                     tmp_path: Path) -> None:  # fmt: skip
    from tests.test_excel_import import good_sheets, write_workbook

    cli = with_admin
    path = str(write_workbook(tmp_path / "报名.xlsx", good_sheets()))
    code, _out, err = cli("import", path)
    assert code == 1 and "请用 --user 用户名 登录" in err
    with pytest.raises(SystemExit):  # the command's own --user is gone: the global one logs in
        cli("import", path, "--user", "admin")
    cli.capsys.readouterr()
    code, out, err = cli.as_admin("import", path)
    assert code == 0, err
    assert "导入完成" in out
    with sqlite_database.session() as session:
        record = session.scalars(select(AuditRecord).where(AuditRecord.action == "import")).one()
    assert record.username == "admin" and record.user_id is not None


def test_a_real_process_creates_the_admin_and_logs_in(tmp_path: Path) -> None:
    database = str(tmp_path / "cli.sqlite3")
    open_database(sqlite_url(database)).close()
    created = run_cli(
        "--db", database, "user", "create-admin", "admin", env={auth_cli.NEW_PASSWORD_VAR: ADMIN_PASSWORD}
    )
    assert created.returncode == 0, created.stderr
    listed = run_cli("--db", database, "--user", "admin", "user", "list", env={cli_login.PASSWORD_VAR: ADMIN_PASSWORD})
    assert listed.returncode == 0, listed.stderr
    assert "管理员 · 全部" in listed.stdout
    refused = run_cli("--db", database, "user", "list")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
