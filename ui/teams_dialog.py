"""团队: the teams of one team event, filled from the event's entries, never over the team size."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from competition_app.services.teams import (
    MemberView,
    TeamsOfEvent,
    add_member,
    create_team,
    list_teams,
    remove_member,
    rename_team,
)
from competition_app.tasks import Change, Progress
from ui.i18n import translate
from ui.person_form import ErrorLabel, hint_label, keep_minimum_size

if TYPE_CHECKING:
    from ui.runner import TaskRunner

CONTEXT = "TeamsDialog"
TEAM_ID_ROLE = Qt.ItemDataRole.UserRole + 1
ENTRY_ID_ROLE = Qt.ItemDataRole.UserRole + 2
CHANGES = frozenset({Change.ENTRIES})


def _tr(text: str) -> str:
    return translate(CONTEXT, text)


def _member_text(member: MemberView) -> str:
    parts = [member.name, member.bib or "", member.unit or ""]
    return " · ".join(part for part in parts if part)


class TeamsDialog(QDialog):
    def __init__(self, runner: TaskRunner, event_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("teams_dialog")
        self.runner, self.event_id = runner, event_id
        self.data: TeamsOfEvent | None = None

        self._build_editors()
        self._build_layout()
        self.create_button.clicked.connect(self.new_team)
        self.rename_button.clicked.connect(self.rename)
        self.add_button.clicked.connect(self.add_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.reload()

    def _build_editors(self) -> None:
        self.teams_model = QStandardItemModel(self)
        self.teams_view = QTreeView(self)
        self.teams_view.setObjectName("teams_tree")
        self.teams_view.setModel(self.teams_model)
        self.teams_view.setHeaderHidden(True)
        self.teams_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.free_model = QStandardItemModel(self)
        self.free_view = QTreeView(self)
        self.free_view.setObjectName("teams_unassigned")
        self.free_view.setModel(self.free_model)
        self.free_view.setHeaderHidden(True)
        self.free_view.setRootIsDecorated(False)
        self.free_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.free_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)

        self.summary = hint_label(self)
        self.team_name = QLineEdit(self)
        self.team_name.setPlaceholderText(_tr("团队名称，如 济宁重工一队"))
        self.team_unit = QLineEdit(self)
        self.team_unit.setPlaceholderText(_tr("单位（可留空）"))
        self.group = QComboBox(self)
        self.create_button = QPushButton(_tr("新建团队"), self)
        self.rename_button = QPushButton(_tr("改名"), self)
        self.add_button = QPushButton(_tr("← 加入选中的团队"), self)
        self.remove_button = QPushButton(_tr("移出团队 →"), self)
        self.error = ErrorLabel(self)

    def _build_layout(self) -> None:
        grid = QGridLayout()
        grid.addWidget(QLabel(_tr("团队与成员"), self), 0, 0)
        grid.addWidget(QLabel(_tr("尚未分队的选手"), self), 0, 2)
        grid.addWidget(self.teams_view, 1, 0)
        moves = QVBoxLayout()
        moves.addStretch(1)
        moves.addWidget(self.add_button)
        moves.addWidget(self.remove_button)
        moves.addStretch(1)
        grid.addLayout(moves, 1, 1)
        grid.addWidget(self.free_view, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(2, 1)
        new_team = QHBoxLayout()
        new_team.addWidget(self.team_name, 2)
        new_team.addWidget(self.team_unit, 2)
        new_team.addWidget(self.group, 1)
        new_team.addWidget(self.create_button)
        new_team.addWidget(self.rename_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(grid, 1)
        layout.addLayout(new_team)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(900, 560)
        keep_minimum_size(self)

    @classmethod
    def ask(cls, parent: QWidget | None, runner: TaskRunner, event_id: int) -> None:
        cls(runner, event_id, parent).exec()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.reload()
        super().changeEvent(event)

    def reload(self) -> None:
        event_id = self.event_id
        data = self.runner.read(lambda session: list_teams(session, event_id))
        self.data = data
        self.setWindowTitle(_tr("团队 · {event}").format(event=data.event))
        if self.group.count() == 0:
            self.group.addItems(list(data.groups))
        self.summary.setText(
            _tr("团体赛，每队 {size} 人 · {teams} 支团队 · {free} 人尚未分队").format(
                size=data.team_size, teams=len(data.teams), free=len(data.unassigned)
            )
            if data.is_team_event
            else _tr("“{event}”是个人赛项，不设团队。").format(event=data.event)
        )
        for widget in (self.create_button, self.rename_button, self.add_button, self.remove_button):
            widget.setEnabled(data.is_team_event)
        self.teams_model.clear()
        for team in data.teams:
            item = QStandardItem(
                _tr("{name}（{group}，{count}/{size}人）").format(
                    name=team.name, group=team.group, count=len(team.members), size=data.team_size
                )
            )
            item.setData(team.id, TEAM_ID_ROLE)
            for member in team.members:
                child = QStandardItem(_member_text(member))
                child.setData(member.entry_id, ENTRY_ID_ROLE)
                child.setData(team.id, TEAM_ID_ROLE)
                item.appendRow(child)
            self.teams_model.appendRow(item)
        self.teams_view.expandAll()
        self.free_model.clear()
        for member in data.unassigned:
            item = QStandardItem(f"{_member_text(member)} · {member.group}")
            item.setData(member.entry_id, ENTRY_ID_ROLE)
            self.free_model.appendRow(item)

    def _selected_team(self) -> int | None:
        index = self.teams_view.currentIndex()
        team_id = index.data(TEAM_ID_ROLE) if index.isValid() else None
        return int(team_id) if team_id is not None else None

    def _run(self, title: str, work: Any) -> None:
        def failed(error: Exception) -> None:
            self.error.show_message(str(error))

        def succeeded(_result: object) -> None:
            self.error.show_message(None)
            self.reload()

        self.runner.run_db(title, work, on_success=succeeded, on_failure=failed, changes=CHANGES)

    def new_team(self) -> None:
        event_id, group, name, unit = (
            self.event_id,
            self.group.currentText(),
            self.team_name.text(),
            self.team_unit.text(),
        )

        def work(session: Any, _progress: Progress) -> int:
            return create_team(session, event_id, group, name, unit=unit)

        self._run(_tr("新建团队"), work)

    def rename(self) -> None:
        team_id, name = self._selected_team(), self.team_name.text()
        if team_id is None:
            self.error.show_message(_tr("请先在左侧选中一支团队"))
            return

        def work(session: Any, _progress: Progress) -> None:
            rename_team(session, team_id, name)

        self._run(_tr("团队改名"), work)

    def add_selected(self) -> None:
        team_id = self._selected_team()
        entry_ids = [int(index.data(ENTRY_ID_ROLE)) for index in self.free_view.selectionModel().selectedRows()]
        if team_id is None or not entry_ids:
            self.error.show_message(_tr("请选中一支团队和右侧的选手"))
            return

        def work(session: Any, _progress: Progress) -> None:
            for entry_id in entry_ids:
                add_member(session, team_id, entry_id)

        self._run(_tr("加入团队"), work)

    def remove_selected(self) -> None:
        index = self.teams_view.currentIndex()
        entry_id = index.data(ENTRY_ID_ROLE) if index.isValid() else None
        if entry_id is None:
            self.error.show_message(_tr("请在左侧选中要移出的成员"))
            return

        def work(session: Any, _progress: Progress) -> None:
            remove_member(session, int(entry_id))

        self._run(_tr("移出团队"), work)
