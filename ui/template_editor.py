"""证书模板: the organisers edit a certificate kind's texts, positions and background image.

One window per competition. A kind (获奖证书, 获奖证书（名次）, 荣誉证书) is loaded with
``template_for`` and shown as two tables — the variable fields (which may be left off the
certificate and added back) and the fixed texts (title, labels, 特发此证) — plus the page, the
QR code box, the border and the background image. A sample certificate with a long name and a
long unit (to show shrinking) is rendered to a temporary PDF and shown as an image, 300 ms after
the last change. 保存 checks every box (a message naming the field; nothing stored when one is
wrong) and stores the template through the runner; 恢复默认 goes back to the built-in layout.
Questions go through :class:`EditorDialogs` classmethods, which tests answer.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QByteArray,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPixmap, QResizeEvent
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from competition_app.certificates.numbering import chinese_date
from competition_app.certificates.render import (
    FIELD_LABELS,
    FIELD_NAMES,
    CertificateItem,
    FixedText,
    QrBox,
    Template,
    TemplateError,
    TextBox,
    render_certificates,
    with_background,
)
from competition_app.certificates.selection import KINDS
from competition_app.certificates.signing import SIGNATURE_LENGTH, make_payload
from competition_app.i18n import _
from competition_app.services.auth import AuthError
from competition_app.services.certificate_batch import builtin_template, is_customised, reset_template, save_template
from competition_app.tasks import Change, Progress
from ui.dialogs import ErrorDialog
from ui.i18n import QT_TRANSLATE_NOOP, translate
from ui.registration_io import FileDialogs

if TYPE_CHECKING:
    from ui.main_window import MainWindow
    from ui.runner import TaskRunner

CONTEXT = "TemplateEditor"
PREVIEW_DELAY_MS = 300
MAX_BACKGROUND_BYTES = 10 * 1024 * 1024
POINT_MM = 25.4 / 72
"""A font size in points, in mm: how far a text rises above its baseline (at most)."""
_ROOT = QModelIndex()

ALIGNMENTS = (
    ("left", QT_TRANSLATE_NOOP(CONTEXT, "左")),
    ("center", QT_TRANSLATE_NOOP(CONTEXT, "居中")),
    ("right", QT_TRANSLATE_NOOP(CONTEXT, "右")),
)
PAGE_SIZES = (
    (QT_TRANSLATE_NOOP(CONTEXT, "A4 横向"), 297.0, 210.0),
    (QT_TRANSLATE_NOOP(CONTEXT, "A4 纵向"), 210.0, 297.0),
    (QT_TRANSLATE_NOOP(CONTEXT, "A3 横向"), 420.0, 297.0),
    (QT_TRANSLATE_NOOP(CONTEXT, "B5 横向"), 250.0, 176.0),
)
SAMPLE_AWARDS = {"award": "一等奖", "rank": "第一名", "honour": "优秀选手"}


def _tr(text: str) -> str:
    return translate(CONTEXT, text)


def _mm(value: float) -> str:
    return f"{value:g}"


# --- the tables -------------------------------------------------------------------------------


@dataclass(slots=True)
class BoxRow:
    """One editable line: a variable field (``key`` set) or a fixed text."""

    key: str
    text: str
    x: float
    y: float
    width: float
    size: float
    align: str
    printed: bool = True

    @classmethod
    def of(cls, key: str, text: str, box: TextBox, *, printed: bool = True) -> BoxRow:
        return cls(key, text, box.x_mm, box.y_mm, box.width_mm, box.font_size, box.align, printed)

    def box(self) -> TextBox:
        return TextBox(self.x, self.y, self.width, self.size, self.align)  # type: ignore[arg-type]

    def where(self) -> str:
        if self.key:
            return _tr("字段“{label}”").format(label=_(FIELD_LABELS[self.key]))
        return _tr("固定文字“{text}”").format(text=self.text)


NUMBER_COLUMNS = {1: "x", 2: "y", 3: "width", 4: "size"}
ALIGN_COLUMN = 5


class BoxTableModel(QAbstractTableModel):
    """Rows of boxes: column 0 the field (checkable: printed) or the fixed text, then x, y, width, size, alignment."""

    edited = Signal()

    HEADERS = (
        QT_TRANSLATE_NOOP(CONTEXT, "内容"),
        QT_TRANSLATE_NOOP(CONTEXT, "左边 x（毫米）"),
        QT_TRANSLATE_NOOP(CONTEXT, "基线 y（毫米）"),
        QT_TRANSLATE_NOOP(CONTEXT, "宽度（毫米）"),
        QT_TRANSLATE_NOOP(CONTEXT, "字号（磅）"),
        QT_TRANSLATE_NOOP(CONTEXT, "对齐"),
    )

    def __init__(self, *, fields: bool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.fields = fields
        self.rows: list[BoxRow] = []

    def set_rows(self, rows: list[BoxRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def add_row(self, row: BoxRow) -> int:
        position = len(self.rows)
        self.beginInsertRows(_ROOT, position, position)
        self.rows.append(row)
        self.endInsertRows()
        self.edited.emit()
        return position

    def remove_rows(self, positions: list[int]) -> None:
        for position in sorted(set(positions), reverse=True):
            self.beginRemoveRows(_ROOT, position, position)
            del self.rows[position]
            self.endRemoveRows()
        if positions:
            self.edited.emit()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if section == 0:
                return _tr("字段（勾选则打印）") if self.fields else _tr("文字")
            return _tr(self.HEADERS[section])
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0 and self.fields:
            return flags | Qt.ItemFlag.ItemIsUserCheckable
        return flags | Qt.ItemFlag.ItemIsEditable

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: PLR0911
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == 0 and self.fields:
            return Qt.CheckState.Checked if row.printed else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ForegroundRole and not row.printed:
            return QBrush(QColor("#888888"))
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return None
        if column == 0:
            return _(FIELD_LABELS[row.key]) if self.fields and role == Qt.ItemDataRole.DisplayRole else row.text
        if column in NUMBER_COLUMNS:
            value: float = getattr(row, NUMBER_COLUMNS[column])
            return value if role == Qt.ItemDataRole.EditRole else _mm(value)
        if role == Qt.ItemDataRole.EditRole:
            return row.align
        return next(_tr(label) for key, label in ALIGNMENTS if key == row.align)

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if not index.isValid():
            return False
        row, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == 0 and self.fields:
            row.printed = Qt.CheckState(value) == Qt.CheckState.Checked
            self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), self.columnCount() - 1))
            self.edited.emit()
            return True
        if role != Qt.ItemDataRole.EditRole:
            return False
        if column == 0:
            row.text = str(value)
        elif column in NUMBER_COLUMNS:
            try:
                setattr(row, NUMBER_COLUMNS[column], float(value))
            except (TypeError, ValueError):
                return False
        elif str(value) in {key for key, _label in ALIGNMENTS}:
            row.align = str(value)
        else:
            return False
        self.dataChanged.emit(index, index)
        self.edited.emit()
        return True


class BoxDelegate(QStyledItemDelegate):
    """Spin boxes in mm/pt for the numbers, a combo for the alignment."""

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QWidget:
        if index.column() in NUMBER_COLUMNS:
            spin = QDoubleSpinBox(parent)
            spin.setDecimals(1)
            spin.setRange(0.0, 2000.0)
            spin.setFrame(False)
            return spin
        if index.column() == ALIGN_COLUMN:
            combo = QComboBox(parent)
            for key, label in ALIGNMENTS:
                combo.addItem(_tr(label), key)
            return combo
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QDoubleSpinBox):
            editor.setValue(float(value))
        elif isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(value)))
        else:
            super().setEditorData(editor, index)

    def setModelData(
        self, editor: QWidget, model: QAbstractItemModel, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        if isinstance(editor, QDoubleSpinBox):
            model.setData(index, editor.value())
        elif isinstance(editor, QComboBox):
            model.setData(index, editor.currentData())
        else:
            super().setModelData(editor, model, index)


def _table(parent: QWidget, name: str, model: BoxTableModel) -> QTableView:
    table = QTableView(parent)
    table.setObjectName(name)
    model.setParent(table)
    table.setModel(model)
    table.setItemDelegate(BoxDelegate(table))
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(
        QAbstractItemView.EditTrigger.DoubleClicked
        | QAbstractItemView.EditTrigger.EditKeyPressed
        | QAbstractItemView.EditTrigger.AnyKeyPressed
    )
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for column in range(1, model.columnCount()):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    return table


# --- checking -------------------------------------------------------------------------------


def check_template(template: Template) -> str | None:  # noqa: PLR0911
    """The first thing wrong with ``template`` (a Chinese sentence naming the field), or None."""
    width, height = template.page_width_mm, template.page_height_mm
    if width <= 0 or height <= 0:
        return _tr("纸张的宽度和高度必须大于 0 毫米")
    rows = [BoxRow.of(key, "", box) for key, box in template.fields.items()]
    for number, text in enumerate(template.texts, start=1):
        if not text.text.strip():
            return _tr("第 {n} 行固定文字为空：请填写文字或删除这一行").format(n=number)
        rows.append(BoxRow.of("", text.text, text.box))
    for row in rows:
        problem = _box_problem(row, width, height)
        if problem:
            return problem
    if template.qr is not None:
        qr = template.qr
        if qr.size_mm <= 0:
            return _tr("二维码的边长必须大于 0 毫米")
        if qr.x_mm < 0 or qr.y_mm < 0 or qr.x_mm + qr.size_mm > width or qr.y_mm + qr.size_mm > height:
            return _tr("二维码超出纸张：左下角 ({x}, {y}) 毫米，边长 {size} 毫米，纸张 {w}×{h} 毫米").format(
                x=_mm(qr.x_mm), y=_mm(qr.y_mm), size=_mm(qr.size_mm), w=_mm(width), h=_mm(height)
            )
    try:
        Template.from_dict(template.to_dict(), template.background)
    except TemplateError as error:
        return str(error)
    return None


def _box_problem(row: BoxRow, page_width: float, page_height: float) -> str | None:
    where = row.where()
    if row.width <= 0:
        return _tr("{where}的宽度必须大于 0 毫米").format(where=where)
    if row.size <= 0:
        return _tr("{where}的字号必须大于 0 磅").format(where=where)
    if row.x < 0 or row.x + row.width > page_width:
        return _tr("{where}超出纸张左右边界：左边 {x} + 宽度 {width} 毫米，纸宽 {page} 毫米").format(
            where=where, x=_mm(row.x), width=_mm(row.width), page=_mm(page_width)
        )
    if row.y < 0 or row.y + row.size * POINT_MM > page_height:
        return _tr("{where}超出纸张上下边界：基线 {y} 毫米，字号 {size} 磅，纸高 {page} 毫米").format(
            where=where, y=_mm(row.y), size=_mm(row.size), page=_mm(page_height)
        )
    return None


def _image_problem(data: bytes) -> str | None:
    if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
        return _tr("背景图片须为 PNG 或 JPEG 格式")
    if len(data) > MAX_BACKGROUND_BYTES:
        return _tr("背景图片过大（{size} MB）：请用 10 MB 以内的图片").format(size=round(len(data) / 1048576, 1))
    if QImage.fromData(QByteArray(data)).isNull():
        return _tr("无法读取背景图片：文件可能已损坏")
    return None


def sample_item(kind: str, competition: str) -> CertificateItem:
    """A certificate to preview with: a long name and a long unit, so shrinking shows."""
    number, name = "JN2026-DG-0001", "阿卜杜热合曼·买买提艾力"
    return CertificateItem(
        number=number,
        name=name,
        unit="济宁市高新技术产业开发区职业技术培训学校机电一体化教研室",
        competition=competition,
        event="电工",
        group="职工组",
        award=SAMPLE_AWARDS.get(kind, "一等奖"),
        issuer="济宁市人力资源和社会保障局",
        date=chinese_date(date.today()),
        payload=make_payload(number, name, "A" * SIGNATURE_LENGTH),
    )


# --- questions ------------------------------------------------------------------------------


class EditorDialogs:
    """The editor's questions, behind classmethods that tests answer."""

    @classmethod
    def confirm(cls, parent: QWidget | None, title: str, text: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
        yes = box.addButton(_tr("确定"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(_tr("取消"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is yes


# --- the window -----------------------------------------------------------------------------


def _spin(parent: QWidget, name: str, maximum: float, suffix: str) -> QDoubleSpinBox:
    spin = QDoubleSpinBox(parent)
    spin.setObjectName(name)
    spin.setDecimals(1)
    spin.setRange(0.0, maximum)
    spin.setSuffix(suffix)
    return spin


class TemplateEditor(QDialog):
    """The certificate template of one competition, one kind at a time, with a live preview."""

    preview_updated = Signal()
    stored = Signal(str)
    """Emitted with the kind after 保存 or 恢复默认 went through."""

    def __init__(self, runner: TaskRunner, competition_id: int, competition_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("template_editor")
        self.runner = runner
        self.competition_id = competition_id
        self.competition_name = competition_name
        self.kind = next(iter(KINDS))
        self.background: bytes | None = None
        self.dirty = False
        self.customised = False
        self._loading = False
        folder = Path(tempfile.mkdtemp(prefix="certificate-preview-"))
        # Removed when the window goes, or at the latest when the program exits.
        self.destroyed.connect(functools.partial(shutil.rmtree, folder, True))
        weakref.finalize(self, shutil.rmtree, folder, True)
        self.preview_path = folder / "preview.pdf"
        self.preview_image = QImage()
        self._document = QPdfDocument(self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.refresh_preview)
        self._build()
        self.retranslate()

    # --- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        self.kind_label = QLabel(self)
        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("kind")
        for key, label in KINDS.items():
            self.kind_combo.addItem(_(label), key)
        self.kind_label.setBuddy(self.kind_combo)
        self.name_label = QLabel(self)
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("template_name")
        self.name_label.setBuddy(self.name_edit)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("state")
        top.addWidget(self.kind_label)
        top.addWidget(self.kind_combo)
        top.addWidget(self.name_label)
        top.addWidget(self.name_edit, 1)
        top.addWidget(self.state_label)
        outer.addLayout(top)
        outer.addWidget(self._build_panes(), 1)
        outer.addLayout(self._build_buttons())
        self._connect()

    def _build_panes(self) -> QSplitter:
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(splitter)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.fields_model = BoxTableModel(fields=True)
        self.texts_model = BoxTableModel(fields=False)
        self.fields_label = QLabel(left)
        self.fields_table = _table(left, "fields", self.fields_model)
        self.texts_label = QLabel(left)
        self.texts_table = _table(left, "texts", self.texts_model)
        self.fields_label.setBuddy(self.fields_table)
        self.texts_label.setBuddy(self.texts_table)
        text_buttons = QHBoxLayout()
        self.add_text_button = QPushButton(left)
        self.remove_text_button = QPushButton(left)
        text_buttons.addWidget(self.add_text_button)
        text_buttons.addWidget(self.remove_text_button)
        text_buttons.addStretch(1)
        left_layout.addWidget(self.fields_label)
        left_layout.addWidget(self.fields_table, 3)
        left_layout.addWidget(self.texts_label)
        left_layout.addWidget(self.texts_table, 3)
        left_layout.addLayout(text_buttons)
        left_layout.addLayout(self._build_page(left))

        right = QWidget(splitter)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.preview = QLabel(right)
        self.preview.setObjectName("preview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(360, 260)
        self.preview.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.preview.setStyleSheet("background: #d8d8d8;")
        self.preview_note = QLabel(right)
        self.preview_note.setObjectName("preview_note")
        self.preview_note.setWordWrap(True)
        right_layout.addWidget(self.preview, 1)
        right_layout.addWidget(self.preview_note)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 6)
        return splitter

    def _build_buttons(self) -> QHBoxLayout:
        buttons = QHBoxLayout()
        self.reset_button = QPushButton(self)
        self.reset_button.setObjectName("reset")
        self.save_button = QPushButton(self)
        self.save_button.setObjectName("save")
        self.save_button.setDefault(True)
        self.close_button = QPushButton(self)
        self.message = QLabel(self)
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        return buttons

    def _connect(self) -> None:
        self.kind_combo.currentIndexChanged.connect(self._kind_chosen)
        self.name_edit.textEdited.connect(self._changed)
        self.fields_model.edited.connect(self._changed)
        self.texts_model.edited.connect(self._changed)
        self.add_text_button.clicked.connect(self.add_text)
        self.remove_text_button.clicked.connect(self.remove_texts)
        self.save_button.clicked.connect(self.save)
        self.reset_button.clicked.connect(self.reset_to_builtin)
        self.close_button.clicked.connect(self.close)

    def _build_page(self, parent: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        self.page_group = QGroupBox(parent)
        page_form = QFormLayout(self.page_group)
        self.page_size = QComboBox(self.page_group)
        self.page_size.setObjectName("page_size")
        self.page_width = _spin(self.page_group, "page_width", 2000.0, " mm")
        self.page_height = _spin(self.page_group, "page_height", 2000.0, " mm")
        self.border = QCheckBox(self.page_group)
        self.border.setObjectName("border")
        self.page_size_label, self.page_width_label, self.page_height_label = (QLabel(self.page_group) for _n in "abc")
        page_form.addRow(self.page_size_label, self.page_size)
        page_form.addRow(self.page_width_label, self.page_width)
        page_form.addRow(self.page_height_label, self.page_height)
        page_form.addRow(self.border)

        self.qr_group = QGroupBox(parent)
        self.qr_group.setObjectName("qr")
        self.qr_group.setCheckable(True)
        qr_form = QFormLayout(self.qr_group)
        self.qr_x = _spin(self.qr_group, "qr_x", 2000.0, " mm")
        self.qr_y = _spin(self.qr_group, "qr_y", 2000.0, " mm")
        self.qr_size = _spin(self.qr_group, "qr_size", 500.0, " mm")
        self.qr_x_label, self.qr_y_label, self.qr_size_label = (QLabel(self.qr_group) for _n in "abc")
        qr_form.addRow(self.qr_x_label, self.qr_x)
        qr_form.addRow(self.qr_y_label, self.qr_y)
        qr_form.addRow(self.qr_size_label, self.qr_size)

        self.background_group = QGroupBox(parent)
        background_layout = QVBoxLayout(self.background_group)
        self.background_label = QLabel(self.background_group)
        self.background_label.setObjectName("background")
        self.background_label.setWordWrap(True)
        self.choose_background_button = QPushButton(self.background_group)
        self.remove_background_button = QPushButton(self.background_group)
        background_layout.addWidget(self.background_label)
        background_layout.addWidget(self.choose_background_button)
        background_layout.addWidget(self.remove_background_button)
        background_layout.addStretch(1)

        row.addWidget(self.page_group)
        row.addWidget(self.qr_group)
        row.addWidget(self.background_group)
        self.page_size.currentIndexChanged.connect(self._page_size_chosen)
        for spin in (self.page_width, self.page_height):
            spin.valueChanged.connect(self._page_values_changed)
        for spin in (self.qr_x, self.qr_y, self.qr_size):
            spin.valueChanged.connect(self._changed)
        self.border.toggled.connect(self._changed)
        self.qr_group.toggled.connect(self._changed)
        self.choose_background_button.clicked.connect(self.choose_background)
        self.remove_background_button.clicked.connect(self.remove_background)
        return row

    def retranslate(self) -> None:
        self.setWindowTitle(_tr("证书模板 — {competition}").format(competition=self.competition_name))
        self.kind_label.setText(_tr("证书类型(&K)："))
        self.name_label.setText(_tr("模板名称(&N)："))
        self.fields_label.setText(_tr("可变字段(&F)（位置以毫米计，从纸张左下角起；y 为文字基线）："))
        self.texts_label.setText(_tr("固定文字(&T)（标题、标签、“特发此证”等）："))
        self.add_text_button.setText(_tr("添加文字(&A)"))
        self.remove_text_button.setText(_tr("删除所选文字(&D)"))
        self.page_group.setTitle(_tr("纸张"))
        self.page_size_label.setText(_tr("尺寸："))
        self.page_width_label.setText(_tr("宽度："))
        self.page_height_label.setText(_tr("高度："))
        self.border.setText(_tr("打印边框(&B)"))
        self.qr_group.setTitle(_tr("二维码（防伪核验）"))
        self.qr_x_label.setText(_tr("左边 x："))
        self.qr_y_label.setText(_tr("下边 y："))
        self.qr_size_label.setText(_tr("边长："))
        self.background_group.setTitle(_tr("背景图片"))
        self.choose_background_button.setText(_tr("选择图片(&I)…"))
        self.remove_background_button.setText(_tr("移除背景(&R)"))
        self.reset_button.setText(_tr("恢复默认"))
        self.save_button.setText(_tr("保存(&S)"))
        self.close_button.setText(_tr("关闭"))
        current = self.page_size.currentIndex()
        self.page_size.blockSignals(True)
        self.page_size.clear()
        for label, width, height in PAGE_SIZES:
            self.page_size.addItem(_tr(label), (width, height))
        self.page_size.addItem(_tr("自定义"), None)
        self.page_size.setCurrentIndex(max(0, current))
        self.page_size.blockSignals(False)
        for model in (self.fields_model, self.texts_model):
            model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, model.columnCount() - 1)
        self._show_background()
        self._show_state()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show_page()

    # --- loading --------------------------------------------------------------------------

    def load(self, kind: str) -> bool:
        """Show the stored template of ``kind`` (or the built-in one); False if it cannot be read."""
        from competition_app.services.certificate_batch import template_for

        try:
            template, customised = self.runner.read(
                lambda session: (
                    template_for(session, self.competition_id, kind),
                    is_customised(session, self.competition_id, kind),
                )
            )
        except (AuthError, TemplateError) as error:
            ErrorDialog.show_error(self, _tr("证书模板"), str(error))
            return False
        self.kind = kind
        self.customised = customised
        self.show_template(template)
        return True

    def show_template(self, template: Template) -> None:
        """Fill every control from ``template``; fields it leaves out are shown unticked."""
        self._loading = True
        try:
            index = self.kind_combo.findData(self.kind)
            self.kind_combo.setCurrentIndex(index)
            self.name_edit.setText(template.name)
            builtin = builtin_template(self.kind)
            rows = []
            for key in FIELD_NAMES:
                box = template.fields.get(key) or builtin.fields.get(key) or TextBox(20.0, 20.0, 100.0, 14.0)
                rows.append(BoxRow.of(key, "", box, printed=key in template.fields))
            self.fields_model.set_rows(rows)
            self.texts_model.set_rows([BoxRow.of("", text.text, text.box) for text in template.texts])
            self.page_width.setValue(template.page_width_mm)
            self.page_height.setValue(template.page_height_mm)
            self._match_page_size()
            self.border.setChecked(template.border)
            qr = template.qr or builtin.qr or QrBox(28.0, 24.0, 26.0)
            self.qr_group.setChecked(template.qr is not None)
            self.qr_x.setValue(qr.x_mm)
            self.qr_y.setValue(qr.y_mm)
            self.qr_size.setValue(qr.size_mm)
            self.background = template.background
        finally:
            self._loading = False
        self.dirty = False
        self.message.clear()
        self._show_background()
        self._show_state()
        self.refresh_preview()

    def _show_state(self) -> None:
        text = _tr("本赛事已自定义") if self.customised else _tr("使用内置模板")
        self.state_label.setText(text + (_tr("（有未保存的修改）") if self.dirty else ""))

    def _show_background(self) -> None:
        if self.background is None:
            self.background_label.setText(_tr("无背景图片"))
            self.remove_background_button.setEnabled(False)
            return
        image = QImage.fromData(QByteArray(self.background))
        kind = "PNG" if self.background.startswith(b"\x89PNG") else "JPEG"
        self.background_label.setText(
            _tr("{kind} 图片，{w}×{h} 像素，{size} KB（铺满整页）").format(
                kind=kind, w=image.width(), h=image.height(), size=max(1, round(len(self.background) / 1024))
            )
        )
        self.remove_background_button.setEnabled(True)

    # --- editing --------------------------------------------------------------------------

    def _changed(self, *_args: object) -> None:
        if self._loading:
            return
        if not self.dirty:
            self.dirty = True
            self._show_state()
        self._timer.start()

    def _kind_chosen(self, index: int) -> None:
        if self._loading:
            return
        kind = str(self.kind_combo.itemData(index))
        if kind == self.kind:
            return
        if self.dirty and not EditorDialogs.confirm(
            self, _tr("切换证书类型"), _tr("当前模板有未保存的修改，切换后将丢失。继续吗？")
        ):
            self._loading = True
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(self.kind))
            self._loading = False
            return
        if not self.load(kind):
            self._loading = True
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(self.kind))
            self._loading = False

    def _match_page_size(self) -> None:
        size = (self.page_width.value(), self.page_height.value())
        index = next(
            (position for position, (_label, w, h) in enumerate(PAGE_SIZES) if (w, h) == size), len(PAGE_SIZES)
        )
        self.page_size.blockSignals(True)
        self.page_size.setCurrentIndex(index)
        self.page_size.blockSignals(False)

    def _page_size_chosen(self, index: int) -> None:
        size = self.page_size.itemData(index)
        if size is None:
            return
        self.page_width.setValue(size[0])
        self.page_height.setValue(size[1])

    def _page_values_changed(self) -> None:
        self._match_page_size()
        self._changed()

    def add_text(self) -> None:
        width, height = self.page_width.value(), self.page_height.value()
        box = TextBox(max(0.0, width / 2 - 40), height / 2, min(80.0, width), 16.0, "center")
        row = self.texts_model.add_row(BoxRow.of("", _tr("新文字"), box))
        index = self.texts_model.index(row, 0)
        self.texts_table.setCurrentIndex(index)
        self.texts_table.edit(index)

    def remove_texts(self) -> None:
        rows = [index.row() for index in self.texts_table.selectionModel().selectedRows()]
        if not rows and self.texts_table.currentIndex().isValid():
            rows = [self.texts_table.currentIndex().row()]
        self.texts_model.remove_rows(rows)

    def choose_background(self) -> None:
        path = FileDialogs.open_path(self, _tr("选择背景图片"), _tr("图片 (*.png *.jpg *.jpeg)"))
        if path is None:
            return
        try:
            data = path.read_bytes()
        except OSError as error:
            ErrorDialog.show_error(
                self, _tr("背景图片"), _tr("无法读取 {path}：{error}").format(path=path, error=error)
            )
            return
        problem = _image_problem(data)
        if problem:
            ErrorDialog.show_error(self, _tr("背景图片"), problem)
            return
        self.background = data
        self._show_background()
        self._changed()

    def remove_background(self) -> None:
        self.background = None
        self._show_background()
        self._changed()

    # --- the template ---------------------------------------------------------------------

    def template(self) -> Template:
        """The template as the controls show it (not yet checked: see :func:`check_template`)."""
        fields = {row.key: row.box() for row in self.fields_model.rows if row.printed}
        texts = tuple(FixedText(row.text, row.box()) for row in self.texts_model.rows)
        qr = QrBox(self.qr_x.value(), self.qr_y.value(), self.qr_size.value()) if self.qr_group.isChecked() else None
        name = self.name_edit.text().strip() or _(KINDS[self.kind])
        template = Template(
            name, self.page_width.value(), self.page_height.value(), fields, texts, qr, self.border.isChecked()
        )
        return with_background(template, self.background)

    def refresh_preview(self) -> None:
        """Render the sample certificate with the current values and show its page."""
        self._timer.stop()
        template = self.template()
        problem = check_template(template)
        if problem:
            self.preview_note.setText(_tr("无法预览：{problem}").format(problem=problem))
            self.preview_note.setStyleSheet("color: #b00020;")
            return
        self._document.close()
        try:
            render_certificates([sample_item(self.kind, self.competition_name)], self.preview_path, template=template)
        except (OSError, ValueError) as error:
            self.preview_note.setText(_tr("无法预览：{problem}").format(problem=error))
            self.preview_note.setStyleSheet("color: #b00020;")
            return
        self._document.load(str(self.preview_path))
        self.preview_note.setStyleSheet("")
        self.preview_note.setText(_tr("预览（示例证书：较长的姓名和单位会自动缩小字号）"))
        self._show_page()
        self.preview_updated.emit()

    def _show_page(self) -> None:
        if self._document.pageCount() < 1:
            return
        points = self._document.pagePointSize(0)
        area = self.preview.size() - QSize(16, 16)
        if points.width() <= 0 or area.width() <= 0 or area.height() <= 0:
            return
        scale = min(area.width() / points.width(), area.height() / points.height())
        ratio = self.preview.devicePixelRatioF()
        size = QSize(max(1, int(points.width() * scale * ratio)), max(1, int(points.height() * scale * ratio)))
        page = self._document.render(0, size)
        # Pages render transparent: put them on white paper, as they print.
        self.preview_image = QImage(page.size(), QImage.Format.Format_RGB32)
        self.preview_image.fill(Qt.GlobalColor.white)
        painter = QPainter(self.preview_image)
        painter.drawImage(0, 0, page)
        painter.end()
        pixmap = QPixmap.fromImage(self.preview_image)
        pixmap.setDevicePixelRatio(ratio)
        self.preview.setPixmap(pixmap)

    # --- storing --------------------------------------------------------------------------

    def save(self) -> None:
        """Check the template and store it; a wrong value is named and nothing is stored."""
        title = _tr("保存证书模板")
        template = self.template()
        problem = check_template(template)
        if problem:
            self.message.setText(problem)
            ErrorDialog.show_error(self, title, _tr("模板未保存：{problem}").format(problem=problem))
            return
        kind, competition_id = self.kind, self.competition_id

        def work(session: Any, progress: Progress) -> None:
            progress.report(0, 1, title)
            save_template(session, competition_id, kind, template)

        def saved(_result: object) -> None:
            self.dirty = False
            self.customised = True
            self._show_state()
            self.message.setText(_tr("已保存“{kind}”模板").format(kind=_(KINDS[kind])))
            self.stored.emit(kind)

        self.runner.run_db(
            title, work, on_success=saved, on_failure=self._failed(title), changes=frozenset({Change.CERTIFICATES})
        )

    def reset_to_builtin(self) -> None:
        """After a confirmation, delete the competition's template of this kind (the built-in one applies)."""
        title = _tr("恢复默认模板")
        kind, competition_id = self.kind, self.competition_id
        if not EditorDialogs.confirm(
            self,
            title,
            _tr("将删除本赛事自定义的“{kind}”模板（含背景图片），改用内置模板。继续吗？").format(kind=_(KINDS[kind])),
        ):
            return

        def work(session: Any, progress: Progress) -> None:
            progress.report(0, 1, title)
            reset_template(session, competition_id, kind)

        def done(_result: object) -> None:
            self.customised = False
            self.show_template(builtin_template(kind))
            self.message.setText(_tr("已恢复内置的“{kind}”模板").format(kind=_(KINDS[kind])))
            self.stored.emit(kind)

        self.runner.run_db(
            title, work, on_success=done, on_failure=self._failed(title), changes=frozenset({Change.CERTIFICATES})
        )

    def _failed(self, title: str) -> Callable[[Exception], None]:
        def show(error: Exception) -> None:
            self.message.setText(str(error))
            ErrorDialog.show_error(self, title, str(error))

        return show

    def closeEvent(self, event: Any) -> None:
        if self.dirty and not EditorDialogs.confirm(
            self, _tr("关闭证书模板"), _tr("模板有未保存的修改，关闭后将丢失。确定关闭吗？")
        ):
            event.ignore()
            return
        self._document.close()
        super().closeEvent(event)


def edit_template(window: MainWindow) -> TemplateEditor | None:
    """成绩与证书 → 证书模板: the selected competition's templates (wired in ``ui.commands``)."""
    from ui.commands import current_selection
    from ui.navigation_model import NodeKind

    competition_id = current_selection(window)[0]
    if competition_id is None:
        window.show_status(_tr("请先在左侧选择一项赛事"))
        return None
    for editor in window.findChildren(TemplateEditor, "template_editor"):
        if editor.competition_id == competition_id and editor.isVisible():
            editor.raise_()
            editor.activateWindow()
            return editor
    index = window.model.find(NodeKind.COMPETITION, competition_id)
    name = str(index.data(Qt.ItemDataRole.DisplayRole) or "") if index.isValid() else ""
    editor = TemplateEditor(window.runner, competition_id, name or _tr("示例赛事"), window)
    editor.setWindowFlag(Qt.WindowType.Window)
    editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    editor.resize(1280, 800)
    if not editor.load(editor.kind):
        editor.deleteLater()
        return None
    editor.show()
    return editor
