"""Offers per segment stay inside the approved template's typed variables."""

from __future__ import annotations

import pytest

from smsguard.errors import InputError
from smsguard.targeting.offers import check_offers, values_for, variant_texts

BODY = (
    "【某银行】{name}您好，您可申请最高{limit:amount}的消费贷款，{days:integer}天内有效。回复TD退订"
)
OFFERS = {"high": {"limit": "50000元"}, "medium": {"limit": "2万"}, "low": {"limit": "5000元"}}


def test_every_segment_gets_complete_checked_values() -> None:
    variants = check_offers(BODY, {"days": "30"}, OFFERS)
    assert variants == {
        "high": {"days": "30", "limit": "50000元"},
        "medium": {"days": "30", "limit": "2万"},
        "low": {"days": "30", "limit": "5000元"},
    }
    texts = variant_texts(BODY, variants)
    assert (
        texts["medium"] == "【某银行】张三您好，您可申请最高2万的消费贷款，30天内有效。回复TD退订"
    )
    assert values_for(variants, "low") == {"days": "30", "limit": "5000元"}
    with pytest.raises(InputError):
        values_for(variants, None)


@pytest.mark.parametrize(
    ("campaign", "offers", "message"),
    [
        ({"days": "30"}, {**OFFERS, "low": {"limit": "秒批"}}, "segment 'low', variable 'limit'"),
        ({"days": "30"}, {**OFFERS, "low": {"limit": "99999999999"}}, "'low'"),
        ({"days": "30"}, {"high": OFFERS["high"]}, "missing: medium, low"),
        ({"days": "30"}, {**OFFERS, "vip": {"limit": "1元"}}, "unknown: vip"),
        ({"days": "30"}, {**OFFERS, "low": {"limit": "1元", "days": "3"}}, "same offer variables"),
        ({"days": "30"}, {s: {"name": "李四"} for s in OFFERS}, "filled per customer"),
        ({"days": "30"}, {s: {"url": "1"} for s in OFFERS}, "not placeholders"),
        ({"days": "30", "limit": "1元"}, OFFERS, "both campaign-wide and per segment"),
        ({}, OFFERS, "missing: ['days']"),
        ({"days": "30", "extra": "1"}, OFFERS, "unknown: ['extra']"),
        ({"days": "30"}, {s: {} for s in OFFERS}, "at least one variable"),
    ],
)
def test_plans_outside_the_template_are_refused(
    campaign: dict[str, str], offers: dict[str, dict[str, str]], message: str
) -> None:
    with pytest.raises(InputError) as caught:
        check_offers(BODY, campaign, offers)
    assert message in caught.value.message
