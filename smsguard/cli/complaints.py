"""``smsguard complaints``: the complaints desk (cases, deadlines, reminders, statistics).

The commands only translate: each builds the desk for one institution, calls one method and
prints the result. Reading needs no user, like ``campaigns status``; every change names the
acting user (``--as``), whose roles the desk checks. ``reminders`` is meant for cron: it
opens cases for new SMS complaints, sends pending acknowledgements, and records and prints
the reminders and escalations that are due, each exactly once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, TypeVar

import click

from smsguard.cli._context import CliState

if TYPE_CHECKING:
    from smsguard.complaints.desk import ComplaintView
    from smsguard.complaints.service import ComplaintService

T = TypeVar("T")
_INSTITUTION = click.option("--institution", "code", required=True, help="Institution code.")
_ACTOR = click.option("--as", "username", required=True, help="Username of the person acting.")
_ID = click.argument("complaint_id", type=int)


def _with_desk(
    state: CliState, code: str, work: Callable[[ComplaintService], T], *, notices: bool = False
) -> T:
    from smsguard.bootstrap import build_database
    from smsguard.complaints.wiring import build_complaints
    from smsguard.customers import institution_id_for

    database = build_database(state.settings)
    try:
        institution_id = institution_id_for(database, code)
        return work(build_complaints(state.settings, database, institution_id, notices=notices))
    finally:
        database.dispose()


def _line(view: ComplaintView) -> str:
    links = f"campaign {view.campaign_id or '-'} template {view.template_version_id or '-'} "
    links += f"log {view.log_index if view.log_index is not None else '-'}"
    return (
        f"#{view.complaint_id} {view.status:<12} {view.channel:<3} {view.category:<19} "
        f"received {view.received_at:%Y-%m-%d %H:%M} due {view.due_at:%Y-%m-%d %H:%M} "
        f"{links}"
    )


@click.group("complaints")
def complaints() -> None:
    """Handle complaints within their legal deadlines (regulations.md §D1)."""


@complaints.command("list")
@click.option("--status", default=None, help="Only this status, or 'open'.")
@_INSTITUTION
@click.pass_obj
def list_command(state: CliState, status: str | None, code: str) -> None:
    """Cases, oldest first (new SMS complaints are collected first)."""

    def work(desk: ComplaintService) -> list[ComplaintView]:
        desk.collect_replies()
        return desk.cases(status)

    for view in _with_desk(state, code, work):
        click.echo(_line(view))


@complaints.command("show")
@_ID
@_INSTITUTION
@click.pass_obj
def show_command(state: CliState, complaint_id: int, code: str) -> None:
    """One case with its links and whole history (no texts, no numbers)."""
    view, entries = _with_desk(state, code, lambda d: d.show(complaint_id))
    click.echo(_line(view))
    click.echo(
        f"  customer {view.customer_id or '-'} message {view.message_id or '-'} "
        f"consent {view.consent_id or '-'} assignee {view.assignee_id or '-'} "
        f"extensions {view.extensions} round {view.round}"
    )
    for entry in entries:
        move = f"{entry.from_status or '-'} → {entry.to_status}" if entry.to_status else ""
        click.echo(
            f"  {entry.at:%Y-%m-%d %H:%M} {entry.kind:<10} {entry.action:<28} {move} "
            f"by {entry.actor} {json.dumps(entry.detail, ensure_ascii=False)}"
        )


@complaints.command("acknowledge")
@_ID
@_INSTITUTION
@click.pass_obj
def acknowledge_command(state: CliState, complaint_id: int, code: str) -> None:
    """Queue the approved acknowledgement SMS (template complaint-ack)."""
    notice = _with_desk(state, code, lambda d: d.acknowledge(complaint_id), notices=True)
    click.echo(
        f"complaint {complaint_id}: acknowledgement "
        f"{'queued' if notice.sent else 'NOT sent: ' + notice.reason}"
    )


@complaints.command("assign")
@_ID
@click.argument("assignee")
@_INSTITUTION
@_ACTOR
@click.pass_obj
def assign_command(
    state: CliState, complaint_id: int, assignee: str, code: str, username: str
) -> None:
    """Give a case to a handler (who must not have written or approved the message)."""
    _with_desk(state, code, lambda d: d.assign(complaint_id, username, assignee))
    click.echo(f"complaint {complaint_id}: assigned to {assignee}")


@complaints.command("extend")
@_ID
@click.option("--reason", required=True, help="Reason code, e.g. complex, especially-complex.")
@click.option("--approved-by", default=None, help="Compliance officer approving the 2nd one.")
@_INSTITUTION
@_ACTOR
@click.pass_obj
def extend_command(
    state: CliState,
    complaint_id: int,
    reason: str,
    approved_by: str | None,
    code: str,
    username: str,
) -> None:
    """Extend the deadline (to 30 days; then by 30 more with approval and a notice)."""
    notice = _with_desk(
        state,
        code,
        lambda d: d.extend(complaint_id, username, reason, approved_by),
        notices=approved_by is not None,
    )
    click.echo(f"complaint {complaint_id}: extended")
    if notice is not None:
        click.echo(
            f"  notice to complainant: {'queued' if notice.sent else 'NOT sent: ' + notice.reason}"
        )


@complaints.command("resolve")
@_ID
@click.option("--text", required=True, help="The decision, as told to the complainant.")
@_INSTITUTION
@_ACTOR
@click.pass_obj
def resolve_command(
    state: CliState, complaint_id: int, text: str, code: str, username: str
) -> None:
    """Record the decision (stored encrypted); the deadline clock stops."""
    _with_desk(state, code, lambda d: d.resolve(complaint_id, username, text))
    click.echo(f"complaint {complaint_id}: resolved")


@complaints.command("close")
@_ID
@_INSTITUTION
@_ACTOR
@click.pass_obj
def close_command(state: CliState, complaint_id: int, code: str, username: str) -> None:
    """Close a resolved case."""
    _with_desk(state, code, lambda d: d.close(complaint_id, username))
    click.echo(f"complaint {complaint_id}: closed")


@complaints.command("reopen")
@_ID
@click.option("--reason", required=True, help="Reason code, e.g. disputed-decision.")
@_INSTITUTION
@_ACTOR
@click.pass_obj
def reopen_command(
    state: CliState, complaint_id: int, reason: str, code: str, username: str
) -> None:
    """Take a resolved or closed case up again (a new round with a fresh deadline)."""
    _with_desk(state, code, lambda d: d.reopen(complaint_id, username, reason))
    click.echo(f"complaint {complaint_id}: reopened")


@complaints.command("recategorise")
@_ID
@click.argument("category")
@click.option("--reason", required=True, help="Reason code, e.g. misfiled.")
@_INSTITUTION
@_ACTOR
@click.pass_obj
def recategorise_command(
    state: CliState, complaint_id: int, category: str, reason: str, code: str, username: str
) -> None:
    """File a case under another category (recorded in its history)."""
    _with_desk(state, code, lambda d: d.recategorise(complaint_id, username, category, reason))
    click.echo(f"complaint {complaint_id}: now in category {category}")


@complaints.command("reminders")
@_INSTITUTION
@click.pass_obj
def reminders_command(state: CliState, code: str) -> None:
    """Collect SMS complaints, acknowledge, and print reminders and escalations now due."""

    def work(desk: ComplaintService) -> None:
        for complaint_id in desk.collect_replies():
            click.echo(f"complaint {complaint_id}: opened from an SMS reply")
        for complaint_id, notice in desk.acknowledge_pending().items():
            if not notice.sent:
                click.echo(f"complaint {complaint_id}: acknowledgement NOT sent: {notice.reason}")
        for due in desk.due_reminders():
            alert = due.alert
            what = "ESCALATION: overdue" if alert.kind == "escalation" else f"{alert.percent}%"
            click.echo(
                f"complaint {due.complaint_id}: {alert.deadline} deadline "
                f"{alert.due_at:%Y-%m-%d %H:%M} {what}"
            )

    _with_desk(state, code, work, notices=True)


@complaints.command("stats")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="First day (UTC); default: 30 days ago.",
)
@click.option(
    "--until",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Day after the last (UTC); default: tomorrow.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_INSTITUTION
@click.pass_obj
def stats_command(
    state: CliState, since: datetime | None, until: datetime | None, as_json: bool, code: str
) -> None:
    """Volume, categories, time to resolve and share resolved within the deadline."""
    today = datetime.now(UTC).date()
    start = _day(since.date() if since else today - timedelta(days=30))
    end = _day(until.date() if until else today + timedelta(days=1))
    figures = _with_desk(state, code, lambda d: d.stats(start, end)).to_dict()
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    for name, value in figures.items():
        click.echo(f"{name}: {value}")


def _day(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)
