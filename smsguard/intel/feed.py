"""Signed indicator feeds: a STIX bundle in an Ed25519-signed envelope (docs/intel-stix.md).

A feed file is one JSON object::

    {"envelope": {"format": "smsguard-intel-feed/v1", "producer": "haojie", "sequence": 7,
                  "issued_at": "2026-11-03T10:00:00.000Z", "bundle_sha256": "<hex>",
                  "key_id": "<8 hex>", "signature": "<base64 Ed25519 signature>"},
     "bundle": {"type": "bundle", ...}}

``bundle_sha256`` is the SHA-256 of the bundle's canonical JSON (sorted keys, compact, UTF-8:
RFC 8785 for this data, which has no floats), so the hash does not depend on how the file
was laid out. ``signature`` is Ed25519 over the canonical JSON of every envelope field but
``signature`` itself; the ``format`` field inside the signed bytes keeps a feed signature
from ever being mistaken for another smsguard signature (a signed note is text ending in a
newline, never a JSON object).

Keys are signed-note keys (:mod:`smsguard.tlog.note`): the institution's feed key lives in
``<home>/keys/intel-feed-<code>.skey`` (mode 0600), peers' verifier keys in
``<home>/intel/peers.json`` (``{"code": "vkey"}``); ``key_id`` is the note key ID.

Verification fails closed with a :class:`~smsguard.errors.FeedError` whose ``reason`` says
which check failed: the file is malformed, the producer is not a trusted peer, the key is not the
peer's, the signature does not verify, the bundle was changed after signing, the sequence
is not above the last one accepted from that producer (a replay), or the feed was issued
too far in the future or too long ago.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from smsguard._files import write_atomically
from smsguard.errors import ConfigError, CryptoError, FeedError, LogError
from smsguard.reports.canonical import canonical_bytes, strict_loads
from smsguard.reports.model import ReportError
from smsguard.tlog.note import Ed25519Signer, Ed25519Verifier, parse_skey, parse_vkey

FORMAT = "smsguard-intel-feed/v1"
MAX_AGE = timedelta(days=7)
MAX_SKEW = timedelta(minutes=5)
_SIGNED = ("bundle_sha256", "format", "issued_at", "key_id", "producer", "sequence")
_ENVELOPE = {*_SIGNED, "signature"}
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_ISSUED = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_KEY_ID = re.compile(r"[0-9a-f]{8}")

REASONS = (
    "malformed",
    "unknown-producer",
    "wrong-key",
    "bad-signature",
    "tampered",
    "replayed",
    "from-the-future",
    "too-old",
)


class SequenceMemory(Protocol):
    """Where an importer keeps the last sequence it accepted from each producer."""

    def get(self, producer: str) -> int | None: ...

    def set(self, producer: str, sequence: int) -> None: ...


@dataclass(frozen=True)
class VerifiedFeed:
    """What a successful verification established."""

    producer: str
    sequence: int
    issued_at: datetime
    bundle_sha256: str
    bundle: dict[str, Any]


# -- producing -------------------------------------------------------------------------------


def bundle_sha256(bundle: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of a bundle."""
    try:
        return hashlib.sha256(canonical_bytes(bundle)).hexdigest()
    except ReportError as exc:
        raise FeedError("malformed", f"the bundle is not canonical JSON data: {exc}") from exc


def signed_bytes(envelope: dict[str, Any]) -> bytes:
    """The bytes a feed signature covers: canonical JSON of the signed envelope fields."""
    return canonical_bytes({name: envelope[name] for name in _SIGNED})


def sign_feed(
    bundle: dict[str, Any],
    producer: str,
    sequence: int,
    signer: Ed25519Signer,
    *,
    issued_at: datetime | None = None,
) -> dict[str, Any]:
    """The feed object (envelope and bundle) of ``bundle``, signed by ``signer``."""
    _check_code(producer)
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 1:
        raise FeedError("malformed", f"sequence {sequence!r} is not a positive integer")
    when = (issued_at or datetime.now(UTC)).astimezone(UTC)
    envelope: dict[str, Any] = {
        "format": FORMAT,
        "producer": producer,
        "sequence": sequence,
        "issued_at": f"{when:%Y-%m-%dT%H:%M:%S}.{when.microsecond // 1000:03d}Z",
        "bundle_sha256": bundle_sha256(bundle),
        "key_id": signer.key_id.hex(),
    }
    envelope["signature"] = base64.b64encode(signer.sign(signed_bytes(envelope))).decode()
    return {"envelope": envelope, "bundle": bundle}


def feed_bytes(feed: dict[str, Any]) -> bytes:
    """The file form of a feed: compact JSON, sorted keys, UTF-8, final newline."""
    text = json.dumps(feed, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return (text + "\n").encode("utf-8")


# -- verifying -------------------------------------------------------------------------------


def verify_feed(
    data: bytes,
    peers: dict[str, Ed25519Verifier],
    memory: SequenceMemory,
    *,
    now: datetime | None = None,
    max_age: timedelta = MAX_AGE,
    max_skew: timedelta = MAX_SKEW,
) -> VerifiedFeed:
    """Check a feed file; FeedError naming the failed check. Does not touch ``memory``:
    call :func:`remember` once the indicators are stored, so a failed import can be retried.
    """
    envelope, bundle = _parse(data)
    producer = envelope["producer"]
    verifier = peers.get(producer)
    if verifier is None:
        raise FeedError(
            "unknown-producer",
            f"producer {producer!r} is not a trusted peer",
            hint=f"Add its key with `smsguard intel peer add {producer} VKEY`.",
        )
    if envelope["key_id"] != verifier.key_id.hex():
        raise FeedError(
            "wrong-key",
            f"the feed is signed with key {envelope['key_id']}, not {producer}'s key "
            f"{verifier.key_id.hex()}",
        )
    try:
        signature = base64.b64decode(envelope["signature"], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise FeedError("malformed", "the signature is not base64") from exc
    if not verifier.verify(signed_bytes(envelope), signature):
        raise FeedError("bad-signature", f"the signature does not verify with {producer}'s key")
    if bundle_sha256(bundle) != envelope["bundle_sha256"]:
        raise FeedError("tampered", "the bundle does not match the signed hash: it was changed")
    issued = datetime.strptime(envelope["issued_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    moment = now or datetime.now(UTC)
    if issued > moment + max_skew:
        raise FeedError("from-the-future", f"the feed was issued at {envelope['issued_at']}")
    if issued < moment - max_age:
        raise FeedError(
            "too-old", f"the feed was issued at {envelope['issued_at']}, more than {max_age} ago"
        )
    last = memory.get(producer)
    sequence = envelope["sequence"]
    if last is not None and sequence <= last:
        raise FeedError(
            "replayed",
            f"sequence {sequence} from {producer} is not above the last accepted ({last})",
        )
    return VerifiedFeed(producer, sequence, issued, envelope["bundle_sha256"], bundle)


def remember(memory: SequenceMemory, feed: VerifiedFeed) -> None:
    """Record ``feed`` as accepted: the same or an older sequence is refused from now on."""
    memory.set(feed.producer, feed.sequence)


def _parse(data: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        feed = strict_loads(data)
    except ReportError as exc:
        raise FeedError("malformed", exc.message) from exc
    if not isinstance(feed, dict) or set(feed) != {"envelope", "bundle"}:
        raise FeedError("malformed", "a feed is an object with exactly envelope and bundle")
    envelope, bundle = feed["envelope"], feed["bundle"]
    if not isinstance(envelope, dict) or set(envelope) != _ENVELOPE:
        raise FeedError("malformed", f"the envelope must have exactly {sorted(_ENVELOPE)}")
    if not isinstance(bundle, dict):
        raise FeedError("malformed", "the bundle is not an object")
    if envelope["format"] != FORMAT:
        raise FeedError("malformed", f"format {envelope['format']!r} is not {FORMAT!r}")
    checks = (
        ("producer", _CODE),
        ("issued_at", _ISSUED),
        ("bundle_sha256", _HEX64),
        ("key_id", _KEY_ID),
    )
    for name, shape in checks:
        if not isinstance(envelope[name], str) or not shape.fullmatch(envelope[name]):
            raise FeedError("malformed", f"envelope field {name} is not well formed")
    sequence = envelope["sequence"]
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 1:
        raise FeedError("malformed", "sequence is not a positive integer")
    if not isinstance(envelope["signature"], str):
        raise FeedError("malformed", "signature is not a string")
    return envelope, bundle


# -- files under the smsguard home ----------------------------------------------------------


class FileSequenceMemory:
    """A :class:`SequenceMemory` in a JSON file (``{"producer": sequence}``), written
    atomically; ``set`` refuses to move a producer's sequence backwards."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def _read(self) -> dict[str, int]:
        if not self.path.exists():
            return {}
        try:
            found = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise FeedError("malformed", f"sequence file {self.path} is unreadable") from exc
        if not isinstance(found, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in found.values()
        ):
            raise FeedError("malformed", f"sequence file {self.path} is not producer → integer")
        return found

    def get(self, producer: str) -> int | None:
        return self._read().get(producer)

    def set(self, producer: str, sequence: int) -> None:
        with self._lock:
            found = self._read()
            last = found.get(producer)
            if last is not None and sequence <= last:
                raise FeedError(
                    "replayed", f"sequence {sequence} from {producer} is not above {last}"
                )
            found[producer] = sequence
            text = json.dumps(found, sort_keys=True, indent=2) + "\n"
            write_atomically(self.path, text.encode(), mode=0o600)


def feed_key_path(home: Path, code: str) -> Path:
    return home / "keys" / f"intel-feed-{_check_code(code)}.skey"


def create_feed_key(home: Path, code: str) -> Ed25519Signer:
    """Create the institution's feed signing key (mode 0600); refuse to overwrite one."""
    path = feed_key_path(home, code)
    if path.exists():
        raise CryptoError(f"feed key {path} already exists", hint="Keep using the existing key.")
    signer = Ed25519Signer.generate(f"smsguard-intel-feed/{code}")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_atomically(path, (signer.skey + "\n").encode(), mode=0o600)
    return signer


def load_feed_key(home: Path, code: str) -> Ed25519Signer:
    path = feed_key_path(home, code)
    if not path.exists():
        raise CryptoError(
            f"no intel feed key for institution {code!r} at {path}",
            hint=f"Create it with `smsguard intel feed-key init --institution {code}`.",
        )
    try:
        return parse_skey(path.read_text(encoding="utf-8"))
    except LogError as exc:
        raise CryptoError(f"feed key {path} is not usable: {exc.message}") from exc


def peers_path(home: Path) -> Path:
    return home / "intel" / "peers.json"


def load_peers(home: Path) -> dict[str, Ed25519Verifier]:
    """The trust store: each peer's verifier key, by institution code."""
    path = peers_path(home)
    if not path.exists():
        return {}
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"trust store {path} is not valid JSON") from exc
    if not isinstance(found, dict):
        raise ConfigError(f"trust store {path} is not an object of code → vkey")
    peers: dict[str, Ed25519Verifier] = {}
    for code, vkey in found.items():
        if not isinstance(vkey, str):
            raise ConfigError(f"trust store {path}: the key of {code!r} is not a string")
        peers[_check_code(code)] = _vkey(vkey)
    return peers


def add_peer(home: Path, code: str, vkey: str) -> Ed25519Verifier:
    """Trust ``vkey`` for feeds from ``code`` (replacing any earlier key of ``code``)."""
    verifier = _vkey(vkey.strip())
    path = peers_path(home)
    current = {c: v.vkey for c, v in load_peers(home).items()}
    current[_check_code(code)] = verifier.vkey
    text = json.dumps(current, sort_keys=True, indent=2) + "\n"
    write_atomically(path, text.encode(), mode=0o600)
    return verifier


def _vkey(text: str) -> Ed25519Verifier:
    try:
        return parse_vkey(text)
    except LogError as exc:
        raise CryptoError(f"not a usable verifier key: {exc.message}") from exc


def _check_code(code: str) -> str:
    if not _CODE.fullmatch(code):
        raise FeedError("malformed", f"{code!r} is not an institution code")
    return code
