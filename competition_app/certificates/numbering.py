"""Certificate numbers from a configurable format, and dates written in Chinese numerals.

A number format is a Python format string with the fields ``year``, ``event_code``,
``competition_short`` and ``seq`` (e.g. ``JN{year}-{event_code}-{seq:04d}`` → ``JN2026-HG-0001``).
``seq`` is required: it is what makes two numbers differ. Everything but ``seq`` forms the
number's *prefix*, and the register keeps one never-decreasing counter per prefix.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date

from competition_app.i18n import _

DEFAULT_NUMBER_FORMAT = "ZS{year}-{event_code}-{seq:04d}"
NUMBER_FIELDS = ("year", "event_code", "competition_short", "seq")
_SEQ_SLOT = "\x00"

_DIGITS = "〇一二三四五六七八九"


class NumberFormatError(ValueError):
    """A certificate number format that cannot be used; the message is Chinese and says why."""


@dataclass(frozen=True, slots=True)
class NumberContext:
    """The values a number format may use, apart from the sequence number."""

    year: int
    event_code: str
    competition_short: str = ""


def _pieces(number_format: str) -> list[tuple[str, str | None, str]]:
    """(literal text, field name or None, format spec) parts; raises NumberFormatError."""
    try:
        parsed = list(string.Formatter().parse(number_format))
    except ValueError as error:
        raise NumberFormatError(
            _("证书编号格式“{format}”有误：花括号不成对（{error}）").format(format=number_format, error=error)
        ) from None
    pieces: list[tuple[str, str | None, str]] = []
    for literal, field, spec, conversion in parsed:
        if field is not None:
            if field not in NUMBER_FIELDS:
                raise NumberFormatError(
                    _("证书编号格式“{format}”中的字段 {{{field}}} 无法识别；可用字段：{fields}").format(
                        format=number_format,
                        field=field,
                        fields="、".join("{" + name + "}" for name in NUMBER_FIELDS),
                    )
                )
            if conversion is not None:
                raise NumberFormatError(
                    _("证书编号格式“{format}”中的字段 {{{field}}} 不能带“!”转换").format(
                        format=number_format, field=field
                    )
                )
        pieces.append((literal, field, spec or ""))
    return pieces


def check_number_format(number_format: str) -> None:
    """Raise :class:`NumberFormatError` unless the format can number certificates."""
    if not number_format.strip():
        raise NumberFormatError(_("证书编号格式不能为空"))
    pieces = _pieces(number_format)
    seq_count = sum(1 for _literal, field, _spec in pieces if field == "seq")
    if seq_count != 1:
        raise NumberFormatError(
            _("证书编号格式“{format}”必须恰好包含一次序号字段 {{seq}}（如 {{seq:04d}}）").format(format=number_format)
        )
    sample = NumberContext(year=2026, event_code="HG", competition_short="运河之星")
    try:
        format_number(number_format, sample, 1, checked=True)
    except (ValueError, TypeError) as error:
        raise NumberFormatError(
            _("证书编号格式“{format}”无法使用：{error}").format(format=number_format, error=error)
        ) from None


def _render(number_format: str, context: NumberContext, seq: int | None) -> str:
    values: dict[str, object] = {
        "year": context.year,
        "event_code": context.event_code,
        "competition_short": context.competition_short,
    }
    parts: list[str] = []
    for literal, field, spec in _pieces(number_format):
        parts.append(literal)
        if field is None:
            continue
        if field == "seq":
            parts.append(_SEQ_SLOT if seq is None else format(seq, spec))
        else:
            parts.append(format(values[field], spec))
    return "".join(parts)


def format_number(number_format: str, context: NumberContext, seq: int, *, checked: bool = False) -> str:
    """The certificate number for sequence number ``seq``; raises NumberFormatError for a bad format."""
    if not checked:
        check_number_format(number_format)
    return _render(number_format, context, seq)


def number_prefix(number_format: str, context: NumberContext) -> str:
    """The part of the number that is not the sequence (``JN2026-HG-#``): the counter's key."""
    check_number_format(number_format)
    return _render(number_format, context, None).replace(_SEQ_SLOT, "#")


def small_number(value: int) -> str:
    """1..99 in Chinese numerals as dates write them: 十, 十一, 二十, 三十一."""
    tens, ones = divmod(value, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + ("" if ones == 0 else _DIGITS[ones])


def chinese_date(day: date) -> str:
    """A date as certificates write it: 2026-05-20 → 二〇二六年五月二十日."""
    year = "".join(_DIGITS[int(digit)] for digit in str(day.year))
    return f"{year}年{small_number(day.month)}月{small_number(day.day)}日"
