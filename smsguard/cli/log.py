"""``smsguard log``: an institution's transparency log of sent SMS — append, prove, verify.

The log lives in ``$SMSGUARD_HOME/tlog/<institution>/`` in the static C2SP tlog-tiles layout
(publish that folder as it is); its signing key in ``$SMSGUARD_HOME/keys/tlog-<code>.skey``
(mode 0600, never printed). ``verify`` is offline: it needs only the proof, the log's
public key and, optionally, a checkpoint fetched independently and witness keys.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from smsguard.cli._context import CliState

if TYPE_CHECKING:
    from smsguard.tlog.log import TransparencyLog

_INSTITUTION = click.option("--institution", "code", required=True, help="Institution code.")


def _open(state: CliState, code: str) -> TransparencyLog:
    from smsguard.tlog.log import open_local_log

    return open_local_log(state.settings.home, code)


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
@click.pass_obj
def checkpoint_command(state: CliState, code: str) -> None:
    """Print the latest signed checkpoint."""
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
@click.pass_obj
def prove_command(state: CliState, code: str, index: int, size: int | None, as_json: bool) -> None:
    """Prove entry INDEX is in the tree of SIZE entries (the checkpoint's size by default)."""
    from smsguard.tlog.verify import EntryProof

    opened = _open(state, code)
    tree_size = opened.size if size is None else size
    proof = EntryProof(
        entry=opened.entry(index),
        leaf_index=index,
        tree_size=tree_size,
        proof=tuple(opened.inclusion_proof(index, tree_size)),
        checkpoint=opened.checkpoint() if tree_size == opened.size else "",
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
