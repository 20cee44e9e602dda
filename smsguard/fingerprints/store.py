"""The fingerprint-index file: ids, categories and signatures, never texts.

Layout, all in one file so it can be replaced in one atomic rename::

    magic    8 bytes   b"SGFPIDX\\n"
    length   4 bytes   little-endian size of the header
    header   JSON      format version, signature scheme, threshold, ids, categories
    keys     count × BANDS little-endian uint32 band keys
    bits     count × WORDS little-endian uint64 words of packed slot bits
    digest   32 bytes  SHA-256 of everything above

The digest turns a truncated or altered file into a clear error instead of silent
mismatches, and the scheme name turns a file written by another signature version into an
error that says to rebuild it: signatures from two schemes are not comparable.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from smsguard._files import write_atomically
from smsguard.errors import ModelError
from smsguard.fingerprints.signature import BANDS, SCHEME, SLOTS, WORDS
from smsguard.screening.normalize import NORMALIZER_VERSION

MAX_ID_LENGTH = 200
_CATEGORY = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
MAGIC = b"SGFPIDX\n"
FORMAT_VERSION = 1
SEED_RESOURCE = "data/seed_index.sgfp"
_DIGEST = 32
_REBUILD = "Rebuild it with `smsguard fingerprints build` (or restore it from a backup)."


@dataclass(frozen=True, slots=True)
class StoredIndex:
    """What an index file holds."""

    threshold: float
    ids: list[str]
    categories: list[str]
    keys: NDArray[np.uint32]  # (len(ids), BANDS)
    bits: NDArray[np.uint64]  # (len(ids), WORDS)


def encode(index: StoredIndex) -> bytes:
    """The file contents for ``index``."""
    header = {
        "format": FORMAT_VERSION,
        "scheme": SCHEME,
        "slots": SLOTS,
        "normalizer": NORMALIZER_VERSION,
        "threshold": index.threshold,
        "count": len(index.ids),
        "ids": index.ids,
        "categories": index.categories,
    }
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    keys = index.keys.astype("<u4", copy=False).tobytes()
    bits = index.bits.astype("<u8", copy=False).tobytes()
    body = MAGIC + struct.pack("<I", len(head)) + head + keys + bits
    return body + hashlib.sha256(body).digest()


def write_index(path: Path, index: StoredIndex) -> None:
    """Write atomically: a temporary file in the same folder, then one rename over ``path``.

    A reader never sees half a file, and a crash leaves the old index in place. The file is
    readable by its owner only (as ``mkstemp`` creates it): a user index describes reports
    that may be private.
    """
    write_atomically(path, encode(index))


def read_index(path: Path) -> StoredIndex:
    """Read and check an index file; :class:`ModelError` names what is wrong."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as err:
        raise ModelError(f"no fingerprint index at {path}", hint=_REBUILD) from err
    except OSError as err:
        raise ModelError(f"cannot read fingerprint index {path}: {err.strerror}") from err
    return decode(data, str(path))


def read_seed() -> StoredIndex:
    """The seed index shipped as package data."""
    source = resources.files("smsguard.fingerprints").joinpath(SEED_RESOURCE)
    try:
        data = source.read_bytes()
    except OSError as err:
        raise ModelError(
            "the shipped seed fingerprint index is missing",
            hint="Reinstall smsguard, or run scripts/build_seed_fingerprints.py from a checkout.",
        ) from err
    return decode(data, "the shipped seed fingerprint index")


def decode(data: bytes, name: str) -> StoredIndex:
    """Parse file contents; ``name`` says which file in error messages."""
    if not data.startswith(MAGIC):
        raise ModelError(f"{name} is not a smsguard fingerprint index", hint=_REBUILD)
    if len(data) < len(MAGIC) + 4 + _DIGEST:
        raise ModelError(f"{name} is truncated", hint=_REBUILD)
    body, digest = data[:-_DIGEST], data[-_DIGEST:]
    if hashlib.sha256(body).digest() != digest:
        raise ModelError(f"{name} is corrupt (checksum mismatch)", hint=_REBUILD)
    (length,) = struct.unpack_from("<I", body, len(MAGIC))
    start = len(MAGIC) + 4
    header = _header(body[start : start + length], name)
    count = header["count"]
    payload = body[start + length :]
    key_bytes, bit_bytes = count * BANDS * 4, count * WORDS * 8
    if len(payload) != key_bytes + bit_bytes:
        expected = key_bytes + bit_bytes
        raise ModelError(f"{name} holds {len(payload)} signature bytes, expected {expected}")
    keys = np.frombuffer(payload[:key_bytes], dtype="<u4").reshape(count, BANDS)
    bits = np.frombuffer(payload[key_bytes:], dtype="<u8").reshape(count, WORDS)
    return StoredIndex(
        float(header["threshold"]),
        header["ids"],
        header["categories"],
        keys.astype(np.uint32),
        bits.astype(np.uint64),
    )


def _header(raw: bytes, name: str) -> dict[str, Any]:
    """Decode the JSON header and check every field the reader relies on."""
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ModelError(f"{name} has an unreadable header: {err}", hint=_REBUILD) from err
    if not isinstance(header, dict):
        raise ModelError(f"{name} has a malformed header", hint=_REBUILD)
    if header.get("format") != FORMAT_VERSION:
        raise ModelError(
            f"{name} is format {header.get('format')!r}; this smsguard reads format "
            f"{FORMAT_VERSION}",
            hint=_REBUILD,
        )
    if header.get("scheme") != SCHEME or header.get("slots") != SLOTS:
        raise ModelError(
            f"{name} was signed with scheme {header.get('scheme')!r}; this smsguard uses "
            f"{SCHEME!r} and cannot compare the two",
            hint=_REBUILD,
        )
    _check_fields(header, name)
    return header


def id_problem(template_id: object) -> str | None:
    """What is wrong with a template id, or ``None``: ids are shown one per line, so they
    must be printable, short and free of surrounding spaces."""
    if not isinstance(template_id, str) or not template_id.strip():
        return "a template id must be a non-empty string"
    if len(template_id) > MAX_ID_LENGTH or not template_id.isprintable():
        return (
            f"template id {template_id[:40]!r} must be printable and at most "
            f"{MAX_ID_LENGTH} characters"
        )
    if template_id != template_id.strip():
        return f"template id {template_id!r} has leading or trailing spaces"
    return None


def category_problem(category: object) -> str | None:
    """What is wrong with a category name, or ``None``."""
    if not isinstance(category, str) or _CATEGORY.fullmatch(category) is None:
        return f"category {category!r} must be 1-40 lower-case letters, digits, - or _"
    return None


def _check_fields(header: dict[str, Any], name: str) -> None:
    count, ids, categories = header.get("count"), header.get("ids"), header.get("categories")
    threshold = header.get("threshold")
    if not isinstance(count, int) or count < 0:
        raise ModelError(f"{name} has a malformed header field 'count'")
    if not isinstance(ids, list) or len(ids) != count:
        raise ModelError(f"{name} has a malformed header field 'ids'")
    if not isinstance(categories, list) or len(categories) != count:
        raise ModelError(f"{name} has a malformed header field 'categories'")
    for template_id, category in zip(ids, categories, strict=True):
        problem = id_problem(template_id) or category_problem(category)
        if problem is not None:
            raise ModelError(f"{name}: {problem}", hint=_REBUILD)
    if len(set(ids)) != count:
        raise ModelError(f"{name} lists a template id twice")
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        raise ModelError(f"{name} has a malformed header field 'threshold'")
    if not 0.0 < threshold <= 1.0:
        raise ModelError(f"{name} has a malformed header field 'threshold'")
