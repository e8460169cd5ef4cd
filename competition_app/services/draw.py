"""抽签: stations (工位号) and anonymous codes (检录号), drawn reproducibly and audited.

The algorithm, so that anyone can recompute a draw from its recorded seed alone:

1. The units drawn for are the event's entries that take part (status neither 已退赛 nor
   取消资格), or, for a team event, the event's teams with at least one such member. They are
   keyed ``"<entry id>"`` (individual events) or ``"team:<team id>"`` (team events) and sorted by
   that id, ascending.
2. The seed string is encoded as UTF-8 and hashed with SHA-256; the digest, read as a big-endian
   integer, seeds Python's ``random.Random`` (Mersenne Twister; integer seeding, ``shuffle`` and
   ``sample`` have given the same sequences in every CPython 3 release).
3. Stations: the list ``1 … n`` is shuffled with ``Random.shuffle``; the k-th unit gets the k-th
   value, zero-padded to at least two digits ("01" … "n").
   Anonymous codes: ``Random.sample(range(1000, 10000), n)`` draws n distinct four-digit numbers;
   the k-th unit gets the k-th. Four random digits, unlike 1 … n, reveal neither the field size
   nor anything about the order of registration, and cannot be mistaken for a bib or station.
4. A seed not given is made with :mod:`secrets` (16 hex digits) and recorded with the result.

Every draw is a :class:`~db.models.Draw` row and an audit record. Drawing the same kind again for
an event is a redraw: it needs a reason, and the old and new mappings go into the audit log.

Anonymity: judges see only codes (:func:`anonymous_view`) until the chief judge reveals the event
(:func:`reveal`, 解密) after marking; only then does :func:`decrypted_mapping` link codes to people.

Permissions: drawing, reading a draw and printing the draw sheet need 抽签 (DRAW) for the event;
the anonymous view needs 查看成绩 or 报名与裁判管理; revealing and the decrypted mapping need
解密检录号 (REVEAL). ``username`` names the author in the audit log only when nobody is logged in.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from competition_app.domain.enums import DrawKind, EntryStatus, EventKind
from competition_app.domain.permissions import Permission
from competition_app.i18n import _
from competition_app.services import audit
from competition_app.services.auth import audit_who, current_actor, require, require_any
from db.models import Draw, Entry, Event, EventGroup, Person, Team, Unit, User
from db.types import utcnow

NOT_TAKING_PART = (EntryStatus.WITHDRAWN, EntryStatus.DISQUALIFIED)
ANON_CODE_RANGE = range(1000, 10000)
MAX_SEED_LENGTH = 64
TEAM_KEY_PREFIX = "team:"


class DrawError(ValueError):
    """A draw, redraw or reveal that is not allowed; the message (Chinese) says why."""


class AnonymityError(DrawError):
    """The code ↔ person mapping was asked for before the chief judge revealed it."""


@dataclass(frozen=True, slots=True)
class DrawnValue:
    """One unit's drawn value: an entry's, or a team's in a team event."""

    key: str  # "<entry id>" or "team:<team id>", as stored in Draw.result
    entry_id: int | None
    team_id: int | None
    value: str


@dataclass(frozen=True, slots=True)
class DrawResult:
    """A recorded draw, as the UI and the CLI show it."""

    draw_id: int
    event_id: int
    kind: DrawKind
    seed: str
    values: tuple[DrawnValue, ...]  # in unit order (ascending id)
    drawn_at: datetime
    is_redraw: bool
    reason: str | None

    @property
    def mapping(self) -> Mapping[str, str]:
        """Key → value, exactly as stored in ``Draw.result``."""
        return MappingProxyType({drawn.key: drawn.value for drawn in self.values})


@dataclass(frozen=True, slots=True)
class AnonymousRow:
    """What a judge may see of an anonymously marked entry (or team): its code and group only."""

    anon_code: str
    group: str


@dataclass(frozen=True, slots=True)
class DecryptedRow:
    """A code linked back to who it was, after the chief judge's reveal."""

    anon_code: str
    bib: str | None
    name: str
    unit: str | None
    group: str


# --- the algorithm --------------------------------------------------------------------------


def seed_to_int(seed: str) -> int:
    """The integer that seeds the generator: SHA-256 of the UTF-8 seed, big-endian."""
    return int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest(), "big")


def drawn_values(seed: str, kind: DrawKind, count: int) -> list[str]:
    """The values for ``count`` units in unit order, determined by ``seed`` alone."""
    rng = random.Random(seed_to_int(seed))
    if kind is DrawKind.STATION:
        numbers = list(range(1, count + 1))
        rng.shuffle(numbers)
        width = max(2, len(str(count)))
        return [f"{number:0{width}d}" for number in numbers]
    if count > len(ANON_CODE_RANGE):
        raise DrawError(
            _("检录号为四位数字，最多 {limit} 个；本赛项有 {count} 个").format(limit=len(ANON_CODE_RANGE), count=count)
        )
    return [f"{number:04d}" for number in rng.sample(ANON_CODE_RANGE, count)]


def _key_order(key: str) -> int:
    return int(key.removeprefix(TEAM_KEY_PREFIX))


def compute_mapping(seed: str, kind: DrawKind, keys: list[str]) -> dict[str, str]:
    """Unit key → value for the given units (sorted by id here, whatever order they come in)."""
    ordered = sorted(keys, key=_key_order)
    return dict(zip(ordered, drawn_values(seed, kind, len(ordered)), strict=True))


# --- helpers --------------------------------------------------------------------------------


def _event(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        raise DrawError(_("没有编号为 {id} 的赛项").format(id=event_id))
    return event


def _is_team_event(event: Event) -> bool:
    return event.kind is EventKind.TEAM


def _column(kind: DrawKind) -> str:
    return "station" if kind is DrawKind.STATION else "anon_code"


def _participating_keys(session: Session, event: Event) -> list[str]:
    if _is_team_event(event):
        team_ids = session.scalars(
            select(Entry.team_id)
            .where(Entry.event_id == event.id, Entry.team_id.is_not(None), Entry.status.not_in(NOT_TAKING_PART))
            .distinct()
        )
        return [f"{TEAM_KEY_PREFIX}{team_id}" for team_id in sorted(t for t in team_ids if t is not None)]
    entry_ids = session.scalars(
        select(Entry.id).where(Entry.event_id == event.id, Entry.status.not_in(NOT_TAKING_PART)).order_by(Entry.id)
    )
    return [str(entry_id) for entry_id in entry_ids]


def _current_draw(session: Session, event_id: int, kind: DrawKind) -> Draw | None:
    return session.scalars(
        select(Draw)
        .where(Draw.event_id == event_id, Draw.kind == kind, Draw.is_current.is_(True))
        .order_by(Draw.id.desc())
        .limit(1)
    ).first()


def _stored_values(session: Session, event: Event, kind: DrawKind) -> dict[str, str]:
    """Unit key → value as the database holds it now (entries or teams with a value)."""
    column = _column(kind)
    if _is_team_event(event):
        return {
            f"{TEAM_KEY_PREFIX}{team.id}": getattr(team, column)
            for team in session.scalars(select(Team).where(Team.event_id == event.id))
            if getattr(team, column) is not None
        }
    return {
        str(entry.id): getattr(entry, column)
        for entry in session.scalars(select(Entry).where(Entry.event_id == event.id))
        if getattr(entry, column) is not None
    }


def _write_values(session: Session, event: Event, kind: DrawKind, mapping: Mapping[str, str]) -> None:
    """Clear the kind's values in the whole event, then write the drawn ones.

    Clearing first (and flushing) keeps the unique (event, station/code) constraints satisfied
    while values move between entries, and leaves withdrawn entries with no value at all.
    """
    column = _column(kind)
    rows: list[tuple[str, Entry | Team]]
    if _is_team_event(event):
        teams = session.scalars(select(Team).where(Team.event_id == event.id))
        rows = [(f"{TEAM_KEY_PREFIX}{team.id}", team) for team in teams]
    else:
        entries = session.scalars(select(Entry).where(Entry.event_id == event.id))
        rows = [(str(entry.id), entry) for entry in entries]
    for _key, row in rows:
        setattr(row, column, None)
    session.flush()
    for key, row in rows:
        if key in mapping:
            setattr(row, column, mapping[key])
    session.flush()


def _user_id(session: Session, username: str | None) -> int | None:
    """The drawer: the logged-in user, else the user named ``username`` (set-up mode)."""
    actor = current_actor(session)
    if actor.user_id is not None:
        return actor.user_id
    if username is None:
        return None
    return session.scalar(select(User.id).where(User.username == username))


def _result(draw_row: Draw, *, is_redraw: bool) -> DrawResult:
    values = tuple(
        DrawnValue(
            key=key,
            entry_id=None if key.startswith(TEAM_KEY_PREFIX) else int(key),
            team_id=int(key.removeprefix(TEAM_KEY_PREFIX)) if key.startswith(TEAM_KEY_PREFIX) else None,
            value=str(value),
        )
        for key, value in sorted(draw_row.result.items(), key=lambda item: _key_order(item[0]))
    )
    return DrawResult(
        draw_id=draw_row.id,
        event_id=draw_row.event_id,
        kind=draw_row.kind,
        seed=draw_row.seed,
        values=values,
        drawn_at=draw_row.drawn_at,
        is_redraw=is_redraw,
        reason=draw_row.reason,
    )


# --- the service ----------------------------------------------------------------------------


def draw(
    session: Session,
    event_id: int,
    kind: DrawKind,
    *,
    seed: str | None = None,
    reason: str | None = None,
    username: str | None = None,
) -> DrawResult:
    """Draw stations or anonymous codes for an event's participants and record the draw.

    A second draw of the same kind is a redraw and needs a ``reason``; nothing changes when it
    is refused. Anonymous codes cannot be redrawn once the event has been revealed.
    """
    event = _event(session, event_id)
    require(session, Permission.DRAW, event_id=event_id)
    kind = DrawKind(kind)
    reason = reason.strip() if reason else None
    previous = _current_draw(session, event_id, kind)
    if previous is not None and not reason:
        raise DrawError(_("赛项“{event}”已抽过{kind}；重新抽签必须填写原因").format(event=event.name, kind=kind.label))
    if kind is DrawKind.ANON_CODE and event.anon_revealed_at is not None:
        raise DrawError(_("赛项“{event}”已解密，不能再抽检录号").format(event=event.name))
    if seed is not None:
        seed = seed.strip()
        if not seed or len(seed) > MAX_SEED_LENGTH:
            raise DrawError(_("随机种子须为 1 至 {limit} 个字符").format(limit=MAX_SEED_LENGTH))
    else:
        seed = secrets.token_hex(8)
    keys = _participating_keys(session, event)
    if not keys:
        raise DrawError(_("赛项“{event}”没有可参加抽签的选手").format(event=event.name))
    mapping = compute_mapping(seed, kind, keys)

    old_value: dict[str, Any] | None = None
    if previous is not None:
        previous.is_current = False
        old_value = {"draw_id": previous.id, "kind": kind.value, "seed": previous.seed, "result": previous.result}
    session.flush()
    record = Draw(
        event_id=event_id,
        kind=kind,
        seed=seed,
        result=mapping,
        is_current=True,
        reason=reason,
        drawn_by_id=_user_id(session, username),
        drawn_at=utcnow().replace(microsecond=0),
    )
    session.add(record)
    session.flush()
    _write_values(session, event, kind, mapping)
    audit.append(
        session,
        action="redraw" if previous is not None else "draw",
        entity_type="draw",
        entity_id=record.id,
        competition_id=event.competition_id,
        event_id=event_id,
        old_value=old_value,
        new_value={"draw_id": record.id, "kind": kind.value, "seed": seed, "result": mapping},
        reason=reason,
        **audit_who(session, username),
    )
    return _result(record, is_redraw=previous is not None)


def current_draw(session: Session, event_id: int, kind: DrawKind) -> DrawResult | None:
    """The event's current draw of ``kind``, or None if it has not been drawn."""
    _event(session, event_id)
    require(session, Permission.DRAW, event_id=event_id)
    record = _current_draw(session, event_id, kind)
    if record is None:
        return None
    earlier = session.scalar(
        select(func.count()).select_from(Draw).where(Draw.event_id == event_id, Draw.kind == kind, Draw.id < record.id)
    )
    return _result(record, is_redraw=bool(earlier))


def reproduce(session: Session, draw_id: int) -> bool:
    """Recompute a draw from its stored seed: True if it gives the stored result.

    For the current draw of its kind, the values in the database must also still be exactly
    the drawn ones (no entry or team edited by hand, none added, none missing).
    """
    record = session.get(Draw, draw_id)
    if record is None:
        raise DrawError(_("没有编号为 {id} 的抽签记录").format(id=draw_id))
    require(session, Permission.DRAW, event_id=record.event_id)
    stored = {str(key): str(value) for key, value in record.result.items()}
    if compute_mapping(record.seed, record.kind, list(stored)) != stored:
        return False
    if not record.is_current:
        return True
    return _stored_values(session, _event(session, record.event_id), record.kind) == stored


# --- anonymity ------------------------------------------------------------------------------


def anonymous_view(session: Session, event_id: int, *, username: str | None = None) -> tuple[AnonymousRow, ...]:
    """What judges see of an anonymously marked event: codes and groups, nothing that identifies.

    Ordered by code. Entries (or teams) without a code, and those not taking part, are left out.
    """
    event = _event(session, event_id)
    require_any(session, Permission.VIEW_SCORES, Permission.REGISTER, event_id=event_id)
    if _is_team_event(event):
        rows = session.execute(
            select(Team.anon_code, EventGroup.name)
            .join(EventGroup, and_(EventGroup.id == Team.group_id, EventGroup.event_id == Team.event_id))
            .where(Team.event_id == event_id, Team.anon_code.is_not(None))
        )
    else:
        rows = session.execute(
            select(Entry.anon_code, EventGroup.name)
            .join(EventGroup, and_(EventGroup.id == Entry.group_id, EventGroup.event_id == Entry.event_id))
            .where(Entry.event_id == event_id, Entry.anon_code.is_not(None), Entry.status.not_in(NOT_TAKING_PART))
        )
    return tuple(sorted((AnonymousRow(anon_code=str(code), group=group) for code, group in rows), key=_by_code))


def _by_code(row: AnonymousRow | DecryptedRow) -> str:
    return row.anon_code


def reveal(session: Session, event_id: int, *, username: str | None = None, reason: str | None = None) -> datetime:
    """解密: the chief judge opens the code ↔ person mapping after marking. Audited; once only."""
    event = _event(session, event_id)
    require(session, Permission.REVEAL, event_id=event_id)
    if event.anon_revealed_at is not None:
        raise DrawError(_("赛项“{event}”已于 {at} 解密").format(event=event.name, at=_local(event.anon_revealed_at)))
    anon_draw = _current_draw(session, event_id, DrawKind.ANON_CODE)
    if anon_draw is None:
        raise DrawError(_("赛项“{event}”尚未抽取检录号，无需解密").format(event=event.name))
    revealed_at = utcnow().replace(microsecond=0)
    event.anon_revealed_at = revealed_at
    session.flush()
    audit.append(
        session,
        action="reveal_anon_codes",
        entity_type="event",
        entity_id=event_id,
        competition_id=event.competition_id,
        event_id=event_id,
        old_value={"anon_revealed_at": None},
        new_value={"anon_revealed_at": revealed_at.isoformat(), "draw_id": anon_draw.id},
        reason=reason.strip() if reason else None,
        **audit_who(session, username),
    )
    return revealed_at


def decrypted_mapping(session: Session, event_id: int, *, username: str | None = None) -> tuple[DecryptedRow, ...]:
    """Code → bib, name, unit and group, ordered by code; refused until the event is revealed."""
    event = _event(session, event_id)
    require(session, Permission.REVEAL, event_id=event_id)
    if event.anon_revealed_at is None:
        raise AnonymityError(
            _("赛项“{event}”尚未解密：评分结束并由裁判长解密后才能查看检录号对应的选手").format(event=event.name)
        )
    if _is_team_event(event):
        team_rows = session.execute(
            select(Team.anon_code, Team.bib, Team.name, Unit.name, EventGroup.name)
            .join(EventGroup, and_(EventGroup.id == Team.group_id, EventGroup.event_id == Team.event_id))
            .outerjoin(Unit, Unit.id == Team.unit_id)
            .where(Team.event_id == event_id, Team.anon_code.is_not(None))
        )
        rows = [DecryptedRow(str(code), bib, name, unit, group) for code, bib, name, unit, group in team_rows]
    else:
        entry_rows = session.execute(
            select(Entry.anon_code, Entry.bib, Person.name, Unit.name, EventGroup.name)
            .join(Person, Person.id == Entry.person_id)
            .join(EventGroup, and_(EventGroup.id == Entry.group_id, EventGroup.event_id == Entry.event_id))
            .outerjoin(Unit, Unit.id == func.coalesce(Entry.unit_id, Person.unit_id))
            .where(Entry.event_id == event_id, Entry.anon_code.is_not(None))
        )
        rows = [DecryptedRow(str(code), bib, name, unit, group) for code, bib, name, unit, group in entry_rows]
    return tuple(sorted(rows, key=_by_code))


def _local(moment: datetime) -> str:
    """A stored UTC time in the computer's local time zone, to the minute."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


# --- the printed draw sheet -----------------------------------------------------------------


def draw_sheet_pdf(session: Session, event_id: int, kind: DrawKind | None = None) -> bytes:
    """抽签结果表: the event's current draw as a signed sheet (PDF bytes).

    Stations: bib, name, unit and group against the station, in station order. Anonymous codes:
    the code ↔ bib table that goes into the sealed envelope, in code order. ``kind`` defaults to
    the event's most recent current draw.
    """
    from competition_app.pdf.tables import Column, TableDocument, render_table_pdf

    event = _event(session, event_id)
    require(session, Permission.DRAW, event_id=event_id)
    if kind is None:
        latest = session.scalars(
            select(Draw).where(Draw.event_id == event_id, Draw.is_current.is_(True)).order_by(Draw.id.desc()).limit(1)
        ).first()
        if latest is None:
            raise DrawError(_("赛项“{event}”尚未抽签").format(event=event.name))
        kind = latest.kind
    record = _current_draw(session, event_id, kind)
    if record is None:
        raise DrawError(_("赛项“{event}”尚未抽{kind}").format(event=event.name, kind=kind.label))
    subtitle: tuple[str, ...] = (
        event.competition.name,
        _("赛项：{event}　抽签内容：{kind}").format(event=event.name, kind=kind.label),
        _("抽签时间：{at}　随机种子：{seed}　抽签记录：第 {id} 号").format(
            at=_local(record.drawn_at), seed=record.seed, id=record.id
        ),
    )
    if record.reason:
        subtitle += (_("重新抽签原因：{reason}").format(reason=record.reason),)
    signature = _("抽签人：__________　监督人：__________　裁判长：__________　日期：__________")
    units = _sheet_units(session, event)
    ordered = sorted(
        ((str(value), units.get(str(key))) for key, value in record.result.items()), key=lambda item: item[0]
    )
    notes = [
        _("抽签方法：按报名记录编号排序，以随机种子的 SHA-256 值初始化随机数生成器抽取，凭种子可复核本次抽签结果。")
    ]
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    if kind is DrawKind.STATION:
        columns = (  # in station order, so the station is the row's number
            Column(_("工位号"), 0.9),
            Column(_("参赛编号"), 1.2),
            Column(_("姓名") if not _is_team_event(event) else _("队名"), 1.3),
            Column(_("单位"), 3.2, "left"),
            Column(_("组别"), 1.0),
        )
        rows = tuple(
            (
                value,
                unit.bib if unit else "",
                unit.name if unit else "",
                unit.unit if unit else "",
                unit.group if unit else "",
            )
            for value, unit in ordered
        )
        title = _("抽签结果表（工位号）")
    else:
        columns = (
            Column(_("序号"), 0.6),
            Column(_("检录号"), 1.2),
            Column(_("参赛编号"), 1.4),
            Column(_("组别"), 1.2),
        )
        rows = tuple(
            (str(number), value, unit.bib if unit else "", unit.group if unit else "")
            for number, (value, unit) in enumerate(ordered, start=1)
        )
        title = _("检录号对照表（密封）")
        notes.append(
            _(
                "密封：本表抽签后当场装入信封密封，由监督人在封口处签字；评分全部结束并经裁判长解密后方可启封。"
                "评分期间裁判员只见检录号，不得知晓对应选手。"
            )
        )
    document = TableDocument(
        title=title, subtitle_lines=subtitle, columns=columns, rows=rows, notes=tuple(notes), signature_line=signature
    )
    return render_table_pdf(document)


@dataclass(frozen=True, slots=True)
class _SheetUnit:
    bib: str
    name: str
    unit: str
    group: str


def _sheet_units(session: Session, event: Event) -> dict[str, _SheetUnit]:
    if _is_team_event(event):
        statement = (
            select(Team.id, Team.bib, Team.name, Unit.name, EventGroup.name)
            .join(EventGroup, and_(EventGroup.id == Team.group_id, EventGroup.event_id == Team.event_id))
            .outerjoin(Unit, Unit.id == Team.unit_id)
            .where(Team.event_id == event.id)
        )
        return {
            f"{TEAM_KEY_PREFIX}{team_id}": _SheetUnit(bib or "", name, unit or "", group)
            for team_id, bib, name, unit, group in session.execute(statement)
        }
    statement = (
        select(Entry.id, Entry.bib, Person.name, Unit.name, EventGroup.name)
        .join(Person, Person.id == Entry.person_id)
        .join(EventGroup, and_(EventGroup.id == Entry.group_id, EventGroup.event_id == Entry.event_id))
        .outerjoin(Unit, Unit.id == func.coalesce(Entry.unit_id, Person.unit_id))
        .where(Entry.event_id == event.id)
    )
    return {
        str(entry_id): _SheetUnit(bib or "", name, unit or "", group)
        for entry_id, bib, name, unit, group in session.execute(statement)
    }
