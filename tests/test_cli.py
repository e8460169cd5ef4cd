"""The command line as a user runs it: a real process, a real database file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from competition_app import __version__

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from ui.entry import main; raise SystemExit(main())", *args],
        cwd=ROOT, capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )  # fmt: skip


def test_help_is_in_chinese_and_lists_commands() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    assert "职业技能竞赛管理" in result.stdout
    assert "demo" in result.stdout and "--db" in result.stdout


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"competition-app {__version__}"


def test_where_follows_db_option_then_environment(tmp_path: Path) -> None:
    from_env = run_cli("where", env={"COMPETITION_APP_DB": str(tmp_path / "env.sqlite3")})
    assert from_env.stdout.strip() == f"SQLite · {tmp_path / 'env.sqlite3'}"
    from_option = run_cli(
        "--db", str(tmp_path / "opt.sqlite3"), "where", env={"COMPETITION_APP_DB": str(tmp_path / "env.sqlite3")}
    )
    assert from_option.stdout.strip() == f"SQLite · {tmp_path / 'opt.sqlite3'}"


def test_demo_creates_a_database_once(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    first = run_cli("--db", str(path), "demo")
    assert first.returncode == 0, first.stderr
    assert "已创建演示数据" in first.stdout
    second = run_cli("--db", str(path), "demo")
    assert second.returncode == 1
    assert "演示数据已存在" in second.stderr
    assert "Traceback" not in second.stderr


def test_unknown_command_is_an_error_not_a_traceback() -> None:
    result = run_cli("frobnicate")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_rules_list_and_show() -> None:
    listing = run_cli("rules", "list")
    assert listing.returncode == 0, listing.stderr
    assert "municipal_class_1_jining" in listing.stdout and "世界技能大赛" in listing.stdout
    shown = run_cli("rules", "show", "municipal_class_1_jining")
    assert shown.returncode == 0, shown.stderr
    assert "济宁市技术能手" in shown.stdout
    unknown = run_cli("rules", "show", "no_such_preset")
    assert unknown.returncode == 2
    assert "municipal_class_1_jining" in unknown.stderr  # the message lists the known presets
    assert "Traceback" not in unknown.stderr


def test_marking_scheme_json_for_the_real_cis_file() -> None:
    import json

    fixture = ROOT / "tests" / "fixtures" / "worldskills" / "wsuk_nationals_2024_web_development_cis.xlsx"
    result = run_cli("marking-scheme", str(fixture), "--json")
    assert result.returncode == 1  # the published file's WSOS 'Aspect Marks' column disagrees with its aspects
    scheme = json.loads(result.stdout)
    assert scheme["total"] == "100"
    assert [c["id"] for c in scheme["criteria"]] == ["A", "B", "C", "D"]
    assert scheme["problems"]


def test_marking_scheme_on_a_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    bogus = tmp_path / "scheme.xlsx"
    bogus.write_text("not a workbook", encoding="utf-8")
    result = run_cli("marking-scheme", str(bogus), "--json")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.strip()
