"""Transparency-log speed: durable appends, proof size, proof generation and verification.

    .venv/bin/python benchmarks/bench_tlog.py [--entries N] [--big N] [--batch B]

Printed side by side, measured in the same run:

* append to a fsync'd directory store in batches of B (smsguard's path) against the same
  log appending one entry per batch (one fsync'd write set and checkpoint per entry), and
  against a naive in-memory log that recomputes the whole root after every append;
* inclusion proof size against the 32 * ceil(log2 n) bound;
* proof generation from tiles in a tree of --big entries (default 10^7), built with batch
  hashing straight into an in-memory tile store (no signing, no fsync), cold and warm cache;
* verification of an inclusion proof.

Targets: append >= 5,000 entries/s durable; verification <= 0.1 ms; generation <= 0.2 ms
at 10^7 entries. Nothing is asserted; the figures are for reading.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from smsguard.tlog import merkle
from smsguard.tlog.leaf import SmsLeaf, commit
from smsguard.tlog.log import TransparencyLog
from smsguard.tlog.note import Ed25519Signer
from smsguard.tlog.reader import TileHashReader
from smsguard.tlog.store import DirectoryTileStore, MemoryTileStore
from smsguard.tlog.tiles import TILE_WIDTH, Tile, encode_tile

SIGNER = Ed25519Signer("smsguard.example/bench", bytes(32))


def entries(count: int) -> list[bytes]:
    """Realistic leaves: canonical SMS entries with random commitments."""
    salt = bytes(32)
    return [
        SmsLeaf(
            "bench", "tv-1", "c-1", f"m-{i}", 1767225600 + i, commit(salt, "+8613800000000", str(i))
        ).to_bytes()
        for i in range(count)
    ]


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>10,.0f} entries/s"


def bench_append(items: list[bytes], batch: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        log = TransparencyLog.open(DirectoryTileStore(Path(folder)), SIGNER, SIGNER.name)
        start = time.perf_counter()
        for offset in range(0, len(items), batch):
            log.append(items[offset : offset + batch])
        return time.perf_counter() - start


def bench_naive(items: list[bytes]) -> float:
    start = time.perf_counter()
    hashes: list[bytes] = []
    for item in items:
        hashes.append(merkle.leaf_hash(item))
        merkle.root_of(hashes)
    return time.perf_counter() - start


def build_big(size: int) -> MemoryTileStore:
    """Tiles for ``size`` synthetic leaves, hashed level by level without a log around them."""
    store = MemoryTileStore()
    level_hashes = [merkle.leaf_hash(i.to_bytes(8, "big")) for i in range(size)]
    level = 0
    while level_hashes:
        for index in range(0, len(level_hashes), TILE_WIDTH):
            chunk = level_hashes[index : index + TILE_WIDTH]
            store.files[Tile(level, index // TILE_WIDTH, len(chunk)).path] = encode_tile(chunk)
        level_hashes = [
            merkle.root_of(level_hashes[i : i + TILE_WIDTH])
            for i in range(0, len(level_hashes) - TILE_WIDTH + 1, TILE_WIDTH)
        ]
        level += 1
    return store


def edge_reader(store: MemoryTileStore, size: int) -> TileHashReader:
    """A reader whose edge tiles are held in memory, as a live log holds them."""
    edges: dict[tuple[int, int], list[bytes]] = {}
    level = 0
    while size >> (8 * level):
        count = size >> (8 * level)
        if count % TILE_WIDTH:
            data = store.files[Tile(level, count // TILE_WIDTH, count % TILE_WIDTH).path]
            edges[(level, count // TILE_WIDTH)] = [
                data[i : i + 32] for i in range(0, len(data), 32)
            ]
        level += 1
    return TileHashReader(store, lambda lv, ix: edges.get((lv, ix)), cache_tiles=4096)


def per_call(action: Callable[[], object], repeat: int) -> list[float]:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return timings


def report(label: str, timings: list[float]) -> None:
    ms = sorted(t * 1000 for t in timings)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"{label:<58} p50 {statistics.median(ms):.4f} ms  p99 {p99:.4f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--big", type=int, default=10_000_000)
    parser.add_argument("--batch", type=int, default=1_000)
    args = parser.parse_args()
    items = entries(args.entries)
    print(f"append, fsync'd directory store, {args.entries:,} SMS entries")
    ours = rate(args.entries, bench_append(items, args.batch))
    print(f"  batches of {args.batch:<6} (smsguard){ours:>30}")
    few = items[:500]
    print(
        f"  baseline: one entry per batch (fsync + sign each){rate(500, bench_append(few, 1)):>18}"
    )
    naive = items[:5_000]
    print(f"  baseline: in memory, recompute root per append  {rate(5000, bench_naive(naive)):>18}")

    start = time.perf_counter()
    store = build_big(args.big)
    print(f"\nbuilt tiles for {args.big:,} leaves in {time.perf_counter() - start:.1f} s")
    reader = edge_reader(store, args.big)
    rng = random.Random(1)
    indexes = [rng.randrange(args.big) for _ in range(2000)]
    bound = 32 * math.ceil(math.log2(args.big))
    proof = merkle.inclusion_proof(reader, indexes[0], args.big)
    print(f"inclusion proof: {32 * len(proof)} bytes (bound 32*ceil(log2 n) = {bound} bytes)")
    queue = iter(indexes)
    report(
        "proof generation, random entries (cold level-0 tiles)",
        per_call(lambda: merkle.inclusion_proof(reader, next(queue), args.big), 2000),
    )
    recent = [args.big - 1 - rng.randrange(200) for _ in range(2000)]
    queue = iter(recent)
    report(
        "proof generation, recent entries (warm cache)",
        per_call(lambda: merkle.inclusion_proof(reader, next(queue), args.big), 2000),
    )
    root = merkle.tree_root(reader, args.big)
    leaf = reader.node(0, indexes[0])
    report(
        "inclusion proof verification",
        per_call(lambda: merkle.verify_inclusion(leaf, indexes[0], args.big, proof, root), 2000),
    )


if __name__ == "__main__":
    main()
