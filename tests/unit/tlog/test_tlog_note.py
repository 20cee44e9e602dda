"""Signed notes and keys: the vectors' verdicts, exact re-signing, strict parsing."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from tlog_vectors import vectors

from smsguard.errors import LogError
from smsguard.tlog import note as notes
from smsguard.tlog.cosignature import parse_cosigner_vkey

NOTES = vectors("notes")
KEYS = {key["label"]: key for key in NOTES["keys"]}
PETER = KEYS["Go x/mod note: PeterNeumann"]


def _type(vkey: str) -> int:
    """The key type byte, read without validating the rest of the key."""
    return base64.b64decode(vkey.split("+", 2)[2])[0]


def _verifier(text: str) -> notes.Verifier:
    """Ed25519 (0x01) and cosignature/v1 (0x04) keys; any other type is refused."""
    try:
        kind = _type(text)
    except (IndexError, ValueError):
        kind = 0x01  # malformed: let the real parser say why
    return parse_cosigner_vkey(text) if kind == 0x04 else notes.parse_vkey(text)


@pytest.mark.parametrize("key", [k for k in NOTES["keys"] if "vkey" in k], ids=lambda k: k["label"])
def test_key_ids_are_recomputed(key: dict[str, Any]) -> None:
    if key["signature_type"] not in ("0x01", "0x04"):
        with pytest.raises(LogError, match=r"type|bytes"):
            _verifier(key["vkey"])
        return
    verifier = _verifier(key["vkey"])
    assert verifier.key_id.hex() == key["key_id_hex"]
    assert verifier.public.hex() == key["public_key_hex"]
    assert verifier.vkey == key["vkey"]


@pytest.mark.parametrize("key", [k for k in NOTES["keys"] if "skey_test_only" in k], ids=str)
def test_published_skeys_derive_their_vkeys(key: dict[str, Any]) -> None:
    signer = notes.parse_skey(key["skey_test_only"])
    assert signer.verifier.vkey == key["vkey"]
    assert signer.skey == key["skey_test_only"]


def test_vkey_parsing_cases() -> None:
    for case in NOTES["vkey_parsing"]:
        text = case["vkey"]
        if text.startswith("(generated)"):
            continue
        if case["expected"] == "valid":
            assert _verifier(text).vkey == text
        else:  # invalid, ML-DSA with a wrong ID, and the unsupported ECDSA/RFC 6962 types
            with pytest.raises(LogError):
                _verifier(text)


def test_every_substring_and_byte_increment_of_a_vkey_is_refused() -> None:
    text = PETER["vkey"]
    variants = {text[i:j] for i in range(len(text)) for j in range(i, len(text) + 1)} - {text}
    variants |= {text[:i] + chr(ord(text[i]) + 1) + text[i + 1 :] for i in range(len(text))}
    for variant in variants:
        with pytest.raises(LogError):
            notes.parse_vkey(variant)


@pytest.mark.parametrize("case", NOTES["key_names"]["cases"], ids=lambda c: c["reason"])
def test_key_names(case: dict[str, Any]) -> None:
    name = case.get("name", "")
    if case["expected"] == "valid" or "azul only" in case["expected"]:
        assert notes.check_name(name or "a" * 256) is not None
    else:
        with pytest.raises(LogError):
            notes.check_name(name)


def _open(case: dict[str, Any]) -> notes.Note:
    message: str | bytes = case["note"]
    if "note_bytes_hex" in case:
        message = bytes.fromhex(case["note_bytes_hex"])
    supported = [k for k in case["trusted_vkeys"] if _type(k) in (1, 4)]
    return notes.open_note(message, [_verifier(k) for k in supported])


@pytest.mark.parametrize("case", NOTES["signed_notes"], ids=lambda c: c["id"])
def test_signed_notes(case: dict[str, Any]) -> None:
    ecdsa = any(_type(k) == 2 for k in case["trusted_vkeys"])
    if case["expected"] == "parse-only":
        parsed = notes.parse_note(case["note"])
        assert parsed.text == case["expected_text"]
        assert [s.key_id.hex() for s in parsed.signatures] == [
            s["key_id_hex"] for s in case["expected_signatures"]
        ]
    elif case["expected"] == "valid" and not ecdsa:
        opened = _open(case)
        assert list(opened.verified) == case["expected_verified_signers"]
    else:  # invalid, or valid only for an ECDSA verifier we do not support: fail closed
        with pytest.raises(LogError):
            _open(case)


def test_signing_reproduces_published_notes_exactly() -> None:
    case = next(c for c in NOTES["signed_notes"] if c["id"] == "go-sign-peter")
    signer = notes.parse_skey(case["signing_key"])
    assert notes.sign_note(case["text"], [signer]) == case["note"]
    both = next(c for c in NOTES["signed_notes"] if c["id"] == "go-add-signature-enoch")
    enoch = notes.Ed25519Signer("EnochRoot", bytes(32))
    assert notes.sign_note(case["text"], [signer, enoch]) == both["note"]


def test_round_trip_and_error_messages() -> None:
    signer = notes.Ed25519Signer.generate("example.com/log")
    message = notes.sign_note("hello\nworld\n", [signer])
    parsed = notes.parse_note(message)
    assert parsed.signatures[0].format() == message.split("\n\n")[1]
    assert notes.open_note(message, [signer.verifier]).verified == ("example.com/log",)
    stranger = notes.Ed25519Signer.generate("example.com/other")
    with pytest.raises(LogError, match="no signature from a trusted key"):
        notes.open_note(message, [stranger.verifier])
    with pytest.raises(LogError, match=r"invalid signature for key example.com/log"):
        notes.open_note(message.replace("hello", "hellO"), [signer.verifier])
    with pytest.raises(LogError, match="control character"):
        notes.sign_note("a\tb\n", [signer])
    with pytest.raises(LogError, match="non-empty and end with a newline"):
        notes.sign_note("no newline", [signer])
