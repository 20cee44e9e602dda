"""Log entries for messages about to be handed over: one salted leaf per message.

The leaf names the institution, template version, campaign and message, the hand-off time,
and commits to the recipient and exact text under a fresh 32-byte secret salt
(:func:`smsguard.tlog.leaf.commit`). The salt goes back to the caller to be stored encrypted
with the message: it is what lets the institution later show a consumer that *their* SMS is
in the log, and destroying it is how an erasure request is met without rewriting the log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from smsguard.store.tenancy import TenantSession
from smsguard.tlog.leaf import SmsLeaf, commit, new_salt
from smsguard.trace.recorder import MessageLog, TransactionalMessageLog

SERVICE_CAMPAIGN = "service"


@dataclass(frozen=True)
class Handover:
    """What is about to be sent, in clear, only in memory."""

    message_key: str
    template_version_id: int
    campaign_id: int | None
    to: str  # E.164
    text: str


@dataclass(frozen=True)
class Stamp:
    """Where a message's entry landed and the salt that opens its commitment."""

    log_index: int
    salt: bytes


def campaign_label(campaign_id: int | None) -> str:
    """The campaign field of a leaf: ``c-<id>``, or ``service`` for a single message."""
    return SERVICE_CAMPAIGN if campaign_id is None else f"c-{campaign_id}"


class Tracer:
    """Stamps batches of hand-overs of one institution into its log."""

    def __init__(self, institution_code: str, log: MessageLog) -> None:
        self._code = institution_code
        self._log = log

    def stamp(
        self, handovers: Sequence[Handover], at: datetime, session: Session | None = None
    ) -> list[Stamp]:
        """Append one leaf per hand-over (durably, in order) and return their stamps.

        A log kept in the database joins the caller's ``session``, so the entries commit
        together with the caller's records of them (and SQLite's one writer is not blocked).
        """
        if not handovers:
            return []
        salts = [new_salt() for _ in handovers]
        leaves = [self._leaf(h, salt, at) for h, salt in zip(handovers, salts, strict=True)]
        if isinstance(self._log, TransactionalMessageLog) and isinstance(session, TenantSession):
            first = self._log.record_in(session, leaves)
        else:
            first = self._log.record(leaves)
        return [Stamp(first + offset, salt) for offset, salt in enumerate(salts)]

    def _leaf(self, handover: Handover, salt: bytes, at: datetime) -> SmsLeaf:
        return SmsLeaf(
            institution=self._code,
            template_version=f"tv-{handover.template_version_id}",
            campaign=campaign_label(handover.campaign_id),
            message=handover.message_key,
            time=int(at.timestamp()),
            commitment=commit(salt, handover.to, handover.text),
        )
