"""The log entry for one SMS: who sent what, when, without revealing the number or the text.

An entry is compact JSON with sorted keys and exactly these fields::

    {"campaign":"c-7","commitment":"<64 hex>","institution":"haojie","message":"m-1",
     "template_version":"tv-3","time":1767225600,"v":1}

``time`` is Unix seconds (UTC). Identifiers are 1..128 characters from ``[A-Za-z0-9._:@/+=-]``,
so the JSON needs no escapes and has one spelling; the parser re-serialises what it read
and refuses any byte that differs (fail closed: a second spelling of an entry would give a
second leaf hash for the same SMS).

The commitment binds the recipient and the exact text under a secret salt::

    SHA-256("smsguard/tlog/sms-commitment/v1" || 0x00 || salt (32 bytes)
            || uint32be(len(number)) || number || uint32be(len(text)) || text)

with ``number`` the E.164 form in ASCII and ``text`` the exact UTF-8 bytes sent (no
normalisation). Without the salt nobody can test a guessed number: an unsalted hash of a
phone number would fall to trying all 10^10 numbers. Erasure is destroying the salt; the
entry stays in the log (logs are append-only) but can no longer be linked to anyone.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass
from typing import Any

from smsguard.errors import LogError

SALT_SIZE = 32
VERSION = 1
_DOMAIN = b"smsguard/tlog/sms-commitment/v1\x00"
_IDENTIFIER = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_FIELDS = ("campaign", "commitment", "institution", "message", "template_version", "time", "v")
_MAX_TIME = 2**63 - 1


def new_salt() -> bytes:
    """A fresh 32-byte secret salt; keep it with the message, destroy it to erase."""
    return os.urandom(SALT_SIZE)


def commit(salt: bytes, number: str, text: str) -> bytes:
    """The salted commitment to (recipient, exact text)."""
    if len(salt) != SALT_SIZE:
        raise LogError(f"salt is {len(salt)} bytes, not {SALT_SIZE}")
    if not _E164.fullmatch(number):
        raise LogError("recipient is not an E.164 number (+ and 7..15 digits)")
    raw_number, raw_text = number.encode("ascii"), text.encode("utf-8")
    return hashlib.sha256(
        _DOMAIN
        + salt
        + len(raw_number).to_bytes(4, "big")
        + raw_number
        + len(raw_text).to_bytes(4, "big")
        + raw_text
    ).digest()


@dataclass(frozen=True)
class SmsLeaf:
    """One logged SMS; ``commitment`` is :func:`commit` of its salt, recipient and text."""

    institution: str
    template_version: str
    campaign: str
    message: str
    time: int
    commitment: bytes

    def __post_init__(self) -> None:
        for name in ("institution", "template_version", "campaign", "message"):
            if not _IDENTIFIER.fullmatch(getattr(self, name)):
                raise LogError(f"leaf {name} is not 1..128 characters of [A-Za-z0-9._:@/+=-]")
        if not 0 <= self.time <= _MAX_TIME:
            raise LogError(f"leaf time {self.time} is out of range")
        if len(self.commitment) != 32:
            raise LogError(f"leaf commitment is {len(self.commitment)} bytes, not 32")

    def to_dict(self) -> dict[str, Any]:
        return {
            "campaign": self.campaign,
            "commitment": self.commitment.hex(),
            "institution": self.institution,
            "message": self.message,
            "template_version": self.template_version,
            "time": self.time,
            "v": VERSION,
        }

    def to_bytes(self) -> bytes:
        """The canonical serialisation: the bytes that are hashed into the log."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":")).encode()

    def matches(self, salt: bytes, number: str, text: str) -> bool:
        """Whether this entry commits to ``number`` and ``text`` under ``salt``."""
        return hmac.compare_digest(commit(salt, number, text), self.commitment)


def leaf_from_dict(data: Any) -> SmsLeaf:
    """An entry from its JSON object, checking the field set and every type."""
    if not isinstance(data, dict) or tuple(sorted(data)) != _FIELDS:
        raise LogError(f"leaf must be an object with exactly the fields {', '.join(_FIELDS)}")
    if data["v"] != VERSION or type(data["v"]) is not int:
        raise LogError(f"leaf version {data['v']!r} is not {VERSION}")
    if type(data["time"]) is not int:
        raise LogError("leaf time must be an integer (Unix seconds)")
    text_fields = ("institution", "template_version", "campaign", "message", "commitment")
    for name in text_fields:
        if not isinstance(data[name], str):
            raise LogError(f"leaf {name} must be a string")
    if not _HEX64.fullmatch(data["commitment"]):
        raise LogError("leaf commitment must be 64 lowercase hex digits")
    return SmsLeaf(
        institution=data["institution"],
        template_version=data["template_version"],
        campaign=data["campaign"],
        message=data["message"],
        time=data["time"],
        commitment=bytes.fromhex(data["commitment"]),
    )


def parse_leaf(raw: bytes) -> SmsLeaf:
    """Parse a serialised entry; anything but the canonical bytes is refused."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise LogError("leaf is not UTF-8 JSON") from exc
    leaf = leaf_from_dict(data)
    if leaf.to_bytes() != raw:
        raise LogError("leaf is not in canonical form (sorted keys, no spaces)")
    return leaf


def verify_commitment(leaf: SmsLeaf, salt: bytes, number: str, text: str) -> None:
    """Raise LogError unless the entry commits to this recipient and text under this salt."""
    if not leaf.matches(salt, number, text):
        raise LogError(
            f"message {leaf.message}: the recipient, text or salt does not match the commitment"
        )


def leaves_from_jsonl(text: str, *, institution: str) -> list[SmsLeaf]:
    """Entries from JSON Lines (one object per line, blank lines skipped), all for one institution.

    The first bad line stops the import with its line number: a log cannot take part of an
    audit file and leave the rest for later without the two halves diverging.
    """
    leaves: list[SmsLeaf] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            leaf = leaf_from_dict(json.loads(line))
        except ValueError as exc:
            raise LogError(f"line {number}: not a JSON object") from exc
        except LogError as exc:
            raise LogError(f"line {number}: {exc.message}") from exc
        if leaf.institution != institution:
            raise LogError(f"line {number}: entry of {leaf.institution!r} in {institution!r}'s log")
        leaves.append(leaf)
    return leaves
