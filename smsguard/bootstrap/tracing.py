"""The transparency log: the stamper the worker uses and the consumer verifier."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smsguard.bootstrap.screening import build_screener
from smsguard.bootstrap.storage import (
    build_blind_indexer,
    build_master_key_provider,
    institution_row,
)
from smsguard.screening.engine import Screener
from smsguard.settings import Settings

if TYPE_CHECKING:
    from smsguard.store import Database
    from smsguard.tlog.log import TransparencyLog
    from smsguard.trace.consumer import ConsumerVerifier
    from smsguard.trace.stamp import Tracer


def build_tracer(settings: Settings, database: Database, institution_id: int) -> Tracer | None:
    """The institution's transparency-log stamper, or None when tracing is switched off."""
    if not settings.transparency_log:
        return None
    from smsguard.trace.recorder import DatabaseMessageLog, LocalMessageLog
    from smsguard.trace.stamp import Tracer

    code = institution_row(database, institution_id).code
    if settings.log_storage == "database":
        return Tracer(code, DatabaseMessageLog(database, institution_id, settings.home, code))
    return Tracer(code, LocalMessageLog(settings.home, code))


def build_consumer_verifier(
    settings: Settings, database: Database, institution_id: int, screener: Screener | None = None
) -> ConsumerVerifier:
    """The "is this SMS real?" service of one institution."""
    from smsguard.tlog.log import local_paths
    from smsguard.trace.consumer import ConsumerVerifier

    institution = institution_row(database, institution_id)
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
