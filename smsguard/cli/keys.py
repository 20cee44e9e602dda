"""``smsguard keys``: create the key files and rotate the master key.

Key material is only ever written to 0600 files and never printed; the commands print key
ids and counts. Rotation appends a master key instead of replacing one, so data keys wrapped
under the old key keep unwrapping while the re-wrap runs: no downtime, no field rewritten.
"""

from __future__ import annotations

from pathlib import Path

import click

from smsguard.cli._context import CliState


@click.group("keys")
def keys() -> None:
    """Master and blind-index key files for customer data."""


@keys.command("init")
@click.pass_obj
def init_command(state: CliState) -> None:
    """Create the master and index key files (mode 0600); existing files are kept as they are."""
    from smsguard.protect import generate_key_file

    settings = state.settings
    for kind, path in (
        ("master", settings.effective_master_key_file),
        ("index", settings.effective_index_key_file),
    ):
        if path.exists():
            click.echo(f"{kind} key file {path} exists; kept")
            continue
        _private_dir(path.parent)
        key_id = generate_key_file(path)
        click.echo(f"{kind} key file {path} created (key {key_id}); back it up")


def _private_dir(folder: Path) -> None:
    """The key folder, created readable by its owner only."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)


@keys.command("inbound-token")
@click.argument("code")
@click.pass_obj
def inbound_token_command(state: CliState, code: str) -> None:
    """Create (or replace) the token of institution CODE's provider callback URLs."""
    from smsguard.gateway.inbound_push import new_inbound_token

    token = new_inbound_token(state.settings, code)
    base = f"/api/v1/inbound/{code}/{token}"
    click.echo(f"inbound token for {code} written; the old one, if any, no longer works")
    click.echo(f"Aliyun pushes:  {base}/aliyun/report   {base}/aliyun/mo")
    click.echo(f"Kannel:         {base}/kannel/dlr      {base}/kannel/mo")


@keys.command("rotate")
@click.pass_obj
def rotate_command(state: CliState) -> None:
    """Add a new master key and re-wrap every institution's data keys under it."""
    from smsguard.bootstrap import build_database, build_master_key_provider
    from smsguard.customers import rotate_all
    from smsguard.protect import FileKeyProvider, add_key_to_file

    build_master_key_provider(state.settings)  # fail closed before touching anything
    path = state.settings.effective_master_key_file
    key_id = add_key_to_file(path)
    database = build_database(state.settings)
    try:
        counts = rotate_all(database, FileKeyProvider(path))
    finally:
        database.dispose()
    for count in counts:
        click.echo(f"{count.institution_code}: {count.rewrapped} data key(s) re-wrapped")
    total = sum(count.rewrapped for count in counts)
    click.echo(f"master key {key_id} active; {total} data key(s) in {len(counts)} institution(s)")
