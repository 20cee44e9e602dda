"""Transparency-log objects kept in the database instead of a directory (``log_storage``).

One row per object the directory store would hold as a file: tiles, entry bundles, the
checkpoint and the crash-recovery marker, keyed by the same relative path
(``tile/0/x001/234.p/7``, ``checkpoint`` …). Rows are owned by an institution like every other
tenant row, so one institution's session can neither read nor overwrite another's log.
"""

from __future__ import annotations

from sqlalchemy import Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smsguard.store.models import Base, TenantOwned

PATH_LENGTH = 255


class TlogObject(TenantOwned, Base):
    """One tile, bundle, checkpoint or marker of an institution's log, by its store path."""

    __tablename__ = "tlog_objects"
    __table_args__ = (UniqueConstraint("institution_id", "path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(String(PATH_LENGTH))
    data: Mapped[bytes] = mapped_column(LargeBinary)
