"""Workbook import with a preview, exports and the draw, as the app runs them (offscreen)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from competition_app.domain import idcard
from competition_app.domain.enums import DrawKind, Gender, Level, PersonStatus, TierClass
from competition_app.services.competitions import CompetitionSpec, EventSpec, GroupSpec, add_event, create_competition
from competition_app.services.people import PersonInput, register
from db.models import Draw, Entry, Person
from db.session import Database
from tests.test_excel_import import entry_row, good_sheets, write_workbook
from ui import registration_io
from ui.main_window import MainWindow
from ui.navigation_model import NodeKind
from ui.registration_io import DrawDialogs, FileDialogs, ImportPreviewDialog
from ui.runner import TaskRunner

WAIT_MS = 30_000


@pytest.fixture
def event_id(sqlite_database: Database) -> int:
    with sqlite_database.transaction() as session:
        competition_id = create_competition(
            session,
            CompetitionSpec(name="2026年济宁市职业技能大赛", year=2026, level=Level.MUNICIPAL,
                            tier_class=TierClass.CLASS_1, preset_key="municipal_class_1_jining",
                            start_date=date(2026, 5, 20)),
        )  # fmt: skip
        event = add_event(
            session, competition_id, EventSpec("钳工", "钳工", (GroupSpec("职工组", frozenset({PersonStatus.WORKER})),))
        )
        for n in range(1, 6):
            number = idcard.compose("370811", date(1990, 1, n), n, Gender.MALE)
            register(session, event, "职工组", PersonInput(name=f"选手{n}", id_number=number, unit="济宁重工"))
    return event


@pytest.fixture
def window(qtbot: QtBot, sqlite_database: Database, event_id: int, tmp_path: Path) -> Iterator[MainWindow]:
    runner = TaskRunner(sqlite_database)
    main = MainWindow(runner, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(main)
    main.tree.setCurrentIndex(main.model.find(NodeKind.EVENT, event_id))
    yield main
    runner.shutdown()


def answer_files(monkeypatch: pytest.MonkeyPatch, *, save: Path | None = None, open_: Path | None = None) -> None:
    monkeypatch.setattr(FileDialogs, "save_path", classmethod(lambda cls, *args: save))
    monkeypatch.setattr(FileDialogs, "open_path", classmethod(lambda cls, *args: open_))


def count(database: Database, model: type) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def previews(monkeypatch: pytest.MonkeyPatch, *, accept: bool) -> list[ImportPreviewDialog]:
    shown: list[ImportPreviewDialog] = []

    def ask(cls: type, parent: object, outcome: object, path: Path) -> bool:
        shown.append(ImportPreviewDialog(outcome, path))
        return accept

    monkeypatch.setattr(ImportPreviewDialog, "ask", classmethod(ask))
    return shown


def test_a_bad_workbook_shows_every_problem_and_writes_nothing(
    qtbot: QtBot, window: MainWindow, sqlite_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sheets = good_sheets()
    sheets["选手报名"].append(entry_row(name="坏号", id_number="370811199001010010"))
    answer_files(monkeypatch, open_=write_workbook(tmp_path / "报名.xlsx", sheets))
    shown = previews(monkeypatch, accept=True)
    people = count(sqlite_database, Person)
    registration_io.import_workbook(window)
    qtbot.waitUntil(lambda: bool(shown), timeout=WAIT_MS)
    dialog = shown[0]
    assert "未导入任何数据" in dialog.summary.text()
    model = dialog.table.model()
    cells = [[model.index(row, column).data() for column in range(4)] for row in range(model.rowCount())]
    row = str(len(sheets["选手报名"]))  # the last row, in Excel's numbering (header = 1)
    assert any(c[:2] == ["选手报名", row] and "证件号码" in c[2] and "校验位错误" in c[3] for c in cells), cells
    assert not hasattr(dialog, "import_button")  # nothing to import: only 关闭
    qtbot.wait(50)
    assert count(sqlite_database, Person) == people


def test_a_good_workbook_is_previewed_then_imported(
    qtbot: QtBot, window: MainWindow, sqlite_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_files(monkeypatch, open_=write_workbook(tmp_path / "报名.xlsx", good_sheets()))
    shown = previews(monkeypatch, accept=True)
    people = count(sqlite_database, Person)
    registration_io.import_workbook(window)
    qtbot.waitUntil(lambda: bool(shown), timeout=WAIT_MS)
    assert "检查通过，可以导入" in shown[0].summary.text()
    assert count(sqlite_database, Person) == people  # the preview wrote nothing
    qtbot.waitUntil(lambda: count(sqlite_database, Person) == people + 3, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "已导入" in window.statusBar().currentMessage(), timeout=WAIT_MS)


def test_the_template_is_written_from_the_menu(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "模板.xlsx"
    answer_files(monkeypatch, save=target)
    registration_io.write_template(window)
    qtbot.waitUntil(target.exists, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "已保存模板" in window.statusBar().currentMessage(), timeout=WAIT_MS)
    assert {"赛事", "赛项", "选手报名", "裁判"} <= set(CalamineWorkbook.from_path(str(target)).sheet_names)


def test_a_draw_then_a_redraw_with_its_reason_and_the_draw_sheet(
    qtbot: QtBot, window: MainWindow, sqlite_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sheet = tmp_path / "抽签结果表.pdf"
    answer_files(monkeypatch, save=sheet)
    monkeypatch.setattr(DrawDialogs, "seed", classmethod(lambda cls, *args: "2026"))
    reasons: list[str] = []
    monkeypatch.setattr(DrawDialogs, "reason", classmethod(lambda cls, *args: reasons.append(args[2]) or "抽签箱故障"))
    monkeypatch.setattr(registration_io.InfoDialog, "show_info", classmethod(lambda cls, *args: None))

    registration_io.draw_stations(window)
    qtbot.waitUntil(sheet.exists, timeout=WAIT_MS)
    with sqlite_database.session() as session:
        stations = sorted(session.scalars(select(Entry.station)).all())
    assert stations == ["01", "02", "03", "04", "05"]
    assert reasons == []  # a first draw needs no reason

    sheet.unlink()
    registration_io.draw_stations(window)
    qtbot.waitUntil(sheet.exists, timeout=WAIT_MS)
    assert "重新抽签须填写原因" in reasons[0]
    with sqlite_database.session() as session:
        draws = session.scalars(select(Draw).where(Draw.kind == DrawKind.STATION).order_by(Draw.id)).all()
        assert [(d.is_current, d.reason) for d in draws] == [(False, None), (True, "抽签箱故障")]
    assert sheet.read_bytes().startswith(b"%PDF")


def test_a_redraw_without_a_reason_changes_nothing(
    qtbot: QtBot, window: MainWindow, sqlite_database: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    answer_files(monkeypatch, save=None)
    monkeypatch.setattr(DrawDialogs, "seed", classmethod(lambda cls, *args: ""))
    monkeypatch.setattr(registration_io.InfoDialog, "show_info", classmethod(lambda cls, *args: None))
    registration_io.draw_codes(window)
    qtbot.waitUntil(lambda: count(sqlite_database, Draw) == 1, timeout=WAIT_MS)
    monkeypatch.setattr(DrawDialogs, "reason", classmethod(lambda cls, *args: None))  # the user cancels
    registration_io.draw_codes(window)
    qtbot.wait(100)
    assert count(sqlite_database, Draw) == 1


@pytest.mark.parametrize("export", [("export_roster", ".xlsx"), ("export_signin", ".pdf"), ("export_bibs", ".pdf"),
                                    ("export_bibs", ".xlsx")])  # fmt: skip
def test_exports_write_their_files(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, export: tuple[str, str]
) -> None:
    handler, suffix = export
    target = tmp_path / f"导出{suffix}"
    answer_files(monkeypatch, save=target)
    getattr(registration_io, handler)(window)
    qtbot.waitUntil(target.exists, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "已保存" in window.statusBar().currentMessage(), timeout=WAIT_MS)
    data = target.read_bytes()
    assert data.startswith(b"%PDF") if suffix == ".pdf" else data.startswith(b"PK")
