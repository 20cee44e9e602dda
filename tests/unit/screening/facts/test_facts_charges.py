"""Fees (upfront-fraud pattern, advertised-free claims) and repayment methods."""

from __future__ import annotations

import pytest

from smsguard.screening.facts.charges import find_fees, find_repayment_methods
from smsguard.screening.facts.model import FeeMention
from smsguard.screening.text import NormalizedText


def fees_of(text: str) -> tuple[FeeMention, ...]:
    return find_fees(NormalizedText(text, text.lower()))


@pytest.mark.parametrize(
    "name",
    ["解冻费", "解冻金", "保证金", "押金", "认证金", "验证金", "激活费", "刷流水", "流水费", "验资",
     "回档押金", "开启提款通道"],
)  # fmt: skip
def test_inherently_upfront_fees(name: str) -> None:
    (fee,) = fees_of(f"您的贷款已审批，需缴纳{name}后放款")
    assert (fee.name, fee.upfront, fee.waived) == (name, True, False)


def test_percentage_deposit() -> None:
    (fee,) = fees_of("需缴纳贷款额度40%保证金")
    assert fee.upfront


@pytest.mark.parametrize(
    "text", ["放款前先交手续费500元", "需预先支付服务费", "请提前缴纳会员费", "先交管理费再放款"]
)
def test_ordinary_fees_become_upfront_when_paid_first(text: str) -> None:
    (fee,) = fees_of(text)
    assert fee.upfront


def test_ordinary_fees() -> None:
    fees = fees_of("分期手续费按月收取，逾期收取违约金和罚息")
    assert [(f.name, f.upfront) for f in fees] == [
        ("分期手续费", False),
        ("违约金", False),
        ("罚息", False),
    ]


@pytest.mark.parametrize(
    "text", ["0手续费", "无手续费", "免手续费", "不收任何手续费", "手续费全免", "不交任何押金"]
)
def test_waived_fees(text: str) -> None:
    (fee,) = fees_of(text)
    assert fee.waived
    assert not fee.upfront


def test_fee_span() -> None:
    text = "先交解冻费2000元"
    (fee,) = fees_of(text)
    assert text[fee.span[0] : fee.span[1]] == "解冻费"


@pytest.mark.parametrize(
    ("text", "methods"),
    [
        ("等额本息，最长36期", ("等额本息",)),
        ("随借随还，按日计息", ("随借随还", "按日计息")),
        ("每月付息，到期还本", ("先息后本", "到期还本")),
        ("先息后本或等额本金", ("先息后本", "等额本金")),
        ("可分12期，分期还款", ("分期",)),
        ("用一天算一天利息", ("按日计息",)),
        ("今天天气不错", ()),
    ],
)
def test_repayment_methods(text: str, methods: tuple[str, ...]) -> None:
    assert find_repayment_methods(text) == methods
