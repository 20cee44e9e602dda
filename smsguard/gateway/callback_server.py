"""A small HTTP listener for Kannel's callbacks: DLRs and MOs in, ProviderEvents out.

It is a thin edge on the standard library (``ThreadingHTTPServer`` in a background thread)
so the gateway can take callbacks before the web service exists; the web service will later
mount the same pure parsers from :mod:`smsguard.gateway.providers.kannel`.

Answers are short and never a traceback or a phone number: ``200`` once the event is handed
to the sink (an intermediate DLR is acknowledged and dropped), ``400`` with a one-line reason
for a callback that cannot be understood (Kannel would repeat it in vain), ``404`` for other
paths, and ``500`` when the sink fails, so that Kannel retries the callback later. Request
lines are not logged: their queries carry phone numbers and message text.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from smsguard.gateway.providers.base import ProviderEvents
from smsguard.gateway.providers.kannel import (
    DLR_PATH,
    MO_PATH,
    KannelCallbackError,
    decode_callback_query,
    parse_dlr,
    parse_mo,
)

logger = logging.getLogger(__name__)

_MAX_BODY = 64 * 1024  # a callback is a few hundred bytes; refuse anything far larger
_FORM = "application/x-www-form-urlencoded"


def _handle_dlr(events: ProviderEvents, fields: dict[str, str]) -> None:
    report = parse_dlr(fields)
    if report is not None:
        events.delivery_report(report)


def _handle_mo(events: ProviderEvents, fields: dict[str, str]) -> None:
    events.inbound(parse_mo(fields))


_ROUTES: dict[str, Callable[[ProviderEvents, dict[str, str]], None]] = {
    DLR_PATH: _handle_dlr,
    MO_PATH: _handle_mo,
}


class CallbackServer:
    """Listens on ``host:port`` (0 picks a free port) and feeds callbacks to ``events``."""

    def __init__(self, events: ProviderEvents, host: str = "127.0.0.1", port: int = 0) -> None:
        self.events = events
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL to give Kannel (``dlr_url`` and ``mo_get_url`` add the paths)."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        """Serve in a daemon thread until :meth:`stop`."""
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},  # how quickly stop() returns
            name="kannel-callbacks",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and free the port; safe to call when never started."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> CallbackServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _handler_for(server: CallbackServer) -> type[BaseHTTPRequestHandler]:
    """A handler class bound to ``server`` (http.server instantiates it per request)."""

    class Handler(_CallbackHandler):
        owner = server

    return Handler


class _CallbackHandler(BaseHTTPRequestHandler):
    owner: CallbackServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        self._dispatch(path, query)

    def do_POST(self) -> None:
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            self._answer(413, "callback too large")
            return
        body = self.rfile.read(length)
        if self.headers.get_content_type() == _FORM and body:
            query = "&".join(part for part in (query, body.decode("latin-1")) if part)
        self._dispatch(path, query)

    def _dispatch(self, path: str, query: str) -> None:
        route = _ROUTES.get(path)
        if route is None:
            self._answer(404, "unknown callback path")
            return
        try:
            route(self.owner.events, decode_callback_query(query))
        except KannelCallbackError as exc:
            self._answer(400, exc.message)
            return
        except Exception as exc:  # the sink failed: say so briefly and let Kannel retry
            logger.error("callback %s: event sink failed (%s)", path, type(exc).__name__)
            self._answer(500, "internal error")
            return
        self._answer(200, "ok")

    def _answer(self, status: int, text: str) -> None:
        body = (text + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Silenced: the default access line would log phone numbers from the query."""
