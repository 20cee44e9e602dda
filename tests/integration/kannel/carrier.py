"""The test carrier: the far side of Kannel's generic HTTP SMSC, played by a small server.

Kannel hands each MT segment to ``send-url`` as a GET carrying the receiver, the raw payload
(``%b``), its coding and the concatenation UDH. The carrier joins the segments of a long
message back into one text, as a handset would, and records it once per message; a message
recorded twice means Kannel (or smsguard) sent it twice. It also plays the phone and the
network towards Kannel: ``inject_mo`` delivers a reply from a phone and ``inject_dlr`` a
delivery report, both through the HTTP SMSC's own listening port.
"""

from __future__ import annotations

import itertools
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TypeVar

T = TypeVar("T")
SHORT_CODE = "10690001"  # smsguard's sender number in these tests


@dataclass(frozen=True)
class ReceivedMt:
    """One whole message as the carrier saw it (segments joined)."""

    carrier_id: str  # the id the carrier answered for the first segment; DLRs quote it
    to: str
    sender: str
    text: str
    segments: int


@dataclass
class _Pending:
    parts: dict[int, str] = field(default_factory=dict)
    first_id: str = ""


def _decode_payload(raw: bytes, coding: str) -> str:
    """Kannel's internal payload: UCS-2 (UTF-16BE) for coding 2, UTF-8 for 7-bit/undefined."""
    if coding == "2":
        return raw.decode("utf-16-be")
    return raw.decode("utf-8")


def _concat_info(udh: bytes) -> tuple[int, int, int] | None:
    """(reference, total, sequence) from a concatenation UDH (IE 0x00 or 0x08), else None."""
    pos, end = 1, min(len(udh), udh[0] + 1) if udh else 0
    while pos + 1 < end:
        iei, length = udh[pos], udh[pos + 1]
        data = udh[pos + 2 : pos + 2 + length]
        if iei == 0x00 and length == 3:
            return data[0], data[1], data[2]
        if iei == 0x08 and length == 4:
            return (data[0] << 8) | data[1], data[2], data[3]
        pos += 2 + length
    return None


class TestCarrier:
    """Records MTs from Kannel and injects MOs and DLRs into Kannel's HTTP SMSC port."""

    __test__ = False  # not a pytest test class despite its name

    def __init__(self, *, username: str, password: str) -> None:
        self.username = username
        self.password = password
        self.smsc_url = ""  # Kannel's HTTP SMSC listener; set once Kannel's port is known
        self._lock = threading.Lock()
        self._received: list[ReceivedMt] = []
        self._pending: dict[tuple[str, int], _Pending] = {}
        self._ids = itertools.count(1)
        self._parts = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def send_url_base(self) -> str:
        """Where Kannel's ``send-url`` points."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/mt"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def received(self) -> list[ReceivedMt]:
        """Every whole message received so far, in order of completion."""
        with self._lock:
            return list(self._received)

    def parts_received(self) -> int:
        """Segments received so far; a resent segment counts again."""
        with self._lock:
            return self._parts

    def clear(self) -> None:
        with self._lock:
            self._received.clear()
            self._pending.clear()
            self._parts = 0

    def wait_for_messages(self, count: int, timeout: float = 10.0) -> list[ReceivedMt]:
        """At least ``count`` whole messages, or AssertionError after ``timeout`` seconds."""
        return wait_until(
            lambda: got if len(got := self.received()) >= count else None,
            timeout,
            f"{count} MT message(s) at the carrier",
        )

    def inject_mo(
        self, sender: str, text: str, *, receiver: str = SHORT_CODE, ucs2: bool = True
    ) -> str:
        """A phone's reply into Kannel, encoded as a carrier would: UCS-2 unless told 7-bit."""
        params = {"from": sender, "to": receiver}
        payload = text.encode("utf-16-be" if ucs2 else "utf-8")
        query = urllib.parse.urlencode(params) + "&text=" + urllib.parse.quote_from_bytes(payload)
        return self._call_kannel(query + f"&coding={2 if ucs2 else 0}")

    def inject_dlr(self, carrier_id: str, dlr_type: int, text: str = "", to: str = "") -> str:
        """A delivery report for ``carrier_id`` (Kannel's dlr types: 1, 2, 4, 8, 16)."""
        params = {"dlr-mid": carrier_id, "dlr-mask": str(dlr_type), "text": text, "to": to}
        return self._call_kannel(urllib.parse.urlencode(params))

    def _call_kannel(self, query: str) -> str:
        auth = urllib.parse.urlencode({"username": self.username, "password": self.password})
        url = f"{self.smsc_url}?{auth}&{query}"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                body: bytes = response.read()
        except urllib.error.HTTPError as exc:
            body = exc.read()
        return body.decode("utf-8", "replace")

    def _record_part(self, query: dict[str, list[bytes]]) -> str:
        def one(name: str) -> bytes:
            return query.get(name, [b""])[0]

        carrier_id = f"c{next(self._ids)}"
        text = _decode_payload(one("text"), one("coding").decode() or "0")
        to, sender = one("to").decode(), one("from").decode()
        info = _concat_info(one("udh"))
        with self._lock:
            self._parts += 1
            if info is None:
                self._received.append(ReceivedMt(carrier_id, to, sender, text, 1))
                return carrier_id
            ref, total, seq = info
            pending = self._pending.setdefault((to, ref), _Pending())
            pending.parts[seq] = text
            pending.first_id = carrier_id if seq == 1 else pending.first_id
            if len(pending.parts) == total:
                del self._pending[(to, ref)]
                whole = "".join(pending.parts[i] for i in sorted(pending.parts))
                self._received.append(ReceivedMt(pending.first_id, to, sender, whole, total))
        return carrier_id

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        carrier = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path, _, raw_query = self.path.partition("?")
                if path != "/mt":
                    self._answer(404, "not found")
                    return
                parsed = urllib.parse.parse_qs(
                    raw_query, keep_blank_values=True, encoding="latin-1"
                )
                query = {key: [v.encode("latin-1") for v in vals] for key, vals in parsed.items()}
                self._answer(200, "OK " + carrier._record_part(query))

            def _answer(self, status: int, body: str) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                """Silent: request lines carry phone numbers."""

        return Handler


def wait_until(probe: Callable[[], T | None], timeout: float, what: str) -> T:
    """Poll ``probe`` until it returns a value; AssertionError naming ``what`` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)
