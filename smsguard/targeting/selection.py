"""Who a definition selects, counted and frozen inside the database.

:func:`audience_report` counts the base (the customers the definition asks for), each
mandatory exclusion (a customer excluded for several reasons counts under each), the
customers excluded in total (each once) and the selection, in one aggregate query plus one for
ranking: nothing loops over customers in Python. :func:`freeze_audience` reads the selection
with one query and writes it into ``campaign_audiences`` in batched inserts, and records its
size and digest on the campaign, in the caller's transaction (the approval's): what the
checker approved is exactly the list the gateway sends to, whatever the customer table says
later.

The digest is SHA-256 over the selected customer ids in ascending order, each written in
decimal and followed by a newline.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Table, case, func, insert, literal, not_
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from smsguard.errors import InputError
from smsguard.store.models import Customer
from smsguard.store.targeting_models import CampaignAudience
from smsguard.store.workflow_models import Campaign
from smsguard.targeting.compiler import Frame, base_query, definition_filter
from smsguard.targeting.exclusions import any_exclusion, predicates
from smsguard.targeting.language import AudienceDefinition, parse_audience
from smsguard.targeting.policy import ExclusionPolicy
from smsguard.targeting.ports import Scorer
from smsguard.targeting.scoring import logit_at_least, segment_case

_INSERT_BATCH = 10_000
_AUDIENCES: Table = CampaignAudience.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class AudienceReport:
    """How a definition's base became the selection, at one instant, under one policy."""

    computed_at: datetime
    base: int
    exclusions: Mapping[str, int]  # id → customers that exclusion removes (overlapping)
    excluded: int  # customers removed by at least one exclusion (each once)
    below_min_probability: int
    over_limit: int
    selected: int
    policy: Mapping[str, Any]
    scorer: str | None = None
    digest: str | None = None  # set when frozen

    @property
    def eligible(self) -> int:
        """The base minus everyone excluded: who may be targeted at all."""
        return self.base - self.excluded

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (stored on the campaign and in the audit trail)."""
        return {
            "computed_at": self.computed_at.isoformat(),
            "base": self.base,
            "exclusions": dict(self.exclusions),
            "excluded": self.excluded,
            "eligible": self.eligible,
            "below_min_probability": self.below_min_probability,
            "over_limit": self.over_limit,
            "selected": self.selected,
            "policy": dict(self.policy),
            "scorer": self.scorer,
            "digest": self.digest,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AudienceReport:
        """A report stored by :meth:`to_dict`."""
        return cls(
            computed_at=datetime.fromisoformat(data["computed_at"]),
            base=int(data["base"]),
            exclusions={str(k): int(v) for k, v in data["exclusions"].items()},
            excluded=int(data["excluded"]),
            below_min_probability=int(data.get("below_min_probability", 0)),
            over_limit=int(data.get("over_limit", 0)),
            selected=int(data["selected"]),
            policy=dict(data.get("policy", {})),
            scorer=data.get("scorer"),
            digest=data.get("digest"),
        )


def frame_for(session: Session, policy: ExclusionPolicy, now: datetime) -> Frame:
    """The frame of the session's institution (a tenant session) at ``now``."""
    institution_id = getattr(session, "institution_id", None)
    if not isinstance(institution_id, int):
        raise InputError("audience selection needs a tenant session (one institution)")
    return Frame(institution_id, now, policy.local_day(now))


def audience_report(session: Session, definition: AudienceDefinition, policy: ExclusionPolicy,
                    now: datetime, scorer: Scorer | None = None) -> AudienceReport:  # fmt: skip
    """Count the base, each exclusion, the excluded total and the selection; nothing frozen."""
    frame = frame_for(session, policy, now)
    _require_scorer(definition, scorer)
    tests = predicates(frame, policy)
    removed = any_exclusion(frame, policy)
    columns = [func.count().label("base"), _count_true(removed).label("excluded")]
    columns += [_count_true(test).label(name) for name, test in tests.items()]
    query = (
        base_query(frame).with_only_columns(*columns).where(definition_filter(definition, frame))
    )
    row = session.execute(query).one()._mapping
    eligible = int(row["base"]) - int(row["excluded"] or 0)
    above = _above_threshold(session, definition, frame, removed, scorer, eligible)
    limit = definition.rank.limit if definition.rank is not None else None
    selected = above if limit is None else min(above, limit)
    return AudienceReport(
        computed_at=frame.now,
        base=int(row["base"]),
        exclusions={name: int(row[name] or 0) for name in tests},
        excluded=int(row["excluded"] or 0),
        below_min_probability=eligible - above,
        over_limit=above - selected,
        selected=selected,
        policy=policy.model_dump(),
        scorer=scorer.name if scorer is not None else None,
    )


def freeze_audience(session: Session, campaign: Campaign, policy: ExclusionPolicy, now: datetime,
                    scorer: Scorer | None = None) -> AudienceReport:  # fmt: skip
    """Write the campaign's selection into ``campaign_audiences`` and stamp the campaign."""
    if campaign.audience_frozen_at is not None:
        raise InputError(f"campaign {campaign.id}'s audience was frozen at approval already")
    definition = parse_audience(campaign.audience)
    report = audience_report(session, definition, policy, now, scorer)
    frame = frame_for(session, policy, now)
    chosen = selection_query(definition, frame, policy, scorer).with_only_columns(
        Customer.id, *_scored(scorer), maintain_column_froms=True
    )
    # A plain SELECT (PostgreSQL runs it in parallel; an INSERT … SELECT it would not), then
    # batched multi-row inserts; about 100 bytes of memory per member.
    members = session.execute(chosen).all()
    for start in range(0, len(members), _INSERT_BATCH):
        batch = members[start : start + _INSERT_BATCH]
        session.execute(
            insert(_AUDIENCES),
            [{"institution_id": frame.institution_id, "campaign_id": campaign.id,
              "customer_id": m[0], "segment": m[1], "score": m[2]} for m in batch],
        )  # fmt: skip
    size, digest = len(members), audience_digest([m[0] for m in members])
    frozen = replace(report, selected=size, digest=digest)
    campaign.audience_frozen_at = frame.now
    campaign.audience_size = size
    campaign.audience_digest = digest
    campaign.audience_report = frozen.to_dict()
    return frozen


def selection_query(definition: AudienceDefinition, frame: Frame, policy: ExclusionPolicy,
                    scorer: Scorer | None) -> Select[int]:  # fmt: skip
    """The selected customer ids: definition, no exclusion, ranked and cut when asked."""
    query = base_query(frame).where(
        definition_filter(definition, frame), not_(any_exclusion(frame, policy))
    )
    if definition.rank is None:
        return query.order_by(Customer.id)
    assert scorer is not None  # _require_scorer
    logit = scorer.logit()
    if definition.rank.min_probability is not None:
        query = query.where(logit_at_least(scorer, definition.rank.min_probability))
    query = query.order_by(logit.desc(), Customer.id)
    return query.limit(definition.rank.limit) if definition.rank.limit is not None else query


def _scored(scorer: Scorer | None) -> list[ColumnElement[Any]]:
    if scorer is None:
        return [literal(None).label("segment"), literal(None).label("score")]
    logit = scorer.logit()
    return [segment_case(scorer, logit).label("segment"), logit.label("score")]


def _above_threshold(session: Session, definition: AudienceDefinition, frame: Frame,
                     removed: ColumnElement[bool], scorer: Scorer | None,
                     eligible: int) -> int:  # fmt: skip
    """Eligible customers at or above the rank's minimum probability (all when none is set)."""
    if definition.rank is None or definition.rank.min_probability is None or scorer is None:
        return eligible
    query = (
        base_query(frame)
        .with_only_columns(func.count())
        .where(
            definition_filter(definition, frame),
            not_(removed),
            logit_at_least(scorer, definition.rank.min_probability),
        )
    )
    return int(session.scalar(query) or 0)


def _require_scorer(definition: AudienceDefinition, scorer: Scorer | None) -> None:
    if definition.rank is not None and scorer is None:
        raise InputError(
            "this audience ranks by propensity, but no propensity model is available; "
            "train one (smsguard audience train) or drop 'rank'"
        )


def _count_true(test: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((test, 1), else_=0))


def audience_digest(customer_ids: list[int]) -> str:
    """The digest of a list of ids, as :func:`freeze_audience` computes it (for checks)."""
    digest = hashlib.sha256()
    for customer_id in sorted(customer_ids):
        digest.update(f"{customer_id}\n".encode("ascii"))
    return digest.hexdigest()
