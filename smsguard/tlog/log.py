"""An institution's append-only transparency log, stored as C2SP tiles with signed checkpoints.

Appending a batch writes, in order and each step durable before the next:

1. a ``.pending`` marker naming the sizes the batch grows the log from and to;
2. every entry bundle and tile the batch creates or extends (full and partial, all levels);
3. the new checkpoint, signed, replacing the old one;
4. the marker's removal.

The checkpoint is the commit point: :meth:`TransparencyLog.append` returns only after it is
written, so a caller has been told "logged" only for entries a checkpoint covers. Recovery
after a crash therefore *truncates*: the files a marker names beyond the checkpoint size are
deleted (they were never acknowledged, and a static mirror must not serve a full tile that
will later be written with different content), then the in-memory edge is reloaded from the
checkpoint's own partial tiles and its root recomputed and compared with the checkpoint.

One process writes a log at a time; readers can serve the directory concurrently, since
every file is replaced atomically.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from smsguard._files import write_atomically
from smsguard.errors import LogError

from .checkpoint import Checkpoint, open_checkpoint
from .merkle import consistency_proof, inclusion_proof, leaf_hash, tree_root
from .note import Ed25519Signer, parse_skey, sign_note
from .reader import TileHashReader, tile_levels
from .store import DirectoryTileStore, TileStore
from .tiles import (
    ENTRIES,
    MAX_ENTRY,
    TILE_HEIGHT,
    TILE_WIDTH,
    Tile,
    bundle_for,
    decode_bundle,
    decode_tile,
    encode_bundle,
    encode_tile,
    level_count,
    partial_width,
    tile_at,
    tiles_added,
)

PENDING = ".pending"
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


class TransparencyLog:
    """Append, prove and read one log. Build it with :meth:`open`."""

    def __init__(self, store: TileStore, signer: Ed25519Signer, origin: str) -> None:
        self.store = store
        self.signer = signer
        self.origin = origin
        self.size = 0
        self._edge: list[list[bytes]] = []
        self._bundle: list[bytes] = []
        self._note = ""
        self.reader = TileHashReader(store, self._edge_tile)

    @classmethod
    def open(cls, store: TileStore, signer: Ed25519Signer, origin: str) -> TransparencyLog:
        """Open the log in ``store``, creating it (size 0) or recovering it after a crash."""
        log = cls(store, signer, origin)
        log._recover()
        return log

    @classmethod
    def open_read_only(
        cls, store: TileStore, signer: Ed25519Signer, origin: str
    ) -> TransparencyLog:
        """The log as its published checkpoint shows it, for proofs, without recovery: a
        reader beside a writer in another process must never delete an append in progress."""
        raw = store.read_checkpoint()
        if raw is None:
            raise LogError("the log has no checkpoint yet")
        checkpoint, _ = open_checkpoint(raw, [signer.verifier], origin=origin)
        log = cls(store, signer, origin)
        log._load_edge(checkpoint.size)
        log._note = raw.decode()
        return log

    # -- reading --------------------------------------------------------------------------

    def checkpoint(self) -> str:
        """The latest signed checkpoint note."""
        return self._note

    def root(self) -> bytes:
        """The root hash of the whole log."""
        return tree_root(self.reader, self.size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """RFC 9162 inclusion proof of entry ``index`` in the tree of ``size`` (default: all)."""
        return inclusion_proof(self.reader, index, self._size(size))

    def consistency_proof(self, old: int, new: int | None = None) -> list[bytes]:
        """RFC 9162 consistency proof from tree size ``old`` to ``new`` (default: all)."""
        return consistency_proof(self.reader, old, self._size(new))

    def leaf_hash(self, index: int) -> bytes:
        """The stored leaf hash of entry ``index``."""
        if not 0 <= index < self.size:
            raise LogError(f"entry {index} is not inside a log of size {self.size}")
        return self.reader.node(0, index)

    def entry(self, index: int) -> bytes:
        """Entry ``index`` as stored in its bundle, checked against its leaf hash."""
        bundle = bundle_for(index, self.size)
        if bundle.width < TILE_WIDTH:
            entries = self._bundle
        else:
            entries = decode_bundle(self._read(bundle), bundle)
        entry = entries[index % TILE_WIDTH]
        if leaf_hash(entry) != self.leaf_hash(index):
            raise LogError(f"entry {index} in {bundle.path} does not match its leaf hash")
        return entry

    def _size(self, size: int | None) -> int:
        if size is None:
            return self.size
        if not 0 <= size <= self.size:
            raise LogError(f"tree size {size} is beyond the log's size {self.size}")
        return size

    def _read(self, tile: Tile) -> bytes:
        data = self.store.read(tile.path)
        if data is None:
            raise LogError(f"{tile.path} is missing from the log store")
        return data

    def _edge_tile(self, level: int, index: int) -> list[bytes] | None:
        """The in-memory partial tile at ``level`` if ``index`` is it, else None."""
        if level < len(self._edge) and index == (self.size >> (TILE_HEIGHT * level)) // TILE_WIDTH:
            return self._edge[level]
        return None

    # -- appending ------------------------------------------------------------------------

    def append(self, entries: Sequence[bytes]) -> tuple[int, str]:
        """Log ``entries`` durably; return the index of the first and the new checkpoint."""
        for position, entry in enumerate(entries):
            if len(entry) > MAX_ENTRY:
                raise LogError(f"entry {position} is {len(entry)} bytes, over {MAX_ENTRY}")
        first = self.size
        if not entries:
            return first, self._note
        try:
            self._append(entries)
        except BaseException:
            self._recover()  # memory may be ahead of the store: go back to the checkpoint
            raise
        return first, self._note

    def _append(self, entries: Sequence[bytes]) -> None:
        old = self.size
        completed: dict[Tile, bytes] = {}
        for entry in entries:
            self._bundle.append(entry)
            if len(self._bundle) == TILE_WIDTH:
                completed[Tile(ENTRIES, self.size // TILE_WIDTH)] = encode_bundle(self._bundle)
                self._bundle = []
            self.size += 1
            self._push(leaf_hash(entry), completed)
        self.store.write({PENDING: f"{old} {self.size}\n".encode()})
        self.store.write(self._files(old, completed))
        self._publish()
        self.store.delete([PENDING])

    def _push(self, node: bytes, completed: dict[Tile, bytes]) -> None:
        """Add a hash at tile level 0, carrying full tiles' roots up the levels."""
        level = 0
        while True:
            if level == len(self._edge):
                self._edge.append([])
            edge = self._edge[level]
            edge.append(node)
            if len(edge) < TILE_WIDTH:
                return
            tile = Tile(level, (self.size >> (TILE_HEIGHT * level)) // TILE_WIDTH - 1)
            completed[tile] = encode_tile(edge)
            levels = tile_levels(list(edge))
            self.reader.remember(tile, levels)
            node = levels[-1][0]
            self._edge[level] = []
            level += 1

    def _files(self, old: int, completed: dict[Tile, bytes]) -> dict[str, bytes]:
        """The bytes of every tile and bundle between ``old`` and the current size."""
        files: dict[str, bytes] = {}
        for tile in tiles_added(old, self.size):
            if tile.width == TILE_WIDTH:
                files[tile.path] = completed[tile]
            elif tile.is_bundle:
                files[tile.path] = encode_bundle(self._bundle)
            else:
                files[tile.path] = encode_tile(self._edge[tile.level])
        return files

    def _publish(self) -> None:
        checkpoint = Checkpoint(self.origin, self.size, self.root())
        self._note = sign_note(checkpoint.body(), [self.signer])
        self.store.write_checkpoint(self._note.encode())

    # -- recovery -------------------------------------------------------------------------

    def _recover(self) -> None:
        self.size, self._edge, self._bundle = 0, [], []
        self.reader = TileHashReader(self.store, self._edge_tile)
        raw = self.store.read_checkpoint()
        committed = 0
        checkpoint = None
        if raw is not None:
            checkpoint, _ = open_checkpoint(raw, [self.signer.verifier], origin=self.origin)
            committed = checkpoint.size
        self._discard_uncommitted(committed)
        if checkpoint is None:
            self._publish()
            return
        self._load_edge(committed)
        if self.root() != checkpoint.root:
            raise LogError(f"the log's tiles do not match its checkpoint at size {committed}")
        self._note = raw.decode() if raw is not None else ""

    def _discard_uncommitted(self, committed: int) -> None:
        """Delete what an interrupted append wrote beyond the checkpoint, then the marker."""
        marker = self.store.read(PENDING)
        if marker is None:
            return
        try:
            start, end = (int(part) for part in marker.decode().split())
        except ValueError as exc:
            raise LogError(f"the log's {PENDING} marker is unreadable") from exc
        if end > committed:
            self.store.delete(tile.path for tile in tiles_added(max(start, committed), end))
        self.store.delete([PENDING])

    def _load_edge(self, size: int) -> None:
        """Read the partial tiles and bundle of a tree of ``size`` into memory."""
        self.size = size
        for level in range(level_count(size)):
            width = partial_width(size, level)
            hashes: list[bytes] = []
            if width:
                tile = tile_at(level, (size >> (TILE_HEIGHT * level)) // TILE_WIDTH, size)
                hashes = decode_tile(self._read(tile), tile)
            self._edge.append(hashes)
        if size % TILE_WIDTH:
            bundle = bundle_for(size - 1, size)
            self._bundle = decode_bundle(self._read(bundle), bundle)
            if [leaf_hash(entry) for entry in self._bundle] != self._edge[0]:
                raise LogError(f"entries in {bundle.path} do not match their tile's hashes")


# -- one log per institution under the smsguard home ----------------------------------------


def local_paths(home: Path, code: str) -> tuple[Path, Path]:
    """The log folder ``<home>/tlog/<code>`` and signing key ``<home>/keys/tlog-<code>.skey``."""
    if not _CODE.fullmatch(code):
        raise LogError(f"institution code {code!r} cannot name a log folder")
    return home / "tlog" / code, home / "keys" / f"tlog-{code}.skey"


def create_local_log(home: Path, code: str, origin: str | None = None) -> TransparencyLog:
    """Create the institution's signing key (mode 0600) and empty log; refuse to overwrite."""
    folder, key_file = local_paths(home, code)
    if key_file.exists():
        raise LogError(f"log key {key_file} already exists", hint="Use the existing log.")
    signer = Ed25519Signer.generate(origin or f"smsguard.example/{code}")
    key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_atomically(key_file, (signer.skey + "\n").encode(), mode=0o600)
    return TransparencyLog.open(DirectoryTileStore(folder), signer, signer.name)


def open_local_log(home: Path, code: str) -> TransparencyLog:
    """Open the institution's log; its origin is its signing key's name."""
    folder, key_file = local_paths(home, code)
    if not key_file.exists():
        raise LogError(
            f"no transparency log for institution {code!r}",
            hint=f"Create it with `smsguard log init --institution {code}`.",
        )
    signer = parse_skey(key_file.read_text(encoding="utf-8"))
    return TransparencyLog.open(DirectoryTileStore(folder), signer, signer.name)
