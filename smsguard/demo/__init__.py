"""Shipped demo data: fictional sender profiles and example messages.

``make serve`` screens these; the rulebook's examples refer to the same sender profiles.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml

from smsguard.screening.sender import SenderProfile, parse_sender_profile


@functools.cache
def demo_senders() -> dict[str, SenderProfile]:
    """The demo sender profiles by name (file name without .yaml)."""
    folder = resources.files("smsguard.demo").joinpath("senders")
    return {
        item.name.removesuffix(".yaml"): parse_sender_profile(
            yaml.safe_load(item.read_text("utf-8")), source=item.name
        )
        for item in folder.iterdir()
        if item.name.endswith(".yaml")
    }


def demo_messages() -> list[dict[str, Any]]:
    """Example messages, each with ``text`` and an optional ``sender`` profile name."""
    text = resources.files("smsguard.demo").joinpath("messages.yaml").read_text("utf-8")
    items: list[dict[str, Any]] = yaml.safe_load(text)
    return items
