"""Templates and their versions: drafting, screening, submitting, approving and rejecting.

A template is a name; its wording lives in numbered versions, and every workflow step acts on
a version (``/template-versions/{id}/...``), because an approved wording never changes and a
campaign points at exactly one version. The rules themselves (maker-checker, no approved
``block``, a justification for ``review``) live in :mod:`smsguard.governance.templates`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from smsguard.api.routes.screening import FindingOut
from smsguard.api.security import Services, acting_user, permit
from smsguard.api.types import Body, Instant, RowId
from smsguard.governance import templates
from smsguard.governance.credentials import Identity
from smsguard.governance.users import usernames
from smsguard.store.tenancy import tenant_session
from smsguard.store.workflow_models import Template, TemplateVersion

router = APIRouter(tags=["templates"])
Read = Annotated[Identity, Depends(permit("template.read"))]
Draft = Annotated[Identity, Depends(permit("template.draft"))]
Screen = Annotated[Identity, Depends(permit("template.screen"))]
Submit = Annotated[Identity, Depends(permit("template.submit"))]
Approve = Annotated[Identity, Depends(permit("template.approve"))]
Reject = Annotated[Identity, Depends(permit("template.reject"))]

State = Literal["draft", "screened", "submitted", "approved", "rejected"]
VerdictName = Literal["pass", "review", "block"]


class NewTemplate(Body):
    name: str = Field(min_length=1, max_length=200)
    body: str = Field(
        min_length=1,
        max_length=templates.MAX_BODY * 2,
        description="The wording, with typed placeholders such as {amount}",
    )


class Revision(Body):
    body: str = Field(min_length=1, max_length=templates.MAX_BODY * 2)


class Approval(Body):
    justification: str | None = Field(
        None, max_length=2000, description="Required when the verdict is 'review'"
    )


class Rejection(Body):
    reason: str = Field(min_length=1, max_length=2000)


class VersionOut(BaseModel):
    id: int
    template_id: int
    version: int
    body: str
    variables: dict[str, str]
    state: State
    verdict: VerdictName | None
    rulebook_version: str | None
    findings: list[FindingOut] | None
    author: str | None
    decided_by: str | None
    justification: str | None
    rejection_reason: str | None
    created_at: Instant
    screened_at: Instant | None
    submitted_at: Instant | None
    decided_at: Instant | None


class LatestOut(BaseModel):
    id: int
    version: int
    state: State
    verdict: VerdictName | None


class TemplateOut(BaseModel):
    id: int
    name: str
    author: str | None
    created_at: Instant
    latest: LatestOut


class TemplateDetail(BaseModel):
    id: int
    name: str
    author: str | None
    created_at: Instant
    versions: list[VersionOut]


def _versions_out(session: Session, versions: list[TemplateVersion]) -> list[VersionOut]:
    names = usernames(
        session, [v.author_id for v in versions] + [v.decided_by_id for v in versions]
    )
    return [
        VersionOut.model_validate(
            {
                **_columns(v),
                "author": names.get(v.author_id),
                "decided_by": names.get(v.decided_by_id or 0),
            }
        )
        for v in versions
    ]


def _columns(version: TemplateVersion) -> dict[str, object]:
    fields = VersionOut.model_fields
    return {name: getattr(version, name) for name in fields if hasattr(version, name)}


def _version_out(session: Session, version: TemplateVersion) -> VersionOut:
    return _versions_out(session, [version])[0]


def _template_out(
    template: Template, latest: TemplateVersion, names: dict[int, str]
) -> TemplateOut:
    latest_out = {name: getattr(latest, name) for name in LatestOut.model_fields}
    return TemplateOut(
        id=template.id,
        name=template.name,
        author=names.get(template.author_id),
        created_at=template.created_at,
        latest=LatestOut.model_validate(latest_out),
    )


@router.get(
    "/templates",
    response_model=list[TemplateOut],
    summary="The institution's templates with their newest version",
)
def list_templates(services: Services, caller: Read) -> list[TemplateOut]:
    with tenant_session(services.database, caller.institution_id) as session:
        found = templates.list_templates(session)
        names = usernames(session, [item.template.author_id for item in found])
        return [_template_out(item.template, item.latest, names) for item in found]


@router.get(
    "/templates/{template_id}",
    response_model=TemplateDetail,
    summary="A template and all its versions, oldest first",
)
def show_template(template_id: RowId, services: Services, caller: Read) -> TemplateDetail:
    with tenant_session(services.database, caller.institution_id) as session:
        template, versions = templates.template_versions(session, template_id)
        author = usernames(session, [template.author_id]).get(template.author_id)
        return TemplateDetail(
            id=template.id,
            name=template.name,
            author=author,
            created_at=template.created_at,
            versions=_versions_out(session, versions),
        )


@router.post(
    "/templates",
    response_model=VersionOut,
    status_code=201,
    summary="Create a template; its wording becomes version 1, in draft",
)
def create_template(body: NewTemplate, services: Services, caller: Draft) -> VersionOut:
    with tenant_session(services.database, caller.institution_id) as session:
        version = templates.create_draft(
            session, acting_user(session, caller), body.name, body.body
        )
        return _version_out(session, version)


@router.post(
    "/templates/{template_id}/versions",
    response_model=VersionOut,
    status_code=201,
    summary="New wording for a template: a new draft version",
)
def revise_template(
    template_id: RowId, body: Revision, services: Services, caller: Draft
) -> VersionOut:
    with tenant_session(services.database, caller.institution_id) as session:
        version = templates.revise(session, acting_user(session, caller), template_id, body.body)
        return _version_out(session, version)


@router.get(
    "/template-versions/{version_id}",
    response_model=VersionOut,
    summary="One template version with its verdict and findings",
)
def show_version(version_id: RowId, services: Services, caller: Read) -> VersionOut:
    with tenant_session(services.database, caller.institution_id) as session:
        return _version_out(session, templates.get_version(session, version_id))


@router.post(
    "/template-versions/{version_id}/screen",
    response_model=VersionOut,
    summary="Screen a draft version; the verdict and findings are kept on it",
)
def screen_version(version_id: RowId, services: Services, caller: Screen) -> VersionOut:
    with tenant_session(services.database, caller.institution_id) as session:
        version = templates.screen_version(
            session, acting_user(session, caller), version_id, services.screener
        )
        return _version_out(session, version)


@router.post(
    "/template-versions/{version_id}/submit",
    response_model=VersionOut,
    summary="Hand a screened version to compliance",
)
def submit_version(version_id: RowId, services: Services, caller: Submit) -> VersionOut:
    with tenant_session(services.database, caller.institution_id) as session:
        version = templates.submit(session, acting_user(session, caller), version_id)
        return _version_out(session, version)


@router.post(
    "/template-versions/{version_id}/approve",
    response_model=VersionOut,
    summary="Approve a submitted version ('review' needs a justification)",
)
def approve_version(
    version_id: RowId, services: Services, caller: Approve, body: Approval | None = None
) -> VersionOut:
    note = body.justification if body is not None else None
    with tenant_session(services.database, caller.institution_id) as session:
        version = templates.approve(session, acting_user(session, caller), version_id, note)
        return _version_out(session, version)


@router.post(
    "/template-versions/{version_id}/reject",
    response_model=VersionOut,
    summary="Reject a submitted version with the reason its author will read",
)
def reject_version(
    version_id: RowId, body: Rejection, services: Services, caller: Reject
) -> VersionOut:
    with tenant_session(services.database, caller.institution_id) as session:
        version = templates.reject(session, acting_user(session, caller), version_id, body.reason)
        return _version_out(session, version)
