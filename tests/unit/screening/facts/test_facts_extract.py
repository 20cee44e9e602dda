"""extract_facts end to end: realistic messages, JSON form, offsets, robustness."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smsguard.screening.facts import Facts, extract_facts
from smsguard.screening.text import NormalizedText


def facts_of(text: str) -> Facts:
    return extract_facts(NormalizedText(text, text.lower()))


def test_compliant_bank_advert() -> None:
    text = (
        "【平安银行】尊敬的客户，您的信用贷额度最高20万，日利率0.05%，年化利率18.25%（单利），"
        "最长36期，等额本息。详询95511，拒收请回复R"
    )
    facts = facts_of(text)
    assert facts.signature is not None and facts.signature.at_start
    assert [r.kind for r in facts.rates] == ["daily", "annual"]
    assert facts.annual_rate_stated
    assert facts.max_annual_percent == pytest.approx(18.25)
    assert facts.rate_inconsistencies == ()
    assert facts.simple_interest_labelled
    assert [(t.months, t.bound) for t in facts.terms] == [(36.0, "upper")]
    assert [(a.yuan, a.is_limit) for a in facts.amounts] == [(200_000.0, True)]
    assert facts.repayment_methods == ("等额本息",)
    assert [(p.number, p.kind) for p in facts.phones] == [("95511", "service_95")]
    assert facts.opt_out is not None and facts.opt_out.at_end
    assert facts.urls == () and facts.fees == () and facts.sensitive_requests == ()
    assert facts.segments.encoding == "ucs2"


def test_loan_fraud_message() -> None:
    text = (
        "【建设银行】您的额度已提升至50000元，请点击 ccb-vip.top/app.apk 或联系13800138000，"
        "需先交解冻费2000元至安全账户"
    )
    facts = facts_of(text)
    (url,) = facts.urls
    assert (url.lookalike_of, url.odd_tld, url.is_apk) == ("ccb", True, True)
    assert [p.kind for p in facts.phones] == ["mobile"]
    assert [(f.name, f.upfront) for f in facts.fees] == [("解冻费", True)]
    assert [r.kind for r in facts.sensitive_requests] == ["transfer_instruction"]
    assert not facts.annual_rate_stated
    assert facts.opt_out is None


def test_inconsistent_rates_and_instalment_fee() -> None:
    facts = facts_of("日利率0.05%，年化利率10%；分期手续费0.6%/月，分12期")
    assert len(facts.rate_inconsistencies) == 1
    fee_rate = next(r for r in facts.rates if r.kind == "fee_rate")
    assert fee_rate.annual_percent == pytest.approx(13.03, abs=0.005)
    assert facts.max_annual_percent == pytest.approx(18.25)


def test_english_message() -> None:
    facts = facts_of(
        "Your loan of $5,000 is pre-approved at 19.9% APR. Call 0800 123 4567 or visit "
        "bit.ly/3xYz. Reply STOP to opt out"
    )
    assert [(r.kind, r.value) for r in facts.rates] == [("apr", 19.9)]
    assert facts.amounts[0].currency == "USD"
    assert facts.urls[0].is_shortener
    assert facts.opt_out is not None and facts.opt_out.phrase == "Reply STOP to opt out"
    assert facts.segments.encoding == "gsm7"


def test_otp_message() -> None:
    facts = facts_of("您的验证码是123456，切勿告诉他人。【招商银行】")
    assert facts.otp_code_present
    assert facts.sensitive_requests == ()
    assert facts.phones == ()
    assert facts.signature is not None and facts.signature.at_end


def test_spans_point_into_the_original_when_characters_were_removed() -> None:
    original = "【平\u200b安】日 利 率0.05%，点 t.cn/AbC"
    text = "【平安】日利率0.05%，点 t.cn/abc"
    offsets = [
        i
        for i, ch in enumerate(original)
        if ch != "\u200b" and not (ch == " " and original[i - 1] in "日利")
    ]
    assert len(offsets) == len(text)
    facts = extract_facts(NormalizedText(original, text, offsets))
    assert facts.signature is not None
    assert original[slice(*facts.signature.span)] == "【平\u200b安】"
    assert facts.signature.text == "平\u200b安"
    (rate,) = facts.rates
    assert original[slice(*rate.span)] == "日 利 率0.05%"
    (url,) = facts.urls
    assert url.raw == "t.cn/AbC"
    assert url.normalized == "http://t.cn/AbC"


def test_to_dict_is_json_ready_and_rounded() -> None:
    facts = facts_of("分期手续费0.6%/月，分12期，详询95588，回T退订")
    data = facts.to_dict()
    json.dumps(data, ensure_ascii=False)
    rates = data["rates"]
    assert isinstance(rates, list)
    assert rates[0]["annual_percent"] == 13.0342
    assert rates[0]["span"] == [0, 11]
    assert data["opt_out"] == {"phrase": "回T退订", "at_end": True, "span": [25, 29]}
    assert data["segments"] == {"encoding": "ucs2", "length": 29, "parts": 1}
    assert list(data) == [
        "signature", "signature_lookalike", "extra_brackets", "rates", "annual_rate_stated",
        "max_annual_percent", "rate_inconsistencies", "simple_interest_labelled", "terms",
        "amounts", "repayment_methods", "fees", "urls", "phones", "opt_out",
        "complaint_channels", "sensitive_requests", "otp_code_present", "segments",
    ]  # fmt: skip


def test_inconsistency_to_dict() -> None:
    data = facts_of("日利率0.05%，年化利率10%").to_dict()
    assert data["rate_inconsistencies"] == [
        {
            "annual_low": 10.0,
            "annual_high": 10.0,
            "annual_span": [9, 16],
            "other_kind": "daily",
            "other_annual_percent": 18.25,
            "other_span": [0, 8],
        }
    ]


@pytest.mark.parametrize(
    "text",
    ["", " ", "【", "】【", "%%%", "万分之", "年化利率", "12321" * 40, "http://", "￥", "\x00"],
)
def test_odd_inputs_do_not_crash(text: str) -> None:
    facts = facts_of(text)
    assert isinstance(facts.to_dict(), dict)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            "年化利率日息月万分之厘元期天%.-0123456789【】 tcnw/:@qQ微信回T退订"
        ),
        max_size=60,
    )
)
def test_random_text_gives_valid_spans(text: str) -> None:
    facts = facts_of(text)
    spans: list[tuple[int, int]] = [r.span for r in facts.rates]
    spans += [a.span for a in facts.amounts] + [p.span for p in facts.phones]
    spans += [u.span for u in facts.urls] + [t.span for t in facts.terms]
    spans += list(facts.extra_brackets) + [r.span for r in facts.sensitive_requests]
    for start, end in spans:
        assert 0 <= start <= end <= len(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_unicode_text(text: str) -> None:
    facts_of(text).to_dict()
