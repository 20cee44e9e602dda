"""Oversight pages: the monitor's alerts and actions, the audit trail and the transparency
log's status (the complaints desk is in pages_complaints.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from smsguard.api.security import Services, acting_user
from smsguard.errors import SmsguardError
from smsguard.monitor_actions import actions_in_force, reverse_action
from smsguard.monitor_alerts import list_alerts
from smsguard.reports.logstate import latest_checkpoint
from smsguard.store.tenancy import tenant_session
from smsguard.tlog.checkpoint import parse_checkpoint
from smsguard.tlog.cosignature import verify_cosignatures
from smsguard.tlog.log import local_paths
from smsguard.tlog.note import parse_note
from smsguard.tlog.store import CHECKPOINT
from smsguard.tlog.witness_client import COSIGNED_FILE, load_witnesses
from smsguard.web import queries
from smsguard.web.auth import Poster, Viewer, need
from smsguard.web.render import page, redirect

router = APIRouter(include_in_schema=False)
AUDIT_PAGE = 50
ALERT_PAGE = 50
Note = Annotated[str, Form(max_length=500)]


@router.get("/alerts")
def alerts(request: Request, services: Services, who: Viewer, page_no: int = 0) -> HTMLResponse:
    need(who, "alert.read")
    page_no = max(0, page_no)
    with tenant_session(services.database, who.institution_id) as session:
        found = list_alerts(session, limit=ALERT_PAGE, offset=page_no * ALERT_PAGE)
        in_force = actions_in_force(session)
    older = (page_no + 1) * ALERT_PAGE < found.total
    return page(request, "alerts.html", rows=found.items, actions=in_force, page_no=page_no,
                older=older, may_reverse=who.may("alert.reverse"))  # fmt: skip


@router.post("/alerts/actions/{action_id}/reverse")
def reverse(action_id: int, services: Services, who: Poster, reason: Note = "") -> RedirectResponse:
    need(who, "alert.reverse")
    with tenant_session(services.database, who.institution_id) as session:
        reverse_action(session, acting_user(session, who), action_id, reason)
    return redirect("/alerts")


@router.get("/audit")
def audit(request: Request, services: Services, who: Viewer, page_no: int = 0) -> HTMLResponse:
    need(who, "audit.read")
    page_no = max(0, page_no)
    with tenant_session(services.database, who.institution_id) as session:
        rows, older = queries.audit_page(session, page_no, AUDIT_PAGE)
        shown = [(row, json.dumps(row.detail, ensure_ascii=False, sort_keys=True)) for row in rows]
    return page(request, "audit.html", rows=shown, page_no=page_no, older=older)


@dataclass(frozen=True)
class Cosigned:
    """A witness's verified cosignature of a checkpoint of ``size`` entries."""

    name: str
    at: datetime
    size: int


def _cosignatures(folder: Path) -> list[Cosigned]:
    path = folder / COSIGNED_FILE
    if not path.exists():
        return []
    stored = path.read_text(encoding="utf-8")
    verified = verify_cosignatures(stored, [w.verifier for w in load_witnesses(folder)])
    size = parse_checkpoint(parse_note(stored).text).size
    return [Cosigned(c.name, datetime.fromtimestamp(c.timestamp, UTC), size) for c in verified]


@router.get("/log")
def log_status(request: Request, services: Services, who: Viewer) -> HTMLResponse:
    settings = services.settings
    code = queries.institution_code(services.database, who.institution_id)
    folder = local_paths(settings.home, code)[0]
    state, witnesses, problem, when = None, list[Cosigned](), None, None
    try:
        state = latest_checkpoint(settings.home, code, settings.log_storage, services.database,
                                  who.institution_id)  # fmt: skip
        if state is not None:
            witnesses = _cosignatures(folder)
            stamp = folder / CHECKPOINT
            if stamp.exists():
                when = datetime.fromtimestamp(stamp.stat().st_mtime, UTC)
    except (SmsguardError, OSError, ValueError) as exc:
        problem = getattr(exc, "message", None) or str(exc)
    return page(
        request, "log.html", state=state, witnesses=witnesses, problem=problem, checkpoint_time=when
    )
