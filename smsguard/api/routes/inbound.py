"""Provider callbacks: delivery reports and replies pushed by Aliyun or Kannel.

The provider cannot log in, so the institution's inbound token is part of the URL
(``/inbound/{code}/{token}/...``); without a configured token the endpoints do not exist.
A wrong token also spends the client's public rate-limit allowance, so guessing is slow.
Answers are what each provider expects: Aliyun's ``{"code": 0, ...}``, Kannel's ``ok``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel

from smsguard.api.security import Services, client_address
from smsguard.errors import Unauthenticated
from smsguard.gateway.events import GatewayEvents
from smsguard.gateway.inbound_push import (
    aliyun_replies,
    aliyun_reports,
    check_inbound_token,
    kannel_fields,
    kannel_reply,
    kannel_report,
)
from smsguard.gateway.providers.aliyun_codec import PUSH_ACK
from smsguard.trace.published import institution_by_code

router = APIRouter(tags=["inbound"])
_FORM = "application/x-www-form-urlencoded"
_PLAIN = {"content": {"text/plain": {}}, "description": "ok"}


async def _body(request: Request) -> bytes:
    return await request.body()


Body = Annotated[bytes, Depends(_body)]


class PushAck(BaseModel):
    code: int
    msg: str


def _events(
    services: Services, request: Request, code: str, token: str, provider: str
) -> GatewayEvents:
    try:
        check_inbound_token(services.settings, code, token)
    except Unauthenticated:
        services.public_limiter.check(client_address(request))
        raise
    return services.events(institution_by_code(services.database, code), provider)


def _ack() -> PushAck:
    ack: dict[str, Any] = dict(PUSH_ACK)
    return PushAck.model_validate(ack)


@router.post("/inbound/{code}/{token}/aliyun/report", response_model=PushAck,
             summary="Aliyun SmsReport push (delivery reports)")  # fmt: skip
def aliyun_report(
    code: str, token: str, request: Request, services: Services, body: Body
) -> PushAck:
    events = _events(services, request, code, token, "aliyun")
    events.delivery_reports(aliyun_reports(body))
    return _ack()


@router.post("/inbound/{code}/{token}/aliyun/mo", response_model=PushAck,
             summary="Aliyun SmsUp push (replies)")  # fmt: skip
def aliyun_mo(code: str, token: str, request: Request, services: Services, body: Body) -> PushAck:
    events = _events(services, request, code, token, "aliyun")
    for sms in aliyun_replies(body):
        events.inbound(sms)
    return _ack()


async def _kannel_fields(request: Request) -> dict[str, str]:
    """The callback's fields (read here, where the body can be awaited)."""
    form = request.headers.get("content-type", "").startswith(_FORM)
    return kannel_fields(request.url.query, await request.body(), form)


KannelFields = Annotated[dict[str, str], Depends(_kannel_fields)]


@router.get("/inbound/{code}/{token}/kannel/dlr", response_class=Response,
            responses={200: _PLAIN}, summary="Kannel DLR callback (dlr-url)")  # fmt: skip
@router.post("/inbound/{code}/{token}/kannel/dlr", response_class=Response,
             responses={200: _PLAIN}, summary="Kannel DLR callback, form POST")  # fmt: skip
def kannel_dlr(
    code: str, token: str, request: Request, services: Services, fields: KannelFields
) -> Response:
    events = _events(services, request, code, token, "kannel")
    report = kannel_report(fields)
    if report is not None:
        events.delivery_report(report)
    return Response("ok\n", media_type="text/plain")


@router.get("/inbound/{code}/{token}/kannel/mo", response_class=Response,
            responses={200: _PLAIN}, summary="Kannel reply callback (get-url)")  # fmt: skip
@router.post("/inbound/{code}/{token}/kannel/mo", response_class=Response,
             responses={200: _PLAIN}, summary="Kannel reply callback, form POST")  # fmt: skip
def kannel_mo(
    code: str, token: str, request: Request, services: Services, fields: KannelFields
) -> Response:
    events = _events(services, request, code, token, "kannel")
    events.inbound(kannel_reply(fields))
    return Response("ok\n", media_type="text/plain")
