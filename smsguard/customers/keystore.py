"""Wrapped data keys in the ``data_keys`` table, and master-key rotation over all tenants.

The protect layer hands out :class:`WrappedDataKey` values and loads a ring back from them;
this module is the storage half. A row keeps the data key id, the master key id and the
wrapped bytes (nonce + ciphertext). The table has no generation column, so the generation is
the row's rank by primary key within its institution: keys are only ever appended, and a
rotation updates rows in place, so the rank never changes.

The tenant label bound into every ciphertext and blind index is the institution's numeric
id as text: ids never change, whereas a code could be renamed and would orphan the data.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsguard.errors import CryptoError
from smsguard.protect import DataKeyRing, MasterKeyProvider, WrappedDataKey, WrappedKey
from smsguard.protect.keys import NONCE_BYTES
from smsguard.store import Database, tenant_session
from smsguard.store.institutions import list_institutions
from smsguard.store.models import DataKey


def tenant_label(institution_id: int) -> str:
    """The tenant string used for key derivation and associated data (see module docs)."""
    return str(institution_id)


def stored_keys(session: Session, institution_id: int) -> list[WrappedDataKey]:
    """The institution's wrapped data keys, oldest first, with generations by rank."""
    rows = session.scalars(
        select(DataKey).where(DataKey.institution_id == institution_id).order_by(DataKey.id)
    )
    tenant = tenant_label(institution_id)
    return [
        WrappedDataKey(tenant, row.key_id, rank, _unpack(row)) for rank, row in enumerate(rows, 1)
    ]


def _unpack(row: DataKey) -> WrappedKey:
    """The stored bytes back as a WrappedKey; a truncated row is corrupt, not a short key."""
    if len(row.wrapped_key) <= NONCE_BYTES:
        raise CryptoError(f"data key {row.key_id} is stored truncated")
    blob = row.wrapped_key
    return WrappedKey(row.master_key_id, blob[:NONCE_BYTES], blob[NONCE_BYTES:])


def load_ring(session: Session, provider: MasterKeyProvider, institution_id: int) -> DataKeyRing:
    """A ring holding the institution's data keys, creating the first one on demand.

    A new key is added to the session, so it is committed with the work that first used it
    and disappears with it if that work rolls back.
    """
    ring = DataKeyRing.load(provider, stored_keys(session, institution_id))
    tenant = tenant_label(institution_id)
    if not ring.has_key(tenant):
        session.add(_row(ring.new_data_key(tenant), institution_id))
        session.flush()
    return ring


def _row(record: WrappedDataKey, institution_id: int) -> DataKey:
    wrapped = record.wrapped
    return DataKey(
        institution_id=institution_id,
        key_id=record.dek_id,
        wrapped_key=wrapped.nonce + wrapped.ciphertext,
        master_key_id=wrapped.master_key_id,
    )


@dataclass(frozen=True)
class RotationCount:
    """How many data keys of one institution were re-wrapped."""

    institution_code: str
    rewrapped: int


def rotate_all(database: Database, provider: MasterKeyProvider) -> list[RotationCount]:
    """Re-wrap every institution's data keys under the provider's active master key.

    One transaction per institution: a failure leaves earlier institutions rotated and the
    failing one untouched, and since the provider still knows the old master keys every
    wrap, old or new, unwraps throughout. Data keys do not change, so no field is rewritten.
    """
    counts = []
    for institution in list_institutions(database):
        with tenant_session(database, institution.id) as session:
            counts.append(
                RotationCount(institution.code, _rotate_one(session, provider, institution.id))
            )
    return counts


def _rotate_one(session: Session, provider: MasterKeyProvider, institution_id: int) -> int:
    ring = DataKeyRing.load(provider, stored_keys(session, institution_id))
    rewrapped = {record.dek_id: record.wrapped for record in ring.rotate_master()}
    for row in session.scalars(select(DataKey)):
        wrapped = rewrapped[row.key_id]
        row.wrapped_key = wrapped.nonce + wrapped.ciphertext
        row.master_key_id = wrapped.master_key_id
    return len(rewrapped)
