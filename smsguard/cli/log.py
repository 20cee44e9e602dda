"""``smsguard log``: an institution's transparency log of sent SMS — append, prove, verify.

The log lives in ``$SMSGUARD_HOME/tlog/<institution>/`` in the static C2SP tlog-tiles layout
(publish that folder as it is); its signing key in ``$SMSGUARD_HOME/keys/tlog-<code>.skey``
(mode 0600, never printed). ``verify`` is offline: it needs only the proof, the log's
public key and, optionally, a checkpoint fetched independently and witness keys.
``serve`` publishes the folder over HTTP; ``witness add`` and ``cosign`` collect witness
cosignatures into ``checkpoint.cosigned`` (docs/tlog.md, "Witnesses").
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from smsguard.cli._context import CliState

if TYPE_CHECKING:
    from smsguard.tlog.http import Server
    from smsguard.tlog.log import TransparencyLog

_INSTITUTION = click.option("--institution", "code", required=True, help="Institution code.")


def _open(state: CliState, code: str) -> TransparencyLog:
    """The institution's log, from a folder or the database as ``log_storage`` says."""
    from smsguard.tlog.log import open_local_log

    if state.settings.log_storage != "database":
        return open_local_log(state.settings.home, code)
    from smsguard.bootstrap import build_database, open_transparency_log
    from smsguard.customers import institution_id_for

    database = build_database(state.settings)  # released when the command's process ends
    return open_transparency_log(state.settings, database, institution_id_for(database, code), code)


def _folder(state: CliState, code: str) -> Path:
    from smsguard.tlog.log import local_paths

    return local_paths(state.settings.home, code)[0]


@click.group("log")
def log() -> None:
    """Transparency log of sent SMS: append, checkpoint, prove, verify."""


@log.command("init")
@_INSTITUTION
@click.option("--origin", default=None, help="Origin line (default: smsguard.example/<code>).")
@click.pass_obj
def init_command(state: CliState, code: str, origin: str | None) -> None:
    """Create the institution's signing key (mode 0600) and its empty log."""
    from smsguard.tlog.log import create_local_log, local_paths

    opened = create_local_log(state.settings.home, code, origin)
    folder, key_file = local_paths(state.settings.home, code)
    click.echo(f"log {opened.origin} created in {folder}; key {key_file} (back it up)")
    click.echo(opened.signer.verifier.vkey)


@log.command("pubkey")
@_INSTITUTION
@click.pass_obj
def pubkey_command(state: CliState, code: str) -> None:
    """Print the log's verifier key (vkey): what consumers and witnesses trust."""
    click.echo(_open(state, code).signer.verifier.vkey)


@log.command("checkpoint")
@_INSTITUTION
@click.option("--cosigned", is_flag=True, help="The latest checkpoint cosigned by witnesses.")
@click.pass_obj
def checkpoint_command(state: CliState, code: str, cosigned: bool) -> None:
    """Print the latest signed checkpoint (or the latest witness-cosigned one)."""
    if cosigned:
        from smsguard.tlog.witness_client import read_cosigned

        click.echo(read_cosigned(_folder(state, code)), nl=False)
        return
    click.echo(_open(state, code).checkpoint(), nl=False)


@log.command("append")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_INSTITUTION
@click.pass_obj
def append_command(state: CliState, file: Path, code: str) -> None:
    """Append FILE (JSON Lines, one leaf entry object per line) as one durable batch."""
    from smsguard.tlog.leaf import leaves_from_jsonl

    leaves = leaves_from_jsonl(file.read_text(encoding="utf-8"), institution=code)
    opened = _open(state, code)
    first, _ = opened.append([leaf.to_bytes() for leaf in leaves])
    if leaves:
        click.echo(f"{len(leaves)} entries appended as {first}..{first + len(leaves) - 1}")
    click.echo(f"log size {opened.size}")


@log.command("prove")
@_INSTITUTION
@click.option("--index", type=click.IntRange(min=0), required=True, help="Entry index.")
@click.option("--size", type=click.IntRange(min=1), default=None, help="Tree size (default: all).")
@click.option("--json", "as_json", is_flag=True, help="Print the proof file `verify` reads.")
@click.option("--cosigned", is_flag=True, help="Prove against the latest cosigned checkpoint.")
@click.pass_obj
def prove_command(
    state: CliState, code: str, index: int, size: int | None, as_json: bool, cosigned: bool
) -> None:
    """Prove entry INDEX is in the tree of SIZE entries (the checkpoint's size by default)."""
    from smsguard.tlog.verify import EntryProof

    opened = _open(state, code)
    note = opened.checkpoint()
    if cosigned:
        note, size = _cosigned_note(state, code)
    tree_size = opened.size if size is None else size
    proof = EntryProof(
        entry=opened.entry(index),
        leaf_index=index,
        tree_size=tree_size,
        proof=tuple(opened.inclusion_proof(index, tree_size)),
        checkpoint=note if tree_size == _note_size(note) else "",
    )
    if as_json:
        click.echo(proof.to_json())
        return
    click.echo(f"entry {index} of {tree_size}: leaf hash {proof.to_dict()['leaf_hash']}")
    for item in proof.proof:
        click.echo(item.hex())


@log.command("consistency")
@_INSTITUTION
@click.option("--from", "old", type=click.IntRange(min=1), required=True, help="Older size.")
@click.option("--to", "new", type=click.IntRange(min=1), default=None, help="Newer size.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def consistency_command(
    state: CliState, code: str, old: int, new: int | None, as_json: bool
) -> None:
    """Prove the tree of size --to extends the tree of size --from."""
    opened = _open(state, code)
    target = opened.size if new is None else new
    hashes = [item.hex() for item in opened.consistency_proof(old, target)]
    if as_json:
        data = {"from": old, "to": target, "consistency_proof": hashes}
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"consistency {old} -> {target}: {len(hashes)} hashes")
    for item in hashes:
        click.echo(item)


@log.command("verify")
@click.argument("proof_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--vkey", "vkeys", multiple=True, required=True, help="Trusted log vkey.")
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A checkpoint obtained independently (default: the one in the proof file).",
)
@click.option("--origin", default=None, help="Require this origin line.")
@click.option("--witness", "witnesses", multiple=True, help="Witness cosigner vkey (type 0x04).")
@click.option("--quorum", type=click.IntRange(min=0), default=None, help="Witnesses required.")
def verify_command(
    proof_file: Path,
    vkeys: tuple[str, ...],
    checkpoint_file: Path | None,
    origin: str | None,
    witnesses: tuple[str, ...],
    quorum: int | None,
) -> None:
    """Check PROOF_FILE offline: exit 0 if the entry is in the signed log, 2 with the reason."""
    from smsguard.tlog.cosignature import Group, parse_cosigner_vkey
    from smsguard.tlog.note import parse_vkey
    from smsguard.tlog.verify import proof_from_json, verify_entry_proof

    proof = proof_from_json(proof_file.read_text(encoding="utf-8"))
    members = [parse_cosigner_vkey(text) for text in witnesses]
    policy = Group(len(members) if quorum is None else quorum, members) if members else None
    checkpoint = checkpoint_file.read_text(encoding="utf-8") if checkpoint_file else None
    signed = verify_entry_proof(
        proof,
        [parse_vkey(text) for text in vkeys],
        origin=origin,
        witnesses=policy,
        checkpoint=checkpoint,
    )
    click.echo(f"ok: entry {proof.leaf_index} is in {signed.origin} at size {signed.size}")


def _note_size(note: str) -> int:
    from smsguard.tlog.checkpoint import parse_checkpoint
    from smsguard.tlog.note import parse_note

    return parse_checkpoint(parse_note(note).text).size


def _cosigned_note(state: CliState, code: str) -> tuple[str, int]:
    from smsguard.tlog.witness_client import read_cosigned

    note = read_cosigned(_folder(state, code))
    return note, _note_size(note)


# -- serving and witnesses ------------------------------------------------------------------

_HOST = click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
_PORT = click.option(
    "--port", type=click.IntRange(0, 65535), default=8080, show_default=True, help="0: any."
)


@log.command("serve")
@_INSTITUTION
@_HOST
@_PORT
@click.pass_obj
def serve_command(state: CliState, code: str, host: str, port: int) -> None:
    """Serve the log folder over HTTP as C2SP tlog-tiles (checkpoint, tiles, entries)."""
    from smsguard.tlog.http import make_server

    folder = _folder(state, code)
    _open(state, code)  # refuse to serve a log that does not exist or does not verify
    serve_until_interrupted(make_server(host, port, log_root=folder), f"log {code}")


def serve_until_interrupted(server: Server, what: str) -> None:
    """Print the URL (flushed: scripts wait for it), serve until Ctrl-C, then close."""
    click.echo(f"serving {what} on {server.url}")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.server_close()


@log.group("witness")
def witness_group() -> None:
    """Witnesses this log asks to cosign its checkpoints."""


@witness_group.command("add")
@_INSTITUTION
@click.option("--url", required=True, help="The witness's submission prefix (http[s]://…).")
@click.option("--vkey", required=True, help="The witness's cosigner vkey (type 0x04).")
@click.pass_obj
def witness_add_command(state: CliState, code: str, url: str, vkey: str) -> None:
    """Configure a witness for this log (stored in the log folder's witnesses.json)."""
    from smsguard.tlog.witness_client import add_witness

    _open(state, code)
    config = add_witness(_folder(state, code), url, vkey)
    click.echo(f"witness {config.verifier.name} at {config.url} added")


@witness_group.command("list")
@_INSTITUTION
@click.pass_obj
def witness_list_command(state: CliState, code: str) -> None:
    """List the configured witnesses and the size each last cosigned."""
    from smsguard.tlog.witness_client import load_witnesses

    for config in load_witnesses(_folder(state, code)):
        click.echo(f"{config.verifier.vkey} {config.url} size {config.size}")


@log.command("cosign")
@_INSTITUTION
@click.pass_obj
def cosign_command(state: CliState, code: str) -> None:
    """Submit the latest checkpoint to every witness; store checkpoint.cosigned."""
    from smsguard.errors import LogError
    from smsguard.tlog.witness_client import cosign

    opened = _open(state, code)
    _, outcomes = cosign(opened, _folder(state, code))
    for outcome in outcomes:
        name = outcome.config.verifier.name
        status = "cosigned" if outcome.lines else f"FAILED: {outcome.error}"
        click.echo(f"{name}: {status}")
    failed = sum(1 for outcome in outcomes if not outcome.lines)
    click.echo(f"size {opened.size}: {len(outcomes) - failed} of {len(outcomes)} witnesses")
    if failed:
        raise LogError(f"{failed} of {len(outcomes)} witnesses did not cosign")
