"""A competition's own rule sets: copied from a tier preset, then edited and versioned.

The stored form is :func:`competition_app.rules.serialise.rule_set_to_dict` (every field
written out), so a stored copy keeps its meaning when the code's defaults change. Every
change is validated in full before anything is written, bumps the version that result
snapshots record, and is appended to the audit log with the old and new settings.

Creating and changing a rule set needs 管理赛事与规则 for its competition. Reading one does
not: rule settings are the published rules of a competition, and scoring and ranking read them
on behalf of whoever enters or views the marks.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from competition_app.domain.permissions import Permission
from competition_app.i18n import _
from competition_app.rules.model import RuleSet
from competition_app.rules.presets import load_preset
from competition_app.rules.serialise import rule_set_from_dict, rule_set_to_dict
from competition_app.services import audit
from competition_app.services.auth import audit_who, require
from db.models import Competition
from db.models import RuleSet as RuleSetRow

ENTITY_TYPE = "rule_set"


class RuleSetError(LookupError):
    """A rule set that cannot be created or found; the message is Chinese."""


def _describe_row(row: RuleSetRow) -> str:
    return _("规则集 #{id}“{name}”（第 {version} 版）").format(id=row.id, name=row.name, version=row.version)


def _row(session: Session, rule_set_id: int) -> RuleSetRow:
    row = session.get(RuleSetRow, rule_set_id)
    if row is None:
        raise RuleSetError(_("没有编号为 {id} 的规则集").format(id=rule_set_id))
    return row


def copy_preset_to_competition(
    session: Session,
    competition_id: int,
    preset_key: str,
    *,
    name: str | None = None,
    username: str | None = None,
) -> int:
    """Give competition ``competition_id`` its own copy of preset ``preset_key``; returns the new id.

    The copy is version 1, named ``name`` (default: the preset's name), with the preset's
    source as its provenance. Raises ``UnknownPresetError`` for an unknown preset and
    :class:`RuleSetError` when the competition does not exist or already has a rule set of
    that name.
    """
    preset = load_preset(preset_key)
    if session.get(Competition, competition_id) is None:
        raise RuleSetError(_("没有编号为 {id} 的赛事").format(id=competition_id))
    require(session, Permission.MANAGE_COMPETITIONS, competition_id=competition_id)
    row_name = name if name is not None else preset.name
    duplicate = session.scalar(
        select(RuleSetRow.id).where(RuleSetRow.competition_id == competition_id, RuleSetRow.name == row_name)
    )
    if duplicate is not None:
        raise RuleSetError(_("该赛事已有名为“{name}”的规则集（#{id}）").format(name=row_name, id=duplicate))
    settings = rule_set_to_dict(preset)
    row = RuleSetRow(
        competition_id=competition_id,
        preset_key=preset_key,
        name=row_name,
        version=1,
        settings=settings,
        provenance=preset.source,
    )
    session.add(row)
    session.flush()
    audit.append(
        session,
        action="rule_set.create",
        entity_type=ENTITY_TYPE,
        entity_id=row.id,
        competition_id=competition_id,
        new_value={"preset_key": preset_key, "name": row_name, "version": 1, "settings": settings},
        reason=_("由规则预设 {key} 复制").format(key=preset_key),
        **audit_who(session, username),
    )
    return row.id


def load_rule_set(session: Session, rule_set_id: int) -> RuleSet:
    """The stored rule set ``rule_set_id``, validated.

    A stored copy that no longer validates (edited outside the app, or written by an older
    version) raises :class:`~competition_app.rules.serialise.RuleFileError` whose message
    names the rule set.
    """
    row = _row(session, rule_set_id)
    return rule_set_from_dict(row.settings, source_name=_describe_row(row))


def update_rule_set(
    session: Session,
    rule_set_id: int,
    data: Mapping[str, object],
    *,
    reason: str | None = None,
    username: str | None = None,
) -> RuleSet:
    """Replace the settings of rule set ``rule_set_id`` with ``data`` (the dict form), validated first.

    On success the version goes up by one and an audit record keeps the old and new settings.
    When ``data`` does not validate, ``RuleFileError`` lists every problem and nothing is
    written.
    """
    row = _row(session, rule_set_id)
    require(session, Permission.MANAGE_COMPETITIONS, competition_id=row.competition_id)
    rule_set = rule_set_from_dict(data, source_name=_describe_row(row))
    old = {"version": row.version, "settings": row.settings, "provenance": row.provenance}
    settings = rule_set_to_dict(rule_set)
    row.settings = settings
    row.version = row.version + 1
    row.provenance = rule_set.source
    session.flush()
    audit.append(
        session,
        action="rule_set.update",
        entity_type=ENTITY_TYPE,
        entity_id=row.id,
        competition_id=row.competition_id,
        old_value=old,
        new_value={"version": row.version, "settings": settings, "provenance": row.provenance},
        reason=reason,
        **audit_who(session, username),
    )
    return rule_set
