"""Words for explanations, in Chinese and English: each condition of the audience language.

Like the dashboard's labels (``smsguard.web.i18n``), every text is a ``(zh, en)`` pair; a
caller picks one with :func:`pick`.
"""

from __future__ import annotations

from typing import Literal

from smsguard.targeting.language import (
    ActiveWithin,
    AgeIs,
    CreditBandIs,
    DebtRatioIs,
    IncomeBandIs,
    Leaf,
    ProductInterestIs,
    Ratio,
    RegionIs,
)

Lang = Literal["zh", "en"]
Text = tuple[str, str]

WORDS: dict[str, Text] = {
    "met": ("满足", "met"),
    "not_met": ("不满足", "not met"),
    "hit": ("命中", "applies"),
    "clear": ("未命中", "does not apply"),
    "in": ("在名单中", "IN the frozen audience"),
    "out": ("不在名单中", "NOT in the frozen audience"),
    "not_frozen": ("受众尚未冻结（活动未批准）", "audience not frozen yet (campaign not approved)"),
    "definition": ("受众定义", "audience definition"),
    "everyone": ("全部客户", "every customer"),
    "listed": ("在指定客户名单中", "on the campaign's customer list"),
    "exclusions": ("强制排除", "mandatory exclusions"),
    "rank": ("按响应倾向排序入选", "ranked by propensity"),
    "verdict_in": ("该客户在本活动的受众中", "this customer is in the campaign's audience"),
    "verdict_out": ("该客户不在本活动的受众中", "this customer is not in the campaign's audience"),
    "ranked_out": (
        "符合定义且未被排除，但按响应倾向排序未入选（名额或最低概率）",
        "matches and is not excluded, but was not ranked in (limit or minimum probability)",
    ),
    "evaluated": ("按当前数据、以此时刻评估", "evaluated on today's data as of"),
}


def pick(text: Text, lang: Lang) -> str:
    """The text in ``lang``."""
    return text[0] if lang == "zh" else text[1]


def _ratio(bounds: Ratio) -> Text:
    if bounds.between is not None:
        low, high = bounds.between
        return f"负债收入比在 {low}–{high} 之间", f"debt ratio between {low} and {high}"
    signs = {"lt": "<", "le": "≤", "gt": ">", "ge": "≥"}
    parts = [
        f"{signs[k]} {v}" for k, v in bounds.model_dump().items() if k in signs and v is not None
    ]
    joined = " 且 ".join(parts), " and ".join(parts)
    return f"负债收入比 {joined[0]}", f"debt ratio {joined[1]}"


def describe(leaf: Leaf) -> Text:
    """What a leaf asks, e.g. ("信用等级为 A、B", "credit band is A or B")."""
    if isinstance(leaf, CreditBandIs):
        values: tuple[str, ...] = leaf.credit_band.in_
        return f"信用等级为 {'、'.join(values)}", f"credit band is {' or '.join(values)}"
    if isinstance(leaf, IncomeBandIs):
        values = leaf.income_band.in_
        return f"收入档为 {'、'.join(values)}", f"income band is {' or '.join(values)}"
    if isinstance(leaf, ProductInterestIs):
        values = leaf.product_interest.in_
        return f"产品意向为 {'、'.join(values)}", f"product interest is {' or '.join(values)}"
    if isinstance(leaf, RegionIs):
        values = leaf.region.in_
        return (
            f"地区（省级代码）为 {'、'.join(values)}",
            f"region (province) is {' or '.join(values)}",
        )
    if isinstance(leaf, DebtRatioIs):
        return _ratio(leaf.debt_ratio)
    if isinstance(leaf, AgeIs):
        low, high = leaf.age.between
        return f"年龄 {low}–{high} 岁", f"aged {low} to {high}"
    if isinstance(leaf, ActiveWithin):
        days = leaf.active_within_days
        return f"{days} 天内活跃", f"active in the last {days} days"
    raise AssertionError(f"no words for {type(leaf).__name__}")
