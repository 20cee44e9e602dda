"""Appending handed-over messages to the institution's transparency log.

One log per institution lives under the smsguard home (:func:`smsguard.tlog.log.local_paths`).
Several workers may serve one institution, but a log has one writer at a time: each append
takes an exclusive lock on the log folder and reopens the log from its files when another
process has appended since, so the tree in memory is never behind the checkpoint on disk.

The first append creates the log and its Ed25519 signing key (mode 0600) when none exists,
so a new installation traces from its first message; back the key up with the other keys.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from smsguard.tlog.leaf import SmsLeaf
from smsguard.tlog.log import TransparencyLog, create_local_log, local_paths, open_local_log

log = logging.getLogger(__name__)


class MessageLog(Protocol):
    """Where the gateway records what it hands over."""

    def record(self, leaves: Sequence[SmsLeaf]) -> int:
        """Append ``leaves`` durably, in order; return the index of the first."""
        ...


class LocalMessageLog:
    """The institution's log in ``<home>/tlog/<code>``, shared safely between processes."""

    def __init__(self, home: Path, code: str) -> None:
        self._home = home
        self._code = code
        self._folder, self._key_file = local_paths(home, code)
        self._log: TransparencyLog | None = None

    def record(self, leaves: Sequence[SmsLeaf]) -> int:
        """Append under the folder lock; the entries are durable when this returns."""
        with self._locked():
            current = self._current()
            first, _ = current.append([leaf.to_bytes() for leaf in leaves])
        return first

    def _current(self) -> TransparencyLog:
        if not self._key_file.exists():
            log.warning("creating the transparency log of %s and its signing key", self._code)
            self._log = create_local_log(self._home, self._code)
        elif self._log is None or self._behind(self._log):
            self._log = open_local_log(self._home, self._code)
        return self._log

    def _behind(self, current: TransparencyLog) -> bool:
        """Whether another process appended since this one last did."""
        on_disk = current.store.read_checkpoint()
        return on_disk is not None and on_disk.decode("utf-8") != current.checkpoint()

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self._folder.mkdir(parents=True, exist_ok=True)
        with (self._folder.parent / f".{self._code}.lock").open("a") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
