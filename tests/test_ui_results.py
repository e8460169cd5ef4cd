"""成绩 window, 决定并列 dialog and 统计 dialog on the demo database."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from competition_app.results.view import ResultLine, TieView
from competition_app.services import scores
from competition_app.services.results import compute_results
from competition_app.services.scores import CellRef
from competition_app.tasks import Change, Progress
from db.models import AuditRecord, Competition, Component, Entry, Event, EventGroup, Score, TieDecision
from db.session import Database
from tests.support.windows import select_node
from ui.actions import ActionId
from ui.main_window import MainWindow
from ui.results_model import ResultsModel
from ui.results_window import Banner, ResultsWindow
from ui.statistics_view import StatisticsDialog
from ui.tie_dialog import TieChoice, TieDialog

# The offscreen platform has no window stack and no size hints to pass on.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (raise|propagateSizeHints)")

WAIT_MS = 30_000
JINING = "济宁"
JINING_EVENTS = ["焊工", "电工", "数控车工", "中式烹调师", "养老护理员", "计算机程序设计员"]


def open_results(main_window: MainWindow, event: str | None) -> ResultsWindow:
    select_node(main_window, JINING, event)
    main_window.action_collection[ActionId.SHOW_RESULTS].trigger()
    windows = main_window.findChildren(ResultsWindow)
    assert len(windows) == 1 and windows[0].isVisible()
    return windows[0]


def compute(qtbot: QtBot, window: ResultsWindow) -> None:
    with qtbot.waitSignal(window.loaded, timeout=WAIT_MS):
        qtbot.mouseClick(window.compute_button, Qt.MouseButton.LeftButton)


def event_id(database: Database, name: str) -> int:
    with database.session() as session:
        found = session.scalar(select(Event.id).where(Event.name == name))
        assert found is not None
        return found


def all_lines(window: ResultsWindow) -> list[ResultLine]:
    event = window.current_event()
    assert event is not None and event.view is not None
    return [line for group in event.view.groups for line in group.lines]


def test_the_window_lists_the_events_and_computes_the_electricians(qtbot: QtBot, main_window: MainWindow) -> None:
    window = open_results(main_window, "电工")
    chooser = window.chooser_model
    names = [chooser.item(row).text().split("　")[0] for row in range(chooser.rowCount())]
    assert names == JINING_EVENTS
    assert window.current_event() is not None and window.current_event().name == "电工"  # type: ignore[union-attr]
    assert window.banner_state is Banner.NOT_COMPUTED and window.banner_button.isVisibleTo(window)
    assert window.model.rowCount() == 0

    compute(qtbot, window)
    assert window.banner_state is Banner.OFFICIAL, window.banner_text.text()
    assert "正式成绩" in window.banner_text.text() and not window.banner_button.isVisibleTo(window)
    assert "电工" in chooser.item(1).text() and "[正式]" in chooser.item(1).text()
    lines = all_lines(window)
    assert len(lines) == 54
    assert sum(1 for line in lines if line.award) == 12
    assert window.current_group_name() == "职工组" and window.model.rowCount() == 30
    ModelTester(None).check(window.model)  # type: ignore[arg-type]
    model = window.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[:4] == ["名次", "参赛编号", "姓名", "单位"]
    assert headers[-6:] == ["总分", "奖项", "称号", "晋升", "荣誉", "状态"]
    assert model.index(0, 0).data() == "1" and model.index(0, model.column_of("奖项")).data() == "一等奖"
    ranks = [model.index(row, 0).data() for row in range(model.rowCount())]
    assert ranks[:3] == ["1", "2", "3"]

    window.table.selectRow(2)
    line = model.lines[2]
    assert line.explanation and window.explanation.toPlainText() == "\n".join(line.explanation)
    assert model.index(2, 3).data(Qt.ItemDataRole.ToolTipRole) == "\n".join(line.explanation)

    window.chooser.setCurrentIndex(chooser.item(1).child(1).index())  # 学生组
    assert window.current_group_name() == "学生组" and window.model.rowCount() == 24


def test_shared_ranks_are_shown_with_an_equals_sign() -> None:
    model = ResultsModel()
    line = ResultLine(1, None, "HG-001", "张三", None, None, "甲公司", None, "职工组", (("理论知识", Decimal("80.5")),),
                      Decimal("80.50"), 3, shared_rank=True, award="三等奖", titles=("技术能手",))  # fmt: skip
    model.lines, model.components = (line,), ("理论知识",)
    assert [model.index(0, c).data() for c in range(model.columnCount())] == [
        "3=", "HG-001", "张三", "甲公司", "80.5", "80.50", "三等奖", "技术能手", "", "", ""]  # fmt: skip


def change_a_mark(database: Database, name: str) -> None:
    """Key a different value into one pass-1 mark of event ``name`` through the scores service."""
    with database.transaction() as session:
        score = session.scalars(
            select(Score).join(Component, Component.id == Score.component_id)
            .join(Event, Event.id == Component.event_id)
            .where(Event.name == name, Score.pass_no == 1, Score.entry_id.is_not(None)).order_by(Score.id)
        ).first()  # fmt: skip
        assert score is not None
        ref = CellRef(score.component_id, score.entry_id, score.team_id, score.aspect_id, score.seat, 1)
        new = score.value - 1 if score.value >= 1 else score.value + 1
        scores.enter_score(session, ref, f"{new:f}", expected_version=score.version)


def test_the_banner_says_stale_after_a_mark_changes_and_recomputing_clears_it(
    qtbot: QtBot, main_window: MainWindow, demo_database: Database
) -> None:
    window = open_results(main_window, "数控车工")
    compute(qtbot, window)
    assert window.banner_state is Banner.DRAFT and "非正式" in window.banner_text.text()

    change_a_mark(demo_database, "数控车工")
    with qtbot.waitSignal(window.loaded, timeout=WAIT_MS):
        main_window.runner.changed.emit(frozenset({Change.SCORES}))  # what score entry tells the views
    assert window.banner_state is Banner.STALE and "已过期" in window.banner_text.text()
    assert window.banner_button.isVisibleTo(window) and window.banner_button.text() == "重新计算"
    assert "[已过期]" in window.chooser_model.item(2).text()

    with qtbot.waitSignal(window.loaded, timeout=WAIT_MS):
        qtbot.mouseClick(window.banner_button, Qt.MouseButton.LeftButton)
    assert window.banner_state is Banner.DRAFT


def test_an_event_without_a_rule_set_reports_why_in_chinese(
    qtbot: QtBot, main_window: MainWindow, demo_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with demo_database.transaction() as session:
        event = session.scalars(select(Event).where(Event.name == "养老护理员")).one()
        event.rule_set_id = None
    shown: list[str] = []
    monkeypatch.setattr("ui.results_window.ErrorDialog.show_error", lambda _parent, _title, text: shown.append(text))
    window = open_results(main_window, "养老护理员")
    with qtbot.waitSignal(window.computed, timeout=WAIT_MS) as done:
        qtbot.mouseClick(window.compute_button, Qt.MouseButton.LeftButton)
    assert "没有规则集" in str(done.args[0]) and shown and "没有规则集" in shown[0]
    assert window.banner_state is Banner.NOT_COMPUTED


def test_a_tie_is_decided_through_the_dialog_recorded_and_recomputed(
    qtbot: QtBot, main_window: MainWindow, demo_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_results(main_window, "焊工")
    compute(qtbot, window)
    event = window.current_event()
    assert event is not None and event.view is not None
    first, second = event.view.groups[0].lines[3:5]
    assert first.entry_id is not None and second.entry_id is not None
    tie = TieView("职工组", "rank", (first.entry_id, second.entry_id), "第4名并列，规则不允许并列名次，须决定先后")
    # The demo's rules settle every tie themselves: plant one in what the window shows.
    tied_view = replace(event.view, unresolved_ties=(tie,))
    window.results = replace(window.results, events=tuple(
        replace(e, view=tied_view) if e.event_id == event.event_id else e for e in window.results.events))  # fmt: skip
    window.select(event.event_id, "职工组")
    assert window.ties_box.isVisibleTo(window) and "第4名并列" in window.ties.item(0).text()

    asked: list[tuple[TieView, tuple[ResultLine, ...]]] = []

    def ask(_parent: Any, tie: TieView, lines: tuple[ResultLine, ...]) -> TieChoice:
        asked.append((tie, lines))
        return TieChoice((second.entry_id, first.entry_id), "抽签决定")  # type: ignore[arg-type]

    monkeypatch.setattr(TieDialog, "ask", ask)
    with qtbot.waitSignal(window.loaded, timeout=WAIT_MS):
        qtbot.mouseClick(window.tie_button, Qt.MouseButton.LeftButton)
    assert asked and {line.entry_id for line in asked[0][1]} >= {first.entry_id, second.entry_id}
    with demo_database.session() as session:
        decision = session.scalars(select(TieDecision)).one()
        assert decision.decided_order == [second.entry_id, first.entry_id] and decision.reason == "抽签决定"
        record = session.scalars(select(AuditRecord).where(AuditRecord.action == "results.decide_tie")).one()
        assert record.reason == "抽签决定" and record.new_value["order"] == [second.entry_id, first.entry_id]
        computations = session.scalars(select(AuditRecord).where(AuditRecord.action == "results.compute")).all()
        assert len(computations) == 2  # once before, once after the decision
    assert window.banner_state is Banner.DRAFT and not window.ties_box.isVisibleTo(window)


def tie_lines() -> tuple[TieView, tuple[ResultLine, ...]]:
    lines = tuple(
        ResultLine(entry_id, None, f"HG-00{entry_id}", name, None, None, None, None, "职工组", (), Decimal("85.20"), 4)
        for entry_id, name in ((1, "张三"), (2, "李四"), (3, "王五"))
    )
    return TieView("职工组", "rank", (1, 2, 3), "三人总分相同"), lines


def test_the_tie_dialog_can_be_completed_without_a_mouse(qtbot: QtBot) -> None:
    tie, lines = tie_lines()
    dialog = TieDialog(tie, lines)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    assert [dialog.order.item(r).text() for r in range(3)] == [
        "HG-001  张三  总分 85.20", "HG-002  李四  总分 85.20", "HG-003  王五  总分 85.20"]  # fmt: skip
    assert dialog.order.hasFocus()
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled()  # a reason is required
    qtbot.keyClick(dialog.order, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)  # 张三 down one
    qtbot.keyClick(dialog.order, Qt.Key.Key_Down)  # to 王五 (third)
    qtbot.keyClick(dialog.order, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)  # 上移: 王五 second
    qtbot.waitUntil(lambda: dialog.choice().ordered_ids == (2, 3, 1), timeout=WAIT_MS)  # a mnemonic clicks later
    qtbot.keyClick(dialog.order, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)  # to the reason
    assert dialog.reason.hasFocus()
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)  # no reason yet: stays open
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.reason, "draw")  # QTest cannot type through an input method
    assert ok.isEnabled()
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.choice() == TieChoice((2, 3, 1), "draw")


def test_the_statistics_dialog_counts_every_registration_and_charts_the_computed_events(
    qtbot: QtBot, main_window: MainWindow, demo_database: Database
) -> None:
    with demo_database.transaction() as session:
        compute_results(session, event_id(demo_database, "电工"), Progress())
    select_node(main_window, JINING, "电工")
    main_window.action_collection[ActionId.STATISTICS].trigger()
    dialog = main_window.findChild(StatisticsDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.addWidget(dialog)
    # Counts cover every registration of 济宁, computed or not; the chart only 电工, the one computed.
    with demo_database.session() as session:
        rows = session.execute(
            select(EventGroup.name, Event.tier_class)
            .select_from(Entry)
            .join(Event, Event.id == Entry.event_id)
            .join(EventGroup, EventGroup.id == Entry.group_id)
            .join(Competition, Competition.id == Event.competition_id)
            .where(Competition.name.contains(JINING))
        ).all()
    summary = dialog.summary
    assert summary is not None and summary.entries == len(rows) > 54
    groups = dialog.models["group"]
    expected_groups = Counter(group for group, _tier in rows)
    assert {(c.label, c.count) for c in groups.counts} == set(expected_groups.items())
    assert groups.index(0, 2).data() == f"{100 * groups.counts[0].count / len(rows):.1f}%"
    expected_tiers = Counter(tier.label for _group, tier in rows)
    assert {(c.label, c.count) for c in dialog.models["tier"].counts} == set(expected_tiers.items())
    assert sum(c.count for c in dialog.models["region"].counts) == len(rows)
    assert sum(c.count for c in dialog.models["unit"].counts) == len(rows)
    assert f"{len(rows)} 人次" in dialog.note.text() and "来自 6 个赛项" in dialog.note.text()
    assert "已计算成绩的 1 个赛项" in dialog.note.text()
    assert dialog.event_box.count() == 1 and dialog.histogram is not None
    assert len(dialog.histogram.bins) == 10 and dialog.histogram.total == 54
    series = dialog.chart.series()
    assert len(series) == 1
    bars = series[0].barSets()[0]  # type: ignore[attr-defined]
    assert [int(bars.at(i)) for i in range(bars.count())] == [b.count for b in dialog.histogram.bins]
