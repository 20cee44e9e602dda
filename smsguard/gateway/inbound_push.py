"""Provider pushes over the HTTP service: who may push (a token) and what the body says.

Providers call back over plain HTTP and cannot log in; Aliyun's push and Kannel's get-url
can only be given a URL. Each institution therefore has a shared secret in
``<home>/keys/inbound-<code>.token`` that the provider's callback URL carries. It fails
closed: without the file the endpoints do not exist for that institution (404), and a wrong
token is refused (401) after a constant-time comparison.

The bodies are parsed by the providers' own pure parsers (the ones the stdlib callback
server uses); anything they cannot read becomes an InputError (400), which tells the
provider that repeating the push is useless, while a failure to store it is a 503.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from smsguard.errors import InputError, LogError, NotFound, Unauthenticated
from smsguard.gateway.providers import aliyun_codec, kannel
from smsguard.gateway.providers.base import DeliveryReport, InboundSms
from smsguard.settings import Settings
from smsguard.tlog.log import local_paths

T = TypeVar("T")
MIN_TOKEN = 16
MAX_BODY = 64 * 1024  # a push is a few kilobytes; refuse anything far larger


def token_file(settings: Settings, code: str) -> Path:
    """Where the institution's inbound token lives (the code is checked like a log's)."""
    local_paths(settings.home, code)  # LogError for a code that cannot name a file
    return settings.home / "keys" / f"inbound-{code}.token"


def new_inbound_token(settings: Settings, code: str) -> str:
    """Write a fresh random token for ``code`` (mode 0600, replacing any old one) and return
    it: the provider's callback URLs must carry it, so it is shown to the operator once."""
    path = token_file(settings, code)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(token + "\n", encoding="utf-8")
    temporary.chmod(0o600)
    temporary.replace(path)
    return token


def check_inbound_token(settings: Settings, code: str, offered: str) -> None:
    """Return when ``offered`` is the institution's token; NotFound or Unauthenticated else."""
    try:
        expected = token_file(settings, code).read_text(encoding="utf-8").strip()
    except (OSError, ValueError, LogError):
        expected = ""
    if len(expected) < MIN_TOKEN:
        raise NotFound(f"no inbound endpoint for institution {code!r}")
    if not hmac.compare_digest(expected.encode(), offered.encode()):
        raise Unauthenticated("the inbound token is not valid")


def aliyun_reports(body: bytes) -> list[DeliveryReport]:
    """Aliyun's SmsReport push (a JSON array) as delivery reports."""
    return _aliyun(body, aliyun_codec.parse_sms_report)


def aliyun_replies(body: bytes) -> list[InboundSms]:
    """Aliyun's SmsUp push (a JSON array) as replies."""
    return _aliyun(body, aliyun_codec.parse_sms_up)


def _aliyun(body: bytes, parse: Callable[[bytes], list[T]]) -> list[T]:
    _check_size(body)
    try:
        return parse(body)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise InputError("the push is not the provider's JSON array of objects") from exc


def kannel_fields(query: str, body: bytes, form: bool) -> dict[str, str]:
    """A Kannel callback's fields from its query and, for a form POST, its body."""
    _check_size(body)
    if form and body:
        query = "&".join(part for part in (query, body.decode("latin-1")) if part)
    return kannel.decode_callback_query(query)


def kannel_report(fields: dict[str, str]) -> DeliveryReport | None:
    """The final delivery report of a Kannel DLR callback; None for an intermediate one."""
    return kannel.parse_dlr(fields)


def kannel_reply(fields: dict[str, str]) -> InboundSms:
    """The reply of a Kannel MO callback."""
    return kannel.parse_mo(fields)


def _check_size(body: bytes) -> None:
    if len(body) > MAX_BODY:
        raise InputError(f"a push body may hold at most {MAX_BODY} bytes")
