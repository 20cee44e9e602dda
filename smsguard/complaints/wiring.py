"""Building the complaints desk from settings (a candidate for ``smsguard.bootstrap``).

The deadline policy comes from ``complaints.yaml`` under home when that file exists (keys as
in :class:`~smsguard.complaints.deadlines.DeadlinePolicy`), otherwise the §D1 defaults.
Notices go through an enqueuer built exactly like the gateway's, so an acknowledgement is
rendered and re-screened like every other service message.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from smsguard.complaints.deadlines import DeadlinePolicy
from smsguard.complaints.notify import GatewayNotifier
from smsguard.complaints.service import ComplaintService
from smsguard.errors import ConfigError, InputError
from smsguard.screening.engine import Screener
from smsguard.settings import Settings
from smsguard.store import Database

POLICY_FILE = "complaints.yaml"


def load_policy(path: Path) -> DeadlinePolicy:
    """The policy in ``path``, or the defaults when it does not exist; ConfigError naming it."""
    from smsguard._yaml import read_yaml

    if not path.exists():
        return DeadlinePolicy()
    data = read_yaml(path, what="complaint policy file", error=ConfigError)
    if data is None:
        return DeadlinePolicy()
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of complaint policy settings")
    try:
        return DeadlinePolicy.from_mapping({str(k): v for k, v in data.items()})
    except InputError as exc:
        raise ConfigError(f"{path}: {exc.message}") from exc


def build_complaints(
    settings: Settings,
    database: Database,
    institution_id: int,
    *,
    notices: bool = True,
    screener: Screener | None = None,
) -> ComplaintService:
    """The complaints desk of one institution, with SMS notices unless ``notices`` is False
    (their re-screening uses ``screener`` when given: the HTTP service shares its own)."""
    from smsguard.bootstrap import (
        build_blind_indexer,
        build_master_key_provider,
        build_screener,
        build_send_rules,
    )
    from smsguard.gateway.enqueue import Enqueuer

    keys = build_master_key_provider(settings)
    notifier = None
    if notices:
        screener = screener or build_screener(settings)
        enqueuer = Enqueuer(
            database,
            institution_id,
            keys,
            lambda texts: screener.screen_many(texts, explain=False),
            build_send_rules(settings),
        )
        notifier = GatewayNotifier(database, institution_id, enqueuer, _now)
    return ComplaintService(
        database,
        institution_id,
        keys,
        _now,
        indexer=build_blind_indexer(settings, institution_id),
        notifier=notifier,
        policy=load_policy(settings.home / POLICY_FILE),
    )


def _now() -> datetime:
    return datetime.now(UTC)
