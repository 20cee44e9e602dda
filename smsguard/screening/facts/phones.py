"""Phone numbers and SMS ports, classified by the Chinese numbering plan.

The kind matters more than the number: a bank's real contact is a 95xxx or 400 number, while
fraud SMS that wear a bank signature ask the reader to call a personal mobile, an
international number or reply to a 1065 port. Loan SMS are full of other digit runs
(amounts, dates, verification codes, account tails), so a number must have a plausible
shape, must stand alone (no digit or letter glued to it), must not carry a unit (元, 万, 期 …)
and must not follow words like 验证码 or 尾号.

Each alternative of the pattern starts with a fixed character so that the regex engine can
skip the text quickly; the empty-looking named group in each tells which one matched.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from smsguard.screening.facts.model import PhoneFact, PhoneKind
from smsguard.screening.facts.textutil import span_of
from smsguard.screening.text import NormalizedText

_REST_MOBILE = r"[3-9][0-9](?:[- ]?[0-9]){8}"
_REST_INTL = r"[1-9][0-9]{0,2}[- ]?[0-9](?:[- ]?[0-9]){5,13}"
_PHONE = re.compile(
    rf"(?:\+86[- ]?1{_REST_MOBILE}(?P<plus86>)"
    rf"|\+{_REST_INTL}(?P<plus>)"
    rf"|0086[- ]?1{_REST_MOBILE}(?P<zero86>)"
    rf"|00(?!86){_REST_INTL}(?P<zero>)"
    rf"|86[- ]?1{_REST_MOBILE}(?P<bare86>)"
    r"|106[5-9][0-9]{4,16}(?P<port_1065>)"
    rf"|1{_REST_MOBILE}(?P<mobile>)"
    r"|1(?:0[0-9]{3}(?:[0-9]{3})?|2[0-9]{3})(?P<short_code>)"
    r"|400(?:[- ]?[0-9]){7}(?P<service_400>)"
    r"|800(?:[- ]?[0-9]){7}(?P<service_800>)"
    r"|0[1-9][0-9]{1,2}(?:[- ]?[0-9]{7,8}(?:-[0-9]{1,5})?|-[0-9]{5})(?P<landline>)"
    r"|\(0[1-9][0-9]{1,2}\)\s?[0-9]{7,8}(?P<paren>)"
    r"|95[0-9]{3}(?P<service_95>))(?![0-9])"
)
# Local numbers without an area code (详询51291111) only count after a contact word.
_LOCAL = re.compile(
    r"(?:电话|热线|详询|咨询|致电|拨打|联系|专线|客服|tel|call|phone)[:：\s]{0,2}([2-8][0-9]{6,7})(?![0-9])"
)
_KINDS: dict[str, PhoneKind] = {
    "plus86": "mobile",
    "plus": "international",
    "zero86": "mobile",
    "zero": "international",
    "bare86": "mobile",
    "port_1065": "port_1065",
    "mobile": "mobile",
    "short_code": "short_code",
    "service_400": "service_400",
    "service_800": "service_800",
    "landline": "landline",
    "paren": "landline",
    "service_95": "service_95",
}
_UNIT_AFTER = frozenset("元万千块%个天期年月日号次倍分秒w")
_GLUED = frozenset("0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NOT_A_PHONE_BEFORE = re.compile(
    r"验证码|校验码|动态码|code|密码|尾号|卡号|账号|订单|工号|编号|单号|代码|qq|额度|金额|余额|借款|授信|最高|¥|\$"
)
_LOCAL_GATE = re.compile(r"电话|热线|询|致电|拨打|联系|专线|客服|tel|call|phone")


def _number(group: str, raw: str) -> str:
    digits = raw if raw.isdigit() else "".join(ch for ch in raw if ch.isdigit())
    if group in ("plus86", "zero86", "bare86"):
        return digits[-11:]
    if group == "zero":
        return digits[2:]
    return digits


def _plausible(text: str, start: int, end: int, group: str) -> bool:
    if start and (text[start - 1] in _GLUED or (group == "bare86" and text[start - 1] == "+")):
        return False  # part of a longer token: an order number, a code, +86…
    if end < len(text) and text[end] in _UNIT_AFTER:
        return False
    return _NOT_A_PHONE_BEFORE.search(text, max(0, start - 6), start) is None


def _outside(start: int, end: int, skip: Sequence[tuple[int, int]]) -> bool:
    return not skip or not any(start < s_end and s_start < end for s_start, s_end in skip)


def find_phones(nt: NormalizedText, skip: Sequence[tuple[int, int]] = ()) -> tuple[PhoneFact, ...]:
    """Every phone-like number in ``nt.text`` outside the ``skip`` spans (links)."""
    text = nt.text
    found: list[PhoneFact] = []
    for m in _PHONE.finditer(text):
        group = m.lastgroup or ""
        start, end = m.span()
        if _plausible(text, start, end, group) and _outside(start, end, skip):
            number = _number(group, m.group())
            found.append(PhoneFact(number, _KINDS[group], span_of(nt, start, end)))
    if _LOCAL_GATE.search(text) is not None:
        for m in _LOCAL.finditer(text):
            start, end = m.span(1)
            if _plausible(text, start, end, "local") and _outside(start, end, skip):
                found.append(PhoneFact(m.group(1), "landline", span_of(nt, start, end)))
        found.sort(key=lambda p: p.span)
    return tuple(found)
