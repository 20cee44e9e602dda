"""Facts extracted from one SMS: signature, rates, money, links, numbers, requests, length.

    >>> from smsguard.screening.text import NormalizedText
    >>> facts = extract_facts(NormalizedText("日利率0.05%", "日利率0.05%"))
    >>> round(facts.rates[0].annual_percent, 2)
    18.25

Rules read these records instead of re-parsing text; every span is an offset into the
original message.
"""

from smsguard.screening.facts.extract import extract_facts
from smsguard.screening.facts.model import (
    Amount,
    Bound,
    ComplaintChannel,
    Encoding,
    Facts,
    FeeMention,
    OptOutFact,
    PhoneFact,
    PhoneKind,
    Rate,
    RateInconsistency,
    RateKind,
    RequestKind,
    SegmentInfo,
    SensitiveRequest,
    Signature,
    Span,
    Term,
    UrlFact,
)
from smsguard.screening.facts.rates import irr_annual_percent
from smsguard.screening.facts.segments import segment_info

__all__ = [
    "Amount",
    "Bound",
    "ComplaintChannel",
    "Encoding",
    "Facts",
    "FeeMention",
    "OptOutFact",
    "PhoneFact",
    "PhoneKind",
    "Rate",
    "RateInconsistency",
    "RateKind",
    "RequestKind",
    "SegmentInfo",
    "SensitiveRequest",
    "Signature",
    "Span",
    "Term",
    "UrlFact",
    "extract_facts",
    "irr_annual_percent",
    "segment_info",
]
