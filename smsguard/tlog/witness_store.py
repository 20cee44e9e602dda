"""A witness's files: its key, the logs it trusts, its per-origin state and its alert file.

Layout under ``$SMSGUARD_HOME/witness/``::

    witness.skey       the cosigning key (type 0x04), mode 0600
    logs               trusted log vkeys, one per line (a key's name is the log's origin)
    state/<sha256>     the latest cosigned checkpoint of one origin (hex SHA-256 of the origin)
    alerts.jsonl       one JSON line per split view detected

State files are replaced atomically, and each compare-and-set holds a per-origin lock (a
thread lock and an ``flock`` on ``state/<sha256>.lock``), so two requests for one origin,
in one process or several, cannot both advance it.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from smsguard._files import write_atomically
from smsguard.errors import LogError

from .cosignature import CosignatureSigner, parse_cosigner_skey
from .note import Ed25519Verifier, parse_vkey
from .witness import SplitView, Witness, trusted_logs

KEY_FILE = "witness.skey"
LOGS_FILE = "logs"
ALERTS_FILE = "alerts.jsonl"
_log = logging.getLogger(__name__)


class DirectoryWitnessState:
    """One file per origin under ``folder``; see the module docstring for the locking."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def _file(self, origin: str) -> Path:
        return self.folder / hashlib.sha256(origin.encode()).hexdigest()

    def latest(self, origin: str) -> str | None:
        try:
            return self._file(origin).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def compare_and_set(self, origin: str, expected: str | None, new: str) -> bool:
        with self._locked(origin):
            if self.latest(origin) != expected:
                return False
            write_atomically(self._file(origin), new.encode(), mode=0o644)
            return True

    @contextmanager
    def _locked(self, origin: str) -> Iterator[None]:
        """The origin's thread lock, then its file lock (other processes sharing the folder)."""
        with self._guard:
            lock = self._locks.setdefault(origin, threading.Lock())
        self.folder.mkdir(parents=True, exist_ok=True)
        with lock, open(self._file(origin).with_suffix(".lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


class JsonlAlarm:
    """The default split-view alarm: append a JSON line to a file and log a warning.

    The line holds both signed notes, so it is itself the evidence to hand to whoever
    audits the log: two checkpoints of one size with different roots, both signed.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def __call__(self, evidence: SplitView) -> None:
        record = {
            "alert": "split-view",
            "origin": evidence.origin,
            "size": evidence.size,
            "cosigned_root": base64.b64encode(evidence.cosigned_root).decode(),
            "submitted_root": base64.b64encode(evidence.submitted_root).decode(),
            "cosigned_checkpoint": evidence.cosigned_note,
            "submitted_checkpoint": evidence.submitted_note,
            "time": evidence.time,
        }
        line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as stream:
                stream.write(line)
        _log.warning(
            "SPLIT VIEW: log %s showed two trees of size %d; evidence in %s",
            evidence.origin,
            evidence.size,
            self.path,
        )


# -- the local witness under the smsguard home ---------------------------------------------


def witness_folder(home: Path) -> Path:
    return home / "witness"


def create_witness_key(home: Path, name: str) -> CosignatureSigner:
    """Create the witness's cosigning key (mode 0600); refuse to overwrite one."""
    key_file = witness_folder(home) / KEY_FILE
    if key_file.exists():
        raise LogError(f"witness key {key_file} already exists", hint="Use the existing witness.")
    signer = CosignatureSigner.generate(name)
    key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_atomically(key_file, (signer.skey + "\n").encode(), mode=0o600)
    return signer


def load_witness_key(home: Path) -> CosignatureSigner:
    key_file = witness_folder(home) / KEY_FILE
    if not key_file.exists():
        raise LogError(
            "no witness key in this home", hint="Create one with `smsguard witness init --name …`."
        )
    return parse_cosigner_skey(key_file.read_text(encoding="utf-8"))


def trusted_log_keys(home: Path) -> list[Ed25519Verifier]:
    """The log vkeys this witness cosigns for (none if the file does not exist yet)."""
    path = witness_folder(home) / LOGS_FILE
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [parse_vkey(line.strip()) for line in lines if line.strip()]


def trust_log(home: Path, vkey: str) -> Ed25519Verifier:
    """Add a log key to the trusted list (idempotent); its name is the origin it signs."""
    verifier = parse_vkey(vkey.strip())
    keys = trusted_log_keys(home)
    if verifier not in keys:
        keys.append(verifier)
        text = "".join(f"{key.vkey}\n" for key in keys)
        write_atomically(witness_folder(home) / LOGS_FILE, text.encode(), mode=0o644)
    return verifier


def open_local_witness(home: Path) -> Witness:
    """The witness of this home: its key, trusted logs, directory state and alert file."""
    folder = witness_folder(home)
    return Witness(
        load_witness_key(home),
        trusted_logs(trusted_log_keys(home)),
        DirectoryWitnessState(folder / "state"),
        JsonlAlarm(folder / ALERTS_FILE),
    )
