"""An institution's transparency log, read by anyone: checkpoint, tiles and proofs.

Public (transparency is the point: witnesses and consumers fetch without an account) and
rate-limited per client. The paths under ``/log/{code}/`` are the C2SP tlog-tiles ones, so
``/api/v1/log/{code}`` is a tlog-tiles URL prefix a witness or a tile client can use.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from smsguard.api.security import Services, client_address
from smsguard.api.types import MAX_LOG_SIZE
from smsguard.errors import NotFound
from smsguard.trace.published import PublicLog, public_log

router = APIRouter(tags=["log"])
_TEXT = {"content": {"text/plain": {}}, "description": "A signed note"}
_TILE = {"content": {"application/octet-stream": {}}, "description": "A tile or entry bundle"}


class InclusionOut(BaseModel):
    index: int
    tree_size: int
    leaf_hash: str
    proof: list[str]
    checkpoint: str


class ConsistencyOut(BaseModel):
    old_size: int
    new_size: int
    proof: list[str]
    checkpoint: str


def _log(services: Services, request: Request, code: str) -> PublicLog:
    services.public_limiter.check(client_address(request))
    return public_log(services.settings, services.database, code)


def _file(log: PublicLog, path: str) -> Response:
    served = log.file(path)
    if served.status != 200:
        raise NotFound(f"{path} is not in the log of {log.code!r}")
    return Response(served.body, media_type=served.content_type,
                    headers={"Cache-Control": served.cache})  # fmt: skip


@router.get("/log/{code}/checkpoint", response_class=Response, responses={200: _TEXT},
            summary="The log's latest signed checkpoint")  # fmt: skip
def checkpoint(code: str, request: Request, services: Services) -> Response:
    return _file(_log(services, request, code), "checkpoint")


@router.get("/log/{code}/checkpoint.cosigned", response_class=Response,
            responses={200: _TEXT}, summary="The checkpoint with witness cosignatures")  # fmt: skip
def cosigned(code: str, request: Request, services: Services) -> Response:
    return _file(_log(services, request, code), "checkpoint.cosigned")


@router.get("/log/{code}/tile/{path:path}", response_class=Response, include_in_schema=False,
            summary="A committed tile or entry bundle (C2SP tlog-tiles)")  # fmt: skip
def tile(code: str, path: str, request: Request, services: Services) -> Response:
    return _file(_log(services, request, code), f"tile/{path}")


@router.get("/log/{code}/proof/inclusion", response_model=InclusionOut,
            summary="Inclusion proof of one entry (hashes in base64)")  # fmt: skip
def inclusion(
    code: str,
    request: Request,
    services: Services,
    index: Annotated[int, Query(ge=0, le=MAX_LOG_SIZE)],
    tree_size: Annotated[int | None, Query(ge=1, le=MAX_LOG_SIZE)] = None,
) -> InclusionOut:
    proof = _log(services, request, code).inclusion(index, tree_size)
    return InclusionOut.model_validate(proof)


@router.get("/log/{code}/proof/consistency", response_model=ConsistencyOut,
            summary="Consistency proof between two tree sizes (hashes in base64)")  # fmt: skip
def consistency(
    code: str,
    request: Request,
    services: Services,
    old_size: Annotated[int, Query(ge=1, le=MAX_LOG_SIZE)],
    new_size: Annotated[int | None, Query(ge=1, le=MAX_LOG_SIZE)] = None,
) -> ConsistencyOut:
    proof = _log(services, request, code).consistency(old_size, new_size)
    return ConsistencyOut.model_validate(proof)
