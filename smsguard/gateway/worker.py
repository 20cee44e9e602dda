"""The worker: drain one institution's outbox through a provider, batch by batch.

One cycle is three steps, so a crash at any point leaves the outbox truthful:

1. in one transaction: settle expired leases, claim a batch (``sending``, with a lease) and
   write the audit row for decrypting its recipients' numbers and texts;
2. outside any transaction: decrypt and hand each message to the provider;
3. in one transaction: record each outcome (``sent``, retry later, or ``failed``).

A kill -9 between 1 and 3 leaves claimed rows whose lease runs out; the next cycle resends
them under the same key if the provider deduplicates, or marks them ``uncertain`` if it does
not (see :mod:`smsguard.gateway.outbox`). For such providers the batch is kept small so that
a crash leaves few messages uncertain.

If the outcomes cannot be written (the database went away after the hand-over), they are kept
in memory and written first thing in the next cycle, so a message handed over is never handed
over again for that. A failing database or log makes a running worker *hold* (retry with
backoff, audited) instead of exiting, and a failing provider opens a breaker that stops new
hand-offs for a while (:mod:`smsguard.gateway.hold`, docs/faults.md).

Pausing a campaign takes effect at the next claim: a batch holds at most ``batch_size``
messages and a cycle is short, so a pause stops a campaign's sending within a second.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from sqlalchemy.orm import Session

from smsguard.customers.keystore import load_ring, tenant_label
from smsguard.errors import CryptoError, LogError, ProviderError, SmsguardError
from smsguard.gateway import outbox
from smsguard.gateway.hold import HOLD_ERRORS, Hold, ProviderBreaker, describe
from smsguard.gateway.outbox import Claimed, Outcome
from smsguard.gateway.providers.base import OutboundSms, Provider, ProviderEvents
from smsguard.gateway.watch import GatewayWatch
from smsguard.monitor.alerts import Alert
from smsguard.monitor.events import EventKind
from smsguard.protect import DataKeyRing, MasterKeyProvider
from smsguard.store import Database, tenant_session
from smsguard.store.models import AuditEvent
from smsguard.trace.stamp import Handover, Tracer

log = logging.getLogger(__name__)

UNCERTAIN_BATCH = 10
# A claimed message with its decrypted SMS, or the reason it cannot be sent.
Prepared = tuple[Claimed, OutboundSms | str]


@runtime_checkable
class PollingProvider(Protocol):
    """A provider whose news is fetched (a simulator, a cloud API) rather than pushed."""

    def poll(self, events: ProviderEvents) -> int:
        """Deliver pending reports and replies to ``events``; returns how many."""
        ...


@dataclass(frozen=True)
class WorkerOptions:
    """How a worker paces itself; the defaults suit one worker on a small machine."""

    batch_size: int = 500
    lease: timedelta = timedelta(seconds=30)
    max_attempts: int = 8
    backoff_base: timedelta = timedelta(seconds=2)
    backoff_max: timedelta = timedelta(minutes=10)
    idle_sleep: float = 0.2
    sender: str | None = None


class Worker:
    """Sends one institution's due messages; several may run at once (see outbox.claim)."""

    def __init__(
        self,
        database: Database,
        institution_id: int,
        provider: Provider,
        keys: MasterKeyProvider,
        events: ProviderEvents,
        options: WorkerOptions | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        tracer: Tracer | None = None,
        watch: GatewayWatch | None = None,
        notify: Callable[[Alert], None] | None = None,
    ) -> None:
        self._database = database
        self._institution_id = institution_id
        self._tenant = tenant_label(institution_id)
        self._provider = provider
        self._keys = keys
        self._events = events
        self._options = options or WorkerOptions()
        self._clock = clock
        self._jitter = random.Random()
        self._tracer = tracer
        self._watch = watch
        self._hold = Hold(database, institution_id, clock, notify=notify)
        self._breaker = ProviderBreaker(clock)
        self._unrecorded: tuple[list[Prepared], list[Outcome]] | None = None

    @property
    def batch_size(self) -> int:
        """Claims per cycle: small when a crash would leave the claimed messages uncertain."""
        size = self._options.batch_size
        return size if self._provider.idempotent else min(size, UNCERTAIN_BATCH)

    def run_once(self) -> int:
        """One cycle: claim, hand over, record, then collect provider news. Returns the
        number of messages handed over (or retried or failed). Screening summaries are read
        first, so a fraud burst found at expansion pauses its campaign before any claim."""
        if self._watch is not None:
            self._watch.poll_screening()
        self._record()  # what an earlier cycle handed over but could not write down
        claimed = [] if self._breaker.open else self._claim()
        if claimed:
            self._unrecorded = (claimed, self._hand_over_all(claimed))
            self._record()
        if isinstance(self._provider, PollingProvider):
            self._provider.poll(self._events)
        if self._watch is not None:
            self._watch.poll_inbox()
            self._watch.poll_audit()
            self._watch.save_now_and_then()
        return len(claimed)

    def _hand_over_all(self, claimed: list[Prepared]) -> list[Outcome]:
        """Hand each message over, unless the provider is failing: then the rest of the batch
        goes back to the queue untried, due when the breaker lets a probe through."""
        outcomes = []
        for message, sms in claimed:
            if self._breaker.open:
                reason = f"held back: {self._breaker.reason}"
                until = self._breaker.paused_until
                outcomes.append(Outcome(message.id, "queued", reason, not_before=until,
                                        untried=True))  # fmt: skip
            else:
                outcomes.append(self._hand_over(message, sms))
        return outcomes

    def _record(self) -> None:
        """Write the outcomes of the last hand-over (kept until the write succeeds)."""
        if self._unrecorded is None:
            return
        claimed, outcomes = self._unrecorded
        try:
            with tenant_session(self._database, self._institution_id) as session:
                outbox.record(session, outcomes, self._clock(), self._institution_id)
        except HOLD_ERRORS:
            log.warning("%d outcome(s) of a hand-over not written yet; kept for the next try",
                        len(outcomes))  # fmt: skip
            raise
        self._unrecorded = None
        self._watch_outcomes(claimed, outcomes)

    def _watch_outcomes(self, claimed: list[Prepared], outcomes: list[Outcome]) -> None:
        if self._watch is None:
            return
        by_id = {message.id: (message, sms) for message, sms in claimed}
        sent = [by_id[o.id] for o in outcomes if o.state == "sent"]
        self._watch.handed_over(
            [(m.campaign_id, m.customer_id, sms.text, m.message_key) for m, sms in sent
             if m.campaign_id is not None and isinstance(sms, OutboundSms)]
        )  # fmt: skip
        self._watch.counted(EventKind.SENT, [None for m, _ in sent if m.campaign_id is None])
        failed = [by_id[o.id][0].campaign_id for o in outcomes if o.state == "failed"]
        self._watch.counted(EventKind.FAILED, failed)

    def run(self, stop: threading.Event, *, until_idle: bool = False) -> int:
        """Cycle until ``stop`` is set (or, with ``until_idle``, until nothing is due)."""
        total = 0
        try:
            while not stop.is_set():
                try:
                    handled = self.run_once()
                except HOLD_ERRORS as exc:
                    if until_idle:
                        raise
                    stop.wait(self._hold.failed(exc))
                    continue
                self._hold.cleared()
                total += handled
                if handled == 0:
                    if until_idle:
                        break
                    stop.wait(self._options.idle_sleep)
        finally:
            if self._unrecorded is not None:
                log.error("%d outcome(s) not written; their leases settle them",
                          len(self._unrecorded[1]))  # fmt: skip
            self._save_watch()
        return total

    def _save_watch(self) -> None:
        """Keep the monitor's history for the next start; never mask what stopped the loop."""
        if self._watch is None:
            return
        try:
            self._watch.close()
        except SmsguardError as exc:
            log.error("monitor state not saved: %s", exc.message)

    def _claim(self) -> list[Prepared]:
        """Claim a batch, decrypt it (audited first) and log it, all in one transaction:
        if the log cannot be written, nothing is claimed and nothing is sent."""
        now = self._clock()
        with tenant_session(self._database, self._institution_id) as session:
            settled = outbox.recover_expired(
                session, now=now, provider_idempotent=self._provider.idempotent
            )
            if settled:
                log.warning("settled %d message(s) left by a stopped worker", settled)
            claimed = outbox.claim(
                session, now=now, limit=self.batch_size, lease=self._options.lease,
                provider=self._provider.name,
            )  # fmt: skip
            if not claimed:
                return []
            session.add(self._reveal_audit(claimed))
            session.flush()  # the audit row is written before anything is decrypted
            ring = load_ring(session, self._keys, self._institution_id)
            prepared = [(message, self._decrypt(message, ring)) for message in claimed]
            if self._tracer is not None:
                self._stamp(session, ring, prepared, now)
        return prepared

    def _stamp(
        self, session: Session, ring: DataKeyRing, prepared: list[Prepared], now: datetime
    ) -> None:
        """Write a log entry for every message about to go out that has none yet (a message
        resent after a crash keeps the entry it got the first time)."""
        assert self._tracer is not None
        fresh = [
            (m, sms) for m, sms in prepared if isinstance(sms, OutboundSms) and m.log_index is None
        ]
        handovers = [Handover(m.message_key, m.template_version_id, m.campaign_id, sms.to, sms.text)
                     for m, sms in fresh]  # fmt: skip
        try:
            stamps = self._tracer.stamp(handovers, now, session)
        except OSError as exc:  # a full disk, say: the claim rolls back, nothing is sent
            raise LogError(f"cannot append to the transparency log: {describe(exc)}") from exc
        sealed = [
            (m.id, stamp.log_index, ring.encrypt_field(stamp.salt.hex(), tenant=self._tenant,
                                                       field="log_salt", record_id=m.message_key))
            for (m, _), stamp in zip(fresh, stamps, strict=True)
        ]  # fmt: skip
        outbox.note_logged(session, sealed, self._institution_id)

    def _reveal_audit(self, claimed: list[Claimed]) -> AuditEvent:
        """Decrypting numbers to deliver them is a reveal too: one row per batch says whose."""
        return AuditEvent(
            institution_id=self._institution_id,
            actor=f"gateway:{self._provider.name}",
            action="customer.phones_revealed",
            target_type="outbox",
            target_id=str(claimed[0].id),
            detail={
                "purpose": "delivery",
                "messages": [m.id for m in claimed],
                "customers": sorted({m.customer_id for m in claimed}),
            },
        )

    def _hand_over(self, message: Claimed, sms: OutboundSms | str) -> Outcome:
        if isinstance(sms, str):
            return Outcome(message.id, "failed", sms)
        try:
            submission = self._provider.submit(sms)
        except ProviderError as exc:
            if exc.uncertain:  # no answer: a timeout per message would hammer a dead provider
                self._breaker.failed(f"{self._provider.name}: {exc.reason}")
            return self._after_error(message, exc)
        self._breaker.succeeded()
        return Outcome(message.id, "sent", provider_id=submission.provider_id)

    def _decrypt(self, message: Claimed, ring: DataKeyRing) -> OutboundSms | str:
        """The message ready to hand over, or why it cannot be (a key problem, say)."""
        try:
            phone = ring.decrypt_field(
                message.phone_ciphertext, tenant=self._tenant, field="phone",
                record_id=str(message.customer_id),
            )  # fmt: skip
            text = ring.decrypt_field(
                message.body_ciphertext, tenant=self._tenant, field="body",
                record_id=message.message_key,
            )  # fmt: skip
        except CryptoError as exc:
            return f"cannot decrypt: {exc.message}"
        return OutboundSms(message.message_key, phone, text, self._options.sender)

    def _after_error(self, message: Claimed, error: ProviderError) -> Outcome:
        reason = f"{self._provider.name}: {error.reason}"
        if error.uncertain and (
            not self._provider.idempotent or message.attempts >= self._options.max_attempts
        ):
            return Outcome(message.id, "uncertain", f"{reason} (not resent; a report settles it)")
        if error.uncertain:  # the provider dedupes by key: resending cannot send twice
            reason += " (outcome unknown; resent under the same key)"
        elif not error.transient:
            return Outcome(message.id, "failed", reason)
        if message.attempts >= self._options.max_attempts:
            return Outcome(
                message.id, "failed", f"gave up after {message.attempts} tries; {reason}"
            )
        return Outcome(message.id, "queued", reason, not_before=self._retry_at(message.attempts))

    def _retry_at(self, attempts: int) -> datetime:
        """Exponential backoff with full jitter, so retries from many workers spread out."""
        ceiling = min(
            self._options.backoff_base * (1 << max(attempts - 1, 0)), self._options.backoff_max
        )
        return self._clock() + ceiling * (0.5 + self._jitter.random() / 2)
