"""成绩: the results of a competition's events, per group, with explanations, state and tie decisions.

Left, the events and their groups; in the middle a banner saying whether the shown results are
正式 (every sheet locked), 非正式 or 已过期 (marks changed since they were computed), the table
and the unresolved ties; right, the selected entry's explanation (also each row's tooltip).
Results are read from the stored snapshots (a quick read); 计算成绩 computes the selected event,
全部计算 every event, through the runner with progress and cancel. Views reload when the
runner reports changed scores or results.

Keyboard: F5 reloads, Ctrl+R computes the selected event, Alt+A computes all, Alt+T decides a tie;
the chooser, the table and the explanation are reached with Tab.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from competition_app.results.view import EventView, GroupView, ResultLine, TieView
from competition_app.services.auth import AuthError
from competition_app.services.navigation import competition_summary
from competition_app.services.results import ResultsError, compute_results, decide_tie, load_results
from competition_app.tasks import Change, Progress
from ui.dialogs import ErrorDialog
from ui.i18n import translate
from ui.results_model import LINE_ROLE, ResultsModel, explanation_text
from ui.tables import list_table
from ui.tie_dialog import TieDialog

if TYPE_CHECKING:
    from ui.main_window import MainWindow
    from ui.runner import TaskRunner

CONTEXT = "ResultsWindow"
DEFAULT_SIZE = (1320, 760)
EVENT_ROLE = Qt.ItemDataRole.UserRole + 1
GROUP_ROLE = Qt.ItemDataRole.UserRole + 2
RELOAD_ON = frozenset({Change.RESULTS, Change.SCORES, Change.ENTRIES, Change.EVENTS})


def _tr(text: str) -> str:
    return translate(CONTEXT, text)


class Banner(StrEnum):
    """What the banner over the table says about the selected event's results."""

    NONE = "none"
    NOT_COMPUTED = "not_computed"
    OFFICIAL = "official"
    DRAFT = "draft"
    STALE = "stale"
    ERROR = "error"


_BANNER_COLOURS = {
    Banner.NONE: ("#F5F5F5", "#424242"),
    Banner.NOT_COMPUTED: ("#ECEFF1", "#263238"),
    Banner.OFFICIAL: ("#E8F5E9", "#1B5E20"),
    Banner.DRAFT: ("#FFF8E1", "#6D4C00"),
    Banner.STALE: ("#FFEBEE", "#B00020"),
    Banner.ERROR: ("#FFEBEE", "#B00020"),
}


@dataclass(frozen=True, slots=True)
class EventResults:
    """One event of the chooser: its stored results (None when never computed) or why they cannot be read."""

    event_id: int
    name: str
    view: EventView | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class CompetitionResults:
    competition_id: int
    name: str
    events: tuple[EventResults, ...]


def read_results(session: Any, competition_id: int) -> CompetitionResults:
    """The stored results of every event of the competition the user may see (a quick read)."""
    competition = competition_summary(session, competition_id)
    if competition is None:
        return CompetitionResults(competition_id, "", ())
    events = []
    for event in competition.events:
        try:
            events.append(EventResults(event.id, event.name, load_results(session, event.id)))
        except (ResultsError, AuthError) as error:
            events.append(EventResults(event.id, event.name, None, str(error)))
    return CompetitionResults(competition.id, competition.name, tuple(events))


def compute_events(session: Any, progress: Progress, event_ids: tuple[int, ...], names: dict[int, str]) -> list[str]:
    """Compute and store each event's results; what could not be computed is returned, in Chinese."""
    problems = []
    for number, event_id in enumerate(event_ids):
        progress.check()
        progress.report(number, len(event_ids), _tr("正在计算：{event}").format(event=names.get(event_id, "")))
        try:
            compute_results(session, event_id)
        except (ResultsError, AuthError) as error:
            if len(event_ids) == 1:
                raise
            problems.append(str(error))
    progress.report(len(event_ids), len(event_ids), "")
    return problems


class ResultsWindow(QWidget):
    """A window of its own beside the main window, one per competition."""

    loaded = Signal()
    """The stored results were read again (after opening, a computation, a change elsewhere)."""
    computed = Signal(object)
    """A computation or tie decision finished: the list of problems, or the exception that stopped it."""

    def __init__(self, runner: TaskRunner, competition_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"results_window_{competition_id}")
        self.runner = runner
        self.competition_id = competition_id
        self.results = CompetitionResults(competition_id, "", ())
        self.banner_state = Banner.NONE

        self.chooser_model = QStandardItemModel(self)
        self.chooser = QTreeView(self)
        self.chooser.setObjectName("results_chooser")
        self.chooser.setModel(self.chooser_model)
        self.chooser.setHeaderHidden(True)
        self.chooser.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.chooser.setMinimumWidth(180)

        self.banner = QFrame(self)
        self.banner.setObjectName("results_banner")
        self.banner_text = QLabel(self.banner)
        self.banner_text.setWordWrap(True)
        self.banner_button = QPushButton(self.banner)
        self.banner_button.setObjectName("results_banner_compute")
        self.warnings = QLabel(self)
        self.warnings.setObjectName("results_warnings")
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("color: #6D4C00;")

        self.model = ResultsModel(self)
        self.table = self._make_table()

        self.ties_box = QGroupBox(self)
        self.ties = QListWidget(self.ties_box)
        self.ties.setObjectName("results_ties")
        self.ties.setMaximumHeight(90)
        self.tie_button = QPushButton(self.ties_box)
        self.tie_button.setObjectName("results_decide_tie")

        self.explanation_box = QGroupBox(self)
        self.explanation = QPlainTextEdit(self.explanation_box)
        self.explanation.setObjectName("results_explanation")
        self.explanation.setReadOnly(True)

        self.compute_button = QPushButton(self)
        self.compute_button.setObjectName("results_compute")
        self.compute_all_button = QPushButton(self)
        self.compute_all_button.setObjectName("results_compute_all")
        self.status = QLabel(self)
        self.status.setObjectName("results_status")

        self._lay_out()
        self._connect()
        self.setMinimumSize(900, 480)
        self.retranslate()

    def _make_table(self) -> QTableView:
        return list_table(self, "results_table", self.model)

    def _lay_out(self) -> None:
        banner = QHBoxLayout(self.banner)
        banner.setContentsMargins(10, 6, 10, 6)
        banner.addWidget(self.banner_text, 1)
        banner.addWidget(self.banner_button)
        ties = QHBoxLayout(self.ties_box)
        ties.addWidget(self.ties, 1)
        ties.addWidget(self.tie_button, 0, Qt.AlignmentFlag.AlignTop)
        explanation = QVBoxLayout(self.explanation_box)
        explanation.addWidget(self.explanation)

        centre = QWidget(self)
        middle = QVBoxLayout(centre)
        middle.setContentsMargins(0, 0, 0, 0)
        middle.addWidget(self.banner)
        middle.addWidget(self.warnings)
        middle.addWidget(self.table, 1)
        middle.addWidget(self.ties_box)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.chooser)
        splitter.addWidget(centre)
        splitter.addWidget(self.explanation_box)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 0)
        splitter.setSizes([200, 860, 260])

        footer = QHBoxLayout()
        footer.addWidget(self.status, 1)
        footer.addWidget(self.compute_button)
        footer.addWidget(self.compute_all_button)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(footer)

    def _connect(self) -> None:
        self.chooser.selectionModel().currentChanged.connect(self._chosen)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.banner_button.clicked.connect(self.compute_selected)
        self.compute_button.clicked.connect(self.compute_selected)
        self.compute_all_button.clicked.connect(self.compute_all)
        self.tie_button.clicked.connect(self.decide_selected_tie)
        self.ties.itemActivated.connect(lambda _item: self.decide_selected_tie())
        self.runner.changed.connect(self._data_changed)
        for keys, slot in (
            (QKeySequence(Qt.Key.Key_F5), self.reload),
            (QKeySequence("Ctrl+R"), self.compute_selected),
        ):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    @classmethod
    def show_for(cls, window: MainWindow, competition_id: int, event_id: int | None = None) -> ResultsWindow:
        """Open the competition's results window (or raise it), showing ``event_id`` when given."""
        results = window.findChild(cls, f"results_window_{competition_id}")
        if results is None:
            results = cls(window.runner, competition_id, window)
            results.setWindowFlag(Qt.WindowType.Window)
            results.resize(*DEFAULT_SIZE)
            results.reload()
        results.select(event_id)
        results.show()
        results.raise_()
        results.activateWindow()
        results.chooser.setFocus()
        return results

    # --- data -----------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the stored results again, keeping the event and group shown."""
        event_id, group = self.current_event_id(), self.current_group_name()
        try:
            self.results = self.runner.read(lambda session: read_results(session, self.competition_id))
        except (ResultsError, AuthError) as error:
            self.results = CompetitionResults(self.competition_id, "", ())
            self.status.setText(_tr("读取成绩失败：{error}").format(error=error))
        self._fill_chooser()
        self.select(event_id, group)
        self._update_title()
        self.loaded.emit()

    def _fill_chooser(self) -> None:
        self.chooser_model.clear()
        for event in self.results.events:
            item = QStandardItem(self._event_label(event))
            item.setData(event.event_id, EVENT_ROLE)
            if event.view is not None:
                for group in event.view.groups:
                    child = QStandardItem(_tr("{group}（{count}人）").format(group=group.name, count=len(group.lines)))
                    child.setData(event.event_id, EVENT_ROLE)
                    child.setData(group.name, GROUP_ROLE)
                    item.appendRow(child)
            self.chooser_model.appendRow(item)
        self.chooser.expandAll()

    @staticmethod
    def _event_label(event: EventResults) -> str:
        if event.error is not None:
            state = _tr("无法读取")
        elif event.view is None:
            state = _tr("未计算")
        elif event.view.stale:
            state = _tr("已过期")
        elif event.view.official:
            state = _tr("正式")
        else:
            state = _tr("非正式")
        return f"{event.name}　[{state}]"

    def select(self, event_id: int | None, group: str | None = None) -> None:
        """Show ``event_id`` (its ``group``, else its first group); the first event when not found."""
        target = None
        for row in range(self.chooser_model.rowCount()):
            item = self.chooser_model.item(row)
            if event_id is not None and item.data(EVENT_ROLE) != event_id:
                continue
            target = item.index()
            children = [item.child(r) for r in range(item.rowCount())]
            chosen = next((c for c in children if c.data(GROUP_ROLE) == group), children[0] if children else None)
            if chosen is not None:
                target = chosen.index()
            break
        if target is None and self.chooser_model.rowCount():
            self.select(int(self.chooser_model.item(0).data(EVENT_ROLE)), group)
            return
        if target is not None:
            self.chooser.selectionModel().setCurrentIndex(target, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self._show_current()

    def current_event(self) -> EventResults | None:
        event_id = self.current_event_id()
        return next((e for e in self.results.events if e.event_id == event_id), None)

    def current_event_id(self) -> int | None:
        index = self.chooser.currentIndex()
        return int(index.data(EVENT_ROLE)) if index.isValid() else None

    def current_group_name(self) -> str | None:
        index = self.chooser.currentIndex()
        value = index.data(GROUP_ROLE) if index.isValid() else None
        return str(value) if value is not None else None

    def current_group(self) -> GroupView | None:
        event = self.current_event()
        if event is None or event.view is None or not event.view.groups:
            return None
        name = self.current_group_name()
        return next((g for g in event.view.groups if g.name == name), event.view.groups[0])

    def _chosen(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_current()

    def _show_current(self) -> None:
        event = self.current_event()
        self.model.set_group(self.current_group())
        self.table.resizeColumnsToContents()
        self._show_banner(event)
        view = event.view if event else None
        self.warnings.setText("\n".join(view.warnings) if view else "")
        self.warnings.setVisible(bool(view and view.warnings))
        self._show_ties(view)
        self.compute_button.setEnabled(event is not None)
        self.explanation.setPlainText("")
        if self.model.rowCount():
            self.table.selectRow(0)

    def _show_banner(self, event: EventResults | None) -> None:
        view = event.view if event else None
        computed = ""
        if view is not None and view.computed_at is not None:
            computed = _tr("（计算于 {time}）").format(time=view.computed_at.astimezone().strftime("%Y-%m-%d %H:%M"))
        if event is None:
            state, text = Banner.NONE, _tr("请在左侧选择赛项")
        elif event.error is not None:
            state, text = Banner.ERROR, _tr("无法读取成绩：{error}").format(error=event.error)
        elif view is None:
            state, text = Banner.NOT_COMPUTED, _tr("“{event}”尚未计算成绩：请点击“计算成绩”").format(event=event.name)
        elif view.stale:
            state, text = Banner.STALE, _tr("已过期：成绩计算后评分或参赛信息有改动，请重新计算") + computed
        elif view.official:
            state, text = Banner.OFFICIAL, _tr("正式成绩：各评分表均已裁判长签字锁定") + computed
        else:
            state, text = Banner.DRAFT, _tr("非正式成绩：尚有评分表未签字锁定，仅供参考") + computed
        self.banner_state = state
        background, colour = _BANNER_COLOURS[state]
        self.banner.setStyleSheet(
            f"#results_banner {{ background: {background}; border: 1px solid {colour}; border-radius: 4px; }}"
            f"#results_banner QLabel {{ color: {colour}; font-weight: bold; }}"
        )
        self.banner_text.setText(text)
        self.banner_button.setVisible(state in (Banner.NOT_COMPUTED, Banner.STALE))
        self.banner_button.setText(_tr("计算成绩") if state is Banner.NOT_COMPUTED else _tr("重新计算"))

    def _show_ties(self, view: EventView | None) -> None:
        ties = view.unresolved_ties if view else ()
        self.ties.clear()
        for tie in ties:
            self.ties.addItem(f"{tie.group}：{tie.message}")
        if ties:
            self.ties.setCurrentRow(0)
        self.ties_box.setVisible(bool(ties))
        self.tie_button.setEnabled(bool(ties))

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        line: ResultLine | None = current.data(LINE_ROLE) if current.isValid() else None
        self.explanation.setPlainText(explanation_text(line) if line else "")

    def _data_changed(self, changes: frozenset[object]) -> None:
        if changes & RELOAD_ON:
            self.reload()

    def _update_title(self) -> None:
        name = self.results.name
        self.setWindowTitle(_tr("成绩 — {competition}").format(competition=name) if name else _tr("成绩"))

    # --- computing and deciding ties ------------------------------------------------------

    def compute_selected(self) -> None:
        """计算成绩 for the event shown."""
        event = self.current_event()
        if event is not None:
            self._compute((event.event_id,))

    def compute_all(self) -> None:
        """计算成绩 for every event of the competition (those that fail are reported, the rest stored)."""
        self._compute(tuple(event.event_id for event in self.results.events))

    def _compute(self, event_ids: tuple[int, ...]) -> None:
        if not event_ids:
            return
        names = {event.event_id: event.name for event in self.results.events}
        self.status.setText(_tr("正在计算成绩……"))
        self.runner.run_db(
            _tr("计算成绩"),
            lambda session, progress: compute_events(session, progress, event_ids, names),
            on_success=self._computed,
            on_failure=self._failed,
            changes=frozenset({Change.RESULTS}),
        )

    def _computed(self, problems: list[str]) -> None:
        if problems:
            self.status.setText(_tr("部分赛项未能计算：{problems}").format(problems="；".join(problems)))
        else:
            self.status.setText(_tr("成绩已计算并保存"))
        self.computed.emit(problems)

    def _failed(self, error: Exception) -> None:
        self.status.setText(_tr("计算失败"))
        self.computed.emit(error)
        ErrorDialog.show_error(self, _tr("计算成绩"), _tr("计算成绩失败：\n{error}").format(error=error))

    def selected_tie(self) -> TieView | None:
        event = self.current_event()
        row = self.ties.currentRow()
        if event is None or event.view is None or not 0 <= row < len(event.view.unresolved_ties):
            return None
        return event.view.unresolved_ties[row]

    def decide_selected_tie(self) -> None:
        """决定并列…: ask for an order and a reason, record them, then recompute the event."""
        event, tie = self.current_event(), self.selected_tie()
        if event is None or event.view is None or tie is None:
            return
        lines = tuple(line for group in event.view.groups if group.name == tie.group for line in group.lines)
        choice = TieDialog.ask(self, tie, lines)
        if choice is None:
            return
        event_id = event.event_id

        def work(session: Any, progress: Progress) -> list[str]:
            decide_tie(session, event_id, tie.group, choice.ordered_ids, choice.reason, context=tie.context)
            return compute_events(session, progress, (event_id,), {event_id: event.name})

        self.status.setText(_tr("正在记录并列决定……"))
        self.runner.run_db(
            _tr("决定并列名次"), work, on_success=self._computed, on_failure=self._failed,
            changes=frozenset({Change.RESULTS}),
        )  # fmt: skip

    # --- text -----------------------------------------------------------------------------

    def retranslate(self) -> None:
        self._update_title()
        self.ties_box.setTitle(_tr("未决的并列"))
        self.tie_button.setText(_tr("决定并列(&T)…"))
        self.explanation_box.setTitle(_tr("说明"))
        self.explanation.setPlaceholderText(_tr("选择一行查看名次、奖项、称号和晋升的依据"))
        self.compute_button.setText(_tr("计算成绩"))
        self.compute_button.setToolTip(_tr("计算所选赛项的成绩并保存（Ctrl+R）"))
        self.compute_all_button.setText(_tr("全部计算(&A)"))
        self.compute_all_button.setToolTip(_tr("计算本赛事全部赛项的成绩"))
        self._show_banner(self.current_event())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def show_results(window: MainWindow) -> None:
    """成绩与证书 → 成绩 (wired in ``ui.commands``): the selected competition, its selected event first."""
    from ui.commands import current_selection

    competition_id, event_id = current_selection(window)
    if competition_id is None:
        window.show_status(translate(CONTEXT, "请先在左侧选择一项赛事或赛项"))
        return
    ResultsWindow.show_for(window, competition_id, event_id)
