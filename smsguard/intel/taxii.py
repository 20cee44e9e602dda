"""TAXII 2.1 resources of an institution's shared indicators (docs/intel-taxii.md).

Pure translation, no I/O: the HTTP routes (``smsguard/api/routes/taxii.py``) read the
institution's exportable indicators and hand them here to become TAXII resources: the
discovery and API-root documents, the one collection, envelopes of STIX objects and
manifests, filtered by ``added_after``, ``match[type]``, ``match[id]`` and
``match[version]`` and paged with ``limit`` and an opaque ``next`` token.

The collection holds the institution's own confirmed (and, so that consumers drop them,
revoked) unexpired indicators as STIX 2.1 ``indicator`` objects, built by
:func:`smsguard.intel.stix.bundle_of`, with the identity, extension-definition and TLP
marking objects they refer to. An indicator's *date added* is its row's ``modified_at``:
every change (confirmation, sighting, revocation) adds a new version to the collection,
so ``added_after`` asks exactly what an incremental export would give.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from smsguard.errors import InputError
from smsguard.intel.model import NAMESPACE, Indicator
from smsguard.intel.stix import bundle_of

TAXII_MEDIA = "application/taxii+json;version=2.1"
STIX_MEDIA = "application/stix+json;version=2.1"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_TIMESTAMP = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z")


@dataclass(frozen=True)
class Item:
    """One object of the collection with its TAXII bookkeeping."""

    id: str
    date_added: datetime
    version: str  # the object's STIX ``modified`` (or ``created``)
    type: str
    object: dict[str, Any]


@dataclass(frozen=True)
class Page:
    """One page of a filtered collection."""

    items: list[Item]
    more: bool
    next: str | None

    @property
    def headers(self) -> dict[str, str]:
        """``X-TAXII-Date-Added-First`` / ``-Last`` of the page (none when it is empty)."""
        if not self.items:
            return {}
        return {
            "X-TAXII-Date-Added-First": taxii_timestamp(self.items[0].date_added),
            "X-TAXII-Date-Added-Last": taxii_timestamp(self.items[-1].date_added),
        }


# -- media types ----------------------------------------------------------------------------


def _media(part: str) -> tuple[str, dict[str, str]]:
    pieces = [p.strip() for p in part.split(";")]
    params: dict[str, str] = {}
    for piece in pieces[1:]:
        name, _, value = piece.partition("=")
        params[name.strip().lower()] = value.strip().strip('"')
    return pieces[0].lower(), params


def acceptable(accept: str | None, *, stix: bool = False) -> str | None:
    """The media type to answer with for an ``Accept`` header, or None (406).

    TAXII 2.1 resources are ``application/taxii+json;version=2.1``; the objects of a
    collection may also be asked as ``application/stix+json;version=2.1`` (``stix``). A
    missing version means the latest (2.1); any other version, or another type, is refused.
    ``*/*`` and ``application/*`` take the TAXII type.
    """
    if accept is None or not accept.strip():
        return TAXII_MEDIA
    for part in accept.split(","):
        kind, params = _media(part)
        if params.get("q") in ("0", "0.0", "0.00", "0.000"):
            continue
        version = params.get("version", "2.1")
        if kind in ("*/*", "application/*"):
            return TAXII_MEDIA
        if kind == "application/taxii+json" and version == "2.1":
            return TAXII_MEDIA
        if stix and kind == "application/stix+json" and version == "2.1":
            return STIX_MEDIA
    return None


# -- timestamps and tokens ------------------------------------------------------------------


def taxii_timestamp(value: datetime) -> str:
    """RFC 3339 in UTC with microseconds (TAXII allows any precision; the cursor needs it)."""
    d = value.astimezone(UTC)
    return f"{d:%Y-%m-%dT%H:%M:%S}.{d.microsecond:06d}Z"


def parse_timestamp(text: str, what: str = "added_after") -> datetime:
    """A TAXII/STIX timestamp (``…Z``, optional fraction); InputError naming ``what``."""
    found = _TIMESTAMP.fullmatch(text.strip())
    if not found:
        raise InputError(f"{what} {text!r} is not a timestamp like 2026-11-03T10:00:00.000Z")
    fraction = (found.group(2) or "0")[:6].ljust(6, "0")
    try:
        base = datetime.strptime(found.group(1), "%Y-%m-%dT%H:%M:%S")
    except ValueError as exc:
        raise InputError(f"{what} {text!r} is not a valid instant") from exc
    return base.replace(microsecond=int(fraction), tzinfo=UTC)


def _token(item: Item) -> str:
    raw = f"{taxii_timestamp(item.date_added)}|{item.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_next(token: str) -> tuple[datetime, str]:
    """(date added, object id) of the last object of the previous page."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        when, _, object_id = raw.partition("|")
        if not object_id:
            raise ValueError
        return parse_timestamp(when, "next"), object_id
    except (binascii.Error, UnicodeDecodeError, ValueError, InputError) as exc:
        raise InputError(f"next {token!r} is not a token this server issued") from exc


def sent_sequences_path(home: Path) -> Path:
    """The sequences this home has issued, by producing institution (shared with
    ``smsguard intel export``, so a feed sequence is never issued twice)."""
    return home / "intel" / "feed-sequences.json"


# -- the collection -------------------------------------------------------------------------


def collection_id(code: str) -> str:
    """The id of an institution's collection: the same code always gives the same id."""
    return str(uuid.uuid5(NAMESPACE, f"taxii-collection|{code}"))


def collection(code: str, *, can_write: bool) -> dict[str, Any]:
    return {
        "id": collection_id(code),
        "title": f"{code}: fraud SMS indicators",
        "description": "Confirmed indicators of fraud SMS (URLs, domains, keyed hashes of "
        "sender numbers, text fingerprints) shared by this institution; revoked ones are "
        "kept as revoked versions so that consumers drop them.",
        "can_read": True,
        "can_write": can_write,
        "media_types": [STIX_MEDIA],
    }


def discovery(base_url: str, code: str) -> dict[str, Any]:
    root = f"{base_url.rstrip('/')}/taxii2/{code}/"
    return {
        "title": "smsguard TAXII 2.1",
        "description": "Shared fraud SMS indicators of the consortium's institutions.",
        "default": root,
        "api_roots": [root],
    }


def api_root(code: str, max_content_length: int) -> dict[str, Any]:
    return {
        "title": f"{code} shared fraud indicators",
        "description": "One collection of STIX 2.1 indicators; smsguard peers also read the "
        "signed feed at feed?since=….",
        "versions": [TAXII_MEDIA],
        "max_content_length": max_content_length,
    }


def items_of(indicators: Sequence[Indicator], producer: str) -> list[Item]:
    """The collection's objects, oldest addition first (ties by id).

    The supporting objects (identities, extension definitions, TLP markings) are dated by
    their own ``created``; each indicator by its ``modified`` at the source (the store's
    ``modified_at``)."""
    by_id = {indicator.stix_id: indicator for indicator in indicators}
    items: list[Item] = []
    for obj in bundle_of(indicators, producer)["objects"]:
        version = str(obj.get("modified") or obj["created"])
        indicator = by_id.get(obj["id"])
        if indicator is not None:
            added = indicator.modified or indicator.version_at
        else:
            added = parse_timestamp(str(obj["created"]), "created")
        items.append(Item(obj["id"], added, version, obj["type"], obj))
    items.sort(key=lambda item: (item.date_added, item.id))
    return items


def _csv(values: Iterable[str] | None) -> set[str] | None:
    if values is None:
        return None
    found = {part.strip() for value in values for part in value.split(",") if part.strip()}
    return found or None


def select(
    items: Sequence[Item],
    *,
    added_after: datetime | None = None,
    next_token: str | None = None,
    limit: int = DEFAULT_LIMIT,
    types: Iterable[str] | None = None,
    ids: Iterable[str] | None = None,
    versions: Iterable[str] | None = None,
) -> Page:
    """Filter and page ``items`` (sorted as :func:`items_of` sorts them).

    ``match[version]`` takes ``last``, ``first`` and ``all`` (the collection holds the latest
    version of each object only, so all three are the same) or STIX timestamps."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"limit must be 1-{MAX_LIMIT}")
    wanted_types, wanted_ids = _csv(types), _csv(ids)
    wanted_versions = (_csv(versions) or {"last"}) - {"last", "first", "all"}
    exact = {taxii_timestamp(parse_timestamp(v, "match[version]")) for v in wanted_versions}
    cursor = parse_next(next_token) if next_token else None
    chosen: list[Item] = []
    for item in items:
        if added_after is not None and item.date_added <= added_after:
            continue
        if cursor is not None and (item.date_added, item.id) <= cursor:
            continue
        if wanted_types is not None and item.type not in wanted_types:
            continue
        if wanted_ids is not None and item.id not in wanted_ids:
            continue
        if exact and taxii_timestamp(parse_timestamp(item.version, "version")) not in exact:
            continue
        chosen.append(item)
    page, more = chosen[:limit], len(chosen) > limit
    return Page(page, more, _token(page[-1]) if more else None)


def envelope(page: Page) -> dict[str, Any]:
    """The TAXII envelope of a page of objects."""
    body: dict[str, Any] = {"more": page.more}
    if page.next is not None:
        body["next"] = page.next
    if page.items:
        body["objects"] = [item.object for item in page.items]
    return body


def manifest(page: Page) -> dict[str, Any]:
    """The TAXII manifest of a page of objects."""
    body: dict[str, Any] = {"more": page.more}
    if page.next is not None:
        body["next"] = page.next
    if page.items:
        body["objects"] = [
            {"id": item.id, "date_added": taxii_timestamp(item.date_added),
             "version": item.version, "media_type": STIX_MEDIA}
            for item in page.items
        ]  # fmt: skip
    return body


def status(
    request_at: datetime, successes: Sequence[str], failures: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """A TAXII status resource of a completed write."""
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "status": "complete",
        "request_timestamp": taxii_timestamp(request_at),
        "total_count": len(successes) + len(failures),
        "success_count": len(successes),
        "failure_count": len(failures),
        "pending_count": 0,
    }
    if successes:
        body["successes"] = [{"id": object_id} for object_id in successes]
    if failures:
        body["failures"] = [{"id": object_id, "message": why} for object_id, why in failures]
    return body


def error(title: str, http_status: int, description: str = "") -> dict[str, Any]:
    """A TAXII error message resource."""
    body: dict[str, Any] = {"title": title, "http_status": str(http_status)}
    if description:
        body["description"] = description
    return body
