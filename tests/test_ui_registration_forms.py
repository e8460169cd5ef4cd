"""The registration dialogs offscreen: live checks in the person form, competitions and events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from competition_app.domain import idcard
from competition_app.domain.enums import ComponentKind, Gender, Level, PersonStatus, TierClass
from competition_app.services.competitions import (
    CompetitionSpec,
    EventSpec,
    GroupSpec,
    add_event,
    create_competition,
    event_spec,
)
from competition_app.services.people import PersonField, PersonInput, register, registration_contexts
from db.models import Competition, Entry, Person, RuleSet
from db.session import Database
from ui.actions import ActionId
from ui.competition_dialogs import CompetitionDialog, EventDialog
from ui.judges_dialog import JudgesDialog
from ui.main_window import MainWindow
from ui.navigation_model import NodeKind
from ui.person_form import PersonForm
from ui.runner import TaskRunner
from ui.teams_dialog import TeamsDialog

WAIT_MS = 30_000
DAY = date(2026, 5, 20)
VALID = idcard.compose("370811", date(1990, 5, 18), 1, Gender.MALE)
KNOWN = idcard.compose("370802", date(1985, 7, 9), 2, Gender.FEMALE)
TOO_OLD = idcard.compose("370802", date(1960, 1, 1), 3, Gender.MALE)


def _wrong_check(number: str) -> str:
    return number[:-1] + ("0" if number[-1] != "0" else "1")


@pytest.fixture
def prepared(sqlite_database: Database) -> tuple[int, int]:
    """A competition with a 焊工 event (16–60 years, on DAY) and one person already entered."""
    with sqlite_database.transaction() as session:
        competition_id = create_competition(
            session,
            CompetitionSpec(
                name="2026年济宁市职业技能大赛",
                year=2026,
                level=Level.MUNICIPAL,
                tier_class=TierClass.CLASS_1,
                preset_key="municipal_class_1_jining",
                start_date=DAY,
            ),
        )
        event_id = add_event(
            session,
            competition_id,
            EventSpec(
                name="焊工",
                occupation="焊工",
                groups=(GroupSpec("职工组", frozenset({PersonStatus.WORKER})), GroupSpec("学生组")),
                min_age=16,
                max_age=60,
            ),
        )
        register(session, event_id, "职工组", PersonInput(name="李梅", id_number=KNOWN, unit="济宁重工"), bib="HG-007")
    return competition_id, event_id


@pytest.fixture
def runner(sqlite_database: Database) -> Iterator[TaskRunner]:
    task_runner = TaskRunner(sqlite_database)
    yield task_runner
    task_runner.shutdown()


@pytest.fixture
def form(qtbot: QtBot, runner: TaskRunner, prepared: tuple[int, int]) -> PersonForm:
    competition_id, event_id = prepared
    contexts = runner.read(lambda session: registration_contexts(session, competition_id))
    dialog = PersonForm(runner, contexts, event_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def error_of(form: PersonForm, field: PersonField) -> str:
    label = form.errors[field]
    return label.text() if label.isVisibleTo(form) else ""


def type_into(qtbot: QtBot, widget: QLineEdit, text: str) -> None:
    """Type ``text``: key by key where QTest can (ASCII), else as an input method would."""
    widget.setFocus()
    if text.isascii():
        qtbot.keyClicks(widget, text)
    else:
        widget.insert(text)


def test_a_wrong_checksum_is_shown_and_blocks_ok(qtbot: QtBot, form: PersonForm) -> None:
    type_into(qtbot, form.name, "张三")
    type_into(qtbot, form.id_number, _wrong_check(VALID))
    assert "校验位错误" in error_of(form, PersonField.ID_NUMBER)
    assert not form.ok_button.isEnabled()
    form.id_number.clear()
    type_into(qtbot, form.id_number, VALID)
    assert error_of(form, PersonField.ID_NUMBER) == ""
    assert form.ok_button.isEnabled()


def test_a_valid_number_fills_birth_date_and_gender(qtbot: QtBot, form: PersonForm) -> None:
    type_into(qtbot, form.id_number, " ３７" + VALID[2:])  # full-width digits and a space are folded
    assert form.birth_date.text() == "1990-05-18"
    assert form.gender.currentData() == Gender.MALE
    # A different number refills what it filled before.
    form.id_number.setText(KNOWN)
    assert form.birth_date.text() == "1985-07-09"
    assert form.gender.currentData() == Gender.FEMALE


def test_a_typed_gender_that_contradicts_the_number_is_flagged(qtbot: QtBot, form: PersonForm) -> None:
    type_into(qtbot, form.name, "张三")
    type_into(qtbot, form.id_number, VALID)
    form.gender.setCurrentIndex(form.gender.findData(Gender.FEMALE))
    assert error_of(form, PersonField.GENDER) == "与证件号码不符：号码显示为男"
    assert not form.ok_button.isEnabled()
    form.birth_date.setText("1990-05-19")
    assert error_of(form, PersonField.BIRTH_DATE) == "与证件号码不符：号码显示为1990-05-18"


def test_an_age_outside_the_events_limits_is_flagged(qtbot: QtBot, form: PersonForm) -> None:
    type_into(qtbot, form.name, "王老")
    type_into(qtbot, form.id_number, TOO_OLD)
    assert error_of(form, PersonField.BIRTH_DATE) == "比赛日（2026-05-20）年龄66岁，超过本赛项最高年龄60岁"
    assert not form.ok_button.isEnabled()


def test_a_student_in_the_workers_group_is_flagged(qtbot: QtBot, form: PersonForm) -> None:
    type_into(qtbot, form.name, "张三")
    type_into(qtbot, form.id_number, VALID)
    form.status.setCurrentIndex(form.status.findData(PersonStatus.STUDENT))
    assert error_of(form, PersonField.STATUS) == "“职工组”只接受职工"
    form.group.setCurrentIndex(form.group.findData("学生组"))
    assert error_of(form, PersonField.STATUS) == ""


def test_the_form_is_keyboard_only_in_field_order(qtbot: QtBot, form: PersonForm) -> None:
    enabled = [editor for editor in form.editors.values() if editor.isEnabled()]
    assert form.team not in enabled  # an individual event has no teams to pick
    form.event_picker.setFocus()
    seen = [QApplication.focusWidget()]
    for _step in range(len(enabled) - 1):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    assert seen == enabled


def test_a_known_person_fills_the_form_shows_history_and_a_duplicate_is_refused(qtbot: QtBot, form: PersonForm) -> None:
    type_into(qtbot, form.id_number, KNOWN)
    assert form.name.text() == "李梅"
    assert form.unit.text() == "济宁重工"
    assert "参赛经历" in form.history.text() and "2026年济宁市职业技能大赛" in form.history.text()
    message = error_of(form, PersonField.ENTRY)
    assert message == "李梅已报名本赛项（职工组，参赛编号HG-007，已报名），同一人不能在一个赛项中报名两次"
    assert not form.ok_button.isEnabled()


def test_a_refusal_from_the_service_shows_next_to_the_field(
    qtbot: QtBot, form: PersonForm, sqlite_database: Database
) -> None:
    type_into(qtbot, form.name, "张三")
    type_into(qtbot, form.id_number, VALID)
    type_into(qtbot, form.bib, "HG-007")  # taken: only the service knows
    assert form.ok_button.isEnabled()
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: error_of(form, PersonField.BIB) != "", timeout=WAIT_MS)
    assert error_of(form, PersonField.BIB) == "参赛编号HG-007已给了李梅"
    assert form.isVisible()


def test_saving_registers_the_person(qtbot: QtBot, form: PersonForm, sqlite_database: Database) -> None:
    type_into(qtbot, form.name, "张三")
    type_into(qtbot, form.id_number, VALID)
    type_into(qtbot, form.unit, "兖州煤机")
    type_into(qtbot, form.phone, "13905371234")
    with qtbot.waitSignal(form.runner.changed, timeout=WAIT_MS):
        qtbot.keyClick(form.phone, Qt.Key.Key_Return)
    assert form.entry_id is not None
    assert not form.isVisible()
    with sqlite_database.session() as session:
        entry = session.get(Entry, form.entry_id)
        assert entry is not None
        person = session.get(Person, entry.person_id)
        assert person is not None
        assert (person.name, person.gender, person.birth_date, person.phone) == (
            "张三",
            Gender.MALE,
            date(1990, 5, 18),
            "13905371234",
        )


# --- competitions and events --------------------------------------------------------------------


def test_creating_a_competition_from_a_preset_copies_its_rule_set(
    qtbot: QtBot, runner: TaskRunner, sqlite_database: Database
) -> None:
    dialog = CompetitionDialog(runner)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.level.setCurrentIndex(dialog.level.findData(Level.PROVINCIAL))
    assert dialog.preset.currentData() == "provincial_class_1"  # the tier picks its preset
    assert "规则：" in dialog.description.toPlainText()
    dialog.preset.setCurrentIndex(dialog.preset.findData("provincial_class_1_sichuan"))
    assert "四川工匠杯" in dialog.description.toPlainText()
    assert not dialog.ok_button.isEnabled()  # no name yet
    dialog.name.insert("2026年“四川工匠杯”职业技能大赛")
    dialog.year.setValue(2026)
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    with sqlite_database.session() as session:
        competition = session.scalar(select(Competition).where(Competition.id == dialog.result_id))
        assert competition is not None and competition.level is Level.PROVINCIAL
        presets = session.scalars(select(RuleSet.preset_key).where(RuleSet.competition_id == competition.id)).all()
        assert presets == ["provincial_class_1_sichuan"]


def test_a_duplicate_competition_name_is_shown_under_the_name(
    qtbot: QtBot, runner: TaskRunner, prepared: tuple[int, int]
) -> None:
    dialog = CompetitionDialog(runner)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name.insert("2026年济宁市职业技能大赛")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    error = dialog.errors["赛事名称"]
    qtbot.waitUntil(lambda: error.isVisibleTo(dialog), timeout=WAIT_MS)
    assert error.text() == "已有同名赛事“2026年济宁市职业技能大赛”"


def test_the_event_dialog_refuses_weights_not_summing_to_one(
    qtbot: QtBot, runner: TaskRunner, prepared: tuple[int, int], sqlite_database: Database
) -> None:
    competition_id, _event_id = prepared
    dialog = EventDialog(runner, competition_id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name.insert("电工")
    dialog.occupation.insert("电工")
    assert dialog.ok_button.isEnabled()  # no components: the rule set's are used
    dialog.add_component("理论知识", ComponentKind.THEORY, Decimal("0.3"))
    dialog.add_component("技能操作", ComponentKind.PRACTICAL, Decimal("0.6"))
    assert dialog.weight_sum.text() == "权重合计 0.9，应为 1"
    assert not dialog.ok_button.isEnabled()
    dialog.components.setData(dialog.components.index(1, 2), "70%")
    assert dialog.weight_sum.text() == "权重合计 1"
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    with sqlite_database.session() as session:
        spec = event_spec(session, dialog.result_id or 0)
    assert [(c.name, c.weight) for c in spec.components] == [("理论知识", Decimal("0.3")), ("技能操作", Decimal("0.7"))]
    assert [g.name for g in spec.groups] == ["职工组"]


def test_editing_an_event_loads_it_and_saves_changes(
    qtbot: QtBot, runner: TaskRunner, prepared: tuple[int, int], sqlite_database: Database
) -> None:
    competition_id, event_id = prepared
    spec = runner.read(lambda session: event_spec(session, event_id))
    dialog = EventDialog(runner, competition_id, event_id, spec)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.name.text() == "焊工"
    assert (dialog.min_age.value(), dialog.max_age.value()) == (16, 60)
    assert dialog.groups.rowCount() == 2
    dialog.max_age.setValue(55)
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    with sqlite_database.session() as session:
        assert event_spec(session, event_id).max_age == 55


# --- judges and teams -----------------------------------------------------------------------------


def test_the_judges_dialog_adds_assigns_and_warns_of_avoidance(
    qtbot: QtBot, runner: TaskRunner, prepared: tuple[int, int]
) -> None:
    competition_id, event_id = prepared
    events = runner.read(lambda session: registration_contexts(session, competition_id))
    dialog = JudgesDialog(runner, competition_id, events)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.conflicts_label.isVisibleTo(dialog)
    dialog.name.insert("王建国")
    dialog.unit.insert("济宁重工")  # the unit of 李梅, entered in 焊工
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=WAIT_MS)
    dialog.table.selectRow(0)
    dialog.event_picker.setCurrentIndex(dialog.event_picker.findData(event_id))
    qtbot.mouseClick(dialog.assign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.conflicts), timeout=WAIT_MS)
    assert dialog.conflicts_label.isVisibleTo(dialog)
    assert dialog.conflicts_label.text() == "回避：裁判王建国（济宁重工）评判“焊工”，本单位选手1人：李梅"
    assert dialog.model.index(0, 4).data() == "焊工 · 裁判员"


def test_the_teams_dialog_says_an_individual_event_has_none(
    qtbot: QtBot, runner: TaskRunner, prepared: tuple[int, int]
) -> None:
    _competition_id, event_id = prepared
    dialog = TeamsDialog(runner, event_id)
    qtbot.addWidget(dialog)
    assert dialog.summary.text() == "“焊工”是个人赛项，不设团队。"
    assert not dialog.create_button.isEnabled()


# --- the menu actions -------------------------------------------------------------------------------


def test_the_actions_open_the_dialogs_for_the_selected_event(
    qtbot: QtBot,
    runner: TaskRunner,
    prepared: tuple[int, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    competition_id, event_id = prepared
    window = MainWindow(runner, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    asked: list[tuple[str, tuple[object, ...]]] = []

    def recorder(name: str, result: object = None) -> object:
        def ask(_cls: type, _parent: object, _runner: object, *args: object) -> object:
            asked.append((name, args))
            return result

        return classmethod(ask)

    monkeypatch.setattr(PersonForm, "ask", recorder("person", 1))
    monkeypatch.setattr(EventDialog, "ask", recorder("event", event_id))
    monkeypatch.setattr(TeamsDialog, "ask", recorder("teams"))
    monkeypatch.setattr(JudgesDialog, "ask", recorder("judges"))
    window.tree.setCurrentIndex(window.model.find(NodeKind.EVENT, event_id))
    for action in (ActionId.ADD_PERSON, ActionId.EDIT_EVENT, ActionId.TEAMS, ActionId.JUDGES, ActionId.ADD_EVENT):
        window.action_collection[action].trigger()
    assert asked == [
        ("person", (competition_id, event_id)),
        ("event", (competition_id, event_id)),
        ("teams", (event_id,)),
        ("judges", (competition_id,)),
        ("event", (competition_id,)),
    ]
    assert window.action_collection[ActionId.ADD_PERSON].shortcut().toString() == "Ctrl+Shift+N"
