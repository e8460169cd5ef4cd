"""A score sheet's life: 录入中 → 已复核 → 裁判长签字锁定 → 已公示, and back only with a reason.

Verification is either **double entry** (two people key the same paper sheet; every cell
must agree, and nobody keys both passes of a cell) or **single entry + read-back** (a second
person reads the paper against the screen and confirms each cell; nobody confirms their own
keying). It is chosen per event (:func:`set_double_entry`).

Locking fingerprints the sheet (:func:`fingerprint`): SHA-256 over the marks in a canonical
text form that names each row by what is printed on the paper (检录号 or bib). The printed
裁判评分表 carries the fingerprint, so paper and database can be matched later.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from competition_app.domain.enums import ScoreState, SheetState
from competition_app.domain.marks import format_duration, plain
from competition_app.domain.permissions import Permission
from competition_app.i18n import _
from competition_app.rules.sheet import Cell, Column, Sheet
from competition_app.services import audit
from competition_app.services.auth import Actor, PermissionDenied, require
from competition_app.services.scores import (
    CellRef,
    ScoreError,
    cell_target,
    check_open,
    describe_cell,
    ensure_sheet,
    event_of_component,
    find_score,
    load_sheet,
)
from db.models import Component, Score, ScoreSheet, User
from db.types import utcnow


class SheetStateError(ScoreError):
    """The sheet cannot move to the asked state; the message says what is missing."""


@dataclass(frozen=True, slots=True)
class Difference:
    """A cell where the two keyings disagree (or only one has a value)."""

    row: int
    column: int
    first: Cell | None
    second: Cell | None


@dataclass(frozen=True, slots=True)
class SheetStatus:
    event_id: int
    component_id: int
    component_name: str
    state: SheetState
    double_entry: bool
    expected: int
    """Cells a complete sheet has: required rows × columns."""
    first_pass: int
    second_pass: int
    differences: int
    """Double entry: cells keyed in both passes with different values."""
    unconfirmed: int
    """Single entry: keyed cells nobody has read back yet."""
    verified_by: str | None
    verified_at: datetime | None
    locked_by: str | None
    locked_at: datetime | None
    published_at: datetime | None
    fingerprint: str | None

    @property
    def complete(self) -> bool:
        return self.first_pass >= self.expected

    @property
    def ready_to_verify(self) -> bool:
        if not self.complete:
            return False
        if self.double_entry:
            return self.second_pass >= self.expected and self.differences == 0
        return self.unconfirmed == 0


def _required_cells(sheet: Sheet) -> list[tuple[int, int]]:
    return [
        (row, column) for row, entry in enumerate(sheet.rows) if entry.required for column in range(len(sheet.columns))
    ]


def differences(session: Session, event_id: int, component_id: int) -> tuple[Difference, ...]:
    """Cells where pass 1 and pass 2 differ, or where one pass has a value the other lacks."""
    require(session, Permission.VERIFY_SCORES, event_id=event_id)
    first = load_sheet(session, event_id, component_id, 1)
    second = load_sheet(session, event_id, component_id, 2)
    found = []
    for key in sorted(set(first.cells) | set(second.cells)):
        a, b = first.cells.get(key), second.cells.get(key)
        if a is None or b is None or a.value != b.value:
            found.append(Difference(key[0], key[1], a, b))
    return tuple(found)


def sheet_status(session: Session, event_id: int, component_id: int) -> SheetStatus:
    sheet = load_sheet(session, event_id, component_id, 1)
    record = ensure_sheet(session, event_id, component_id)
    required = _required_cells(sheet)
    first = sum(1 for key in required if key in sheet.cells)
    second = diff = 0
    unconfirmed = 0
    if record.double_entry:
        other = load_sheet(session, event_id, component_id, 2)
        second = sum(1 for key in required if key in other.cells)
        diff = sum(
            1 for key, cell in sheet.cells.items() if key in other.cells and other.cells[key].value != cell.value
        )
    else:
        unconfirmed = sum(1 for cell in sheet.cells.values() if cell.verified_by_id is None)
    names = {user_id: name for user_id, name in session.execute(select(User.id, User.display_name))}
    return SheetStatus(
        event_id,
        component_id,
        sheet.component_name,
        record.state,
        record.double_entry,
        len(required),
        first,
        second,
        diff,
        unconfirmed,
        names.get(record.verified_by_id) if record.verified_by_id else None,
        record.verified_at,
        names.get(record.locked_by_id) if record.locked_by_id else None,
        record.locked_at,
        record.published_at,
        record.fingerprint,
    )


def event_sheets(session: Session, event_id: int) -> tuple[SheetStatus, ...]:
    """The status of every component's sheet in the event, in component order."""
    require(session, Permission.VIEW_SCORES, event_id=event_id)
    ids = session.scalars(select(Component.id).where(Component.event_id == event_id).order_by(Component.sort_order))
    return tuple(sheet_status(session, event_id, component_id) for component_id in ids)


def _record(
    session: Session, event_id: int, component_id: int, *, lock: str | None = None
) -> tuple[ScoreSheet, Component]:
    component = session.get(Component, component_id)
    if component is None or component.event_id != event_id:
        raise ScoreError(_("评分项不存在：{id}").format(id=component_id))
    return ensure_sheet(session, event_id, component_id, lock=lock), component


def _audit_sheet(session: Session, action: str, record: ScoreSheet, component: Component, old: SheetState, *,
                 reason: str | None = None, **extra: object) -> None:  # fmt: skip
    audit.append(
        session,
        action=action,
        entity_type="score_sheet",
        entity_id=record.id,
        competition_id=component.event.competition_id,
        event_id=record.event_id,
        old_value={"state": old.value},
        new_value={"state": record.state.value, "component": component.name, **extra},
        reason=reason,
    )


def set_double_entry(session: Session, event_id: int, double_entry: bool) -> None:
    """Choose the event's verification: double entry, or single entry + read-back (all sheets)."""
    require(session, Permission.LOCK_SHEETS, event_id=event_id)
    for component_id in session.scalars(select(Component.id).where(Component.event_id == event_id)):
        record, component = _record(session, event_id, component_id, lock="update")
        if record.double_entry == double_entry:
            continue
        if record.state is not SheetState.ENTERING:
            raise SheetStateError(_("“{name}”评分表{state}：请先解锁再更改校验方式").format(
                name=component.name, state=record.state.label))  # fmt: skip
        record.double_entry = double_entry
        audit.append(session, action="sheet.verification", entity_type="score_sheet", entity_id=record.id,
                     competition_id=component.event.competition_id, event_id=event_id,
                     old_value={"double_entry": not double_entry},
                     new_value={"double_entry": double_entry, "component": component.name})  # fmt: skip
    session.flush()


def resolve_difference(session: Session, ref: CellRef, text: str, *, reason: str | None = None) -> Cell:
    """Settle a double-entry difference against the paper: both passes get ``text``.

    The one who settles it must not have keyed either pass of the cell; both passes are then
    marked as checked by them (so the cell counts as verified by two people).
    """

    event_id = event_of_component(session, ref.component_id)
    actor = _named(require(session, Permission.VERIFY_SCORES, event_id=event_id))
    target = cell_target(session, ref)
    value = target.column.parse(text)
    sheet = check_open(session, target)
    if not sheet.double_entry:
        raise SheetStateError(_("“{name}”采用单人录入＋回读核对，没有两遍录入的差异").format(
            name=target.component.name))  # fmt: skip
    stored = {pass_no: find_score(session, ref, pass_no) for pass_no in (1, 2)}
    if actor.user_id is not None and any(
        score is not None and score.entered_by_id == actor.user_id for score in stored.values()
    ):
        raise PermissionDenied(
            _("{cell}：您录入过这一格，不能由您裁定差异，请由另一人对照原始评分表处理").format(
                cell=describe_cell(target, ref)
            )
        )
    old: dict[str, str | None] = {}
    now = utcnow()
    result: Score | None = None
    for pass_no, found in stored.items():
        old[f"pass{pass_no}"] = None if found is None else plain(found.value)
        score = found
        if score is None:
            score = Score(entry_id=ref.entry_id, team_id=ref.team_id, component_id=ref.component_id,
                          judge_id=target.column.judge_id, aspect_id=ref.aspect_id, seat=ref.seat, pass_no=pass_no,
                          value=value, entered_by_id=actor.user_id, entered_at=now)  # fmt: skip
            session.add(score)
        elif score.value != value:
            score.value = value
            score.entered_by_id = actor.user_id
            score.entered_at = now
        score.verified_by_id = actor.user_id
        score.verified_at = now
        if pass_no == 1:
            result = score
    session.flush()
    assert result is not None
    audit.append(session, action="score.resolve", entity_type="score", entity_id=result.id,
                 competition_id=target.event.competition_id, event_id=event_id, person_id=target.person_id,
                 old_value=old, new_value={"value": plain(value), "cell": describe_cell(target, ref)},
                 reason=reason)  # fmt: skip
    return Cell(result.id, result.value, result.version, result.entered_by_id, actor.display_name,
                result.entered_at, result.verified_by_id, actor.display_name)  # fmt: skip


def confirm_readback(session: Session, event_id: int, component_id: int, score_ids: Iterable[int]) -> int:
    """Single entry: the reader confirms these cells match the paper. Returns how many.

    Refuses (``PermissionDenied``) any cell the reader keyed themselves.
    """
    actor = _named(require(session, Permission.VERIFY_SCORES, event_id=event_id))
    record, component = _record(session, event_id, component_id, lock="share")
    if record.state is not SheetState.ENTERING:
        raise SheetStateError(_("“{name}”评分表{state}").format(name=component.name, state=record.state.label))
    scores = session.scalars(
        select(Score).where(Score.id.in_(list(score_ids)), Score.component_id == component_id, Score.pass_no == 1)
    ).all()
    if actor.user_id is not None and any(score.entered_by_id == actor.user_id for score in scores):
        raise PermissionDenied(_("不能复核自己录入的成绩：请由另一人回读核对"))
    now = utcnow()
    count = 0
    for score in scores:
        if score.verified_by_id is None:
            score.verified_by_id = actor.user_id
            score.verified_at = now
            count += 1
    session.flush()
    if count:
        audit.append(session, action="score.readback", entity_type="score_sheet", entity_id=record.id,
                     competition_id=component.event.competition_id, event_id=event_id,
                     new_value={"component": component.name, "confirmed": count,
                                "score_ids": sorted(score.id for score in scores)})  # fmt: skip
    return count


def verify_sheet(session: Session, event_id: int, component_id: int) -> SheetStatus:
    """录入中 → 已复核, once the sheet is complete and checked by the chosen method."""
    actor = _named(require(session, Permission.VERIFY_SCORES, event_id=event_id))
    record, component = _record(session, event_id, component_id, lock="update")
    if record.state is not SheetState.ENTERING:
        raise SheetStateError(
            _("“{name}”评分表{state}，不能再复核").format(name=component.name, state=record.state.label)
        )
    status = sheet_status(session, event_id, component_id)
    if not status.complete:
        raise SheetStateError(_("“{name}”还有 {count} 个成绩未录入").format(
            name=component.name, count=status.expected - status.first_pass))  # fmt: skip
    if record.double_entry:
        if status.second_pass < status.expected:
            raise SheetStateError(_("“{name}”第二遍还有 {count} 个成绩未录入").format(
                name=component.name, count=status.expected - status.second_pass))  # fmt: skip
        if status.differences:
            raise SheetStateError(_("“{name}”两遍录入有 {count} 处不一致，请先逐一核对解决").format(
                name=component.name, count=status.differences))  # fmt: skip
        first, second = load_sheet(session, event_id, component_id, 1), load_sheet(session, event_id, component_id, 2)
        if any(
            cell.entered_by_id is not None
            and cell.entered_by_id == second.cells[key].entered_by_id
            and (cell.verified_by_id is None or second.cells[key].verified_by_id is None)
            for key, cell in first.cells.items()
            if key in second.cells
        ):
            raise SheetStateError(_("“{name}”有成绩两遍都由同一人录入，不构成双人录入").format(name=component.name))
    elif status.unconfirmed:
        raise SheetStateError(_("“{name}”还有 {count} 个成绩未经回读核对").format(
            name=component.name, count=status.unconfirmed))  # fmt: skip
    old = record.state
    record.state = SheetState.VERIFIED
    record.verified_by_id = actor.user_id
    record.verified_at = utcnow()
    session.execute(
        update(Score).where(Score.component_id == component_id).values(state=ScoreState.VERIFIED),
        execution_options={"synchronize_session": False},
    )
    session.flush()
    _audit_sheet(session, "sheet.verify", record, component, old)
    return sheet_status(session, event_id, component_id)


def lock_sheet(session: Session, event_id: int, component_id: int) -> str:
    """已复核 → 裁判长签字锁定: the sheet becomes read-only; returns its fingerprint."""
    actor = _named(require(session, Permission.LOCK_SHEETS, event_id=event_id))
    record, component = _record(session, event_id, component_id, lock="update")
    if record.state is not SheetState.VERIFIED:
        raise SheetStateError(_("“{name}”评分表{state}：须先复核才能签字锁定").format(
            name=component.name, state=record.state.label))  # fmt: skip
    old = record.state
    record.fingerprint = fingerprint(session, event_id, component_id)
    record.state = SheetState.LOCKED
    record.locked_by_id = actor.user_id
    record.locked_at = utcnow()
    session.execute(
        update(Score).where(Score.component_id == component_id).values(state=ScoreState.LOCKED),
        execution_options={"synchronize_session": False},
    )
    session.flush()
    _audit_sheet(session, "sheet.lock", record, component, old, fingerprint=record.fingerprint)
    return record.fingerprint


def unlock_sheet(session: Session, event_id: int, component_id: int, reason: str) -> None:
    """Back to 录入中 from 已复核, 锁定 or 已公示: 裁判长 or 管理员, with a reason."""
    _named(require(session, Permission.LOCK_SHEETS, event_id=event_id))
    if not reason or not reason.strip():
        raise SheetStateError(_("解锁必须填写原因"))
    record, component = _record(session, event_id, component_id, lock="update")
    if record.state is SheetState.ENTERING:
        raise SheetStateError(_("“{name}”评分表已在录入中").format(name=component.name))
    old = record.state
    record.state = SheetState.ENTERING
    record.published_at = None
    session.execute(
        update(Score).where(Score.component_id == component_id).values(state=ScoreState.ENTERED),
        execution_options={"synchronize_session": False},
    )
    session.flush()
    _audit_sheet(session, "sheet.unlock", record, component, old, reason=reason.strip(), fingerprint=record.fingerprint)


def publish_sheet(session: Session, event_id: int, component_id: int) -> None:
    """裁判长签字锁定 → 已公示."""
    _named(require(session, Permission.PUBLISH, event_id=event_id))
    record, component = _record(session, event_id, component_id, lock="update")
    if record.state is not SheetState.LOCKED:
        raise SheetStateError(_("“{name}”评分表{state}：须先签字锁定才能公示").format(
            name=component.name, state=record.state.label))  # fmt: skip
    if record.fingerprint != fingerprint(session, event_id, component_id):
        raise SheetStateError(_("“{name}”锁定后的成绩与签字时的指纹不符：数据可能被改动，请裁判长核查").format(
            name=component.name))  # fmt: skip
    old = record.state
    record.state = SheetState.PUBLISHED
    record.published_at = utcnow()
    session.flush()
    _audit_sheet(session, "sheet.publish", record, component, old)


# --- fingerprint ----------------------------------------------------------------------------


def canonical_lines(sheet: Sheet) -> list[str]:
    """The sheet as text lines, one per mark, in a fixed order: what the fingerprint hashes.

    ``赛事|赛项|评分项`` first, then ``code|column|value`` per cell of pass 1 (and
    ``code|time|m:ss`` for a timed practical), sorted (the sheet's row order follows what the
    marker sees, which changes at 解密). Rows are named by the code
    on the paper (检录号 for anonymous marking, also after 解密; else the bib) and columns by
    seat or aspect code, never by translated labels or judges' names, so the fingerprint
    changes only when a mark (or time) does.
    """
    lines = []
    for row_index, row in enumerate(sheet.rows):
        code = row.paper_code or row.code
        for column_index, column in enumerate(sheet.columns):
            cell = sheet.cells.get((row_index, column_index))
            if cell is not None:
                lines.append(f"{code}|{_column_key(column)}|{plain(cell.value)}")
        if sheet.has_time and row.practical_seconds is not None:
            lines.append(f"{code}|time|{format_duration(row.practical_seconds)}")
    return [f"{sheet.competition_name}|{sheet.event_name}|{sheet.component_name}", *sorted(lines)]


def _column_key(column: Column) -> str:
    if column.aspect_id is None:
        return f"S{column.seat}"
    kind = f"J{column.seat}" if column.judgement else "M"
    return f"{column.aspect_code or column.aspect_id}|{kind}"


def fingerprint(session: Session, event_id: int, component_id: int) -> str:
    """SHA-256 (hex) of the sheet's canonical lines, as they are in the database now."""
    sheet = load_sheet(session, event_id, component_id, 1)
    digest = hashlib.sha256("\n".join(canonical_lines(sheet)).encode("utf-8"))
    return digest.hexdigest()


def check_fingerprint(session: Session, event_id: int, component_id: int) -> tuple[str | None, str]:
    """(fingerprint recorded at locking, fingerprint of the data now)."""
    record, _component = _record(session, event_id, component_id)
    return record.fingerprint, fingerprint(session, event_id, component_id)


def _named(actor: Actor) -> Actor:
    """Checking and signing are what make a sheet trustworthy: they need a named account.

    In set-up mode (no accounts yet) nobody is named, so nobody could be kept from checking
    their own keying; the sheet stays 录入中 until accounts exist.
    """
    if actor.user_id is None:
        raise PermissionDenied(_("复核、签字与解锁须由实名账户操作：请先在“文件 → 用户与权限”中设置账户并登录"))
    return actor
