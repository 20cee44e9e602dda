"""Pure decisions on whether, and when, one marketing SMS may go to one customer.

Nothing here touches a database or a clock: callers pass the consent records, the send
history and the current instant, so every decision can be replayed and tested. The order of
checks mirrors the cost of getting each one wrong:

1. consent (regulations.md B1, B6, C1): no usable consent is a refusal, never a delay;
2. eligibility (A11): students and minors are never targeted with loan marketing;
3. timing (B7 quiet hours, F6 frequency caps): a message that may not go *now* is moved to
   the earliest instant that satisfies both, never dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from smsguard.errors import InputError

LOAN_MARKETING = "loan_marketing"
# Purposes for which A11 forbids targeting students and minors.
LOAN_PURPOSES = frozenset({LOAN_MARKETING})
ADULT_AGE = 18
ConsentStatus = Literal["granted", "withdrawn"]


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(f"{name} must carry a time zone, got naive {value.isoformat()}")


def _require_text(value: str, name: str) -> None:
    if not value.strip():
        raise InputError(f"{name} must not be empty")


@dataclass(frozen=True)
class ConsentRecord:
    """One grant or withdrawal of consent, with where it came from and the proof kept."""

    customer_id: str
    institution_id: str
    purpose: str
    status: ConsentStatus
    source: str
    evidence: str
    recorded_at: datetime

    def __post_init__(self) -> None:
        for name in ("customer_id", "institution_id", "purpose", "source"):
            _require_text(getattr(self, name), name)
        if self.status not in ("granted", "withdrawn"):
            raise InputError(f"status must be 'granted' or 'withdrawn', got {self.status!r}")
        _require_aware(self.recorded_at, "recorded_at")

    @property
    def explicit(self) -> bool:
        """A grant counts only with evidence a reviewer can check (PIPL consent, C1)."""
        return self.status == "granted" and bool(self.evidence.strip())


@dataclass(frozen=True)
class Decision:
    """Yes or no, with the reason an auditor will read."""

    allowed: bool
    reason: str
    record: ConsentRecord | None = None


def may_market(
    records: Sequence[ConsentRecord],
    customer_id: str,
    institution_id: str,
    purpose: str,
    at: datetime,
) -> Decision:
    """Whether ``institution_id`` holds usable consent to market ``purpose`` to the customer.

    Only records for this customer, institution and purpose made no later than ``at`` count;
    the latest wins, and a withdrawal beats a grant stamped with the same instant. A grant
    without evidence never counts, so it cannot lift a withdrawal either.
    """
    _require_aware(at, "at")
    relevant = [
        r
        for r in records
        if (r.customer_id, r.institution_id, r.purpose) == (customer_id, institution_id, purpose)
        and r.recorded_at <= at
    ]
    if not relevant:
        return Decision(False, "no consent")
    latest = max(relevant, key=lambda r: (r.recorded_at, r.status == "withdrawn"))
    if latest.status == "withdrawn":
        return Decision(False, "consent withdrawn", latest)
    if not latest.explicit:
        return Decision(False, "consent lacks evidence", latest)
    return Decision(True, "consent granted", latest)


@dataclass(frozen=True)
class Recipient:
    """Who would receive the SMS; ``None`` means the fact is not known."""

    customer_id: str
    institution_id: str
    is_student: bool | None = None
    birth_date: date | None = None

    def age_on(self, day: date) -> int | None:
        """Whole years of age on ``day``, or ``None`` without a birth date."""
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def eligible(recipient: Recipient, purpose: str, on: date) -> Decision:
    """Whether A11 lets ``purpose`` target this recipient; loan marketing fails closed.

    Unknown student status or age counts as "may be a student or a minor": the rule forbids
    *targeting* them, and a lender that cannot tell has not shown it is not doing so.
    """
    if purpose not in LOAN_PURPOSES:
        return Decision(True, "no audience restriction for this purpose")
    if recipient.is_student is None:
        return Decision(False, "student status unknown")
    if recipient.is_student:
        return Decision(False, "recipient is a student")
    age = recipient.age_on(on)
    if age is None:
        return Decision(False, "age unknown")
    if age < ADULT_AGE:
        return Decision(False, "recipient is a minor")
    return Decision(True, "adult non-student")


@dataclass(frozen=True)
class QuietHours:
    """The *allowed* sending window [start, end) in local time; everything else is quiet.

    Defaults follow B7 (08:00–20:00 Asia/Shanghai). A window with ``start > end`` wraps
    midnight (22:00–06:00 allows late evening and early morning).
    """

    start: time = time(8, 0)
    end: time = time(20, 0)
    tz: str = "Asia/Shanghai"
    zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise InputError("start must differ from end (an empty or full window is ambiguous)")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise InputError("start and end are local wall-clock times; drop their tzinfo")
        try:
            zone = ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InputError(f"tz: unknown time zone {self.tz!r}") from exc
        object.__setattr__(self, "zone", zone)

    def allows(self, at: datetime) -> bool:
        """Whether ``at`` falls inside the allowed window."""
        _require_aware(at, "at")
        local = at.astimezone(self.zone).time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, at: datetime) -> datetime:
        """``at`` itself when allowed, else the next window opening (in ``at``'s zone)."""
        if self.allows(at):
            return at
        local_day = at.astimezone(self.zone).date()
        for offset in range(4):
            opening = datetime.combine(local_day + timedelta(days=offset), self.start, self.zone)
            # A round trip through UTC moves an opening that falls in a DST gap forward.
            opening = opening.astimezone(ZoneInfo("UTC")).astimezone(self.zone)
            if opening > at and self.allows(opening):
                return opening.astimezone(at.tzinfo)
        raise AssertionError("a daily window always reopens within four days")


@dataclass(frozen=True)
class FrequencyCap:
    """At most ``max_messages`` sends in any rolling ``window`` (a send at s counts on (s, s+w])."""

    max_messages: int
    window: timedelta

    def __post_init__(self) -> None:
        if self.max_messages < 1:
            raise InputError(f"max_messages must be at least 1, got {self.max_messages}")
        if self.window <= timedelta(0):
            raise InputError(f"window must be positive, got {self.window}")

    def count(self, sent: Sequence[datetime], at: datetime) -> int:
        """Sends that count against the cap at ``at``."""
        return sum(1 for s in sent if at - self.window < s <= at)

    def next_slot(self, sent: Sequence[datetime], at: datetime) -> datetime:
        """The earliest instant not before ``at`` at which one more send stays within the cap.

        The count only drops when a send leaves the window, so the answer is ``at`` or one of
        the instants ``s + window``.
        """
        _require_aware(at, "at")
        candidates = sorted({at} | {s + self.window for s in sent if s + self.window > at})
        for candidate in candidates:
            if self.count(sent, candidate) < self.max_messages:
                return candidate
        raise AssertionError("every send eventually leaves the window")


@dataclass(frozen=True)
class Rules:
    """Configurable sending rules for one purpose."""

    purpose: str = LOAN_MARKETING
    quiet: QuietHours = field(default_factory=QuietHours)
    cap: FrequencyCap = field(default_factory=lambda: FrequencyCap(1, timedelta(days=1)))


@dataclass(frozen=True)
class History:
    """What the caller knows about this customer: consent records and earlier sends.

    ``sent`` should hold the sends of this institution to this customer (the cap is per
    customer per institution).
    """

    consent: Sequence[ConsentRecord] = ()
    sent: Sequence[datetime] = ()


@dataclass(frozen=True)
class SendDecision:
    """One of ``send`` now, ``reschedule`` at ``send_at``, or ``refuse``; never a silent drop."""

    action: Literal["send", "reschedule", "refuse"]
    reason: str
    send_at: datetime | None = None


def schedule(at: datetime, recipient: Recipient, history: History, rules: Rules) -> SendDecision:
    """Decide what to do with one marketing SMS for ``recipient`` that is due at ``at``."""
    _require_aware(at, "at")
    consent = may_market(
        history.consent, recipient.customer_id, recipient.institution_id, rules.purpose, at
    )
    if not consent.allowed:
        return SendDecision("refuse", consent.reason)
    audience = eligible(recipient, rules.purpose, at.astimezone(rules.quiet.zone).date())
    if not audience.allowed:
        return SendDecision("refuse", audience.reason)
    when, reasons = _earliest_slot(at, history.sent, rules)
    if when == at:
        return SendDecision("send", "consent, audience and timing allow it", at)
    return SendDecision("reschedule", " and ".join(sorted(reasons)), when)


def _earliest_slot(
    at: datetime, sent: Sequence[datetime], rules: Rules
) -> tuple[datetime, set[str]]:
    """Alternate quiet-hours and cap moves until one instant satisfies both.

    Each move only goes forward and the cap can move at most once per past send, so the
    loop ends within ``len(sent) + 2`` rounds.
    """
    when = at
    reasons: set[str] = set()
    for _ in range(len(sent) + 2):
        opened = rules.quiet.next_allowed(when)
        if opened != when:
            reasons.add("quiet hours")
        slot = rules.cap.next_slot(sent, opened)
        if slot == opened:
            return opened, reasons
        reasons.add("frequency cap")
        when = slot
    raise AssertionError("quiet hours and cap did not settle")
