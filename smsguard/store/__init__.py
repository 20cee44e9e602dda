"""Persistence for governance data: engines, models, migrations and tenant scoping.

Callers open a :class:`Database` (usually through ``bootstrap.build_database``), bring its
schema up to date with :func:`upgrade`, and touch institution data only through
:func:`tenant_session`, which confines every query and write to one institution.
"""

from smsguard.store import access_models as access_models  # registers the tables
from smsguard.store import complaint_models as complaint_models  # registers the tables
from smsguard.store import gateway_models as gateway_models  # registers the tables
from smsguard.store import intel_models as intel_models  # registers the tables
from smsguard.store import monitor_models as monitor_models  # registers the tables
from smsguard.store import signal_models as signal_models  # registers the tables
from smsguard.store import targeting_models as targeting_models  # registers the tables
from smsguard.store import tlog_models as tlog_models  # registers the tables
from smsguard.store import workflow_models as workflow_models  # registers the tables
from smsguard.store.engine import Database
from smsguard.store.schema import SchemaStatus, current_revision, head_revision, status, upgrade
from smsguard.store.tenancy import tenant_session

__all__ = [
    "Database",
    "SchemaStatus",
    "current_revision",
    "head_revision",
    "status",
    "tenant_session",
    "upgrade",
]
