"""成绩与证书 → 公示文件 and 证书登记簿, as the app runs them on the demo database (offscreen)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate, QSettings, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from competition_app.certificates.numbering import chinese_date
from competition_app.publish_cli import CompetitionHeading
from competition_app.services.certificate_batch import BatchOptions, prepare
from competition_app.services.competitions import find_competition
from db.models import AuditRecord
from db.session import Database
from ui import certificate_register, publication_dialog
from ui.certificate_register import CertificateRegisterWindow, VoidDialogs
from ui.dialogs import ErrorDialog, InfoDialog
from ui.main_window import MainWindow
from ui.navigation_model import NodeKind
from ui.publication_dialog import PublicationDialog, PublicationRequest
from ui.runner import TaskRunner

WAIT_MS = 60_000
SHORT = "运河之星"

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")  # offscreen


@pytest.fixture
def competition_id(demo_database: Database) -> int:
    with demo_database.session() as session:
        return find_competition(session, SHORT)


@pytest.fixture
def window(qtbot: QtBot, demo_database: Database, competition_id: int, tmp_path: Path) -> Iterator[MainWindow]:
    runner = TaskRunner(demo_database)
    main = MainWindow(runner, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(main)
    main.tree.setCurrentIndex(main.model.find(NodeKind.COMPETITION, competition_id))
    yield main
    runner.shutdown()


def _messages(monkeypatch: pytest.MonkeyPatch, dialog: type, method: str) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(dialog, method, classmethod(lambda cls, parent, title, message: shown.append(message)))
    return shown


def test_the_dialog_defaults_and_refuses_a_period_ending_before_it_starts(qtbot: QtBot) -> None:
    heading = CompetitionHeading(1, '2026年济宁市"运河之星"职业技能大赛', SHORT, "济宁市人力资源和社会保障局")
    dialog = PublicationDialog(heading, date(2026, 5, 21))
    qtbot.addWidget(dialog)
    assert (dialog.period_from.date(), dialog.period_to.date()) == (QDate(2026, 5, 21), QDate(2026, 5, 27))
    assert dialog.contact.placeholderText() == "济宁市人力资源和社会保障局"
    assert Path(dialog.folder.text()).name == "运河之星公示文件"
    assert dialog.ok_button.isEnabled() and dialog.problem.text() == ""
    dialog.period_to.setDate(QDate(2026, 5, 20))
    assert not dialog.ok_button.isEnabled() and dialog.problem.text() == "公示期结束日期不能早于开始日期"
    dialog.period_to.setDate(QDate(2026, 5, 29))
    for box in dialog.documents.values():
        box.setChecked(False)
    assert not dialog.ok_button.isEnabled() and dialog.problem.text() == "请至少选择一种文件"
    dialog.documents["awards"].setChecked(True)
    dialog.formats["pdf"].setChecked(False)
    request = dialog.request()
    assert request.options.documents == ("awards",) and request.options.formats == ("xlsx",)
    assert request.options.period_to == date(2026, 5, 29) and request.options.contact is None


def test_export_writes_the_chosen_documents_and_reports_them(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "公示文件"
    seen: list[PublicationDialog] = []

    def ask(cls: type, parent: object, heading: CompetitionHeading) -> PublicationRequest:
        dialog = PublicationDialog(heading, date(2026, 5, 21))
        seen.append(dialog)
        dialog.contact.setText("0537-2345678")
        dialog.documents["titles"].setChecked(False)
        dialog.formats["xlsx"].setChecked(False)
        dialog.folder.setText(str(target))
        return dialog.request()

    monkeypatch.setattr(PublicationDialog, "ask", classmethod(ask))
    infos = _messages(monkeypatch, InfoDialog, "show_info")
    errors = _messages(monkeypatch, ErrorDialog, "show_error")
    publication_dialog.export_publication(window)
    qtbot.waitUntil(lambda: bool(infos or errors), timeout=WAIT_MS)
    assert errors == []
    names = {f"{SHORT}-成绩公示.pdf", f"{SHORT}-获奖名单.pdf", f"{SHORT}-晋升名单.pdf"}
    assert {path.name for path in target.iterdir()} == names
    assert all(name in infos[0] for name in names) and "已输出 3 个文件" in infos[0]
    assert seen[0].heading.name == '2026年济宁市"运河之星"职业技能大赛'
    text = "\n".join(page.extract_text() for page in PdfReader(target / f"{SHORT}-成绩公示.pdf").pages)
    assert f"{chinese_date(date(2026, 5, 21))}至{chinese_date(date(2026, 5, 27))}" in text
    assert "0537-2345678" in text


def test_export_needs_a_competition_and_shows_errors_in_chinese(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")

    def ask(cls: type, parent: object, heading: CompetitionHeading) -> PublicationRequest:
        dialog = PublicationDialog(heading, date(2026, 5, 21))
        dialog.folder.setText(str(blocker / "公示"))
        return dialog.request()

    monkeypatch.setattr(PublicationDialog, "ask", classmethod(ask))
    errors = _messages(monkeypatch, ErrorDialog, "show_error")
    publication_dialog.export_publication(window)
    qtbot.waitUntil(lambda: bool(errors), timeout=WAIT_MS)
    assert errors[0].startswith("无法写入文件")

    window.tree.clearSelection()
    window.tree.setCurrentIndex(window.model.index(-1, -1))
    publication_dialog.export_publication(window)
    assert window.statusBar().currentMessage() == "请先在左侧选择一个赛事"


# --- 证书登记簿 -------------------------------------------------------------------------------


@pytest.fixture
def issued(demo_database: Database, competition_id: int) -> int:
    """The 济宁 competition's 12 award certificates (电工, its one official event) in the register."""
    with demo_database.transaction() as session:
        prepared = prepare(session, competition_id, BatchOptions())
    assert prepared.issued == 12
    return competition_id


def _register_cells(register: CertificateRegisterWindow) -> list[list[str]]:
    model = register.table.model()
    return [[str(model.index(row, column).data()) for column in range(model.columnCount())]
            for row in range(model.rowCount())]  # fmt: skip


def test_the_register_lists_voids_and_verifies(
    qtbot: QtBot, window: MainWindow, issued: int, demo_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    certificate_register.show_register(window)
    register = window.findChild(CertificateRegisterWindow, f"certificate_register_{issued}")
    assert register is not None and register.isVisible()
    ModelTester(None).check(register.model)  # type: ignore[arg-type]
    rows = _register_cells(register)
    assert len(rows) == 12 and register.count.text() == "共 12 张，其中作废 0 张"
    assert {row[3] for row in rows} == {"电工"} and {row[5] for row in rows} == {"有效"}
    assert {row[7] for row in rows} == {"0"}
    assert not register.void_button.isEnabled()  # nothing selected yet

    register.table.selectRow(2)
    chosen = register.selected_row()
    assert chosen is not None and register.void_button.isEnabled()
    asked: list[tuple[str, str]] = []

    def reason(cls: type, parent: object, number: str, holder: str) -> str:
        asked.append((number, holder))
        return "姓名印错，重新发证"

    monkeypatch.setattr(VoidDialogs, "reason", classmethod(reason))
    with qtbot.waitSignal(register.voided, timeout=WAIT_MS) as signal:
        register.void_selected()
    assert signal.args == [chosen.number] and asked == [(chosen.number, chosen.holder_name)]
    qtbot.waitUntil(lambda: register.count.text() == "共 12 张，其中作废 1 张", timeout=WAIT_MS)
    statuses = {row[0]: row[5] for row in _register_cells(register)}
    assert statuses[chosen.number] == "已作废" and list(statuses.values()).count("有效") == 11
    with demo_database.session() as session:
        record = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "certificate.void").order_by(AuditRecord.id.desc())
        ).first()
        assert record is not None and record.reason == "姓名印错，重新发证"
        assert record.new_value == {"number": chosen.number, "status": "voided"}

    genuine = next(row for row in register.model.rows if not row.voided)
    register.verify_input.setText(genuine.payload)
    qtbot.keyClick(register.verify_input, Qt.Key.Key_Return)
    assert register.verdict.property("genuine") is True
    assert register.verdict.text().startswith("真实有效") and genuine.holder_name in register.verdict.text()
    assert "#1b5e20" in register.verdict.styleSheet()

    signature = genuine.payload[-1]
    tampered = genuine.payload[:-1] + ("A" if signature != "A" else "B")
    register.verify_input.setText(tampered)
    register.verify_button.click()
    assert register.verdict.property("genuine") is False
    assert register.verdict.text().startswith("无法确认为真") and "#b00020" in register.verdict.styleSheet()

    register.verify_input.setText(chosen.payload)  # genuine signature, but voided
    register.verify_button.click()
    assert register.verdict.property("genuine") is False
