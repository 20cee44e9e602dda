"""The template workflow: draft → screened → submitted → approved | rejected.

Each function runs inside the caller's tenant session and writes its audit row there, so a
refused or failing step leaves nothing behind. The rules, and why:

* the approver is never the author (maker-checker: one person cannot both write and clear);
* a ``block`` verdict can never be approved, whoever asks;
* a ``review`` verdict may be approved only with a written justification, which is kept;
* an approved or rejected version never changes; new wording is a new version, so a campaign
  always sends exactly the text that was cleared. The database enforces this too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smsguard.errors import InputError, NotFound, PermissionDenied
from smsguard.governance import audit
from smsguard.governance.roles import require
from smsguard.governance.variables import placeholders, sample_render
from smsguard.screening import Screener
from smsguard.store.models import User, utc_now
from smsguard.store.workflow_models import Template, TemplateVersion

MAX_BODY = 1000
_TARGET = "template_version"


def create_draft(session: Session, author: User, name: str, body: str) -> TemplateVersion:
    """A new template named ``name`` with ``body`` as its version 1, in draft."""
    require(author, "template.draft")
    name = name.strip()
    if not name:
        raise InputError("a template needs a name")
    if session.scalar(select(Template.id).where(Template.name == name)) is not None:
        raise InputError(f"a template named {name!r} already exists")
    _checked_body(body)  # validate before the first write, so a refusal writes nothing
    template = Template(institution_id=author.institution_id, name=name, author_id=author.id)
    session.add(template)
    session.flush()
    audit.record(session, author, "template.created", ("template", template.id), name=name)
    return _new_version(session, author, template, body)


def revise(session: Session, author: User, template_id: int, body: str) -> TemplateVersion:
    """New wording for a template: always a new draft version, never an edit of an old one."""
    require(author, "template.draft")
    template = session.get(Template, template_id)
    if template is None:
        raise NotFound(f"no template {template_id} in this institution")
    return _new_version(session, author, template, body)


def _new_version(session: Session, author: User, template: Template, body: str) -> TemplateVersion:
    body, variables = _checked_body(body)
    latest = session.scalar(
        select(func.max(TemplateVersion.version)).where(TemplateVersion.template_id == template.id)
    )
    version = TemplateVersion(
        institution_id=author.institution_id,
        template_id=template.id,
        version=(latest or 0) + 1,
        body=body,
        variables=variables,
        state="draft",
        author_id=author.id,
    )
    session.add(version)
    session.flush()
    audit.record(
        session, author, "template.drafted", (_TARGET, version.id), version=version.version
    )
    return version


def _checked_body(body: str) -> tuple[str, dict[str, str]]:
    body = body.strip()
    if not body or len(body) > MAX_BODY:
        raise InputError(f"a template body must have 1-{MAX_BODY} characters")
    return body, placeholders(body)


def get_version(session: Session, version_id: int) -> TemplateVersion:
    """The version, if it exists in this session's institution."""
    version = session.get(TemplateVersion, version_id)
    if version is None:
        raise NotFound(f"no template version {version_id} in this institution")
    return version


@dataclass(frozen=True)
class TemplateSummary:
    """A template and its newest version: what a list of templates needs to show."""

    template: Template
    latest: TemplateVersion


def list_templates(session: Session) -> list[TemplateSummary]:
    """Every template of this session's institution with its newest version, newest first.

    The newest version is what the author is working on, so its state and verdict are what a
    reviewer scanning the list wants to see."""
    newest = (
        select(TemplateVersion.template_id, func.max(TemplateVersion.version).label("top"))
        .group_by(TemplateVersion.template_id)
        .subquery()
    )
    rows = session.execute(
        select(Template, TemplateVersion)
        .join(TemplateVersion, TemplateVersion.template_id == Template.id)
        .join(
            newest,
            (newest.c.template_id == TemplateVersion.template_id)
            & (newest.c.top == TemplateVersion.version),
        )
        .order_by(Template.id.desc())
    )
    return [TemplateSummary(template, latest) for template, latest in rows]


def template_versions(session: Session, template_id: int) -> tuple[Template, list[TemplateVersion]]:
    """A template and all its versions, oldest first; NotFound outside this institution."""
    template = session.get(Template, template_id)
    if template is None:
        raise NotFound(f"no template {template_id} in this institution")
    versions = session.scalars(
        select(TemplateVersion)
        .where(TemplateVersion.template_id == template_id)
        .order_by(TemplateVersion.version)
    )
    return template, list(versions)


def screen_version(
    session: Session, actor: User, version_id: int, screener: Screener
) -> TemplateVersion:
    """Screen the wording (variables filled with harmless samples) and keep the verdict, the
    rulebook version and the findings, so the approval can be traced to exact rules."""
    require(actor, "template.screen")
    version = get_version(session, version_id)
    _move(version, {"draft", "screened"}, "screened")
    result = screener.screen(sample_render(version.body))
    version.verdict = result.verdict
    version.rulebook_version = result.rulebook
    version.findings = [finding.to_dict() for finding in result.findings]
    version.screened_at = utc_now()
    audit.record(
        session, actor, "template.screened", (_TARGET, version.id),
        verdict=result.verdict, rulebook=result.rulebook,
    )  # fmt: skip
    return version


def submit(session: Session, actor: User, version_id: int) -> TemplateVersion:
    """Hand a screened version to compliance."""
    require(actor, "template.submit")
    version = get_version(session, version_id)
    _move(version, {"screened"}, "submitted")
    version.submitted_at = utc_now()
    audit.record(session, actor, "template.submitted", (_TARGET, version.id))
    return version


def approve(
    session: Session, approver: User, version_id: int, justification: str | None = None
) -> TemplateVersion:
    """Clear a submitted version for sending; see the module docstring for the rules."""
    require(approver, "template.approve")
    version = get_version(session, version_id)
    _check_decider(version, approver)
    if version.verdict == "block":
        raise InputError(
            f"template version {version.id} was screened 'block' and can never be approved"
        )
    note = (justification or "").strip() or None
    if version.verdict == "review" and note is None:
        raise InputError("a 'review' verdict can only be approved with a written justification")
    _move(version, {"submitted"}, "approved")
    _decide(version, approver)
    version.justification = note
    audit.record(
        session, approver, "template.approved", (_TARGET, version.id),
        verdict=version.verdict, justification=note,
    )  # fmt: skip
    return version


def reject(session: Session, approver: User, version_id: int, reason: str) -> TemplateVersion:
    """Send a submitted version back for good, with the reason the author will read."""
    require(approver, "template.reject")
    version = get_version(session, version_id)
    _check_decider(version, approver)
    if not reason.strip():
        raise InputError("a rejection needs a reason")
    _move(version, {"submitted"}, "rejected")
    _decide(version, approver)
    version.rejection_reason = reason.strip()
    audit.record(
        session, approver, "template.rejected", (_TARGET, version.id), reason=reason.strip()
    )
    return version


def _check_decider(version: TemplateVersion, approver: User) -> None:
    if approver.id == version.author_id:
        raise PermissionDenied(
            f"user {approver.username!r} wrote this version and cannot decide it"
        )


def _decide(version: TemplateVersion, approver: User) -> None:
    version.decided_by_id = approver.id
    version.decided_at = utc_now()


def _move(version: TemplateVersion, allowed_from: set[str], target: str) -> None:
    if version.state not in allowed_from:
        raise InputError(
            f"template version {version.id} cannot go from {version.state!r} to {target!r}"
        )
    version.state = target
