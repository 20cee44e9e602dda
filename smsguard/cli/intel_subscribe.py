"""``smsguard intel subscribe``: the peers whose signed feeds this home polls.

``add`` records a subscription in ``<home>/intel/subscriptions.yaml`` (the peer's code, the
base URL of its smsguard service, the file holding the API key it issued to us, and the
receiving institution); ``list`` and ``remove`` manage them; ``poll`` polls each once now
(``smsguard serve`` polls every ``intel_poll_seconds`` by itself). The intel group attaches
these with :func:`register` (docs/intel-taxii.md).
"""

from __future__ import annotations

from pathlib import Path

import click

from smsguard.cli._context import CliState


def register(group: click.Group) -> None:
    """Add the ``subscribe`` group to ``group``."""

    @group.group("subscribe")
    def subscribe() -> None:
        """Poll peers' signed feeds over HTTP (docs/intel-taxii.md)."""

    @subscribe.command("add")
    @click.argument("peer")
    @click.argument("url")
    @click.option(
        "--api-key-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
        required=True, help="File holding the API key the peer issued to us (intel.read).",
    )  # fmt: skip
    @click.option("--institution", "code", required=True, help="The receiving institution.")
    @click.option("--collection", default=None, help="The peer's collection id (informational).")
    @click.pass_obj
    def add_command(
        state: CliState, peer: str, url: str, api_key_file: Path, code: str,
        collection: str | None,
    ) -> None:  # fmt: skip
        """Poll PEER's smsguard service at URL for institution --institution."""
        from smsguard.intel.subscribe import Subscription, add_subscription, load_subscriptions

        home = state.settings.home
        subscription = Subscription(peer, url, api_key_file.resolve(), code, collection)
        add_subscription(home, subscription)
        load_subscriptions(home)  # check what was written reads back
        click.echo(f"{code} subscribes to {peer} at {url}")

    @subscribe.command("list")
    @click.pass_obj
    def list_command(state: CliState) -> None:
        """Subscriptions with their cursor (the last change taken)."""
        from smsguard.intel.subscribe import cursor_of, load_subscriptions

        home = state.settings.home
        for s in load_subscriptions(home):
            click.echo(f"{s.institution}\t{s.peer}\t{s.url}\t{cursor_of(home, s) or '-'}")

    @subscribe.command("remove")
    @click.argument("peer")
    @click.option("--institution", "code", required=True)
    @click.pass_obj
    def remove_command(state: CliState, peer: str, code: str) -> None:
        """Stop polling PEER for --institution."""
        from smsguard.errors import InputError
        from smsguard.intel.subscribe import remove_subscription

        if not remove_subscription(state.settings.home, code, peer):
            raise InputError(f"{code} has no subscription to {peer}")
        click.echo(f"{code} no longer subscribes to {peer}")

    @subscribe.command("poll")
    @click.pass_obj
    def poll_command(state: CliState) -> None:
        """Poll every subscription once now; exit 1 when any poll failed."""
        from functools import partial

        from smsguard.bootstrap import build_database, build_intel_context
        from smsguard.intel.subscribe import Poller

        database = build_database(state.settings)
        try:
            poller = Poller(
                state.settings.home,
                database,
                partial(build_intel_context, state.settings, database),
            )
            results = poller.round()
        finally:
            database.dispose()
        failed = False
        for key, result in results.items():
            if isinstance(result, str):
                failed = True
                click.echo(f"{key}: failed: {result}", err=True)
                continue
            c = result.counts
            click.echo(
                f"{key}: feed #{result.sequence}, {c.added} added, {c.updated} updated, "
                f"{c.revoked} revoked, {c.unchanged} unchanged, {result.refused} refused"
            )
        if failed:
            raise SystemExit(1)
