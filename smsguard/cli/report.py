"""``smsguard report``: an institution's monthly report to the regulator, and its verification.

``smsguard report --institution CODE --period 2026-11 --format json --out FILE`` writes the
report; the JSON form is signed with the institution's transparency-log key (or ``--key``).
``smsguard report verify FILE --vkey VKEY`` checks a signed report offline and exits 2 with
the failed check named on any change (docs/reports.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

import click

from smsguard.cli._context import CliState

if TYPE_CHECKING:
    from smsguard.reports.service import Format

_FORMATS = ("json", "xlsx", "pdf")


@click.group("report", invoke_without_command=True)
@click.option("--institution", "code", default=None, help="Institution code.")
@click.option("--period", default=None, help="Calendar month YYYY-MM, in the institution's zone.")
@click.option(
    "--format", "fmt", type=click.Choice(_FORMATS), default="json", show_default=True,
    help="json (signed), xlsx or pdf.",
)  # fmt: skip
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write.")  # fmt: skip
@click.option("--key", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Signing key (skey) for JSON; default: the institution's log key.")  # fmt: skip
@click.option("--font", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="CJK font file for the PDF; default: an installed one.")  # fmt: skip
@click.pass_context
def report(
    ctx: click.Context, code: str | None, period: str | None, fmt: str, out: Path | None,
    key: Path | None, font: Path | None,
) -> None:  # fmt: skip
    """Write an institution's monthly report (or `verify` a signed one)."""
    if ctx.invoked_subcommand is not None:
        return
    missing = [name for name, value in (("--institution", code), ("--period", period),
                                        ("--out", out)) if value is None]  # fmt: skip
    if missing:
        raise click.UsageError(f"missing {', '.join(missing)}")
    assert code is not None and period is not None and out is not None
    _write(ctx.ensure_object(CliState), code, period, fmt, out, key, font)


def _write(
    state: CliState, code: str, period: str, fmt: str, out: Path, key: Path | None,
    font: Path | None,
) -> None:  # fmt: skip
    from smsguard._files import write_atomically
    from smsguard.bootstrap import build_database
    from smsguard.reports import build_report, render, report_signer

    settings = state.settings
    signer = report_signer(settings, code, key) if fmt == "json" else None
    database = build_database(settings)
    try:
        made = build_report(settings, database, code, period)
    finally:
        database.dispose()
    data = render(made, cast("Format", fmt), signer=signer, font=font)
    write_atomically(out, data, mode=0o644)
    signed = f", signed by {signer.verifier.vkey}" if signer is not None else ""
    click.echo(f"report of {code} for {made.period} ({fmt}) written to {out}{signed}")


@report.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--vkey", required=True, help="The institution's verifier key, or a file holding it.")
@click.option("--log-vkey", default=None, help="The log's vkey if the report used another key.")
def verify_command(file: Path, vkey: str, log_vkey: str | None) -> None:
    """Check a signed JSON report against VKEY; exit 2 naming the failed check."""
    from smsguard.reports import verify_report

    log_key = _key_text(log_vkey) if log_vkey is not None else None
    verified = verify_report(file.read_bytes(), _key_text(vkey), log_key)
    log = (
        f"; log checkpoint of size {verified.checkpoint_size} verified"
        if verified.checkpoint_size is not None
        else "; no log checkpoint quoted"
    )
    click.echo(
        f"OK: report of {verified.institution} for {verified.period} signed by "
        f"{verified.key_name}; sha256 {verified.sha256}{log}"
    )


def _key_text(value: str) -> str:
    """A vkey given as text or as the path of a file holding it."""
    path = Path(value)
    return path.read_text(encoding="utf-8") if path.is_file() else value
