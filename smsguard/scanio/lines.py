"""Physical lines of a text file, decoded one at a time.

Decoding the whole file at once would let one bad byte fail every row, so each line is
decoded on its own and a line that cannot be trusted carries the reason instead. Lines are
split on ``\\n`` only (a ``\\r`` before it is dropped, so CRLF files read the same), and a
UTF-8 byte order mark at the start of the file is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

from smsguard.errors import InputError

_BOM: Final = b"\xef\xbb\xbf"
_DRAIN_CHUNK: Final = 1 << 16


@dataclass(frozen=True, slots=True)
class Line:
    """One physical line without its line ending.

    ``problem`` says why the line cannot be used (invalid UTF-8, a NUL byte, too long). The
    text of such a line is still given, with undecodable bytes as surrogate escapes, so a CSV
    parser can keep its place; the row it belongs to must be reported, not screened. Byte
    positions in problems are 1-based and count from the start of the line as stored.
    """

    number: int
    text: str
    problem: str | None = None


def iter_lines(stream: BinaryIO, path: Path, *, max_bytes: int) -> Iterator[Line]:
    """Yield every line of ``stream``; lines over ``max_bytes`` are skipped without reading
    them into memory and come back as a problem."""
    number = 0
    while True:
        raw = _read(stream, path, max_bytes + 1)
        if not raw:
            return
        number += 1
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            _drain_line(stream, path)
            yield Line(number, "", f"line is longer than {max_bytes} bytes")
            continue
        offset = 0
        if number == 1 and raw.startswith(_BOM):
            raw, offset = raw[len(_BOM) :], len(_BOM)
        yield _decode(number, _strip_ending(raw), offset)


def _read(stream: BinaryIO, path: Path, limit: int) -> bytes:
    """Read up to one line, turning a failing disk into an :class:`InputError`."""
    try:
        return stream.readline(limit)
    except OSError as err:
        raise InputError(f"cannot read {path}: {err.strerror or err}") from err


def _drain_line(stream: BinaryIO, path: Path) -> None:
    """Skip to the start of the next line in bounded chunks."""
    while True:
        chunk = _read(stream, path, _DRAIN_CHUNK)
        if not chunk or chunk.endswith(b"\n"):
            return


def _strip_ending(raw: bytes) -> bytes:
    """Drop a trailing ``\\n`` or ``\\r\\n``."""
    if raw.endswith(b"\n"):
        raw = raw[:-1]
        if raw.endswith(b"\r"):
            raw = raw[:-1]
    return raw


def _decode(number: int, raw: bytes, offset: int) -> Line:
    """Decode one line strictly; on failure keep an escaped text and say where it broke."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        escaped = raw.decode("utf-8", "surrogateescape")
        return Line(number, escaped, f"invalid UTF-8 at byte {err.start + 1 + offset}")
    nul = raw.find(b"\x00")
    if nul >= 0:
        return Line(number, text, f"NUL byte at byte {nul + 1 + offset}")
    return Line(number, text)
