"""The demo bank's work in progress: templates in every state and two campaigns.

* ``spring-credit`` — loan marketing that screens ``pass``, written by mia, approved by olga;
* ``instant-loan`` — promises 秒批 and 不看征信 behind a short link: screened ``block``,
  rejected by otto with the reason the author reads;
* ``renovation-loan`` — a draft mia has not screened yet;
* ``complaint-ack`` — the acknowledgement the complaints desk sends for each complaint;
* campaign ``spring-credit-2026`` — every customer, approved and started: its messages wait
  in the outbox and the service's worker sends them at 60 a minute;
* campaign ``spring-credit-vip`` — twenty customers, set up by mia and awaiting approval.

All through the governance functions (maker-checker and audit as for real users).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from smsguard.governance import campaigns, templates
from smsguard.screening.engine import Screener
from smsguard.settings import Settings
from smsguard.store import Database, tenant_session
from smsguard.store.models import Customer, User
from smsguard.store.workflow_models import Campaign, Template, TemplateVersion

APPROVED = (
    "spring-credit",
    "【示例银行】{name}您好，信用贷款年化利率7.2%-18%（单利），最高20万元，以审批结果为准，"
    "详询4000123456，拒收请回复R",
)
REJECTED = (
    "instant-loan",
    "【示例银行】{name}您好，贷款秒批，不看征信，点击 t.cn/A6x7Yz 立即领取额度，回复TD退订",
)
REJECTION_REASON = "承诺“秒批”“不看征信”且未披露年化利率，短链接无法核实：违反营销规定，不予通过"
DRAFT = (
    "renovation-loan",
    "【示例银行】{name}您好，装修贷年化利率3.6%-12%（单利），额度以审批为准，详询4000123456，"
    "回复TD退订",
)
ACKNOWLEDGEMENT = (  # the complaints desk sends it when a complaint arrives (docs/complaints.md)
    "complaint-ack",
    "【示例银行】您的投诉已受理，编号{case:integer}，我们将在规定时限内处理并答复。详询4000123456",
)
CAMPAIGN, SMALL_CAMPAIGN = "spring-credit-2026", "spring-credit-vip"
RATE_PER_MINUTE, SMALL_AUDIENCE = 60, 20


@dataclass(frozen=True)
class CampaignLine:
    """A campaign's name, state and messages by state."""

    name: str
    state: str
    messages: dict[str, int]


def seed_work(settings: Settings, database: Database, institution_id: int) -> None:
    """Templates, then the campaigns; each only when missing, the start only once."""
    from smsguard.bootstrap import build_gateway, build_screener

    screener = build_screener(settings)
    with tenant_session(database, institution_id) as session:
        _templates(session, screener)
        campaign_id = _campaigns(session)
        state = campaigns.get(session, campaign_id).state
    if state == "approved":
        build_gateway(settings, database, institution_id, screener).start("mia", campaign_id)


def _user(session: Session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def _version_id(session: Session, name: str) -> int | None:
    return session.scalar(
        select(TemplateVersion.id)
        .join(Template, Template.id == TemplateVersion.template_id)
        .where(Template.name == name)
        .order_by(TemplateVersion.version.desc())
    )


def _templates(session: Session, screener: Screener) -> None:
    mia, olga, otto = (_user(session, name) for name in ("mia", "olga", "otto"))
    for text in (APPROVED, ACKNOWLEDGEMENT):
        if _version_id(session, text[0]) is None:
            templates.approve(session, olga, _submitted(session, mia, text, screener))
    if _version_id(session, REJECTED[0]) is None:
        version = _submitted(session, mia, REJECTED, screener)
        templates.reject(session, otto, version, REJECTION_REASON)
    if _version_id(session, DRAFT[0]) is None:
        templates.create_draft(session, mia, *DRAFT)


def _submitted(session: Session, author: User, text: tuple[str, str], screener: Screener) -> int:
    version = templates.create_draft(session, author, *text)
    templates.screen_version(session, author, version.id, screener)
    templates.submit(session, author, version.id)
    return version.id


def _campaigns(session: Session) -> int:
    """The main campaign's id (created and approved if missing); the small one left in draft."""
    mia, olga = _user(session, "mia"), _user(session, "olga")
    version_id = _version_id(session, APPROVED[0])
    assert version_id is not None  # _templates ran first
    main = _campaign_id(session, CAMPAIGN)
    if main is None:
        main = _create(session, mia, CAMPAIGN, version_id, {"all": True})
        campaigns.approve(session, olga, main)
    if _campaign_id(session, SMALL_CAMPAIGN) is None:
        first = session.scalars(select(Customer.id).order_by(Customer.id).limit(SMALL_AUDIENCE))
        _create(session, mia, SMALL_CAMPAIGN, version_id, {"customer_ids": list(first)})
    return main


def _campaign_id(session: Session, name: str) -> int | None:
    return session.scalar(select(Campaign.id).where(Campaign.name == name))


def _create(
    session: Session, mia: User, name: str, version_id: int, audience: dict[str, object]
) -> int:
    created = campaigns.create(
        session, mia, name=name, template_version_id=version_id, audience=audience,
        starts_at=datetime.now(UTC), rate_limit_per_minute=RATE_PER_MINUTE,
    )  # fmt: skip
    return created.id


def template_states(database: Database, institution_id: int) -> list[tuple[str, str]]:
    """(template name, state of its latest version), by name."""
    with tenant_session(database, institution_id) as session:
        rows = session.execute(
            select(Template.name, TemplateVersion.state, TemplateVersion.version)
            .join(TemplateVersion, TemplateVersion.template_id == Template.id)
            .order_by(Template.name, TemplateVersion.version)
        )
        latest = {name: state for name, state, _ in rows}
    return sorted(latest.items())


def campaign_lines(database: Database, institution_id: int) -> list[CampaignLine]:
    """Every campaign with its state and message counts, by id."""
    from smsguard.gateway import outbox

    with tenant_session(database, institution_id) as session:
        found = session.execute(
            select(Campaign.id, Campaign.name, Campaign.state).order_by(Campaign.id)
        )
        return [
            CampaignLine(name, state, dict(outbox.counts(session, campaign_id)))
            for campaign_id, name, state in found
        ]
