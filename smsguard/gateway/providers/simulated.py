"""A provider that sends nothing: the default for ``make serve``, demos and users' own tests.

It behaves like a well-run SMS aggregator. It takes a message once per message key (a second
submission of the same key returns the first answer, as providers with idempotency keys do),
produces a delivery report for each message, and, at configurable rates, fails submissions
(transient or permanent), reports non-delivery, and has recipients reply "退订" or "投诉" so
the reply path can be exercised without a phone. A seeded random generator makes every run
repeatable.

With ``journal`` set, the simulator keeps its memory of accepted keys in a file shared by
every process that uses it, as a real provider keeps it on its servers: under an exclusive
lock each submission reads what other processes appended, and appends its own key before
answering. A restarted or second worker then still cannot get a key accepted twice, which is
what the crash tests check.

With ``outage`` set, the simulator can be made to stop answering from outside, as a provider
that hangs does: while that file exists every submission waits ``outage_timeout`` seconds and
then fails as *outcome unknown* (``ProviderError.uncertain``); with probability
``outage_accept`` the message did reach the provider first, which is the case that must never
become a second SMS. Deleting the file ends the outage. ``report_delay`` holds each report
and reply back that long, as a carrier takes its time. The fault tests use both.
"""

from __future__ import annotations

import fcntl
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from smsguard.errors import InputError, ProviderError
from smsguard.gateway.providers.base import (
    BatchedEvents,
    DeliveryReport,
    InboundSms,
    OutboundSms,
    ProviderEvents,
    Submission,
)
from smsguard.screening.facts.segments import segment_info

OPT_OUT_REPLY = "退订"
COMPLAINT_REPLY = "你们天天发短信骚扰，我要投诉"


@dataclass(frozen=True)
class SimulationRates:
    """Probabilities, each in [0, 1], of what happens to one accepted or submitted message."""

    transient_failure: float = 0.0
    permanent_failure: float = 0.0
    undelivered: float = 0.0
    opt_out_reply: float = 0.0
    complaint_reply: float = 0.0

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not 0.0 <= value <= 1.0:
                raise InputError(f"simulation rate {item.name} must be in [0, 1], got {value}")


class SimulatedProvider:
    """An in-process SMS provider with delivery reports and replies; see the module docs."""

    name = "simulated"
    idempotent = True

    def __init__(
        self,
        rates: SimulationRates | None = None,
        *,
        seed: int = 0,
        journal: Path | None = None,
        latency: float = 0.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        outage: Path | None = None,
        outage_timeout: float = 1.0,
        outage_accept: float = 0.5,
        report_delay: float = 0.0,
    ) -> None:
        if latency < 0 or outage_timeout < 0:
            raise InputError(f"simulated delays must not be negative: {latency}, {outage_timeout}")
        if not 0.0 <= outage_accept <= 1.0:
            raise InputError(f"outage_accept must be in [0, 1], got {outage_accept}")
        self._outage, self._outage_timeout = outage, outage_timeout
        self._outage_accept = outage_accept
        self._report_delay = timedelta(seconds=max(report_delay, 0.0))
        self.rates = rates or SimulationRates()
        self._latency = latency
        self._random = random.Random(seed)
        self._clock = clock
        self._accepted: dict[str, Submission] = {}
        self._pending: list[DeliveryReport | InboundSms] = []
        self.submitted: list[OutboundSms] = []  # accepted messages, in order (for tests)
        self.duplicates = 0
        self._journal: BinaryIO | None = None
        self._journal_read = 0
        if journal is not None:
            self._journal = journal.open("a+b")

    def submit(self, sms: OutboundSms) -> Submission:
        """Accept ``sms`` once per message key, or fail it at the configured rates."""
        if self._latency:
            time.sleep(self._latency)  # a network round trip, so crashes can land mid-batch
        if self._outage is not None and self._outage.exists():
            self._hang(sms)
        with self._journal_locked():
            earlier = self._accepted.get(sms.message_id)
            if earlier is not None:
                self.duplicates += 1
                return earlier
            self._maybe_fail()
            return self._take(sms)

    def _take(self, sms: OutboundSms) -> Submission:
        """Accept a new key (under the journal lock): journal it, schedule its news."""
        submission = Submission(
            sms.message_id, f"sim-{len(self._accepted) + 1}", segment_info(sms.text).parts
        )
        self._accepted[sms.message_id] = submission
        if self._journal is not None:
            line = f"{sms.message_id}\t{submission.provider_id}\n".encode()
            self._journal.write(line)
            self._journal.flush()  # in the OS before we answer: survives a kill -9
            self._journal_read += len(line)
        self.submitted.append(sms)
        self._schedule_news(sms, submission)
        return submission

    def _hang(self, sms: OutboundSms) -> None:
        """An outage: maybe take the message, then let the answer never come."""
        if self._random.random() < self._outage_accept:
            self._accept(sms)
        time.sleep(self._outage_timeout)
        raise ProviderError(
            f"no answer within {self._outage_timeout:g} s", reason="SIM_TIMEOUT",
            transient=True, uncertain=True,
        )  # fmt: skip

    def _accept(self, sms: OutboundSms) -> Submission:
        with self._journal_locked():
            earlier = self._accepted.get(sms.message_id)
            if earlier is not None:
                self.duplicates += 1
                return earlier
            return self._take(sms)

    @contextmanager
    def _journal_locked(self) -> Iterator[None]:
        """Hold the journal's lock and catch up with keys other processes accepted."""
        if self._journal is None:
            yield
            return
        fcntl.flock(self._journal.fileno(), fcntl.LOCK_EX)
        try:
            self._journal.seek(self._journal_read)
            fresh = self._journal.read()
            complete = fresh[: fresh.rfind(b"\n") + 1]  # a torn last line is not a key yet
            self._journal_read += len(complete)
            self._accepted.update(_parse_journal(complete.decode("utf-8")))
            yield
        finally:
            fcntl.flock(self._journal.fileno(), fcntl.LOCK_UN)

    def _maybe_fail(self) -> None:
        roll = self._random.random()
        if roll < self.rates.permanent_failure:
            raise ProviderError("simulated permanent failure", reason="SIM_INVALID_NUMBER",
                                transient=False)  # fmt: skip
        if roll < self.rates.permanent_failure + self.rates.transient_failure:
            raise ProviderError("simulated transient failure", reason="SIM_THROTTLED",
                                transient=True)  # fmt: skip

    def _schedule_news(self, sms: OutboundSms, submission: Submission) -> None:
        now = self._clock()
        delivered = self._random.random() >= self.rates.undelivered
        self._pending.append(
            DeliveryReport(
                message_id=sms.message_id,
                provider_id=submission.provider_id,
                status="delivered" if delivered else "undelivered",
                reason="" if delivered else "SIM_ABSENT_SUBSCRIBER",
                at=now,
            )
        )
        if delivered and self._random.random() < self.rates.opt_out_reply:
            self.inject_reply(sms.to, OPT_OUT_REPLY)
        elif delivered and self._random.random() < self.rates.complaint_reply:
            self.inject_reply(sms.to, COMPLAINT_REPLY)

    def inject_reply(self, sender: str, text: str) -> None:
        """Queue a reply from ``sender`` as if their phone had sent it."""
        self._pending.append(InboundSms(sender=sender, text=text, received_at=self._clock()))

    def poll(self, events: ProviderEvents) -> int:
        """Hand every pending report and reply to ``events``; returns how many. News the sink
        could not take (its database is down, say) stays pending for the next poll."""
        now = self._clock()
        pending: list[DeliveryReport | InboundSms] = []
        later: list[DeliveryReport | InboundSms] = []
        for item in self._pending:
            due = not self._report_delay or _news_at(item) + self._report_delay <= now
            (pending if due else later).append(item)
        self._pending = later
        reports = [item for item in pending if isinstance(item, DeliveryReport)]
        replies = [item for item in pending if isinstance(item, InboundSms)]
        try:
            if isinstance(events, BatchedEvents):
                events.delivery_reports(reports)
            else:
                for report in reports:
                    events.delivery_report(report)  # idempotent: a repeat changes nothing
            reports = []
            while replies:
                events.inbound(replies[0])
                replies.pop(0)
        finally:
            self._pending = [*reports, *replies, *self._pending]
        return len(pending)

    def close(self) -> None:
        """Close the journal, if any."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None


def _news_at(item: DeliveryReport | InboundSms) -> datetime:
    return item.at if isinstance(item, DeliveryReport) else item.received_at


def _parse_journal(text: str) -> dict[str, Submission]:
    """Accepted message keys from complete journal lines."""
    accepted: dict[str, Submission] = {}
    for line in text.splitlines():
        key, _, provider_id = line.partition("\t")
        if key and provider_id:
            accepted[key] = Submission(key, provider_id)
    return accepted
