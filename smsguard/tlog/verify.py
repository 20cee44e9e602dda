"""Offline verification: does this entry sit in the log that these keys sign?

Everything a consumer needs travels in one :class:`EntryProof` (entry, index, inclusion
proof, signed checkpoint); what they must get elsewhere, from a source they trust, is the
log's vkey and, for a stronger claim, the witnesses' vkeys and how many must agree. The
checks run in order and a failure names the step: checkpoint signature, origin, witness
policy, proof shape, inclusion, and (for an SMS) the commitment to number and text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from smsguard.errors import LogError

from .checkpoint import Checkpoint, open_checkpoint
from .cosignature import Group, check_policy
from .leaf import SmsLeaf, parse_leaf, verify_commitment
from .merkle import leaf_hash, verify_inclusion
from .note import Verifier

_HEX32 = re.compile(r"[0-9a-f]{64}")
_FIELDS = ("checkpoint", "entry", "inclusion_proof", "leaf_hash", "leaf_index", "tree_size")


@dataclass(frozen=True)
class EntryProof:
    """An entry with its inclusion proof in the tree a signed checkpoint commits to."""

    entry: bytes
    leaf_index: int
    tree_size: int
    proof: tuple[bytes, ...]
    checkpoint: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "checkpoint": self.checkpoint,
            "entry": self.entry.decode("utf-8"),
            "inclusion_proof": [item.hex() for item in self.proof],
            "leaf_hash": leaf_hash(self.entry).hex(),
            "leaf_index": self.leaf_index,
            "tree_size": self.tree_size,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, sort_keys=True)


def _hash(text: Any, what: str) -> bytes:
    if not isinstance(text, str) or not _HEX32.fullmatch(text):
        raise LogError(f"proof file: {what} is not 64 lowercase hex digits")
    return bytes.fromhex(text)


def _natural(value: Any, what: str) -> int:
    if type(value) is not int or value < 0:
        raise LogError(f"proof file: {what} is not a non-negative integer")
    return value


def proof_from_json(text: str) -> EntryProof:
    """Parse the JSON ``smsguard log prove --json`` prints; every field is checked."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise LogError("proof file is not JSON") from exc
    if not isinstance(data, dict) or tuple(sorted(data)) != _FIELDS:
        raise LogError(f"proof file must have exactly the fields {', '.join(_FIELDS)}")
    if not isinstance(data["entry"], str) or not isinstance(data["checkpoint"], str):
        raise LogError("proof file: entry and checkpoint must be strings")
    if not isinstance(data["inclusion_proof"], list):
        raise LogError("proof file: inclusion_proof must be a list of hashes")
    proof = EntryProof(
        entry=data["entry"].encode("utf-8"),
        leaf_index=_natural(data["leaf_index"], "leaf_index"),
        tree_size=_natural(data["tree_size"], "tree_size"),
        proof=tuple(_hash(item, "an inclusion proof hash") for item in data["inclusion_proof"]),
        checkpoint=data["checkpoint"],
    )
    if _hash(data["leaf_hash"], "leaf_hash") != leaf_hash(proof.entry):
        raise LogError("proof file: leaf_hash is not the hash of the entry")
    return proof


def verify_entry_proof(
    proof: EntryProof,
    log_keys: Sequence[Verifier],
    *,
    origin: str | None = None,
    witnesses: Group | None = None,
    checkpoint: str | None = None,
) -> Checkpoint:
    """Raise LogError naming the failed step unless the entry is in the signed tree.

    ``checkpoint`` overrides the one in the proof (use a checkpoint you fetched yourself);
    its size must then equal the proof's tree size.
    """
    note = checkpoint if checkpoint is not None else proof.checkpoint
    try:
        signed, _ = open_checkpoint(note, log_keys, origin=origin)
    except LogError as exc:
        raise LogError(f"checkpoint: {exc.message}") from exc
    if witnesses is not None:
        try:
            check_policy(note, witnesses)
        except LogError as exc:
            raise LogError(f"witnesses: {exc.message}") from exc
    if signed.size != proof.tree_size:
        raise LogError(
            f"proof is for tree size {proof.tree_size}, the checkpoint is at {signed.size}"
        )
    try:
        verify_inclusion(
            leaf_hash(proof.entry), proof.leaf_index, signed.size, proof.proof, signed.root
        )
    except LogError as exc:
        raise LogError(f"inclusion: {exc.message}") from exc
    return signed


def verify_sms(
    proof: EntryProof,
    log_keys: Sequence[Verifier],
    *,
    salt: bytes,
    number: str,
    text: str,
    origin: str | None = None,
    witnesses: Group | None = None,
) -> SmsLeaf:
    """A consumer's whole check: the SMS they received is the one the institution logged."""
    verify_entry_proof(proof, log_keys, origin=origin, witnesses=witnesses)
    leaf = parse_leaf(proof.entry)
    verify_commitment(leaf, salt, number, text)
    return leaf
