"""Typed template variables: the only way per-recipient text enters an approved message.

A compliance officer approves a template's fixed wording. If a variable could carry any text,
a sender could put a link or a promise ("秒批", "无视征信") into it after approval and bypass
the review. So every placeholder has a type, and each value must match its type's narrow
shape: a name is letters only, an amount is a bounded number, a date is a real date. There
is no free-text type on purpose.

Placeholders are ``{label}`` where the label is itself a type (``{name}``, ``{amount}``), or
``{label:type}`` to use a type more than once (``{due:date}``). Any other brace is an error,
so a typo cannot silently leave ``{nmae}`` in a sent message.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from smsguard.errors import InputError

MAX_AMOUNT_YUAN = Decimal(10_000_000)
MAX_INTEGER = 1_000_000_000

# Words that make a claim about credit; none of them belongs in a person's name.
CLAIM_TERMS = (
    "秒批", "秒到", "秒下", "包过", "必过", "必下", "免息", "免审", "无视", "征信", "黑户",
    "低息", "零息", "利率", "利息", "额度", "放款", "下款", "贷款", "借款", "口子", "代还",
    "套现", "提额", "退订", "点击", "链接", "官网", "客服", "返现", "红包", "中奖",
)  # fmt: skip

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]{0,31})(?::([a-z_]+))?\}")
_NAME = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,20}|[A-Za-z][A-Za-z '-]{0,18}[A-Za-z]")
_AMOUNT = re.compile(r"(\d{1,9}(?:\.\d{1,2})?)(元|万元|万)?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_CN_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_INTEGER = re.compile(r"\d{1,10}")
_MASKED_PHONE = re.compile(r"1\d{2}\*{4}\d{4}")


def _check_name(value: str) -> None:
    if not _NAME.fullmatch(value):
        raise InputError(f"name {value!r} must be 2-20 Chinese or Latin letters, nothing else")
    claim = next((term for term in CLAIM_TERMS if term in value), None)
    if claim is not None:
        raise InputError(f"name {value!r} contains the claim word {claim!r}")


def _check_amount(value: str) -> None:
    match = _AMOUNT.fullmatch(value)
    if match is None:
        raise InputError(f"amount {value!r} must be a number with at most 2 decimals, 元 or 万")
    try:
        yuan = Decimal(match.group(1))
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise InputError(f"amount {value!r} is not a number") from None
    if match.group(2) in ("万", "万元"):
        yuan *= 10_000
    if yuan > MAX_AMOUNT_YUAN:
        raise InputError(f"amount {value!r} exceeds the limit of {MAX_AMOUNT_YUAN} 元")


def _check_date(value: str) -> None:
    match = _ISO_DATE.fullmatch(value) or _CN_DATE.fullmatch(value)
    if match is None:
        raise InputError(f"date {value!r} must look like 2026-03-01 or 2026年3月1日")
    try:
        date(*(int(part) for part in match.groups()))
    except ValueError:
        raise InputError(f"date {value!r} is not a calendar date") from None


def _check_integer(value: str) -> None:
    if not _INTEGER.fullmatch(value) or int(value) > MAX_INTEGER:
        raise InputError(f"integer {value!r} must be digits only, at most {MAX_INTEGER}")


def _check_phone(value: str) -> None:
    if not _MASKED_PHONE.fullmatch(value):
        raise InputError(f"phone {value!r} must be masked like 138****1234")


CHECKS: dict[str, Callable[[str], None]] = {
    "name": _check_name,
    "amount": _check_amount,
    "date": _check_date,
    "integer": _check_integer,
    "phone_masked": _check_phone,
}

# A harmless value of each type, used to screen a template's wording before any real data.
SAMPLES: dict[str, str] = {
    "name": "张三",
    "amount": "1000元",
    "date": "2026-01-01",
    "integer": "3",
    "phone_masked": "138****1234",
}


def placeholders(text: str) -> dict[str, str]:
    """The template's variables, label to type; raises InputError on any malformed brace."""
    return dict(_placeholders(text))


@functools.lru_cache(maxsize=256)
def _placeholders(text: str) -> tuple[tuple[str, str], ...]:
    """Parsed once per template text: a campaign renders the same template many times."""
    found: dict[str, str] = {}
    for match in _PLACEHOLDER.finditer(text):
        label, kind = match.group(1), match.group(2) or match.group(1)
        if kind not in CHECKS:
            raise InputError(f"placeholder {match.group(0)} has unknown type {kind!r}")
        if found.setdefault(label, kind) != kind:
            raise InputError(f"placeholder {label!r} is used with two types")
    stray = _PLACEHOLDER.sub("", text)
    if "{" in stray or "}" in stray:
        raise InputError("template has a brace that is not a {label} or {label:type} placeholder")
    return tuple(found.items())


def check_value(kind: str, value: str) -> None:
    """Raise InputError unless ``value`` is a valid value of type ``kind``."""
    CHECKS[kind](value)


def render(template_text: str, values: Mapping[str, str]) -> str:
    """The message with every placeholder filled; every value checked against its type."""
    variables = placeholders(template_text)
    missing = sorted(set(variables) - set(values))
    unknown = sorted(set(values) - set(variables))
    if missing or unknown:
        raise InputError(f"variables missing: {missing or 'none'}; unknown: {unknown or 'none'}")
    for label, kind in variables.items():
        check_value(kind, values[label])
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template_text)


def sample_render(template_text: str) -> str:
    """The message filled with harmless samples, for screening the fixed wording."""
    variables = placeholders(template_text)
    return render(template_text, {label: SAMPLES[kind] for label, kind in variables.items()})
