"""Phone numbers and SMS ports by numbering plan."""

from __future__ import annotations

import pytest

from smsguard.screening.facts.model import PhoneFact
from smsguard.screening.facts.phones import find_phones
from smsguard.screening.text import NormalizedText


def phones_of(text: str, skip: tuple[tuple[int, int], ...] = ()) -> tuple[PhoneFact, ...]:
    return find_phones(NormalizedText(text, text.lower()), skip)


@pytest.mark.parametrize(
    ("text", "number", "kind"),
    [
        ("详询95588", "95588", "service_95"),
        ("客服4008208820", "4008208820", "service_400"),
        ("客服400-820-8820", "4008208820", "service_400"),
        ("客服4009-333-333", "4009333333", "service_400"),
        ("免费电话800-810-8888", "8008108888", "service_800"),
        ("举报请发送至12321", "12321", "short_code"),
        ("发送CXZD至10086", "10086", "short_code"),
        ("发送至10086999", "10086999", "short_code"),
        ("联系王经理13800138000", "13800138000", "mobile"),
        ("联系 138 0013 8000", "13800138000", "mobile"),
        ("call +86 138-0013-8000", "13800138000", "mobile"),
        ("致电010-12321", "01012321", "landline"),
        ("热线0511-88915988", "051188915988", "landline"),
        ("电话(021)62345678", "02162345678", "landline"),
        ("详询：51291111", "51291111", "landline"),
        ("回复至1065502012345", "1065502012345", "port_1065"),
        ("请致电00852 2345 6789", "85223456789", "international"),
        ("call +44 7700 900123", "447700900123", "international"),
    ],
)
def test_kinds(text: str, number: str, kind: str) -> None:
    (phone,) = phones_of(text)
    assert (phone.number, phone.kind) == (number, kind)


@pytest.mark.parametrize(
    "text",
    [
        "授权136000元",
        "额度12000",
        "您的验证码是123456",
        "验证码12321，请勿泄露",
        "尾号4118的银行卡",
        "订单2537489474已发货",
        "2024年01月01日",
        "最高20万",
        "12期",
        "51291111",  # a local number needs a contact word
        "qq12345678",
        "abc12345",
    ],
)
def test_not_phones(text: str) -> None:
    assert phones_of(text) == ()


def test_two_numbers_side_by_side() -> None:
    assert [p.kind for p in phones_of("95588 13800138000")] == ["service_95", "mobile"]


def test_digits_inside_links_are_skipped() -> None:
    text = "http://x.cn/13800138000 或 13900139000"
    (phone,) = phones_of(text, skip=((0, 23),))
    assert phone.number == "13900139000"


def test_phone_span_in_original() -> None:
    original = "联系１３８００１３８０００"
    nt = NormalizedText(original, "联系13800138000")
    (phone,) = find_phones(nt)
    assert phone.span == (2, len(original))
