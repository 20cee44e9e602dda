"""A keyed blind index: find a customer by phone number without decrypting anything.

There are only about 10^10 Chinese mobile numbers, so any unkeyed hash of one (SHA-256,
salted with a public salt, bcrypt with a known salt…) is reversed by trying them all in
minutes to hours. The index is therefore HMAC-SHA256 under a secret key, truncated to 16
bytes (enough that distinct numbers practically never collide, small enough to index).

The index key is separate from every encryption key: it must stay fixed while master and data
keys rotate (changing it means recomputing every index value), and a leak of one kind of key
should not give away the other. Per-tenant keys are derived with HKDF from one index master
key, so the same number has unrelated index values in two tenants and tenants cannot be
linked by comparing index columns. What the index still reveals to someone holding the table
is equality: which rows share a phone number, and nothing about the number itself.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.hmac import HMAC
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from smsguard.errors import CryptoError
from smsguard.protect.phones import normalise_phone

INDEX_BYTES = 16
_MIN_KEY_BYTES = 32
_HKDF_INFO = b"smsguard-blind-index-v1:"


class BlindIndexer:
    """Computes the blind index of phone numbers under one secret key."""

    def __init__(self, key: bytes) -> None:
        if len(key) < _MIN_KEY_BYTES:
            raise CryptoError(f"blind-index key must be at least {_MIN_KEY_BYTES} bytes")
        self._keyed = HMAC(key, SHA256())  # keyed once; copied per value (twice as fast)

    @classmethod
    def for_tenant(cls, index_master_key: bytes, tenant: str) -> BlindIndexer:
        """An indexer whose key is derived for one tenant from the index master key."""
        if len(index_master_key) < _MIN_KEY_BYTES:
            raise CryptoError(f"blind-index master key must be at least {_MIN_KEY_BYTES} bytes")
        hkdf = HKDF(algorithm=SHA256(), length=32, salt=None, info=_HKDF_INFO + tenant.encode())
        return cls(hkdf.derive(index_master_key))

    def index(self, phone: str) -> bytes:
        """The 16-byte index of a phone number in any accepted spelling (InputError if bad)."""
        return self.index_e164(normalise_phone(phone))

    def index_e164(self, e164: str) -> bytes:
        """The index of a number already in E.164 form, skipping normalisation."""
        mac = self._keyed.copy()
        mac.update(e164.encode("ascii"))
        return mac.finalize()[:INDEX_BYTES]

    def __repr__(self) -> str:
        """Never shows the key."""
        return "BlindIndexer(<key hidden>)"
