"""Named checks over extracted facts, referenced from rule files as ``check: {name: …}``.

A rule's keywords say what words to look for; a check decides what a pattern cannot, such as
"a daily rate is given but no annualised rate" or "a link outside the sender's official
domains". Each check is a pure function of the :class:`CheckInput` and the rule's ``params``,
and returns a :class:`CheckHit` (where, and a detail line) or ``None``. Spans are offsets into
the ORIGINAL text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from smsguard.screening.facts import Facts
from smsguard.screening.rulebook.schema import RateParameters
from smsguard.screening.sender import SenderDirectory, SenderProfile


@dataclass(slots=True)
class CheckInput:
    """Everything a check may look at (built per SMS, so not frozen: that is slow)."""

    text: str
    facts: Facts
    purpose: str
    sender: SenderProfile | None
    sender_number: str | None
    directory: SenderDirectory
    rates: RateParameters

    @property
    def claimed_sender(self) -> SenderProfile | None:
        """The explicit profile, else the well-known institution the signature names."""
        if self.sender is not None:
            return self.sender
        signature = self.facts.signature
        return self.directory.lookup(signature.text) if signature is not None else None


@dataclass(frozen=True, slots=True)
class CheckHit:
    span: tuple[int, int]
    detail: str | None = None


Check = Callable[[CheckInput, Mapping[str, Any]], CheckHit | None]
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        CHECKS[name] = fn
        return fn

    return register


def _whole(inp: CheckInput) -> tuple[int, int]:
    return (0, len(inp.text))


# --- rates ---------------------------------------------------------------------------------

_NON_ANNUAL = frozenset({"daily", "monthly", "per_10k_daily", "fee_rate", "per_day_amount"})


@check("annual_rate_missing")
def annual_rate_missing(inp: CheckInput, params: Mapping[str, Any]) -> CheckHit | None:
    """Loan marketing must show an annualised rate (PBoC 2021 No. 3)."""
    if inp.facts.annual_rate_stated:
        return None
    first = inp.facts.rates[0].span if inp.facts.rates else _whole(inp)
    return CheckHit(first)


@check("non_annual_rate_without_annual")
def non_annual_rate_without_annual(inp: CheckInput, params: Mapping[str, Any]) -> CheckHit | None:
    """A daily/monthly/fee rate shown with no annualised rate beside it."""
    if inp.facts.annual_rate_stated:
        return None
    kinds = frozenset(params.get("kinds", _NON_ANNUAL))
    for rate in inp.facts.rates:
        if rate.kind in kinds:
            return CheckHit(rate.span, f"{rate.kind} rate {rate.value:g}")
    return None


@check("annual_rate_stated")
def annual_rate_stated(inp: CheckInput, params: Mapping[str, Any]) -> CheckHit | None:
    """Used in ``unless``: an annualised rate is shown."""
    for rate in inp.facts.rates:
        if rate.kind in ("annual", "apr", "irr"):
            return CheckHit(rate.span)
    return None


@check("rate_inconsistent")
def rate_inconsistent(inp: CheckInput, params: Mapping[str, Any]) -> CheckHit | None:
    """The stated annual rate disagrees with the daily or monthly rate it sits beside."""
    for problem in inp.facts.rate_inconsistencies:
        return CheckHit(problem.span, problem.describe())
    return None


@check("annual_rate_above")
def annual_rate_above(inp: CheckInput, params: Mapping[str, Any]) -> CheckHit | None:
    """Some annualised figure exceeds a cap: ``params.cap`` is review, block or private."""
    caps = {
        "review": inp.rates.review_percent,
        "block": inp.rates.block_percent,
        "private": inp.rates.lpr_1y_percent * inp.rates.lpr_multiple,
    }
    limit = caps[str(params.get("cap", "review"))]
    licences = params.get("licences")
    if licences is not None and (inp.sender is None or inp.sender.licence not in licences):
        return None
    for rate in inp.facts.rates:
        if rate.annual_percent is not None and rate.annual_percent > limit + 1e-9:
            detail = f"annualised {rate.annual_percent:.2f}% exceeds {limit:g}%"
            return CheckHit(rate.span, detail)
    return None


@check("lower_bound_rate_only")
def lower_bound_rate_only(inp: CheckInput, params: Mapping[str, Any]) -> CheckHit | None:
    """ "利率低至X%" with no upper bound hides the real cost (NIFA 2024; Beijing 2023)."""
    rates = inp.facts.rates
    if any(r.bound in ("upper", "range_high") for r in rates):
        return None
    for rate in rates:
        if rate.bound == "lower":
            return CheckHit(rate.span)
    return None


# --- signature, identity, contact ----------------------------------------------------------


@check("signature_missing")
def signature_missing(inp: CheckInput, params: Mapping[str, Any]) -> CheckHit | None:
    return None if inp.facts.signature is not None else CheckHit(_whole(inp))


@check("signature_not_at_start")
def signature_not_at_start(inp: CheckInput, params: Mapping[str, Any]) -> CheckHit | None:
    signature = inp.facts.signature
    if signature is None or signature.at_start:
        return None
    return CheckHit(signature.span)


@check("extra_brackets")
def extra_brackets(inp: CheckInput, params: Mapping[str, Any]) -> CheckHit | None:
    spans = inp.facts.extra_brackets
    return CheckHit(spans[0]) if spans else None


@check("signature_not_filed")
def signature_not_filed(inp: CheckInput, params: Mapping[str, Any]) -> CheckHit | None:
    """The 【signature】 is not one the sender profile has filed."""
    signature = inp.facts.signature
    if inp.sender is None or signature is None:
        return None
    filed = {s.lower() for s in inp.sender.signatures}
    if signature.text.lower() in filed:
        return None
    return CheckHit(
        signature.span, f"【{signature.text}】 is not filed for {inp.sender.institution}"
    )


@check("opt_out_missing")
def opt_out_missing(inp: CheckInput, params: Mapping[str, Any]) -> CheckHit | None:
    return None if inp.facts.opt_out is not None else CheckHit(_whole(inp))


@check("contact_missing")
def contact_missing(inp: CheckInput, params: Mapping[str, Any]) -> CheckHit | None:
    """No official contact: no hotline-like number and no complaint channel."""
    official_kinds = {"service_95", "service_400", "service_800", "landline"}
    if any(p.kind in official_kinds for p in inp.facts.phones) or inp.facts.complaint_channels:
        return None
    return CheckHit(_whole(inp))


@check("lender_missing")
def lender_missing(inp: CheckInput, params: Mapping[str, Any]) -> CheckHit | None:
    """A platform's SMS must name the licensed lender behind the loan."""
    sender = inp.sender
    if sender is None or sender.licence != "platform":
        return None
    if any(lender in inp.text for lender in sender.lenders):
        return None
    return CheckHit(_whole(inp), "a platform must name the lender (本服务由XX提供)")


# --- links and numbers ---------------------------------------------------------------------


@check("url_flag")
def url_flag(inp: CheckInput, params: Mapping[str, Any]) -> CheckHit | None:
    """A link carrying a named risk flag (is_shortener, is_ip, odd_tld, is_apk, lookalike)."""
    flag = str(params["flag"])
    for url in inp.facts.urls:
        value = url.lookalike_of if flag == "lookalike" else getattr(url, flag)
        if value:
            return CheckHit(url.span, url.host)
    return None


@check("url_not_official")
def url_not_official(inp: CheckInput, params: Mapping[str, Any]) -> CheckHit | None:
    """A link outside the official domains of the institution the SMS claims to be from."""
    claimed = inp.claimed_sender
    if claimed is None:
        return None
    for url in inp.facts.urls:
        if not claimed.owns_domain(url.host):
            return CheckHit(url.span, f"{url.host} is not a domain of {claimed.institution}")
    return None


@check("callback_not_official")
def callback_not_official(inp: CheckInput, params: Mapping[str, Any]) -> CheckHit | None:
    """A bank-signed SMS asking to call a number that is not the bank's."""
    claimed = inp.claimed_sender
    if claimed is None or not claimed.official_numbers:
        return None
    for phone in inp.facts.phones:
        if phone.kind == "short_code" or claimed.owns_number(phone.number):
            continue
        return CheckHit(phone.span, f"{phone.number} is not a number of {claimed.institution}")
    return None


@check("sender_number_not_official")
def sender_number_not_official(inp: CheckInput, params: Mapping[str, Any]) -> CheckHit | None:
    """A bank signature arriving from a personal mobile or international number."""
    claimed = inp.claimed_sender
    number = inp.sender_number
    if claimed is None or not number or not claimed.is_bank_like:
        return None
    digits = "".join(ch for ch in number if ch.isdigit())
    personal = number.strip().startswith(("+", "00")) and not digits.startswith(("86", "0086"))
    mobile = len(digits) == 11 and digits.startswith("1") and digits[1] in "3456789"
    if not (personal or mobile):
        return None
    signature = inp.facts.signature
    span = signature.span if signature is not None else _whole(inp)
    return CheckHit(span, f"{claimed.institution} does not send from a personal number")


# --- requests, fees, length ----------------------------------------------------------------


@check("sensitive_request")
def sensitive_request(inp: CheckInput, params: Mapping[str, Any]) -> CheckHit | None:
    kinds = frozenset(params["kinds"])
    for request in inp.facts.sensitive_requests:
        if request.kind in kinds:
            return CheckHit(request.span, request.kind)
    return None


@check("upfront_fee")
def upfront_fee(inp: CheckInput, params: Mapping[str, Any]) -> CheckHit | None:
    for fee in inp.facts.fees:
        if fee.upfront:
            return CheckHit(fee.span, fee.name)
    return None


@check("too_many_segments")
def too_many_segments(inp: CheckInput, params: Mapping[str, Any]) -> CheckHit | None:
    limit = int(params.get("max_parts", 3))
    info = inp.facts.segments
    if info.parts <= limit:
        return None
    return CheckHit(_whole(inp), f"{info.length} characters, {info.parts} {info.encoding} parts")
