"""TAXII 2.1 under ``/taxii2/`` (docs/intel-taxii.md): the institution's shared indicators
for MISP, OpenCTI and smsguard peers.

The API root is the caller's institution code, with one collection: its own confirmed (and
revoked) unexpired indicators as STIX 2.1. A peer authenticates with an API key the
institution issued (bearer), scoped to ``intel.read``; a trusted peer's key may also hold
``intel.write`` and push a *signed feed* to ``POST …/objects/``, which is verified against
the trust store (signature, producer, sequence, age) before the store imports it. Since
TAXII carries bare, unsigned STIX objects, smsguard peers read ``GET /taxii2/{root}/feed``
instead: the same indicators in the signed envelope of :mod:`smsguard.intel.feed`.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from smsguard.api.security import Services, permit
from smsguard.bootstrap import build_intel_context
from smsguard.errors import NotFound
from smsguard.governance.credentials import Identity
from smsguard.intel import taxii
from smsguard.intel.feed import FileSequenceMemory, feed_bytes, load_feed_key, sign_feed
from smsguard.intel.lifecycle import exportable
from smsguard.intel.model import Indicator
from smsguard.intel.stix import bundle_of
from smsguard.intel.subscribe import CURSOR_HEADER, import_feed
from smsguard.store.models import Institution
from smsguard.store.tenancy import tenant_session

PREFIX = "/taxii2"
MAX_CONTENT_LENGTH = 64 * 1024 * 1024
router = APIRouter(tags=["taxii"])
Read = Annotated[Identity, Depends(permit("intel.read"))]
Write = Annotated[Identity, Depends(permit("intel.write"))]
Types = Annotated[list[str] | None, Query(alias="match[type]")]
Ids = Annotated[list[str] | None, Query(alias="match[id]")]
Versions = Annotated[list[str] | None, Query(alias="match[version]")]
SpecVersions = Annotated[list[str] | None, Query(alias="match[spec_version]")]
Next = Annotated[str | None, Query(alias="next")]
Limit = Annotated[int, Query(ge=1, le=taxii.MAX_LIMIT)]
_TICK = timedelta(microseconds=1)
_issue = threading.Lock()  # one feed sequence at a time
_ANY: dict[str, Any] = {"schema": {"type": "object"}}
_TAXII = {taxii.TAXII_MEDIA: _ANY}
_REFUSED: dict[int | str, dict[str, Any]] = {
    406: {"description": "The Accept header names no type served here", "content": _TAXII},
}
DOCS: dict[int | str, dict[str, Any]] = {200: {"content": _TAXII}, **_REFUSED}
OBJECT_DOCS: dict[int | str, dict[str, Any]] = {
    200: {"content": {**_TAXII, taxii.STIX_MEDIA: _ANY}},
    **_REFUSED,
}
WRITE_DOCS: dict[int | str, dict[str, Any]] = {
    202: {"description": "A TAXII status resource", "content": _TAXII},
    413: {"description": "The feed is too large", "content": _TAXII},
    415: {"description": "Not a JSON feed", "content": _TAXII},
    **_REFUSED,
}
_WRITE_TYPES = ("application/taxii+json", "application/json", "application/stix+json")


def _answer(
    request: Request,
    body: dict[str, Any],
    *,
    stix: bool = False,
    headers: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    media = taxii.acceptable(request.headers.get("accept"), stix=stix)
    if media is None:
        return _error(406, "Not Acceptable", f"this endpoint serves {taxii.TAXII_MEDIA}"
                      + (f" or {taxii.STIX_MEDIA}" if stix else ""))  # fmt: skip
    return JSONResponse(body, status_code=status, media_type=media, headers=headers)


def _error(status: int, title: str, description: str) -> Response:
    return JSONResponse(
        taxii.error(title, status, description), status_code=status, media_type=taxii.TAXII_MEDIA
    )


def _code(services: Services, caller: Identity) -> str:
    with services.database.transaction() as session:
        code = session.scalar(
            select(Institution.code).where(Institution.id == caller.institution_id)
        )
    if code is None:
        raise NotFound("the caller's institution no longer exists")
    return code


def _root(services: Services, caller: Identity, root: str) -> str:
    """The caller's institution code, when ``root`` names it; other roots do not exist."""
    code = _code(services, caller)
    if root != code:
        raise NotFound(f"no TAXII API root {root!r} for this caller")
    return code


def _collection(code: str, collection: str) -> None:
    if collection != taxii.collection_id(code):
        raise NotFound(f"no TAXII collection {collection!r} in API root {code}")


def _indicators(services: Services, caller: Identity, since: datetime | None) -> list[Indicator]:
    ctx = build_intel_context(services.settings, services.database, caller.institution_id)
    with tenant_session(services.database, caller.institution_id) as session:
        return exportable(session, since, ctx=ctx, include_revoked=True)


def _page(
    services: Services, caller: Identity, code: str, added_after: str | None,
    next_token: str | None, limit: int, types: list[str] | None, ids: list[str] | None,
    versions: list[str] | None,
) -> taxii.Page:  # fmt: skip
    after = taxii.parse_timestamp(added_after) if added_after else None
    # The page's last object shares its instant with the next ones: read from just before.
    cursor = taxii.parse_next(next_token)[0] - _TICK if next_token else None
    since = min((t for t in (after, cursor) if t is not None), default=None)
    # Supporting objects (identities, markings) are dated long ago: read everything then.
    items = taxii.items_of(_indicators(services, caller, since), code)
    return taxii.select(items, added_after=after, next_token=next_token, limit=limit,
                        types=types, ids=ids, versions=versions)  # fmt: skip


@router.get("/", summary="TAXII discovery", responses=DOCS)
def discovery(request: Request, services: Services, caller: Read) -> Response:
    base = str(request.base_url)
    return _answer(request, taxii.discovery(base, _code(services, caller)))


@router.get("/{root}/", summary="TAXII API root", responses=DOCS)
def api_root(root: str, request: Request, services: Services, caller: Read) -> Response:
    code = _root(services, caller, root)
    return _answer(request, taxii.api_root(code, MAX_CONTENT_LENGTH))


@router.get("/{root}/collections/", summary="TAXII collections", responses=DOCS)
def collections(root: str, request: Request, services: Services, caller: Read) -> Response:
    code = _root(services, caller, root)
    can_write = caller.may("intel.write")
    return _answer(request, {"collections": [taxii.collection(code, can_write=can_write)]})


@router.get("/{root}/collections/{collection}/", summary="A TAXII collection", responses=DOCS)
def collection(
    root: str, collection: str, request: Request, services: Services, caller: Read
) -> Response:
    code = _root(services, caller, root)
    _collection(code, collection)
    return _answer(request, taxii.collection(code, can_write=caller.may("intel.write")))


@router.get(
    "/{root}/collections/{collection}/objects/",
    summary="The collection's STIX objects",
    responses=OBJECT_DOCS,
)
def objects(
    root: str, collection: str, request: Request, services: Services, caller: Read,
    added_after: str | None = None, limit: Limit = taxii.DEFAULT_LIMIT,
    next_token: Next = None, types: Types = None, ids: Ids = None, versions: Versions = None,
    spec_versions: SpecVersions = None,
) -> Response:  # fmt: skip
    code = _root(services, caller, root)
    _collection(code, collection)
    if taxii.acceptable(request.headers.get("accept"), stix=True) is None:
        return _answer(request, {}, stix=True)
    if spec_versions and not {v for s in spec_versions for v in s.split(",")} & {"2.1"}:
        return _answer(request, {"more": False}, stix=True)
    page = _page(services, caller, code, added_after, next_token, limit, types, ids, versions)
    return _answer(request, taxii.envelope(page), stix=True, headers=page.headers)


@router.get(
    "/{root}/collections/{collection}/manifest/",
    summary="The collection's manifest",
    responses=DOCS,
)
def manifest(
    root: str, collection: str, request: Request, services: Services, caller: Read,
    added_after: str | None = None, limit: Limit = taxii.DEFAULT_LIMIT,
    next_token: Next = None, types: Types = None, ids: Ids = None, versions: Versions = None,
) -> Response:  # fmt: skip
    code = _root(services, caller, root)
    _collection(code, collection)
    if taxii.acceptable(request.headers.get("accept")) is None:
        return _answer(request, {})
    page = _page(services, caller, code, added_after, next_token, limit, types, ids, versions)
    return _answer(request, taxii.manifest(page), headers=page.headers)


@router.post("/{root}/collections/{collection}/objects/", status_code=202,
             summary="Push a signed feed (trusted peers)", responses=WRITE_DOCS)  # fmt: skip
async def add_objects(
    root: str, collection: str, request: Request, services: Services, caller: Write
) -> Response:
    code = await run_in_threadpool(_root, services, caller, root)
    _collection(code, collection)
    if taxii.acceptable(request.headers.get("accept")) is None:
        return _answer(request, {})
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in _WRITE_TYPES:
        return _error(415, "Unsupported Media Type", "send a signed smsguard feed as JSON")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_CONTENT_LENGTH:
        return _error(413, "Payload Too Large", f"at most {MAX_CONTENT_LENGTH} bytes")
    data = await request.body()
    if len(data) > MAX_CONTENT_LENGTH:
        return _error(413, "Payload Too Large", f"at most {MAX_CONTENT_LENGTH} bytes")
    received = datetime.now(UTC)

    def work() -> tuple[int, Any, list[tuple[str, str]]]:
        ctx = build_intel_context(services.settings, services.database, caller.institution_id)
        return import_feed(
            data, home=services.settings.home, database=services.database,
            institution_id=caller.institution_id, institution=code, ctx=ctx,
        )  # fmt: skip

    # A refused feed raises FeedError: 400 ``invalid-feed`` naming the failed check.
    _sequence, _counts, refused = await run_in_threadpool(work)
    refused_ids = {object_id for object_id, _why in refused}
    taken = [obj["id"] for obj in _bundle_indicators(data) if obj["id"] not in refused_ids]
    return _answer(request, taxii.status(received, taken, refused), status=202)


def _bundle_indicators(data: bytes) -> list[dict[str, Any]]:
    import json

    bundle = json.loads(data).get("bundle", {})
    return [
        o for o in bundle.get("objects", []) if isinstance(o, dict) and o.get("type") == "indicator"
    ]


@router.get("/{root}/feed", summary="The signed smsguard feed of changes since a cursor")
def feed(
    root: str, request: Request, services: Services, caller: Read, since: str | None = None
) -> Response:
    code = _root(services, caller, root)
    after = taxii.parse_timestamp(since, "since") if since else None
    home = services.settings.home
    signer = load_feed_key(home, code)
    indicators = _indicators(services, caller, after)
    bundle = bundle_of(indicators, code)
    with _issue:
        memory = FileSequenceMemory(taxii.sent_sequences_path(home))
        sequence = (memory.get(code) or 0) + 1
        memory.set(code, sequence)
    headers: dict[str, str] = {}
    stamps = [i.modified or i.version_at for i in indicators]
    if stamps:
        headers[CURSOR_HEADER] = taxii.taxii_timestamp(max(stamps))
    elif after is not None:
        headers[CURSOR_HEADER] = taxii.taxii_timestamp(after)
    body = feed_bytes(sign_feed(bundle, code, sequence, signer))
    return Response(body, media_type="application/json", headers=headers)
