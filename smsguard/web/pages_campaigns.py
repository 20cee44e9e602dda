"""Campaigns: the list and create form, one campaign with its buttons and live chart."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from smsguard.api.security import Services, acting_user
from smsguard.errors import InputError
from smsguard.gateway import outbox
from smsguard.governance import campaigns, templates
from smsguard.governance.credentials import Identity
from smsguard.store.tenancy import tenant_session
from smsguard.targeting.approval import approval_inputs
from smsguard.web import queries
from smsguard.web.auth import Poster, Viewer, need
from smsguard.web.render import page, redirect
from smsguard.web.views import parse_variables

router = APIRouter(include_in_schema=False)
Short = Annotated[str, Form(max_length=200)]
BUTTONS = ("approve", "start", "pause", "resume", "complete")
SERIES = ("sent", "delivered", "failed", "opt_outs", "complaints")


@router.get("/campaigns")
def campaign_list(request: Request, services: Services, who: Viewer) -> HTMLResponse:
    need(who, "campaign.read")
    with tenant_session(services.database, who.institution_id) as session:
        rows = queries.campaigns(session)
        approved = queries.versions(session, state="approved")
    return page(request, "campaigns.html", rows=rows, approved=approved)


def _starts_at(raw: str, zone: str) -> datetime:
    if not raw.strip():
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise InputError(f"not a date and time: {raw.strip()!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(zone))


@router.post("/campaigns")
def create(
    services: Services, who: Poster, name: Short = "", template_version_id: int = Form(0),
    rate_limit_per_minute: int = Form(60), starts_at: Short = "",
    variables: Annotated[str, Form(max_length=5000)] = "",
) -> RedirectResponse:  # fmt: skip
    need(who, "campaign.create")
    when = _starts_at(starts_at, services.settings.timezone)
    values = parse_variables(variables)
    with tenant_session(services.database, who.institution_id) as session:
        campaign = campaigns.create(
            session, acting_user(session, who), name=name, template_version_id=template_version_id,
            audience={"all": True}, starts_at=when, rate_limit_per_minute=rate_limit_per_minute,
            variables=values,
        )  # fmt: skip
        campaign_id = campaign.id
    return redirect(f"/campaigns/{campaign_id}")


@router.get("/campaigns/{campaign_id}")
def campaign_page(
    campaign_id: int, request: Request, services: Services, who: Viewer
) -> HTMLResponse:
    need(who, "campaign.read")
    with tenant_session(services.database, who.institution_id) as session:
        campaign = campaigns.get(session, campaign_id)
        counts = outbox.counts(session, campaign_id)
        total = queries.total_sent(session, campaign_id)
        context: dict[str, Any] = {
            "campaign": campaign, "counts": sorted(counts.items()), "total": total,
            "buttons": _buttons(who, campaign.state, campaign.created_by_id),
        }  # fmt: skip
        version = templates.get_version(session, campaign.template_version_id)
        context["template"] = (queries.template_name(session, version.template_id), version)
        return page(request, "campaign.html", **context)


def _buttons(who: Identity, state: str, creator_id: int) -> list[str]:
    """The actions this person may take on a campaign in ``state``."""
    found = []
    if state == "draft" and who.may("campaign.approve") and who.user_id != creator_id:
        found.append("approve")
    for action, (allowed_from, _target) in campaigns.TRANSITIONS.items():
        if state in allowed_from and who.may(f"campaign.{action}"):
            found.append(action)
    return found


@router.get("/campaigns/{campaign_id}/series.json")
def campaign_series(campaign_id: int, services: Services, who: Viewer) -> JSONResponse:
    need(who, "campaign.read")
    minutes = services.gateway(who.institution_id).series(campaign_id)
    data: dict[str, Any] = {"minutes": [m.minute.isoformat() for m in minutes]}
    for name in SERIES:
        data[name] = [getattr(m, name) for m in minutes]
    with tenant_session(services.database, who.institution_id) as session:
        data["state"] = campaigns.get(session, campaign_id).state
        data["total_sent"] = queries.total_sent(session, campaign_id)
    return JSONResponse(data, headers={"Cache-Control": "no-store"})


@router.post("/campaigns/{campaign_id}/{action}")
def act(campaign_id: int, action: str, services: Services, who: Poster) -> RedirectResponse:
    if action not in BUTTONS:
        raise InputError(f"unknown campaign action {action!r}")
    need(who, f"campaign.{action}")
    if action == "approve":
        with tenant_session(services.database, who.institution_id) as session:
            policy, scorer = approval_inputs(services.settings, session, datetime.now(UTC))
            campaigns.approve(session, acting_user(session, who), campaign_id, policy=policy,
                              scorer=scorer)  # fmt: skip
    else:
        gateway = services.gateway(who.institution_id)
        operations = {"start": gateway.start, "pause": gateway.pause,
                      "resume": gateway.resume, "complete": gateway.complete}  # fmt: skip
        operations[action](who.username, campaign_id)
    return redirect(f"/campaigns/{campaign_id}")
