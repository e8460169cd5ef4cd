"""裁判: the judges of one competition, their assignments, and the 回避 warnings in red.

A conflict (a judge from the same unit as contestants of an event they judge) is a warning,
not an error: the organiser decides. Every change goes through the runner and reloads the lists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from competition_app.domain.enums import Role
from competition_app.services.judges import (
    ASSIGNABLE_ROLES,
    Conflict,
    JudgeInput,
    JudgeView,
    add_judge,
    assign_judge,
    avoidance_conflicts,
    list_judges,
    unassign_judge,
    update_judge,
)
from competition_app.services.people import EventContext, registration_contexts
from competition_app.tasks import Change, Progress
from ui.i18n import QT_TRANSLATE_NOOP, translate
from ui.person_form import ERROR_COLOUR, ErrorLabel, enum_data, hint_label, keep_minimum_size

if TYPE_CHECKING:
    from ui.runner import TaskRunner

CONTEXT = "JudgesDialog"
JUDGE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
HEADERS = (
    QT_TRANSLATE_NOOP("JudgesDialog", "姓名"),
    QT_TRANSLATE_NOOP("JudgesDialog", "单位"),
    QT_TRANSLATE_NOOP("JudgesDialog", "职称/资格"),
    QT_TRANSLATE_NOOP("JudgesDialog", "联系电话"),
    QT_TRANSLATE_NOOP("JudgesDialog", "分工"),
)


def _tr(text: str) -> str:
    return translate(CONTEXT, text)


class JudgesDialog(QDialog):
    def __init__(
        self, runner: TaskRunner, competition_id: int, events: tuple[EventContext, ...], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("judges_dialog")
        self.runner, self.competition_id, self.events = runner, competition_id, events
        self.judges: tuple[JudgeView, ...] = ()
        self.conflicts: list[Conflict] = []

        self._build_editors()
        self._build_layout()
        self.table.selectionModel().currentRowChanged.connect(self._judge_selected)
        self.add_button.clicked.connect(self.add)
        self.update_button.clicked.connect(self.update_selected)
        self.assign_button.clicked.connect(self.assign)
        self.unassign_button.clicked.connect(self.unassign)
        self.reload()

    def _build_editors(self) -> None:
        self.model = QStandardItemModel(0, len(HEADERS), self)
        self.table = QTableView(self)
        self.table.setObjectName("judges_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(HEADERS) - 1, QHeaderView.ResizeMode.Stretch)

        self.name = QLineEdit(self)
        self.unit = QLineEdit(self)
        self.id_number = QLineEdit(self)
        self.id_number.setPlaceholderText(_tr("可留空；填写时按身份证规则校验"))
        self.phone = QLineEdit(self)
        self.title_edit = QLineEdit(self)
        self.title_edit.setPlaceholderText(_tr("如 高级技师、一级裁判员"))
        self.add_button = QPushButton(_tr("添加裁判"), self)
        self.update_button = QPushButton(_tr("保存修改"), self)
        self.judge_error = ErrorLabel(self)
        self.judge_box = QGroupBox(_tr("裁判信息"), self)
        judge_form = QFormLayout(self.judge_box)
        for label, editor in (
            (_tr("姓名"), self.name),
            (_tr("单位"), self.unit),
            (_tr("身份证号"), self.id_number),
            (_tr("联系电话"), self.phone),
            (_tr("职称/资格"), self.title_edit),
        ):
            judge_form.addRow(label + _tr("："), editor)
        judge_buttons = QHBoxLayout()
        judge_buttons.addWidget(self.add_button)
        judge_buttons.addWidget(self.update_button)
        judge_form.addRow(judge_buttons)
        judge_form.addRow(self.judge_error)

        self._build_assignment_editors()

    def _build_assignment_editors(self) -> None:
        self.event_picker = QComboBox(self)
        for event in self.events:
            self.event_picker.addItem(event.name, event.id)
        self.role = QComboBox(self)
        for role in ASSIGNABLE_ROLES:
            self.role.addItem(role.label, role)
        self.role.setCurrentIndex(self.role.findData(Role.JUDGE))
        self.seat = QSpinBox(self)
        self.seat.setRange(0, 20)
        self.seat.setSpecialValueText(_tr("不指定"))
        self.assign_button = QPushButton(_tr("分配"), self)
        self.unassign_picker = QComboBox(self)
        self.unassign_button = QPushButton(_tr("取消分工"), self)
        self.assign_error = ErrorLabel(self)
        self.assign_box = QGroupBox(_tr("分工（选中的裁判）"), self)
        assign_form = QFormLayout(self.assign_box)
        assign_form.addRow(_tr("赛项："), self.event_picker)
        assign_form.addRow(_tr("职责："), self.role)
        assign_form.addRow(_tr("座位号："), self.seat)
        assign_form.addRow(self.assign_button)
        assign_form.addRow(_tr("已有分工："), self.unassign_picker)
        assign_form.addRow(self.unassign_button)
        assign_form.addRow(self.assign_error)

    def _build_layout(self) -> None:
        self.conflicts_label = QLabel(self)
        self.conflicts_label.setObjectName("avoidance_conflicts")
        self.conflicts_label.setWordWrap(True)
        self.conflicts_label.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.conflicts_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.conflicts_hint = hint_label(self)
        conflicts_box = QGroupBox(_tr("回避提示"), self)
        conflicts_layout = QVBoxLayout(conflicts_box)
        conflicts_layout.addWidget(self.conflicts_hint)
        conflicts_layout.addWidget(self.conflicts_label)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        side = QVBoxLayout()
        side.addWidget(self.judge_box)
        side.addWidget(self.assign_box)
        side.addStretch(1)
        columns = QHBoxLayout()
        columns.addWidget(self.table, 3)
        columns.addLayout(side, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(conflicts_box)
        layout.addWidget(buttons)
        self.setWindowTitle(_tr("裁判"))
        self.resize(1100, 680)
        keep_minimum_size(self)

    @classmethod
    def ask(cls, parent: QWidget | None, runner: TaskRunner, competition_id: int) -> None:
        events = runner.read(lambda session: registration_contexts(session, competition_id))
        cls(runner, competition_id, events, parent).exec()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.setWindowTitle(_tr("裁判"))
        super().changeEvent(event)

    # --- showing ------------------------------------------------------------------------------

    def reload(self) -> None:
        competition_id = self.competition_id
        selected = self.selected_judge()
        self.judges = self.runner.read(lambda session: list_judges(session, competition_id))
        self.conflicts = self.runner.read(lambda session: avoidance_conflicts(session, competition_id))
        self.model.removeRows(0, self.model.rowCount())
        self.model.setHorizontalHeaderLabels([translate(CONTEXT, text) for text in HEADERS])
        conflicted = {conflict.judge_id for conflict in self.conflicts}
        for judge in self.judges:
            cells = [
                judge.name,
                judge.unit or "",
                judge.title or "",
                judge.phone or "",
                "；".join(a.label for a in judge.assignments),
            ]
            items = [QStandardItem(text) for text in cells]
            items[0].setData(judge.id, JUDGE_ID_ROLE)
            if judge.id in conflicted:
                items[0].setForeground(Qt.GlobalColor.red)
                items[0].setToolTip(_tr("有回避冲突"))
            self.model.appendRow(items)
        self.conflicts_hint.setText(
            _tr("裁判与本赛项选手来自同一单位时应回避。以下仅为提示，不阻止分工。")
            if self.conflicts
            else _tr("没有回避冲突。")
        )
        self.conflicts_label.setText("\n".join(conflict.message for conflict in self.conflicts))
        self.conflicts_label.setVisible(bool(self.conflicts))
        if selected is not None:
            self.select_judge(selected.id)

    def selected_judge(self) -> JudgeView | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        judge_id = self.model.index(index.row(), 0).data(JUDGE_ID_ROLE)
        return next((judge for judge in self.judges if judge.id == judge_id), None)

    def select_judge(self, judge_id: int) -> None:
        for row in range(self.model.rowCount()):
            if self.model.index(row, 0).data(JUDGE_ID_ROLE) == judge_id:
                self.table.selectRow(row)
                return

    def _judge_selected(self, *_args: object) -> None:
        judge = self.selected_judge()
        self.update_button.setEnabled(judge is not None)
        self.assign_button.setEnabled(judge is not None)
        self.unassign_picker.clear()
        if judge is None:
            return
        self.name.setText(judge.name)
        self.unit.setText(judge.unit or "")
        self.id_number.setText(judge.id_number or "")
        self.phone.setText(judge.phone or "")
        self.title_edit.setText(judge.title or "")
        for assignment in judge.assignments:
            self.unassign_picker.addItem(assignment.label, assignment.id)
        self.unassign_button.setEnabled(bool(judge.assignments))

    # --- changing -----------------------------------------------------------------------------

    def judge_input(self) -> JudgeInput:
        return JudgeInput(
            name=self.name.text(),
            unit=self.unit.text(),
            id_number=self.id_number.text(),
            phone=self.phone.text(),
            title=self.title_edit.text(),
        )

    def _run(self, title: str, work: Any, error_label: ErrorLabel) -> None:
        def failed(error: Exception) -> None:
            error_label.show_message(str(error))

        def succeeded(result: object) -> None:
            error_label.show_message(None)
            self.reload()
            if isinstance(result, int) and title == _tr("添加裁判"):
                self.select_judge(result)

        self.runner.run_db(
            title, work, on_success=succeeded, on_failure=failed, changes=frozenset({Change.COMPETITIONS})
        )

    def add(self) -> None:
        judge, competition_id = self.judge_input(), self.competition_id

        def work(session: Any, _progress: Progress) -> int:
            return add_judge(session, competition_id, judge)

        self._run(_tr("添加裁判"), work, self.judge_error)

    def update_selected(self) -> None:
        selected = self.selected_judge()
        if selected is None:
            return
        judge, judge_id = self.judge_input(), selected.id

        def work(session: Any, _progress: Progress) -> None:
            update_judge(session, judge_id, judge)

        self._run(_tr("修改裁判"), work, self.judge_error)

    def assign(self) -> None:
        selected = self.selected_judge()
        event_id = self.event_picker.currentData()
        if selected is None or event_id is None:
            self.assign_error.show_message(_tr("请先选中一名裁判和一个赛项"))
            return
        judge_id, role, seat = selected.id, enum_data(self.role, Role) or Role.JUDGE, self.seat.value() or None

        def work(session: Any, _progress: Progress) -> int:
            return assign_judge(session, judge_id, int(event_id), role=role, seat=seat)

        self._run(_tr("分配裁判"), work, self.assign_error)

    def unassign(self) -> None:
        assignment_id = self.unassign_picker.currentData()
        if assignment_id is None:
            return

        def work(session: Any, _progress: Progress) -> None:
            unassign_judge(session, int(assignment_id))

        self._run(_tr("取消分工"), work, self.assign_error)
