"""Where a log's tiles, bundles and checkpoint are kept.

:class:`TileStore` is deliberately small (read, write a batch, delete, checkpoint) so a
database-backed store can replace the directory one. :class:`DirectoryTileStore` lays the
files out exactly as C2SP tlog-tiles serves them (``checkpoint``, ``tile/0/000``,
``tile/entries/x001/234.p/7`` …), so the directory can be published by any static web
server. Every write is atomic (temporary file, fsync, rename) and a batch is durable when
``write`` returns: the parent directories are fsynced after the renames.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Protocol

from smsguard._files import write_atomically
from smsguard.errors import LogError

CHECKPOINT = "checkpoint"


class TileStore(Protocol):
    """Storage of one log: files by relative path, plus its latest checkpoint."""

    def read(self, path: str) -> bytes | None:
        """The file's bytes, or None if it does not exist."""
        ...

    def write(self, files: Mapping[str, bytes]) -> None:
        """Write every file atomically; all are durable when this returns."""
        ...

    def delete(self, paths: Iterable[str]) -> None:
        """Remove files if present (uncommitted leftovers after a crash)."""
        ...

    def read_checkpoint(self) -> bytes | None:
        """The latest signed checkpoint, or None for a new log."""
        ...

    def write_checkpoint(self, data: bytes) -> None:
        """Replace the checkpoint atomically and durably."""
        ...


class MemoryTileStore:
    """A dict-backed store for tests and benchmarks."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def read(self, path: str) -> bytes | None:
        return self.files.get(path)

    def write(self, files: Mapping[str, bytes]) -> None:
        self.files.update(files)

    def delete(self, paths: Iterable[str]) -> None:
        for path in paths:
            self.files.pop(path, None)

    def read_checkpoint(self) -> bytes | None:
        return self.files.get(CHECKPOINT)

    def write_checkpoint(self, data: bytes) -> None:
        self.files[CHECKPOINT] = data


class DirectoryTileStore:
    """Files under ``root`` in the static tlog-tiles layout; world-readable (a public log)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _resolve(self, path: str) -> Path:
        parts = path.split("/")
        if not path or any(part in ("", ".", "..") for part in parts) or "\\" in path:
            raise LogError(f"store path {path!r} is not a plain relative path")
        return self.root.joinpath(*parts)

    def read(self, path: str) -> bytes | None:
        try:
            return self._resolve(path).read_bytes()
        except FileNotFoundError:
            return None

    def write(self, files: Mapping[str, bytes]) -> None:
        staged: list[tuple[str, Path]] = []
        folders: set[Path] = set()
        try:
            for path, data in files.items():
                target = self._resolve(path)
                folders |= _ensure_dir(target.parent)
                staged.append((_stage(target, data), target))
            for temporary, target in staged:
                os.replace(temporary, target)
        except BaseException:
            for temporary, _ in staged:
                Path(temporary).unlink(missing_ok=True)
            raise
        for folder in folders | {target.parent for _, target in staged}:
            _fsync_dir(folder)

    def delete(self, paths: Iterable[str]) -> None:
        folders = set()
        for path in paths:
            target = self._resolve(path)
            if target.exists():
                target.unlink()
                folders.add(target.parent)
        for folder in folders:
            _fsync_dir(folder)

    def read_checkpoint(self) -> bytes | None:
        return self.read(CHECKPOINT)

    def write_checkpoint(self, data: bytes) -> None:
        write_atomically(self.root / CHECKPOINT, data, mode=0o644)
        _fsync_dir(self.root)


def _ensure_dir(folder: Path) -> set[Path]:
    """Create ``folder`` and missing parents; return the folders whose entries changed."""
    missing: list[Path] = []
    while not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir(exist_ok=True)
    return {path.parent for path in missing}


def _stage(target: Path, data: bytes) -> str:
    """Write ``data`` to a synced temporary file beside ``target``; return its name."""
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        os.fchmod(handle, 0o644)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary


def _fsync_dir(folder: Path) -> None:
    """Make renames and unlinks in ``folder`` durable."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
