"""C2SP tlog-tiles: where each hash and entry of a log lives, and how tiles are encoded.

A tile at level ``L`` holds up to 256 consecutive hashes of tree level ``8L``; a full tile
covers ``256**(L+1)`` leaves. Entry bundles hold the entries themselves, 256 to a bundle,
each prefixed by its big-endian uint16 length. Paths are ``tile/<L>/<N>[.p/<W>]`` and
``tile/entries/<N>[.p/<W>]``, with ``N`` split into zero-padded groups of three digits, all but
the last prefixed by ``x`` (``1234067`` → ``x001/x234/067``). Parsing is strict: a path must
be the one canonical spelling of the tile it names, so two paths never alias one tile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from smsguard.errors import LogError

from .merkle import HASH_SIZE

TILE_WIDTH = 256
TILE_HEIGHT = 8
MAX_LEVEL = 63
MAX_INDEX = 2**64 - 1
MAX_ENTRY = 0xFFFF
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_GROUP = re.compile(r"x[0-9]{3}")


@dataclass(frozen=True, order=True)
class Tile:
    """A hash tile (``level >= 0``) or an entry bundle (``level == ENTRIES``); width 1..256."""

    level: int
    index: int
    width: int = TILE_WIDTH

    @property
    def is_bundle(self) -> bool:
        return self.level == ENTRIES

    @property
    def path(self) -> str:
        where = "entries" if self.is_bundle else str(self.level)
        return f"tile/{where}/{encode_index(self.index, self.width)}"


ENTRIES = -1


def encode_index(index: int, width: int = TILE_WIDTH) -> str:
    """``N[.p/W]``: the index in 3-digit groups, and the width for a partial tile."""
    if not 0 <= index <= MAX_INDEX:
        raise LogError(f"tile index {index} is out of range")
    if not 1 <= width <= TILE_WIDTH:
        raise LogError(f"tile width {width} is out of range 1..{TILE_WIDTH}")
    groups = [f"{index % 1000:03d}"]
    index //= 1000
    while index:
        groups.append(f"x{index % 1000:03d}")
        index //= 1000
    encoded = "/".join(reversed(groups))
    return encoded if width == TILE_WIDTH else f"{encoded}.p/{width}"


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """The path of a hash tile."""
    if not 0 <= level <= MAX_LEVEL:
        raise LogError(f"tile level {level} is out of range 0..{MAX_LEVEL}")
    return Tile(level, index, width).path


def bundle_path(index: int, width: int = TILE_WIDTH) -> str:
    """The path of an entry bundle."""
    return Tile(ENTRIES, index, width).path


def parse_level_index(level_text: str, index_text: str) -> Tile:
    """Parse the ``<L>`` and ``<N>[.p/<W>]`` parts of a tile path, rejecting any other spelling."""
    if not _DECIMAL.fullmatch(level_text) or int(level_text) > MAX_LEVEL:
        raise LogError(f"tile level {level_text!r} is not a decimal 0..{MAX_LEVEL}")
    return _parse_index(int(level_text), index_text)


def _parse_index(level: int, text: str) -> Tile:
    number, width = text, TILE_WIDTH
    if ".p/" in text:
        number, width_text = text.split(".p/", 1)
        if not _DECIMAL.fullmatch(width_text) or not 1 <= int(width_text) < TILE_WIDTH:
            raise LogError(f"partial width {width_text!r} is not a decimal 1..255")
        width = int(width_text)
    groups = number.split("/")
    if not re.fullmatch(r"[0-9]{3}", groups[-1]) or not all(map(_GROUP.fullmatch, groups[:-1])):
        raise LogError(f"tile index {number!r} is not in x001/x234/067 form")
    index = int("".join(group.lstrip("x") for group in groups))
    if index > MAX_INDEX:
        raise LogError(f"tile index {number!r} overflows 64 bits")
    tile = Tile(level, index, width)
    expected = encode_index(index, width)
    if expected != text:
        raise LogError(f"tile index {text!r} is not canonical (expected {expected!r})")
    return tile


def parse_path(path: str) -> Tile:
    """Parse ``tile/<L>/<N>[.p/<W>]`` or ``tile/entries/<N>[.p/<W>]``."""
    parts = path.split("/", 2)
    if len(parts) != 3 or parts[0] != "tile":
        raise LogError(f"{path!r} is not a tile path")
    if parts[1] == "entries":
        return _parse_index(ENTRIES, parts[2])
    return parse_level_index(parts[1], parts[2])


def node_tile(level: int, index: int) -> tuple[Tile, int, int]:
    """The full tile holding tree node (level, index), and the node's level and index inside it."""
    inner = level % TILE_HEIGHT
    shift = TILE_HEIGHT - inner
    return Tile(level // TILE_HEIGHT, index >> shift), inner, index & ((1 << shift) - 1)


def partial_width(size: int, level: int) -> int:
    """Width of the partial tile at ``level`` for a tree of ``size`` leaves (0: none)."""
    return (size >> (TILE_HEIGHT * level)) % TILE_WIDTH


def level_count(size: int) -> int:
    """How many tile levels a tree of ``size`` leaves has (0 for an empty tree)."""
    levels = 0
    while size >> (TILE_HEIGHT * levels):
        levels += 1
    return levels


def tile_at(level: int, index: int, size: int) -> Tile:
    """Tile ``index`` at ``level`` as it stands in a tree of ``size`` (partial if at the edge)."""
    hashes = size >> (TILE_HEIGHT * level)
    width = min(TILE_WIDTH, hashes - index * TILE_WIDTH)
    if width <= 0:
        raise LogError(f"tile {level}/{index} does not exist in a tree of size {size}")
    return Tile(level, index, width)


def bundle_for(entry: int, size: int) -> Tile:
    """The entry bundle holding entry ``entry`` in a log of ``size`` entries."""
    if not 0 <= entry < size:
        raise LogError(f"entry {entry} is not inside a log of size {size}")
    index = entry // TILE_WIDTH
    return Tile(ENTRIES, index, min(TILE_WIDTH, size - index * TILE_WIDTH))


def tiles_added(old: int, new: int) -> list[Tile]:
    """Every tile and bundle a log writes when it grows from ``old`` to ``new`` leaves."""
    added: list[Tile] = []
    for level in (ENTRIES, *range(level_count(new))):
        shift = 0 if level == ENTRIES else TILE_HEIGHT * level
        before, after = old >> shift, new >> shift
        for index in range(before // TILE_WIDTH, -(-after // TILE_WIDTH)):
            width = min(TILE_WIDTH, after - index * TILE_WIDTH)
            if index * TILE_WIDTH + width > before:
                added.append(Tile(level, index, width))
    return added


def encode_tile(hashes: list[bytes]) -> bytes:
    """Tile contents: the hashes concatenated."""
    if not 1 <= len(hashes) <= TILE_WIDTH:
        raise LogError(f"a tile holds 1..{TILE_WIDTH} hashes, not {len(hashes)}")
    return b"".join(hashes)


def decode_tile(data: bytes, tile: Tile) -> list[bytes]:
    """The hashes of a tile, after checking its length matches its width."""
    if len(data) != tile.width * HASH_SIZE:
        raise LogError(f"{tile.path} is {len(data)} bytes, not {tile.width * HASH_SIZE}")
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


def encode_bundle(entries: list[bytes]) -> bytes:
    """Entry bundle contents: each entry as a big-endian uint16 length and its bytes."""
    out = bytearray()
    for entry in entries:
        if len(entry) > MAX_ENTRY:
            raise LogError(f"entry of {len(entry)} bytes exceeds the {MAX_ENTRY}-byte limit")
        out += len(entry).to_bytes(2, "big") + entry
    return bytes(out)


def decode_bundle(data: bytes, tile: Tile) -> list[bytes]:
    """The entries of a bundle; its count must equal the bundle's width, with no bytes left."""
    entries: list[bytes] = []
    offset = 0
    while offset < len(data):
        if offset + 2 > len(data):
            raise LogError(f"{tile.path} ends inside a length prefix at byte {offset}")
        length = int.from_bytes(data[offset : offset + 2], "big")
        offset += 2
        if offset + length > len(data):
            raise LogError(f"{tile.path} entry {len(entries)} is cut short at byte {offset}")
        entries.append(data[offset : offset + length])
        offset += length
    if len(entries) != tile.width:
        raise LogError(f"{tile.path} holds {len(entries)} entries, not {tile.width}")
    return entries
