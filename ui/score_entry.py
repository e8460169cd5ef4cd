"""Score entry (评分 → 录入成绩): a keyboard-first grid per event, one committed transaction per cell.

Keys, without the mouse: type digits in a cell (typing starts editing and replaces what is
there), Enter stores the value and moves down to the next markable row (from the last row to
the top of the next column), Tab / Shift+Tab store and move across, Delete clears the cell, Esc
cancels the edit. The text is checked as it is typed (``Column.parse``, ``parse_duration``) and
the reason shown in the status line; an impossible value is refused and the editor stays open.

Each accepted cell is written at once, synchronously on the UI thread, in its own transaction
with its audit record (``scores.enter_score``, about 10 ms): no save to forget, and the keyboard
order is exactly the order of the commits. The version the user saw travels with every edit, so
a cell someone else changed meanwhile is reported (``ScoreConflict``), never overwritten.

The sheet's life (复核通过, 签字锁定, 解锁 with a reason, 公示, the verification method) runs
through the background runner like every other mutating action; the buttons follow the sheet's
state and the actor's permissions, and the services check both again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
    QTimer,
)
from PySide6.QtGui import QAction, QBrush, QColor, QKeyEvent, QKeySequence, QPainter, QPen, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from competition_app.domain.enums import SheetState
from competition_app.domain.marks import MarkError, parse_duration, plain
from competition_app.domain.permissions import Permission, Place
from competition_app.rules.sheet import Cell, Column, Sheet
from competition_app.services import scores, sheets
from competition_app.services.auth import Actor, AuthError, current_actor, event_place
from competition_app.services.scores import CellRef, ScoreConflict, ScoreError
from competition_app.services.sheets import Difference, SheetStatus
from competition_app.tasks import Change, Progress
from ui.dialogs import ErrorDialog
from ui.i18n import QT_TRANSLATE_NOOP, translate
from ui.score_grid_model import CELL_ROLE, GridColumnKind, ScoreGridModel

if TYPE_CHECKING:
    from ui.main_window import MainWindow
    from ui.runner import TaskRunner

log = logging.getLogger(__name__)

CONTEXT = "ScoreEntry"
Index = QModelIndex | QPersistentModelIndex
RELOAD_ON = frozenset({Change.SCORES, Change.ENTRIES, Change.EVENTS})
QUIET_MS = 500
"""After this long without a keyed cell, the state bar is re-read and the other views are told."""
DEFAULT_SIZE = (1200, 760)
MINIMUM_SIZE = (720, 480)
CURRENT_CELL = QColor("#1a56db")
CURRENT_ROW = QColor("#eaf1fd")
ERROR_TEXT = "#b3261e"
_STATE_COLOURS = {
    SheetState.ENTERING: "#e3f0ff",
    SheetState.VERIFIED: "#fff4d6",
    SheetState.LOCKED: "#e2f4e1",
    SheetState.PUBLISHED: "#ece6f6",
}


def _tr(text: str) -> str:
    return translate(CONTEXT, text)


def model_index(index: Index) -> QModelIndex:
    """A plain ``QModelIndex`` for a persistent one (what the views' slots take)."""
    if isinstance(index, QModelIndex):
        return index
    model = index.model()
    return model.index(index.row(), index.column()) if model is not None and index.isValid() else QModelIndex()


def window_name(event_id: int) -> str:
    return f"score_entry_{event_id}"


def group_hex(text: str, size: int = 4) -> str:
    """A fingerprint in groups of four hex digits, as printed on the paper sheet."""
    return " ".join(text[start : start + size] for start in range(0, len(text), size))


class Move(Enum):
    DOWN = "down"
    RIGHT = "right"
    LEFT = "left"


class Outcome(Enum):
    """What became of a value typed into a cell."""

    STORED = "stored"
    """Written (or nothing to write): close the editor and move on."""
    KEEP_EDITING = "keep_editing"
    """Refused, but the typed text may still be corrected: the editor stays open."""
    REFUSED = "refused"
    """Refused for good (conflict, permission, closed sheet): close the editor, stay on the cell."""


class SheetDialogs:
    """The questions the window asks, behind classmethods that tests answer."""

    @classmethod
    def reason(cls, parent: QWidget | None, title: str, prompt: str) -> str | None:
        text, ok = QInputDialog.getText(parent, title, prompt, QLineEdit.EchoMode.Normal)
        return text.strip() if ok and text.strip() else None

    @classmethod
    def confirm(cls, parent: QWidget | None, title: str, text: str) -> bool:
        answer = QMessageBox.question(parent, title, text)
        return answer == QMessageBox.StandardButton.Yes

    @classmethod
    def choose(cls, parent: QWidget | None, title: str, prompt: str, items: list[str], current: int = 0) -> int | None:
        """The index of the item chosen, None when cancelled."""
        text, ok = QInputDialog.getItem(parent, title, prompt, items, current, False)
        return items.index(text) if ok and text in items else None


# --- the keyboard ---------------------------------------------------------------------------


class CellDelegate(QStyledItemDelegate):
    """A line editor that checks as you type and stores on Enter / Tab synchronously.

    Qt's own delegate commits on Enter through a queued call, so keys typed quickly after Enter
    could reach the old editor; committing inside the key event keeps the order exact. The
    current cell gets a clear frame and its row a light tint, whatever the widget style.
    """

    def __init__(
        self,
        view: QAbstractItemView,
        *,
        check: Callable[[QModelIndex, str], str | None],
        commit: Callable[[QModelIndex, str], Outcome],
        moved: Callable[[QModelIndex, Move], None],
        say: Callable[[str, bool], None],
    ) -> None:
        super().__init__(view)
        self._view = view
        self._check = check
        self._commit = commit
        self._moved = moved
        self._say = say
        self._index = QPersistentModelIndex()

    # editor

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = QLineEdit(parent)
        editor.setObjectName("cell_editor")
        editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._mark_editor(editor, ok=True)
        self._index = QPersistentModelIndex(index)
        editor.textEdited.connect(lambda text: self._live_check(editor, text))
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QLineEdit):
            editor.setText(str(index.data(Qt.ItemDataRole.EditRole) or ""))

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        """Leaving the editor by other means than the keys below (a click elsewhere) still stores."""
        if not isinstance(editor, QLineEdit):
            return
        text = editor.text()
        if not text.strip() or text == index.data(Qt.ItemDataRole.EditRole):
            return
        reason = self._check(model_index(index), text)
        if reason is not None:
            self._say(reason, True)
            return
        self._commit(model_index(index), text)

    @staticmethod
    def _mark_editor(editor: QLineEdit, *, ok: bool) -> None:
        # Restyling is slow enough to notice per key: only when the verdict changes.
        if editor.property("refused") == (not ok):
            return
        editor.setProperty("refused", not ok)
        colour = CURRENT_CELL.name() if ok else ERROR_TEXT
        editor.setStyleSheet(f"QLineEdit {{ border: 2px solid {colour}; padding: 0 3px; }}")

    def _live_check(self, editor: QLineEdit, text: str) -> None:
        index = model_index(self._index)
        reason = self._check(index, text) if text.strip() and index.isValid() else None
        self._mark_editor(editor, ok=reason is None)
        self._say(reason or "", reason is not None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(watched, QLineEdit) and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            move = self._move_for(event)
            if move is not None:
                self._finish(watched, move)
                return True
            if event.key() == Qt.Key.Key_Escape:
                self._say("", False)
        return super().eventFilter(watched, event)

    @staticmethod
    def _move_for(event: QKeyEvent) -> Move | None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return Move.DOWN
        if key == Qt.Key.Key_Backtab or (
            key == Qt.Key.Key_Tab and event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            return Move.LEFT
        if key == Qt.Key.Key_Tab:
            return Move.RIGHT
        return None

    def _finish(self, editor: QLineEdit, move: Move) -> None:
        index = model_index(self._index)
        if not index.isValid():
            return
        text = editor.text()
        outcome = Outcome.STORED
        if text.strip() and text != index.data(Qt.ItemDataRole.EditRole):
            reason = self._check(index, text)
            if reason is not None:
                self._mark_editor(editor, ok=False)
                self._say(reason, True)
                return
            outcome = self._commit(index, text)
        if outcome is Outcome.KEEP_EDITING:
            self._mark_editor(editor, ok=False)
            return
        self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
        if outcome is Outcome.STORED:
            self._moved(index, move)

    # painting

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:
        super().initStyleOption(option, index)
        current = self._view.currentIndex()
        if current.isValid() and index.row() == current.row() and index.data(Qt.ItemDataRole.BackgroundRole) is None:
            option.backgroundBrush = QBrush(CURRENT_ROW)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        super().paint(painter, option, index)
        if model_index(index) == self._view.currentIndex():
            painter.save()
            pen = QPen(CURRENT_CELL if self._view.hasFocus() else QColor("#7d8aa3"))
            pen.setWidth(2)
            painter.setPen(pen)
            rect: QRect = option.rect
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
            painter.restore()


class KeyTable(QTableView):
    """A table driven from the keyboard: typing edits, Enter moves down, Tab moves across entry columns.

    Subclasses say where Enter and Tab lead (``below``, ``across``) and what Delete, Space and a
    refused key do; the plain view never jumps around on typed letters (no keyboard search).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
        )
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setTabKeyNavigation(True)
        self.setWordWrap(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # The current cell is framed by the delegate; a selection colour would hide the flags.
        self.setStyleSheet("QTableView { selection-background-color: transparent; selection-color: palette(text); }")
        rows = self.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 12)
        self.horizontalHeader().setHighlightSections(False)

    # where the keys lead (subclasses)

    def entry_columns(self) -> list[int]:
        return list(range(self.model().columnCount())) if self.model() is not None else []

    def entry_rows(self) -> list[int]:
        return list(range(self.model().rowCount())) if self.model() is not None else []

    def below(self, index: QModelIndex) -> QModelIndex:
        """The next row down; from the last row, the top of the next entry column."""
        model = self.model()
        rows = self.entry_rows()
        later = [row for row in rows if row > index.row()]
        if later:
            return model.index(later[0], index.column())
        columns = [column for column in self.entry_columns() if column > index.column()]
        if columns and rows:
            return model.index(rows[0], columns[0])
        return index

    def across(self, index: QModelIndex, forward: bool) -> QModelIndex:
        """The next entry column in the row (wrapping to the next or previous row)."""
        model = self.model()
        columns, rows = self.entry_columns(), self.entry_rows()
        if not columns or not rows:
            return index
        if forward:
            later = [column for column in columns if column > index.column()]
            if later:
                return model.index(index.row(), later[0])
            next_rows = [row for row in rows if row > index.row()]
            return model.index(next_rows[0], columns[0]) if next_rows else index
        earlier = [column for column in columns if column < index.column()]
        if earlier:
            return model.index(index.row(), earlier[-1])
        previous_rows = [row for row in rows if row < index.row()]
        return model.index(previous_rows[-1], columns[-1]) if previous_rows else index

    def go(self, index: QModelIndex, move: Move) -> None:
        """Move the current cell from ``index`` as Enter (down) or Tab (across) do."""
        target = self.below(index) if move is Move.DOWN else self.across(index, move is Move.RIGHT)
        if target.isValid():
            self.setCurrentIndex(target)
            self.scrollTo(target)

    # what the keys do (subclasses)

    def enter_pressed(self, index: QModelIndex) -> None:
        self.go(index, Move.DOWN)

    def space_pressed(self, index: QModelIndex) -> bool:
        """True if Space was used (otherwise it starts editing, like any key)."""
        return False

    def delete_pressed(self, index: QModelIndex) -> None:
        pass

    def refused(self, index: QModelIndex) -> None:
        """A key that would have typed into a cell that cannot be edited."""

    # Qt

    def moveCursor(self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier) -> QModelIndex:
        if cursorAction in (QAbstractItemView.CursorAction.MoveNext, QAbstractItemView.CursorAction.MovePrevious):
            current = self.currentIndex()
            if current.isValid():
                return self.across(current, cursorAction is QAbstractItemView.CursorAction.MoveNext)
        return super().moveCursor(cursorAction, modifiers)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.state() is QAbstractItemView.State.EditingState:
            # A key that reaches the view while its editor is open (sent to the view before the
            # focus moved, as by a scripted keyboard) belongs to the editor, in order.
            editor = self.indexWidget(self.currentIndex())
            if editor is not None and editor is not self:
                QApplication.sendEvent(editor, event)
                return
        else:
            index = self.currentIndex()
            key = event.key()
            plain_key = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if index.isValid() and plain_key:
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                    self.enter_pressed(index)
                    event.accept()
                    return
                if key == Qt.Key.Key_Space and self.space_pressed(index):
                    event.accept()
                    return
                if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                    self.delete_pressed(index)
                    event.accept()
                    return
        super().keyPressEvent(event)

    def keyboardSearch(self, search: str) -> None:
        # Called for a typed key that could not start an editor: say why instead of jumping rows.
        index = self.currentIndex()
        if index.isValid() and search.strip():
            self.refused(index)


class ScoreGridView(KeyTable):
    """The entry grid: rows that can be marked, columns a value is typed into."""

    def __init__(self, model: ScoreGridModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("score_grid")
        self.grid = model
        self.setModel(model)
        self.on_confirm: Callable[[QModelIndex], None] = lambda _index: None
        self.on_delete: Callable[[QModelIndex], None] = lambda _index: None
        self.on_refused: Callable[[QModelIndex], None] = lambda _index: None
        # The code stays in sight in the row header (the code column is hidden) on wide sheets.
        self.verticalHeader().setVisible(True)
        model.modelReset.connect(self._hide_code_column)

    def _hide_code_column(self) -> None:
        for number, column in enumerate(self.grid.grid_columns):
            self.setColumnHidden(number, column.kind is GridColumnKind.CODE)

    def entry_columns(self) -> list[int]:
        return self.grid.entry_columns()

    def entry_rows(self) -> list[int]:
        return [row for row in range(self.grid.rowCount()) if self.grid.sheet_row(row).markable]

    def enter_pressed(self, index: QModelIndex) -> None:
        if self.grid.readback:
            self.on_confirm(index)
        else:
            self.go(index, Move.DOWN)

    def space_pressed(self, index: QModelIndex) -> bool:
        if self.grid.readback:
            self.on_confirm(index)
            return True
        return False

    def delete_pressed(self, index: QModelIndex) -> None:
        self.on_delete(index)

    def refused(self, index: QModelIndex) -> None:
        self.on_refused(index)

    def first_open_cell(self) -> QModelIndex:
        """Where work starts: the first empty cell, column by column (in read-back mode the first
        row with a cell to confirm), else the top left."""
        rows, columns = self.entry_rows(), self.entry_columns()
        if not rows or not columns:
            return self.grid.index(0, 0) if self.grid.rowCount() else QModelIndex()
        if self.grid.readback:
            marks = [column for column in columns if self.grid.grid_column(column).kind is GridColumnKind.MARK]
            for row in rows:
                if any((cell := self.grid.index(row, column).data(CELL_ROLE)) is not None
                       and cell.verified_by_id is None for column in marks):  # fmt: skip
                    return self.grid.index(row, columns[0])
            return self.grid.index(rows[0], columns[0])
        for column in columns:
            for row in rows:
                index = self.grid.index(row, column)
                if not index.data(Qt.ItemDataRole.DisplayRole):
                    return index
        return self.grid.index(rows[0], columns[0])


# --- the window -----------------------------------------------------------------------------


_ACTIONS: tuple[tuple[str, str, str, str], ...] = (
    # (name, text, shortcut, tip)
    ("differences", QT_TRANSLATE_NOOP("ScoreEntry", "两遍差异"), "Ctrl+D",
     QT_TRANSLATE_NOOP("ScoreEntry", "列出两遍录入不一致的成绩，按纸面成绩逐一解决")),
    ("verify", QT_TRANSLATE_NOOP("ScoreEntry", "复核通过"), "F7",
     QT_TRANSLATE_NOOP("ScoreEntry", "全部录齐并核对无误后，将评分表标为已复核")),
    ("lock", QT_TRANSLATE_NOOP("ScoreEntry", "签字锁定"), "F8",
     QT_TRANSLATE_NOOP("ScoreEntry", "裁判长签字锁定：评分表只读，并记录数据指纹")),
    ("unlock", QT_TRANSLATE_NOOP("ScoreEntry", "解锁"), "Shift+F8",
     QT_TRANSLATE_NOOP("ScoreEntry", "裁判长或管理员解锁以更正成绩，须填写原因（记入审计日志）")),
    ("publish", QT_TRANSLATE_NOOP("ScoreEntry", "公示"), "F9",
     QT_TRANSLATE_NOOP("ScoreEntry", "公示已签字锁定的成绩")),
    ("print", QT_TRANSLATE_NOOP("ScoreEntry", "打印评分表"), "Ctrl+P",
     QT_TRANSLATE_NOOP("ScoreEntry", "生成带签字栏和数据指纹的裁判评分表 PDF")),
    ("method", QT_TRANSLATE_NOOP("ScoreEntry", "选择校验方式"), "",
     QT_TRANSLATE_NOOP("ScoreEntry", "双人双遍录入，或单人录入＋回读核对（本赛项全部评分表）")),
    ("reload", QT_TRANSLATE_NOOP("ScoreEntry", "刷新"), "F5",
     QT_TRANSLATE_NOOP("ScoreEntry", "重新读取评分表")),
)  # fmt: skip


class ScoreEntryWindow(QMainWindow):
    """One event's score sheets: pick a component and a pass, key marks, move the sheet along."""

    def __init__(self, runner: TaskRunner, event_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(window_name(event_id))
        self.runner = runner
        self.event_id = event_id
        self.actor: Actor | None = None
        self.place = Place()
        self.statuses: tuple[SheetStatus, ...] = ()
        self.status: SheetStatus | None = None
        self.differences_dialog: DifferencesDialog | None = None
        self._emitting = False
        self._reload_pending = False
        self._filling = False
        self._criteria: dict[int, str | None] = {}
        """The criterion shown per component, as last chosen."""

        self.model = ScoreGridModel(self)
        self.view = ScoreGridView(self.model, self)
        self.delegate = CellDelegate(
            self.view, check=self.check_text, commit=self.commit_text, moved=self.view.go, say=self.say
        )
        self.view.setItemDelegate(self.delegate)
        self.view.on_confirm = self.confirm_row
        self.view.on_delete = self.clear_cell
        self.view.on_refused = self._refused
        self.delegate.closeEditor.connect(self._editor_closed)

        self._build_widgets()
        self._build_actions()

        self._quiet = QTimer(self)
        self._quiet.setSingleShot(True)
        self._quiet.setInterval(QUIET_MS)
        self._quiet.timeout.connect(self._settle)

        self.component_box.currentIndexChanged.connect(self._component_changed)
        self.pass_box.currentIndexChanged.connect(self._pass_changed)
        self.criterion_box.currentIndexChanged.connect(self._criterion_changed)
        runner.changed.connect(self._data_changed)
        self.retranslate()
        # An explicit minimum keeps the layout from changing it whenever the labels change (and
        # the window manager from being asked to re-read the size hints), as in MainWindow.
        self.setMinimumSize(*MINIMUM_SIZE)
        self.resize(*DEFAULT_SIZE)

    def _build_widgets(self) -> None:
        self.heading = QLabel(self)
        self.heading.setObjectName("score_heading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.heading.setFont(font)
        self.component_box = QComboBox(self)
        self.component_box.setObjectName("component_box")
        self.pass_box = QComboBox(self)
        self.pass_box.setObjectName("pass_box")
        self.criterion_box = QComboBox(self)
        self.criterion_box.setObjectName("criterion_box")
        self.state_label = QLabel(self)
        self.state_label.setObjectName("sheet_state")
        self.state_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message = QLabel(self)
        self.message.setObjectName("entry_message")
        self.hint = QLabel(self)

        self._labels: dict[str, QLabel] = {}
        pickers = QHBoxLayout()
        for name, box in (("component", self.component_box), ("pass", self.pass_box),
                          ("criterion", self.criterion_box)):  # fmt: skip
            label = QLabel(self)
            label.setBuddy(box)
            self._labels[name] = label
            pickers.addWidget(label)
            pickers.addWidget(box)
            box.installEventFilter(self)
        pickers.addStretch(1)
        top = QVBoxLayout()
        top.addWidget(self.heading)
        top.addLayout(pickers)
        top.addWidget(self.state_label)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self.setCentralWidget(central)
        self.statusBar().addWidget(self.message, 1)
        self.statusBar().addPermanentWidget(self.hint)

    def _build_actions(self) -> None:
        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("score_toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(self.toolbar)
        self.actions_by_name: dict[str, QAction] = {}
        handlers: dict[str, Callable[[], object]] = {
            "differences": self.show_differences,
            "verify": self.verify,
            "lock": self.lock,
            "unlock": self.unlock,
            "publish": self.publish,
            "print": self.print_sheet,
            "method": self.choose_method,
            "reload": self.reload,
        }
        for name, _text, shortcut, _tip in _ACTIONS:
            action = QAction(self)
            action.setObjectName(f"score_action_{name}")
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
                action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _checked=False, handler=handlers[name]: handler())
            self.actions_by_name[name] = action
            self.toolbar.addAction(action)
            if name in ("differences", "publish", "method"):
                self.toolbar.addSeparator()
        for keys, step in (("Ctrl+PgDown", 1), ("Ctrl+PgUp", -1)):
            shortcut_ = QShortcut(QKeySequence(keys), self)
            shortcut_.activated.connect(lambda step=step: self._step_criterion(step))

    # --- opening ----------------------------------------------------------------------------

    @classmethod
    def show_for(cls, parent: QWidget, runner: TaskRunner, event_id: int) -> ScoreEntryWindow | None:
        """The event's window, raised if already open (one per event), else a new one; None if refused."""
        window = parent.findChild(cls, window_name(event_id))
        if window is None:
            window = cls(runner, event_id, parent)
        if not window.reload():
            return None if not window.isVisible() else window
        window.show()
        window.raise_()
        window.activateWindow()
        window.view.setFocus(Qt.FocusReason.OtherFocusReason)
        window.scroll_home()
        return window

    def scroll_home(self) -> None:
        """Show the sheet from its left edge with the current cell in sight (once the layout is done)."""
        layout = self.layout()
        if layout is not None:
            layout.activate()
        self.view.horizontalScrollBar().setValue(0)
        current = self.view.currentIndex()
        if current.isValid():
            self.view.scrollTo(current)

    def reload(self) -> bool:
        """Read the actor, the event's sheets and the current sheet again; False (and why) if refused."""
        self._reload_pending = False
        try:
            actor, place, statuses = self.runner.read(
                lambda session: (
                    current_actor(session),
                    event_place(session, self.event_id),
                    sheets.event_sheets(session, self.event_id),
                )
            )
        except (AuthError, ScoreError) as error:
            # E.g. after switching to a user who may not see this event: show nothing of it.
            self.actor, self.status, self.statuses = None, None, ()
            self.model.set_sheet(None)
            self.state_label.clear()
            self._update_actions()
            self._refuse_open(str(error))
            return False
        if not statuses:
            self._refuse_open(_tr("本赛项还没有评分项：请先在“编辑赛项”中设置评分项"))
            return False
        self.actor, self.place, self.statuses = actor, place, statuses
        self._fill_components()
        return self.load_sheet()

    def _refuse_open(self, message: str) -> None:
        self.say(message, True)
        parent = self.parentWidget()
        show_status = getattr(parent, "show_status", None)
        if callable(show_status):
            show_status(message)
        if not self.isVisible():
            ErrorDialog.show_error(parent, _tr("录入成绩"), message)

    def load_sheet(self) -> bool:
        """(Re)load the chosen component in the chosen pass, keeping the cursor where it was."""
        component_id = self.component_box.currentData()
        choice = self.pass_box.currentData()
        if component_id is None or choice is None:
            return False
        pass_no, readback = choice
        current = self.view.currentIndex()
        shown = self.model.sheet
        same = shown is not None and (shown.component_id, shown.pass_no, self.model.readback) == (
            component_id,
            pass_no,
            readback,
        )
        kept = (current.row(), self.model.grid_column(current.column())) if current.isValid() and same else None
        try:
            sheet, status = self.runner.read(
                lambda session: (
                    scores.load_sheet(session, self.event_id, component_id, pass_no),
                    sheets.sheet_status(session, self.event_id, component_id),
                )
            )
        except (AuthError, ScoreError) as error:
            self.say(str(error), True)
            return False
        self.status = status
        self.statuses = tuple(status if old.component_id == component_id else old for old in self.statuses)
        # A WorldSkills sheet opens on its first criterion: all of them are too many columns to key.
        first = next((column.criterion for column in sheet.columns if column.criterion), None)
        criterion = self._criteria.get(component_id, first if sheet.worldskills else None)
        self.model.set_sheet(sheet, readback=readback, criterion=criterion)
        self._fill_criteria(sheet)
        self._fit_columns()
        self._update_heading(sheet)
        self._update_state()
        target = QModelIndex()
        if kept is not None and kept[0] < self.model.rowCount() and kept[1] in self.model.grid_columns:
            target = self.model.index(kept[0], self.model.grid_columns.index(kept[1]))
        if not target.isValid():
            target = self.view.first_open_cell()
        self.view.horizontalScrollBar().setValue(0)
        if target.isValid():
            self.view.setCurrentIndex(target)
            self.view.scrollTo(target)
        return True

    def _fill_components(self) -> None:
        current = self.component_box.currentData()
        self._filling = True
        try:
            self.component_box.clear()
            for status in self.statuses:
                self.component_box.addItem(status.component_name, status.component_id)
            found = self.component_box.findData(current) if current is not None else -1
            self.component_box.setCurrentIndex(max(found, 0))
        finally:
            self._filling = False
        self._fill_passes()

    def _fill_passes(self) -> None:
        status = self._chosen_status()
        current = self.pass_box.currentData()
        self._filling = True
        try:
            self.pass_box.clear()
            if status is not None and status.double_entry:
                self.pass_box.addItem(_tr("第一遍"), (1, False))
                self.pass_box.addItem(_tr("第二遍（盲录）"), (2, False))
            else:
                self.pass_box.addItem(_tr("录入"), (1, False))
                if self._can(Permission.VERIFY_SCORES):
                    self.pass_box.addItem(_tr("回读核对"), (1, True))
            found = self.pass_box.findData(current) if current is not None else -1
            self.pass_box.setCurrentIndex(max(found, 0))
        finally:
            self._filling = False

    def _fill_criteria(self, sheet: Sheet) -> None:
        criteria = self.model.criteria()
        current = self.model.criterion
        self._filling = True
        try:
            self.criterion_box.clear()
            self.criterion_box.addItem(_tr("全部"), None)
            for criterion in criteria:
                self.criterion_box.addItem(_tr("{criterion} 部分").format(criterion=criterion), criterion)
            self.criterion_box.setCurrentIndex(max(self.criterion_box.findData(current), 0) if current else 0)
        finally:
            self._filling = False
        visible = bool(criteria)
        self.criterion_box.setVisible(visible)
        self._labels["criterion"].setVisible(visible)

    def _chosen_status(self) -> SheetStatus | None:
        component_id = self.component_box.currentData()
        return next((status for status in self.statuses if status.component_id == component_id), None)

    def _component_changed(self) -> None:
        if self._filling:
            return
        self._fill_passes()
        self.load_sheet()

    def _pass_changed(self) -> None:
        if not self._filling:
            self.load_sheet()

    def _criterion_changed(self) -> None:
        if self._filling:
            return
        row = max(self.view.currentIndex().row(), 0)
        criterion = self.criterion_box.currentData()
        if self.model.sheet is not None:
            self._criteria[self.model.sheet.component_id] = criterion
        self.model.set_criterion(criterion)
        self._fit_columns()
        columns = self.view.entry_columns()
        if columns and self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(min(row, self.model.rowCount() - 1), columns[0]))

    def _step_criterion(self, step: int) -> None:
        if self.criterion_box.isVisible() and self.criterion_box.count() > 1:
            self.criterion_box.setCurrentIndex((self.criterion_box.currentIndex() + step) % self.criterion_box.count())
            self.view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Enter or Esc in a picker goes back to the grid: the hands stay on the keys.
        if event.type() == QEvent.Type.KeyPress and isinstance(watched, QComboBox):
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape):
                self.view.setFocus(Qt.FocusReason.ShortcutFocusReason)
                return True
        return super().eventFilter(watched, event)

    # --- what is shown ----------------------------------------------------------------------

    def _can(self, permission: Permission) -> bool:
        return self.actor is not None and self.actor.can(permission, self.place)

    def _update_heading(self, sheet: Sheet) -> None:
        self.heading.setText(
            _tr("{competition} · {event} · {component}").format(
                competition=sheet.competition_name, event=sheet.event_name, component=sheet.component_name
            )
        )
        self.setWindowTitle(_tr("录入成绩 — {event}").format(event=sheet.event_name))

    def _update_state(self) -> None:
        status = self.status
        sheet = self.model.sheet
        if status is None or sheet is None:
            self.state_label.clear()
            return
        keyed, expected = self.model.progress()
        first = keyed if sheet.pass_no == 1 else status.first_pass
        parts = [status.state.label]
        if status.double_entry:
            second = keyed if sheet.pass_no == 2 else status.second_pass
            parts.append(_tr("第一遍 {done}/{total}").format(done=first, total=expected))
            parts.append(_tr("第二遍 {done}/{total}").format(done=second, total=expected))
            if status.differences and status.state is SheetState.ENTERING:
                parts.append(_tr("两遍不一致 {count} 处").format(count=status.differences))
        else:
            parts.append(_tr("已录入 {done}/{total}").format(done=first, total=expected))
            if status.state is SheetState.ENTERING:
                unconfirmed = self.model.unconfirmed() if sheet.pass_no == 1 else status.unconfirmed
                parts.append(_tr("未回读核对 {count}").format(count=unconfirmed))
        if status.verified_by:
            parts.append(_tr("复核：{who}").format(who=status.verified_by))
        if status.locked_by and status.state in (SheetState.LOCKED, SheetState.PUBLISHED):
            parts.append(_tr("签字锁定：{who}").format(who=status.locked_by))
        if status.fingerprint and status.state in (SheetState.LOCKED, SheetState.PUBLISHED):
            parts.append(_tr("指纹 {fingerprint}…").format(fingerprint=group_hex(status.fingerprint[:16])))
        if not sheet.editable:
            parts.append(_tr("只读：如需更正，请裁判长解锁并说明原因"))
        if sheet.pass_no == 2:
            parts.append(_tr("第二遍盲录：看不到第一遍的成绩"))
        if self.model.readback:
            parts.append(_tr("回读核对：对照纸面，按空格或回车确认一行"))
        self.state_label.setText("  ·  ".join(parts))
        colour = _STATE_COLOURS[status.state]
        self.state_label.setStyleSheet(
            f"QLabel#sheet_state {{ background: {colour}; padding: 6px 10px; border-radius: 3px; }}"
        )
        self._update_actions()

    def _update_actions(self) -> None:
        status = self.status
        state = status.state if status is not None else None
        enabled = {
            "differences": bool(status and status.double_entry) and self._can(Permission.VERIFY_SCORES),
            "verify": state is SheetState.ENTERING and self._can(Permission.VERIFY_SCORES),
            "lock": state is SheetState.VERIFIED and self._can(Permission.LOCK_SHEETS),
            "unlock": state is not None and state is not SheetState.ENTERING and self._can(Permission.LOCK_SHEETS),
            "publish": state is SheetState.LOCKED and self._can(Permission.PUBLISH),
            "print": self._can(Permission.VIEW_SCORES),
            "method": state is SheetState.ENTERING and self._can(Permission.LOCK_SHEETS),
            "reload": True,
        }
        for name, action in self.actions_by_name.items():
            action.setEnabled(enabled[name])

    def _fit_columns(self) -> None:
        metrics = self.view.fontMetrics()
        header = self.view.horizontalHeader()
        sheet = self.model.sheet
        if sheet is None:
            return
        padding = 22
        widest_code = max((metrics.horizontalAdvance(row.code) for row in sheet.rows), default=40)
        for number, column in enumerate(self.model.grid_columns):
            header_lines = str(self.model.headerData(number, Qt.Orientation.Horizontal) or "").split("\n")
            heading = max(metrics.horizontalAdvance(line) for line in header_lines)
            if column.kind is GridColumnKind.CODE:
                width = max(widest_code + 8, heading)
            elif column.kind is GridColumnKind.NAME:
                width = metrics.horizontalAdvance("阿依古丽·买")
            elif column.kind is GridColumnKind.GROUP:
                width = max(metrics.horizontalAdvance("职工组"), heading)
            elif column.kind is GridColumnKind.MARK:
                mark = sheet.columns[column.mark]
                sample = plain(mark.maximum) + ("." + "0" * mark.decimals if mark.decimals else "")
                width = max(metrics.horizontalAdvance(sample), heading)
            elif column.kind is GridColumnKind.TIME:
                width = max(metrics.horizontalAdvance("1:25:30"), heading)
            elif column.kind is GridColumnKind.TOTAL:
                width = max(metrics.horizontalAdvance("100.0000"), heading)
            else:
                width = metrics.horizontalAdvance("分差大、偏离、用时")
            header.resizeSection(number, width + padding)
        header.setStretchLastSection(True)

    def say(self, text: str, error: bool = False) -> None:
        """The status line: what was stored, or why not."""
        self.message.setText(text)
        if self.message.property("error") != error:  # restyle only when it changes: it is slow
            self.message.setProperty("error", error)
            self.message.setStyleSheet(f"color: {ERROR_TEXT}; font-weight: bold;" if error else "")

    def _refused(self, index: QModelIndex) -> None:
        reason = self.model.refusal(index)
        if reason:
            self.say(reason, True)

    # --- keying -----------------------------------------------------------------------------

    def _describe(self, index: QModelIndex) -> str:
        row = self.model.sheet_row(index.row())
        column = self.model.sheet_column(index)
        label = column.label if column is not None else _tr("实操用时")
        return _tr("{code} · {column}").format(code=row.code, column=label)

    def check_text(self, index: QModelIndex, text: str) -> str | None:
        """Why ``text`` cannot go into the cell (naming the cell), or None if it can."""
        if not index.isValid():
            return None
        try:
            column = self.model.sheet_column(index)
            if column is not None:
                column.parse(text)
            elif self.model.grid_column(index.column()).kind is GridColumnKind.TIME:
                if parse_duration(text) <= 0:
                    raise MarkError(_tr("用时必须大于 0"))
        except MarkError as error:
            return _tr("{cell}：{reason}").format(cell=self._describe(index), reason=error)
        return None

    def _ref(self, sheet: Sheet, row_number: int, column: Column) -> CellRef:
        row = self.model.sheet_row(row_number)
        return CellRef(sheet.component_id, row.entry_id, row.team_id, column.aspect_id, column.seat, sheet.pass_no)

    def commit_text(self, index: QModelIndex, text: str) -> Outcome:  # noqa: PLR0911
        """Store the value typed into a cell, in its own transaction; say what happened."""
        sheet = self.model.sheet
        database = self.runner.database
        if sheet is None or database is None or not index.isValid():
            return Outcome.REFUSED
        reason = self.model.refusal(index)
        if reason is not None:
            self.say(reason, True)
            return Outcome.REFUSED
        grid_column = self.model.grid_column(index.column())
        if grid_column.kind is GridColumnKind.TIME:
            return self._commit_time(index, text)
        column = sheet.columns[grid_column.mark]
        ref = self._ref(sheet, index.row(), column)
        shown = self.model.cell(index.row(), grid_column.mark)
        try:
            with database.transaction() as session:
                stored = scores.enter_score(
                    session, ref, text, expected_version=None if shown is None else shown.version
                )
        except MarkError as error:
            self.say(_tr("{cell}：{reason}").format(cell=self._describe(index), reason=error), True)
            return Outcome.KEEP_EDITING
        except ScoreConflict as error:
            self.model.set_cell(index.row(), grid_column.mark, error.current)
            self.say(str(error), True)
            self._changed_soon()
            return Outcome.REFUSED
        except (ScoreError, AuthError) as error:
            self.say(str(error), True)
            self._changed_soon()
            return Outcome.REFUSED
        except Exception as error:  # the database went away, a disk error …: keep the typed text
            log.exception("storing %s failed", self._describe(index))
            self.say(_tr("{cell}：保存失败，成绩未写入：{error}").format(cell=self._describe(index), error=error), True)
            return Outcome.KEEP_EDITING
        self.model.set_cell(index.row(), grid_column.mark, stored)
        self.say(_tr("已保存 {cell}：{value}").format(cell=self._describe(index), value=plain(stored.value)))
        self._changed_soon()
        return Outcome.STORED

    def _commit_time(self, index: QModelIndex, text: str) -> Outcome:
        sheet = self.model.sheet
        database = self.runner.database
        row = self.model.sheet_row(index.row())
        assert sheet is not None and database is not None and row.entry_id is not None
        try:
            with database.transaction() as session:
                seconds = scores.set_practical_time(session, sheet.component_id, row.entry_id, text)
        except MarkError as error:
            self.say(_tr("{cell}：{reason}").format(cell=self._describe(index), reason=error), True)
            return Outcome.KEEP_EDITING
        except (ScoreError, AuthError) as error:
            self.say(str(error), True)
            return Outcome.REFUSED
        self.model.set_seconds(index.row(), seconds)
        self.say(_tr("已保存 {cell}：{value}").format(cell=self._describe(index), value=text.strip()))
        self._changed_soon()
        return Outcome.STORED

    def clear_cell(self, index: QModelIndex) -> None:
        """Delete: remove the mark (or the time) of the current cell; the audit log keeps it."""
        sheet = self.model.sheet
        database = self.runner.database
        if sheet is None or database is None:
            return
        reason = self.model.refusal(index)
        if reason is not None:
            self.say(reason, True)
            return
        grid_column = self.model.grid_column(index.column())
        try:
            with database.transaction() as session:
                if grid_column.kind is GridColumnKind.TIME:
                    row = self.model.sheet_row(index.row())
                    assert row.entry_id is not None
                    scores.set_practical_time(session, sheet.component_id, row.entry_id, "")
                else:
                    shown = self.model.cell(index.row(), grid_column.mark)
                    if shown is None:
                        self.say(_tr("{cell}：本格没有成绩").format(cell=self._describe(index)))
                        return
                    ref = self._ref(sheet, index.row(), sheet.columns[grid_column.mark])
                    scores.clear_score(session, ref, expected_version=shown.version)
        except ScoreConflict as error:
            self.model.set_cell(index.row(), grid_column.mark, error.current)
            self.say(str(error), True)
            return
        except (ScoreError, AuthError, MarkError) as error:
            self.say(str(error), True)
            return
        if grid_column.kind is GridColumnKind.TIME:
            self.model.set_seconds(index.row(), None)
        else:
            self.model.set_cell(index.row(), grid_column.mark, None)
        self.say(_tr("已清除 {cell}").format(cell=self._describe(index)))
        self._changed_soon()

    def confirm_row(self, index: QModelIndex) -> None:
        """Read-back: the row's shown cells match the paper (nobody confirms their own keying)."""
        sheet = self.model.sheet
        database = self.runner.database
        if sheet is None or database is None or not index.isValid():
            return
        row = self.model.sheet_row(index.row())
        visible = {column.mark for column in self.model.grid_columns if column.kind is GridColumnKind.MARK}
        waiting = [
            cell
            for mark in sorted(visible)
            if (cell := self.model.cell(index.row(), mark)) is not None and cell.verified_by_id is None
        ]
        if not waiting:
            self.say(_tr("{code}：本行没有待核对的成绩").format(code=row.code))
            self.view.go(index, Move.DOWN)
            return
        ids = [cell.score_id for cell in waiting]
        try:
            with database.transaction() as session:
                count = sheets.confirm_readback(session, self.event_id, sheet.component_id, ids)
        except (ScoreError, AuthError) as error:
            self.say(_tr("{code}：{reason}").format(code=row.code, reason=error), True)
            return
        actor = self.actor
        self.model.mark_confirmed(
            index.row(), ids, actor.user_id if actor else None, actor.display_name if actor else ""
        )
        self.say(_tr("{code}：已核对 {count} 个成绩").format(code=row.code, count=count))
        self._update_state()
        self._changed_soon()
        self.view.go(index, Move.DOWN)

    # --- after a change ---------------------------------------------------------------------

    def _changed_soon(self) -> None:
        self._update_state()
        self._quiet.start()

    def _settle(self) -> None:
        """A quiet moment after keying: re-read the sheet's status and tell the other views."""
        sheet = self.model.sheet
        if sheet is not None:
            try:
                status = self.runner.read(
                    lambda session: sheets.sheet_status(session, self.event_id, sheet.component_id)
                )
            except (AuthError, ScoreError) as error:
                self.say(str(error), True)
            else:
                self.status = status
                if status.state is not sheet.state or status.double_entry != sheet.double_entry:
                    self.load_sheet()  # locked or switched by somebody else meanwhile
                self._update_state()
        self._emitting = True
        try:
            self.runner.changed.emit(frozenset({Change.SCORES}))
        finally:
            self._emitting = False

    def flush(self) -> None:
        """Tell the other views now rather than after the quiet moment (on close)."""
        if self._quiet.isActive():
            self._quiet.stop()
            self._settle()

    def _data_changed(self, changes: frozenset[Change]) -> None:
        if self._emitting or not changes & RELOAD_ON or not self.isVisible():
            return
        if self.view.state() is QAbstractItemView.State.EditingState:
            self._reload_pending = True
            return
        self.reload()

    def _editor_closed(self) -> None:
        if self._reload_pending:
            QTimer.singleShot(0, self.reload)

    def closeEvent(self, event: Any) -> None:
        self.flush()
        super().closeEvent(event)

    # --- the sheet's life -------------------------------------------------------------------

    def _component(self) -> tuple[int, str] | None:
        sheet = self.model.sheet
        return (sheet.component_id, sheet.component_name) if sheet is not None else None

    def _run(self, title: str, work: Callable[[Any], object], done: Callable[[Any], str]) -> None:
        def failed(error: Exception) -> None:
            if isinstance(error, ScoreError | AuthError):
                self.say(str(error), True)
            else:
                log.error("%s failed", title, exc_info=error)
                ErrorDialog.show_error(self, title, _tr("{title}失败：\n{error}").format(title=title, error=error))

        self.runner.run_db(
            title,
            lambda session, _progress: work(session),
            on_success=lambda result: self.say(done(result)),
            on_failure=failed,
            changes=frozenset({Change.SCORES}),
        )

    def verify(self) -> None:
        chosen = self._component()
        if chosen is None:
            return
        component_id, name = chosen
        if not SheetDialogs.confirm(
            self, _tr("复核通过"), _tr("确认“{name}”已全部录齐并核对无误，标为已复核？").format(name=name)
        ):
            return
        self._run(
            _tr("复核通过"),
            lambda session: sheets.verify_sheet(session, self.event_id, component_id),
            lambda _status: _tr("“{name}”已复核，请裁判长签字锁定").format(name=name),
        )

    def lock(self) -> None:
        chosen = self._component()
        if chosen is None:
            return
        component_id, name = chosen
        if not SheetDialogs.confirm(
            self,
            _tr("签字锁定"),
            _tr("签字锁定后“{name}”评分表只读，并记录数据指纹；更正须由裁判长解锁并说明原因。确认锁定？").format(
                name=name
            ),
        ):
            return
        self._run(
            _tr("签字锁定"),
            lambda session: sheets.lock_sheet(session, self.event_id, component_id),
            lambda fingerprint: _tr("“{name}”已签字锁定，数据指纹 {fingerprint}").format(
                name=name, fingerprint=group_hex(str(fingerprint))
            ),
        )

    def unlock(self) -> None:
        chosen = self._component()
        if chosen is None:
            return
        component_id, name = chosen
        reason = SheetDialogs.reason(
            self, _tr("解锁评分表"), _tr("解锁“{name}”以更正成绩。请填写原因（记入审计日志）：").format(name=name)
        )
        if reason is None:
            self.say(_tr("未解锁：解锁必须填写原因"), True)
            return
        self._run(
            _tr("解锁评分表"),
            lambda session: sheets.unlock_sheet(session, self.event_id, component_id, reason),
            lambda _none: _tr("“{name}”已解锁，可以更正").format(name=name),
        )

    def publish(self) -> None:
        chosen = self._component()
        if chosen is None:
            return
        component_id, name = chosen
        if not SheetDialogs.confirm(self, _tr("公示"), _tr("公示“{name}”的成绩？").format(name=name)):
            return
        self._run(
            _tr("公示"),
            lambda session: sheets.publish_sheet(session, self.event_id, component_id),
            lambda _none: _tr("“{name}”已公示").format(name=name),
        )

    def choose_method(self) -> None:
        status = self.status
        if status is None:
            return
        items = [_tr("双人双遍录入（两人各录一遍，逐格比对）"), _tr("单人录入＋回读核对（另一人对照纸面确认）")]
        chosen = SheetDialogs.choose(
            self, _tr("选择校验方式"), _tr("本赛项全部评分表的校验方式："), items, 0 if status.double_entry else 1
        )
        if chosen is None or (chosen == 0) == status.double_entry:
            return
        double = chosen == 0
        self._run(
            _tr("选择校验方式"),
            lambda session: sheets.set_double_entry(session, self.event_id, double),
            lambda _none: _tr("校验方式：{method}").format(method=items[chosen]),
        )

    def print_sheet(self) -> None:
        chosen = self._component()
        if chosen is not None and self.model.sheet is not None:
            write_score_sheet(self, self.runner, event_id=self.event_id, component_id=chosen[0],
                              event_name=self.model.sheet.event_name, component_name=chosen[1])  # fmt: skip

    def show_differences(self) -> DifferencesDialog | None:
        """The cells where the two keyings differ, side by side, to key the paper's value (non-modal)."""
        chosen = self._component()
        if chosen is None:
            return None
        component_id = chosen[0]
        try:
            first, found = self.runner.read(
                lambda session: (
                    scores.load_sheet(session, self.event_id, component_id, 1),
                    sheets.differences(session, self.event_id, component_id),
                )
            )
        except (AuthError, ScoreError) as error:
            self.say(str(error), True)
            return None
        # A cell keyed in one pass only is not a disagreement yet: it waits for the other keying.
        disagreements = tuple(cell for cell in found if cell.first is not None and cell.second is not None)
        waiting = len(found) - len(disagreements)
        if not disagreements:
            text = _tr("“{name}”两遍录入没有不一致之处").format(name=first.component_name)
            if waiting:
                text += _tr("；另有 {count} 格只录了一遍").format(count=waiting)
            self.say(text)
            return None
        if self.differences_dialog is not None:
            self.differences_dialog.close()
        dialog = DifferencesDialog(self, first, disagreements, waiting=waiting)
        dialog.finished.connect(self._differences_closed)
        self.differences_dialog = dialog
        dialog.open()
        dialog.table.setFocus(Qt.FocusReason.OtherFocusReason)
        return dialog

    def _differences_closed(self) -> None:
        dialog, self.differences_dialog = self.differences_dialog, None
        if dialog is not None:
            dialog.deleteLater()
            if dialog.resolved:
                self.reload()
                self._changed_soon()

    # --- language ---------------------------------------------------------------------------

    def retranslate(self) -> None:
        self._labels["component"].setText(_tr("评分项(&C)"))
        self._labels["pass"].setText(_tr("录入方式(&P)"))
        self._labels["criterion"].setText(_tr("细则(&R)"))
        for name, text, shortcut, tip in _ACTIONS:
            action = self.actions_by_name[name]
            action.setText(_tr(text) + (f" {shortcut}" if shortcut else ""))
            action.setToolTip(_tr(tip) + (f"（{shortcut}）" if shortcut else ""))
        self.hint.setText(_tr("回车 下移 · Tab 右移 · Delete 清除 · Esc 取消"))
        self.model.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


# --- the double-entry differences -----------------------------------------------------------


class DifferencesModel(QAbstractTableModel):
    """One row per differing cell: code, column, pass 1 (value, who), pass 2 (value, who), the paper's value."""

    HEADERS = (
        QT_TRANSLATE_NOOP("DifferencesModel", "编号"),
        QT_TRANSLATE_NOOP("DifferencesModel", "评分列"),
        QT_TRANSLATE_NOOP("DifferencesModel", "第一遍"),
        QT_TRANSLATE_NOOP("DifferencesModel", "第一遍录入人"),
        QT_TRANSLATE_NOOP("DifferencesModel", "第二遍"),
        QT_TRANSLATE_NOOP("DifferencesModel", "第二遍录入人"),
        QT_TRANSLATE_NOOP("DifferencesModel", "纸面成绩"),
    )
    PAPER = 6

    def __init__(self, sheet: Sheet, found: tuple[Difference, ...], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sheet = sheet
        self.found = found
        self.resolved: dict[int, str] = {}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.found)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def column_of(self, row: int) -> Column:
        return self.sheet.columns[self.found[row].column]

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        return flags | Qt.ItemFlag.ItemIsEditable if index.column() == self.PAPER else flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: PLR0911
        if not index.isValid() or not 0 <= index.row() < len(self.found):
            return None
        difference = self.found[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(index.row(), difference, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            right = column in (2, 4, self.PAPER)
            return int((Qt.AlignmentFlag.AlignRight if right else Qt.AlignmentFlag.AlignLeft)
                       | Qt.AlignmentFlag.AlignVCenter)  # fmt: skip
        if role == Qt.ItemDataRole.BackgroundRole:
            if index.row() in self.resolved:
                return QColor("#d7f0d4")
            if column in (2, 4):
                return QColor("#ffe1e1")
        if role == Qt.ItemDataRole.ToolTipRole and column == self.PAPER:
            return translate("DifferencesModel", "键入纸质评分表上的成绩，回车确认：两遍都改为此值")
        return None

    def _text(self, row: int, difference: Difference, column: int) -> str:  # noqa: PLR0911
        def value(cell: Cell | None) -> str:
            return translate("DifferencesModel", "（未录入）") if cell is None else plain(cell.value)

        def who(cell: Cell | None) -> str:
            return "" if cell is None else cell.entered_by or ""

        if column == 0:
            return self.sheet.rows[difference.row].code
        if column == 1:
            return self.column_of(row).label
        if column == 2:
            return value(difference.first)
        if column == 3:
            return who(difference.first)
        if column == 4:
            return value(difference.second)
        if column == 5:
            return who(difference.second)
        return self.resolved.get(row, "")

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation is Qt.Orientation.Horizontal and 0 <= section < len(self.HEADERS):
            return translate("DifferencesModel", self.HEADERS[section])
        if orientation is Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def mark_resolved(self, row: int, value: str) -> None:
        self.resolved[row] = value
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))


class DifferencesTable(KeyTable):
    """Only the paper column is typed into; Enter goes to the next unresolved difference."""

    def __init__(self, model: DifferencesModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("differences_table")
        self.differences = model
        self.setModel(model)

    def entry_columns(self) -> list[int]:
        return [DifferencesModel.PAPER]

    def below(self, index: QModelIndex) -> QModelIndex:
        rows = [row for row in range(self.differences.rowCount()) if row not in self.differences.resolved]
        later = [row for row in rows if row > index.row()] or rows
        return self.differences.index(later[0], DifferencesModel.PAPER) if later else index


class DifferencesDialog(QDialog):
    """两遍差异: each differing cell side by side; key the paper's value and press Enter to settle it."""

    def __init__(
        self, window: ScoreEntryWindow, sheet: Sheet, found: tuple[Difference, ...], *, waiting: int = 0
    ) -> None:
        super().__init__(window)
        self.setObjectName("differences_dialog")
        self.window_ = window
        self.sheet = sheet
        self.waiting = waiting
        self.model = DifferencesModel(sheet, found, self)
        self.setWindowTitle(_tr("两遍差异 — {component}").format(component=sheet.component_name))
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.reason = QLineEdit(self)
        self.reason.setObjectName("differences_reason")
        self.reason.setPlaceholderText(_tr("如：核对纸质评分表，第二遍键入错误"))
        reason_label = QLabel(_tr("说明(&N)："), self)
        reason_label.setBuddy(self.reason)
        self.message = QLabel(self)
        self.message.setObjectName("differences_message")
        self.table = DifferencesTable(self.model, self)
        self.delegate = CellDelegate(
            self.table, check=self._check, commit=self._commit, moved=self.table.go, say=self._say
        )
        self.table.setItemDelegate(self.delegate)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        metrics = self.table.fontMetrics()
        for number, sample in enumerate(("SCCG-000", "1号裁判 唐宁俊", "100.0", "录分员甲", "100.0", "录分员甲",
                                         "纸面成绩")):  # fmt: skip
            title = str(self.model.headerData(number, Qt.Orientation.Horizontal))
            header.resizeSection(number, max(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(title)) + 24)
        header.setStretchLastSection(True)
        buttons = QDialogButtonBox(self)
        buttons.addButton(_tr("关闭"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        reason_row = QHBoxLayout()
        reason_row.addWidget(reason_label)
        reason_row.addWidget(self.reason, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(reason_row)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self._update_summary()
        self.setMinimumSize(560, 300)  # fixed, so that the window manager is not asked to re-read size hints
        self.resize(820, 420)
        if found:
            self.table.setCurrentIndex(self.model.index(0, DifferencesModel.PAPER))

    @property
    def resolved(self) -> int:
        return len(self.model.resolved)

    def _update_summary(self) -> None:
        total, done = self.model.rowCount(), self.resolved
        if done >= total:
            text = _tr("全部 {total} 处差异已按纸面成绩解决。关闭后即可复核通过。").format(total=total)
        else:
            text = _tr("两遍录入有 {total} 处不一致（已解决 {done} 处）。对照纸质评分表，在“纸面成绩”列键入正确的成绩，"
                       "回车确认：两遍都改为此值并记入审计日志。").format(total=total, done=done)  # fmt: skip
        if self.waiting:
            text += _tr("另有 {count} 格只录了一遍，请先完成另一遍录入。").format(count=self.waiting)
        self.summary.setText(text)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {ERROR_TEXT}; font-weight: bold;" if error else "")

    def _describe(self, row: int) -> str:
        difference = self.model.found[row]
        return _tr("{code} · {column}").format(
            code=self.sheet.rows[difference.row].code, column=self.model.column_of(row).label
        )

    def _check(self, index: QModelIndex, text: str) -> str | None:
        try:
            self.model.column_of(index.row()).parse(text)
        except MarkError as error:
            return _tr("{cell}：{reason}").format(cell=self._describe(index.row()), reason=error)
        return None

    def _commit(self, index: QModelIndex, text: str) -> Outcome:
        database = self.window_.runner.database
        if database is None:
            return Outcome.REFUSED
        difference = self.model.found[index.row()]
        row = self.sheet.rows[difference.row]
        column = self.model.column_of(index.row())
        ref = CellRef(self.sheet.component_id, row.entry_id, row.team_id, column.aspect_id, column.seat, 1)
        try:
            with database.transaction() as session:
                cell = sheets.resolve_difference(session, ref, text, reason=self.reason.text().strip() or None)
        except MarkError as error:
            self._say(_tr("{cell}：{reason}").format(cell=self._describe(index.row()), reason=error), True)
            return Outcome.KEEP_EDITING
        except (ScoreError, AuthError) as error:
            self._say(str(error), True)
            return Outcome.REFUSED
        self.model.mark_resolved(index.row(), plain(cell.value))
        self._say(_tr("已解决 {cell}：{value}").format(cell=self._describe(index.row()), value=plain(cell.value)))
        self._update_summary()
        return Outcome.STORED


# --- menu handlers --------------------------------------------------------------------------


def open_score_entry(window: MainWindow) -> ScoreEntryWindow | None:
    """评分 → 录入成绩 (Ctrl+E): the score entry window of the event selected in the tree."""
    from ui.commands import current_selection

    _competition_id, event_id = current_selection(window)
    if event_id is None:
        window.show_status(_tr("请先在左侧选择一个赛项"))
        return None
    if window.runner.database is None:
        return None
    return ScoreEntryWindow.show_for(window, window.runner, event_id)


def print_score_sheet(window: MainWindow) -> None:
    """评分 → 打印裁判评分表: the open window's component, or one chosen from the selected event."""
    from ui.commands import current_selection

    _competition_id, event_id = current_selection(window)
    if event_id is None:
        window.show_status(_tr("请先在左侧选择一个赛项"))
        return
    open_window = window.findChild(ScoreEntryWindow, window_name(event_id))
    if open_window is not None and open_window.isVisible() and open_window.model.sheet is not None:
        open_window.print_sheet()
        return
    event_name = str(window.tree.currentIndex().siblingAtColumn(0).data() or "")
    try:
        statuses = window.runner.read(lambda session: sheets.event_sheets(session, event_id))
    except (AuthError, ScoreError) as error:
        ErrorDialog.show_error(window, _tr("打印裁判评分表"), str(error))
        return
    if not statuses:
        window.show_status(_tr("本赛项还没有评分项"))
        return
    chosen = 0
    if len(statuses) > 1:
        names = [status.component_name for status in statuses]
        picked = SheetDialogs.choose(window, _tr("打印裁判评分表"), _tr("评分项："), names)
        if picked is None:
            return
        chosen = picked
    status = statuses[chosen]
    write_score_sheet(window, window.runner, event_id=event_id, component_id=status.component_id,
                      event_name=event_name, component_name=status.component_name)  # fmt: skip


def write_score_sheet(
    parent: QWidget, runner: TaskRunner, *, event_id: int, component_id: int, event_name: str, component_name: str
) -> None:
    """Ask where to save the 裁判评分表 PDF, then write it in the background."""
    from ui.registration_io import FileDialogs

    title = _tr("打印裁判评分表")
    suggested = _tr("裁判评分表_{event}_{component}.pdf").format(event=event_name, component=component_name)
    path = FileDialogs.save_path(parent, title, suggested, _tr("PDF 文件 (*.pdf)"))
    if path is None:
        return

    def work(session: Any, progress: Progress) -> Path:
        from competition_app.exports.score_sheet import score_sheet_pdf

        progress.report(0, 1, title)
        written: Path = score_sheet_pdf(session, event_id, component_id, path)
        return written

    def report(text: str, error: bool) -> None:
        say = getattr(parent, "say", None)
        if callable(say):
            say(text, error)
        show_status = getattr(parent, "show_status", None)
        if callable(show_status):
            show_status(text)

    def failed(error: Exception) -> None:
        if isinstance(error, ScoreError | AuthError):
            report(str(error), True)
        else:
            ErrorDialog.show_error(parent, title, _tr("{title}失败：\n{error}").format(title=title, error=error))

    runner.run_db(
        title,
        work,
        on_success=lambda written: report(_tr("已保存评分表：{path}").format(path=written), False),
        on_failure=failed,
    )
