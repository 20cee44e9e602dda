"""Provider adapters: one small interface (:mod:`.base`), one module per SMS gateway."""

from smsguard.gateway.providers.base import (
    DeliveryReport,
    InboundSms,
    OutboundSms,
    Provider,
    ProviderEvents,
    Submission,
)

__all__ = [
    "DeliveryReport",
    "InboundSms",
    "OutboundSms",
    "Provider",
    "ProviderEvents",
    "Submission",
]
