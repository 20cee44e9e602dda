"""When the worker must wait: its database or log is failing, or its provider is.

**Holding** (:class:`Hold`). A claim needs the database and the transparency log; if either
fails (PostgreSQL restarting, the log's disk full) nothing was claimed and nothing was sent,
because the log is written in the claim's transaction, before any hand-over. The worker does
not exit and does not pause campaigns (the cause is the installation, not a campaign): it
*holds*, retrying with exponential backoff and jitter, and carries on by itself once the
cause is gone. Each hold is written down where operators look: when the database answers, an
audit row ``gateway.held`` and a monitor alert (detector ``gateway_held``) name the cause; a
row ``gateway.resumed`` says how long it lasted. During a database outage these rows are
written when it comes back; the worker's log and the alert webhooks say it at once.

**Backing off a provider that does not answer** (:class:`ProviderBreaker`). Each message
whose answer is lost (a timeout) is retried with its own backoff, but new messages would still
each cost the provider a request and the worker a timeout. After a few consecutive unanswered
hand-offs the breaker opens (an answer, even "throttled, try later", does not count: it is
cheap, and each message's own backoff deals with it): the rest of the batch goes back to the
queue untried and the worker claims nothing until the pause ends; then one message probes,
and every further failure doubles the pause (up to a ceiling). The first answer closes it.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from smsguard.errors import LogError, SmsguardError, StorageError
from smsguard.monitor.alerts import Action, Alert, Subject
from smsguard.monitor_alerts import record_alerts
from smsguard.store import Database, tenant_session
from smsguard.store.models import AuditEvent, Institution

log = logging.getLogger(__name__)

# What makes a worker hold instead of exiting: the database, the log, the disk under either.
HOLD_ERRORS: tuple[type[BaseException], ...] = (StorageError, LogError, OSError)
ACTOR = "gateway"


def describe(error: BaseException) -> str:
    """One line naming the cause, never a traceback."""
    if isinstance(error, SmsguardError):
        return error.message
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror} ({error.filename})" if error.filename else error.strerror
    return f"{type(error).__name__}: {error}"


def _backoff(base: float, ceiling: float, failures: int, jitter: random.Random) -> float:
    return min(base * (1 << min(failures - 1, 30)), ceiling) * (0.5 + jitter.random() / 2)


class Hold:
    """One institution's worker holding on a failure; see the module docstring."""

    def __init__(
        self, database: Database, institution_id: int, clock: Callable[[], datetime],
        base: float = 0.5, ceiling: float = 15.0, notify: Callable[[Alert], None] | None = None,
    ) -> None:  # fmt: skip
        self._database = database
        self._notify = notify
        self._institution_id = institution_id
        self._clock = clock
        self._base, self._ceiling = base, ceiling
        self._jitter = random.Random()
        self._since: datetime | None = None
        self._reason = ""
        self._failures = 0
        self._recorded = False

    @property
    def holding(self) -> bool:
        return self._since is not None

    def failed(self, error: BaseException) -> float:
        """Note a failed cycle; the seconds to wait before the next one."""
        reason = describe(error)
        if self._since is None:
            self._since, self._reason = self._clock(), reason
            log.error("sending held: %s; retrying with backoff", reason)
            self._notify_now()
        elif reason != self._reason:
            log.error("sending still held: %s", reason)
            self._reason = reason
        self._failures += 1
        if not self._recorded:
            self._recorded = self._write(self._held)
        return _backoff(self._base, self._ceiling, self._failures, self._jitter)

    def _notify_now(self) -> None:
        """The alert webhooks need no database, so they hear of a hold at once."""
        if self._notify is None:
            return
        try:
            self._notify(self._alert())
        except Exception as exc:  # a webhook problem must not stop the hold
            log.warning("hold alert not sent to the webhooks: %s", describe(exc))

    def cleared(self) -> None:
        """A cycle succeeded: end the hold, if any, in the audit trail."""
        if self._since is None:
            return
        held = (self._clock() - self._since).total_seconds()
        log.warning("sending resumed after %.1f s held (%s)", held, self._reason)
        if not self._recorded:
            self._write(self._held)
        self._write(self._resumed)
        self._since, self._reason, self._failures, self._recorded = None, "", 0, False

    def _write(self, rows: Callable[[], tuple[AuditEvent, Alert | None]]) -> bool:
        """Best effort: the database may be the thing that is down."""
        try:
            with tenant_session(self._database, self._institution_id) as session:
                audit, alert = rows()
                if alert is not None:
                    institution = session.get(Institution, self._institution_id)
                    code = institution.code if institution is not None else ""
                    alert = _with_institution(alert, code)
                session.add(audit)
                session.flush()
                if alert is not None:
                    record_alerts(session, self._institution_id, [alert])
        except StorageError as exc:
            log.warning("hold not recorded yet: %s", exc.message)
            return False
        return True

    def _alert(self) -> Alert:
        assert self._since is not None
        explanation = f"Sending held since {self._since:%H:%M:%S} UTC: {self._reason}"
        return Alert(
            detector="gateway_held", severity="warn",
            subject=Subject("institution", str(self._institution_id), ""),
            explanation=explanation, action=Action.NONE, at=self._clock(),
            numbers={"reason": self._reason},
        )  # fmt: skip

    def _held(self) -> tuple[AuditEvent, Alert | None]:
        assert self._since is not None
        detail: dict[str, object] = {"reason": self._reason, "since": self._since.isoformat()}
        return self._audit("gateway.held", detail), self._alert()

    def _resumed(self) -> tuple[AuditEvent, Alert | None]:
        assert self._since is not None
        held = round((self._clock() - self._since).total_seconds(), 1)
        detail: dict[str, object] = {"reason": self._reason, "since": self._since.isoformat(),
                  "held_seconds": held, "failed_cycles": self._failures}  # fmt: skip
        return self._audit("gateway.resumed", detail), None

    def _audit(self, action: str, detail: dict[str, object]) -> AuditEvent:
        return AuditEvent(
            institution_id=self._institution_id, actor=ACTOR, action=action,
            target_type="institution", target_id=str(self._institution_id), detail=detail,
        )  # fmt: skip


def _with_institution(alert: Alert, code: str) -> Alert:
    subject = Subject(alert.subject.kind, alert.subject.id, code)
    return Alert(alert.detector, alert.severity, subject, alert.explanation, alert.action,
                 alert.at, alert.numbers)  # fmt: skip


class ProviderBreaker:
    """Consecutive unanswered hand-offs open it; see the module docstring."""

    def __init__(
        self, clock: Callable[[], datetime], threshold: int = 3,
        base: timedelta = timedelta(seconds=1), ceiling: timedelta = timedelta(seconds=30),
    ) -> None:  # fmt: skip
        self._clock = clock
        self._threshold = threshold
        self._base, self._ceiling = base, ceiling
        self._jitter = random.Random()
        self._failures = 0
        self._trips = 0
        self.paused_until: datetime | None = None  # no hand-off before then
        self.reason = ""

    @property
    def open(self) -> bool:
        """Whether hand-offs must wait (after the pause one message probes)."""
        return self.paused_until is not None and self._clock() < self.paused_until

    def succeeded(self) -> None:
        if self._trips:
            log.warning("provider answers again; breaker closed after %d pause(s)", self._trips)
        self._failures, self._trips, self.paused_until, self.reason = 0, 0, None, ""

    def failed(self, reason: str) -> None:
        """An unanswered hand-off; opens (or re-opens) the breaker past the threshold."""
        self._failures += 1
        if self._failures < self._threshold:
            return
        self._trips += 1
        ceiling = min(self._base * (1 << min(self._trips - 1, 30)), self._ceiling)
        pause = ceiling * (0.5 + self._jitter.random() / 2)
        self.paused_until, self.reason = self._clock() + pause, reason
        log.error("provider failing (%s); no hand-off for %.1f s", reason, pause.total_seconds())
