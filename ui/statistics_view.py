"""统计: who took part (by region, unit, group and tier) and each event's score distribution as a bar chart.

Counts every registration (``registration_view``), results or not; the distribution charts read
the stored results (``competition_results(..., compute=False)``), so an event never computed has
no chart yet. The counting itself is
``competition_app.results.statistics`` (pure, tested without Qt).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from competition_app.results.statistics import Count, Histogram, Statistics, event_totals, histogram, statistics
from competition_app.results.view import CompetitionView
from competition_app.services.auth import AuthError
from competition_app.services.results import ResultsError, competition_results, registration_view
from ui.dialogs import ErrorDialog
from ui.i18n import translate
from ui.tables import list_table

if TYPE_CHECKING:
    from ui.main_window import MainWindow
    from ui.runner import TaskRunner

CONTEXT = "StatisticsView"


def _tr(text: str) -> str:
    return translate(CONTEXT, text)


class CountsModel(QAbstractTableModel):
    """A breakdown: label, count and share of all entry lines."""

    def __init__(self, heading: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.heading = heading
        self.counts: tuple[Count, ...] = ()
        self.total = 0

    def set_counts(self, counts: tuple[Count, ...]) -> None:
        self.beginResetModel()
        self.counts = counts
        self.total = sum(count.count for count in counts)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.counts)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 3:
            return (self.heading, _tr("人次"), _tr("占比"))[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.counts):
            return None
        count = self.counts[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            share = f"{count.count * 100 / self.total:.1f}%" if self.total else ""
            return (count.label, str(count.count), share)[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class StatisticsDialog(QDialog):
    def __init__(self, runner: TaskRunner, competition_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statistics_dialog")
        self.runner = runner
        self.competition_id = competition_id
        self.view: CompetitionView | None = None
        self.summary: Statistics | None = None
        self.registered_events = 0
        self.histogram: Histogram | None = None

        self.note = QLabel(self)
        self.note.setObjectName("statistics_note")
        self.note.setWordWrap(True)
        self.tabs = QTabWidget(self)
        self.models = {
            key: CountsModel(heading, self)
            for key, heading in (("region", _tr("地区")), ("unit", _tr("单位")), ("group", _tr("组别")),
                                 ("tier", _tr("竞赛类别")))
        }  # fmt: skip
        self.tables = {key: self._table(model, key) for key, model in self.models.items()}
        self.event_box = QComboBox(self)
        self.event_box.setObjectName("statistics_event")
        self.event_label = QLabel(self)
        self.event_label.setBuddy(self.event_box)
        self.chart = QChart()
        self.chart.legend().setVisible(False)
        self.chart_view = QChartView(self.chart, self)
        self.chart_view.setObjectName("statistics_chart")
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(320)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)

        distribution = QWidget(self)
        chooser = QHBoxLayout()
        chooser.addWidget(self.event_label)
        chooser.addWidget(self.event_box, 1)
        column = QVBoxLayout(distribution)
        column.addLayout(chooser)
        column.addWidget(self.chart_view, 1)
        self.distribution = distribution
        for key in self.models:
            self.tabs.addTab(self.tables[key], "")
        self.tabs.addTab(distribution, "")
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)
        self.event_box.currentIndexChanged.connect(self._show_distribution)
        self.resize(820, 600)
        self.retranslate()

    def _table(self, model: CountsModel, key: str) -> QTableView:
        table = list_table(self, f"statistics_{key}", model)
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        return table

    @classmethod
    def show_for(cls, window: MainWindow, competition_id: int, event_id: int | None = None) -> StatisticsDialog | None:
        dialog = cls(window.runner, competition_id, window)
        if not dialog.load(event_id):
            dialog.deleteLater()
            return None
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def load(self, event_id: int | None = None) -> bool:
        """Read the stored results and fill the tables and the event list; False (and a message) on failure."""
        try:
            view = self.runner.read(lambda session: competition_results(session, self.competition_id, compute=False))
            registered = self.runner.read(lambda session: registration_view(session, self.competition_id))
        except (ResultsError, AuthError) as error:
            ErrorDialog.show_error(self, _tr("统计"), _tr("无法读取成绩：{error}").format(error=error))
            return False
        self.view = view
        self.summary = summary = statistics(registered)
        self.registered_events = len(registered.events)
        for key, counts in (("region", summary.by_region), ("unit", summary.by_unit), ("group", summary.by_group),
                            ("tier", summary.by_tier)):  # fmt: skip
            self.models[key].set_counts(counts)
        self.event_box.blockSignals(True)
        self.event_box.clear()
        for event in view.events:
            self.event_box.addItem(event.label, event.event_id)
        self.event_box.blockSignals(False)
        self.event_box.setCurrentIndex(max(0, self.event_box.findData(event_id)))
        self._show_distribution()
        self.retranslate()
        return True

    def _show_distribution(self) -> None:
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        event = next((e for e in (self.view.events if self.view else ()) if e.event_id == self.event_box.currentData()),
                     None)  # fmt: skip
        if event is None:
            self.histogram = None
            self.chart.setTitle(_tr("没有已计算的成绩"))
            return
        totals = event_totals(event)
        self.histogram = bins = histogram(totals)
        bars = QBarSet(_tr("人数"))
        bars.append([float(b.count) for b in bins.bins])
        bars.setColor(Qt.GlobalColor.darkCyan)
        bars.setLabelColor(Qt.GlobalColor.black)
        series = QBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        self.chart.addSeries(series)
        categories = QBarCategoryAxis()
        categories.append([b.label for b in bins.bins])
        categories.setTitleText(_tr("总分"))
        counts = QValueAxis()
        counts.setRange(0, max([1, *(b.count for b in bins.bins)]) * 1.15)
        counts.setLabelFormat("%d")
        counts.setTickType(QValueAxis.TickType.TicksDynamic)
        counts.setTickAnchor(0)
        counts.setTickInterval(max(1, int(counts.max() // 5)))
        counts.setTitleText(_tr("人数"))
        self.chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(counts, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(categories)
        series.attachAxis(counts)
        self.chart.setTitle(_tr("{event} 总分分布（{count}人有总分）").format(event=event.label, count=len(totals)))

    def retranslate(self) -> None:
        self.setWindowTitle(_tr("统计 — {competition}").format(competition=self.view.name if self.view else ""))
        titles = (_tr("按地区"), _tr("按单位"), _tr("按组别"), _tr("按竞赛类别"), _tr("成绩分布"))
        for index, title in enumerate(titles):
            self.tabs.setTabText(index, title)
        self.event_label.setText(_tr("赛项(&E)："))
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(_tr("关闭"))
        if self.summary is not None and self.view is not None:
            self.note.setText(
                _tr("共 {entries} 人次（按报名记录计，一人参加两个赛项计两次），来自 {events} 个赛项；"
                    "成绩分布只含已计算成绩的 {computed} 个赛项。").format(
                    entries=self.summary.entries, events=self.registered_events, computed=len(self.view.events))
            )  # fmt: skip

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def show_statistics(window: MainWindow) -> None:
    """成绩与证书 → 统计 (wired in ``ui.commands``) for the selected competition."""
    from ui.commands import current_selection

    competition_id, event_id = current_selection(window)
    if competition_id is None:
        window.show_status(translate(CONTEXT, "请先在左侧选择一项赛事或赛项"))
        return
    StatisticsDialog.show_for(window, competition_id, event_id)
