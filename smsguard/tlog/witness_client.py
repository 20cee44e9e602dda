"""The log operator's side of tlog-witness: submit each new checkpoint, collect cosignatures.

Configured witnesses live in the log folder as ``witnesses.json``: each witness's URL
(its submission prefix), its cosigner vkey and the size it last cosigned for this log, so
the next request carries the right ``old`` size and a consistency proof from it. A 409
answer says which size the witness really holds; the client retries once from there
(that is how a lost response or a fresh state file heals). A witness claiming a size
beyond this log's, or refusing a checkpoint at the size it already holds, is a serious
signal (rollback or fork) and is reported, never papered over.

Collected cosignatures are appended to the log's checkpoint note and written to
``checkpoint.cosigned`` in the log folder (the plain ``checkpoint`` is left to the
appender, so a slow witness never holds up or rolls back the log). Lines already held
for the same checkpoint are kept when a witness is unreachable this time.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from smsguard._files import write_atomically
from smsguard.errors import LogError

from .cosignature import CosignatureVerifier, parse_cosigner_vkey, verify_cosignatures
from .log import TransparencyLog
from .note import SignatureLine, add_signatures, parse_note
from .witness import SIZE_CONTENT_TYPE, format_request, parse_cosignature_response

WITNESSES_FILE = "witnesses.json"
COSIGNED_FILE = "checkpoint.cosigned"
MAX_RESPONSE = 1 << 16

# (url, body) -> (status, content type, body); replaceable in tests
Post = Callable[[str, bytes], tuple[int, str, bytes]]


@dataclass(frozen=True)
class WitnessConfig:
    """One witness this log asks: where, which key, and the size it last cosigned."""

    url: str
    verifier: CosignatureVerifier
    size: int = 0

    def to_dict(self) -> dict[str, object]:
        return {"size": self.size, "url": self.url, "vkey": self.verifier.vkey}


def load_witnesses(folder: Path) -> list[WitnessConfig]:
    path = folder / WITNESSES_FILE
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [
            WitnessConfig(str(item["url"]), parse_cosigner_vkey(item["vkey"]), int(item["size"]))
            for item in data["witnesses"]
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise LogError(f"{path} is not a valid witness list") from exc


def save_witnesses(folder: Path, configs: list[WitnessConfig]) -> None:
    data = {"witnesses": [config.to_dict() for config in configs]}
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    write_atomically(folder / WITNESSES_FILE, text.encode(), mode=0o644)


def add_witness(folder: Path, url: str, vkey: str) -> WitnessConfig:
    """Configure a witness (or change its URL); its remembered size starts at 0."""
    if not url.startswith(("http://", "https://")):
        raise LogError(f"witness URL {url!r} is not http:// or https://")
    config = WitnessConfig(url.rstrip("/"), parse_cosigner_vkey(vkey.strip()))
    configs = [c for c in load_witnesses(folder) if c.verifier != config.verifier]
    save_witnesses(folder, [*configs, config])
    return config


def http_post(url: str, body: bytes, timeout: float = 10.0) -> tuple[int, str, bytes]:
    """POST with urllib; any HTTP status is returned, a network failure is a LogError."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "text/plain"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers.get_content_type(), response.read(MAX_RESPONSE)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get_content_type(), exc.read(MAX_RESPONSE)
    except (urllib.error.URLError, OSError) as exc:
        raise LogError(f"witness {url} is unreachable: {exc}") from exc


@dataclass(frozen=True)
class CosignOutcome:
    """What one witness did: its new config on success, or why it failed."""

    config: WitnessConfig
    lines: tuple[SignatureLine, ...] = ()
    error: str = ""


def request_cosignature(log: TransparencyLog, config: WitnessConfig, post: Post) -> CosignOutcome:
    """Ask one witness to cosign the log's checkpoint; retry once after a 409."""
    note, size = log.checkpoint(), log.size
    old = config.size
    for _ in range(2):
        if old > size:
            return CosignOutcome(config, error=_beyond(old, size))
        proof = log.consistency_proof(old, size) if 0 < old < size else []
        status, content_type, body = post(
            f"{config.url}/add-checkpoint", format_request(old, proof, note)
        )
        if status == 200:
            lines = _cosignatures(note, body, config.verifier)
            return CosignOutcome(replace(config, size=size), lines)
        if status != 409:
            return CosignOutcome(config, error=f"HTTP {status}: {_text(body)}")
        held = _held_size(content_type, body)
        if held == old:
            return CosignOutcome(config, error=f"refused at size {old}: it holds another tree")
        old = held
    return CosignOutcome(config, error="the witness's size kept changing")


def _beyond(held: int, size: int) -> str:
    return (
        f"the witness cosigned size {held}, beyond this log's size {size}: "
        "the log was rolled back or forked"
    )


def _held_size(content_type: str, body: bytes) -> int:
    """The size in a 409 answer (``text/x.tlog.size``: a decimal and a newline)."""
    text = body.decode("ascii", "replace")
    if content_type != SIZE_CONTENT_TYPE or not text.endswith("\n") or not text[:-1].isdigit():
        raise LogError(f"witness answered 409 without a {SIZE_CONTENT_TYPE} size")
    return int(text[:-1])


def _text(body: bytes) -> str:
    return body.decode("utf-8", "replace").strip()[:200]


def _cosignatures(
    note: str, body: bytes, verifier: CosignatureVerifier
) -> tuple[SignatureLine, ...]:
    """The response's lines from this witness's key, each verified over the checkpoint."""
    combined = note + parse_cosignature_response(body)
    if not verify_cosignatures(combined, [verifier]):
        raise LogError(f"witness {verifier.name} answered without its cosignature")
    key = (verifier.name, verifier.key_id)
    return tuple(
        line for line in parse_note(combined).signatures if (line.name, line.key_id) == key
    )


def cosign(
    log: TransparencyLog, folder: Path, post: Post = http_post
) -> tuple[str, list[CosignOutcome]]:
    """Ask every configured witness; store and return the cosigned checkpoint and outcomes."""
    configs = load_witnesses(folder)
    if not configs:
        raise LogError(
            "no witnesses configured for this log", hint="Add one: `smsguard log witness add`."
        )
    outcomes = [_safely(log, config, post) for config in configs]
    save_witnesses(folder, [outcome.config for outcome in outcomes])
    note = log.checkpoint()
    lines = _merge(
        _previous_lines(folder, note), [line for done in outcomes for line in done.lines]
    )
    cosigned = add_signatures(note, lines) if lines else note
    if lines:
        write_atomically(folder / COSIGNED_FILE, cosigned.encode(), mode=0o644)
    return cosigned, outcomes


def _safely(log: TransparencyLog, config: WitnessConfig, post: Post) -> CosignOutcome:
    """One witness's failure (network, bad answer) must not stop the others."""
    try:
        return request_cosignature(log, config, post)
    except LogError as exc:
        return CosignOutcome(config, error=exc.message)


def _previous_lines(folder: Path, note: str) -> list[SignatureLine]:
    """Cosignatures already stored for exactly this checkpoint (same note text)."""
    path = folder / COSIGNED_FILE
    if not path.exists():
        return []
    stored = parse_note(path.read_text(encoding="utf-8"))
    current = parse_note(note)
    if stored.text != current.text:
        return []
    own = set(current.signatures)
    return [line for line in stored.signatures if line not in own]


def _merge(old: list[SignatureLine], new: list[SignatureLine]) -> list[SignatureLine]:
    """New lines replace old ones from the same key; order: old keys first, then new."""
    fresh = {(line.name, line.key_id) for line in new}
    return [line for line in old if (line.name, line.key_id) not in fresh] + new


def read_cosigned(folder: Path) -> str:
    """The stored cosigned checkpoint; LogError if the log has never been cosigned."""
    path = folder / COSIGNED_FILE
    if not path.exists():
        raise LogError("this log has no cosigned checkpoint yet", hint="Run `smsguard log cosign`.")
    return path.read_text(encoding="utf-8")
