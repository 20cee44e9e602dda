"""Campaigns: an approved template version, an audience, a schedule and a rate limit.

A campaign has its own approval because sending is a second decision: the same cleared text
can be fine for one audience and wrong for another, or at a rate that floods customers. The
approver must differ from the person who set the campaign up. States move only along

    draft → approved → running ⇄ paused → completed   (paused → completed too)

and every move writes an audit row in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsguard.errors import InputError, NotFound, PermissionDenied
from smsguard.governance import audit
from smsguard.governance.roles import require
from smsguard.governance.templates import get_version
from smsguard.governance.variables import check_value, placeholders
from smsguard.store.models import User, utc_now
from smsguard.store.workflow_models import Campaign
from smsguard.targeting.language import parse_audience
from smsguard.targeting.offers import check_offers
from smsguard.targeting.policy import ExclusionPolicy
from smsguard.targeting.ports import Scorer
from smsguard.targeting.selection import freeze_audience

MAX_RATE_PER_MINUTE = 600_000  # 10,000/s: a large platform's whole capacity
_TARGET = "campaign"

# action → (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "start": (frozenset({"approved"}), "running"),
    "pause": (frozenset({"running"}), "paused"),
    "resume": (frozenset({"paused"}), "running"),
    "complete": (frozenset({"running", "paused"}), "completed"),
}


def create(
    session: Session,
    creator: User,
    *,
    name: str,
    template_version_id: int,
    audience: dict[str, Any],
    starts_at: datetime,
    ends_at: datetime | None = None,
    rate_limit_per_minute: int,
    variables: Mapping[str, str] | None = None,
) -> Campaign:
    """A draft campaign; the template version must already be approved.

    ``variables`` holds the campaign-wide values of the template's typed placeholders; each is
    checked against its type now, so the checker approves the exact values that will be sent.
    ``{name}`` is filled per customer from their (encrypted) record at send time.
    """
    require(creator, "campaign.create")
    name = name.strip()
    if not name:
        raise InputError("a campaign needs a name")
    version = get_version(session, template_version_id)
    if version.state != "approved":
        raise InputError(f"template version {version.id} is {version.state!r}, not approved")
    _check_schedule(starts_at, ends_at, rate_limit_per_minute)
    offers = parse_audience(audience).offers
    values = dict(variables or {})
    if offers is None:
        _checked_values(version.body, values)
    else:  # every segment's values pass the template's types; the checker approves them all
        check_offers(version.body, values, offers)
    if session.scalar(select(Campaign.id).where(Campaign.name == name)) is not None:
        raise InputError(f"a campaign named {name!r} already exists")
    campaign = Campaign(
        institution_id=creator.institution_id,
        name=name,
        template_version_id=version.id,
        audience=audience,
        variables=values,
        starts_at=starts_at,
        ends_at=ends_at,
        rate_limit_per_minute=rate_limit_per_minute,
        state="draft",
        created_by_id=creator.id,
    )
    session.add(campaign)
    session.flush()
    audit.record(session, creator, "campaign.created", (_TARGET, campaign.id), name=name)
    return campaign


def _check_schedule(starts_at: datetime, ends_at: datetime | None, rate: int) -> None:
    if starts_at.tzinfo is None or (ends_at is not None and ends_at.tzinfo is None):
        raise InputError("schedule times must carry a time zone")
    if ends_at is not None and ends_at <= starts_at:
        raise InputError("a campaign must end after it starts")
    if not 0 < rate <= MAX_RATE_PER_MINUTE:
        raise InputError(f"rate limit must be 1-{MAX_RATE_PER_MINUTE} messages per minute")


def _checked_values(body: str, values: dict[str, str]) -> None:
    expected = {label: kind for label, kind in placeholders(body).items() if label != "name"}
    missing, unknown = sorted(set(expected) - set(values)), sorted(set(values) - set(expected))
    if missing or unknown:
        raise InputError(f"campaign variables missing: {missing or 'none'}; "
                         f"unknown: {unknown or 'none'}")  # fmt: skip
    for label, kind in expected.items():
        check_value(kind, values[label])


def get(session: Session, campaign_id: int) -> Campaign:
    """The campaign, if it exists in this session's institution."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"no campaign {campaign_id} in this institution")
    return campaign


def list_campaigns(session: Session) -> list[Campaign]:
    """Every campaign of this session's institution, newest first (for lists and dashboards)."""
    return list(session.scalars(select(Campaign).order_by(Campaign.id.desc())))


def approve(
    session: Session,
    approver: User,
    campaign_id: int,
    *,
    policy: ExclusionPolicy | None = None,
    scorer: Scorer | None = None,
) -> Campaign:
    """Clear a draft campaign to run; only a certified officer other than its creator.

    The audience is selected and frozen in the same transaction (docs/targeting.md): the
    mandatory exclusions apply under ``policy`` (the defaults when None), the members go into
    ``campaign_audiences``, and the counts and digest (never a customer) go into the approval's
    audit row. ``scorer`` is the propensity model, needed when the audience ranks by it.
    """
    require(approver, "campaign.approve")
    campaign = get(session, campaign_id)
    if approver.id == campaign.created_by_id:
        raise PermissionDenied(
            f"user {approver.username!r} set up this campaign and cannot approve it"
        )
    _move(campaign, frozenset({"draft"}), "approved")
    campaign.approved_by_id = approver.id
    campaign.approved_at = utc_now()
    report = freeze_audience(session, campaign, policy or ExclusionPolicy(), campaign.approved_at,
                             scorer)  # fmt: skip
    audit.record(session, approver, "campaign.approved", (_TARGET, campaign.id),
                 audience=report.to_dict())  # fmt: skip
    return campaign


def transition(session: Session, actor: User, campaign_id: int, action: str) -> Campaign:
    """Start, pause, resume or complete a campaign."""
    if action not in TRANSITIONS:
        raise InputError(f"unknown campaign action {action!r}; use {', '.join(TRANSITIONS)}")
    require(actor, f"campaign.{action}")
    campaign = get(session, campaign_id)
    allowed_from, target = TRANSITIONS[action]
    previous = campaign.state
    _move(campaign, allowed_from, target)
    audit.record(
        session,
        actor,
        f"campaign.{action}",
        (_TARGET, campaign.id),
        **{"from": previous, "to": target},
    )
    return campaign


def _move(campaign: Campaign, allowed_from: frozenset[str], target: str) -> None:
    if campaign.state not in allowed_from:
        raise InputError(f"campaign {campaign.id} cannot go from {campaign.state!r} to {target!r}")
    campaign.state = target
