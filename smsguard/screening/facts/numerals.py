"""Numbers written in Chinese characters (三十万, 七点二, 一分一).

Loan spam often spells figures out in characters, partly to dodge digit-based filters, so the
rate and money parsers need a small, forgiving converter. It handles integers below 一亿 and
decimals written with 点; anything it does not understand yields None rather than a guess.
"""

from __future__ import annotations

_DIGITS: dict[str, int] = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_SMALL_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}

CN_DIGIT_CHARS = "零〇一二两三四五六七八九"
CN_NUMBER_CHARS = CN_DIGIT_CHARS + "十百千万"


def _cn_section(text: str) -> int | None:
    """Value of a run below 一万 such as 三千零五 or 十二."""
    total = 0
    digit: int | None = None
    for ch in text:
        if ch in _DIGITS:
            if digit is not None and digit != 0:
                return None  # 一二 is not a number
            digit = _DIGITS[ch]
        elif ch in _SMALL_UNITS:
            total += (1 if digit is None else digit) * _SMALL_UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def cn_int(text: str) -> int | None:
    """Integer value of a Chinese numeral below 一亿, or None if it is not one."""
    if not text:
        return None
    high, sep, low = text.partition("万")
    if not sep:
        return _cn_section(text)
    if "万" in low:
        return None
    high_value = _cn_section(high) if high else 1
    low_value = _cn_section(low) if low else 0
    if high_value is None or low_value is None:
        return None
    return high_value * 10_000 + low_value


def cn_decimal(text: str) -> float | None:
    """Value of 七点二-style numerals; digits after 点 are read one by one."""
    whole, sep, frac = text.partition("点")
    whole_value = cn_int(whole) if whole else 0
    if whole_value is None:
        return None
    if not sep:
        return float(whole_value)
    if not frac or any(ch not in _DIGITS for ch in frac):
        return None
    return float(f"{whole_value}.{''.join(str(_DIGITS[ch]) for ch in frac)}")


def to_number(text: str) -> float | None:
    """Arabic (``1,000.5``) or Chinese (``三十``) numeral to a float.

    Callers pass what their patterns captured (digits, dots and thousands commas, or
    Chinese numerals), so ``float`` can take the Arabic case directly.
    """
    try:
        return float(text.replace(",", "") if "," in text else text)
    except ValueError:
        return cn_decimal(text)
