"""One pass over a normalised SMS that fills a :class:`Facts` record.

Extraction runs on every message, so each extractor starts with a cheap substring gate and
only then runs its regular expressions; a typical 70–150 character SMS takes a few tens of
microseconds. Links are found before phones so that digits inside a link are not mistaken
for a phone number, and terms before rates so that instalment fees can be annualised.
"""

from __future__ import annotations

from smsguard.screening.facts.charges import find_fees, find_repayment_methods
from smsguard.screening.facts.consistency import find_inconsistencies
from smsguard.screening.facts.model import ANNUAL_KINDS, Facts, Rate
from smsguard.screening.facts.money import find_amounts, find_terms, instalment_periods
from smsguard.screening.facts.notices import find_complaint_channels, find_opt_out
from smsguard.screening.facts.phones import find_phones
from smsguard.screening.facts.rates import annualise_fee_rates, parse_rates
from smsguard.screening.facts.requests import find_requests, otp_code_present
from smsguard.screening.facts.segments import segment_info
from smsguard.screening.facts.signature import find_signature
from smsguard.screening.facts.urls import find_urls
from smsguard.screening.text import NormalizedText


def _max_annual(rates: tuple[Rate, ...]) -> float | None:
    figures = [r.annual_percent for r in rates if r.annual_percent is not None]
    return max(figures) if figures else None


def _annual_stated(rates: tuple[Rate, ...]) -> bool:
    return any(r.kind in ANNUAL_KINDS for r in rates) if rates else False


def extract_facts(nt: NormalizedText) -> Facts:
    """Everything the rules need about ``nt``; all spans point into ``nt.original``."""
    text = nt.text
    signature, extra_brackets, lookalike = find_signature(nt)
    terms = find_terms(nt)
    rates = parse_rates(nt)
    if rates:
        rates = annualise_fee_rates(rates, instalment_periods(terms))
    urls, url_spans = find_urls(nt)
    # Positional on purpose: keyword construction of a 19-field frozen dataclass costs
    # about a fifth more; the order is Facts' field order.
    return Facts(
        signature,
        lookalike,
        extra_brackets,
        rates,
        _annual_stated(rates),
        _max_annual(rates),
        find_inconsistencies(rates) if len(rates) > 1 else (),
        "单利" in text or "simple interest" in text,
        terms,
        find_amounts(nt),
        find_repayment_methods(text),
        find_fees(nt),
        urls,
        find_phones(nt, url_spans),
        find_opt_out(nt),
        find_complaint_channels(nt),
        find_requests(nt),
        otp_code_present(text),
        segment_info(nt.original),
    )
