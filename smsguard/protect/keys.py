"""Master keys: the keys that wrap (encrypt) data keys, and where they come from.

Data is never encrypted with a master key directly. A master key only wraps the small data
keys, so rotating it means re-wrapping a handful of 32-byte keys rather than re-encrypting
every row, and a KMS or Vault can hold the master key without ever seeing customer data:
anything with ``key_id``/``wrap``/``unwrap`` (:class:`MasterKeyProvider`) plugs in.

Wrapping is AES-256-GCM with the master key id as associated data, so a wrapped key that is
relabelled with another key id fails to unwrap instead of being tried under the wrong key.
A provider keeps its older master keys so that keys wrapped before a rotation still unwrap.

Key material arrives as a key file (JSON, or lines of ``key_id:base64key``; the last one is
active) or as a string the caller read from the environment: this library never reads
``os.environ`` itself, the CLI and settings do.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import secrets
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from smsguard.errors import CryptoError

KEY_BYTES = 32
NONCE_BYTES = 12
_WRAP_AD = b"smsguard-wrap-v1:"
_KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


@dataclass(frozen=True)
class WrappedKey:
    """A data key encrypted under the master key ``master_key_id``; safe to store."""

    master_key_id: str
    nonce: bytes
    ciphertext: bytes

    def to_text(self) -> str:
        """``master_key_id:base64(nonce + ciphertext)``, for a text column or a JSON field."""
        blob = base64.b64encode(self.nonce + self.ciphertext).decode("ascii")
        return f"{self.master_key_id}:{blob}"

    @classmethod
    def from_text(cls, text: str) -> WrappedKey:
        """The inverse of :meth:`to_text`; CryptoError when the text is not a wrapped key."""
        key_id, _, blob = text.partition(":")
        raw = _b64(blob, what=f"wrapped key under {key_id!r}")
        if not _KEY_ID.fullmatch(key_id) or len(raw) <= NONCE_BYTES:
            raise CryptoError("wrapped key is malformed")
        return cls(key_id, raw[:NONCE_BYTES], raw[NONCE_BYTES:])


class MasterKeyProvider(Protocol):
    """Wraps and unwraps data keys; implement this to keep master keys in a KMS or Vault."""

    @property
    def key_id(self) -> str:
        """The id of the active master key, used for every new wrap."""
        ...

    def wrap(self, dek: bytes) -> WrappedKey:
        """The data key encrypted under the active master key."""
        ...

    def unwrap(self, wrapped: WrappedKey) -> bytes:
        """The data key, for keys wrapped under the active or any older known master key."""
        ...


class StaticKeyProvider:
    """A provider over master keys held in memory; the file and environment ones build on it."""

    def __init__(self, keys: Mapping[str, bytes], active: str) -> None:
        if active not in keys:
            raise CryptoError(f"active master key {active!r} is not among the keys")
        for key_id, key in keys.items():
            _check_key(key_id, key)
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._active = active

    @property
    def key_id(self) -> str:
        """The id of the active master key."""
        return self._active

    @property
    def known_key_ids(self) -> frozenset[str]:
        """Every master key id this provider can unwrap under."""
        return frozenset(self._ciphers)

    def wrap(self, dek: bytes) -> WrappedKey:
        """The data key under the active master key, with the key id as associated data."""
        nonce = os.urandom(NONCE_BYTES)
        ad = _WRAP_AD + self._active.encode("ascii")
        return WrappedKey(self._active, nonce, self._ciphers[self._active].encrypt(nonce, dek, ad))

    def unwrap(self, wrapped: WrappedKey) -> bytes:
        """The data key; CryptoError when the master key is unknown or the key was tampered."""
        cipher = self._ciphers.get(wrapped.master_key_id)
        if cipher is None:
            raise CryptoError(f"master key {wrapped.master_key_id!r} is not known here")
        ad = _WRAP_AD + wrapped.master_key_id.encode("ascii")
        try:
            return cipher.decrypt(wrapped.nonce, wrapped.ciphertext, ad)
        except InvalidTag as exc:
            raise CryptoError(
                f"wrapped key under {wrapped.master_key_id!r} fails authentication"
            ) from exc


class FileKeyProvider(StaticKeyProvider):
    """Master keys from a key file that only its owner can read; the last key is active."""

    def __init__(self, path: Path) -> None:
        keys, active = read_key_file(path)
        super().__init__(keys, active)
        self.path = path


class EnvKeyProvider(StaticKeyProvider):
    """Master keys from an environment variable's value, which the caller passes in.

    The value is either one base64 key (key id ``env``) or ``id:base64`` entries separated
    by commas or newlines, the last being active: a rotation appends the new key and keeps
    the old ones, so data keys wrapped before it still unwrap.
    """

    def __init__(self, value: str) -> None:
        entries = [part.strip() for part in re.split(r"[,\n]", value) if part.strip()]
        if len(entries) == 1 and ":" not in entries[0]:
            entries = [f"env:{entries[0]}"]
        keys, active = _parse_lines(entries, source="environment value")
        super().__init__(keys, active)


def new_key_id() -> str:
    """A sortable, unique master key id: ``mk-<UTC timestamp>-<random>``."""
    return f"mk-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{secrets.token_hex(4)}"


def generate_key_file(path: Path, key_id: str | None = None) -> str:
    """Create a new key file (mode 0600, never overwriting) holding one fresh key; its id."""
    key_id = key_id or new_key_id()
    _append_key(path, key_id, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    return key_id


def add_key_to_file(path: Path, key_id: str | None = None) -> str:
    """Append a fresh key, which becomes active; older keys stay to unwrap old data keys."""
    read_key_file(path)  # refuse to extend a file that is unreadable or too open
    key_id = key_id or new_key_id()
    _append_key(path, key_id, os.O_WRONLY | os.O_APPEND)
    return key_id


def _append_key(path: Path, key_id: str, flags: int) -> None:
    """Write one ``key_id:base64`` line with 0600 permissions."""
    _check_key(key_id, bytes(KEY_BYTES))
    line = f"{key_id}:{base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode('ascii')}\n"
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError as exc:
        raise CryptoError(f"key file {path} exists already; refusing to overwrite") from exc
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(line)


def read_key_file(path: Path) -> tuple[dict[str, bytes], str]:
    """The keys in a key file and the active key id; refuses group- or world-accessible files."""
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CryptoError(f"cannot read key file {path}: {exc.strerror}") from exc
    if stat.S_IMODE(mode) & 0o077:
        raise CryptoError(
            f"key file {path} is readable by others (mode {stat.S_IMODE(mode):o})",
            hint=f"Run `chmod 600 {path}`.",
        )
    if text.lstrip().startswith("{"):
        return _parse_json(text, source=str(path))
    return _parse_lines(text.splitlines(), source=str(path))


def _parse_json(text: str, *, source: str) -> tuple[dict[str, bytes], str]:
    """``{"keys": {"id": "base64", ...}, "active": "id"}``; active defaults to the last key."""
    try:
        doc = json.loads(text)
        entries = [f"{key_id}:{value}" for key_id, value in doc["keys"].items()]
        active = doc.get("active")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CryptoError(f"key file {source} is not a valid JSON key file") from exc
    keys, last = _parse_lines(entries, source=source)
    return keys, str(active) if active is not None else last


def _parse_lines(lines: list[str], *, source: str) -> tuple[dict[str, bytes], str]:
    """``key_id:base64`` entries (blank lines and ``#`` comments skipped); last is active."""
    keys: dict[str, bytes] = {}
    for line in (raw.strip() for raw in lines):
        if not line or line.startswith("#"):
            continue
        key_id, _, blob = line.partition(":")
        keys[key_id] = _b64(blob, what=f"key {key_id!r} in {source}")
        _check_key(key_id, keys[key_id])
    if not keys:
        raise CryptoError(f"{source} holds no keys")
    return keys, list(keys)[-1]


def _b64(blob: str, *, what: str) -> bytes:
    """Strict base64 decoding that names what failed, never the material itself."""
    try:
        return base64.b64decode(blob.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CryptoError(f"{what} is not valid base64") from exc


def _check_key(key_id: str, key: bytes) -> None:
    """Key ids are short and plain (they go into ciphertext headers); keys are 256-bit."""
    if not _KEY_ID.fullmatch(key_id):
        raise CryptoError(f"key id {key_id[:64]!r} must be 1-64 letters, digits, '.', '_', '-'")
    if len(key) != KEY_BYTES:
        raise CryptoError(f"key {key_id!r} is {len(key)} bytes; AES-256 needs {KEY_BYTES}")
