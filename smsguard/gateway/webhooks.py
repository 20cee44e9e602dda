"""Alerts to the outside: signed JSON POSTs to the webhooks an institution configures.

Each alert is one POST of its JSON form (:meth:`smsguard.monitor.alerts.Alert.to_dict`) with
a signature header computed over the timestamp and the exact body::

    X-Smsguard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>

The receiver recomputes the HMAC with the shared secret and refuses a stale timestamp, so a
captured request cannot be replayed later or altered (:func:`verify_signature` is the
reference check). Delivery runs on a background thread with retries and backoff: a slow or
dead receiver never holds up sending, and alerts that cannot be delivered are logged, never
raised into the worker. Alerts carry ids and numbers only, never a phone number or a text.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import queue
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence

from smsguard.errors import InputError
from smsguard.monitor.alerts import Alert

log = logging.getLogger(__name__)

HEADER = "X-Smsguard-Signature"
TOLERANCE_SECONDS = 300
_ATTEMPTS = 4


def sign(secret: bytes, body: bytes, timestamp: int) -> str:
    """The signature header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(secret: bytes, body: bytes, header: str, now: int) -> None:
    """Raise InputError unless ``header`` signs ``body`` with ``secret`` recently enough."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    if not parts.get("t", "").isdigit() or "v1" not in parts:
        raise InputError(f"{HEADER} is malformed")
    timestamp = int(parts["t"])
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise InputError(f"{HEADER} is {abs(now - timestamp)} s old; replay refused")
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, parts["v1"]):
        raise InputError(f"{HEADER} does not match the body")


Post = Callable[[str, bytes, dict[str, str]], int]


def http_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST and return the HTTP status (0 when the receiver could not be reached)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, OSError):
        return 0


class WebhookNotifier:
    """Delivers alerts to ``urls`` in the background; :meth:`close` drains and stops."""

    def __init__(
        self,
        urls: Sequence[str],
        secret: bytes,
        *,
        post: Post = http_post,
        backoff: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise InputError(f"webhook URL {url!r} is not http:// or https://")
        if len(secret) < 16:
            raise InputError("a webhook secret needs at least 16 bytes")
        self._urls = tuple(urls)
        self._secret = secret
        self._post = post
        self._backoff = backoff
        self._clock = clock
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=10_000)
        self._thread = threading.Thread(target=self._run, name="alert-webhooks", daemon=True)
        self._thread.start()

    def __call__(self, alert: Alert) -> None:
        """Queue ``alert`` for every webhook; drop it (logged) if the queue is full."""
        body = json.dumps(alert.to_dict(), ensure_ascii=False, sort_keys=True).encode()
        try:
            self._queue.put_nowait(body)
        except queue.Full:
            log.error("alert webhook queue full; alert %s dropped", alert.detector)

    def start(self) -> None:
        """Nothing to do: delivery starts with the notifier (a worker-side service)."""

    def stop(self) -> None:
        """Deliver what is queued and stop (the worker calls this when it stops)."""
        self.close()

    def close(self, timeout: float = 10.0) -> None:
        """Deliver what is queued (within ``timeout``) and stop the thread."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout)

    def _run(self) -> None:
        while (body := self._queue.get()) is not None:
            for url in self._urls:
                self._deliver(url, body)

    def _deliver(self, url: str, body: bytes) -> None:
        for attempt in range(_ATTEMPTS):
            headers = {
                "Content-Type": "application/json; charset=utf-8",
                HEADER: sign(self._secret, body, int(self._clock())),
            }
            status = self._post(url, body, headers)
            if 200 <= status < 300:
                return
            if 400 <= status < 500 and status != 429:
                break  # the receiver refuses this request; retrying will not help
            time.sleep(self._backoff * 2**attempt)
        log.error("alert webhook %s failed (last status %s)", url, status)
