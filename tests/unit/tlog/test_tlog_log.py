"""The appender: Tessera's golden log byte for byte, reopen, crash recovery, tamper detection."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tlog_vectors import vectors

from smsguard.errors import LogError
from smsguard.tlog import merkle
from smsguard.tlog.checkpoint import open_checkpoint
from smsguard.tlog.log import PENDING, TransparencyLog
from smsguard.tlog.note import Ed25519Signer, parse_skey, parse_vkey
from smsguard.tlog.store import DirectoryTileStore, MemoryTileStore

GOLDEN = vectors("tiles")["tessera_golden_log"]
SIGNER = Ed25519Signer("smsguard.example/test", bytes(range(32)))


def _entries(count: int, start: int = 0) -> list[bytes]:
    return [f"entry {i}".encode() for i in range(start, start + count)]


def _open(store: MemoryTileStore | DirectoryTileStore) -> TransparencyLog:
    return TransparencyLog.open(store, SIGNER, SIGNER.name)


def test_tessera_golden_log_is_rebuilt_byte_for_byte(tmp_path: Path) -> None:
    signer = parse_skey(GOLDEN["skey_test_only"])
    log = TransparencyLog.open(DirectoryTileStore(tmp_path), signer, GOLDEN["origin"])
    assert log.checkpoint() == GOLDEN["checkpoints"][0]["note"]
    vkey = parse_vkey(GOLDEN["vkey"])
    for size, entry in enumerate(GOLDEN["entries_utf8"], start=1):
        log.append([entry.encode()])
        expected = GOLDEN["checkpoints"][size]
        assert log.checkpoint() == expected["note"]
        checkpoint, _ = open_checkpoint(expected["note"], [vkey], origin=GOLDEN["origin"])
        assert checkpoint.root.hex() == expected["root_hex"] == log.root().hex()
        assert (tmp_path / f"tile/0/000.p/{size}").read_bytes().hex() == GOLDEN["level0_tiles_hex"][
            str(size)
        ]
        bundle = (tmp_path / f"tile/entries/000.p/{size}").read_bytes()
        assert bundle.hex() == GOLDEN["entry_bundles_hex"][str(size)]
    assert (tmp_path / "checkpoint").read_text() == GOLDEN["checkpoints"][15]["note"]


@settings(max_examples=15)
@given(batches=st.lists(st.integers(1, 300), min_size=1, max_size=6))
def test_batches_match_a_memory_tree_and_survive_reopen(batches: list[int]) -> None:
    store = MemoryTileStore()
    log = _open(store)
    for count in batches:
        log.append(_entries(count, log.size))
    tree = merkle.MemoryTree([merkle.leaf_hash(e) for e in _entries(log.size)])
    reopened = _open(store)
    assert reopened.root() == log.root() == tree.root()
    for index in {0, log.size // 2, log.size - 1}:
        assert reopened.entry(index) == _entries(1, index)[0]
        assert reopened.inclusion_proof(index) == merkle.inclusion_proof(tree, index, log.size)
    assert reopened.consistency_proof(1) == merkle.consistency_proof(tree, 1, log.size)


def test_directory_layout_crosses_tile_boundaries(tmp_path: Path) -> None:
    log = _open(DirectoryTileStore(tmp_path))
    log.append(_entries(300))
    log.append(_entries(70_000 - 300, 300))
    names = {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()}
    assert {
        "checkpoint",
        "tile/0/000",
        "tile/0/273.p/112",
        "tile/1/000",
        "tile/1/001.p/17",
    } <= names
    assert {"tile/2/000.p/1", "tile/entries/273.p/112", "tile/0/001.p/44"} <= names
    assert PENDING not in names
    assert log.root() == _open(DirectoryTileStore(tmp_path)).root()


def test_reopen_and_continue(tmp_path: Path) -> None:
    _open(DirectoryTileStore(tmp_path)).append(_entries(10))
    log = _open(DirectoryTileStore(tmp_path))
    first, note = log.append(_entries(5, 10))
    assert (first, log.size) == (10, 15)
    tree = merkle.MemoryTree([merkle.leaf_hash(e) for e in _entries(15)])
    assert log.root() == tree.root()
    assert note == (tmp_path / "checkpoint").read_text()


class CrashingStore(MemoryTileStore):
    """Fails after the tiles are written, before the checkpoint; keeps the disk as it was then."""

    crash = False
    at_crash: dict[str, bytes]

    def write_checkpoint(self, data: bytes) -> None:
        if self.crash:
            self.at_crash = dict(self.files)
            raise OSError("power cut")
        super().write_checkpoint(data)


def test_crash_between_tiles_and_checkpoint_truncates_to_the_checkpoint() -> None:
    store = CrashingStore()
    log = _open(store)
    log.append(_entries(250))
    committed = log.checkpoint()
    store.crash = True
    with pytest.raises(OSError, match="power cut"):
        log.append(_entries(20, 250))  # completes tile 0, writes 001.p/14, no checkpoint
    disk = MemoryTileStore()  # the process dies here: restart from what was on disk
    disk.files = store.at_crash
    assert {"tile/0/000", "tile/entries/001.p/14", PENDING} <= set(disk.files)
    reopened = _open(disk)
    store = disk
    assert reopened.size == 250 and reopened.checkpoint() == committed
    assert "tile/0/000" not in store.files and "tile/entries/001.p/14" not in store.files
    assert PENDING not in store.files
    reopened.append([b"different"])
    assert reopened.entry(250) == b"different"
    tree = merkle.MemoryTree([merkle.leaf_hash(e) for e in [*_entries(250), b"different"]])
    assert reopened.root() == tree.root()


def test_failed_append_leaves_the_open_log_usable() -> None:
    store = CrashingStore()
    log = _open(store)
    log.append(_entries(3))
    store.crash = True
    with pytest.raises(OSError):
        log.append(_entries(2, 3))
    store.crash = False
    assert log.size == 3 and PENDING not in store.files  # recovered in place
    log.append(_entries(2, 3))
    assert log.root() == merkle.root_of([merkle.leaf_hash(e) for e in _entries(5)])


def test_torn_or_tampered_edge_tile_is_detected_on_open(tmp_path: Path) -> None:
    _open(DirectoryTileStore(tmp_path)).append(_entries(7))
    tile = tmp_path / "tile/0/000.p/7"
    tile.write_bytes(tile.read_bytes()[:-1])  # a torn write
    with pytest.raises(LogError, match="is 223 bytes, not 224"):
        _open(DirectoryTileStore(tmp_path))
    data = bytearray((tmp_path / "tile/entries/000.p/7").read_bytes())
    tile.write_bytes(b"".join(merkle.leaf_hash(e) for e in _entries(7)))
    data[-1] ^= 1
    (tmp_path / "tile/entries/000.p/7").write_bytes(bytes(data))
    with pytest.raises(LogError, match="do not match their tile's hashes"):
        _open(DirectoryTileStore(tmp_path))


def test_tampered_checkpoint_or_full_tile_is_detected(tmp_path: Path) -> None:
    log = _open(DirectoryTileStore(tmp_path))
    log.append(_entries(600))
    checkpoint = tmp_path / "checkpoint"
    original = checkpoint.read_text()
    checkpoint.write_text(original.replace("\n600\n", "\n601\n"))
    with pytest.raises(LogError, match="invalid signature"):
        _open(DirectoryTileStore(tmp_path))
    checkpoint.write_text(original)
    bundle = tmp_path / "tile/entries/000"
    data = bytearray(bundle.read_bytes())
    data[5] ^= 1
    bundle.write_bytes(bytes(data))
    with pytest.raises(LogError, match="entry 0 in tile/entries/000 does not match"):
        _open(DirectoryTileStore(tmp_path)).entry(0)
    tile = tmp_path / "tile/0/001"
    hashes = bytearray(tile.read_bytes())
    hashes[0] ^= 1
    tile.write_bytes(bytes(hashes))
    reopened = _open(DirectoryTileStore(tmp_path))
    proof = reopened.inclusion_proof(300)
    with pytest.raises(LogError, match="does not lead to the root"):
        merkle.verify_inclusion(merkle.leaf_hash(_entries(1, 300)[0]), 300, 600, proof, log.root())


def test_wrong_key_or_origin_refuses_to_open(tmp_path: Path) -> None:
    _open(DirectoryTileStore(tmp_path))
    other = Ed25519Signer("smsguard.example/test", bytes(32))
    with pytest.raises(LogError, match="no signature from a trusted key"):
        TransparencyLog.open(DirectoryTileStore(tmp_path), other, other.name)
    with pytest.raises(LogError, match="not the expected"):
        TransparencyLog.open(DirectoryTileStore(tmp_path), SIGNER, "elsewhere")


def test_range_checks() -> None:
    log = _open(MemoryTileStore())
    log.append(_entries(4))
    with pytest.raises(LogError, match="beyond the log's size 4"):
        log.inclusion_proof(0, 5)
    with pytest.raises(LogError, match="not inside a log of size 4"):
        log.entry(4)
    with pytest.raises(LogError, match="over 65535"):
        log.append([b"x" * 65536])
    with pytest.raises(LogError, match="not a plain relative path"):
        DirectoryTileStore(Path("/tmp")).read("../etc/passwd")
