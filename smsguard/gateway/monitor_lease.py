"""Which process runs an institution's monitor.

The detectors need every event of an institution in one place (an opt-out rate over half the
traffic is a guess, a volume check over half of it is wrong), and their automatic actions must
happen once. So one process per institution holds the *monitor lease* and runs them; every
other process forwards its events through ``monitor_inbox`` (:mod:`.monitor_inbox`).

On PostgreSQL the lease is a session-level advisory lock on a connection of its own: it is
held for as long as that connection lives, so a worker killed with SIGKILL or cut off by a
database restart loses it at once and another worker takes it over at its next check. On
SQLite one sending worker per institution is the supported set-up, so the worker always leads.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import Protocol

from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from smsguard.store import Database

log = logging.getLogger(__name__)

# "smsm" in ASCII: the monitor's advisory-lock namespace (the log writers use "smsg").
MONITOR_LOCK_NAMESPACE = 0x736D736D
RECHECK_SECONDS = 1.0


class Lease(Protocol):
    """Whether this process runs the monitor of its institution right now."""

    def held(self) -> bool:
        """True while this process leads; may acquire the lease when it is free."""
        ...

    def release(self) -> None:
        """Give the lease up (at shutdown)."""
        ...


class AlwaysLead:
    """The lease of a process that is alone by design (a worker on SQLite, a test)."""

    def held(self) -> bool:
        """Always leads."""
        return True

    def release(self) -> None:
        """Nothing to give up."""


class NeverLead:
    """The lease of a process that only forwards (an API process receiving provider pushes)."""

    def held(self) -> bool:
        """Never leads."""
        return False

    def release(self) -> None:
        """Nothing to give up."""


class AdvisoryLease:
    """A PostgreSQL session-level advisory lock on ``(namespace, institution id)``."""

    def __init__(
        self,
        database: Database,
        institution_id: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._database = database
        self._key = {"namespace": MONITOR_LOCK_NAMESPACE, "institution": institution_id}
        self._clock = clock
        self._connection: Connection | None = None
        self._checked_at = float("-inf")
        self._held = False

    def held(self) -> bool:
        """Whether the lock is ours; checked (and taken if free) at most once a second."""
        now = self._clock()
        if now - self._checked_at >= RECHECK_SECONDS:
            self._checked_at = now
            self._held = self._check()
        return self._held

    def _check(self) -> bool:
        try:
            if self._connection is not None and self._held:
                self._connection.execute(text("SELECT 1")).scalar()  # still alive, still ours
                self._connection.commit()
                return True
            return self._acquire()
        except SQLAlchemyError as exc:
            log.warning("monitor lease lost: %s", exc.__class__.__name__)
            self._drop()
            return False

    def _acquire(self) -> bool:
        if self._connection is None:
            self._connection = self._database.engine.connect()
        taken = self._connection.execute(
            text("SELECT pg_try_advisory_lock(:namespace, :institution)"), self._key
        ).scalar()
        self._connection.commit()
        if taken:
            log.info(
                "this process now runs the monitor of institution %s", self._key["institution"]
            )
        return bool(taken)

    def release(self) -> None:
        """Unlock and close the connection (closing alone would release it too)."""
        if self._connection is not None and self._held:
            try:
                self._connection.execute(
                    text("SELECT pg_advisory_unlock(:namespace, :institution)"), self._key
                )
                self._connection.commit()
            except SQLAlchemyError:
                pass  # the lock died with the connection
        self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(SQLAlchemyError):
                self._connection.close()
        self._connection = None
        self._held = False


def lease_for(database: Database, institution_id: int) -> Lease:
    """The lease a sending worker competes for on this database."""
    if database.backend == "postgresql":
        return AdvisoryLease(database, institution_id)
    return AlwaysLead()
