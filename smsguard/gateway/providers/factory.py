"""Building the configured provider from its name and a mapping of options (provider.yaml).

Each adapter declares its options as a frozen pydantic model, so a misspelt or missing option
is a ConfigError naming it, before anything is sent. Some providers need something running
next to the worker: Kannel calls back over HTTP, so its :class:`Sending` carries the callback
listener the worker starts and stops with itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from smsguard.errors import ConfigError
from smsguard.gateway.providers.base import Provider, ProviderEvents
from smsguard.gateway.providers.simulated import SimulatedProvider, SimulationRates

M = TypeVar("M", bound=BaseModel)


class Service(Protocol):
    """Something that runs beside the worker (a callback listener)."""

    def start(self) -> None:
        """Begin serving in the background."""
        ...

    def stop(self) -> None:
        """Stop and free resources; safe to call twice."""
        ...


@dataclass
class Sending:
    """A provider and the services that must run while it is used."""

    provider: Provider
    services: list[Service] = field(default_factory=list)


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SimulatedOptions(_Options):
    """Options of the simulated provider."""

    seed: int = 0
    latency_ms: float = Field(0.0, ge=0, description="Simulated hand-off time per message.")
    journal: Path | None = Field(None, description="File of accepted keys, relative to home.")
    transient_failure: float = Field(0.0, ge=0, le=1)
    permanent_failure: float = Field(0.0, ge=0, le=1)
    undelivered: float = Field(0.0, ge=0, le=1)
    opt_out_reply: float = Field(0.0, ge=0, le=1)
    complaint_reply: float = Field(0.0, ge=0, le=1)
    outage: Path | None = Field(None, description="While this file exists, hang (faults).")
    outage_timeout_ms: float = Field(1000.0, ge=0, description="How long a hung hand-off waits.")
    outage_accept: float = Field(0.5, ge=0, le=1, description="Share taken before the hang.")
    report_delay_ms: float = Field(0.0, ge=0, description="Reports and replies come this late.")


class KannelOptions(_Options):
    """Options of the Kannel provider (docs/provider-kannel.md)."""

    sendsms_url: str
    username: str
    password: str
    callback_base_url: str = Field(description="How Kannel reaches smsguard's listener.")
    listen_host: str = "127.0.0.1"
    listen_port: int = Field(13080, ge=0, le=65535)
    default_sender: str | None = None
    smsc: str | None = None
    dlr_mask: int = Field(31, ge=0, le=31)
    timeout: float = Field(10.0, gt=0)


class SmppOptions(_Options):
    """Options of the SMPP provider (docs/provider-smpp.md)."""

    host: str
    port: int = Field(ge=1, le=65535)
    system_id: str
    password: str
    system_type: str = ""
    source_addr: str = ""
    charset: Literal["gsm0338", "ascii"] = "gsm0338"
    registered_delivery: bool = True
    response_timeout: float = Field(10.0, gt=0)


class AliyunTemplateOption(_Options):
    code: str
    body: str


class AliyunOptions(_Options):
    """Options of the Aliyun provider (docs/provider-aliyun.md)."""

    access_key_id: str
    access_key_secret: str
    sign_name: str
    templates: list[AliyunTemplateOption] = Field(min_length=1)
    endpoint: str = "dysmsapi.aliyuncs.com"
    protocol: Literal["HTTPS", "HTTP"] = "HTTPS"


def sending_from_options(
    name: str, options: Mapping[str, object], *, home: Path, events: ProviderEvents
) -> Sending:
    """The provider called ``name``, configured by ``options``, wired to ``events``."""
    if name == "simulated":
        return Sending(_simulated(_parse(SimulatedOptions, name, options), home))
    if name == "kannel":
        return _kannel(_parse(KannelOptions, name, options), events)
    if name == "smpp":
        return Sending(_smpp(_parse(SmppOptions, name, options), events))
    if name == "aliyun":
        return Sending(_aliyun(_parse(AliyunOptions, name, options), events))
    raise ConfigError(f"unknown SMS provider {name!r}; use simulated, kannel, smpp or aliyun")


def _parse(model: type[M], name: str, options: Mapping[str, object]) -> M:
    try:
        return model.model_validate(dict(options))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or '(options)'}: {error['msg']}"
            for error in exc.errors()
        )
        raise ConfigError(f"provider {name!r} options: {problems}") from None


def _simulated(options: SimulatedOptions, home: Path) -> SimulatedProvider:
    rates = SimulationRates(
        transient_failure=options.transient_failure,
        permanent_failure=options.permanent_failure,
        undelivered=options.undelivered,
        opt_out_reply=options.opt_out_reply,
        complaint_reply=options.complaint_reply,
    )
    journal = None if options.journal is None else home / options.journal
    return SimulatedProvider(
        rates, seed=options.seed, journal=journal, latency=options.latency_ms / 1000,
        outage=None if options.outage is None else home / options.outage,
        outage_timeout=options.outage_timeout_ms / 1000, outage_accept=options.outage_accept,
        report_delay=options.report_delay_ms / 1000,
    )  # fmt: skip


def _kannel(options: KannelOptions, events: ProviderEvents) -> Sending:
    from smsguard.gateway.callback_server import CallbackServer
    from smsguard.gateway.providers.kannel import KannelProvider, KannelSettings

    settings = KannelSettings(
        sendsms_url=options.sendsms_url,
        username=options.username,
        password=options.password,
        callback_base_url=options.callback_base_url,
        default_sender=options.default_sender,
        smsc=options.smsc,
        dlr_mask=options.dlr_mask,
        timeout=options.timeout,
    )
    listener = CallbackServer(events, options.listen_host, options.listen_port)
    return Sending(KannelProvider(settings), [listener])


def _smpp(options: SmppOptions, events: ProviderEvents) -> Provider:
    from smsguard.gateway.providers.smpp import SmppConfig, SmppProvider

    config = SmppConfig(
        host=options.host,
        port=options.port,
        system_id=options.system_id,
        password=options.password,
        system_type=options.system_type,
        source_addr=options.source_addr,
        charset=options.charset,
        registered_delivery=options.registered_delivery,
        response_timeout=options.response_timeout,
    )
    return SmppProvider(config, events)


def _aliyun(options: AliyunOptions, events: ProviderEvents) -> Provider:
    from smsguard.gateway.providers.aliyun import AliyunConfig, AliyunProvider
    from smsguard.gateway.providers.aliyun_codec import AliyunTemplate

    config = AliyunConfig(
        access_key_id=options.access_key_id,
        access_key_secret=options.access_key_secret,
        sign_name=options.sign_name,
        templates=tuple(AliyunTemplate(t.code, t.body) for t in options.templates),
        endpoint=options.endpoint,
        protocol=options.protocol,
    )
    return AliyunProvider(config, events)
