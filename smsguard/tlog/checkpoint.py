"""C2SP tlog-checkpoint: the signed statement "log <origin> has <size> entries, root <hash>".

The body is the origin line, the decimal tree size, the base64 RFC 6962 root and optional
extension lines, each ending in a newline. Parsing is strict (fail closed): the size has no
sign or leading zeros and fits in 64 bits, the root is canonical base64 of exactly 32
bytes, and extension lines are non-empty. Lenient parsers elsewhere accept roots of any
length; a checkpoint that cannot name an RFC 6962 root cannot anchor a proof, so we refuse.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass

from smsguard.errors import LogError

from .merkle import EMPTY_ROOT, HASH_SIZE
from .note import Note, Verifier, b64decode_strict, check_text, open_note

_DECIMAL = re.compile(r"0|[1-9][0-9]*")
MAX_SIZE = 2**64 - 1


@dataclass(frozen=True)
class Checkpoint:
    """A parsed checkpoint body."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin:
            raise LogError("checkpoint origin must be one non-empty line")
        if not 0 <= self.size <= MAX_SIZE:
            raise LogError(f"checkpoint size {self.size} is out of range")
        if len(self.root) != HASH_SIZE:
            raise LogError(f"checkpoint root is {len(self.root)} bytes, not {HASH_SIZE}")
        if self.size == 0 and self.root != EMPTY_ROOT:
            raise LogError("checkpoint of size 0 must have the empty-tree root")
        if any(not line or "\n" in line for line in self.extensions):
            raise LogError("checkpoint extension lines must be non-empty single lines")

    def body(self) -> str:
        """The checkpoint text that is signed."""
        root = base64.b64encode(self.root).decode()
        lines = [self.origin, str(self.size), root, *self.extensions]
        return "".join(f"{line}\n" for line in lines)


def parse_size(text: str, what: str = "tree size") -> int:
    """A decimal uint64 with no sign and no leading zeros."""
    if not _DECIMAL.fullmatch(text) or int(text) > MAX_SIZE:
        raise LogError(f"{what} {text[:30]!r} is not a decimal 0..2^64-1")
    return int(text)


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint body strictly."""
    check_text(text)
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise LogError("checkpoint has fewer than three lines (origin, size, root)")
    origin, size_text, root_text, *extensions = lines
    if not origin:
        raise LogError("checkpoint origin line is empty")
    size = parse_size(size_text)
    root = b64decode_strict(root_text, "checkpoint root")
    return Checkpoint(origin, size, root, tuple(extensions))


def open_checkpoint(
    message: str | bytes, verifiers: Iterable[Verifier], *, origin: str | None = None
) -> tuple[Checkpoint, Note]:
    """Verify a signed checkpoint note and parse its body; optionally pin the origin."""
    note = open_note(message, verifiers)
    checkpoint = parse_checkpoint(note.text)
    if origin is not None and checkpoint.origin != origin:
        raise LogError(f"checkpoint origin {checkpoint.origin!r} is not the expected {origin!r}")
    return checkpoint, note
