"""An institution's transparency log kept in the database (``log_storage: database``).

:class:`DatabaseTileStore` implements :class:`~smsguard.tlog.store.TileStore` over the
``tlog_objects`` table: one row per object the directory store would write as a file (tiles,
entry bundles, the checkpoint and the log's ``.pending`` marker), under the same path. Rows are
reached only through :func:`~smsguard.store.tenant_session`, so one institution's store never
sees another's log.

**One transaction per append.** Outside :meth:`DatabaseTileStore.writing` each call is its own
transaction, exactly like the directory store's atomic files: the log's ``.pending`` marker
and truncating recovery then work as they do on disk. Inside ``writing()`` every read and write
joins one transaction, committed when the block ends, so an append (marker, tiles, bundles,
checkpoint, marker removal) becomes visible all at once or not at all; other readers never see
the marker or a tile beyond the checkpoint.

**One writer at a time.** ``writing()`` takes a lock before its first read, held until commit:

* PostgreSQL: ``pg_advisory_xact_lock(<namespace>, <institution id>)``, a transaction-level
  advisory lock, so writers of one institution queue up and other institutions are untouched.
  It needs no row (a log without rows can still be locked) and is released by commit,
  rollback or a dropped connection, so a crashed writer cannot leave it held.
* SQLite: ``BEGIN IMMEDIATE``, which takes the database's single write lock up front. A later
  writer waits (busy timeout) and then reads what the first committed; with a deferred
  transaction it would have read a stale tree first. SQLite has one writer per file anyway.

The signing key stays a file under home (``smsguard.tlog.log.local_paths``); only public data
goes into the database.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import delete, select, text

from smsguard._files import create_exclusively
from smsguard.errors import LogError
from smsguard.store import Database, tenant_session
from smsguard.store.tenancy import TenantSession
from smsguard.store.tlog_models import PATH_LENGTH, TlogObject
from smsguard.tlog.log import TransparencyLog, local_paths
from smsguard.tlog.note import Ed25519Signer, parse_skey
from smsguard.tlog.store import CHECKPOINT

log = logging.getLogger(__name__)

# First key of the two-key advisory lock: "smsg" in ASCII, so other users of advisory locks
# in a shared database are unlikely to collide with the log writers' (namespace, institution).
LOCK_NAMESPACE = 0x736D7367
_CHUNK = 500  # paths per IN (...) list, well under every backend's parameter limit


class DatabaseTileStore:
    """The log of one institution in ``tlog_objects``; see the module docstring."""

    def __init__(self, database: Database, institution_id: int) -> None:
        self.database = database
        self.institution_id = institution_id
        self._session: TenantSession | None = None

    @contextmanager
    def writing(self, session: TenantSession | None = None) -> Iterator[None]:
        """One locked transaction for every store call in the block (not re-entrant).

        With ``session`` the block joins the caller's transaction instead (the gateway claims
        messages and logs them in one): the lock is then held, and the objects committed,
        when the caller commits.
        """
        if self._session is not None:
            raise LogError("the log store is already inside a write transaction")
        with self._transaction(session) as joined:
            self._lock(joined)
            self._session = joined
            try:
                yield
            finally:
                self._session = None

    @contextmanager
    def _transaction(self, session: TenantSession | None) -> Iterator[TenantSession]:
        if session is None:
            with tenant_session(self.database, self.institution_id) as own:
                yield own
            return
        if session.institution_id != self.institution_id:
            raise LogError(
                f"a session of institution {session.institution_id} cannot write the log "
                f"of institution {self.institution_id}"
            )
        yield session

    def _lock(self, session: TenantSession) -> None:
        if self.database.backend == "postgresql":
            session.execute(
                text("SELECT pg_advisory_xact_lock(:namespace, :institution)"),
                {"namespace": LOCK_NAMESPACE, "institution": self.institution_id},
            )
            return
        connection = session.connection()
        # pysqlite opens a transaction only at the first write; one that has written holds
        # SQLite's write lock already, otherwise take it before the first read.
        if not connection.connection.driver_connection.in_transaction:  # type: ignore[union-attr]
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    @contextmanager
    def _use(self) -> Iterator[TenantSession]:
        """The open write transaction, or a transaction of its own for this call."""
        if self._session is not None:
            yield self._session
            return
        with tenant_session(self.database, self.institution_id) as session:
            yield session

    def read(self, path: str) -> bytes | None:
        _check_path(path)
        with self._use() as session:
            return session.scalar(select(TlogObject.data).where(TlogObject.path == path))

    def write(self, files: Mapping[str, bytes]) -> None:
        """Insert or replace every object in one transaction (the caller's, if writing)."""
        for path in files:
            _check_path(path)
        with self._use() as session:
            existing: dict[str, TlogObject] = {}
            for chunk in _chunks(list(files)):
                rows = session.scalars(select(TlogObject).where(TlogObject.path.in_(chunk)))
                existing.update((row.path, row) for row in rows)
            for path, data in files.items():
                if path in existing:
                    existing[path].data = data
                else:
                    session.add(
                        TlogObject(institution_id=self.institution_id, path=path, data=data)
                    )
            session.flush()

    def delete(self, paths: Iterable[str]) -> None:
        wanted = list(paths)
        for path in wanted:
            _check_path(path)
        with self._use() as session:
            for chunk in _chunks(wanted):
                session.execute(delete(TlogObject).where(TlogObject.path.in_(chunk)))

    def read_checkpoint(self) -> bytes | None:
        return self.read(CHECKPOINT)

    def write_checkpoint(self, data: bytes) -> None:
        self.write({CHECKPOINT: data})

    def objects(self) -> dict[str, bytes]:
        """Every object of this institution's log by path (tests, export, mirroring)."""
        with self._use() as session:
            rows = session.execute(select(TlogObject.path, TlogObject.data))
            return {path: data for path, data in rows}


def _check_path(path: str) -> None:
    """The directory store's rule, so both stores accept exactly the same paths."""
    parts = path.split("/")
    plain = path and not any(part in ("", ".", "..") for part in parts) and "\\" not in path
    if not plain or len(path) > PATH_LENGTH:
        raise LogError(f"store path {path!r} is not a plain relative path")


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


# -- the signing key stays a file under home --------------------------------------------------


def load_signer(home: Path, code: str) -> Ed25519Signer:
    """The institution's log signing key from ``<home>/keys/tlog-<code>.skey``."""
    key_file = local_paths(home, code)[1]
    if not key_file.exists():
        raise _missing_key(key_file, code)
    return parse_skey(key_file.read_text(encoding="utf-8"))


def load_or_create_signer(home: Path, code: str, store: DatabaseTileStore) -> Ed25519Signer:
    """The signing key, created (mode 0600) only for a log the database does not hold yet.

    A missing key next to an existing log is an error, not a new key: a new key could never
    sign a checkpoint that extends the stored one (typically another host created the log).
    """
    key_file = local_paths(home, code)[1]
    if key_file.exists():
        return load_signer(home, code)
    if store.read_checkpoint() is not None:
        raise _missing_key(key_file, code)
    signer = Ed25519Signer.generate(f"smsguard.example/{code}")
    key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not create_exclusively(key_file, (signer.skey + "\n").encode(), mode=0o600):
        return load_signer(home, code)  # another worker created it a moment ago
    log.warning("created the transparency log of %s and its signing key", code)
    return signer


def _missing_key(key_file: Path, code: str) -> LogError:
    return LogError(
        f"no transparency log signing key for institution {code!r} at {key_file}",
        hint="Copy the key file from the host that created the log.",
    )


def open_database_log(
    database: Database, institution_id: int, home: Path, code: str
) -> TransparencyLog:
    """Open (read, prove) the institution's log from the database; the key must exist."""
    signer = load_signer(home, code)
    store = DatabaseTileStore(database, institution_id)
    return TransparencyLog.open(store, signer, signer.name)
