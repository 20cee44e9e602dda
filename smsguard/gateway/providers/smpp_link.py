"""The bind-level plumbing of the SMPP adapter: sequence numbers, waiters and one bind.

Apart from :mod:`.smpp` only to keep modules small; nothing here knows about messages.
A :class:`Link` is shared by the worker thread (which writes submit_sm and waits) and the
reader thread (which writes responses and completes the waits), hence the locks.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger(__name__)


class Sequences:
    """smpplib's sequence-generator interface, safe to call from both threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value = 0

    @property
    def sequence(self) -> int:
        return self._value

    def next_sequence(self) -> int:
        with self._lock:
            self._value = 1 if self._value >= 0x7FFFFFFF else self._value + 1
            return self._value


class Pending:
    """A request waiting for its response; ``status`` stays None if the bind died first."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.status: int | None = None
        self.message_id = ""


class NotSent(Exception):
    """The PDU never left: the bind was down or the write failed."""


class NoAnswer(Exception):
    """The PDU was written but no response came: the SMSC may or may not have it."""


class Link:
    """One connected, bound smpplib client and the requests waiting for its answers."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._write = threading.Lock()
        self._lock = threading.Lock()
        self._pending: dict[int, Pending] = {}
        self.alive = True
        self.probing = False  # an enquire_link is out and unanswered

    def send(self, pdu: Any) -> None:
        with self._write:
            self.client.send_pdu(pdu)

    def request(self, pdu: Any) -> Pending:
        """Register then write ``pdu``; the reader thread completes the returned wait."""
        waiter = Pending()
        with self._lock:
            if not self.alive:
                raise NotSent("bind is down")
            self._pending[pdu.sequence] = waiter
        try:
            self.send(pdu)
        except Exception as exc:
            self.forget(pdu.sequence)
            raise NotSent(type(exc).__name__) from exc
        return waiter

    def resolve(self, sequence: int, status: int, message_id: str) -> None:
        with self._lock:
            waiter = self._pending.pop(sequence, None)
        if waiter is not None:
            waiter.status, waiter.message_id = status, message_id
            waiter.done.set()

    def forget(self, sequence: int) -> None:
        with self._lock:
            self._pending.pop(sequence, None)

    def kill(self) -> None:
        """Fail every waiter (as unanswered) and close the socket; safe to call twice."""
        with self._lock:
            was_alive, self.alive = self.alive, False
            waiting, self._pending = list(self._pending.values()), {}
        for waiter in waiting:
            waiter.done.set()
        if was_alive:
            try:
                self.client.disconnect()
            except Exception:  # closing a broken socket may fail; it is gone
                log.debug("SMPP disconnect raised", exc_info=True)
