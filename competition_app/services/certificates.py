"""The certificate register: issuing numbered, signed certificates, voids, prints, lookups.

Numbers come from ``CertificateCounter`` (one counter per number prefix, only ever counted up)
and are unique in ``certificates``, so a number is never given twice, not even after a void.
Every change writes an audit record in the caller's transaction; **the caller commits**.

Issuing and voiding need 公示成绩 (Permission.PUBLISH) for the event; reading the register
needs 查看成绩 (Permission.VIEW_SCORES).
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from competition_app.certificates.numbering import (
    DEFAULT_NUMBER_FORMAT,
    NumberContext,
    check_number_format,
    format_number,
    number_prefix,
)
from competition_app.certificates.signing import RegisterRecord, Verification, make_payload, sign, verify_payload
from competition_app.domain.enums import CertificateStatus
from competition_app.domain.permissions import Permission
from competition_app.i18n import _
from competition_app.services import audit
from competition_app.services.auth import permitted_event_ids, require
from db.models import AppSetting, Certificate, CertificateCounter, CertificatePrint, Competition, Event
from db.types import utcnow

SECRET_KEY = "certificate_secret"


class CertificateError(ValueError):
    """A register action that cannot be done; the message is Chinese and names the certificate."""


@dataclass(frozen=True, slots=True)
class IssueRequest:
    """One certificate to issue: for whom, in which event, with which award or rank text."""

    event_id: int | None
    holder_name: str
    award_text: str
    unit_name: str | None = None
    entry_id: int | None = None
    person_id: int | None = None


@dataclass(frozen=True, slots=True)
class IssuedCertificate:
    number: str
    holder_name: str
    unit_name: str | None
    award_text: str
    signature: str
    event_id: int | None

    @property
    def payload(self) -> str:
        """The text of the certificate's QR code."""
        return make_payload(self.number, self.holder_name, self.signature)


def get_secret(session: Session, *, create: bool = True) -> bytes | None:
    """The HMAC secret for certificate signatures (random 32 bytes), made on first use.

    With ``create`` False, None when none exists yet (nothing can have been issued then).
    """
    setting = session.get(AppSetting, SECRET_KEY)
    if setting is None:
        if not create:
            return None
        value = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
        try:
            # A savepoint, so that a second client creating it at the same time does not spoil
            # the caller's transaction: then the other client's secret is used.
            with session.begin_nested():
                session.add(AppSetting(key=SECRET_KEY, value={"secret": value}))
        except IntegrityError:
            setting = session.get(AppSetting, SECRET_KEY, populate_existing=True)
            if setting is None:
                raise
            value = str(setting.value["secret"])
        return base64.b64decode(value)
    return base64.b64decode(str(setting.value["secret"]))


def _allocate(session: Session, number_format: str, context: NumberContext, count: int) -> list[str]:
    """``count`` fresh numbers: the counter row is locked, advanced and never moved back."""
    prefix = number_prefix(number_format, context)
    if len(prefix) > 60:
        raise CertificateError(_("证书编号前缀“{prefix}”太长（最多 60 个字符）").format(prefix=prefix))
    counter = session.scalars(
        select(CertificateCounter).where(CertificateCounter.prefix == prefix).with_for_update()
    ).one_or_none()
    if counter is None:
        counter = CertificateCounter(prefix=prefix, next_value=1)
        session.add(counter)
        session.flush()
    numbers: list[str] = []
    seq = counter.next_value
    while len(numbers) < count:
        need = count - len(numbers)
        batch = [format_number(number_format, context, value, checked=True) for value in range(seq, seq + need)]
        seq += need
        # A changed format could produce an old number again: such numbers are skipped, not reused.
        taken = set(session.scalars(select(Certificate.number).where(Certificate.number.in_(batch))))
        numbers.extend(number for number in batch if number not in taken)
    counter.next_value = seq
    return numbers


def issue(
    session: Session,
    competition_id: int,
    requests: Sequence[IssueRequest],
    kind: str = "award",
    *,
    template_id: int | None = None,
) -> list[IssuedCertificate]:
    """Give each request a new number and signature and enter it in the register (with audit)."""
    competition = session.get(Competition, competition_id)
    if competition is None:
        raise CertificateError(_("没有编号为 {id} 的赛事").format(id=competition_id))
    event_ids = sorted({request.event_id for request in requests if request.event_id is not None})
    events = {event.id: event for event in session.scalars(select(Event).where(Event.id.in_(event_ids)))}
    for event_id in event_ids:
        event = events.get(event_id)
        if event is None or event.competition_id != competition_id:
            raise CertificateError(
                _("赛项（编号 {id}）不属于赛事“{competition}”").format(id=event_id, competition=competition.name)
            )
        require(session, Permission.PUBLISH, event_id=event_id)
    if any(request.event_id is None for request in requests):
        require(session, Permission.PUBLISH, competition_id=competition_id)
    for request in requests:
        if not request.holder_name.strip() or not request.award_text.strip():
            raise CertificateError(_("证书缺少持证人姓名或奖项：{name}").format(name=request.holder_name or "？"))
    number_format = competition.certificate_number_format or DEFAULT_NUMBER_FORMAT
    check_number_format(number_format)
    secret = get_secret(session)
    assert secret is not None
    actor = session.info.get("actor")
    issued_by = getattr(actor, "user_id", None)

    by_event: dict[int | None, list[int]] = {}
    for index, request in enumerate(requests):
        by_event.setdefault(request.event_id, []).append(index)
    numbers: dict[int, str] = {}
    for group_event_id, group in by_event.items():
        event = events.get(group_event_id) if group_event_id is not None else None
        context = NumberContext(
            year=competition.year,
            event_code=(event.code or f"E{event.id}") if event is not None else "QT",
            competition_short=competition.short_name or "",
        )
        numbers.update(zip(group, _allocate(session, number_format, context, len(group)), strict=True))

    issued: list[IssuedCertificate] = []
    for index, request in enumerate(requests):
        number = numbers[index]
        signature = sign(secret, number, request.holder_name, request.award_text)
        certificate = Certificate(
            number=number,
            competition_id=competition_id,
            event_id=request.event_id,
            entry_id=request.entry_id,
            person_id=request.person_id,
            template_id=template_id,
            kind=kind,
            holder_name=request.holder_name,
            unit_name=request.unit_name,
            award_text=request.award_text,
            signature=signature,
            issued_by_id=issued_by,
        )
        session.add(certificate)
        session.flush()
        audit.append(
            session,
            action="certificate.issue",
            entity_type="certificate",
            entity_id=certificate.id,
            competition_id=competition_id,
            event_id=request.event_id,
            person_id=request.person_id,
            new_value={"number": number, "holder": request.holder_name, "award": request.award_text, "kind": kind},
        )
        issued.append(
            IssuedCertificate(
                number, request.holder_name, request.unit_name, request.award_text, signature, request.event_id
            )
        )
    return issued


def _certificate(session: Session, number: str) -> Certificate:
    certificate = session.scalars(select(Certificate).where(Certificate.number == number.strip())).one_or_none()
    if certificate is None:
        raise CertificateError(_("登记簿中没有编号为 {number} 的证书").format(number=number))
    return certificate


def _require_for(session: Session, permission: Permission, certificate: Certificate) -> None:
    if certificate.event_id is not None:
        require(session, permission, event_id=certificate.event_id)
    else:
        require(session, permission, competition_id=certificate.competition_id)


def void(session: Session, number: str, reason: str) -> None:
    """Void a certificate (its number stays taken); a reason is required."""
    certificate = _certificate(session, number)
    _require_for(session, Permission.PUBLISH, certificate)
    if not reason.strip():
        raise CertificateError(_("作废证书 {number} 需要填写原因").format(number=certificate.number))
    if certificate.status is CertificateStatus.VOIDED:
        raise CertificateError(_("证书 {number} 已经作废").format(number=certificate.number))
    actor = session.info.get("actor")
    certificate.status = CertificateStatus.VOIDED
    certificate.voided_at = utcnow()
    certificate.voided_by_id = getattr(actor, "user_id", None)
    certificate.void_reason = reason.strip()
    session.flush()
    audit.append(
        session,
        action="certificate.void",
        entity_type="certificate",
        entity_id=certificate.id,
        competition_id=certificate.competition_id,
        event_id=certificate.event_id,
        person_id=certificate.person_id,
        old_value={"number": certificate.number, "status": CertificateStatus.ISSUED.value},
        new_value={"number": certificate.number, "status": CertificateStatus.VOIDED.value},
        reason=reason.strip(),
    )


def record_print(session: Session, number: str, printer: str | None, reason: str | None = None) -> int:
    """Record one print of a certificate; a reprint needs a reason. Returns how often it was printed."""
    certificate = _certificate(session, number)
    _require_for(session, Permission.PUBLISH, certificate)
    if certificate.status is CertificateStatus.VOIDED:
        raise CertificateError(_("证书 {number} 已作废，不能打印").format(number=certificate.number))
    earlier = len(certificate.prints)
    if earlier and not (reason or "").strip():
        raise CertificateError(
            _("证书 {number} 已打印过 {count} 次，补打需要填写原因").format(number=certificate.number, count=earlier)
        )
    actor = session.info.get("actor")
    certificate.prints.append(
        CertificatePrint(
            printed_by_id=getattr(actor, "user_id", None),
            printer_name=printer,
            reason=(reason or "").strip() or None,
        )
    )
    session.flush()
    audit.append(
        session,
        action="certificate.reprint" if earlier else "certificate.print",
        entity_type="certificate",
        entity_id=certificate.id,
        competition_id=certificate.competition_id,
        event_id=certificate.event_id,
        person_id=certificate.person_id,
        new_value={"number": certificate.number, "printer": printer, "copy": earlier + 1},
        reason=(reason or "").strip() or None,
    )
    return earlier + 1


def lookup(session: Session, number: str) -> RegisterRecord | None:
    """The register's record of a number, or None; needs 查看成绩 where the certificate belongs."""
    certificate = session.scalars(select(Certificate).where(Certificate.number == number.strip())).one_or_none()
    if certificate is None:
        return None
    _require_for(session, Permission.VIEW_SCORES, certificate)
    competition = session.get(Competition, certificate.competition_id)
    event = session.get(Event, certificate.event_id) if certificate.event_id is not None else None
    return RegisterRecord(
        number=certificate.number,
        holder_name=certificate.holder_name,
        unit_name=certificate.unit_name,
        award_text=certificate.award_text,
        signature=certificate.signature,
        competition=competition.name if competition is not None else "",
        event=event.name if event is not None else None,
        voided=certificate.status is CertificateStatus.VOIDED,
        void_reason=certificate.void_reason,
    )


def print_count(session: Session, number: str) -> int:
    """How many prints of the certificate are recorded."""
    certificate = _certificate(session, number)
    _require_for(session, Permission.VIEW_SCORES, certificate)
    return len(certificate.prints)


def verify(session: Session, text: str) -> Verification:
    """Check a QR payload or a bare certificate number against the register."""
    return verify_payload(text, get_secret(session, create=False), lookup=lambda number: lookup(session, number))


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """One line of the certificate register as a list shows it."""

    number: str
    holder_name: str
    unit_name: str | None
    event: str | None
    award_text: str
    voided: bool
    void_reason: str | None
    issued_at: datetime
    print_count: int
    payload: str

    @property
    def status_label(self) -> str:
        return _("已作废") if self.voided else _("有效")


def register(session: Session, competition_id: int) -> list[RegisterRow]:
    """The competition's register, in number order: the certificates of the events the actor may see scores of.

    Needs 查看成绩 (Permission.VIEW_SCORES); someone holding it for only some events sees theirs.
    """
    allowed = permitted_event_ids(session, Permission.VIEW_SCORES, competition_id=competition_id)
    if allowed is not None and not allowed:
        require(session, Permission.VIEW_SCORES, competition_id=competition_id)  # raises, naming the permission
    prints = (
        select(CertificatePrint.certificate_id, func.count().label("copies"))
        .group_by(CertificatePrint.certificate_id)
        .subquery()
    )
    statement = (
        select(Certificate, Event.name, func.coalesce(prints.c.copies, 0))
        .outerjoin(Event, Event.id == Certificate.event_id)
        .outerjoin(prints, prints.c.certificate_id == Certificate.id)
        .where(Certificate.competition_id == competition_id)
        .order_by(Certificate.number)
    )
    if allowed is not None:
        statement = statement.where(Certificate.event_id.in_(allowed))
    return [
        RegisterRow(
            number=certificate.number,
            holder_name=certificate.holder_name,
            unit_name=certificate.unit_name,
            event=event_name,
            award_text=certificate.award_text,
            voided=certificate.status is CertificateStatus.VOIDED,
            void_reason=certificate.void_reason,
            issued_at=certificate.issued_at,
            print_count=int(copies),
            payload=make_payload(certificate.number, certificate.holder_name, certificate.signature),
        )
        for certificate, event_name, copies in session.execute(statement)
    ]
