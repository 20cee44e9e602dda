"""Building the screener: the rulebook, rate caps, the model and fraud-template index,
and the shared fraud indicators of intel sharing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smsguard.bootstrap.storage import build_blind_indexer, build_database
from smsguard.screening.compile import compile_rulebook
from smsguard.screening.engine import Screener
from smsguard.screening.matcher import Backend
from smsguard.screening.matcher_cache import CachingMatcherBuilder
from smsguard.screening.risk import RiskAssessor
from smsguard.screening.rulebook.loader import load_rulebook
from smsguard.screening.rulebook.schema import RateParameters
from smsguard.screening.sender import SenderProfile, load_sender_profile
from smsguard.screening.shared_intel import IntelLookup
from smsguard.settings import Settings

if TYPE_CHECKING:
    from smsguard.intel.lifecycle import IntelContext
    from smsguard.intel.phones import ConsortiumKeys
    from smsguard.store import Database


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
    intel: IntelLookup | None = None,
) -> Screener:
    """A screener for the built-in rulebook plus the operator's rule files, the risk model
    and the shared fraud indicators (``intel``, else :func:`build_intel_lookup`)."""
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
        intel=intel if intel is not None else build_intel_lookup(settings),
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


def build_consortium_keys(settings: Settings) -> ConsortiumKeys | None:
    """The consortium's phone-hash keys, or None when the key file does not exist (phone
    indicators can then be neither made nor matched; URLs, domains and texts still work)."""
    from smsguard.intel.phones import ConsortiumKeys

    path = settings.effective_consortium_key_file
    return ConsortiumKeys.from_file(path) if path.exists() else None


def build_intel_context(
    settings: Settings, database: Database, institution_id: int
) -> IntelContext:
    """What making indicators needs: consortium keys, the allow-list with the institution's
    own numbers and domains (sender profile), and its blind index to refuse customers'
    numbers (when the index key exists)."""
    from smsguard.intel.allowlist import allowlist_for
    from smsguard.intel.lifecycle import IntelContext

    profile = load_sender_profile(settings.sender_profile) if settings.sender_profile else None
    blind_index = None
    if settings.effective_index_key_file.exists():
        indexer = build_blind_indexer(settings, institution_id)
        blind_index = lambda e164: indexer.index_e164(e164).hex()  # noqa: E731
    return IntelContext(build_consortium_keys(settings), allowlist_for(profile), blind_index)


def build_intel_lookup(
    settings: Settings, database: Database | None = None, institution_id: int | None = None
) -> IntelLookup | None:
    """Screening's view of the shared indicators the institution holds, refreshed every
    ``intel_refresh_seconds``; None when switched off or when there is no database, no
    institution to speak for, or no intel table (fail safe: screening goes on without)."""
    if not settings.intel_screening:
        return None
    from sqlalchemy import inspect, select

    from smsguard.intel.screening import IntelScreening
    from smsguard.store.models import Institution

    owned = database is None
    if database is None:
        if settings.database_url is None and not (settings.home / "smsguard.db").exists():
            return None  # never create the default database just to find it empty
        database = build_database(settings)
    try:
        found: int | None = institution_id
        if not inspect(database.engine).has_table("intel_indicators"):
            found = None
        elif found is None:
            with database.transaction() as session:
                rows = session.execute(select(Institution.id, Institution.code)).all()
            wanted = settings.intel_institution
            chosen = [row.id for row in rows if wanted is None or row.code == wanted]
            found = chosen[0] if len(chosen) == 1 else None
        keys = build_consortium_keys(settings) if found is not None else None
    except Exception as exc:  # fail safe: screening must not stop for want of intel
        import logging

        logging.getLogger(__name__).warning("screening without shared indicators: %s", exc)
        found = None
    finally:
        if owned:
            database.dispose()
    if found is None:
        return None
    return IntelScreening.for_database(
        database, found, keys, refresh_seconds=settings.intel_refresh_seconds, release=owned
    )
