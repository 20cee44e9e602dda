"""Offers per segment, inside what the approved template allows.

A campaign may tailor its offer to the propensity segment (``high`` / ``medium`` / ``low``),
but only through the template's typed placeholders: the wording the compliance officer
approved never changes, and each per-segment value must pass the same type check as any
other variable (an ``amount`` is a bounded number, an ``integer`` digits only, …; there is no
free-text type). For example, with the approved template

    【某银行】{name}您好，您可申请最高{limit:amount}的消费贷款，年化利率{apr:integer}%起。回复TD退订

a campaign can set ``apr`` once for everyone and ``limit`` per segment::

    {"high": {"limit": "50000元"}, "medium": {"limit": "20000元"}, "low": {"limit": "5000元"}}

:func:`check_offers` validates the plan against the template at campaign creation and returns
every segment's complete set of values; :func:`variant_texts` renders each variant so the
checker sees (and screening can check) every text that may be sent. ``{name}`` is filled per
customer at send time and can never be an offer variable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from smsguard.errors import InputError
from smsguard.governance.variables import SAMPLES, check_value, placeholders, render

PER_CUSTOMER = ("name",)
DEFAULT_SEGMENTS = ("high", "medium", "low")


def check_offers(
    template_body: str,
    campaign_values: Mapping[str, str],
    offers: Mapping[str, Mapping[str, str]],
    segments: Sequence[str] = DEFAULT_SEGMENTS,
) -> dict[str, dict[str, str]]:
    """Each segment's full variable values (campaign-wide values plus its offer).

    Raises InputError, naming segment and variable, unless: every segment of the model has an
    offer and no other segment does; every segment sets the same variables; those variables
    are placeholders of the template, not ``{name}`` and not also set campaign-wide; together
    with the campaign-wide values they fill every placeholder; and each value passes its type.
    """
    variables = {k: v for k, v in placeholders(template_body).items() if k not in PER_CUSTOMER}
    _check_segments(offers, segments)
    offered = _offer_labels(offers)
    _check_labels(variables, campaign_values, offered)
    result: dict[str, dict[str, str]] = {}
    for segment in segments:
        values = {**campaign_values, **offers[segment]}
        for label, kind in variables.items():
            try:
                check_value(kind, values[label])
            except InputError as exc:
                raise InputError(f"offer for segment {segment!r}, variable {label!r}: "
                                 f"{exc.message}") from exc  # fmt: skip
        result[segment] = dict(sorted(values.items()))
    return result


def _check_segments(offers: Mapping[str, Mapping[str, str]], segments: Sequence[str]) -> None:
    missing = [s for s in segments if s not in offers]
    unknown = sorted(set(offers) - set(segments))
    if missing or unknown:
        raise InputError(
            f"offers must name exactly the segments {', '.join(segments)}; "
            f"missing: {', '.join(missing) or 'none'}; unknown: {', '.join(unknown) or 'none'}"
        )


def _offer_labels(offers: Mapping[str, Mapping[str, str]]) -> frozenset[str]:
    sets = {segment: frozenset(values) for segment, values in offers.items()}
    first = next(iter(sets.values()), frozenset())
    for segment, labels in sets.items():
        if labels != first:
            raise InputError(
                f"every segment must set the same offer variables; {segment!r} sets "
                f"{sorted(labels)}, another sets {sorted(first)}"
            )
    if not first:
        raise InputError("an offer plan must set at least one variable per segment")
    return first


def _check_labels(
    variables: Mapping[str, str], campaign_values: Mapping[str, str], offered: frozenset[str]
) -> None:
    personal = sorted(offered & set(PER_CUSTOMER))
    if personal:
        raise InputError(f"{{{personal[0]}}} is filled per customer and cannot be an offer")
    strangers = sorted(offered - set(variables))
    if strangers:
        raise InputError(f"offer variable(s) {strangers} are not placeholders of the template")
    both = sorted(offered & set(campaign_values))
    if both:
        raise InputError(f"variable(s) {both} are set both campaign-wide and per segment")
    missing = sorted(set(variables) - offered - set(campaign_values))
    unknown = sorted(set(campaign_values) - set(variables))
    if missing or unknown:
        raise InputError(f"campaign variables missing: {missing or 'none'}; "
                         f"unknown: {unknown or 'none'}")  # fmt: skip


def variant_texts(template_body: str, variants: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """The message of each segment, ``{name}`` shown as a harmless sample: what the checker
    approves, one text per segment."""
    names = {label: SAMPLES[kind] for label, kind in placeholders(template_body).items()
             if label in PER_CUSTOMER}  # fmt: skip
    return {
        segment: render(template_body, {**values, **names}) for segment, values in variants.items()
    }


def values_for(variants: Mapping[str, Mapping[str, str]], segment: str | None) -> dict[str, str]:
    """The values to render for an audience member of ``segment`` (at send time)."""
    if segment is None or segment not in variants:
        raise InputError(f"no offer for segment {segment!r}; the audience was frozen with offers")
    return dict(variants[segment])
