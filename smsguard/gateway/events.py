"""What the gateway does with news from a provider: delivery reports and replies.

Delivery reports settle outbox rows (:func:`smsguard.gateway.outbox.apply_reports`). Replies go
through the customer service, which matches the sender by blind index and, in one transaction,
withdraws consent on an opt-out and records a complaint; a reply that is neither is kept for
review, encrypted, because free text from a customer may carry personal data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from smsguard.customers import CustomerService
from smsguard.customers.keystore import load_ring, tenant_label
from smsguard.errors import InputError, SmsguardError
from smsguard.gateway import outbox
from smsguard.gateway.providers.base import DeliveryReport, InboundSms
from smsguard.gateway.watch import GatewayWatch
from smsguard.monitor.events import EventKind
from smsguard.protect import BlindIndexer, MasterKeyProvider, mask_phone
from smsguard.store import Database, tenant_session
from smsguard.store.gateway_models import InboundMessage

if TYPE_CHECKING:
    from smsguard.complaints.service import ComplaintService

log = logging.getLogger(__name__)
_REPLY_KINDS = {
    "opt_out": (EventKind.OPT_OUT,),
    "complaint": (EventKind.COMPLAINT,),
    "both": (EventKind.OPT_OUT, EventKind.COMPLAINT),
}
_REPORT_KINDS = (
    (EventKind.DELIVERED, frozenset({"delivered"})),
    (EventKind.FAILED, frozenset({"undelivered", "expired", "rejected"})),
)


class GatewayEvents:
    """The :class:`~smsguard.gateway.providers.base.ProviderEvents` sink of one institution."""

    def __init__(
        self,
        database: Database,
        institution_id: int,
        *,
        provider_name: str,
        customers: CustomerService,
        keys: MasterKeyProvider,
        indexer: BlindIndexer,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        watch: GatewayWatch | None = None,
        complaints: Callable[[], ComplaintService] | None = None,
    ) -> None:
        self._database = database
        self._institution_id = institution_id
        self._provider_name = provider_name
        self._customers = customers
        self._keys = keys
        self._indexer = indexer
        self._clock = clock
        self._watch = watch
        self._desk_factory = complaints
        self._desk: ComplaintService | None = None

    def delivery_report(self, report: DeliveryReport) -> None:
        """Settle the reported message; repeats and unknown ids change nothing."""
        self.delivery_reports([report])

    def delivery_reports(self, reports: Sequence[DeliveryReport]) -> None:
        """Settle many reported messages in one transaction."""
        keys = [r.message_id for r in reports if r.message_id]
        with tenant_session(self._database, self._institution_id) as session:
            outbox.apply_reports(session, reports, self._provider_name, self._institution_id)
            campaigns = {} if self._watch is None else self._watch.campaigns_of(session, keys)
        if self._watch is not None:
            for kind, statuses in _REPORT_KINDS:
                chosen = [r.message_id for r in reports if r.status in statuses and r.message_id]
                self._watch.counted(kind, [campaigns.get(key) for key in chosen])

    def inbound(self, sms: InboundSms) -> None:
        """Act on a reply: opt-out and complaint via the customer service, the rest kept."""
        try:
            outcome = self._customers.handle_reply(
                sms.sender, sms.text, received_at=sms.received_at
            )
        except InputError as exc:  # an unparseable sender number: keep nothing but a log line
            log.warning("reply dropped: %s", exc.message)
            return
        if outcome.kind == "other":
            self._keep_for_review(sms)
        if outcome.complaint_recorded:
            self._open_complaint_cases()
        log.info("reply from %s: %s", outcome.masked_phone, outcome.kind)
        if self._watch is not None and outcome.known_customer:
            self._watch_reply(sms.sender, outcome.kind)

    def _open_complaint_cases(self) -> None:
        """Open the complaints-desk case for the complaint just recorded and, when the desk
        can send notices, queue its acknowledgement at once. Should either fail, the recorded
        complaint stays and ``complaints reminders`` collects and acknowledges it later."""
        try:
            desk = self._complaints_desk()
            opened = desk.collect_replies()
        except SmsguardError as exc:
            log.warning("complaint case not opened yet: %s", exc.message)
            return
        if self._desk_factory is None:
            return
        for complaint_id in opened:
            try:
                notice = desk.acknowledge(complaint_id)
            except SmsguardError as exc:
                log.warning("complaint %s not acknowledged yet: %s", complaint_id, exc.message)
                continue
            log.info("complaint %s: acknowledgement %s", complaint_id,
                     "queued" if notice.sent else "not sent")  # fmt: skip

    def _complaints_desk(self) -> ComplaintService:
        """The desk from the factory (built on first use: it loads a screener), else one that
        only opens cases."""
        if self._desk is None:
            if self._desk_factory is not None:
                self._desk = self._desk_factory()
            else:
                from smsguard.complaints.service import ComplaintService

                self._desk = ComplaintService(
                    self._database, self._institution_id, self._keys, self._clock
                )
        return self._desk

    def _watch_reply(self, sender: str, kind: str) -> None:
        """Count the reply against the campaign that last wrote to this customer."""
        assert self._watch is not None
        found = self._customers.find_by_phone(sender)
        if found is None:
            return
        with tenant_session(self._database, self._institution_id) as session:
            campaign = outbox.latest_campaign(session, found.customer_id)
        for event_kind in _REPLY_KINDS.get(kind, (EventKind.REPLY,)):
            self._watch.counted(event_kind, [campaign])

    def _keep_for_review(self, sms: InboundSms) -> None:
        index = self._indexer.index(sms.sender).hex()
        found = self._customers.find_by_phone(sms.sender)
        with tenant_session(self._database, self._institution_id) as session:
            ring = load_ring(session, self._keys, self._institution_id)
            row = InboundMessage(
                customer_id=found.customer_id if found else None,
                sender_index=index,
                text_ciphertext=b"",
                kind="other",
                provider=self._provider_name,
                received_at=sms.received_at,
            )
            session.add(row)
            session.flush()  # the row id is bound into the ciphertext
            row.text_ciphertext = ring.encrypt_field(
                sms.text, tenant=tenant_label(self._institution_id), field="reply",
                record_id=str(row.id),
            )  # fmt: skip
        log.info("reply from %s kept for review", mask_phone(sms.sender))
