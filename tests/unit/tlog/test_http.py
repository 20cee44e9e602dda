"""Serving a log and a witness over HTTP, checked by a client that uses only what it fetched."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from smsguard.cli import log as cli_log
from smsguard.cli import main
from smsguard.errors import LogError
from smsguard.tlog.checkpoint import open_checkpoint
from smsguard.tlog.cosignature import CosignatureSigner
from smsguard.tlog.http import Server, make_server
from smsguard.tlog.log import TransparencyLog, create_local_log, local_paths
from smsguard.tlog.merkle import inclusion_proof, leaf_hash, node_hash, verify_inclusion
from smsguard.tlog.witness import MemoryWitnessState, Witness, format_request, trusted_logs

SIZE = 700  # two full level-0 tiles, a partial one of 188, a partial level-1 tile of 2


@pytest.fixture
def log(tmp_path: Path) -> TransparencyLog:
    opened = create_local_log(tmp_path, "haojie")
    opened.append([f'{{"n":{i}}}'.encode() for i in range(SIZE)])
    return opened


def running(server: Server) -> Iterator[Server]:
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def served(
    log: TransparencyLog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Server]:
    """``smsguard log serve`` itself, on a free port, in a thread."""
    started: list[Server] = []
    ready = threading.Event()

    def capture(server: Server, what: str) -> None:
        started.append(server)
        ready.set()
        server.serve_forever(poll_interval=0.02)

    monkeypatch.setattr(cli_log, "serve_until_interrupted", capture)
    args = ["--home", str(tmp_path), "log", "serve", "--institution", "haojie", "--port", "0"]
    thread = threading.Thread(target=main, args=(args,), daemon=True)
    thread.start()
    assert ready.wait(10)
    yield started[0]
    started[0].shutdown()
    started[0].server_close()
    thread.join(timeout=5)


def fetch(
    server: Server, path: str, method: str = "GET", body: bytes | None = None
) -> tuple[int, dict[str, str], bytes]:
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(str(host), int(port), timeout=5)
    try:
        connection.request(method, path, body=body)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


class FetchedTiles:
    """Complete-subtree hashes computed only from tiles fetched over HTTP (an outside client)."""

    def __init__(self, server: Server, size: int) -> None:
        self.server, self.size = server, size

    def node(self, level: int, index: int) -> bytes:
        tile_level, inner = divmod(level, 8)
        per_tile = 256 >> inner
        tile_index, offset = divmod(index, per_tile)
        hashes = self._tile(tile_level, tile_index)
        piece = hashes[offset << inner : (offset + 1) << inner]
        assert len(piece) == 1 << inner
        while len(piece) > 1:
            piece = [node_hash(piece[i], piece[i + 1]) for i in range(0, len(piece), 2)]
        return piece[0]

    def _tile(self, level: int, index: int) -> list[bytes]:
        width = min(256, (self.size >> (8 * level)) - index * 256)
        path = f"/tile/{level}/{index:03d}" + ("" if width == 256 else f".p/{width}")
        status, _, data = fetch(self.server, path)
        assert status == 200 and len(data) == 32 * width, path
        return [data[i : i + 32] for i in range(0, len(data), 32)]


def test_independent_client_verifies_inclusion_from_fetched_tiles(
    served: Server, log: TransparencyLog
) -> None:
    status, headers, note = fetch(served, "/checkpoint")
    assert status == 200 and headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "immutable" not in headers["Cache-Control"]
    checkpoint, _ = open_checkpoint(note, [log.signer.verifier], origin=log.origin)
    assert checkpoint.size == SIZE
    status, headers, bundle = fetch(served, "/tile/entries/001")
    assert status == 200 and headers["Content-Type"] == "application/octet-stream"
    entry = bundle[2 : 2 + int.from_bytes(bundle[:2], "big")]  # entry 256, first of bundle 1
    assert entry == b'{"n":256}'
    proof = inclusion_proof(FetchedTiles(served, SIZE), 256, SIZE)
    verify_inclusion(leaf_hash(entry), 256, SIZE, proof, checkpoint.root)
    assert proof == log.inclusion_proof(256)


def test_tiles_are_immutable_and_strictly_addressed(served: Server, tmp_path: Path) -> None:
    status, headers, data = fetch(served, "/tile/0/000")
    assert status == 200 and len(data) == 8192
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert fetch(served, "/tile/0/002.p/188")[0] == 200
    assert fetch(served, "/tile/1/000.p/2")[0] == 200
    assert fetch(served, "/tile/0/002.p/188", method="HEAD")[2] == b""
    folder, _ = local_paths(tmp_path, "haojie")
    (folder / "tile" / "0" / "005").write_bytes(b"\0" * 8192)  # beyond the checkpoint
    for path in (
        "/tile/0/005",  # exists on disk, not committed
        "/tile/0/002",  # not there
        "/tile/0/0",
        "/tile/0/000/../../../keys/tlog-haojie.skey",
        "/tile/../keys/tlog-haojie.skey",
        "/tile/0/%2e%2e",
        "/../keys/tlog-haojie.skey",
        "/keys/tlog-haojie.skey",
        "/.pending",
        "/witnesses.json",
        "/checkpoint.cosigned",  # not cosigned yet
    ):
        status, _, body = fetch(served, path)
        assert status == 404, path
        assert b"PRIVATE" not in body
    assert fetch(served, "/add-checkpoint", method="POST", body=b"x")[0] == 404


@pytest.fixture
def witness_server(log: TransparencyLog) -> Iterator[Server]:
    signer = CosignatureSigner("w.test", bytes(32))
    witness = Witness(
        signer, trusted_logs([log.signer.verifier]), MemoryWitnessState(), lambda e: None
    )
    yield from running(make_server(witness=witness))


def test_witness_over_http(witness_server: Server, log: TransparencyLog) -> None:
    note = log.checkpoint()
    status, headers, body = fetch(
        witness_server, "/add-checkpoint", "POST", format_request(0, [], note)
    )
    assert status == 200 and body.decode().startswith("\u2014 w.test ")
    status, headers, body = fetch(
        witness_server, "/add-checkpoint", "POST", format_request(3, [], note)
    )
    assert (status, headers["Content-Type"], body) == (
        409,
        "text/x.tlog.size",
        f"{SIZE}\n".encode(),
    )
    assert fetch(witness_server, "/add-checkpoint", "POST", b"old 0\n")[0] == 400
    assert fetch(witness_server, "/add-checkpoint", "POST", b"x" * (1 << 17))[0] == 413
    assert fetch(witness_server, "/other", "POST", b"")[0] == 404
    assert fetch(witness_server, "/checkpoint")[0] == 404  # not a log server


def test_a_server_needs_a_role() -> None:
    with pytest.raises(LogError, match="needs a log folder"):
        make_server()
