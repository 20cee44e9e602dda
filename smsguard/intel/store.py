"""Between :class:`~smsguard.intel.model.Indicator` values and ``intel_indicators`` rows.

Every function takes a tenant session (:func:`smsguard.store.tenant_session`), so an
institution only ever reads and writes the indicators it holds. Writing one indicator is an
upsert on ``(kind, epoch, value, source)``: the same URL reported twice is one row whose
``last_seen`` moves on. Every change moves ``modified_at``, which incremental export reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smsguard.errors import InputError
from smsguard.intel.allowlist import AllowList
from smsguard.intel.model import Indicator, Kind, Status, Tlp, utc
from smsguard.intel.phones import ConsortiumKeys
from smsguard.store.intel_models import MAX_VALUE, IntelIndicator


def to_indicator(row: IntelIndicator) -> Indicator:
    """The shared form of a row (no local bookkeeping: who confirmed, origin, peer). Its
    ``modified`` is the row's ``modified_at``: a revocation or a confidence change without
    a new sighting still gives a new STIX version."""
    return Indicator(
        kind=Kind(row.kind),
        value=row.value,
        source=row.source,
        confidence=row.confidence,
        first_seen=utc(row.first_seen),
        last_seen=utc(row.last_seen),
        expires_at=utc(row.expires_at),
        tlp=Tlp(row.tlp),
        epoch=row.epoch or None,
        revoked=row.status == Status.REVOKED,
        modified=utc(row.modified_at),
    )


def find(session: Session, indicator: Indicator) -> IntelIndicator | None:
    """The row holding ``indicator`` (same kind, epoch, value and source), if any."""
    return session.scalar(
        select(IntelIndicator).where(
            IntelIndicator.kind == indicator.kind.value,
            IntelIndicator.epoch == (indicator.epoch or ""),
            IntelIndicator.value == indicator.value,
            IntelIndicator.source == indicator.source,
        )
    )


def upsert(
    session: Session,
    indicator: Indicator,
    *,
    status: Status,
    origin: str,
    origin_ref: str | None = None,
    created_by: str | None = None,
    peer: str | None = None,
    now: datetime | None = None,
) -> tuple[IntelIndicator, str]:
    """Add the indicator, or merge it into the row holding it; (row, what happened:
    ``created``, ``updated`` or ``unchanged``).

    Merging widens the seen window, keeps the higher confidence and the later expiry, and
    never changes a row's status: confirming and revoking are decisions, not side effects
    of seeing the same value again.
    """
    if len(indicator.value) > MAX_VALUE:
        raise InputError(f"{indicator.kind.value} value is longer than {MAX_VALUE} characters")
    now = now or datetime.now(UTC)
    row = find(session, indicator)
    if row is None:
        row = IntelIndicator(
            kind=indicator.kind.value,
            value=indicator.value,
            epoch=indicator.epoch or "",
            source=indicator.source,
            confidence=indicator.confidence,
            first_seen=indicator.first_seen,
            last_seen=indicator.last_seen,
            expires_at=indicator.expires_at,
            tlp=indicator.tlp.value,
            status=status.value,
            origin=origin,
            origin_ref=origin_ref,
            peer=peer,
            created_by=created_by,
            created_at=now,
            modified_at=now,
        )
        session.add(row)
        session.flush()
        return row, "created"
    changed = False
    first, last, expires = utc(row.first_seen), utc(row.last_seen), utc(row.expires_at)
    if indicator.first_seen < first:
        row.first_seen, changed = indicator.first_seen, True
    if indicator.last_seen > last:
        row.last_seen, changed = indicator.last_seen, True
    if indicator.expires_at > expires:
        row.expires_at, changed = indicator.expires_at, True
    if indicator.confidence > row.confidence:
        row.confidence, changed = indicator.confidence, True
    if changed:
        row.modified_at = now
    return row, "updated" if changed else "unchanged"


@dataclass(frozen=True)
class ImportCounts:
    """What an import did with the indicators it was given."""

    added: int = 0
    updated: int = 0
    revoked: int = 0
    unchanged: int = 0
    dropped_allowlisted: int = 0
    dropped_expired: int = 0
    dropped_own: int = 0


def save_imported(
    session: Session,
    indicators: Iterable[Indicator],
    *,
    peer: str,
    own_code: str,
    allowlist: AllowList,
    keys: ConsortiumKeys | None = None,
    now: datetime | None = None,
) -> ImportCounts:
    """Store indicators a peer shared (already confirmed there), for one institution.

    Allow-listed ones are dropped and counted (phone hashes are checked under the epoch keys
    held; without the key of their epoch they cannot be checked, and are kept). Expired ones
    are dropped. A revoked one revokes the row holding it. The institution's own indicators
    coming back through a peer are dropped: they are already here, with their history.
    """
    now = now or datetime.now(UTC)
    counts = {"added": 0, "updated": 0, "revoked": 0, "unchanged": 0}
    allowlisted = expired = own = 0
    for indicator in indicators:
        if indicator.source == own_code:
            own += 1
            continue
        if allowlist.owner_of(indicator.kind, indicator.value, indicator.epoch, keys):
            allowlisted += 1
            continue
        if indicator.revoked:
            row = find(session, indicator)
            if row is not None and row.status != Status.REVOKED:
                row.status, row.revoked_at, row.modified_at = Status.REVOKED.value, now, now
                row.reason, row.revoked_by = f"revoked by {indicator.source}", None
                counts["revoked"] += 1
            else:
                counts["unchanged"] += 1
            continue
        if indicator.expired(now):
            expired += 1
            continue
        row, outcome = upsert(
            session,
            indicator,
            status=Status.CONFIRMED,
            origin="import",
            peer=peer,
            now=now,
            origin_ref=indicator.stix_id.removeprefix("indicator--")[:64],
        )
        if outcome == "created":
            counts["added"] += 1
        elif row.status == Status.REVOKED:  # the source shares it again: live again
            row.status, row.revoked_at, row.reason, row.modified_at = "confirmed", None, None, now
            counts["updated"] += 1
        else:
            counts[outcome] += 1
    return ImportCounts(
        **counts, dropped_allowlisted=allowlisted, dropped_expired=expired, dropped_own=own
    )


def live_rows(session: Session, now: datetime) -> list[IntelIndicator]:
    """Confirmed (own or imported) indicators that have not expired: what screening uses."""
    query = select(IntelIndicator).where(
        IntelIndicator.status == Status.CONFIRMED.value, IntelIndicator.expires_at > now
    )
    return list(session.scalars(query))


def change_marker(session: Session) -> tuple[int, datetime | None]:
    """(row count, latest ``modified_at``): changes whenever any indicator changes."""
    count, latest = session.execute(
        select(func.count(IntelIndicator.id), func.max(IntelIndicator.modified_at))
    ).one()
    return int(count), utc(latest) if latest is not None else None
