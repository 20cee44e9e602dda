"""Liveness and readiness, for process managers and load balancers (docs/deployment.md).

``/healthz`` answers while the process runs, with its admission figures (requests in
flight, waiting and shed, event-loop lag); ``/readyz`` also asks the database. Neither needs
a login and admission control never refuses them, so a busy process is told from a dead one.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text

from smsguard.api.admission import Gate
from smsguard.api.security import Services

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]
    in_flight: int
    waiting: int
    admitted: int
    shed: int
    loop_lag_ms: float


class Ready(BaseModel):
    status: Literal["ready"]
    database: str


@router.get("/healthz", response_model=Health, summary="Liveness, with admission figures")
async def healthz(request: Request) -> Health:
    gate: Gate | None = getattr(request.app.state, "admission", None)
    figures = gate.snapshot() if gate is not None else None
    return Health(
        status="ok",
        in_flight=figures.in_flight if figures else 0,
        waiting=figures.waiting if figures else 0,
        admitted=figures.admitted if figures else 0,
        shed=figures.shed if figures else 0,
        loop_lag_ms=round(figures.loop_lag_ms, 1) if figures else 0.0,
    )


@router.get("/readyz", response_model=Ready, summary="Readiness: the database answers")
def readyz(services: Services) -> Ready:
    """503 ``storage-error`` (with Retry-After) when the database cannot be reached."""
    with services.database.transaction() as session:
        session.execute(text("SELECT 1"))
    return Ready(status="ready", database=services.database.backend)
