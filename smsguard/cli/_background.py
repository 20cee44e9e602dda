"""The work ``smsguard serve`` runs beside the HTTP service, in threads of the same process.

* one sending worker per institution (what ``smsguard worker`` runs), with its provider's
  services; institutions added while the service runs get theirs within a scan interval;
* the complaints desk's periodic duties (what ``smsguard complaints reminders`` runs from
  cron): open cases for SMS complaints, send acknowledgements, record due reminders;
* the intel subscriptions poller (``intel/subscriptions.yaml``, every
  ``intel_poll_seconds``): peers' signed feeds, imported as they change (docs/intel-taxii.md).

A failing worker logs one line (never a customer's number: errors carry masked numbers
only) and is restarted after a pause, so one broken provider does not stop the service.
:meth:`Background.stop` sets one event that every loop watches, then joins the threads.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from smsguard.errors import SmsguardError
from smsguard.settings import Settings

if TYPE_CHECKING:
    from smsguard.complaints.service import ComplaintService
    from smsguard.store import Database

log = logging.getLogger("smsguard.serve")


class Background:
    """Workers and complaint duties for every institution, until :meth:`stop`."""

    def __init__(
        self,
        settings: Settings,
        *,
        scan_seconds: float = 30.0,
        reminder_seconds: float = 60.0,
        retry_seconds: float = 5.0,
    ) -> None:
        self._settings = settings
        self._scan, self._remind_every, self._retry = scan_seconds, reminder_seconds, retry_seconds
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._workers: set[int] = set()
        self._desks: dict[int, ComplaintService] = {}

    def start(self) -> None:
        """Start the supervisor thread, which starts the rest."""
        self._spawn("smsguard-supervisor", self._supervise)
        self._spawn("smsguard-intel-subscriptions", self._subscriptions)

    def stop(self, timeout: float = 15.0) -> None:
        """Ask every loop to finish its current step, then wait for the threads."""
        self._stop.set()
        for thread in list(self._threads):
            thread.join(timeout)

    def _spawn(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _supervise(self) -> None:
        from smsguard.bootstrap import build_database

        database = build_database(self._settings)
        try:
            waited = self._remind_every  # the first round of reminders runs at once
            while not self._stop.is_set():
                self._guarded("institution scan", partial(self._start_workers, database))
                if waited >= self._remind_every:
                    self._guarded("complaint reminders", partial(self._reminders, database))
                    waited = 0.0
                self._stop.wait(self._scan)
                waited += self._scan
        finally:
            for thread in self._threads[1:]:
                thread.join(15.0)
            database.dispose()

    def _subscriptions(self) -> None:
        from smsguard.bootstrap import build_database, build_intel_context
        from smsguard.intel.subscribe import Poller

        database = build_database(self._settings)
        context = partial(build_intel_context, self._settings, database)
        poller = Poller(self._settings.home, database, context,
                        interval=self._settings.intel_poll_seconds)  # fmt: skip
        try:
            poller.run(self._stop)
        finally:
            database.dispose()

    def _start_workers(self, database: Database) -> None:
        from smsguard.store.institutions import list_institutions

        for institution in list_institutions(database):
            if institution.id not in self._workers:
                self._workers.add(institution.id)
                work = partial(self._work, database, institution.id, institution.code)
                self._spawn(f"smsguard-worker-{institution.code}", work)
                log.info("sending worker for %s started", institution.code)

    def _work(self, database: Database, institution_id: int, code: str) -> None:
        run = partial(self._run_worker, database, institution_id)
        while not self._stop.is_set():
            self._guarded(f"worker of {code}", run)
            self._stop.wait(self._retry)

    def _run_worker(self, database: Database, institution_id: int) -> None:
        from smsguard.bootstrap import build_worker

        worker, sending = build_worker(self._settings, database, institution_id)
        try:
            for service in sending.services:
                service.start()
            worker.run(self._stop)
        finally:
            for service in sending.services:
                service.stop()
            sending.provider.close()

    def _reminders(self, database: Database) -> None:
        from smsguard.store.institutions import list_institutions

        for institution in list_institutions(database):
            remind = partial(self._remind, database, institution.id, institution.code)
            self._guarded(f"complaints of {institution.code}", remind)

    def _remind(self, database: Database, institution_id: int, code: str) -> None:
        from smsguard.complaints.wiring import build_complaints

        if institution_id not in self._desks:
            self._desks[institution_id] = build_complaints(self._settings, database, institution_id)
        desk = self._desks[institution_id]
        for complaint_id in desk.collect_replies():
            log.info("%s: complaint %d opened from an SMS reply", code, complaint_id)
        for complaint_id, notice in desk.acknowledge_pending().items():
            if not notice.sent:
                log.warning(
                    "%s: complaint %d not acknowledged: %s", code, complaint_id, notice.reason
                )
        for due in desk.due_reminders():
            alert = due.alert
            what = "ESCALATION: overdue" if alert.kind == "escalation" else f"{alert.percent}% used"
            log.warning("%s: complaint %d, %s deadline %s: %s", code, due.complaint_id,
                        alert.deadline, f"{alert.due_at:%Y-%m-%d %H:%M}", what)  # fmt: skip

    def _guarded(self, what: str, step: Callable[[], None]) -> None:
        """Run ``step``; log a failure in one line instead of ending the thread."""
        try:
            step()
        except SmsguardError as exc:
            log.error("%s failed: [%s] %s", what, exc.code, exc.message)
        except Exception as exc:  # a thread must not die silently; no traceback for users
            log.error("%s failed: internal error %s (SMSGUARD_DEBUG=1 shows it)", what,
                      type(exc).__name__, exc_info=_debug())  # fmt: skip


def _debug() -> bool:
    import os

    return bool(os.environ.get("SMSGUARD_DEBUG"))
