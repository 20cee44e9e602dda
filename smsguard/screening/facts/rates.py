"""Interest-rate mentions and their annualised equivalents.

PBoC announcement 〔2021〕 No. 3 makes the annualised rate the headline figure of any loan
advert; daily and monthly figures may appear only beside it and must agree with it. To check
that, every rate is parsed with its period and converted to one annual scale: daily × 365,
monthly × 12, 万分之X per day → X/100 % × 365, and "每天X元 per P元" → X/P × 365 × 100.

Traditional 分/厘 units (月息1分 = 1 %/month) are read with the textbook table: 1分 is 10 %
a year, 1 % a month, 0.1 % a day; 1厘 is a tenth of that. A bare 利息X分 with no period is the
colloquial monthly figure. Investment yields (年化收益率) are not loan prices and are skipped.

Speed matters (this runs on every SMS), so each pattern starts with a literal or a character
class that the regex engine can scan for, and the period-free "0.05%/天" form is found from
the few '%' signs rather than by scanning every number.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from smsguard.screening.facts.model import ANNUAL_KINDS, Bound, Rate, RateKind
from smsguard.screening.facts.numerals import to_number
from smsguard.screening.facts.rate_words import KEYWORDS
from smsguard.screening.facts.textutil import span_of, standalone, trie_pattern
from smsguard.screening.text import NormalizedText

_N = r"[0-9][0-9]*(?:\.[0-9]+)?"
_CN = "[零〇一二两三四五六七八九十点]+"
_SEP = r"\s?(?:-|~|～|至|到|—|–|to)\s?"
_FILL = (
    r"(?:\s|[:：=是为约在按(（)）,]|单利|复利|irr|可低至|低至|最低|最高|仅需|只需|仅|只要|低到"
    r"|高达|不超过|不高于|可|达|as low as|up to|from|starting at|of|at|is|just|only)*"
)
_SUFFIX = (
    r"\s?(?:/|每|per\s|a\s)\s?(?:天|日|月|年|day|month|year|annum)(?![a-z])"
    r"|\s?(?:年化(?!收益)|p\.?\s?a(?![a-z])\.?|apr(?![a-z])|annual(?:ly)?(?![a-z])"
    r"|daily(?![a-z])|monthly(?![a-z])|per annum)"
)


def _one_value(i: int) -> str:
    """One rate figure; group names carry ``i`` so that a range can hold two."""
    return (
        rf"(?:(?P<pct{i}>{_N})\s?%"
        rf"|万分之(?P<w{i}>{_N}|{_CN})"
        rf"|百分之(?P<b{i}>{_N}|{_CN})"
        rf"|(?P<fen{i}>{_N}|[一二两三四五六七八九])(?P<unit{i}>[分厘])"
        rf"(?P<frac{i}>[0-9]{{1,2}}|[一二三四五六七八九]{{1,2}})?(?![钟钱之0-9天期年月个日])"
        rf"|(?P<bare{i}>{_N})(?![0-9.%万千元块天日月年期个分厘wk]))"
    )


# Keyword, filler words, one figure or a range, optional period suffix: all in one scan.
_RATE = re.compile(
    rf"(?P<kw>{trie_pattern(KEYWORDS)})(?!收益)(?P<fill>{_FILL}){_one_value(1)}"
    rf"(?P<second>{_SEP}{_one_value(2)})?(?P<suffix>{_SUFFIX})?"
)

# Positions in m.groups(): each figure's seven groups are consecutive, in _one_value order.
_G_KW, _G_FILL = _RATE.groupindex["kw"] - 1, _RATE.groupindex["fill"] - 1
_G_FIRST, _G_SECOND = _RATE.groupindex["pct1"] - 1, _RATE.groupindex["second"] - 1
_G_SUFFIX = _RATE.groupindex["suffix"] - 1
_SUFFIX_AT = re.compile(_SUFFIX)
_NUM_BEFORE = re.compile(rf"(?:(?P<lo>{_N})\s?%?{_SEP})?(?P<v>{_N})\s?$")
_PER_10K = re.compile(rf"万分之(?P<w>{_N}|{_CN})")
_DAY_WORDS = r"(?:利息|还款?|费用|仅需?|只需?|只要|低至|最低|约|仅|才)"
_DAY = re.compile(r"每天|每日|一天|1天|日还款|日还|日")
_DAY_TAIL = re.compile(rf"(?P<mid>{_DAY_WORDS}*)(?P<x>{_N})\s?(?:元|块)")
_PRINCIPAL = re.compile(
    rf"(?:(?P<p>{_N}|{_CN})(?P<pu>万|千|百)?元|每?(?P<p2>{_N}|{_CN})?(?P<pu2>万|千)元?)钱?$"
)
_LOWER_WORDS = ("低至", "最低", "仅", "只需", "只要", "低到", "as low as", "from", "starting")
_UPPER_WORDS = ("最高", "不超过", "不高于", "高达", "up to")
_LOWER_RE = re.compile("|".join(_LOWER_WORDS))
_UPPER_RE = re.compile("|".join(_UPPER_WORDS))
_LOWER_BEFORE = frozenset(("低至", "最低"))
_UPPER_BEFORE = frozenset(("最高", "最多"))
_UPPER_AFTER = frozenset(("以内", "以下", "封顶"))
_FEN_SCALE: dict[str, tuple[float, float]] = {  # percent per 分, percent per 厘
    "annual": (10.0, 1.0),
    "monthly": (1.0, 0.1),
    "unspecified": (1.0, 0.1),
    "daily": (0.1, 0.01),
}
_MAGNITUDE = {"万": 10_000.0, "千": 1_000.0, "百": 100.0}

# (kind, low, high, is_range, bound, simple, start, end) in normalised-text offsets
_Found = tuple[RateKind, float, float, bool, Bound, bool | None, int, int]


def irr_annual_percent(principal: float, payments: Sequence[float]) -> float:
    """12 × the monthly internal rate of return, in percent (PBoC's IRR method).

    ``payments`` are the monthly instalments, the first one month after ``principal`` is paid
    out. Solved by bisection, which cannot diverge. Raises ValueError for inputs without a
    meaningful rate (no payments, a non-positive principal, negative payments).
    """
    if principal <= 0 or not payments or any(p < 0 for p in payments):
        raise ValueError("need a positive principal and non-negative payments")

    def surplus(rate: float) -> float:
        factor = 1.0 + rate
        return sum(p / factor ** (k + 1) for k, p in enumerate(payments)) - principal

    low, high = -0.999, 1.0
    while surplus(high) > 0 and high < 1e6:
        high *= 2
    for _ in range(200):
        mid = (low + high) / 2
        if surplus(mid) > 0:
            low = mid
        else:
            high = mid
        if high - low < 1e-13:
            break
    return 12 * 100 * (low + high) / 2


def annualise(kind: RateKind, value: float) -> float | None:
    """Annual percent for a rate stated per ``kind``; None when the period is unknown."""
    if kind in ANNUAL_KINDS:
        return value
    if kind == "daily" or kind == "per_10k_daily":
        return round(value * 365, 10)
    if kind == "monthly":
        return round(value * 12, 10)
    return None


def _read(values: tuple[str | None, ...], kind: RateKind) -> tuple[float, RateKind] | None:
    """Percent value of one figure (its group values in ``_FIGURE`` order) and its kind."""
    pct, ten_k, spelled, count, unit, frac, bare = values
    if pct is not None:
        return float(pct), kind
    if ten_k is not None:
        value = to_number(ten_k)
        daily = kind in ("daily", "unspecified")
        return None if value is None else (value / 100, "per_10k_daily" if daily else kind)
    if spelled is not None:
        value = to_number(spelled)
        return None if value is None else (value, kind)
    if count is not None and unit is not None:
        return _fen(count, unit, frac, kind)
    return None if bare is None else (float(bare), kind)


def _fen(count: str, unit: str, frac: str | None, kind: RateKind) -> tuple[float, RateKind] | None:
    """月息8厘8 → 0.88 %: 分/厘 counts, with trailing digits as tenths (and hundredths)."""
    scale = _FEN_SCALE.get(kind)
    value = to_number(count)
    if scale is None or value is None:
        return None
    if frac:
        digits = "".join(str(int(to_number(ch) or 0)) for ch in frac)
        value += int(digits) / 10 ** len(digits)
    per_unit = scale[0] if unit == "分" else scale[1]
    return round(value * per_unit, 10), ("monthly" if kind == "unspecified" else kind)


def _suffix_kind(suffix: str) -> RateKind:
    if "天" in suffix or "日" in suffix or "day" in suffix:
        return "daily"
    if "月" in suffix or "month" in suffix:
        return "monthly"
    return "apr" if "apr" in suffix else "annual"


def _bound(before: str, filler: str, after: str) -> Bound:
    """lower for 低至/最低/X%起, upper for 最高/不超过/以内, from the words around a figure.

    ``before`` is the two characters ahead of the keyword (最低年化利率 …).
    """
    head = after[:2]
    if (
        after[:1] == "起"
        or head == "以上"
        or before in _LOWER_BEFORE
        or (filler and _LOWER_RE.search(filler))
    ):
        return "lower"
    if head in _UPPER_AFTER or before in _UPPER_BEFORE or (filler and _UPPER_RE.search(filler)):
        return "upper"
    return "exact"


def _simple(kind: RateKind, filler: str, after: str) -> bool | None:
    if "单利" in filler or "单利" in after:
        return True
    if kind == "irr" or "复利" in filler or "复利" in after or "irr" in filler or "irr" in after:
        return False
    return None


def _from_match(text: str, m: re.Match[str]) -> _Found | None:
    """A keyword-led rate: 年化利率7.2%-18%, 日息万分之五, 月息8厘8, interest rate of 3% p.a."""
    g = m.groups()  # one call; the figures are read by position (see _G_* below)
    word, filler, second_text, suffix = g[_G_KW], g[_G_FILL], g[_G_SECOND], g[_G_SUFFIX]
    start, end = m.span()
    if word.isascii() and not standalone(text, start, start + len(word)):
        return None
    kind = "irr" if "irr" in filler else KEYWORDS[word]
    first = _read(g[_G_FIRST : _G_FIRST + 7], kind)
    first_bare = g[_G_FIRST + 6] is not None
    second = None
    if second_text is not None and (first_bare or g[_G_SECOND + 7] is None):
        second_values = g[_G_SECOND + 1 : _G_SECOND + 8]
        second = _read(second_values, kind)  # "7.2%-18" keeps only the 7.2 %
        if first_bare and second is not None and second_values[4] is not None:
            first = _fen(g[_G_FIRST + 6], second_values[4], None, kind)  # 月息6-9厘: 6厘
    if first is None or (first_bare and kind != "annual" and second is None):
        return None
    value_kind = first[1]
    if suffix and value_kind == "unspecified":
        value_kind = _suffix_kind(suffix)
    after = text[end : end + 6]
    if after[:2] == "收益" or after[:3] == "的收益":
        return None
    bound = _bound(text[max(0, start - 2) : start], filler, after)
    simple = _simple(value_kind, filler, after)
    high = second[0] if second else first[0]
    return value_kind, first[0], high, second is not None, bound, simple, start, end


def _from_percent_sign(text: str, pos: int) -> _Found | None:
    """A '%' with a period suffix but no keyword: 0.05%/天, 19.9% APR, 7.2%-18%年化."""
    suffix = _SUFFIX_AT.match(text, pos + 1)
    number = _NUM_BEFORE.search(text, max(0, pos - 24), pos) if suffix else None
    if suffix is None or number is None:
        return None
    kind = _suffix_kind(suffix.group())
    value = float(number.group("v"))
    low = float(number.group("lo")) if number.group("lo") else value
    start, end = number.start(), suffix.end()
    after = text[end : end + 6]
    bound = _bound(text[max(0, start - 2) : start], "", after)
    simple = _simple(kind, "", after)
    return kind, low, value, number.group("lo") is not None, bound, simple, start, end


def _from_per_10k(text: str, wm: re.Match[str]) -> _Found | None:
    value = to_number(wm.group("w"))
    if value is None:
        return None
    kind: RateKind = "per_10k_daily"
    end = wm.end()
    suffix = _SUFFIX_AT.match(text, end)
    if suffix is not None and _suffix_kind(suffix.group()) == "monthly":
        kind, end = "monthly", suffix.end()
    bound = _bound(text[max(0, wm.start() - 2) : wm.start()], "", text[end : end + 3])
    return kind, value / 100, value / 100, False, bound, None, wm.start(), end


def _overlaps(start: int, end: int, found: list[_Found]) -> bool:
    return any(start < hit[7] and hit[6] < end for hit in found)


def _may_have_keyword(text: str) -> bool:
    return (
        "利" in text
        or "息" in text
        or "费" in text
        or "年化" in text
        or "apr" in text
        or "irr" in text
        or "interest" in text
        or "rate" in text
    )


def _collect(text: str) -> list[_Found]:
    found: list[_Found] = []
    if _may_have_keyword(text):
        for m in _RATE.finditer(text):
            hit = _from_match(text, m)
            if hit is not None:
                found.append(hit)
    pos = text.find("%")
    while pos != -1:
        if not _overlaps(pos, pos + 1, found) and (hit := _from_percent_sign(text, pos)):
            found.append(hit)
        pos = text.find("%", pos + 1)
    if "万分之" in text:
        for wm in _PER_10K.finditer(text):
            if not _overlaps(wm.start(), wm.end(), found) and (hit := _from_per_10k(text, wm)):
                found.append(hit)
    return found


def _to_rates(nt: NormalizedText, hit: _Found) -> tuple[Rate, ...]:
    kind, low, high, is_range, bound, simple, start, end = hit
    span = span_of(nt, start, end)
    if not is_range:
        return (Rate(kind, low, annualise(kind, low), simple, bound, span),)
    return (
        Rate(kind, low, annualise(kind, low), simple, "range_low", span),
        Rate(kind, high, annualise(kind, high), simple, "range_high", span),
    )


def _per_day(nt: NormalizedText, dm: re.Match[str], found: list[_Found]) -> Rate | None:
    """每天X元 (per P元): the annual figure needs the principal, so it may stay None."""
    text, lead = nt.text, dm.group()
    tail = _DAY_TAIL.match(text, dm.end())
    if tail is None or _overlaps(dm.start(), tail.end(), found):
        return None
    head = _PRINCIPAL.search(text, max(0, dm.start() - 10), dm.start())
    start, principal = dm.start(), None
    if head is not None and not lead.startswith("日还"):
        start, principal = head.start(), _principal(head)
    elif not (tail.group("mid") or lead.startswith("日还")) or lead == "日":
        return None  # 每日100元 with no price word is a reward, not a rate
    if lead.startswith("日还") and text[start - 1 : start] in ("今", "当", "次", "明", "昨", "前"):
        return None  # 今日还款100元 is a repayment reminder
    daily_yuan = float(tail.group("x"))
    annual = daily_yuan / principal * 365 * 100 if principal else None
    bound = _bound("", text[start : tail.end()], text[tail.end() : tail.end() + 3])
    span = span_of(nt, start, tail.end())
    return Rate("per_day_amount", daily_yuan, annual, None, bound, span)


def _principal(head: re.Match[str]) -> float | None:
    """The principal a 每天X元 figure is quoted against (1万元1天2元 → 10000)."""
    if head.group("pu") is not None or head.group("p") is not None:
        count, unit = to_number(head.group("p")), head.group("pu")
    else:
        count = to_number(head.group("p2")) if head.group("p2") else 1.0
        unit = head.group("pu2")
    return None if count is None else count * _MAGNITUDE.get(unit or "", 1.0)


def parse_rates(nt: NormalizedText) -> tuple[Rate, ...]:
    """Every rate mention in ``nt.text``, in reading order, spans in original offsets."""
    text = nt.text
    found = _collect(text)
    rates = [rate for hit in found for rate in _to_rates(nt, hit)]
    if ("元" in text or "块" in text) and ("天" in text or "日" in text):
        rates += [r for dm in _DAY.finditer(text) if (r := _per_day(nt, dm, found))]
    if len(rates) > 1:
        rates.sort(key=lambda r: r.span)
    return tuple(rates)


def annualise_fee_rates(rates: tuple[Rate, ...], periods: int | None) -> tuple[Rate, ...]:
    """Give per-period instalment fee rates an IRR-based annual figure when the term is known.

    A fee charged on the original principal every period costs far more than the same number
    as simple interest, because the balance shrinks; §A1's 0.6 %/month over 12 periods is
    13.03 % a year, not 7.2 %.
    """
    if not periods or not any(r.kind == "fee_rate" for r in rates):
        return rates
    out: list[Rate] = []
    for rate in rates:
        if rate.kind == "fee_rate" and rate.annual_percent is None:
            payment = 1.0 / periods + rate.value / 100
            annual = irr_annual_percent(1.0, [payment] * periods)
            rate = dataclasses.replace(rate, annual_percent=annual, simple=False)
        out.append(rate)
    return tuple(out)
