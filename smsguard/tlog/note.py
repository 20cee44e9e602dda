"""C2SP signed notes with Ed25519 keys, in the golang.org/x/mod/sumdb/note text formats.

A note is UTF-8 text ending in a newline, a blank line, then one or more signature lines
``— <name> <base64(key ID || signature)>``. A verifier key (``vkey``) is
``<name>+<key ID hex>+<base64(type || public key)>``; the key ID is
``SHA-256(name || 0x0A || type || public key)[:4]``, which the parser recomputes, so a vkey
whose ID does not match its key is refused. A signing key (``skey``) is
``PRIVATE+KEY+<name>+<key ID hex>+<base64(type || seed)>``.

Opening a note is strict: a signature line that names a trusted key (same name and key ID)
must verify, or the note is rejected; lines from keys we do not know are ignored; at least
one trusted signature must verify. Type 0x01 is an Ed25519 note signature; cosignature/v1
keys (type 0x04) live in :mod:`smsguard.tlog.cosignature` and plug in through
:class:`Verifier`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Protocol, TypeVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from smsguard.errors import LogError

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
MAX_SIGNATURES = 100
_DASH = "\u2014 "
_SPACES = re.compile(r"\s")
_KEY_ID = re.compile(r"[0-9a-f]{8}")


class Verifier(Protocol):
    """A trusted key: its name and ID select signature lines, ``verify`` checks one."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> bytes: ...

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (without the key ID) signs the note text ``message``."""
        ...


class Signer(Protocol):
    """A private key that can add one signature line to a note."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> bytes: ...

    def sign(self, message: bytes) -> bytes:
        """The signature (without the key ID) over the note text ``message``."""
        ...


def check_name(name: str) -> str:
    """A key name: non-empty, without whitespace (Unicode included) or '+'."""
    if not name or "+" in name or _SPACES.search(name):
        raise LogError(f"key name {name!r} is empty or contains whitespace or '+'")
    return name


def key_id(name: str, key_type: int, public: bytes) -> bytes:
    """SHA-256(name || 0x0A || type || public key)[:4], the signed-note key ID."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([key_type]) + public).digest()[:4]


def b64decode_strict(text: str, what: str) -> bytes:
    """Standard padded base64 that re-encodes to exactly ``text`` (one spelling per value)."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise LogError(f"{what} is not valid base64") from exc
    if base64.b64encode(raw).decode() != text:
        raise LogError(f"{what} is not canonical base64")
    return raw


def decode_key(text: str, *, private: bool = False) -> tuple[str, bytes, int, bytes]:
    """Split a vkey (or skey) into name, key ID, type byte and key material; check the ID."""
    prefix = "PRIVATE+KEY+"
    if private:
        if not text.startswith(prefix):
            raise LogError("signing key does not start with PRIVATE+KEY+")
        text = text[len(prefix) :]
    parts = text.split("+", 2)
    if len(parts) != 3:
        raise LogError("key is not <name>+<key id>+<base64 key>")
    name, id_hex, material = parts
    check_name(name)
    if not _KEY_ID.fullmatch(id_hex):
        raise LogError(f"key ID {id_hex!r} is not 8 lowercase hex digits")
    raw = b64decode_strict(material, "key material")
    if len(raw) != 33:
        raise LogError(f"key material is {len(raw)} bytes, not a type byte and 32 key bytes")
    return name, bytes.fromhex(id_hex), raw[0], raw[1:]


@dataclass(frozen=True)
class Ed25519Verifier:
    """An Ed25519 (type 0x01) note verifier; witness keys (type 0x04) subclass it."""

    name: str
    public: bytes
    key_id: bytes = field(init=False)
    key_type: ClassVar[int] = ED25519
    kind: ClassVar[str] = "an Ed25519 note key"

    def __post_init__(self) -> None:
        check_name(self.name)
        if len(self.public) != 32:
            raise LogError(f"{self.kind}: public key is {len(self.public)} bytes, not 32")
        object.__setattr__(self, "key_id", key_id(self.name, self.key_type, self.public))

    def verify(self, message: bytes, signature: bytes) -> bool:
        return len(signature) == 64 and ed25519_verify(self.public, signature, message)

    @property
    def vkey(self) -> str:
        """The verifier key text."""
        return format_vkey(self.name, self.key_type, self.public)


V = TypeVar("V", bound=Ed25519Verifier)


def parse_vkey_of(cls: type[V], text: str) -> V:
    """A verifier of ``cls``'s key type from its vkey text; another type or a wrong ID fails."""
    name, given_id, key_type, public = decode_key(text)
    if key_type != cls.key_type:
        raise LogError(f"vkey type 0x{key_type:02x} is not {cls.kind} (0x{cls.key_type:02x})")
    verifier = cls(name, public)
    if verifier.key_id != given_id:
        raise LogError(f"vkey key ID {given_id.hex()} does not match its key")
    return verifier


def ed25519_verify(public: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except InvalidSignature:
        return False
    return True


def format_vkey(name: str, key_type: int, public: bytes) -> str:
    """``<name>+<key ID>+<base64(type || public key)>``."""
    material = base64.b64encode(bytes([key_type]) + public).decode()
    return f"{name}+{key_id(name, key_type, public).hex()}+{material}"


def parse_vkey(text: str) -> Ed25519Verifier:
    """An Ed25519 note verifier from its vkey text; any other type or a wrong ID is refused."""
    return parse_vkey_of(Ed25519Verifier, text)


class Ed25519Signer:
    """An Ed25519 (type 0x01) note signer."""

    def __init__(self, name: str, seed: bytes) -> None:
        check_name(name)
        if len(seed) != 32:
            raise LogError(f"Ed25519 seed is {len(seed)} bytes, not 32")
        self.name = name
        self._seed = seed
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        public = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.verifier = Ed25519Verifier(name, public)
        self.key_id = self.verifier.key_id

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    @property
    def skey(self) -> str:
        """The signing key text; secret."""
        return format_skey(self.name, self.key_id, ED25519, self._seed)

    @classmethod
    def generate(cls, name: str) -> Ed25519Signer:
        """A new key from the operating system's random source."""
        return cls(name, os.urandom(32))


def format_skey(name: str, key_id: bytes, key_type: int, seed: bytes) -> str:
    """The ``PRIVATE+KEY+name+id+base64(type||seed)`` text of a signing key; secret."""
    material = base64.b64encode(bytes([key_type]) + seed).decode()
    return f"PRIVATE+KEY+{name}+{key_id.hex()}+{material}"


def decode_skey(text: str, key_type: int, kind: str) -> tuple[str, bytes, bytes]:
    """(name, claimed key ID, seed) of an skey of ``key_type``; LogError naming ``kind``."""
    name, given_id, found_type, seed = decode_key(text.strip(), private=True)
    if found_type != key_type:
        raise LogError(f"skey type 0x{found_type:02x} is not {kind} (0x{key_type:02x})")
    return name, given_id, seed


def check_key_id(signer: Signer, given_id: bytes) -> None:
    """Refuse an skey whose stated key ID is not its key's: a corrupted or mixed-up file."""
    if signer.key_id != given_id:
        raise LogError(f"skey key ID {given_id.hex()} does not match its key")


def parse_skey(text: str) -> Ed25519Signer:
    """An Ed25519 signer from its skey text, after checking its key ID."""
    name, given_id, seed = decode_skey(text, ED25519, "an Ed25519 note key")
    signer = Ed25519Signer(name, seed)
    check_key_id(signer, given_id)
    return signer


@dataclass(frozen=True)
class SignatureLine:
    """One parsed signature line: key name, key ID and the signature after the ID."""

    name: str
    key_id: bytes
    signature: bytes

    def format(self) -> str:
        blob = base64.b64encode(self.key_id + self.signature).decode()
        return f"{_DASH}{self.name} {blob}\n"


@dataclass(frozen=True)
class Note:
    """A parsed note: its text, every signature line, and the names whose signatures verified."""

    text: str
    signatures: tuple[SignatureLine, ...]
    verified: tuple[str, ...] = ()


def check_text(text: str) -> None:
    """Note text: non-empty, newline-terminated, no control characters other than newline."""
    if not text or not text.endswith("\n"):
        raise LogError("note text must be non-empty and end with a newline")
    bad = next((c for c in text if c < " " and c != "\n"), None)
    if bad is not None:
        raise LogError(f"note text contains control character U+{ord(bad):04X}")


def _parse_signature(line: str) -> SignatureLine:
    if not line.startswith(_DASH):
        raise LogError(f"signature line does not start with '— ': {line[:40]!r}")
    parts = line[len(_DASH) :].split(" ")
    if len(parts) != 2:
        raise LogError(f"signature line is not '— <name> <signature>': {line[:40]!r}")
    name, blob = parts
    check_name(name)
    raw = b64decode_strict(blob, f"signature of {name}")
    if len(raw) < 5:
        raise LogError(f"signature of {name} is {len(raw)} bytes, too short for a key ID")
    return SignatureLine(name, raw[:4], raw[4:])


def parse_note(message: str | bytes) -> Note:
    """Split a signed note into text and signature lines, refusing anything malformed."""
    if isinstance(message, bytes):
        try:
            message = message.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise LogError("note is not valid UTF-8") from exc
    split = message.rfind("\n\n")
    if split < 0:
        raise LogError("note has no blank line before its signatures")
    text, block = message[: split + 1], message[split + 2 :]
    check_text(text)
    if not block or not block.endswith("\n"):
        raise LogError("note has no signature lines, or the last one lacks its newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise LogError(f"note has {len(lines)} signatures, more than {MAX_SIGNATURES}")
    return Note(text, tuple(_parse_signature(line) for line in lines))


def open_note(message: str | bytes, verifiers: Iterable[Verifier]) -> Note:
    """Parse a note and check it against trusted keys; LogError unless one verifies.

    A line naming a trusted key (same name and key ID) that fails to verify rejects the
    whole note: a trusted key does not sign garbage, so the note has been tampered with.
    """
    note = parse_note(message)
    trusted = {(v.name, v.key_id): v for v in verifiers}
    body = note.text.encode()
    verified: list[str] = []
    for line in note.signatures:
        verifier = trusted.get((line.name, line.key_id))
        if verifier is None:
            continue
        if not verifier.verify(body, line.signature):
            raise LogError(f"invalid signature for key {line.name}+{line.key_id.hex()}")
        if line.name not in verified:
            verified.append(line.name)
    if not verified:
        raise LogError("note has no signature from a trusted key")
    return Note(note.text, note.signatures, tuple(verified))


def sign_note(text: str, signers: Sequence[Signer]) -> str:
    """The signed note: text, a blank line, one signature line per signer."""
    check_text(text)
    if not signers:
        raise LogError("a note needs at least one signer")
    body = text.encode()
    lines = [SignatureLine(s.name, s.key_id, s.sign(body)).format() for s in signers]
    return text + "\n" + "".join(lines)


def add_signatures(message: str, lines: Iterable[SignatureLine]) -> str:
    """The note with more signature lines appended (e.g. witness cosignatures)."""
    parse_note(message)
    return message + "".join(line.format() for line in lines)
