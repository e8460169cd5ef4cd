"""The results service on a worked example built by hand in the database (市级一类, 5 contestants).

Theory (理论知识, one mark, 30%) + practical (技能操作, 5 judges, highest and lowest dropped, 70%):

    entry  theory  practical marks         practical        total = 0.3·theory + 0.7·practical
    A      90      80  85  90  95 100      (85+90+95)/3 = 90   27.0 + 63.0 = 90.00   → 1st
    B      80      88  92  92  92  96      (92+92+92)/3 = 92   24.0 + 64.4 = 88.40   → 2nd (practical 92 > 86)
    C      94      84  86  86  86  90      (86+86+86)/3 = 86   28.2 + 60.2 = 88.40   → 3rd
    D      70      70  80  80  80  90      80                  21.0 + 56.0 = 77.00   → 4th
    E      55      60  70  70  70  80      70                  16.5 + 49.0 = 65.50   → 5th

Awards (preset municipal_class_1: 一等奖 1, 二等奖 2, 三等奖 3, none below a total of 60): A 一等奖;
B, C 二等奖; D, E 三等奖 (E's 65.50 passes). 市级一类 top 3 (workers, teachers) may apply for 市技术能手:
A, B, C. Promotion (top 3, one level up, every component ≥ 60, once a year): A 中级工 → 高级工 (level_3);
B already promoted this year (a recorded achievement) → none; C has no recorded level → 高级工; D, E none.
"""

from __future__ import annotations

import argparse
import io
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from competition_app.domain.enums import (
    AchievementKind,
    ComponentKind,
    EntryStatus,
    Gender,
    Level,
    PanelMethod,
    PersonStatus,
    Role,
    SheetState,
    SkillLevel,
    TierClass,
)
from competition_app.results.view import EventView, ResultLine
from competition_app.results_cli import run_results_command
from competition_app.rules.serialise import rule_set_to_dict
from competition_app.services.auth import PermissionDenied, act_as
from competition_app.services.results import (
    ResultsError,
    competition_results,
    compute_results,
    decide_tie,
    load_results,
)
from competition_app.services.rule_sets import copy_preset_to_competition, load_rule_set, update_rule_set
from db.models import (
    AuditRecord,
    Competition,
    Component,
    Entry,
    Event,
    EventGroup,
    Person,
    PersonAchievement,
    ResultSnapshot,
    Score,
    ScoreSheet,
    Unit,
)
from db.session import Database
from db.types import utcnow
from tests.support.accounts import make_user

MARKS: dict[str, tuple[str, tuple[str, ...]]] = {
    "A": ("90", ("80", "85", "90", "95", "100")),
    "B": ("80", ("88", "92", "92", "92", "96")),
    "C": ("94", ("84", "86", "86", "86", "90")),
    "D": ("70", ("70", "80", "80", "80", "90")),
    "E": ("55", ("60", "70", "70", "70", "80")),
}
ID_NUMBERS = {
    "A": "370802199001011234",
    "B": "370802199102021234",
    "C": "370802199203031234",
    "D": "370802199304041234",
    "E": "370802199405051234",
}


@dataclass
class Example:
    competition: Competition
    event: Event
    theory: Component
    practical: Component
    entries: dict[str, Entry]


def build_example(session: Session, marks: dict[str, tuple[str, tuple[str, ...]]] = MARKS) -> Example:
    """The worked example of the module docstring (the session acts in set-up mode or as an admin)."""
    competition = Competition(
        name="2026年示例市职业技能大赛", short_name="示例赛", year=2026, level=Level.MUNICIPAL,
        tier_class=TierClass.CLASS_1, start_date=date(2026, 5, 20),
    )  # fmt: skip
    session.add(competition)
    session.flush()
    rule_set_id = copy_preset_to_competition(session, competition.id, "municipal_class_1")
    event = Event(competition=competition, name="焊工", occupation="焊工", code="HG", rule_set_id=rule_set_id)
    group = EventGroup(event=event, name="职工组")
    theory = Component(event=event, name="理论知识", kind=ComponentKind.THEORY, weight=Decimal("0.3"))
    practical = Component(event=event, name="技能操作", kind=ComponentKind.PRACTICAL, weight=Decimal("0.7"),
                          panel_method=PanelMethod.TRIMMED_MEAN, panel_size=5, sort_order=1)  # fmt: skip
    unit = Unit(name="示例机械有限公司", region="示例市")
    session.add_all([event, unit])
    session.flush()
    levels = {"A": SkillLevel.LEVEL_4, "B": SkillLevel.LEVEL_3, "C": None, "D": SkillLevel.LEVEL_4, "E": None}
    entries = {}
    for number, (key, (theory_mark, practical_marks)) in enumerate(marks.items(), start=1):
        person = Person(id_number=ID_NUMBERS[key], name=f"选手{key}", gender=Gender.MALE, birth_date=date(1990, 1, 1),
                        status=PersonStatus.WORKER, skill_level=levels[key], unit_id=unit.id)  # fmt: skip
        session.add(person)
        session.flush()
        entry = Entry(
            event_id=event.id, group_id=group.id, person_id=person.id, bib=f"HG-{number:03d}", unit_id=unit.id
        )
        session.add(entry)
        session.flush()
        session.add(Score(entry_id=entry.id, component_id=theory.id, seat=1, value=Decimal(theory_mark)))
        session.add_all(
            Score(entry_id=entry.id, component_id=practical.id, seat=seat, value=Decimal(value))
            for seat, value in enumerate(practical_marks, start=1)
        )
        entries[key] = entry
    # B was promoted earlier this year in another competition: at most one promotion a year.
    session.add(PersonAchievement(person_id=entries["B"].person_id, kind=AchievementKind.PROMOTION, title="晋升高级工",
                                  skill_level=SkillLevel.LEVEL_3, year=2026))  # fmt: skip
    session.flush()
    return Example(competition, event, theory, practical, entries)


def as_admin(session: Session) -> None:
    act_as(session, make_user(session, "admin", Role.ADMIN))


def lines_by_bib(view: EventView) -> dict[str, ResultLine]:
    return {line.bib or "": line for group in view.groups for line in group.lines}


def lock_sheets(session: Session, example: Example, state: SheetState = SheetState.LOCKED) -> None:
    for component in (example.theory, example.practical):
        session.add(ScoreSheet(event_id=example.event.id, component_id=component.id, state=state))
    session.flush()


# --- the worked example -----------------------------------------------------------------------


def test_worked_example_matches_the_hand_computed_results(session: Session) -> None:
    as_admin(session)
    example = build_example(session)

    view = compute_results(session, example.event.id)

    lines = lines_by_bib(view)
    expected = {  # bib: (theory, practical, total, rank, award, titles, promotion)
        "HG-001": ("90.00", "90.00", "90.00", 1, "一等奖", ("市技术能手",), SkillLevel.LEVEL_3),
        "HG-002": ("80.00", "92.00", "88.40", 2, "二等奖", ("市技术能手",), None),
        "HG-003": ("94.00", "86.00", "88.40", 3, "二等奖", ("市技术能手",), SkillLevel.LEVEL_3),
        "HG-004": ("70.00", "80.00", "77.00", 4, "三等奖", (), None),
        "HG-005": ("55.00", "70.00", "65.50", 5, "三等奖", (), None),
    }
    assert set(lines) == set(expected)
    for bib, (theory, practical, total, rank, award, titles, promotion) in expected.items():
        line = lines[bib]
        assert line.components == (("理论知识", Decimal(theory)), ("技能操作", Decimal(practical))), bib
        assert (line.total, line.rank, line.shared_rank, line.award) == (Decimal(total), rank, False, award), bib
        assert (line.titles, line.promotion) == (titles, promotion), bib
        assert line.explanation, bib
    assert [line.bib for line in view.groups[0].lines] == list(expected)  # rank order
    # The tie on 88.40 was broken by the practical mark, and the explanation says so.
    assert any("技能操作" in sentence for sentence in lines["HG-002"].explanation)
    # Joined to the people: name, ID number, gender label, unit, region.
    first = lines["HG-001"]
    assert (first.name, first.id_number, first.gender, first.unit, first.region) == (
        "选手A",
        ID_NUMBERS["A"],
        "男",
        "示例机械有限公司",
        "示例市",
    )
    assert view.groups[0].field_size == 5
    assert view.snapshot_id is not None and view.computed_at is not None
    assert not view.stale and not view.official  # no sheet is locked


def test_snapshot_is_stored_audited_and_loaded_back_the_same(session: Session) -> None:
    as_admin(session)
    example = build_example(session)
    computed = compute_results(session, example.event.id)

    snapshot = session.get(ResultSnapshot, computed.snapshot_id)
    assert snapshot is not None and len(snapshot.rows) == 5
    record = session.scalars(select(AuditRecord).where(AuditRecord.action == "results.compute")).one()
    assert (record.entity_id, record.event_id, record.username) == (snapshot.id, example.event.id, "admin")
    assert record.new_value is not None and record.new_value["scores_fingerprint"] == snapshot.scores_fingerprint

    loaded = load_results(session, example.event.id)
    assert loaded is not None
    assert loaded.groups == computed.groups
    assert (loaded.stale, loaded.snapshot_id) == (False, computed.snapshot_id)


def test_results_go_stale_when_a_mark_changes_and_fresh_after_recomputing(session: Session) -> None:
    as_admin(session)
    example = build_example(session)
    assert load_results(session, example.event.id) is None
    compute_results(session, example.event.id)

    score = session.scalars(
        select(Score).where(Score.entry_id == example.entries["E"].id, Score.component_id == example.theory.id)
    ).one()
    score.value = Decimal("56")
    session.flush()

    stale = load_results(session, example.event.id)
    assert stale is not None and stale.stale and not stale.official
    assert lines_by_bib(stale)["HG-005"].total == Decimal("65.50")  # what was computed, flagged stale

    fresh = compute_results(session, example.event.id)
    assert lines_by_bib(fresh)["HG-005"].total == Decimal("65.80")  # 0.3 × 56 + 49
    reloaded = load_results(session, example.event.id)
    assert reloaded is not None and not reloaded.stale


def test_a_withdrawal_also_makes_the_snapshot_stale(session: Session) -> None:
    as_admin(session)
    example = build_example(session)
    compute_results(session, example.event.id)
    example.entries["A"].status = EntryStatus.WITHDRAWN
    session.flush()
    loaded = load_results(session, example.event.id)
    assert loaded is not None and loaded.stale
    line = lines_by_bib(compute_results(session, example.event.id))["HG-001"]
    assert (line.rank, line.award, line.status) == (None, None, EntryStatus.WITHDRAWN.label)


def test_results_are_official_only_when_every_sheet_is_locked(session: Session) -> None:
    as_admin(session)
    example = build_example(session)
    session.add(ScoreSheet(event_id=example.event.id, component_id=example.theory.id, state=SheetState.LOCKED))
    session.add(ScoreSheet(event_id=example.event.id, component_id=example.practical.id, state=SheetState.VERIFIED))
    session.flush()
    assert not compute_results(session, example.event.id).official

    practical = session.scalars(select(ScoreSheet).where(ScoreSheet.component_id == example.practical.id)).one()
    practical.state = SheetState.PUBLISHED
    session.flush()
    assert compute_results(session, example.event.id).official
    loaded = load_results(session, example.event.id)
    assert loaded is not None and loaded.official

    practical.state = SheetState.ENTERING  # unlocked after computing: no longer official
    session.flush()
    loaded = load_results(session, example.event.id)
    assert loaded is not None and not loaded.official


# --- ties -------------------------------------------------------------------------------------


def test_a_tie_decision_is_applied_by_the_next_computation_and_audited(session: Session) -> None:
    as_admin(session)
    # D and E tie on everything (same theory, same practical marks), and the rules forbid shared places.
    marks = dict(MARKS, E=MARKS["D"])
    example = build_example(session, marks)
    rule_set_id = example.event.rule_set_id
    assert rule_set_id is not None
    settings = rule_set_to_dict(load_rule_set(session, rule_set_id))
    settings["ranking"]["shared_places"] = False  # type: ignore[index]
    update_rule_set(session, rule_set_id, settings, reason="并列须裁定")

    undecided = compute_results(session, example.event.id)
    d, e = example.entries["D"].id, example.entries["E"].id
    assert [(t.group, t.context, set(t.entry_ids)) for t in undecided.unresolved_ties] == [("职工组", "rank", {d, e})]

    decision_id = decide_tie(session, example.event.id, "职工组", [e, d], "抽签决定：E 在前")

    record = session.scalars(select(AuditRecord).where(AuditRecord.action == "results.decide_tie")).one()
    assert (record.entity_id, record.reason, record.username) == (decision_id, "抽签决定：E 在前", "admin")
    assert load_results(session, example.event.id).stale  # type: ignore[union-attr]
    decided = compute_results(session, example.event.id)
    assert decided.unresolved_ties == ()
    lines = lines_by_bib(decided)
    assert (lines["HG-005"].rank, lines["HG-004"].rank) == (4, 5)
    assert not lines["HG-005"].shared_rank


def test_a_tie_decision_needs_a_reason_and_entries_of_the_group(session: Session) -> None:
    as_admin(session)
    example = build_example(session)
    ids = [example.entries["D"].id, example.entries["E"].id]
    with pytest.raises(ResultsError, match="理由"):
        decide_tie(session, example.event.id, "职工组", ids, "  ")
    with pytest.raises(ResultsError, match="组别"):
        decide_tie(session, example.event.id, "学生组", ids, "抽签")
    with pytest.raises(ResultsError, match="不属于"):
        decide_tie(session, example.event.id, "职工组", [ids[0], 999_999], "抽签")


# --- permissions ------------------------------------------------------------------------------


def test_a_clerk_of_another_event_may_not_see_or_decide_results(session: Session) -> None:
    as_admin(session)
    example = build_example(session)
    other = Event(competition_id=example.competition.id, name="电工", occupation="电工")
    session.add(other)
    session.flush()
    act_as(session, make_user(session, "clerk_other", Role.CLERK, event_id=other.id))
    with pytest.raises(PermissionDenied, match="查看成绩"):
        compute_results(session, example.event.id)
    with pytest.raises(PermissionDenied):
        load_results(session, example.event.id)
    assert [e.event_id for e in competition_results(session, example.competition.id).events] == [other.id]

    act_as(session, make_user(session, "clerk_here", Role.CLERK, event_id=example.event.id))
    assert compute_results(session, example.event.id).groups  # a clerk of the event may view
    with pytest.raises(PermissionDenied):
        decide_tie(session, example.event.id, "职工组", [example.entries["D"].id, example.entries["E"].id], "抽签")


def test_before_the_reveal_only_those_who_may_reveal_see_named_results(session: Session) -> None:
    as_admin(session)
    example = build_example(session)
    example.event.anonymous_marking = True
    session.flush()
    act_as(session, make_user(session, "clerk_here", Role.CLERK, event_id=example.event.id))
    with pytest.raises(PermissionDenied, match="尚未解密"):
        compute_results(session, example.event.id)
    listed = competition_results(session, example.competition.id).events
    assert [(e.groups, "尚未解密" in e.warnings[0]) for e in listed] == [((), True)]
    act_as(session, make_user(session, "chief_here", Role.CHIEF_JUDGE, event_id=example.event.id))
    assert compute_results(session, example.event.id).groups
    example.event.anon_revealed_at = utcnow()
    session.flush()
    act_as(session, make_user(session, "clerk_after", Role.CLERK, event_id=example.event.id))
    assert compute_results(session, example.event.id).groups


def test_an_event_without_a_rule_set_is_reported_not_computed(session: Session) -> None:
    as_admin(session)
    example = build_example(session)
    example.event.rule_set_id = None
    session.flush()
    session.expire(example.event)
    with pytest.raises(ResultsError, match="没有规则集"):
        compute_results(session, example.event.id)
    view = competition_results(session, example.competition.id)
    assert view.events[0].groups == () and "没有规则集" in view.events[0].warnings[0]


# --- the command line -------------------------------------------------------------------------


def test_cli_json_has_the_documented_shape_with_decimals_as_strings(sqlite_database: Database) -> None:
    with sqlite_database.transaction() as session:  # set-up mode: no accounts, no login
        build_example(session)
    out, err = io.StringIO(), io.StringIO()
    args = argparse.Namespace(db=sqlite_database.engine.url.render_as_string(hide_password=False), user=None,
                              competition="示例赛", json=True, stored=False)  # fmt: skip

    assert run_results_command(args, out=out, err=err) == 0, err.getvalue()

    document = json.loads(out.getvalue())
    assert document["name"] == "2026年示例市职业技能大赛"
    [event] = document["events"]
    [group] = event["groups"]
    assert group["name"] == "职工组"
    first = group["entries"][0]
    for key in ("bib", "name", "id_number", "group", "components", "total", "rank", "award", "titles",
                "promotion", "designations", "explanation"):  # fmt: skip
        assert key in first
    assert first["bib"] == "HG-001" and first["id_number"] == ID_NUMBERS["A"]
    assert first["components"] == {"理论知识": "90.00", "技能操作": "90.00"}
    assert (first["total"], first["rank"], first["award"]) == ("90.00", 1, "一等奖")
    assert (first["titles"], first["promotion"], first["designations"]) == (["市技术能手"], "level_3", [])
    assert all(isinstance(sentence, str) for sentence in first["explanation"]) and first["explanation"]
    assert [e["total"] for e in group["entries"]] == ["90.00", "88.40", "88.40", "77.00", "65.50"]

    # --stored prints the snapshot just stored, without computing again.
    stored = io.StringIO()
    assert run_results_command(argparse.Namespace(**{**vars(args), "stored": True}), out=stored, err=err) == 0
    assert json.loads(stored.getvalue())["events"][0]["groups"] == document["events"][0]["groups"]


def test_cli_table_and_unknown_competition(sqlite_database: Database) -> None:
    with sqlite_database.transaction() as session:
        build_example(session)
    url = sqlite_database.engine.url.render_as_string(hide_password=False)
    out, err = io.StringIO(), io.StringIO()
    args = argparse.Namespace(db=url, user=None, competition="示例赛", json=False, stored=False)
    assert run_results_command(args, out=out, err=err) == 0
    assert "选手A" in out.getvalue() and "一等奖" in out.getvalue() and "88.40" in out.getvalue()

    args.competition = "没有这个赛事"
    assert run_results_command(args, out=io.StringIO(), err=err) == 1
    assert "没有名为" in err.getvalue()
