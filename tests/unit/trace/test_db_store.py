"""The database tile store behaves like the directory store, on SQLite and PostgreSQL: the same
objects byte for byte, reopen, proofs, tamper detection, tenancy, all-or-nothing appends."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest
from sqlalchemy import update

from smsguard.errors import LogError
from smsguard.store import Database, tenant_session
from smsguard.store.institutions import add_institution
from smsguard.store.tlog_models import TlogObject
from smsguard.tlog import merkle
from smsguard.tlog.leaf import SmsLeaf, commit
from smsguard.tlog.log import PENDING, TransparencyLog, local_paths
from smsguard.tlog.note import Ed25519Signer
from smsguard.tlog.store import DirectoryTileStore
from smsguard.trace.db_store import DatabaseTileStore, open_database_log
from smsguard.trace.recorder import DatabaseMessageLog

SIGNER = Ed25519Signer("smsguard.example/test", bytes(range(32)))


def _entries(count: int, start: int = 0) -> list[bytes]:
    return [f"entry {i}".encode() for i in range(start, start + count)]


def _open(store: DatabaseTileStore | DirectoryTileStore) -> TransparencyLog:
    return TransparencyLog.open(store, SIGNER, SIGNER.name)


def _institution(database: Database, code: str = "bank-a") -> int:
    return add_institution(database, code=code, name=code.title()).id


def _tamper(database: Database, institution_id: int, path: str, data: bytes) -> None:
    """What someone with write access to the table could do, bypassing the store."""
    with database.transaction() as session:
        session.execute(
            update(TlogObject)
            .where(TlogObject.institution_id == institution_id, TlogObject.path == path)
            .values(data=data)
        )


def test_same_objects_as_the_directory_store_across_tile_levels(
    database: Database, tmp_path: Path
) -> None:
    store = DatabaseTileStore(database, _institution(database))
    on_disk, in_db = _open(DirectoryTileStore(tmp_path / "dir")), _open(store)
    for start, count in ((0, 1), (1, 300), (301, 65_300)):  # ends past a full level-1 tile
        on_disk.append(_entries(count, start))
        in_db.append(_entries(count, start))
    files = {
        str(p.relative_to(tmp_path / "dir")): p.read_bytes()
        for p in (tmp_path / "dir").rglob("*")
        if p.is_file()
    }
    objects = store.objects()
    assert objects == files
    assert {"checkpoint", "tile/1/000", "tile/2/000.p/1", "tile/entries/256.p/65"} <= set(objects)
    assert PENDING not in objects


def test_reopened_from_the_database_it_proves_and_continues(database: Database) -> None:
    institution_id = _institution(database)
    _open(DatabaseTileStore(database, institution_id)).append(_entries(600))
    log = _open(DatabaseTileStore(database, institution_id))
    first, note = log.append(_entries(5, 600))
    tree = merkle.MemoryTree([merkle.leaf_hash(e) for e in _entries(605)])
    assert (first, log.size, log.root()) == (600, 605, tree.root())
    assert note.encode() == DatabaseTileStore(database, institution_id).read_checkpoint()
    reopened = _open(DatabaseTileStore(database, institution_id))
    for index in (0, 255, 256, 604):
        assert reopened.entry(index) == _entries(1, index)[0]
        proof = reopened.inclusion_proof(index)
        merkle.verify_inclusion(merkle.leaf_hash(_entries(1, index)[0]), index, 605, proof,
                                tree.root())  # fmt: skip
    assert reopened.consistency_proof(300) == merkle.consistency_proof(tree, 300, 605)


def test_tampered_rows_give_precise_log_errors(database: Database) -> None:
    institution_id = _institution(database)
    log = _open(DatabaseTileStore(database, institution_id))
    log.append(_entries(600))
    root = log.root()
    tile = b"".join(merkle.leaf_hash(e) for e in _entries(256, 256))
    _tamper(database, institution_id, "tile/0/001", bytes([tile[0] ^ 1]) + tile[1:])
    proof = _open(DatabaseTileStore(database, institution_id)).inclusion_proof(300)
    with pytest.raises(LogError, match="does not lead to the root"):
        merkle.verify_inclusion(merkle.leaf_hash(_entries(1, 300)[0]), 300, 600, proof, root)
    edge = b"".join(merkle.leaf_hash(e) for e in _entries(88, 512))
    _tamper(database, institution_id, "tile/0/002.p/88", edge[:-1])  # a torn write
    with pytest.raises(LogError, match="is 2815 bytes, not 2816"):
        _open(DatabaseTileStore(database, institution_id))
    _tamper(database, institution_id, "tile/0/002.p/88", edge)
    bundle = DatabaseTileStore(database, institution_id).read("tile/entries/000") or b""
    _tamper(database, institution_id, "tile/entries/000", bundle[:5] + b"X" + bundle[6:])
    with pytest.raises(LogError, match="entry 0 in tile/entries/000 does not match"):
        _open(DatabaseTileStore(database, institution_id)).entry(0)


def test_another_institution_sees_none_of_the_log(database: Database) -> None:
    a, b = _institution(database, "bank-a"), _institution(database, "bank-b")
    _open(DatabaseTileStore(database, a)).append(_entries(300))
    theirs = DatabaseTileStore(database, b)
    assert theirs.read_checkpoint() is None and theirs.read("tile/0/000") is None
    assert theirs.objects() == {}
    own = _open(theirs)  # B's own, empty log at the same paths leaves A's untouched
    own.append([b"other"])
    assert _open(DatabaseTileStore(database, a)).size == 300
    theirs.delete(["tile/0/000", "tile/entries/000"])
    assert DatabaseTileStore(database, a).read("tile/0/000") is not None
    assert set(theirs.objects()) == {"checkpoint", "tile/0/000.p/1", "tile/entries/000.p/1"}


class FailingStore(DatabaseTileStore):
    """Fails when the checkpoint is written, after the batch's tiles and bundles."""

    def write_checkpoint(self, data: bytes) -> None:
        raise OSError("power cut")


def test_a_failed_batch_in_one_transaction_leaves_nothing(database: Database) -> None:
    institution_id = _institution(database)
    _open(DatabaseTileStore(database, institution_id)).append(_entries(250))
    before = DatabaseTileStore(database, institution_id).objects()
    store = FailingStore(database, institution_id)
    log = _open(store)
    with pytest.raises(OSError, match="power cut"), store.writing():
        log.append(_entries(20, 250))  # completes tile 0 and writes 001.p/14 in the transaction
    assert store.objects() == before


class DyingStore(DatabaseTileStore):
    """A process that dies while writing the checkpoint: it writes and deletes nothing after."""

    dead = False

    def write(self, files: Mapping[str, bytes]) -> None:
        if not self.dead:
            super().write(files)

    def delete(self, paths: Iterable[str]) -> None:
        if not self.dead:
            super().delete(paths)

    def write_checkpoint(self, data: bytes) -> None:
        self.dead = True
        raise OSError("power cut")


def test_without_a_transaction_the_pending_marker_still_truncates(database: Database) -> None:
    institution_id = _institution(database)
    log = _open(DatabaseTileStore(database, institution_id))
    log.append(_entries(250))
    committed = log.checkpoint()
    with pytest.raises(OSError, match="power cut"):
        _open(DyingStore(database, institution_id)).append(_entries(20, 250))
    store = DatabaseTileStore(database, institution_id)  # each call committed, like files
    assert {"tile/0/000", "tile/entries/001.p/14", PENDING} <= set(store.objects())
    reopened = _open(store)
    assert (reopened.size, reopened.checkpoint()) == (250, committed)
    assert not {"tile/0/000", "tile/entries/001.p/14", PENDING} & set(store.objects())
    reopened.append([b"different"])
    assert reopened.root() == merkle.root_of(
        [merkle.leaf_hash(e) for e in [*_entries(250), b"different"]]
    )


def test_store_paths_are_checked_like_the_directory_store(database: Database) -> None:
    store = DatabaseTileStore(database, _institution(database))
    for path in ("../etc/passwd", "tile//0", "", "a\\b", "x" * 256):
        with pytest.raises(LogError, match="not a plain relative path"):
            store.read(path)
    with store.writing(), pytest.raises(LogError, match="already inside"), store.writing():
        pass


def _leaf(number: int) -> SmsLeaf:
    return SmsLeaf("bank-a", "tv-1", "c-1", f"m-{number}", 1767225600,
                   commit(bytes(32), "+8613800000000", str(number)))  # fmt: skip


def test_two_writers_share_one_log_without_losing_an_entry(
    database: Database, tmp_path: Path
) -> None:
    institution_id = _institution(database)
    writers = [DatabaseMessageLog(database, institution_id, tmp_path, "bank-a") for _ in "ab"]
    firsts: list[int] = []

    def run(writer: DatabaseMessageLog, offset: int) -> None:
        for batch in range(8):
            firsts.append(writer.record([_leaf(offset + 3 * batch + i) for i in range(3)]))

    threads = [threading.Thread(target=run, args=(w, 100 * n)) for n, w in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log = open_database_log(database, institution_id, tmp_path, "bank-a")
    assert sorted(firsts) == list(range(0, 48, 3)) and log.size == 48
    entries = [log.entry(i) for i in range(48)]
    assert sorted(entries) == sorted(_leaf(n).to_bytes() for n in (*range(24), *range(100, 124)))
    assert log.root() == merkle.root_of([merkle.leaf_hash(e) for e in entries])


def test_the_signing_key_stays_a_file_and_is_never_replaced(
    database: Database, tmp_path: Path
) -> None:
    institution_id = _institution(database)
    DatabaseMessageLog(database, institution_id, tmp_path, "bank-a").record([_leaf(1)])
    key_file = local_paths(tmp_path, "bank-a")[1]
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert not local_paths(tmp_path, "bank-a")[0].exists()  # no tiles on disk
    other_host = tmp_path / "other"
    with pytest.raises(LogError, match="no transparency log signing key") as caught:
        DatabaseMessageLog(database, institution_id, other_host, "bank-a").record([_leaf(2)])
    assert "Copy the key file" in caught.value.hint
    assert open_database_log(database, institution_id, tmp_path, "bank-a").size == 1


def test_an_append_joined_to_a_rolled_back_transaction_leaves_nothing(
    database: Database, tmp_path: Path
) -> None:
    institution_id = _institution(database)
    writer = DatabaseMessageLog(database, institution_id, tmp_path, "bank-a")
    writer.record([_leaf(0)])
    with (
        pytest.raises(RuntimeError, match="caller failed"),
        tenant_session(database, institution_id) as session,
    ):
        assert writer.record_in(session, [_leaf(1)]) == 1
        raise RuntimeError("caller failed")
    assert writer.record([_leaf(2)]) == 1  # the writer's tree was ahead: reopened
    log = open_database_log(database, institution_id, tmp_path, "bank-a")
    assert [log.entry(i) for i in range(log.size)] == [_leaf(0).to_bytes(), _leaf(2).to_bytes()]
    other = _institution(database, "bank-b")
    refused = pytest.raises(LogError, match="cannot write the log of institution")
    with tenant_session(database, other) as session, refused:
        writer.record_in(session, [_leaf(3)])
