"""The tile reader's packed full tiles give exactly the hashes of an in-memory tree, whether a
tile was remembered by the appender or read back cold from the store."""

from __future__ import annotations

import pytest

from smsguard.errors import LogError
from smsguard.tlog import merkle
from smsguard.tlog.reader import TileHashReader, inner_levels, tile_levels
from smsguard.tlog.store import MemoryTileStore
from smsguard.tlog.tiles import TILE_WIDTH, Tile, encode_tile

LEAVES = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(3 * TILE_WIDTH + 5)]


def test_inner_levels_are_the_tile_levels_back_to_back() -> None:
    hashes = LEAVES[:TILE_WIDTH]
    assert inner_levels(encode_tile(hashes)) == b"".join(map(b"".join, tile_levels(hashes)[1:]))


def _store() -> MemoryTileStore:
    store = MemoryTileStore()
    for index in range(3):
        store.files[Tile(0, index).path] = encode_tile(LEAVES[256 * index : 256 * (index + 1)])
    return store


@pytest.mark.parametrize("remembered", [False, True])
def test_every_complete_node_matches_a_memory_tree(remembered: bool) -> None:
    tree = merkle.MemoryTree(LEAVES[: 3 * TILE_WIDTH])
    reader = TileHashReader(_store(), lambda level, index: None, cache_tiles=2)
    if remembered:
        reader.remember(Tile(0, 1), tile_levels(LEAVES[256:512]))
    for level in range(8):  # level 8 is in the level-1 tiles
        for index in range(len(tree.levels[level])):
            assert reader.node(level, index) == tree.node(level, index), (level, index)


def test_a_full_tile_of_the_wrong_length_is_refused() -> None:
    store = _store()
    store.files["tile/0/001"] = store.files["tile/0/001"][:-1]
    reader = TileHashReader(store, lambda level, index: None)
    with pytest.raises(LogError, match="tile/0/001 is 8191 bytes, not 8192"):
        reader.node(3, 40)
    with pytest.raises(LogError, match="tile tile/0/x001/000 is missing"):
        reader.node(0, 256 * 1000)
