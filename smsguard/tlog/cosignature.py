"""C2SP tlog-cosignature (cosignature/v1): witnesses vouch for a checkpoint they have checked.

A witness signs ``"cosignature/v1\\ntime <t>\\n" + checkpoint body`` with Ed25519 and adds the
line ``— <name> <base64(key ID || t as 8 bytes big-endian || signature)>`` to the note. The
key ID uses type byte 0x04, so a cosigning key can never be mistaken for a log's note key
(0x01) even if the bytes are equal. A checkpoint is trusted by policy only when enough
independent witnesses (``k`` of ``n``, nestable) cosigned it: the log alone cannot then
show different histories to different people without a witness noticing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from smsguard.errors import LogError

from .note import (
    COSIGNATURE_V1,
    Ed25519Verifier,
    SignatureLine,
    b64decode_strict,
    check_key_id,
    check_name,
    decode_skey,
    ed25519_verify,
    format_skey,
    parse_note,
    parse_vkey_of,
)

MAX_TIMESTAMP = 2**63 - 1
SIGNATURE_SIZE = 8 + 64


def signed_message(body: str | bytes, timestamp: int) -> bytes:
    """The exact bytes a cosignature/v1 signature covers."""
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise LogError(f"cosignature timestamp {timestamp} is out of range 0..2^63-1")
    raw = body.encode() if isinstance(body, str) else body
    return f"cosignature/v1\ntime {timestamp}\n".encode() + raw


def timestamp_of(signature: bytes) -> int:
    """The timestamp inside a cosignature (the bytes after the key ID)."""
    if len(signature) != SIGNATURE_SIZE:
        raise LogError(f"cosignature is {len(signature)} bytes, not {SIGNATURE_SIZE}")
    return int.from_bytes(signature[:8], "big")


def timestamp_from_base64(blob: str) -> int:
    """The timestamp of a whole base64 cosignature (key ID included), as on a note line."""
    raw = b64decode_strict(blob, "cosignature")
    if len(raw) != 4 + SIGNATURE_SIZE:
        raise LogError(f"cosignature is {len(raw)} bytes, not {4 + SIGNATURE_SIZE}")
    return timestamp_of(raw[4:])


@dataclass(frozen=True)
class CosignatureVerifier(Ed25519Verifier):
    """A witness's cosignature/v1 public key; usable wherever a note :class:`Verifier` is."""

    key_type: ClassVar[int] = COSIGNATURE_V1
    kind: ClassVar[str] = "a cosignature/v1 key"

    def verify(self, message: bytes, signature: bytes) -> bool:
        if len(signature) != SIGNATURE_SIZE:
            return False
        stamp = timestamp_of(signature)
        if stamp > MAX_TIMESTAMP:
            return False
        return ed25519_verify(self.public, signature[8:], signed_message(message, stamp))


def parse_cosigner_vkey(text: str) -> CosignatureVerifier:
    """A witness key from its vkey text (type 0x04), after checking its key ID."""
    return parse_vkey_of(CosignatureVerifier, text)


class CosignatureSigner:
    """A witness's signing key; ``now`` gives the timestamp (injectable for tests)."""

    def __init__(
        self, name: str, seed: bytes, now: Callable[[], int] = lambda: int(time.time())
    ) -> None:
        check_name(name)
        self.name = name
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        public = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.verifier = CosignatureVerifier(name, public)
        self.key_id = self.verifier.key_id
        self._now = now

    def sign(self, message: bytes) -> bytes:
        stamp = self._now()
        return stamp.to_bytes(8, "big") + self._key.sign(signed_message(message, stamp))

    def line(self, body: str) -> SignatureLine:
        """The cosignature line for a checkpoint body."""
        return SignatureLine(self.name, self.key_id, self.sign(body.encode()))

    @property
    def skey(self) -> str:
        """The signing key text (type 0x04); secret."""
        return format_skey(self.name, self.key_id, COSIGNATURE_V1, self._key.private_bytes_raw())

    @classmethod
    def generate(cls, name: str) -> CosignatureSigner:
        """A new witness key from the operating system's random source."""
        return cls(name, os.urandom(32))


def parse_cosigner_skey(text: str) -> CosignatureSigner:
    """A witness signer from its skey text (type 0x04), after checking its key ID."""
    name, given_id, seed = decode_skey(text, COSIGNATURE_V1, "a cosignature/v1 key")
    signer = CosignatureSigner(name, seed)
    check_key_id(signer, given_id)
    return signer


@dataclass(frozen=True)
class Cosignature:
    """A verified cosignature: who, and when they say they saw the checkpoint."""

    name: str
    key_id: bytes
    timestamp: int


def verify_cosignatures(
    message: str | bytes, cosigners: Iterable[CosignatureVerifier]
) -> list[Cosignature]:
    """Every cosignature on a note from a known witness; one that fails rejects the note."""
    note = parse_note(message)
    known = {(c.name, c.key_id): c for c in cosigners}
    body = note.text.encode()
    found: list[Cosignature] = []
    for line in note.signatures:
        verifier = known.get((line.name, line.key_id))
        if verifier is None:
            continue
        if not verifier.verify(body, line.signature):
            raise LogError(f"invalid cosignature from witness {line.name}+{line.key_id.hex()}")
        found.append(Cosignature(line.name, line.key_id, timestamp_of(line.signature)))
    return found


@dataclass(frozen=True)
class Group:
    """A k-of-n witness policy; members are witnesses or nested groups. ``k == 0`` always holds."""

    k: int
    members: Sequence[CosignatureVerifier | Group]

    def __post_init__(self) -> None:
        if not 0 <= self.k <= len(self.members):
            raise LogError(f"quorum {self.k} is not between 0 and {len(self.members)} members")

    def satisfied(self, signed: Iterable[tuple[str, bytes]]) -> bool:
        """Whether the witnesses in ``signed`` (name, key ID) meet this policy."""
        keys = set(signed)
        count = sum(1 for m in self.members if _member_ok(m, keys))
        return count >= self.k

    def witnesses(self) -> list[CosignatureVerifier]:
        """Every witness key anywhere in the policy."""
        found: list[CosignatureVerifier] = []
        for member in self.members:
            found.extend(member.witnesses() if isinstance(member, Group) else [member])
        return found


def _member_ok(member: CosignatureVerifier | Group, keys: set[tuple[str, bytes]]) -> bool:
    if isinstance(member, Group):
        return member.satisfied(keys)
    return (member.name, member.key_id) in keys


def check_policy(message: str | bytes, policy: Group) -> list[Cosignature]:
    """Verify the note's cosignatures and raise LogError unless they satisfy ``policy``."""
    found = verify_cosignatures(message, policy.witnesses())
    if not policy.satisfied((c.name, c.key_id) for c in found):
        names = ", ".join(sorted({c.name for c in found})) or "none"
        raise LogError(f"witness policy not met: {policy.k} required, verified: {names}")
    return found
