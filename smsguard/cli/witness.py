"""``smsguard witness``: run a C2SP tlog-witness that cosigns other parties' logs.

The witness keeps its cosigning key, the log keys it trusts, one state file per log and its
split-view alerts under ``$SMSGUARD_HOME/witness/`` (see :mod:`smsguard.tlog.witness_store`).
Trusted logs are read when ``serve`` starts: restart it after ``trust-log``.
"""

from __future__ import annotations

import click

from smsguard.cli._context import CliState
from smsguard.cli.log import serve_until_interrupted


@click.group("witness")
def witness() -> None:
    """A transparency-log witness: check consistency, cosign, alert on split views."""


@witness.command("init")
@click.option("--name", required=True, help="The witness's key name, e.g. witness.example/w1.")
@click.pass_obj
def init_command(state: CliState, name: str) -> None:
    """Create the witness's cosigning key (mode 0600) and print its vkey."""
    from smsguard.tlog.witness_store import create_witness_key

    click.echo(create_witness_key(state.settings.home, name).verifier.vkey)


@witness.command("pubkey")
@click.pass_obj
def pubkey_command(state: CliState) -> None:
    """Print the witness's cosigner vkey: what logs and verifiers configure."""
    from smsguard.tlog.witness_store import load_witness_key

    click.echo(load_witness_key(state.settings.home).verifier.vkey)


@witness.command("trust-log")
@click.option("--vkey", required=True, help="The log's vkey; its name is the log's origin.")
@click.pass_obj
def trust_log_command(state: CliState, vkey: str) -> None:
    """Cosign checkpoints of the log with this key (origin = the key's name)."""
    from smsguard.tlog.witness_store import trust_log

    verifier = trust_log(state.settings.home, vkey)
    click.echo(f"trusting log {verifier.name}")


@witness.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8081, show_default=True, help="0: any."
)
@click.pass_obj
def serve_command(state: CliState, host: str, port: int) -> None:
    """Answer POST /add-checkpoint until interrupted."""
    from smsguard.tlog.http import make_server
    from smsguard.tlog.witness_store import open_local_witness

    opened = open_local_witness(state.settings.home)
    if not opened.logs:
        click.echo("warning: no trusted logs yet (smsguard witness trust-log)", err=True)
    server = make_server(host, port, witness=opened)
    serve_until_interrupted(server, f"witness {opened.signer.name}")
