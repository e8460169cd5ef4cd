"""Registration fields (competition_app.domain.person_fields) and pinyin search keys."""

from __future__ import annotations

from datetime import date

import pytest

from competition_app.domain.enums import EntryStatus, Gender, IdType, PersonStatus, SkillLevel
from competition_app.domain.idcard import compose
from competition_app.domain.person_fields import (
    FieldError,
    age_problem,
    check_document,
    clean_text,
    document_mismatches,
    normalise_phone,
    parse_entry_status,
    parse_gender,
    parse_id_type,
    parse_skill_level,
    parse_status,
    parse_yes_no,
)
from competition_app.domain.pinyin import name_search_key

VALID = "11010519491231002X"  # GB 11643's own example


def test_clean_text_folds_full_width_and_trims() -> None:
    assert clean_text("\u3000 张\u3000三 \n") == "张 三"
    assert clean_text("ＡＢＣ１２３") == "ABC123"
    assert clean_text(None) == ""


@pytest.mark.parametrize(
    "typed", [VALID, "11010519491231002x", " 110105 19491231 002X ", "１１０１０５１９４９１２３１００２Ｘ"]
)
def test_a_resident_id_is_normalised_and_read(typed: str) -> None:
    checked = check_document(IdType.RESIDENT_ID, typed)
    assert checked.number == VALID
    assert checked.birth_date == date(1949, 12, 31)
    assert checked.gender is Gender.FEMALE


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("110105194912310021", "身份证号校验位错误：应为X"),
        ("1101051949123100", "身份证号应为18位，实际为16位"),
        ("110105194902300021", "出生日期19490230不存在"),
        ("", "证件号码不能为空"),
    ],
)
def test_a_bad_resident_id_says_what_is_wrong(typed: str, message: str) -> None:
    with pytest.raises(FieldError, match=message):
        check_document(IdType.RESIDENT_ID, typed)


def test_residence_permits_need_a_hong_kong_macao_or_taiwan_code() -> None:
    permit = compose("810000", date(1995, 3, 8), 12, Gender.MALE)
    checked = check_document(IdType.HMT_RESIDENCE, permit)
    assert (checked.birth_date, checked.gender) == (date(1995, 3, 8), Gender.MALE)
    with pytest.raises(FieldError, match="应以810000（香港）、820000（澳门）或830000（台湾）开头"):
        check_document(IdType.HMT_RESIDENCE, VALID)
    with pytest.raises(FieldError, match="是港澳台居民居住证"):
        check_document(IdType.RESIDENT_ID, permit)
    with pytest.raises(FieldError, match="居住证号码校验位错误"):
        check_document(IdType.HMT_RESIDENCE, permit[:-1] + ("0" if permit[-1] != "0" else "1"))


def test_passports() -> None:
    assert check_document(IdType.PASSPORT, " e1234 5678 ").number == "E12345678"
    assert check_document(IdType.PASSPORT, "E12345678").birth_date is None
    with pytest.raises(FieldError, match="护照号码应为5到17位字母或数字"):
        check_document(IdType.PASSPORT, "E12-345")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("13800138000", "13800138000"), ("+86 138 0013 8000", "13800138000"), ("１３８００１３８０００", "13800138000"),
     ("0537-2345678", "0537-2345678"), ("010-12345678-123", "010-12345678-123")],
)  # fmt: skip
def test_phones(typed: str, stored: str) -> None:
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1380013800", "手机号码应为11位，实际为10位"),
        ("12345", "手机号码应为11位，实际为5位"),
        ("0537-12", "格式不正确"),
    ],
)
def test_bad_phones(typed: str, message: str) -> None:
    with pytest.raises(FieldError, match=message):
        normalise_phone(typed)


def test_age_limits_are_inclusive_on_the_competition_day() -> None:
    day = date(2026, 5, 20)
    assert age_problem(date(1991, 5, 20), day, 18, 35) is None  # 35 today
    assert "超过本赛项最高年龄35岁" in (age_problem(date(1990, 5, 19), day, 18, 35) or "")
    assert "低于本赛项最低年龄18岁" in (age_problem(date(2008, 5, 21), day, 18, None) or "")
    assert age_problem(date(2008, 5, 20), day, 18, None) is None


def test_choices_accept_labels_codes_and_common_words() -> None:
    assert parse_gender("男") is Gender.MALE and parse_gender("female") is Gender.FEMALE
    assert parse_id_type("") is IdType.RESIDENT_ID and parse_id_type("身份证") is IdType.RESIDENT_ID
    assert parse_status("在校学生") is PersonStatus.STUDENT
    assert parse_entry_status("") is EntryStatus.REGISTERED and parse_entry_status("已检录") is EntryStatus.CHECKED_IN
    for typed in ("高级工", "三级", "高级工（三级）", "高级工(三级)", "level_3"):
        assert parse_skill_level(typed) is SkillLevel.LEVEL_3
    assert parse_skill_level("") is None and parse_skill_level("无") is None
    assert parse_yes_no("是", "团体") is True and parse_yes_no("", "团体") is False
    with pytest.raises(FieldError, match="性别“M”无效，可填：男、女"):
        parse_gender("M")
    with pytest.raises(FieldError, match="团体应填“是”或“否”"):
        parse_yes_no("也许", "团体")


@pytest.mark.parametrize(
    ("name", "found_by"),
    [("张三", ["zs", "zhangsan", "zhang"]), ("单雄信", ["sxx", "dxx", "shanxiongxin"]), ("欧阳晓燕", ["oyxy"]),
     ("阿依古丽·买买提", ["aygl", "maimaiti"])],
)  # fmt: skip
def test_names_are_found_by_pinyin_and_initials(name: str, found_by: list[str]) -> None:
    key = name_search_key(name)
    for query in found_by:
        assert query in key
    assert "ls" not in name_search_key("张三")


def test_typed_gender_and_birth_date_are_checked_against_the_number() -> None:
    document = check_document(IdType.RESIDENT_ID, VALID)  # female, born 1949-12-31
    assert document_mismatches(document, Gender.FEMALE, date(1949, 12, 31)) == []
    assert document_mismatches(document, None, None) == []
    assert document_mismatches(document, Gender.MALE, date(1950, 1, 1)) == [
        ("性别", "与证件号码不符：号码显示为女"),
        ("出生日期", "与证件号码不符：号码显示为1949-12-31"),
    ]


def test_readings_agree_with_pypinyin_for_single_characters() -> None:
    """The character table is loaded without the pypinyin package (for speed): same readings."""
    from pypinyin import Style, lazy_pinyin

    from competition_app.domain.pinyin import _reading

    for code_point in range(0x4E00, 0x9FA6, 7):
        char = chr(code_point)
        assert _reading(char) == lazy_pinyin(char, style=Style.NORMAL, errors="default")[0].lower(), char
    assert name_search_key("吕绿") == "lvlv ll"
