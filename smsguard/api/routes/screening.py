"""Screening one SMS or a batch: the verdict, its findings with spans and legal basis.

Each API key (or login) has a quota of texts per minute (``screen_texts_per_minute``; a
batch spends one per text), so one client's runaway job gets 429 before the process sheds
everybody's requests with 503 (docs/deployment.md, "Overload").
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from smsguard.api.security import Services, permit
from smsguard.api.services import ApiServices
from smsguard.api.types import Body
from smsguard.governance.credentials import Identity
from smsguard.screening.engine import ScreeningContext
from smsguard.screening.rulebook.schema import Purpose
from smsguard.screening.verdict import Verdict

router = APIRouter(tags=["screening"])
Screen = Annotated[Identity, Depends(permit("screen.use"))]
MAX_TEXT = 10_000  # the screener's own, configurable limit applies first
MAX_BATCH = 1000


class Context(Body):
    purpose: Purpose | None = None
    sender_number: str | None = Field(None, max_length=32)


class ScreenRequest(Body):
    text: str = Field(max_length=MAX_TEXT, description="The SMS as the customer would read it")
    context: Context | None = None


class BatchRequest(Body):
    texts: list[str] = Field(min_length=1, max_length=MAX_BATCH)
    context: Context | None = None


class FindingOut(BaseModel):
    rule: str
    severity: Literal["block", "review", "info"]
    category: str
    span: list[int] = Field(description="[start, end) character offsets in the text")
    message: str
    basis: str = Field(description="The legal or regulatory basis of the rule")
    fraud_signal: bool
    detail: str | None = None


class TemplateHitOut(BaseModel):
    template_id: str
    similarity: float
    category: str


class FeatureOut(BaseModel):
    feature: str
    weight: float


class RiskOut(BaseModel):
    label: Literal["ham", "spam", "fraud"]
    probabilities: dict[str, float]
    explanation: list[FeatureOut]
    templates: list[TemplateHitOut]
    model: str


class VerdictOut(BaseModel):
    verdict: Literal["pass", "review", "block"]
    fraud: bool
    purpose: str
    loan_related: bool
    findings: list[FindingOut]
    facts: dict[str, object]
    rulebook: str
    risk: RiskOut | None


class BatchOut(BaseModel):
    results: list[VerdictOut]


def verdict_out(verdict: Verdict) -> VerdictOut:
    return VerdictOut.model_validate(verdict.to_dict())


# One SMS screens in about a millisecond: running it on the event loop is cheaper than a
# hop to the thread pool. Batches take longer and stay in the pool.
def _context(context: Context | None) -> ScreeningContext | None:
    return None if context is None else ScreeningContext(**context.model_dump())


def spend_quota(services: ApiServices, request: Request, caller: Identity, texts: int) -> None:
    """Spend ``texts`` of the caller's screening quota, or RateLimited (429, Retry-After)."""
    if services.screen_limiter is None:
        return
    who = f"{caller.institution_id}/{caller.user_id}/{caller.via}"
    if caller.via == "api_key":  # one bucket per key: `Bearer sgk_<lookup>_<secret>`
        parts = request.headers.get("authorization", "").split("_")
        who += f"/{parts[1]}" if len(parts) >= 3 else ""
    services.screen_limiter.check(who, cost=texts)


@router.post("/screen", response_model=VerdictOut, summary="Screen one SMS")
async def screen(
    body: ScreenRequest, request: Request, services: Services, caller: Screen
) -> dict[str, object]:
    spend_quota(services, request, caller, 1)
    # The plain dict is validated once, by response_model (a model here would be twice).
    return services.screener.screen(body.text, context=_context(body.context)).to_dict()


@router.post("/screen/batch", response_model=BatchOut, summary="Screen up to 1,000 SMS at once")
def screen_batch(
    body: BatchRequest, request: Request, services: Services, caller: Screen
) -> BatchOut:
    spend_quota(services, request, caller, len(body.texts))
    verdicts = services.screener.screen_many(body.texts, context=_context(body.context))
    return BatchOut(results=[verdict_out(verdict) for verdict in verdicts])
