"""Templates: the list and new-draft form, one version with its workflow, the review queue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from smsguard.api.security import Services, acting_user
from smsguard.governance import templates
from smsguard.governance.credentials import Identity
from smsguard.governance.users import usernames
from smsguard.governance.variables import sample_render
from smsguard.store.tenancy import tenant_session
from smsguard.web import queries
from smsguard.web.auth import Poster, Viewer, need
from smsguard.web.render import page, redirect
from smsguard.web.views import marked, spans_of

router = APIRouter(include_in_schema=False)
Body = Annotated[str, Form(max_length=templates.MAX_BODY + 100)]
Note = Annotated[str, Form(max_length=2000)]


@router.get("/templates")
def template_list(request: Request, services: Services, who: Viewer) -> HTMLResponse:
    need(who, "template.read")
    with tenant_session(services.database, who.institution_id) as session:
        rows = queries.versions(session)
    return page(request, "templates.html", rows=rows)


@router.post("/templates")
def create_draft(
    services: Services,
    who: Poster,
    name: Annotated[str, Form(max_length=200)] = "",
    body: Body = "",
) -> RedirectResponse:
    need(who, "template.draft")
    with tenant_session(services.database, who.institution_id) as session:
        user = acting_user(session, who)
        version = templates.create_draft(session, user, name, body)
        templates.screen_version(session, user, version.id, services.screener)
        version_id = version.id
    return redirect(f"/templates/versions/{version_id}")


@router.get("/templates/versions/{version_id}")
def version_page(
    version_id: int, request: Request, services: Services, who: Viewer
) -> HTMLResponse:
    need(who, "template.read")
    with tenant_session(services.database, who.institution_id) as session:
        version = templates.get_version(session, version_id)
        name = queries.template_name(session, version.template_id)
        names = usernames(session, [version.author_id, version.decided_by_id])
        history = [v for v in queries.versions(session) if v.template == name]
        sample = sample_render(version.body)
        findings = list(version.findings or [])
        context = {
            "version": version, "name": name, "history": history, "findings": findings,
            "pieces": marked(sample, spans_of(findings)), "author": names.get(version.author_id),
            "decider": names.get(version.decided_by_id or 0),
            "may": _abilities(who, version.author_id),
        }  # fmt: skip
        return page(request, "version.html", **context)


def _abilities(who: Identity, author_id: int) -> dict[str, bool]:
    own = who.user_id == author_id
    return {
        "revise": who.may("template.draft"),
        "submit": who.may("template.submit"),
        "decide": who.may("template.approve") and not own,
    }


@router.post("/templates/versions/{version_id}/revise")
def revise(version_id: int, services: Services, who: Poster, body: Body = "") -> RedirectResponse:
    need(who, "template.draft")
    with tenant_session(services.database, who.institution_id) as session:
        user = acting_user(session, who)
        template_id = templates.get_version(session, version_id).template_id
        new = templates.revise(session, user, template_id, body)
        templates.screen_version(session, user, new.id, services.screener)
        new_id = new.id
    return redirect(f"/templates/versions/{new_id}")


@router.post("/templates/versions/{version_id}/submit")
def submit(version_id: int, services: Services, who: Poster) -> RedirectResponse:
    need(who, "template.submit")
    with tenant_session(services.database, who.institution_id) as session:
        templates.submit(session, acting_user(session, who), version_id)
    return redirect(f"/templates/versions/{version_id}")


@router.post("/templates/versions/{version_id}/approve")
def approve(
    version_id: int, services: Services, who: Poster, justification: Note = ""
) -> RedirectResponse:
    need(who, "template.approve")
    with tenant_session(services.database, who.institution_id) as session:
        templates.approve(session, acting_user(session, who), version_id, justification or None)
    return redirect(f"/templates/versions/{version_id}")


@router.post("/templates/versions/{version_id}/reject")
def reject(version_id: int, services: Services, who: Poster, reason: Note = "") -> RedirectResponse:
    need(who, "template.reject")
    with tenant_session(services.database, who.institution_id) as session:
        templates.reject(session, acting_user(session, who), version_id, reason)
    return redirect(f"/templates/versions/{version_id}")


@router.get("/review")
def review(request: Request, services: Services, who: Viewer) -> HTMLResponse:
    need(who, "template.approve")
    with tenant_session(services.database, who.institution_id) as session:
        versions = queries.versions(session, state="submitted")
        campaigns = [(c.id, c.name, c.created_at) for c in queries.campaigns(session, "draft")]
    return page(request, "review.html", versions=versions, campaigns=campaigns)
