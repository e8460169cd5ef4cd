"""Find or start a PostgreSQL server for the tests marked ``postgres``.

``postgres_url()`` returns ``(url, reason)``:

1. ``COMPETITION_APP_TEST_PG`` (a SQLAlchemy URL) when set; it must connect.
2. Otherwise a throwaway cluster (initdb + pg_ctl) in a temporary directory, listening on
   127.0.0.1 only, stopped and deleted when the test process exits.
3. Otherwise ``(None, reason)`` so that the tests can be skipped with that reason.

With ``CI=true`` a server that cannot be reached or started raises ``RuntimeError``: in CI the
PostgreSQL tests must fail, not skip.
"""

from __future__ import annotations

import atexit
import functools
import os
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ENV_VAR = "COMPETITION_APP_TEST_PG"
TEST_DATABASE = "competition_test"
_SCHEME = re.compile(r"^postgres(?:ql)?(?:\+\w+)?://")


def sqlalchemy_url(url: str) -> str:
    """``postgres://`` / ``postgresql://`` become ``postgresql+psycopg://`` (the driver we ship)."""
    return re.sub(r"^postgres(?:ql)?://", "postgresql+psycopg://", url)


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as a libpq connection URI for psycopg."""
    return _SCHEME.sub("postgresql://", url)


def redact(url: str) -> str:
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def connect_error(url: str) -> str | None:
    """None when the URL connects, else why not."""
    try:
        with psycopg.connect(libpq_url(url), connect_timeout=10) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).strip()}"
    return None


@functools.cache
def postgres_url() -> tuple[str | None, str]:
    in_ci = os.environ.get("CI", "").lower() == "true"
    configured = os.environ.get(ENV_VAR, "").strip()
    if configured:
        url = sqlalchemy_url(configured)
        error = connect_error(url)
        if error is None:
            return url, f"{ENV_VAR} ({redact(url)})"
        reason = f"{ENV_VAR}={redact(url)} does not connect: {error}"
    else:
        url_or_none, reason = _start_throwaway_cluster()
        if url_or_none is not None:
            return url_or_none, reason
        reason = f"no PostgreSQL server: {reason}; set {ENV_VAR}=postgresql+psycopg://user:pw@host/db"
    if in_ci:
        raise RuntimeError(f"CI=true and {reason}")
    return None, reason


def fresh_database(base_url: str, name: str) -> str:
    """Create (dropping it first if it exists) an empty database ``name`` next to ``base_url``."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValueError(f"not a plain database name: {name!r}")
    with psycopg.connect(libpq_url(base_url), autocommit=True, connect_timeout=10) as conn:
        force = sql.SQL(" WITH (FORCE)") if conn.info.server_version >= 130000 else sql.SQL("")
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)) + force)
        create = sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0")
        conn.execute(create.format(sql.Identifier(name)))
    parts = urlsplit(base_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


# --- throwaway cluster ----------------------------------------------------------------------------


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.parent.name)) or (0,)


def _find_bindir() -> Path | None:
    candidates = [p for p in Path("/usr/lib/postgresql").glob("*/bin/initdb") if p.is_file()]
    if candidates:
        return max(candidates, key=_version_key).parent
    initdb = shutil.which("initdb")
    if initdb and (Path(initdb).parent / "pg_ctl").exists():
        return Path(initdb).parent
    return None


def _as_server_user() -> tuple[Callable[[Sequence[str]], list[str]], tuple[int, int] | None, str]:
    """How to run a command as the cluster owner: PostgreSQL refuses to run as root."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return list, None, ""
    try:
        import pwd

        entry = pwd.getpwnam("postgres")
    except (ImportError, KeyError):
        return list, None, "running as root and there is no 'postgres' user to own the cluster"
    if runuser := shutil.which("runuser"):
        return (lambda cmd: [runuser, "-u", "postgres", "--", *cmd]), (entry.pw_uid, entry.pw_gid), ""
    return (
        (lambda cmd: ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(cmd)]),
        (entry.pw_uid, entry.pw_gid),
        "",
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _Unavailable(Exception):
    """The throwaway cluster could not be set up; the message says why."""


def _start_throwaway_cluster() -> tuple[str | None, str]:
    try:
        return _throwaway_cluster()
    except _Unavailable as exc:
        return None, str(exc)


def _throwaway_cluster() -> tuple[str, str]:
    bindir = _find_bindir()
    if bindir is None:
        raise _Unavailable("no initdb found (install Debian's postgresql package)")
    wrap, owner, problem = _as_server_user()
    if problem:
        raise _Unavailable(problem)
    tmp = Path(tempfile.mkdtemp(prefix="competition-pg-"))
    data = tmp / "data"
    if owner is not None:
        os.chown(tmp, *owner)

    def run(*cmd: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            wrap([str(bindir / cmd[0]), *cmd[1:]]),
            cwd=tmp, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL,
        )  # fmt: skip

    def cleanup() -> None:
        if (data / "postmaster.pid").exists():
            run("pg_ctl", "-D", str(data), "stop", "-m", "immediate", "-w")
        shutil.rmtree(tmp, ignore_errors=True)

    def give_up(what: str, result: subprocess.CompletedProcess[str] | None = None) -> _Unavailable:
        cleanup()
        if result is not None:
            lines = (result.stderr or result.stdout).strip().splitlines()[-3:]
            what = f"{what} failed (exit {result.returncode}): {' | '.join(lines)}"
        return _Unavailable(what)

    initdb = ("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "--encoding=UTF8", "--no-sync")
    result = run(*initdb, "--locale=C.UTF-8")
    if result.returncode != 0:  # no C.UTF-8 locale on this machine
        shutil.rmtree(data, ignore_errors=True)
        result = run(*initdb, "--locale=C")
        if result.returncode != 0:
            raise give_up("initdb", result)

    for _attempt in range(3):  # the free port may be taken between probing and starting
        port = _free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {shlex.quote(str(tmp))}"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        log = str(tmp / "server.log")
        result = run("pg_ctl", "-D", str(data), "-l", log, "-o", options, "-w", "-t", "60", "start")
        if result.returncode == 0:
            break
    else:
        raise give_up("pg_ctl start", result)
    atexit.register(cleanup)

    server = f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while (error := connect_error(f"{server}/postgres")) is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    if error is not None:
        raise give_up(f"the throwaway server started but does not connect: {error}")
    try:
        url = fresh_database(f"{server}/postgres", TEST_DATABASE)
    except psycopg.Error as exc:
        raise give_up(f"could not create database {TEST_DATABASE}: {exc}") from exc
    return url, f"throwaway cluster in {tmp} ({bindir}, port {port})"
