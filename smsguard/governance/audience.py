"""Who a campaign is for, as data the checker approves together with the campaign.

The audience language of the targeting issue replaces this; until then a campaign names
either ``{"all": true}`` (every customer of the institution) or ``{"customer_ids": [...]}``,
and anything else is refused when the campaign is created, not when it is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from smsguard.errors import InputError

_SHAPES = 'a campaign audience is {"all": true} or {"customer_ids": [1, 2, ...]}'


def audience_ids(audience: Mapping[str, Any]) -> list[int] | None:
    """The customer ids a campaign targets, sorted, or None for every customer."""
    if set(audience) == {"all"} and audience["all"] is True:
        return None
    ids = audience.get("customer_ids")
    if (
        set(audience) == {"customer_ids"}
        and isinstance(ids, list)
        and ids
        and all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
    ):
        return sorted(set(ids))
    raise InputError(_SHAPES)
