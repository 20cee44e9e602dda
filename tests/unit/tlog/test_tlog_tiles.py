"""Tile paths, tile coverage of a tree size, and the encodings of tiles and entry bundles."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tlog_vectors import vectors

from smsguard.errors import LogError
from smsguard.tlog import tiles
from smsguard.tlog.tiles import ENTRIES, Tile

TILES = vectors("tiles")
LAYOUT = TILES["tessera_layout"]


def test_c2sp_index_encoding() -> None:
    for case in TILES["c2sp_spec"]["n_encoding_examples"]:
        assert tiles.encode_index(case["index"]) == case["encoded"]
    top = TILES["azul_tile_from_path"]["max_index_encoding"]
    assert tiles.encode_index(top["index"]) == top["encoded"]
    with pytest.raises(LogError):
        tiles.encode_index(top["index"] + 1)


@pytest.mark.parametrize("case", TILES["c2sp_spec"]["tree_size_examples"], ids=str)
def test_c2sp_tree_size_decomposition(case: dict[str, Any]) -> None:
    size = case["tree_size"]
    assert tiles.level_count(size) == len(case["levels"])
    for level in case["levels"]:
        hashes = size >> (8 * level["level"])
        assert hashes // 256 == level["full_tiles"]
        assert tiles.partial_width(size, level["level"]) == level["partial_width"]


def test_tile_and_bundle_paths_encode_and_parse() -> None:
    for case in LAYOUT["tile_path"]["cases"]:
        width = case["partial_width"] or 256
        assert tiles.tile_path(case["level"], case["index"], width) == case["path"]
        assert tiles.parse_path(case["path"]) == Tile(case["level"], case["index"], width)
    for case in LAYOUT["entries_path"]["cases"]:
        width = case["partial_width"] or 256
        assert tiles.bundle_path(case["index"], width) == case["path"]
        assert tiles.parse_path(case["path"]) == Tile(ENTRIES, case["index"], width)
    for case in LAYOUT["n_with_suffix"]["cases"]:
        assert tiles.encode_index(case["index"], case["partial_width"] or 256) == case["encoded"]
    for case in LAYOUT["examples"]["cases"]:
        if case["kind"] == "tile":
            assert (
                tiles.tile_path(case["level"], case["index"], case["partial_width"]) == case["path"]
            )
        elif case["kind"] == "entries":
            assert tiles.bundle_path(case["index"], case["partial_width"]) == case["path"]


def test_bundle_holding_an_entry() -> None:
    for case in LAYOUT["entries_path_for_log_index"]["cases"]:
        assert tiles.bundle_for(case["entry_index"], case["log_size"]).path == case["path"]
    with pytest.raises(LogError, match="not inside a log of size 3"):
        tiles.bundle_for(3, 3)


@pytest.mark.parametrize("case", LAYOUT["parse_level_index"]["cases"], ids=str)
def test_parse_level_index(case: dict[str, Any]) -> None:
    if case["expected"] == "invalid":
        with pytest.raises(LogError):
            tiles.parse_level_index(case["level_str"], case["index_str"])
        return
    tile = tiles.parse_level_index(case["level_str"], case["index_str"])
    assert (tile.level, tile.index) == (case["level"], case["index"])
    assert tile.width == (case["partial_width"] or 256)


@pytest.mark.parametrize(
    "case", [c for c in TILES["azul_tile_from_path"]["cases"] if not c["with_height"]], ids=str
)
def test_canonical_c2sp_form(case: dict[str, Any]) -> None:
    if case["expected"] == "valid":
        assert tiles.parse_path(case["path"]).path == case["path"]
    else:
        with pytest.raises(LogError):
            tiles.parse_path(case["path"])


@pytest.mark.parametrize(
    "path",
    ["tile/0/x000/615", "tile/00/000", "tile/0/000.p/0", "tile/0/000.p/256", "tile/data/000", "x"],
)
def test_non_canonical_paths_are_refused(path: str) -> None:
    with pytest.raises(LogError):
        tiles.parse_path(path)


def test_node_to_tile_address() -> None:
    for case in LAYOUT["node_coords_to_tile_address"]["cases"]:
        tile, inner, offset = tiles.node_tile(case["tree_level"], case["tree_index"])
        assert (tile.level, tile.index) == (case["tile_level"], case["tile_index"])
        assert (inner, offset) == (case["node_level_in_tile"], case["node_index_in_tile"])


def test_partial_tile_size() -> None:
    for case in LAYOUT["partial_tile_size"]["cases"]:
        tile = tiles.tile_at(case["level"], case["tile_index"], case["log_size"])
        assert tile.width % 256 == case["partial_width"]


@given(st.lists(st.binary(max_size=300), min_size=1, max_size=256))
def test_bundle_round_trip(entries: list[bytes]) -> None:
    tile = Tile(ENTRIES, 0, len(entries))
    assert tiles.decode_bundle(tiles.encode_bundle(entries), tile) == entries


def test_bundle_decoding_fails_closed() -> None:
    data = tiles.encode_bundle([b"one", b"two"])
    with pytest.raises(LogError, match="holds 2 entries, not 3"):
        tiles.decode_bundle(data, Tile(ENTRIES, 0, 3))
    with pytest.raises(LogError, match="cut short"):
        tiles.decode_bundle(data[:-1], Tile(ENTRIES, 0, 2))
    with pytest.raises(LogError, match="inside a length prefix"):
        tiles.decode_bundle(data + b"\x00", Tile(ENTRIES, 0, 3))
    with pytest.raises(LogError, match="65535-byte limit"):
        tiles.encode_bundle([b"x" * 65536])


def test_tile_decoding_checks_width() -> None:
    with pytest.raises(LogError, match="is 64 bytes, not 96"):
        tiles.decode_tile(b"\x00" * 64, Tile(0, 0, 3))


@given(st.integers(0, 70_000), st.integers(0, 70_000))
def test_tiles_added_are_exactly_the_new_tile_versions(a: int, b: int) -> None:
    old, new = min(a, b), max(a, b)
    added = set(tiles.tiles_added(old, new))
    for level in (ENTRIES, *range(tiles.level_count(new))):
        shift = 0 if level == ENTRIES else 8 * level
        count = new >> shift
        if count % 256:  # the edge tile at the new size is always written if it grew
            edge = Tile(level, count // 256, count % 256)
            assert (edge in added) == ((old >> shift) < count)
    for tile in added:
        shift = 0 if tile.is_bundle else 8 * tile.level
        assert tile.index * 256 + tile.width > old >> shift
        assert tile.index * 256 + tile.width <= new >> shift
