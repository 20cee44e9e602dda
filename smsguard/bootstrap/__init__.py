"""The composition root: the one place that builds smsguard's objects from settings.

The CLI, the HTTP service and the tests all get their objects here, so each layer above only
translates; nothing else reads settings to decide how to build things. One module per part
of the system, each building only from settings and what the others build:

* :mod:`~smsguard.bootstrap.screening`: the screener, its model and shared indicators;
* :mod:`~smsguard.bootstrap.storage`: the database, keys, consent rules, customers;
* :mod:`~smsguard.bootstrap.sending`: gateway, provider, events, worker, monitor, webhooks;
* :mod:`~smsguard.bootstrap.tracing`: the transparency log and the consumer verifier;
* :mod:`~smsguard.bootstrap.service`: the HTTP service.
"""

from smsguard.bootstrap.screening import (
    build_consortium_keys,
    build_intel_context,
    build_intel_lookup,
    build_risk_assessor,
    build_screener,
    rate_parameters,
)
from smsguard.bootstrap.sending import (
    build_events,
    build_gateway,
    build_monitor,
    build_notifier,
    build_sending,
    build_worker,
    read_options,
)
from smsguard.bootstrap.service import build_api_services, build_app
from smsguard.bootstrap.storage import (
    build_blind_indexer,
    build_customer_service,
    build_database,
    build_master_key_provider,
    build_send_rules,
    institution_row,
)
from smsguard.bootstrap.tracing import (
    build_consumer_verifier,
    build_tracer,
    open_transparency_log,
)

__all__ = [
    "build_api_services",
    "build_app",
    "build_blind_indexer",
    "build_consortium_keys",
    "build_consumer_verifier",
    "build_customer_service",
    "build_database",
    "build_events",
    "build_gateway",
    "build_intel_context",
    "build_intel_lookup",
    "build_master_key_provider",
    "build_monitor",
    "build_notifier",
    "build_risk_assessor",
    "build_screener",
    "build_send_rules",
    "build_sending",
    "build_tracer",
    "build_worker",
    "institution_row",
    "open_transparency_log",
    "rate_parameters",
    "read_options",
]
