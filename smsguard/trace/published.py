"""An institution's transparency log as the public reads it: files, checkpoint and proofs.

Witnesses, auditors and consumers fetch a log over plain HTTP (C2SP tlog-tiles), whichever
storage the institution chose, so the HTTP service serves the same files as
``smsguard log serve`` (:func:`smsguard.tlog.http.store_file`) from the folder or from the
database. Reading never opens the log for writing: recovery after a crash belongs to the
writer, and a reader that ran it would delete an append in progress.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from sqlalchemy import select

from smsguard.errors import NotFound
from smsguard.settings import Settings
from smsguard.store import Database
from smsguard.store.models import Institution
from smsguard.tlog.http import Response, store_file
from smsguard.tlog.log import TransparencyLog, local_paths
from smsguard.tlog.store import DirectoryTileStore, TileStore
from smsguard.trace.db_store import DatabaseTileStore, load_signer


@dataclass(frozen=True)
class PublicLog:
    """Where one institution's log is read from."""

    settings: Settings
    database: Database
    institution_id: int
    code: str

    def store(self) -> TileStore:
        if self.settings.log_storage == "database":
            return DatabaseTileStore(self.database, self.institution_id)
        return DirectoryTileStore(local_paths(self.settings.home, self.code)[0])

    def file(self, path: str) -> Response:
        """``checkpoint``, ``checkpoint.cosigned`` or a committed tile; 404 when missing."""
        store = self.store()
        self._require(store)
        return store_file(store, "/" + path.lstrip("/"))

    def opened(self) -> TransparencyLog:
        """The log at its published checkpoint, for proofs."""
        store = self.store()
        self._require(store)
        signer = load_signer(self.settings.home, self.code)
        return TransparencyLog.open_read_only(store, signer, signer.name)

    def inclusion(self, index: int, size: int | None = None) -> dict[str, object]:
        """RFC 9162 inclusion proof of entry ``index`` (hashes in base64) with its checkpoint."""
        log = self.opened()
        proof = log.inclusion_proof(index, size)
        return {
            "index": index,
            "tree_size": log.size if size is None else size,
            "leaf_hash": _b64(log.leaf_hash(index)),
            "proof": [_b64(node) for node in proof],
            "checkpoint": log.checkpoint(),
        }

    def consistency(self, old: int, new: int | None = None) -> dict[str, object]:
        """RFC 9162 consistency proof between two tree sizes, with the latest checkpoint."""
        log = self.opened()
        proof = log.consistency_proof(old, new)
        return {
            "old_size": old,
            "new_size": log.size if new is None else new,
            "proof": [_b64(node) for node in proof],
            "checkpoint": log.checkpoint(),
        }

    def _require(self, store: TileStore) -> None:
        if store.read_checkpoint() is None:
            raise NotFound(
                f"institution {self.code!r} has no transparency log yet",
                hint="The log is created when its first message is sent.",
            )


def public_log(settings: Settings, database: Database, code: str) -> PublicLog:
    """The log of the institution called ``code``; NotFound for an unknown code."""
    return PublicLog(settings, database, institution_by_code(database, code), code)


def institution_by_code(database: Database, code: str) -> int:
    """The id of the institution ``code`` for public endpoints: NotFound (404), not 400."""
    with database.transaction() as session:
        found = session.scalar(select(Institution.id).where(Institution.code == code))
    if found is None:
        raise NotFound(f"no institution with code {code!r}")
    return found


def institution_code(database: Database, institution_id: int) -> str:
    """The code of the caller's institution, which names its log and its report."""
    with database.transaction() as session:
        found = session.scalar(select(Institution.code).where(Institution.id == institution_id))
    if found is None:
        raise NotFound(f"no institution with id {institution_id}")
    return found


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
