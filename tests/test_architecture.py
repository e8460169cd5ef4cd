"""The house rules that keep the core free of Qt and the UI free of SQL, checked as tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [LINT_IMPORTS, "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_import_contracts_hold() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("competition_app/stray.py", "import PySide6.QtCore\n"),
        ("db/stray.py", "from PySide6 import QtWidgets\n"),
        ("ui/stray.py", "from sqlalchemy import select\n"),
        ("ui/stray.py", "from db.models import Score\n"),
    ],
)
def test_import_contracts_catch_a_violation(tmp_path: Path, module: str, line: str) -> None:
    for package in ("competition_app", "db", "ui"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / module).write_text(line, encoding="utf-8")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout


def _modules_loaded_by(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    return set(result.stdout.split())


def test_the_core_and_data_layer_load_without_qt() -> None:
    loaded = _modules_loaded_by(
        "import competition_app.cli, competition_app.services.navigation, competition_app.services.audit, "
        "db.session, db.models"
    )
    assert "PySide6" not in loaded and "shiboken6" not in loaded


def test_command_line_help_imports_no_heavy_library() -> None:
    loaded = _modules_loaded_by(
        "import contextlib, io\n"
        "from ui.entry import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    main_args = ['--help']\n"
        "    import sys; sys.argv = ['competition-app', *main_args]; main()\n"
    )
    assert not loaded & {"PySide6", "pandas", "reportlab", "alembic"}
