"""居民身份证号码 (GB 11643-1999): parsing, normalisation, checksum messages and ``compose``."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from competition_app.domain import idcard
from competition_app.domain.enums import Gender

# The example number printed in GB 11643-1999 itself: 北京市朝阳区, born 1949-12-31, female, check X.
STANDARD_EXAMPLE = "11010519491231002X"


def test_the_standard_example_parses() -> None:
    parsed = idcard.parse(STANDARD_EXAMPLE)
    assert parsed == idcard.ResidentId(
        number=STANDARD_EXAMPLE, region_code="110105", birth_date=date(1949, 12, 31), gender=Gender.FEMALE
    )


def test_odd_sequence_digit_means_male() -> None:
    first17 = "37081119900101001"
    parsed = idcard.parse(first17 + idcard.check_char(first17))
    assert parsed.gender is Gender.MALE
    assert parsed.birth_date == date(1990, 1, 1)


@pytest.mark.parametrize(
    "typed",
    [
        "11010519491231002x",  # lower-case x
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits and letter, as some input methods type them
        " 110105 19491231 002X ",  # spaces, as people group the digits
        "110105\u300019491231\t002x",  # an ideographic space and a tab
    ],
)
def test_typed_variants_normalise_to_the_same_number(typed: str) -> None:
    assert idcard.normalise(typed) == STANDARD_EXAMPLE
    assert idcard.parse(typed).number == STANDARD_EXAMPLE


def test_wrong_check_digit_names_the_expected_character() -> None:
    with pytest.raises(idcard.IdNumberError, match="校验位错误：应为X"):
        idcard.parse("110105194912310021")


def test_wrong_check_digit_message_for_a_digit() -> None:
    first17 = "51010419880229004"  # 1988 was a leap year
    expected = idcard.check_char(first17)
    wrong = "0" if expected != "0" else "1"
    with pytest.raises(idcard.IdNumberError) as raised:
        idcard.parse(first17 + wrong)
    assert str(raised.value) == f"身份证号校验位错误：应为{expected}"


@pytest.mark.parametrize(
    ("number", "text"),
    [
        ("110105194902300023", "19490230"),  # 30 February
        ("110105190002290023", "19000229"),  # 1900 was not a leap year
        ("110105199013010023", "19901301"),  # month 13
        ("110105199000000023", "19900000"),
    ],
)
def test_impossible_birth_date_is_named(number: str, text: str) -> None:
    with pytest.raises(idcard.IdNumberError, match=f"出生日期{text}不存在"):
        idcard.parse(number)


@pytest.mark.parametrize(
    ("number", "length"),
    [("11010519491231002", 17), ("11010519491231002X1", 19), ("110105491231002", 15), ("", 0)],
)
def test_wrong_length_says_how_long_it_was(number: str, length: int) -> None:
    with pytest.raises(idcard.IdNumberError, match=f"应为18位，实际为{length}位"):
        idcard.parse(number)


@pytest.mark.parametrize("number", ["11010519491231A02X", "X10105194912310021", "1101051949123100-2"])
def test_letters_other_than_a_final_x_are_refused(number: str) -> None:
    with pytest.raises(idcard.IdNumberError, match="只能由数字组成"):
        idcard.parse(number)


def test_the_error_is_a_value_error() -> None:
    assert issubclass(idcard.IdNumberError, ValueError)


def test_check_char_needs_seventeen_digits() -> None:
    assert idcard.check_char(STANDARD_EXAMPLE[:17]) == "X"
    with pytest.raises(idcard.IdNumberError, match="前17位必须是数字"):
        idcard.check_char("1101051949123100")
    with pytest.raises(idcard.IdNumberError):
        idcard.check_char("1101051949123100A")


def test_compose_refuses_bad_region_and_sequence() -> None:
    with pytest.raises(idcard.IdNumberError, match="行政区划代码"):
        idcard.compose("37081", date(1990, 1, 1), 0, Gender.MALE)
    with pytest.raises(idcard.IdNumberError, match="行政区划代码"):
        idcard.compose("37O811", date(1990, 1, 1), 0, Gender.MALE)
    for sequence in (-1, 100):
        with pytest.raises(idcard.IdNumberError, match="顺序码"):
            idcard.compose("370811", date(1990, 1, 1), sequence, Gender.MALE)


def test_compose_puts_gender_in_the_seventeenth_digit() -> None:
    male = idcard.compose("110105", date(1949, 12, 31), 0, Gender.MALE)
    female = idcard.compose("110105", date(1949, 12, 31), 0, Gender.FEMALE)
    assert male[:16] == female[:16] == "1101051949123100"
    assert int(male[16]) % 2 == 1 and int(female[16]) % 2 == 0


@given(
    region=st.from_regex(r"[1-9][0-9]{5}", fullmatch=True),
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    sequence=st.integers(min_value=0, max_value=99),
    gender=st.sampled_from(Gender),
)
def test_composed_numbers_parse_back(region: str, birth: date, sequence: int, gender: Gender) -> None:
    number = idcard.compose(region, birth, sequence, gender)
    parsed = idcard.parse(number)
    assert parsed.number == number
    assert (parsed.region_code, parsed.birth_date, parsed.gender) == (region, birth, gender)
    assert number[14:16] == f"{sequence:02d}"


@given(
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    sequence=st.integers(min_value=0, max_value=99),
    position=st.integers(min_value=0, max_value=16),
    shift=st.integers(min_value=1, max_value=9),
)
def test_any_single_wrong_digit_is_caught(birth: date, sequence: int, position: int, shift: int) -> None:
    """MOD 11-2 detects every single-digit error (unless the date itself became impossible)."""
    number = idcard.compose("370811", birth, sequence, Gender.MALE)
    digit = (int(number[position]) + shift) % 10
    mistyped = number[:position] + str(digit) + number[position + 1 :]
    with pytest.raises(idcard.IdNumberError):
        idcard.parse(mistyped)


@pytest.mark.parametrize("region", ["３７０８１１", "٣٧٠٨١١"])
def test_compose_refuses_non_ascii_digits(region: str) -> None:
    with pytest.raises(idcard.IdNumberError):
        idcard.compose(region, date(2000, 1, 1), 0, Gender.MALE)


def test_parse_refuses_digits_from_other_scripts() -> None:
    # NFKC folds full-width digits, but Arabic-Indic digits stay what they are and must not pass.
    with pytest.raises(idcard.IdNumberError):
        idcard.parse("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X")
