"""The fields of a contestant or judge as people type them: checked, normalised, explained.

One place for the rules that the registration form (live, as the user types), the Excel import
(every cell of every row) and the services all apply, so the three can never disagree. Pure:
no database, no Qt. Every error is a ``FieldError`` whose message is Chinese and says what is
wrong with the value (the caller adds where: the form's field, or the sheet, row and column).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from competition_app.domain import idcard
from competition_app.domain.enums import EntryStatus, Gender, IdType, LabelledEnum, PersonStatus, SkillLevel
from competition_app.i18n import _

E = TypeVar("E", bound=LabelledEnum)

__all__ = [
    "CheckedDocument",
    "FieldError",
    "age_on",
    "age_problem",
    "check_document",
    "clean_text",
    "document_mismatches",
    "normalise_phone",
    "parse_choice",
    "parse_entry_status",
    "parse_gender",
    "parse_id_type",
    "parse_skill_level",
    "parse_status",
    "parse_yes_no",
]


class FieldError(ValueError):
    """A value that cannot be accepted for its field; the message is Chinese."""


def clean_text(raw: object) -> str:
    """A cell or text box as text: full-width letters, digits and spaces folded (NFKC), runs of
    white space (including the ideographic space and line breaks) made one space, trimmed."""
    text = "" if raw is None else str(raw)
    folded = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", " ", folded).strip()


# --- identity documents ---------------------------------------------------------------------

# 港澳台居民居住证: 18 characters like a resident ID (GB 11643 checksum, birth date, gender
# digit), with the region code 810000 (香港), 820000 (澳门) or 830000 (台湾).
_HMT_REGIONS = {"810000": "香港", "820000": "澳门", "830000": "台湾"}
# Passports: ICAO 9303 allows up to 9 characters in the machine-readable zone; issuing
# states use 5–9 (中国护照: E/G/P + 8). Longer numbers exist on old documents: accept up to 17.
_PASSPORT = re.compile(r"^[A-Z0-9]{5,17}$")


@dataclass(frozen=True, slots=True)
class CheckedDocument:
    """An identity document that passed its checks, and what its number tells (if anything)."""

    id_type: IdType
    number: str  # normalised: what the database stores and compares
    birth_date: date | None  # encoded in resident IDs and residence permits, not in passports
    gender: Gender | None


def check_document(id_type: IdType, raw: str) -> CheckedDocument:
    """Check and normalise a document number of ``id_type``; raise ``FieldError`` if invalid.

    Resident IDs (居民身份证) are checked under GB 11643 (length, digits, a real birth date, the
    MOD 11-2 check character; full-width digits, spaces and a lower-case x are accepted and
    normalised). Residence permits (港澳台居民居住证) follow the same rules with the region
    codes 810000/820000/830000. Passports are 5–17 letters and digits.
    """
    number = idcard.normalise(raw)
    if not number:
        raise FieldError(_("证件号码不能为空"))
    if id_type is IdType.PASSPORT:
        if not _PASSPORT.match(number):
            raise FieldError(_("护照号码应为5到17位字母或数字，实际为“{number}”").format(number=number))
        return CheckedDocument(id_type, number, None, None)
    try:
        parsed = idcard.parse(number)
    except idcard.IdNumberError as error:
        if id_type is IdType.HMT_RESIDENCE:
            raise FieldError(str(error).replace(_("身份证号"), _("居住证号码"))) from None
        raise FieldError(str(error)) from None
    if id_type is IdType.HMT_RESIDENCE and parsed.region_code not in _HMT_REGIONS:
        raise FieldError(
            _("港澳台居民居住证号码应以810000（香港）、820000（澳门）或830000（台湾）开头，实际为{code}").format(
                code=parsed.region_code
            )
        )
    if id_type is IdType.RESIDENT_ID and parsed.region_code in _HMT_REGIONS:
        raise FieldError(_("号码以{code}开头，是港澳台居民居住证，请将证件类型选为“港澳台居民居住证”").format(
            code=parsed.region_code
        ))  # fmt: skip
    return CheckedDocument(id_type, parsed.number, parsed.birth_date, parsed.gender)


# --- phone ----------------------------------------------------------------------------------

_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_LANDLINE = re.compile(r"^0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7}(-[0-9]{1,6})?$")


def normalise_phone(raw: str) -> str:
    """A mainland mobile (11 digits from 13–19) or landline (区号-号码[-分机]) number, normalised:
    full-width digits folded, spaces and a +86/0086 prefix dropped. Raises ``FieldError``."""
    text = clean_text(raw).replace(" ", "").replace("—", "-").replace("－", "-")
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = text[len(prefix) :].lstrip("-")
    if _MOBILE.match(text) or _LANDLINE.match(text):
        return text
    digits = re.sub(r"\D", "", text)
    if digits.startswith("1") and len(digits) != 11:
        raise FieldError(_("手机号码应为11位，实际为{count}位").format(count=len(digits)))
    raise FieldError(_("电话号码“{phone}”格式不正确（手机11位，座机如0537-1234567）").format(phone=text))


# --- age --------------------------------------------------------------------------------------


def age_on(birth_date: date, day: date) -> int:
    """Age in full years on ``day`` (someone born on 29 February turns a year older on 1 March)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def age_problem(birth_date: date, day: date, min_age: int | None, max_age: int | None) -> str | None:
    """Why someone born on ``birth_date`` may not take part on ``day`` under the event's age
    limits (inclusive), or None. Ages are in full years on the competition day."""
    age = age_on(birth_date, day)
    if min_age is not None and age < min_age:
        return _("比赛日（{day}）年龄{age}岁，低于本赛项最低年龄{limit}岁").format(day=day, age=age, limit=min_age)
    if max_age is not None and age > max_age:
        return _("比赛日（{day}）年龄{age}岁，超过本赛项最高年龄{limit}岁").format(day=day, age=age, limit=max_age)
    return None


# --- choices: codes or the Chinese words people type ------------------------------------------


def parse_choice(enum: type[E], raw: str, field: str, *, aliases: dict[str, E] | None = None) -> E:
    """The member of ``enum`` that ``raw`` names: its Chinese label, its code, or an alias.

    Raises ``FieldError`` listing the allowed labels. ``field`` names the field in the message.
    """
    text = clean_text(raw)  # NFKC: （ and ( compare equal once both sides are folded
    for member in enum:
        if text in (clean_text(member.label), member.value):
            return member
    for alias, member in (aliases or {}).items():
        if text == clean_text(alias):
            return member
    allowed = "、".join(member.label for member in enum)
    raise FieldError(_("{field}“{value}”无效，可填：{allowed}").format(field=field, value=text, allowed=allowed))


def parse_gender(raw: str) -> Gender:
    return parse_choice(Gender, raw, _("性别"), aliases={"男性": Gender.MALE, "女性": Gender.FEMALE})


def parse_id_type(raw: str) -> IdType:
    """证件类型; empty means 居民身份证."""
    if not clean_text(raw):
        return IdType.RESIDENT_ID
    return parse_choice(IdType, raw, _("证件类型"), aliases={"身份证": IdType.RESIDENT_ID})


def parse_status(raw: str) -> PersonStatus:
    aliases = {"在职职工": PersonStatus.WORKER, "企业职工": PersonStatus.WORKER, "在校学生": PersonStatus.STUDENT}
    return parse_choice(PersonStatus, raw, _("身份"), aliases=aliases)


def _skill_level_aliases() -> dict[str, SkillLevel]:
    aliases: dict[str, SkillLevel] = {}
    for member in SkillLevel:
        label = member.label  # 高级工（三级）: also 高级工, 三级, 高级工(三级)
        if "（" in label:
            title, grade = label.rstrip("）").split("（")
            aliases[title] = member
            aliases[grade] = member
            aliases[f"{grade}/{title}"] = member
            aliases[f"{title}/{grade}"] = member
    return aliases


_SKILL_LEVEL_ALIASES = _skill_level_aliases()


def parse_skill_level(raw: str) -> SkillLevel | None:
    """职业技能等级: 高级工（三级）, 高级工, 三级 or the code; empty or 无 means none."""
    text = clean_text(raw)
    if text in ("", "无", "—", "-"):
        return None
    return parse_choice(SkillLevel, text, _("职业技能等级"), aliases=_SKILL_LEVEL_ALIASES)


def parse_entry_status(raw: str) -> EntryStatus:
    """报名状态; empty means 已报名."""
    if not clean_text(raw):
        return EntryStatus.REGISTERED
    return parse_choice(EntryStatus, raw, _("状态"))


_YES = frozenset({"是", "Y", "YES", "TRUE", "1", "√"})
_NO = frozenset({"否", "N", "NO", "FALSE", "0", ""})


def parse_yes_no(raw: str, field: str) -> bool:
    text = clean_text(raw).upper()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise FieldError(_("{field}应填“是”或“否”，实际为“{value}”").format(field=field, value=clean_text(raw)))


def document_mismatches(
    document: CheckedDocument, gender: Gender | None, birth_date: date | None
) -> list[tuple[str, str]]:
    """What the typed gender and birth date contradict in the document's number, as (field, message).

    Empty when they agree or were not typed (the number then supplies them)."""
    problems: list[tuple[str, str]] = []
    if gender is not None and document.gender is not None and gender is not document.gender:
        problems.append((_("性别"), _("与证件号码不符：号码显示为{gender}").format(gender=document.gender.label)))
    if birth_date is not None and document.birth_date is not None and birth_date != document.birth_date:
        problems.append(
            (_("出生日期"), _("与证件号码不符：号码显示为{day}").format(day=document.birth_date.isoformat()))
        )
    return problems
