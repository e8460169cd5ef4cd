"""成绩与证书 → 证书模板: editing, the live preview, saving, the background image, 恢复默认, permissions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from competition_app.certificates.render import TextBox
from competition_app.domain.enums import Role
from competition_app.services.certificate_batch import builtin_template, is_customised, template_for
from db.session import Database
from tests.factories import minimal_event
from tests.support.accounts import make_user
from ui.dialogs import ErrorDialog
from ui.main_window import MainWindow
from ui.navigation_model import NodeKind
from ui.registration_io import FileDialogs
from ui.runner import TaskRunner
from ui.template_editor import FIELD_NAMES, EditorDialogs, TemplateEditor, check_template, edit_template

WAIT_MS = 30_000
# The editor is a window of its own; the offscreen platform has no window manager to size or raise it.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")
X, Y, WIDTH = 1, 2, 3


@pytest.fixture
def competition_id(sqlite_database: Database) -> int:
    with sqlite_database.transaction() as session:
        return minimal_event(session).competition.id


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(ErrorDialog, "show_error", classmethod(lambda cls, parent, title, text: shown.append(text)))
    return shown


@pytest.fixture
def window(qtbot: QtBot, sqlite_database: Database, competition_id: int, tmp_path: Path) -> Iterator[MainWindow]:
    runner = TaskRunner(sqlite_database)
    main = MainWindow(runner, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(main)
    main.tree.setCurrentIndex(main.model.find(NodeKind.COMPETITION, competition_id))
    yield main
    runner.shutdown()


@pytest.fixture
def editor(qtbot: QtBot, window: MainWindow, errors: list[str]) -> Iterator[TemplateEditor]:
    opened = edit_template(window)
    assert opened is not None
    qtbot.waitExposed(opened)
    yield opened
    opened.dirty = False  # nothing to ask about when the test's window closes


def _read(window: MainWindow, competition_id: int, kind: str = "award") -> tuple[object, bool]:
    return window.runner.read(
        lambda session: (template_for(session, competition_id, kind), is_customised(session, competition_id, kind))
    )


def _save(qtbot: QtBot, editor: TemplateEditor) -> None:
    with qtbot.waitSignal(editor.stored, timeout=WAIT_MS):
        editor.save_button.click()


def _field_row(editor: TemplateEditor, key: str) -> int:
    return FIELD_NAMES.index(key)


def _pdf_text(path: Path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def test_opens_with_the_builtin_award_template_and_a_preview(editor: TemplateEditor) -> None:
    assert editor.kind == "award" and editor.kind_combo.currentData() == "award"
    assert editor.fields_model.rowCount() == len(FIELD_NAMES)
    assert editor.texts_model.rows[0].text == "获 奖 证 书"
    assert "使用内置模板" in editor.state_label.text()
    assert not editor.preview_image.isNull()
    assert "阿卜杜热合曼·买买提艾力" in _pdf_text(editor.preview_path)


def test_edited_title_and_name_position_are_saved(
    qtbot: QtBot, editor: TemplateEditor, window: MainWindow, competition_id: int, errors: list[str]
) -> None:
    texts, fields = editor.texts_model, editor.fields_model
    name_row = _field_row(editor, "name")
    assert texts.setData(texts.index(0, 0), "技能大赛获奖证书")
    assert fields.setData(fields.index(name_row, X), 60.5)
    assert fields.setData(fields.index(name_row, Y), 128.0)
    assert editor.dirty and "未保存" in editor.state_label.text()
    _save(qtbot, editor)
    assert errors == []
    stored, customised = _read(window, competition_id)
    assert customised
    assert stored.texts[0].text == "技能大赛获奖证书"  # type: ignore[attr-defined]
    assert stored.fields["name"] == TextBox(60.5, 128.0, 140.0, 30.0, "center")  # type: ignore[attr-defined]
    assert not editor.dirty and "已自定义" in editor.state_label.text()


def test_the_preview_follows_the_edits(qtbot: QtBot, editor: TemplateEditor) -> None:
    before = QImage(editor.preview_image)
    texts = editor.texts_model
    with qtbot.waitSignal(editor.preview_updated, timeout=WAIT_MS):
        texts.setData(texts.index(0, 0), "技能大赛荣誉证书")
    assert "技能大赛荣誉证书" in _pdf_text(editor.preview_path)
    assert editor.preview_image != before


def test_an_unticked_field_is_left_off_and_can_come_back(
    qtbot: QtBot, editor: TemplateEditor, window: MainWindow, competition_id: int
) -> None:
    fields, row = editor.fields_model, _field_row(editor, "number")
    fields.setData(fields.index(row, 0), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    _save(qtbot, editor)
    stored, _customised = _read(window, competition_id)
    assert "number" not in stored.fields  # type: ignore[attr-defined]
    editor.load("award")
    assert fields.rows[row].printed is False
    fields.setData(fields.index(row, 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    _save(qtbot, editor)
    stored, _customised = _read(window, competition_id)
    assert stored.fields["number"] == builtin_template("award").fields["number"]  # type: ignore[attr-defined]


def test_fixed_texts_can_be_added_and_removed(
    qtbot: QtBot, editor: TemplateEditor, window: MainWindow, competition_id: int
) -> None:
    count = editor.texts_model.rowCount()
    editor.add_text()
    assert editor.texts_model.rowCount() == count + 1
    editor.texts_table.selectRow(1)  # 特发此证，以资鼓励。
    editor.remove_texts()
    _save(qtbot, editor)
    stored, _customised = _read(window, competition_id)
    texts = [text.text for text in stored.texts]  # type: ignore[attr-defined]
    assert "新文字" in texts and "特发此证，以资鼓励。" not in texts and len(texts) == count


def test_a_background_image_is_stored_as_bytes(
    *,
    qtbot: QtBot,
    editor: TemplateEditor,
    window: MainWindow,
    competition_id: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    image = QImage(60, 40, QImage.Format.Format_RGB32)
    image.fill(QColor("#f3e2b3"))
    path = tmp_path / "背景.png"
    assert image.save(str(path))
    monkeypatch.setattr(FileDialogs, "open_path", classmethod(lambda cls, parent, title, filters: path))
    with qtbot.waitSignal(editor.preview_updated, timeout=WAIT_MS):
        editor.choose_background()
    assert "60×40" in editor.background_label.text()
    _save(qtbot, editor)
    stored, _customised = _read(window, competition_id)
    assert stored.background == path.read_bytes()  # type: ignore[attr-defined]
    editor.remove_background()
    _save(qtbot, editor)
    stored, _customised = _read(window, competition_id)
    assert stored.background is None  # type: ignore[attr-defined]


def test_a_file_that_is_no_image_is_refused(
    editor: TemplateEditor, errors: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "not-an-image.png"
    path.write_bytes(b"hello")
    monkeypatch.setattr(FileDialogs, "open_path", classmethod(lambda cls, parent, title, filters: path))
    editor.choose_background()
    assert errors == ["背景图片须为 PNG 或 JPEG 格式"]
    assert editor.background is None and not editor.dirty


@pytest.mark.parametrize(
    ("key", "column", "value", "expected"),
    [
        ("unit", WIDTH, 0.0, "字段“单位”的宽度必须大于 0 毫米"),
        ("name", X, 250.0, "字段“姓名”超出纸张左右边界"),
        ("date", Y, 209.0, "字段“发证日期”超出纸张上下边界"),
    ],
)
def test_invalid_values_are_refused_and_nothing_is_saved(
    *,
    editor: TemplateEditor,
    window: MainWindow,
    competition_id: int,
    errors: list[str],
    key: str,
    column: int,
    value: float,
    expected: str,
) -> None:
    fields = editor.fields_model
    fields.setData(fields.index(_field_row(editor, key), column), value)
    editor.save()
    assert len(errors) == 1 and expected in errors[0] and errors[0].startswith("模板未保存")
    assert expected in editor.message.text()
    assert not editor.runner.busy
    _stored, customised = _read(window, competition_id)
    assert not customised
    editor.refresh_preview()
    assert expected in editor.preview_note.text()


def test_a_qr_box_off_the_page_and_an_empty_text_are_named() -> None:
    from dataclasses import replace

    from competition_app.certificates.render import FixedText, QrBox

    template = builtin_template("award")
    assert check_template(template) is None
    assert "二维码超出纸张" in (check_template(replace(template, qr=QrBox(280.0, 20.0, 26.0))) or "")
    empty = replace(template, texts=(*template.texts, FixedText(" ", TextBox(10, 10, 10, 10))))
    assert "固定文字为空" in (check_template(empty) or "")


def test_reset_restores_the_builtin_template(
    qtbot: QtBot, editor: TemplateEditor, window: MainWindow, competition_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = editor.texts_model
    texts.setData(texts.index(0, 0), "自定义标题")
    _save(qtbot, editor)
    asked: list[str] = []
    monkeypatch.setattr(
        EditorDialogs, "confirm", classmethod(lambda cls, parent, title, text: asked.append(text) or True)
    )
    with qtbot.waitSignal(editor.stored, timeout=WAIT_MS):
        editor.reset_button.click()
    assert asked and "内置模板" in asked[0]
    stored, customised = _read(window, competition_id)
    assert not customised and stored == builtin_template("award")
    assert editor.texts_model.rows[0].text == "获 奖 证 书"
    assert editor.template() == builtin_template("award")


def test_reset_can_be_cancelled(
    editor: TemplateEditor, window: MainWindow, competition_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(EditorDialogs, "confirm", classmethod(lambda cls, parent, title, text: False))
    editor.reset_button.click()
    assert not editor.runner.busy


def test_each_kind_has_its_own_template(qtbot: QtBot, editor: TemplateEditor, window: MainWindow,
                                        competition_id: int) -> None:  # fmt: skip
    editor.kind_combo.setCurrentIndex(editor.kind_combo.findData("honour"))
    assert editor.kind == "honour"
    assert editor.texts_model.rows[0].text == "荣 誉 证 书"
    assert "优秀选手" in _pdf_text(editor.preview_path)
    editor.qr_group.setChecked(False)
    _save(qtbot, editor)
    honour, _customised = _read(window, competition_id, "honour")
    award, award_customised = _read(window, competition_id, "award")
    assert honour.qr is None and award.qr is not None and not award_customised  # type: ignore[attr-defined]


def test_without_manage_competitions_saving_is_refused(
    *, qtbot: QtBot, editor: TemplateEditor, sqlite_database: Database, window: MainWindow, competition_id: int,
    errors: list[str],
) -> None:  # fmt: skip
    with sqlite_database.transaction() as session:
        clerk = make_user(session, "li", Role.CLERK)
    sqlite_database.info["actor"] = clerk
    texts = editor.texts_model
    texts.setData(texts.index(0, 0), "不该保存的标题")
    editor.save_button.click()
    qtbot.waitUntil(lambda: bool(errors), timeout=WAIT_MS)
    assert "权限" in errors[0]
    assert editor.dirty and "权限" in editor.message.text()
    _stored, customised = _read(window, competition_id)
    assert not customised


def test_without_a_selected_competition_nothing_opens(window: MainWindow) -> None:
    window.tree.setCurrentIndex(window.model.index(0, 0).parent())
    assert edit_template(window) is None
    assert "请先在左侧选择一项赛事" in window.statusBar().currentMessage()


def test_the_table_editors_are_spin_boxes_and_an_alignment_combo(editor: TemplateEditor) -> None:
    from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QStyleOptionViewItem

    table, model = editor.fields_table, editor.fields_model
    delegate = table.itemDelegate()
    size_index, align_index = model.index(0, 4), model.index(0, 5)
    spin = delegate.createEditor(table.viewport(), QStyleOptionViewItem(), size_index)
    assert isinstance(spin, QDoubleSpinBox)
    delegate.setEditorData(spin, size_index)
    assert spin.value() == 30.0
    spin.setValue(24.5)
    delegate.setModelData(spin, model, size_index)
    combo = delegate.createEditor(table.viewport(), QStyleOptionViewItem(), align_index)
    assert isinstance(combo, QComboBox)
    delegate.setEditorData(combo, align_index)
    assert combo.currentText() == "居中"
    combo.setCurrentIndex(combo.findData("right"))
    delegate.setModelData(combo, model, align_index)
    assert editor.template().fields["name"] == TextBox(78.5, 133.0, 140.0, 24.5, "right")
    assert model.index(0, 5).data() == "右" and editor.dirty
