from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsguard.errors import InputError
from smsguard.protect.phones import (
    mask_id_number,
    mask_name,
    mask_phone,
    normalise_phone,
    redact_phones,
)

mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+8613812345678",
        "+86 138 1234 5678",
        "008613812345678",
        "8613812345678",
        "(+86) 138.1234.5678",
    ],
)
def test_chinese_mobile_spellings_share_one_e164_form(raw: str) -> None:
    assert normalise_phone(raw) == "+8613812345678"


def test_other_countries_need_an_explicit_country_code() -> None:
    assert normalise_phone("+44 7700 900123") == "+447700900123"
    assert normalise_phone("0044 7700 900123") == "+447700900123"
    with pytest.raises(InputError):
        normalise_phone("7700900123")


@pytest.mark.parametrize(
    "raw",
    ["12812345678", "1381234567", "138123456789", "+86 10 1234 5678", "+0123456789", "abc", ""],
)
def test_invalid_numbers_are_refused_without_disclosing_them(raw: str) -> None:
    with pytest.raises(InputError) as info:
        normalise_phone(raw)
    digits = "".join(c for c in raw if c.isdigit())
    if len(digits) > 3:
        assert digits not in info.value.message
        assert digits[3:] not in info.value.message


def test_masks_have_the_documented_shapes() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138 1234 5678") == "+86 138****5678"
    assert mask_phone("not a phone 12") == "**"
    assert mask_name("张小明") == "张**"
    assert mask_name("张三") == "张*"
    assert mask_name("John Doe") == "J*** D**"
    assert mask_id_number("110101199003071234") == "110*************34"
    assert mask_id_number("11010119900307123X") == "110*************3X"


@given(mobiles, st.sampled_from(["", "+86", "0086", "+86 "]))
def test_mask_never_shows_the_middle_digits(number: str, prefix: str) -> None:
    masked = mask_phone(prefix + number)
    national = masked.removeprefix("+86 ")
    assert national == number[:3] + "****" + number[7:]
    assert masked == national if not prefix else masked == "+86 " + national


@given(st.from_regex(r"\+[1-79][0-9]{7,13}", fullmatch=True))
def test_international_masks_hide_at_least_four_digits(number: str) -> None:
    assert mask_phone(number).count("*") >= 4


@given(mobiles)
def test_redaction_masks_numbers_inside_text(number: str) -> None:
    line = f"delivery failed for {number[:3]} {number[3:7]} {number[7:]}; retrying"
    assert redact_phones(line) == f"delivery failed for {mask_phone(number)}; retrying"
    assert mask_phone(number)[3:7] == "****"
