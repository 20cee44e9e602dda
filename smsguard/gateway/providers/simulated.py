"""A provider that sends nothing: the default for ``make serve``, demos and users' own tests.

It behaves like a well-run SMS aggregator. It takes a message once per message key (a second
submission of the same key returns the first answer, as providers with idempotency keys do),
produces a delivery report for each message, and, at configurable rates, fails submissions
(transient or permanent), reports non-delivery, and has recipients reply "退订" or "投诉" so
the reply path can be exercised without a phone. A seeded random generator makes every run
repeatable.

With ``journal`` set, every accepted message key is appended to a file as it is accepted, and
the file is read back on start: a second process (a restarted worker) then still refuses to
take a key twice, which is what the crash tests check.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from smsguard.errors import InputError, ProviderError
from smsguard.gateway.providers.base import (
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
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.rates = rates or SimulationRates()
        self._random = random.Random(seed)
        self._clock = clock
        self._accepted: dict[str, Submission] = {}
        self._pending: list[DeliveryReport | InboundSms] = []
        self.submitted: list[OutboundSms] = []  # accepted messages, in order (for tests)
        self.duplicates = 0
        self._journal: TextIO | None = None
        if journal is not None:
            self._accepted.update(_read_journal(journal))
            self._journal = journal.open("a", encoding="utf-8")

    def submit(self, sms: OutboundSms) -> Submission:
        """Accept ``sms`` once per message key, or fail it at the configured rates."""
        earlier = self._accepted.get(sms.message_id)
        if earlier is not None:
            self.duplicates += 1
            return earlier
        self._maybe_fail()
        submission = Submission(
            sms.message_id, f"sim-{len(self._accepted) + 1}", segment_info(sms.text).parts
        )
        self._accepted[sms.message_id] = submission
        self.submitted.append(sms)
        if self._journal is not None:
            self._journal.write(f"{sms.message_id}\t{submission.provider_id}\n")
            self._journal.flush()  # in the OS before we answer: survives a kill -9
        self._schedule_news(sms, submission)
        return submission

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
        """Hand every pending report and reply to ``events``; returns how many."""
        pending, self._pending = self._pending, []
        for item in pending:
            if isinstance(item, DeliveryReport):
                events.delivery_report(item)
            else:
                events.inbound(item)
        return len(pending)

    def close(self) -> None:
        """Close the journal, if any."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None


def _read_journal(path: Path) -> dict[str, Submission]:
    """Message keys already accepted by an earlier process; a torn last line is ignored."""
    if not path.exists():
        return {}
    accepted: dict[str, Submission] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, provider_id = line.partition("\t")
        if key and provider_id:
            accepted[key] = Submission(key, provider_id)
    return accepted
