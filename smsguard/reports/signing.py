"""The signed JSON form of a monthly report, and its verification.

The file is one JSON object (written in the layout of :func:`canonical.pretty_bytes`)::

    {"format": "smsguard-monthly-report/v1", "report": {...}, "signature": "<signed note>"}

``signature`` is a C2SP signed note (:mod:`smsguard.tlog.note`) whose text binds the report::

    smsguard-monthly-report/v1
    institution haojie
    period 2026-11
    sha256 <hex SHA-256 of the canonical (RFC 8785) bytes of "report">

It is signed with the institution's transparency-log key, so a regulator checks the report
and the log's checkpoints against the one vkey the institution publishes. A note of this
shape can never be mistaken for a checkpoint (a checkpoint's second line is a tree size, a
decimal; here it is ``institution …``), so one key can sign both without a signature on one
being replayable as the other.

Verification fails closed, and says which check failed: the file must be exactly the bytes
smsguard writes for its content (any edit, even of white space, is refused), the signature
must verify under the given vkey, the signed digest must match the report, and a quoted log
checkpoint must verify under the same key.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from smsguard.errors import LogError
from smsguard.reports.canonical import canonical_bytes, pretty_bytes, strict_loads
from smsguard.reports.model import ReportError
from smsguard.tlog.checkpoint import open_checkpoint
from smsguard.tlog.note import Ed25519Verifier, Signer, open_note, parse_vkey, sign_note

FORMAT = "smsguard-monthly-report/v1"
_FIELDS = {"format", "report", "signature"}
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


@dataclass(frozen=True)
class VerifiedReport:
    """What a successful verification established."""

    institution: str
    period: str
    key_name: str
    sha256: str
    checkpoint_size: int | None
    report: dict[str, Any]


def note_text(report: dict[str, Any]) -> str:
    """The signed statement: format, institution, period and the report's digest."""
    code, period = report.get("institution"), report.get("period")
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise ReportError(f"report institution {code!r} is not an institution code")
    if not isinstance(period, str) or not _PERIOD.fullmatch(period):
        raise ReportError(f"report period {period!r} is not YYYY-MM")
    digest = hashlib.sha256(canonical_bytes(report)).hexdigest()
    return f"{FORMAT}\ninstitution {code}\nperiod {period}\nsha256 {digest}\n"


def sign_report(report: dict[str, Any], signer: Signer) -> bytes:
    """The signed report file's bytes."""
    envelope = {
        "format": FORMAT,
        "report": report,
        "signature": sign_note(note_text(report), [signer]),
    }
    return pretty_bytes(envelope)


def verify_report(data: bytes, vkey: str, log_vkey: str | None = None) -> VerifiedReport:
    """Check a signed report file against ``vkey`` (and its quoted checkpoint against
    ``log_vkey``, by default the same key); ReportError naming the failed check."""
    envelope = _envelope(data)
    report, note = envelope["report"], envelope["signature"]
    verifier = _verifier(vkey)
    try:
        opened = open_note(note, [verifier])
    except LogError as exc:
        raise ReportError(f"the signature does not verify with key {verifier.name}: {exc}") from exc
    expected = note_text(report)
    if opened.text != expected:
        raise ReportError(_mismatch(opened.text, expected))
    return VerifiedReport(
        institution=report["institution"],
        period=report["period"],
        key_name=verifier.name,
        sha256=expected.rsplit(" ", 1)[1].strip(),
        checkpoint_size=_check_checkpoint(report, _verifier(log_vkey) if log_vkey else verifier),
        report=report,
    )


def _envelope(data: bytes) -> dict[str, Any]:
    envelope = strict_loads(data)
    if not isinstance(envelope, dict) or set(envelope) != _FIELDS:
        raise ReportError(f"the file is not a signed report (expected fields {sorted(_FIELDS)})")
    if envelope["format"] != FORMAT:
        raise ReportError(f"format {envelope['format']!r} is not {FORMAT!r}")
    if not isinstance(envelope["report"], dict) or not isinstance(envelope["signature"], str):
        raise ReportError("report must be an object and signature a string")
    written = pretty_bytes(envelope)
    if written != data:
        offset = next(
            (i for i, (a, b) in enumerate(zip(written, data, strict=False)) if a != b),
            min(len(written), len(data)),
        )
        raise ReportError(
            f"the file differs from the bytes smsguard writes for its content at byte {offset}; "
            "it was edited after signing"
        )
    return envelope


def _verifier(vkey: str) -> Ed25519Verifier:
    try:
        return parse_vkey(vkey.strip())
    except LogError as exc:
        raise ReportError(f"the vkey is not usable: {exc}") from exc


def _mismatch(signed: str, expected: str) -> str:
    for signed_line, expected_line in zip(signed.splitlines(), expected.splitlines(), strict=False):
        if signed_line != expected_line:
            field = expected_line.split(" ", 1)[0]
            if field == "sha256":
                return "the report's content does not match the signed digest: it was changed"
            return f"the signed {field} ({signed_line!r}) is not the report's ({expected_line!r})"
    return "the signed statement is not the one this report calls for"


def _check_checkpoint(report: dict[str, Any], verifier: Ed25519Verifier) -> int | None:
    """The quoted log checkpoint must be signed by the same key and agree with its fields."""
    quoted = report.get("checkpoint")
    if quoted is None:
        return None
    if not isinstance(quoted, dict) or not isinstance(quoted.get("note"), str):
        raise ReportError("the report's checkpoint is not an object with a signed note")
    try:
        checkpoint, _ = open_checkpoint(quoted["note"], [verifier], origin=verifier.name)
    except LogError as exc:
        raise ReportError(f"the quoted log checkpoint does not verify: {exc}") from exc
    signed = (checkpoint.origin, checkpoint.size, base64.b64encode(checkpoint.root).decode())
    if (quoted.get("origin"), quoted.get("size"), quoted.get("root")) != signed:
        raise ReportError("the quoted checkpoint's origin, size or root differ from its note")
    return checkpoint.size
