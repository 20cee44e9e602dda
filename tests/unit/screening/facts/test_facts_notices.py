"""Opt-out wording and complaint channels."""

from __future__ import annotations

import pytest

from smsguard.screening.facts.model import OptOutFact
from smsguard.screening.facts.notices import find_complaint_channels, find_opt_out
from smsguard.screening.text import NormalizedText


def opt_out_of(text: str) -> OptOutFact | None:
    return find_opt_out(NormalizedText(text, text.lower()))


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("额度已提升，拒收请回复R", "拒收请回复R"),
        ("优惠多多，回T退订", "回T退订"),
        ("优惠多多，退订回T", "退订回T"),
        ("优惠多多，回TD退订", "回TD退订"),
        ("优惠多多，退订回TD", "退订回TD"),
        ("优惠多多，回复TD退订", "回复TD退订"),
        ("优惠多多，回N退订", "回N退订"),
        ("账单已出，回复TDZD退订本短信", "回复TDZD退订"),
        ("Win a prize! Reply STOP to opt out", "Reply STOP to opt out"),
        ("Msg&data rates apply. Text STOP to end", "Text STOP to end"),
        ("Click here to unsubscribe", "unsubscribe"),
    ],
)
def test_opt_out_phrases(text: str, phrase: str) -> None:
    fact = opt_out_of(text)
    assert fact is not None
    assert fact.phrase == phrase
    assert fact.at_end


def test_opt_out_followed_by_signature_is_still_at_end() -> None:
    fact = opt_out_of("额度已提升，回T退订【某某银行】")
    assert fact is not None and fact.at_end


def test_opt_out_in_the_middle() -> None:
    fact = opt_out_of("回T退订，另有好礼相送，详询95588")
    assert fact is not None and not fact.at_end


@pytest.mark.parametrize("text", ["回复Y确认订购", "您好，欢迎使用", "Stop by our shop", ""])
def test_no_opt_out(text: str) -> None:
    assert opt_out_of(text) is None


def test_complaint_channels() -> None:
    text = "投诉电话：400-820-8820；也可拨打12321举报，消费者权益保护热线95511"
    channels = find_complaint_channels(NormalizedText(text, text))
    assert [(c.label, c.number) for c in channels] == [
        ("投诉电话", "4008208820"),
        ("12321", "12321"),
        ("消费者权益保护热线", "95511"),
    ]
    first = channels[0]
    assert text[first.span[0] : first.span[1]] == "投诉电话：400-820-8820"


def test_hotline_digits_inside_a_longer_number_do_not_count() -> None:
    assert find_complaint_channels(NormalizedText("订单号9123219", "订单号9123219")) == ()
