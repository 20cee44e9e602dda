"""Complete-subtree hashes read from tiles: the :class:`~smsguard.tlog.merkle.HashReader` of a log.

A node at tree level ``8L + k`` is the root of ``2**k`` consecutive hashes of a level-``L``
tile. Full tiles never change, so their eight inner levels are computed once and kept in a
small LRU cache; proofs for recent entries then cost a few dictionary lookups. The partial
tile at each level (the log's right edge) is handed in by the log from memory.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable

from smsguard.errors import LogError

from .store import TileStore
from .tiles import TILE_HEIGHT, TILE_WIDTH, Tile, decode_tile, node_tile

Levels = list[list[bytes]]


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
        self._cache: OrderedDict[tuple[int, int], Levels] = OrderedDict()
        self._limit = cache_tiles
        self._edges: dict[int, tuple[int, int, Levels]] = {}

    def node(self, level: int, index: int) -> bytes:
        tile, inner, offset = node_tile(level, index)
        partial = self._edge(tile.level, tile.index)
        levels = self._levels(tile) if partial is None else self._edge_levels(tile, partial)
        if inner >= len(levels) or offset >= len(levels[inner]):
            raise LogError(f"node {level}/{index} is not complete in the log")
        return levels[inner][offset]

    def _edge_levels(self, tile: Tile, partial: list[bytes]) -> Levels:
        """Inner levels of the edge tile, recomputed only when it has grown.

        Odd trailing hashes are dropped at each level, so only complete subtrees appear.
        """
        cached = self._edges.get(tile.level)
        if cached is not None and cached[:2] == (tile.index, len(partial)):
            return cached[2]
        levels = tile_levels(list(partial))
        self._edges[tile.level] = (tile.index, len(partial), levels)
        return levels

    def remember(self, tile: Tile, levels: Levels) -> None:
        """Cache the inner levels of a full tile the log has just computed anyway."""
        self._cache[(tile.level, tile.index)] = levels
        if len(self._cache) > self._limit:
            self._cache.popitem(last=False)

    def _levels(self, tile: Tile) -> Levels:
        key = (tile.level, tile.index)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        data = self._store.read(tile.path)
        if data is None:
            raise LogError(f"tile {tile.path} is missing from the store")
        levels = tile_levels(decode_tile(data, Tile(tile.level, tile.index, TILE_WIDTH)))
        if len(levels) != TILE_HEIGHT + 1:
            raise LogError(f"tile {tile.path} does not hold a full tile")
        self.remember(tile, levels)
        return levels
