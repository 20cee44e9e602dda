"""The consumer's offline check, end to end, and what each kind of tampering is reported as."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from smsguard.errors import LogError
from smsguard.tlog.cosignature import CosignatureSigner, Group
from smsguard.tlog.leaf import SmsLeaf, commit
from smsguard.tlog.log import TransparencyLog
from smsguard.tlog.note import Ed25519Signer, add_signatures
from smsguard.tlog.store import MemoryTileStore
from smsguard.tlog.verify import EntryProof, proof_from_json, verify_entry_proof, verify_sms

SIGNER = Ed25519Signer("smsguard.example/haojie", bytes(32))
SALT = bytes(range(32))
NUMBER, TEXT = "+8613812345678", "【好借银行】还款提醒。拒收请回复R"


def _logged() -> tuple[TransparencyLog, EntryProof]:
    log = TransparencyLog.open(MemoryTileStore(), SIGNER, SIGNER.name)
    leaves = [
        SmsLeaf("haojie", "tv-1", "c-1", f"m-{i}", 1767225600 + i, commit(SALT, NUMBER, f"{i}"))
        for i in range(40)
    ]
    ours = replace(leaves[17], commitment=commit(SALT, NUMBER, TEXT))
    log.append([leaf.to_bytes() for leaf in [*leaves[:17], ours, *leaves[18:]]])
    proof = EntryProof(ours.to_bytes(), 17, 40, tuple(log.inclusion_proof(17)), log.checkpoint())
    return log, proof


def test_consumer_verifies_the_sms_they_received() -> None:
    _, proof = _logged()
    leaf = verify_sms(proof, [SIGNER.verifier], salt=SALT, number=NUMBER, text=TEXT)
    assert leaf.message == "m-17"
    round_tripped = proof_from_json(proof.to_json())
    assert round_tripped == proof
    with pytest.raises(LogError, match="does not match the commitment"):
        verify_sms(proof, [SIGNER.verifier], salt=SALT, number=NUMBER, text=TEXT + "!")


def test_each_failure_names_its_step() -> None:
    _, proof = _logged()
    keys = [SIGNER.verifier]
    stranger = Ed25519Signer.generate("smsguard.example/haojie").verifier
    with pytest.raises(LogError, match=r"^checkpoint: note has no signature from a trusted key"):
        verify_entry_proof(proof, [stranger])
    with pytest.raises(LogError, match=r"^checkpoint: .*not the expected"):
        verify_entry_proof(proof, keys, origin="smsguard.example/other")
    tampered = replace(proof, entry=proof.entry.replace(b"m-17", b"m-18"))
    with pytest.raises(LogError, match=r"^inclusion: .*does not lead to the root"):
        verify_entry_proof(tampered, keys)
    with pytest.raises(LogError, match=r"^inclusion: .*has 5 hashes, not 6"):
        verify_entry_proof(replace(proof, proof=proof.proof[:-1]), keys)
    with pytest.raises(LogError, match="proof is for tree size 41"):
        verify_entry_proof(replace(proof, tree_size=41), keys)
    forged = proof.checkpoint.replace("\n40\n", "\n41\n")
    with pytest.raises(LogError, match=r"^checkpoint: invalid signature"):
        verify_entry_proof(proof, keys, checkpoint=forged)


def test_witness_policy() -> None:
    _, proof = _logged()
    witnesses = [CosignatureSigner(f"w{i}.example", bytes([i]) * 32, now=lambda: 5) for i in (1, 2)]
    body = proof.checkpoint.split("\n\n")[0] + "\n"
    cosigned = add_signatures(proof.checkpoint, [witnesses[0].line(body)])
    policy = Group(1, [w.verifier for w in witnesses])
    verify_entry_proof(replace(proof, checkpoint=cosigned), [SIGNER.verifier], witnesses=policy)
    with pytest.raises(LogError, match=r"^witnesses: witness policy not met"):
        verify_entry_proof(proof, [SIGNER.verifier], witnesses=policy)
    both = Group(2, [w.verifier for w in witnesses])
    with pytest.raises(LogError, match=r"2 required, verified: w1.example"):
        verify_entry_proof(replace(proof, checkpoint=cosigned), [SIGNER.verifier], witnesses=both)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("entry"), "exactly the fields"),
        (lambda d: d.update(leaf_index=-1), "leaf_index is not"),
        (lambda d: d.update(leaf_hash="00" * 32), "not the hash of the entry"),
        (lambda d: d["inclusion_proof"].append("zz"), "not 64 lowercase hex"),
    ],
)
def test_proof_file_parsing_fails_closed(change: object, message: str) -> None:
    _, proof = _logged()
    data = proof.to_dict()
    change(data)  # type: ignore[operator]
    with pytest.raises(LogError, match=message):
        proof_from_json(json.dumps(data))
