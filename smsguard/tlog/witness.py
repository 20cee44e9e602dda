"""The pure core of a C2SP tlog-witness: check a log's new checkpoint, then cosign it.

A witness remembers, per log origin, the last checkpoint it cosigned. A log submits a new
checkpoint with ``old <size>`` (the size it believes the witness holds) and a consistency
proof from that size. The witness cosigns only if the checkpoint is signed by a key it
trusts for that origin and extends what it saw before, so a log cannot show two different
histories to two parties that both consult the same witness.

Refusals carry the HTTP status the spec assigns (:class:`WitnessRefusal`): 400 malformed,
403 no trusted signature, 404 unknown origin, 409 stale ``old`` size (body: the witness's
size, ``text/x.tlog.size``) or same size with another root (a split view: also raised to
the :class:`SplitViewAlarm`), 422 a proof that does not verify. The check of ``old`` and the
update of the stored checkpoint are one compare-and-set, so two concurrent requests can
never roll the witness back. Storage and alarms are ports; :mod:`.witness_store` has the
directory implementations and :mod:`.http` the HTTP edge.
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from smsguard.errors import LogError

from .checkpoint import Checkpoint, parse_checkpoint, parse_size
from .cosignature import CosignatureSigner
from .merkle import EMPTY_ROOT, HASH_SIZE, verify_consistency
from .note import Note, Verifier, b64decode_strict, open_note, parse_note

MAX_PROOF_LINES = 63
SIZE_CONTENT_TYPE = "text/x.tlog.size"
_log = logging.getLogger(__name__)


class WitnessRefusal(LogError):
    """The witness will not cosign; ``status`` is the HTTP status the spec prescribes."""

    code = "witness-refused"

    def __init__(self, status: int, message: str, *, size: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.size = size

    @property
    def content_type(self) -> str:
        return SIZE_CONTENT_TYPE if self.size is not None else "text/plain; charset=utf-8"

    @property
    def body(self) -> bytes:
        """A 409's body is the witness's size; other refusals explain themselves."""
        return f"{self.size}\n".encode() if self.size is not None else f"{self.message}\n".encode()


# -- the request ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AddCheckpoint:
    """A parsed add-checkpoint request: old size, consistency proof, signed checkpoint note."""

    old_size: int
    proof: tuple[bytes, ...]
    checkpoint: str


def format_request(old_size: int, proof: Sequence[bytes], checkpoint: str) -> bytes:
    """The request body a log sends: ``old N``, base64 proof lines, a blank line, the note."""
    lines = [f"old {old_size}", *(base64.b64encode(item).decode() for item in proof)]
    return ("".join(f"{line}\n" for line in lines) + "\n" + checkpoint).encode()


def parse_request(body: bytes) -> AddCheckpoint:
    """Parse a request strictly; any deviation from the spec's syntax is a 400."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WitnessRefusal(400, "request body is not UTF-8") from exc
    head, blank, checkpoint = text.partition("\n\n")
    if not blank:
        raise WitnessRefusal(400, "request has no blank line after the proof")
    lines = head.split("\n")
    if not lines[0].startswith("old "):
        raise WitnessRefusal(400, "request does not start with an 'old <size>' line")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise WitnessRefusal(400, f"more than {MAX_PROOF_LINES} consistency proof lines")
    try:
        old = parse_size(lines[0][4:], "old size")
        proof = tuple(_proof_hash(line, i) for i, line in enumerate(lines[1:]))
    except LogError as exc:
        raise WitnessRefusal(400, exc.message) from exc
    return AddCheckpoint(old, proof, checkpoint)


def _proof_hash(line: str, position: int) -> bytes:
    """One proof line: canonical base64 of exactly one SHA-256 hash (fail closed)."""
    raw = b64decode_strict(line, f"proof line {position}")
    if len(raw) != HASH_SIZE:
        raise LogError(f"proof line {position} is {len(raw)} bytes, not a {HASH_SIZE}-byte hash")
    return raw


def parse_cosignature_response(body: bytes) -> str:
    """A 200 response: one or more well-formed signature lines (verified by the caller)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LogError("witness response is not UTF-8") from exc
    if not text.strip():
        raise LogError("witness response has no signature lines")
    try:
        parse_note("response\n\n" + text)  # the signed-note rules for signature lines
    except LogError as exc:
        raise LogError(f"witness response: {exc.message}") from exc
    return text


# -- ports ----------------------------------------------------------------------------------


class WitnessState(Protocol):
    """The latest cosigned checkpoint note per origin, updated only by compare-and-set."""

    def latest(self, origin: str) -> str | None:
        """The stored signed checkpoint for ``origin``, or None if never cosigned."""
        ...

    def compare_and_set(self, origin: str, expected: str | None, new: str) -> bool:
        """Store ``new`` if the stored note is still ``expected``; False if it changed."""
        ...


@dataclass(frozen=True)
class SplitView:
    """Evidence of a log showing two trees of one size: both notes are signed by the log."""

    origin: str
    size: int
    cosigned_root: bytes
    submitted_root: bytes
    cosigned_note: str
    submitted_note: str
    time: int


class SplitViewAlarm(Protocol):
    """Called when a log presents a second tree at a size the witness already cosigned."""

    def __call__(self, evidence: SplitView) -> None: ...


class MemoryWitnessState:
    """A dict-backed state for tests; not shared between processes."""

    def __init__(self) -> None:
        self.notes: dict[str, str] = {}

    def latest(self, origin: str) -> str | None:
        return self.notes.get(origin)

    def compare_and_set(self, origin: str, expected: str | None, new: str) -> bool:
        if self.notes.get(origin) != expected:
            return False
        self.notes[origin] = new
        return True


# -- the witness ----------------------------------------------------------------------------


def trusted_logs(verifiers: Iterable[Verifier]) -> dict[str, list[Verifier]]:
    """Log keys by origin; a log's key name is its origin (the C2SP convention)."""
    logs: dict[str, list[Verifier]] = {}
    for verifier in verifiers:
        logs.setdefault(verifier.name, []).append(verifier)
    return logs


class Witness:
    """Check and cosign checkpoints for the logs it trusts; see the module docstring."""

    def __init__(
        self,
        signer: CosignatureSigner,
        logs: Mapping[str, Sequence[Verifier]],
        state: WitnessState,
        alarm: SplitViewAlarm,
        now: Callable[[], int] = lambda: int(time.time()),
    ) -> None:
        self.signer = signer
        self.logs = logs
        self.state = state
        self.alarm = alarm
        self._now = now

    def add_checkpoint(self, body: bytes) -> str:
        """Handle one request; return the cosignature line(s) or raise :class:`WitnessRefusal`."""
        request = parse_request(body)
        checkpoint, note = self._open(request.checkpoint)
        if request.old_size > checkpoint.size:
            raise WitnessRefusal(400, f"old size {request.old_size} > size {checkpoint.size}")
        stored = self.state.latest(checkpoint.origin)
        previous = parse_checkpoint(parse_note(stored).text) if stored is not None else None
        self._check(request, checkpoint, previous, stored)
        if not self.state.compare_and_set(checkpoint.origin, stored, request.checkpoint):
            current = self.state.latest(checkpoint.origin)
            size = parse_checkpoint(parse_note(current).text).size if current else 0
            raise WitnessRefusal(409, "another request advanced this log first", size=size)
        return self.signer.line(note.text).format()

    def _open(self, message: str) -> tuple[Checkpoint, Note]:
        """Find the origin (404), verify the signature lines (403), then parse the body.

        Nothing but the origin line is read before the signature is checked. A signature
        block that does not even parse (bad base64, say) is a 403, not a 400: litewitness
        answers so, and to the witness it is just a signature that fails.
        """
        split = message.rfind("\n\n")
        if split < 0:
            raise WitnessRefusal(400, "checkpoint note has no blank line before its signatures")
        text = message[: split + 1]
        origin = text.split("\n", 1)[0]
        keys = self.logs.get(origin)
        if not keys:
            raise WitnessRefusal(404, f"unknown log {origin!r}")
        try:
            note = open_note(message, keys)
        except LogError as exc:
            raise WitnessRefusal(403, f"invalid signature: {exc.message}") from exc
        _check_empty_root(text)
        try:
            return parse_checkpoint(text), note
        except LogError as exc:
            raise WitnessRefusal(400, f"checkpoint: {exc.message}") from exc

    def _check(
        self,
        request: AddCheckpoint,
        checkpoint: Checkpoint,
        previous: Checkpoint | None,
        stored: str | None,
    ) -> None:
        """Old size matches (409), then the proof from the stored tree verifies (422)."""
        held = previous.size if previous is not None else 0
        if request.old_size != held:
            raise WitnessRefusal(409, f"the witness holds size {held}", size=held)
        if previous is None or held == 0:
            if request.proof:
                raise WitnessRefusal(422, "consistency proof must be empty from size 0")
            return
        if held == checkpoint.size and previous.root != checkpoint.root:
            self._split_view(previous, checkpoint, stored or "", request.checkpoint)
            raise WitnessRefusal(409, f"a different tree at size {held} was cosigned", size=held)
        try:
            verify_consistency(held, checkpoint.size, previous.root, checkpoint.root, request.proof)
        except LogError as exc:
            _log.warning("witness: %s: bad consistency proof: %s", checkpoint.origin, exc.message)
            raise WitnessRefusal(422, f"consistency proof: {exc.message}") from exc

    def _split_view(
        self, previous: Checkpoint, checkpoint: Checkpoint, stored: str, submitted: str
    ) -> None:
        evidence = SplitView(
            origin=checkpoint.origin,
            size=checkpoint.size,
            cosigned_root=previous.root,
            submitted_root=checkpoint.root,
            cosigned_note=stored,
            submitted_note=submitted,
            time=self._now(),
        )
        self.alarm(evidence)


def _check_empty_root(text: str) -> None:
    """Size 0 with a root other than SHA-256("") is a 422 in the spec, not a parse error."""
    lines = text.split("\n")
    if len(lines) >= 3 and lines[1] == "0":
        try:
            root = b64decode_strict(lines[2], "checkpoint root")
        except LogError:
            return  # malformed: parse_checkpoint reports it as a 400
        if len(root) == HASH_SIZE and root != EMPTY_ROOT:
            raise WitnessRefusal(422, "checkpoint of size 0 does not have the empty-tree root")
