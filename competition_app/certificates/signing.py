"""The signed QR payload on a certificate, and checking one.

The QR code carries ``CERT|<number>|<holder name>|<sig>``. ``sig`` is the first 16 characters of
the base32 HMAC-SHA256, under the secret kept in the database, of number, holder name and award
text. Anyone who changes a character of the number or name, or prints a fake with another award,
produces a payload whose signature no longer matches. The award is not in the payload (it is
printed on the paper): the verifier takes it from the register, or from the paper when offline.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass

from competition_app.i18n import _

PAYLOAD_TAG = "CERT"
SIGNATURE_LENGTH = 16
"""16 base32 characters: 80 bits, enough against guessing and short enough for a small QR code."""


@dataclass(frozen=True, slots=True)
class RegisterRecord:
    """What the register knows about one certificate number (for verification and display)."""

    number: str
    holder_name: str
    unit_name: str | None
    award_text: str
    signature: str
    competition: str
    event: str | None
    voided: bool = False
    void_reason: str | None = None


RegisterLookup = Callable[[str], RegisterRecord | None]


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of checking a QR payload or a certificate number."""

    genuine: bool
    reason: str
    number: str | None = None
    holder_name: str | None = None
    record: RegisterRecord | None = None

    def describe(self) -> str:
        """One or two Chinese lines for a person at a desk or a terminal."""
        verdict = _("真实有效") if self.genuine else _("无法确认为真")
        lines = [f"{verdict}：{self.reason}"]
        if self.record is not None:
            record = self.record
            whose = _("证书编号 {number}，持证人 {name}").format(number=record.number, name=record.holder_name)
            if record.unit_name:
                whose += _("（{unit}）").format(unit=record.unit_name)
            place = record.competition + (f" {record.event}" if record.event else "")
            lines.append(_("{whose}；{place}：{award}").format(whose=whose, place=place, award=record.award_text))
        return "\n".join(lines)


def sign(secret: bytes, number: str, holder_name: str, award_text: str) -> str:
    """The truncated base32 HMAC-SHA256 of the three texts (separated so they cannot run together)."""
    message = "\x1f".join((number, holder_name, award_text)).encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:SIGNATURE_LENGTH]


def make_payload(number: str, holder_name: str, signature: str) -> str:
    """The QR text ``CERT|number|name|sig``."""
    return "|".join((PAYLOAD_TAG, number, holder_name, signature))


def parse_payload(text: str) -> tuple[str, str, str] | None:
    """(number, holder name, signature) of a QR text, or None if it is not a certificate payload."""
    parts = text.strip().split("|")
    if len(parts) != 4 or parts[0] != PAYLOAD_TAG or not all(parts[1:]):
        return None
    return parts[1], parts[2], parts[3]


def verify_payload(
    text: str,
    secret: bytes | None,
    *,
    award_text: str | None = None,
    lookup: RegisterLookup | None = None,
) -> Verification:
    """Whether ``text`` (a QR payload, or a bare certificate number) is a genuine certificate.

    With ``lookup`` (the register), the award comes from the register and voided certificates
    are refused; a bare number can only be checked that way. Without it, pass the award printed
    on the paper as ``award_text``. ``secret`` None means none has been made: nothing was issued.
    """
    parsed = parse_payload(text)
    if parsed is None:
        if text.strip().upper().startswith(PAYLOAD_TAG + "|"):
            return Verification(False, _("二维码内容格式不对（应为 CERT|编号|姓名|校验码）"))
        return _verify_number(text.strip(), secret, lookup)
    number, holder_name, signature = parsed
    if lookup is not None:
        record = lookup(number)
        if record is None:
            return _not_registered(number)
        return _check_record(record, secret, holder_name, signature, number)
    return _verify_offline(secret, number, holder_name, signature, award_text)


def _not_registered(number: str) -> Verification:
    return Verification(False, _("登记簿中没有编号为 {number} 的证书").format(number=number), number=number)


def _verify_number(number: str, secret: bytes | None, lookup: RegisterLookup | None) -> Verification:
    if lookup is None:
        return Verification(False, _("仅凭证书编号无法核验，需要查询证书登记簿"), number=number)
    record = lookup(number)
    if record is None:
        return _not_registered(number)
    return _check_record(record, secret, record.holder_name, record.signature, number)


def _verify_offline(
    secret: bytes | None, number: str, holder_name: str, signature: str, award_text: str | None
) -> Verification:
    if award_text is None:
        return Verification(
            False, _("离线核验需要证书上印的奖项（或查询证书登记簿）"), number=number, holder_name=holder_name
        )
    if secret is None or not hmac.compare_digest(sign(secret, number, holder_name, award_text), signature):
        return Verification(False, _("校验码不符：编号、姓名或奖项被改动过"), number=number, holder_name=holder_name)
    return Verification(True, _("校验码与编号、姓名、奖项相符"), number=number, holder_name=holder_name)


def _check_record(
    record: RegisterRecord, secret: bytes | None, holder_name: str, signature: str, number: str
) -> Verification:
    if secret is None:
        return Verification(False, _("数据库中没有证书密钥，无法核验"), number=number, record=record)
    expected = sign(secret, record.number, record.holder_name, record.award_text)
    if holder_name != record.holder_name:
        return Verification(
            False,
            _("二维码中的姓名“{name}”与登记簿不符").format(name=holder_name),
            number=number,
            holder_name=holder_name,
            record=record,
        )
    if not hmac.compare_digest(expected, signature) or not hmac.compare_digest(expected, record.signature):
        return Verification(
            False, _("校验码不符：证书内容或登记簿被改动过"), number=number, holder_name=holder_name, record=record
        )
    if record.voided:
        reason = _("该证书已作废")
        if record.void_reason:
            reason += _("（{reason}）").format(reason=record.void_reason)
        return Verification(False, reason, number=number, holder_name=holder_name, record=record)
    return Verification(True, _("与证书登记簿一致，校验码正确"), number=number, holder_name=holder_name, record=record)
