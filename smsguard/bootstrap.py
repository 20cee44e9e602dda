"""The composition root: the one place that builds smsguard's objects from settings.

The CLI, the (future) HTTP service and the tests all get their objects here, so each layer
above only translates; nothing else reads settings to decide how to build things.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from smsguard.screening.compile import compile_rulebook
from smsguard.screening.engine import Screener
from smsguard.screening.matcher import Backend
from smsguard.screening.matcher_cache import CachingMatcherBuilder
from smsguard.screening.risk import RiskAssessor
from smsguard.screening.rulebook.loader import load_rulebook
from smsguard.screening.rulebook.schema import RateParameters
from smsguard.screening.sender import SenderProfile, load_sender_profile
from smsguard.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

    from smsguard.api.services import ApiServices
    from smsguard.consent.policy import Rules as SendRules
    from smsguard.customers import CustomerService
    from smsguard.gateway.events import GatewayEvents
    from smsguard.gateway.providers.base import ProviderEvents
    from smsguard.gateway.providers.factory import Sending
    from smsguard.gateway.service import Gateway
    from smsguard.gateway.watch import GatewayWatch
    from smsguard.gateway.webhooks import WebhookNotifier
    from smsguard.gateway.worker import Worker, WorkerOptions
    from smsguard.monitor import Monitor
    from smsguard.protect import BlindIndexer, FileKeyProvider
    from smsguard.store import Database
    from smsguard.store.models import Institution
    from smsguard.tlog.log import TransparencyLog
    from smsguard.trace.consumer import ConsumerVerifier
    from smsguard.trace.stamp import Tracer


def rate_parameters(settings: Settings) -> RateParameters:
    """Rate caps from settings, which operators set (LPR changes monthly)."""
    return RateParameters(
        review_percent=settings.rate_review_percent,
        block_percent=settings.rate_block_percent,
        lpr_1y_percent=settings.lpr_1y_percent,
        lpr_multiple=settings.lpr_multiple,
    )


def build_screener(
    settings: Settings,
    *,
    sender: SenderProfile | None = None,
    backend: Backend = "auto",
) -> Screener:
    """A screener for the built-in rulebook plus the operator's rule files."""
    rulebook = load_rulebook(settings.rules_paths)
    compiled = compile_rulebook(
        rulebook,
        rates=rate_parameters(settings),
        backend=backend,
        build_matcher=CachingMatcherBuilder(settings.home / "cache"),
    )
    if sender is None and settings.sender_profile is not None:
        sender = load_sender_profile(settings.sender_profile)
    return Screener(
        compiled,
        sender=sender,
        max_text_length=settings.max_text_length,
        risk=build_risk_assessor(settings),
    )


def build_risk_assessor(settings: Settings) -> RiskAssessor | None:
    """The model plus the shipped and the operator's fraud-template indexes (or nothing,
    when ``risk_scoring`` is off)."""
    if not settings.risk_scoring:
        return None
    from smsguard.fingerprints import TemplateIndex, load_seed_index
    from smsguard.risk.assessor import ModelAssessor
    from smsguard.risk.model import RiskModel

    model = RiskModel.load(settings.risk_model) if settings.risk_model else RiskModel.load_default()
    indexes = [load_seed_index()]
    operator_index = settings.effective_fingerprint_index
    if operator_index.exists():
        indexes.append(TemplateIndex.load(operator_index))
    return ModelAssessor(model, indexes)


def build_database(settings: Settings) -> Database:
    """The governance database named by settings (SQLite under ``home`` by default).

    Nothing connects yet and the schema is not touched: ``smsguard db upgrade`` migrates, so
    a read-only command never changes a production schema by surprise.
    """
    from smsguard.store import Database

    return Database.from_url(settings.effective_database_url)


def build_master_key_provider(settings: Settings) -> FileKeyProvider:
    """The master keys from the configured key file; no file means no customer data at all.

    Failing closed here matters: silently generating a key would encrypt data under a key
    nobody backed up, and running without one would store phone numbers in the clear.
    """
    from smsguard.protect import FileKeyProvider

    return FileKeyProvider(_existing_key_file(settings.effective_master_key_file, "master"))


def build_blind_indexer(settings: Settings, institution_id: int) -> BlindIndexer:
    """The institution's blind indexer, derived from the active key of the index key file."""
    from smsguard.customers.keystore import tenant_label
    from smsguard.protect import BlindIndexer
    from smsguard.protect.keys import read_key_file

    keys, active = read_key_file(_existing_key_file(settings.effective_index_key_file, "index"))
    return BlindIndexer.for_tenant(keys[active], tenant_label(institution_id))


def build_send_rules(settings: Settings) -> SendRules:
    """Quiet hours and the frequency cap for loan marketing, from settings (validated there
    and again by the consent core, which names the field that is wrong)."""
    from datetime import timedelta

    from smsguard.consent.policy import FrequencyCap, QuietHours
    from smsguard.consent.policy import Rules as ConsentRules

    quiet = QuietHours(settings.quiet_hours_start, settings.quiet_hours_end, settings.timezone)
    cap = FrequencyCap(
        settings.frequency_cap_messages, timedelta(hours=settings.frequency_cap_hours)
    )
    return ConsentRules(quiet=quiet, cap=cap)


def build_customer_service(
    settings: Settings, database: Database, institution_id: int
) -> CustomerService:
    """Customer operations for one institution, with keys from the configured key files."""
    from smsguard.customers import CustomerService

    return CustomerService(
        database,
        institution_id,
        build_master_key_provider(settings),
        build_blind_indexer(settings, institution_id),
    )


def _existing_key_file(path: Path, kind: str) -> Path:
    if not path.exists():
        from smsguard.errors import CryptoError

        raise CryptoError(
            f"{kind} key file {path} does not exist",
            hint="Run `smsguard keys init` to create the key files (then back them up).",
        )
    return path


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
    from smsguard.gateway.watch import GatewayWatch
    from smsguard.gateway.worker import Worker

    notifier = build_notifier(settings)
    watch = GatewayWatch(database, institution_id, build_monitor(settings), notify=notifier)
    watch.load()
    events = build_events(settings, database, institution_id, settings.sms_provider, watch)
    sending = build_sending(settings, events)
    if notifier is not None:
        sending.services.append(notifier)
    keys = build_master_key_provider(settings)
    tracer = build_tracer(settings, database, institution_id)
    worker = Worker(
        database, institution_id, sending.provider, keys, events, options,
        tracer=tracer, watch=watch,
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


def build_tracer(settings: Settings, database: Database, institution_id: int) -> Tracer | None:
    """The institution's transparency-log stamper, or None when tracing is switched off."""
    if not settings.transparency_log:
        return None
    from smsguard.trace.recorder import DatabaseMessageLog, LocalMessageLog
    from smsguard.trace.stamp import Tracer

    code = _institution(database, institution_id).code
    if settings.log_storage == "database":
        return Tracer(code, DatabaseMessageLog(database, institution_id, settings.home, code))
    return Tracer(code, LocalMessageLog(settings.home, code))


def build_consumer_verifier(
    settings: Settings, database: Database, institution_id: int, screener: Screener | None = None
) -> ConsumerVerifier:
    """The "is this SMS real?" service of one institution."""
    from smsguard.tlog.log import local_paths
    from smsguard.trace.consumer import ConsumerVerifier

    institution = _institution(database, institution_id)
    code = institution.code
    screen = (screener or build_screener(settings)).screen
    return ConsumerVerifier(
        database,
        institution_id,
        institution.name,
        log=lambda: open_transparency_log(settings, database, institution_id, code),
        log_folder=local_paths(settings.home, code)[0],
        keys=build_master_key_provider(settings),
        indexer=build_blind_indexer(settings, institution_id),
        screen=screen,
    )


def open_transparency_log(
    settings: Settings, database: Database, institution_id: int, code: str
) -> TransparencyLog:
    """The institution's log from wherever ``log_storage`` keeps it (to read and prove)."""
    from smsguard.tlog.log import open_local_log
    from smsguard.trace.db_store import open_database_log

    if settings.log_storage == "database":
        return open_database_log(database, institution_id, settings.home, code)
    return open_local_log(settings.home, code)


def _institution(database: Database, institution_id: int) -> Institution:
    from smsguard.errors import InputError
    from smsguard.store.models import Institution

    with database.transaction() as session:
        found = session.get(Institution, institution_id)
    if found is None:
        raise InputError(f"no institution with id {institution_id}")
    return found


def build_api_services(
    settings: Settings, database: Database | None = None, screener: Screener | None = None
) -> ApiServices:
    """Everything the HTTP service needs; per-institution objects are built on first use."""
    from smsguard.api.ratelimit import RateLimiter
    from smsguard.api.services import ApiServices, Builders
    from smsguard.complaints.wiring import build_complaints
    from smsguard.fraud_reports import build_fraud_intake

    database = database or build_database(settings)
    screener = screener or build_screener(settings)
    builders = Builders(
        customers=lambda tenant: build_customer_service(settings, database, tenant),
        gateway=lambda tenant: build_gateway(settings, database, tenant, screener),
        verifier=lambda tenant: build_consumer_verifier(settings, database, tenant, screener),
        complaints=lambda tenant: build_complaints(settings, database, tenant, screener=screener),
        events=lambda tenant, provider: build_events(settings, database, tenant, provider),
        fraud_intake=lambda: build_fraud_intake(settings, database, screener),
    )
    return ApiServices(
        settings=settings,
        database=database,
        screener=screener,
        builders=builders,
        public_limiter=RateLimiter(settings.public_requests_per_minute, what="public endpoints"),
        login_limiter=RateLimiter(settings.login_attempts_per_minute, what="login"),
    )


def build_app(settings: Settings, *, dashboard: bool = True) -> FastAPI:
    """The HTTP service (API and, unless switched off, the dashboard) for ``settings``."""
    from smsguard.api import create_app

    return create_app(build_api_services(settings), dashboard=dashboard)
