"""Who may read and handle complaints, and who may approve the further extension.

Built on :mod:`smsguard.governance.roles` (the same roles and the same certification rule)
but kept as its own small table so the complaints desk does not widen the governance table
that docs/governance.md mirrors. Handling a complaint about a message is refused to anyone
who wrote its template or set up or approved its campaign: regulations.md §D1 requires
handlers to have no conflict of interest.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from smsguard.errors import PermissionDenied
from smsguard.governance.roles import Role, as_utc, roles_of
from smsguard.governance.users import active_user
from smsguard.store.complaint_models import Complaint
from smsguard.store.models import User
from smsguard.store.workflow_models import Campaign, TemplateVersion

_C, _D, _A, _R = Role.COMPLIANCE_OFFICER, Role.ADMIN, Role.AUDITOR, Role.REGULATOR
COMPLAINT_PERMISSIONS: dict[str, frozenset[Role]] = {
    "complaint.read": frozenset({_C, _D, _A, _R}),
    "complaint.handle": frozenset({_C, _D}),
    "complaint.approve_extension": frozenset({_C}),
}


def user_named(session: Session, username: str) -> User:
    """The active user of this institution called ``username``; InputError otherwise."""
    return active_user(session, username)


def require(user: User, action: str, now: datetime) -> None:
    """PermissionDenied unless ``user`` may do ``action``; approving also needs certification."""
    needed = COMPLAINT_PERMISSIONS[action]
    if not user.active or not roles_of(user) & needed:
        names = ", ".join(sorted(role.value for role in needed))
        raise PermissionDenied(f"user {user.username!r} may not {action}; it needs: {names}")
    if action == "complaint.approve_extension":
        expires = as_utc(user.certification_expires_at)
        if expires is None or expires <= now:
            raise PermissionDenied(
                f"user {user.username!r} has no current compliance training certification"
            )


def require_impartial(session: Session, user: User, complaint: Complaint) -> None:
    """PermissionDenied if ``user`` authored or approved what the complaint is about."""
    involved: set[int | None] = set()
    if complaint.template_version_id is not None:
        version = session.get(TemplateVersion, complaint.template_version_id)
        if version is not None:
            involved |= {version.author_id, version.decided_by_id}
    if complaint.campaign_id is not None:
        campaign = session.get(Campaign, complaint.campaign_id)
        if campaign is not None:
            involved |= {campaign.created_by_id, campaign.approved_by_id}
    if user.id in involved:
        raise PermissionDenied(
            f"user {user.username!r} wrote or approved the message this complaint is about "
            "and may not handle it (regulations.md §D1: no conflict of interest)"
        )
