"""Money amounts and loan terms.

Amounts feed the "too good to be true" signals (授权136000元, 备用金20万 for a stranger) and
terms feed the instalment maths, so both are converted to one unit: yuan and months. A bare
number counts as money only with a currency or magnitude unit (元, 万, ¥, RMB, $) or right
after a limit word (额度50000), which keeps phone numbers, dates and codes out.
"""

from __future__ import annotations

import re

from smsguard.screening.facts.model import Amount, Bound, Term
from smsguard.screening.facts.numerals import to_number
from smsguard.screening.text import NormalizedText

_N = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CNN = "[一二两三四五六七八九十][零〇一二两三四五六七八九十百千]*"
_SEP = r"\s?(?:-|~|～|至|到|—|–)\s?"
_MAG = r"百万|千万|万|千|w|k"

_AMOUNT = re.compile(
    r"(?P<cur>us\$|hk\$|¥|￥|\$|£|€|rmb|cny|usd|hkd|人民币)"
    rf"\s?(?P<n1>{_N})\s?(?P<m1>{_MAG})?(?![a-z\d])(?:元)?"
    rf"|(?<![\d.,])(?:(?P<lo>{_N}){_SEP})?(?P<n2>{_N})\s?(?P<m2>{_MAG})?\s?"
    r"(?P<u2>美元|港币|元|块钱?|圆|yuan|rmb|dollars?|usd|hkd|pounds?)(?![a-z])"
    rf"|(?<![\d.,])(?:(?P<lo3>{_N}){_SEP})?(?P<n3>{_N})\s?(?P<m3>{_MAG})(?!分之|[a-z])"
    rf"|(?P<cn>{_CNN})(?P<cm>[万千])?(?P<cu>元)"
    rf"|(?P<cn2>{_CNN})(?P<cm2>万|千)(?!分之|一|火急)"
    r"|(?P<kw>额度|授信|可借|可贷|备用金|借款|授权)(?:[:：为是高达最至调可]{0,4})"
    r"(?P<n4>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{3,}(?:\.\d+)?)(?![\d.%万千元块wk])"
)
_MAGNITUDE = {
    "百万": 1e6,
    "千万": 1e7,
    "万": 1e4,
    "w": 1e4,
    "千": 1e3,
    "k": 1e3,
    "": 1.0,
}
_CURRENCY = {
    "us$": "USD",
    "$": "USD",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "美元": "USD",
    "hk$": "HKD",
    "hkd": "HKD",
    "港币": "HKD",
    "£": "GBP",
    "pound": "GBP",
    "pounds": "GBP",
    "€": "EUR",
}
_LIMIT_WORDS = ("额度", "授信", "可借", "可贷", "最高", "备用金", "授权", "借款", "最多", "up to")
_CLAUSE_BREAK = re.compile(r"[，。！？；,!?;\n]")

_TERM = re.compile(
    rf"(?P<pre>最长|最短|最多|长达|期限|可分|分)?(?<![\d.])(?:(?P<lo>\d{{1,3}}|{_CNN}){_SEP})?"
    rf"(?P<n>\d{{1,3}}(?:\.\d+)?|{_CNN})\s?(?P<u>个月|年期|年|期|天)"
    r"|(?<![\d.])(?P<en>\d{1,3})[\s-]?(?P<eu>months?|years?|yrs?|days?|instal{1,2}ments?)(?![a-z])"
)
_TERM_MONTHS = {
    "个月": 1.0,
    "期": 1.0,
    "年": 12.0,
    "年期": 12.0,
    "天": 12 / 365,
    "month": 1.0,
    "year": 12.0,
    "yr": 12.0,
    "day": 12 / 365,
    "instalment": 1.0,
    "installment": 1.0,
}
_TERM_GATE = ("期", "月", "年", "天", "month", "year", "yr", "day", "instal")
_NOT_TERM_AFTER = ("放款", "到账", "下款", "批", "内", "前", "后", "审", "有效", "以上", "以来", "来")
_NOT_TERM_BEFORE = ("第", "近", "最快", "快", "每", "过去", "前")


def _limit_context(text: str, start: int) -> bool:
    window = text[max(0, start - 10) : start]
    window = _CLAUSE_BREAK.split(window)[-1]
    return any(word in window for word in _LIMIT_WORDS)


def _currency(token: str, before: str) -> str:
    code = _CURRENCY.get(token)
    if code is None and "美元" in before:
        return "USD"
    return code or "CNY"


def _amounts_from(
    nt: NormalizedText, match: re.Match[str]
) -> list[tuple[float, str, tuple[int, int]]]:
    """(value, currency, text span) for the match, two of them for a 3-6千元 range."""
    g = match.groupdict()
    before = nt.text[max(0, match.start() - 6) : match.start()]
    if g["cur"] is not None:
        value = to_number(g["n1"])
        scale, currency = _MAGNITUDE[g["m1"] or ""], _currency(g["cur"], "")
        return [] if value is None else [(value * scale, currency, match.span())]
    for num, low, mag, unit in (("n2", "lo", "m2", "u2"), ("n3", "lo3", "m3", None)):
        if g[num] is not None:
            scale = _MAGNITUDE[g[mag] or ""]
            currency = _currency(g[unit] or "", before) if unit else _currency("", before)
            values = [to_number(g[num])] + ([to_number(g[low])] if g[low] else [])
            return [(v * scale, currency, match.span()) for v in values if v is not None]
    if g["cu"] is not None or g["cn2"] is not None:
        digits, mag = (g["cn"], g["cm"]) if g["cu"] is not None else (g["cn2"], g["cm2"])
        value = to_number(digits) if digits else (1.0 if mag else None)
        return [] if value is None else [(value * _MAGNITUDE[mag or ""], "CNY", match.span())]
    value = to_number(g["n4"])
    return [] if value is None else [(value, _currency("", before), match.span("n4"))]


def find_amounts(nt: NormalizedText) -> tuple[Amount, ...]:
    """Every money amount, converted to yuan where the currency is the yuan."""
    text = nt.text
    found: list[Amount] = []
    for match in _AMOUNT.finditer(text):
        is_limit = match["kw"] is not None or _limit_context(text, match.start())
        for value, currency, span in _amounts_from(nt, match):
            yuan = value if currency == "CNY" else None
            found.append(Amount(value, currency, yuan, is_limit, nt.to_original(*span)))
    return tuple(found)


def _term_ok(text: str, match: re.Match[str]) -> bool:
    after = text[match.end() : match.end() + 2]
    before = text[max(0, match.start() - 2) : match.start()]
    if match["u"] in ("天", "年") and after.startswith(_NOT_TERM_AFTER):
        return False
    if match["u"] == "年" and after[:1].isdigit():
        return False
    if match["u"] == "期" and not match["n"][0].isdigit() and match["pre"] not in ("分", "可分"):
        return False  # 一期、二期 are usually building phases or issue numbers
    return not (match["pre"] is None and before.endswith(_NOT_TERM_BEFORE))


def _term_bound(match: re.Match[str]) -> Bound:
    pre = match["pre"] or ""
    if pre in ("最长", "最多", "长达"):
        return "upper"
    if pre == "最短":
        return "lower"
    return "exact"


def find_terms(nt: NormalizedText) -> tuple[Term, ...]:
    """Loan terms (12期, 36个月, 最长5年, 30天) in months; a 3-36期 range gives two."""
    text = nt.text
    if not any(word in text for word in _TERM_GATE):
        return ()
    found: list[Term] = []
    for match in _TERM.finditer(text):
        span = nt.to_original(*match.span())
        if match["en"] is not None:
            unit = match["eu"].rstrip("s")
            found.append(Term(float(match["en"]) * _TERM_MONTHS[unit], "exact", span))
            continue
        if not _term_ok(text, match):
            continue
        per = _TERM_MONTHS[match["u"]]
        high = to_number(match["n"])
        low = to_number(match["lo"]) if match["lo"] else None
        if high is None:
            continue
        if low is None:
            found.append(Term(high * per, _term_bound(match), span))
        else:
            found += [Term(low * per, "range_low", span), Term(high * per, "range_high", span)]
    return tuple(found)


def instalment_periods(terms: tuple[Term, ...]) -> int | None:
    """The number of monthly periods when the SMS names exactly one whole-month term."""
    months = {round(t.months) for t in terms if t.bound == "exact" and 1 <= t.months <= 60}
    return months.pop() if len(months) == 1 else None
