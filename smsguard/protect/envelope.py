"""Envelope encryption of customer fields with per-tenant data keys.

Each tenant has one or more data keys (DEKs); the newest encrypts new values, older ones stay
to decrypt what they encrypted. DEKs are stored only wrapped by a master key
(:mod:`smsguard.protect.keys`), so the store holds ciphertext plus wrapped keys and nothing
that decrypts on its own. Per-tenant (not per-record) keys keep encryption at one AES-GCM call
per field, which is what makes the throughput target reachable, while still letting one
tenant's keys be destroyed (crypto-shredding) without touching the others.

A field ciphertext is ``version (1) | dek id (8) | nonce (12) | AES-GCM ciphertext+tag``.
The associated data binds the header, tenant, field name and record id: a ciphertext copied
to another row, column or tenant fails authentication rather than decrypting as the wrong
customer's data. The ring is storage-agnostic: it hands out :class:`WrappedDataKey` values
for the caller to persist, and is loaded back from them.
"""

from __future__ import annotations

import functools
import os
import secrets
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dc_field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from smsguard.errors import CryptoError
from smsguard.protect.keys import KEY_BYTES, NONCE_BYTES, MasterKeyProvider, WrappedKey

FORMAT_VERSION = 1
DEK_ID_BYTES = 8
_HEADER = 1 + DEK_ID_BYTES
_AD_LABEL = b"smsguard-field-v1"


@dataclass(frozen=True)
class WrappedDataKey:
    """One tenant data key as stored: id, generation (newest is active), wrapped key."""

    tenant: str
    dek_id: str  # hex of DEK_ID_BYTES bytes
    generation: int
    wrapped: WrappedKey


@dataclass(frozen=True)
class _DataKey:
    """An unwrapped key; the raw bytes are kept (unprinted) so a master rotation can re-wrap."""

    dek_id: bytes
    generation: int
    material: bytes = dc_field(repr=False)
    cipher: AESGCM = dc_field(repr=False)


def associated_data(header: bytes, tenant: str, field: str, record_id: str) -> bytes:
    """Label, tenant, field, header, record id: unambiguous, so no two rows share an AD.

    Tenant and field are length-prefixed, the header has a fixed length and the record id
    comes last, so ``("ab", "c")`` and ``("a", "bc")`` never encode alike.
    """
    return _ad_prefix(tenant, field) + header + record_id.encode()


@functools.lru_cache(maxsize=4096)
def _ad_prefix(tenant: str, field: str) -> bytes:
    """The per-column part of the associated data, cached: it is the same for every row."""
    parts = [_AD_LABEL, tenant.encode(), field.encode()]
    return b"".join(struct.pack(">H", len(part)) + part for part in parts)


class DataKeyRing:
    """Unwrapped data keys of every tenant, kept in memory for encrypting and decrypting."""

    def __init__(self, provider: MasterKeyProvider) -> None:
        self._provider = provider
        self._keys: dict[str, dict[bytes, _DataKey]] = {}
        self._active: dict[str, _DataKey] = {}

    @classmethod
    def load(cls, provider: MasterKeyProvider, stored: Iterable[WrappedDataKey]) -> DataKeyRing:
        """A ring holding every stored data key, unwrapped via the provider."""
        ring = cls(provider)
        for record in stored:
            ring._add(record, provider.unwrap(record.wrapped))
        return ring

    def _add(self, record: WrappedDataKey, dek: bytes) -> None:
        """Hold one unwrapped key; the highest generation becomes the tenant's active key."""
        if len(dek) != KEY_BYTES:
            raise CryptoError(f"data key {record.dek_id} of {record.tenant!r} has a bad length")
        key = _DataKey(bytes.fromhex(record.dek_id), record.generation, dek, AESGCM(dek))
        self._keys.setdefault(record.tenant, {})[key.dek_id] = key
        active = self._active.get(record.tenant)
        if active is None or key.generation > active.generation:
            self._active[record.tenant] = key

    def new_data_key(self, tenant: str) -> WrappedDataKey:
        """A fresh data key for the tenant, active from now on; the caller stores the result."""
        current = self._active.get(tenant)
        dek = secrets.token_bytes(KEY_BYTES)
        record = WrappedDataKey(
            tenant=tenant,
            dek_id=secrets.token_hex(DEK_ID_BYTES),
            generation=current.generation + 1 if current else 1,
            wrapped=self._provider.wrap(dek),
        )
        self._add(record, dek)
        return record

    def has_key(self, tenant: str) -> bool:
        """Whether the tenant has a data key to encrypt with."""
        return tenant in self._active

    def rotate_master(self, provider: MasterKeyProvider | None = None) -> list[WrappedDataKey]:
        """Every data key re-wrapped under the (new) provider's active master key.

        Data keys themselves do not change, so ciphertexts need no rewrite and stay readable
        throughout; the caller replaces the stored wrapped keys with the returned ones.
        """
        self._provider = provider or self._provider
        rewrapped: list[WrappedDataKey] = []
        for tenant, keys in self._keys.items():
            for key in keys.values():
                wrapped = self._provider.wrap(key.material)
                rewrapped.append(WrappedDataKey(tenant, key.dek_id.hex(), key.generation, wrapped))
        return rewrapped

    def encrypt_field(self, plaintext: str, *, tenant: str, field: str, record_id: str) -> bytes:
        """The field encrypted under the tenant's active data key, bound to tenant/field/row."""
        key = self._active.get(tenant)
        if key is None:
            raise CryptoError(f"tenant {tenant!r} has no data key; create one first")
        header = bytes((FORMAT_VERSION,)) + key.dek_id
        nonce = os.urandom(NONCE_BYTES)
        ad = associated_data(header, tenant, field, record_id)
        return header + nonce + key.cipher.encrypt(nonce, plaintext.encode(), ad)

    def decrypt_field(self, blob: bytes, *, tenant: str, field: str, record_id: str) -> str:
        """The plaintext; CryptoError if the blob was altered or belongs to another row.

        Call this only behind an audited gate such as :mod:`smsguard.protect.access`.
        """
        if len(blob) < _HEADER + NONCE_BYTES + 16 or blob[0] != FORMAT_VERSION:
            raise CryptoError(f"{field} of record {record_id!r} is not a smsguard ciphertext")
        header, nonce = blob[:_HEADER], blob[_HEADER : _HEADER + NONCE_BYTES]
        key = self._keys.get(tenant, {}).get(header[1:])
        if key is None:
            raise CryptoError(f"{field} of record {record_id!r}: data key unknown for {tenant!r}")
        ad = associated_data(header, tenant, field, record_id)
        try:
            return key.cipher.decrypt(nonce, blob[_HEADER + NONCE_BYTES :], ad).decode()
        except InvalidTag as exc:
            raise CryptoError(
                f"{field} of record {record_id!r} fails authentication for tenant {tenant!r}"
            ) from exc
