"""The two past campaigns whose outcomes the synthetic generator writes.

Outcome rows need a campaign, a campaign needs an approved template version and two people
(maker and checker). An institution that has a marketer and a compliance officer lends them;
otherwise two deactivated accounts, ``synthetic-marketer`` and ``synthetic-officer``, are
created (no password, so nobody can log in as them). Everything is found again by name, so
a second run adds outcomes to the same two campaigns.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsguard.store.models import User
from smsguard.store.workflow_models import Campaign, Template, TemplateVersion
from smsguard.targeting.synthetic_people import CAMPAIGN_DAYS_AGO

CAMPAIGN_NAMES = tuple(f"synthetic-past-{n}" for n in range(1, len(CAMPAIGN_DAYS_AGO) + 1))
TEMPLATE_NAME = "synthetic-past-offer"
TEMPLATE_BODY = (
    "【示例银行】{name}您好，信用贷款年化利率7.2%-18%（单利），最高20万元，以审批结果为准，"
    "详询4000123456，拒收请回复R"
)


def past_campaigns(session: Session, now: datetime) -> tuple[int, ...]:
    """The ids of the past completed campaigns, created when missing (in ``session``)."""
    query = select(Campaign.name, Campaign.id).where(Campaign.name.in_(CAMPAIGN_NAMES))
    found = {name: campaign_id for name, campaign_id in session.execute(query)}
    if len(found) == len(CAMPAIGN_NAMES):
        return tuple(found[name] for name in CAMPAIGN_NAMES)
    maker, checker = _person(session, "marketer"), _person(session, "compliance_officer")
    version = _template_version(session, maker, checker, now)
    for name, days in zip(CAMPAIGN_NAMES, CAMPAIGN_DAYS_AGO, strict=True):
        if name not in found:
            found[name] = _campaign(session, name, version, maker, checker, now - timedelta(days))
    return tuple(found[name] for name in CAMPAIGN_NAMES)


def _person(session: Session, role: str) -> User:
    for found in session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)):
        if role in found.roles:
            return found
    username = f"synthetic-{'marketer' if role == 'marketer' else 'officer'}"
    existing = session.scalars(select(User).where(User.username == username)).first()
    if existing is not None:
        return existing
    created = User(username=username, display_name=f"{username} (generated data)",
                   roles=[role], active=False)  # fmt: skip
    session.add(created)
    session.flush()
    return created


def _template_version(session: Session, maker: User, checker: User, now: datetime) -> int:
    existing = session.scalar(
        select(TemplateVersion.id)
        .join(Template, Template.id == TemplateVersion.template_id)
        .where(Template.name == TEMPLATE_NAME)
    )
    if existing is not None:
        return existing
    template = Template(name=TEMPLATE_NAME, author_id=maker.id)
    session.add(template)
    session.flush()
    decided = now - timedelta(days=400)
    version = TemplateVersion(
        template_id=template.id, version=1, body=TEMPLATE_BODY, variables={}, state="approved",
        author_id=maker.id, verdict="pass", rulebook_version="synthetic", findings=[],
        screened_at=decided, submitted_at=decided, decided_by_id=checker.id, decided_at=decided,
    )  # fmt: skip
    session.add(version)
    session.flush()
    return version.id


def _campaign(
    session: Session, name: str, version: int, maker: User, checker: User, at: datetime
) -> int:
    campaign = Campaign(
        name=name, template_version_id=version, audience={"all": True}, variables={},
        starts_at=at, ends_at=at + timedelta(days=2), rate_limit_per_minute=600,
        state="completed", created_by_id=maker.id, approved_by_id=checker.id, approved_at=at,
    )  # fmt: skip
    session.add(campaign)
    session.flush()
    return campaign.id
