"""``smsguard intel export|import|peer|feed-key``: signed STIX feeds between institutions.

The intel group attaches these with :func:`register`, passing the two functions that know
the database: ``source`` (the indicators an institution shares, optionally only those
changed since an instant) and ``sink`` (store a peer's verified indicators; returns how many
were taken). This module only reads and writes files under the home (docs/intel-stix.md).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import click

from smsguard.cli._context import CliState
from smsguard.errors import InputError
from smsguard.intel.model import Indicator, utc

Source = Callable[[CliState, str, datetime | None], list[Indicator]]
Sink = Callable[[CliState, str, list[Indicator], str], int]
MAX_PROBLEMS_SHOWN = 20


def sent_sequences(home: Path) -> Path:
    """The sequences this home has issued, by producing institution."""
    return home / "intel" / "feed-sequences.json"


def received_sequences(home: Path, code: str) -> Path:
    """The last sequence institution ``code`` accepted from each peer."""
    return home / "intel" / f"received-sequences-{code}.json"


def register(group: click.Group, source: Source, sink: Sink) -> None:
    """Add ``export``, ``import``, ``peer`` and ``feed-key`` to ``group``."""

    @group.command("export")
    @click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--format", "fmt", type=click.Choice(["stix"]), default="stix", show_default=True)
    @click.option("--institution", "code", required=True, help="The producing institution.")
    @click.option("--since", default=None, help="Only indicators changed since (ISO 8601).")
    @click.pass_obj
    def export_command(state: CliState, out: Path, fmt: str, code: str, since: str | None) -> None:
        """Write the institution's shared indicators to OUT as a signed STIX 2.1 feed."""
        from smsguard._files import write_atomically
        from smsguard.intel.feed import FileSequenceMemory, feed_bytes, load_feed_key, sign_feed
        from smsguard.intel.stix import bundle_of

        home = state.settings.home
        signer = load_feed_key(home, code)  # fail before reading anything
        indicators = source(state, code, _instant(since))
        bundle = bundle_of(indicators, code)
        memory = FileSequenceMemory(sent_sequences(home))
        sequence = (memory.get(code) or 0) + 1
        memory.set(code, sequence)  # never issue one sequence twice, even if writing fails
        write_atomically(out, feed_bytes(sign_feed(bundle, code, sequence, signer)), mode=0o644)
        click.echo(f"{len(indicators)} indicator(s) from {code}, feed #{sequence}, in {out}")

    @group.command("import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--institution", "code", required=True, help="The receiving institution.")
    @click.option(
        "--max-age-days", type=click.IntRange(min=1), default=7, show_default=True,
        help="Refuse feeds issued longer ago than this.",
    )  # fmt: skip
    @click.pass_obj
    def import_command(state: CliState, file: Path, code: str, max_age_days: int) -> None:
        """Verify a peer's signed feed in FILE and take its indicators."""
        from smsguard.intel.feed import FileSequenceMemory, load_peers, remember, verify_feed
        from smsguard.intel.stix_import import indicators_from_bundle

        home = state.settings.home
        memory = FileSequenceMemory(received_sequences(home, code))
        feed = verify_feed(
            file.read_bytes(), load_peers(home), memory, max_age=timedelta(days=max_age_days)
        )
        indicators, problems = indicators_from_bundle(feed.bundle, producer=feed.producer)
        taken = sink(state, code, indicators, feed.producer)
        remember(memory, feed)
        for problem in problems[:MAX_PROBLEMS_SHOWN]:
            click.echo(f"refused {problem}", err=True)
        if len(problems) > MAX_PROBLEMS_SHOWN:
            click.echo(f"… and {len(problems) - MAX_PROBLEMS_SHOWN} more refused", err=True)
        click.echo(
            f"feed #{feed.sequence} from {feed.producer}: {taken} indicator(s) taken, "
            f"{len(problems)} refused"
        )

    @group.group("peer")
    def peer() -> None:
        """The peers whose signed feeds this home trusts."""

    @peer.command("add")
    @click.argument("code")
    @click.argument("vkey")
    @click.pass_obj
    def peer_add_command(state: CliState, code: str, vkey: str) -> None:
        """Trust VKEY for feeds from institution CODE (replaces CODE's earlier key)."""
        from smsguard.intel.feed import add_peer

        verifier = add_peer(state.settings.home, code, vkey)
        click.echo(f"peer {code} trusted with key {verifier.name}+{verifier.key_id.hex()}")

    @peer.command("list")
    @click.pass_obj
    def peer_list_command(state: CliState) -> None:
        """The trusted peers and their verifier keys."""
        from smsguard.intel.feed import load_peers

        for code, verifier in sorted(load_peers(state.settings.home).items()):
            click.echo(f"{code}\t{verifier.vkey}")

    @group.group("feed-key")
    def feed_key() -> None:
        """The institution's feed signing key."""

    @feed_key.command("init")
    @click.option("--institution", "code", required=True)
    @click.pass_obj
    def feed_key_init_command(state: CliState, code: str) -> None:
        """Create the feed signing key (mode 0600) and print the vkey to give to peers."""
        from smsguard.intel.feed import create_feed_key, feed_key_path

        signer = create_feed_key(state.settings.home, code)
        click.echo(f"feed key {feed_key_path(state.settings.home, code)} created; back it up")
        click.echo(f"give peers this verifier key: {signer.verifier.vkey}")


def _instant(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return utc(datetime.fromisoformat(text))
    except ValueError as exc:
        raise InputError(f"--since {text!r} is not an ISO 8601 instant") from exc
