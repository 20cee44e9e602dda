"""The pure half of the Alibaba Cloud SMS adapter: templates, response codes, pushed reports.

Aliyun sends a registered *template code with parameters*, never free text. smsguard screens
and approves the rendered text, so the adapter works backwards: it finds the configured
template whose body (smsguard placeholders ``{name}``, ``{due:date}``) matches the rendered
text exactly and recovers the values. What Aliyun renders from TemplateCode + TemplateParam is
then, character for character, the text that was screened; a text that matches no template
is refused rather than sent in some other wording.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from smsguard.errors import ProviderError
from smsguard.gateway.providers.base import DeliveryReport, InboundSms
from smsguard.protect.phones import redact_phones

_CHINA = ZoneInfo("Asia/Shanghai")  # Aliyun's report times are Beijing time without a zone
_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]{0,31})(?::[a-z_]+)?\}")


@dataclass(frozen=True)
class AliyunTemplate:
    """One approved smsguard template body and the Aliyun TemplateCode registered for it.

    ``body`` is the smsguard wording without the 【signature】; the template registered at
    Aliyun must be the same wording with ``${label}`` for each ``{label}`` / ``{label:type}``.
    """

    code: str
    body: str

    def pattern(self) -> re.Pattern[str]:
        """The body as a regex: fixed text literal, each placeholder a named group."""
        out, pos, seen = [], 0, set()
        for m in _PLACEHOLDER.finditer(self.body):
            out.append(re.escape(self.body[pos : m.start()]))
            label = m.group(1)
            out.append(f"(?P={label})" if label in seen else f"(?P<{label}>.+?)")
            seen.add(label)
            pos = m.end()
        out.append(re.escape(self.body[pos:]))
        return re.compile("".join(out), re.DOTALL)


def match_template(
    text: str, sign_name: str, templates: Sequence[AliyunTemplate]
) -> tuple[str, dict[str, str]]:
    """TemplateCode and TemplateParam values for a rendered text, or a permanent error.

    The text must begin with 【sign_name】, which Aliyun adds itself from SignName.
    """
    prefix = f"【{sign_name}】"
    if not text.startswith(prefix):
        raise ProviderError(
            f"text does not start with the configured signature {prefix}",
            reason="SIGNATURE_MISMATCH",
            transient=False,
        )
    body = text[len(prefix) :]
    for template in templates:
        found = template.pattern().fullmatch(body)
        if found is not None:
            return template.code, found.groupdict()
    raise ProviderError(
        "text matches no configured Aliyun template; register the approved wording first",
        reason="NO_ALIYUN_TEMPLATE",
        transient=False,
    )


def phone_number(e164: str) -> str:
    """Aliyun's PhoneNumbers form: 11 digits in mainland China, else country code + number."""
    digits = e164.lstrip("+")
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


# Codes after which the same request may succeed later: rate limits and service trouble.
_TRANSIENT_CODES = frozenset(
    {
        "isv.BUSINESS_LIMIT_CONTROL",
        "isv.DAY_LIMIT_CONTROL",
        "isp.SYSTEM_ERROR",
        "isp.GATEWAY_ERROR",
        "ServiceUnavailable",
        "InternalError",
        "SignatureNonceUsed",
        "Throttling",
    }
)


def is_transient_code(code: str) -> bool:
    """True for rate limits (Throttling.*, flow control) and service-side failures."""
    return code in _TRANSIENT_CODES or code.startswith("Throttling.")


def send_error(code: str, message: str) -> ProviderError:
    """A ProviderError for a refused SendSms; the code is the reason, numbers are masked."""
    return ProviderError(
        f"Aliyun refused SendSms: {code}: {redact_phones(message)}",
        reason=code,
        transient=is_transient_code(code),
    )


def parse_time(value: object) -> datetime:
    """A ``yyyy-MM-dd HH:mm:ss`` Beijing time as an aware UTC datetime; now if absent/bad."""
    try:
        local = datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return datetime.now(UTC)
    return local.replace(tzinfo=_CHINA).astimezone(UTC)


def _items(payload: bytes | str) -> list[dict[str, Any]]:
    """A pushed JSON array of objects; anything else is a ValueError."""
    data = json.loads(payload)
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ValueError("expected a JSON array of objects")
    return data


def parse_sms_report(payload: bytes | str) -> list[DeliveryReport]:
    """The SmsReport push (HTTP batch mode): ``out_id`` is our message id, ``biz_id`` theirs."""
    reports = []
    for item in _items(payload):
        ok = item.get("success") in (True, "true")
        code = str(item.get("err_code") or "")
        reports.append(
            DeliveryReport(
                message_id=str(item["out_id"]) if item.get("out_id") else None,
                provider_id=str(item["biz_id"]) if item.get("biz_id") else None,
                status="delivered" if ok else "undelivered",
                reason="" if ok else code,
                at=parse_time(item.get("report_time")),
            )
        )
    return reports


def parse_sms_up(payload: bytes | str) -> list[InboundSms]:
    """The SmsUp push: replies with sender, text, extension code and Aliyun's sequence id."""
    return [
        InboundSms(
            sender=str(item.get("phone_number", "")),
            text=str(item.get("content", "")),
            received_at=parse_time(item.get("send_time")),
            provider_id=str(item.get("sequence_id", "")),
            recipient=str(item.get("dest_code", "")),
        )
        for item in _items(payload)
    ]


PUSH_ACK = {"code": 0, "msg": "接收成功"}  # what Aliyun expects back from a push endpoint


def report_from_details(body: dict[str, Any], biz_id: str) -> DeliveryReport | None:
    """A QuerySendDetails answer as a report; None while the carrier has not answered yet.

    SendStatus 1 = waiting for the receipt, 2 = failed, 3 = delivered.
    """
    dtos = body.get("SmsSendDetailDTOs") or {}
    rows = dtos.get("SmsSendDetailDTO") or [] if isinstance(dtos, dict) else []
    for row in rows:
        status = int(row.get("SendStatus") or 1)
        if status == 1:
            return None
        ok = status == 3
        return DeliveryReport(
            message_id=str(row["OutId"]) if row.get("OutId") else None,
            provider_id=biz_id,
            status="delivered" if ok else "undelivered",
            reason="" if ok else str(row.get("ErrCode") or ""),
            at=parse_time(row.get("ReceiveDate")),
        )
    return None
