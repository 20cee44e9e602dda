"""KannelProvider against a real Kannel: MT to the carrier, DLRs and MOs back to smsguard.

The path under test is the production one: KannelProvider → smsbox sendsms → bearerbox →
generic HTTP SMSC → test carrier, and back: carrier → HTTP SMSC port → bearerbox → smsbox →
dlr-url / get-url → CallbackServer → parsers → ProviderEvents. See kannel/harness.py.
"""

from __future__ import annotations

import re

import pytest
from kannel.carrier import SHORT_CODE, wait_until
from kannel.harness import KannelStack, running_stack

from smsguard.errors import ProviderError
from smsguard.gateway.providers.base import OutboundSms
from smsguard.gateway.providers.kannel import KannelProvider, segments_for

PHONE = "+8613812345678"
OTHER_PHONE = "+8613987654321"
LONG_CHINESE = (
    "【好借银行】尊敬的客户，您的借款申请已受理，年化利率7.2%至18%，具体以审批结果为准。"
    "详情请咨询官方客服电话95555，回复TD退订。感谢您的信任与支持！"
)
MESSAGES = {
    "msg-zh-long": (PHONE, LONG_CHINESE),
    "msg-ascii": (OTHER_PHONE, "Your loan statement is ready. Reply TD to opt out."),
    "msg-gsm": (PHONE, "Fee: £5 @ branch {A}, ~ 10€ & more"),
}
_SENT_COUNT = re.compile(r"carrier\[carrier\].*sent: sms (\d+) .*queued (\d+) msgs")


def _provider(stack: KannelStack, **overrides: object) -> KannelProvider:
    return KannelProvider(stack.provider_settings(**overrides))


def _send(stack: KannelStack, message_id: str, to: str, text: str) -> str:
    """Submit one message and wait until the carrier has it; the carrier's id for DLRs."""
    _provider(stack).submit(OutboundSms(message_id, to, text))
    received = wait_until(
        lambda: next((m for m in stack.received() if m.text == text), None), 10, message_id
    )
    return received.carrier_id


def test_each_message_reaches_the_carrier_once_with_its_exact_text(kannel: KannelStack) -> None:
    assert len(LONG_CHINESE) > 70  # two UCS-2 segments, joined again by the carrier
    provider = _provider(kannel)
    sent_before, _ = _sent_and_queued(kannel) or (0, 0)
    submissions = [
        provider.submit(OutboundSms(message_id, to, text))
        for message_id, (to, text) in MESSAGES.items()
    ]

    received = kannel.carrier.wait_for_messages(len(MESSAGES))
    got = sorted((m.to, m.sender, m.text) for m in received)
    assert got == sorted((to, SHORT_CODE, text) for to, text in MESSAGES.values())
    assert [s.message_id for s in submissions] == list(MESSAGES)
    assert submissions[0].segments == 2 == segments_for(LONG_CHINESE)
    by_text = {m.text: m.segments for m in received}
    assert [by_text[text] for _, text in MESSAGES.values()] == [s.segments for s in submissions]
    # Exactly once: when Kannel counts each message sent and none queued for a retry, the
    # carrier has seen every segment once and no more.
    settled = (sent_before + len(MESSAGES), 0)
    wait_until(lambda: True if _sent_and_queued(kannel) == settled else None, 10, "Kannel idle")
    assert kannel.carrier.parts_received() == sum(s.segments for s in submissions)


def _sent_and_queued(stack: KannelStack) -> tuple[int, int] | None:
    match = _SENT_COUNT.search(stack.kannel.status())
    return (int(match[1]), int(match[2])) if match else None


@pytest.mark.parametrize(
    ("dlr_type", "report_text", "status"),
    [
        (1, "id:c stat:DELIVRD err:000", "delivered"),
        (2, "id:c stat:EXPIRED err:027", "expired"),
        (16, "id:c stat:REJECTD err:045", "rejected"),
    ],
)
def test_a_carrier_dlr_becomes_a_delivery_report_with_our_message_id(
    kannel: KannelStack, dlr_type: int, report_text: str, status: str
) -> None:
    message_id = f"msg-dlr-{dlr_type}"
    carrier_id = _send(kannel, message_id, PHONE, f"Statement {dlr_type} is ready.")

    answer = kannel.inject_dlr(carrier_id, dlr_type, report_text)

    assert answer.startswith("Sent"), answer
    report = kannel.events.wait_for_report(message_id)
    assert (report.status, report.provider_id) == (status, carrier_id)
    assert report.reason == ("" if status == "delivered" else report_text)
    # Kannel's own "accepted by the SMSC" report (type 8) came too, and was not an outcome.
    assert [r.status for r in kannel.events.reports() if r.message_id == message_id] == [status]


@pytest.mark.parametrize("ucs2", [True, False], ids=["ucs2", "utf8"])
def test_a_reply_from_a_phone_becomes_an_inbound_sms(kannel: KannelStack, ucs2: bool) -> None:
    kannel.inject_mo(PHONE, "TD", ucs2=ucs2)
    kannel.inject_mo(OTHER_PHONE, "退订", ucs2=ucs2)
    kannel.inject_mo(PHONE, "不要再发了  谢谢\n退订", ucs2=ucs2)

    inbound = kannel.events.wait_for_inbound(3)

    got = sorted((sms.sender, sms.text, sms.recipient) for sms in inbound)
    assert got == sorted(
        [
            (PHONE, "TD", SHORT_CODE),
            (OTHER_PHONE, "退订", SHORT_CODE),
            (PHONE, "不要再发了  谢谢\n退订", SHORT_CODE),
        ]
    )
    assert all(sms.provider_id for sms in inbound)


def test_a_wrong_sendsms_password_is_a_permanent_error(kannel: KannelStack) -> None:
    provider = _provider(kannel, password="not-the-password")

    with pytest.raises(ProviderError) as caught:
        provider.submit(OutboundSms("msg-auth", PHONE, "hello"))

    assert caught.value.transient is False
    assert caught.value.reason == "Authorization failed for sendsms"
    assert "13812345678" not in str(caught.value)


@pytest.mark.usefixtures("kannel_installed")
def test_bearerbox_down_is_a_transient_error() -> None:
    with running_stack() as stack:  # its own Kannel: this test kills it
        stack.kannel.stop_process("bearerbox")
        # smsbox closes its sendsms port when it loses bearerbox (and exits ~10 s later).
        wait_until(lambda: None if stack.kannel.sendsms_open() else True, 15, "smsbox to notice")

        with pytest.raises(ProviderError) as caught:
            _provider(stack).submit(OutboundSms("msg-down", PHONE, "hello"))

    assert caught.value.transient is True
    assert "13812345678" not in str(caught.value) + caught.value.reason
    assert stack.received() == []
