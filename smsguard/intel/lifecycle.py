"""How indicators become shared and stop being shared: candidate → confirmed → revoked.

Candidates come from :mod:`smsguard.intel.sources` (fraud reports, complaints, analysts'
entries); imports from peers arrive confirmed (:func:`smsguard.intel.store.save_imported`).
A candidate is shared only after a compliance officer confirms it (:func:`confirm`,
permission ``intel.confirm``, audit row ``intel.confirm``); an analyst's manual entry needs
a second person to confirm it. :func:`revoke` withdraws one (audited, with a reason);
:func:`expire` does the housekeeping. Allow-listed values are refused at every step, and
only confirmed, unexpired, allow-list-clean indicators of the institution's own are
exportable (:func:`exportable`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsguard.errors import InputError, NotFound, PermissionDenied
from smsguard.governance import audit
from smsguard.governance.roles import require
from smsguard.intel.allowlist import AllowList, shipped_allowlist
from smsguard.intel.model import Indicator, Kind, Status, utc
from smsguard.intel.phones import ConsortiumKeys
from smsguard.intel.store import to_indicator
from smsguard.store.intel_models import IntelIndicator
from smsguard.store.models import User

KIND_NAMES = {
    "url": Kind.URL,
    "domain": Kind.DOMAIN,
    "phone": Kind.PHONE_HASH,
    "text": Kind.FINGERPRINT,
}
MAX_PAGE = 1000


@dataclass(frozen=True)
class IntelContext:
    """What making indicators needs besides the session: who we are, the consortium keys,
    the allow-list and, when available, a test for "is this one of our customers' numbers"
    (and, for a complaint, "is this the complainant's number": blind-index values, hex)."""

    keys: ConsortiumKeys | None = None
    allowlist: AllowList = field(default_factory=shipped_allowlist)
    blind_index: Callable[[str], str] | None = None  # E.164 → the institution's index, hex


def _row(session: Session, indicator_id: int) -> IntelIndicator:
    row = session.get(IntelIndicator, indicator_id)
    if row is None:
        raise NotFound(f"no intel indicator {indicator_id} in this institution")
    return row


def confirm(
    session: Session,
    actor: User,
    indicator_id: int,
    ctx: IntelContext | None = None,
    *,
    now: datetime | None = None,
) -> Indicator:
    """Confirm a candidate: from now on it is shared and screened against. Audited.

    Needs ``intel.confirm``; an analyst's own manual entry needs someone else to confirm
    it. The allow-list is checked again (it may have grown since)."""
    require(actor, "intel.confirm")
    ctx = ctx or IntelContext()
    row = _row(session, indicator_id)
    if row.status != Status.CANDIDATE:
        raise InputError(f"intel indicator {indicator_id} is {row.status}, not a candidate")
    if row.origin == "analyst" and row.created_by == actor.username:
        raise PermissionDenied(
            f"user {actor.username!r} entered indicator {indicator_id}; someone else confirms it"
        )
    ctx.allowlist.refuse(Kind(row.kind), row.value, row.epoch or None, ctx.keys)
    now = now or datetime.now(UTC)
    row.status, row.confirmed_by, row.confirmed_at = Status.CONFIRMED.value, actor.username, now
    row.modified_at = now
    audit.record(
        session,
        actor,
        "intel.confirm",
        ("intel_indicator", row.id),
        kind=row.kind,
        origin=row.origin,
        origin_ref=row.origin_ref,
    )
    return to_indicator(row)


def revoke(
    session: Session, actor: User, indicator_id: int, reason: str, *, now: datetime | None = None
) -> Indicator:
    """Withdraw a candidate or confirmed indicator (own or imported); peers learn of it
    through the next incremental export. Needs ``intel.confirm`` and a reason; audited."""
    require(actor, "intel.confirm")
    if not reason.strip():
        raise InputError("revoking an indicator needs a reason")
    row = _row(session, indicator_id)
    if row.status == Status.REVOKED:
        raise InputError(f"intel indicator {indicator_id} is revoked already")
    now = now or datetime.now(UTC)
    row.status, row.revoked_by, row.revoked_at = Status.REVOKED.value, actor.username, now
    row.reason, row.modified_at = reason.strip()[:200], now
    audit.record(
        session,
        actor,
        "intel.revoke",
        ("intel_indicator", row.id),
        kind=row.kind,
        reason=row.reason,
    )
    return to_indicator(row)


@dataclass(frozen=True)
class IndicatorView:
    """A row as analysts see it (values are URLs, domains, hashes or fingerprints: nothing
    in them is personal data)."""

    id: int
    kind: str
    value: str
    epoch: str | None
    source: str
    status: str
    origin: str
    origin_ref: str | None
    peer: str | None
    confidence: int
    tlp: str
    last_seen: datetime
    expires_at: datetime
    confirmed_by: str | None


def list_indicators(
    session: Session,
    *,
    status: str | None = None,
    kind: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[IndicatorView]:
    """The institution's indicators, newest first."""
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InputError(f"a page holds 1-{MAX_PAGE} indicators from a non-negative offset")
    query = select(IntelIndicator)
    if status is not None:
        query = query.where(IntelIndicator.status == Status(status).value)
    if kind is not None:
        target = KIND_NAMES.get(kind) or Kind(kind)
        query = query.where(IntelIndicator.kind == target.value)
    query = query.order_by(IntelIndicator.id.desc()).limit(limit).offset(offset)
    return [
        IndicatorView(
            row.id,
            row.kind,
            row.value,
            row.epoch or None,
            row.source,
            row.status,
            row.origin,
            row.origin_ref,
            row.peer,
            row.confidence,
            row.tlp,
            utc(row.last_seen),
            utc(row.expires_at),
            row.confirmed_by,
        )
        for row in session.scalars(query)
    ]


@dataclass(frozen=True)
class Expired:
    imported_deleted: int
    candidates_revoked: int


def expire(session: Session, *, now: datetime | None = None) -> Expired:
    """Housekeeping: delete imported indicators past their expiry (they are a peer's, kept
    only to screen with) and revoke candidates nobody confirmed before they would expire.
    Own confirmed indicators past expiry stay, for the record; nothing screens or exports
    them."""
    now = now or datetime.now(UTC)
    stale = IntelIndicator.expires_at <= now
    imported = list(
        session.scalars(select(IntelIndicator).where(IntelIndicator.origin == "import", stale))
    )
    for row in imported:
        session.delete(row)
    candidates = list(
        session.scalars(
            select(IntelIndicator).where(IntelIndicator.status == Status.CANDIDATE.value, stale)
        )
    )
    for row in candidates:
        row.status, row.revoked_at, row.reason, row.modified_at = "revoked", now, "expired", now
    return Expired(len(imported), len(candidates))


def exportable(
    session: Session,
    since: datetime | None = None,
    *,
    ctx: IntelContext | None = None,
    include_revoked: bool = False,
    now: datetime | None = None,
) -> list[Indicator]:
    """The institution's own indicators it may share: confirmed, unexpired, allow-list
    clean, changed after ``since`` when given, oldest change first. Imports are never
    re-exported (the peer that vouches for them shares them itself). ``include_revoked``
    adds own indicators revoked after ``since``, as ``revoked=True``, so that an
    incremental feed can tell peers to drop them."""
    ctx = ctx or IntelContext()
    now = now or datetime.now(UTC)
    statuses = [Status.CONFIRMED.value] + ([Status.REVOKED.value] if include_revoked else [])
    query = select(IntelIndicator).where(
        IntelIndicator.origin != "import",
        IntelIndicator.status.in_(statuses),
        IntelIndicator.confirmed_at.is_not(None),
        IntelIndicator.expires_at > now,
    )
    if since is not None:
        query = query.where(IntelIndicator.modified_at > since)
    query = query.order_by(IntelIndicator.modified_at, IntelIndicator.id)
    out: list[Indicator] = []
    for row in session.scalars(query):
        indicator = to_indicator(row)
        if ctx.allowlist.owner_of(indicator.kind, indicator.value, indicator.epoch, ctx.keys):
            continue
        out.append(indicator)
    return out
