"""provider.yaml → a provider, with a clear error for every bad option."""

from __future__ import annotations

from pathlib import Path

import pytest

from smsguard.bootstrap import build_sending
from smsguard.errors import ConfigError
from smsguard.gateway.callback_server import CallbackServer
from smsguard.gateway.providers.aliyun import AliyunProvider
from smsguard.gateway.providers.base import DeliveryReport, InboundSms
from smsguard.gateway.providers.factory import sending_from_options
from smsguard.gateway.providers.kannel import KannelProvider
from smsguard.gateway.providers.simulated import SimulatedProvider
from smsguard.settings import Settings


class Sink:
    def delivery_report(self, report: DeliveryReport) -> None: ...

    def inbound(self, sms: InboundSms) -> None: ...


KANNEL = {
    "sendsms_url": "http://127.0.0.1:13013/cgi-bin/sendsms",
    "username": "u",
    "password": "p",
    "callback_base_url": "http://127.0.0.1:13080",
    "listen_port": 0,
}
ALIYUN = {"access_key_id": "id", "access_key_secret": "secret", "sign_name": "某银行",
          "templates": [{"code": "SMS_1", "body": "您的验证码{integer}"}]}  # fmt: skip


def test_the_default_is_the_simulated_provider(tmp_path: Path) -> None:
    sending = build_sending(Settings(home=tmp_path), Sink())
    assert isinstance(sending.provider, SimulatedProvider) and sending.services == []


def test_kannel_comes_with_its_callback_listener(tmp_path: Path) -> None:
    sending = sending_from_options("kannel", KANNEL, home=tmp_path, events=Sink())
    assert isinstance(sending.provider, KannelProvider)
    assert [type(s) for s in sending.services] == [CallbackServer]
    for service in sending.services:
        service.stop()


def test_aliyun_builds_from_its_template_mapping(tmp_path: Path) -> None:
    sending = sending_from_options("aliyun", ALIYUN, home=tmp_path, events=Sink())
    assert isinstance(sending.provider, AliyunProvider)


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("simulated", {"undelivered": 1.5}, "undelivered"),
        ("simulated", {"latency": 3}, "latency: Extra inputs"),
        ("kannel", {"username": "u"}, "sendsms_url: Field required"),
        ("smpp", {"host": "h", "port": 0, "system_id": "s", "password": "p"}, "port"),
        ("aliyun", {**ALIYUN, "templates": []}, "templates"),
        ("carrier-pigeon", {}, "unknown SMS provider"),
    ],
)
def test_bad_options_name_the_field(
    tmp_path: Path, name: str, options: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        sending_from_options(name, options, home=tmp_path, events=Sink())


def test_a_provider_file_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    (tmp_path / "provider.yaml").write_text("- just\n- a list\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        build_sending(Settings(home=tmp_path), Sink())
