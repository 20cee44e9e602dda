"""Customer data protection: encrypted fields, a keyed blind index, masks, audited reveal.

Storage-agnostic: the store persists ciphertexts, index values, wrapped data keys and audit
events; everything here works on bytes and small dataclasses. See docs/protection.md.
"""

from __future__ import annotations

from smsguard.protect.access import (
    DEFAULT_POLICY,
    AuditEvent,
    AuditSink,
    MemoryAuditSink,
    Reveal,
    Revealer,
    Visibility,
)
from smsguard.protect.blind_index import BlindIndexer
from smsguard.protect.envelope import DataKeyRing, WrappedDataKey
from smsguard.protect.keys import (
    EnvKeyProvider,
    FileKeyProvider,
    MasterKeyProvider,
    StaticKeyProvider,
    WrappedKey,
    add_key_to_file,
    generate_key_file,
)
from smsguard.protect.phones import (
    mask_id_number,
    mask_name,
    mask_phone,
    normalise_phone,
    redact_phones,
)

__all__ = [
    "DEFAULT_POLICY",
    "AuditEvent",
    "AuditSink",
    "BlindIndexer",
    "DataKeyRing",
    "EnvKeyProvider",
    "FileKeyProvider",
    "MasterKeyProvider",
    "MemoryAuditSink",
    "Reveal",
    "Revealer",
    "StaticKeyProvider",
    "Visibility",
    "WrappedDataKey",
    "WrappedKey",
    "add_key_to_file",
    "generate_key_file",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "normalise_phone",
    "redact_phones",
]
