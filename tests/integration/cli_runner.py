"""The real entry point (``smsguard.cli.main``) run in process on a home folder, for CLI
tests: each call returns (exit code, stdout, stderr) and fails on any traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from smsguard.cli import main

Run = Callable[..., tuple[int, str, str]]


def in_process(home: Path, capsys: pytest.CaptureFixture[str], *prefix: str) -> Run:
    """A runner of ``smsguard [PREFIX…] ARGS…``; ``prefix`` carries e.g. ``--home DIR``."""
    home.mkdir(parents=True, exist_ok=True)

    def invoke(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            main([*prefix, *args])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return code, out, err

    return invoke


def ok(run: Run, *args: str) -> str:
    """The output of a call that must succeed."""
    code, out, err = run(*args)
    assert code == 0, f"{args}: {out}{err}"
    return out
