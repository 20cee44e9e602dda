"""The one interface every SMS provider adapter implements.

The gateway hands a provider one :class:`OutboundSms` at a time through :meth:`Provider.submit`
and learns the outcome in two ways: the return value (accepted, with the provider's own id) or a
:class:`~smsguard.errors.ProviderError` (``transient`` → retry later with backoff; permanent →
the message ends with the provider's reason). Later news arrives asynchronously as
:class:`DeliveryReport` and :class:`InboundSms` values, which an adapter passes to a
:class:`ProviderEvents` sink (HTTP callbacks for Kannel, deliver_sm for SMPP, polling for cloud
providers). Adapters never see the database and never log a phone number in clear.

``message_id`` is the idempotency key: the gateway may submit the same message again after a
crash, and an adapter whose provider supports deduplication must pass the key on so the
provider accepts it once (:attr:`Provider.idempotent`). The gateway never resubmits an
uncertain message to a provider that cannot deduplicate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

DeliveryStatus = Literal["delivered", "undelivered", "expired", "rejected", "unknown"]


@dataclass(frozen=True)
class OutboundSms:
    """One message for one recipient, ready to hand over."""

    message_id: str  # idempotency key, unique per message, safe to show (no PII)
    to: str  # E.164, e.g. +8613812345678
    text: str
    sender: str | None = None  # sender id / short code / signature where the provider needs one


@dataclass(frozen=True)
class Submission:
    """The provider took the message; ``provider_id`` is its reference for delivery reports."""

    message_id: str
    provider_id: str
    segments: int = 1


@dataclass(frozen=True)
class DeliveryReport:
    """The fate of a submitted message as the carrier reported it."""

    message_id: str | None  # ours, when the provider echoes it back
    provider_id: str | None
    status: DeliveryStatus
    reason: str  # the provider's code or words, "" when delivered
    at: datetime


@dataclass(frozen=True)
class InboundSms:
    """A message from a phone to us (an MO): a reply, an opt-out, a complaint."""

    sender: str  # the phone that sent it, as the provider gave it (normalise before use)
    text: str
    received_at: datetime
    provider_id: str = ""
    recipient: str = ""  # our number / short code it was sent to


class ProviderEvents(Protocol):
    """Where an adapter delivers asynchronous news; the gateway implements it."""

    def delivery_report(self, report: DeliveryReport) -> None:
        """Record a delivery report; must be idempotent (carriers repeat reports)."""
        ...

    def inbound(self, sms: InboundSms) -> None:
        """Handle a reply from a phone (opt-out, complaint, anything else)."""
        ...


@runtime_checkable
class BatchedEvents(ProviderEvents, Protocol):
    """A sink that can also settle many reports at once (one transaction instead of many)."""

    def delivery_reports(self, reports: Sequence[DeliveryReport]) -> None:
        """Record several delivery reports; same rules as :meth:`delivery_report`."""
        ...


class Provider(Protocol):
    """An SMS gateway adapter."""

    name: str
    idempotent: bool  # True when resubmitting the same message_id never sends twice

    def submit(self, sms: OutboundSms) -> Submission:
        """Hand one message to the provider; raise ProviderError when it is not taken."""
        ...

    def close(self) -> None:
        """Release connections (binds, sessions, files)."""
        ...
