"""Sender numbers as shared indicators: keyed hashes under a consortium key, per month.

A phone number is never shared, and neither is an unkeyed hash of one: there are only about
10^10 Chinese mobile numbers, so SHA-256 of a number is reversed by trying them all. What
institutions exchange is

    HMAC-SHA256(K[epoch], b"smsguard-intel-phone|" + E.164)   (64 hex digits)

where ``epoch`` is the calendar month (``YYYY-MM``, UTC) the number was seen in and
``K[epoch]`` a 256-bit key the consortium's members share and nobody else holds. Without the
key a hash says nothing about its number; two hashes of one epoch are equal exactly when
their numbers are. A new key every month makes hashes of different months unlinkable and
limits what a leaked key exposes to that month's indicators. docs/intel.md has the full
privacy analysis, including why a member holding the key can reverse any hash, and why only
fraudsters' sender numbers are ever hashed here.

The key file is the key-file format of :mod:`smsguard.protect.keys` (JSON or lines of
``id:base64``), with the epoch as key id, mode 0600. One member creates a month's key
(``smsguard intel key add-epoch``) and hands the file to the others over the consortium's
own secure channel; they merge it with ``smsguard intel key import``.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.hmac import HMAC

from smsguard.errors import CryptoError, InputError
from smsguard.protect.keys import KEY_BYTES, generate_key_file, read_key_file
from smsguard.protect.phones import normalise_phone

DOMAIN_TAG = b"smsguard-intel-phone|"
_EPOCH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_SEPARATORS = re.compile(r"[\s\-().\u00a0]")
# Chinese numbers that send SMS but are not mobiles: 95xxx/96xxx service numbers, 10xxx
# carrier numbers, 12xxx public hotlines, 106 SMS ports (up to 20 digits), 400/800
# hotlines, landlines with their 0.
_CN_SERVICE = re.compile(r"(?:9[56]\d{3,6}|1[02]\d{3,18}|[48]00\d{7}|0[1-9]\d{8,10})")


def epoch_of(at: datetime) -> str:
    """The key epoch (``YYYY-MM``, UTC) of an instant."""
    if at.tzinfo is None:
        raise InputError("an epoch needs an instant with a time zone")
    return at.astimezone(UTC).strftime("%Y-%m")


def check_epoch(epoch: str) -> str:
    """``epoch`` if it is a ``YYYY-MM`` month; InputError otherwise."""
    if not _EPOCH.match(epoch):
        raise InputError(f"epoch {epoch!r} is not a month written YYYY-MM")
    return epoch


def sender_e164(raw: str) -> str:
    """The canonical form of a sender number, which is what gets hashed.

    Mobiles and ``+CC`` numbers as :func:`smsguard.protect.normalise_phone` writes them
    (``+8613812345678``); Chinese service numbers, SMS ports, hotlines and landlines as
    ``+86`` followed by their national digits (``+8695588``, ``+86106912345678``), so the
    allow-listed ``95588`` and a report's ``95588`` meet in one spelling.
    """
    compact = _SEPARATORS.sub("", raw)
    try:
        return normalise_phone(compact)
    except InputError:
        pass
    national = compact
    for prefix in ("+86", "0086"):
        if national.startswith(prefix):
            national = national[len(prefix) :]
            break
    if _CN_SERVICE.fullmatch(national):
        return "+86" + (national[1:] if national.startswith("0") else national)
    raise InputError(
        "sender number is not a mobile, a +CC number or a Chinese service number or SMS port "
        f"({sum(c.isdigit() for c in raw)} digits)"
    )


class ConsortiumKeys:
    """The consortium's per-month keys this institution holds; hashes numbers under them."""

    def __init__(self, keys: Mapping[str, bytes]) -> None:
        self._macs: dict[str, HMAC] = {}
        for epoch, key in sorted(keys.items()):
            check_epoch(epoch)
            if len(key) != KEY_BYTES:
                raise CryptoError(f"consortium key of {epoch} is {len(key)} bytes, not 32")
            self._macs[epoch] = HMAC(key, SHA256())  # keyed once, copied per value

    @classmethod
    def from_file(cls, path: Path) -> ConsortiumKeys:
        """Keys from a consortium key file (ids are epochs); CryptoError if unusable."""
        keys, _active = read_key_file(path)
        bad = [epoch for epoch in keys if not _EPOCH.match(epoch)]
        if bad:
            raise CryptoError(f"consortium key file {path}: key ids must be epochs, not {bad[0]!r}")
        return cls(keys)

    @property
    def epochs(self) -> tuple[str, ...]:
        """The epochs held, oldest first."""
        return tuple(self._macs)

    def __contains__(self, epoch: object) -> bool:
        return epoch in self._macs

    def hash_e164(self, e164: str, epoch: str) -> str:
        """The shared indicator value of a number in canonical form (see the module)."""
        mac = self._macs.get(epoch)
        if mac is None:
            raise CryptoError(
                f"no consortium key for epoch {epoch}",
                hint="Run `smsguard intel key add-epoch` or import the consortium's key file.",
            )
        keyed = mac.copy()
        keyed.update(DOMAIN_TAG + e164.encode("ascii"))
        return keyed.finalize().hex()

    def hash_number(self, raw: str, epoch: str) -> str:
        """:meth:`hash_e164` of a number in any accepted spelling."""
        return self.hash_e164(sender_e164(raw), epoch)

    def hashes(self, raw: str, epochs: Iterable[str] | None = None) -> dict[str, str]:
        """The number's hash under each given epoch held (all held epochs by default)."""
        e164 = sender_e164(raw)
        wanted = self._macs if epochs is None else [e for e in epochs if e in self._macs]
        return {epoch: self.hash_e164(e164, epoch) for epoch in wanted}

    def __repr__(self) -> str:
        return f"ConsortiumKeys(epochs={list(self._macs)}, <keys hidden>)"


def init_key_file(path: Path, epoch: str) -> None:
    """Create a consortium key file (0600, never overwriting) with a fresh key for ``epoch``."""
    generate_key_file(path, check_epoch(epoch))


def add_epoch(path: Path, epoch: str) -> None:
    """Append a fresh key for ``epoch``; refuses an epoch the file holds already."""
    check_epoch(epoch)
    keys, _ = read_key_file(path)
    if epoch in keys:
        raise InputError(f"consortium key file {path} holds epoch {epoch} already")
    _append(path, {epoch: os.urandom(KEY_BYTES)})


def import_keys(path: Path, source: Path) -> list[str]:
    """Merge the epochs of another consortium key file into ``path`` (created if missing);
    the epochs added. A different key for an epoch held already is refused: two members
    hashing one month under two keys would silently stop matching each other's numbers."""
    incoming = ConsortiumKeys.from_file(source)  # validates ids and lengths
    theirs, _ = read_key_file(source)
    ours: dict[str, bytes] = read_key_file(path)[0] if path.exists() else {}
    for epoch in incoming.epochs:
        if epoch in ours and ours[epoch] != theirs[epoch]:
            raise CryptoError(f"{source} has another key for epoch {epoch} than {path}")
    new = {epoch: theirs[epoch] for epoch in incoming.epochs if epoch not in ours}
    if new:
        _append(path, new, create=not path.exists())
    return sorted(new)


def _append(path: Path, keys: Mapping[str, bytes], *, create: bool = False) -> None:
    if not create and path.read_text(encoding="utf-8").lstrip().startswith("{"):
        raise CryptoError(f"{path} is a JSON key file; add epochs to it by hand")
    flags = os.O_WRONLY | (os.O_CREAT | os.O_EXCL if create else os.O_APPEND)
    lines = "".join(f"{e}:{base64.b64encode(k).decode('ascii')}\n" for e, k in keys.items())
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(lines)
