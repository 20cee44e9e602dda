"""Writing the screened rows: a folder of part files, published whole.

Spark writes a folder (one part file per partition, in input order: part-00000 holds the
first rows). Each TSV, CSV or JSON Lines part is a complete file of that format, header
included, named ``part-NNNNN-….csv`` and so on; Parquet parts are Spark's own. The folder is
written under a temporary name next to OUTPUT and renamed into place when the job succeeds,
so a failed scan leaves no half-written output. An existing OUTPUT is replaced only when it
is an earlier scan's output (it holds Spark's ``_SUCCESS`` marker) or an empty folder.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from smsguard.errors import InputError
from smsguard.scanio.formats import Format
from smsguard.spark.inputs import uri

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def check_target(target: Path) -> None:
    """Refuse, before any work, an OUTPUT that a scan must not replace."""
    if target.is_dir() and not _replaceable(target):
        raise InputError(
            f"cannot write {target}: it is a folder that is not an earlier scan's output",
            hint="Remove it or choose another OUTPUT.",
        )
    if target.exists() and not target.is_dir():
        raise InputError(
            f"cannot write {target}: it is a file; the Spark engine writes a folder of parts",
            hint="Remove it or choose another OUTPUT.",
        )
    if not target.parent.is_dir():
        raise InputError(f"cannot write {target}: folder {target.parent} does not exist")


def temporary_sibling(target: Path, label: str) -> Path:
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}.{label}")


def write_output(frame: DataFrame, fmt: Format, target: Path) -> None:
    """Write ``frame`` as ``fmt`` parts to a temporary folder, then move it to ``target``."""
    temp = temporary_sibling(target, "tmp")
    try:
        if fmt == "parquet":
            frame.write.mode("errorifexists").parquet(uri(temp))
        else:
            frame.write.mode("errorifexists").text(uri(temp))
            _name_parts(temp, fmt)
        for checksum in temp.glob(".*.crc"):
            checksum.unlink()
        publish(temp, target)
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def _name_parts(folder: Path, fmt: Format) -> None:
    """``part-….txt`` → ``part-….csv`` (``.tsv``, ``.jsonl``), so each part says its format."""
    for part in folder.glob("part-*.txt"):
        part.rename(part.with_suffix(f".{fmt}"))


def publish(temp: Path, target: Path) -> None:
    check_target(target)
    if target.is_dir():
        shutil.rmtree(target)
    os.replace(temp, target)


def _replaceable(folder: Path) -> bool:
    return (folder / "_SUCCESS").exists() or not any(folder.iterdir())


def part_files(folder: Path) -> list[Path]:
    """The output's part files, in input order."""
    return sorted(p for p in folder.glob("part-*") if p.is_file())
