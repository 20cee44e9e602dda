"""Appending handed-over messages to the institution's transparency log.

One log per institution lives under the smsguard home (:func:`smsguard.tlog.log.local_paths`).
Several workers may serve one institution, but a log has one writer at a time: each append
takes an exclusive lock on the log folder and reopens the log from its files when another
process has appended since, so the tree in memory is never behind the checkpoint on disk.

The first append creates the log and its Ed25519 signing key (mode 0600) when none exists,
so a new installation traces from its first message; back the key up with the other keys.

With ``log_storage: database`` the tiles live in the database instead
(:class:`DatabaseMessageLog`): each append is one transaction under a database lock, so
workers on several hosts can share the log; the signing key is still a file under home. The
gateway's worker appends inside its own claim transaction (``record_in``), so entries and the
messages' stamps commit together, and SQLite's single writer is never asked for twice.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, runtime_checkable

from smsguard.store import Database
from smsguard.store.tenancy import TenantSession
from smsguard.tlog.leaf import SmsLeaf
from smsguard.tlog.log import TransparencyLog, create_local_log, local_paths, open_local_log
from smsguard.trace.db_store import DatabaseTileStore, load_or_create_signer

log = logging.getLogger(__name__)


class MessageLog(Protocol):
    """Where the gateway records what it hands over."""

    def record(self, leaves: Sequence[SmsLeaf]) -> int:
        """Append ``leaves`` durably, in order; return the index of the first."""
        ...


@runtime_checkable
class TransactionalMessageLog(MessageLog, Protocol):
    """A log kept in the database, which can join the caller's transaction."""

    def record_in(self, session: TenantSession, leaves: Sequence[SmsLeaf]) -> int:
        """Append inside ``session``: durable, and visible, when the caller commits."""
        ...


class LocalMessageLog:
    """The institution's log in ``<home>/tlog/<code>``, shared safely between processes."""

    def __init__(self, home: Path, code: str) -> None:
        self._home = home
        self._code = code
        self._folder, self._key_file = local_paths(home, code)
        self._log: TransparencyLog | None = None

    def record(self, leaves: Sequence[SmsLeaf]) -> int:
        """Append under the folder lock; the entries are durable when this returns. After a
        failure (a full disk, say) the log is reopened from its files on the next append."""
        with self._locked():
            current = self._current()
            try:
                first, _ = current.append([leaf.to_bytes() for leaf in leaves])
            except BaseException:
                self._log = None  # its recovery may itself have failed: trust only the files
                raise
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


class DatabaseMessageLog:
    """The institution's log in the database, shared safely between processes and hosts."""

    def __init__(self, database: Database, institution_id: int, home: Path, code: str) -> None:
        self._store = DatabaseTileStore(database, institution_id)
        self._home = home
        self._code = code
        self._log: TransparencyLog | None = None

    def record(self, leaves: Sequence[SmsLeaf]) -> int:
        """Append in one locked transaction; the entries are durable when this returns."""
        return self._append(leaves, None)

    def record_in(self, session: TenantSession, leaves: Sequence[SmsLeaf]) -> int:
        """Append in the caller's transaction (the lock is held until it ends)."""
        return self._append(leaves, session)

    def _append(self, leaves: Sequence[SmsLeaf], session: TenantSession | None) -> int:
        entries = [leaf.to_bytes() for leaf in leaves]
        try:
            with self._store.writing(session):
                first, _ = self._current().append(entries)
        except BaseException:
            self._log = None  # memory may be ahead of a rolled-back transaction
            raise
        return first

    def _current(self) -> TransparencyLog:
        """The log as committed, reopened when another writer appended since."""
        current = self._log
        if current is None or self._store.read_checkpoint() != current.checkpoint().encode():
            signer = load_or_create_signer(self._home, self._code, self._store)
            current = self._log = TransparencyLog.open(self._store, signer, signer.name)
        return current
