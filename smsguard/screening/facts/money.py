"""Money amounts and loan terms.

Amounts feed the "too good to be true" signals (授权136000元, 备用金20万 for a stranger) and
terms feed the instalment maths, so both are converted to one unit: yuan and months. A bare
number counts as money only with a currency or magnitude unit (元, 万, ¥, RMB, $) or right
after a limit word (额度50000), which keeps phone numbers, dates and codes out.

Every pattern starts with a digit, a currency sign or a keyword, so the regex engine can skip
ahead, and numbers are matched possessively so a failed unit check does not backtrack
digit by digit; the context checks (limit words, 最长, dates) are plain string tests.
"""

from __future__ import annotations

import re

from smsguard.screening.facts.model import Amount, Bound, Term
from smsguard.screening.facts.numerals import to_number
from smsguard.screening.facts.textutil import span_of
from smsguard.screening.text import NormalizedText

# A whole number token; the look-behind keeps "2013" from matching as "013".
_NUM = r"[0-9](?<![0-9.,][0-9])(?>[0-9]*+(?:,[0-9]{3})*+(?:\.[0-9]++)?)"
_NUM2 = r"[0-9](?>[0-9]*+(?:,[0-9]{3})*+(?:\.[0-9]++)?)"
_SEP = r"\s?(?:-|~|～|至|到|—|–)\s?"
_MAG = r"百万|千万|万|千|w|k"
_MAG_CN = r"百万|千万|万|千"
_UNIT = r"美元|港币|元|块钱?|圆|yuan|rmb|dollars?|usd|hkd|pounds?"

# "w"/"k" (2w = 20000) must touch the number and end the token: "36504 W4" is a postcode.
_AMOUNT_NUM = re.compile(
    rf"(?P<n>{_NUM})(?:{_SEP}(?P<n2>{_NUM2}))?"
    rf"(?:(?:\s?(?P<mag>{_MAG_CN})(?!分之)|(?P<mag2>[wk])(?![a-z0-9]))\s?(?P<unit>{_UNIT})?"
    rf"|\s?(?P<unit2>{_UNIT}))(?![a-z])"
)
_AMOUNT_CUR = re.compile(
    r"(?P<cur>us\$|hk\$|¥|￥|\$|£|€|rmb|cny|usd|hkd|人民币)"
    rf"\s?(?P<n>{_NUM2})\s?(?P<mag>{_MAG})?(?![a-z0-9])元?"
)
_AMOUNT_CN = re.compile(
    r"[一二两三四五六七八九十][零〇一二两三四五六七八九十百千]*(?:(?P<mag>万|千)(?!分之|一|火急)元?|元)"
)
_AMOUNT_KW = re.compile(
    r"(?:额度|授信|可借|可贷|备用金|借款|授权)[:：为是高达最至调可]{0,4}"
    r"(?P<n>[0-9](?>[0-9]{0,2}(?:,[0-9]{3})++|[0-9]{2,}+)(?:\.[0-9]++)?)(?![0-9.%万千元块wk])"
)
_MAGNITUDE = {"百万": 1e6, "千万": 1e7, "万": 1e4, "w": 1e4, "千": 1e3, "k": 1e3}
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
# A limit word earlier in the same clause: 额度最高20万, 可借50000元.
_LIMIT_BEFORE = re.compile(
    r"(?:额度|授信|可借|可贷|最高|备用金|(?<!预)授权|借款|最多|up to)[^，。！？；,!?;\n]*+$"
)

_TERM = re.compile(
    r"(?P<n>[0-9一二两三四五六七八九十](?<![0-9.][0-9])(?>[0-9.一二两三四五六七八九十百]*+))"
    r"(?:\s?(?:-|~|～|至|到|—|–)\s?"
    r"(?P<n2>[0-9一二两三四五六七八九十](?>[0-9.一二两三四五六七八九十百]*+)))?"
    r"\s?(?P<u>个月|年期|年|期|天)"
)
_TERM_EN = re.compile(
    r"(?P<n>[0-9](?<![0-9.][0-9])[0-9]{0,2}+)[\s-]?"
    r"(?P<u>months?|years?|yrs?|days?|instal{1,2}ments?)(?![a-z])"
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
_TERM_PRE = re.compile(r"(?:最长|最短|最多|长达|期限|可分|分)$")
_UPPER_PRE = ("最长", "最多", "长达")
_NOT_TERM_AFTER = (
    "放款",
    "到账",
    "下款",
    "批",
    "内",
    "前",
    "后",
    "审",
    "有效",
    "以上",
    "以来",
    "来",
)
_NOT_TERM_BEFORE = ("第", "近", "快", "每", "过去", "前")


def _amount(
    nt: NormalizedText, value: float | None, currency: str, start: int, end: int
) -> Amount | None:
    if value is None:
        return None
    limit = _LIMIT_BEFORE.search(nt.text, max(0, start - 10), start) is not None
    yuan = value if currency == "CNY" else None
    return Amount(value, currency, yuan, limit, span_of(nt, start, end))


def _implied_currency(text: str, start: int) -> str:
    """美元额度调至1,000: a bare figure is in dollars when 美元 comes just before it."""
    return "USD" if "美元" in text[max(0, start - 8) : start] else "CNY"


def _numeric(nt: NormalizedText, m: re.Match[str], out: list[Amount]) -> None:
    """20万 / 3-6千元 (two amounts) / 50000元 / 5000 rmb."""
    number, second, mag, mag2, unit, unit2 = m.group("n", "n2", "mag", "mag2", "unit", "unit2")
    mag = mag or mag2
    scale = _MAGNITUDE[mag] if mag else 1.0
    word = unit or unit2  # 元, 块, yuan, rmb … are yuan; 美元, $ … are not
    currency = _CURRENCY.get(word, "CNY") if word else _implied_currency(nt.text, m.start())
    start, end = m.span()
    for token in (number, second) if second else (number,):
        value = to_number(token)
        amount = _amount(nt, None if value is None else value * scale, currency, start, end)
        if amount is not None:
            out.append(amount)


def _with_currency(nt: NormalizedText, m: re.Match[str], out: list[Amount]) -> None:
    value, mag = to_number(m.group("n")), m.group("mag")
    if value is not None and mag:
        value *= _MAGNITUDE[mag]
    amount = _amount(nt, value, _CURRENCY.get(m.group("cur"), "CNY"), *m.span())
    if amount is not None:
        out.append(amount)


def _spelled(nt: NormalizedText, m: re.Match[str], out: list[Amount]) -> None:
    """五千元, 三十万, 一千二百万: a Chinese numeral before 万, 千 or 元."""
    mag = m.group("mag")
    digits = m.group()[: m.start("mag") - m.start()] if mag else m.group().rstrip("元")
    value = to_number(digits)
    scale = _MAGNITUDE[mag] if mag else 1.0
    amount = _amount(nt, None if value is None else value * scale, "CNY", *m.span())
    if amount is not None:
        out.append(amount)


def _has_currency_sign(text: str) -> bool:
    if "¥" in text or "￥" in text or "$" in text or "£" in text or "€" in text:
        return True
    return "rmb" in text or "cny" in text or "usd" in text or "hkd" in text or "人民币" in text


def find_amounts(nt: NormalizedText) -> tuple[Amount, ...]:
    """Every money amount, converted to yuan where the currency is the yuan."""
    text = nt.text
    found: list[Amount] = []
    taken: list[tuple[int, int]] = []
    if _has_currency_sign(text):
        for m in _AMOUNT_CUR.finditer(text):
            _with_currency(nt, m, found)
            taken.append(m.span())
    for m in _AMOUNT_NUM.finditer(text):
        if not taken or not any(m.start() < end and start < m.end() for start, end in taken):
            _numeric(nt, m, found)
    if "万" in text or "千" in text or "元" in text:
        for m in _AMOUNT_CN.finditer(text):
            _spelled(nt, m, found)
    if "额" in text or "授" in text or "借" in text or "贷" in text or "备用金" in text:
        for m in _AMOUNT_KW.finditer(text):
            currency = _implied_currency(text, m.start())
            amount = _amount(nt, to_number(m.group("n")), currency, *m.span("n"))
            if amount is not None:
                found.append(amount)
    if len(found) > 1:
        found.sort(key=lambda a: a.span)
    return tuple(found)


def _term_bound(pre: str) -> Bound:
    if pre in _UPPER_PRE:
        return "upper"
    return "lower" if pre == "最短" else "exact"


def _chinese_term(nt: NormalizedText, m: re.Match[str], out: list[Term]) -> None:
    text = nt.text
    number, second, unit = m.group("n", "n2", "u")
    start, end = m.span()
    after = text[end : end + 2]
    if (unit == "天" or unit == "年") and after.startswith(_NOT_TERM_AFTER):
        return
    if unit == "年" and (after[:1].isdigit() or len(number) >= 4):
        return  # 2013年, 三年300万: a date or a count, not a term
    pre_match = _TERM_PRE.search(text, max(0, start - 2), start)
    pre = pre_match.group() if pre_match else ""
    if unit == "期" and not number[0].isdigit() and pre not in ("分", "可分"):
        return  # 一期、二期 are building phases or issue numbers
    if not pre and text[max(0, start - 2) : start].endswith(_NOT_TERM_BEFORE):
        return
    per = _TERM_MONTHS[unit]
    span = span_of(nt, start - len(pre), end)
    high = to_number(second or number)
    low = to_number(number) if second else None
    if high is None:
        return
    if low is None:
        out.append(Term(high * per, _term_bound(pre), span))
    else:
        out += (Term(low * per, "range_low", span), Term(high * per, "range_high", span))


def find_terms(nt: NormalizedText) -> tuple[Term, ...]:
    """Loan terms (12期, 36个月, 最长5年, 30天) in months; a 3-36期 range gives two."""
    text = nt.text
    found: list[Term] = []
    if "期" in text or "月" in text or "年" in text or "天" in text:
        for m in _TERM.finditer(text):
            _chinese_term(nt, m, found)
    if "month" in text or "year" in text or "yr" in text or "day" in text or "instal" in text:
        for m in _TERM_EN.finditer(text):
            months = float(m.group("n")) * _TERM_MONTHS[m.group("u").rstrip("s")]
            found.append(Term(months, "exact", span_of(nt, *m.span())))
    return tuple(found)


def instalment_periods(terms: tuple[Term, ...]) -> int | None:
    """The number of monthly periods when the SMS names exactly one whole-month term."""
    months = {round(t.months) for t in terms if t.bound == "exact" and 1 <= t.months <= 60}
    return months.pop() if len(months) == 1 else None
