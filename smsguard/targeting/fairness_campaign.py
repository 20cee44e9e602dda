"""The fairness report of one campaign: its selection against its eligible base.

* A campaign whose audience is frozen: the selection is the rows of ``campaign_audiences``,
  and the eligible base is recomputed *at the freezing instant* (the institution's customers
  whom no mandatory exclusion removes, by the current exclusion policy).
* A campaign not yet approved: a preview, the selection its definition would make now.

The base is the customers the campaign could lawfully have chosen, not all customers: the
mandatory exclusions (minors and students above all) differ by age on purpose, and the
report is about the gaps the definition and the model add on top of them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, not_

from smsguard.errors import NotFound
from smsguard.store.models import Customer
from smsguard.store.tenancy import TenantSession
from smsguard.store.workflow_models import Campaign
from smsguard.targeting.compiler import base_query
from smsguard.targeting.exclusions import any_exclusion
from smsguard.targeting.fairness import (
    FairnessReport,
    FairnessThresholds,
    campaign_selection,
    fairness_report,
)
from smsguard.targeting.language import parse_audience
from smsguard.targeting.policy import ExclusionPolicy
from smsguard.targeting.ports import Scorer
from smsguard.targeting.selection import frame_for, selection_query


def eligible_base(session: TenantSession, policy: ExclusionPolicy, at: datetime) -> Select[Any]:
    """Customer ids no mandatory exclusion removes at ``at``."""
    frame = frame_for(session, policy, at)
    return (
        base_query(frame)
        .where(not_(any_exclusion(frame, policy)))
        .with_only_columns(Customer.id.label("customer_id"), maintain_column_froms=True)
    )


def campaign_fairness(
    session: TenantSession,
    campaign_id: int,
    policy: ExclusionPolicy,
    now: datetime,
    *,
    scorer: Scorer | None = None,
    thresholds: FairnessThresholds | None = None,
) -> FairnessReport:
    """The report of a frozen audience, or of a preview when the campaign is not frozen."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"no campaign {campaign_id} in this institution")
    if campaign.audience_frozen_at is not None:
        frozen = campaign.audience_frozen_at
        at = frozen if frozen.tzinfo is not None else frozen.replace(tzinfo=UTC)  # SQLite
        selected = campaign_selection(session, campaign_id)
        scope = f"campaign {campaign_id} (frozen audience)"
    else:
        at = now
        frame = frame_for(session, policy, now)
        query = selection_query(parse_audience(campaign.audience), frame, policy, scorer)
        selected = query.with_only_columns(
            Customer.id.label("customer_id"), maintain_column_froms=True
        )
        scope = f"campaign {campaign_id} (preview, not frozen)"
    return fairness_report(
        session,
        selected,
        eligible_base(session, policy, at),
        as_of=at,
        day=policy.local_day(at),
        thresholds=thresholds,
        scope=scope,
    )
