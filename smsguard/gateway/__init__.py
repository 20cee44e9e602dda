"""The sending gateway: approved campaigns become outbox rows, workers hand them to providers.

Pure planning (render, re-screen, consent, timing) lives apart from the outbox store and the
provider adapters, which are the I/O edges; see docs/gateway.md.
"""
