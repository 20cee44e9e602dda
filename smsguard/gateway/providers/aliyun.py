"""Alibaba Cloud SMS (Dysmsapi 2017-05-25) adapter: SendSms with a registered template.

The official SDK (``alibabacloud_dysmsapi20170525``) sits behind :class:`DysmsClient`, a
two-call interface taking and returning the documented parameter maps, so the adapter can be
tested against any server that speaks the documented contract (``endpoint`` and
``protocol`` are settings) and another SDK could be swapped in. The SDK never retries
(``autoretry`` off): Aliyun does not deduplicate SendSms, so ``idempotent = False`` and a
request whose answer was lost is reported as outcome-unknown instead of being sent again.

Delivery news comes three ways, all ending in the :class:`ProviderEvents` sink:
:meth:`AliyunProvider.handle_report_push` and :meth:`handle_up_push` parse the SmsReport and
SmsUp HTTP pushes (the caller's web endpoint hands over the body and returns
:data:`PUSH_ACK`), and :meth:`query_report` polls QuerySendDetails for one message.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from smsguard.errors import ConfigError, ProviderError
from smsguard.gateway.providers.aliyun_codec import (
    PUSH_ACK,
    AliyunTemplate,
    match_template,
    parse_sms_report,
    parse_sms_up,
    phone_number,
    report_from_details,
    send_error,
)
from smsguard.gateway.providers.base import (
    DeliveryReport,
    OutboundSms,
    ProviderEvents,
    Submission,
)
from smsguard.protect.phones import mask_phone

__all__ = ["PUSH_ACK", "AliyunConfig", "AliyunProvider", "AliyunTemplate", "DysmsCallError"]

log = logging.getLogger(__name__)

# Words in a transport failure that mean the request never reached Aliyun.
_NOT_SENT_MARKERS = ("NewConnectionError", "ConnectTimeout", "Connection refused",
                     "Failed to establish", "Name or service not known")  # fmt: skip


@dataclass(frozen=True)
class AliyunConfig:
    """Credentials, the signature, the template mapping and where the API lives."""

    access_key_id: str
    access_key_secret: str
    sign_name: str  # the approved SignName; texts must start with 【sign_name】
    templates: tuple[AliyunTemplate, ...]
    endpoint: str = "dysmsapi.aliyuncs.com"
    protocol: str = "HTTPS"  # HTTP only for a local test server
    connect_timeout_ms: int = 5000
    read_timeout_ms: int = 10000


class DysmsCallError(Exception):
    """A call that got no documented answer: an HTTP error status or no response at all.

    ``code`` is Aliyun's error code when the error response carried one; ``sent`` is False
    only when the request certainly never reached the service.
    """

    def __init__(self, code: str, message: str, *, sent: bool) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.sent = sent


class DysmsClient(Protocol):
    """The two Dysmsapi calls the adapter needs, as documented parameter and response maps."""

    def send_sms(self, params: dict[str, str]) -> dict[str, Any]:
        """SendSms; the response body (Code, Message, BizId, RequestId) or DysmsCallError."""
        ...

    def query_send_details(self, params: dict[str, str]) -> dict[str, Any]:
        """QuerySendDetails; the response body or DysmsCallError."""
        ...


class SdkDysmsClient:
    """:class:`DysmsClient` over the official SDK (imported when built: an optional extra)."""

    def __init__(self, config: AliyunConfig) -> None:
        try:
            from alibabacloud_dysmsapi20170525 import models
            from alibabacloud_dysmsapi20170525.client import Client
            from alibabacloud_tea_openapi import utils_models
            from darabonba.runtime import RuntimeOptions
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise ConfigError(
                "the Aliyun provider needs its SDK: pip install 'smsguard[aliyun]'"
            ) from exc
        self._models = models
        self._client = Client(
            utils_models.Config(
                access_key_id=config.access_key_id,
                access_key_secret=config.access_key_secret,
                endpoint=config.endpoint,
                protocol=config.protocol,
            )
        )
        self._runtime = RuntimeOptions(
            autoretry=False,
            connect_timeout=config.connect_timeout_ms,
            read_timeout=config.read_timeout_ms,
        )

    def send_sms(self, params: dict[str, str]) -> dict[str, Any]:
        request = self._models.SendSmsRequest().from_map(params)
        return self._call(self._client.send_sms_with_options, request)

    def query_send_details(self, params: dict[str, str]) -> dict[str, Any]:
        request = self._models.QuerySendDetailsRequest().from_map(params)
        return self._call(self._client.query_send_details_with_options, request)

    def _call(self, method: Any, request: Any) -> dict[str, Any]:
        """The response body; SDK exceptions become DysmsCallError without the URL in it.

        The SDK's transport errors quote the request URL, which holds the phone number, so
        only the error's kind survives.
        """
        try:
            body: dict[str, Any] = method(request, self._runtime).body.to_map()
        except Exception as exc:
            code = str(getattr(exc, "code", "") or "")
            status = getattr(exc, "status_code", None)
            if code and status:
                raise DysmsCallError(code, f"HTTP {status}", sent=True) from None
            text = str(exc)
            sent = not any(marker in text for marker in _NOT_SENT_MARKERS)
            kind = "no response" if sent else "could not connect"
            raise DysmsCallError("NETWORK", kind, sent=sent) from None
        return body


class AliyunProvider:
    """A :class:`~smsguard.gateway.providers.base.Provider` for Aliyun SendSms."""

    name = "aliyun"
    idempotent = False

    def __init__(
        self,
        config: AliyunConfig,
        events: ProviderEvents | None = None,
        client: DysmsClient | None = None,
    ) -> None:
        self._config = config
        self._events = events
        self._client = client if client is not None else SdkDysmsClient(config)

    def submit(self, sms: OutboundSms) -> Submission:
        """SendSms for one recipient; OutId carries our message id back in every report."""
        sign_name = sms.sender or self._config.sign_name
        code, values = match_template(sms.text, sign_name, self._config.templates)
        params = {
            "PhoneNumbers": phone_number(sms.to),
            "SignName": sign_name,
            "TemplateCode": code,
            "TemplateParam": json.dumps(values, ensure_ascii=False),
            "OutId": sms.message_id,
        }
        try:
            body = self._client.send_sms(params)
        except DysmsCallError as exc:
            raise _call_error(sms, exc) from exc
        result = str(body.get("Code", ""))
        if result != "OK":
            raise send_error(result, str(body.get("Message", "")))
        log.info("Aliyun accepted %s as %s (%s)", sms.message_id, body.get("BizId"), code)
        return Submission(sms.message_id, str(body.get("BizId", "")))

    def query_report(self, biz_id: str, to: str, sent_on: date) -> DeliveryReport | None:
        """Poll QuerySendDetails for one message; None while it awaits the carrier.

        A found report is also handed to the sink, so polling and pushes end the same way.
        """
        params = {
            "PhoneNumber": phone_number(to),
            "BizId": biz_id,
            "SendDate": sent_on.strftime("%Y%m%d"),
            "PageSize": "10",
            "CurrentPage": "1",
        }
        try:
            body = self._client.query_send_details(params)
        except DysmsCallError as exc:
            raise ProviderError(
                f"QuerySendDetails for {biz_id} failed: {exc.code}",
                reason=exc.code,
                transient=True,
            ) from exc
        if body.get("Code") != "OK":
            raise send_error(str(body.get("Code", "")), str(body.get("Message", "")))
        report = report_from_details(body, biz_id)
        if report is not None and self._events is not None:
            self._events.delivery_report(report)
        return report

    def handle_report_push(self, payload: bytes | str) -> dict[str, Any]:
        """Parse an SmsReport push, hand each report to the sink, return the ack body."""
        for report in parse_sms_report(payload):
            if self._events is not None:
                self._events.delivery_report(report)
        return PUSH_ACK

    def handle_up_push(self, payload: bytes | str) -> dict[str, Any]:
        """Parse an SmsUp push, hand each reply to the sink, return the ack body."""
        for sms in parse_sms_up(payload):
            if self._events is not None:
                self._events.inbound(sms)
        return PUSH_ACK

    def close(self) -> None:
        """Nothing is held open between calls (the SDK pools HTTP connections itself)."""


def _call_error(sms: OutboundSms, exc: DysmsCallError) -> ProviderError:
    """No documented answer: the error code decides, or whether the request left at all."""
    if exc.code != "NETWORK":
        return send_error(exc.code, exc.message)
    if not exc.sent:
        return ProviderError(
            f"{sms.message_id} to {mask_phone(sms.to)} not sent: Aliyun unreachable",
            reason="NETWORK",
            transient=True,
        )
    return ProviderError(
        f"outcome of {sms.message_id} unknown ({exc.message}); not retried, SendSms is not "
        "idempotent",
        reason="ALIYUN_NO_RESPONSE",
        transient=False,
        uncertain=True,
    )
