"""Value types for the facts pulled out of one SMS.

Facts are plain, frozen records: rules read them instead of re-parsing the text, and the JSON
form (``to_dict``) is what lands in audit trails, so it has to stay stable. Every ``span`` is a
half-open ``(start, end)`` into the ORIGINAL message, never into the normalised copy, because a
reviewer highlights the text the customer actually received.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

Span = tuple[int, int]

RateKind = Literal[
    "annual",
    "daily",
    "monthly",
    "per_10k_daily",
    "apr",
    "irr",
    "fee_rate",
    "per_day_amount",
    "unspecified",
]
Bound = Literal["exact", "lower", "upper", "range_low", "range_high"]
PhoneKind = Literal[
    "service_95",
    "service_400",
    "service_800",
    "short_code",
    "mobile",
    "landline",
    "port_1065",
    "international",
]
RequestKind = Literal[
    "verification_code",
    "password",
    "cvv",
    "card_number",
    "id_photo",
    "face_scan",
    "screen_share",
    "meeting_app",
    "im_contact",
    "transfer_instruction",
]
Encoding = Literal["gsm7", "ucs2"]

ANNUAL_KINDS: frozenset[str] = frozenset({"annual", "apr", "irr"})


def to_jsonable(value: object) -> object:
    """Turn a fact (or a tuple of them) into JSON-ready data.

    Floats are rounded to 4 dp so that the serialised form does not flap between platforms on
    the last binary digit; tuples (spans included) become lists.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, tuple | list):
        return [to_jsonable(item) for item in value]
    return value


@dataclasses.dataclass(frozen=True, slots=True)
class Signature:
    """The 【…】 sender signature; carriers only accept it at the very start."""

    text: str
    span: Span
    at_start: bool
    at_end: bool
    well_formed: bool  # 2–16 CJK letters/ASCII letters/digits, not all digits


@dataclasses.dataclass(frozen=True, slots=True)
class Rate:
    """One quoted price of credit; ``annual_percent`` puts every kind on one scale."""

    kind: RateKind
    value: float  # as stated, in percent (万分之五 → 0.05; 每天2元 → 2 yuan)
    annual_percent: float | None
    simple: bool | None  # True: 单利 stated; False: 复利 / IRR; None: not said
    bound: Bound
    span: Span


@dataclasses.dataclass(frozen=True, slots=True)
class RateInconsistency:
    """A stated annual rate that a daily/monthly figure in the same SMS contradicts."""

    annual_low: float
    annual_high: float  # equal to annual_low unless the annual rate is a range
    annual_span: Span
    other_kind: RateKind
    other_annual_percent: float
    other_span: Span

    @property
    def span(self) -> Span:
        """Both figures at once, so a reviewer sees the contradiction in one highlight."""
        return (
            min(self.annual_span[0], self.other_span[0]),
            max(self.annual_span[1], self.other_span[1]),
        )

    def describe(self) -> str:
        """One line for a finding: what the small print works out to versus the headline."""
        stated = (
            f"{self.annual_low:g}%"
            if self.annual_low == self.annual_high
            else f"{self.annual_low:g}%–{self.annual_high:g}%"
        )
        return (
            f"{self.other_kind} rate works out to {self.other_annual_percent:.2f}% a year, "
            f"but the annual rate stated is {stated}"
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Term:
    """A loan term, in months so that 12期, 1年 and 365天 compare."""

    months: float
    bound: Bound
    span: Span


@dataclasses.dataclass(frozen=True, slots=True)
class Amount:
    """A sum of money; ``yuan`` is None for foreign currency (no FX rate is assumed)."""

    value: float
    currency: str  # ISO 4217 code
    yuan: float | None
    is_limit: bool  # tied to 额度/授信/可借/最高/备用金 …
    span: Span


@dataclasses.dataclass(frozen=True, slots=True)
class FeeMention:
    """A named charge; ``upfront`` marks the pay-before-disbursement pattern of loan fraud."""

    name: str
    upfront: bool
    waived: bool  # 无/免/0/零/不收 …: advertised as free
    span: Span


@dataclasses.dataclass(frozen=True, slots=True)
class UrlFact:
    """A link, with the properties carrier and police guidance care about."""

    raw: str
    normalized: str
    host: str
    registered_domain: str
    tld: str
    port: int | None
    has_scheme: bool
    is_shortener: bool
    is_ip: bool
    odd_tld: bool
    is_apk: bool
    lookalike_of: str | None
    span: Span


@dataclasses.dataclass(frozen=True, slots=True)
class PhoneFact:
    """A phone number or SMS port, digits only, classified by numbering plan."""

    number: str
    kind: PhoneKind
    span: Span


@dataclasses.dataclass(frozen=True, slots=True)
class OptOutFact:
    """The outbound unsubscribe wording (拒收请回复R, 回T退订, reply STOP …)."""

    phrase: str
    at_end: bool
    span: Span


@dataclasses.dataclass(frozen=True, slots=True)
class ComplaintChannel:
    """A complaint route offered to the reader (投诉电话 …, 12321, 12378)."""

    label: str
    number: str | None
    span: Span


@dataclasses.dataclass(frozen=True, slots=True)
class SensitiveRequest:
    """A request for something a legitimate lender never asks for by SMS."""

    kind: RequestKind
    span: Span


@dataclasses.dataclass(frozen=True, slots=True)
class SegmentInfo:
    """How the carrier bills the text: encoding, billed length and number of parts."""

    encoding: Encoding
    length: int
    parts: int


@dataclasses.dataclass(frozen=True, slots=True)
class Facts:
    """Everything the rules need to know about one SMS, extracted once."""

    signature: Signature | None
    signature_lookalike: bool
    extra_brackets: tuple[Span, ...]
    rates: tuple[Rate, ...]
    annual_rate_stated: bool
    max_annual_percent: float | None
    rate_inconsistencies: tuple[RateInconsistency, ...]
    simple_interest_labelled: bool
    terms: tuple[Term, ...]
    amounts: tuple[Amount, ...]
    repayment_methods: tuple[str, ...]
    fees: tuple[FeeMention, ...]
    urls: tuple[UrlFact, ...]
    phones: tuple[PhoneFact, ...]
    opt_out: OptOutFact | None
    complaint_channels: tuple[ComplaintChannel, ...]
    sensitive_requests: tuple[SensitiveRequest, ...]
    otp_code_present: bool
    segments: SegmentInfo

    def to_dict(self) -> dict[str, object]:
        """Stable JSON-ready form: spans as ``[start, end]``, floats rounded to 4 dp."""
        return {f.name: to_jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}
