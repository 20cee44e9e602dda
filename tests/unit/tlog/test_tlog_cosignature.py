"""cosignature/v1: the sigsum-go example, tampering, timestamps, k-of-n witness policies."""

from __future__ import annotations

from typing import Any

import pytest
from tlog_vectors import vectors

from smsguard.errors import LogError
from smsguard.tlog import cosignature as cosig
from smsguard.tlog.note import parse_note, parse_skey

NOTES = vectors("notes")
COSIG = NOTES["cosignatures"]
SIGSUM = COSIG["verified_example_sigsum"]
KEYS = {key["name"]: key for key in NOTES["keys"] if "name" in key}


def _sigsum_witness(now: int = SIGSUM["timestamp"]) -> cosig.CosignatureSigner:
    seed = bytes.fromhex(SIGSUM["witness_seed_hex"])
    return cosig.CosignatureSigner(SIGSUM["witness_name"], seed, now=lambda: now)


def test_signed_messages() -> None:
    for case in COSIG["signed_message_examples"]:
        message = cosig.signed_message(case["checkpoint_body"], case["timestamp"])
        assert message.decode() == case["signed_message"]
    spec = COSIG["c2sp_spec_example"]
    line = parse_note(spec["cosigned_checkpoint"]).signatures[1]
    assert line.key_id.hex() == spec["decoded"]["key_id_hex"]
    assert cosig.timestamp_of(line.signature) == spec["decoded"]["timestamp"]
    assert line.signature[8:].hex() == spec["decoded"]["ed25519_signature_hex"]


def test_sigsum_cosignature_verifies_and_is_reproduced() -> None:
    witness = _sigsum_witness()
    assert witness.verifier.vkey == SIGSUM["witness_vkey_derived"]
    assert cosig.parse_cosigner_vkey(SIGSUM["witness_vkey_derived"]) == witness.verifier
    found = cosig.verify_cosignatures(SIGSUM["cosigned_note_valid"], [witness.verifier])
    assert [(c.name, c.timestamp) for c in found] == [(SIGSUM["witness_name"], 1234)]
    valid_line = SIGSUM["cosignature_lines"][1]["line"]
    assert witness.line(SIGSUM["checkpoint_body"]).format() == valid_line + "\n"


@pytest.mark.parametrize("variant", SIGSUM["derived_invalid_variants"], ids=lambda v: v["reason"])
def test_tampered_cosigned_notes_fail(variant: dict[str, Any]) -> None:
    with pytest.raises(LogError, match=r"invalid cosignature from witness example.org/witness"):
        cosig.verify_cosignatures(variant["note"], [_sigsum_witness().verifier])


def test_lines_for_other_keys_are_ignored_and_a_wrong_length_known_line_fails() -> None:
    body = SIGSUM["checkpoint_body"]
    lines = [case["line"] for case in SIGSUM["cosignature_lines"]]
    verifier = _sigsum_witness().verifier
    ignored = body + "\n" + lines[0] + "\n" + lines[2] + "\n"
    assert cosig.verify_cosignatures(ignored, [verifier]) == []
    strict = body + "\n" + lines[1] + "\n" + lines[3] + "\n"  # 78 bytes, name and ID match
    with pytest.raises(LogError, match="invalid cosignature"):
        cosig.verify_cosignatures(strict, [verifier])


def test_timestamp_extraction() -> None:
    for case in COSIG["timestamp_extraction"]["cases"]:
        if case["expected"] == "valid":
            stamp = cosig.timestamp_from_base64(case["signature_b64"])
            assert stamp == case["expected_timestamp"]
        else:
            with pytest.raises(LogError):
                cosig.timestamp_from_base64(case["signature_b64"])


def test_timestamp_beyond_int63_is_refused() -> None:
    case = COSIG["line_parsing"]["cases"][0]
    line = parse_note("x\n\n" + case["line"] + "\n").signatures[0]
    assert cosig.timestamp_of(line.signature) == case["expected"]["timestamp"]
    with pytest.raises(LogError, match="out of range"):
        cosig.signed_message("x\n", case["expected"]["timestamp"])


def _witness(name: str) -> cosig.CosignatureSigner:
    seed = bytes.fromhex(KEYS[name]["seed_hex"])
    assert parse_skey(KEYS[name]["skey_test_only"]).key_id.hex() == KEYS[name]["key_id_hex"]
    return cosig.CosignatureSigner(name, seed, now=lambda: 1_700_000_000)


def _group(text: str) -> cosig.Group:
    """The Go test's NewGroup(...) expressions, spelled out."""
    w1, w2, w3 = (_witness(f"Wit{i}").verifier for i in (1, 2, 3))
    groups = {
        "NewGroup(1, wit1)": cosig.Group(1, [w1]),
        "NewGroup(0, wit1)": cosig.Group(0, [w1]),
        "NewGroup(1, NewGroup(1, wit1))": cosig.Group(1, [cosig.Group(1, [w1])]),
        "NewGroup(0, NewGroup(1, wit1))": cosig.Group(0, [cosig.Group(1, [w1])]),
        "NewGroup(2, wit1, NewGroup(1, wit2, wit3))": cosig.Group(
            2, [w1, cosig.Group(1, [w2, w3])]
        ),
        "Group{} (empty)": cosig.Group(0, []),
    }
    return groups[text]


@pytest.mark.parametrize(
    "case", NOTES["witness"]["witness_groups_k_of_n"]["cases"], ids=lambda c: str(c)
)
def test_k_of_n(case: dict[str, Any]) -> None:
    body = "sign me\nI'm a\nnote\n"
    lines = "".join(_witness(name).line(body).format() for name in case["signed_by"])
    note = body + "\n" + (lines or "— someone AAAAAAAAAAAAAAAAAAAAAAAA\n")
    group = _group(case["group"])
    if case["satisfied"]:
        found = cosig.check_policy(note, group)
        assert {c.name for c in found} <= set(case["signed_by"])
    else:
        with pytest.raises(LogError, match="witness policy not met"):
            cosig.check_policy(note, group)


def test_quorum_larger_than_group_is_refused() -> None:
    with pytest.raises(LogError, match="quorum 2"):
        cosig.Group(2, [_witness("Wit1").verifier])
