"""The append-only audit log: who changed what, when, from what to what, and why.

Each record's hash covers its content and the previous record's hash, so editing or deleting
a record behind the app's back breaks the chain at that point.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, func, or_, select, text
from sqlalchemy.orm import Session

from competition_app.domain.enums import Role, SheetState
from competition_app.domain.permissions import ROLE_PERMISSIONS, Permission, Place
from competition_app.i18n import _
from db.models import AuditRecord, Competition, Event, Person, User
from db.types import utcnow

if TYPE_CHECKING:
    from competition_app.services.auth import Actor
    from competition_app.tasks import Progress

GENESIS_HASH = "0" * 64
_HASHED_NAMES = (
    "at",
    "user_id",
    "username",
    "action",
    "entity_type",
    "entity_id",
    "competition_id",
    "event_id",
    "person_id",
    "old_value",
    "new_value",
    "reason",
)


def record_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the record's fields in canonical JSON."""
    canonical = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def _hashed_fields(record: Any) -> dict[str, Any]:
    """The hashed content of an ``AuditRecord`` (or a result row with the same columns)."""
    fields = {name: getattr(record, name) for name in _HASHED_NAMES}
    at: datetime = fields["at"]
    fields["at"] = at.isoformat()
    return fields


def append(
    session: Session,
    *,
    action: str,
    entity_type: str,
    entity_id: int | None = None,
    competition_id: int | None = None,
    event_id: int | None = None,
    person_id: int | None = None,
    old_value: dict[str, Any] | None = None,
    new_value: dict[str, Any] | None = None,
    reason: str | None = None,
    user_id: int | None = None,
    username: str | None = None,
) -> AuditRecord:
    """Append one record to the chain, in the caller's transaction.

    Who acted defaults to the session's actor (``session.info["actor"]``, see services.auth).
    """
    if user_id is None and username is None:
        actor = session.info.get("actor")
        if actor is not None:
            user_id, username = actor.user_id, actor.username
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appends across clients so two writers never chain onto the same record.
        session.execute(text("SELECT pg_advisory_xact_lock(7403)"))
    prev = session.scalar(select(AuditRecord.hash).order_by(AuditRecord.id.desc()).limit(1))
    record = AuditRecord(
        at=utcnow().replace(microsecond=0),
        user_id=user_id,
        username=username,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        competition_id=competition_id,
        event_id=event_id,
        person_id=person_id,
        old_value=old_value,
        new_value=new_value,
        reason=reason,
        prev_hash=prev or GENESIS_HASH,
    )
    record.hash = record_hash(record.prev_hash, _hashed_fields(record))
    session.add(record)
    session.flush()
    return record


# --- verifying the chain ----------------------------------------------------------------------


class ChainProblem(StrEnum):
    """What is wrong at the first broken link of the chain."""

    CONTENT = "content"
    """The record's hash does not match its content: the record was edited."""
    LINK = "link"
    """The record does not link to the record before it (that one was rewritten, or this one)."""
    MISSING = "missing"
    """The record links to a record that is no longer in the log: records were deleted."""


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first record at which the chain does not check out, and why (``message`` is Chinese)."""

    record_id: int
    at: datetime
    username: str | None
    action: str
    problem: ChainProblem
    previous_id: int | None
    """The record before it in the log (None when it is the first)."""
    message: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    count: int
    """Records checked (all of them when the chain is intact)."""
    broken: ChainBreak | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None

    def describe(self) -> str:
        """One paragraph for a person: OK with the count, or the first broken link."""
        if self.broken is None:
            return _("审计链完整：共 {count} 条记录，逐条核对无误").format(count=self.count)
        return self.broken.message


_VERIFY_BATCH = 2000


def verify_chain(session: Session, progress: Progress | None = None) -> ChainReport:
    """Walk the whole log in id order and report the first broken link, with what is wrong.

    A record whose content was edited no longer matches its own hash; a record rewritten
    together with its hash no longer matches the link the *next* record holds; a deleted
    record leaves the next one linking to a hash that is nowhere in the log. Reports how far
    it is on ``progress`` (and stops there when cancelled).
    """
    total = session.scalar(select(func.count()).select_from(AuditRecord)) or 0
    expected_prev = GENESIS_HASH
    previous: Any = None
    count = 0
    rows = session.execute(
        select(*(getattr(AuditRecord, name) for name in _ROW_COLUMNS)).order_by(AuditRecord.id),
        execution_options={"yield_per": _VERIFY_BATCH},
    )
    for row in rows:
        if progress is not None and count % _VERIFY_BATCH == 0:
            progress.report(count, total, _("核对审计记录"))
        content_ok = row.hash == record_hash(row.prev_hash, _hashed_fields(row))
        if not content_ok or row.prev_hash != expected_prev:
            rows.close()
            return ChainReport(count, _chain_break(session, row, previous, content_ok=content_ok))
        expected_prev = row.hash
        previous = row
        count += 1
    return ChainReport(count)


_ROW_COLUMNS = ("id", "prev_hash", "hash", *_HASHED_NAMES)


def _chain_break(session: Session, row: Any, previous: Any, *, content_ok: bool) -> ChainBreak:
    when = row.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    who = row.username or _("（无用户）")
    head = _("审计链在第 {id} 号记录处断开（{at}，{user}，{action}）：").format(
        id=row.id, at=when, user=who, action=action_label(row.action)
    )
    previous_id = None if previous is None else previous.id
    if not content_ok:
        problem = ChainProblem.CONTENT
        detail = _("该记录的哈希与其内容不符，记录在程序之外被改动过")
    else:
        linked_id = session.scalar(select(AuditRecord.id).where(AuditRecord.hash == row.prev_hash))
        # It links to a hash nowhere in the log. With ids missing in between, records were
        # deleted; with none missing, the record before it was rewritten (hash and all).
        gap = previous is None or row.id - previous.id > 1
        if linked_id is None and row.prev_hash != GENESIS_HASH and gap:
            problem = ChainProblem.MISSING
            if previous is None:
                detail = _("它之前的记录已不在日志中：日志开头的记录被删除了")
            else:
                detail = _("它与上一条记录（第 {previous} 号）之间缺少记录：有记录被删除了").format(
                    previous=previous_id
                )
        else:
            problem = ChainProblem.LINK
            if previous is None:
                detail = _("它是日志中的第一条记录，却没有链接到链的起点")
            else:
                detail = _(
                    "它与上一条记录（第 {previous} 号）的链接断开：第 {previous} 号记录连同哈希被改写，"
                    "或本记录被改写、插入"
                ).format(previous=previous_id)
    return ChainBreak(row.id, row.at, row.username, row.action, problem, previous_id, head + detail)


def first_broken_link(session: Session) -> int | None:
    """The id of the first record whose hash or link does not check out, or None if intact."""
    broken = verify_chain(session).broken
    return None if broken is None else broken.record_id


# --- reading the log: labels, descriptions, search -----------------------------------------

ACTION_LABELS: dict[str, str] = {
    "score.enter": "录入成绩",
    "score.change": "修改成绩",
    "score.clear": "删除成绩",
    "score.resolve": "核定两遍不一致的成绩",
    "score.readback": "回读核对",
    "score.import": "导入成绩",
    "entry.time": "录入用时",
    "sheet.verify": "复核评分表",
    "sheet.lock": "签字锁定",
    "sheet.unlock": "解锁",
    "sheet.publish": "公示",
    "sheet.verification": "更改校验方式",
    "user.login": "登录",
    "user.login_failed": "登录失败",
    "user.create": "新建账户",
    "user.grants": "更改角色",
    "user.activate": "启用账户",
    "user.deactivate": "停用账户",
    "user.reset_password": "重置密码",
    "user.change_password": "修改密码",
    "competition.create": "新建赛事",
    "competition.update": "修改赛事",
    "event.create": "新增赛项",
    "event.update": "修改赛项",
    "event.registration_open": "开放报名",
    "event.registration_close": "截止报名",
    "rule_set.create": "新建规则",
    "rule_set.update": "修改规则",
    "person.create": "新增人员",
    "person.update": "修改人员信息",
    "person.achievement": "记录称号或晋升",
    "entry.create": "报名",
    "entry.status": "更改报名状态",
    "team.create": "新建团队",
    "team.rename": "团队改名",
    "team.add_member": "加入团队",
    "team.remove_member": "移出团队",
    "judge.create": "新增裁判",
    "judge.update": "修改裁判",
    "judge.assign": "分配执裁",
    "judge.unassign": "取消执裁",
    "draw": "抽签",
    "redraw": "重新抽签",
    "reveal_anon_codes": "解密检录号",
    "import": "导入工作簿",
    "demo.create": "创建演示数据",
}
"""Chinese names of the actions services record (unknown actions are shown as recorded)."""

ACTION_GROUPS: dict[str, str] = {
    "score.": "成绩（全部）",
    "sheet.": "评分表（全部）",
    "user.": "账户与登录（全部）",
    "entry.": "报名（全部）",
    "person.": "人员（全部）",
    "event.": "赛项（全部）",
    "judge.": "裁判（全部）",
    "team.": "团队（全部）",
    "rule_set.": "规则（全部）",
}
"""Action prefixes a filter may pick as a whole (``AuditQuery.action = "score."``)."""

ENTITY_LABELS: dict[str, str] = {
    "score": "成绩",
    "score_sheet": "评分表",
    "entry": "报名",
    "user": "账户",
    "person": "人员",
    "event": "赛项",
    "competition": "赛事",
    "rule_set": "规则",
    "team": "团队",
    "judge": "裁判",
    "judge_assignment": "执裁分配",
    "draw": "抽签",
    "database": "数据库",
    "workbook": "工作簿",
}

FIELD_LABELS: dict[str, str] = {
    "value": "分数",
    "state": "状态",
    "double_entry": "双人录入",
    "practical_seconds": "用时",
    "fingerprint": "指纹",
    "failed_logins": "连续输错次数",
    "grants": "角色",
    "is_active": "启用",
    "status": "状态",
    "name": "名称",
    "display_name": "姓名",
    "username": "用户名",
    "seed": "随机种子",
    "kind": "类别",
    "registration_open": "报名开放",
    "anon_revealed_at": "解密时间",
    "team_id": "团队",
    "team": "团队",
    "group": "组别",
    "confirmed": "核对个数",
    "seat": "席位",
    "role": "角色",
    "pass1": "第一遍",
    "pass2": "第二遍",
    "bib": "参赛编号",
    "unit": "单位",
}

# Keys that say *which* thing changed (shown as the object), not *how* it changed.
_CONTEXT_KEYS = frozenset({"cell", "component", "by", "pass", "score_ids", "draw_id"})
# Values that must not be shown in a list: a draw's result maps entries to anonymous codes.
_COUNTED_KEYS = frozenset({"result"})
_MAX_VALUE_CHARS = 40
_MAX_CHANGE_CHARS = 160
_MISSING = object()


def action_label(action: str) -> str:
    """The Chinese name of an action (``score.change`` → 修改成绩), or the action itself."""
    label = ACTION_LABELS.get(action)
    return _(label) if label is not None else action


def _format_value(key: str, value: Any) -> str:
    special = _special_value(key, value)
    if special is not None:
        return special
    if key == "fingerprint" and isinstance(value, str):
        return value[:8] + "…"
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    else:
        text = str(value)
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 1] + "…"


def _special_value(key: str, value: Any) -> str | None:
    """The values shown other than as their text: none, yes/no, states, hashes, grants, counts."""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if value is None or value is _MISSING:
        return "—"
    if key == "state" and value in SheetState.__members__.values():
        return SheetState(value).label
    if key in _COUNTED_KEYS and isinstance(value, dict | list):
        return _("{count} 项").format(count=len(value))
    if key == "grants" and isinstance(value, list):
        return "、".join(_grant_text(grant) for grant in value) or _("无")
    return None


def _grant_text(grant: Any) -> str:
    if not isinstance(grant, dict):
        return str(grant)
    value = grant.get("role")
    role = Role(str(value)).label if value in Role.__members__.values() else str(value)
    if grant.get("event_id") is not None:
        return _("{role}（赛项 {id}）").format(role=role, id=grant["event_id"])
    if grant.get("competition_id") is not None:
        return _("{role}（赛事 {id}）").format(role=role, id=grant["competition_id"])
    return role


def describe_change(old: dict[str, Any] | None, new: dict[str, Any] | None) -> str:
    """Old → new, compactly: "85 → 86", "状态 已复核 → 裁判长签字锁定", "名称 张三" …"""
    old, new = old or {}, new or {}
    keys = [key for key in dict.fromkeys([*old, *new]) if key not in _CONTEXT_KEYS]
    if keys == ["value"]:
        before, after = old.get("value", _MISSING), new.get("value", _MISSING)
        return f"{_format_value('value', before)} → {_format_value('value', after)}"
    parts: list[str] = []
    for key in keys:
        before, after = old.get(key, _MISSING), new.get(key, _MISSING)
        if before == after:
            continue
        label = _(FIELD_LABELS[key]) if key in FIELD_LABELS else key
        if before is _MISSING and not old:
            parts.append(f"{label} {_format_value(key, after)}")
        elif after is _MISSING and not new:
            parts.append(f"{label} {_format_value(key, before)} → " + _("（删除）"))
        else:
            parts.append(f"{label} {_format_value(key, before)} → {_format_value(key, after)}")
    text = "；".join(parts)
    return text if len(text) <= _MAX_CHANGE_CHARS else text[: _MAX_CHANGE_CHARS - 1] + "…"


def _describe_object(
    entity_type: str, entity_id: int | None, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> str:
    old, new = old or {}, new or {}
    entity = _(ENTITY_LABELS[entity_type]) if entity_type in ENTITY_LABELS else entity_type
    detail = new.get("cell") or old.get("cell") or new.get("component") or old.get("component")
    if detail is None:
        for key in ("name", "display_name", "username", "team"):
            if isinstance(new.get(key) or old.get(key), str):
                detail = new.get(key) or old.get(key)
                break
    if detail:
        return f"{entity} · {detail}"
    return f"{entity} #{entity_id}" if entity_id is not None else entity


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """What the audit viewer (or ``audit list``) asks for; every filter is optional.

    ``action`` is an exact action (``score.change``) or a group: one ending in "." (``score.``)
    or any action without a dot-suffix match (``score`` = ``score.``) matches all actions of
    that group. ``person`` is a person id or part of a name (汉字 or pinyin). Times are
    aware datetimes; ``until`` is exclusive.
    """

    event_id: int | None = None
    competition_id: int | None = None
    person_id: int | None = None
    person: str | None = None
    user_id: int | None = None
    username: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One audit record as a person reads it."""

    id: int
    at: datetime
    """UTC; show it in local time."""
    user_id: int | None
    username: str | None
    user_display: str
    action: str
    action_label: str
    entity_type: str
    entity_id: int | None
    object: str
    event_id: int | None
    event_name: str | None
    person_name: str | None
    """None also when the event marks anonymously and the reader may not see who is behind a code."""
    change: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class AuditPage:
    rows: tuple[AuditRow, ...]
    total: int
    """Records matching the query (all pages)."""
    offset: int
    limit: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.rows) < self.total


@dataclass(frozen=True, slots=True)
class Choice:
    id: int | str
    label: str


@dataclass(frozen=True, slots=True)
class AuditChoices:
    """What the viewer's filter combos offer: only what the reader may see."""

    events: tuple[Choice, ...]
    users: tuple[Choice, ...]
    actions: tuple[Choice, ...]


def _audit_scope(session: Session, actor: Actor) -> ColumnElement[bool] | None:
    """None when the actor sees the whole log; else the records of their events/competitions.

    A 裁判长 granted one event sees that event's records only; records of no event (logins,
    accounts) are for holders of 查看审计日志 everywhere (管理员, global 赛务 or 裁判长).
    """
    from competition_app.services.auth import require

    if actor.can(Permission.VIEW_AUDIT):
        return None
    events: set[int] = set()
    competitions: set[int] = set()
    for grant in actor.grants:
        if Permission.VIEW_AUDIT not in ROLE_PERMISSIONS[grant.role]:
            continue
        if grant.event_id is not None:
            events.add(grant.event_id)
        elif grant.competition_id is not None:
            competitions.add(grant.competition_id)
    if not events and not competitions:
        require(session, Permission.VIEW_AUDIT)  # raises PermissionDenied with the usual message
    if competitions:
        events |= set(session.scalars(select(Event.id).where(Event.competition_id.in_(competitions))))
    clauses: list[ColumnElement[bool]] = []
    if events:
        clauses.append(AuditRecord.event_id.in_(sorted(events)))
    if competitions:
        clauses.append(and_(AuditRecord.event_id.is_(None), AuditRecord.competition_id.in_(sorted(competitions))))
    return or_(*clauses)


def _hidden_events(session: Session, actor: Actor) -> frozenset[int]:
    """Anonymously marked events whose codes are still sealed for this reader (no 解密 right)."""
    sealed = session.execute(
        select(Event.id, Event.competition_id).where(
            Event.anonymous_marking.is_(True), Event.anon_revealed_at.is_(None)
        )
    )
    return frozenset(
        event_id
        for event_id, competition_id in sealed
        if not actor.can(Permission.REVEAL, Place(competition_id, event_id))
    )


def _action_clause(action: str) -> ColumnElement[bool]:
    action = action.strip()
    if action.endswith((".", "*")):
        return AuditRecord.action.startswith(action.rstrip("*"), autoescape=True)
    return or_(AuditRecord.action == action, AuditRecord.action.startswith(action + ".", autoescape=True))


def _where(session: Session, query: AuditQuery, actor: Actor, hidden: frozenset[int]) -> list[ColumnElement[bool]]:
    from competition_app.services.auth import require

    where: list[ColumnElement[bool]] = []
    scope = _audit_scope(session, actor)
    if scope is not None:
        where.append(scope)
    if query.event_id is not None:
        require(session, Permission.VIEW_AUDIT, event_id=query.event_id)
        where.append(AuditRecord.event_id == query.event_id)
    if query.competition_id is not None:
        where.append(
            or_(
                AuditRecord.competition_id == query.competition_id,
                AuditRecord.event_id.in_(select(Event.id).where(Event.competition_id == query.competition_id)),
            )
        )
    where += _person_clauses(query, hidden)
    if query.user_id is not None:
        where.append(AuditRecord.user_id == query.user_id)
    if query.username:
        where.append(func.lower(AuditRecord.username) == query.username.strip().lower())
    if query.action:
        where.append(_action_clause(query.action))
    if query.since is not None:
        where.append(AuditRecord.at >= query.since)
    if query.until is not None:
        where.append(AuditRecord.at < query.until)
    return where


def _person_clauses(query: AuditQuery, hidden: frozenset[int]) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.person_id is not None:
        where.append(AuditRecord.person_id == query.person_id)
    wanted = (query.person or "").strip()
    if wanted.isdigit():
        where.append(AuditRecord.person_id == int(wanted))
    elif wanted:
        matching = select(Person.id).where(
            or_(
                Person.name.contains(wanted, autoescape=True),
                Person.name_pinyin.contains(wanted.lower(), autoescape=True),
            )
        )
        where.append(AuditRecord.person_id.in_(matching))
    if where and hidden:
        # Looking a person up must not tell which sealed anonymous code is theirs.
        where.append(or_(AuditRecord.event_id.is_(None), AuditRecord.event_id.not_in(sorted(hidden))))
    return where


def search(session: Session, query: AuditQuery) -> AuditPage:
    """One page of the audit log, newest first, filtered by ``query`` (needs 查看审计日志).

    Rows carry readable Chinese descriptions (action label, object, old → new). A reader who
    may not 解密 an anonymously marked event sees no person names on that event's records.
    """
    from competition_app.services.auth import current_actor

    actor = current_actor(session)
    hidden = _hidden_events(session, actor)
    where = _where(session, query, actor, hidden)
    total = session.scalar(select(func.count()).select_from(AuditRecord).where(*where)) or 0
    limit = max(1, min(query.limit, 1000))
    offset = max(0, query.offset)
    statement = (
        select(AuditRecord, Event.name, Person.name, User.display_name)
        .outerjoin(Event, Event.id == AuditRecord.event_id)
        .outerjoin(Person, Person.id == AuditRecord.person_id)
        .outerjoin(User, User.id == AuditRecord.user_id)
        .where(*where)
        .order_by(AuditRecord.id.desc())
        .limit(limit)
        .offset(offset)
    )
    rows = []
    for record, event_name, person_name, display_name in session.execute(statement):
        sealed = record.event_id in hidden
        rows.append(
            AuditRow(
                id=record.id,
                at=record.at,
                user_id=record.user_id,
                username=record.username,
                user_display=display_name or record.username or _("（无用户）"),
                action=record.action,
                action_label=action_label(record.action),
                entity_type=record.entity_type,
                entity_id=record.entity_id,
                object=_describe_object(record.entity_type, record.entity_id, record.old_value, record.new_value),
                event_id=record.event_id,
                event_name=event_name,
                person_name=None if sealed else person_name,
                change=describe_change(record.old_value, record.new_value),
                reason=record.reason,
            )
        )
    return AuditPage(tuple(rows), total, offset, limit)


def audit_choices(session: Session) -> AuditChoices:
    """The events, users and actions the viewer's filters offer this reader."""
    from competition_app.services.auth import current_actor

    actor = current_actor(session)
    scope = _audit_scope(session, actor)
    in_scope = [] if scope is None else [scope]
    event_ids = set(session.scalars(select(AuditRecord.event_id).where(*in_scope).distinct()))
    events = tuple(
        Choice(event_id, f"{competition} · {event}")
        for event_id, event, competition in session.execute(
            select(Event.id, Event.name, func.coalesce(Competition.short_name, Competition.name))
            .join(Competition, Competition.id == Event.competition_id)
            .where(Event.id.in_(sorted(i for i in event_ids if i is not None)))
            .order_by(Competition.id, Event.sort_order, Event.id)
        )
    )
    users = tuple(
        Choice(username, username)
        for username in session.scalars(
            select(AuditRecord.username)
            .where(AuditRecord.username.is_not(None), *in_scope)
            .distinct()
            .order_by(AuditRecord.username)
        )
        if username
    )
    present = sorted(set(session.scalars(select(AuditRecord.action).where(*in_scope).distinct())))
    groups = [
        Choice(prefix, _(label))
        for prefix, label in ACTION_GROUPS.items()
        if any(a.startswith(prefix) for a in present)
    ]
    actions = [Choice(action, action_label(action)) for action in present]
    return AuditChoices(events, users, (*groups, *actions))


def check_chain(session: Session, progress: Progress | None = None) -> ChainReport:
    """:func:`verify_chain` for a reader: needs 查看审计日志 for the whole log."""
    from competition_app.services.auth import require

    require(session, Permission.VIEW_AUDIT)
    return verify_chain(session, progress)
