"""Subscriptions: poll peers' signed feeds and import what changed (docs/intel-taxii.md).

A subscription names a peer institution, the base URL of its smsguard service, a file
holding the API key the peer issued to us (scope ``intel.read``) and the receiving
institution here. They live in ``<home>/intel/subscriptions.yaml``::

    subscriptions:
      - peer: bank-a
        url: https://intel.bank-a.example/
        api_key_file: keys/peer-bank-a.token     # relative to the home
        institution: bank-b                       # who receives here
        collection: <id>                          # optional, informational

Each poll asks ``GET <url>/taxii2/<peer>/feed?since=<cursor>``: the signed feed
(:mod:`smsguard.intel.feed`) of what the peer changed since the last successful poll. The
feed is verified against the trust store (``intel/peers.json``: signature, producer, the
sequence above the last one accepted, its age), its indicators are stored with
:func:`smsguard.intel.store.save_imported`, and only then are the sequence (in the same
``received-sequences-<code>.json`` file ``smsguard intel import`` uses) and the cursor
(``intel/subscription-state.json``) moved on. A failure at any step is logged and the next
poll retries from the same cursor; the poller never stops for a peer's error.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy import select

from smsguard._files import write_atomically
from smsguard._yaml import read_yaml
from smsguard.errors import ConfigError, FeedError, InputError, SmsguardError
from smsguard.intel.feed import FileSequenceMemory, load_peers, remember, verify_feed
from smsguard.intel.stix_import import indicators_from_bundle
from smsguard.intel.store import ImportCounts, save_imported
from smsguard.intel.taxii import parse_timestamp, taxii_timestamp
from smsguard.store import Database, tenant_session

if TYPE_CHECKING:
    from smsguard.intel.lifecycle import IntelContext

log = logging.getLogger("smsguard.intel.subscribe")
CURSOR_HEADER = "X-TAXII-Date-Added-Last"
MAX_FEED_BYTES = 256 * 1024 * 1024
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_lock = threading.Lock()  # one import at a time per process (verify → store → remember)


@dataclass(frozen=True)
class Subscription:
    """One peer polled for one receiving institution."""

    peer: str
    url: str
    api_key_file: Path
    institution: str
    collection: str | None = None

    @property
    def key(self) -> str:
        return f"{self.institution}/{self.peer}"


@dataclass(frozen=True)
class PollResult:
    """What one successful poll did."""

    sequence: int
    counts: ImportCounts
    refused: int
    cursor: str | None


def subscriptions_path(home: Path) -> Path:
    return home / "intel" / "subscriptions.yaml"


def state_path(home: Path) -> Path:
    return home / "intel" / "subscription-state.json"


def received_sequences_path(home: Path, code: str) -> Path:
    """The last sequence institution ``code`` accepted from each producer (shared with
    ``smsguard intel import`` and the TAXII write route, so a feed is taken once)."""
    return home / "intel" / f"received-sequences-{code}.json"


def _code(value: object, what: str) -> str:
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise ConfigError(f"subscriptions: {what} {value!r} is not an institution code")
    return value


def load_subscriptions(home: Path, path: Path | None = None) -> list[Subscription]:
    """The subscriptions of this home (none when the file does not exist)."""
    path = path or subscriptions_path(home)
    if not path.exists():
        return []
    data = read_yaml(path, what="subscriptions file", error=ConfigError) or {}
    if not isinstance(data, dict) or not isinstance(data.get("subscriptions", []), list):
        raise ConfigError(f"{path}: expected a mapping with a list `subscriptions`")
    found: list[Subscription] = []
    for entry in data.get("subscriptions") or []:
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: each subscription is a mapping")
        unknown = set(entry) - {"peer", "url", "api_key_file", "institution", "collection"}
        if unknown:
            raise ConfigError(f"{path}: unknown field(s) {', '.join(sorted(unknown))}")
        url = entry.get("url")
        if not isinstance(url, str) or urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise ConfigError(f"{path}: url {url!r} is not an http(s) URL")
        key_file = entry.get("api_key_file")
        if not isinstance(key_file, str) or not key_file:
            raise ConfigError(f"{path}: api_key_file is required")
        key_path = Path(key_file)
        collection = entry.get("collection")
        found.append(
            Subscription(
                peer=_code(entry.get("peer"), "peer"),
                url=url,
                api_key_file=key_path if key_path.is_absolute() else home / key_path,
                institution=_code(entry.get("institution"), "institution"),
                collection=str(collection) if collection is not None else None,
            )
        )
    return found


def add_subscription(home: Path, subscription: Subscription) -> None:
    """Add (or replace, for the same institution and peer) a subscription in the file."""
    current = [s for s in load_subscriptions(home) if s.key != subscription.key]
    current.append(subscription)
    _write(home, current)


def remove_subscription(home: Path, institution: str, peer: str) -> bool:
    current = load_subscriptions(home)
    kept = [s for s in current if s.key != f"{institution}/{peer}"]
    _write(home, kept)
    return len(kept) != len(current)


def _write(home: Path, subscriptions: list[Subscription]) -> None:
    entries: list[dict[str, Any]] = []
    for s in subscriptions:
        entry: dict[str, Any] = {"peer": s.peer, "url": s.url, "institution": s.institution}
        key_file = s.api_key_file
        entry["api_key_file"] = str(
            key_file.relative_to(home) if key_file.is_relative_to(home) else key_file
        )
        if s.collection is not None:
            entry["collection"] = s.collection
        entries.append(entry)
    text = yaml.safe_dump({"subscriptions": entries}, sort_keys=False, allow_unicode=True)
    path = subscriptions_path(home)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_atomically(path, text.encode(), mode=0o600)


# -- cursors ---------------------------------------------------------------------------------


def _read_state(home: Path) -> dict[str, dict[str, Any]]:
    path = state_path(home)
    if not path.exists():
        return {}
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"subscription state {path} is unreadable") from exc
    return found if isinstance(found, dict) else {}


def cursor_of(home: Path, subscription: Subscription) -> str | None:
    entry = _read_state(home).get(subscription.key) or {}
    cursor = entry.get("cursor")
    return cursor if isinstance(cursor, str) else None


def _save_state(home: Path, subscription: Subscription, **values: Any) -> None:
    with _lock_state:
        state = _read_state(home)
        state[subscription.key] = {**state.get(subscription.key, {}), **values}
        path = state_path(home)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        text = json.dumps(state, sort_keys=True, indent=2) + "\n"
        write_atomically(path, text.encode(), mode=0o600)


_lock_state = threading.Lock()


# -- one poll --------------------------------------------------------------------------------


def fetch_feed(
    subscription: Subscription, since: str | None, *, timeout: float = 30.0
) -> tuple[bytes, str | None]:
    """(the feed bytes, the cursor header) from the peer; InputError on any failure."""
    try:
        token = subscription.api_key_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(
            f"API key file {subscription.api_key_file} of peer {subscription.peer} is unreadable"
        ) from exc
    query = f"?{urllib.parse.urlencode({'since': since})}" if since else ""
    url = f"{subscription.url.rstrip('/')}/taxii2/{subscription.peer}/feed{query}"
    request = urllib.request.Request(
        url, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            data: bytes = answer.read(MAX_FEED_BYTES + 1)
            cursor = answer.headers.get(CURSOR_HEADER)
    except urllib.error.HTTPError as exc:
        raise InputError(f"peer {subscription.peer} answered HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise InputError(f"peer {subscription.peer} is unreachable: {exc}") from exc
    if len(data) > MAX_FEED_BYTES:
        raise InputError(f"peer {subscription.peer}'s feed is larger than {MAX_FEED_BYTES} bytes")
    return data, cursor


def import_feed(
    data: bytes,
    *,
    home: Path,
    database: Database,
    institution_id: int,
    institution: str,
    ctx: IntelContext,
    producer: str | None = None,
    now: datetime | None = None,
) -> tuple[int, ImportCounts, list[tuple[str, str]]]:
    """Verify a signed feed and store its indicators for ``institution``; (sequence, counts,
    refused (object id, reason)). FeedError when the feed is refused (nothing stored); the
    sequence is remembered only once the indicators are committed. ``producer``, when
    given, must be who signed it."""
    memory = FileSequenceMemory(received_sequences_path(home, institution))
    with _lock:
        feed = verify_feed(data, load_peers(home), memory, now=now)
        if producer is not None and feed.producer != producer:
            raise FeedError(
                "unknown-producer", f"the feed is signed by {feed.producer}, not {producer}"
            )
        indicators, problems = indicators_from_bundle(feed.bundle, producer=feed.producer)
        with tenant_session(database, institution_id) as session:
            counts = save_imported(
                session, indicators, peer=feed.producer, own_code=institution,
                allowlist=ctx.allowlist, keys=ctx.keys, now=now,
            )  # fmt: skip
        remember(memory, feed)
    refused = [(problem.object_id, problem.reason) for problem in problems]
    return feed.sequence, counts, refused


def poll_once(
    subscription: Subscription,
    *,
    home: Path,
    database: Database,
    context: Callable[[int], IntelContext],
    timeout: float = 30.0,
) -> PollResult:
    """Fetch, verify and import what the peer changed since the last successful poll."""
    from smsguard.store.models import Institution

    with database.transaction() as session:
        institution_id = session.scalar(
            select(Institution.id).where(Institution.code == subscription.institution)
        )
    if institution_id is None:
        raise ConfigError(f"subscription: no institution {subscription.institution!r} here")
    since = cursor_of(home, subscription)
    data, cursor = fetch_feed(subscription, since, timeout=timeout)
    if cursor is not None:
        cursor = taxii_timestamp(parse_timestamp(cursor, CURSOR_HEADER))
    sequence, counts, refused = import_feed(
        data, home=home, database=database, institution_id=institution_id,
        institution=subscription.institution, ctx=context(institution_id),
        producer=subscription.peer,
    )  # fmt: skip
    new_cursor = cursor or since
    _save_state(
        home, subscription, cursor=new_cursor, sequence=sequence,
        polled_at=taxii_timestamp(datetime.now(UTC)),
    )  # fmt: skip
    return PollResult(sequence, counts, len(refused), new_cursor)


class Poller:
    """Polls every subscription of a home every ``interval`` seconds until stopped.

    The subscriptions file is read again each round, so added peers are polled without a
    restart. Every failure is logged in one line and retried at the next round."""

    def __init__(
        self,
        home: Path,
        database: Database,
        context: Callable[[int], IntelContext],
        *,
        interval: float = 30.0,
        subscriptions_file: Path | None = None,
    ) -> None:
        self.home, self.database, self.context = home, database, context
        self.interval = interval
        self.subscriptions_file = subscriptions_file

    def round(self) -> dict[str, PollResult | str]:
        """Poll each subscription once; the result or the error message, by subscription."""
        results: dict[str, PollResult | str] = {}
        try:
            subscriptions = load_subscriptions(self.home, self.subscriptions_file)
        except SmsguardError as exc:
            log.error("intel subscriptions not read: [%s] %s", exc.code, exc.message)
            return results
        for subscription in subscriptions:
            try:
                result = poll_once(
                    subscription, home=self.home, database=self.database, context=self.context
                )
            except SmsguardError as exc:
                log.error("intel poll of %s failed: [%s] %s", subscription.key, exc.code,
                          exc.message)  # fmt: skip
                results[subscription.key] = exc.message
                continue
            except Exception as exc:  # a poller must not die; no traceback for operators
                log.error("intel poll of %s failed: internal error %s", subscription.key,
                          type(exc).__name__)  # fmt: skip
                results[subscription.key] = type(exc).__name__
                continue
            counts = result.counts
            if counts.added or counts.updated or counts.revoked or result.refused:
                log.info("intel feed #%d from %s: %d added, %d updated, %d revoked, %d refused",
                         result.sequence, subscription.key, counts.added, counts.updated,
                         counts.revoked, result.refused)  # fmt: skip
            results[subscription.key] = result
        return results

    def run(self, stop: threading.Event) -> None:
        """Poll at once, then every ``interval`` seconds, until ``stop`` is set."""
        while not stop.is_set():
            self.round()
            stop.wait(self.interval)
