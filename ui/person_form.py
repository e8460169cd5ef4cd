"""新增选手: the contestant form, checked as the user types.

Every keystroke runs ``services.people.check_person`` — the same checks ``register`` applies
when saving — and shows each problem in red under its field; 确定 stays disabled while any is
left. A valid document number fills gender and birth date when they are empty, and looks the
person up: someone already known fills the form and shows their history (titles, promotions,
past competitions), and a second entry in the same event is refused before saving.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from competition_app.domain.enums import EventKind, Gender, IdType, PersonStatus, SkillLevel
from competition_app.domain.person_fields import FieldError, check_document
from competition_app.services.people import (
    EventContext,
    PersonField,
    PersonInput,
    PersonView,
    RegistrationError,
    check_person,
    find_person,
    register,
    registration_contexts,
)
from competition_app.tasks import Change, Progress
from ui.i18n import QT_TRANSLATE_NOOP, translate

if TYPE_CHECKING:
    from ui.runner import TaskRunner

CONTEXT = "PersonForm"
ERROR_COLOUR = "#c62828"
SAVED_CHANGES = frozenset({Change.PEOPLE, Change.ENTRIES})
E = TypeVar("E", bound=StrEnum)


def _tr(text: str) -> str:
    return translate(CONTEXT, text)


class ErrorLabel(QLabel):
    """A red message under a field; hidden while there is nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_message(self, message: str | None) -> None:
        self.setText(message or "")
        self.setVisible(bool(message))


def field_with_error(editor: QWidget, error: ErrorLabel, parent: QWidget) -> QWidget:
    """The editor with its error label right under it, as one cell of a form."""
    box = QWidget(parent)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(editor)
    layout.addWidget(error)
    box.setFocusProxy(editor)
    return box


def enum_data(combo: QComboBox, enum: type[E]) -> E | None:
    """The enum member stored as the combo box's current item data (Qt hands back a plain str)."""
    data = combo.currentData()
    return None if data is None or data == "" else enum(data)


def keep_minimum_size(dialog: QDialog) -> None:
    """Fix the dialog's minimum size now, so error labels that come and go later do not
    change it (every change would ask the window manager to re-read the size hints)."""
    layout = dialog.layout()
    if layout is None:
        return
    layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
    dialog.setMinimumSize(layout.sizeHint())


def hint_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


_LABELS: dict[PersonField, str] = {
    PersonField.EVENT: QT_TRANSLATE_NOOP("PersonForm", "赛项"),
    PersonField.GROUP: QT_TRANSLATE_NOOP("PersonForm", "组别"),
    PersonField.ID_TYPE: QT_TRANSLATE_NOOP("PersonForm", "证件类型"),
    PersonField.ID_NUMBER: QT_TRANSLATE_NOOP("PersonForm", "证件号码"),
    PersonField.NAME: QT_TRANSLATE_NOOP("PersonForm", "姓名"),
    PersonField.GENDER: QT_TRANSLATE_NOOP("PersonForm", "性别"),
    PersonField.BIRTH_DATE: QT_TRANSLATE_NOOP("PersonForm", "出生日期"),
    PersonField.STATUS: QT_TRANSLATE_NOOP("PersonForm", "身份"),
    PersonField.UNIT: QT_TRANSLATE_NOOP("PersonForm", "单位"),
    PersonField.REGION: QT_TRANSLATE_NOOP("PersonForm", "地区"),
    PersonField.PHONE: QT_TRANSLATE_NOOP("PersonForm", "联系电话"),
    PersonField.SKILL_LEVEL: QT_TRANSLATE_NOOP("PersonForm", "职业技能等级"),
    PersonField.CERTIFICATE_NO: QT_TRANSLATE_NOOP("PersonForm", "证书编号"),
    PersonField.BIB: QT_TRANSLATE_NOOP("PersonForm", "参赛编号"),
    PersonField.TEAM: QT_TRANSLATE_NOOP("PersonForm", "团队"),
}
"""The form's rows, in tab order."""


class PersonForm(QDialog):
    """Registers one person in one event of a competition."""

    saved = Signal(int)
    """The new entry's id, once the background save has committed."""

    def __init__(
        self,
        runner: TaskRunner,
        contexts: Sequence[EventContext],
        event_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("person_form")
        self.runner = runner
        self.contexts = tuple(contexts)
        self.entry_id: int | None = None
        self.found: PersonView | None = None
        self._looked_up: tuple[IdType, str] | None = None
        self._auto_filled: set[PersonField] = set()
        self._saving = False

        self._build_editors()
        self._build_layout()
        self._connect()
        self.retranslate_ui()
        keep_minimum_size(self)
        self.resize(max(self.width(), 920), max(self.height(), 640))
        if event_id is not None:
            found = self.event_picker.findData(event_id)
            if found >= 0:
                self.event_picker.setCurrentIndex(found)
        self._event_changed()
        self.id_number.setFocus(Qt.FocusReason.OtherFocusReason)

    def _build_editors(self) -> None:
        self.event_picker = QComboBox(self)
        for context in self.contexts:
            self.event_picker.addItem(context.name, context.id)
        self.group = QComboBox(self)
        self.id_type = QComboBox(self)
        for id_type in IdType:
            self.id_type.addItem(id_type.label, id_type)
        self.id_number = QLineEdit(self)
        self.id_number.setMaxLength(40)
        self.name = QLineEdit(self)
        self.name.setMaxLength(60)
        self.gender = QComboBox(self)
        self.gender.addItem("", None)
        for gender in Gender:
            self.gender.addItem(gender.label, gender)
        self.birth_date = QLineEdit(self)
        self.status = QComboBox(self)
        for status in PersonStatus:
            self.status.addItem(status.label, status)
        self.unit = QLineEdit(self)
        self.region = QLineEdit(self)
        self.phone = QLineEdit(self)
        self.skill_level = QComboBox(self)
        self.skill_level.addItem("", None)
        for level in SkillLevel:
            self.skill_level.addItem(level.label, level)
        self.certificate_no = QLineEdit(self)
        self.bib = QLineEdit(self)
        self.bib.setMaxLength(20)
        self.team = QComboBox(self)

        self.editors: dict[PersonField, QWidget] = {
            PersonField.EVENT: self.event_picker,
            PersonField.GROUP: self.group,
            PersonField.ID_TYPE: self.id_type,
            PersonField.ID_NUMBER: self.id_number,
            PersonField.NAME: self.name,
            PersonField.GENDER: self.gender,
            PersonField.BIRTH_DATE: self.birth_date,
            PersonField.STATUS: self.status,
            PersonField.UNIT: self.unit,
            PersonField.REGION: self.region,
            PersonField.PHONE: self.phone,
            PersonField.SKILL_LEVEL: self.skill_level,
            PersonField.CERTIFICATE_NO: self.certificate_no,
            PersonField.BIB: self.bib,
            PersonField.TEAM: self.team,
        }

    def _build_layout(self) -> None:
        self.errors: dict[PersonField, ErrorLabel] = {field: ErrorLabel(self) for field in PersonField}
        self._row_labels: dict[PersonField, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for field, editor in self.editors.items():
            editor.setObjectName(f"person_{field.value}")
            label = QLabel(self)
            label.setBuddy(editor)
            self._row_labels[field] = label
            form.addRow(label, field_with_error(editor, self.errors[field], self))

        self.found_label = hint_label(self)
        self.found_label.setObjectName("person_found")
        self.history = QLabel(self)
        self.history.setObjectName("person_history")
        self.history.setWordWrap(True)
        self.history.setTextFormat(Qt.TextFormat.RichText)
        self.history.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.history.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.history_box = QGroupBox(self)
        history_layout = QVBoxLayout(self.history_box)
        history_layout.addWidget(self.found_label)
        history_layout.addWidget(self.history, 1)
        self.history_box.setMinimumWidth(320)

        self.event_hint = hint_label(self)
        self.event_hint.setObjectName("person_event_hint")
        self.entry_error = self.errors[PersonField.ENTRY]
        self.entry_error.setObjectName("person_entry_error")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        left = QVBoxLayout()
        left.addWidget(self.event_hint)
        left.addLayout(form)
        left.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addWidget(self.history_box, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.entry_error)
        layout.addWidget(self.buttons)

        previous: QWidget | None = None
        for editor in (
            *self.editors.values(),
            self.ok_button,
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel),
        ):
            if previous is not None:
                QWidget.setTabOrder(previous, editor)
            previous = editor

    def _connect(self) -> None:
        self.event_picker.currentIndexChanged.connect(self._event_changed)
        for combo in (self.group, self.id_type, self.status, self.skill_level, self.team):
            combo.currentIndexChanged.connect(self.validate)
        # Programmatic fills block signals: whatever arrives here was typed or picked by the user.
        self.gender.currentIndexChanged.connect(lambda _index: self._typed(PersonField.GENDER))
        self.birth_date.textChanged.connect(lambda _text: self._typed(PersonField.BIRTH_DATE))
        for line in (self.id_number, self.name, self.unit, self.region, self.phone, self.certificate_no, self.bib):
            line.textChanged.connect(self.validate)

    # --- the dialog as a whole ----------------------------------------------------------------

    @classmethod
    def ask(cls, parent: QWidget | None, runner: TaskRunner, competition_id: int, event_id: int | None) -> int | None:
        """Show the form for the competition's events; the new entry id, or None if cancelled."""
        contexts = runner.read(lambda session: registration_contexts(session, competition_id))
        form = cls(runner, contexts, event_id, parent)
        form.exec()
        return form.entry_id

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_tr("新增选手"))
        for field, label in self._row_labels.items():
            label.setText(translate(CONTEXT, _LABELS[field]) + _tr("："))
        self.id_number.setPlaceholderText(_tr("18位身份证号，末位可为X"))
        self.birth_date.setPlaceholderText(_tr("如 1990-05-18；身份证号会自动填写"))
        self.phone.setPlaceholderText(_tr("手机11位，或座机如0537-1234567"))
        self.unit.setPlaceholderText(_tr("工作单位或学校全称"))
        self.bib.setPlaceholderText(_tr("可留空，抽签后再编"))
        self.gender.setItemText(0, _tr("（由证件号码确定）"))
        self.skill_level.setItemText(0, _tr("无"))
        self.history_box.setTitle(_tr("历史记录"))
        self.ok_button.setText(_tr("报名"))
        self._show_history()
        self._show_event_hint()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    @property
    def context(self) -> EventContext | None:
        index = self.event_picker.currentIndex()
        return self.contexts[index] if 0 <= index < len(self.contexts) else None

    # --- reacting to input ---------------------------------------------------------------------

    def _event_changed(self, *_args: object) -> None:
        context = self.context
        self.group.blockSignals(True)
        self.group.clear()
        for group in context.groups if context else ():
            self.group.addItem(group.label, group.name)
        self.group.blockSignals(False)
        self._fill_teams()
        self._show_event_hint()
        self.validate()

    def _fill_teams(self) -> None:
        context = self.context
        self.team.blockSignals(True)
        self.team.clear()
        is_team = context is not None and context.kind is EventKind.TEAM
        self.team.addItem(_tr("（暂不分队）") if is_team else _tr("（个人赛项）"), None)
        if context is not None and is_team:
            for team in context.teams:
                self.team.addItem(
                    _tr("{name}（{group}，{members}/{size}人）").format(
                        name=team.name, group=team.group, members=team.members, size=context.team_size
                    ),
                    team.id,
                )
        self.team.setEnabled(is_team)
        self.team.blockSignals(False)

    def _show_event_hint(self) -> None:
        context = self.context
        if context is None:
            self.event_hint.setText(_tr("本赛事还没有赛项，请先新增赛项。"))
            return
        parts = [context.competition]
        if context.day:
            parts.append(_tr("比赛日 {day}").format(day=context.day.isoformat()))
        if context.min_age is not None or context.max_age is not None:
            low = str(context.min_age) if context.min_age is not None else "—"
            high = str(context.max_age) if context.max_age is not None else "—"
            parts.append(_tr("年龄 {low}–{high} 岁").format(low=low, high=high))
        if context.kind is EventKind.TEAM:
            parts.append(_tr("团体赛，每队 {size} 人").format(size=context.team_size))
        if not context.registration_open:
            parts.append(_tr("已截止报名"))
        self.event_hint.setText(" · ".join(parts))

    def person_input(self) -> PersonInput:
        return PersonInput(
            name=self.name.text(),
            id_number=self.id_number.text(),
            id_type=enum_data(self.id_type, IdType) or IdType.RESIDENT_ID,
            gender=enum_data(self.gender, Gender),
            birth_date=self.birth_date.text(),
            phone=self.phone.text(),
            unit=self.unit.text(),
            region=self.region.text(),
            status=enum_data(self.status, PersonStatus) or PersonStatus.WORKER,
            skill_level=enum_data(self.skill_level, SkillLevel),
            certificate_no=self.certificate_no.text(),
        )

    def _fill_from_document(self) -> None:
        """Gender and birth date from a valid number, where empty or filled by an earlier number."""
        id_type: IdType = enum_data(self.id_type, IdType) or IdType.RESIDENT_ID
        try:
            document = check_document(id_type, self.id_number.text())
        except FieldError:
            document = None
        if PersonField.GENDER in self._auto_filled or self.gender.currentData() is None:
            gender = document.gender if document else None
            self._set_quietly(self.gender, self.gender.findData(gender) if gender else 0)
            self._mark_auto(PersonField.GENDER, gender is not None)
        if PersonField.BIRTH_DATE in self._auto_filled or not self.birth_date.text().strip():
            birth = document.birth_date if document else None
            self.birth_date.blockSignals(True)
            self.birth_date.setText(birth.isoformat() if birth else "")
            self.birth_date.blockSignals(False)
            self._mark_auto(PersonField.BIRTH_DATE, birth is not None)
        if document is not None:
            self._look_up(id_type, document.number)
        else:
            self._looked_up = None
            self.found = None
            self._show_history()

    def _typed(self, field: PersonField) -> None:
        self._auto_filled.discard(field)
        self.validate()

    def _mark_auto(self, field: PersonField, filled: bool) -> None:
        if filled:
            self._auto_filled.add(field)
        else:
            self._auto_filled.discard(field)

    @staticmethod
    def _set_quietly(combo: QComboBox, index: int) -> None:
        combo.blockSignals(True)
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def _look_up(self, id_type: IdType, number: str) -> None:
        if self._looked_up == (id_type, number):
            return
        self._looked_up = (id_type, number)
        self.found = self.runner.read(lambda session: find_person(session, id_type, number))
        if self.found is not None:
            self._fill_from_person(self.found)
        self._show_history()

    def _fill_from_person(self, person: PersonView) -> None:
        """What is known of the person, into the fields the user has not typed in."""
        for line, value in (
            (self.name, person.name),
            (self.unit, person.unit),
            (self.region, person.region),
            (self.phone, person.phone),
            (self.certificate_no, person.certificate_no),
        ):
            if value and not line.text().strip():
                line.blockSignals(True)
                line.setText(value)
                line.blockSignals(False)
        self._set_quietly(self.status, self.status.findData(person.status))
        if person.skill_level is not None and self.skill_level.currentData() is None:
            self._set_quietly(self.skill_level, self.skill_level.findData(person.skill_level))

    def validate(self, *_args: object) -> bool:
        """Check everything; show each problem under its field; enable 报名 only when all is well."""
        self._fill_from_document()
        context = self.context
        _checked, problems = check_person(
            self.person_input(),
            on=context.day if context else None,
            min_age=context.min_age if context else None,
            max_age=context.max_age if context else None,
        )
        messages: dict[PersonField, str] = {}
        for field, message in problems:
            messages.setdefault(field, message)
        if context is None:
            messages.setdefault(PersonField.EVENT, _tr("请选择赛项"))
        else:
            if not context.registration_open:
                messages.setdefault(PersonField.EVENT, _tr("本赛项已截止报名"))
            group = next((g for g in context.groups if g.name == self.group.currentData()), None)
            status: PersonStatus = enum_data(self.status, PersonStatus) or PersonStatus.WORKER
            if group is None:
                messages.setdefault(PersonField.GROUP, _tr("请选择组别"))
            elif group.allowed_statuses and status not in group.allowed_statuses:
                messages.setdefault(
                    PersonField.STATUS,
                    _tr("“{group}”只接受{allowed}").format(
                        group=group.name,
                        allowed="、".join(s.label for s in PersonStatus if s in group.allowed_statuses),
                    ),
                )
            duplicate = self._existing_entry(context)
            if duplicate:
                messages[PersonField.ENTRY] = duplicate
        for field, label in self.errors.items():
            label.show_message(messages.get(field))
        valid = not messages
        self.ok_button.setEnabled(valid and not self._saving)
        return valid

    def _existing_entry(self, context: EventContext) -> str | None:
        person = self.found
        if person is None:
            return None
        for entry in person.entries:
            if entry.event_id == context.id:
                bib = _tr("，参赛编号{bib}").format(bib=entry.bib) if entry.bib else ""
                return _tr("{name}已报名本赛项（{group}{bib}，{status}），同一人不能在一个赛项中报名两次").format(
                    name=person.name, group=entry.group, bib=bib, status=entry.status.label
                )
        return None

    def _show_history(self) -> None:
        person = self.found
        if person is None:
            self.found_label.setText(_tr("输入证件号码后，若此人参加过比赛，这里会显示其记录。"))
            self.history.setText("")
            return
        self.found_label.setText(_tr("已有此人的记录，表单已按记录填写。"))
        self.history.setText(history_html(person))

    # --- saving -------------------------------------------------------------------------------

    def save(self) -> None:
        if self._saving or not self.validate():
            return
        context = self.context
        if context is None:
            return
        event_id, group, person = context.id, str(self.group.currentData()), self.person_input()
        bib, team = self.bib.text().strip() or None, self.team.currentData()
        self._saving = True
        self.ok_button.setEnabled(False)

        def work(session: Any, _progress: Progress) -> int:
            return register(session, event_id, group, person, bib=bib, team=team)

        self.runner.run_db(_tr("报名"), work, on_success=self._saved, on_failure=self._failed, changes=SAVED_CHANGES)

    def _saved(self, entry_id: int) -> None:
        self._saving = False
        self.entry_id = entry_id
        self.saved.emit(entry_id)
        self.accept()

    def _failed(self, error: Exception) -> None:
        self._saving = False
        if not isinstance(error, RegistrationError):
            self.entry_error.show_message(_tr("保存失败：{error}").format(error=error))
            self.ok_button.setEnabled(True)
            return
        for field, message in error.problems:
            label = self.errors.get(field, self.entry_error)
            label.show_message(message)
        self.ok_button.setEnabled(False)


def history_html(person: PersonView) -> str:
    """A person's titles, promotions, awards and past entries, for a rich-text label."""

    def items(lines: list[str]) -> str:
        return "<ul style='margin-left:-20px'>" + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>"

    parts = [f"<p style='margin:0'><b>{html.escape(person.name)}</b></p>"]
    facts = [person.status.label]
    if person.skill_level:
        facts.append(person.skill_level.label)
    if person.unit:
        facts.append(person.unit)
    parts.append(f"<p style='margin:0'>{html.escape(' · '.join(facts))}</p>")
    sections = (
        (_tr("荣誉称号"), [f"{a.year} {a.title}" for a in person.titles]),
        (_tr("晋升记录"), [f"{a.year} {a.title}" for a in person.promotions]),
        (
            _tr("获奖"),
            [f"{a.year} {a.title}" for a in person.achievements if a not in (*person.titles, *person.promotions)],
        ),
        (
            _tr("参赛经历"),
            [
                _tr("{competition} · {event} · {group}（{status}）").format(
                    competition=e.competition if str(e.year) in e.competition else f"{e.year} {e.competition}",
                    event=e.event,
                    group=e.group,
                    status=e.status.label,
                )
                for e in person.entries
            ],
        ),
    )
    for title, lines in sections:
        parts.append(f"<p style='margin-bottom:0'><b>{html.escape(title)}</b></p>")
        parts.append(items(lines) if lines else f"<p style='margin-top:0'>{html.escape(_tr('无'))}</p>")
    return "".join(parts)
