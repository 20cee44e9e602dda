"""The pure half of the SMPP adapter: text ↔ short_message octets, receipts and status codes.

Kept apart from :mod:`.smpp` (sockets, threads, smpplib) so every rule that decides what goes
on the wire can be tested without a peer. Segment sizes match what screening bills
(:mod:`smsguard.screening.facts.segments`): GSM 03.38 160 septets alone or 153 per concatenated
part (an extension character costs two), UCS-2 70 UTF-16 code units alone or 67 per part. A
part never ends inside an escape pair or a surrogate pair, so every part decodes on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from smsguard.errors import ProviderError
from smsguard.gateway.providers.base import DeliveryReport, DeliveryStatus, InboundSms

Charset = Literal["gsm0338", "ascii"]

DC_DEFAULT, DC_IA5, DC_LATIN1, DC_UCS2, DC_GBK = 0x00, 0x01, 0x03, 0x08, 0x0F
ESM_UDHI = 0x40
ESM_TYPE_MASK = 0x3C  # bits 2..5: message type of a deliver_sm
ESM_SMSC_RECEIPT, ESM_SME_ACK, ESM_INTERMEDIATE = 0x04, 0x08, 0x20
MAX_PARTS = 255  # an 8-bit total-parts field

# GSM 03.38 default alphabet in code order; 0x1B is the escape to the extension table.
_GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXT = {"\f": 0x0A, "^": 0x14, "{": 0x28, "}": 0x29, "\\": 0x2F, "[": 0x3C, "~": 0x3D,
            "]": 0x3E, "|": 0x40, "€": 0x65}  # fmt: skip
_GSM_ENC = {ch: bytes([i]) for i, ch in enumerate(_GSM_BASIC) if ch != "\x1b"}
_GSM_ENC.update({ch: bytes([0x1B, code]) for ch, code in _GSM_EXT.items()})
_GSM_DEC_EXT = {code: ch for ch, code in _GSM_EXT.items()}

_SINGLE = {DC_DEFAULT: 160, DC_UCS2: 140}  # octets (septets for GSM) in an unsplit message
_PART = {DC_DEFAULT: 153, DC_UCS2: 134}  # payload per part after the 6-octet UDH


@dataclass(frozen=True)
class EncodedSms:
    """A text as it goes into submit_sm: data_coding, esm_class and each part's octets."""

    data_coding: int
    esm_class: int
    parts: tuple[bytes, ...]


Unit = tuple[bytes, int]  # one character's octets and what it costs against a part's limit


def _gsm_units(text: str, charset: Charset) -> list[Unit] | None:
    """Each character's octets and septet cost in the default alphabet, or None if one fails.

    ``ascii`` sends plain ASCII octets for SMSCs whose "default" is ASCII, but still only for
    characters GSM can carry and at GSM's cost, so the parts fit on the handset side too.
    """
    units: list[Unit] = []
    for ch in text:
        gsm = _GSM_ENC.get(ch)
        if gsm is None or (charset == "ascii" and not ch.isascii()):
            return None
        units.append((ch.encode("ascii") if charset == "ascii" else gsm, len(gsm)))
    return units


def _ucs2_units(text: str) -> list[Unit]:
    """UTF-16-BE per character: two octets in the BMP, four (a surrogate pair) above it."""
    return [(b, len(b)) for b in (ch.encode("utf-16-be") for ch in text)]


def _pack(units: list[Unit], limit: int) -> list[bytes]:
    """Greedy parts of at most ``limit`` without splitting any character's octets."""
    parts: list[bytes] = []
    current, used = bytearray(), 0
    for octets, cost in units:
        if used + cost > limit:
            parts.append(bytes(current))
            current, used = bytearray(), 0
        current += octets
        used += cost
    if current or not parts:
        parts.append(bytes(current))
    return parts


def encode_sms(text: str, reference: int, charset: Charset = "gsm0338") -> EncodedSms:
    """The submit_sm payloads for ``text``: one part, or UDH-concatenated parts.

    ``reference`` (0–255) ties the parts together on the handset; the caller keeps it
    distinct between messages sent close together to the same phone.
    """
    gsm = _gsm_units(text, charset)
    units, dc = (gsm, DC_DEFAULT) if gsm is not None else (_ucs2_units(text), DC_UCS2)
    if sum(cost for _, cost in units) <= _SINGLE[dc]:
        return EncodedSms(dc, 0, (b"".join(octets for octets, _ in units),))
    chunks = _pack(units, _PART[dc])
    if len(chunks) > MAX_PARTS:
        raise ValueError(f"text needs {len(chunks)} parts; SMPP concatenation allows 255")
    total, ref = len(chunks), reference & 0xFF
    parts = tuple(bytes([5, 0, 3, ref, total, i]) + c for i, c in enumerate(chunks, start=1))
    return EncodedSms(dc, ESM_UDHI, parts)


@dataclass(frozen=True)
class Concat:
    """The concatenation header of one received part (8- or 16-bit reference)."""

    reference: int
    total: int
    seq: int


def split_udh(payload: bytes) -> tuple[Concat | None, bytes]:
    """The concatenation info (if the UDH has any) and the payload after the UDH."""
    if not payload:
        return None, payload
    end = 1 + payload[0]
    udh, rest, concat, pos = payload[1:end], payload[end:], None, 0
    while pos + 2 <= len(udh):
        iei, length = udh[pos], udh[pos + 1]
        data = udh[pos + 2 : pos + 2 + length]
        if iei == 0x00 and length == 3:
            concat = Concat(data[0], data[1], data[2])
        elif iei == 0x08 and length == 4:
            concat = Concat((data[0] << 8) | data[1], data[2], data[3])
        pos += 2 + length
    return concat, rest


def decode_text(payload: bytes, data_coding: int, charset: Charset = "gsm0338") -> str:
    """A deliver_sm's text by its data_coding; unknown codings decode as Latin-1, never fail.

    0x0F is GBK, which Chinese SMSCs use for MOs; 0xF0–0xFF is the GSM message-class range
    (bit 2 set means 8-bit data).
    """
    if data_coding == DC_UCS2:
        return payload.decode("utf-16-be", errors="replace")
    if data_coding == DC_GBK:
        return payload.decode("gbk", errors="replace")
    if data_coding in (DC_IA5, DC_LATIN1) or (data_coding & 0xF4) == 0xF4:
        return payload.decode("latin-1")
    if data_coding == DC_DEFAULT or (data_coding & 0xF0) == 0xF0:
        return payload.decode("latin-1") if charset == "ascii" else gsm_decode(payload)
    return payload.decode("latin-1")


def gsm_decode(payload: bytes) -> str:
    """Unpacked GSM 03.38 septets to text; an unknown escape decodes as a space."""
    out: list[str] = []
    escape = False
    for octet in payload:
        if escape:
            out.append(_GSM_DEC_EXT.get(octet, " "))
            escape = False
        elif octet == 0x1B:
            escape = True
        else:
            out.append(_GSM_BASIC[octet & 0x7F])
    return "".join(out)


@dataclass
class Reassembler:
    """Joins concatenated MO parts; a message is released once every part has arrived.

    Bounded: when more than ``max_pending`` messages are incomplete, the oldest is dropped
    (a lost part must not hold memory forever).
    """

    max_pending: int = 256
    _pending: dict[tuple[str, int, int], dict[int, str]] = field(
        default_factory=dict, init=False, repr=False
    )

    def add(self, sender: str, concat: Concat | None, text: str) -> str | None:
        """The whole text when this part completes a message, else None."""
        if concat is None or concat.total <= 1:
            return text
        key = (sender, concat.reference, concat.total)
        parts = self._pending.setdefault(key, {})
        parts[concat.seq] = text
        if len(parts) < concat.total:
            if len(self._pending) > self.max_pending:
                del self._pending[next(iter(self._pending))]
            return None
        del self._pending[key]
        return "".join(parts[i] for i in sorted(parts))


@dataclass(frozen=True)
class Receipt:
    """What a delivery receipt says: the SMSC's message id, final state and error code."""

    message_id: str
    stat: str
    err: str


_RECEIPT_FIELD = re.compile(r"(id|stat|err):\s*(\S+)", re.IGNORECASE)
_STATE_TLV = {1: "ENROUTE", 2: "DELIVRD", 3: "EXPIRED", 4: "DELETED", 5: "UNDELIV",
              6: "ACCEPTD", 7: "UNKNOWN", 8: "REJECTD"}  # fmt: skip
_STAT_STATUS: dict[str, DeliveryStatus] = {
    "DELIVRD": "delivered", "DELIVERED": "delivered", "EXPIRED": "expired",
    "UNDELIV": "undelivered", "UNDELIVERABLE": "undelivered", "DELETED": "undelivered",
    "REJECTD": "rejected", "REJECTED": "rejected", "UNKNOWN": "unknown", "ACCEPTD": "unknown",
}  # fmt: skip


def parse_receipt(text: str, receipted_id: str = "", state: int | None = None) -> Receipt | None:
    """A receipt from its text (``id:… stat:DELIVRD err:000``) and/or its TLVs; TLVs win.

    The TLVs are the standard place (SMPP 3.4 §5.3.2.12, .35); the text format is only the
    spec's Appendix B suggestion, so either may be missing. None when neither names an id.
    """
    fields = {m.group(1).lower(): m.group(2) for m in _RECEIPT_FIELD.finditer(text)}
    message_id = receipted_id or fields.get("id", "")
    stat = _STATE_TLV.get(state, "") if state is not None else ""
    stat = stat or fields.get("stat", "UNKNOWN").upper()
    if not message_id:
        return None
    return Receipt(message_id, stat, fields.get("err", ""))


def receipt_status(stat: str) -> DeliveryStatus | None:
    """The delivery status a receipt's stat means; None for an intermediate ENROUTE."""
    if stat.upper() in ("ENROUTE", "ACCEPTED_INTERMEDIATE"):
        return None
    return _STAT_STATUS.get(stat.upper(), "unknown")


_STATUS_NAMES = {
    0x00: "ESME_ROK", 0x01: "ESME_RINVMSGLEN", 0x02: "ESME_RINVCMDLEN",
    0x03: "ESME_RINVCMDID", 0x04: "ESME_RINVBNDSTS", 0x05: "ESME_RALYBND",
    0x06: "ESME_RINVPRTFLG", 0x07: "ESME_RINVREGDLVFLG", 0x08: "ESME_RSYSERR",
    0x0A: "ESME_RINVSRCADR", 0x0B: "ESME_RINVDSTADR", 0x0C: "ESME_RINVMSGID",
    0x0D: "ESME_RBINDFAIL", 0x0E: "ESME_RINVPASWD", 0x0F: "ESME_RINVSYSID",
    0x11: "ESME_RCANCELFAIL", 0x13: "ESME_RREPLACEFAIL", 0x14: "ESME_RMSGQFUL",
    0x15: "ESME_RINVSERTYP", 0x33: "ESME_RINVNUMDESTS", 0x34: "ESME_RINVDLNAME",
    0x40: "ESME_RINVDESTFLAG", 0x42: "ESME_RINVSUBREP", 0x43: "ESME_RINVESMCLASS",
    0x44: "ESME_RCNTSUBDL", 0x45: "ESME_RSUBMITFAIL", 0x48: "ESME_RINVSRCTON",
    0x49: "ESME_RINVSRCNPI", 0x50: "ESME_RINVDSTTON", 0x51: "ESME_RINVDSTNPI",
    0x53: "ESME_RINVSYSTYP", 0x54: "ESME_RINVREPFLAG", 0x55: "ESME_RINVNUMMSGS",
    0x58: "ESME_RTHROTTLED", 0x61: "ESME_RINVSCHED", 0x62: "ESME_RINVEXPIRY",
    0x63: "ESME_RINVDFTMSGID", 0x64: "ESME_RX_T_APPN", 0x65: "ESME_RX_P_APPN",
    0x66: "ESME_RX_R_APPN", 0x67: "ESME_RQUERYFAIL", 0xC0: "ESME_RINVOPTPARSTREAM",
    0xC1: "ESME_ROPTPARNOTALLWD", 0xC2: "ESME_RINVPARLEN", 0xC3: "ESME_RMISSINGOPTPARAM",
    0xC4: "ESME_RINVOPTPARAMVAL", 0xFE: "ESME_RDELIVERYFAILURE", 0xFF: "ESME_RUNKNOWNERR",
}  # fmt: skip
# Refusals that say "not now" rather than "not this message": the SMSC is busy, its queue
# is full, it failed internally, the application asked for a later retry, or our bind is in
# the wrong state (the adapter rebinds). Everything else is about the message itself.
_TRANSIENT = frozenset({0x04, 0x08, 0x14, 0x58, 0x64})


def status_name(status: int) -> str:
    """The SMPP 3.4 name of a command_status; vendor codes as ``VENDOR_0x…``."""
    return _STATUS_NAMES.get(status, f"VENDOR_0x{status:04X}" if status >= 0x400 else
                             f"ESME_0x{status:02X}")  # fmt: skip


def is_transient(status: int) -> bool:
    """True when a submit_sm refused with ``status`` may succeed if sent again later."""
    return status in _TRANSIENT


def as_text(value: object) -> str:
    """A C-octet-string field as text: smpplib gives bytes, tests may give str, absent is ""."""
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return "" if value is None else str(value)


def deliver_event(
    pdu: object, reassembler: Reassembler, charset: Charset, now: datetime
) -> DeliveryReport | InboundSms | None:
    """What a deliver_sm means: a receipt, a (complete) MO, or nothing to report yet.

    ``pdu`` is anything with smpplib's deliver_sm attribute names. Receipts are recognised
    by the esm_class message type; an intermediate (ENROUTE) receipt and an MO part whose
    siblings have not all arrived give None, and the SMSC is still acknowledged.
    """
    esm = int(getattr(pdu, "esm_class", 0) or 0)
    dc = int(getattr(pdu, "data_coding", 0) or 0)
    raw = getattr(pdu, "short_message", None) or getattr(pdu, "message_payload", None) or b""
    payload = raw if isinstance(raw, bytes) else str(raw).encode("latin-1")
    if esm & ESM_TYPE_MASK in (ESM_SMSC_RECEIPT, ESM_SME_ACK, ESM_INTERMEDIATE):
        return _receipt_report(pdu, payload, now)
    concat, body = split_udh(payload) if esm & ESM_UDHI else (None, payload)
    sender = as_text(getattr(pdu, "source_addr", None))
    text = reassembler.add(sender, concat, decode_text(body, dc, charset))
    if text is None:
        return None
    recipient = as_text(getattr(pdu, "destination_addr", None))
    return InboundSms(sender=sender, text=text, received_at=now, recipient=recipient)


def _receipt_report(pdu: object, payload: bytes, now: datetime) -> DeliveryReport | None:
    """A receipt's DeliveryReport; the report time is ours (receipt dates carry no zone)."""
    state = getattr(pdu, "message_state", None)
    receipted = as_text(getattr(pdu, "receipted_message_id", None))
    receipt = parse_receipt(payload.decode("latin-1"), receipted, state)
    status = receipt_status(receipt.stat) if receipt is not None else None
    if receipt is None or status is None:
        return None
    reason = "" if status == "delivered" else f"{receipt.stat} err:{receipt.err or '-'}"
    return DeliveryReport(None, receipt.message_id, status, reason, now)


def refusal_error(message_id: str, status: int, index: int, total: int) -> ProviderError:
    """The error for a submit_sm the SMSC refused; after part 1 was taken it is permanent."""
    name = status_name(status)
    if index == 0:
        return ProviderError(
            f"SMSC refused {message_id}: {name} (0x{status:02X})",
            reason=name,
            transient=is_transient(status),
        )
    return ProviderError(
        f"SMSC refused part {index + 1}/{total} of {message_id} after earlier parts were "
        f"taken: {name}; not retried, as a resubmission would repeat those parts",
        reason=f"PARTIAL:{name}",
        transient=False,
    )


def lost_error(
    message_id: str, detail: str, written: bool, index: int, total: int, accepted: list[str]
) -> ProviderError:
    """The error for a part whose fate is unknown (no response) or that never left.

    Only "never left, nothing taken yet" may be retried: SMPP has no deduplication, so a
    written-but-unanswered submit_sm may already be on its way to the phone.
    """
    if index == 0 and not written:
        return ProviderError(
            f"{message_id} not sent: SMPP bind lost ({detail})",
            reason="SMPP_NOT_BOUND",
            transient=True,
        )
    if index == 0:
        return ProviderError(
            f"outcome of {message_id} unknown: {detail}; not retried, SMPP cannot deduplicate",
            reason="SMPP_NO_RESPONSE",
            transient=False,
            uncertain=True,
        )
    return ProviderError(
        f"{message_id}: part {index + 1}/{total} lost ({detail}) after parts "
        f"{', '.join(accepted)} were taken",
        reason="PARTIAL:SMPP_NO_RESPONSE",
        transient=False,
        uncertain=True,
    )
