"""Money amounts (in yuan) and loan terms (in months)."""

from __future__ import annotations

import pytest

from smsguard.screening.facts.model import Amount, Term
from smsguard.screening.facts.money import find_amounts, find_terms, instalment_periods
from smsguard.screening.text import NormalizedText


def amounts_of(text: str) -> tuple[Amount, ...]:
    return find_amounts(NormalizedText(text, text.lower()))


def terms_of(text: str) -> tuple[Term, ...]:
    return find_terms(NormalizedText(text, text.lower()))


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("最高20万", 200_000.0),
        ("额度50000元", 50_000.0),
        ("授权136000元已到账", 136_000.0),
        ("可领5千备用金", 5_000.0),
        ("1.5万", 15_000.0),
        ("¥3,000", 3_000.0),
        ("￥3,000", 3_000.0),
        ("RMB 5000", 5_000.0),
        ("5000 rmb", 5_000.0),
        ("人民币300.00元", 300.0),
        ("五千元", 5_000.0),
        ("三十万", 300_000.0),
        ("一万元", 10_000.0),
        ("额度50000，马上领取", 50_000.0),
        ("2w额度", 20_000.0),
    ],
)
def test_amounts_in_yuan(text: str, yuan: float) -> None:
    (amount,) = amounts_of(text)
    assert amount.currency == "CNY"
    assert amount.yuan == pytest.approx(yuan)


def test_foreign_currency_keeps_its_value_but_no_yuan() -> None:
    (amount,) = amounts_of("You won $500 today")
    assert (amount.value, amount.currency, amount.yuan) == (500.0, "USD", None)
    assert amounts_of("£2.50 per week")[0].currency == "GBP"
    assert amounts_of("账户美元额度调至1,000")[0].currency == "USD"


def test_range_gives_both_ends() -> None:
    assert [a.yuan for a in amounts_of("可借3-6千元")] == [3_000.0, 6_000.0]
    assert [a.yuan for a in amounts_of("额度1-500万")] == [10_000.0, 5_000_000.0]


@pytest.mark.parametrize(
    ("text", "is_limit"),
    [
        ("最高20万", True),
        ("额度50000元", True),
        ("备用金8000元待领取", True),
        ("可借10万", True),
        ("消费300元", False),
        ("预授权人民币300.00元", False),
        ("额度已恢复，消费300元", False),  # a different clause
    ],
)
def test_limit_words(text: str, is_limit: bool) -> None:
    (amount,) = amounts_of(text)
    assert amount.is_limit is is_limit


@pytest.mark.parametrize(
    "text",
    [
        "请致电13800138000",
        "2013年8月20日",
        "验证码123456",
        "日利率0.05%",
        "万分之五",
        "十万火急",
        "千万不要错过",
        "POBox 36504 W4 5WQ",
        "36期",
    ],
)
def test_things_that_are_not_money(text: str) -> None:
    assert amounts_of(text) == ()


def test_amount_span_in_original() -> None:
    original = "额度５０万"
    nt = NormalizedText(original, "额度50万")
    (amount,) = find_amounts(nt)
    assert original[amount.span[0] : amount.span[1]] == "５０万"


@pytest.mark.parametrize(
    ("text", "months", "bound"),
    [
        ("分12期还款", 12.0, "exact"),
        ("36个月", 36.0, "exact"),
        ("最长5年", 60.0, "upper"),
        ("贷款期限3年", 36.0, "exact"),
        ("期限30天", 30 * 12 / 365, "exact"),
        ("1年期", 12.0, "exact"),
        ("分十二期", 12.0, "exact"),
        ("最短3个月", 3.0, "lower"),
        ("12 months", 12.0, "exact"),
        ("a 5-year loan", 60.0, "exact"),
    ],
)
def test_terms(text: str, months: float, bound: str) -> None:
    (term,) = terms_of(text)
    assert term.months == pytest.approx(months)
    assert term.bound == bound


def test_term_span_includes_its_qualifier() -> None:
    text = "额度20万，最长36期"
    (term,) = terms_of(text)
    assert text[term.span[0] : term.span[1]] == "最长36期"


def test_term_range() -> None:
    assert [(t.months, t.bound) for t in terms_of("可分3-36期")] == [
        (3.0, "range_low"),
        (36.0, "range_high"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "2013年10月",
        "7天放款",
        "3天内到账",
        "第3期",
        "近三个月工资流水",
        "每3个月可办理",
        "一期开盘二期加推",
        "三年以上保单",
    ],
)
def test_things_that_are_not_terms(text: str) -> None:
    assert terms_of(text) == ()


def test_instalment_periods_needs_one_whole_month_term() -> None:
    assert instalment_periods(terms_of("分12期")) == 12
    assert instalment_periods(terms_of("12期或24期")) is None
    assert instalment_periods(terms_of("最长36期")) is None
    assert instalment_periods(()) is None
