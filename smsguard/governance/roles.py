"""Roles and the permission table: the single place that says which role may do what.

Permissions are a table, not scattered ``if`` statements, so the table in docs/governance.md
can be checked against it and a reviewer sees every grant at once. Approving is also gated on
a current training certification: the regulation holds the approving officer personally
responsible, and an officer whose training has lapsed must not sign off messages.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from smsguard.errors import InputError, PermissionDenied
from smsguard.store.models import User, utc_now


class Role(StrEnum):
    """The roles a user can hold; values are what the ``users.roles`` column stores."""

    MARKETER = "marketer"
    COMPLIANCE_OFFICER = "compliance_officer"
    AUDITOR = "auditor"
    REGULATOR = "regulator"
    ADMIN = "admin"


_M, _C, _A, _R, _D = (
    Role.MARKETER,
    Role.COMPLIANCE_OFFICER,
    Role.AUDITOR,
    Role.REGULATOR,
    Role.ADMIN,
)

PERMISSIONS: dict[str, frozenset[Role]] = {
    "template.draft": frozenset({_M}),
    "template.screen": frozenset({_M, _C}),
    "template.submit": frozenset({_M}),
    "template.approve": frozenset({_C}),
    "template.reject": frozenset({_C}),
    "campaign.create": frozenset({_M}),
    "campaign.approve": frozenset({_C}),
    "campaign.start": frozenset({_M}),
    "campaign.pause": frozenset({_M, _C, _D}),
    "campaign.resume": frozenset({_M}),
    "campaign.complete": frozenset({_M, _D}),
    "message.send": frozenset({_M}),
    "audit.read": frozenset({_C, _A, _R, _D}),
    "report.cross_institution": frozenset({_R}),
    "users.manage": frozenset({_D}),
    "decrypt.restore": frozenset({_C, _D}),
    # Reading and operating through the HTTP service and the dashboard.
    "screen.use": frozenset({_M, _C}),
    "template.read": frozenset({_M, _C, _A, _D}),
    "campaign.read": frozenset({_M, _C, _A, _D}),
    "customer.import": frozenset({_M, _D}),
    "consent.withdraw": frozenset({_M, _C, _D}),
    # Whether a number may be marketed to: a yes/no with a reason, never the record itself.
    "consent.read": frozenset({_M, _C, _A, _D}),
    "alert.read": frozenset({_M, _C, _A, _D}),
    "alert.reverse": frozenset({_C, _D}),
    "report.read": frozenset({_C, _A, _R, _D}),
    "apikey.manage": frozenset({_D}),
    # Shared fraud indicators (docs/intel.md): analysts propose, a compliance officer confirms.
    "intel.submit": frozenset({_C}),
    "intel.confirm": frozenset({_C}),
    # TAXII (docs/intel-taxii.md): peers read the collection and the signed feed with a key
    # scoped to intel.read; a trusted peer's key may also push signed feeds (intel.write).
    "intel.read": frozenset({_C, _D}),
    "intel.write": frozenset({_C, _D}),
}

# Actions that sign something off; they also need an unexpired certification.
CERTIFIED_ACTIONS = frozenset({"template.approve", "template.reject", "campaign.approve"})


def parse_role(raw: str) -> Role:
    """A role from user input (``compliance-officer`` and ``compliance_officer`` both work)."""
    try:
        return Role(raw.strip().lower().replace("-", "_"))
    except ValueError:
        names = ", ".join(role.value for role in Role)
        raise InputError(f"unknown role {raw!r}; choose from {names}") from None


def roles_of(user: User) -> frozenset[Role]:
    """The user's roles; unknown strings in the column grant nothing rather than failing."""
    return frozenset(Role(r) for r in user.roles if r in Role.__members__.values())


def allowed(user: User, action: str) -> bool:
    """True when one of the user's roles grants ``action`` (certification not considered)."""
    return bool(roles_of(user) & _grants(action))


def require(user: User, action: str, *, now: datetime | None = None) -> None:
    """Raise PermissionDenied unless ``user`` may perform ``action`` right now."""
    if not user.active:
        raise PermissionDenied(f"user {user.username!r} is deactivated")
    if not allowed(user, action):
        needed = ", ".join(sorted(role.value for role in _grants(action)))
        raise PermissionDenied(f"user {user.username!r} may not {action}; it needs: {needed}")
    if action in CERTIFIED_ACTIONS:
        _require_certified(user, now or utc_now())


def _grants(action: str) -> frozenset[Role]:
    try:
        return PERMISSIONS[action]
    except KeyError:
        raise InputError(f"unknown action {action!r}") from None


def _require_certified(user: User, now: datetime) -> None:
    expires = as_utc(user.certification_expires_at)
    if expires is None:
        raise PermissionDenied(f"user {user.username!r} has no compliance training certification")
    if expires <= now:
        raise PermissionDenied(
            f"user {user.username!r}'s certification expired on {expires.date().isoformat()}",
            hint="Renew the training certification before approving.",
        )


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands timestamps back without a zone; they were stored in UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
