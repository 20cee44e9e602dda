"""Where a writer's output goes: a file written atomically, or standard output.

A scan interrupted halfway must not leave a half-written file that looks like a finished
result. Output to a file is therefore written to a temporary file in the same folder (so the
final rename stays on one file system) and renamed over the target only when the writer closes
successfully; on failure the temporary file is removed and any earlier output file is left as
it was. Standard output cannot be taken back; it is only flushed.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import sys
from abc import ABC, abstractmethod
from pathlib import Path
from typing import IO, Any, BinaryIO, Final, TextIO

from smsguard.errors import InputError

#: Text output is UTF-8 with line endings left as written. A lone surrogate (possible in JSON
#: input) is written as ``\udXXX`` instead of failing the whole file; in JSON Lines output
#: that is exactly the JSON escape for it.
_ENCODING: Final = "utf-8"
_ERRORS: Final = "backslashreplace"


class Sink(ABC):
    """A destination that is opened once, as text or as bytes, then committed or discarded."""

    #: How the destination is named in error messages.
    name: str

    @abstractmethod
    def open_text(self) -> TextIO:
        """A UTF-8 text stream that leaves line endings as written."""

    @abstractmethod
    def open_binary(self) -> BinaryIO:
        """A byte stream."""

    @abstractmethod
    def commit(self) -> None:
        """Make what was written final."""

    @abstractmethod
    def discard(self) -> None:
        """Give up; safe to call more than once and after :meth:`commit` failed."""


class AtomicFile(Sink):
    """A file that appears, complete, only on :meth:`commit`.

    The temporary file is created at once, so an unwritable destination is reported before
    any work is done. It is created with mode 0o666 filtered by the umask, like any new file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path)
        if path.is_dir():
            raise InputError(f"cannot write {path}: it is a directory")
        self._temp, self._fd = self._create_temp()
        self._stream: IO[Any] | None = None
        self._pending = True  # the temporary file exists and is ours to close and remove

    def _create_temp(self) -> tuple[Path, int]:
        """A new, empty temporary file next to the target, and its descriptor."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        while True:
            temp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(6)}.tmp")
            try:
                return temp, os.open(temp, flags, 0o666)
            except FileExistsError:
                continue
            except OSError as err:
                raise InputError(f"cannot write {self.path}: {err.strerror or err}") from err

    def open_text(self) -> TextIO:
        stream = open(  # noqa: SIM115 - closed by commit/discard
            self._fd, "w", encoding=_ENCODING, errors=_ERRORS, newline=""
        )
        self._stream = stream
        return stream

    def open_binary(self) -> BinaryIO:
        stream = open(self._fd, "wb")  # noqa: SIM115 - closed by commit/discard
        self._stream = stream
        return stream

    def commit(self) -> None:
        if self._stream is None:
            self._stream = open(self._fd, "wb")  # noqa: SIM115 - nothing written: empty file
        self._stream.flush()
        os.fsync(self._stream.fileno())
        self._stream.close()
        os.replace(self._temp, self.path)
        self._pending = False

    def discard(self) -> None:
        if not self._pending:
            return  # closing the descriptor twice could close an unrelated, reused one
        self._pending = False
        try:
            if self._stream is not None:
                self._stream.close()
            else:
                os.close(self._fd)
        except OSError:
            pass  # already closed, or the disk failed; the file is removed either way
        self._temp.unlink(missing_ok=True)


class StandardOutput(Sink):
    """Standard output, always written as UTF-8 whatever the locale says."""

    name = "standard output"

    def __init__(self) -> None:
        self._text: io.TextIOWrapper | None = None
        self._binary: BinaryIO | None = None

    def open_text(self) -> TextIO:
        buffer = self._buffer(required=False)
        if buffer is None:  # stdout replaced by a text-only object; write to it as is
            return sys.stdout
        self._text = io.TextIOWrapper(buffer, encoding=_ENCODING, errors=_ERRORS, newline="")
        return self._text

    def open_binary(self) -> BinaryIO:
        buffer = self._buffer(required=True)
        assert buffer is not None
        self._binary = buffer
        return buffer

    def _buffer(self, *, required: bool) -> BinaryIO | None:
        """The byte stream under ``sys.stdout``, after flushing what was printed before."""
        sys.stdout.flush()
        buffer: BinaryIO | None = getattr(sys.stdout, "buffer", None)
        if buffer is None and required:
            raise InputError("cannot write binary output: standard output accepts only text")
        return buffer

    def commit(self) -> None:
        if self._text is not None:
            self._text.flush()
            # Detach, so that closing or collecting the wrapper never closes stdout.
            self._text.detach()
            self._text = None
        elif self._binary is not None:
            self._binary.flush()
        else:
            sys.stdout.flush()

    def discard(self) -> None:
        # Output already sent cannot be recalled; flushing the rest is all that is left.
        with contextlib.suppress(OSError, ValueError):
            self.commit()
