"""The latest signed checkpoint of an institution's transparency log, read without writing.

Opening the log itself (:func:`smsguard.tlog.log.open_local_log`) may recover from a crash,
which deletes files; a report must never change the log it reports on. So the stored
checkpoint is read from the same store the log uses (a directory or the database) and checked
against the log's own key before it is quoted: a report never carries a checkpoint that its
institution's key does not verify.
"""

from __future__ import annotations

import base64
from pathlib import Path

from smsguard.reports.model import LogState
from smsguard.store import Database
from smsguard.tlog.checkpoint import open_checkpoint
from smsguard.tlog.log import local_paths
from smsguard.tlog.note import Ed25519Signer, parse_skey
from smsguard.tlog.store import DirectoryTileStore, TileStore


def log_signer(home: Path, code: str) -> Ed25519Signer | None:
    """The institution's log key from ``<home>/keys/tlog-<code>.skey``, if it has one."""
    key_file = local_paths(home, code)[1]
    if not key_file.exists():
        return None
    return parse_skey(key_file.read_text(encoding="utf-8"))


def latest_checkpoint(
    home: Path, code: str, storage: str, database: Database, institution_id: int
) -> LogState | None:
    """The log's latest checkpoint, verified; None when the institution keeps no log."""
    signer = log_signer(home, code)
    if signer is None:
        return None
    raw = _store(home, code, storage, database, institution_id).read_checkpoint()
    if raw is None:
        return None
    return checkpoint_state(raw, signer)


def checkpoint_state(raw: bytes, signer: Ed25519Signer) -> LogState:
    """A stored checkpoint as report data, after verifying it against the log key."""
    checkpoint, _ = open_checkpoint(raw, [signer.verifier], origin=signer.name)
    note = raw.decode("utf-8")
    root = base64.b64encode(checkpoint.root).decode()
    return LogState(origin=checkpoint.origin, size=checkpoint.size, root=root, note=note)


def _store(
    home: Path, code: str, storage: str, database: Database, institution_id: int
) -> TileStore:
    if storage == "database":
        from smsguard.trace.db_store import DatabaseTileStore

        return DatabaseTileStore(database, institution_id)
    return DirectoryTileStore(local_paths(home, code)[0])
