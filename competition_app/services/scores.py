"""Score entry: load a component's sheet, and key one cell at a time, each with its audit record.

The caller commits after every accepted cell (the entry grid opens one transaction per cell);
nothing here batches marks up. A cell that someone else changed since it was shown raises
``ScoreConflict`` instead of overwriting: the expected version travels with every edit, the
``scores.version`` column checks it, and the unique cell index catches two first entries.

Who may key what is checked here, not in the grid: the session's actor needs 录入成绩 for the
event; a 裁判员 who is linked to a judge keys only their own seat; pass 2 of a double-entry
sheet must be keyed by somebody other than pass 1; a sheet that is not 录入中 is read-only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, false, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from competition_app.domain.enums import EntryStatus, PanelMethod, Role, ScoreState, SheetState
from competition_app.domain.marks import MarkError, format_duration, parse_duration, plain
from competition_app.domain.permissions import Permission, Place
from competition_app.i18n import _
from competition_app.rules.sheet import Cell, Column, Row, Sheet
from competition_app.services import audit
from competition_app.services.auth import Actor, PermissionDenied, current_actor, require
from db.models import (
    Component,
    Entry,
    Event,
    EventGroup,
    Judge,
    JudgeAssignment,
    MarkingAspect,
    Person,
    Score,
    ScoreSheet,
    Team,
    User,
)
from db.types import utcnow


class ScoreError(ValueError):
    """A mark that cannot be stored as asked; the message is Chinese and names the cell."""


class SheetClosed(ScoreError):
    """The sheet is not 录入中 (verified, locked or published): it is read-only."""


class ScoreConflict(ScoreError):
    """Somebody else changed the cell since it was shown; ``current`` is what is there now."""

    def __init__(self, message: str, current: Cell | None) -> None:
        super().__init__(message)
        self.current = current


@dataclass(frozen=True, slots=True)
class CellRef:
    """One cell of one keying: who × what × which seat × which pass."""

    component_id: int
    entry_id: int | None
    team_id: int | None
    aspect_id: int | None
    seat: int
    pass_no: int = 1


# --- loading ------------------------------------------------------------------------------


def ensure_sheet(session: Session, event_id: int, component_id: int, *, lock: str | None = None) -> ScoreSheet:
    """The component's ``score_sheets`` row, created (录入中) on first use.

    A new sheet takes the event's verification method from its other sheets (double entry if
    none has been chosen yet). ``lock`` ("share" or "update") locks the row on PostgreSQL for
    the rest of the transaction and re-reads it: keying takes a share lock and a state change
    an update lock, so a cell cannot be written while its sheet is being locked (SQLite
    serialises writers anyway).
    """
    query = select(ScoreSheet).where(ScoreSheet.component_id == component_id)
    if lock is not None:
        query = query.with_for_update(read=lock == "share").execution_options(populate_existing=True)
    sheet = session.scalar(query)
    if sheet is not None:
        return sheet
    sibling = session.scalar(select(ScoreSheet.double_entry).where(ScoreSheet.event_id == event_id).limit(1))
    sheet = ScoreSheet(event_id=event_id, component_id=component_id, double_entry=True if sibling is None else sibling)
    try:
        with session.begin_nested():
            session.add(sheet)
    except IntegrityError:  # another client created it a moment ago
        existing = session.scalar(query)
        assert existing is not None
        return existing
    return sheet


def _component(session: Session, event_id: int, component_id: int) -> Component:
    component = session.get(Component, component_id)
    if component is None or component.event_id != event_id:
        raise ScoreError(_("评分项不存在：{id}").format(id=component_id))
    return component


def sheet_columns(session: Session, component: Component) -> tuple[Column, ...]:
    """The columns of a component's sheet: seats 1..n, or aspects (judgement aspects × seats)."""
    judges = {
        seat: (judge_id, name)
        for seat, judge_id, name in session.execute(
            select(JudgeAssignment.seat, Judge.id, Judge.name)
            .join(Judge, Judge.id == JudgeAssignment.judge_id)
            .where(JudgeAssignment.component_id == component.id, JudgeAssignment.seat.is_not(None))
        )
    }
    if component.panel_method is not PanelMethod.WORLDSKILLS:
        if component.panel_size == 1:
            judge_id, name = judges.get(1, (None, None))
            return (Column(None, 1, _("分数"), component.max_score, component.decimals, False, judge_id, name),)
        columns = []
        for seat in range(1, component.panel_size + 1):
            judge_id, name = judges.get(seat, (None, None))
            label = _("{seat}号裁判").format(seat=seat) + (f" {name}" if name else "")
            columns.append(Column(None, seat, label, component.max_score, component.decimals, False, judge_id, name))
        return tuple(columns)
    seats = component.panel_size if component.panel_size > 1 else 3
    columns = []
    aspects = session.scalars(
        select(MarkingAspect).where(MarkingAspect.component_id == component.id).order_by(MarkingAspect.sort_order)
    )
    numbers: dict[str, int] = {}
    for aspect in aspects:
        numbers[aspect.sub_criterion_code] = numbers.get(aspect.sub_criterion_code, 0) + 1
        code = f"{aspect.sub_criterion_code}.{numbers[aspect.sub_criterion_code]}"
        if aspect.aspect_type.value == "M":
            columns.append(
                Column(aspect.id, 1, f"{code} M", aspect.max_mark, 2, False, criterion=aspect.criterion_code,
                       aspect_code=code)
            )  # fmt: skip
            continue
        for seat in range(1, seats + 1):
            judge_id, name = judges.get(seat, (None, None))
            columns.append(
                Column(aspect.id, seat, f"{code} J{seat}", Decimal(3), 0, True, judge_id, name,
                       criterion=aspect.criterion_code, aspect_code=code, aspect_max=aspect.max_mark)
            )  # fmt: skip
    return tuple(columns)


def sheet_rows(session: Session, event: Event, component: Component) -> tuple[Row, ...]:
    """Entries (or teams, for a team-scored component) in the order of what the marker sees."""
    hidden = event.anonymous_marking and event.anon_revealed_at is None
    rows: list[Row] = []
    if component.team_scored:
        for team, group in session.execute(
            select(Team, EventGroup.name)
            .join(EventGroup, EventGroup.id == Team.group_id)
            .where(Team.event_id == event.id)
        ):
            code = (team.anon_code if hidden else team.bib) or ("—" if hidden else team.name)
            paper = (team.anon_code if event.anonymous_marking else team.bib) or f"#T{team.id}"
            rows.append(Row(None, team.id, code, group, EntryStatus.REGISTERED, None if hidden else team.name,
                            paper_code=paper))  # fmt: skip
    else:
        for entry, group, name in session.execute(
            select(Entry, EventGroup.name, Person.name)
            .join(EventGroup, EventGroup.id == Entry.group_id)
            .join(Person, Person.id == Entry.person_id)
            .where(Entry.event_id == event.id)
        ):
            code = (entry.anon_code if hidden else entry.bib) or "—"
            paper = (entry.anon_code if event.anonymous_marking else entry.bib) or f"#{entry.id}"
            rows.append(
                Row(entry.id, None, code, group, entry.status, None if hidden else name,
                    None if hidden else entry.person_id, entry.practical_seconds, paper)
            )  # fmt: skip
    return tuple(sorted(rows, key=lambda row: (row.code == "—", _natural(row.code), row.entry_id or row.team_id or 0)))


def _natural(text: str) -> tuple[Any, ...]:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def load_sheet(session: Session, event_id: int, component_id: int, pass_no: int = 1) -> Sheet:
    """The sheet of one component as keyed in ``pass_no`` (pass 2 shows only pass 2: it is blind)."""
    require(session, Permission.VIEW_SCORES, event_id=event_id)
    event = session.get(Event, event_id)
    if event is None:
        raise ScoreError(_("赛项不存在：{id}").format(id=event_id))
    component = _component(session, event_id, component_id)
    record = ensure_sheet(session, event_id, component_id)
    if pass_no == 2 and not record.double_entry:
        raise ScoreError(_("“{name}”采用单人录入＋回读核对，没有第二遍录入").format(name=component.name))
    columns = sheet_columns(session, component)
    rows = sheet_rows(session, event, component)
    row_of = {(row.entry_id, row.team_id): index for index, row in enumerate(rows)}
    column_of = {column.key: index for index, column in enumerate(columns)}
    keyer, checker = aliased(User), aliased(User)
    cells: dict[tuple[int, int], Cell] = {}
    for score, entered_by, verified_by in session.execute(
        select(Score, keyer.display_name, checker.display_name)
        .outerjoin(keyer, keyer.id == Score.entered_by_id)
        .outerjoin(checker, checker.id == Score.verified_by_id)
        .where(Score.component_id == component_id, Score.pass_no == pass_no)
    ):
        row = row_of.get((score.entry_id, score.team_id))
        column = column_of.get((score.aspect_id, score.seat))
        if row is None or column is None:
            continue
        cells[(row, column)] = _cell(score, entered_by, verified_by)
    return Sheet(
        event_id=event.id,
        event_name=event.name,
        competition_name=event.competition.name,
        component_id=component.id,
        component_name=component.name,
        kind=component.kind,
        method=component.panel_method,
        panel_size=component.panel_size,
        max_score=component.max_score,
        spread_threshold=component.spread_threshold,
        time_limit_minutes=component.time_limit_minutes,
        anonymous=event.anonymous_marking and event.anon_revealed_at is None,
        state=record.state,
        double_entry=record.double_entry,
        pass_no=pass_no,
        columns=columns,
        rows=rows,
        cells=cells,
        fingerprint=record.fingerprint,
    )


def _cell(score: Score, entered_by: str | None = None, verified_by: str | None = None) -> Cell:
    return Cell(
        score.id,
        score.value,
        score.version,
        score.entered_by_id,
        entered_by,
        score.entered_at,
        score.verified_by_id,
        verified_by,
    )


# --- keying ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CellTarget:
    event: Event
    component: Component
    column: Column
    person_id: int | None
    code: str
    """The row as the marker sees it (检录号 while marking is anonymous, else the bib)."""


def _require_at(session: Session, permission: Permission, event: Event) -> Actor:
    """``require`` for an event already loaded (no query on the path that is allowed)."""
    actor = current_actor(session)
    if actor.can(permission, Place(event.competition_id, event.id)):
        return actor
    return require(session, permission, event_id=event.id)  # raises, naming who, what and where


def _target(session: Session, ref: CellRef, permission: Permission | None) -> tuple[Actor | None, CellTarget]:
    """The cell's component, event and row in one query, the permission, then the column."""
    if (ref.entry_id is None) == (ref.team_id is None):
        raise ScoreError(_("成绩必须属于一名选手或一个团队"))
    found = session.execute(
        select(Component, Event, Entry, Team)
        .join(Event, Event.id == Component.event_id)
        .outerjoin(Entry, Entry.id == ref.entry_id if ref.entry_id is not None else false())
        .outerjoin(Team, Team.id == ref.team_id if ref.team_id is not None else false())
        .where(Component.id == ref.component_id)
    ).one_or_none()
    if found is None:
        raise ScoreError(_("评分项不存在：{id}").format(id=ref.component_id))
    component, event, entry, team = found
    actor = _require_at(session, permission, event) if permission is not None else None
    hidden = event.anonymous_marking and event.anon_revealed_at is None
    person_id: int | None = None
    if ref.entry_id is not None:
        if entry is None or entry.event_id != event.id:
            raise ScoreError(_("选手不在本赛项：{id}").format(id=ref.entry_id))
        code = (entry.anon_code if hidden else entry.bib) or f"#{entry.id}"
        if entry.status is EntryStatus.WITHDRAWN:
            raise ScoreError(_("{code} 已退赛，不能录入成绩").format(code=code))
        person_id = entry.person_id
    else:
        if team is None or team.event_id != event.id:
            raise ScoreError(_("团队不在本赛项：{id}").format(id=ref.team_id))
        code = (team.anon_code if hidden else team.bib) or (f"#T{team.id}" if hidden else team.name)
    if ref.pass_no not in (1, 2):
        raise ScoreError(_("录入遍数只能是 1 或 2：{pass_no}").format(pass_no=ref.pass_no))
    column = _column(session, component, ref)
    return actor, CellTarget(event, component, column, person_id, code)


def cell_target(session: Session, ref: CellRef) -> CellTarget:
    """What ``ref`` points at (no permission check): raises ``ScoreError`` if it is no cell."""
    return _target(session, ref, None)[1]


def _column(session: Session, component: Component, ref: CellRef) -> Column:
    for column in sheet_columns(session, component):
        if column.key == (ref.aspect_id, ref.seat):
            return column
    raise ScoreError(_("“{component}”没有这一列（评分细则 {aspect}，席位 {seat}）").format(
        component=component.name, aspect=ref.aspect_id or "—", seat=ref.seat))  # fmt: skip


def describe_cell(target: CellTarget, ref: CellRef) -> str:
    text = _("{code} · {component} · {column}").format(
        code=target.code, component=target.component.name, column=target.column.label
    )
    if ref.pass_no == 2:
        text += _("（第二遍）")
    return text


def check_open(session: Session, target: CellTarget) -> ScoreSheet:
    """The cell's sheet, share-locked for this transaction; ``SheetClosed`` unless 录入中."""
    sheet = ensure_sheet(session, target.event.id, target.component.id, lock="share")
    if sheet.state is not SheetState.ENTERING:
        raise SheetClosed(
            _("“{component}”评分表{state}，不能修改；如需更正，请裁判长解锁并说明原因").format(
                component=target.component.name, state=sheet.state.label
            )
        )
    return sheet


def _check_seat(session: Session, actor: Actor, target: CellTarget, ref: CellRef) -> None:
    """A 裁判员 linked to a judge keys only the seats they sit in (clerks key from paper).

    A 裁判员 account not linked to any judge of the competition keys like a clerk. A linked
    judge keys their own seat's column; on a WorldSkills sheet also the measurement aspects
    (seat 1 columns that belong to no judge) once they sit on the panel at all.
    """
    if actor.user_id is None:
        return
    roles = {grant.role for grant in actor.grants if grant.covers(target.event.competition_id, target.event.id)}
    if Role.JUDGE not in roles or roles & {Role.ADMIN, Role.CHIEF_JUDGE, Role.CLERK}:
        return
    linked = session.execute(
        select(Judge.id, JudgeAssignment.seat)
        .outerjoin(
            JudgeAssignment,
            and_(JudgeAssignment.judge_id == Judge.id, JudgeAssignment.component_id == target.component.id),
        )
        .where(Judge.user_id == actor.user_id, Judge.competition_id == target.event.competition_id)
    ).all()
    if not linked:
        return
    seats = {seat for _judge, seat in linked if seat is not None}
    if not seats:
        raise PermissionDenied(
            _("{who}没有“{component}”的裁判席位，不能录入该评分项").format(
                who=actor.describe, component=target.component.name
            )
        )
    measurement = target.component.panel_method is PanelMethod.WORLDSKILLS and not target.column.judgement
    if not measurement and ref.seat not in seats:
        raise PermissionDenied(
            _("{who}只能录入自己席位（{seats}号）的评分").format(
                who=actor.describe, seats="、".join(str(seat) for seat in sorted(seats))
            )
        )


def _cell_filter(ref: CellRef) -> tuple[Any, ...]:
    return (
        Score.component_id == ref.component_id,
        Score.entry_id.is_(None) if ref.entry_id is None else Score.entry_id == ref.entry_id,
        Score.team_id.is_(None) if ref.team_id is None else Score.team_id == ref.team_id,
        Score.aspect_id.is_(None) if ref.aspect_id is None else Score.aspect_id == ref.aspect_id,
        Score.seat == ref.seat,
    )


def find_score(session: Session, ref: CellRef, pass_no: int | None = None) -> Score | None:
    """The stored mark of the cell in ``pass_no`` (default: the ref's pass), or None."""
    return session.scalar(select(Score).where(*_cell_filter(ref), Score.pass_no == (pass_no or ref.pass_no)))


def _both_passes(session: Session, ref: CellRef) -> dict[int, Score]:
    """The cell's marks of pass 1 and 2 (one query)."""
    return {score.pass_no: score for score in session.scalars(select(Score).where(*_cell_filter(ref)))}


def _name_of(session: Session, actor: Actor, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    if user_id == actor.user_id:
        return actor.display_name
    return session.scalar(select(User.display_name).where(User.id == user_id))


def _conflict(session: Session, ref: CellRef, target: CellTarget) -> ScoreConflict:
    """What is in the cell now (re-read from the database), as a ``ScoreConflict``."""
    current = session.scalar(
        select(Score).where(*_cell_filter(ref), Score.pass_no == ref.pass_no).execution_options(populate_existing=True)
    )
    if current is None:
        message = _("{cell}：该成绩已被他人删除，请重新查看后再录入").format(cell=describe_cell(target, ref))
        return ScoreConflict(message, None)
    who = session.scalar(select(User.display_name).where(User.id == current.entered_by_id)) or _("他人")
    message = _("{cell}：{who}刚刚录入了 {value}，与您看到的不同；未覆盖，请核对后再改").format(
        cell=describe_cell(target, ref), who=who, value=plain(current.value)
    )
    return ScoreConflict(message, _cell(current, who))


def _check_hands(actor: Actor, target: CellTarget, ref: CellRef, sheet: ScoreSheet, other: Score | None) -> None:
    """Double entry: the two passes of a cell are keyed by two different people."""
    if ref.pass_no == 2 and not sheet.double_entry:
        raise ScoreError(_("“{name}”采用单人录入＋回读核对，没有第二遍录入").format(name=target.component.name))
    if not sheet.double_entry or other is None or actor.user_id is None or other.entered_by_id != actor.user_id:
        return
    if ref.pass_no == 2:
        message = _("{cell}：第一遍是您录入的，第二遍必须由另一人录入")
    else:
        message = _("{cell}：第二遍是您录入的，第一遍必须由另一人录入")
    raise PermissionDenied(message.format(cell=describe_cell(target, ref)))


def enter_score(session: Session, ref: CellRef, text: str, *, expected_version: int | None) -> Cell:
    """Validate ``text`` for the cell and store it with its audit record (the caller commits).

    ``expected_version`` is the version of the cell as the user saw it (None: it was empty).
    Keying the value the cell already holds changes nothing and returns the cell as stored.
    Raises ``MarkError`` for an impossible value, ``SheetClosed``, ``PermissionDenied``,
    ``ScoreConflict`` when the cell changed meanwhile, ``ScoreError`` for anything else.
    """
    actor, target = _target(session, ref, Permission.ENTER_SCORES)
    assert actor is not None
    value = target.column.parse(text)
    sheet = check_open(session, target)
    _check_seat(session, actor, target, ref)
    stored = _both_passes(session, ref)
    _check_hands(actor, target, ref, sheet, stored.get(3 - ref.pass_no))
    score = stored.get(ref.pass_no)
    if score is not None and score.value == value:
        return _cell(score, _name_of(session, actor, score.entered_by_id))
    if (score.version if score is not None else None) != expected_version:
        raise _conflict(session, ref, target)
    now = utcnow()
    if score is None:
        score = Score(
            entry_id=ref.entry_id,
            team_id=ref.team_id,
            component_id=ref.component_id,
            judge_id=target.column.judge_id,
            aspect_id=ref.aspect_id,
            seat=ref.seat,
            pass_no=ref.pass_no,
            value=value,
            state=ScoreState.ENTERED,
            entered_by_id=actor.user_id,
            entered_at=now,
        )
        try:
            with session.begin_nested():
                session.add(score)
        except IntegrityError:  # another client keyed the empty cell first
            raise _conflict(session, ref, target) from None
        old = None
    else:
        old = {"value": plain(score.value), "by": score.entered_by_id}
        try:
            # Changed inside the savepoint, so a lost race (StaleDataError) rolls back only it.
            with session.begin_nested():
                score.value = value
                score.entered_by_id = actor.user_id
                score.entered_at = now
                score.judge_id = target.column.judge_id
                score.verified_by_id = None
                score.verified_at = None
        except StaleDataError:
            raise _conflict(session, ref, target) from None
    audit.append(
        session,
        action="score.enter" if old is None else "score.change",
        entity_type="score",
        entity_id=score.id,
        competition_id=target.event.competition_id,
        event_id=target.event.id,
        person_id=target.person_id,
        old_value=old,
        new_value={"value": plain(value), "cell": describe_cell(target, ref), "pass": ref.pass_no},
    )
    return _cell(score, actor.display_name)


def clear_score(session: Session, ref: CellRef, *, expected_version: int, reason: str | None = None) -> None:
    """Delete a mark keyed in the wrong cell (the audit record keeps what it was)."""
    actor, target = _target(session, ref, Permission.ENTER_SCORES)
    assert actor is not None
    check_open(session, target)
    _check_seat(session, actor, target, ref)
    score = find_score(session, ref)
    if score is None or score.version != expected_version:
        raise _conflict(session, ref, target)
    old = {"value": plain(score.value), "by": score.entered_by_id, "cell": describe_cell(target, ref),
           "pass": ref.pass_no}  # fmt: skip
    score_id = score.id
    try:
        with session.begin_nested():
            session.delete(score)
    except StaleDataError:
        raise _conflict(session, ref, target) from None
    audit.append(session, action="score.clear", entity_type="score", entity_id=score_id,
                 competition_id=target.event.competition_id, event_id=target.event.id, person_id=target.person_id,
                 old_value=old, reason=reason)  # fmt: skip


def set_practical_time(session: Session, component_id: int, entry_id: int, text: str) -> Decimal | None:
    """实操用时 of one entry, typed on the practical sheet ("85:30"); empty text clears it."""
    event_id = event_of_component(session, component_id)
    require(session, Permission.ENTER_SCORES, event_id=event_id)
    component = _component(session, event_id, component_id)
    sheet = ensure_sheet(session, event_id, component_id, lock="share")
    if sheet.state is not SheetState.ENTERING:
        raise SheetClosed(_("“{component}”评分表{state}，不能修改用时").format(
            component=component.name, state=sheet.state.label))  # fmt: skip
    entry = session.get(Entry, entry_id)
    if entry is None or entry.event_id != event_id:
        raise ScoreError(_("选手不在本赛项：{id}").format(id=entry_id))
    if entry.status is EntryStatus.WITHDRAWN:
        raise ScoreError(_("该选手已退赛，不能录入用时"))
    seconds = parse_duration(text) if text.strip() else None
    if seconds is not None and seconds <= 0:
        raise MarkError(_("用时必须大于 0"))
    old = entry.practical_seconds
    if old == seconds:
        return seconds
    entry.practical_seconds = seconds
    session.flush()
    audit.append(session, action="entry.time", entity_type="entry", entity_id=entry.id,
                 competition_id=component.event.competition_id, event_id=event_id, person_id=entry.person_id,
                 old_value={"practical_seconds": None if old is None else format_duration(old)},
                 new_value={"practical_seconds": None if seconds is None else format_duration(seconds)})  # fmt: skip
    return seconds


def event_of_component(session: Session, component_id: int) -> int:
    """The event a component belongs to (``ScoreError`` if there is no such component)."""
    event_id = session.scalar(select(Component.event_id).where(Component.id == component_id))
    if event_id is None:
        raise ScoreError(_("评分项不存在：{id}").format(id=component_id))
    return event_id
