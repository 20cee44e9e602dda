"""Reading a YAML file so that every failure is one of our errors, naming the file."""

from __future__ import annotations

from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from smsguard.errors import SmsguardError


def read_yaml(source: Path | Traversable, *, what: str, error: type[SmsguardError]) -> Any:
    """Parse ``source``; raise ``error`` saying which ``what`` (e.g. "rule file") failed."""
    name = str(source) if isinstance(source, Path) else source.name
    try:
        return yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise error(f"cannot read {what} {name}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise error(f"{what} {name} is not valid UTF-8") from exc
    except yaml.YAMLError as exc:
        raise error(f"{what} {name} is not valid YAML: {exc}") from exc
