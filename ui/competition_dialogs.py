"""新建赛事 and 赛项 dialogs over ``services.competitions``.

The services check everything again when saving and raise ``SpecError`` with (field, message)
pairs; each message is shown in red under the field it names (or at the bottom when the
field is not on the form). The event dialog sums the components' weights as they are typed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QEvent, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from competition_app.domain.enums import ComponentKind, EventKind, Level, PanelMethod, PersonStatus, TierClass
from competition_app.rules.presets import describe_rule_set, list_presets, load_preset
from competition_app.services.competitions import (
    CompetitionSpec,
    ComponentSpec,
    EventSpec,
    GroupSpec,
    SpecError,
    add_event,
    create_competition,
    event_spec,
    update_event,
)
from competition_app.tasks import Change, Progress
from ui.i18n import translate
from ui.person_form import ErrorLabel, enum_data, field_with_error, hint_label, keep_minimum_size

if TYPE_CHECKING:
    from ui.runner import TaskRunner

CONTEXT = "CompetitionDialogs"
NO_DATE = QDate(2000, 1, 1)
"""The minimum of a date box, shown as 未定: a date edit cannot be empty."""


def _tr(text: str) -> str:
    return translate(CONTEXT, text)


def _date_edit(parent: QWidget) -> QDateEdit:
    edit = QDateEdit(parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(NO_DATE)
    edit.setSpecialValueText(_tr("未定"))
    edit.setDate(NO_DATE)
    return edit


def _date_of(edit: QDateEdit) -> date | None:
    value = edit.date()
    return None if value == NO_DATE else date(value.year(), value.month(), value.day())


def _set_date(edit: QDateEdit, day: date | None) -> None:
    edit.setDate(QDate(day.year, day.month, day.day) if day else NO_DATE)


class _FormDialog(QDialog):
    """A dialog of labelled fields with an error label under each, and OK/Cancel."""

    saved = Signal(int)

    def __init__(self, runner: TaskRunner, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.result_id: int | None = None
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.errors: dict[str, ErrorLabel] = {}
        self.general_error = ErrorLabel(self)
        self.general_error.setObjectName("general_error")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self._saving = False

    def add_row(self, label: str, editor: QWidget, *error_keys: str) -> QWidget:
        """A row labelled ``label``; SpecError problems for ``label`` (and ``error_keys``) show under it."""
        error = ErrorLabel(self)
        for key in (label, *error_keys):
            self.errors[key] = error
        row_label = QLabel(label + _tr("："), self)
        row_label.setBuddy(editor)
        box = field_with_error(editor, error, self)
        self.form.addRow(row_label, box)
        return box

    def clear_errors(self) -> None:
        for label in {*self.errors.values(), self.general_error}:
            label.show_message(None)

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        self.clear_errors()
        shown: dict[ErrorLabel, list[str]] = {}
        for field, message in problems:
            label = self.errors.get(field)
            if label is None:
                label = self.general_error
            text = f"{field}：{message}" if field and label is self.general_error else message
            shown.setdefault(label, []).append(text)
        for label, messages in shown.items():
            label.show_message("\n".join(messages))

    def run_save(self, title: str, work: Any, changes: frozenset[Change]) -> None:
        if self._saving:
            return
        self._saving = True
        self.ok_button.setEnabled(False)
        self.runner.run_db(title, work, on_success=self._saved, on_failure=self._failed, changes=changes)

    def _saved(self, result_id: int | None) -> None:
        self._saving = False
        self.result_id = result_id
        self.saved.emit(result_id or 0)
        self.accept()

    def _failed(self, error: Exception) -> None:
        self._saving = False
        self.ok_button.setEnabled(True)
        if isinstance(error, SpecError):
            self.show_problems(error.problems)
        else:
            self.show_problems([("", _tr("保存失败：{error}").format(error=error))])

    def save(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.setWindowTitle(self.windowTitle())
        super().changeEvent(event)


# --- 新建赛事 ------------------------------------------------------------------------------------


class CompetitionDialog(_FormDialog):
    """Creates a competition with its own copy of a tier preset (and an optional second one)."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.setObjectName("competition_dialog")
        self.setWindowTitle(_tr("新建赛事"))
        self._build_editors()
        self._build_layout()
        self.level.currentIndexChanged.connect(self._tier_changed)
        self.tier_class.currentIndexChanged.connect(self._tier_changed)
        self.preset.currentIndexChanged.connect(self._preset_changed)
        self.name.textChanged.connect(self._validate)
        self.level.setCurrentIndex(self.level.findData(Level.MUNICIPAL))
        self.tier_class.setCurrentIndex(self.tier_class.findData(TierClass.CLASS_1))
        self._tier_changed()
        self._validate()

    def _build_editors(self) -> None:
        self.presets = list_presets()
        self.name = QLineEdit(self)
        self.name.setPlaceholderText(_tr("如 2026年济宁市“运河之星”职业技能大赛"))
        self.short_name = QLineEdit(self)
        self.short_name.setPlaceholderText(_tr("如 运河之星（可留空）"))
        self.year = QSpinBox(self)
        self.year.setRange(2000, 2100)
        self.year.setValue(date.today().year)
        self.level = QComboBox(self)
        for level in Level:
            self.level.addItem(level.label, level)
        self.tier_class = QComboBox(self)
        for tier_class in TierClass:
            self.tier_class.addItem(tier_class.label or _tr("不分类"), tier_class)
        self.preset = QComboBox(self)
        self.extra_preset = QComboBox(self)
        self.extra_preset.addItem(_tr("无"), "")
        for info in self.presets:
            self.preset.addItem(f"{info.tier} · {info.name}", info.key)
            self.extra_preset.addItem(f"{info.tier} · {info.name}", info.key)
        self.preset_summary = hint_label(self)
        self.description = QPlainTextEdit(self)
        self.description.setObjectName("preset_description")
        self.description.setReadOnly(True)
        self.description.setMinimumHeight(150)
        self.description.setTabChangesFocus(True)
        self.region = QLineEdit(self)
        self.organiser = QLineEdit(self)
        self.host = QLineEdit(self)
        self.start_date = _date_edit(self)
        self.end_date = _date_edit(self)

    def _build_layout(self) -> None:
        self.add_row(_tr("赛事名称"), self.name)
        self.add_row(_tr("简称"), self.short_name)
        self.add_row(_tr("年份"), self.year)
        levels = QHBoxLayout()
        levels.setContentsMargins(0, 0, 0, 0)
        levels.addWidget(self.level, 1)
        levels.addWidget(self.tier_class, 1)
        level_box = QWidget(self)
        level_box.setLayout(levels)
        level_box.setFocusProxy(self.level)
        self.add_row(_tr("层级与类别"), level_box)
        self.add_row(_tr("规则预设"), self.preset)
        self.add_row(_tr("附加预设"), self.extra_preset)
        self.add_row(_tr("规则说明"), self.description)
        self.add_row(_tr("举办地区"), self.region)
        self.add_row(_tr("主办单位"), self.organiser)
        self.add_row(_tr("承办单位"), self.host)
        self.add_row(_tr("开始日期"), self.start_date)
        self.add_row(_tr("结束日期"), self.end_date)
        self.extra_preset.setToolTip(_tr("一项赛事同时设一类和二类赛项时（如“运河之星”），再选一份预设"))

        layout = QVBoxLayout(self)
        layout.addLayout(self.form, 1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.resize(720, 720)
        keep_minimum_size(self)

    @classmethod
    def ask(cls, parent: QWidget | None, runner: TaskRunner) -> int | None:
        """Show the dialog; the new competition's id, or None if cancelled."""
        dialog = cls(runner, parent)
        dialog.exec()
        return dialog.result_id

    def _tier_changed(self, *_args: object) -> None:
        """Pick the first preset of the chosen tier (the user may still pick another)."""
        level, tier_class = enum_data(self.level, Level), enum_data(self.tier_class, TierClass)
        for row, info in enumerate(self.presets):
            if info.level is level and info.tier_class is tier_class:
                self.preset.setCurrentIndex(row)
                return
        for row, info in enumerate(self.presets):
            if info.level is level:
                self.preset.setCurrentIndex(row)
                return

    def _preset_changed(self, *_args: object) -> None:
        key = self.preset.currentData()
        if not key:
            self.description.setPlainText("")
            return
        self.description.setPlainText(describe_rule_set(load_preset(str(key))))

    def _validate(self, *_args: object) -> None:
        self.errors[_tr("赛事名称")].show_message(None if self.name.text().strip() else _tr("不能为空"))
        self.ok_button.setEnabled(bool(self.name.text().strip()) and not self._saving)

    def spec(self) -> CompetitionSpec:
        extra = str(self.extra_preset.currentData() or "")
        return CompetitionSpec(
            name=self.name.text().strip(),
            short_name=self.short_name.text().strip() or None,
            year=self.year.value(),
            level=enum_data(self.level, Level) or Level.MUNICIPAL,
            tier_class=enum_data(self.tier_class, TierClass) or TierClass.NONE,
            preset_key=str(self.preset.currentData()),
            extra_preset_keys=(extra,) if extra and extra != self.preset.currentData() else (),
            region=self.region.text().strip() or None,
            organiser=self.organiser.text().strip() or None,
            host=self.host.text().strip() or None,
            start_date=_date_of(self.start_date),
            end_date=_date_of(self.end_date),
        )

    def save(self) -> None:
        spec = self.spec()

        def work(session: Any, _progress: Progress) -> int:
            return create_competition(session, spec)

        self.run_save(_tr("新建赛事"), work, frozenset({Change.COMPETITIONS, Change.EVENTS}))


# --- 赛项 ------------------------------------------------------------------------------------------

GROUP_STATUSES = tuple(PersonStatus)
COMPONENT_HEADERS = ("名称", "类型", "权重", "满分", "评分方法", "裁判人数")


class _ChoiceDelegate(QStyledItemDelegate):
    """Edits a column of enum labels with a combo box (keyboard: F2 or typing, arrows, Enter)."""

    def __init__(self, labels: list[str], parent: QWidget) -> None:
        super().__init__(parent)
        self._labels = labels

    def createEditor(self, parent: QWidget, _option: QStyleOptionViewItem, _index: Any) -> QWidget:
        combo = QComboBox(parent)
        combo.addItems(self._labels)
        return combo

    def setEditorData(self, editor: QWidget, index: Any) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentText(str(index.data() or ""))

    def setModelData(self, editor: QWidget, model: Any, index: Any) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText())


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        return None
    return value / 100 if text.strip().endswith("%") else value


def _by_label(enum: Any, text: str) -> Any:
    return next((member for member in enum if member.label == text.strip() or member.value == text.strip()), None)


class EventDialog(_FormDialog):
    """Adds an event to a competition, or edits one while its registration is open."""

    def __init__(
        self,
        runner: TaskRunner,
        competition_id: int,
        event_id: int | None = None,
        spec: EventSpec | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, parent)
        self.setObjectName("event_dialog")
        self.competition_id, self.event_id = competition_id, event_id
        self.setWindowTitle(_tr("编辑赛项") if event_id else _tr("新增赛项"))
        self._rule_set_id = spec.rule_set_id if spec else None
        self._build_editors()
        self._build_layout()
        if spec is not None:
            self._load(spec)
        else:
            self._add_group("职工组", frozenset({PersonStatus.WORKER}))
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.components.dataChanged.connect(self._validate)
        self.components.rowsInserted.connect(self._validate)
        self.components.rowsRemoved.connect(self._validate)
        self.groups.dataChanged.connect(self._validate)
        self.groups.rowsRemoved.connect(self._validate)
        self.name.textChanged.connect(self._validate)
        self.occupation.textChanged.connect(self._validate)
        self._kind_changed()

    def _build_editors(self) -> None:
        self.name = QLineEdit(self)
        self.occupation = QLineEdit(self)
        self.occupation_code = QLineEdit(self)
        self.occupation_code.setPlaceholderText(_tr("如 6-18-02-04（可留空）"))
        self.code = QLineEdit(self)
        self.code.setPlaceholderText(_tr("参赛编号前缀，如 HG"))
        self.tier_class = QComboBox(self)
        self.tier_class.addItem(_tr("同赛事"), "")
        for tier_class in (TierClass.CLASS_1, TierClass.CLASS_2):
            self.tier_class.addItem(tier_class.label, tier_class)
        self.kind = QComboBox(self)
        for kind in EventKind:
            self.kind.addItem(kind.label, kind)
        self.team_size = QSpinBox(self)
        self.team_size.setRange(1, 20)
        self.team_size.setPrefix(_tr("每队 "))
        self.team_size.setSuffix(_tr(" 人"))

        self.groups = QStandardItemModel(0, 1 + len(GROUP_STATUSES), self)
        self.groups.setHorizontalHeaderLabels([_tr("组别"), *(s.label for s in GROUP_STATUSES)])
        self.groups_view = self._table(self.groups)
        self.groups_view.setObjectName("event_groups")
        self.components = QStandardItemModel(0, len(COMPONENT_HEADERS), self)
        self.components.setHorizontalHeaderLabels([_tr(text) for text in COMPONENT_HEADERS])
        self.components_view = self._table(self.components)
        self.components_view.setObjectName("event_components")
        self.components_view.setItemDelegateForColumn(1, _ChoiceDelegate([k.label for k in ComponentKind], self))
        self.components_view.setItemDelegateForColumn(4, _ChoiceDelegate([m.label for m in PanelMethod], self))
        self.weight_sum = QLabel(self)
        self.weight_sum.setObjectName("weight_sum")
        self.min_age = QSpinBox(self)
        self.max_age = QSpinBox(self)
        for box in (self.min_age, self.max_age):
            box.setRange(0, 99)
            box.setSpecialValueText(_tr("不限"))
            box.setSuffix(_tr(" 岁"))
        self.start_date = _date_edit(self)
        self.anonymous = QCheckBox(_tr("实操采用检录号匿名评分（裁判长解密前看不到姓名）"), self)

    def _build_layout(self) -> None:
        self.add_row(_tr("赛项名称"), self.name)
        self.add_row(_tr("职业（工种）"), self.occupation)
        self.add_row(_tr("职业编码"), self.occupation_code)
        self.add_row(_tr("赛项代码"), self.code)
        self.add_row(_tr("类别"), self.tier_class)
        kind_row = QHBoxLayout()
        kind_row.setContentsMargins(0, 0, 0, 0)
        kind_row.addWidget(self.kind, 1)
        kind_row.addWidget(self.team_size, 1)
        kind_box = QWidget(self)
        kind_box.setLayout(kind_row)
        kind_box.setFocusProxy(self.kind)
        self.add_row(_tr("形式"), kind_box, _tr("团队人数"))
        self.add_row(_tr("组别"), self._with_buttons(self.groups_view, self.groups, self._new_group_row))
        components_box = self._with_buttons(self.components_view, self.components, self._new_component_row)
        components_box.layout().addWidget(self.weight_sum)  # type: ignore[union-attr]
        self.add_row(_tr("评分项"), components_box, _tr("权重"))
        ages = QHBoxLayout()
        ages.setContentsMargins(0, 0, 0, 0)
        ages.addWidget(self.min_age, 1)
        ages.addWidget(QLabel(_tr("至"), self))
        ages.addWidget(self.max_age, 1)
        ages_box = QWidget(self)
        ages_box.setLayout(ages)
        ages_box.setFocusProxy(self.min_age)
        self.add_row(_tr("年龄限制"), ages_box, _tr("最低年龄"), _tr("最高年龄"))
        self.add_row(_tr("比赛日期"), self.start_date)
        self.add_row(_tr("匿名评分"), self.anonymous)

        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.resize(760, 600)
        keep_minimum_size(self)

    @classmethod
    def ask(
        cls, parent: QWidget | None, runner: TaskRunner, competition_id: int, event_id: int | None = None
    ) -> int | None:
        """Show the dialog (filled from the event when editing); the event id, or None if cancelled."""
        spec = runner.read(lambda session: event_spec(session, event_id)) if event_id else None
        dialog = cls(runner, competition_id, event_id, spec, parent)
        dialog.exec()
        return dialog.result_id

    # --- tables -------------------------------------------------------------------------------

    def _table(self, model: QStandardItemModel) -> QTableView:
        view = QTableView(self)
        view.setModel(model)
        view.verticalHeader().setVisible(False)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        view.setTabKeyNavigation(False)  # Tab leaves the table: the dialog stays keyboard-navigable
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        view.setFixedHeight(view.fontMetrics().height() * 8)
        return view

    def _with_buttons(self, view: QTableView, model: QStandardItemModel, new_row: Any) -> QWidget:
        add = QPushButton(_tr("添加"), self)
        remove = QPushButton(_tr("删除"), self)
        add.clicked.connect(new_row)

        def remove_current() -> None:
            rows = sorted({index.row() for index in view.selectionModel().selectedRows()}, reverse=True)
            for row in rows or ([view.currentIndex().row()] if view.currentIndex().isValid() else []):
                model.removeRow(row)

        remove.clicked.connect(remove_current)
        buttons = QVBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(view, 1)
        row.addLayout(buttons)
        box = QWidget(self)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(row)
        box.setFocusProxy(view)
        return box

    def _add_group(self, name: str, statuses: frozenset[PersonStatus]) -> None:
        items = [QStandardItem(name)]
        for status in GROUP_STATUSES:
            item = QStandardItem()
            item.setCheckable(True)
            item.setEditable(False)
            item.setCheckState(Qt.CheckState.Checked if status in statuses else Qt.CheckState.Unchecked)
            items.append(item)
        self.groups.appendRow(items)

    def _new_group_row(self) -> None:
        self._add_group("", frozenset())
        self.groups_view.setFocus()
        self.groups_view.edit(self.groups.index(self.groups.rowCount() - 1, 0))

    def add_component(
        self, name: str, kind: ComponentKind, weight: Decimal, max_score: Decimal = Decimal(100),
        *, method: PanelMethod = PanelMethod.SINGLE, size: int = 1,
    ) -> None:  # fmt: skip
        self.components.appendRow(
            [
                QStandardItem(name),
                QStandardItem(kind.label),
                QStandardItem(format(weight.normalize(), "f")),
                QStandardItem(format(max_score.normalize(), "f")),
                QStandardItem(method.label),
                QStandardItem(str(size)),
            ]
        )

    def _new_component_row(self) -> None:
        self.add_component("", ComponentKind.PRACTICAL, Decimal(0))
        self.components_view.setFocus()
        self.components_view.edit(self.components.index(self.components.rowCount() - 1, 0))

    def _load(self, spec: EventSpec) -> None:
        self.name.setText(spec.name)
        self.occupation.setText(spec.occupation)
        self.occupation_code.setText(spec.occupation_code or "")
        self.code.setText(spec.code or "")
        self.tier_class.setCurrentIndex(max(self.tier_class.findData(spec.tier_class or ""), 0))
        self.kind.setCurrentIndex(self.kind.findData(spec.kind))
        self.team_size.setValue(spec.team_size)
        for group in spec.groups:
            self._add_group(group.name, group.allowed_statuses)
        for c in spec.components:
            self.add_component(c.name, c.kind, c.weight, c.max_score, method=c.panel_method, size=c.panel_size)
        self.min_age.setValue(spec.min_age or 0)
        self.max_age.setValue(spec.max_age or 0)
        _set_date(self.start_date, spec.start_date)
        self.anonymous.setChecked(spec.anonymous_marking)

    # --- checks and saving --------------------------------------------------------------------

    def _kind_changed(self, *_args: object) -> None:
        team = enum_data(self.kind, EventKind) is EventKind.TEAM
        self.team_size.setEnabled(team)
        self.team_size.setMinimum(2 if team else 1)
        if not team:
            self.team_size.setValue(1)
        self._validate()

    def read_components(self) -> tuple[tuple[ComponentSpec, ...], list[str]]:
        """The components typed in the table, and what is wrong with them (Chinese)."""
        components: list[ComponentSpec] = []
        problems: list[str] = []
        for row in range(self.components.rowCount()):
            cells = [str(self.components.index(row, column).data() or "") for column in range(len(COMPONENT_HEADERS))]
            name, kind_text, weight_text, max_text, method_text, size_text = cells
            where = name.strip() or _tr("第{row}行").format(row=row + 1)
            kind, method = _by_label(ComponentKind, kind_text), _by_label(PanelMethod, method_text)
            weight, max_score = _decimal(weight_text), _decimal(max_text)
            size = int(size_text) if size_text.strip().isdigit() else None
            if kind is None or method is None or weight is None or max_score is None or size is None:
                problems.append(_tr("{where}：类型、权重、满分、评分方法或裁判人数无效").format(where=where))
                continue
            components.append(ComponentSpec(name.strip(), kind, weight, max_score, method, size))
        return tuple(components), problems

    def _validate(self, *_args: object) -> bool:
        components, problems = self.read_components()
        total = sum((c.weight for c in components), Decimal(0))
        if not components and not problems:
            self.weight_sum.setText(_tr("未设评分项：采用本赛事规则集中的评分项"))
            self.weight_sum.setStyleSheet("")
        elif total == 1 and not problems:
            self.weight_sum.setText(_tr("权重合计 {total}").format(total=format(total.normalize(), "f")))
            self.weight_sum.setStyleSheet("")
        else:
            problems.insert(
                0, _tr("权重合计 {total}，应为 1").format(total=format(total.normalize(), "f") if total else "0")
            )
            self.weight_sum.setStyleSheet("color: #c62828;")
            self.weight_sum.setText(problems[0])
        self.errors[_tr("评分项")].show_message("\n".join(problems[1:]) or None)
        missing = not self.name.text().strip() or not self.occupation.text().strip() or not self.groups.rowCount()
        valid = not problems and not missing
        self.ok_button.setEnabled(valid and not self._saving)
        return valid

    def spec(self) -> EventSpec:
        groups = tuple(
            GroupSpec(
                str(self.groups.index(row, 0).data() or "").strip(),
                frozenset(
                    status
                    for column, status in enumerate(GROUP_STATUSES, start=1)
                    if self.groups.item(row, column).checkState() == Qt.CheckState.Checked
                ),
            )
            for row in range(self.groups.rowCount())
        )
        components, _problems = self.read_components()
        return EventSpec(
            name=self.name.text().strip(),
            occupation=self.occupation.text().strip(),
            groups=groups,
            components=components,
            occupation_code=self.occupation_code.text().strip() or None,
            code=self.code.text().strip() or None,
            tier_class=enum_data(self.tier_class, TierClass),
            kind=enum_data(self.kind, EventKind) or EventKind.INDIVIDUAL,
            team_size=self.team_size.value(),
            min_age=self.min_age.value() or None,
            max_age=self.max_age.value() or None,
            start_date=_date_of(self.start_date),
            anonymous_marking=self.anonymous.isChecked(),
            rule_set_id=self._rule_set_id,
        )

    def save(self) -> None:
        if not self._validate():
            return
        spec, competition_id, event_id = self.spec(), self.competition_id, self.event_id

        def work(session: Any, _progress: Progress) -> int:
            if event_id is None:
                return add_event(session, competition_id, spec)
            update_event(session, event_id, spec)
            return event_id

        self.run_save(self.windowTitle(), work, frozenset({Change.EVENTS}))
