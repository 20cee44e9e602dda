"""The risk-model artifact on disk: one zip of ``metadata.json``, a vocabulary and arrays.

Kept apart from :mod:`smsguard.risk.model` so the model module is about scoring only. Members
carry a fixed timestamp and JSON is written with sorted keys, so the same model always gives
the same bytes (a retrain can be checked byte for byte).

Format versions: 1 held one threshold pair; 2 holds one pair per writing system (see
:mod:`smsguard.risk.scripts`). A version-1 file is refused with a :class:`ModelError` that
says to retrain, rather than guessed at: its single pair was chosen for pooled ham and would
silently keep English needlessly strict.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from smsguard.errors import ModelError

FORMAT = "smsguard-risk-model"
FORMAT_VERSION = 2
ARRAYS = ("idf", "weights", "bias")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def pack(
    header: Mapping[str, Any], vocabulary: Sequence[str], arrays: Mapping[str, npt.NDArray[Any]]
) -> bytes:
    """The zip bytes of one model; ``header`` gets the format name and version added."""
    full = {"format": FORMAT, "format_version": FORMAT_VERSION, **header}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        text = json.dumps(full, ensure_ascii=False, sort_keys=True, indent=1)
        _write(archive, "metadata.json", text.encode("utf-8"))
        _write(archive, "vocabulary.txt", "\n".join(vocabulary).encode("utf-8"))
        for name in ARRAYS:
            stream = io.BytesIO()
            array = np.ascontiguousarray(arrays[name])
            np.lib.format.write_array(stream, array, allow_pickle=False)
            _write(archive, f"{name}.npy", stream.getvalue())
    return buffer.getvalue()


def unpack(
    data: bytes, source: str, classes: Sequence[str]
) -> tuple[dict[str, Any], list[str], dict[str, npt.NDArray[Any]]]:
    """Header, vocabulary and arrays of an artifact; a wrong format or version raises
    :class:`ModelError`, a damaged zip raises ``zipfile.BadZipFile``/``KeyError``."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        header = json.loads(archive.read("metadata.json").decode("utf-8"))
        check_header(header, source, classes)
        vocabulary_text = archive.read("vocabulary.txt").decode("utf-8")
        arrays = {
            name: np.lib.format.read_array(
                io.BytesIO(archive.read(f"{name}.npy")), allow_pickle=False
            )
            for name in ARRAYS
        }
    vocabulary = vocabulary_text.split("\n") if vocabulary_text else []
    return header, vocabulary, arrays


def check_header(header: Any, source: str, classes: Sequence[str]) -> None:
    """Refuse what is not a risk model, another format version or other classes."""
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelError(f"{source}: not a smsguard risk model")
    version = header.get("format_version")
    if version != FORMAT_VERSION:
        advice = " (retrain it with `smsguard model train`)" if version == 1 else ""
        raise ModelError(
            f"{source}: risk model format version {version!r}, this smsguard reads "
            f"version {FORMAT_VERSION}{advice}"
        )
    if tuple(header.get("classes", ())) != tuple(classes):
        raise ModelError(f"{source}: classes {header.get('classes')!r}, expected {list(classes)}")


def _write(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data, compresslevel=9)
