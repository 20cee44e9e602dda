"""Rate parsing and annualisation (regulations.md §A1)."""

from __future__ import annotations

import pytest

from smsguard.screening.facts.consistency import find_inconsistencies
from smsguard.screening.facts.model import Rate
from smsguard.screening.facts.rates import (
    annualise,
    annualise_fee_rates,
    irr_annual_percent,
    parse_rates,
)
from smsguard.screening.text import NormalizedText


def rates_of(text: str) -> tuple[Rate, ...]:
    return parse_rates(NormalizedText(text, text.lower()))


def only(text: str) -> Rate:
    found = rates_of(text)
    assert len(found) == 1, found
    return found[0]


def test_daily_rate_converts_by_365() -> None:
    rate = only("日利率0.05%，按日计息")
    assert (rate.kind, rate.value, rate.bound) == ("daily", 0.05, "exact")
    assert rate.annual_percent == pytest.approx(18.25)


def test_ten_thousandths_per_day() -> None:
    rate = only("日息万分之五")
    assert rate.kind == "per_10k_daily"
    assert rate.value == pytest.approx(0.05)
    assert rate.annual_percent == pytest.approx(18.25)


def test_standalone_ten_thousandths_is_daily() -> None:
    assert only("借一万每天只要万分之三").annual_percent == pytest.approx(10.95)


def test_monthly_rate_converts_by_12() -> None:
    rate = only("月利率0.6%")
    assert rate.kind == "monthly"
    assert rate.annual_percent == pytest.approx(7.2)


@pytest.mark.parametrize(
    ("text", "kind", "annual"),
    [
        ("0.05%/天", "daily", 18.25),
        ("0.05% per day", "daily", 18.25),
        ("0.6%/月", "monthly", 7.2),
        ("19.9% APR", "apr", 19.9),
        ("利率3.5%/年", "annual", 3.5),
        ("interest rate of 3.5% p.a.", "annual", 3.5),
        ("daily interest 0.1%", "daily", 36.5),
        ("annual percentage rate 24%", "apr", 24.0),
        ("日利率百分之零点零五", "daily", 18.25),
    ],
)
def test_period_from_keyword_or_suffix(text: str, kind: str, annual: float) -> None:
    rate = only(text)
    assert rate.kind == kind
    assert rate.annual_percent == pytest.approx(annual)


@pytest.mark.parametrize(
    ("text", "monthly_percent"),
    [
        ("月息1分", 1.0),
        ("月息3厘", 0.3),
        ("月息8厘8", 0.88),
        ("月利息一分二", 1.2),
        ("利息一分二五", 1.25),  # colloquial: no period means monthly
        ("月息两分", 2.0),
    ],
)
def test_fen_and_li_are_read_with_the_textbook_table(text: str, monthly_percent: float) -> None:
    rate = only(text)
    assert rate.kind == "monthly"
    assert rate.value == pytest.approx(monthly_percent)


def test_fen_for_annual_and_daily_periods() -> None:
    assert only("年息1分").value == pytest.approx(10.0)
    assert only("日息3厘").value == pytest.approx(0.03)


def test_ten_fen_as_an_adverb_is_not_a_rate() -> None:
    assert rates_of("利息十分优惠，3分钟到账") == ()


def test_annual_range_gives_two_rates_sharing_a_span() -> None:
    text = "年化利率7.2%-18%（单利）"
    low, high = rates_of(text)
    assert (low.bound, low.value, high.bound, high.value) == ("range_low", 7.2, "range_high", 18.0)
    assert low.span == high.span == (0, len("年化利率7.2%-18%"))
    assert low.simple is high.simple is True


@pytest.mark.parametrize("text", ["年化利率7.2-18%", "年化利率7.2%～18%", "年化利率7.2%至18%"])
def test_range_spellings(text: str) -> None:
    assert [r.value for r in rates_of(text)] == [7.2, 18.0]


def test_range_in_li_inherits_the_unit() -> None:
    assert [r.value for r in rates_of("月息6-9厘")] == pytest.approx([0.6, 0.9])


@pytest.mark.parametrize(
    ("text", "bound"),
    [
        ("年化利率低至7.2%", "lower"),
        ("最低年化利率7.2%", "lower"),
        ("年化利率7.2%起", "lower"),
        ("利息低至0.3%/月", "lower"),
        ("年化利率最高24%", "upper"),
        ("年化利率不超过24%", "upper"),
        ("年化利率10%", "exact"),
        ("APR as low as 9.9%", "lower"),
    ],
)
def test_bounds(text: str, bound: str) -> None:
    assert only(text).bound == bound


def test_simple_and_compound_labels() -> None:
    assert only("年化利率（单利）7.2%").simple is True
    assert only("年化利率7.2%（复利）").simple is False
    irr = only("年化利率(IRR)15%")
    assert (irr.kind, irr.simple) == ("irr", False)
    assert only("年化利率10%").simple is None


def test_bare_number_counts_only_after_an_annual_keyword() -> None:
    assert only("年息8.4，当天放款").annual_percent == pytest.approx(8.4)
    assert rates_of("日息5，当天放款") == ()


def test_rate_without_period_is_unspecified() -> None:
    rate = only("利息低至0.3%")
    assert (rate.kind, rate.annual_percent, rate.bound) == ("unspecified", None, "lower")


def test_investment_yields_are_not_loan_prices() -> None:
    assert rates_of("预期年化收益率4.8%，七日年化收益3.6%，12%年化收益") == ()


def test_percentages_without_rate_context_are_ignored() -> None:
    assert rates_of("首付20%，贷款额度40%保证金，115%回购") == ()


def test_per_day_amount_with_principal() -> None:
    rate = only("1万元1天利息仅需2元")
    assert rate.kind == "per_day_amount"
    assert rate.value == 2.0
    assert rate.annual_percent == pytest.approx(7.3)
    assert rate.bound == "lower"


def test_per_day_amount_without_principal_has_no_annual_figure() -> None:
    rate = only("每天仅需5元，轻松借款")
    assert (rate.kind, rate.value, rate.annual_percent) == ("per_day_amount", 5.0, None)


def test_per_day_amount_ignores_rewards_and_reminders() -> None:
    assert rates_of("每日签到领100元，今日还款100元") == ()


def test_english_rate_words_need_word_boundaries() -> None:
    assert rates_of("we are interested in 5% more") == ()
    assert rates_of("april 5% off") == ()


def test_spans_point_into_the_original() -> None:
    original = "日\u200b利率0.05%"
    normalised = NormalizedText(original, "日利率0.05%", offsets=(0, 2, 3, 4, 5, 6, 7, 8, 9))
    (rate,) = parse_rates(normalised)
    assert rate.span == (0, len(original))


def test_annualise_table() -> None:
    assert annualise("annual", 7.2) == 7.2
    assert annualise("daily", 0.05) == pytest.approx(18.25)
    assert annualise("monthly", 1.0) == pytest.approx(12.0)
    assert annualise("fee_rate", 0.6) is None
    assert annualise("unspecified", 1.0) is None


def test_irr_of_a_fee_based_instalment_matches_the_regulation_example() -> None:
    # regulations.md §A1: 12 instalments with a 0.6 % monthly fee → 13.03 % a year.
    payments = [1 / 12 + 0.006] * 12
    assert irr_annual_percent(1.0, payments) == pytest.approx(13.03, abs=0.005)


def test_irr_edge_cases() -> None:
    assert irr_annual_percent(100.0, [100.0]) == pytest.approx(0.0, abs=1e-6)
    assert irr_annual_percent(100.0, [50.0, 40.0]) < 0
    with pytest.raises(ValueError):
        irr_annual_percent(0.0, [1.0])
    with pytest.raises(ValueError):
        irr_annual_percent(1.0, [])


def test_fee_rate_gets_an_irr_figure_when_the_term_is_known() -> None:
    rates = rates_of("分期手续费率0.6%/月")
    assert rates[0].kind == "fee_rate"
    assert rates[0].annual_percent is None
    (annualised,) = annualise_fee_rates(rates, 12)
    assert annualised.annual_percent == pytest.approx(13.03, abs=0.005)
    assert annualised.simple is False
    assert annualise_fee_rates(rates, None) == rates


def test_daily_rate_that_contradicts_the_annual_rate() -> None:
    rates = rates_of("日利率0.05%，年化利率10%")
    (problem,) = find_inconsistencies(rates)
    assert problem.other_kind == "daily"
    assert problem.other_annual_percent == pytest.approx(18.25)
    assert (problem.annual_low, problem.annual_high) == (10.0, 10.0)
    assert problem.span == (0, len("日利率0.05%，年化利率10%"))
    assert "18.25%" in problem.describe()


@pytest.mark.parametrize(
    "text",
    [
        "日利率0.05%，年化利率18.25%",
        "日利率0.05%，年化利率18%",  # within 0.5 points
        "日息万分之五，年化利率7.2%-18.5%",  # inside the range
        "月利率0.6%，年化利率7.2%",
    ],
)
def test_consistent_pairs_pass(text: str) -> None:
    assert find_inconsistencies(rates_of(text)) == ()


def test_range_annual_that_the_daily_rate_falls_outside() -> None:
    (problem,) = find_inconsistencies(rates_of("年化利率7.2%-12%，日利率0.05%"))
    assert (problem.annual_low, problem.annual_high) == (7.2, 12.0)
    assert "7.2%–12%" in problem.describe()


def test_lower_bound_daily_rates_are_not_compared() -> None:
    assert find_inconsistencies(rates_of("年化利率10%，日利率低至0.05%")) == ()
