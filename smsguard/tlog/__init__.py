"""The transparency log: RFC 6962 Merkle tree, C2SP tiles, signed checkpoints, witnesses.

Pure core (no I/O): :mod:`.merkle`, :mod:`.tiles`, :mod:`.note`, :mod:`.checkpoint`,
:mod:`.cosignature`, :mod:`.leaf`, :mod:`.verify`, :mod:`.witness`. Storage: :mod:`.store`
and :mod:`.log`, which appends and serves proofs, and :mod:`.witness_store`. Edges:
:mod:`.http` (serving a log and a witness) and :mod:`.witness_client` (collecting
cosignatures). See ``docs/tlog.md``.
"""

from __future__ import annotations

from .checkpoint import Checkpoint, open_checkpoint, parse_checkpoint
from .cosignature import CosignatureSigner, CosignatureVerifier, Group, parse_cosigner_vkey
from .leaf import SmsLeaf, commit, new_salt, parse_leaf
from .log import TransparencyLog
from .note import Ed25519Signer, Ed25519Verifier, open_note, parse_skey, parse_vkey, sign_note
from .store import DirectoryTileStore, MemoryTileStore, TileStore
from .verify import EntryProof, proof_from_json, verify_entry_proof, verify_sms

__all__ = [
    "Checkpoint",
    "CosignatureSigner",
    "CosignatureVerifier",
    "DirectoryTileStore",
    "Ed25519Signer",
    "Ed25519Verifier",
    "EntryProof",
    "Group",
    "MemoryTileStore",
    "SmsLeaf",
    "TileStore",
    "TransparencyLog",
    "commit",
    "new_salt",
    "open_checkpoint",
    "open_note",
    "parse_checkpoint",
    "parse_cosigner_vkey",
    "parse_leaf",
    "parse_skey",
    "parse_vkey",
    "proof_from_json",
    "sign_note",
    "verify_entry_proof",
    "verify_sms",
]
