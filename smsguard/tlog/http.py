"""Serving over HTTP (stdlib ``ThreadingHTTPServer``): a log's static files, and a witness.

A log folder is served read-only as C2SP tlog-tiles: ``GET /checkpoint`` (and
``/checkpoint.cosigned`` once witnesses have cosigned), ``GET /tile/<L>/<N>[.p/<W>]`` and
``GET /tile/entries/<N>[.p/<W>]``. A request path is never joined to the folder: it is
parsed by the strict tile-path parser (one spelling per tile, no ``..``, no ``%``) and
the file is read by the tile's own canonical path, so nothing outside the tile tree can be
named. A tile is served only if the current checkpoint covers it; committed tiles never
change, so they are sent with a year-long ``immutable`` cache lifetime, while the
checkpoint must not be cached for more than a few seconds.

A witness answers ``POST /add-checkpoint`` (C2SP tlog-witness) with the status and body the
pure core in :mod:`.witness` decides. The two roles can share one server.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from smsguard.errors import LogError

from .checkpoint import parse_checkpoint
from .note import parse_note
from .store import CHECKPOINT, DirectoryTileStore, TileStore
from .tiles import TILE_HEIGHT, TILE_WIDTH, Tile, parse_path
from .witness import Witness, WitnessRefusal
from .witness_client import COSIGNED_FILE

MAX_REQUEST = 1 << 16
TEXT = "text/plain; charset=utf-8"
BINARY = "application/octet-stream"
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=5"
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Response:
    """What to send: status, content type, body and an optional Cache-Control value."""

    status: int
    content_type: str
    body: bytes
    cache: str = "no-store"


def _missing(what: str = "not found") -> Response:
    return Response(404, TEXT, f"{what}\n".encode())


def log_file(root: Path, request_path: str) -> Response:
    """The response for ``GET request_path`` on the log folder ``root``."""
    return store_file(DirectoryTileStore(root), request_path)


def store_file(store: TileStore, request_path: str) -> Response:
    """The response for ``GET request_path`` on a log's store (a folder or the database)."""
    path = urlsplit(request_path).path
    if path == f"/{CHECKPOINT}":
        return _found(store.read_checkpoint(), TEXT, SHORT)
    if path == f"/{COSIGNED_FILE}":
        return _found(store.read(COSIGNED_FILE), TEXT, SHORT)
    if not path.startswith("/tile/"):
        return _missing()
    try:
        tile = parse_path(path[1:])
    except LogError:
        return _missing("not a canonical tile path")
    if not _committed(store, tile):
        return _missing()
    return _found(store.read(tile.path), BINARY, IMMUTABLE)


def _found(data: bytes | None, content_type: str, cache: str) -> Response:
    return _missing() if data is None else Response(200, content_type, data, cache)


def _committed(store: TileStore, tile: Tile) -> bool:
    """Whether the published checkpoint's tree contains all of ``tile``.

    Files beyond the checkpoint may belong to an append in progress, which recovery would
    delete and rewrite: serving them with an immutable lifetime could poison caches.
    """
    raw = store.read_checkpoint()
    if raw is None:
        return False
    try:
        size = parse_checkpoint(parse_note(raw).text).size
    except LogError:
        return False
    count = size if tile.is_bundle else size >> (TILE_HEIGHT * tile.level)
    return tile.index * TILE_WIDTH + tile.width <= count


def witness_answer(witness: Witness, body: bytes) -> Response:
    """The response to an add-checkpoint request body."""
    try:
        lines = witness.add_checkpoint(body)
    except WitnessRefusal as exc:
        return Response(exc.status, exc.content_type, exc.body)
    return Response(200, TEXT, lines.encode())


@dataclass
class Roles:
    """What one server does: serve a log folder, act as a witness, or both."""

    log_root: Path | None = None
    witness: Witness | None = None


class Handler(BaseHTTPRequestHandler):
    """Routes GETs to the log folder and POST /add-checkpoint to the witness."""

    server: Server
    protocol_version = "HTTP/1.1"  # keep-alive, as tlog-witness recommends
    timeout = 30  # seconds a client may stall mid-request before its socket is closed

    def do_GET(self) -> None:
        roles = self.server.roles
        if roles.log_root is None:
            self._send(_missing())
            return
        self._send(log_file(roles.log_root, self.path))

    do_HEAD = do_GET

    def do_POST(self) -> None:
        witness = self.server.roles.witness
        length = self._length()
        if length is None:
            return
        body = self.rfile.read(length)
        if witness is None or urlsplit(self.path).path != "/add-checkpoint":
            self._send(_missing())
            return
        self._send(witness_answer(witness, body))

    def _length(self) -> int | None:
        """The declared body length, or None after answering 400/413 for a bad one."""
        text = self.headers.get("Content-Length", "")
        if not text.isdigit():
            self._send(Response(411 if not text else 400, TEXT, b"Content-Length required\n"))
            return None
        if int(text) > MAX_REQUEST:
            self.close_connection = True
            self._send(Response(413, TEXT, b"request body too large\n"))
            return None
        return int(text)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Cache-Control", response.cache)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: object) -> None:
        _log.info("%s %s", self.address_string(), format % args)


class Server(ThreadingHTTPServer):
    """A threading server that carries its :class:`Roles`."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], roles: Roles) -> None:
        self.roles = roles
        super().__init__(address, Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


def make_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    log_root: Path | None = None,
    witness: Witness | None = None,
) -> Server:
    """A bound server (port 0: any free port; read it from ``server.url``)."""
    if log_root is None and witness is None:
        raise LogError("a server needs a log folder, a witness or both")
    try:
        return Server((host, port), Roles(log_root, witness))
    except OSError as exc:
        raise LogError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
