"""Words that introduce a rate, and the period each one implies.

Kept apart from the parser so that adding a synonym is a one-line data change. The parser
builds one alternation from these literals (longest first), which the regex engine can scan
for quickly. ``unspecified`` words (利率, 利息 …) name no period; a suffix such as /天 or
p.a., or a 分/厘 unit, settles it later.
"""

from __future__ import annotations

from smsguard.screening.facts.model import RateKind
from smsguard.screening.facts.textutil import word_set


def _words(kind: RateKind, words: str) -> dict[str, RateKind]:
    return dict.fromkeys(word_set(words), kind)


KEYWORDS: dict[str, RateKind] = {
    **_words(
        "annual",
        "年化综合资金成本 年化综合成本 年化综合费率 综合年化成本 综合年化利率 综合年化费率 "
        "综合年化 年化利率 年化费率 年化 年利率 年息 年利息 annual_interest_rate "
        "annualised_interest_rate "
        "annualized_interest_rate annualised_rate annualized_rate annual_rate",
    ),
    **_words("apr", "annual_percentage_rate apr"),
    **_words("irr", "irr 内部收益率"),
    **_words(
        "daily",
        "日利率 日息 日费率 日利息 日综合费率 每日利率 daily_interest_rate daily_interest "
        "daily_rate",
    ),
    **_words(
        "monthly",
        "月利率 月息 月费率 月利息 月综合费率 每月利率 monthly_interest_rate monthly_interest "
        "monthly_rate",
    ),
    **_words(
        "fee_rate",
        "分期手续费率 分期手续费 每期手续费率 每期手续费 每月手续费 月手续费率 月手续费 手续费率 "
        "手续费 分期费率 每期费率",
    ),
    **_words(
        "unspecified",
        "综合利率 综合费率 利率 利息 费率 interest_rates interest_rate interest",
    ),
}
