"""The engine: verdicts, spans into the original text, purposes, context and bad input."""

from __future__ import annotations

import pytest

from smsguard.errors import InputError
from smsguard.screening import Screener
from smsguard.screening.sender import builtin_directory

COMPLIANT = (
    "【好借银行】信用贷款年化利率7.2%-18%（单利），最高20万，以审批结果为准，详询95500，拒收请回复R"
)


def test_compliant_marketing_passes(screener: Screener) -> None:
    """No rule objects; from an unknown sender the model still asks a person (it is an
    advert, and consent cannot be read from text); from the identified bank it passes."""
    from smsguard.demo import demo_senders

    anonymous = screener.screen(COMPLIANT)
    assert [f.rule for f in anonymous.findings] == ["MODEL_SPAM"]
    assert anonymous.purpose == "marketing" and anonymous.loan_related
    verdict = screener.screen(COMPLIANT, sender=demo_senders()["good-bank"])
    assert verdict.verdict == "pass", verdict.to_dict()["findings"]


def test_spans_point_into_the_original_text(screener: Screener) -> None:
    text = "【速借】ＶＩＰ借款秒 - 批！當天放款，回T退订"
    verdict = screener.screen(text)
    by_rule = {f.rule: f for f in verdict.findings}
    start, end = by_rule["GUARANTEED_APPROVAL"].span
    assert text[start:end] in ("秒 - 批", "當天放款")
    for finding in verdict.findings:
        assert 0 <= finding.span[0] <= finding.span[1] <= len(text)


def test_json_shape_is_stable(screener: Screener) -> None:
    data = screener.screen("贷款秒批").to_dict()
    assert set(data) >= {"verdict", "findings", "facts", "rulebook"}
    finding = data["findings"][0]  # type: ignore[index]
    assert set(finding) >= {"rule", "severity", "category", "span", "message", "basis"}


def test_verification_code_is_not_marketing(screener: Screener) -> None:
    verdict = screener.screen("【好借银行】您的验证码是482913，5分钟内有效，请勿告知他人")
    assert verdict.purpose == "verification"
    assert verdict.verdict == "pass"


def test_everyday_text_passes(screener: Screener) -> None:
    verdict = screener.screen("晚上一起吃饭吗？7点老地方见")
    assert verdict.verdict == "pass" and not verdict.loan_related


def test_explicit_purpose_changes_the_rules(screener: Screener) -> None:
    text = "【好借银行】您的借款本月应还2000元，请按时还款"
    as_service = screener.screen(text, context={"purpose": "service"})
    as_marketing = screener.screen(text, context={"purpose": "marketing"})
    assert "OPT_OUT_MISSING" not in {f.rule for f in as_service.findings}
    assert "OPT_OUT_MISSING" in {f.rule for f in as_marketing.findings}


def test_bank_impersonation_is_blocked_as_fraud(screener: Screener) -> None:
    verdict = screener.screen(
        "【建设银行】您的卡已冻结，请登录 ccb-safe.top 解冻，或致电00852-61234567"
    )
    assert verdict.verdict == "block" and verdict.fraud
    assert {"URL_NOT_OFFICIAL", "CALLBACK_NOT_OFFICIAL"} <= {f.rule for f in verdict.findings}


def test_builtin_directory_knows_major_banks() -> None:
    profile = builtin_directory().lookup("建设银行")
    assert profile is not None and profile.owns_number("95533")


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("", "empty"),
        ("   \n", "empty"),
        ("x" * 70_000, "limit"),
        (b"\xff\xfe\x00bad", "UTF-8"),
        ("abc\x00def", "binary"),
        ("\x01\x02\x03\x04ab", "binary"),
        (12345, "string"),
    ],
)
def test_bad_input_gets_a_clear_error(screener: Screener, value: object, needle: str) -> None:
    with pytest.raises(InputError, match=needle):
        screener.screen(value)  # type: ignore[arg-type]


def test_ten_megabytes_is_refused_quickly(screener: Screener) -> None:
    with pytest.raises(InputError, match="10,485,760 characters"):
        screener.screen("贷" * 10_485_760)


def test_bytes_input_is_decoded(screener: Screener) -> None:
    assert screener.screen("贷款秒批".encode()).verdict == "block"


def test_bad_context_is_named(screener: Screener) -> None:
    with pytest.raises(InputError, match="purpose"):
        screener.screen("hello", context={"purpose": "spam"})
    with pytest.raises(InputError, match="colour"):
        screener.screen("hello", context={"colour": "red"})


def test_screen_many_matches_screen(screener: Screener) -> None:
    texts = [COMPLIANT, "贷款秒批", "晚上见", "【建设银行】请回复验证码"] * 300
    batch = [v.to_dict() for v in screener.screen_many(texts, batch_size=128)]
    single = [screener.screen(t).to_dict() for t in texts]
    assert batch == single


def test_screen_many_names_the_bad_item(screener: Screener) -> None:
    with pytest.raises(InputError, match="item 1"):
        list(screener.screen_many(["贷款", ""]))


def test_fast_pass_skips_fact_rules(screener: Screener) -> None:
    (verdict,) = screener.screen_many(["【好借银行】贷款秒批，日息0.1%"], facts=False)
    rules = {f.rule for f in verdict.findings}
    assert "GUARANTEED_APPROVAL" in rules and "DAILY_RATE_WITHOUT_ANNUAL" not in rules
    assert verdict.facts is None
