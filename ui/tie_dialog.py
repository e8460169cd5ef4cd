"""决定并列: put entries the rules leave tied in an order and say why.

The dialog only collects the order and the reason; the results window records the decision
(``services.results.decide_tie``, audited there) and recomputes. Keyboard: the list has the
focus, Ctrl+↑ / Ctrl+↓ (or Alt+U / Alt+D) move the current entry, Tab reaches the reason,
Enter confirms once a reason is given.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from competition_app.results.view import ResultLine, TieView
from ui.i18n import translate
from ui.results_model import mark_text

CONTEXT = "TieDialog"


def _tr(text: str) -> str:
    return translate(CONTEXT, text)


@dataclass(frozen=True, slots=True)
class TieChoice:
    """What the user decided: the ids (entry or team, as the tie names them) in order, and why."""

    ordered_ids: tuple[int, ...]
    reason: str


def tied_lines(tie: TieView, lines: tuple[ResultLine, ...]) -> dict[int, tuple[ResultLine, ...]]:
    """The lines behind each id of the tie: the entry, or for a team tie every member of the team."""
    team = tie.context == "team_rank"
    return {
        tied: tuple(line for line in lines if (line.team_id if team else line.entry_id) == tied)
        for tied in tie.entry_ids
    }


def describe(lines: tuple[ResultLine, ...], tied: int) -> str:
    """``HG-003  张三  总分 85.20`` (members joined for a team); the id when nothing is known."""
    if not lines:
        return _tr("编号 {id}").format(id=tied)
    bibs = "、".join(line.bib or "—" for line in lines)
    names = "、".join(line.name for line in lines)
    return _tr("{bib}  {name}  总分 {total}").format(bib=bibs, name=names, total=mark_text(lines[0].total) or "—")


class TieDialog(QDialog):
    def __init__(self, tie: TieView, lines: tuple[ResultLine, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tie_dialog")
        self.tie = tie
        self.message = QLabel(tie.message, self)
        self.message.setWordWrap(True)
        self.order = QListWidget(self)
        self.order.setObjectName("tie_order")
        self.order.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for tied, members in tied_lines(tie, lines).items():
            item = QListWidgetItem(describe(members, tied))
            item.setData(Qt.ItemDataRole.UserRole, tied)
            self.order.addItem(item)
        self.order.setCurrentRow(0)
        self.up_button = QPushButton(self)
        self.up_button.setObjectName("tie_up")
        self.down_button = QPushButton(self)
        self.down_button.setObjectName("tie_down")
        self.reason = QLineEdit(self)
        self.reason.setObjectName("tie_reason")
        self.reason_label = QLabel(self)
        self.reason_label.setBuddy(self.reason)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self._lay_out()
        self.up_button.clicked.connect(lambda: self.move_entry(-1))
        self.down_button.clicked.connect(lambda: self.move_entry(1))
        for keys, step in ((QKeySequence("Ctrl+Up"), -1), (QKeySequence("Ctrl+Down"), 1)):
            shortcut = QShortcut(keys, self)
            shortcut.activated.connect(lambda step=step: self.move_entry(step))
        self.reason.textChanged.connect(self._update)
        self.order.currentRowChanged.connect(self._update)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.retranslate()
        self._update()
        self.order.setFocus()

    def _lay_out(self) -> None:
        moves = QVBoxLayout()
        moves.addWidget(self.up_button)
        moves.addWidget(self.down_button)
        moves.addStretch(1)
        middle = QHBoxLayout()
        middle.addWidget(self.order, 1)
        middle.addLayout(moves)
        form = QFormLayout()
        form.addRow(self.reason_label, self.reason)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addLayout(middle, 1)
        layout.addWidget(self.hint)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(520, 360)

    @classmethod
    def ask(cls, parent: QWidget | None, tie: TieView, lines: tuple[ResultLine, ...]) -> TieChoice | None:
        """The order and reason chosen, or None when cancelled (tests monkeypatch this)."""
        dialog = cls(tie, lines, parent)
        return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def choice(self) -> TieChoice:
        ids = tuple(int(self.order.item(row).data(Qt.ItemDataRole.UserRole)) for row in range(self.order.count()))
        return TieChoice(ids, self.reason.text().strip())

    def move_entry(self, step: int) -> None:
        """Move the current entry ``step`` places up (negative) or down, keeping it current."""
        row = self.order.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.order.count():
            return
        item = self.order.takeItem(row)
        self.order.insertItem(target, item)
        self.order.setCurrentRow(target)

    def accept(self) -> None:
        if not self.reason.text().strip():
            self.reason.setFocus()
            return
        super().accept()

    def _update(self) -> None:
        row = self.order.currentRow()
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < self.order.count() - 1)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.reason.text().strip()))

    def retranslate(self) -> None:
        self.setWindowTitle(_tr("决定并列名次（{group}）").format(group=self.tie.group))
        self.up_button.setText(_tr("上移(&U)"))
        self.up_button.setToolTip(_tr("Ctrl+↑"))
        self.down_button.setText(_tr("下移(&D)"))
        self.down_button.setToolTip(_tr("Ctrl+↓"))
        self.reason_label.setText(_tr("理由(&R)："))
        self.reason.setPlaceholderText(_tr("例如：抽签决定；裁判长裁定（记入审计日志）"))
        self.hint.setText(_tr("从上到下即名次先后。决定人和理由记入审计日志，并重新计算本赛项成绩。"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_tr("确定"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_tr("取消"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
