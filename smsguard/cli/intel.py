"""``smsguard intel``: shared fraud indicators (candidates, confirmation, keys, feeds).

The commands only translate: each opens the institution's tenant session, calls one
function of :mod:`smsguard.intel.sources`, :mod:`~smsguard.intel.lifecycle` or
:mod:`~smsguard.intel.store` and prints the result. Every change names the acting user
(``--as``), whose roles the library checks. Key commands write 0600 files and never print
key material. ``export``, ``import``, ``peer`` and ``feed-key`` come from
:mod:`smsguard.cli.intel_feed`, given :func:`_exportable` and :func:`_save_imported`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from smsguard.cli import intel_feed, intel_subscribe
from smsguard.cli._context import CliState

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from smsguard.intel.lifecycle import IntelContext
    from smsguard.intel.model import Indicator
    from smsguard.store.models import User

T = TypeVar("T")
_INSTITUTION = click.option("--institution", "code", required=True, help="Institution code.")
_ACTOR = click.option("--as", "username", required=True, help="Username of the person acting.")


def _run(
    state: CliState,
    code: str,
    username: str | None,
    work: Callable[[Session, User | None, IntelContext], T],
) -> T:
    from smsguard.bootstrap import build_database, build_intel_context
    from smsguard.customers import institution_id_for
    from smsguard.governance.users import active_user
    from smsguard.store import tenant_session

    database = build_database(state.settings)
    try:
        institution_id = institution_id_for(database, code)
        ctx = build_intel_context(state.settings, database, institution_id)
        with tenant_session(database, institution_id) as session:
            actor = active_user(session, username) if username is not None else None
            return work(session, actor, ctx)
    finally:
        database.dispose()


def _actor(user: User | None) -> User:
    assert user is not None
    return user


@click.group("intel")
def intel() -> None:
    """Fraud indicators shared between institutions (docs/intel.md)."""


@intel.command("add")
@click.option(
    "--kind",
    type=click.Choice(["url", "domain", "phone", "text"]),
    required=True,
    help="phone: a fraudster's sender number (hashed at once); text: a fraud SMS "
    "(fingerprinted at once).",
)
@click.argument("value")
@click.option("--confidence", type=click.IntRange(0, 100), default=70, show_default=True)
@click.option(
    "--tlp",
    type=click.Choice(["clear", "green", "amber", "amber+strict", "red"]),
    default="amber",
    show_default=True,
)
@click.option("--note", default=None, help="A reference kept with it (a case number).")
@_INSTITUTION
@_ACTOR
@click.pass_obj
def add_command(
    state: CliState,
    kind: str,
    value: str,
    confidence: int,
    tlp: str,
    note: str | None,
    code: str,
    username: str,
) -> None:
    """Propose an indicator (a candidate; another officer confirms it)."""
    from smsguard.intel.model import Tlp
    from smsguard.intel.sources import add_manual

    def work(session: Session, user: User | None, ctx: IntelContext) -> int:
        return add_manual(
            session, _actor(user), kind, value, ctx, confidence=confidence, tlp=Tlp(tlp), note=note
        )

    click.echo(f"candidate indicator {_run(state, code, username, work)}")


@intel.command("from-report")
@click.argument("report_id", type=int)
@_INSTITUTION
@_ACTOR
@click.pass_obj
def from_report_command(state: CliState, report_id: int, code: str, username: str) -> None:
    """Propose the indicators of a confirmed consumer fraud report."""
    from smsguard.intel.sources import Derived, from_fraud_report

    def work(session: Session, user: User | None, ctx: IntelContext) -> Derived:
        return from_fraud_report(session, _actor(user), report_id, ctx)

    derived = _run(state, code, username, work)
    click.echo(
        f"{len(derived.created)} new candidate(s): {derived.created or '-'}; "
        f"{len(derived.existing)} known already"
    )
    for reason in derived.skipped:
        click.echo(f"skipped: {reason}")


@intel.command("confirm")
@click.argument("indicator_id", type=int)
@_INSTITUTION
@_ACTOR
@click.pass_obj
def confirm_command(state: CliState, indicator_id: int, code: str, username: str) -> None:
    """Confirm a candidate: it is shared and screened against from now on (audited)."""
    from smsguard.intel.lifecycle import confirm

    def work(session: Session, user: User | None, ctx: IntelContext) -> Indicator:
        return confirm(session, _actor(user), indicator_id, ctx)

    indicator = _run(state, code, username, work)
    click.echo(
        f"indicator {indicator_id} confirmed ({indicator.kind.value}, "
        f"expires {indicator.expires_at:%Y-%m-%d})"
    )


@intel.command("revoke")
@click.argument("indicator_id", type=int)
@click.option("--reason", required=True, help="Why it is withdrawn.")
@_INSTITUTION
@_ACTOR
@click.pass_obj
def revoke_command(
    state: CliState, indicator_id: int, reason: str, code: str, username: str
) -> None:
    """Withdraw an indicator (audited); peers learn of it from the next export."""
    from smsguard.intel.lifecycle import revoke

    def work(session: Session, user: User | None, ctx: IntelContext) -> Indicator:
        return revoke(session, _actor(user), indicator_id, reason)

    _run(state, code, username, work)
    click.echo(f"indicator {indicator_id} revoked")


@intel.command("list")
@click.option("--status", type=click.Choice(["candidate", "confirmed", "revoked"]), default=None)
@click.option("--kind", type=click.Choice(["url", "domain", "phone", "text"]), default=None)
@click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@_INSTITUTION
@click.pass_obj
def list_command(
    state: CliState, status: str | None, kind: str | None, limit: int, as_json: bool, code: str
) -> None:
    """The institution's indicators, newest first."""
    from smsguard.intel.lifecycle import IndicatorView, list_indicators

    def work(session: Session, _user: User | None, _ctx: IntelContext) -> list[IndicatorView]:
        return list_indicators(session, status=status, kind=kind, limit=limit)

    for view in _run(state, code, None, work):
        if as_json:
            data = {
                **view.__dict__,
                "last_seen": view.last_seen.isoformat(),
                "expires_at": view.expires_at.isoformat(),
            }
            click.echo(json.dumps(data, ensure_ascii=False))
            continue
        value = view.value if len(view.value) <= 60 else view.value[:24] + "…"
        epoch = f" [{view.epoch}]" if view.epoch else ""
        click.echo(
            f"#{view.id} {view.status:<9} {view.kind:<15} {value}{epoch} source {view.source} "
            f"({view.origin}{' from ' + view.peer if view.peer else ''}) "
            f"confidence {view.confidence} expires {view.expires_at:%Y-%m-%d}"
        )


@intel.command("expire")
@_INSTITUTION
@click.pass_obj
def expire_command(state: CliState, code: str) -> None:
    """Delete expired imports and revoke candidates nobody confirmed in time."""
    from smsguard.intel.lifecycle import Expired, expire

    def work(session: Session, _user: User | None, _ctx: IntelContext) -> Expired:
        return expire(session)

    done = _run(state, code, None, work)
    click.echo(
        f"{done.imported_deleted} expired import(s) deleted, "
        f"{done.candidates_revoked} stale candidate(s) revoked"
    )


@intel.group("key")
def key() -> None:
    """The consortium's monthly phone-hash keys (never printed)."""


def _this_month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


@key.command("init")
@click.option("--epoch", default=None, help="YYYY-MM (default: this month).")
@click.pass_obj
def key_init_command(state: CliState, epoch: str | None) -> None:
    """Create the consortium key file with a fresh key for one month (never overwrites)."""
    from smsguard.intel.phones import init_key_file

    path = state.settings.effective_consortium_key_file
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    init_key_file(path, epoch or _this_month())
    click.echo(
        f"consortium key file {path} created (epoch {epoch or _this_month()}); "
        "share it with the consortium's members over your secure channel"
    )


@key.command("add-epoch")
@click.argument("epoch", required=False)
@click.pass_obj
def key_add_epoch_command(state: CliState, epoch: str | None) -> None:
    """Add a fresh key for a month (default: this month)."""
    from smsguard.intel.phones import add_epoch

    add_epoch(state.settings.effective_consortium_key_file, epoch or _this_month())
    click.echo(f"epoch {epoch or _this_month()} added")


@key.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def key_import_command(state: CliState, source: Path) -> None:
    """Merge the epochs of a consortium key file received from the consortium."""
    from smsguard.intel.phones import import_keys

    path = state.settings.effective_consortium_key_file
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    added = import_keys(path, source)
    click.echo(f"{len(added)} epoch(s) added: {', '.join(added) or '-'}")


def _exportable(state: CliState, code: str, since: datetime | None) -> list[Indicator]:
    """What institution ``code`` shares: its own confirmed indicators and, so that peers
    drop them, its revoked ones (changed after ``since``, when given)."""
    from smsguard.intel.lifecycle import exportable

    def work(session: Session, _user: User | None, ctx: IntelContext) -> list[Indicator]:
        return exportable(session, since, ctx=ctx, include_revoked=True)

    return _run(state, code, None, work)


def _save_imported(state: CliState, code: str, indicators: list[Indicator], peer: str) -> int:
    """Store a peer's verified indicators for institution ``code``; print what was dropped.
    Returns how many were taken (added, updated, revoked or already known)."""
    from smsguard.intel.store import ImportCounts, save_imported

    def work(session: Session, _user: User | None, ctx: IntelContext) -> ImportCounts:
        return save_imported(
            session, indicators, peer=peer, own_code=code, allowlist=ctx.allowlist, keys=ctx.keys
        )

    counts = _run(state, code, None, work)
    click.echo(
        f"{counts.added} added, {counts.updated} updated, {counts.revoked} revoked, "
        f"{counts.unchanged} unchanged; dropped {counts.dropped_allowlisted} allow-listed, "
        f"{counts.dropped_expired} expired, {counts.dropped_own} of our own"
    )
    return counts.added + counts.updated + counts.revoked + counts.unchanged


intel_feed.register(intel, _exportable, _save_imported)
intel_subscribe.register(intel)
