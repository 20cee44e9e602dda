"""Typed variables: only values of the declared shape get into a message."""

from __future__ import annotations

import pytest

from smsguard.errors import InputError
from smsguard.governance.variables import placeholders, render, sample_render

BODY = "{name}您好，您本期应还{amount}，请于{due:date}前还款，尾号{phone:phone_masked}。"


def test_render_fills_every_placeholder_with_checked_values() -> None:
    values = {
        "name": "王小明",
        "amount": "1200.50元",
        "due": "2026年3月1日",
        "phone": "138****1234",
    }
    assert (
        render(BODY, values)
        == "王小明您好，您本期应还1200.50元，请于2026年3月1日前还款，尾号138****1234。"
    )
    assert placeholders(BODY) == {
        "name": "name",
        "amount": "amount",
        "due": "date",
        "phone": "phone_masked",
    }


@pytest.mark.parametrize(
    "bad",
    ["http://x.cn", "秒批", "张三秒批", "张三3", "王", "www.x.cn", "张三 点击", "无视征信"],
)
def test_a_name_cannot_carry_a_link_a_claim_or_digits(bad: str) -> None:
    with pytest.raises(InputError, match="name"):
        render("{name}您好", {"name": bad})


def test_latin_names_are_allowed() -> None:
    assert render("Dear {name}", {"name": "Li Lei"}) == "Dear Li Lei"


@pytest.mark.parametrize(
    ("body", "value"),
    [
        ("{amount}", "1万亿"),
        ("{amount}", "1001万"),
        ("{amount}", "-5"),
        ("{amount}", "100元 http://x.cn"),
        ("{date}", "2026-02-30"),
        ("{date}", "明天"),
        ("{integer}", "12a"),
        ("{phone:phone_masked}", "13812341234"),
    ],
)
def test_values_outside_their_type_are_refused(body: str, value: str) -> None:
    label = body.strip("{}").split(":")[0]
    with pytest.raises(InputError):
        render(body, {label: value})


def test_amount_limit_counts_wan() -> None:
    assert render("{amount}", {"amount": "1000万"}) == "1000万"


def test_missing_and_unknown_variables_are_named() -> None:
    with pytest.raises(InputError, match=r"missing: \['amount'\]; unknown: \['link'\]"):
        render("{name}{amount}", {"name": "张三", "link": "http://x.cn"})


@pytest.mark.parametrize("body", ["{nmae}您好", "您好 {name", "{Name}", "{x:free_text}"])
def test_malformed_or_untyped_placeholders_are_refused(body: str) -> None:
    with pytest.raises(InputError):
        placeholders(body)


def test_one_label_cannot_have_two_types() -> None:
    with pytest.raises(InputError, match="two types"):
        placeholders("{d:date} {d:integer}")


def test_sample_render_uses_harmless_values() -> None:
    assert sample_render("{name}还款{amount}") == "张三还款1000元"
