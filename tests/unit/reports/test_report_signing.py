"""The signed JSON form verifies under the institution's vkey, and any change is refused."""

from __future__ import annotations

import json
import time

import pytest
from sample_report import DELIVERED, log_with_entries, sample_report

from smsguard.errors import LogError
from smsguard.reports.canonical import canonical_bytes, pretty_bytes, strict_loads
from smsguard.reports.json_form import report_dict, signed_json
from smsguard.reports.model import ReportError
from smsguard.reports.signing import note_text, sign_report, verify_report
from smsguard.tlog.checkpoint import parse_checkpoint
from smsguard.tlog.note import Ed25519Signer

SIGNER = Ed25519Signer.generate("smsguard.example/haojie")
VKEY = SIGNER.verifier.vkey


@pytest.fixture(scope="module")
def signed() -> bytes:
    return signed_json(sample_report(SIGNER), SIGNER)


def test_a_signed_report_verifies_under_the_log_key(signed: bytes) -> None:
    verified = verify_report(signed, VKEY)
    assert (verified.institution, verified.period) == ("haojie", "2026-11")
    assert verified.key_name == "smsguard.example/haojie" and verified.checkpoint_size == 5
    assert verified.report["volumes"]["delivered"] == DELIVERED
    assert "好借银行" in signed.decode("utf-8")  # UTF-8, not \\u escapes


def test_every_one_byte_change_fails(signed: bytes) -> None:
    started = time.monotonic()
    for offset in range(len(signed)):
        changed = bytearray(signed)
        changed[offset] ^= 0x01
        with pytest.raises(ReportError):
            verify_report(bytes(changed), VKEY)
    assert time.monotonic() - started < 60


def test_a_changed_figure_breaks_the_digest_with_a_precise_error(signed: bytes) -> None:
    envelope = json.loads(signed)
    envelope["report"]["volumes"]["delivered"] += 1
    with pytest.raises(ReportError, match="does not match the signed digest"):
        verify_report(pretty_bytes(envelope), VKEY)


def test_edited_layout_is_refused_even_when_the_content_is_the_same(signed: bytes) -> None:
    compact = json.dumps(json.loads(signed), ensure_ascii=False, sort_keys=True).encode()
    with pytest.raises(ReportError, match="edited after signing"):
        verify_report(compact, VKEY)


def test_another_key_does_not_verify(signed: bytes) -> None:
    stranger = Ed25519Signer.generate("smsguard.example/haojie")
    with pytest.raises(ReportError, match="does not verify with key"):
        verify_report(signed, stranger.verifier.vkey)
    with pytest.raises(ReportError, match="vkey is not usable"):
        verify_report(signed, "not-a-key")


def test_a_checkpoint_from_another_log_is_refused() -> None:
    report = report_dict(sample_report(SIGNER))
    other = Ed25519Signer.generate("smsguard.example/haojie")
    report["checkpoint"]["note"] = log_with_entries(other).checkpoint()
    with pytest.raises(ReportError, match="quoted log checkpoint does not verify"):
        verify_report(sign_report(report, SIGNER), VKEY)


def test_a_report_note_can_never_pass_for_a_checkpoint() -> None:
    text = note_text(report_dict(sample_report(SIGNER)))
    assert text.startswith("smsguard-monthly-report/v1\ninstitution haojie\nperiod 2026-11\n")
    with pytest.raises(LogError, match="not a decimal"):
        parse_checkpoint(text)


def test_canonical_json_refuses_floats_and_duplicate_keys() -> None:
    assert canonical_bytes({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()
    with pytest.raises(ReportError, match="float"):
        canonical_bytes({"rate": 0.5})
    with pytest.raises(ReportError, match="appears twice"):
        strict_loads(b'{"a": 1, "a": 2}')
    with pytest.raises(ReportError, match="no floats"):
        strict_loads(b'{"a": 1.0}')
    with pytest.raises(ReportError, match="not valid UTF-8"):
        strict_loads(b'{"a": "\xff"}')


def test_a_separate_report_key_needs_the_log_vkey_for_the_checkpoint() -> None:
    report_key = Ed25519Signer.generate("smsguard.example/haojie-reports")
    signed = sign_report(report_dict(sample_report(SIGNER)), report_key)
    with pytest.raises(ReportError, match="quoted log checkpoint does not verify"):
        verify_report(signed, report_key.verifier.vkey)
    verified = verify_report(signed, report_key.verifier.vkey, log_vkey=VKEY)
    assert verified.key_name == "smsguard.example/haojie-reports"
    assert verified.checkpoint_size == 5
