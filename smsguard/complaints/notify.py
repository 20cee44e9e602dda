"""Telling the complainant: acknowledgement and extension notices as approved service SMS.

The wording of every SMS is approved by a compliance officer (docs/governance.md), so the
complaints desk never writes its own: it sends the latest approved version of a template
with a known name (``complaint-ack``, ``complaint-extended``) through the gateway's enqueuer,
which renders and re-screens it like any service message. When no such version exists, or
the plan is refused, the :class:`Notice` says why and the caller records that nothing was
sent, so the gap is visible instead of papered over with unapproved text.

Values a template may use: ``{case:integer}`` (the case number) and ``{days:integer}`` (the
days allowed so far); a template that needs anything else is refused by the renderer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select

from smsguard.errors import InputError
from smsguard.gateway.enqueue import Enqueuer
from smsguard.gateway.plan import SERVICE
from smsguard.governance.variables import placeholders
from smsguard.store import Database, tenant_session
from smsguard.store.workflow_models import Template, TemplateVersion

ACK_TEMPLATE = "complaint-ack"
EXTENSION_TEMPLATE = "complaint-extended"


@dataclass(frozen=True)
class Notice:
    """Whether a notice was queued, and why not when it was not."""

    sent: bool
    reason: str
    template_version_id: int | None = None


class Notifier(Protocol):
    """Something that can queue an approved notice to a customer."""

    def notify(self, template: str, customer_id: int, values: Mapping[str, str]) -> Notice:
        """Queue ``template`` to ``customer_id`` or say why it could not be."""


class GatewayNotifier:
    """A :class:`Notifier` that queues service messages through the gateway's enqueuer."""

    def __init__(
        self,
        database: Database,
        institution_id: int,
        enqueuer: Enqueuer,
        clock: Callable[[], datetime],
    ) -> None:
        self._database = database
        self._institution_id = institution_id
        self._enqueuer = enqueuer
        self._clock = clock

    def notify(self, template: str, customer_id: int, values: Mapping[str, str]) -> Notice:
        """Queue the latest approved version of ``template``; a Notice either way."""
        found = self._approved(template)
        if found is None:
            return Notice(False, f"no approved template named {template!r}")
        version_id, body = found
        used = {k: v for k, v in values.items() if k in placeholders(body)}
        try:
            plan = self._enqueuer.enqueue_one(version_id, customer_id, used, SERVICE, self._clock())
        except InputError as exc:
            return Notice(False, exc.message, version_id)
        if plan.state != "queued":
            return Notice(False, f"refused: {plan.reason}", version_id)
        return Notice(True, "queued", version_id)

    def _approved(self, name: str) -> tuple[int, str] | None:
        with tenant_session(self._database, self._institution_id) as session:
            row = session.execute(
                select(TemplateVersion.id, TemplateVersion.body)
                .join(Template, Template.id == TemplateVersion.template_id)
                .where(Template.name == name, TemplateVersion.state == "approved")
                .order_by(TemplateVersion.version.desc())
                .limit(1)
            ).first()
        return None if row is None else (row[0], row[1])
