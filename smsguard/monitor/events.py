"""What the monitor hears about: one small immutable record per thing that happened.

The gateway, the customer service and governance each emit :class:`Event` values; the monitor
counts them into sliding windows and runs the detectors the event can affect. An event is a
slotted frozen dataclass because the monitor is benchmarked at more than 100,000 events per
second: construction must stay cheap, so ``__post_init__`` checks only what would silently
corrupt the windows (a naive timestamp, a negative count, an empty institution).

Identifiers are strings (callers pass ``str(campaign.id)``) so they hash the same way in
memory and in a JSON snapshot. The event never carries a phone number. ``recipient`` is an
opaque customer id, used only for the frequency-cap cross-check. ``text`` is the rendered SMS,
used only for the template cross-check and never kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from smsguard.errors import InputError


class EventKind(StrEnum):
    """Every kind of event the issue lists, plus ``screened`` (which carries a fraud score)."""

    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    REPLY = "reply"
    OPT_OUT = "opt_out"
    COMPLAINT = "complaint"
    SCREENED = "screened"
    SCREENING_BLOCK = "screening_block"
    PII_DECRYPT = "pii_decrypt"
    EXPORT = "export"
    APPROVAL = "approval"
    LOGIN = "login"


class Scope(StrEnum):
    """What a window counts over; an event is counted once for each scope it names."""

    CAMPAIGN = "campaign"
    INSTITUTION = "institution"
    TEMPLATE = "template"
    USER = "user"


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened at ``at`` (timezone-aware), for ``institution``.

    ``count`` lets one event stand for many (a batch of 200 sends, 500 decrypted records).
    ``value`` is the fraud probability of a ``screened`` event. ``author`` is the maker of the
    item an ``approval`` event approves; ``user`` is whoever acted (the approver, the person
    who decrypted or exported, the marketer who started a send).
    """

    kind: EventKind
    at: datetime
    institution: str
    campaign: str | None = None
    template: str | None = None
    user: str | None = None
    count: int = 1
    value: float | None = None
    author: str | None = None
    recipient: str | None = None
    text: str | None = None

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise InputError(f"event time must carry a time zone, got naive {self.at}")
        if self.count < 0:
            raise InputError(f"event count must not be negative, got {self.count}")
        if not self.institution:
            raise InputError("event institution must not be empty")

    def scopes(self) -> tuple[tuple[Scope, str], ...]:
        """The (scope, id) pairs this event is counted under; institution always."""
        found: list[tuple[Scope, str]] = [(Scope.INSTITUTION, self.institution)]
        if self.campaign is not None:
            found.append((Scope.CAMPAIGN, self.campaign))
        if self.template is not None:
            found.append((Scope.TEMPLATE, self.template))
        if self.user is not None:
            found.append((Scope.USER, self.user))
        return tuple(found)
