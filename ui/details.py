"""The right-hand panel: what is selected in the navigation tree, in detail."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import QEvent, QModelIndex, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from competition_app.domain.enums import EventKind
from competition_app.domain.marks import plain
from competition_app.services.entries import EntryRow
from competition_app.services.navigation import CompetitionSummary, EventSummary, TierNode
from ui.entries_model import EntriesFilterModel, EntriesModel, EntryColumn
from ui.i18n import QT_TRANSLATE_NOOP, translate
from ui.navigation_model import NavigationRole, NodeKind

EntriesLoader = Callable[[int], tuple[EntryRow, ...]]


def _date(day: date) -> str:
    return translate("DetailsPanel", "{year}年{month}月{day}日").format(year=day.year, month=day.month, day=day.day)


def _date_range(start: date | None, end: date | None) -> str:
    if start and end and start != end:
        return translate("DetailsPanel", "{start} 至 {end}").format(start=_date(start), end=_date(end))
    day = start or end
    return _date(day) if day is not None else translate("DetailsPanel", "未定")


class _Fields(QWidget):
    """Label/value rows whose labels are source strings, so they can be retranslated."""

    def __init__(self, labels: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._sources = tuple(labels)
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.setHorizontalSpacing(16)
        self._names: list[QLabel] = []
        self.values: list[QLabel] = []
        for _source in self._sources:
            name = QLabel()
            name.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addRow(name, value)
            self._names.append(name)
            self.values.append(value)
        self.retranslate()

    def set_values(self, values: Sequence[str]) -> None:
        for label, value in zip(self.values, values, strict=True):
            label.setText(value)

    def retranslate(self) -> None:
        for label, source in zip(self._names, self._sources, strict=True):
            label.setText(translate("DetailsPanel", source) + translate("DetailsPanel", "："))


def _heading(parent: QWidget) -> tuple[QLabel, QLabel]:
    title = QLabel(parent)
    font = QFont(title.font())
    font.setPointSizeF(font.pointSizeF() * 1.5)
    font.setBold(True)
    title.setFont(font)
    title.setWordWrap(True)
    title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    subtitle = QLabel(parent)
    subtitle.setWordWrap(True)
    subtitle.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return title, subtitle


class _PlaceholderPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        self.label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        self.retranslate()

    def retranslate(self) -> None:
        self.label.setText(translate("DetailsPanel", "请在左侧选择赛事或赛项\n\n↑ ↓ 选择 · → 展开 · F5 刷新"))


class _TierPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title, self.subtitle = _heading(self)
        self.competitions = QLabel(self)
        self.competitions.setWordWrap(True)
        self.competitions.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addSpacing(8)
        layout.addWidget(self.competitions)
        layout.addStretch(1)
        self._tier: TierNode | None = None

    def show_tier(self, tier: TierNode) -> None:
        self._tier = tier
        self.retranslate()

    def retranslate(self) -> None:
        tier = self._tier
        if tier is None:
            return
        self.title.setText(tier.label)
        self.subtitle.setText(
            translate("DetailsPanel", "{competitions} 项赛事 · {events} 个赛项 · 报名 {entries} 人次").format(
                competitions=len(tier.competitions),
                events=sum(len(c.events) for c in tier.competitions),
                entries=sum(c.entry_count for c in tier.competitions),
            )
        )
        self.competitions.setText(
            "\n".join(
                translate("DetailsPanel", "{name} · {status} · {dates} · {events} 个赛项 · {entries} 人次").format(
                    name=competition.name,
                    status=competition.status.label,
                    dates=_date_range(competition.start_date, competition.end_date),
                    events=len(competition.events),
                    entries=competition.entry_count,
                )
                for competition in tier.competitions
            )
        )


COMPETITION_FIELDS = (
    QT_TRANSLATE_NOOP("DetailsPanel", "层级"),
    QT_TRANSLATE_NOOP("DetailsPanel", "地区"),
    QT_TRANSLATE_NOOP("DetailsPanel", "主办单位"),
    QT_TRANSLATE_NOOP("DetailsPanel", "比赛日期"),
    QT_TRANSLATE_NOOP("DetailsPanel", "状态"),
    QT_TRANSLATE_NOOP("DetailsPanel", "赛项"),
    QT_TRANSLATE_NOOP("DetailsPanel", "报名"),
)


class _CompetitionPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title, self.subtitle = _heading(self)
        self.fields = _Fields(COMPETITION_FIELDS, self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addSpacing(8)
        layout.addWidget(self.fields)
        layout.addStretch(1)
        self._competition: CompetitionSummary | None = None

    def show_competition(self, competition: CompetitionSummary) -> None:
        self._competition = competition
        self.retranslate()

    def retranslate(self) -> None:
        self.fields.retranslate()
        competition = self._competition
        if competition is None:
            return
        self.title.setText(competition.name)
        self.subtitle.setText(
            translate("DetailsPanel", "{year} 年 · {tier}").format(year=competition.year, tier=competition.tier_label)
        )
        event_names = "、".join(event.label for event in competition.events)
        self.fields.set_values(
            (
                competition.tier_label,
                competition.region or translate("DetailsPanel", "—"),
                competition.organiser or translate("DetailsPanel", "—"),
                _date_range(competition.start_date, competition.end_date),
                competition.status.label,
                translate("DetailsPanel", "{count} 个：{names}").format(
                    count=len(competition.events), names=event_names
                )
                if competition.events
                else translate("DetailsPanel", "尚无赛项"),
                translate("DetailsPanel", "{count} 人次").format(count=competition.entry_count),
            )
        )


EVENT_FIELDS = (
    QT_TRANSLATE_NOOP("DetailsPanel", "职业（工种）"),
    QT_TRANSLATE_NOOP("DetailsPanel", "类别"),
    QT_TRANSLATE_NOOP("DetailsPanel", "形式"),
    QT_TRANSLATE_NOOP("DetailsPanel", "组别"),
    QT_TRANSLATE_NOOP("DetailsPanel", "评分项"),
    QT_TRANSLATE_NOOP("DetailsPanel", "报名与评分"),
)


class _EventPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title, self.subtitle = _heading(self)
        self.fields = _Fields(EVENT_FIELDS, self)
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.count = QLabel(self)
        self.entries = EntriesModel(self)
        self.proxy = EntriesFilterModel(self)
        self.proxy.setSourceModel(self.entries)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the service's order until a header is clicked
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(EntryColumn.UNIT, QHeaderView.ResizeMode.Stretch)

        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addSpacing(8)
        layout.addWidget(self.fields)
        layout.addSpacing(8)
        layout.addLayout(search_row)
        layout.addWidget(self.table, 1)

        self.search.textChanged.connect(self._search_changed)
        self.search.returnPressed.connect(self._focus_table)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)
        self._event: EventSummary | None = None
        self._competition: CompetitionSummary | None = None
        self.retranslate()

    def show_event(
        self, event: EventSummary, competition: CompetitionSummary | None, entries: tuple[EntryRow, ...]
    ) -> None:
        if self._event is None or self._event.id != event.id:
            self.search.clear()
        self._event, self._competition = event, competition
        self.entries.set_rows(entries)
        self._fit_columns()
        self.retranslate()

    def _fit_columns(self) -> None:
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for column in EntryColumn:
            if column is not EntryColumn.UNIT:
                header.resizeSection(column, max(header.sectionSize(column), header.sectionSizeHint(column)) + 12)

    def _search_changed(self, text: str) -> None:
        self.proxy.set_search(text)

    def _focus_table(self) -> None:
        if self.proxy.rowCount() > 0:
            self.table.setFocus()
            self.table.selectRow(0)

    def _update_count(self, *_args: object) -> None:
        shown, total = self.proxy.rowCount(), self.entries.rowCount()
        if shown == total:
            self.count.setText(translate("DetailsPanel", "共 {total} 人").format(total=total))
        else:
            self.count.setText(translate("DetailsPanel", "显示 {shown} / {total} 人").format(shown=shown, total=total))

    def retranslate(self) -> None:
        self.fields.retranslate()
        self.entries.retranslate()
        self.search.setPlaceholderText(translate("DetailsPanel", "查找姓名、参赛编号或单位（Ctrl+F）"))
        self._update_count()
        event = self._event
        if event is None:
            return
        self.title.setText(event.label)
        self.subtitle.setText(self._competition.name if self._competition else "")
        if event.kind is EventKind.TEAM:
            kind = translate("DetailsPanel", "{kind}（每队 {size} 人）").format(
                kind=event.kind.label, size=event.team_size
            )
        else:
            kind = event.kind.label
        components = "\n".join(
            translate("DetailsPanel", "{name} · 权重 {weight}% · 满分 {max} · {method}{panel}").format(
                name=component.name,
                weight=plain(component.weight * 100),
                max=plain(component.max_score),
                method=component.panel_method.label,
                panel=translate("DetailsPanel", "（{size} 名裁判）").format(size=component.panel_size)
                if component.panel_size > 1
                else "",
            )
            for component in event.components
        )
        self.fields.set_values(
            (
                event.occupation,
                event.tier_class.label or translate("DetailsPanel", "—"),
                kind,
                "、".join(event.groups) or translate("DetailsPanel", "不分组"),
                components or translate("DetailsPanel", "尚未设置"),
                translate("DetailsPanel", "报名 {entries} 人 · 已评分 {scored} 人").format(
                    entries=event.entry_count, scored=event.scored_entry_count
                ),
            )
        )


class DetailsPanel(QStackedWidget):
    """Shows the node at a navigation index; entries are fetched through ``load_entries``."""

    def __init__(self, load_entries: EntriesLoader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._load_entries = load_entries
        self.placeholder = _PlaceholderPage(self)
        self.tier_page = _TierPage(self)
        self.competition_page = _CompetitionPage(self)
        self.event_page = _EventPage(self)
        for page in (self.placeholder, self.tier_page, self.competition_page, self.event_page):
            self.addWidget(page)
        self.setMinimumWidth(420)

    @property
    def entries_model(self) -> EntriesModel:
        return self.event_page.entries

    @property
    def entries_proxy(self) -> EntriesFilterModel:
        return self.event_page.proxy

    @property
    def entries_view(self) -> QTableView:
        return self.event_page.table

    @property
    def search_field(self) -> QLineEdit:
        return self.event_page.search

    def show_index(self, index: QModelIndex) -> None:
        """Show the tier, competition or event at ``index`` of the navigation model."""
        kind = index.data(NavigationRole.KIND) if index.isValid() else None
        summary = index.data(NavigationRole.SUMMARY) if index.isValid() else None
        if kind == NodeKind.TIER and isinstance(summary, TierNode):
            self.tier_page.show_tier(summary)
            self.setCurrentWidget(self.tier_page)
        elif kind == NodeKind.COMPETITION and isinstance(summary, CompetitionSummary):
            self.competition_page.show_competition(summary)
            self.setCurrentWidget(self.competition_page)
        elif kind == NodeKind.EVENT and isinstance(summary, EventSummary):
            competition = index.parent().data(NavigationRole.SUMMARY)
            self.event_page.show_event(
                summary,
                competition if isinstance(competition, CompetitionSummary) else None,
                self._load_entries(summary.id),
            )
            self.setCurrentWidget(self.event_page)
        else:
            self.entries_model.set_rows(())
            self.setCurrentWidget(self.placeholder)

    def focus_search(self) -> bool:
        """Put the cursor in the entries search field; False when no event is shown."""
        if self.currentWidget() is not self.event_page:
            return False
        self.event_page.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.event_page.search.selectAll()
        return True

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.placeholder.retranslate()
            self.tier_page.retranslate()
            self.competition_page.retranslate()
            self.event_page.retranslate()
        super().changeEvent(event)
