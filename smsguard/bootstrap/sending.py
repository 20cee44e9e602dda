"""Sending: the gateway, the provider, delivery reports and replies, the worker and its
monitor and alert webhooks."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from smsguard.bootstrap.screening import build_screener
from smsguard.bootstrap.storage import (
    build_blind_indexer,
    build_customer_service,
    build_master_key_provider,
    build_send_rules,
)
from smsguard.bootstrap.tracing import build_tracer
from smsguard.screening.engine import Screener
from smsguard.settings import Settings

if TYPE_CHECKING:
    from smsguard.gateway.events import GatewayEvents
    from smsguard.gateway.providers.base import ProviderEvents
    from smsguard.gateway.providers.factory import Sending
    from smsguard.gateway.service import Gateway
    from smsguard.gateway.watch import GatewayWatch
    from smsguard.gateway.webhooks import WebhookNotifier
    from smsguard.gateway.worker import Worker, WorkerOptions
    from smsguard.monitor import Monitor
    from smsguard.store import Database


def build_gateway(
    settings: Settings, database: Database, institution_id: int, screener: Screener | None = None
) -> Gateway:
    """Campaign and message operations of one institution."""
    from smsguard.gateway.enqueue import Enqueuer
    from smsguard.gateway.service import Gateway

    screener = screener or build_screener(settings)
    enqueuer = Enqueuer(
        database,
        institution_id,
        build_master_key_provider(settings),
        lambda texts: screener.screen_many(texts, explain=False),
        build_send_rules(settings),
    )
    return Gateway(
        database, institution_id, enqueuer, build_blind_indexer(settings, institution_id)
    )


def build_sending(settings: Settings, events: ProviderEvents) -> Sending:
    """The configured SMS provider (options from the provider file, if any) and the services
    it needs beside the worker, delivering its news to ``events``."""
    from smsguard.gateway.providers.factory import sending_from_options

    path = settings.effective_provider_file
    options = read_options(path) if path.exists() else {}
    return sending_from_options(settings.sms_provider, options, home=settings.home, events=events)


def read_options(path: Path) -> dict[str, object]:
    """A YAML mapping of options; ConfigError naming the file otherwise."""
    from smsguard._yaml import read_yaml
    from smsguard.errors import ConfigError

    data = read_yaml(path, what="provider file", error=ConfigError)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of provider options")
    return {str(key): value for key, value in data.items()}


def build_events(
    settings: Settings,
    database: Database,
    institution_id: int,
    provider_name: str,
    watch: GatewayWatch | None = None,
) -> GatewayEvents:
    """The sink for one institution's delivery reports and replies. A complaint by reply
    opens its case and queues its acknowledgement at once, through a desk built on the
    first complaint (it needs a screener, which a worker would otherwise not load)."""
    from smsguard.complaints.wiring import build_complaints
    from smsguard.gateway.events import GatewayEvents
    from smsguard.gateway.monitor_lease import NeverLead
    from smsguard.gateway.watch import GatewayWatch

    if watch is None:  # a process that only receives reports forwards what it hears
        watch = GatewayWatch(database, institution_id, lease=NeverLead())

    return GatewayEvents(
        database,
        institution_id,
        provider_name=provider_name,
        customers=build_customer_service(settings, database, institution_id),
        keys=build_master_key_provider(settings),
        indexer=build_blind_indexer(settings, institution_id),
        watch=watch,
        complaints=lambda: build_complaints(settings, database, institution_id),
    )


def build_worker(
    settings: Settings,
    database: Database,
    institution_id: int,
    options: WorkerOptions | None = None,
) -> tuple[Worker, Sending]:
    """A worker draining one institution's outbox through the configured provider, and that
    provider with its services (start them before running the worker, stop them after)."""
    from smsguard.gateway.monitor_lease import lease_for
    from smsguard.gateway.watch import GatewayWatch
    from smsguard.gateway.worker import Worker

    notifier = build_notifier(settings)
    watch = GatewayWatch(database, institution_id, build_monitor(settings), notify=notifier,
                         lease=lease_for(database, institution_id))  # fmt: skip
    events = build_events(settings, database, institution_id, settings.sms_provider, watch)
    sending = build_sending(settings, events)
    if notifier is not None:
        sending.services.append(notifier)
    keys = build_master_key_provider(settings)
    tracer = build_tracer(settings, database, institution_id)
    worker = Worker(
        database, institution_id, sending.provider, keys, events, options,
        tracer=tracer, watch=watch, notify=notifier,
    )  # fmt: skip
    return worker, sending


def build_monitor(settings: Settings) -> Monitor:
    """A monitor with the operator's thresholds (``monitor.yaml``, else the defaults) and
    defence-in-depth send checks on the same window and cap as the planner, so a send the
    gateway allowed is never flagged as a breach."""
    from datetime import timedelta

    from smsguard.monitor import Monitor
    from smsguard.monitor.sending import SendRulesConfig, quiet_hours
    from smsguard.monitor_config import load_monitor_config

    rules = SendRulesConfig(
        allowed=quiet_hours(
            settings.quiet_hours_start, settings.quiet_hours_end, settings.timezone
        ),
        cap_messages=settings.frequency_cap_messages,
        cap_window=timedelta(hours=settings.frequency_cap_hours),
    )
    return Monitor(load_monitor_config(settings.effective_monitor_file, rules))


def build_notifier(settings: Settings) -> WebhookNotifier | None:
    """Signed alert webhooks, when any are configured; their secret file must exist."""
    if not settings.alert_webhooks:
        return None
    from smsguard.errors import ConfigError
    from smsguard.gateway.webhooks import WebhookNotifier

    path = settings.effective_webhook_secret_file
    try:
        secret = path.read_bytes().strip()
    except OSError as exc:
        raise ConfigError(
            f"cannot read the webhook secret {path}: {exc.strerror}",
            hint="Write at least 16 random bytes there (e.g. `openssl rand -hex 32`).",
        ) from exc
    return WebhookNotifier(settings.alert_webhooks, secret)
