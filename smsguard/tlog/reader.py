"""Complete-subtree hashes read from tiles: the :class:`~smsguard.tlog.merkle.HashReader` of a log.

A node at tree level ``8L + k`` is the root of ``2**k`` consecutive hashes of a level-``L``
tile. Full tiles never change, so their eight inner levels are computed once and kept in a
small LRU cache; proofs for recent entries then cost a few dictionary lookups. The partial
tile at each level (the log's right edge) is handed in by the log from memory.

A proof for an old entry needs seven sibling subtrees inside its level-0 tile, i.e. 247 of the
tile's 255 inner hashes, so a cold proof is dominated by rehashing one tile in Python. That is
kept tight (:func:`inner_levels`): one list comprehension per level with a local ``sha256``,
level 1 straight from 64-byte slices of the stored tile, higher levels by pairing with ``zip``
(no indexing). A cached full tile is two ``bytes`` objects, the stored tile and its inner levels
back to back, not 511 small ones: filling and evicting hundreds of objects per tile cost about
a fifth of a cold proof.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable

from smsguard.errors import LogError

from .merkle import HASH_SIZE
from .store import TileStore
from .tiles import TILE_HEIGHT, TILE_WIDTH, Tile

Levels = list[list[bytes]]

_PAIR = 2 * HASH_SIZE
_FULL_TILE = TILE_WIDTH * HASH_SIZE
# Byte offset of inner level k >= 1 in inner_levels(): levels 1..k-1 hold 128 + 64 + … hashes.
_LEVEL_AT = tuple(HASH_SIZE * (TILE_WIDTH - (2 * TILE_WIDTH >> k)) for k in range(TILE_HEIGHT + 1))


def tile_levels(hashes: list[bytes]) -> Levels:
    """Level 0 is the tile's hashes; level k pairs level k-1 (a full tile ends at level 8)."""
    sha256 = hashlib.sha256  # inlined: this loop is most of a cold proof's cost
    levels = [hashes]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append(
            [
                sha256(b"\x01" + below[i] + below[i + 1]).digest()
                for i in range(0, len(below) - 1, 2)
            ]
        )
    return levels


def inner_levels(data: bytes) -> bytes:
    """Inner levels 1..8 of a full tile (``data``: its 256 hashes) back to back: 128, 64 … 1
    hashes; level k starts at byte ``_LEVEL_AT[k]``."""
    sha256 = hashlib.sha256  # local: looked up once, not 255 times
    level = [sha256(b"\x01" + data[i : i + _PAIR]).digest() for i in range(0, len(data), _PAIR)]
    parts = level
    while len(level) > 1:
        pairs = iter(level)
        level = [
            sha256(b"\x01" + left + right).digest()
            for left, right in zip(pairs, pairs, strict=True)
        ]
        parts += level
    return b"".join(parts)


class TileHashReader:
    """Node hashes from full tiles in a store, and from the log's in-memory edge tiles."""

    def __init__(
        self,
        store: TileStore,
        edge: Callable[[int, int], list[bytes] | None],
        cache_tiles: int = 2048,
    ) -> None:
        self._store = store
        self._edge = edge
        # A full tile as two bytes objects: its stored hashes and inner_levels() of them.
        self._cache: OrderedDict[tuple[int, int], tuple[bytes, bytes]] = OrderedDict()
        self._limit = cache_tiles
        self._edges: dict[int, tuple[int, int, Levels]] = {}

    def node(self, level: int, index: int) -> bytes:
        tile_level, inner = divmod(level, TILE_HEIGHT)
        shift = TILE_HEIGHT - inner
        tile_index, offset = index >> shift, index & ((1 << shift) - 1)
        partial = self._edge(tile_level, tile_index)
        if partial is None:
            hashes, inner_hashes = self._full(tile_level, tile_index)
            if not inner:
                return hashes[HASH_SIZE * offset : HASH_SIZE * (offset + 1)]
            start = _LEVEL_AT[inner] + HASH_SIZE * offset
            return inner_hashes[start : start + HASH_SIZE]
        levels = self._edge_levels(tile_level, tile_index, partial)
        if inner >= len(levels) or offset >= len(levels[inner]):
            raise LogError(f"node {level}/{index} is not complete in the log")
        return levels[inner][offset]

    def _edge_levels(self, tile_level: int, tile_index: int, partial: list[bytes]) -> Levels:
        """Inner levels of the edge tile, recomputed only when it has grown.

        Odd trailing hashes are dropped at each level, so only complete subtrees appear.
        """
        cached = self._edges.get(tile_level)
        if cached is not None and cached[:2] == (tile_index, len(partial)):
            return cached[2]
        levels = tile_levels(list(partial))
        self._edges[tile_level] = (tile_index, len(partial), levels)
        return levels

    def remember(self, tile: Tile, levels: Levels) -> None:
        """Cache the inner levels of a full tile the log has just computed anyway."""
        inner = b"".join([b"".join(level) for level in levels[1:]])
        self._keep((tile.level, tile.index), (b"".join(levels[0]), inner))

    def _keep(self, key: tuple[int, int], tile: tuple[bytes, bytes]) -> None:
        self._cache[key] = tile
        if len(self._cache) > self._limit:
            self._cache.popitem(last=False)

    def _full(self, tile_level: int, tile_index: int) -> tuple[bytes, bytes]:
        """A full tile's hashes and inner levels, from the cache or read and hashed once."""
        key = (tile_level, tile_index)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        path = Tile(tile_level, tile_index).path
        data = self._store.read(path)
        if data is None:
            raise LogError(f"tile {path} is missing from the store")
        if len(data) != _FULL_TILE:
            raise LogError(f"{path} is {len(data)} bytes, not {_FULL_TILE}")
        tile = (data, inner_levels(data))
        self._keep(key, tile)
        return tile
