"""Storage and keys: the database, the master and blind-index keys, consent rules and the
customer service that uses them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from smsguard.settings import Settings

if TYPE_CHECKING:
    from smsguard.consent.policy import Rules as SendRules
    from smsguard.customers import CustomerService
    from smsguard.protect import BlindIndexer, FileKeyProvider
    from smsguard.store import Database
    from smsguard.store.models import Institution


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


def institution_row(database: Database, institution_id: int) -> Institution:
    from smsguard.errors import InputError
    from smsguard.store.models import Institution

    with database.transaction() as session:
        found = session.get(Institution, institution_id)
    if found is None:
        raise InputError(f"no institution with id {institution_id}")
    return found
