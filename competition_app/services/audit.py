"""The append-only audit log: who changed what, when, from what to what, and why.

Each record's hash covers its content and the previous record's hash, so editing or deleting
a record behind the app's back breaks the chain at that point.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from db.models import AuditRecord
from db.types import utcnow

GENESIS_HASH = "0" * 64


def record_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the record's fields in canonical JSON."""
    canonical = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def _hashed_fields(record: AuditRecord) -> dict[str, Any]:
    at: datetime = record.at
    return {
        "at": at.isoformat(),
        "user_id": record.user_id,
        "username": record.username,
        "action": record.action,
        "entity_type": record.entity_type,
        "entity_id": record.entity_id,
        "competition_id": record.competition_id,
        "event_id": record.event_id,
        "person_id": record.person_id,
        "old_value": record.old_value,
        "new_value": record.new_value,
        "reason": record.reason,
    }


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


def first_broken_link(session: Session) -> int | None:
    """The id of the first record whose hash or link does not check out, or None if intact."""
    expected_prev = GENESIS_HASH
    for record in session.scalars(select(AuditRecord).order_by(AuditRecord.id)):
        if record.prev_hash != expected_prev or record.hash != record_hash(record.prev_hash, _hashed_fields(record)):
            return record.id
        expected_prev = record.hash
    return None
