"""评分 → 导出成绩录入表 / 导入纸质成绩表, as the app runs them (offscreen, real database file)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from competition_app.excel.scores_import import ScoresOutcome, import_scores
from competition_app.excel.scores_sheet import HEADER_ROW
from competition_app.services.scores import ensure_sheet
from competition_app.services.sheets import event_sheets
from db.models import Score
from db.session import Database
from tests.test_scores_import import every_mark, fill, grid_of, setup_event
from ui import score_import
from ui.main_window import MainWindow
from ui.navigation_model import NodeKind
from ui.registration_io import FileDialogs
from ui.runner import TaskRunner
from ui.score_import import (
    ImportOptions,
    ImportOptionsDialog,
    ScoreDialogs,
    ScoresPreviewDialog,
    TemplateOptionsDialog,
)

WAIT_MS = 30_000


@pytest.fixture
def ids(sqlite_database: Database) -> tuple[int, int, int]:
    """(event, 技能操作, 理论知识) of 焊工 with three entries; 理论知识 is single entry + read-back."""
    with sqlite_database.transaction() as session:
        setup = setup_event(session, 3)
        ensure_sheet(session, setup.event_id, setup.practical_id)
        ensure_sheet(session, setup.event_id, setup.theory_id).double_entry = False
        return setup.event_id, setup.practical_id, setup.theory_id


@pytest.fixture
def window(qtbot: QtBot, sqlite_database: Database, ids: tuple[int, int, int], tmp_path: Path) -> Iterator[MainWindow]:
    runner = TaskRunner(sqlite_database)
    main = MainWindow(runner, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(main)
    main.tree.setCurrentIndex(main.model.find(NodeKind.EVENT, ids[0]))
    yield main
    runner.shutdown()


@dataclass
class App:
    window: MainWindow
    database: Database
    ids: tuple[int, int, int]
    template: Path


@pytest.fixture
def app(window: MainWindow, sqlite_database: Database, ids: tuple[int, int, int], tmp_path: Path) -> App:
    return App(window, sqlite_database, ids, template_file(sqlite_database, ids, tmp_path / "录入表.xlsx"))


def scores(database: Database) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(Score)) or 0)


def cells(table: QTableView) -> list[list[str]]:
    model = table.model()
    return [
        [str(model.index(row, column).data() or "") for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def previews(monkeypatch: pytest.MonkeyPatch, *, accept: bool) -> list[ScoresPreviewDialog]:
    shown: list[ScoresPreviewDialog] = []

    def ask(cls: type, parent: object, outcome: ScoresOutcome, path: Path) -> bool:
        shown.append(ScoresPreviewDialog(outcome, path))
        return accept

    monkeypatch.setattr(ScoresPreviewDialog, "ask", classmethod(ask))
    return shown


def template_file(database: Database, ids: tuple[int, int, int], path: Path) -> Path:
    from competition_app.excel.scores_sheet import write_scores_sheet

    with database.transaction() as session:
        return write_scores_sheet(session, ids[0], ids[1], path)


def test_the_template_is_exported_for_the_chosen_component(
    qtbot: QtBot, window: MainWindow, ids: tuple[int, int, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[str, list[str]]] = []

    def choose(cls: type, parent: object, event_name: str, sheets: list[object]) -> tuple[int, int]:
        asked.append((event_name, [status.component_name for status in sheets]))  # type: ignore[attr-defined]
        return ids[1], 2

    target = tmp_path / "第二遍"
    monkeypatch.setattr(ScoreDialogs, "template_options", classmethod(choose))
    monkeypatch.setattr(FileDialogs, "save_path", classmethod(lambda cls, *args: target))
    score_import.export_scores_template(window)
    written = tmp_path / "第二遍.xlsx"  # the suffix is added when the name lacks it
    qtbot.waitUntil(lambda: "已保存成绩录入表" in window.statusBar().currentMessage(), timeout=WAIT_MS)
    assert asked == [("焊工", ["理论知识", "技能操作"])]
    grid = grid_of(written)
    assert grid[4][1] == "第2遍（双人录入）"
    assert [row[0] for row in grid[HEADER_ROW + 1 :]] == ["HG-001", "HG-002", "HG-003"]


def test_the_template_options_offer_pass_two_only_for_double_entry(
    qtbot: QtBot, sqlite_database: Database, ids: tuple[int, int, int], tmp_path: Path
) -> None:
    with sqlite_database.session() as session:
        sheets = event_sheets(session, ids[0])
    dialog = TemplateOptionsDialog("焊工", sheets)
    qtbot.addWidget(dialog)
    assert dialog.component.currentText() == "理论知识（录入中）"
    assert not dialog.pass_no.isEnabled()
    assert "单人录入" in dialog.note.text()
    dialog.component.setCurrentIndex(1)
    assert dialog.pass_no.isEnabled()
    dialog.pass_no.setCurrentIndex(1)
    assert dialog.choice() == (ids[1], 2)
    dialog.component.setCurrentIndex(0)  # back to single entry: pass 2 is not offered
    assert dialog.choice() == (ids[2], 1)
    dialog.grab().save(str(tmp_path / "template_options.png"))


def test_the_import_options_read_the_choices(
    qtbot: QtBot, sqlite_database: Database, ids: tuple[int, int, int]
) -> None:
    with sqlite_database.session() as session:
        sheets = event_sheets(session, ids[0])
    dialog = ImportOptionsDialog(Path("填好.xlsx"), (ids[0], "焊工"), sheets)
    qtbot.addWidget(dialog)
    assert dialog.options() == ImportOptions(None, None, None, False)
    dialog.component.setCurrentIndex(2)
    dialog.pass_no.setCurrentIndex(2)
    dialog.replace.setChecked(True)
    assert dialog.component.currentText() == "只导入 焊工：技能操作"
    assert dialog.options() == ImportOptions(ids[0], ids[1], 2, True)


def test_a_bad_sheet_shows_every_problem_and_writes_nothing(
    qtbot: QtBot, app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, template = app.window, app.template
    marks = every_mark(["HG-001", "HG-002"])
    marks["HG-002"]["3号裁判"] = "850"
    bad = fill(template, tmp_path / "有错.xlsx", marks, extra=[["HG-404", "", "", "80"]])
    monkeypatch.setattr(FileDialogs, "open_path", classmethod(lambda cls, *args: bad))
    monkeypatch.setattr(ScoreDialogs, "import_options", classmethod(lambda cls, *args: ImportOptions()))
    shown = previews(monkeypatch, accept=True)
    score_import.import_scores(window)
    qtbot.waitUntil(lambda: bool(shown), timeout=WAIT_MS)
    dialog = shown[0]
    assert "发现 2 个问题，未写入任何成绩" in dialog.summary.text()
    assert dialog.problems is not None and dialog.import_button is None
    assert cells(dialog.problems) == [
        ["成绩录入", "10", "F列“3号裁判”", "850 超出范围：本项满分 100"],
        ["成绩录入", "12", "A列“参赛编号”", "“HG-404”不是“焊工”的参赛编号"],
    ]
    dialog.grab().save(str(tmp_path / "problems.png"))
    qtbot.wait(50)
    assert scores(app.database) == 0


def test_a_good_sheet_is_previewed_then_keyed(
    qtbot: QtBot, app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, template = app.window, app.template
    good = fill(template, tmp_path / "填好.xlsx", every_mark(["HG-001", "HG-002"], "86.5"))
    monkeypatch.setattr(FileDialogs, "open_path", classmethod(lambda cls, *args: good))
    monkeypatch.setattr(ScoreDialogs, "import_options", classmethod(lambda cls, *args: ImportOptions()))
    shown = previews(monkeypatch, accept=True)
    changed: list[frozenset[object]] = []
    window.runner.changed.connect(changed.append)
    score_import.import_scores(window)
    qtbot.waitUntil(lambda: bool(shown), timeout=WAIT_MS)
    dialog = shown[0]
    assert dialog.summary.text() == "检查通过。新增成绩 10 个（1 张评分表）"
    assert dialog.writes is not None and dialog.import_button is not None
    assert dialog.import_button.text() == "写入 10 个成绩"
    rows = cells(dialog.writes)
    assert len(rows) == 10
    assert rows[0] == ["技能操作", "1", "HG-001", "1号裁判", "", "86.5", "成绩录入 第9行 D列“1号裁判”"]
    dialog.grab().save(str(tmp_path / "writes.png"))
    qtbot.waitUntil(lambda: "已导入成绩：新增成绩 10 个" in window.statusBar().currentMessage(), timeout=WAIT_MS)
    assert scores(app.database) == 10
    assert any("scores" in topics for topics in changed)


def test_a_change_since_the_preview_is_shown_instead_of_written(
    qtbot: QtBot, app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, template = app.window, app.template
    good = fill(template, tmp_path / "填好.xlsx", every_mark(["HG-001"], "70"))
    other = fill(template, tmp_path / "别人的.xlsx", {"HG-001": {"1号裁判": "75"}})
    monkeypatch.setattr(FileDialogs, "open_path", classmethod(lambda cls, *args: good))
    monkeypatch.setattr(ScoreDialogs, "import_options", classmethod(lambda cls, *args: ImportOptions()))
    shown: list[ScoresPreviewDialog] = []

    def ask(cls: type, parent: object, outcome: ScoresOutcome, path: Path) -> bool:
        shown.append(ScoresPreviewDialog(outcome, path))
        if len(shown) == 1:  # somebody imports another sheet while this preview is open
            with app.database.transaction() as session:
                assert import_scores(session, other).written
        return True

    monkeypatch.setattr(ScoresPreviewDialog, "ask", classmethod(ask))
    score_import.import_scores(window)
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=WAIT_MS)
    assert shown[1].problems is not None
    assert "数据库中第1遍已有成绩 75" in cells(shown[1].problems)[0][3]
    assert scores(app.database) == 1
