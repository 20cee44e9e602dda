"""Phone numbers and SMS ports, classified by the Chinese numbering plan.

The kind matters more than the number: a bank's real contact is a 95xxx or 400 number, while
fraud SMS that wear a bank signature ask the reader to call a personal mobile, an
international number or reply to a 1065 port. Loan SMS are full of other digit runs
(amounts, dates, verification codes, account tails), so a number must have a plausible
shape, must not carry a unit (元, 万, 期 …) and must not follow words like 验证码 or 尾号.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from smsguard.screening.facts.model import PhoneFact, PhoneKind
from smsguard.screening.text import NormalizedText

_PHONE = re.compile(
    r"(?<![\da-z_])(?:"
    r"(?P<international>(?:\+|00)(?!86)[1-9]\d{0,2}[- ]?\d(?:[- ]?\d){5,13})"
    r"|(?P<cn_mobile>(?:\+86|0086|(?<!\+)86)[- ]?1[3-9]\d(?:[- ]?\d){8})"
    r"|(?P<port_1065>106[5-9]\d{4,16})"
    r"|(?P<mobile>1[3-9]\d(?:[- ]?\d){8})"
    r"|(?P<service_400>400(?:[- ]?\d){7})"
    r"|(?P<service_800>800(?:[- ]?\d){7})"
    r"|(?P<landline>0[1-9]\d{1,2}[- ]?\d{7,8}|\(0[1-9]\d{1,2}\)\s?\d{7,8}|0[1-9]\d{1,2}-\d{5})"
    r"|(?P<service_95>95\d{3})"
    r"|(?P<short_code>1(?:0\d{3}(?:\d{3})?|2\d{3}))"
    r"|(?P<local>[2-8]\d{6,7})"
    r")(?![\d])"
)
_KINDS: dict[str, PhoneKind] = {
    "international": "international",
    "cn_mobile": "mobile",
    "port_1065": "port_1065",
    "mobile": "mobile",
    "service_400": "service_400",
    "service_800": "service_800",
    "landline": "landline",
    "service_95": "service_95",
    "short_code": "short_code",
    "local": "landline",
}
_UNIT_AFTER = frozenset("元万千块%个天期年月日号次倍分秒w")
_NOT_A_PHONE_BEFORE = (
    "验证码",
    "校验码",
    "动态码",
    "code",
    "密码",
    "尾号",
    "卡号",
    "账号",
    "订单",
    "工号",
    "编号",
    "单号",
    "代码",
    "qq",
    "额度",
    "金额",
    "余额",
    "借款",
    "授信",
    "最高",
    "¥",
    "$",
)
_LOCAL_CONTEXT = ("电话", "热线", "询", "致电", "拨打", "联系", "tel", "call", "phone", "专线", "客服")


def _digits(raw: str) -> str:
    return "".join(ch for ch in raw if ch.isdigit())


def _number(kind_group: str, raw: str) -> str:
    digits = _digits(raw)
    if kind_group == "cn_mobile":
        return digits[-11:]
    if kind_group == "international" and raw.startswith("00"):
        return digits[2:]
    return digits


def _plausible(text: str, match: re.Match[str], group: str) -> bool:
    after = text[match.end() : match.end() + 1]
    if after in _UNIT_AFTER and after:
        return False
    before = text[max(0, match.start() - 6) : match.start()]
    if any(word in before for word in _NOT_A_PHONE_BEFORE):
        return False
    return group != "local" or any(word in before for word in _LOCAL_CONTEXT)


def _inside(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(start < s_end and s_start < end for s_start, s_end in spans)


def find_phones(
    nt: NormalizedText, skip: Sequence[tuple[int, int]] = ()
) -> tuple[PhoneFact, ...]:
    """Every phone-like number in ``nt.text`` outside the ``skip`` spans (links)."""
    text = nt.text
    found: list[PhoneFact] = []
    for match in _PHONE.finditer(text):
        group = match.lastgroup or ""
        if _inside(match.start(), match.end(), skip) or not _plausible(text, match, group):
            continue
        number = _number(group, match.group())
        found.append(PhoneFact(number, _KINDS[group], nt.to_original(*match.span())))
    return tuple(found)
