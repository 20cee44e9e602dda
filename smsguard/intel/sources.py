"""Where indicators come from: candidates made from fraud reports, complaints and analysts.

Sources, each producing *candidates* only (:mod:`smsguard.intel.lifecycle` confirms,
revokes, lists and exports them):

* a consumer fraud report an analyst confirmed (:func:`from_fraud_report`): the URLs and
  hosts in its text (the screening facts extractor finds them), its sender number as a keyed
  hash, and its text as a fingerprint;
* a complaint an analyst classified as fraud (category ``fraud_impersonation``;
  :func:`from_complaint`): the fraud SMS and its sender number as the analyst gives them;
* an analyst's own entry (:func:`add_manual`);
* imports from peers (:func:`smsguard.intel.store.save_imported`) arrive confirmed: the
  peer's analyst confirmed them there.

Allow-listed values are skipped (or, for an analyst's entry, refused) here already.

**No victim's or customer's number, by construction.** A phone indicator is only ever made
from the *sender* of a fraud SMS (:func:`_phone`): the ``sender_number`` field of a report,
or the number an analyst names as a sender. Nothing here reads a reporter's or
complainant's number, a customer record, or a number inside a message text. When the
institution's blind indexer is available, a sender number that is one of its own customers'
numbers (or the complainant's) is refused too: a customer's number is not shared even if
someone typed it into the wrong field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from smsguard.errors import CryptoError, InputError, NotFound
from smsguard.governance import audit
from smsguard.governance.roles import require
from smsguard.intel.lifecycle import KIND_NAMES, IntelContext
from smsguard.intel.lookup import text_fingerprint
from smsguard.intel.model import Indicator, Kind, Status, Tlp, normalise_value, utc
from smsguard.intel.phones import epoch_of, sender_e164
from smsguard.intel.store import upsert
from smsguard.screening.facts import extract_facts
from smsguard.screening.normalize import normalize
from smsguard.store.complaint_models import Complaint
from smsguard.store.models import Institution, User
from smsguard.store.signal_models import FraudReport

# How long an indicator stays live unless seen again. Numbers are recycled by carriers and
# spoofed, so they age fastest; fraud texts are reused for the longest.
VALIDITY = {
    Kind.PHONE_HASH: timedelta(days=90),
    Kind.URL: timedelta(days=180),
    Kind.DOMAIN: timedelta(days=180),
    Kind.FINGERPRINT: timedelta(days=365),
}
CONFIDENCE = {"fraud_report": 80, "complaint": 70, "analyst": 70}
FRAUD_CATEGORY = "fraud_impersonation"


@dataclass
class Derived:
    """The candidates a source produced, and what was left out and why."""

    created: list[int] = field(default_factory=list)
    existing: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _own_code(session: Session, actor: User) -> str:
    code = session.scalar(select(Institution.code).where(Institution.id == actor.institution_id))
    if code is None:  # pragma: no cover - a user always belongs to an institution
        raise NotFound(f"no institution {actor.institution_id}")
    return code


def _candidate(
    session: Session,
    actor: User,
    ctx: IntelContext,
    derived: Derived,
    kind: Kind,
    value: str,
    *,
    origin: str,
    origin_ref: str | None,
    seen: datetime,
    confidence: int,
    tlp: Tlp = Tlp.AMBER,
    epoch: str | None = None,
    strict: bool = False,
) -> None:
    owner = ctx.allowlist.owner_of(kind, value, epoch, ctx.keys)
    if owner is not None:
        if strict:
            ctx.allowlist.refuse(kind, value, epoch, ctx.keys)
        derived.skipped.append(f"{kind.value} on the allow-list ({owner})")
        return
    indicator = Indicator(
        kind=kind,
        value=value,
        source=_own_code(session, actor),
        confidence=confidence,
        first_seen=seen,
        last_seen=seen,
        expires_at=seen + VALIDITY[kind],
        tlp=tlp,
        epoch=epoch,
    )
    row, outcome = upsert(
        session,
        indicator,
        status=Status.CANDIDATE,
        origin=origin,
        origin_ref=origin_ref,
        created_by=actor.username,
    )
    if outcome == "created":
        derived.created.append(row.id)
        audit.record(
            session,
            actor,
            "intel.add",
            ("intel_indicator", row.id),
            kind=kind.value,
            origin=origin,
            origin_ref=origin_ref,
        )
    else:
        derived.existing.append(row.id)


def _phone(
    session: Session,
    actor: User,
    ctx: IntelContext,
    derived: Derived,
    raw: str,
    *,
    seen: datetime,
    not_these: frozenset[str] = frozenset(),
    strict: bool = False,
    **common: Any,
) -> None:
    """A sender number → its keyed hash candidate (the only way a number enters intel)."""
    try:
        e164 = sender_e164(raw)
    except InputError as exc:
        if strict:
            raise
        derived.skipped.append(f"sender number: {exc}")
        return
    owner = ctx.allowlist.numbers.get(e164)
    if owner is not None:
        if strict:
            raise InputError(
                f"number is on the allow-list ({owner}); an official number is never shared "
                "as a fraud indicator"
            )
        derived.skipped.append(f"sender number on the allow-list ({owner})")
        return
    if ctx.blind_index is not None:
        index = ctx.blind_index(e164)
        if index in not_these or _is_customer(session, index):
            reason = "it is a customer's or the complainant's number; those are never shared"
            if strict:
                raise InputError(f"sender number refused: {reason}")
            derived.skipped.append(f"sender number: {reason}")
            return
    epoch = epoch_of(seen)
    if ctx.keys is None or epoch not in ctx.keys:
        message = f"no consortium key for epoch {epoch}: the sender number cannot be shared"
        if strict:
            raise CryptoError(message, hint="Run `smsguard intel key add-epoch` or import one.")
        derived.skipped.append(message)
        return
    value = ctx.keys.hash_e164(e164, epoch)
    _candidate(
        session,
        actor,
        ctx,
        derived,
        Kind.PHONE_HASH,
        value,
        seen=seen,
        epoch=epoch,
        strict=strict,
        **common,
    )


def _is_customer(session: Session, index: str) -> bool:
    from smsguard.store.models import Customer

    return session.scalar(select(Customer.id).where(Customer.phone_index == index)) is not None


def _from_text(
    session: Session, actor: User, ctx: IntelContext, derived: Derived, text: str, **common: Any
) -> None:
    """URL, host and fingerprint candidates of a fraud SMS text."""
    facts = extract_facts(normalize(text))
    for url in facts.urls:
        if url.is_ip:
            derived.skipped.append(f"link to a bare IP address {url.host} (not shareable)")
            continue
        try:
            value = normalise_value(Kind.URL, url.normalized)
        except InputError as exc:
            derived.skipped.append(f"link: {exc}")
            continue
        _candidate(session, actor, ctx, derived, Kind.URL, value, **common)
        if not url.is_shortener:  # a shortener's host is everybody's: share the link only
            host = normalise_value(Kind.DOMAIN, url.host)
            _candidate(session, actor, ctx, derived, Kind.DOMAIN, host, **common)
    try:
        fingerprint = text_fingerprint(text)
    except InputError:
        derived.skipped.append("text too short to fingerprint")
        return
    _candidate(session, actor, ctx, derived, Kind.FINGERPRINT, fingerprint, **common)


def from_fraud_report(session: Session, actor: User, report_id: int, ctx: IntelContext) -> Derived:
    """Candidates from a consumer fraud report an analyst confirmed (of the actor's
    institution, or naming none). Never touches the reporter's number."""
    require(actor, "intel.submit")
    report = session.scalar(
        select(FraudReport).where(
            FraudReport.id == report_id,
            or_(
                FraudReport.institution_id == actor.institution_id,
                FraudReport.institution_id.is_(None),
            ),
        )
    )
    if report is None:
        raise NotFound(f"no fraud report {report_id} for this institution")
    if report.status != "confirmed":
        raise InputError(f"fraud report {report_id} is {report.status}; confirm it first")
    seen = utc(report.received_at)
    common: dict[str, Any] = {
        "origin": "fraud_report",
        "origin_ref": report.receipt,
        "seen": seen,
        "confidence": CONFIDENCE["fraud_report"],
    }
    derived = Derived()
    _from_text(session, actor, ctx, derived, report.text, **common)
    if report.sender_number:
        _phone(session, actor, ctx, derived, report.sender_number, **common)
    return derived


def from_complaint(
    session: Session,
    actor: User,
    complaint_id: int,
    ctx: IntelContext,
    *,
    fraud_text: str | None = None,
    sender_number: str | None = None,
    seen: datetime | None = None,
) -> Derived:
    """Candidates from a complaint the analyst classified as fraud (``fraud_impersonation``).

    The complaint's own text is the complainant's words, kept encrypted, so the analyst
    passes the fraud SMS itself (``fraud_text``) and the number it came from
    (``sender_number``), and when it was received (``seen``, default now). The
    complainant's number is refused as a sender number when the blind indexer is available
    to tell."""
    require(actor, "intel.submit")
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound(f"no complaint {complaint_id} in this institution")
    if complaint.category != FRAUD_CATEGORY:
        raise InputError(
            f"complaint {complaint_id} is {complaint.category!r}, not {FRAUD_CATEGORY!r}",
            hint="Recategorise it as fraud first (`smsguard complaints recategorise`).",
        )
    if not fraud_text and not sender_number:
        raise InputError("give the fraud SMS text, its sender number, or both")
    seen = seen or datetime.now(UTC)
    common: dict[str, Any] = {
        "origin": "complaint",
        "origin_ref": f"complaint-{complaint_id}",
        "seen": seen,
        "confidence": CONFIDENCE["complaint"],
    }
    derived = Derived()
    if fraud_text:
        _from_text(session, actor, ctx, derived, fraud_text, **common)
    if sender_number:
        complainant = frozenset({complaint.contact_index} if complaint.contact_index else ())
        _phone(
            session,
            actor,
            ctx,
            derived,
            sender_number,
            not_these=complainant,
            strict=True,
            **common,
        )
    return derived


def add_manual(
    session: Session,
    actor: User,
    kind: str,
    raw: str,
    ctx: IntelContext,
    *,
    confidence: int = CONFIDENCE["analyst"],
    tlp: Tlp = Tlp.AMBER,
    seen: datetime | None = None,
    note: str | None = None,
) -> int:
    """An analyst's candidate: ``kind`` is url, domain, phone (a fraudster's sender number,
    hashed at once) or text (a fraud SMS, fingerprinted at once). Allow-listed values are
    refused. Returns the row id (an existing row's, when the value is known already)."""
    require(actor, "intel.submit")
    if kind not in KIND_NAMES:
        raise InputError(f"kind must be one of {', '.join(KIND_NAMES)}, not {kind!r}")
    seen = seen or datetime.now(UTC)
    common: dict[str, Any] = {
        "origin": "analyst",
        "origin_ref": (note or "")[:64] or None,
        "seen": seen,
        "confidence": confidence,
        "tlp": tlp,
        "strict": True,
    }
    derived = Derived()
    target = KIND_NAMES[kind]
    if target is Kind.PHONE_HASH:
        _phone(session, actor, ctx, derived, raw, **common)
    elif target is Kind.FINGERPRINT:
        _candidate(session, actor, ctx, derived, target, text_fingerprint(raw), **common)
    else:
        value = normalise_value(target, raw)
        _candidate(session, actor, ctx, derived, target, value, **common)
    return (derived.created or derived.existing)[0]
