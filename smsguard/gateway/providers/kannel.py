"""Kannel adapter: MT through smsbox's HTTP ``sendsms``, DLRs and MOs back as HTTP callbacks.

Kannel does not deduplicate (``idempotent = False``), so the adapter sorts every failure by
whether Kannel can have taken the message. Refused connections, ``503`` and other ``5xx`` mean
it did not: transient, retry. A ``4xx`` is Kannel refusing the request: permanent, with
Kannel's words as the reason. A lost answer after the request went out (timeout, reset, an
unrecognised 2xx) is *uncertain* (``ProviderError.uncertain``), never retried, because a
retry could send the SMS twice; the DLR, which quotes our ``message_id``, settles it later.
``202 "3: Queued for later delivery"`` is a success: bearerbox stored the message.

Delivery reports and replies reach smsguard through the URLs built here (``dlr_url``,
``mo_get_url``); the parsers below turn the callback query into :class:`DeliveryReport` and
:class:`InboundSms`. They are pure, so the stdlib callback server and a later web service
share them. No phone number appears in an exception message or a log line.
"""

from __future__ import annotations

import http.client
import math
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from smsguard.errors import InputError, ProviderError
from smsguard.gateway.providers.base import (
    DeliveryReport,
    DeliveryStatus,
    InboundSms,
    OutboundSms,
    Submission,
)
from smsguard.protect.phones import redact_phones

DLR_PATH = "/kannel/dlr"
MO_PATH = "/kannel/mo"
# Kannel escape codes in the callback URLs: %d dlr type, %A the SMSC's report text, %T unix
# time, %F the carrier's message id, %i smsc-id; for MOs %p sender, %P receiver, %b the raw
# text, %C charset, %c coding, %I Kannel's message id. No phone number goes into dlr-url:
# the message id identifies the message, and URLs end up in access logs.
_DLR_ESCAPES = "type=%d&reply=%A&ts=%T&fid=%F&smsc=%i"
_MO_ESCAPES = "sender=%p&receiver=%P&text=%b&charset=%C&coding=%c&ts=%T&kid=%I&smsc=%i"

# Kannel's DLR types (the dlr-mask bits) and what each means for smsguard; 4 (queued on the
# SMSC) and 8 (accepted by the SMSC) are steps on the way, not an outcome: parse_dlr → None.
_FINAL_DLR: dict[int, DeliveryStatus] = {1: "delivered", 2: "undelivered", 16: "rejected"}
_INTERMEDIATE_DLR = frozenset({4, 8})
# SMPP-style "stat:" words in the report text refine a failure.
_STAT_WORDS: dict[str, DeliveryStatus] = {"EXPIRED": "expired", "REJECTD": "rejected"}

# GSM 03.38 default alphabet; anything else goes out as UCS-2 (coding=2).
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENSION = frozenset("^{}\\[~]|€\f")


class KannelCallbackError(InputError):
    """A DLR or MO callback that cannot be understood; the message never quotes a number."""

    code = "invalid-callback"


@dataclass(frozen=True)
class KannelSettings:
    """Where smsbox listens, smsguard's sendsms account, and where Kannel calls back."""

    sendsms_url: str  # e.g. http://kannel:13013/cgi-bin/sendsms
    username: str
    password: str
    callback_base_url: str  # smsguard's callback listener, e.g. https://smsguard.example
    default_sender: str | None = None
    smsc: str | None = None  # route to one smsc-id; None lets Kannel choose
    dlr_mask: int = 31  # all five DLR types; 4 and 8 are acknowledged and ignored
    timeout: float = 10.0


class KannelProvider:
    """Hands one message at a time to Kannel's smsbox over HTTP (stdlib urllib)."""

    name = "kannel"
    idempotent = False

    def __init__(self, settings: KannelSettings) -> None:
        self.settings = settings

    def submit(self, sms: OutboundSms) -> Submission:
        """Send one message; a Submission when Kannel took it, else ProviderError."""
        query = urllib.parse.urlencode(sendsms_params(self.settings, sms))
        url = f"{self.settings.sendsms_url}?{query}"
        status, body = _get(url, self.settings.timeout)
        return interpret_response(status, body, sms)

    def close(self) -> None:
        """Nothing to release: every submit is one short HTTP request."""


def sendsms_params(settings: KannelSettings, sms: OutboundSms) -> dict[str, str]:
    """The sendsms query: text as UTF-8, coding 0 for GSM text and 2 (UCS-2) otherwise."""
    sender = sms.sender or settings.default_sender
    params = {
        "username": settings.username,
        "password": settings.password,
        "to": sms.to,
        "text": sms.text,
        "charset": "UTF-8",
        "coding": str(coding_for(sms.text)),
        "dlr-mask": str(settings.dlr_mask),
        "dlr-url": dlr_url(settings.callback_base_url, sms.message_id),
    }
    if sender:
        params["from"] = sender
    if settings.smsc:
        params["smsc"] = settings.smsc
    return params


def dlr_url(callback_base_url: str, message_id: str) -> str:
    """The per-message ``dlr-url``: our message id plus Kannel's escape codes."""
    mid = urllib.parse.quote(message_id, safe="")
    return f"{callback_base_url.rstrip('/')}{DLR_PATH}?mid={mid}&{_DLR_ESCAPES}"


def mo_get_url(callback_base_url: str) -> str:
    """The ``get-url`` for Kannel's catch-all ``sms-service`` that forwards replies."""
    return f"{callback_base_url.rstrip('/')}{MO_PATH}?{_MO_ESCAPES}"


def coding_for(text: str) -> int:
    """0 (GSM 7-bit) when every character is in the GSM alphabet, else 2 (UCS-2)."""
    return 0 if all(c in _GSM_BASIC or c in _GSM_EXTENSION for c in text) else 2


def segments_for(text: str) -> int:
    """How many SMS the text takes: 160/153 GSM septets or 70/67 UCS-2 units per part."""
    if coding_for(text) == 0:
        units, single, part = sum(2 if c in _GSM_EXTENSION else 1 for c in text), 160, 153
    else:
        units, single, part = len(text.encode("utf-16-be")) // 2, 70, 67
    return 1 if units <= single else math.ceil(units / part)


def interpret_response(status: int, body: str, sms: OutboundSms) -> Submission:
    """Kannel's sendsms answer → Submission, or ProviderError saying if a retry may help."""
    reason = redact_phones(body.strip())[:200] or f"HTTP {status}"
    if 200 <= status < 300:
        if reason.startswith(("0:", "3:", "Sent.")):
            return Submission(sms.message_id, sms.message_id, segments_for(sms.text))
        raise _error(f"unrecognised answer {reason!r}", transient=False, uncertain=True)
    if 400 <= status < 500:
        raise _error(reason, transient=False)
    raise _error(reason, transient=True)


def _error(reason: str, *, transient: bool, uncertain: bool = False) -> ProviderError:
    kind = "lost the answer to" if uncertain else "temporarily failed" if transient else "refused"
    return ProviderError(
        f"Kannel {kind} the message: {reason}",
        reason=reason,
        transient=transient,
        uncertain=uncertain,
    )


def _get(url: str, timeout: float) -> tuple[int, str]:
    """(status, body) of one GET; connection problems become ProviderError.

    urllib wraps failures while connecting or sending in URLError: Kannel cannot have
    acted on the request, so a retry is safe. A failure while waiting for the answer comes
    through unwrapped, and then Kannel may already have the message.
    """
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, _text(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, _text(exc.read())
    except urllib.error.URLError as exc:
        raise _error(f"cannot reach smsbox ({_describe(exc.reason)})", transient=True) from None
    except (OSError, http.client.HTTPException) as exc:
        reason = f"no answer from smsbox ({_describe(exc)})"
        raise _error(reason, transient=False, uncertain=True) from None


def _describe(reason: object) -> str:
    """An exception's type and words, never the URL (it holds the number and the password)."""
    if isinstance(reason, OSError) and reason.strerror:
        return f"{type(reason).__name__}: {reason.strerror}"
    return type(reason).__name__ if isinstance(reason, BaseException) else str(reason)


def _text(body: bytes) -> str:
    return body.decode("utf-8", "replace")


# --- callbacks -----------------------------------------------------------------------------


def decode_callback_query(query: str) -> dict[str, str]:
    """A callback's query string → fields, with ``text`` decoded by its charset/coding.

    Kannel URL-encodes the raw payload bytes, which are UTF-16BE when a UCS-2 message was not
    recoded, so the text cannot be decoded before its charset is known.
    """
    raw = {
        key: value.encode("latin-1")
        for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True, encoding="latin-1")
    }
    try:
        fields = {key: value.decode("utf-8") for key, value in raw.items() if key != "text"}
        if "text" in raw:
            charset, coding = fields.get("charset", ""), fields.get("coding", "")
            fields["text"] = _decode_text(raw["text"], charset, coding)
    except UnicodeDecodeError:
        raise KannelCallbackError("callback field is not valid text in its charset") from None
    except LookupError:
        raise KannelCallbackError("callback names an unknown charset") from None
    return fields


def _decode_text(raw: bytes, charset: str, coding: str) -> str:
    name = charset.strip().upper()
    if coding.strip() == "2" or name in {"UTF-16BE", "UCS-2", "UCS2", "UTF-16"}:
        return raw.decode("utf-16-be")
    return raw.decode(name if name and name != "8-BIT" else "utf-8")


def parse_dlr(params: Mapping[str, str]) -> DeliveryReport | None:
    """A Kannel DLR callback → DeliveryReport; None for intermediate reports (types 4, 8)."""
    dlr_type = _int_field(params, "type")
    if dlr_type in _INTERMEDIATE_DLR:
        return None
    final = _FINAL_DLR.get(dlr_type)
    if final is None:
        raise KannelCallbackError(f"unknown Kannel DLR type {dlr_type}")
    status: DeliveryStatus = final
    reply = params.get("reply", "").strip()
    if status != "delivered":
        status = next((s for word, s in _STAT_WORDS.items() if f"stat:{word}" in reply), status)
    return DeliveryReport(
        message_id=params.get("mid") or None,
        provider_id=params.get("fid") or None,
        status=status,
        reason="" if status == "delivered" else redact_phones(reply)[:200],
        at=_time_field(params, "ts"),
    )


def parse_mo(params: Mapping[str, str]) -> InboundSms:
    """A Kannel ``get-url`` MO callback (fields as :func:`mo_get_url` names them) → InboundSms."""
    sender = params.get("sender", "").strip()
    if not sender:
        raise KannelCallbackError("MO callback without a sender")
    if "text" not in params:
        raise KannelCallbackError("MO callback without a text")
    return InboundSms(
        sender=sender,
        text=params["text"],
        received_at=_time_field(params, "ts"),
        provider_id=params.get("kid", ""),
        recipient=params.get("receiver", ""),
    )


def _int_field(params: Mapping[str, str], name: str) -> int:
    try:
        return int(params.get(name, "").strip())
    except ValueError:
        raise KannelCallbackError(f"callback field {name!r} is missing or not a number") from None


def _time_field(params: Mapping[str, str], name: str) -> datetime:
    """Kannel's ``%T`` (unix seconds) as UTC; now when Kannel left it empty."""
    if not params.get(name, "").strip():
        return datetime.now(UTC)
    try:
        return datetime.fromtimestamp(_int_field(params, name), UTC)
    except (OverflowError, OSError, ValueError):
        raise KannelCallbackError(f"callback field {name!r} is not a time") from None
