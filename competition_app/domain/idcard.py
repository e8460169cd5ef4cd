"""居民身份证号码 (GB 11643-1999): normalisation, checksum, and what the number encodes."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from competition_app.domain.enums import Gender
from competition_app.i18n import _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")


class IdNumberError(ValueError):
    """An ID number that is not a valid 18-digit resident ID; the message is Chinese."""


@dataclass(frozen=True, slots=True)
class ResidentId:
    number: str
    region_code: str
    birth_date: date
    gender: Gender


def normalise(raw: str) -> str:
    """Fold full-width characters, drop spaces, upper-case a trailing x."""
    folded = unicodedata.normalize("NFKC", raw)
    return re.sub(r"\s+", "", folded).upper()


def check_char(first17: str) -> str:
    """The 18th character for the first 17 digits (ISO 7064 MOD 11-2)."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise IdNumberError(_("身份证号前17位必须是数字"))
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def parse(raw: str) -> ResidentId:
    """Validate an 18-digit resident ID and return what it encodes.

    Raises IdNumberError with a Chinese message that says what is wrong.
    """
    number = normalise(raw)
    if len(number) != 18:
        raise IdNumberError(_("身份证号应为18位，实际为{count}位").format(count=len(number)))
    if not _SHAPE.match(number):
        raise IdNumberError(_("身份证号只能由数字组成，最后一位可以是X"))
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError(_("身份证号中的出生日期{text}不存在").format(text=number[6:14])) from None
    expected = check_char(number[:17])
    if number[17] != expected:
        raise IdNumberError(_("身份证号校验位错误：应为{expected}").format(expected=expected))
    gender = Gender.MALE if int(number[16]) % 2 == 1 else Gender.FEMALE
    return ResidentId(number=number, region_code=number[:6], birth_date=birth, gender=gender)


def compose(region_code: str, birth_date: date, sequence: int, gender: Gender) -> str:
    """Build a checksum-valid number; ``sequence`` (0–99) and ``gender`` fill digits 15–17."""
    if not (len(region_code) == 6 and region_code.isascii() and region_code.isdigit()):
        raise IdNumberError(_("行政区划代码应为6位数字"))
    if not 0 <= sequence <= 99:
        raise IdNumberError(_("顺序码应在0到99之间"))
    gender_digit = (sequence % 5) * 2 + (1 if gender is Gender.MALE else 0)
    first17 = f"{region_code}{birth_date:%Y%m%d}{sequence:02d}{gender_digit}"
    return first17 + check_char(first17)
