#!/usr/bin/env python3
"""Developer bootstrap for competition-app (standard library only).

    python3 dev.py run [ARGS...]     set up .venv and start the app
    python3 dev.py test [ARGS...]    ruff, mypy, lint-imports, then pytest (ARGS go to pytest)
    python3 dev.py bench             run every bench/*.py

On Windows use ``py dev.py ...``.  On Debian/Ubuntu the system libraries Qt needs are
installed with apt-get when running as root; otherwise the exact command is printed.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".competition-app-install-stamp"
WINDOWS = os.name == "nt"
BIN = VENV / ("Scripts" if WINDOWS else "bin")
EXE = ".exe" if WINDOWS else ""

# Qt offscreen platform (tests, benchmarks), Chinese fonts and pdftoppm for report checks.
APT_OFFSCREEN = [
    "libegl1", "libgl1", "libx11-6", "libdbus-1-3", "libfontconfig1", "libfreetype6",
    "libglib2.0-0", "libxkbcommon0", "fonts-wqy-microhei", "fonts-lxgw-wenkai", "poppler-utils",
    "libgssapi-krb5-2",  # QtNetwork (pulled in by QtPdf and QtPrintSupport) links Kerberos
]  # fmt: skip
# A real window on X11 (xcb platform plugin), plus Xvfb for machines without a screen.
APT_WINDOW = [
    *APT_OFFSCREEN,
    "libxkbcommon-x11-0", "libxcb1", "libxcb-cursor0", "libxcb-icccm4", "libxcb-image0",
    "libxcb-keysyms1", "libxcb-randr0", "libxcb-render-util0", "libxcb-shape0", "libxcb-xinerama0",
    "libxcb-xfixes0", "libxcb-xkb1", "xvfb", "xauth",
]  # fmt: skip

GATES = ("ruff", "mypy", "lint-imports", "pytest")


def say(message: str) -> None:
    print(f"[dev.py] {message}", flush=True)


def fail(message: str, code: int = 1) -> None:
    print(f"[dev.py] {message}", file=sys.stderr, flush=True)
    sys.exit(code)


def tool(name: str) -> Path:
    return BIN / f"{name}{EXE}"


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def is_debian() -> bool:
    return Path("/etc/debian_version").exists() and shutil.which("dpkg-query") is not None


def missing_debs(packages: Sequence[str]) -> list[str]:
    """Packages from the list that dpkg does not report as installed."""
    missing = []
    for package in packages:
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True, check=False
        )
        if result.returncode != 0 or "install ok installed" not in result.stdout:
            missing.append(package)
    return missing


def ensure_system_packages(packages: Sequence[str]) -> None:
    if not is_debian():
        return
    wanted = list(packages)
    if not tool("python").exists() and importlib.util.find_spec("ensurepip") is None:
        wanted.append("python3-venv")  # Debian's python3 ships venv without pip until this is installed
    missing = missing_debs(wanted)
    if not missing:
        return
    install = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    if not is_root():
        fail(
            "缺少系统软件包 / missing system packages: " + " ".join(missing) + "\n"
            "请先运行 / please run first:\n\n    sudo " + " ".join(install) + "\n\n"
            "然后重新运行 / then run dev.py again."
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    say("apt-get install " + " ".join(missing))
    for command in (["apt-get", "update", "-q"], install):
        code = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, check=False).returncode
        if code != 0:
            fail(f"'{' '.join(command)}' failed (exit {code})", code)


def pyproject_hash() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_venv() -> None:
    python = tool("python")
    if not python.exists():
        say(f"creating virtual environment {VENV}")
        code = subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=False).returncode
        if code != 0 or not python.exists():
            shutil.rmtree(VENV, ignore_errors=True)
            fail("无法创建虚拟环境 / could not create .venv (on Debian: apt-get install python3-venv)")
        pip(["install", "--quiet", "--upgrade", "pip"])
    wanted = pyproject_hash()
    current = STAMP.read_text(encoding="utf-8").strip() if STAMP.exists() else ""
    if current == wanted and tool("competition-app").exists():
        return
    say('installing the project: pip install -e ".[test]" (the first time takes a few minutes)')
    pip(["install", "--quiet", "-e", ".[test]"])
    STAMP.write_text(wanted + "\n", encoding="utf-8")


def pip(args: Sequence[str]) -> None:
    command = [str(tool("python")), "-m", "pip", "--disable-pip-version-check", *args]
    code = subprocess.run(command, cwd=ROOT, check=False).returncode
    if code != 0:
        fail(f"pip {' '.join(args)} failed (exit {code})", code)


def has_display() -> bool:
    if not sys.platform.startswith("linux"):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def opens_window(args: Sequence[str]) -> bool:
    """The app opens its window unless asked for help or given a command (``demo``, ...)."""
    values = {i + 1 for i, arg in enumerate(args) if arg == "--db"}
    return not any(
        arg in ("-h", "--help", "--version") or (i not in values and not arg.startswith("-"))
        for i, arg in enumerate(args)
    )


def cmd_run(args: Sequence[str]) -> int:
    ensure_system_packages(APT_WINDOW)
    ensure_venv()
    if opens_window(args) and not has_display():
        fail(
            "没有图形显示（DISPLAY/WAYLAND_DISPLAY 均未设置）。在没有屏幕的机器上请用虚拟屏幕运行：\n"
            "No display (neither DISPLAY nor WAYLAND_DISPLAY is set). On a machine without a screen run:\n\n"
            "    xvfb-run -a python3 dev.py run\n\n"
            "或设置 / or set QT_QPA_PLATFORM=offscreen to start without any window."
        )
    command = [str(tool("competition-app")), *args]
    if WINDOWS:  # os.execv on Windows detaches from the console; wait for the child instead
        return subprocess.run(command, cwd=ROOT, check=False).returncode
    os.execv(command[0], command)
    return 0  # not reached


def cmd_test(pytest_args: Sequence[str]) -> int:
    ensure_system_packages(APT_OFFSCREEN)
    ensure_venv()
    commands = {
        "ruff": [str(tool("ruff")), "check", "."],
        "mypy": [str(tool("mypy"))],
        "lint-imports": [str(tool("lint-imports"))],
        "pytest": [str(tool("pytest")), *pytest_args],
    }
    for number, gate in enumerate(GATES, start=1):
        print(f"\n===== dev.py test [{number}/{len(GATES)}] {gate} =====", flush=True)
        env = {**os.environ}
        if gate == "pytest":
            env["QT_QPA_PLATFORM"] = "offscreen"
        code = subprocess.run(commands[gate], cwd=ROOT, env=env, check=False).returncode
        if code != 0:
            why = " (no tests were collected)" if gate == "pytest" and code == 5 else ""
            print(f"\ndev.py test: FAILED at gate {number}/{len(GATES)} '{gate}' (exit {code}){why}")
            return code
    return 0  # pytest's own summary stays the last line on success


def cmd_bench() -> int:
    ensure_system_packages(APT_OFFSCREEN)
    ensure_venv()
    scripts = sorted((ROOT / "bench").glob("*.py"))
    if not scripts:
        say("no bench/*.py found")
        return 0
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    failed = []
    for script in scripts:
        print(f"\n===== dev.py bench: {script.relative_to(ROOT)} =====", flush=True)
        code = subprocess.run([str(tool("python")), str(script)], cwd=ROOT, env=env, check=False).returncode
        if code != 0:
            failed.append(f"{script.name} (exit {code})")
    if failed:
        print("\ndev.py bench: failed: " + ", ".join(failed), flush=True)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="dev.py",
        usage="python3 dev.py {run,test,bench} [ARGS...]   (Windows: py dev.py ...)",
        description="Set up .venv (pip install -e .[test]) and run the app, the quality gates or benchmarks.",
        epilog="Everything after the command is passed through unchanged (to the app, or to pytest).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="start competition-app; ARGS go to the app, e.g. --db URL")
    commands.add_parser("test", help="ruff check, mypy, lint-imports, then pytest; ARGS go to pytest")
    commands.add_parser("bench", help="run every bench/*.py with QT_QPA_PLATFORM=offscreen")
    # Only the command word is parsed here: argparse would swallow options meant for the app or pytest.
    command = parser.parse_args(args[:1]).command
    rest = args[1:]
    os.chdir(ROOT)
    if command == "run":
        return cmd_run(rest)
    if command == "test":
        return cmd_test(rest)
    if rest:
        parser.error("bench takes no arguments")
    return cmd_bench()


if __name__ == "__main__":
    sys.exit(main())
