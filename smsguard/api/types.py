"""Field types shared by the API's models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict

MAX_ID = 2**31 - 1  # the id columns are 32-bit integers on PostgreSQL
MAX_LOG_SIZE = 2**53 - 1  # a log outgrows 32 bits; JavaScript reads this exactly


def _aware(value: datetime) -> datetime:
    """SQLite returns stored UTC instants without a zone; the API always says UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


Instant = Annotated[datetime, AfterValidator(_aware)]
"""A point in time, always with its zone (RFC 3339 ``date-time``)."""

RowId = Annotated[int, Path(ge=1, le=MAX_ID, description="A row id")]
"""An id in a URL path; the bound keeps ids inside what every database can store."""


class Body(BaseModel):
    """Base of request bodies: unknown fields are an error, not silently ignored, so a
    misspelt field name is reported instead of taking its default."""

    model_config = ConfigDict(extra="forbid")
