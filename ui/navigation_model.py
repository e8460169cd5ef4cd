"""The navigation tree — tier → competition → event — over the navigation service's frozen data."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from competition_app.services.navigation import CompetitionSummary, EventSummary, TierNode

Index = QModelIndex | QPersistentModelIndex


class NodeKind(StrEnum):
    TIER = "tier"
    COMPETITION = "competition"
    EVENT = "event"


class NavigationRole(IntEnum):
    KIND = Qt.ItemDataRole.UserRole + 1
    """The node's ``NodeKind`` (Qt hands it back as a plain str: compare with ==)."""
    ID = Qt.ItemDataRole.UserRole + 2
    """The competition or event id (int); for a tier, its ``tier_key`` (str)."""
    SUMMARY = Qt.ItemDataRole.UserRole + 3
    """The frozen ``TierNode`` / ``CompetitionSummary`` / ``EventSummary`` itself."""


class Column(IntEnum):
    NAME = 0
    ENTRIES = 1


def tier_key(tier: TierNode) -> str:
    """A tier's id in the tree (tiers have no database id): "municipal/class_1"."""
    return f"{tier.level.value}/{tier.tier_class.value}"


@dataclass(eq=False)
class _Node:
    kind: NodeKind
    data: TierNode | CompetitionSummary | EventSummary
    parent: _Node | None
    row: int
    children: list[_Node] = field(default_factory=list)

    @property
    def key(self) -> int | str:
        if isinstance(self.data, TierNode):
            return tier_key(self.data)
        return self.data.id

    @property
    def name(self) -> str:
        data = self.data
        if isinstance(data, EventSummary):
            # The class is worth repeating only where the event's differs from its competition's.
            competition = self.parent.data if self.parent else None
            if isinstance(competition, CompetitionSummary) and competition.tier_class == data.tier_class:
                return data.name
            return data.label
        if isinstance(data, CompetitionSummary):
            return data.name
        return data.label

    @property
    def entry_count(self) -> int:
        if isinstance(self.data, TierNode):
            return sum(competition.entry_count for competition in self.data.competitions)
        return self.data.entry_count


def _build(tiers: tuple[TierNode, ...]) -> list[_Node]:
    roots: list[_Node] = []
    for tier_row, tier in enumerate(tiers):
        tier_node = _Node(NodeKind.TIER, tier, None, tier_row)
        roots.append(tier_node)
        for competition_row, competition in enumerate(tier.competitions):
            competition_node = _Node(NodeKind.COMPETITION, competition, tier_node, competition_row)
            tier_node.children.append(competition_node)
            competition_node.children.extend(
                _Node(NodeKind.EVENT, event, competition_node, event_row)
                for event_row, event in enumerate(competition.events)
            )
    return roots


class NavigationModel(QAbstractItemModel):
    """A read-only tree; ``set_tiers`` replaces everything with a freshly loaded snapshot."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tiers: tuple[TierNode, ...] = ()
        # The nodes must outlive every QModelIndex that points at them (internalPointer).
        self._roots: list[_Node] = []

    @property
    def tiers(self) -> tuple[TierNode, ...]:
        return self._tiers

    def set_tiers(self, tiers: tuple[TierNode, ...]) -> None:
        self.beginResetModel()
        self._tiers = tiers
        self._roots = _build(tiers)
        self.endResetModel()

    def find(self, kind: str, key: object) -> QModelIndex:
        """The index of the node of ``kind`` with id (or tier key) ``key``; invalid if gone."""
        stack = [(node, self.index(node.row, 0, QModelIndex())) for node in self._roots]
        while stack:
            node, index = stack.pop()
            if node.kind == kind and node.key == key:
                return index
            stack.extend((child, self.index(child.row, 0, index)) for child in node.children)
        return QModelIndex()

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(Column) - 1)

    # --- QAbstractItemModel -----------------------------------------------------------------

    def _node(self, index: Index) -> _Node | None:
        if not index.isValid():
            return None
        node: _Node = index.internalPointer()
        return node

    def _children(self, parent: Index) -> list[_Node]:
        node = self._node(parent)
        return self._roots if node is None else node.children

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        return self.createIndex(row, column, self._children(parent)[row])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        node = self._node(index)
        if node is None or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.parent.row, 0, node.parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._children(parent))

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(Column)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        node = self._node(index)
        if node is not None and not node.children:
            flags |= Qt.ItemFlag.ItemNeverHasChildren
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self._node(index)
        if node is None:
            return None
        column = index.column()
        value: Any = None
        if role == Qt.ItemDataRole.DisplayRole:
            value = node.name if column == Column.NAME else str(node.entry_count)
        elif role == Qt.ItemDataRole.ToolTipRole:
            value = self._tooltip(node)
        elif role == Qt.ItemDataRole.TextAlignmentRole and column == Column.ENTRIES:
            value = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        elif role == Qt.ItemDataRole.FontRole and node.kind is NodeKind.TIER:
            value = QFont()
            value.setBold(True)
        elif role == NavigationRole.KIND:
            value = node.kind
        elif role == NavigationRole.ID:
            value = node.key
        elif role == NavigationRole.SUMMARY:
            value = node.data
        return value

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.tr("赛事与赛项") if section == Column.NAME else self.tr("报名")
        if role == Qt.ItemDataRole.TextAlignmentRole and section == Column.ENTRIES:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def _tooltip(self, node: _Node) -> str:
        data = node.data
        if isinstance(data, TierNode):
            return self.tr("{tier}：{count} 项赛事").format(tier=data.label, count=len(data.competitions))
        if isinstance(data, CompetitionSummary):
            return self.tr("{name}\n{tier} · {status} · {events} 个赛项").format(
                name=data.name, tier=data.tier_label, status=data.status.label, events=len(data.events)
            )
        return self.tr("{name}\n{occupation} · {kind} · 报名 {entries} 人").format(
            name=data.label, occupation=data.occupation, kind=data.kind.label, entries=data.entry_count
        )
